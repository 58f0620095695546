// SPDX-License-Identifier: MIT
/*
 * Questions a receiver asks of a parsed SDP: which c=, refclk, mediaclk and direction apply to a
 * media section (media level wins over session level, RFC 8866 §5), how many frames one packet
 * holds, and whether the section is a stream an AES67 / ST 2110-30/-31 receiver can take.
 */
#include <errno.h>
#include <string.h>

#include "aes67/error.h"
#include "sdp_internal.h"

const struct aes67_sdp_conn *aes67_sdp_media_conn(const struct aes67_sdp *sdp,
						  const struct aes67_sdp_media *m)
{
	if (m->lv.conn.addrtype != AES67_SDP_ADDR_NONE) {
		return &m->lv.conn;
	}
	if (sdp->lv.conn.addrtype != AES67_SDP_ADDR_NONE) {
		return &sdp->lv.conn;
	}
	return NULL;
}

bool aes67_sdp_conn_is_multicast(const struct aes67_sdp_conn *c)
{
	if (!c) {
		return false;
	}
	if (c->addrtype == AES67_SDP_ADDR_IP6) {
		return (c->addr[0] == 'f' || c->addr[0] == 'F') &&
		       (c->addr[1] == 'f' || c->addr[1] == 'F');
	}
	if (c->addrtype != AES67_SDP_ADDR_IP4) {
		return false;
	}
	/* 224.0.0.0/4: a dotted quad whose first part is 224..239 (RFC 5771). */
	unsigned first = 0;
	size_t i = 0;

	while (i < 3 && c->addr[i] >= '0' && c->addr[i] <= '9') {
		first = first * 10 + (unsigned)(c->addr[i] - '0');
		i++;
	}
	if (i == 0 || c->addr[i] != '.') {
		return false;
	}
	for (const char *q = c->addr; *q; q++) {
		if (!((*q >= '0' && *q <= '9') || *q == '.')) {
			return false; /* a host name that starts with digits */
		}
	}
	return first >= 224 && first <= 239;
}

const struct aes67_sdp_rtpmap *aes67_sdp_media_rtpmap(const struct aes67_sdp_media *m, unsigned pt)
{
	for (unsigned i = 0; i < m->n_rtpmap; i++) {
		if (m->rtpmap[i].pt == pt) {
			return &m->rtpmap[i];
		}
	}
	return NULL;
}

const struct aes67_sdp_refclk *aes67_sdp_media_refclk(const struct aes67_sdp *sdp,
						      const struct aes67_sdp_media *m)
{
	const struct aes67_sdp_level *lv = m->lv.n_refclk ? &m->lv : &sdp->lv;

	for (unsigned i = 0; i < lv->n_refclk; i++) {
		if (lv->refclk[i].kind == AES67_SDP_REFCLK_PTP) {
			return &lv->refclk[i];
		}
	}
	return lv->n_refclk ? &lv->refclk[0] : NULL;
}

const struct aes67_sdp_mediaclk *aes67_sdp_media_mediaclk(const struct aes67_sdp *sdp,
							  const struct aes67_sdp_media *m)
{
	if (m->lv.has_mediaclk) {
		return &m->lv.mediaclk;
	}
	return sdp->lv.has_mediaclk ? &sdp->lv.mediaclk : NULL;
}

enum aes67_sdp_direction aes67_sdp_media_direction(const struct aes67_sdp *sdp,
						   const struct aes67_sdp_media *m)
{
	if (m->lv.direction != AES67_SDP_DIR_NONE) {
		return (enum aes67_sdp_direction)m->lv.direction;
	}
	if (sdp->lv.direction != AES67_SDP_DIR_NONE) {
		return (enum aes67_sdp_direction)sdp->lv.direction;
	}
	return AES67_SDP_DIR_SENDRECV;
}

int aes67_sdp_media_frames_per_packet(const struct aes67_sdp_media *m)
{
	const struct aes67_sdp_rtpmap *r = m->n_fmt ? aes67_sdp_media_rtpmap(m, m->fmt[0]) : NULL;
	uint64_t frames;

	if (!r) {
		return -AES67_ENOTFOUND;
	}
	if (m->ptime_ns) {
		/* Both factors are below 2^32, so the product and the rounding fit 64 bits. */
		frames = ((uint64_t)m->ptime_ns * r->rate_hz + 500000000u) / 1000000000u;
	} else if (m->framecount) {
		frames = m->framecount;
	} else {
		return -AES67_ENOTFOUND;
	}
	if (frames == 0 || frames > 65535) {
		return -AES67_ERANGE;
	}
	return (int)frames;
}

const char *aes67_sdp_encoding_name(enum aes67_sdp_encoding enc)
{
	switch (enc) {
	case AES67_SDP_ENC_L16:
		return "L16";
	case AES67_SDP_ENC_L24:
		return "L24";
	case AES67_SDP_ENC_L32:
		return "L32";
	case AES67_SDP_ENC_AM824:
		return "AM824";
	default:
		return "";
	}
}

static unsigned sample_bytes(uint8_t enc)
{
	switch (enc) {
	case AES67_SDP_ENC_L16:
		return 2;
	case AES67_SDP_ENC_L24:
		return 3;
	default:
		return 4; /* L32, AM824 (ST 2110-31: 32-bit subframes) */
	}
}

static int refuse(const char **reason, int code, const char *why)
{
	if (reason) {
		*reason = why;
	}
	return -code;
}

int aes67_sdp_media_check(const struct aes67_sdp *sdp, unsigned index, const char **reason)
{
	static const uint32_t rates[] = {44100, 48000, 88200, 96000, 176400, 192000};

	if (reason) {
		*reason = "";
	}
	if (index >= sdp->n_media) {
		return refuse(reason, EINVAL, "no such media section");
	}
	const struct aes67_sdp_media *m = &sdp->media[index];

	if (strcmp(m->type, "audio") != 0) {
		return refuse(reason, AES67_EUNSUPPORTED, "media type is not audio");
	}
	if (strcmp(m->proto, "RTP/AVP") != 0) {
		return refuse(reason, AES67_EUNSUPPORTED, "transport is not RTP/AVP");
	}
	const struct aes67_sdp_rtpmap *r = aes67_sdp_media_rtpmap(m, m->fmt[0]);

	if (!r) {
		return refuse(reason, AES67_EPAYLOADTYPE,
			      "first payload type of the m= line has no a=rtpmap");
	}
	if (r->encoding == AES67_SDP_ENC_OTHER) {
		return refuse(reason, AES67_EUNSUPPORTED, "encoding is not L16, L24, L32 or AM824");
	}
	if (r->channels > 64) {
		return refuse(reason, AES67_ERANGE, "more than 64 channels");
	}
	if (r->encoding == AES67_SDP_ENC_AM824 && r->channels % 2) {
		/* ST 2110-31 carries AES3 subframe pairs. */
		return refuse(reason, AES67_ERANGE, "AM824 needs an even channel count");
	}
	bool rate_ok = false;

	for (size_t i = 0; i < AES67_ARRAY_SIZE(rates); i++) {
		rate_ok |= r->rate_hz == rates[i];
	}
	if (!rate_ok) {
		return refuse(reason, AES67_EUNSUPPORTED,
			      "sample rate is not 44.1, 48, 88.2, 96, 176.4 or 192 kHz");
	}
	if (!aes67_sdp_media_conn(sdp, m)) {
		return refuse(reason, AES67_ENOTFOUND, "no c= line for this media section");
	}
	int frames = aes67_sdp_media_frames_per_packet(m);

	/* a=ptime is optional (RFC 8866 §6.4; ffmpeg writes none). A receiver takes each packet's
	 * size as it comes, so without a packet time there is nothing to check here; the caller
	 * assumes the AES67 default of 1 ms (AES67-2018 §7.2.1) to size its buffer. */
	if (frames == -AES67_ENOTFOUND) {
		frames = 0;
	} else if (frames < 0) {
		return refuse(reason, AES67_ERANGE, "packet time gives 0 or above 65535 frames");
	}
	/* The AES67 payload limit keeps a packet inside a 1500-byte Ethernet MTU. */
	if ((uint64_t)frames * r->channels * sample_bytes(r->encoding) > 1440) {
		return refuse(reason, AES67_ERANGE, "packet payload above 1440 bytes");
	}
	if (aes67_sdp_media_direction(sdp, m) == AES67_SDP_DIR_INACTIVE) {
		return refuse(reason, AES67_EUNSUPPORTED, "stream is inactive");
	}
	return 0;
}
