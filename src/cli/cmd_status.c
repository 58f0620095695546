// SPDX-License-Identifier: MIT
/*
 * aes67 status: what the running aes67d reports. It asks "status" (version, uptime, interface,
 * clock, devices, streams and whatever the engine adds) and "version" and "sap.status" (SAP
 * settings and counters) and prints them together, as "key: value" lines or, with --json, as one
 * object {"status":{...}, "version":"...", "sap":{...}}. A part the daemon does not have (an
 * older aes67d without sap.status) is left out, not an error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"
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

/* A part of the status that an older daemon may not have: its answer, or NULL. */
static json_t *ask_optional(const char *path, const char *cmd)
{
	json_t *req = json_pack("{s:s}", "cmd", cmd), *resp = NULL;
	char err[512];

	if (req != NULL && cli_control_call(path, req, &resp, err, sizeof(err)) < 0) {
		resp = NULL;
	}
	json_decref(req);
	return resp;
}

int cli_cmd_status(int argc, char **argv)
{
	struct cli_daemon_opts o = {0};
	char path[108], err[512];
	json_t *st = NULL, *ver = NULL, *sap = NULL, *all;
	int r, rc = CLI_EXIT_OK;

	if (cli_daemon_opts_parse(argc, argv, &o, usage) < 0) {
		return CLI_EXIT_USAGE;
	}
	if (cli_refuse_args("status", argc, argv, NULL)) {
		return CLI_EXIT_USAGE;
	}
	if ((r = cli_daemon_path(o.control, path, sizeof(path))) != 0) {
		return r;
	}
	r = cli_daemon_ask(path, json_pack("{s:s}", "cmd", "status"), &st, err, sizeof(err));
	if (r > 0) {
		return r;
	}
	if (r < 0) {
		fprintf(stderr, "aes67: status: %s\n", err);
		return r == -EACCES ? CLI_EXIT_DAEMON : CLI_EXIT_RUNTIME;
	}
	/* Optional parts: absent in a daemon without them. */
	ver = ask_optional(path, "version");
	sap = ask_optional(path, "sap.status");
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
	if (o.json) {
		if (cli_print_json(all) < 0) {
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
