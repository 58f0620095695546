// SPDX-License-Identifier: MIT
/*
 * Unit tests for the SAP codec and timing (RFC 2974): golden packets written by an independent
 * Python implementation (tests/data/sap/make_sap_data.py), every truncation of a real packet,
 * each refusal code, encode/decode round trips, the message id hash, the §3.1 interval and §4
 * implicit timeout; then the session cache: add / refresh / update / delete / expire, forged
 * deletions, a full table, oversized payloads, all under the RT guard to prove nothing allocates.
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
#include "aes67/sap.h"
#include "rt_guard.h"

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	size_t n = fread(buf, 1, cap, f);
	assert_int_equal(ferror(f), 0);
	assert_true(feof(f)); /* the whole file fitted */
	fclose(f);
	return n;
}

static size_t read_data(const char *name, uint8_t *buf, size_t cap)
{
	char path[512];

	assert_true(snprintf(path, sizeof(path), "%s/sap/%s", AES67_TEST_DATA_DIR, name) <
		    (int)sizeof(path));
	return read_file(path, buf, cap);
}

static size_t read_sdp(const char *name, uint8_t *buf, size_t cap)
{
	char path[512];

	assert_true(snprintf(path, sizeof(path), "%s/data/sdp/%s", AES67_SHARED_DIR, name) <
		    (int)sizeof(path));
	return read_file(path, buf, cap);
}

/*
 * Decodes the golden packet tests/data/sap/<bin> into *m under the RT guard and checks that its
 * payload is the shared SDP file <sdp> byte for byte. Returns the packet length.
 */
static size_t decode_golden(const char *bin, const char *sdp, uint8_t *pkt, size_t cap,
			    struct aes67_sap_msg *m)
{
	uint8_t want[4096];
	size_t n = read_data(bin, pkt, cap);
	size_t want_len = read_sdp(sdp, want, sizeof(want));

	rt_guard_enter(RT_GUARD_CORE);
	int r = aes67_sap_decode(m, pkt, n);
	unsigned v = rt_guard_leave();
	assert_int_equal(r, 0);
	assert_int_equal(v, 0);
	assert_int_equal(m->payload_bytes, want_len);
	assert_memory_equal(m->payload, want, want_len);
	return n;
}

static const uint8_t ipv4_17[4] = {192, 168, 1, 17};
static const uint8_t ipv6_17[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x17};

static void test_golden_ipv4(void **state)
{
	uint8_t pkt[4096];
	uint8_t out[4096];
	struct aes67_sap_msg m;

	(void)state;
	size_t n = decode_golden("ipv4-announce.bin", "aes67-linux-daemon-1.sdp", pkt, sizeof(pkt),
				 &m);
	assert_int_equal(n, 676);
	assert_int_equal(m.origin.family, 4);
	assert_memory_equal(m.origin.addr, ipv4_17, 4);
	assert_int_equal(m.msg_id_hash, 0xd868);
	assert_false(m.deletion);
	assert_true(m.has_payload_type);
	assert_int_equal(m.auth_bytes, 0);
	assert_null(m.auth);
	assert_ptr_equal(m.payload, pkt + 24); /* points into the caller's buffer */

	rt_guard_enter(RT_GUARD_CORE);
	uint16_t h = aes67_sap_msg_id_hash(m.payload, m.payload_bytes);
	int r = aes67_sap_encode(out, sizeof(out), &m);
	unsigned v = rt_guard_leave();
	assert_int_equal(v, 0);
	assert_int_equal(h, 0xd868); /* same hash as the Python generator computed */
	assert_int_equal(r, (int)n);
	assert_memory_equal(out, pkt, n);
}

static void test_golden_ipv6(void **state)
{
	uint8_t pkt[4096];
	uint8_t out[4096];
	struct aes67_sap_msg m;

	(void)state;
	size_t n = decode_golden("ipv6-announce.bin", "merging-anubis-1.sdp", pkt, sizeof(pkt), &m);
	assert_int_equal(m.origin.family, 6);
	assert_memory_equal(m.origin.addr, ipv6_17, 16);
	assert_int_equal(m.msg_id_hash, 0xed2d);
	assert_int_equal(aes67_sap_msg_id_hash(m.payload, m.payload_bytes), 0xed2d);
	assert_true(m.has_payload_type);
	assert_int_equal(aes67_sap_encode(out, sizeof(out), &m), (int)n);
	assert_memory_equal(out, pkt, n);
}

static void test_golden_notype_auth(void **state)
{
	static const uint8_t auth[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t origin[4] = {10, 0, 0, 5};
	uint8_t pkt[4096];
	struct aes67_sap_msg m;

	(void)state;
	(void)decode_golden("ipv4-notype-auth.bin", "dante-avio-usb-1.sdp", pkt, sizeof(pkt), &m);
	assert_false(m.has_payload_type);
	assert_memory_equal(m.origin.addr, origin, 4);
	assert_int_equal(m.auth_bytes, 8);
	assert_memory_equal(m.auth, auth, 8);
	assert_int_equal(m.msg_id_hash, 0xe55c);
	assert_memory_equal(m.payload, "v=0", 3);
}

static void test_golden_delete(void **state)
{
	static const char o_line[] = "o=- 2831159553 317021570 IN IP4 192.168.1.17\r\n";
	uint8_t pkt[4096];
	struct aes67_sap_msg m;

	(void)state;
	size_t n = read_data("ipv4-delete.bin", pkt, sizeof(pkt));
	assert_int_equal(aes67_sap_decode(&m, pkt, n), 0);
	assert_true(m.deletion);
	assert_int_equal(m.msg_id_hash, 0xd868);
	assert_int_equal(m.payload_bytes, sizeof(o_line) - 1);
	assert_memory_equal(m.payload, o_line, sizeof(o_line) - 1);

	/* Without a payload type, an o=-only payload is accepted for deletions alone. */
	uint8_t raw[128] = {0x24, 0, 0xd8, 0x68, 192, 168, 1, 17};
	memcpy(raw + 8, o_line, sizeof(o_line) - 1);
	size_t raw_len = 8 + sizeof(o_line) - 1;
	assert_int_equal(aes67_sap_decode(&m, raw, raw_len), 0);
	assert_false(m.has_payload_type);
	assert_int_equal(m.payload_bytes, sizeof(o_line) - 1);
	raw[0] = 0x20; /* the same as an announcement: neither v=0 nor a typed payload */
	assert_int_equal(aes67_sap_decode(&m, raw, raw_len), -AES67_EMALFORMED);
}

/* Every prefix of a real packet: exact refusal codes, and no read past the given length. */
static void test_every_truncation(void **state)
{
	uint8_t pkt[4096];
	struct aes67_sap_msg m;

	(void)state;
	size_t n = read_data("ipv4-announce.bin", pkt, sizeof(pkt));
	for (size_t len = 0; len <= n; len++) {
		/* A fresh copy of exactly len bytes, so ASan catches any over-read. */
		uint8_t copy[4096];
		memcpy(copy, pkt, len);
		int r = aes67_sap_decode(&m, copy, len);
		int want;
		if (len < 8) {
			want = -AES67_ETRUNCATED; /* header (4) or origin (4) incomplete */
		} else if (len == 8) {
			want = -AES67_ETRUNCATED; /* nothing after the origin */
		} else if (len < 24) {
			want = -AES67_EMALFORMED; /* payload type without its NUL */
		} else if (len == 24) {
			want = -AES67_ETRUNCATED; /* type present, payload empty */
		} else {
			want = 0;
		}
		assert_int_equal(r, want);
		if (r == 0) {
			assert_int_equal(m.payload_bytes, len - 24);
		}
	}
	/* Auth data longer than the datagram: auth length 255 words. */
	pkt[1] = 255;
	assert_int_equal(aes67_sap_decode(&m, pkt, n), -AES67_ETRUNCATED);
	/* IPv6 flag on an IPv4-sized packet that is too short for 16 bytes of origin. */
	uint8_t v6[12] = {0x30, 0, 0, 1, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0};
	assert_int_equal(aes67_sap_decode(&m, v6, sizeof(v6)), -AES67_ETRUNCATED);
}

static void test_flag_refusals(void **state)
{
	uint8_t pkt[4096];
	struct aes67_sap_msg m;

	(void)state;
	size_t n = read_data("ipv4-announce.bin", pkt, sizeof(pkt));
	const struct {
		uint8_t flags;
		int want;
	} cases[] = {
		{0x00, -AES67_EVERSION},    /* V = 0 */
		{0x40, -AES67_EVERSION},    /* V = 2 */
		{0xe0, -AES67_EVERSION},    /* V = 7 */
		{0x22, -AES67_EENCRYPTED},  /* E */
		{0x21, -AES67_ECOMPRESSED}, /* C */
		{0x23, -AES67_EENCRYPTED},  /* E and C: E reported */
		{0x28, 0},		    /* R set: ignored (§6) */
		{0x20, 0},
	};
	for (size_t i = 0; i < AES67_ARRAY_SIZE(cases); i++) {
		pkt[0] = cases[i].flags;
		assert_int_equal(aes67_sap_decode(&m, pkt, n), cases[i].want);
	}
	assert_int_equal(aes67_sap_decode(NULL, pkt, n), -EINVAL);
	assert_int_equal(aes67_sap_decode(&m, NULL, n), -EINVAL);
}

static int decode_with_type(const char *type)
{
	uint8_t pkt[256] = {0x20, 0, 0x12, 0x34, 10, 0, 0, 1};
	size_t tlen = strlen(type);
	struct aes67_sap_msg m;

	memcpy(pkt + 8, type, tlen + 1);
	memcpy(pkt + 8 + tlen + 1, "v=0\r\n", 5);
	return aes67_sap_decode(&m, pkt, 8 + tlen + 1 + 5);
}

static void test_payload_type(void **state)
{
	(void)state;
	assert_int_equal(decode_with_type("application/sdp"), 0);
	assert_int_equal(decode_with_type("Application/SDP"), 0); /* MIME types are caseless */
	assert_int_equal(decode_with_type("application/sdpx"), -AES67_EPAYLOADTYPE);
	assert_int_equal(decode_with_type("application/sd"), -AES67_EPAYLOADTYPE);
	assert_int_equal(decode_with_type("text/plain"), -AES67_EPAYLOADTYPE);
	assert_int_equal(decode_with_type(""), -AES67_EPAYLOADTYPE);
}

static void test_encode_round_trip_and_refusals(void **state)
{
	static const uint8_t auth[12] = {0xa1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
	static const char sdp[] = "v=0\r\no=- 1 2 IN IP6 2001:db8::17\r\ns=x\r\n";
	uint8_t buf[256];
	struct aes67_sap_msg in = {
		.origin = {.family = 6},
		.msg_id_hash = 0xbeef,
		.deletion = true,
		.auth = auth,
		.auth_bytes = sizeof(auth),
		.payload = (const uint8_t *)sdp,
		.payload_bytes = sizeof(sdp) - 1,
	};
	struct aes67_sap_msg out;

	(void)state;
	memcpy(in.origin.addr, ipv6_17, 16);
	size_t total = 4 + 16 + sizeof(auth) + 16 + sizeof(sdp) - 1;
	for (size_t cap = 0; cap < total; cap++) {
		assert_int_equal(aes67_sap_encode(buf, cap, &in), -AES67_ENOSPACE);
	}
	rt_guard_enter(RT_GUARD_CORE);
	int r = aes67_sap_encode(buf, total, &in);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(r, (int)total);
	assert_int_equal(buf[0], 0x34); /* V=1, A=1, T=1 */
	assert_int_equal(buf[1], 3);
	assert_int_equal(aes67_sap_decode(&out, buf, total), 0);
	assert_true(out.deletion);
	assert_true(aes67_sap_origin_equal(&out.origin, &in.origin));
	assert_int_equal(out.msg_id_hash, 0xbeef);
	assert_int_equal(out.auth_bytes, sizeof(auth));
	assert_memory_equal(out.auth, auth, sizeof(auth));
	assert_int_equal(out.payload_bytes, sizeof(sdp) - 1);
	assert_memory_equal(out.payload, sdp, sizeof(sdp) - 1);

	struct aes67_sap_msg bad = in;
	bad.origin.family = 5;
	assert_int_equal(aes67_sap_encode(buf, sizeof(buf), &bad), -EINVAL);
	bad = in;
	bad.auth_bytes = 6;
	assert_int_equal(aes67_sap_encode(buf, sizeof(buf), &bad), -EINVAL);
	bad = in;
	bad.auth_bytes = AES67_SAP_AUTH_MAX_BYTES + 4;
	assert_int_equal(aes67_sap_encode(buf, sizeof(buf), &bad), -EINVAL);
	bad = in;
	bad.auth = NULL;
	assert_int_equal(aes67_sap_encode(buf, sizeof(buf), &bad), -EINVAL);
	bad = in;
	bad.payload_bytes = 0;
	assert_int_equal(aes67_sap_encode(buf, sizeof(buf), &bad), -EINVAL);
	assert_int_equal(aes67_sap_encode(NULL, sizeof(buf), &in), -EINVAL);
	assert_int_equal(aes67_sap_encode(buf, sizeof(buf), NULL), -EINVAL);
}

/* Reference FNV-1a 32 folded to 16 bits, before the 0 -> 1 substitution. */
static uint16_t raw_fold(const uint8_t *p, size_t n)
{
	uint32_t h = 0x811c9dc5u;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ p[i]) * 0x01000193u;
	}
	return (uint16_t)((h >> 16) ^ (h & 0xffffu));
}

static void test_msg_id_hash(void **state)
{
	(void)state;
	/* Empty input: the FNV offset basis 0x811c9dc5 folds to 0x811c ^ 0x9dc5. */
	assert_int_equal(aes67_sap_msg_id_hash(NULL, 0), 0x1cd9);
	assert_int_equal(aes67_sap_msg_id_hash((const uint8_t *)"a", 1),
			 raw_fold((const uint8_t *)"a", 1));
	/* A one-byte change changes it (sess-version bump). */
	assert_int_not_equal(aes67_sap_msg_id_hash((const uint8_t *)"o=- 1 1", 7),
			     aes67_sap_msg_id_hash((const uint8_t *)"o=- 1 2", 7));
	/* Find an input whose raw fold is 0: the function must return 1 instead (RFC 2974 §6). */
	bool found = false;
	for (uint32_t i = 0; i < (1u << 22) && !found; i++) {
		uint8_t b[4] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8),
				(uint8_t)i};
		if (raw_fold(b, 4) == 0) {
			assert_int_equal(aes67_sap_msg_id_hash(b, 4), 1);
			found = true;
		}
	}
	assert_true(found);
}

static void test_timing(void **state)
{
	struct aes67_sap_config cfg;

	(void)state;
	aes67_sap_config_init(&cfg);
	assert_int_equal(cfg.interval_s, 30);
	assert_int_equal(cfg.bandwidth_bps, 4000);
	assert_int_equal(cfg.timeout_s, 0);

	/* §3.1: max(300, 8 x bytes / limit). */
	assert_int_equal(aes67_sap_rfc_interval_s(0, 4000), 300);
	assert_int_equal(aes67_sap_rfc_interval_s(150000, 4000), 300);
	assert_int_equal(aes67_sap_rfc_interval_s(150500, 4000), 301);
	assert_int_equal(aes67_sap_rfc_interval_s(1000000, 4000), 2000);
	assert_int_equal(aes67_sap_rfc_interval_s(1000000, 0), 2000); /* 0 = default limit */
	assert_int_equal(aes67_sap_rfc_interval_s(1000000, 8000), 1000);
	assert_int_equal(aes67_sap_rfc_interval_s(UINT64_MAX, 4000), UINT32_MAX);

	assert_int_equal(aes67_sap_interval_s(&cfg, 1000000), 30); /* fixed */
	cfg.interval_s = 0;
	assert_int_equal(aes67_sap_interval_s(&cfg, 1000000), 2000);

	/* §4: max(10 x interval, 3600 s), unless configured. */
	assert_int_equal(aes67_sap_timeout_s(&cfg, 30), 3600);
	assert_int_equal(aes67_sap_timeout_s(&cfg, 360), 3600);
	assert_int_equal(aes67_sap_timeout_s(&cfg, 600), 6000);
	assert_int_equal(aes67_sap_timeout_s(&cfg, UINT32_MAX), UINT32_MAX);
	cfg.timeout_s = 120;
	assert_int_equal(aes67_sap_timeout_s(&cfg, 600), 120);

	/* §3.1 randomisation: uniform over [2/3, 4/3] x interval. */
	const uint64_t t = 5000000000ull;
	rt_guard_enter(RT_GUARD_CORE);
	uint64_t lo = aes67_sap_next_announce_ns(t, 30, 0);
	uint64_t mid = aes67_sap_next_announce_ns(t, 30, 1u << 31);
	uint64_t hi = aes67_sap_next_announce_ns(t, 30, UINT32_MAX);
	assert_int_equal(rt_guard_leave(), 0);
	assert_true(lo == t + 20000000000ull);
	assert_true(mid == t + 30000000000ull);
	assert_true(hi < t + 40000000000ull && hi > t + 39999999990ull);
	assert_true(aes67_sap_next_announce_ns(UINT64_MAX - 5, 30, 7) == UINT64_MAX);
	/* Largest interval: no overflow inside. */
	uint64_t big = aes67_sap_next_announce_ns(0, UINT32_MAX, UINT32_MAX);
	assert_true(big > (uint64_t)UINT32_MAX * 1000000000ull);
	assert_true(big < (uint64_t)UINT32_MAX * 1000000000ull / 3 * 4);
}

/* ---- Session cache ---- */

#define SEC 1000000000ull

struct recorder {
	enum aes67_sap_event kinds[16];
	char first_line[16][64];
	unsigned n;
};

static void record(void *user, enum aes67_sap_event ev, const struct aes67_sap_entry *e)
{
	struct recorder *r = user;

	if (r->n < AES67_ARRAY_SIZE(r->kinds)) {
		r->kinds[r->n] = ev;
		/* The entry is only valid during the call: copy what we check. */
		size_t len = strcspn(e->sdp, "\r\n");
		len = len < sizeof(r->first_line[0]) - 1 ? len : sizeof(r->first_line[0]) - 1;
		memcpy(r->first_line[r->n], e->sdp, len);
		r->first_line[r->n][len] = '\0';
	}
	r->n++;
}

static struct aes67_sap_msg make_msg(const uint8_t *v4, const char *sdp, bool deletion)
{
	struct aes67_sap_msg m = {
		.origin = {.family = 4},
		.deletion = deletion,
		.payload = (const uint8_t *)sdp,
		.payload_bytes = strlen(sdp),
	};
	memcpy(m.origin.addr, v4, 4);
	m.msg_id_hash = aes67_sap_msg_id_hash(m.payload, m.payload_bytes);
	return m;
}

/* Run one cache operation under the RT guard; fail on any allocation, lock, log or clock read. */
static int guarded(struct aes67_sap_cache *c, const struct aes67_sap_msg *m, uint64_t now)
{
	rt_guard_enter(RT_GUARD_CORE);
	int r = aes67_sap_cache_handle(c, m, now);
	assert_int_equal(rt_guard_leave(), 0);
	return r;
}

static const uint8_t host_a[4] = {192, 168, 1, 17};
static const uint8_t host_b[4] = {192, 168, 1, 66};

static const char sdp_a1[] = "v=0\r\no=- 2831159553 1 IN IP4 192.168.1.17\r\ns=A\r\n";
static const char sdp_a2[] = "v=0\r\no=- 2831159553 2 IN IP4 192.168.1.17\r\ns=A renamed\r\n";
static const char sdp_b1[] = "v=0\r\no=- 77 1 IN IP4 192.168.1.17\r\ns=B\r\n";
static const char del_a[] = "o=- 2831159553 2 IN IP4 192.168.1.17\r\n";

static struct aes67_sap_entry entries[4];

static void test_cache_lifecycle(void **state)
{
	struct aes67_sap_cache c;
	struct recorder rec = {0};

	(void)state;
	assert_int_equal(aes67_sap_cache_init(&c, entries, 4, 60 * SEC, record, &rec), 0);

	struct aes67_sap_msg a1 = make_msg(host_a, sdp_a1, false);
	assert_int_equal(guarded(&c, &a1, 1 * SEC), AES67_SAP_EVENT_ADDED);
	assert_int_equal(guarded(&c, &a1, 2 * SEC), AES67_SAP_EVENT_NONE); /* refresh */
	assert_int_equal(c.count, 1);

	/* Modified SDP: new hash, bumped sess-version, same o= identity: an update in place. */
	struct aes67_sap_msg a2 = make_msg(host_a, sdp_a2, false);
	assert_int_not_equal(a2.msg_id_hash, a1.msg_id_hash);
	assert_int_equal(guarded(&c, &a2, 3 * SEC), AES67_SAP_EVENT_UPDATED);
	assert_int_equal(c.count, 1);
	assert_null(aes67_sap_cache_find(&c, &a1.origin, a1.msg_id_hash));
	const struct aes67_sap_entry *e = aes67_sap_cache_find(&c, &a2.origin, a2.msg_id_hash);
	assert_non_null(e);
	assert_string_equal(e->sdp, sdp_a2);
	assert_int_equal(e->sdp_bytes, strlen(sdp_a2));
	assert_true(e->first_seen_ns == 1 * SEC);
	assert_true(e->last_seen_ns == 3 * SEC);
	assert_int_equal(e->announcements, 3);
	assert_true(e->has_o);
	assert_int_equal(e->o[AES67_SAP_O_SESS_ID].len, 10);
	assert_memory_equal(e->sdp + e->o[AES67_SAP_O_SESS_ID].off, "2831159553", 10);
	assert_memory_equal(e->sdp + e->o[AES67_SAP_O_SESS_VERSION].off, "2", 1);
	assert_memory_equal(e->sdp + e->o[AES67_SAP_O_ADDRESS].off, "192.168.1.17", 12);

	/* A second session of the same host. */
	struct aes67_sap_msg b1 = make_msg(host_a, sdp_b1, false);
	assert_int_equal(guarded(&c, &b1, 4 * SEC), AES67_SAP_EVENT_ADDED);
	size_t cursor = 0;
	unsigned seen = 0;
	while (aes67_sap_cache_next(&c, &cursor)) {
		seen++;
	}
	assert_int_equal(seen, 2);

	/* The deletion of A (o= line only, hash of the current version). */
	struct aes67_sap_msg d = make_msg(host_a, del_a, true);
	d.msg_id_hash = a2.msg_id_hash;
	assert_int_equal(guarded(&c, &d, 5 * SEC), AES67_SAP_EVENT_DELETED);
	assert_int_equal(c.count, 1);
	assert_null(aes67_sap_cache_find(&c, &a2.origin, a2.msg_id_hash));
	assert_int_equal(guarded(&c, &d, 6 * SEC), -AES67_ENOTFOUND);

	assert_int_equal(rec.n, 4);
	assert_int_equal(rec.kinds[0], AES67_SAP_EVENT_ADDED);
	assert_int_equal(rec.kinds[1], AES67_SAP_EVENT_UPDATED);
	assert_int_equal(rec.kinds[2], AES67_SAP_EVENT_ADDED);
	assert_int_equal(rec.kinds[3], AES67_SAP_EVENT_DELETED);
	assert_string_equal(rec.first_line[3], "v=0"); /* callback saw the entry before release */
	assert_true(c.stats.added == 2 && c.stats.updated == 1 && c.stats.refreshed == 1);
	assert_true(c.stats.deleted == 1 && c.stats.deletions_unknown == 1);
}

static void test_cache_forged_deletion(void **state)
{
	struct aes67_sap_cache c;

	(void)state;
	assert_int_equal(aes67_sap_cache_init(&c, entries, 4, 60 * SEC, NULL, NULL), 0);
	struct aes67_sap_msg a1 = make_msg(host_a, sdp_a1, false);
	assert_int_equal(guarded(&c, &a1, 0), AES67_SAP_EVENT_ADDED);

	/* Same hash and o= identity, sent from another host: refused, entry kept. */
	struct aes67_sap_msg forged = make_msg(host_b, sdp_a1, true);
	assert_int_equal(guarded(&c, &forged, SEC), -EPERM);
	/* Only the o= line, right hash, wrong origin: refused too. */
	struct aes67_sap_msg forged_o = make_msg(host_b, del_a, true);
	forged_o.msg_id_hash = a1.msg_id_hash;
	assert_int_equal(guarded(&c, &forged_o, SEC), -EPERM);
	/* Right origin and hash but another session's o= identity: refused. */
	struct aes67_sap_msg other_o = make_msg(host_a, sdp_b1, true);
	other_o.msg_id_hash = a1.msg_id_hash;
	assert_int_equal(guarded(&c, &other_o, SEC), -EPERM);
	/* Right origin and o= identity, stale hash: refused (origin AND hash must match). */
	struct aes67_sap_msg stale = make_msg(host_a, del_a, true);
	stale.msg_id_hash = (uint16_t)(a1.msg_id_hash + 1);
	assert_int_equal(guarded(&c, &stale, SEC), -EPERM);

	assert_int_equal(c.count, 1);
	assert_non_null(aes67_sap_cache_find(&c, &a1.origin, a1.msg_id_hash));
	assert_true(c.stats.deletions_refused == 4);
	assert_true(c.stats.deleted == 0);

	/* A different session entirely, from anywhere: unknown, not refused. */
	struct aes67_sap_msg unknown = make_msg(host_b, sdp_b1, true);
	assert_int_equal(guarded(&c, &unknown, SEC), -AES67_ENOTFOUND);
	assert_true(c.stats.deletions_unknown == 1);

	/* The genuine deletion works. */
	struct aes67_sap_msg genuine = make_msg(host_a, sdp_a1, true);
	assert_int_equal(guarded(&c, &genuine, SEC), AES67_SAP_EVENT_DELETED);
	assert_int_equal(c.count, 0);
}

static void test_cache_expiry(void **state)
{
	struct aes67_sap_cache c;
	struct recorder rec = {0};

	(void)state;
	assert_int_equal(aes67_sap_cache_init(&c, entries, 4, 60 * SEC, record, &rec), 0);
	assert_true(aes67_sap_cache_next_expiry_ns(&c) == UINT64_MAX);
	struct aes67_sap_msg a1 = make_msg(host_a, sdp_a1, false);
	struct aes67_sap_msg b1 = make_msg(host_a, sdp_b1, false);
	assert_int_equal(guarded(&c, &a1, 0), AES67_SAP_EVENT_ADDED);
	assert_int_equal(guarded(&c, &b1, 10 * SEC), AES67_SAP_EVENT_ADDED);
	assert_true(aes67_sap_cache_next_expiry_ns(&c) == 60 * SEC);

	rt_guard_enter(RT_GUARD_CORE);
	size_t n0 = aes67_sap_cache_expire(&c, 60 * SEC - 1);
	size_t n1 = aes67_sap_cache_expire(&c, 60 * SEC);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(n0, 0);
	assert_int_equal(n1, 1);
	assert_int_equal(rec.kinds[rec.n - 1], AES67_SAP_EVENT_EXPIRED);
	assert_string_equal(rec.first_line[rec.n - 1], "v=0");
	assert_null(aes67_sap_cache_find(&c, &a1.origin, a1.msg_id_hash));
	assert_true(aes67_sap_cache_next_expiry_ns(&c) == 70 * SEC);

	/* A refresh pushes expiry out; a clock that went backwards expires nothing. */
	assert_int_equal(guarded(&c, &b1, 65 * SEC), AES67_SAP_EVENT_NONE);
	assert_int_equal(aes67_sap_cache_expire(&c, 100 * SEC), 0);
	assert_int_equal(aes67_sap_cache_expire(&c, 5 * SEC), 0);
	assert_int_equal(aes67_sap_cache_expire(&c, 125 * SEC), 1);
	assert_int_equal(c.count, 0);
	assert_true(c.stats.expired == 2);
}

static void test_cache_full_refuses(void **state)
{
	struct aes67_sap_cache c;
	char sdps[3][96];
	struct aes67_sap_msg m[3];

	(void)state;
	assert_int_equal(aes67_sap_cache_init(&c, entries, 2, 60 * SEC, NULL, NULL), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(sdps[i], sizeof(sdps[i]),
			 "v=0\r\no=- %d 1 IN IP4 192.168.1.17\r\ns=%d\r\n", 100 + i, i);
		m[i] = make_msg(host_a, sdps[i], false);
	}
	assert_int_equal(guarded(&c, &m[0], 0), AES67_SAP_EVENT_ADDED);
	assert_int_equal(guarded(&c, &m[1], SEC), AES67_SAP_EVENT_ADDED);
	/* Full: the newcomer is refused; the established sessions stay and still refresh. */
	assert_int_equal(guarded(&c, &m[2], 2 * SEC), -AES67_ENOSPACE);
	assert_int_equal(guarded(&c, &m[2], 2 * SEC), -AES67_ENOSPACE);
	assert_true(c.stats.refused_full == 2);
	assert_int_equal(c.count, 2);
	assert_int_equal(guarded(&c, &m[0], 3 * SEC), AES67_SAP_EVENT_NONE);
	/* After the second one expires there is room again. */
	assert_int_equal(aes67_sap_cache_expire(&c, 61 * SEC), 1);
	assert_int_equal(guarded(&c, &m[2], 62 * SEC), AES67_SAP_EVENT_ADDED);
	assert_int_equal(c.count, 2);
}

static void test_cache_refusals(void **state)
{
	static char big[AES67_SAP_SDP_MAX_BYTES + 2];
	struct aes67_sap_cache c;

	(void)state;
	assert_int_equal(aes67_sap_cache_init(NULL, entries, 4, SEC, NULL, NULL), -EINVAL);
	assert_int_equal(aes67_sap_cache_init(&c, NULL, 4, SEC, NULL, NULL), -EINVAL);
	assert_int_equal(aes67_sap_cache_init(&c, entries, 0, SEC, NULL, NULL), -EINVAL);
	assert_int_equal(aes67_sap_cache_init(&c, entries, 4, 0, NULL, NULL), -EINVAL);
	assert_int_equal(aes67_sap_cache_init(&c, entries, 4, SEC, NULL, NULL), 0);

	/* Exactly the maximum is stored; one byte more is refused and counted. */
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "v=0\r\n", 5);
	big[AES67_SAP_SDP_MAX_BYTES] = '\0';
	struct aes67_sap_msg m = make_msg(host_a, big, false);
	assert_int_equal(guarded(&c, &m, 0), AES67_SAP_EVENT_ADDED);
	const struct aes67_sap_entry *e = aes67_sap_cache_find(&c, &m.origin, m.msg_id_hash);
	assert_non_null(e);
	assert_int_equal(e->sdp_bytes, AES67_SAP_SDP_MAX_BYTES);
	assert_false(e->has_o);
	m.payload_bytes = AES67_SAP_SDP_MAX_BYTES + 1;
	assert_int_equal(guarded(&c, &m, 0), -EMSGSIZE);
	assert_true(c.stats.refused_too_big == 1);

	/* A NUL inside, an empty payload, a bad family: malformed. */
	static const uint8_t nul_sdp[] = "v=0\r\n\0s=x\r\n";
	m = make_msg(host_a, "v=0", false);
	m.payload = nul_sdp;
	m.payload_bytes = sizeof(nul_sdp) - 1;
	assert_int_equal(guarded(&c, &m, 0), -AES67_EMALFORMED);
	m.payload_bytes = 0;
	assert_int_equal(guarded(&c, &m, 0), -AES67_EMALFORMED);
	m = make_msg(host_a, "v=0", false);
	m.origin.family = 0;
	assert_int_equal(guarded(&c, &m, 0), -AES67_EMALFORMED);
	assert_true(c.stats.refused_malformed == 3);
	assert_int_equal(aes67_sap_cache_announce(NULL, &m, 0), -EINVAL);
	assert_int_equal(aes67_sap_cache_handle(&c, NULL, 0), -EINVAL);
}

/* Without o= lines, sessions are told apart by hash; with o= lines, hash collisions do not merge.
 */
static void test_cache_identity_rules(void **state)
{
	struct aes67_sap_cache c;

	(void)state;
	assert_int_equal(aes67_sap_cache_init(&c, entries, 4, 60 * SEC, NULL, NULL), 0);
	/* Two different sessions of one host whose hashes collide: kept apart by o=. */
	struct aes67_sap_msg a1 = make_msg(host_a, sdp_a1, false);
	struct aes67_sap_msg b1 = make_msg(host_a, sdp_b1, false);
	b1.msg_id_hash = a1.msg_id_hash;
	assert_int_equal(guarded(&c, &a1, 0), AES67_SAP_EVENT_ADDED);
	assert_int_equal(guarded(&c, &b1, 0), AES67_SAP_EVENT_ADDED);
	assert_int_equal(c.count, 2);

	/* The same session text from another host is another session. */
	struct aes67_sap_msg a1b = make_msg(host_b, sdp_a1, false);
	assert_int_equal(guarded(&c, &a1b, 0), AES67_SAP_EVENT_ADDED);

	/* No o= line (malformed o= counts as none): keyed by hash; new text = update. */
	assert_int_equal(aes67_sap_cache_init(&c, entries, 4, 60 * SEC, NULL, NULL), 0);
	struct aes67_sap_msg n1 = make_msg(host_a, "v=0\r\ns=no origin\r\n", false);
	struct aes67_sap_msg n2 = make_msg(host_a, "v=0\r\no=- 1 IN\r\ns=bad origin\r\n", false);
	n2.msg_id_hash = n1.msg_id_hash;
	assert_int_equal(guarded(&c, &n1, 0), AES67_SAP_EVENT_ADDED);
	assert_int_equal(guarded(&c, &n2, 0), AES67_SAP_EVENT_UPDATED);
	assert_int_equal(c.count, 1);
	assert_false(aes67_sap_cache_find(&c, &n2.origin, n2.msg_id_hash)->has_o);
}

/* The whole path: golden packets decoded, fed to the cache, deleted by the golden deletion. */
static void test_cache_golden_pipeline(void **state)
{
	uint8_t ann[4096];
	uint8_t del[4096];
	struct aes67_sap_msg m;
	struct aes67_sap_cache c;

	(void)state;
	size_t na = read_data("ipv4-announce.bin", ann, sizeof(ann));
	size_t nd = read_data("ipv4-delete.bin", del, sizeof(del));
	assert_int_equal(aes67_sap_cache_init(&c, entries, 4, 60 * SEC, NULL, NULL), 0);
	assert_int_equal(aes67_sap_decode(&m, ann, na), 0);
	assert_int_equal(guarded(&c, &m, 0), AES67_SAP_EVENT_ADDED);
	assert_int_equal(aes67_sap_decode(&m, del, nd), 0);
	assert_true(m.deletion);
	assert_int_equal(guarded(&c, &m, SEC), AES67_SAP_EVENT_DELETED);
	assert_int_equal(c.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_ipv4),
		cmocka_unit_test(test_golden_ipv6),
		cmocka_unit_test(test_golden_notype_auth),
		cmocka_unit_test(test_golden_delete),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_flag_refusals),
		cmocka_unit_test(test_payload_type),
		cmocka_unit_test(test_encode_round_trip_and_refusals),
		cmocka_unit_test(test_msg_id_hash),
		cmocka_unit_test(test_timing),
		cmocka_unit_test(test_cache_lifecycle),
		cmocka_unit_test(test_cache_forged_deletion),
		cmocka_unit_test(test_cache_expiry),
		cmocka_unit_test(test_cache_full_refuses),
		cmocka_unit_test(test_cache_refusals),
		cmocka_unit_test(test_cache_identity_rules),
		cmocka_unit_test(test_cache_golden_pipeline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
