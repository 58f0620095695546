// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the SDP module. Arbitrary bytes go to aes67_sdp_parse(); a refusal must
 * carry a reason and an offset inside the input. A description that parses is queried, then
 * generated, parsed again and generated again: the second parse must equal the first in every
 * field the generator writes (only skip counters and the truncation flag may differ), and the two
 * generated texts must be identical. Any difference aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aes67/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct aes67_sdp first;
static struct aes67_sdp second;
static char text_a[65536];
static char text_b[65536];

/* Clear what the generator does not write back. */
static void normalise(struct aes67_sdp *s)
{
	s->truncated = false;
	s->skipped_lines = 0;
	s->lv.skipped_attrs = 0;
	for (unsigned i = 0; i < AES67_SDP_MAX_MEDIA; i++) {
		s->media[i].lv.skipped_attrs = 0;
	}
}

static void query(const struct aes67_sdp *s)
{
	for (unsigned i = 0; i < s->n_media; i++) {
		const struct aes67_sdp_media *m = &s->media[i];
		const char *why = NULL;
		int rc = aes67_sdp_media_check(s, i, &why);

		if (!why || (rc == 0) != (why[0] == '\0')) {
			abort();
		}
		rc = aes67_sdp_media_frames_per_packet(m);
		if (rc == 0) {
			abort();
		}
		(void)aes67_sdp_conn_is_multicast(aes67_sdp_media_conn(s, m));
		(void)aes67_sdp_media_refclk(s, m);
		(void)aes67_sdp_media_mediaclk(s, m);
		(void)aes67_sdp_media_direction(s, m);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aes67_sdp_error err;
	int rc = aes67_sdp_parse(&first, (const char *)data, size, &err);

	if (rc != 0) {
		if (rc > 0 || !err.reason || !err.reason[0] || err.offset_bytes > size) {
			abort();
		}
		return 0;
	}
	query(&first);
	int len_a = aes67_sdp_generate(&first, text_a, sizeof(text_a));

	if (len_a <= 0) {
		abort(); /* every parsed description must be writable */
	}
	if (aes67_sdp_parse(&second, text_a, (size_t)len_a, &err) != 0) {
		abort();
	}
	int len_b = aes67_sdp_generate(&second, text_b, sizeof(text_b));

	if (len_b != len_a || memcmp(text_a, text_b, (size_t)len_a) != 0) {
		abort();
	}
	normalise(&first);
	normalise(&second);
	if (memcmp(&first, &second, sizeof(first)) != 0) {
		abort();
	}
	return 0;
}
