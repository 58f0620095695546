// SPDX-License-Identifier: MIT
/*
 * pcm.aes67 stream logic (see io.h): format conversion, the media-clock hardware pointer,
 * transfers at absolute ring positions, xrun rules and wake-up positions. No alsa-lib, no
 * syscalls, no allocation: every function here runs in the application's period path and is
 * exercised under the rt_guard by tests/unit/test_alsa_io.c.
 *
 * xrun rules (ALSA's default stop_threshold = buffer size):
 *   playback: the hardware pointer (media clock) passed the last frame the application wrote:
 *             the ring would play silence / stale data, so it is an underrun (-EPIPE);
 *             while draining, reaching the application pointer is the normal end instead.
 *   capture:  (the hardware pointer is the media clock bounded by the ring's write position: a
 *             frame is readable once the daemon wrote it, silence included, never before)
 *             the application is more than one buffer behind the hardware pointer: the frames it
 *             would read next are no longer in its buffer (overrun, -EPIPE); the ring lapping
 *             the reader (aes67_ring_read's -AES67_ESTALE) is an overrun too.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "aes67/error.h"
#include "io.h"

size_t aes67_alsa_format_bytes(enum aes67_alsa_format f)
{
	switch (f) {
	case AES67_ALSA_S16_LE:
		return 2;
	case AES67_ALSA_S24_3LE:
		return 3;
	case AES67_ALSA_S32_LE:
	case AES67_ALSA_FLOAT_LE:
		return 4;
	}
	return 0;
}

static int32_t float_to_s32(float f)
{
	double v = (double)f * 2147483648.0;

	if (isnan(v)) {
		return 0;
	}
	if (v >= 2147483647.0) {
		return INT32_MAX;
	}
	if (v <= -2147483648.0) {
		return INT32_MIN;
	}
	return (int32_t)lrint(v); /* default rounding mode: nearest, ties to even */
}

void aes67_alsa_to_s32(enum aes67_alsa_format f, const void *src, int32_t *dst, size_t n)
{
	const uint8_t *s = src;

	for (size_t i = 0; i < n; i++) {
		uint32_t u;
		float fl;

		switch (f) {
		case AES67_ALSA_S16_LE:
			u = ((uint32_t)s[2 * i] | (uint32_t)s[2 * i + 1] << 8) << 16;
			dst[i] = (int32_t)u;
			break;
		case AES67_ALSA_S24_3LE:
			u = ((uint32_t)s[3 * i] | (uint32_t)s[3 * i + 1] << 8 |
			     (uint32_t)s[3 * i + 2] << 16)
			    << 8;
			dst[i] = (int32_t)u;
			break;
		case AES67_ALSA_S32_LE:
			u = (uint32_t)s[4 * i] | (uint32_t)s[4 * i + 1] << 8 |
			    (uint32_t)s[4 * i + 2] << 16 | (uint32_t)s[4 * i + 3] << 24;
			dst[i] = (int32_t)u;
			break;
		case AES67_ALSA_FLOAT_LE:
			u = (uint32_t)s[4 * i] | (uint32_t)s[4 * i + 1] << 8 |
			    (uint32_t)s[4 * i + 2] << 16 | (uint32_t)s[4 * i + 3] << 24;
			memcpy(&fl, &u, sizeof(fl));
			dst[i] = float_to_s32(fl);
			break;
		default:
			dst[i] = 0;
			break;
		}
	}
}

static void store_le(uint8_t *d, uint32_t u, unsigned bytes)
{
	for (unsigned k = 0; k < bytes; k++) {
		d[k] = (uint8_t)(u >> (8 * k));
	}
}

void aes67_alsa_from_s32(enum aes67_alsa_format f, const int32_t *src, void *dst, size_t n)
{
	uint8_t *d = dst;

	for (size_t i = 0; i < n; i++) {
		int64_t x = src[i];
		uint32_t u;
		float fl;

		switch (f) {
		case AES67_ALSA_S16_LE:
			x = (x + 32768) >> 16; /* floor((x + 2^15) / 2^16), pcm.h */
			store_le(d + 2 * i, (uint32_t)(x > 32767 ? 32767 : x), 2);
			break;
		case AES67_ALSA_S24_3LE:
			x = (x + 128) >> 8; /* floor((x + 2^7) / 2^8), pcm.h */
			store_le(d + 3 * i, (uint32_t)(x > 8388607 ? 8388607 : x), 3);
			break;
		case AES67_ALSA_S32_LE:
			store_le(d + 4 * i, (uint32_t)src[i], 4);
			break;
		case AES67_ALSA_FLOAT_LE:
			fl = (float)src[i] * (1.0f / 2147483648.0f);
			memcpy(&u, &fl, sizeof(u));
			store_le(d + 4 * i, u, 4);
			break;
		}
	}
}

uint32_t aes67_alsa_frames_per_packet(uint32_t rate_hz, uint32_t ptime_us)
{
	uint64_t num = (uint64_t)rate_hz * ptime_us;

	if (ptime_us == 333) {
		return rate_hz % 3000 == 0 ? rate_hz / 3000 : 0;
	}
	return num % 1000000 == 0 ? (uint32_t)(num / 1000000) : 0;
}

void aes67_alsa_io_prepare(struct aes67_alsa_io *io)
{
	io->running = false;
	io->base_pos = 0;
	io->done_frames = 0;
}

uint64_t aes67_alsa_io_beat_age_ns(const struct aes67_alsa_io *io, uint64_t now_raw_ns)
{
	uint64_t hb = atomic_load_explicit(&io->ring->header->heartbeat_ns, memory_order_acquire);

	return now_raw_ns > hb ? now_raw_ns - hb : 0;
}

int aes67_alsa_io_now(const struct aes67_alsa_io *io, uint64_t now_raw_ns, uint64_t *pos)
{
	struct aes67_clock_values v;
	uint64_t alive_ns = io->alive_ns != 0 ? io->alive_ns : AES67_ALSA_ALIVE_NS;
	int r;

	if (!aes67_ring_alive(io->ring, io->generation, now_raw_ns, alive_ns)) {
		return -ENODEV;
	}
	if ((r = aes67_clock_page_read(io->ring->clock, &v)) < 0) {
		return r;
	}
	return aes67_clock_page_mono_to_frame(&v, now_raw_ns, pos);
}

int aes67_alsa_io_start(struct aes67_alsa_io *io, uint64_t now_raw_ns)
{
	uint64_t pos;
	int r;

	if ((r = aes67_alsa_io_now(io, now_raw_ns, &pos)) < 0) {
		return r;
	}
	io->base_pos = pos;
	if (io->playback) {
		io->base_pos += aes67_alsa_start_lead_frames(io->ring->header->sample_rate);
	}
	if (io->playback && io->done_frames > 0) {
		r = aes67_ring_write(io->dir, io->base_pos, io->staging, (uint32_t)io->done_frames);
		if (r < 0) {
			return r;
		}
	}
	io->running = true;
	return 0;
}

int aes67_alsa_io_start_check(const struct aes67_alsa_io *io, uint64_t now_raw_ns)
{
	uint64_t pos;
	int r;

	if (!io->running || !io->playback) {
		return 0;
	}
	if ((r = aes67_alsa_io_now(io, now_raw_ns, &pos)) < 0) {
		return r;
	}
	/* The daemon reads a packet's frames once the media clock passes the packet's end, so
	 * none of the frames from base_pos on was read while the clock had not reached it. */
	return pos < io->base_pos ? 0 : -EPIPE;
}

uint32_t aes67_alsa_start_lead_frames(uint32_t rate_hz)
{
	return (uint32_t)((uint64_t)rate_hz * AES67_ALSA_START_LEAD_US / 1000000u);
}

int aes67_alsa_io_pointer(const struct aes67_alsa_io *io, uint64_t now_raw_ns, bool draining,
			  uint64_t *hw)
{
	uint64_t pos;
	int r;

	*hw = 0;
	if (!io->running) {
		return 0;
	}
	if ((r = aes67_alsa_io_now(io, now_raw_ns, &pos)) < 0) {
		return r;
	}
	if (!io->playback) {
		/* Capture: only frames the daemon has already moved into the ring. Its RX thread
		 * drains on its own wake-ups, so the media clock can pass a position before that
		 * position is written; reading it then would return a never-written slot as
		 * silence that no counter sees. Waiting for the write position costs at most one
		 * RX wake-up; a stalled RX thread still ends in an overrun below once it resumes.
		 */
		uint64_t written = aes67_ring_write_pos(io->dir);

		pos = pos < written ? pos : written;
	}
	*hw = pos > io->base_pos ? pos - io->base_pos : 0;
	if (io->playback && *hw > io->done_frames) {
		if (!draining) {
			return -EPIPE;
		}
		*hw = io->done_frames;
	}
	if (!io->playback && *hw > io->done_frames + io->buffer_frames) {
		return -EPIPE;
	}
	return 0;
}

long aes67_alsa_io_write(struct aes67_alsa_io *io, const void *src, uint32_t frames)
{
	const uint8_t *s = src;
	size_t fb = aes67_alsa_format_bytes(io->format) * io->channels;
	uint32_t left = frames;

	if (!io->running) {
		if (io->done_frames + frames > io->buffer_frames) {
			return -EPIPE;
		}
		aes67_alsa_to_s32(io->format, src, io->staging + io->done_frames * io->channels,
				  (size_t)frames * io->channels);
		io->done_frames += frames;
		return frames;
	}
	while (left > 0) {
		uint32_t n = left < AES67_ALSA_CHUNK_FRAMES ? left : AES67_ALSA_CHUNK_FRAMES;

		aes67_alsa_to_s32(io->format, s, io->scratch, (size_t)n * io->channels);
		if (aes67_ring_write(io->dir, io->base_pos + io->done_frames, io->scratch, n) < 0) {
			return -EPIPE;
		}
		io->done_frames += n;
		s += n * fb;
		left -= n;
	}
	return frames;
}

long aes67_alsa_io_read(struct aes67_alsa_io *io, void *dst, uint32_t frames)
{
	uint8_t *d = dst;
	size_t fb = aes67_alsa_format_bytes(io->format) * io->channels;
	uint32_t left = frames;

	if (!io->running) {
		return -EPIPE;
	}
	while (left > 0) {
		uint32_t n = left < AES67_ALSA_CHUNK_FRAMES ? left : AES67_ALSA_CHUNK_FRAMES;

		/* Missing frames (nothing received there) read as silence; lapped is an overrun. */
		if (aes67_ring_read(io->dir, io->base_pos + io->done_frames, io->scratch, n, NULL) <
		    0) {
			return -EPIPE;
		}
		aes67_alsa_from_s32(io->format, io->scratch, d, (size_t)n * io->channels);
		io->done_frames += n;
		d += n * fb;
		left -= n;
	}
	return frames;
}

uint64_t aes67_alsa_io_avail(const struct aes67_alsa_io *io, uint64_t hw)
{
	if (io->playback) {
		uint64_t queued = io->done_frames > hw ? io->done_frames - hw : 0;

		return queued >= io->buffer_frames ? 0 : io->buffer_frames - queued;
	}
	return hw > io->done_frames ? hw - io->done_frames : 0;
}

int aes67_alsa_io_wake_pos(const struct aes67_alsa_io *io, uint64_t avail_min, uint64_t hw,
			   uint64_t *pos)
{
	uint64_t target;

	if (!io->running) {
		return -EINVAL;
	}
	if (aes67_alsa_io_avail(io, hw) >= avail_min) {
		return 0;
	}
	if (io->playback) {
		/* avail = buffer - (done - hw) >= avail_min  <=>  hw >= done - buffer + avail_min;
		 * avail < avail_min here, so done + avail_min > buffer. */
		target = io->done_frames + avail_min - io->buffer_frames;
	} else {
		target = io->done_frames + avail_min;
	}
	*pos = io->base_pos + target;
	return 1;
}
