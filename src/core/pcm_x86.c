// SPDX-License-Identifier: MIT
/*
 * AVX2 kernels of the pcm codecs for x86 (PSHUFB does the byte reordering that big-endian
 * 16/24-bit samples need, 256 bits wide; the AM824 words and labels too) and the x86 table
 * choice (the SSSE3 table is in pcm_ssse3.c). pcm.c picks one table once; every kernel
 * converts the whole buffer. Tails: a buffer of at least one vector ends with its last vector
 * again, overlapping the previous one (the output is a function of the input only, so the
 * overlap rewrites the same octets); shorter buffers take the scalar reference, which also
 * defines the exact results (the unit test compares every table with it on every 16- and
 * 24-bit value, the fuzz harness on hostile input). Other architectures get no table here.
 *
 * Rounding gives the reference's results exactly: int32 -> 16/24 bits rounds half up and
 * saturates with a clamp and an add whose top 16/24 bits are the result, the byte shuffle
 * doing the shift (l16_16(), r24_hi()), or with shifts (r24_256()); float -> integer scales,
 * clamps to [min, max] in float and converts with CVTPS2DQ, which rounds to nearest even under
 * the default MXCSR mode, exactly like lrintf(); NaN -> 0 comes from the operand order of the
 * clamp for 16/24 bits (fclamp_256()) and from a CMPORD mask for 32 bits (f32full_256()).
 *
 * Loads and stores are unaligned. The AVX2 L24 encoder stores 32 octets for 24; its main loop
 * leaves room so the 8 extra octets land inside the destination, where the next group
 * overwrites them, and its last group stores exactly 16 + 8 octets.
 */
#include "pcm_impl.h"

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))
#define AVX2_INLINE __attribute__((target("avx2"), always_inline)) inline

/* PSHUFB masks, little-endian int32 out; 0x80 writes a zero octet. */
#define M(a, b, c, d) (char)(a), (char)(b), (char)(c), (char)(d)
#define Z 0x80
/* L16 zero-extended to 32 bits (VPMOVZXWD) -> s32: swap the two octets into the top half. */
#define MASK_L16_ZX M(Z, Z, 1, 0), M(Z, Z, 5, 4), M(Z, Z, 9, 8), M(Z, Z, 13, 12)
/* L24 -> s32, 4 samples from octets 0..11, and (AVX2 upper lane, loaded 8 octets on) 4..15. */
#define MASK_L24_DEC M(Z, 2, 1, 0), M(Z, 5, 4, 3), M(Z, 8, 7, 6), M(Z, 11, 10, 9)
#define MASK_L24_DEC4 M(Z, 6, 5, 4), M(Z, 9, 8, 7), M(Z, 12, 11, 10), M(Z, 15, 14, 13)
/* byte swap of each 32-bit word (L32 both ways, AM824 encode). */
#define MASK_BSWAP32 M(3, 2, 1, 0), M(7, 6, 5, 4), M(11, 10, 9, 8), M(15, 14, 13, 12)
/* s32 (24-bit value in octets 0..2) -> AM824 audio octets 1..3 big-endian, octet 0 zero. */
#define MASK_AM824_ENC M(Z, 2, 1, 0), M(Z, 6, 5, 4), M(Z, 10, 9, 8), M(Z, 14, 13, 12)
/* AM824 -> s32: drop the label octet, audio to the top 24 bits. */
#define MASK_AM824_DEC M(Z, 3, 2, 1), M(Z, 7, 6, 5), M(Z, 11, 10, 9), M(Z, 15, 14, 13)
/* 4 x int24 (low 3 octets of each int32) -> 12 octets big-endian, 4 zero octets. */
#define MASK_L24_ENC M(2, 1, 0, 6), M(5, 4, 10, 9), M(8, 14, 13, 12), M(Z, Z, Z, Z)
/* The same from octets 1..3 of each int32. */
#define MASK_L24_ENC_HI M(3, 2, 1, 7), M(6, 5, 11, 10), M(9, 15, 14, 13), M(Z, Z, Z, Z)
/* 0x08 where the index nibble has an odd number of ones (AM824 P bit). */
#define ODD_NIBBLE_P M(0, 8, 8, 0), M(8, 0, 0, 8), M(8, 0, 0, 8), M(0, 8, 8, 0)
/* L16 big-endian from octets 2..3 (TOP) or 0..1 (LOW) of each int32, into octets 0..7 and again
 * 8..15. */
#define MASK_L16_TOP M(3, 2, 7, 6), M(11, 10, 15, 14), M(3, 2, 7, 6), M(11, 10, 15, 14)
#define MASK_L16_LOW M(1, 0, 5, 4), M(9, 8, 13, 12), M(1, 0, 5, 4), M(9, 8, 13, 12)
/* byte swap of each 16-bit word. */
#define MASK_BSWAP16 M(1, 0, 3, 2), M(5, 4, 7, 6), M(9, 8, 11, 10), M(13, 12, 15, 14)

#define SET256(m) _mm256_setr_epi8(m, m)

/* 8 wire samples of constant @fmt at @src to int32; reads exactly 8 samples' octets. */
AVX2_INLINE static __m256i dec8(enum aes67_pcm_format fmt, const uint8_t *src)
{
	switch (fmt) {
	case AES67_PCM_L16:
		return _mm256_shuffle_epi8(
			_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)src)),
			SET256(MASK_L16_ZX));
	case AES67_PCM_L24: {
		/* Octets 0..15 in the low lane, 8..23 in the high one (PSHUFB is per lane). */
		__m256i v = _mm256_inserti128_si256(
			_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)src)),
			_mm_loadu_si128((const __m128i *)(src + 8)), 1);
		return _mm256_shuffle_epi8(v, _mm256_setr_epi8(MASK_L24_DEC, MASK_L24_DEC4));
	}
	case AES67_PCM_L32:
		return _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)src),
					   SET256(MASK_BSWAP32));
	default:
		return _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)src),
					   SET256(MASK_AM824_DEC));
	}
}

/* Decode all @n samples, 16 per step (two independent chains), then 8, then the reference. */
AVX2_INLINE static void dec_avx2(enum aes67_pcm_format fmt, int32_t *restrict dst,
				 float *restrict fdst, const uint8_t *restrict src, size_t n)
{
	const size_t sb = fmt == AES67_PCM_L16 ? 2 : fmt == AES67_PCM_L24 ? 3 : 4;
	const __m256 k = _mm256_set1_ps(PCM_F32_FROM_S32);
	size_t i = 0;

	for (; i + 16 <= n; i += 16) {
		__m256i a = dec8(fmt, src + sb * i);
		__m256i b = dec8(fmt, src + sb * (i + 8));
		if (fdst != NULL) {
			_mm256_storeu_ps(fdst + i, _mm256_mul_ps(_mm256_cvtepi32_ps(a), k));
			_mm256_storeu_ps(fdst + i + 8, _mm256_mul_ps(_mm256_cvtepi32_ps(b), k));
		} else {
			_mm256_storeu_si256((__m256i *)(dst + i), a);
			_mm256_storeu_si256((__m256i *)(dst + i + 8), b);
		}
	}
	for (; i + 8 <= n; i += 8) {
		__m256i a = dec8(fmt, src + sb * i);
		if (fdst != NULL) {
			_mm256_storeu_ps(fdst + i, _mm256_mul_ps(_mm256_cvtepi32_ps(a), k));
		} else {
			_mm256_storeu_si256((__m256i *)(dst + i), a);
		}
	}
	if (i == n) {
		return; /* the common case: no tail */
	}
	if (n >= 8) {
		/* The last 8 again, overlapping: the same octets in give the same values out. */
		i = n - 8;
		__m256i a = dec8(fmt, src + sb * i);
		if (fdst != NULL) {
			_mm256_storeu_ps(fdst + i, _mm256_mul_ps(_mm256_cvtepi32_ps(a), k));
		} else {
			_mm256_storeu_si256((__m256i *)(dst + i), a);
		}
		return;
	}
	if (fdst != NULL) {
		aes67_pcm_ref_decode_f32(fmt, fdst + i, src + sb * i, n - i);
	} else {
		aes67_pcm_ref_decode_s32(fmt, dst + i, src + sb * i, n - i);
	}
}

/*
 * Round half up in three operations: floor((floor(x / 2^7) + 1) / 2) = floor((x + 2^7) / 2^8)
 * for every x (write x = 2^8 k + r), and x >> 7 plus 1 cannot overflow; VPMINSD saturates.
 */
AVX2_INLINE static __m256i r24_256(__m256i x)
{
	__m256i r = _mm256_srai_epi32(
		_mm256_add_epi32(_mm256_srai_epi32(x, 7), _mm256_set1_epi32(1)), 1);
	return _mm256_min_epi32(r, _mm256_set1_epi32(8388607));
}

/*
 * float -> integer in [lo, hi], but NaN -> 0x80000000, in 4 operations: VMAXPS/VMINPS return
 * their SECOND operand when either is NaN, so with the bound first a NaN passes both and
 * CVTPS2DQ turns it into 0x80000000 (the "integer indefinite"). Every caller keeps only the
 * low 16 or 24 bits, which are then 0, the result the rule asks for NaN. Keep the operand order.
 */
AVX2_INLINE static __m256i fclamp_256(__m256 f, float scale, float lo, float hi)
{
	__m256 v = _mm256_mul_ps(f, _mm256_set1_ps(scale));

	v = _mm256_min_ps(_mm256_set1_ps(hi), _mm256_max_ps(_mm256_set1_ps(lo), v));
	return _mm256_cvtps_epi32(v);
}

/*
 * float -> int32: NaN cleared to 0 first; no lower clamp is needed, CVTPS2DQ already gives
 * 0x80000000 (the minimum) below -2^31; for v >= 2^31 it gives 0x80000000 too, which the XOR
 * with the GE mask turns into 0x7fffffff.
 */
AVX2_INLINE static __m256i f32full_256(__m256 f)
{
	__m256 v = _mm256_mul_ps(f, _mm256_set1_ps(2147483648.0f));
	__m256 ge;

	v = _mm256_and_ps(v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));
	ge = _mm256_cmp_ps(v, _mm256_set1_ps(2147483648.0f), _CMP_GE_OQ);
	return _mm256_xor_si256(_mm256_cvtps_epi32(v), _mm256_castps_si256(ge));
}

/* 8 samples of L24/L32/AM824 (24-bit) integer values from int32 or float input (L16: l16_16()). */
AVX2_INLINE static __m256i conv8(enum aes67_pcm_format fmt, const int32_t *s, const float *f)
{
	if (f != NULL) {
		__m256 v = _mm256_loadu_ps(f);
		switch (fmt) {
		case AES67_PCM_L32:
			return f32full_256(v);
		default:
			return fclamp_256(v, 8388608.0f, -8388608.0f, 8388607.0f);
		}
	}
	__m256i x = _mm256_loadu_si256((const __m256i *)s);
	switch (fmt) {
	case AES67_PCM_L32:
		return x;
	default:
		return r24_256(x);
	}
}

/*
 * int32 -> 24 bits rounded half up and saturated, left in octets 1..3: min(x, 2^31 - 129) + 128
 * cannot overflow, its top 24 bits are floor((x + 128) / 256) for x below the clamp and
 * 2^23 - 1 (the saturated value) at and above it. Octet 0 is the discarded remainder.
 */
AVX2_INLINE static __m256i r24_hi(const int32_t *s)
{
	__m256i x = _mm256_loadu_si256((const __m256i *)s);

	return _mm256_add_epi32(_mm256_min_epi32(x, _mm256_set1_epi32(0x7fffff7f)),
				_mm256_set1_epi32(128));
}

/* 8 samples of L24 as 24 octets at the bottom of the vector (8 undefined octets on top). */
AVX2_INLINE static __m256i pack24(__m256i v)
{
	v = _mm256_shuffle_epi8(v, SET256(MASK_L24_ENC));
	return _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7));
}

/* The same from r24_hi(): the audio is in octets 1..3 of each lane. */
AVX2_INLINE static __m256i pack24_hi(__m256i v)
{
	v = _mm256_shuffle_epi8(v, SET256(MASK_L24_ENC_HI));
	return _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7));
}

/* 8 samples to 24 packed octets: int32 by the shift-free rounding, float by conv8(). */
AVX2_INLINE static __m256i l24_8(const int32_t *s, const float *f)
{
	return s != NULL ? pack24_hi(r24_hi(s)) : pack24(conv8(AES67_PCM_L24, NULL, f));
}

/*
 * 16 samples to 32 octets of L16. Each vector's 16-bit results are gathered big-endian into
 * octets 0..7 of each 128-bit lane (and repeated in 8..15); VPBLENDD takes the first vector's
 * low halves and the second's high ones and VPERMQ restores sample order. int32: min(x, 2^31 -
 * 2^15 - 1) + 2^15 cannot overflow and its top 16 bits are the rounded, saturated sample (as in
 * r24_hi()); float: fclamp_256(), NaN's 0x80000000 has low 16 bits 0.
 */
AVX2_INLINE static __m256i l16_16(const int32_t *s, const float *f)
{
	__m256i a, b;

	if (s != NULL) {
		const __m256i m = SET256(MASK_L16_TOP);
		const __m256i clamp = _mm256_set1_epi32(0x7fff7fff),
			      half = _mm256_set1_epi32(0x8000);
		a = _mm256_add_epi32(
			_mm256_min_epi32(_mm256_loadu_si256((const __m256i *)s), clamp), half);
		b = _mm256_add_epi32(
			_mm256_min_epi32(_mm256_loadu_si256((const __m256i *)(s + 8)), clamp),
			half);
		a = _mm256_shuffle_epi8(a, m);
		b = _mm256_shuffle_epi8(b, m);
	} else {
		const __m256i m = SET256(MASK_L16_LOW);
		a = fclamp_256(_mm256_loadu_ps(f), 32768.0f, -32768.0f, 32767.0f);
		b = fclamp_256(_mm256_loadu_ps(f + 8), 32768.0f, -32768.0f, 32767.0f);
		a = _mm256_shuffle_epi8(a, m);
		b = _mm256_shuffle_epi8(b, m);
	}
	return _mm256_permute4x64_epi64(_mm256_blend_epi32(a, b, 0xcc), 0xd8);
}

/* Exactly the 24 octets of pack24()'s 8 samples. */
AVX2_INLINE static void l24_store8(uint8_t *dst, __m256i a)
{
	_mm_storeu_si128((__m128i *)dst, _mm256_castsi256_si128(a));
	_mm_storel_epi64((__m128i *)(dst + 16), _mm256_extracti128_si256(a, 1));
}

AVX2_INLINE static void enc_avx2(enum aes67_pcm_format fmt, uint8_t *restrict dst,
				 const int32_t *restrict s, const float *restrict f, size_t n)
{
	size_t i = 0;

#define IN(j) (s ? s + (j) : NULL), (f ? f + (j) : NULL)
	switch (fmt) {
	case AES67_PCM_L16:
		for (; i + 16 <= n; i += 16) {
			_mm256_storeu_si256((__m256i *)(dst + 2 * i), l16_16(IN(i)));
		}
		if (i < n && n >= 16) { /* the last 16 again, overlapping */
			i = n - 16;
			_mm256_storeu_si256((__m256i *)(dst + 2 * i), l16_16(IN(i)));
			return;
		}
		break;
	case AES67_PCM_L24:
		/* 24 octets per 8 samples, stored as 32: needs 3 i + 32 <= 3 n. */
		for (; i + 16 + 11 <= n; i += 16) {
			__m256i a = l24_8(IN(i));
			__m256i b = l24_8(IN(i + 8));
			_mm256_storeu_si256((__m256i *)(dst + 3 * i), a);
			_mm256_storeu_si256((__m256i *)(dst + 3 * i + 24), b);
		}
		for (; i + 8 <= n; i += 8) {
			l24_store8(dst + 3 * i, l24_8(IN(i)));
		}
		if (i < n && n >= 8) { /* the last 8 again, overlapping */
			i = n - 8;
			l24_store8(dst + 3 * i, l24_8(IN(i)));
			return;
		}
		break;
	default: {
		/* L32 as is; AM824 audio only: the sign extension cleared, label 0. */
		const __m256i keep = _mm256_set1_epi32(fmt == AES67_PCM_L32 ? -1 : 0xffffff);
		for (; i + 16 <= n; i += 16) {
			__m256i a = _mm256_and_si256(conv8(fmt, IN(i)), keep);
			__m256i b = _mm256_and_si256(conv8(fmt, IN(i + 8)), keep);
			a = _mm256_shuffle_epi8(a, SET256(MASK_BSWAP32));
			b = _mm256_shuffle_epi8(b, SET256(MASK_BSWAP32));
			_mm256_storeu_si256((__m256i *)(dst + 4 * i), a);
			_mm256_storeu_si256((__m256i *)(dst + 4 * i + 32), b);
		}
		if (i < n && n >= 8) { /* 8 at a time to the end, the last 8 overlapping */
			for (size_t j = i; j < n; j += 8) {
				j = j + 8 > n ? n - 8 : j;
				__m256i a = _mm256_and_si256(conv8(fmt, IN(j)), keep);
				_mm256_storeu_si256((__m256i *)(dst + 4 * j),
						    _mm256_shuffle_epi8(a, SET256(MASK_BSWAP32)));
			}
			return;
		}
		break;
	}
	}
#undef IN
	if (i == n) {
		return;
	}
	if (f != NULL) {
		aes67_pcm_ref_encode_f32(fmt, dst + i * aes67_pcm_sample_bytes(fmt), f + i, n - i);
	} else {
		aes67_pcm_ref_encode_s32(fmt, dst + i * aes67_pcm_sample_bytes(fmt), s + i, n - i);
	}
}

#define AVX2_KERNELS(name, fmt)                                                              \
	AVX2 static void name##_dec_s32_avx2(int32_t *restrict d, const uint8_t *restrict s, \
					     size_t n)                                       \
	{                                                                                    \
		dec_avx2(fmt, d, NULL, s, n);                                                \
	}                                                                                    \
	AVX2 static void name##_dec_f32_avx2(float *restrict d, const uint8_t *restrict s,   \
					     size_t n)                                       \
	{                                                                                    \
		dec_avx2(fmt, NULL, d, s, n);                                                \
	}                                                                                    \
	AVX2 static void name##_enc_s32_avx2(uint8_t *restrict d, const int32_t *restrict s, \
					     size_t n)                                       \
	{                                                                                    \
		enc_avx2(fmt, d, s, NULL, n);                                                \
	}                                                                                    \
	AVX2 static void name##_enc_f32_avx2(uint8_t *restrict d, const float *restrict s,   \
					     size_t n)                                       \
	{                                                                                    \
		enc_avx2(fmt, d, NULL, s, n);                                                \
	}

AVX2_KERNELS(l16, AES67_PCM_L16)
AVX2_KERNELS(l24, AES67_PCM_L24)
AVX2_KERNELS(l32, AES67_PCM_L32)
AVX2_KERNELS(am824, AES67_PCM_AM824)

/*
 * AM824 words from @w, 8 audio words in wire order (audio big-endian in octets 1..3, octet 0
 * zero), and @lab, their 8 label words (label in octet 0, P preset for V ^ U ^ C). P (IEC
 * 60958-1 §4.1.1: time slots 4..31 even) is flipped when the audio holds an odd number of
 * ones: the word is folded 32 -> 8 bits (octet 0 = the XOR of the four octets, octet 0 of @w
 * being 0) and 8 -> 4, and a 16-entry PSHUFB table gives 0x08 (P) for an odd nibble. The mask
 * leaves index 0 (entry 0, which is 0) in octets 1..3. 8 operations for the parity in all.
 */
AVX2_INLINE static __m256i am824_w8(__m256i w, __m256i lab)
{
	__m256i t = _mm256_xor_si256(w, _mm256_srli_epi32(w, 16));

	t = _mm256_xor_si256(t, _mm256_srli_epi32(t, 8));
	t = _mm256_xor_si256(t, _mm256_srli_epi32(t, 4));
	t = _mm256_shuffle_epi8(SET256(ODD_NIBBLE_P), _mm256_and_si256(t, _mm256_set1_epi32(0x0f)));
	return _mm256_xor_si256(_mm256_xor_si256(w, lab), t);
}

/* Audio words of 8 int32 samples (rounded as r24_hi(), octet 0 of the result dropped). */
AVX2_INLINE static __m256i am824_audio_s32(const int32_t *s)
{
	return _mm256_shuffle_epi8(r24_hi(s), SET256(MASK_AM824_DEC));
}

/* Audio words of 8 float samples: the low 24 bits of fclamp_256() (NaN -> 0). */
AVX2_INLINE static __m256i am824_audio_f32(const float *f)
{
	return _mm256_shuffle_epi8(
		fclamp_256(_mm256_loadu_ps(f), 8388608.0f, -8388608.0f, 8388607.0f),
		SET256(MASK_AM824_ENC));
}

/* Label octets (stateless encoder) and label words (stateful) as vectors of 8 label words. */
#define LAB8(p) _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(p)))
#define LABW8(p) _mm256_loadu_si256((const __m256i *)(p))

/*
 * One AM824 kernel: 16 samples per step, then 8 at a time to the end with the last 8
 * overlapping (the same input and labels give the same words); fewer than 8 go scalar.
 */
#define AM824_KERNEL(name, in_t, audio, lab_t, lab8, scalar)                           \
	AVX2 static void name(uint8_t *restrict d, const in_t *restrict s, size_t n,   \
			      const lab_t *restrict labels)                            \
	{                                                                              \
		size_t i = 0;                                                          \
                                                                                       \
		if (n < 8) {                                                           \
			scalar(d, s, n, labels);                                       \
			return;                                                        \
		}                                                                      \
		for (; i + 16 <= n; i += 16) {                                         \
			__m256i a = am824_w8(audio(s + i), lab8(labels + i));          \
			__m256i b = am824_w8(audio(s + i + 8), lab8(labels + i + 8));  \
			_mm256_storeu_si256((__m256i *)(d + 4 * i), a);                \
			_mm256_storeu_si256((__m256i *)(d + 4 * i + 32), b);           \
		}                                                                      \
		for (; i < n; i += 8) {                                                \
			i = i + 8 > n ? n - 8 : i;                                     \
			_mm256_storeu_si256((__m256i *)(d + 4 * i),                    \
					    am824_w8(audio(s + i), lab8(labels + i))); \
		}                                                                      \
	}

AM824_KERNEL(am824_s32_avx2, int32_t, am824_audio_s32, uint8_t, LAB8,
	     aes67_pcm_kernels_scalar.am824_s32)
AM824_KERNEL(am824_f32_avx2, float, am824_audio_f32, uint8_t, LAB8,
	     aes67_pcm_kernels_scalar.am824_f32)
AM824_KERNEL(am824w_s32_avx2, int32_t, am824_audio_s32, uint32_t, LABW8,
	     aes67_pcm_am824w_s32_scalar)
AM824_KERNEL(am824w_f32_avx2, float, am824_audio_f32, uint32_t, LABW8, aes67_pcm_am824w_f32_scalar)

/* Channel-status octet @octet of up to 8 channels (from @block) as the octets of a uint64_t. */
static inline uint64_t cs_octets8(const uint8_t *block, unsigned n, unsigned octet)
{
	const uint8_t *p = block + octet;
	uint64_t q = 0;

	if (n >= 8) { /* the common case, unrolled: constant offsets and shifts, no loop */
#define CS_AT(c) ((uint64_t)p[(c)*AES67_AM824_CS_BYTES] << (8 * (c)))
		return CS_AT(0) | CS_AT(1) | CS_AT(2) | CS_AT(3) | CS_AT(4) | CS_AT(5) | CS_AT(6) |
		       CS_AT(7);
#undef CS_AT
	}
	for (unsigned c = 0; c < n; c++) {
		q |= (uint64_t)p[(size_t)c * AES67_AM824_CS_BYTES] << (8 * c);
	}
	return q;
}

/* Channel-status octet @octet of each of @channels (<= 32) channels, one per vector octet. */
AVX2_INLINE static __m256i cs_column(const uint8_t *cs, unsigned channels, unsigned octet)
{
	const size_t step = 8 * AES67_AM824_CS_BYTES;
	uint64_t q0 = cs_octets8(cs, channels, octet);
	uint64_t q1 = channels > 8 ? cs_octets8(cs + step, channels - 8, octet) : 0;
	uint64_t q2 = channels > 16 ? cs_octets8(cs + 2 * step, channels - 16, octet) : 0;
	uint64_t q3 = channels > 24 ? cs_octets8(cs + 3 * step, channels - 24, octet) : 0;

	return _mm256_setr_epi64x((long long)q0, (long long)q1, (long long)q2, (long long)q3);
}

/*
 * For channel counts 1, 2, 4, 8, 16, 32 a 32-octet vector holds 32 / channels whole frames.
 * Row j of a vector (octets j * channels ..) tests channel-status bit (j & 7) of its frame:
 * these are the test bits, octet by octet, one table row per count (index: log2 channels).
 */
static const uint64_t row_bits[6][4] = {
	{0x8040201008040201ull, 0x8040201008040201ull, 0x8040201008040201ull,
	 0x8040201008040201ull},
	{0x0808040402020101ull, 0x8080404020201010ull, 0x0808040402020101ull,
	 0x8080404020201010ull},
	{0x0202020201010101ull, 0x0808080804040404ull, 0x2020202010101010ull,
	 0x8080808040404040ull},
	{0x0101010101010101ull, 0x0202020202020202ull, 0x0404040404040404ull,
	 0x0808080808080808ull},
	{0x0101010101010101ull, 0x0101010101010101ull, 0x0202020202020202ull,
	 0x0202020202020202ull},
	{0x0101010101010101ull, 0x0101010101010101ull, 0x0101010101010101ull,
	 0x0101010101010101ull},
};

/* A channel-status column (one octet per channel) repeated for each frame of a vector. */
AVX2_INLINE static __m256i repeat_column(__m256i g, unsigned channels)
{
	switch (channels) {
	case 4:
		return _mm256_broadcastd_epi32(_mm256_castsi256_si128(g));
	case 8:
		return _mm256_broadcastq_epi64(_mm256_castsi256_si128(g));
	case 16:
		return _mm256_broadcastsi128_si256(_mm256_castsi256_si128(g));
	default:
		return g;
	}
}

/* 1 or 2 channels: a vector spans 32 or 16 frames, i.e. 4 or 2 channel-status octets. */
AVX2_INLINE static __m256i columns_small(const uint8_t *cs, unsigned channels, unsigned octet)
{
	const uint64_t rep = 0x0101010101010101ull;

	if (channels == 1) {
		return _mm256_setr_epi64x(
			(long long)(cs[octet] * rep), (long long)(cs[octet + 1] * rep),
			(long long)(cs[octet + 2] * rep), (long long)(cs[octet + 3] * rep));
	}
	return _mm256_setr_m128i(
		_mm_set1_epi16((short)(cs[octet] | cs[AES67_AM824_CS_BYTES + octet] << 8)),
		_mm_set1_epi16((short)(cs[octet + 1] | cs[AES67_AM824_CS_BYTES + octet + 1] << 8)));
}

/*
 * AM824 label octets (see pcm_impl.h) for up to 32 channels. A row (frame) is the base row
 * (V/U, M on even channels, W on odd ones, P for V ^ U) with C set and P flipped (XOR 0x0c)
 * where the channel's channel-status bit is 1, and at a block start B (PAC 11 = M | 0x20) on
 * even channels. For 1, 2, 4, ..., 32 channels one vector makes 32 / channels rows at once,
 * testing each row's bit (row_bits) against the channel-status octets; other counts go a row
 * at a time, with 8 rows of base pattern at once for an all-zero octet and an even count.
 * Everything stays in registers: a vector load or byte update right after stores to the same
 * octets would stall on store forwarding. Single rows are stored as whole 32-octet vectors:
 * the excess lands in the next row, stored after, or in the caller's 32 octets of slack.
 */
AVX2 static void am824_labels_avx2(uint8_t *restrict lab, size_t frames, unsigned channels,
				   const uint8_t *cs, unsigned pos, unsigned vu_flags)
{
	const unsigned vu = vu_flags | (__builtin_parity(vu_flags) ? AES67_AM824_LABEL_P : 0);
	const __m256i base = channels == 1
				     ? _mm256_set1_epi8((char)(vu | AES67_AM824_PAC_M))
				     : _mm256_set1_epi16((short)((vu | AES67_AM824_PAC_M) |
								 (vu | AES67_AM824_PAC_W) << 8));
	const __m256i cp = _mm256_set1_epi8(AES67_AM824_LABEL_C | AES67_AM824_LABEL_P);
	const __m256i idx =
		_mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
				 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
	/* B = M | 0x20 on even channels of the first row only: other octets must stay. */
	const __m256i bmask =
		_mm256_and_si256(_mm256_cmpgt_epi8(_mm256_set1_epi8((char)channels), idx),
				 _mm256_set1_epi16(AES67_AM824_PAC_B ^ AES67_AM824_PAC_M));
	const unsigned rows = (channels & (channels - 1)) == 0 ? 32 / channels : 0;
	const __m256i bits =
		rows != 0 ? _mm256_loadu_si256((const __m256i *)row_bits[__builtin_ctz(channels)])
			  : _mm256_setzero_si256();
	__m256i g = _mm256_setzero_si256();
	unsigned g_octet = AES67_AM824_CS_BYTES; /* none loaded yet */

	for (size_t f = 0; f < frames;) {
		const unsigned k = pos & 7, octet = pos >> 3;
		uint8_t *row = lab + f * channels;
		__m256i v, test;
		unsigned n;

		if (cs != NULL && g_octet != octet) {
			g = cs_column(cs, channels, octet);
			g_octet = octet;
		}
		if (rows != 0 && rows <= 8 && (k & (rows - 1)) == 0 && frames - f >= rows) {
			/* rows frames in one vector; k + rows <= 8: the shifted bits stay in octets
			 */
			n = rows;
			test = _mm256_sll_epi16(bits, _mm_cvtsi32_si128((int)k));
			v = repeat_column(g, channels);
		} else if (rows > 8 && k == 0 && frames - f >= rows &&
			   pos + rows <= AES67_AM824_BLOCK_FRAMES) {
			n = rows; /* 1 or 2 channels: 32 or 16 frames, 4 or 2 octets */
			test = bits;
			v = cs != NULL ? columns_small(cs, channels, octet)
				       : _mm256_setzero_si256();
		} else if (rows == 0 && k == 0 && (channels & 1) == 0 && frames - f >= 8 &&
			   _mm256_testz_si256(g, g)) {
			/* an all-zero octet, even count: 8 rows of the (period 2) base pattern */
			for (size_t o = 32; o < 8 * (size_t)channels; o += 32) {
				_mm256_storeu_si256((__m256i *)(row + o), base);
			}
			n = 8;
			test = _mm256_set1_epi8(1);
			v = _mm256_setzero_si256();
		} else {
			n = 1;
			test = _mm256_set1_epi8((char)(1u << k));
			v = g;
		}
		v = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(v, test), test), cp);
		v = _mm256_xor_si256(v, base);
		if (pos == 0) {
			v = _mm256_xor_si256(v, bmask);
		}
		_mm256_storeu_si256((__m256i *)row, v);
		f += n;
		pos += n; /* never past the block end: spans and vectors stay inside one block */
		if (pos == AES67_AM824_BLOCK_FRAMES) {
			pos = 0;
		}
	}
}

static const struct pcm_kernels kernels_avx2 = {
	.name = "avx2",
	.dec_s32 = {l16_dec_s32_avx2, l24_dec_s32_avx2, l32_dec_s32_avx2, am824_dec_s32_avx2},
	.dec_f32 = {l16_dec_f32_avx2, l24_dec_f32_avx2, l32_dec_f32_avx2, am824_dec_f32_avx2},
	.enc_s32 = {l16_enc_s32_avx2, l24_enc_s32_avx2, l32_enc_s32_avx2, am824_enc_s32_avx2},
	.enc_f32 = {l16_enc_f32_avx2, l24_enc_f32_avx2, l32_enc_f32_avx2, am824_enc_f32_avx2},
	.am824_s32 = am824_s32_avx2,
	.am824_f32 = am824_f32_avx2,
	.am824_labels = am824_labels_avx2,
	.am824w_s32 = am824w_s32_avx2,
	.am824w_f32 = am824w_f32_avx2,
};

const struct pcm_kernels *aes67_pcm_kernels_x86(enum pcm_isa isa)
{
	__builtin_cpu_init();
	switch (isa) {
	case PCM_ISA_AVX2:
		return __builtin_cpu_supports("avx2") ? &kernels_avx2 : NULL;
	case PCM_ISA_SSSE3:
		return __builtin_cpu_supports("ssse3") ? &aes67_pcm_kernels_ssse3 : NULL;
	default:
		return NULL;
	}
}

#else /* no x86: the scalar table does everything */

const struct pcm_kernels *aes67_pcm_kernels_x86(enum pcm_isa isa)
{
	(void)isa;
	return NULL;
}

#endif
