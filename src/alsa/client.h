/* SPDX-License-Identifier: MIT */
/*
 * The plugin's side of the device handshake (src/daemon/device_proto.h): connect to aes67d's
 * device socket, check the daemon's credentials, receive the region's memfd, check its seals and
 * size, map it and validate it with aes67_ring_attach(). Kept apart from the alsa-lib glue so the
 * unit tests run it against an in-process daemon.
 */
#ifndef AES67_ALSA_CLIENT_H
#define AES67_ALSA_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "aes67/ring.h"

struct aes67_alsa_conn {
	void *region;
	size_t region_bytes;
	struct aes67_ring ring;
	uint64_t generation; /* the region's generation at attach */
	uint32_t ptime_us;   /* the device's packet time, µs */
	bool daemon_watched; /* daemon_pidfd is open */
	int daemon_pidfd;    /* pidfd of the daemon's process (SO_PEERCRED pid), if watched */
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
 * aes67_alsa_watch_pid() - watch process @pid as the daemon (a pidfd, pidfd_open(2)); done by
 * aes67_alsa_connect() with the pid SO_PEERCRED gives. Replaces an earlier watch.
 * @conn: the connection. @pid: > 0, as seen in our pid namespace.
 * Return: 0; -EINVAL, or -errno of pidfd_open (-ENOSYS before Linux 5.3, -ESRCH): then
 * nothing is watched and liveness rests on the heartbeat alone. Thread: control.
 */
AES67_MUST_CHECK int aes67_alsa_watch_pid(struct aes67_alsa_conn *conn, pid_t pid);

/**
 * aes67_alsa_daemon_exited() - has the watched daemon process exited? One poll(2) with a zero
 * timeout on the pidfd; a process that exited counts even before its parent reaps it.
 * @conn: the connection.
 * Return: 1 exited, 0 running, -ENOENT if no process is watched (daemon in another pid
 * namespace, or no pidfd support), -errno of poll. Thread: any (no allocation, no lock).
 */
AES67_MUST_CHECK int aes67_alsa_daemon_exited(const struct aes67_alsa_conn *conn);

/**
 * aes67_alsa_disconnect() - unmap, stop watching. @conn: the connection (zeroed after); also
 * safe on a zeroed or failed one. Thread: control.
 */
void aes67_alsa_disconnect(struct aes67_alsa_conn *conn);

#endif /* AES67_ALSA_CLIENT_H */
