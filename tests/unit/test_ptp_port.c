// SPDX-License-Identifier: MIT
/*
 * Unit tests for the PTP port with hand-made messages: configuration and identity, the master's
 * messages byte for byte (a hand-assembled Announce per IEEE 1588-2008 §13.5 is the golden
 * data), Follow_Up and Delay_Resp contents, slave-only behaviour, and hostile input: every kind
 * of refusal is counted under its own reason, produces no action and leaves the state alone.
 * All port calls run under the RT guard.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/ptp_port.h"
#include "rt_guard.h"

#define S 1000000000LL
#define TAI0 (1700000000LL * S)

static const uint8_t mac_self[6] = {0x00, 0x1D, 0xC1, 0x10, 0x20, 0x0A};

static struct aes67_ptp_port port;
static struct aes67_ptp_port_out out;

static void cfg_default(struct aes67_ptp_port_config *c)
{
	aes67_ptp_port_config_init(c);
	aes67_ptp_port_identity_from_mac(mac_self, c->clock_identity);
	c->seed = 42;
}

static void id_of(struct aes67_ptp_port_identity *id, uint8_t last)
{
	static const uint8_t base[8] = {0x00, 0x1D, 0xC1, 0xFF, 0xFE, 0x10, 0x20, 0x00};

	memcpy(id->clock_identity, base, 8);
	id->clock_identity[7] = last;
	id->port_number = 1;
}

static void test_config_and_identity(void **state)
{
	struct aes67_ptp_port_config c;
	uint8_t id[8];
	static const uint8_t want[8] = {0x00, 0x1D, 0xC1, 0xFF, 0xFE, 0x10, 0x20, 0x0A};

	(void)state;
	aes67_ptp_port_identity_from_mac(mac_self, id);
	assert_memory_equal(id, want, 8);
	aes67_ptp_port_config_init(&c);
	assert_int_equal(c.domain, 0);
	assert_int_equal(c.priority1, 128);
	assert_int_equal(c.priority2, 128);
	assert_int_equal(c.quality.clock_class, 248);
	assert_int_equal(c.quality.clock_accuracy, 0xFE);
	assert_int_equal(c.quality.offset_scaled_log_variance, 0xFFFF);
	assert_int_equal(c.log_announce_interval, 1);
	assert_int_equal(c.log_sync_interval, -3);
	assert_int_equal(c.log_min_delay_req_interval, -3);
	assert_int_equal(c.announce_receipt_timeout, 3);
	assert_int_equal(c.current_utc_offset_s, 37);
	assert_int_equal(c.time_source, 0xA0);
	/* All-zero identity, port 0, intervals out of the profile's range: refused. */
	assert_int_equal(aes67_ptp_port_init(&port, &c), -EINVAL);
	cfg_default(&c);
	assert_int_equal(aes67_ptp_port_init(&port, &c), 0);
	assert_int_equal(port.state, AES67_PTP_INITIALIZING);
	c.port_number = 0;
	assert_int_equal(aes67_ptp_port_init(&port, &c), -EINVAL);
	cfg_default(&c);
	c.log_sync_interval = -5;
	assert_int_equal(aes67_ptp_port_init(&port, &c), -EINVAL);
	cfg_default(&c);
	c.announce_receipt_timeout = 1;
	assert_int_equal(aes67_ptp_port_init(&port, &c), -EINVAL);
	cfg_default(&c);
	c.servo.delay_window = 4;
	assert_int_equal(aes67_ptp_port_init(&port, &c), -EINVAL);
	cfg_default(&c);
	c.slave_only = true;
	assert_int_equal(aes67_ptp_port_init(&port, &c), 0);
	assert_int_equal(port.cfg.quality.clock_class, 255);
	assert_int_equal(aes67_ptp_port_init(NULL, &c), -EINVAL);
	for (int d = 0; d < AES67_PTP_PORT_DROP_COUNT; d++) {
		assert_string_not_equal(aes67_ptp_port_drop_str((enum aes67_ptp_port_drop)d), "?");
	}
	assert_string_equal(aes67_ptp_port_drop_str(AES67_PTP_PORT_DROP_COUNT), "?");
}

static const struct aes67_ptp_action *find(enum aes67_ptp_action_type t, unsigned nth)
{
	for (unsigned i = 0; i < out.n; i++) {
		if (out.act[i].type == t && nth-- == 0) {
			return &out.act[i];
		}
	}
	return NULL;
}

/* Start a port; return the announce receipt deadline. */
static int64_t start(const struct aes67_ptp_port_config *c, int64_t now)
{
	const struct aes67_ptp_action *a;

	assert_int_equal(aes67_ptp_port_init(&port, c), 0);
	rt_guard_enter(RT_GUARD_CORE);
	assert_int_equal(aes67_ptp_port_start(&port, now, &out), 0);
	assert_int_equal(rt_guard_leave(), 0);
	a = find(AES67_PTP_ACT_STATE, 0);
	assert_non_null(a);
	assert_int_equal(a->old_state, AES67_PTP_INITIALIZING);
	assert_int_equal(a->new_state, AES67_PTP_LISTENING);
	/* §9.2.6.11: 3 intervals of 2 s plus up to one interval at random. */
	assert_true(out.next_deadline_ns >= now + 6 * S);
	assert_true(out.next_deadline_ns < now + 8 * S);
	return out.next_deadline_ns;
}

/* The Announce a default grandmaster 00:1D:C1:FF:FE:10:20:0A sends at PTP time
 * 1700000000.123456789 s, assembled by hand from §13.3 and §13.5. */
static const uint8_t golden_announce[64] = {
	0x0B, 0x02, 0x00, 0x40, 0x00, 0x00, 0x00, 0x0C,	      /* type, version, length, flags */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	      /* correctionField */
	0x00, 0x00, 0x00, 0x00,				      /* reserved */
	0x00, 0x1D, 0xC1, 0xFF, 0xFE, 0x10, 0x20, 0x0A,	      /* sourcePortIdentity */
	0x00, 0x01, 0x00, 0x00, 0x05, 0x01,		      /* port, sequenceId, control, log */
	0x00, 0x00, 0x65, 0x53, 0xF1, 0x00,		      /* originTimestamp seconds */
	0x07, 0x5B, 0xCD, 0x15,				      /* nanoseconds */
	0x00, 0x25, 0x00, 0x80, 0xF8, 0xFE, 0xFF, 0xFF, 0x80, /* utc 37, p1, quality, p2 */
	0x00, 0x1D, 0xC1, 0xFF, 0xFE, 0x10, 0x20, 0x0A,	      /* grandmasterIdentity */
	0x00, 0x00, 0xA0,				      /* stepsRemoved, timeSource */
};

static void test_master_messages(void **state)
{
	struct aes67_ptp_port_config c;
	struct aes67_ptp_port_timebase tb = {0, TAI0 + 123456789, 0};
	const struct aes67_ptp_action *a;
	struct aes67_ptp_msg m, req;
	struct aes67_ptp_port_identity slave;
	uint8_t buf[64];
	int64_t due, t;
	int n;

	(void)state;
	cfg_default(&c);
	due = start(&c, 5 * S);
	tb.mono_ns0 = due;
	aes67_ptp_port_set_timebase(&port, &tb);
	/* Nothing heard: the announce receipt timeout makes us grandmaster (figure 23). */
	rt_guard_enter(RT_GUARD_CORE);
	assert_int_equal(aes67_ptp_port_tick(&port, due - 1, &out), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(aes67_ptp_port_tick(&port, due, &out), 0);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(port.state, AES67_PTP_MASTER);
	a = find(AES67_PTP_ACT_GM_CHANGED, 0);
	assert_non_null(a);
	assert_memory_equal(a->gm_identity, golden_announce + 20, 8);
	a = find(AES67_PTP_ACT_SEND, 0);
	assert_non_null(a);
	assert_int_equal(a->channel, AES67_PTP_CH_GENERAL);
	assert_false(a->need_tx_ts);
	assert_int_equal(a->len_bytes, sizeof(golden_announce));
	assert_memory_equal(a->bytes, golden_announce, sizeof(golden_announce));
	a = find(AES67_PTP_ACT_SEND, 1);
	assert_non_null(a);
	assert_int_equal(a->channel, AES67_PTP_CH_EVENT);
	assert_true(a->need_tx_ts);
	assert_int_equal(aes67_ptp_msg_parse(a->bytes, a->len_bytes, &m, NULL), 0);
	assert_int_equal(m.hdr.type, AES67_PTP_SYNC);
	assert_int_equal(m.hdr.flags, AES67_PTP_FLAG_TWO_STEP);
	assert_int_equal(m.hdr.log_message_interval, -3);
	assert_int_equal(m.hdr.control, AES67_PTP_CONTROL_SYNC);
	/* Next: the Sync interval (125 ms) comes before the Announce interval. */
	assert_int_equal(out.next_deadline_ns, due + S / 8);

	/* The transmit timestamp becomes the Follow_Up's preciseOriginTimestamp (§9.5.10). */
	rt_guard_enter(RT_GUARD_CORE);
	assert_int_equal(aes67_ptp_port_tx_ts(&port, a->tx_token, due + 10000, due + 20000, &out),
			 0);
	assert_int_equal(rt_guard_leave(), 0);
	a = find(AES67_PTP_ACT_SEND, 0);
	assert_non_null(a);
	assert_int_equal(a->channel, AES67_PTP_CH_GENERAL);
	assert_int_equal(aes67_ptp_msg_parse(a->bytes, a->len_bytes, &m, NULL), 0);
	assert_int_equal(m.hdr.type, AES67_PTP_FOLLOW_UP);
	assert_int_equal(m.hdr.sequence_id, 0);
	assert_int_equal(m.hdr.control, AES67_PTP_CONTROL_FOLLOW_UP);
	assert_int_equal(aes67_ptp_time_to_ns(&m.ts, &t), 0);
	assert_int_equal(t, TAI0 + 123456789 + 10000);
	/* A second timestamp for the same Sync is stale. */
	assert_int_equal(aes67_ptp_port_tx_ts(&port, 0, due + 10000, due + 20000, &out), 1);
	assert_int_equal(out.n, 0);
	assert_int_equal(port.drop[AES67_PTP_PORT_DROP_TX_TS], 1);

	/* Delay_Req -> Delay_Resp with t4, requester, sequenceId and correction (§11.3.2). */
	memset(&req, 0, sizeof(req));
	req.hdr.type = AES67_PTP_DELAY_REQ;
	req.hdr.version = 2;
	id_of(&slave, 0x0B);
	req.hdr.source = slave;
	req.hdr.sequence_id = 7;
	req.hdr.correction_scaled_ns = 3 << 16;
	n = aes67_ptp_msg_build(&req, buf, sizeof(buf));
	assert_true(n > 0);
	rt_guard_enter(RT_GUARD_CORE);
	assert_int_equal(aes67_ptp_port_rx(&port, buf, (size_t)n, AES67_PTP_CH_EVENT, due + 30000,
					   due + 31000, &out),
			 0);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(out.n, 1);
	a = &out.act[0];
	assert_int_equal(a->channel, AES67_PTP_CH_GENERAL);
	assert_int_equal(aes67_ptp_msg_parse(a->bytes, a->len_bytes, &m, NULL), 0);
	assert_int_equal(m.hdr.type, AES67_PTP_DELAY_RESP);
	assert_int_equal(m.hdr.sequence_id, 7);
	assert_int_equal(m.hdr.correction_scaled_ns, 3 << 16);
	assert_int_equal(m.hdr.log_message_interval, -3);
	assert_int_equal(m.requesting.port_number, 1);
	assert_memory_equal(m.requesting.clock_identity, slave.clock_identity, 8);
	assert_int_equal(aes67_ptp_time_to_ns(&m.ts, &t), 0);
	assert_int_equal(t, TAI0 + 123456789 + 30000);

	/* Announce and Sync go on at their intervals. */
	rt_guard_enter(RT_GUARD_CORE);
	assert_int_equal(aes67_ptp_port_tick(&port, due + 2 * S, &out), 0);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(port.tx[AES67_PTP_ANNOUNCE], 2);
	assert_int_equal(port.tx[AES67_PTP_SYNC], 2);
	assert_int_equal(port.tx[AES67_PTP_FOLLOW_UP], 1);
	assert_int_equal(port.tx[AES67_PTP_DELAY_RESP], 1);
}

static void test_slave_only_listens(void **state)
{
	struct aes67_ptp_port_config c;
	int64_t due;

	(void)state;
	cfg_default(&c);
	c.slave_only = true;
	due = start(&c, 0);
	rt_guard_enter(RT_GUARD_CORE);
	assert_int_equal(aes67_ptp_port_tick(&port, due, &out), 0);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(port.state, AES67_PTP_LISTENING);
	assert_int_equal(out.n, 0);
	assert_true(out.next_deadline_ns >= due + 6 * S);
}

/* A message from a foreign master 0x0M (or as given), built into buf. */
static size_t build(uint8_t *buf, unsigned type, uint8_t from, uint16_t seq)
{
	struct aes67_ptp_msg m;
	int n;

	memset(&m, 0, sizeof(m));
	m.hdr.type = (uint8_t)type;
	m.hdr.version = 2;
	id_of(&m.hdr.source, from);
	m.hdr.sequence_id = seq;
	m.ts.sec = 1700000000;
	if (type == AES67_PTP_ANNOUNCE) {
		m.announce.gm_priority1 = 100;
		m.announce.gm_quality.clock_class = 248;
		m.announce.gm_quality.clock_accuracy = 0xFE;
		m.announce.gm_quality.offset_scaled_log_variance = 0xFFFF;
		m.announce.gm_priority2 = 128;
		memcpy(m.announce.gm_identity, m.hdr.source.clock_identity, 8);
		m.announce.origin.sec = 1700000000;
	}
	if (type == AES67_PTP_SYNC) {
		m.hdr.flags = AES67_PTP_FLAG_TWO_STEP;
	}
	n = aes67_ptp_msg_build(&m, buf, 128);
	assert_true(n > 0);
	return (size_t)n;
}

static int rx(const uint8_t *buf, size_t len, enum aes67_ptp_channel ch, int64_t now)
{
	int r;

	rt_guard_enter(RT_GUARD_CORE);
	r = aes67_ptp_port_rx(&port, buf, len, ch, now, now, &out);
	assert_int_equal(rt_guard_leave(), 0);
	return r;
}

/* Expect one refusal of reason `why` with no action and no state change. */
static void refused(const uint8_t *buf, size_t len, enum aes67_ptp_channel ch,
		    enum aes67_ptp_port_drop why, int64_t now)
{
	uint32_t before = port.drop[why];
	enum aes67_ptp_port_state st = port.state;

	assert_int_equal(rx(buf, len, ch, now), 1);
	assert_int_equal(port.drop[why], before + 1);
	assert_int_equal(out.n, 0);
	assert_int_equal(port.state, st);
}

static void test_hostile(void **state)
{
	struct aes67_ptp_port_config c;
	struct aes67_ptp_msg m;
	uint8_t buf[128];
	size_t n;
	int64_t now = 10 * S;
	const struct aes67_ptp_action *a;

	(void)state;
	cfg_default(&c);
	(void)start(&c, now);
	/* Two Announces from 0x0C (priority1 100) qualify it (§9.3.2.5): UNCALIBRATED. */
	n = build(buf, AES67_PTP_ANNOUNCE, 0x0C, 1);
	assert_int_equal(rx(buf, n, AES67_PTP_CH_GENERAL, now), 0);
	assert_int_equal(port.state, AES67_PTP_LISTENING);
	now += 2 * S;
	n = build(buf, AES67_PTP_ANNOUNCE, 0x0C, 2);
	assert_int_equal(rx(buf, n, AES67_PTP_CH_GENERAL, now), 0);
	assert_int_equal(port.state, AES67_PTP_UNCALIBRATED);
	a = find(AES67_PTP_ACT_GM_CHANGED, 0);
	assert_non_null(a);
	assert_int_equal(a->gm_identity[7], 0x0C);

	/* Wrong domain. */
	n = build(buf, AES67_PTP_SYNC, 0x0C, 5);
	buf[4] = 1;
	refused(buf, n, AES67_PTP_CH_EVENT, AES67_PTP_PORT_DROP_DOMAIN, now);
	/* Our own Announce looped back (source = our identity ...:0A). */
	n = build(buf, AES67_PTP_ANNOUNCE, 0x0A, 9);
	refused(buf, n, AES67_PTP_CH_GENERAL, AES67_PTP_PORT_DROP_OWN, now);
	/* Follow_Up without its Sync. */
	n = build(buf, AES67_PTP_FOLLOW_UP, 0x0C, 77);
	refused(buf, n, AES67_PTP_CH_GENERAL, AES67_PTP_PORT_DROP_NO_SYNC, now);
	/* Delay_Resp for another slave. */
	memset(&m, 0, sizeof(m));
	m.hdr.type = AES67_PTP_DELAY_RESP;
	id_of(&m.hdr.source, 0x0C);
	id_of(&m.requesting, 0x0B);
	n = (size_t)aes67_ptp_msg_build(&m, buf, sizeof(buf));
	refused(buf, n, AES67_PTP_CH_GENERAL, AES67_PTP_PORT_DROP_NOT_FOR_US, now);
	/* Delay_Resp for us with no request outstanding. */
	id_of(&m.requesting, 0x0A);
	n = (size_t)aes67_ptp_msg_build(&m, buf, sizeof(buf));
	refused(buf, n, AES67_PTP_CH_GENERAL, AES67_PTP_PORT_DROP_NO_REQUEST, now);
	/* Truncated: shorter than the header, and shorter than messageLength says. */
	n = build(buf, AES67_PTP_SYNC, 0x0C, 6);
	refused(buf, 20, AES67_PTP_CH_EVENT, AES67_PTP_PORT_DROP_PARSE, now);
	assert_int_equal(port.parse_drop[AES67_PTP_DROP_SHORT_HEADER], 1);
	n = build(buf, AES67_PTP_ANNOUNCE, 0x0C, 3);
	refused(buf, n - 14, AES67_PTP_CH_GENERAL, AES67_PTP_PORT_DROP_PARSE, now);
	assert_int_equal(port.parse_drop[AES67_PTP_DROP_LENGTH_DGRAM], 1);
	refused(buf, 0, AES67_PTP_CH_GENERAL, AES67_PTP_PORT_DROP_PARSE, now);
	/* Sync from a master we do not follow. */
	n = build(buf, AES67_PTP_SYNC, 0x0D, 1);
	refused(buf, n, AES67_PTP_CH_EVENT, AES67_PTP_PORT_DROP_NOT_PARENT, now);
	/* Sync on the general port. */
	n = build(buf, AES67_PTP_SYNC, 0x0C, 1);
	refused(buf, n, AES67_PTP_CH_GENERAL, AES67_PTP_PORT_DROP_CHANNEL, now);
	/* Delay_Req while not master. */
	n = build(buf, AES67_PTP_DELAY_REQ, 0x0D, 1);
	refused(buf, n, AES67_PTP_CH_EVENT, AES67_PTP_PORT_DROP_STATE, now);
	/* Management and signaling are not handled. */
	n = build(buf, AES67_PTP_MANAGEMENT, 0x0C, 1);
	refused(buf, n, AES67_PTP_CH_GENERAL, AES67_PTP_PORT_DROP_UNSUPPORTED, now);
	/* A transmit timestamp for nothing we sent. */
	rt_guard_enter(RT_GUARD_CORE);
	assert_int_equal(aes67_ptp_port_tx_ts(&port, 0x10005, now, now, &out), 1);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(port.drop[AES67_PTP_PORT_DROP_TX_TS], 1);
	/* Every byte pattern of a short garbage header is refused without a state change. */
	for (unsigned v = 0; v < 256; v++) {
		memset(buf, (int)v, 40);
		(void)rx(buf, 40, AES67_PTP_CH_L2, now);
		assert_int_equal(port.state, AES67_PTP_UNCALIBRATED);
	}

	/* The genuine pair still works: Sync then Follow_Up from the parent. */
	n = build(buf, AES67_PTP_SYNC, 0x0C, 100);
	assert_int_equal(rx(buf, n, AES67_PTP_CH_EVENT, now), 0);
	n = build(buf, AES67_PTP_FOLLOW_UP, 0x0C, 100);
	assert_int_equal(rx(buf, n, AES67_PTP_CH_GENERAL, now + 1000), 0);
	assert_true(port.have_sync);
	assert_int_equal(port.rx[AES67_PTP_SYNC], 4);
	assert_int_equal(port.state, AES67_PTP_UNCALIBRATED);
	/* Now a Delay_Req goes out at the next deadline, on the event channel. */
	rt_guard_enter(RT_GUARD_CORE);
	assert_int_equal(aes67_ptp_port_tick(&port, now + 2 * S / 8 + 1, &out), 0);
	assert_int_equal(rt_guard_leave(), 0);
	a = find(AES67_PTP_ACT_SEND, 0);
	assert_non_null(a);
	assert_int_equal(a->bytes[0] & 0x0f, AES67_PTP_DELAY_REQ);
	assert_int_equal(a->channel, AES67_PTP_CH_EVENT);
	assert_true(a->need_tx_ts);
}

/* The grandmaster stops announcing: a port that can be master takes over. */
static void test_announce_timeout_failover(void **state)
{
	struct aes67_ptp_port_config c;
	uint8_t buf[128];
	size_t n;
	int64_t now = 0;

	(void)state;
	cfg_default(&c);
	(void)start(&c, now);
	for (uint16_t k = 1; k <= 2; k++) {
		now += 2 * S;
		n = build(buf, AES67_PTP_ANNOUNCE, 0x0C, k);
		assert_int_equal(rx(buf, n, AES67_PTP_CH_GENERAL, now), 0);
	}
	assert_int_equal(port.state, AES67_PTP_UNCALIBRATED);
	assert_true(out.next_deadline_ns <= now + S / 4 + 1); /* the Delay_Req timer */
	rt_guard_enter(RT_GUARD_CORE);
	for (int64_t t = now; t < now + 6 * S; t += S / 8) {
		assert_int_equal(aes67_ptp_port_tick(&port, t, &out), 0);
		assert_int_equal(port.state, AES67_PTP_UNCALIBRATED);
	}
	assert_int_equal(aes67_ptp_port_tick(&port, now + 8 * S, &out), 0);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(port.state, AES67_PTP_MASTER);
	assert_non_null(find(AES67_PTP_ACT_GM_CHANGED, 0));
	assert_int_equal(find(AES67_PTP_ACT_GM_CHANGED, 0)->gm_identity[7], 0x0A);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_and_identity),
		cmocka_unit_test(test_master_messages),
		cmocka_unit_test(test_slave_only_listens),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_announce_timeout_failover),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
