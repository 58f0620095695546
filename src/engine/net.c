// SPDX-License-Identifier: MIT
/*
 * Socket set-up for the streaming engine (see net.h). Everything here runs on the control side;
 * the RT threads only call sendmmsg/recvmmsg on the sockets made here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/net_tstamp.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "netif.h"

int aes67d_net_if_get(const char *name, struct aes67d_net_if *out, char *err, size_t err_bytes)
{
	struct aes67d_netif nif;
	struct ifreq ifr;
	char why[128];
	int r, fd;

	memset(out, 0, sizeof(*out));
	if (name == NULL || name[0] == '\0') {
		snprintf(err, err_bytes,
			 "no interface given; name the one AES67 traffic uses (--interface IF)");
		return -ENODEV;
	}
	r = aes67d_netif_find(name, &nif);
	if (r < 0) {
		snprintf(err, err_bytes, "interface \"%s\" does not exist; `ip link` lists them",
			 name);
		return r;
	}
	r = aes67d_netif_usable(&nif, why, sizeof(why));
	if (r < 0) {
		snprintf(err, err_bytes, "interface \"%s\" %s", name, why);
		return r;
	}
	snprintf(out->name, sizeof(out->name), "%s", nif.name);
	out->index = nif.index;
	out->addr = nif.ipv4;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", nif.name);
		if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0) {
			memcpy(out->mac, ifr.ifr_hwaddr.sa_data, 6);
		}
		close(fd);
	}
	return 0;
}

static int fail(int fd, const char *what, char *err, size_t err_bytes)
{
	int e = errno;

	snprintf(err, err_bytes, "%s: %s", what, strerror(e));
	if (fd >= 0) {
		close(fd);
	}
	return -e;
}

int aes67d_net_tx_open(const struct aes67d_net_if *nif, unsigned ttl, unsigned dscp, char *err,
		       size_t err_bytes)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr = nif->addr};
	struct ip_mreqn mr = {.imr_address = nif->addr, .imr_ifindex = (int)nif->index};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int tos = (int)(dscp << 2), ittl = (int)ttl, sndbuf = 1 << 20;

	if (fd < 0) {
		return fail(-1, "transmit socket", err, err_bytes);
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		return fail(fd, "transmit socket: bind to the interface address", err, err_bytes);
	}
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) != 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ittl, sizeof(ittl)) != 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_TTL, &ittl, sizeof(ittl)) != 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) != 0) {
		return fail(fd, "transmit socket: multicast interface, TTL or DSCP", err,
			    err_bytes);
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	return fd;
}

int aes67d_net_rx_open(const struct aes67d_net_if *nif, const struct sockaddr_in *group,
		       struct in_addr source, char *err, size_t err_bytes)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1, zero = 0, rcvbuf = 1 << 20;
	int ts = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
	bool mcast = IN_MULTICAST(ntohl(group->sin_addr.s_addr));
	struct sockaddr_in sa = *group;

	if (fd < 0) {
		return fail(-1, "receive socket", err, err_bytes);
	}
	/* Several streams (and other receivers) may share a port on different groups. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (!mcast) {
		sa.sin_addr.s_addr = htonl(INADDR_ANY);
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		char what[96];

		snprintf(what, sizeof(what), "receive socket: bind to port %u",
			 ntohs(group->sin_port));
		return fail(fd, what, err, err_bytes);
	}
	if (mcast) {
		(void)setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof(zero));
		if (source.s_addr != htonl(INADDR_ANY)) {
			struct ip_mreq_source ms = {.imr_multiaddr = group->sin_addr,
						    .imr_interface = nif->addr,
						    .imr_sourceaddr = source};

			if (setsockopt(fd, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, &ms, sizeof(ms)) !=
			    0) {
				return fail(fd, "receive socket: IGMPv3 source-specific join", err,
					    err_bytes);
			}
		} else {
			struct ip_mreqn mr = {.imr_multiaddr = group->sin_addr,
					      .imr_address = nif->addr,
					      .imr_ifindex = (int)nif->index};

			if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
				return fail(fd, "receive socket: multicast join", err, err_bytes);
			}
		}
	}
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &ts, sizeof(ts)) != 0) {
		return fail(fd, "receive socket: SO_TIMESTAMPING", err, err_bytes);
	}
	return fd;
}

int aes67d_net_parse_addr(const char *text, uint16_t def_port, struct sockaddr_in *out)
{
	const char *colon = strchr(text, ':');
	char host[INET_ADDRSTRLEN];
	size_t hl = colon != NULL ? (size_t)(colon - text) : strlen(text);
	uint32_t port = def_port;

	if (hl == 0 || hl >= sizeof(host)) {
		return -EINVAL;
	}
	memcpy(host, text, hl);
	host[hl] = '\0';
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &out->sin_addr) != 1) {
		return -EINVAL;
	}
	if (colon != NULL) {
		const char *p = colon + 1;

		if (*p == '\0') {
			return -EINVAL;
		}
		port = 0;
		for (; *p != '\0'; p++) {
			if (*p < '0' || *p > '9' || port > 6553) {
				return -EINVAL;
			}
			port = port * 10 + (uint32_t)(*p - '0');
		}
		if (port == 0 || port > 65535) {
			return -EINVAL;
		}
	}
	out->sin_port = htons((uint16_t)port);
	return 0;
}
