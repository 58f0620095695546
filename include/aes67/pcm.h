/* SPDX-License-Identifier: MIT */
/*
 * PCM sample codecs between AES67 / ST 2110-30/-31 wire formats and host buffers, interleaved.
 *
 * Wire formats (network byte order, two's complement):
 *   L16   RFC 3551 §4.5.11: 16 bits, 2 octets per sample.
 *   L24   RFC 3190 §4: 24 bits, 3 octets per sample.
 *   L32   32 bits, 4 octets per sample.
 *   AM824 SMPTE ST 2110-31 / IEC 61883-6: 32-bit word = 8-bit label + 24-bit audio.
 * Host formats:
 *   int32 with the audio LEFT-justified: L16 sample << 16, L24/AM824 sample << 8, L32 as is.
 *   float32 = int32 / 2^31, in [-1.0, 1.0).
 *
 * Decoding is exact (except L32 -> float, which keeps float's 24-bit significand).
 * Encoding rules, exactly:
 *   int32 -> L16: floor((x + 2^15) / 2^16), i.e. round half up, saturated to 32767.
 *   int32 -> L24/AM824: floor((x + 2^7) / 2^8), round half up, saturated to 8388607.
 *   float -> any: v = f * 2^(bits-1); NaN -> 0; v >= max -> max; v <= min -> min; otherwise
 *   rounded to nearest, ties to even (the default floating-point rounding mode, which callers
 *   must not change). So +1.0 and above give the format's maximum, below -1.0 its minimum.
 *
 * The codecs use AVX2 or SSSE3 when the CPU has them (chosen once, at the first call) and a
 * portable scalar path otherwise; all give identical results (tested exhaustively). All are
 * AES67_RT.
 */
#ifndef AES67_PCM_H
#define AES67_PCM_H

#include <stdint.h>

#include "aes67/common.h"

#ifdef __cplusplus
extern "C" {
#endif

enum aes67_pcm_format {
	AES67_PCM_L16 = 1,
	AES67_PCM_L24,
	AES67_PCM_L32,
	AES67_PCM_AM824,
};

/**
 * aes67_pcm_sample_bytes() - octets per sample on the wire.
 * @fmt: the format.
 *
 * Return: 2, 3, 4 or 4; 0 for an unknown format. Thread: any; rt.
 */
AES67_API AES67_RT size_t aes67_pcm_sample_bytes(enum aes67_pcm_format fmt);

/**
 * aes67_pcm_put_frames() - place packed frames into wider interleaved frames (a stream's
 * channels within a device frame), or zero those channels.
 * @dst: the first destination sample of the first frame; frame i starts at @dst + i * @dst_stride.
 * @dst_stride: samples from one destination frame to the next, >= @ch.
 * @src: @n_frames packed frames of @ch samples, or NULL to write zeros. Must not overlap @dst.
 * @ch: samples per source frame.
 * @n_frames: frames.
 *
 * Samples of @dst outside the @ch channels of each frame are not touched. Thread: any; rt.
 */
AES67_API AES67_RT void aes67_pcm_put_frames(int32_t *dst, uint32_t dst_stride, const int32_t *src,
					     uint32_t ch, uint32_t n_frames);

/**
 * aes67_pcm_decode_s32() - wire samples to left-justified int32.
 * @fmt: wire format (AM824: the label is ignored; see aes67_am824_decode_s32()).
 * @dst: out: @samples int32 values.
 * @src: @samples * aes67_pcm_sample_bytes(@fmt) octets. Must not overlap @dst.
 * @samples: number of samples (frames * channels, interleaved order is kept).
 *
 * Return: 0, or -EINVAL for an unknown format. Thread: any; rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_pcm_decode_s32(enum aes67_pcm_format fmt,
							     int32_t *restrict dst,
							     const uint8_t *restrict src,
							     size_t samples);

/**
 * aes67_pcm_decode_f32() - wire samples to float in [-1, 1). Same parameters and errors as
 * aes67_pcm_decode_s32(). Thread: any; rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_pcm_decode_f32(enum aes67_pcm_format fmt,
							     float *restrict dst,
							     const uint8_t *restrict src,
							     size_t samples);

/**
 * aes67_pcm_encode_s32() - left-justified int32 to wire samples (rounding: see the file header).
 * @fmt: L16, L24 or L32. AM824 needs channel status: use aes67_am824_encode_s32().
 * @dst: out: @samples * aes67_pcm_sample_bytes(@fmt) octets. Must not overlap @src.
 * @src: @samples int32 values.
 * @samples: number of samples.
 *
 * Return: 0, or -EINVAL for an unknown format or AM824. Thread: any; rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_pcm_encode_s32(enum aes67_pcm_format fmt,
							     uint8_t *restrict dst,
							     const int32_t *restrict src,
							     size_t samples);

/**
 * aes67_pcm_encode_f32() - float to wire samples (rounding and clipping: see the file header).
 * Same parameters and errors as aes67_pcm_encode_s32(). Thread: any; rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_pcm_encode_f32(enum aes67_pcm_format fmt,
							     uint8_t *restrict dst,
							     const float *restrict src,
							     size_t samples);

/*
 * AM824 for IEC 60958 conformant data (SMPTE ST 2110-31 §5, IEC 61883-6 AM824 label range
 * 0x00-0x3F). Layout of the label octet, most significant bit first:
 *   0 0 PAC1 PAC0 P C U V
 * V validity, U user data, C channel status (one bit of the 192-bit block per frame), P parity,
 * PAC the preamble code that stands for the IEC 60958 preamble of the subframe:
 *   11 B (Z): subframe 1 of the first frame of a channel-status block,
 *   01 M (X): subframe 1 of any other frame,
 *   00 W (Y): subframe 2,
 *   10 reserved (never sent; not taken as a block start on receive).
 * Channels pair up as IEC 60958 subframes: channel 2k is subframe 1, channel 2k + 1 subframe 2;
 * an odd last channel is a subframe 1 on its own.
 *
 * P makes IEC 60958 time slots 4..31 even (IEC 60958-1 §4.1.1): the 24 audio bits plus V, U,
 * C and P hold an even number of ones; the PAC bits stand for the preamble (slots 0..3) and are
 * not covered.
 *
 * Verification (no copy of IEC 61883-6 was available): the PAC values and the bit positions of
 * V/U/C/P match libiec61883 (struct iec60958_data, IEC60958_PAC_B/M/W/RSV), the bit positions
 * match Dolby's WavPlay AM824 framer and an ST 2110-31 test tool. Parity coverage is from
 * IEC 60958-1 alone: those two tools disagree with it and with each other (one also folds the
 * PAC bits in, the other leaves V out), so a receiver here counts parity errors but never drops
 * audio for them.
 */
#define AES67_AM824_LABEL_V 0x01u
#define AES67_AM824_LABEL_U 0x02u
#define AES67_AM824_LABEL_C 0x04u
#define AES67_AM824_LABEL_P 0x08u
#define AES67_AM824_PAC_MASK 0x30u
#define AES67_AM824_PAC_B 0x30u
#define AES67_AM824_PAC_M 0x10u
#define AES67_AM824_PAC_W 0x00u
#define AES67_AM824_CS_BYTES 24	     /* a channel-status block: 192 bits */
#define AES67_AM824_BLOCK_FRAMES 192 /* frames per channel-status block */

/**
 * aes67_am824_encode_s32() - left-justified int32 to AM824 words with IEC 60958 labels.
 * @dst: out: frames * channels * 4 octets. Must not overlap @src.
 * @src: frames * channels int32 values, interleaved.
 * @frames: number of frames.
 * @channels: channels per frame, >= 1.
 * @cs: @channels channel-status blocks of AES67_AM824_CS_BYTES octets each, back to back
 *      (channel ch at cs + 24 * ch; bit k of a block is bit k % 8, LSB first, of octet k / 8,
 *      IEC 60958-3/-4); NULL sends all-zero channel status.
 * @frame_counter: the running frame count of the first frame (since the stream started);
 *                 frame_counter % 192 == 0 is a block start.
 * @vu_flags: AES67_AM824_LABEL_V and/or AES67_AM824_LABEL_U to set in every word (0 = default).
 *
 * Audio rounding as for L24. Return: 0, or -EINVAL (NULL @dst/@src, @channels 0, other flags).
 * Thread: any; rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int
aes67_am824_encode_s32(uint8_t *restrict dst, const int32_t *restrict src, size_t frames,
		       unsigned channels, const uint8_t *cs, uint64_t frame_counter,
		       unsigned vu_flags);

/**
 * aes67_am824_encode_f32() - as aes67_am824_encode_s32() from float (rounding and clipping as
 * for L24). Thread: any; rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int
aes67_am824_encode_f32(uint8_t *restrict dst, const float *restrict src, size_t frames,
		       unsigned channels, const uint8_t *cs, uint64_t frame_counter,
		       unsigned vu_flags);

/*
 * Stateful AM824 encoder: keeps every channel's 192 label octets (PAC, V, U, C and the parity
 * of V ^ U ^ C), built once when the channel status is set, so that encoding only merges audio,
 * labels and the audio's parity. Use it on the send path; it gives the same words as
 * aes67_am824_encode_s32()/_f32() (tested). Caller-owned memory (no allocation):
 *     size_t n = aes67_am824_enc_get_size(channels);
 *     struct aes67_am824_enc *e = aligned_alloc(16, round_up(n, 16));
 *     err = aes67_am824_enc_init(e, n, channels, cs, 0);
 */
struct aes67_am824_enc;

#define AES67_AM824_ENC_MAX_CHANNELS 64u /* SMPTE ST 2110-30 level C: up to 64 channels */

/**
 * aes67_am824_enc_get_size() - octets of memory an encoder of @channels channels needs.
 * @channels: 1 .. AES67_AM824_ENC_MAX_CHANNELS.
 *
 * Return: the size (about 1.5 KiB per channel), or 0 for an unsupported channel count.
 * Thread: any; rt.
 */
AES67_API AES67_RT size_t aes67_am824_enc_get_size(unsigned channels);

/**
 * aes67_am824_enc_init() - set up an encoder in caller-owned memory.
 * @enc: memory of at least aes67_am824_enc_get_size(@channels) octets, aligned to 16.
 * @enc_bytes: its size in octets.
 * @channels: 1 .. AES67_AM824_ENC_MAX_CHANNELS.
 * @cs: @channels channel-status blocks back to back, as for aes67_am824_encode_s32(); NULL
 *      sends all-zero channel status. Copied into label words, not kept.
 * @vu_flags: AES67_AM824_LABEL_V and/or AES67_AM824_LABEL_U for every channel.
 *
 * Return: 0, or -EINVAL (NULL or misaligned @enc, @enc_bytes too small, @channels out of
 * range, other flags). Thread: any; rt (no allocation; builds 384 words per channel).
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_am824_enc_init(struct aes67_am824_enc *enc,
							     size_t enc_bytes, unsigned channels,
							     const uint8_t *cs, unsigned vu_flags);

/**
 * aes67_am824_enc_set_channel() - new channel status and V/U flags for one channel.
 * @enc: an initialised encoder; must not be encoding at the same time (the caller serialises,
 *       e.g. by applying the change on the thread that encodes).
 * @ch: the channel, < the encoder's channel count.
 * @cs: its AES67_AM824_CS_BYTES channel-status octets; NULL for all zero.
 * @vu_flags: AES67_AM824_LABEL_V and/or AES67_AM824_LABEL_U.
 *
 * Return: 0, or -EINVAL (@enc not initialised, @ch out of range, other flags).
 * Thread: any; rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_am824_enc_set_channel(struct aes67_am824_enc *enc,
								    unsigned ch, const uint8_t *cs,
								    unsigned vu_flags);

/**
 * aes67_am824_enc_encode_s32() - left-justified int32 to AM824 words (as
 * aes67_am824_encode_s32() with the encoder's channels, channel status and V/U flags).
 * @enc: an initialised encoder (read only: several threads may encode with one encoder).
 * @dst: out: @frames * channels * 4 octets. Must not overlap @src.
 * @src: @frames * channels int32 values, interleaved.
 * @frames: number of frames.
 * @frame_counter: the running frame count of the first frame; % 192 == 0 is a block start.
 *
 * Return: 0, or -EINVAL (@enc not initialised, NULL buffers with @frames > 0).
 * Thread: any; rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int
aes67_am824_enc_encode_s32(const struct aes67_am824_enc *enc, uint8_t *restrict dst,
			   const int32_t *restrict src, size_t frames, uint64_t frame_counter);

/**
 * aes67_am824_enc_encode_f32() - as aes67_am824_enc_encode_s32() from float (rounding and
 * clipping as for L24). Thread: any; rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int
aes67_am824_enc_encode_f32(const struct aes67_am824_enc *enc, uint8_t *restrict dst,
			   const float *restrict src, size_t frames, uint64_t frame_counter);

/*
 * Receive state of one AM824 channel: reassembles its channel-status block and counts parity
 * errors. Caller-owned, one per channel; initialise with aes67_am824_rx_init().
 */
struct aes67_am824_rx {
	uint8_t cs[AES67_AM824_CS_BYTES];	/* the last complete channel-status block */
	uint8_t building[AES67_AM824_CS_BYTES]; /* the block being received */
	uint16_t bit;		/* next bit of @building; >= 192 while waiting for a B */
	uint32_t blocks;	/* complete blocks received (the count changes when @cs does) */
	uint64_t parity_errors; /* words whose parity was wrong (counted, never fatal) */
};

/**
 * aes67_am824_rx_init() - reset @channels receive states (unsynchronised, no block yet).
 * Thread: any; rt.
 */
AES67_API AES67_RT void aes67_am824_rx_init(struct aes67_am824_rx *rx, unsigned channels);

/**
 * aes67_am824_decode_s32() - AM824 words to left-justified int32, with label bookkeeping.
 * @dst: out: frames * channels int32 values.
 * @labels: out, optional (NULL): frames * channels label octets (layout above).
 * @src: frames * channels * 4 octets.
 * @frames: number of frames.
 * @channels: channels per frame, >= 1.
 * @rx: optional (NULL): @channels receive states; channel status is reassembled from the C
 *      bits, blocks starting at PAC B on the channel's subframe 1, and parity errors counted.
 *
 * Return: the number of parity errors in this call (>= 0; audio is decoded regardless), or
 * -EINVAL (NULL @dst/@src, @channels 0). Thread: any; rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int
aes67_am824_decode_s32(int32_t *restrict dst, uint8_t *restrict labels, const uint8_t *restrict src,
		       size_t frames, unsigned channels, struct aes67_am824_rx *rx);

/**
 * aes67_am824_decode_f32() - as aes67_am824_decode_s32() to float in [-1, 1). Thread: any; rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int
aes67_am824_decode_f32(float *restrict dst, uint8_t *restrict labels, const uint8_t *restrict src,
		       size_t frames, unsigned channels, struct aes67_am824_rx *rx);

/**
 * aes67_am824_cs_default() - fill a professional channel-status block (AES3-2 / IEC 60958-4).
 * @cs: out: the 24-octet block.
 * @rate_hz: 32000, 44100, 48000 (stated in octet 0) or 88200, 96000, 176400, 192000 (octet 0
 *           says "not indicated", octet 4 states the rate).
 *
 * Bits are named in transmission order, bit 0 = LSB of the octet; a state "b6 b7 = 01" sets
 * bit 7. Octet 0: professional (bit 0), linear PCM (bit 1 = 0), no emphasis (bits 2-4 = 100),
 * locked (bit 5 = 0), sampling frequency (bits 6-7: 01 = 48 kHz, 10 = 44.1 kHz, 11 = 32 kHz,
 * 00 = see octet 4). Octet 1: channel mode "two channel" (bits 0-3 = 0001). Octet 2: auxiliary
 * bits carry audio, maximum 24 bits (bits 0-2 = 001), word length 24 (bits 3-5 = 101).
 * Octet 4 bits 3-6: 0100 = 96 kHz, 1100 = 192 kHz, 0101 = 88.2 kHz, 1101 = 176.4 kHz, else
 * 0000. Octet 23: CRCC, CRC-8 with G(x) = x^8 + x^4 + x^3 + x^2 + 1, initial value all ones,
 * over octets 0-22 in transmission order.
 *
 * Return: 0, or -EINVAL for another rate. Thread: any; rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_am824_cs_default(uint8_t cs[AES67_AM824_CS_BYTES],
							       uint32_t rate_hz);

/**
 * aes67_am824_cs_crc() - the AES3 channel-status CRCC (octet 23) of octets 0-22 of @cs.
 * @cs: a 24-octet block; octet 23 is not read.
 *
 * G(x) = x^8 + x^4 + x^3 + x^2 + 1, preset to ones, bits in transmission order (LSB first).
 * Checked against the AES3-2 worked examples: octets 0, 1, 4 = 3d 02 02 -> 0x9b; octet 0 = 01
 * -> 0x32 (all other octets 0). Return: the CRCC. Thread: any; rt.
 */
AES67_API AES67_RT uint8_t aes67_am824_cs_crc(const uint8_t cs[AES67_AM824_CS_BYTES]);

#ifdef __cplusplus
}
#endif

#endif /* AES67_PCM_H */
