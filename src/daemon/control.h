/* SPDX-License-Identifier: MIT */
/*
 * The control socket of aes67d: a Unix stream socket speaking newline-delimited JSON.
 *
 * One request per line, {"cmd":"NAME", ...}; one response per line, {"ok":true, ...} or
 * {"ok":false,"error":"..."}; an "id" member of the request is echoed. The socket is created
 * with mode 0600 and every client's credentials are checked with SO_PEERCRED: only the daemon's
 * own uid and root get in, others receive a refusal and are counted. Requests are bounded in
 * size, clients in number; everything runs on one control thread with poll(), non-blocking.
 * Commands are dispatched through a table other code fills with aes67d_control_register().
 */
#ifndef AES67D_CONTROL_H
#define AES67D_CONTROL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"

#define AES67D_CONTROL_PROTOCOL 1
#define AES67D_CONTROL_DEFAULT_MAX_REQUEST_BYTES (64 * 1024)
#define AES67D_CONTROL_DEFAULT_MAX_CLIENTS 16
#define AES67D_CONTROL_MAX_COMMANDS 32

struct aes67d_control;

struct aes67d_control_params {
	const char *path;	  /* socket path (copied); < 108 bytes */
	size_t max_request_bytes; /* one line, newline excluded; 0 = default 64 KiB */
	uint32_t max_clients;	  /* 0 = default 16 */
};

/*
 * A command handler. @req is the whole request object (read only); @resp is the response object,
 * to which the handler adds members ("ok" and "id" are set by the server). On failure it returns
 * a negative error and may write a message to @err (else aes67_strerror() is used).
 * Runs on the control thread.
 */
struct aes67d_control_cmd {
	const char *name;
	int (*fn)(void *user, const json_t *req, json_t *resp, char *err, size_t err_bytes);
	void *user;
};

/**
 * aes67d_control_default_path() - $XDG_RUNTIME_DIR/aes67d.sock, or /run/aes67d.sock for root.
 * @buf: receives the path. @buf_bytes: its size.
 * Return: 0, -ENOENT (not root and no XDG_RUNTIME_DIR) or -ENAMETOOLONG. Thread: control.
 */
AES67_MUST_CHECK int aes67d_control_default_path(char *buf, size_t buf_bytes);

/**
 * aes67d_control_create() - create and bind the socket (mode 0600); no thread yet.
 * @out: receives the server; release with aes67d_control_destroy().
 * @params: settings.
 * An existing socket file at the path is replaced only if nothing answers on it (stale);
 * if another server is listening there, -EADDRINUSE.
 * Return: 0, -EINVAL, -ENAMETOOLONG, -EADDRINUSE, -ENOMEM or -errno of socket/bind/listen.
 * Thread: control; changes the process umask for the duration of bind().
 */
AES67_MUST_CHECK int aes67d_control_create(struct aes67d_control **out,
					   const struct aes67d_control_params *params);

/**
 * aes67d_control_register() - add a command before aes67d_control_start().
 * @ctl: the server. @cmd: name, handler and user pointer (copied; the name must stay valid).
 * Return: 0, -EEXIST (name taken), -ENOSPC (table full) or -EBUSY (already started).
 * Thread: control.
 */
AES67_MUST_CHECK int aes67d_control_register(struct aes67d_control *ctl,
					     const struct aes67d_control_cmd *cmd);

/**
 * aes67d_control_start() - start the control thread serving clients.
 * @ctl: the server. Return: 0 or -errno from pthread_create. Thread: control.
 */
AES67_MUST_CHECK int aes67d_control_start(struct aes67d_control *ctl);

/**
 * aes67d_control_destroy() - stop the thread, close every client, remove the socket file.
 * @ctl: the server; NULL is ignored. Thread: the thread that created it (not the control thread).
 */
void aes67d_control_destroy(struct aes67d_control *ctl);

/**
 * aes67d_control_refused() - clients refused because of their uid since creation.
 * @ctl: the server. Thread: any.
 */
uint64_t aes67d_control_refused(const struct aes67d_control *ctl);

#endif /* AES67D_CONTROL_H */
