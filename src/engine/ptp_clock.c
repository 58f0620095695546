// SPDX-License-Identifier: MIT
/*
 * PTP media clock back end: a latch-published copy (aes67/latch.h) of the servo's mapping over
 * CLOCK_MONOTONIC_RAW and of the grandmaster identity (see ptp_clock.h). The writer is the PTP
 * thread (SCHED_OTHER), the readers the RT threads: with a one-copy seqlock a writer preempted
 * mid-update made every read fail until it ran again, and the RT threads' retries kept it from
 * running (docs/bench-latency.md, "Third session"); the latch always has a whole copy.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aes67/latch.h"
#include "ptp_clock.h"

/* Words of one copy: mono_raw_ref_ns, ptp_ref_ns, rate_ratio (double bits), uncertainty_ns,
 * gm_identity (8 bytes, big-endian packed), flags (bit 0 gm_valid, bit 1 locked, bits 8..15
 * domain) | generation << 32. */
#define WORDS 6

struct aes67d_ptp_clock {
	struct aes67d_clock base;
	_Alignas(AES67_CACHELINE_BYTES) _Atomic uint64_t seq;
	_Atomic uint64_t copies[2 * WORDS];
	/* Writer-only state. */
	struct aes67d_clock_ref last;
};

static uint64_t id_pack(const uint8_t id[8])
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++) {
		v = v << 8 | id[i];
	}
	return v;
}

static void id_unpack(uint64_t v, uint8_t id[8])
{
	for (int i = 7; i >= 0; i--) {
		id[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t dbl_bits(double x)
{
	uint64_t v;

	memcpy(&v, &x, sizeof(v));
	return v;
}

static double bits_dbl(uint64_t v)
{
	double x;

	memcpy(&x, &v, sizeof(x));
	return x;
}

static void store_all(struct aes67d_ptp_clock *c, const struct aes67d_clock_map *map,
		      const struct aes67d_clock_ref *ref)
{
	const uint32_t flags =
		(ref->gm_valid ? 1u : 0u) | (ref->locked ? 2u : 0u) | (uint32_t)ref->domain << 8;
	const uint64_t w[WORDS] = {
		map->mono_raw_ref_ns,	   map->ptp_ref_ns,
		dbl_bits(map->rate_ratio), map->uncertainty_ns,
		id_pack(ref->gm_identity), flags | (uint64_t)ref->generation << 32};

	aes67_latch_write(&c->seq, c->copies, WORDS, w);
}

int aes67d_ptp_clock_read(struct aes67d_ptp_clock *c, struct aes67d_clock_map *map,
			  struct aes67d_clock_ref *ref)
{
	uint64_t w[WORDS];
	int r = aes67_latch_read(&c->seq, c->copies, WORDS, w, NULL);

	if (r < 0) {
		return r;
	}
	if (map != NULL) {
		map->mono_raw_ref_ns = w[0];
		map->ptp_ref_ns = w[1];
		map->rate_ratio = bits_dbl(w[2]);
		map->uncertainty_ns = w[3];
	}
	if (ref != NULL) {
		ref->gm_valid = (w[5] & 1u) != 0;
		ref->locked = (w[5] & 2u) != 0;
		ref->domain = (uint8_t)(w[5] >> 8);
		ref->generation = (uint32_t)(w[5] >> 32);
		id_unpack(w[4], ref->gm_identity);
	}
	return 0;
}

int aes67d_ptp_clock_publish(struct aes67d_ptp_clock *c, const struct aes67d_clock_map *map,
			     const struct aes67d_clock_ref *ref)
{
	struct aes67d_clock_ref r = *ref;
	int changed = r.gm_valid != c->last.gm_valid || r.domain != c->last.domain ||
		      memcmp(r.gm_identity, c->last.gm_identity, sizeof(r.gm_identity)) != 0;

	r.generation = c->last.generation + (changed ? 1u : 0u);
	c->last = r;
	store_all(c, map, &r);
	return changed;
}

static int ptp_now_ns(struct aes67d_clock *clk, uint64_t *ptp_ns)
{
	struct aes67d_ptp_clock *c = AES67_CONTAINER_OF(clk, struct aes67d_ptp_clock, base);
	struct aes67d_clock_map map;
	struct timespec ts;
	int r = aes67d_ptp_clock_read(c, &map, NULL);

	if (r < 0) {
		return r;
	}
	if (clock_gettime(CLOCK_MONOTONIC_RAW, &ts) != 0) {
		return -errno;
	}
	*ptp_ns = aes67d_clock_map_apply(&map,
					 (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	return 0;
}

static int ptp_get_map(struct aes67d_clock *clk, struct aes67d_clock_map *map)
{
	return aes67d_ptp_clock_read(AES67_CONTAINER_OF(clk, struct aes67d_ptp_clock, base), map,
				     NULL);
}

static int ptp_get_ref(struct aes67d_clock *clk, struct aes67d_clock_ref *ref)
{
	return aes67d_ptp_clock_read(AES67_CONTAINER_OF(clk, struct aes67d_ptp_clock, base), NULL,
				     ref);
}

static void ptp_destroy(struct aes67d_clock *clk)
{
	free(AES67_CONTAINER_OF(clk, struct aes67d_ptp_clock, base));
}

int aes67d_ptp_clock_create(struct aes67d_ptp_clock **out, const struct aes67d_clock_map *map,
			    uint8_t domain)
{
	struct aes67d_ptp_clock *c;
	struct aes67d_clock_ref ref = {.domain = domain};

	if (out == NULL || map == NULL) {
		return -EINVAL;
	}
	c = aligned_alloc(AES67_CACHELINE_BYTES, (sizeof(*c) + AES67_CACHELINE_BYTES - 1) /
							 AES67_CACHELINE_BYTES *
							 AES67_CACHELINE_BYTES);
	if (c == NULL) {
		return -ENOMEM;
	}
	memset(c, 0, sizeof(*c));
	c->base.name = "ptp";
	c->base.kind = AES67D_CLOCK_PTP;
	c->base.now_ns = ptp_now_ns;
	c->base.get_map = ptp_get_map;
	c->base.get_ref = ptp_get_ref;
	c->base.destroy = ptp_destroy;
	atomic_init(&c->seq, 0);
	c->last.domain = domain;
	store_all(c, map, &ref);
	*out = c;
	return 0;
}

struct aes67d_clock *aes67d_ptp_clock_base(struct aes67d_ptp_clock *c)
{
	return &c->base;
}
