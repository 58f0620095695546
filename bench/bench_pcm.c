// SPDX-License-Identifier: MIT
/*
 * Benchmark of the pcm codecs against memcpy of the same number of wire octets, in the same
 * run. For each format (L16, L24, L32, AM824) and direction (decode to int32, decode to float,
 * encode from int32, encode from float) and three sizes: one packet (8 channels x 48 frames,
 * 1 ms at 48 kHz, L1-resident), 64 KiB of wire octets (L2-resident) and 4 MiB (beyond L2).
 *
 * Each timed sample repeats the operation enough times to last >= 1 ms, so the clock's own
 * cost vanishes; 15 samples alternate codec and memcpy and the medians are printed. MB/s is
 * wire octets per second (10^6). AM824 encoding includes labels (channel status, parity, PAC)
 * for 8 channels: rows "AM824" use the stateful encoder (aes67_am824_enc_*, labels built once
 * at init), rows "AM824/sl" the stateless aes67_am824_encode_*() (labels built per call).
 * AM824 decoding is the audio-only aes67_pcm_decode_*().
 *
 * Usage: bench_pcm [scalar|ssse3|avx2] - without an argument the public API (best table);
 * with one, that kernel table through the internal interface (to compare, e.g., the
 * compiler-vectorised scalar code). The benchmark is not core, so it reads CLOCK_MONOTONIC.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aes67/pcm.h"
#include "pcm_impl.h"

#define REPS 15
#define CH 8

enum dir { DEC_S32, DEC_F32, ENC_S32, ENC_F32 };

static const char *const dir_names[] = {"decode->s32", "decode->f32", "encode<-s32", "encode<-f32"};

static uint8_t *wire, *wire2;
static int32_t *s32;
static float *f32;
static uint8_t cs[CH * AES67_AM824_CS_BYTES];
static const struct pcm_kernels *table; /* NULL: public API */
static struct aes67_am824_enc *am824_enc;
static int stateless; /* AM824 encode rows: 1 = stateless API */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int run_table(enum aes67_pcm_format fmt, enum dir d, size_t n)
{
	unsigned idx = PCM_FMT_INDEX(fmt);

	switch (d) {
	case DEC_S32:
		table->dec_s32[idx](s32, wire, n);
		return 0;
	case DEC_F32:
		table->dec_f32[idx](f32, wire, n);
		return 0;
	case ENC_S32:
		if (fmt == AES67_PCM_AM824 && !stateless) {
			return aes67_am824_enc_encode_s32(am824_enc, wire2, s32, n / CH, 0);
		}
		if (fmt == AES67_PCM_AM824) {
			return aes67_am824_encode_s32_with(table, wire2, s32, n / CH, CH, cs, 0, 0);
		}
		table->enc_s32[idx](wire2, s32, n);
		return 0;
	case ENC_F32:
		if (fmt == AES67_PCM_AM824 && !stateless) {
			return aes67_am824_enc_encode_f32(am824_enc, wire2, f32, n / CH, 0);
		}
		if (fmt == AES67_PCM_AM824) {
			return aes67_am824_encode_f32_with(table, wire2, f32, n / CH, CH, cs, 0, 0);
		}
		table->enc_f32[idx](wire2, f32, n);
		return 0;
	}
	return -1;
}

static int run(enum aes67_pcm_format fmt, enum dir d, size_t n)
{
	if (table != NULL) {
		return run_table(fmt, d, n);
	}
	switch (d) {
	case DEC_S32:
		return aes67_pcm_decode_s32(fmt, s32, wire, n);
	case DEC_F32:
		return aes67_pcm_decode_f32(fmt, f32, wire, n);
	case ENC_S32:
		if (fmt == AES67_PCM_AM824 && !stateless) {
			return aes67_am824_enc_encode_s32(am824_enc, wire2, s32, n / CH, 0);
		}
		if (fmt == AES67_PCM_AM824) {
			return aes67_am824_encode_s32(wire2, s32, n / CH, CH, cs, 0, 0);
		}
		return aes67_pcm_encode_s32(fmt, wire2, s32, n);
	case ENC_F32:
		if (fmt == AES67_PCM_AM824 && !stateless) {
			return aes67_am824_enc_encode_f32(am824_enc, wire2, f32, n / CH, 0);
		}
		if (fmt == AES67_PCM_AM824) {
			return aes67_am824_encode_f32(wire2, f32, n / CH, CH, cs, 0, 0);
		}
		return aes67_pcm_encode_f32(fmt, wire2, f32, n);
	}
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void bench(enum aes67_pcm_format fmt, const char *name, enum dir d, const char *size,
		  size_t samples)
{
	size_t bytes = samples * aes67_pcm_sample_bytes(fmt);
	double codec[REPS], copy[REPS];
	size_t iters = 1;
	double t0, t;

	/* Calibrate: the smallest power of two of repetitions lasting >= 1 ms. */
	for (;;) {
		t0 = now_ns();
		for (size_t i = 0; i < iters; i++) {
			if (run(fmt, d, samples) != 0) {
				fprintf(stderr, "codec failed\n");
				exit(1);
			}
		}
		t = now_ns() - t0;
		if (t >= 1e6) {
			break;
		}
		iters *= 2;
	}
	for (int r = 0; r < REPS; r++) {
		t0 = now_ns();
		for (size_t i = 0; i < iters; i++) {
			(void)run(fmt, d, samples);
			__asm__ volatile("" : : : "memory");
		}
		codec[r] = (now_ns() - t0) / (double)iters;
		t0 = now_ns();
		for (size_t i = 0; i < iters; i++) {
			memcpy(wire2, wire, bytes);
			__asm__ volatile("" : : "r"(wire2) : "memory");
		}
		copy[r] = (now_ns() - t0) / (double)iters;
	}
	qsort(codec, REPS, sizeof(double), cmp_double);
	qsort(copy, REPS, sizeof(double), cmp_double);
	double c = codec[REPS / 2], m = copy[REPS / 2];
	printf("| %-5s | %-11s | %-6s | %8zu | %9.4f | %9.0f | %9.0f | %4.0f%% |\n", name,
	       dir_names[d], size, samples, c / (double)samples, (double)bytes * 1e3 / c,
	       (double)bytes * 1e3 / m, 100.0 * m / c);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct {
		enum aes67_pcm_format fmt;
		const char *name;
	} fmts[] = {{AES67_PCM_L16, "L16"},
		    {AES67_PCM_L24, "L24"},
		    {AES67_PCM_L32, "L32"},
		    {AES67_PCM_AM824, "AM824"}};
	const size_t big = (size_t)4 << 20; /* bytes of wire data, largest size */

	if (argc > 1) {
		static const char *const isas[] = {"scalar", "ssse3", "avx2"};
		for (int i = 0; i < PCM_ISA_COUNT; i++) {
			if (strcmp(argv[1], isas[i]) == 0) {
				table = aes67_pcm_kernels_get((enum pcm_isa)i);
				if (table == NULL) {
					fprintf(stderr, "%s: not supported here\n", argv[1]);
					return 1;
				}
			}
		}
		if (table == NULL) {
			fprintf(stderr, "usage: %s [scalar|ssse3|avx2]\n", argv[0]);
			return 2;
		}
	}
	wire = malloc(big);
	wire2 = malloc(big + 64);
	s32 = malloc(big * 2);
	f32 = malloc(big * 2);
	if (wire == NULL || wire2 == NULL || s32 == NULL || f32 == NULL) {
		return 1;
	}
	for (size_t i = 0; i < big; i++) {
		wire[i] = (uint8_t)(i * 2654435761u >> 13);
		wire2[i] = 0;
	}
	for (size_t i = 0; i < big / 2; i++) {
		s32[i] = (int32_t)(i * 2654435761u);
		f32[i] = (float)s32[i] / 2147483648.0f;
	}
	for (int ch = 0; ch < CH; ch++) {
		if (aes67_am824_cs_default(cs + ch * AES67_AM824_CS_BYTES, 48000) != 0) {
			return 1;
		}
	}
	{
		size_t esz = aes67_am824_enc_get_size(CH);
		am824_enc = aligned_alloc(16, (esz + 15) / 16 * 16);
		if (am824_enc == NULL ||
		    (table != NULL ? aes67_am824_enc_init_with(table, am824_enc, esz, CH, cs, 0)
				   : aes67_am824_enc_init(am824_enc, esz, CH, cs, 0)) != 0) {
			return 1;
		}
	}
	printf("kernels: %s\n\n", table != NULL ? table->name : aes67_pcm_kernels()->name);
	printf("| format | direction | size | samples | ns/sample | MB/s | memcpy MB/s | "
	       "%% of memcpy |\n");
	printf("|---|---|---|---:|---:|---:|---:|---:|\n");
	for (size_t k = 0; k < sizeof(fmts) / sizeof(fmts[0]); k++) {
		size_t sb = aes67_pcm_sample_bytes(fmts[k].fmt);
		for (int d = DEC_S32; d <= ENC_F32; d++) {
			bench(fmts[k].fmt, fmts[k].name, (enum dir)d, "packet", CH * 48);
			bench(fmts[k].fmt, fmts[k].name, (enum dir)d, "64KiB",
			      (64u << 10) / sb / CH * CH);
			bench(fmts[k].fmt, fmts[k].name, (enum dir)d, "4MiB", big / sb / CH * CH);
		}
	}
	stateless = 1;
	for (int d = ENC_S32; d <= ENC_F32; d++) {
		bench(AES67_PCM_AM824, "AM824/sl", (enum dir)d, "packet", CH * 48);
		bench(AES67_PCM_AM824, "AM824/sl", (enum dir)d, "64KiB", (64u << 10) / 4);
		bench(AES67_PCM_AM824, "AM824/sl", (enum dir)d, "4MiB", big / 4);
	}
	free(wire);
	free(wire2);
	free(s32);
	free(f32);
	free(am824_enc);
	return 0;
}
