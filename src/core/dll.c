// SPDX-License-Identifier: MIT
/*
 * Delay-locked loop: a second-order, critically damped control loop that tracks the phase and
 * period of a stream of events from noisy timestamps (after F. Adriaensen, "Using a DLL to filter
 * time", 2005; written independently here).
 *
 * The loop keeps two numbers: t1, the predicted time of the next event, and e2, the estimated
 * period. For each event at time t:
 *
 *   e   = t - t1          phase error of the prediction
 *   t0  = t1              filtered time of this event (the prediction, not the noisy sample)
 *   t1 += b * e + e2      next prediction: one period on, corrected by a share of the error
 *   e2 += c * e           period estimate: integrates the error
 *
 * With T the nominal period in seconds and B the bandwidth in Hz:
 *   omega = 2 * pi * B * T   the loop's natural angular frequency, in radians per event;
 *   b     = sqrt(2) * omega  phase gain;
 *   c     = omega^2          frequency gain.
 * The error recursion has the characteristic polynomial z^2 - (2 - b) z + (1 - b + c). For small
 * omega its continuous-time equivalent is s^2 + sqrt(2) w s + w^2: damping ratio 1/sqrt(2), the
 * maximally flat (Butterworth) response that Adriaensen's paper calls critically damped for this
 * use: the fastest settling without noticeable overshoot. The poles stay inside the unit circle
 * while omega < sqrt(2) (Jury test on the polynomial above); we demand omega < 1 for margin.
 *
 * What B trades off: the loop follows changes in rate and phase within a few 1/B seconds, and
 * timestamp jitter faster than B reaches its output attenuated, more so the faster it is. A
 * narrow B filters jitter better (and gives a steadier rate for the resampler) but settles more
 * slowly; a wide B locks fast but lets more jitter into the period estimate.
 */
#include <errno.h>
#include <math.h>

#include "aes67/dll.h"
#include "aes67/error.h"

/* Margin below the stability limit omega < sqrt(2). */
#define OMEGA_MAX 1.0

/*
 * The period estimate is kept within [1/2, 2] x nominal. Real clocks differ by a few hundred ppm;
 * this only bounds the arithmetic against absurd input, and keeps t1 - t0 >= 0.29 e2 > 0 (since
 * b < sqrt(2) and |e| <= e2 / 2 after gap handling), so filtered times never go backwards.
 */
#define PERIOD_MIN_FACTOR 0.5
#define PERIOD_MAX_FACTOR 2.0

/* Fold whole nanoseconds of t0 into base_ns once t0 passes this, keeping doubles small. */
#define REBASE_NS 1e6

static int gains(double period_ns, double bandwidth_hz, double *b, double *c)
{
	if (!isfinite(bandwidth_hz) || bandwidth_hz <= 0.0) {
		return -EINVAL;
	}
	double omega = 2.0 * M_PI * bandwidth_hz * period_ns * 1e-9;

	if (!(omega < OMEGA_MAX)) {
		return -AES67_ERANGE;
	}
	*b = M_SQRT2 * omega;
	*c = omega * omega;
	return 0;
}

int aes67_dll_init(struct aes67_dll *dll, double nominal_period_ns, double bandwidth_hz)
{
	double b;
	double c;

	if (!dll || !isfinite(nominal_period_ns) || nominal_period_ns <= 0.0) {
		return -EINVAL;
	}
	int r = gains(nominal_period_ns, bandwidth_hz, &b, &c);
	if (r < 0) {
		return r;
	}
	*dll = (struct aes67_dll){
		.nominal_period_ns = nominal_period_ns,
		.bandwidth_hz = bandwidth_hz,
		.b = b,
		.c = c,
	};
	aes67_dll_reset(dll);
	return 0;
}

double aes67_dll_period_ns(uint32_t frames, uint32_t rate_hz)
{
	if (rate_hz == 0) {
		return 0.0;
	}
	return 1e9 * (double)frames / (double)rate_hz;
}

AES67_RT int aes67_dll_set_bandwidth(struct aes67_dll *dll, double bandwidth_hz)
{
	double b;
	double c;

	if (!dll) {
		return -EINVAL;
	}
	int r = gains(dll->nominal_period_ns, bandwidth_hz, &b, &c);
	if (r < 0) {
		return r;
	}
	dll->bandwidth_hz = bandwidth_hz;
	dll->b = b;
	dll->c = c;
	return 0;
}

AES67_RT void aes67_dll_reset(struct aes67_dll *dll)
{
	dll->period_ns = dll->nominal_period_ns;
	dll->t0_rel_ns = 0.0;
	dll->t1_rel_ns = 0.0;
	dll->base_ns = 0;
	dll->updates = 0;
	dll->missed = 0;
	dll->relocks = 0;
	dll->locked = 0;
}

/* Signed difference a - b of two absolute times, as a double. */
static double diff_ns(uint64_t a, uint64_t b)
{
	return a >= b ? (double)(a - b) : -(double)(b - a);
}

/* Anchor the phase at @ts: this event is at t0, the next one a period later. */
static void anchor(struct aes67_dll *dll, uint64_t ts)
{
	dll->base_ns = ts;
	dll->t0_rel_ns = 0.0;
	dll->t1_rel_ns = dll->period_ns;
}

static void fill_out(const struct aes67_dll *dll, struct aes67_dll_out *out, double err,
		     uint32_t missed, int relocked)
{
	if (!out) {
		return;
	}
	/* t0 >= 0 and t1 > t0 always hold (see PERIOD_MIN_FACTOR); round to the nearest ns. */
	out->time_ns = dll->base_ns + (uint64_t)(dll->t0_rel_ns + 0.5);
	out->next_ns = dll->base_ns + (uint64_t)(dll->t1_rel_ns + 0.5);
	out->period_ns = dll->period_ns;
	out->ratio = dll->period_ns / dll->nominal_period_ns;
	out->ppm = (out->ratio - 1.0) * 1e6;
	out->error_ns = err;
	out->missed = missed;
	out->relocked = relocked;
}

AES67_RT int aes67_dll_update(struct aes67_dll *dll, uint64_t timestamp_ns,
			      struct aes67_dll_out *out)
{
	if (!dll) {
		return -EINVAL;
	}
	dll->updates++;
	if (!dll->locked) {
		dll->locked = 1;
		anchor(dll, timestamp_ns);
		fill_out(dll, out, 0.0, 0, 0);
		return 0;
	}

	double p = dll->period_ns;
	double e = diff_ns(timestamp_ns, dll->base_ns) - dll->t1_rel_ns;
	uint32_t missed = 0;

	/*
	 * Late by more than half a period: the events in between were lost (a dropped packet, a
	 * skipped callback). Step the prediction over them with the period estimate.
	 */
	if (e > 0.5 * p) {
		double n = floor(e / p + 0.5);

		if (n > (double)AES67_DLL_MAX_GAP_PERIODS) {
			dll->relocks++;
			anchor(dll, timestamp_ns);
			fill_out(dll, out, e, 0, 1);
			return 0;
		}
		missed = (uint32_t)n;
		dll->missed += missed;
		dll->t1_rel_ns += n * p;
		e -= n * p;
	} else if (e < -0.5 * p) {
		/* Early by more than half a period: not the event we predicted; re-acquire. */
		dll->relocks++;
		anchor(dll, timestamp_ns);
		fill_out(dll, out, e, 0, 1);
		return 0;
	}

	dll->t0_rel_ns = dll->t1_rel_ns;
	dll->t1_rel_ns += dll->b * e + p;
	double np = p + dll->c * e;
	double lo = dll->nominal_period_ns * PERIOD_MIN_FACTOR;
	double hi = dll->nominal_period_ns * PERIOD_MAX_FACTOR;
	dll->period_ns = np < lo ? lo : (np > hi ? hi : np);

	if (dll->t0_rel_ns >= REBASE_NS) {
		double whole = floor(dll->t0_rel_ns);

		dll->base_ns += (uint64_t)whole;
		dll->t0_rel_ns -= whole;
		dll->t1_rel_ns -= whole;
	}
	fill_out(dll, out, e, missed, 0);
	return 0;
}

AES67_RT double aes67_dll_ppm(const struct aes67_dll *dll)
{
	return (dll->period_ns / dll->nominal_period_ns - 1.0) * 1e6;
}
