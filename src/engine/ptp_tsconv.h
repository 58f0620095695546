/* SPDX-License-Identifier: MIT */
/*
 * Conversion of kernel timestamps to CLOCK_MONOTONIC_RAW, the clock the PTP mapping runs over.
 *
 * Two kinds of timestamps need it, with one logic: a pairing of a source clock with
 * CLOCK_MONOTONIC_RAW, sampled as raw/source/raw read back to back, the narrowest of a few
 * tries kept, the source read paired with the midpoint of the two raw reads; then
 *   raw = pairing.raw + (src - pairing.src) x (1 + rate_ppm / 1e6).
 * - Software stamps are CLOCK_REALTIME, which NTP or an operator may step and slew. They are
 *   converted through a pairing taken right after the datagram was read (rate_ppm 0).
 * - Hardware stamps are the interface's PTP hardware clock (PHC), a free-running oscillator of
 *   its own. They are converted through a pairing refreshed periodically whose rate_ppm is
 *   measured from earlier pairings (ptp_phc.h has that tracking and its error bound).
 *
 * Error of a software stamp (docs/ptp.md): (a) the pairing's half-width, the uncertainty of
 * where inside the raw window the realtime read fell: typically 20-40 ns here (vDSO reads);
 * (b) the rate difference of the two clocks over the age of the timestamp at sampling time:
 * REALTIME is slewed by at most 500 ppm (adjtimex limit), and the age is the kernel->user
 * latency (~12 us on veth), so at most 6 ns, usually < 0.1 ns; (c) a step of CLOCK_REALTIME
 * between the packet and the sampling corrupts one timestamp (the servo's outlier gate drops it).
 */
#ifndef AES67D_PTP_TSCONV_H
#define AES67D_PTP_TSCONV_H

#include <stdint.h>
#include <time.h>

#include "aes67/common.h"

/* One pairing of a source clock with CLOCK_MONOTONIC_RAW. */
struct aes67d_ptp_tsconv {
	int64_t raw_ns;	  /* CLOCK_MONOTONIC_RAW, midpoint of the window */
	int64_t src_ns;	  /* the source clock read inside the window */
	int64_t width_ns; /* width of the raw window */
	/* How much faster CLOCK_MONOTONIC_RAW runs than the source, in ppm (0 for REALTIME). */
	double rate_ppm;
};

/**
 * aes67d_ptp_tsconv_sample_clock() - pair clock @id with CLOCK_MONOTONIC_RAW now (narrowest of
 * @tries windows, at least 1).
 * @c: result; rate_ppm is set to 0 (the caller may set a measured rate afterwards).
 * Return: 0, -EINVAL for @tries < 1, or -errno of clock_gettime (e.g. -EINVAL for the clock of
 * a closed PHC file descriptor). Thread: any (reads clocks; no allocation or locks).
 */
AES67_MUST_CHECK int aes67d_ptp_tsconv_sample_clock(struct aes67d_ptp_tsconv *c, clockid_t id,
						    int tries);

/**
 * aes67d_ptp_tsconv_sample() - pair CLOCK_REALTIME with CLOCK_MONOTONIC_RAW now (best of 3).
 * @c: result.
 * Return: 0 or -errno of clock_gettime. Thread: any (reads clocks; no allocation or locks).
 */
AES67_MUST_CHECK int aes67d_ptp_tsconv_sample(struct aes67d_ptp_tsconv *c);

/**
 * aes67d_ptp_tsconv_to_raw() - an instant of the source clock (@src_ns) as CLOCK_MONOTONIC_RAW
 * through @c and its rate_ppm (see the error budget above). Thread: any; pure, RT-safe.
 */
AES67_RT int64_t aes67d_ptp_tsconv_to_raw(const struct aes67d_ptp_tsconv *c, int64_t src_ns);

#endif /* AES67D_PTP_TSCONV_H */
