// SPDX-License-Identifier: MIT
/*
 * SAP packet codec and announcement timing (RFC 2974).
 *
 * Packet layout (RFC 2974 §6), all big-endian:
 *
 *   byte 0     V:3 (=1) | A:1 (0 IPv4, 1 IPv6) | R:1 | T:1 (1 deletion) | E:1 | C:1
 *   byte 1     authentication length, in 32-bit words
 *   bytes 2-3  message identifier hash
 *   then       originating source: 4 or 16 bytes
 *   then       authentication data: auth length x 4 bytes
 *   then       optional payload type: a MIME type terminated by a NUL byte
 *   then       payload
 *
 * The datagram is hostile input: every length is checked before the bytes it covers are read,
 * and every refusal returns its own code so the caller can count it.
 */
#include <errno.h>
#include <string.h>

#include "aes67/error.h"
#include "aes67/sap.h"
#include "bytes.h"

#define FLAG_V_SHIFT 5
#define FLAG_A 0x10u
#define FLAG_T 0x04u
#define FLAG_E 0x02u
#define FLAG_C 0x01u
#define SAP_VERSION 1u

#define MIME_SDP_BYTES (sizeof(AES67_SAP_MIME_SDP) - 1)

static size_t origin_bytes(uint8_t family)
{
	return family == 6 ? 16 : 4;
}

static uint8_t lower_ascii(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c - 'A' + 'a') : c;
}

/* Case-insensitive comparison of @len bytes with the lower-case ASCII string @lit. */
static bool equal_nocase(const uint8_t *p, size_t len, const char *lit, size_t lit_len)
{
	if (len != lit_len) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (lower_ascii(p[i]) != (uint8_t)lit[i]) {
			return false;
		}
	}
	return true;
}

static bool starts_with(const uint8_t *p, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(p, lit, n) == 0;
}

AES67_RT int aes67_sap_decode(struct aes67_sap_msg *msg, const uint8_t *buf, size_t len)
{
	if (!msg || !buf) {
		return -EINVAL;
	}
	if (len < AES67_SAP_FIXED_HEADER_BYTES) {
		return -AES67_ETRUNCATED;
	}
	uint8_t flags = buf[0];

	if ((flags >> FLAG_V_SHIFT) != SAP_VERSION) {
		return -AES67_EVERSION;
	}
	/* §6: encrypted and compressed payloads are opaque to us; the caller counts them. */
	if (flags & FLAG_E) {
		return -AES67_EENCRYPTED;
	}
	if (flags & FLAG_C) {
		return -AES67_ECOMPRESSED;
	}

	struct aes67_sap_msg m = {0};
	size_t pos = AES67_SAP_FIXED_HEADER_BYTES;

	m.origin.family = (flags & FLAG_A) ? 6 : 4;
	m.deletion = (flags & FLAG_T) != 0;
	m.msg_id_hash = be16_load(buf + 2);

	size_t olen = origin_bytes(m.origin.family);
	if (len - pos < olen) {
		return -AES67_ETRUNCATED;
	}
	memcpy(m.origin.addr, buf + pos, olen);
	pos += olen;

	m.auth_bytes = (size_t)buf[1] * 4u;
	if (len - pos < m.auth_bytes) {
		return -AES67_ETRUNCATED;
	}
	m.auth = m.auth_bytes ? buf + pos : NULL;
	pos += m.auth_bytes;

	const uint8_t *rest = buf + pos;
	size_t rest_len = len - pos;

	if (rest_len == 0) {
		return -AES67_ETRUNCATED;
	}
	/*
	 * §6: "if the payload type is not present, the payload is SDP" and begins with "v=0"; a
	 * deletion may carry only the o= line of the session it deletes.
	 */
	if (starts_with(rest, rest_len, "v=0") ||
	    (m.deletion && starts_with(rest, rest_len, "o="))) {
		m.payload = rest;
		m.payload_bytes = rest_len;
		*msg = m;
		return 0;
	}
	const uint8_t *nul = memchr(rest, 0, rest_len);
	if (!nul) {
		return -AES67_EMALFORMED;
	}
	size_t type_len = (size_t)(nul - rest);
	if (!equal_nocase(rest, type_len, AES67_SAP_MIME_SDP, MIME_SDP_BYTES)) {
		return -AES67_EPAYLOADTYPE;
	}
	m.has_payload_type = true;
	m.payload = nul + 1;
	m.payload_bytes = rest_len - type_len - 1;
	if (m.payload_bytes == 0) {
		return -AES67_ETRUNCATED;
	}
	*msg = m;
	return 0;
}

AES67_RT int aes67_sap_encode(uint8_t *buf, size_t cap, const struct aes67_sap_msg *msg)
{
	if (!buf || !msg || !msg->payload || msg->payload_bytes == 0) {
		return -EINVAL;
	}
	if (msg->origin.family != 4 && msg->origin.family != 6) {
		return -EINVAL;
	}
	if (msg->auth_bytes % 4u != 0 || msg->auth_bytes > AES67_SAP_AUTH_MAX_BYTES ||
	    (msg->auth_bytes && !msg->auth)) {
		return -EINVAL;
	}
	size_t olen = origin_bytes(msg->origin.family);
	size_t head = AES67_SAP_FIXED_HEADER_BYTES + olen + msg->auth_bytes + MIME_SDP_BYTES + 1;

	/* The return type is int: refuse what it cannot count, then what the buffer cannot hold. */
	if (msg->payload_bytes > (size_t)INT32_MAX - head) {
		return -AES67_ENOSPACE;
	}
	size_t total = head + msg->payload_bytes;
	if (total > cap) {
		return -AES67_ENOSPACE;
	}

	uint8_t flags = (uint8_t)(SAP_VERSION << FLAG_V_SHIFT);
	if (msg->origin.family == 6) {
		flags |= FLAG_A;
	}
	if (msg->deletion) {
		flags |= FLAG_T;
	}
	buf[0] = flags;
	buf[1] = (uint8_t)(msg->auth_bytes / 4u);
	be16_store(buf + 2, msg->msg_id_hash);

	size_t pos = AES67_SAP_FIXED_HEADER_BYTES;
	memcpy(buf + pos, msg->origin.addr, olen);
	pos += olen;
	if (msg->auth_bytes) {
		memcpy(buf + pos, msg->auth, msg->auth_bytes);
		pos += msg->auth_bytes;
	}
	memcpy(buf + pos, AES67_SAP_MIME_SDP, MIME_SDP_BYTES + 1); /* includes the NUL */
	pos += MIME_SDP_BYTES + 1;
	memcpy(buf + pos, msg->payload, msg->payload_bytes);
	return (int)total;
}

AES67_RT uint16_t aes67_sap_msg_id_hash(const uint8_t *payload, size_t len)
{
	/* FNV-1a, 32 bit: offset basis 2166136261, prime 16777619. */
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= payload[i];
		h *= 16777619u;
	}
	uint16_t folded = (uint16_t)((h >> 16) ^ (h & 0xffffu));
	return folded ? folded : 1; /* §6: announcers SHOULD NOT use 0 */
}

AES67_RT bool aes67_sap_origin_equal(const struct aes67_sap_origin *a,
				     const struct aes67_sap_origin *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, origin_bytes(a->family)) == 0;
}

void aes67_sap_config_init(struct aes67_sap_config *cfg)
{
	*cfg = (struct aes67_sap_config){
		.interval_s = AES67_SAP_DEFAULT_INTERVAL_S,
		.bandwidth_bps = AES67_SAP_RFC_BANDWIDTH_BPS,
		.timeout_s = 0,
	};
}

uint32_t aes67_sap_rfc_interval_s(uint64_t total_announce_bytes, uint32_t bandwidth_bps)
{
	uint64_t bw = bandwidth_bps ? bandwidth_bps : AES67_SAP_RFC_BANDWIDTH_BPS;

	/* §3.1: interval = max(300; (8 * no_of_ads * ad_size) / limit) seconds. */
	if (total_announce_bytes > UINT64_MAX / 8u) {
		return UINT32_MAX;
	}
	uint64_t s = total_announce_bytes * 8u / bw;
	if (s < AES67_SAP_RFC_MIN_INTERVAL_S) {
		s = AES67_SAP_RFC_MIN_INTERVAL_S;
	}
	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

uint32_t aes67_sap_interval_s(const struct aes67_sap_config *cfg, uint64_t total_announce_bytes)
{
	if (cfg->interval_s) {
		return cfg->interval_s;
	}
	return aes67_sap_rfc_interval_s(total_announce_bytes, cfg->bandwidth_bps);
}

uint32_t aes67_sap_timeout_s(const struct aes67_sap_config *cfg, uint32_t interval_s)
{
	if (cfg->timeout_s) {
		return cfg->timeout_s;
	}
	/* §4 (implicit timeout): delete after ten missed intervals or one hour, whichever is
	 * greater. */
	uint64_t t = (uint64_t)interval_s * AES67_SAP_RFC_TIMEOUT_INTERVALS;
	if (t < AES67_SAP_RFC_MIN_TIMEOUT_S) {
		t = AES67_SAP_RFC_MIN_TIMEOUT_S;
	}
	return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

AES67_RT uint64_t aes67_sap_next_announce_ns(uint64_t last_ns, uint32_t interval_s, uint32_t random)
{
	/*
	 * §3.1: offset = rand(interval * 2/3) - interval/3, next = last + interval + offset, so
	 * next - last is uniform in [2/3, 4/3] x interval. interval_ns < 2^62, so no overflow.
	 */
	uint64_t interval_ns = (uint64_t)interval_s * 1000000000u;
	uint64_t lo = interval_ns / 3u * 2u;
	uint64_t span = lo;
	/* span * random / 2^32 without 128-bit arithmetic. */
	uint64_t add = (span >> 32) * random + (((span & 0xffffffffu) * random) >> 32);
	uint64_t delta = lo + add;

	return delta > UINT64_MAX - last_ns ? UINT64_MAX : last_ns + delta;
}
