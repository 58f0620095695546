// SPDX-License-Identifier: MIT
/*
 * Pairing a source clock (CLOCK_REALTIME, or a PTP hardware clock) with CLOCK_MONOTONIC_RAW to
 * convert kernel timestamps (ptp_tsconv.h has the error budget).
 */
#include <errno.h>
#include <time.h>

#include "ptp_tsconv.h"

#define REALTIME_TRIES 3

static int read_ns(clockid_t id, int64_t *ns)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0) {
		return -errno;
	}
	*ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	return 0;
}

int aes67d_ptp_tsconv_sample_clock(struct aes67d_ptp_tsconv *c, clockid_t id, int tries)
{
	if (tries < 1) {
		return -EINVAL;
	}
	c->width_ns = INT64_MAX;
	c->rate_ppm = 0.0;
	for (int i = 0; i < tries; i++) {
		int64_t a = 0, src = 0, b = 0;
		int r;

		if ((r = read_ns(CLOCK_MONOTONIC_RAW, &a)) < 0 || (r = read_ns(id, &src)) < 0 ||
		    (r = read_ns(CLOCK_MONOTONIC_RAW, &b)) < 0) {
			return r;
		}
		if (b - a < c->width_ns) {
			c->width_ns = b - a;
			c->raw_ns = a + (b - a) / 2;
			c->src_ns = src;
		}
	}
	return 0;
}

int aes67d_ptp_tsconv_sample(struct aes67d_ptp_tsconv *c)
{
	return aes67d_ptp_tsconv_sample_clock(c, CLOCK_REALTIME, REALTIME_TRIES);
}

int64_t aes67d_ptp_tsconv_to_raw(const struct aes67d_ptp_tsconv *c, int64_t src_ns)
{
	int64_t d = src_ns - c->src_ns;

	if (c->rate_ppm == 0.0) {
		return c->raw_ns + d;
	}
	/* d is at most seconds here: d x rate (<= 1e-3) is exact enough in a double (< 1 ns). */
	return c->raw_ns + d + (int64_t)((double)d * c->rate_ppm * 1e-6);
}
