// SPDX-License-Identifier: MIT
/*
 * Unit tests for the PTP servo, mostly by deterministic simulation: a master clock, a slave
 * whose monotonic clock runs off by a known ppm, timestamp noise, network delay with jitter and
 * outliers, all from a seeded PRNG. The simulation knows true time, so the tests assert the real
 * error of the mapping, not the servo's opinion of itself.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "aes67/ptp_servo.h"
#include "rt_guard.h"

#define MS 1000000LL
#define US 1000LL
#define SYNC_NS (125 * MS) /* AES67 default: logSyncInterval -3 */
#define MAX_EVAL 4096

struct sim {
	uint64_t rng;
	double ppm;	     /* slave monotonic clock error: + runs fast */
	int64_t ptp0, mono0; /* both clocks at true time 0 */
	int64_t master_step_at_ns, master_step_ns;
	/* The master's own rate moves by master_dppm from master_rate_at_ns on (a grandmaster on
	 * an NTP-slewed CLOCK_REALTIME). */
	int64_t master_rate_at_ns;
	double master_dppm;
	/* Sync number late_k arrives late_ns later (one preempted packet); late_k 0: none. */
	int late_k;
	int64_t late_ns;
	/* Syncs burst_k .. burst_k + 5 are delayed by 1..6 x burst_ns (a queue builds up for
	 * 0.75 s and drains); burst_k 0: none. */
	int burst_k;
	int64_t burst_ns;
	/* Syncs before train_k go to aes67_ptp_servo_train() without a delay exchange (the port's
	 * training while the master is qualified); 0: none. */
	int train_k;
	double ts_noise_ns;	/* sigma of each software timestamp */
	double jitter_ns;	/* sigma of the (one-sided) path delay jitter */
	int64_t delay_ns;	/* constant part of the path delay */
	unsigned outlier_every; /* 1 in N packets delayed by outlier_ns (0: none) */
	int64_t outlier_ns;
	double duration_s;
	/* results */
	int64_t first_sync_mono, lock_mono;
	double err[MAX_EVAL];
	unsigned n_err;
	double rms_ns, p99_ns, max_ns;
	double tail_max_ns; /* largest |error| over the last 10 s */
	unsigned rt_violations;
	uint32_t reacquired, rate_reopened; /* servo counters at the end */
	bool locked_end;
};

static uint64_t rnd(struct sim *m)
{
	/* xorshift64*: small, fast, deterministic for a given seed. */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545F4914F6CDD1DULL;
}

static double uni(struct sim *m)
{
	return (double)(rnd(m) >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

/* Gaussian-ish: sum of four uniforms, unit variance, bounded at +-3.46 sigma. */
static double gauss(struct sim *m)
{
	return (uni(m) + uni(m) + uni(m) + uni(m)) * 0.8660254;
}

static int64_t master_at(const struct sim *m, int64_t t)
{
	int64_t r = t > m->master_rate_at_ns ? t - m->master_rate_at_ns : 0;

	return m->ptp0 + t + (t >= m->master_step_at_ns ? m->master_step_ns : 0) +
	       (int64_t)llround((double)r * m->master_dppm * 1e-6);
}

static int64_t mono_at(const struct sim *m, int64_t t)
{
	return m->mono0 + t + (int64_t)llround((double)t * m->ppm * 1e-6);
}

static int64_t path(struct sim *m, unsigned *pkt)
{
	int64_t d = m->delay_ns + (int64_t)llround(fabs(gauss(m)) * m->jitter_ns);

	if (m->outlier_every && ++*pkt % m->outlier_every == 0) {
		d += m->outlier_ns;
	}
	return d;
}

static int64_t noisy(struct sim *m, int64_t v)
{
	return v + (int64_t)llround(gauss(m) * m->ts_noise_ns);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Run the exchange at 8 Sync/s with one Delay_Req per Sync; evaluate the error between Syncs. */
static void run(struct sim *m, const struct aes67_ptp_servo_config *cfg)
{
	struct aes67_ptp_servo s;
	unsigned pkt = 0;
	int steps = (int)(m->duration_s * 8);

	assert_int_equal(aes67_ptp_servo_init(&s, cfg), 0);
	m->lock_mono = -1;
	m->n_err = 0;
	m->rt_violations = 0;
	for (int k = 0; k < steps; k++) {
		int64_t t = k * SYNC_NS + (int64_t)(uni(m) * 1000);
		int64_t t1 = noisy(m, master_at(m, t));
		int64_t arrive = t + path(m, &pkt) + (k == m->late_k ? m->late_ns : 0);

		if (m->burst_k > 0 && k >= m->burst_k && k < m->burst_k + 6) {
			arrive += (k - m->burst_k + 1) * m->burst_ns;
		}
		int64_t t2 = noisy(m, mono_at(m, arrive));
		int64_t t_req = arrive + 30 * MS + (int64_t)(uni(m) * 10 * MS);
		int64_t t3 = noisy(m, mono_at(m, t_req));
		int64_t t4 = noisy(m, master_at(m, t_req + path(m, &pkt)));
		struct aes67_ptp_servo_status st;
		int r1, r2;

		if (k == 0) {
			m->first_sync_mono = t2;
		}
		rt_guard_enter(RT_GUARD_CORE);
		if (k < m->train_k) {
			r1 = aes67_ptp_servo_train(&s, t1, t2);
			r2 = 0;
		} else {
			r1 = aes67_ptp_servo_sync(&s, t1, t2);
			r2 = aes67_ptp_servo_delay(&s, t3, t4);
		}
		aes67_ptp_servo_status(&s, &st);
		m->rt_violations += rt_guard_leave();
		assert_true(r1 >= 0);
		assert_int_equal(r2, 0);

		/* PTP_SIM_TRACE=1 prints every sample, PTP_SIM_VERBOSE=1 the error per 5 s. */
		if (getenv("PTP_SIM_TRACE")) {
			int64_t p = 0, te = t + SYNC_NS / 2;
			if (aes67_ptp_servo_map(&s, mono_at(m, te), &p) == 0) {
				print_message("%d r=%d off=%lld rate=%.4f d=%lld sig=%.0f R=%.0f "
					      "err=%lld\n",
					      k, r1, (long long)st.offset_ns, st.rate_ppm,
					      (long long)st.mean_path_delay_ns, st.sigma_ns,
					      sqrt(s.r_ns2), (long long)(p - master_at(m, te)));
			}
		}
		m->reacquired = st.reacquired;
		m->rate_reopened = st.rate_reopened;
		m->locked_end = st.locked;
		if (st.locked && m->lock_mono < 0) {
			m->lock_mono = st.lock_mono_ns;
		}
		if (m->lock_mono >= 0 && m->n_err < MAX_EVAL) {
			/* Truth check half-way to the next Sync. */
			int64_t te = t + SYNC_NS / 2, p;
			assert_int_equal(aes67_ptp_servo_map(&s, mono_at(m, te), &p), 0);
			m->err[m->n_err++] = (double)(p - master_at(m, te));
		}
	}
	double sum = 0, mx = 0;
	if (getenv("PTP_SIM_VERBOSE")) {
		for (unsigned i = 0; i + 40 <= m->n_err; i += 40) {
			double b = 0;
			for (unsigned j = i; j < i + 40; j++) {
				b += m->err[j] * m->err[j];
			}
			print_message("  block %2u rms %.0f\n", i / 40, sqrt(b / 40));
		}
	}
	m->tail_max_ns = 0;
	for (unsigned i = m->n_err > 80 ? m->n_err - 80 : 0; i < m->n_err; i++) {
		m->tail_max_ns = fmax(m->tail_max_ns, fabs(m->err[i]));
	}
	for (unsigned i = 0; i < m->n_err; i++) {
		sum += m->err[i] * m->err[i];
		mx = fmax(mx, fabs(m->err[i]));
		m->err[i] = fabs(m->err[i]);
	}
	qsort(m->err, m->n_err, sizeof(m->err[0]), cmp_double);
	m->rms_ns = m->n_err ? sqrt(sum / m->n_err) : 0;
	m->p99_ns = m->n_err ? m->err[(unsigned)(0.99 * (m->n_err - 1))] : 0;
	m->max_ns = mx;
}

static void moderate(struct sim *m, double ppm, uint64_t seed)
{
	memset(m, 0, sizeof(*m));
	m->rng = seed;
	m->ppm = ppm;
	m->ptp0 = 1700000000LL * 1000000000LL + (int64_t)(rnd(m) % (5ULL * 1000000000ULL));
	m->mono0 = 1000 * MS + (int64_t)(rnd(m) % (3ULL * 1000000000ULL));
	m->master_step_at_ns = INT64_MAX;
	m->master_rate_at_ns = INT64_MAX;
	/* Software timestamps on veth: each timestamp within about +-1.7 us (sigma 0.5 us), a
	 * constant 40 us path with one-sided jitter of the same size. */
	m->ts_noise_ns = 500;
	m->jitter_ns = 500;
	m->delay_ns = 40 * US;
	m->outlier_every = 50;
	m->outlier_ns = 500 * US;
	m->duration_s = 60;
}

static void report(const char *name, const struct sim *m)
{
	print_message("servo %-22s lock %.3f s  rms %.0f ns  p99 %.0f ns  max %.0f ns  (n=%u, "
		      "reacquired %u, rate re-opened %u)\n",
		      name, (double)(m->lock_mono - m->first_sync_mono) / 1e9, m->rms_ns, m->p99_ns,
		      m->max_ns, m->n_err, m->reacquired, m->rate_reopened);
}

static void check_sim(struct sim *m, const struct aes67_ptp_servo_config *cfg, const char *name,
		      double rms_max_ns, double p99_max_ns)
{
	run(m, cfg);
	report(name, m);
	assert_int_equal(m->rt_violations, 0);
	assert_true(m->lock_mono >= 0);
	assert_true(m->lock_mono - m->first_sync_mono <= 3000 * MS);
	assert_true(m->rms_ns <= rms_max_ns);
	assert_true(m->p99_ns <= p99_max_ns);
}

static void check_moderate(double ppm, uint64_t seed, const char *name, double p99_max_ns)
{
	static struct sim m;

	moderate(&m, ppm, seed);
	check_sim(&m, NULL, name, 200.0, p99_max_ns);
}

static void test_sim_plus_100ppm(void **state)
{
	(void)state;
	check_moderate(+100, 0x1234567ULL, "+100 ppm", 500.0);
}

static void test_sim_minus_100ppm(void **state)
{
	(void)state;
	check_moderate(-100, 0xBADC0FFEEULL, "-100 ppm", 500.0);
}

/*
 * Other seeds and rates. The first seconds after lock carry the least-squares error of a short
 * history (about 2 sigma / sqrt(n)), so a seed with unlucky early noise can put its p99 a
 * little above 500 ns; 600 ns is asserted here and the figures are printed.
 */
static void test_sim_seeds(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 6; seed++) {
		check_moderate(seed & 1 ? 73.5 : -100, seed * 0x9E3779B97F4A7C15ULL, "seed sweep",
			       600.0);
	}
}

/* Heavy noise: 2 us sigma per timestamp (+-7 us) and 2 us path jitter. The lock threshold must
 * sit above the noise (offsets of 4 sigma are common), so it is raised to 15 us; the error then
 * scales with the noise. */
static void test_sim_heavy_noise(void **state)
{
	static struct sim m;
	struct aes67_ptp_servo_config cfg;

	(void)state;
	moderate(&m, 100, 7);
	m.ts_noise_ns = 2000;
	m.jitter_ns = 2000;
	aes67_ptp_servo_config_init(&cfg);
	cfg.lock_ns = 15000;
	cfg.unlock_ns = 100000;
	check_sim(&m, &cfg, "heavy noise", 800.0, 2000.0);
}

/* The master steps by 5 ms at 30 s: gated as outliers, then believed, stepped and relocked. */
static void test_sim_master_step(void **state)
{
	static struct sim m;
	struct aes67_ptp_servo_config cfg;

	(void)state;
	moderate(&m, 100, 42);
	m.master_step_at_ns = 30LL * 1000 * MS;
	m.master_step_ns = 5 * MS;
	aes67_ptp_servo_config_init(&cfg);
	run(&m, &cfg);
	report("master step 5 ms", &m);
	/* The error right after the step is the step; by the end it is small again. */
	assert_true(m.max_ns >= 4.9e6);
	assert_true(m.err[m.n_err / 2] < 500.0); /* median of |error| after first lock */
	assert_true(m.tail_max_ns < 1000.0);
}

/* A step below the threshold (300 us) is re-acquired by slewing, not a step. */
static void test_sim_small_master_step(void **state)
{
	struct aes67_ptp_servo s;
	int64_t ptp = 5000000000LL, mono = 777 * MS;
	int steps = 0, outliers = 0, r;

	(void)state;
	assert_int_equal(aes67_ptp_servo_init(&s, NULL), 0);
	for (int k = 0; k < 200; k++) {
		int64_t t = k * SYNC_NS;
		int64_t off = k >= 100 ? 300 * US : 0;
		assert_int_equal(aes67_ptp_servo_delay(&s, mono + t - 1, ptp + t + off + 40 * US) >=
						 0 ||
					 k == 0,
				 1);
		r = aes67_ptp_servo_sync(&s, ptp + t + off, mono + t + 40 * US);
		steps += r == AES67_PTP_SERVO_STEPPED;
		outliers += r == AES67_PTP_SERVO_OUTLIER;
	}
	struct aes67_ptp_servo_status st;
	int64_t p;
	aes67_ptp_servo_status(&s, &st);
	assert_int_equal(steps, 1);    /* only the initial anchor */
	assert_int_equal(outliers, 4); /* cfg.outlier_max, then believed */
	assert_true(st.locked);
	assert_int_equal(aes67_ptp_servo_map(&s, mono + 199 * SYNC_NS + 40 * US, &p), 0);
	print_message("small step: error %lld ns rate %.4f ppm\n",
		      (long long)(p - (ptp + 199 * SYNC_NS + 340 * US)), st.rate_ppm);
	assert_true(llabs(p - (ptp + 199 * SYNC_NS + 340 * US)) < 100);
	assert_true(fabs(st.rate_ppm) < 0.01);
}

/*
 * Issue 4 (late re-lock): the second Sync of the acquisition arrives 12 us late (a preempted
 * packet under load). The two-sample rate estimate is then off by ~96 ppm, and the following
 * samples, 12 us, 24 us ... off, are gated as outliers; re-acquiring must re-estimate the rate
 * from the run of rejected samples rather than only move the phase, or the servo stays
 * unlocked with an absurd rate for a long time (seen on the test bed: rate -91 ppm, 151
 * outliers in 483 samples, no lock in 40 s). Both the plain path and the training path (the
 * port feeds Syncs of a master being qualified without a path delay) are checked.
 */
static void check_late_second_sync(int train_k, int64_t lock_max_ns, const char *name)
{
	static struct sim m;

	moderate(&m, 10, 0xC0FFEEULL);
	m.outlier_every = 0;
	/* The second Sync the filter uses: with training the first one fed, else the one after
	 * the first delay exchange (the first Sync only waits for it). */
	m.late_k = train_k > 0 ? 1 : 2;
	m.late_ns = 12 * US;
	m.train_k = train_k;
	m.duration_s = 30;
	run(&m, NULL);
	report(name, &m);
	assert_true(m.lock_mono >= 0);
	assert_true(m.lock_mono - m.first_sync_mono <= lock_max_ns);
	assert_true(m.rms_ns <= 200.0);
	assert_true(m.tail_max_ns < 1000.0);
}

static void test_sim_late_second_sync(void **state)
{
	(void)state;
	/* Without training the late sample lands while the gate is still wide open: the filter
	 * swings for ~2 s before it settles (before the fix: lock at 8.1 s, rms 1 us). */
	check_late_second_sync(0, 4500 * MS, "late 2nd Sync");
	/* Trained: 16 Syncs (2 s) of training, then 3 s (before the fix: 6.6 s). */
	check_late_second_sync(16, 3000 * MS + 16 * SYNC_NS, "late 2nd Sync, trained");
}

/*
 * Issue 4 (drift while locked): the grandmaster's rate moves at 20 s (its time is
 * CLOCK_REALTIME, which NTP or adjtimex may re-tune). With a filter narrowed to the
 * 0.5 ppb/sqrt(s) wander of a quartz the rate followed with a time constant of tens of seconds
 * and the error ramped at ~1 us/s per ppm while "locked" (17 us at +1 ppm before the fix); the
 * servo must notice the lasting one-sided innovations (1 s beyond 5 sigma of their mean, so
 * that a burst of queueing is not taken for one) and re-open the rate: error within 3 us +
 * 2 us per ppm of change (measured: 2.8 us at +1 ppm, 5.4 us at 3 ppm, 16 us at 10 ppm, where
 * the gate re-acquires), below 1.5 us over the last 10 s, still locked.
 */
static void test_sim_master_rate_change(void **state)
{
	static struct sim m;
	static const double dppm[] = {1.0, -1.0, 0.3, -3.0, 3.0, 10.0};

	(void)state;
	for (unsigned i = 0; i < sizeof(dppm) / sizeof(dppm[0]); i++) {
		moderate(&m, -20, 0xFEEDULL + i);
		m.outlier_every = 0;
		m.master_rate_at_ns = 20LL * 1000 * MS;
		m.master_dppm = dppm[i];
		m.duration_s = 40;
		run(&m, NULL);
		print_message("%+5.1f ppm: ", dppm[i]);
		report("GM rate change at 20 s", &m);
		print_message("           last 10 s: max %.0f ns\n", m.tail_max_ns);
		assert_int_equal(m.rt_violations, 0);
		assert_true(m.lock_mono >= 0);
		assert_true(m.locked_end);
		assert_true(m.max_ns < 3000.0 + 2000.0 * fabs(dppm[i]));
		assert_true(m.tail_max_ns < 1500.0);
		assert_true(m.rate_reopened + m.reacquired >= 1);
	}
}

/*
 * A queue that builds up for 6 Syncs (delays rising to 9 or 18 us) and drains: a short ramp
 * of innovations that must not be taken for a rate change of the master (re-opening the rate
 * on it gave 7 and 19 us of error in a first version of the rate-change detection; the servo
 * before issue 4 gave 0.65 and 0.4 us).
 */
static void test_sim_queue_burst(void **state)
{
	static struct sim m;

	(void)state;
	for (int i = 1; i <= 2; i++) {
		moderate(&m, 10, 0xB0B0ULL + (uint64_t)i - 1);
		m.outlier_every = 0;
		m.burst_k = 240;
		m.burst_ns = i * 1500;
		m.duration_s = 40;
		run(&m, NULL);
		report("queue burst", &m);
		assert_true(m.lock_mono >= 0);
		assert_true(m.locked_end);
		assert_true(m.max_ns < 1500.0);
	}
}

/* Exact timestamps: the mapping converges to the truth and reports the true rate and delay. */
static void test_noiseless(void **state)
{
	struct aes67_ptp_servo s;
	struct aes67_ptp_servo_status st;
	int64_t ptp0 = 123456789012345678LL, mono0 = 42 * MS;
	const int64_t delay = 25 * US;
	const double ppm = -37.0;
	int64_t p;

	(void)state;
	assert_int_equal(aes67_ptp_servo_init(&s, NULL), 0);
	for (int k = 0; k < 160; k++) {
		int64_t t = k * SYNC_NS;
		int64_t t2 = mono0 + t + delay + (int64_t)llround((t + delay) * ppm * 1e-6);
		int64_t t3 = mono0 + t + 50 * MS + (int64_t)llround((t + 50 * MS) * ppm * 1e-6);
		assert_true(aes67_ptp_servo_sync(&s, ptp0 + t, t2) >= 0);
		assert_int_equal(aes67_ptp_servo_delay(&s, t3, ptp0 + t + 50 * MS + delay), 0);
	}
	aes67_ptp_servo_status(&s, &st);
	assert_true(st.valid);
	assert_true(st.locked);
	assert_true(llabs(st.mean_path_delay_ns - delay) <= 2);
	/* mono runs 37 ppm slow, so PTP advances 1/(1-37e-6) per mono ns: rate ~ +37 ppm. */
	assert_true(fabs(st.rate_ppm - 37.00137) < 0.01);
	int64_t t = 170 * SYNC_NS;
	assert_int_equal(aes67_ptp_servo_map(&s, mono0 + t + (int64_t)llround(t * ppm * 1e-6), &p),
			 0);
	print_message("noiseless: error %lld ns rate %.5f ppm\n", (long long)(p - (ptp0 + t)),
		      st.rate_ppm);
	assert_true(llabs(p - (ptp0 + t)) <= 20);
	assert_int_equal(st.steps, 1);
	assert_int_equal(st.outliers, 0);
}

static void test_api_misuse(void **state)
{
	struct aes67_ptp_servo s;
	struct aes67_ptp_servo_config cfg;
	int64_t p;

	(void)state;
	assert_int_equal(aes67_ptp_servo_init(NULL, NULL), -EINVAL);
	aes67_ptp_servo_config_init(&cfg);
	cfg.delay_window = 4; /* must be odd */
	assert_int_equal(aes67_ptp_servo_init(&s, &cfg), -EINVAL);
	aes67_ptp_servo_config_init(&cfg);
	cfg.unlock_ns = cfg.lock_ns - 1; /* hysteresis must not be inverted */
	assert_int_equal(aes67_ptp_servo_init(&s, &cfg), -EINVAL);

	assert_int_equal(aes67_ptp_servo_init(&s, NULL), 0);
	assert_int_equal(aes67_ptp_servo_map(&s, 0, &p), -EAGAIN);
	assert_int_equal(aes67_ptp_servo_delay(&s, 10, 10), -AES67_ENOTFOUND);
	assert_int_equal(aes67_ptp_servo_sync(&s, 1000, 500), AES67_PTP_SERVO_WAIT);
	assert_int_equal(aes67_ptp_servo_sync(&s, 2000, 500), -EINVAL); /* t2 not increasing */
	assert_int_equal(aes67_ptp_servo_sync(&s, -1, 501), -AES67_ERANGE);
	assert_int_equal(aes67_ptp_servo_sync(&s, INT64_MAX, 501), -AES67_ERANGE);
	assert_int_equal(aes67_ptp_servo_delay(&s, INT64_MIN, 0), -AES67_ERANGE);
	assert_int_equal(aes67_ptp_servo_delay(&s, 600, 1000 + 5000000000LL), -AES67_ERANGE);
	assert_int_equal(aes67_ptp_servo_map(&s, 0, &p), -EAGAIN);
	assert_int_equal(aes67_ptp_servo_delay(&s, 600, 1200), 0);
	assert_int_equal(aes67_ptp_servo_sync(&s, 3000, 2600), AES67_PTP_SERVO_STEPPED);
	assert_int_equal(aes67_ptp_servo_map(&s, 2600, &p), 0);
	/* delay = ((1200 - 1000) - (600 - 500)) / 2 = 50 */
	assert_int_equal(p, 3050);
	aes67_ptp_servo_reset(&s);
	assert_int_equal(aes67_ptp_servo_map(&s, 0, &p), -EAGAIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_misuse),
		cmocka_unit_test(test_noiseless),
		cmocka_unit_test(test_sim_plus_100ppm),
		cmocka_unit_test(test_sim_minus_100ppm),
		cmocka_unit_test(test_sim_seeds),
		cmocka_unit_test(test_sim_heavy_noise),
		cmocka_unit_test(test_sim_master_step),
		cmocka_unit_test(test_sim_small_master_step),
		cmocka_unit_test(test_sim_late_second_sync),
		cmocka_unit_test(test_sim_master_rate_change),
		cmocka_unit_test(test_sim_queue_burst),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
