// SPDX-License-Identifier: MIT
/*
 * Unit tests for the daemon's media clock interface (src/daemon/clock.c): the CLOCK_TAI sanity
 * rule, the system back end's "now" and its MONOTONIC_RAW mapping agreeing with each other, and
 * "now" being RT-safe (clock reads are allowed on RT threads; allocation/locking is not).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "clock.h"
#include "rt_guard.h"

#define S 1000000000LL

static void test_tai_offset_rule(void **state)
{
	int64_t corr = -1;

	(void)state;
	assert_int_equal(aes67d_clock_check_tai_offset(0, &corr), AES67D_TAI_KERNEL_ZERO);
	assert_int_equal(corr, 37 * S);
	assert_int_equal(aes67d_clock_check_tai_offset(2000, &corr), AES67D_TAI_KERNEL_ZERO);
	assert_int_equal(aes67d_clock_check_tai_offset(37 * S + 150, &corr), AES67D_TAI_KERNEL_SET);
	assert_int_equal(corr, 0);
	assert_int_equal(aes67d_clock_check_tai_offset(10 * S - 300, &corr), AES67D_TAI_KERNEL_SET);
	assert_int_equal(aes67d_clock_check_tai_offset(5 * S, &corr), -AES67_ERANGE);
	assert_int_equal(aes67d_clock_check_tai_offset(37 * S + S / 2, &corr), -AES67_ERANGE);
	assert_int_equal(aes67d_clock_check_tai_offset(-S, &corr), -AES67_ERANGE);
	assert_int_equal(aes67d_clock_check_tai_offset(-5 * S / 1000, &corr), -AES67_ERANGE);
	assert_int_equal(aes67d_clock_check_tai_offset(101 * S, &corr), -AES67_ERANGE);
}

static void test_map_apply(void **state)
{
	struct aes67d_clock_map m = {
		.mono_raw_ref_ns = 1000 * S, .ptp_ref_ns = 2000 * S, .rate_ratio = 1.0};

	(void)state;
	assert_int_equal(aes67d_clock_map_apply(&m, 1000 * S + 5), 2000 * S + 5);
	assert_int_equal(aes67d_clock_map_apply(&m, 1000 * S - 5), 2000 * S - 5);
	m.rate_ratio = 1.0 + 100e-6; /* +100 ppm: 1 s of raw time is 1.0001 s of PTP time */
	assert_int_equal(aes67d_clock_map_apply(&m, 1001 * S), 2001 * S + 100000);
}

static void test_system_clock(void **state)
{
	struct aes67d_clock *clk = NULL;
	struct aes67d_clock_map m;
	struct timespec raw, rt;
	uint64_t now = 0, now2 = 0, mapped;
	int status = -1;

	(void)state;
	assert_int_equal(aes67d_clock_system_create(&clk, &status), 0);
	assert_string_equal(clk->name, "system-tai");
	assert_int_equal(clk->kind, AES67D_CLOCK_LOCALMAC);
	assert_true(status == AES67D_TAI_KERNEL_ZERO || status == AES67D_TAI_KERNEL_SET);

	rt_guard_enter(RT_GUARD_RT);
	assert_int_equal(clk->now_ns(clk, &now), 0);
	assert_int_equal(clk->now_ns(clk, &now2), 0);
	assert_int_equal(rt_guard_leave(), 0);
	assert_true(now2 >= now);

	/* PTP time is TAI: REALTIME (UTC) + 10..100 s. */
	clock_gettime(CLOCK_REALTIME, &rt);
	int64_t ahead = (int64_t)now - ((int64_t)rt.tv_sec * S + rt.tv_nsec);
	assert_true(ahead > 9 * S && ahead < 101 * S);

	assert_int_equal(clk->get_map(clk, &m), 0);
	assert_true(m.rate_ratio == 1.0);
	assert_true(m.uncertainty_ns < 10000000);
	clock_gettime(CLOCK_MONOTONIC_RAW, &raw);
	assert_int_equal(clk->now_ns(clk, &now), 0);
	mapped = aes67d_clock_map_apply(&m, (uint64_t)raw.tv_sec * S + (uint64_t)raw.tv_nsec);
	/* Same instant both ways, within a generous 5 ms on a loaded machine. */
	assert_true((int64_t)(now - mapped) < 5000000 && (int64_t)(mapped - now) < 5000000);
	clk->destroy(clk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tai_offset_rule),
		cmocka_unit_test(test_map_apply),
		cmocka_unit_test(test_system_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
