// SPDX-License-Identifier: MIT
/*
 * Unit tests for aes67_strerror() and for the RT guard itself: the guard must catch what it claims
 * to catch, or every "RT-safe" test built on it would pass vacuously.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "rt_guard.h"

static void test_strerror_own_codes(void **state)
{
	(void)state;
	for (int e = AES67_E_BASE; e < AES67_E_END; e++) {
		const char *s = aes67_strerror(-e);
		assert_non_null(s);
		assert_string_not_equal(s, "unknown error");
	}
	assert_string_equal(aes67_strerror(-AES67_ETRUNCATED), "input truncated");
	assert_string_equal(aes67_strerror(AES67_ETRUNCATED), "input truncated");
}

static void test_strerror_errno(void **state)
{
	(void)state;
	assert_string_equal(aes67_strerror(-EINVAL), "invalid argument");
	assert_string_equal(aes67_strerror(0), "success");
	assert_string_equal(aes67_strerror(-123456), "unknown error");
	assert_string_equal(aes67_strerror(-AES67_E_END), "unknown error");
}

/* Kept out of line and behind a volatile pointer so the compiler cannot drop the allocation. */
static void *(*volatile alloc_fn)(size_t) = malloc;

static void test_guard_catches_malloc(void **state)
{
	(void)state;
	rt_guard_enter(RT_GUARD_RT);
	void *p = alloc_fn(16);
	unsigned n = rt_guard_leave();
	free(p);
	assert_int_equal(n, 1);
	assert_string_equal(rt_guard_first_violation(), "malloc");
}

static void test_guard_catches_lock_and_clock(void **state)
{
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	struct timespec ts;

	(void)state;
	rt_guard_enter(RT_GUARD_RT);
	pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
	/* In RT mode, reading a clock is allowed (the daemon's RT threads do). */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	assert_int_equal(rt_guard_leave(), 1);
	assert_string_equal(rt_guard_first_violation(), "pthread_mutex_lock");

	rt_guard_enter(RT_GUARD_CORE);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	assert_int_equal(rt_guard_leave(), 1);
	assert_string_equal(rt_guard_first_violation(), "clock_gettime");
}

static void test_guard_quiet_outside(void **state)
{
	(void)state;
	rt_guard_enter(RT_GUARD_CORE);
	assert_int_equal(rt_guard_leave(), 0);
	void *p = alloc_fn(8); /* outside the guard: not counted */
	free(p);
	rt_guard_enter(RT_GUARD_CORE);
	(void)aes67_strerror(-EINVAL);
	assert_int_equal(rt_guard_leave(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror_own_codes),
		cmocka_unit_test(test_strerror_errno),
		cmocka_unit_test(test_guard_catches_malloc),
		cmocka_unit_test(test_guard_catches_lock_and_clock),
		cmocka_unit_test(test_guard_quiet_outside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
