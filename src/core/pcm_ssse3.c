// SPDX-License-Identifier: MIT
/*
 * SSSE3 kernels of the pcm codecs, for x86 CPUs without AVX2: PSHUFB does the byte reordering
 * that big-endian 16/24-bit samples need, 128 bits at a time. Each kernel converts a prefix in
 * vectors and finishes with the scalar reference, which defines the exact results (the unit
 * test compares this table with it on every 16- and 24-bit value). The AM824 word kernels are
 * the scalar ones: AVX2 machines are the target. A 3-octet store writes 16 octets of which 12
 * are samples; loop bounds leave room so that the 4 extra octets land inside the destination,
 * where the next group or the scalar tail overwrites them.
 */
#include "pcm_impl.h"

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>
#include <stddef.h>

#define SSSE3 __attribute__((target("ssse3")))
#define SSSE3_INLINE __attribute__((target("ssse3"), always_inline)) inline

/* PSHUFB masks, little-endian int32 out; 0x80 writes a zero octet. */
#define M(a, b, c, d) (char)(a), (char)(b), (char)(c), (char)(d)
#define Z 0x80
#define MASK_L16_LO M(Z, Z, 1, 0), M(Z, Z, 3, 2), M(Z, Z, 5, 4), M(Z, Z, 7, 6)
#define MASK_L16_HI M(Z, Z, 9, 8), M(Z, Z, 11, 10), M(Z, Z, 13, 12), M(Z, Z, 15, 14)
#define MASK_L24_DEC M(Z, 2, 1, 0), M(Z, 5, 4, 3), M(Z, 8, 7, 6), M(Z, 11, 10, 9)
#define MASK_BSWAP32 M(3, 2, 1, 0), M(7, 6, 5, 4), M(11, 10, 9, 8), M(15, 14, 13, 12)
#define MASK_AM824_DEC M(Z, 3, 2, 1), M(Z, 7, 6, 5), M(Z, 11, 10, 9), M(Z, 15, 14, 13)
#define MASK_L24_ENC M(2, 1, 0, 6), M(5, 4, 10, 9), M(8, 14, 13, 12), M(Z, Z, Z, Z)
#define MASK_BSWAP16 M(1, 0, 3, 2), M(5, 4, 7, 6), M(9, 8, 11, 10), M(13, 12, 15, 14)
#define SET128(m) _mm_setr_epi8(m)

/* Decode a prefix of @n samples of constant @fmt; returns how many were done. */
SSSE3_INLINE static size_t dec_ssse3(enum aes67_pcm_format fmt, int32_t *restrict dst,
				     float *restrict fdst, const uint8_t *restrict src, size_t n)
{
	const __m128 k = _mm_set1_ps(PCM_F32_FROM_S32);
	__m128i m0, m1 = _mm_setzero_si128();
	size_t i = 0, step, in_bytes, need;

	switch (fmt) {
	case AES67_PCM_L16:
		m0 = SET128(MASK_L16_LO);
		m1 = SET128(MASK_L16_HI);
		step = 8, in_bytes = 16, need = 8;
		break;
	case AES67_PCM_L24:
		m0 = SET128(MASK_L24_DEC);
		step = 4, in_bytes = 12, need = 6; /* reads 16 octets: 3 i + 16 <= 3 n */
		break;
	case AES67_PCM_L32:
		m0 = SET128(MASK_BSWAP32);
		step = 4, in_bytes = 16, need = 4;
		break;
	default:
		m0 = SET128(MASK_AM824_DEC);
		step = 4, in_bytes = 16, need = 4;
		break;
	}
	for (; i + need <= n; i += step, src += in_bytes) {
		__m128i v = _mm_loadu_si128((const __m128i *)src);
		__m128i a = _mm_shuffle_epi8(v, m0);

		if (fdst != NULL) {
			_mm_storeu_ps(fdst + i, _mm_mul_ps(_mm_cvtepi32_ps(a), k));
		} else {
			_mm_storeu_si128((__m128i *)(dst + i), a);
		}
		if (step == 8) {
			__m128i b = _mm_shuffle_epi8(v, m1);
			if (fdst != NULL) {
				_mm_storeu_ps(fdst + i + 4, _mm_mul_ps(_mm_cvtepi32_ps(b), k));
			} else {
				_mm_storeu_si128((__m128i *)(dst + i + 4), b);
			}
		}
	}
	return i;
}

/* int32 -> 16 bits before saturation: (x >> 16) + bit 15; PACKSSDW saturates 32768 to 32767. */
SSSE3_INLINE static __m128i r16_128(__m128i x)
{
	return _mm_add_epi32(_mm_srai_epi32(x, 16),
			     _mm_and_si128(_mm_srli_epi32(x, 15), _mm_set1_epi32(1)));
}

/* int32 -> 24 bits, saturated: the only overflow is 2^23, which becomes 2^23 - 1. */
SSSE3_INLINE static __m128i r24_128(__m128i x)
{
	__m128i r = _mm_add_epi32(_mm_srai_epi32(x, 8),
				  _mm_and_si128(_mm_srli_epi32(x, 7), _mm_set1_epi32(1)));
	return _mm_add_epi32(r, _mm_cmpeq_epi32(r, _mm_set1_epi32(8388608)));
}

/* float -> integer in [lo, hi] (both exact in float), NaN -> 0, ties to even (MXCSR). */
SSSE3_INLINE static __m128i fclamp_128(__m128 f, float scale, float lo, float hi)
{
	__m128 v = _mm_mul_ps(f, _mm_set1_ps(scale));

	v = _mm_and_ps(v, _mm_cmpord_ps(v, v));
	v = _mm_min_ps(_mm_max_ps(v, _mm_set1_ps(lo)), _mm_set1_ps(hi));
	return _mm_cvtps_epi32(v);
}

/* float -> int32: CVTPS2DQ yields 0x80000000 for v >= 2^31; XOR with the mask makes it max. */
SSSE3_INLINE static __m128i f32full_128(__m128 f)
{
	__m128 v = _mm_mul_ps(f, _mm_set1_ps(2147483648.0f));
	__m128 ge;

	v = _mm_and_ps(v, _mm_cmpord_ps(v, v));
	v = _mm_max_ps(v, _mm_set1_ps(-2147483648.0f));
	ge = _mm_cmpge_ps(v, _mm_set1_ps(2147483648.0f));
	return _mm_xor_si128(_mm_cvtps_epi32(v), _mm_castps_si128(ge));
}

/* 4 samples of @fmt's integer value from int32 or float input. */
SSSE3_INLINE static __m128i conv4(enum aes67_pcm_format fmt, const int32_t *s, const float *f)
{
	if (f != NULL) {
		__m128 v = _mm_loadu_ps(f);
		switch (fmt) {
		case AES67_PCM_L16:
			return fclamp_128(v, 32768.0f, -32768.0f, 32767.0f);
		case AES67_PCM_L32:
			return f32full_128(v);
		default:
			return fclamp_128(v, 8388608.0f, -8388608.0f, 8388607.0f);
		}
	}
	__m128i x = _mm_loadu_si128((const __m128i *)s);
	switch (fmt) {
	case AES67_PCM_L16:
		return r16_128(x);
	case AES67_PCM_L32:
		return x;
	default:
		return r24_128(x);
	}
}

SSSE3_INLINE static size_t enc_ssse3(enum aes67_pcm_format fmt, uint8_t *restrict dst,
				     const int32_t *restrict s, const float *restrict f, size_t n)
{
	size_t i = 0;

	switch (fmt) {
	case AES67_PCM_L16: {
		const __m128i m = SET128(MASK_BSWAP16);
		for (; i + 8 <= n; i += 8) {
			__m128i a = conv4(fmt, s ? s + i : NULL, f ? f + i : NULL);
			__m128i b = conv4(fmt, s ? s + i + 4 : NULL, f ? f + i + 4 : NULL);
			_mm_storeu_si128((__m128i *)(dst + 2 * i),
					 _mm_shuffle_epi8(_mm_packs_epi32(a, b), m));
		}
		break;
	}
	case AES67_PCM_L24: {
		const __m128i m = SET128(MASK_L24_ENC);
		for (; i + 6 <= n; i += 4) {
			__m128i a = conv4(fmt, s ? s + i : NULL, f ? f + i : NULL);
			_mm_storeu_si128((__m128i *)(dst + 3 * i), _mm_shuffle_epi8(a, m));
		}
		break;
	}
	case AES67_PCM_L32: {
		const __m128i m = SET128(MASK_BSWAP32);
		for (; i + 4 <= n; i += 4) {
			__m128i a = conv4(fmt, s ? s + i : NULL, f ? f + i : NULL);
			_mm_storeu_si128((__m128i *)(dst + 4 * i), _mm_shuffle_epi8(a, m));
		}
		break;
	}
	default:
		break;
	}
	return i;
}

/* One SSSE3 function per format and direction; the scalar reference finishes the tail. */
#define SSSE3_KERNELS(name, fmt)                                                                  \
	SSSE3 static void name##_dec_s32_ssse3(int32_t *restrict d, const uint8_t *restrict s,    \
					       size_t n)                                          \
	{                                                                                         \
		size_t i = dec_ssse3(fmt, d, NULL, s, n);                                         \
		aes67_pcm_ref_decode_s32(fmt, d + i, s + i * aes67_pcm_sample_bytes(fmt), n - i); \
	}                                                                                         \
	SSSE3 static void name##_dec_f32_ssse3(float *restrict d, const uint8_t *restrict s,      \
					       size_t n)                                          \
	{                                                                                         \
		size_t i = dec_ssse3(fmt, NULL, d, s, n);                                         \
		aes67_pcm_ref_decode_f32(fmt, d + i, s + i * aes67_pcm_sample_bytes(fmt), n - i); \
	}                                                                                         \
	SSSE3 static void name##_enc_s32_ssse3(uint8_t *restrict d, const int32_t *restrict s,    \
					       size_t n)                                          \
	{                                                                                         \
		size_t i = enc_ssse3(fmt, d, s, NULL, n);                                         \
		aes67_pcm_ref_encode_s32(fmt, d + i * aes67_pcm_sample_bytes(fmt), s + i, n - i); \
	}                                                                                         \
	SSSE3 static void name##_enc_f32_ssse3(uint8_t *restrict d, const float *restrict s,      \
					       size_t n)                                          \
	{                                                                                         \
		size_t i = enc_ssse3(fmt, d, NULL, s, n);                                         \
		aes67_pcm_ref_encode_f32(fmt, d + i * aes67_pcm_sample_bytes(fmt), s + i, n - i); \
	}

SSSE3_KERNELS(l16, AES67_PCM_L16)
SSSE3_KERNELS(l24, AES67_PCM_L24)
SSSE3_KERNELS(l32, AES67_PCM_L32)
SSSE3_KERNELS(am824, AES67_PCM_AM824)

const struct pcm_kernels aes67_pcm_kernels_ssse3 = {
	.name = "ssse3",
	.dec_s32 = {l16_dec_s32_ssse3, l24_dec_s32_ssse3, l32_dec_s32_ssse3, am824_dec_s32_ssse3},
	.dec_f32 = {l16_dec_f32_ssse3, l24_dec_f32_ssse3, l32_dec_f32_ssse3, am824_dec_f32_ssse3},
	.enc_s32 = {l16_enc_s32_ssse3, l24_enc_s32_ssse3, l32_enc_s32_ssse3, am824_enc_s32_ssse3},
	.enc_f32 = {l16_enc_f32_ssse3, l24_enc_f32_ssse3, l32_enc_f32_ssse3, am824_enc_f32_ssse3},
	.am824_s32 = NULL, /* NULL: the scalar kernels (see pcm_am824.c) */
	.am824_f32 = NULL,
	.am824_labels = NULL,
};

#else

/* Not x86: nothing here (a declaration keeps the translation unit non-empty for ISO C). */
typedef int aes67_pcm_ssse3_none;

#endif
