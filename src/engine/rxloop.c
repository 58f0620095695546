// SPDX-License-Identifier: MIT
/*
 * The RX thread of the engine: waits on the receive streams' sockets, takes datagrams with
 * recvmmsg and their SO_TIMESTAMPING software receive time, places them (stream_rx.c), then
 * moves every capture position whose time has come from the streams' timelines into their
 * devices' capture rings (engine.h). RT rules: no allocation, no locks, no logging.
 *
 * The sockets sit in an epoll set kept by the RX thread itself (added and removed with the
 * streams' commands), so a wake-up costs one epoll_wait whatever the number of streams,
 * instead of a poll() that registers and unregisters every socket each time
 * (docs/bench-engine.md). The set holds one descriptor per socket, not one per stream: the
 * streams of a port share a socket (net.h), and epoll polls every registered descriptor of a
 * ready socket on each wake-up, so 16 streams on one port cost 16 socket polls per wake-up
 * (measured: ~9 % of the RX thread's time, docs/bench-engine.md "Third session"). Without an
 * epoll set (epoll_create1 refused) the thread polls. When the set holds a single socket (all
 * streams on one port, the usual case) the thread skips epoll and blocks in recvmmsg on that
 * socket with its receive timeout: one system call per wake-up, and the RX thread's CPU fell
 * by a third (docs/bench-engine.md "Sixth session").
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

/* After <time.h>: it uses struct timespec without including it. */
#include <linux/errqueue.h>

#include "aes67/clock_page.h"
#include "aes67/error.h"
#include "engine_impl.h"

/* quiet_from: none (the last frames the drain wrote held audio, or were not its own). */
#define NO_QUIET UINT64_MAX

/*
 * The RX thread's own state.
 * - The wait set: an epoll set (ep < 0: none, poll instead) and the active streams whose
 *   descriptor is in it, one per socket. Any stream of a socket will do as its representative:
 *   rx_socket() hands each datagram to the stream it was sent to.
 * - Per device, quiet_from: where the run of silent frames the drain has been writing to the
 *   capture ring without a gap began. A slot whose previous lap lies in that run holds zeros,
 *   so writing silence there again needs only new stamps (aes67_ring_restamp()): a device
 *   with no stream receiving (every capture ring advances, even on a host that only sends)
 *   costs a stamp per frame instead of a store per sample (docs/bench-engine.md, "Third
 *   session").
 */
struct rx_state {
	int ep;
	uint32_t n_reg;
	struct aes67d_rx_stream *reg[AES67D_ENGINE_MAX_STREAMS];
	uint64_t quiet_from[AES67D_ENGINE_MAX_DEVICES];
	bool covered[AES67D_ENGINE_MAX_DEVICES]; /* rx_covers_device(), kept by rx_commands() */
	uint64_t rt_now_ns; /* CLOCK_REALTIME read with the wake-up's media time; 0: none */
};

/* Adds or removes a stream's descriptor in the epoll set (if there is one). */
static void ep_update(struct aes67d_engine *e, struct rx_state *w, int op,
		      struct aes67d_rx_stream *s, uint64_t now_ptp)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};

	if (w->ep < 0) {
		return;
	}
	if (epoll_ctl(w->ep, op, s->fd, &ev) != 0) {
		aes67d_events_push(&e->rxt.events, AES67D_EV_CMD_REFUSED, s->index, -errno,
				   now_ptp);
		return;
	}
	if (op == EPOLL_CTL_ADD) {
		w->reg[w->n_reg++] = s;
		return;
	}
	for (uint32_t i = 0; i < w->n_reg; i++) {
		if (w->reg[i] == s) {
			w->reg[i] = w->reg[--w->n_reg];
			break;
		}
	}
}

/* A registered stream on @s's socket, if any (never for a socket of unknown identity). */
static bool ep_has_socket(const struct rx_state *w, const struct aes67d_rx_stream *s)
{
	for (uint32_t i = 0; i < w->n_reg; i++) {
		if (w->reg[i] == s || (s->sock_id != 0 && w->reg[i]->sock_id == s->sock_id)) {
			return true;
		}
	}
	return false;
}

/* Stream @s has left the active list: take it out of the set (if it represented its socket)
 * and let another active stream of that socket, if there is one, represent it. */
static void ep_remove(struct aes67d_engine *e, struct rx_state *w, struct aes67d_rx_stream *s,
		      uint64_t now_ptp)
{
	bool was_reg = false;

	for (uint32_t i = 0; i < w->n_reg; i++) {
		was_reg = was_reg || w->reg[i] == s;
	}
	if (!was_reg) {
		return;
	}
	ep_update(e, w, EPOLL_CTL_DEL, s, now_ptp);
	for (uint32_t i = 0; i < e->n_rx_active && s->sock_id != 0; i++) {
		struct aes67d_rx_stream *o = e->rx_active[i];

		if (o->sock_id == s->sock_id && !ep_has_socket(w, o)) {
			ep_update(e, w, EPOLL_CTL_ADD, o, now_ptp);
			break;
		}
	}
}

/* Whether the active streams of device @d_idx write every one of its @channels capture
 * channels (aes67d_rx_drain() overwrites a stream's channels, with zeros where there is no
 * audio): then the device frame buffer needs no clearing before the streams drain into it. */
static bool rx_covers_device(const struct aes67d_engine *e, uint32_t d_idx, uint32_t channels)
{
	uint64_t covered[(AES67_RING_CHANNELS_MAX + 63) / 64] = {0};
	uint32_t n = 0;

	for (uint32_t i = 0; i < e->n_rx_active; i++) {
		const struct aes67d_rx_stream *s = e->rx_active[i];
		const uint32_t off = s->p.device_channel_offset;

		if (s->device != d_idx || off + s->p.channels > channels) {
			continue;
		}
		for (uint32_t c = off; c < off + s->p.channels; c++) {
			n += (covered[c / 64] >> (c % 64) & 1u) == 0;
			covered[c / 64] |= 1ull << (c % 64);
		}
	}
	return n == channels;
}

static void rx_commands(struct aes67d_engine *e, struct rx_state *w, uint64_t now_ptp)
{
	struct engine_cmd c;
	bool changed = false;

	while (aes67d_cmdq_pop(&e->rxt.cmdq, &c, sizeof(c)) == 0) {
		struct aes67d_rx_stream *s = c.stream;

		if (c.op == ENGINE_CMD_ADD && e->n_rx_active < AES67D_ENGINE_MAX_STREAMS) {
			if (!ep_has_socket(w, s)) {
				ep_update(e, w, EPOLL_CTL_ADD, s, now_ptp);
			}
			e->rx_active[e->n_rx_active++] = s;
			atomic_store_explicit(&s->state, AES67D_STREAM_ACTIVE,
					      memory_order_release);
		} else if (c.op == ENGINE_CMD_REMOVE) {
			for (uint32_t i = 0; i < e->n_rx_active; i++) {
				if (e->rx_active[i] == s) {
					e->rx_active[i] = e->rx_active[--e->n_rx_active];
					ep_remove(e, w, s, now_ptp);
					break;
				}
			}
			atomic_store_explicit(&s->state, AES67D_STREAM_DETACHED,
					      memory_order_release);
		} else {
			aes67d_events_push(&e->rxt.events, AES67D_EV_CMD_REFUSED, s->index, -ENOSPC,
					   now_ptp);
		}
		changed = true;
	}
	/* The streams of a device change only here: decide once whether they cover it. */
	for (uint32_t d = 0; changed && d < AES67D_ENGINE_MAX_DEVICES; d++) {
		const struct engine_device *dev = &e->devices[d];

		w->covered[d] = d < atomic_load_explicit(&e->n_devices, memory_order_acquire) &&
				dev->cap_buf != NULL &&
				rx_covers_device(e, d, dev->ring->capture.channels);
	}
}

/* Software receive time (CLOCK_REALTIME, ns; 0 without one) and destination address
 * (IP_PKTINFO; INADDR_ANY without one) of a datagram. */
static uint64_t rx_meta(struct msghdr *mh, struct in_addr *dst)
{
	uint64_t t_ns = 0;

	dst->s_addr = htonl(INADDR_ANY);
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPING &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct scm_timestamping))) {
			struct scm_timestamping st;

			memcpy(&st, CMSG_DATA(cm), sizeof(st));
			t_ns = engine_timespec_ns(&st.ts[0]);
		} else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			*dst = pi.ipi_addr;
		}
	}
	return t_ns;
}

/*
 * The media position at which a datagram reached the kernel: now minus its age, the age being
 * the wake-up's CLOCK_REALTIME minus the receive stamp (the same clock). Without a stamp, or
 * with a stamp from the future (the realtime clock stepped), now. An age is capped at 1 s.
 */
static uint64_t arrival_pos(uint64_t rt_now_ns, uint64_t t_ns, uint64_t now_pos, uint32_t rate)
{
	uint64_t age_ns, age;

	if (t_ns == 0 || rt_now_ns == 0 || t_ns > rt_now_ns) {
		return now_pos;
	}
	age_ns = rt_now_ns - t_ns < 1000000000ull ? rt_now_ns - t_ns : 1000000000ull;
	age = age_ns * rate / 1000000000ull;
	return age < now_pos ? now_pos - age : now_pos;
}

/*
 * The stream a datagram read from @s's socket is for. The multicast streams of one UDP port
 * share a socket (net.h) and are told apart by the datagram's destination group; a unicast
 * stream, or a socket that gave no destination, keeps everything for @s. NULL: a group no
 * active stream on that socket has (one being added or removed).
 */
static struct aes67d_rx_stream *rx_route(struct aes67d_engine *e, struct aes67d_rx_stream *s,
					 struct in_addr dst)
{
	if (s->p.group.sin_addr.s_addr == dst.s_addr || dst.s_addr == htonl(INADDR_ANY) ||
	    !IN_MULTICAST(ntohl(s->p.group.sin_addr.s_addr))) {
		return s;
	}
	for (uint32_t i = 0; i < e->n_rx_active; i++) {
		struct aes67d_rx_stream *o = e->rx_active[i];

		if (o->sock_id == s->sock_id && o->p.group.sin_addr.s_addr == dst.s_addr) {
			return o;
		}
	}
	return NULL;
}

/*
 * The drain fills the capture ring ahead of the media clock (rx_drain_lead_frames()), so a
 * packet can arrive after its frames were drained (as silence) and still before any reader
 * reaches them. Such a packet is in time (AES67-2018 §7.3: it arrived within the link offset);
 * patch its frames into the ring instead of dropping it. The guard covers the time between this
 * clock read and the write: a reader reads only positions the media clock has passed, so the
 * patched frames are never read while being written (the ring's per-frame stamps would turn
 * such a torn read into an overrun, not into wrong audio).
 */
#define RESCUE_GUARD_FRAMES(rate) ((rate) / 4000 > 8 ? (rate) / 4000 : 8) /* 250 us */

static void rx_rescue(struct aes67d_engine *e, struct rx_state *w, struct aes67d_rx_stream *s,
		      uint64_t now_ptp)
{
	struct engine_device *d = &e->devices[s->device];
	uint64_t fresh = 0, now_pos = 0;
	int r;

	w->quiet_from[s->device] = NO_QUIET; /* audio lands behind the drain */

	if (e->clock->now_ns(e->clock, &fresh) < 0 ||
	    aes67_clock_page_ptp_to_frame(fresh, d->rate_hz, &now_pos) < 0) {
		now_pos = UINT64_MAX - AES67D_RX_RESYNC_FRAMES(d->rate_hz); /* rescue nothing */
	}
	r = aes67d_rx_rescue(s, &d->ring->capture, now_pos + RESCUE_GUARD_FRAMES(d->rate_hz),
			     d->cap_buf, AES67D_RX_DRAIN_FRAMES);
	if (r < 0) {
		aes67d_events_push(&e->rxt.events, AES67D_EV_RING_OVERRUN, s->device, r, now_ptp);
	}
}

/* The wake-up's media time (false: none) and, beside it, the receive stamps' clock. */
static bool rx_now(struct aes67d_engine *e, struct rx_state *w, uint64_t *now_ptp)
{
	if (e->clock->now_ns(e->clock, now_ptp) != 0) {
		return false;
	}
	w->rt_now_ns = engine_clock_ns(CLOCK_REALTIME);
	return true;
}

/*
 * Reads @s's socket (and with it every stream sharing that socket) until it is empty, placing
 * each datagram in its stream; "now" is read once per wake-up (stream_rx.h). With @wait the
 * first read blocks (up to AES67D_NET_RX_WAIT_MS) and "now" is read when it returns, into
 * @now_ptp_io and @have_now; datagrams read while there is no media time are dropped, as they
 * could not be placed. Without it, @now_ptp_io is the wake-up's and the socket has data.
 */
static void rx_socket(struct aes67d_engine *e, struct rx_state *w, struct aes67d_rx_stream *s,
		      uint64_t *now_ptp_io, bool *have_now, bool wait)
{
	uint32_t rate = 0;
	uint64_t now_pos = 0, now_ptp = *now_ptp_io;

	for (int round = 0; round < 8; round++) {
		int flags = wait && round == 0 ? MSG_WAITFORONE : MSG_DONTWAIT;
		int n;

		for (unsigned i = 0; i < RX_BATCH; i++) {
			struct msghdr *mh = &e->rx_msgs[i].msg_hdr;

			e->rx_iov[i].iov_base = e->rx_buf[i];
			e->rx_iov[i].iov_len = sizeof(e->rx_buf[i]);
			mh->msg_name = &e->rx_from[i];
			mh->msg_namelen = sizeof(e->rx_from[i]);
			mh->msg_iov = &e->rx_iov[i];
			mh->msg_iovlen = 1;
			mh->msg_control = e->rx_cmsg[i];
			mh->msg_controllen = RX_CMSG_BYTES;
			mh->msg_flags = 0;
		}
		n = recvmmsg(s->fd, e->rx_msgs, RX_BATCH, flags, NULL);
		if (flags == MSG_WAITFORONE) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				/* A read that cannot block would spin at RT priority: report it,
				 * and no media time makes the loop wait a tick (as epoll's). */
				aes67d_events_push(&e->rxt.events, AES67D_EV_RX_MALFORMED, s->index,
						   -errno, 0);
				*have_now = false;
				return;
			}
			*have_now = rx_now(e, w, now_ptp_io);
			now_ptp = *now_ptp_io;
			if (!*have_now) {
				return;
			}
		}
		if (n <= 0) {
			return;
		}
		for (int i = 0; i < n; i++) {
			struct msghdr *mh = &e->rx_msgs[i].msg_hdr;
			struct in_addr dst;
			uint64_t t_ns = rx_meta(mh, &dst), arr = 0;
			struct aes67d_rx_stream *t = rx_route(e, s, dst);
			int r;

			if (t == NULL) {
				continue;
			}
			if (t->p.rate_hz != rate) {
				if (aes67_clock_page_ptp_to_frame(now_ptp, t->p.rate_hz, &now_pos) <
				    0) {
					continue;
				}
				rate = t->p.rate_hz;
			}
			arr = arrival_pos(w->rt_now_ns, t_ns, now_pos, t->p.rate_hz);
			if ((mh->msg_flags & MSG_TRUNC) != 0) {
				atomic_fetch_add_explicit(&t->c.malformed, 1, memory_order_relaxed);
				continue;
			}
			r = aes67d_rx_packet(t, e->rx_buf[i], e->rx_msgs[i].msg_len,
					     e->rx_from[i].sin_addr, now_pos, (uint32_t)arr,
					     now_ptp);
			if (r < 0) {
				aes67d_events_push(&e->rxt.events, AES67D_EV_RX_MALFORMED, t->index,
						   r, now_ptp);
			}
			if (t->anchor.why != AES67D_RX_RESYNC_NONE) {
				aes67d_events_push(&e->rxt.events,
						   AES67D_EV_RX_RESYNC_ZERO + t->anchor.why -
							   AES67D_RX_RESYNC_ZERO,
						   t->index, t->anchor.step, now_ptp);
				t->anchor.why = AES67D_RX_RESYNC_NONE;
			}
			if (t->behind_frames > 0) {
				rx_rescue(e, w, t, now_ptp);
			}
			if (t->late_report) {
				aes67d_events_push(&e->rxt.events, AES67D_EV_RX_LATE, t->index,
						   t->delay_frames, now_ptp);
				t->late_report = false;
			}
		}
		if (n < RX_BATCH) {
			return;
		}
	}
}

/*
 * How far ahead of "now" a device's capture ring is filled. An application reads capture frame p
 * once the media clock passes p, so the frames must be in the ring before then; a packet holding
 * frames [q, q+n) leaves its sender at media time q+n and lands at q+L (L = link offset), so its
 * frames exist in the timeline from about q+n+network on, i.e. L-n before they are read. The
 * drain writes at now + (L-n)/2: half of that slack absorbs network and scheduling delay before
 * the drain (later arrivals are counted late), the other half absorbs the RX thread's own wake-up
 * delay before the reader gets there. The smallest slack of the device's streams decides.
 */
static uint64_t rx_drain_lead_frames(const struct aes67d_engine *e, uint32_t d_idx)
{
	uint64_t lead = UINT64_MAX;

	for (uint32_t i = 0; i < e->n_rx_active; i++) {
		const struct aes67d_rx_stream *s = e->rx_active[i];
		uint64_t slack = 0;

		if (s->device != d_idx) {
			continue;
		}
		if (s->p.link_offset_frames > s->p.frames_per_packet) {
			slack = s->p.link_offset_frames - s->p.frames_per_packet;
		}
		if (slack / 2 < lead) {
			lead = slack / 2;
		}
	}
	return lead == UINT64_MAX ? 0 : lead;
}

/* Moves capture positions [cap_pos, now + lead) of one device out of its streams' timelines. */
static void rx_drain_device(struct aes67d_engine *e, struct rx_state *w, uint32_t d_idx,
			    uint64_t now_ptp)
{
	struct engine_device *d = &e->devices[d_idx];
	const struct aes67_ring_dir *cap = &d->ring->capture;
	uint64_t now_pos = 0, *quiet = &w->quiet_from[d_idx];

	if (aes67_clock_page_ptp_to_frame(now_ptp, d->rate_hz, &now_pos) < 0) {
		return;
	}
	now_pos += rx_drain_lead_frames(e, d_idx);
	if (d->cap_pos == 0 || now_pos - d->cap_pos > cap->capacity_frames / 2) {
		if (d->cap_pos != 0) {
			aes67d_events_push(&e->rxt.events, AES67D_EV_RING_OVERRUN, d_idx,
					   (int64_t)(now_pos - d->cap_pos), now_ptp);
		}
		d->cap_pos = now_pos;
		*quiet = NO_QUIET;
	}
	while (d->cap_pos < now_pos) {
		uint64_t k = now_pos - d->cap_pos;
		int audio = 0, r;

		if (k > AES67D_RX_DRAIN_FRAMES) {
			k = AES67D_RX_DRAIN_FRAMES;
		}
		if (!w->covered[d_idx]) {
			memset(d->cap_buf, 0, (size_t)k * cap->channels * sizeof(int32_t));
		}
		for (uint32_t i = 0; i < e->n_rx_active; i++) {
			struct aes67d_rx_stream *s = e->rx_active[i];

			if (s->device != d_idx) {
				continue;
			}
			r = aes67d_rx_drain(s, d->cap_pos, (uint32_t)k, d->cap_buf, cap->channels);
			if (r < 0) {
				aes67d_events_push(&e->rxt.events, AES67D_EV_RING_UNDERRUN,
						   s->index, (int64_t)k, now_ptp);
			}
			audio |= r > 0; /* 0: the stream put zeros (lost or played) or nothing */
		}
		if (!audio && *quiet != NO_QUIET && d->cap_pos - *quiet >= cap->capacity_frames) {
			r = aes67_ring_restamp(cap, d->cap_pos, (uint32_t)k);
		} else {
			r = aes67_ring_write(cap, d->cap_pos, d->cap_buf, (uint32_t)k);
			*quiet = audio ? NO_QUIET : *quiet == NO_QUIET ? d->cap_pos : *quiet;
		}
		if (r < 0) {
			aes67d_events_push(&e->rxt.events, AES67D_EV_RING_OVERRUN, d_idx,
					   (int64_t)k, now_ptp);
			*quiet = NO_QUIET;
		}
		d->cap_pos += k;
	}
}

/* Whether the socket of ready stream @i was already read in this wake-up: every stream
 * sharing a socket (net.h) registers its own descriptor, so all of them report ready. */
static bool rx_seen(struct aes67d_rx_stream *const *ready, uint32_t i)
{
	for (uint32_t j = 0; j < i; j++) {
		if (ready[j]->sock_id == ready[i]->sock_id && ready[i]->sock_id != 0) {
			return true;
		}
	}
	return false;
}

/*
 * Waits up to AES67D_NET_RX_WAIT_MS for data and reads every socket that has some, once. A lone
 * socket (the usual case: the streams of one port share one) is read with a blocking recvmmsg, the
 * way bench/bare_loop.c reads: one system call per wake-up instead of epoll_wait + recvmmsg
 * (docs/bench-engine.md, "Sixth session").
 */
static void rx_wait_read(struct aes67d_engine *e, struct rx_state *w, uint64_t *now_ptp,
			 bool *have_now)
{
	struct epoll_event evs[AES67D_ENGINE_MAX_STREAMS];
	struct pollfd fds[AES67D_ENGINE_MAX_STREAMS];
	struct aes67d_rx_stream *ready[AES67D_ENGINE_MAX_STREAMS];
	uint32_t n = e->n_rx_active, n_ready = 0;
	int k;

	if (w->ep >= 0 && w->n_reg == 1) {
		rx_socket(e, w, w->reg[0], now_ptp, have_now, true);
		return;
	}
	if (w->ep >= 0) {
		k = epoll_wait(w->ep, evs, AES67D_ENGINE_MAX_STREAMS, AES67D_NET_RX_WAIT_MS);
	} else {
		for (uint32_t i = 0; i < n; i++) {
			fds[i].fd = e->rx_active[i]->fd;
			fds[i].events = POLLIN;
			fds[i].revents = 0;
		}
		k = poll(fds, n, AES67D_NET_RX_WAIT_MS);
	}
	if (k < 0 && errno != EINTR) {
		aes67d_events_push(&e->rxt.events, AES67D_EV_RX_MALFORMED, 0, -errno, 0);
	}
	*have_now = rx_now(e, w, now_ptp);
	if (!*have_now || k <= 0) {
		return;
	}
	if (w->ep >= 0) {
		for (int i = 0; i < k; i++) {
			ready[n_ready++] = evs[i].data.ptr;
		}
	} else {
		for (uint32_t i = 0; i < n; i++) {
			if ((fds[i].revents & POLLIN) != 0) {
				ready[n_ready++] = e->rx_active[i];
			}
		}
	}
	for (uint32_t i = 0; i < n_ready; i++) {
		if (!rx_seen(ready, i)) {
			rx_socket(e, w, ready[i], now_ptp, have_now, false);
		}
	}
}

void *aes67d_engine_rx_main(void *arg)
{
	struct aes67d_engine *e = arg;
	struct rx_state w = {.ep = epoll_create1(EPOLL_CLOEXEC), .n_reg = 0};

	for (uint32_t d = 0; d < AES67D_ENGINE_MAX_DEVICES; d++) {
		w.quiet_from[d] = NO_QUIET;
	}

	aes67d_engine_thread_rt(&e->rxt, e->realtime, e->rx_priority);
	while (!atomic_load_explicit(&e->stop, memory_order_acquire)) {
		uint64_t now_ptp = 0;
		uint32_t n_dev;
		bool have_now;

		rx_wait_read(e, &w, &now_ptp, &have_now);
		if (!have_now) {
			/* No media time (no clock yet, or a refused read): the datagrams stay
			 * queued and epoll reports them again at once, so wait a tick instead of
			 * spinning at RT priority over the thread that would publish the clock. */
			const struct timespec tick = {0, AES67D_NET_RX_WAIT_MS * 1000000L};

			(void)clock_nanosleep(CLOCK_MONOTONIC, 0, &tick, NULL);
			continue;
		}
		/* Every capture ring advances, with silence where no stream is mapped: a capture
		 * application's hardware pointer follows the ring's write position (src/alsa/io.c).
		 */
		n_dev = atomic_load_explicit(&e->n_devices, memory_order_acquire);
		for (uint32_t d = 0; d < n_dev; d++) {
			if (e->devices[d].cap_buf != NULL) {
				rx_drain_device(e, &w, d, now_ptp);
			}
		}
		rx_commands(e, &w, now_ptp);
	}
	if (w.ep >= 0) {
		close(w.ep);
	}
	return NULL;
}
