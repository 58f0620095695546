/* SPDX-License-Identifier: MIT */
/*
 * One transmit stream of the engine: its parameters, its RTP state and the per-packet work
 * (read the frames of one packet time from the device's playback ring, encode them, prepend the
 * RTP header). The socket and the pacing live in txloop.c; this file does no I/O, so the packet
 * builder can be tested byte for byte and proved allocation-free under the RT guard.
 *
 * Timing (AES67-2018 §7.3, RFC 3550 §5.1): the packet holding media positions [p, p + n) carries
 * RTP timestamp (p + ts_offset) mod 2^32, ts_offset being the SDP's a=mediaclk:direct= value,
 * and is sent once media time has reached p + n (its frames have "played").
 */
#ifndef AES67D_STREAM_TX_H
#define AES67D_STREAM_TX_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "aes67/common.h"
#include "aes67/pcm.h"
#include "aes67/ring.h"

#define AES67D_STREAM_NAME_BYTES 64
#define AES67D_TX_MAX_PAYLOAD_BYTES 1440 /* a 1500-byte MTU minus IP, UDP and RTP headers */
#define AES67D_TX_PACKET_BYTES (12 + AES67D_TX_MAX_PAYLOAD_BYTES)
#define AES67D_TX_MAX_CHANNELS 64
#define AES67D_TX_BATCH 16	 /* packets of one stream built per pass */
#define AES67D_RTP_PT_DYNAMIC 96 /* AES67-2018 §8.1 uses dynamic payload types */

/* What a caller chooses for a transmit stream. Initialise with aes67d_tx_params_init(). */
struct aes67d_tx_params {
	char name[AES67D_STREAM_NAME_BYTES];
	struct sockaddr_in dest; /* destination address and port (network order) */
	uint32_t ttl;		 /* 1..255 */
	uint32_t dscp;		 /* 0..63; default 46 (EF, AES67-2018 §6.2) */
	enum aes67_pcm_format format;
	uint32_t rate_hz;
	uint32_t channels;		/* 1..64 */
	uint32_t frames_per_packet;	/* n: e.g. 48 for 1 ms at 48 kHz */
	uint32_t ptime_ns;		/* nominal packet time, for the SDP */
	uint8_t payload_type;		/* 96..127 */
	uint32_t ts_offset;		/* a=mediaclk:direct= offset, RTP units */
	uint32_t ssrc;			/* 0: random */
	uint16_t seq0;			/* initial sequence number; used when seq_random is false */
	bool seq_random;		/* default true (RFC 3550 §5.1) */
	uint32_t device_channel_offset; /* first playback channel of the device it carries */
	uint64_t start_pos;		/* first media position sent; 0: next packet boundary */
	uint64_t end_pos;		/* one past the last position sent; 0: never ends */
};

/* Counters, written by the TX thread (relaxed atomics), read by anyone. */
struct aes67d_tx_counters {
	_Atomic uint64_t packets;
	_Atomic uint64_t bytes;
	_Atomic uint64_t send_errors;
	_Atomic uint64_t late_ticks;	  /* passes that started more than one packet time late */
	_Atomic uint64_t skipped_frames;  /* positions jumped over after a long stall */
	_Atomic uint64_t underrun_frames; /* frames sent as silence: the ring had none */
	_Atomic uint64_t next_pos;	  /* next media position to send */
};

/* A transmit stream. Control thread creates it; the TX thread owns the RTP state. */
struct aes67d_tx_stream {
	struct aes67d_tx_params p;
	const struct aes67_ring_dir *play; /* the device's playback direction (borrowed) */
	uint32_t frame_bytes;		   /* channels * sample bytes */
	uint32_t payload_bytes;		   /* frames_per_packet * frame_bytes */
	uint16_t seq;			   /* next sequence number */
	uint64_t next_pos;		   /* next packet's first position (TX thread) */
	uint64_t am824_frames;		   /* frames sent, for the AM824 block phase */
	uint8_t cs[AES67D_TX_MAX_CHANNELS * AES67_AM824_CS_BYTES]; /* AM824 channel status */
	int32_t *scratch;			/* frames_per_packet * device channels int32 */
	int32_t *chan;				/* frames_per_packet * channels int32 */
	uint8_t (*pkt)[AES67D_TX_PACKET_BYTES]; /* AES67D_TX_BATCH packet buffers */
	struct aes67d_tx_counters c;
	_Atomic int state; /* enum aes67d_stream_state (engine.h) */
	uint32_t index;	   /* slot in the engine, for events */
};

/**
 * aes67d_tx_params_init() - defaults: TTL 16, DSCP 46, L24, 48 kHz, 2 channels, 1 ms (48
 * frames), payload type 96, offset 0, random SSRC and sequence, port 5004.
 * @p: the parameters. Thread: any.
 */
void aes67d_tx_params_init(struct aes67d_tx_params *p);

/**
 * aes67d_tx_params_check() - refuse what cannot be sent, with the reason.
 * @p: the parameters.
 * @err: receives "field: reason". @err_bytes: its size.
 * Return: 0; -AES67_ERANGE (rate, channels, ptime, TTL, DSCP, payload type) or -EMSGSIZE (the
 * payload would exceed the 1440 bytes a 1500-byte MTU leaves). Thread: any.
 */
AES67_MUST_CHECK int aes67d_tx_params_check(const struct aes67d_tx_params *p, char *err,
					    size_t err_bytes);

/**
 * aes67d_tx_stream_create() - allocate and initialise a stream (SSRC and sequence drawn from
 * getrandom when asked).
 * @out: receives the stream; free with aes67d_tx_stream_destroy().
 * @p: checked parameters (copied).
 * @play: the playback direction of the device it reads; must have at least
 *        device_channel_offset + channels channels and outlive the stream.
 * @err, @err_bytes: receive the reason on failure.
 * Return: 0, -ENOMEM, or the errors of aes67d_tx_params_check(). Thread: control.
 */
AES67_MUST_CHECK int aes67d_tx_stream_create(struct aes67d_tx_stream **out,
					     const struct aes67d_tx_params *p,
					     const struct aes67_ring_dir *play, char *err,
					     size_t err_bytes);

/* Free a stream no thread uses any more; NULL is ignored. Thread: control. */
void aes67d_tx_stream_destroy(struct aes67d_tx_stream *s);

/**
 * aes67d_tx_build() - build the packet holding positions [pos, pos + frames_per_packet).
 * @s: the stream.
 * @pos: media position of the first frame.
 * @buf: out: AES67D_TX_PACKET_BYTES octets.
 *
 * Reads the frames from the device ring (missing frames are sent as silence and counted),
 * takes the stream's channel range, encodes it and writes the RTP header with the next
 * sequence number and timestamp pos + ts_offset (mod 2^32).
 * Return: packet length in octets, or a negative error of the ring or codec. Thread: rt.
 */
AES67_RT AES67_MUST_CHECK int aes67d_tx_build(struct aes67d_tx_stream *s, uint64_t pos,
					      uint8_t *buf);

/**
 * aes67d_tx_read() - read the device frames [pos, pos + frames_per_packet) of the stream's
 * playback ring into s->scratch (all device channels), count missing frames as the stream's
 * underrun and publish the ring's read position. The TX thread reads once per device and
 * packet position and lets every stream of that device encode from the same frames
 * (aes67d_tx_build_from()).
 * @s: the stream. @pos: media position of the first frame.
 * Return: frames that held audio (>= 0), or a negative error of the ring. Thread: rt.
 */
AES67_RT AES67_MUST_CHECK int aes67d_tx_read(struct aes67d_tx_stream *s, uint64_t pos);

/**
 * aes67d_tx_build_from() - build the packet of positions [pos, pos + frames_per_packet) from
 * device frames another call read.
 * @s: the stream.
 * @pos: media position of the first frame.
 * @dev: frames_per_packet interleaved frames of the playback ring's full width, as
 *       aes67d_tx_read() leaves them in some stream's scratch (of the same ring and position).
 * @valid_frames: how many of them held audio (the rest count as this stream's underrun).
 * @buf: out: AES67D_TX_PACKET_BYTES octets.
 * Return: packet length in octets, or a negative error of the codec. Thread: rt.
 */
AES67_RT AES67_MUST_CHECK int aes67d_tx_build_from(struct aes67d_tx_stream *s, uint64_t pos,
						   const int32_t *dev, uint32_t valid_frames,
						   uint8_t *buf);

/**
 * aes67d_tx_first_pos() - where a stream starts: start_pos, or the first packet boundary
 * (a multiple of frames_per_packet) at or after @now_pos.
 * @p: the parameters. @now_pos: media position now, frames. Thread: any.
 */
AES67_RT uint64_t aes67d_tx_first_pos(const struct aes67d_tx_params *p, uint64_t now_pos);

#endif /* AES67D_STREAM_TX_H */
