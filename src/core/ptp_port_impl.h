/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the PTP port files: ptp_port.c (entry points, state decisions, timers),
 * ptp_port_master.c (Announce, Sync + Follow_Up, Delay_Resp) and ptp_port_slave.c (Sync and
 * Delay_Req/Delay_Resp exchanges feeding the servo). Not installed.
 */
#ifndef AES67_PTP_PORT_IMPL_H
#define AES67_PTP_PORT_IMPL_H

#include "aes67/ptp_port.h"

#define PORT_NEVER INT64_MAX
#define NS_PER_S 1000000000LL

/* 2^log2 seconds in ns; log2 is range-checked at init (-7..+7). */
static inline int64_t interval_ns(int log2)
{
	return log2 >= 0 ? NS_PER_S << log2 : NS_PER_S >> -log2;
}

static inline uint32_t tx_token(unsigned type, uint16_t seq)
{
	return (uint32_t)type << 16 | seq;
}

/* States in which the Syncs of the best foreign master train the servo while that master is
 * being qualified (§9.3.2.5): LISTENING, and MASTER/PRE_MASTER, which a better master makes a
 * slave two Announces later (two clocks started together: whoever timed out first). */
static inline bool ptp_port_trains(enum aes67_ptp_port_state s)
{
	return s == AES67_PTP_LISTENING || s == AES67_PTP_MASTER || s == AES67_PTP_PRE_MASTER;
}

/* Counting helpers. */
static inline void port_drop(struct aes67_ptp_port *p, enum aes67_ptp_port_drop why)
{
	p->drop[why]++;
}

/* Uniform in [0, span_ns) from the port's xorshift64* generator. */
int64_t ptp_port_random_ns(struct aes67_ptp_port *p, int64_t span_ns);

/* Queue actions into p->out (counted as DROP_OUT_FULL if full). */
void ptp_port_emit_lock(struct aes67_ptp_port *p, bool locked);

/* Fill the common header fields of an outgoing message of @type (§13.3, Table 23/24). */
void ptp_port_header(const struct aes67_ptp_port *p, struct aes67_ptp_msg *m, unsigned type,
		     uint16_t seq, int8_t log_interval);

/* Build @m into a transmit slot and queue a SEND action. Return 0 or negative. */
int ptp_port_send(struct aes67_ptp_port *p, const struct aes67_ptp_msg *m,
		  enum aes67_ptp_channel ch, bool need_tx_ts);

/* Feed an FSM event (and apply its effects: timers, servo reset, GM report). */
void ptp_port_event(struct aes67_ptp_port *p, enum aes67_ptp_fsm_event ev, int64_t now_ns);

/* PTP time for outgoing timestamps: the mapping, or 0 when there is none. */
struct aes67_ptp_time ptp_port_now_ptp(const struct aes67_ptp_port *p, int64_t mono_ns);

/* Master side (ptp_port_master.c). */
void ptp_port_master_tick(struct aes67_ptp_port *p, int64_t now_ns);
int ptp_port_master_delay_req(struct aes67_ptp_port *p, const struct aes67_ptp_msg *m,
			      int64_t rx_mono_ns);
int ptp_port_master_tx_ts(struct aes67_ptp_port *p, uint16_t seq, int64_t tx_mono_ns);

/* Slave side (ptp_port_slave.c). */
void ptp_port_slave_reset(struct aes67_ptp_port *p);
/* As ptp_port_slave_reset() but the servo (trained on the new parent) and its Sync stay. */
void ptp_port_slave_reset_keep_servo(struct aes67_ptp_port *p);
/* Entering UNCALIBRATED/SLAVE: true when the servo was trained on the new parent (while
 * LISTENING or MASTER) and may be kept; otherwise (and whenever false) the caller resets it. */
bool ptp_port_slave_trained(const struct aes67_ptp_port *p);
/* Leaving a training state for a non-slave state, or the candidate changed: forget it. */
void ptp_port_slave_untrain(struct aes67_ptp_port *p);
void ptp_port_slave_tick(struct aes67_ptp_port *p, int64_t now_ns);
int ptp_port_slave_sync(struct aes67_ptp_port *p, const struct aes67_ptp_msg *m, int64_t rx_mono_ns,
			int64_t now_ns);
int ptp_port_slave_follow_up(struct aes67_ptp_port *p, const struct aes67_ptp_msg *m,
			     int64_t now_ns);
int ptp_port_slave_delay_resp(struct aes67_ptp_port *p, const struct aes67_ptp_msg *m,
			      int64_t now_ns);
int ptp_port_slave_tx_ts(struct aes67_ptp_port *p, uint16_t seq, int64_t tx_mono_ns,
			 int64_t now_ns);

#endif /* AES67_PTP_PORT_IMPL_H */
