// SPDX-License-Identifier: MIT
/*
 * SAP discovery for the CLI (see sessions.h) and cli_session_find() (cli.h), which `aes67 recv
 * --session NAME` uses: with an interface it listens itself; without one it asks the running
 * aes67d (sessions.list), which has been listening all along.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aes67/error.h"
#include "cli.h"
#include "control_client.h"
#include "netif.h"
#include "sap_listener.h"
#include "sap_socket.h"
#include "sap_summary.h"
#include "sessions.h"

#define NS_PER_S 1000000000ull
#define PROGRESS_PERIOD_NS 250000000ull
/* A listen is minutes at most; sessions expire by RFC 2974 §4 only in a long-running listener. */
#define LISTEN_TIMEOUT_NS (3600ull * NS_PER_S)

struct cli_sessions {
	struct aes67d_sap_socket sock;
	struct aes67d_sap_listener listener;
	const char *until_name;
	bool found;
	unsigned long long wrong_interface;
	uint8_t buf[4096];
	struct aes67_sap_entry entries[CLI_SESSIONS_CAPACITY];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static void on_event(void *user, enum aes67_sap_event ev, const struct aes67_sap_entry *e)
{
	struct cli_sessions *s = user;
	struct aes67d_sap_summary sum;

	if (s->until_name == NULL ||
	    (ev != AES67_SAP_EVENT_ADDED && ev != AES67_SAP_EVENT_UPDATED)) {
		return;
	}
	if (aes67d_sap_summarize(e->sdp, e->sdp_bytes, &sum) == 0 && sum.parsed &&
	    strcmp(sum.name, s->until_name) == 0) {
		s->found = true;
	}
}

void cli_print_interfaces(const char *why)
{
	fprintf(stderr, "aes67: %s.\nInterfaces on this host:\n", why);
	if (aes67d_netif_print_table(stderr, "  ") < 0) {
		fprintf(stderr, "  (cannot list interfaces)\n");
	}
	fprintf(stderr, "Choose the one your AES67 network is on: --interface NAME\n");
}

static void drain(struct cli_sessions *s)
{
	for (int i = 0; i < 64; i++) {
		struct aes67_sap_origin src;
		bool truncated = false;
		int n = aes67d_sap_socket_recv(&s->sock, s->buf, sizeof(s->buf), &src, &truncated);

		if (n == -EAGAIN || (n < 0 && n != -EXDEV)) {
			return;
		}
		if (n == -EXDEV) {
			s->wrong_interface++;
		} else if (truncated) {
			aes67d_sap_listener_oversize(&s->listener);
		} else {
			(void)aes67d_sap_listener_handle(&s->listener, s->buf, (size_t)n, &src,
							 mono_ns());
		}
	}
}

int cli_sessions_listen(struct cli_sessions **out, const char *ifname, double wait_s,
			const char *until_name, bool progress, char *err, size_t err_bytes)
{
	struct cli_sessions *s;
	uint64_t start, end, next_progress;
	bool shown = false;
	int r;

	*out = NULL;
	if (!(wait_s > 0 && wait_s <= CLI_SESSIONS_MAX_WAIT_S)) {
		snprintf(err, err_bytes, "the wait must be more than 0 and at most %.0f s",
			 CLI_SESSIONS_MAX_WAIT_S);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, err_bytes, "out of memory");
		return -ENOMEM;
	}
	s->until_name = until_name;
	r = aes67d_sap_listener_init(&s->listener, s->entries, CLI_SESSIONS_CAPACITY,
				     LISTEN_TIMEOUT_NS, on_event, s);
	if (r == 0) {
		r = aes67d_sap_socket_open(&s->sock, ifname, err, err_bytes);
	}
	if (r < 0) {
		free(s);
		return r;
	}
	progress = progress && isatty(STDERR_FILENO);
	start = mono_ns();
	end = start + (uint64_t)(wait_s * 1e9);
	next_progress = start;
	while (!s->found) {
		uint64_t now = mono_ns();
		struct pollfd p = {.fd = s->sock.fd, .events = POLLIN};
		uint64_t until = end;

		if (now >= end) {
			break;
		}
		if (progress && now >= next_progress) {
			fprintf(stderr, "\rlistening for SAP on %s: %zu session%s, %.1f s left ",
				ifname, s->listener.cache.count,
				s->listener.cache.count == 1 ? "" : "s", (double)(end - now) / 1e9);
			shown = true;
			next_progress = now + PROGRESS_PERIOD_NS;
		}
		if (progress && next_progress < until) {
			until = next_progress;
		}
		if (poll(&p, 1, (int)((until - now + 999999u) / 1000000u)) > 0) {
			drain(s);
		}
	}
	if (shown) {
		fprintf(stderr, "\r\033[K");
	}
	aes67d_sap_socket_close(&s->sock);
	*out = s;
	return 0;
}

json_t *cli_sessions_json(struct cli_sessions *s, bool with_sdp, const char *name)
{
	const struct aes67_sap_entry *e;
	json_t *arr = json_array();
	size_t cursor = 0;
	uint64_t now = mono_ns();

	while (arr != NULL && (e = aes67_sap_cache_next(&s->listener.cache, &cursor)) != NULL) {
		json_t *o = aes67d_sap_entry_json(e, now, with_sdp);
		const char *n = json_string_value(json_object_get(o, "name"));

		if (o != NULL && name != NULL && (n == NULL || strcmp(n, name) != 0)) {
			json_decref(o);
			continue;
		}
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

unsigned long long cli_sessions_drops(const struct cli_sessions *s)
{
	const struct aes67d_sap_listener_stats *l = &s->listener.stats;

	return l->malformed + l->encrypted + l->compressed + l->other_payload + l->oversize +
	       l->full + l->forged_deletion + s->wrong_interface;
}

void cli_sessions_free(struct cli_sessions *s)
{
	free(s);
}

/* Copies the "sdp" of the most recently announced element of @arr (smallest age_s). */
static int copy_sdp(json_t *arr, char *sdp, size_t sdp_cap)
{
	const json_t *best = NULL;
	const char *text;
	size_t len;

	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *o = json_array_get(arr, i);

		if (best == NULL || json_number_value(json_object_get(o, "age_s")) <
					    json_number_value(json_object_get(best, "age_s"))) {
			best = o;
		}
	}
	if (best == NULL) {
		return -ENOENT;
	}
	text = json_string_value(json_object_get(best, "sdp"));
	if (text == NULL) {
		return -ENOENT;
	}
	len = strlen(text);
	if (len >= sdp_cap) {
		return -AES67_ENOSPACE;
	}
	memcpy(sdp, text, len + 1);
	return (int)len;
}

static int find_via_daemon(const char *name, char *sdp, size_t sdp_cap)
{
	char path[108], err[256];
	json_t *req, *resp = NULL;
	int r = cli_control_path(NULL, path, sizeof(path));

	if (r < 0) {
		return r;
	}
	req = json_pack("{s:s, s:b, s:s}", "cmd", "sessions.list", "sdp", 1, "name", name);
	if (req == NULL) {
		return -ENOMEM;
	}
	r = cli_control_call(path, req, &resp, err, sizeof(err));
	json_decref(req);
	if (r < 0) {
		return r;
	}
	r = copy_sdp(json_object_get(resp, "sessions"), sdp, sdp_cap);
	json_decref(resp);
	return r;
}

int cli_session_find(const char *ifname, const char *name, double wait_s, char *sdp, size_t sdp_cap)
{
	const struct aes67_sap_entry *e, *best = NULL;
	struct aes67d_sap_summary sum;
	struct cli_sessions *s;
	size_t cursor = 0;
	char err[256];
	int r;

	if (name == NULL || sdp == NULL || sdp_cap == 0) {
		return -EINVAL;
	}
	if (ifname == NULL || ifname[0] == '\0') {
		return find_via_daemon(name, sdp, sdp_cap);
	}
	r = cli_sessions_listen(&s, ifname, wait_s, name, true, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "aes67: %s\n", err);
		return r;
	}
	r = -ENOENT;
	while ((e = aes67_sap_cache_next(&s->listener.cache, &cursor)) != NULL) {
		if (aes67d_sap_summarize(e->sdp, e->sdp_bytes, &sum) == 0 && sum.parsed &&
		    strcmp(sum.name, name) == 0 &&
		    (best == NULL || e->last_seen_ns > best->last_seen_ns)) {
			best = e; /* the most recently announced of equal names */
		}
	}
	if (best != NULL && best->sdp_bytes >= sdp_cap) {
		r = -AES67_ENOSPACE;
	} else if (best != NULL) {
		memcpy(sdp, best->sdp, best->sdp_bytes);
		sdp[best->sdp_bytes] = '\0';
		r = (int)best->sdp_bytes;
	}
	cli_sessions_free(s);
	return r;
}
