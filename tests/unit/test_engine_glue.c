// SPDX-License-Identifier: MIT
/*
 * Unit suite of the engine glue (src/daemon/engine_glue*.c): configured streams map field by
 * field onto engine parameters; the frames per packet we send agree with what a receiver
 * derives from our own SDP at every supported rate; link offsets; and the daemon-side
 * behaviour when the engine cannot run (streams recorded as failed with the reason, status and
 * stream.stats report it, nothing is announced).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "aes67/sdp.h"
#include "daemon.h"
#include "engine_glue.h"
#include "stream_sdp.h"

static void tx_config(struct aes67d_tx_config *c, uint32_t rate_hz, uint32_t ptime_us)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "out1");
	inet_pton(AF_INET, "239.69.1.2", &c->destination);
	c->port = 5006;
	c->ttl = 4;
	c->dscp = 34;
	c->encoding = AES67D_ENC_L16;
	c->rate_hz = rate_hz;
	c->channels = 2;
	c->ptime_us = ptime_us;
	c->device_channel_offset = 3;
}

static void test_tx_params_fields(void **state)
{
	struct aes67d_tx_config c;
	struct aes67d_tx_params p;
	char err[256];

	(void)state;
	tx_config(&c, 48000, 333);
	assert_int_equal(aes67d_glue_tx_params(&c, &p, err, sizeof(err)), 0);
	assert_string_equal(p.name, "out1");
	assert_int_equal(p.dest.sin_addr.s_addr, c.destination.s_addr);
	assert_int_equal(ntohs(p.dest.sin_port), 5006);
	assert_int_equal(p.ttl, 4);
	assert_int_equal(p.dscp, 34);
	assert_int_equal(p.format, AES67_PCM_L16);
	assert_int_equal(p.ptime_ns, 333333);
	assert_int_equal(p.frames_per_packet, 16);
	assert_int_equal(p.device_channel_offset, 3);
	assert_int_equal(p.ts_offset, 0);
}

/* Every rate and ptime: the frames we put in a packet are those a receiver of our SDP expects. */
static void test_tx_frames_match_sdp(void **state)
{
	static const uint32_t rates[] = {44100, 48000, 88200, 96000, 176400, 192000};
	static const uint32_t ptimes[] = {125, 250, 333, 1000, 4000};
	static const uint32_t want_48k[] = {6, 12, 16, 48, 192};
	struct aes67d_net_if nif = {.name = "eth0", .index = 2, .mac = {2, 0, 0, 0, 0, 1}};
	char sdp[2048], err[256];

	(void)state;
	inet_pton(AF_INET, "198.51.100.1", &nif.addr);
	for (size_t i = 0; i < AES67_ARRAY_SIZE(rates); i++) {
		for (size_t k = 0; k < AES67_ARRAY_SIZE(ptimes); k++) {
			struct aes67d_tx_config c;
			struct aes67d_tx_params p;
			struct aes67d_rx_params rp;
			int n, r;

			tx_config(&c, rates[i], ptimes[k]);
			c.channels = 1;
			r = aes67d_glue_tx_params(&c, &p, err, sizeof(err));
			if (r < 0) {
				/* Only a payload above the MTU may be refused. */
				assert_int_equal(r, -EMSGSIZE);
				continue;
			}
			if (rates[i] == 48000) {
				assert_int_equal(p.frames_per_packet, want_48k[k]);
			}
			n = aes67d_stream_sdp_tx(&p, &nif, 1, 1, sdp, sizeof(sdp));
			assert_true(n > 0);
			aes67d_rx_params_init(&rp);
			assert_int_equal(
				aes67d_stream_sdp_rx(sdp, (size_t)n, &rp, err, sizeof(err)), 0);
			assert_int_equal(rp.frames_per_packet, p.frames_per_packet);
			assert_int_equal(rp.rate_hz, rates[i]);
		}
	}
}

static void rx_config(struct aes67d_rx_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "in1");
	inet_pton(AF_INET, "239.69.10.1", &c->source);
	c->port = 5004;
	c->encoding = AES67D_ENC_L24;
	c->rate_hz = 96000;
	c->channels = 8;
	c->link_offset_us = AES67D_DEFAULT_LINK_OFFSET_US;
	c->device_channel_offset = 2;
}

static void test_rx_params_source(void **state)
{
	struct aes67d_rx_config c;
	struct aes67d_rx_params p;
	char err[256];

	(void)state;
	rx_config(&c);
	assert_int_equal(aes67d_glue_rx_params(&c, 1000, &p, err, sizeof(err)), 0);
	assert_string_equal(p.name, "in1");
	assert_int_equal(p.group.sin_addr.s_addr, c.source.s_addr);
	assert_int_equal(ntohs(p.group.sin_port), 5004);
	assert_int_equal(p.source.s_addr, INADDR_ANY);
	assert_int_equal(p.format, AES67_PCM_L24);
	assert_int_equal(p.rate_hz, 96000);
	assert_int_equal(p.channels, 8);
	assert_int_equal(p.frames_per_packet, 96);
	assert_int_equal(p.payload_type, -1);
	assert_int_equal(p.device_channel_offset, 2);
	/* Unset default: the engine's 3 packet times. */
	assert_int_equal(p.link_offset_frames, 288);
	/* 125 µs device packets: 1 ms. */
	assert_int_equal(aes67d_glue_rx_params(&c, 125, &p, err, sizeof(err)), 0);
	assert_int_equal(p.frames_per_packet, 12);
	assert_int_equal(p.link_offset_frames, 96);
	/* Explicit microseconds, rounded to the nearest frame at the stream's rate. */
	c.link_offset_us = 2010;
	assert_int_equal(aes67d_glue_rx_params(&c, 1000, &p, err, sizeof(err)), 0);
	assert_int_equal(p.link_offset_frames, 193);
	/* Explicit frames win. */
	c.link_offset_in_frames = true;
	c.link_offset_frames = 480;
	assert_int_equal(aes67d_glue_rx_params(&c, 1000, &p, err, sizeof(err)), 0);
	assert_int_equal(p.link_offset_frames, 480);
}

static void test_rx_params_sdp(void **state)
{
	static const char sdp[] = "v=0\r\n"
				  "o=- 1 1 IN IP4 198.51.100.7\r\n"
				  "s=remote\r\n"
				  "c=IN IP4 239.69.5.5/32\r\n"
				  "t=0 0\r\n"
				  "a=ts-refclk:ptp=IEEE1588-2008:00-11-22-FF-FE-33-44-55:0\r\n"
				  "m=audio 5010 RTP/AVP 98\r\n"
				  "a=rtpmap:98 L24/48000/4\r\n"
				  "a=ptime:0.25\r\n"
				  "a=mediaclk:direct=12345\r\n";
	struct aes67d_rx_config c;
	struct aes67d_rx_params p;
	char err[256];

	(void)state;
	rx_config(&c);
	c.has_sdp = true;
	memcpy(c.sdp, sdp, sizeof(sdp));
	assert_int_equal(aes67d_glue_rx_params(&c, 1000, &p, err, sizeof(err)), 0);
	assert_string_equal(p.name, "in1");
	assert_int_equal(ntohs(p.group.sin_port), 5010);
	assert_int_equal(p.group.sin_addr.s_addr, htonl(0xef450505u));
	assert_int_equal(p.channels, 4);
	assert_int_equal(p.rate_hz, 48000);
	assert_int_equal(p.frames_per_packet, 12);
	assert_int_equal(p.ts_offset, 12345);
	assert_int_equal(p.link_offset_frames, 48);
	assert_int_equal(p.device_channel_offset, 2);
	/* A broken SDP: the reason is prefixed with the field. */
	snprintf(c.sdp, sizeof(c.sdp), "v=0\r\nbogus\r\n");
	assert_true(aes67d_glue_rx_params(&c, 1000, &p, err, sizeof(err)) < 0);
	assert_memory_equal(err, "sdp: ", 5);
}

/* No engine (the interface does not exist): streams are recorded as failed, with the reason. */
static void test_no_engine(void **state)
{
	static struct aes67d d;
	struct aes67d_control_params cp = {0};
	struct aes67d_announce_item items[2];
	char path[64], err[256];
	json_t *resp, *streams, *s;

	(void)state;
	memset(&d, 0, sizeof(d));
	aes67d_config_init(&d.config);
	snprintf(d.config.interface, sizeof(d.config.interface), "nosuchif9");
	d.config.n_tx = 1;
	tx_config(&d.config.tx[0], 48000, 1000);
	d.config.n_rx = 1;
	rx_config(&d.config.rx[0]);
	snprintf(path, sizeof(path), "/tmp/test_glue_%d.sock", (int)getpid());
	cp.path = path;
	assert_int_equal(aes67d_clock_system_create(&d.clock, NULL), 0);
	assert_int_equal(aes67d_control_create(&d.control, &cp), 0);
	assert_int_equal(aes67d_glue_create(&d), 0);
	assert_non_null(d.links.announce_list);
	assert_int_equal(aes67d_glue_stream_start(&d, &d.config, true, "out1", err, sizeof(err)),
			 -ENETDOWN);
	assert_non_null(strstr(err, "not started yet"));
	aes67d_glue_start(&d);
	assert_int_equal(d.links.announce_list(&d, items, 2), 0);

	resp = json_object();
	assert_int_equal(aes67d_glue_status(&d, resp), 0);
	assert_false(json_is_true(json_object_get(json_object_get(resp, "engine"), "running")));
	assert_non_null(
		strstr(json_string_value(json_object_get(json_object_get(resp, "engine"), "error")),
		       "nosuchif9"));
	streams = json_object_get(resp, "streams");
	assert_int_equal(json_array_size(streams), 2);
	s = json_array_get(streams, 0);
	assert_string_equal(json_string_value(json_object_get(s, "name")), "out1");
	assert_string_equal(json_string_value(json_object_get(s, "state")), "failed");
	assert_non_null(strstr(json_string_value(json_object_get(s, "error")), "engine"));
	json_decref(resp);

	resp = json_object();
	assert_int_equal(aes67d_glue_stats(&d, "in1", resp, err, sizeof(err)), 0);
	assert_int_equal(json_array_size(json_object_get(resp, "rx")), 1);
	assert_int_equal(json_array_size(json_object_get(resp, "tx")), 0);
	json_decref(resp);
	resp = json_object();
	assert_int_equal(aes67d_glue_stats(&d, "nope", resp, err, sizeof(err)), -AES67_ENOTFOUND);
	json_decref(resp);

	/* A stream not in the configuration; stop of a failed stream forgets it. */
	assert_int_equal(aes67d_glue_stream_start(&d, &d.config, false, "zz", err, sizeof(err)),
			 -AES67_ENOTFOUND);
	assert_int_equal(aes67d_glue_stream_stop(&d, false, "in1"), 0);
	resp = json_object();
	assert_int_equal(aes67d_glue_stats(&d, "in1", resp, err, sizeof(err)), -AES67_ENOTFOUND);
	json_decref(resp);

	aes67d_glue_free(&d);
	assert_null(d.glue);
	assert_null(d.links.announce_list);
	aes67d_control_destroy(d.control);
	d.clock->destroy(d.clock);
}

/* A media clock whose reference the test changes (the PTP back end's get_ref). */
static struct aes67d_clock_ref glue_ref;

static int glue_get_ref(struct aes67d_clock *clk, struct aes67d_clock_ref *ref)
{
	(void)clk;
	*ref = glue_ref;
	return 0;
}

/* o= sess-version of an SDP text, from the parser. */
static uint64_t sdp_version(const char *text, int len, struct aes67_sdp_refclk *rc)
{
	static struct aes67_sdp sdp;
	struct aes67_sdp_error se;

	assert_true(len > 0);
	assert_int_equal(aes67_sdp_parse(&sdp, text, (size_t)len, &se), 0);
	assert_non_null(aes67_sdp_media_refclk(&sdp, &sdp.media[0]));
	*rc = *aes67_sdp_media_refclk(&sdp, &sdp.media[0]);
	return sdp.sess_version;
}

/* The SDP follows the grandmaster: ts-refclk:ptp with GM and domain, localmac without one, and
 * a new o= version whenever the text or the reference generation changes. */
static void test_tx_sdp_follows_gm(void **state)
{
	static const uint8_t gm1[8] = {0x00, 0x1b, 0x21, 0xff, 0xfe, 0x0a, 0x0b, 0x0c};
	static const uint8_t gm2[8] = {0x02, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x00, 0x09};
	struct aes67d_clock clk = {
		.name = "fakeptp", .kind = AES67D_CLOCK_PTP, .get_ref = glue_get_ref};
	struct aes67d_net_if nif = {.name = "eth0", .index = 2, .mac = {2, 0, 0, 0, 0, 1}};
	struct aes67d_glue_sdp st = {.sess_id = 3900000000u, .version = 1};
	struct aes67_sdp_refclk rc;
	struct aes67d_tx_config c;
	struct aes67d_tx_params p;
	char sdp[2048], err[256];
	int n;

	(void)state;
	inet_pton(AF_INET, "198.51.100.1", &nif.addr);
	tx_config(&c, 48000, 1000);
	assert_int_equal(aes67d_glue_tx_params(&c, &p, err, sizeof(err)), 0);
	memset(&glue_ref, 0, sizeof(glue_ref));

	/* no grandmaster known: localmac (RFC 7273 §4.8), version 1, stable on repeat */
	n = aes67d_glue_tx_sdp(&st, &p, &nif, &clk, sdp, sizeof(sdp));
	assert_int_equal(sdp_version(sdp, n, &rc), 1);
	assert_int_equal(rc.kind, AES67_SDP_REFCLK_LOCALMAC);
	assert_non_null(strstr(sdp, "a=ts-refclk:localmac=02-00-00-00-00-01\r\n"));
	n = aes67d_glue_tx_sdp(&st, &p, &nif, &clk, sdp, sizeof(sdp));
	assert_int_equal(sdp_version(sdp, n, &rc), 1);

	/* a grandmaster in domain 0: AES67-2018 §8.5 form, new version */
	glue_ref.gm_valid = true;
	memcpy(glue_ref.gm_identity, gm1, 8);
	glue_ref.generation = 1;
	n = aes67d_glue_tx_sdp(&st, &p, &nif, &clk, sdp, sizeof(sdp));
	assert_int_equal(sdp_version(sdp, n, &rc), 2);
	assert_non_null(strstr(sdp, "a=ts-refclk:ptp=IEEE1588-2008:00-1B-21-FF-FE-0A-0B-0C:0\r\n"));
	assert_null(strstr(sdp, "localmac"));
	assert_int_equal(rc.kind, AES67_SDP_REFCLK_PTP);
	assert_int_equal(rc.ptp_version, AES67_SDP_PTP_IEEE1588_2008);
	assert_memory_equal(rc.gmid, gm1, 8);
	assert_true(rc.has_domain);
	assert_int_equal(rc.domain, 0);

	/* locking changes nothing in the text and not the generation: same version */
	glue_ref.locked = true;
	n = aes67d_glue_tx_sdp(&st, &p, &nif, &clk, sdp, sizeof(sdp));
	assert_int_equal(sdp_version(sdp, n, &rc), 2);

	/* another grandmaster in another domain */
	memcpy(glue_ref.gm_identity, gm2, 8);
	glue_ref.domain = 127;
	glue_ref.generation = 2;
	n = aes67d_glue_tx_sdp(&st, &p, &nif, &clk, sdp, sizeof(sdp));
	assert_int_equal(sdp_version(sdp, n, &rc), 3);
	assert_non_null(
		strstr(sdp, "a=ts-refclk:ptp=IEEE1588-2008:02-00-00-FF-FE-00-00-09:127\r\n"));
	assert_memory_equal(rc.gmid, gm2, 8);
	assert_int_equal(rc.domain, 127);

	/* a generation change alone (the GM left and came back between two looks) re-announces */
	glue_ref.generation = 4;
	n = aes67d_glue_tx_sdp(&st, &p, &nif, &clk, sdp, sizeof(sdp));
	assert_int_equal(sdp_version(sdp, n, &rc), 4);
	n = aes67d_glue_tx_sdp(&st, &p, &nif, &clk, sdp, sizeof(sdp));
	assert_int_equal(sdp_version(sdp, n, &rc), 4);

	/* grandmaster lost: back to localmac, new version; a clock without get_ref: localmac */
	glue_ref.gm_valid = false;
	glue_ref.generation = 5;
	n = aes67d_glue_tx_sdp(&st, &p, &nif, &clk, sdp, sizeof(sdp));
	assert_int_equal(sdp_version(sdp, n, &rc), 5);
	assert_int_equal(rc.kind, AES67_SDP_REFCLK_LOCALMAC);
	n = aes67d_glue_tx_sdp(&st, &p, &nif, NULL, sdp, sizeof(sdp));
	assert_int_equal(sdp_version(sdp, n, &rc), 6);
	assert_int_equal(rc.kind, AES67_SDP_REFCLK_LOCALMAC);

	/* too small a buffer: the generator's error, state untouched */
	assert_int_equal(aes67d_glue_tx_sdp(&st, &p, &nif, NULL, sdp, 40), -AES67_ENOSPACE);
	assert_int_equal(st.version, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_params_fields), cmocka_unit_test(test_tx_frames_match_sdp),
		cmocka_unit_test(test_rx_params_source), cmocka_unit_test(test_rx_params_sdp),
		cmocka_unit_test(test_no_engine),	 cmocka_unit_test(test_tx_sdp_follows_gm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
