// SPDX-License-Identifier: MIT
/*
 * Clock page: latch publication of the monotonic -> PTP mapping and the pure conversions
 * between monotonic ns, PTP ns and media frames (see include/aes67/clock_page.h for the formula
 * and why it is fixed point).
 *
 * Publication is a latch (aes67/latch.h): the values are packed into AES67_CLOCK_PAGE_WORDS
 * 64-bit words, kept twice.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "aes67/clock_page.h"
#include "aes67/error.h"
#include "aes67/latch.h"

/* The page is shared between processes: atomics must be lock-free (hence address-free). */
static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");
static_assert(ATOMIC_INT_LOCK_FREE == 2, "32-bit atomics must be lock-free");
static_assert(sizeof(_Atomic uint64_t) == 8, "atomic u64 has the plain layout");
static_assert(sizeof(_Atomic uint32_t) == 4, "atomic u32 has the plain layout");

/* ABI: pinned layout (also checked at run time against tests/data/ring/layout.golden). */
static_assert(offsetof(struct aes67_clock_page, seq) == 0, "clock_page.seq");
static_assert(offsetof(struct aes67_clock_page, copies) == 8, "clock_page.copies");
static_assert(sizeof(struct aes67_clock_page) == 128, "clock_page size");

/* 128-bit intermediates (a GCC/Clang extension; __extension__ keeps -Wpedantic quiet). */
__extension__ typedef __int128 wide_t;
__extension__ typedef unsigned __int128 uwide_t;

#define Q48_ONE ((wide_t)1 << 48)
#define NS_PER_S 1000000000u

void aes67_clock_page_init(struct aes67_clock_page *page)
{
	memset(page, 0, sizeof(*page));
	atomic_init(&page->seq, 0);
}

AES67_RT int aes67_clock_page_write(struct aes67_clock_page *page,
				    const struct aes67_clock_values *v)
{
	uint64_t w[AES67_CLOCK_PAGE_WORDS];
	uint64_t gm;
	uint64_t s;

	if (v->sample_rate == 0 || v->sample_rate > NS_PER_S || v->state > AES67_CLOCK_HOLDOVER) {
		return -EINVAL;
	}
	if (v->rate_adj_q48 > AES67_CLOCK_ADJ_MAX_Q48 ||
	    v->rate_adj_q48 < -AES67_CLOCK_ADJ_MAX_Q48) {
		return -AES67_ERANGE;
	}
	memcpy(&gm, v->gm_identity, sizeof(gm));
	s = atomic_load_explicit(&page->seq, memory_order_relaxed);
	w[0] = v->base_mono_ns;
	w[1] = v->base_ptp_ns;
	w[2] = (uint64_t)v->rate_adj_q48;
	w[3] = gm;
	w[4] = s / 2 + 1;
	w[5] = v->sample_rate | (uint64_t)v->state << 32;
	w[6] = v->domain | (uint64_t)(v->locked ? 1u : 0u) << 32;
	aes67_latch_write(&page->seq, page->copies, AES67_CLOCK_PAGE_WORDS, w);
	return 0;
}

AES67_RT int aes67_clock_page_read(const struct aes67_clock_page *page,
				   struct aes67_clock_values *out)
{
	uint64_t w[AES67_CLOCK_PAGE_WORDS];
	uint64_t s;
	int r = aes67_latch_read(&page->seq, page->copies, AES67_CLOCK_PAGE_WORDS, w, &s);

	if (r < 0) {
		return r;
	}
	if (s < 2) {
		return -AES67_ENOTFOUND; /* the first write has not finished */
	}
	out->base_mono_ns = w[0];
	out->base_ptp_ns = w[1];
	out->rate_adj_q48 = (int64_t)w[2];
	memcpy(out->gm_identity, &w[3], sizeof(out->gm_identity));
	out->update_count = w[4];
	out->sample_rate = (uint32_t)w[5];
	out->state = (uint32_t)(w[5] >> 32);
	out->domain = (uint8_t)w[6];
	out->locked = (uint8_t)(w[6] >> 32);
	return 0;
}

/* floor(a / b) for b > 0 (C division truncates toward zero). */
static wide_t floor_div(wide_t a, wide_t b)
{
	wide_t q = a / b;

	if (a % b != 0 && a < 0) {
		q--;
	}
	return q;
}

static int adj_ok(int64_t adj)
{
	return adj <= AES67_CLOCK_ADJ_MAX_Q48 && adj >= -AES67_CLOCK_ADJ_MAX_Q48;
}

/* f(mono) as a wide integer; |d| < 2^64 and the factor < 2^49, so the product fits. */
static wide_t mono_to_ptp_wide(const struct aes67_clock_values *v, uint64_t mono_ns)
{
	wide_t d = (wide_t)mono_ns - (wide_t)v->base_mono_ns;

	return (wide_t)v->base_ptp_ns + floor_div(d * (Q48_ONE + v->rate_adj_q48), Q48_ONE);
}

static int fits_u64(wide_t x)
{
	return x >= 0 && x <= (wide_t)UINT64_MAX;
}

AES67_RT int aes67_clock_page_mono_to_ptp(const struct aes67_clock_values *v, uint64_t mono_ns,
					  uint64_t *ptp_ns)
{
	wide_t r;

	if (!adj_ok(v->rate_adj_q48)) {
		return -AES67_ERANGE;
	}
	r = mono_to_ptp_wide(v, mono_ns);
	if (!fits_u64(r)) {
		return -AES67_ERANGE;
	}
	*ptp_ns = (uint64_t)r;
	return 0;
}

AES67_RT int aes67_clock_page_ptp_to_mono(const struct aes67_clock_values *v, uint64_t ptp_ns,
					  uint64_t *mono_ns)
{
	wide_t e;
	wide_t m;

	if (!adj_ok(v->rate_adj_q48)) {
		return -AES67_ERANGE;
	}
	/* Estimate by inverting the ratio, then step to the smallest m with f(m) >= ptp_ns: f is
	 * non-decreasing with slope within 1000 ppm of 1, so the estimate is off by at most 2. */
	e = (wide_t)ptp_ns - (wide_t)v->base_ptp_ns;
	m = (wide_t)v->base_mono_ns + floor_div(e * Q48_ONE, Q48_ONE + v->rate_adj_q48);
	for (int i = 0; i < 4 && fits_u64(m); i++) {
		if (mono_to_ptp_wide(v, (uint64_t)m) >= (wide_t)ptp_ns) {
			break;
		}
		m++;
	}
	for (int i = 0; i < 4 && fits_u64(m - 1); i++) {
		if (mono_to_ptp_wide(v, (uint64_t)(m - 1)) < (wide_t)ptp_ns) {
			break;
		}
		m--;
	}
	if (!fits_u64(m)) {
		return -AES67_ERANGE;
	}
	*mono_ns = (uint64_t)m;
	return 0;
}

AES67_RT int aes67_clock_page_ptp_to_frame(uint64_t ptp_ns, uint32_t sample_rate, uint64_t *frame)
{
	if (sample_rate == 0 || sample_rate > NS_PER_S) {
		return -EINVAL;
	}
	/* < 2^64 * 1e9 / 1e9: always fits because sample_rate <= 1e9. */
	*frame = (uint64_t)((uwide_t)ptp_ns * sample_rate / NS_PER_S);
	return 0;
}

AES67_RT int aes67_clock_page_frame_to_ptp(uint64_t frame, uint32_t sample_rate, uint64_t *ptp_ns)
{
	uwide_t t;

	if (sample_rate == 0 || sample_rate > NS_PER_S) {
		return -EINVAL;
	}
	t = ((uwide_t)frame * NS_PER_S + sample_rate - 1) / sample_rate;
	if (t > UINT64_MAX) {
		return -AES67_ERANGE;
	}
	*ptp_ns = (uint64_t)t;
	return 0;
}

AES67_RT int aes67_clock_page_mono_to_frame(const struct aes67_clock_values *v, uint64_t mono_ns,
					    uint64_t *frame)
{
	uint64_t ptp;
	int r = aes67_clock_page_mono_to_ptp(v, mono_ns, &ptp);

	if (r < 0) {
		return r;
	}
	return aes67_clock_page_ptp_to_frame(ptp, v->sample_rate, frame);
}

AES67_RT int aes67_clock_page_frame_to_mono(const struct aes67_clock_values *v, uint64_t frame,
					    uint64_t *mono_ns)
{
	uint64_t ptp;
	int r = aes67_clock_page_frame_to_ptp(frame, v->sample_rate, &ptp);

	if (r < 0) {
		return r;
	}
	return aes67_clock_page_ptp_to_mono(v, ptp, mono_ns);
}
