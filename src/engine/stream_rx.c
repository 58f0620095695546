// SPDX-License-Identifier: MIT
/*
 * Receive stream: creation, the per-packet path (check, parse, decode, place) and the drain
 * into the device (see stream_rx.h). Every refusal is counted under its own name; nothing on
 * this path allocates, locks, logs or reads a clock (proved in tests/unit/test_engine_rx.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aes67/error.h"
#include "stream_rx.h"

#define RELAXED memory_order_relaxed

void aes67d_rx_params_init(struct aes67d_rx_params *p)
{
	memset(p, 0, sizeof(*p));
	p->group.sin_family = AF_INET;
	p->group.sin_port = htons(5004);
	p->format = AES67_PCM_L24;
	p->rate_hz = 48000;
	p->channels = 2;
	p->frames_per_packet = 48;
	p->payload_type = -1;
	p->link_offset_frames = aes67d_rx_default_link_offset_frames(48000, 48);
}

uint32_t aes67d_rx_default_link_offset_frames(uint32_t rate_hz, uint32_t frames_per_packet)
{
	uint64_t one_ms = (uint64_t)rate_hz / 1000;

	if ((uint64_t)frames_per_packet < one_ms) {
		return (uint32_t)one_ms;
	}
	return 3 * frames_per_packet;
}

static uint32_t pow2_at_least(uint64_t v)
{
	uint32_t c = 16;

	while (c < v && c < AES67_TIMELINE_CAPACITY_MAX) {
		c <<= 1;
	}
	return c;
}

int aes67d_rx_stream_create(struct aes67d_rx_stream **out, const struct aes67d_rx_params *p,
			    uint64_t now_pos, char *err, size_t err_bytes)
{
	struct aes67_timeline_config tc;
	struct aes67d_rx_stream *s;
	size_t sb = aes67_pcm_sample_bytes(p->format), tl_bytes = 0;
	uint64_t max_frames;

	if (sb == 0) {
		snprintf(err, err_bytes, "format: unknown; use L16, L24, L32 or AM824");
		return -AES67_ERANGE;
	}
	if (p->rate_hz < 8000 || p->rate_hz > 384000) {
		snprintf(err, err_bytes, "rate: %u Hz is out of range", p->rate_hz);
		return -AES67_ERANGE;
	}
	if (p->channels < 1 || p->channels > AES67D_RX_MAX_CHANNELS) {
		snprintf(err, err_bytes, "channels: %u is outside 1..%u", p->channels,
			 AES67D_RX_MAX_CHANNELS);
		return -AES67_ERANGE;
	}
	if (p->link_offset_frames > p->rate_hz) {
		snprintf(err, err_bytes,
			 "link offset: %u frames is more than 1 s; use at most %u frames",
			 p->link_offset_frames, p->rate_hz);
		return -AES67_ERANGE;
	}
	if (p->payload_type > 127) {
		snprintf(err, err_bytes, "payload type: %d is outside 0..127", p->payload_type);
		return -AES67_ERANGE;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		goto fail_nomem;
	}
	s->fd = -1;
	s->p = *p;
	s->frame_bytes = p->channels * (uint32_t)sb;
	max_frames = AES67D_RX_MAX_PACKET_BYTES / s->frame_bytes;
	/* Room for the link offset, a quarter second of jitter and the largest packet. */
	tc.channels = p->channels;
	tc.capacity_frames =
		pow2_at_least((uint64_t)p->link_offset_frames + p->rate_hz / 4 + max_frames);
	if (aes67_timeline_get_size(&tc, &tl_bytes) < 0) {
		free(s);
		snprintf(err, err_bytes, "buffer: no timeline of %u frames x %u channels",
			 tc.capacity_frames, tc.channels);
		return -AES67_ERANGE;
	}
	s->tl_frames = tc.capacity_frames;
	s->tl_mem = aligned_alloc(64, (tl_bytes + 63) / 64 * 64);
	s->scratch = calloc(max_frames * p->channels, sizeof(int32_t));
	if (s->tl_mem == NULL || s->scratch == NULL) {
		aes67d_rx_stream_destroy(s);
		goto fail_nomem;
	}
	if (aes67_timeline_init(s->tl_mem, tl_bytes, &tc, now_pos, &s->tl) < 0) {
		aes67d_rx_stream_destroy(s);
		snprintf(err, err_bytes, "buffer: cannot start the timeline at position %llu",
			 (unsigned long long)now_pos);
		return -AES67_ERANGE;
	}
	aes67_rtp_stats_init(&s->rtp);
	atomic_store(&s->c.first_pos, AES67D_RX_NO_POS);
	*out = s;
	return 0;
fail_nomem:
	snprintf(err, err_bytes, "out of memory for the stream's buffers");
	return -ENOMEM;
}

void aes67d_rx_stream_destroy(struct aes67d_rx_stream *s)
{
	if (s == NULL) {
		return;
	}
	free(s->tl_mem);
	free(s->scratch);
	free(s);
}

/* Copy the RTP and timeline counters out to the atomics others read. */
static AES67_RT void publish(struct aes67d_rx_stream *s)
{
	struct aes67_rtp_stats_report r;
	struct aes67_timeline_stats t;

	aes67_rtp_stats_get(&s->rtp, &r);
	aes67_timeline_get_stats(s->tl, &t);
	atomic_store_explicit(&s->c.lost, s->prev_lost + r.lost, RELAXED);
	atomic_store_explicit(&s->c.reordered, s->prev_reordered + r.reordered, RELAXED);
	atomic_store_explicit(&s->c.duplicates, s->prev_duplicates + r.duplicates, RELAXED);
	atomic_store_explicit(&s->c.restarts, s->prev_restarts + r.restarts, RELAXED);
	atomic_store_explicit(&s->c.jitter_rtp, r.jitter_rtp, RELAXED);
	atomic_store_explicit(
		&s->c.late, t.late_packets - atomic_load_explicit(&s->c.rescued, RELAXED), RELAXED);
	atomic_store_explicit(&s->c.too_early, t.too_early_packets, RELAXED);
	atomic_store_explicit(&s->c.fill_frames, aes67_timeline_fill(s->tl), RELAXED);
}

/* A new SSRC: keep what the old source's statistics said, start afresh (RFC 3550 §8.2). */
static AES67_RT void new_source(struct aes67d_rx_stream *s, uint32_t ssrc)
{
	struct aes67_rtp_stats_report r;

	if (s->have_ssrc) {
		aes67_rtp_stats_get(&s->rtp, &r);
		s->prev_lost += r.lost;
		s->prev_reordered += r.reordered;
		s->prev_duplicates += r.duplicates;
		s->prev_restarts += r.restarts;
		atomic_fetch_add_explicit(&s->c.ssrc_changes, 1, RELAXED);
	}
	aes67_rtp_stats_init(&s->rtp);
	s->anchor.placed = false; /* a new source may re-anchor on its first packet */
	s->anchor.pending = false;
	s->anchor.zero_run = false;
	s->have_ssrc = true;
	s->ssrc = ssrc;
	atomic_store_explicit(&s->c.ssrc, ssrc, RELAXED);
}

/*
 * Re-anchoring. A packet's position is its timestamp-derived position plus the anchor (0 for a
 * sender on our media clock). Where that position cannot be played, the anchor is wrong for this
 * sender *now*: the sender restarted with a new timestamp base, or a clock stepped on either
 * side. The earlier rule only re-anchored beyond a fixed 0.5 s, while the timeline takes
 * packets only up to its capacity ahead (about 0.34 s at 48 kHz) and the drain drops those
 * behind it: a sender that settled 0.34..0.5 s early, or anything from the link offset to 0.5 s
 * late, was refused for good (docs/bench-latency.md finding 3: 16 145 packets too early, the
 * stream silent for 15 s). Here the candidates are exactly the unplayable packets:
 * - late: its first frame is already due (pos < now), so a reader may have passed it. (A
 *   packet the drain passed but no reader can have reached is left to aes67d_rx_rescue().)
 *   Candidates are still offered to the timeline, which places what it can and counts the rest;
 * - early: more than max(link offset, 2 packets, AES67D_RX_EARLY_FRAMES) early. Senders on our
 *   clock are never early (a packet leaves after its last frame); bursty peers stay within it.
 * A candidate asks for the anchor that puts it exactly at now + link offset. The first packet
 * of a source gets it at once if it is more than AES67D_RX_RESYNC_FRAMES off (nothing to
 * protect, and no queueing delay is that long; a first packet that merely waited in the socket
 * must not set a sender on our clock late for good). Otherwise a second candidate must ask for
 * the same anchor, within a packet and 0.5 ms, from a later wake-up (a larger @now_pos), and
 * the two must have arrived (@arrival_rtp, the kernel's receive stamps) as far apart as their
 * timestamps are, within half a packet. The packets of one wake-up are read at one "now", so
 * a backlog or a burst drifts by a packet per packet and taints its wake-up; a sender's
 * catch-up burst split over two wake-ups (tests/integration/test_engine_loopback.sh caught one
 * at 125 us: two packets 12 frames apart in timestamp, 1 frame apart in arrival) fails the
 * arrival test. A packet that lands playably clears the candidate. Anchor 0 comes first:
 * a re-anchoring packet that is in time on it takes it, and a stream on another anchor goes
 * back to it when its packets fit it for 0.2 s (on_our_clock(), back_to_zero()).
 */
static AES67_RT uint64_t early_limit_frames(const struct aes67d_rx_stream *s)
{
	uint64_t lim = AES67D_RX_EARLY_FRAMES(s->p.rate_hz);

	if (s->p.link_offset_frames > lim) {
		lim = s->p.link_offset_frames;
	}
	if (2ull * s->p.frames_per_packet > lim) {
		lim = 2ull * s->p.frames_per_packet;
	}
	return lim;
}

static AES67_RT uint64_t abs_diff(int64_t a, int64_t b)
{
	return a > b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

/*
 * Adopts @anchor, under which the packet lands at @pos. The timeline restarts (O(capacity),
 * once per event; its counters are kept) when it holds audio at or beyond @pos (placed under
 * the old anchor), when its read position is beyond @pos (our clock stepped back) or so far
 * behind that @pos is out of its reach (our clock stepped forward and the drain has not run
 * yet); it then starts at now, or stays where it reads if that is earlier and within reach.
 * Return: 0, or the timeline's error (a position beyond its limit: the packet is then refused
 * as usual).
 */
static AES67_RT int reanchor(struct aes67d_rx_stream *s, int64_t anchor, uint64_t pos,
			     uint64_t now_pos, enum aes67d_rx_resync_why why)
{
	const uint64_t rp = aes67_timeline_read_pos(s->tl);
	const uint64_t high = rp + (uint64_t)aes67_timeline_fill(s->tl);
	const uint64_t reach = s->tl_frames - AES67D_RX_MAX_PACKET_BYTES / s->frame_bytes;
	const bool stale = (int64_t)(pos - rp) > (int64_t)reach;

	s->anchor.why = (uint8_t)why;
	s->anchor.step = anchor - s->anchor.frames;
	s->anchor.frames = anchor;
	s->anchor.placed = true;
	s->anchor.pending = false;
	s->anchor.zero_run = false;
	atomic_store_explicit(&s->c.last_end_pos, pos, memory_order_release);
	atomic_fetch_add_explicit(&s->c.resyncs, 1, RELAXED);
	if ((int64_t)(rp - pos) > 0 || (int64_t)(high - pos) > 0 || stale) {
		return aes67_timeline_reset(s->tl,
					    stale || (int64_t)(rp - now_pos) > 0 ? now_pos : rp);
	}
	return 0;
}

/*
 * Whether a packet is in time on anchor 0 the way a sender on our media clock is: it leaves
 * after its last frame, so its first frame is due already (or just now), and it waited less
 * than the link offset. A stream that has to re-anchor takes anchor 0 for such a packet rather
 * than "now + link offset": after our clock stepped onto the grandmaster, the sender's own
 * timestamps are right again, and the link offset is the latency to the sample.
 */
static AES67_RT bool on_our_clock(const struct aes67d_rx_stream *s, uint64_t base, uint64_t now_pos)
{
	const int64_t miss0 = (int64_t)(base - now_pos);

	return miss0 <= 0 && miss0 >= -(int64_t)s->p.link_offset_frames;
}

/*
 * A stream placed on an anchor other than 0 whose packets are all on our clock
 * (on_our_clock()) for AES67D_RX_RETURN_FRAMES, seen over more than one wake-up, goes back to
 * anchor 0. The anchor it has still plays (up to the early limit ahead), so nothing else would
 * move it: without this a stream re-anchored while our clock settled kept the difference as
 * extra latency for good. Returns the packet's position.
 */
static AES67_RT uint64_t back_to_zero(struct aes67d_rx_stream *s, uint64_t base, uint64_t pos,
				      uint64_t now_pos)
{
	struct aes67d_rx_anchor *a = &s->anchor;

	if (!on_our_clock(s, base, now_pos)) {
		a->zero_run = false;
		return pos;
	}
	if (!a->zero_run) {
		a->zero_run = true;
		a->zero_base = base;
		a->zero_now = now_pos;
		return pos;
	}
	if ((int64_t)(base - a->zero_base) < (int64_t)AES67D_RX_RETURN_FRAMES(s->p.rate_hz) ||
	    now_pos == a->zero_now) {
		return pos;
	}
	pos = base + s->p.link_offset_frames;
	(void)reanchor(s, 0, pos, now_pos, AES67D_RX_RESYNC_BACK);
	return pos;
}

/* The position of a packet whose timestamp-derived position is @base; re-anchors if due. */
static AES67_RT uint64_t place(struct aes67d_rx_stream *s, uint64_t base, uint64_t now_pos,
			       uint64_t frames, uint32_t arrival_rtp)
{
	struct aes67d_rx_anchor *a = &s->anchor;
	const uint64_t link = s->p.link_offset_frames;
	const uint64_t pos = base + (uint64_t)a->frames + link;
	const int64_t miss = (int64_t)(pos - (now_pos + link)); /* > 0: early */
	const int64_t cand = (int64_t)(now_pos - base);
	const uint64_t tol = frames + s->p.rate_hz / 2000;

	if (miss >= -(int64_t)link && miss <= (int64_t)early_limit_frames(s)) {
		a->placed = true;
		a->pending = false;
		return a->frames == 0 ? pos : back_to_zero(s, base, pos, now_pos);
	}
	/* Late when read, but in time when it arrived: the RX thread woke late, the anchor is
	 * right. Counted late, never a candidate (a stall of our own once moved a stream on our
	 * clock by its length, and back 0.2 s later: two glitches for one). */
	if (a->placed && miss < -(int64_t)link &&
	    (int64_t)(pos - aes67_ts_extend(arrival_rtp, now_pos)) >= 0) {
		a->pending = false;
		return pos;
	}
	if (on_our_clock(s, base, now_pos)) {
		(void)reanchor(s, 0, base + link, now_pos, AES67D_RX_RESYNC_ZERO);
		return base + link;
	}
	if (!a->placed && abs_diff(miss, 0) > AES67D_RX_RESYNC_FRAMES(s->p.rate_hz)) {
		(void)reanchor(s, cand, now_pos + link, now_pos, AES67D_RX_RESYNC_FIRST);
		return now_pos + link;
	}
	if (a->pending && now_pos == a->now_pos) {
		a->tainted = a->tainted || abs_diff(cand, a->cand) > tol;
		return pos;
	}
	if (a->pending && !a->tainted && (int64_t)(now_pos - a->now_pos) > 0 &&
	    abs_diff(cand, a->cand) <= tol &&
	    abs_diff((int64_t)(base - a->base), aes67_ts_diff(arrival_rtp, a->arrival_rtp)) <=
		    frames / 2) {
		/* The later of the two: both packets would have been in time. */
		int64_t anchor = cand > a->cand ? cand : a->cand;

		/* A small move of a sender on our clock: only if it lasts (stream_rx.h). The first
		 * candidate stays pending; a packet in time meanwhile clears it. */
		if (a->frames == 0 &&
		    abs_diff(anchor, 0) < AES67D_RX_SMALL_STEP_FRAMES(s->p.rate_hz) &&
		    now_pos - a->now_pos < AES67D_RX_CONFIRM_FRAMES(s->p.rate_hz)) {
			return pos;
		}
		(void)reanchor(s, anchor, base + (uint64_t)anchor + link, now_pos,
			       AES67D_RX_RESYNC_PAIR);
		return base + (uint64_t)anchor + link;
	}
	a->pending = true;
	a->tainted = false;
	a->now_pos = now_pos;
	a->cand = cand;
	a->base = base;
	a->arrival_rtp = arrival_rtp;
	return pos;
}

int aes67d_rx_packet(struct aes67d_rx_stream *s, const uint8_t *buf, size_t len_bytes,
		     struct in_addr src, uint64_t now_pos, uint32_t arrival_rtp, uint64_t now_ns)
{
	struct aes67_rtp_header h;
	uint64_t base, pos, frames, end, rp;
	int r;

	s->behind_frames = 0;
	if (s->p.source.s_addr != INADDR_ANY && src.s_addr != s->p.source.s_addr) {
		atomic_fetch_add_explicit(&s->c.filtered, 1, RELAXED);
		return 0;
	}
	r = aes67_rtp_parse(&h, buf, len_bytes);
	if (r >= 0 && (h.payload_bytes == 0 || h.payload_bytes % s->frame_bytes != 0)) {
		r = -AES67_EMALFORMED; /* not a whole number of frames of this format */
	}
	if (r < 0) {
		atomic_fetch_add_explicit(&s->c.malformed, 1, RELAXED);
		return r;
	}
	if (s->p.payload_type >= 0 && h.payload_type != (uint8_t)s->p.payload_type) {
		atomic_fetch_add_explicit(&s->c.wrong_pt, 1, RELAXED);
		return 0;
	}
	frames = h.payload_bytes / s->frame_bytes;
	if (!s->have_ssrc || h.ssrc != s->ssrc) {
		new_source(s, h.ssrc);
	}
	(void)aes67_rtp_stats_update(&s->rtp, h.seq, h.timestamp, arrival_rtp);
	if (s->p.format == AES67_PCM_AM824) {
		r = aes67_am824_decode_s32(s->scratch, NULL, h.payload, frames, s->p.channels,
					   NULL);
	} else {
		r = aes67_pcm_decode_s32(s->p.format, s->scratch, h.payload,
					 frames * s->p.channels);
	}
	if (r < 0) {
		atomic_fetch_add_explicit(&s->c.malformed, 1, RELAXED);
		return r;
	}
	/* AES67-2018 §7.3: position = timestamp - mediaclk offset + link offset, extended to the
	 * lap nearest to where the anchor expects it. */
	base = aes67_ts_extend(h.timestamp - s->p.ts_offset, now_pos - (uint64_t)s->anchor.frames);
	pos = place(s, base, now_pos, frames, arrival_rtp);
	/* Frames the drain already moved to the device: the timeline drops them (late); the RX
	 * thread may still patch them into the device ring (aes67d_rx_rescue()). */
	rp = aes67_timeline_read_pos(s->tl);
	s->behind_frames = 0;
	if (pos < rp) {
		s->behind_pos = pos;
		s->behind_frames = (uint32_t)(rp - pos < frames ? rp - pos : frames);
	}
	/* Arrival delay: pos - link is the first frame's media time on the stream's anchor. */
	s->delay_frames = now_pos + s->p.link_offset_frames > pos
				  ? (uint32_t)(now_pos + s->p.link_offset_frames - pos)
				  : 0;
	if (s->delay_frames > atomic_load_explicit(&s->c.delay_max_frames, RELAXED)) {
		atomic_store_explicit(&s->c.delay_max_frames, s->delay_frames, RELAXED);
	}
	if (s->behind_frames == 0) {
		s->late_run = false; /* in time: a run of late packets, if any, is over */
	}
	r = aes67_timeline_write(s->tl, pos, s->scratch, (uint32_t)frames, s->p.channels, 0);
	atomic_fetch_add_explicit(&s->c.packets, 1, RELAXED);
	atomic_fetch_add_explicit(&s->c.bytes, h.payload_bytes, RELAXED);
	atomic_store_explicit(&s->c.last_arrival_ns, now_ns, RELAXED);
	/* A packet behind the drain counts too: aes67d_rx_rescue() may still patch it into the
	 * device, and a recording that starts at the first packet (aes67 recv) must include it
	 * (a sender's catch-up burst at its start once cut 5 packets off a recording). */
	if (r > 0 || s->behind_frames > 0) {
		end = pos + frames;
		if (atomic_load_explicit(&s->c.first_pos, RELAXED) == AES67D_RX_NO_POS) {
			atomic_store_explicit(&s->c.first_pos, pos, memory_order_release);
		}
		if (end > atomic_load_explicit(&s->c.last_end_pos, RELAXED)) {
			atomic_store_explicit(&s->c.last_end_pos, end, memory_order_release);
		}
	}
	publish(s);
	return r;
}

int aes67d_rx_drain(struct aes67d_rx_stream *s, uint64_t pos, uint32_t frames, int32_t *dst,
		    uint32_t dev_channels)
{
	const uint32_t ch = s->p.channels, off = s->p.device_channel_offset;
	uint64_t rp = aes67_timeline_read_pos(s->tl);
	uint32_t skip = 0;
	int r;

	if (frames == 0 || frames > AES67D_RX_DRAIN_FRAMES || off + ch > dev_channels) {
		return -EINVAL;
	}
	/* Positions already played out (the stream joined after them) are silence. */
	if (pos < rp) {
		skip = rp - pos < frames ? (uint32_t)(rp - pos) : frames;
		aes67_pcm_put_frames(&dst[off], dev_channels, NULL, ch, skip);
	}
	if (skip == frames) {
		return 0;
	}
	/* Straight into the device frame: no packed copy in between (docs/bench-engine.md). */
	r = aes67_timeline_read_strided(s->tl, pos + skip, &dst[(size_t)skip * dev_channels + off],
					dev_channels, frames - skip);
	if (r < 0) {
		aes67_pcm_put_frames(&dst[(size_t)skip * dev_channels + off], dev_channels, NULL,
				     ch, frames - skip);
		return r;
	}
	atomic_store_explicit(&s->c.fill_frames, aes67_timeline_fill(s->tl), RELAXED);
	return r;
}

int aes67d_rx_rescue(struct aes67d_rx_stream *s, const struct aes67_ring_dir *cap, uint64_t min_pos,
		     int32_t *buf, uint32_t buf_frames)
{
	const uint32_t ch = s->p.channels, off = s->p.device_channel_offset;
	const uint64_t first = s->behind_pos, end = s->behind_pos + s->behind_frames;
	/* Frames before min_pos a reader may have read: truly late. The rest is patched. */
	const uint64_t from = first < min_pos ? min_pos : first;

	if (s->behind_frames == 0) {
		return 0;
	}
	s->behind_frames = 0;
	if (buf_frames == 0 || off + ch > cap->channels) {
		return -EINVAL;
	}
	/* Late (a reader may have read a frame of it): the first of a run is reported, once. */
	s->late_report = from != first && !s->late_run;
	s->late_run = from != first;
	if (from >= end) {
		return 0;
	}
	for (uint64_t pos = from; pos < end;) {
		uint32_t k = end - pos < buf_frames ? (uint32_t)(end - pos) : buf_frames;
		int r = aes67_ring_read(cap, pos, buf, k, NULL);

		if (r < 0) {
			return r;
		}
		aes67_pcm_put_frames(&buf[off], cap->channels,
				     &s->scratch[(size_t)(pos - first) * ch], ch, k);
		r = aes67_ring_write(cap, pos, buf, k);
		if (r < 0) {
			return r;
		}
		pos += k;
	}
	if (from == first) {
		atomic_fetch_add_explicit(&s->c.rescued, 1, RELAXED);
		publish(s);
	}
	return (int)(end - from);
}
