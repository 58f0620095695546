// SPDX-License-Identifier: MIT
/*
 * SDP generator: writes a struct aes67_sdp as a canonical AES67 session description (RFC 8866
 * field order, CRLF line ends, AES67-2018 §8 attributes) into a caller buffer, with a capacity
 * check on every write. Parsing the output gives back every field written; values that could not
 * survive that round trip (a blank in an address, a CR in a name) are refused with -EINVAL.
 */
#include <errno.h>
#include <string.h>

#include "aes67/error.h"
#include "sdp_internal.h"

struct wr {
	char *buf;
	size_t cap;
	size_t len;
	bool full; /* ran out of room */
	bool bad;  /* a value cannot be written */
};

static void put(struct wr *w, const char *s, size_t n)
{
	if (w->full || n >= w->cap - w->len) { /* keep one byte for the NUL */
		w->full = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void puts_(struct wr *w, const char *s)
{
	put(w, s, strlen(s));
}

static void put_u64(struct wr *w, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(w, tmp + i, sizeof(tmp) - i);
}

static void put_hex(struct wr *w, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		char pair[3] = {'-', digits[b[i] >> 4], digits[b[i] & 15]};

		put(w, i ? pair : pair + 1, i ? 3 : 2);
	}
}

/* Milliseconds with at most 6 decimals, trailing zeros dropped: 125000 ns -> "0.125". */
static void put_ms(struct wr *w, uint32_t ns)
{
	uint32_t frac = ns % 1000000u;

	put_u64(w, ns / 1000000u);
	if (frac) {
		char d[7] = {'.'};
		size_t n = 7;

		for (int i = 6; i >= 1; i--) {
			d[i] = (char)('0' + frac % 10);
			frac /= 10;
		}
		while (d[n - 1] == '0') {
			n--;
		}
		put(w, d, n);
	}
}

static void eol(struct wr *w)
{
	put(w, "\r\n", 2);
}

/* Free text: anything but control characters (they would split or corrupt the line). */
static void put_text(struct wr *w, const char *s)
{
	for (const char *q = s; *q; q++) {
		if ((unsigned char)*q < 0x20 && *q != '\t') {
			w->bad = true;
		}
	}
	puts_(w, s);
}

/* A token: non-empty, no blank, no control character. */
static void put_tok(struct wr *w, const char *s)
{
	if (!*s) {
		w->bad = true;
	}
	for (const char *q = s; *q; q++) {
		if ((unsigned char)*q <= 0x20) {
			w->bad = true;
		}
	}
	puts_(w, s);
}

static void put_addrtype(struct wr *w, uint8_t t)
{
	if (t == AES67_SDP_ADDR_IP4) {
		puts_(w, "IP4");
	} else if (t == AES67_SDP_ADDR_IP6) {
		puts_(w, "IP6");
	} else {
		w->bad = true;
	}
}

static void put_conn(struct wr *w, const struct aes67_sdp_conn *c)
{
	if (c->addrtype == AES67_SDP_ADDR_NONE) {
		return;
	}
	puts_(w, "c=IN ");
	put_addrtype(w, c->addrtype);
	puts_(w, " ");
	put_tok(w, c->addr);
	if (c->addrtype == AES67_SDP_ADDR_IP4 && c->has_ttl) {
		puts_(w, "/");
		put_u64(w, c->ttl);
	}
	/* IPv4 puts the count after the TTL (RFC 8866 §5.7), so a count needs a TTL. */
	if ((c->addrtype == AES67_SDP_ADDR_IP6 && c->has_ttl) ||
	    (c->addrtype == AES67_SDP_ADDR_IP4 && c->count > 1 && !c->has_ttl) || c->count == 0) {
		w->bad = true;
	}
	if (c->count > 1) {
		puts_(w, "/");
		put_u64(w, c->count);
	}
	eol(w);
}

static void put_refclk(struct wr *w, const struct aes67_sdp_refclk *r)
{
	puts_(w, "a=ts-refclk:");
	switch (r->kind) {
	case AES67_SDP_REFCLK_PTP:
		puts_(w, "ptp=");
		if (r->ptp_version > AES67_SDP_PTP_IEEE802_1AS_2020 ||
		    (r->ptp_version == AES67_SDP_PTP_NONE && !r->traceable)) {
			w->bad = true;
			break;
		}
		if (r->ptp_version != AES67_SDP_PTP_NONE) {
			puts_(w, sdp_ptp_version_names[r->ptp_version]);
			puts_(w, ":");
		}
		if (r->traceable) {
			puts_(w, "traceable");
			break;
		}
		put_hex(w, r->gmid, sizeof(r->gmid));
		if (r->has_domain) {
			puts_(w, ":");
			put_u64(w, r->domain);
		}
		break;
	case AES67_SDP_REFCLK_LOCALMAC:
		puts_(w, "localmac=");
		put_hex(w, r->mac, sizeof(r->mac));
		break;
	case AES67_SDP_REFCLK_OTHER:
		put_tok(w, r->value);
		break;
	default:
		if (r->kind > AES67_SDP_REFCLK_PRIVATE) {
			w->bad = true;
			break;
		}
		puts_(w, sdp_refclk_kind_names[r->kind]);
		if (r->value[0]) {
			puts_(w, "=");
			put_tok(w, r->value);
		}
		break;
	}
	eol(w);
}

static void put_mediaclk(struct wr *w, const struct aes67_sdp_mediaclk *mc)
{
	puts_(w, "a=mediaclk:");
	if (mc->id[0]) {
		puts_(w, "id=");
		put_tok(w, mc->id);
		puts_(w, " ");
	}
	switch (mc->kind) {
	case AES67_SDP_MEDIACLK_DIRECT:
		puts_(w, "direct=");
		put_u64(w, mc->offset);
		if (mc->has_rate) {
			if (mc->rate_num == 0 || mc->rate_den == 0) {
				w->bad = true;
			}
			puts_(w, " rate=");
			put_u64(w, mc->rate_num);
			puts_(w, "/");
			put_u64(w, mc->rate_den);
		}
		break;
	case AES67_SDP_MEDIACLK_SENDER:
		puts_(w, "sender");
		break;
	case AES67_SDP_MEDIACLK_IEEE1722:
		puts_(w, "IEEE1722=");
		put_tok(w, mc->value);
		break;
	default:
		if (!mc->value[0] || mc->value[0] == ' ') {
			w->bad = true;
		}
		put_text(w, mc->value);
		break;
	}
	eol(w);
}

static void put_filter(struct wr *w, const struct aes67_sdp_filter *f)
{
	puts_(w, f->exclude ? "a=source-filter: excl IN " : "a=source-filter: incl IN ");
	if (f->addrtype == AES67_SDP_ADDR_NONE) {
		puts_(w, "*");
	} else {
		put_addrtype(w, f->addrtype);
	}
	puts_(w, " ");
	put_tok(w, f->dest);
	if (f->n_sources == 0 || f->n_sources > AES67_SDP_MAX_SOURCES) {
		w->bad = true;
		return;
	}
	for (unsigned i = 0; i < f->n_sources; i++) {
		puts_(w, " ");
		put_tok(w, f->sources[i]);
	}
	eol(w);
}

static void put_level(struct wr *w, const struct aes67_sdp_level *lv)
{
	static const char *const dirs[] = {
		[AES67_SDP_DIR_SENDRECV] = "a=sendrecv",
		[AES67_SDP_DIR_SENDONLY] = "a=sendonly",
		[AES67_SDP_DIR_RECVONLY] = "a=recvonly",
		[AES67_SDP_DIR_INACTIVE] = "a=inactive",
	};

	if (lv->n_refclk > AES67_SDP_MAX_REFCLK || lv->n_filters > AES67_SDP_MAX_FILTERS ||
	    lv->direction > AES67_SDP_DIR_INACTIVE) {
		w->bad = true;
		return;
	}
	for (unsigned i = 0; i < lv->n_filters; i++) {
		put_filter(w, &lv->filters[i]);
	}
	if (lv->has_clock_domain) {
		puts_(w, "a=clock-domain:PTPv2 ");
		put_u64(w, lv->clock_domain);
		eol(w);
	}
	for (unsigned i = 0; i < lv->n_refclk; i++) {
		put_refclk(w, &lv->refclk[i]);
	}
	if (lv->has_mediaclk) {
		put_mediaclk(w, &lv->mediaclk);
	}
	if (lv->has_sync_time) {
		puts_(w, "a=sync-time:");
		put_u64(w, lv->sync_time);
		eol(w);
	}
	if (lv->direction != AES67_SDP_DIR_NONE) {
		puts_(w, dirs[lv->direction]);
		eol(w);
	}
}

static void put_media(struct wr *w, const struct aes67_sdp_media *m)
{
	bool audio = strcmp(m->type, "audio") == 0;

	if (m->n_fmt == 0 || m->n_fmt > AES67_SDP_MAX_FMT || m->n_rtpmap > AES67_SDP_MAX_FMT) {
		w->bad = true;
		return;
	}
	puts_(w, "m=");
	put_tok(w, m->type);
	puts_(w, " ");
	put_u64(w, m->port);
	if (m->port_count != 1) {
		puts_(w, "/");
		put_u64(w, m->port_count);
		w->bad |= m->port_count == 0;
	}
	puts_(w, " ");
	put_tok(w, m->proto);
	for (unsigned i = 0; i < m->n_fmt; i++) {
		puts_(w, " ");
		put_u64(w, m->fmt[i]);
		w->bad |= m->fmt[i] > 127;
	}
	eol(w);
	if (m->lv.info[0]) {
		puts_(w, "i=");
		put_text(w, m->lv.info);
		eol(w);
	}
	put_conn(w, &m->lv.conn);
	for (unsigned i = 0; i < m->n_rtpmap; i++) {
		const struct aes67_sdp_rtpmap *r = &m->rtpmap[i];

		puts_(w, "a=rtpmap:");
		put_u64(w, r->pt);
		puts_(w, " ");
		put_tok(w, r->name);
		puts_(w, "/");
		put_u64(w, r->rate_hz);
		if (audio || r->channels != 1) {
			puts_(w, "/");
			put_u64(w, r->channels);
		}
		w->bad |= r->pt > 127 || r->rate_hz == 0 || r->channels == 0 ||
			  r->channels > 1024 || strchr(r->name, '/') != NULL;
		eol(w);
	}
	if (m->channel_order[0]) {
		puts_(w, "a=fmtp:");
		put_u64(w, m->channel_order_pt);
		puts_(w, " channel-order=");
		put_tok(w, m->channel_order);
		w->bad |= m->channel_order_pt > 127 || strchr(m->channel_order, ';') != NULL;
		eol(w);
	}
	if (m->ptime_ns) {
		puts_(w, "a=ptime:");
		put_ms(w, m->ptime_ns);
		eol(w);
	}
	if (m->maxptime_ns) {
		puts_(w, "a=maxptime:");
		put_ms(w, m->maxptime_ns);
		eol(w);
	}
	if (m->framecount) {
		puts_(w, "a=framecount:");
		put_u64(w, m->framecount);
		eol(w);
	}
	put_level(w, &m->lv);
	if (m->mid[0]) {
		puts_(w, "a=mid:");
		put_tok(w, m->mid);
		eol(w);
	}
}

int aes67_sdp_generate(const struct aes67_sdp *sdp, char *buf, size_t cap_bytes)
{
	struct wr w = {.buf = buf, .cap = cap_bytes};

	if (!buf || cap_bytes == 0) {
		return -AES67_ENOSPACE;
	}
	if (sdp->n_media > AES67_SDP_MAX_MEDIA || sdp->n_groups > AES67_SDP_MAX_GROUPS) {
		return -EINVAL;
	}
	puts_(&w, "v=0\r\no=");
	put_tok(&w, sdp->username[0] ? sdp->username : "-");
	puts_(&w, " ");
	put_u64(&w, sdp->sess_id);
	puts_(&w, " ");
	put_u64(&w, sdp->sess_version);
	puts_(&w, " IN ");
	put_addrtype(&w, sdp->origin_addrtype);
	puts_(&w, " ");
	put_tok(&w, sdp->origin_addr);
	eol(&w);
	/* RFC 8866 §5.3: s= is never empty; a single space stands for "no name". */
	puts_(&w, "s=");
	put_text(&w, sdp->name[0] ? sdp->name : " ");
	eol(&w);
	if (sdp->lv.info[0]) {
		puts_(&w, "i=");
		put_text(&w, sdp->lv.info);
		eol(&w);
	}
	put_conn(&w, &sdp->lv.conn);
	puts_(&w, "t=");
	put_u64(&w, sdp->t_start);
	puts_(&w, " ");
	put_u64(&w, sdp->t_stop);
	eol(&w);
	if (sdp->keywds[0]) {
		puts_(&w, "a=keywds:");
		put_text(&w, sdp->keywds);
		eol(&w);
	}
	for (unsigned g = 0; g < sdp->n_groups; g++) {
		const struct aes67_sdp_group *grp = &sdp->groups[g];

		puts_(&w, "a=group:");
		put_tok(&w, grp->semantics);
		w.bad |= grp->n_mids > AES67_SDP_MAX_GROUP_MIDS;
		for (unsigned i = 0; i < grp->n_mids && i < AES67_SDP_MAX_GROUP_MIDS; i++) {
			puts_(&w, " ");
			put_tok(&w, grp->mids[i]);
		}
		eol(&w);
	}
	put_level(&w, &sdp->lv);
	for (unsigned i = 0; i < sdp->n_media; i++) {
		put_media(&w, &sdp->media[i]);
	}
	if (w.bad) {
		return -EINVAL;
	}
	if (w.full) {
		return -AES67_ENOSPACE;
	}
	buf[w.len] = '\0';
	return (int)w.len;
}
