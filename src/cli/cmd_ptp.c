// SPDX-License-Identifier: MIT
/*
 * `aes67 ptp [--json] [--control PATH]`: the daemon's PTP state through the `ptp.status`
 * control command (docs/ptp.md): port state, grandmaster, offset, mean path delay, rate, lock,
 * message counters. --json prints the daemon's object unchanged.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"
#include "control_client.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: aes67 ptp [--json] [--control PATH]\n"
		   "  PTP state of the running aes67d: state, grandmaster, offset, path delay,\n"
		   "  rate, lock and message counters.\n"
		   "  -j, --json          print the status as JSON\n"
		   "  -s, --control PATH  the daemon's control socket\n");
}

static long long int_of(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static void print_counters(const char *title, const json_t *o)
{
	const char *k;
	json_t *v;
	int n = 0;

	printf("%-17s", title);
	json_object_foreach((json_t *)o, k, v)
	{
		if (json_integer_value(v) != 0) {
			printf(" %s %lld", k, (long long)json_integer_value(v));
			n++;
		}
	}
	printf("%s\n", n == 0 ? " none" : "");
}

static void print_human(const json_t *p)
{
	const json_t *gm = json_object_get(p, "grandmaster");
	const json_t *ttl = json_object_get(p, "time_to_lock_s");
	const json_t *servo = json_object_get(p, "servo");

	if (!json_is_true(json_object_get(p, "running"))) {
		printf("PTP is off: %s\n", json_string_value(json_object_get(p, "reason")));
		return;
	}
	printf("%-17s %s on %s (%s, domain %lld)\n", "state",
	       json_string_value(json_object_get(p, "state")),
	       json_string_value(json_object_get(p, "interface")),
	       json_string_value(json_object_get(p, "transport")), int_of(p, "domain"));
	if (json_is_string(json_object_get(p, "timestamping_reason"))) {
		printf("%-17s %s (%s)\n", "timestamping",
		       json_string_value(json_object_get(p, "timestamping")),
		       json_string_value(json_object_get(p, "timestamping_reason")));
	}
	printf("%-17s %s\n", "clock identity",
	       json_string_value(json_object_get(p, "clock_identity")));
	printf("%-17s %s (steps removed %lld)\n", "grandmaster",
	       json_is_string(gm) ? json_string_value(gm) : "none", int_of(p, "steps_removed"));
	printf("%-17s %s", "locked", json_is_true(json_object_get(p, "locked")) ? "yes" : "no");
	if (json_is_true(json_object_get(p, "locked"))) {
		printf(" for %.1f s", json_real_value(json_object_get(p, "locked_for_s")));
	}
	if (json_is_real(ttl)) {
		printf(" (first lock %.2f s after the first Sync)", json_real_value(ttl));
	}
	printf("\n%-17s %lld ns\n", "offset", int_of(p, "offset_ns"));
	printf("%-17s %lld ns\n", "mean path delay", int_of(p, "mean_path_delay_ns"));
	printf("%-17s %+.3f ppm\n", "rate", json_real_value(json_object_get(p, "rate_ppm")));
	printf("%-17s %lld samples, %lld outliers, %lld steps, %lld re-acquired, %lld rate "
	       "re-opened\n",
	       "servo", int_of(servo, "samples"), int_of(servo, "outliers"), int_of(servo, "steps"),
	       int_of(servo, "reacquired"), int_of(servo, "rate_reopened"));
	print_counters("received", json_object_get(p, "rx"));
	print_counters("sent", json_object_get(p, "tx"));
	print_counters("dropped", json_object_get(p, "drops"));
	print_counters("errors", json_object_get(p, "errors"));
}

int cli_cmd_ptp(int argc, char **argv)
{
	struct cli_daemon_opts o = {0};
	char path[108], err[256];
	json_t *resp = NULL, *p;
	int r;

	if (cli_daemon_opts_parse(argc, argv, &o, usage) < 0) {
		return CLI_EXIT_USAGE;
	}
	if (cli_refuse_args("ptp", argc, argv, NULL)) {
		return CLI_EXIT_USAGE;
	}
	if ((r = cli_control_path(o.control, path, sizeof(path))) < 0) {
		fprintf(stderr, "aes67 ptp: no control socket path (%s): use --control PATH\n",
			strerror(-r));
		return CLI_EXIT_USAGE;
	}
	r = cli_daemon_ask(path, json_pack("{s:s}", "cmd", "ptp.status"), &resp, err, sizeof(err));
	if (r > 0) {
		return r;
	}
	if (r < 0) {
		fprintf(stderr, "aes67 ptp: %s\n", err);
		return CLI_EXIT_DAEMON;
	}
	p = json_object_get(resp, "ptp");
	if (!json_is_object(p)) {
		fprintf(stderr, "aes67 ptp: the daemon's answer has no \"ptp\" object\n");
		json_decref(resp);
		return CLI_EXIT_DAEMON;
	}
	if (o.json) {
		(void)cli_print_json(p); /* as before: a failing stdout is not reported */
	} else {
		print_human(p);
	}
	json_decref(resp);
	return CLI_EXIT_OK;
}
