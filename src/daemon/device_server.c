// SPDX-License-Identifier: MIT
/*
 * The device socket of aes67d: a Unix SOCK_SEQPACKET listener that hands device regions to the
 * pcm.aes67 plugin (protocol in device_proto.h), and the thread that serves it and runs the
 * periodic device tick (heartbeat, clock page, owner reclaim) every AES67D_DEVICE_TICK_MS.
 *
 * One non-RT thread, poll() over the listener, at most AES67D_DEVICE_MAX_CLIENTS pending clients
 * and an eventfd used to stop it. A client is checked with SO_PEERCRED at accept (own uid or
 * root), must send its one request within a second, gets one reply (with the memfd on success)
 * and is closed: the region needs no further conversation, liveness travels through the
 * heartbeat in the region itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "aes67/error.h"
#include "device_impl.h"
#include "device_proto.h"
#include "log.h"

#define CLIENT_TIMEOUT_NS 1000000000ull

/* Is something listening at @path? Used to refuse to replace a live daemon's socket. */
static bool socket_alive(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0) {
		return false;
	}
	alive = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return alive;
}

int aes67d_dev_server_bind(struct aes67d_devices *set, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int fd, r;

	if (path == NULL || strlen(path) >= sizeof(sa.sun_path)) {
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (socket_alive(&sa)) {
		return -EADDRINUSE;
	}
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		return -errno;
	}
	/* 0666 on the socket: the credential check, not the file mode, decides who gets in,
	 * so a root daemon can serve applications of any uid it chooses to accept (root and
	 * its own). */
	old = umask(0);
	r = bind(fd, (const struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r != 0 || listen(fd, AES67D_DEVICE_MAX_CLIENTS) != 0) {
		r = -errno;
		close(fd);
		return r;
	}
	set->listen_fd = fd;
	memcpy(set->path, path, strlen(path) + 1);
	set->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (set->stop_fd < 0) {
		r = -errno;
		aes67d_dev_server_close(set);
		return r;
	}
	return 0;
}

void aes67d_dev_server_close(struct aes67d_devices *set)
{
	for (size_t i = 0; i < AES67_ARRAY_SIZE(set->clients); i++) {
		if (set->clients[i].fd >= 0) {
			close(set->clients[i].fd);
			set->clients[i].fd = -1;
		}
	}
	if (set->listen_fd >= 0) {
		close(set->listen_fd);
		set->listen_fd = -1;
		unlink(set->path);
	}
	if (set->stop_fd >= 0) {
		close(set->stop_fd);
		set->stop_fd = -1;
	}
}

static void send_reply(int fd, struct aes67d_dev_reply *rep, int memfd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = rep, .iov_len = sizeof(*rep)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;

	rep->magic = AES67D_DEV_MAGIC;
	rep->protocol = AES67D_DEV_PROTOCOL;
	rep->ring_abi = AES67_RING_ABI_VERSION;
	if (memfd >= 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &memfd, sizeof(int));
	}
	if (sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		aes67d_log(AES67D_LOG_DEBUG, "device socket: reply not sent: %s", strerror(errno));
	}
}

static void refuse(int fd, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void refuse(int fd, int status, const char *fmt, ...)
{
	struct aes67d_dev_reply rep;
	va_list ap;

	memset(&rep, 0, sizeof(rep));
	rep.status = status;
	va_start(ap, fmt);
	vsnprintf(rep.reason, sizeof(rep.reason), fmt, ap);
	va_end(ap);
	send_reply(fd, &rep, -1);
}

/* Answers one request; the caller closes the client afterwards. */
static void serve(struct aes67d_devices *set, int fd)
{
	struct aes67d_dev_request req;
	struct aes67d_dev_reply rep;
	struct aes67d_device *dev;
	ssize_t n = recv(fd, &req, sizeof(req), MSG_DONTWAIT | MSG_TRUNC);

	if (n < 0) {
		return;
	}
	if ((size_t)n != sizeof(req) || req.magic != AES67D_DEV_MAGIC) {
		atomic_fetch_add(&set->refused, 1);
		refuse(fd, -AES67_EMALFORMED, "request of %zd bytes is not a pcm.aes67 handshake",
		       n);
		return;
	}
	if (req.protocol != AES67D_DEV_PROTOCOL || req.ring_abi != AES67_RING_ABI_VERSION) {
		atomic_fetch_add(&set->refused, 1);
		refuse(fd, -AES67_EABI,
		       "version mismatch: plugin has protocol %u, ring ABI %u; aes67d has "
		       "protocol %u, ring ABI %u",
		       req.protocol, req.ring_abi, AES67D_DEV_PROTOCOL, AES67_RING_ABI_VERSION);
		return;
	}
	if (req.op != AES67D_DEV_OP_OPEN || memchr(req.name, '\0', sizeof(req.name)) == NULL) {
		atomic_fetch_add(&set->refused, 1);
		refuse(fd, -AES67_EMALFORMED, "bad operation %u or unterminated name", req.op);
		return;
	}
	dev = aes67d_devices_lookup(set, req.name);
	if (dev == NULL) {
		refuse(fd, -AES67_ENOTFOUND, "aes67d has no device named \"%s\"", req.name);
		return;
	}
	memset(&rep, 0, sizeof(rep));
	rep.region_bytes = dev->region_bytes;
	rep.ptime_us = dev->cfg.ptime_us;
	send_reply(fd, &rep, dev->memfd);
	atomic_fetch_add(&dev->opens, 1);
}

static void accept_one(struct aes67d_devices *set, uint64_t now_ns)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	size_t slot;
	int fd = accept4(set->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0) {
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 ||
	    (cr.uid != 0 && cr.uid != geteuid())) {
		atomic_fetch_add(&set->refused, 1);
		refuse(fd, -EACCES, "aes67d serves only root and uid %u; you are uid %u",
		       (unsigned)geteuid(), (unsigned)cr.uid);
		close(fd);
		return;
	}
	for (slot = 0; slot < AES67_ARRAY_SIZE(set->clients); slot++) {
		if (set->clients[slot].fd < 0) {
			set->clients[slot].fd = fd;
			set->clients[slot].deadline_ns = now_ns + CLIENT_TIMEOUT_NS;
			return;
		}
	}
	atomic_fetch_add(&set->refused, 1);
	refuse(fd, -EBUSY, "too many pending clients (%u)", AES67D_DEVICE_MAX_CLIENTS);
	close(fd);
}

/*
 * The device thread beats the heartbeat that tells the plugins the daemon is alive (they give up
 * after AES67_ALSA_ALIVE_NS without one) and publishes the clock page. Starved under CPU load it
 * made applications fail while the audio threads ran fine (docs/bench-latency.md, finding 2), so it
 * runs SCHED_FIFO when permitted, below the engine's TX/RX threads (70/68): its work is a few
 * microseconds every AES67D_DEVICE_TICK_MS. Without permission it stays SCHED_OTHER.
 */
#define DEVICE_THREAD_FIFO_PRIORITY 20

static void *thread_main(void *arg)
{
	struct aes67d_devices *set = arg;
	struct pollfd pfd[2 + AES67D_DEVICE_MAX_CLIENTS];
	uint64_t next_tick = aes67d_dev_mono_raw_ns();
	struct sched_param sp = {.sched_priority = DEVICE_THREAD_FIFO_PRIORITY};

	(void)pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);

	for (;;) {
		uint64_t now = aes67d_dev_mono_raw_ns();
		size_t map[AES67D_DEVICE_MAX_CLIENTS];
		nfds_t n = 2;
		int timeout_ms;

		if (now >= next_tick) {
			aes67d_device_tick(set, now);
			next_tick = now + AES67D_DEVICE_TICK_MS * 1000000ull;
		}
		pfd[0] = (struct pollfd){.fd = set->stop_fd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = set->listen_fd, .events = POLLIN};
		for (size_t i = 0; i < AES67_ARRAY_SIZE(set->clients); i++) {
			if (set->clients[i].fd < 0) {
				continue;
			}
			if (now >= set->clients[i].deadline_ns) {
				close(set->clients[i].fd);
				set->clients[i].fd = -1;
				continue;
			}
			map[n - 2] = i;
			pfd[n++] = (struct pollfd){.fd = set->clients[i].fd, .events = POLLIN};
		}
		timeout_ms = (int)((next_tick - now) / 1000000u) + 1;
		if (poll(pfd, n, timeout_ms) < 0 && errno != EINTR) {
			aes67d_log(AES67D_LOG_ERR, "device socket: poll: %s", strerror(errno));
			return NULL;
		}
		if (pfd[0].revents != 0) {
			return NULL;
		}
		for (nfds_t k = 2; k < n; k++) {
			struct aes67d_dev_client *c = &set->clients[map[k - 2]];

			if (pfd[k].revents != 0) {
				serve(set, c->fd);
				close(c->fd);
				c->fd = -1;
			}
		}
		if (pfd[1].revents & POLLIN) {
			accept_one(set, aes67d_dev_mono_raw_ns());
		}
	}
}

int aes67d_dev_server_start(struct aes67d_devices *set)
{
	int r = pthread_create(&set->thread, NULL, thread_main, set);

	if (r != 0) {
		return -r;
	}
	set->started = true;
	(void)pthread_setname_np(set->thread, "aes67d-device");
	return 0;
}

void aes67d_dev_server_stop(struct aes67d_devices *set)
{
	uint64_t one = 1;

	if (!set->started) {
		return;
	}
	if (write(set->stop_fd, &one, sizeof(one)) != sizeof(one)) {
		aes67d_log(AES67D_LOG_WARNING, "device thread: cannot signal stop");
	}
	pthread_join(set->thread, NULL);
	set->started = false;
}
