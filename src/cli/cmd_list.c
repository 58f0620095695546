// SPDX-License-Identifier: MIT
/*
 * aes67 list: the sessions discovered by SAP (RFC 2974). Without --interface it asks the running
 * aes67d (control command sessions.list), which listens all the time; with --interface it listens
 * itself for --wait seconds on that interface (it never picks one: without a daemon and without
 * --interface the error lists the interfaces). Prints a table, or with --json an array of objects
 * with the same members as sessions.list.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_common.h"
#include "control_client.h"
#include "sessions.h"

#define DEFAULT_WAIT_S 3.0

static void usage(FILE *f)
{
	fprintf(f,
		"usage: aes67 list [--json] [--sdp] [--interface IF [--wait S]] [--control PATH]\n"
		"  -i, --interface IF  listen for SAP on IF yourself (else ask aes67d)\n"
		"  -w, --wait S        how long to listen, seconds (default 3; with --interface)\n"
		"  -j, --json          print a JSON array of session objects\n"
		"      --sdp           include each session's full SDP (JSON only)\n"
		"  -s, --control PATH  aes67d's control socket\n");
}

/* Seconds as digits with an optional fraction ("3", "0.5"); own loop, no strtod locale. */
static int parse_seconds(const char *text, double *out)
{
	double v = 0, scale = 1;
	bool frac = false, digits = false;

	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '.' && !frac) {
			frac = true;
		} else if (*p >= '0' && *p <= '9') {
			digits = true;
			if (frac) {
				scale /= 10;
				v += (*p - '0') * scale;
			} else {
				v = v * 10 + (*p - '0');
			}
			if (v > CLI_SESSIONS_MAX_WAIT_S) {
				return -ERANGE;
			}
		} else {
			return -EINVAL;
		}
	}
	if (!digits || v <= 0) {
		return -ERANGE;
	}
	*out = v;
	return 0;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static void print_table(const json_t *arr)
{
	size_t i;
	const json_t *o;
	int w = 4;

	json_array_foreach(arr, i, o)
	{
		int n = (int)strlen(str(o, "name"));

		w = n > w ? (n > 40 ? 40 : n) : w;
	}
	printf("%-*s  %-15s  %-5s  %6s  %3s  %-21s  %5s\n", w, "NAME", "ORIGIN", "ENC", "RATE",
	       "CH", "ADDRESS:PORT", "AGE");
	json_array_foreach(arr, i, o)
	{
		char addr[64];

		if (json_object_get(o, "sdp_error") != NULL) {
			printf("%-*.*s  %-15s  (SDP does not parse: %s)\n", w, w, str(o, "name"),
			       str(o, "origin"), str(o, "sdp_error"));
			continue;
		}
		snprintf(addr, sizeof(addr), "%s:%lld", str(o, "address"),
			 (long long)json_integer_value(json_object_get(o, "port")));
		printf("%-*.*s  %-15s  %-5s  %6lld  %3lld  %-21s  %4.0fs\n", w, w, str(o, "name"),
		       str(o, "origin"), str(o, "encoding"),
		       (long long)json_integer_value(json_object_get(o, "rate")),
		       (long long)json_integer_value(json_object_get(o, "channels")), addr,
		       json_number_value(json_object_get(o, "age_s")));
	}
}

static int from_daemon(const char *control, bool with_sdp, json_t **arr)
{
	char path[108], err[512];
	json_t *req, *resp = NULL;
	int r = cli_control_path(control, path, sizeof(path));

	if (r < 0) {
		cli_print_interfaces("no --interface given and no aes67d control socket known "
				     "(XDG_RUNTIME_DIR is not set)");
		return CLI_EXIT_USAGE;
	}
	req = json_pack("{s:s, s:b}", "cmd", "sessions.list", "sdp", (int)with_sdp);
	if (req == NULL) {
		return CLI_EXIT_RUNTIME;
	}
	r = cli_control_call(path, req, &resp, err, sizeof(err));
	json_decref(req);
	if (cli_control_not_running(r)) {
		char why[256];

		snprintf(why, sizeof(why),
			 "aes67d is not running (socket %.120s) and no --interface was given, so "
			 "there is nobody to ask",
			 path);
		cli_print_interfaces(why);
		fprintf(stderr, "Then run: aes67 list --interface NAME   (or start aes67d)\n");
		return CLI_EXIT_USAGE;
	}
	if (r < 0) {
		fprintf(stderr, "aes67: sessions.list: %s\n", err);
		return CLI_EXIT_DAEMON;
	}
	*arr = json_incref(json_object_get(resp, "sessions"));
	json_decref(resp);
	if (!json_is_array(*arr)) {
		fprintf(stderr,
			"aes67: sessions.list: the daemon's answer has no sessions array\n");
		json_decref(*arr);
		return CLI_EXIT_DAEMON;
	}
	return CLI_EXIT_OK;
}

int cli_cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"interface", required_argument, NULL, 'i'},
		{"wait", required_argument, NULL, 'w'},
		{"json", no_argument, NULL, 'j'},
		{"sdp", no_argument, NULL, 'S'},
		{"control", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_daemon_opts o = {0};
	const char *ifname = NULL;
	bool with_sdp = false, wait_given = false;
	double wait_s = DEFAULT_WAIT_S;
	json_t *arr = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "i:w:js:h", longopts, NULL)) != -1) {
		if (c == 'i') {
			ifname = optarg;
		} else if (c == 'w') {
			if (parse_seconds(optarg, &wait_s) < 0) {
				fprintf(stderr,
					"aes67 list: --wait \"%s\": give seconds, more than 0 and "
					"at "
					"most %.0f (e.g. --wait 5)\n",
					optarg, CLI_SESSIONS_MAX_WAIT_S);
				return CLI_EXIT_USAGE;
			}
			wait_given = true;
		} else if (c == 'S') {
			with_sdp = true;
		} else if (cli_daemon_opt(c, &o, usage) < 0) {
			return CLI_EXIT_USAGE;
		}
	}
	if (cli_refuse_args("list", argc, argv, usage)) {
		return CLI_EXIT_USAGE;
	}
	if (ifname != NULL) {
		struct cli_sessions *s;
		char err[256];
		int r = cli_sessions_listen(&s, ifname, wait_s, NULL, true, err, sizeof(err));

		if (r < 0) {
			char why[320];

			snprintf(why, sizeof(why), "cannot listen on %s: %s", ifname, err);
			cli_print_interfaces(why);
			return r == -EINVAL || r == -ENODEV || r == -ENETDOWN ||
					       r == -EADDRNOTAVAIL || r == -EOPNOTSUPP
				       ? CLI_EXIT_USAGE
				       : CLI_EXIT_RUNTIME;
		}
		arr = cli_sessions_json(s, with_sdp, NULL);
		if (arr != NULL && json_array_size(arr) == 0 && !o.json) {
			fprintf(stderr, "aes67: no SAP announcement heard on %s in %.1f s%s\n",
				ifname, wait_s,
				cli_sessions_drops(s) > 0 ? " (some were refused)" : "");
		}
		cli_sessions_free(s);
		if (arr == NULL) {
			return CLI_EXIT_RUNTIME;
		}
	} else {
		if (wait_given) {
			fprintf(stderr,
				"aes67 list: --wait needs --interface (aes67d answers at once)\n");
			return CLI_EXIT_USAGE;
		}
		rc = from_daemon(o.control, with_sdp, &arr);
		if (rc != CLI_EXIT_OK) {
			return rc;
		}
	}
	if (o.json) {
		rc = cli_print_json(arr) == 0 ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
	} else {
		print_table(arr);
		rc = CLI_EXIT_OK;
	}
	json_decref(arr);
	return fflush(stdout) == 0 ? rc : CLI_EXIT_RUNTIME;
}
