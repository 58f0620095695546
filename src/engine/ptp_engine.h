/* SPDX-License-Identifier: MIT */
/*
 * The PTP thread of aes67d: one ordinary-clock port (core ptp_port.h) driven over real sockets
 * (ptp_sock.h), publishing its time as the PTP media clock (ptp_clock.h).
 *
 * The thread is not audio-RT but stays responsive: it only polls its sockets (and a stop
 * eventfd) with a timeout set by the port's next deadline, and never blocks on anything else.
 * The servo never steps or slews the system clock: PTP time is a mapping over
 * CLOCK_MONOTONIC_RAW. As grandmaster (and before a master is found) PTP time is the host's
 * TAI, taken from a system clock back end (clock.h: CLOCK_TAI, with the 37 s rule) and re-read
 * once a second. An optional program runs on lock-state changes (posix_spawn, reaped with
 * WNOHANG: the thread never waits for it).
 */
#ifndef AES67D_PTP_ENGINE_H
#define AES67D_PTP_ENGINE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "aes67/common.h"
#include "aes67/ptp_port.h"
#include "clock.h"
#include "ptp_sock.h"

#define AES67D_PTP_HOOK_BYTES 256

struct aes67d_ptp_params {
	const char *ifname;
	enum aes67d_ptp_sock_transport transport;
	enum aes67d_ptp_ts_request timestamping; /* AUTO (0): hardware when available */
	uint8_t domain;				 /* 0..127 */
	uint8_t priority1;			 /* §7.6.2.2 */
	uint8_t priority2;
	uint8_t clock_class;	/* 0: default (248; 255 when slave-only) */
	uint8_t clock_accuracy; /* 0: default 0xFE (unknown) */
	bool slave_only;
	/* Source of the grandmaster timebase (borrowed; must outlive the engine). */
	struct aes67d_clock *timebase;
	/* Program run on lock changes as PATH locked|unlocked GM_ID OFFSET_NS, with
	 * AES67_PTP_LOCKED, AES67_PTP_GM, AES67_PTP_STATE in the environment; NULL/"" = none. */
	const char *on_lock_change;
};

struct aes67d_ptp_status {
	bool running;
	char ifname[IF_NAMESIZE];
	enum aes67d_ptp_sock_transport transport;
	uint8_t domain;
	uint8_t clock_identity[AES67_PTP_CLOCK_IDENTITY_BYTES];
	int phc_index; /* -1: none */
	enum aes67d_ptp_ts_mode ts_mode;
	char ts_reason[AES67D_PTP_TS_REASON_BYTES]; /* why ts_mode, e.g. "interface has no PTP
						       hardware clock" */
	double phc_rate_ppm;		/* hardware: PHC -> raw rate measured; 0 otherwise */
	uint64_t phc_steps, phc_errors; /* hardware: PHC steps seen, failed/wide samples */
	struct aes67_ptp_port_status port;
	/* Our PTP time minus the host's TAI (system back end) at the last update: on one machine
	 * (namespaces) the true offset is 0, so this is the mapping's error. */
	int64_t host_offset_ns;
	int64_t first_sync_mono_ns; /* CLOCK_MONOTONIC_RAW of the first Sync received; 0: none */
	int64_t first_lock_mono_ns; /* of the first lock; 0: none */
	/* First entry into UNCALIBRATED (a master was selected), CLOCK_MONOTONIC_RAW; 0: none. */
	int64_t first_uncalibrated_mono_ns;
	/* CLOCK_MONOTONIC (not RAW) of the first lock, for comparing with other programs' logs
	 * (ptp4l stamps its log with CLOCK_MONOTONIC); 0: none. */
	int64_t first_lock_monotonic_ns;
	uint64_t send_errors, recv_errors, rx_no_stamp, tx_ts_lost, hooks_run, hooks_failed;
};

struct aes67d_ptp_engine;

/**
 * aes67d_ptp_engine_create() - open the sockets and prepare the port (no thread yet).
 * @out: result; release with aes67d_ptp_engine_destroy().
 * @p: parameters (strings copied).
 * @err: reason on failure, e.g. "bind udp 319: Permission denied". @err_bytes: its size.
 * Return: 0, -EINVAL (bad parameter), -ENOMEM, -EOPNOTSUPP (hardware timestamping asked for
 * and not available), or -errno of the socket setup. Thread: control.
 */
AES67_MUST_CHECK int aes67d_ptp_engine_create(struct aes67d_ptp_engine **out,
					      const struct aes67d_ptp_params *p, char *err,
					      size_t err_bytes);

/**
 * aes67d_ptp_engine_start() - start the PTP thread.
 * Return: 0 or -errno of pthread_create / eventfd. Thread: control.
 */
AES67_MUST_CHECK int aes67d_ptp_engine_start(struct aes67d_ptp_engine *e);

/**
 * aes67d_ptp_engine_clock() - the media clock the engine publishes (owned by the engine; valid
 * until aes67d_ptp_engine_destroy()). Thread: any.
 */
struct aes67d_clock *aes67d_ptp_engine_clock(struct aes67d_ptp_engine *e);

/**
 * aes67d_ptp_engine_status() - a snapshot, at most one poll cycle old.
 * Thread: any non-RT thread (takes a mutex the PTP thread holds only to copy the snapshot).
 */
void aes67d_ptp_engine_status(struct aes67d_ptp_engine *e, struct aes67d_ptp_status *st);

/**
 * aes67d_ptp_engine_destroy() - stop and join the thread, close the sockets, free. NULL is
 * ignored. Thread: control.
 */
void aes67d_ptp_engine_destroy(struct aes67d_ptp_engine *e);

#endif /* AES67D_PTP_ENGINE_H */
