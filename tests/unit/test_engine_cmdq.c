// SPDX-License-Identifier: MIT
/*
 * Unit tests for the daemon's SPSC command queue (src/daemon/cmdq.c): argument checks, FIFO
 * order, full/empty, 32-bit index wrap, RT safety (rt_guard) and a bounded two-thread run that
 * checks every record arrives once, in order, intact.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cmdq.h"
#include "rt_guard.h"

struct rec {
	uint64_t seq;
	uint64_t check; /* seq * constant: detects torn or stale slots */
	uint32_t pad[4];
};

#define CHECK_MUL 0x9e3779b97f4a7c15ull

static void test_init_checks(void **state)
{
	static _Alignas(64) unsigned char buf[16 * 64];
	struct aes67d_cmdq q;

	(void)state;
	assert_int_equal(aes67d_cmdq_storage_bytes(16, 64), 1024);
	assert_int_equal(aes67d_cmdq_storage_bytes(16, 48), 0);
	assert_int_equal(aes67d_cmdq_storage_bytes(0, 64), 0);
	assert_int_equal(aes67d_cmdq_init(&q, buf, sizeof(buf), 16, 3), -EINVAL);
	assert_int_equal(aes67d_cmdq_init(&q, buf, sizeof(buf), 0, 4), -EINVAL);
	assert_int_equal(aes67d_cmdq_init(&q, buf, 100, 16, 64), -ENOSPC);
	assert_int_equal(aes67d_cmdq_init(&q, NULL, sizeof(buf), 16, 4), -EINVAL);
	assert_int_equal(aes67d_cmdq_init(&q, buf, sizeof(buf), 16, 64), 0);
}

static void test_fifo_full_empty(void **state)
{
	static _Alignas(64) unsigned char buf[8 * sizeof(struct rec)];
	struct aes67d_cmdq q;
	struct rec r = {0}, out;
	uint8_t big[sizeof(struct rec) + 1] = {0};

	(void)state;
	assert_int_equal(aes67d_cmdq_init(&q, buf, sizeof(buf), sizeof(struct rec), 8), 0);
	assert_int_equal(aes67d_cmdq_pop(&q, &out, sizeof(out)), -EAGAIN);
	for (uint64_t i = 0; i < 8; i++) {
		r.seq = i;
		assert_int_equal(aes67d_cmdq_push(&q, &r, sizeof(r)), 0);
	}
	assert_int_equal(aes67d_cmdq_count(&q), 8);
	assert_int_equal(aes67d_cmdq_push(&q, &r, sizeof(r)), -EAGAIN);
	assert_int_equal(aes67d_cmdq_push(&q, big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(aes67d_cmdq_pop(&q, &out, sizeof(out) - 1), -EMSGSIZE);
	for (uint64_t i = 0; i < 8; i++) {
		assert_int_equal(aes67d_cmdq_pop(&q, &out, sizeof(out)), 0);
		assert_int_equal(out.seq, i);
	}
	assert_int_equal(aes67d_cmdq_count(&q), 0);
	/* A short record is zero-padded in its slot. */
	memset(&out, 0xff, sizeof(out));
	assert_int_equal(aes67d_cmdq_push(&q, "ab", 2), 0);
	assert_int_equal(aes67d_cmdq_pop(&q, &out, sizeof(out)), 0);
	assert_memory_equal(&out, "ab\0\0\0\0\0\0", 8);
	assert_int_equal(out.check, 0);
}

static void test_index_wrap(void **state)
{
	static _Alignas(64) unsigned char buf[4 * sizeof(uint32_t)];
	struct aes67d_cmdq q;
	uint32_t v, out;

	(void)state;
	assert_int_equal(aes67d_cmdq_init(&q, buf, sizeof(buf), sizeof(uint32_t), 4), 0);
	atomic_store(&q.head, UINT32_MAX - 5);
	atomic_store(&q.tail, UINT32_MAX - 5);
	for (v = 0; v < 64; v++) {
		assert_int_equal(aes67d_cmdq_push(&q, &v, sizeof(v)), 0);
		assert_int_equal(aes67d_cmdq_push(&q, &v, sizeof(v)), 0);
		assert_int_equal(aes67d_cmdq_count(&q), 2);
		assert_int_equal(aes67d_cmdq_pop(&q, &out, sizeof(out)), 0);
		assert_int_equal(out, v);
		assert_int_equal(aes67d_cmdq_pop(&q, &out, sizeof(out)), 0);
		assert_int_equal(aes67d_cmdq_count(&q), 0);
	}
	assert_int_equal(atomic_load(&q.head),
			 (uint32_t)(UINT32_MAX - 5 + 128)); /* wrapped to 122 */
}

static void test_rt_safe(void **state)
{
	static _Alignas(64) unsigned char buf[16 * sizeof(struct rec)];
	struct aes67d_cmdq q;
	struct rec r = {.seq = 7}, out;

	(void)state;
	assert_int_equal(aes67d_cmdq_init(&q, buf, sizeof(buf), sizeof(struct rec), 16), 0);
	int full = 0, popped = 0;

	rt_guard_enter(RT_GUARD_CORE);
	for (int i = 0; i < 20; i++) {
		full += aes67d_cmdq_push(&q, &r, sizeof(r)) == -EAGAIN;
	}
	uint32_t count = aes67d_cmdq_count(&q);
	while (aes67d_cmdq_pop(&q, &out, sizeof(out)) == 0) {
		popped++;
	}
	assert_int_equal(rt_guard_leave(), 0);
	assert_int_equal(full, 4);
	assert_int_equal(count, 16);
	assert_int_equal(popped, 16);
}

#define THREAD_RECORDS 200000u

static void *producer(void *arg)
{
	struct aes67d_cmdq *q = arg;
	struct rec r;

	memset(&r, 0, sizeof(r));
	for (uint64_t i = 0; i < THREAD_RECORDS; i++) {
		r.seq = i;
		r.check = i * CHECK_MUL;
		r.pad[i % 4] = (uint32_t)i;
		while (aes67d_cmdq_push(q, &r, sizeof(r)) == -EAGAIN) {
			sched_yield();
		}
		r.pad[i % 4] = 0;
	}
	return NULL;
}

static void test_two_threads(void **state)
{
	struct aes67d_cmdq *q = NULL;
	pthread_t t;
	struct rec out;
	uint64_t next = 0, bad = 0;

	(void)state;
	assert_int_equal(aes67d_cmdq_create(&q, sizeof(struct rec), 64), 0);
	assert_int_equal(pthread_create(&t, NULL, producer, q), 0);
	while (next < THREAD_RECORDS) {
		if (aes67d_cmdq_pop(q, &out, sizeof(out)) != 0) {
			sched_yield();
			continue;
		}
		if (out.seq != next || out.check != next * CHECK_MUL ||
		    out.pad[next % 4] != (uint32_t)next) {
			bad++;
		}
		next++;
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(aes67d_cmdq_count(q), 0);
	aes67d_cmdq_destroy(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_checks), cmocka_unit_test(test_fifo_full_empty),
		cmocka_unit_test(test_index_wrap),  cmocka_unit_test(test_rt_safe),
		cmocka_unit_test(test_two_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
