/* SPDX-License-Identifier: MIT */
/*
 * The plugin's side of the device handshake (src/daemon/device_proto.h): connect to aes67d's
 * device socket, check the daemon's credentials, receive the region's memfd, check its seals and
 * size, map it and validate it with aes67_ring_attach(). Kept apart from the alsa-lib glue so the
 * unit tests run it against an in-process daemon.
 */
#ifndef AES67_ALSA_CLIENT_H
#define AES67_ALSA_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "aes67/ring.h"

struct aes67_alsa_conn {
	void *region;
	size_t region_bytes;
	struct aes67_ring ring;
	uint64_t generation; /* the region's generation at attach */
	uint32_t ptime_us;   /* the device's packet time, µs */
};

/**
 * aes67_alsa_default_socket() - the device socket the plugin tries when none is configured:
 * $XDG_RUNTIME_DIR/aes67d.dev.sock if that exists, else /run/aes67d.dev.sock.
 * @buf: receives the path. @buf_bytes: its size.
 * Return: 0 or -ENAMETOOLONG. Thread: control.
 */
AES67_MUST_CHECK int aes67_alsa_default_socket(char *buf, size_t buf_bytes);

/**
 * aes67_alsa_connect() - hand-shake with aes67d and map a device region.
 * @conn: receives the mapping (release with aes67_alsa_disconnect()).
 * @socket_path: the daemon's device socket. @device: device name ("" = the daemon's first).
 * @err: receives a message for the user on failure. @err_bytes: its size.
 * Never blocks for long: connect fails at once when no daemon listens, and the reply is awaited
 * at most 2 s.
 * Return: 0; -ENOENT / -ECONNREFUSED (aes67d not running), -EACCES (credentials), -AES67_EABI
 * (version mismatch or invalid region), -AES67_ENOTFOUND (no such device), -ETIMEDOUT,
 * -EPROTO (malformed reply) or -errno. Thread: control.
 */
AES67_MUST_CHECK int aes67_alsa_connect(struct aes67_alsa_conn *conn, const char *socket_path,
					const char *device, char *err, size_t err_bytes);

/**
 * aes67_alsa_disconnect() - unmap. @conn: the connection (zeroed after). Thread: control.
 */
void aes67_alsa_disconnect(struct aes67_alsa_conn *conn);

#endif /* AES67_ALSA_CLIENT_H */
