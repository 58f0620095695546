// SPDX-License-Identifier: MIT
/*
 * pcm.aes67 handshake client (see client.h and src/daemon/device_proto.h). Everything that comes
 * from the socket is checked before use: reply size and magic, the daemon's uid (root or ours,
 * SO_PEERCRED), exactly one passed descriptor, the memfd's seals (it can never shrink under our
 * mapping) and size, then the region itself with aes67_ring_attach(). The daemon's process is
 * then watched through a pidfd, so the plugin can tell a daemon that exited from one whose
 * heartbeat is merely late (io.h, AES67_ALSA_STALL_NS).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "aes67/error.h"
#include "client.h"
#include "device_proto.h"

#define REPLY_TIMEOUT_MS 2000

int aes67_alsa_default_socket(char *buf, size_t buf_bytes)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int n;

	if (xdg != NULL && xdg[0] != '\0') {
		n = snprintf(buf, buf_bytes, "%s/aes67d.dev.sock", xdg);
		if (n > 0 && (size_t)n < buf_bytes && stat(buf, &st) == 0) {
			return 0;
		}
	}
	n = snprintf(buf, buf_bytes, "/run/aes67d.dev.sock");
	return n > 0 && (size_t)n < buf_bytes ? 0 : -ENAMETOOLONG;
}

static int fail(char *err, size_t err_bytes, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t err_bytes, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_bytes, fmt, ap);
	va_end(ap);
	return r;
}

/* Receives the reply and at most one descriptor; *memfd = -1 if none came. */
static int recv_reply(int fd, struct aes67d_dev_reply *rep, int *memfd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = rep, .iov_len = sizeof(*rep)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	struct pollfd p = {.fd = fd, .events = POLLIN};
	struct cmsghdr *c;
	ssize_t n;
	int r;

	*memfd = -1;
	r = poll(&p, 1, REPLY_TIMEOUT_MS);
	if (r == 0) {
		return -ETIMEDOUT;
	}
	if (r < 0) {
		return -errno;
	}
	n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0) {
		return -errno;
	}
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < k; i++) {
				int x;

				memcpy(&x, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (*memfd < 0) {
					*memfd = x;
				} else {
					close(x); /* more than one: keep the first only */
				}
			}
		}
	}
	if ((size_t)n != sizeof(*rep) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 ||
	    rep->magic != AES67D_DEV_MAGIC) {
		return -EPROTO;
	}
	rep->reason[sizeof(rep->reason) - 1] = '\0';
	return 0;
}

static int map_region(struct aes67_alsa_conn *conn, int memfd, uint64_t bytes, char *err,
		      size_t err_bytes)
{
	const int need = F_SEAL_SHRINK | F_SEAL_SEAL;
	const char *why = "";
	struct stat st;
	int seals = fcntl(memfd, F_GET_SEALS);
	int r;

	if (seals < 0 || (seals & need) != need) {
		return fail(err, err_bytes, -AES67_EABI,
			    "the region aes67d passed is not sealed against shrinking");
	}
	if (fstat(memfd, &st) != 0 || bytes == 0 || (uint64_t)st.st_size < bytes ||
	    bytes > SIZE_MAX) {
		return fail(err, err_bytes, -AES67_EABI,
			    "the region aes67d passed is smaller than announced");
	}
	conn->region = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (conn->region == MAP_FAILED) {
		conn->region = NULL;
		r = -errno;
		return fail(err, err_bytes, r, "cannot map the device region: %s", strerror(-r));
	}
	conn->region_bytes = (size_t)bytes;
	r = aes67_ring_attach(conn->region, conn->region_bytes, &conn->ring, &why);
	if (r < 0) {
		munmap(conn->region, conn->region_bytes);
		conn->region = NULL;
		return fail(err, err_bytes, r, "invalid device region from aes67d: %s", why);
	}
	conn->generation = aes67_ring_generation(&conn->ring);
	if (conn->generation == 0) {
		aes67_alsa_disconnect(conn);
		return fail(err, err_bytes, -ENODEV, "aes67d closed the device");
	}
	return 0;
}

int aes67_alsa_connect(struct aes67_alsa_conn *conn, const char *socket_path, const char *device,
		       char *err, size_t err_bytes)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct aes67d_dev_request req;
	struct aes67d_dev_reply rep;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int fd, memfd = -1, r;

	memset(conn, 0, sizeof(*conn));
	if (strlen(socket_path) >= sizeof(sa.sun_path)) {
		return fail(err, err_bytes, -ENAMETOOLONG, "socket path too long: %s", socket_path);
	}
	if (strlen(device) >= sizeof(req.name)) {
		return fail(err, err_bytes, -ENAMETOOLONG, "device name too long: %s", device);
	}
	memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return fail(err, err_bytes, -errno, "socket: %s", strerror(errno));
	}
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) != 0) {
		r = -errno;
		close(fd);
		return fail(err, err_bytes, r,
			    "aes67d is not running (no daemon answers on %s: %s); start it with "
			    "aes67d --interface IF",
			    socket_path, strerror(-r));
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 ||
	    (cr.uid != 0 && cr.uid != geteuid())) {
		close(fd);
		return fail(err, err_bytes, -EACCES,
			    "%s is served by uid %u, neither root nor you (uid %u): refused",
			    socket_path, (unsigned)cr.uid, (unsigned)geteuid());
	}
	memset(&req, 0, sizeof(req));
	req.magic = AES67D_DEV_MAGIC;
	req.protocol = AES67D_DEV_PROTOCOL;
	req.ring_abi = AES67_RING_ABI_VERSION;
	req.op = AES67D_DEV_OP_OPEN;
	memcpy(req.name, device, strlen(device) + 1);
	if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req)) {
		r = -errno;
		close(fd);
		return fail(err, err_bytes, r, "cannot send to aes67d: %s", strerror(-r));
	}
	r = recv_reply(fd, &rep, &memfd);
	close(fd);
	if (r < 0) {
		if (memfd >= 0) {
			close(memfd);
		}
		return fail(err, err_bytes, r, "no valid answer from aes67d on %s: %s", socket_path,
			    strerror(-r));
	}
	if (rep.status < 0 || memfd < 0) {
		if (memfd >= 0) {
			close(memfd);
		}
		r = rep.status < 0 ? rep.status : -EPROTO;
		return fail(err, err_bytes, r, "aes67d refused: %s",
			    rep.reason[0] != '\0' ? rep.reason : aes67_strerror(r));
	}
	r = map_region(conn, memfd, rep.region_bytes, err, err_bytes);
	close(memfd);
	conn->ptime_us = rep.ptime_us;
	/* The pid is the listener's at listen() time: the daemon (it listens itself). It is 0
	 * when the daemon is in a pid namespace we cannot see; without a watch the heartbeat
	 * alone decides, as before. The daemon answered just now, so the pid is still its own. */
	if (r == 0 && cr.pid > 0 && aes67_alsa_watch_pid(conn, cr.pid) < 0) {
		conn->daemon_watched = false; /* no pidfd: the heartbeat alone decides */
	}
	return r;
}

int aes67_alsa_watch_pid(struct aes67_alsa_conn *conn, pid_t pid)
{
	long fd;

	if (pid <= 0) {
		return -EINVAL;
	}
	fd = syscall(SYS_pidfd_open, pid, 0); /* pidfds are close-on-exec */
	if (fd < 0) {
		return -errno;
	}
	if (conn->daemon_watched) {
		close(conn->daemon_pidfd);
	}
	conn->daemon_pidfd = (int)fd;
	conn->daemon_watched = true;
	return 0;
}

int aes67_alsa_daemon_exited(const struct aes67_alsa_conn *conn)
{
	struct pollfd pfd;
	int n;

	if (!conn->daemon_watched) {
		return -ENOENT;
	}
	pfd = (struct pollfd){.fd = conn->daemon_pidfd, .events = POLLIN};
	n = poll(&pfd, 1, 0);
	if (n < 0) {
		return -errno;
	}
	return n > 0 ? 1 : 0;
}

void aes67_alsa_disconnect(struct aes67_alsa_conn *conn)
{
	if (conn->region != NULL) {
		munmap(conn->region, conn->region_bytes);
	}
	if (conn->daemon_watched) {
		close(conn->daemon_pidfd);
	}
	memset(conn, 0, sizeof(*conn));
}
