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
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
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

/* Joins @group (source-specific when @source is set: RFC 4570, IGMPv3) on @fd. */
static int rx_join(int fd, const struct aes67d_net_if *nif, const struct sockaddr_in *group,
		   struct in_addr source, char *err, size_t err_bytes)
{
	struct ip_mreq_source ms = {.imr_multiaddr = group->sin_addr,
				    .imr_interface = nif->addr,
				    .imr_sourceaddr = source};
	struct ip_mreqn mr = {.imr_multiaddr = group->sin_addr,
			      .imr_address = nif->addr,
			      .imr_ifindex = (int)nif->index};

	if (source.s_addr != htonl(INADDR_ANY)) {
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, &ms, sizeof(ms)) != 0) {
			return fail(-1, "receive socket: IGMPv3 source-specific join", err,
				    err_bytes);
		}
	} else if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
		return fail(-1, "receive socket: multicast join", err, err_bytes);
	}
	return 0;
}

/*
 * A second descriptor on @share_fd's socket, joined to @group as well. The socket's receive
 * buffer first grows by the 1 MiB a socket of its own would have asked for; where that is not
 * permitted (SO_RCVBUFFORCE needs CAP_NET_ADMIN) the stream gets a socket of its own instead
 * (returns -EPERM with nothing changed), so sharing never shortens the stall a stream survives.
 */
static int rx_share(const struct aes67d_net_if *nif, const struct sockaddr_in *group,
		    struct in_addr source, int share_fd, char *err, size_t err_bytes)
{
	int have = 0, want, fd, r;
	socklen_t len = sizeof(have);

	if (getsockopt(share_fd, SOL_SOCKET, SO_RCVBUF, &have, &len) != 0) {
		return -EPERM;
	}
	want = have / 2 + (1 << 20); /* the kernel reports twice what was set */
	if (setsockopt(share_fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) != 0) {
		return -EPERM;
	}
	fd = fcntl(share_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		return fail(-1, "receive socket: share the port's socket", err, err_bytes);
	}
	if ((r = rx_join(fd, nif, group, source, err, err_bytes)) < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int aes67d_net_rx_open(const struct aes67d_net_if *nif, const struct sockaddr_in *group,
		       struct in_addr source, int share_fd, char *err, size_t err_bytes)
{
	bool mcast = IN_MULTICAST(ntohl(group->sin_addr.s_addr));
	int one = 1, zero = 0, rcvbuf = 1 << 20, fd, r;
	int ts = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
	struct timeval wait = {.tv_sec = 0, .tv_usec = AES67D_NET_RX_WAIT_MS * 1000};
	struct sockaddr_in sa = *group;

	if (mcast && share_fd >= 0 &&
	    (r = rx_share(nif, group, source, share_fd, err, err_bytes)) != -EPERM) {
		return r;
	}
	/* Blocking, with a receive timeout: the RX thread blocks in recvmmsg on a lone socket
	 * and passes MSG_DONTWAIT everywhere else (rxloop.c). */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return fail(-1, "receive socket", err, err_bytes);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)) != 0) {
		return fail(fd, "receive socket: SO_RCVTIMEO", err, err_bytes);
	}
	/* Several streams (and other receivers) may share a port on different groups. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/*
	 * Multicast: bound to the port on any address, so that the streams of other groups on
	 * the same port can join this socket too (aes67d_net_rx_open() with share_fd); it then
	 * sees only the groups joined on it (IP_MULTICAST_ALL off) and tells them apart by the
	 * destination address (IP_PKTINFO). Unicast: bound to the stream's own address when it is
	 * one of ours, so that the more specific binding wins over those sockets for datagrams to
	 * it; else to any address, as before.
	 */
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	if (!mcast && group->sin_addr.s_addr != htonl(INADDR_ANY) &&
	    bind(fd, (const struct sockaddr *)group, sizeof(*group)) == 0) {
		sa.sin_addr = group->sin_addr;
	} else if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		char what[96];

		snprintf(what, sizeof(what), "receive socket: bind to port %u",
			 ntohs(group->sin_port));
		return fail(fd, what, err, err_bytes);
	}
	if (mcast) {
		(void)setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof(zero));
		if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) != 0) {
			return fail(fd, "receive socket: IP_PKTINFO", err, err_bytes);
		}
		if ((r = rx_join(fd, nif, group, source, err, err_bytes)) < 0) {
			close(fd);
			return r;
		}
	}
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &ts, sizeof(ts)) != 0) {
		return fail(fd, "receive socket: SO_TIMESTAMPING", err, err_bytes);
	}
	return fd;
}

void aes67d_net_rx_close(const struct aes67d_net_if *nif, int fd, const struct sockaddr_in *group,
			 struct in_addr source)
{
	if (fd < 0) {
		return;
	}
	if (IN_MULTICAST(ntohl(group->sin_addr.s_addr))) {
		if (source.s_addr != htonl(INADDR_ANY)) {
			struct ip_mreq_source ms = {.imr_multiaddr = group->sin_addr,
						    .imr_interface = nif->addr,
						    .imr_sourceaddr = source};

			(void)setsockopt(fd, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, &ms,
					 sizeof(ms));
		} else {
			struct ip_mreqn mr = {.imr_multiaddr = group->sin_addr,
					      .imr_address = nif->addr,
					      .imr_ifindex = (int)nif->index};

			(void)setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mr, sizeof(mr));
		}
	}
	close(fd);
}

uint64_t aes67d_net_sock_id(int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st) != 0) {
		return 0;
	}
	return (uint64_t)st.st_ino;
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
