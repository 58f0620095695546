// SPDX-License-Identifier: MIT
/*
 * Unit tests of the daemon's PTP media clock (src/engine/ptp_clock.c) and of the kernel
 * timestamp conversion (ptp_tsconv.c): the seqlock publish/read round trip, the grandmaster
 * generation rule that triggers SDP re-announcement, now_ns() following the published mapping,
 * publish/read being free of allocation, locks and logging (RT guard), and a reader thread that
 * never sees a torn mapping while the writer publishes.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ptp_clock.h"
#include "ptp_tsconv.h"
#include "rt_guard.h"

#define S 1000000000LL

static const uint8_t gm_a[8] = {0x00, 0x1d, 0xc1, 0xff, 0xfe, 0x10, 0x20, 0x01};
static const uint8_t gm_b[8] = {0x00, 0x1d, 0xc1, 0xff, 0xfe, 0x10, 0x20, 0x02};

static struct aes67d_clock_map map_at(uint64_t mono, uint64_t ptp, double ratio)
{
	struct aes67d_clock_map m = {.mono_raw_ref_ns = mono,
				     .ptp_ref_ns = ptp,
				     .rate_ratio = ratio,
				     .uncertainty_ns = 7};

	return m;
}

static void test_publish_read(void **state)
{
	struct aes67d_ptp_clock *c = NULL;
	struct aes67d_clock_map m0 = map_at(5 * S, 1700000000 * S, 1.0), m;
	struct aes67d_clock_ref ref = {0}, got;
	struct aes67d_clock *base;

	(void)state;
	assert_int_equal(aes67d_ptp_clock_create(&c, &m0, 3), 0);
	base = aes67d_ptp_clock_base(c);
	assert_int_equal(base->kind, AES67D_CLOCK_PTP);
	assert_string_equal(base->name, "ptp");
	assert_int_equal(base->get_ref(base, &got), 0);
	assert_false(got.gm_valid);
	assert_int_equal(got.domain, 3);
	assert_int_equal(got.generation, 0);

	ref.gm_valid = true;
	ref.locked = true;
	ref.domain = 3;
	memcpy(ref.gm_identity, gm_a, 8);
	m0 = map_at(6 * S, 1700000001 * S + 17, 1.0 + 12.5e-6);
	rt_guard_enter(RT_GUARD_CORE);
	assert_int_equal(aes67d_ptp_clock_publish(c, &m0, &ref), 1);
	assert_int_equal(aes67d_ptp_clock_read(c, &m, &got), 0);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(m.mono_raw_ref_ns, 6 * S);
	assert_int_equal(m.ptp_ref_ns, 1700000001 * S + 17);
	assert_true(m.rate_ratio == 1.0 + 12.5e-6);
	assert_int_equal(m.uncertainty_ns, 7);
	assert_true(got.gm_valid);
	assert_true(got.locked);
	assert_memory_equal(got.gm_identity, gm_a, 8);
	assert_int_equal(got.generation, 1);

	/* Same grandmaster, new mapping / lock state: no re-announcement. */
	ref.locked = false;
	assert_int_equal(aes67d_ptp_clock_publish(c, &m0, &ref), 0);
	assert_int_equal(base->get_ref(base, &got), 0);
	assert_int_equal(got.generation, 1);
	assert_false(got.locked);
	/* Another grandmaster, then another domain: each bumps the generation. */
	memcpy(ref.gm_identity, gm_b, 8);
	assert_int_equal(aes67d_ptp_clock_publish(c, &m0, &ref), 1);
	ref.domain = 4;
	assert_int_equal(aes67d_ptp_clock_publish(c, &m0, &ref), 1);
	assert_int_equal(base->get_ref(base, &got), 0);
	assert_int_equal(got.generation, 3);
	assert_int_equal(got.domain, 4);
	assert_memory_equal(got.gm_identity, gm_b, 8);
	base->destroy(base);
}

static uint64_t mono_raw(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * (uint64_t)S + (uint64_t)ts.tv_nsec;
}

static void test_now_follows_map(void **state)
{
	struct aes67d_ptp_clock *c = NULL;
	uint64_t t0 = mono_raw();
	struct aes67d_clock_map m = map_at(t0, 1800000000 * S, 1.0);
	struct aes67d_clock_ref ref = {.domain = 0};
	struct aes67d_clock *base;
	uint64_t now = 0, t1;

	(void)state;
	assert_int_equal(aes67d_ptp_clock_create(&c, &m, 0), 0);
	base = aes67d_ptp_clock_base(c);
	assert_int_equal(base->now_ns(base, &now), 0);
	t1 = mono_raw();
	assert_true(now >= 1800000000 * S && now <= 1800000000 * S + (t1 - t0));
	/* A mapping 100 ppm fast, anchored 1 s ago: now = ref + elapsed * 1.0001. */
	m = map_at(t1 - (uint64_t)S, 1900000000 * S, 1.0001);
	(void)aes67d_ptp_clock_publish(c, &m, &ref);
	assert_int_equal(base->now_ns(base, &now), 0);
	assert_true(now >= 1900000000 * S + (uint64_t)S + 100000);
	assert_true(now < 1900000000 * S + 2 * (uint64_t)S);
	assert_int_equal(base->get_map(base, &m), 0);
	assert_int_equal(m.ptp_ref_ns, 1900000000 * S);
	base->destroy(base);
}

/* Writer publishes mappings with ptp_ref = 3 * mono_ref and ratio = 1 + mono_ref; a torn read
 * would break one of the two relations. */
static struct aes67d_ptp_clock *torn_clock;
static atomic_bool torn_stop;

static void *reader(void *arg)
{
	unsigned long *bad = arg;

	while (!atomic_load(&torn_stop)) {
		struct aes67d_clock_map m;

		if (aes67d_ptp_clock_read(torn_clock, &m, NULL) == 0 &&
		    (m.ptp_ref_ns != 3 * m.mono_raw_ref_ns ||
		     m.rate_ratio != 1.0 + (double)m.mono_raw_ref_ns)) {
			(*bad)++;
		}
	}
	return NULL;
}

static void test_no_torn_reads(void **state)
{
	struct aes67d_clock_map m = map_at(1, 3, 2.0);
	struct aes67d_clock_ref ref = {0};
	unsigned long bad = 0;
	pthread_t th;

	(void)state;
	assert_int_equal(aes67d_ptp_clock_create(&torn_clock, &m, 0), 0);
	atomic_store(&torn_stop, false);
	assert_int_equal(pthread_create(&th, NULL, reader, &bad), 0);
	for (uint64_t i = 2; i < 200000; i++) {
		m = map_at(i, 3 * i, 1.0 + (double)i);
		(void)aes67d_ptp_clock_publish(torn_clock, &m, &ref);
	}
	atomic_store(&torn_stop, true);
	pthread_join(th, NULL);
	assert_int_equal(bad, 0);
	aes67d_ptp_clock_base(torn_clock)->destroy(aes67d_ptp_clock_base(torn_clock));
}

static void test_tsconv(void **state)
{
	struct aes67d_ptp_tsconv c = {.raw_ns = 1000 * S, .src_ns = 1700000000 * S, .width_ns = 40};
	struct timespec rt;
	int64_t rt_ns, raw;

	(void)state;
	assert_int_equal(aes67d_ptp_tsconv_to_raw(&c, 1700000000 * S), 1000 * S);
	assert_int_equal(aes67d_ptp_tsconv_to_raw(&c, 1700000000 * S - 12345), 1000 * S - 12345);
	assert_int_equal(aes67d_ptp_tsconv_to_raw(&c, 1700000001 * S), 1001 * S);
	/* A real pairing: a realtime instant just read converts to a raw time inside [a, b]. */
	clock_gettime(CLOCK_REALTIME, &rt);
	rt_ns = (int64_t)rt.tv_sec * S + rt.tv_nsec;
	assert_int_equal(aes67d_ptp_tsconv_sample(&c), 0);
	assert_true(c.width_ns >= 0 && c.width_ns < 1000000);
	raw = aes67d_ptp_tsconv_to_raw(&c, rt_ns);
	assert_true(raw <= c.raw_ns + c.width_ns);
	assert_true(raw > c.raw_ns - 1000000);
}

static void test_create_refuses_null(void **state)
{
	struct aes67d_ptp_clock *c = NULL;
	struct aes67d_clock_map m = map_at(0, 0, 1.0);

	(void)state;
	assert_int_equal(aes67d_ptp_clock_create(NULL, &m, 0), -EINVAL);
	assert_int_equal(aes67d_ptp_clock_create(&c, NULL, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publish_read),	    cmocka_unit_test(test_now_follows_map),
		cmocka_unit_test(test_no_torn_reads),	    cmocka_unit_test(test_tsconv),
		cmocka_unit_test(test_create_refuses_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
