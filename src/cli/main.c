// SPDX-License-Identifier: MIT
/*
 * aes67: the command-line tool. This file only dispatches to the verbs; each verb is in its own
 * file (cmd_<verb>.c). Every verb takes --json where it prints results, and every error names the
 * problem and the fix.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"

static const struct cli_verb verbs[] = {
	/* Each owner adds its verb above its own marker. */
	{"list", cli_cmd_list, "sessions announced on the network (SAP)"},
	{"status", cli_cmd_status, "status of the running aes67d"},
	{"sdp", cli_cmd_sdp, "SDP of a transmit stream, or parse an SDP file"},
	{"send", cli_send, "transmit an audio file as an AES67 stream"},
	{"recv", cli_recv, "receive an AES67 stream into an audio file"},
	{"ptp", cli_cmd_ptp, "PTP state: grandmaster, offset, path delay, lock, counters"},
	/* @section table (end) */
	{NULL, NULL, NULL},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: aes67 VERB [OPTIONS]   (aes67 VERB --help for a verb's options)\n\n");
	for (const struct cli_verb *v = verbs; v->name != NULL; v++) {
		fprintf(f, "  %-8s %s\n", v->name, v->summary);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("aes67 %s\n", AES67_CLI_VERSION);
		return CLI_EXIT_OK;
	}
	/* The in-process engine of send/recv logs under the tool's name, not the daemon's. */
	aes67d_log_setup("aes67", AES67D_LOG_NOTICE, false);
	for (const struct cli_verb *v = verbs; v->name != NULL; v++) {
		if (strcmp(argv[1], v->name) == 0) {
			return v->run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "aes67: unknown verb \"%s\"; run \"aes67 --help\" for the list\n", argv[1]);
	return CLI_EXIT_USAGE;
}
