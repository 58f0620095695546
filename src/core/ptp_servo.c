// SPDX-License-Identifier: MIT
/*
 * PTP servo: a software mapping of PTP time over the local monotonic clock, steered by a
 * two-state (phase, rate) Kalman filter. See include/aes67/ptp_servo.h for the model.
 *
 * Why a Kalman filter rather than linuxptp's fixed-gain PI: the gains start wide (the second
 * sample gives the two-sample frequency estimate, so lock takes a second, not a minute) and
 * then narrow as samples accumulate, which a fixed PI cannot do; the floor of that narrowing is
 * set by one physical number, the oscillator's frequency wander (cfg.wander_ppb). The
 * measurement noise is re-estimated from the innovations so the outlier gate follows the real
 * jitter of the path.
 *
 * Two ways the model can be wrong, both seen on the test bed (issue 4, docs/ptp.md "Servo"):
 * - A wrong rate from a bad early sample (one preempted Sync makes the two-sample estimate tens
 *   of ppm off). The next samples then fall outside the gate, and a re-acquisition that only
 *   re-opened the phase corrected the rate by ~1 ppm per cycle: no lock for minutes. Now the
 *   run of rejected samples, all measured against the same unchanged model, is fitted with a
 *   line whose slope is the rate error (fit_run()).
 * - A master whose rate moves (a grandmaster on CLOCK_REALTIME re-tuned by NTP or adjtimex)
 *   while the filter has narrowed to the quartz wander: the rate follows with a time constant
 *   of tens of seconds and the error ramps at ~1 us/s per ppm. A lasting one-sided mean of the
 *   innovations is that ramp; the rate uncertainty is then re-opened by the rate it implies.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "aes67/error.h"
#include "aes67/ptp_servo.h"

#define NS_PER_S 1e9
/* The noise estimate never falls below this (ns^2): no timestamp is better than ~10 ns. */
#define NOISE_FLOOR_NS2 100.0
/* Weight of one innovation in the running noise estimate (about 32 samples, 4 s at 8/s). */
#define NOISE_WEIGHT (1.0 / 32.0)
/* A path delay outside +-1 s is not a network; refuse the sample. */
#define DELAY_LIMIT_NS 1000000000LL
/* Weight of one innovation in the mean that detects a rate change (8 samples, 1 s at 8/s). */
#define DRIFT_WEIGHT (1.0 / 8.0)
/* The mean is a rate change when above this many sigmas of the mean of white innovations ... */
#define DRIFT_SIGMA 5.0
/* ... for this many samples in a row (1 s at 8/s): a burst of queueing delay that builds up for
 * a few Syncs and drains looks like a short ramp; a rate change persists. */
#define DRIFT_PERSIST 8
/* While the mean is within this many sigmas the noise estimate learns from the sample. */
#define NOISE_LEARN_SIGMA 4.0
/* A mean innovation m is read as a rate error of about m per this span (the mean's memory). */
#define DRIFT_SPAN_NS 1e9
/* The covariance of a re-acquisition fit is widened by this factor: a handful of samples, and
 * the fit only has to bring the samples back inside the gate for the filter to refine it. */
#define REACQ_WIDEN 4.0
/* Timestamps are accepted in [0, 2^62) ns (146 years): differences of two never overflow. */
#define TIME_LIMIT_NS (INT64_C(1) << 62)

static bool time_ok(int64_t ns)
{
	return ns >= 0 && ns < TIME_LIMIT_NS;
}

void aes67_ptp_servo_config_init(struct aes67_ptp_servo_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->step_threshold_ns = 1000000;
	cfg->noise_ns = 1000.0;
	cfg->wander_ppb = 0.5;
	cfg->max_rate_ppm = 500.0;
	cfg->gate_sigma = 5.0;
	cfg->gate_min_ns = 10000;
	cfg->outlier_max = 4;
	cfg->delay_window = 5;
	cfg->delay_weight = 1.0 / 64;
	cfg->lock_ns = 5000;
	cfg->lock_samples = 16;
	cfg->unlock_ns = 50000;
	cfg->unlock_samples = 4;
	cfg->confirm_samples = 3;
}

static bool config_ok(const struct aes67_ptp_servo_config *c)
{
	return c->step_threshold_ns > 0 && c->noise_ns > 0 && c->wander_ppb >= 0 &&
	       c->max_rate_ppm > 0 && c->max_rate_ppm <= 100000 && c->gate_sigma > 0 &&
	       c->gate_min_ns >= 0 && c->delay_window >= 1 &&
	       c->delay_window <= AES67_PTP_SERVO_DELAY_WINDOW_MAX && (c->delay_window & 1u) &&
	       c->delay_weight > 0 && c->delay_weight <= 1 && c->lock_ns > 0 &&
	       c->lock_samples > 0 && c->unlock_ns >= c->lock_ns && c->unlock_samples > 0;
}

int aes67_ptp_servo_init(struct aes67_ptp_servo *s, const struct aes67_ptp_servo_config *cfg)
{
	struct aes67_ptp_servo_config def;

	if (!s) {
		return -EINVAL;
	}
	if (!cfg) {
		aes67_ptp_servo_config_init(&def);
		cfg = &def;
	}
	if (!config_ok(cfg)) {
		return -EINVAL;
	}
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	aes67_ptp_servo_reset(s);
	return 0;
}

void aes67_ptp_servo_reset(struct aes67_ptp_servo *s)
{
	struct aes67_ptp_servo_config cfg = s->cfg;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->r_ns2 = cfg.noise_ns * cfg.noise_ns;
}

/* Current mean path delay from the averaged components and the current rate. */
static double delay_now(const struct aes67_ptp_servo *s)
{
	return (s->delay_diff_avg_ns - s->delay_local_avg_ns * s->rate) / 2;
}

/* Mapping evaluated at mono, as whole ns plus a fraction in [0, 1). */
static void predict(const struct aes67_ptp_servo *s, int64_t mono_ns, int64_t *whole, double *frac)
{
	int64_t d = mono_ns - s->base_mono_ns;
	double f = (double)d * s->rate + s->base_frac_ns;
	double w = floor(f);

	*whole = s->base_ptp_ns + d + (int64_t)w;
	*frac = f - w;
}

int aes67_ptp_servo_map(const struct aes67_ptp_servo *s, int64_t mono_ns, int64_t *ptp_ns)
{
	int64_t whole;
	double frac;

	if (!s->valid) {
		return -EAGAIN;
	}
	predict(s, mono_ns, &whole, &frac);
	*ptp_ns = whole + (frac >= 0.5 ? 1 : 0);
	return 0;
}

/* After a step or a re-acquisition: unlocked, and every run counter starts again. */
static void restart_runs(struct aes67_ptp_servo *s)
{
	s->locked = false;
	s->good_run = 0;
	s->delay_run = 0;
	s->out_run = 0;
	s->innov_mean_ns = 0;
	s->drift_run = 0;
}

static void set_anchor(struct aes67_ptp_servo *s, int64_t mono_ns, int64_t whole, double frac)
{
	double w = floor(frac);

	s->base_mono_ns = mono_ns;
	s->base_ptp_ns = whole + (int64_t)w;
	s->base_frac_ns = frac - w;
}

static void step(struct aes67_ptp_servo *s, int64_t t2, int64_t z)
{
	double max_rate = s->cfg.max_rate_ppm * 1e-6;

	if (!s->valid) {
		s->rate = 0;
		s->p11 = max_rate * max_rate;
	}
	set_anchor(s, t2, z, 0);
	/* The path delay was computed with a rate known only to sqrt(p11); its error
	 * local * rate / 2 is phase uncertainty too (large on the very first anchor). */
	double dd = s->delay_local_avg_ns * sqrt(s->p11) / 2;
	s->p00 = s->r_ns2 + dd * dd;
	s->p01 = 0;
	s->valid = true;
	s->bad_run = 0;
	restart_runs(s);
	s->steps++;
}

/*
 * Lock: lock_samples consecutive residuals within lock_ns, of which at least the confirming
 * ones (cfg.confirm_samples) with the path delay known. Without training every sample has the
 * delay, so this is simply lock_samples; after training (delay 0, a constant phase error that
 * the residuals do not see) the delay-known samples confirm the trained filter.
 */
static void track_lock(struct aes67_ptp_servo *s, int64_t t2)
{
	int64_t a = s->offset_ns < 0 ? -s->offset_ns : s->offset_ns;
	unsigned confirm = s->cfg.confirm_samples;

	if (confirm == 0 || confirm > s->cfg.lock_samples) {
		confirm = s->cfg.lock_samples;
	}
	if (a < s->cfg.lock_ns) {
		s->good_run++;
		s->delay_run += s->have_delay ? 1 : 0;
		s->bad_run = 0;
		s->out_run = 0;
	} else {
		s->good_run = 0;
		s->delay_run = 0;
		s->out_run++;
		s->bad_run = a > s->cfg.unlock_ns ? s->bad_run + 1 : 0;
	}
	if (!s->locked && s->have_delay && s->good_run >= s->cfg.lock_samples &&
	    s->delay_run >= confirm) {
		s->locked = true;
		s->lock_mono_ns = t2;
	} else if (s->locked &&
		   (s->bad_run >= s->cfg.unlock_samples || s->out_run >= 2 * s->cfg.lock_samples)) {
		/* Hysteresis: single excursions up to unlock_ns keep the lock, a lasting error
		 * outside the lock window does not. */
		s->locked = false;
	}
}

/*
 * Re-acquisition after cfg.outlier_max rejected samples in a row, with this one (t2, y): all
 * were measured against the same model (outliers change nothing), so their innovations lie on
 * a line y = a + b (t - t2) if the model's phase is off by a and its rate by b (a master step:
 * b ~ 0; a wrong rate: the ramp). Least squares gives a, b and their covariance from the
 * scatter about the line (at least the noise estimate). Sets *a_ns, *b and the covariance.
 */
static void fit_run(const struct aes67_ptp_servo *s, int64_t t2, double y, double *a_ns, double *b,
		    double *p00, double *p01, double *p11)
{
	unsigned n_run = s->outlier_run < AES67_PTP_SERVO_OUTLIER_RUN_MAX
				 ? s->outlier_run
				 : AES67_PTP_SERVO_OUTLIER_RUN_MAX;
	double tm = 0, ym = y, sxx = 0, sxy = 0, ss = 0, var;
	unsigned n = n_run + 1;

	for (unsigned i = 0; i < n_run; i++) {
		tm += (double)(s->run_t_ns[i] - t2);
		ym += s->run_y_ns[i];
	}
	tm /= n;
	ym /= n;
	for (unsigned i = 0; i <= n_run; i++) {
		double dt = i < n_run ? (double)(s->run_t_ns[i] - t2) - tm : -tm;
		double dy = (i < n_run ? s->run_y_ns[i] : y) - ym;

		sxx += dt * dt;
		sxy += dt * dy;
	}
	if (n < 3 || !(sxx > 0)) {
		/* Too few to see a slope: believe this sample's phase, keep the rate. */
		*a_ns = y;
		*b = 0;
		*p00 = y * y + s->r_ns2;
		*p01 = s->p01;
		*p11 = s->p11;
		return;
	}
	*b = sxy / sxx;
	*a_ns = ym - *b * tm;
	for (unsigned i = 0; i <= n_run; i++) {
		double t = i < n_run ? (double)(s->run_t_ns[i] - t2) : 0;
		double e = (i < n_run ? s->run_y_ns[i] : y) - (*a_ns + *b * t);

		ss += e * e;
	}
	var = REACQ_WIDEN * fmax(ss / (n - 2), s->r_ns2);
	*p00 = var * (1.0 / n + tm * tm / sxx);
	*p01 = -var * tm / sxx;
	*p11 = var / sxx;
}

static int sync_sample(struct aes67_ptp_servo *s, int64_t t1_ptp_ns, int64_t t2_mono_ns,
		       bool train);

int aes67_ptp_servo_sync(struct aes67_ptp_servo *s, int64_t t1_ptp_ns, int64_t t2_mono_ns)
{
	return sync_sample(s, t1_ptp_ns, t2_mono_ns, false);
}

int aes67_ptp_servo_train(struct aes67_ptp_servo *s, int64_t t1_ptp_ns, int64_t t2_mono_ns)
{
	return sync_sample(s, t1_ptp_ns, t2_mono_ns, true);
}

/* One Sync. Without a path delay only a training call (or a filter trained before) runs the
 * filter, with delay_now() == 0 (no delay sample averaged yet). */
static int sync_sample(struct aes67_ptp_servo *s, int64_t t1_ptp_ns, int64_t t2_mono_ns, bool train)
{
	if (!time_ok(t1_ptp_ns) || !time_ok(t2_mono_ns)) {
		return -AES67_ERANGE;
	}
	if (s->have_sync && t2_mono_ns <= s->t2_ns) {
		return -EINVAL;
	}
	s->have_sync = true;
	s->t1_ns = t1_ptp_ns;
	s->t2_ns = t2_mono_ns;
	if (!s->have_delay && !train && !s->valid) {
		return AES67_PTP_SERVO_WAIT;
	}
	s->samples++;

	/* Master time at t2 (§11.3: offset = t2 - t1 - meanPathDelay). */
	int64_t z = t1_ptp_ns + (int64_t)llround(delay_now(s));
	if (!s->valid) {
		s->offset_ns = 0;
		step(s, t2_mono_ns, z);
		return AES67_PTP_SERVO_STEPPED;
	}

	/* Predict: propagate the covariance over dt with frequency random walk q. */
	int64_t whole;
	double frac;
	predict(s, t2_mono_ns, &whole, &frac);
	double dt = (double)(t2_mono_ns - s->base_mono_ns);
	double dts = dt / NS_PER_S;
	double q = s->cfg.wander_ppb * 1e-9 * s->cfg.wander_ppb * 1e-9 * dts;
	double p00 = s->p00 + 2 * dt * s->p01 + dt * dt * s->p11 + q * dt * dt / 3;
	double p01 = s->p01 + dt * s->p11 + q * dt / 2;
	double p11 = s->p11 + q;

	/* Innovation: master minus prediction. offset is the reverse (mapping ahead > 0); it is
	 * reported for the samples the filter uses, not for the ones it rejects (a queued packet
	 * would otherwise show as a 30 us "offset" of a clock that is within 1 us). */
	double y = (double)(z - whole) - frac;
	double sv = p00 + s->r_ns2;
	double gate = fmax((double)s->cfg.gate_min_ns, s->cfg.gate_sigma * sqrt(sv));
	double max_rate = s->cfg.max_rate_ppm * 1e-6;
	bool forced = false;

	if (fabs(y) > gate) {
		if (s->outlier_run < s->cfg.outlier_max) {
			unsigned i = s->outlier_run % AES67_PTP_SERVO_OUTLIER_RUN_MAX;

			s->run_t_ns[i] = t2_mono_ns;
			s->run_y_ns[i] = y;
			s->outlier_run++;
			s->outliers++;
			return AES67_PTP_SERVO_OUTLIER;
		}
		/* Never reject forever: this many in a row is the master really moving. */
		forced = true;
	}
	s->offset_ns = -(int64_t)llround(y);
	if (forced) {
		double a, b, f00, f01, f11;
		bool stepped;

		fit_run(s, t2_mono_ns, y, &a, &b, &f00, &f01, &f11);
		s->outlier_run = 0;
		s->reacquired++;
		stepped = fabs(a) > (double)s->cfg.step_threshold_ns;
		if (stepped) {
			step(s, t2_mono_ns, z);
		} else {
			/* Trusted no better than the size of the correction itself: if the run was
			 * a burst of queueing rather than the master, the next samples undo it. */
			set_anchor(s, t2_mono_ns, whole, frac + a);
			s->p00 = fmax(f00, a * a);
			s->p01 = f01;
			f11 = fmax(f11, b * b);
			restart_runs(s);
		}
		s->rate = fmin(fmax(s->rate + b, -max_rate), max_rate);
		s->p11 = f11;
		return stepped ? AES67_PTP_SERVO_STEPPED : AES67_PTP_SERVO_ACCEPTED;
	}
	s->outlier_run = 0;
	if (fabs(y) > (double)s->cfg.step_threshold_ns) {
		step(s, t2_mono_ns, z);
		return AES67_PTP_SERVO_STEPPED;
	}
	/* Rate change of the master: the mean of white innovations has variance
	 * sv w / (2 - w) (sd_mean below). A ramp must not teach the noise estimate that the path
	 * got noisier (that would raise the threshold that detects it), so the noise estimate
	 * learns only while the mean is within NOISE_LEARN_SIGMA sd_mean. Beyond DRIFT_SIGMA for
	 * DRIFT_PERSIST samples the model is wrong: the phase uncertainty is re-opened by the mean
	 * and the rate's by the rate it implies (as if so at the last anchor, propagated over dt).
	 */
	double sd_mean = sqrt(sv * DRIFT_WEIGHT / (2 - DRIFT_WEIGHT));

	s->innov_mean_ns += DRIFT_WEIGHT * (y - s->innov_mean_ns);
	if (fabs(s->innov_mean_ns) <= NOISE_LEARN_SIGMA * sd_mean) {
		/* Noise estimate: E[y^2] = p00 + R. */
		double e = fmax(y * y - p00, NOISE_FLOOR_NS2);

		s->r_ns2 += NOISE_WEIGHT * (e - s->r_ns2);
	}
	s->drift_run = fabs(s->innov_mean_ns) > DRIFT_SIGMA * sd_mean ? s->drift_run + 1 : 0;
	if (s->drift_run >= DRIFT_PERSIST) {
		double m = s->innov_mean_ns, dr = m / DRIFT_SPAN_NS;

		p00 += m * m + dt * dt * dr * dr;
		p01 += dt * dr * dr;
		p11 += dr * dr;
		sv = p00 + s->r_ns2;
		s->innov_mean_ns = 0;
		s->drift_run = 0;
		s->rate_reopened++;
	}

	double k0 = p00 / sv, k1 = p01 / sv;

	set_anchor(s, t2_mono_ns, whole, frac + k0 * y);
	s->rate = fmin(fmax(s->rate + k1 * y, -max_rate), max_rate);
	s->p00 = (1 - k0) * p00;
	s->p01 = (1 - k0) * p01;
	s->p11 = p11 - k1 * p01;
	track_lock(s, t2_mono_ns);
	return AES67_PTP_SERVO_ACCEPTED;
}

/* Median of the delay samples in the window, evaluated at the current rate. */
static double delay_median(const struct aes67_ptp_servo *s)
{
	double v[AES67_PTP_SERVO_DELAY_WINDOW_MAX];
	unsigned n = s->delay_n;

	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;
		double x =
			((double)s->delay_diff_ns[i] - (double)s->delay_local_ns[i] * s->rate) / 2;

		for (; j > 0 && v[j - 1] > x; j--) {
			v[j] = v[j - 1];
		}
		v[j] = x;
	}
	return v[(n - 1) / 2];
}

int aes67_ptp_servo_delay(struct aes67_ptp_servo *s, int64_t t3_mono_ns, int64_t t4_ptp_ns)
{
	if (!time_ok(t3_mono_ns) || !time_ok(t4_ptp_ns)) {
		return -AES67_ERANGE;
	}
	if (!s->have_sync) {
		return -AES67_ENOTFOUND;
	}
	/*
	 * §11.3: ((t2 - t1) + (t4 - t3)) / 2 = ((t4 - t1) - (t3 - t2)) / 2 with the local interval
	 * t3 - t2 scaled to PTP time by (1 + rate); the mapping's offset cancels out.
	 */
	int64_t local = t3_mono_ns - s->t2_ns;
	int64_t diff = (t4_ptp_ns - s->t1_ns) - local;
	double d = ((double)diff - (double)local * s->rate) / 2;

	if (!(fabs(d) < (double)DELAY_LIMIT_NS) || local > DELAY_LIMIT_NS ||
	    local < -DELAY_LIMIT_NS) {
		return -AES67_ERANGE;
	}
	s->delay_diff_ns[s->delay_pos] = diff;
	s->delay_local_ns[s->delay_pos] = local;
	s->delay_pos = (s->delay_pos + 1) % s->cfg.delay_window;
	if (s->delay_n < s->cfg.delay_window) {
		s->delay_n++;
	}
	/* A sample far from the window's median is a lone outlier (a queued packet): it stays in
	 * the window, so a lasting change of path moves the median and is then accepted. */
	if (fabs(d - delay_median(s)) > (double)s->cfg.gate_min_ns) {
		s->delay_outliers++;
		return 0;
	}
	/* Running mean (weight 1/n) until 1/n reaches the configured weight, then exponential:
	 * fast start, then the long average a mostly-constant path deserves. */
	double w = fmax(1.0 / (double)(s->delay_samples + 1), s->cfg.delay_weight);
	if (s->have_delay && fabs(delay_now(s) - d) > (double)s->cfg.gate_min_ns) {
		/* The average is far from an accepted sample: it holds an early outlier or the
		 * path changed. Start the average again from here. */
		s->delay_samples = 0;
		w = 1.0;
	}
	s->delay_diff_avg_ns += w * ((double)diff - s->delay_diff_avg_ns);
	s->delay_local_avg_ns += w * ((double)local - s->delay_local_avg_ns);
	if (!s->have_delay && s->valid) {
		/* Trained with delay 0: the master's time at t2 is later by the path delay
		 * (§11.3); move the mapping by it, keeping rate and residual history. */
		set_anchor(s, s->base_mono_ns, s->base_ptp_ns, s->base_frac_ns + delay_now(s));
		s->delay_run = 0;
		/* Innovations seen so far were against the mapping before the move. */
		s->outlier_run = 0;
		s->innov_mean_ns = 0;
		s->drift_run = 0;
	}
	s->have_delay = true;
	s->delay_samples++;
	return 0;
}

void aes67_ptp_servo_status(const struct aes67_ptp_servo *s, struct aes67_ptp_servo_status *st)
{
	memset(st, 0, sizeof(*st));
	st->valid = s->valid;
	st->locked = s->locked;
	st->offset_ns = s->offset_ns;
	st->rate_ppm = s->rate * 1e6;
	st->mean_path_delay_ns = (int64_t)llround(delay_now(s));
	st->lock_mono_ns = s->lock_mono_ns;
	st->sigma_ns = s->valid ? sqrt(s->p00) : 0;
	st->samples = s->samples;
	st->outliers = s->outliers;
	st->steps = s->steps;
	st->delay_samples = s->delay_samples;
	st->delay_outliers = s->delay_outliers;
	st->reacquired = s->reacquired;
	st->rate_reopened = s->rate_reopened;
}
