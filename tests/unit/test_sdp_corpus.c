// SPDX-License-Identifier: MIT
/*
 * The real-world SDP corpus (shared/data/sdp, described in its SOURCES.md): every file has a row
 * below saying whether it parses and, if so, the fields a receiver needs, or the exact refusal.
 * The suite walks the directory and fails on a file the table does not name, so a new corpus file
 * cannot be skipped silently. Each parsed file also goes through generate -> parse -> generate,
 * which must reproduce the same fields and the same bytes, all without allocating (RT guard).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "aes67/sdp.h"
#include "rt_guard.h"

#define CORPUS_DIR AES67_SHARED_DIR "/data/sdp"
#define NONE (-1)

struct expect {
	const char *file;
	int rc;		    /* aes67_sdp_parse() result */
	unsigned line;	    /* refusal: line number */
	const char *reason; /* refusal: exact reason */
	unsigned n_media;
	unsigned media; /* the audio section the fields below describe */
	int check;	/* aes67_sdp_media_check() */
	const char *enc;
	uint32_t rate_hz;
	uint16_t channels;
	uint32_t ptime_ns;
	const char *addr; /* effective c= address */
	uint16_t port;
	uint8_t pt;
	const char *gmid; /* PTP grandmaster of the effective refclk, NULL if none */
	int domain;
	int64_t offset; /* mediaclk direct offset, NONE if not direct */
	int frames;	/* aes67_sdp_media_frames_per_packet() */
};

#define OK(f, n, i, chk, e, r, ch, pt_ns, a, prt, p, gm, dom, off, fr)                 \
	{                                                                              \
		f, 0, 0, NULL, n, i, chk, e, r, ch, pt_ns, a, prt, p, gm, dom, off, fr \
	}
#define BAD(f, code, ln, why)                                                          \
	{                                                                              \
		f, -(code), ln, why, 0, 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL, 0, 0, 0 \
	}

static const char GM_39A7[] = "39-A7-94-FF-FE-07-CB-D0";
static const char GM_EBU[] = "04-5C-6C-FF-FE-0A-53-70";
static const int NOTFOUND = -AES67_ENOTFOUND;

static const struct expect table[] = {
	OK("aes67-draft-redundant-1.sdp", 2, 0, 0, "L24", 48000, 8, 125000, "239.0.1.1", 5004, 96,
	   GM_39A7, 0, 963214424, 6),
	OK("aes67-linux-daemon-1.sdp", 2, 0, 0, "L24", 48000, 2, 1000000, "239.1.0.1", 5004, 98,
	   "00-1D-C1-FF-FE-50-36-33", 0, 0, 48),
	OK("aes67-linux-daemon-2.sdp", 1, 0, 0, "L16", 44100, 2, 1088435, "239.1.0.1", 5004, 98,
	   NULL, NONE, 0, 48),
	OK("aes67-spec-example-1.sdp", 1, 0, 0, "L24", 48000, 8, 1000000, "239.0.0.1", 5004, 96,
	   GM_39A7, 0, 0, 48),
	OK("aes67vsc-dante-1.sdp", 1, 0, 0, "L24", 48000, 8, 1000000, "239.1.178.224", 5004, 98,
	   "00-1D-C1-FF-FE-0E-10-C4", 0, 0, 48),
	BAD("aes67vsc-redundant-1.sdp", AES67_EMALFORMED, 21,
	    "a=mid: identification tag used by another media section"),
	/* 5.442 ms at 48 kHz is 261 frames: 1566 bytes of stereo L24, beyond the AES67 limit. */
	OK("axia-livewire-stl-1.sdp", 1, 0, -AES67_ERANGE, "L24", 48000, 2, 5442000,
	   "239.192.0.123", 5004, 96, NULL, NONE, 0, 261),
	BAD("butt-enhanced-malformed-1.sdp", AES67_EMALFORMED, 6,
	    "c= line: unexpected text after the address"),
	OK("dante-avio-bluetooth-1.sdp", 1, 0, 0, "L24", 48000, 2, 1000000, "239.69.35.56", 5004,
	   97, "00-1D-C1-FF-FE-0E-10-C4", 0, 586769660, 48),
	OK("dante-avio-usb-1.sdp", 1, 0, 0, "L24", 48000, 2, 1000000, "239.69.251.175", 5004, 97,
	   "00-1D-C1-FF-FE-50-36-33", 0, 2911906980, 48),
	OK("dante-avio-usbc-1.sdp", 1, 0, 0, "L24", 48000, 2, 1000000, "239.69.165.50", 5004, 97,
	   "00-1D-C1-FF-FE-52-28-80", 0, 1266592257, 48),
	OK("dante-dvs-nuc-1.sdp", 1, 0, 0, "L24", 48000, 2, 1000000, "239.69.143.213", 5004, 97,
	   "2C-CF-67-FF-FE-75-93-93", 0, 0, 48),
	OK("dn42-nop-music-ipv4-1.sdp", 1, 0, 0, "L24", 96000, 2, 0, "232.2.3.2", 1234, 96, NULL,
	   NONE, NONE, NOTFOUND),
	OK("dolby-cp950-1.sdp", 1, 0, 0, "L24", 48000, 8, 1000000, "239.69.83.67", 6518, 96,
	   "00-60-DB-FF-FE-01-02-CA", 0, 0, 48),
	/* m= says 97, the rtpmap says 96: the fields come from the only rtpmap. */
	OK("ebu-list-am824-malformed-1.sdp", 1, 0, -AES67_EPAYLOADTYPE, "AM824", 48000, 5, 1000000,
	   "239.1.1.1", 20000, 97, GM_EBU, 127, 0, NOTFOUND),
	OK("ebu-list-l24-1.sdp", 1, 0, 0, "L24", 48000, 2, 1000000, "239.1.1.1", 20000, 97, GM_EBU,
	   127, 0, 48),
	OK("embrionix-emsfp-l24-1.sdp", 1, 0, 0, "L24", 48000, 8, 125000, "239.4.30.3", 20000, 97,
	   "08-00-11-FF-FE-22-B6-CE", 0, 0, 6),
	BAD("embrionix-st2110-concat-1.sdp", AES67_EMALFORMED, 13,
	    "v= line: a second description starts here (concatenated SDPs)"),
	OK("embrionix-st2110-mixed-1.sdp", 3, 0, 0, "L24", 48000, 8, 1000000, "225.0.1.16", 20000,
	   97, "00-02-C5-FF-FE-21-60-5C", 127, 0, 48),
	OK("embrionix-st2110-mixed-2.sdp", 3, 1, 0, "L24", 48000, 16, 125000, "239.0.1.13", 20000,
	   97, "74-83-EF-FF-FF-00-A6-ED", 127, 0, 6),
	OK("ffmpeg-l16-1.sdp", 1, 0, 0, "L16", 48000, 2, 0, "127.0.0.1", 5004, 97, NULL, NONE, NONE,
	   NOTFOUND),
	OK("glensound-aoip44-dante-full.sdp", 1, 0, 0, "L24", 48000, 2, 1000000, "239.65.125.63",
	   5004, 97, "00-00-00-FF-FE-00-00-00", 0, 3560866135, 48),
	OK("glensound-dante-2-pt-mismatch.sdp", 1, 0, -AES67_EPAYLOADTYPE, "L24", 48000, 2, 1000000,
	   "239.65.45.154", 5004, 97, "00-00-00-FF-FE-00-00-00", 0, 142410716, NOTFOUND),
	OK("gstreamer-sdpdemux-test-1.sdp", 1, 0, 0, "L24", 48000, 2, 0, "224.0.0.0", 5004, 98,
	   NULL, NONE, NONE, 48),
	OK("gstreamer-sdpdemux-test-2.sdp", 1, 0, 0, "L24", 48000, 2, 0, "224.0.0.0", 5004, 98,
	   NULL, NONE, NONE, 48),
	BAD("gstreamer-sdpdemux-test-4.sdp", AES67_EMALFORMED, 8,
	    "a=source-filter: no source address"),
	OK("lawo-mic8-12-rtsp-1.sdp", 1, 0, 0, "L24", 48000, 2, 1000000, "239.15.55.1", 5004, 98,
	   "00-0B-72-FF-FE-07-DB-E6", 0, 0, 48),
	OK("merging-anubis-1.sdp", 1, 0, 0, "L24", 48000, 2, 1000000, "239.1.178.124", 5004, 98,
	   "00-1D-C1-FF-FE-0E-10-C4", 0, 0, 48),
	OK("merging-anubis-3.sdp", 1, 0, 0, "L16", 48000, 2, 1000000, "239.1.16.51", 5004, 98,
	   "30-D6-59-FF-FE-01-DB-72", 0, 0, 48),
	OK("merging-hapi-mkii-1.sdp", 1, 0, 0, "L24", 48000, 2, 1000000, "239.1.255.254", 5004, 98,
	   "00-1D-C1-FF-FE-1F-A5-C6", 0, 0, 48),
	OK("rfc7273-sdptransform-mediaclk-avbtp.sdp", 1, 0, 0, "L24", 48000, 2, 0, "233.252.0.1",
	   5004, 96, GM_39A7, 0, NONE, NOTFOUND),
	OK("rfc7273-sdptransform-mediaclk-ptp-v2-w-rate.sdp", 1, 0, 0, "L24", 44100, 2, 0,
	   "233.252.0.1", 5004, 96, GM_39A7, 0, 963214424, NOTFOUND),
	OK("rfc7273-sdptransform-mediaclk-rtp.sdp", 1, 0, 0, "L24", 48000, 2, 0, "233.252.0.1",
	   5004, 96, GM_39A7, 0, NONE, NOTFOUND),
	/* PCMU by static payload type 0, without a=rtpmap; the media refclks are NTP. */
	OK("rfc7273-sdptransform-ts-refclk-media.sdp", 2, 0, -AES67_EPAYLOADTYPE, NULL, 0, 0, 0,
	   "233.252.0.1", 49170, 0, NULL, NONE, NONE, NOTFOUND),
	OK("sdpoker-st2110-30-1.sdp", 1, 0, 0, "L24", 48000, 2, 1000000, "232.130.55.188", 46848,
	   102, "EC-46-70-FF-FE-00-CE-DE", 0, 0, 48),
	OK("sdpoker-st2110-31-1.sdp", 1, 0, 0, "AM824", 48000, 2, 1000000, "232.130.55.188", 46848,
	   102, "EC-46-70-FF-FE-00-CE-DE", 0, 0, 48),
	OK("ssl-netio-madi-dante-indented-1.sdp", 1, 0, 0, "L24", 48000, 2, 1000000,
	   "239.10.69.176", 5004, 97, "00-1D-C1-FF-FE-12-2D-4C", 0, 641649978, 48),
	/* Host names instead of addresses; 1.33 ms at 48 kHz rounds to 64 frames. */
	OK("tschiemer-aes67-test-1.sdp", 1, 0, 0, "L16", 48000, 2, 1330000, "ipaddr2", 5000, 96,
	   GM_39A7, 2, 963214424, 64),
	OK("tschiemer-aes67-test-2.sdp", 1, 0, 0, "L24", 48000, 8, 250000, "192.168.1.1", 5004, 96,
	   GM_39A7, 0, 2216659908, 12),
	OK("tschiemer-aes67-test-3.sdp", 4, 0, 0, "L24", 48000, 8, 250000, "192.168.1.1", 5004, 96,
	   GM_39A7, 0, 2216659908, 12),
	OK("tschiemer-aes67-test-4.sdp", 1, 0, 0, "L16", 48000, 2, 0, "ipaddr2", 5000, 96, GM_39A7,
	   2, 963214424, NOTFOUND),
	OK("tschiemer-sdp-gen-1.sdp", 1, 0, 0, "L24", 48000, 2, 1000000, "224.0.0.1", 5004, 96,
	   NULL, NONE, 0, 48),
	BAD("upipe-minimal-l24-1.sdp", AES67_EMALFORMED, 2, "session has no o= line"),
};

static char file_buf[65536];
static char gen_a[16384];
static char gen_b[16384];
static struct aes67_sdp sdp_a;
static struct aes67_sdp sdp_b;

static size_t load(const char *name)
{
	char path[512];

	assert_true(snprintf(path, sizeof(path), "%s/%s", CORPUS_DIR, name) < (int)sizeof(path));
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	size_t n = fread(file_buf, 1, sizeof(file_buf), f);

	assert_true(n < sizeof(file_buf));
	fclose(f);
	return n;
}

static void gm_text(const uint8_t *g, char out[24])
{
	static const char hex[] = "0123456789ABCDEF";

	for (int i = 0; i < 8; i++) {
		out[i * 3] = hex[g[i] >> 4];
		out[i * 3 + 1] = hex[g[i] & 15];
		out[i * 3 + 2] = i < 7 ? '-' : '\0';
	}
}

static void check_fields(const struct expect *e, const struct aes67_sdp *s)
{
	assert_int_equal(s->n_media, e->n_media);
	const struct aes67_sdp_media *m = &s->media[e->media];
	const struct aes67_sdp_rtpmap *r = aes67_sdp_media_rtpmap(m, m->fmt[0]);

	if (!r && m->n_rtpmap) {
		r = &m->rtpmap[0];
	}
	if (e->enc) {
		assert_non_null(r);
		assert_string_equal(aes67_sdp_encoding_name((enum aes67_sdp_encoding)r->encoding),
				    e->enc);
		assert_int_equal(r->rate_hz, e->rate_hz);
		assert_int_equal(r->channels, e->channels);
	} else {
		assert_null(r);
	}
	assert_int_equal(m->ptime_ns, e->ptime_ns);
	const struct aes67_sdp_conn *c = aes67_sdp_media_conn(s, m);

	assert_non_null(c);
	assert_string_equal(c->addr, e->addr);
	assert_int_equal(m->port, e->port);
	assert_int_equal(m->fmt[0], e->pt);
	const struct aes67_sdp_refclk *rc = aes67_sdp_media_refclk(s, m);

	if (e->gmid) {
		char gm[24];

		assert_non_null(rc);
		assert_int_equal(rc->kind, AES67_SDP_REFCLK_PTP);
		assert_false(rc->traceable);
		gm_text(rc->gmid, gm);
		assert_string_equal(gm, e->gmid);
		assert_int_equal(rc->has_domain ? rc->domain : NONE, e->domain);
	} else if (rc && rc->kind == AES67_SDP_REFCLK_PTP) {
		assert_true(rc->traceable);
	}
	const struct aes67_sdp_mediaclk *mc = aes67_sdp_media_mediaclk(s, m);

	if (e->offset == NONE) {
		assert_true(!mc || mc->kind != AES67_SDP_MEDIACLK_DIRECT);
	} else {
		assert_non_null(mc);
		assert_int_equal(mc->kind, AES67_SDP_MEDIACLK_DIRECT);
		assert_int_equal(mc->offset, e->offset);
	}
	assert_int_equal(aes67_sdp_media_frames_per_packet(m), e->frames);
	const char *why = NULL;

	assert_int_equal(aes67_sdp_media_check(s, e->media, &why), e->check);
	assert_non_null(why);
	assert_true((e->check == 0) == (why[0] == '\0'));
}

static void run_one(const struct expect *e)
{
	size_t n = load(e->file);
	struct aes67_sdp_error err;

	rt_guard_enter(RT_GUARD_CORE);
	int rc = aes67_sdp_parse(&sdp_a, file_buf, n, &err);
	unsigned violations = rt_guard_leave();

	assert_int_equal(violations, 0);
	if (rc != e->rc) {
		fail_msg("%s: rc %d (%s at line %u), expected %d", e->file, rc, err.reason,
			 err.line, e->rc);
	}
	if (rc < 0) {
		assert_int_equal(err.line, e->line);
		assert_string_equal(err.reason, e->reason);
		assert_true(err.offset_bytes < n);
		return;
	}
	assert_string_equal(err.reason, "");
	check_fields(e, &sdp_a);

	/* Round trip: generated text parses to the same fields and regenerates identically. */
	rt_guard_enter(RT_GUARD_CORE);
	int len_a = aes67_sdp_generate(&sdp_a, gen_a, sizeof(gen_a));
	int rc_b = len_a > 0 ? aes67_sdp_parse(&sdp_b, gen_a, (size_t)len_a, &err) : len_a;
	int len_b = rc_b == 0 ? aes67_sdp_generate(&sdp_b, gen_b, sizeof(gen_b)) : rc_b;

	violations = rt_guard_leave();
	assert_int_equal(violations, 0);
	if (len_a <= 0 || rc_b != 0 || len_b != len_a) {
		fail_msg("%s: round trip failed (%d %d %d: %s)", e->file, len_a, rc_b, len_b,
			 err.reason);
	}
	assert_memory_equal(gen_a, gen_b, (size_t)len_a);
	check_fields(e, &sdp_b);
}

static const struct expect *find(const char *name)
{
	for (size_t i = 0; i < AES67_ARRAY_SIZE(table); i++) {
		if (strcmp(table[i].file, name) == 0) {
			return &table[i];
		}
	}
	return NULL;
}

static void test_corpus_every_file(void **state)
{
	bool seen[AES67_ARRAY_SIZE(table)] = {0};
	unsigned files = 0;
	DIR *d = opendir(CORPUS_DIR);
	struct dirent *de;

	(void)state;
	if (!d) {
		fail_msg("cannot open %s: errno %d", CORPUS_DIR, errno);
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".sdp") != 0) {
			continue;
		}
		const struct expect *e = find(de->d_name);

		if (!e) {
			closedir(d);
			fail_msg("corpus file %s has no row in the expectation table", de->d_name);
		}
		seen[e - table] = true;
		files++;
		run_one(e);
	}
	closedir(d);
	for (size_t i = 0; i < AES67_ARRAY_SIZE(table); i++) {
		if (!seen[i]) {
			fail_msg("table row %s names no corpus file", table[i].file);
		}
	}
	assert_int_equal(files, AES67_ARRAY_SIZE(table));
}

static const struct aes67_sdp *parse_file(const char *name)
{
	size_t n = load(name);
	struct aes67_sdp_error err;
	int rc = aes67_sdp_parse(&sdp_a, file_buf, n, &err);

	if (rc != 0) {
		fail_msg("%s: %s at line %u", name, err.reason, err.line);
	}
	return &sdp_a;
}

/* Quirks SOURCES.md points out, file by file. */
static void test_corpus_quirks(void **state)
{
	const struct aes67_sdp *s;

	(void)state;
	s = parse_file("aes67-linux-daemon-1.sdp");
	assert_int_equal(s->n_groups, 1);
	assert_string_equal(s->groups[0].semantics, "DUP");
	assert_int_equal(s->groups[0].n_mids, 2);
	assert_string_equal(s->groups[0].mids[1], "2");
	assert_string_equal(s->media[1].mid, "2");
	assert_int_equal(s->media[1].port, 5006);
	assert_string_equal(s->media[1].lv.filters[0].sources[0], "192.168.1.18");
	assert_int_equal(aes67_sdp_media_direction(s, &s->media[1]), AES67_SDP_DIR_SENDRECV);
	assert_int_equal(aes67_sdp_media_direction(s, &s->media[0]), AES67_SDP_DIR_RECVONLY);

	s = parse_file("dante-avio-usb-1.sdp");
	assert_string_equal(s->media[0].lv.info, "2 channels: Left Right");
	assert_string_equal(s->keywds, "Dante");
	assert_true(aes67_sdp_conn_is_multicast(aes67_sdp_media_conn(s, &s->media[0])));
	assert_int_equal(s->lv.conn.ttl, 32);

	s = parse_file("gstreamer-sdpdemux-test-1.sdp");
	assert_int_equal(s->media[0].lv.n_filters, 1);
	assert_int_equal(s->media[0].lv.filters[0].n_sources, 2);
	assert_false(s->media[0].lv.conn.has_ttl);
	assert_int_equal(s->media[0].framecount, 48);

	s = parse_file("gstreamer-sdpdemux-test-2.sdp");
	assert_int_equal(s->media[0].lv.n_filters, 2);
	assert_false(s->media[0].lv.filters[0].exclude);
	assert_true(s->media[0].lv.filters[1].exclude);
	assert_string_equal(s->media[0].lv.filters[1].sources[0], "127.0.0.2");

	s = parse_file("tschiemer-aes67-test-1.sdp");
	assert_int_equal(s->media[0].n_fmt, 3);
	assert_int_equal(s->media[0].rtpmap[1].encoding, AES67_SDP_ENC_L32);
	assert_int_equal(s->media[0].rtpmap[1].channels, 1);
	assert_int_equal(s->media[0].rtpmap[2].encoding, AES67_SDP_ENC_AM824);
	assert_int_equal(s->lv.direction, AES67_SDP_DIR_INACTIVE);
	assert_int_equal(aes67_sdp_media_direction(s, &s->media[0]), AES67_SDP_DIR_RECVONLY);
	assert_int_equal(s->lv.conn.ttl, 44);
	assert_int_equal(s->lv.conn.count, 36);
	assert_false(aes67_sdp_conn_is_multicast(&s->lv.conn));
	assert_int_equal(s->lv.skipped_attrs, 1);	   /* ptp-domain */
	assert_int_equal(s->media[0].lv.skipped_attrs, 3); /* pcap, pcap, pcfg */
	assert_true(s->media[0].lv.has_sync_time);
	assert_int_equal(s->media[0].lv.sync_time, 46482394);

	s = parse_file("tschiemer-aes67-test-2.sdp");
	assert_int_equal(s->media[0].lv.n_refclk, 2);
	assert_int_equal(s->media[0].lv.refclk[1].ptp_version, AES67_SDP_PTP_IEEE802_1AS_2011);
	assert_false(s->media[0].lv.refclk[1].has_domain);
	assert_int_equal(s->lv.mediaclk.offset, 446172);
	assert_string_equal(s->username, "audio");
	assert_int_equal(s->skipped_lines, 3); /* u= e= p= */

	s = parse_file("tschiemer-aes67-test-3.sdp");
	assert_int_equal(s->t_start, 2873397496u);
	assert_int_equal(s->media[3].lv.refclk[0].gmid[7], 8);
	assert_string_equal(s->media[3].proto, "SRTP/AVP");
	assert_int_equal(aes67_sdp_media_check(s, 3, NULL), -AES67_EUNSUPPORTED);
	assert_int_equal(aes67_sdp_media_check(s, 1, NULL), -AES67_EUNSUPPORTED);

	s = parse_file("rfc7273-sdptransform-mediaclk-avbtp.sdp");
	assert_int_equal(s->media[0].lv.mediaclk.kind, AES67_SDP_MEDIACLK_IEEE1722);
	assert_string_equal(s->media[0].lv.mediaclk.value, "38-D6-6D-8E-D2-78-13-2F");
	assert_string_equal(s->name, "");

	s = parse_file("rfc7273-sdptransform-mediaclk-rtp.sdp");
	assert_int_equal(s->media[0].lv.mediaclk.kind, AES67_SDP_MEDIACLK_SENDER);
	assert_string_equal(s->media[0].lv.mediaclk.id, "MDA6NjA6MmI6MjA6MTI6MWY=");

	s = parse_file("rfc7273-sdptransform-mediaclk-ptp-v2-w-rate.sdp");
	assert_true(s->media[0].lv.mediaclk.has_rate);
	assert_int_equal(s->media[0].lv.mediaclk.rate_num, 1000);
	assert_int_equal(s->media[0].lv.mediaclk.rate_den, 1001);

	s = parse_file("rfc7273-sdptransform-ts-refclk-media.sdp");
	assert_int_equal(s->lv.refclk[0].kind, AES67_SDP_REFCLK_LOCAL);
	assert_int_equal(s->media[0].lv.refclk[1].kind, AES67_SDP_REFCLK_NTP);
	assert_string_equal(s->media[0].lv.refclk[1].value, "198.51.100.22");
	assert_string_equal(s->media[1].rtpmap[0].name, "h263-1998");

	s = parse_file("embrionix-st2110-mixed-1.sdp");
	assert_int_equal(s->media[0].lv.mediaclk.rate_num, 48000);
	assert_int_equal(s->media[0].lv.mediaclk.rate_den, 1);
	assert_string_equal(s->media[1].type, "video");

	s = parse_file("ebu-list-am824-malformed-1.sdp");
	assert_string_equal(s->media[0].channel_order, "SMPTE2110.(AES3,AES3)");
	assert_int_equal(s->media[0].channel_order_pt, 96);

	s = parse_file("merging-anubis-1.sdp");
	assert_true(s->lv.has_clock_domain && s->media[0].lv.has_clock_domain);
	assert_int_equal(s->media[0].lv.skipped_attrs, 2); /* palign, midi-pre2 */

	s = parse_file("lawo-mic8-12-rtsp-1.sdp");
	assert_int_equal(s->lv.n_refclk, 1);
	assert_int_equal(s->media[0].lv.n_refclk, 0);
	assert_int_equal(s->media[0].lv.conn.ttl, 31);
	assert_int_equal(s->sess_id, 1744662004692777u);

	s = parse_file("ssl-netio-madi-dante-indented-1.sdp");
	assert_string_equal(s->lv.info, "2 channels: 01, 02");
	assert_string_equal(s->name, "SSL-NetIO-MADI-MM-414 : 32");
	assert_int_equal(s->sess_id, 49635646640u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_every_file),
		cmocka_unit_test(test_corpus_quirks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
