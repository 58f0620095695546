// SPDX-License-Identifier: MIT
/*
 * Deterministic impairment schedule for the test proxy (see impair_plan.h): a seeded splitmix64
 * generator decides drop / duplicate / hold per packet; held packets count down the packets
 * forwarded after them and are released oldest first.
 */
#include <errno.h>
#include <string.h>

#include "impair_plan.h"

/* splitmix64 (Steele, Lea, Flood 2014): tiny, full period, good enough to pick test packets. */
static uint64_t next_u64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* true with probability prob / IMPAIR_PROB_ONE; always consumes one draw. */
static bool draw(uint64_t *state, uint32_t prob)
{
	uint64_t r = next_u64(state) % IMPAIR_PROB_ONE;
	return r < prob;
}

int impair_plan_init(struct impair_plan *p, const struct impair_options *opt)
{
	if (opt->drop_prob > IMPAIR_PROB_ONE || opt->dup_prob > IMPAIR_PROB_ONE ||
	    opt->reorder_prob > IMPAIR_PROB_ONE) {
		return -EINVAL;
	}
	if (opt->reorder_prob > 0 && opt->reorder_depth == 0) {
		return -EINVAL;
	}
	memset(p, 0, sizeof(*p));
	p->opt = *opt;
	p->rng = opt->seed;
	return 0;
}

struct impair_decision impair_plan_arrive(struct impair_plan *p)
{
	struct impair_decision d = {IMPAIR_FORWARD, false};
	bool drop = draw(&p->rng, p->opt.drop_prob);
	bool dup = draw(&p->rng, p->opt.dup_prob);
	bool hold = draw(&p->rng, p->opt.reorder_prob);
	uint64_t index = p->counts.received++;

	if (drop) {
		p->counts.dropped++;
		d.action = IMPAIR_DROP;
		return d;
	}
	d.dup = dup;
	if (hold && p->n_held < IMPAIR_MAX_HELD) {
		p->held[p->n_held].index = index;
		p->held[p->n_held].countdown = p->opt.reorder_depth;
		p->held[p->n_held].dup = dup;
		p->n_held++;
		d.action = IMPAIR_HOLD;
		return d;
	}
	if (dup) {
		p->counts.duplicated++;
	}
	p->counts.forwarded += dup ? 2u : 1u;
	return d;
}

void impair_plan_forwarded(struct impair_plan *p)
{
	for (uint32_t i = 0; i < p->n_held; i++) {
		if (p->held[i].countdown > 0) {
			p->held[i].countdown--;
		}
	}
}

bool impair_plan_release(struct impair_plan *p, bool flush, uint64_t *index, bool *dup)
{
	if (p->n_held == 0) {
		return false;
	}
	/* Held packets were appended in arrival order with equal depth, so the oldest is due first.
	 */
	struct impair_held h = p->held[0];
	if (!flush && h.countdown > 0) {
		return false;
	}
	memmove(&p->held[0], &p->held[1], (p->n_held - 1) * sizeof(p->held[0]));
	p->n_held--;
	if (h.countdown < p->opt.reorder_depth) {
		p->counts.reordered++; /* at least one later packet went out before it */
	} else {
		p->counts.flushed++;
	}
	if (h.dup) {
		p->counts.duplicated++;
	}
	p->counts.forwarded += h.dup ? 2u : 1u;
	*index = h.index;
	*dup = h.dup;
	return true;
}
