// SPDX-License-Identifier: MIT
/*
 * Unit tests for the clock page (include/aes67/clock_page.h): latch publication, refusal of
 * bad values, and the monotonic <-> PTP <-> media frame conversions, with hand-computed values
 * and with the inverse properties the ALSA plugin relies on to arm its timers (the instant
 * returned for a frame is the first one at which that frame has begun).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/clock_page.h"
#include "aes67/error.h"

/* 2023-11-14T22:13:57 TAI-ish, in ns since the PTP epoch. */
#define PTP_BASE 1700000037000000000ull
#define ADJ_2M20 ((int64_t)1 << 28) /* ratio - 1 = 2^-20, about 0.954 ppm */

static struct aes67_clock_values values(int64_t adj)
{
	struct aes67_clock_values v = {
		.base_mono_ns = 5000000000ull,
		.base_ptp_ns = PTP_BASE,
		.rate_adj_q48 = adj,
		.sample_rate = 48000,
		.state = AES67_CLOCK_LOCKED,
		.gm_identity = {0x00, 0x1d, 0xc1, 0xff, 0xfe, 0x12, 0x34, 0x56},
		.domain = 0,
		.locked = 1,
	};
	return v;
}

static void test_publish_and_read(void **state)
{
	struct aes67_clock_page page;
	struct aes67_clock_values v = values(-ADJ_2M20);
	struct aes67_clock_values got;

	(void)state;
	aes67_clock_page_init(&page);
	assert_int_equal(aes67_clock_page_read(&page, &got), -AES67_ENOTFOUND);

	v.domain = 127;
	assert_int_equal(aes67_clock_page_write(&page, &v), 0);
	assert_int_equal(aes67_clock_page_read(&page, &got), 0);
	assert_int_equal(got.base_mono_ns, v.base_mono_ns);
	assert_int_equal(got.base_ptp_ns, v.base_ptp_ns);
	assert_int_equal(got.rate_adj_q48, -ADJ_2M20);
	assert_int_equal(got.sample_rate, 48000);
	assert_int_equal(got.state, AES67_CLOCK_LOCKED);
	assert_memory_equal(got.gm_identity, v.gm_identity, 8);
	assert_int_equal(got.domain, 127);
	assert_int_equal(got.locked, 1);
	assert_int_equal(got.update_count, 1);

	v.state = AES67_CLOCK_HOLDOVER;
	v.locked = 0;
	assert_int_equal(aes67_clock_page_write(&page, &v), 0);
	assert_int_equal(aes67_clock_page_read(&page, &got), 0);
	assert_int_equal(got.update_count, 2);
	assert_int_equal(got.state, AES67_CLOCK_HOLDOVER);
	assert_int_equal(got.locked, 0);

	/* Refused values publish nothing. */
	v.sample_rate = 0;
	assert_int_equal(aes67_clock_page_write(&page, &v), -EINVAL);
	v.sample_rate = 48000;
	v.state = 4;
	assert_int_equal(aes67_clock_page_write(&page, &v), -EINVAL);
	v.state = AES67_CLOCK_LOCKED;
	v.rate_adj_q48 = AES67_CLOCK_ADJ_MAX_Q48 + 1;
	assert_int_equal(aes67_clock_page_write(&page, &v), -AES67_ERANGE);
	v.rate_adj_q48 = -AES67_CLOCK_ADJ_MAX_Q48 - 1;
	assert_int_equal(aes67_clock_page_write(&page, &v), -AES67_ERANGE);
	assert_int_equal(aes67_clock_page_read(&page, &got), 0);
	assert_int_equal(got.update_count, 2);

	/* A writer preempted inside an update never blocks readers (ABI 1's seqlock returned
	 * -EAGAIN until it ran again, and the engine's RT threads spun on that). In the first
	 * half (odd sequence, copy 0 half written) readers get the last values from copy 1; in
	 * the second (even, copy 1 half written) the new values from copy 0. */
	atomic_store(&page.seq, 5);
	atomic_store(&page.copies[0], 0xdeadull);
	atomic_store(&page.copies[5], 0xbeefull);
	assert_int_equal(aes67_clock_page_read(&page, &got), 0);
	assert_int_equal(got.base_mono_ns, v.base_mono_ns);
	assert_int_equal(got.update_count, 2);
	assert_int_equal(got.state, AES67_CLOCK_HOLDOVER);
	atomic_store(&page.seq, 6);
	atomic_store(&page.copies[0], v.base_mono_ns + 1);
	atomic_store(&page.copies[AES67_CLOCK_PAGE_WORDS], 0xdeadull);
	assert_int_equal(aes67_clock_page_read(&page, &got), 0);
	assert_int_equal(got.base_mono_ns, v.base_mono_ns + 1);
	assert_int_equal(got.sample_rate, 0xbeef);

	/* The first write not yet finished: nothing published. */
	aes67_clock_page_init(&page);
	atomic_store(&page.seq, 1);
	assert_int_equal(aes67_clock_page_read(&page, &got), -AES67_ENOTFOUND);
}

static void test_mono_to_ptp_exact(void **state)
{
	struct aes67_clock_values v = values(0);
	uint64_t t;

	(void)state;
	assert_int_equal(aes67_clock_page_mono_to_ptp(&v, 5000000000ull, &t), 0);
	assert_int_equal(t, PTP_BASE);
	assert_int_equal(aes67_clock_page_mono_to_ptp(&v, 6000000123ull, &t), 0);
	assert_int_equal(t, PTP_BASE + 1000000123ull);
	assert_int_equal(aes67_clock_page_mono_to_ptp(&v, 0, &t), 0);
	assert_int_equal(t, PTP_BASE - 5000000000ull);

	/* ratio 1 + 2^-20: 2^20 ns of monotonic time are 2^20 + 1 ns of PTP time. */
	v = values(ADJ_2M20);
	assert_int_equal(aes67_clock_page_mono_to_ptp(&v, 5000000000ull + (1u << 20), &t), 0);
	assert_int_equal(t, PTP_BASE + (1u << 20) + 1);
	assert_int_equal(aes67_clock_page_mono_to_ptp(&v, 5000000000ull + (1u << 20) - 1, &t), 0);
	assert_int_equal(t, PTP_BASE + (1u << 20) - 1);
	/* Before the base the floor goes down: -1 ns * (1 + 2^-20) floors to -2. */
	assert_int_equal(aes67_clock_page_mono_to_ptp(&v, 5000000000ull - 1, &t), 0);
	assert_int_equal(t, PTP_BASE - 2);
	assert_int_equal(aes67_clock_page_mono_to_ptp(&v, 5000000000ull - (1u << 20), &t), 0);
	assert_int_equal(t, PTP_BASE - (1u << 20) - 1);

	/* ratio 1 - 2^-20 */
	v = values(-ADJ_2M20);
	assert_int_equal(aes67_clock_page_mono_to_ptp(&v, 5000000000ull + (3u << 20), &t), 0);
	assert_int_equal(t, PTP_BASE + (3u << 20) - 3);
}

static void test_frames_exact(void **state)
{
	uint64_t f;
	uint64_t t;

	(void)state;
	/* 48 kHz: a frame lasts 20833.33 ns. */
	assert_int_equal(aes67_clock_page_ptp_to_frame(1000000000ull, 48000, &f), 0);
	assert_int_equal(f, 48000);
	assert_int_equal(aes67_clock_page_ptp_to_frame(1000020833ull, 48000, &f), 0);
	assert_int_equal(f, 48000);
	assert_int_equal(aes67_clock_page_ptp_to_frame(1000020834ull, 48000, &f), 0);
	assert_int_equal(f, 48001);
	assert_int_equal(aes67_clock_page_frame_to_ptp(48001, 48000, &t), 0);
	assert_int_equal(t, 1000020834ull);
	assert_int_equal(aes67_clock_page_frame_to_ptp(48000, 48000, &t), 0);
	assert_int_equal(t, 1000000000ull);
	/* 44.1 kHz at a realistic epoch: 1.7e9 s * 44100 exactly. */
	assert_int_equal(aes67_clock_page_ptp_to_frame(1700000000000000000ull, 44100, &f), 0);
	assert_int_equal(f, 74970000000000ull);
	/* The largest time still converts (no overflow thanks to 128-bit arithmetic). */
	assert_int_equal(aes67_clock_page_ptp_to_frame(UINT64_MAX, 384000, &f), 0);
	assert_int_equal(f, 7083549724304467ull);
	assert_int_equal(aes67_clock_page_frame_to_ptp(UINT64_MAX / 1000, 48000, &t),
			 -AES67_ERANGE);
	assert_int_equal(aes67_clock_page_ptp_to_frame(1, 0, &f), -EINVAL);
	assert_int_equal(aes67_clock_page_frame_to_ptp(1, 0, &t), -EINVAL);
}

static void test_ranges(void **state)
{
	struct aes67_clock_values v = values(0);
	uint64_t t;

	(void)state;
	v.base_ptp_ns = UINT64_MAX - 10;
	assert_int_equal(aes67_clock_page_mono_to_ptp(&v, 5000000010ull, &t), 0);
	assert_int_equal(t, UINT64_MAX);
	assert_int_equal(aes67_clock_page_mono_to_ptp(&v, 5000000011ull, &t), -AES67_ERANGE);
	v.base_ptp_ns = 100;
	assert_int_equal(aes67_clock_page_mono_to_ptp(&v, 5000000000ull - 101, &t), -AES67_ERANGE);
	v.rate_adj_q48 = AES67_CLOCK_ADJ_MAX_Q48 + 1;
	assert_int_equal(aes67_clock_page_mono_to_ptp(&v, 5000000000ull, &t), -AES67_ERANGE);
	assert_int_equal(aes67_clock_page_ptp_to_mono(&v, 100, &t), -AES67_ERANGE);
	v.rate_adj_q48 = 0;
	v.sample_rate = 0;
	assert_int_equal(aes67_clock_page_mono_to_frame(&v, 5000000000ull, &t), -EINVAL);
	assert_int_equal(aes67_clock_page_frame_to_mono(&v, 5, &t), -EINVAL);
}

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 11;
}

/* Inverse properties over many rates and instants, including the extreme adjustments. */
static void test_inverse_properties(void **state)
{
	static const int64_t adjs[] = {0,
				       1,
				       -1,
				       ADJ_2M20,
				       -ADJ_2M20,
				       281474977, /* ~1 ppm */
				       AES67_CLOCK_ADJ_MAX_Q48,
				       -AES67_CLOCK_ADJ_MAX_Q48};
	static const uint32_t rates[] = {44100, 48000, 96000, 384000};
	uint64_t seed = 42;

	(void)state;
	for (size_t a = 0; a < AES67_ARRAY_SIZE(adjs); a++) {
		struct aes67_clock_values v = values(adjs[a]);

		for (int i = 0; i < 500; i++) {
			uint64_t m = 5000000000ull - 1000000000ull + lcg(&seed) % 4000000000000ull;
			uint64_t p;
			uint64_t m2;
			uint64_t q;
			uint64_t f;
			uint64_t mf;

			v.sample_rate = rates[(size_t)i % AES67_ARRAY_SIZE(rates)];
			assert_int_equal(aes67_clock_page_mono_to_ptp(&v, m, &p), 0);
			assert_int_equal(aes67_clock_page_ptp_to_mono(&v, p, &m2), 0);
			assert_true(m2 <= m);
			assert_int_equal(aes67_clock_page_mono_to_ptp(&v, m2, &q), 0);
			assert_true(q >= p);
			assert_int_equal(aes67_clock_page_mono_to_ptp(&v, m2 - 1, &q), 0);
			assert_true(q < p);

			assert_int_equal(aes67_clock_page_mono_to_frame(&v, m, &f), 0);
			assert_int_equal(aes67_clock_page_frame_to_mono(&v, f, &mf), 0);
			assert_true(mf <= m);
			assert_int_equal(aes67_clock_page_mono_to_frame(&v, mf, &q), 0);
			assert_int_equal(q, f);
			assert_int_equal(aes67_clock_page_mono_to_frame(&v, mf - 1, &q), 0);
			assert_int_equal(q, f - 1);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publish_and_read),   cmocka_unit_test(test_mono_to_ptp_exact),
		cmocka_unit_test(test_frames_exact),	   cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_inverse_properties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
