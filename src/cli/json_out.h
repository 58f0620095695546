/* SPDX-License-Identifier: MIT */
/*
 * JSON output helpers of the CLI: a parsed SDP as JSON (every field the core models), and a
 * generic "key: value" rendering of a JSON object for people (used by `aes67 status`).
 */
#ifndef AES67_CLI_JSON_OUT_H
#define AES67_CLI_JSON_OUT_H

#include <jansson.h>
#include <stdio.h>

#include "aes67/sdp.h"

/**
 * cli_sdp_to_json() - every field of a parsed SDP as a JSON object, plus per media section the
 * derived values (frames per packet, AES67 usability with its reason).
 * @sdp: the parsed description. Return: a new reference or NULL when out of memory.
 * Thread: any.
 */
json_t *cli_sdp_to_json(const struct aes67_sdp *sdp);

/**
 * cli_json_print_text() - print an object as indented "key: value" lines for people; nested
 * objects indent, arrays of scalars print on one line, arrays of objects as numbered blocks.
 * @f: output. @v: the value. @indent: spaces before each line. Thread: any.
 */
void cli_json_print_text(FILE *f, const json_t *v, int indent);

#endif /* AES67_CLI_JSON_OUT_H */
