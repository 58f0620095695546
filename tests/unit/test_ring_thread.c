// SPDX-License-Identifier: MIT
/*
 * Multi-threaded stress of the ring and the clock page, built for ThreadSanitizer (listed in
 * tsan_suites) and run in the ordinary builds too. Bounded: a few hundred thousand frames.
 *
 * - SPSC with flow control: every frame read back exactly, in order, by position.
 * - Writer that never waits plus two readers that deliberately fall behind: every frame a reader
 *   gets is either exactly the pattern of its position or silence, and the silence is accounted
 *   for by the missing/lapped counts; a lap is always reported, never returned as audio.
 * - Clock page latch: readers never see a mix of two updates.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "aes67/ring.h"

#define CHANNELS 2u
#define CAPACITY 256u
#define SPSC_FRAMES 300000u
#define BASE_POS 1000000000ull
#define SPIN_LIMIT 200000000u

static int32_t pattern(uint64_t pos, uint32_t ch)
{
	uint32_t v = (uint32_t)(pos * 2654435761u) ^ (ch * 40503u);

	return (int32_t)(((v & 0xffffffu) | 1u) << 8);
}

struct shared {
	struct aes67_ring ring;
	void *mem;
	atomic_int stop;
	atomic_int failures;
};

static void shared_make(struct shared *s)
{
	static const struct aes67_ring_geometry geo = {48000, CHANNELS, CHANNELS, CAPACITY,
						       AES67_RING_FORMAT_S32};
	struct aes67_ring_layout l;
	const char *why = NULL;

	assert_int_equal(aes67_ring_layout(&geo, &l), 0);
	s->mem = aligned_alloc(64, (size_t)l.total_bytes);
	assert_non_null(s->mem);
	assert_int_equal(aes67_ring_init(s->mem, (size_t)l.total_bytes, &geo, 9), 0);
	assert_int_equal(aes67_ring_attach(s->mem, (size_t)l.total_bytes, &s->ring, &why), 0);
	atomic_init(&s->stop, 0);
	atomic_init(&s->failures, 0);
}

static void *spsc_writer(void *arg)
{
	struct shared *s = arg;
	const struct aes67_ring_dir *d = &s->ring.capture;
	int32_t buf[61 * CHANNELS];
	uint64_t pos = BASE_POS;
	uint32_t chunk = 1;

	while (pos < BASE_POS + SPSC_FRAMES) {
		uint32_t n = chunk;
		uint32_t spins = 0;

		if (n > BASE_POS + SPSC_FRAMES - pos) {
			n = (uint32_t)(BASE_POS + SPSC_FRAMES - pos);
		}
		while (pos + n - aes67_ring_read_pos(d) > CAPACITY) {
			if (++spins > SPIN_LIMIT) {
				atomic_fetch_add(&s->failures, 1);
				return NULL;
			}
			sched_yield();
		}
		for (uint32_t i = 0; i < n; i++) {
			for (uint32_t c = 0; c < CHANNELS; c++) {
				buf[i * CHANNELS + c] = pattern(pos + i, c);
			}
		}
		if (aes67_ring_write(d, pos, buf, n) != (int)n) {
			atomic_fetch_add(&s->failures, 1);
		}
		pos += n;
		chunk = chunk % 61 + 1;
	}
	return NULL;
}

static void test_spsc_threads(void **state)
{
	struct shared s;
	const struct aes67_ring_dir *d;
	struct aes67_ring_read_stats st;
	int32_t buf[64 * CHANNELS];
	uint64_t rp = BASE_POS;
	uint64_t spins = 0;
	uint64_t bad = 0;
	pthread_t t;

	(void)state;
	shared_make(&s);
	d = &s.ring.capture;
	aes67_ring_set_read_pos(d, BASE_POS);
	assert_int_equal(pthread_create(&t, NULL, spsc_writer, &s), 0);
	while (rp < BASE_POS + SPSC_FRAMES && spins < SPIN_LIMIT) {
		uint64_t wp = aes67_ring_write_pos(d);
		uint32_t n;

		if (wp <= rp) {
			spins++;
			sched_yield();
			continue;
		}
		n = wp - rp > 64 ? 64 : (uint32_t)(wp - rp);
		if (aes67_ring_read(d, rp, buf, n, &st) != (int)n) {
			bad++;
		}
		for (uint32_t i = 0; i < n * CHANNELS; i++) {
			bad += buf[i] != pattern(rp + i / CHANNELS, i % CHANNELS);
		}
		rp += n;
		aes67_ring_set_read_pos(d, rp);
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(rp, BASE_POS + SPSC_FRAMES);
	assert_int_equal(atomic_load(&s.failures), 0);
	free(s.mem);
}

static void *free_writer(void *arg)
{
	struct shared *s = arg;
	const struct aes67_ring_dir *d = &s->ring.capture;
	int32_t buf[48 * CHANNELS];
	uint64_t pos = BASE_POS;

	/* Runs until the readers are done (bounded by a frame budget), never waits for them. */
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed) &&
	       pos < BASE_POS + 50u * SPSC_FRAMES) {
		for (uint32_t i = 0; i < 48; i++) {
			for (uint32_t c = 0; c < CHANNELS; c++) {
				buf[i * CHANNELS + c] = pattern(pos + i, c);
			}
		}
		if (aes67_ring_write(d, pos, buf, 48) != 48) {
			atomic_fetch_add(&s->failures, 1);
		}
		pos += 48;
	}
	return NULL;
}

struct reader_result {
	struct shared *s;
	unsigned seed;
	uint64_t valid;
	uint64_t silent;
	uint64_t lapped_reads;
	uint64_t corrupt;
};

static void *lagging_reader(void *arg)
{
	struct reader_result *r = arg;
	const struct aes67_ring_dir *d = &r->s->ring.capture;
	int32_t buf[CAPACITY * CHANNELS];

	uint64_t spins = 0;

	for (int it = 0; it < 4000 && spins < SPIN_LIMIT;) {
		struct aes67_ring_read_stats st;
		uint64_t wp = aes67_ring_write_pos(d);
		uint32_t lag;
		uint64_t pos;
		uint32_t n = 64;
		uint32_t pattern_frames = 0;
		int ret;

		r->seed = r->seed * 1103515245u + 12345u;
		lag = (r->seed >> 8) % (2 * CAPACITY); /* up to two laps behind */
		if (wp < BASE_POS + lag + n) {
			spins++;
			sched_yield();
			continue;
		}
		it++;
		pos = wp - lag;
		ret = aes67_ring_read(d, pos, buf, n, &st);
		for (uint32_t i = 0; i < n; i++) {
			int is_pattern = 1;
			int is_zero = 1;

			for (uint32_t c = 0; c < CHANNELS; c++) {
				int32_t v = buf[i * CHANNELS + c];

				is_pattern &= v == pattern(pos + i, c);
				is_zero &= v == 0;
			}
			pattern_frames += (uint32_t)is_pattern;
			r->corrupt += (uint64_t)(!is_pattern && !is_zero);
		}
		r->corrupt += pattern_frames != st.valid_frames;
		r->corrupt += st.valid_frames + st.missing_frames + st.lapped_frames != n;
		r->corrupt += (ret == -AES67_ESTALE) != (st.lapped_frames != 0);
		r->valid += st.valid_frames;
		r->silent += st.missing_frames + st.lapped_frames;
		r->lapped_reads += ret == -AES67_ESTALE;
	}
	return NULL;
}

static void test_lagging_readers(void **state)
{
	struct shared s;
	struct reader_result res[2];
	pthread_t w;
	pthread_t rd[2];

	(void)state;
	shared_make(&s);
	assert_int_equal(pthread_create(&w, NULL, free_writer, &s), 0);
	for (int i = 0; i < 2; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		res[i].s = &s;
		res[i].seed = 17u + (unsigned)i;
		assert_int_equal(pthread_create(&rd[i], NULL, lagging_reader, &res[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(rd[i], NULL), 0);
	}
	atomic_store(&s.stop, 1);
	assert_int_equal(pthread_join(w, NULL), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(res[i].corrupt, 0);
		/* Both outcomes happened: a lag beyond the capacity always laps (the writer wrote
		 * every position up to write_pos), a lag within it usually reads audio. */
		assert_true(res[i].valid > 0);
		assert_true(res[i].lapped_reads > 0);
		assert_true(res[i].silent > 0);
	}
	assert_int_equal(atomic_load(&s.failures), 0);
	free(s.mem);
}

#define CLOCK_UPDATES 20000u

static void clock_values_for(uint64_t k, struct aes67_clock_values *v)
{
	memset(v, 0, sizeof(*v));
	v->base_mono_ns = k * 1000u;
	v->base_ptp_ns = k * 3000u + 7u;
	v->rate_adj_q48 = (int64_t)(k % 1000u) - 500;
	v->sample_rate = 48000u;
	v->state = (uint32_t)(k % 4u);
	memcpy(v->gm_identity, &k, sizeof(k));
	v->domain = (uint8_t)(k & 0x7fu);
	v->locked = (uint8_t)(k & 1u);
}

static int same_values(const struct aes67_clock_values *a, const struct aes67_clock_values *b)
{
	return a->base_mono_ns == b->base_mono_ns && a->base_ptp_ns == b->base_ptp_ns &&
	       a->rate_adj_q48 == b->rate_adj_q48 && a->sample_rate == b->sample_rate &&
	       a->state == b->state && memcmp(a->gm_identity, b->gm_identity, 8) == 0 &&
	       a->domain == b->domain && a->locked == b->locked &&
	       a->update_count == b->update_count;
}

static void *clock_writer(void *arg)
{
	struct shared *s = arg;

	for (uint64_t k = 1; k <= CLOCK_UPDATES; k++) {
		struct aes67_clock_values v;

		clock_values_for(k, &v);
		if (aes67_clock_page_write(s->ring.clock, &v) != 0) {
			atomic_fetch_add(&s->failures, 1);
		}
	}
	return NULL;
}

static void *clock_reader(void *arg)
{
	struct shared *s = arg;
	uint64_t last = 0;
	uint64_t spins = 0;

	while (last < CLOCK_UPDATES && spins++ < SPIN_LIMIT) {
		struct aes67_clock_values got;
		struct aes67_clock_values want;
		int r = aes67_clock_page_read(s->ring.clock, &got);

		if (r == -EAGAIN || r == -AES67_ENOTFOUND) {
			continue;
		}
		if (r != 0 || got.update_count < last) {
			atomic_fetch_add(&s->failures, 1);
			break;
		}
		last = got.update_count;
		clock_values_for(last, &want);
		want.update_count = last;
		if (!same_values(&got, &want)) {
			atomic_fetch_add(&s->failures, 1);
			break;
		}
	}
	if (last != CLOCK_UPDATES) {
		atomic_fetch_add(&s->failures, 1);
	}
	return NULL;
}

static void test_clock_latch_threads(void **state)
{
	struct shared s;
	pthread_t w;
	pthread_t rd[2];

	(void)state;
	shared_make(&s);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_create(&rd[i], NULL, clock_reader, &s), 0);
	}
	assert_int_equal(pthread_create(&w, NULL, clock_writer, &s), 0);
	assert_int_equal(pthread_join(w, NULL), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(rd[i], NULL), 0);
	}
	assert_int_equal(atomic_load(&s.failures), 0);
	free(s.mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spsc_threads),
		cmocka_unit_test(test_lagging_readers),
		cmocka_unit_test(test_clock_latch_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
