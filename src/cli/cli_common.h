/* SPDX-License-Identifier: MIT */
/*
 * What the verbs that talk to aes67d (status, sdp, ptp, list) do alike, in one place: the options
 * they share (-j/--json, -s/--control PATH, -h/--help), the refusal of stray arguments, asking the
 * daemon one thing with the standard "not running" message, and printing a JSON answer. Each
 * verb keeps its own wording where it differs on purpose (exit codes, what a refusal means).
 */
#ifndef AES67_CLI_COMMON_H
#define AES67_CLI_COMMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What the shared options set. */
struct cli_daemon_opts {
	const char *control; /* --control PATH, or NULL */
	bool json;	     /* --json */
};

/**
 * cli_opt_help_or_bad() - the end of every verb's option switch: -h/--help prints the usage on
 * stdout and exits with CLI_EXIT_OK; anything else is an unknown option or a missing argument
 * (getopt_long() said which): the usage on stderr.
 * @c: getopt_long()'s return. @usage: the verb's usage printer.
 * Return: -EINVAL (the verb exits CLI_EXIT_USAGE); does not return after --help. Thread: main.
 */
int cli_opt_help_or_bad(int c, void (*usage)(FILE *f));

/**
 * cli_daemon_opt() - apply one option returned by getopt_long() that the verb does not handle
 * itself: -j, -s PATH, else as cli_opt_help_or_bad().
 * @c: getopt_long()'s return. @o: the shared options. @usage: the verb's usage printer.
 * Return: 0 (taken), or -EINVAL (usage error, usage printed). Thread: main.
 */
int cli_daemon_opt(int c, struct cli_daemon_opts *o, void (*usage)(FILE *f));

/**
 * cli_daemon_opts_parse() - parse a verb's command line that has only the shared options.
 * @argc, @argv: from the verb (argv[0] is the verb). Leaves optind at the first non-option.
 * Other parameters and return as for cli_daemon_opt(). Thread: main.
 */
int cli_daemon_opts_parse(int argc, char **argv, struct cli_daemon_opts *o, void (*usage)(FILE *f));

/**
 * cli_refuse_args() - refuse arguments left after the options ("aes67 VERB: unexpected
 * argument "X"" on stderr, then the usage when @usage is not NULL).
 * @verb: the verb's name. @argc, @argv: as given to getopt_long(); optind is read.
 * Return: true when there was one (the verb returns CLI_EXIT_USAGE). Thread: main.
 */
bool cli_refuse_args(const char *verb, int argc, char **argv, void (*usage)(FILE *f));

/**
 * cli_daemon_path() - the control socket path, or the standard message when there is none
 * (no --control, no $AES67D_CONTROL, no $XDG_RUNTIME_DIR and not root).
 * @control: --control or NULL. @path: receives it; @cap: its size (108 bytes is enough).
 * Return: 0, or CLI_EXIT_DAEMON after the message. Thread: main.
 */
int cli_daemon_path(const char *control, char *path, size_t cap);

/**
 * cli_daemon_ask() - send one request to aes67d and handle the failures every verb handles
 * alike: a request that could not be built, and no daemon listening (standard message).
 * @path: the socket path. @req: the request, stolen (NULL: json_pack() ran out of memory).
 * @resp: receives the answer on success (caller json_decref()s it). @err, @err_bytes: as for
 * cli_control_call().
 * Return: 0 when the daemon answered "ok":true; a negative error of cli_control_call() other
 * than "not running", for the verb to report from @err; or a positive exit code, already
 * reported: CLI_EXIT_RUNTIME (no request) or CLI_EXIT_DAEMON (no daemon). Thread: main.
 */
int cli_daemon_ask(const char *path, json_t *req, json_t **resp, char *err, size_t err_bytes);

/**
 * cli_print_json() - print @v on stdout indented by 2, members in insertion order, and a newline.
 * Return: 0, or -EIO when stdout refused it. Thread: main.
 */
int cli_print_json(const json_t *v);

#endif /* AES67_CLI_COMMON_H */
