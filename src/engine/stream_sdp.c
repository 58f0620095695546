// SPDX-License-Identifier: MIT
/*
 * SDP mapping for the engine's streams (stream_sdp.h), and the private device region the CLI
 * runs its in-process engine on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aes67/error.h"
#include "aes67/sdp.h"
#include "stream_sdp.h"

static enum aes67_sdp_encoding sdp_enc(enum aes67_pcm_format f)
{
	switch (f) {
	case AES67_PCM_L16:
		return AES67_SDP_ENC_L16;
	case AES67_PCM_L24:
		return AES67_SDP_ENC_L24;
	case AES67_PCM_L32:
		return AES67_SDP_ENC_L32;
	case AES67_PCM_AM824:
		return AES67_SDP_ENC_AM824;
	}
	return AES67_SDP_ENC_OTHER;
}

int aes67d_stream_sdp_tx(const struct aes67d_tx_params *p, const struct aes67d_net_if *nif,
			 uint64_t sess_id, uint64_t sess_version, char *buf, size_t cap_bytes)
{
	return aes67d_stream_sdp_tx_ref(p, nif, NULL, sess_id, sess_version, buf, cap_bytes);
}

int aes67d_stream_sdp_tx_ref(const struct aes67d_tx_params *p, const struct aes67d_net_if *nif,
			     const struct aes67d_clock_ref *ref, uint64_t sess_id,
			     uint64_t sess_version, char *buf, size_t cap_bytes)
{
	struct aes67_sdp *sdp = malloc(sizeof(*sdp));
	struct aes67_sdp_media *m;
	struct aes67_sdp_rtpmap *rm;
	int r;

	if (sdp == NULL) {
		return -ENOMEM;
	}
	aes67_sdp_init(sdp);
	sdp->sess_id = sess_id;
	sdp->sess_version = sess_version;
	sdp->origin_addrtype = AES67_SDP_ADDR_IP4;
	inet_ntop(AF_INET, &nif->addr, sdp->origin_addr, sizeof(sdp->origin_addr));
	snprintf(sdp->name, sizeof(sdp->name), "%s", p->name);
	/* c= with /TTL for multicast (RFC 8866 §5.7). */
	sdp->lv.conn.addrtype = AES67_SDP_ADDR_IP4;
	sdp->lv.conn.count = 1;
	inet_ntop(AF_INET, &p->dest.sin_addr, sdp->lv.conn.addr, sizeof(sdp->lv.conn.addr));
	if (IN_MULTICAST(ntohl(p->dest.sin_addr.s_addr))) {
		sdp->lv.conn.has_ttl = true;
		sdp->lv.conn.ttl = (uint8_t)p->ttl;
	}
	m = &sdp->media[0];
	sdp->n_media = 1;
	snprintf(m->type, sizeof(m->type), "audio");
	snprintf(m->proto, sizeof(m->proto), "RTP/AVP");
	m->port = ntohs(p->dest.sin_port);
	m->port_count = 1;
	m->n_fmt = 1;
	m->fmt[0] = p->payload_type;
	m->n_rtpmap = 1;
	rm = &m->rtpmap[0];
	rm->pt = p->payload_type;
	rm->encoding = (uint8_t)sdp_enc(p->format);
	rm->channels = (uint16_t)p->channels;
	rm->rate_hz = p->rate_hz;
	snprintf(rm->name, sizeof(rm->name), "%s", aes67_sdp_encoding_name(sdp_enc(p->format)));
	m->ptime_ns = p->ptime_ns;
	m->lv.direction = AES67_SDP_DIR_RECVONLY; /* AES67-2018 §8.3 example */
	/* RFC 7273 §4.8: the grandmaster the media clock follows (AES67-2018 §8.5 asks for the
	 * IEEE 1588-2008 form with the grandmaster's EUI-64 and the domain), or, without one, the
	 * host's own clock named by the interface MAC. §5.2: the offset is the one sent. */
	m->lv.n_refclk = 1;
	if (ref != NULL && ref->gm_valid) {
		m->lv.refclk[0].kind = AES67_SDP_REFCLK_PTP;
		m->lv.refclk[0].ptp_version = AES67_SDP_PTP_IEEE1588_2008;
		memcpy(m->lv.refclk[0].gmid, ref->gm_identity, sizeof(m->lv.refclk[0].gmid));
		m->lv.refclk[0].has_domain = true;
		m->lv.refclk[0].domain = ref->domain;
	} else {
		m->lv.refclk[0].kind = AES67_SDP_REFCLK_LOCALMAC;
		memcpy(m->lv.refclk[0].mac, nif->mac, 6);
	}
	m->lv.has_mediaclk = true;
	m->lv.mediaclk.kind = AES67_SDP_MEDIACLK_DIRECT;
	m->lv.mediaclk.offset = p->ts_offset;
	r = aes67_sdp_generate(sdp, buf, cap_bytes);
	free(sdp);
	return r;
}

static enum aes67_pcm_format pcm_fmt(uint8_t enc)
{
	switch (enc) {
	case AES67_SDP_ENC_L16:
		return AES67_PCM_L16;
	case AES67_SDP_ENC_L32:
		return AES67_PCM_L32;
	case AES67_SDP_ENC_AM824:
		return AES67_PCM_AM824;
	default:
		return AES67_PCM_L24;
	}
}

int aes67d_stream_sdp_rx(const char *text, size_t len_bytes, struct aes67d_rx_params *p, char *err,
			 size_t err_bytes)
{
	struct aes67_sdp *sdp = malloc(sizeof(*sdp));
	struct aes67_sdp_error se = {0};
	const char *why = "no audio section";
	int r, idx = -1;

	if (sdp == NULL) {
		return -ENOMEM;
	}
	r = aes67_sdp_parse(sdp, text, len_bytes, &se);
	if (r < 0) {
		snprintf(err, err_bytes, "SDP line %u: %s", se.line, se.reason);
		goto out;
	}
	for (unsigned i = 0; i < sdp->n_media && idx < 0; i++) {
		r = aes67_sdp_media_check(sdp, i, &why);
		if (r == 0) {
			idx = (int)i;
		}
	}
	if (idx < 0) {
		snprintf(err, err_bytes, "SDP: no usable AES67 audio section (%s)", why);
		r = r < 0 ? r : -AES67_ENOTFOUND;
		goto out;
	}
	{
		const struct aes67_sdp_media *m = &sdp->media[idx];
		const struct aes67_sdp_conn *c = aes67_sdp_media_conn(sdp, m);
		const struct aes67_sdp_rtpmap *rm = aes67_sdp_media_rtpmap(m, m->fmt[0]);
		const struct aes67_sdp_mediaclk *mc = aes67_sdp_media_mediaclk(sdp, m);
		const struct aes67_sdp_filter *f =
			m->lv.n_filters > 0 ? &m->lv.filters[0]
					    : (sdp->lv.n_filters > 0 ? &sdp->lv.filters[0] : NULL);
		int fpp = aes67_sdp_media_frames_per_packet(m);

		if (c == NULL || c->addrtype != AES67_SDP_ADDR_IP4 ||
		    inet_pton(AF_INET, c->addr, &p->group.sin_addr) != 1) {
			snprintf(err, err_bytes,
				 "SDP: the connection address is not an IPv4 literal (IPv6 and "
				 "host names are not supported)");
			r = -AES67_EUNSUPPORTED;
			goto out;
		}
		p->group.sin_family = AF_INET;
		p->group.sin_port = htons(m->port);
		p->source.s_addr = htonl(INADDR_ANY);
		if (f != NULL && !f->exclude && f->n_sources > 0 &&
		    inet_pton(AF_INET, f->sources[0], &p->source) != 1) {
			p->source.s_addr = htonl(INADDR_ANY);
		}
		p->format = pcm_fmt(rm->encoding);
		p->rate_hz = rm->rate_hz;
		p->channels = rm->channels;
		p->frames_per_packet = fpp > 0 ? (uint32_t)fpp : 48;
		p->payload_type = m->fmt[0];
		p->ts_offset = mc != NULL && mc->kind == AES67_SDP_MEDIACLK_DIRECT ? mc->offset : 0;
		if (p->link_offset_frames == 0) {
			p->link_offset_frames = aes67d_rx_default_link_offset_frames(
				p->rate_hz, p->frames_per_packet);
		}
		r = 0;
	}
out:
	free(sdp);
	return r;
}

int aes67d_engine_private_ring(struct aes67_ring *ring, uint32_t rate_hz, uint32_t play_channels,
			       uint32_t capture_channels, uint32_t capacity_frames, void **mem)
{
	struct aes67_ring_geometry g = {.sample_rate = rate_hz,
					.channels_play = play_channels,
					.channels_capture = capture_channels,
					.capacity_frames = capacity_frames,
					.format = AES67_RING_FORMAT_S32};
	struct aes67_ring_layout l;
	size_t bytes;
	void *m;
	int r = aes67_ring_layout(&g, &l);

	if (r < 0) {
		return r;
	}
	bytes = (size_t)(l.total_bytes + 63) / 64 * 64;
	m = aligned_alloc(64, bytes);
	if (m == NULL) {
		return -ENOMEM;
	}
	if ((r = aes67_ring_init(m, bytes, &g, (uint64_t)getpid() | 1)) < 0 ||
	    (r = aes67_ring_attach(m, bytes, ring, NULL)) < 0) {
		free(m);
		return r;
	}
	*mem = m;
	return 0;
}
