// SPDX-License-Identifier: MIT
/*
 * Unit tests for the ring module's data path, single-threaded: writes and reads by absolute
 * position (slot wrap, reordered writes, missing frames as silence, lapped frames refused and a
 * skipped packet of a later lap never read as the earlier lap's audio), restamping a lap, bad
 * arguments, daemon liveness, exclusive playback ownership, and the RT guard over every AES67_RT
 * function.
 * The layout/ABI checks are in test_ring_abi.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "aes67/ring.h"
#include "ring_fixture.h"
#include "rt_guard.h"

static const struct aes67_ring_geometry geo_small = {48000, 2, 2, 64, AES67_RING_FORMAT_S32};

static int32_t pattern(uint64_t pos, uint32_t ch)
{
	uint32_t v = (uint32_t)(pos * 2654435761u) ^ (ch * 40503u);

	return (int32_t)((v & 0xffffffu) << 8);
}

static void fill_pattern(int32_t *buf, uint64_t pos, uint32_t n, uint32_t channels)
{
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t c = 0; c < channels; c++) {
			buf[i * channels + c] = pattern(pos + i, c);
		}
	}
}

static void expect_pattern(const int32_t *buf, uint64_t pos, uint32_t n, uint32_t channels)
{
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t c = 0; c < channels; c++) {
			assert_int_equal(buf[i * channels + c], pattern(pos + i, c));
		}
	}
}

static void expect_silence(const int32_t *buf, uint32_t n, uint32_t channels)
{
	for (uint32_t i = 0; i < n * channels; i++) {
		assert_int_equal(buf[i], 0);
	}
}

static void test_write_read_by_position(void **state)
{
	struct ring_fixture f;
	struct aes67_ring_read_stats st;
	int32_t in[64 * 2];
	int32_t out[64 * 2];
	const struct aes67_ring_dir *d;
	const uint64_t base = 48000ull * 1700000000ull; /* a realistic media position */

	(void)state;
	ring_fixture_make(&f, &geo_small);
	d = &f.ring.capture;
	assert_int_equal(aes67_ring_write_pos(d), 0);

	/* Across the slot wrap: base is a multiple of 64, so base + 60 .. base + 71 wraps. */
	fill_pattern(in, base + 60, 12, 2);
	assert_int_equal(aes67_ring_write(d, base + 60, in, 12), 12);
	assert_int_equal(aes67_ring_write_pos(d), base + 72);
	assert_int_equal(aes67_ring_read(d, base + 60, out, 12, &st), 12);
	assert_int_equal(st.valid_frames, 12);
	assert_int_equal(st.missing_frames, 0);
	assert_int_equal(st.lapped_frames, 0);
	expect_pattern(out, base + 60, 12, 2);
	assert_int_equal(aes67_ring_fill(d, base + 60), 12);
	assert_int_equal(aes67_ring_fill(d, base + 80), -8);

	/* A read spanning written and never-written positions: the rest is silence. */
	memset(out, 0x55, sizeof(out));
	assert_int_equal(aes67_ring_read(d, base + 56, out, 20, &st), 12);
	assert_int_equal(st.missing_frames, 8);
	expect_silence(out, 4, 2);
	expect_pattern(out + 4 * 2, base + 60, 12, 2);
	expect_silence(out + 16 * 2, 4, 2);

	/* Reordered write at an earlier position lands in place; write_pos does not go back. */
	fill_pattern(in, base + 40, 8, 2);
	assert_int_equal(aes67_ring_write(d, base + 40, in, 8), 8);
	assert_int_equal(aes67_ring_write_pos(d), base + 72);
	assert_int_equal(aes67_ring_read(d, base + 40, out, 8, NULL), 8);
	expect_pattern(out, base + 40, 8, 2);

	/* Playback direction is independent. */
	assert_int_equal(aes67_ring_read(&f.ring.play, base + 60, out, 4, &st), 0);
	assert_int_equal(st.missing_frames, 4);
	aes67_ring_set_read_pos(&f.ring.play, 77);
	assert_int_equal(aes67_ring_read_pos(&f.ring.play), 77);
	ring_fixture_free(&f);
}

static void test_lapped_and_stale_lap(void **state)
{
	struct ring_fixture f;
	struct aes67_ring_read_stats st;
	int32_t in[64 * 2];
	int32_t out[64 * 2];
	const struct aes67_ring_dir *d;

	(void)state;
	ring_fixture_make(&f, &geo_small);
	d = &f.ring.capture;

	/* Lap 1: positions 0..63, all of it. */
	fill_pattern(in, 0, 64, 2);
	assert_int_equal(aes67_ring_write(d, 0, in, 64), 64);
	/* Lap 2 with a gap: 64..79 and 96..127 written, 80..95 never arrives. */
	fill_pattern(in, 64, 16, 2);
	assert_int_equal(aes67_ring_write(d, 64, in, 16), 16);
	fill_pattern(in, 96, 32, 2);
	assert_int_equal(aes67_ring_write(d, 96, in, 32), 32);

	/* Reading lap 2: the gap is silence, never lap 1's frames 16..31. */
	memset(out, 0x55, sizeof(out));
	assert_int_equal(aes67_ring_read(d, 64, out, 64, &st), 48);
	assert_int_equal(st.valid_frames, 48);
	assert_int_equal(st.missing_frames, 16);
	assert_int_equal(st.lapped_frames, 0);
	expect_pattern(out, 64, 16, 2);
	expect_silence(out + 16 * 2, 16, 2);
	expect_pattern(out + 32 * 2, 96, 32, 2);

	/* A reader still at lap 1: the overwritten frames are refused, the gap's are still lap 1.
	 */
	memset(out, 0x55, sizeof(out));
	assert_int_equal(aes67_ring_read(d, 0, out, 64, &st), -AES67_ESTALE);
	assert_int_equal(st.lapped_frames, 48);
	assert_int_equal(st.valid_frames, 16);
	expect_silence(out, 16, 2);
	expect_pattern(out + 16 * 2, 16, 16, 2);
	expect_silence(out + 32 * 2, 32, 2);
	ring_fixture_free(&f);
}

/* Restamping a lap: the new positions read as the slots' samples (here: the earlier lap's
 * silence and, where the writer broke its own rule, the earlier lap's audio, which shows that
 * only stamps move), the earlier lap reads as lapped, write_pos advances; bad spans refused. */
static void test_restamp(void **state)
{
	struct ring_fixture f;
	struct aes67_ring_read_stats st;
	int32_t in[64 * 2];
	int32_t out[64 * 2];
	const struct aes67_ring_dir *d;

	(void)state;
	ring_fixture_make(&f, &geo_small);
	d = &f.ring.capture;
	memset(in, 0, sizeof(in));
	assert_int_equal(aes67_ring_write(d, 1000, in, 48), 48);
	fill_pattern(in, 1048, 16, 2);
	assert_int_equal(aes67_ring_write(d, 1048, in, 16), 16);
	assert_int_equal(aes67_ring_restamp(d, 1064, 40), 40);
	assert_int_equal(aes67_ring_write_pos(d), 1104);
	memset(out, 0x55, sizeof(out));
	assert_int_equal(aes67_ring_read(d, 1064, out, 40, &st), 40);
	assert_int_equal(st.valid_frames, 40);
	expect_silence(out, 40, 2);
	/* Slots of 1048..1063 still hold 1048's lap: restamped, they read as that audio. */
	assert_int_equal(aes67_ring_restamp(d, 1112, 16), 16);
	assert_int_equal(aes67_ring_read(d, 1112, out, 16, &st), 16);
	expect_pattern(out, 1048, 16, 2);
	assert_int_equal(aes67_ring_read(d, 1000, out, 8, &st), -AES67_ESTALE);
	assert_int_equal(st.lapped_frames, 8);
	/* A position never written or restamped (1104..1111) is still missing. */
	assert_int_equal(aes67_ring_read(d, 1104, out, 8, &st), 0);
	assert_int_equal(st.missing_frames, 8);
	assert_int_equal(aes67_ring_restamp(d, 0, 0), -EINVAL);
	assert_int_equal(aes67_ring_restamp(d, 0, 65), -EINVAL);
	assert_int_equal(aes67_ring_restamp(d, AES67_RING_POS_LIMIT, 1), -AES67_ERANGE);
	ring_fixture_free(&f);
}

static void test_bad_arguments(void **state)
{
	static const struct aes67_ring_geometry play_only = {48000, 2, 0, 64,
							     AES67_RING_FORMAT_S32};
	struct ring_fixture f;
	int32_t buf[65 * 2] = {0};

	(void)state;
	ring_fixture_make(&f, &play_only);
	assert_int_equal(aes67_ring_write(&f.ring.capture, 0, buf, 1), -EINVAL);
	assert_int_equal(aes67_ring_read(&f.ring.capture, 0, buf, 1, NULL), -EINVAL);
	assert_int_equal(aes67_ring_write_pos(&f.ring.capture), 0);
	assert_int_equal(aes67_ring_write(&f.ring.play, 0, buf, 0), -EINVAL);
	assert_int_equal(aes67_ring_write(&f.ring.play, 0, buf, 65), -EINVAL);
	assert_int_equal(aes67_ring_read(&f.ring.play, 0, buf, 65, NULL), -EINVAL);
	assert_int_equal(aes67_ring_write(&f.ring.play, AES67_RING_POS_LIMIT, buf, 1),
			 -AES67_ERANGE);
	assert_int_equal(aes67_ring_write(&f.ring.play, AES67_RING_POS_LIMIT - 1, buf, 2),
			 -AES67_ERANGE);
	assert_int_equal(aes67_ring_read(&f.ring.play, UINT64_MAX - 1, buf, 1, NULL),
			 -AES67_ERANGE);
	assert_int_equal(aes67_ring_write(&f.ring.play, AES67_RING_POS_LIMIT - 1, buf, 1), 1);
	ring_fixture_free(&f);
}

static void test_owner(void **state)
{
	struct ring_fixture f;

	(void)state;
	ring_fixture_make(&f, &geo_small);
	assert_int_equal(aes67_ring_owner_acquire(&f.ring, 0), -EINVAL);
	assert_int_equal(aes67_ring_owner_acquire(&f.ring, 100), 0);
	assert_int_equal(aes67_ring_owner_acquire(&f.ring, 100), 0);
	assert_int_equal(aes67_ring_owner_acquire(&f.ring, 200), -EBUSY);
	assert_int_equal(aes67_ring_owner_release(&f.ring, 200), -EPERM);
	assert_int_equal(aes67_ring_owner_release(&f.ring, 0), -EPERM);
	assert_int_equal(aes67_ring_owner_release(&f.ring, 100), 0);
	assert_int_equal(aes67_ring_owner_release(&f.ring, 100), -EPERM);
	assert_int_equal(aes67_ring_owner_acquire(&f.ring, 200), 0);
	assert_int_equal(aes67_ring_owner_reclaim(&f.ring, 100), -EPERM);
	assert_int_equal(aes67_ring_owner_reclaim(&f.ring, 200), 0);
	assert_int_equal(aes67_ring_owner_acquire(&f.ring, 300), 0);
	ring_fixture_free(&f);
}

static void test_liveness(void **state)
{
	struct ring_fixture f;
	uint64_t gen;
	const char *why = NULL;

	(void)state;
	ring_fixture_make(&f, &geo_small);
	gen = aes67_ring_generation(&f.ring);
	assert_int_equal(gen, 0x1234);
	aes67_ring_heartbeat(&f.ring, 5000000000ull);
	assert_int_equal(aes67_ring_alive(&f.ring, gen, 5000000000ull, 100000000), 1);
	assert_int_equal(aes67_ring_alive(&f.ring, gen, 5100000000ull, 100000000), 1);
	assert_int_equal(aes67_ring_alive(&f.ring, gen, 5100000001ull, 100000000), 0);
	assert_int_equal(aes67_ring_alive(&f.ring, gen, 4000000000ull, 100000000), 1);
	assert_int_equal(aes67_ring_alive(&f.ring, gen + 1, 5000000000ull, 100000000), 0);
	/* A daemon restart re-initialises with a new generation: the old token is dead. */
	assert_int_equal(aes67_ring_init(f.mem, f.bytes, &geo_small, 0x5678), 0);
	assert_int_equal(aes67_ring_attach(f.mem, f.bytes, &f.ring, &why), 0);
	aes67_ring_heartbeat(&f.ring, 6000000000ull);
	assert_int_equal(aes67_ring_alive(&f.ring, gen, 6000000000ull, 100000000), 0);
	assert_int_equal(aes67_ring_alive(&f.ring, 0x5678, 6000000000ull, 100000000), 1);
	aes67_ring_close(&f.ring);
	assert_int_equal(aes67_ring_generation(&f.ring), 0);
	assert_int_equal(aes67_ring_alive(&f.ring, 0x5678, 6000000000ull, 100000000), 0);
	ring_fixture_free(&f);
}

static void test_rt_paths_are_clean(void **state)
{
	static const struct aes67_ring_geometry geo = {48000, 8, 8, 1024, AES67_RING_FORMAT_S32};
	struct ring_fixture f;
	struct aes67_ring_read_stats st;
	struct aes67_clock_values v = {.base_mono_ns = 1000,
				       .base_ptp_ns = 37000000000ull,
				       .rate_adj_q48 = 12345,
				       .sample_rate = 48000,
				       .state = AES67_CLOCK_LOCKED};
	static int32_t in[256 * 8];
	static int32_t out[256 * 8];
	uint64_t x = 0;
	int r = 0;

	(void)state;
	ring_fixture_make(&f, &geo);
	fill_pattern(in, 1000, 256, 8);
	rt_guard_enter(RT_GUARD_CORE);
	r |= aes67_ring_write(&f.ring.capture, 1000, in, 256) != 256;
	r |= aes67_ring_read(&f.ring.capture, 1000, out, 256, &st) != 256;
	r |= aes67_ring_read(&f.ring.capture, 1000 + 1024, out, 256, &st) != 0;
	r |= aes67_ring_read(&f.ring.capture, 5000, out, 256, &st) != 0;
	r |= aes67_ring_restamp(&f.ring.capture, 1000 + 1024, 256) != 256;
	r |= aes67_ring_write(&f.ring.play, 0, in, 256) != 256;
	r |= aes67_ring_read(&f.ring.play, 0, out, 256, &st) != 256;
	aes67_ring_set_read_pos(&f.ring.play, 256);
	x += aes67_ring_read_pos(&f.ring.play) + aes67_ring_write_pos(&f.ring.play);
	x += (uint64_t)aes67_ring_fill(&f.ring.play, 100);
	aes67_ring_heartbeat(&f.ring, 42);
	r |= aes67_ring_alive(&f.ring, 0x1234, 43, 10) != 1;
	x += aes67_ring_generation(&f.ring);
	r |= aes67_clock_page_write(f.ring.clock, &v) != 0;
	r |= aes67_clock_page_read(f.ring.clock, &v) != 0;
	r |= aes67_clock_page_mono_to_frame(&v, 123456789, &x) != 0;
	r |= aes67_clock_page_frame_to_mono(&v, x, &x) != 0;
	r |= aes67_clock_page_mono_to_ptp(&v, 5, &x) != 0;
	r |= aes67_clock_page_ptp_to_mono(&v, 37000000000ull, &x) != 0;
	r |= aes67_clock_page_ptp_to_frame(x, 48000, &x) != 0;
	r |= aes67_clock_page_frame_to_ptp(x, 48000, &x) != 0;
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(r, 0);
	expect_pattern(out, 1000, 256, 8);
	ring_fixture_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_read_by_position),
		cmocka_unit_test(test_lapped_and_stale_lap),
		cmocka_unit_test(test_restamp),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_liveness),
		cmocka_unit_test(test_rt_paths_are_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
