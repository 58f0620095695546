// SPDX-License-Identifier: MIT
/*
 * The SAP thread of aes67d (see sap_daemon.h). It sleeps in poll() until the next announcement,
 * the next cache expiry, the next look at the engine's session list (every 500 ms) or a datagram,
 * whichever is first. The thread is not RT: it locks, allocates at start and logs (rate limited
 * for anything a remote host can trigger).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/random.h>

#include "aes67/error.h"
#include "daemon.h"
#include "log.h"
#include "sap_announcer.h"
#include "sap_daemon.h"
#include "sap_listener.h"
#include "sap_socket.h"
#include "sap_summary.h"

#define SYNC_PERIOD_NS 500000000ull /* how often the engine's transmit list is compared */
#define RECV_BURST 64		    /* datagrams handled per wake-up before timers run again */
#define NS_PER_S 1000000000ull

struct aes67d_sap {
	struct aes67d *d;
	pthread_mutex_t lock; /* announcer stats, listener (cache and stats), counters below */
	pthread_t thread;
	atomic_bool started;
	atomic_bool stopping;
	int wake_fd;
	uint32_t interval_s;
	uint32_t timeout_s;
	uint32_t rng;
	uint64_t wrong_interface; /* datagrams for another interface/destination, dropped */
	uint64_t recv_errors;
	struct aes67d_sap_socket sock;
	struct aes67d_ratelimit rl_drop;
	struct aes67d_ratelimit rl_event;
	struct aes67d_sap_announcer ann;
	struct aes67d_sap_listener listener;
	struct aes67_sap_entry entries[AES67D_SAP_CACHE_CAPACITY];
	struct aes67d_announce_item items[AES67D_MAX_STREAMS];
	uint8_t buf[4096];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

int aes67d_sap_parse_uint(const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (text == NULL || text[0] == '\0') {
		return -AES67_EMALFORMED;
	}
	for (const char *p = text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			return -AES67_EMALFORMED;
		}
		v = v * 10u + (uint64_t)(*p - '0');
		if (v > max) {
			return -AES67_ERANGE;
		}
	}
	if (v < min) {
		return -AES67_ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

static int env_setting(const char *name, uint32_t min, uint32_t max, uint32_t *out, char *err,
		       size_t err_bytes)
{
	const char *v = getenv(name);
	int r;

	if (v == NULL) {
		return 0;
	}
	r = aes67d_sap_parse_uint(v, min, max, out);
	if (r < 0) {
		snprintf(err, err_bytes,
			 "%s=\"%.32s\": must be a whole number of seconds in %u..%u", name, v, min,
			 max);
	}
	return r;
}

static void on_event(void *user, enum aes67_sap_event ev, const struct aes67_sap_entry *e)
{
	static const char *const names[] = {"refreshed", "added", "updated", "deleted", "expired"};
	struct aes67d_sap *sap = user;
	char origin[48];

	if (ev == AES67_SAP_EVENT_NONE || (unsigned)ev >= AES67_ARRAY_SIZE(names)) {
		return;
	}
	aes67d_sap_origin_text(&e->origin, origin, sizeof(origin));
	aes67d_log_ratelimited(&sap->rl_event, mono_ns(), AES67D_LOG_INFO,
			       "SAP: session from %s (hash 0x%04x) %s", origin, e->msg_id_hash,
			       names[ev]);
}

/* Looks a discovered session up by its s= name (d->links.session_lookup). */
static int session_lookup(struct aes67d *d, const char *name, char *sdp, size_t sdp_cap)
{
	struct aes67d_sap *sap = d->sap;
	const struct aes67_sap_entry *best = NULL, *e;
	struct aes67d_sap_summary sum;
	size_t cursor = 0;
	int r = -ENOENT;

	if (sap == NULL || name == NULL || sdp == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&sap->lock);
	while ((e = aes67_sap_cache_next(&sap->listener.cache, &cursor)) != NULL) {
		if (aes67d_sap_summarize(e->sdp, e->sdp_bytes, &sum) == 0 && sum.parsed &&
		    strcmp(sum.name, name) == 0 &&
		    (best == NULL || e->last_seen_ns > best->last_seen_ns)) {
			best = e; /* the most recently announced of equal names */
		}
	}
	if (best != NULL) {
		if (best->sdp_bytes >= sdp_cap) {
			r = -AES67_ENOSPACE;
		} else {
			memcpy(sdp, best->sdp, best->sdp_bytes);
			sdp[best->sdp_bytes] = '\0';
			r = (int)best->sdp_bytes;
		}
	}
	pthread_mutex_unlock(&sap->lock);
	return r;
}

static int send_cb(void *user, const uint8_t *pkt, size_t len, unsigned ttl)
{
	struct aes67d_sap *sap = user;

	return aes67d_sap_socket_send(&sap->sock, pkt, len, ttl);
}

static uint32_t random_cb(void *user)
{
	struct aes67d_sap *sap = user;
	uint32_t x = sap->rng;

	/* xorshift32 (Marsaglia 2003): enough to de-synchronise announcers (RFC 2974 §3.1). */
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	sap->rng = x;
	return x;
}

int aes67d_sap_create(struct aes67d_sap **out, struct aes67d *d, char *err, size_t err_bytes)
{
	struct aes67d_sap *sap = calloc(1, sizeof(*sap));
	struct aes67_sap_config cfg;
	int r;

	if (sap == NULL) {
		snprintf(err, err_bytes, "SAP: out of memory");
		return -ENOMEM;
	}
	aes67_sap_config_init(&cfg);
	sap->d = d;
	sap->wake_fd = -1;
	sap->sock.fd = -1;
	sap->interval_s = cfg.interval_s;
	if ((r = env_setting("AES67D_SAP_INTERVAL_S", 1, 3600, &sap->interval_s, err, err_bytes)) <
		    0 ||
	    (r = env_setting("AES67D_SAP_TIMEOUT_S", 1, 86400, &sap->timeout_s, err, err_bytes)) <
		    0) {
		free(sap);
		return r;
	}
	if (sap->timeout_s == 0) {
		sap->timeout_s = aes67_sap_timeout_s(&cfg, sap->interval_s);
	}
	if (getrandom(&sap->rng, sizeof(sap->rng), 0) != sizeof(sap->rng) || sap->rng == 0) {
		sap->rng = (uint32_t)mono_ns() | 1u;
	}
	sap->rl_drop.interval_ns = 10 * NS_PER_S;
	sap->rl_drop.burst = 5;
	sap->rl_event.interval_ns = 10 * NS_PER_S;
	sap->rl_event.burst = 20;
	r = aes67d_sap_listener_init(&sap->listener, sap->entries, AES67D_SAP_CACHE_CAPACITY,
				     (uint64_t)sap->timeout_s * NS_PER_S, on_event, sap);
	if (r < 0 || pthread_mutex_init(&sap->lock, NULL) != 0) {
		snprintf(err, err_bytes, "SAP: cannot initialise the session cache");
		free(sap);
		return r < 0 ? r : -ENOMEM;
	}
	*out = sap;
	d->links.session_lookup = session_lookup;
	return 0;
}

static void log_drop(struct aes67d_sap *sap, int r, const struct aes67_sap_origin *src,
		     uint64_t now)
{
	char origin[48];

	aes67d_sap_origin_text(src, origin, sizeof(origin));
	aes67d_log_ratelimited(&sap->rl_drop, now, AES67D_LOG_INFO,
			       "SAP: dropped a packet from %s: %s", origin, aes67_strerror(r));
}

static void receive(struct aes67d_sap *sap)
{
	for (int i = 0; i < RECV_BURST; i++) {
		struct aes67_sap_origin src;
		bool truncated = false;
		uint64_t now = mono_ns();
		int n = aes67d_sap_socket_recv(&sap->sock, sap->buf, sizeof(sap->buf), &src,
					       &truncated);
		int r;

		if (n == -EAGAIN) {
			return;
		}
		pthread_mutex_lock(&sap->lock);
		if (n == -EXDEV) {
			sap->wrong_interface++;
			pthread_mutex_unlock(&sap->lock);
			continue;
		}
		if (n < 0) {
			sap->recv_errors++;
			pthread_mutex_unlock(&sap->lock);
			return;
		}
		if (truncated) {
			aes67d_sap_listener_oversize(&sap->listener);
			r = -EMSGSIZE;
		} else {
			r = aes67d_sap_listener_handle(&sap->listener, sap->buf, (size_t)n, &src,
						       now);
		}
		pthread_mutex_unlock(&sap->lock);
		if (r < 0 && r != -AES67_ENOTFOUND) {
			log_drop(sap, r, &src, now);
		}
	}
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void *sap_thread(void *arg)
{
	struct aes67d_sap *sap = arg;
	struct aes67d *d = sap->d;
	uint64_t next_sync = 0;

	while (!atomic_load(&sap->stopping)) {
		struct pollfd pfd[2] = {{.fd = sap->sock.fd, .events = POLLIN},
					{.fd = sap->wake_fd, .events = POLLIN}};
		uint64_t now = mono_ns(), deadline;
		int timeout_ms;

		if (now >= next_sync) {
			int n = d->links.announce_list != NULL
					? d->links.announce_list(d, sap->items,
								 AES67_ARRAY_SIZE(sap->items))
					: 0;

			pthread_mutex_lock(&sap->lock);
			aes67d_sap_announcer_sync(&sap->ann, sap->items, n > 0 ? (size_t)n : 0,
						  now);
			pthread_mutex_unlock(&sap->lock);
			next_sync = now + SYNC_PERIOD_NS;
		}
		pthread_mutex_lock(&sap->lock);
		aes67d_sap_announcer_tick(&sap->ann, now);
		aes67_sap_cache_expire(&sap->listener.cache, now);
		deadline = min_u64(next_sync, aes67d_sap_announcer_next_ns(&sap->ann));
		deadline = min_u64(deadline, aes67_sap_cache_next_expiry_ns(&sap->listener.cache));
		pthread_mutex_unlock(&sap->lock);
		timeout_ms = deadline <= now ? 0 : (int)((deadline - now + 999999u) / 1000000u);
		if (poll(pfd, 2, timeout_ms) > 0 && (pfd[0].revents & POLLIN) != 0) {
			receive(sap);
		}
	}
	pthread_mutex_lock(&sap->lock);
	aes67d_sap_announcer_stop(&sap->ann);
	pthread_mutex_unlock(&sap->lock);
	return NULL;
}

int aes67d_sap_start(struct aes67d_sap *sap, char *err, size_t err_bytes)
{
	struct aes67_sap_origin origin;
	int r;

	r = aes67d_sap_socket_open(&sap->sock, sap->d->config.interface, err, err_bytes);
	if (r < 0) {
		return r;
	}
	aes67d_sap_socket_origin(&sap->sock, &origin);
	r = aes67d_sap_announcer_init(&sap->ann, &origin, sap->interval_s, send_cb, random_cb, sap);
	if (r < 0) {
		snprintf(err, err_bytes, "SAP: announcer setup failed");
		goto out_sock;
	}
	sap->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (sap->wake_fd < 0) {
		r = -errno;
		snprintf(err, err_bytes, "SAP: eventfd: %s", strerror(errno));
		goto out_sock;
	}
	r = -pthread_create(&sap->thread, NULL, sap_thread, sap);
	if (r < 0) {
		snprintf(err, err_bytes, "SAP: cannot start thread: %s", strerror(-r));
		goto out_wake;
	}
	atomic_store(&sap->started, true);
	(void)pthread_setname_np(sap->thread, "aes67d-sap");
	aes67d_log(AES67D_LOG_INFO, "SAP: announcing every %u s, session timeout %u s, on %s",
		   sap->interval_s, sap->timeout_s, sap->d->config.interface);
	return 0;
out_wake:
	close(sap->wake_fd);
	sap->wake_fd = -1;
out_sock:
	aes67d_sap_socket_close(&sap->sock);
	return r;
}

void aes67d_sap_stop(struct aes67d_sap *sap)
{
	uint64_t one = 1;

	if (sap == NULL || !atomic_load(&sap->started)) {
		return;
	}
	atomic_store(&sap->stopping, true);
	if (write(sap->wake_fd, &one, sizeof(one)) < 0) {
		aes67d_log(AES67D_LOG_WARNING, "SAP: cannot wake the thread: %s", strerror(errno));
	}
	pthread_join(sap->thread, NULL);
	atomic_store(&sap->started, false);
	close(sap->wake_fd);
	sap->wake_fd = -1;
	aes67d_sap_socket_close(&sap->sock);
}

void aes67d_sap_free(struct aes67d_sap *sap)
{
	if (sap == NULL) {
		return;
	}
	aes67d_sap_stop(sap);
	sap->d->links.session_lookup = NULL;
	pthread_mutex_destroy(&sap->lock);
	free(sap);
}

json_t *aes67d_sap_sessions_json(struct aes67d_sap *sap, bool with_sdp, const char *name)
{
	const struct aes67_sap_entry *e;
	json_t *arr = json_array();
	size_t cursor = 0;
	uint64_t now = mono_ns();

	if (arr == NULL) {
		return NULL;
	}
	pthread_mutex_lock(&sap->lock);
	while ((e = aes67_sap_cache_next(&sap->listener.cache, &cursor)) != NULL) {
		json_t *o = aes67d_sap_entry_json(e, now, with_sdp);
		const char *n = json_string_value(json_object_get(o, "name"));

		if (o != NULL && name != NULL && (n == NULL || strcmp(n, name) != 0)) {
			json_decref(o);
			continue;
		}
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			arr = NULL;
			break;
		}
	}
	pthread_mutex_unlock(&sap->lock);
	return arr;
}

json_t *aes67d_sap_status_json(struct aes67d_sap *sap)
{
	const struct aes67d_sap_announcer_stats *a = &sap->ann.stats;
	const struct aes67d_sap_listener_stats *l = &sap->listener.stats;
	const struct aes67_sap_cache_stats *c = &sap->listener.cache.stats;
	json_t *o;

	pthread_mutex_lock(&sap->lock);
	o = json_pack("{s:b, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I, "
		      "s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
		      "s:I}}",
		      "running", (int)atomic_load(&sap->started), "interval_s",
		      (json_int_t)sap->interval_s, "timeout_s", (json_int_t)sap->timeout_s,
		      "announced", (json_int_t)aes67d_sap_announcer_count(&sap->ann), "sessions",
		      (json_int_t)sap->listener.cache.count, "sent", "announcements",
		      (json_int_t)a->announcements, "deletions", (json_int_t)a->deletions,
		      "send_errors", (json_int_t)a->send_errors, "refused_big",
		      (json_int_t)a->refused_big, "refused_sdp", (json_int_t)a->refused_sdp,
		      "refused_full", (json_int_t)a->refused_full, "received", "packets",
		      (json_int_t)l->received, "added", (json_int_t)c->added, "updated",
		      (json_int_t)c->updated, "refreshed", (json_int_t)c->refreshed, "deleted",
		      (json_int_t)c->deleted, "expired", (json_int_t)c->expired, "dropped",
		      "malformed", (json_int_t)l->malformed, "encrypted", (json_int_t)l->encrypted,
		      "compressed", (json_int_t)l->compressed, "other_payload",
		      (json_int_t)l->other_payload, "oversize", (json_int_t)l->oversize, "full",
		      (json_int_t)l->full, "forged_deletion", (json_int_t)l->forged_deletion,
		      "unknown_deletion", (json_int_t)l->unknown_deletion, "wrong_interface",
		      (json_int_t)sap->wrong_interface, "recv_errors", (json_int_t)sap->recv_errors,
		      "malformed_cache", (json_int_t)c->refused_malformed);
	pthread_mutex_unlock(&sap->lock);
	return o;
}
