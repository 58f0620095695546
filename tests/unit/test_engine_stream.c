// SPDX-License-Identifier: MIT
/*
 * Unit tests of the engine's per-packet paths: the TX packet builder (stream_tx.c) and the RX
 * parse + place + drain path (stream_rx.c): RTP header values, channel ranges, placement at
 * timestamp + link offset across sequence and timestamp wrap, loss read as silence of exactly
 * its length, following a new SSRC, re-anchoring a sender off our clock, refusals. Every
 * per-packet call runs inside the RT guard, which must count no allocation, lock, log or clock
 * read.
 */
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
#include "rt_guard.h"
#include "test_data.h"
#include "stream_rx.h"
#include "stream_sdp.h"
#include "stream_tx.h"

#define RATE 48000
#define N 48

static struct in_addr any_src(void)
{
	struct in_addr a = {.s_addr = htonl(0xC6336401)}; /* 198.51.100.1 */
	return a;
}

/* A TX stream over a private 4-channel ring holding sample value (pos << 8 | ch) << 8. */
static struct aes67d_tx_stream *make_tx(struct aes67_ring *ring, void **mem, uint64_t base,
					uint32_t ch_off, uint32_t channels)
{
	struct aes67d_tx_params p;
	struct aes67d_tx_stream *s = NULL;
	int32_t frames[4 * 4 * N];
	char err[256];

	assert_int_equal(aes67d_engine_private_ring(ring, RATE, 4, 0, 1024, mem), 0);
	for (uint32_t f = 0; f < 4 * N; f++) {
		for (uint32_t c = 0; c < 4; c++) {
			frames[f * 4 + c] = (int32_t)((((base + f) & 0xffff) << 4 | c) << 8);
		}
	}
	assert_int_equal(aes67_ring_write(&ring->play, base, frames, 4 * N), 4 * N);
	aes67d_tx_params_init(&p);
	p.channels = channels;
	p.device_channel_offset = ch_off;
	p.ssrc = 0x11223344;
	p.seq_random = false;
	p.seq0 = 65535;
	p.ts_offset = 1000;
	assert_int_equal(aes67d_tx_stream_create(&s, &p, &ring->play, err, sizeof(err)), 0);
	return s;
}

static void test_tx_build(void **state)
{
	struct aes67_ring ring;
	void *mem;
	uint64_t base = ((uint64_t)1 << 32) - 24; /* the packet's timestamp wraps */
	struct aes67d_tx_stream *s = make_tx(&ring, &mem, base, 1, 2);
	uint8_t pkt[AES67D_TX_PACKET_BYTES];
	int len;

	(void)state;
	rt_guard_enter(RT_GUARD_CORE);
	len = aes67d_tx_build(s, base, pkt);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(len, 12 + N * 2 * 3);
	assert_int_equal(pkt[0], 0x80);
	assert_int_equal(pkt[1], 96);
	assert_int_equal(pkt[2] << 8 | pkt[3], 65535);
	/* ts = pos + offset mod 2^32 = 2^32 - 24 + 1000 -> 976 */
	assert_int_equal((uint32_t)pkt[4] << 24 | pkt[5] << 16 | pkt[6] << 8 | pkt[7], 976);
	assert_int_equal((uint32_t)pkt[8] << 24 | pkt[9] << 16 | pkt[10] << 8 | pkt[11],
			 0x11223344);
	/* First frame, device channel 1 -> L24 big-endian of ((base & 0xffff) << 4 | 1). */
	uint32_t v = (uint32_t)((base & 0xffff) << 4 | 1);
	assert_int_equal(pkt[12], (v >> 16) & 0xff);
	assert_int_equal(pkt[13], (v >> 8) & 0xff);
	assert_int_equal(pkt[14], v & 0xff);
	v = (uint32_t)((base & 0xffff) << 4 | 2);
	assert_int_equal(pkt[17], v & 0xff);
	/* Next packet: sequence wraps to 0, no underrun so far. */
	len = aes67d_tx_build(s, base + N, pkt);
	assert_int_equal(pkt[2] << 8 | pkt[3], 0);
	assert_int_equal(atomic_load(&s->c.underrun_frames), 0);
	/* Beyond what was written: silence, counted. */
	len = aes67d_tx_build(s, base + 8 * N, pkt);
	assert_int_equal(len, 12 + N * 6);
	assert_int_equal(pkt[12] | pkt[13] | pkt[14], 0);
	assert_int_equal(atomic_load(&s->c.underrun_frames), N);
	aes67d_tx_stream_destroy(s);
	free(mem);
}

/* Two streams of one device encode from a single read of the ring: the same bytes as reading
 * it themselves, each counting the missing frames as its own underrun. */
static void test_tx_shared_read(void **state)
{
	struct aes67_ring ring;
	void *mem;
	const uint64_t base = 4800;
	struct aes67d_tx_stream *a = make_tx(&ring, &mem, base, 0, 2), *b = NULL, *c = NULL;
	struct aes67d_tx_params p = a->p;
	uint8_t pa[AES67D_TX_PACKET_BYTES], pb[AES67D_TX_PACKET_BYTES], pc[AES67D_TX_PACKET_BYTES];
	char err[256];
	int valid, la, lb, lc;

	(void)state;
	p.device_channel_offset = 2;
	assert_int_equal(aes67d_tx_stream_create(&b, &p, &ring.play, err, sizeof(err)), 0);
	assert_int_equal(aes67d_tx_stream_create(&c, &p, &ring.play, err, sizeof(err)), 0);
	/* The last packet the ring holds and one beyond it (silence). */
	for (uint64_t pos = base + 3 * N; pos <= base + 4 * N; pos += N) {
		rt_guard_enter(RT_GUARD_CORE);
		valid = aes67d_tx_read(a, pos);
		la = aes67d_tx_build_from(a, pos, a->scratch, (uint32_t)valid, pa);
		lb = aes67d_tx_build_from(b, pos, a->scratch, (uint32_t)valid, pb);
		assert_int_equal(rt_guard_leave(), 0);
		lc = aes67d_tx_build(c, pos, pc);
		assert_int_equal(valid, pos == base + 3 * N ? N : 0);
		assert_int_equal(la, 12 + N * 6);
		assert_int_equal(lb, la);
		assert_int_equal(lc, lb);
		assert_memory_equal(pb, pc, (size_t)lb);
		/* Channel 0 of a is device channel 0, channel 0 of b device channel 2. */
		uint32_t v = pos == base + 3 * N ? (uint32_t)((pos & 0xffff) << 4 | 2) : 0;
		assert_int_equal(pb[12] << 16 | pb[13] << 8 | pb[14], v);
		assert_int_equal(pa[14], pos == base + 3 * N ? (uint8_t)((pos & 0xffff) << 4) : 0);
	}
	assert_int_equal(atomic_load(&b->c.underrun_frames), N);
	assert_int_equal(atomic_load(&a->c.underrun_frames), N);
	assert_int_equal(aes67_ring_read_pos(&ring.play), base + 5 * N);
	aes67d_tx_stream_destroy(a);
	aes67d_tx_stream_destroy(b);
	aes67d_tx_stream_destroy(c);
	free(mem);
}

static void test_tx_refusals(void **state)
{
	struct aes67d_tx_params p;
	char err[256];

	(void)state;
	aes67d_tx_params_init(&p);
	p.channels = 8;
	p.format = AES67_PCM_L32;
	assert_int_equal(aes67d_tx_params_check(&p, err, sizeof(err)), -EMSGSIZE);
	assert_non_null(strstr(err, "1536 payload bytes exceed the 1440"));
	p.frames_per_packet = 6; /* 125 us */
	assert_int_equal(aes67d_tx_params_check(&p, err, sizeof(err)), 0);
	p.rate_hz = 32000;
	assert_int_equal(aes67d_tx_params_check(&p, err, sizeof(err)), -AES67_ERANGE);
	p.rate_hz = 44100;
	p.format = AES67_PCM_AM824;
	p.channels = 3;
	assert_int_equal(aes67d_tx_params_check(&p, err, sizeof(err)), -AES67_ERANGE);
}

static struct aes67d_rx_stream *make_rx(uint64_t now_pos, uint32_t link)
{
	struct aes67d_rx_params p;
	struct aes67d_rx_stream *s = NULL;
	char err[256];

	aes67d_rx_params_init(&p);
	p.link_offset_frames = link;
	p.payload_type = 96;
	p.device_channel_offset = 1;
	assert_int_equal(aes67d_rx_stream_create(&s, &p, now_pos, err, sizeof(err)), 0);
	return s;
}

/* Drains [pos, pos + frames) into a 4-channel device buffer and checks the stream's channels. */
static void expect(struct aes67d_rx_stream *s, uint64_t pos, uint32_t frames, uint32_t ts0,
		   bool silent)
{
	int32_t dev[AES67D_RX_DRAIN_FRAMES * 4];

	memset(dev, 0x55, sizeof(dev));
	rt_guard_enter(RT_GUARD_CORE);
	int r = aes67d_rx_drain(s, pos, frames, dev, 4);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(r, silent ? 0 : (int)frames);
	for (uint32_t f = 0; f < frames; f++) {
		for (uint32_t c = 0; c < 2; c++) {
			int32_t want = silent ? 0 : (int32_t)(((ts0 + f) & 0x7fff) << 1 | c) << 8;

			assert_int_equal(dev[f * 4 + 1 + c], want);
		}
		assert_int_equal(dev[f * 4], 0x55555555); /* other channels untouched */
	}
}

static void test_rx_place_wrap_loss(void **state)
{
	/* Media clock just below a 2^32 boundary: timestamps wrap during the test. */
	const uint64_t now = ((uint64_t)5 << 32) - 100;
	const uint32_t link = 96;
	struct aes67d_rx_stream *s = make_rx(now, link);
	uint8_t b[1500];
	uint32_t ts = (uint32_t)(now - N);
	uint16_t seq = 65534;
	size_t len;

	(void)state;
	for (int i = 0; i < 5; i++, seq++, ts += N) {
		if (i == 2) {
			continue; /* lost */
		}
		len = test_data_l24_packet(b, seq, ts, 0xabc, N);
		rt_guard_enter(RT_GUARD_CORE);
		int r = aes67d_rx_packet(s, b, len, any_src(), now, ts, 1);
		assert_int_equal(rt_guard_leave(), 0);
		assert_int_equal(r, N);
	}
	assert_int_equal(atomic_load(&s->c.first_pos), now - N + link);
	assert_int_equal(atomic_load(&s->c.last_end_pos), now - N + link + 5 * N);
	assert_int_equal(atomic_load(&s->c.lost), 1);
	assert_int_equal(atomic_load(&s->c.resyncs), 0);
	/* Position p holds the frame stamped p - link: read the five packet slots in order. */
	uint64_t p0 = now - N + link;
	uint32_t t0 = (uint32_t)(now - N);
	expect(s, now, (uint32_t)(p0 - now), 0, true); /* before the first packet: silence */
	expect(s, p0, 2 * N, t0, false);
	expect(s, p0 + 2 * N, N, 0, true); /* the lost packet: silence of exactly N frames */
	expect(s, p0 + 3 * N, 2 * N, t0 + 3 * N, false);
	/* Late: the first packet again, now played out. */
	len = test_data_l24_packet(b, 65534, t0, 0xabc, N);
	assert_int_equal(aes67d_rx_packet(s, b, len, any_src(), now, 0, 1), 0);
	assert_int_equal(atomic_load(&s->c.late), 1);
	aes67d_rx_stream_destroy(s);
}

static void test_rx_follow_restart(void **state)
{
	const uint64_t now = 1000000;
	struct aes67d_rx_stream *s = make_rx(now, 96);
	uint8_t b[1500];
	size_t len;

	(void)state;
	len = test_data_l24_packet(b, 10, (uint32_t)now, 1, N);
	assert_int_equal(aes67d_rx_packet(s, b, len, any_src(), now, 0, 1), N);
	/* Duplicate: counted, stored over itself. */
	assert_int_equal(aes67d_rx_packet(s, b, len, any_src(), now, 0, 1), N);
	assert_int_equal(atomic_load(&s->c.duplicates), 1);
	/* New SSRC, new sequence, same media clock: followed without a resync. */
	len = test_data_l24_packet(b, 5000, (uint32_t)now + N, 2, N);
	assert_int_equal(aes67d_rx_packet(s, b, len, any_src(), now, 0, 1), N);
	assert_int_equal(atomic_load(&s->c.ssrc_changes), 1);
	assert_int_equal(atomic_load(&s->c.resyncs), 0);
	assert_int_equal(atomic_load(&s->c.last_end_pos), now + 96 + 2 * N);
	/* The same source jumps off our clock (timestamps 1e9 away): the first such packet is a
	 * candidate (refused, too early); the next one, from a later wake-up and arriving one
	 * packet time later, re-anchors it to now + link; the one after follows. */
	len = test_data_l24_packet(b, 5001, 1000000000u, 2, N);
	assert_int_equal(aes67d_rx_packet(s, b, len, any_src(), now + N, (uint32_t)(now + N), 1),
			 0);
	assert_int_equal(atomic_load(&s->c.resyncs), 0);
	assert_int_equal(atomic_load(&s->c.too_early), 1);
	len = test_data_l24_packet(b, 5002, 1000000000u + N, 2, N);
	assert_int_equal(
		aes67d_rx_packet(s, b, len, any_src(), now + 2 * N, (uint32_t)(now + 2 * N), 1), N);
	assert_int_equal(atomic_load(&s->c.resyncs), 1);
	len = test_data_l24_packet(b, 5003, 1000000000u + 2 * N, 2, N);
	assert_int_equal(
		aes67d_rx_packet(s, b, len, any_src(), now + 3 * N, (uint32_t)(now + 3 * N), 1), N);
	assert_int_equal(atomic_load(&s->c.resyncs), 1);
	assert_int_equal(atomic_load(&s->c.last_end_pos), now + 2 * N + 96 + 2 * N);
	/* A new source off our clock re-anchors on its first packet. */
	len = test_data_l24_packet(b, 77, 3000000000u, 3, N);
	assert_int_equal(aes67d_rx_packet(s, b, len, any_src(), now + 4 * N, 0, 1), N);
	assert_int_equal(atomic_load(&s->c.resyncs), 2);
	assert_int_equal(atomic_load(&s->c.last_end_pos), now + 4 * N + 96 + N);
	aes67d_rx_stream_destroy(s);
}

static void test_rx_refusals(void **state)
{
	struct aes67d_rx_stream *s = make_rx(1000, 48);
	uint8_t b[1500];
	size_t len = test_data_l24_packet(b, 1, 1000, 1, N);
	struct in_addr other = {.s_addr = htonl(0x0a000001)};

	(void)state;
	s->p.source = any_src();
	assert_int_equal(aes67d_rx_packet(s, b, len, other, 1000, 0, 1), 0);
	assert_int_equal(atomic_load(&s->c.filtered), 1);
	assert_int_equal(aes67d_rx_packet(s, b, len - 1, any_src(), 1000, 0, 1), -AES67_EMALFORMED);
	assert_int_equal(aes67d_rx_packet(s, b, 11, any_src(), 1000, 0, 1), -AES67_ETRUNCATED);
	b[1] = 97;
	assert_int_equal(aes67d_rx_packet(s, b, len, any_src(), 1000, 0, 1), 0);
	assert_int_equal(atomic_load(&s->c.wrong_pt), 1);
	assert_int_equal(atomic_load(&s->c.malformed), 2);
	assert_int_equal(atomic_load(&s->c.packets), 0);
	aes67d_rx_stream_destroy(s);
}

/*
 * A packet arriving after the drain passed its positions but before the media clock (the
 * reader) reached them is patched into the device's capture ring (only the stream's channels)
 * and counted rescued, not late; one whose positions the reader may have read stays late.
 */
static void test_rx_rescue(void **state)
{
	const uint64_t now = 2000000;
	const uint32_t link = 144;
	struct aes67d_rx_stream *s = make_rx(now, link);
	struct aes67_ring ring;
	void *mem;
	int32_t dev[AES67D_RX_DRAIN_FRAMES * 4], buf[8 * 4], got[2 * N * 4];
	uint8_t b[1500];
	uint32_t ts = (uint32_t)now; /* placed at now + link */
	size_t len = test_data_l24_packet(b, 7, ts, 5, N);
	int r;

	(void)state;
	assert_int_equal(aes67d_engine_private_ring(&ring, RATE, 0, 4, 1024, &mem), 0);
	/* The drain moved [now, now + link + N) to the device as silence, other channels 0x55. */
	for (uint64_t p = now; p < now + link + N; p += N) {
		memset(dev, 0x55, sizeof(dev));
		assert_int_equal(aes67d_rx_drain(s, p, N, dev, 4), 0);
		assert_int_equal(aes67_ring_write(&ring.capture, p, dev, N), N);
	}
	assert_int_equal(aes67d_rx_packet(s, b, len, any_src(), now + N, ts, 1), 0);
	assert_int_equal(atomic_load(&s->c.late), 1);
	assert_int_equal(s->behind_frames, N);
	/* The reader is at now + N: positions from now + link on are still unread. */
	rt_guard_enter(RT_GUARD_CORE);
	r = aes67d_rx_rescue(s, &ring.capture, now + N + 8, buf, 8);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(r, N);
	assert_int_equal(atomic_load(&s->c.late), 0);
	assert_int_equal(atomic_load(&s->c.rescued), 1);
	assert_false(s->late_report); /* rescued whole: nothing to report */
	assert_int_equal(s->delay_frames, N);
	assert_int_equal(aes67_ring_read(&ring.capture, now + link - N, got, 2 * N, NULL), 2 * N);
	for (uint32_t f = 0; f < 2 * N; f++) {
		for (uint32_t c = 0; c < 2; c++) {
			int32_t want = f < N ? 0 : (int32_t)(((ts + f - N) & 0x7fff) << 1 | c) << 8;

			assert_int_equal(got[f * 4 + 1 + c], want);
		}
		assert_int_equal(got[f * 4], 0x55555555);
		assert_int_equal(got[f * 4 + 3], 0x55555555);
	}
	/* Nothing pending any more: a second call does nothing. */
	assert_int_equal(aes67d_rx_rescue(s, &ring.capture, now, buf, 8), 0);
	/* The same positions again (the ring's copy wiped), but a reader may have read the first
	 * frame: the packet is late and that frame stays as it was, the N - 1 others are patched.
	 */
	for (uint32_t i = 0; i < N * 4; i++) {
		dev[i] = 0x55555555;
	}
	assert_int_equal(aes67_ring_write(&ring.capture, now + link, dev, N), N);
	len = test_data_l24_packet(b, 8, ts, 5, N);
	assert_int_equal(aes67d_rx_packet(s, b, len, any_src(), now + N, ts, 1), 0);
	assert_int_equal(aes67d_rx_rescue(s, &ring.capture, now + link + 1, buf, 8), N - 1);
	assert_int_equal(atomic_load(&s->c.late), 1);
	assert_int_equal(atomic_load(&s->c.rescued), 1);
	/* The first late packet of a run is reported (the RX thread logs rx-late, then clears). */
	assert_true(s->late_report);
	s->late_report = false;
	assert_int_equal(aes67_ring_read(&ring.capture, now + link, got, N, NULL), N);
	for (uint32_t f = 0; f < N; f++) {
		int32_t want = f == 0 ? 0x55555555 : (int32_t)(((ts + f) & 0x7fff) << 1) << 8;

		assert_int_equal(got[f * 4 + 1], want);
		assert_int_equal(got[f * 4], 0x55555555);
	}
	/* Every frame before min_pos: nothing patched; late, but the same run: not reported. */
	assert_int_equal(aes67d_rx_packet(s, b, len, any_src(), now + N, ts, 1), 0);
	assert_int_equal(aes67d_rx_rescue(s, &ring.capture, now + link + N, buf, 8), 0);
	assert_false(s->late_report);
	/* A packet in time ends the run; the next late one is reported again. */
	len = test_data_l24_packet(b, 9, ts + 4 * N, 5, N);
	assert_int_equal(aes67d_rx_packet(s, b, len, any_src(), now + N, ts, 1), N);
	assert_int_equal(s->behind_frames, 0);
	assert_false(s->late_run);
	len = test_data_l24_packet(b, 10, ts, 5, N);
	assert_int_equal(aes67d_rx_packet(s, b, len, any_src(), now + 2 * N, ts, 1), 0);
	assert_int_equal(aes67d_rx_rescue(s, &ring.capture, now + link + N, buf, 8), 0);
	assert_true(s->late_report);
	assert_int_equal(s->delay_frames, 2 * N);
	/* A stream wider than the device is refused. */
	assert_int_equal(aes67d_rx_packet(s, b, len, any_src(), now + N, ts, 1), 0);
	s->p.device_channel_offset = 3;
	assert_int_equal(aes67d_rx_rescue(s, &ring.capture, now, buf, 8), -EINVAL);
	aes67d_rx_stream_destroy(s);
	free(mem);
}

/* The SDP a sender writes gives back the receiver its parameters. */
static void test_sdp_roundtrip(void **state)
{
	struct aes67d_tx_params tp;
	struct aes67d_rx_params rp;
	struct aes67d_net_if nif = {.addr = any_src(), .mac = {2, 0, 0, 0, 0, 1}};
	char sdp[2048], err[256];
	int len;

	(void)state;
	aes67d_tx_params_init(&tp);
	snprintf(tp.name, sizeof(tp.name), "t1");
	tp.dest.sin_addr.s_addr = htonl(0xEF450101);
	tp.format = AES67_PCM_L16;
	tp.channels = 8;
	tp.frames_per_packet = 6;
	tp.ptime_ns = 125000;
	tp.ts_offset = 12345;
	len = aes67d_stream_sdp_tx(&tp, &nif, 1, 1, sdp, sizeof(sdp));
	assert_true(len > 0);
	assert_non_null(strstr(sdp, "a=ts-refclk:localmac=02-00-00-00-00-01"));
	aes67d_rx_params_init(&rp);
	rp.link_offset_frames = 0;
	assert_int_equal(aes67d_stream_sdp_rx(sdp, (size_t)len, &rp, err, sizeof(err)), 0);
	assert_int_equal(rp.format, AES67_PCM_L16);
	assert_int_equal(rp.channels, 8);
	assert_int_equal(rp.frames_per_packet, 6);
	assert_int_equal(rp.ts_offset, 12345);
	assert_int_equal(rp.group.sin_addr.s_addr, htonl(0xEF450101));
	assert_int_equal(rp.link_offset_frames, 48); /* 1 ms below 1 ms packets */
	assert_int_equal(aes67d_stream_sdp_rx("v=0\r\n", 5, &rp, err, sizeof(err)) < 0, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_build),	  cmocka_unit_test(test_tx_shared_read),
		cmocka_unit_test(test_tx_refusals),	  cmocka_unit_test(test_rx_place_wrap_loss),
		cmocka_unit_test(test_rx_follow_restart), cmocka_unit_test(test_rx_refusals),
		cmocka_unit_test(test_rx_rescue),	  cmocka_unit_test(test_sdp_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
