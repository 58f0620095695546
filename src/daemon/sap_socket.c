// SPDX-License-Identifier: MIT
/*
 * SAP socket I/O (see sap_socket.h). Every setsockopt failure names the step, because a
 * multicast setup that fails half way is otherwise hard to diagnose.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netif.h"
#include "sap_socket.h"

static int fail(struct aes67d_sap_socket *s, const char *step, char *err, size_t err_bytes)
{
	int r = -errno;

	snprintf(err, err_bytes, "SAP socket: %s: %s", step, strerror(errno));
	aes67d_sap_socket_close(s);
	return r;
}

static int join(struct aes67d_sap_socket *s, const char *group)
{
	struct ip_mreqn mr = {.imr_address = s->ifaddr, .imr_ifindex = (int)s->ifindex};

	if (inet_pton(AF_INET, group, &mr.imr_multiaddr) != 1) {
		errno = EINVAL;
		return -1;
	}
	return setsockopt(s->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr));
}

int aes67d_sap_socket_open(struct aes67d_sap_socket *s, const char *ifname, char *err,
			   size_t err_bytes)
{
	struct sockaddr_in any = {.sin_family = AF_INET, .sin_port = htons(AES67_SAP_PORT)};
	struct aes67d_netif nif;
	struct ip_mreqn mif = {0};
	char why[128];
	int one = 1, zero = 0, r;

	s->fd = -1;
	s->ttl = -1;
	if (ifname == NULL || ifname[0] == '\0') {
		snprintf(err, err_bytes, "no interface given");
		return -EINVAL;
	}
	if ((r = aes67d_netif_find(ifname, &nif)) < 0) {
		snprintf(err, err_bytes, "interface \"%s\" does not exist", ifname);
		return r;
	}
	if ((r = aes67d_netif_usable(&nif, why, sizeof(why))) < 0) {
		snprintf(err, err_bytes, "%s", why);
		return r;
	}
	s->ifindex = nif.index;
	s->ifaddr = nif.ipv4;
	s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		return fail(s, "socket", err, err_bytes);
	}
	if (setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		return fail(s, "SO_REUSEADDR", err, err_bytes);
	}
	if (setsockopt(s->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0) {
		return fail(s, "IP_PKTINFO", err, err_bytes);
	}
	if (setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof(zero)) < 0) {
		return fail(s, "IP_MULTICAST_ALL", err, err_bytes);
	}
	if (bind(s->fd, (const struct sockaddr *)&any, sizeof(any)) < 0) {
		return fail(s, "bind to port 9875", err, err_bytes);
	}
	if (join(s, AES67D_SAP_GROUP_ADMIN) < 0) {
		return fail(s, "join 239.255.255.255", err, err_bytes);
	}
	if (join(s, AES67D_SAP_GROUP_GLOBAL) < 0) {
		return fail(s, "join 224.2.127.254", err, err_bytes);
	}
	mif.imr_address = s->ifaddr;
	mif.imr_ifindex = (int)s->ifindex;
	if (setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_IF, &mif, sizeof(mif)) < 0) {
		return fail(s, "IP_MULTICAST_IF", err, err_bytes);
	}
	return 0;
}

static bool is_sap_group(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h == 0xEFFFFFFFu /* 239.255.255.255 */ || h == 0xE0027FFEu /* 224.2.127.254 */;
}

int aes67d_sap_socket_recv(struct aes67d_sap_socket *s, uint8_t *buf, size_t cap,
			   struct aes67_sap_origin *src, bool *truncated)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} ctl;
	struct sockaddr_in from;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh = {
		.msg_name = &from,
		.msg_namelen = sizeof(from),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	const struct in_pktinfo *pi = NULL;
	ssize_t n = recvmsg(s->fd, &mh, 0);

	if (n < 0) {
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			pi = (const struct in_pktinfo *)(const void *)CMSG_DATA(c);
		}
	}
	if (pi == NULL || pi->ipi_ifindex != (int)s->ifindex || !is_sap_group(pi->ipi_addr) ||
	    mh.msg_namelen < sizeof(from) || from.sin_family != AF_INET) {
		return -EXDEV;
	}
	memset(src, 0, sizeof(*src));
	src->family = 4;
	memcpy(src->addr, &from.sin_addr.s_addr, 4);
	*truncated = (mh.msg_flags & MSG_TRUNC) != 0;
	return (int)n;
}

int aes67d_sap_socket_send(struct aes67d_sap_socket *s, const uint8_t *pkt, size_t len_bytes,
			   unsigned ttl)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(AES67_SAP_PORT)};
	int t = ttl < 1 ? 1 : (ttl > 255 ? 255 : (int)ttl);
	ssize_t n;

	if (t != s->ttl) {
		if (setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_TTL, &t, sizeof(t)) < 0) {
			return -errno;
		}
		s->ttl = t;
	}
	to.sin_addr.s_addr = htonl(0xEFFFFFFFu);
	n = sendto(s->fd, pkt, len_bytes, 0, (const struct sockaddr *)&to, sizeof(to));
	return n < 0 ? -errno : (int)n;
}

void aes67d_sap_socket_origin(const struct aes67d_sap_socket *s, struct aes67_sap_origin *origin)
{
	memset(origin, 0, sizeof(*origin));
	origin->family = 4;
	memcpy(origin->addr, &s->ifaddr.s_addr, 4);
}

void aes67d_sap_socket_close(struct aes67d_sap_socket *s)
{
	if (s->fd >= 0) {
		close(s->fd);
	}
	s->fd = -1;
}
