/* SPDX-License-Identifier: MIT */
/*
 * SDP for the engine's streams: the description of a transmit stream (AES67-2018 §8, RFC 7273
 * clock attributes) and receive parameters taken from a received description. Both sides use
 * the core's parser and generator (aes67/sdp.h); this file only maps fields.
 */
#ifndef AES67D_STREAM_SDP_H
#define AES67D_STREAM_SDP_H

#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"
#include "clock.h"
#include "net.h"
#include "stream_rx.h"
#include "stream_tx.h"

/**
 * aes67d_stream_sdp_tx() - write the SDP of a transmit stream.
 * @p: the stream's parameters (after creation: the SSRC chosen is not in the SDP).
 * @nif: the interface (origin address, and the MAC of a=ts-refclk:localmac=, the reference of
 *       the system-clock back end; RFC 7273 §4.8).
 * @sess_id: o= session id (e.g. NTP seconds at creation). @sess_version: o= version.
 * @buf: receives the text (CRLF lines, NUL-terminated). @cap_bytes: its size.
 * Same as aes67d_stream_sdp_tx_ref() with no reference (localmac).
 * Return: bytes written, -AES67_ENOSPACE, -EINVAL, -ENOMEM. Thread: control.
 */
AES67_MUST_CHECK int aes67d_stream_sdp_tx(const struct aes67d_tx_params *p,
					  const struct aes67d_net_if *nif, uint64_t sess_id,
					  uint64_t sess_version, char *buf, size_t cap_bytes);

/**
 * aes67d_stream_sdp_tx_ref() - aes67d_stream_sdp_tx() with the media clock's reference.
 * @p, @nif, @sess_id, @sess_version, @buf, @cap_bytes: as aes67d_stream_sdp_tx().
 * @ref: the reference of the clock the stream is timed by (struct aes67d_clock's get_ref), or
 *       NULL. With a known grandmaster (ref->gm_valid) the stream announces
 *       `a=ts-refclk:ptp=IEEE1588-2008:<GM EUI-64>:<domain>` (RFC 7273 §4.8, AES67-2018 §8.5);
 *       otherwise `a=ts-refclk:localmac=<nif MAC>` (the host's own clock).
 * Return: bytes written, -AES67_ENOSPACE, -EINVAL, -ENOMEM. Thread: control.
 */
AES67_MUST_CHECK int aes67d_stream_sdp_tx_ref(const struct aes67d_tx_params *p,
					      const struct aes67d_net_if *nif,
					      const struct aes67d_clock_ref *ref, uint64_t sess_id,
					      uint64_t sess_version, char *buf, size_t cap_bytes);

/**
 * aes67d_stream_sdp_rx() - receive parameters from an SDP text (first usable audio section).
 * @text: the SDP (hostile). @len_bytes: its length.
 * @p: in: defaults (name, link offset if not 0); out: group, port, source filter, format,
 *     rate, channels, frames per packet, payload type, mediaclk offset. The link offset is set
 *     to the default for the packet time when it was 0.
 * @err, @err_bytes: receive "line N: reason" or the reason the section is unusable.
 * Return: 0, or the parser's / aes67_sdp_media_check()'s error. Thread: control.
 */
AES67_MUST_CHECK int aes67d_stream_sdp_rx(const char *text, size_t len_bytes,
					  struct aes67d_rx_params *p, char *err, size_t err_bytes);

/**
 * aes67d_engine_private_ring() - a process-private device region (the CLI's stand-in for a
 * daemon device): aligned memory laid out with aes67_ring_init() and attached.
 * @ring: receives the view. @rate_hz, @play_channels, @capture_channels: geometry.
 * @capacity_frames: a power of two (AES67_RING_CAPACITY_MIN..MAX).
 * @mem: receives the memory to free() after the engine is gone.
 * Return: 0, -EINVAL, -ENOMEM. Thread: control.
 */
AES67_MUST_CHECK int aes67d_engine_private_ring(struct aes67_ring *ring, uint32_t rate_hz,
						uint32_t play_channels, uint32_t capture_channels,
						uint32_t capacity_frames, void **mem);

#endif /* AES67D_STREAM_SDP_H */
