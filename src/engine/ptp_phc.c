// SPDX-License-Identifier: MIT
/*
 * Hardware timestamping (ptp_phc.h): the mode decision, the shared interface configuration
 * (linux/net_tstamp.h, SIOCGHWTSTAMP/SIOCSHWTSTAMP) and PHC -> CLOCK_MONOTONIC_RAW tracking.
 * Linux only. Untested on real hardware here (the test machines have no PHC): the pure parts
 * are unit-tested with synthetic inputs (tests/unit/test_ptpd_hwts.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "ptp_phc.h"

/* A dynamic POSIX clock for a character device fd (the kernel's CLOCKFD encoding,
 * Documentation/driver-api/ptp.rst; glibc has no macro for it). */
#define PHC_CLOCKID(fd) ((clockid_t)((~(unsigned)(fd) << 3) | 3u))
#define PHC_TRIES 5
#define SOF_HW                                                          \
	(SOF_TIMESTAMPING_RAW_HARDWARE | SOF_TIMESTAMPING_RX_HARDWARE | \
	 SOF_TIMESTAMPING_TX_HARDWARE)

static const char *filter_name(uint32_t f)
{
	switch (f) {
	case HWTSTAMP_FILTER_ALL:
		return "ALL";
	case HWTSTAMP_FILTER_PTP_V2_L4_EVENT:
		return "PTP_V2_L4_EVENT";
	case HWTSTAMP_FILTER_PTP_V2_L2_EVENT:
		return "PTP_V2_L2_EVENT";
	case HWTSTAMP_FILTER_PTP_V2_EVENT:
		return "PTP_V2_EVENT";
	default:
		return "other";
	}
}

const char *aes67d_ptp_ts_mode_str(enum aes67d_ptp_ts_mode m)
{
	return m == AES67D_PTP_TSMODE_HARDWARE ? "hardware" : "software";
}

/* Does receive filter @f stamp every PTPv2 event message of our transport? */
static bool filter_covers(uint32_t f, bool layer2)
{
	return f == HWTSTAMP_FILTER_ALL || f == HWTSTAMP_FILTER_PTP_V2_EVENT ||
	       f == (layer2 ? HWTSTAMP_FILTER_PTP_V2_L2_EVENT : HWTSTAMP_FILTER_PTP_V2_L4_EVENT);
}

static bool filter_is_ptp_v2(uint32_t f)
{
	return f >= HWTSTAMP_FILTER_PTP_V2_L4_EVENT && f <= HWTSTAMP_FILTER_PTP_V2_DELAY_REQ;
}

static int refuse(enum aes67d_ptp_ts_request req, struct aes67d_ptp_ts_choice *out)
{
	out->mode = AES67D_PTP_TSMODE_SOFTWARE;
	out->phc_index = -1;
	out->rx_filter = HWTSTAMP_FILTER_NONE;
	return req == AES67D_PTP_TS_HARDWARE ? -EOPNOTSUPP : 0;
}

int aes67d_ptp_ts_decide(enum aes67d_ptp_ts_request req, const struct ethtool_ts_info *info,
			 int query_err, bool layer2, struct aes67d_ptp_ts_choice *out)
{
	/* Most specific first (least traffic stamped), then the wider ones. */
	const uint32_t prefer[] = {
		layer2 ? HWTSTAMP_FILTER_PTP_V2_L2_EVENT : HWTSTAMP_FILTER_PTP_V2_L4_EVENT,
		HWTSTAMP_FILTER_PTP_V2_EVENT,
		HWTSTAMP_FILTER_ALL,
	};
	size_t n = sizeof(out->reason);

	memset(out, 0, sizeof(*out));
	if (req == AES67D_PTP_TS_SOFTWARE) {
		snprintf(out->reason, n, "configured");
		return refuse(req, out);
	}
	if (info == NULL) {
		snprintf(out->reason, n,
			 "interface does not report timestamping capabilities "
			 "(ETHTOOL_GET_TS_INFO: %s)",
			 strerror(query_err < 0 ? -query_err : EOPNOTSUPP));
		return refuse(req, out);
	}
	if (info->phc_index < 0) {
		snprintf(out->reason, n, "interface has no PTP hardware clock");
		return refuse(req, out);
	}
	if ((info->so_timestamping & SOF_HW) != SOF_HW) {
		snprintf(out->reason, n,
			 "PTP hardware clock /dev/ptp%d does not stamp packets "
			 "(no RAW/RX/TX_HARDWARE timestamping)",
			 info->phc_index);
		return refuse(req, out);
	}
	if ((info->tx_types & (1u << HWTSTAMP_TX_ON)) == 0) {
		snprintf(out->reason, n,
			 "interface cannot stamp transmitted packets in hardware (no "
			 "HWTSTAMP_TX_ON)");
		return refuse(req, out);
	}
	for (size_t i = 0; i < AES67_ARRAY_SIZE(prefer); i++) {
		if (info->rx_filters & (1u << prefer[i])) {
			out->mode = AES67D_PTP_TSMODE_HARDWARE;
			out->phc_index = info->phc_index;
			out->rx_filter = prefer[i];
			out->rx_filters = info->rx_filters;
			snprintf(out->reason, n, "PTP hardware clock /dev/ptp%d, receive filter %s",
				 info->phc_index, filter_name(prefer[i]));
			return 0;
		}
	}
	snprintf(out->reason, n,
		 "interface cannot stamp received PTPv2 %s event messages in hardware "
		 "(no PTP_V2 or ALL receive filter)",
		 layer2 ? "layer 2" : "UDP");
	return refuse(req, out);
}

int aes67d_ptp_hwts_merge(const struct hwtstamp_config *cur, uint32_t want_filter,
			  uint32_t supported, bool layer2, struct hwtstamp_config *out)
{
	bool tx_ok, rx_ok;

	*out = *cur;
	if (cur->tx_type == HWTSTAMP_TX_ONESTEP_SYNC || cur->tx_type == HWTSTAMP_TX_ONESTEP_P2P) {
		return -EBUSY;
	}
	tx_ok = cur->tx_type == HWTSTAMP_TX_ON;
	rx_ok = filter_covers((uint32_t)cur->rx_filter, layer2);
	if (tx_ok && rx_ok) {
		return 0;
	}
	out->tx_type = HWTSTAMP_TX_ON;
	if (rx_ok) {
		return 1;
	}
	if (cur->rx_filter == HWTSTAMP_FILTER_NONE) {
		out->rx_filter = (int)want_filter;
	} else if (filter_is_ptp_v2((uint32_t)cur->rx_filter) &&
		   (supported & (1u << HWTSTAMP_FILTER_PTP_V2_EVENT))) {
		out->rx_filter = HWTSTAMP_FILTER_PTP_V2_EVENT; /* every PTPv2 event, L2 and L4 */
	} else if (supported & (1u << HWTSTAMP_FILTER_ALL)) {
		out->rx_filter = HWTSTAMP_FILTER_ALL;
	} else {
		return -EBUSY;
	}
	return 1;
}

static int hwts_ioctl(int fd, const char *ifname, unsigned long req, struct hwtstamp_config *c)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (char *)c;
	return ioctl(fd, req, &ifr) == 0 ? 0 : -errno;
}

int aes67d_ptp_hwts_enable(const char *ifname, const struct aes67d_ptp_ts_choice *c, bool layer2,
			   char *err, size_t err_bytes)
{
	struct hwtstamp_config cur = {0}, want;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r;

	if (fd < 0) {
		r = -errno;
		snprintf(err, err_bytes, "socket: %s", strerror(-r));
		return r;
	}
	/* SIOCGHWTSTAMP is missing in older drivers: then nobody's configuration is known and
	 * ours is written as is. */
	if (hwts_ioctl(fd, ifname, SIOCGHWTSTAMP, &cur) < 0) {
		memset(&cur, 0, sizeof(cur));
	}
	r = aes67d_ptp_hwts_merge(&cur, c->rx_filter, c->rx_filters, layer2, &want);
	if (r == -EBUSY) {
		snprintf(err, err_bytes,
			 "the interface's stamping (tx_type %d, rx_filter %d) was set by another "
			 "program and cannot be combined with two-step PTPv2",
			 cur.tx_type, cur.rx_filter);
	} else if (r == 1 && (r = hwts_ioctl(fd, ifname, SIOCSHWTSTAMP, &want)) < 0) {
		snprintf(err, err_bytes, "SIOCSHWTSTAMP: %s", strerror(-r));
	} else if (r >= 0 && (want.tx_type != HWTSTAMP_TX_ON ||
			      !filter_covers((uint32_t)want.rx_filter, layer2))) {
		/* The driver writes back what it really set (timestamping.rst §3.1). */
		snprintf(err, err_bytes, "driver set tx_type %d, rx_filter %d instead",
			 want.tx_type, want.rx_filter);
		r = -EOPNOTSUPP;
	} else {
		r = 0;
	}
	close(fd);
	return r;
}

int aes67d_ptp_phc_open(struct aes67d_ptp_phc *p, int index)
{
	char path[32];
	int r;

	memset(p, 0, sizeof(*p));
	p->index = index;
	snprintf(path, sizeof(path), "/dev/ptp%d", index);
	p->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0) {
		p->fd = -1;
		return -errno;
	}
	p->clock_id = PHC_CLOCKID(p->fd);
	if ((r = aes67d_ptp_phc_refresh(p)) < 0 && r != -EAGAIN) {
		aes67d_ptp_phc_close(p);
		return r;
	}
	return 0;
}

void aes67d_ptp_phc_close(struct aes67d_ptp_phc *p)
{
	if (p->fd >= 0) {
		close(p->fd);
	}
	p->fd = -1;
	p->map_valid = false;
}

int aes67d_ptp_phc_refresh(struct aes67d_ptp_phc *p)
{
	struct aes67d_ptp_tsconv s;
	int r;

	if (p->fd < 0) {
		return -EBADF;
	}
	if ((r = aes67d_ptp_tsconv_sample_clock(&s, p->clock_id, PHC_TRIES)) < 0) {
		return r;
	}
	return aes67d_ptp_phc_track(p, &s);
}

int aes67d_ptp_phc_track(struct aes67d_ptp_phc *p, const struct aes67d_ptp_tsconv *s)
{
	const struct aes67d_ptp_tsconv *old;
	int64_t err_ns, d_src, d_raw;

	if (s->width_ns > AES67D_PTP_PHC_MAX_WIDTH_NS) {
		p->wide_samples++;
		return -EAGAIN;
	}
	if (p->map_valid) {
		err_ns = s->raw_ns - aes67d_ptp_tsconv_to_raw(&p->map, s->src_ns);
		if (err_ns > AES67D_PTP_PHC_STEP_NS || err_ns < -AES67D_PTP_PHC_STEP_NS) {
			/* Stepped: earlier samples are on the old timescale. Keep the rate. */
			p->steps++;
			p->hist_n = 0;
			p->hist_head = 0;
		}
	}
	if (p->hist_n == AES67D_PTP_PHC_HISTORY) {
		p->hist[p->hist_head] = *s;
		p->hist_head = (p->hist_head + 1) % AES67D_PTP_PHC_HISTORY;
	} else {
		p->hist[(p->hist_head + p->hist_n) % AES67D_PTP_PHC_HISTORY] = *s;
		p->hist_n++;
	}
	old = &p->hist[p->hist_head];
	d_src = s->src_ns - old->src_ns;
	d_raw = s->raw_ns - old->raw_ns;
	p->map.raw_ns = s->raw_ns;
	p->map.src_ns = s->src_ns;
	p->map.width_ns = s->width_ns;
	if (d_src >= AES67D_PTP_PHC_RATE_BASELINE_NS) {
		p->map.rate_ppm = (double)(d_raw - d_src) / (double)d_src * 1e6;
		p->rate_valid = true;
	}
	p->map_valid = true;
	return 0;
}

int64_t aes67d_ptp_phc_to_raw(const struct aes67d_ptp_phc *p, int64_t phc_ns)
{
	return p->map_valid ? aes67d_ptp_tsconv_to_raw(&p->map, phc_ns) : 0;
}
