/* SPDX-License-Identifier: MIT */
/*
 * SAP in aes67d: one non-RT thread that announces the engine's transmit sessions (from
 * d->links.announce_list) and listens for other devices' announcements on the configured
 * interface, keeping them in a bounded core session cache that expires them. The control
 * commands sessions.list, sap.status and stream.sdp (sap_commands.c) and the engine's
 * d->links.session_lookup read that cache under the object's mutex.
 *
 * Lifetime: created before the control thread starts (so handlers see a stable pointer),
 * started after the engine, stopped first at shutdown (deletions for every announced session).
 * The object is never freed: control handlers may run until the control server is destroyed,
 * which happens after the stop hook; the process exits right after.
 *
 * Settings (environment, read at creation; the config file has no SAP section yet):
 *   AES67D_SAP_INTERVAL_S  announcement interval, 1..3600 s (default 30, AES67 practice)
 *   AES67D_SAP_TIMEOUT_S   session timeout, 1..86400 s (default: RFC 2974 §4 rule)
 * The TTL of each announcement is that of the announced session's c= line (RFC 2974 §3).
 */
#ifndef AES67D_SAP_DAEMON_H
#define AES67D_SAP_DAEMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"

struct aes67d;
struct aes67d_sap;

/* Sessions the daemon's cache holds (about 2.1 KiB each). */
#define AES67D_SAP_CACHE_CAPACITY 128

/**
 * aes67d_sap_create() - allocate the SAP part, read its settings, set d->links.session_lookup.
 * @out: receives the object. @d: the daemon (its interface is used at start).
 * @err: receives the reason on failure (a bad environment value). @err_bytes: its size.
 * Return: 0, -ENOMEM or -AES67_ERANGE. Thread: main, before the control thread starts.
 */
AES67_MUST_CHECK int aes67d_sap_create(struct aes67d_sap **out, struct aes67d *d, char *err,
				       size_t err_bytes);

/**
 * aes67d_sap_start() - open the SAP socket on the daemon's interface and start the thread.
 * @sap: the object. @err: receives the failing step. @err_bytes: its size.
 * Return: 0 or -errno. Thread: main.
 */
AES67_MUST_CHECK int aes67d_sap_start(struct aes67d_sap *sap, char *err, size_t err_bytes);

/**
 * aes67d_sap_stop() - send a deletion for every announced session, stop the thread and close
 * the socket. The cache stays readable. Idempotent; NULL and a never-started object are ignored.
 * @sap: the object. Thread: main.
 */
void aes67d_sap_stop(struct aes67d_sap *sap);

/**
 * aes67d_sap_free() - stop (as aes67d_sap_stop) and release the object, and unset
 * d->links.session_lookup. Call only once no control thread can reach it.
 * @sap: the object; NULL is ignored. Thread: main.
 */
void aes67d_sap_free(struct aes67d_sap *sap);

/**
 * aes67d_sap_sessions_json() - the cached sessions as a JSON array (see sap_summary.h).
 * @sap: the object. @with_sdp: include each full SDP. @name: only sessions with this s= name,
 * or NULL for all. Return: a new reference or NULL when out of memory. Thread: any non-RT.
 */
json_t *aes67d_sap_sessions_json(struct aes67d_sap *sap, bool with_sdp, const char *name);

/**
 * aes67d_sap_status_json() - settings and counters (announcer, listener, cache) as an object.
 * @sap: the object. Return: a new reference or NULL when out of memory. Thread: any non-RT.
 */
json_t *aes67d_sap_status_json(struct aes67d_sap *sap);

/**
 * aes67d_sap_commands_register() - register sessions.list, sap.status and stream.sdp.
 * @ctl: the control server (not started). @d: the daemon; d->sap must be set.
 * Return: 0 or an error of aes67d_control_register(). Thread: main.
 */
struct aes67d_control;
AES67_MUST_CHECK int aes67d_sap_commands_register(struct aes67d_control *ctl, struct aes67d *d);

/**
 * aes67d_sap_parse_uint() - parse a decimal setting (digits only, no sign, no spaces).
 * @text: the value. @min, @max: the allowed range. @out: receives the value.
 * Return: 0, -AES67_EMALFORMED (not digits) or -AES67_ERANGE. Thread: any.
 */
AES67_MUST_CHECK int aes67d_sap_parse_uint(const char *text, uint32_t min, uint32_t max,
					   uint32_t *out);

#endif /* AES67D_SAP_DAEMON_H */
