// SPDX-License-Identifier: MIT
/*
 * The control side of the streaming engine (engine.h): creation of the threads and sockets,
 * stream add/remove through the RT threads' command queues, and a housekeeping thread that
 * logs what the RT threads report. The RT loops are in txloop.c and rxloop.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "aes67/clock_page.h"
#include "aes67/error.h"
#include "engine_impl.h"

#define REMOVE_WAIT_MS 2000

void aes67d_engine_thread_rt(struct engine_thread *t, bool want, int prio)
{
	struct sched_param sp = {.sched_priority = prio};
	int r = want ? pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) : EPERM;

	atomic_store(&t->sched_err, -r);
}

static void *housekeeping_main(void *arg)
{
	struct aes67d_engine *e = arg;
	const struct timespec tick = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};

	while (!atomic_load(&e->stop)) {
		aes67d_events_drain(&e->txt.events, 64);
		aes67d_events_drain(&e->rxt.events, 64);
		nanosleep(&tick, NULL);
	}
	return NULL;
}

static int thread_init(struct engine_thread *t)
{
	int r = aes67d_cmdq_init(&t->cmdq, t->cmd_storage, sizeof(t->cmd_storage),
				 sizeof(struct engine_cmd), ENGINE_CMDQ_CAPACITY);

	if (r < 0) {
		return r;
	}
	atomic_store(&t->sched_err, -EAGAIN);
	return aes67d_events_init(&t->events, t->ev_storage, sizeof(t->ev_storage),
				  ENGINE_EVENTS_CAPACITY);
}

/*
 * Holds a PM QoS CPU latency limit (kernel Documentation/power/pm_qos_interface.rst): the
 * request stands while the descriptor is open and ends when it closes, also when the process
 * dies. With a small limit the idle CPUs poll instead of halting; on a virtual machine a halted
 * vCPU must be rescheduled by the hypervisor before it runs a woken thread, which here made
 * SCHED_FIFO wake-ups more than 1 ms late ~10-40x more often (docs/bench-latency.md, "Seventh
 * session"). Costs power: off unless configured.
 */
static void cpu_latency_hold(struct aes67d_engine *e, uint32_t us, bool quiet)
{
	const int32_t v = (int32_t)us;
	int fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);

	e->qos_us = us;
	if (fd >= 0 && write(fd, &v, sizeof(v)) != (ssize_t)sizeof(v)) {
		e->qos_err = -errno;
		close(fd);
		fd = -1;
	} else if (fd < 0) {
		e->qos_err = -errno;
	}
	e->qos_fd = fd;
	if (fd < 0 && !quiet) {
		aes67d_log(AES67D_LOG_WARNING,
			   "cpu_latency_us %u: /dev/cpu_dma_latency refused (%s); idle CPUs keep "
			   "their own wake-up latency (run as root, or drop engine.cpu_latency_us)",
			   us, strerror(-e->qos_err));
	}
}

int aes67d_engine_create(struct aes67d_engine **out, const struct aes67d_engine_params *p,
			 char *err, size_t err_bytes)
{
	struct aes67d_engine *e;
	int r;

	if (p->clock == NULL) {
		snprintf(err, err_bytes, "no media clock");
		return -EINVAL;
	}
	e = aligned_alloc(AES67_CACHELINE_BYTES, (sizeof(*e) + AES67_CACHELINE_BYTES - 1) /
							 AES67_CACHELINE_BYTES *
							 AES67_CACHELINE_BYTES);
	if (e == NULL) {
		snprintf(err, err_bytes, "out of memory");
		return -ENOMEM;
	}
	memset(e, 0, sizeof(*e));
	e->clock = p->clock;
	e->tx_fd = -1;
	e->qos_fd = -1;
	e->realtime = p->realtime;
	e->tx_priority = p->tx_priority > 0 ? p->tx_priority : 70;
	e->rx_priority = p->rx_priority > 0 ? p->rx_priority : 68;
	atomic_init(&e->stop, false);
	if ((r = aes67d_net_if_get(p->ifname, &e->nif, err, err_bytes)) < 0) {
		goto out_free;
	}
	r = aes67d_net_tx_open(&e->nif, 16, 46, err, err_bytes);
	if (r < 0) {
		goto out_free;
	}
	e->tx_fd = r;
	if ((r = thread_init(&e->txt)) < 0 || (r = thread_init(&e->rxt)) < 0) {
		snprintf(err, err_bytes, "queues: %s", aes67_strerror(r));
		goto out_fd;
	}
	if (p->realtime) {
		e->locked = mlockall(MCL_CURRENT | MCL_FUTURE) == 0;
	}
	if (p->cpu_latency) {
		cpu_latency_hold(e, p->cpu_latency_us, p->quiet);
	}
	if ((r = -pthread_create(&e->txt.thread, NULL, aes67d_engine_tx_main, e)) < 0) {
		snprintf(err, err_bytes, "TX thread: %s", strerror(-r));
		goto out_fd;
	}
	e->txt.started = true;
	/* Named for top -H, perf and ps -L (at most 15 characters). */
	(void)pthread_setname_np(e->txt.thread, "aes67d-tx");
	if ((r = -pthread_create(&e->rxt.thread, NULL, aes67d_engine_rx_main, e)) < 0 ||
	    (r = -pthread_create(&e->housekeeping, NULL, housekeeping_main, e)) < 0) {
		snprintf(err, err_bytes, "engine threads: %s", strerror(-r));
		aes67d_engine_destroy(e);
		return r;
	}
	e->rxt.started = true;
	e->housekeeping_started = true;
	(void)pthread_setname_np(e->rxt.thread, "aes67d-rx");
	(void)pthread_setname_np(e->housekeeping, "aes67d-house");
	/* Wait (briefly) for the RT threads to report their scheduling. */
	for (int i = 0; i < 100 && (atomic_load(&e->txt.sched_err) == -EAGAIN ||
				    atomic_load(&e->rxt.sched_err) == -EAGAIN);
	     i++) {
		usleep(1000);
	}
	if (p->realtime && !p->quiet && !aes67d_engine_realtime(e)) {
		aes67d_log(AES67D_LOG_WARNING,
			   "no real-time scheduling (SCHED_FIFO %s, mlockall %s): audio may "
			   "glitch under load; run as root or grant CAP_SYS_NICE and "
			   "CAP_IPC_LOCK (or raise RLIMIT_RTPRIO/RLIMIT_MEMLOCK)",
			   atomic_load(&e->txt.sched_err) == 0 ? "granted" : "refused",
			   e->locked ? "done" : "refused");
	}
	*out = e;
	return 0;
out_fd:
	close(e->tx_fd);
	if (e->qos_fd >= 0) {
		close(e->qos_fd);
	}
out_free:
	free(e);
	return r;
}

static void free_streams(struct aes67d_engine *e)
{
	for (uint32_t i = 0; i < AES67D_ENGINE_MAX_STREAMS; i++) {
		aes67d_tx_stream_destroy(e->tx[i]);
		if (e->rx[i] != NULL && e->rx[i]->fd >= 0) {
			close(e->rx[i]->fd);
		}
		aes67d_rx_stream_destroy(e->rx[i]);
	}
}

int aes67d_engine_cpu_latency(const struct aes67d_engine *e, uint32_t *us)
{
	if (e->qos_fd >= 0) {
		*us = e->qos_us;
		return 1;
	}
	return e->qos_err;
}

void aes67d_engine_destroy(struct aes67d_engine *e)
{
	if (e == NULL) {
		return;
	}
	atomic_store(&e->stop, true);
	if (e->txt.started) {
		pthread_join(e->txt.thread, NULL);
	}
	if (e->rxt.started) {
		pthread_join(e->rxt.thread, NULL);
	}
	if (e->housekeeping_started) {
		pthread_join(e->housekeeping, NULL);
	}
	aes67d_events_drain(&e->txt.events, 1000);
	aes67d_events_drain(&e->rxt.events, 1000);
	free_streams(e);
	for (uint32_t i = 0; i < e->n_devices; i++) {
		free(e->devices[i].cap_buf);
	}
	if (e->tx_fd >= 0) {
		close(e->tx_fd);
	}
	if (e->locked) {
		munlockall();
	}
	if (e->qos_fd >= 0) {
		close(e->qos_fd);
	}
	free(e);
}

int aes67d_engine_device_add(struct aes67d_engine *e, const char *name,
			     const struct aes67_ring *ring)
{
	struct engine_device *d;

	for (uint32_t i = 0; i < e->n_devices; i++) {
		if (strcmp(e->devices[i].name, name) == 0) {
			return -EEXIST;
		}
	}
	if (e->n_devices >= AES67D_ENGINE_MAX_DEVICES) {
		return -ENOSPC;
	}
	d = &e->devices[e->n_devices];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->ring = ring;
	d->rate_hz = ring->header->sample_rate;
	if (ring->capture.channels > 0) {
		d->cap_buf = calloc((size_t)AES67D_RX_DRAIN_FRAMES * ring->capture.channels,
				    sizeof(int32_t));
		if (d->cap_buf == NULL) {
			return -ENOMEM;
		}
	}
	return (int)e->n_devices++;
}

static int free_slot(void *const *slots, char *err, size_t err_bytes)
{
	for (int i = 0; i < AES67D_ENGINE_MAX_STREAMS; i++) {
		if (slots[i] == NULL) {
			return i;
		}
	}
	snprintf(err, err_bytes, "streams: already %d, the maximum", AES67D_ENGINE_MAX_STREAMS);
	return -ENOSPC;
}

static int push(struct engine_thread *t, uint32_t op, void *stream)
{
	struct engine_cmd c = {.op = op, .stream = stream};

	for (int i = 0; i < 1000; i++) {
		if (aes67d_cmdq_push(&t->cmdq, &c, sizeof(c)) == 0) {
			return 0;
		}
		usleep(1000);
	}
	return -ETIMEDOUT;
}

int aes67d_engine_tx_add(struct aes67d_engine *e, const struct aes67d_tx_params *p, int device,
			 struct aes67d_tx_stream **out, char *err, size_t err_bytes)
{
	struct aes67d_tx_stream *s;
	int slot, r;

	if (aes67d_engine_tx_find(e, p->name) != NULL) {
		snprintf(err, err_bytes, "name: a transmit stream \"%s\" exists already", p->name);
		return -EEXIST;
	}
	if (device < 0 || (uint32_t)device >= e->n_devices) {
		snprintf(err, err_bytes, "device: no device %d in the engine", device);
		return -ENODEV;
	}
	if (e->devices[device].rate_hz != p->rate_hz) {
		snprintf(err, err_bytes, "rate: %u Hz differs from device \"%s\" (%u Hz)",
			 p->rate_hz, e->devices[device].name, e->devices[device].rate_hz);
		return -AES67_ERANGE;
	}
	if ((slot = free_slot((void *const *)e->tx, err, err_bytes)) < 0) {
		return slot;
	}
	r = aes67d_tx_stream_create(&s, p, &e->devices[device].ring->play, err, err_bytes);
	if (r < 0) {
		return r;
	}
	s->index = (uint32_t)slot;
	if ((r = push(&e->txt, ENGINE_CMD_ADD, s)) < 0) {
		snprintf(err, err_bytes, "the TX thread does not take commands");
		aes67d_tx_stream_destroy(s);
		return r;
	}
	e->tx[slot] = s;
	if (out != NULL) {
		*out = s;
	}
	return 0;
}

/*
 * The descriptor of a multicast stream on the same port whose socket a new stream can join
 * (net.h: one socket per port, so one recvmmsg reads all of them), or -1: the new stream is
 * unicast, or every such socket already carries its group.
 */
static int rx_share_fd(const struct aes67d_engine *e, const struct aes67d_rx_params *p)
{
	const in_addr_t g = p->group.sin_addr.s_addr;

	if (!IN_MULTICAST(ntohl(g))) {
		return -1;
	}
	for (int i = 0; i < AES67D_ENGINE_MAX_STREAMS; i++) {
		const struct aes67d_rx_stream *o = e->rx[i];
		bool taken = false;

		if (o == NULL || o->fd < 0 || o->sock_id == 0 ||
		    o->p.group.sin_port != p->group.sin_port ||
		    !IN_MULTICAST(ntohl(o->p.group.sin_addr.s_addr))) {
			continue;
		}
		for (int j = 0; j < AES67D_ENGINE_MAX_STREAMS && !taken; j++) {
			taken = e->rx[j] != NULL && e->rx[j]->sock_id == o->sock_id &&
				e->rx[j]->p.group.sin_addr.s_addr == g;
		}
		if (!taken) {
			return o->fd;
		}
	}
	return -1;
}

int aes67d_engine_rx_add(struct aes67d_engine *e, const struct aes67d_rx_params *p, int device,
			 struct aes67d_rx_stream **out, char *err, size_t err_bytes)
{
	struct aes67d_rx_stream *s;
	uint64_t now_pos;
	int slot, r;

	if (aes67d_engine_rx_find(e, p->name) != NULL) {
		snprintf(err, err_bytes, "name: a receive stream \"%s\" exists already", p->name);
		return -EEXIST;
	}
	if (device < 0 || (uint32_t)device >= e->n_devices) {
		snprintf(err, err_bytes, "device: no device %d in the engine", device);
		return -ENODEV;
	}
	if (e->devices[device].rate_hz != p->rate_hz) {
		snprintf(err, err_bytes,
			 "rate: the stream's %u Hz differs from device \"%s\" (%u Hz); resampling "
			 "is not implemented",
			 p->rate_hz, e->devices[device].name, e->devices[device].rate_hz);
		return -AES67_ERANGE;
	}
	if (p->device_channel_offset + p->channels > e->devices[device].ring->capture.channels) {
		snprintf(err, err_bytes,
			 "device: channels %u..%u do not exist on the capture side of \"%s\" (%u "
			 "channels)",
			 p->device_channel_offset, p->device_channel_offset + p->channels - 1,
			 e->devices[device].name, e->devices[device].ring->capture.channels);
		return -AES67_ERANGE;
	}
	if ((slot = free_slot((void *const *)e->rx, err, err_bytes)) < 0) {
		return slot;
	}
	if ((r = aes67d_engine_now_pos(e, p->rate_hz, &now_pos)) < 0) {
		snprintf(err, err_bytes, "media clock: %s", aes67_strerror(r));
		return r;
	}
	if ((r = aes67d_rx_stream_create(&s, p, now_pos, err, err_bytes)) < 0) {
		return r;
	}
	s->index = (uint32_t)slot;
	s->device = (uint32_t)device;
	s->fd = aes67d_net_rx_open(&e->nif, &p->group, p->source, rx_share_fd(e, p), err,
				   err_bytes);
	if (s->fd < 0) {
		r = s->fd;
		aes67d_rx_stream_destroy(s);
		return r;
	}
	s->sock_id = aes67d_net_sock_id(s->fd);
	if ((r = push(&e->rxt, ENGINE_CMD_ADD, s)) < 0) {
		snprintf(err, err_bytes, "the RX thread does not take commands");
		aes67d_net_rx_close(&e->nif, s->fd, &p->group, p->source);
		aes67d_rx_stream_destroy(s);
		return r;
	}
	e->rx[slot] = s;
	if (out != NULL) {
		*out = s;
	}
	return 0;
}

static int wait_detached(_Atomic int *state)
{
	for (int i = 0; i < REMOVE_WAIT_MS; i++) {
		if (atomic_load_explicit(state, memory_order_acquire) == AES67D_STREAM_DETACHED) {
			return 0;
		}
		usleep(1000);
	}
	return -ETIMEDOUT;
}

int aes67d_engine_remove(struct aes67d_engine *e, bool tx, const char *name)
{
	for (int i = 0; i < AES67D_ENGINE_MAX_STREAMS; i++) {
		int r;

		if (tx && e->tx[i] != NULL && strcmp(e->tx[i]->p.name, name) == 0) {
			if ((r = push(&e->txt, ENGINE_CMD_REMOVE, e->tx[i])) < 0 ||
			    (r = wait_detached(&e->tx[i]->state)) < 0) {
				e->tx[i] =
					NULL; /* leaked on purpose: the thread may still use it */
				return r;
			}
			aes67d_tx_stream_destroy(e->tx[i]);
			e->tx[i] = NULL;
			return 0;
		}
		if (!tx && e->rx[i] != NULL && strcmp(e->rx[i]->p.name, name) == 0) {
			if ((r = push(&e->rxt, ENGINE_CMD_REMOVE, e->rx[i])) < 0 ||
			    (r = wait_detached(&e->rx[i]->state)) < 0) {
				e->rx[i] = NULL;
				return r;
			}
			aes67d_net_rx_close(&e->nif, e->rx[i]->fd, &e->rx[i]->p.group,
					    e->rx[i]->p.source);
			aes67d_rx_stream_destroy(e->rx[i]);
			e->rx[i] = NULL;
			return 0;
		}
	}
	return -AES67_ENOTFOUND;
}

struct aes67d_tx_stream *aes67d_engine_tx_find(struct aes67d_engine *e, const char *name)
{
	for (int i = 0; i < AES67D_ENGINE_MAX_STREAMS; i++) {
		if (e->tx[i] != NULL && strcmp(e->tx[i]->p.name, name) == 0) {
			return e->tx[i];
		}
	}
	return NULL;
}

struct aes67d_rx_stream *aes67d_engine_rx_find(struct aes67d_engine *e, const char *name)
{
	for (int i = 0; i < AES67D_ENGINE_MAX_STREAMS; i++) {
		if (e->rx[i] != NULL && strcmp(e->rx[i]->p.name, name) == 0) {
			return e->rx[i];
		}
	}
	return NULL;
}

int aes67d_engine_now_pos(struct aes67d_engine *e, uint32_t rate_hz, uint64_t *pos)
{
	uint64_t ptp_ns;
	int r = e->clock->now_ns(e->clock, &ptp_ns);

	if (r < 0) {
		return r;
	}
	return aes67_clock_page_ptp_to_frame(ptp_ns, rate_hz, pos);
}

const struct aes67d_net_if *aes67d_engine_interface(const struct aes67d_engine *e)
{
	return &e->nif;
}

static int thread_cpu(pthread_t t, uint64_t *ns)
{
	struct timespec ts;
	clockid_t cid;
	int r = pthread_getcpuclockid(t, &cid);

	if (r != 0) {
		return -r;
	}
	if (clock_gettime(cid, &ts) != 0) {
		return -errno;
	}
	*ns = engine_timespec_ns(&ts);
	return 0;
}

int aes67d_engine_thread_cpu_ns(struct aes67d_engine *e, uint64_t *tx_ns, uint64_t *rx_ns)
{
	int r = thread_cpu(e->txt.thread, tx_ns);

	return r < 0 ? r : thread_cpu(e->rxt.thread, rx_ns);
}

bool aes67d_engine_realtime(const struct aes67d_engine *e)
{
	return e->locked && atomic_load(&e->txt.sched_err) == 0 &&
	       atomic_load(&e->rxt.sched_err) == 0;
}
