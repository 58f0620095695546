// SPDX-License-Identifier: MIT
/*
 * Transmit stream: parameter checks, creation, and the per-packet builder the TX thread calls
 * (see stream_tx.h). The builder reads the device's playback ring by absolute position, so a
 * packet always carries exactly the frames its RTP timestamp names (AES67-2018 §7.3).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "aes67/error.h"
#include "aes67/rtp.h"
#include "stream_tx.h"

void aes67d_tx_params_init(struct aes67d_tx_params *p)
{
	memset(p, 0, sizeof(*p));
	p->dest.sin_family = AF_INET;
	p->dest.sin_port = htons(5004);
	p->ttl = 16;
	p->dscp = 46;
	p->format = AES67_PCM_L24;
	p->rate_hz = 48000;
	p->channels = 2;
	p->frames_per_packet = 48;
	p->ptime_ns = 1000000;
	p->payload_type = AES67D_RTP_PT_DYNAMIC;
	p->seq_random = true;
}

static bool rate_ok(uint32_t rate_hz)
{
	static const uint32_t rates[] = {44100, 48000, 88200, 96000, 176400, 192000};

	for (size_t i = 0; i < AES67_ARRAY_SIZE(rates); i++) {
		if (rates[i] == rate_hz) {
			return true;
		}
	}
	return false;
}

int aes67d_tx_params_check(const struct aes67d_tx_params *p, char *err, size_t err_bytes)
{
	size_t sb = aes67_pcm_sample_bytes(p->format);
	uint64_t payload;

	if (sb == 0) {
		snprintf(err, err_bytes, "format: unknown; use L16, L24, L32 or AM824");
		return -AES67_ERANGE;
	}
	if (!rate_ok(p->rate_hz)) {
		snprintf(err, err_bytes,
			 "rate: %u Hz is not an AES67 rate; use 44100, 48000, 88200, 96000, "
			 "176400 or 192000",
			 p->rate_hz);
		return -AES67_ERANGE;
	}
	if (p->channels < 1 || p->channels > AES67D_TX_MAX_CHANNELS) {
		snprintf(err, err_bytes, "channels: %u is outside 1..%u", p->channels,
			 AES67D_TX_MAX_CHANNELS);
		return -AES67_ERANGE;
	}
	if (p->format == AES67_PCM_AM824 && p->channels % 2 != 0) {
		snprintf(err, err_bytes,
			 "channels: AM824 carries IEC 60958 pairs (SMPTE ST 2110-31 §6); use an "
			 "even channel count");
		return -AES67_ERANGE;
	}
	if (p->frames_per_packet < 1 || p->frames_per_packet > 65535) {
		snprintf(err, err_bytes, "ptime: %u frames per packet is out of range",
			 p->frames_per_packet);
		return -AES67_ERANGE;
	}
	payload = (uint64_t)p->frames_per_packet * p->channels * sb;
	if (payload > AES67D_TX_MAX_PAYLOAD_BYTES) {
		snprintf(err, err_bytes,
			 "packet: %u frames x %u channels x %zu bytes = %llu payload bytes exceed "
			 "the %u a 1500-byte MTU leaves; use fewer channels or a shorter ptime",
			 p->frames_per_packet, p->channels, sb, (unsigned long long)payload,
			 AES67D_TX_MAX_PAYLOAD_BYTES);
		return -EMSGSIZE;
	}
	if (p->ttl < 1 || p->ttl > 255) {
		snprintf(err, err_bytes, "ttl: %u is outside 1..255", p->ttl);
		return -AES67_ERANGE;
	}
	if (p->dscp > 63) {
		snprintf(err, err_bytes, "dscp: %u is outside 0..63", p->dscp);
		return -AES67_ERANGE;
	}
	if (p->payload_type > 127) {
		snprintf(err, err_bytes, "payload type: %u is outside 0..127", p->payload_type);
		return -AES67_ERANGE;
	}
	if (p->dest.sin_port == 0) {
		snprintf(err, err_bytes, "destination: port 0 is not a destination");
		return -AES67_ERANGE;
	}
	return 0;
}

int aes67d_tx_stream_create(struct aes67d_tx_stream **out, const struct aes67d_tx_params *p,
			    const struct aes67_ring_dir *play, char *err, size_t err_bytes)
{
	struct aes67d_tx_stream *s;
	uint32_t rnd[2] = {0, 0};
	int r = aes67d_tx_params_check(p, err, err_bytes);

	if (r < 0) {
		return r;
	}
	if (play == NULL || play->channels < p->device_channel_offset + p->channels) {
		snprintf(err, err_bytes,
			 "device: channels %u..%u do not exist on the device's playback side (%u "
			 "channels)",
			 p->device_channel_offset, p->device_channel_offset + p->channels - 1,
			 play != NULL ? play->channels : 0);
		return -AES67_ERANGE;
	}
	if (p->frames_per_packet > play->capacity_frames / 4) {
		snprintf(err, err_bytes, "ptime: a packet is more than a quarter of the ring");
		return -AES67_ERANGE;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		goto fail_nomem;
	}
	s->scratch = calloc((size_t)p->frames_per_packet * play->channels, sizeof(int32_t));
	s->chan = calloc((size_t)p->frames_per_packet * p->channels, sizeof(int32_t));
	s->pkt = calloc(AES67D_TX_BATCH, sizeof(*s->pkt));
	if (s->scratch == NULL || s->chan == NULL || s->pkt == NULL) {
		aes67d_tx_stream_destroy(s);
		goto fail_nomem;
	}
	s->p = *p;
	s->play = play;
	s->frame_bytes = p->channels * (uint32_t)aes67_pcm_sample_bytes(p->format);
	s->payload_bytes = p->frames_per_packet * s->frame_bytes;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		/* No entropy source: still distinct per process and start time. */
		rnd[0] = (uint32_t)(uintptr_t)s ^ (uint32_t)getpid();
		rnd[1] = rnd[0] * 2654435761u;
	}
	if (s->p.ssrc == 0) {
		s->p.ssrc = rnd[0] != 0 ? rnd[0] : 1;
	}
	s->seq = p->seq_random ? (uint16_t)rnd[1] : p->seq0;
	if (p->format == AES67_PCM_AM824) {
		for (uint32_t ch = 0; ch < p->channels; ch++) {
			if (aes67_am824_cs_default(&s->cs[ch * AES67_AM824_CS_BYTES], p->rate_hz) <
			    0) {
				snprintf(err, err_bytes, "rate: no AM824 channel status for %u Hz",
					 p->rate_hz);
				aes67d_tx_stream_destroy(s);
				return -AES67_ERANGE;
			}
		}
	}
	*out = s;
	return 0;
fail_nomem:
	snprintf(err, err_bytes, "out of memory for the stream's buffers");
	return -ENOMEM;
}

void aes67d_tx_stream_destroy(struct aes67d_tx_stream *s)
{
	if (s == NULL) {
		return;
	}
	free(s->scratch);
	free(s->chan);
	free(s->pkt);
	free(s);
}

uint64_t aes67d_tx_first_pos(const struct aes67d_tx_params *p, uint64_t now_pos)
{
	uint64_t n = p->frames_per_packet;

	if (p->start_pos != 0) {
		return p->start_pos;
	}
	return (now_pos + n - 1) / n * n;
}

int aes67d_tx_read(struct aes67d_tx_stream *s, uint64_t pos)
{
	const uint32_t n = s->p.frames_per_packet;
	struct aes67_ring_read_stats rs = {0};
	int r = aes67_ring_read(s->play, pos, s->scratch, n, &rs);

	if (r < 0 && r != -AES67_ESTALE) {
		return r;
	}
	if (aes67_ring_read_pos(s->play) < pos + n) {
		aes67_ring_set_read_pos(s->play, pos + n);
	}
	return (int)rs.valid_frames;
}

int aes67d_tx_build_from(struct aes67d_tx_stream *s, uint64_t pos, const int32_t *dev,
			 uint32_t valid_frames, uint8_t *buf)
{
	const uint32_t n = s->p.frames_per_packet, dev_ch = s->play->channels, ch = s->p.channels;
	const int32_t *src = dev;
	struct aes67_rtp_header h = {0};
	int hdr, r;

	if (valid_frames < n) {
		atomic_fetch_add_explicit(&s->c.underrun_frames, n - valid_frames,
					  memory_order_relaxed);
	}
	/* The stream's channel range out of the device frames (the whole frame: encode as is). */
	if (dev_ch != ch) {
		for (uint32_t f = 0; f < n; f++) {
			memcpy(&s->chan[(size_t)f * ch],
			       &dev[(size_t)f * dev_ch + s->p.device_channel_offset],
			       ch * sizeof(int32_t));
		}
		src = s->chan;
	}
	h.payload_type = s->p.payload_type;
	h.seq = s->seq;
	h.timestamp = (uint32_t)(pos + s->p.ts_offset);
	h.ssrc = s->p.ssrc;
	hdr = aes67_rtp_build(buf, AES67D_TX_PACKET_BYTES, &h);
	if (hdr < 0) {
		return hdr;
	}
	if (s->p.format == AES67_PCM_AM824) {
		r = aes67_am824_encode_s32(buf + hdr, src, n, ch, s->cs, s->am824_frames, 0);
		s->am824_frames += n;
	} else {
		r = aes67_pcm_encode_s32(s->p.format, buf + hdr, src, (size_t)n * ch);
	}
	if (r < 0) {
		return r;
	}
	s->seq++;
	return hdr + (int)s->payload_bytes;
}

int aes67d_tx_build(struct aes67d_tx_stream *s, uint64_t pos, uint8_t *buf)
{
	int valid = aes67d_tx_read(s, pos);

	if (valid < 0) {
		return valid;
	}
	return aes67d_tx_build_from(s, pos, s->scratch, (uint32_t)valid, buf);
}
