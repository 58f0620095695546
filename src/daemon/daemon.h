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

struct aes67d {
	struct aes67d_config config;
	const char *config_path; /* NULL: changes are not persisted */
	struct aes67d_clock *clock;
	struct aes67d_control *control;
	uint64_t start_mono_ns; /* CLOCK_MONOTONIC at start */
	pid_t pid;
};

/**
 * aes67d_commands_register() - register status, version, ping, stream.list, stream.add and
 * stream.remove on a control server.
 * @ctl: the server (not yet started). @d: the daemon state the handlers use; must outlive @ctl.
 * Return: 0 or an error of aes67d_control_register(). Thread: control.
 */
AES67_MUST_CHECK int aes67d_commands_register(struct aes67d_control *ctl, struct aes67d *d);

#endif /* AES67D_DAEMON_H */
