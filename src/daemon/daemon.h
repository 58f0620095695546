/* SPDX-License-Identifier: MIT */
/*
 * State of one running aes67d that the control commands work on. Once the control thread runs,
 * the configuration is owned by that thread: only command handlers read or change it.
 */
#ifndef AES67D_DAEMON_H
#define AES67D_DAEMON_H

#include <stdint.h>
#include <sys/types.h>

#include "clock.h"
#include "config.h"
#include "control.h"

/* One session the SAP announcer is to announce: filled by the engine from its transmit streams. */
struct aes67d_announce_item {
	char name[AES67D_NAME_BYTES]; /* the stream name (unique) */
	uint32_t version;	      /* changes when the SDP changes (o= sess-version) */
	size_t sdp_bytes;
	char sdp[AES67D_SDP_BYTES];
};

struct aes67d;
struct aes67d_ptp_engine;

/*
 * Cross-part calls. Each is set by the part that provides it in its start hook and is NULL
 * until then; callers check. Thread: control (any thread that is not RT); implementations
 * take their own locks.
 */
struct aes67d_links {
	/* Engine → SAP: the current transmit sessions. Returns the count written (<= max). */
	int (*announce_list)(struct aes67d *d, struct aes67d_announce_item *items, size_t max);
	/* SAP → engine: SDP of a discovered session by its s= name. Returns bytes or -ENOENT. */
	int (*session_lookup)(struct aes67d *d, const char *name, char *sdp, size_t sdp_cap);
};

struct aes67d {
	struct aes67d_config config;
	const char *config_path; /* NULL: changes are not persisted */
	struct aes67d_clock *clock;
	struct aes67d_control *control;
	uint64_t start_mono_ns; /* CLOCK_MONOTONIC at start */
	pid_t pid;
	struct aes67d_links links;
	/* Parts added by later work; each owner adds its fields above its own marker. */
	struct aes67d_ptp_engine *ptp;	       /* NULL: PTP off (reason in ptp_error) */
	struct aes67d_clock *ptp_system_clock; /* the CLOCK_TAI back end: PTP's GM timebase */
	char ptp_error[256];
	/* @hook fields ptp (end) */
	struct aes67d_devices *devices; /* device.h: shared-memory devices (NULL before start) */
	/* @hook fields device (end) */
	struct aes67d_glue *glue; /* engine_glue.h: the streaming engine and its streams */
	/* @hook fields engine (end) */
	struct aes67d_sap *sap; /* SAP announcer/listener (sap_daemon.h) */
				/* @hook fields sap (end) */
};

/**
 * aes67d_commands_register() - register status, version, ping, stream.list, stream.add and
 * stream.remove on a control server.
 * @ctl: the server (not yet started). @d: the daemon state the handlers use; must outlive @ctl.
 * Return: 0 or an error of aes67d_control_register(). Thread: control.
 */
AES67_MUST_CHECK int aes67d_commands_register(struct aes67d_control *ctl, struct aes67d *d);

#endif /* AES67D_DAEMON_H */
