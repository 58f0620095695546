// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the pcm codecs: every kernel table this CPU runs (scalar, SSSE3, AVX2)
 * must equal the scalar reference bit for bit on hostile input (any octets as wire samples,
 * any bit patterns as int32 and float samples: NaN, infinities, denormals, out of range), and
 * no decoder or encoder may read or write outside its buffers: every buffer is a heap block of
 * exactly the size the API states, so AddressSanitizer sees one octet too many.
 *
 * Input: octet 0 picks the format (bits 0-1), the V/U flags (bits 2-3) and whether channel
 * status comes from the input (bit 4); octet 1 the AM824 channel count (1..64); octets 2-9
 * the frame counter; the rest are the samples (and, for AM824, channel-status blocks first).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aes67/pcm.h"
#include "bytes.h"
#include "pcm_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR 10u

static void *dup_exact(const uint8_t *p, size_t n)
{
	void *q = malloc(n > 0 ? n : 1);

	if (q == NULL) {
		abort();
	}
	if (n > 0) {
		memcpy(q, p, n);
	}
	return q;
}

static void check(int ok)
{
	if (!ok) {
		abort();
	}
}

/* Decoders and plain encoders of every table against the reference, for format @fmt. */
static void codecs(enum aes67_pcm_format fmt, const uint8_t *p, size_t len)
{
	const size_t sb = aes67_pcm_sample_bytes(fmt), idx = PCM_FMT_INDEX(fmt);
	const size_t nd = len / sb, ne = len / 4;
	uint8_t *wire = dup_exact(p, nd * sb);
	int32_t *s = malloc(nd * 4 + 1), *s_ref = malloc(nd * 4 + 1);
	float *f = malloc(nd * 4 + 1), *f_ref = malloc(nd * 4 + 1);
	int32_t *in_s = dup_exact(p, ne * 4);
	float *in_f = dup_exact(p, ne * 4);
	uint8_t *out = malloc(ne * sb + 1), *out_ref = malloc(ne * sb + 1);

	check(s && s_ref && f && f_ref && out && out_ref);
	aes67_pcm_ref_decode_s32(fmt, s_ref, wire, nd);
	aes67_pcm_ref_decode_f32(fmt, f_ref, wire, nd);
	for (int isa = 0; isa < PCM_ISA_COUNT; isa++) {
		const struct pcm_kernels *k = aes67_pcm_kernels_get((enum pcm_isa)isa);
		if (k == NULL) {
			continue;
		}
		k->dec_s32[idx](s, wire, nd);
		check(memcmp(s, s_ref, nd * 4) == 0);
		k->dec_f32[idx](f, wire, nd);
		check(memcmp(f, f_ref, nd * 4) == 0);
		aes67_pcm_ref_encode_s32(fmt, out_ref, in_s, ne);
		k->enc_s32[idx](out, in_s, ne);
		check(memcmp(out, out_ref, ne * sb) == 0);
		aes67_pcm_ref_encode_f32(fmt, out_ref, in_f, ne);
		k->enc_f32[idx](out, in_f, ne);
		check(memcmp(out, out_ref, ne * sb) == 0);
	}
	check(aes67_pcm_decode_s32(fmt, s, wire, nd) == 0);
	check(memcmp(s, s_ref, nd * 4) == 0);
	check(aes67_pcm_decode_f32(fmt, f, wire, nd) == 0);
	if (fmt != AES67_PCM_AM824) {
		check(aes67_pcm_encode_f32(fmt, out, in_f, ne) == 0);
		check(memcmp(out, out_ref, ne * sb) == 0);
	}
	free(wire);
	free(s);
	free(s_ref);
	free(f);
	free(f_ref);
	free(in_s);
	free(in_f);
	free(out);
	free(out_ref);
}

/* AM824 with labels: stateless and stateful encoders of every table, and the label decoder. */
static void am824(const uint8_t *data, const uint8_t *p, size_t len)
{
	const unsigned ch = 1u + data[1] % AES67_AM824_ENC_MAX_CHANNELS;
	const unsigned vu = (data[0] >> 2) & 3;
	const uint64_t fc = be64_load(data + 2);
	const size_t cs_bytes = (size_t)ch * AES67_AM824_CS_BYTES;
	const uint8_t *cs = NULL;
	size_t frames, n, esz = aes67_am824_enc_get_size(ch);
	struct aes67_am824_enc *enc = aligned_alloc(16, (esz + 15) / 16 * 16);
	struct aes67_am824_rx *rx = malloc(ch * sizeof(*rx));
	int32_t *in_s, *back;
	float *in_f;
	uint8_t *out, *ref, *labels;

	check(enc != NULL && rx != NULL);
	if ((data[0] & 0x10) && len >= cs_bytes) {
		cs = p;
		p += cs_bytes;
		len -= cs_bytes;
	}
	frames = len / 4 / ch;
	n = frames * ch;
	in_s = dup_exact(p, n * 4);
	in_f = dup_exact(p, n * 4);
	out = malloc(n * 4 + 1);
	ref = malloc(n * 4 + 1);
	back = malloc(n * 4 + 1);
	labels = malloc(n + 1);
	check(out && ref && back && labels);
	for (int isa = 0; isa < PCM_ISA_COUNT; isa++) {
		const struct pcm_kernels *k = aes67_pcm_kernels_get((enum pcm_isa)isa);
		if (k == NULL) {
			continue;
		}
		check(aes67_am824_enc_init_with(k, enc, esz, ch, cs, vu) == 0);
		aes67_am824_ref_encode_s32(ref, in_s, frames, ch, cs, fc, vu);
		check(aes67_am824_encode_s32_with(k, out, in_s, frames, ch, cs, fc, vu) == 0);
		check(memcmp(out, ref, n * 4) == 0);
		check(aes67_am824_enc_encode_s32(enc, out, in_s, frames, fc) == 0);
		check(memcmp(out, ref, n * 4) == 0);
		aes67_am824_ref_encode_f32(ref, in_f, frames, ch, cs, fc, vu);
		check(aes67_am824_encode_f32_with(k, out, in_f, frames, ch, cs, fc, vu) == 0);
		check(memcmp(out, ref, n * 4) == 0);
		check(aes67_am824_enc_encode_f32(enc, out, in_f, frames, fc) == 0);
		check(memcmp(out, ref, n * 4) == 0);
	}
	/* Our own words decode back without parity errors; hostile words decode in bounds. */
	aes67_am824_rx_init(rx, ch);
	check(aes67_am824_decode_s32(back, labels, out, frames, ch, rx) == 0);
	aes67_am824_rx_init(rx, ch);
	check(aes67_am824_decode_s32(back, labels, (const uint8_t *)in_s, frames, ch, rx) >= 0);
	aes67_pcm_ref_decode_s32(AES67_PCM_AM824, (int32_t *)out, (const uint8_t *)in_s, n);
	check(memcmp(back, out, n * 4) == 0);
	free(enc);
	free(rx);
	free(in_s);
	free(in_f);
	free(out);
	free(ref);
	free(back);
	free(labels);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum aes67_pcm_format fmt;

	if (size < HDR) {
		return 0;
	}
	fmt = (enum aes67_pcm_format)(AES67_PCM_L16 + (data[0] & 3));
	codecs(fmt, data + HDR, size - HDR);
	if (fmt == AES67_PCM_AM824) {
		am824(data, data + HDR, size - HDR);
	}
	return 0;
}
