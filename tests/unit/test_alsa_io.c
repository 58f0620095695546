// SPDX-License-Identifier: MIT
/*
 * Unit tests of the pcm.aes67 stream logic (src/alsa/io.c): format conversions against hand
 * computed values (pcm.h's rounding rules), the media-clock hardware pointer, playback staging
 * and placement at absolute positions, xrun rules in both directions, daemon death and a stalled
 * daemon told apart (heartbeat age, the pidfd watch of client.c), wake-up positions — and, under
 * the rt_guard in core mode, proof that the period-path functions allocate, lock, log, sleep and
 * read clocks not at all (time comes in as a parameter).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "aes67/error.h"
#include "client.h"
#include "io.h"
#include "rt_guard.h"

#define RATE 48000u
#define CH 2u
#define CAP 4096u
#define BUF 960u
#define MONO0 1000000000ull   /* CLOCK_MONOTONIC_RAW at the clock page's base point */
#define PTP0 1000000000000ull /* PTP ns there: media position 48,000,000 */
#define POS0 48000000ull
#define GEN 0x1234ull

struct fixture {
	void *region;
	size_t bytes;
	struct aes67_ring ring;
	struct aes67_alsa_io io;
	int32_t scratch[AES67_ALSA_CHUNK_FRAMES * CH];
	int32_t staging[BUF * CH];
};

/* MONOTONIC_RAW ns at which media position POS0 + f begins (exact: 48 kHz, 1/48 ms). */
static uint64_t at_frame(uint64_t f)
{
	return MONO0 + (f * 1000000u + 47u) / 48u;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct aes67_ring_geometry g = {RATE, CH, CH, CAP, AES67_RING_FORMAT_S32};
	struct aes67_ring_layout lay;
	struct aes67_clock_values v = {.base_mono_ns = MONO0,
				       .base_ptp_ns = PTP0,
				       .sample_rate = RATE,
				       .state = AES67_CLOCK_FREERUN};
	const char *why;

	assert_non_null(fx);
	assert_int_equal(aes67_ring_layout(&g, &lay), 0);
	fx->bytes = (size_t)lay.total_bytes;
	fx->region = aligned_alloc(64, (fx->bytes + 63) & ~(size_t)63);
	assert_non_null(fx->region);
	assert_int_equal(aes67_ring_init(fx->region, fx->bytes, &g, GEN), 0);
	assert_int_equal(aes67_ring_attach(fx->region, fx->bytes, &fx->ring, &why), 0);
	assert_int_equal(aes67_clock_page_write(fx->ring.clock, &v), 0);
	aes67_ring_heartbeat(&fx->ring, MONO0);
	fx->io.ring = &fx->ring;
	fx->io.generation = GEN;
	fx->io.channels = CH;
	fx->io.buffer_frames = BUF;
	fx->io.format = AES67_ALSA_S32_LE;
	fx->io.scratch = fx->scratch;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	free(fx->region);
	free(fx);
	return 0;
}

static void use_playback(struct fixture *fx)
{
	fx->io.playback = true;
	fx->io.dir = &fx->ring.play;
	fx->io.staging = fx->staging;
	aes67_alsa_io_prepare(&fx->io);
}

static void use_capture(struct fixture *fx)
{
	fx->io.playback = false;
	fx->io.dir = &fx->ring.capture;
	fx->io.staging = NULL;
	aes67_alsa_io_prepare(&fx->io);
}

static void test_convert_in(void **state)
{
	const uint8_t s16[] = {0x00, 0x80, 0xff, 0x7f, 0x01, 0x00, 0xff, 0xff};
	const uint8_t s24[] = {0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0x56, 0x34, 0x12};
	const uint8_t s32[] = {0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00, 0x80};
	const float fl[] = {1.0f, -1.0f, 0.5f, NAN, 2.0f, -3.0f, 0x1p-31f, 0x1.8p-31f};
	const int32_t fl_want[] = {INT32_MAX, INT32_MIN, 0x40000000, 0,
				   INT32_MAX, INT32_MIN, 1,	     2 /* 1.5 ties to even */};
	uint8_t flb[sizeof(fl)];
	int32_t out[8];

	(void)state;
	aes67_alsa_to_s32(AES67_ALSA_S16_LE, s16, out, 4);
	assert_int_equal(out[0], INT32_MIN);
	assert_int_equal(out[1], 0x7fff0000);
	assert_int_equal(out[2], 0x00010000);
	assert_int_equal(out[3], -65536);
	aes67_alsa_to_s32(AES67_ALSA_S24_3LE, s24, out, 3);
	assert_int_equal(out[0], INT32_MIN);
	assert_int_equal(out[1], 0x7fffff00);
	assert_int_equal(out[2], 0x12345600);
	aes67_alsa_to_s32(AES67_ALSA_S32_LE, s32, out, 2);
	assert_int_equal(out[0], 0x12345678);
	assert_int_equal(out[1], INT32_MIN);
	memcpy(flb, fl, sizeof(fl)); /* x86-64 is little-endian: the bytes are FLOAT_LE */
	aes67_alsa_to_s32(AES67_ALSA_FLOAT_LE, flb, out, 8);
	assert_memory_equal(out, fl_want, sizeof(fl_want));
}

static void test_convert_out(void **state)
{
	const int32_t in[] = {0x00008000, 0x00007fff, 0x7fffffff, INT32_MIN, -0x8000, 0x12345680};
	uint8_t b[sizeof(in) * 4];
	float f;

	(void)state;
	aes67_alsa_from_s32(AES67_ALSA_S16_LE, in, b, 6);
	/* floor((x + 2^15) / 2^16): half rounds up, top saturates */
	assert_int_equal(b[0] | b[1] << 8, 1);
	assert_int_equal(b[2] | b[3] << 8, 0);
	assert_int_equal(b[4] | b[5] << 8, 0x7fff);
	assert_int_equal(b[6] | b[7] << 8, 0x8000);
	assert_int_equal(b[8] | b[9] << 8, 0);
	assert_int_equal(b[10] | b[11] << 8, 0x1234);
	aes67_alsa_from_s32(AES67_ALSA_S24_3LE, in, b, 6);
	assert_int_equal(b[0] | b[1] << 8 | b[2] << 16, 0x80);
	assert_int_equal(b[6] | b[7] << 8 | b[8] << 16, 0x7fffff);
	assert_int_equal(b[9] | b[10] << 8 | b[11] << 16, 0x800000);
	assert_int_equal(b[15] | b[16] << 8 | b[17] << 16, 0x123457);
	aes67_alsa_from_s32(AES67_ALSA_S32_LE, in, b, 6);
	assert_memory_equal(b, in, sizeof(in));
	aes67_alsa_from_s32(AES67_ALSA_FLOAT_LE, in + 3, b, 1);
	memcpy(&f, b, 4);
	assert_true(f == -1.0f);
}

/* Every 16-bit and a sweep of 24-bit values survive ALSA -> ring -> ALSA exactly. */
static void test_convert_roundtrip(void **state)
{
	uint8_t in[3], out[3];
	int32_t s;

	(void)state;
	for (uint32_t v = 0; v < 65536; v++) {
		in[0] = (uint8_t)v;
		in[1] = (uint8_t)(v >> 8);
		aes67_alsa_to_s32(AES67_ALSA_S16_LE, in, &s, 1);
		aes67_alsa_from_s32(AES67_ALSA_S16_LE, &s, out, 1);
		assert_memory_equal(in, out, 2);
	}
	for (uint32_t v = 0; v < (1u << 24); v += 997) {
		in[0] = (uint8_t)v;
		in[1] = (uint8_t)(v >> 8);
		in[2] = (uint8_t)(v >> 16);
		aes67_alsa_to_s32(AES67_ALSA_S24_3LE, in, &s, 1);
		aes67_alsa_from_s32(AES67_ALSA_S24_3LE, &s, out, 1);
		assert_memory_equal(in, out, 3);
	}
}

static void test_playback_positions(void **state)
{
	struct fixture *fx = *state;
	int32_t frames[100 * CH], got[100 * CH];
	const uint64_t lead = aes67_alsa_start_lead_frames(RATE), b = 500 + lead;
	uint64_t hw, now = at_frame(500);
	struct aes67_ring_read_stats st;

	assert_int_equal(lead, 96); /* 2 ms at 48 kHz */
	use_playback(fx);
	for (unsigned i = 0; i < 100 * CH; i++) {
		frames[i] = (int32_t)(i + 1) << 8;
	}
	rt_guard_enter(RT_GUARD_CORE);
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, now, false, &hw), 0);
	assert_int_equal(hw, 0);
	assert_int_equal(aes67_alsa_io_avail(&fx->io, 0), BUF);
	/* before start: staged */
	assert_int_equal(aes67_alsa_io_write(&fx->io, frames, 60), 60);
	assert_int_equal(aes67_alsa_io_start(&fx->io, now), 0);
	assert_int_equal(aes67_alsa_io_start_check(&fx->io, at_frame(b - 1)), 0);
	/* after start: straight into the ring at base + 60 */
	assert_int_equal(aes67_alsa_io_write(&fx->io, frames + 60 * CH, 40), 40);
	/* the start lead: the pointer stays at 0 until the clock reaches the base */
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, at_frame(530), false, &hw), 0);
	assert_int_equal(hw, 0);
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, at_frame(b + 30), false, &hw), 0);
	assert_int_equal(rt_guard_leave(), 0);

	assert_int_equal(fx->io.base_pos, POS0 + b);
	assert_int_equal(hw, 30);
	assert_int_equal(aes67_alsa_io_avail(&fx->io, hw), BUF - 70);
	assert_int_equal(aes67_ring_read(&fx->ring.play, POS0 + b, got, 100, &st), 100);
	assert_memory_equal(got, frames, sizeof(frames));
	assert_int_equal(aes67_ring_write_pos(&fx->ring.play), POS0 + b + 100);
	/* one frame beyond what was written: underrun, unless draining (then: the end) */
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, at_frame(b + 100), false, &hw), 0);
	assert_int_equal(hw, 100);
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, at_frame(b + 101), false, &hw), -EPIPE);
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, at_frame(b + 200), true, &hw), 0);
	assert_int_equal(hw, 100);
}

/* A start that took longer than the lead (the application preempted between reading the clock
 * and writing the staged frames) is an underrun at start, not silently lost frames. */
static void test_playback_late_start(void **state)
{
	struct fixture *fx = *state;
	const uint64_t lead = aes67_alsa_start_lead_frames(RATE);

	use_playback(fx);
	assert_int_equal(aes67_alsa_io_write(&fx->io, fx->staging, 48), 48);
	assert_int_equal(aes67_alsa_io_start(&fx->io, at_frame(0)), 0);
	assert_int_equal(aes67_alsa_io_start_check(&fx->io, at_frame(lead - 1)), 0);
	assert_int_equal(aes67_alsa_io_start_check(&fx->io, at_frame(lead)), -EPIPE);
	/* capture has nothing staged: always in time */
	use_capture(fx);
	assert_int_equal(aes67_alsa_io_start(&fx->io, at_frame(0)), 0);
	assert_int_equal(fx->io.base_pos, POS0);
	assert_int_equal(aes67_alsa_io_start_check(&fx->io, at_frame(5000)), 0);
}

static void test_playback_staging_limit(void **state)
{
	struct fixture *fx = *state;

	use_playback(fx);
	assert_int_equal(aes67_alsa_io_write(&fx->io, fx->staging, BUF), BUF);
	assert_int_equal(aes67_alsa_io_write(&fx->io, fx->staging, 1), -EPIPE);
}

static void test_capture(void **state)
{
	struct fixture *fx = *state;
	int32_t in[10 * CH], out32[300 * CH];
	uint8_t out16[10 * CH * 2];
	uint64_t hw;

	use_capture(fx);
	fx->io.format = AES67_ALSA_S16_LE;
	for (unsigned i = 0; i < 10 * CH; i++) {
		in[i] = (int32_t)(i + 1) << 16;
	}
	/* the "RX" wrote 10 frames at base + 5 */
	assert_int_equal(aes67_ring_write(&fx->ring.capture, POS0 + 1005, in, 10), 10);
	assert_int_equal(aes67_alsa_io_read(&fx->io, out16, 1), -EPIPE); /* not started */
	rt_guard_enter(RT_GUARD_CORE);
	assert_int_equal(aes67_alsa_io_start(&fx->io, at_frame(1000)), 0);
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, at_frame(1020), false, &hw), 0);
	assert_int_equal(aes67_alsa_io_read(&fx->io, out16, 5), 5);
	assert_int_equal(aes67_alsa_io_read(&fx->io, out16, 10), 10);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(hw, 15); /* the clock says 20, the ring is written up to 15 */
	for (unsigned i = 0; i < 10 * CH; i++) {
		assert_int_equal(out16[2 * i] | out16[2 * i + 1] << 8, i + 1);
	}
	/* nothing received further on: silence, not an error */
	fx->io.format = AES67_ALSA_S32_LE;
	assert_int_equal(aes67_alsa_io_read(&fx->io, out32, 300), 300);
	for (unsigned i = 0; i < 300 * CH; i++) {
		assert_int_equal(out32[i], 0);
	}
	/* done = 315; more than a buffer behind the hardware pointer is an overrun (the RX
	 * thread has written the ring that far: the pointer is bounded by the write position) */
	assert_int_equal(aes67_ring_write(&fx->ring.capture, POS0 + 1000 + 315 + BUF, in, 1), 1);
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, at_frame(1000 + 315 + BUF), false, &hw), 0);
	assert_int_equal(aes67_alsa_io_avail(&fx->io, hw), BUF);
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, at_frame(1000 + 315 + BUF + 1), false, &hw),
			 -EPIPE);
}

/* The media clock passed frames the RX thread has not written yet: the hardware pointer waits
 * for them (at the ring's write position) instead of handing out unwritten slots as silence. */
static void test_capture_waits_for_writer(void **state)
{
	struct fixture *fx = *state;
	int32_t in[48 * CH], out[48 * CH];
	uint64_t hw;

	use_capture(fx);
	for (unsigned i = 0; i < 48 * CH; i++) {
		in[i] = (int32_t)(i + 1) << 8;
	}
	assert_int_equal(aes67_ring_write(&fx->ring.capture, POS0 + 2000, in, 24), 24);
	assert_int_equal(aes67_alsa_io_start(&fx->io, at_frame(2000)), 0);
	rt_guard_enter(RT_GUARD_CORE);
	/* media clock at +48, ring written to +24: 24 readable */
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, at_frame(2048), false, &hw), 0);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(hw, 24);
	assert_int_equal(aes67_alsa_io_avail(&fx->io, hw), 24);
	assert_int_equal(aes67_alsa_io_read(&fx->io, out, 24), 24);
	assert_memory_equal(out, in, sizeof(int32_t) * 24 * CH);
	/* nothing more written yet: nothing more readable, and no xrun however late */
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, at_frame(2048 + 2 * BUF), false, &hw), 0);
	assert_int_equal(aes67_alsa_io_avail(&fx->io, hw), 0);
	/* the writer catches up: the rest reads as written */
	assert_int_equal(aes67_ring_write(&fx->ring.capture, POS0 + 2024, in + 24 * CH, 24), 24);
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, at_frame(2048), false, &hw), 0);
	assert_int_equal(hw, 48);
	assert_int_equal(aes67_alsa_io_read(&fx->io, out, 24), 24);
	assert_memory_equal(out, in + 24 * CH, sizeof(int32_t) * 24 * CH);
	/* the writer ahead of the media clock: the media clock bounds the pointer */
	assert_int_equal(aes67_ring_write(&fx->ring.capture, POS0 + 2100, in, 24), 24);
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, at_frame(2060), false, &hw), 0);
	assert_int_equal(hw, 60);
}

/* The ring lapped the reader: the data it would read was overwritten: overrun. */
static void test_capture_lapped(void **state)
{
	struct fixture *fx = *state;
	int32_t buf[CH * 16] = {0};

	use_capture(fx);
	assert_int_equal(aes67_alsa_io_start(&fx->io, at_frame(0)), 0);
	assert_int_equal(aes67_ring_write(&fx->ring.capture, POS0 + CAP, buf, 16), 16);
	assert_int_equal(aes67_alsa_io_read(&fx->io, buf, 16), -EPIPE);
}

static void test_daemon_gone(void **state)
{
	struct fixture *fx = *state;
	uint64_t hw, pos;

	use_playback(fx);
	assert_int_equal(aes67_alsa_io_start(&fx->io, MONO0 + 100000000ull), 0);
	/* heartbeat at MONO0; 0.5 s later still alive, just after: gone */
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, MONO0 + AES67_ALSA_ALIVE_NS, true, &hw), 0);
	assert_int_equal(aes67_alsa_io_now(&fx->io, MONO0 + AES67_ALSA_ALIVE_NS + 1, &pos),
			 -ENODEV);
	aes67_ring_heartbeat(&fx->ring, MONO0 + 2 * AES67_ALSA_ALIVE_NS);
	assert_int_equal(aes67_alsa_io_now(&fx->io, MONO0 + 2 * AES67_ALSA_ALIVE_NS, &pos), 0);
	aes67_ring_close(&fx->ring);
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, MONO0 + 2 * AES67_ALSA_ALIVE_NS, true, &hw),
			 -ENODEV);
}

/*
 * The 125 µs latency bench failed applications with -ENODEV while aes67d ran: its heartbeat
 * thread was starved for ~1 s (docs/bench-latency.md, third session). A late heartbeat with the
 * daemon's process known to run is tolerated up to AES67_ALSA_STALL_NS (the plugin sets
 * alive_ns after a pidfd check); a closed region is gone at once whatever alive_ns says.
 */
static void test_daemon_stalled(void **state)
{
	struct fixture *fx = *state;
	const uint64_t stall = MONO0 + 1000000000ull; /* heartbeat 1 s old */
	uint64_t hw = 0, pos;

	use_playback(fx);
	assert_int_equal(aes67_alsa_io_write(&fx->io, fx->staging, BUF), BUF);
	assert_int_equal(aes67_alsa_io_start(&fx->io, MONO0), 0);
	assert_int_equal(aes67_alsa_io_beat_age_ns(&fx->io, stall), 1000000000ull);
	assert_int_equal(aes67_alsa_io_beat_age_ns(&fx->io, MONO0 - 1), 0);
	/* no process watch: 0.5 s is the limit, as before */
	assert_int_equal(aes67_alsa_io_now(&fx->io, stall, &pos), -ENODEV);
	/* the daemon's process runs: the stream goes on (here into an underrun: nothing was
	 * written after the first buffer, an xrun the application recovers from) */
	fx->io.alive_ns = AES67_ALSA_STALL_NS;
	rt_guard_enter(RT_GUARD_CORE);
	assert_int_equal(aes67_alsa_io_now(&fx->io, stall, &pos), 0);
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, stall, false, &hw), -EPIPE);
	assert_int_equal(aes67_alsa_io_pointer(&fx->io, at_frame(BUF / 2), false, &hw), 0);
	assert_int_equal(rt_guard_leave(), 0);
	assert_true(hw > 0 && hw < BUF);
	assert_int_equal(aes67_alsa_io_now(&fx->io, MONO0 + AES67_ALSA_STALL_NS, &pos), 0);
	assert_int_equal(aes67_alsa_io_now(&fx->io, MONO0 + AES67_ALSA_STALL_NS + 1, &pos),
			 -ENODEV);
	aes67_ring_close(&fx->ring);
	assert_int_equal(aes67_alsa_io_now(&fx->io, MONO0 + 1, &pos), -ENODEV);
}

/* client.c's process watch: running, then exited — also before the parent reaps it. */
static void test_watch_daemon_pid(void **state)
{
	struct aes67_alsa_conn conn;
	int fds[2], r = 0, status;
	pid_t child;
	char c;

	(void)state;
	memset(&conn, 0, sizeof(conn));
	assert_int_equal(aes67_alsa_daemon_exited(&conn), -ENOENT);
	assert_int_equal(aes67_alsa_watch_pid(&conn, 0), -EINVAL);
	assert_int_equal(pipe(fds), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 1 ? 0 : 1); /* waits until killed */
	}
	close(fds[0]);
	assert_int_equal(aes67_alsa_watch_pid(&conn, child), 0);
	assert_int_equal(aes67_alsa_daemon_exited(&conn), 0);
	assert_int_equal(kill(child, SIGKILL), 0);
	for (int i = 0; i < 200; i++) { /* the kill takes effect asynchronously: at most 2 s */
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 10000000};

		r = aes67_alsa_daemon_exited(&conn);
		if (r != 0) {
			break;
		}
		nanosleep(&ts, NULL);
	}
	assert_int_equal(r, 1); /* a zombie: not reaped yet */
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(aes67_alsa_daemon_exited(&conn), 1);
	aes67_alsa_disconnect(&conn);
	assert_false(conn.daemon_watched);
	close(fds[1]);
}

static void test_wake_pos(void **state)
{
	struct fixture *fx = *state;
	uint64_t pos;
	int r;

	use_playback(fx);
	assert_int_equal(aes67_alsa_io_wake_pos(&fx->io, 240, 0, &pos), -EINVAL);
	assert_int_equal(aes67_alsa_io_write(&fx->io, fx->staging, BUF), BUF);
	assert_int_equal(aes67_alsa_io_start(&fx->io, at_frame(0)), 0);
	rt_guard_enter(RT_GUARD_CORE);
	r = aes67_alsa_io_wake_pos(&fx->io, 240, 100, &pos);
	assert_int_equal(rt_guard_leave(), 0);
	/* full buffer of 960: avail reaches 240 when hw = 240 (positions count from the base,
	 * the start lead after the start's clock reading) */
	assert_int_equal(r, 1);
	assert_int_equal(pos, POS0 + aes67_alsa_start_lead_frames(RATE) + 240);
	assert_int_equal(aes67_alsa_io_wake_pos(&fx->io, 240, 240, &pos), 0);
	/* draining: wake at the end */
	assert_int_equal(aes67_alsa_io_wake_pos(&fx->io, BUF, 10, &pos), 1);
	assert_int_equal(pos, POS0 + aes67_alsa_start_lead_frames(RATE) + BUF);

	use_capture(fx);
	assert_int_equal(aes67_alsa_io_start(&fx->io, at_frame(0)), 0);
	assert_int_equal(aes67_alsa_io_wake_pos(&fx->io, 480, 100, &pos), 1);
	assert_int_equal(pos, POS0 + 480);
}

static void test_frames_per_packet(void **state)
{
	(void)state;
	assert_int_equal(aes67_alsa_frames_per_packet(48000, 1000), 48);
	assert_int_equal(aes67_alsa_frames_per_packet(48000, 333), 16);
	assert_int_equal(aes67_alsa_frames_per_packet(96000, 125), 12);
	assert_int_equal(aes67_alsa_frames_per_packet(44100, 125), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_convert_in),
		cmocka_unit_test(test_convert_out),
		cmocka_unit_test(test_convert_roundtrip),
		cmocka_unit_test(test_frames_per_packet),
		cmocka_unit_test_setup_teardown(test_playback_positions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_playback_staging_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_playback_late_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_lapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_waits_for_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_stalled, setup, teardown),
		cmocka_unit_test(test_watch_daemon_pid),
		cmocka_unit_test_setup_teardown(test_wake_pos, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
