/* SPDX-License-Identifier: MIT */
/*
 * SAP: the Session Announcement Protocol (RFC 2974), by which AES67 / RAVENNA / Dante-AES67
 * devices announce their SDPs, in practice to 239.255.255.255 port 9875 (RFC 2974 §3: the SAP
 * address of the administratively scoped range 239.255.0.0/16).
 *
 * Three parts, all socket-free:
 *  - the packet codec (sap.c): decode a datagram into a struct whose payload points into the
 *    caller's buffer; encode the reverse into a caller buffer;
 *  - timing (sap.c): the RFC 2974 §3.1 announcement interval and §4 implicit timeout, plus the
 * fixed interval that AES67 practice uses instead;
 *  - the session cache (sap_cache.c): a fixed-capacity table of announced sessions in
 *    caller-owned memory, with add / update / delete / expire events.
 */
#ifndef AES67_SAP_H
#define AES67_SAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The well-known SAP port (RFC 2974 §3). */
#define AES67_SAP_PORT 9875

/* The only payload type we accept and the one we send (RFC 2974 §6). */
#define AES67_SAP_MIME_SDP "application/sdp"

/* Fixed header: V/A/R/T/E/C flags, auth length, message id hash (RFC 2974 §6). */
#define AES67_SAP_FIXED_HEADER_BYTES 4

/* Largest authentication data: the auth length field counts 32-bit words in 8 bits. */
#define AES67_SAP_AUTH_MAX_BYTES (255u * 4u)

/* An originating source address (RFC 2974 §6: 32 bits if A = 0, 128 bits if A = 1). */
struct aes67_sap_origin {
	uint8_t family;	  /* 4 or 6 */
	uint8_t addr[16]; /* network byte order; only the first 4 bytes are used for IPv4 */
};

/*
 * A SAP message. After aes67_sap_decode() the pointers point into the decoded buffer (no copy):
 * they stay valid as long as that buffer does.
 */
struct aes67_sap_msg {
	struct aes67_sap_origin origin;
	uint16_t msg_id_hash;	/* identifies this version of the announcement with the origin */
	bool deletion;		/* T = 1: session deletion (RFC 2974 §4, §6) */
	bool has_payload_type;	/* a payload type field was present (decode) */
	const uint8_t *auth;	/* authentication data, skipped and not verified (§8) */
	size_t auth_bytes;	/* multiple of 4, at most AES67_SAP_AUTH_MAX_BYTES */
	const uint8_t *payload; /* the SDP (or, in a deletion, possibly just its o= line) */
	size_t payload_bytes;
};

/**
 * aes67_sap_decode() - decode one SAP datagram.
 * @msg: filled on success; its pointers point into @buf.
 * @buf: the datagram (hostile input). Not modified.
 * @len: its length in bytes.
 *
 * Checks, in this order: 4-byte header present; V = 1; E = 0; C = 0; origin (4 or 16 bytes) and
 * authentication data (auth length x 4 bytes) present; then the payload type: if the remaining
 * bytes start with "v=0" there is none (RFC 2974 §6); otherwise a NUL-terminated MIME type must
 * follow and equal "application/sdp" (compared case-insensitively, MIME types are). As a
 * leniency for deletions, a payload without type that starts with "o=" is accepted when T = 1.
 * The R bit is ignored as §6 requires. Authentication data is skipped, not verified.
 *
 * Return: 0 on success; -EINVAL for NULL arguments; -AES67_ETRUNCATED when the datagram ends
 * before the header, origin, authentication data or payload (an empty payload is refused
 * too); -AES67_EVERSION for V != 1; -AES67_EENCRYPTED (E = 1) and -AES67_ECOMPRESSED (C = 1) for
 * payloads we cannot read (callers count these); -AES67_EPAYLOADTYPE for a payload type other than
 * application/sdp; -AES67_EMALFORMED when neither "v=0" nor a NUL-terminated type follows.
 * Thread: any. AES67_RT.
 */
AES67_API AES67_MUST_CHECK AES67_RT int aes67_sap_decode(struct aes67_sap_msg *msg,
							 const uint8_t *buf, size_t len);

/**
 * aes67_sap_encode() - write a SAP datagram.
 * @buf: output buffer (caller-owned).
 * @cap: its capacity in bytes.
 * @msg: what to send: origin (family 4 or 6), msg_id_hash, deletion, optional auth data
 *       (auth_bytes a multiple of 4, at most AES67_SAP_AUTH_MAX_BYTES), payload (non-empty).
 *       has_payload_type is ignored: the payload type "application/sdp" is always written.
 *
 * Return: the number of bytes written; -EINVAL for NULL pointers, a bad family, misaligned or
 * oversized auth data or an empty payload; -AES67_ENOSPACE when @cap is too small (nothing useful
 * is written then). Thread: any. AES67_RT.
 */
AES67_API AES67_MUST_CHECK AES67_RT int aes67_sap_encode(uint8_t *buf, size_t cap,
							 const struct aes67_sap_msg *msg);

/**
 * aes67_sap_msg_id_hash() - a message identifier hash for a payload.
 * @payload: the SDP bytes.
 * @len: their length.
 *
 * RFC 2974 §5-6 leave the hash function to the announcer: it only has to change when the payload
 * changes. We use 32-bit FNV-1a over the payload bytes, folded to 16 bits by XOR of the two
 * halves; a result of 0 becomes 1 because §6 says announcers SHOULD NOT send 0 (a SAPv0 relic
 * meaning "no hash"). Two versions of an SDP collide with probability about 1/65535; announcers
 * that want certainty bump the value themselves.
 *
 * Return: a non-zero 16-bit hash. Thread: any. AES67_RT.
 */
AES67_API AES67_RT uint16_t aes67_sap_msg_id_hash(const uint8_t *payload, size_t len);

/* Defaults, with their sources. */
#define AES67_SAP_RFC_BANDWIDTH_BPS 4000u   /* RFC 2974 §3.1: default bandwidth limit */
#define AES67_SAP_RFC_MIN_INTERVAL_S 300u   /* RFC 2974 §3.1: interval at least 300 s */
#define AES67_SAP_RFC_MIN_TIMEOUT_S 3600u   /* RFC 2974 §4: implicit timeout >= 1 h */
#define AES67_SAP_RFC_TIMEOUT_INTERVALS 10u /* RFC 2974 §4: or ten intervals, if longer */
/*
 * AES67 / RAVENNA / Dante practice announces far more often than RFC 2974 allows (every 30 s
 * or faster) so that receivers discover a sender within seconds, on LANs where SAP traffic is
 * negligible next to the audio. The daemon uses this fixed interval by default.
 */
#define AES67_SAP_DEFAULT_INTERVAL_S 30u

/* Announcement timing. */
struct aes67_sap_config {
	uint32_t interval_s;	/* fixed interval; 0 = RFC 2974 §3.1 adaptive interval */
	uint32_t bandwidth_bps; /* §3.1 bandwidth limit for the adaptive interval */
	uint32_t timeout_s;	/* session timeout; 0 = §4 rule max(10 x interval, 3600 s) */
};

/**
 * aes67_sap_config_init() - defaults: fixed 30 s interval (AES67 practice), 4000 bit/s limit
 * (§3.1), timeout by the RFC 2974 §4 implicit-timeout rule (so 3600 s with a 30 s interval).
 * @cfg: the config to fill.
 *
 * Thread: any.
 */
AES67_API void aes67_sap_config_init(struct aes67_sap_config *cfg);

/**
 * aes67_sap_rfc_interval_s() - the RFC 2974 §3.1 base announcement interval.
 * @total_announce_bytes: sum of the sizes of all announcements seen in the group (ours and
 *                        others', i.e. number of ads x ad size), in bytes.
 * @bandwidth_bps: the group's bandwidth limit in bit/s; 0 means the 4000 bit/s default.
 *
 * Return: max(300, 8 x total / bandwidth) seconds, saturated at UINT32_MAX. Thread: any.
 */
AES67_API uint32_t aes67_sap_rfc_interval_s(uint64_t total_announce_bytes, uint32_t bandwidth_bps);

/**
 * aes67_sap_interval_s() - the interval to use: the fixed one if configured, else §3.1's.
 * @cfg: timing config.
 * @total_announce_bytes: as for aes67_sap_rfc_interval_s() (ignored for a fixed interval).
 *
 * Return: seconds. Thread: any.
 */
AES67_API uint32_t aes67_sap_interval_s(const struct aes67_sap_config *cfg,
					uint64_t total_announce_bytes);

/**
 * aes67_sap_timeout_s() - how long a session lives without being re-announced.
 * @cfg: timing config; a non-zero timeout_s is returned as is.
 * @interval_s: the announcement interval in seconds.
 *
 * Return: cfg->timeout_s, or max(10 x interval_s, 3600) per RFC 2974 §4 (saturated).
 * Thread: any.
 */
AES67_API uint32_t aes67_sap_timeout_s(const struct aes67_sap_config *cfg, uint32_t interval_s);

/**
 * aes67_sap_next_announce_ns() - when to send the next announcement (RFC 2974 §3.1).
 * @last_ns: when the last one was sent, in ns on the caller's clock.
 * @interval_s: the base interval in seconds.
 * @random: a uniformly random 32-bit value from the caller (the core has no RNG).
 *
 * §3.1 spreads announcements over [2/3, 4/3] x interval so that announcers do not synchronise:
 * next = last + interval + offset, offset uniform in [-interval/3, +interval/3].
 *
 * Return: the deadline in ns (saturated at UINT64_MAX). Thread: any. AES67_RT.
 */
AES67_API AES67_RT uint64_t aes67_sap_next_announce_ns(uint64_t last_ns, uint32_t interval_s,
						       uint32_t random);

/* ---- Session cache (sap_cache.c) ---- */

/* Largest SDP the cache stores; larger announcements are refused and counted. */
#define AES67_SAP_SDP_MAX_BYTES 2048u

enum aes67_sap_event {
	AES67_SAP_EVENT_NONE = 0, /* a re-announcement with the same payload: refreshed only */
	AES67_SAP_EVENT_ADDED,	  /* a new session */
	AES67_SAP_EVENT_UPDATED,  /* a known session announced with a different payload */
	AES67_SAP_EVENT_DELETED,  /* removed by a matching deletion packet */
	AES67_SAP_EVENT_EXPIRED,  /* removed because it was not re-announced in time */
};

/* A field of the o= line, as a byte range of the stored SDP. */
struct aes67_sap_span {
	uint16_t off;
	uint16_t len;
};

/*
 * The SDP origin (RFC 8866 §5.2): <username> <sess-id> <sess-version> <nettype> <addrtype>
 * <unicast-address>. All but sess-version together name the session globally.
 */
enum aes67_sap_o_field {
	AES67_SAP_O_USERNAME,
	AES67_SAP_O_SESS_ID,
	AES67_SAP_O_SESS_VERSION,
	AES67_SAP_O_NETTYPE,
	AES67_SAP_O_ADDRTYPE,
	AES67_SAP_O_ADDRESS,
	AES67_SAP_O_FIELDS,
};

/* One cached session. Read-only for callers; the cache owns the contents. */
struct aes67_sap_entry {
	bool in_use;
	bool has_o; /* o= found and well-formed; o[] valid */
	uint16_t msg_id_hash;
	struct aes67_sap_origin origin;
	struct aes67_sap_span o[AES67_SAP_O_FIELDS];
	uint64_t first_seen_ns;
	uint64_t last_seen_ns;
	uint64_t announcements; /* packets that added, updated or refreshed this entry */
	size_t sdp_bytes;
	char sdp[AES67_SAP_SDP_MAX_BYTES + 1]; /* the payload, NUL-terminated for convenience */
};

struct aes67_sap_cache;

/*
 * Event callback: called with the entry after ADDED/UPDATED, and before the slot is freed for
 * DELETED/EXPIRED (the entry is valid only during the call). Must not call into the cache.
 */
typedef void (*aes67_sap_event_fn)(void *user, enum aes67_sap_event event,
				   const struct aes67_sap_entry *entry);

/* Counters: every refusal has a reason and a counter. */
struct aes67_sap_cache_stats {
	uint64_t added;
	uint64_t updated;
	uint64_t refreshed;
	uint64_t deleted;
	uint64_t expired;
	uint64_t refused_full;	    /* new session while the table was full */
	uint64_t refused_too_big;   /* payload > AES67_SAP_SDP_MAX_BYTES */
	uint64_t refused_malformed; /* empty payload, NUL byte in it, bad origin family */
	uint64_t deletions_unknown; /* deletion of a session we do not have */
	uint64_t deletions_refused; /* deletion naming a session of another origin, or with a
				     * different o= identity: possibly forged */
};

/* The cache. Embed it; initialise with aes67_sap_cache_init(). */
struct aes67_sap_cache {
	struct aes67_sap_entry *entries; /* caller-owned array */
	size_t capacity;
	size_t count;
	uint64_t timeout_ns;
	aes67_sap_event_fn on_event;
	void *user;
	struct aes67_sap_cache_stats stats;
};

/**
 * aes67_sap_cache_init() - set up a cache over a caller-provided array.
 * @cache: the cache.
 * @entries: @capacity entries, owned by the caller, outliving the cache (about 2.1 KiB each).
 * @capacity: number of entries, >= 1. The table never grows.
 * @timeout_ns: a session not re-announced for this long expires (see aes67_sap_timeout_s()), > 0.
 * @on_event: optional event callback (may be NULL).
 * @user: passed to @on_event.
 *
 * Return: 0, or -EINVAL. Thread: control.
 */
AES67_API AES67_MUST_CHECK int aes67_sap_cache_init(struct aes67_sap_cache *cache,
						    struct aes67_sap_entry *entries,
						    size_t capacity, uint64_t timeout_ns,
						    aes67_sap_event_fn on_event, void *user);

/**
 * aes67_sap_cache_announce() - record an announcement.
 * @cache: the cache.
 * @msg: a decoded announcement (deletion flag ignored here).
 * @now_ns: current time in ns on the caller's clock.
 *
 * A session is the same session when the origin is equal and, if both the stored and the new
 * SDP have a well-formed o= line, the o= identity (all fields but sess-version) is equal;
 * otherwise when the message id hash is equal. So an SDP modified by its sender (new hash, new
 * sess-version, RFC 2974 §5) updates its entry rather than adding a second one, and two sessions
 * of one host whose hashes collide stay apart. When the table is full a new session is refused
 * (not the oldest evicted): a flood of spoofed announcements must not push out sessions that are
 * in use; real sessions find room as stale ones expire.
 *
 * Return: AES67_SAP_EVENT_ADDED, _UPDATED (payload changed) or _NONE (refreshed), or
 * -EINVAL (NULL), -AES67_EMALFORMED (empty payload, NUL byte in it, bad origin family),
 * -EMSGSIZE (payload > AES67_SAP_SDP_MAX_BYTES), -AES67_ENOSPACE (table full); each refusal is
 * counted in stats. Thread: control (no allocation, no locks).
 */
AES67_API AES67_MUST_CHECK int aes67_sap_cache_announce(struct aes67_sap_cache *cache,
							const struct aes67_sap_msg *msg,
							uint64_t now_ns);

/**
 * aes67_sap_cache_delete() - apply a deletion packet.
 * @cache: the cache.
 * @msg: a decoded deletion; its payload is the SDP or just its o= line.
 * @now_ns: current time in ns (accepted for symmetry with announce; not used).
 *
 * Removes the entry only if origin AND message id hash are equal AND, when both sides carry a
 * well-formed o= line, the o= identity is equal too. Refused, since anyone on the LAN can send
 * a SAP packet: a deletion that names a cached session (by o= identity, or by hash when o= is
 * not known on both sides) from a different origin; one with the right origin and hash but
 * another o= identity; one with the right origin and o= identity but another (stale) hash. The
 * session then lives until it expires or a matching deletion arrives.
 *
 * Return: AES67_SAP_EVENT_DELETED; -AES67_ENOTFOUND (nothing matches; counted
 * deletions_unknown); -EPERM (refused as above; counted deletions_refused); -EINVAL.
 * Thread: control.
 */
AES67_API AES67_MUST_CHECK int aes67_sap_cache_delete(struct aes67_sap_cache *cache,
						      const struct aes67_sap_msg *msg,
						      uint64_t now_ns);

/**
 * aes67_sap_cache_handle() - announce or delete according to msg->deletion.
 * @cache: the cache.
 * @msg: a decoded message.
 * @now_ns: current time in ns.
 *
 * Return: as aes67_sap_cache_announce() or aes67_sap_cache_delete(). Thread: control.
 */
AES67_API AES67_MUST_CHECK int aes67_sap_cache_handle(struct aes67_sap_cache *cache,
						      const struct aes67_sap_msg *msg,
						      uint64_t now_ns);

/**
 * aes67_sap_cache_expire() - drop sessions not re-announced within the timeout.
 * @cache: the cache.
 * @now_ns: current time in ns. An entry expires when now_ns - last_seen_ns >= timeout_ns; a
 *          clock that went backwards expires nothing.
 *
 * Return: the number of entries expired (each reported to the callback first). Thread: control.
 */
AES67_API size_t aes67_sap_cache_expire(struct aes67_sap_cache *cache, uint64_t now_ns);

/**
 * aes67_sap_cache_next_expiry_ns() - the earliest time at which an entry will expire.
 * @cache: the cache.
 *
 * Return: a deadline in ns for the caller's timer, or UINT64_MAX when the cache is empty.
 * Thread: control.
 */
AES67_API uint64_t aes67_sap_cache_next_expiry_ns(const struct aes67_sap_cache *cache);

/**
 * aes67_sap_cache_find() - look a session up by origin and message id hash.
 * @cache: the cache.
 * @origin: originating source.
 * @msg_id_hash: message id hash.
 *
 * Return: the entry (valid until the next call that modifies the cache) or NULL.
 * Thread: control.
 */
AES67_API const struct aes67_sap_entry *aes67_sap_cache_find(const struct aes67_sap_cache *cache,
							     const struct aes67_sap_origin *origin,
							     uint16_t msg_id_hash);

/**
 * aes67_sap_cache_next() - iterate over the cached sessions.
 * @cache: the cache.
 * @cursor: start at 0; advanced by each call.
 *
 * Return: the next entry in use, or NULL at the end. Thread: control.
 */
AES67_API const struct aes67_sap_entry *aes67_sap_cache_next(const struct aes67_sap_cache *cache,
							     size_t *cursor);

/**
 * aes67_sap_origin_equal() - compare two originating sources (family and address bytes).
 * @a: first origin.
 * @b: second origin.
 *
 * Return: true if equal. Thread: any. AES67_RT.
 */
AES67_API AES67_RT bool aes67_sap_origin_equal(const struct aes67_sap_origin *a,
					       const struct aes67_sap_origin *b);

#ifdef __cplusplus
}
#endif

#endif /* AES67_SAP_H */
