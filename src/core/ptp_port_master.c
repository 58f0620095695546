// SPDX-License-Identifier: MIT
/*
 * PTP port, master side (IEEE 1588-2008 §9.5): Announce every 2^logAnnounceInterval s (§9.5.8),
 * two-step Sync every 2^logSyncInterval s with a Follow_Up that carries the transmit timestamp
 * the daemon reports (§9.5.9, §11.3), and a Delay_Resp to every Delay_Req (§9.5.12, §11.3.2).
 *
 * One-step transmission is not offered: with software timestamps the transmit time is known
 * only after the packet left, which is exactly what two-step is for.
 */
#include <string.h>

#include "aes67/error.h"
#include "ptp_port_impl.h"

static void send_announce(struct aes67_ptp_port *p, int64_t now_ns)
{
	struct aes67_ptp_msg m;
	struct aes67_ptp_announce *a = &m.announce;
	uint16_t flags = 0;

	ptp_port_header(p, &m, AES67_PTP_ANNOUNCE, p->announce_seq++, p->cfg.log_announce_interval);
	/* §13.5: as grandmaster the parentDS is our own defaultDS, stepsRemoved 0 (§8.2.2). */
	a->origin = ptp_port_now_ptp(p, now_ns);
	a->current_utc_offset_s = p->cfg.current_utc_offset_s;
	a->gm_priority1 = p->cfg.priority1;
	a->gm_quality = p->cfg.quality;
	a->gm_priority2 = p->cfg.priority2;
	memcpy(a->gm_identity, p->self.clock_identity, AES67_PTP_CLOCK_IDENTITY_BYTES);
	a->steps_removed = 0;
	a->time_source = p->cfg.time_source;
	/* §13.3.2.6 Table 20: timePropertiesDS flags ride in the Announce header. */
	if (p->cfg.utc_offset_valid) {
		flags |= AES67_PTP_FLAG_UTC_OFFSET_VALID;
	}
	if (p->cfg.ptp_timescale) {
		flags |= AES67_PTP_FLAG_PTP_TIMESCALE;
	}
	m.hdr.flags = flags;
	(void)ptp_port_send(p, &m, AES67_PTP_CH_GENERAL, false);
}

static void send_sync(struct aes67_ptp_port *p, int64_t now_ns)
{
	struct aes67_ptp_msg m;

	ptp_port_header(p, &m, AES67_PTP_SYNC, p->sync_seq, p->cfg.log_sync_interval);
	m.hdr.flags = AES67_PTP_FLAG_TWO_STEP;
	/* §9.5.9.3: in a two-step Sync the originTimestamp is an estimate (or zero); the
	 * precise time follows in the Follow_Up. */
	m.ts = ptp_port_now_ptp(p, now_ns);
	if (ptp_port_send(p, &m, AES67_PTP_CH_EVENT, true) == 0) {
		p->sync_pending = true;
		p->sync_seq++;
	}
}

/* Next due time: one interval on, or one interval from now if the caller fell behind (no
 * burst of catch-up messages after a stall). */
static int64_t next_due(int64_t due_ns, int64_t iv_ns, int64_t now_ns)
{
	int64_t n = due_ns + iv_ns;

	return n > now_ns ? n : now_ns + iv_ns;
}

void ptp_port_master_tick(struct aes67_ptp_port *p, int64_t now_ns)
{
	if (now_ns >= p->announce_tx_due) {
		send_announce(p, now_ns);
		p->announce_tx_due = next_due(p->announce_tx_due,
					      interval_ns(p->cfg.log_announce_interval), now_ns);
	}
	if (now_ns >= p->sync_tx_due) {
		send_sync(p, now_ns);
		p->sync_tx_due =
			next_due(p->sync_tx_due, interval_ns(p->cfg.log_sync_interval), now_ns);
	}
}

int ptp_port_master_tx_ts(struct aes67_ptp_port *p, uint16_t seq, int64_t tx_mono_ns)
{
	struct aes67_ptp_msg m;
	int64_t t1;

	/* Only the most recent Sync gets its Follow_Up; sync_seq was advanced when it left. */
	if (!p->sync_pending || seq != (uint16_t)(p->sync_seq - 1)) {
		return 1;
	}
	p->sync_pending = false;
	if (aes67_ptp_port_time(p, tx_mono_ns, &t1) < 0 || t1 < 0) {
		port_drop(p, AES67_PTP_PORT_DROP_TIME);
		return 0;
	}
	ptp_port_header(p, &m, AES67_PTP_FOLLOW_UP, seq, p->cfg.log_sync_interval);
	/* §11.3: preciseOriginTimestamp = when the Sync left; correctionField 0 (no residual). */
	if (aes67_ptp_time_from_ns(t1, &m.ts) < 0) {
		port_drop(p, AES67_PTP_PORT_DROP_TIME);
		return 0;
	}
	(void)ptp_port_send(p, &m, AES67_PTP_CH_GENERAL, false);
	return 0;
}

int ptp_port_master_delay_req(struct aes67_ptp_port *p, const struct aes67_ptp_msg *req,
			      int64_t rx_mono_ns)
{
	struct aes67_ptp_msg m;
	struct aes67_ptp_time rx;
	int64_t t4;

	if (aes67_ptp_port_time(p, rx_mono_ns, &t4) < 0 || aes67_ptp_time_from_ns(t4, &rx) < 0) {
		port_drop(p, AES67_PTP_PORT_DROP_TIME);
		return 1;
	}
	ptp_port_header(p, &m, AES67_PTP_DELAY_RESP, req->hdr.sequence_id,
			p->cfg.log_min_delay_req_interval);
	/* §11.3.2 c): receiveTimestamp = t4 (whole ns), requestingPortIdentity and sequenceId
	 * from the request, and the request's correctionField carried over. */
	m.ts = rx;
	m.requesting = req->hdr.source;
	m.hdr.correction_scaled_ns = req->hdr.correction_scaled_ns;
	(void)ptp_port_send(p, &m, AES67_PTP_CH_GENERAL, false);
	return 0;
}
