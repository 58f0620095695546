/* SPDX-License-Identifier: MIT */
/*
 * Internal layout of the device set, shared by device.c (regions, clock, tick), device_server.c
 * (the socket thread) and device_cmd.c (control commands). Not for other parts: they use device.h.
 */
#ifndef AES67D_DEVICE_IMPL_H
#define AES67D_DEVICE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/un.h>

#include "device.h"

struct aes67d_device {
	struct aes67d_device_config cfg;
	int memfd;	     /* sealed; duplicated to clients with SCM_RIGHTS */
	void *region;	     /* MAP_SHARED mapping of memfd */
	size_t region_bytes; /* == the ring layout's total_bytes */
	struct aes67_ring ring;
	_Atomic uint64_t opens;	   /* successful handshakes */
	_Atomic uint64_t reclaims; /* playback ownerships freed from dead pids */
};

struct aes67d_dev_client {
	int fd;		      /* -1 = free slot */
	uint64_t deadline_ns; /* CLOCK_MONOTONIC_RAW: closed if no request by then */
};

struct aes67d_devices {
	uint32_t n;
	struct aes67d_device dev[AES67D_MAX_DEVICES];
	uint64_t generation;
	struct aes67d_clock *clock;
	pthread_mutex_t clock_lock; /* one writer per clock page at a time */
	bool clock_external;	    /* guarded by clock_lock: a PTP back end publishes */
	int listen_fd;
	int stop_fd; /* eventfd: wakes the thread to stop */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct aes67d_dev_client clients[AES67D_DEVICE_MAX_CLIENTS];
	pthread_t thread;
	bool started;
	_Atomic uint64_t refused; /* clients refused (credentials, table full, bad request) */
};

/* device_server.c */
int aes67d_dev_server_bind(struct aes67d_devices *set, const char *path);
void aes67d_dev_server_close(struct aes67d_devices *set);
int aes67d_dev_server_start(struct aes67d_devices *set);
void aes67d_dev_server_stop(struct aes67d_devices *set);

/* device.c */
uint64_t aes67d_dev_mono_raw_ns(void);

#endif /* AES67D_DEVICE_IMPL_H */
