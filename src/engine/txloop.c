// SPDX-License-Identifier: MIT
/*
 * The TX thread of the engine: paces every transmit stream to absolute media-clock deadlines
 * and sends all packets due in a pass with one sendmmsg (engine.h explains the clock scheme).
 * RT rules: no allocation, no locks, no logging; problems become events (log.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "aes67/clock_page.h"
#include "engine_impl.h"

#define NS_PER_S 1000000000ull
#define IDLE_WAIT_NS 10000000ull /* with nothing to send, look for commands every 10 ms */

static void tx_commands(struct aes67d_engine *e, uint64_t now_ptp)
{
	struct engine_cmd c;

	while (aes67d_cmdq_pop(&e->txt.cmdq, &c, sizeof(c)) == 0) {
		struct aes67d_tx_stream *s = c.stream;

		if (c.op == ENGINE_CMD_ADD && e->n_tx_active < AES67D_ENGINE_MAX_STREAMS) {
			uint64_t now_pos = 0;

			if (aes67_clock_page_ptp_to_frame(now_ptp, s->p.rate_hz, &now_pos) < 0) {
				now_pos = 0;
			}
			s->next_pos = aes67d_tx_first_pos(&s->p, now_pos);
			atomic_store_explicit(&s->c.next_pos, s->next_pos, memory_order_relaxed);
			e->tx_active[e->n_tx_active++] = s;
			atomic_store_explicit(&s->state, AES67D_STREAM_ACTIVE,
					      memory_order_release);
		} else if (c.op == ENGINE_CMD_REMOVE) {
			for (uint32_t i = 0; i < e->n_tx_active; i++) {
				if (e->tx_active[i] == s) {
					e->tx_active[i] = e->tx_active[--e->n_tx_active];
					break;
				}
			}
			atomic_store_explicit(&s->state, AES67D_STREAM_DETACHED,
					      memory_order_release);
		} else {
			aes67d_events_push(&e->txt.events, AES67D_EV_CMD_REFUSED, s->index, -ENOSPC,
					   now_ptp);
		}
	}
}

/*
 * The TTL and TOS the shared TX socket carries (set once at open, net.c); read back at thread
 * start so a stream that uses them needs no per-packet control messages. Measured on the
 * 128 x 128 benchmark (docs/bench-engine.md): two cmsgs per datagram cost the kernel a
 * cmsg walk and a cork set-up per packet.
 */
struct sock_defaults {
	int ttl, tos; /* -1: unknown, always send the cmsgs */
};

static int get_int_opt(int fd, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);

	return getsockopt(fd, IPPROTO_IP, name, &v, &l) == 0 && l == sizeof(v) ? v : -1;
}

/* Unicast (IP_TTL) and multicast (IP_MULTICAST_TTL) TTLs must agree to stand for a stream's. */
static void read_socket_defaults(int fd, struct sock_defaults *d)
{
	int mc = get_int_opt(fd, IP_MULTICAST_TTL), uc = get_int_opt(fd, IP_TTL);

	d->ttl = mc == uc ? mc : -1;
	d->tos = get_int_opt(fd, IP_TOS);
}

/* Per-packet TTL and DSCP (IP_TTL / IP_TOS control messages, ip(7)) when the stream's differ
 * from the socket's. */
static void set_cmsgs(struct msghdr *mh, unsigned char *buf, const struct aes67d_tx_stream *s,
		      const struct sock_defaults *d)
{
	struct cmsghdr *cm;
	int ttl = (int)s->p.ttl, tos = (int)(s->p.dscp << 2);

	if (ttl == d->ttl && tos == d->tos) {
		return;
	}
	mh->msg_control = buf;
	mh->msg_controllen = TX_CMSG_BYTES;
	cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_TTL;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &ttl, sizeof(int));
	cm = CMSG_NXTHDR(mh, cm);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_TOS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &tos, sizeof(int));
}

/* Sends e->tx_msgs[0..n); a datagram the kernel refuses is counted and skipped. */
static void flush(struct aes67d_engine *e, unsigned n, struct aes67d_tx_stream **owner,
		  uint64_t now_ptp)
{
	unsigned done = 0;

	while (done < n) {
		int r = sendmmsg(e->tx_fd, &e->tx_msgs[done], n - done, 0);

		if (r > 0) {
			for (int i = 0; i < r; i++) {
				struct aes67d_tx_stream *s = owner[done + (unsigned)i];

				atomic_fetch_add_explicit(&s->c.packets, 1, memory_order_relaxed);
				atomic_fetch_add_explicit(&s->c.bytes, s->payload_bytes,
							  memory_order_relaxed);
			}
			done += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR) {
			continue;
		}
		atomic_fetch_add_explicit(&owner[done]->c.send_errors, 1, memory_order_relaxed);
		aes67d_events_push(&e->txt.events, AES67D_EV_TX_SEND_FAIL, owner[done]->index,
				   r < 0 ? -errno : -EIO, now_ptp);
		done++;
	}
}

/*
 * Device frames read in this pass, one entry per playback ring: the streams of a device carry
 * channel ranges of the same frames, so the ring (and its per-frame stamps) is read once per
 * packet position and every stream encodes its range from that copy (the 128-channel benchmark
 * read each frame 16 times before, docs/bench-engine.md).
 */
struct tx_shared {
	const struct aes67_ring_dir *play;
	uint64_t pos;
	uint32_t frames;
	int valid;	     /* valid frames, or a negative ring error */
	const int32_t *data; /* the scratch of the stream that read them */
};

static int tx_frames(struct tx_shared *sh, uint32_t *n_sh, struct aes67d_tx_stream *s, uint64_t pos,
		     const int32_t **data)
{
	struct tx_shared *x = NULL;

	for (uint32_t i = 0; i < *n_sh; i++) {
		if (sh[i].play == s->play) {
			x = &sh[i];
			break;
		}
	}
	if (x != NULL && x->pos == pos && x->frames == s->p.frames_per_packet) {
		*data = x->data;
		return x->valid;
	}
	if (x == NULL && *n_sh < AES67D_ENGINE_MAX_DEVICES) {
		x = &sh[(*n_sh)++];
	}
	*data = s->scratch;
	if (x == NULL) {
		return aes67d_tx_read(s, pos);
	}
	x->play = s->play;
	x->pos = pos;
	x->frames = s->p.frames_per_packet;
	x->data = s->scratch;
	x->valid = aes67d_tx_read(s, pos);
	return x->valid;
}

/* Stalled more than 100 ms: jump to the newest due boundary (keeping the packet phase) rather
 * than burst old audio; the skipped frames are counted and reported. */
static void tx_skip_ahead(struct aes67d_engine *e, struct aes67d_tx_stream *s, uint64_t now_pos,
			  uint64_t now_ptp)
{
	const uint64_t fpp = s->p.frames_per_packet;
	uint64_t to = s->next_pos + (now_pos - s->next_pos) / fpp * fpp;

	atomic_fetch_add_explicit(&s->c.skipped_frames, to - s->next_pos, memory_order_relaxed);
	aes67d_events_push(&e->txt.events, AES67D_EV_TX_LATE, s->index,
			   (int64_t)((now_pos - s->next_pos) * NS_PER_S / s->p.rate_hz), now_ptp);
	s->next_pos = to;
}

/* One pass: builds and sends everything due. Returns the earliest next deadline (PTP ns). */
static uint64_t tx_pass(struct aes67d_engine *e, uint64_t now_ptp, const struct sock_defaults *defs)
{
	static struct aes67d_tx_stream *owner[TX_MAX_MSGS];
	struct tx_shared sh[AES67D_ENGINE_MAX_DEVICES];
	uint32_t n_sh = 0;
	uint64_t earliest = now_ptp + IDLE_WAIT_NS;
	unsigned n = 0;

	for (uint32_t i = 0; i < e->n_tx_active; i++) {
		struct aes67d_tx_stream *s = e->tx_active[i];
		const uint64_t fpp = s->p.frames_per_packet;
		uint64_t now_pos = 0, deadline = 0;
		unsigned built = 0;

		if (atomic_load_explicit(&s->state, memory_order_relaxed) != AES67D_STREAM_ACTIVE ||
		    aes67_clock_page_ptp_to_frame(now_ptp, s->p.rate_hz, &now_pos) < 0) {
			continue;
		}
		if (now_pos > s->next_pos + fpp + s->p.rate_hz / 10) {
			tx_skip_ahead(e, s, now_pos, now_ptp);
		} else if (now_pos > s->next_pos + 3 * fpp) {
			atomic_fetch_add_explicit(&s->c.late_ticks, 1, memory_order_relaxed);
		}
		while (s->next_pos + fpp <= now_pos && built < AES67D_TX_BATCH && n < TX_MAX_MSGS &&
		       (s->p.end_pos == 0 || s->next_pos < s->p.end_pos)) {
			const int32_t *dev = NULL;
			int valid = tx_frames(sh, &n_sh, s, s->next_pos, &dev);
			int len = valid < 0 ? valid
					    : aes67d_tx_build_from(s, s->next_pos, dev,
								   (uint32_t)valid, s->pkt[built]);
			struct msghdr *mh = &e->tx_msgs[n].msg_hdr;

			s->next_pos += fpp;
			if (len < 0) {
				aes67d_events_push(&e->txt.events, AES67D_EV_TX_SEND_FAIL, s->index,
						   len, now_ptp);
				continue;
			}
			e->tx_iov[n].iov_base = s->pkt[built];
			e->tx_iov[n].iov_len = (size_t)len;
			memset(mh, 0, sizeof(*mh));
			mh->msg_name = &s->p.dest;
			mh->msg_namelen = sizeof(s->p.dest);
			mh->msg_iov = &e->tx_iov[n];
			mh->msg_iovlen = 1;
			set_cmsgs(mh, e->tx_cmsg[n], s, defs);
			owner[n++] = s;
			built++;
		}
		if (s->p.end_pos != 0 && s->next_pos >= s->p.end_pos) {
			atomic_store_explicit(&s->c.next_pos, s->next_pos, memory_order_relaxed);
			atomic_store_explicit(&s->state, AES67D_STREAM_FINISHED,
					      memory_order_release);
			continue;
		}
		atomic_store_explicit(&s->c.next_pos, s->next_pos, memory_order_relaxed);
		if (aes67_clock_page_frame_to_ptp(s->next_pos + fpp, s->p.rate_hz, &deadline) < 0) {
			continue;
		}
		/*
		 * Batch full and still behind: the next batch comes after one packet time, not at
		 * once, so a thread that cannot keep up (short packet times on a loaded machine)
		 * still sleeps and never starves the threads below its priority; it catches up
		 * AES67D_TX_BATCH - 1 packets per pass.
		 */
		if (deadline <= now_ptp) {
			deadline = now_ptp + fpp * NS_PER_S / s->p.rate_hz;
		}
		if (deadline < earliest) {
			earliest = deadline;
		}
		if (n + AES67D_TX_BATCH > TX_MAX_MSGS) {
			flush(e, n, owner, now_ptp);
			n = 0;
		}
	}
	if (n > 0) {
		flush(e, n, owner, now_ptp);
	}
	return earliest;
}

void *aes67d_engine_tx_main(void *arg)
{
	struct aes67d_engine *e = arg;
	struct sock_defaults defs;

	aes67d_engine_thread_rt(&e->txt, e->realtime, e->tx_priority);
	read_socket_defaults(e->tx_fd, &defs);
	while (!atomic_load_explicit(&e->stop, memory_order_acquire)) {
		uint64_t now_ptp = 0, mono, deadline;
		struct timespec ts;
		int r = e->clock->now_ns(e->clock, &now_ptp);

		mono = engine_clock_ns(CLOCK_MONOTONIC);
		if (r < 0) {
			aes67d_events_push(&e->txt.events, AES67D_EV_TX_SEND_FAIL, 0, r, 0);
			deadline = mono + IDLE_WAIT_NS;
		} else {
			tx_commands(e, now_ptp);
			deadline = tx_pass(e, now_ptp, &defs);
			deadline = deadline > now_ptp ? mono + (deadline - now_ptp) : mono;
		}
		ts.tv_sec = (time_t)(deadline / NS_PER_S);
		ts.tv_nsec = (long)(deadline % NS_PER_S);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
		}
	}
	return NULL;
}
