// SPDX-License-Identifier: MIT
/*
 * A parsed SDP as JSON (see json_out.h). Member names follow the SDP syntax they come from
 * (RFC 8866 line letters, RFC 7273 / AES67-2018 §8 attribute names) so a reader can match them
 * to the text. Enumerations are printed as names, not numbers.
 */
#include <stdio.h>
#include <string.h>

#include "json_out.h"
#include "sap_summary.h"

/* Free text (s=, i=, keywds) may be in any charset; JSON needs UTF-8. */
static json_t *text(const char *s)
{
	return aes67d_json_text(s, strlen(s));
}

static const char *addrtype_name(unsigned t)
{
	return t == AES67_SDP_ADDR_IP4 ? "IP4" : t == AES67_SDP_ADDR_IP6 ? "IP6" : "";
}

static const char *direction_name(unsigned d)
{
	static const char *const n[] = {"", "sendrecv", "sendonly", "recvonly", "inactive"};

	return d < sizeof(n) / sizeof(n[0]) ? n[d] : "?";
}

static const char *refclk_name(unsigned k)
{
	static const char *const n[] = {"other", "ptp",	    "localmac", "ntp",	  "gps",
					"gal",	 "glonass", "local",	"private"};

	return k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

static const char *ptp_version_name(unsigned v)
{
	static const char *const n[] = {"",
					"IEEE1588-2002",
					"IEEE1588-2008",
					"IEEE1588-2019",
					"IEEE802.1AS-2011",
					"IEEE802.1AS-2020"};

	return v < sizeof(n) / sizeof(n[0]) ? n[v] : "?";
}

static const char *mediaclk_name(unsigned k)
{
	static const char *const n[] = {"other", "direct", "sender", "IEEE1722"};

	return k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

static json_t *hex_id(const uint8_t *b, size_t n, char sep)
{
	char buf[32];
	size_t o = 0;

	for (size_t i = 0; i < n && o + 3 < sizeof(buf); i++) {
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, i + 1 < n ? "%02X%c" : "%02X", b[i],
				      sep);
	}
	buf[o] = '\0';
	return json_string(buf);
}

static json_t *conn_json(const struct aes67_sdp_conn *c)
{
	if (c->addrtype == AES67_SDP_ADDR_NONE) {
		return json_null();
	}
	return json_pack("{s:s, s:s, s:o, s:i}", "addrtype", addrtype_name(c->addrtype), "address",
			 c->addr, "ttl", c->has_ttl ? json_integer(c->ttl) : json_null(), "count",
			 c->count);
}

static json_t *refclk_json(const struct aes67_sdp_refclk *r)
{
	json_t *o = json_pack("{s:s}", "kind", refclk_name(r->kind));

	if (o == NULL) {
		return NULL;
	}
	if (r->kind == AES67_SDP_REFCLK_PTP) {
		json_object_set_new(o, "version", json_string(ptp_version_name(r->ptp_version)));
		json_object_set_new(o, "traceable", json_boolean(r->traceable));
		if (!r->traceable) {
			json_object_set_new(o, "gmid", hex_id(r->gmid, 8, '-'));
		}
		json_object_set_new(o, "domain",
				    r->has_domain ? json_integer(r->domain) : json_null());
	} else if (r->kind == AES67_SDP_REFCLK_LOCALMAC) {
		json_object_set_new(o, "mac", hex_id(r->mac, 6, '-'));
	} else {
		json_object_set_new(o, "value", json_string(r->value));
	}
	return o;
}

static json_t *level_json(const struct aes67_sdp_level *lv)
{
	json_t *o = json_object(), *refclk = json_array(), *filters = json_array();

	if (o == NULL || refclk == NULL || filters == NULL) {
		json_decref(o);
		json_decref(refclk);
		json_decref(filters);
		return NULL;
	}
	json_object_set_new(o, "c", conn_json(&lv->conn));
	json_object_set_new(o, "i", text(lv->info));
	json_object_set_new(o, "direction", json_string(direction_name(lv->direction)));
	for (unsigned i = 0; i < lv->n_refclk && i < AES67_SDP_MAX_REFCLK; i++) {
		json_array_append_new(refclk, refclk_json(&lv->refclk[i]));
	}
	json_object_set_new(o, "ts-refclk", refclk);
	if (lv->has_mediaclk) {
		const struct aes67_sdp_mediaclk *m = &lv->mediaclk;

		json_object_set_new(
			o, "mediaclk",
			json_pack("{s:s, s:I, s:s, s:s, s:o}", "kind", mediaclk_name(m->kind),
				  "offset", (json_int_t)m->offset, "id", m->id, "value", m->value,
				  "rate",
				  m->has_rate ? json_pack("[I, I]", (json_int_t)m->rate_num,
							  (json_int_t)m->rate_den)
					      : json_null()));
	} else {
		json_object_set_new(o, "mediaclk", json_null());
	}
	for (unsigned i = 0; i < lv->n_filters && i < AES67_SDP_MAX_FILTERS; i++) {
		const struct aes67_sdp_filter *f = &lv->filters[i];
		json_t *src = json_array();

		for (unsigned k = 0; src != NULL && k < f->n_sources && k < AES67_SDP_MAX_SOURCES;
		     k++) {
			json_array_append_new(src, json_string(f->sources[k]));
		}
		json_array_append_new(filters,
				      json_pack("{s:s, s:s, s:s, s:o}", "mode",
						f->exclude ? "excl" : "incl", "addrtype",
						f->addrtype == 0 ? "*" : addrtype_name(f->addrtype),
						"dest", f->dest, "sources", src));
	}
	json_object_set_new(o, "source-filter", filters);
	json_object_set_new(o, "clock-domain",
			    lv->has_clock_domain ? json_integer(lv->clock_domain) : json_null());
	json_object_set_new(o, "sync-time",
			    lv->has_sync_time ? json_integer(lv->sync_time) : json_null());
	json_object_set_new(o, "skipped_attributes", json_integer(lv->skipped_attrs));
	return o;
}

static json_t *media_json(const struct aes67_sdp *sdp, unsigned index)
{
	const struct aes67_sdp_media *m = &sdp->media[index];
	json_t *o = level_json(&m->lv), *fmt = json_array(), *maps = json_array();
	const char *reason = "";
	int fpp = aes67_sdp_media_frames_per_packet(m);
	int usable = aes67_sdp_media_check(sdp, index, &reason);

	if (o == NULL || fmt == NULL || maps == NULL) {
		json_decref(o);
		json_decref(fmt);
		json_decref(maps);
		return NULL;
	}
	json_object_set_new(o, "type", json_string(m->type));
	json_object_set_new(o, "port", json_integer(m->port));
	json_object_set_new(o, "port_count", json_integer(m->port_count));
	json_object_set_new(o, "proto", json_string(m->proto));
	for (unsigned i = 0; i < m->n_fmt && i < AES67_SDP_MAX_FMT; i++) {
		json_array_append_new(fmt, json_integer(m->fmt[i]));
	}
	json_object_set_new(o, "fmt", fmt);
	for (unsigned i = 0; i < m->n_rtpmap && i < AES67_SDP_MAX_FMT; i++) {
		const struct aes67_sdp_rtpmap *r = &m->rtpmap[i];

		json_array_append_new(
			maps, json_pack("{s:i, s:s, s:I, s:i}", "pt", r->pt, "encoding", r->name,
					"rate", (json_int_t)r->rate_hz, "channels", r->channels));
	}
	json_object_set_new(o, "rtpmap", maps);
	json_object_set_new(o, "ptime_ms",
			    m->ptime_ns ? json_real(m->ptime_ns / 1e6) : json_null());
	json_object_set_new(o, "maxptime_ms",
			    m->maxptime_ns ? json_real(m->maxptime_ns / 1e6) : json_null());
	json_object_set_new(o, "framecount",
			    m->framecount ? json_integer(m->framecount) : json_null());
	json_object_set_new(o, "channel-order",
			    m->channel_order[0] ? json_string(m->channel_order) : json_null());
	json_object_set_new(o, "mid", m->mid[0] ? json_string(m->mid) : json_null());
	json_object_set_new(o, "frames_per_packet", fpp > 0 ? json_integer(fpp) : json_null());
	json_object_set_new(o, "aes67_usable", json_boolean(usable == 0));
	if (usable != 0) {
		json_object_set_new(o, "aes67_unusable_reason", json_string(reason));
	}
	return o;
}

json_t *cli_sdp_to_json(const struct aes67_sdp *sdp)
{
	json_t *o = json_object(), *media = json_array(), *groups = json_array();

	if (o == NULL || media == NULL || groups == NULL) {
		json_decref(o);
		json_decref(media);
		json_decref(groups);
		return NULL;
	}
	json_object_set_new(o, "o",
			    json_pack("{s:s, s:I, s:I, s:s, s:s}", "username", sdp->username,
				      "sess_id", (json_int_t)sdp->sess_id, "sess_version",
				      (json_int_t)sdp->sess_version, "addrtype",
				      addrtype_name(sdp->origin_addrtype), "address",
				      sdp->origin_addr));
	json_object_set_new(o, "s", text(sdp->name));
	json_object_set_new(o, "t",
			    json_pack("[I, I]", (json_int_t)sdp->t_start, (json_int_t)sdp->t_stop));
	json_object_set_new(o, "keywds", text(sdp->keywds));
	json_object_set_new(o, "truncated_text", json_boolean(sdp->truncated));
	json_object_set_new(o, "skipped_lines", json_integer(sdp->skipped_lines));
	for (unsigned i = 0; i < sdp->n_groups && i < AES67_SDP_MAX_GROUPS; i++) {
		const struct aes67_sdp_group *g = &sdp->groups[i];
		json_t *mids = json_array();

		for (unsigned k = 0; mids != NULL && k < g->n_mids && k < AES67_SDP_MAX_GROUP_MIDS;
		     k++) {
			json_array_append_new(mids, json_string(g->mids[k]));
		}
		json_array_append_new(
			groups, json_pack("{s:s, s:o}", "semantics", g->semantics, "mids", mids));
	}
	json_object_set_new(o, "group", groups);
	json_object_set_new(o, "session", level_json(&sdp->lv));
	for (unsigned i = 0; i < sdp->n_media && i < AES67_SDP_MAX_MEDIA; i++) {
		json_array_append_new(media, media_json(sdp, i));
	}
	json_object_set_new(o, "media", media);
	return o;
}

static void print_scalar(FILE *f, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		fprintf(f, "%s", json_string_value(v));
		break;
	case JSON_INTEGER:
		fprintf(f, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		fprintf(f, "yes");
		break;
	case JSON_FALSE:
		fprintf(f, "no");
		break;
	default:
		fprintf(f, "-");
		break;
	}
}

static bool all_scalars(const json_t *arr)
{
	size_t i;
	const json_t *v;

	json_array_foreach(arr, i, v)
	{
		if (json_is_object(v) || json_is_array(v)) {
			return false;
		}
	}
	return true;
}

void cli_json_print_text(FILE *f, const json_t *v, int indent)
{
	const char *key;
	const json_t *val;

	json_object_foreach((json_t *)v, key, val)
	{
		if (json_is_object(val)) {
			fprintf(f, "%*s%s:\n", indent, "", key);
			cli_json_print_text(f, val, indent + 2);
		} else if (json_is_array(val) && !all_scalars(val)) {
			size_t i;
			const json_t *e;

			fprintf(f, "%*s%s:%s\n", indent, "", key,
				json_array_size(val) == 0 ? " (none)" : "");
			json_array_foreach(val, i, e)
			{
				fprintf(f, "%*s[%zu]\n", indent + 2, "", i);
				cli_json_print_text(f, e, indent + 4);
			}
		} else if (json_is_array(val)) {
			size_t i;
			const json_t *e;

			fprintf(f, "%*s%s:", indent, "", key);
			json_array_foreach(val, i, e)
			{
				fputc(' ', f);
				print_scalar(f, e);
			}
			fputc('\n', f);
		} else {
			fprintf(f, "%*s%s: ", indent, "", key);
			print_scalar(f, val);
			fputc('\n', f);
		}
	}
}
