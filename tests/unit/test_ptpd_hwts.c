// SPDX-License-Identifier: MIT
/*
 * Unit tests of the hardware-timestamping path of aes67d's PTP (src/engine/ptp_phc.c,
 * ptp_sock.c, ptp_tsconv.c), with synthetic inputs since no PTP hardware clock exists here:
 * - the mode decision from ETHTOOL_GET_TS_INFO answers (veth, PHC-capable NICs, partial
 *   capabilities, failed query, configured software) with its reasons;
 * - merging our needs into an interface configuration set by another program;
 * - PHC <-> CLOCK_MONOTONIC_RAW tracking: rate measurement, conversion error, step detection,
 *   wide samples;
 * - hardware (ts[2]) vs software (ts[0]) stamps out of a control-message buffer;
 * - the per-packet functions allocate, lock, log and read no clock (RT guard).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/errqueue.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "ptp_phc.h"
#include "ptp_sock.h"
#include "ptp_tsconv.h"
#include "rt_guard.h"

#define S 1000000000LL
#define SOF_HW                                                          \
	(SOF_TIMESTAMPING_RAW_HARDWARE | SOF_TIMESTAMPING_RX_HARDWARE | \
	 SOF_TIMESTAMPING_TX_HARDWARE)
#define SOF_SW \
	(SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE)
#define BIT(x) (1u << (x))

/* What veth answers: no PHC, software stamps only. */
static const struct ethtool_ts_info veth = {
	.cmd = ETHTOOL_GET_TS_INFO, .so_timestamping = SOF_SW, .phc_index = -1};

/* A PHC-capable NIC (the capabilities an i210 reports). */
static struct ethtool_ts_info nic(void)
{
	struct ethtool_ts_info i = {
		.cmd = ETHTOOL_GET_TS_INFO,
		.so_timestamping = SOF_SW | SOF_HW,
		.phc_index = 2,
		.tx_types = BIT(HWTSTAMP_TX_OFF) | BIT(HWTSTAMP_TX_ON),
		.rx_filters = BIT(HWTSTAMP_FILTER_NONE) | BIT(HWTSTAMP_FILTER_ALL) |
			      BIT(HWTSTAMP_FILTER_PTP_V2_L4_EVENT) |
			      BIT(HWTSTAMP_FILTER_PTP_V2_L2_EVENT) |
			      BIT(HWTSTAMP_FILTER_PTP_V2_EVENT),
	};

	return i;
}

static void test_decide_veth(void **state)
{
	struct aes67d_ptp_ts_choice c;

	(void)state;
	assert_int_equal(aes67d_ptp_ts_decide(AES67D_PTP_TS_AUTO, &veth, 0, false, &c), 0);
	assert_int_equal(c.mode, AES67D_PTP_TSMODE_SOFTWARE);
	assert_int_equal(c.phc_index, -1);
	assert_string_equal(c.reason, "interface has no PTP hardware clock");
	assert_int_equal(aes67d_ptp_ts_decide(AES67D_PTP_TS_HARDWARE, &veth, 0, false, &c),
			 -EOPNOTSUPP);
	assert_int_equal(c.mode, AES67D_PTP_TSMODE_SOFTWARE);
	assert_string_equal(c.reason, "interface has no PTP hardware clock");
	assert_string_equal(aes67d_ptp_ts_mode_str(c.mode), "software");
}

static void test_decide_nic(void **state)
{
	struct aes67d_ptp_ts_choice c;
	struct ethtool_ts_info i = nic();

	(void)state;
	assert_int_equal(aes67d_ptp_ts_decide(AES67D_PTP_TS_AUTO, &i, 0, false, &c), 0);
	assert_int_equal(c.mode, AES67D_PTP_TSMODE_HARDWARE);
	assert_int_equal(c.phc_index, 2);
	assert_int_equal(c.rx_filter, HWTSTAMP_FILTER_PTP_V2_L4_EVENT);
	assert_int_equal(c.rx_filters, i.rx_filters);
	assert_string_equal(c.reason,
			    "PTP hardware clock /dev/ptp2, receive filter PTP_V2_L4_EVENT");
	assert_string_equal(aes67d_ptp_ts_mode_str(c.mode), "hardware");
	assert_int_equal(aes67d_ptp_ts_decide(AES67D_PTP_TS_HARDWARE, &i, 0, true, &c), 0);
	assert_int_equal(c.rx_filter, HWTSTAMP_FILTER_PTP_V2_L2_EVENT);
	/* Only the generic PTPv2 filter, then only ALL. */
	i.rx_filters = BIT(HWTSTAMP_FILTER_PTP_V2_EVENT) | BIT(HWTSTAMP_FILTER_ALL);
	assert_int_equal(aes67d_ptp_ts_decide(AES67D_PTP_TS_AUTO, &i, 0, false, &c), 0);
	assert_int_equal(c.rx_filter, HWTSTAMP_FILTER_PTP_V2_EVENT);
	i.rx_filters = BIT(HWTSTAMP_FILTER_ALL);
	assert_int_equal(aes67d_ptp_ts_decide(AES67D_PTP_TS_AUTO, &i, 0, true, &c), 0);
	assert_int_equal(c.rx_filter, HWTSTAMP_FILTER_ALL);
	/* Configured software wins over capable hardware. */
	i = nic();
	assert_int_equal(aes67d_ptp_ts_decide(AES67D_PTP_TS_SOFTWARE, &i, 0, false, &c), 0);
	assert_int_equal(c.mode, AES67D_PTP_TSMODE_SOFTWARE);
	assert_string_equal(c.reason, "configured");
}

static void test_decide_partial(void **state)
{
	struct aes67d_ptp_ts_choice c;
	struct ethtool_ts_info i = nic();

	(void)state;
	i.so_timestamping = SOF_SW | SOF_TIMESTAMPING_RAW_HARDWARE | SOF_TIMESTAMPING_RX_HARDWARE;
	assert_int_equal(aes67d_ptp_ts_decide(AES67D_PTP_TS_HARDWARE, &i, 0, false, &c),
			 -EOPNOTSUPP);
	assert_string_equal(c.reason, "PTP hardware clock /dev/ptp2 does not stamp packets (no "
				      "RAW/RX/TX_HARDWARE timestamping)");
	i = nic();
	i.tx_types = BIT(HWTSTAMP_TX_OFF) | BIT(HWTSTAMP_TX_ONESTEP_SYNC);
	assert_int_equal(aes67d_ptp_ts_decide(AES67D_PTP_TS_AUTO, &i, 0, false, &c), 0);
	assert_int_equal(c.mode, AES67D_PTP_TSMODE_SOFTWARE);
	assert_string_equal(c.reason, "interface cannot stamp transmitted packets in hardware (no "
				      "HWTSTAMP_TX_ON)");
	/* PTPv1 and the L2-only filter do not stamp our UDP PTPv2 events. */
	i = nic();
	i.rx_filters = BIT(HWTSTAMP_FILTER_NONE) | BIT(HWTSTAMP_FILTER_PTP_V1_L4_EVENT) |
		       BIT(HWTSTAMP_FILTER_PTP_V2_L2_EVENT);
	assert_int_equal(aes67d_ptp_ts_decide(AES67D_PTP_TS_HARDWARE, &i, 0, false, &c),
			 -EOPNOTSUPP);
	assert_string_equal(c.reason, "interface cannot stamp received PTPv2 UDP event messages in "
				      "hardware (no PTP_V2 or ALL receive filter)");
	/* ... but the L2 filter serves the layer 2 transport. */
	assert_int_equal(aes67d_ptp_ts_decide(AES67D_PTP_TS_HARDWARE, &i, 0, true, &c), 0);
	assert_int_equal(c.rx_filter, HWTSTAMP_FILTER_PTP_V2_L2_EVENT);
	/* The query itself failed. */
	assert_int_equal(aes67d_ptp_ts_decide(AES67D_PTP_TS_AUTO, NULL, -EOPNOTSUPP, false, &c), 0);
	assert_int_equal(c.mode, AES67D_PTP_TSMODE_SOFTWARE);
	assert_non_null(strstr(c.reason, "ETHTOOL_GET_TS_INFO: Operation not supported"));
}

static void test_merge(void **state)
{
	const uint32_t all = BIT(HWTSTAMP_FILTER_ALL) | BIT(HWTSTAMP_FILTER_PTP_V2_EVENT) |
			     BIT(HWTSTAMP_FILTER_PTP_V2_L4_EVENT) |
			     BIT(HWTSTAMP_FILTER_PTP_V2_L2_EVENT);
	struct hwtstamp_config cur = {0}, out;

	(void)state;
	/* Nobody configured it: ours. */
	assert_int_equal(
		aes67d_ptp_hwts_merge(&cur, HWTSTAMP_FILTER_PTP_V2_L4_EVENT, all, false, &out), 1);
	assert_int_equal(out.tx_type, HWTSTAMP_TX_ON);
	assert_int_equal(out.rx_filter, HWTSTAMP_FILTER_PTP_V2_L4_EVENT);
	/* Already serves us (e.g. ptp4l on the same interface): leave it. */
	cur = (struct hwtstamp_config){
		.flags = 0, .tx_type = HWTSTAMP_TX_ON, .rx_filter = HWTSTAMP_FILTER_ALL};
	assert_int_equal(
		aes67d_ptp_hwts_merge(&cur, HWTSTAMP_FILTER_PTP_V2_L4_EVENT, all, false, &out), 0);
	/* Another program's L2 PTPv2 filter and our UDP: every PTPv2 event. */
	cur.rx_filter = HWTSTAMP_FILTER_PTP_V2_L2_EVENT;
	assert_int_equal(
		aes67d_ptp_hwts_merge(&cur, HWTSTAMP_FILTER_PTP_V2_L4_EVENT, all, false, &out), 1);
	assert_int_equal(out.rx_filter, HWTSTAMP_FILTER_PTP_V2_EVENT);
	assert_int_equal(out.tx_type, HWTSTAMP_TX_ON);
	/* Without PTP_V2_EVENT support: ALL. */
	assert_int_equal(aes67d_ptp_hwts_merge(&cur, HWTSTAMP_FILTER_PTP_V2_L4_EVENT,
					       BIT(HWTSTAMP_FILTER_ALL) |
						       BIT(HWTSTAMP_FILTER_PTP_V2_L4_EVENT),
					       false, &out),
			 1);
	assert_int_equal(out.rx_filter, HWTSTAMP_FILTER_ALL);
	/* A PTPv1 filter: only ALL covers both; without it, a conflict. */
	cur.rx_filter = HWTSTAMP_FILTER_PTP_V1_L4_EVENT;
	assert_int_equal(
		aes67d_ptp_hwts_merge(&cur, HWTSTAMP_FILTER_PTP_V2_L4_EVENT, all, false, &out), 1);
	assert_int_equal(out.rx_filter, HWTSTAMP_FILTER_ALL);
	assert_int_equal(aes67d_ptp_hwts_merge(&cur, HWTSTAMP_FILTER_PTP_V2_L4_EVENT,
					       BIT(HWTSTAMP_FILTER_PTP_V2_L4_EVENT), false, &out),
			 -EBUSY);
	/* Receive already covered, transmit off: switch transmit on, keep the filter. */
	cur = (struct hwtstamp_config){.tx_type = HWTSTAMP_TX_OFF,
				       .rx_filter = HWTSTAMP_FILTER_PTP_V2_EVENT};
	assert_int_equal(
		aes67d_ptp_hwts_merge(&cur, HWTSTAMP_FILTER_PTP_V2_L2_EVENT, all, true, &out), 1);
	assert_int_equal(out.tx_type, HWTSTAMP_TX_ON);
	assert_int_equal(out.rx_filter, HWTSTAMP_FILTER_PTP_V2_EVENT);
	/* One-step transmit by another program would rewrite our two-step Syncs. */
	cur.tx_type = HWTSTAMP_TX_ONESTEP_SYNC;
	assert_int_equal(
		aes67d_ptp_hwts_merge(&cur, HWTSTAMP_FILTER_PTP_V2_L2_EVENT, all, true, &out),
		-EBUSY);
	/* Flags (e.g. a bonded PHC index) are kept. */
	cur = (struct hwtstamp_config){.flags = HWTSTAMP_FLAG_BONDED_PHC_INDEX};
	assert_int_equal(aes67d_ptp_hwts_merge(&cur, HWTSTAMP_FILTER_ALL, all, true, &out), 1);
	assert_int_equal(out.flags, HWTSTAMP_FLAG_BONDED_PHC_INDEX);
}

/* A synthetic PHC: raw = RAW0 + (phc - PHC0) x (1 + 50 ppm), read in windows 2 us wide whose
 * PHC read falls off the midpoint by a deterministic -500..+500 ns. */
#define RAW0 (1000 * S)
#define PHC0 (1700000000LL * S)
#define PPM 50.0

static int64_t true_raw(int64_t phc_ns)
{
	int64_t d = phc_ns - PHC0;

	return RAW0 + d + (int64_t)((double)d * PPM * 1e-6);
}

static struct aes67d_ptp_tsconv sample_at(int64_t phc_ns, int k)
{
	static const int64_t jitter[] = {0, 300, -500, 120, 500, -260, -40};
	struct aes67d_ptp_tsconv s = {
		.raw_ns = true_raw(phc_ns) + jitter[k % 7],
		.src_ns = phc_ns,
		.width_ns = 2000,
	};

	return s;
}

static int64_t absdiff(int64_t a, int64_t b)
{
	return a > b ? a - b : b - a;
}

static void test_phc_track(void **state)
{
	struct aes67d_ptp_phc p;
	struct aes67d_ptp_tsconv s;
	int64_t phc = PHC0;
	int k = 0;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.fd = -1;
	assert_int_equal(aes67d_ptp_phc_to_raw(&p, PHC0), 0);
	/* Samples every 250 ms: no rate before a 1 s baseline. */
	for (; k < 4; k++, phc += AES67D_PTP_PHC_REFRESH_NS) {
		s = sample_at(phc, k);
		assert_int_equal(aes67d_ptp_phc_track(&p, &s), 0);
		assert_false(p.rate_valid);
	}
	s = sample_at(phc, k++);
	assert_int_equal(aes67d_ptp_phc_track(&p, &s), 0);
	assert_true(p.rate_valid);
	/* 1 s baseline, +-500 ns per sample: within 1 ppm. */
	assert_true(p.map.rate_ppm > PPM - 1.0 && p.map.rate_ppm < PPM + 1.0);
	/* After 8 s: within 0.13 ppm, and a stamp 250 ms after the newest sample converts within
	 * the sample's own error (500 ns) plus the rate error over 250 ms (< 40 ns). */
	for (phc += AES67D_PTP_PHC_REFRESH_NS; k < 40; k++, phc += AES67D_PTP_PHC_REFRESH_NS) {
		s = sample_at(phc, k);
		assert_int_equal(aes67d_ptp_phc_track(&p, &s), 0);
	}
	assert_int_equal(p.hist_n, AES67D_PTP_PHC_HISTORY);
	assert_true(p.map.rate_ppm > PPM - 0.13 && p.map.rate_ppm < PPM + 0.13);
	assert_true(absdiff(aes67d_ptp_phc_to_raw(&p, phc), true_raw(phc)) < 540);
	assert_int_equal(p.steps, 0);
	/* A sample 2 ms wide is discarded and changes nothing. */
	s = sample_at(phc, 0);
	s.width_ns = 2000000;
	s.raw_ns += 1000000;
	assert_int_equal(aes67d_ptp_phc_track(&p, &s), -EAGAIN);
	assert_int_equal(p.wide_samples, 1);
	assert_true(absdiff(aes67d_ptp_phc_to_raw(&p, phc), true_raw(phc)) < 540);
}

static void test_phc_step(void **state)
{
	struct aes67d_ptp_phc p;
	struct aes67d_ptp_tsconv s;
	int64_t phc = PHC0;
	double rate;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.fd = -1;
	for (int k = 0; k < 12; k++, phc += AES67D_PTP_PHC_REFRESH_NS) {
		s = sample_at(phc, k);
		assert_int_equal(aes67d_ptp_phc_track(&p, &s), 0);
	}
	rate = p.map.rate_ppm;
	/* Another program steps the PHC forward by 1 ms: the same raw instant now reads 1 ms
	 * later on the PHC. History restarts from this sample, the rate is kept. */
	s = sample_at(phc, 0);
	s.src_ns += 1000000;
	assert_int_equal(aes67d_ptp_phc_track(&p, &s), 0);
	assert_int_equal(p.steps, 1);
	assert_int_equal(p.hist_n, 1);
	assert_true(p.map.rate_ppm == rate);
	assert_int_equal(aes67d_ptp_phc_to_raw(&p, phc + 1000000), true_raw(phc));
}

static void test_phc_open_missing(void **state)
{
	struct aes67d_ptp_phc p;

	(void)state;
	assert_int_equal(aes67d_ptp_phc_open(&p, 999), -ENOENT);
	assert_int_equal(p.fd, -1);
	assert_int_equal(aes67d_ptp_phc_refresh(&p), -EBADF);
	aes67d_ptp_phc_close(&p);
}

static void test_tsconv_rate(void **state)
{
	struct aes67d_ptp_tsconv c = {.raw_ns = RAW0, .src_ns = PHC0, .rate_ppm = 100.0};

	(void)state;
	assert_int_equal(aes67d_ptp_tsconv_to_raw(&c, PHC0 + S), RAW0 + S + 100000);
	assert_int_equal(aes67d_ptp_tsconv_to_raw(&c, PHC0 - S), RAW0 - S - 100000);
	c.rate_ppm = -20.0;
	assert_int_equal(aes67d_ptp_tsconv_to_raw(&c, PHC0 + 250000000), RAW0 + 250000000 - 5000);
}

/* A control buffer as recvmsg fills it: an unrelated message first, then SO_TIMESTAMPING. */
struct cmsg_buf {
	_Alignas(struct cmsghdr) char b[CMSG_SPACE(sizeof(struct in_pktinfo)) +
					CMSG_SPACE(sizeof(struct scm_timestamping))];
};

static void build(struct msghdr *m, struct cmsg_buf *cb, const struct scm_timestamping *ts,
		  size_t ts_bytes)
{
	struct cmsghdr *c;
	struct in_pktinfo pi = {.ipi_ifindex = 3};

	memset(cb, 0, sizeof(*cb));
	memset(m, 0, sizeof(*m));
	m->msg_control = cb->b;
	m->msg_controllen = sizeof(cb->b);
	c = CMSG_FIRSTHDR(m);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	c = CMSG_NXTHDR(m, c);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SO_TIMESTAMPING;
	c->cmsg_len = CMSG_LEN(ts_bytes);
	memcpy(CMSG_DATA(c), ts, ts_bytes);
	m->msg_controllen = CMSG_SPACE(sizeof(pi)) + CMSG_SPACE(ts_bytes);
}

static void test_cmsg_stamp(void **state)
{
	struct scm_timestamping ts;
	struct cmsg_buf cb;
	struct msghdr m;
	int64_t ns = -1;

	(void)state;
	memset(&ts, 0, sizeof(ts));
	ts.ts[0].tv_sec = 1700000000;
	ts.ts[0].tv_nsec = 123456789;
	ts.ts[2].tv_sec = 37;
	ts.ts[2].tv_nsec = 5;
	build(&m, &cb, &ts, sizeof(ts));
	assert_int_equal(aes67d_ptp_sock_cmsg_stamp(&m, AES67D_PTP_TSMODE_SOFTWARE, &ns), 1);
	assert_int_equal(ns, 1700000000LL * S + 123456789);
	assert_int_equal(aes67d_ptp_sock_cmsg_stamp(&m, AES67D_PTP_TSMODE_HARDWARE, &ns), 1);
	assert_int_equal(ns, 37 * S + 5);
	/* Hardware mode with only a software stamp (e.g. a packet the filter skipped): none, never
	 * the other clock's stamp. */
	memset(&ts.ts[2], 0, sizeof(ts.ts[2]));
	build(&m, &cb, &ts, sizeof(ts));
	ns = -1;
	assert_int_equal(aes67d_ptp_sock_cmsg_stamp(&m, AES67D_PTP_TSMODE_HARDWARE, &ns), 0);
	assert_int_equal(ns, -1);
	/* And the reverse. */
	memset(&ts, 0, sizeof(ts));
	ts.ts[2].tv_sec = 37;
	build(&m, &cb, &ts, sizeof(ts));
	assert_int_equal(aes67d_ptp_sock_cmsg_stamp(&m, AES67D_PTP_TSMODE_SOFTWARE, &ns), 0);
	assert_int_equal(aes67d_ptp_sock_cmsg_stamp(&m, AES67D_PTP_TSMODE_HARDWARE, &ns), 1);
	assert_int_equal(ns, 37 * S);
	/* A nanosecond field out of range is refused. */
	ts.ts[2].tv_nsec = 1000000000L;
	build(&m, &cb, &ts, sizeof(ts));
	assert_int_equal(aes67d_ptp_sock_cmsg_stamp(&m, AES67D_PTP_TSMODE_HARDWARE, &ns), 0);
	/* A truncated SO_TIMESTAMPING message (one timespec) is not read. */
	ts.ts[2].tv_nsec = 0;
	build(&m, &cb, &ts, sizeof(struct timespec));
	assert_int_equal(aes67d_ptp_sock_cmsg_stamp(&m, AES67D_PTP_TSMODE_SOFTWARE, &ns), 0);
	/* No control data at all. */
	memset(&m, 0, sizeof(m));
	assert_int_equal(aes67d_ptp_sock_cmsg_stamp(&m, AES67D_PTP_TSMODE_SOFTWARE, &ns), 0);
}

static void test_rt_guard(void **state)
{
	struct aes67d_ptp_phc p;
	struct aes67d_ptp_tsconv s;
	struct scm_timestamping ts;
	struct cmsg_buf cb;
	struct msghdr m;
	int64_t ns = 0, last = 0, at = PHC0 + 11 * AES67D_PTP_PHC_REFRESH_NS + 100000000;
	int found = 0;

	(void)state;
	memset(&p, 0, sizeof(p));
	memset(&ts, 0, sizeof(ts));
	ts.ts[2].tv_sec = 1;
	build(&m, &cb, &ts, sizeof(ts));
	rt_guard_enter(RT_GUARD_CORE);
	for (int k = 0; k < 12; k++) {
		s = sample_at(PHC0 + k * AES67D_PTP_PHC_REFRESH_NS, k);
		found += aes67d_ptp_phc_track(&p, &s) == 0;
		last = aes67d_ptp_phc_to_raw(&p, at);
	}
	found += aes67d_ptp_sock_cmsg_stamp(&m, AES67D_PTP_TSMODE_HARDWARE, &ns);
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(found, 13);
	assert_int_equal(ns, S);
	assert_true(absdiff(last, true_raw(at)) < 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_veth),	 cmocka_unit_test(test_decide_nic),
		cmocka_unit_test(test_decide_partial),	 cmocka_unit_test(test_merge),
		cmocka_unit_test(test_phc_track),	 cmocka_unit_test(test_phc_step),
		cmocka_unit_test(test_phc_open_missing), cmocka_unit_test(test_tsconv_rate),
		cmocka_unit_test(test_cmsg_stamp),	 cmocka_unit_test(test_rt_guard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
