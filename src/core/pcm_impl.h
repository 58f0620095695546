/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the pcm codec files: the scalar reference conversions (the portable path,
 * and the oracle the SIMD paths are tested against), the rounding rules, and the kernel tables.
 *
 * Why tables: the public entry points pick one table at first use (CPU feature check once, a
 * relaxed atomic pointer afterwards) and call one function through it, so a 384-sample packet
 * does not pay a feature test and a format switch per call. Every kernel converts the whole
 * buffer (its own tail included), so tests can run each table against the reference. Not
 * installed.
 */
#ifndef AES67_PCM_IMPL_H
#define AES67_PCM_IMPL_H

#include <math.h>
#include <stdint.h>

#include "aes67/pcm.h"

/* Scalar reference conversions; @fmt must be valid (the public functions check it). */
void aes67_pcm_ref_decode_s32(enum aes67_pcm_format fmt, int32_t *restrict dst,
			      const uint8_t *restrict src, size_t samples);
void aes67_pcm_ref_decode_f32(enum aes67_pcm_format fmt, float *restrict dst,
			      const uint8_t *restrict src, size_t samples);
void aes67_pcm_ref_encode_s32(enum aes67_pcm_format fmt, uint8_t *restrict dst,
			      const int32_t *restrict src, size_t samples);
void aes67_pcm_ref_encode_f32(enum aes67_pcm_format fmt, uint8_t *restrict dst,
			      const float *restrict src, size_t samples);

/* Scalar reference AM824 encoders: one word at a time, straight from the label definition. */
void aes67_am824_ref_encode_s32(uint8_t *restrict dst, const int32_t *restrict src, size_t frames,
				unsigned channels, const uint8_t *cs, uint64_t frame_counter,
				unsigned vu_flags);
void aes67_am824_ref_encode_f32(uint8_t *restrict dst, const float *restrict src, size_t frames,
				unsigned channels, const uint8_t *cs, uint64_t frame_counter,
				unsigned vu_flags);

enum pcm_isa {
	PCM_ISA_SCALAR,
	PCM_ISA_SSSE3,
	PCM_ISA_AVX2,
	PCM_ISA_COUNT,
};

/* Most channels the SIMD label builder takes (more go to the scalar builder). */
#define PCM_AM824_LABEL_CHANNELS 32u

/* Index of a format in the tables: L16 0, L24 1, L32 2, AM824 3 (audio only). */
#define PCM_FMT_INDEX(fmt) ((unsigned)(fmt)-1u)

/*
 * One instruction set's kernels. Each converts all @n samples. The am824 kernels write AM824
 * words from audio and @labels (one label octet per sample, its P bit already set when V ^ U ^ C
 * is odd): they flip P once more when the 24 audio bits hold an odd number of ones.
 */
struct pcm_kernels {
	const char *name;
	void (*dec_s32[4])(int32_t *restrict dst, const uint8_t *restrict src, size_t n);
	void (*dec_f32[4])(float *restrict dst, const uint8_t *restrict src, size_t n);
	void (*enc_s32[4])(uint8_t *restrict dst, const int32_t *restrict src, size_t n);
	void (*enc_f32[4])(uint8_t *restrict dst, const float *restrict src, size_t n);
	void (*am824_s32)(uint8_t *restrict dst, const int32_t *restrict src, size_t n,
			  const uint8_t *restrict labels);
	void (*am824_f32)(uint8_t *restrict dst, const float *restrict src, size_t n,
			  const uint8_t *restrict labels);
	/*
	 * The label octets of @frames frames of @channels channels (<= PCM_AM824_LABEL_CHANNELS)
	 * from block position @pos0 (< 192); @lab holds frames * channels + 32 octets (the SIMD
	 * builder stores whole vectors). NULL: the scalar builder.
	 */
	void (*am824_labels)(uint8_t *restrict lab, size_t frames, unsigned channels,
			     const uint8_t *cs, unsigned pos0, unsigned vu_flags);
	/*
	 * The stateful encoder's kernels (pcm_am824_enc.c): as am824_s32/f32, but the labels are
	 * label words, one uint32_t per sample holding the label octet in bits 0..7 (P preset as
	 * above) and zero above. NULL: the scalar ones.
	 */
	void (*am824w_s32)(uint8_t *restrict dst, const int32_t *restrict src, size_t n,
			   const uint32_t *restrict labw);
	void (*am824w_f32)(uint8_t *restrict dst, const float *restrict src, size_t n,
			   const uint32_t *restrict labw);
};

/*
 * The stateful AM824 encoder (opaque in the public header). @words holds the label words of
 * 2 * 192 frames, frame-major (word f * channels + ch), frames 192..383 repeating 0..191, so
 * the labels of up to 192 frames from any block position are one contiguous run.
 */
#define PCM_AM824_ENC_MAGIC 0x414d3845u /* "AM8E" */
#define PCM_AM824_ENC_FRAMES (2u * AES67_AM824_BLOCK_FRAMES)

struct aes67_am824_enc {
	uint32_t magic;
	uint32_t channels;
	const struct pcm_kernels *k;
	uint32_t words[];
};

/* The scalar label-word kernels (pcm_am824_enc.c), also the SIMD ones' short-buffer path. */
void aes67_pcm_am824w_s32_scalar(uint8_t *restrict dst, const int32_t *restrict src, size_t n,
				 const uint32_t *restrict labw);
void aes67_pcm_am824w_f32_scalar(uint8_t *restrict dst, const float *restrict src, size_t n,
				 const uint32_t *restrict labw);

/* aes67_am824_enc_init() with kernel table @k (the public one passes aes67_pcm_kernels()). */
int aes67_am824_enc_init_with(const struct pcm_kernels *k, struct aes67_am824_enc *enc,
			      size_t enc_bytes, unsigned channels, const uint8_t *cs,
			      unsigned vu_flags);

/* The preamble code of channel @ch at block position @pos: channels pair up as subframes. */
static inline unsigned pcm_am824_pac(unsigned ch, unsigned pos)
{
	if (ch & 1) {
		return AES67_AM824_PAC_W;
	}
	return pos == 0 ? AES67_AM824_PAC_B : AES67_AM824_PAC_M;
}

/* The table for @isa, or NULL when this CPU or build cannot run it. Thread: any; rt. */
const struct pcm_kernels *aes67_pcm_kernels_get(enum pcm_isa isa);
/* The best table for this CPU, chosen once. Thread: any; rt. */
const struct pcm_kernels *aes67_pcm_kernels(void);
/* The portable table (pcm.c) and the x86 ones (pcm_x86.c; NULL elsewhere or if unsupported). */
extern const struct pcm_kernels aes67_pcm_kernels_scalar;
extern const struct pcm_kernels aes67_pcm_kernels_ssse3; /* x86 only: pcm_ssse3.c */
const struct pcm_kernels *aes67_pcm_kernels_x86(enum pcm_isa isa);

/* AM824 encode through table @k (the public functions pass aes67_pcm_kernels()). */
int aes67_am824_encode_s32_with(const struct pcm_kernels *k, uint8_t *restrict dst,
				const int32_t *restrict src, size_t frames, unsigned channels,
				const uint8_t *cs, uint64_t frame_counter, unsigned vu_flags);
int aes67_am824_encode_f32_with(const struct pcm_kernels *k, uint8_t *restrict dst,
				const float *restrict src, size_t frames, unsigned channels,
				const uint8_t *cs, uint64_t frame_counter, unsigned vu_flags);

/* 2^-31: int32 <-> float scale. Powers of two keep the conversion exact for 16/24-bit audio. */
#define PCM_F32_FROM_S32 (1.0f / 2147483648.0f)

/* int32 -> 16 bits: floor((x + 2^15) / 2^16) saturated at 32767 (round half up). */
static inline int32_t pcm_round16(int32_t x)
{
	int32_t r = (x >> 16) + ((x >> 15) & 1);

	return r > 32767 ? 32767 : r;
}

/* int32 -> 24 bits: floor((x + 2^7) / 2^8) saturated at 8388607 (round half up). */
static inline int32_t pcm_round24(int32_t x)
{
	int32_t r = (x >> 8) + ((x >> 7) & 1);

	return r > 8388607 ? 8388607 : r;
}

/*
 * float -> integer of 'bits' bits: scale by 2^(bits-1), NaN -> 0, clip, round to nearest even.
 * The comparisons run in float: (float)max is exact for 16/24 bits (so v in (max, max + 0.5),
 * which would round to max + 1, clips too) and is 2^31 for 32 bits, where v >= 2^31 is exactly
 * the overflowing range.
 */
static inline int32_t pcm_from_float(float f, int bits)
{
	float scale = (float)(1u << (bits - 1));
	float v = f * scale;
	int32_t hi = (int32_t)((1u << (bits - 1)) - 1);
	int32_t lo = -hi - 1;

	if (v != v) {
		return 0;
	}
	if (v >= (float)hi) {
		return hi;
	}
	if (v <= (float)lo) {
		return lo;
	}
	return (int32_t)lrintf(v);
}

#endif /* AES67_PCM_IMPL_H */
