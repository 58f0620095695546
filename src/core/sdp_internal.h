/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the sdp_*.c files: the parse context (line number and error detail) and
 * the cursor helpers every line parser uses. A cursor is a `const char **p` that only ever moves
 * forward and is never read at or past `end`. Not installed.
 */
#ifndef AES67_SDP_INTERNAL_H
#define AES67_SDP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/sdp.h"

struct sdp_ctx {
	struct aes67_sdp *sdp;
	struct aes67_sdp_error *err;
	const char *text; /* start of the input, for byte offsets */
	unsigned line;
	unsigned group_line[AES67_SDP_MAX_GROUPS]; /* a=group lines, for errors found at the end */
	const char *group_at[AES67_SDP_MAX_GROUPS];
};

/* Record the failure at @at (a pointer into the input) and return -code. */
int sdp_fail(struct sdp_ctx *c, const char *at, int code, const char *reason);

/* Skip spaces and tabs. */
void sdp_skip_ws(const char **p, const char *end);

/* Take the next run of non-blank bytes (after skipping blanks); returns its length (0 at end). */
size_t sdp_token(const char **p, const char *end, const char **tok);

/* Take bytes up to (not including) @stop or a blank; returns the length. */
size_t sdp_span_until(const char **p, const char *end, char stop, const char **tok);

/* True if only blanks remain. */
bool sdp_at_end(const char **p, const char *end);

/* Exact / ASCII-case-insensitive comparison of a token with a literal. */
bool sdp_tok_eq(const char *tok, size_t len, const char *lit);
bool sdp_tok_ieq(const char *tok, size_t len, const char *lit);

/* Consume @ch if it is next. */
bool sdp_take(const char **p, const char *end, char ch);

/* Consume @lit if the input starts with it. */
bool sdp_take_str(const char **p, const char *end, const char *lit);

enum {
	SDP_NUM_OK = 0,
	SDP_NUM_NONE = -1,  /* no digit at the cursor */
	SDP_NUM_RANGE = -2, /* more than @max */
};

/* Decimal digits to a number no greater than @max; the cursor stops after the last digit. */
int sdp_uint(const char **p, const char *end, uint64_t max, uint64_t *out);

/* Milliseconds with an optional fraction ("0.333", "1.08843537415") to ns, rounded. */
int sdp_ms_to_ns(const char **p, const char *end, uint32_t *out_ns);

/* @n hex byte pairs separated by '-' (or ':' when @colon_ok). 0 or SDP_NUM_NONE. */
int sdp_hex_bytes(const char **p, const char *end, uint8_t *out, size_t n, bool colon_ok);

/* Copy a token into a NUL-terminated buffer. Returns false (and copies nothing) if it does not
 * fit; sdp_copy_text() instead truncates and sets sdp->truncated. */
bool sdp_copy_token(char *dst, size_t cap, const char *src, size_t len);
void sdp_copy_text(struct aes67_sdp *sdp, char *dst, size_t cap, const char *src, size_t len);

/* Address or host name: letters, digits and . - : _ only, and all-digit forms a dotted quad. */
bool sdp_addr_ok(const char *tok, size_t len);

/* Parse an a= line body (after "a=") for the session (@m == NULL) or a media section. */
int sdp_attr_parse(struct sdp_ctx *c, struct aes67_sdp_media *m, const char *p, const char *end);

/* a=ts-refclk / a=mediaclk values (sdp_clock.c); @r / @mc are fully overwritten. */
int sdp_refclk_parse(struct sdp_ctx *c, struct aes67_sdp_refclk *r, const char *p, const char *end);
int sdp_mediaclk_parse(struct sdp_ctx *c, struct aes67_sdp_mediaclk *mc, const char *p,
		       const char *end);

/* Names used by both the parser and the generator. */
extern const char *const sdp_ptp_version_names[]; /* by enum aes67_sdp_ptp_version */
extern const char *const sdp_refclk_kind_names[]; /* by enum aes67_sdp_refclk_kind */

/* Cross-checks after the last line (a=group mids exist). */
int sdp_attr_finish(struct sdp_ctx *c);

#endif /* AES67_SDP_INTERNAL_H */
