// SPDX-License-Identifier: MIT
/*
 * Unit tests for the SDP module: every field of a description that uses all modelled attributes,
 * whitespace tolerance, one case per refusal reason (with line and offset), ptime arithmetic,
 * ts-refclk and mediaclk forms, the receive-usability check, table limits, and the generator's
 * capacity and validity checks. Parse, check and generate are shown to allocate nothing.
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

#define HDR "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=t\r\nt=0 0\r\n"
#define AUDIO "m=audio 5004 RTP/AVP 96\r\nc=IN IP4 239.1.2.3/32\r\na=rtpmap:96 L24/48000/2\r\n"

static struct aes67_sdp s;
static struct aes67_sdp s2;
static struct aes67_sdp_error e;
static char out[16384];

static int parse(const char *text)
{
	return aes67_sdp_parse(&s, text, strlen(text), &e);
}

static const char full_sdp[] =
	"v=0\r\n"
	"o=alice 18446744073709551615 42 IN IP4 192.168.1.17\r\n"
	"s=Stage left\r\n"
	"i=session info\r\n"
	"c=IN IP4 239.1.0.1/15\r\n"
	"t=0 0\r\n"
	"a=keywds:Dante\r\n"
	"a=group:DUP pri sec\r\n"
	"a=recvonly\r\n"
	"a=clock-domain:PTPv2 3\r\n"
	"a=ts-refclk:ptp=IEEE1588-2019:00-1d-c1-ff-fe-50-36-33:3\r\n"
	"a=mediaclk:direct=5\r\n"
	"m=audio 5004/2 RTP/AVP 97 98\r\n"
	"i=8 channels\r\n"
	"c=IN IP4 239.1.0.2/32/2\r\n"
	"a=rtpmap:97 l24/96000/8\r\n"
	"a=rtpmap:98 AM824/48000/2\r\n"
	"a=fmtp:97 foo=1; channel-order=SMPTE2110.(SGRP,U02) ;bar\r\n"
	"a=source-filter: incl IN IP4 239.1.0.2 192.168.1.17 192.168.1.18\r\n"
	"a=ptime:0.333\r\n"
	"a=maxptime:1\r\n"
	"a=framecount:32\r\n"
	"a=sync-time:4294967295\r\n"
	"a=ts-refclk:localmac=00-11-22-33-44-55\r\n"
	"a=ts-refclk:ntp=/traceable/\r\n"
	"a=mediaclk:direct=4294967295 rate=1000/1001\r\n"
	"a=sendonly\r\n"
	"a=mid:pri\r\n"
	"a=x-vendor:1\r\n"
	"m=audio 5006 RTP/AVP 97\r\n"
	"c=IN IP6 ff3e::8232:232/3\r\n"
	"a=rtpmap:97 L16/44100\r\n"
	"a=ptime:1.08843537415\r\n"
	"a=mediaclk:sender\r\n"
	"a=source-filter: excl IN * * 2001:db8::1\r\n"
	"a=mid:sec\r\n";

static void check_full(const struct aes67_sdp *p)
{
	assert_string_equal(p->username, "alice");
	assert_true(p->sess_id == UINT64_MAX);
	assert_int_equal(p->sess_version, 42);
	assert_int_equal(p->origin_addrtype, AES67_SDP_ADDR_IP4);
	assert_string_equal(p->origin_addr, "192.168.1.17");
	assert_string_equal(p->name, "Stage left");
	assert_string_equal(p->lv.info, "session info");
	assert_string_equal(p->lv.conn.addr, "239.1.0.1");
	assert_int_equal(p->lv.conn.ttl, 15);
	assert_string_equal(p->keywds, "Dante");
	assert_int_equal(p->n_groups, 1);
	assert_string_equal(p->groups[0].mids[0], "pri");
	assert_int_equal(p->lv.direction, AES67_SDP_DIR_RECVONLY);
	assert_int_equal(p->lv.clock_domain, 3);
	assert_int_equal(p->lv.refclk[0].ptp_version, AES67_SDP_PTP_IEEE1588_2019);
	assert_int_equal(p->lv.refclk[0].gmid[1], 0x1d);
	assert_int_equal(p->lv.refclk[0].domain, 3);
	assert_int_equal(p->lv.mediaclk.offset, 5);
	assert_int_equal(p->n_media, 2);

	const struct aes67_sdp_media *m = &p->media[0];

	assert_string_equal(m->type, "audio");
	assert_int_equal(m->port, 5004);
	assert_int_equal(m->port_count, 2);
	assert_int_equal(m->n_fmt, 2);
	assert_int_equal(m->fmt[1], 98);
	assert_string_equal(m->lv.info, "8 channels");
	assert_int_equal(m->lv.conn.count, 2);
	assert_int_equal(m->rtpmap[0].encoding, AES67_SDP_ENC_L24);
	assert_string_equal(m->rtpmap[0].name, "l24");
	assert_int_equal(m->rtpmap[0].rate_hz, 96000);
	assert_int_equal(m->rtpmap[0].channels, 8);
	assert_int_equal(m->rtpmap[1].encoding, AES67_SDP_ENC_AM824);
	assert_string_equal(m->channel_order, "SMPTE2110.(SGRP,U02)");
	assert_int_equal(m->channel_order_pt, 97);
	assert_int_equal(m->lv.filters[0].n_sources, 2);
	assert_int_equal(m->ptime_ns, 333000);
	assert_int_equal(m->maxptime_ns, 1000000);
	assert_int_equal(m->framecount, 32);
	assert_int_equal(m->lv.sync_time, UINT32_MAX);
	assert_int_equal(m->lv.n_refclk, 2);
	assert_int_equal(m->lv.refclk[0].kind, AES67_SDP_REFCLK_LOCALMAC);
	assert_int_equal(m->lv.refclk[0].mac[5], 0x55);
	assert_int_equal(m->lv.refclk[1].kind, AES67_SDP_REFCLK_NTP);
	assert_string_equal(m->lv.refclk[1].value, "/traceable/");
	assert_int_equal(m->lv.mediaclk.offset, UINT32_MAX);
	assert_int_equal(m->lv.mediaclk.rate_den, 1001);
	assert_int_equal(m->lv.direction, AES67_SDP_DIR_SENDONLY);
	assert_string_equal(m->mid, "pri");
	/* the media refclk list has no PTP entry: the first one applies */
	assert_int_equal(aes67_sdp_media_refclk(p, m)->kind, AES67_SDP_REFCLK_LOCALMAC);
	assert_int_equal(aes67_sdp_media_frames_per_packet(m), 32); /* 0.333 ms at 96 kHz */

	m = &p->media[1];
	assert_int_equal(m->lv.conn.addrtype, AES67_SDP_ADDR_IP6);
	assert_int_equal(m->lv.conn.count, 3);
	assert_false(m->lv.conn.has_ttl);
	assert_true(aes67_sdp_conn_is_multicast(&m->lv.conn));
	assert_int_equal(m->rtpmap[0].channels, 1);
	assert_int_equal(m->ptime_ns, 1088435);
	assert_int_equal(aes67_sdp_media_frames_per_packet(m), 48);
	assert_int_equal(m->lv.mediaclk.kind, AES67_SDP_MEDIACLK_SENDER);
	assert_true(m->lv.filters[0].exclude);
	assert_int_equal(m->lv.filters[0].addrtype, AES67_SDP_ADDR_NONE);
	assert_string_equal(m->lv.filters[0].dest, "*");
	/* session-level values apply where the media level is silent */
	assert_int_equal(aes67_sdp_media_direction(p, m), AES67_SDP_DIR_RECVONLY);
	assert_int_equal(aes67_sdp_media_refclk(p, m)->domain, 3);
}

static void test_parse_every_field(void **state)
{
	(void)state;
	rt_guard_enter(RT_GUARD_CORE);
	int rc = parse(full_sdp);
	unsigned n = rt_guard_leave();

	assert_int_equal(n, 0);
	if (rc != 0) {
		fail_msg("%s (line %u)", e.reason, e.line);
	}
	assert_string_equal(e.reason, "");
	check_full(&s);
	assert_int_equal(s.media[0].lv.skipped_attrs, 1);

	/* generate -> parse gives the same fields */
	rt_guard_enter(RT_GUARD_CORE);
	int len = aes67_sdp_generate(&s, out, sizeof(out));
	rc = len > 0 ? aes67_sdp_parse(&s2, out, (size_t)len, &e) : len;
	n = rt_guard_leave();
	assert_int_equal(n, 0);
	if (rc != 0) {
		fail_msg("regenerated: %s (line %u)\n%s", e.reason, e.line, out);
	}
	check_full(&s2);
}

/* The same description with CRLF, LF, no final EOL, trailing blanks, indentation, blank lines. */
static void test_whitespace_tolerance(void **state)
{
	static const char *const variants[] = {
		"v=0\no=- 7 8 IN IP4 10.0.0.1\ns=x y\nt=0 0\nm=audio 5004 RTP/AVP 96\n"
		"c=IN IP4 239.0.0.1/32\na=rtpmap:96 L24/48000/2\na=ptime:1\n",
		"v=0\r\no=- 7 8 IN IP4 10.0.0.1\r\ns=x y\r\nt=0 0\r\nm=audio 5004 RTP/AVP 96\r\n"
		"c=IN IP4 239.0.0.1/32\r\na=rtpmap:96 L24/48000/2\r\na=ptime:1",
		"v=0  \r\n   o=- 7 8 IN IP4 10.0.0.1 \r\n\ts=x y\t\r\n\r\n t=0 0\n\n"
		"m=audio  5004   RTP/AVP  96 \nc=IN  IP4 239.0.0.1/32\r\n"
		"a=rtpmap:96  L24/48000/2 \na=ptime:1 \n                ",
		"v=0\nt=0 0\ns=x y\no=- 7 8 IN IP4 10.0.0.1\nm=audio 5004 RTP/AVP 96\n"
		"a=ptime:1\na=rtpmap:96 L24/48000/2\nc=IN IP4 239.0.0.1/32\n",
	};
	struct aes67_sdp first;

	(void)state;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(variants); i++) {
		int rc = parse(variants[i]);

		if (rc != 0) {
			fail_msg("variant %zu: %s (line %u)", i, e.reason, e.line);
		}
		assert_string_equal(s.name, "x y");
		assert_int_equal(s.sess_version, 8);
		assert_int_equal(aes67_sdp_media_check(&s, 0, NULL), 0);
		if (i == 0) {
			memcpy(&first, &s, sizeof(s));
		} else {
			assert_memory_equal(&first, &s, sizeof(s));
		}
	}
}

struct bad_case {
	const char *text;
	int code;
	unsigned line;
	size_t offset; /* byte offset of the offending token, or SIZE_MAX to skip */
	const char *reason;
};

#define SKIP SIZE_MAX

static const struct bad_case bad_cases[] = {
	{"", AES67_ETRUNCATED, 0, 0, "empty description"},
	{"\n \n", AES67_ETRUNCATED, 0, 0, "description has no v= line"},
	{"o=- 1 1 IN IP4 1.2.3.4\n", AES67_EMALFORMED, 1, 0, "description does not start with v="},
	{"v=1\n", AES67_EVERSION, 1, 2, "v= line: version is not 0"},
	{"v=0\nhello\n", AES67_EMALFORMED, 2, 4, "line is not <letter>=<value>"},
	{"v=0\nx=1\n", AES67_EMALFORMED, 2, 4, "unknown line type"},
	{"v=0\ns=a\0b\n", AES67_EMALFORMED, 2, 7, "control character inside a line"},
	{"v=0\ns=a\rb\n", AES67_EMALFORMED, 2, 7, "control character inside a line"},
	{"v=0\no=- x 1 IN IP4 1.2.3.4\n", AES67_EMALFORMED, 2, 8,
	 "o= line: sess-id is not a number"},
	{"v=0\no=- 18446744073709551616 1 IN IP4 1.2.3.4\n", AES67_ERANGE, 2, 8,
	 "o= line: sess-id exceeds 64 bits"},
	{"v=0\no=- 1 1 ATM IP4 1.2.3.4\n", AES67_EUNSUPPORTED, 2, 12,
	 "o= line: network type is not IN"},
	{"v=0\no=- 1 1 IN IPX 1.2.3.4\n", AES67_EUNSUPPORTED, 2, 15,
	 "o= line: address type is neither IP4 nor IP6"},
	{"v=0\no=- 1 1 IN IP4 1.2.3.4 x\n", AES67_EMALFORMED, 2, 27,
	 "o= line: unexpected text after the address"},
	{"v=0\no=- 1 1 IN IP4 1.2.3\n", AES67_EMALFORMED, 2, 19, "o= line: invalid address"},
	{"v=0\no=- 1 1 IN IP4 1.2.3.4\no=- 1 1 IN IP4 1.2.3.4\n", AES67_EMALFORMED, 3, SKIP,
	 "second o= line"},
	{"v=0\no=- 1 1 IN IP4 1.2.3.4\ns=a\nm=audio 1 RTP/AVP 96\n", AES67_EMALFORMED, 4, SKIP,
	 "session has no t= line"},
	{"v=0\no=- 1 1 IN IP4 1.2.3.4\ns=a\nt=0 0\n", 0, 0, 0, ""},
	{"v=0\no=- 1 1 IN IP4 1.2.3.4\nt=0 0\n", AES67_EMALFORMED, 0, SKIP,
	 "session has no s= line"},
	{"v=0\no=- 1 1 IN IP4 1.2.3.4\ns=a\nt=x 0\n", AES67_EMALFORMED, 4, 33,
	 "t= line: start time is not a number"},
	{"v=0\no=- 1 1 IN IP4 1.2.3.4\ns=a\nt=0 0 0\n", AES67_EMALFORMED, 4, 37,
	 "t= line: unexpected text after stop time"},
	{HDR "c=IN IP4 239.0.0.1/256\n", AES67_ERANGE, 5, SKIP, "c= line: TTL above 255"},
	{HDR "c=IN IP4 239.0.0.1/x\n", AES67_EMALFORMED, 5, SKIP, "c= line: TTL is not a number"},
	{HDR "c=IN IP4 239.0.0.1/3/0\n", AES67_ERANGE, 5, SKIP,
	 "c= line: number of addresses outside 1..65535"},
	{HDR "c=IN IP4 239.0.0.1 3\n", AES67_EMALFORMED, 5, SKIP,
	 "c= line: unexpected text after the address"},
	{HDR "c=IN IP4 239.0.0.1\nc=IN IP4 239.0.0.2\n", AES67_EUNSUPPORTED, 6, SKIP,
	 "c= line: several c= lines in one section are not supported"},
	{HDR "c=IN IP4 239.0.0.256\n", AES67_EMALFORMED, 5, SKIP, "c= line: invalid address"},
	{HDR "c=IN IP4 a,b\n", AES67_EMALFORMED, 5, SKIP, "c= line: invalid address"},
	{HDR "c=IN IP4 "
	     "a23456789012345678901234567890123456789012345678\n",
	 AES67_ENOSPACE, 5, SKIP, "c= line: address longer than 47 bytes"},
	{HDR "m=audio x RTP/AVP 96\n", AES67_EMALFORMED, 5, SKIP, "m= line: port is not a number"},
	{HDR "m=audio 5004x RTP/AVP 96\n", AES67_EMALFORMED, 5, SKIP,
	 "m= line: port is not a number"},
	{HDR "m=audio 65536 RTP/AVP 96\n", AES67_ERANGE, 5, SKIP, "m= line: port above 65535"},
	{HDR "m=audio 5004 udp 96\n", AES67_EUNSUPPORTED, 5, SKIP,
	 "m= line: transport is not RTP based"},
	{HDR "m=audio 5004 RTP/AVP\n", AES67_EMALFORMED, 5, SKIP, "m= line: no payload type"},
	{HDR "m=audio 5004 RTP/AVP 128\n", AES67_ERANGE, 5, SKIP,
	 "m= line: payload type above 127"},
	{HDR "m=audio 5004 RTP/AVP 1 2 3 4 5 6 7 8 9\n", AES67_ENOSPACE, 5, SKIP,
	 "m= line: more than 8 payload types"},
	{HDR AUDIO "s=late\n", AES67_EMALFORMED, 8, SKIP,
	 "session-level line (o=, s= or t=) inside a media section"},
	{HDR AUDIO "i=a\ni=b\n", AES67_EMALFORMED, 9, SKIP, "second i= line in one section"},
	{HDR AUDIO "a=rtpmap:96 L24/48000/2\n", AES67_EMALFORMED, 8, SKIP,
	 "a=rtpmap: payload type mapped twice"},
	{HDR AUDIO "a=rtpmap:97 L24/0/2\n", AES67_ERANGE, 8, SKIP,
	 "a=rtpmap: clock rate outside 1..4294967295"},
	{HDR AUDIO "a=rtpmap:97 L24\n", AES67_EMALFORMED, 8, SKIP, "a=rtpmap: missing clock rate"},
	{HDR AUDIO "a=rtpmap:97 L24/48000/0\n", AES67_ERANGE, 8, SKIP,
	 "a=rtpmap: channel count outside 1..1024"},
	{HDR AUDIO "a=rtpmap:97 L24/48000/two\n", AES67_EMALFORMED, 8, SKIP,
	 "a=rtpmap: channel count is not a number"},
	{HDR AUDIO "a=rtpmap:97 L24/48000/2 x\n", AES67_EMALFORMED, 8, SKIP,
	 "a=rtpmap: unexpected text after the encoding"},
	{HDR AUDIO "a=rtpmap:x L24/48000\n", AES67_EMALFORMED, 8, SKIP,
	 "a=rtpmap: payload type is not a number"},
	{HDR AUDIO "a=rtpmap:97 ABCDEFGHIJKLMNOP/48000\n", AES67_ENOSPACE, 8, SKIP,
	 "a=rtpmap: encoding name longer than 15 bytes"},
	{HDR AUDIO "a=ptime:1\na=ptime:1\n", AES67_EMALFORMED, 9, SKIP,
	 "second a=ptime in one section"},
	{HDR AUDIO "a=ptime:0\n", AES67_ERANGE, 8, SKIP, "a=ptime: zero"},
	{HDR AUDIO "a=ptime:1.\n", AES67_EMALFORMED, 8, SKIP,
	 "a=ptime: not a number of milliseconds"},
	{HDR AUDIO "a=ptime:.5\n", AES67_EMALFORMED, 8, SKIP,
	 "a=ptime: not a number of milliseconds"},
	{HDR AUDIO "a=ptime:4294.967296\n", AES67_ERANGE, 8, SKIP, "a=ptime: more than 4294 ms"},
	{HDR AUDIO "a=ptime:1 ms\n", AES67_EMALFORMED, 8, SKIP,
	 "a=ptime: unexpected text after the value"},
	{HDR AUDIO "a=framecount:0\n", AES67_ERANGE, 8, SKIP, "a=framecount: zero"},
	{HDR AUDIO "a=recvonly\na=sendonly\n", AES67_EMALFORMED, 9, SKIP,
	 "conflicting direction attributes in one section"},
	{HDR AUDIO "a=recvonly:1\n", AES67_EMALFORMED, 8, SKIP,
	 "direction attribute takes no value"},
	{HDR AUDIO "a=\n", AES67_EMALFORMED, 8, SKIP, "a= line: missing attribute name"},
	{HDR AUDIO "a=foo bar\n", AES67_EMALFORMED, 8, SKIP,
	 "a= line: blank inside attribute name"},
	{HDR AUDIO "a=clock-domain:PTPv1 0\n", AES67_EMALFORMED, 8, SKIP,
	 "a=clock-domain: expected PTPv2 <domain>"},
	{HDR AUDIO "a=clock-domain:PTPv2 256\n", AES67_ERANGE, 8, SKIP,
	 "a=clock-domain: domain above 255"},
	{HDR AUDIO "a=sync-time:4294967296\n", AES67_ERANGE, 8, SKIP,
	 "a=sync-time: above 4294967295"},
	{HDR AUDIO "a=source-filter: incl IP4 239.1.2.3 1.2.3.4\n", AES67_EMALFORMED, 8, 138,
	 "a=source-filter: network type is not IN"},
	{HDR AUDIO "a=source-filter: any IN IP4 239.1.2.3 1.2.3.4\n", AES67_EMALFORMED, 8, SKIP,
	 "a=source-filter: mode is neither incl nor excl"},
	{HDR AUDIO "a=source-filter: incl IN IP4 239.1.2.3 a b c d e\n", AES67_ENOSPACE, 8, SKIP,
	 "a=source-filter: more than 4 source addresses"},
	{HDR AUDIO "a=source-filter: incl IN IP4 239.1.2.3 1.2.3.4.5\n", AES67_EMALFORMED, 8, SKIP,
	 "a=source-filter: invalid source address"},
	{HDR AUDIO "a=mid:a\na=mid:b\n", AES67_EMALFORMED, 9, SKIP,
	 "second a=mid in one media section"},
	{HDR "a=group:DUP a b\n" AUDIO "a=mid:a\n", AES67_EMALFORMED, 5, 43,
	 "a=group: identification tag has no matching a=mid"},
	{HDR "a=group:DUP a b c d e\n", AES67_ENOSPACE, 5, SKIP,
	 "a=group: more than 4 identification tags"},
	{HDR AUDIO "a=fmtp:96 channel-order=\n", AES67_EMALFORMED, 8, SKIP, "empty channel-order"},
	{HDR AUDIO "a=ts-refclk:ptp=IEEE1588-2008:00-11-22-33-44-55-66:0\n", AES67_EMALFORMED, 8,
	 SKIP, "a=ts-refclk: grandmaster id is not an EUI-64 (xx-xx-xx-xx-xx-xx-xx-xx)"},
	{HDR AUDIO "a=ts-refclk:ptp=IEEE1588-2008:00-11-22-33-44-55-66-7g:0\n", AES67_EMALFORMED, 8,
	 SKIP, "a=ts-refclk: grandmaster id is not an EUI-64 (xx-xx-xx-xx-xx-xx-xx-xx)"},
	{HDR AUDIO "a=ts-refclk:ptp=IEEE1588-2008:00-11-22-33-44-55-66-77:256\n", AES67_ERANGE, 8,
	 SKIP, "a=ts-refclk: PTP domain above 255"},
	{HDR AUDIO "a=ts-refclk:ptp=IEEE1588-2008:00-11-22-33-44-55-66-77:0x\n", AES67_EMALFORMED,
	 8, SKIP, "a=ts-refclk: unexpected text after the PTP clock"},
	{HDR AUDIO "a=ts-refclk:ptp=IEEE1588-2005:00-11-22-33-44-55-66-77\n", AES67_EMALFORMED, 8,
	 SKIP, "a=ts-refclk: unknown PTP version"},
	{HDR AUDIO "a=ts-refclk:ptp=IEEE1588-2008\n", AES67_EMALFORMED, 8, SKIP,
	 "a=ts-refclk: PTP version needs :<grandmaster id> or :traceable"},
	{HDR AUDIO "a=ts-refclk:localmac=00-11-22-33-44\n", AES67_EMALFORMED, 8, SKIP,
	 "a=ts-refclk: localmac is not a MAC address (xx-xx-xx-xx-xx-xx)"},
	{HDR AUDIO "a=ts-refclk:ntp=a b\n", AES67_EMALFORMED, 8, SKIP,
	 "a=ts-refclk: unexpected text after the value"},
	{HDR AUDIO "a=ts-refclk:local\na=ts-refclk:local\na=ts-refclk:local\na=ts-refclk:local\n"
		   "a=ts-refclk:local\n",
	 AES67_ENOSPACE, 12, SKIP, "a=ts-refclk: more than 4 at one level"},
	{HDR AUDIO "a=mediaclk:direct=4294967296\n", AES67_ERANGE, 8, SKIP,
	 "a=mediaclk: direct offset above 4294967295"},
	{HDR AUDIO "a=mediaclk:direct=12a\n", AES67_EMALFORMED, 8, SKIP,
	 "a=mediaclk: direct offset is not a number"},
	{HDR AUDIO "a=mediaclk:direct=1 speed=2\n", AES67_EMALFORMED, 8, SKIP,
	 "a=mediaclk: unexpected text after direct offset"},
	{HDR AUDIO "a=mediaclk:direct=1 rate=0/1\n", AES67_EMALFORMED, 8, SKIP,
	 "a=mediaclk: rate is not <num>/<den> with both above 0"},
	{HDR AUDIO "a=mediaclk:direct=1 rate=1/2 x\n", AES67_EMALFORMED, 8, SKIP,
	 "a=mediaclk: unexpected text after the value"},
	{HDR AUDIO "a=mediaclk:sender\na=mediaclk:sender\n", AES67_EMALFORMED, 9, SKIP,
	 "second a=mediaclk in one section"},
	{HDR AUDIO "a=mediaclk:id=abc\n", AES67_EMALFORMED, 8, SKIP,
	 "a=mediaclk: missing clock source after id="},
};

static void test_refusals(void **state)
{
	(void)state;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *b = &bad_cases[i];
		/* strlen stops at an embedded NUL: measure the NUL case explicitly */
		size_t len = strlen(b->text);

		if (strcmp(b->text, "v=0\ns=a") == 0) {
			len = 10;
		}
		int rc = aes67_sdp_parse(&s, b->text, len, &e);

		if (rc != -b->code || strcmp(e.reason, b->reason) != 0 || e.line != b->line ||
		    (b->offset != SKIP && e.offset_bytes != b->offset)) {
			fail_msg("case %zu: rc %d line %u offset %zu \"%s\"; expected %d line %u "
				 "\"%s\"",
				 i, rc, e.line, e.offset_bytes, e.reason, -b->code, b->line,
				 b->reason);
		}
	}
}

static uint32_t ptime_of(const char *value)
{
	char buf[256];

	assert_true(snprintf(buf, sizeof(buf), HDR AUDIO "a=ptime:%s\n", value) < (int)sizeof(buf));
	int rc = parse(buf);

	if (rc != 0) {
		fail_msg("ptime %s: %s", value, e.reason);
	}
	return s.media[0].ptime_ns;
}

static void test_ptime_and_frames(void **state)
{
	static const struct {
		const char *ptime;
		uint32_t rate_hz;
		uint32_t ns;
		int frames;
	} cases[] = {
		{"0.125", 48000, 125000, 6},
		{"0.25", 48000, 250000, 12},
		{"0.333", 48000, 333000, 16},
		{"0.12", 48000, 120000, 6},
		{"1", 44100, 1000000, 44},
		{"1.08843537415", 44100, 1088435, 48},
		{"0.125", 96000, 125000, 12},
		{"0.125", 192000, 125000, 24},
		{"4", 48000, 4000000, 192},
		{"0.0000005", 48000, 1, -AES67_ERANGE},
		{"4294.967295", 8000, UINT32_MAX, 34360},
	};

	(void)state;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(cases); i++) {
		assert_int_equal(ptime_of(cases[i].ptime), cases[i].ns);
		s.media[0].rtpmap[0].rate_hz = cases[i].rate_hz;
		assert_int_equal(aes67_sdp_media_frames_per_packet(&s.media[0]), cases[i].frames);
	}
	/* without ptime, RAVENNA framecount; without both, nothing */
	assert_int_equal(parse(HDR AUDIO "a=framecount:48\n"), 0);
	assert_int_equal(aes67_sdp_media_frames_per_packet(&s.media[0]), 48);
	assert_int_equal(parse(HDR AUDIO), 0);
	assert_int_equal(aes67_sdp_media_frames_per_packet(&s.media[0]), -AES67_ENOTFOUND);
	assert_int_equal(parse(HDR AUDIO "a=ptime:2000\n"), 0);
	assert_int_equal(aes67_sdp_media_frames_per_packet(&s.media[0]), -AES67_ERANGE);
}

static const struct aes67_sdp_refclk *refclk_of(const char *value)
{
	char buf[256];

	assert_true(snprintf(buf, sizeof(buf), HDR AUDIO "a=ts-refclk:%s\n", value) <
		    (int)sizeof(buf));
	if (parse(buf) != 0) {
		fail_msg("ts-refclk %s: %s", value, e.reason);
	}
	return &s.media[0].lv.refclk[0];
}

static void test_refclk_forms(void **state)
{
	static const struct {
		const char *text;
		enum aes67_sdp_refclk_kind kind;
		const char *value;
	} others[] = {
		{"gps", AES67_SDP_REFCLK_GPS, ""},
		{"private:traceable", AES67_SDP_REFCLK_OTHER, "private:traceable"},
		{"private", AES67_SDP_REFCLK_PRIVATE, NULL},
		{"ntp=pool.example.org", AES67_SDP_REFCLK_NTP, "pool.example.org"},
		{"vendor=xyz", AES67_SDP_REFCLK_OTHER, "vendor=xyz"},
	};
	const struct aes67_sdp_refclk *r;

	(void)state;
	r = refclk_of("ptp=IEEE1588-2008:39-A7-94-FF-FE-07-CB-D0:0");
	assert_int_equal(r->kind, AES67_SDP_REFCLK_PTP);
	assert_int_equal(r->ptp_version, AES67_SDP_PTP_IEEE1588_2008);
	assert_int_equal(r->gmid[0], 0x39);
	assert_int_equal(r->gmid[7], 0xd0);
	assert_true(r->has_domain);
	assert_false(r->traceable);

	r = refclk_of("ptp=IEEE1588-2008:traceable");
	assert_true(r->traceable);
	assert_int_equal(r->ptp_version, AES67_SDP_PTP_IEEE1588_2008);

	r = refclk_of("ptp=traceable");
	assert_true(r->traceable);
	assert_int_equal(r->ptp_version, AES67_SDP_PTP_NONE);

	r = refclk_of("ptp=IEEE802.1AS-2020:00-11-22-33-44-55-66-77");
	assert_int_equal(r->ptp_version, AES67_SDP_PTP_IEEE802_1AS_2020);
	assert_false(r->has_domain);

	r = refclk_of("localmac=7C-E9-D3-1B-9A-AF");
	assert_int_equal(r->kind, AES67_SDP_REFCLK_LOCALMAC);
	assert_int_equal(r->mac[0], 0x7c);
	r = refclk_of("localmac=7c:e9:d3:1b:9a:af");
	assert_int_equal(r->mac[5], 0xaf);

	/* The other forms: their kind, and the text kept as value (NULL: not checked). */
	for (size_t i = 0; i < AES67_ARRAY_SIZE(others); i++) {
		r = refclk_of(others[i].text);
		assert_int_equal(r->kind, others[i].kind);
		if (others[i].value != NULL) {
			assert_string_equal(r->value, others[i].value);
		}
	}
}

static void test_mediaclk_forms(void **state)
{
	const struct aes67_sdp_mediaclk *mc = &s.media[0].lv.mediaclk;

	(void)state;
	assert_int_equal(parse(HDR AUDIO "a=mediaclk:direct\n"), 0);
	assert_int_equal(mc->kind, AES67_SDP_MEDIACLK_DIRECT);
	assert_int_equal(mc->offset, 0);
	assert_false(mc->has_rate);
	assert_int_equal(parse(HDR AUDIO "a=mediaclk:direct=7 rate=48000\n"), 0);
	assert_int_equal(mc->offset, 7);
	assert_int_equal(mc->rate_num, 48000);
	assert_int_equal(mc->rate_den, 1);
	assert_int_equal(parse(HDR AUDIO "a=mediaclk:id=src1 direct=9\n"), 0);
	assert_string_equal(mc->id, "src1");
	assert_int_equal(mc->offset, 9);
	assert_int_equal(parse(HDR AUDIO "a=mediaclk:IEEE1722=38-D6-6D-8E-D2-78-13-2F\n"), 0);
	assert_int_equal(mc->kind, AES67_SDP_MEDIACLK_IEEE1722);
	assert_int_equal(parse(HDR AUDIO "a=mediaclk:something else\n"), 0);
	assert_int_equal(mc->kind, AES67_SDP_MEDIACLK_OTHER);
	assert_string_equal(mc->value, "something else");
	/* media level wins over session level */
	assert_int_equal(parse(HDR "a=mediaclk:direct=1\n" AUDIO "a=mediaclk:direct=2\n"), 0);
	assert_int_equal(aes67_sdp_media_mediaclk(&s, &s.media[0])->offset, 2);
	assert_int_equal(parse(HDR "a=mediaclk:direct=1\n" AUDIO), 0);
	assert_int_equal(aes67_sdp_media_mediaclk(&s, &s.media[0])->offset, 1);
	assert_int_equal(parse(HDR AUDIO), 0);
	assert_null(aes67_sdp_media_mediaclk(&s, &s.media[0]));
	assert_null(aes67_sdp_media_refclk(&s, &s.media[0]));
}

static void test_media_check(void **state)
{
	static const struct {
		const char *media;
		int code;
		const char *reason;
	} cases[] = {
		{AUDIO "a=ptime:1\n", 0, ""},
		/* no packet time at all (ffmpeg's SDP): usable; the receiver sizes packets as they
		   come */
		{AUDIO, 0, ""},
		{"m=audio 5004 RTP/AVP 96\nc=IN IP4 239.1.2.3/32\na=rtpmap:96 L24/48000/64\n", 0,
		 ""},
		{AUDIO "a=ptime:1\na=inactive\n", AES67_EUNSUPPORTED, "stream is inactive"},
		{"m=video 5004 RTP/AVP 96\nc=IN IP4 239.1.2.3/32\na=rtpmap:96 raw/90000\n",
		 AES67_EUNSUPPORTED, "media type is not audio"},
		{"m=audio 5004 RTP/SAVP 96\nc=IN IP4 239.1.2.3/32\na=rtpmap:96 L24/48000/2\n",
		 AES67_EUNSUPPORTED, "transport is not RTP/AVP"},
		{"m=audio 5004 RTP/AVP 97\nc=IN IP4 239.1.2.3/32\na=rtpmap:96 L24/48000/2\n",
		 AES67_EPAYLOADTYPE, "first payload type of the m= line has no a=rtpmap"},
		{"m=audio 5004 RTP/AVP 96\nc=IN IP4 239.1.2.3/32\na=rtpmap:96 opus/48000/2\n",
		 AES67_EUNSUPPORTED, "encoding is not L16, L24, L32 or AM824"},
		{"m=audio 5004 RTP/AVP 96\nc=IN IP4 239.1.2.3/32\na=rtpmap:96 L24/48000/65\n",
		 AES67_ERANGE, "more than 64 channels"},
		{"m=audio 5004 RTP/AVP 96\nc=IN IP4 239.1.2.3/32\na=rtpmap:96 AM824/48000/3\n",
		 AES67_ERANGE, "AM824 needs an even channel count"},
		{"m=audio 5004 RTP/AVP 96\nc=IN IP4 239.1.2.3/32\na=rtpmap:96 L24/32000/2\n",
		 AES67_EUNSUPPORTED, "sample rate is not 44.1, 48, 88.2, 96, 176.4 or 192 kHz"},
		{"m=audio 5004 RTP/AVP 96\na=rtpmap:96 L24/48000/2\na=ptime:1\n", AES67_ENOTFOUND,
		 "no c= line for this media section"},
		{"m=audio 5004 RTP/AVP 96\nc=IN IP4 239.1.2.3/32\na=rtpmap:96 L24/48000/64\n"
		 "a=ptime:0.25\n",
		 AES67_ERANGE, "packet payload above 1440 bytes"},
		{"m=audio 5004 RTP/AVP 96\nc=IN IP4 239.1.2.3/32\na=rtpmap:96 L16/48000/1\n"
		 "a=ptime:3000\n",
		 AES67_ERANGE, "packet time gives 0 or above 65535 frames"},
	};
	char buf[512];
	const char *why;

	(void)state;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(cases); i++) {
		assert_true(snprintf(buf, sizeof(buf), HDR "%s", cases[i].media) <
			    (int)sizeof(buf));
		assert_int_equal(parse(buf), 0);
		rt_guard_enter(RT_GUARD_CORE);
		int rc = aes67_sdp_media_check(&s, 0, &why);
		unsigned n = rt_guard_leave();

		assert_int_equal(n, 0);
		assert_int_equal(rc, -cases[i].code);
		assert_string_equal(why, cases[i].reason);
	}
	assert_int_equal(aes67_sdp_media_check(&s, 1, &why), -EINVAL);
}

static void test_limits_and_truncation(void **state)
{
	char buf[4096];
	size_t n;

	(void)state;
	/* 8 m= sections fit, a 9th does not */
	n = (size_t)snprintf(buf, sizeof(buf), HDR);
	for (int i = 0; i < 9; i++) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "m=audio %d RTP/AVP 96\n",
				      5000 + i);
	}
	assert_int_equal(aes67_sdp_parse(&s, buf, n, &e), -AES67_ENOSPACE);
	assert_string_equal(e.reason, "more than 8 m= sections");
	assert_int_equal(e.line, 13);
	assert_int_equal(aes67_sdp_parse(&s, buf, n - strlen("m=audio 5008 RTP/AVP 96\n"), &e), 0);
	assert_int_equal(s.n_media, 8);

	/* free text longer than its buffer is cut and flagged */
	n = (size_t)snprintf(buf, sizeof(buf), "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=");
	memset(buf + n, 'x', 300);
	n += 300;
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\nt=0 0\n");
	assert_int_equal(aes67_sdp_parse(&s, buf, n, &e), 0);
	assert_true(s.truncated);
	assert_int_equal(strlen(s.name), AES67_SDP_TEXT_BYTES - 1);

	/* unknown attributes and lines are counted, not kept */
	assert_int_equal(parse(HDR "b=AS:1\na=tool:x\n" AUDIO "a=x:1\na=y\nb=AS:2\n"), 0);
	assert_int_equal(s.skipped_lines, 2);
	assert_int_equal(s.lv.skipped_attrs, 1);
	assert_int_equal(s.media[0].lv.skipped_attrs, 2);
	/* a lower-case encoding name is still recognised */
	assert_int_equal(parse(HDR "m=audio 1 RTP/AVP 96\na=rtpmap:96 am824/48000/2\n"), 0);
	assert_int_equal(s.media[0].rtpmap[0].encoding, AES67_SDP_ENC_AM824);
}

static void test_generate_capacity(void **state)
{
	char big[4096];
	char small[4096];

	(void)state;
	assert_int_equal(parse(full_sdp), 0);
	int len = aes67_sdp_generate(&s, big, sizeof(big));

	assert_true(len > 0);
	assert_int_equal(strlen(big), (size_t)len);
	for (size_t cap = 0; cap <= (size_t)len + 1; cap++) {
		memset(small, 0x5a, sizeof(small));
		int rc = aes67_sdp_generate(&s, small, cap);

		if (cap <= (size_t)len) {
			assert_int_equal(rc, -AES67_ENOSPACE);
		} else {
			assert_int_equal(rc, len);
			assert_memory_equal(small, big, (size_t)len + 1);
		}
		assert_int_equal((unsigned char)small[cap], 0x5a); /* nothing written past cap */
	}
}

static void test_generate_refuses_unwritable(void **state)
{
	char buf[2048];

	(void)state;
	assert_int_equal(parse(HDR AUDIO), 0);
	assert_true(aes67_sdp_generate(&s, buf, sizeof(buf)) > 0);

	s2 = s;
	memcpy(s2.media[0].lv.conn.addr, "239.1.2.3 x", 12);
	assert_int_equal(aes67_sdp_generate(&s2, buf, sizeof(buf)), -EINVAL);
	s2 = s;
	memcpy(s2.name, "a\r\nb", 5);
	assert_int_equal(aes67_sdp_generate(&s2, buf, sizeof(buf)), -EINVAL);
	s2 = s;
	s2.media[0].lv.conn.has_ttl = false;
	s2.media[0].lv.conn.count = 4; /* IPv4 count needs a TTL before it */
	assert_int_equal(aes67_sdp_generate(&s2, buf, sizeof(buf)), -EINVAL);
	s2 = s;
	s2.media[0].fmt[0] = 200;
	assert_int_equal(aes67_sdp_generate(&s2, buf, sizeof(buf)), -EINVAL);
	s2 = s;
	s2.media[0].n_fmt = 0;
	assert_int_equal(aes67_sdp_generate(&s2, buf, sizeof(buf)), -EINVAL);
	s2 = s;
	s2.origin_addrtype = AES67_SDP_ADDR_NONE;
	assert_int_equal(aes67_sdp_generate(&s2, buf, sizeof(buf)), -EINVAL);
	s2 = s;
	s2.media[0].lv.n_refclk = 1;
	s2.media[0].lv.refclk[0].kind = AES67_SDP_REFCLK_PTP; /* no version and not traceable */
	assert_int_equal(aes67_sdp_generate(&s2, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(aes67_sdp_generate(&s, NULL, 0), -AES67_ENOSPACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_every_field),
		cmocka_unit_test(test_whitespace_tolerance),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_ptime_and_frames),
		cmocka_unit_test(test_refclk_forms),
		cmocka_unit_test(test_mediaclk_forms),
		cmocka_unit_test(test_media_check),
		cmocka_unit_test(test_limits_and_truncation),
		cmocka_unit_test(test_generate_capacity),
		cmocka_unit_test(test_generate_refuses_unwritable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
