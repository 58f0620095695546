// SPDX-License-Identifier: MIT
/*
 * Control commands of the SAP part (docs/aes67d.md):
 *   sessions.list {"sdp":bool, "name":str}  sessions discovered by SAP (see sap_summary.h)
 *   sap.status                               settings and every SAP counter
 *   stream.sdp {"name":str}                  the SDP of one of our transmit sessions, as
 *                                            announced (from d->links.announce_list)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aes67/error.h"
#include "daemon.h"
#include "sap_daemon.h"
#include "sap_summary.h"

static int cmd_sessions_list(void *user, const json_t *req, json_t *resp, char *err,
			     size_t err_bytes)
{
	struct aes67d *d = user;
	const json_t *with = json_object_get(req, "sdp");
	const json_t *name = json_object_get(req, "name");
	json_t *arr;

	if (with != NULL && !json_is_boolean(with)) {
		snprintf(err, err_bytes, "sdp: must be true or false");
		return -AES67_EMALFORMED;
	}
	if (name != NULL && !json_is_string(name)) {
		snprintf(err, err_bytes, "name: must be a string (a session's s= name)");
		return -AES67_EMALFORMED;
	}
	arr = aes67d_sap_sessions_json(d->sap, json_is_true(with), json_string_value(name));
	if (arr == NULL) {
		return -ENOMEM;
	}
	json_object_set_new(resp, "count", json_integer((json_int_t)json_array_size(arr)));
	return json_object_set_new(resp, "sessions", arr) == 0 ? 0 : -ENOMEM;
}

static int cmd_sap_status(void *user, const json_t *req, json_t *resp, char *err, size_t err_bytes)
{
	struct aes67d *d = user;
	json_t *o = aes67d_sap_status_json(d->sap);

	return o != NULL && json_object_set_new(resp, "sap", o) == 0 ? 0 : -ENOMEM;
}

static int cmd_stream_sdp(void *user, const json_t *req, json_t *resp, char *err, size_t err_bytes)
{
	struct aes67d *d = user;
	const char *name = json_string_value(json_object_get(req, "name"));
	struct aes67d_announce_item *items;
	int n, r = -AES67_ENOTFOUND;

	if (name == NULL) {
		snprintf(err, err_bytes, "name: missing (the transmit stream's name)");
		return -AES67_EMALFORMED;
	}
	if (d->links.announce_list == NULL) {
		snprintf(err, err_bytes,
			 "no transmit stream is running: the engine is not started in this aes67d");
		return -AES67_ENOTFOUND;
	}
	items = malloc(AES67D_MAX_STREAMS * sizeof(*items));
	if (items == NULL) {
		return -ENOMEM;
	}
	n = d->links.announce_list(d, items, AES67D_MAX_STREAMS);
	for (int i = 0; i < n; i++) {
		if (strncmp(items[i].name, name, sizeof(items[i].name)) == 0 &&
		    items[i].sdp_bytes < sizeof(items[i].sdp)) {
			json_object_set_new(resp, "name", json_string(name));
			json_object_set_new(resp, "version", json_integer(items[i].version));
			r = json_object_set_new(
				    resp, "sdp",
				    aes67d_json_text(items[i].sdp, items[i].sdp_bytes)) == 0
				    ? 0
				    : -ENOMEM;
			break;
		}
	}
	free(items);
	if (n < 0) {
		snprintf(err, err_bytes, "the engine could not list its transmit streams: %s",
			 aes67_strerror(n));
		return n;
	}
	if (r == -AES67_ENOTFOUND) {
		snprintf(
			err, err_bytes,
			"no running transmit stream named \"%.64s\" (see stream.list; an rx stream "
			"has no SDP of ours)",
			name);
	}
	return r;
}

int aes67d_sap_commands_register(struct aes67d_control *ctl, struct aes67d *d)
{
	const struct aes67d_control_cmd cmds[] = {
		{"sessions.list", cmd_sessions_list, d},
		{"sap.status", cmd_sap_status, d},
		{"stream.sdp", cmd_stream_sdp, d},
	};

	for (size_t i = 0; i < AES67_ARRAY_SIZE(cmds); i++) {
		int r = aes67d_control_register(ctl, &cmds[i]);

		if (r < 0) {
			return r;
		}
	}
	return 0;
}
