/* SPDX-License-Identifier: MIT */
/*
 * The streaming engine: transmit and receive streams with real sockets and two RT threads,
 * shared by aes67d and the aes67 CLI (send/recv run it in-process).
 *
 * - The TX thread wakes at absolute media-clock deadlines: the packet with positions
 *   [p, p + n) is due when media time reaches p + n. clock_nanosleep cannot sleep on
 *   CLOCK_MONOTONIC_RAW, so each pass reads the media clock (struct aes67d_clock, PTP ns) and
 *   CLOCK_MONOTONIC back to back and sleeps with TIMER_ABSTIME on CLOCK_MONOTONIC until
 *   mono_now + (deadline_ptp - ptp_now). The deadline itself is absolute in media time, so
 *   sleep error never accumulates; a late wake only sends later. All packets due in a pass go
 *   out with one sendmmsg (per-packet destination, TTL and DSCP in control messages).
 * - The RX thread polls the streams' sockets (1 ms timeout), takes packets with recvmmsg and
 *   SO_TIMESTAMPING software timestamps (for the RFC 3550 A.8 jitter), places them on each
 *   stream's timeline, and moves positions up to now + (link offset - packet)/2 from the
 *   timelines into the device's capture ring, at each stream's channel offset (rxloop.c explains
 *   the margin); a packet that arrives after its frames were drained but before any reader can
 *   have reached them is patched in ("rescued") instead of dropped as late.
 * - Control → RT: add/remove commands through lock-free SPSC queues (cmdq.h); RT → control:
 *   events (log.h) drained and logged by a housekeeping thread. The RT threads never allocate,
 *   lock or log; stream memory is allocated before the add command and freed after the thread
 *   acknowledged the removal.
 * - SCHED_FIFO and mlockall are used when permitted; a warning says so when not.
 */
#ifndef AES67D_ENGINE_H
#define AES67D_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "aes67/ring.h"
#include "clock.h"
#include "net.h"
#include "stream_rx.h"
#include "stream_tx.h"

#define AES67D_ENGINE_MAX_STREAMS 64 /* per direction */
#define AES67D_ENGINE_MAX_DEVICES 8

enum aes67d_stream_state {
	AES67D_STREAM_NEW = 0,	/* created, not yet seen by its RT thread */
	AES67D_STREAM_ACTIVE,	/* the RT thread runs it */
	AES67D_STREAM_FINISHED, /* TX: end_pos reached, nothing more to send */
	AES67D_STREAM_DETACHED, /* the RT thread let go of it; the control side may free it */
};

struct aes67d_engine;

struct aes67d_engine_params {
	struct aes67d_clock *clock; /* the media clock; borrowed, must outlive the engine */
	const char *ifname;	    /* interface for all streams */
	bool realtime;		    /* try SCHED_FIFO + mlockall (warn when not permitted) */
	int tx_priority;	    /* SCHED_FIFO priorities; 0: 70 and 68 */
	int rx_priority;
	bool quiet; /* do not log the realtime warning (the CLI prints its own) */
	/* Hold a PM QoS CPU latency limit of cpu_latency_us while the engine runs
	 * (/dev/cpu_dma_latency; warn when refused). docs/aes67d.md, "engine". */
	bool cpu_latency;
	uint32_t cpu_latency_us;
};

/**
 * aes67d_engine_create() - open the interface and the transmit socket, start the TX, RX and
 * housekeeping threads (idle until streams are added).
 * @out: receives the engine; free with aes67d_engine_destroy().
 * @p: parameters. @err, @err_bytes: reason on failure, naming the fix.
 * Return: 0 or a negative error (interface, socket, thread). Thread: control.
 */
AES67_MUST_CHECK int aes67d_engine_create(struct aes67d_engine **out,
					  const struct aes67d_engine_params *p, char *err,
					  size_t err_bytes);

/* Stop the threads, free every stream, close sockets; NULL ignored. Thread: control. */
void aes67d_engine_destroy(struct aes67d_engine *e);

/**
 * aes67d_engine_device_add() - make a device's ring known to the engine.
 * @e: the engine. @name: device name (copied). @ring: the device's region view; borrowed, must
 * outlive the engine (devices are never removed while it runs).
 * Return: the device index (>= 0), -EEXIST, -ENOSPC. Thread: control.
 */
AES67_MUST_CHECK int aes67d_engine_device_add(struct aes67d_engine *e, const char *name,
					      const struct aes67_ring *ring);

/**
 * aes67d_engine_tx_add() - create a transmit stream reading @device's playback ring and hand
 * it to the TX thread.
 * @e: engine. @p: parameters (the name must be unique among TX streams). @device: device index.
 * @out: receives the stream (owned by the engine; valid until removed); may be NULL.
 * @err, @err_bytes: reason on failure.
 * Return: 0, -EEXIST, -ENOSPC, -ENODEV, or the errors of aes67d_tx_stream_create().
 * Thread: control.
 */
AES67_MUST_CHECK int aes67d_engine_tx_add(struct aes67d_engine *e, const struct aes67d_tx_params *p,
					  int device, struct aes67d_tx_stream **out, char *err,
					  size_t err_bytes);

/**
 * aes67d_engine_rx_add() - create a receive stream writing into @device's capture ring, open
 * and join its socket, hand it to the RX thread. Arguments as aes67d_engine_tx_add().
 * Return: 0, -EEXIST, -ENOSPC, -ENODEV, -AES67_ERANGE (rate differs from the device, channel
 * range), errors of the socket set-up or of aes67d_rx_stream_create(). Thread: control.
 */
AES67_MUST_CHECK int aes67d_engine_rx_add(struct aes67d_engine *e, const struct aes67d_rx_params *p,
					  int device, struct aes67d_rx_stream **out, char *err,
					  size_t err_bytes);

/**
 * aes67d_engine_remove() - stop a stream, wait (at most 2 s) for its thread to let go, free it.
 * @e: engine. @tx: true for a transmit stream. @name: its name.
 * Return: 0, -AES67_ENOTFOUND, -ETIMEDOUT (the thread did not answer; the stream is leaked
 * rather than freed under it). Thread: control.
 */
AES67_MUST_CHECK int aes67d_engine_remove(struct aes67d_engine *e, bool tx, const char *name);

/**
 * aes67d_engine_tx_find() / aes67d_engine_rx_find() - a stream by name, or NULL.
 * Thread: control.
 */
struct aes67d_tx_stream *aes67d_engine_tx_find(struct aes67d_engine *e, const char *name);
struct aes67d_rx_stream *aes67d_engine_rx_find(struct aes67d_engine *e, const char *name);

/**
 * aes67d_engine_now_pos() - media position now at @rate_hz, frames.
 * @e: engine. @rate_hz: rate. @pos: receives it. Return: 0 or the clock's error. Thread: any.
 */
AES67_MUST_CHECK int aes67d_engine_now_pos(struct aes67d_engine *e, uint32_t rate_hz,
					   uint64_t *pos);

/**
 * aes67d_engine_interface() - the interface the engine uses. Thread: any.
 */
const struct aes67d_net_if *aes67d_engine_interface(const struct aes67d_engine *e);

/**
 * aes67d_engine_thread_cpu_ns() - CPU time used so far by the TX and RX threads, ns.
 * @e: engine. @tx_ns, @rx_ns: receive them. Return: 0 or -errno. Thread: control.
 */
AES67_MUST_CHECK int aes67d_engine_thread_cpu_ns(struct aes67d_engine *e, uint64_t *tx_ns,
						 uint64_t *rx_ns);

/**
 * aes67d_engine_realtime() - whether the TX and RX threads got SCHED_FIFO and memory is
 * locked. Thread: any.
 */
bool aes67d_engine_realtime(const struct aes67d_engine *e);

/**
 * aes67d_engine_cpu_latency() - the state of the CPU latency request.
 * @e: engine. @us: receives the limit held (when 1 is returned).
 * Return: 1 held, 0 none requested, or the negative error that refused it. Thread: any.
 */
int aes67d_engine_cpu_latency(const struct aes67d_engine *e, uint32_t *us);

#endif /* AES67D_ENGINE_H */
