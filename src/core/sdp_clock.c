// SPDX-License-Identifier: MIT
/*
 * Clock attributes of SDP (RFC 7273): a=ts-refclk (which clock the sender's timestamps refer to:
 * a PTP grandmaster and domain for AES67-2018 §8.2 and ST 2059-2, a local MAC, NTP, GNSS ...) and
 * a=mediaclk (how the RTP clock relates to it: `direct=<offset>` with optional `rate=N/D`, or
 * `sender`, or an IEEE 1722 stream). Shared by the session and the media level.
 */
#include <string.h>

#include "aes67/error.h"
#include "sdp_internal.h"

const char *const sdp_ptp_version_names[] = {
	[AES67_SDP_PTP_NONE] = "",
	[AES67_SDP_PTP_IEEE1588_2002] = "IEEE1588-2002",
	[AES67_SDP_PTP_IEEE1588_2008] = "IEEE1588-2008",
	[AES67_SDP_PTP_IEEE1588_2019] = "IEEE1588-2019",
	[AES67_SDP_PTP_IEEE802_1AS_2011] = "IEEE802.1AS-2011",
	[AES67_SDP_PTP_IEEE802_1AS_2020] = "IEEE802.1AS-2020",
};

const char *const sdp_refclk_kind_names[] = {
	[AES67_SDP_REFCLK_OTHER] = "",
	[AES67_SDP_REFCLK_PTP] = "ptp",
	[AES67_SDP_REFCLK_LOCALMAC] = "localmac",
	[AES67_SDP_REFCLK_NTP] = "ntp",
	[AES67_SDP_REFCLK_GPS] = "gps",
	[AES67_SDP_REFCLK_GAL] = "gal",
	[AES67_SDP_REFCLK_GLONASS] = "glonass",
	[AES67_SDP_REFCLK_LOCAL] = "local",
	[AES67_SDP_REFCLK_PRIVATE] = "private",
};

/* ptp=<version>:<gmid>[:<domain>] | ptp=<version>:traceable | ptp=traceable (RFC 7273 §4.8). */
static int parse_ptp(struct sdp_ctx *c, struct aes67_sdp_refclk *r, const char *p, const char *end)
{
	const char *tok;
	size_t len;
	uint64_t v;

	r->kind = AES67_SDP_REFCLK_PTP;
	if (sdp_tok_eq(p, (size_t)(end - p), "traceable")) {
		/* Not in the RFC grammar, but sent by several implementations. */
		r->traceable = true;
		return 0;
	}
	len = sdp_span_until(&p, end, ':', &tok);
	for (size_t i = 1; i < AES67_ARRAY_SIZE(sdp_ptp_version_names); i++) {
		if (sdp_tok_eq(tok, len, sdp_ptp_version_names[i])) {
			r->ptp_version = (uint8_t)i;
		}
	}
	if (r->ptp_version == AES67_SDP_PTP_NONE) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "a=ts-refclk: unknown PTP version");
	}
	if (!sdp_take(&p, end, ':')) {
		return sdp_fail(c, p, AES67_EMALFORMED,
				"a=ts-refclk: PTP version needs :<grandmaster id> or :traceable");
	}
	if (sdp_tok_eq(p, (size_t)(end - p), "traceable")) {
		r->traceable = true;
		return 0;
	}
	if (sdp_hex_bytes(&p, end, r->gmid, sizeof(r->gmid), false) != SDP_NUM_OK) {
		return sdp_fail(c, p, AES67_EMALFORMED,
				"a=ts-refclk: grandmaster id is not an EUI-64 "
				"(xx-xx-xx-xx-xx-xx-xx-xx)");
	}
	if (sdp_take(&p, end, ':')) {
		const char *at = p;
		int rc = sdp_uint(&p, end, 255, &v);

		if (rc == SDP_NUM_RANGE) {
			return sdp_fail(c, at, AES67_ERANGE, "a=ts-refclk: PTP domain above 255");
		}
		if (rc != SDP_NUM_OK) {
			return sdp_fail(c, at, AES67_EMALFORMED,
					"a=ts-refclk: PTP domain is not a number");
		}
		r->has_domain = true;
		r->domain = (uint8_t)v;
	}
	if (p != end) {
		return sdp_fail(c, p, AES67_EMALFORMED,
				"a=ts-refclk: unexpected text after the PTP clock");
	}
	return 0;
}

int sdp_refclk_parse(struct sdp_ctx *c, struct aes67_sdp_refclk *r, const char *p, const char *end)
{
	const char *val;
	size_t len = sdp_token(&p, end, &val);
	const char *vend = val + len;
	const char *q = val;
	const char *kind;

	memset(r, 0, sizeof(*r));
	if (len == 0) {
		return sdp_fail(c, val, AES67_EMALFORMED, "a=ts-refclk: empty value");
	}
	if (!sdp_at_end(&p, end)) {
		return sdp_fail(c, p, AES67_EMALFORMED,
				"a=ts-refclk: unexpected text after the value");
	}
	size_t klen = sdp_span_until(&q, vend, '=', &kind);
	bool has_eq = sdp_take(&q, vend, '=');

	for (size_t i = 1; i < AES67_ARRAY_SIZE(sdp_refclk_kind_names); i++) {
		if (sdp_tok_eq(kind, klen, sdp_refclk_kind_names[i])) {
			r->kind = (uint8_t)i;
		}
	}
	if (r->kind == AES67_SDP_REFCLK_PTP) {
		if (!has_eq) {
			return sdp_fail(c, q, AES67_EMALFORMED, "a=ts-refclk: ptp needs =<clock>");
		}
		return parse_ptp(c, r, q, vend);
	}
	if (r->kind == AES67_SDP_REFCLK_LOCALMAC) {
		if (!has_eq || sdp_hex_bytes(&q, vend, r->mac, sizeof(r->mac), true) != 0 ||
		    q != vend) {
			return sdp_fail(c, q, AES67_EMALFORMED,
					"a=ts-refclk: localmac is not a MAC address "
					"(xx-xx-xx-xx-xx-xx)");
		}
		return 0;
	}
	if (r->kind == AES67_SDP_REFCLK_OTHER) {
		q = val; /* keep the whole value */
	}
	if (!sdp_copy_token(r->value, sizeof(r->value), q, (size_t)(vend - q))) {
		return sdp_fail(c, q, AES67_ENOSPACE, "a=ts-refclk: value longer than 63 bytes");
	}
	return 0;
}

/* rate=<num>[/<den>]; the divisor is optional in practice (ST 2110 senders write rate=48000). */
static int parse_rate(struct sdp_ctx *c, struct aes67_sdp_mediaclk *mc, const char *p,
		      const char *end)
{
	const char *at = p;
	uint64_t num;
	uint64_t den = 1;

	if (sdp_uint(&p, end, UINT32_MAX, &num) != SDP_NUM_OK || num == 0 ||
	    (sdp_take(&p, end, '/') &&
	     (sdp_uint(&p, end, UINT32_MAX, &den) != SDP_NUM_OK || den == 0)) ||
	    p != end) {
		return sdp_fail(c, at, AES67_EMALFORMED,
				"a=mediaclk: rate is not <num>/<den> with both above 0");
	}
	mc->has_rate = true;
	mc->rate_num = (uint32_t)num;
	mc->rate_den = (uint32_t)den;
	return 0;
}

/* [id=<id> ]<source> with direct[=<offset>][ rate=N/D] | sender | IEEE1722=<id> (RFC 7273 §5). */
int sdp_mediaclk_parse(struct sdp_ctx *c, struct aes67_sdp_mediaclk *mc, const char *p,
		       const char *end)
{
	const char *tok;
	size_t len = sdp_token(&p, end, &tok);

	memset(mc, 0, sizeof(*mc));
	if (len == 0) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "a=mediaclk: empty value");
	}
	if (len > 3 && memcmp(tok, "id=", 3) == 0) {
		if (!sdp_copy_token(mc->id, sizeof(mc->id), tok + 3, len - 3)) {
			return sdp_fail(c, tok, AES67_ENOSPACE,
					"a=mediaclk: id longer than 63 bytes");
		}
		len = sdp_token(&p, end, &tok);
		if (len == 0) {
			return sdp_fail(c, tok, AES67_EMALFORMED,
					"a=mediaclk: missing clock source after id=");
		}
	}
	const char *q = tok;
	const char *tend = tok + len;

	if (sdp_tok_eq(tok, len, "sender")) {
		mc->kind = AES67_SDP_MEDIACLK_SENDER;
	} else if (sdp_tok_eq(tok, len, "direct") || sdp_take_str(&q, tend, "direct=")) {
		uint64_t v = 0;

		mc->kind = AES67_SDP_MEDIACLK_DIRECT;
		if (q != tok) {
			const char *at = q;
			int rc = sdp_uint(&q, tend, UINT32_MAX, &v);

			if (rc == SDP_NUM_RANGE) {
				return sdp_fail(c, at, AES67_ERANGE,
						"a=mediaclk: direct offset above 4294967295");
			}
			if (rc != SDP_NUM_OK || q != tend) {
				return sdp_fail(c, at, AES67_EMALFORMED,
						"a=mediaclk: direct offset is not a number");
			}
		}
		mc->offset = (uint32_t)v;
		len = sdp_token(&p, end, &tok);
		q = tok;
		if (len > 0) {
			if (!sdp_take_str(&q, tok + len, "rate=")) {
				return sdp_fail(c, tok, AES67_EMALFORMED,
						"a=mediaclk: unexpected text after direct offset");
			}
			int rc = parse_rate(c, mc, q, tok + len);

			if (rc < 0) {
				return rc;
			}
		}
	} else if (sdp_take_str(&q, tend, "IEEE1722=")) {
		mc->kind = AES67_SDP_MEDIACLK_IEEE1722;
		if (q == tend ||
		    !sdp_copy_token(mc->value, sizeof(mc->value), q, (size_t)(tend - q))) {
			return sdp_fail(
				c, q, q == tend ? AES67_EMALFORMED : AES67_ENOSPACE,
				"a=mediaclk: IEEE1722 stream id empty or longer than 63 bytes");
		}
	} else {
		/* Unrecognised form: keep the rest of the line as it is. */
		mc->kind = AES67_SDP_MEDIACLK_OTHER;
		if (!sdp_copy_token(mc->value, sizeof(mc->value), tok, (size_t)(end - tok))) {
			return sdp_fail(c, tok, AES67_ENOSPACE,
					"a=mediaclk: value longer than 63 bytes");
		}
		return 0;
	}
	if (!sdp_at_end(&p, end)) {
		return sdp_fail(c, p, AES67_EMALFORMED,
				"a=mediaclk: unexpected text after the value");
	}
	return 0;
}
