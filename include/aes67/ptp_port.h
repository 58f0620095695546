/* SPDX-License-Identifier: MIT */
/*
 * PTPv2 ordinary-clock port (IEEE 1588-2008 §9.2, §9.5, §11), sans-I/O.
 *
 * The port ties the PTP core together: it parses what the daemon received (ptp_msg.h), keeps
 * the foreign master table and runs the BMCA (ptp_bmca.h), drives the state machine
 * (ptp_fsm.h), feeds the servo as a slave (ptp_servo.h), and builds Announce, Sync, Follow_Up,
 * Delay_Req and Delay_Resp messages. It never opens a socket, reads a clock, allocates or logs:
 * the daemon hands it datagrams with their receive timestamps, transmit timestamps of the event
 * messages it sent, and calls aes67_ptp_port_tick() at the deadline the port asked for. Every
 * call returns its effects as actions in a caller-owned struct aes67_ptp_port_out.
 *
 * Time: all *_mono_ns values are CLOCK_MONOTONIC_RAW nanoseconds as the daemon measures them.
 * PTP time is the servo's mapping of mono time as a slave, and a caller-supplied mapping
 * (struct aes67_ptp_port_timebase) as grandmaster.
 *
 * Master side is two-step only (Sync + Follow_Up carrying the transmit timestamp); the slave
 * side accepts both one-step and two-step masters. Delay mechanism: end-to-end (§11.3).
 */
#ifndef AES67_PTP_PORT_H
#define AES67_PTP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "aes67/common.h"
#include "aes67/ptp_bmca.h"
#include "aes67/ptp_fsm.h"
#include "aes67/ptp_msg.h"
#include "aes67/ptp_servo.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest message the port sends (Announce without TLVs is 64 bytes, §13.5). */
#define AES67_PTP_PORT_TX_BYTES 64
/* Transmit buffers per call: the most one call sends is Announce + Sync (master tick). */
#define AES67_PTP_PORT_TX_SLOTS 4
/* Actions one call can return (sends, state change, grandmaster change, lock change). */
#define AES67_PTP_PORT_OUT_MAX 8
/* §7.6.2.6 Table 7: timeSource INTERNAL_OSCILLATOR. */
#define AES67_PTP_TIME_SOURCE_INTERNAL_OSCILLATOR 0xA0
/* currentUtcOffset (TAI - UTC) since 2017-01-01. */
#define AES67_PTP_DEFAULT_UTC_OFFSET_S 37

/* Where a datagram came from or must go: UDP event port 319, general port 320, or raw L2
 * (IEEE 1588 Annex F: one channel for all messages). */
enum aes67_ptp_channel {
	AES67_PTP_CH_EVENT = 0,
	AES67_PTP_CH_GENERAL = 1,
	AES67_PTP_CH_L2 = 2,
};

/* Why the port ignored a datagram that parsed (parser refusals are counted separately, by
 * enum aes67_ptp_drop). */
enum aes67_ptp_port_drop {
	AES67_PTP_PORT_DROP_PARSE = 0,	 /* aes67_ptp_msg_parse() refused it */
	AES67_PTP_PORT_DROP_DOMAIN,	 /* domainNumber is not ours */
	AES67_PTP_PORT_DROP_OWN,	 /* sent by our own clock (looped back) */
	AES67_PTP_PORT_DROP_CHANNEL,	 /* event message on the general port or vice versa */
	AES67_PTP_PORT_DROP_UNSUPPORTED, /* peer delay, signaling, management */
	AES67_PTP_PORT_DROP_STATE,	 /* not handled in the current port state */
	AES67_PTP_PORT_DROP_NOT_PARENT,	 /* Sync/Follow_Up/Delay_Resp not from our master */
	AES67_PTP_PORT_DROP_NO_SYNC,	 /* Follow_Up with no matching two-step Sync */
	AES67_PTP_PORT_DROP_NOT_FOR_US,	 /* Delay_Resp for another port's request */
	AES67_PTP_PORT_DROP_NO_REQUEST,	 /* Delay_Resp matching no outstanding Delay_Req */
	AES67_PTP_PORT_DROP_TIME,	 /* timestamp out of range for the arithmetic */
	AES67_PTP_PORT_DROP_SERVO,	 /* the servo refused the sample */
	AES67_PTP_PORT_DROP_ANNOUNCE,	 /* Announce disregarded (stale sequence, 255 steps) */
	AES67_PTP_PORT_DROP_TX_TS,	 /* transmit timestamp for no pending message */
	AES67_PTP_PORT_DROP_OUT_FULL,	 /* an action did not fit in the output (a bug) */
	AES67_PTP_PORT_DROP_COUNT,
};

enum aes67_ptp_action_type {
	AES67_PTP_ACT_SEND = 1,	  /* transmit bytes on channel */
	AES67_PTP_ACT_STATE,	  /* port state changed from old_state to new_state */
	AES67_PTP_ACT_GM_CHANGED, /* the grandmaster is now gm_identity */
	AES67_PTP_ACT_LOCK,	  /* the servo locked (locked = true) or lost lock */
};

/*
 * One effect of a call. For SEND, bytes point into the port (valid until the next call into
 * the port); when need_tx_ts is set the daemon reports the transmit time with
 * aes67_ptp_port_tx_ts(port, tx_token, ...).
 */
struct aes67_ptp_action {
	enum aes67_ptp_action_type type;
	enum aes67_ptp_channel channel;
	const uint8_t *bytes;
	uint32_t len_bytes;
	bool need_tx_ts;
	uint32_t tx_token;
	enum aes67_ptp_port_state old_state, new_state;
	uint8_t gm_identity[AES67_PTP_CLOCK_IDENTITY_BYTES];
	bool locked;
};

/* What a call returns: n actions, then the next deadline (mono ns; INT64_MAX for none) at
 * which the daemon must call aes67_ptp_port_tick(). Caller-owned; overwritten by each call. */
struct aes67_ptp_port_out {
	unsigned n;
	struct aes67_ptp_action act[AES67_PTP_PORT_OUT_MAX];
	int64_t next_deadline_ns;
};

/* PTP time as a function of mono time for a grandmaster:
 *   ptp_ns = ptp_ns0 + (mono - mono_ns0) * (1 + rate_ppm * 1e-6).
 * The daemon picks the source (e.g. CLOCK_TAI sampled next to CLOCK_MONOTONIC_RAW). */
struct aes67_ptp_port_timebase {
	int64_t mono_ns0;
	int64_t ptp_ns0;
	double rate_ppm;
};

struct aes67_ptp_port_config {
	uint8_t clock_identity[AES67_PTP_CLOCK_IDENTITY_BYTES]; /* §7.5.2.2; see _identity_from_mac
								 */
	uint16_t port_number;					/* 1 for an ordinary clock */
	uint8_t domain;
	uint8_t priority1, priority2;
	struct aes67_ptp_clock_quality quality;	 /* class 248 (255 when slave_only), 0xFE, 0xFFFF */
	bool slave_only;			 /* §9.2.2: figure 24 state machine */
	int8_t log_announce_interval;		 /* AES67 media profile: 1 (range 0..4) */
	int8_t log_sync_interval;		 /* -3 (range -4..1) */
	int8_t log_min_delay_req_interval;	 /* -3 (range -3..5) */
	uint8_t announce_receipt_timeout;	 /* 3 (range 2..10) */
	bool delay_req_random;			 /* §9.5.11.2 randomised Delay_Req spacing */
	int16_t current_utc_offset_s;		 /* 37 */
	bool utc_offset_valid;			 /* true */
	bool ptp_timescale;			 /* true: PTP (TAI) timescale */
	uint8_t time_source;			 /* 0xA0 internal oscillator */
	uint64_t seed;				 /* PRNG seed for timeout randomisation */
	struct aes67_ptp_port_timebase timebase; /* grandmaster time; default ptp = mono */
	struct aes67_ptp_servo_config servo;
};

/* Snapshot for `aes67 ptp --json`. */
struct aes67_ptp_port_status {
	enum aes67_ptp_port_state state;
	bool gm_valid;
	uint8_t gm_identity[AES67_PTP_CLOCK_IDENTITY_BYTES];
	struct aes67_ptp_port_identity parent; /* master port we follow (slave, passive) */
	uint16_t steps_removed;		       /* ours: 0 as master, parent's + 1 as slave */
	int64_t offset_ns;		       /* servo: mapping minus master at the last Sync */
	int64_t mean_path_delay_ns;
	double rate_ppm;
	bool locked;
	int64_t locked_for_ns; /* time since the servo locked; 0 when not locked */
	uint32_t servo_samples, servo_outliers, servo_steps;
	uint32_t servo_reacquired, servo_rate_reopened; /* see aes67_ptp_servo_status */
	uint32_t rx[16]; /* per messageType (index = enum aes67_ptp_msg_type) */
	uint32_t tx[16];
	uint32_t drop[AES67_PTP_PORT_DROP_COUNT];
	uint32_t parse_drop[AES67_PTP_DROP_COUNT];
};

/* Caller-owned port; members are private to src/core/ptp_port*.c. */
struct aes67_ptp_port {
	struct aes67_ptp_port_config cfg;
	struct aes67_ptp_port_identity self;
	enum aes67_ptp_port_state state;
	uint64_t rng;
	struct aes67_ptp_foreign_table foreign;
	/* Parent (the master we follow or defer to) and the grandmaster behind it. */
	bool have_parent;
	struct aes67_ptp_dataset parent;
	bool gm_reported;
	uint8_t gm_identity[AES67_PTP_CLOCK_IDENTITY_BYTES];
	/* Timers (mono ns; INT64_MAX = not armed). */
	int64_t announce_rx_due, qualification_due, announce_tx_due, sync_tx_due, delay_req_due;
	int8_t log_delay_req_interval; /* as granted by the master's Delay_Resp (§7.7.2.4) */
	/* Master side. */
	uint16_t announce_seq, sync_seq;
	bool sync_pending; /* Sync sent, waiting for its transmit timestamp */
	/* Slave side. */
	struct aes67_ptp_servo servo;
	bool locked, have_sync, sync_wait_fup;
	/* LISTENING or MASTER: the best foreign master seen (qualified or not) whose Syncs
	 * train the servo before the BMCA selects it (ptp_port_slave.c). */
	bool have_cand;
	struct aes67_ptp_port_identity cand;
	uint16_t sync_seq_rx;
	int64_t sync_t2_ns, sync_corr_ns;
	uint16_t delay_seq;
	bool delay_pending, have_t3, have_t4;
	int64_t t3_ns, t4_ns;
	/* Output of the current call. */
	struct aes67_ptp_port_out *out;
	unsigned tx_used;
	uint8_t tx_buf[AES67_PTP_PORT_TX_SLOTS][AES67_PTP_PORT_TX_BYTES];
	/* Counters. */
	uint32_t rx[16], tx[16], drop[AES67_PTP_PORT_DROP_COUNT], parse_drop[AES67_PTP_DROP_COUNT];
};

/**
 * aes67_ptp_port_config_init() - AES67 media profile defaults (AES67-2018 Annex A), clock
 * identity all zero (set it, e.g. with aes67_ptp_port_identity_from_mac()). Thread: any.
 */
AES67_API void aes67_ptp_port_config_init(struct aes67_ptp_port_config *cfg);

/**
 * aes67_ptp_port_identity_from_mac() - EUI-64 clockIdentity from an EUI-48 MAC address by
 * inserting FF-FE in the middle (§7.5.2.2.2).
 * @mac: 6 bytes.
 * @id:  8 bytes out.
 * Thread: any.
 */
AES67_API void aes67_ptp_port_identity_from_mac(const uint8_t mac[6],
						uint8_t id[AES67_PTP_CLOCK_IDENTITY_BYTES]);

/**
 * aes67_ptp_port_init() - prepare a port in INITIALIZING (caller-owned memory, no allocation).
 * @p:   the port.
 * @cfg: configuration, copied. A slave-only clock gets clockClass 255 (§7.6.2.4).
 *
 * Return: 0, or -EINVAL for NULL, an all-zero clock identity, port number 0 or 0xFFFF, an
 * interval or timeout outside the ranges noted in struct aes67_ptp_port_config, or a bad
 * servo configuration. Thread: control.
 */
AES67_API AES67_MUST_CHECK int aes67_ptp_port_init(struct aes67_ptp_port *p,
						   const struct aes67_ptp_port_config *cfg);

/**
 * aes67_ptp_port_start() - leave INITIALIZING for LISTENING and arm the announce receipt timer.
 * @p:      the port (after aes67_ptp_port_init()).
 * @now_ns: current mono time.
 * @out:    actions (the state change) and the next deadline.
 *
 * Return: 0, or -EINVAL for NULL. Thread: the port's owner (PTP thread). RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int
aes67_ptp_port_start(struct aes67_ptp_port *p, int64_t now_ns, struct aes67_ptp_port_out *out);

/**
 * aes67_ptp_port_rx() - process one received datagram.
 * @p:          the port.
 * @buf:        the payload (UDP payload, or the Ethernet payload after the header for L2); not
 *              retained.
 * @len_bytes:  bytes in @buf.
 * @ch:         the socket it came from.
 * @rx_mono_ns: its receive timestamp (for event messages; ignored for general ones).
 * @now_ns:     current mono time.
 * @out:        actions and the next deadline.
 *
 * Hostile input is dropped and counted by reason (status.drop / status.parse_drop); a drop
 * never changes the port state. Return: 0 when the message was used, 1 when it was dropped,
 * -EINVAL for NULL arguments. Thread: the port's owner. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int aes67_ptp_port_rx(struct aes67_ptp_port *p,
							  const uint8_t *buf, size_t len_bytes,
							  enum aes67_ptp_channel ch,
							  int64_t rx_mono_ns, int64_t now_ns,
							  struct aes67_ptp_port_out *out);

/**
 * aes67_ptp_port_tx_ts() - the transmit timestamp of a message sent with need_tx_ts.
 * @p:          the port.
 * @tx_token:   the action's tx_token.
 * @tx_mono_ns: when it left (mono ns).
 * @now_ns:     current mono time.
 * @out:        actions (e.g. the Follow_Up) and the next deadline.
 *
 * Return: 0 when used, 1 when it matched nothing pending (counted as DROP_TX_TS), -EINVAL for
 * NULL. Thread: the port's owner. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int aes67_ptp_port_tx_ts(struct aes67_ptp_port *p,
							     uint32_t tx_token, int64_t tx_mono_ns,
							     int64_t now_ns,
							     struct aes67_ptp_port_out *out);

/**
 * aes67_ptp_port_tick() - run the timers that are due at @now_ns (announce receipt and
 * qualification timeouts, Announce/Sync/Delay_Req transmission). Calling it early is harmless.
 *
 * Return: 0, or -EINVAL for NULL. Thread: the port's owner. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int
aes67_ptp_port_tick(struct aes67_ptp_port *p, int64_t now_ns, struct aes67_ptp_port_out *out);

/**
 * aes67_ptp_port_set_timebase() - change the grandmaster time mapping (takes effect for the
 * next message sent as master). Thread: the port's owner. RT-safe.
 */
AES67_API AES67_RT void aes67_ptp_port_set_timebase(struct aes67_ptp_port *p,
						    const struct aes67_ptp_port_timebase *tb);

/**
 * aes67_ptp_port_time() - PTP time at a mono instant: the timebase as (pre-)master, the servo
 * mapping otherwise.
 * @p:       the port.
 * @mono_ns: mono ns.
 * @ptp_ns:  result.
 *
 * Return: 0, or -EAGAIN when a non-master port has no servo mapping yet. Thread: the port's
 * owner. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int aes67_ptp_port_time(const struct aes67_ptp_port *p,
							    int64_t mono_ns, int64_t *ptp_ns);

/**
 * aes67_ptp_port_status() - fill a status snapshot.
 * @p:      the port.
 * @now_ns: current mono time (for locked_for_ns).
 * @st:     result.
 * Thread: the port's owner. RT-safe.
 */
AES67_API AES67_RT void aes67_ptp_port_status(const struct aes67_ptp_port *p, int64_t now_ns,
					      struct aes67_ptp_port_status *st);

/**
 * aes67_ptp_port_drop_str() - name a drop reason (static string, never NULL). Thread: any.
 */
AES67_API const char *aes67_ptp_port_drop_str(enum aes67_ptp_port_drop d);

#ifdef __cplusplus
}
#endif

#endif /* AES67_PTP_PORT_H */
