/* SPDX-License-Identifier: MIT */
/*
 * A small client for aes67d's control socket (newline-delimited JSON, docs/aes67d.md), for every
 * verb that talks to the daemon. One request per connection: connect, send one line, read one
 * line, close. Bounded in time (a daemon that does not answer within the timeout is an error) and
 * in size (an answer above 4 MiB is refused).
 */
#ifndef AES67_CLI_CONTROL_CLIENT_H
#define AES67_CLI_CONTROL_CLIENT_H

#include <jansson.h>
#include <stddef.h>

#include "aes67/common.h"

/* Largest answer accepted. */
#define CLI_CONTROL_MAX_ANSWER_BYTES (4u * 1024u * 1024u)
/* How long to wait for an answer, ms. */
#define CLI_CONTROL_TIMEOUT_MS 5000

/**
 * cli_control_path() - the control socket path to use.
 * @opt: the --control option, or NULL. Without it: $AES67D_CONTROL, else the daemon's default
 *       ($XDG_RUNTIME_DIR/aes67d.sock, /run/aes67d.sock as root).
 * @buf: receives the path; @cap: its size (108 is enough for any Unix socket path).
 * Return: 0, -ENOENT (no XDG_RUNTIME_DIR and not root), -ENAMETOOLONG. Thread: any.
 */
AES67_MUST_CHECK int cli_control_path(const char *opt, char *buf, size_t cap);

/**
 * cli_control_call() - send one request and return the answer.
 * @path: the socket path.
 * @req: the request object (borrowed; "cmd" must be set).
 * @resp: receives the answer object on success (caller json_decref()s it).
 * @err: receives a message on failure: the daemon's own "error" text when it refused, else what
 *       went wrong locally. @err_bytes: its size.
 * Return: 0 when the daemon answered "ok":true; -ENOENT / -ECONNREFUSED when no daemon listens
 * (see cli_control_not_running()); -EACCES when the socket is not ours; -ETIMEDOUT; -EPROTO for
 * an answer that is not a JSON object; -EREMOTEIO when the daemon answered "ok":false.
 * Thread: any.
 */
AES67_MUST_CHECK int cli_control_call(const char *path, json_t *req, json_t **resp, char *err,
				      size_t err_bytes);

/**
 * cli_control_not_running() - whether an error of cli_control_call() means "no daemon there".
 * @r: the error. Thread: any.
 */
int cli_control_not_running(int r);

/**
 * cli_control_print_not_running() - the standard message for a missing daemon on stderr:
 * "aes67d is not running (socket PATH): start it with aes67d --interface IF".
 * @path: the socket path tried. Thread: any.
 */
void cli_control_print_not_running(const char *path);

#endif /* AES67_CLI_CONTROL_CLIENT_H */
