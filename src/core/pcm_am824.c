// SPDX-License-Identifier: MIT
/*
 * AM824 words for IEC 60958 conformant audio (SMPTE ST 2110-31; IEC 61883-6 AM824, label range
 * 0x00-0x3F): audio plus the per-subframe V, U, C, P bits and the preamble code (PAC B/M/W)
 * that stands for the IEC 60958 preamble. The label layout is documented in
 * include/aes67/pcm.h; the channel-status defaults and CRCC (AES3-2) are here too.
 *
 * Why it is a separate path from L24: each word carries one bit of the channel's 192-bit
 * channel-status block (IEC 60958-1 §4.2: bit k of the block in frame k, counted from the
 * frame with preamble B/Z), so encoding needs a running frame position and decoding can
 * reassemble the block. Parity errors are counted, never fatal: the audio is still delivered.
 *
 * Encoding has two implementations: the reference (a word at a time, straight from the
 * definition; the tests' oracle) and the fast one, which builds the label octets of a slice
 * of frames first (few of them differ from a repeating pattern) and then runs a kernel of the
 * chosen table that merges audio, labels and parity. Both give identical words.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "bytes.h"
#include "pcm_impl.h"

#define VUC (AES67_AM824_LABEL_V | AES67_AM824_LABEL_U | AES67_AM824_LABEL_C)
#define VUCP (VUC | AES67_AM824_LABEL_P)
#define NOT_IEC60958 0xc0u /* labels 0x40 and up are other AM824 data types */

/* One AM824 word: IEC 60958-1 §4.1.1 even parity over time slots 4..31 = audio + V U C P. */
static inline uint32_t word(uint32_t a24, unsigned ch, unsigned pos, const uint8_t *cs,
			    unsigned vu_flags)
{
	uint32_t label = vu_flags | pcm_am824_pac(ch, pos);

	if (cs != NULL && ((cs[(size_t)ch * AES67_AM824_CS_BYTES + (pos >> 3)] >> (pos & 7)) & 1)) {
		label |= AES67_AM824_LABEL_C;
	}
	if (__builtin_parity(a24 ^ (label & VUC))) {
		label |= AES67_AM824_LABEL_P;
	}
	return label << 24 | a24;
}

void aes67_am824_ref_encode_s32(uint8_t *restrict dst, const int32_t *restrict src, size_t frames,
				unsigned channels, const uint8_t *cs, uint64_t frame_counter,
				unsigned vu_flags)
{
	unsigned pos = (unsigned)(frame_counter % AES67_AM824_BLOCK_FRAMES);

	for (size_t f = 0; f < frames; f++) {
		for (unsigned ch = 0; ch < channels; ch++) {
			uint32_t a = (uint32_t)pcm_round24(*src++) & 0xffffff;
			be32_store(dst, word(a, ch, pos, cs, vu_flags));
			dst += 4;
		}
		pos = pos + 1 == AES67_AM824_BLOCK_FRAMES ? 0 : pos + 1;
	}
}

void aes67_am824_ref_encode_f32(uint8_t *restrict dst, const float *restrict src, size_t frames,
				unsigned channels, const uint8_t *cs, uint64_t frame_counter,
				unsigned vu_flags)
{
	unsigned pos = (unsigned)(frame_counter % AES67_AM824_BLOCK_FRAMES);

	for (size_t f = 0; f < frames; f++) {
		for (unsigned ch = 0; ch < channels; ch++) {
			uint32_t a = (uint32_t)pcm_from_float(*src++, 24) & 0xffffff;
			be32_store(dst, word(a, ch, pos, cs, vu_flags));
			dst += 4;
		}
		pos = pos + 1 == AES67_AM824_BLOCK_FRAMES ? 0 : pos + 1;
	}
}

/* Label octets per encoder call slice: 2 KiB of stack, 256 frames of 8 channels. */
#define LABEL_SLICE 2048u

/*
 * The labels of @frames frames from block position @pos0, for the fast encoder: one octet per
 * sample with V/U, PAC and C, and P preset to the parity of V ^ U ^ C (the kernel folds in the
 * audio's parity). A row of base labels (V/U, M or W) is replicated by doubling copies; then
 * the few exceptions are patched in place: M -> B at block starts, and C set with P flipped
 * for each channel-status bit that is 1. C bits are found one channel-status octet (up to 8
 * frames) at a time, so a sparse block costs little.
 */
static void build_labels(uint8_t *restrict lab, size_t frames, unsigned channels, const uint8_t *cs,
			 unsigned pos0, unsigned vu_flags)
{
	const size_t n = frames * channels;
	const uint8_t vu =
		(uint8_t)(vu_flags | (__builtin_parity(vu_flags) ? AES67_AM824_LABEL_P : 0));

	for (unsigned ch = 0; ch < channels; ch++) {
		lab[ch] = (uint8_t)(vu | pcm_am824_pac(ch, 1));
	}
	for (size_t have = channels; have < n;) {
		size_t len = have < n - have ? have : n - have;
		memcpy(lab + have, lab, len);
		have += len;
	}
	for (size_t f = (AES67_AM824_BLOCK_FRAMES - pos0) % AES67_AM824_BLOCK_FRAMES; f < frames;
	     f += AES67_AM824_BLOCK_FRAMES) {
		for (unsigned ch = 0; ch < channels; ch += 2) {
			lab[f * channels + ch] |= AES67_AM824_PAC_B;
		}
	}
	if (cs == NULL) {
		return;
	}
	for (unsigned ch = 0; ch < channels; ch++) {
		const uint8_t *block = cs + (size_t)ch * AES67_AM824_CS_BYTES;
		uint8_t *l = lab + ch;
		unsigned pos = pos0;

		for (size_t f = 0; f < frames;) {
			unsigned k = pos & 7, span = 8 - k;
			unsigned bits;

			if (span > frames - f) {
				span = (unsigned)(frames - f);
			}
			bits = (unsigned)(block[pos >> 3] >> k) & ((1u << span) - 1);
			while (bits != 0) {
				unsigned t = (unsigned)__builtin_ctz(bits);
				l[(f + t) * channels] ^= AES67_AM824_LABEL_C | AES67_AM824_LABEL_P;
				bits &= bits - 1;
			}
			f += span;
			pos += span; /* 192 is a multiple of 8: a span never crosses a block */
			if (pos == AES67_AM824_BLOCK_FRAMES) {
				pos = 0;
			}
		}
	}
}

static bool enc_args_ok(const void *dst, const void *src, unsigned channels, unsigned vu_flags)
{
	return dst != NULL && src != NULL && channels > 0 &&
	       (vu_flags & ~(AES67_AM824_LABEL_V | AES67_AM824_LABEL_U)) == 0;
}

/*
 * Both encoders in one: @si or @sf is the input. Slices of whole frames go through the label
 * buffer and the kernel; more than LABEL_SLICE channels (no slice fits) take the reference.
 */
static int encode(const struct pcm_kernels *k, uint8_t *restrict dst, const int32_t *si,
		  const float *sf, size_t frames, unsigned channels, const uint8_t *cs,
		  uint64_t frame_counter, unsigned vu_flags)
{
	uint8_t lab[LABEL_SLICE + 32];
	unsigned pos = (unsigned)(frame_counter % AES67_AM824_BLOCK_FRAMES);
	const size_t slice = LABEL_SLICE / channels;

	if (slice == 0) {
		if (si != NULL) {
			aes67_am824_ref_encode_s32(dst, si, frames, channels, cs, pos, vu_flags);
		} else {
			aes67_am824_ref_encode_f32(dst, sf, frames, channels, cs, pos, vu_flags);
		}
		return 0;
	}
	if (k->am824_s32 == NULL) {
		k = &aes67_pcm_kernels_scalar;
	}
	while (frames > 0) {
		size_t fr = frames < slice ? frames : slice;
		size_t n = fr * channels;

		if (k->am824_labels != NULL && channels <= PCM_AM824_LABEL_CHANNELS) {
			k->am824_labels(lab, fr, channels, cs, pos, vu_flags);
		} else {
			build_labels(lab, fr, channels, cs, pos, vu_flags);
		}
		if (si != NULL) {
			k->am824_s32(dst, si, n, lab);
			si += n;
		} else {
			k->am824_f32(dst, sf, n, lab);
			sf += n;
		}
		dst += 4 * n;
		frames -= fr;
		pos = (unsigned)((pos + fr) % AES67_AM824_BLOCK_FRAMES);
	}
	return 0;
}

int aes67_am824_encode_s32_with(const struct pcm_kernels *k, uint8_t *restrict dst,
				const int32_t *restrict src, size_t frames, unsigned channels,
				const uint8_t *cs, uint64_t frame_counter, unsigned vu_flags)
{
	if (!enc_args_ok(dst, src, channels, vu_flags)) {
		return -EINVAL;
	}
	return encode(k, dst, src, NULL, frames, channels, cs, frame_counter, vu_flags);
}

int aes67_am824_encode_f32_with(const struct pcm_kernels *k, uint8_t *restrict dst,
				const float *restrict src, size_t frames, unsigned channels,
				const uint8_t *cs, uint64_t frame_counter, unsigned vu_flags)
{
	if (!enc_args_ok(dst, src, channels, vu_flags)) {
		return -EINVAL;
	}
	return encode(k, dst, NULL, src, frames, channels, cs, frame_counter, vu_flags);
}

int aes67_am824_encode_s32(uint8_t *restrict dst, const int32_t *restrict src, size_t frames,
			   unsigned channels, const uint8_t *cs, uint64_t frame_counter,
			   unsigned vu_flags)
{
	return aes67_am824_encode_s32_with(aes67_pcm_kernels(), dst, src, frames, channels, cs,
					   frame_counter, vu_flags);
}

int aes67_am824_encode_f32(uint8_t *restrict dst, const float *restrict src, size_t frames,
			   unsigned channels, const uint8_t *cs, uint64_t frame_counter,
			   unsigned vu_flags)
{
	return aes67_am824_encode_f32_with(aes67_pcm_kernels(), dst, src, frames, channels, cs,
					   frame_counter, vu_flags);
}

void aes67_am824_rx_init(struct aes67_am824_rx *rx, unsigned channels)
{
	for (unsigned ch = 0; ch < channels; ch++) {
		memset(&rx[ch], 0, sizeof(rx[ch]));
		rx[ch].bit = UINT16_MAX;
	}
}

/* Channel status: restart at a B of the channel's subframe 1, complete after 192 bits. */
static void cs_bit(struct aes67_am824_rx *r, uint8_t label, uint8_t lead_label)
{
	if ((lead_label & AES67_AM824_PAC_MASK) == AES67_AM824_PAC_B) {
		r->bit = 0;
		memset(r->building, 0, sizeof(r->building));
	}
	if (r->bit < AES67_AM824_BLOCK_FRAMES) {
		if (label & AES67_AM824_LABEL_C) {
			r->building[r->bit >> 3] |= (uint8_t)(1u << (r->bit & 7));
		}
		if (++r->bit == AES67_AM824_BLOCK_FRAMES) {
			memcpy(r->cs, r->building, sizeof(r->cs));
			r->blocks++;
		}
	}
}

static int decode(int32_t *restrict di, float *restrict df, uint8_t *restrict labels,
		  const uint8_t *restrict src, size_t frames, unsigned channels,
		  struct aes67_am824_rx *rx)
{
	size_t errors = 0;

	if ((di == NULL && df == NULL) || src == NULL || channels == 0) {
		return -EINVAL;
	}
	for (size_t f = 0; f < frames; f++) {
		const uint8_t *fr = src;
		for (unsigned ch = 0; ch < channels; ch++, src += 4) {
			uint8_t label = src[0];
			uint32_t a = be24_load(src + 1);
			int32_t s = (int32_t)(a << 8);

			if (di != NULL) {
				*di++ = s;
			} else {
				*df++ = (float)s * PCM_F32_FROM_S32;
			}
			if (labels != NULL) {
				*labels++ = label;
			}
			if (label & NOT_IEC60958) {
				continue; /* no V/U/C/P in other data types */
			}
			if (__builtin_parity(a ^ (label & VUCP))) {
				errors++;
				if (rx != NULL) {
					rx[ch].parity_errors++;
				}
			}
			if (rx != NULL) {
				uint8_t lead = (ch & 1) ? fr[4 * (ch - 1)] : label;
				cs_bit(&rx[ch], label, lead);
			}
		}
	}
	return errors > INT32_MAX ? INT32_MAX : (int)errors;
}

int aes67_am824_decode_s32(int32_t *restrict dst, uint8_t *restrict labels,
			   const uint8_t *restrict src, size_t frames, unsigned channels,
			   struct aes67_am824_rx *rx)
{
	if (dst == NULL) {
		return -EINVAL;
	}
	return decode(dst, NULL, labels, src, frames, channels, rx);
}

int aes67_am824_decode_f32(float *restrict dst, uint8_t *restrict labels,
			   const uint8_t *restrict src, size_t frames, unsigned channels,
			   struct aes67_am824_rx *rx)
{
	if (dst == NULL) {
		return -EINVAL;
	}
	return decode(NULL, dst, labels, src, frames, channels, rx);
}

/*
 * AES3 channel-status CRCC: G(x) = x^8 + x^4 + x^3 + x^2 + 1, register preset to ones, bits fed
 * in transmission order (LSB of each octet first), so the shift register runs reflected with
 * the reversed polynomial 0xb8.
 */
uint8_t aes67_am824_cs_crc(const uint8_t cs[AES67_AM824_CS_BYTES])
{
	uint8_t crc = 0xff;

	for (unsigned i = 0; i < AES67_AM824_CS_BYTES - 1; i++) {
		crc ^= cs[i];
		for (unsigned b = 0; b < 8; b++) {
			crc = (crc & 1) ? (uint8_t)((crc >> 1) ^ 0xb8) : (uint8_t)(crc >> 1);
		}
	}
	return crc;
}

int aes67_am824_cs_default(uint8_t cs[AES67_AM824_CS_BYTES], uint32_t rate_hz)
{
	uint8_t fs0 = 0, fs4 = 0;

	/*
	 * AES3-2 (2009) channel status, bits named in transmission order, bit 0 = LSB of the octet.
	 * Octet 0 bits 6-7 (written "bit 6 bit 7"): 01 = 48 kHz (bit 7 set, 0x80), 10 = 44.1 kHz
	 * (0x40), 11 = 32 kHz (0xc0), 00 = not indicated. Other rates leave 00 there and use
	 * octet 4 bits 3-6 (written "bit 3 .. bit 6"): 0100 = 96 kHz (0x10), 1100 = 192 kHz
	 * (0x18), 0101 = 88.2 kHz (0x50), 1101 = 176.4 kHz (0x58); bit 7 = 0, no 1/1.001 scaling.
	 */
	switch (rate_hz) {
	case 48000:
		fs0 = 0x80;
		break;
	case 44100:
		fs0 = 0x40;
		break;
	case 32000:
		fs0 = 0xc0;
		break;
	case 96000:
		fs4 = 0x10;
		break;
	case 192000:
		fs4 = 0x18;
		break;
	case 88200:
		fs4 = 0x50;
		break;
	case 176400:
		fs4 = 0x58;
		break;
	default:
		return -EINVAL;
	}
	memset(cs, 0, AES67_AM824_CS_BYTES);
	/* bit 0 professional; bit 1 = 0 linear PCM; bits 2-4 = 100 no emphasis; bit 5 = 0 locked */
	cs[0] = (uint8_t)(0x01 | 0x04 | fs0);
	/* Octet 1 bits 0-3 = 0001 (bit 3 set): two-channel mode. */
	cs[1] = 0x08;
	/* Octet 2 bits 0-2 = 001: max 24 bits; bits 3-5 = 101: 24-bit word length. */
	cs[2] = 0x04 | 0x28;
	cs[4] = fs4;
	cs[AES67_AM824_CS_BYTES - 1] = aes67_am824_cs_crc(cs);
	return 0;
}
