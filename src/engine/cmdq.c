// SPDX-License-Identifier: MIT
/*
 * SPSC queue of fixed-size records (see cmdq.h).
 *
 * Memory order: the producer writes the slot, then publishes it with a release store of head;
 * the consumer's acquire load of head makes the slot's bytes visible before it copies them out.
 * Symmetrically, the consumer releases a slot with a release store of tail and the producer's
 * acquire load of tail guarantees the copy-out finished before the slot is overwritten.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmdq.h"

#define CMDQ_MAX_CAPACITY (1u << 30)

static int is_pow2(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

size_t aes67d_cmdq_storage_bytes(uint32_t record_bytes, uint32_t capacity)
{
	if (record_bytes == 0 || !is_pow2(capacity) || capacity > CMDQ_MAX_CAPACITY) {
		return 0;
	}
	if ((size_t)record_bytes > SIZE_MAX / capacity) {
		return 0;
	}
	return (size_t)record_bytes * capacity;
}

int aes67d_cmdq_init(struct aes67d_cmdq *q, void *storage, size_t storage_bytes,
		     uint32_t record_bytes, uint32_t capacity)
{
	size_t need = aes67d_cmdq_storage_bytes(record_bytes, capacity);

	if (q == NULL || storage == NULL || need == 0) {
		return -EINVAL;
	}
	if (storage_bytes < need) {
		return -ENOSPC;
	}
	memset(q, 0, sizeof(*q));
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
	q->record_bytes = record_bytes;
	q->capacity = capacity;
	q->storage = storage;
	q->owns_storage = 0;
	return 0;
}

int aes67d_cmdq_create(struct aes67d_cmdq **out, uint32_t record_bytes, uint32_t capacity)
{
	size_t need = aes67d_cmdq_storage_bytes(record_bytes, capacity);
	struct aes67d_cmdq *q;
	void *mem;
	int r;

	if (out == NULL || need == 0) {
		return -EINVAL;
	}
	q = aligned_alloc(AES67_CACHELINE_BYTES, sizeof(*q));
	if (q == NULL) {
		return -ENOMEM;
	}
	mem = calloc(1, need);
	if (mem == NULL) {
		free(q);
		return -ENOMEM;
	}
	r = aes67d_cmdq_init(q, mem, need, record_bytes, capacity);
	if (r < 0) {
		free(mem);
		free(q);
		return r;
	}
	q->owns_storage = 1;
	*out = q;
	return 0;
}

void aes67d_cmdq_destroy(struct aes67d_cmdq *q)
{
	if (q == NULL) {
		return;
	}
	if (q->owns_storage) {
		free(q->storage);
	}
	free(q);
}

int aes67d_cmdq_push(struct aes67d_cmdq *q, const void *record, size_t bytes)
{
	uint32_t head = (uint32_t)atomic_load_explicit(&q->head, memory_order_relaxed);
	uint32_t tail = (uint32_t)atomic_load_explicit(&q->tail, memory_order_acquire);
	unsigned char *slot;

	if (bytes > q->record_bytes) {
		return -EMSGSIZE;
	}
	if ((uint32_t)(head - tail) >= q->capacity) {
		return -EAGAIN;
	}
	slot = q->storage + (size_t)(head & (q->capacity - 1)) * q->record_bytes;
	memcpy(slot, record, bytes);
	if (bytes < q->record_bytes) {
		memset(slot + bytes, 0, q->record_bytes - bytes);
	}
	atomic_store_explicit(&q->head, (uint32_t)(head + 1), memory_order_release);
	return 0;
}

int aes67d_cmdq_pop(struct aes67d_cmdq *q, void *record, size_t bytes)
{
	uint32_t tail = (uint32_t)atomic_load_explicit(&q->tail, memory_order_relaxed);
	uint32_t head = (uint32_t)atomic_load_explicit(&q->head, memory_order_acquire);
	const unsigned char *slot;

	if (bytes < q->record_bytes) {
		return -EMSGSIZE;
	}
	if (head == tail) {
		return -EAGAIN;
	}
	slot = q->storage + (size_t)(tail & (q->capacity - 1)) * q->record_bytes;
	memcpy(record, slot, q->record_bytes);
	atomic_store_explicit(&q->tail, (uint32_t)(tail + 1), memory_order_release);
	return 0;
}

uint32_t aes67d_cmdq_count(struct aes67d_cmdq *q)
{
	uint32_t tail = (uint32_t)atomic_load_explicit(&q->tail, memory_order_acquire);
	uint32_t head = (uint32_t)atomic_load_explicit(&q->head, memory_order_acquire);

	return (uint32_t)(head - tail);
}
