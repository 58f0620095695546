/* SPDX-License-Identifier: MIT */
/*
 * The decision half of the impairment proxy (tests/tools/impair.c): given a seed and the
 * impairment rates, decides for each arriving packet whether it is dropped, duplicated or held
 * back (reordered), and when held packets are released. No sockets and no clock here, so the
 * schedule is a pure function of (seed, options, packet count) — the same run twice impairs the
 * same packets — and it can be unit-tested (tests/tools/test_impair_plan.c).
 *
 * Reordering model: a held packet is released right after @reorder_depth later packets have
 * been forwarded, so it arrives behind a newer sequence number: RFC 3550 A.1 and the project's
 * receive statistics (aes67_rtp_stats_update(), aes67_timeline_write()) count exactly one
 * "reordered" event for it. A held packet that has to be flushed before any later packet passed
 * it (end of stream) arrives in order and is counted as flushed, not reordered.
 */
#ifndef AES67_IMPAIR_PLAN_H
#define AES67_IMPAIR_PLAN_H

#include <stdbool.h>
#include <stdint.h>

/* Probabilities are in units of 1/100000 (percent with three decimals). */
#define IMPAIR_PROB_ONE 100000u
#define IMPAIR_MAX_HELD 32u

struct impair_options {
	uint64_t seed;
	uint32_t drop_prob;	/* per 100000 */
	uint32_t dup_prob;	/* per 100000 */
	uint32_t reorder_prob;	/* per 100000 */
	uint32_t reorder_depth; /* later packets forwarded before a held one is released, >= 1 */
};

struct impair_counts {
	uint64_t received;
	uint64_t dropped;
	uint64_t duplicated; /* extra copies sent */
	uint64_t reordered;  /* held packets released after a later one */
	uint64_t flushed;    /* held packets released with nothing passing them */
	uint64_t forwarded;  /* packets sent, copies included */
};

struct impair_held {
	uint64_t index; /* arrival index of the packet */
	uint32_t countdown;
	bool dup;
};

struct impair_plan {
	struct impair_options opt;
	uint64_t rng;
	struct impair_held held[IMPAIR_MAX_HELD];
	uint32_t n_held;
	struct impair_counts counts;
};

/* What to do with one packet. */
enum impair_action {
	IMPAIR_DROP,
	IMPAIR_FORWARD, /* send it now (twice if dup) */
	IMPAIR_HOLD,	/* keep it; impair_plan_release() says when */
};

struct impair_decision {
	enum impair_action action;
	bool dup;
};

/**
 * impair_plan_init() - start a schedule. Return: 0, or -EINVAL if a probability exceeds
 * IMPAIR_PROB_ONE or reorder_depth is 0 while reorder_prob is not.
 */
int impair_plan_init(struct impair_plan *p, const struct impair_options *opt);

/**
 * impair_plan_arrive() - decide the fate of the next arriving packet (arrival index =
 * counts.received before the call). Three draws are taken per packet whatever the outcome, so
 * the decisions for packet k depend only on the seed and k.
 */
struct impair_decision impair_plan_arrive(struct impair_plan *p);

/**
 * impair_plan_forwarded() - tell the plan that one arriving packet was forwarded (not held,
 * not dropped): every held packet's countdown drops by one.
 */
void impair_plan_forwarded(struct impair_plan *p);

/**
 * impair_plan_release() - the next held packet due for release, oldest first. @flush releases
 * every held packet (end of stream, idle). Return: true and the packet's arrival index and dup
 * flag, or false if none is due.
 */
bool impair_plan_release(struct impair_plan *p, bool flush, uint64_t *index, bool *dup);

#endif /* AES67_IMPAIR_PLAN_H */
