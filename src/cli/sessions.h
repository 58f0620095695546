/* SPDX-License-Identifier: MIT */
/*
 * SAP discovery in the CLI, without a daemon: listen on one interface for a bounded time with
 * the same listener logic and session summary as aes67d (src/daemon/sap_listener.c,
 * sap_summary.c), so `aes67 list` prints the same fields either way.
 */
#ifndef AES67_CLI_SESSIONS_H
#define AES67_CLI_SESSIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "aes67/common.h"

/* Sessions one listen keeps (about 2.1 KiB each). */
#define CLI_SESSIONS_CAPACITY 128
/* Longest listen accepted, s. */
#define CLI_SESSIONS_MAX_WAIT_S 3600.0

struct cli_sessions;

/**
 * cli_sessions_listen() - listen for SAP on @ifname for @wait_s seconds.
 * @out: receives the result (free with cli_sessions_free()).
 * @ifname: the interface (never chosen for the caller).
 * @wait_s: how long, 0 < wait_s <= CLI_SESSIONS_MAX_WAIT_S.
 * @until_name: stop as soon as a session with this s= name is known; NULL to listen the whole
 *              time.
 * @progress: show a live count on stderr (only when stderr is a terminal).
 * @err: receives the reason on failure. @err_bytes: its size.
 * Return: 0, -EINVAL, -ENOMEM or an error of aes67d_sap_socket_open(). Thread: main.
 */
AES67_MUST_CHECK int cli_sessions_listen(struct cli_sessions **out, const char *ifname,
					 double wait_s, const char *until_name, bool progress,
					 char *err, size_t err_bytes);

/**
 * cli_sessions_json() - the sessions heard, as the daemon's sessions.list returns them.
 * @s: the result. @with_sdp: add each full SDP. @name: only this s= name, or NULL.
 * Return: a new JSON array or NULL when out of memory. Thread: main.
 */
json_t *cli_sessions_json(struct cli_sessions *s, bool with_sdp, const char *name);

/**
 * cli_sessions_drops() - datagrams refused while listening, all reasons together.
 * @s: the result. Thread: main.
 */
unsigned long long cli_sessions_drops(const struct cli_sessions *s);

/**
 * cli_sessions_free() - release a result. @s: the result; NULL is ignored. Thread: main.
 */
void cli_sessions_free(struct cli_sessions *s);

/**
 * cli_print_interfaces() - list this host's interfaces on stderr with how to pick one.
 * @why: the problem, printed first ("no --interface given"). Thread: main.
 */
void cli_print_interfaces(const char *why);

#endif /* AES67_CLI_SESSIONS_H */
