/* SPDX-License-Identifier: MIT */
/*
 * Hardware timestamping for aes67d's PTP port: the choice between hardware and software
 * stamps, switching the interface to hardware stamping, and converting PTP hardware clock
 * (PHC) time to CLOCK_MONOTONIC_RAW.
 *
 * Choice (aes67d_ptp_ts_decide, a pure function of the ethtool ETHTOOL_GET_TS_INFO answer):
 * hardware only when the interface has a PHC (phc_index >= 0), stamps packets with it
 * (SOF_TIMESTAMPING_RAW_HARDWARE, _RX_HARDWARE, _TX_HARDWARE), can stamp transmitted packets
 * (HWTSTAMP_TX_ON) and has a receive filter that covers PTPv2 event messages of our transport
 * (Linux Documentation/networking/timestamping.rst §3.1; IEEE 1588-2008 Annex D/F). Every
 * refusal says which of these is missing.
 *
 * The interface's hardware stamping configuration (SIOCSHWTSTAMP) is one per device, shared by
 * every program using it. aes67d reads the current one first (SIOCGHWTSTAMP) and only widens it
 * (aes67d_ptp_hwts_merge): a receive filter already covering ours is kept, another PTPv2 filter
 * becomes PTP_V2_EVENT, anything else HWTSTAMP_FILTER_ALL; transmit stamping OFF becomes ON, ON
 * stays. One-step transmit (another program inserts stamps into Syncs) is refused: our two-step
 * Syncs would be rewritten. The configuration is left in place at exit, as ptp4l does: another
 * program may depend on it by then.
 *
 * PHC -> CLOCK_MONOTONIC_RAW (aes67d_ptp_phc_*): the PHC free-runs (or is steered by another
 * program) against the system oscillator, typically within +-100 ppm. The PTP thread samples
 * it every AES67D_PTP_PHC_REFRESH_NS (raw/PHC/raw, narrowest of a few: ptp_tsconv.h), keeps
 * the last samples and measures the rate between the newest and the oldest (baseline 1 s
 * growing to 8 s). A stamp converts through the newest sample and that rate. Error bound:
 *   half-width of the sample (w/2; clock_gettime on a PHC is a syscall plus a device read,
 *   ~1-5 us wide on PCIe NICs) + rate error x age, age <= 250 ms, rate error <=
 *   (w_new + w_old) / 2 / baseline: w = 2 us gives 2 ppm x 0.25 s = 500 ns at a 1 s baseline,
 *   62 ns at 8 s. Before the first second no rate is known: up to 100 ppm x 0.25 s = 25 us.
 * A sample further than AES67D_PTP_PHC_STEP_NS from the prediction (the PHC was stepped, e.g.
 * by another program) restarts the rate measurement and is counted in phc_steps.
 */
#ifndef AES67D_PTP_PHC_H
#define AES67D_PTP_PHC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <linux/ethtool.h>
#include <linux/net_tstamp.h>

#include "aes67/common.h"
#include "ptp_tsconv.h"

#define AES67D_PTP_TS_REASON_BYTES 160
#define AES67D_PTP_PHC_HISTORY 33		     /* 8 s of samples at 4/s, plus the newest */
#define AES67D_PTP_PHC_REFRESH_NS 250000000LL	     /* sampling period of the PHC */
#define AES67D_PTP_PHC_RATE_BASELINE_NS 1000000000LL /* shortest baseline for a rate */
#define AES67D_PTP_PHC_STEP_NS 50000LL		     /* prediction error taken as a step */
#define AES67D_PTP_PHC_MAX_WIDTH_NS 100000LL	     /* wider samples are discarded */

/* What the configuration asks for (`ptp.timestamping`). */
enum aes67d_ptp_ts_request {
	AES67D_PTP_TS_AUTO = 0, /* hardware when available, else software */
	AES67D_PTP_TS_SOFTWARE,
	AES67D_PTP_TS_HARDWARE, /* refuse to start without it */
};

/* What is in use. */
enum aes67d_ptp_ts_mode {
	AES67D_PTP_TSMODE_SOFTWARE = 1,
	AES67D_PTP_TSMODE_HARDWARE,
};

struct aes67d_ptp_ts_choice {
	enum aes67d_ptp_ts_mode mode;
	int phc_index;	     /* hardware: the PHC, /dev/ptpN; else -1 */
	uint32_t rx_filter;  /* hardware: the HWTSTAMP_FILTER_* we need */
	uint32_t rx_filters; /* hardware: the filters the interface offers (1 << filter) */
	char reason[AES67D_PTP_TS_REASON_BYTES];
};

/* PHC time tracked against CLOCK_MONOTONIC_RAW. */
struct aes67d_ptp_phc {
	int fd; /* /dev/ptpN; -1: closed */
	int index;
	clockid_t clock_id;
	struct aes67d_ptp_tsconv hist[AES67D_PTP_PHC_HISTORY]; /* ring, oldest at head */
	unsigned hist_n, hist_head;
	struct aes67d_ptp_tsconv map; /* newest sample, with the measured rate */
	bool map_valid;
	bool rate_valid;
	uint64_t steps;	       /* samples off the prediction by > AES67D_PTP_PHC_STEP_NS */
	uint64_t wide_samples; /* samples discarded as wider than AES67D_PTP_PHC_MAX_WIDTH_NS */
};

/**
 * aes67d_ptp_ts_mode_str() - "software" or "hardware". Thread: any.
 */
const char *aes67d_ptp_ts_mode_str(enum aes67d_ptp_ts_mode m);

/**
 * aes67d_ptp_ts_decide() - choose the timestamping mode.
 * @req: what the configuration asks for.
 * @info: the interface's ETHTOOL_GET_TS_INFO answer; NULL when the query failed.
 * @query_err: -errno of that failed query (ignored when @info is not NULL).
 * @layer2: the transport is IEEE 802.3 (Annex F); else UDP/IPv4 (Annex D).
 * @out: the mode, the filter to ask for, and the reason in words, e.g. "interface has no PTP
 * hardware clock" (software) or "PTP hardware clock /dev/ptp0, receive filter PTP_V2_L4_EVENT".
 * Return: 0, or -EOPNOTSUPP when @req is HARDWARE and hardware stamping is not available
 * (@out->reason says why; @out->mode is then software). Thread: any; pure.
 */
AES67_MUST_CHECK int aes67d_ptp_ts_decide(enum aes67d_ptp_ts_request req,
					  const struct ethtool_ts_info *info, int query_err,
					  bool layer2, struct aes67d_ptp_ts_choice *out);

/**
 * aes67d_ptp_hwts_merge() - the interface configuration to set so that both its current users
 * (@cur) and we (@want_filter, transmit ON) are served, widening only (see above).
 * @supported: the interface's rx_filters bit mask (1 << HWTSTAMP_FILTER_*).
 * @out: the configuration to write with SIOCSHWTSTAMP (flags kept from @cur).
 * Return: 0 when @cur already serves us (write nothing), 1 when @out must be written, or
 * -EBUSY when the two cannot be combined (one-step transmit, or no filter covering both is
 * supported). Thread: any; pure.
 */
AES67_MUST_CHECK int aes67d_ptp_hwts_merge(const struct hwtstamp_config *cur, uint32_t want_filter,
					   uint32_t supported, bool layer2,
					   struct hwtstamp_config *out);

/**
 * aes67d_ptp_hwts_enable() - switch @ifname to hardware stamping for @c (SIOCGHWTSTAMP, merge,
 * SIOCSHWTSTAMP, and check what the driver actually set).
 * @err: the failing step, e.g. "SIOCSHWTSTAMP: Operation not permitted". @err_bytes: its size.
 * Return: 0, -EBUSY (conflict with the current configuration), or -errno of the ioctl
 * (-EPERM: needs CAP_NET_ADMIN). Thread: control.
 */
AES67_MUST_CHECK int aes67d_ptp_hwts_enable(const char *ifname,
					    const struct aes67d_ptp_ts_choice *c, bool layer2,
					    char *err, size_t err_bytes);

/**
 * aes67d_ptp_phc_open() - open /dev/ptp@index read-only and take the first sample.
 * @p: result (caller-owned); p->fd is -1 on failure. Return: 0 or -errno. Thread: control.
 */
AES67_MUST_CHECK int aes67d_ptp_phc_open(struct aes67d_ptp_phc *p, int index);

/**
 * aes67d_ptp_phc_close() - close the PHC (idempotent). Thread: the owner.
 */
void aes67d_ptp_phc_close(struct aes67d_ptp_phc *p);

/**
 * aes67d_ptp_phc_refresh() - sample the PHC against CLOCK_MONOTONIC_RAW and track it (every
 * AES67D_PTP_PHC_REFRESH_NS). Return: 0, -EAGAIN (sample too wide, discarded) or -errno of
 * clock_gettime. Thread: the owner (PTP thread; a syscall, no allocation or locks).
 */
AES67_MUST_CHECK int aes67d_ptp_phc_refresh(struct aes67d_ptp_phc *p);

/**
 * aes67d_ptp_phc_track() - add one raw/PHC pairing @s to the tracking: step detection, history,
 * rate. Return: 0, or -EAGAIN when @s is wider than AES67D_PTP_PHC_MAX_WIDTH_NS (ignored).
 * Thread: the owner; pure, RT-safe.
 */
AES67_RT AES67_MUST_CHECK int aes67d_ptp_phc_track(struct aes67d_ptp_phc *p,
						   const struct aes67d_ptp_tsconv *s);

/**
 * aes67d_ptp_phc_to_raw() - a PHC instant as CLOCK_MONOTONIC_RAW through the newest sample and
 * the measured rate; 0 when nothing was sampled yet. Thread: the owner; pure, RT-safe.
 */
AES67_RT int64_t aes67d_ptp_phc_to_raw(const struct aes67d_ptp_phc *p, int64_t phc_ns);

#endif /* AES67D_PTP_PHC_H */
