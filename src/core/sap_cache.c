// SPDX-License-Identifier: MIT
/*
 * SAP session cache: the sessions a listener has heard announced, in a fixed-capacity table the
 * caller owns. Nothing here allocates; the table cannot grow.
 *
 * Identity. RFC 2974 §5 makes (originating source, message id hash) the identifier of one
 * *version* of an announcement; the hash changes whenever the SDP does. RFC 8866 §5.2 makes the
 * o= line minus sess-version the identifier of the *session*. We use both: a session is the same
 * when the origin matches and the o= identity matches (if both SDPs have a well-formed o= line),
 * else when the hash matches. Deletions are held to a stricter rule (see
 * aes67_sap_cache_delete()), since anyone on the LAN can send one.
 *
 * The o= line is found with a small local scan (not the sdp module): it is enough to know where
 * its six fields are.
 */
#include <errno.h>
#include <string.h>

#include "aes67/error.h"
#include "aes67/sap.h"

/* Locate the o= line of @sdp and its six space-separated fields (RFC 8866 §5.2). */
static bool find_o(const char *sdp, size_t len, struct aes67_sap_span o[AES67_SAP_O_FIELDS])
{
	size_t pos = 0;

	while (pos < len) {
		size_t eol = pos;
		while (eol < len && sdp[eol] != '\n' && sdp[eol] != '\r') {
			eol++;
		}
		if (eol - pos >= 2 && sdp[pos] == 'o' && sdp[pos + 1] == '=') {
			size_t p = pos + 2;
			int n = 0;

			while (p < eol) {
				while (p < eol && sdp[p] == ' ') {
					p++;
				}
				if (p == eol) {
					break;
				}
				size_t start = p;
				while (p < eol && sdp[p] != ' ') {
					p++;
				}
				if (n == AES67_SAP_O_FIELDS) {
					return false; /* too many fields */
				}
				/* len <= AES67_SAP_SDP_MAX_BYTES, so offsets fit 16 bits. */
				o[n].off = (uint16_t)start;
				o[n].len = (uint16_t)(p - start);
				n++;
			}
			return n == AES67_SAP_O_FIELDS;
		}
		pos = eol + 1;
	}
	return false;
}

static bool span_equal(const char *a, struct aes67_sap_span sa, const char *b,
		       struct aes67_sap_span sb)
{
	return sa.len == sb.len && memcmp(a + sa.off, b + sb.off, sa.len) == 0;
}

/* The o= identity: every field except sess-version (RFC 8866 §5.2). */
static bool o_identity_equal(const char *a, const struct aes67_sap_span *oa, const char *b,
			     const struct aes67_sap_span *ob)
{
	for (int i = 0; i < AES67_SAP_O_FIELDS; i++) {
		if (i == AES67_SAP_O_SESS_VERSION) {
			continue;
		}
		if (!span_equal(a, oa[i], b, ob[i])) {
			return false;
		}
	}
	return true;
}

/* What a message brings, after validation: the payload as text and its o= line if any. */
struct incoming {
	const struct aes67_sap_msg *msg;
	const char *sdp;
	bool has_o;
	struct aes67_sap_span o[AES67_SAP_O_FIELDS];
};

static int check_incoming(struct aes67_sap_cache *cache, const struct aes67_sap_msg *msg,
			  struct incoming *in)
{
	if (msg->origin.family != 4 && msg->origin.family != 6) {
		cache->stats.refused_malformed++;
		return -AES67_EMALFORMED;
	}
	if (msg->payload_bytes > AES67_SAP_SDP_MAX_BYTES) {
		cache->stats.refused_too_big++;
		return -EMSGSIZE;
	}
	/* SDP is text without NUL (RFC 8866 §5); we store it as a C string. */
	if (!msg->payload || msg->payload_bytes == 0 ||
	    memchr(msg->payload, 0, msg->payload_bytes)) {
		cache->stats.refused_malformed++;
		return -AES67_EMALFORMED;
	}
	in->msg = msg;
	in->sdp = (const char *)msg->payload;
	in->has_o = find_o(in->sdp, msg->payload_bytes, in->o);
	return 0;
}

/* Same session per the announce rule (file comment). */
static bool same_session(const struct aes67_sap_entry *e, const struct incoming *in)
{
	if (!aes67_sap_origin_equal(&e->origin, &in->msg->origin)) {
		return false;
	}
	if (e->has_o && in->has_o) {
		return o_identity_equal(e->sdp, e->o, in->sdp, in->o);
	}
	return e->msg_id_hash == in->msg->msg_id_hash;
}

static void emit(struct aes67_sap_cache *cache, enum aes67_sap_event ev,
		 const struct aes67_sap_entry *e)
{
	if (cache->on_event) {
		cache->on_event(cache->user, ev, e);
	}
}

static void store(struct aes67_sap_entry *e, const struct incoming *in)
{
	size_t n = in->msg->payload_bytes;

	memcpy(e->sdp, in->sdp, n);
	e->sdp[n] = '\0';
	e->sdp_bytes = n;
	e->msg_id_hash = in->msg->msg_id_hash;
	e->has_o = in->has_o;
	memcpy(e->o, in->o, sizeof(e->o));
}

static void release(struct aes67_sap_cache *cache, struct aes67_sap_entry *e)
{
	e->in_use = false;
	e->sdp_bytes = 0;
	e->sdp[0] = '\0';
	cache->count--;
}

int aes67_sap_cache_init(struct aes67_sap_cache *cache, struct aes67_sap_entry *entries,
			 size_t capacity, uint64_t timeout_ns, aes67_sap_event_fn on_event,
			 void *user)
{
	if (!cache || !entries || capacity == 0 || timeout_ns == 0) {
		return -EINVAL;
	}
	*cache = (struct aes67_sap_cache){
		.entries = entries,
		.capacity = capacity,
		.timeout_ns = timeout_ns,
		.on_event = on_event,
		.user = user,
	};
	for (size_t i = 0; i < capacity; i++) {
		entries[i].in_use = false;
		entries[i].sdp_bytes = 0;
		entries[i].sdp[0] = '\0';
	}
	return 0;
}

int aes67_sap_cache_announce(struct aes67_sap_cache *cache, const struct aes67_sap_msg *msg,
			     uint64_t now_ns)
{
	struct incoming in;
	struct aes67_sap_entry *free_slot = NULL;

	if (!cache || !msg) {
		return -EINVAL;
	}
	int r = check_incoming(cache, msg, &in);
	if (r < 0) {
		return r;
	}
	for (size_t i = 0; i < cache->capacity; i++) {
		struct aes67_sap_entry *e = &cache->entries[i];

		if (!e->in_use) {
			if (!free_slot) {
				free_slot = e;
			}
			continue;
		}
		if (!same_session(e, &in)) {
			continue;
		}
		e->last_seen_ns = now_ns;
		e->announcements++;
		if (e->sdp_bytes == msg->payload_bytes &&
		    memcmp(e->sdp, in.sdp, msg->payload_bytes) == 0) {
			/* Same text; a new hash alone is not a change worth an event. */
			e->msg_id_hash = msg->msg_id_hash;
			cache->stats.refreshed++;
			return AES67_SAP_EVENT_NONE;
		}
		store(e, &in);
		cache->stats.updated++;
		emit(cache, AES67_SAP_EVENT_UPDATED, e);
		return AES67_SAP_EVENT_UPDATED;
	}
	/* Full: refuse rather than evict (see sap.h); expiry makes room. */
	if (!free_slot) {
		cache->stats.refused_full++;
		return -AES67_ENOSPACE;
	}
	free_slot->in_use = true;
	free_slot->origin = msg->origin;
	free_slot->first_seen_ns = now_ns;
	free_slot->last_seen_ns = now_ns;
	free_slot->announcements = 1;
	store(free_slot, &in);
	cache->count++;
	cache->stats.added++;
	emit(cache, AES67_SAP_EVENT_ADDED, free_slot);
	return AES67_SAP_EVENT_ADDED;
}

int aes67_sap_cache_delete(struct aes67_sap_cache *cache, const struct aes67_sap_msg *msg,
			   uint64_t now_ns)
{
	struct incoming in;
	bool suspicious = false;

	(void)now_ns;
	if (!cache || !msg) {
		return -EINVAL;
	}
	int r = check_incoming(cache, msg, &in);
	if (r < 0) {
		return r;
	}
	for (size_t i = 0; i < cache->capacity; i++) {
		struct aes67_sap_entry *e = &cache->entries[i];

		if (!e->in_use) {
			continue;
		}
		bool o_known = e->has_o && in.has_o;
		bool hash_match = e->msg_id_hash == msg->msg_id_hash;
		bool origin_match = aes67_sap_origin_equal(&e->origin, &msg->origin);
		/* Does the deletion name this session? By o= identity if known, else by hash. */
		bool names_it = o_known ? o_identity_equal(e->sdp, e->o, in.sdp, in.o) : hash_match;

		if (origin_match && hash_match && names_it) {
			cache->stats.deleted++;
			emit(cache, AES67_SAP_EVENT_DELETED, e);
			release(cache, e);
			return AES67_SAP_EVENT_DELETED;
		}
		/*
		 * Names it from another origin (forged?), or matches origin and hash but carries
		 * another o= identity, or names it from its origin with a stale hash: refuse.
		 */
		if (names_it || (origin_match && hash_match)) {
			suspicious = true;
		}
	}
	if (suspicious) {
		cache->stats.deletions_refused++;
		return -EPERM;
	}
	cache->stats.deletions_unknown++;
	return -AES67_ENOTFOUND;
}

int aes67_sap_cache_handle(struct aes67_sap_cache *cache, const struct aes67_sap_msg *msg,
			   uint64_t now_ns)
{
	if (!msg) {
		return -EINVAL;
	}
	return msg->deletion ? aes67_sap_cache_delete(cache, msg, now_ns)
			     : aes67_sap_cache_announce(cache, msg, now_ns);
}

static bool expired(const struct aes67_sap_cache *cache, const struct aes67_sap_entry *e,
		    uint64_t now_ns)
{
	return now_ns >= e->last_seen_ns && now_ns - e->last_seen_ns >= cache->timeout_ns;
}

size_t aes67_sap_cache_expire(struct aes67_sap_cache *cache, uint64_t now_ns)
{
	size_t n = 0;

	if (!cache) {
		return 0;
	}
	for (size_t i = 0; i < cache->capacity; i++) {
		struct aes67_sap_entry *e = &cache->entries[i];

		if (e->in_use && expired(cache, e, now_ns)) {
			cache->stats.expired++;
			emit(cache, AES67_SAP_EVENT_EXPIRED, e);
			release(cache, e);
			n++;
		}
	}
	return n;
}

uint64_t aes67_sap_cache_next_expiry_ns(const struct aes67_sap_cache *cache)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; cache && i < cache->capacity; i++) {
		const struct aes67_sap_entry *e = &cache->entries[i];

		if (!e->in_use) {
			continue;
		}
		uint64_t t = e->last_seen_ns > UINT64_MAX - cache->timeout_ns
				     ? UINT64_MAX
				     : e->last_seen_ns + cache->timeout_ns;
		if (t < next) {
			next = t;
		}
	}
	return next;
}

const struct aes67_sap_entry *aes67_sap_cache_find(const struct aes67_sap_cache *cache,
						   const struct aes67_sap_origin *origin,
						   uint16_t msg_id_hash)
{
	if (!cache || !origin) {
		return NULL;
	}
	for (size_t i = 0; i < cache->capacity; i++) {
		const struct aes67_sap_entry *e = &cache->entries[i];

		if (e->in_use && e->msg_id_hash == msg_id_hash &&
		    aes67_sap_origin_equal(&e->origin, origin)) {
			return e;
		}
	}
	return NULL;
}

const struct aes67_sap_entry *aes67_sap_cache_next(const struct aes67_sap_cache *cache,
						   size_t *cursor)
{
	if (!cache || !cursor) {
		return NULL;
	}
	while (*cursor < cache->capacity) {
		const struct aes67_sap_entry *e = &cache->entries[(*cursor)++];

		if (e->in_use) {
			return e;
		}
	}
	return NULL;
}
