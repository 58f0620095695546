// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the SAP decoder and session cache.
 *
 * Each input is used twice:
 *  1. as one datagram: decoded; a success must describe bytes inside the input, survive an
 *     encode/decode round trip, enter a fresh cache, and resist a deletion forged from another
 *     origin;
 *  2. as a script of datagrams, each prefixed by [time step in seconds (1 byte)]
 *     [length (2 bytes, big-endian)], fed into a small cache with a synthetic clock that also
 *     runs expiry, so full tables, updates, deletions and expiry meet arbitrary data.
 * Any broken invariant aborts. State is rebuilt per input, so every finding reproduces.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aes67/error.h"
#include "aes67/sap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAPACITY 4
#define TIMEOUT_NS (60ull * 1000000000ull)

static struct aes67_sap_entry entries[CAPACITY];

static void check(int cond)
{
	if (!cond) {
		abort();
	}
}

static void check_decode_result(int r)
{
	check(r == 0 || r == -AES67_ETRUNCATED || r == -AES67_EVERSION || r == -AES67_EENCRYPTED ||
	      r == -AES67_ECOMPRESSED || r == -AES67_EPAYLOADTYPE || r == -AES67_EMALFORMED);
}

static void check_msg(const struct aes67_sap_msg *m, const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size;

	check(m->origin.family == 4 || m->origin.family == 6);
	check(m->auth_bytes % 4 == 0 && m->auth_bytes <= AES67_SAP_AUTH_MAX_BYTES);
	check(m->auth_bytes == 0 || (m->auth >= data && m->auth + m->auth_bytes <= end));
	check(m->payload_bytes > 0);
	check(m->payload >= data && m->payload + m->payload_bytes <= end);
}

static void check_cache(const struct aes67_sap_cache *c)
{
	size_t used = 0;

	check(c->count <= c->capacity);
	for (size_t i = 0; i < c->capacity; i++) {
		const struct aes67_sap_entry *e = &c->entries[i];

		if (!e->in_use) {
			continue;
		}
		used++;
		check(e->sdp_bytes > 0 && e->sdp_bytes <= AES67_SAP_SDP_MAX_BYTES);
		check(e->sdp[e->sdp_bytes] == '\0');
		check(memchr(e->sdp, 0, e->sdp_bytes) == NULL);
		check(e->origin.family == 4 || e->origin.family == 6);
		check(e->first_seen_ns <= e->last_seen_ns && e->announcements >= 1);
		for (int f = 0; e->has_o && f < AES67_SAP_O_FIELDS; f++) {
			check(e->o[f].len > 0);
			check((size_t)e->o[f].off + e->o[f].len <= e->sdp_bytes);
		}
	}
	check(used == c->count);
}

static void check_cache_result(int r)
{
	check(r == AES67_SAP_EVENT_NONE || r == AES67_SAP_EVENT_ADDED ||
	      r == AES67_SAP_EVENT_UPDATED || r == AES67_SAP_EVENT_DELETED ||
	      r == -AES67_ENOTFOUND || r == -EPERM || r == -AES67_ENOSPACE || r == -EMSGSIZE ||
	      r == -AES67_EMALFORMED);
}

static void single_datagram(const uint8_t *data, size_t size)
{
	static uint8_t out[65536 + 2048];
	struct aes67_sap_msg m;
	struct aes67_sap_msg back;
	struct aes67_sap_cache cache;

	int r = aes67_sap_decode(&m, data, size);
	check_decode_result(r);
	if (r != 0) {
		return;
	}
	check_msg(&m, data, size);

	/* Round trip: what we decoded, we can encode, and it decodes to the same. */
	if (size <= 65536) {
		int n = aes67_sap_encode(out, sizeof(out), &m);
		check(n > 0 && (size_t)n <= sizeof(out));
		check(aes67_sap_decode(&back, out, (size_t)n) == 0);
		check(back.has_payload_type);
		check(aes67_sap_origin_equal(&back.origin, &m.origin));
		check(back.msg_id_hash == m.msg_id_hash && back.deletion == m.deletion);
		check(back.auth_bytes == m.auth_bytes);
		check(back.payload_bytes == m.payload_bytes);
		check(memcmp(back.payload, m.payload, m.payload_bytes) == 0);
	}

	check(aes67_sap_cache_init(&cache, entries, CAPACITY, TIMEOUT_NS, NULL, NULL) == 0);
	struct aes67_sap_msg ann = m;
	ann.deletion = false;
	r = aes67_sap_cache_handle(&cache, &ann, 1000);
	check_cache_result(r);
	check_cache(&cache);
	if (r != AES67_SAP_EVENT_ADDED) {
		return;
	}
	check(cache.count == 1);
	check(aes67_sap_cache_find(&cache, &m.origin, m.msg_id_hash) != NULL);

	/* The same deletion from another origin must not remove the session. */
	struct aes67_sap_msg forged = m;
	forged.deletion = true;
	forged.origin.addr[3] ^= 1;
	r = aes67_sap_cache_handle(&cache, &forged, 2000);
	check(r == -EPERM);
	check(cache.count == 1);

	/* From the right origin it does. */
	forged.origin = m.origin;
	check(aes67_sap_cache_handle(&cache, &forged, 3000) == AES67_SAP_EVENT_DELETED);
	check(cache.count == 0);
	check_cache(&cache);
}

static void script(const uint8_t *data, size_t size)
{
	struct aes67_sap_cache cache;
	uint64_t now = 0;
	size_t pos = 0;

	check(aes67_sap_cache_init(&cache, entries, CAPACITY, TIMEOUT_NS, NULL, NULL) == 0);
	while (size - pos >= 3) {
		now += (uint64_t)data[pos] * 1000000000ull;
		size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
		pos += 3;
		if (len > size - pos) {
			len = size - pos;
		}
		struct aes67_sap_msg m;
		int r = aes67_sap_decode(&m, data + pos, len);
		check_decode_result(r);
		if (r == 0) {
			check_msg(&m, data + pos, len);
			size_t before = cache.count;
			r = aes67_sap_cache_handle(&cache, &m, now);
			check_cache_result(r);
			if (r == AES67_SAP_EVENT_ADDED) {
				check(cache.count == before + 1);
			} else if (r == AES67_SAP_EVENT_DELETED) {
				check(cache.count == before - 1);
			} else {
				check(cache.count == before);
			}
		}
		pos += len;
		size_t expired = aes67_sap_cache_expire(&cache, now);
		check(expired <= CAPACITY);
		check_cache(&cache);
		uint64_t next = aes67_sap_cache_next_expiry_ns(&cache);
		check(cache.count == 0 ? next == UINT64_MAX : next > now);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	single_datagram(data, size);
	script(data, size);
	return 0;
}
