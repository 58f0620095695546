/* SPDX-License-Identifier: MIT */
/*
 * Clock page: the daemon's mapping from CLOCK_MONOTONIC_RAW to PTP (TAI) time, published in the
 * shared device region so that any process (the ALSA plugin inside an application) can compute
 * "now in media frames" without asking the daemon (DESIGN.md, "One clock").
 *
 * Publication is a latch (aes67/latch.h): one writer thread (the daemon's PTP thread) and any
 * number of readers in any process; the values are kept twice and written one copy after the
 * other, so a reader always finds a whole copy and never waits for a writer that was preempted
 * mid-update (ABI 1 was a one-copy seqlock, whose readers then failed until the writer ran
 * again). Every word is an atomic accessed with relaxed ordering between acquire/release
 * fences, so the protocol is data-race free in the C11 model and clean under ThreadSanitizer.
 *
 * The mapping is
 *     ptp_ns = base_ptp_ns + floor((mono_ns - base_mono_ns) * (2^48 + rate_adj_q48) / 2^48)
 * i.e. rate_adj_q48 is (ptp rate / monotonic rate - 1) in units of 2^-48 (1 ppb is about
 * 281475). Fixed point rather than a double so that every process computes bit-identical
 * results and the resolution (3.6e-15) never limits a servo; the arithmetic uses 128-bit
 * intermediates. Media position (AES67-2018 §7.4 / RFC 7273 §5.2: the media clock counts
 * frames since the PTP epoch at the sample rate):
 *     frame = floor(ptp_ns * sample_rate / 1e9)
 *
 * Everything in this header is socket-free and clock-free: times come in as parameters.
 */
#ifndef AES67_CLOCK_PAGE_H
#define AES67_CLOCK_PAGE_H

#include <stdatomic.h>
#include <stdint.h>

#include "aes67/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* State of the PTP servo as published to clients. Values are ABI (append only). */
enum aes67_clock_state {
	AES67_CLOCK_FREERUN = 0,  /* no master: mapping is the monotonic clock (rate_adj 0) */
	AES67_CLOCK_LOCKING = 1,  /* a master is selected, the servo has not converged */
	AES67_CLOCK_LOCKED = 2,	  /* servo converged; offsets within the lock threshold */
	AES67_CLOCK_HOLDOVER = 3, /* master lost; mapping extrapolated from the last estimate */
};

/* Largest |rate_adj_q48| accepted: 1000 ppm, far beyond any real oscillator (IEEE 1588 §7.6). */
#define AES67_CLOCK_ADJ_MAX_Q48 ((int64_t)281474976711LL)

/* Plain (process-local) copy of the published values. */
struct aes67_clock_values {
	uint64_t base_mono_ns;	/* CLOCK_MONOTONIC_RAW at the base point, ns */
	uint64_t base_ptp_ns;	/* PTP (TAI) time at the base point, ns since the PTP epoch */
	int64_t rate_adj_q48;	/* (ptp rate / mono rate - 1) * 2^48 */
	uint32_t sample_rate;	/* media clock rate of the device, Hz */
	uint32_t state;		/* enum aes67_clock_state */
	uint8_t gm_identity[8]; /* grandmaster clockIdentity (IEEE 1588 §7.5.2.2) */
	uint8_t domain;		/* PTP domainNumber */
	uint8_t locked;		/* 1 when state == LOCKED and the offset is within bounds */
	uint64_t update_count;	/* set by aes67_clock_page_read(): number of writes so far */
};

/* Words of one copy of the page's values (clock_page.c packs them):
 *   0 base_mono_ns, 1 base_ptp_ns, 2 rate_adj_q48 (two's complement), 3 gm_identity (the 8
 *   identity bytes, copied with memcpy: byte order kept), 4 update_count,
 *   5 sample_rate | state << 32, 6 domain | locked << 32. */
#define AES67_CLOCK_PAGE_WORDS 7

/*
 * The shared page. Crosses the process boundary: layout pinned by static_asserts in
 * clock_page.c and by tests/data/ring/layout.golden. 128 bytes.
 */
struct aes67_clock_page {
	_Atomic uint64_t seq; /* the latch's sequence: 2 per write; 0: never published */
	_Atomic uint64_t copies[2 * AES67_CLOCK_PAGE_WORDS];
	uint8_t pad[8];
};

/**
 * aes67_clock_page_init() - zero a clock page (sequence 0: "never published").
 * @page: the page inside a region the caller owns.
 *
 * Thread: control (before the region is shared).
 */
AES67_API void aes67_clock_page_init(struct aes67_clock_page *page);

/**
 * aes67_clock_page_write() - publish new values.
 * @page: the shared page; only one thread may write a given page.
 * @v: values to publish; v->update_count is ignored (the page counts writes itself).
 *
 * Return: 0, -EINVAL if sample_rate is 0 or state unknown, -AES67_ERANGE if |rate_adj_q48| >
 * AES67_CLOCK_ADJ_MAX_Q48. Nothing is published on error. Thread: rt (the single writer).
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_clock_page_write(struct aes67_clock_page *page,
							       const struct aes67_clock_values *v);

/**
 * aes67_clock_page_read() - take a consistent snapshot.
 * @page: the shared page (may be written concurrently, from another process).
 * @out: receives the values and the update count.
 *
 * Retries a bounded number of times while an update is in progress; never sleeps.
 * Return: 0; -EAGAIN if no consistent snapshot was obtained (call again later);
 * -AES67_ENOTFOUND if nothing was ever published. Thread: any.
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_clock_page_read(const struct aes67_clock_page *page,
							      struct aes67_clock_values *out);

/**
 * aes67_clock_page_mono_to_ptp() - convert a monotonic time to PTP time with a snapshot.
 * @v: snapshot from aes67_clock_page_read() (untrusted: every value is range checked).
 * @mono_ns: CLOCK_MONOTONIC_RAW time, ns (before or after the base point).
 * @ptp_ns: receives the PTP time, ns.
 *
 * Return: 0; -AES67_ERANGE if rate_adj is out of range or the result does not fit in 64 bits.
 * Thread: any.
 */
AES67_API AES67_RT AES67_MUST_CHECK int
aes67_clock_page_mono_to_ptp(const struct aes67_clock_values *v, uint64_t mono_ns,
			     uint64_t *ptp_ns);

/**
 * aes67_clock_page_ptp_to_mono() - inverse of aes67_clock_page_mono_to_ptp().
 * @v: snapshot.
 * @ptp_ns: PTP time, ns.
 * @mono_ns: receives the smallest monotonic time whose PTP time is >= @ptp_ns (the instant to
 *           arm a timer for an event at @ptp_ns).
 *
 * Return: 0; -AES67_ERANGE on out-of-range rate or result. Thread: any.
 */
AES67_API AES67_RT AES67_MUST_CHECK int
aes67_clock_page_ptp_to_mono(const struct aes67_clock_values *v, uint64_t ptp_ns,
			     uint64_t *mono_ns);

/**
 * aes67_clock_page_ptp_to_frame() - media position of a PTP time.
 * @ptp_ns: PTP time, ns since the PTP epoch.
 * @sample_rate: frames per second (> 0).
 * @frame: receives floor(ptp_ns * sample_rate / 1e9), frames since the epoch.
 *
 * Return: 0; -EINVAL if sample_rate is 0 or above 1e9. Thread: any.
 */
AES67_API AES67_RT AES67_MUST_CHECK int
aes67_clock_page_ptp_to_frame(uint64_t ptp_ns, uint32_t sample_rate, uint64_t *frame);

/**
 * aes67_clock_page_frame_to_ptp() - first PTP ns at which a media frame has begun.
 * @frame: media position, frames since the epoch.
 * @sample_rate: frames per second (> 0).
 * @ptp_ns: receives ceil(frame * 1e9 / sample_rate), the smallest t with frame(t) >= @frame.
 *
 * Return: 0; -EINVAL on a bad rate; -AES67_ERANGE if the time does not fit. Thread: any.
 */
AES67_API AES67_RT AES67_MUST_CHECK int
aes67_clock_page_frame_to_ptp(uint64_t frame, uint32_t sample_rate, uint64_t *ptp_ns);

/**
 * aes67_clock_page_mono_to_frame() - "now in frames" from a monotonic time.
 * @v: snapshot (uses v->sample_rate).
 * @mono_ns: CLOCK_MONOTONIC_RAW time, ns.
 * @frame: receives the media position, frames since the PTP epoch.
 *
 * Return: 0 or the errors of the two conversions it chains. Thread: any.
 */
AES67_API AES67_RT AES67_MUST_CHECK int
aes67_clock_page_mono_to_frame(const struct aes67_clock_values *v, uint64_t mono_ns,
			       uint64_t *frame);

/**
 * aes67_clock_page_frame_to_mono() - monotonic instant at which a media frame begins.
 * @v: snapshot (uses v->sample_rate).
 * @frame: media position, frames since the PTP epoch.
 * @mono_ns: receives the smallest monotonic time whose frame is >= @frame (for timerfd).
 *
 * Return: 0 or the errors of the two conversions it chains. Thread: any.
 */
AES67_API AES67_RT AES67_MUST_CHECK int
aes67_clock_page_frame_to_mono(const struct aes67_clock_values *v, uint64_t frame,
			       uint64_t *mono_ns);

#ifdef __cplusplus
}
#endif

#endif /* AES67_CLOCK_PAGE_H */
