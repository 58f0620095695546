/* SPDX-License-Identifier: MIT */
/*
 * A device ring in test-owned memory, set up the way the daemon does it (layout, init over
 * dirty memory, attach), for the ring suites that need a valid region to work on or to corrupt.
 */
#ifndef AES67_RING_FIXTURE_H
#define AES67_RING_FIXTURE_H

#include <stddef.h>

#include "aes67/ring.h"

struct ring_fixture {
	void *mem; /* 64-byte aligned region of bytes octets, owned by the fixture */
	size_t bytes;
	struct aes67_ring ring; /* attached to mem */
};

/*
 * Allocates a region for geometry g, fills it with 0xa5 (init must not rely on zeroed memory),
 * initialises it with generation 0x1234 and attaches f->ring. Fails the running test on any
 * error. Thread: any.
 */
void ring_fixture_make(struct ring_fixture *f, const struct aes67_ring_geometry *g);

/* Frees the region of ring_fixture_make(). Thread: any. */
void ring_fixture_free(struct ring_fixture *f);

#endif /* AES67_RING_FIXTURE_H */
