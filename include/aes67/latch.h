/* SPDX-License-Identifier: MIT */
/*
 * Latch: single-writer publication of a few 64-bit words that a reader never has to wait for.
 *
 * A plain seqlock keeps one copy and makes readers retry while the sequence is odd. When the
 * writer is preempted inside its update, every reader fails until it runs again; on this
 * project's machines the writer (the PTP thread, SCHED_OTHER) was preempted by the SCHED_FIFO
 * threads that read it, which then spun on the failed read and starved it for up to a second
 * (RT throttling finally let it run): the whole engine stalled (docs/bench-latency.md, "Third
 * session"). A latch keeps two copies and the writer updates them one after the other; the
 * sequence's low bit says which copy is not being written:
 *   writer: seq = s+1 (release); release fence; copy 0 = new; seq = s+2 (release);
 *           release fence; copy 1 = new
 *   reader: s1 = seq (acquire); read copy (s1 & 1); acquire fence; good when seq == s1 still.
 * A reader retries only when the writer finished a half-update during its read, never because
 * the writer is stuck. Fences as in Boehm, "Can seqlocks get along with programming language
 * memory models?" (2012): if the reader's relaxed load saw a store made after one of the
 * writer's release fences, its acquire fence synchronises with it and the re-read of the
 * sequence sees the newer value, so the copy is refused. The same scheme as Linux's
 * seqcount_latch; written here from that description.
 *
 * Everything is lock-free atomics on memory the caller owns (process-shared memory works: the
 * atomics are address-free). Socket-free, clock-free.
 */
#ifndef AES67_LATCH_H
#define AES67_LATCH_H

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read attempts before aes67_latch_read() gives up; each failure means a half-update ended. */
#define AES67_LATCH_READ_TRIES 64

/**
 * aes67_latch_write() - publish @n words.
 * @seq: the sequence (even between writes; 0 before the first).
 * @copies: 2 * @n words: copy 0, then copy 1.
 * @w: the @n words to publish.
 *
 * Thread: rt (the single writer of this latch).
 */
static inline AES67_RT void aes67_latch_write(_Atomic uint64_t *seq, _Atomic uint64_t *copies,
					      size_t n, const uint64_t *w)
{
	const uint64_t s = atomic_load_explicit(seq, memory_order_relaxed);

	/* Release: a reader that sees s+1 reads copy 1, whose stores (the previous write) are
	 * ordered before it. */
	atomic_store_explicit(seq, s + 1, memory_order_release);
	atomic_thread_fence(memory_order_release);
	for (size_t i = 0; i < n; i++) {
		atomic_store_explicit(&copies[i], w[i], memory_order_relaxed);
	}
	atomic_store_explicit(seq, s + 2, memory_order_release);
	atomic_thread_fence(memory_order_release);
	for (size_t i = 0; i < n; i++) {
		atomic_store_explicit(&copies[n + i], w[i], memory_order_relaxed);
	}
}

/**
 * aes67_latch_read() - take a consistent copy of the @n words.
 * @seq: the sequence.
 * @copies: 2 * @n words.
 * @w: receives the @n words.
 * @seq_out: receives the sequence the copy belongs to (may be NULL). Below 2: the first write
 *           has not finished, and the words are whatever the memory held before.
 *
 * Return: 0, or -EAGAIN after AES67_LATCH_READ_TRIES half-updates ended during the read
 * (a writer updating continuously). Never waits for the writer. Thread: any.
 */
static inline AES67_RT AES67_MUST_CHECK int aes67_latch_read(const _Atomic uint64_t *seq,
							     const _Atomic uint64_t *copies,
							     size_t n, uint64_t *w,
							     uint64_t *seq_out)
{
	/* Logically const for readers; C11 atomic loads take a non-const pointer. */
	_Atomic uint64_t *sq = (_Atomic uint64_t *)seq;
	_Atomic uint64_t *cp = (_Atomic uint64_t *)copies;

	for (int t = 0; t < AES67_LATCH_READ_TRIES; t++) {
		const uint64_t s1 = atomic_load_explicit(sq, memory_order_acquire);
		_Atomic uint64_t *c = cp + (s1 & 1u) * n;

		for (size_t i = 0; i < n; i++) {
			w[i] = atomic_load_explicit(&c[i], memory_order_relaxed);
		}
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(sq, memory_order_relaxed) == s1) {
			if (seq_out != NULL) {
				*seq_out = s1;
			}
			return 0;
		}
	}
	return -EAGAIN;
}

#ifdef __cplusplus
}
#endif

#endif /* AES67_LATCH_H */
