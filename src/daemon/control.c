// SPDX-License-Identifier: MIT
/*
 * Control socket server (see control.h).
 *
 * Each client has an input buffer of max_request_bytes + 1 and a bounded output buffer. Complete
 * lines are answered in order; a line that does not fit gets an error response, after which the
 * connection is closed once the response is written. A client that does not read its responses
 * (output above CONTROL_MAX_OUTPUT_BYTES) is disconnected rather than buffered without limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "aes67/error.h"
#include "control.h"

#define CONTROL_MAX_OUTPUT_BYTES (4u * 1024 * 1024)
#define CONTROL_BACKLOG 16
#define ERR_BYTES 256

struct client {
	int fd;
	char *in;
	size_t in_len;
	char *out;
	size_t out_len;
	size_t out_cap;
	bool closing; /* stop reading; close once out is flushed */
};

struct aes67d_control {
	int listen_fd;
	int wake[2];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	size_t max_request_bytes;
	uint32_t max_clients;
	struct client *clients;
	struct aes67d_control_cmd cmds[AES67D_CONTROL_MAX_COMMANDS];
	uint32_t n_cmds;
	pthread_t thread;
	bool started;
	uid_t own_uid;
	atomic_uint_fast64_t refused;
};

int aes67d_control_default_path(char *buf, size_t buf_bytes)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (geteuid() == 0) {
		n = snprintf(buf, buf_bytes, "/run/aes67d.sock");
	} else if (xdg != NULL && xdg[0] != '\0') {
		n = snprintf(buf, buf_bytes, "%s/aes67d.sock", xdg);
	} else {
		return -ENOENT;
	}
	return n < 0 || (size_t)n >= buf_bytes ? -ENAMETOOLONG : 0;
}

/* A socket file nobody answers on is left over from a crash and may be replaced. */
static int check_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, r;

	if (lstat(sa->sun_path, &st) != 0) {
		return errno == ENOENT ? 0 : -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (r == 0) {
		return -EADDRINUSE;
	}
	return unlink(sa->sun_path) == 0 ? 0 : -errno;
}

int aes67d_control_create(struct aes67d_control **out, const struct aes67d_control_params *p)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct aes67d_control *ctl;
	size_t len;
	mode_t old;
	int r;

	if (out == NULL || p == NULL || p->path == NULL) {
		return -EINVAL;
	}
	len = strlen(p->path);
	if (len == 0 || len >= sizeof(sa.sun_path)) {
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, p->path, len + 1);
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL) {
		return -ENOMEM;
	}
	memcpy(ctl->path, p->path, len + 1);
	ctl->max_request_bytes = p->max_request_bytes != 0
					 ? p->max_request_bytes
					 : AES67D_CONTROL_DEFAULT_MAX_REQUEST_BYTES;
	ctl->max_clients =
		p->max_clients != 0 ? p->max_clients : AES67D_CONTROL_DEFAULT_MAX_CLIENTS;
	ctl->own_uid = geteuid();
	ctl->wake[0] = ctl->wake[1] = -1;
	atomic_init(&ctl->refused, 0);
	ctl->clients = calloc(ctl->max_clients, sizeof(*ctl->clients));
	if (ctl->clients == NULL) {
		r = -ENOMEM;
		goto err_free;
	}
	for (uint32_t i = 0; i < ctl->max_clients; i++) {
		ctl->clients[i].fd = -1;
	}
	if (pipe2(ctl->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		r = -errno;
		goto err_free;
	}
	r = check_stale(&sa);
	if (r < 0) {
		goto err_pipe;
	}
	ctl->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->listen_fd < 0) {
		r = -errno;
		goto err_pipe;
	}
	/* The umask makes the socket 0600 from the moment it exists; chmod is belt and braces. */
	old = umask(0177);
	r = bind(ctl->listen_fd, (const struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r != 0) {
		r = -errno;
		goto err_socket;
	}
	if (chmod(ctl->path, 0600) != 0 || listen(ctl->listen_fd, CONTROL_BACKLOG) != 0) {
		r = -errno;
		goto err_unlink;
	}
	*out = ctl;
	return 0;

err_unlink:
	unlink(ctl->path);
err_socket:
	close(ctl->listen_fd);
err_pipe:
	close(ctl->wake[0]);
	close(ctl->wake[1]);
err_free:
	free(ctl->clients);
	free(ctl);
	return r;
}

int aes67d_control_register(struct aes67d_control *ctl, const struct aes67d_control_cmd *cmd)
{
	if (ctl->started) {
		return -EBUSY;
	}
	if (cmd == NULL || cmd->name == NULL || cmd->fn == NULL) {
		return -EINVAL;
	}
	for (uint32_t i = 0; i < ctl->n_cmds; i++) {
		if (strcmp(ctl->cmds[i].name, cmd->name) == 0) {
			return -EEXIST;
		}
	}
	if (ctl->n_cmds >= AES67D_CONTROL_MAX_COMMANDS) {
		return -ENOSPC;
	}
	ctl->cmds[ctl->n_cmds++] = *cmd;
	return 0;
}

uint64_t aes67d_control_refused(const struct aes67d_control *ctl)
{
	return atomic_load(&((struct aes67d_control *)ctl)->refused);
}

static void client_close(struct client *c)
{
	if (c->fd >= 0) {
		close(c->fd);
	}
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Queue text + '\n'; false if the client has let too much output pile up. */
static bool client_queue(struct client *c, const char *text, size_t len)
{
	size_t need = c->out_len + len + 1;

	if (need > CONTROL_MAX_OUTPUT_BYTES) {
		return false;
	}
	if (need > c->out_cap) {
		size_t cap = c->out_cap != 0 ? c->out_cap : 4096;
		char *p;

		while (cap < need) {
			cap *= 2;
		}
		p = realloc(c->out, cap);
		if (p == NULL) {
			return false;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, text, len);
	c->out[c->out_len + len] = '\n';
	c->out_len = need;
	return true;
}

/* Writes as much pending output as the socket takes; false on a fatal error. */
static bool client_flush(struct client *c)
{
	while (c->out_len > 0) {
		ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return errno == EAGAIN || errno == EWOULDBLOCK;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	return true;
}

/* Best-effort one-line answer on a socket we are about to close (refusals). */
static void say_and_close(int fd, const char *line)
{
	ssize_t n = send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);

	(void)n;
	close(fd);
}

static json_t *error_response(const char *msg)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

static json_t *dispatch(struct aes67d_control *ctl, const char *line, size_t len)
{
	char err[ERR_BYTES] = "";
	json_error_t jerr;
	const json_t *cmd, *id;
	json_t *req, *resp;
	const char *name;
	int r = -AES67_ENOTFOUND;

	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL) {
		snprintf(err, sizeof(err), "bad JSON at column %d: %s", jerr.column, jerr.text);
		return error_response(err);
	}
	cmd = json_object_get(req, "cmd");
	if (!json_is_object(req) || !json_is_string(cmd)) {
		json_decref(req);
		return error_response("a request is an object with a \"cmd\" string member");
	}
	name = json_string_value(cmd);
	resp = json_object();
	if (resp == NULL || json_object_set_new(resp, "ok", json_false()) != 0) {
		json_decref(req);
		json_decref(resp);
		return NULL;
	}
	id = json_object_get(req, "id");
	if (id != NULL) {
		json_object_set(resp, "id", (json_t *)id);
	}
	snprintf(err, sizeof(err), "unknown command \"%.64s\" (\"help\" lists them)", name);
	if (strcmp(name, "help") == 0) {
		json_t *list = json_array();

		for (uint32_t i = 0; list != NULL && i < ctl->n_cmds; i++) {
			json_array_append_new(list, json_string(ctl->cmds[i].name));
		}
		r = json_object_set_new(resp, "commands", list) == 0 ? 0 : -ENOMEM;
	}
	for (uint32_t i = 0; i < ctl->n_cmds; i++) {
		if (strcmp(ctl->cmds[i].name, name) == 0) {
			err[0] = '\0';
			r = ctl->cmds[i].fn(ctl->cmds[i].user, req, resp, err, sizeof(err));
			break;
		}
	}
	json_decref(req);
	if (r < 0) {
		json_object_set_new(resp, "error",
				    json_string(err[0] != '\0' ? err : aes67_strerror(r)));
	} else {
		json_object_set_new(resp, "ok", json_true());
	}
	return resp;
}

static bool answer(struct aes67d_control *ctl, struct client *c, const char *line, size_t len)
{
	json_t *resp = dispatch(ctl, line, len);
	char *text;
	bool ok;

	if (resp == NULL) {
		return false;
	}
	text = json_dumps(resp, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(resp);
	if (text == NULL) {
		return false;
	}
	ok = client_queue(c, text, strlen(text));
	free(text);
	return ok;
}

/* Reads what is available and answers complete lines; false when the client must go. */
static bool client_read(struct aes67d_control *ctl, struct client *c)
{
	for (;;) {
		size_t room = ctl->max_request_bytes + 1 - c->in_len;
		ssize_t n = recv(c->fd, c->in + c->in_len, room, MSG_DONTWAIT);
		size_t start = 0;
		char *nl;

		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return errno == EAGAIN || errno == EWOULDBLOCK;
		}
		if (n == 0) {
			c->closing = true;
			return true;
		}
		c->in_len += (size_t)n;
		while ((nl = memchr(c->in + start, '\n', c->in_len - start)) != NULL) {
			size_t len = (size_t)(nl - (c->in + start));

			if (len > 0 && !answer(ctl, c, c->in + start, len)) {
				return false;
			}
			start += len + 1;
		}
		memmove(c->in, c->in + start, c->in_len - start);
		c->in_len -= start;
		if (c->in_len > ctl->max_request_bytes) {
			char msg[ERR_BYTES];
			json_t *e;
			char *text;

			snprintf(msg, sizeof(msg), "request longer than %zu bytes; closing",
				 ctl->max_request_bytes);
			e = error_response(msg);
			text = e != NULL ? json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
			json_decref(e);
			if (text != NULL) {
				client_queue(c, text, strlen(text));
				free(text);
			}
			c->closing = true;
			return true;
		}
	}
}

static void accept_clients(struct aes67d_control *ctl)
{
	for (;;) {
		struct ucred cred;
		socklen_t cl = sizeof(cred);
		struct client *slot = NULL;
		int fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 ||
		    (cred.uid != ctl->own_uid && cred.uid != 0)) {
			atomic_fetch_add(&ctl->refused, 1);
			say_and_close(fd, "{\"ok\":false,\"error\":\"permission denied: only the "
					  "daemon's user and root may connect\"}\n");
			continue;
		}
		for (uint32_t i = 0; i < ctl->max_clients; i++) {
			if (ctl->clients[i].fd < 0) {
				slot = &ctl->clients[i];
				break;
			}
		}
		if (slot == NULL) {
			say_and_close(fd, "{\"ok\":false,\"error\":\"too many clients\"}\n");
			continue;
		}
		slot->in = malloc(ctl->max_request_bytes + 1);
		if (slot->in == NULL) {
			say_and_close(fd, "{\"ok\":false,\"error\":\"out of memory\"}\n");
			continue;
		}
		slot->fd = fd;
	}
}

static void *control_thread(void *arg)
{
	struct aes67d_control *ctl = arg;
	struct pollfd *pfd = calloc(ctl->max_clients + 2, sizeof(*pfd));

	if (pfd == NULL) {
		return NULL;
	}
	for (;;) {
		pfd[0] = (struct pollfd){.fd = ctl->wake[0], .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = ctl->listen_fd, .events = POLLIN};
		for (uint32_t i = 0; i < ctl->max_clients; i++) {
			struct client *c = &ctl->clients[i];

			pfd[i + 2].fd = c->fd;
			pfd[i + 2].events =
				(short)((c->closing ? 0 : POLLIN) | (c->out_len > 0 ? POLLOUT : 0));
			pfd[i + 2].revents = 0;
		}
		if (poll(pfd, ctl->max_clients + 2, -1) < 0) {
			if (errno == EINTR) {
				continue;
			}
			break;
		}
		if (pfd[0].revents != 0) {
			break;
		}
		if (pfd[1].revents & POLLIN) {
			accept_clients(ctl);
		}
		for (uint32_t i = 0; i < ctl->max_clients; i++) {
			struct client *c = &ctl->clients[i];
			short ev = pfd[i + 2].revents;
			bool keep = true;

			if (c->fd < 0 || pfd[i + 2].fd != c->fd) {
				continue;
			}
			if (ev & POLLIN) {
				keep = client_read(ctl, c);
			} else if (ev & (POLLERR | POLLHUP | POLLNVAL)) {
				keep = false;
			}
			if (keep) {
				keep = client_flush(c);
			}
			if (!keep || (c->closing && c->out_len == 0)) {
				client_close(c);
			}
		}
	}
	free(pfd);
	return NULL;
}

int aes67d_control_start(struct aes67d_control *ctl)
{
	int r = pthread_create(&ctl->thread, NULL, control_thread, ctl);

	if (r != 0) {
		return -r;
	}
	ctl->started = true;
	(void)pthread_setname_np(ctl->thread, "aes67d-control");
	return 0;
}

void aes67d_control_destroy(struct aes67d_control *ctl)
{
	if (ctl == NULL) {
		return;
	}
	if (ctl->started) {
		ssize_t n = write(ctl->wake[1], "x", 1);

		(void)n;
		pthread_join(ctl->thread, NULL);
	}
	for (uint32_t i = 0; i < ctl->max_clients; i++) {
		client_close(&ctl->clients[i]);
	}
	close(ctl->listen_fd);
	unlink(ctl->path);
	close(ctl->wake[0]);
	close(ctl->wake[1]);
	free(ctl->clients);
	free(ctl);
}
