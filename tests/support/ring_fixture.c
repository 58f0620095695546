// SPDX-License-Identifier: MIT
/*
 * Ring fixture for the ring suites (see ring_fixture.h): one set-up, so that the data-path tests
 * and the ABI tests work on regions made the same way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ring_fixture.h"

void ring_fixture_make(struct ring_fixture *f, const struct aes67_ring_geometry *g)
{
	struct aes67_ring_layout l;
	const char *why = NULL;

	assert_int_equal(aes67_ring_layout(g, &l), 0);
	f->bytes = (size_t)l.total_bytes;
	f->mem = aligned_alloc(64, f->bytes);
	assert_non_null(f->mem);
	memset(f->mem, 0xa5, f->bytes); /* init must not rely on zeroed memory */
	assert_int_equal(aes67_ring_init(f->mem, f->bytes, g, 0x1234), 0);
	assert_int_equal(aes67_ring_attach(f->mem, f->bytes, &f->ring, &why), 0);
}

void ring_fixture_free(struct ring_fixture *f)
{
	free(f->mem);
	f->mem = NULL;
}
