// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the PTP message parser: parse arbitrary bytes; whatever parses must
 * rebuild, and the rebuilt bytes must parse to the same message (round trip). Also walks the
 * TLVs. Any mismatch aborts so the fuzzer records the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aes67/ptp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[70000];
	struct aes67_ptp_msg a, b;
	struct aes67_ptp_tlv tlv;
	enum aes67_ptp_drop why;
	size_t cur = 0;
	unsigned count = 0;
	int n, r;

	if (aes67_ptp_msg_parse(data, size, &a, &why) < 0) {
		if (why == AES67_PTP_DROP_NONE) {
			abort();
		}
		return 0;
	}
	while ((r = aes67_ptp_tlv_next(&a, &cur, &tlv)) == 1) {
		count++;
	}
	if (r != 0 || count != a.tlv_count) {
		abort();
	}
	n = aes67_ptp_msg_build(&a, out, sizeof(out));
	if (n != a.hdr.length_bytes) {
		abort();
	}
	if (aes67_ptp_msg_parse(out, (size_t)n, &b, NULL) != 0) {
		abort();
	}
	if (a.tlv_bytes != b.tlv_bytes || (a.tlv_bytes && memcmp(a.tlv, b.tlv, a.tlv_bytes))) {
		abort();
	}
	/* Both were zeroed by the parser, so padding compares equal too. */
	a.tlv = NULL;
	b.tlv = NULL;
	if (memcmp(&a, &b, sizeof(a)) != 0) {
		abort();
	}
	return 0;
}
