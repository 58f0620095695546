// SPDX-License-Identifier: MIT
/*
 * Interface enumeration (see netif.h): if_nameindex() gives every interface with its index, even
 * those without addresses; getifaddrs() adds flags (from the AF_PACKET entry every interface has)
 * and the first IPv4 address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <string.h>

#include "netif.h"

#define PRINT_MAX_IFS 64

static unsigned mask_prefix(const struct sockaddr *mask)
{
	uint32_t m;
	unsigned n = 0;

	if (mask == NULL || mask->sa_family != AF_INET) {
		return 0;
	}
	m = ntohl(((const struct sockaddr_in *)(const void *)mask)->sin_addr.s_addr);
	while (m & 0x80000000u) {
		n++;
		m <<= 1;
	}
	return n;
}

static void fill_from_ifaddrs(struct aes67d_netif *nif, const struct ifaddrs *all)
{
	for (const struct ifaddrs *a = all; a != NULL; a = a->ifa_next) {
		if (a->ifa_name == NULL || strcmp(a->ifa_name, nif->name) != 0) {
			continue;
		}
		nif->up = (a->ifa_flags & IFF_UP) != 0;
		nif->running = (a->ifa_flags & IFF_RUNNING) != 0;
		nif->multicast = (a->ifa_flags & IFF_MULTICAST) != 0;
		nif->loopback = (a->ifa_flags & IFF_LOOPBACK) != 0;
		if (!nif->has_ipv4 && a->ifa_addr != NULL && a->ifa_addr->sa_family == AF_INET) {
			nif->has_ipv4 = true;
			nif->ipv4 =
				((const struct sockaddr_in *)(const void *)a->ifa_addr)->sin_addr;
			nif->prefix_len = mask_prefix(a->ifa_netmask);
		}
	}
}

int aes67d_netif_list(struct aes67d_netif *out, size_t max, size_t *count)
{
	struct if_nameindex *names;
	struct ifaddrs *addrs = NULL;
	size_t n = 0;

	names = if_nameindex();
	if (names == NULL) {
		return -errno;
	}
	if (getifaddrs(&addrs) != 0) {
		int e = errno;

		if_freenameindex(names);
		return -e;
	}
	for (struct if_nameindex *p = names; p->if_index != 0 && p->if_name != NULL; p++, n++) {
		struct aes67d_netif *nif;
		size_t len = strlen(p->if_name);

		if (n >= max) {
			continue;
		}
		nif = &out[n];
		memset(nif, 0, sizeof(*nif));
		if (len >= sizeof(nif->name)) {
			len = sizeof(nif->name) - 1;
		}
		memcpy(nif->name, p->if_name, len);
		nif->index = p->if_index;
		fill_from_ifaddrs(nif, addrs);
	}
	freeifaddrs(addrs);
	if_freenameindex(names);
	*count = n;
	return 0;
}

int aes67d_netif_find(const char *name, struct aes67d_netif *out)
{
	struct aes67d_netif all[PRINT_MAX_IFS];
	size_t n = 0;
	int r;

	if (name == NULL || strlen(name) >= IF_NAMESIZE) {
		return -ENODEV;
	}
	r = aes67d_netif_list(all, AES67_ARRAY_SIZE(all), &n);
	if (r < 0) {
		return r;
	}
	for (size_t i = 0; i < n && i < AES67_ARRAY_SIZE(all); i++) {
		if (strcmp(all[i].name, name) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return -ENODEV;
}

int aes67d_netif_usable(const struct aes67d_netif *nif, char *why, size_t why_bytes)
{
	if (!nif->up) {
		snprintf(why, why_bytes, "interface %s is down (ip link set %s up)", nif->name,
			 nif->name);
		return -ENETDOWN;
	}
	if (!nif->has_ipv4) {
		snprintf(why, why_bytes,
			 "interface %s has no IPv4 address (ip addr add ADDR/PREFIX dev %s)",
			 nif->name, nif->name);
		return -EADDRNOTAVAIL;
	}
	if (!nif->multicast) {
		snprintf(why, why_bytes,
			 "interface %s cannot do multicast (ip link set %s multicast on)",
			 nif->name, nif->name);
		return -EOPNOTSUPP;
	}
	if (why_bytes > 0) {
		why[0] = '\0';
	}
	return 0;
}

int aes67d_netif_print_table(FILE *f, const char *prefix)
{
	struct aes67d_netif all[PRINT_MAX_IFS];
	size_t n = 0;
	int r;

	r = aes67d_netif_list(all, AES67_ARRAY_SIZE(all), &n);
	if (r < 0) {
		return r;
	}
	fprintf(f, "%s%-16s %-5s %-18s %s\n", prefix, "NAME", "STATE", "IPV4", "MULTICAST");
	for (size_t i = 0; i < n && i < AES67_ARRAY_SIZE(all); i++) {
		char addr[INET_ADDRSTRLEN + 4] = "-";
		char cidr[INET_ADDRSTRLEN + 8];

		if (all[i].has_ipv4) {
			inet_ntop(AF_INET, &all[i].ipv4, addr, sizeof(addr));
			snprintf(cidr, sizeof(cidr), "%s/%u", addr, all[i].prefix_len);
		} else {
			snprintf(cidr, sizeof(cidr), "-");
		}
		fprintf(f, "%s%-16s %-5s %-18s %s\n", prefix, all[i].name,
			all[i].up ? "up" : "down", cidr, all[i].multicast ? "yes" : "no");
	}
	if (n > AES67_ARRAY_SIZE(all)) {
		fprintf(f, "%s(%zu more not shown)\n", prefix, n - AES67_ARRAY_SIZE(all));
	}
	return 0;
}
