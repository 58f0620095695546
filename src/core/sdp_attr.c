// SPDX-License-Identifier: MIT
/*
 * SDP attribute parsing (a= lines): rtpmap, fmtp channel-order, ptime/maxptime (RFC 8866 §6),
 * ts-refclk and mediaclk (RFC 7273), source-filter (RFC 4570), group/mid (RFC 5888, used for
 * ST 2022-7 `DUP`), direction, keywds, and the RAVENNA framecount, clock-domain and sync-time.
 * Attributes that are not modelled are counted per level and skipped; a modelled attribute that
 * is malformed refuses the whole description with a precise reason.
 */
#include <string.h>

#include "aes67/error.h"
#include "sdp_internal.h"

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int parse_direction(struct sdp_ctx *c, struct aes67_sdp_level *lv, uint8_t dir,
			   const char *name)
{
	if (lv->direction != AES67_SDP_DIR_NONE && lv->direction != dir) {
		return sdp_fail(c, name, AES67_EMALFORMED,
				"conflicting direction attributes in one section");
	}
	lv->direction = dir; /* the same attribute twice is tolerated (GStreamer tests) */
	return 0;
}

/* A payload type number followed by a blank or the end of the line. */
static int parse_pt(struct sdp_ctx *c, const char **p, const char *end, uint8_t *pt,
		    const char *nan_reason, const char *range_reason)
{
	uint64_t v;

	sdp_skip_ws(p, end);
	const char *at = *p;
	int rc = sdp_uint(p, end, 127, &v);

	if (rc == SDP_NUM_RANGE) {
		return sdp_fail(c, at, AES67_ERANGE, range_reason);
	}
	if (rc != SDP_NUM_OK || (*p < end && !is_blank(**p))) {
		return sdp_fail(c, at, AES67_EMALFORMED, nan_reason);
	}
	*pt = (uint8_t)v;
	return 0;
}

static uint8_t encoding_of(const char *name, size_t len)
{
	if (sdp_tok_ieq(name, len, "L16")) {
		return AES67_SDP_ENC_L16;
	}
	if (sdp_tok_ieq(name, len, "L24")) {
		return AES67_SDP_ENC_L24;
	}
	if (sdp_tok_ieq(name, len, "L32")) {
		return AES67_SDP_ENC_L32;
	}
	if (sdp_tok_ieq(name, len, "AM824")) {
		return AES67_SDP_ENC_AM824;
	}
	return AES67_SDP_ENC_OTHER;
}

/* a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>] (RFC 8866 §6.6, RFC 3551 §4.1). */
static int parse_rtpmap(struct sdp_ctx *c, struct aes67_sdp_media *m, const char *p,
			const char *end)
{
	struct aes67_sdp_rtpmap r = {0};
	const char *tok;
	uint64_t v;
	int rc = parse_pt(c, &p, end, &r.pt, "a=rtpmap: payload type is not a number",
			  "a=rtpmap: payload type above 127");

	if (rc < 0) {
		return rc;
	}
	if (aes67_sdp_media_rtpmap(m, r.pt)) {
		return sdp_fail(c, p, AES67_EMALFORMED, "a=rtpmap: payload type mapped twice");
	}
	if (m->n_rtpmap == AES67_SDP_MAX_FMT) {
		return sdp_fail(c, p, AES67_ENOSPACE, "a=rtpmap: more than 8 in one section");
	}
	sdp_skip_ws(&p, end);
	size_t len = sdp_span_until(&p, end, '/', &tok);

	if (len == 0) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "a=rtpmap: missing encoding name");
	}
	if (!sdp_copy_token(r.name, sizeof(r.name), tok, len)) {
		return sdp_fail(c, tok, AES67_ENOSPACE,
				"a=rtpmap: encoding name longer than 15 bytes");
	}
	r.encoding = encoding_of(tok, len);
	if (!sdp_take(&p, end, '/')) {
		return sdp_fail(c, p, AES67_EMALFORMED, "a=rtpmap: missing clock rate");
	}
	const char *at = p;

	rc = sdp_uint(&p, end, UINT32_MAX, &v);
	if (rc == SDP_NUM_RANGE || (rc == SDP_NUM_OK && v == 0)) {
		return sdp_fail(c, at, AES67_ERANGE, "a=rtpmap: clock rate outside 1..4294967295");
	}
	if (rc != SDP_NUM_OK) {
		return sdp_fail(c, at, AES67_EMALFORMED, "a=rtpmap: clock rate is not a number");
	}
	r.rate_hz = (uint32_t)v;
	r.channels = 1;
	if (sdp_take(&p, end, '/')) {
		at = p;
		rc = sdp_uint(&p, end, 1024, &v);
		if (rc == SDP_NUM_RANGE || (rc == SDP_NUM_OK && v == 0)) {
			return sdp_fail(c, at, AES67_ERANGE,
					"a=rtpmap: channel count outside 1..1024");
		}
		if (rc != SDP_NUM_OK) {
			return sdp_fail(c, at, AES67_EMALFORMED,
					"a=rtpmap: channel count is not a number");
		}
		r.channels = (uint16_t)v;
	}
	if (!sdp_at_end(&p, end)) {
		return sdp_fail(c, p, AES67_EMALFORMED,
				"a=rtpmap: unexpected text after the encoding");
	}
	m->rtpmap[m->n_rtpmap++] = r;
	return 0;
}

static int set_channel_order(struct sdp_ctx *c, struct aes67_sdp_media *m, uint8_t pt,
			     const char *v, size_t len)
{
	if (m->channel_order[0]) {
		return sdp_fail(c, v, AES67_EMALFORMED, "second channel-order in one section");
	}
	if (len == 0) {
		return sdp_fail(c, v, AES67_EMALFORMED, "empty channel-order");
	}
	for (size_t i = 0; i < len; i++) {
		if (is_blank(v[i]) || v[i] == ';') {
			return sdp_fail(c, v + i, AES67_EMALFORMED,
					"channel-order contains a blank or ';'");
		}
	}
	if (!sdp_copy_token(m->channel_order, sizeof(m->channel_order), v, len)) {
		return sdp_fail(c, v, AES67_ENOSPACE, "channel-order longer than 63 bytes");
	}
	m->channel_order_pt = pt;
	return 0;
}

/*
 * a=fmtp:<pt> <param>[;<param>]... Only channel-order (ST 2110-30 §6.2.2) is modelled; other
 * parameters are ignored.
 */
static int parse_fmtp(struct sdp_ctx *c, struct aes67_sdp_media *m, const char *p, const char *end)
{
	uint8_t pt;
	int rc = parse_pt(c, &p, end, &pt, "a=fmtp: payload type is not a number",
			  "a=fmtp: payload type above 127");

	if (rc < 0) {
		return rc;
	}
	while (p < end) {
		sdp_skip_ws(&p, end);
		const char *param = p;
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *pe = semi ? semi : end;

		p = semi ? semi + 1 : end;
		while (pe > param && is_blank(pe[-1])) {
			pe--;
		}
		if (sdp_take_str(&param, pe, "channel-order=")) {
			rc = set_channel_order(c, m, pt, param, (size_t)(pe - param));
			if (rc < 0) {
				return rc;
			}
		}
	}
	return 0;
}

/* a=ptime / a=maxptime: milliseconds, possibly fractional (AES67-2018 §8.1: 0.125, 0.333 ...). */
static int parse_ptime(struct sdp_ctx *c, uint32_t *out_ns, const char *p, const char *end,
		       bool max)
{
	const char *at;

	sdp_skip_ws(&p, end);
	at = p;
	if (*out_ns) {
		return sdp_fail(c, at, AES67_EMALFORMED,
				max ? "second a=maxptime in one section"
				    : "second a=ptime in one section");
	}
	int rc = sdp_ms_to_ns(&p, end, out_ns);

	if (rc == SDP_NUM_RANGE) {
		return sdp_fail(c, at, AES67_ERANGE, "a=ptime: more than 4294 ms");
	}
	if (rc != SDP_NUM_OK) {
		return sdp_fail(c, at, AES67_EMALFORMED, "a=ptime: not a number of milliseconds");
	}
	if (*out_ns == 0) {
		return sdp_fail(c, at, AES67_ERANGE, "a=ptime: zero");
	}
	if (!sdp_at_end(&p, end)) {
		return sdp_fail(c, p, AES67_EMALFORMED, "a=ptime: unexpected text after the value");
	}
	return 0;
}

/* A value that is one whole number no greater than @max. */
static int whole_uint(struct sdp_ctx *c, const char *p, const char *end, uint64_t max,
		      uint64_t *out, const char *nan_reason, const char *range_reason)
{
	sdp_skip_ws(&p, end);
	const char *at = p;
	int rc = sdp_uint(&p, end, max, out);

	if (rc == SDP_NUM_RANGE) {
		return sdp_fail(c, at, AES67_ERANGE, range_reason);
	}
	if (rc != SDP_NUM_OK || !sdp_at_end(&p, end)) {
		return sdp_fail(c, at, AES67_EMALFORMED, nan_reason);
	}
	return 0;
}

static int parse_mid(struct sdp_ctx *c, struct aes67_sdp_media *m, const char *p, const char *end)
{
	const char *tok;
	size_t len = sdp_token(&p, end, &tok);

	if (m->mid[0]) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "second a=mid in one media section");
	}
	if (len == 0) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "a=mid: empty identification tag");
	}
	if (!sdp_at_end(&p, end)) {
		return sdp_fail(c, p, AES67_EMALFORMED, "a=mid: identification tag has a blank");
	}
	if (!sdp_copy_token(m->mid, sizeof(m->mid), tok, len)) {
		return sdp_fail(c, tok, AES67_ENOSPACE, "a=mid: longer than 31 bytes");
	}
	/* RFC 5888 §4: unique within the session. */
	for (unsigned i = 0; i + 1 < c->sdp->n_media; i++) {
		if (strcmp(c->sdp->media[i].mid, m->mid) == 0) {
			return sdp_fail(c, tok, AES67_EMALFORMED,
					"a=mid: identification tag used by another media section");
		}
	}
	return 0;
}

static int parse_group(struct sdp_ctx *c, const char *line, const char *p, const char *end)
{
	struct aes67_sdp *sdp = c->sdp;
	const char *tok;
	size_t len = sdp_token(&p, end, &tok);

	if (sdp->n_groups == AES67_SDP_MAX_GROUPS) {
		return sdp_fail(c, line, AES67_ENOSPACE, "more than 2 a=group lines");
	}
	struct aes67_sdp_group *g = &sdp->groups[sdp->n_groups];

	if (len == 0) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "a=group: missing semantics");
	}
	if (!sdp_copy_token(g->semantics, sizeof(g->semantics), tok, len)) {
		return sdp_fail(c, tok, AES67_ENOSPACE, "a=group: semantics longer than 15 bytes");
	}
	while ((len = sdp_token(&p, end, &tok)) > 0) {
		if (g->n_mids == AES67_SDP_MAX_GROUP_MIDS) {
			return sdp_fail(c, tok, AES67_ENOSPACE,
					"a=group: more than 4 identification tags");
		}
		if (!sdp_copy_token(g->mids[g->n_mids], sizeof(g->mids[0]), tok, len)) {
			return sdp_fail(c, tok, AES67_ENOSPACE,
					"a=group: identification tag longer than 31 bytes");
		}
		g->n_mids++;
	}
	c->group_line[sdp->n_groups] = c->line;
	c->group_at[sdp->n_groups] = line;
	sdp->n_groups++;
	return 0;
}

/* RAVENNA a=clock-domain:PTPv2 <domain>. */
static int parse_clock_domain(struct sdp_ctx *c, struct aes67_sdp_level *lv, const char *p,
			      const char *end)
{
	const char *tok;
	size_t len = sdp_token(&p, end, &tok);
	uint64_t v;

	if (lv->has_clock_domain) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "second a=clock-domain in one section");
	}
	if (!sdp_tok_eq(tok, len, "PTPv2")) {
		return sdp_fail(c, tok, AES67_EMALFORMED,
				"a=clock-domain: expected PTPv2 <domain>");
	}
	int rc = whole_uint(c, p, end, 255, &v, "a=clock-domain: domain is not a number",
			    "a=clock-domain: domain above 255");

	if (rc < 0) {
		return rc;
	}
	lv->has_clock_domain = true;
	lv->clock_domain = (uint8_t)v;
	return 0;
}

static int parse_sync_time(struct sdp_ctx *c, struct aes67_sdp_level *lv, const char *p,
			   const char *end)
{
	uint64_t v;

	if (lv->has_sync_time) {
		return sdp_fail(c, p, AES67_EMALFORMED, "second a=sync-time in one section");
	}
	int rc = whole_uint(c, p, end, UINT32_MAX, &v, "a=sync-time: not a number",
			    "a=sync-time: above 4294967295");

	if (rc < 0) {
		return rc;
	}
	lv->has_sync_time = true;
	lv->sync_time = (uint32_t)v;
	return 0;
}

/* RFC 4570 §3: <mode> <nettype> <address-types> <dest-address> <src-list>. */
static int parse_filter(struct sdp_ctx *c, struct aes67_sdp_level *lv, const char *p,
			const char *end)
{
	const char *tok;
	size_t len = sdp_token(&p, end, &tok);

	if (lv->n_filters == AES67_SDP_MAX_FILTERS) {
		return sdp_fail(c, tok, AES67_ENOSPACE,
				"a=source-filter: more than 2 at one level");
	}
	struct aes67_sdp_filter *f = &lv->filters[lv->n_filters];

	memset(f, 0, sizeof(*f));
	if (sdp_tok_eq(tok, len, "excl")) {
		f->exclude = true;
	} else if (!sdp_tok_eq(tok, len, "incl")) {
		return sdp_fail(c, tok, AES67_EMALFORMED,
				"a=source-filter: mode is neither incl nor excl");
	}
	len = sdp_token(&p, end, &tok);
	if (!sdp_tok_eq(tok, len, "IN")) {
		return sdp_fail(c, tok, AES67_EMALFORMED,
				"a=source-filter: network type is not IN");
	}
	len = sdp_token(&p, end, &tok);
	if (sdp_tok_eq(tok, len, "IP4")) {
		f->addrtype = AES67_SDP_ADDR_IP4;
	} else if (sdp_tok_eq(tok, len, "IP6")) {
		f->addrtype = AES67_SDP_ADDR_IP6;
	} else if (!sdp_tok_eq(tok, len, "*")) {
		return sdp_fail(c, tok, AES67_EMALFORMED,
				"a=source-filter: address type is not IP4, IP6 or *");
	}
	len = sdp_token(&p, end, &tok);
	if (len == 0) {
		return sdp_fail(c, tok, AES67_EMALFORMED,
				"a=source-filter: missing destination address");
	}
	if (!sdp_tok_eq(tok, len, "*") && !sdp_addr_ok(tok, len)) {
		return sdp_fail(c, tok, AES67_EMALFORMED,
				"a=source-filter: invalid destination address");
	}
	if (!sdp_copy_token(f->dest, sizeof(f->dest), tok, len)) {
		return sdp_fail(c, tok, AES67_ENOSPACE,
				"a=source-filter: address longer than 47 bytes");
	}
	while ((len = sdp_token(&p, end, &tok)) > 0) {
		if (f->n_sources == AES67_SDP_MAX_SOURCES) {
			return sdp_fail(c, tok, AES67_ENOSPACE,
					"a=source-filter: more than 4 source addresses");
		}
		if (!sdp_addr_ok(tok, len)) {
			return sdp_fail(c, tok, AES67_EMALFORMED,
					"a=source-filter: invalid source address");
		}
		if (!sdp_copy_token(f->sources[f->n_sources], sizeof(f->sources[0]), tok, len)) {
			return sdp_fail(c, tok, AES67_ENOSPACE,
					"a=source-filter: address longer than 47 bytes");
		}
		f->n_sources++;
	}
	if (f->n_sources == 0) {
		return sdp_fail(c, tok, AES67_EMALFORMED, "a=source-filter: no source address");
	}
	lv->n_filters++;
	return 0;
}

int sdp_attr_parse(struct sdp_ctx *c, struct aes67_sdp_media *m, const char *p, const char *end)
{
	struct aes67_sdp_level *lv = m ? &m->lv : &c->sdp->lv;
	const char *line = p - 2;
	const char *name;
	size_t len = sdp_span_until(&p, end, ':', &name);
	bool has_value = sdp_take(&p, end, ':');

	if (len == 0) {
		return sdp_fail(c, name, AES67_EMALFORMED, "a= line: missing attribute name");
	}
	if (!has_value && p != end) {
		return sdp_fail(c, p, AES67_EMALFORMED, "a= line: blank inside attribute name");
	}
	static const struct {
		const char *name;
		uint8_t dir;
	} dirs[] = {
		{"sendrecv", AES67_SDP_DIR_SENDRECV},
		{"sendonly", AES67_SDP_DIR_SENDONLY},
		{"recvonly", AES67_SDP_DIR_RECVONLY},
		{"inactive", AES67_SDP_DIR_INACTIVE},
	};
	for (size_t i = 0; i < AES67_ARRAY_SIZE(dirs); i++) {
		if (sdp_tok_eq(name, len, dirs[i].name)) {
			if (has_value) {
				return sdp_fail(c, p, AES67_EMALFORMED,
						"direction attribute takes no value");
			}
			return parse_direction(c, lv, dirs[i].dir, name);
		}
	}
	if (sdp_tok_eq(name, len, "ts-refclk")) {
		if (lv->n_refclk == AES67_SDP_MAX_REFCLK) {
			return sdp_fail(c, p, AES67_ENOSPACE,
					"a=ts-refclk: more than 4 at one level");
		}
		int rc = sdp_refclk_parse(c, &lv->refclk[lv->n_refclk], p, end);

		if (rc == 0) {
			lv->n_refclk++;
		}
		return rc;
	}
	if (sdp_tok_eq(name, len, "mediaclk")) {
		if (lv->has_mediaclk) {
			return sdp_fail(c, p, AES67_EMALFORMED, "second a=mediaclk in one section");
		}
		lv->has_mediaclk = true;
		return sdp_mediaclk_parse(c, &lv->mediaclk, p, end);
	}
	if (sdp_tok_eq(name, len, "source-filter")) {
		return parse_filter(c, lv, p, end);
	}
	if (sdp_tok_eq(name, len, "clock-domain")) {
		return parse_clock_domain(c, lv, p, end);
	}
	if (sdp_tok_eq(name, len, "sync-time")) {
		return parse_sync_time(c, lv, p, end);
	}
	if (!m) {
		if (sdp_tok_eq(name, len, "group")) {
			return parse_group(c, line, p, end);
		}
		if (sdp_tok_eq(name, len, "keywds")) {
			sdp_copy_text(c->sdp, c->sdp->keywds, sizeof(c->sdp->keywds), p,
				      (size_t)(end - p));
			return 0;
		}
		lv->skipped_attrs++;
		return 0;
	}
	if (sdp_tok_eq(name, len, "rtpmap")) {
		return parse_rtpmap(c, m, p, end);
	}
	if (sdp_tok_eq(name, len, "fmtp")) {
		return parse_fmtp(c, m, p, end);
	}
	if (sdp_tok_eq(name, len, "channel-order")) {
		sdp_skip_ws(&p, end);
		return set_channel_order(c, m, m->fmt[0], p, (size_t)(end - p));
	}
	if (sdp_tok_eq(name, len, "ptime")) {
		return parse_ptime(c, &m->ptime_ns, p, end, false);
	}
	if (sdp_tok_eq(name, len, "maxptime")) {
		return parse_ptime(c, &m->maxptime_ns, p, end, true);
	}
	if (sdp_tok_eq(name, len, "framecount")) {
		uint64_t v;

		if (m->framecount) {
			return sdp_fail(c, p, AES67_EMALFORMED,
					"second a=framecount in one section");
		}
		int rc = whole_uint(c, p, end, UINT32_MAX, &v, "a=framecount: not a number",
				    "a=framecount: above 4294967295");

		if (rc == 0 && v == 0) {
			rc = sdp_fail(c, p, AES67_ERANGE, "a=framecount: zero");
		}
		m->framecount = (uint32_t)v;
		return rc;
	}
	if (sdp_tok_eq(name, len, "mid")) {
		return parse_mid(c, m, p, end);
	}
	lv->skipped_attrs++;
	return 0;
}

int sdp_attr_finish(struct sdp_ctx *c)
{
	const struct aes67_sdp *sdp = c->sdp;

	for (unsigned g = 0; g < sdp->n_groups; g++) {
		for (unsigned i = 0; i < sdp->groups[g].n_mids; i++) {
			bool found = false;

			for (unsigned k = 0; k < sdp->n_media && !found; k++) {
				found = strcmp(sdp->media[k].mid, sdp->groups[g].mids[i]) == 0;
			}
			if (!found) {
				c->line = c->group_line[g];
				return sdp_fail(
					c, c->group_at[g], AES67_EMALFORMED,
					"a=group: identification tag has no matching a=mid");
			}
		}
	}
	return 0;
}
