/* SPDX-License-Identifier: MIT */
/*
 * The glue between aes67d's configuration and the streaming engine (src/engine/engine.h).
 *
 * The daemon owns one engine. At start it adds every device region and starts every transmit and
 * receive stream of the configuration; stream.add / stream.remove start and stop single streams
 * at run time. A stream that cannot start stays in the configuration and is reported with its
 * reason (status, stream.stats); the daemon keeps running. The glue also gives the SAP announcer
 * the SDP of every running transmit stream (d->links.announce_list).
 *
 * Locking: every function here takes the glue's mutex, so the control thread (commands) and the
 * SAP thread (announce_list) may call concurrently. None of them is for an RT thread.
 */
#ifndef AES67D_ENGINE_GLUE_H
#define AES67D_ENGINE_GLUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"
#include "clock.h"
#include "config.h"
#include "net.h"
#include "stream_rx.h"
#include "stream_tx.h"

struct aes67d;
struct aes67d_glue;

/**
 * aes67d_glue_ptime_ns() - a configured packet time in ns: 333 µs means 1/3 ms (333333 ns,
 * AES67-2018 §7.2), any other value is exact.
 * @ptime_us: the configuration's ptime_us. Return: ns. Thread: any.
 */
uint32_t aes67d_glue_ptime_ns(uint32_t ptime_us);

/* The announced description of one transmit stream: RFC 8866 §5.2 o= fields and what the
 * last handed-out text was made from. Zero it, then set sess_id and version (1) at start. */
struct aes67d_glue_sdp {
	uint64_t sess_id;  /* o= session id */
	uint32_t version;  /* o= sess-version: bumped when the text or the reference changes */
	uint64_t sdp_hash; /* hash of the last text handed out (0: none yet) */
	uint32_t ref_generation; /* the clock reference's generation it was made with */
	bool has_ref;		 /* the clock had a reference then */
};

/**
 * aes67d_glue_tx_sdp() - the current SDP of a transmit stream, following the media clock.
 * @st: the stream's description state (updated: version, hash, reference generation).
 * @tp: the stream's parameters. @nif: the interface (origin address, localmac).
 * @clk: the media clock (its get_ref gives a=ts-refclk), or NULL for localmac.
 * @buf: receives the SDP text (NUL-terminated). @cap_bytes: its size.
 *
 * The version is bumped (RFC 8866 §5.2) when the text changed since the last call, or when the
 * clock reference's generation changed (a new grandmaster or domain, docs/ptp.md), so the SAP
 * announcer sends the new description at its next comparison instead of at the next cycle.
 * Return: bytes written, or aes67d_stream_sdp_tx_ref()'s errors. Thread: control (any thread
 * that is not RT; the caller serialises calls on one @st).
 */
AES67_MUST_CHECK int aes67d_glue_tx_sdp(struct aes67d_glue_sdp *st,
					const struct aes67d_tx_params *tp,
					const struct aes67d_net_if *nif, struct aes67d_clock *clk,
					char *buf, size_t cap_bytes);

/**
 * aes67d_glue_tx_params() - engine parameters of a configured transmit stream.
 * @c: the stream's configuration (validated). @p: receives the parameters (initialised here).
 * @err, @err_bytes: receive the reason on failure.
 * Return: 0, or -AES67_ERANGE (packet time gives no frame at this rate; parameters the engine
 * refuses, with aes67d_tx_params_check()'s reason) or -EMSGSIZE. Thread: any.
 */
AES67_MUST_CHECK int aes67d_glue_tx_params(const struct aes67d_tx_config *c,
					   struct aes67d_tx_params *p, char *err, size_t err_bytes);

/**
 * aes67d_glue_rx_params() - engine parameters of a configured receive stream.
 * @c: the stream's configuration (validated); with SDP text the session comes from it.
 * @device_ptime_us: packet time of the device it feeds: the expected packet size of a
 *                   "source" stream (packets of other sizes are accepted all the same).
 * @p: receives the parameters (initialised here).
 * @err, @err_bytes: receive the reason on failure ("sdp: line N: ...").
 *
 * Link offset: link_offset_frames when given; else link_offset_us at the stream's rate,
 * rounded to the nearest frame, except that the unset default (AES67D_DEFAULT_LINK_OFFSET_US)
 * means the engine's default for the packet time (aes67d_rx_default_link_offset_frames():
 * 1 ms below 1 ms packets, 3 packet times from 1 ms up), because a 1 ms offset cannot hold a
 * 1 ms packet that is sent only once its last frame has played.
 * Return: 0, or the errors of aes67d_stream_sdp_rx(). Thread: any.
 */
AES67_MUST_CHECK int aes67d_glue_rx_params(const struct aes67d_rx_config *c,
					   uint32_t device_ptime_us, struct aes67d_rx_params *p,
					   char *err, size_t err_bytes);

/**
 * aes67d_glue_tx_stats_json() / aes67d_glue_rx_stats_json() - a running stream's counters as a
 * JSON object (stream.stats). @s: the stream. Return: new reference, NULL when out of memory.
 * Thread: control (reads the RT thread's relaxed counters).
 */
json_t *aes67d_glue_tx_stats_json(const struct aes67d_tx_stream *s);
json_t *aes67d_glue_rx_stats_json(const struct aes67d_rx_stream *s);

/**
 * aes67d_glue_create() - the glue's state (no engine yet), d->glue and d->links.announce_list;
 * registers `stream.stats` on d->control.
 * @d: the daemon (its control server is not started yet).
 * Return: 0, -ENOMEM, or an error of aes67d_control_register(). Thread: control.
 */
AES67_MUST_CHECK int aes67d_glue_create(struct aes67d *d);

/**
 * aes67d_glue_start() - create the engine on d->config.interface with d->clock, add every device
 * of d->devices, and start every stream of d->config. Failures are logged and recorded (status
 * shows them); the daemon goes on. @d: the daemon. Thread: control (before the SAP start).
 */
void aes67d_glue_start(struct aes67d *d);

/**
 * aes67d_glue_stop() - stop every stream and destroy the engine; d->links.announce_list becomes
 * NULL. The glue itself stays (commands still answer, streams show "stopped") because the
 * control thread may run until aes67d_control_destroy(). @d: the daemon; a NULL d->glue is
 * ignored. Thread: control.
 */
void aes67d_glue_stop(struct aes67d *d);

/**
 * aes67d_glue_free() - aes67d_glue_stop(), then free the glue; d->glue becomes NULL. Only when
 * no control thread can call a command any more. @d: the daemon. Thread: control.
 */
void aes67d_glue_free(struct aes67d *d);

/**
 * aes67d_glue_stream_start() - start one configured stream (the one named @name in @cfg; @cfg
 * may be a candidate that is not live yet).
 * @d: the daemon. @cfg: configuration holding the stream. @tx: direction. @name: its name.
 * @err, @err_bytes: the reason on failure.
 * Return: 0; -AES67_ENOTFOUND (no such stream in @cfg, or no such device); -ENETDOWN (the engine
 * is not running, with its reason); errors of aes67d_engine_tx_add()/rx_add() and of the
 * parameter mapping. Thread: control.
 */
AES67_MUST_CHECK int aes67d_glue_stream_start(struct aes67d *d, const struct aes67d_config *cfg,
					      bool tx, const char *name, char *err,
					      size_t err_bytes);

/**
 * aes67d_glue_stream_stop() - stop a stream and forget it (also a failed one).
 * @d: the daemon. @tx: direction. @name: its name.
 * Return: 0 (also when it was not running), or -ETIMEDOUT from aes67d_engine_remove().
 * Thread: control.
 */
AES67_MUST_CHECK int aes67d_glue_stream_stop(struct aes67d *d, bool tx, const char *name);

/**
 * aes67d_glue_stats() - `stream.stats`: {"tx": [...], "rx": [...]}, each entry {name, state,
 * error?, counters...}; only the stream @name when not NULL.
 * @d: the daemon. @name: a stream name or NULL. @resp: the response object to fill.
 * @err, @err_bytes: the reason when @name is not known.
 * Return: 0, -AES67_ENOTFOUND, -ENOMEM. Thread: control.
 */
AES67_MUST_CHECK int aes67d_glue_stats(struct aes67d *d, const char *name, json_t *resp, char *err,
				       size_t err_bytes);

/**
 * aes67d_glue_status() - the engine's part of `status`: "engine" {running, error?, realtime,
 * tx_cpu_ns, rx_cpu_ns} and "streams" [{name, direction, state, error?, packets, lost, late,
 * underrun_frames...}].
 * @d: the daemon. @resp: the response object to fill. Return: 0 or -ENOMEM. Thread: control.
 */
AES67_MUST_CHECK int aes67d_glue_status(struct aes67d *d, json_t *resp);

#endif /* AES67D_ENGINE_GLUE_H */
