// SPDX-License-Identifier: MIT
/*
 * The stateful AM824 encoder (SMPTE ST 2110-31, IEC 61883-6 AM824 with IEC 60958 labels).
 *
 * Why: a label octet depends only on the channel, the block position (frame_counter % 192)
 * and the channel's V/U flags and channel-status bit (IEC 60958-1 §4.2: bit k of the block in
 * frame k). The stateless aes67_am824_encode_*() rebuild those octets on every call, which cost
 * about as much as the audio itself. Here they are built once per channel-status change, as
 * label words in wire order, twice over (2 x 192 frames) so that the labels of any run of up to
 * 192 frames are contiguous; encoding is then one kernel call per 192 frames that merges
 * audio, label and parity (IEC 60958-1 §4.1.1: time slots 4..31 even, i.e. the audio's parity
 * folded into the preset P).
 *
 * The scalar kernels (for the portable table, and for tables without AM824 kernels) are here;
 * the AVX2 ones are in pcm_x86.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "pcm_impl.h"

#define VUC (AES67_AM824_LABEL_V | AES67_AM824_LABEL_U | AES67_AM824_LABEL_C)

static inline uint32_t word_of(uint32_t a24, uint32_t labw)
{
	return (labw << 24 | a24) ^ (uint32_t)__builtin_parity(a24) << 27;
}

void aes67_pcm_am824w_s32_scalar(uint8_t *restrict d, const int32_t *restrict s, size_t n,
				 const uint32_t *restrict labw)
{
	for (size_t i = 0; i < n; i++) {
		be32_store(d + 4 * i, word_of((uint32_t)pcm_round24(s[i]) & 0xffffff, labw[i]));
	}
}

void aes67_pcm_am824w_f32_scalar(uint8_t *restrict d, const float *restrict s, size_t n,
				 const uint32_t *restrict labw)
{
	for (size_t i = 0; i < n; i++) {
		be32_store(d + 4 * i,
			   word_of((uint32_t)pcm_from_float(s[i], 24) & 0xffffff, labw[i]));
	}
}

/* The kernels for table @k: its own, or the scalar ones above. */
static void
pick(const struct pcm_kernels *k,
     void (**ws)(uint8_t *restrict, const int32_t *restrict, size_t, const uint32_t *restrict),
     void (**wf)(uint8_t *restrict, const float *restrict, size_t, const uint32_t *restrict))
{
	*ws = k != NULL && k->am824w_s32 != NULL ? k->am824w_s32 : aes67_pcm_am824w_s32_scalar;
	*wf = k != NULL && k->am824w_f32 != NULL ? k->am824w_f32 : aes67_pcm_am824w_f32_scalar;
}

size_t aes67_am824_enc_get_size(unsigned channels)
{
	if (channels == 0 || channels > AES67_AM824_ENC_MAX_CHANNELS) {
		return 0;
	}
	return offsetof(struct aes67_am824_enc, words) +
	       (size_t)PCM_AM824_ENC_FRAMES * channels * sizeof(uint32_t);
}

static bool enc_ok(const struct aes67_am824_enc *enc)
{
	return enc != NULL && enc->magic == PCM_AM824_ENC_MAGIC;
}

/* One channel's column of label words: PAC, V/U, C, and P for the parity of V ^ U ^ C. */
static void build_channel(struct aes67_am824_enc *enc, unsigned ch, const uint8_t *cs,
			  unsigned vu_flags)
{
	const size_t stride = enc->channels;
	uint32_t *w = enc->words + ch;

	for (unsigned pos = 0; pos < AES67_AM824_BLOCK_FRAMES; pos++) {
		uint32_t label = vu_flags | pcm_am824_pac(ch, pos);

		if (cs != NULL && ((cs[pos >> 3] >> (pos & 7)) & 1)) {
			label |= AES67_AM824_LABEL_C;
		}
		if (__builtin_parity(label & VUC)) {
			label |= AES67_AM824_LABEL_P;
		}
		w[pos * stride] = label;
		w[(pos + AES67_AM824_BLOCK_FRAMES) * stride] = label;
	}
}

int aes67_am824_enc_set_channel(struct aes67_am824_enc *enc, unsigned ch, const uint8_t *cs,
				unsigned vu_flags)
{
	if (!enc_ok(enc) || ch >= enc->channels ||
	    (vu_flags & ~(AES67_AM824_LABEL_V | AES67_AM824_LABEL_U)) != 0) {
		return -EINVAL;
	}
	build_channel(enc, ch, cs, vu_flags);
	return 0;
}

int aes67_am824_enc_init_with(const struct pcm_kernels *k, struct aes67_am824_enc *enc,
			      size_t enc_bytes, unsigned channels, const uint8_t *cs,
			      unsigned vu_flags)
{
	const size_t need = aes67_am824_enc_get_size(channels);

	if (enc == NULL || (uintptr_t)enc % 16 != 0 || need == 0 || enc_bytes < need ||
	    (vu_flags & ~(AES67_AM824_LABEL_V | AES67_AM824_LABEL_U)) != 0) {
		return -EINVAL;
	}
	enc->channels = channels;
	enc->k = k;
	for (unsigned ch = 0; ch < channels; ch++) {
		build_channel(enc, ch, cs != NULL ? cs + (size_t)ch * AES67_AM824_CS_BYTES : NULL,
			      vu_flags);
	}
	enc->magic = PCM_AM824_ENC_MAGIC;
	return 0;
}

int aes67_am824_enc_init(struct aes67_am824_enc *enc, size_t enc_bytes, unsigned channels,
			 const uint8_t *cs, unsigned vu_flags)
{
	return aes67_am824_enc_init_with(aes67_pcm_kernels(), enc, enc_bytes, channels, cs,
					 vu_flags);
}

/*
 * Both entry points in one (@si or @sf is the input): runs of at most 192 frames, each one
 * kernel call over a contiguous slice of the label words.
 */
static int encode(const struct aes67_am824_enc *enc, uint8_t *restrict dst, const int32_t *si,
		  const float *sf, size_t frames, uint64_t frame_counter)
{
	void (*ws)(uint8_t *restrict, const int32_t *restrict, size_t, const uint32_t *restrict);
	void (*wf)(uint8_t *restrict, const float *restrict, size_t, const uint32_t *restrict);
	unsigned pos = (unsigned)(frame_counter % AES67_AM824_BLOCK_FRAMES);
	size_t ch;

	if (!enc_ok(enc) || (frames > 0 && (dst == NULL || (si == NULL && sf == NULL)))) {
		return -EINVAL;
	}
	ch = enc->channels;
	pick(enc->k, &ws, &wf);
	while (frames > 0) {
		size_t fr = frames < AES67_AM824_BLOCK_FRAMES ? frames : AES67_AM824_BLOCK_FRAMES;
		size_t n = fr * ch;

		if (si != NULL) {
			ws(dst, si, n, enc->words + pos * ch);
			si += n;
		} else {
			wf(dst, sf, n, enc->words + pos * ch);
			sf += n;
		}
		dst += 4 * n;
		frames -= fr;
		pos = (unsigned)((pos + fr) % AES67_AM824_BLOCK_FRAMES);
	}
	return 0;
}

int aes67_am824_enc_encode_s32(const struct aes67_am824_enc *enc, uint8_t *restrict dst,
			       const int32_t *restrict src, size_t frames, uint64_t frame_counter)
{
	if (src == NULL && frames > 0) {
		return -EINVAL;
	}
	return encode(enc, dst, src, NULL, frames, frame_counter);
}

int aes67_am824_enc_encode_f32(const struct aes67_am824_enc *enc, uint8_t *restrict dst,
			       const float *restrict src, size_t frames, uint64_t frame_counter)
{
	if (src == NULL && frames > 0) {
		return -EINVAL;
	}
	return encode(enc, dst, NULL, src, frames, frame_counter);
}
