// SPDX-License-Identifier: MIT
/*
 * Unit tests for the timeline (receive playout buffer): placement by position, every counter's
 * definition (late, too early, duplicate, reordered, lost frames and runs, skipped), silence for
 * lost packets even when the slot holds audio from an earlier lap, channel ranges, a stream whose
 * 32-bit RTP timestamps wrap (bit-exact output across the wrap, with reordering), and
 * the RT guard over the data path, and a seeded random comparison with a frame-by-frame model.
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
#include "aes67/timeline.h"
#include "rt_guard.h"

struct fixture {
	void *mem;
	struct aes67_timeline *tl;
	uint32_t channels;
};

static void make(struct fixture *f, uint32_t channels, uint32_t capacity, uint64_t start)
{
	struct aes67_timeline_config cfg = {channels, capacity};
	size_t bytes;

	assert_int_equal(aes67_timeline_get_size(&cfg, &bytes), 0);
	f->mem = aligned_alloc(64, bytes);
	assert_non_null(f->mem);
	memset(f->mem, 0x5a, bytes);
	assert_int_equal(aes67_timeline_init(f->mem, bytes, &cfg, start, &f->tl), 0);
	f->channels = channels;
}

static int32_t pattern(uint64_t pos, uint32_t ch)
{
	uint32_t v = (uint32_t)(pos * 2654435761u) ^ (ch * 40503u);

	return (int32_t)(((v & 0xffffffu) | 1u) << 8);
}

/* Write one packet of n frames x channels of the pattern at pos. */
static int put(struct fixture *f, uint64_t pos, uint32_t n)
{
	int32_t buf[256 * 8];

	assert_true(n * f->channels <= AES67_ARRAY_SIZE(buf));
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t c = 0; c < f->channels; c++) {
			buf[i * f->channels + c] = pattern(pos + i, c);
		}
	}
	return aes67_timeline_write(f->tl, pos, buf, n, f->channels, 0);
}

static void expect_frames(const int32_t *buf, uint32_t channels, uint64_t pos, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t c = 0; c < channels; c++) {
			assert_int_equal(buf[i * channels + c], pattern(pos + i, c));
		}
	}
}

static void expect_zero(const int32_t *buf, uint32_t samples)
{
	for (uint32_t i = 0; i < samples; i++) {
		assert_int_equal(buf[i], 0);
	}
}

static struct aes67_timeline_stats stats(struct fixture *f)
{
	struct aes67_timeline_stats s;

	aes67_timeline_get_stats(f->tl, &s);
	return s;
}

static void test_in_order(void **state)
{
	struct fixture f;
	int32_t out[96 * 2];
	struct aes67_timeline_stats s;

	(void)state;
	make(&f, 2, 256, 1000);
	assert_int_equal(aes67_timeline_fill(f.tl), 0);
	assert_int_equal(put(&f, 1000, 48), 48);
	assert_int_equal(put(&f, 1048, 48), 48);
	assert_int_equal(aes67_timeline_fill(f.tl), 96);
	assert_int_equal(aes67_timeline_read(f.tl, 1000, out, 96), 96);
	expect_frames(out, 2, 1000, 96);
	assert_int_equal(aes67_timeline_read_pos(f.tl), 1096);
	assert_int_equal(aes67_timeline_fill(f.tl), 0);
	/* Reading ahead of everything received: negative fill, silence, counted lost. */
	assert_int_equal(aes67_timeline_read(f.tl, 1096, out, 16), 0);
	assert_int_equal(aes67_timeline_fill(f.tl), -16);
	s = stats(&f);
	assert_int_equal(s.packets, 2);
	assert_int_equal(s.frames_written, 96);
	assert_int_equal(s.frames_read, 112);
	assert_int_equal(s.lost_frames, 16);
	assert_int_equal(s.lost_runs, 1);
	assert_int_equal(s.late_packets + s.too_early_packets + s.duplicate_packets, 0);
	assert_int_equal(s.reordered_packets, 0);
	free(f.mem);
}

static void test_late_and_too_early(void **state)
{
	struct fixture f;
	int32_t out[64 * 2];
	struct aes67_timeline_stats s;

	(void)state;
	make(&f, 2, 64, 0);
	assert_int_equal(put(&f, 0, 32), 32);
	assert_int_equal(aes67_timeline_read(f.tl, 0, out, 32), 32);
	/* Wholly late: dropped. */
	assert_int_equal(put(&f, 16, 16), 0);
	/* Partly late: 8 frames dropped, 8 stored. */
	assert_int_equal(put(&f, 24, 16), 8);
	/* Too early: reaching read_pos + capacity (32 + 64) is refused whole. */
	assert_int_equal(put(&f, 90, 7), 0);
	assert_int_equal(put(&f, 89, 7), 7);
	s = stats(&f);
	assert_int_equal(s.late_packets, 2);
	assert_int_equal(s.late_frames, 24);
	assert_int_equal(s.too_early_packets, 1);
	assert_int_equal(s.too_early_frames, 7);
	assert_int_equal(s.frames_written, 32 + 8 + 7);
	assert_int_equal(aes67_timeline_read(f.tl, 32, out, 8), 8);
	expect_frames(out, 2, 32, 8);
	/* Reading an already-read position is a caller error. */
	assert_int_equal(aes67_timeline_read(f.tl, 39, out, 1), -EINVAL);
	free(f.mem);
}

static void test_duplicate_and_reordered(void **state)
{
	struct fixture f;
	int32_t out[96 * 2];
	struct aes67_timeline_stats s;

	(void)state;
	make(&f, 2, 256, 0);
	assert_int_equal(put(&f, 48, 48), 48); /* arrives first */
	assert_int_equal(put(&f, 0, 48), 48);  /* earlier position: reordered, lands in place */
	assert_int_equal(put(&f, 48, 48), 48); /* duplicate: identical data overwritten */
	assert_int_equal(put(&f, 88, 16), 16); /* 8 duplicate + 8 new, starts early: reordered */
	s = stats(&f);
	assert_int_equal(s.packets, 4);
	assert_int_equal(s.reordered_packets, 2);
	assert_int_equal(s.duplicate_packets, 1);
	assert_int_equal(s.duplicate_frames, 48 + 8);
	assert_int_equal(s.frames_written, 104);
	assert_int_equal(aes67_timeline_fill(f.tl), 104);
	assert_int_equal(aes67_timeline_read(f.tl, 0, out, 96), 96);
	expect_frames(out, 2, 0, 96);
	free(f.mem);
}

static void test_lost_runs(void **state)
{
	struct fixture f;
	int32_t out[144 * 2];
	struct aes67_timeline_stats s;

	(void)state;
	make(&f, 2, 256, 0);
	assert_int_equal(put(&f, 0, 48), 48);
	/* 48..143 lost (two packets in a row), 144..191 present, 192..239 lost. */
	assert_int_equal(put(&f, 144, 48), 48);
	assert_int_equal(aes67_timeline_read(f.tl, 0, out, 96), 48);
	expect_frames(out, 2, 0, 48);
	expect_zero(out + 48 * 2, 48 * 2);
	assert_int_equal(aes67_timeline_read(f.tl, 96, out, 144), 48); /* run continues */
	expect_zero(out, 48 * 2);
	expect_frames(out + 48 * 2, 2, 144, 48);
	expect_zero(out + 96 * 2, 48 * 2);
	s = stats(&f);
	assert_int_equal(s.lost_frames, 96 + 48);
	assert_int_equal(s.lost_runs, 2);
	/* Jumping ahead skips positions without counting them lost. */
	assert_int_equal(aes67_timeline_read(f.tl, 300, out, 4), 0);
	s = stats(&f);
	assert_int_equal(s.skipped_frames, 300 - 240);
	assert_int_equal(s.lost_runs, 3);
	free(f.mem);
}

/* The explicit stale-lap test: lap 1 written and read, a packet of lap 2 missing. */
static void test_lost_packet_never_stale(void **state)
{
	struct fixture f;
	int32_t out[64 * 2];
	struct aes67_timeline_stats s;

	(void)state;
	make(&f, 2, 64, 0);
	for (uint64_t p = 0; p < 64; p += 16) {
		assert_int_equal(put(&f, p, 16), 16);
	}
	assert_int_equal(aes67_timeline_read(f.tl, 0, out, 64), 64);
	expect_frames(out, 2, 0, 64);
	for (uint64_t p = 64; p < 128; p += 16) {
		if (p != 96) {
			assert_int_equal(put(&f, p, 16), 16);
		}
	}
	memset(out, 0x77, sizeof(out));
	assert_int_equal(aes67_timeline_read(f.tl, 64, out, 64), 48);
	expect_frames(out, 2, 64, 32);
	expect_zero(out + 32 * 2, 16 * 2); /* slots 32..47 still hold lap 1: must not play */
	expect_frames(out + 48 * 2, 2, 112, 16);
	s = stats(&f);
	assert_int_equal(s.lost_frames, 16);
	assert_int_equal(s.lost_runs, 1);
	free(f.mem);
}

static void test_channel_range(void **state)
{
	struct fixture f;
	int32_t in[4 * 2];
	int32_t out[16 * 8];

	(void)state;
	make(&f, 8, 16, 0);
	/* Lap 1: full-width frames so that every channel holds audio. */
	assert_int_equal(put(&f, 0, 16), 16);
	assert_int_equal(aes67_timeline_read(f.tl, 0, out, 4), 4);
	assert_int_equal(aes67_timeline_read(f.tl, 4, out, 12), 12);
	/* Lap 2: a 2-channel stream mapped to device channels 4..5. */
	for (uint32_t i = 0; i < 4; i++) {
		in[i * 2] = pattern(16 + i, 100);
		in[i * 2 + 1] = pattern(16 + i, 101);
	}
	assert_int_equal(aes67_timeline_write(f.tl, 16, in, 4, 2, 4), 4);
	assert_int_equal(aes67_timeline_read(f.tl, 16, out, 4), 4);
	for (uint32_t i = 0; i < 4; i++) {
		for (uint32_t c = 0; c < 8; c++) {
			int32_t want = c == 4	? pattern(16 + i, 100)
				       : c == 5 ? pattern(16 + i, 101)
						: 0;

			assert_int_equal(out[i * 8 + c], want);
		}
	}
	assert_int_equal(aes67_timeline_write(f.tl, 20, in, 4, 2, 6), 4);
	assert_int_equal(aes67_timeline_write(f.tl, 20, in, 4, 2, 7), -EINVAL);
	assert_int_equal(aes67_timeline_write(f.tl, 20, in, 4, 9, 0), -EINVAL);
	assert_int_equal(aes67_timeline_write(f.tl, 20, in, 4, 0, 0), -EINVAL);
	free(f.mem);
}

/* Local helper: the 64-bit position congruent to ts modulo 2^32 nearest to ref (RFC 3550 A.1). */
static uint64_t extend_ts(uint32_t ts, uint64_t ref)
{
	int32_t diff = (int32_t)(ts - (uint32_t)ref);

	return ref + (uint64_t)(int64_t)diff;
}

static void test_rtp_wrap_bit_exact(void **state)
{
	/* Packet order as sent (index) vs as received: swaps, one duplicate, one lost (7). The
	 * timeline places by timestamp only; sequence numbers (and their wrap) are the rtp
	 * module's business, so none are fed here. */
	static const int order[] = {0, 1, 3, 2, 4, 5, 5, 6, 9, 8, 10, 11, 12, 14, 13, 15};
	const uint32_t ptime = 48;
	const uint64_t link_offset = 480;		   /* frames: 10 ms */
	const uint64_t first_ts64 = (5ull << 32) - 6 * 48; /* timestamps wrap at packet 6 */
	const uint64_t start = first_ts64 + link_offset;
	struct fixture f;
	int32_t out[16 * 48 * 2];
	struct aes67_timeline_stats s;
	uint64_t ref = start;

	(void)state;
	make(&f, 2, 1024, start);
	for (size_t k = 0; k < AES67_ARRAY_SIZE(order); k++) {
		int32_t buf[48 * 2];
		uint64_t ts64 = first_ts64 + (uint64_t)order[k] * ptime;
		uint32_t ts = (uint32_t)ts64; /* what the wire carries */
		uint64_t pos = extend_ts(ts, ref - link_offset) + link_offset;

		assert_int_equal(pos, ts64 + link_offset);
		if (pos + ptime > ref) {
			ref = pos + ptime;
		}
		for (uint32_t i = 0; i < ptime; i++) {
			buf[i * 2] = pattern(ts64 + i, 0);
			buf[i * 2 + 1] = pattern(ts64 + i, 1);
		}
		assert_int_equal(aes67_timeline_write(f.tl, pos, buf, ptime, 2, 0), (int)ptime);
	}
	assert_int_equal(aes67_timeline_read(f.tl, start, out, 16 * 48), 15 * 48);
	for (uint32_t i = 0; i < 16 * 48; i++) {
		uint64_t ts64 = first_ts64 + i;

		if (i / 48 == 7) {
			assert_int_equal(out[i * 2], 0);
			assert_int_equal(out[i * 2 + 1], 0);
		} else {
			assert_int_equal(out[i * 2], pattern(ts64, 0));
			assert_int_equal(out[i * 2 + 1], pattern(ts64, 1));
		}
	}
	s = stats(&f);
	assert_int_equal(s.reordered_packets, 3);
	assert_int_equal(s.duplicate_packets, 1);
	assert_int_equal(s.lost_frames, 48);
	assert_int_equal(s.lost_runs, 1);
	free(f.mem);
}

static void test_bad_config_and_args(void **state)
{
	struct aes67_timeline_config bad[] = {{0, 64}, {129, 64}, {2, 8}, {2, 100}, {2, 1u << 21}};
	struct aes67_timeline_config ok = {2, 64};
	struct aes67_timeline *tl;
	struct fixture f;
	size_t bytes;
	int32_t buf[65 * 2] = {0};

	(void)state;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(bad); i++) {
		assert_int_equal(aes67_timeline_get_size(&bad[i], &bytes), -EINVAL);
	}
	assert_int_equal(aes67_timeline_get_size(&ok, &bytes), 0);
	make(&f, 2, 64, 0);
	assert_int_equal(aes67_timeline_init(f.mem, bytes - 1, &ok, 0, &tl), -ENOSPC);
	assert_int_equal(aes67_timeline_init((uint8_t *)f.mem + 8, bytes, &ok, 0, &tl), -EINVAL);
	assert_int_equal(aes67_timeline_init(f.mem, bytes, &ok, AES67_TIMELINE_POS_LIMIT, &tl),
			 -EINVAL);
	assert_int_equal(aes67_timeline_write(f.tl, 0, buf, 0, 2, 0), -EINVAL);
	assert_int_equal(aes67_timeline_write(f.tl, 0, buf, 65, 2, 0), -EINVAL);
	assert_int_equal(aes67_timeline_write(f.tl, AES67_TIMELINE_POS_LIMIT - 1, buf, 2, 2, 0),
			 -AES67_ERANGE);
	assert_int_equal(aes67_timeline_read(f.tl, 0, buf, 0), -EINVAL);
	assert_int_equal(aes67_timeline_read(f.tl, 0, buf, 65), -EINVAL);
	assert_int_equal(aes67_timeline_read(f.tl, UINT64_MAX, buf, 1), -AES67_ERANGE);
	assert_int_equal(aes67_timeline_read_strided(f.tl, 0, buf, 1, 4), -EINVAL);
	assert_int_equal(stats(&f).packets, 0);
	/* Reset forgets audio: a written frame does not survive. */
	assert_int_equal(put(&f, 0, 8), 8);
	assert_int_equal(aes67_timeline_reset(f.tl, 0), 0);
	assert_int_equal(aes67_timeline_read(f.tl, 0, buf, 8), 0);
	assert_int_equal(aes67_timeline_reset(f.tl, AES67_TIMELINE_POS_LIMIT), -EINVAL);
	free(f.mem);
}

/*
 * A reference timeline written frame by frame (the obvious model of the documented semantics),
 * run beside the library on a seeded random mix of whole-frame and channel-range writes (in
 * time, reordered, duplicated, late, too early, across the end of the buffer) and of reads and
 * skips. Every read's samples and return value and every counter must agree: the library copies
 * runs of frames at once, which the model does not.
 */
#define MODEL_CAP 64u
#define MODEL_CH 3u
#define WIDE_UNTOUCHED 0x5a5a5a5a /* samples outside the stream's channels of a wider frame */

struct model {
	uint64_t stamp[MODEL_CAP];
	int32_t s[MODEL_CAP][MODEL_CH];
	uint64_t read_pos, highest_end, lost_end;
	struct aes67_timeline_stats st;
};

static int model_write(struct model *m, uint64_t pos, const int32_t *src, uint32_t n, uint32_t sch,
		       uint32_t off)
{
	uint64_t end = pos + n;
	uint32_t first = 0, fresh = 0;

	m->st.packets++;
	if (end > m->read_pos + MODEL_CAP) {
		m->st.too_early_packets++;
		m->st.too_early_frames += n;
		return 0;
	}
	if (pos < m->read_pos) {
		uint64_t late = (end <= m->read_pos ? end : m->read_pos) - pos;

		m->st.late_packets++;
		m->st.late_frames += late;
		if (late == n) {
			return 0;
		}
		first = (uint32_t)late;
	}
	for (uint32_t i = first; i < n; i++) {
		uint64_t p = pos + i, slot = p % MODEL_CAP;

		if (m->stamp[slot] == p) {
			m->st.duplicate_frames++;
		} else {
			memset(m->s[slot], 0, sizeof(m->s[slot]));
			m->stamp[slot] = p;
			fresh++;
		}
		for (uint32_t c = 0; c < sch; c++) {
			m->s[slot][off + c] = src[i * sch + c];
		}
	}
	m->st.frames_written += fresh;
	if (fresh == 0) {
		m->st.duplicate_packets++;
	} else if (pos < m->highest_end) {
		m->st.reordered_packets++;
	}
	if (end > m->highest_end) {
		m->highest_end = end;
	}
	return (int)(n - first);
}

static int model_read(struct model *m, uint64_t pos, int32_t *dst, uint32_t n)
{
	int valid = 0;

	m->st.skipped_frames += pos - m->read_pos;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t p = pos + i, slot = p % MODEL_CAP;

		if (m->stamp[slot] == p) {
			memcpy(&dst[i * MODEL_CH], m->s[slot], sizeof(m->s[slot]));
			valid++;
			continue;
		}
		memset(&dst[i * MODEL_CH], 0, sizeof(m->s[slot]));
		m->st.lost_frames++;
		if (p != m->lost_end) {
			m->st.lost_runs++;
		}
		m->lost_end = p + 1;
	}
	m->st.frames_read += n;
	m->read_pos = pos + n;
	return valid;
}

static uint32_t rnd(uint32_t *x, uint32_t below)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x % below;
}

static void test_model_random(void **state)
{
	const uint64_t start = 1000003;
	struct fixture f;
	struct model *m = calloc(1, sizeof(*m));
	uint32_t x = 0x9e3779b9u;
	uint64_t wpos = start;
	int32_t in[MODEL_CAP * MODEL_CH], out_m[MODEL_CAP * MODEL_CH];
	int32_t wide[MODEL_CAP * (MODEL_CH + 3)], out_l[MODEL_CAP * (MODEL_CH + 3)];

	(void)state;
	assert_non_null(m);
	make(&f, MODEL_CH, MODEL_CAP, start);
	for (uint32_t i = 0; i < MODEL_CAP; i++) {
		m->stamp[i] = UINT64_MAX;
	}
	m->read_pos = m->highest_end = start;
	m->lost_end = UINT64_MAX;
	for (int step = 0; step < 20000; step++) {
		uint32_t op = rnd(&x, 10);

		if (op < 7) {
			/* A packet near the write cursor: mostly in order, sometimes back or far.
			 */
			uint32_t n = 1 + rnd(&x, 24), sch = MODEL_CH, off = 0;
			uint64_t pos = wpos;
			int rl, rm;

			if (rnd(&x, 4) == 0) {
				sch = 1 + rnd(&x, MODEL_CH);
				off = rnd(&x, MODEL_CH - sch + 1);
			}
			if (rnd(&x, 5) == 0) {
				pos = wpos - rnd(&x, 3 * MODEL_CAP / 2);
			} else if (rnd(&x, 8) == 0) {
				pos = wpos + rnd(&x, MODEL_CAP);
			} else {
				wpos += n;
			}
			for (uint32_t k = 0; k < n * sch; k++) {
				in[k] = (int32_t)(rnd(&x, 1u << 24) << 8);
			}
			rl = aes67_timeline_write(f.tl, pos, in, n, sch, off);
			rm = model_write(m, pos, in, n, sch, off);
			assert_int_equal(rl, rm);
		} else {
			uint32_t n = 1 + rnd(&x, MODEL_CAP / 2);
			uint64_t pos = m->read_pos + (rnd(&x, 6) == 0 ? rnd(&x, 8) : 0);
			/* Half the reads go into wider frames (a device frame) at an offset. */
			uint32_t stride = rnd(&x, 2) ? MODEL_CH + 1 + rnd(&x, 3) : MODEL_CH;
			uint32_t lead = rnd(&x, stride - MODEL_CH + 1);
			int rl, rm = model_read(m, pos, out_m, n);
			struct aes67_timeline_stats sl;

			for (uint32_t k = 0; k < n * stride; k++) {
				wide[k] = WIDE_UNTOUCHED;
			}
			rl = aes67_timeline_read_strided(f.tl, pos, wide + lead, stride, n);
			sl = stats(&f);
			assert_int_equal(rl, rm);
			for (uint32_t k = 0; k < n * stride; k++) {
				uint32_t fr = k / stride, c = k % stride;

				out_l[k] = c >= lead && c < lead + MODEL_CH
						   ? out_m[fr * MODEL_CH + c - lead]
						   : WIDE_UNTOUCHED;
			}
			assert_memory_equal(wide, out_l, (size_t)n * stride * sizeof(int32_t));
			assert_memory_equal(&sl, &m->st, sizeof(sl));
			assert_int_equal(aes67_timeline_read_pos(f.tl), m->read_pos);
			assert_int_equal(aes67_timeline_fill(f.tl),
					 (int64_t)(m->highest_end - m->read_pos));
			if (wpos + MODEL_CAP < m->read_pos || wpos > m->read_pos + 2 * MODEL_CAP) {
				wpos = m->read_pos;
			}
		}
	}
	assert_true(m->st.lost_runs > 100 && m->st.duplicate_frames > 100 &&
		    m->st.late_packets > 100 && m->st.too_early_packets > 100 &&
		    m->st.reordered_packets > 100);
	free(m);
	free(f.mem);
}

/*
 * The stream widths that get fixed-size copies (2 and 8 channels) and one that does not (5),
 * read into 12-channel device frames at an offset, across the end of the buffer and through
 * a lost run: each frame's stream channels hold the audio (zeros where lost), the device's
 * other channels keep what they held.
 */
static void test_read_strided(void **state)
{
	static const uint32_t widths[] = {2, 8, 5};
	enum { DEV = 12, OFF = 3, CAP = 64, N = 40 };

	(void)state;
	for (size_t w = 0; w < AES67_ARRAY_SIZE(widths); w++) {
		const uint32_t ch = widths[w];
		struct fixture f;
		int32_t in[N * 8], dev[N * DEV];

		make(&f, ch, CAP, 50); /* positions 50..89 cross the end of the buffer at 64 */
		for (uint32_t k = 0; k < N * ch; k++) {
			in[k] = (int32_t)(k + 1) << 8;
		}
		assert_int_equal(aes67_timeline_write(f.tl, 50, in, 10, ch, 0), 10);
		/* 60..69 lost */
		assert_int_equal(aes67_timeline_write(f.tl, 70, in + 20 * ch, 20, ch, 0), 20);
		for (uint32_t k = 0; k < N * DEV; k++) {
			dev[k] = -7;
		}
		assert_int_equal(aes67_timeline_read_strided(f.tl, 50, dev + OFF, DEV, N), 30);
		for (uint32_t fr = 0; fr < N; fr++) {
			for (uint32_t c = 0; c < DEV; c++) {
				int32_t want = -7;

				if (c >= OFF && c < OFF + ch) {
					want = fr >= 10 && fr < 20 ? 0 : in[fr * ch + c - OFF];
				}
				assert_int_equal(dev[fr * DEV + c], want);
			}
		}
		free(f.mem);
	}
}

static void test_rt_guard(void **state)
{
	struct fixture f;
	static int32_t in[48 * 8];
	static int32_t out[96 * 8];
	struct aes67_timeline_stats s;
	int r = 0;

	(void)state;
	make(&f, 8, 1024, 0);
	rt_guard_enter(RT_GUARD_CORE);
	r |= aes67_timeline_write(f.tl, 48, in, 48, 8, 0) != 48;
	r |= aes67_timeline_write(f.tl, 0, in, 48, 4, 4) != 48;
	r |= aes67_timeline_write(f.tl, 0, in, 48, 8, 0) != 48;
	r |= aes67_timeline_write(f.tl, 5000, in, 48, 8, 0) != 0;
	r |= aes67_timeline_read(f.tl, 0, out, 96) != 96;
	r |= aes67_timeline_read_strided(f.tl, 96, out, 8, 48) != 0;
	r |= aes67_timeline_read(f.tl, 144, out, 48) != 0;
	r |= aes67_timeline_fill(f.tl) != -96;
	r |= aes67_timeline_read_pos(f.tl) != 192;
	aes67_timeline_get_stats(f.tl, &s);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(r, 0);
	assert_int_equal(s.too_early_packets, 1);
	free(f.mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_late_and_too_early),
		cmocka_unit_test(test_duplicate_and_reordered),
		cmocka_unit_test(test_lost_runs),
		cmocka_unit_test(test_lost_packet_never_stale),
		cmocka_unit_test(test_channel_range),
		cmocka_unit_test(test_rtp_wrap_bit_exact),
		cmocka_unit_test(test_bad_config_and_args),
		cmocka_unit_test(test_model_random),
		cmocka_unit_test(test_read_strided),
		cmocka_unit_test(test_rt_guard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
