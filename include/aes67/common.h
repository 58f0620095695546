/* SPDX-License-Identifier: MIT */
/*
 * Common definitions for libaes67: attributes, the real-time marker and small helpers that every
 * module uses. Kept tiny on purpose: no module depends on another through this header.
 */
#ifndef AES67_COMMON_H
#define AES67_COMMON_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Public symbols of the shared objects (the core is built with -fvisibility=hidden). */
#define AES67_API __attribute__((visibility("default")))

/* A function that can fail: callers must look at the result. */
#define AES67_MUST_CHECK __attribute__((warn_unused_result))

/*
 * Marks a function that may be called on a real-time path (TX/RX threads, ALSA period
 * callbacks). Such a function does not allocate, lock, log or block. The RT guard test build
 * (tests/support/rt_guard.h) proves it for the functions the suites exercise.
 */
#define AES67_RT

#define AES67_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define AES67_CONTAINER_OF(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* Size of a cache line on the machines we run on; used to keep SPSC indices apart. */
#define AES67_CACHELINE_BYTES 64

#ifdef __cplusplus
}
#endif

#endif /* AES67_COMMON_H */
