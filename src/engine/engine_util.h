/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by the engine's front ends (aes67 send/recv, aes67d): parsing of packet
 * times, formats and numbers from text, and the interface choice. Cursor-free, allocation-free.
 */
#ifndef AES67D_ENGINE_UTIL_H
#define AES67D_ENGINE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"
#include "aes67/pcm.h"

/**
 * aes67d_parse_u64() - a decimal number, digits only, at most @max.
 * @text: the text. @max: largest value accepted. @out: receives it.
 * Return: 0 or -EINVAL (empty, not digits, too large). Thread: any.
 */
AES67_MUST_CHECK int aes67d_parse_u64(const char *text, uint64_t max, uint64_t *out);

/**
 * aes67d_parse_ptime() - a packet time: "125us", "250us", "333us", "1ms", "4ms" (also "0.125ms",
 * "1.088ms" and a bare number of microseconds). 333 µs means 1/3 ms (AES67-2018 §7.2).
 * @text: the text. @ptime_ns: receives the packet time in ns.
 * Return: 0 or -EINVAL. Thread: any.
 */
AES67_MUST_CHECK int aes67d_parse_ptime(const char *text, uint32_t *ptime_ns);

/**
 * aes67d_ptime_frames() - frames per packet: round(ptime × rate) (so 1 ms at 44.1 kHz is 44
 * and 1.088 ms is 48).
 * @ptime_ns: packet time. @rate_hz: rate. Return: frames (0 if the product rounds to 0).
 * Thread: any.
 */
uint32_t aes67d_ptime_frames(uint32_t ptime_ns, uint32_t rate_hz);

/**
 * aes67d_parse_format() - "L16", "L24", "L32", "AM824" (case-insensitive).
 * @text: the text. @out: receives it. Return: 0 or -EINVAL. Thread: any.
 */
AES67_MUST_CHECK int aes67d_parse_format(const char *text, enum aes67_pcm_format *out);

/* "L16", "L24", "L32", "AM824", or "?". Thread: any. */
const char *aes67d_format_name(enum aes67_pcm_format f);

/**
 * aes67d_pick_interface() - the interface to use: @given if not NULL, else the only usable
 * non-loopback interface when there is exactly one.
 * @given: the user's choice or NULL. @out: receives the name. @out_bytes: its size.
 * @err, @err_bytes: when none or several qualify: the reason and the list of choices.
 * Return: 0, -ENODEV. Thread: control.
 */
AES67_MUST_CHECK int aes67d_pick_interface(const char *given, char *out, size_t out_bytes,
					   char *err, size_t err_bytes);

#endif /* AES67D_ENGINE_UTIL_H */
