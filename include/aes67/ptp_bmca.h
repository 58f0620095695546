/* SPDX-License-Identifier: MIT */
/*
 * Best master clock algorithm, IEEE 1588-2008 §9.3: the dataset comparison (§9.3.4, figures 27
 * and 28), the foreign master table with its qualification window (§9.3.2.4.6, §9.3.2.5), and
 * the state decision (§9.3.3, figure 26) for an ordinary clock with one port.
 *
 * Everything is fixed storage and time comes in as a parameter (ns, any monotonic base).
 */
#ifndef AES67_PTP_BMCA_H
#define AES67_PTP_BMCA_H

#include <stdbool.h>
#include <stdint.h>

#include "aes67/common.h"
#include "aes67/ptp_fsm.h"
#include "aes67/ptp_msg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* §9.3.2.4.6: a foreign master qualifies after this many Announces ... */
#define AES67_PTP_FOREIGN_MASTER_THRESHOLD 2
/* ... within this many announce intervals. */
#define AES67_PTP_FOREIGN_MASTER_TIME_WINDOW 4
/* Foreign masters tracked per port (fixed table; AES67 networks have a handful). */
#define AES67_PTP_FOREIGN_MAX 8

/* AES67-2018 Annex A (media profile) defaults. */
#define AES67_PTP_DEFAULT_DOMAIN 0
#define AES67_PTP_DEFAULT_PRIORITY 128
#define AES67_PTP_DEFAULT_LOG_ANNOUNCE_INTERVAL 1
#define AES67_PTP_DEFAULT_LOG_SYNC_INTERVAL (-3)
#define AES67_PTP_DEFAULT_LOG_DELAY_REQ_INTERVAL (-3)
#define AES67_PTP_DEFAULT_ANNOUNCE_RECEIPT_TIMEOUT 3
/* §7.6.2.4: clockClass of a slave-only clock. */
#define AES67_PTP_CLASS_SLAVE_ONLY 255

/*
 * The data compared by the BMCA (§9.3.4 Table 12): the grandmaster's attributes as announced,
 * stepsRemoved, the sender's port identity and the identity of the port that received it.
 * For D0 (our own defaultDS, §9.3.4) gm_identity is our clockIdentity, steps_removed 0, and
 * sender = receiver = our port identity.
 */
struct aes67_ptp_dataset {
	uint8_t priority1;
	uint8_t gm_identity[AES67_PTP_CLOCK_IDENTITY_BYTES];
	struct aes67_ptp_clock_quality quality;
	uint8_t priority2;
	uint16_t steps_removed;
	struct aes67_ptp_port_identity sender;
	struct aes67_ptp_port_identity receiver;
};

/*
 * Result of comparing dataset A with B (figure 27/28). Positive: A wins; negative: B wins;
 * magnitude 2 = better, 1 = better by topology only. ERROR_1 (A and B describe a message the
 * receiver sent itself) and ERROR_2 (A and B are the same path: same sender and receiver) are
 * the figure's error exits; callers must treat them as "no ordering".
 */
enum aes67_ptp_ds_order {
	AES67_PTP_DS_B_BETTER = -2,
	AES67_PTP_DS_B_BETTER_TOPO = -1,
	AES67_PTP_DS_ERROR_2 = 0,
	AES67_PTP_DS_A_BETTER_TOPO = 1,
	AES67_PTP_DS_A_BETTER = 2,
	AES67_PTP_DS_ERROR_1 = 3,
};

/* §9.3.3 figure 26: the decision codes, and the recommended state they stand for. */
enum aes67_ptp_decision {
	AES67_PTP_DECISION_NONE = 0, /* stay LISTENING: no qualified foreign master yet */
	AES67_PTP_DECISION_M1,	     /* D0 is class 1..127 and better than Erbest: grandmaster */
	AES67_PTP_DECISION_M2,	     /* D0 better than Ebest: grandmaster */
	AES67_PTP_DECISION_M3,	     /* master (boundary clocks only; not produced here) */
	AES67_PTP_DECISION_P1,	     /* class 1..127 clock that is not the best: passive */
	AES67_PTP_DECISION_P2,	     /* passive (boundary clocks only; not produced here) */
	AES67_PTP_DECISION_S1,	     /* Erbest is Ebest and better than D0: slave */
};

/* A foreign master record (§9.3.2.4.6). */
struct aes67_ptp_foreign {
	bool in_use;
	struct aes67_ptp_dataset ds; /* from its most recent Announce */
	uint16_t last_sequence_id;
	int64_t rx_ns[AES67_PTP_FOREIGN_MASTER_THRESHOLD]; /* most recent first */
	unsigned rx_count; /* Announces seen, saturating at the threshold */
};

struct aes67_ptp_foreign_table {
	struct aes67_ptp_foreign rec[AES67_PTP_FOREIGN_MAX];
	uint8_t own_identity[AES67_PTP_CLOCK_IDENTITY_BYTES];
};

/**
 * aes67_ptp_ds_compare() - the dataset comparison algorithm, §9.3.4 figures 27 and 28.
 * @a, @b: the two datasets.
 *
 * Different grandmasters: priority1, clockClass, clockAccuracy, offsetScaledLogVariance,
 * priority2, then grandmaster identity (lower wins each). Same grandmaster: stepsRemoved
 * (difference > 1 decides outright; difference of 1 checks receiver vs sender of the longer
 * path), then sender identities, then receiver port numbers (topology).
 *
 * Return: an enum aes67_ptp_ds_order value. Thread: any. RT-safe, pure.
 */
AES67_API AES67_RT enum aes67_ptp_ds_order aes67_ptp_ds_compare(const struct aes67_ptp_dataset *a,
								const struct aes67_ptp_dataset *b);

/**
 * aes67_ptp_ds_from_announce() - build the comparison dataset of a received Announce.
 * @msg:      a parsed message of type ANNOUNCE.
 * @receiver: identity of the port that received it.
 * @ds:       result.
 *
 * Return: 0, or -EINVAL when @msg is not an Announce. Thread: any. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int
aes67_ptp_ds_from_announce(const struct aes67_ptp_msg *msg,
			   const struct aes67_ptp_port_identity *receiver,
			   struct aes67_ptp_dataset *ds);

/**
 * aes67_ptp_foreign_init() - empty a foreign master table.
 * @t:            table (caller-owned).
 * @own_identity: our clockIdentity (8 bytes); Announces from it are never qualified
 *                (§9.3.2.5 a).
 * Thread: control.
 */
AES67_API void aes67_ptp_foreign_init(struct aes67_ptp_foreign_table *t,
				      const uint8_t own_identity[AES67_PTP_CLOCK_IDENTITY_BYTES]);

/**
 * aes67_ptp_foreign_add() - record a received Announce (§9.3.2.5).
 * @t:           the table.
 * @msg:         parsed Announce.
 * @receiver:    our port identity.
 * @now_ns:      receive time (any monotonic base, ns).
 * @interval_ns: the announce interval (2^logAnnounceInterval s) used for the window.
 *
 * Drops, without error, Announces from our own clock, with stepsRemoved >= 255 and repeated or
 * older sequenceIds (wrap-aware). A full table evicts the record heard from least recently.
 *
 * Return: 1 if the sender is qualified after this Announce, 0 if not (yet) or the Announce was
 * disregarded, -EINVAL for a non-Announce or a non-positive interval. Thread: any. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int
aes67_ptp_foreign_add(struct aes67_ptp_foreign_table *t, const struct aes67_ptp_msg *msg,
		      const struct aes67_ptp_port_identity *receiver, int64_t now_ns,
		      int64_t interval_ns);

/**
 * aes67_ptp_foreign_erbest() - the best qualified foreign master (Erbest, §9.3.2.3), after
 * forgetting records with no Announce within the window (FOREIGN_MASTER_TIME_WINDOW intervals).
 * @t:           the table.
 * @now_ns:      current time on the same base as aes67_ptp_foreign_add().
 * @interval_ns: the announce interval.
 * @best:        filled with Erbest on success.
 *
 * Return: 0, or -AES67_ENOTFOUND when no foreign master is qualified, -EINVAL for a bad
 * interval. Thread: any. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int aes67_ptp_foreign_erbest(struct aes67_ptp_foreign_table *t,
								 int64_t now_ns,
								 int64_t interval_ns,
								 struct aes67_ptp_dataset *best);

/**
 * aes67_ptp_bmca_decide() - the state decision algorithm (§9.3.3 figure 26) for an ordinary
 * clock with one port, so Erbest is Ebest.
 * @d0:         our own dataset (defaultDS, see struct aes67_ptp_dataset).
 * @erbest:     the best qualified foreign master, or NULL when there is none.
 * @state:      current port state: with no Erbest a LISTENING port stays put (NONE).
 * @slave_only: a slave-only clock (§9.2.2) never decides master or passive: NONE instead, which
 *              the caller maps to LISTENING (figure 24).
 *
 * Return: the decision code. Thread: any. RT-safe, pure.
 */
AES67_API AES67_RT enum aes67_ptp_decision
aes67_ptp_bmca_decide(const struct aes67_ptp_dataset *d0, const struct aes67_ptp_dataset *erbest,
		      enum aes67_ptp_port_state state, bool slave_only);

/**
 * aes67_ptp_bmca_event() - the FSM event a decision code recommends: M1/M2 RS_GRAND_MASTER,
 * M3 RS_MASTER, P1/P2 RS_PASSIVE, S1 RS_SLAVE, NONE AES67_PTP_EV_NONE. Thread: any.
 */
AES67_API AES67_RT enum aes67_ptp_fsm_event aes67_ptp_bmca_event(enum aes67_ptp_decision d);

#ifdef __cplusplus
}
#endif

#endif /* AES67_PTP_BMCA_H */
