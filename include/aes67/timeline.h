/* SPDX-License-Identifier: MIT */
/*
 * Timeline: the receive playout (jitter) buffer of one RTP stream, used by the daemon's RX path.
 *
 * Packets are placed by absolute media position (frames since the PTP epoch; for AES67 the RTP
 * timestamp extended to 64 bits plus the link offset, AES67-2018 §7.3 / RFC 3550 §5.1), never by
 * arrival order, so reordered packets land in place and a packet that never arrived reads as
 * silence. The consumer reads by position too and advances a read position; a packet whose
 * position was already read is late and dropped.
 *
 * Stands alone on caller-owned memory (aes67_timeline_get_size() + aes67_timeline_init(), no
 * allocation) rather than on the shared ring: it is private to the daemon, needs no atomics,
 * and its counters are per stream. It uses the same validity scheme as the ring: one stamp per
 * frame slot holding the position last written there, so a slot from an earlier lap can never be
 * read as audio for the current one.
 *
 * A stream may map to a channel range of the device: the buffer is @channels wide (the device's
 * channels) and a write places the packet's channels at a channel offset; the other channels of
 * a newly written frame are silence. One stream per timeline (the counters are the stream's).
 *
 * Not thread-safe: writer and reader must be the same thread or serialised by the caller (the
 * daemon's RX thread drains it into the device's capture ring).
 */
#ifndef AES67_TIMELINE_H
#define AES67_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AES67_TIMELINE_CHANNELS_MAX 128u
#define AES67_TIMELINE_CAPACITY_MAX (1u << 20) /* frames */
/* Positions at or above this are refused (keeps the empty stamp out of range). */
#define AES67_TIMELINE_POS_LIMIT ((uint64_t)1 << 62)

struct aes67_timeline;

struct aes67_timeline_config {
	uint32_t channels;	  /* width of a frame (device channels), 1..128 */
	uint32_t capacity_frames; /* power of two, 16..AES67_TIMELINE_CAPACITY_MAX */
};

/*
 * Counters, cumulative since init. Definitions (tested in tests/unit/test_timeline.c):
 * - packets: calls to aes67_timeline_write() with valid arguments.
 * - frames_written: frames stored at a position that held no data for it yet.
 * - late_packets / late_frames: packets with frames at positions already read; those frames
 *   are dropped (the rest of the packet, if any, is stored).
 * - too_early_packets / too_early_frames: packets reaching read_pos + capacity or beyond; the
 *   whole packet is dropped (storing it would overwrite unread frames).
 * - duplicate_frames: frames written at a position already holding data (overwritten in
 *   place); duplicate_packets: packets none of whose stored frames were new.
 * - reordered_packets: packets with new frames that start before the highest position already
 *   written (they fill a gap).
 * - lost_frames: frames the consumer read that had never been written: they read as silence.
 *   lost_runs: maximal runs of consecutive lost positions (a burst of lost packets is one run).
 * - skipped_frames: positions the consumer jumped over without reading.
 * - frames_read: positions read (valid + lost).
 */
struct aes67_timeline_stats {
	uint64_t packets;
	uint64_t frames_written;
	uint64_t late_packets;
	uint64_t late_frames;
	uint64_t too_early_packets;
	uint64_t too_early_frames;
	uint64_t duplicate_packets;
	uint64_t duplicate_frames;
	uint64_t reordered_packets;
	uint64_t lost_frames;
	uint64_t lost_runs;
	uint64_t skipped_frames;
	uint64_t frames_read;
};

/**
 * aes67_timeline_get_size() - memory needed for a timeline.
 * @cfg: configuration.
 * @bytes: receives the size in bytes.
 *
 * Return: 0; -EINVAL if the configuration is out of range. Thread: any.
 */
AES67_API AES67_MUST_CHECK int aes67_timeline_get_size(const struct aes67_timeline_config *cfg,
						       size_t *bytes);

/**
 * aes67_timeline_init() - build a timeline in caller-owned memory.
 * @mem: memory of at least aes67_timeline_get_size() bytes, aligned to 64 bytes; owned by the
 *       caller, who frees it after the timeline is no longer used (there is no destroy).
 * @mem_bytes: size of @mem.
 * @cfg: configuration.
 * @start_pos: first position the consumer will read (frames since the PTP epoch).
 * @out: receives the handle (points into @mem).
 *
 * Return: 0; -EINVAL (bad config, alignment or position); -ENOSPC (@mem too small).
 * Thread: control.
 */
AES67_API AES67_MUST_CHECK int aes67_timeline_init(void *mem, size_t mem_bytes,
						   const struct aes67_timeline_config *cfg,
						   uint64_t start_pos, struct aes67_timeline **out);

/**
 * aes67_timeline_reset() - forget all audio and restart at a position (e.g. after a resync).
 * @tl: timeline.
 * @start_pos: next position the consumer will read; must be < AES67_TIMELINE_POS_LIMIT.
 *
 * Counters are kept. O(capacity). Return: 0 or -EINVAL. Thread: control.
 */
AES67_API AES67_MUST_CHECK int aes67_timeline_reset(struct aes67_timeline *tl, uint64_t start_pos);

/**
 * aes67_timeline_write() - store the samples of one packet.
 * @tl: timeline.
 * @pos: media position of the packet's first frame.
 * @src: @n_frames interleaved frames of @src_channels int32 samples (24-bit left-justified).
 * @n_frames: 1..capacity.
 * @src_channels: channels in the packet, >= 1.
 * @ch_offset: first device channel the packet's channels map to;
 *             @ch_offset + @src_channels <= channels.
 *
 * Late, too-early and duplicate data are handled and counted as documented for
 * struct aes67_timeline_stats; they are not errors.
 * Return: number of frames stored (new or duplicate), 0 if the packet was dropped; -EINVAL on
 * bad arguments; -AES67_ERANGE if the position is beyond AES67_TIMELINE_POS_LIMIT (nothing is
 * counted on error). Thread: rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int
aes67_timeline_write(struct aes67_timeline *tl, uint64_t pos, const int32_t *src, uint32_t n_frames,
		     uint32_t src_channels, uint32_t ch_offset);

/**
 * aes67_timeline_read() - play frames out by position and advance the read position.
 * @tl: timeline.
 * @pos: position of the first frame; >= the read position (positions in between are skipped).
 * @dst: receives @n_frames interleaved frames of `channels` samples; lost frames are zeros.
 * @n_frames: 1..capacity.
 *
 * Return: number of frames that held audio; -EINVAL if @pos was already read or arguments are
 * bad; -AES67_ERANGE if beyond the position limit. Thread: rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_timeline_read(struct aes67_timeline *tl, uint64_t pos,
							    int32_t *dst, uint32_t n_frames);

/**
 * aes67_timeline_read_strided() - aes67_timeline_read() into wider frames: straight into the
 * stream's channels of a device frame, without a packed copy in between.
 * @tl: timeline.
 * @pos: as aes67_timeline_read().
 * @dst: the first of the timeline's `channels` samples of the first frame; frame i starts at
 *       @dst + i * @dst_stride. Samples in between (other channels) are not touched.
 * @dst_stride: samples from one frame to the next, >= `channels`.
 * @n_frames: 1..capacity.
 *
 * Return: as aes67_timeline_read(); -EINVAL also for @dst_stride < channels. Thread: rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_timeline_read_strided(struct aes67_timeline *tl,
								    uint64_t pos, int32_t *dst,
								    uint32_t dst_stride,
								    uint32_t n_frames);

/**
 * aes67_timeline_read_pos() - next position the consumer reads.
 * @tl: timeline. Thread: rt.
 */
AES67_API AES67_RT uint64_t aes67_timeline_read_pos(const struct aes67_timeline *tl);

/**
 * aes67_timeline_fill() - fill level in frames.
 * @tl: timeline.
 *
 * Return: one past the highest position written minus the read position; negative when the
 * consumer is ahead of everything received. Thread: rt.
 */
AES67_API AES67_RT int64_t aes67_timeline_fill(const struct aes67_timeline *tl);

/**
 * aes67_timeline_get_stats() - copy the counters.
 * @tl: timeline.
 * @out: receives the counters. Thread: rt (same thread as the writer).
 */
AES67_API AES67_RT void aes67_timeline_get_stats(const struct aes67_timeline *tl,
						 struct aes67_timeline_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* AES67_TIMELINE_H */
