// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for aes67d's SAP listener path (src/daemon/sap_listener.c, sap_summary.c):
 * what aes67d and `aes67 list` do with each received datagram, then with each cached session.
 * The input is a script of datagrams, each [source host (1 byte)][time step s (1 byte)]
 * [length (2 bytes, big-endian)][bytes], fed to a 4-entry listener with a synthetic clock and
 * expiry; after each datagram every cached session is summarised and rendered as JSON (with its
 * SDP), as sessions.list does. Invariants: counters add up to the datagrams received, the cache
 * never exceeds its capacity, every rendering succeeds (non-UTF-8 text included).
 * Build: see tests/fuzz/meson.build, or by hand (needs jansson):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude -Isrc/core \
 *     -Isrc/daemon tests/fuzz/fuzz_sap_listener.c src/daemon/sap_listener.c \
 *     src/daemon/sap_summary.c src/core/(sap.c sap_cache.c sdp_*.c error.c) -ljansson
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sap_listener.h"
#include "sap_summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAPACITY 4
#define S_NS 1000000000ull

static struct aes67_sap_entry entries[CAPACITY];

static void check(int cond)
{
	if (!cond) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aes67d_sap_listener l;
	uint64_t now = S_NS, refusals = 0, ok = 0;
	size_t pos = 0;

	check(aes67d_sap_listener_init(&l, entries, CAPACITY, 30 * S_NS, NULL, NULL) == 0);
	while (size - pos >= 4) {
		struct aes67_sap_origin src = {.family = 4, .addr = {198, 51, 100, data[pos]}};
		size_t len = (size_t)data[pos + 2] << 8 | data[pos + 3];
		const struct aes67_sap_entry *e;
		size_t cursor = 0;
		int r;

		now += (uint64_t)data[pos + 1] * S_NS;
		pos += 4;
		if (len > size - pos) {
			len = size - pos;
		}
		r = aes67d_sap_listener_handle(&l, data + pos, len, &src, now);
		pos += len;
		refusals += r < 0;
		ok += r >= 0;
		aes67_sap_cache_expire(&l.cache, now);
		check(l.cache.count <= CAPACITY);
		while ((e = aes67_sap_cache_next(&l.cache, &cursor)) != NULL) {
			json_t *o = aes67d_sap_entry_json(e, now, true);

			check(o != NULL);
			check(json_string_value(json_object_get(o, "sdp")) != NULL);
			json_decref(o);
		}
	}
	check(l.stats.received == refusals + ok);
	check(l.stats.malformed + l.stats.encrypted + l.stats.compressed + l.stats.other_payload +
		      l.stats.oversize + l.stats.full + l.stats.forged_deletion +
		      l.stats.unknown_deletion ==
	      refusals);
	return 0;
}
