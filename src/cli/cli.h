/* SPDX-License-Identifier: MIT */
/*
 * aes67, the command-line tool: shared declarations. Each verb lives in its own cmd_<verb>.c and
 * is reached through the table in main.c. A verb returns the process exit code (see below and
 * the man page aes67(1)).
 */
#ifndef AES67_CLI_H
#define AES67_CLI_H

#include <stdbool.h>

/* Exit codes, the same for every verb (documented in docs/aes67.1.md). */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_RUNTIME = 1, /* a failure while running: socket, daemon, file write */
	CLI_EXIT_USAGE = 2,   /* bad command line */
	CLI_EXIT_INPUT = 3,   /* bad input: unreadable/invalid SDP, audio file, session not found */
	CLI_EXIT_DAEMON = 4,  /* the daemon is not running or refused the request */
};

/* A verb: argc/argv start at the verb itself (argv[0] is "send", …). */
struct cli_verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

#include <stddef.h>

/**
 * cli_session_find() - listen for SAP announcements on @ifname (239.255.255.255 and
 * 224.2.127.254, port 9875) for up to @wait_s seconds and return the SDP of the first session
 * whose s= name equals @name. Implemented in sessions.c (used by `list` and `recv --session`).
 * Return: SDP bytes written to @sdp, -ENOENT if not seen in time, or another negative error.
 */
int cli_session_find(const char *ifname, const char *name, double wait_s, char *sdp,
		     size_t sdp_cap);

/* Verbs; each owner declares its function above its own marker. */
int cli_cmd_ptp(int argc, char **argv);
/* aes67 list: SAP-discovered sessions (cmd_list.c). */
int cli_cmd_list(int argc, char **argv);
/* aes67 status: the running daemon's status (cmd_status.c). */
int cli_cmd_status(int argc, char **argv);
/* aes67 sdp: a transmit stream's SDP, or an SDP file parsed (cmd_sdp.c). */
int cli_cmd_sdp(int argc, char **argv);
int cli_send(int argc, char **argv); /* cmd_send.c */
int cli_recv(int argc, char **argv); /* cmd_recv.c */
/* @section verbs (end) */

#endif /* AES67_CLI_H */
