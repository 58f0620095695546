// SPDX-License-Identifier: MIT
/*
 * The shared part of the verbs that talk to aes67d (see cli_common.h): option parsing for
 * --json/--control/--help, the standard refusals, one request with the standard "aes67d is not
 * running" handling, and JSON output. Kept here so that every verb says the same thing the same
 * way; what a verb says differently stays in its own file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_common.h"
#include "control_client.h"

int cli_opt_help_or_bad(int c, void (*usage)(FILE *f))
{
	if (c == 'h') {
		usage(stdout);
		exit(CLI_EXIT_OK);
	}
	usage(stderr);
	return -EINVAL;
}

int cli_daemon_opt(int c, struct cli_daemon_opts *o, void (*usage)(FILE *f))
{
	switch (c) {
	case 'j':
		o->json = true;
		return 0;
	case 's':
		o->control = optarg;
		return 0;
	default:
		return cli_opt_help_or_bad(c, usage);
	}
}

int cli_daemon_opts_parse(int argc, char **argv, struct cli_daemon_opts *o, void (*usage)(FILE *f))
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"control", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "js:h", longopts, NULL)) != -1) {
		if (cli_daemon_opt(c, o, usage) < 0) {
			return -EINVAL;
		}
	}
	return 0;
}

bool cli_refuse_args(const char *verb, int argc, char **argv, void (*usage)(FILE *f))
{
	if (optind >= argc) {
		return false;
	}
	fprintf(stderr, "aes67 %s: unexpected argument \"%s\"\n", verb, argv[optind]);
	if (usage != NULL) {
		usage(stderr);
	}
	return true;
}

int cli_daemon_path(const char *control, char *path, size_t cap)
{
	if (cli_control_path(control, path, cap) < 0) {
		fprintf(stderr,
			"aes67: aes67d is not running (no socket path: XDG_RUNTIME_DIR is not "
			"set): start it with aes67d --interface IF, or use --control PATH\n");
		return CLI_EXIT_DAEMON;
	}
	return 0;
}

int cli_daemon_ask(const char *path, json_t *req, json_t **resp, char *err, size_t err_bytes)
{
	int r;

	*resp = NULL;
	if (req == NULL) {
		return CLI_EXIT_RUNTIME;
	}
	r = cli_control_call(path, req, resp, err, err_bytes);
	json_decref(req);
	if (cli_control_not_running(r)) {
		cli_control_print_not_running(path);
		return CLI_EXIT_DAEMON;
	}
	return r;
}

int cli_print_json(const json_t *v)
{
	if (json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
	    putchar('\n') == EOF) {
		return -EIO;
	}
	return 0;
}
