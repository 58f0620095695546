/* SPDX-License-Identifier: MIT */
/*
 * The SAP announcer of aes67d: which transmit sessions to announce, when, and with which
 * message id hash. Pure logic, no sockets and no clock: the caller passes the time in and a send
 * callback out, so the unit suite drives it with a fake clock and captures every packet.
 *
 * RFC 2974 rules applied here:
 *  - §3.1: the first announcement of a new session goes out at once; later ones at the fixed
 *    interval (AES67 practice, default 30 s) spread by the §3.1 random offset of +-1/3 interval,
 *    computed by the core (aes67_sap_next_announce_ns()).
 *  - §5: when a session's SDP changes, the message id hash changes and the new version is
 *    announced at once (no deletion of the old version: receivers replace it).
 *  - §4/§6: when a session stops, one deletion packet (T = 1) with the hash of the last
 *    announcement and the same SDP payload goes out; on shutdown every session is deleted.
 *  - §3: the announcement is sent with the TTL of the session it announces (from its c= line).
 */
#ifndef AES67D_SAP_ANNOUNCER_H
#define AES67D_SAP_ANNOUNCER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"
#include "aes67/sap.h"
#include "aes67/sdp.h"
#include "config.h"

struct aes67d_announce_item;

/* Most sessions announced at once: every transmit stream the configuration can hold. */
#define AES67D_SAP_MAX_ANNOUNCED AES67D_MAX_STREAMS

/* TTL used when the SDP's c= line carries none (AES67D_DEFAULT_TTL of the stream config). */
#define AES67D_SAP_DEFAULT_TTL AES67D_DEFAULT_TTL

/*
 * Sends one SAP datagram to the SAP group with IP TTL @ttl. Returns >= 0 or a negative error
 * (counted in send_errors; the announcer carries on and retries at the next deadline).
 */
typedef int (*aes67d_sap_send_fn)(void *user, const uint8_t *pkt, size_t len_bytes, unsigned ttl);
/* A uniformly random 32-bit value for the §3.1 offset. */
typedef uint32_t (*aes67d_sap_random_fn)(void *user);

struct aes67d_sap_announcer_stats {
	uint64_t announcements; /* announcement packets sent */
	uint64_t deletions;	/* deletion packets sent */
	uint64_t send_errors;	/* send callback failures */
	uint64_t refused_big;	/* SDP larger than AES67_SAP_SDP_MAX_BYTES: not announced */
	uint64_t refused_sdp;	/* SDP that does not parse: not announced */
	uint64_t refused_full;	/* more sessions than AES67D_SAP_MAX_ANNOUNCED */
};

/* One announced session (owned by the announcer). */
struct aes67d_sap_announced {
	bool in_use;
	uint8_t ttl;
	uint16_t msg_id_hash;
	char name[AES67D_NAME_BYTES];
	uint64_t last_sent_ns;
	uint64_t next_ns;
	size_t sdp_bytes;
	char sdp[AES67_SAP_SDP_MAX_BYTES + 1];
};

struct aes67d_sap_announcer {
	struct aes67_sap_origin origin;
	uint32_t interval_s;
	aes67d_sap_send_fn send;
	aes67d_sap_random_fn random;
	void *user;
	struct aes67d_sap_announcer_stats stats;
	struct aes67d_sap_announced sessions[AES67D_SAP_MAX_ANNOUNCED];
	struct aes67_sdp scratch; /* parse target when checking an SDP */
	uint8_t pkt[AES67_SAP_FIXED_HEADER_BYTES + 16 + sizeof(AES67_SAP_MIME_SDP) +
		    AES67_SAP_SDP_MAX_BYTES];
};

/**
 * aes67d_sap_announcer_init() - set up an announcer with no sessions.
 * @ann: the announcer (caller-owned, about 155 KiB: allocate it, do not put it on a stack).
 * @origin: our originating source (the interface's IPv4 address, RFC 2974 §6).
 * @interval_s: announcement interval in seconds, >= 1.
 * @send: datagram sender. @random: random source. @user: passed to both.
 * Return: 0 or -EINVAL. Thread: control.
 */
AES67_MUST_CHECK int aes67d_sap_announcer_init(struct aes67d_sap_announcer *ann,
					       const struct aes67_sap_origin *origin,
					       uint32_t interval_s, aes67d_sap_send_fn send,
					       aes67d_sap_random_fn random, void *user);

/**
 * aes67d_sap_announcer_sync() - make the announced set equal to @items.
 * @ann: the announcer.
 * @items: the current transmit sessions (from d->links.announce_list), @n of them; names are
 *         the identity. NULL is allowed with @n = 0.
 * @now_ns: current time, ns, on the caller's monotonic clock.
 *
 * New names are announced at once; names gone get one deletion packet; a changed SDP gets a new
 * message id hash (never equal to the old one) and is announced at once. An SDP that is too big
 * or does not parse is not announced (counted; if it replaced an announced version, that
 * version is deleted so receivers do not keep a stale description).
 * Return: number of packets sent (>= 0). Thread: control (the SAP thread).
 */
int aes67d_sap_announcer_sync(struct aes67d_sap_announcer *ann,
			      const struct aes67d_announce_item *items, size_t n, uint64_t now_ns);

/**
 * aes67d_sap_announcer_tick() - re-announce every session whose deadline has come.
 * @ann: the announcer. @now_ns: current time, ns.
 * Return: number of packets sent. Thread: control (the SAP thread).
 */
int aes67d_sap_announcer_tick(struct aes67d_sap_announcer *ann, uint64_t now_ns);

/**
 * aes67d_sap_announcer_next_ns() - the earliest announcement deadline.
 * @ann: the announcer. Return: ns, or UINT64_MAX when nothing is announced. Thread: control.
 */
uint64_t aes67d_sap_announcer_next_ns(const struct aes67d_sap_announcer *ann);

/**
 * aes67d_sap_announcer_stop() - send a deletion for every announced session and forget them.
 * @ann: the announcer. Return: number of packets sent. Thread: control (the SAP thread).
 */
int aes67d_sap_announcer_stop(struct aes67d_sap_announcer *ann);

/**
 * aes67d_sap_announcer_count() - sessions currently announced.
 * @ann: the announcer. Thread: control.
 */
size_t aes67d_sap_announcer_count(const struct aes67d_sap_announcer *ann);

#endif /* AES67D_SAP_ANNOUNCER_H */
