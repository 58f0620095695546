// SPDX-License-Identifier: MIT
/*
 * Timeline: per-stream playout buffer indexed by absolute media position (see
 * include/aes67/timeline.h for the model and the exact meaning of every counter).
 *
 * Memory: [struct aes67_timeline][stamps: capacity x u64][samples: capacity x channels x i32],
 * each part 64-byte aligned, all in the caller's block. A stamp holds the position whose frame
 * the slot holds, or STAMP_EMPTY; a read of position p uses the slot only if its stamp is p.
 *
 * Invariant: writes are accepted only for positions in [read_pos, read_pos + capacity), so an
 * accepted write never overwrites a frame that has not been read yet.
 *
 * Copies: consecutive positions sit in consecutive slots up to the end of the buffer, so a packet
 * of whole frames is stored, and a run of valid (or lost) frames read, with one memcpy (memset)
 * per contiguous run rather than one call per frame; the stamps are still checked frame by
 * frame. On the 16 x 8-channel benchmark the per-frame calls were the RX thread's largest
 * user-space cost (docs/bench-engine.md, "Third session").
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "aes67/error.h"
#include "aes67/pcm.h"
#include "aes67/timeline.h"

#define STAMP_EMPTY UINT64_MAX
#define CAPACITY_MIN 16u

struct aes67_timeline {
	uint32_t channels;
	uint32_t capacity_frames;
	uint64_t read_pos;    /* next position the consumer reads */
	uint64_t highest_end; /* one past the highest position written (>= start position) */
	uint64_t lost_end;    /* one past the last lost position read: continues a lost run */
	uint64_t *stamps;
	int32_t *samples;
	struct aes67_timeline_stats stats;
};

static size_t align64(size_t x)
{
	return (x + 63u) & ~(size_t)63u;
}

static int config_ok(const struct aes67_timeline_config *cfg)
{
	uint32_t cap = cfg->capacity_frames;

	return cfg->channels >= 1 && cfg->channels <= AES67_TIMELINE_CHANNELS_MAX &&
	       cap >= CAPACITY_MIN && cap <= AES67_TIMELINE_CAPACITY_MAX && (cap & (cap - 1)) == 0;
}

static size_t stamps_off(void)
{
	return align64(sizeof(struct aes67_timeline));
}

static size_t samples_off(uint32_t cap)
{
	return align64(stamps_off() + (size_t)cap * sizeof(uint64_t));
}

int aes67_timeline_get_size(const struct aes67_timeline_config *cfg, size_t *bytes)
{
	if (!config_ok(cfg)) {
		return -EINVAL;
	}
	*bytes = align64(samples_off(cfg->capacity_frames) +
			 (size_t)cfg->capacity_frames * cfg->channels * sizeof(int32_t));
	return 0;
}

static void clear(struct aes67_timeline *tl, uint64_t start_pos)
{
	for (uint32_t i = 0; i < tl->capacity_frames; i++) {
		tl->stamps[i] = STAMP_EMPTY;
	}
	memset(tl->samples, 0, (size_t)tl->capacity_frames * tl->channels * sizeof(int32_t));
	tl->read_pos = start_pos;
	tl->highest_end = start_pos;
	tl->lost_end = STAMP_EMPTY;
}

int aes67_timeline_init(void *mem, size_t mem_bytes, const struct aes67_timeline_config *cfg,
			uint64_t start_pos, struct aes67_timeline **out)
{
	struct aes67_timeline *tl = mem;
	uint8_t *base = mem;
	size_t need;
	int r = aes67_timeline_get_size(cfg, &need);

	if (r < 0) {
		return r;
	}
	if (mem == NULL || ((uintptr_t)mem & 63u) != 0 || start_pos >= AES67_TIMELINE_POS_LIMIT) {
		return -EINVAL;
	}
	if (mem_bytes < need) {
		return -ENOSPC;
	}
	memset(tl, 0, sizeof(*tl));
	tl->channels = cfg->channels;
	tl->capacity_frames = cfg->capacity_frames;
	tl->stamps = (uint64_t *)(void *)(base + stamps_off());
	tl->samples = (int32_t *)(void *)(base + samples_off(cfg->capacity_frames));
	clear(tl, start_pos);
	*out = tl;
	return 0;
}

int aes67_timeline_reset(struct aes67_timeline *tl, uint64_t start_pos)
{
	if (start_pos >= AES67_TIMELINE_POS_LIMIT) {
		return -EINVAL;
	}
	clear(tl, start_pos);
	return 0;
}

/* Whole frames [pos, pos + n) from @src: stamps frame by frame, samples one memcpy per
 * contiguous run of slots (at most two: before and after the end of the buffer). Returns the
 * number of new frames; counts the duplicates. */
static AES67_RT uint32_t write_frames(struct aes67_timeline *tl, uint64_t pos, const int32_t *src,
				      uint32_t n)
{
	const uint64_t mask = tl->capacity_frames - 1u;
	const size_t frame_bytes = (size_t)tl->channels * sizeof(int32_t);
	uint32_t fresh = 0, done = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint64_t p = pos + i;
		uint64_t slot = p & mask;

		fresh += tl->stamps[slot] != p;
		tl->stamps[slot] = p;
	}
	tl->stats.duplicate_frames += n - fresh;
	while (done < n) {
		uint64_t slot = (pos + done) & mask;
		uint32_t run = n - done;

		if (run > tl->capacity_frames - slot) {
			run = (uint32_t)(tl->capacity_frames - slot);
		}
		memcpy(tl->samples + slot * tl->channels, src + (size_t)done * tl->channels,
		       run * frame_bytes);
		done += run;
	}
	return fresh;
}

AES67_RT int aes67_timeline_write(struct aes67_timeline *tl, uint64_t pos, const int32_t *src,
				  uint32_t n_frames, uint32_t src_channels, uint32_t ch_offset)
{
	const uint64_t mask = tl->capacity_frames - 1u;
	const uint32_t ch = tl->channels;
	struct aes67_timeline_stats *st = &tl->stats;
	uint64_t end;
	uint32_t first = 0;
	uint32_t fresh = 0;

	if (n_frames == 0 || n_frames > tl->capacity_frames || src_channels == 0 ||
	    src_channels > ch || ch_offset > ch - src_channels) {
		return -EINVAL;
	}
	if (pos >= AES67_TIMELINE_POS_LIMIT || n_frames > AES67_TIMELINE_POS_LIMIT - pos) {
		return -AES67_ERANGE;
	}
	end = pos + n_frames;
	st->packets++;
	if (end > tl->read_pos + tl->capacity_frames) {
		st->too_early_packets++;
		st->too_early_frames += n_frames;
		return 0;
	}
	if (pos < tl->read_pos) {
		uint64_t late = (end <= tl->read_pos ? end : tl->read_pos) - pos;

		st->late_packets++;
		st->late_frames += late;
		if (late == n_frames) {
			return 0;
		}
		first = (uint32_t)late;
	}
	if (src_channels == ch) {
		fresh = write_frames(tl, pos + first, src + (size_t)first * ch, n_frames - first);
	} else {
		for (uint32_t i = first; i < n_frames; i++) {
			uint64_t p = pos + i;
			uint64_t slot = p & mask;
			int32_t *frame = tl->samples + slot * ch;

			if (tl->stamps[slot] == p) {
				st->duplicate_frames++;
			} else {
				/* New lap for this slot: the channels outside the stream's range
				 * are silence. */
				memset(frame, 0, ch * sizeof(*frame));
				tl->stamps[slot] = p;
				fresh++;
			}
			memcpy(frame + ch_offset, src + (size_t)i * src_channels,
			       src_channels * sizeof(*frame));
		}
	}
	st->frames_written += fresh;
	if (fresh == 0) {
		st->duplicate_packets++;
	} else if (pos < tl->highest_end) {
		st->reordered_packets++;
	}
	if (end > tl->highest_end) {
		tl->highest_end = end;
	}
	return (int)(n_frames - first);
}

AES67_RT int aes67_timeline_read_strided(struct aes67_timeline *tl, uint64_t pos, int32_t *dst,
					 uint32_t dst_stride, uint32_t n_frames)
{
	const uint64_t mask = tl->capacity_frames - 1u;
	const uint32_t ch = tl->channels;
	struct aes67_timeline_stats *st = &tl->stats;
	uint32_t valid = 0;

	if (n_frames == 0 || n_frames > tl->capacity_frames || pos < tl->read_pos ||
	    dst_stride < ch) {
		return -EINVAL;
	}
	if (pos >= AES67_TIMELINE_POS_LIMIT || n_frames > AES67_TIMELINE_POS_LIMIT - pos) {
		return -AES67_ERANGE;
	}
	st->skipped_frames += pos - tl->read_pos;
	/* Runs of frames that all held audio or all were lost, none crossing the buffer's end. */
	for (uint32_t i = 0; i < n_frames;) {
		uint64_t p = pos + i;
		uint64_t slot = p & mask;
		uint32_t lim = n_frames - i, run = 1;
		const bool have = tl->stamps[slot] == p;
		int32_t *out = dst + (size_t)i * dst_stride;

		if (lim > tl->capacity_frames - slot) {
			lim = (uint32_t)(tl->capacity_frames - slot);
		}
		while (run < lim && (tl->stamps[slot + run] == p + run) == have) {
			run++;
		}
		if (have) {
			aes67_pcm_put_frames(out, dst_stride, tl->samples + slot * ch, ch, run);
			valid += run;
		} else {
			aes67_pcm_put_frames(out, dst_stride, NULL, ch, run);
			st->lost_frames += run;
			if (p != tl->lost_end) {
				st->lost_runs++;
			}
			tl->lost_end = p + run;
		}
		i += run;
	}
	st->frames_read += n_frames;
	tl->read_pos = pos + n_frames;
	return (int)valid;
}

AES67_RT int aes67_timeline_read(struct aes67_timeline *tl, uint64_t pos, int32_t *dst,
				 uint32_t n_frames)
{
	return aes67_timeline_read_strided(tl, pos, dst, tl->channels, n_frames);
}

AES67_RT uint64_t aes67_timeline_read_pos(const struct aes67_timeline *tl)
{
	return tl->read_pos;
}

AES67_RT int64_t aes67_timeline_fill(const struct aes67_timeline *tl)
{
	return (int64_t)(tl->highest_end - tl->read_pos);
}

AES67_RT void aes67_timeline_get_stats(const struct aes67_timeline *tl,
				       struct aes67_timeline_stats *out)
{
	*out = tl->stats;
}
