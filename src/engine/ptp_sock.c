// SPDX-License-Identifier: MIT
/*
 * PTP sockets with kernel timestamps (ptp_sock.h). Linux only: SO_TIMESTAMPING
 * (Documentation/networking/timestamping.rst), AF_PACKET, SO_BINDTODEVICE. Software stamps are
 * converted from CLOCK_REALTIME per packet (ptp_tsconv.h), hardware stamps from the PHC through
 * the mapping the PTP thread refreshes (ptp_phc.h).
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "ptp_sock.h"
#include "ptp_tsconv.h"

#define PTP_GROUP "224.0.1.129" /* IEEE 1588-2008 Annex D.3: PTP-primary */
#define PTP_ETHERTYPE 0x88F7	/* Annex F.2 */
#define PTP_DSCP_EF 46
#define CMSG_BYTES 512

static const uint8_t ptp_l2_group[6] = {0x01, 0x1B, 0x19, 0x00, 0x00, 0x00}; /* Annex F.3 */

static int fail(char *err, size_t err_bytes, const char *step, int e)
{
	snprintf(err, err_bytes, "%s: %s", step, strerror(e));
	return -e;
}

static int set_int(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v)) == 0 ? 0 : -errno;
}

static int enable_timestamps(const struct aes67d_ptp_sock *s, int fd)
{
	int flags = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE |
		    SOF_TIMESTAMPING_SOFTWARE;

	if (s->ts_mode == AES67D_PTP_TSMODE_HARDWARE) {
		flags = SOF_TIMESTAMPING_TX_HARDWARE | SOF_TIMESTAMPING_RX_HARDWARE |
			SOF_TIMESTAMPING_RAW_HARDWARE;
	}
	return set_int(fd, SOL_SOCKET, SO_TIMESTAMPING, flags);
}

/* The interface's MAC via SIOCGIFHWADDR, and its timestamping capabilities via
 * ETHTOOL_GET_TS_INFO (*info_err: 0, or -errno of that query). */
static int query_interface(struct aes67d_ptp_sock *s, const char *ifname,
			   struct ethtool_ts_info *info, int *info_err)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		return -errno;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	memcpy(s->mac, ifr.ifr_hwaddr.sa_data, 6);
	s->phc_index = -1;
	memset(info, 0, sizeof(*info));
	info->cmd = ETHTOOL_GET_TS_INFO;
	ifr.ifr_data = (char *)info;
	*info_err = 0;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0) {
		s->phc_index = info->phc_index;
	} else {
		*info_err = -errno;
	}
	close(fd);
	return 0;
}

/* Chooses the timestamping mode and, for hardware, switches the interface and opens its PHC.
 * AUTO falls back to software on any failure, with the reason. */
static int setup_timestamping(struct aes67d_ptp_sock *s, const char *ifname,
			      enum aes67d_ptp_ts_request req, const struct ethtool_ts_info *info,
			      int info_err, char *err, size_t err_bytes)
{
	struct aes67d_ptp_ts_choice c;
	bool l2 = s->transport == AES67D_PTP_SOCK_L2;
	char why[AES67D_PTP_TS_REASON_BYTES - 32];
	int r;

	r = aes67d_ptp_ts_decide(req, info_err == 0 ? info : NULL, info_err, l2, &c);
	s->ts_mode = c.mode;
	snprintf(s->ts_reason, sizeof(s->ts_reason), "%s", c.reason);
	if (r < 0) {
		snprintf(err, err_bytes, "hardware timestamping: %s", c.reason);
		return r;
	}
	if (c.mode != AES67D_PTP_TSMODE_HARDWARE) {
		return 0;
	}
	if ((r = aes67d_ptp_hwts_enable(ifname, &c, l2, why, sizeof(why))) == 0) {
		if ((r = aes67d_ptp_phc_open(&s->phc, c.phc_index)) == 0) {
			return 0;
		}
		snprintf(why, sizeof(why), "/dev/ptp%d: %s", c.phc_index, strerror(-r));
	}
	s->ts_mode = AES67D_PTP_TSMODE_SOFTWARE;
	snprintf(s->ts_reason, sizeof(s->ts_reason), "hardware timestamping failed: %s", why);
	if (req == AES67D_PTP_TS_HARDWARE) {
		snprintf(err, err_bytes, "%s", s->ts_reason);
		return r;
	}
	return 0;
}

static int open_udp(struct aes67d_ptp_sock *s, const char *ifname, uint16_t port, int *out,
		    char *err, size_t err_bytes)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct ip_mreqn mr = {.imr_ifindex = s->ifindex};
	char step[64];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int r;

	if (fd < 0) {
		return fail(err, err_bytes, "socket udp", errno);
	}
	inet_pton(AF_INET, PTP_GROUP, &mr.imr_multiaddr);
	snprintf(step, sizeof(step), "bind udp %u", (unsigned)port);
	if ((r = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) != 0) {
		r = fail(err, err_bytes, "SO_BINDTODEVICE", r < 0 ? -r : errno);
	} else if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		r = fail(err, err_bytes, step, errno);
	} else if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
		r = fail(err, err_bytes, "join 224.0.1.129", errno);
	} else if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) != 0 ||
		   (r = set_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0)) < 0 ||
		   (r = set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, 1)) < 0 ||
		   (r = set_int(fd, IPPROTO_IP, IP_TOS, PTP_DSCP_EF << 2)) < 0) {
		r = fail(err, err_bytes, "multicast options", r < 0 ? -r : errno);
	} else if ((r = enable_timestamps(s, fd)) < 0) {
		r = fail(err, err_bytes, "SO_TIMESTAMPING", -r);
	} else {
		*out = fd;
		return 0;
	}
	close(fd);
	return r;
}

static int open_l2(struct aes67d_ptp_sock *s, char *err, size_t err_bytes)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(PTP_ETHERTYPE),
		.sll_ifindex = s->ifindex,
	};
	struct packet_mreq mr = {
		.mr_ifindex = s->ifindex, .mr_type = PACKET_MR_MULTICAST, .mr_alen = 6};
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(PTP_ETHERTYPE));
	int r;

	if (fd < 0) {
		return fail(err, err_bytes, "socket AF_PACKET", errno);
	}
	memcpy(mr.mr_address, ptp_l2_group, 6);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		r = fail(err, err_bytes, "bind AF_PACKET", errno);
	} else if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
		r = fail(err, err_bytes, "join 01-1B-19-00-00-00", errno);
	} else if ((r = enable_timestamps(s, fd)) < 0) {
		r = fail(err, err_bytes, "SO_TIMESTAMPING", -r);
	} else {
		/* Our own frames would loop back to us; ignore them in the kernel (Linux >= 4.20;
		 * older kernels: aes67d_ptp_sock_recv() skips PACKET_OUTGOING). */
		(void)set_int(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);
		s->fd[0] = fd;
		return 0;
	}
	close(fd);
	return r;
}

int aes67d_ptp_sock_open(struct aes67d_ptp_sock *s, const char *ifname,
			 enum aes67d_ptp_sock_transport transport,
			 enum aes67d_ptp_ts_request ts_req, char *err, size_t err_bytes)
{
	struct ethtool_ts_info info;
	int info_err = 0, r;

	memset(s, 0, sizeof(*s));
	s->fd[0] = s->fd[1] = -1;
	s->phc.fd = -1;
	s->ts_mode = AES67D_PTP_TSMODE_SOFTWARE;
	s->transport = transport;
	s->ifindex = (int)if_nametoindex(ifname);
	if (s->ifindex == 0) {
		return fail(err, err_bytes, "interface", errno);
	}
	if (transport != AES67D_PTP_SOCK_UDP4 && transport != AES67D_PTP_SOCK_L2) {
		return fail(err, err_bytes, "transport", EINVAL);
	}
	if ((r = query_interface(s, ifname, &info, &info_err)) < 0) {
		return fail(err, err_bytes, "SIOCGIFHWADDR", -r);
	}
	if ((r = setup_timestamping(s, ifname, ts_req, &info, info_err, err, err_bytes)) < 0) {
		return r;
	}
	if (transport == AES67D_PTP_SOCK_L2) {
		r = open_l2(s, err, err_bytes);
	} else if ((r = open_udp(s, ifname, AES67D_PTP_UDP_EVENT_PORT, &s->fd[0], err,
				 err_bytes)) == 0) {
		r = open_udp(s, ifname, AES67D_PTP_UDP_GENERAL_PORT, &s->fd[1], err, err_bytes);
	}
	if (r < 0) {
		aes67d_ptp_sock_close(s);
	}
	return r;
}

void aes67d_ptp_sock_close(struct aes67d_ptp_sock *s)
{
	for (int i = 0; i < 2; i++) {
		if (s->fd[i] >= 0) {
			close(s->fd[i]);
			s->fd[i] = -1;
		}
	}
	aes67d_ptp_phc_close(&s->phc);
}

int aes67d_ptp_sock_send(struct aes67d_ptp_sock *s, enum aes67_ptp_channel ch, const uint8_t *buf,
			 size_t len_bytes, bool need_ts, uint32_t token, int64_t now_ns)
{
	struct aes67d_ptp_sock_pending *slot = NULL;
	ssize_t n;

	if (need_ts) {
		if (len_bytes > AES67_PTP_PORT_TX_BYTES) {
			return -EMSGSIZE;
		}
		for (int i = 0; i < AES67D_PTP_SOCK_PENDING && slot == NULL; i++) {
			if (!s->pending[i].used) {
				slot = &s->pending[i];
			}
		}
		if (slot == NULL) {
			return -ENOBUFS;
		}
	}
	if (s->transport == AES67D_PTP_SOCK_L2) {
		struct sockaddr_ll sll = {
			.sll_family = AF_PACKET,
			.sll_protocol = htons(PTP_ETHERTYPE),
			.sll_ifindex = s->ifindex,
			.sll_halen = 6,
		};

		memcpy(sll.sll_addr, ptp_l2_group, 6);
		n = sendto(s->fd[0], buf, len_bytes, 0, (struct sockaddr *)&sll, sizeof(sll));
	} else {
		struct sockaddr_in sa = {.sin_family = AF_INET};
		int fd = ch == AES67_PTP_CH_GENERAL ? s->fd[1] : s->fd[0];

		sa.sin_port = htons(ch == AES67_PTP_CH_GENERAL ? AES67D_PTP_UDP_GENERAL_PORT
							       : AES67D_PTP_UDP_EVENT_PORT);
		inet_pton(AF_INET, PTP_GROUP, &sa.sin_addr);
		n = sendto(fd, buf, len_bytes, 0, (struct sockaddr *)&sa, sizeof(sa));
	}
	if (n < 0) {
		return -errno;
	}
	if (slot != NULL) {
		slot->used = true;
		slot->token = token;
		slot->len_bytes = (uint32_t)len_bytes;
		slot->sent_mono_ns = now_ns;
		memcpy(slot->bytes, buf, len_bytes);
	}
	return 0;
}

int aes67d_ptp_sock_cmsg_stamp(struct msghdr *msg, enum aes67d_ptp_ts_mode mode, int64_t *ns)
{
	/* scm_timestamping: ts[0] software (REALTIME), ts[1] unused, ts[2] raw hardware
	 * (timestamping.rst §2.1.1). */
	int k = mode == AES67D_PTP_TSMODE_HARDWARE ? 2 : 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		struct scm_timestamping ts;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_TIMESTAMPING ||
		    c->cmsg_len < CMSG_LEN(sizeof(ts))) {
			continue;
		}
		memcpy(&ts, CMSG_DATA(c), sizeof(ts));
		if (ts.ts[k].tv_sec < 0 || ts.ts[k].tv_nsec < 0 ||
		    ts.ts[k].tv_nsec >= 1000000000L ||
		    (ts.ts[k].tv_sec == 0 && ts.ts[k].tv_nsec == 0)) {
			return 0;
		}
		*ns = (int64_t)ts.ts[k].tv_sec * 1000000000LL + ts.ts[k].tv_nsec;
		return 1;
	}
	return 0;
}

/* The stamp of a message's control data, converted to mono raw; 0 if absent. */
static int64_t stamp_of(const struct aes67d_ptp_sock *s, struct msghdr *msg)
{
	struct aes67d_ptp_tsconv conv;
	int64_t ns;

	if (aes67d_ptp_sock_cmsg_stamp(msg, s->ts_mode, &ns) != 1) {
		return 0;
	}
	if (s->ts_mode == AES67D_PTP_TSMODE_HARDWARE) {
		return aes67d_ptp_phc_to_raw(&s->phc, ns);
	}
	if (aes67d_ptp_tsconv_sample(&conv) < 0) {
		return 0;
	}
	return aes67d_ptp_tsconv_to_raw(&conv, ns);
}

int aes67d_ptp_sock_recv(struct aes67d_ptp_sock *s, int i, uint8_t *buf, size_t cap,
			 enum aes67_ptp_channel *ch, int64_t *rx_mono_ns)
{
	_Alignas(struct cmsghdr) char control[CMSG_BYTES];
	struct sockaddr_ll from;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr msg = {
		.msg_name = &from,
		.msg_namelen = sizeof(from),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	ssize_t n;

	if (i < 0 || i > 1 || s->fd[i] < 0) {
		return -EINVAL;
	}
	n = recvmsg(s->fd[i], &msg, MSG_DONTWAIT);
	if (n < 0) {
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
	if (s->transport == AES67D_PTP_SOCK_L2) {
		*ch = AES67_PTP_CH_L2;
		if (msg.msg_namelen >= sizeof(from) && from.sll_pkttype == PACKET_OUTGOING) {
			return 0;
		}
	} else {
		*ch = i == 0 ? AES67_PTP_CH_EVENT : AES67_PTP_CH_GENERAL;
	}
	if (msg.msg_flags & MSG_TRUNC) {
		return 0;
	}
	*rx_mono_ns = stamp_of(s, &msg);
	return (int)n;
}

int aes67d_ptp_sock_match(const struct aes67d_ptp_sock *s, const uint8_t *data, size_t len)
{
	for (int i = 0; i < AES67D_PTP_SOCK_PENDING; i++) {
		const struct aes67d_ptp_sock_pending *p = &s->pending[i];

		if (p->used && p->len_bytes > 0 && len >= p->len_bytes &&
		    memmem(data, len, p->bytes, p->len_bytes) != NULL) {
			return i;
		}
	}
	return -1;
}

int aes67d_ptp_sock_recv_tx_ts(struct aes67d_ptp_sock *s, int i, uint32_t *token,
			       int64_t *tx_mono_ns)
{
	_Alignas(struct cmsghdr) char control[CMSG_BYTES];
	uint8_t data[256];
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	ssize_t n;
	int64_t t;
	int k;

	if (i < 0 || i > 1 || s->fd[i] < 0) {
		return -EINVAL;
	}
	n = recvmsg(s->fd[i], &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (n < 0) {
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
	t = stamp_of(s, &msg);
	k = aes67d_ptp_sock_match(s, data, (size_t)n);
	if (t == 0 || k < 0) {
		return 0;
	}
	s->pending[k].used = false;
	*token = s->pending[k].token;
	*tx_mono_ns = t;
	return 1;
}

unsigned aes67d_ptp_sock_expire(struct aes67d_ptp_sock *s, int64_t now_ns, int64_t max_age_ns)
{
	unsigned n = 0;

	for (int i = 0; i < AES67D_PTP_SOCK_PENDING; i++) {
		if (s->pending[i].used && now_ns - s->pending[i].sent_mono_ns > max_age_ns) {
			s->pending[i].used = false;
			s->tx_ts_lost++;
			n++;
		}
	}
	return n;
}
