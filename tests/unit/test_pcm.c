// SPDX-License-Identifier: MIT
/*
 * Unit tests for the pcm codecs. Exhaustive where it is cheap enough: every L16 value and every
 * L24 value go wire -> int32 -> wire and wire -> float -> wire bit-exactly, and every kernel
 * table this CPU can run (scalar, SSSE3, AVX2) is compared with the scalar reference on all of
 * them, at every length 0..69 and 3 misalignments, and on random int32/float bit patterns.
 * L32/AM824 and float inputs are covered by edge values plus a large pseudo-random sample
 * (fixed seed). AM824 labels are checked against golden words made by an independent model
 * (tests/data/pcm/), every table's fast AM824 encoder against the word-at-a-time reference,
 * the channel-status CRCC against the AES3-2 worked examples. The RT guard proves the codecs
 * neither allocate, lock, log nor read a clock.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/pcm.h"
#include "pcm_impl.h"
#include "rt_guard.h"
#include "test_data.h"

#define CHUNK (1u << 20)

/* Seed of test_data_rng_u32(): fixed, so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

struct bufs {
	uint8_t *wire, *back, *back_ref;
	int32_t *s, *s_ref;
	float *f, *f_ref;
};

static struct bufs alloc_bufs(void)
{
	struct bufs b = {
		.wire = malloc(CHUNK * 4),
		.back = malloc(CHUNK * 4 + 64),
		.back_ref = malloc(CHUNK * 4 + 64),
		.s = malloc(CHUNK * 4),
		.s_ref = malloc(CHUNK * 4),
		.f = malloc(CHUNK * 4),
		.f_ref = malloc(CHUNK * 4),
	};
	assert_non_null(b.wire);
	assert_non_null(b.back);
	assert_non_null(b.back_ref);
	assert_non_null(b.s);
	assert_non_null(b.s_ref);
	assert_non_null(b.f);
	assert_non_null(b.f_ref);
	return b;
}

static void free_bufs(struct bufs *b)
{
	free(b->wire);
	free(b->back);
	free(b->back_ref);
	free(b->s);
	free(b->s_ref);
	free(b->f);
	free(b->f_ref);
}

/* Every kernel table this CPU can run (scalar, SSSE3, AVX2) against the reference. */
static void tables_vs_ref(enum aes67_pcm_format fmt, struct bufs *b, size_t n)
{
	size_t sb = aes67_pcm_sample_bytes(fmt);
	unsigned idx = PCM_FMT_INDEX(fmt);

	aes67_pcm_ref_decode_s32(fmt, b->s_ref, b->wire, n);
	aes67_pcm_ref_decode_f32(fmt, b->f_ref, b->wire, n);
	for (int isa = 0; isa < PCM_ISA_COUNT; isa++) {
		const struct pcm_kernels *k = aes67_pcm_kernels_get((enum pcm_isa)isa);
		if (k == NULL) {
			continue;
		}
		k->dec_s32[idx](b->s, b->wire, n);
		assert_memory_equal(b->s, b->s_ref, n * 4);
		k->dec_f32[idx](b->f, b->wire, n);
		assert_memory_equal(b->f, b->f_ref, n * 4);
		aes67_pcm_ref_encode_s32(fmt, b->back_ref, b->s_ref, n);
		k->enc_s32[idx](b->back, b->s_ref, n);
		assert_memory_equal(b->back, b->back_ref, n * sb);
		aes67_pcm_ref_encode_f32(fmt, b->back_ref, b->f_ref, n);
		k->enc_f32[idx](b->back, b->f_ref, n);
		assert_memory_equal(b->back, b->back_ref, n * sb);
	}
}

/* Both directions, both host types, dispatched vs reference, for n samples in b->wire. */
static void roundtrip(enum aes67_pcm_format fmt, struct bufs *b, size_t n, bool float_exact)
{
	size_t sb = aes67_pcm_sample_bytes(fmt);

	tables_vs_ref(fmt, b, n);

	assert_int_equal(aes67_pcm_decode_s32(fmt, b->s, b->wire, n), 0);
	aes67_pcm_ref_decode_s32(fmt, b->s_ref, b->wire, n);
	assert_memory_equal(b->s, b->s_ref, n * 4);
	assert_int_equal(aes67_pcm_decode_f32(fmt, b->f, b->wire, n), 0);
	aes67_pcm_ref_decode_f32(fmt, b->f_ref, b->wire, n);
	assert_memory_equal(b->f, b->f_ref, n * 4);
	for (size_t i = 0; i < n; i++) {
		assert_true((double)b->f[i] == (double)b->s[i] / 2147483648.0 || !float_exact);
	}
	if (fmt == AES67_PCM_AM824) {
		return; /* AM824 encoding (labels) is tested separately */
	}
	assert_int_equal(aes67_pcm_encode_s32(fmt, b->back, b->s, n), 0);
	assert_memory_equal(b->back, b->wire, n * sb);
	assert_int_equal(aes67_pcm_encode_f32(fmt, b->back, b->f, n), 0);
	aes67_pcm_ref_encode_f32(fmt, b->back_ref, b->f, n);
	assert_memory_equal(b->back, b->back_ref, n * sb);
	if (float_exact) {
		assert_memory_equal(b->back, b->wire, n * sb);
	}
}

static void test_l16_exhaustive(void **state)
{
	struct bufs b = alloc_bufs();

	(void)state;
	for (uint32_t v = 0; v < 65536; v++) {
		b.wire[2 * v] = (uint8_t)(v >> 8);
		b.wire[2 * v + 1] = (uint8_t)v;
	}
	roundtrip(AES67_PCM_L16, &b, 65536, true);
	assert_int_equal(b.s[0x8000], INT32_MIN);
	assert_int_equal(b.s[0x7fff], 0x7fff0000);
	assert_true(b.f[0x8000] == -1.0f);
	free_bufs(&b);
}

static void test_l24_exhaustive(void **state)
{
	struct bufs b = alloc_bufs();

	(void)state;
	for (uint32_t base = 0; base < (1u << 24); base += CHUNK) {
		for (uint32_t i = 0; i < CHUNK; i++) {
			uint32_t v = base + i;
			b.wire[3 * i] = (uint8_t)(v >> 16);
			b.wire[3 * i + 1] = (uint8_t)(v >> 8);
			b.wire[3 * i + 2] = (uint8_t)v;
		}
		roundtrip(AES67_PCM_L24, &b, CHUNK, true);
		for (uint32_t i = 0; i < CHUNK; i += 4099) {
			assert_int_equal(b.s[i], (int32_t)((base + i) << 8));
		}
	}
	free_bufs(&b);
}

static void test_l32_am824_sample(void **state)
{
	static const uint32_t edges[] = {0,	     1,		 0x7fffffff, 0x80000000,
					 0xffffffff, 0x7fffff80, 0x7fffff7f, 0x80000001,
					 0x00ffffff, 0xff000000};
	struct bufs b = alloc_bufs();

	(void)state;
	for (uint32_t i = 0; i < CHUNK; i++) {
		uint32_t v = i < AES67_ARRAY_SIZE(edges) ? edges[i] : test_data_rng_u32(&rng_state);
		b.wire[4 * i] = (uint8_t)(v >> 24);
		b.wire[4 * i + 1] = (uint8_t)(v >> 16);
		b.wire[4 * i + 2] = (uint8_t)(v >> 8);
		b.wire[4 * i + 3] = (uint8_t)v;
	}
	roundtrip(AES67_PCM_L32, &b, CHUNK, false);
	/* L32 via float keeps 24 significant bits: the error is at most half a float step. */
	assert_int_equal(aes67_pcm_encode_f32(AES67_PCM_L32, b.back, b.f, CHUNK), 0);
	for (uint32_t i = 0; i < CHUNK; i++) {
		int64_t x = b.s[i];
		int64_t y = (int32_t)((uint32_t)b.back[4 * i] << 24 |
				      (uint32_t)b.back[4 * i + 1] << 16 |
				      (uint32_t)b.back[4 * i + 2] << 8 | b.back[4 * i + 3]);
		int64_t tol = llabs(x) >= (1 << 24)
				      ? (int64_t)1 << (63 - __builtin_clzll(llabs(x)) - 24)
				      : 0;
		assert_true(llabs(x - y) <= tol || (x >= 0x7fffff80 && y == INT32_MAX));
	}
	roundtrip(AES67_PCM_AM824, &b, CHUNK, true);
	assert_int_equal(b.s[0], 0);
	assert_int_equal(b.s[2], (int32_t)0xffffff00); /* label 0x7f dropped */
	free_bufs(&b);
}

/* Each table at length n, offset off: equal to the reference, nothing written past the end. */
static void tails_tables(enum aes67_pcm_format fmt, struct bufs *b, size_t n, size_t off)
{
	size_t sb = aes67_pcm_sample_bytes(fmt);
	unsigned idx = PCM_FMT_INDEX(fmt);

	for (int isa = 0; isa < PCM_ISA_COUNT; isa++) {
		const struct pcm_kernels *k = aes67_pcm_kernels_get((enum pcm_isa)isa);
		if (k == NULL) {
			continue;
		}
		b->s[n] = 0x5a5a5a5a;
		k->dec_s32[idx](b->s, b->wire + off, n);
		assert_memory_equal(b->s, b->s_ref, n * 4);
		assert_int_equal(b->s[n], 0x5a5a5a5a);
		memset(b->back, 0xa5, (n + 4) * sb);
		k->enc_s32[idx](b->back + off, b->s_ref, n);
		aes67_pcm_ref_encode_s32(fmt, b->back_ref, b->s_ref, n);
		assert_memory_equal(b->back + off, b->back_ref, n * sb);
		for (size_t i = off + n * sb; i < (n + 4) * sb; i++) {
			assert_int_equal(b->back[i], 0xa5);
		}
		memset(b->back, 0xa5, (n + 4) * sb);
		for (size_t i = 0; i < n; i++) {
			b->f[i] = (float)b->s_ref[i] * 4.6566128730773926e-10f;
		}
		k->enc_f32[idx](b->back + off, b->f, n);
		aes67_pcm_ref_encode_f32(fmt, b->back_ref, b->f, n);
		assert_memory_equal(b->back + off, b->back_ref, n * sb);
		for (size_t i = off + n * sb; i < (n + 4) * sb; i++) {
			assert_int_equal(b->back[i], 0xa5);
		}
	}
}

/* Every length and misalignment near the vector widths: exercises the SIMD/scalar seams. */
static void test_tails(void **state)
{
	static const enum aes67_pcm_format fmts[] = {AES67_PCM_L16, AES67_PCM_L24, AES67_PCM_L32,
						     AES67_PCM_AM824};
	struct bufs b = alloc_bufs();

	(void)state;
	for (size_t k = 0; k < AES67_ARRAY_SIZE(fmts); k++) {
		size_t sb = aes67_pcm_sample_bytes(fmts[k]);
		for (size_t n = 0; n < 70; n++) {
			for (size_t off = 0; off < 3; off++) {
				for (size_t i = 0; i < (n + 4) * sb; i++) {
					b.wire[i] = (uint8_t)test_data_rng_u32(&rng_state);
				}
				memcpy(b.back_ref, b.wire, (n + 4) * sb);
				assert_int_equal(
					aes67_pcm_decode_s32(fmts[k], b.s, b.wire + off, n), 0);
				aes67_pcm_ref_decode_s32(fmts[k], b.s_ref, b.wire + off, n);
				assert_memory_equal(b.s, b.s_ref, n * 4);
				tails_tables(fmts[k], &b, n, off);
				if (fmts[k] == AES67_PCM_AM824) {
					continue;
				}
				/* Encode into an offset buffer: nothing past n samples is touched.
				 */
				memset(b.back, 0xa5, (n + 4) * sb);
				assert_int_equal(
					aes67_pcm_encode_s32(fmts[k], b.back + off, b.s, n), 0);
				assert_memory_equal(b.back + off, b.wire + off, n * sb);
				for (size_t i = off + n * sb; i < (n + 4) * sb; i++) {
					assert_int_equal(b.back[i], 0xa5);
				}
			}
		}
	}
	free_bufs(&b);
}

static int32_t get(enum aes67_pcm_format fmt, const uint8_t *p)
{
	switch (fmt) {
	case AES67_PCM_L16:
		return (int16_t)(p[0] << 8 | p[1]);
	case AES67_PCM_L24:
		return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
				 (uint32_t)p[2] << 8) >>
		       8;
	default:
		return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
				 p[3]);
	}
}

/* Encode x (repeated to 64 samples so the SIMD path sees it) and return the first sample. */
static int32_t enc_s32(enum aes67_pcm_format fmt, int32_t x)
{
	int32_t in[64];
	uint8_t out[64 * 4];

	for (int i = 0; i < 64; i++) {
		in[i] = x;
	}
	assert_int_equal(aes67_pcm_encode_s32(fmt, out, in, 64), 0);
	assert_int_equal(get(fmt, out + 63 * aes67_pcm_sample_bytes(fmt)), get(fmt, out));
	return get(fmt, out);
}

static int32_t enc_f32(enum aes67_pcm_format fmt, float x)
{
	float in[64];
	uint8_t out[64 * 4];

	for (int i = 0; i < 64; i++) {
		in[i] = x;
	}
	assert_int_equal(aes67_pcm_encode_f32(fmt, out, in, 64), 0);
	assert_int_equal(get(fmt, out + 63 * aes67_pcm_sample_bytes(fmt)), get(fmt, out));
	return get(fmt, out);
}

static void test_rounding_rules(void **state)
{
	(void)state;
	/* int32 -> L16: floor((x + 2^15) / 2^16), saturated. */
	assert_int_equal(enc_s32(AES67_PCM_L16, 0x7fff), 0);
	assert_int_equal(enc_s32(AES67_PCM_L16, 0x8000), 1);
	assert_int_equal(enc_s32(AES67_PCM_L16, -0x8000), 0);
	assert_int_equal(enc_s32(AES67_PCM_L16, -0x8001), -1);
	assert_int_equal(enc_s32(AES67_PCM_L16, INT32_MAX), 32767);
	assert_int_equal(enc_s32(AES67_PCM_L16, INT32_MIN), -32768);
	/* int32 -> L24 */
	assert_int_equal(enc_s32(AES67_PCM_L24, 0x7f), 0);
	assert_int_equal(enc_s32(AES67_PCM_L24, 0x80), 1);
	assert_int_equal(enc_s32(AES67_PCM_L24, 0x17f), 1);
	assert_int_equal(enc_s32(AES67_PCM_L24, -0x81), -1);
	assert_int_equal(enc_s32(AES67_PCM_L24, INT32_MAX), 8388607);
	assert_int_equal(enc_s32(AES67_PCM_L24, 0x7fffff7f), 8388607);
	assert_int_equal(enc_s32(AES67_PCM_L24, 0x7fffff80), 8388607);
	assert_int_equal(enc_s32(AES67_PCM_L24, 0x7ffffe80), 8388607);
	assert_int_equal(enc_s32(AES67_PCM_L24, 0x7ffffe7f), 8388606);
	assert_int_equal(enc_s32(AES67_PCM_L24, -0x80), 0);
	assert_int_equal(enc_s32(AES67_PCM_L24, INT32_MIN), -8388608);
	assert_int_equal(enc_s32(AES67_PCM_L32, INT32_MIN), INT32_MIN);
	/* float: clip at +-1, NaN -> 0, round to nearest even. */
	assert_int_equal(enc_f32(AES67_PCM_L16, 1.0f), 32767);
	assert_int_equal(enc_f32(AES67_PCM_L16, 2.0f), 32767);
	assert_int_equal(enc_f32(AES67_PCM_L16, INFINITY), 32767);
	assert_int_equal(enc_f32(AES67_PCM_L16, -1.0f), -32768);
	assert_int_equal(enc_f32(AES67_PCM_L16, -INFINITY), -32768);
	assert_int_equal(enc_f32(AES67_PCM_L16, NAN), 0);
	assert_int_equal(enc_f32(AES67_PCM_L16, -0.0f), 0);
	assert_int_equal(enc_f32(AES67_PCM_L16, 0.5f / 32768), 0);
	assert_int_equal(enc_f32(AES67_PCM_L16, 1.5f / 32768), 2);
	assert_int_equal(enc_f32(AES67_PCM_L16, 0.75f / 32768), 1);
	assert_int_equal(enc_f32(AES67_PCM_L24, 1.0f), 8388607);
	assert_int_equal(enc_f32(AES67_PCM_L24, -3.0f), -8388608);
	assert_int_equal(enc_f32(AES67_PCM_L24, NAN), 0);
	assert_int_equal(enc_f32(AES67_PCM_L24, 2.5f / 8388608), 2);
	assert_int_equal(enc_f32(AES67_PCM_L32, 1.0f), INT32_MAX);
	assert_int_equal(enc_f32(AES67_PCM_L32, 0.99999994f), 2147483520);
	assert_int_equal(enc_f32(AES67_PCM_L32, -1.0f), INT32_MIN);
	assert_int_equal(enc_f32(AES67_PCM_L32, -1e30f), INT32_MIN);
	assert_int_equal(enc_f32(AES67_PCM_L32, NAN), 0);
	assert_int_equal(enc_f32(AES67_PCM_L32, -NAN), 0);
}

/* Random float bit patterns (NaN, inf, denormals, everything): SIMD equals the reference. */
static void test_float_encode_random(void **state)
{
	static const enum aes67_pcm_format fmts[] = {AES67_PCM_L16, AES67_PCM_L24, AES67_PCM_L32,
						     AES67_PCM_AM824};
	struct bufs b = alloc_bufs();
	const size_t n = 1u << 18;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		uint32_t u = test_data_rng_u32(&rng_state);
		/* Half of them in [-2, 2) where rounding matters, half any bit pattern. */
		if (i & 1) {
			b.f[i] = (float)(int32_t)u / 1073741824.0f;
		} else {
			memcpy(&b.f[i], &u, 4);
		}
	}
	for (size_t k = 0; k < AES67_ARRAY_SIZE(fmts); k++) {
		size_t sb = aes67_pcm_sample_bytes(fmts[k]);
		if (fmts[k] != AES67_PCM_AM824) {
			assert_int_equal(aes67_pcm_encode_f32(fmts[k], b.back, b.f, n), 0);
		}
		aes67_pcm_ref_encode_f32(fmts[k], b.back_ref, b.f, n);
		for (int isa = 0; isa < PCM_ISA_COUNT; isa++) {
			const struct pcm_kernels *kt = aes67_pcm_kernels_get((enum pcm_isa)isa);
			if (kt != NULL) {
				kt->enc_f32[PCM_FMT_INDEX(fmts[k])](b.back, b.f, n);
				assert_memory_equal(b.back, b.back_ref, n * sb);
			}
		}
		for (size_t i = 0; i < n; i++) {
			b.s[i] = (int32_t)test_data_rng_u32(&rng_state);
		}
		aes67_pcm_ref_encode_s32(fmts[k], b.back_ref, b.s, n);
		if (fmts[k] != AES67_PCM_AM824) {
			assert_int_equal(aes67_pcm_encode_s32(fmts[k], b.back, b.s, n), 0);
			assert_memory_equal(b.back, b.back_ref, n * sb);
		}
		for (int isa = 0; isa < PCM_ISA_COUNT; isa++) {
			const struct pcm_kernels *kt = aes67_pcm_kernels_get((enum pcm_isa)isa);
			if (kt != NULL) {
				kt->enc_s32[PCM_FMT_INDEX(fmts[k])](b.back, b.s, n);
				assert_memory_equal(b.back, b.back_ref, n * sb);
			}
		}
	}
	free_bufs(&b);
}

static void test_invalid(void **state)
{
	int32_t s[4] = {0};
	float f[4] = {0};
	uint8_t w[AES67_AM824_CS_BYTES] = {0};

	(void)state;
	assert_int_equal(aes67_pcm_sample_bytes((enum aes67_pcm_format)0), 0);
	assert_int_equal(aes67_pcm_decode_s32((enum aes67_pcm_format)9, s, w, 4), -EINVAL);
	assert_int_equal(aes67_pcm_decode_f32((enum aes67_pcm_format)0, f, w, 4), -EINVAL);
	assert_int_equal(aes67_pcm_encode_s32(AES67_PCM_AM824, w, s, 4), -EINVAL);
	assert_int_equal(aes67_pcm_encode_f32(AES67_PCM_AM824, w, f, 4), -EINVAL);
	assert_int_equal(aes67_pcm_encode_s32(AES67_PCM_L24, NULL, s, 4), -EINVAL);
	assert_int_equal(aes67_pcm_encode_s32(AES67_PCM_L24, NULL, NULL, 0), 0);
	assert_int_equal(aes67_am824_encode_s32(w, s, 1, 0, NULL, 0, 0), -EINVAL);
	assert_int_equal(aes67_am824_encode_s32(w, s, 1, 4, NULL, 0, AES67_AM824_LABEL_C), -EINVAL);
	assert_int_equal(aes67_am824_decode_s32(NULL, NULL, w, 1, 4, NULL), -EINVAL);
	assert_int_equal(aes67_am824_decode_f32(f, NULL, w, 1, 0, NULL), -EINVAL);
	assert_int_equal(aes67_am824_cs_default(w, 22050), -EINVAL);
	assert_int_equal(aes67_am824_cs_default(w, 0), -EINVAL);
}

static void test_am824_golden(void **state)
{
	uint8_t g[64], cs[2][AES67_AM824_CS_BYTES], out[32];
	static const int32_t audio[] = {0x123456, 0, -1, -0x800000, 1, 0x55aa55, 0x7fffff, 1};
	int32_t s[8];
	float f[8];

	(void)state;
	assert_int_equal(test_data_load_hex("pcm/am824_48k_2ch.hex", g, sizeof(g)), 24 + 32);
	assert_int_equal(aes67_am824_cs_default(cs[0], 48000), 0);
	assert_memory_equal(cs[0], g, 24);
	memcpy(cs[1], cs[0], sizeof(cs[0]));
	/* Octet 23 is the CRCC of octets 0-22 (value 0x07 from the independent Python model). */
	assert_int_equal(aes67_am824_cs_crc(cs[0]), cs[0][23]);
	for (int i = 0; i < 8; i++) {
		s[i] = audio[i] * 256;
		f[i] = (float)audio[i] / 8388608.0f;
	}
	assert_int_equal(aes67_am824_encode_s32(out, s, 4, 2, cs[0], 0, 0), 0);
	assert_memory_equal(out, g + 24, 32);
	assert_int_equal(aes67_am824_encode_f32(out, f, 4, 2, cs[0], 0, 0), 0);
	assert_memory_equal(out, g + 24, 32);
	/* Same audio one block later: identical labels (frame_counter mod 192). */
	assert_int_equal(aes67_am824_encode_s32(out, s, 4, 2, cs[0], 192 * 1000, 0), 0);
	assert_memory_equal(out, g + 24, 32);
	assert_int_equal(aes67_am824_decode_s32(s, NULL, g + 24, 4, 2, NULL), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(s[i], audio[i] * 256);
	}
}

static void test_am824_blocks(void **state)
{
	enum { CH = 3, FRAMES = 600 };
	static int32_t in[FRAMES * CH], back[FRAMES * CH];
	static uint8_t wire[FRAMES * CH * 4], labels[FRAMES * CH];
	uint8_t cs[CH][AES67_AM824_CS_BYTES];
	struct aes67_am824_rx rx[CH];
	const uint64_t start = 190; /* two frames before a block start */
	int errs;

	(void)state;
	for (int ch = 0; ch < CH; ch++) {
		for (int i = 0; i < AES67_AM824_CS_BYTES; i++) {
			cs[ch][i] = (uint8_t)test_data_rng_u32(&rng_state);
		}
	}
	for (int i = 0; i < FRAMES * CH; i++) {
		in[i] = (int32_t)(test_data_rng_u32(&rng_state) & 0xffffff00u);
	}
	assert_int_equal(
		aes67_am824_encode_s32(wire, in, FRAMES, CH, cs[0], start, AES67_AM824_LABEL_U), 0);
	aes67_am824_rx_init(rx, CH);
	rt_guard_enter(RT_GUARD_CORE);
	errs = aes67_am824_decode_s32(back, labels, wire, FRAMES, CH, rx);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(errs, 0);
	assert_memory_equal(back, in, sizeof(in));
	for (int f = 0; f < FRAMES; f++) {
		unsigned pos = (unsigned)((start + (uint64_t)f) % 192);
		for (int ch = 0; ch < CH; ch++) {
			uint8_t l = labels[f * CH + ch];
			bool first = ch % 2 == 0;
			assert_int_equal(l & AES67_AM824_PAC_MASK, !first     ? AES67_AM824_PAC_W
								   : pos == 0 ? AES67_AM824_PAC_B
									      : AES67_AM824_PAC_M);
			assert_int_equal(!!(l & AES67_AM824_LABEL_C),
					 (cs[ch][pos / 8] >> (pos % 8)) & 1);
			assert_true(l & AES67_AM824_LABEL_U);
			assert_false(l & AES67_AM824_LABEL_V);
			assert_int_equal(l & 0xc0, 0);
		}
	}
	/* Frames 2..193 and 194..385 and 386..577 are complete blocks. */
	for (int ch = 0; ch < CH; ch++) {
		assert_int_equal(rx[ch].blocks, 3);
		assert_memory_equal(rx[ch].cs, cs[ch], AES67_AM824_CS_BYTES);
		assert_int_equal(rx[ch].parity_errors, 0);
	}
	/* One flipped audio bit and one flipped C bit: two parity errors, audio still decoded. */
	wire[4 * 7 + 3] ^= 0x10;
	wire[4 * 11] ^= AES67_AM824_LABEL_C;
	aes67_am824_rx_init(rx, CH);
	assert_int_equal(aes67_am824_decode_s32(back, NULL, wire, FRAMES, CH, rx), 2);
	assert_int_equal(rx[1].parity_errors + rx[2].parity_errors, 2);
	assert_int_equal(back[7], in[7] ^ (0x10 << 8));
	/* A non-IEC 60958 label (MBLA 0x40) is neither parity checked nor read for C. */
	wire[0] = 0x40;
	assert_int_equal(aes67_am824_decode_s32(back, NULL, wire, 1, 1, NULL), 0);
}

/*
 * The fast AM824 encoder (labels + kernel) of every table equals the word-at-a-time
 * reference, for 1..9, 16 and 32 channels, many block positions and lengths, sparse and random
 * channel status, every V/U combination, int32 and float input (NaN, infinities, out of range).
 */
static void test_am824_encode_tables(void **state)
{
	enum { MAXCH = 32, MAXF = 420 };
	static const unsigned counts[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 32};
	static int32_t in[MAXF * MAXCH];
	static float fin[MAXF * MAXCH];
	static uint8_t got[MAXF * MAXCH * 4 + 4], want[MAXF * MAXCH * 4 + 4];
	static const uint64_t starts[] = {0, 1, 5, 187, 191, 192, 192 * 7 + 3, 0xffffffffull * 192};
	static const size_t lens[] = {0, 1, 2, 7, 8, 15, 16, 17, 48, 191, 193, 420};
	uint8_t cs[MAXCH][AES67_AM824_CS_BYTES];

	(void)state;
	test_data_fill_pcm_inputs(in, fin, AES67_ARRAY_SIZE(in), &rng_state);
	for (int isa = 0; isa < PCM_ISA_COUNT; isa++) {
		const struct pcm_kernels *k = aes67_pcm_kernels_get((enum pcm_isa)isa);
		if (k == NULL) {
			continue;
		}
		for (unsigned chi = 0; chi < AES67_ARRAY_SIZE(counts); chi++) {
			const unsigned ch = counts[chi];
			for (size_t c = 0; c < MAXCH; c++) {
				assert_int_equal(aes67_am824_cs_default(cs[c], 48000), 0);
				if (ch & 1) { /* odd channel counts get random blocks */
					for (size_t j = 0; j < AES67_AM824_CS_BYTES; j++) {
						cs[c][j] = (uint8_t)test_data_rng_u32(&rng_state);
					}
				}
			}
			for (size_t si = 0; si < AES67_ARRAY_SIZE(starts); si++) {
				for (size_t li = 0; li < AES67_ARRAY_SIZE(lens); li++) {
					size_t fr = lens[li], bytes = fr * ch * 4;
					unsigned vu = (unsigned)(si + li) & 3;
					const uint8_t *csp = (si == 2) ? NULL : cs[0];

					memset(got, 0xa5, bytes + 4);
					assert_int_equal(
						aes67_am824_encode_s32_with(k, got, in, fr, ch, csp,
									    starts[si], vu),
						0);
					aes67_am824_ref_encode_s32(want, in, fr, ch, csp,
								   starts[si], vu);
					assert_memory_equal(got, want, bytes);
					assert_int_equal(got[bytes], 0xa5);
					assert_int_equal(
						aes67_am824_encode_f32_with(k, got, fin, fr, ch,
									    csp, starts[si], vu),
						0);
					aes67_am824_ref_encode_f32(want, fin, fr, ch, csp,
								   starts[si], vu);
					assert_memory_equal(got, want, bytes);
					assert_int_equal(got[bytes], 0xa5);
				}
			}
		}
	}
}

/*
 * AES3 channel-status CRCC against the two worked examples of AES3-2-2009 (r2019), as quoted
 * by Dolby's WavPlay AM824 framer (EBU Tech 3250 gives the same generator and preset):
 * octets 0, 1, 4 = 0x3d, 0x02, 0x02, others 0 -> 0x9b; octet 0 = 0x01, others 0 -> 0x32.
 */
static void test_cs_crc_vectors(void **state)
{
	uint8_t cs[AES67_AM824_CS_BYTES] = {0};

	(void)state;
	cs[0] = 0x3d;
	cs[1] = 0x02;
	cs[4] = 0x02;
	assert_int_equal(aes67_am824_cs_crc(cs), 0x9b);
	memset(cs, 0, sizeof(cs));
	cs[0] = 0x01;
	assert_int_equal(aes67_am824_cs_crc(cs), 0x32);
	/* Octet 23 itself is not an input. */
	cs[23] = 0xff;
	assert_int_equal(aes67_am824_cs_crc(cs), 0x32);
}

/* Sampling-frequency codes of octets 0 and 4 (AES3-2 byte 0 bits 6-7, byte 4 bits 3-6). */
static void test_cs_rates(void **state)
{
	static const struct {
		uint32_t hz;
		uint8_t o0, o4;
	} rates[] = {
		{48000, 0x85, 0x00},  {44100, 0x45, 0x00},  {32000, 0xc5, 0x00},
		{96000, 0x05, 0x10},  {192000, 0x05, 0x18}, {88200, 0x05, 0x50},
		{176400, 0x05, 0x58},
	};
	uint8_t cs[AES67_AM824_CS_BYTES];

	(void)state;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(rates); i++) {
		assert_int_equal(aes67_am824_cs_default(cs, rates[i].hz), 0);
		assert_int_equal(cs[0], rates[i].o0);
		assert_int_equal(cs[1], 0x08);
		assert_int_equal(cs[2], 0x2c);
		assert_int_equal(cs[3], 0);
		assert_int_equal(cs[4], rates[i].o4);
		assert_int_equal(cs[23], aes67_am824_cs_crc(cs));
	}
}

static void test_rt_guard(void **state)
{
	static int32_t s[4096];
	static float f[4096];
	static uint8_t w[4096 * 4];
	uint8_t cs[2][AES67_AM824_CS_BYTES];
	unsigned n;
	int r = 0;

	(void)state;
	rt_guard_enter(RT_GUARD_CORE);
	for (int fmt = AES67_PCM_L16; fmt <= AES67_PCM_AM824; fmt++) {
		r |= aes67_pcm_decode_s32((enum aes67_pcm_format)fmt, s, w, 4096);
		r |= aes67_pcm_decode_f32((enum aes67_pcm_format)fmt, f, w, 4096);
		if (fmt != AES67_PCM_AM824) {
			r |= aes67_pcm_encode_s32((enum aes67_pcm_format)fmt, w, s, 4096);
			r |= aes67_pcm_encode_f32((enum aes67_pcm_format)fmt, w, f, 4096);
		}
	}
	r |= aes67_am824_cs_default(cs[0], 48000);
	r |= aes67_am824_cs_default(cs[1], 96000);
	r |= aes67_am824_encode_s32(w, s, 2048, 2, cs[0], 5, 0);
	r |= aes67_am824_encode_f32(w, f, 2048, 2, cs[0], 5, AES67_AM824_LABEL_V);
	r |= aes67_am824_decode_f32(f, NULL, w, 2048, 2, NULL);
	n = rt_guard_leave();
	assert_int_equal(n, 0);
	assert_int_equal(r, 0);
}

/* The public functions use the best table this CPU can run, chosen once. */
static void test_dispatch(void **state)
{
	const struct pcm_kernels *best = aes67_pcm_kernels_get(PCM_ISA_AVX2);

	(void)state;
	if (best == NULL) {
		best = aes67_pcm_kernels_get(PCM_ISA_SSSE3);
	}
	if (best == NULL) {
		best = &aes67_pcm_kernels_scalar;
	}
	assert_ptr_equal(aes67_pcm_kernels(), best);
	assert_ptr_equal(aes67_pcm_kernels(), aes67_pcm_kernels());
	assert_ptr_equal(aes67_pcm_kernels_get(PCM_ISA_SCALAR), &aes67_pcm_kernels_scalar);
	assert_null(aes67_pcm_kernels_get(PCM_ISA_COUNT));
	print_message("pcm kernels in use: %s\n", best->name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_l16_exhaustive),	 cmocka_unit_test(test_l24_exhaustive),
		cmocka_unit_test(test_l32_am824_sample), cmocka_unit_test(test_tails),
		cmocka_unit_test(test_rounding_rules),	 cmocka_unit_test(test_float_encode_random),
		cmocka_unit_test(test_invalid),		 cmocka_unit_test(test_am824_golden),
		cmocka_unit_test(test_am824_blocks),	 cmocka_unit_test(test_am824_encode_tables),
		cmocka_unit_test(test_cs_crc_vectors),	 cmocka_unit_test(test_cs_rates),
		cmocka_unit_test(test_rt_guard),	 cmocka_unit_test(test_dispatch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
