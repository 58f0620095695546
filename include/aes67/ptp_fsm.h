/* SPDX-License-Identifier: MIT */
/*
 * PTP port state machine (IEEE 1588-2008 §9.2.5, figure 23 full; figure 24 slave-only) as a pure
 * function: state and event in, next state out. No timers, no I/O: the port code feeds events
 * (timeouts it measured, recommendations from the BMCA) and acts on the state it gets back.
 */
#ifndef AES67_PTP_FSM_H
#define AES67_PTP_FSM_H

#include "aes67/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* §8.2.5.3.1 Table 10: portState values (numbering as on the wire in portDS). */
enum aes67_ptp_port_state {
	AES67_PTP_INITIALIZING = 1,
	AES67_PTP_FAULTY = 2,
	AES67_PTP_DISABLED = 3,
	AES67_PTP_LISTENING = 4,
	AES67_PTP_PRE_MASTER = 5,
	AES67_PTP_MASTER = 6,
	AES67_PTP_PASSIVE = 7,
	AES67_PTP_UNCALIBRATED = 8,
	AES67_PTP_SLAVE = 9,
};

/* §9.2.6: the events that drive figure 23. */
enum aes67_ptp_fsm_event {
	AES67_PTP_EV_NONE = 0,
	AES67_PTP_EV_POWERUP,
	AES67_PTP_EV_INITIALIZE,
	AES67_PTP_EV_DESIGNATED_ENABLED,
	AES67_PTP_EV_DESIGNATED_DISABLED,
	AES67_PTP_EV_FAULT_CLEARED,
	AES67_PTP_EV_FAULT_DETECTED,
	AES67_PTP_EV_STATE_DECISION_EVENT,
	AES67_PTP_EV_QUALIFICATION_TIMEOUT_EXPIRES,
	AES67_PTP_EV_ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES,
	AES67_PTP_EV_SYNCHRONIZATION_FAULT,
	AES67_PTP_EV_MASTER_CLOCK_SELECTED,
	AES67_PTP_EV_RS_MASTER,
	AES67_PTP_EV_RS_GRAND_MASTER,
	AES67_PTP_EV_RS_SLAVE,
	AES67_PTP_EV_RS_PASSIVE,
	AES67_PTP_EV_COUNT,
};

/**
 * aes67_ptp_fsm() - next port state for a clock that may become master (figure 23).
 * @s:     current state.
 * @e:     event.
 * @mdiff: non-zero when an RS_SLAVE recommendation names a different parent (master) than the
 *         one the port is synchronised to; a SLAVE port then goes back to UNCALIBRATED.
 *
 * POWERUP and INITIALIZE lead to INITIALIZING, DESIGNATED_DISABLED to DISABLED and
 * FAULT_DETECTED to FAULTY from any state (a DISABLED port stays DISABLED); INITIALIZING
 * completes to LISTENING on any other event. Events that figure 23 does not show for a state leave
 * it unchanged. An unknown state or event leaves the state unchanged.
 *
 * Return: the next state. Thread: any. RT-safe, pure.
 */
AES67_API AES67_RT enum aes67_ptp_port_state aes67_ptp_fsm(enum aes67_ptp_port_state s,
							   enum aes67_ptp_fsm_event e, int mdiff);

/**
 * aes67_ptp_fsm_slave_only() - next port state for a slave-only clock (figure 24): never
 * PRE_MASTER, MASTER or PASSIVE; recommendations other than RS_SLAVE, and announce receipt
 * timeouts, lead back to LISTENING. Parameters and return as aes67_ptp_fsm(). Thread: any.
 */
AES67_API AES67_RT enum aes67_ptp_port_state
aes67_ptp_fsm_slave_only(enum aes67_ptp_port_state s, enum aes67_ptp_fsm_event e, int mdiff);

/**
 * aes67_ptp_port_state_str() - the state's name as in the standard, e.g. "PRE_MASTER"; "?" for
 * unknown values. Thread: any.
 */
AES67_API const char *aes67_ptp_port_state_str(enum aes67_ptp_port_state s);

#ifdef __cplusplus
}
#endif

#endif /* AES67_PTP_FSM_H */
