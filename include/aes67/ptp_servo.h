/* SPDX-License-Identifier: MIT */
/*
 * PTP servo: keeps PTP time as a mapping over the local monotonic clock.
 *
 *   ptp_ns = base_ptp + (mono - base_mono) * (1 + rate)
 *
 * The daemon feeds CLOCK_MONOTONIC_RAW timestamps of received Syncs (t2) and sent Delay_Reqs
 * (t3) with the master's times (t1, t4); the servo never reads a clock and never steers the
 * system clock. Each accepted Sync updates a two-state Kalman filter (phase, rate) anchored at
 * t2. With a wide initial rate uncertainty the second sample yields the two-sample frequency
 * estimate (like linuxptp's first servo phase) and the gains then narrow as evidence builds up,
 * down to a floor set by the assumed frequency wander: fast lock, then heavy averaging.
 *
 * E2E mean path delay (IEEE 1588-2008 §11.3): ((t2 - t1) + (t4 - t3)) / 2, computed as
 * ((t4 - t1) - (t3 - t2) * (1 + rate)) / 2 so that the mapping's offset cancels; a sample
 * farther than gate_min_ns from the median of the last few is a lone outlier, the rest are
 * averaged (running mean, then exponential).
 *
 * Corrections (§11.3.2, §11.2): the caller passes t1 = originTimestamp (or Follow_Up's
 * preciseOriginTimestamp) + correctionField of Sync (+ of Follow_Up), and t4 = Delay_Resp's
 * receiveTimestamp - its correctionField, all in ns (aes67_ptp_correction_ns()).
 */
#ifndef AES67_PTP_SERVO_H
#define AES67_PTP_SERVO_H

#include <stdbool.h>
#include <stdint.h>

#include "aes67/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AES67_PTP_SERVO_DELAY_WINDOW_MAX 15
/* Rejected samples remembered for re-acquisition (the latest ones of a longer run). */
#define AES67_PTP_SERVO_OUTLIER_RUN_MAX 16

struct aes67_ptp_servo_config {
	/* |offset| above this re-anchors the mapping instead of slewing. Default 1 ms. */
	int64_t step_threshold_ns;
	/* Expected rms noise of one offset measurement; the filter adapts from here. Default
	 * 1 us (software timestamps). */
	double noise_ns;
	/* Assumed frequency wander of the local oscillator, ppb per sqrt(s): sets how narrow the
	 * filter becomes. Default 0.5. */
	double wander_ppb;
	/* Largest believable rate difference; the rate estimate is clamped to it. Default 500. */
	double max_rate_ppm;
	/* A sample whose offset is outside max(gate_min_ns, gate_sigma * predicted sigma) is an
	 * outlier. Defaults 5 sigma, 10 us. */
	double gate_sigma;
	int64_t gate_min_ns;
	/* After this many consecutive outliers the next one is believed: the run of rejected
	 * samples (the last AES67_PTP_SERVO_OUTLIER_RUN_MAX of it) and this one are fitted with a
	 * line, whose value and slope re-acquire phase and rate (or step). Default 4. */
	unsigned outlier_max;
	/* Median window for path delay samples (odd, 1..15). Default 5. A delay sample farther
	 * than gate_min_ns from the median is not averaged. */
	unsigned delay_window;
	/* Weight of a new (median) delay in the delay average once more than 1/w samples were
	 * seen (before that: plain running mean), 0 < w <= 1. Default 1/64 (8 s at 8/s). */
	double delay_weight;
	/* Locked after lock_samples consecutive |offset| < lock_ns; unlocked after
	 * unlock_samples consecutive |offset| > unlock_ns, after 2 x lock_samples consecutive
	 * |offset| >= lock_ns (a lasting error inside the hysteresis band is not lock), or on a
	 * step or re-acquisition. Defaults 16 x 5 us, 4 x 50 us. */
	int64_t lock_ns;
	unsigned lock_samples;
	int64_t unlock_ns;
	unsigned unlock_samples;
	/* A filter trained on Syncs before the path delay was known (aes67_ptp_servo_train())
	 * whose last lock_samples residuals were all within lock_ns locks after this many
	 * consecutive good samples with the delay known. Default 3; 0 or more than lock_samples
	 * means lock_samples (no shortcut). */
	unsigned confirm_samples;
};

/* What a Sync sample did. */
enum aes67_ptp_servo_result {
	AES67_PTP_SERVO_WAIT = 0, /* stored; no path delay yet, nothing to steer */
	AES67_PTP_SERVO_ACCEPTED, /* filter updated */
	AES67_PTP_SERVO_OUTLIER,  /* rejected by the gate */
	AES67_PTP_SERVO_STEPPED,  /* mapping re-anchored (first sample, or |offset| > threshold) */
};

struct aes67_ptp_servo_status {
	bool valid; /* a mapping exists */
	bool locked;
	int64_t offset_ns; /* mapping minus master (before update) at the last sample used */
	double rate_ppm;   /* mapping rate minus 1, in ppm (+: local clock slow) */
	int64_t mean_path_delay_ns;
	int64_t lock_mono_ns; /* t2 of the sample that declared lock (valid when locked) */
	double sigma_ns;      /* filter's 1-sigma phase uncertainty after the last update */
	uint32_t samples, outliers, steps, delay_samples, delay_outliers;
	uint32_t reacquired;	/* re-acquisitions from a run of outliers */
	uint32_t rate_reopened; /* rate uncertainty re-opened on one-sided innovations */
};

/* Caller-owned servo state; members are private to ptp_servo.c. */
struct aes67_ptp_servo {
	struct aes67_ptp_servo_config cfg;
	bool have_sync, have_delay, valid, locked;
	int64_t t1_ns, t2_ns; /* last Sync */
	int64_t base_mono_ns, base_ptp_ns;
	double base_frac_ns, rate;
	double p00, p01, p11; /* covariance of (phase ns, rate) */
	double r_ns2;	      /* measurement noise variance estimate */
	/* Delay samples kept as (t4 - t1) - (t3 - t2) and t3 - t2, so that the delay can be
	 * re-evaluated with the current rate: delay = (diff - local * rate) / 2. */
	int64_t delay_diff_ns[AES67_PTP_SERVO_DELAY_WINDOW_MAX];
	int64_t delay_local_ns[AES67_PTP_SERVO_DELAY_WINDOW_MAX];
	unsigned delay_n, delay_pos;
	double delay_diff_avg_ns, delay_local_avg_ns;
	unsigned outlier_run, good_run, bad_run, out_run;
	/* The current run of rejected samples: t2 and innovation against the unchanged model. */
	int64_t run_t_ns[AES67_PTP_SERVO_OUTLIER_RUN_MAX];
	double run_y_ns[AES67_PTP_SERVO_OUTLIER_RUN_MAX];
	/* Exponential mean of accepted innovations: a lasting one-sided mean is a rate change of
	 * the master that the narrowed filter would follow only slowly (see ptp_servo.c). */
	double innov_mean_ns;
	unsigned drift_run; /* samples in a row with that mean beyond its threshold */
	uint32_t reacquired, rate_reopened;
	unsigned delay_run; /* good samples in a row since the path delay is known */
	int64_t offset_ns, lock_mono_ns;
	uint32_t samples, outliers, steps, delay_samples, delay_outliers;
};

/**
 * aes67_ptp_servo_config_init() - fill @cfg with the documented defaults. Thread: any.
 */
AES67_API void aes67_ptp_servo_config_init(struct aes67_ptp_servo_config *cfg);

/**
 * aes67_ptp_servo_init() - prepare a servo (caller-owned memory, no allocation).
 * @s:   the servo.
 * @cfg: configuration, copied; NULL for defaults.
 *
 * Return: 0, or -EINVAL for an out-of-range field. Thread: control.
 */
AES67_API AES67_MUST_CHECK int aes67_ptp_servo_init(struct aes67_ptp_servo *s,
						    const struct aes67_ptp_servo_config *cfg);

/**
 * aes67_ptp_servo_reset() - forget the mapping and all history (e.g. new master). Thread: the
 * servo's owner. RT-safe.
 */
AES67_API AES67_RT void aes67_ptp_servo_reset(struct aes67_ptp_servo *s);

/**
 * aes67_ptp_servo_sync() - feed one Sync exchange.
 * @s:          the servo.
 * @t1_ptp_ns:  master's origin time incl. corrections (PTP timescale, ns).
 * @t2_mono_ns: local receive time (monotonic ns); must increase from call to call.
 *
 * Return: an enum aes67_ptp_servo_result, -EINVAL when t2 does not increase, -AES67_ERANGE
 * for a time outside [0, 2^62) ns. Thread: the servo's owner (PTP thread). RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int aes67_ptp_servo_sync(struct aes67_ptp_servo *s,
							     int64_t t1_ptp_ns, int64_t t2_mono_ns);

/**
 * aes67_ptp_servo_train() - feed a Sync exchange before any path delay is known (training).
 * @s, @t1_ptp_ns, @t2_mono_ns: as aes67_ptp_servo_sync().
 *
 * For a master that is still being qualified (IEEE 1588-2008 §9.3.2.5: LISTENING, nothing is
 * adopted yet): the filter runs with a path delay of 0, so rate and phase converge (the phase
 * is off by the constant path delay). When the first delay sample arrives the mapping is moved
 * by the delay measured, and lock needs only cfg.confirm_samples more good samples if the
 * trained residuals already met the lock criterion. Once a delay is known this is
 * aes67_ptp_servo_sync(). The caller resets the servo if it selects another master.
 * Return: as aes67_ptp_servo_sync(). Thread: the servo's owner. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int
aes67_ptp_servo_train(struct aes67_ptp_servo *s, int64_t t1_ptp_ns, int64_t t2_mono_ns);

/**
 * aes67_ptp_servo_delay() - feed one Delay_Req/Delay_Resp exchange; pairs it with the last Sync.
 * @s:          the servo.
 * @t3_mono_ns: local transmit time of the Delay_Req (monotonic ns).
 * @t4_ptp_ns:  master's receive time incl. correction (PTP timescale, ns).
 *
 * Return: 0 (also when the sample was set aside as an outlier, see status.delay_outliers),
 * -AES67_ENOTFOUND when no Sync was seen yet, -AES67_ERANGE for a path delay outside +-1 s or
 * a time outside [0, 2^62) ns. Thread: the servo's owner. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int
aes67_ptp_servo_delay(struct aes67_ptp_servo *s, int64_t t3_mono_ns, int64_t t4_ptp_ns);

/**
 * aes67_ptp_servo_map() - PTP time at a monotonic instant, from the current mapping.
 * @s:       the servo.
 * @mono_ns: monotonic ns.
 * @ptp_ns:  result (PTP timescale, ns).
 *
 * Return: 0, or -EAGAIN while there is no mapping. Thread: the servo's owner. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int aes67_ptp_servo_map(const struct aes67_ptp_servo *s,
							    int64_t mono_ns, int64_t *ptp_ns);

/**
 * aes67_ptp_servo_status() - the servo's outputs. Thread: the servo's owner. RT-safe.
 */
AES67_API AES67_RT void aes67_ptp_servo_status(const struct aes67_ptp_servo *s,
					       struct aes67_ptp_servo_status *st);

#ifdef __cplusplus
}
#endif

#endif /* AES67_PTP_SERVO_H */
