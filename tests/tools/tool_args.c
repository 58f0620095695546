// SPDX-License-Identifier: MIT
/*
 * Value parsers for the test tools' command lines (see tool_args.h). Cursor style, no sscanf.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "tool_args.h"

int tool_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (*s == '\0') {
		return -EINVAL;
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9') {
			return -EINVAL;
		}
		uint64_t d = (uint64_t)(*s - '0');
		if (v > (max - d) / 10) {
			return -EINVAL;
		}
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int tool_parse_percent(const char *s, uint32_t *out)
{
	uint32_t whole = 0;
	uint32_t frac = 0;
	int n_whole = 0;
	int n_frac = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++n_whole > 3) {
			return -EINVAL;
		}
		whole = whole * 10 + (uint32_t)(*s - '0');
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (++n_frac > 3) {
				return -EINVAL;
			}
			frac = frac * 10 + (uint32_t)(*s - '0');
		}
	}
	if (*s != '\0' || n_whole + n_frac == 0) {
		return -EINVAL;
	}
	for (int i = n_frac; i < 3; i++) {
		frac *= 10;
	}
	uint32_t v = whole * 1000 + frac;
	if (v > 100000) {
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int tool_parse_addr(const char *s, struct sockaddr_in *out)
{
	const char *colon = strrchr(s, ':');
	char host[INET_ADDRSTRLEN];
	uint64_t port;
	size_t n;

	if (colon == NULL) {
		return -EINVAL;
	}
	n = (size_t)(colon - s);
	if (n == 0 || n >= sizeof(host)) {
		return -EINVAL;
	}
	memcpy(host, s, n);
	host[n] = '\0';
	if (tool_parse_u64(colon + 1, 65535, &port) < 0 || port == 0) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &out->sin_addr) != 1) {
		return -EINVAL;
	}
	return 0;
}
