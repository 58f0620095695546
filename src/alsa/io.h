/* SPDX-License-Identifier: MIT */
/*
 * The logic of the pcm.aes67 plugin, apart from alsa-lib so it can be unit-tested (and proven
 * RT-clean under the rt_guard): sample conversion between ALSA formats and the ring's int32,
 * the hardware pointer derived from the clock page, transfers by absolute media position, xrun
 * detection and the media position of the next wake-up.
 *
 * Positions: base_pos is the media position (frames since the PTP epoch) at which the stream
 * started; the ALSA hardware pointer is now_pos - base_pos; application frame k lives in the ring
 * at base_pos + k. Playback frames written before start are staged (they have no position yet)
 * and copied to the ring at start.
 */
#ifndef AES67_ALSA_IO_H
#define AES67_ALSA_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/ring.h"

/* Daemon silence tolerated before the stream fails (heartbeat every 50 ms). */
#define AES67_ALSA_ALIVE_NS 500000000ull
/*
 * Silence tolerated instead while the daemon's process is known to be running (the plugin
 * watches it with a pidfd, client.h): a heartbeat that stops while the process lives is a
 * starved or stopped daemon, not a dead one. Its audio threads run SCHED_FIFO above the thread
 * that beats, so a CPU taken by real-time work stalls the heartbeat first; the kernel's RT
 * throttling (sched_rt_runtime_us, 0.95 s of every 1 s) bounds such a stall near one second.
 * The streams meanwhile see ordinary xruns, which applications recover from; only a daemon
 * silent for this long, or gone, fails them with -ENODEV.
 */
#define AES67_ALSA_STALL_NS 5000000000ull
/* Frames converted per chunk: bounds the scratch buffer. */
#define AES67_ALSA_CHUNK_FRAMES 256u

enum aes67_alsa_format {
	AES67_ALSA_S16_LE = 1,
	AES67_ALSA_S24_3LE,
	AES67_ALSA_S32_LE,
	AES67_ALSA_FLOAT_LE,
};

struct aes67_alsa_io {
	const struct aes67_ring *ring;
	const struct aes67_ring_dir *dir; /* &ring->play or &ring->capture */
	bool playback;
	uint64_t generation; /* read at attach: liveness token */
	uint64_t alive_ns;   /* heartbeat age after which the daemon is gone; 0: ALIVE_NS */
	enum aes67_alsa_format format;
	uint32_t channels;
	uint32_t buffer_frames;
	bool running;
	uint64_t base_pos;    /* valid while running */
	uint64_t done_frames; /* frames transferred since prepare (= ALSA appl_ptr, unwrapped) */
	int32_t *scratch;     /* AES67_ALSA_CHUNK_FRAMES * channels, caller-owned */
	int32_t *staging;     /* playback: buffer_frames * channels, caller-owned; else NULL */
};

/**
 * aes67_alsa_format_bytes() - bytes per sample of a format (2, 3, 4, 4), 0 if unknown.
 * @f: format. Thread: any.
 */
AES67_RT size_t aes67_alsa_format_bytes(enum aes67_alsa_format f);

/**
 * aes67_alsa_to_s32() - ALSA little-endian samples to ring int32 (left-justified).
 * @f: source format. @src: @n samples. @dst: receives @n int32.
 * S16 << 16 and S24 << 8 exactly; S32 as is; float v * 2^31 rounded to nearest (ties to even),
 * NaN to 0, saturated (pcm.h's float rule with 32 bits). Thread: any.
 */
AES67_RT void aes67_alsa_to_s32(enum aes67_alsa_format f, const void *src, int32_t *dst, size_t n);

/**
 * aes67_alsa_from_s32() - ring int32 to ALSA little-endian samples.
 * @f: destination format. @src: @n int32. @dst: receives @n samples.
 * S16: floor((x + 2^15) / 2^16) saturated; S24: floor((x + 2^7) / 2^8) saturated (pcm.h's
 * rules); S32 as is; float x / 2^31. Thread: any.
 */
AES67_RT void aes67_alsa_from_s32(enum aes67_alsa_format f, const int32_t *src, void *dst,
				  size_t n);

/**
 * aes67_alsa_frames_per_packet() - frames in one packet, or 0 if not a whole number; 333 µs is
 * 1/3 ms exactly (AES67-2018 §7.2). @rate_hz: sample rate. @ptime_us: packet time. Thread: any.
 */
uint32_t aes67_alsa_frames_per_packet(uint32_t rate_hz, uint32_t ptime_us);

/**
 * aes67_alsa_io_prepare() - reset for a new run (not started, nothing transferred).
 * @io: the stream. Thread: control (the application's, outside the period path).
 */
void aes67_alsa_io_prepare(struct aes67_alsa_io *io);

/**
 * aes67_alsa_io_beat_age_ns() - how long ago the daemon's last heartbeat was, in ns (0 if it
 * is newer than @now_raw_ns). @io: the stream. @now_raw_ns: CLOCK_MONOTONIC_RAW now.
 * Thread: rt.
 */
AES67_RT uint64_t aes67_alsa_io_beat_age_ns(const struct aes67_alsa_io *io, uint64_t now_raw_ns);

/**
 * aes67_alsa_io_now() - media position now.
 * @io: the stream. @now_raw_ns: CLOCK_MONOTONIC_RAW now. @pos: receives frames since the epoch.
 * Return: 0; -ENODEV if the daemon is gone (closed, replaced, or no heartbeat for io->alive_ns,
 * AES67_ALSA_ALIVE_NS when 0); -EAGAIN / -AES67_ENOTFOUND / -AES67_ERANGE from the clock page.
 * Thread: rt.
 */
AES67_RT AES67_MUST_CHECK int aes67_alsa_io_now(const struct aes67_alsa_io *io, uint64_t now_raw_ns,
						uint64_t *pos);

/*
 * Playback starts this long after the moment of snd_pcm_start, in µs: the staged frames are
 * converted and written in that time, before the daemon's TX thread can read the first of them
 * (it reads a packet once the media clock passes the packet's end). A start that takes longer
 * (the application preempted in between) is an underrun at start (aes67_alsa_io_start_check()),
 * never frames silently replaced by silence. The lead shows in snd_pcm_delay(), so the
 * latency an application computes stays exact.
 */
#define AES67_ALSA_START_LEAD_US 2000u

/**
 * aes67_alsa_start_lead_frames() - AES67_ALSA_START_LEAD_US in frames at @rate_hz. Thread: any.
 */
AES67_RT uint32_t aes67_alsa_start_lead_frames(uint32_t rate_hz);

/**
 * aes67_alsa_io_start() - start: capture at the current media position, playback
 * aes67_alsa_start_lead_frames() after it; staged playback frames go to the ring.
 * @io: the stream. @now_raw_ns: CLOCK_MONOTONIC_RAW now.
 * Return: 0 or the errors of aes67_alsa_io_now() and aes67_ring_write(). Thread: rt.
 */
AES67_RT AES67_MUST_CHECK int aes67_alsa_io_start(struct aes67_alsa_io *io, uint64_t now_raw_ns);

/**
 * aes67_alsa_io_start_check() - call right after aes67_alsa_io_start() with a fresh clock
 * reading: were the staged playback frames in the ring before the media clock reached them?
 * @io: the stream. @now_raw_ns: CLOCK_MONOTONIC_RAW after the start.
 * Return: 0 (also for capture); -EPIPE if the clock already reached the start position (the
 * daemon may have sent silence instead of the first frames: report an underrun); the errors of
 * aes67_alsa_io_now(). Thread: rt.
 */
AES67_RT AES67_MUST_CHECK int aes67_alsa_io_start_check(const struct aes67_alsa_io *io,
							uint64_t now_raw_ns);

/**
 * aes67_alsa_io_pointer() - the hardware pointer: frames played / captured since start.
 * @io: the stream. @now_raw_ns: CLOCK_MONOTONIC_RAW now.
 * @draining: playback is draining: reaching the application pointer is the end, not an xrun.
 * @hw: receives the pointer (0 before start).
 * Return: 0; -EPIPE on xrun (playback: the media clock passed the last frame written;
 * capture: the application fell more than a buffer behind); -ENODEV (daemon gone) and the
 * other errors of aes67_alsa_io_now(). Thread: rt.
 */
AES67_RT AES67_MUST_CHECK int aes67_alsa_io_pointer(const struct aes67_alsa_io *io,
						    uint64_t now_raw_ns, bool draining,
						    uint64_t *hw);

/**
 * aes67_alsa_io_write() - playback: take @frames frames of application data.
 * @io: the stream. @src: interleaved frames in io->format. @frames: count (before start at most
 * buffer_frames - done_frames).
 * Return: @frames; -EPIPE (more than the buffer staged, or the ring refused). Thread: rt.
 */
AES67_RT AES67_MUST_CHECK long aes67_alsa_io_write(struct aes67_alsa_io *io, const void *src,
						   uint32_t frames);

/**
 * aes67_alsa_io_read() - capture: deliver the next @frames frames (silence where nothing was
 * received). @io: the stream. @dst: receives interleaved frames in io->format.
 * Return: @frames; -EPIPE if the ring lapped the reader (overrun) or the stream is not running.
 * Thread: rt.
 */
AES67_RT AES67_MUST_CHECK long aes67_alsa_io_read(struct aes67_alsa_io *io, void *dst,
						  uint32_t frames);

/**
 * aes67_alsa_io_avail() - frames the application may transfer now.
 * @io: the stream. @hw: the hardware pointer from aes67_alsa_io_pointer(). Thread: rt.
 */
AES67_RT uint64_t aes67_alsa_io_avail(const struct aes67_alsa_io *io, uint64_t hw);

/**
 * aes67_alsa_io_wake_pos() - media position at which avail will reach @avail_min.
 * @io: the stream (running). @avail_min: frames. @pos: receives the absolute position.
 * Return: 1 if a wake-up is needed at @pos; 0 if avail is already >= @avail_min (wake now);
 * -EINVAL if not running. Thread: rt.
 */
AES67_RT AES67_MUST_CHECK int aes67_alsa_io_wake_pos(const struct aes67_alsa_io *io,
						     uint64_t avail_min, uint64_t hw,
						     uint64_t *pos);

#endif /* AES67_ALSA_IO_H */
