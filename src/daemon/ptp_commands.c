// SPDX-License-Identifier: MIT
/*
 * PTP in the daemon (ptp_commands.h): engine lifetime and the `ptp.status` command, whose
 * members docs/ptp.md lists. The control thread reads only the engine's status snapshot.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "aes67/error.h"
#include "log.h"
#include "ptp_commands.h"
#include "ptp_engine.h"

static const struct {
	unsigned type;
	const char *name;
} msg_names[] = {
	{AES67_PTP_SYNC, "sync"},
	{AES67_PTP_DELAY_REQ, "delay_req"},
	{AES67_PTP_PDELAY_REQ, "pdelay_req"},
	{AES67_PTP_PDELAY_RESP, "pdelay_resp"},
	{AES67_PTP_FOLLOW_UP, "follow_up"},
	{AES67_PTP_DELAY_RESP, "delay_resp"},
	{AES67_PTP_PDELAY_RESP_FOLLOW_UP, "pdelay_resp_follow_up"},
	{AES67_PTP_ANNOUNCE, "announce"},
	{0xC, "signaling"},
	{0xD, "management"},
};

static void id_str(const uint8_t id[8], char *buf, size_t n)
{
	snprintf(buf, n, "%02x%02x%02x.%02x%02x.%02x%02x%02x", id[0], id[1], id[2], id[3], id[4],
		 id[5], id[6], id[7]);
}

static json_t *counters(const uint32_t c[16])
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < AES67_ARRAY_SIZE(msg_names); i++) {
		json_object_set_new(o, msg_names[i].name, json_integer(c[msg_names[i].type]));
	}
	return o;
}

static json_t *drops(const struct aes67_ptp_port_status *s)
{
	json_t *o = json_object();

	for (int i = 0; o != NULL && i < AES67_PTP_PORT_DROP_COUNT; i++) {
		if (s->drop[i] != 0) {
			json_object_set_new(o, aes67_ptp_port_drop_str((enum aes67_ptp_port_drop)i),
					    json_integer(s->drop[i]));
		}
	}
	for (int i = 0; o != NULL && i < AES67_PTP_DROP_COUNT; i++) {
		if (s->parse_drop[i] != 0) {
			json_object_set_new(o, aes67_ptp_drop_str((enum aes67_ptp_drop)i),
					    json_integer(s->parse_drop[i]));
		}
	}
	return o;
}

static json_t *status_json(const struct aes67d_ptp_status *st)
{
	const struct aes67_ptp_port_status *s = &st->port;
	char id[32], gm[32], parent[40];
	json_t *o;

	id_str(st->clock_identity, id, sizeof(id));
	id_str(s->gm_identity, gm, sizeof(gm));
	id_str(s->parent.clock_identity, parent, sizeof(parent));
	snprintf(parent + strlen(parent), sizeof(parent) - strlen(parent), "-%u",
		 (unsigned)s->parent.port_number);
	o = json_pack("{s:b, s:s, s:s, s:i, s:s, s:s, s:i}", "running", st->running, "interface",
		      st->ifname, "transport", st->transport == AES67D_PTP_SOCK_L2 ? "l2" : "udp4",
		      "domain", (int)st->domain, "clock_identity", id, "state",
		      aes67_ptp_port_state_str(s->state), "steps_removed", (int)s->steps_removed);
	if (o == NULL) {
		return NULL;
	}
	json_object_set_new(o, "grandmaster", s->gm_valid ? json_string(gm) : json_null());
	json_object_set_new(o, "parent", s->gm_valid ? json_string(parent) : json_null());
	json_object_set_new(o, "offset_ns", json_integer(s->offset_ns));
	json_object_set_new(o, "mean_path_delay_ns", json_integer(s->mean_path_delay_ns));
	json_object_set_new(o, "rate_ppm", json_real(s->rate_ppm));
	json_object_set_new(o, "locked", json_boolean(s->locked));
	json_object_set_new(o, "locked_for_s", json_real((double)s->locked_for_ns / 1e9));
	json_object_set_new(o, "host_offset_ns", json_integer(st->host_offset_ns));
	json_object_set_new(
		o, "time_to_lock_s",
		st->first_lock_mono_ns > 0 && st->first_sync_mono_ns > 0
			? json_real((double)(st->first_lock_mono_ns - st->first_sync_mono_ns) / 1e9)
			: json_null());
	json_object_set_new(o, "lock_after_selection_s",
			    st->first_lock_mono_ns > 0 && st->first_uncalibrated_mono_ns > 0
				    ? json_real((double)(st->first_lock_mono_ns -
							 st->first_uncalibrated_mono_ns) /
						1e9)
				    : json_null());
	json_object_set_new(o, "first_lock_monotonic_s",
			    st->first_lock_monotonic_ns > 0
				    ? json_real((double)st->first_lock_monotonic_ns / 1e9)
				    : json_null());
	json_object_set_new(o, "timestamping", json_string(aes67d_ptp_ts_mode_str(st->ts_mode)));
	json_object_set_new(o, "timestamping_reason", json_string(st->ts_reason));
	json_object_set_new(o, "phc_index", json_integer(st->phc_index));
	if (st->ts_mode == AES67D_PTP_TSMODE_HARDWARE) {
		json_object_set_new(o, "phc",
				    json_pack("{s:f, s:I, s:I}", "rate_ppm", st->phc_rate_ppm,
					      "steps", (json_int_t)st->phc_steps, "errors",
					      (json_int_t)st->phc_errors));
	}
	json_object_set_new(
		o, "servo",
		json_pack("{s:i, s:i, s:i, s:i, s:i}", "samples", (json_int_t)s->servo_samples,
			  "outliers", (json_int_t)s->servo_outliers, "steps",
			  (json_int_t)s->servo_steps, "reacquired", (json_int_t)s->servo_reacquired,
			  "rate_reopened", (json_int_t)s->servo_rate_reopened));
	json_object_set_new(o, "rx", counters(s->rx));
	json_object_set_new(o, "tx", counters(s->tx));
	json_object_set_new(o, "drops", drops(s));
	json_object_set_new(o, "errors",
			    json_pack("{s:I, s:I, s:I, s:I}", "send", (json_int_t)st->send_errors,
				      "recv", (json_int_t)st->recv_errors, "rx_no_timestamp",
				      (json_int_t)st->rx_no_stamp, "tx_timestamp_lost",
				      (json_int_t)st->tx_ts_lost));
	json_object_set_new(o, "hooks",
			    json_pack("{s:I, s:I}", "run", (json_int_t)st->hooks_run, "failed",
				      (json_int_t)st->hooks_failed));
	return o;
}

static int cmd_ptp_status(void *user, const json_t *req, json_t *resp, char *err, size_t err_bytes)
{
	struct aes67d *d = user;
	struct aes67d_ptp_status st;
	json_t *o;

	(void)req;
	(void)err;
	(void)err_bytes;
	if (d->ptp == NULL) {
		o = json_pack("{s:b, s:s}", "running", 0, "reason", d->ptp_error);
	} else {
		aes67d_ptp_engine_status(d->ptp, &st);
		o = status_json(&st);
	}
	if (o == NULL || json_object_set_new(resp, "ptp", o) != 0) {
		return -ENOMEM;
	}
	return 0;
}

/* `ptp.timestamping` as the engine's request. */
static enum aes67d_ptp_ts_request ts_request(enum aes67d_ptp_timestamping t)
{
	switch (t) {
	case AES67D_PTP_TSCFG_SOFTWARE:
		return AES67D_PTP_TS_SOFTWARE;
	case AES67D_PTP_TSCFG_HARDWARE:
		return AES67D_PTP_TS_HARDWARE;
	case AES67D_PTP_TSCFG_AUTO:
		break;
	}
	return AES67D_PTP_TS_AUTO;
}

int aes67d_ptp_setup(struct aes67d *d)
{
	static const struct aes67d_control_cmd cmd = {"ptp.status", cmd_ptp_status, NULL};
	struct aes67d_control_cmd c = cmd;
	const struct aes67d_ptp_config *pc = &d->config.ptp;
	struct aes67d_ptp_params p = {
		.ifname = d->config.interface,
		.transport =
			pc->transport == AES67D_PTP_L2 ? AES67D_PTP_SOCK_L2 : AES67D_PTP_SOCK_UDP4,
		.domain = (uint8_t)pc->domain,
		.priority1 = (uint8_t)pc->priority1,
		.priority2 = (uint8_t)pc->priority2,
		.slave_only = pc->slave_only,
		.timestamping = ts_request(pc->timestamping),
		.on_lock_change = pc->on_lock_change,
		.timebase = d->clock,
	};
	int r;

	c.user = d;
	d->ptp = NULL;
	d->ptp_system_clock = d->clock;
	r = aes67d_ptp_engine_create(&d->ptp, &p, d->ptp_error, sizeof(d->ptp_error));
	if (r < 0 && pc->timestamping == AES67D_PTP_TSCFG_HARDWARE) {
		/* Hardware stamps were required: running without them is not what was asked. */
		d->ptp = NULL;
		aes67d_log(AES67D_LOG_ERR, "ptp: %s (ptp.timestamping is \"hardware\")",
			   d->ptp_error);
		return r;
	}
	if (r < 0) {
		d->ptp = NULL;
		aes67d_log(AES67D_LOG_WARNING,
			   "ptp: off (%s); the media clock is the host's CLOCK_TAI", d->ptp_error);
	} else {
		d->clock = aes67d_ptp_engine_clock(d->ptp);
	}
	return aes67d_control_register(d->control, &c);
}

int aes67d_ptp_start(struct aes67d *d)
{
	int r;

	if (d->ptp == NULL) {
		return 0;
	}
	r = aes67d_ptp_engine_start(d->ptp);
	if (r < 0) {
		snprintf(d->ptp_error, sizeof(d->ptp_error), "thread: %s", strerror(-r));
		aes67d_log(AES67D_LOG_ERR, "ptp: cannot start: %s", d->ptp_error);
		return r;
	}
	aes67d_log(AES67D_LOG_NOTICE, "ptp: running on %s (%s, domain %u)", d->config.interface,
		   d->config.ptp.transport == AES67D_PTP_L2 ? "layer 2" : "UDP/IPv4",
		   (unsigned)d->config.ptp.domain);
	return 0;
}

void aes67d_ptp_stop(struct aes67d *d)
{
	if (d->ptp == NULL) {
		return;
	}
	__atomic_store_n(&d->clock, d->ptp_system_clock, __ATOMIC_RELEASE);
	aes67d_ptp_engine_destroy(d->ptp);
	d->ptp = NULL;
	snprintf(d->ptp_error, sizeof(d->ptp_error), "stopped");
}
