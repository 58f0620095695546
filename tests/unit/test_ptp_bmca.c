// SPDX-License-Identifier: MIT
/*
 * Unit tests for the BMCA: every branch of the dataset comparison (IEEE 1588-2008 figures 27
 * and 28) in both argument orders, foreign master qualification (§9.3.2.5), and the state
 * decision (figure 26) for a one-port ordinary clock, including slave-only.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "aes67/ptp_bmca.h"
#include "rt_guard.h"

#define S_NS 1000000000LL
#define ANNOUNCE_NS (2 * S_NS) /* AES67 logAnnounceInterval 1 */

static void set_id(uint8_t id[8], uint8_t last)
{
	static const uint8_t base[8] = {0x00, 0x1D, 0xC1, 0xFF, 0xFE, 0x00, 0x00, 0x00};

	memcpy(id, base, 8);
	id[7] = last;
}

/* A default AES67 grandmaster dataset heard from sender `from` on our port 1 (clock 0x01). */
static struct aes67_ptp_dataset ds(uint8_t gm, uint8_t from)
{
	struct aes67_ptp_dataset d;

	memset(&d, 0, sizeof(d));
	d.priority1 = 128;
	d.priority2 = 128;
	d.quality.clock_class = 248;
	d.quality.clock_accuracy = 0xFE;
	d.quality.offset_scaled_log_variance = 0xFFFF;
	set_id(d.gm_identity, gm);
	set_id(d.sender.clock_identity, from);
	d.sender.port_number = 1;
	set_id(d.receiver.clock_identity, 0x01);
	d.receiver.port_number = 1;
	d.steps_removed = 0;
	return d;
}

/* Compare in both orders; the reverse must mirror (errors are symmetric). */
static void both(const struct aes67_ptp_dataset *a, const struct aes67_ptp_dataset *b,
		 enum aes67_ptp_ds_order want)
{
	enum aes67_ptp_ds_order rev = want;

	if (want != AES67_PTP_DS_ERROR_1 && want != AES67_PTP_DS_ERROR_2) {
		rev = (enum aes67_ptp_ds_order)(-(int)want);
	}
	assert_int_equal(aes67_ptp_ds_compare(a, b), want);
	assert_int_equal(aes67_ptp_ds_compare(b, a), rev);
}

static void test_figure27(void **state)
{
	struct aes67_ptp_dataset a, b;

	(void)state;
	/* Each attribute on its own, in the order of figure 27; lower wins. */
	a = ds(0x10, 0x10);
	b = ds(0x20, 0x20);
	a.priority1 = 127;
	both(&a, &b, AES67_PTP_DS_A_BETTER);
	a = ds(0x10, 0x10);
	a.quality.clock_class = 6;
	both(&a, &b, AES67_PTP_DS_A_BETTER);
	a = ds(0x10, 0x10);
	a.quality.clock_accuracy = 0x21;
	both(&a, &b, AES67_PTP_DS_A_BETTER);
	a = ds(0x10, 0x10);
	a.quality.offset_scaled_log_variance = 0x4E5D;
	both(&a, &b, AES67_PTP_DS_A_BETTER);
	a = ds(0x10, 0x10);
	a.priority2 = 1;
	both(&a, &b, AES67_PTP_DS_A_BETTER);
	/* All equal: the lower grandmaster identity wins (0x10 < 0x20). */
	a = ds(0x10, 0x10);
	both(&a, &b, AES67_PTP_DS_A_BETTER);

	/* Precedence: an earlier attribute outranks every later one. */
	a = ds(0x30, 0x30);
	a.priority1 = 127;
	a.quality.clock_class = 255;
	a.priority2 = 255;
	both(&a, &b, AES67_PTP_DS_A_BETTER);
	a = ds(0x30, 0x30);
	a.quality.clock_class = 7;
	a.quality.clock_accuracy = 0xFE;
	b.quality.clock_accuracy = 0x20;
	both(&a, &b, AES67_PTP_DS_A_BETTER);
	a = ds(0x30, 0x30);
	b = ds(0x20, 0x20);
	a.priority2 = 127;
	a.quality.offset_scaled_log_variance = 0x0001; /* variance before priority2 */
	b.priority2 = 1;
	both(&a, &b, AES67_PTP_DS_A_BETTER);
	/* stepsRemoved does not matter between different grandmasters. */
	a = ds(0x10, 0x10);
	b = ds(0x20, 0x20);
	a.steps_removed = 10;
	both(&a, &b, AES67_PTP_DS_A_BETTER);
}

static void test_figure28_steps(void **state)
{
	struct aes67_ptp_dataset a = ds(0x50, 0x10), b = ds(0x50, 0x20);

	(void)state;
	/* Same grandmaster, steps differ by more than one: fewer steps wins outright. */
	a.steps_removed = 3;
	b.steps_removed = 1;
	both(&a, &b, AES67_PTP_DS_B_BETTER);
	a.steps_removed = 0;
	b.steps_removed = 2;
	both(&a, &b, AES67_PTP_DS_A_BETTER);

	/* Within one: A longer. Receiver of A (0x01) vs sender of A. */
	a.steps_removed = 2;
	b.steps_removed = 1;
	set_id(a.sender.clock_identity, 0x10); /* receiver 0x01 < sender 0x10 */
	both(&a, &b, AES67_PTP_DS_B_BETTER);
	set_id(a.sender.clock_identity, 0x00); /* receiver 0x01 > sender 0x00 */
	both(&a, &b, AES67_PTP_DS_B_BETTER_TOPO);
	a.sender = a.receiver; /* our own Announce came back */
	both(&a, &b, AES67_PTP_DS_ERROR_1);
	/* Same, port number decides the identity order when clocks are equal. */
	a.sender.port_number = 2; /* receiver port 1 < sender port 2 */
	both(&a, &b, AES67_PTP_DS_B_BETTER);

	/* Within one: B longer (mirror of the above, through b's receiver/sender). */
	a = ds(0x50, 0x10);
	b = ds(0x50, 0x20);
	a.steps_removed = 4;
	b.steps_removed = 5;
	both(&a, &b, AES67_PTP_DS_A_BETTER); /* receiver 0x01 < sender 0x20 */
	set_id(b.sender.clock_identity, 0x00);
	both(&a, &b, AES67_PTP_DS_A_BETTER_TOPO);
	b.sender = b.receiver;
	both(&a, &b, AES67_PTP_DS_ERROR_1);
}

static void test_figure28_equal_steps(void **state)
{
	struct aes67_ptp_dataset a = ds(0x50, 0x10), b = ds(0x50, 0x20);

	(void)state;
	a.steps_removed = b.steps_removed = 1;
	/* Sender identities decide. */
	both(&a, &b, AES67_PTP_DS_A_BETTER_TOPO);
	set_id(a.sender.clock_identity, 0x20);
	a.sender.port_number = 2;
	both(&a, &b, AES67_PTP_DS_B_BETTER_TOPO); /* same clock, port 2 > 1 */
	/* Same sender: receiver port numbers decide. */
	a.sender = b.sender;
	a.receiver.port_number = 1;
	b.receiver.port_number = 2;
	both(&a, &b, AES67_PTP_DS_A_BETTER_TOPO);
	/* Same sender, same receiver port: the same message twice. */
	b.receiver.port_number = 1;
	both(&a, &b, AES67_PTP_DS_ERROR_2);
	both(&a, &a, AES67_PTP_DS_ERROR_2);
}

static struct aes67_ptp_msg announce(uint8_t from, uint8_t gm, uint16_t seq, uint8_t priority1)
{
	struct aes67_ptp_msg m;

	memset(&m, 0, sizeof(m));
	m.hdr.type = AES67_PTP_ANNOUNCE;
	m.hdr.version = 2;
	m.hdr.sequence_id = seq;
	set_id(m.hdr.source.clock_identity, from);
	m.hdr.source.port_number = 1;
	m.announce.gm_priority1 = priority1;
	m.announce.gm_priority2 = 128;
	m.announce.gm_quality.clock_class = 248;
	m.announce.gm_quality.clock_accuracy = 0xFE;
	m.announce.gm_quality.offset_scaled_log_variance = 0xFFFF;
	set_id(m.announce.gm_identity, gm);
	return m;
}

static void test_foreign_qualification(void **state)
{
	struct aes67_ptp_foreign_table t;
	struct aes67_ptp_dataset best;
	struct aes67_ptp_port_identity me;
	struct aes67_ptp_msg m;
	int64_t now = 1000 * S_NS;

	(void)state;
	set_id(me.clock_identity, 0x01);
	me.port_number = 1;
	aes67_ptp_foreign_init(&t, me.clock_identity);
	assert_int_equal(aes67_ptp_foreign_erbest(&t, now, ANNOUNCE_NS, &best), -AES67_ENOTFOUND);

	m = announce(0x10, 0x10, 100, 128);
	assert_int_equal(aes67_ptp_foreign_add(&t, &m, &me, now, ANNOUNCE_NS), 0);
	assert_int_equal(aes67_ptp_foreign_erbest(&t, now, ANNOUNCE_NS, &best), -AES67_ENOTFOUND);
	/* A repeated sequenceId is not a second Announce. */
	assert_int_equal(aes67_ptp_foreign_add(&t, &m, &me, now + S_NS, ANNOUNCE_NS), 0);
	m.hdr.sequence_id = 101;
	assert_int_equal(aes67_ptp_foreign_add(&t, &m, &me, now + 2 * S_NS, ANNOUNCE_NS), 1);
	assert_int_equal(aes67_ptp_foreign_erbest(&t, now + 2 * S_NS, ANNOUNCE_NS, &best), 0);
	assert_memory_equal(best.sender.clock_identity, m.hdr.source.clock_identity, 8);
	assert_memory_equal(best.receiver.clock_identity, me.clock_identity, 8);

	/* A better master qualifies and takes over; sequence wraps 65535 -> 0. */
	m = announce(0x20, 0x20, 65535, 100);
	assert_int_equal(aes67_ptp_foreign_add(&t, &m, &me, now + 3 * S_NS, ANNOUNCE_NS), 0);
	m.hdr.sequence_id = 0;
	assert_int_equal(aes67_ptp_foreign_add(&t, &m, &me, now + 4 * S_NS, ANNOUNCE_NS), 1);
	assert_int_equal(aes67_ptp_foreign_erbest(&t, now + 4 * S_NS, ANNOUNCE_NS, &best), 0);
	assert_int_equal(best.priority1, 100);

	/* Silence for longer than the window (4 x 2 s): both forgotten. */
	assert_int_equal(aes67_ptp_foreign_erbest(&t, now + 13 * S_NS, ANNOUNCE_NS, &best),
			 -AES67_ENOTFOUND);

	/* Two Announces further apart than the window do not qualify. */
	m = announce(0x30, 0x30, 1, 128);
	assert_int_equal(aes67_ptp_foreign_add(&t, &m, &me, now + 20 * S_NS, ANNOUNCE_NS), 0);
	m.hdr.sequence_id = 2;
	assert_int_equal(aes67_ptp_foreign_add(&t, &m, &me, now + 29 * S_NS, ANNOUNCE_NS), 0);

	/* Our own Announces and those 255 steps away never count. */
	m = announce(0x01, 0x01, 1, 1);
	assert_int_equal(aes67_ptp_foreign_add(&t, &m, &me, now, ANNOUNCE_NS), 0);
	m.hdr.sequence_id = 2;
	assert_int_equal(aes67_ptp_foreign_add(&t, &m, &me, now + 1, ANNOUNCE_NS), 0);
	m = announce(0x40, 0x40, 1, 1);
	m.announce.steps_removed = 255;
	assert_int_equal(aes67_ptp_foreign_add(&t, &m, &me, now, ANNOUNCE_NS), 0);
	m.hdr.sequence_id = 2;
	assert_int_equal(aes67_ptp_foreign_add(&t, &m, &me, now + 1, ANNOUNCE_NS), 0);

	/* Misuse. */
	m.hdr.type = AES67_PTP_SYNC;
	assert_int_equal(aes67_ptp_foreign_add(&t, &m, &me, now, ANNOUNCE_NS), -EINVAL);
	assert_int_equal(aes67_ptp_foreign_erbest(&t, now, 0, &best), -EINVAL);
}

static void test_foreign_table_full(void **state)
{
	struct aes67_ptp_foreign_table t;
	struct aes67_ptp_dataset best;
	struct aes67_ptp_port_identity me = {{0}, 1};
	int64_t now = 0;

	(void)state;
	aes67_ptp_foreign_init(&t, me.clock_identity);
	/* Twice as many senders as slots; the best (priority1 1) arrives last and must win. */
	for (unsigned i = 0; i < 2 * AES67_PTP_FOREIGN_MAX; i++) {
		struct aes67_ptp_msg m = announce((uint8_t)(0x80 + i), (uint8_t)(0x80 + i), 1,
						  i == 2 * AES67_PTP_FOREIGN_MAX - 1 ? 1 : 200);
		assert_int_equal(aes67_ptp_foreign_add(&t, &m, &me, now++, ANNOUNCE_NS), 0);
		m.hdr.sequence_id = 2;
		assert_int_equal(aes67_ptp_foreign_add(&t, &m, &me, now++, ANNOUNCE_NS), 1);
	}
	assert_int_equal(aes67_ptp_foreign_erbest(&t, now, ANNOUNCE_NS, &best), 0);
	assert_int_equal(best.priority1, 1);
}

static void test_state_decision(void **state)
{
	struct aes67_ptp_dataset d0 = ds(0x01, 0x01), far;

	(void)state;
	d0.sender = d0.receiver;
	/* No foreign master: LISTENING waits; elsewhere D0 is best. */
	assert_int_equal(aes67_ptp_bmca_decide(&d0, NULL, AES67_PTP_LISTENING, false),
			 AES67_PTP_DECISION_NONE);
	assert_int_equal(aes67_ptp_bmca_decide(&d0, NULL, AES67_PTP_MASTER, false),
			 AES67_PTP_DECISION_M2);
	/* Class 248: better -> M2, worse -> S1. */
	far = ds(0x20, 0x20);
	far.steps_removed = 1;
	assert_int_equal(aes67_ptp_bmca_decide(&d0, &far, AES67_PTP_LISTENING, false),
			 AES67_PTP_DECISION_M2); /* 0x01 < 0x20 */
	far.priority1 = 100;
	assert_int_equal(aes67_ptp_bmca_decide(&d0, &far, AES67_PTP_LISTENING, false),
			 AES67_PTP_DECISION_S1);
	/* Class 1..127 never slaves: M1 or P1. */
	d0.quality.clock_class = 6;
	far.priority1 = 128;
	assert_int_equal(aes67_ptp_bmca_decide(&d0, &far, AES67_PTP_SLAVE, false),
			 AES67_PTP_DECISION_M1);
	far.priority1 = 100;
	assert_int_equal(aes67_ptp_bmca_decide(&d0, &far, AES67_PTP_SLAVE, false),
			 AES67_PTP_DECISION_P1);
	d0.quality.clock_class = 127;
	assert_int_equal(aes67_ptp_bmca_decide(&d0, &far, AES67_PTP_SLAVE, false),
			 AES67_PTP_DECISION_P1);
	d0.quality.clock_class = 128;
	assert_int_equal(aes67_ptp_bmca_decide(&d0, &far, AES67_PTP_SLAVE, false),
			 AES67_PTP_DECISION_S1);
	/* Slave-only (class 255): slave to anyone, never master. */
	d0.quality.clock_class = AES67_PTP_CLASS_SLAVE_ONLY;
	assert_int_equal(aes67_ptp_bmca_decide(&d0, &far, AES67_PTP_LISTENING, true),
			 AES67_PTP_DECISION_S1);
	assert_int_equal(aes67_ptp_bmca_decide(&d0, NULL, AES67_PTP_SLAVE, true),
			 AES67_PTP_DECISION_NONE);
	d0.priority1 = 1;
	assert_int_equal(aes67_ptp_bmca_decide(&d0, &far, AES67_PTP_SLAVE, true),
			 AES67_PTP_DECISION_NONE);

	assert_int_equal(aes67_ptp_bmca_event(AES67_PTP_DECISION_M1), AES67_PTP_EV_RS_GRAND_MASTER);
	assert_int_equal(aes67_ptp_bmca_event(AES67_PTP_DECISION_M2), AES67_PTP_EV_RS_GRAND_MASTER);
	assert_int_equal(aes67_ptp_bmca_event(AES67_PTP_DECISION_M3), AES67_PTP_EV_RS_MASTER);
	assert_int_equal(aes67_ptp_bmca_event(AES67_PTP_DECISION_P1), AES67_PTP_EV_RS_PASSIVE);
	assert_int_equal(aes67_ptp_bmca_event(AES67_PTP_DECISION_P2), AES67_PTP_EV_RS_PASSIVE);
	assert_int_equal(aes67_ptp_bmca_event(AES67_PTP_DECISION_S1), AES67_PTP_EV_RS_SLAVE);
	assert_int_equal(aes67_ptp_bmca_event(AES67_PTP_DECISION_NONE), AES67_PTP_EV_NONE);
}

static void test_rt_guard(void **state)
{
	struct aes67_ptp_foreign_table t;
	struct aes67_ptp_dataset best, d0 = ds(0x01, 0x01);
	struct aes67_ptp_port_identity me = {{0}, 1};
	struct aes67_ptp_msg m = announce(0x10, 0x10, 1, 128);
	int r1, r2, r3;
	enum aes67_ptp_decision d;

	(void)state;
	aes67_ptp_foreign_init(&t, me.clock_identity);
	rt_guard_enter(RT_GUARD_CORE);
	r1 = aes67_ptp_foreign_add(&t, &m, &me, 0, ANNOUNCE_NS);
	m.hdr.sequence_id = 2;
	r2 = aes67_ptp_foreign_add(&t, &m, &me, 1, ANNOUNCE_NS);
	r3 = aes67_ptp_foreign_erbest(&t, 2, ANNOUNCE_NS, &best);
	d = aes67_ptp_bmca_decide(&d0, &best, AES67_PTP_LISTENING, false);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(r1, 0);
	assert_int_equal(r2, 1);
	assert_int_equal(r3, 0);
	assert_int_equal(d, AES67_PTP_DECISION_M2); /* 0x01 beats 0x10 on identity */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_figure27),
		cmocka_unit_test(test_figure28_steps),
		cmocka_unit_test(test_figure28_equal_steps),
		cmocka_unit_test(test_foreign_qualification),
		cmocka_unit_test(test_foreign_table_full),
		cmocka_unit_test(test_state_decision),
		cmocka_unit_test(test_rt_guard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
