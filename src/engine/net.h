/* SPDX-License-Identifier: MIT */
/*
 * Sockets of the streaming engine: one transmit socket for every stream (sendmmsg with the
 * destination, TTL and DSCP per message) and receive sockets joined on the chosen interface
 * with software receive timestamps: one per UDP port for the multicast streams on it (each
 * stream holds its own descriptor of it; the RX thread tells the groups apart by destination
 * address), one per unicast stream.
 */
#ifndef AES67D_NET_H
#define AES67D_NET_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"

/* The interface all AES67 traffic uses: what the sockets need to know about it. */
struct aes67d_net_if {
	char name[16];
	unsigned index;
	struct in_addr addr; /* its IPv4 address, network order */
	uint8_t mac[6];	     /* for a=ts-refclk:localmac (RFC 7273 §4.8) */
};

/**
 * aes67d_net_if_get() - look up an interface and check it can carry AES67 traffic.
 * @name: interface name. @out: receives index, address and MAC.
 * @err, @err_bytes: receive "interface X: reason; fix" on failure.
 * Return: 0, -ENODEV, -ENETDOWN, -EADDRNOTAVAIL, -EOPNOTSUPP or -errno. Thread: control.
 */
AES67_MUST_CHECK int aes67d_net_if_get(const char *name, struct aes67d_net_if *out, char *err,
				       size_t err_bytes);

/**
 * aes67d_net_tx_open() - the transmit socket: bound to the interface's address, multicast out
 * of that interface (IP_MULTICAST_IF by index), default TTL @ttl and DSCP @dscp (per-packet
 * values go in IP_TTL / IP_TOS control messages).
 * @nif: the interface. @ttl: 1..255. @dscp: 0..63. @err, @err_bytes: reason on failure.
 * Return: the socket (>= 0) or -errno. Thread: control.
 */
AES67_MUST_CHECK int aes67d_net_tx_open(const struct aes67d_net_if *nif, unsigned ttl,
					unsigned dscp, char *err, size_t err_bytes);

/* The longest a read of a receive socket blocks, and so the RX thread's longest sleep. */
#define AES67D_NET_RX_WAIT_MS 1

/**
 * aes67d_net_rx_open() - a receive socket for one stream.
 * @nif: the interface to join on.
 * @group: multicast group (joined with IP_ADD_MEMBERSHIP, or IP_ADD_SOURCE_MEMBERSHIP when
 *         @source is not INADDR_ANY: RFC 4570 source filter, IGMPv3) or a unicast address of
 *         this host (nothing joined), with the port.
 * @source: the only sender accepted, or INADDR_ANY.
 * @share_fd: for a multicast @group, a descriptor from this function for another group on the
 *            same port: the result is then a second descriptor on that socket, joined to
 *            @group as well (one socket per port, so one recvmmsg reads all its streams),
 *            its receive buffer grown by 1 MiB; where that needs a privilege the process
 *            lacks (CAP_NET_ADMIN), a socket of its own. A socket must not be joined to the
 *            same group twice. -1: a socket of its own.
 * @err, @err_bytes: reason on failure.
 * The socket blocks for at most AES67D_NET_RX_WAIT_MS (SO_RCVTIMEO; pass MSG_DONTWAIT not to
 * block at all), has a 1 MiB receive buffer (or what the system allows) and
 * SO_TIMESTAMPING software receive timestamps on. A multicast socket is bound to
 * the port on any address, sees only the groups joined on it (IP_MULTICAST_ALL off) and gives
 * each datagram's destination address (IP_PKTINFO); a unicast one is bound to @group's address
 * if this host has it, else to any address.
 * Return: the descriptor (close with aes67d_net_rx_close()) or -errno. Thread: control.
 */
AES67_MUST_CHECK int aes67d_net_rx_open(const struct aes67d_net_if *nif,
					const struct sockaddr_in *group, struct in_addr source,
					int share_fd, char *err, size_t err_bytes);

/**
 * aes67d_net_rx_close() - leave @group on the socket (other descriptors may keep it open for
 * their groups) and close @fd; the arguments are those given to aes67d_net_rx_open().
 * A negative @fd is ignored. Thread: control.
 */
void aes67d_net_rx_close(const struct aes67d_net_if *nif, int fd, const struct sockaddr_in *group,
			 struct in_addr source);

/**
 * aes67d_net_sock_id() - the identity of the socket behind @fd: the same for every descriptor
 * of one socket, different between sockets open at the same time; 0 if @fd is not valid.
 * Thread: any.
 */
uint64_t aes67d_net_sock_id(int fd);

/**
 * aes67d_net_parse_addr() - "A.B.C.D[:PORT]" to an address; the port defaults to @def_port.
 * @text: the text. @def_port: host order. @out: receives it.
 * Return: 0 or -EINVAL. Thread: any.
 */
AES67_MUST_CHECK int aes67d_net_parse_addr(const char *text, uint16_t def_port,
					   struct sockaddr_in *out);

#endif /* AES67D_NET_H */
