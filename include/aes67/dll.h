/* SPDX-License-Identifier: MIT */
/*
 * Delay-locked loop (DLL): estimates the true period of a stream of nominally periodic events
 * from noisy timestamps of those events.
 *
 * Used wherever a second clock meets the PTP media clock: a non-PTP RTP sender (its packets arrive
 * every N frames of *its* clock, timestamped on ours), a local sound card, a JACK graph. The
 * measured period divided by the nominal one is the rate ratio between the two clocks; the
 * variable-ratio resampler consumes it.
 *
 * The loop is the second-order, critically damped one described by Fons Adriaensen in "Using a
 * DLL to filter time" (2005); this is an independent implementation of that idea. Pure
 * arithmetic: no clock is read here, timestamps come in as parameters.
 */
#ifndef AES67_DLL_H
#define AES67_DLL_H

#include <stdint.h>

#include "aes67/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * DLL state. Treat as opaque; the fields are public only so that callers can embed the struct
 * (no allocation anywhere). Times are kept relative to base_ns so that doubles keep sub-ns
 * resolution however large the absolute timestamps become.
 */
struct aes67_dll {
	double nominal_period_ns; /* period the events are supposed to have */
	double bandwidth_hz;	  /* loop bandwidth */
	double b;		  /* phase gain, sqrt(2) * omega */
	double c;		  /* frequency gain, omega^2 */
	double period_ns;	  /* e2: current estimate of the true period */
	double t0_rel_ns;	  /* filtered time of the last event, relative to base_ns */
	double t1_rel_ns;	  /* predicted time of the next event, relative to base_ns */
	uint64_t base_ns;	  /* integer origin of t0/t1 */
	uint64_t updates;	  /* events accepted since init/reset */
	uint64_t missed;	  /* events inferred missing (gaps) since init/reset */
	uint64_t relocks;	  /* phase re-acquisitions after gaps too long to bridge */
	int locked;		  /* 0 until the first event has been seen */
};

/* Result of one update. */
struct aes67_dll_out {
	uint64_t time_ns; /* filtered time of this event */
	uint64_t next_ns; /* predicted (filtered) time of the next event */
	double period_ns; /* current period estimate */
	double ratio;	  /* period_ns / nominal period: > 1 when the events come slower */
	double ppm;	  /* (ratio - 1) * 1e6 */
	double error_ns;  /* raw timestamp minus its prediction (before filtering) */
	uint32_t missed;  /* events this update inferred as missing before this one */
	int relocked;	  /* 1 if the gap was too long and the phase was re-acquired */
};

/*
 * Beyond this many periods of silence the loop does not try to bridge a gap: the phase is
 * re-acquired at the new timestamp and the period estimate is kept (a clock's rate does not
 * change much while we were not looking, its phase relative to ours may have).
 */
#define AES67_DLL_MAX_GAP_PERIODS 1000u

/**
 * aes67_dll_init() - set up a DLL for events of a nominal period.
 * @dll: state to initialise (caller-owned).
 * @nominal_period_ns: nominal time between events in ns (e.g. 1e6 for 48 frames at 48 kHz; see
 *                     aes67_dll_period_ns()). Must be finite and > 0.
 * @bandwidth_hz: loop bandwidth in Hz, > 0. Must satisfy 2*pi*B*T < 1 (T = period in s): the loop
 *                is stable up to sqrt(2); we keep a margin.
 *
 * Wide bandwidth locks fast and follows rate changes quickly but passes more timestamp jitter
 * into the estimate; narrow bandwidth filters jitter hard but takes long to settle. A common
 * practice is to start wide and narrow down with aes67_dll_set_bandwidth() once locked.
 *
 * Return: 0, -EINVAL for a bad pointer or non-positive/non-finite value, -AES67_ERANGE when the
 * bandwidth is too wide for the period. Thread: any (touches only @dll).
 */
AES67_API AES67_MUST_CHECK int aes67_dll_init(struct aes67_dll *dll, double nominal_period_ns,
					      double bandwidth_hz);

/**
 * aes67_dll_period_ns() - nominal period of blocks of @frames at @rate_hz.
 * @frames: frames per event (block, packet).
 * @rate_hz: sample rate in frames per second; 0 yields 0.
 *
 * Return: the period in ns (1e9 * frames / rate_hz). Thread: any.
 */
AES67_API double aes67_dll_period_ns(uint32_t frames, uint32_t rate_hz);

/**
 * aes67_dll_set_bandwidth() - change the loop bandwidth, keeping phase and period.
 * @dll: initialised state.
 * @bandwidth_hz: new bandwidth, same limits as aes67_dll_init().
 *
 * Return: 0, -EINVAL or -AES67_ERANGE (state unchanged on error). Thread: the thread that owns
 * @dll. AES67_RT.
 */
AES67_API AES67_MUST_CHECK AES67_RT int aes67_dll_set_bandwidth(struct aes67_dll *dll,
								double bandwidth_hz);

/**
 * aes67_dll_reset() - forget phase and period; keep nominal period and bandwidth.
 * @dll: initialised state.
 *
 * The next update starts again from the nominal period. Thread: owner of @dll. AES67_RT.
 */
AES67_API AES67_RT void aes67_dll_reset(struct aes67_dll *dll);

/**
 * aes67_dll_update() - feed the timestamp of one event.
 * @dll: initialised state.
 * @timestamp_ns: time of the event on the measuring clock, in ns.
 * @out: filled with the filtered time, prediction and rate estimate (may be NULL).
 *
 * The first call after init/reset only anchors the phase (period = nominal). Afterwards each
 * event is compared with its prediction. An event that comes a whole number of periods late
 * (more than half a period past the prediction) is taken as following missing events: the
 * prediction is advanced by that many estimated periods, the missing count is reported, and the
 * loop is updated with the residual error. Gaps longer than AES67_DLL_MAX_GAP_PERIODS, or a
 * timestamp earlier than the previous filtered event, re-acquire the phase instead (period kept).
 *
 * Return: 0; -EINVAL for a NULL @dll. Thread: owner of @dll. AES67_RT (no allocation, locks or
 * clock reads).
 */
AES67_API AES67_MUST_CHECK AES67_RT int
aes67_dll_update(struct aes67_dll *dll, uint64_t timestamp_ns, struct aes67_dll_out *out);

/**
 * aes67_dll_ppm() - current rate estimate in parts per million.
 * @dll: initialised state.
 *
 * Return: (period / nominal - 1) * 1e6; 0 before the first event. Thread: owner. AES67_RT.
 */
AES67_API AES67_RT double aes67_dll_ppm(const struct aes67_dll *dll);

#ifdef __cplusplus
}
#endif

#endif /* AES67_DLL_H */
