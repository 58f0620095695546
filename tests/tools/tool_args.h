/* SPDX-License-Identifier: MIT */
/*
 * Command-line value parsers shared by the test tools (impair, pcmcmp): own digit loops instead of
 * atoi/sscanf (STYLE.md), every value range-checked, the whole string consumed.
 */
#ifndef AES67_TOOL_ARGS_H
#define AES67_TOOL_ARGS_H

#include <netinet/in.h>
#include <stdint.h>

/* Decimal unsigned integer <= @max. Return: 0, or -EINVAL. */
int tool_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* Percent with up to 3 decimals ("1", "0.5", "12.125"), 0..100, in units of 1/100000.
 * Return: 0, or -EINVAL. */
int tool_parse_percent(const char *s, uint32_t *out);

/* "A.B.C.D:PORT" (IPv4, port 1..65535). Return: 0, or -EINVAL. */
int tool_parse_addr(const char *s, struct sockaddr_in *out);

#endif /* AES67_TOOL_ARGS_H */
