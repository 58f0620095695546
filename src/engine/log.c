// SPDX-License-Identifier: MIT
/*
 * Daemon logging (see log.h). Each line is formatted into a local buffer first and written with
 * one call, so lines from the main and control threads never interleave mid-line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

#define LOG_LINE_BYTES 1024

static const char *log_ident = "aes67d";
static atomic_int log_max_level = AES67D_LOG_NOTICE;
static atomic_bool log_to_syslog;

static const char *const level_names[] = {
	[AES67D_LOG_ERR] = "error",	[AES67D_LOG_WARNING] = "warning",
	[AES67D_LOG_NOTICE] = "notice", [AES67D_LOG_INFO] = "info",
	[AES67D_LOG_DEBUG] = "debug",
};

static const char *const event_names[] = {
	[AES67D_EV_NONE] = "none",
	[AES67D_EV_TX_LATE] = "tx-late",
	[AES67D_EV_TX_SEND_FAIL] = "tx-send-failed",
	[AES67D_EV_RX_LATE] = "rx-late",
	[AES67D_EV_RX_MALFORMED] = "rx-malformed",
	[AES67D_EV_RX_SEQ_GAP] = "rx-sequence-gap",
	[AES67D_EV_RING_UNDERRUN] = "ring-underrun",
	[AES67D_EV_RING_OVERRUN] = "ring-overrun",
	[AES67D_EV_CMD_REFUSED] = "command-refused",
	[AES67D_EV_RX_RESYNC_ZERO] = "rx-resync-to-sender-clock",
	[AES67D_EV_RX_RESYNC_FIRST] = "rx-resync-first-packet",
	[AES67D_EV_RX_RESYNC_PAIR] = "rx-resync-two-candidates",
	[AES67D_EV_RX_RESYNC_BACK] = "rx-resync-back-to-sender-clock",
};

static_assert(AES67_ARRAY_SIZE(event_names) == AES67D_EV_END, "every event code needs a name");

/*
 * The level of an event's line: the expected ways a receive stream finds its anchor (on its first
 * packet, or on the sender's own timestamps) are notices; everything else means audio was or may
 * have been affected, a warning.
 */
static enum aes67d_log_level event_level(uint32_t code)
{
	switch (code) {
	case AES67D_EV_RX_RESYNC_ZERO:
	case AES67D_EV_RX_RESYNC_FIRST:
		return AES67D_LOG_NOTICE;
	default:
		return AES67D_LOG_WARNING;
	}
}

void aes67d_log_setup(const char *ident, enum aes67d_log_level max_level, bool use_syslog)
{
	log_ident = ident != NULL ? ident : "aes67d";
	atomic_store(&log_max_level, (int)max_level);
	atomic_store(&log_to_syslog, use_syslog);
	if (use_syslog) {
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
}

void aes67d_log_v(enum aes67d_log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_BYTES];
	int n, lv = (int)level;

	if (lv > atomic_load(&log_max_level)) {
		return;
	}
	if (lv < AES67D_LOG_ERR || lv > AES67D_LOG_DEBUG) {
		lv = AES67D_LOG_ERR;
	}
	if (atomic_load(&log_to_syslog)) {
		vsyslog(lv, fmt, ap);
		return;
	}
	n = snprintf(line, sizeof(line), "%s: %s: ", log_ident, level_names[lv]);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		return;
	}
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	/* One write per line; a line longer than the buffer is cut, never split. */
	fprintf(stderr, "%s\n", line);
}

void aes67d_log(enum aes67d_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	aes67d_log_v(level, fmt, ap);
	va_end(ap);
}

bool aes67d_ratelimit_allow(struct aes67d_ratelimit *rl, uint64_t now_ns, uint32_t *suppressed_out)
{
	if (suppressed_out != NULL) {
		*suppressed_out = 0;
	}
	if (rl->printed == 0 && rl->suppressed == 0 && rl->window_start_ns == 0) {
		rl->window_start_ns = now_ns;
	}
	if (now_ns - rl->window_start_ns >= rl->interval_ns) {
		if (suppressed_out != NULL) {
			*suppressed_out = rl->suppressed;
		}
		rl->window_start_ns = now_ns;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	if (rl->printed < rl->burst) {
		rl->printed++;
		return true;
	}
	if (rl->suppressed != UINT32_MAX) {
		rl->suppressed++;
	}
	return false;
}

void aes67d_log_ratelimited(struct aes67d_ratelimit *rl, uint64_t now_ns,
			    enum aes67d_log_level level, const char *fmt, ...)
{
	uint32_t suppressed;
	va_list ap;

	if (!aes67d_ratelimit_allow(rl, now_ns, &suppressed)) {
		return;
	}
	if (suppressed > 0) {
		aes67d_log(level, "%u similar messages suppressed", suppressed);
	}
	va_start(ap, fmt);
	aes67d_log_v(level, fmt, ap);
	va_end(ap);
}

int aes67d_events_init(struct aes67d_events *ev, void *storage, size_t storage_bytes,
		       uint32_t capacity)
{
	if (ev == NULL) {
		return -EINVAL;
	}
	atomic_init(&ev->dropped, 0);
	return aes67d_cmdq_init(&ev->q, storage, storage_bytes, sizeof(struct aes67d_event),
				capacity);
}

int aes67d_events_push(struct aes67d_events *ev, uint32_t code, uint32_t stream, int64_t value,
		       uint64_t time_ns)
{
	struct aes67d_event e = {
		.time_ns = time_ns,
		.value = value,
		.code = code,
		.stream = stream,
	};

	if (aes67d_cmdq_push(&ev->q, &e, sizeof(e)) < 0) {
		atomic_fetch_add_explicit(&ev->dropped, 1, memory_order_relaxed);
		return -EAGAIN;
	}
	return 0;
}

const char *aes67d_event_name(uint32_t code)
{
	if (code >= AES67D_EV_END) {
		return "unknown";
	}
	return event_names[code];
}

unsigned aes67d_events_drain(struct aes67d_events *ev, unsigned max)
{
	struct aes67d_event e;
	uint64_t dropped;
	unsigned n = 0;

	while (n < max && aes67d_cmdq_pop(&ev->q, &e, sizeof(e)) == 0) {
		aes67d_log(event_level(e.code), "event %s stream %u value %lld at %llu ns",
			   aes67d_event_name(e.code), e.stream, (long long)e.value,
			   (unsigned long long)e.time_ns);
		n++;
	}
	dropped = atomic_exchange_explicit(&ev->dropped, 0, memory_order_relaxed);
	if (dropped > 0) {
		aes67d_log(AES67D_LOG_WARNING, "%llu events lost: event ring full",
			   (unsigned long long)dropped);
	}
	return n;
}
