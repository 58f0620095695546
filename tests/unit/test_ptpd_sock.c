// SPDX-License-Identifier: MIT
/*
 * Unit tests of the PTP transport's socket-free parts (src/engine/ptp_sock.c): matching a
 * transmit stamp's packet copy to the pending message (with Ethernet/IPv4/UDP headers in front,
 * with Ethernet padding after, or not ours at all), expiring stamps that never come, and the
 * refusals of aes67d_ptp_sock_open() for a missing interface and a bad transport.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ptp_sock.h"

static void pend(struct aes67d_ptp_sock *s, int i, uint32_t token, uint8_t seq, int64_t t)
{
	s->pending[i].used = true;
	s->pending[i].token = token;
	s->pending[i].len_bytes = 44;
	s->pending[i].sent_mono_ns = t;
	memset(s->pending[i].bytes, 0, 44);
	s->pending[i].bytes[0] = 0x00; /* Sync */
	s->pending[i].bytes[1] = 0x02;
	s->pending[i].bytes[31] = seq;
}

static void test_match(void **state)
{
	struct aes67d_ptp_sock s;
	uint8_t pkt[14 + 20 + 8 + 44 + 16];

	(void)state;
	memset(&s, 0, sizeof(s));
	pend(&s, 1, 0x10007, 7, 0);
	pend(&s, 3, 0x10008, 8, 0);
	/* Exactly the payload. */
	assert_int_equal(aes67d_ptp_sock_match(&s, s.pending[3].bytes, 44), 3);
	/* Behind Ethernet + IPv4 + UDP headers (UDP error queue copy). */
	memset(pkt, 0xAB, sizeof(pkt));
	memcpy(pkt + 42, s.pending[1].bytes, 44);
	assert_int_equal(aes67d_ptp_sock_match(&s, pkt, 42 + 44), 1);
	/* Followed by padding to the Ethernet minimum. */
	memset(pkt + 42 + 44, 0, 16);
	assert_int_equal(aes67d_ptp_sock_match(&s, pkt, sizeof(pkt)), 1);
	/* Another sequence number: not ours. */
	pkt[42 + 31] = 9;
	assert_int_equal(aes67d_ptp_sock_match(&s, pkt, sizeof(pkt)), -1);
	/* Too short to hold it. */
	assert_int_equal(aes67d_ptp_sock_match(&s, s.pending[3].bytes, 43), -1);
	/* A slot no longer pending never matches. */
	s.pending[3].used = false;
	assert_int_equal(aes67d_ptp_sock_match(&s, s.pending[3].bytes, 44), -1);
}

static void test_expire(void **state)
{
	struct aes67d_ptp_sock s;

	(void)state;
	memset(&s, 0, sizeof(s));
	pend(&s, 0, 1, 1, 1000);
	pend(&s, 2, 2, 2, 5000);
	assert_int_equal(aes67d_ptp_sock_expire(&s, 5500, 1000), 1);
	assert_false(s.pending[0].used);
	assert_true(s.pending[2].used);
	assert_int_equal(s.tx_ts_lost, 1);
	assert_int_equal(aes67d_ptp_sock_expire(&s, 6000, 1000), 0);
	assert_int_equal(aes67d_ptp_sock_expire(&s, 6001, 1000), 1);
	assert_int_equal(s.tx_ts_lost, 2);
}

static void test_open_refusals(void **state)
{
	struct aes67d_ptp_sock s;
	char err[128];

	(void)state;
	assert_int_equal(aes67d_ptp_sock_open(&s, "no-such-if0", AES67D_PTP_SOCK_UDP4,
					      AES67D_PTP_TS_AUTO, err, sizeof(err)),
			 -ENODEV);
	assert_non_null(strstr(err, "interface"));
	assert_int_equal(s.fd[0], -1);
	assert_int_equal(aes67d_ptp_sock_open(&s, "lo", (enum aes67d_ptp_sock_transport)9,
					      AES67D_PTP_TS_AUTO, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "transport"));
	aes67d_ptp_sock_close(&s);
}

static void test_send_refuses_when_full(void **state)
{
	struct aes67d_ptp_sock s;
	uint8_t msg[44] = {0};

	(void)state;
	memset(&s, 0, sizeof(s));
	s.fd[0] = s.fd[1] = -1;
	for (int i = 0; i < AES67D_PTP_SOCK_PENDING; i++) {
		pend(&s, i, (uint32_t)i, (uint8_t)i, 0);
	}
	assert_int_equal(aes67d_ptp_sock_send(&s, AES67_PTP_CH_EVENT, msg, sizeof(msg), true, 9, 0),
			 -ENOBUFS);
	assert_int_equal(aes67d_ptp_sock_send(&s, AES67_PTP_CH_EVENT, msg, 65, true, 9, 0),
			 -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_open_refusals),
		cmocka_unit_test(test_send_refuses_when_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
