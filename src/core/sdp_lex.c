// SPDX-License-Identifier: MIT
/*
 * Cursor helpers for the SDP parser: tokens, bounded decimal numbers, millisecond fractions, hex
 * byte groups and bounded copies. Every helper checks the cursor against `end` before reading a
 * byte, never reads past it, and reports overflow instead of wrapping (network input is hostile).
 */
#include <string.h>

#include "aes67/error.h"
#include "sdp_internal.h"

int sdp_fail(struct sdp_ctx *c, const char *at, int code, const char *reason)
{
	if (c->err) {
		c->err->line = c->line;
		c->err->offset_bytes = at ? (size_t)(at - c->text) : 0;
		c->err->reason = reason;
	}
	return -code;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

void sdp_skip_ws(const char **p, const char *end)
{
	while (*p < end && is_blank(**p)) {
		(*p)++;
	}
}

size_t sdp_token(const char **p, const char *end, const char **tok)
{
	sdp_skip_ws(p, end);
	*tok = *p;
	while (*p < end && !is_blank(**p)) {
		(*p)++;
	}
	return (size_t)(*p - *tok);
}

size_t sdp_span_until(const char **p, const char *end, char stop, const char **tok)
{
	*tok = *p;
	while (*p < end && **p != stop && !is_blank(**p)) {
		(*p)++;
	}
	return (size_t)(*p - *tok);
}

bool sdp_at_end(const char **p, const char *end)
{
	sdp_skip_ws(p, end);
	return *p == end;
}

bool sdp_tok_eq(const char *tok, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return n == len && memcmp(tok, lit, n) == 0;
}

static char lower(char ch)
{
	return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

bool sdp_tok_ieq(const char *tok, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	if (n != len) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (lower(tok[i]) != lower(lit[i])) {
			return false;
		}
	}
	return true;
}

bool sdp_take(const char **p, const char *end, char ch)
{
	if (*p < end && **p == ch) {
		(*p)++;
		return true;
	}
	return false;
}

bool sdp_take_str(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) >= n && memcmp(*p, lit, n) == 0) {
		*p += n;
		return true;
	}
	return false;
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

int sdp_uint(const char **p, const char *end, uint64_t max, uint64_t *out)
{
	const char *q = *p;
	uint64_t v = 0;

	if (q == end || !is_digit(*q)) {
		return SDP_NUM_NONE;
	}
	while (q < end && is_digit(*q)) {
		unsigned d = (unsigned)(*q - '0');

		if (d > max || v > (max - d) / 10) {
			return SDP_NUM_RANGE;
		}
		v = v * 10 + d;
		q++;
	}
	*p = q;
	*out = v;
	return SDP_NUM_OK;
}

int sdp_ms_to_ns(const char **p, const char *end, uint32_t *out_ns)
{
	uint64_t ms;
	uint64_t frac_ns = 0;
	uint64_t scale = 100000; /* ns per tenth of a millisecond */
	int rc = sdp_uint(p, end, UINT32_MAX / 1000000u, &ms);

	if (rc != SDP_NUM_OK) {
		return rc;
	}
	if (sdp_take(p, end, '.')) {
		if (*p == end || !is_digit(**p)) {
			return SDP_NUM_NONE;
		}
		bool round_up = false;
		bool first_dropped = true;

		while (*p < end && is_digit(**p)) {
			unsigned d = (unsigned)(**p - '0');

			if (scale > 0) {
				frac_ns += d * scale;
				scale /= 10;
			} else if (first_dropped) {
				/* Round half up on the first digit below 1 ns. */
				round_up = d >= 5;
				first_dropped = false;
			}
			(*p)++;
		}
		if (round_up) {
			frac_ns++;
		}
	}
	uint64_t ns = ms * 1000000u + frac_ns;

	if (ns > UINT32_MAX) {
		return SDP_NUM_RANGE;
	}
	*out_ns = (uint32_t)ns;
	return SDP_NUM_OK;
}

static int hex_val(char ch)
{
	if (ch >= '0' && ch <= '9') {
		return ch - '0';
	}
	if (ch >= 'a' && ch <= 'f') {
		return ch - 'a' + 10;
	}
	if (ch >= 'A' && ch <= 'F') {
		return ch - 'A' + 10;
	}
	return -1;
}

int sdp_hex_bytes(const char **p, const char *end, uint8_t *out, size_t n, bool colon_ok)
{
	const char *q = *p;

	for (size_t i = 0; i < n; i++) {
		if (i > 0) {
			if (q < end && (*q == '-' || (colon_ok && *q == ':'))) {
				q++;
			} else {
				return SDP_NUM_NONE;
			}
		}
		if (end - q < 2) {
			return SDP_NUM_NONE;
		}
		int hi = hex_val(q[0]);
		int lo = hex_val(q[1]);

		if (hi < 0 || lo < 0) {
			return SDP_NUM_NONE;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
		q += 2;
	}
	*p = q;
	return SDP_NUM_OK;
}

bool sdp_copy_token(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap) {
		return false;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
	return true;
}

void sdp_copy_text(struct aes67_sdp *sdp, char *dst, size_t cap, const char *src, size_t len)
{
	memset(dst, 0, cap); /* a repeated a=keywds leaves no bytes of the previous value behind */
	if (len >= cap) {
		len = cap - 1;
		sdp->truncated = true;
		/* A cut may end on a blank, which a re-parse would strip: drop it now. */
		while (len > 0 && is_blank(src[len - 1])) {
			len--;
		}
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
}

bool sdp_addr_ok(const char *tok, size_t len)
{
	bool digits_dots = len > 0;

	for (size_t i = 0; i < len; i++) {
		char ch = tok[i];
		bool alnum = is_digit(ch) || (lower(ch) >= 'a' && lower(ch) <= 'z');

		if (!alnum && ch != '.' && ch != '-' && ch != ':' && ch != '_') {
			return false;
		}
		if (!is_digit(ch) && ch != '.') {
			digits_dots = false;
		}
	}
	if (!digits_dots) {
		return len > 0; /* a host name or an IPv6 address */
	}
	/* All digits and dots: it must then be a dotted quad (RFC 8866 §9 IP4-address). */
	const char *p = tok;
	const char *end = tok + len;
	uint64_t v;

	for (int part = 0; part < 4; part++) {
		if ((part > 0 && !sdp_take(&p, end, '.')) ||
		    sdp_uint(&p, end, 255, &v) != SDP_NUM_OK) {
			return false;
		}
	}
	return p == end;
}
