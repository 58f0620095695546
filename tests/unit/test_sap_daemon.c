// SPDX-License-Identifier: MIT
/*
 * Unit tests for aes67d's SAP part without sockets: the announcer (sap_announcer.c) driven by a
 * fake clock and a capturing send callback — announce on add, nothing until the deadline, the
 * RFC 2974 §3.1 jitter window, re-announce with a new hash on an SDP change, deletion on remove
 * and on stop, TTL from c=, refusals; the listener (sap_listener.c) — forged deletions from a
 * host that is not the origin, decoder refusals counted by reason; the announcer's packets fed to
 * the listener (what a peer sees); the session summary (sap_summary.c); the setting parser.
 * Golden SDPs in tests/data/sap_daemon/.
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
#include "daemon.h"
#include "sap_announcer.h"
#include "sap_daemon.h"
#include "sap_listener.h"
#include "sap_summary.h"

#define S_NS 1000000000ull
#define MAX_PKTS 16

struct capture {
	size_t n;
	int fail; /* return this from send when non-zero */
	uint32_t random;
	unsigned ttl[MAX_PKTS];
	size_t len[MAX_PKTS];
	uint8_t pkt[MAX_PKTS][4096];
};

static struct capture cap;
static struct aes67d_sap_announcer *ann;
static const struct aes67_sap_origin our = {.family = 4, .addr = {198, 51, 100, 1}};
static const struct aes67_sap_origin other = {.family = 4, .addr = {198, 51, 100, 9}};

static int send_cb(void *user, const uint8_t *pkt, size_t len, unsigned ttl)
{
	struct capture *c = user;

	if (c->fail != 0) {
		return c->fail;
	}
	assert_true(c->n < MAX_PKTS);
	assert_true(len <= sizeof(c->pkt[0]));
	memcpy(c->pkt[c->n], pkt, len);
	c->len[c->n] = len;
	c->ttl[c->n] = ttl;
	c->n++;
	return (int)len;
}

static uint32_t random_cb(void *user)
{
	return ((struct capture *)user)->random;
}

static void load_item(struct aes67d_announce_item *it, const char *name, const char *file)
{
	char path[512];
	FILE *f;

	memset(it, 0, sizeof(*it));
	snprintf(it->name, sizeof(it->name), "%s", name);
	assert_true(snprintf(path, sizeof(path), "%s/sap_daemon/%s", AES67_TEST_DATA_DIR, file) <
		    (int)sizeof(path));
	f = fopen(path, "rb");
	assert_non_null(f);
	it->sdp_bytes = fread(it->sdp, 1, sizeof(it->sdp) - 1, f);
	assert_true(feof(f));
	fclose(f);
	assert_true(it->sdp_bytes > 0);
}

static size_t load_golden(const char *file, uint8_t *buf, size_t cap_bytes)
{
	char path[512];
	size_t n;
	FILE *f;

	assert_true(snprintf(path, sizeof(path), "%s/sap_daemon/%s", AES67_TEST_DATA_DIR, file) <
		    (int)sizeof(path));
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, cap_bytes, f);
	assert_true(feof(f));
	fclose(f);
	return n;
}

static void decode(size_t i, struct aes67_sap_msg *msg)
{
	assert_true(i < cap.n);
	assert_int_equal(aes67_sap_decode(msg, cap.pkt[i], cap.len[i]), 0);
	assert_true(aes67_sap_origin_equal(&msg->origin, &our));
	assert_true(msg->has_payload_type);
}

static int setup(void **state)
{
	memset(&cap, 0, sizeof(cap));
	ann = malloc(sizeof(*ann));
	assert_non_null(ann);
	assert_int_equal(aes67d_sap_announcer_init(ann, &our, 30, send_cb, random_cb, &cap), 0);
	return 0;
}

static int teardown(void **state)
{
	free(ann);
	ann = NULL;
	return 0;
}

/* Byte for byte what the independent Python writer (make_golden.py) builds from RFC 2974 §6;
 * test_sap_tshark.sh shows tshark dissects those bytes with no malformed field. */
static void test_golden_packets(void **state)
{
	struct aes67d_announce_item it;
	uint8_t golden[4096];
	size_t n;

	load_item(&it, "tx1", "tx-l24.sdp");
	assert_int_equal(aes67d_sap_announcer_sync(ann, &it, 1, 0), 1);
	assert_int_equal(aes67d_sap_announcer_stop(ann), 1);
	n = load_golden("announce-tx-l24.bin", golden, sizeof(golden));
	assert_int_equal(cap.len[0], n);
	assert_memory_equal(cap.pkt[0], golden, n);
	n = load_golden("delete-tx-l24.bin", golden, sizeof(golden));
	assert_int_equal(cap.len[1], n);
	assert_memory_equal(cap.pkt[1], golden, n);
}

static void test_init_refuses(void **state)
{
	struct aes67_sap_origin bad = {.family = 5};

	assert_int_equal(aes67d_sap_announcer_init(ann, &our, 0, send_cb, random_cb, &cap),
			 -EINVAL);
	assert_int_equal(aes67d_sap_announcer_init(ann, &bad, 30, send_cb, random_cb, &cap),
			 -EINVAL);
	assert_int_equal(aes67d_sap_announcer_init(ann, &our, 30, NULL, random_cb, &cap), -EINVAL);
	assert_int_equal(aes67d_sap_announcer_next_ns(ann), UINT64_MAX);
}

/* A new session is announced at once, with the SDP, its hash and the TTL of its c= line. */
static void test_announce_on_add(void **state)
{
	struct aes67d_announce_item it;
	struct aes67_sap_msg msg;

	load_item(&it, "tx1", "tx-l24.sdp");
	assert_int_equal(aes67d_sap_announcer_sync(ann, &it, 1, 5 * S_NS), 1);
	assert_int_equal(cap.n, 1);
	decode(0, &msg);
	assert_false(msg.deletion);
	assert_int_equal(msg.payload_bytes, it.sdp_bytes);
	assert_memory_equal(msg.payload, it.sdp, it.sdp_bytes);
	assert_int_equal(msg.msg_id_hash,
			 aes67_sap_msg_id_hash((const uint8_t *)it.sdp, it.sdp_bytes));
	assert_int_equal(cap.ttl[0], 32);
	assert_int_equal(aes67d_sap_announcer_count(ann), 1);
	assert_int_equal(ann->stats.announcements, 1);
	/* random 0: the earliest point of the §3.1 window, interval - interval/3 = 20 s */
	assert_int_equal(aes67d_sap_announcer_next_ns(ann), 25 * S_NS);
	/* the same list again changes nothing */
	assert_int_equal(aes67d_sap_announcer_sync(ann, &it, 1, 6 * S_NS), 0);
	assert_int_equal(cap.n, 1);
}

/* Re-announcements wait for the deadline and keep the hash. */
static void test_reannounce_at_deadline(void **state)
{
	struct aes67d_announce_item it;
	struct aes67_sap_msg a, b;
	uint64_t next;

	load_item(&it, "tx1", "tx-l24.sdp");
	cap.random = UINT32_MAX; /* the latest point: about interval + interval/3 = 40 s */
	assert_int_equal(aes67d_sap_announcer_sync(ann, &it, 1, 0), 1);
	next = aes67d_sap_announcer_next_ns(ann);
	assert_true(next > 39 * S_NS && next <= 40 * S_NS);
	assert_int_equal(aes67d_sap_announcer_tick(ann, next - 1), 0);
	assert_int_equal(cap.n, 1);
	assert_int_equal(aes67d_sap_announcer_tick(ann, next), 1);
	assert_int_equal(cap.n, 2);
	decode(0, &a);
	decode(1, &b);
	assert_int_equal(a.msg_id_hash, b.msg_id_hash);
	assert_false(b.deletion);
	assert_true(aes67d_sap_announcer_next_ns(ann) > next + 39 * S_NS);
}

/* Every interval lies in [2/3, 4/3] x interval whatever the random value (RFC 2974 §3.1). */
static void test_jitter_window(void **state)
{
	static const uint32_t randoms[] = {0, 1, 0x55555555u, 0x80000000u, 0xdeadbeefu, UINT32_MAX};
	struct aes67d_announce_item it;
	uint64_t now = 0;

	load_item(&it, "tx1", "tx-l24.sdp");
	assert_int_equal(aes67d_sap_announcer_sync(ann, &it, 1, now), 1);
	for (size_t i = 0; i < AES67_ARRAY_SIZE(randoms); i++) {
		uint64_t next = aes67d_sap_announcer_next_ns(ann);

		assert_true(next - now >= 20 * S_NS && next - now <= 40 * S_NS);
		cap.random = randoms[i];
		cap.n = 0;
		now = next;
		assert_int_equal(aes67d_sap_announcer_tick(ann, now), 1);
	}
}

/* A removed stream gets one deletion with the hash of its last announcement. */
static void test_deletion_on_remove(void **state)
{
	struct aes67d_announce_item it[2];
	struct aes67_sap_msg a, d;

	load_item(&it[0], "tx1", "tx-l24.sdp");
	load_item(&it[1], "tx2", "tx-no-ttl.sdp");
	assert_int_equal(aes67d_sap_announcer_sync(ann, it, 2, 0), 2);
	assert_int_equal(cap.ttl[1], AES67D_SAP_DEFAULT_TTL);
	assert_int_equal(aes67d_sap_announcer_sync(ann, &it[1], 1, S_NS), 1);
	assert_int_equal(cap.n, 3);
	decode(0, &a);
	decode(2, &d);
	assert_true(d.deletion);
	assert_int_equal(d.msg_id_hash, a.msg_id_hash);
	assert_memory_equal(d.payload, it[0].sdp, it[0].sdp_bytes);
	assert_int_equal(aes67d_sap_announcer_count(ann), 1);
	assert_int_equal(ann->stats.deletions, 1);
	/* the remaining one is not touched */
	assert_int_equal(aes67d_sap_announcer_sync(ann, &it[1], 1, 2 * S_NS), 0);
}

/* A changed SDP is announced at once with a new hash (RFC 2974 §5), no deletion. */
static void test_reannounce_on_change(void **state)
{
	struct aes67d_announce_item v1, v2;
	struct aes67_sap_msg a, b;

	load_item(&v1, "tx1", "tx-l24.sdp");
	load_item(&v2, "tx1", "tx-l24-v2.sdp");
	assert_int_equal(aes67d_sap_announcer_sync(ann, &v1, 1, 0), 1);
	assert_int_equal(aes67d_sap_announcer_sync(ann, &v2, 1, 3 * S_NS), 1);
	assert_int_equal(cap.n, 2);
	decode(0, &a);
	decode(1, &b);
	assert_false(b.deletion);
	assert_int_not_equal(a.msg_id_hash, b.msg_id_hash);
	assert_memory_equal(b.payload, v2.sdp, v2.sdp_bytes);
	assert_int_equal(aes67d_sap_announcer_count(ann), 1);
	assert_int_equal(aes67d_sap_announcer_next_ns(ann), 23 * S_NS);
}

/* An SDP that does not parse is not announced; replacing a good one withdraws the good one. */
static void test_refusals(void **state)
{
	struct aes67d_announce_item good, bad, big;
	struct aes67_sap_msg d;

	load_item(&good, "tx1", "tx-l24.sdp");
	load_item(&bad, "tx1", "tx-bad.sdp");
	assert_int_equal(aes67d_sap_announcer_sync(ann, &bad, 1, 0), 0);
	assert_int_equal(ann->stats.refused_sdp, 1);
	assert_int_equal(aes67d_sap_announcer_count(ann), 0);
	assert_int_equal(aes67d_sap_announcer_sync(ann, &good, 1, S_NS), 1);
	assert_int_equal(aes67d_sap_announcer_sync(ann, &bad, 1, 2 * S_NS), 1);
	decode(1, &d);
	assert_true(d.deletion);
	assert_int_equal(aes67d_sap_announcer_count(ann), 0);

	memset(&big, 0, sizeof(big));
	snprintf(big.name, sizeof(big.name), "big");
	big.sdp_bytes = AES67_SAP_SDP_MAX_BYTES + 1;
	memset(big.sdp, 'a', big.sdp_bytes);
	assert_int_equal(aes67d_sap_announcer_sync(ann, &big, 1, 3 * S_NS), 0);
	assert_int_equal(ann->stats.refused_big, 1);
}

/* Stop deletes every session; send errors are counted and the session stays scheduled. */
static void test_stop_and_send_errors(void **state)
{
	struct aes67d_announce_item it[2];
	struct aes67_sap_msg m;

	load_item(&it[0], "tx1", "tx-l24.sdp");
	load_item(&it[1], "tx2", "tx-no-ttl.sdp");
	cap.fail = -ENETUNREACH;
	assert_int_equal(aes67d_sap_announcer_sync(ann, it, 2, 0), 0);
	assert_int_equal(ann->stats.send_errors, 2);
	assert_int_equal(aes67d_sap_announcer_count(ann), 2);
	cap.fail = 0;
	assert_int_equal(aes67d_sap_announcer_tick(ann, 40 * S_NS), 2);
	assert_int_equal(aes67d_sap_announcer_stop(ann), 2);
	assert_int_equal(cap.n, 4);
	decode(2, &m);
	assert_true(m.deletion);
	decode(3, &m);
	assert_true(m.deletion);
	assert_int_equal(aes67d_sap_announcer_count(ann), 0);
	assert_int_equal(aes67d_sap_announcer_next_ns(ann), UINT64_MAX);
}

/* What a peer's listener makes of our packets: added, updated, deleted. */
static void test_announcer_to_listener(void **state)
{
	static struct aes67_sap_entry entries[4];
	struct aes67d_sap_listener l;
	struct aes67d_announce_item v1, v2;

	assert_int_equal(aes67d_sap_listener_init(&l, entries, 4, 3600 * S_NS, NULL, NULL), 0);
	load_item(&v1, "tx1", "tx-l24.sdp");
	load_item(&v2, "tx1", "tx-l24-v2.sdp");
	assert_int_equal(aes67d_sap_announcer_sync(ann, &v1, 1, 0), 1);
	assert_int_equal(aes67d_sap_announcer_sync(ann, &v2, 1, S_NS), 1);
	assert_int_equal(aes67d_sap_announcer_sync(ann, NULL, 0, 2 * S_NS), 1);
	assert_int_equal(aes67d_sap_listener_handle(&l, cap.pkt[0], cap.len[0], &our, 0),
			 AES67_SAP_EVENT_ADDED);
	assert_int_equal(aes67d_sap_listener_handle(&l, cap.pkt[1], cap.len[1], &our, S_NS),
			 AES67_SAP_EVENT_UPDATED);
	assert_int_equal(l.cache.count, 1);
	/* the deletion replayed by another host is refused, from the origin it is honoured */
	assert_int_equal(aes67d_sap_listener_handle(&l, cap.pkt[2], cap.len[2], &other, 2 * S_NS),
			 -EPERM);
	assert_int_equal(l.stats.forged_deletion, 1);
	assert_int_equal(l.cache.count, 1);
	assert_int_equal(aes67d_sap_listener_handle(&l, cap.pkt[2], cap.len[2], &our, 2 * S_NS),
			 AES67_SAP_EVENT_DELETED);
	assert_int_equal(l.cache.count, 0);
	/* a second deletion is of an unknown session */
	assert_int_equal(aes67d_sap_listener_handle(&l, cap.pkt[2], cap.len[2], &our, 3 * S_NS),
			 -AES67_ENOTFOUND);
	assert_int_equal(l.stats.unknown_deletion, 1);
	assert_int_equal(l.stats.received, 5);
}

/* Decoder refusals are counted by reason; a forged origin in the header is caught too. */
static void test_listener_refusals(void **state)
{
	static struct aes67_sap_entry entries[1];
	struct aes67d_sap_listener l;
	struct aes67d_announce_item v1, v2;
	uint8_t pkt[4096];
	size_t len;

	assert_int_equal(aes67d_sap_listener_init(&l, entries, 1, 10 * S_NS, NULL, NULL), 0);
	load_item(&v1, "tx1", "tx-l24.sdp");
	load_item(&v2, "tx2", "tx-no-ttl.sdp");
	assert_int_equal(aes67d_sap_announcer_sync(ann, &v1, 1, 0), 1);
	assert_int_equal(aes67d_sap_announcer_sync(ann, &v2, 1, 0), 2); /* v1 deleted, v2 added */
	len = cap.len[0];
	memcpy(pkt, cap.pkt[0], len);
	pkt[0] |= 0x02; /* E */
	assert_int_equal(aes67d_sap_listener_handle(&l, pkt, len, &our, 0), -AES67_EENCRYPTED);
	pkt[0] = (uint8_t)((pkt[0] & ~0x02) | 0x01); /* C */
	assert_int_equal(aes67d_sap_listener_handle(&l, pkt, len, &our, 0), -AES67_ECOMPRESSED);
	assert_int_equal(aes67d_sap_listener_handle(&l, pkt, 3, &our, 0), -AES67_ETRUNCATED);
	assert_int_equal(aes67d_sap_listener_handle(&l, cap.pkt[0], cap.len[0], &our, 0),
			 AES67_SAP_EVENT_ADDED);
	assert_int_equal(aes67d_sap_listener_handle(&l, cap.pkt[2], cap.len[2], &our, 0),
			 -AES67_ENOSPACE); /* the table of 1 is full */
	aes67d_sap_listener_oversize(&l);
	assert_int_equal(l.stats.encrypted, 1);
	assert_int_equal(l.stats.compressed, 1);
	assert_int_equal(l.stats.malformed, 1);
	assert_int_equal(l.stats.full, 1);
	assert_int_equal(l.stats.oversize, 1);
	assert_int_equal(l.stats.received, 6);
	/* the session expires after its timeout */
	assert_int_equal(aes67_sap_cache_expire(&l.cache, 10 * S_NS), 1);
	assert_int_equal(l.cache.count, 0);
}

static void test_summary(void **state)
{
	struct aes67d_announce_item it;
	struct aes67d_sap_summary s;
	static struct aes67_sap_entry e;
	char origin[64];
	json_t *o;

	load_item(&it, "tx1", "tx-l24-v2.sdp");
	assert_int_equal(aes67d_sap_summarize(it.sdp, it.sdp_bytes, &s), 0);
	assert_true(s.parsed);
	assert_string_equal(s.name, "aes67d tx one");
	assert_string_equal(s.encoding, "L24");
	assert_int_equal(s.rate_hz, 48000);
	assert_int_equal(s.channels, 8);
	assert_string_equal(s.address, "239.69.1.1");
	assert_int_equal(s.port, 5004);
	assert_int_equal(s.ptime_us, 1000);
	load_item(&it, "bad", "tx-bad.sdp");
	assert_int_equal(aes67d_sap_summarize(it.sdp, it.sdp_bytes, &s), 0);
	assert_false(s.parsed);
	assert_string_equal(s.error, "line 4: c= line: unexpected text after the address");

	aes67d_sap_origin_text(&other, origin, sizeof(origin));
	assert_string_equal(origin, "198.51.100.9");
	e.in_use = true;
	e.origin = other;
	e.msg_id_hash = 0x1234;
	e.last_seen_ns = 2 * S_NS;
	e.announcements = 3;
	memcpy(e.sdp, "v=0\r\ns=caf\xe9\r\n", 13);
	e.sdp_bytes = 13;
	o = aes67d_sap_entry_json(&e, 5 * S_NS, true);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "origin")), "198.51.100.9");
	assert_int_equal(json_integer_value(json_object_get(o, "msg_id_hash")), 0x1234);
	assert_true(json_real_value(json_object_get(o, "age_s")) == 3.0);
	assert_non_null(json_object_get(o, "sdp_error")); /* no o= line */
	/* Latin-1 byte shown as '?' rather than refusing the whole entry */
	assert_string_equal(json_string_value(json_object_get(o, "sdp")), "v=0\r\ns=caf?\r\n");
	json_decref(o);
}

static void test_parse_uint(void **state)
{
	uint32_t v = 7;

	assert_int_equal(aes67d_sap_parse_uint("30", 1, 3600, &v), 0);
	assert_int_equal(v, 30);
	assert_int_equal(aes67d_sap_parse_uint("3600", 1, 3600, &v), 0);
	assert_int_equal(v, 3600);
	assert_int_equal(aes67d_sap_parse_uint("3601", 1, 3600, &v), -AES67_ERANGE);
	assert_int_equal(aes67d_sap_parse_uint("0", 1, 3600, &v), -AES67_ERANGE);
	assert_int_equal(aes67d_sap_parse_uint("99999999999999999999", 1, 3600, &v), -AES67_ERANGE);
	assert_int_equal(aes67d_sap_parse_uint("", 1, 3600, &v), -AES67_EMALFORMED);
	assert_int_equal(aes67d_sap_parse_uint("-1", 1, 3600, &v), -AES67_EMALFORMED);
	assert_int_equal(aes67d_sap_parse_uint("5s", 1, 3600, &v), -AES67_EMALFORMED);
	assert_int_equal(aes67d_sap_parse_uint(" 5", 1, 3600, &v), -AES67_EMALFORMED);
	assert_int_equal(v, 3600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_packets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_announce_on_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reannounce_at_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jitter_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deletion_on_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reannounce_on_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_and_send_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_announcer_to_listener, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_refusals, setup, teardown),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_parse_uint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
