// SPDX-License-Identifier: MIT
/*
 * aes67 sdp: print an SDP.
 *   aes67 sdp STREAM        the SDP aes67d announces for its transmit stream STREAM
 *                           (control command stream.sdp), as is;
 *   aes67 sdp FILE [--json] parse FILE with the core SDP parser and print what it describes:
 *                           every modelled field with --json, a summary otherwise; a file that
 *                           does not parse gives "FILE:LINE: reason" and exit code 3.
 * An argument is a FILE when it is "-" (stdin), contains '/', ends in ".sdp" or names an
 * existing file; otherwise it is a STREAM name (stream names cannot contain '/').
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aes67/error.h"
#include "cli.h"
#include "cli_common.h"
#include "control_client.h"
#include "json_out.h"

/* SDP files are small; anything larger is not an SDP (AES67 SDPs are under 2 KiB). */
#define SDP_FILE_MAX_BYTES (64u * 1024u)

static void usage(FILE *f)
{
	fprintf(f, "usage: aes67 sdp STREAM [--control PATH]   SDP of a transmit stream of aes67d\n"
		   "       aes67 sdp FILE [--json]             parse an SDP file (- for stdin)\n");
}

static bool is_file_arg(const char *a)
{
	size_t n = strlen(a);
	struct stat st;

	return strcmp(a, "-") == 0 || strchr(a, '/') != NULL ||
	       (n > 4 && strcmp(a + n - 4, ".sdp") == 0) || stat(a, &st) == 0;
}

/* Reads the whole file; returns bytes or a negative errno (-EFBIG above the limit). */
static long read_all(const char *path, char *buf, size_t cap)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t n;
	int e;

	if (f == NULL) {
		return -errno;
	}
	n = fread(buf, 1, cap, f);
	e = ferror(f) ? -EIO : (n == cap && fgetc(f) != EOF ? -EFBIG : 0);
	if (f != stdin) {
		fclose(f);
	}
	return e < 0 ? e : (long)n;
}

static void print_summary(const struct aes67_sdp *p)
{
	printf("session \"%s\" (o= %s %llu %llu IN %s %s)\n", p->name, p->username,
	       (unsigned long long)p->sess_id, (unsigned long long)p->sess_version,
	       p->origin_addrtype == AES67_SDP_ADDR_IP6 ? "IP6" : "IP4", p->origin_addr);
	for (unsigned i = 0; i < p->n_media; i++) {
		const struct aes67_sdp_media *m = &p->media[i];
		const struct aes67_sdp_conn *c = aes67_sdp_media_conn(p, m);
		const struct aes67_sdp_rtpmap *map =
			m->n_fmt > 0 ? aes67_sdp_media_rtpmap(m, m->fmt[0]) : NULL;
		const struct aes67_sdp_refclk *rc = aes67_sdp_media_refclk(p, m);
		const struct aes67_sdp_mediaclk *mc = aes67_sdp_media_mediaclk(p, m);
		const char *reason = "";
		int fpp = aes67_sdp_media_frames_per_packet(m);

		printf("media %u: %s %s port %u", i, m->type, m->proto, m->port);
		if (map != NULL) {
			printf(", %s/%u/%u", map->name, map->rate_hz, map->channels);
		}
		if (c != NULL) {
			printf(", to %s", c->addr);
			if (c->has_ttl) {
				printf(" ttl %u", c->ttl);
			}
		}
		if (m->ptime_ns != 0) {
			printf(", ptime %g ms", m->ptime_ns / 1e6);
		}
		if (fpp > 0) {
			printf(" (%d frames)", fpp);
		}
		printf("\n");
		if (rc != NULL && rc->kind == AES67_SDP_REFCLK_PTP) {
			if (rc->traceable) {
				printf("  clock: PTP traceable");
			} else {
				printf("  clock: PTP grandmaster "
				       "%02X-%02X-%02X-%02X-%02X-%02X-%02X-%02X",
				       rc->gmid[0], rc->gmid[1], rc->gmid[2], rc->gmid[3],
				       rc->gmid[4], rc->gmid[5], rc->gmid[6], rc->gmid[7]);
			}
			if (rc->has_domain) {
				printf(" domain %u", rc->domain);
			}
			printf("\n");
		} else if (rc != NULL && rc->kind == AES67_SDP_REFCLK_LOCALMAC) {
			printf("  clock: local MAC %02X-%02X-%02X-%02X-%02X-%02X\n", rc->mac[0],
			       rc->mac[1], rc->mac[2], rc->mac[3], rc->mac[4], rc->mac[5]);
		}
		if (mc != NULL && mc->kind == AES67_SDP_MEDIACLK_DIRECT) {
			printf("  mediaclk: direct=%u\n", mc->offset);
		}
		if (aes67_sdp_media_check(p, i, &reason) == 0) {
			printf("  usable as an AES67 stream\n");
		} else {
			printf("  not usable as an AES67 stream: %s\n", reason);
		}
	}
}

static int parse_file(const char *path, bool json)
{
	struct aes67_sdp *p = malloc(sizeof(*p));
	char *buf = malloc(SDP_FILE_MAX_BYTES);
	struct aes67_sdp_error e;
	long n;
	int r, rc = CLI_EXIT_OK;

	if (p == NULL || buf == NULL) {
		free(p);
		free(buf);
		return CLI_EXIT_RUNTIME;
	}
	n = read_all(path, buf, SDP_FILE_MAX_BYTES);
	if (n < 0) {
		fprintf(stderr, "aes67 sdp: %s: %s\n", path,
			n == -EFBIG ? "larger than 64 KiB: not an SDP" : strerror((int)-n));
		rc = CLI_EXIT_INPUT;
		goto out;
	}
	r = aes67_sdp_parse(p, buf, (size_t)n, &e);
	if (r < 0) {
		if (e.line > 0) {
			fprintf(stderr, "aes67 sdp: %s:%u: %s (%s)\n", path, e.line, e.reason,
				aes67_strerror(r));
		} else {
			fprintf(stderr, "aes67 sdp: %s: %s (%s)\n", path, e.reason,
				aes67_strerror(r));
		}
		rc = CLI_EXIT_INPUT;
		goto out;
	}
	if (json) {
		json_t *o = cli_sdp_to_json(p);

		if (o == NULL || cli_print_json(o) < 0) {
			rc = CLI_EXIT_RUNTIME;
		}
		json_decref(o);
	} else {
		print_summary(p);
	}
out:
	free(p);
	free(buf);
	return rc;
}

static int stream_sdp(const char *name, const char *control, bool json)
{
	char path[108], err[512];
	json_t *resp = NULL;
	const char *sdp;
	int r;

	if ((r = cli_daemon_path(control, path, sizeof(path))) != 0) {
		return r;
	}
	r = cli_daemon_ask(path, json_pack("{s:s, s:s}", "cmd", "stream.sdp", "name", name), &resp,
			   err, sizeof(err));
	if (r > 0) {
		return r;
	}
	if (r < 0) {
		fprintf(stderr, "aes67 sdp: %s\n", err);
		return r == -EREMOTEIO ? CLI_EXIT_INPUT : CLI_EXIT_DAEMON;
	}
	sdp = json_string_value(json_object_get(resp, "sdp"));
	if (sdp == NULL) {
		fprintf(stderr, "aes67 sdp: the daemon's answer has no SDP\n");
		json_decref(resp);
		return CLI_EXIT_DAEMON;
	}
	if (json) {
		json_object_del(resp, "ok");
		json_object_del(resp, "id");
		r = cli_print_json(resp) == 0;
	} else {
		r = fputs(sdp, stdout) != EOF;
	}
	json_decref(resp);
	return r && fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
}

int cli_cmd_sdp(int argc, char **argv)
{
	struct cli_daemon_opts o = {0};

	if (cli_daemon_opts_parse(argc, argv, &o, usage) < 0) {
		return CLI_EXIT_USAGE;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "aes67 sdp: give exactly one STREAM name or FILE\n");
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (is_file_arg(argv[optind])) {
		return parse_file(argv[optind], o.json);
	}
	return stream_sdp(argv[optind], o.control, o.json);
}
