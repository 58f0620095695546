// SPDX-License-Identifier: MIT
/*
 * Generator tests: descriptions built field by field, as the daemon will build them, are written
 * with aes67_sdp_generate() and parsed back; the parsed struct must equal the built one byte for
 * byte (lossless round trip) over encodings L16/L24/L32/AM824, 1..64 channels, 44.1..192 kHz,
 * ptime 0.125..4 ms, PTP or localmac refclk, with and without source-filter and mediaclk rate.
 * Two canonical outputs are pinned by golden files in tests/data/sdp/.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "aes67/sdp.h"
#include "rt_guard.h"

static struct aes67_sdp built;
static struct aes67_sdp parsed;
static char out[8192];

/* Whole buffer cleared: the comparison with the parsed struct covers the bytes after the NUL. */
static void set(char *dst, size_t cap, const char *src)
{
	memset(dst, 0, cap);
	assert_true(snprintf(dst, cap, "%s", src) < (int)cap);
}

struct config {
	enum aes67_sdp_encoding enc;
	uint16_t channels;
	uint32_t rate_hz;
	uint32_t ptime_ns;
	bool localmac;
	bool filter;
	bool clk_rate;
};

static void build_media(struct aes67_sdp_media *m, const struct config *c, uint8_t pt,
			const char *group, const char *mid)
{
	set(m->type, sizeof(m->type), "audio");
	set(m->proto, sizeof(m->proto), "RTP/AVP");
	m->port = 5004;
	m->port_count = 1;
	m->n_fmt = 1;
	m->fmt[0] = pt;
	m->n_rtpmap = 1;
	m->rtpmap[0].pt = pt;
	m->rtpmap[0].encoding = (uint8_t)c->enc;
	m->rtpmap[0].channels = c->channels;
	m->rtpmap[0].rate_hz = c->rate_hz;
	set(m->rtpmap[0].name, sizeof(m->rtpmap[0].name), aes67_sdp_encoding_name(c->enc));
	m->ptime_ns = c->ptime_ns;
	m->lv.conn.addrtype = AES67_SDP_ADDR_IP4;
	m->lv.conn.has_ttl = true;
	m->lv.conn.ttl = 32;
	m->lv.conn.count = 1;
	set(m->lv.conn.addr, sizeof(m->lv.conn.addr), group);
	if (c->filter) {
		struct aes67_sdp_filter *f = &m->lv.filters[m->lv.n_filters++];

		f->addrtype = AES67_SDP_ADDR_IP4;
		set(f->dest, sizeof(f->dest), group);
		set(f->sources[f->n_sources++], sizeof(f->sources[0]), "192.168.1.10");
	}
	struct aes67_sdp_refclk *r = &m->lv.refclk[m->lv.n_refclk++];

	if (c->localmac) {
		static const uint8_t mac[6] = {0x7c, 0xe9, 0xd3, 0x1b, 0x9a, 0xaf};

		r->kind = AES67_SDP_REFCLK_LOCALMAC;
		memcpy(r->mac, mac, sizeof(mac));
	} else {
		static const uint8_t gm[8] = {0x00, 0x1d, 0xc1, 0xff, 0xfe, 0x50, 0x36, 0x33};

		r->kind = AES67_SDP_REFCLK_PTP;
		r->ptp_version = AES67_SDP_PTP_IEEE1588_2008;
		memcpy(r->gmid, gm, sizeof(gm));
		r->has_domain = true;
		r->domain = 0;
	}
	m->lv.has_mediaclk = true;
	m->lv.mediaclk.kind = AES67_SDP_MEDIACLK_DIRECT;
	m->lv.mediaclk.offset = 2911906980u;
	if (c->clk_rate) {
		m->lv.mediaclk.has_rate = true;
		m->lv.mediaclk.rate_num = 1000;
		m->lv.mediaclk.rate_den = 1001;
	}
	m->lv.direction = AES67_SDP_DIR_RECVONLY;
	if (mid) {
		set(m->mid, sizeof(m->mid), mid);
	}
}

static void build(const struct config *c)
{
	aes67_sdp_init(&built);
	built.sess_id = 1311738121;
	built.sess_version = 1311738122;
	built.origin_addrtype = AES67_SDP_ADDR_IP4;
	set(built.origin_addr, sizeof(built.origin_addr), "192.168.1.10");
	set(built.name, sizeof(built.name), "aes67-vsc out 1");
	built.n_media = 1;
	build_media(&built.media[0], c, 96, "239.69.1.2", NULL);
}

/* generate -> parse must give back exactly what was built; returns the text length. */
static int round_trip(void)
{
	struct aes67_sdp_error err;

	rt_guard_enter(RT_GUARD_CORE);
	int len = aes67_sdp_generate(&built, out, sizeof(out));
	int rc = len > 0 ? aes67_sdp_parse(&parsed, out, (size_t)len, &err) : len;
	unsigned n = rt_guard_leave();

	assert_int_equal(n, 0);
	if (rc != 0) {
		fail_msg("rc %d: %s at line %u\n%s", rc, len > 0 ? err.reason : "", err.line, out);
	}
	assert_memory_equal(&built, &parsed, sizeof(built));
	return len;
}

static void test_round_trip_matrix(void **state)
{
	static const enum aes67_sdp_encoding encs[] = {AES67_SDP_ENC_L16, AES67_SDP_ENC_L24,
						       AES67_SDP_ENC_L32, AES67_SDP_ENC_AM824};
	static const uint16_t channels[] = {1, 2, 8, 64};
	static const uint32_t rates[] = {44100, 48000, 88200, 96000, 176400, 192000};
	static const uint32_t ptimes[] = {125000, 250000, 333000, 1000000, 4000000};
	unsigned runs = 0;

	(void)state;
	for (size_t e = 0; e < AES67_ARRAY_SIZE(encs); e++) {
		for (size_t ch = 0; ch < AES67_ARRAY_SIZE(channels); ch++) {
			for (size_t r = 0; r < AES67_ARRAY_SIZE(rates); r++) {
				for (size_t p = 0; p < AES67_ARRAY_SIZE(ptimes); p++) {
					struct config c = {encs[e],	    channels[ch],
							   rates[r],	    ptimes[p],
							   (runs & 1) != 0, (runs & 2) != 0,
							   (runs & 4) != 0};

					build(&c);
					round_trip();
					/* frames per packet: ptime x rate, rounded */
					uint64_t want =
						((uint64_t)ptimes[p] * rates[r] + 500000000u) /
						1000000000u;

					assert_int_equal(
						aes67_sdp_media_frames_per_packet(&parsed.media[0]),
						want);
					runs++;
				}
			}
		}
	}
	assert_int_equal(runs, 4 * 4 * 6 * 5);
}

/* Other fields the generator writes: session level, groups, IPv6, several payload types. */
static void test_round_trip_other_fields(void **state)
{
	struct config c = {AES67_SDP_ENC_L24, 2, 48000, 1000000, false, true, false};

	(void)state;
	build(&c);
	set(built.username, sizeof(built.username), "vsc");
	built.sess_id = UINT64_MAX;
	built.t_start = 3900000000u;
	set(built.lv.info, sizeof(built.lv.info), "2 channels: L, R");
	set(built.keywds, sizeof(built.keywds), "Dante");
	built.lv.has_clock_domain = true;
	built.lv.clock_domain = 127;
	built.lv.has_sync_time = true;
	built.lv.sync_time = 4294967295u;
	built.lv.n_refclk = 1;
	built.lv.refclk[0].kind = AES67_SDP_REFCLK_PTP;
	built.lv.refclk[0].ptp_version = AES67_SDP_PTP_IEEE1588_2019;
	built.lv.refclk[0].traceable = true;
	built.lv.direction = AES67_SDP_DIR_SENDONLY;
	built.media[0].framecount = 48;
	built.media[0].maxptime_ns = 4000000;
	set(built.media[0].channel_order, sizeof(built.media[0].channel_order),
	    "SMPTE2110.(ST,U02)");
	built.media[0].channel_order_pt = 96;
	built.media[0].n_fmt = 2;
	built.media[0].fmt[1] = 97;
	built.media[0].n_rtpmap = 2;
	built.media[0].rtpmap[1] = built.media[0].rtpmap[0];
	built.media[0].rtpmap[1].pt = 97;
	set(built.media[0].lv.info, sizeof(built.media[0].lv.info), "Channels 1-2");
	round_trip();

	/* IPv6 with a count, a second section, and an ST 2022-7 group */
	built.n_media = 2;
	build_media(&built.media[1], &c, 98, "ff3e::8232:232", "b");
	built.media[1].lv.conn.addrtype = AES67_SDP_ADDR_IP6;
	built.media[1].lv.conn.has_ttl = false;
	built.media[1].lv.conn.ttl = 0;
	built.media[1].lv.conn.count = 2;
	built.media[1].lv.filters[0].addrtype = AES67_SDP_ADDR_NONE;
	set(built.media[1].lv.filters[0].dest, sizeof(built.media[1].lv.filters[0].dest), "*");
	built.media[1].lv.mediaclk.kind = AES67_SDP_MEDIACLK_SENDER;
	built.media[1].lv.mediaclk.offset = 0;
	set(built.media[1].lv.mediaclk.id, sizeof(built.media[1].lv.mediaclk.id), "clk1");
	set(built.media[0].mid, sizeof(built.media[0].mid), "a");
	built.n_groups = 1;
	set(built.groups[0].semantics, sizeof(built.groups[0].semantics), "DUP");
	built.groups[0].n_mids = 2;
	set(built.groups[0].mids[0], sizeof(built.groups[0].mids[0]), "a");
	set(built.groups[0].mids[1], sizeof(built.groups[0].mids[1]), "b");
	round_trip();
}

static size_t load_golden(const char *name, char *buf, size_t cap)
{
	char path[512];

	assert_true(snprintf(path, sizeof(path), "%s/sdp/%s", AES67_TEST_DATA_DIR, name) <
		    (int)sizeof(path));
	FILE *f = fopen(path, "rb");

	if (!f) {
		fail_msg("cannot open %s", path);
	}
	size_t n = fread(buf, 1, cap, f);

	fclose(f);
	assert_true(n < cap);
	return n;
}

static void expect_golden(const char *name, int len)
{
	static char golden[8192];
	size_t n = load_golden(name, golden, sizeof(golden));

	if (n != (size_t)len || memcmp(golden, out, n) != 0) {
		fail_msg("output differs from %s:\n%s", name, out);
	}
}

static void test_golden_single(void **state)
{
	struct config c = {AES67_SDP_ENC_L24, 8, 48000, 1000000, false, true, false};

	(void)state;
	build(&c);
	set(built.media[0].lv.info, sizeof(built.media[0].lv.info), "Channels 1-8");
	expect_golden("golden-l24-48k-8ch.sdp", round_trip());
}

static void test_golden_redundant(void **state)
{
	struct config c = {AES67_SDP_ENC_L16, 2, 96000, 125000, false, true, false};

	(void)state;
	build(&c);
	built.n_media = 2;
	memset(&built.media[0], 0, sizeof(built.media[0]));
	build_media(&built.media[0], &c, 97, "239.69.1.2", "pri");
	build_media(&built.media[1], &c, 97, "239.70.1.2", "sec");
	built.media[1].lv.filters[0].sources[0][8] = '2'; /* 192.168.2.10 */
	built.n_groups = 1;
	set(built.groups[0].semantics, sizeof(built.groups[0].semantics), "DUP");
	built.groups[0].n_mids = 2;
	set(built.groups[0].mids[0], sizeof(built.groups[0].mids[0]), "pri");
	set(built.groups[0].mids[1], sizeof(built.groups[0].mids[1]), "sec");
	built.lv.has_clock_domain = true;
	built.lv.clock_domain = 0;
	expect_golden("golden-dup-l16-96k.sdp", round_trip());
	assert_int_equal(aes67_sdp_media_check(&parsed, 0, NULL), 0);
	assert_int_equal(aes67_sdp_media_check(&parsed, 1, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_matrix),
		cmocka_unit_test(test_round_trip_other_fields),
		cmocka_unit_test(test_golden_single),
		cmocka_unit_test(test_golden_redundant),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
