/* SPDX-License-Identifier: MIT */
/*
 * Lock-free single-producer single-consumer queue of fixed-size records.
 *
 * Used for commands from the control thread to an RT thread, and (the other way round) for event
 * codes that RT threads report instead of logging. One thread pushes, one thread pops; neither
 * blocks, allocates or locks. Indices run free over 32 bits (slot = index & mask, like
 * spa/utils/ringbuffer.h) so "full" and "empty" need no spare slot. The producer's and the
 * consumer's index live on separate cache lines so the two threads do not bounce one line.
 */
#ifndef AES67D_CMDQ_H
#define AES67D_CMDQ_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"

struct aes67d_cmdq {
	/* Written by the producer only (release), read by the consumer (acquire). */
	_Alignas(AES67_CACHELINE_BYTES) atomic_uint_fast32_t head;
	/* Written by the consumer only (release), read by the producer (acquire). */
	_Alignas(AES67_CACHELINE_BYTES) atomic_uint_fast32_t tail;
	/* Constant after init; read by both. */
	_Alignas(AES67_CACHELINE_BYTES) uint32_t record_bytes;
	uint32_t capacity; /* records, a power of two */
	unsigned char *storage;
	int owns_storage;
};

/**
 * aes67d_cmdq_storage_bytes() - bytes of storage a queue needs.
 * @record_bytes: size of one record in bytes (> 0).
 * @capacity: number of records; a power of two, at most 2^30.
 *
 * Return: the byte count, or 0 if the arguments are invalid or the size would overflow.
 * Thread: any.
 */
size_t aes67d_cmdq_storage_bytes(uint32_t record_bytes, uint32_t capacity);

/**
 * aes67d_cmdq_init() - set up a queue over caller-owned storage.
 * @q: the queue to initialise.
 * @storage: at least aes67d_cmdq_storage_bytes() bytes; owned by the caller, must outlive @q.
 * @storage_bytes: size of @storage in bytes.
 * @record_bytes: size of one record in bytes.
 * @capacity: number of records (power of two).
 *
 * Return: 0, or -EINVAL (bad sizes, capacity not a power of two) or -ENOSPC (@storage too small).
 * Thread: control, before the queue is shared.
 */
AES67_MUST_CHECK int aes67d_cmdq_init(struct aes67d_cmdq *q, void *storage, size_t storage_bytes,
				      uint32_t record_bytes, uint32_t capacity);

/**
 * aes67d_cmdq_create() - allocate a queue with its own storage.
 * @out: receives the queue; release it with aes67d_cmdq_destroy().
 * @record_bytes: size of one record in bytes.
 * @capacity: number of records (power of two).
 *
 * Return: 0, -EINVAL or -ENOMEM. Thread: control.
 */
AES67_MUST_CHECK int aes67d_cmdq_create(struct aes67d_cmdq **out, uint32_t record_bytes,
					uint32_t capacity);

/**
 * aes67d_cmdq_destroy() - free a queue made by aes67d_cmdq_create(); NULL is ignored.
 * @q: the queue. Thread: control, once neither side uses it any more.
 */
void aes67d_cmdq_destroy(struct aes67d_cmdq *q);

/**
 * aes67d_cmdq_push() - append one record (producer side).
 * @q: the queue.
 * @record: the record to copy in.
 * @bytes: its size; must be <= record_bytes (the rest of the slot is zeroed).
 *
 * Return: 0, -EAGAIN if the queue is full (nothing written), -EMSGSIZE if @bytes is too large.
 * Thread: the single producer; rt-safe.
 */
AES67_RT AES67_MUST_CHECK int aes67d_cmdq_push(struct aes67d_cmdq *q, const void *record,
					       size_t bytes);

/**
 * aes67d_cmdq_pop() - take the oldest record (consumer side).
 * @q: the queue.
 * @record: receives the record.
 * @bytes: room in @record; must be >= record_bytes.
 *
 * Return: 0, -EAGAIN if the queue is empty, -EMSGSIZE if @bytes is too small (nothing taken).
 * Thread: the single consumer; rt-safe.
 */
AES67_RT AES67_MUST_CHECK int aes67d_cmdq_pop(struct aes67d_cmdq *q, void *record, size_t bytes);

/**
 * aes67d_cmdq_count() - records waiting; exact for the consumer, a snapshot for anyone else.
 * @q: the queue. Return: the count. Thread: any; rt-safe.
 */
AES67_RT uint32_t aes67d_cmdq_count(struct aes67d_cmdq *q);

#endif /* AES67D_CMDQ_H */
