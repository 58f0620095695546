/* SPDX-License-Identifier: MIT */
/*
 * Network interface enumeration for aes67d and the aes67 CLI.
 *
 * The daemon never picks an interface on its own (sending multicast on the wrong one reaches a
 * network that is not ours). When the operator's choice is missing or unusable, the error lists
 * what this host has, using these functions.
 */
#ifndef AES67D_NETIF_H
#define AES67D_NETIF_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "aes67/common.h"

struct aes67d_netif {
	char name[IF_NAMESIZE];
	unsigned index;
	bool up;	/* IFF_UP */
	bool running;	/* IFF_RUNNING (carrier) */
	bool multicast; /* IFF_MULTICAST */
	bool loopback;	/* IFF_LOOPBACK */
	bool has_ipv4;
	struct in_addr ipv4; /* first IPv4 address, network order */
	unsigned prefix_len; /* of that address */
};

/**
 * aes67d_netif_list() - enumerate the interfaces of the current network namespace.
 * @out: array receiving up to @max entries, in interface-index order.
 * @max: capacity of @out.
 * @count: receives the number of interfaces present (may exceed @max; only @max are written).
 *
 * Return: 0 or -errno from if_nameindex/getifaddrs. Thread: control.
 */
AES67_MUST_CHECK int aes67d_netif_list(struct aes67d_netif *out, size_t max, size_t *count);

/**
 * aes67d_netif_find() - look one interface up by name.
 * @name: interface name. @out: receives it.
 * Return: 0, -ENODEV if there is none of that name, or -errno. Thread: control.
 */
AES67_MUST_CHECK int aes67d_netif_find(const char *name, struct aes67d_netif *out);

/**
 * aes67d_netif_usable() - can AES67 traffic run on this interface?
 * @nif: the interface.
 * @why: receives the reason when it cannot ("is down", "has no IPv4 address", ...).
 * @why_bytes: size of @why.
 *
 * Return: 0 if usable, -ENETDOWN (down), -EADDRNOTAVAIL (no IPv4), -EOPNOTSUPP (no multicast).
 * Thread: any.
 */
AES67_MUST_CHECK int aes67d_netif_usable(const struct aes67d_netif *nif, char *why,
					 size_t why_bytes);

/**
 * aes67d_netif_print_table() - write the interface list as an aligned table, one per line.
 * @f: output stream. @prefix: written before each line (e.g. "  "). Return: 0 or -errno.
 * Thread: control.
 */
int aes67d_netif_print_table(FILE *f, const char *prefix);

#endif /* AES67D_NETIF_H */
