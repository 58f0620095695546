// SPDX-License-Identifier: MIT
/*
 * PCM codecs L16 (RFC 3551 §4.5.11), L24 (RFC 3190 §4), L32 and AM824 audio (SMPTE ST 2110-31):
 * the public entry points, which check their arguments and call one kernel of the table chosen
 * once for this CPU (pcm_x86.c has the SIMD ones), the scalar reference, and the scalar table
 * built on it. The rounding rules are stated in include/aes67/pcm.h and implemented once, in
 * pcm_impl.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "bytes.h"
#include "pcm_impl.h"

size_t aes67_pcm_sample_bytes(enum aes67_pcm_format fmt)
{
	switch (fmt) {
	case AES67_PCM_L16:
		return 2;
	case AES67_PCM_L24:
		return 3;
	case AES67_PCM_L32:
	case AES67_PCM_AM824:
		return 4;
	}
	return 0;
}

void aes67_pcm_ref_decode_s32(enum aes67_pcm_format fmt, int32_t *restrict dst,
			      const uint8_t *restrict src, size_t samples)
{
	switch (fmt) {
	case AES67_PCM_L16:
		for (size_t i = 0; i < samples; i++) {
			dst[i] = (int32_t)((uint32_t)be16_load(src + 2 * i) << 16);
		}
		break;
	case AES67_PCM_L24:
		for (size_t i = 0; i < samples; i++) {
			dst[i] = (int32_t)(be24_load(src + 3 * i) << 8);
		}
		break;
	case AES67_PCM_L32:
		for (size_t i = 0; i < samples; i++) {
			dst[i] = (int32_t)be32_load(src + 4 * i);
		}
		break;
	case AES67_PCM_AM824:
		/* ST 2110-31: the label is the first octet; the audio the 24 bits after it. */
		for (size_t i = 0; i < samples; i++) {
			dst[i] = (int32_t)(be32_load(src + 4 * i) << 8);
		}
		break;
	}
}

void aes67_pcm_ref_decode_f32(enum aes67_pcm_format fmt, float *restrict dst,
			      const uint8_t *restrict src, size_t samples)
{
	size_t bytes = aes67_pcm_sample_bytes(fmt);
	int32_t tmp[64];

	/* In slices through a small stack buffer: one copy of the format switch, no allocation. */
	while (samples > 0) {
		size_t n = samples < AES67_ARRAY_SIZE(tmp) ? samples : AES67_ARRAY_SIZE(tmp);

		aes67_pcm_ref_decode_s32(fmt, tmp, src, n);
		for (size_t i = 0; i < n; i++) {
			dst[i] = (float)tmp[i] * PCM_F32_FROM_S32;
		}
		dst += n;
		src += n * bytes;
		samples -= n;
	}
}

void aes67_pcm_ref_encode_s32(enum aes67_pcm_format fmt, uint8_t *restrict dst,
			      const int32_t *restrict src, size_t samples)
{
	switch (fmt) {
	case AES67_PCM_L16:
		for (size_t i = 0; i < samples; i++) {
			be16_store(dst + 2 * i, (uint16_t)pcm_round16(src[i]));
		}
		break;
	case AES67_PCM_L24:
		for (size_t i = 0; i < samples; i++) {
			be24_store(dst + 3 * i, (uint32_t)pcm_round24(src[i]) & 0xffffff);
		}
		break;
	case AES67_PCM_L32:
		for (size_t i = 0; i < samples; i++) {
			be32_store(dst + 4 * i, (uint32_t)src[i]);
		}
		break;
	case AES67_PCM_AM824:
		/* Audio only, label 0; the public API routes AM824 through pcm_am824.c. */
		for (size_t i = 0; i < samples; i++) {
			be32_store(dst + 4 * i, (uint32_t)pcm_round24(src[i]) & 0xffffff);
		}
		break;
	}
}

void aes67_pcm_ref_encode_f32(enum aes67_pcm_format fmt, uint8_t *restrict dst,
			      const float *restrict src, size_t samples)
{
	switch (fmt) {
	case AES67_PCM_L16:
		for (size_t i = 0; i < samples; i++) {
			be16_store(dst + 2 * i, (uint16_t)pcm_from_float(src[i], 16));
		}
		break;
	case AES67_PCM_L24:
		for (size_t i = 0; i < samples; i++) {
			be24_store(dst + 3 * i, (uint32_t)pcm_from_float(src[i], 24) & 0xffffff);
		}
		break;
	case AES67_PCM_L32:
		for (size_t i = 0; i < samples; i++) {
			be32_store(dst + 4 * i, (uint32_t)pcm_from_float(src[i], 32));
		}
		break;
	case AES67_PCM_AM824:
		for (size_t i = 0; i < samples; i++) {
			be32_store(dst + 4 * i, (uint32_t)pcm_from_float(src[i], 24) & 0xffffff);
		}
		break;
	}
}

/* The scalar table: the reference with the format fixed, one function per cell. */
#define SCALAR_DEC(name, fmt)                                                                \
	static void name##_dec_s32(int32_t *restrict d, const uint8_t *restrict s, size_t n) \
	{                                                                                    \
		aes67_pcm_ref_decode_s32(fmt, d, s, n);                                      \
	}                                                                                    \
	static void name##_dec_f32(float *restrict d, const uint8_t *restrict s, size_t n)   \
	{                                                                                    \
		aes67_pcm_ref_decode_f32(fmt, d, s, n);                                      \
	}                                                                                    \
	static void name##_enc_s32(uint8_t *restrict d, const int32_t *restrict s, size_t n) \
	{                                                                                    \
		aes67_pcm_ref_encode_s32(fmt, d, s, n);                                      \
	}                                                                                    \
	static void name##_enc_f32(uint8_t *restrict d, const float *restrict s, size_t n)   \
	{                                                                                    \
		aes67_pcm_ref_encode_f32(fmt, d, s, n);                                      \
	}

SCALAR_DEC(l16, AES67_PCM_L16)
SCALAR_DEC(l24, AES67_PCM_L24)
SCALAR_DEC(l32, AES67_PCM_L32)
SCALAR_DEC(am824, AES67_PCM_AM824)

/* One AM824 word: label (P preset for V ^ U ^ C), audio, P flipped for odd audio parity. */
static inline uint32_t am824_word(int32_t a, uint8_t label)
{
	uint32_t a24 = (uint32_t)a & 0xffffff;

	return ((uint32_t)label << 24 | a24) ^ (uint32_t)__builtin_parity(a24) << 27;
}

static void am824_s32(uint8_t *restrict d, const int32_t *restrict s, size_t n,
		      const uint8_t *restrict labels)
{
	for (size_t i = 0; i < n; i++) {
		be32_store(d + 4 * i, am824_word(pcm_round24(s[i]), labels[i]));
	}
}

static void am824_f32(uint8_t *restrict d, const float *restrict s, size_t n,
		      const uint8_t *restrict labels)
{
	for (size_t i = 0; i < n; i++) {
		be32_store(d + 4 * i, am824_word(pcm_from_float(s[i], 24), labels[i]));
	}
}

const struct pcm_kernels aes67_pcm_kernels_scalar = {
	.name = "scalar",
	.dec_s32 = {l16_dec_s32, l24_dec_s32, l32_dec_s32, am824_dec_s32},
	.dec_f32 = {l16_dec_f32, l24_dec_f32, l32_dec_f32, am824_dec_f32},
	.enc_s32 = {l16_enc_s32, l24_enc_s32, l32_enc_s32, am824_enc_s32},
	.enc_f32 = {l16_enc_f32, l24_enc_f32, l32_enc_f32, am824_enc_f32},
	.am824_s32 = am824_s32,
	.am824_f32 = am824_f32,
	.am824_labels = NULL, /* pcm_am824.c's portable builder */
	.am824w_s32 = aes67_pcm_am824w_s32_scalar,
	.am824w_f32 = aes67_pcm_am824w_f32_scalar,
};

const struct pcm_kernels *aes67_pcm_kernels_get(enum pcm_isa isa)
{
	if (isa == PCM_ISA_SCALAR) {
		return &aes67_pcm_kernels_scalar;
	}
	return aes67_pcm_kernels_x86(isa);
}

/*
 * The table in use, chosen at the first call. Racing first calls all store the same pointer;
 * relaxed atomics make that well defined (and free on x86: a plain load).
 */
static const struct pcm_kernels *active;

const struct pcm_kernels *aes67_pcm_kernels(void)
{
	const struct pcm_kernels *k = __atomic_load_n(&active, __ATOMIC_RELAXED);

	if (k == NULL) {
		k = aes67_pcm_kernels_get(PCM_ISA_AVX2);
		if (k == NULL) {
			k = aes67_pcm_kernels_get(PCM_ISA_SSSE3);
		}
		if (k == NULL) {
			k = &aes67_pcm_kernels_scalar;
		}
		__atomic_store_n(&active, k, __ATOMIC_RELAXED);
	}
	return k;
}

static bool bad_args(enum aes67_pcm_format fmt, const void *dst, const void *src, size_t samples)
{
	return aes67_pcm_sample_bytes(fmt) == 0 || (samples > 0 && (dst == NULL || src == NULL));
}

/* Each entry point returns early for 0 samples: no kernel sees a NULL buffer. */

int aes67_pcm_decode_s32(enum aes67_pcm_format fmt, int32_t *restrict dst,
			 const uint8_t *restrict src, size_t samples)
{
	if (bad_args(fmt, dst, src, samples)) {
		return -EINVAL;
	}
	if (samples > 0) {
		aes67_pcm_kernels()->dec_s32[PCM_FMT_INDEX(fmt)](dst, src, samples);
	}
	return 0;
}

int aes67_pcm_decode_f32(enum aes67_pcm_format fmt, float *restrict dst,
			 const uint8_t *restrict src, size_t samples)
{
	if (bad_args(fmt, dst, src, samples)) {
		return -EINVAL;
	}
	if (samples > 0) {
		aes67_pcm_kernels()->dec_f32[PCM_FMT_INDEX(fmt)](dst, src, samples);
	}
	return 0;
}

int aes67_pcm_encode_s32(enum aes67_pcm_format fmt, uint8_t *restrict dst,
			 const int32_t *restrict src, size_t samples)
{
	if (bad_args(fmt, dst, src, samples) || fmt == AES67_PCM_AM824) {
		return -EINVAL;
	}
	if (samples > 0) {
		aes67_pcm_kernels()->enc_s32[PCM_FMT_INDEX(fmt)](dst, src, samples);
	}
	return 0;
}

int aes67_pcm_encode_f32(enum aes67_pcm_format fmt, uint8_t *restrict dst,
			 const float *restrict src, size_t samples)
{
	if (bad_args(fmt, dst, src, samples) || fmt == AES67_PCM_AM824) {
		return -EINVAL;
	}
	if (samples > 0) {
		aes67_pcm_kernels()->enc_f32[PCM_FMT_INDEX(fmt)](dst, src, samples);
	}
	return 0;
}

/* Packed frames take one call; the common stream widths in a wider frame get copies of a size
 * the compiler knows: a run-time-sized libc call per frame cost more than the copy itself
 * (docs/bench-engine.md, "Third session"). */
void aes67_pcm_put_frames(int32_t *dst, uint32_t dst_stride, const int32_t *src, uint32_t ch,
			  uint32_t n_frames)
{
	if (dst_stride == ch) {
		if (src != NULL) {
			memcpy(dst, src, (size_t)n_frames * ch * sizeof(*dst));
		} else {
			memset(dst, 0, (size_t)n_frames * ch * sizeof(*dst));
		}
		return;
	}
	for (uint32_t f = 0; f < n_frames; f++, dst += dst_stride) {
		if (src == NULL) {
			memset(dst, 0, ch * sizeof(*dst));
			continue;
		}
		if (ch == 2) {
			memcpy(dst, src, 2 * sizeof(*dst));
		} else if (ch == 8) {
			memcpy(dst, src, 8 * sizeof(*dst));
		} else {
			memcpy(dst, src, ch * sizeof(*dst));
		}
		src += ch;
	}
}
