/* SPDX-License-Identifier: MIT */
/*
 * The media clock interface of aes67d.
 *
 * AES67-2018 §5 / RFC 7273: the media clock is PTP time (TAI, ns since the PTP epoch) counted in
 * frames. Every part of the daemon asks one struct aes67d_clock for "now" and for the mapping
 * between PTP time and CLOCK_MONOTONIC_RAW, which the clock page publishes to the ALSA plugin.
 * Back ends embed struct aes67d_clock and are reached with AES67_CONTAINER_OF (the pattern of
 * linuxptp's servo.h). The first back end reads the system's CLOCK_TAI; the PTP back end will
 * replace it. With this one the SDP is to announce `a=ts-refclk:localmac=<mac>` (RFC 7273 §4.8),
 * because the reference is this host's own clock, not a PTP grandmaster.
 */
#ifndef AES67D_CLOCK_H
#define AES67D_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "aes67/common.h"

/* ptp_ns = ptp_ref_ns + (mono_raw_ns - mono_raw_ref_ns) * rate_ratio */
struct aes67d_clock_map {
	uint64_t mono_raw_ref_ns; /* CLOCK_MONOTONIC_RAW at the reference point */
	uint64_t ptp_ref_ns;	  /* PTP (TAI) time at the same point */
	double rate_ratio;	  /* PTP seconds per MONOTONIC_RAW second (1.0 = no drift known) */
	uint64_t uncertainty_ns;  /* half-width of the sampling window the mapping came from */
};

enum aes67d_clock_kind {
	AES67D_CLOCK_LOCALMAC = 1, /* the host's own clock: ts-refclk:localmac */
	AES67D_CLOCK_PTP = 2,	   /* a PTP grandmaster: ts-refclk:ptp=IEEE1588-2008:... */
};

/* The reference a clock follows, for SDP a=ts-refclk (RFC 7273 §4.8; AES67-2018 §8.5). */
struct aes67d_clock_ref {
	bool gm_valid;		/* a grandmaster is known (PTP back end) */
	uint8_t gm_identity[8]; /* its clockIdentity (IEEE 1588-2008 §7.5.2.2) */
	uint8_t domain;		/* PTP domainNumber */
	bool locked;		/* the servo is locked to it (or we are the grandmaster) */
	uint32_t generation;	/* changes whenever gm_valid, gm_identity or domain change:
				 * a changed value means "re-announce the streams" */
};

struct aes67d_clock {
	const char *name;
	enum aes67d_clock_kind kind;
	/* The reference followed, or NULL for back ends without one (LOCALMAC). Return 0 or
	 * negative error. Thread: any; rt-safe (PTP back end: lock-free seqlock read). */
	int (*get_ref)(struct aes67d_clock *clk, struct aes67d_clock_ref *ref);
	/* PTP time now, ns. Return 0 or negative error. Thread: any; rt-safe. */
	int (*now_ns)(struct aes67d_clock *clk, uint64_t *ptp_ns);
	/* Current mapping to CLOCK_MONOTONIC_RAW. Return 0 or negative error. Thread: control. */
	int (*get_map)(struct aes67d_clock *clk, struct aes67d_clock_map *map);
	/* Release the back end. Thread: control. */
	void (*destroy)(struct aes67d_clock *clk);
};

/* What aes67d_clock_check_tai_offset() concluded. */
enum aes67d_tai_status {
	AES67D_TAI_KERNEL_SET = 0, /* the kernel knows the TAI-UTC offset: CLOCK_TAI is TAI */
	AES67D_TAI_KERNEL_ZERO, /* offset 0: kernel never told; we add the default leap seconds */
};

/* TAI - UTC since 2017-01-01 (IERS Bulletin C); used when the kernel's TAI offset is 0. */
#define AES67D_TAI_UTC_DEFAULT_S 37

/**
 * aes67d_clock_check_tai_offset() - judge a measured CLOCK_TAI - CLOCK_REALTIME offset.
 * @measured_ns: CLOCK_TAI minus CLOCK_REALTIME, ns (read back to back).
 * @correction_ns: receives what the system back end adds to CLOCK_TAI to get TAI: 0 when the
 *                 kernel offset is set, AES67D_TAI_UTC_DEFAULT_S s when it is 0.
 *
 * A sane offset is a whole number of seconds (±1 ms of reading skew) that is either 0 or in
 * 10..100 s (TAI-UTC was 10 s in 1972 and 37 s since 2017).
 * Return: enum aes67d_tai_status (>= 0), or -AES67_ERANGE if the offset is not sane.
 * Thread: any.
 */
AES67_MUST_CHECK int aes67d_clock_check_tai_offset(int64_t measured_ns, int64_t *correction_ns);

/**
 * aes67d_clock_system_create() - the CLOCK_TAI back end.
 * @out: receives the clock; release with (*out)->destroy(*out).
 * @status: receives the enum aes67d_tai_status found; may be NULL.
 *
 * Return: 0, -ENOMEM, -errno from clock_gettime, or -AES67_ERANGE if CLOCK_TAI's offset from
 * CLOCK_REALTIME is not sane. Thread: control.
 */
AES67_MUST_CHECK int aes67d_clock_system_create(struct aes67d_clock **out, int *status);

/**
 * aes67d_clock_map_apply() - convert a MONOTONIC_RAW time to PTP time with a mapping.
 * @map: the mapping. @mono_raw_ns: the time, ns.
 * Return: PTP ns. Thread: any; rt-safe.
 */
AES67_RT uint64_t aes67d_clock_map_apply(const struct aes67d_clock_map *map, uint64_t mono_raw_ns);

#endif /* AES67D_CLOCK_H */
