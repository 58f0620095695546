// SPDX-License-Identifier: MIT
/*
 * ABI test of the shared device region: every offset and size of the structs that cross the
 * process boundary, and the section layout of several geometries, checked at run time against
 * the golden table tests/data/ring/layout.golden (the static_asserts in ring.c and clock_page.c
 * pin the same numbers at compile time), plus validation of hostile or mismatched regions, each
 * refused with -AES67_EABI and its precise reason.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "aes67/ring.h"
#include "ring_fixture.h"

#define GOLDEN_MAX 128

struct golden {
	char name[64];
	uint64_t value;
};

/* Parse "<name> <decimal>" lines; '#' starts a comment line. Returns the number of entries. */
static size_t golden_load(struct golden *g, size_t max)
{
	char buf[16384];
	FILE *f = fopen(AES67_TEST_DATA_DIR "/ring/layout.golden", "r");
	size_t len;
	size_t n = 0;
	const char *p;
	const char *end;

	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(len < sizeof(buf));
	p = buf;
	end = buf + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q = p;
		size_t nl;

		if (eol == NULL) {
			eol = end;
		}
		if (*p != '#' && eol > p) {
			assert_true(n < max);
			while (q < eol && *q != ' ') {
				q++;
			}
			nl = (size_t)(q - p);
			assert_true(nl > 0 && nl < sizeof(g[n].name) && q < eol);
			memcpy(g[n].name, p, nl);
			g[n].name[nl] = '\0';
			g[n].value = 0;
			for (q++; q < eol; q++) {
				assert_true(*q >= '0' && *q <= '9');
				g[n].value = g[n].value * 10 + (uint64_t)(*q - '0');
			}
			n++;
		}
		p = eol + 1;
	}
	return n;
}

struct actual {
	char name[64];
	uint64_t value;
};

static void add(struct actual *a, size_t *n, const char *name, uint64_t v)
{
	assert_true(*n < GOLDEN_MAX);
	snprintf(a[*n].name, sizeof(a[*n].name), "%s", name);
	a[*n].value = v;
	(*n)++;
}

#define HDR(f) add(a, &n, "header." #f, offsetof(struct aes67_ring_header, f))
#define CLK(f) add(a, &n, "clock_page." #f, offsetof(struct aes67_clock_page, f))

static void test_layout_golden(void **state)
{
	static struct golden g[GOLDEN_MAX];
	static struct actual a[GOLDEN_MAX];
	static const uint32_t geoms[][4] = {{48000, 2, 2, 1024},
					    {96000, 8, 0, 256},
					    {48000, 0, 64, 4096},
					    {44100, 128, 128, 65536}};
	size_t n = 0;
	size_t ng;

	(void)state;
	add(a, &n, "abi_version", AES67_RING_ABI_VERSION);
	add(a, &n, "magic", AES67_RING_MAGIC);
	add(a, &n, "sizeof.header", sizeof(struct aes67_ring_header));
	HDR(magic);
	HDR(abi_version);
	HDR(total_bytes);
	HDR(header_bytes);
	HDR(sample_rate);
	HDR(channels_play);
	HDR(channels_capture);
	HDR(format);
	HDR(capacity_frames);
	HDR(clock_off);
	HDR(play_ctl_off);
	HDR(play_stamp_off);
	HDR(play_data_off);
	HDR(cap_ctl_off);
	HDR(cap_stamp_off);
	HDR(cap_data_off);
	HDR(generation);
	HDR(heartbeat_ns);
	HDR(play_owner);
	add(a, &n, "sizeof.ctl", sizeof(struct aes67_ring_ctl));
	add(a, &n, "ctl.write_pos", offsetof(struct aes67_ring_ctl, write_pos));
	add(a, &n, "ctl.read_pos", offsetof(struct aes67_ring_ctl, read_pos));
	add(a, &n, "sizeof.clock_page", sizeof(struct aes67_clock_page));
	CLK(seq);
	CLK(copies);
	for (size_t i = 0; i < AES67_ARRAY_SIZE(geoms); i++) {
		struct aes67_ring_geometry geo = {geoms[i][0], geoms[i][1], geoms[i][2],
						  geoms[i][3], AES67_RING_FORMAT_S32};
		struct aes67_ring_layout l;
		char pre[48];
		char name[64];

		assert_int_equal(aes67_ring_layout(&geo, &l), 0);
		snprintf(pre, sizeof(pre), "geom.%u.%u.%u.%u.", geoms[i][0], geoms[i][1],
			 geoms[i][2], geoms[i][3]);
#define GEO(f)                                                 \
	do {                                                   \
		snprintf(name, sizeof(name), "%s%s", pre, #f); \
		add(a, &n, name, l.f);                         \
	} while (0)
		GEO(clock_off);
		GEO(play_ctl_off);
		GEO(play_stamp_off);
		GEO(play_data_off);
		GEO(cap_ctl_off);
		GEO(cap_stamp_off);
		GEO(cap_data_off);
		GEO(total_bytes);
#undef GEO
	}

	ng = golden_load(g, GOLDEN_MAX);
	assert_int_equal(ng, n);
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < ng && strcmp(g[j].name, a[i].name) != 0) {
			j++;
		}
		if (j == ng) {
			fail_msg("%s missing from layout.golden", a[i].name);
		}
		if (g[j].value != a[i].value) {
			fail_msg("%s: golden %llu, actual %llu", a[i].name,
				 (unsigned long long)g[j].value, (unsigned long long)a[i].value);
		}
	}
}

static void test_layout_rejects_bad_geometry(void **state)
{
	static const struct aes67_ring_geometry bad[] = {
		{0, 2, 2, 1024, AES67_RING_FORMAT_S32},	     /* rate 0 */
		{384001, 2, 2, 1024, AES67_RING_FORMAT_S32}, /* rate too high */
		{48000, 129, 2, 1024, AES67_RING_FORMAT_S32},
		{48000, 2, 129, 1024, AES67_RING_FORMAT_S32},
		{48000, 0, 0, 1024, AES67_RING_FORMAT_S32},	/* no direction */
		{48000, 2, 2, 1000, AES67_RING_FORMAT_S32},	/* not a power of two */
		{48000, 2, 2, 32, AES67_RING_FORMAT_S32},	/* too small */
		{48000, 2, 2, 1u << 21, AES67_RING_FORMAT_S32}, /* too large */
		{48000, 2, 2, 1024, 0},				/* unknown format */
		{48000, 2, 2, 1024, 2},
	};
	struct aes67_ring_layout l;

	(void)state;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(bad); i++) {
		assert_int_equal(aes67_ring_layout(&bad[i], &l), -EINVAL);
	}
}

static const struct aes67_ring_geometry geo_small = {48000, 2, 2, 64, AES67_RING_FORMAT_S32};

static void expect_refused(void *mem, size_t bytes, const char *reason)
{
	const char *why = NULL;
	struct aes67_ring ring;

	assert_int_equal(aes67_ring_validate(mem, bytes, &why), -AES67_EABI);
	assert_non_null(why);
	assert_string_equal(why, reason);
	why = NULL;
	assert_int_equal(aes67_ring_attach(mem, bytes, &ring, &why), -AES67_EABI);
	assert_string_equal(why, reason);
}

static void test_validate_refuses(void **state)
{
	struct ring_fixture f;
	struct aes67_ring_header *h;
	struct aes67_ring_header saved;

	(void)state;
	ring_fixture_make(&f, &geo_small);
	h = f.mem;
	memcpy(&saved, h, offsetof(struct aes67_ring_header, reserved0));
	assert_int_equal(aes67_ring_validate(f.mem, f.bytes, NULL), 0);
	assert_int_equal(aes67_ring_validate(f.mem, f.bytes + 4096, NULL), 0);

	expect_refused(f.mem, 100, "region smaller than the header");
	expect_refused((uint8_t *)f.mem + 8, f.bytes - 8, "region pointer not 64-byte aligned");
	expect_refused(f.mem, f.bytes - 1, "mapping smaller than the region's total size");

#define MUTATE(stmt, reason)                                                      \
	do {                                                                      \
		stmt;                                                             \
		expect_refused(f.mem, f.bytes, reason);                           \
		memcpy(h, &saved, offsetof(struct aes67_ring_header, reserved0)); \
	} while (0)
	MUTATE(h->magic ^= 1, "bad magic (not an aes67 ring region)");
	MUTATE(h->abi_version = AES67_RING_ABI_VERSION + 1, "unsupported ring ABI version");
	MUTATE(h->abi_version = 1, "unsupported ring ABI version");
	MUTATE(h->header_bytes = 128, "header size differs from this build's");
	MUTATE(h->channels_play = 129,
	       "geometry out of range (rate, channels, capacity or format)");
	MUTATE(h->capacity_frames = 65,
	       "geometry out of range (rate, channels, capacity or format)");
	MUTATE(h->format = 7, "geometry out of range (rate, channels, capacity or format)");
	MUTATE(h->sample_rate = 0, "geometry out of range (rate, channels, capacity or format)");
	/* A consistent-looking but larger geometry than the mapping: caught by the size checks. */
	MUTATE(h->capacity_frames = 128, "section offsets do not match the geometry");
	MUTATE(h->cap_data_off += 64, "section offsets do not match the geometry");
	MUTATE(h->clock_off = 0, "section offsets do not match the geometry");
	MUTATE(h->total_bytes += 64, "total size does not match the geometry");
#undef MUTATE
	assert_int_equal(aes67_ring_validate(f.mem, f.bytes, NULL), 0);
	ring_fixture_free(&f);
}

static void test_init_rejects(void **state)
{
	struct ring_fixture f;

	(void)state;
	ring_fixture_make(&f, &geo_small);
	assert_int_equal(aes67_ring_init(f.mem, f.bytes - 1, &geo_small, 1), -ENOSPC);
	assert_int_equal(aes67_ring_init(f.mem, f.bytes, &geo_small, 0), -EINVAL);
	assert_int_equal(aes67_ring_init((uint8_t *)f.mem + 4, f.bytes - 4, &geo_small, 1),
			 -EINVAL);
	ring_fixture_free(&f);
}

/* Counting pattern: distinct for every (position, channel), 24-bit left-justified. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_golden),
		cmocka_unit_test(test_layout_rejects_bad_geometry),
		cmocka_unit_test(test_validate_refuses),
		cmocka_unit_test(test_init_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
