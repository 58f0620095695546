// SPDX-License-Identifier: MIT
/*
 * PTP port, slave side (IEEE 1588-2008 §9.5, §11.3 end-to-end delay): takes Sync (one-step, or
 * two-step matched with its Follow_Up by sequenceId and source port), sends Delay_Req at the
 * (optionally randomised, §9.5.11.2) delay request interval, matches the Delay_Resp to our
 * request and its transmit timestamp, and feeds t1..t4 to the servo. Servo lock and loss of
 * lock become MASTER_CLOCK_SELECTED and SYNCHRONIZATION_FAULT for the state machine.
 *
 * Only messages from the selected parent are used (UNCALIBRATED and SLAVE); the caller has
 * already dropped other domains and our own messages. While LISTENING (or MASTER, when a better
 * master is appearing), the Syncs of the best foreign master seen so far (still being
 * qualified, §9.3.2.5) train the servo without a path
 * delay (aes67_ptp_servo_train()): nothing is adopted and nothing is sent, but when the BMCA
 * selects that master the mapping has converged and lock needs only a few confirming samples
 * once the delay is measured. Another candidate, or any other outcome, discards the training. A
 * Follow_Up must come after its Sync: the daemon drains the event socket before the general one.
 */
#include <string.h>

#include "aes67/error.h"
#include "ptp_port_impl.h"

/* §7.7.2.1: logMessageInterval "unspecified" (Delay_Req, Table 24). */
#define LOG_INTERVAL_UNSPECIFIED 0x7F
/* Delay_Resp may grant a logMinDelayReqInterval (§7.7.2.4); accepted within this range. */
#define LOG_DELAY_REQ_MIN (-7)
#define LOG_DELAY_REQ_MAX 7

void ptp_port_slave_reset_keep_servo(struct aes67_ptp_port *p)
{
	p->have_cand = false;
	p->sync_wait_fup = false;
	p->delay_pending = false;
	p->have_t3 = false;
	p->have_t4 = false;
	p->log_delay_req_interval = p->cfg.log_min_delay_req_interval;
}

void ptp_port_slave_reset(struct aes67_ptp_port *p)
{
	aes67_ptp_servo_reset(&p->servo);
	p->have_cand = false;
	if (p->locked) {
		p->locked = false;
		ptp_port_emit_lock(p, false);
	}
	p->have_sync = false;
	p->sync_wait_fup = false;
	p->delay_pending = false;
	p->have_t3 = false;
	p->have_t4 = false;
	p->log_delay_req_interval = p->cfg.log_min_delay_req_interval;
}

void ptp_port_slave_untrain(struct aes67_ptp_port *p)
{
	aes67_ptp_servo_reset(&p->servo);
	p->have_cand = false;
	p->have_sync = false;
	p->sync_wait_fup = false;
}

bool ptp_port_slave_trained(const struct aes67_ptp_port *p)
{
	return p->have_cand && p->have_parent && p->servo.valid &&
	       aes67_ptp_port_identity_cmp(&p->cand, &p->parent.sender) == 0;
}

/* Training (LISTENING, MASTER): is @m from the best foreign master on record (before any Announce:
 * from the first master heard, whose Syncs precede its first Announce)? A new best one restarts
 * training. */
static bool from_candidate(struct aes67_ptp_port *p, const struct aes67_ptp_msg *m)
{
	const struct aes67_ptp_foreign *best = NULL;
	const struct aes67_ptp_port_identity *id;

	for (size_t i = 0; i < AES67_PTP_FOREIGN_MAX; i++) {
		const struct aes67_ptp_foreign *f = &p->foreign.rec[i];

		if (f->in_use &&
		    (best == NULL ||
		     aes67_ptp_ds_compare(&f->ds, &best->ds) == AES67_PTP_DS_A_BETTER ||
		     aes67_ptp_ds_compare(&f->ds, &best->ds) == AES67_PTP_DS_A_BETTER_TOPO)) {
			best = f;
		}
	}
	id = best != NULL ? &best->ds.sender : (p->have_cand ? &p->cand : &m->hdr.source);
	if (!p->have_cand || aes67_ptp_port_identity_cmp(&p->cand, id) != 0) {
		struct aes67_ptp_port_identity next = *id;

		ptp_port_slave_untrain(p);
		p->cand = next;
		p->have_cand = true;
	}
	return aes67_ptp_port_identity_cmp(&m->hdr.source, &p->cand) == 0;
}

static bool from_parent(struct aes67_ptp_port *p, const struct aes67_ptp_msg *m)
{
	if (ptp_port_trains(p->state)) {
		return from_candidate(p, m);
	}
	return p->have_parent &&
	       aes67_ptp_port_identity_cmp(&m->hdr.source, &p->parent.sender) == 0;
}

/* Servo lock is the calibration criterion of §9.2.5 (UNCALIBRATED -> SLAVE and back). */
static void check_lock(struct aes67_ptp_port *p, int64_t now_ns)
{
	struct aes67_ptp_servo_status st;

	aes67_ptp_servo_status(&p->servo, &st);
	if (st.locked == p->locked) {
		return;
	}
	p->locked = st.locked;
	ptp_port_emit_lock(p, st.locked);
	ptp_port_event(p,
		       st.locked ? AES67_PTP_EV_MASTER_CLOCK_SELECTED
				 : AES67_PTP_EV_SYNCHRONIZATION_FAULT,
		       now_ns);
}

static int feed_sync(struct aes67_ptp_port *p, int64_t t1_ns, int64_t t2_ns, int64_t now_ns)
{
	bool training = ptp_port_trains(p->state);
	int r = training ? aes67_ptp_servo_train(&p->servo, t1_ns, t2_ns)
			 : aes67_ptp_servo_sync(&p->servo, t1_ns, t2_ns);

	if (r < 0) {
		port_drop(p, AES67_PTP_PORT_DROP_SERVO);
		return 1;
	}
	p->have_sync = true;
	if (!training) {
		check_lock(p, now_ns);
	}
	return 0;
}

int ptp_port_slave_sync(struct aes67_ptp_port *p, const struct aes67_ptp_msg *m, int64_t rx_mono_ns,
			int64_t now_ns)
{
	int64_t origin_ns;

	if (!from_parent(p, m)) {
		port_drop(p, AES67_PTP_PORT_DROP_NOT_PARENT);
		return 1;
	}
	if (m->hdr.flags & AES67_PTP_FLAG_TWO_STEP) {
		/* §9.5.10: wait for the Follow_Up with the same sequenceId; a newer Sync replaces
		 * an unanswered one. */
		p->sync_wait_fup = true;
		p->sync_seq_rx = m->hdr.sequence_id;
		p->sync_t2_ns = rx_mono_ns;
		p->sync_corr_ns = aes67_ptp_correction_ns(m->hdr.correction_scaled_ns);
		return 0;
	}
	/* One-step (§11.3.2): t1 = originTimestamp + correctionField of the Sync. */
	if (aes67_ptp_time_to_ns(&m->ts, &origin_ns) < 0) {
		port_drop(p, AES67_PTP_PORT_DROP_TIME);
		return 1;
	}
	p->sync_wait_fup = false;
	return feed_sync(p, origin_ns + aes67_ptp_correction_ns(m->hdr.correction_scaled_ns),
			 rx_mono_ns, now_ns);
}

int ptp_port_slave_follow_up(struct aes67_ptp_port *p, const struct aes67_ptp_msg *m,
			     int64_t now_ns)
{
	int64_t origin_ns;

	if (!from_parent(p, m)) {
		port_drop(p, AES67_PTP_PORT_DROP_NOT_PARENT);
		return 1;
	}
	if (!p->sync_wait_fup || m->hdr.sequence_id != p->sync_seq_rx) {
		port_drop(p, AES67_PTP_PORT_DROP_NO_SYNC);
		return 1;
	}
	if (aes67_ptp_time_to_ns(&m->ts, &origin_ns) < 0) {
		port_drop(p, AES67_PTP_PORT_DROP_TIME);
		return 1;
	}
	p->sync_wait_fup = false;
	/* §11.3.2: t1 = preciseOriginTimestamp + correctionField of Sync and of Follow_Up. */
	return feed_sync(p,
			 origin_ns + p->sync_corr_ns +
				 aes67_ptp_correction_ns(m->hdr.correction_scaled_ns),
			 p->sync_t2_ns, now_ns);
}

/* Both halves of a delay exchange are in (they arrive in either order): feed the servo. */
static void try_delay(struct aes67_ptp_port *p)
{
	if (!p->have_t3 || !p->have_t4) {
		return;
	}
	p->delay_pending = false;
	if (aes67_ptp_servo_delay(&p->servo, p->t3_ns, p->t4_ns) < 0) {
		port_drop(p, AES67_PTP_PORT_DROP_SERVO);
	}
}

static bool outstanding(const struct aes67_ptp_port *p, uint16_t seq)
{
	return p->delay_pending && seq == (uint16_t)(p->delay_seq - 1);
}

int ptp_port_slave_tx_ts(struct aes67_ptp_port *p, uint16_t seq, int64_t tx_mono_ns, int64_t now_ns)
{
	(void)now_ns;
	if (!outstanding(p, seq) || p->have_t3) {
		return 1;
	}
	p->t3_ns = tx_mono_ns;
	p->have_t3 = true;
	try_delay(p);
	return 0;
}

int ptp_port_slave_delay_resp(struct aes67_ptp_port *p, const struct aes67_ptp_msg *m,
			      int64_t now_ns)
{
	int64_t rx_ns;
	int8_t log_iv = m->hdr.log_message_interval;

	(void)now_ns;
	/* Delay_Resp is multicast to every slave: one for another port is normal traffic. */
	if (aes67_ptp_port_identity_cmp(&m->requesting, &p->self) != 0) {
		port_drop(p, AES67_PTP_PORT_DROP_NOT_FOR_US);
		return 1;
	}
	if (!from_parent(p, m)) {
		port_drop(p, AES67_PTP_PORT_DROP_NOT_PARENT);
		return 1;
	}
	if (!outstanding(p, m->hdr.sequence_id) || p->have_t4) {
		port_drop(p, AES67_PTP_PORT_DROP_NO_REQUEST);
		return 1;
	}
	if (aes67_ptp_time_to_ns(&m->ts, &rx_ns) < 0) {
		port_drop(p, AES67_PTP_PORT_DROP_TIME);
		return 1;
	}
	/* §11.3.2 d): t4 = receiveTimestamp - correctionField of the Delay_Resp. */
	p->t4_ns = rx_ns - aes67_ptp_correction_ns(m->hdr.correction_scaled_ns);
	p->have_t4 = true;
	if (log_iv >= LOG_DELAY_REQ_MIN && log_iv <= LOG_DELAY_REQ_MAX) {
		p->log_delay_req_interval = log_iv;
	}
	try_delay(p);
	return 0;
}

void ptp_port_slave_tick(struct aes67_ptp_port *p, int64_t now_ns)
{
	struct aes67_ptp_msg m;
	int64_t iv = interval_ns(p->log_delay_req_interval);

	if (now_ns < p->delay_req_due) {
		return;
	}
	/* §9.5.11.2: uniformly random spacing in [0, 2^(logMinDelayReqInterval + 1)) s, mean one
	 * interval; or the fixed interval. At least 1 ns so that one tick sends one request. */
	p->delay_req_due =
		now_ns + (p->cfg.delay_req_random ? 1 + ptp_port_random_ns(p, 2 * iv) : iv);
	/* The servo pairs a delay exchange with the last Sync: nothing to do before one. */
	if (!p->have_sync) {
		return;
	}
	ptp_port_header(p, &m, AES67_PTP_DELAY_REQ, p->delay_seq, LOG_INTERVAL_UNSPECIFIED);
	/* §11.3.2 a): originTimestamp an estimate of the departure time (0 without mapping). */
	m.ts = ptp_port_now_ptp(p, now_ns);
	if (ptp_port_send(p, &m, AES67_PTP_CH_EVENT, true) == 0) {
		p->delay_seq++;
		p->delay_pending = true;
		p->have_t3 = false;
		p->have_t4 = false;
	}
}
