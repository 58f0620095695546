// SPDX-License-Identifier: MIT
/*
 * Exhaustive tests of the PTP port state machines: every (state, event, mdiff) combination is
 * checked against transition lists written out from IEEE 1588-2008 figures 23 and 24. Anything
 * not listed must leave the state unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "aes67/ptp_fsm.h"
#include "rt_guard.h"

#define ANY_MDIFF (-1)

struct arc {
	enum aes67_ptp_port_state from;
	enum aes67_ptp_fsm_event ev;
	int mdiff; /* 0, 1 or ANY_MDIFF */
	enum aes67_ptp_port_state to;
};

/* Short names keep the transition lists readable. */
#define I AES67_PTP_INITIALIZING
#define F AES67_PTP_FAULTY
#define D AES67_PTP_DISABLED
#define L AES67_PTP_LISTENING
#define PM AES67_PTP_PRE_MASTER
#define M AES67_PTP_MASTER
#define P AES67_PTP_PASSIVE
#define U AES67_PTP_UNCALIBRATED
#define S AES67_PTP_SLAVE

/* Figure 23, state by state (the "from any state" arcs are expanded in check()). */
static const struct arc full[] = {
	{F, AES67_PTP_EV_FAULT_CLEARED, ANY_MDIFF, I},
	{D, AES67_PTP_EV_DESIGNATED_ENABLED, ANY_MDIFF, I},
	{L, AES67_PTP_EV_ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES, ANY_MDIFF, M},
	{L, AES67_PTP_EV_RS_MASTER, ANY_MDIFF, PM},
	{L, AES67_PTP_EV_RS_GRAND_MASTER, ANY_MDIFF, M},
	{L, AES67_PTP_EV_RS_SLAVE, ANY_MDIFF, U},
	{L, AES67_PTP_EV_RS_PASSIVE, ANY_MDIFF, P},
	{PM, AES67_PTP_EV_QUALIFICATION_TIMEOUT_EXPIRES, ANY_MDIFF, M},
	{PM, AES67_PTP_EV_RS_SLAVE, ANY_MDIFF, U},
	{PM, AES67_PTP_EV_RS_PASSIVE, ANY_MDIFF, P},
	{M, AES67_PTP_EV_RS_SLAVE, ANY_MDIFF, U},
	{M, AES67_PTP_EV_RS_PASSIVE, ANY_MDIFF, P},
	{P, AES67_PTP_EV_ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES, ANY_MDIFF, M},
	{P, AES67_PTP_EV_RS_MASTER, ANY_MDIFF, PM},
	{P, AES67_PTP_EV_RS_GRAND_MASTER, ANY_MDIFF, M},
	{P, AES67_PTP_EV_RS_SLAVE, ANY_MDIFF, U},
	{U, AES67_PTP_EV_ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES, ANY_MDIFF, M},
	{U, AES67_PTP_EV_RS_MASTER, ANY_MDIFF, PM},
	{U, AES67_PTP_EV_RS_GRAND_MASTER, ANY_MDIFF, M},
	{U, AES67_PTP_EV_RS_PASSIVE, ANY_MDIFF, P},
	{U, AES67_PTP_EV_MASTER_CLOCK_SELECTED, ANY_MDIFF, S},
	{S, AES67_PTP_EV_ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES, ANY_MDIFF, M},
	{S, AES67_PTP_EV_RS_MASTER, ANY_MDIFF, PM},
	{S, AES67_PTP_EV_RS_GRAND_MASTER, ANY_MDIFF, M},
	{S, AES67_PTP_EV_RS_PASSIVE, ANY_MDIFF, P},
	{S, AES67_PTP_EV_SYNCHRONIZATION_FAULT, ANY_MDIFF, U},
	{S, AES67_PTP_EV_RS_SLAVE, 1, U},
};

/* Figure 24 (slave-only). */
static const struct arc slave_only[] = {
	{F, AES67_PTP_EV_FAULT_CLEARED, ANY_MDIFF, I},
	{D, AES67_PTP_EV_DESIGNATED_ENABLED, ANY_MDIFF, I},
	{L, AES67_PTP_EV_RS_SLAVE, ANY_MDIFF, U},
	{U, AES67_PTP_EV_ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES, ANY_MDIFF, L},
	{U, AES67_PTP_EV_RS_MASTER, ANY_MDIFF, L},
	{U, AES67_PTP_EV_RS_GRAND_MASTER, ANY_MDIFF, L},
	{U, AES67_PTP_EV_RS_PASSIVE, ANY_MDIFF, L},
	{U, AES67_PTP_EV_MASTER_CLOCK_SELECTED, ANY_MDIFF, S},
	{S, AES67_PTP_EV_ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES, ANY_MDIFF, L},
	{S, AES67_PTP_EV_RS_MASTER, ANY_MDIFF, L},
	{S, AES67_PTP_EV_RS_GRAND_MASTER, ANY_MDIFF, L},
	{S, AES67_PTP_EV_RS_PASSIVE, ANY_MDIFF, L},
	{S, AES67_PTP_EV_SYNCHRONIZATION_FAULT, ANY_MDIFF, U},
	{S, AES67_PTP_EV_RS_SLAVE, 1, U},
};

static enum aes67_ptp_port_state expected(const struct arc *arcs, size_t n, int slave,
					  enum aes67_ptp_port_state s, enum aes67_ptp_fsm_event e,
					  int mdiff)
{
	if (e == AES67_PTP_EV_POWERUP || e == AES67_PTP_EV_INITIALIZE) {
		return I;
	}
	if (e == AES67_PTP_EV_DESIGNATED_DISABLED) {
		return D;
	}
	if (e == AES67_PTP_EV_FAULT_DETECTED) {
		return s == D ? D : F;
	}
	if (s == I) {
		return L; /* initialisation completes */
	}
	if (slave && (s == PM || s == M || s == P)) {
		return L; /* unreachable states fall back to LISTENING */
	}
	for (size_t i = 0; i < n; i++) {
		if (arcs[i].from == s && arcs[i].ev == e &&
		    (arcs[i].mdiff == ANY_MDIFF || arcs[i].mdiff == mdiff)) {
			return arcs[i].to;
		}
	}
	return s;
}

static unsigned check(const struct arc *arcs, size_t n, int slave)
{
	unsigned checked = 0;

	for (enum aes67_ptp_port_state s = I; s <= S; s++) {
		for (enum aes67_ptp_fsm_event e = AES67_PTP_EV_NONE + 1; e < AES67_PTP_EV_COUNT;
		     e++) {
			for (int mdiff = 0; mdiff <= 1; mdiff++) {
				enum aes67_ptp_port_state want =
					expected(arcs, n, slave, s, e, mdiff);
				enum aes67_ptp_port_state got =
					slave ? aes67_ptp_fsm_slave_only(s, e, mdiff)
					      : aes67_ptp_fsm(s, e, mdiff);

				if (got != want) {
					print_error("%s %s ev %d mdiff %d: got %s want %s\n",
						    slave ? "slave-only" : "full",
						    aes67_ptp_port_state_str(s), e, mdiff,
						    aes67_ptp_port_state_str(got),
						    aes67_ptp_port_state_str(want));
				}
				assert_int_equal(got, want);
				checked++;
			}
		}
	}
	return checked;
}

static void test_full_exhaustive(void **state)
{
	(void)state;
	assert_int_equal(check(full, AES67_ARRAY_SIZE(full), 0), 9 * 15 * 2);
}

static void test_slave_only_exhaustive(void **state)
{
	(void)state;
	assert_int_equal(check(slave_only, AES67_ARRAY_SIZE(slave_only), 1), 9 * 15 * 2);
}

static void test_slave_only_never_master(void **state)
{
	(void)state;
	for (enum aes67_ptp_port_state s = I; s <= S; s++) {
		for (enum aes67_ptp_fsm_event e = AES67_PTP_EV_NONE + 1; e < AES67_PTP_EV_COUNT;
		     e++) {
			enum aes67_ptp_port_state n = aes67_ptp_fsm_slave_only(s, e, 0);
			assert_true(n != PM && n != M && n != P);
		}
	}
}

static void test_invalid_inputs(void **state)
{
	(void)state;
	assert_int_equal(aes67_ptp_fsm(S, AES67_PTP_EV_NONE, 0), S);
	assert_int_equal(aes67_ptp_fsm(S, AES67_PTP_EV_COUNT, 0), S);
	assert_int_equal(aes67_ptp_fsm(0, AES67_PTP_EV_POWERUP, 0), 0);
	assert_int_equal(aes67_ptp_fsm(42, AES67_PTP_EV_POWERUP, 0), 42);
	assert_string_equal(aes67_ptp_port_state_str(PM), "PRE_MASTER");
	assert_string_equal(aes67_ptp_port_state_str(0), "?");
}

/* A typical life: power up, listen, hear a better master, calibrate, lock, lose it. */
static void test_walk(void **state)
{
	enum aes67_ptp_port_state s = S;
	static const struct {
		enum aes67_ptp_fsm_event e;
		int mdiff;
		enum aes67_ptp_port_state want;
	} walk[] = {
		{AES67_PTP_EV_POWERUP, 0, I},
		{AES67_PTP_EV_STATE_DECISION_EVENT, 0, L},
		{AES67_PTP_EV_RS_SLAVE, 1, U},
		{AES67_PTP_EV_MASTER_CLOCK_SELECTED, 0, S},
		{AES67_PTP_EV_RS_SLAVE, 0, S},
		{AES67_PTP_EV_ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES, 0, M},
		{AES67_PTP_EV_RS_SLAVE, 1, U},
		{AES67_PTP_EV_RS_MASTER, 0, PM},
		{AES67_PTP_EV_QUALIFICATION_TIMEOUT_EXPIRES, 0, M},
		{AES67_PTP_EV_FAULT_DETECTED, 0, F},
		{AES67_PTP_EV_FAULT_CLEARED, 0, I},
	};

	(void)state;
	rt_guard_enter(RT_GUARD_CORE);
	for (size_t i = 0; i < AES67_ARRAY_SIZE(walk); i++) {
		s = aes67_ptp_fsm(s, walk[i].e, walk[i].mdiff);
		if (s != walk[i].want) {
			break;
		}
	}
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(s, I);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_exhaustive),
		cmocka_unit_test(test_slave_only_exhaustive),
		cmocka_unit_test(test_slave_only_never_master),
		cmocka_unit_test(test_invalid_inputs),
		cmocka_unit_test(test_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
