// SPDX-License-Identifier: MIT
/*
 * pcmcmp: compares a received raw PCM file with the raw source it was sent from, for the
 * bit-exact interop and fault tests. A receiver may start a little into the stream, may append
 * silence, and (in the loss tests) has silent runs where packets were lost, so a plain cmp is not
 * enough: pcmcmp finds where the received audio starts in the source, then classifies every
 * received frame as equal, missing (all-zero where the source is not) or wrong.
 *
 *   pcmcmp --frame-bytes N [--packet-frames F] [--allow-gaps] REF.raw TEST.raw
 *
 * Prints one key=value line (parsed by tests/tools/interop.sh):
 *   offset_frames    source frame index of the received file's frame 0 (negative: the
 *                    received file starts with silence before the source's first frame)
 *   covered_from/to  source frames [from, to) that the received file spans
 *   equal_frames, missing_frames, wrong_frames, first_wrong (received frame index, -1 if none)
 *   gap_runs         maximal runs of missing frames; bad_runs: runs whose length is not a
 *                    multiple of --packet-frames; gap_packets = missing_frames / F
 *   tail_frames      received frames past the source's end (tail_nonzero: how many not silent)
 * Exit: 0 if nothing is wrong (and nothing missing unless --allow-gaps, and every gap a whole
 * number of packets), 1 on a difference, 2 on a usage or file error. The source must have no
 * all-zero frames (tones plus noise), or silence could not be told from audio.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_args.h"

#define FILE_MAX_BYTES (512u << 20)
#define MATCH_FRAMES 32u /* frames of received audio searched for in the source */

struct buf {
	uint8_t *data;
	size_t len_bytes;
};

static int read_file(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1u << 20;
	b->len_bytes = 0;
	b->data = NULL;
	if (f == NULL) {
		perror(path);
		return -1;
	}
	b->data = malloc(cap);
	while (b->data != NULL) {
		size_t n = fread(b->data + b->len_bytes, 1, cap - b->len_bytes, f);
		b->len_bytes += n;
		if (n == 0) {
			break;
		}
		if (b->len_bytes == cap) {
			if (cap >= FILE_MAX_BYTES) {
				fprintf(stderr, "pcmcmp: %s is larger than %u bytes\n", path,
					FILE_MAX_BYTES);
				goto fail;
			}
			uint8_t *p = realloc(b->data, cap * 2);
			if (p == NULL) {
				goto fail;
			}
			b->data = p;
			cap *= 2;
		}
	}
	if (b->data == NULL || ferror(f)) {
		goto fail;
	}
	fclose(f);
	return 0;

fail:
	fprintf(stderr, "pcmcmp: cannot read %s\n", path);
	free(b->data);
	b->data = NULL;
	fclose(f);
	return -1;
}

static bool frame_zero(const uint8_t *p, size_t fb)
{
	for (size_t i = 0; i < fb; i++) {
		if (p[i] != 0) {
			return false;
		}
	}
	return true;
}

struct result {
	int64_t offset_frames;
	uint64_t covered_from, covered_to;
	uint64_t equal, missing, wrong, gap_runs, bad_runs, tail, tail_nonzero;
	int64_t first_wrong;
	uint64_t lead_silence;
	bool aligned;
	uint64_t matches;
};

/* Find the source frame where received frame @t0 (the first non-silent one) starts. */
static void align(const struct buf *ref, const struct buf *test, size_t fb, uint64_t t0,
		  struct result *r)
{
	uint64_t n_ref = ref->len_bytes / fb;
	uint64_t n_test = test->len_bytes / fb;
	uint64_t k = n_test - t0 < MATCH_FRAMES ? n_test - t0 : MATCH_FRAMES;
	const uint8_t *needle = test->data + t0 * fb;

	r->matches = 0;
	for (uint64_t o = 0; o + k <= n_ref; o++) {
		if (memcmp(ref->data + o * fb, needle, k * fb) == 0) {
			if (r->matches == 0) {
				r->offset_frames = (int64_t)o - (int64_t)t0;
			}
			r->matches++;
		}
	}
	r->aligned = r->matches == 1;
}

static void compare(const struct buf *ref, const struct buf *test, size_t fb, uint64_t pkt,
		    struct result *r)
{
	uint64_t n_ref = ref->len_bytes / fb;
	uint64_t n_test = test->len_bytes / fb;
	uint64_t run = 0;
	bool have_from = false;

	r->first_wrong = -1;
	for (uint64_t i = 0; i < n_test; i++) {
		int64_t ri = (int64_t)i + r->offset_frames;
		const uint8_t *tp = test->data + i * fb;
		bool tz = frame_zero(tp, fb);
		if (ri < 0 || (uint64_t)ri >= n_ref) {
			if (ri >= 0) {
				r->tail++;
				r->tail_nonzero += tz ? 0u : 1u;
			}
			if (!tz && r->first_wrong < 0) {
				r->first_wrong = (int64_t)i;
			}
			r->wrong += tz ? 0u : 1u;
			continue;
		}
		if (!have_from) {
			r->covered_from = (uint64_t)ri;
			have_from = true;
		}
		r->covered_to = (uint64_t)ri + 1;
		const uint8_t *rp = ref->data + (uint64_t)ri * fb;
		if (memcmp(rp, tp, fb) == 0) {
			r->equal++;
		} else if (tz) {
			r->missing++;
			run++;
			continue;
		} else {
			r->wrong++;
			if (r->first_wrong < 0) {
				r->first_wrong = (int64_t)i;
			}
		}
		if (run > 0) {
			r->gap_runs++;
			r->bad_runs += (pkt > 0 && run % pkt != 0) ? 1u : 0u;
			run = 0;
		}
	}
	if (run > 0) {
		/* Silence up to the end of the received file: the stream ended, not a lost packet.
		 */
		r->missing -= run;
		r->covered_to -= run;
		r->tail += run;
	}
}

/* Aligns and compares; prints the result line. Return: the exit status (see the top). */
static int run(const struct buf *ref, const struct buf *test, uint64_t fb, uint64_t pkt,
	       bool allow_gaps)
{
	struct result r;
	memset(&r, 0, sizeof(r));
	uint64_t n_test = test->len_bytes / fb;
	uint64_t t0 = 0;
	while (t0 < n_test && frame_zero(test->data + t0 * fb, fb)) {
		t0++;
	}
	r.lead_silence = t0;
	if (t0 == n_test) {
		printf("pcmcmp: error=received-all-silent test_frames=%llu\n",
		       (unsigned long long)n_test);
		return 1;
	}
	align(ref, test, fb, t0, &r);
	if (!r.aligned) {
		printf("pcmcmp: error=%s matches=%llu first_audio_frame=%llu test_frames=%llu\n",
		       r.matches == 0 ? "received-audio-not-found-in-source"
				      : "ambiguous-alignment",
		       (unsigned long long)r.matches, (unsigned long long)t0,
		       (unsigned long long)n_test);
		return 1;
	}
	compare(ref, test, fb, pkt, &r);
	printf("pcmcmp: offset_frames=%lld ref_frames=%llu test_frames=%llu lead_silence=%llu "
	       "covered_from=%llu covered_to=%llu equal_frames=%llu missing_frames=%llu "
	       "wrong_frames=%llu first_wrong=%lld gap_runs=%llu bad_runs=%llu gap_packets=%llu "
	       "tail_frames=%llu tail_nonzero=%llu trailing_bytes=%llu\n",
	       (long long)r.offset_frames, (unsigned long long)(ref->len_bytes / fb),
	       (unsigned long long)n_test, (unsigned long long)r.lead_silence,
	       (unsigned long long)r.covered_from, (unsigned long long)r.covered_to,
	       (unsigned long long)r.equal, (unsigned long long)r.missing,
	       (unsigned long long)r.wrong, (long long)r.first_wrong,
	       (unsigned long long)r.gap_runs, (unsigned long long)r.bad_runs,
	       (unsigned long long)(pkt > 0 ? r.missing / pkt : 0), (unsigned long long)r.tail,
	       (unsigned long long)r.tail_nonzero, (unsigned long long)(test->len_bytes % fb));
	if (r.wrong > 0 || r.bad_runs > 0 || (r.missing > 0 && !allow_gaps)) {
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t fb = 0;
	uint64_t pkt = 0;
	bool allow_gaps = false;
	const char *paths[2] = {NULL, NULL};
	int n_paths = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--allow-gaps") == 0) {
			allow_gaps = true;
		} else if (strcmp(argv[i], "--frame-bytes") == 0 && i + 1 < argc) {
			if (tool_parse_u64(argv[++i], 4096, &fb) < 0 || fb == 0) {
				fprintf(stderr, "pcmcmp: bad --frame-bytes\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--packet-frames") == 0 && i + 1 < argc) {
			if (tool_parse_u64(argv[++i], 100000, &pkt) < 0) {
				fprintf(stderr, "pcmcmp: bad --packet-frames\n");
				return 2;
			}
		} else if (argv[i][0] != '-' && n_paths < 2) {
			paths[n_paths++] = argv[i];
		} else {
			fprintf(stderr, "pcmcmp: unexpected argument %s\n", argv[i]);
			return 2;
		}
	}
	if (fb == 0 || n_paths != 2) {
		fprintf(stderr, "usage: pcmcmp --frame-bytes N [--packet-frames F] [--allow-gaps] "
				"REF.raw TEST.raw\n");
		return 2;
	}

	struct buf ref = {NULL, 0}, test = {NULL, 0};
	int rc = 2;
	if (read_file(paths[0], &ref) == 0 && read_file(paths[1], &test) == 0) {
		rc = run(&ref, &test, fb, pkt, allow_gaps);
	}
	free(ref.data);
	free(test.data);
	return rc;
}
