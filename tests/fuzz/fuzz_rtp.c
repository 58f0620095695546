// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the RTP header parser (RFC 3550 §5.1). Arbitrary bytes are parsed; when
 * the parse succeeds the header is rebuilt, payload and padding appended, and the result parsed
 * again: every field must match and the rebuilt packet must equal the input octet for octet.
 * Any mismatch abort()s so the fuzzer reports it. The sequence statistics are fed as well, to
 * exercise them with hostile sequence numbers and timestamps.
 *
 * Seed corpus (tests/fuzz/corpus/rtp/) = the golden packets, made with:
 *   cd tests/data/rtp && for f in *.hex; do grep -v '^#' $f | xxd -r -p \
 *     > ../../fuzz/corpus/rtp/${f%.hex}.bin; done
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aes67/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t rebuilt[1 << 20];

static void check_same(const struct aes67_rtp_header *a, const struct aes67_rtp_header *b)
{
	if (a->padding != b->padding || a->extension != b->extension || a->marker != b->marker ||
	    a->payload_type != b->payload_type || a->csrc_count != b->csrc_count ||
	    a->seq != b->seq || a->timestamp != b->timestamp || a->ssrc != b->ssrc ||
	    memcmp(a->csrc, b->csrc, sizeof(a->csrc)) != 0 || a->ext_profile != b->ext_profile ||
	    a->ext_words != b->ext_words || a->padding_bytes != b->padding_bytes ||
	    a->payload_bytes != b->payload_bytes ||
	    memcmp(a->payload, b->payload, a->payload_bytes) != 0 ||
	    (a->ext_words > 0 && memcmp(a->ext_data, b->ext_data, (size_t)a->ext_words * 4) != 0)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct aes67_rtp_stats stats;
	struct aes67_rtp_header h, h2;
	int hl, bl, hl2;
	size_t tail;

	hl = aes67_rtp_parse(&h, data, size);
	if (hl < 0) {
		return 0;
	}
	if ((size_t)hl > size || h.payload + h.payload_bytes + h.padding_bytes != data + size ||
	    aes67_rtp_header_bytes(&h) != (size_t)hl) {
		abort();
	}
	if (size > sizeof(rebuilt)) {
		return 0;
	}
	bl = aes67_rtp_build(rebuilt, sizeof(rebuilt), &h);
	if (bl != hl) {
		abort();
	}
	tail = h.payload_bytes + h.padding_bytes;
	memcpy(rebuilt + bl, h.payload, tail);
	if (memcmp(rebuilt, data, size) != 0) {
		abort();
	}
	hl2 = aes67_rtp_parse(&h2, rebuilt, (size_t)bl + tail);
	if (hl2 != hl) {
		abort();
	}
	check_same(&h, &h2);
	/* One build short of room must be refused, not overflow. */
	if (aes67_rtp_build(rebuilt, (size_t)hl - 1, &h) >= 0) {
		abort();
	}

	if (!stats.started && stats.bad_seq == 0) {
		aes67_rtp_stats_init(&stats);
	}
	(void)aes67_rtp_stats_update(&stats, h.seq, h.timestamp, h.ssrc);
	struct aes67_rtp_stats_report r;
	aes67_rtp_stats_get(&stats, &r);
	if (r.received > r.expected) {
		abort();
	}
	return 0;
}
