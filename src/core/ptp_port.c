// SPDX-License-Identifier: MIT
/*
 * PTP ordinary-clock port: entry points, receive dispatch, the BMCA state decision and the
 * timers (IEEE 1588-2008 §9.2). The master and slave message exchanges live in
 * ptp_port_master.c and ptp_port_slave.c.
 *
 * Shape: every entry point starts an output (begin), does its work, and ends by computing the
 * next deadline (finish). The state machine itself is the pure aes67_ptp_fsm(); this file feeds
 * it events and applies the effects of each transition (timers, parent, servo, reports).
 *
 * Qualification: §9.2.6.10 gives the M1/M2 (grandmaster) decisions a qualification timeout of 0,
 * and figure 23 takes RS_GRAND_MASTER straight to MASTER, so a one-port ordinary clock reaches
 * PRE_MASTER only on an M3 decision (boundary clocks). PRE_MASTER is still handled: it arms the
 * (stepsRemoved + 1) announce interval qualification timer. Simultaneous masters are avoided by
 * the randomised announce receipt timeout instead.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "aes67/error.h"
#include "ptp_port_impl.h"

void aes67_ptp_port_config_init(struct aes67_ptp_port_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->port_number = 1;
	cfg->domain = AES67_PTP_DEFAULT_DOMAIN;
	cfg->priority1 = AES67_PTP_DEFAULT_PRIORITY;
	cfg->priority2 = AES67_PTP_DEFAULT_PRIORITY;
	/* §7.6.2.4 clockClass 248 (default), §7.6.2.5 accuracy unknown, §7.6.3.3 variance max. */
	cfg->quality.clock_class = 248;
	cfg->quality.clock_accuracy = 0xFE;
	cfg->quality.offset_scaled_log_variance = 0xFFFF;
	cfg->log_announce_interval = AES67_PTP_DEFAULT_LOG_ANNOUNCE_INTERVAL;
	cfg->log_sync_interval = AES67_PTP_DEFAULT_LOG_SYNC_INTERVAL;
	cfg->log_min_delay_req_interval = AES67_PTP_DEFAULT_LOG_DELAY_REQ_INTERVAL;
	cfg->announce_receipt_timeout = AES67_PTP_DEFAULT_ANNOUNCE_RECEIPT_TIMEOUT;
	cfg->delay_req_random = true;
	cfg->current_utc_offset_s = AES67_PTP_DEFAULT_UTC_OFFSET_S;
	cfg->utc_offset_valid = true;
	cfg->ptp_timescale = true;
	cfg->time_source = AES67_PTP_TIME_SOURCE_INTERNAL_OSCILLATOR;
	cfg->seed = 0x5DEECE66DULL;
	aes67_ptp_servo_config_init(&cfg->servo);
}

void aes67_ptp_port_identity_from_mac(const uint8_t mac[6],
				      uint8_t id[AES67_PTP_CLOCK_IDENTITY_BYTES])
{
	id[0] = mac[0];
	id[1] = mac[1];
	id[2] = mac[2];
	id[3] = 0xFF;
	id[4] = 0xFE;
	id[5] = mac[3];
	id[6] = mac[4];
	id[7] = mac[5];
}

static bool in_range(int v, int lo, int hi)
{
	return v >= lo && v <= hi;
}

static bool config_ok(const struct aes67_ptp_port_config *c)
{
	static const uint8_t zero[AES67_PTP_CLOCK_IDENTITY_BYTES];

	/* AES67-2018 Annex A ranges for the media profile; timebase rate within +-1000 ppm. */
	return memcmp(c->clock_identity, zero, sizeof(zero)) != 0 && c->port_number != 0 &&
	       c->port_number != 0xFFFF && in_range(c->log_announce_interval, 0, 4) &&
	       in_range(c->log_sync_interval, -4, 1) &&
	       in_range(c->log_min_delay_req_interval, -3, 5) &&
	       in_range(c->announce_receipt_timeout, 2, 10) && fabs(c->timebase.rate_ppm) <= 1000.0;
}

int aes67_ptp_port_init(struct aes67_ptp_port *p, const struct aes67_ptp_port_config *cfg)
{
	int err;

	if (!p || !cfg || !config_ok(cfg)) {
		return -EINVAL;
	}
	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	if (p->cfg.slave_only) {
		p->cfg.quality.clock_class = AES67_PTP_CLASS_SLAVE_ONLY;
	}
	err = aes67_ptp_servo_init(&p->servo, &cfg->servo);
	if (err < 0) {
		return err;
	}
	memcpy(p->self.clock_identity, cfg->clock_identity, AES67_PTP_CLOCK_IDENTITY_BYTES);
	p->self.port_number = cfg->port_number;
	p->state = AES67_PTP_INITIALIZING;
	p->rng = cfg->seed ? cfg->seed : 0x9E3779B97F4A7C15ULL;
	aes67_ptp_foreign_init(&p->foreign, cfg->clock_identity);
	p->log_delay_req_interval = cfg->log_min_delay_req_interval;
	p->announce_rx_due = PORT_NEVER;
	p->qualification_due = PORT_NEVER;
	p->announce_tx_due = PORT_NEVER;
	p->sync_tx_due = PORT_NEVER;
	p->delay_req_due = PORT_NEVER;
	return 0;
}

int64_t ptp_port_random_ns(struct aes67_ptp_port *p, int64_t span_ns)
{
	/* xorshift64*: deterministic for a given seed, good enough to spread timeouts. */
	p->rng ^= p->rng >> 12;
	p->rng ^= p->rng << 25;
	p->rng ^= p->rng >> 27;
	uint64_t r = p->rng * 0x2545F4914F6CDD1DULL;

	return span_ns > 0 ? (int64_t)(r % (uint64_t)span_ns) : 0;
}

/* --- output ------------------------------------------------------------------------------ */

static void begin(struct aes67_ptp_port *p, struct aes67_ptp_port_out *out)
{
	out->n = 0;
	out->next_deadline_ns = PORT_NEVER;
	p->out = out;
	p->tx_used = 0;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static void finish(struct aes67_ptp_port *p)
{
	int64_t d = min64(p->announce_rx_due, p->qualification_due);

	d = min64(d, min64(p->announce_tx_due, p->sync_tx_due));
	p->out->next_deadline_ns = min64(d, p->delay_req_due);
	p->out = NULL;
}

static struct aes67_ptp_action *push(struct aes67_ptp_port *p, enum aes67_ptp_action_type t)
{
	struct aes67_ptp_action *a;

	if (!p->out || p->out->n >= AES67_PTP_PORT_OUT_MAX) {
		port_drop(p, AES67_PTP_PORT_DROP_OUT_FULL);
		return NULL;
	}
	a = &p->out->act[p->out->n++];
	memset(a, 0, sizeof(*a));
	a->type = t;
	return a;
}

void ptp_port_emit_lock(struct aes67_ptp_port *p, bool locked)
{
	struct aes67_ptp_action *a = push(p, AES67_PTP_ACT_LOCK);

	if (a) {
		a->locked = locked;
	}
}

void ptp_port_header(const struct aes67_ptp_port *p, struct aes67_ptp_msg *m, unsigned type,
		     uint16_t seq, int8_t log_interval)
{
	/* §13.3.2.10 Table 23: controlField per type; everything else is "other". */
	static const uint8_t control[16] = {
		[AES67_PTP_SYNC] = AES67_PTP_CONTROL_SYNC,
		[AES67_PTP_DELAY_REQ] = AES67_PTP_CONTROL_DELAY_REQ,
		[AES67_PTP_FOLLOW_UP] = AES67_PTP_CONTROL_FOLLOW_UP,
		[AES67_PTP_DELAY_RESP] = AES67_PTP_CONTROL_DELAY_RESP,
		[AES67_PTP_ANNOUNCE] = AES67_PTP_CONTROL_OTHER,
	};

	memset(m, 0, sizeof(*m));
	m->hdr.type = (uint8_t)type;
	m->hdr.version = 2;
	m->hdr.domain = p->cfg.domain;
	m->hdr.source = p->self;
	m->hdr.sequence_id = seq;
	m->hdr.control = control[type & 0x0f];
	m->hdr.log_message_interval = log_interval;
}

int ptp_port_send(struct aes67_ptp_port *p, const struct aes67_ptp_msg *m,
		  enum aes67_ptp_channel ch, bool need_tx_ts)
{
	struct aes67_ptp_action *a;
	uint8_t *buf;
	int n;

	if (p->tx_used >= AES67_PTP_PORT_TX_SLOTS || !p->out ||
	    p->out->n >= AES67_PTP_PORT_OUT_MAX) {
		port_drop(p, AES67_PTP_PORT_DROP_OUT_FULL);
		return -AES67_ENOSPACE;
	}
	buf = p->tx_buf[p->tx_used];
	n = aes67_ptp_msg_build(m, buf, AES67_PTP_PORT_TX_BYTES);
	if (n < 0) {
		return n;
	}
	p->tx_used++;
	a = push(p, AES67_PTP_ACT_SEND);
	a->channel = ch;
	a->bytes = buf;
	a->len_bytes = (uint32_t)n;
	a->need_tx_ts = need_tx_ts;
	a->tx_token = tx_token(m->hdr.type, m->hdr.sequence_id);
	p->tx[m->hdr.type & 0x0f]++;
	return 0;
}

/* --- time -------------------------------------------------------------------------------- */

static bool master_like(enum aes67_ptp_port_state s)
{
	return s == AES67_PTP_MASTER || s == AES67_PTP_PRE_MASTER;
}

static bool slave_like(enum aes67_ptp_port_state s)
{
	return s == AES67_PTP_UNCALIBRATED || s == AES67_PTP_SLAVE;
}

/* States that run the announce receipt timer (§9.2.6.11). */
static bool listens(enum aes67_ptp_port_state s)
{
	return s == AES67_PTP_LISTENING || s == AES67_PTP_PASSIVE || slave_like(s);
}

static int64_t timebase_map(const struct aes67_ptp_port_timebase *tb, int64_t mono_ns)
{
	int64_t d = mono_ns - tb->mono_ns0;

	return tb->ptp_ns0 + d + (int64_t)llround((double)d * tb->rate_ppm * 1e-6);
}

int aes67_ptp_port_time(const struct aes67_ptp_port *p, int64_t mono_ns, int64_t *ptp_ns)
{
	if (master_like(p->state)) {
		*ptp_ns = timebase_map(&p->cfg.timebase, mono_ns);
		return 0;
	}
	if (!slave_like(p->state)) {
		return -EAGAIN; /* LISTENING: a trained mapping is not adopted (§9.2.5) */
	}
	return aes67_ptp_servo_map(&p->servo, mono_ns, ptp_ns);
}

struct aes67_ptp_time ptp_port_now_ptp(const struct aes67_ptp_port *p, int64_t mono_ns)
{
	struct aes67_ptp_time t = {0, 0};
	int64_t ns;

	if (aes67_ptp_port_time(p, mono_ns, &ns) == 0 && aes67_ptp_time_from_ns(ns, &t) == 0) {
		return t;
	}
	return (struct aes67_ptp_time){0, 0};
}

void aes67_ptp_port_set_timebase(struct aes67_ptp_port *p, const struct aes67_ptp_port_timebase *tb)
{
	p->cfg.timebase = *tb;
}

/* --- state ------------------------------------------------------------------------------- */

static int64_t announce_ns(const struct aes67_ptp_port *p)
{
	return interval_ns(p->cfg.log_announce_interval);
}

/* §9.2.6.11: announceReceiptTimeout intervals, plus up to one more interval at random so that
 * clocks that start together do not all declare themselves master at the same instant. */
static void arm_announce_rx(struct aes67_ptp_port *p, int64_t now_ns)
{
	int64_t iv = announce_ns(p);

	p->announce_rx_due =
		now_ns + iv * p->cfg.announce_receipt_timeout + ptp_port_random_ns(p, iv);
}

static void report_gm(struct aes67_ptp_port *p)
{
	const uint8_t *gm;
	struct aes67_ptp_action *a;

	if (master_like(p->state)) {
		gm = p->self.clock_identity;
	} else if (p->have_parent && (slave_like(p->state) || p->state == AES67_PTP_PASSIVE)) {
		gm = p->parent.gm_identity;
	} else {
		return;
	}
	if (p->gm_reported && memcmp(gm, p->gm_identity, AES67_PTP_CLOCK_IDENTITY_BYTES) == 0) {
		return;
	}
	memcpy(p->gm_identity, gm, AES67_PTP_CLOCK_IDENTITY_BYTES);
	p->gm_reported = true;
	a = push(p, AES67_PTP_ACT_GM_CHANGED);
	if (a) {
		memcpy(a->gm_identity, gm, AES67_PTP_CLOCK_IDENTITY_BYTES);
	}
}

static void transition(struct aes67_ptp_port *p, enum aes67_ptp_fsm_event ev, int mdiff,
		       int64_t now_ns)
{
	enum aes67_ptp_port_state old = p->state, s;
	struct aes67_ptp_action *a;

	s = p->cfg.slave_only ? aes67_ptp_fsm_slave_only(old, ev, mdiff)
			      : aes67_ptp_fsm(old, ev, mdiff);
	if (s == old) {
		return;
	}
	p->state = s;
	a = push(p, AES67_PTP_ACT_STATE);
	if (a) {
		a->old_state = old;
		a->new_state = s;
	}
	if (slave_like(old) && master_like(s) && p->servo.valid) {
		/* Failover: keep the time we were following as our grandmaster time, so that the
		 * network's time does not jump (the daemon may set another timebase). */
		struct aes67_ptp_port_timebase tb = {now_ns, 0, 0};
		struct aes67_ptp_servo_status st;

		if (aes67_ptp_servo_map(&p->servo, now_ns, &tb.ptp_ns0) == 0) {
			aes67_ptp_servo_status(&p->servo, &st);
			tb.rate_ppm = st.rate_ppm;
			p->cfg.timebase = tb;
		}
	}
	if (ptp_port_trains(old) && slave_like(s) && ptp_port_slave_trained(p)) {
		/* The master the servo trained on while it was qualified: keep the mapping. */
		ptp_port_slave_reset_keep_servo(p);
		/* It has a Sync to pair with: measure the path delay at once (§9.5.11.2 bounds
		 * the mean interval, not the first request). */
		p->delay_req_due = now_ns;
	} else if (slave_like(old) != slave_like(s)) {
		ptp_port_slave_reset(p);
		p->delay_req_due = slave_like(s) ? now_ns + interval_ns(p->log_delay_req_interval)
						 : PORT_NEVER;
	}
	if (!listens(s)) {
		p->announce_rx_due = PORT_NEVER;
	} else if (!listens(old)) {
		arm_announce_rx(p, now_ns);
	}
	if (s == AES67_PTP_PRE_MASTER) {
		/* §9.2.6.10: (N + 1) announce intervals, N = stepsRemoved of the decision. */
		p->qualification_due =
			now_ns +
			announce_ns(p) * ((p->have_parent ? p->parent.steps_removed : 0) + 1);
	} else {
		p->qualification_due = PORT_NEVER;
	}
	if (s == AES67_PTP_MASTER && old != AES67_PTP_MASTER) {
		p->announce_tx_due = now_ns;
		p->sync_tx_due = now_ns;
		p->sync_pending = false;
	} else if (s != AES67_PTP_MASTER) {
		p->announce_tx_due = PORT_NEVER;
		p->sync_tx_due = PORT_NEVER;
	}
	if (ptp_port_trains(old) && !slave_like(s)) {
		/* Not following the candidate after all: nothing of the training is kept. */
		ptp_port_slave_untrain(p);
	}
	if (!slave_like(s) && s != AES67_PTP_PASSIVE) {
		p->have_parent = false;
	}
	report_gm(p);
}

void ptp_port_event(struct aes67_ptp_port *p, enum aes67_ptp_fsm_event ev, int64_t now_ns)
{
	transition(p, ev, 0, now_ns);
}

static struct aes67_ptp_dataset own_dataset(const struct aes67_ptp_port *p)
{
	struct aes67_ptp_dataset d0;

	memset(&d0, 0, sizeof(d0));
	d0.priority1 = p->cfg.priority1;
	memcpy(d0.gm_identity, p->self.clock_identity, AES67_PTP_CLOCK_IDENTITY_BYTES);
	d0.quality = p->cfg.quality;
	d0.priority2 = p->cfg.priority2;
	d0.sender = p->self;
	d0.receiver = p->self;
	if (p->cfg.slave_only) {
		/* A slave-only clock never announces itself (§9.2.2), so its own priorities must
		 * not keep it from following: compare as the worst possible candidate. */
		d0.priority1 = 255;
		d0.priority2 = 255;
	}
	return d0;
}

/* §9.2.6.8 STATE_DECISION_EVENT: run the BMCA (§9.3.3) and apply its recommendation. */
static void state_decision(struct aes67_ptp_port *p, int64_t now_ns)
{
	struct aes67_ptp_dataset d0 = own_dataset(p), best;
	bool have = aes67_ptp_foreign_erbest(&p->foreign, now_ns, announce_ns(p), &best) == 0;
	enum aes67_ptp_decision d =
		aes67_ptp_bmca_decide(&d0, have ? &best : NULL, p->state, false);
	enum aes67_ptp_fsm_event ev = aes67_ptp_bmca_event(d);
	int mdiff = 0;

	if (ev == AES67_PTP_EV_NONE) {
		return;
	}
	if (ev == AES67_PTP_EV_RS_SLAVE || ev == AES67_PTP_EV_RS_PASSIVE) {
		bool changed = !p->have_parent ||
			       aes67_ptp_port_identity_cmp(&p->parent.sender, &best.sender) != 0;

		/* The dataset is refreshed even for the same parent: its GM may have changed. */
		p->parent = best;
		p->have_parent = true;
		if (changed) {
			mdiff = ev == AES67_PTP_EV_RS_SLAVE;
			if (slave_like(p->state)) {
				ptp_port_slave_reset(p);
			}
			if (listens(p->state)) {
				arm_announce_rx(p, now_ns);
			}
		}
	}
	transition(p, ev, mdiff, now_ns);
	report_gm(p);
}

/* Forget the foreign record of the master that went silent (§9.2.6.11). */
static void forget_parent(struct aes67_ptp_port *p)
{
	for (size_t i = 0; p->have_parent && i < AES67_PTP_FOREIGN_MAX; i++) {
		struct aes67_ptp_foreign *f = &p->foreign.rec[i];

		if (f->in_use &&
		    aes67_ptp_port_identity_cmp(&f->ds.sender, &p->parent.sender) == 0) {
			f->in_use = false;
		}
	}
}

/* --- entry points ------------------------------------------------------------------------ */

int aes67_ptp_port_start(struct aes67_ptp_port *p, int64_t now_ns, struct aes67_ptp_port_out *out)
{
	if (!p || !out) {
		return -EINVAL;
	}
	begin(p, out);
	/* Figure 23: INITIALIZING completes to LISTENING on the next event the port sees. */
	if (p->state == AES67_PTP_INITIALIZING) {
		transition(p, AES67_PTP_EV_STATE_DECISION_EVENT, 0, now_ns);
	}
	finish(p);
	return 0;
}

int aes67_ptp_port_tick(struct aes67_ptp_port *p, int64_t now_ns, struct aes67_ptp_port_out *out)
{
	if (!p || !out) {
		return -EINVAL;
	}
	begin(p, out);
	if (listens(p->state) && now_ns >= p->announce_rx_due) {
		forget_parent(p);
		p->have_parent = false;
		arm_announce_rx(p, now_ns);
		transition(p, AES67_PTP_EV_ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES, 0, now_ns);
		/* Another qualified master may remain: decide at once rather than a round later. */
		state_decision(p, now_ns);
	}
	if (p->state == AES67_PTP_PRE_MASTER && now_ns >= p->qualification_due) {
		transition(p, AES67_PTP_EV_QUALIFICATION_TIMEOUT_EXPIRES, 0, now_ns);
	}
	if (p->state == AES67_PTP_MASTER) {
		ptp_port_master_tick(p, now_ns);
	}
	if (slave_like(p->state)) {
		ptp_port_slave_tick(p, now_ns);
	}
	finish(p);
	return 0;
}

static int on_announce(struct aes67_ptp_port *p, const struct aes67_ptp_msg *m, int64_t now_ns)
{
	int r;

	if (!listens(p->state) && !master_like(p->state)) {
		port_drop(p, AES67_PTP_PORT_DROP_STATE);
		return 1;
	}
	/* §9.3.2.5 d): an Announce 255 or more steps away is not a candidate. */
	if (m->announce.steps_removed >= 255) {
		port_drop(p, AES67_PTP_PORT_DROP_ANNOUNCE);
		return 1;
	}
	r = aes67_ptp_foreign_add(&p->foreign, m, &p->self, now_ns, announce_ns(p));
	if (r < 0) {
		port_drop(p, AES67_PTP_PORT_DROP_ANNOUNCE);
		return 1;
	}
	if (p->state == AES67_PTP_LISTENING ||
	    (p->have_parent &&
	     aes67_ptp_port_identity_cmp(&m->hdr.source, &p->parent.sender) == 0)) {
		arm_announce_rx(p, now_ns);
	}
	state_decision(p, now_ns);
	return 0;
}

static bool is_event_type(unsigned type)
{
	return type < 8; /* §13.3.2.2: types 0..3 are event messages (4..7 reserved) */
}

static int dispatch(struct aes67_ptp_port *p, const struct aes67_ptp_msg *m,
		    enum aes67_ptp_channel ch, int64_t rx_mono_ns, int64_t now_ns)
{
	unsigned type = m->hdr.type;

	if (m->hdr.domain != p->cfg.domain) {
		port_drop(p, AES67_PTP_PORT_DROP_DOMAIN);
		return 1;
	}
	if (memcmp(m->hdr.source.clock_identity, p->self.clock_identity,
		   AES67_PTP_CLOCK_IDENTITY_BYTES) == 0) {
		port_drop(p, AES67_PTP_PORT_DROP_OWN);
		return 1;
	}
	if (ch != AES67_PTP_CH_L2 && is_event_type(type) != (ch == AES67_PTP_CH_EVENT)) {
		port_drop(p, AES67_PTP_PORT_DROP_CHANNEL);
		return 1;
	}
	switch (type) {
	case AES67_PTP_ANNOUNCE:
		return on_announce(p, m, now_ns);
	case AES67_PTP_SYNC:
	case AES67_PTP_FOLLOW_UP:
	case AES67_PTP_DELAY_RESP:
		/* LISTENING, MASTER: Sync and Follow_Up only train the servo (ptp_port_slave.c). */
		if (!slave_like(p->state) &&
		    !(ptp_port_trains(p->state) && type != AES67_PTP_DELAY_RESP)) {
			break;
		}
		if (type == AES67_PTP_SYNC) {
			return ptp_port_slave_sync(p, m, rx_mono_ns, now_ns);
		}
		if (type == AES67_PTP_FOLLOW_UP) {
			return ptp_port_slave_follow_up(p, m, now_ns);
		}
		return ptp_port_slave_delay_resp(p, m, now_ns);
	case AES67_PTP_DELAY_REQ:
		if (p->state != AES67_PTP_MASTER) {
			break;
		}
		return ptp_port_master_delay_req(p, m, rx_mono_ns);
	default:
		port_drop(p, AES67_PTP_PORT_DROP_UNSUPPORTED);
		return 1;
	}
	port_drop(p, AES67_PTP_PORT_DROP_STATE);
	return 1;
}

int aes67_ptp_port_rx(struct aes67_ptp_port *p, const uint8_t *buf, size_t len_bytes,
		      enum aes67_ptp_channel ch, int64_t rx_mono_ns, int64_t now_ns,
		      struct aes67_ptp_port_out *out)
{
	struct aes67_ptp_msg m;
	enum aes67_ptp_drop why = AES67_PTP_DROP_NONE;
	int r;

	if (!p || !buf || !out) {
		return -EINVAL;
	}
	begin(p, out);
	if (aes67_ptp_msg_parse(buf, len_bytes, &m, &why) < 0) {
		port_drop(p, AES67_PTP_PORT_DROP_PARSE);
		if (why < AES67_PTP_DROP_COUNT) {
			p->parse_drop[why]++;
		}
		r = 1;
	} else if (p->state == AES67_PTP_INITIALIZING || p->state == AES67_PTP_FAULTY ||
		   p->state == AES67_PTP_DISABLED) {
		p->rx[m.hdr.type & 0x0f]++;
		port_drop(p, AES67_PTP_PORT_DROP_STATE);
		r = 1;
	} else {
		p->rx[m.hdr.type & 0x0f]++;
		r = dispatch(p, &m, ch, rx_mono_ns, now_ns);
	}
	finish(p);
	return r;
}

int aes67_ptp_port_tx_ts(struct aes67_ptp_port *p, uint32_t token, int64_t tx_mono_ns,
			 int64_t now_ns, struct aes67_ptp_port_out *out)
{
	unsigned type = token >> 16;
	uint16_t seq = (uint16_t)token;
	int r = 1;

	if (!p || !out) {
		return -EINVAL;
	}
	begin(p, out);
	if (type == AES67_PTP_SYNC && p->state == AES67_PTP_MASTER) {
		r = ptp_port_master_tx_ts(p, seq, tx_mono_ns);
	} else if (type == AES67_PTP_DELAY_REQ && slave_like(p->state)) {
		r = ptp_port_slave_tx_ts(p, seq, tx_mono_ns, now_ns);
	}
	if (r != 0) {
		port_drop(p, AES67_PTP_PORT_DROP_TX_TS);
		r = 1;
	}
	finish(p);
	return r;
}

void aes67_ptp_port_status(const struct aes67_ptp_port *p, int64_t now_ns,
			   struct aes67_ptp_port_status *st)
{
	struct aes67_ptp_servo_status ss;

	memset(st, 0, sizeof(*st));
	st->state = p->state;
	if (master_like(p->state)) {
		st->gm_valid = true;
		memcpy(st->gm_identity, p->self.clock_identity, AES67_PTP_CLOCK_IDENTITY_BYTES);
	} else if (p->have_parent) {
		st->gm_valid = true;
		memcpy(st->gm_identity, p->parent.gm_identity, AES67_PTP_CLOCK_IDENTITY_BYTES);
		st->parent = p->parent.sender;
		st->steps_removed = (uint16_t)(p->parent.steps_removed + 1);
	}
	aes67_ptp_servo_status(&p->servo, &ss);
	st->offset_ns = ss.offset_ns;
	st->mean_path_delay_ns = ss.mean_path_delay_ns;
	st->rate_ppm = ss.rate_ppm;
	st->locked = p->locked;
	st->locked_for_ns = p->locked ? now_ns - ss.lock_mono_ns : 0;
	st->servo_samples = ss.samples;
	st->servo_outliers = ss.outliers;
	st->servo_steps = ss.steps;
	st->servo_reacquired = ss.reacquired;
	st->servo_rate_reopened = ss.rate_reopened;
	memcpy(st->rx, p->rx, sizeof(st->rx));
	memcpy(st->tx, p->tx, sizeof(st->tx));
	memcpy(st->drop, p->drop, sizeof(st->drop));
	memcpy(st->parse_drop, p->parse_drop, sizeof(st->parse_drop));
}

const char *aes67_ptp_port_drop_str(enum aes67_ptp_port_drop d)
{
	static const char *const names[AES67_PTP_PORT_DROP_COUNT] = {
		[AES67_PTP_PORT_DROP_PARSE] = "parse",
		[AES67_PTP_PORT_DROP_DOMAIN] = "domain",
		[AES67_PTP_PORT_DROP_OWN] = "own",
		[AES67_PTP_PORT_DROP_CHANNEL] = "channel",
		[AES67_PTP_PORT_DROP_UNSUPPORTED] = "unsupported",
		[AES67_PTP_PORT_DROP_STATE] = "state",
		[AES67_PTP_PORT_DROP_NOT_PARENT] = "not_parent",
		[AES67_PTP_PORT_DROP_NO_SYNC] = "no_sync",
		[AES67_PTP_PORT_DROP_NOT_FOR_US] = "not_for_us",
		[AES67_PTP_PORT_DROP_NO_REQUEST] = "no_request",
		[AES67_PTP_PORT_DROP_TIME] = "time",
		[AES67_PTP_PORT_DROP_SERVO] = "servo",
		[AES67_PTP_PORT_DROP_ANNOUNCE] = "announce",
		[AES67_PTP_PORT_DROP_TX_TS] = "tx_ts",
		[AES67_PTP_PORT_DROP_OUT_FULL] = "out_full",
	};

	if ((unsigned)d >= AES67_PTP_PORT_DROP_COUNT || !names[d]) {
		return "?";
	}
	return names[d];
}
