// SPDX-License-Identifier: MIT
/*
 * PTP media clock back end: a seqlock-published copy of the servo's mapping over
 * CLOCK_MONOTONIC_RAW and of the grandmaster identity (see ptp_clock.h).
 *
 * Seqlock (single writer): the writer makes the sequence odd, stores the fields, makes it even
 * again; a reader retries while the sequence is odd or changed under it. Fences follow the
 * C11 seqlock recipe (Boehm, "Can seqlocks get along with programming language memory
 * models?", 2012): release fence after the odd store, acquire fence before the re-check.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ptp_clock.h"

#define READ_TRIES 1000

struct ptp_clock_data {
	_Atomic uint64_t mono_raw_ref_ns, ptp_ref_ns, rate_bits, uncertainty_ns;
	_Atomic uint64_t gm_identity; /* 8 bytes, big-endian packed */
	_Atomic uint32_t flags;	      /* bit 0 gm_valid, bit 1 locked, bits 8..15 domain */
	_Atomic uint32_t generation;
};

struct aes67d_ptp_clock {
	struct aes67d_clock base;
	_Alignas(AES67_CACHELINE_BYTES) _Atomic uint32_t seq;
	struct ptp_clock_data d;
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
	uint32_t flags =
		(ref->gm_valid ? 1u : 0u) | (ref->locked ? 2u : 0u) | (uint32_t)ref->domain << 8;
	uint32_t s = atomic_load_explicit(&c->seq, memory_order_relaxed);

	atomic_store_explicit(&c->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&c->d.mono_raw_ref_ns, map->mono_raw_ref_ns, memory_order_relaxed);
	atomic_store_explicit(&c->d.ptp_ref_ns, map->ptp_ref_ns, memory_order_relaxed);
	atomic_store_explicit(&c->d.rate_bits, dbl_bits(map->rate_ratio), memory_order_relaxed);
	atomic_store_explicit(&c->d.uncertainty_ns, map->uncertainty_ns, memory_order_relaxed);
	atomic_store_explicit(&c->d.gm_identity, id_pack(ref->gm_identity), memory_order_relaxed);
	atomic_store_explicit(&c->d.flags, flags, memory_order_relaxed);
	atomic_store_explicit(&c->d.generation, ref->generation, memory_order_relaxed);
	atomic_store_explicit(&c->seq, s + 2, memory_order_release);
}

int aes67d_ptp_clock_read(struct aes67d_ptp_clock *c, struct aes67d_clock_map *map,
			  struct aes67d_clock_ref *ref)
{
	for (int i = 0; i < READ_TRIES; i++) {
		uint32_t s0 = atomic_load_explicit(&c->seq, memory_order_acquire);
		struct aes67d_clock_map m;
		uint64_t id;
		uint32_t flags, gen;

		if (s0 & 1u) {
			continue;
		}
		m.mono_raw_ref_ns =
			atomic_load_explicit(&c->d.mono_raw_ref_ns, memory_order_relaxed);
		m.ptp_ref_ns = atomic_load_explicit(&c->d.ptp_ref_ns, memory_order_relaxed);
		m.rate_ratio =
			bits_dbl(atomic_load_explicit(&c->d.rate_bits, memory_order_relaxed));
		m.uncertainty_ns = atomic_load_explicit(&c->d.uncertainty_ns, memory_order_relaxed);
		id = atomic_load_explicit(&c->d.gm_identity, memory_order_relaxed);
		flags = atomic_load_explicit(&c->d.flags, memory_order_relaxed);
		gen = atomic_load_explicit(&c->d.generation, memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&c->seq, memory_order_relaxed) != s0) {
			continue;
		}
		if (map != NULL) {
			*map = m;
		}
		if (ref != NULL) {
			ref->gm_valid = (flags & 1u) != 0;
			ref->locked = (flags & 2u) != 0;
			ref->domain = (uint8_t)(flags >> 8);
			ref->generation = gen;
			id_unpack(id, ref->gm_identity);
		}
		return 0;
	}
	return -EAGAIN;
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
