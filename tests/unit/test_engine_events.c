// SPDX-License-Identifier: MIT
/*
 * Unit tests for the daemon's logging helpers (src/daemon/log.c): the rate limiter's windows and
 * suppressed counts, and the RT event ring: pushing is RT-safe, a full ring counts drops instead
 * of blocking, and draining hands back every event in order.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "rt_guard.h"

static void test_ratelimit(void **state)
{
	struct aes67d_ratelimit rl = {.interval_ns = 1000000000u, .burst = 2};
	const uint64_t t0 = 5000000000u;
	uint32_t sup = 99;

	(void)state;
	assert_true(aes67d_ratelimit_allow(&rl, t0, &sup));
	assert_int_equal(sup, 0);
	assert_true(aes67d_ratelimit_allow(&rl, t0 + 1, &sup));
	assert_false(aes67d_ratelimit_allow(&rl, t0 + 2, &sup));
	assert_false(aes67d_ratelimit_allow(&rl, t0 + 999999999u, &sup));
	/* New window: allowed again, and told how many were dropped in the last one. */
	assert_true(aes67d_ratelimit_allow(&rl, t0 + 1000000000u, &sup));
	assert_int_equal(sup, 2);
	assert_true(aes67d_ratelimit_allow(&rl, t0 + 1000000001u, &sup));
	assert_int_equal(sup, 0);
}

static void test_event_names(void **state)
{
	(void)state;
	assert_string_equal(aes67d_event_name(AES67D_EV_TX_LATE), "tx-late");
	assert_string_equal(aes67d_event_name(AES67D_EV_RX_SEQ_GAP), "rx-sequence-gap");
	assert_string_equal(aes67d_event_name(AES67D_EV_END), "unknown");
	assert_string_equal(aes67d_event_name(UINT32_MAX), "unknown");
}

static void test_event_ring(void **state)
{
	static _Alignas(64) unsigned char buf[8 * sizeof(struct aes67d_event)];
	struct aes67d_events ev;
	struct aes67d_event e;
	int fails = 0;

	(void)state;
	assert_int_equal(aes67d_events_init(&ev, buf, sizeof(buf), 8), 0);
	rt_guard_enter(RT_GUARD_CORE);
	for (uint32_t i = 0; i < 10; i++) {
		fails += aes67d_events_push(&ev, AES67D_EV_RX_LATE, i, -(int64_t)i, 1000 + i) < 0;
	}
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(fails, 2);
	assert_int_equal(atomic_load(&ev.dropped), 2);
	/* The consumer sees the first 8 in order with their values. */
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(aes67d_cmdq_pop(&ev.q, &e, sizeof(e)), 0);
		assert_int_equal(e.code, AES67D_EV_RX_LATE);
		assert_int_equal(e.stream, i);
		assert_int_equal(e.value, -(int64_t)i);
		assert_int_equal(e.time_ns, 1000 + i);
	}
	/* Draining logs the other 5 (bounded by max) and resets the drop count. */
	aes67d_log_setup("test", AES67D_LOG_ERR, false); /* keep the test output quiet */
	assert_int_equal(aes67d_events_drain(&ev, 4), 4);
	assert_int_equal(aes67d_events_drain(&ev, 100), 1);
	assert_int_equal(aes67d_events_drain(&ev, 100), 0);
	assert_int_equal(atomic_load(&ev.dropped), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_event_names),
		cmocka_unit_test(test_event_ring),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
