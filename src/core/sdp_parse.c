// SPDX-License-Identifier: MIT
/*
 * SDP parser, line level (RFC 8866 §5): splits the input into lines, tolerates the whitespace
 * quirks real devices produce (CRLF or LF, missing final EOL, trailing blanks, indentation, blank
 * lines), and parses the v=, o=, s=, i=, c=, t= and m= lines. a= lines go to sdp_attr.c.
 * Session fields may come in any order before the first m= (several vendors swap c= and t=); what
 * is truly malformed is refused with the line, byte offset and a precise reason.
 */
#include <string.h>

#include "aes67/error.h"
#include "sdp_internal.h"

void aes67_sdp_init(struct aes67_sdp *sdp)
{
	memset(sdp, 0, sizeof(*sdp));
	sdp->username[0] = '-';
}

/* A whole token that must be a decimal number no greater than @max. */
static int token_uint(struct sdp_ctx *c, const char **p, const char *end, uint64_t max,
		      uint64_t *out, const char *nan_reason, const char *range_reason)
{
	const char *tok;
	size_t len = sdp_token(p, end, &tok);
	const char *q = tok;
	int rc = sdp_uint(&q, tok + len, max, out);

	if (rc == SDP_NUM_RANGE) {
		return sdp_fail(c, tok, AES67_ERANGE, range_reason);
	}
	if (rc != SDP_NUM_OK || q != tok + len) {
		return sdp_fail(c, tok, AES67_EMALFORMED, nan_reason);
	}
	return 0;
}

static int parse_origin(struct sdp_ctx *c, const char *p, const char *end)
{
	struct aes67_sdp *sdp = c->sdp;
	const char *tok;
	size_t len = sdp_token(&p, end, &tok);
	int rc;

	if (len == 0) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "o= line: missing user name");
	}
	if (!sdp_copy_token(sdp->username, sizeof(sdp->username), tok, len)) {
		return sdp_fail(c, tok, AES67_ENOSPACE, "o= line: user name longer than 31 bytes");
	}
	rc = token_uint(c, &p, end, UINT64_MAX, &sdp->sess_id, "o= line: sess-id is not a number",
			"o= line: sess-id exceeds 64 bits");
	if (rc < 0) {
		return rc;
	}
	rc = token_uint(c, &p, end, UINT64_MAX, &sdp->sess_version,
			"o= line: sess-version is not a number",
			"o= line: sess-version exceeds 64 bits");
	if (rc < 0) {
		return rc;
	}
	len = sdp_token(&p, end, &tok);
	if (len == 0) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "o= line: missing network type");
	}
	if (!sdp_tok_eq(tok, len, "IN")) {
		return sdp_fail(c, tok, AES67_EUNSUPPORTED, "o= line: network type is not IN");
	}
	len = sdp_token(&p, end, &tok);
	if (sdp_tok_eq(tok, len, "IP4")) {
		sdp->origin_addrtype = AES67_SDP_ADDR_IP4;
	} else if (sdp_tok_eq(tok, len, "IP6")) {
		sdp->origin_addrtype = AES67_SDP_ADDR_IP6;
	} else {
		return sdp_fail(c, tok, AES67_EUNSUPPORTED,
				"o= line: address type is neither IP4 nor IP6");
	}
	len = sdp_token(&p, end, &tok);
	if (len == 0) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "o= line: missing address");
	}
	if (!sdp_addr_ok(tok, len)) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "o= line: invalid address");
	}
	if (!sdp_copy_token(sdp->origin_addr, sizeof(sdp->origin_addr), tok, len)) {
		return sdp_fail(c, tok, AES67_ENOSPACE, "o= line: address longer than 47 bytes");
	}
	if (!sdp_at_end(&p, end)) {
		return sdp_fail(c, p, AES67_EMALFORMED,
				"o= line: unexpected text after the address");
	}
	return 0;
}

/* c=IN IP4 <addr>[/<ttl>[/<count>]] or c=IN IP6 <addr>[/<count>] (RFC 8866 §5.7). */
static int parse_conn(struct sdp_ctx *c, struct aes67_sdp_conn *conn, const char *p,
		      const char *end)
{
	const char *tok;
	size_t len = sdp_token(&p, end, &tok);
	uint64_t v;

	if (conn->addrtype != AES67_SDP_ADDR_NONE) {
		return sdp_fail(c, tok, AES67_EUNSUPPORTED,
				"c= line: several c= lines in one section are not supported");
	}
	if (len == 0) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "c= line: missing network type");
	}
	if (!sdp_tok_eq(tok, len, "IN")) {
		return sdp_fail(c, tok, AES67_EUNSUPPORTED, "c= line: network type is not IN");
	}
	len = sdp_token(&p, end, &tok);
	uint8_t type;

	if (sdp_tok_eq(tok, len, "IP4")) {
		type = AES67_SDP_ADDR_IP4;
	} else if (sdp_tok_eq(tok, len, "IP6")) {
		type = AES67_SDP_ADDR_IP6;
	} else {
		return sdp_fail(c, tok, AES67_EUNSUPPORTED,
				"c= line: address type is neither IP4 nor IP6");
	}
	sdp_skip_ws(&p, end);
	len = sdp_span_until(&p, end, '/', &tok);
	if (len == 0) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "c= line: missing address");
	}
	if (!sdp_addr_ok(tok, len)) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "c= line: invalid address");
	}
	if (!sdp_copy_token(conn->addr, sizeof(conn->addr), tok, len)) {
		return sdp_fail(c, tok, AES67_ENOSPACE, "c= line: address longer than 47 bytes");
	}
	conn->count = 1;
	if (type == AES67_SDP_ADDR_IP4 && sdp_take(&p, end, '/')) {
		const char *at = p;
		int rc = sdp_uint(&p, end, 255, &v);

		if (rc == SDP_NUM_RANGE) {
			return sdp_fail(c, at, AES67_ERANGE, "c= line: TTL above 255");
		}
		if (rc != SDP_NUM_OK) {
			return sdp_fail(c, at, AES67_EMALFORMED, "c= line: TTL is not a number");
		}
		conn->has_ttl = true;
		conn->ttl = (uint8_t)v;
	}
	if (sdp_take(&p, end, '/')) {
		const char *at = p;
		int rc = sdp_uint(&p, end, 65535, &v);

		if (rc == SDP_NUM_RANGE || (rc == SDP_NUM_OK && v == 0)) {
			return sdp_fail(c, at, AES67_ERANGE,
					"c= line: number of addresses outside 1..65535");
		}
		if (rc != SDP_NUM_OK) {
			return sdp_fail(c, at, AES67_EMALFORMED,
					"c= line: number of addresses is not a number");
		}
		conn->count = (uint16_t)v;
	}
	if (!sdp_at_end(&p, end)) {
		return sdp_fail(c, p, AES67_EMALFORMED,
				"c= line: unexpected text after the address");
	}
	conn->addrtype = type;
	return 0;
}

static int parse_time(struct sdp_ctx *c, const char *p, const char *end)
{
	int rc = token_uint(c, &p, end, UINT64_MAX, &c->sdp->t_start,
			    "t= line: start time is not a number",
			    "t= line: start time exceeds 64 bits");

	if (rc < 0) {
		return rc;
	}
	rc = token_uint(c, &p, end, UINT64_MAX, &c->sdp->t_stop,
			"t= line: stop time is not a number", "t= line: stop time exceeds 64 bits");
	if (rc < 0) {
		return rc;
	}
	if (!sdp_at_end(&p, end)) {
		return sdp_fail(c, p, AES67_EMALFORMED, "t= line: unexpected text after stop time");
	}
	return 0;
}

/* Transports whose <fmt> list is RTP payload types (RFC 8866 §5.14, RFC 3551, RFC 3711). */
static bool proto_is_rtp(const char *tok, size_t len)
{
	return sdp_tok_eq(tok, len, "RTP/AVP") || sdp_tok_eq(tok, len, "RTP/SAVP") ||
	       sdp_tok_eq(tok, len, "RTP/AVPF") || sdp_tok_eq(tok, len, "RTP/SAVPF") ||
	       sdp_tok_eq(tok, len, "SRTP/AVP");
}

/* m=<media> <port>[/<count>] <proto> <fmt> ... (RFC 8866 §5.14). */
static int parse_media(struct sdp_ctx *c, struct aes67_sdp_media *m, const char *p, const char *end)
{
	const char *tok;
	size_t len = sdp_token(&p, end, &tok);
	uint64_t v;

	if (len == 0) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "m= line: missing media type");
	}
	if (!sdp_copy_token(m->type, sizeof(m->type), tok, len)) {
		return sdp_fail(c, tok, AES67_ENOSPACE, "m= line: media type longer than 31 bytes");
	}
	sdp_skip_ws(&p, end);
	const char *at = p;
	int rc = sdp_uint(&p, end, 65535, &v);

	if (rc == SDP_NUM_RANGE) {
		return sdp_fail(c, at, AES67_ERANGE, "m= line: port above 65535");
	}
	if (rc != SDP_NUM_OK) {
		return sdp_fail(c, at, AES67_EMALFORMED, "m= line: port is not a number");
	}
	m->port = (uint16_t)v;
	m->port_count = 1;
	if (sdp_take(&p, end, '/')) {
		at = p;
		rc = sdp_uint(&p, end, 65535, &v);
		if (rc == SDP_NUM_RANGE || (rc == SDP_NUM_OK && v == 0)) {
			return sdp_fail(c, at, AES67_ERANGE,
					"m= line: port count outside 1..65535");
		}
		if (rc != SDP_NUM_OK) {
			return sdp_fail(c, at, AES67_EMALFORMED,
					"m= line: port count is not a number");
		}
		m->port_count = (uint16_t)v;
	}
	if (p < end && *p != ' ' && *p != '\t') {
		return sdp_fail(c, p, AES67_EMALFORMED, "m= line: port is not a number");
	}
	len = sdp_token(&p, end, &tok);
	if (len == 0) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "m= line: missing transport");
	}
	if (!proto_is_rtp(tok, len)) {
		return sdp_fail(c, tok, AES67_EUNSUPPORTED, "m= line: transport is not RTP based");
	}
	(void)sdp_copy_token(m->proto, sizeof(m->proto), tok, len); /* fits: one of the above */
	for (;;) {
		len = sdp_token(&p, end, &tok);
		if (len == 0) {
			break;
		}
		const char *q = tok;

		rc = sdp_uint(&q, tok + len, 127, &v);
		if (rc == SDP_NUM_RANGE) {
			return sdp_fail(c, tok, AES67_ERANGE, "m= line: payload type above 127");
		}
		if (rc != SDP_NUM_OK || q != tok + len) {
			return sdp_fail(c, tok, AES67_EMALFORMED,
					"m= line: payload type is not a number");
		}
		if (m->n_fmt == AES67_SDP_MAX_FMT) {
			return sdp_fail(c, tok, AES67_ENOSPACE,
					"m= line: more than 8 payload types");
		}
		m->fmt[m->n_fmt++] = (uint8_t)v;
	}
	if (m->n_fmt == 0) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "m= line: no payload type");
	}
	return 0;
}

/* Session state the line loop needs beyond struct aes67_sdp. */
struct seen {
	bool v, o, s, t;
	bool session_info;
	bool media_info;
};

static int check_session_complete(struct sdp_ctx *c, const struct seen *seen, const char *at)
{
	if (!seen->o) {
		return sdp_fail(c, at, AES67_EMALFORMED, "session has no o= line");
	}
	if (!seen->s) {
		return sdp_fail(c, at, AES67_EMALFORMED, "session has no s= line");
	}
	if (!seen->t) {
		return sdp_fail(c, at, AES67_EMALFORMED, "session has no t= line");
	}
	return 0;
}

static int parse_line(struct sdp_ctx *c, struct seen *seen, char type, const char *ls,
		      const char *p, const char *end)
{
	struct aes67_sdp *sdp = c->sdp;
	struct aes67_sdp_media *m = sdp->n_media ? &sdp->media[sdp->n_media - 1] : NULL;
	struct aes67_sdp_level *lv = m ? &m->lv : &sdp->lv;
	int rc;

	switch (type) {
	case 'v':
		return sdp_fail(c, ls, AES67_EMALFORMED,
				"v= line: a second description starts here (concatenated SDPs)");
	case 'o':
	case 's':
	case 't':
		if (m) {
			return sdp_fail(c, ls, AES67_EMALFORMED,
					"session-level line (o=, s= or t=) inside a media section");
		}
		if (type == 'o') {
			if (seen->o) {
				return sdp_fail(c, ls, AES67_EMALFORMED, "second o= line");
			}
			seen->o = true;
			return parse_origin(c, p, end);
		}
		if (type == 's') {
			if (seen->s) {
				return sdp_fail(c, ls, AES67_EMALFORMED, "second s= line");
			}
			seen->s = true;
			sdp_copy_text(sdp, sdp->name, sizeof(sdp->name), p, (size_t)(end - p));
			return 0;
		}
		if (seen->t) {
			sdp->skipped_lines++; /* further time descriptions: not modelled */
			return 0;
		}
		seen->t = true;
		return parse_time(c, p, end);
	case 'i': {
		bool *flag = m ? &seen->media_info : &seen->session_info;

		if (*flag) {
			return sdp_fail(c, ls, AES67_EMALFORMED, "second i= line in one section");
		}
		*flag = true;
		sdp_copy_text(sdp, lv->info, sizeof(lv->info), p, (size_t)(end - p));
		return 0;
	}
	case 'c':
		return parse_conn(c, &lv->conn, p, end);
	case 'm':
		if (!m) {
			rc = check_session_complete(c, seen, ls);
			if (rc < 0) {
				return rc;
			}
		}
		if (sdp->n_media == AES67_SDP_MAX_MEDIA) {
			return sdp_fail(c, ls, AES67_ENOSPACE, "more than 8 m= sections");
		}
		seen->media_info = false;
		return parse_media(c, &sdp->media[sdp->n_media++], p, end);
	case 'a':
		return sdp_attr_parse(c, m, p, end);
	case 'b':
	case 'u':
	case 'e':
	case 'p':
	case 'r':
	case 'z':
	case 'k':
		sdp->skipped_lines++;
		return 0;
	default:
		/* RFC 8866 §5: a parser must not accept an unknown type letter. */
		return sdp_fail(c, ls, AES67_EMALFORMED, "unknown line type");
	}
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

int aes67_sdp_parse(struct aes67_sdp *sdp, const char *text, size_t len_bytes,
		    struct aes67_sdp_error *err)
{
	struct sdp_ctx c = {.sdp = sdp, .err = err, .text = text};
	struct seen seen = {0};
	const char *p = text;
	const char *end = text + len_bytes;
	int rc;

	memset(sdp, 0, sizeof(*sdp));
	if (err) {
		err->line = 0;
		err->offset_bytes = 0;
		err->reason = "";
	}
	if (!text || len_bytes == 0) {
		return sdp_fail(&c, NULL, AES67_ETRUNCATED, "empty description");
	}
	while (p < end) {
		const char *ls = p;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		p = nl ? nl + 1 : end;
		c.line++;
		if (le > ls && le[-1] == '\r') {
			le--;
		}
		for (const char *q = ls; q < le; q++) {
			if ((unsigned char)*q < 0x20 && *q != '\t') {
				return sdp_fail(&c, q, AES67_EMALFORMED,
						"control character inside a line");
			}
		}
		while (le > ls && is_blank(le[-1])) {
			le--;
		}
		sdp_skip_ws(&ls, le);
		if (ls == le) {
			continue; /* blank line: tolerated */
		}
		if (le - ls < 2 || ls[1] != '=' || ls[0] < 'a' || ls[0] > 'z') {
			return sdp_fail(&c, ls, AES67_EMALFORMED, "line is not <letter>=<value>");
		}
		if (!seen.v) {
			if (ls[0] != 'v') {
				return sdp_fail(&c, ls, AES67_EMALFORMED,
						"description does not start with v=");
			}
			if (!sdp_tok_eq(ls + 2, (size_t)(le - ls - 2), "0")) {
				return sdp_fail(&c, ls + 2, AES67_EVERSION,
						"v= line: version is not 0");
			}
			seen.v = true;
			continue;
		}
		rc = parse_line(&c, &seen, ls[0], ls, ls + 2, le);
		if (rc < 0) {
			return rc;
		}
	}
	if (!seen.v) {
		c.line = 0;
		return sdp_fail(&c, NULL, AES67_ETRUNCATED, "description has no v= line");
	}
	if (sdp->n_media == 0) {
		c.line = 0; /* the description as a whole lacks a line */
		rc = check_session_complete(&c, &seen, end);
		if (rc < 0) {
			return rc;
		}
	}
	return sdp_attr_finish(&c);
}
