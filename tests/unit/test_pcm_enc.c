// SPDX-License-Identifier: MIT
/*
 * Unit tests for the stateful AM824 encoder (src/core/pcm_am824_enc.c): with every kernel
 * table this CPU runs, its words equal the word-at-a-time reference encoder for 1..9, 16, 32
 * and 64 channels, block positions around the block boundary, lengths around the vector widths
 * and beyond one block, random channel status and every V/U combination, int32 and hostile float
 * input; a stream cut into uneven packets equals the one-shot reference; per-channel changes
 * (set_channel) show up in the labels and decode back; misuse is refused; the RT guard proves
 * init, set_channel and encode neither allocate, lock nor log. The golden words of
 * tests/data/pcm/am824_48k_2ch.hex (an independent model) are reproduced too.
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

#include "aes67/pcm.h"
#include "pcm_impl.h"
#include "rt_guard.h"
#include "test_data.h"

enum { MAXCH = 64, MAXF = 420 };

/* Seed of test_data_rng_u32(): fixed, so failures reproduce. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static struct aes67_am824_enc *enc_alloc(unsigned channels, size_t *bytes)
{
	size_t n = aes67_am824_enc_get_size(channels);
	void *p;

	assert_true(n > 0);
	p = aligned_alloc(16, (n + 15) / 16 * 16);
	assert_non_null(p);
	*bytes = n;
	return p;
}

static int32_t in[MAXF * MAXCH];
static float fin[MAXF * MAXCH];
static uint8_t got[MAXF * MAXCH * 4 + 64], want[MAXF * MAXCH * 4 + 64];
static uint8_t cs[MAXCH][AES67_AM824_CS_BYTES];

static void check_one(const struct aes67_am824_enc *e, unsigned ch, const uint8_t *csp,
		      uint64_t start, size_t fr, unsigned vu)
{
	size_t bytes = fr * ch * 4;

	memset(got, 0xa5, bytes + 64);
	assert_int_equal(aes67_am824_enc_encode_s32(e, got, in, fr, start), 0);
	aes67_am824_ref_encode_s32(want, in, fr, ch, csp, start, vu);
	assert_memory_equal(got, want, bytes);
	assert_int_equal(got[bytes], 0xa5);
	memset(got, 0xa5, bytes + 64);
	assert_int_equal(aes67_am824_enc_encode_f32(e, got, fin, fr, start), 0);
	aes67_am824_ref_encode_f32(want, fin, fr, ch, csp, start, vu);
	assert_memory_equal(got, want, bytes);
	assert_int_equal(got[bytes], 0xa5);
}

static void test_enc_vs_ref(void **state)
{
	static const unsigned counts[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 32, 64};
	static const uint64_t starts[] = {0, 1, 5, 187, 191, 192, 192 * 7 + 3, 0xffffffffull * 192};
	static const size_t lens[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 48, 191, 192, 193, 420};
	size_t bytes;
	struct aes67_am824_enc *e = enc_alloc(MAXCH, &bytes);

	(void)state;
	test_data_fill_pcm_inputs(in, fin, AES67_ARRAY_SIZE(in), &rng_state);
	for (int isa = 0; isa < PCM_ISA_COUNT; isa++) {
		const struct pcm_kernels *k = aes67_pcm_kernels_get((enum pcm_isa)isa);
		if (k == NULL) {
			continue;
		}
		for (size_t chi = 0; chi < AES67_ARRAY_SIZE(counts); chi++) {
			const unsigned ch = counts[chi];
			for (size_t c = 0; c < MAXCH; c++) {
				for (size_t j = 0; j < AES67_AM824_CS_BYTES; j++) {
					cs[c][j] = (uint8_t)test_data_rng_u32(&rng_state);
				}
			}
			for (unsigned vu = 0; vu < 4; vu++) {
				const uint8_t *csp = vu == 2 ? NULL : cs[0];
				assert_int_equal(
					aes67_am824_enc_init_with(k, e, bytes, ch, csp, vu), 0);
				for (size_t si = 0; si < AES67_ARRAY_SIZE(starts); si++) {
					for (size_t li = 0; li < AES67_ARRAY_SIZE(lens); li++) {
						if (ch > 16 && lens[li] > 200) {
							continue; /* bounded run time */
						}
						check_one(e, ch, csp, starts[si], lens[li], vu);
					}
				}
			}
		}
	}
	free(e);
}

/* A stream cut into uneven packets (frame_counter advancing) equals the one-shot reference. */
static void test_enc_stream(void **state)
{
	enum { CH = 6, FRAMES = 1000 };
	static int32_t s[FRAMES * CH];
	static uint8_t out[FRAMES * CH * 4], ref[FRAMES * CH * 4];
	size_t bytes, f = 0;
	struct aes67_am824_enc *e = enc_alloc(CH, &bytes);
	const uint64_t start = 123456789;

	(void)state;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(s); i++) {
		s[i] = (int32_t)test_data_rng_u32(&rng_state);
	}
	for (unsigned c = 0; c < CH; c++) {
		assert_int_equal(aes67_am824_cs_default(cs[c], 96000), 0);
	}
	assert_int_equal(aes67_am824_enc_init(e, bytes, CH, cs[0], AES67_AM824_LABEL_V), 0);
	while (f < FRAMES) {
		size_t n = 1 + test_data_rng_u32(&rng_state) % 97;
		n = n > FRAMES - f ? FRAMES - f : n;
		assert_int_equal(
			aes67_am824_enc_encode_s32(e, out + f * CH * 4, s + f * CH, n, start + f),
			0);
		f += n;
	}
	aes67_am824_ref_encode_s32(ref, s, FRAMES, CH, cs[0], start, AES67_AM824_LABEL_V);
	assert_memory_equal(out, ref, sizeof(ref));
	free(e);
}

/* One channel's status and V/U changed: its labels follow, the others stay; it decodes back. */
static void test_enc_set_channel(void **state)
{
	enum { CH = 4, FRAMES = 400 };
	static int32_t s[FRAMES * CH], back[FRAMES * CH];
	static uint8_t out[FRAMES * CH * 4], ref[FRAMES * CH * 4], labels[FRAMES * CH];
	uint8_t newcs[AES67_AM824_CS_BYTES];
	struct aes67_am824_rx rx[CH];
	size_t bytes;
	struct aes67_am824_enc *e = enc_alloc(CH, &bytes);

	(void)state;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(s); i++) {
		s[i] = (int32_t)(test_data_rng_u32(&rng_state) & 0xffffff00u);
	}
	for (unsigned c = 0; c < CH; c++) {
		assert_int_equal(aes67_am824_cs_default(cs[c], 48000), 0);
	}
	for (size_t j = 0; j < sizeof(newcs); j++) {
		newcs[j] = (uint8_t)test_data_rng_u32(&rng_state);
	}
	assert_int_equal(aes67_am824_enc_init(e, bytes, CH, cs[0], 0), 0);
	assert_int_equal(aes67_am824_enc_set_channel(e, 2, newcs, AES67_AM824_LABEL_U), 0);
	assert_int_equal(aes67_am824_enc_encode_s32(e, out, s, FRAMES, 0), 0);
	/* Channels 0, 1, 3: the reference with the old status; channel 2: U set, new status. */
	aes67_am824_ref_encode_s32(ref, s, FRAMES, CH, cs[0], 0, 0);
	memcpy(cs[2], newcs, sizeof(newcs));
	aes67_am824_rx_init(rx, CH);
	assert_int_equal(aes67_am824_decode_s32(back, labels, out, FRAMES, CH, rx), 0);
	assert_memory_equal(back, s, sizeof(s));
	for (size_t f = 0; f < FRAMES; f++) {
		for (unsigned c = 0; c < CH; c++) {
			size_t w = 4 * (f * CH + c);
			if (c != 2) {
				assert_memory_equal(out + w, ref + w, 4);
			} else {
				assert_true(out[w] & AES67_AM824_LABEL_U);
			}
		}
	}
	for (unsigned c = 0; c < CH; c++) {
		assert_int_equal(rx[c].blocks, 2);
		assert_memory_equal(rx[c].cs, cs[c], AES67_AM824_CS_BYTES);
	}
	free(e);
}

static void test_enc_golden(void **state)
{
	/* tests/data/pcm/am824_48k_2ch.hex: 24 octets of channel status, then 4 frames x 2 ch. */
	static const int32_t audio[] = {0x123456, 0, -1, -0x800000, 1, 0x55aa55, 0x7fffff, 1};
	uint8_t g[64], c2[2][AES67_AM824_CS_BYTES], out[32];
	int32_t s[8];
	size_t bytes;
	struct aes67_am824_enc *e = enc_alloc(2, &bytes);

	(void)state;
	assert_int_equal(test_data_load_hex("pcm/am824_48k_2ch.hex", g, sizeof(g)), 24 + 32);
	memcpy(c2[0], g, 24);
	memcpy(c2[1], g, 24);
	for (int i = 0; i < 8; i++) {
		s[i] = audio[i] * 256;
	}
	assert_int_equal(aes67_am824_enc_init(e, bytes, 2, c2[0], 0), 0);
	assert_int_equal(aes67_am824_enc_encode_s32(e, out, s, 4, 192 * 5), 0);
	assert_memory_equal(out, g + 24, 32);
	free(e);
}

static void test_enc_invalid(void **state)
{
	static uint8_t raw[4096 + 16] __attribute__((aligned(16)));
	struct aes67_am824_enc *e = (struct aes67_am824_enc *)raw;
	struct aes67_am824_enc *mis = (struct aes67_am824_enc *)(raw + 8);
	int32_t s[4] = {0};
	uint8_t w[16];
	size_t need = aes67_am824_enc_get_size(2);

	(void)state;
	assert_int_equal(aes67_am824_enc_get_size(0), 0);
	assert_int_equal(aes67_am824_enc_get_size(AES67_AM824_ENC_MAX_CHANNELS + 1), 0);
	assert_true(aes67_am824_enc_get_size(AES67_AM824_ENC_MAX_CHANNELS) > 0);
	assert_true(need <= 4096);
	/* Not initialised (zeroed memory has no magic). */
	assert_int_equal(aes67_am824_enc_encode_s32(e, w, s, 1, 0), -EINVAL);
	assert_int_equal(aes67_am824_enc_set_channel(e, 0, NULL, 0), -EINVAL);
	assert_int_equal(aes67_am824_enc_init(NULL, need, 2, NULL, 0), -EINVAL);
	assert_int_equal(aes67_am824_enc_init(mis, need, 2, NULL, 0), -EINVAL);
	assert_int_equal(aes67_am824_enc_init(e, need - 1, 2, NULL, 0), -EINVAL);
	assert_int_equal(aes67_am824_enc_init(e, need, 0, NULL, 0), -EINVAL);
	assert_int_equal(aes67_am824_enc_init(e, need, 2, NULL, AES67_AM824_LABEL_C), -EINVAL);
	assert_int_equal(aes67_am824_enc_init(e, need, 2, NULL, 0), 0);
	assert_int_equal(aes67_am824_enc_set_channel(e, 2, NULL, 0), -EINVAL);
	assert_int_equal(aes67_am824_enc_set_channel(e, 1, NULL, AES67_AM824_LABEL_P), -EINVAL);
	assert_int_equal(aes67_am824_enc_encode_s32(e, NULL, s, 1, 0), -EINVAL);
	assert_int_equal(aes67_am824_enc_encode_f32(e, w, NULL, 1, 0), -EINVAL);
	assert_int_equal(aes67_am824_enc_encode_s32(e, NULL, NULL, 0, 0), 0);
	assert_int_equal(aes67_am824_enc_encode_s32(NULL, w, s, 1, 0), -EINVAL);
	/* Two frames of silence: PAC B then W; P stays 0 for V = U = C = 0 and zero audio. */
	assert_int_equal(aes67_am824_enc_encode_s32(e, w, s, 2, 0), 0);
	assert_int_equal(w[0], AES67_AM824_PAC_B);
	assert_int_equal(w[4], AES67_AM824_PAC_W);
	assert_int_equal(w[8], AES67_AM824_PAC_M);
}

static void test_enc_rt_guard(void **state)
{
	enum { CH = 8, FRAMES = 48 };
	static int32_t s[FRAMES * CH];
	static float f[FRAMES * CH];
	static uint8_t w[FRAMES * CH * 4];
	size_t bytes;
	struct aes67_am824_enc *e = enc_alloc(CH, &bytes);
	int r = 0;
	unsigned n;

	(void)state;
	for (unsigned c = 0; c < CH; c++) {
		assert_int_equal(aes67_am824_cs_default(cs[c], 48000), 0);
	}
	rt_guard_enter(RT_GUARD_CORE);
	r |= aes67_am824_enc_init(e, bytes, CH, cs[0], 0);
	r |= aes67_am824_enc_set_channel(e, 3, NULL, AES67_AM824_LABEL_V);
	for (uint64_t fc = 0; fc < 1000; fc += FRAMES) {
		r |= aes67_am824_enc_encode_s32(e, w, s, FRAMES, fc);
		r |= aes67_am824_enc_encode_f32(e, w, f, FRAMES, fc);
	}
	n = rt_guard_leave();
	assert_int_equal(n, 0);
	assert_int_equal(r, 0);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enc_vs_ref),	cmocka_unit_test(test_enc_stream),
		cmocka_unit_test(test_enc_set_channel), cmocka_unit_test(test_enc_golden),
		cmocka_unit_test(test_enc_invalid),	cmocka_unit_test(test_enc_rt_guard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
