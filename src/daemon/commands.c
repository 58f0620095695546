// SPDX-License-Identifier: MIT
/*
 * The control commands aes67d answers: ping, version, status, stream.list, stream.add and
 * stream.remove (stream.stats is engine_glue.c's). The stream commands change the configuration
 * the same way a file load does: the request's stream object goes through the same strict
 * reader, the whole new configuration is validated, the stream is started in the engine, the
 * configuration is saved atomically, and only then becomes the live one. A failure at any step
 * leaves the live configuration, the file and the engine as they were. One exception: when the
 * engine itself is not running, the stream is still added (status shows it failed, and why).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aes67/error.h"
#include "config_json.h"
#include "daemon.h"
#include "engine_glue.h"
#include "log.h"

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
	return aes67d_glue_status(d, resp);
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

/* Persists a validated candidate; on success it becomes the live configuration. */
static int commit(struct aes67d *d, struct aes67d_config *cand, char *err, size_t err_bytes)
{
	if (d->config_path != NULL) {
		int r = aes67d_config_save(cand, d->config_path, err, err_bytes);

		if (r < 0) {
			return r;
		}
	}
	memcpy(&d->config, cand, sizeof(d->config));
	return 0;
}

/*
 * {"session": "NAME"} in an rx stream object: the SDP of a session SAP discovered, put in the
 * object's place as "sdp" (so the configuration keeps the description it was started from).
 * Return: 0 with *out NULL (no "session"), 0 with *out a new object, or a negative error.
 */
static int resolve_session(struct aes67d *d, const json_t *s, json_t **out, char *err,
			   size_t err_bytes)
{
	int (*lookup)(struct aes67d *, const char *, char *, size_t) =
		__atomic_load_n(&d->links.session_lookup, __ATOMIC_ACQUIRE);
	const json_t *js = json_object_get(s, "session");
	const char *name = json_string_value(js);
	char *sdp;
	int r;

	*out = NULL;
	if (js == NULL) {
		return 0;
	}
	if (name == NULL) {
		snprintf(err, err_bytes, "stream.session: must be a string (an SAP session name)");
		return -AES67_EMALFORMED;
	}
	if (json_object_get(s, "sdp") != NULL || json_object_get(s, "source") != NULL) {
		snprintf(err, err_bytes, "stream: give one of \"session\", \"sdp\" or \"source\"");
		return -AES67_EMALFORMED;
	}
	if (lookup == NULL) {
		snprintf(err, err_bytes, "stream.session: SAP discovery is not running");
		return -AES67_ENOTFOUND;
	}
	sdp = malloc(AES67D_SDP_BYTES);
	if (sdp == NULL) {
		return -ENOMEM;
	}
	r = lookup(d, name, sdp, AES67D_SDP_BYTES);
	if (r < 0 || r >= AES67D_SDP_BYTES) {
		snprintf(err, err_bytes, "stream.session: no session \"%.64s\" has been announced",
			 name);
		free(sdp);
		return -AES67_ENOTFOUND;
	}
	sdp[r] = '\0';
	*out = json_deep_copy(s);
	if (*out == NULL || json_object_del(*out, "session") != 0 ||
	    json_object_set_new(*out, "sdp", json_string(sdp)) != 0) {
		json_decref(*out);
		*out = NULL;
		free(sdp);
		return -ENOMEM;
	}
	free(sdp);
	return 0;
}

/* Undoes a start whose add is refused; a stream the engine does not release is logged. */
static void forget(struct aes67d *d, bool tx, const char *name)
{
	int r = aes67d_glue_stream_stop(d, tx, name);

	if (r < 0) {
		aes67d_log(AES67D_LOG_ERR, "stream \"%s\": the engine did not release it: %s", name,
			   aes67_strerror(r));
	}
}

static int cmd_stream_add(void *user, const json_t *req, json_t *resp, char *err, size_t err_bytes)
{
	struct aes67d *d = user;
	const json_t *s = json_object_get(req, "stream");
	json_t *resolved = NULL;
	struct aes67d_config *cand;
	const char *name = NULL;
	int tx = get_direction(req, err, err_bytes), r;

	if (tx < 0) {
		return tx;
	}
	if (!json_is_object(s)) {
		snprintf(err, err_bytes, "stream: missing (the stream object to add)");
		return -AES67_EMALFORMED;
	}
	if (!tx && (r = resolve_session(d, s, &resolved, err, err_bytes)) < 0) {
		return r;
	}
	s = resolved != NULL ? resolved : s;
	cand = malloc(sizeof(*cand));
	if (cand == NULL) {
		json_decref(resolved);
		return -ENOMEM;
	}
	memcpy(cand, &d->config, sizeof(*cand));
	if ((tx && cand->n_tx >= AES67D_MAX_STREAMS) || (!tx && cand->n_rx >= AES67D_MAX_STREAMS)) {
		snprintf(err, err_bytes, "streams.%s: already %d streams, the maximum",
			 tx ? "tx" : "rx", AES67D_MAX_STREAMS);
		r = -AES67_ENOSPACE;
	} else if (tx) {
		r = aes67d_config_tx_from_json(s, "stream", &cand->tx[cand->n_tx], err, err_bytes);
		name = r == 0 ? cand->tx[cand->n_tx].name : NULL;
		cand->n_tx += r == 0;
	} else {
		r = aes67d_config_rx_from_json(s, "stream", &cand->rx[cand->n_rx], err, err_bytes);
		name = r == 0 ? cand->rx[cand->n_rx].name : NULL;
		cand->n_rx += r == 0;
	}
	if (r == 0) {
		r = aes67d_config_validate(cand, err, err_bytes);
	}
	if (r == 0) {
		r = aes67d_glue_stream_start(d, cand, tx, name, err, err_bytes);
		if (r < 0 && r != -ENETDOWN) {
			forget(d, tx, name); /* the failed entry */
		}
		r = r == -ENETDOWN ? 0 : r;
		if (r == 0 && (r = commit(d, cand, err, err_bytes)) < 0) {
			forget(d, tx, name);
		}
	}
	if (r == 0) {
		r = set(resp, "name", json_string(name));
	}
	free(cand);
	json_decref(resolved);
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
	} else if ((r = aes67d_config_validate(cand, err, err_bytes)) == 0 &&
		   (r = commit(d, cand, err, err_bytes)) == 0 &&
		   (r = aes67d_glue_stream_stop(d, tx, name)) < 0) {
		snprintf(err, err_bytes,
			 "removed from the configuration, but the engine did not release the "
			 "stream: %s",
			 aes67_strerror(r));
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
