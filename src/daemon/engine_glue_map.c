// SPDX-License-Identifier: MIT
/*
 * Pure mappings of the engine glue (engine_glue.h): configured streams to engine parameters, and
 * running streams' counters to JSON. Nothing here touches the engine or a socket, so the unit
 * suite checks every field.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "aes67/error.h"
#include "engine_glue.h"
#include "engine_util.h"
#include "stream_sdp.h"

uint32_t aes67d_glue_ptime_ns(uint32_t ptime_us)
{
	/* AES67-2018 §7.2 lists 333 µs as the rounded name of 1/3 ms. */
	return ptime_us == 333 ? 333333u : ptime_us * 1000u;
}

static enum aes67_pcm_format pcm_format(enum aes67d_encoding e)
{
	switch (e) {
	case AES67D_ENC_L16:
		return AES67_PCM_L16;
	case AES67D_ENC_L32:
		return AES67_PCM_L32;
	case AES67D_ENC_AM824:
		return AES67_PCM_AM824;
	case AES67D_ENC_L24:
		break;
	}
	return AES67_PCM_L24;
}

int aes67d_glue_tx_params(const struct aes67d_tx_config *c, struct aes67d_tx_params *p, char *err,
			  size_t err_bytes)
{
	aes67d_tx_params_init(p);
	snprintf(p->name, sizeof(p->name), "%s", c->name);
	p->dest.sin_addr = c->destination;
	p->dest.sin_port = htons((uint16_t)c->port);
	p->ttl = c->ttl;
	p->dscp = c->dscp;
	p->format = pcm_format(c->encoding);
	p->rate_hz = c->rate_hz;
	p->channels = c->channels;
	p->ptime_ns = aes67d_glue_ptime_ns(c->ptime_us);
	/* The same rounding as the SDP side (aes67_sdp_media_frames_per_packet()), so a receiver
	 * of our SDP expects exactly the packets we send. */
	p->frames_per_packet = aes67d_ptime_frames(p->ptime_ns, c->rate_hz);
	p->device_channel_offset = c->device_channel_offset;
	if (p->frames_per_packet == 0) {
		snprintf(err, err_bytes, "ptime_us: %u us at %u Hz is less than one frame",
			 c->ptime_us, c->rate_hz);
		return -AES67_ERANGE;
	}
	return aes67d_tx_params_check(p, err, err_bytes);
}

/* FNV-1a, 64 bits: only to notice that an SDP text changed. */
static uint64_t hash_text(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	}
	return h != 0 ? h : 1;
}

int aes67d_glue_tx_sdp(struct aes67d_glue_sdp *st, const struct aes67d_tx_params *tp,
		       const struct aes67d_net_if *nif, struct aes67d_clock *clk, char *buf,
		       size_t cap_bytes)
{
	struct aes67d_clock_ref ref;
	bool has_ref = clk != NULL && clk->get_ref != NULL && clk->get_ref(clk, &ref) == 0;
	bool ref_changed =
		has_ref != st->has_ref || (has_ref && ref.generation != st->ref_generation);
	uint64_t h;
	int len;

	len = aes67d_stream_sdp_tx_ref(tp, nif, has_ref ? &ref : NULL, st->sess_id, st->version,
				       buf, cap_bytes);
	if (len < 0) {
		return len;
	}
	h = hash_text(buf, (size_t)len);
	if (st->sdp_hash != 0 && (h != st->sdp_hash || ref_changed)) {
		/* RFC 8866 §5.2: a changed description gets a new version. */
		st->version++;
		len = aes67d_stream_sdp_tx_ref(tp, nif, has_ref ? &ref : NULL, st->sess_id,
					       st->version, buf, cap_bytes);
		if (len < 0) {
			return len;
		}
		h = hash_text(buf, (size_t)len);
	}
	st->sdp_hash = h;
	st->has_ref = has_ref;
	st->ref_generation = has_ref ? ref.generation : 0;
	return len;
}

static uint32_t us_to_frames(uint32_t us, uint32_t rate_hz)
{
	return (uint32_t)(((uint64_t)us * rate_hz + 500000u) / 1000000u);
}

int aes67d_glue_rx_params(const struct aes67d_rx_config *c, uint32_t device_ptime_us,
			  struct aes67d_rx_params *p, char *err, size_t err_bytes)
{
	bool dflt = !c->link_offset_in_frames && c->link_offset_us == AES67D_DEFAULT_LINK_OFFSET_US;
	int r;

	aes67d_rx_params_init(p);
	snprintf(p->name, sizeof(p->name), "%s", c->name);
	p->link_offset_frames = 0;
	if (c->has_sdp) {
		char why[AES67D_ERR_BYTES];

		r = aes67d_stream_sdp_rx(c->sdp, strnlen(c->sdp, sizeof(c->sdp)), p, why,
					 sizeof(why));
		if (r < 0) {
			snprintf(err, err_bytes, "sdp: %s", why);
			return r;
		}
	} else {
		p->group.sin_addr = c->source;
		p->group.sin_port = htons((uint16_t)c->port);
		p->format = pcm_format(c->encoding);
		p->rate_hz = c->rate_hz;
		p->channels = c->channels;
		p->frames_per_packet =
			aes67d_ptime_frames(aes67d_glue_ptime_ns(device_ptime_us), c->rate_hz);
		if (p->frames_per_packet == 0) {
			p->frames_per_packet = c->rate_hz / 1000;
		}
		p->payload_type = -1;
		p->ts_offset = 0;
	}
	if (c->link_offset_in_frames) {
		p->link_offset_frames = c->link_offset_frames;
	} else if (!dflt) {
		p->link_offset_frames = us_to_frames(c->link_offset_us, p->rate_hz);
	} else {
		p->link_offset_frames =
			aes67d_rx_default_link_offset_frames(p->rate_hz, p->frames_per_packet);
	}
	p->device_channel_offset = c->device_channel_offset;
	return 0;
}

static json_int_t ld(const _Atomic uint64_t *v)
{
	return (json_int_t)atomic_load_explicit(v, memory_order_relaxed);
}

json_t *aes67d_glue_tx_stats_json(const struct aes67d_tx_stream *s)
{
	const struct aes67d_tx_counters *c = &s->c;

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:i}", "packets",
			 ld(&c->packets), "bytes", ld(&c->bytes), "send_errors",
			 ld(&c->send_errors), "late_ticks", ld(&c->late_ticks), "skipped_frames",
			 ld(&c->skipped_frames), "underrun_frames", ld(&c->underrun_frames),
			 "next_pos", ld(&c->next_pos), "ssrc", (json_int_t)s->p.ssrc,
			 "frames_per_packet", (int)s->p.frames_per_packet, "channels",
			 (int)s->p.channels, "rate", (int)s->p.rate_hz);
}

json_t *aes67d_glue_rx_stats_json(const struct aes67d_rx_stream *s)
{
	const struct aes67d_rx_counters *c = &s->c;
	uint64_t jitter = atomic_load_explicit(&c->jitter_rtp, memory_order_relaxed);
	json_t *o = json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"packets", ld(&c->packets), "bytes", ld(&c->bytes), "lost", ld(&c->lost), "late",
		ld(&c->late), "too_early", ld(&c->too_early), "reordered", ld(&c->reordered),
		"duplicates", ld(&c->duplicates), "ssrc_changes", ld(&c->ssrc_changes), "restarts",
		ld(&c->restarts), "resyncs", ld(&c->resyncs), "malformed", ld(&c->malformed),
		"filtered", ld(&c->filtered), "wrong_pt", ld(&c->wrong_pt), "jitter_rtp",
		(json_int_t)jitter, "jitter_us",
		(json_int_t)(s->p.rate_hz != 0 ? jitter * 1000000u / s->p.rate_hz : 0));

	if (o == NULL) {
		return NULL;
	}
	if (json_object_set_new(o, "rescued", json_integer((json_int_t)ld(&c->rescued))) != 0 ||
	    json_object_set_new(o, "delay_max_frames",
				json_integer((json_int_t)ld(&c->delay_max_frames))) != 0 ||
	    json_object_set_new(o, "fill_frames",
				json_integer((json_int_t)atomic_load_explicit(
					&c->fill_frames, memory_order_relaxed))) != 0 ||
	    json_object_set_new(o, "ssrc",
				json_integer((json_int_t)atomic_load_explicit(
					&c->ssrc, memory_order_relaxed))) != 0 ||
	    json_object_set_new(o, "first_pos",
				json_integer((json_int_t)atomic_load_explicit(
					&c->first_pos, memory_order_relaxed))) != 0 ||
	    json_object_set_new(o, "last_end_pos",
				json_integer((json_int_t)atomic_load_explicit(
					&c->last_end_pos, memory_order_relaxed))) != 0 ||
	    json_object_set_new(o, "link_offset_frames",
				json_integer((json_int_t)s->p.link_offset_frames)) != 0 ||
	    json_object_set_new(o, "channels", json_integer((json_int_t)s->p.channels)) != 0 ||
	    json_object_set_new(o, "rate", json_integer((json_int_t)s->p.rate_hz)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}
