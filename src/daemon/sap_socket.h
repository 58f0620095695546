/* SPDX-License-Identifier: MIT */
/*
 * The SAP socket of aes67d and of `aes67 list`: one UDP socket on port 9875 that joins the two
 * SAP groups on ONE interface and sends announcements out of that interface only.
 *
 * RFC 2974 §3: 224.2.127.254 is the SAP group of the global scope, 239.255.255.255 that of the
 * administratively scoped range 239.255.0.0/16, which AES67 devices use. The socket binds the
 * wildcard address (a socket bound to one group hears only that group), turns IP_MULTICAST_ALL
 * off so that it hears only the groups it joined itself, and uses IP_PKTINFO to drop datagrams
 * that arrived on another interface or for another destination. SO_REUSEADDR lets a daemon and
 * a CLI listen on one host at the same time.
 */
#ifndef AES67D_SAP_SOCKET_H
#define AES67D_SAP_SOCKET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"
#include "aes67/sap.h"

#define AES67D_SAP_GROUP_ADMIN "239.255.255.255" /* RFC 2974 §3, AES67 practice: we send here */
#define AES67D_SAP_GROUP_GLOBAL "224.2.127.254"	 /* RFC 2974 §3: listened to as well */

struct aes67d_sap_socket {
	int fd;
	unsigned ifindex;
	struct in_addr ifaddr; /* the interface's first IPv4 address: our SAP origin */
	int ttl;	       /* TTL currently set on the socket, -1 = unknown */
};

/**
 * aes67d_sap_socket_open() - open, bind and join both SAP groups on @ifname.
 * @s: receives the socket (non-blocking, close-on-exec).
 * @ifname: the interface; it must exist, be up, do multicast and have an IPv4 address.
 * @err: receives the failing step and the fix on error. @err_bytes: its size.
 * Return: 0 or a negative errno (-ENODEV, -ENETDOWN, -EADDRNOTAVAIL, -EOPNOTSUPP from the
 * interface check; -errno of socket/bind/setsockopt). Thread: control.
 */
AES67_MUST_CHECK int aes67d_sap_socket_open(struct aes67d_sap_socket *s, const char *ifname,
					    char *err, size_t err_bytes);

/**
 * aes67d_sap_socket_recv() - receive one datagram, if one is waiting.
 * @s: the socket. @buf: receives the datagram; @cap: its size in bytes.
 * @src: receives the IP source address.
 * @truncated: set when the datagram was larger than @cap (the rest is lost).
 * Return: bytes received; -EAGAIN when none waits; -EXDEV for a datagram that arrived on another
 * interface or for another destination (dropped); other -errno. Thread: the socket's owner.
 */
AES67_MUST_CHECK int aes67d_sap_socket_recv(struct aes67d_sap_socket *s, uint8_t *buf, size_t cap,
					    struct aes67_sap_origin *src, bool *truncated);

/**
 * aes67d_sap_socket_send() - send one datagram to 239.255.255.255:9875 with IP TTL @ttl.
 * @s: the socket. @pkt, @len_bytes: the datagram. @ttl: 1..255.
 * Return: bytes sent or -errno. Thread: the socket's owner.
 */
AES67_MUST_CHECK int aes67d_sap_socket_send(struct aes67d_sap_socket *s, const uint8_t *pkt,
					    size_t len_bytes, unsigned ttl);

/**
 * aes67d_sap_socket_origin() - our SAP originating source (the interface's IPv4 address).
 * @s: the socket. @origin: filled. Thread: any.
 */
void aes67d_sap_socket_origin(const struct aes67d_sap_socket *s, struct aes67_sap_origin *origin);

/**
 * aes67d_sap_socket_close() - close the socket (leaving the groups). Thread: the owner.
 * @s: the socket; a closed one (fd < 0) is ignored.
 */
void aes67d_sap_socket_close(struct aes67d_sap_socket *s);

#endif /* AES67D_SAP_SOCKET_H */
