/* SPDX-License-Identifier: MIT */
/*
 * Internals of the streaming engine shared by engine.c (control side), txloop.c and rxloop.c
 * (the RT threads). Not a public header.
 */
#ifndef AES67D_ENGINE_IMPL_H
#define AES67D_ENGINE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>

#include "cmdq.h"
#include "engine.h"
#include "log.h"

#define ENGINE_CMDQ_CAPACITY 128
#define ENGINE_EVENTS_CAPACITY 256
#define TX_MAX_MSGS 256 /* datagrams per sendmmsg */
#define RX_BATCH 32	/* datagrams per recvmmsg */
#define TX_CMSG_BYTES (CMSG_SPACE(sizeof(int)) * 2)
#define RX_CMSG_BYTES 256

/* A timespec as ns since its clock's epoch. */
static inline uint64_t engine_timespec_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
}

/* Clock @id now, ns; 0 if it cannot be read. RT-safe (vDSO for the system clocks). */
static inline uint64_t engine_clock_ns(clockid_t id)
{
	struct timespec ts;

	return clock_gettime(id, &ts) == 0 ? engine_timespec_ns(&ts) : 0;
}

enum engine_cmd_op {
	ENGINE_CMD_ADD = 1,
	ENGINE_CMD_REMOVE,
};

struct engine_cmd {
	uint32_t op;
	void *stream;
};

struct engine_device {
	char name[AES67D_STREAM_NAME_BYTES];
	const struct aes67_ring *ring;
	uint32_t rate_hz;
	uint64_t cap_pos; /* RX thread: next capture position to write; 0: not started */
	int32_t *cap_buf; /* AES67D_RX_DRAIN_FRAMES * capture channels */
};

struct engine_thread {
	pthread_t thread;
	bool started;
	struct aes67d_cmdq cmdq;
	_Alignas(AES67_CACHELINE_BYTES) unsigned char cmd_storage[ENGINE_CMDQ_CAPACITY *
								  sizeof(struct engine_cmd)];
	struct aes67d_events events;
	_Alignas(AES67_CACHELINE_BYTES) unsigned char ev_storage[ENGINE_EVENTS_CAPACITY *
								 sizeof(struct aes67d_event)];
	_Atomic int sched_err; /* 0: SCHED_FIFO granted; else -errno */
};

struct aes67d_engine {
	struct aes67d_clock *clock;
	struct aes67d_net_if nif;
	int tx_fd;
	bool realtime, locked;
	/* PM QoS CPU latency request: open descriptor while held (-1: none), else why not. */
	int qos_fd, qos_err;
	uint32_t qos_us;
	int tx_priority, rx_priority;
	atomic_bool stop;
	struct engine_device devices[AES67D_ENGINE_MAX_DEVICES];
	/* Incremented (seq_cst) after the new entry is complete: the RX thread, which drains every
	 * device with capture channels, sees only whole entries. */
	_Atomic uint32_t n_devices;
	/* Control side's view of the streams (the RT threads keep their own lists). */
	struct aes67d_tx_stream *tx[AES67D_ENGINE_MAX_STREAMS];
	struct aes67d_rx_stream *rx[AES67D_ENGINE_MAX_STREAMS];
	struct engine_thread txt, rxt;
	pthread_t housekeeping;
	bool housekeeping_started;
	/* TX thread only. */
	struct aes67d_tx_stream *tx_active[AES67D_ENGINE_MAX_STREAMS];
	uint32_t n_tx_active;
	struct mmsghdr tx_msgs[TX_MAX_MSGS];
	struct iovec tx_iov[TX_MAX_MSGS];
	unsigned char tx_cmsg[TX_MAX_MSGS][TX_CMSG_BYTES];
	/* RX thread only. */
	struct aes67d_rx_stream *rx_active[AES67D_ENGINE_MAX_STREAMS];
	uint32_t n_rx_active;
	struct mmsghdr rx_msgs[RX_BATCH];
	struct iovec rx_iov[RX_BATCH];
	struct sockaddr_in rx_from[RX_BATCH];
	unsigned char rx_buf[RX_BATCH][AES67D_RX_MAX_PACKET_BYTES];
	unsigned char rx_cmsg[RX_BATCH][RX_CMSG_BYTES];
};

/* Thread bodies (txloop.c, rxloop.c). */
void *aes67d_engine_tx_main(void *arg);
void *aes67d_engine_rx_main(void *arg);

/* Both RT threads: ask for SCHED_FIFO at @prio; stores 0 or -errno in t->sched_err. */
void aes67d_engine_thread_rt(struct engine_thread *t, bool want, int prio);

#endif /* AES67D_ENGINE_IMPL_H */
