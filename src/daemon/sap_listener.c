// SPDX-License-Identifier: MIT
/*
 * SAP listener logic (see sap_listener.h): decoder refusals and cache refusals mapped to one
 * counter each, plus the source-address rule for deletions.
 */
#include <errno.h>
#include <string.h>

#include "aes67/error.h"
#include "sap_listener.h"

int aes67d_sap_listener_init(struct aes67d_sap_listener *l, struct aes67_sap_entry *entries,
			     size_t capacity, uint64_t timeout_ns, aes67_sap_event_fn on_event,
			     void *user)
{
	if (l == NULL) {
		return -EINVAL;
	}
	memset(&l->stats, 0, sizeof(l->stats));
	return aes67_sap_cache_init(&l->cache, entries, capacity, timeout_ns, on_event, user);
}

static int count_decode_error(struct aes67d_sap_listener *l, int r)
{
	switch (-r) {
	case AES67_EENCRYPTED:
		l->stats.encrypted++;
		break;
	case AES67_ECOMPRESSED:
		l->stats.compressed++;
		break;
	case AES67_EPAYLOADTYPE:
		l->stats.other_payload++;
		break;
	default:
		l->stats.malformed++;
		break;
	}
	return r;
}

static int count_cache_error(struct aes67d_sap_listener *l, int r)
{
	switch (-r) {
	case EMSGSIZE:
		l->stats.oversize++;
		break;
	case AES67_ENOSPACE:
		l->stats.full++;
		break;
	case EPERM:
		l->stats.forged_deletion++;
		break;
	case AES67_ENOTFOUND:
		l->stats.unknown_deletion++;
		break;
	default:
		l->stats.malformed++;
		break;
	}
	return r;
}

int aes67d_sap_listener_handle(struct aes67d_sap_listener *l, const uint8_t *buf, size_t len_bytes,
			       const struct aes67_sap_origin *src, uint64_t now_ns)
{
	struct aes67_sap_msg msg;
	int r;

	if (l == NULL || buf == NULL || src == NULL) {
		return -EINVAL;
	}
	l->stats.received++;
	r = aes67_sap_decode(&msg, buf, len_bytes);
	if (r < 0) {
		return count_decode_error(l, r);
	}
	if (msg.deletion && !aes67_sap_origin_equal(&msg.origin, src)) {
		l->stats.forged_deletion++;
		return -EPERM;
	}
	r = aes67_sap_cache_handle(&l->cache, &msg, now_ns);
	return r < 0 ? count_cache_error(l, r) : r;
}

void aes67d_sap_listener_oversize(struct aes67d_sap_listener *l)
{
	l->stats.received++;
	l->stats.oversize++;
}
