// SPDX-License-Identifier: MIT
/*
 * The system CLOCK_TAI back end of the media clock (see clock.h).
 *
 * CLOCK_TAI is CLOCK_REALTIME plus the kernel's TAI offset, which only an NTP/PTP daemon sets
 * (adjtimex ADJ_TAI). On many hosts, this test bed included, it is 0 and CLOCK_TAI reads UTC.
 * Then we add AES67D_TAI_UTC_DEFAULT_S ourselves so RTP timestamps are derived from real TAI, as
 * a PTP-locked peer derives them (AES67-2018 §7.3 / RFC 7273 §5.2), and say so in the log. Any
 * other offset that is not a plausible leap-second count means the clock is misconfigured: we
 * refuse rather than stamp packets with nonsense.
 *
 * The mapping to CLOCK_MONOTONIC_RAW is sampled as raw/TAI/raw; the narrowest of a few tries is
 * kept and TAI is paired with the midpoint. The rate ratio is 1.0: this back end does not measure
 * NTP's slew of CLOCK_TAI against the raw oscillator (the PTP back end's servo will).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "aes67/error.h"
#include "clock.h"

#define NS_PER_S 1000000000LL
#define MAP_TRIES 5

struct system_clock {
	struct aes67d_clock base;
	int64_t correction_ns;
};

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * (uint64_t)NS_PER_S + (uint64_t)ts->tv_nsec;
}

int aes67d_clock_check_tai_offset(int64_t measured_ns, int64_t *correction_ns)
{
	const int64_t skew_ns = 1000000; /* two clock reads back to back: well under 1 ms */
	int64_t whole_s = (measured_ns + NS_PER_S / 2) / NS_PER_S;
	int64_t rest_ns = measured_ns - whole_s * NS_PER_S;

	if (measured_ns < -skew_ns || rest_ns > skew_ns || rest_ns < -skew_ns) {
		return -AES67_ERANGE;
	}
	if (whole_s == 0) {
		*correction_ns = (int64_t)AES67D_TAI_UTC_DEFAULT_S * NS_PER_S;
		return AES67D_TAI_KERNEL_ZERO;
	}
	if (whole_s < 10 || whole_s > 100) {
		return -AES67_ERANGE;
	}
	*correction_ns = 0;
	return AES67D_TAI_KERNEL_SET;
}

static int system_now_ns(struct aes67d_clock *clk, uint64_t *ptp_ns)
{
	struct system_clock *sc = AES67_CONTAINER_OF(clk, struct system_clock, base);
	struct timespec ts;

	if (clock_gettime(CLOCK_TAI, &ts) != 0) {
		return -errno;
	}
	*ptp_ns = ts_ns(&ts) + (uint64_t)sc->correction_ns;
	return 0;
}

static int system_get_map(struct aes67d_clock *clk, struct aes67d_clock_map *map)
{
	struct system_clock *sc = AES67_CONTAINER_OF(clk, struct system_clock, base);
	uint64_t best_width = UINT64_MAX;

	for (int i = 0; i < MAP_TRIES; i++) {
		struct timespec r0, t, r1;
		uint64_t a, b;

		if (clock_gettime(CLOCK_MONOTONIC_RAW, &r0) != 0 ||
		    clock_gettime(CLOCK_TAI, &t) != 0 ||
		    clock_gettime(CLOCK_MONOTONIC_RAW, &r1) != 0) {
			return -errno;
		}
		a = ts_ns(&r0);
		b = ts_ns(&r1);
		if (b - a < best_width) {
			best_width = b - a;
			map->mono_raw_ref_ns = a + (b - a) / 2;
			map->ptp_ref_ns = ts_ns(&t) + (uint64_t)sc->correction_ns;
		}
	}
	map->rate_ratio = 1.0;
	map->uncertainty_ns = best_width / 2;
	return 0;
}

static void system_destroy(struct aes67d_clock *clk)
{
	free(AES67_CONTAINER_OF(clk, struct system_clock, base));
}

int aes67d_clock_system_create(struct aes67d_clock **out, int *status)
{
	struct timespec rt, tai;
	int64_t correction_ns = 0;
	struct system_clock *sc;
	int r;

	if (clock_gettime(CLOCK_REALTIME, &rt) != 0 || clock_gettime(CLOCK_TAI, &tai) != 0) {
		return -errno;
	}
	r = aes67d_clock_check_tai_offset((int64_t)(ts_ns(&tai) - ts_ns(&rt)), &correction_ns);
	if (r < 0) {
		return r;
	}
	sc = calloc(1, sizeof(*sc));
	if (sc == NULL) {
		return -ENOMEM;
	}
	sc->base.name = "system-tai";
	sc->base.kind = AES67D_CLOCK_LOCALMAC;
	sc->base.now_ns = system_now_ns;
	sc->base.get_map = system_get_map;
	sc->base.destroy = system_destroy;
	sc->correction_ns = correction_ns;
	if (status != NULL) {
		*status = r;
	}
	*out = &sc->base;
	return 0;
}

uint64_t aes67d_clock_map_apply(const struct aes67d_clock_map *map, uint64_t mono_raw_ns)
{
	int64_t d = (int64_t)(mono_raw_ns - map->mono_raw_ref_ns);

	if (map->rate_ratio == 1.0) {
		return map->ptp_ref_ns + (uint64_t)d;
	}
	return map->ptp_ref_ns + (uint64_t)(int64_t)((double)d * map->rate_ratio);
}
