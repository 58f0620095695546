// SPDX-License-Identifier: MIT
/*
 * pcm.aes67: the alsa-lib ioplug glue of the AES67 virtual soundcard. The stream logic lives in
 * io.c (unit-tested, RT-clean), the handshake in client.c; this file only translates between
 * alsa-lib's callbacks and them, and owns the timerfd that wakes the application.
 *
 * Timing is the pull model (DESIGN.md): the hardware pointer is the media clock read from the
 * device's clock page, so nothing in aes67d wakes the application. poll() waits on a timerfd
 * armed, at every poll_revents, for the media position at which avail reaches avail_min (or the
 * end, while draining). The clock page maps CLOCK_MONOTONIC_RAW, which timerfd does not
 * support, so the instant is converted to CLOCK_MONOTONIC with the offset between the two read
 * back to back; NTP slewing moves that offset by at most 500 ppm, i.e. 50 µs over a 100 ms
 * period, and the timer is re-armed every period, so the error never accumulates.
 *
 * Liveness: a heartbeat older than AES67_ALSA_ALIVE_NS fails the stream only if the daemon's
 * process has exited (its pidfd, client.h) or the beat is older than AES67_ALSA_STALL_NS; a
 * starved daemon (its heartbeat thread runs below the audio threads) costs xruns, not the
 * stream (docs/bench-latency.md, third session).
 *
 * Configuration (conf.d/50-aes67.conf):  pcm.NAME { type aes67  device "aes67"  socket "/path" }
 * both optional: device "" = the daemon's first device; socket default: client.h.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>

#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>

#include "aes67/error.h"
#include "client.h"
#include "io.h"

struct plug {
	snd_pcm_ioplug_t io;
	struct aes67_alsa_conn conn;
	struct aes67_alsa_io st;
	char device[64];
	int timerfd;
	uint64_t owner_token; /* nonzero while this handle owns playback */
	snd_pcm_uframes_t avail_min;
	snd_pcm_uframes_t boundary;
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Before each use of the clock page at @now_raw_ns: how long may the heartbeat be silent? While
 * it is fresh nothing else is looked at; once it is late, one poll of the daemon's pidfd tells a
 * stalled daemon (tolerated up to AES67_ALSA_STALL_NS) from an exited one (gone now).
 */
static void check_daemon(struct plug *p, uint64_t now_raw_ns)
{
	p->st.alive_ns = AES67_ALSA_ALIVE_NS;
	if (aes67_alsa_io_beat_age_ns(&p->st, now_raw_ns) > AES67_ALSA_ALIVE_NS &&
	    aes67_alsa_daemon_exited(&p->conn) == 0) {
		p->st.alive_ns = AES67_ALSA_STALL_NS;
	}
}

/* Re-check delay when the clock passed the wake position before the data got there, ns: a
 * quarter of the RX thread's longest wait between two drains (1 ms, rxloop.c). */
#define AES67_ALSA_RETRY_NS 250000u

/* Arms the timer for a CLOCK_MONOTONIC_RAW instant (0 = now); disarm with disarm(). */
static void arm_raw(struct plug *p, uint64_t raw_ns)
{
	struct itimerspec its = {0};
	uint64_t raw_now = clock_ns(CLOCK_MONOTONIC_RAW);
	uint64_t mono_now = clock_ns(CLOCK_MONOTONIC);
	uint64_t t = raw_ns <= raw_now ? mono_now : mono_now + (raw_ns - raw_now);

	its.it_value.tv_sec = (time_t)(t / 1000000000u);
	its.it_value.tv_nsec = (long)(t % 1000000000u);
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) {
		its.it_value.tv_nsec = 1;
	}
	timerfd_settime(p->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void disarm(struct plug *p)
{
	const struct itimerspec its = {0};

	timerfd_settime(p->timerfd, 0, &its, NULL);
}

/* Arms for the next moment the application can make progress; returns 1 if it can now. */
static int arm_next(struct plug *p, uint64_t hw)
{
	uint64_t pos, raw, now;
	snd_pcm_uframes_t need =
		p->io.state == SND_PCM_STATE_DRAINING ? p->io.buffer_size : p->avail_min;
	struct aes67_clock_values v;
	int r;

	if (!p->st.running) {
		if (p->st.playback && aes67_alsa_io_avail(&p->st, 0) >= need) {
			arm_raw(p, 0);
			return 1;
		}
		disarm(p);
		return 0;
	}
	r = aes67_alsa_io_wake_pos(&p->st, need, hw, &pos);
	if (r == 0) {
		arm_raw(p, 0);
		return 1;
	}
	if (r < 0 || aes67_clock_page_read(p->conn.ring.clock, &v) < 0 ||
	    aes67_clock_page_frame_to_mono(&v, pos, &raw) < 0) {
		/* No usable mapping: check again in a millisecond rather than never. */
		arm_raw(p, clock_ns(CLOCK_MONOTONIC_RAW) + 1000000u);
		return 0;
	}
	/* The media clock is already there but the frames are not (capture: the daemon's RX
	 * thread has not drained them yet, io.c): look again shortly instead of spinning. */
	now = clock_ns(CLOCK_MONOTONIC_RAW);
	arm_raw(p, raw > now ? raw : now + AES67_ALSA_RETRY_NS);
	return 0;
}

static int cb_start(snd_pcm_ioplug_t *io)
{
	struct plug *p = io->private_data;
	uint64_t now = clock_ns(CLOCK_MONOTONIC_RAW);
	int r;

	check_daemon(p, now);
	r = aes67_alsa_io_start(&p->st, now);
	if (r == 0) {
		r = aes67_alsa_io_start_check(&p->st, clock_ns(CLOCK_MONOTONIC_RAW));
		if (r == -EPIPE) {
			SNDERR("aes67: start took longer than %u us: underrun at start",
			       AES67_ALSA_START_LEAD_US);
			p->st.running = false;
			return -EPIPE;
		}
	}
	if (r < 0) {
		SNDERR("aes67: cannot start: %s", aes67_strerror(r));
		return r == -ENODEV ? -ENODEV : -EIO;
	}
	arm_next(p, 0);
	return 0;
}

static int cb_stop(snd_pcm_ioplug_t *io)
{
	struct plug *p = io->private_data;

	p->st.running = false;
	disarm(p);
	return 0;
}

static snd_pcm_sframes_t cb_pointer(snd_pcm_ioplug_t *io)
{
	struct plug *p = io->private_data;
	uint64_t hw, now = clock_ns(CLOCK_MONOTONIC_RAW);
	int r;

	check_daemon(p, now);
	r = aes67_alsa_io_pointer(&p->st, now, io->state == SND_PCM_STATE_DRAINING, &hw);
	if (r < 0) {
		return r;
	}
	return (snd_pcm_sframes_t)(p->boundary != 0 ? hw % p->boundary : hw);
}

static snd_pcm_sframes_t cb_transfer(snd_pcm_ioplug_t *io, const snd_pcm_channel_area_t *areas,
				     snd_pcm_uframes_t offset, snd_pcm_uframes_t size)
{
	struct plug *p = io->private_data;
	/* Interleaved access only (hw constraint): channel 0's area addresses every frame. */
	uint8_t *buf = (uint8_t *)areas[0].addr + (areas[0].first + areas[0].step * offset) / 8;

	if (size > UINT32_MAX) {
		return -EINVAL;
	}
	if (p->st.playback) {
		return aes67_alsa_io_write(&p->st, buf, (uint32_t)size);
	}
	return aes67_alsa_io_read(&p->st, buf, (uint32_t)size);
}

static int cb_poll_revents(snd_pcm_ioplug_t *io, struct pollfd *pfd, unsigned int nfds,
			   unsigned short *revents)
{
	struct plug *p = io->private_data;
	unsigned short ready = p->st.playback ? POLLOUT : POLLIN;
	uint64_t expirations, hw = 0, now;

	if (read(p->timerfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN) {
		*revents = POLLERR;
		return 0;
	}
	now = clock_ns(CLOCK_MONOTONIC_RAW);
	check_daemon(p, now);
	if (aes67_alsa_io_pointer(&p->st, now, io->state == SND_PCM_STATE_DRAINING, &hw) < 0) {
		/* xrun or daemon gone: report ready so the application calls in and gets -EPIPE
		 * from the pointer (then -ENODEV from prepare if the daemon is gone). POLLERR
		 * would make snd_pcm_wait() fail with -EIO and defeat xrun recovery. */
		arm_raw(p, 0);
		*revents = ready;
		return 0;
	}
	*revents = arm_next(p, hw) ? ready : 0;
	return 0;
}

static int cb_hw_params(snd_pcm_ioplug_t *io, snd_pcm_hw_params_t *params)
{
	struct plug *p = io->private_data;
	size_t ch = io->channels;

	switch (io->format) {
	case SND_PCM_FORMAT_S16_LE:
		p->st.format = AES67_ALSA_S16_LE;
		break;
	case SND_PCM_FORMAT_S24_3LE:
		p->st.format = AES67_ALSA_S24_3LE;
		break;
	case SND_PCM_FORMAT_S32_LE:
		p->st.format = AES67_ALSA_S32_LE;
		break;
	case SND_PCM_FORMAT_FLOAT_LE:
		p->st.format = AES67_ALSA_FLOAT_LE;
		break;
	default:
		return -EINVAL;
	}
	free(p->st.scratch);
	free(p->st.staging);
	p->st.staging = NULL;
	p->st.scratch = calloc(AES67_ALSA_CHUNK_FRAMES * ch, sizeof(int32_t));
	if (p->st.playback) {
		p->st.staging = calloc(io->buffer_size * ch, sizeof(int32_t));
	}
	if (p->st.scratch == NULL || (p->st.playback && p->st.staging == NULL)) {
		return -ENOMEM;
	}
	p->st.channels = (uint32_t)ch;
	p->st.buffer_frames = (uint32_t)io->buffer_size;
	p->avail_min = io->period_size;
	return 0;
}

static int cb_sw_params(snd_pcm_ioplug_t *io, snd_pcm_sw_params_t *params)
{
	struct plug *p = io->private_data;

	snd_pcm_sw_params_get_avail_min(params, &p->avail_min);
	snd_pcm_sw_params_get_boundary(params, &p->boundary);
	if (p->avail_min == 0) {
		p->avail_min = 1;
	}
	return 0;
}

static int cb_prepare(snd_pcm_ioplug_t *io)
{
	struct plug *p = io->private_data;
	snd_pcm_sw_params_t *sw;
	uint64_t pos, now = clock_ns(CLOCK_MONOTONIC_RAW);
	int r;

	check_daemon(p, now);
	r = aes67_alsa_io_now(&p->st, now, &pos);
	if (r < 0) {
		SNDERR("aes67: device \"%s\": %s", p->device,
		       r == -ENODEV ? "aes67d has stopped or restarted; reopen the device"
				    : aes67_strerror(r));
		return r == -ENODEV ? -ENODEV : -EIO;
	}
	if (p->boundary == 0) {
		snd_pcm_sw_params_alloca(&sw);
		if (snd_pcm_sw_params_current(io->pcm, sw) == 0) {
			snd_pcm_sw_params_get_boundary(sw, &p->boundary);
		}
	}
	aes67_alsa_io_prepare(&p->st);
	arm_next(p, 0);
	return 0;
}

static int cb_close(snd_pcm_ioplug_t *io)
{
	struct plug *p = io->private_data;

	if (p->owner_token != 0 && aes67_ring_owner_release(&p->conn.ring, p->owner_token) < 0) {
		SNDERR("aes67: playback ownership was taken away");
	}
	if (p->timerfd >= 0) {
		close(p->timerfd);
	}
	aes67_alsa_disconnect(&p->conn);
	free(p->st.scratch);
	free(p->st.staging);
	free(p);
	return 0;
}

static const snd_pcm_ioplug_callback_t callbacks = {
	.start = cb_start,
	.stop = cb_stop,
	.pointer = cb_pointer,
	.transfer = cb_transfer,
	.close = cb_close,
	.hw_params = cb_hw_params,
	.sw_params = cb_sw_params,
	.prepare = cb_prepare,
	.poll_revents = cb_poll_revents,
};

/* Playback is exclusive; a dead owner is freed by aes67d within one tick (50 ms), so wait up to
 * 300 ms for that before giving up. */
static int acquire_playback(struct plug *p)
{
	uint64_t token = (uint64_t)getpid();

	for (int i = 0; i < 30; i++) {
		uint64_t owner;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};

		if (aes67_ring_owner_acquire(&p->conn.ring, token) == 0) {
			p->owner_token = token;
			return 0;
		}
		owner = atomic_load(&p->conn.ring.header->play_owner);
		if (owner != 0 && owner <= (uint64_t)INT32_MAX &&
		    (kill((pid_t)owner, 0) == 0 || errno != ESRCH)) {
			SNDERR("aes67: playback of device \"%s\" is in use by process %llu",
			       p->device, (unsigned long long)owner);
			return -EBUSY;
		}
		nanosleep(&ts, NULL);
	}
	SNDERR("aes67: playback of device \"%s\" is held by a dead process and aes67d did not "
	       "free it",
	       p->device);
	return -EBUSY;
}

static int set_constraints(struct plug *p)
{
	static const unsigned int access[] = {SND_PCM_ACCESS_RW_INTERLEAVED,
					      SND_PCM_ACCESS_MMAP_INTERLEAVED};
	static const unsigned int formats[] = {SND_PCM_FORMAT_S16_LE, SND_PCM_FORMAT_S24_3LE,
					       SND_PCM_FORMAT_S32_LE, SND_PCM_FORMAT_FLOAT_LE};
	snd_pcm_ioplug_t *io = &p->io;
	uint32_t ch = p->st.dir->channels;
	uint32_t rate = p->conn.ring.header->sample_rate;
	uint32_t cap = p->conn.ring.header->capacity_frames;
	uint32_t fpp = aes67_alsa_frames_per_packet(rate, p->conn.ptime_us);
	/* Period bytes that are whole packets in every format: fpp * ch * lcm(2, 3, 4). */
	uint64_t unit = (uint64_t)(fpp != 0 ? fpp : 1) * ch * 12;
	uint64_t max_bytes = (uint64_t)cap * ch; /* buffer <= capacity / 4 frames at 4 bytes */
	unsigned int list[512];
	unsigned int n = 0;
	int r;

	for (uint64_t b = unit; b <= max_bytes / 2 && n < AES67_ARRAY_SIZE(list); b += unit) {
		list[n++] = (unsigned int)b;
	}
	if (n == 0 || max_bytes > UINT32_MAX) {
		SNDERR("aes67: device geometry leaves no valid period size");
		return -EINVAL;
	}
	if ((r = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_ACCESS, 2, access)) < 0 ||
	    (r = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_FORMAT, 4, formats)) < 0 ||
	    (r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_CHANNELS, ch, ch)) < 0 ||
	    (r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_RATE, rate, rate)) < 0 ||
	    (r = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_PERIOD_BYTES, n, list)) < 0 ||
	    (r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_BUFFER_BYTES,
						 (unsigned int)(2 * unit),
						 (unsigned int)max_bytes)) < 0 ||
	    (r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_PERIODS, 2, 1024)) < 0) {
		return r;
	}
	return 0;
}

static int plug_open(snd_pcm_t **pcmp, const char *name, const char *device, const char *socket,
		     snd_pcm_stream_t stream, int mode)
{
	char path[108], err[256];
	struct plug *p = calloc(1, sizeof(*p));
	int r;

	if (p == NULL) {
		return -ENOMEM;
	}
	p->timerfd = -1;
	snprintf(p->device, sizeof(p->device), "%s", device[0] != '\0' ? device : "(first)");
	if (socket == NULL && aes67_alsa_default_socket(path, sizeof(path)) == 0) {
		socket = path;
	}
	if (socket == NULL) {
		r = -ENAMETOOLONG;
		goto fail;
	}
	r = aes67_alsa_connect(&p->conn, socket, device, err, sizeof(err));
	if (r < 0) {
		SNDERR("aes67: %s", err);
		r = r == -AES67_ENOTFOUND ? -ENOENT : (r <= -AES67_E_BASE ? -EPROTO : r);
		goto fail;
	}
	p->st.ring = &p->conn.ring;
	p->st.generation = p->conn.generation;
	p->st.playback = stream == SND_PCM_STREAM_PLAYBACK;
	p->st.dir = p->st.playback ? &p->conn.ring.play : &p->conn.ring.capture;
	if (p->st.dir->channels == 0) {
		SNDERR("aes67: device \"%s\" has no %s channels", device,
		       p->st.playback ? "playback" : "capture");
		r = -ENODEV;
		goto fail;
	}
	if (p->st.playback && (r = acquire_playback(p)) < 0) {
		goto fail;
	}
	p->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (p->timerfd < 0) {
		r = -errno;
		goto fail;
	}
	p->io.version = SND_PCM_IOPLUG_VERSION;
	p->io.name = "AES67 virtual soundcard";
	p->io.callback = &callbacks;
	p->io.private_data = p;
	p->io.poll_fd = p->timerfd;
	p->io.poll_events = POLLIN;
	p->io.mmap_rw = 0;
	/* Not SND_PCM_IOPLUG_FLAG_MONOTONIC: ioplug stamps the trigger and the status with the
	 * type the application chose in its sw_params (gettimeofday unless it asks), so claiming
	 * monotonic timestamps made aplay/arecord subtract a wall-clock trigger from a monotonic
	 * "now" and print xruns ~1.8e12 ms long (alsa-utils issue #298, the same with PipeWire's
	 * plugin). Unflagged, both sides read the wall clock; an application that wants monotonic
	 * stamps sets the type and gets them. */
	p->io.flags = SND_PCM_IOPLUG_FLAG_BOUNDARY_WA;
	if ((r = snd_pcm_ioplug_create(&p->io, name, stream, mode)) < 0) {
		goto fail;
	}
	if ((r = set_constraints(p)) < 0) {
		snd_pcm_ioplug_delete(&p->io); /* calls cb_close, which frees p */
		return r;
	}
	*pcmp = p->io.pcm;
	return 0;
fail:
	if (p->owner_token != 0 && aes67_ring_owner_release(&p->conn.ring, p->owner_token) < 0) {
		SNDERR("aes67: playback ownership was taken away");
	}
	if (p->timerfd >= 0) {
		close(p->timerfd);
	}
	aes67_alsa_disconnect(&p->conn);
	free(p);
	return r;
}

/* The entry point and its version symbol are all the plugin exports (the project builds with
 * -fvisibility=hidden); alsa-lib finds them with dlsym. */
#pragma GCC visibility push(default)
int SND_PCM_PLUGIN_ENTRY(aes67)(snd_pcm_t **pcmp, const char *name, snd_config_t *root,
				snd_config_t *conf, snd_pcm_stream_t stream, int mode);

SND_PCM_PLUGIN_DEFINE_FUNC(aes67)
{
	snd_config_iterator_t i, next;
	const char *device = "", *socket = NULL;

	snd_config_for_each(i, next, conf)
	{
		snd_config_t *n = snd_config_iterator_entry(i);
		const char *id;

		if (snd_config_get_id(n, &id) < 0) {
			continue;
		}
		if (strcmp(id, "comment") == 0 || strcmp(id, "type") == 0 ||
		    strcmp(id, "hint") == 0) {
			continue;
		}
		if (strcmp(id, "device") == 0) {
			if (snd_config_get_string(n, &device) < 0) {
				SNDERR("aes67: device must be a string");
				return -EINVAL;
			}
			continue;
		}
		if (strcmp(id, "socket") == 0) {
			if (snd_config_get_string(n, &socket) < 0) {
				SNDERR("aes67: socket must be a string");
				return -EINVAL;
			}
			if (socket[0] == '\0') {
				socket = NULL;
			}
			continue;
		}
		SNDERR("aes67: unknown field %s", id);
		return -EINVAL;
	}
	return plug_open(pcmp, name, device, socket, stream, mode);
}

/* alsa-lib's macro ends in ";;" (an empty declaration); nothing to fix on our side. */
#ifdef __clang__
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wextra-semi"
#endif
SND_PCM_PLUGIN_SYMBOL(aes67)
#ifdef __clang__
#pragma clang diagnostic pop
#endif
#pragma GCC visibility pop
