// SPDX-License-Identifier: MIT
/*
 * The control commands aes67d answers today: ping, version, status, stream.list, stream.add and
 * stream.remove. The stream commands change the configuration the same way a file load does:
 * the request's stream object goes through the same strict reader, the whole new configuration
 * is validated, saved atomically, and only then becomes the live one. A failure at any step
 * leaves both the live configuration and the file untouched. (The engine that turns streams
 * into packets reads the configuration later; these commands do not start audio yet.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aes67/error.h"
#include "config_json.h"
#include "daemon.h"

#ifndef AES67D_VERSION
#define AES67D_VERSION "0.0.0"
#endif

static int set(json_t *obj, const char *key, json_t *v)
{
	return v != NULL && json_object_set_new(obj, key, v) == 0 ? 0 : -ENOMEM;
}

static int cmd_ping(void *user, const json_t *req, json_t *resp, char *err, size_t err_bytes)
{
	return set(resp, "pong", json_true());
}

static int cmd_version(void *user, const json_t *req, json_t *resp, char *err, size_t err_bytes)
{
	if (set(resp, "version", json_string(AES67D_VERSION)) < 0) {
		return -ENOMEM;
	}
	return set(resp, "protocol", json_integer(AES67D_CONTROL_PROTOCOL));
}

static int cmd_status(void *user, const json_t *req, json_t *resp, char *err, size_t err_bytes)
{
	struct aes67d *d = user;
	struct timespec ts;
	uint64_t now_ns = 0, ptp_ns = 0;
	json_t *clk;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0) {
		now_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
	clk = json_object();
	if (clk == NULL) {
		return -ENOMEM;
	}
	if (d->clock != NULL && d->clock->now_ns(d->clock, &ptp_ns) == 0) {
		json_object_set_new(clk, "name", json_string(d->clock->name));
		json_object_set_new(clk, "ptp_time_ns", json_integer((json_int_t)ptp_ns));
		json_object_set_new(
			clk, "reference",
			json_string(d->clock->kind == AES67D_CLOCK_PTP ? "ptp" : "localmac"));
	}
	if (set(resp, "pid", json_integer(d->pid)) < 0 ||
	    set(resp, "interface", json_string(d->config.interface)) < 0 ||
	    set(resp, "uptime_s",
		json_integer((json_int_t)((now_ns - d->start_mono_ns) / 1000000000u))) < 0 ||
	    set(resp, "clock", clk) < 0 ||
	    set(resp, "devices", json_integer(d->config.n_devices)) < 0 ||
	    set(resp, "tx_streams", json_integer(d->config.n_tx)) < 0 ||
	    set(resp, "rx_streams", json_integer(d->config.n_rx)) < 0 ||
	    set(resp, "refused_clients",
		json_integer((json_int_t)(d->control != NULL ? aes67d_control_refused(d->control)
							     : 0))) < 0) {
		return -ENOMEM;
	}
	return 0;
}

static int cmd_stream_list(void *user, const json_t *req, json_t *resp, char *err, size_t err_bytes)
{
	struct aes67d *d = user;
	json_t *tx = json_array(), *rx = json_array();
	int r = tx != NULL && rx != NULL ? 0 : -ENOMEM;

	for (uint32_t i = 0; r == 0 && i < d->config.n_tx; i++) {
		json_t *s = aes67d_config_tx_to_json(&d->config.tx[i]);

		r = s != NULL && json_array_append_new(tx, s) == 0 ? 0 : -ENOMEM;
	}
	for (uint32_t i = 0; r == 0 && i < d->config.n_rx; i++) {
		json_t *s = aes67d_config_rx_to_json(&d->config.rx[i]);

		r = s != NULL && json_array_append_new(rx, s) == 0 ? 0 : -ENOMEM;
	}
	if (r < 0) {
		json_decref(tx);
		json_decref(rx);
		return r;
	}
	if (set(resp, "tx", tx) < 0 || set(resp, "rx", rx) < 0) {
		return -ENOMEM;
	}
	return 0;
}

/* "direction": "tx" | "rx" -> 1 | 0, or a negative error with a message. */
static int get_direction(const json_t *req, char *err, size_t err_bytes)
{
	const char *dir = json_string_value(json_object_get(req, "direction"));

	if (dir != NULL && strcmp(dir, "tx") == 0) {
		return 1;
	}
	if (dir != NULL && strcmp(dir, "rx") == 0) {
		return 0;
	}
	snprintf(err, err_bytes, "direction: must be \"tx\" or \"rx\"");
	return -AES67_EMALFORMED;
}

/* Validates and persists a candidate; on success it becomes the live configuration. */
static int commit(struct aes67d *d, struct aes67d_config *cand, char *err, size_t err_bytes)
{
	int r = aes67d_config_validate(cand, err, err_bytes);

	if (r < 0) {
		return r;
	}
	if (d->config_path != NULL) {
		r = aes67d_config_save(cand, d->config_path, err, err_bytes);
		if (r < 0) {
			return r;
		}
	}
	memcpy(&d->config, cand, sizeof(d->config));
	return 0;
}

static int cmd_stream_add(void *user, const json_t *req, json_t *resp, char *err, size_t err_bytes)
{
	struct aes67d *d = user;
	const json_t *s = json_object_get(req, "stream");
	struct aes67d_config *cand;
	int tx = get_direction(req, err, err_bytes), r;

	if (tx < 0) {
		return tx;
	}
	if (s == NULL) {
		snprintf(err, err_bytes, "stream: missing (the stream object to add)");
		return -AES67_EMALFORMED;
	}
	cand = malloc(sizeof(*cand));
	if (cand == NULL) {
		return -ENOMEM;
	}
	memcpy(cand, &d->config, sizeof(*cand));
	if ((tx && cand->n_tx >= AES67D_MAX_STREAMS) || (!tx && cand->n_rx >= AES67D_MAX_STREAMS)) {
		snprintf(err, err_bytes, "streams.%s: already %d streams, the maximum",
			 tx ? "tx" : "rx", AES67D_MAX_STREAMS);
		r = -AES67_ENOSPACE;
	} else if (tx) {
		r = aes67d_config_tx_from_json(s, "stream", &cand->tx[cand->n_tx], err, err_bytes);
		cand->n_tx += r == 0;
	} else {
		r = aes67d_config_rx_from_json(s, "stream", &cand->rx[cand->n_rx], err, err_bytes);
		cand->n_rx += r == 0;
	}
	if (r == 0) {
		r = commit(d, cand, err, err_bytes);
	}
	free(cand);
	if (r == 0) {
		r = set(resp, "name", json_string(json_string_value(json_object_get(s, "name"))));
	}
	return r;
}

static int cmd_stream_remove(void *user, const json_t *req, json_t *resp, char *err,
			     size_t err_bytes)
{
	struct aes67d *d = user;
	const char *name = json_string_value(json_object_get(req, "name"));
	struct aes67d_config *cand;
	int tx = get_direction(req, err, err_bytes), r = -AES67_ENOTFOUND;

	if (tx < 0) {
		return tx;
	}
	if (name == NULL) {
		snprintf(err, err_bytes, "name: missing (the stream's name)");
		return -AES67_EMALFORMED;
	}
	cand = malloc(sizeof(*cand));
	if (cand == NULL) {
		return -ENOMEM;
	}
	memcpy(cand, &d->config, sizeof(*cand));
	if (tx) {
		for (uint32_t i = 0; i < cand->n_tx; i++) {
			if (strcmp(cand->tx[i].name, name) == 0) {
				memmove(&cand->tx[i], &cand->tx[i + 1],
					(cand->n_tx - i - 1) * sizeof(cand->tx[0]));
				cand->n_tx--;
				memset(&cand->tx[cand->n_tx], 0, sizeof(cand->tx[0]));
				r = 0;
				break;
			}
		}
	} else {
		for (uint32_t i = 0; i < cand->n_rx; i++) {
			if (strcmp(cand->rx[i].name, name) == 0) {
				memmove(&cand->rx[i], &cand->rx[i + 1],
					(cand->n_rx - i - 1) * sizeof(cand->rx[0]));
				cand->n_rx--;
				memset(&cand->rx[cand->n_rx], 0, sizeof(cand->rx[0]));
				r = 0;
				break;
			}
		}
	}
	if (r < 0) {
		snprintf(err, err_bytes, "name: no %s stream named \"%.64s\"", tx ? "tx" : "rx",
			 name);
	} else {
		r = commit(d, cand, err, err_bytes);
	}
	free(cand);
	return r;
}

int aes67d_commands_register(struct aes67d_control *ctl, struct aes67d *d)
{
	const struct aes67d_control_cmd cmds[] = {
		{"ping", cmd_ping, d},
		{"version", cmd_version, d},
		{"status", cmd_status, d},
		{"stream.list", cmd_stream_list, d},
		{"stream.add", cmd_stream_add, d},
		{"stream.remove", cmd_stream_remove, d},
	};

	for (size_t i = 0; i < AES67_ARRAY_SIZE(cmds); i++) {
		int r = aes67d_control_register(ctl, &cmds[i]);

		if (r < 0) {
			return r;
		}
	}
	return 0;
}
