// SPDX-License-Identifier: MIT
/*
 * The SAP announcer (see sap_announcer.h): diffs the engine's list of transmit sessions against
 * what is being announced, and encodes announcements and deletions with the core SAP codec.
 * Sessions are identified by their stream name; the wire identity is (origin, msg id hash) as
 * RFC 2974 §5 defines it.
 */
#include <errno.h>
#include <string.h>

#include "aes67/error.h"
#include "daemon.h"
#include "sap_announcer.h"

int aes67d_sap_announcer_init(struct aes67d_sap_announcer *ann,
			      const struct aes67_sap_origin *origin, uint32_t interval_s,
			      aes67d_sap_send_fn send, aes67d_sap_random_fn random, void *user)
{
	if (ann == NULL || origin == NULL || send == NULL || random == NULL || interval_s == 0 ||
	    (origin->family != 4 && origin->family != 6)) {
		return -EINVAL;
	}
	memset(ann, 0, sizeof(*ann));
	ann->origin = *origin;
	ann->interval_s = interval_s;
	ann->send = send;
	ann->random = random;
	ann->user = user;
	return 0;
}

/* Encodes and sends one packet for @s; returns 1 if sent, 0 if not. */
static int send_one(struct aes67d_sap_announcer *ann, const struct aes67d_sap_announced *s,
		    bool deletion)
{
	struct aes67_sap_msg msg = {
		.origin = ann->origin,
		.msg_id_hash = s->msg_id_hash,
		.deletion = deletion,
		.payload = (const uint8_t *)s->sdp,
		.payload_bytes = s->sdp_bytes,
	};
	int len = aes67_sap_encode(ann->pkt, sizeof(ann->pkt), &msg);

	if (len < 0 || ann->send(ann->user, ann->pkt, (size_t)len, s->ttl) < 0) {
		ann->stats.send_errors++;
		return 0;
	}
	if (deletion) {
		ann->stats.deletions++;
	} else {
		ann->stats.announcements++;
	}
	return 1;
}

static int announce_now(struct aes67d_sap_announcer *ann, struct aes67d_sap_announced *s,
			uint64_t now_ns)
{
	int sent = send_one(ann, s, false);

	s->last_sent_ns = now_ns;
	s->next_ns = aes67_sap_next_announce_ns(now_ns, ann->interval_s, ann->random(ann->user));
	return sent;
}

/* Sends the deletion of @s and frees its slot. */
static int delete_one(struct aes67d_sap_announcer *ann, struct aes67d_sap_announced *s)
{
	int sent = send_one(ann, s, true);

	memset(s, 0, sizeof(*s));
	return sent;
}

/*
 * Checks an SDP for announcement and finds its TTL: it must fit the SAP cache limit that
 * receivers like ours apply, and parse. The TTL is that of the first media section's c= (media
 * level, else session level), RFC 2974 §3.
 */
static int check_sdp(struct aes67d_sap_announcer *ann, const struct aes67d_announce_item *it,
		     uint8_t *ttl)
{
	const struct aes67_sdp_conn *c = NULL;

	if (it->sdp_bytes == 0 || it->sdp_bytes > AES67_SAP_SDP_MAX_BYTES ||
	    it->sdp_bytes >= sizeof(it->sdp)) {
		ann->stats.refused_big += it->sdp_bytes != 0;
		ann->stats.refused_sdp += it->sdp_bytes == 0;
		return -EMSGSIZE;
	}
	if (aes67_sdp_parse(&ann->scratch, it->sdp, it->sdp_bytes, NULL) < 0) {
		ann->stats.refused_sdp++;
		return -AES67_EMALFORMED;
	}
	if (ann->scratch.n_media > 0) {
		c = aes67_sdp_media_conn(&ann->scratch, &ann->scratch.media[0]);
	} else if (ann->scratch.lv.conn.addrtype != AES67_SDP_ADDR_NONE) {
		c = &ann->scratch.lv.conn;
	}
	*ttl = c != NULL && c->has_ttl && c->ttl > 0 ? c->ttl : AES67D_SAP_DEFAULT_TTL;
	return 0;
}

static struct aes67d_sap_announced *find(struct aes67d_sap_announcer *ann, const char *name)
{
	for (size_t i = 0; i < AES67D_SAP_MAX_ANNOUNCED; i++) {
		if (ann->sessions[i].in_use && strcmp(ann->sessions[i].name, name) == 0) {
			return &ann->sessions[i];
		}
	}
	return NULL;
}

static bool listed(const struct aes67d_announce_item *items, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strncmp(items[i].name, name, sizeof(items[i].name)) == 0) {
			return true;
		}
	}
	return false;
}

/* Adds or updates the session of one item; returns packets sent. */
static int sync_item(struct aes67d_sap_announcer *ann, const struct aes67d_announce_item *it,
		     uint64_t now_ns)
{
	struct aes67d_sap_announced *s;
	uint16_t hash;
	uint8_t ttl;
	int sent = 0;

	if (memchr(it->name, '\0', sizeof(it->name)) == NULL || it->name[0] == '\0') {
		ann->stats.refused_sdp++;
		return 0;
	}
	s = find(ann, it->name);
	if (s != NULL && s->sdp_bytes == it->sdp_bytes &&
	    memcmp(s->sdp, it->sdp, s->sdp_bytes) == 0) {
		return 0; /* unchanged */
	}
	if (check_sdp(ann, it, &ttl) < 0) {
		/* Not announceable: withdraw an older version instead of leaving it stale. */
		return s != NULL ? delete_one(ann, s) : 0;
	}
	hash = aes67_sap_msg_id_hash((const uint8_t *)it->sdp, it->sdp_bytes);
	if (s == NULL) {
		for (size_t i = 0; i < AES67D_SAP_MAX_ANNOUNCED && s == NULL; i++) {
			if (!ann->sessions[i].in_use) {
				s = &ann->sessions[i];
			}
		}
		if (s == NULL) {
			ann->stats.refused_full++;
			return 0;
		}
		memset(s, 0, sizeof(*s));
		s->in_use = true;
		memcpy(s->name, it->name, sizeof(s->name));
	} else if (hash == s->msg_id_hash) {
		/* RFC 2974 §5: a modified announcement must carry a new hash. */
		hash = (uint16_t)(hash + 1u) == 0 ? 1 : (uint16_t)(hash + 1u);
	}
	s->msg_id_hash = hash;
	s->ttl = ttl;
	memcpy(s->sdp, it->sdp, it->sdp_bytes);
	s->sdp[it->sdp_bytes] = '\0';
	s->sdp_bytes = it->sdp_bytes;
	sent += announce_now(ann, s, now_ns);
	return sent;
}

int aes67d_sap_announcer_sync(struct aes67d_sap_announcer *ann,
			      const struct aes67d_announce_item *items, size_t n, uint64_t now_ns)
{
	int sent = 0;

	if (items == NULL) {
		n = 0;
	}
	for (size_t i = 0; i < AES67D_SAP_MAX_ANNOUNCED; i++) {
		struct aes67d_sap_announced *s = &ann->sessions[i];

		if (s->in_use && !listed(items, n, s->name)) {
			sent += delete_one(ann, s);
		}
	}
	for (size_t i = 0; i < n; i++) {
		sent += sync_item(ann, &items[i], now_ns);
	}
	return sent;
}

int aes67d_sap_announcer_tick(struct aes67d_sap_announcer *ann, uint64_t now_ns)
{
	int sent = 0;

	for (size_t i = 0; i < AES67D_SAP_MAX_ANNOUNCED; i++) {
		struct aes67d_sap_announced *s = &ann->sessions[i];

		if (s->in_use && now_ns >= s->next_ns) {
			sent += announce_now(ann, s, now_ns);
		}
	}
	return sent;
}

uint64_t aes67d_sap_announcer_next_ns(const struct aes67d_sap_announcer *ann)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < AES67D_SAP_MAX_ANNOUNCED; i++) {
		if (ann->sessions[i].in_use && ann->sessions[i].next_ns < next) {
			next = ann->sessions[i].next_ns;
		}
	}
	return next;
}

int aes67d_sap_announcer_stop(struct aes67d_sap_announcer *ann)
{
	int sent = 0;

	for (size_t i = 0; i < AES67D_SAP_MAX_ANNOUNCED; i++) {
		if (ann->sessions[i].in_use) {
			sent += delete_one(ann, &ann->sessions[i]);
		}
	}
	return sent;
}

size_t aes67d_sap_announcer_count(const struct aes67d_sap_announcer *ann)
{
	size_t n = 0;

	for (size_t i = 0; i < AES67D_SAP_MAX_ANNOUNCED; i++) {
		n += ann->sessions[i].in_use;
	}
	return n;
}
