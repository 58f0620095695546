/* SPDX-License-Identifier: MIT */
/*
 * PTP in aes67d: creating the PTP engine from the configuration's ptp section, making its clock
 * the daemon's media clock, and the `ptp.status` control command (docs/ptp.md).
 */
#ifndef AES67D_PTP_COMMANDS_H
#define AES67D_PTP_COMMANDS_H

#include "aes67/common.h"
#include "daemon.h"

/**
 * aes67d_ptp_setup() - create the PTP engine (sockets, port; no thread) and make its clock
 * d->clock, keeping the system clock as the grandmaster timebase; register `ptp.status`.
 * When the sockets cannot be opened (e.g. not root: port 319 is privileged) PTP stays off, the
 * reason is logged and reported by `ptp.status`, and d->clock stays the system clock.
 * @d: the daemon (config loaded, d->clock the system back end, control not started).
 * Return: 0, or an error of aes67d_control_register(). Thread: main, before the control thread.
 */
AES67_MUST_CHECK int aes67d_ptp_setup(struct aes67d *d);

/**
 * aes67d_ptp_start() - start the PTP thread if the engine exists. Return: 0 or -errno of the
 * thread start (PTP is then reported off and the system clock restored). Thread: main.
 */
AES67_MUST_CHECK int aes67d_ptp_start(struct aes67d *d);

/**
 * aes67d_ptp_stop() - stop the thread, restore the system clock as d->clock, free the engine.
 * Safe when PTP never started. Thread: main, after the users of d->clock stopped.
 */
void aes67d_ptp_stop(struct aes67d *d);

#endif /* AES67D_PTP_COMMANDS_H */
