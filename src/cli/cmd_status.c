// SPDX-License-Identifier: MIT
/*
 * aes67 status: what the running aes67d reports. It asks "status" (version, uptime, interface,
 * clock, devices, streams and whatever the engine adds) and "version" and "sap.status" (SAP
 * settings and counters) and prints them together, as "key: value" lines or, with --json, as one
 * object {"status":{...}, "version":"...", "sap":{...}}. A part the daemon does not have (an
 * older aes67d without sap.status) is left out, not an error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "control_client.h"
#include "json_out.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: aes67 status [--json] [--control PATH]\n"
		   "  -j, --json          print one JSON object\n"
		   "  -s, --control PATH  aes67d's control socket\n");
}

/* The answer without the protocol members "ok" and "id". */
static json_t *strip(json_t *resp)
{
	json_object_del(resp, "ok");
	json_object_del(resp, "id");
	return resp;
}

static int call(const char *path, const char *cmd, json_t **resp, char *err, size_t err_bytes)
{
	json_t *req = json_pack("{s:s}", "cmd", cmd);
	int r;

	if (req == NULL) {
		return -ENOMEM;
	}
	r = cli_control_call(path, req, resp, err, err_bytes);
	json_decref(req);
	return r;
}

int cli_cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"control", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *control = NULL;
	char path[108], err[512];
	json_t *st = NULL, *ver = NULL, *sap = NULL, *all;
	bool json = false;
	int c, r, rc = CLI_EXIT_OK;

	while ((c = getopt_long(argc, argv, "js:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			control = optarg;
			break;
		case 'h':
			usage(stdout);
			return CLI_EXIT_OK;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "aes67 status: unexpected argument \"%s\"\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (cli_control_path(control, path, sizeof(path)) < 0) {
		fprintf(stderr,
			"aes67: aes67d is not running (no socket path: XDG_RUNTIME_DIR is not "
			"set): start it with aes67d --interface IF, or use --control PATH\n");
		return CLI_EXIT_DAEMON;
	}
	r = call(path, "status", &st, err, sizeof(err));
	if (cli_control_not_running(r)) {
		cli_control_print_not_running(path);
		return CLI_EXIT_DAEMON;
	}
	if (r < 0) {
		fprintf(stderr, "aes67: status: %s\n", err);
		return r == -EACCES ? CLI_EXIT_DAEMON : CLI_EXIT_RUNTIME;
	}
	/* Optional parts: absent in a daemon without them. */
	if (call(path, "version", &ver, err, sizeof(err)) < 0) {
		ver = NULL;
	}
	if (call(path, "sap.status", &sap, err, sizeof(err)) < 0) {
		sap = NULL;
	}
	all = json_object();
	if (all == NULL) {
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	if (ver != NULL && json_object_get(ver, "version") != NULL) {
		json_object_set(all, "version", json_object_get(ver, "version"));
	}
	json_object_set_new(all, "status", strip(json_incref(st)));
	if (sap != NULL && json_object_get(sap, "sap") != NULL) {
		json_object_set(all, "sap", json_object_get(sap, "sap"));
	}
	if (json) {
		if (json_dumpf(all, stdout, JSON_INDENT(2)) != 0 || putchar('\n') == EOF) {
			rc = CLI_EXIT_RUNTIME;
		}
	} else {
		printf("aes67d %s (socket %s)\n",
		       json_string_value(json_object_get(all, "version"))
			       ? json_string_value(json_object_get(all, "version"))
			       : "?",
		       path);
		cli_json_print_text(stdout, st, 2);
		if (json_object_get(all, "sap") != NULL) {
			printf("  sap:\n");
			cli_json_print_text(stdout, json_object_get(all, "sap"), 4);
		}
	}
	json_decref(all);
out:
	json_decref(st);
	json_decref(ver);
	json_decref(sap);
	return fflush(stdout) == 0 ? rc : CLI_EXIT_RUNTIME;
}
