// SPDX-License-Identifier: MIT
/*
 * The PTP port state machine, IEEE 1588-2008 §9.2.5: figure 23 (ordinary/boundary clock port)
 * and figure 24 (slave-only clock), written as pure functions in the manner of linuxptp's
 * ptp_fsm(). Events not drawn for a state leave it unchanged. The arcs both figures draw alike
 * are written once (shared_arc, slave_arc); each public function adds only its figure's own.
 *
 * One deliberate reading of figure 23: ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES takes LISTENING,
 * UNCALIBRATED, SLAVE and PASSIVE to MASTER (the four states in which §9.2.6.11 runs the
 * announce receipt timer). linuxptp leaves PASSIVE alone and re-runs the BMCA instead.
 */
#include "aes67/ptp_fsm.h"

static int known(enum aes67_ptp_port_state s, enum aes67_ptp_fsm_event e)
{
	return s >= AES67_PTP_INITIALIZING && s <= AES67_PTP_SLAVE && e > AES67_PTP_EV_NONE &&
	       e < AES67_PTP_EV_COUNT;
}

/*
 * The arcs figures 23 and 24 draw alike: input outside the enums is ignored, the transitions
 * "from any state", and the ways out of INITIALIZING, FAULTY and DISABLED. Returns 1 with *next
 * set when one of them decides, 0 when the figure's own arcs must.
 */
static int shared_arc(enum aes67_ptp_port_state s, enum aes67_ptp_fsm_event e,
		      enum aes67_ptp_port_state *next)
{
	*next = s;
	if (!known(s, e)) {
		return 1;
	}
	switch (e) {
	case AES67_PTP_EV_POWERUP:
	case AES67_PTP_EV_INITIALIZE:
		*next = AES67_PTP_INITIALIZING;
		return 1;
	case AES67_PTP_EV_DESIGNATED_DISABLED:
		*next = AES67_PTP_DISABLED;
		return 1;
	case AES67_PTP_EV_FAULT_DETECTED:
		/* A disabled port does not run, so it cannot detect a fault. */
		*next = s == AES67_PTP_DISABLED ? AES67_PTP_DISABLED : AES67_PTP_FAULTY;
		return 1;
	default:
		break;
	}
	switch (s) {
	case AES67_PTP_INITIALIZING:
		/* Initialisation completes on the next event the port sees. */
		*next = AES67_PTP_LISTENING;
		return 1;
	case AES67_PTP_FAULTY:
		*next = e == AES67_PTP_EV_FAULT_CLEARED ? AES67_PTP_INITIALIZING : s;
		return 1;
	case AES67_PTP_DISABLED:
		*next = e == AES67_PTP_EV_DESIGNATED_ENABLED ? AES67_PTP_INITIALIZING : s;
		return 1;
	default:
		return 0;
	}
}

/*
 * The slave side of LISTENING, UNCALIBRATED and SLAVE (and of PASSIVE in figure 23), which both
 * figures draw alike: a slave recommendation, the master clock selected, a synchronization
 * fault. Any other event leaves the state as it is.
 */
static enum aes67_ptp_port_state slave_arc(enum aes67_ptp_port_state s, enum aes67_ptp_fsm_event e,
					   int mdiff)
{
	switch (e) {
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

enum aes67_ptp_port_state aes67_ptp_fsm(enum aes67_ptp_port_state s, enum aes67_ptp_fsm_event e,
					int mdiff)
{
	enum aes67_ptp_port_state next;

	if (shared_arc(s, e, &next)) {
		return next;
	}
	if (s == AES67_PTP_PRE_MASTER || s == AES67_PTP_MASTER) {
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
	}
	/* LISTENING, PASSIVE, UNCALIBRATED, SLAVE. */
	switch (e) {
	case AES67_PTP_EV_ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES:
	case AES67_PTP_EV_RS_GRAND_MASTER:
		return AES67_PTP_MASTER;
	case AES67_PTP_EV_RS_MASTER:
		return AES67_PTP_PRE_MASTER;
	case AES67_PTP_EV_RS_PASSIVE:
		return AES67_PTP_PASSIVE;
	default:
		return slave_arc(s, e, mdiff);
	}
}

enum aes67_ptp_port_state aes67_ptp_fsm_slave_only(enum aes67_ptp_port_state s,
						   enum aes67_ptp_fsm_event e, int mdiff)
{
	enum aes67_ptp_port_state next;

	if (shared_arc(s, e, &next)) {
		return next;
	}
	if (s == AES67_PTP_PRE_MASTER || s == AES67_PTP_MASTER || s == AES67_PTP_PASSIVE) {
		/* Not reachable for a slave-only clock; leave through LISTENING on any decision. */
		return AES67_PTP_LISTENING;
	}
	/* LISTENING, UNCALIBRATED, SLAVE: the announce timeout or any non-slave decision. */
	switch (e) {
	case AES67_PTP_EV_ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES:
	case AES67_PTP_EV_RS_MASTER:
	case AES67_PTP_EV_RS_GRAND_MASTER:
	case AES67_PTP_EV_RS_PASSIVE:
		return AES67_PTP_LISTENING;
	default:
		return slave_arc(s, e, mdiff);
	}
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
