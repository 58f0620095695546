/* SPDX-License-Identifier: MIT */
/*
 * Logging for aes67d, and the event ring that replaces logging on RT threads.
 *
 * Control-side code logs with aes67d_log() to stderr (--foreground) or syslog. Conditions that
 * can repeat per packet go through a rate limiter so a flood costs one line per interval plus a
 * "suppressed N" summary. RT threads never call any of the aes67d_log* functions: they push a
 * small event record with aes67d_events_push() (lock-free, built on the SPSC queue in cmdq.h)
 * and the main thread drains and logs them with aes67d_events_drain().
 */
#ifndef AES67D_LOG_H
#define AES67D_LOG_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "aes67/common.h"
#include "cmdq.h"

/* Levels use syslog's numbers so they map 1:1 onto it. */
enum aes67d_log_level {
	AES67D_LOG_ERR = 3,
	AES67D_LOG_WARNING = 4,
	AES67D_LOG_NOTICE = 5,
	AES67D_LOG_INFO = 6,
	AES67D_LOG_DEBUG = 7,
};

/**
 * aes67d_log_setup() - choose where log lines go and the most verbose level written.
 * @ident: program name used as prefix / syslog identity; must stay valid (static string).
 * @max_level: lines above this level (more verbose) are dropped.
 * @use_syslog: true to log to syslog (daemon mode), false for stderr.
 * Thread: control, before other threads start.
 */
void aes67d_log_setup(const char *ident, enum aes67d_log_level max_level, bool use_syslog);

/**
 * aes67d_log() - write one log line (a trailing newline is added).
 * @level: severity.
 * @fmt: printf format. Thread: any thread except RT threads.
 */
void aes67d_log(enum aes67d_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* As aes67d_log(), with a va_list. Thread: any except RT. */
void aes67d_log_v(enum aes67d_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Per-condition limiter: at most @burst lines per @interval_ns. Zero-initialise, then set both. */
struct aes67d_ratelimit {
	uint64_t interval_ns;
	uint32_t burst;
	uint64_t window_start_ns;
	uint32_t printed;
	uint32_t suppressed;
};

/**
 * aes67d_ratelimit_allow() - decide whether a rate-limited line may be written now.
 * @rl: the limiter of this condition (one per condition, not shared between threads).
 * @now_ns: current time in ns (any monotonic clock).
 * @suppressed_out: receives how many lines were dropped in the previous window (0 if none) when
 *                  a new window opens, so the caller can report it; may be NULL.
 *
 * Return: true if the line should be written. Thread: the one owning @rl.
 */
bool aes67d_ratelimit_allow(struct aes67d_ratelimit *rl, uint64_t now_ns, uint32_t *suppressed_out);

/**
 * aes67d_log_ratelimited() - aes67d_log() through a limiter; reports suppressed lines.
 * @rl: the limiter; @now_ns: current monotonic time in ns; @level, @fmt: as aes67d_log().
 * Thread: any except RT.
 */
void aes67d_log_ratelimited(struct aes67d_ratelimit *rl, uint64_t now_ns,
			    enum aes67d_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Event codes RT threads report. Append only; names in log.c. */
enum aes67d_event_code {
	AES67D_EV_NONE = 0,
	AES67D_EV_TX_LATE,	 /* a TX tick ran late; value = lateness in ns */
	AES67D_EV_TX_SEND_FAIL,	 /* sendmmsg failed; value = -errno */
	AES67D_EV_RX_LATE,	 /* packet for an already played position; value = frames late */
	AES67D_EV_RX_MALFORMED,	 /* packet refused by the parser; value = negative error code */
	AES67D_EV_RX_SEQ_GAP,	 /* sequence gap; value = packets missing */
	AES67D_EV_RING_UNDERRUN, /* device ring ran empty; value = frames */
	AES67D_EV_RING_OVERRUN,	 /* device ring overflowed; value = frames */
	AES67D_EV_CMD_REFUSED,	 /* RT thread could not apply a command; value = error */
	/* A receive stream re-anchored (stream_rx.h, enum aes67d_rx_resync_why in this order);
	 * value = change of the anchor, frames. */
	AES67D_EV_RX_RESYNC_ZERO,
	AES67D_EV_RX_RESYNC_FIRST,
	AES67D_EV_RX_RESYNC_PAIR,
	AES67D_EV_RX_RESYNC_BACK,
	AES67D_EV_END
};

/* One event record (fixed size, copied through the queue). */
struct aes67d_event {
	uint64_t time_ns; /* when it happened (the RT thread's clock, ns) */
	int64_t value;	  /* meaning depends on code */
	uint32_t code;	  /* enum aes67d_event_code */
	uint32_t stream;  /* stream or device index the event is about */
};

/* Event ring: one per RT thread (single producer = that thread, single consumer = main). */
struct aes67d_events {
	struct aes67d_cmdq q;
	atomic_uint_fast64_t dropped; /* events lost because the ring was full */
};

/**
 * aes67d_events_init() - set up an event ring over caller-owned storage.
 * @ev: the ring.
 * @storage: aes67d_cmdq_storage_bytes(sizeof(struct aes67d_event), @capacity) bytes; owned by
 *           the caller.
 * @storage_bytes: its size.
 * @capacity: events (power of two).
 *
 * Return: as aes67d_cmdq_init(). Thread: control, before sharing.
 */
AES67_MUST_CHECK int aes67d_events_init(struct aes67d_events *ev, void *storage,
					size_t storage_bytes, uint32_t capacity);

/**
 * aes67d_events_push() - report an event from an RT thread.
 * @ev: the ring of the calling thread.
 * @code: enum aes67d_event_code.
 * @stream: stream or device index.
 * @value: code-specific value.
 * @time_ns: time of the event in ns.
 *
 * Never blocks: when the ring is full the event is counted in ev->dropped and lost.
 * Return: 0, or -EAGAIN when it was dropped. Thread: rt (the ring's single producer).
 */
AES67_RT int aes67d_events_push(struct aes67d_events *ev, uint32_t code, uint32_t stream,
				int64_t value, uint64_t time_ns);

/**
 * aes67d_events_drain() - log every waiting event (and the count of dropped ones).
 * @ev: the ring.
 * @max: most events to handle in this call (bounds the time spent).
 *
 * Return: number of events handled. Thread: the ring's single consumer (main/control).
 */
unsigned aes67d_events_drain(struct aes67d_events *ev, unsigned max);

/**
 * aes67d_event_name() - short name of an event code ("tx-late"); "unknown" if out of range.
 * @code: enum aes67d_event_code. Return: static string. Thread: any.
 */
const char *aes67d_event_name(uint32_t code);

#endif /* AES67D_LOG_H */
