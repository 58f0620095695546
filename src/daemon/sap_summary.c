// SPDX-License-Identifier: MIT
/*
 * Session summaries for sessions.list / aes67 list (see sap_summary.h). The SDP is parsed with
 * the core parser; a session whose SDP does not parse is still listed, with the parser's line and
 * reason, so an operator sees why a device's announcement cannot be used.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sap_summary.h"

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

int aes67d_sap_summarize(const char *sdp, size_t len_bytes, struct aes67d_sap_summary *out)
{
	struct aes67_sdp *p = malloc(sizeof(*p));
	struct aes67_sdp_error e;
	int r;

	memset(out, 0, sizeof(*out));
	if (p == NULL) {
		return -ENOMEM;
	}
	r = aes67_sdp_parse(p, sdp, len_bytes, &e);
	if (r < 0) {
		snprintf(out->error, sizeof(out->error), "line %u: %s", e.line,
			 e.reason != NULL ? e.reason : "invalid");
		free(p);
		return 0;
	}
	out->parsed = true;
	copy_str(out->name, sizeof(out->name), p->name);
	for (unsigned i = 0; i < p->n_media; i++) {
		const struct aes67_sdp_media *m = &p->media[i];
		const struct aes67_sdp_conn *c = aes67_sdp_media_conn(p, m);
		const struct aes67_sdp_rtpmap *map =
			m->n_fmt > 0 ? aes67_sdp_media_rtpmap(m, m->fmt[0]) : NULL;

		if (strcmp(m->type, "audio") != 0 && i + 1 < p->n_media) {
			continue; /* prefer the first audio section */
		}
		if (c != NULL) {
			copy_str(out->address, sizeof(out->address), c->addr);
		}
		out->port = m->port;
		out->ptime_us = m->ptime_ns / 1000u;
		if (map != NULL) {
			copy_str(out->encoding, sizeof(out->encoding), map->name);
			out->rate_hz = map->rate_hz;
			out->channels = map->channels;
		}
		break;
	}
	free(p);
	return 0;
}

void aes67d_sap_origin_text(const struct aes67_sap_origin *o, char *buf, size_t cap)
{
	char tmp[INET6_ADDRSTRLEN];

	if (inet_ntop(o->family == 6 ? AF_INET6 : AF_INET, o->addr, tmp, sizeof(tmp)) == NULL) {
		copy_str(tmp, sizeof(tmp), "?");
	}
	copy_str(buf, cap, tmp);
}

json_t *aes67d_json_text(const char *s, size_t len)
{
	json_t *v = json_stringn(s, len);
	char *copy;

	if (v != NULL || s == NULL) {
		return v;
	}
	/* Not valid UTF-8 (e.g. a Latin-1 session name): show the other bytes as '?'. */
	copy = malloc(len + 1);
	if (copy == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		copy[i] = (unsigned char)s[i] < 0x80 && s[i] != '\0' ? s[i] : '?';
	}
	v = json_stringn(copy, len);
	free(copy);
	return v;
}

static json_t *text(const char *s)
{
	return aes67d_json_text(s, strlen(s));
}

static int set(json_t *obj, const char *key, json_t *v)
{
	return v != NULL && json_object_set_new(obj, key, v) == 0 ? 0 : -ENOMEM;
}

json_t *aes67d_sap_entry_json(const struct aes67_sap_entry *e, uint64_t now_ns, bool with_sdp)
{
	struct aes67d_sap_summary sum;
	char origin[INET6_ADDRSTRLEN];
	json_t *o = json_object();
	uint64_t age_ns = now_ns > e->last_seen_ns ? now_ns - e->last_seen_ns : 0;
	int r;

	if (o == NULL || aes67d_sap_summarize(e->sdp, e->sdp_bytes, &sum) < 0) {
		json_decref(o);
		return NULL;
	}
	aes67d_sap_origin_text(&e->origin, origin, sizeof(origin));
	r = set(o, "name", text(sum.parsed ? sum.name : "")) |
	    set(o, "origin", json_string(origin)) |
	    set(o, "msg_id_hash", json_integer(e->msg_id_hash)) |
	    set(o, "age_s", json_real((double)age_ns / 1e9)) |
	    set(o, "announcements", json_integer((json_int_t)e->announcements));
	if (sum.parsed) {
		r |= set(o, "encoding", text(sum.encoding)) |
		     set(o, "rate", json_integer(sum.rate_hz)) |
		     set(o, "channels", json_integer(sum.channels)) |
		     set(o, "address", text(sum.address)) | set(o, "port", json_integer(sum.port)) |
		     set(o, "ptime_us", json_integer(sum.ptime_us));
	} else {
		r |= set(o, "sdp_error", text(sum.error));
	}
	if (with_sdp) {
		r |= set(o, "sdp", aes67d_json_text(e->sdp, e->sdp_bytes));
	}
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}
