/* SPDX-License-Identifier: MIT */
/*
 * JSON (jansson) side of the configuration: converting one stream between JSON and its struct.
 * Used by the file loader and by the control socket's stream.add / stream.list commands, so the
 * same rules and the same path-naming error messages apply to both.
 */
#ifndef AES67D_CONFIG_JSON_H
#define AES67D_CONFIG_JSON_H

#include <jansson.h>

#include "config.h"

/**
 * aes67d_config_tx_from_json() - read one transmit stream object.
 * @j: the JSON value (must be an object). @path: its JSON path for error messages.
 * @out: receives the stream (defaults filled in). @err, @err_bytes: "path.key: reason".
 * Return: 0, -AES67_EMALFORMED or -AES67_ERANGE. Thread: control.
 */
AES67_MUST_CHECK int aes67d_config_tx_from_json(const json_t *j, const char *path,
						struct aes67d_tx_config *out, char *err,
						size_t err_bytes);

/* As aes67d_config_tx_from_json(), for a receive stream object. Thread: control. */
AES67_MUST_CHECK int aes67d_config_rx_from_json(const json_t *j, const char *path,
						struct aes67d_rx_config *out, char *err,
						size_t err_bytes);

/**
 * aes67d_config_from_json() - read a whole configuration (not yet cross-validated).
 * @j: the root object. @out: receives it. @err, @err_bytes: as above.
 * Return: as above. Thread: control.
 */
AES67_MUST_CHECK int aes67d_config_from_json(const json_t *j, struct aes67d_config *out, char *err,
					     size_t err_bytes);

/* New JSON object for one stream / the whole configuration; NULL when out of memory. The caller
 * owns the reference. Thread: control. */
json_t *aes67d_config_tx_to_json(const struct aes67d_tx_config *tx);
json_t *aes67d_config_rx_to_json(const struct aes67d_rx_config *rx);
json_t *aes67d_config_to_json(const struct aes67d_config *c);

/*
 * aes67d_config_fail() - format a message into err (when err is not NULL and err_bytes > 0,
 * truncated to fit) and return code, so that a reader can write "return aes67d_config_fail(...)".
 * Shared by the loader (config.c) and the JSON reader (config_json.c). Thread: control.
 */
int aes67d_config_fail(int code, char *err, size_t err_bytes, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* AES67D_CONFIG_JSON_H */
