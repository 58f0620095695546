// SPDX-License-Identifier: MIT
/*
 * Pairing CLOCK_REALTIME with CLOCK_MONOTONIC_RAW to convert kernel software timestamps
 * (ptp_tsconv.h has the error budget).
 */
#include <errno.h>
#include <time.h>

#include "ptp_tsconv.h"

#define TRIES 3

static int read_ns(clockid_t id, int64_t *ns)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0) {
		return -errno;
	}
	*ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	return 0;
}

int aes67d_ptp_tsconv_sample(struct aes67d_ptp_tsconv *c)
{
	c->width_ns = INT64_MAX;
	for (int i = 0; i < TRIES; i++) {
		int64_t a = 0, rt = 0, b = 0;
		int r;

		if ((r = read_ns(CLOCK_MONOTONIC_RAW, &a)) < 0 ||
		    (r = read_ns(CLOCK_REALTIME, &rt)) < 0 ||
		    (r = read_ns(CLOCK_MONOTONIC_RAW, &b)) < 0) {
			return r;
		}
		if (b - a < c->width_ns) {
			c->width_ns = b - a;
			c->raw_ns = a + (b - a) / 2;
			c->rt_ns = rt;
		}
	}
	return 0;
}

int64_t aes67d_ptp_tsconv_to_raw(const struct aes67d_ptp_tsconv *c, int64_t rt_ns)
{
	return c->raw_ns + (rt_ns - c->rt_ns);
}
