// SPDX-License-Identifier: MIT
/*
 * Unit tests for the rtp module: RFC 3550 header parse/build against golden packets in
 * tests/data/rtp/ (hex text, '#' comments), wrap-aware arithmetic, timestamp extension across the
 * 2^32 wrap in both directions and near 0, and the A.1/A.8 receive statistics. The RT guard
 * proves that parse, build and the statistics neither allocate, lock, log nor read a clock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "aes67/rtp.h"
#include "rt_guard.h"
#include "test_data.h"

#define MAX_PACKET 2048

static void test_parse_l24(void **state)
{
	uint8_t pkt[MAX_PACKET];
	struct aes67_rtp_header h;
	size_t n = test_data_load_hex("rtp/l24_stereo_1ms.hex", pkt, sizeof(pkt));

	(void)state;
	assert_int_equal(n, 12 + 288);
	assert_int_equal(aes67_rtp_parse(&h, pkt, n), 12);
	assert_false(h.padding);
	assert_false(h.extension);
	assert_false(h.marker);
	assert_int_equal(h.payload_type, 97);
	assert_int_equal(h.csrc_count, 0);
	assert_int_equal(h.seq, 0x1234);
	assert_int_equal(h.timestamp, 0xdeadbeefu);
	assert_int_equal(h.ssrc, 0x11223344u);
	assert_ptr_equal(h.payload, pkt + 12);
	assert_int_equal(h.payload_bytes, 288);
	assert_null(h.ext_data);
	/* Frame 1, channel 1 of the ramp: 0x010203 + 0x400000. */
	assert_int_equal(h.payload[9], 0x41);
	assert_int_equal(h.payload[10], 0x02);
	assert_int_equal(h.payload[11], 0x03);

	/* Every truncation: refused below 12 octets, a shorter payload above. */
	for (size_t len = 0; len < n; len++) {
		int r = aes67_rtp_parse(&h, pkt, len);
		if (len < 12) {
			assert_int_equal(r, -AES67_ETRUNCATED);
		} else {
			assert_int_equal(r, 12);
			assert_int_equal(h.payload_bytes, len - 12);
		}
	}
}

static void test_parse_csrc_ext_pad(void **state)
{
	uint8_t pkt[MAX_PACKET];
	struct aes67_rtp_header h;
	size_t n = test_data_load_hex("rtp/csrc_ext_pad.hex", pkt, sizeof(pkt));
	static const uint8_t payload[] = {1, 2, 3, 4, 5, 6};

	(void)state;
	assert_int_equal(n, 37);
	assert_int_equal(aes67_rtp_parse(&h, pkt, n), 28);
	assert_true(h.padding);
	assert_true(h.extension);
	assert_true(h.marker);
	assert_int_equal(h.payload_type, 96);
	assert_int_equal(h.csrc_count, 2);
	assert_int_equal(h.seq, 0xffff);
	assert_int_equal(h.timestamp, 0xfffffff0u);
	assert_int_equal(h.ssrc, 0xcafebabeu);
	assert_int_equal(h.csrc[0], 0xaabbccddu);
	assert_int_equal(h.csrc[1], 0x01020304u);
	assert_int_equal(h.csrc[2], 0);
	assert_int_equal(h.ext_profile, 0xbede);
	assert_int_equal(h.ext_words, 1);
	assert_ptr_equal(h.ext_data, pkt + 24);
	assert_int_equal(h.ext_data[0], 0x10);
	assert_int_equal(h.ext_data[1], 0xaa);
	assert_int_equal(h.padding_bytes, 3);
	assert_int_equal(h.payload_bytes, sizeof(payload));
	assert_memory_equal(h.payload, payload, sizeof(payload));
}

static void test_parse_pad_only(void **state)
{
	uint8_t pkt[MAX_PACKET];
	struct aes67_rtp_header h;
	size_t n = test_data_load_hex("rtp/pad_only.hex", pkt, sizeof(pkt));

	(void)state;
	assert_int_equal(aes67_rtp_parse(&h, pkt, n), 12);
	assert_int_equal(h.padding_bytes, 4);
	assert_int_equal(h.payload_bytes, 0);
	assert_int_equal(h.seq, 7);
	assert_int_equal(h.timestamp, 480);
}

static void test_parse_refusals(void **state)
{
	static const struct {
		const char *file;
		int err;
	} cases[] = {
		{"rtp/truncated_fixed.hex", -AES67_ETRUNCATED},
		{"rtp/truncated_csrc.hex", -AES67_ETRUNCATED},
		{"rtp/truncated_ext.hex", -AES67_ETRUNCATED},
		{"rtp/truncated_ext_header.hex", -AES67_ETRUNCATED},
		{"rtp/bad_version.hex", -AES67_EVERSION},
		{"rtp/pad_zero.hex", -AES67_EPADDING},
		{"rtp/pad_too_big.hex", -AES67_EPADDING},
		{"rtp/pad_header_only.hex", -AES67_EPADDING},
	};
	uint8_t pkt[MAX_PACKET];
	struct aes67_rtp_header h;

	(void)state;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(cases); i++) {
		size_t n = test_data_load_hex(cases[i].file, pkt, sizeof(pkt));
		assert_int_equal(aes67_rtp_parse(&h, pkt, n), cases[i].err);
	}
	assert_int_equal(aes67_rtp_parse(NULL, pkt, 12), -EINVAL);
	assert_int_equal(aes67_rtp_parse(&h, NULL, 12), -EINVAL);
}

static void test_build_roundtrip(void **state)
{
	uint8_t pkt[MAX_PACKET], out[MAX_PACKET];
	struct aes67_rtp_header h;
	size_t n = test_data_load_hex("rtp/csrc_ext_pad.hex", pkt, sizeof(pkt));
	int hl;

	(void)state;
	assert_int_equal(aes67_rtp_parse(&h, pkt, n), 28);
	assert_int_equal(aes67_rtp_header_bytes(&h), 28);
	hl = aes67_rtp_build(out, sizeof(out), &h);
	assert_int_equal(hl, 28);
	memcpy(out + hl, h.payload, h.payload_bytes + h.padding_bytes);
	assert_memory_equal(out, pkt, n);

	/* Capacity is checked before anything is written. */
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(aes67_rtp_build(out, 27, &h), -AES67_ENOSPACE);
	assert_int_equal(out[0], 0x5a);
	assert_int_equal(aes67_rtp_build(out, 28, &h), 28);

	h.payload_type = 128;
	assert_int_equal(aes67_rtp_build(out, sizeof(out), &h), -EINVAL);
	h.payload_type = 96;
	h.csrc_count = 16;
	assert_int_equal(aes67_rtp_build(out, sizeof(out), &h), -EINVAL);
	h.csrc_count = 2;
	h.ext_data = NULL;
	assert_int_equal(aes67_rtp_build(out, sizeof(out), &h), -EINVAL);
	assert_int_equal(aes67_rtp_build(NULL, sizeof(out), &h), -EINVAL);
}

static void test_build_plain(void **state)
{
	static const uint8_t want[] = {0x80, 0xe1, 0x00, 0x05, 0x00, 0x00,
				       0x01, 0xe0, 0x12, 0x34, 0x56, 0x78};
	struct aes67_rtp_header h = {
		.marker = true,
		.payload_type = 97,
		.seq = 5,
		.timestamp = 480,
		.ssrc = 0x12345678,
	};
	uint8_t out[12];

	(void)state;
	assert_int_equal(aes67_rtp_build(out, sizeof(out), &h), 12);
	assert_memory_equal(out, want, sizeof(want));
}

static void test_seq_ts_arith(void **state)
{
	(void)state;
	assert_int_equal(aes67_seq_diff(1, 0), 1);
	assert_int_equal(aes67_seq_diff(0, 0xffff), 1);
	assert_int_equal(aes67_seq_diff(0xffff, 0), -1);
	assert_int_equal(aes67_seq_diff(0x8000, 0), -32768);
	assert_int_equal(aes67_seq_diff(0x7fff, 0), 32767);
	assert_true(aes67_seq_lt(0xfff0, 0x0005));
	assert_false(aes67_seq_lt(0x0005, 0xfff0));
	assert_false(aes67_seq_lt(7, 7));

	assert_int_equal(aes67_ts_diff(0, 0xffffffffu), 1);
	assert_int_equal(aes67_ts_diff(0xffffffffu, 0), -1);
	assert_int_equal(aes67_ts_diff(0x80000000u, 0), INT32_MIN);
	assert_int_equal(aes67_ts_diff(0x7fffffffu, 0), INT32_MAX);
	assert_true(aes67_ts_lt(0xffffff00u, 48));
	assert_false(aes67_ts_lt(48, 0xffffff00u));
}

static void test_ts_extend(void **state)
{
	const uint64_t lap = (uint64_t)1 << 32;

	(void)state;
	/* Same lap. */
	assert_int_equal(aes67_ts_extend(1000, 5 * lap + 900), 5 * lap + 1000);
	assert_int_equal(aes67_ts_extend(800, 5 * lap + 900), 5 * lap + 800);
	/* Reference just before a wrap, timestamp just after it: the next lap. */
	assert_int_equal(aes67_ts_extend(16, 5 * lap + 0xfffffff0u), 6 * lap + 16);
	/* Reference just after a wrap, timestamp just before it: the previous lap. */
	assert_int_equal(aes67_ts_extend(0xfffffff0u, 6 * lap + 16), 5 * lap + 0xfffffff0u);
	/* Halfway: +2^31 - 1 ahead stays ahead, 2^31 resolves to behind. */
	assert_int_equal(aes67_ts_extend(0x7fffffffu, 5 * lap), 5 * lap + 0x7fffffffu);
	assert_int_equal(aes67_ts_extend(0x80000000u, 5 * lap), 4 * lap + 0x80000000u);
	/* Near 0: ahead is plain, behind wraps modulo 2^64. */
	assert_int_equal(aes67_ts_extend(10, 0), 10);
	assert_int_equal(aes67_ts_extend(0xfffffff6u, 5), UINT64_MAX - 9);
	assert_int_equal(aes67_ts_extend(0xfffffff6u, 5) + 16, 6);
	/* Exhaustive property over a spread of offsets: congruent and nearest. */
	for (int64_t d = -(1 << 20); d <= (1 << 20); d += 4099) {
		uint64_t ref = 7 * lap + 0xffff0000u;
		uint64_t want = ref + (uint64_t)d;
		assert_int_equal(aes67_ts_extend((uint32_t)want, ref), want);
	}
}

/* One packet for the receive statistics: its sequence number and what update must make of it. */
struct seq_step {
	uint16_t seq;
	enum aes67_rtp_seq_event want;
};

/* Feeds the steps in order (timestamp and arrival 0, so no jitter) and checks every verdict. */
static void feed_seq(struct aes67_rtp_stats *s, const struct seq_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int got = (int)aes67_rtp_stats_update(s, steps[i].seq, 0, 0);

		if (got != (int)steps[i].want) {
			fail_msg("step %zu (seq %u): verdict %d, expected %d", i, steps[i].seq, got,
				 (int)steps[i].want);
		}
	}
}

static void test_stats_in_order_wrap(void **state)
{
	struct aes67_rtp_stats s;
	struct aes67_rtp_stats_report r;
	uint16_t seq = 0xfff0;

	(void)state;
	aes67_rtp_stats_init(&s);
	assert_int_equal(aes67_rtp_stats_update(&s, seq, 0, 100), AES67_RTP_SEQ_FIRST);
	for (int i = 1; i < 40; i++) {
		seq++;
		/* Constant transit: jitter stays 0. */
		assert_int_equal(aes67_rtp_stats_update(&s, seq, 48u * i, 100 + 48u * i),
				 AES67_RTP_SEQ_IN_ORDER);
	}
	aes67_rtp_stats_get(&s, &r);
	assert_int_equal(r.expected, 40);
	assert_int_equal(r.received, 40);
	assert_int_equal(r.lost, 0);
	assert_int_equal(r.jitter_rtp, 0);
	assert_int_equal(r.ext_max_seq, 0x10000u + (uint16_t)(0xfff0 + 39));
}

static void test_stats_loss_reorder_dup(void **state)
{
	struct aes67_rtp_stats s;
	struct aes67_rtp_stats_report r;

	static const struct seq_step steps[] = {
		{10, AES67_RTP_SEQ_FIRST},     {11, AES67_RTP_SEQ_IN_ORDER},
		{14, AES67_RTP_SEQ_GAP},       {12, AES67_RTP_SEQ_REORDERED},
		{12, AES67_RTP_SEQ_DUPLICATE}, {14, AES67_RTP_SEQ_DUPLICATE},
		{9, AES67_RTP_SEQ_REORDERED}, /* older than the first: extends the expected range */
	};

	(void)state;
	aes67_rtp_stats_init(&s);
	feed_seq(&s, steps, AES67_ARRAY_SIZE(steps));
	aes67_rtp_stats_get(&s, &r);
	assert_int_equal(r.expected, 6); /* 9..14 */
	assert_int_equal(r.received, 5);
	assert_int_equal(r.lost, 1); /* 13 */
	assert_int_equal(r.reordered, 2);
	assert_int_equal(r.duplicates, 2);
	/* Too old for the window: bad, not counted. */
	assert_int_equal(aes67_rtp_stats_update(&s, (uint16_t)(14 - 64), 0, 0), AES67_RTP_SEQ_BAD);
	aes67_rtp_stats_get(&s, &r);
	assert_int_equal(r.bad, 1);
	assert_int_equal(r.received, 5);
}

static void test_stats_restart(void **state)
{
	struct aes67_rtp_stats s;
	struct aes67_rtp_stats_report r;

	/* A jump of 20000 is beyond MAX_DROPOUT: bad until confirmed by its successor. */
	static const struct seq_step steps[] = {
		{100, AES67_RTP_SEQ_FIRST},	 {101, AES67_RTP_SEQ_IN_ORDER},
		{20101, AES67_RTP_SEQ_BAD},	 {102, AES67_RTP_SEQ_IN_ORDER},
		{30000, AES67_RTP_SEQ_BAD},	 {30001, AES67_RTP_SEQ_RESTART},
		{30002, AES67_RTP_SEQ_IN_ORDER},
	};

	(void)state;
	aes67_rtp_stats_init(&s);
	feed_seq(&s, steps, AES67_ARRAY_SIZE(steps));
	aes67_rtp_stats_get(&s, &r);
	assert_int_equal(r.restarts, 1);
	assert_int_equal(r.bad, 2);
	assert_int_equal(r.expected, 3 + 2);
	assert_int_equal(r.received, 5);
	assert_int_equal(r.lost, 0);
}

static void test_stats_jitter(void **state)
{
	struct aes67_rtp_stats s;
	struct aes67_rtp_stats_report r;

	(void)state;
	aes67_rtp_stats_init(&s);
	/* RFC 3550 A.8: J += (|D| - J) / 16, D the change in transit time. */
	(void)aes67_rtp_stats_update(&s, 1, 1000, 5000);
	(void)aes67_rtp_stats_update(&s, 2, 1048, 5048 + 160); /* D = 160: J = 10 */
	aes67_rtp_stats_get(&s, &r);
	assert_int_equal(r.jitter_rtp, 10);
	(void)aes67_rtp_stats_update(&s, 3, 1096, 5096 + 160); /* D = 0: J = 9.375 */
	aes67_rtp_stats_get(&s, &r);
	assert_int_equal(r.jitter_rtp, 9);
	/* Transit across the 2^32 wrap of arrival time is a small D, not a huge one. */
	aes67_rtp_stats_init(&s);
	(void)aes67_rtp_stats_update(&s, 1, 0xffffff00u, 0xfffffff0u);
	(void)aes67_rtp_stats_update(&s, 2, 0xffffff30u, 0x00000020u);
	aes67_rtp_stats_get(&s, &r);
	assert_int_equal(r.jitter_rtp, 0);
	/* A hostile timestamp (|D| = 2^31) must not overflow the estimate. */
	for (uint16_t i = 3; i < 200; i++) {
		(void)aes67_rtp_stats_update(&s, i, (i & 1) ? 0x80000000u : 0, 0);
	}
	aes67_rtp_stats_get(&s, &r);
	assert_true(r.jitter_rtp > 0x70000000u);
}

static void test_rt_guard(void **state)
{
	uint8_t pkt[MAX_PACKET], out[MAX_PACKET];
	struct aes67_rtp_header h;
	struct aes67_rtp_stats s;
	struct aes67_rtp_stats_report r;
	size_t n = test_data_load_hex("rtp/csrc_ext_pad.hex", pkt, sizeof(pkt));
	int a, b;

	(void)state;
	rt_guard_enter(RT_GUARD_CORE);
	a = aes67_rtp_parse(&h, pkt, n);
	b = aes67_rtp_build(out, sizeof(out), &h);
	aes67_rtp_stats_init(&s);
	for (uint16_t i = 0; i < 100; i++) {
		(void)aes67_rtp_stats_update(&s, (uint16_t)(i * 7 % 101), i * 48u, i * 48u);
	}
	aes67_rtp_stats_get(&s, &r);
	(void)aes67_ts_extend(5, 7);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(a, 28);
	assert_int_equal(b, 28);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_l24),
		cmocka_unit_test(test_parse_csrc_ext_pad),
		cmocka_unit_test(test_parse_pad_only),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_build_roundtrip),
		cmocka_unit_test(test_build_plain),
		cmocka_unit_test(test_seq_ts_arith),
		cmocka_unit_test(test_ts_extend),
		cmocka_unit_test(test_stats_in_order_wrap),
		cmocka_unit_test(test_stats_loss_reorder_dup),
		cmocka_unit_test(test_stats_restart),
		cmocka_unit_test(test_stats_jitter),
		cmocka_unit_test(test_rt_guard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
