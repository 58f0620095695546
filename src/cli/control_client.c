// SPDX-License-Identifier: MIT
/*
 * Control socket client (see control_client.h). The socket is non-blocking and every wait goes
 * through poll() with what is left of one overall deadline, so a stuck daemon cannot hang a CLI.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "control_client.h"

int cli_control_path(const char *opt, char *buf, size_t cap)
{
	const char *env = getenv("AES67D_CONTROL");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (opt != NULL) {
		n = snprintf(buf, cap, "%s", opt);
	} else if (env != NULL && env[0] != '\0') {
		n = snprintf(buf, cap, "%s", env);
	} else if (geteuid() == 0) {
		n = snprintf(buf, cap, "/run/aes67d.sock");
	} else if (xdg != NULL && xdg[0] != '\0') {
		n = snprintf(buf, cap, "%s/aes67d.sock", xdg);
	} else {
		return -ENOENT;
	}
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int cli_control_not_running(int r)
{
	return r == -ENOENT || r == -ECONNREFUSED || r == -ENOTDIR;
}

void cli_control_print_not_running(const char *path)
{
	fprintf(stderr,
		"aes67: aes67d is not running (socket %s): start it with aes67d --interface IF\n"
		"       (or point --control PATH / AES67D_CONTROL at the socket it uses)\n",
		path);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for @events on @fd until @deadline_ms; 0 when ready, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, long long deadline_ms)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		long long left = deadline_ms - now_ms();
		int n;

		if (left <= 0) {
			return -ETIMEDOUT;
		}
		n = poll(&p, 1, (int)left);
		if (n > 0) {
			return 0;
		}
		if (n < 0 && errno != EINTR) {
			return -errno;
		}
	}
}

static int send_all(int fd, const char *buf, size_t len, long long deadline_ms)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int r = wait_fd(fd, POLLOUT, deadline_ms);

			if (r < 0) {
				return r;
			}
			continue;
		}
		if (n < 0) {
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads up to the first newline; *out is NUL-terminated and malloc'd. */
static int read_line(int fd, char **out, size_t *out_len, long long deadline_ms)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);

	if (buf == NULL) {
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;
		char *nl;

		if (len + 1 >= cap) {
			char *nb;

			if (cap >= CLI_CONTROL_MAX_ANSWER_BYTES) {
				free(buf);
				return -EMSGSIZE;
			}
			nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int r = wait_fd(fd, POLLIN, deadline_ms);

			if (r < 0) {
				free(buf);
				return r;
			}
			continue;
		}
		if (n <= 0) {
			free(buf);
			return n == 0 ? -EPROTO : -errno;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
		if (nl != NULL) {
			*nl = '\0';
			*out = buf;
			*out_len = (size_t)(nl - buf);
			return 0;
		}
	}
}

static int connect_to(const char *path, long long deadline_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) == 0) {
		return fd;
	}
	if (errno != EINPROGRESS && errno != EAGAIN) {
		r = -errno;
		close(fd);
		return r;
	}
	r = wait_fd(fd, POLLOUT, deadline_ms);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int cli_control_call(const char *path, json_t *req, json_t **resp, char *err, size_t err_bytes)
{
	long long deadline = now_ms() + CLI_CONTROL_TIMEOUT_MS;
	char *text = NULL, *line = NULL;
	json_error_t je;
	json_t *ans;
	size_t len = 0;
	int fd, r;

	*resp = NULL;
	fd = connect_to(path, deadline);
	if (fd < 0) {
		snprintf(err, err_bytes, "cannot connect to %s: %s", path, strerror(-fd));
		return fd;
	}
	text = json_dumps(req, JSON_COMPACT);
	if (text == NULL) {
		close(fd);
		snprintf(err, err_bytes, "out of memory");
		return -ENOMEM;
	}
	r = send_all(fd, text, strlen(text), deadline);
	if (r == 0) {
		r = send_all(fd, "\n", 1, deadline);
	}
	free(text);
	if (r == 0) {
		r = read_line(fd, &line, &len, deadline);
	}
	close(fd);
	if (r < 0) {
		snprintf(err, err_bytes, "%s: %s", path,
			 r == -ETIMEDOUT ? "no answer within 5 s (is aes67d stuck?)"
			 : r == -EPROTO	 ? "the daemon closed the connection without answering"
					 : strerror(-r));
		return r;
	}
	ans = json_loadb(line, len, 0, &je);
	free(line);
	if (!json_is_object(ans)) {
		json_decref(ans);
		snprintf(err, err_bytes, "%s: the answer is not a JSON object (is this aes67d?)",
			 path);
		return -EPROTO;
	}
	if (!json_is_true(json_object_get(ans, "ok"))) {
		const char *e = json_string_value(json_object_get(ans, "error"));

		snprintf(err, err_bytes, "%s", e != NULL ? e : "request refused without a reason");
		json_decref(ans);
		return strstr(err, "permission denied") != NULL ? -EACCES : -EREMOTEIO;
	}
	*resp = ans;
	return 0;
}
