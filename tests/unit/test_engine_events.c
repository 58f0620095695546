// SPDX-License-Identifier: MIT
/*
 * Unit tests for the daemon's logging helpers (src/daemon/log.c): the rate limiter's windows and
 * suppressed counts, and the RT event ring: pushing is RT-safe, a full ring counts drops instead
 * of blocking, and draining hands back every event in order, each line at its event's level.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* Drains EV with the log at MAX_LEVEL into a temporary stderr; returns what was written. */
static void drain_to_text(struct aes67d_events *ev, enum aes67d_log_level max_level, char *out,
			  size_t out_bytes)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	aes67d_log_setup("test", max_level, false);
	aes67d_events_drain(ev, 100);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, out_bytes - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

/* Anchoring a stream on its first packet or on the sender's timestamps is a notice; a late
 * packet or a re-anchoring on two candidates is a warning. */
static void test_event_levels(void **state)
{
	static _Alignas(64) unsigned char buf[8 * sizeof(struct aes67d_event)];
	struct aes67d_events ev;
	char text[1024];

	(void)state;
	assert_int_equal(aes67d_events_init(&ev, buf, sizeof(buf), 8), 0);
	assert_int_equal(aes67d_events_push(&ev, AES67D_EV_RX_RESYNC_FIRST, 0, 5, 1), 0);
	assert_int_equal(aes67d_events_push(&ev, AES67D_EV_RX_RESYNC_ZERO, 0, 6, 2), 0);
	assert_int_equal(aes67d_events_push(&ev, AES67D_EV_RX_RESYNC_PAIR, 0, 7, 3), 0);
	assert_int_equal(aes67d_events_push(&ev, AES67D_EV_RX_LATE, 1, 8, 4), 0);
	drain_to_text(&ev, AES67D_LOG_NOTICE, text, sizeof(text));
	assert_non_null(
		strstr(text, "test: notice: event rx-resync-first-packet stream 0 value 5"));
	assert_non_null(
		strstr(text, "test: notice: event rx-resync-to-sender-clock stream 0 value 6"));
	assert_non_null(
		strstr(text, "test: warning: event rx-resync-two-candidates stream 0 value 7"));
	assert_non_null(strstr(text, "test: warning: event rx-late stream 1 value 8"));
	/* At level warning the notices are not written, the warnings are. */
	assert_int_equal(aes67d_events_push(&ev, AES67D_EV_RX_RESYNC_FIRST, 0, 5, 1), 0);
	assert_int_equal(aes67d_events_push(&ev, AES67D_EV_RX_LATE, 1, 8, 4), 0);
	drain_to_text(&ev, AES67D_LOG_WARNING, text, sizeof(text));
	assert_null(strstr(text, "rx-resync-first-packet"));
	assert_non_null(strstr(text, "test: warning: event rx-late stream 1 value 8"));
	aes67d_log_setup("test", AES67D_LOG_ERR, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_event_names),
		cmocka_unit_test(test_event_ring),
		cmocka_unit_test(test_event_levels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
