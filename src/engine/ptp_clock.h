/* SPDX-License-Identifier: MIT */
/*
 * The PTP back end of the media clock (clock.h, kind AES67D_CLOCK_PTP).
 *
 * The PTP thread owns the port and its servo; every other thread (TX/RX, control, the device
 * publisher) reads the result through this object: the mapping CLOCK_MONOTONIC_RAW -> PTP time
 * and the grandmaster followed. The PTP thread is the only writer (aes67d_ptp_clock_publish());
 * readers copy a latch-published snapshot (aes67/latch.h: two copies), so a reader never waits
 * for the writer, even one preempted mid-update, and never takes a lock: now_ns() and get_ref()
 * are RT-safe. The words are C11 atomics (relaxed inside the latch) so the pattern is also free
 * of data races in the C11 sense (ThreadSanitizer).
 */
#ifndef AES67D_PTP_CLOCK_H
#define AES67D_PTP_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "aes67/common.h"
#include "clock.h"

struct aes67d_ptp_clock;

/**
 * aes67d_ptp_clock_create() - a PTP clock with an initial mapping.
 * @out: receives the clock; release with aes67d_ptp_clock_base(c)->destroy(...).
 * @map: the mapping used until the first publish (e.g. the system CLOCK_TAI mapping: as
 *       grandmaster and before a master is found, PTP time is the host's TAI).
 * @domain: PTP domain reported by get_ref().
 * Return: 0 or -ENOMEM; -EINVAL for NULL. Thread: control.
 */
AES67_MUST_CHECK int aes67d_ptp_clock_create(struct aes67d_ptp_clock **out,
					     const struct aes67d_clock_map *map, uint8_t domain);

/**
 * aes67d_ptp_clock_base() - the generic clock interface of @c (name "ptp", kind PTP).
 * Thread: any.
 */
struct aes67d_clock *aes67d_ptp_clock_base(struct aes67d_ptp_clock *c);

/**
 * aes67d_ptp_clock_publish() - replace the mapping and the reference. Bumps the reference's
 * generation when gm_valid, gm_identity or domain differ from the last published ones.
 * @c: the clock. @map: new mapping (rate_ratio > 0). @ref: new reference (generation ignored).
 * Return: 1 when the generation changed (streams should be re-announced), else 0.
 * Thread: the single writer (PTP thread); lock-free, RT-safe.
 */
AES67_RT int aes67d_ptp_clock_publish(struct aes67d_ptp_clock *c,
				      const struct aes67d_clock_map *map,
				      const struct aes67d_clock_ref *ref);

/**
 * aes67d_ptp_clock_read() - a consistent copy of the mapping and the reference.
 * @c: the clock. @map, @ref: results (either may be NULL).
 * Return: 0, or -EAGAIN if AES67_LATCH_READ_TRIES half-updates ended during the read (a writer
 * publishing without pause; a preempted writer never causes it).
 * Thread: any; lock-free, RT-safe.
 */
AES67_MUST_CHECK AES67_RT int aes67d_ptp_clock_read(struct aes67d_ptp_clock *c,
						    struct aes67d_clock_map *map,
						    struct aes67d_clock_ref *ref);

#endif /* AES67D_PTP_CLOCK_H */
