// SPDX-License-Identifier: MIT
/*
 * Test data shared by the unit suites (see test_data.h). The hex reader is the strict one the
 * rtp suite grew: a golden file with a stray or half octet fails loudly instead of shifting
 * every octet after it.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/common.h"
#include "test_data.h"

/* Value of one hex digit of either case, or -1. */
static int hex_val(int c)
{
	static const char digits[] = "0123456789abcdef";
	const char *p = c > 0 ? strchr(digits, tolower(c)) : NULL;

	return p != NULL ? (int)(p - digits) : -1;
}

size_t test_data_load_hex(const char *rel_path, uint8_t *out, size_t cap)
{
	char path[512];
	FILE *f;
	size_t n = 0;
	int c, hi = -1;
	bool comment = false;

	assert_true(snprintf(path, sizeof(path), "%s/%s", AES67_TEST_DATA_DIR, rel_path) <
		    (int)sizeof(path));
	f = fopen(path, "r");
	if (f == NULL) {
		fail_msg("cannot open %s", path);
	}
	while ((c = fgetc(f)) != EOF) {
		if (comment) {
			comment = c != '\n';
			continue;
		}
		if (c == '#') {
			comment = true;
			continue;
		}
		int v = hex_val(c);
		if (v < 0) {
			assert_int_equal(hi, -1); /* no split octets */
			continue;
		}
		if (hi < 0) {
			hi = v;
		} else {
			assert_true(n < cap);
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	fclose(f);
	assert_int_equal(hi, -1);
	return n;
}

uint32_t test_data_rng_u32(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

void test_data_fill_pcm_inputs(int32_t *in, float *fin, size_t n, uint64_t *rng)
{
	static const int32_t edges[] = {INT32_MAX, INT32_MIN, 0x7fffff7f, 0x7fffff80, 0x7fffff00,
					-129,	   -128,      -127,	  127,	      128,
					255,	   256,	      0,	  -1,	      -256};
	const size_t n_edges = AES67_ARRAY_SIZE(edges);

	for (size_t i = 0; i < n; i++) {
		uint32_t u =
			i < 3 * n_edges ? (uint32_t)edges[i % n_edges] : test_data_rng_u32(rng);

		in[i] = (int32_t)u;
		if (i % 5 == 0) {
			memcpy(&fin[i], &u, 4); /* any bit pattern: NaN, inf, denormals */
		} else {
			fin[i] = (float)(int32_t)u / 1073741824.0f; /* [-2, 2): rounding matters */
		}
	}
}

size_t test_data_l24_packet(uint8_t *b, uint16_t seq, uint32_t ts, uint32_t ssrc, uint32_t frames)
{
	b[0] = 0x80;
	b[1] = 96;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	for (int i = 0; i < 4; i++) {
		b[4 + i] = (uint8_t)(ts >> (24 - 8 * i));
		b[8 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	}
	for (uint32_t f = 0; f < frames; f++) {
		for (uint32_t c = 0; c < 2; c++) {
			uint32_t v = ((ts + f) & 0x7fff) << 1 | c;
			uint8_t *p = b + 12 + (f * 2 + c) * 3;

			p[0] = (uint8_t)(v >> 16);
			p[1] = (uint8_t)(v >> 8);
			p[2] = (uint8_t)v;
		}
	}
	return 12 + (size_t)frames * 6;
}
