// SPDX-License-Identifier: MIT
/*
 * Unit tests of the impairment proxy's schedule (impair_plan.c) and the tools' argument parsers.
 * The key property: the proxy's own counts must equal what a receiver observes (reordered =
 * packets arriving behind the highest index seen, duplicates = repeated indices, dropped =
 * indices never seen), because the integration tests compare the receiver's counters with them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "impair_plan.h"
#include "tool_args.h"

#define N_PACKETS 20000u

struct observed {
	uint64_t out[2 * N_PACKETS + 64];
	uint64_t n_out;
	uint64_t reordered, duplicates, missing;
};

static void push(struct observed *o, uint64_t idx)
{
	o->out[o->n_out++] = idx;
}

/* Runs the proxy's loop (as impair.c does) over @n packets and records the output order. */
static void simulate(struct impair_plan *p, uint64_t n, struct observed *o)
{
	uint64_t idx;
	bool dup;
	memset(o, 0, sizeof(*o));
	for (uint64_t k = 0; k < n; k++) {
		struct impair_decision d = impair_plan_arrive(p);
		if (d.action != IMPAIR_FORWARD) {
			continue;
		}
		push(o, k);
		if (d.dup) {
			push(o, k);
		}
		impair_plan_forwarded(p);
		while (impair_plan_release(p, false, &idx, &dup)) {
			push(o, idx);
			if (dup) {
				push(o, idx);
			}
		}
	}
	while (impair_plan_release(p, true, &idx, &dup)) {
		push(o, idx);
		if (dup) {
			push(o, idx);
		}
	}
	/* What a receiver counts (RFC 3550 A.1 classes, as aes67_rtp_stats_update does). */
	static bool seen[N_PACKETS];
	memset(seen, 0, sizeof(seen));
	bool have_max = false;
	uint64_t max = 0;
	for (uint64_t i = 0; i < o->n_out; i++) {
		uint64_t x = o->out[i];
		if (seen[x]) {
			o->duplicates++;
			continue;
		}
		seen[x] = true;
		if (have_max && x < max) {
			o->reordered++;
		}
		if (!have_max || x > max) {
			max = x;
			have_max = true;
		}
	}
	for (uint64_t k = 0; k < n; k++) {
		o->missing += seen[k] ? 0u : 1u;
	}
}

static struct observed obs_a, obs_b;

static void test_counts_match_receiver_view(void **state)
{
	(void)state;
	struct impair_options opt = {.seed = 42,
				     .drop_prob = 1000,
				     .dup_prob = 2000,
				     .reorder_prob = 3000,
				     .reorder_depth = 3};
	struct impair_plan p;
	assert_int_equal(impair_plan_init(&p, &opt), 0);
	simulate(&p, N_PACKETS, &obs_a);
	assert_int_equal(p.counts.received, N_PACKETS);
	assert_int_equal(p.counts.dropped, obs_a.missing);
	assert_int_equal(p.counts.duplicated, obs_a.duplicates);
	/* The last held packet may be flushed in order; everything else must show as reordered. */
	assert_int_equal(p.counts.reordered, obs_a.reordered);
	assert_int_equal(p.counts.forwarded, obs_a.n_out);
	/* Rates near the requested ones (binomial, 20000 draws: well within +-40 %). */
	assert_in_range(p.counts.dropped, 120, 280);
	assert_in_range(p.counts.duplicated, 240, 560);
	assert_in_range(p.counts.reordered + p.counts.flushed, 360, 840);
}

static void test_deterministic(void **state)
{
	(void)state;
	struct impair_options opt = {.seed = 7,
				     .drop_prob = 5000,
				     .dup_prob = 5000,
				     .reorder_prob = 5000,
				     .reorder_depth = 2};
	struct impair_plan p;
	assert_int_equal(impair_plan_init(&p, &opt), 0);
	simulate(&p, 5000, &obs_a);
	assert_int_equal(impair_plan_init(&p, &opt), 0);
	simulate(&p, 5000, &obs_b);
	assert_int_equal(obs_a.n_out, obs_b.n_out);
	assert_memory_equal(obs_a.out, obs_b.out, obs_a.n_out * sizeof(obs_a.out[0]));
	opt.seed = 8;
	assert_int_equal(impair_plan_init(&p, &opt), 0);
	simulate(&p, 5000, &obs_b);
	assert_true(obs_a.n_out != obs_b.n_out ||
		    memcmp(obs_a.out, obs_b.out, obs_a.n_out * sizeof(obs_a.out[0])) != 0);
}

static void test_reorder_depth_exact(void **state)
{
	(void)state;
	/* Hold packet 0 (100 % hold), then stop holding: packet 0 must come out right after
	 * exactly reorder_depth = 2 later packets, and count as reordered once. */
	struct impair_options opt = {
		.seed = 1, .reorder_prob = IMPAIR_PROB_ONE, .reorder_depth = 2};
	struct impair_plan p;
	uint64_t idx;
	bool dup;
	assert_int_equal(impair_plan_init(&p, &opt), 0);
	struct impair_decision d = impair_plan_arrive(&p);
	assert_int_equal(d.action, IMPAIR_HOLD);
	/* Now stop holding: later packets pass. */
	p.opt.reorder_prob = 0;
	d = impair_plan_arrive(&p);
	assert_int_equal(d.action, IMPAIR_FORWARD);
	impair_plan_forwarded(&p);
	assert_false(impair_plan_release(&p, false, &idx, &dup));
	d = impair_plan_arrive(&p);
	impair_plan_forwarded(&p);
	assert_true(impair_plan_release(&p, false, &idx, &dup));
	assert_int_equal(idx, 0);
	assert_false(dup);
	assert_int_equal(p.counts.reordered, 1);
	assert_int_equal(p.counts.forwarded, 3);
}

static void test_flush_in_order_is_not_reordered(void **state)
{
	(void)state;
	struct impair_options opt = {
		.seed = 3, .reorder_prob = IMPAIR_PROB_ONE, .reorder_depth = 4};
	struct impair_plan p;
	uint64_t idx;
	bool dup;
	assert_int_equal(impair_plan_init(&p, &opt), 0);
	assert_int_equal(impair_plan_arrive(&p).action, IMPAIR_HOLD);
	assert_true(impair_plan_release(&p, true, &idx, &dup));
	assert_int_equal(p.counts.reordered, 0);
	assert_int_equal(p.counts.flushed, 1);
}

static void test_bad_options(void **state)
{
	(void)state;
	struct impair_plan p;
	struct impair_options opt = {.seed = 1, .drop_prob = IMPAIR_PROB_ONE + 1};
	assert_int_equal(impair_plan_init(&p, &opt), -EINVAL);
	opt.drop_prob = 0;
	opt.reorder_prob = 10;
	opt.reorder_depth = 0;
	assert_int_equal(impair_plan_init(&p, &opt), -EINVAL);
}

static void test_parsers(void **state)
{
	(void)state;
	uint32_t pct;
	uint64_t u;
	struct sockaddr_in a;
	assert_int_equal(tool_parse_percent("1", &pct), 0);
	assert_int_equal(pct, 1000);
	assert_int_equal(tool_parse_percent("0.5", &pct), 0);
	assert_int_equal(pct, 500);
	assert_int_equal(tool_parse_percent("12.125", &pct), 0);
	assert_int_equal(pct, 12125);
	assert_int_equal(tool_parse_percent("100", &pct), 0);
	assert_int_equal(pct, 100000);
	assert_int_equal(tool_parse_percent("100.001", &pct), -EINVAL);
	assert_int_equal(tool_parse_percent("0.0001", &pct), -EINVAL);
	assert_int_equal(tool_parse_percent("", &pct), -EINVAL);
	assert_int_equal(tool_parse_percent(".", &pct), -EINVAL);
	assert_int_equal(tool_parse_percent("1x", &pct), -EINVAL);
	assert_int_equal(tool_parse_u64("18446744073709551615", UINT64_MAX, &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(tool_parse_u64("18446744073709551616", UINT64_MAX, &u), -EINVAL);
	assert_int_equal(tool_parse_u64("601", 600, &u), -EINVAL);
	assert_int_equal(tool_parse_u64("-1", 600, &u), -EINVAL);
	assert_int_equal(tool_parse_addr("239.69.1.1:5004", &a), 0);
	assert_int_equal(ntohs(a.sin_port), 5004);
	assert_int_equal(ntohl(a.sin_addr.s_addr), 0xef450101u);
	assert_int_equal(tool_parse_addr("239.69.1.1", &a), -EINVAL);
	assert_int_equal(tool_parse_addr("239.69.1.1:0", &a), -EINVAL);
	assert_int_equal(tool_parse_addr("239.69.1.1:65536", &a), -EINVAL);
	assert_int_equal(tool_parse_addr("239.69.1:5004", &a), -EINVAL);
	assert_int_equal(tool_parse_addr(":5004", &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_match_receiver_view),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_reorder_depth_exact),
		cmocka_unit_test(test_flush_in_order_is_not_reordered),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_parsers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
