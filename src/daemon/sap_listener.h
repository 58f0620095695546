/* SPDX-License-Identifier: MIT */
/*
 * The SAP listener logic shared by aes67d and `aes67 list`: decode a received datagram with the
 * core codec, apply it to a bounded core session cache, and count every refusal by reason.
 * No sockets here: the caller passes the bytes, the IP source address and the time.
 *
 * One rule beyond RFC 2974: a deletion is honoured only when the IP source address of the
 * datagram equals the originating source in its SAP header. The SAP header, the hash and the o=
 * line of a session are all visible to anyone who hears its announcements, so without this check
 * any host on the LAN could delete any session (RFC 2974 §8 leaves authentication optional and
 * nobody implements it). Announcements relayed by a proxy (origin != source) are still accepted.
 */
#ifndef AES67D_SAP_LISTENER_H
#define AES67D_SAP_LISTENER_H

#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"
#include "aes67/sap.h"

/* Refusals and events of a listener (the cache's own counters are in cache.stats). */
struct aes67d_sap_listener_stats {
	uint64_t received;	  /* datagrams handed to aes67d_sap_listener_handle() */
	uint64_t malformed;	  /* refused by the decoder (truncated, bad version/format) */
	uint64_t encrypted;	  /* E = 1: cannot be read (RFC 2974 §7) */
	uint64_t compressed;	  /* C = 1: zlib payloads are not supported */
	uint64_t other_payload;	  /* a payload type other than application/sdp */
	uint64_t oversize;	  /* SDP larger than the cache stores, or datagram truncated */
	uint64_t full;		  /* new session while the cache was full */
	uint64_t forged_deletion; /* deletion refused: source != origin, or origin/hash/o= differ */
	uint64_t unknown_deletion; /* deletion of a session we do not have */
};

struct aes67d_sap_listener {
	struct aes67_sap_cache cache;
	struct aes67d_sap_listener_stats stats;
};

/**
 * aes67d_sap_listener_init() - a listener over a caller-owned entry array.
 * @l: the listener. @entries: @capacity entries (about 2.1 KiB each), outliving @l.
 * @timeout_ns: sessions not re-announced for this long expire (> 0).
 * @on_event: optional cache event callback; @user: its argument.
 * Return: 0 or -EINVAL. Thread: control.
 */
AES67_MUST_CHECK int aes67d_sap_listener_init(struct aes67d_sap_listener *l,
					      struct aes67_sap_entry *entries, size_t capacity,
					      uint64_t timeout_ns, aes67_sap_event_fn on_event,
					      void *user);

/**
 * aes67d_sap_listener_handle() - process one received datagram.
 * @l: the listener.
 * @buf: the datagram (hostile), @len_bytes long.
 * @src: the IP source address of the datagram (family 4 or 6).
 * @now_ns: current time, ns, on the caller's monotonic clock.
 * Return: an enum aes67_sap_event (>= 0) or the negative refusal of the decoder or the cache;
 * each refusal is counted. Thread: the listener's owner.
 */
int aes67d_sap_listener_handle(struct aes67d_sap_listener *l, const uint8_t *buf, size_t len_bytes,
			       const struct aes67_sap_origin *src, uint64_t now_ns);

/**
 * aes67d_sap_listener_oversize() - count a datagram the socket truncated (MSG_TRUNC).
 * @l: the listener. Thread: the listener's owner.
 */
void aes67d_sap_listener_oversize(struct aes67d_sap_listener *l);

#endif /* AES67D_SAP_LISTENER_H */
