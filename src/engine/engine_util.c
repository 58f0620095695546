// SPDX-License-Identifier: MIT
/*
 * Text parsing and interface choice for the engine's front ends (engine_util.h). Own digit
 * loops, no sscanf/atoi: every input is checked character by character.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine_util.h"
#include "netif.h"

int aes67d_parse_u64(const char *text, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (text == NULL || *text == '\0') {
		return -EINVAL;
	}
	for (const char *p = text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			return -EINVAL;
		}
		if (v > (max - (uint64_t)(*p - '0')) / 10) {
			return -EINVAL;
		}
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return 0;
}

int aes67d_parse_ptime(const char *text, uint32_t *ptime_ns)
{
	uint64_t whole = 0, frac = 0, scale = 1, unit_ns = 1000, ns;
	const char *p = text;
	int digits = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (whole > 100000000) {
			return -EINVAL;
		}
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (scale < 1000000) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
		}
	}
	if (digits == 0) {
		return -EINVAL;
	}
	if (strcmp(p, "ms") == 0) {
		unit_ns = 1000000;
	} else if (strcmp(p, "us") == 0 || *p == '\0') {
		unit_ns = 1000;
	} else {
		return -EINVAL;
	}
	ns = whole * unit_ns + frac * unit_ns / scale;
	if (ns == 333000 || ns == 333300 || ns == 333330) {
		ns = 333333; /* 1/3 ms */
	}
	if (ns == 0 || ns > 100000000) {
		return -EINVAL;
	}
	*ptime_ns = (uint32_t)ns;
	return 0;
}

uint32_t aes67d_ptime_frames(uint32_t ptime_ns, uint32_t rate_hz)
{
	return (uint32_t)(((uint64_t)ptime_ns * rate_hz + 500000000u) / 1000000000u);
}

int aes67d_parse_format(const char *text, enum aes67_pcm_format *out)
{
	static const struct {
		const char *name;
		enum aes67_pcm_format f;
	} tab[] = {{"L16", AES67_PCM_L16},
		   {"L24", AES67_PCM_L24},
		   {"L32", AES67_PCM_L32},
		   {"AM824", AES67_PCM_AM824}};

	for (size_t i = 0; i < AES67_ARRAY_SIZE(tab); i++) {
		if (strcasecmp(text, tab[i].name) == 0) {
			*out = tab[i].f;
			return 0;
		}
	}
	return -EINVAL;
}

const char *aes67d_format_name(enum aes67_pcm_format f)
{
	switch (f) {
	case AES67_PCM_L16:
		return "L16";
	case AES67_PCM_L24:
		return "L24";
	case AES67_PCM_L32:
		return "L32";
	case AES67_PCM_AM824:
		return "AM824";
	}
	return "?";
}

int aes67d_pick_interface(const char *given, char *out, size_t out_bytes, char *err,
			  size_t err_bytes)
{
	struct aes67d_netif list[32];
	size_t count = 0, n_ok = 0, used = 0;
	const char *only = NULL;
	char why[64];

	if (given != NULL) {
		snprintf(out, out_bytes, "%s", given);
		return 0;
	}
	if (aes67d_netif_list(list, AES67_ARRAY_SIZE(list), &count) < 0) {
		count = 0;
	}
	if (count > AES67_ARRAY_SIZE(list)) {
		count = AES67_ARRAY_SIZE(list);
	}
	for (size_t i = 0; i < count; i++) {
		if (!list[i].loopback && aes67d_netif_usable(&list[i], why, sizeof(why)) == 0) {
			n_ok++;
			only = list[i].name;
		}
	}
	if (n_ok == 1) {
		snprintf(out, out_bytes, "%s", only);
		return 0;
	}
	used = (size_t)snprintf(err, err_bytes,
				"%s usable interface; choose one with --interface IF (",
				n_ok == 0 ? "no" : "more than one");
	for (size_t i = 0; i < count && used < err_bytes; i++) {
		used += (size_t)snprintf(err + used, err_bytes - used, "%s%s", i ? ", " : "",
					 list[i].name);
	}
	if (used < err_bytes) {
		snprintf(err + used, err_bytes - used, ")");
	}
	return -ENODEV;
}
