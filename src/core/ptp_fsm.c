// SPDX-License-Identifier: MIT
/*
 * The PTP port state machine, IEEE 1588-2008 §9.2.5: figure 23 (ordinary/boundary clock port)
 * and figure 24 (slave-only clock), written as pure functions in the manner of linuxptp's
 * ptp_fsm(). Events not drawn for a state leave it unchanged.
 *
 * One deliberate reading of figure 23: ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES takes LISTENING,
 * UNCALIBRATED, SLAVE and PASSIVE to MASTER (the four states in which §9.2.6.11 runs the
 * announce receipt timer). linuxptp leaves PASSIVE alone and re-runs the BMCA instead.
 */
#include "aes67/ptp_fsm.h"

/* Transitions "from any state" in figures 23/24; returns 0 when the event is not one. */
static enum aes67_ptp_port_state common(enum aes67_ptp_port_state s, enum aes67_ptp_fsm_event e)
{
	switch (e) {
	case AES67_PTP_EV_POWERUP:
	case AES67_PTP_EV_INITIALIZE:
		return AES67_PTP_INITIALIZING;
	case AES67_PTP_EV_DESIGNATED_DISABLED:
		return AES67_PTP_DISABLED;
	case AES67_PTP_EV_FAULT_DETECTED:
		/* A disabled port does not run, so it cannot detect a fault. */
		return s == AES67_PTP_DISABLED ? AES67_PTP_DISABLED : AES67_PTP_FAULTY;
	default:
		return 0;
	}
}

static int known(enum aes67_ptp_port_state s, enum aes67_ptp_fsm_event e)
{
	return s >= AES67_PTP_INITIALIZING && s <= AES67_PTP_SLAVE && e > AES67_PTP_EV_NONE &&
	       e < AES67_PTP_EV_COUNT;
}

enum aes67_ptp_port_state aes67_ptp_fsm(enum aes67_ptp_port_state s, enum aes67_ptp_fsm_event e,
					int mdiff)
{
	enum aes67_ptp_port_state c;

	if (!known(s, e)) {
		return s;
	}
	c = common(s, e);
	if (c != 0) {
		return c;
	}
	switch (s) {
	case AES67_PTP_INITIALIZING:
		/* Initialisation completes on the next event the port sees. */
		return AES67_PTP_LISTENING;
	case AES67_PTP_FAULTY:
		return e == AES67_PTP_EV_FAULT_CLEARED ? AES67_PTP_INITIALIZING : s;
	case AES67_PTP_DISABLED:
		return e == AES67_PTP_EV_DESIGNATED_ENABLED ? AES67_PTP_INITIALIZING : s;
	case AES67_PTP_PRE_MASTER:
	case AES67_PTP_MASTER:
		switch (e) {
		case AES67_PTP_EV_QUALIFICATION_TIMEOUT_EXPIRES:
			return AES67_PTP_MASTER;
		case AES67_PTP_EV_RS_SLAVE:
			return AES67_PTP_UNCALIBRATED;
		case AES67_PTP_EV_RS_PASSIVE:
			return AES67_PTP_PASSIVE;
		default:
			return s;
		}
	case AES67_PTP_LISTENING:
	case AES67_PTP_PASSIVE:
	case AES67_PTP_UNCALIBRATED:
	case AES67_PTP_SLAVE:
		switch (e) {
		case AES67_PTP_EV_ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES:
		case AES67_PTP_EV_RS_GRAND_MASTER:
			return AES67_PTP_MASTER;
		case AES67_PTP_EV_RS_MASTER:
			return AES67_PTP_PRE_MASTER;
		case AES67_PTP_EV_RS_PASSIVE:
			return AES67_PTP_PASSIVE;
		case AES67_PTP_EV_RS_SLAVE:
			if (s == AES67_PTP_SLAVE) {
				return mdiff ? AES67_PTP_UNCALIBRATED : AES67_PTP_SLAVE;
			}
			/* UNCALIBRATED stays while it calibrates to the (possibly new) master. */
			return AES67_PTP_UNCALIBRATED;
		case AES67_PTP_EV_MASTER_CLOCK_SELECTED:
			return s == AES67_PTP_UNCALIBRATED ? AES67_PTP_SLAVE : s;
		case AES67_PTP_EV_SYNCHRONIZATION_FAULT:
			return s == AES67_PTP_SLAVE ? AES67_PTP_UNCALIBRATED : s;
		default:
			return s;
		}
	}
	return s;
}

enum aes67_ptp_port_state aes67_ptp_fsm_slave_only(enum aes67_ptp_port_state s,
						   enum aes67_ptp_fsm_event e, int mdiff)
{
	enum aes67_ptp_port_state c;

	if (!known(s, e)) {
		return s;
	}
	c = common(s, e);
	if (c != 0) {
		return c;
	}
	switch (s) {
	case AES67_PTP_INITIALIZING:
		return AES67_PTP_LISTENING;
	case AES67_PTP_FAULTY:
		return e == AES67_PTP_EV_FAULT_CLEARED ? AES67_PTP_INITIALIZING : s;
	case AES67_PTP_DISABLED:
		return e == AES67_PTP_EV_DESIGNATED_ENABLED ? AES67_PTP_INITIALIZING : s;
	case AES67_PTP_LISTENING:
	case AES67_PTP_UNCALIBRATED:
	case AES67_PTP_SLAVE:
		switch (e) {
		case AES67_PTP_EV_ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES:
		case AES67_PTP_EV_RS_MASTER:
		case AES67_PTP_EV_RS_GRAND_MASTER:
		case AES67_PTP_EV_RS_PASSIVE:
			return AES67_PTP_LISTENING;
		case AES67_PTP_EV_RS_SLAVE:
			if (s == AES67_PTP_SLAVE) {
				return mdiff ? AES67_PTP_UNCALIBRATED : AES67_PTP_SLAVE;
			}
			return AES67_PTP_UNCALIBRATED;
		case AES67_PTP_EV_MASTER_CLOCK_SELECTED:
			return s == AES67_PTP_UNCALIBRATED ? AES67_PTP_SLAVE : s;
		case AES67_PTP_EV_SYNCHRONIZATION_FAULT:
			return s == AES67_PTP_SLAVE ? AES67_PTP_UNCALIBRATED : s;
		default:
			return s;
		}
	case AES67_PTP_PRE_MASTER:
	case AES67_PTP_MASTER:
	case AES67_PTP_PASSIVE:
		/* Not reachable for a slave-only clock; leave through LISTENING on any decision. */
		return AES67_PTP_LISTENING;
	}
	return s;
}

const char *aes67_ptp_port_state_str(enum aes67_ptp_port_state s)
{
	static const char *const names[] = {
		[AES67_PTP_INITIALIZING] = "INITIALIZING",
		[AES67_PTP_FAULTY] = "FAULTY",
		[AES67_PTP_DISABLED] = "DISABLED",
		[AES67_PTP_LISTENING] = "LISTENING",
		[AES67_PTP_PRE_MASTER] = "PRE_MASTER",
		[AES67_PTP_MASTER] = "MASTER",
		[AES67_PTP_PASSIVE] = "PASSIVE",
		[AES67_PTP_UNCALIBRATED] = "UNCALIBRATED",
		[AES67_PTP_SLAVE] = "SLAVE",
	};

	if (s < AES67_PTP_INITIALIZING || s > AES67_PTP_SLAVE) {
		return "?";
	}
	return names[s];
}
