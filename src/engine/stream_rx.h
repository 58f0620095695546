/* SPDX-License-Identifier: MIT */
/*
 * One receive stream of the engine: parameters, RTP receive state, the stream's playout
 * timeline (aes67/timeline.h) and the per-packet work: check, parse, decode and place a packet
 * at its media position (AES67-2018 §7.3: RTP timestamp - mediaclk offset, extended to 64 bits
 * around "now", plus the link offset). The socket and the thread live in rxloop.c; nothing here
 * does I/O, so placement, loss and restart following are unit-tested under the RT guard.
 *
 * Following a sender: placement is by timestamp, so a new SSRC or a sequence jump from a sender
 * on the same media clock needs nothing but bookkeeping (counted as ssrc_changes / restarts). A
 * sender whose timestamps are not on our media clock (a non-PTP peer, a random RTP timestamp
 * offset, a sender that restarted with a new offset) or a clock that stepped on either side makes
 * packets land where they can never be played. The stream then re-anchors: it adds the constant
 * that puts the packet exactly at now + link offset, and counts one resync. The rule (stream_rx.c,
 * "Re-anchoring") has no dead band: a packet is off our anchor as soon as it is unplayable late
 * (its first frame is already due) or more than AES67D_RX_EARLY_FRAMES (or the link offset) early,
 * and every such packet is a candidate. The first packet of a source more than
 * AES67D_RX_RESYNC_FRAMES off re-anchors at once; otherwise two candidates must agree, from two
 * different wake-ups of the RX thread and arriving as far apart as their timestamps are, so a
 * backlog read after a stall of our own thread or a sender's catch-up burst never moves a sender
 * that is on our clock; a packet that arrived in time (its kernel receive stamp) and was only read
 * late is never a candidate. A stream on anchor 0 is moved by less than AES67D_RX_SMALL_STEP_FRAMES
 * only when its candidates keep agreeing for AES67D_RX_CONFIRM_FRAMES: on a loaded host packets of
 * a sender on our clock can arrive a few ms late, evenly spaced, for a few packets (seen: 76-123
 * frames at 1 ms packets), and moving the stream for that, and back 0.2 s later, was two glitches
 * where the late packets are one. A packet in time on anchor 0 (as a sender on our clock sends it)
 * re-anchors there rather than at now + link offset, and a stream on another anchor whose packets
 * fit anchor 0 for AES67D_RX_RETURN_FRAMES goes back to it, so once our clock settles on the
 * grandmaster the latency is the link offset again, to the sample.
 */
#ifndef AES67D_STREAM_RX_H
#define AES67D_STREAM_RX_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "aes67/common.h"
#include "aes67/pcm.h"
#include "aes67/ring.h"
#include "aes67/rtp.h"
#include "aes67/timeline.h"
#include "stream_tx.h"

#define AES67D_RX_MAX_PACKET_BYTES 9000 /* a jumbo frame's worth */
#define AES67D_RX_MAX_CHANNELS 64
#define AES67D_RX_DRAIN_FRAMES 256 /* most frames moved to the device per drain call */
/* A packet landing more than max(link offset, 2 packets, this) early is off our anchor. */
#define AES67D_RX_EARLY_FRAMES(rate) ((uint64_t)(rate) / 100) /* 10 ms */
/* A source's first packet this far off (0.5 s) re-anchors at once, without a second one. */
#define AES67D_RX_RESYNC_FRAMES(rate) ((uint64_t)(rate) / 2)
/* Packets that would all be in time on anchor 0 for this long (0.2 s) bring a stream anchored
 * elsewhere back to it: a sender on our clock plays at exactly the link offset again. */
#define AES67D_RX_RETURN_FRAMES(rate) ((uint64_t)(rate) / 5)
/* A stream on anchor 0 moved by less than this (10 ms) needs its candidates to agree for
 * AES67D_RX_CONFIRM_FRAMES (0.1 s); larger moves need two. */
#define AES67D_RX_SMALL_STEP_FRAMES(rate) ((uint64_t)(rate) / 100)
#define AES67D_RX_CONFIRM_FRAMES(rate) ((uint64_t)(rate) / 10)
#define AES67D_RX_NO_POS UINT64_MAX

/* What a caller chooses for a receive stream. Initialise with aes67d_rx_params_init(). */
struct aes67d_rx_params {
	char name[AES67D_STREAM_NAME_BYTES];
	struct sockaddr_in group; /* multicast group (or a local unicast address) and port */
	struct in_addr source;	  /* only packets from here (RFC 4570); INADDR_ANY: any */
	enum aes67_pcm_format format;
	uint32_t rate_hz;
	uint32_t channels;	     /* 1..64 */
	uint32_t frames_per_packet;  /* expected n; packets of other sizes are accepted */
	int payload_type;	     /* 0..127, or -1 to accept any */
	uint32_t ts_offset;	     /* a=mediaclk:direct= offset of the sender, RTP units */
	uint32_t link_offset_frames; /* playout delay after the packet's timestamp */
	uint32_t device_channel_offset;
};

/* Counters, written by the RX thread (relaxed atomics), read by anyone. */
struct aes67d_rx_counters {
	_Atomic uint64_t packets; /* accepted and placed (or counted late / too early) */
	_Atomic uint64_t bytes;	  /* payload bytes of those */
	_Atomic uint64_t malformed;
	_Atomic uint64_t filtered; /* wrong source address */
	_Atomic uint64_t wrong_pt; /* wrong payload type */
	_Atomic uint64_t lost;	   /* RFC 3550 A.3 expected - received, over all SSRCs */
	_Atomic uint64_t late;	   /* packets with frames already played out (not rescued) */
	_Atomic uint64_t rescued;  /* behind the drain but patched into the device in time */
	/* The largest arrival delay, frames: how long after its first frame's media time (on the
	 * stream's anchor) a packet was read. A sender on our clock sends a packet after its last
	 * frame, so this is at least a packet time; the link offset must exceed it (plus the
	 * rescue guard) for nothing to be late. */
	_Atomic uint64_t delay_max_frames;
	_Atomic uint64_t too_early; /* packets beyond the buffer */
	_Atomic uint64_t reordered;
	_Atomic uint64_t duplicates;
	_Atomic uint64_t ssrc_changes;
	_Atomic uint64_t restarts; /* sequence restarts (RFC 3550 A.1) */
	_Atomic uint64_t resyncs;  /* re-anchorings (sender off our clock, clock steps) */
	_Atomic uint64_t jitter_rtp;
	_Atomic int64_t fill_frames;
	_Atomic uint64_t first_pos;	  /* placed position of the first packet, or NO_POS */
	_Atomic uint64_t last_end_pos;	  /* one past the highest position placed (since the
					   * last resync) */
	_Atomic uint64_t last_arrival_ns; /* engine clock (PTP ns) at the last packet */
	_Atomic uint32_t ssrc;
};

/* Why a stream re-anchored (aes67d_rx_anchor.why; event codes in log.h follow this order). */
enum aes67d_rx_resync_why {
	AES67D_RX_RESYNC_NONE = 0,
	AES67D_RX_RESYNC_ZERO,	/* a re-anchoring packet was in time on anchor 0 */
	AES67D_RX_RESYNC_FIRST, /* the first packet of a source, far off */
	AES67D_RX_RESYNC_PAIR,	/* two candidates from two wake-ups agreed */
	AES67D_RX_RESYNC_BACK,	/* back to anchor 0 after AES67D_RX_RETURN_FRAMES on it */
};

/* Re-anchoring state of a receive stream (stream_rx.c, "Re-anchoring"). */
struct aes67d_rx_anchor {
	int64_t frames;	      /* added to the timestamp-derived position; 0 for synced peers */
	bool placed;	      /* a packet of the current source landed on this anchor */
	bool pending;	      /* a candidate is waiting for its confirmation */
	bool tainted;	      /* the candidates of the pending wake-up disagreed */
	uint64_t now_pos;     /* media position of the wake-up that saw the candidate */
	int64_t cand;	      /* the anchor that candidate asks for */
	uint64_t base;	      /* its timestamp-derived position */
	uint32_t arrival_rtp; /* its arrival time (aes67d_rx_packet()) */
	bool zero_run;	      /* the packets since zero_base were all in time on anchor 0 */
	uint64_t zero_base;   /* timestamp-derived position of the first of them */
	uint64_t zero_now;    /* the wake-up that saw it */
	uint8_t why;	      /* the last re-anchoring's enum aes67d_rx_resync_why; 0: none since
			       * the RX loop took it (it reports and clears it) */
	int64_t step;	      /* its change of the anchor, frames */
};

struct aes67d_rx_stream {
	struct aes67d_rx_params p;
	uint32_t frame_bytes;
	bool have_ssrc;
	uint32_t ssrc;
	struct aes67d_rx_anchor anchor;
	struct aes67_rtp_stats rtp;
	uint64_t prev_lost; /* lost/reordered/duplicates of earlier SSRCs */
	uint64_t prev_reordered;
	uint64_t prev_duplicates;
	uint64_t prev_restarts;
	struct aes67_timeline *tl;
	uint32_t tl_frames; /* the timeline's capacity */
	void *tl_mem;
	int32_t *scratch;	/* decoded packet */
	uint64_t behind_pos;	/* the last packet's first position, if the drain had passed it */
	uint32_t behind_frames; /* how many of its frames the drain had passed; 0: none */
	uint32_t delay_frames;	/* the last packet's arrival delay (now + link - pos), 0: early */
	bool late_run;		/* in a run of late packets, whose first was reported */
	bool late_report;	/* a run of late packets began: the RX thread logs rx-late */
	struct aes67d_rx_counters c;
	_Atomic int state; /* enum aes67d_stream_state (engine.h) */
	uint32_t index;
	uint32_t device;  /* index of its device in the engine */
	int fd;		  /* the stream's descriptor of its socket (rxloop.c), -1 when none */
	uint64_t sock_id; /* the socket's identity (net.h): streams on one port share it */
};

/**
 * aes67d_rx_params_init() - defaults: L24, 48 kHz, 2 channels, 48 frames, any payload type,
 * offset 0, link offset aes67d_rx_default_link_offset_frames(), port 5004. Thread: any.
 * @p: the parameters.
 */
void aes67d_rx_params_init(struct aes67d_rx_params *p);

/**
 * aes67d_rx_default_link_offset_frames() - the documented default playout delay: 1 ms below
 * 1 ms packets, 3 packet times from 1 ms up (AES67-2018 §7.3 suggests room for one packet time
 * plus network and scheduling jitter; the machines this runs on are virtual and shared).
 * @rate_hz: sample rate. @frames_per_packet: n. Return: frames. Thread: any.
 */
uint32_t aes67d_rx_default_link_offset_frames(uint32_t rate_hz, uint32_t frames_per_packet);

/**
 * aes67d_rx_stream_create() - allocate a stream with its timeline.
 * @out: receives the stream; free with aes67d_rx_stream_destroy().
 * @p: parameters (copied).
 * @now_pos: media position now (the timeline starts there), frames.
 * @err, @err_bytes: receive the reason on failure.
 * Return: 0, -AES67_ERANGE (format, rate, channels, link offset above 1 s) or -ENOMEM.
 * Thread: control.
 */
AES67_MUST_CHECK int aes67d_rx_stream_create(struct aes67d_rx_stream **out,
					     const struct aes67d_rx_params *p, uint64_t now_pos,
					     char *err, size_t err_bytes);

/* Free a stream no thread uses any more (its socket is closed by its owner); NULL ignored. */
void aes67d_rx_stream_destroy(struct aes67d_rx_stream *s);

/**
 * aes67d_rx_packet() - take one received datagram.
 * @s: the stream.
 * @buf: the datagram (hostile). @len_bytes: its length.
 * @src: sender's IPv4 address (network order).
 * @now_pos: media position now, frames: read once per wake-up of the RX thread and passed
 *           unchanged for every packet of that wake-up (re-anchoring tells wake-ups apart by it).
 * @arrival_rtp: the kernel's receive time as a media position (frames on @now_pos's scale, low
 *           32 bits; @now_pos itself when there is no receive stamp). RFC 3550 A.8 jitter uses
 *           its differences; re-anchoring uses it to tell a packet that arrived late from one
 *           that arrived in time and was read late (our own wake-up, not the sender).
 * @now_ns: engine clock now (PTP ns), recorded as the last arrival.
 *
 * Return: frames stored in the timeline (> 0), 0 if the packet was counted and dropped (wrong
 * source or payload type, late, too early), or a negative error for a malformed packet
 * (counted). Thread: rt.
 */
AES67_RT int aes67d_rx_packet(struct aes67d_rx_stream *s, const uint8_t *buf, size_t len_bytes,
			      struct in_addr src, uint64_t now_pos, uint32_t arrival_rtp,
			      uint64_t now_ns);

/**
 * aes67d_rx_drain() - play positions [pos, pos + frames) out of the timeline into a device frame
 * buffer at the stream's channel offset.
 * @s: the stream.
 * @pos: first position; positions before the timeline's read position (played out already)
 *       are written as silence.
 * @frames: 1..AES67D_RX_DRAIN_FRAMES.
 * @dst: frames * @dev_channels int32, interleaved; the stream's channels of every frame are
 *       overwritten (audio, or zeros where there is none), nothing else is touched.
 * @dev_channels: width of @dst (>= offset + channels).
 * Return: frames that held audio, or a negative error (-EINVAL: bad arguments, @dst untouched;
 * the timeline's error: the stream's channels are zeros). Thread: rt.
 */
AES67_RT AES67_MUST_CHECK int aes67d_rx_drain(struct aes67d_rx_stream *s, uint64_t pos,
					      uint32_t frames, int32_t *dst, uint32_t dev_channels);

/**
 * aes67d_rx_rescue() - put the frames of the last packet that the drain had already moved past
 * (aes67d_rx_drain() writes ahead of the media clock) straight into the device's capture ring,
 * if no reader can have reached them yet. A reader reads position p once the media clock passes
 * p (ring.h), so frames at or beyond @min_pos are still "in time" in the sense of AES67-2018
 * §7.3 even though the timeline had already let go of them.
 * @s: the stream; call right after aes67d_rx_packet() (it uses that packet's decoded frames).
 * @cap: the device's capture direction (read-modify-write of the stream's channels only).
 * @min_pos: first position no reader can have read: media position now plus a guard, frames.
 * @buf: scratch of @buf_frames frames of cap->channels int32 (the device drain buffer).
 * @buf_frames: its size in frames (>= 1).
 *
 * Frames before @min_pos are truly late and left alone; those from @min_pos on are patched even
 * then (a packet partly late loses only the frames a reader may have read). The packet is
 * counted rescued (and no longer late) only if every passed frame was patched.
 * Return: frames patched (> 0), 0 when there was nothing to rescue or every frame was truly
 * late, -EINVAL (channel range, @buf_frames 0), or an error of the ring (the packet stays late).
 * Thread: rt.
 */
AES67_RT AES67_MUST_CHECK int aes67d_rx_rescue(struct aes67d_rx_stream *s,
					       const struct aes67_ring_dir *cap, uint64_t min_pos,
					       int32_t *buf, uint32_t buf_frames);

#endif /* AES67D_STREAM_RX_H */
