// SPDX-License-Identifier: MIT
/*
 * PTP port by deterministic network simulation: two or three ports joined by an in-memory wire
 * with a path delay plus one-sided jitter and noisy software timestamps. Each node's monotonic
 * clock has its own offset and ppm; the simulation knows true time, so it measures the real
 * error of a slave's PTP time against its grandmaster's, not the servo's opinion of itself.
 * Every call into a port runs under the RT guard (no allocation, locks, logging or clock reads).
 *
 * Scenarios: election by priority1 and by identity, grandmaster failure and failover, a better
 * clock joining (slave and passive variants), a one-step master, both clocks restarted together
 * with one late Sync while the slave trains (issue 4).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/ptp_port.h"
#include "rt_guard.h"

#define US 1000LL
#define MS 1000000LL
#define S 1000000000LL
#define NODES 3
#define QUEUE 256
#define ERR_MAX 4096
#define TAI0 (1700000000LL * S)

struct node {
	struct aes67_ptp_port port;
	struct aes67_ptp_port_out out;
	bool alive, one_step;
	double ppm;
	int64_t mono0, due_t;
	/* Records. */
	int64_t first_sync_t, lock_t, master_t, last_announce_rx_t;
	int64_t first_any_sync_t; /* first Sync delivered in any state (the daemon's measure) */
	int64_t select_t;	  /* last entry into UNCALIBRATED (the BMCA selected a master) */
	unsigned state_changes;
};

struct qev {
	bool used, is_tx_ts;
	int64_t t, stamp_mono;
	int dst;
	enum aes67_ptp_channel ch;
	uint32_t len, token;
	uint8_t buf[AES67_PTP_PORT_TX_BYTES];
};

struct sim {
	uint64_t rng;
	int64_t t;
	struct node n[NODES];
	struct qev q[QUEUE];
	double ts_noise_ns, jitter_ns;
	int64_t delay_ns;
	/* The late_n-th Sync sent to node late_dst is stamped late_ns late (its receive stamp
	 * taken late, as under load); late_n 0: none. */
	int late_dst;
	unsigned late_n, late_seen;
	int64_t late_ns;
	unsigned rt_violations;
	double err[ERR_MAX];
	unsigned n_err;
};

static struct sim sim;

static uint64_t rnd(void)
{
	sim.rng ^= sim.rng >> 12;
	sim.rng ^= sim.rng << 25;
	sim.rng ^= sim.rng >> 27;
	return sim.rng * 0x2545F4914F6CDD1DULL;
}

static double uni(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static double gauss(void)
{
	return (uni() + uni() + uni() + uni()) * 0.8660254;
}

static int64_t mono_at(const struct node *nd, int64_t t)
{
	return nd->mono0 + t + (int64_t)llround((double)t * nd->ppm * 1e-6);
}

/* Earliest true time at which the node's clock reads at least mono. */
static int64_t true_at(const struct node *nd, int64_t mono)
{
	int64_t t = (int64_t)ceil((double)(mono - nd->mono0) / (1.0 + nd->ppm * 1e-6));

	while (mono_at(nd, t) < mono) {
		t++;
	}
	return t < sim.t ? sim.t : t;
}

static void set_id(uint8_t id[8], uint8_t last)
{
	static const uint8_t mac[6] = {0x00, 0x1D, 0xC1, 0x10, 0x20, 0x00};
	uint8_t m[6];

	memcpy(m, mac, 6);
	m[5] = last;
	aes67_ptp_port_identity_from_mac(m, id);
}

static void enqueue(const struct qev *e)
{
	for (unsigned i = 0; i < QUEUE; i++) {
		if (!sim.q[i].used) {
			sim.q[i] = *e;
			sim.q[i].used = true;
			return;
		}
	}
	fail_msg("simulation queue full");
}

/* A one-step master: the wire puts the exact transmit time into the Sync (as hardware would)
 * and the two-step machinery of the port is never completed (no Follow_Up). */
static void make_one_step(struct node *src, struct qev *e, int64_t tx_t)
{
	struct aes67_ptp_msg m;
	int64_t ptp;

	assert_int_equal(aes67_ptp_msg_parse(e->buf, e->len, &m, NULL), 0);
	m.hdr.flags &= (uint16_t)~AES67_PTP_FLAG_TWO_STEP;
	assert_int_equal(aes67_ptp_port_time(&src->port, mono_at(src, tx_t), &ptp), 0);
	assert_int_equal(aes67_ptp_time_from_ns(ptp, &m.ts), 0);
	assert_int_equal(aes67_ptp_msg_build(&m, e->buf, sizeof(e->buf)), (int)e->len);
}

static void handle_out(int i)
{
	struct node *nd = &sim.n[i];
	const struct aes67_ptp_port_out *o = &nd->out;

	for (unsigned k = 0; k < o->n; k++) {
		const struct aes67_ptp_action *a = &o->act[k];

		switch (a->type) {
		case AES67_PTP_ACT_SEND: {
			int64_t tx_t = sim.t + 5 * US;
			struct qev e = {.ch = a->channel, .len = a->len_bytes};
			bool one_step = nd->one_step && (a->bytes[0] & 0x0f) == AES67_PTP_SYNC;

			assert_true(a->len_bytes <= sizeof(e.buf));
			memcpy(e.buf, a->bytes, a->len_bytes);
			if (one_step) {
				make_one_step(nd, &e, tx_t);
			} else if (a->need_tx_ts) {
				struct qev ts = {.is_tx_ts = true, .dst = i, .token = a->tx_token};

				ts.t = tx_t + 1 * US;
				ts.stamp_mono =
					mono_at(nd, tx_t) + llround(gauss() * sim.ts_noise_ns);
				enqueue(&ts);
			}
			for (int j = 0; j < NODES; j++) {
				if (j == i || !sim.n[j].alive) {
					continue;
				}
				e.dst = j;
				e.t = tx_t + sim.delay_ns + llround(fabs(gauss()) * sim.jitter_ns);
				e.stamp_mono = mono_at(&sim.n[j], e.t) +
					       llround(gauss() * sim.ts_noise_ns);
				if (j == sim.late_dst && (a->bytes[0] & 0x0f) == AES67_PTP_SYNC &&
				    ++sim.late_seen == sim.late_n) {
					e.stamp_mono += sim.late_ns;
				}
				enqueue(&e);
			}
			break;
		}
		case AES67_PTP_ACT_STATE:
			nd->state_changes++;
			if (a->new_state == AES67_PTP_UNCALIBRATED) {
				/* Calibration starts (again): measure lock from here. */
				nd->first_sync_t = -1;
				nd->lock_t = -1;
				nd->select_t = sim.t;
			}
			if (a->new_state == AES67_PTP_MASTER) {
				nd->master_t = sim.t;
			}
			break;
		case AES67_PTP_ACT_LOCK:
			if (a->locked && nd->lock_t < 0) {
				nd->lock_t = sim.t;
			}
			break;
		case AES67_PTP_ACT_GM_CHANGED:
			break;
		}
	}
	nd->due_t = o->next_deadline_ns == INT64_MAX ? INT64_MAX : true_at(nd, o->next_deadline_ns);
}

static void guard_enter(void)
{
	rt_guard_enter(RT_GUARD_CORE);
}

static void guard_leave(void)
{
	sim.rt_violations += rt_guard_leave();
}

static void deliver(struct qev *e)
{
	struct node *nd = &sim.n[e->dst];
	int64_t now = mono_at(nd, sim.t);
	int r;

	if (!nd->alive) {
		return;
	}
	guard_enter();
	if (e->is_tx_ts) {
		r = aes67_ptp_port_tx_ts(&nd->port, e->token, e->stamp_mono, now, &nd->out);
	} else {
		unsigned type = e->buf[0] & 0x0f;

		if (type == AES67_PTP_ANNOUNCE) {
			nd->last_announce_rx_t = sim.t;
		}
		if (type == AES67_PTP_SYNC && nd->first_any_sync_t < 0) {
			nd->first_any_sync_t = sim.t;
		}
		r = aes67_ptp_port_rx(&nd->port, e->buf, e->len, e->ch, e->stamp_mono, now,
				      &nd->out);
	}
	guard_leave();
	assert_true(r >= 0);
	/* The first Sync (or its Follow_Up) the slave used. */
	if (nd->first_sync_t < 0 && nd->port.have_sync) {
		nd->first_sync_t = sim.t;
	}
	handle_out(e->dst);
}

static void run_until(int64_t t_end)
{
	for (;;) {
		int64_t best = INT64_MAX;
		int which = -1; /* queue index, or -(node + 2) for a tick */

		for (int i = 0; i < QUEUE; i++) {
			if (sim.q[i].used && sim.q[i].t < best) {
				best = sim.q[i].t;
				which = i;
			}
		}
		for (int i = 0; i < NODES; i++) {
			if (sim.n[i].alive && sim.n[i].due_t < best) {
				best = sim.n[i].due_t;
				which = -(i + 2);
			}
		}
		if (which == -1 || best > t_end) {
			sim.t = t_end;
			return;
		}
		sim.t = best;
		if (which >= 0) {
			struct qev e = sim.q[which];

			sim.q[which].used = false;
			deliver(&e);
		} else {
			int i = -which - 2;
			struct node *nd = &sim.n[i];
			int r;

			guard_enter();
			r = aes67_ptp_port_tick(&nd->port, mono_at(nd, sim.t), &nd->out);
			guard_leave();
			assert_int_equal(r, 0);
			handle_out(i);
		}
	}
}

static void sim_reset(uint64_t seed)
{
	memset(&sim, 0, sizeof(sim));
	sim.rng = seed;
	/* Modest noise: software timestamps with sigma 200 ns, a 40 us path with one-sided
	 * jitter of sigma 300 ns. */
	sim.ts_noise_ns = 200;
	sim.jitter_ns = 300;
	sim.delay_ns = 40 * US;
}

/* Configure node i (identity ...:id) with priority1 and clock rate error ppm. */
static struct aes67_ptp_port_config *node_cfg(int i, uint8_t id, uint8_t prio1, double ppm)
{
	static struct aes67_ptp_port_config cfg;
	struct node *nd = &sim.n[i];

	nd->ppm = ppm;
	nd->mono0 = (int64_t)(rnd() % (100ULL * S)) + S;
	aes67_ptp_port_config_init(&cfg);
	set_id(cfg.clock_identity, id);
	cfg.priority1 = prio1;
	cfg.seed = rnd();
	/* Each node's TAI estimate is off by up to +-5 ms (as an NTP-disciplined host). */
	cfg.timebase.mono_ns0 = nd->mono0;
	cfg.timebase.ptp_ns0 = TAI0 + (int64_t)(uni() * 5 * MS);
	return &cfg;
}

static void node_start(int i, const struct aes67_ptp_port_config *cfg)
{
	struct node *nd = &sim.n[i];
	int r;

	assert_int_equal(aes67_ptp_port_init(&nd->port, cfg), 0);
	nd->alive = true;
	nd->first_sync_t = -1;
	nd->lock_t = -1;
	nd->master_t = -1;
	nd->last_announce_rx_t = -1;
	nd->first_any_sync_t = -1;
	guard_enter();
	r = aes67_ptp_port_start(&nd->port, mono_at(nd, sim.t), &nd->out);
	guard_leave();
	assert_int_equal(r, 0);
	assert_int_equal(nd->port.state, AES67_PTP_LISTENING);
	handle_out(i);
}

/* Error of slave s's PTP time against grandmaster g's at the current true time. */
static double error_ns(int s, int g)
{
	int64_t ps, pg;

	assert_int_equal(aes67_ptp_port_time(&sim.n[s].port, mono_at(&sim.n[s], sim.t), &ps), 0);
	assert_int_equal(aes67_ptp_port_time(&sim.n[g].port, mono_at(&sim.n[g], sim.t), &pg), 0);
	return (double)(ps - pg);
}

/* Run to t_end, sampling the slave's error every 50 ms while it is locked. */
static double run_measure(int s, int g, int64_t t_end)
{
	double sum = 0;

	sim.n_err = 0;
	while (sim.t < t_end) {
		run_until(sim.t + 50 * MS);
		if (sim.n[s].port.locked && sim.n_err < ERR_MAX) {
			double e = error_ns(s, g);

			sim.err[sim.n_err++] = e;
			sum += e * e;
		}
	}
	return sim.n_err ? sqrt(sum / sim.n_err) : INFINITY;
}

static void assert_follows(int s, int g)
{
	struct aes67_ptp_port_status st;
	const struct aes67_ptp_port *gm = &sim.n[g].port;

	aes67_ptp_port_status(&sim.n[s].port, mono_at(&sim.n[s], sim.t), &st);
	assert_int_equal(st.state, AES67_PTP_SLAVE);
	assert_true(st.locked);
	assert_true(st.gm_valid);
	assert_memory_equal(st.gm_identity, gm->self.clock_identity, 8);
	assert_memory_equal(st.parent.clock_identity, gm->self.clock_identity, 8);
	assert_int_equal(st.steps_removed, 1);
	assert_true(st.locked_for_ns > 0);
}

static void report(const char *name, int s, double rms)
{
	const struct node *nd = &sim.n[s];
	struct aes67_ptp_port_status st;

	aes67_ptp_port_status(&nd->port, mono_at(nd, sim.t), &st);
	print_message("port %-9s lock %.3f s after first Sync, rms %.0f ns (n=%u), delay %lld ns, "
		      "rate %.3f ppm\n",
		      name, (double)(nd->lock_t - nd->first_sync_t) / 1e9, rms, sim.n_err,
		      (long long)st.mean_path_delay_ns, st.rate_ppm);
}

/* (a) + (g): different priority1: the better clock is elected, the other locks fast and
 * tracks within 200 ns rms; no RT violation in any call. */
static void test_elect_priority(void **state)
{
	(void)state;
	sim_reset(0x1234567ULL);
	node_start(0, node_cfg(0, 0x0A, 100, +30.0));
	node_start(1, node_cfg(1, 0x0B, 128, -40.0));
	run_until(20 * S);
	assert_int_equal(sim.n[0].port.state, AES67_PTP_MASTER);
	double rms = run_measure(1, 0, 60 * S);
	report("priority", 1, rms);
	assert_follows(1, 0);
	assert_true(sim.n[1].first_sync_t >= 0);
	assert_true(sim.n[1].lock_t - sim.n[1].first_sync_t <= 3 * S);
	assert_true(sim.n_err > 500);
	assert_true(rms <= 200.0);
	assert_int_equal(sim.rt_violations, 0);
}

/* (b) equal priorities and quality: the lower clock identity wins (§9.3.4 figure 27, last
 * step); both ports agree on it. */
static void test_elect_identity(void **state)
{
	struct aes67_ptp_port_status s0, s1;

	(void)state;
	sim_reset(0xBADC0FFEEULL);
	node_start(0, node_cfg(0, 0x22, 128, -10.0));
	node_start(1, node_cfg(1, 0x11, 128, +10.0));
	run_until(30 * S);
	aes67_ptp_port_status(&sim.n[0].port, mono_at(&sim.n[0], sim.t), &s0);
	aes67_ptp_port_status(&sim.n[1].port, mono_at(&sim.n[1], sim.t), &s1);
	assert_int_equal(s1.state, AES67_PTP_MASTER);
	assert_int_equal(s0.state, AES67_PTP_SLAVE);
	assert_true(s0.gm_valid && s1.gm_valid);
	assert_memory_equal(s0.gm_identity, s1.gm_identity, 8);
	assert_int_equal(s1.gm_identity[7], 0x11);
	assert_follows(0, 1);
	assert_int_equal(sim.rt_violations, 0);
}

/* (c) the grandmaster stops: the slave becomes master after the announce receipt timeout
 * (3 intervals of 2 s, plus up to one interval at random; §9.2.6.11) and carries the time on. */
static void test_gm_failover(void **state)
{
	(void)state;
	sim_reset(0x5EED5EEDULL);
	node_start(0, node_cfg(0, 0x0A, 100, +20.0));
	node_start(1, node_cfg(1, 0x0B, 128, -20.0));
	run_until(25 * S);
	assert_follows(1, 0);
	int64_t kill_t = sim.t;
	sim.n[0].alive = false;
	while (sim.n[1].port.state != AES67_PTP_MASTER && sim.t < kill_t + 20 * S) {
		run_until(sim.t + 1 * MS);
	}
	int64_t after = sim.n[1].master_t - sim.n[1].last_announce_rx_t;
	print_message("port failover: master %.3f s after the last Announce\n",
		      (double)after / 1e9);
	assert_int_equal(sim.n[1].port.state, AES67_PTP_MASTER);
	assert_true(sim.n[1].master_t > kill_t);
	assert_true(after >= 6 * S);
	assert_true(after <= 8 * S + 2 * MS);
	/* The new grandmaster continues the old time (holdover of the servo mapping). */
	assert_true(fabs(error_ns(1, 0)) < 20 * US);
	run_until(sim.t + 5 * S);
	struct aes67_ptp_port_status st;
	aes67_ptp_port_status(&sim.n[1].port, mono_at(&sim.n[1], sim.t), &st);
	assert_memory_equal(st.gm_identity, sim.n[1].port.self.clock_identity, 8);
	assert_true(st.tx[AES67_PTP_ANNOUNCE] >= 2);
	assert_true(st.tx[AES67_PTP_SYNC] >= 30);
	assert_int_equal(sim.rt_violations, 0);
}

/* (d) a better clock joins: the old grandmaster (class 248) becomes its slave (trained while
 * it was still MASTER), and so does the other slave, which re-locks to the new master. */
static void test_better_joins(void **state)
{
	(void)state;
	sim_reset(0xC0DEC0DEULL);
	node_start(0, node_cfg(0, 0x0A, 100, +25.0));
	node_start(1, node_cfg(1, 0x0B, 128, -15.0));
	run_until(25 * S);
	assert_follows(1, 0);
	node_start(2, node_cfg(2, 0x0C, 50, +5.0));
	run_until(sim.t + 20 * S);
	assert_int_equal(sim.n[2].port.state, AES67_PTP_MASTER);
	double rms = run_measure(1, 2, sim.t + 10 * S);
	report("rejoin", 1, rms);
	assert_true(sim.n[1].lock_t - sim.n[1].first_sync_t <= 3 * S);
	/* The old grandmaster trained on the new one's Syncs while still MASTER: it locks a few
	 * confirming Syncs after selection, not the full lock_samples after the delay. */
	print_message("port old GM   lock %.3f s after selection\n",
		      (double)(sim.n[0].lock_t - sim.n[0].select_t) / 1e9);
	assert_true(sim.n[0].lock_t - sim.n[0].select_t <= 500 * MS);
	assert_follows(0, 2);
	assert_follows(1, 2);
	assert_true(rms <= 200.0);
	assert_int_equal(sim.rt_violations, 0);
}

/* (d) PASSIVE: with clockClass 6 (a clock that may be a primary reference, 1..127) the old
 * grandmaster does not follow the better one but goes PASSIVE (§9.3.3 decision P1). */
static void test_better_joins_passive(void **state)
{
	struct aes67_ptp_port_config *c;
	struct aes67_ptp_port_status st;

	(void)state;
	sim_reset(0xFEEDFACEULL);
	c = node_cfg(0, 0x0A, 100, +25.0);
	c->quality.clock_class = 6;
	node_start(0, c);
	node_start(1, node_cfg(1, 0x0B, 128, -15.0));
	run_until(25 * S);
	assert_follows(1, 0);
	c = node_cfg(2, 0x0C, 50, +5.0);
	c->quality.clock_class = 6;
	node_start(2, c);
	run_until(sim.t + 20 * S);
	assert_int_equal(sim.n[2].port.state, AES67_PTP_MASTER);
	assert_int_equal(sim.n[0].port.state, AES67_PTP_PASSIVE);
	aes67_ptp_port_status(&sim.n[0].port, mono_at(&sim.n[0], sim.t), &st);
	assert_int_equal(st.gm_identity[7], 0x0C);
	assert_follows(1, 2);
	/* The passive port keeps quiet. */
	uint32_t sync_tx = st.tx[AES67_PTP_SYNC];
	run_until(sim.t + 5 * S);
	aes67_ptp_port_status(&sim.n[0].port, mono_at(&sim.n[0], sim.t), &st);
	assert_int_equal(st.tx[AES67_PTP_SYNC], sync_tx);
	assert_int_equal(st.state, AES67_PTP_PASSIVE);
	assert_int_equal(sim.rt_violations, 0);
}

/* (e) a one-step master (origin timestamps in the Sync, no Follow_Up). */
static void test_one_step_master(void **state)
{
	struct aes67_ptp_port_status st;

	(void)state;
	sim_reset(0xABCDEF01ULL);
	node_start(0, node_cfg(0, 0x0A, 100, -50.0));
	sim.n[0].one_step = true;
	node_start(1, node_cfg(1, 0x0B, 128, +50.0));
	run_until(20 * S);
	double rms = run_measure(1, 0, 50 * S);
	report("one-step", 1, rms);
	assert_follows(1, 0);
	aes67_ptp_port_status(&sim.n[1].port, mono_at(&sim.n[1], sim.t), &st);
	assert_int_equal(st.rx[AES67_PTP_FOLLOW_UP], 0);
	assert_true(st.servo_samples > 200);
	assert_true(sim.n[1].lock_t - sim.n[1].first_sync_t <= 3 * S);
	assert_true(rms <= 200.0);
	assert_int_equal(sim.rt_violations, 0);
}

/* A slave joining a running grandmaster with aes67d's lock rule (10 us x 8) and software-stamp
 * noise: lock from the very first Sync it hears (aes67d's time_to_lock_s). The 2 s of foreign
 * master qualification (§9.3.2.5: 2 Announces at 2 s) are spent training the servo on the
 * candidate's Syncs, without adopting anything, so lock follows selection after a few
 * confirming samples; with @confirm = 0 (no shortcut) it takes the full 8 samples after the
 * delay is known. Returns the lock time, ns. */
static int64_t join_lock_ns(uint64_t seed, unsigned confirm, int64_t *after_select_ns)
{
	struct aes67_ptp_port_config *c;
	struct aes67_ptp_port_status st;
	struct node *sl = &sim.n[1];
	int64_t ptp;

	sim_reset(seed);
	sim.ts_noise_ns = 1500;
	sim.jitter_ns = 2000;
	node_start(0, node_cfg(0, 0x0A, 100, +20.0));
	run_until(10 * S);
	assert_int_equal(sim.n[0].port.state, AES67_PTP_MASTER);
	c = node_cfg(1, 0x0B, 128, -35.0);
	c->servo.lock_ns = 10 * US;
	c->servo.lock_samples = 8;
	c->servo.confirm_samples = confirm;
	node_start(1, c);
	/* Still qualifying the master: trained, but nothing adopted and nothing sent. */
	while (sl->first_any_sync_t < 0 || sim.t < sl->first_any_sync_t + 1500 * MS) {
		run_until(sim.t + 10 * MS);
	}
	assert_int_equal(sl->port.state, AES67_PTP_LISTENING);
	assert_true(sl->port.servo.valid);
	assert_int_equal(aes67_ptp_port_time(&sl->port, mono_at(sl, sim.t), &ptp), -EAGAIN);
	aes67_ptp_port_status(&sl->port, mono_at(sl, sim.t), &st);
	assert_false(st.locked);
	assert_int_equal(st.tx[AES67_PTP_DELAY_REQ], 0);
	run_until(sim.t + 20 * S);
	assert_follows(1, 0);
	assert_true(sl->lock_t > sl->first_any_sync_t);
	assert_true(fabs(error_ns(1, 0)) < 10 * US);
	assert_int_equal(sim.rt_violations, 0);
	*after_select_ns = sl->lock_t - sl->select_t;
	return sl->lock_t - sl->first_any_sync_t;
}

static void test_join_lock_time(void **state)
{
	static const uint64_t seeds[] = {0x5EED0001ULL, 0x5EED0002ULL, 0x5EED0003ULL, 0x5EED0004ULL,
					 0x5EED0005ULL};
	int64_t worst = 0, worst_full = 0, worst_sel = 0, worst_sel_full = 0;

	(void)state;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(seeds); i++) {
		int64_t sel, sel_full;
		int64_t t = join_lock_ns(seeds[i], 3, &sel);
		int64_t full = join_lock_ns(seeds[i], 0, &sel_full);

		worst = t > worst ? t : worst;
		worst_full = full > worst_full ? full : worst_full;
		worst_sel = sel > worst_sel ? sel : worst_sel;
		worst_sel_full = sel_full > worst_sel_full ? sel_full : worst_sel_full;
		/* The shortcut saves the 5 Sync intervals of 8 - 3 confirming samples. */
		assert_true(t <= full - 5 * S / 8 + 10 * MS);
		/* Selection follows the 2nd Announce: 2..4 s after the first Sync (phase). */
		assert_true(t - sel >= 1900 * MS && t - sel <= 4100 * MS);
	}
	print_message(
		"port join     lock after selection: worst %.3f s (3 confirming), %.3f s (8); "
		"from the first Sync: worst %.3f s, %.3f s\n",
		(double)worst_sel / 1e9, (double)worst_sel_full / 1e9, (double)worst / 1e9,
		(double)worst_full / 1e9);
	assert_true(worst_sel <= 500 * MS);
}

/*
 * Issue 4: both daemons restart together (aes67d's lock rule, software-stamp noise; the
 * grandmaster's time is continuous across its restart, as a TAI-based one is, and its sequence
 * ids start again at 0). While the slave trains on the new master one Sync arrives 12 us late
 * (the n-th it hears, n = 0: none, 2, 3, 5): before the fix a late 2nd Sync gave a rate tens of
 * ppm off that re-acquisition never corrected (no lock in 40 s on the test bed). Lock must
 * come within 0.5 s of selection and 10.5 s of the restart: the protocol alone takes up to
 * 10 s (the new master waits 6..8 s of announce receipt timeout, §9.2.6.11 plus our random
 * spread, then its 2nd Announce 2 s later qualifies it, §9.3.2.5), and the error must stay
 * below 10 us for 4 s after it.
 */
static void test_restart_together(void **state)
{
	static const unsigned late_n[] = {0, 2, 3, 5, 2, 2};
	static const int64_t late_us[] = {0, 12, 12, 30, 30, 60};
	static struct aes67_ptp_port_config c0, c1;
	struct node *sl = &sim.n[1];

	(void)state;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(late_n); i++) {
		sim_reset(0xA11CE000ULL + i);
		sim.ts_noise_ns = 500;
		sim.jitter_ns = 500;
		c0 = *node_cfg(0, 0x0A, 100, +15.0);
		c1 = *node_cfg(1, 0x0B, 128, -25.0);
		c1.slave_only = true;
		c1.servo.lock_ns = 10 * US;
		c1.servo.lock_samples = 8;
		node_start(0, &c0);
		node_start(1, &c1);
		run_until(25 * S);
		assert_follows(1, 0);
		/* kill -9 both, start both: packets in flight are lost. */
		memset(sim.q, 0, sizeof(sim.q));
		sim.late_dst = 1;
		sim.late_n = late_n[i];
		sim.late_seen = 0;
		sim.late_ns = late_us[i] * US;
		int64_t t0 = sim.t;
		c0.seed = rnd();
		c1.seed = rnd();
		node_start(0, &c0);
		node_start(1, &c1);
		while (sl->lock_t < 0 && sim.t < t0 + 30 * S) {
			run_until(sim.t + 10 * MS);
		}
		print_message(
			"port restart  Sync #%u %2lld us late: lock %.3f s after the restart, "
			"%.3f s after selection\n",
			late_n[i], (long long)late_us[i], (double)(sl->lock_t - t0) / 1e9,
			(double)(sl->lock_t - sl->select_t) / 1e9);
		assert_true(sl->lock_t >= 0);
		assert_true(sl->lock_t - sl->select_t <= 500 * MS);
		assert_true(sl->lock_t - t0 <= 10500 * MS);
		double worst = 0;
		for (int64_t end = sim.t + 4 * S; sim.t < end;) {
			run_until(sim.t + 50 * MS);
			assert_true(sl->port.locked);
			worst = fmax(worst, fabs(error_ns(1, 0)));
		}
		assert_true(worst < 10 * US);
		assert_int_equal(sim.rt_violations, 0);
	}
}

/* Slave-only clocks never take over: with the grandmaster gone they go back to LISTENING. */
static void test_slave_only_no_takeover(void **state)
{
	struct aes67_ptp_port_config *c;

	(void)state;
	sim_reset(0x13579BDFULL);
	node_start(0, node_cfg(0, 0x0A, 128, +10.0));
	c = node_cfg(1, 0x01, 1, -10.0); /* would win on priority1 if it could be master */
	c->slave_only = true;
	node_start(1, c);
	run_until(25 * S);
	assert_follows(1, 0);
	sim.n[0].alive = false;
	run_until(sim.t + 20 * S);
	assert_int_equal(sim.n[1].port.state, AES67_PTP_LISTENING);
	assert_int_equal(sim.n[1].master_t, -1);
	assert_int_equal(sim.rt_violations, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elect_priority),
		cmocka_unit_test(test_elect_identity),
		cmocka_unit_test(test_gm_failover),
		cmocka_unit_test(test_better_joins),
		cmocka_unit_test(test_better_joins_passive),
		cmocka_unit_test(test_one_step_master),
		cmocka_unit_test(test_join_lock_time),
		cmocka_unit_test(test_slave_only_no_takeover),
		cmocka_unit_test(test_restart_together),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
