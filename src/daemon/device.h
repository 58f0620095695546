/* SPDX-License-Identifier: MIT */
/*
 * Virtual devices of aes67d: one shared-memory region (aes67/ring.h) per configured device,
 * created in a sealed memfd and handed to the pcm.aes67 ALSA plugin over a Unix socket
 * (device_proto.h). The daemon side owns three things here:
 *   - the regions (created at start from the config, closed at stop);
 *   - a non-RT "device" thread that serves the device socket (poll, bounded clients, SO_PEERCRED,
 *     SCM_RIGHTS) and, every AES67D_DEVICE_TICK_MS, beats each region's heartbeat, publishes the
 *     clock mapping into each clock page (until a PTP back end publishes through
 *     aes67d_device_publish_clock()) and frees playback ownership held by dead processes;
 *   - the `device.list` control command.
 * The engine's TX reads a device's playback ring and its RX writes the capture ring, by absolute
 * media position; it finds them with aes67d_device_find() + aes67d_device_ring().
 *
 * No devices in the config: one default device "aes67" (2 playback and 2 capture channels,
 * 48 kHz, 1 ms packets) is created, so a fresh install has a working `pcm.aes67`.
 */
#ifndef AES67D_DEVICE_H
#define AES67D_DEVICE_H

#include <stdint.h>

#include "aes67/ring.h"
#include "clock.h"
#include "config.h"

#define AES67D_DEVICE_TICK_MS 50
#define AES67D_DEVICE_DEFAULT_NAME "aes67"
#define AES67D_DEVICE_MAX_CLIENTS 16

struct aes67d;
struct aes67d_control;
struct aes67d_device;
struct aes67d_devices;

/**
 * aes67d_device_socket_path() - the device socket path that belongs to a control socket path:
 * "X.sock" becomes "X.dev.sock", anything else gets ".dev" appended.
 * @control_path: the control socket path. @buf: receives the path. @buf_bytes: its size.
 * Return: 0 or -ENAMETOOLONG (the result would not fit @buf or a sockaddr_un). Thread: any.
 */
AES67_MUST_CHECK int aes67d_device_socket_path(const char *control_path, char *buf,
					       size_t buf_bytes);

/**
 * aes67d_devices_create() - create the regions of every configured device (or the default one)
 * and bind the device socket; no thread yet.
 * @out: receives the set; release with aes67d_devices_destroy().
 * @cfg: the configuration (devices are copied; later config changes do not resize regions).
 * @socket_path: where to listen (< 108 bytes); an existing file is replaced only if stale.
 * @clock: the media clock whose mapping is published until a PTP back end takes over; may be NULL.
 * Return: 0, -ENOMEM, -EINVAL (a device geometry the ring refuses), -EADDRINUSE (another daemon
 * listens there) or -errno of memfd_create/ftruncate/fcntl/mmap/socket/bind. Thread: control.
 */
AES67_MUST_CHECK int aes67d_devices_create(struct aes67d_devices **out,
					   const struct aes67d_config *cfg, const char *socket_path,
					   struct aes67d_clock *clock);

/**
 * aes67d_devices_start() - publish a first clock mapping and start the device thread.
 * @set: the set. Return: 0 or -errno of pthread_create. Thread: control.
 */
AES67_MUST_CHECK int aes67d_devices_start(struct aes67d_devices *set);

/**
 * aes67d_devices_destroy() - stop the thread, mark every region dead (clients see it within one
 * heartbeat check), unmap, close, remove the socket file.
 * @set: the set; NULL is ignored. Thread: control.
 */
void aes67d_devices_destroy(struct aes67d_devices *set);

/**
 * aes67d_devices_count() - number of devices. @set: the set. Thread: any.
 */
uint32_t aes67d_devices_count(const struct aes67d_devices *set);

/**
 * aes67d_devices_at() - device by index, or NULL. @set: the set. @i: 0..count-1. Thread: any.
 */
struct aes67d_device *aes67d_devices_at(struct aes67d_devices *set, uint32_t i);

/**
 * aes67d_devices_lookup() - device by name, or NULL. @set: the set. @name: the device name.
 * Thread: any (the set does not change while it exists).
 */
struct aes67d_device *aes67d_devices_lookup(struct aes67d_devices *set, const char *name);

/**
 * aes67d_device_find() - the daemon's device by name, or NULL (also before devices started).
 * @d: the daemon. @name: the device name; NULL or "" means the first device. Thread: any.
 */
struct aes67d_device *aes67d_device_find(struct aes67d *d, const char *name);

/**
 * aes67d_device_ring() - the region view of a device: the engine writes capture frames and reads
 * playback frames through it (aes67_ring_write/read on ->capture / ->play). Valid while the
 * device set exists. @dev: the device. Thread: any.
 */
const struct aes67_ring *aes67d_device_ring(struct aes67d_device *dev);

/**
 * aes67d_device_config() - the device's settings (name, channels, rate, ptime).
 * @dev: the device. Thread: any.
 */
const struct aes67d_device_config *aes67d_device_config(const struct aes67d_device *dev);

/**
 * aes67d_device_publish_clock() - write a clock mapping into every device's clock page and stop
 * the device thread's own publication (the caller, e.g. the PTP servo, now owns the mapping).
 * @set: the set. @map: MONOTONIC_RAW -> PTP mapping. @state: enum aes67_clock_state.
 * @gm_identity: the grandmaster's 8-byte clockIdentity, or NULL (zeros).
 * Return: 0, -EINVAL (bad state) or -AES67_ERANGE (rate ratio beyond ±1000 ppm); nothing is
 * written on error. Thread: control (takes a mutex; not for RT threads).
 */
AES67_MUST_CHECK int aes67d_device_publish_clock(struct aes67d_devices *set,
						 const struct aes67d_clock_map *map, uint32_t state,
						 const uint8_t *gm_identity);

/**
 * aes67d_device_tick() - one pass of the device thread's periodic work: heartbeat, own clock
 * publication (unless taken over), reclaim of playback ownership held by a dead pid.
 * @set: the set. @now_raw_ns: CLOCK_MONOTONIC_RAW now. Thread: the device thread (tests: any).
 */
void aes67d_device_tick(struct aes67d_devices *set, uint64_t now_raw_ns);

/**
 * aes67d_device_commands_register() - register `device.list` (devices, geometry, positions,
 * owners, clients served) and `device.dump` (a window of a playback or capture ring as numbers,
 * for tests; never on an RT path).
 * @ctl: the control server (not yet started). @d: the daemon; d->devices may be set later.
 * Return: 0 or an error of aes67d_control_register(). Thread: control.
 */
AES67_MUST_CHECK int aes67d_device_commands_register(struct aes67d_control *ctl, struct aes67d *d);

#endif /* AES67D_DEVICE_H */
