// SPDX-License-Identifier: MIT
/*
 * Ring: layout, validation and data path of the shared device region (see include/aes67/ring.h
 * for the region map, the sample format and the slot-stamp scheme).
 *
 * Per-slot protocol (a sequence lock per frame, Boehm 2012):
 *   writer of position p in slot s:  stamp[s] = BUSY (relaxed); release fence;
 *                                    samples (relaxed); stamp[s] = p (release)
 *   reader of position p in slot s:  st = stamp[s] (acquire); if st == p: copy samples (relaxed);
 *                                    acquire fence; accept only if stamp[s] is still p
 * If the reader's copy saw any sample of a newer write, the fences synchronise and its re-check
 * sees BUSY or a newer stamp, so a torn frame is never returned as audio. Readers write nothing
 * in the region (only the primary reader publishes read_pos), so a reader may map it read-only
 * except for that line.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "aes67/error.h"
#include "aes67/ring.h"

/* Stamp sentinels: above AES67_RING_POS_LIMIT, so never equal to a position. */
#define STAMP_EMPTY UINT64_MAX
#define STAMP_BUSY (UINT64_MAX - 1)

/* Spins on a busy or changing slot before a read gives up on it (no sleeping on RT paths). */
#define SLOT_TRIES 64

static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "shared atomics must be lock-free");
static_assert(sizeof(_Atomic int32_t) == 4, "atomic samples have the plain layout");

/* ABI: pinned layout (also checked at run time against tests/data/ring/layout.golden). */
#define PIN(type, field, off) static_assert(offsetof(type, field) == (off), #type "." #field)
PIN(struct aes67_ring_header, magic, 0);
PIN(struct aes67_ring_header, abi_version, 4);
PIN(struct aes67_ring_header, total_bytes, 8);
PIN(struct aes67_ring_header, header_bytes, 16);
PIN(struct aes67_ring_header, sample_rate, 20);
PIN(struct aes67_ring_header, channels_play, 24);
PIN(struct aes67_ring_header, channels_capture, 28);
PIN(struct aes67_ring_header, format, 32);
PIN(struct aes67_ring_header, capacity_frames, 36);
PIN(struct aes67_ring_header, clock_off, 40);
PIN(struct aes67_ring_header, play_ctl_off, 48);
PIN(struct aes67_ring_header, play_stamp_off, 56);
PIN(struct aes67_ring_header, play_data_off, 64);
PIN(struct aes67_ring_header, cap_ctl_off, 72);
PIN(struct aes67_ring_header, cap_stamp_off, 80);
PIN(struct aes67_ring_header, cap_data_off, 88);
PIN(struct aes67_ring_header, reserved0, 96);
PIN(struct aes67_ring_header, generation, 128);
PIN(struct aes67_ring_header, heartbeat_ns, 136);
PIN(struct aes67_ring_header, reserved1, 144);
PIN(struct aes67_ring_header, play_owner, 192);
PIN(struct aes67_ring_header, reserved2, 200);
static_assert(sizeof(struct aes67_ring_header) == 256, "ring header size");
PIN(struct aes67_ring_ctl, write_pos, 0);
PIN(struct aes67_ring_ctl, read_pos, AES67_CACHELINE_BYTES);
static_assert(sizeof(struct aes67_ring_ctl) == 2 * AES67_CACHELINE_BYTES, "ring ctl size");
static_assert(offsetof(struct aes67_ring_ctl, read_pos) / AES67_CACHELINE_BYTES !=
		      offsetof(struct aes67_ring_ctl, write_pos) / AES67_CACHELINE_BYTES,
	      "write and read positions on separate cache lines");

/* Immutable prefix of the header: what validate copies and trusts after checking. */
#define HEADER_FIXED_BYTES offsetof(struct aes67_ring_header, reserved0)

static uint64_t align64(uint64_t x)
{
	return (x + 63u) & ~(uint64_t)63u;
}

static int geometry_ok(const struct aes67_ring_geometry *g)
{
	uint32_t cap = g->capacity_frames;

	return g->sample_rate >= 1 && g->sample_rate <= AES67_RING_RATE_MAX &&
	       g->channels_play <= AES67_RING_CHANNELS_MAX &&
	       g->channels_capture <= AES67_RING_CHANNELS_MAX &&
	       (g->channels_play | g->channels_capture) != 0 && cap >= AES67_RING_CAPACITY_MIN &&
	       cap <= AES67_RING_CAPACITY_MAX && (cap & (cap - 1)) == 0 &&
	       g->format == AES67_RING_FORMAT_S32;
}

/* Lay out one direction at *off: control, stamps, samples; all 0 when the direction is absent. */
static void layout_dir(uint64_t *off, uint32_t channels, uint32_t cap, uint64_t *ctl,
		       uint64_t *stamps, uint64_t *data)
{
	if (channels == 0) {
		*ctl = *stamps = *data = 0;
		return;
	}
	*ctl = *off;
	*off = align64(*off + sizeof(struct aes67_ring_ctl));
	*stamps = *off;
	*off = align64(*off + (uint64_t)cap * sizeof(uint64_t));
	*data = *off;
	*off = align64(*off + (uint64_t)cap * channels * sizeof(int32_t));
}

int aes67_ring_layout(const struct aes67_ring_geometry *g, struct aes67_ring_layout *out)
{
	struct aes67_ring_layout l;
	uint64_t off;

	if (!geometry_ok(g)) {
		return -EINVAL;
	}
	off = align64(sizeof(struct aes67_ring_header));
	l.clock_off = off;
	off = align64(off + sizeof(struct aes67_clock_page));
	layout_dir(&off, g->channels_play, g->capacity_frames, &l.play_ctl_off, &l.play_stamp_off,
		   &l.play_data_off);
	layout_dir(&off, g->channels_capture, g->capacity_frames, &l.cap_ctl_off, &l.cap_stamp_off,
		   &l.cap_data_off);
	l.total_bytes = off;
	*out = l;
	return 0;
}

static void init_dir(uint8_t *base, uint64_t ctl_off, uint64_t stamp_off, uint64_t data_off,
		     uint32_t channels, uint32_t cap)
{
	struct aes67_ring_ctl *ctl;
	_Atomic uint64_t *stamps;

	if (channels == 0) {
		return;
	}
	ctl = (struct aes67_ring_ctl *)(void *)(base + ctl_off);
	memset(ctl, 0, sizeof(*ctl));
	atomic_init(&ctl->write_pos, 0);
	atomic_init(&ctl->read_pos, 0);
	stamps = (_Atomic uint64_t *)(void *)(base + stamp_off);
	for (uint32_t i = 0; i < cap; i++) {
		atomic_init(&stamps[i], STAMP_EMPTY);
	}
	memset(base + data_off, 0, (size_t)cap * channels * sizeof(int32_t));
}

int aes67_ring_init(void *region, size_t region_bytes, const struct aes67_ring_geometry *g,
		    uint64_t generation)
{
	struct aes67_ring_layout l;
	struct aes67_ring_header *h = region;
	uint8_t *base = region;
	int r;

	if (region == NULL || ((uintptr_t)region & 63u) != 0 || generation == 0) {
		return -EINVAL;
	}
	r = aes67_ring_layout(g, &l);
	if (r < 0) {
		return r;
	}
	if (region_bytes < l.total_bytes) {
		return -ENOSPC;
	}
	memset(h, 0, sizeof(*h));
	h->magic = AES67_RING_MAGIC;
	h->abi_version = AES67_RING_ABI_VERSION;
	h->total_bytes = l.total_bytes;
	h->header_bytes = sizeof(*h);
	h->sample_rate = g->sample_rate;
	h->channels_play = g->channels_play;
	h->channels_capture = g->channels_capture;
	h->format = g->format;
	h->capacity_frames = g->capacity_frames;
	h->clock_off = l.clock_off;
	h->play_ctl_off = l.play_ctl_off;
	h->play_stamp_off = l.play_stamp_off;
	h->play_data_off = l.play_data_off;
	h->cap_ctl_off = l.cap_ctl_off;
	h->cap_stamp_off = l.cap_stamp_off;
	h->cap_data_off = l.cap_data_off;
	atomic_init(&h->generation, generation);
	atomic_init(&h->heartbeat_ns, 0);
	atomic_init(&h->play_owner, 0);

	aes67_clock_page_init((struct aes67_clock_page *)(void *)(base + l.clock_off));
	init_dir(base, l.play_ctl_off, l.play_stamp_off, l.play_data_off, g->channels_play,
		 g->capacity_frames);
	init_dir(base, l.cap_ctl_off, l.cap_stamp_off, l.cap_data_off, g->channels_capture,
		 g->capacity_frames);
	return 0;
}

static int refuse(const char **reason, const char *why)
{
	if (reason != NULL) {
		*reason = why;
	}
	return -AES67_EABI;
}

/* Validate and leave the checked copy of the immutable header in *h. */
static int validate_copy(const void *region, size_t region_bytes, struct aes67_ring_header *h,
			 const char **reason)
{
	struct aes67_ring_geometry g;
	struct aes67_ring_layout l;

	if (region == NULL || ((uintptr_t)region & 63u) != 0) {
		return refuse(reason, "region pointer not 64-byte aligned");
	}
	if (region_bytes < sizeof(*h)) {
		return refuse(reason, "region smaller than the header");
	}
	/* One copy, then only the copy is examined: the other process cannot change it under us. */
	memset(h, 0, sizeof(*h));
	memcpy(h, region, HEADER_FIXED_BYTES);
	if (h->magic != AES67_RING_MAGIC) {
		return refuse(reason, "bad magic (not an aes67 ring region)");
	}
	if (h->abi_version != AES67_RING_ABI_VERSION) {
		return refuse(reason, "unsupported ring ABI version");
	}
	if (h->header_bytes != sizeof(*h)) {
		return refuse(reason, "header size differs from this build's");
	}
	g.sample_rate = h->sample_rate;
	g.channels_play = h->channels_play;
	g.channels_capture = h->channels_capture;
	g.capacity_frames = h->capacity_frames;
	g.format = h->format;
	if (aes67_ring_layout(&g, &l) < 0) {
		return refuse(reason, "geometry out of range (rate, channels, capacity or format)");
	}
	if (h->clock_off != l.clock_off || h->play_ctl_off != l.play_ctl_off ||
	    h->play_stamp_off != l.play_stamp_off || h->play_data_off != l.play_data_off ||
	    h->cap_ctl_off != l.cap_ctl_off || h->cap_stamp_off != l.cap_stamp_off ||
	    h->cap_data_off != l.cap_data_off) {
		return refuse(reason, "section offsets do not match the geometry");
	}
	if (h->total_bytes != l.total_bytes) {
		return refuse(reason, "total size does not match the geometry");
	}
	if (region_bytes < l.total_bytes) {
		return refuse(reason, "mapping smaller than the region's total size");
	}
	return 0;
}

int aes67_ring_validate(const void *region, size_t region_bytes, const char **reason)
{
	struct aes67_ring_header h;

	return validate_copy(region, region_bytes, &h, reason);
}

static void view_dir(uint8_t *base, uint64_t ctl_off, uint64_t stamp_off, uint64_t data_off,
		     uint32_t channels, uint32_t cap, struct aes67_ring_dir *d)
{
	if (channels == 0) {
		memset(d, 0, sizeof(*d));
		return;
	}
	d->ctl = (struct aes67_ring_ctl *)(void *)(base + ctl_off);
	d->stamps = (_Atomic uint64_t *)(void *)(base + stamp_off);
	d->samples = (_Atomic int32_t *)(void *)(base + data_off);
	d->channels = channels;
	d->capacity_frames = cap;
}

int aes67_ring_attach(void *region, size_t region_bytes, struct aes67_ring *ring,
		      const char **reason)
{
	struct aes67_ring_header h;
	uint8_t *base = region;
	int r = validate_copy(region, region_bytes, &h, reason);

	if (r < 0) {
		return r;
	}
	ring->header = region;
	ring->clock = (struct aes67_clock_page *)(void *)(base + h.clock_off);
	view_dir(base, h.play_ctl_off, h.play_stamp_off, h.play_data_off, h.channels_play,
		 h.capacity_frames, &ring->play);
	view_dir(base, h.cap_ctl_off, h.cap_stamp_off, h.cap_data_off, h.channels_capture,
		 h.capacity_frames, &ring->capture);
	return 0;
}

AES67_RT void aes67_ring_heartbeat(const struct aes67_ring *ring, uint64_t now_ns)
{
	atomic_store_explicit(&ring->header->heartbeat_ns, now_ns, memory_order_release);
}

void aes67_ring_close(const struct aes67_ring *ring)
{
	atomic_store_explicit(&ring->header->generation, 0, memory_order_release);
}

AES67_RT uint64_t aes67_ring_generation(const struct aes67_ring *ring)
{
	return atomic_load_explicit(&ring->header->generation, memory_order_acquire);
}

AES67_RT int aes67_ring_alive(const struct aes67_ring *ring, uint64_t generation, uint64_t now_ns,
			      uint64_t max_age_ns)
{
	uint64_t gen = atomic_load_explicit(&ring->header->generation, memory_order_acquire);
	uint64_t hb = atomic_load_explicit(&ring->header->heartbeat_ns, memory_order_acquire);

	if (gen == 0 || gen != generation) {
		return 0;
	}
	/* A beat newer than the caller's "now" (read earlier) is as fresh as it gets. */
	return now_ns <= hb || now_ns - hb <= max_age_ns;
}

int aes67_ring_owner_acquire(const struct aes67_ring *ring, uint64_t token)
{
	uint64_t expected = 0;

	if (token == 0) {
		return -EINVAL;
	}
	if (atomic_compare_exchange_strong_explicit(&ring->header->play_owner, &expected, token,
						    memory_order_acq_rel, memory_order_acquire)) {
		return 0;
	}
	return expected == token ? 0 : -EBUSY;
}

int aes67_ring_owner_release(const struct aes67_ring *ring, uint64_t token)
{
	uint64_t expected = token;

	if (token != 0 &&
	    atomic_compare_exchange_strong_explicit(&ring->header->play_owner, &expected, 0,
						    memory_order_acq_rel, memory_order_acquire)) {
		return 0;
	}
	return -EPERM;
}

int aes67_ring_owner_reclaim(const struct aes67_ring *ring, uint64_t token)
{
	return aes67_ring_owner_release(ring, token);
}

static int check_span(const struct aes67_ring_dir *d, uint64_t pos, uint32_t n_frames)
{
	if (d->channels == 0 || n_frames == 0 || n_frames > d->capacity_frames) {
		return -EINVAL;
	}
	if (pos >= AES67_RING_POS_LIMIT || n_frames > AES67_RING_POS_LIMIT - pos) {
		return -AES67_ERANGE;
	}
	return 0;
}

/* The writer's high-water mark: @end if beyond it (single writer, so no compare-exchange). */
static AES67_RT void advance_write_pos(const struct aes67_ring_dir *d, uint64_t end)
{
	if (end > atomic_load_explicit(&d->ctl->write_pos, memory_order_relaxed)) {
		atomic_store_explicit(&d->ctl->write_pos, end, memory_order_release);
	}
}

AES67_RT int aes67_ring_write(const struct aes67_ring_dir *d, uint64_t pos, const int32_t *src,
			      uint32_t n_frames)
{
	const uint64_t mask = d->capacity_frames - 1u;
	const uint32_t ch = d->channels;
	int r = check_span(d, pos, n_frames);

	if (r < 0) {
		return r;
	}
	for (uint32_t i = 0; i < n_frames; i++) {
		uint64_t p = pos + i;
		uint64_t slot = p & mask;
		_Atomic int32_t *frame = d->samples + slot * ch;
		const int32_t *in = src + (size_t)i * ch;

		atomic_store_explicit(&d->stamps[slot], STAMP_BUSY, memory_order_relaxed);
		atomic_thread_fence(memory_order_release);
		for (uint32_t c = 0; c < ch; c++) {
			atomic_store_explicit(&frame[c], in[c], memory_order_relaxed);
		}
		atomic_store_explicit(&d->stamps[slot], p, memory_order_release);
	}
	advance_write_pos(d, pos + n_frames);
	return (int)n_frames;
}

/* No sample changes, so no reader can see a torn frame: a reader of the previous lap sees
 * its stamp (the same samples) or the new one (lapped); a reader of the new position that
 * acquires its stamp also sees the samples, which were stored before the previous lap's
 * release. */
AES67_RT int aes67_ring_restamp(const struct aes67_ring_dir *d, uint64_t pos, uint32_t n_frames)
{
	const uint64_t mask = d->capacity_frames - 1u;
	int r = check_span(d, pos, n_frames);

	if (r < 0) {
		return r;
	}
	for (uint32_t i = 0; i < n_frames; i++) {
		atomic_store_explicit(&d->stamps[(pos + i) & mask], pos + i, memory_order_release);
	}
	advance_write_pos(d, pos + n_frames);
	return (int)n_frames;
}

enum slot_result {
	SLOT_VALID,
	SLOT_MISSING,
	SLOT_LAPPED,
};

static enum slot_result read_slot(const struct aes67_ring_dir *d, uint64_t p, int32_t *out)
{
	const uint64_t slot = p & (d->capacity_frames - 1u);
	const uint32_t ch = d->channels;
	_Atomic uint64_t *stamp = &d->stamps[slot];
	_Atomic int32_t *frame = d->samples + slot * ch;

	for (int t = 0; t < SLOT_TRIES; t++) {
		uint64_t st = atomic_load_explicit(stamp, memory_order_acquire);

		if (st == STAMP_BUSY) {
			continue; /* a write of this slot is in progress: p itself or a later lap */
		}
		if (st == STAMP_EMPTY || st < p) {
			return SLOT_MISSING;
		}
		if (st > p) {
			return SLOT_LAPPED;
		}
		for (uint32_t c = 0; c < ch; c++) {
			out[c] = atomic_load_explicit(&frame[c], memory_order_relaxed);
		}
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(stamp, memory_order_relaxed) == p) {
			return SLOT_VALID;
		}
	}
	/* Still busy or changing after the bounded spin: refuse rather than guess. */
	return SLOT_LAPPED;
}

AES67_RT int aes67_ring_read(const struct aes67_ring_dir *d, uint64_t pos, int32_t *dst,
			     uint32_t n_frames, struct aes67_ring_read_stats *stats)
{
	struct aes67_ring_read_stats s = {0, 0, 0};
	const uint32_t ch = d->channels;
	int r = check_span(d, pos, n_frames);

	if (r < 0) {
		return r;
	}
	for (uint32_t i = 0; i < n_frames; i++) {
		int32_t *out = dst + (size_t)i * ch;

		switch (read_slot(d, pos + i, out)) {
		case SLOT_VALID:
			s.valid_frames++;
			break;
		case SLOT_MISSING:
			memset(out, 0, ch * sizeof(*out));
			s.missing_frames++;
			break;
		case SLOT_LAPPED:
			memset(out, 0, ch * sizeof(*out));
			s.lapped_frames++;
			break;
		}
	}
	if (stats != NULL) {
		*stats = s;
	}
	return s.lapped_frames != 0 ? -AES67_ESTALE : (int)s.valid_frames;
}

AES67_RT uint64_t aes67_ring_write_pos(const struct aes67_ring_dir *d)
{
	if (d->ctl == NULL) {
		return 0;
	}
	return atomic_load_explicit(&d->ctl->write_pos, memory_order_acquire);
}

AES67_RT uint64_t aes67_ring_read_pos(const struct aes67_ring_dir *d)
{
	if (d->ctl == NULL) {
		return 0;
	}
	return atomic_load_explicit(&d->ctl->read_pos, memory_order_acquire);
}

AES67_RT void aes67_ring_set_read_pos(const struct aes67_ring_dir *d, uint64_t pos)
{
	if (d->ctl == NULL) {
		return;
	}
	atomic_store_explicit(&d->ctl->read_pos, pos, memory_order_release);
}

AES67_RT int64_t aes67_ring_fill(const struct aes67_ring_dir *d, uint64_t reader_pos)
{
	return (int64_t)(aes67_ring_write_pos(d) - reader_pos);
}
