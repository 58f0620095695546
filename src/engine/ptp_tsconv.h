/* SPDX-License-Identifier: MIT */
/*
 * CLOCK_REALTIME -> CLOCK_MONOTONIC_RAW conversion of kernel software timestamps.
 *
 * SO_TIMESTAMPING software timestamps are CLOCK_REALTIME, which NTP (or an operator) may step
 * and slew; the PTP mapping is over CLOCK_MONOTONIC_RAW, which nothing steers. A timestamp is
 * converted with a pairing of the two clocks sampled right after it was read from the socket:
 * raw/realtime/raw read back to back, the narrowest of a few tries kept, realtime paired with
 * the midpoint of the two raw reads.
 *
 * Error this adds (docs/ptp.md): (a) the pairing's half-width, the uncertainty of where inside
 * the raw window the realtime read fell: typically 20-40 ns here (vDSO reads); (b) the rate
 * difference of the two clocks over the age of the timestamp at sampling time: REALTIME is
 * slewed by at most 500 ppm (adjtimex limit), and the age is the kernel->user latency (~12 us on
 * veth), so at most 6 ns, usually < 0.1 ns; (c) a step of CLOCK_REALTIME between the packet and
 * the sampling corrupts one timestamp (the servo's outlier gate removes it).
 */
#ifndef AES67D_PTP_TSCONV_H
#define AES67D_PTP_TSCONV_H

#include <stdint.h>

#include "aes67/common.h"

/* One pairing of the clocks. */
struct aes67d_ptp_tsconv {
	int64_t raw_ns;	  /* CLOCK_MONOTONIC_RAW, midpoint of the window */
	int64_t rt_ns;	  /* CLOCK_REALTIME read inside the window */
	int64_t width_ns; /* width of the raw window */
};

/**
 * aes67d_ptp_tsconv_sample() - pair the clocks now (best of 3 windows).
 * @c: result.
 * Return: 0 or -errno of clock_gettime. Thread: any (reads clocks; no allocation or locks).
 */
AES67_MUST_CHECK int aes67d_ptp_tsconv_sample(struct aes67d_ptp_tsconv *c);

/**
 * aes67d_ptp_tsconv_to_raw() - a CLOCK_REALTIME instant as CLOCK_MONOTONIC_RAW, through @c
 * (rate 1: see the error budget above). Thread: any; pure, RT-safe.
 */
AES67_RT int64_t aes67d_ptp_tsconv_to_raw(const struct aes67d_ptp_tsconv *c, int64_t rt_ns);

#endif /* AES67D_PTP_TSCONV_H */
