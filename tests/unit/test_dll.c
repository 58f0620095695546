// SPDX-License-Identifier: MIT
/*
 * Unit tests for the delay-locked loop on synthetic timestamps: rate offsets of both signs, a
 * step in rate, deterministic pseudo-random jitter, gaps, re-acquisition and the API's refusals.
 * Every update runs under the RT guard, which proves the loop allocates, locks, logs and reads
 * no clock.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "aes67/dll.h"
#include "aes67/error.h"
#include "rt_guard.h"

/* 48 frames at 48 kHz: the AES67 1 ms packet time. */
#define PERIOD_NS 1e6
/* Far from zero so that the relative-time bookkeeping (rebasing) is exercised. */
#define START_NS 1700000000000000000ull

/* xorshift64*: a deterministic pseudo-random sequence, the same on every machine. */
static uint64_t rng_state;

static double rng_uniform(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	uint64_t r = rng_state * 2685821657736338717ull;
	return (double)(r >> 11) * (1.0 / 9007199254740992.0); /* [0, 1) */
}

/*
 * A synthetic event source: the true time of event k runs at (1 + ppm/1e6) x nominal period;
 * timestamps add uniform jitter in [-jitter_ns, +jitter_ns].
 */
struct source {
	double true_ns; /* relative to START_NS */
	double ppm;
	double jitter_ns;
};

static uint64_t source_next(struct source *s, double *true_abs_rel)
{
	s->true_ns += PERIOD_NS * (1.0 + s->ppm * 1e-6);
	*true_abs_rel = s->true_ns;
	double j = s->jitter_ns * (2.0 * rng_uniform() - 1.0);
	return START_NS + (uint64_t)llround(s->true_ns + j);
}

/* Statistics of the filtered time's error against the true, jitter-free time. */
struct run_stats {
	double max_abs_err_ns;
	double sum_sq_err_ns;
	double sum_sq_in_ns;
	unsigned n;
	unsigned violations;
};

/*
 * Feed @count events; collect error statistics over the last @tail of them. Every update runs
 * under the RT guard in core mode.
 */
static void run(struct aes67_dll *dll, struct source *s, unsigned count, unsigned tail,
		struct run_stats *st)
{
	*st = (struct run_stats){0};
	for (unsigned i = 0; i < count; i++) {
		struct aes67_dll_out out;
		double t_true;
		uint64_t ts = source_next(s, &t_true);

		rt_guard_enter(RT_GUARD_CORE);
		int r = aes67_dll_update(dll, ts, &out);
		st->violations += rt_guard_leave();
		assert_int_equal(r, 0);
		if (i + tail >= count) {
			/* The filtered time of this event vs the jitter-free time of this event. */
			double err = (double)(out.time_ns - START_NS) - t_true;
			double in = (double)(ts - START_NS) - t_true;
			st->max_abs_err_ns = fmax(st->max_abs_err_ns, fabs(err));
			st->sum_sq_err_ns += err * err;
			st->sum_sq_in_ns += in * in;
			st->n++;
		}
	}
}

static double rms(double sum_sq, unsigned n)
{
	return n ? sqrt(sum_sq / n) : 0.0;
}

static void test_init_refusals(void **state)
{
	struct aes67_dll dll;

	(void)state;
	assert_int_equal(aes67_dll_init(NULL, PERIOD_NS, 1.0), -EINVAL);
	assert_int_equal(aes67_dll_init(&dll, 0.0, 1.0), -EINVAL);
	assert_int_equal(aes67_dll_init(&dll, -1.0, 1.0), -EINVAL);
	assert_int_equal(aes67_dll_init(&dll, NAN, 1.0), -EINVAL);
	assert_int_equal(aes67_dll_init(&dll, INFINITY, 1.0), -EINVAL);
	assert_int_equal(aes67_dll_init(&dll, PERIOD_NS, 0.0), -EINVAL);
	assert_int_equal(aes67_dll_init(&dll, PERIOD_NS, -3.0), -EINVAL);
	assert_int_equal(aes67_dll_init(&dll, PERIOD_NS, NAN), -EINVAL);
	/* omega = 2 pi 200 Hz 1 ms = 1.26: beyond the margin we keep below sqrt(2). */
	assert_int_equal(aes67_dll_init(&dll, PERIOD_NS, 200.0), -AES67_ERANGE);
	/* omega = 2 pi 150 Hz 1 ms = 0.94: accepted. */
	assert_int_equal(aes67_dll_init(&dll, PERIOD_NS, 150.0), 0);
	assert_int_equal(aes67_dll_update(NULL, 1, NULL), -EINVAL);

	assert_int_equal(aes67_dll_init(&dll, PERIOD_NS, 1.0), 0);
	double b = dll.b;
	assert_int_equal(aes67_dll_set_bandwidth(&dll, 500.0), -AES67_ERANGE);
	assert_int_equal(aes67_dll_set_bandwidth(&dll, 0.0), -EINVAL);
	assert_int_equal(aes67_dll_set_bandwidth(NULL, 1.0), -EINVAL);
	assert_true(dll.b == b);
	/* The constants: omega = 2 pi B T, b = sqrt(2) omega, c = omega^2. */
	double omega = 2.0 * M_PI * 1.0 * 1e-3;
	assert_float_equal(dll.b, M_SQRT2 * omega, 1e-15);
	assert_float_equal(dll.c, omega * omega, 1e-15);
}

static void test_period_helper(void **state)
{
	(void)state;
	assert_float_equal(aes67_dll_period_ns(48, 48000), 1e6, 1e-9);
	assert_float_equal(aes67_dll_period_ns(6, 48000), 125000.0, 1e-9);
	assert_float_equal(aes67_dll_period_ns(1024, 44100), 1e9 * 1024.0 / 44100.0, 1e-6);
	assert_float_equal(aes67_dll_period_ns(48, 0), 0.0, 0.0);
}

static void test_first_update_anchors(void **state)
{
	struct aes67_dll dll;
	struct aes67_dll_out out;

	(void)state;
	assert_int_equal(aes67_dll_init(&dll, PERIOD_NS, 1.0), 0);
	assert_int_equal(aes67_dll_update(&dll, START_NS, &out), 0);
	assert_true(out.time_ns == START_NS);
	assert_true(out.next_ns == START_NS + 1000000u);
	assert_float_equal(out.ppm, 0.0, 0.0);
	assert_float_equal(out.ratio, 1.0, 0.0);
	/* An exact event keeps everything exact. */
	assert_int_equal(aes67_dll_update(&dll, START_NS + 1000000u, &out), 0);
	assert_true(out.time_ns == START_NS + 1000000u);
	assert_true(out.next_ns == START_NS + 2000000u);
	assert_float_equal(out.error_ns, 0.0, 0.0);
	assert_float_equal(aes67_dll_ppm(&dll), 0.0, 0.0);
}

/* Clean timestamps, B = 1 Hz: a +-200 ppm offset is learned to 0.01 ppm within 10 s. */
static void converge_clean(double ppm)
{
	struct aes67_dll dll;
	struct source s = {.ppm = ppm};
	struct run_stats st;

	assert_int_equal(aes67_dll_init(&dll, PERIOD_NS, 1.0), 0);
	run(&dll, &s, 10000, 1000, &st);
	assert_int_equal(st.violations, 0);
	assert_float_equal(aes67_dll_ppm(&dll), ppm, 0.01);
	/* ...and the filtered times sit on the true ones to within a nanosecond. */
	assert_true(st.max_abs_err_ns <= 1.0);
}

static void test_converge_plus_200ppm(void **state)
{
	(void)state;
	converge_clean(200.0);
}

static void test_converge_minus_200ppm(void **state)
{
	(void)state;
	converge_clean(-200.0);
}

/*
 * Jitter of +-50 us (uniform, RMS 28.9 us) on 1 ms events. Lock at 1 Hz for 5 s, then narrow to
 * 0.1 Hz: after 60 s in all the rate is within 1 ppm of the truth, and the filtered times are
 * far closer to the true times than the timestamps were.
 */
static void converge_jitter(double ppm)
{
	struct aes67_dll dll;
	struct source s = {.ppm = ppm, .jitter_ns = 50000.0};
	struct run_stats st;

	rng_state = 0x9e3779b97f4a7c15ull;
	assert_int_equal(aes67_dll_init(&dll, PERIOD_NS, 1.0), 0);
	run(&dll, &s, 5000, 0, &st);
	assert_int_equal(st.violations, 0);
	rt_guard_enter(RT_GUARD_CORE);
	int r = aes67_dll_set_bandwidth(&dll, 0.1);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(r, 0);
	run(&dll, &s, 55000, 10000, &st);
	assert_int_equal(st.violations, 0);

	rt_guard_enter(RT_GUARD_CORE);
	double est = aes67_dll_ppm(&dll);
	assert_int_equal(rt_guard_leave(), 0);
	assert_float_equal(est, ppm, 1.0);
	double in_rms = rms(st.sum_sq_in_ns, st.n);
	double out_rms = rms(st.sum_sq_err_ns, st.n);
	assert_true(in_rms > 25000.0 && in_rms < 32000.0); /* the jitter really is there */
	assert_true(out_rms < 2000.0);			   /* filtered: > 12x smaller */
	assert_true(st.max_abs_err_ns < 5000.0);	   /* never worse than 1/10 of the jitter */
}

static void test_jitter_filtered_plus(void **state)
{
	(void)state;
	converge_jitter(200.0);
}

static void test_jitter_filtered_minus(void **state)
{
	(void)state;
	converge_jitter(-200.0);
}

/* A jump from +100 to -100 ppm is followed: within 1 ppm 10 s later, exact 20 s later. */
static void test_rate_step(void **state)
{
	struct aes67_dll dll;
	struct source s = {.ppm = 100.0};
	struct run_stats st;

	(void)state;
	assert_int_equal(aes67_dll_init(&dll, PERIOD_NS, 1.0), 0);
	run(&dll, &s, 10000, 0, &st);
	assert_float_equal(aes67_dll_ppm(&dll), 100.0, 0.01);
	s.ppm = -100.0;
	run(&dll, &s, 1000, 0, &st);
	/* One second after the step the estimate has moved but not yet arrived. */
	assert_true(aes67_dll_ppm(&dll) < 50.0);
	run(&dll, &s, 9000, 0, &st);
	assert_float_equal(aes67_dll_ppm(&dll), -100.0, 1.0);
	run(&dll, &s, 10000, 1000, &st);
	assert_float_equal(aes67_dll_ppm(&dll), -100.0, 0.01);
	assert_true(st.max_abs_err_ns <= 1.0);
	assert_int_equal(st.violations, 0);
}

/* Ten lost events: bridged with the period estimate, reported, no disturbance. */
static void test_gap_bridged(void **state)
{
	struct aes67_dll dll;
	struct aes67_dll_out out;
	struct source s = {.ppm = 50.0};
	struct run_stats st;
	double t_true;

	(void)state;
	assert_int_equal(aes67_dll_init(&dll, PERIOD_NS, 1.0), 0);
	run(&dll, &s, 10000, 0, &st);
	for (int i = 0; i < 10; i++) {
		(void)source_next(&s, &t_true); /* lost */
	}
	uint64_t ts = source_next(&s, &t_true);
	rt_guard_enter(RT_GUARD_CORE);
	assert_int_equal(aes67_dll_update(&dll, ts, &out), 0);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(out.missed, 10);
	assert_int_equal(out.relocked, 0);
	assert_true(fabs((double)(out.time_ns - START_NS) - t_true) <= 1.0);
	assert_true(fabs(out.error_ns) < 1.0);
	assert_float_equal(out.ppm, 50.0, 0.01);
	assert_true(dll.missed == 10);
	run(&dll, &s, 1000, 1000, &st);
	assert_true(st.max_abs_err_ns <= 1.0);
	assert_float_equal(aes67_dll_ppm(&dll), 50.0, 0.01);
}

/* A gap beyond AES67_DLL_MAX_GAP_PERIODS, or an event from the past, re-acquires the phase. */
static void test_relock(void **state)
{
	struct aes67_dll dll;
	struct aes67_dll_out out;
	struct source s = {.ppm = -150.0};
	struct run_stats st;

	(void)state;
	assert_int_equal(aes67_dll_init(&dll, PERIOD_NS, 1.0), 0);
	run(&dll, &s, 10000, 0, &st);
	uint64_t last = START_NS + (uint64_t)llround(s.true_ns);
	uint64_t far = last + 5000ull * 1000000u;
	assert_int_equal(aes67_dll_update(&dll, far, &out), 0);
	assert_int_equal(out.relocked, 1);
	assert_true(out.time_ns == far);
	assert_float_equal(out.ppm, -150.0, 0.01); /* the rate survives */
	assert_true(dll.relocks == 1);

	/* 0.8 periods early relative to the prediction: not the expected event. */
	uint64_t early = far + 200000u;
	assert_int_equal(aes67_dll_update(&dll, early, &out), 0);
	assert_int_equal(out.relocked, 1);
	assert_true(out.time_ns == early);
	assert_true(dll.relocks == 2);

	/* Back in step afterwards: the next exact period is tracked without a relock. */
	uint64_t next = early + (uint64_t)llround(PERIOD_NS * (1.0 - 150e-6));
	assert_int_equal(aes67_dll_update(&dll, next, &out), 0);
	assert_int_equal(out.relocked, 0);
	assert_int_equal(out.missed, 0);
	assert_true(fabs(out.error_ns) < 1.0);
}

/*
 * Filtered times never go backwards, even with jitter of 20% of the period and a wide loop; such
 * jitter stays inside the +-half-period window, so no event is mistaken for a gap.
 */
static void test_monotonic_under_heavy_jitter(void **state)
{
	struct aes67_dll dll;
	struct aes67_dll_out out;
	struct source s = {.ppm = 300.0, .jitter_ns = 200000.0};
	double t_true;
	uint64_t prev = 0;
	double ppm_sum = 0.0;

	(void)state;
	rng_state = 12345;
	assert_int_equal(aes67_dll_init(&dll, PERIOD_NS, 10.0), 0);
	for (int i = 0; i < 20000; i++) {
		assert_int_equal(aes67_dll_update(&dll, source_next(&s, &t_true), &out), 0);
		assert_int_equal(out.relocked, 0);
		assert_int_equal(out.missed, 0);
		assert_true(out.time_ns > prev);
		assert_true(out.next_ns > out.time_ns);
		prev = out.time_ns;
		ppm_sum += out.ppm;
	}
	/*
	 * A 10 Hz loop lets much of this jitter into the instantaneous rate (hundreds of ppm); its
	 * mean over the run is still right.
	 */
	assert_float_equal(ppm_sum / 20000.0, 300.0, 20.0);
}

static void test_reset(void **state)
{
	struct aes67_dll dll;
	struct aes67_dll_out out;
	struct source s = {.ppm = 200.0};
	struct run_stats st;

	(void)state;
	assert_int_equal(aes67_dll_init(&dll, PERIOD_NS, 1.0), 0);
	run(&dll, &s, 3000, 0, &st);
	assert_true(aes67_dll_ppm(&dll) > 100.0);
	rt_guard_enter(RT_GUARD_CORE);
	aes67_dll_reset(&dll);
	assert_int_equal(rt_guard_leave(), 0);
	assert_float_equal(aes67_dll_ppm(&dll), 0.0, 0.0);
	assert_int_equal(aes67_dll_update(&dll, 42, &out), 0);
	assert_true(out.time_ns == 42);
	assert_true(out.next_ns == 42 + 1000000u);
	assert_float_equal(dll.bandwidth_hz, 1.0, 0.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_refusals),
		cmocka_unit_test(test_period_helper),
		cmocka_unit_test(test_first_update_anchors),
		cmocka_unit_test(test_converge_plus_200ppm),
		cmocka_unit_test(test_converge_minus_200ppm),
		cmocka_unit_test(test_jitter_filtered_plus),
		cmocka_unit_test(test_jitter_filtered_minus),
		cmocka_unit_test(test_rate_step),
		cmocka_unit_test(test_gap_bridged),
		cmocka_unit_test(test_relock),
		cmocka_unit_test(test_monotonic_under_heavy_jitter),
		cmocka_unit_test(test_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
