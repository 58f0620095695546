/* SPDX-License-Identifier: MIT */
/*
 * Test data shared by the unit suites: golden files in the hex text form of tests/data/, a
 * reproducible pseudo-random source, and the PCM input pattern (edge values, then random bit
 * patterns) that the codec suites compare kernels on. One copy, so that a fix to the reader or
 * to the pattern reaches every suite that uses it.
 */
#ifndef AES67_TEST_DATA_H
#define AES67_TEST_DATA_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reads tests/data/<rel_path> into out: hex octets (either case) separated by blanks, '#' to the
 * end of the line is a comment. Fails the running test if the file is missing, holds more than
 * cap octets, or splits an octet's two digits. Returns the number of octets. Thread: any.
 */
size_t test_data_load_hex(const char *rel_path, uint8_t *out, size_t cap);

/*
 * Next 32 bits of the xorshift64* sequence kept in *state (any non-zero seed): fixed seeds make
 * failures reproduce. Thread: any (the caller owns *state).
 */
uint32_t test_data_rng_u32(uint64_t *state);

/*
 * Fills in[0..n) with PCM test input: the first 45 values cycle three times through 15 edge
 * values (full scale, the 24-bit rounding boundaries, 0, -1, ...), the rest come from *rng. fin
 * gets the same values: every fifth one as a raw float bit pattern (NaN, infinities,
 * denormals), the others scaled to [-2, 2) so that rounding and clipping matter. Thread: any.
 */
void test_data_fill_pcm_inputs(int32_t *in, float *fin, size_t n, uint64_t *rng);

/*
 * test_data_l24_packet() - an RTP packet (V=2, PT 96) of @frames L24 2-channel frames at @ts
 * whose samples are ((ts + f) mod 2^15) << 1 | channel: never zero, so silence shows, and each
 * frame tells its own timestamp. @b must hold 12 + 6 * @frames bytes. Returns the length.
 */
size_t test_data_l24_packet(uint8_t *b, uint16_t seq, uint32_t ts, uint32_t ssrc, uint32_t frames);

#endif /* AES67_TEST_DATA_H */
