// SPDX-License-Identifier: MIT
/*
 * Unit tests for PTP message parsing and building: golden messages from tests/data/ptp (written
 * by gen_vectors.py with struct.pack, independently of this code), every malformed-length class
 * (CVE-2021-3570/3571 style), time conversions, and an RT guard around parse and build.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "aes67/ptp_msg.h"
#include "rt_guard.h"

static const uint8_t clock_id[8] = {0x00, 0x1D, 0xC1, 0xFF, 0xFE, 0x12, 0x34, 0x56};
static const uint8_t gm_id[8] = {0xAC, 0xDE, 0x48, 0xFF, 0xFE, 0x00, 0x11, 0x22};

static size_t load(const char *name, uint8_t *buf, size_t cap)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/ptp/%s", AES67_TEST_DATA_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	assert_true(n > 0 && n < cap);
	return n;
}

static void expect_drop(const uint8_t *buf, size_t len, int err, enum aes67_ptp_drop why)
{
	struct aes67_ptp_msg m;
	enum aes67_ptp_drop d = AES67_PTP_DROP_NONE;

	assert_int_equal(aes67_ptp_msg_parse(buf, len, &m, &d), err);
	assert_int_equal(d, why);
	assert_string_not_equal(aes67_ptp_drop_str(d), "unknown");
}

/* Build the parsed message again; the bytes must equal the input (reserved fields are zero). */
static void expect_rebuild(const struct aes67_ptp_msg *m, const uint8_t *buf, size_t len)
{
	uint8_t out[AES67_PTP_MSG_MAX_BYTES];
	int n = aes67_ptp_msg_build(m, out, sizeof(out));

	assert_int_equal(n, (int)len);
	assert_memory_equal(out, buf, len);
}

static void test_announce_golden(void **state)
{
	uint8_t buf[256];
	size_t len = load("announce.bin", buf, sizeof(buf));
	struct aes67_ptp_msg m;
	enum aes67_ptp_drop d;

	(void)state;
	assert_int_equal(aes67_ptp_msg_parse(buf, len, &m, &d), 0);
	assert_int_equal(d, AES67_PTP_DROP_NONE);
	assert_int_equal(m.hdr.type, AES67_PTP_ANNOUNCE);
	assert_int_equal(m.hdr.version, 2);
	assert_int_equal(m.hdr.length_bytes, 64);
	assert_int_equal(m.hdr.domain, 0);
	assert_int_equal(m.hdr.flags,
			 AES67_PTP_FLAG_UTC_OFFSET_VALID | AES67_PTP_FLAG_PTP_TIMESCALE);
	assert_memory_equal(m.hdr.source.clock_identity, clock_id, 8);
	assert_int_equal(m.hdr.source.port_number, 1);
	assert_int_equal(m.hdr.sequence_id, 4242);
	assert_int_equal(m.hdr.log_message_interval, 1);
	assert_int_equal(m.announce.origin.sec, 1700000000);
	assert_int_equal(m.announce.origin.ns, 123456789);
	assert_int_equal(m.announce.current_utc_offset_s, 37);
	assert_int_equal(m.announce.gm_priority1, 128);
	assert_int_equal(m.announce.gm_quality.clock_class, 248);
	assert_int_equal(m.announce.gm_quality.clock_accuracy, 0xFE);
	assert_int_equal(m.announce.gm_quality.offset_scaled_log_variance, 0xFFFF);
	assert_int_equal(m.announce.gm_priority2, 127);
	assert_memory_equal(m.announce.gm_identity, gm_id, 8);
	assert_int_equal(m.announce.steps_removed, 1);
	assert_int_equal(m.announce.time_source, 0xA0);
	assert_null(m.tlv);
	assert_int_equal(m.tlv_count, 0);
	expect_rebuild(&m, buf, len);
}

static void test_event_messages_golden(void **state)
{
	uint8_t buf[256];
	struct aes67_ptp_msg m;
	size_t len;
	int64_t ns;

	(void)state;
	len = load("sync_2step.bin", buf, sizeof(buf));
	assert_int_equal(aes67_ptp_msg_parse(buf, len, &m, NULL), 0);
	assert_int_equal(m.hdr.type, AES67_PTP_SYNC);
	assert_true(m.hdr.flags & AES67_PTP_FLAG_TWO_STEP);
	assert_int_equal(m.hdr.control, AES67_PTP_CONTROL_SYNC);
	assert_int_equal(m.hdr.log_message_interval, -3);
	assert_int_equal(m.hdr.sequence_id, 1000);
	expect_rebuild(&m, buf, len);

	len = load("follow_up.bin", buf, sizeof(buf));
	assert_int_equal(aes67_ptp_msg_parse(buf, len, &m, NULL), 0);
	assert_int_equal(m.hdr.type, AES67_PTP_FOLLOW_UP);
	assert_int_equal(m.hdr.correction_scaled_ns, 0x12345);
	assert_int_equal(m.ts.sec, 1700000000);
	assert_int_equal(m.ts.ns, 999999999);
	assert_int_equal(aes67_ptp_time_to_ns(&m.ts, &ns), 0);
	assert_int_equal(ns, 1700000000999999999LL);
	expect_rebuild(&m, buf, len);

	len = load("delay_req.bin", buf, sizeof(buf));
	assert_int_equal(aes67_ptp_msg_parse(buf, len, &m, NULL), 0);
	assert_int_equal(m.hdr.type, AES67_PTP_DELAY_REQ);
	assert_int_equal(m.hdr.log_message_interval, 0x7F);
	expect_rebuild(&m, buf, len);

	len = load("delay_resp.bin", buf, sizeof(buf));
	assert_int_equal(aes67_ptp_msg_parse(buf, len, &m, NULL), 0);
	assert_int_equal(m.hdr.type, AES67_PTP_DELAY_RESP);
	assert_int_equal(m.hdr.correction_scaled_ns, -3 * 65536);
	assert_int_equal(aes67_ptp_correction_ns(m.hdr.correction_scaled_ns), -3);
	assert_int_equal(m.ts.sec, 1700000001);
	assert_int_equal(m.ts.ns, 500);
	assert_int_equal(m.requesting.clock_identity[0], 0x56);
	assert_int_equal(m.requesting.port_number, 2);
	expect_rebuild(&m, buf, len);
}

static void test_other_messages_golden(void **state)
{
	static const char *const names[] = {"signaling.bin", "management.bin", "pdelay_req.bin",
					    "pdelay_resp.bin", "pdelay_resp_fup.bin"};
	static const uint8_t types[] = {AES67_PTP_SIGNALING, AES67_PTP_MANAGEMENT,
					AES67_PTP_PDELAY_REQ, AES67_PTP_PDELAY_RESP,
					AES67_PTP_PDELAY_RESP_FOLLOW_UP};
	uint8_t buf[256];
	struct aes67_ptp_msg m;

	(void)state;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(names); i++) {
		size_t len = load(names[i], buf, sizeof(buf));

		assert_int_equal(aes67_ptp_msg_parse(buf, len, &m, NULL), 0);
		assert_int_equal(m.hdr.type, types[i]);
		expect_rebuild(&m, buf, len);
	}
	size_t len = load("management.bin", buf, sizeof(buf));
	assert_int_equal(aes67_ptp_msg_parse(buf, len, &m, NULL), 0);
	assert_int_equal(m.target.port_number, 0xFFFF);
	assert_int_equal(m.starting_boundary_hops, 1);
	assert_int_equal(m.boundary_hops, 1);
	assert_int_equal(m.action, 0);
	assert_int_equal(m.tlv_count, 1);
	len = load("pdelay_resp.bin", buf, sizeof(buf));
	assert_int_equal(aes67_ptp_msg_parse(buf, len, &m, NULL), 0);
	assert_memory_equal(m.requesting.clock_identity, gm_id, 8);
	assert_int_equal(m.ts.ns, 7);
}

static void test_tlv_walk(void **state)
{
	uint8_t buf[256];
	size_t len = load("announce_tlv.bin", buf, sizeof(buf));
	struct aes67_ptp_msg m;
	struct aes67_ptp_tlv t;
	size_t cur = 0;

	(void)state;
	assert_int_equal(aes67_ptp_msg_parse(buf, len, &m, NULL), 0);
	assert_int_equal(m.tlv_count, 2);
	assert_int_equal(m.tlv_bytes, 18);
	assert_int_equal(aes67_ptp_tlv_next(&m, &cur, &t), 1);
	assert_int_equal(t.type, 0x0008); /* PATH_TRACE */
	assert_int_equal(t.length_bytes, 10);
	assert_memory_equal(t.value, gm_id, 8);
	assert_int_equal(aes67_ptp_tlv_next(&m, &cur, &t), 1);
	assert_int_equal(t.type, 0x7FFF);
	assert_int_equal(t.length_bytes, 0);
	assert_int_equal(aes67_ptp_tlv_next(&m, &cur, &t), 0);
	expect_rebuild(&m, buf, len);
}

static void test_lengths(void **state)
{
	uint8_t buf[256];
	size_t len = load("announce_tlv.bin", buf, sizeof(buf));
	struct aes67_ptp_msg m;

	(void)state;
	/* Every truncation of a valid message is refused with the right reason. */
	for (size_t n = 0; n < len; n++) {
		expect_drop(buf, n, -AES67_ETRUNCATED,
			    n < AES67_PTP_HEADER_BYTES ? AES67_PTP_DROP_SHORT_HEADER
						       : AES67_PTP_DROP_LENGTH_DGRAM);
	}
	/* Longer datagrams than messageLength are fine (§13.3.2.4) and the tail is ignored. */
	memset(buf + len, 0xEE, 40);
	assert_int_equal(aes67_ptp_msg_parse(buf, len + 40, &m, NULL), 0);
	assert_int_equal(m.tlv_bytes, 18);

	/* messageLength below the type's body. */
	len = load("announce.bin", buf, sizeof(buf));
	buf[3] = 63;
	expect_drop(buf, len, -AES67_EMALFORMED, AES67_PTP_DROP_LENGTH_TYPE);
	buf[3] = 33;
	expect_drop(buf, len, -AES67_EMALFORMED, AES67_PTP_DROP_LENGTH_TYPE);
	buf[3] = 64;
	assert_int_equal(aes67_ptp_msg_parse(buf, len, &m, NULL), 0);
	assert_int_equal(aes67_ptp_msg_parse(NULL, len, &m, NULL), -EINVAL);
}

static void test_header_refusals(void **state)
{
	uint8_t buf[256];
	size_t len = load("sync_2step.bin", buf, sizeof(buf));

	(void)state;
	buf[1] = 0x01;
	expect_drop(buf, len, -AES67_EVERSION, AES67_PTP_DROP_VERSION);
	buf[1] = 0x12; /* minorVersionPTP 1 (1588-2019) is accepted */
	expect_drop(buf, len, 0, AES67_PTP_DROP_NONE);
	buf[1] = 0x02;
	for (unsigned t = 0; t < 16; t++) {
		buf[0] = (uint8_t)t;
		if (aes67_ptp_msg_body_bytes(t) < 0) {
			expect_drop(buf, len, -AES67_EUNSUPPORTED, AES67_PTP_DROP_BAD_TYPE);
		}
	}
	/* Sync with a nanoseconds field of 10^9. */
	len = load("sync_2step.bin", buf, sizeof(buf));
	buf[40] = 0x3B;
	buf[41] = 0x9A;
	buf[42] = 0xCA;
	buf[43] = 0x00;
	expect_drop(buf, len, -AES67_ERANGE, AES67_PTP_DROP_TIMESTAMP);
	/* Extreme logMessageInterval values are carried, not judged. */
	buf[40] = 0;
	buf[33] = 0x80;
	struct aes67_ptp_msg m;
	assert_int_equal(aes67_ptp_msg_parse(buf, len, &m, NULL), 0);
	assert_int_equal(m.hdr.log_message_interval, -128);
	buf[33] = 0x7F;
	assert_int_equal(aes67_ptp_msg_parse(buf, len, &m, NULL), 0);
	assert_int_equal(m.hdr.log_message_interval, 127);
}

static void test_tlv_refusals(void **state)
{
	uint8_t buf[256];
	size_t len = load("signaling.bin", buf, sizeof(buf));

	(void)state;
	/* signaling.bin: 44-byte body, one TLV of 4 value bytes at offset 44. */
	assert_int_equal(len, 52);
	buf[46] = 0xFF;
	buf[47] = 0xFF;
	expect_drop(buf, len, -AES67_EMALFORMED, AES67_PTP_DROP_TLV_ODD);
	buf[46] = 0;
	buf[47] = 3;
	expect_drop(buf, len, -AES67_EMALFORMED, AES67_PTP_DROP_TLV_ODD);
	buf[47] = 6; /* even, but 2 bytes past messageLength (the datagram is longer) */
	buf[52] = buf[53] = 0;
	expect_drop(buf, len + 2, -AES67_ETRUNCATED, AES67_PTP_DROP_TLV_OVERRUN);
	buf[47] = 4;
	buf[3] = 50; /* messageLength cuts into the TLV value */
	expect_drop(buf, len, -AES67_ETRUNCATED, AES67_PTP_DROP_TLV_OVERRUN);
	buf[3] = 46; /* ... and into the TLV header */
	expect_drop(buf, len, -AES67_ETRUNCATED, AES67_PTP_DROP_TLV_HEADER);
	buf[3] = 48; /* TLV header alone, value past messageLength */
	expect_drop(buf, len, -AES67_ETRUNCATED, AES67_PTP_DROP_TLV_OVERRUN);
	buf[3] = 44; /* no TLV at all */
	expect_drop(buf, len, 0, AES67_PTP_DROP_NONE);
}

static void test_build_refusals(void **state)
{
	struct aes67_ptp_msg m;
	uint8_t out[128];
	static const uint8_t bad_tlv[] = {0x00, 0x01, 0x00, 0x03, 1, 2, 3};

	(void)state;
	memset(&m, 0, sizeof(m));
	m.hdr.type = AES67_PTP_SYNC;
	assert_int_equal(aes67_ptp_msg_build(&m, out, 43), -AES67_ENOSPACE);
	assert_int_equal(aes67_ptp_msg_build(&m, out, 44), 44);
	assert_int_equal(out[1], 2);
	assert_int_equal(out[3], 44);
	m.ts.ns = 1000000000u;
	assert_int_equal(aes67_ptp_msg_build(&m, out, sizeof(out)), -AES67_ERANGE);
	m.ts.ns = 0;
	m.ts.sec = 1ULL << 48;
	assert_int_equal(aes67_ptp_msg_build(&m, out, sizeof(out)), -AES67_ERANGE);
	m.ts.sec = 0;
	m.hdr.type = 7;
	assert_int_equal(aes67_ptp_msg_build(&m, out, sizeof(out)), -AES67_EUNSUPPORTED);
	m.hdr.type = AES67_PTP_SIGNALING;
	m.tlv = bad_tlv;
	m.tlv_bytes = sizeof(bad_tlv);
	assert_int_equal(aes67_ptp_msg_build(&m, out, sizeof(out)), -AES67_EMALFORMED);
	m.tlv = NULL;
	assert_int_equal(aes67_ptp_msg_build(&m, out, sizeof(out)), -EINVAL);
}

static void test_time_helpers(void **state)
{
	struct aes67_ptp_time t = {.sec = 1, .ns = 5};
	struct aes67_ptp_port_identity a = {{0}, 1}, b = {{0}, 2};
	int64_t ns;

	(void)state;
	assert_int_equal(aes67_ptp_time_to_ns(&t, &ns), 0);
	assert_int_equal(ns, 1000000005);
	t.ns = 1000000000u;
	assert_int_equal(aes67_ptp_time_to_ns(&t, &ns), -AES67_ERANGE);
	t.ns = 0;
	t.sec = (1ULL << 48) - 1; /* representable on the wire, not in int64 ns */
	assert_int_equal(aes67_ptp_time_to_ns(&t, &ns), -AES67_ERANGE);
	assert_int_equal(aes67_ptp_time_from_ns(1700000000123456789LL, &t), 0);
	assert_int_equal(t.sec, 1700000000);
	assert_int_equal(t.ns, 123456789);
	assert_int_equal(aes67_ptp_time_from_ns(-1, &t), -AES67_ERANGE);

	assert_int_equal(aes67_ptp_correction_ns(0), 0);
	assert_int_equal(aes67_ptp_correction_ns(65536), 1);
	assert_int_equal(aes67_ptp_correction_ns(32768), 1); /* half rounds up */
	assert_int_equal(aes67_ptp_correction_ns(32767), 0);
	assert_int_equal(aes67_ptp_correction_ns(-32768), 0); /* -0.5 rounds up to 0 */
	assert_int_equal(aes67_ptp_correction_ns(-32769), -1);
	assert_int_equal(aes67_ptp_correction_ns(-65536 * 1000), -1000);

	assert_true(aes67_ptp_port_identity_cmp(&a, &b) < 0);
	assert_true(aes67_ptp_port_identity_cmp(&b, &a) > 0);
	b.port_number = 1;
	assert_int_equal(aes67_ptp_port_identity_cmp(&a, &b), 0);
	b.clock_identity[7] = 1;
	assert_true(aes67_ptp_port_identity_cmp(&a, &b) < 0);
}

static void test_rt_guard(void **state)
{
	uint8_t buf[256], out[256];
	size_t len = load("announce_tlv.bin", buf, sizeof(buf));
	struct aes67_ptp_msg m;
	struct aes67_ptp_tlv t;
	size_t cur = 0;
	int64_t ns;
	int r1, r2, r3, r4, r5;

	(void)state;
	rt_guard_enter(RT_GUARD_CORE);
	r1 = aes67_ptp_msg_parse(buf, len, &m, NULL);
	r2 = aes67_ptp_msg_build(&m, out, sizeof(out));
	r3 = aes67_ptp_tlv_next(&m, &cur, &t);
	r4 = aes67_ptp_time_to_ns(&m.announce.origin, &ns);
	r5 = aes67_ptp_msg_parse(buf, 10, &m, NULL);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(r5, -AES67_ETRUNCATED);
	assert_int_equal(r1, 0);
	assert_int_equal(r2, (int)len);
	assert_int_equal(r3, 1);
	assert_int_equal(r4, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_announce_golden),
		cmocka_unit_test(test_event_messages_golden),
		cmocka_unit_test(test_other_messages_golden),
		cmocka_unit_test(test_tlv_walk),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_header_refusals),
		cmocka_unit_test(test_tlv_refusals),
		cmocka_unit_test(test_build_refusals),
		cmocka_unit_test(test_time_helpers),
		cmocka_unit_test(test_rt_guard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
