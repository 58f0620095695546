/* SPDX-License-Identifier: MIT */
/*
 * Ring: the shared-memory region of one virtual device, shared by the daemon (aes67d, which
 * creates it) and the ALSA plugin (inside the application). The core only lays out and uses a
 * caller-given pointer and size; it never creates, maps or sizes the memory itself.
 *
 * Region (every section 64-byte aligned; offsets computed by aes67_ring_layout()):
 *   header      magic, ABI version, sizes, geometry, section offsets, daemon liveness, owner
 *   clock page  seqlock-published monotonic -> PTP mapping (aes67/clock_page.h)
 *   playback    control (write/read positions, one cache line each), stamps, samples
 *   capture     control, stamps, samples
 *
 * Timeline rings: indexed by ABSOLUTE media position (frames since the PTP epoch at the device
 * rate), slot = position mod capacity, never by arrival order (DESIGN.md). Playback: the
 * application writes, the daemon's TX thread reads. Capture: the daemon's RX thread writes, any
 * number of applications read, each keeping its own read position; the writer never waits.
 *
 * Sample format: int32, interleaved, 24-bit audio left-justified (L24 in bits 31..8, L16 in
 * bits 31..16). Integer rather than float32 because the wire formats (L16, L24, AM824; RFC 3190,
 * SMPTE ST 2110-31) are integers: int32 carries them bit-exactly, costs no conversion in the
 * daemon, is ALSA's native S32_LE, and a hostile or torn value can never be a NaN.
 *
 * Slot validity: one 64-bit stamp per frame slot holding the absolute position last written
 * there. A reader of position p accepts a slot only if its stamp equals p; a smaller stamp (or
 * the "empty" value) means p was never written (reads as silence, counted missing); a larger
 * stamp means the slot was overwritten by a later lap (counted lapped, -AES67_ESTALE). Per-frame
 * stamps were chosen over per-period ones because packets land at arbitrary positions (RTP
 * timestamps are not aligned to any period) and because the stamp doubles as a per-frame
 * sequence lock: the writer sets it to "busy" before touching the samples and to p after; the
 * reader re-checks it after copying (acquire fence in between), so a copy torn by a concurrent
 * overwrite is never returned as audio. Cost: 8 bytes per frame per direction.
 */
#ifndef AES67_RING_H
#define AES67_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/clock_page.h"
#include "aes67/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AES67_RING_MAGIC 0x41363752u /* "A67R" */
#define AES67_RING_ABI_VERSION 2u    /* 2: the clock page is a two-copy latch */

#define AES67_RING_CHANNELS_MAX 128u
#define AES67_RING_CAPACITY_MIN 64u	   /* frames */
#define AES67_RING_CAPACITY_MAX (1u << 20) /* frames: 21.8 s at 48 kHz */
#define AES67_RING_RATE_MAX 384000u
/* Positions at or above this are refused; keeps stamp sentinels out of the position range. */
#define AES67_RING_POS_LIMIT ((uint64_t)1 << 62)

enum aes67_ring_format {
	AES67_RING_FORMAT_S32 = 1, /* int32, 24-bit left-justified (see above) */
};

enum aes67_ring_direction {
	AES67_RING_PLAYBACK = 0,
	AES67_RING_CAPTURE = 1,
};

/* Geometry the daemon chooses; everything else in the region is derived from it. */
struct aes67_ring_geometry {
	uint32_t sample_rate;	   /* Hz, 1..AES67_RING_RATE_MAX */
	uint32_t channels_play;	   /* 0..128; 0 = no playback direction */
	uint32_t channels_capture; /* 0..128; 0 = no capture direction; not both 0 */
	uint32_t capacity_frames;  /* power of two, MIN..MAX, same for both directions */
	uint32_t format;	   /* enum aes67_ring_format */
};

/* Byte offsets of the sections from the region start; 0 = section absent (0 channels). */
struct aes67_ring_layout {
	uint64_t clock_off;
	uint64_t play_ctl_off;
	uint64_t play_stamp_off;
	uint64_t play_data_off;
	uint64_t cap_ctl_off;
	uint64_t cap_stamp_off;
	uint64_t cap_data_off;
	uint64_t total_bytes;
};

/*
 * Region header. Crosses the process boundary: layout pinned by static_asserts in ring.c and by
 * tests/data/ring/layout.golden. The immutable part is written once by aes67_ring_init() before
 * the region is shared; the atomics live on their own cache lines.
 */
struct aes67_ring_header {
	uint32_t magic;
	uint32_t abi_version;
	uint64_t total_bytes;
	uint32_t header_bytes; /* sizeof(struct aes67_ring_header) */
	uint32_t sample_rate;
	uint32_t channels_play;
	uint32_t channels_capture;
	uint32_t format;
	uint32_t capacity_frames;
	uint64_t clock_off;
	uint64_t play_ctl_off;
	uint64_t play_stamp_off;
	uint64_t play_data_off;
	uint64_t cap_ctl_off;
	uint64_t cap_stamp_off;
	uint64_t cap_data_off;
	uint8_t reserved0[32];
	/* cache line 2: daemon liveness */
	_Atomic uint64_t generation;   /* nonzero while the creating daemon runs; 0 after close */
	_Atomic uint64_t heartbeat_ns; /* daemon's CLOCK_MONOTONIC_RAW at its last heartbeat */
	uint8_t reserved1[48];
	/* cache line 3: exclusive playback */
	_Atomic uint64_t play_owner; /* 0 = free, else the owner's token (e.g. its pid) */
	uint8_t reserved2[56];
};

/* Per-direction control block: the two positions never share a cache line. */
struct aes67_ring_ctl {
	_Atomic uint64_t write_pos; /* one past the highest position written (release) */
	uint8_t pad0[AES67_CACHELINE_BYTES - 8];
	_Atomic uint64_t read_pos; /* playback: consumed by the daemon; capture: advisory */
	uint8_t pad1[AES67_CACHELINE_BYTES - 8];
};

/* Process-local view of one direction (filled by aes67_ring_attach()). */
struct aes67_ring_dir {
	struct aes67_ring_ctl *ctl;
	_Atomic uint64_t *stamps;
	_Atomic int32_t *samples;
	uint32_t channels;
	uint32_t capacity_frames;
};

/* Process-local view of a whole region. */
struct aes67_ring {
	struct aes67_ring_header *header;
	struct aes67_clock_page *clock;
	struct aes67_ring_dir play;
	struct aes67_ring_dir capture;
};

/* What a read found, frame by frame. */
struct aes67_ring_read_stats {
	uint32_t valid_frames;	 /* copied, stamp matched before and after the copy */
	uint32_t missing_frames; /* never written at this position: zeros */
	uint32_t lapped_frames;	 /* overwritten by a later lap or unreadable: zeros */
};

/**
 * aes67_ring_layout() - compute the offsets and total size of a region.
 * @g: geometry.
 * @out: receives the layout.
 *
 * Return: 0; -EINVAL with nothing written if the geometry is out of range (rate, channel
 * counts, capacity not a power of two in range, unknown format). Thread: any.
 */
AES67_API AES67_MUST_CHECK int aes67_ring_layout(const struct aes67_ring_geometry *g,
						 struct aes67_ring_layout *out);

/**
 * aes67_ring_init() - lay out a fresh region (the daemon, before sharing it).
 * @region: caller-owned memory, 64-byte aligned (e.g. an mmap of a memfd).
 * @region_bytes: its size; must be >= the layout's total_bytes.
 * @g: geometry.
 * @generation: nonzero token identifying this daemon instance (e.g. boot time ^ pid).
 *
 * Writes the header, zeroes the clock page and samples, marks every slot empty.
 * Return: 0; -EINVAL (bad geometry, alignment or generation 0); -ENOSPC (region too small).
 * Thread: control.
 */
AES67_API AES67_MUST_CHECK int aes67_ring_init(void *region, size_t region_bytes,
					       const struct aes67_ring_geometry *g,
					       uint64_t generation);

/**
 * aes67_ring_validate() - check a region another process wrote, before trusting it.
 * @region: mapped memory (untrusted contents), 64-byte aligned.
 * @region_bytes: size of the mapping.
 * @reason: if not NULL, receives a static string naming the first problem found.
 *
 * Recomputes the layout from the header's geometry and requires every stored offset to match,
 * so that no later access can leave the mapping.
 * Return: 0; -AES67_EABI (wrong magic, version, header size, geometry, offsets or size).
 * Thread: control.
 */
AES67_API AES67_MUST_CHECK int aes67_ring_validate(const void *region, size_t region_bytes,
						   const char **reason);

/**
 * aes67_ring_attach() - validate a region and build a process-local view of it.
 * @region, @region_bytes, @reason: as for aes67_ring_validate().
 * @ring: receives the view (pointers into @region; valid while the mapping is).
 *
 * Return: 0 or the errors of aes67_ring_validate(). Thread: control.
 */
AES67_API AES67_MUST_CHECK int aes67_ring_attach(void *region, size_t region_bytes,
						 struct aes67_ring *ring, const char **reason);

/**
 * aes67_ring_heartbeat() - daemon: record that it is alive.
 * @ring: the view.
 * @now_ns: CLOCK_MONOTONIC_RAW now, ns.
 *
 * Thread: rt (the daemon's tick).
 */
AES67_API AES67_RT void aes67_ring_heartbeat(const struct aes67_ring *ring, uint64_t now_ns);

/**
 * aes67_ring_close() - daemon: mark the region dead (generation 0) before leaving.
 * @ring: the view. Thread: control.
 */
AES67_API void aes67_ring_close(const struct aes67_ring *ring);

/**
 * aes67_ring_generation() - the generation token now stored (0 after close).
 * @ring: the view. Thread: any.
 */
AES67_API AES67_RT uint64_t aes67_ring_generation(const struct aes67_ring *ring);

/**
 * aes67_ring_alive() - client: is the daemon that created this region still running?
 * @ring: the view.
 * @generation: the token read at attach time.
 * @now_ns: CLOCK_MONOTONIC_RAW now, ns.
 * @max_age_ns: longest heartbeat silence tolerated, ns.
 *
 * Return: 1 if the generation is unchanged and the heartbeat is at most @max_age_ns old; 0 if
 * the daemon closed, was replaced, or stopped beating. Thread: any.
 */
AES67_API AES67_RT int aes67_ring_alive(const struct aes67_ring *ring, uint64_t generation,
					uint64_t now_ns, uint64_t max_age_ns);

/**
 * aes67_ring_owner_acquire() - take exclusive ownership of the playback direction.
 * @ring: the view.
 * @token: nonzero owner token (e.g. the pid); acquiring again with the same token succeeds.
 *
 * Return: 0; -EINVAL for token 0; -EBUSY if another token holds it. Thread: any.
 */
AES67_API AES67_MUST_CHECK int aes67_ring_owner_acquire(const struct aes67_ring *ring,
							uint64_t token);

/**
 * aes67_ring_owner_release() - give playback ownership back.
 * @ring: the view.
 * @token: the token that acquired it.
 *
 * Return: 0; -EPERM if @token is not the owner. Thread: any.
 */
AES67_API AES67_MUST_CHECK int aes67_ring_owner_release(const struct aes67_ring *ring,
							uint64_t token);

/**
 * aes67_ring_owner_reclaim() - daemon: free ownership held by a dead owner.
 * @ring: the view.
 * @token: the owner the daemon found dead; only that owner is cleared.
 *
 * Return: 0; -EPERM if the owner has changed meanwhile. Thread: control.
 */
AES67_API AES67_MUST_CHECK int aes67_ring_owner_reclaim(const struct aes67_ring *ring,
							uint64_t token);

/**
 * aes67_ring_write() - write frames at an absolute position (the direction's single writer).
 * @d: direction view (ring->play for the application, ring->capture for the daemon's RX).
 * @pos: media position of the first frame, frames since the PTP epoch (< AES67_RING_POS_LIMIT).
 * @src: @n_frames interleaved frames of d->channels int32 samples.
 * @n_frames: 1..capacity.
 *
 * Never waits for readers: a slot still unread is overwritten (the reader sees it as lapped).
 * Publishes write_pos = max(write_pos, pos + n_frames) with release ordering.
 * Return: n_frames; -EINVAL (no such direction, n_frames 0 or > capacity); -AES67_ERANGE
 * (position beyond the limit). Thread: rt (one writer per direction).
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_ring_write(const struct aes67_ring_dir *d,
							 uint64_t pos, const int32_t *src,
							 uint32_t n_frames);

/**
 * aes67_ring_restamp() - write frames that are identical to their slots' previous lap.
 * @d: direction view.
 * @pos: media position of the first frame (< AES67_RING_POS_LIMIT).
 * @n_frames: 1..capacity.
 *
 * For the writer that knows each slot of [@pos, @pos + @n_frames) holds, from the lap one
 * capacity earlier, exactly the samples it would write now (the RX thread writing silence
 * where it wrote silence a lap ago): the frames are published at their new positions, as
 * aes67_ring_write() would, but only the per-frame stamps are stored, not the samples.
 * Return, errors and Thread: as aes67_ring_write().
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_ring_restamp(const struct aes67_ring_dir *d,
							   uint64_t pos, uint32_t n_frames);

/**
 * aes67_ring_read() - copy frames at an absolute position (any number of readers).
 * @d: direction view.
 * @pos: media position of the first frame.
 * @dst: receives @n_frames interleaved frames; frames not validly readable are zeros.
 * @n_frames: 1..capacity.
 * @stats: if not NULL, receives the per-frame classification.
 *
 * Return: number of valid frames (missing frames read as silence and are not an error);
 * -AES67_ESTALE if any frame was lapped (the reader fell more than a capacity behind the
 * writer, or a slot stayed busy): resynchronise; -EINVAL / -AES67_ERANGE as for write.
 * Thread: rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_ring_read(const struct aes67_ring_dir *d,
							uint64_t pos, int32_t *dst,
							uint32_t n_frames,
							struct aes67_ring_read_stats *stats);

/**
 * aes67_ring_write_pos() - one past the highest position written (acquire).
 * @d: direction view; 0 is returned for an absent direction (0 channels). Thread: any.
 */
AES67_API AES67_RT uint64_t aes67_ring_write_pos(const struct aes67_ring_dir *d);

/**
 * aes67_ring_read_pos() - position published by the primary reader (acquire).
 * @d: direction view; 0 is returned for an absent direction (0 channels). Thread: any.
 */
AES67_API AES67_RT uint64_t aes67_ring_read_pos(const struct aes67_ring_dir *d);

/**
 * aes67_ring_set_read_pos() - primary reader: publish how far it has consumed (release).
 * @d: direction view.
 * @pos: one past the last frame consumed. Thread: rt (the primary reader).
 */
AES67_API AES67_RT void aes67_ring_set_read_pos(const struct aes67_ring_dir *d, uint64_t pos);

/**
 * aes67_ring_fill() - signed fill level seen from a reader.
 * @d: direction view.
 * @reader_pos: the reader's next position.
 *
 * Return: write_pos - reader_pos in frames; negative = the reader is ahead (underrun).
 * Thread: any.
 */
AES67_API AES67_RT int64_t aes67_ring_fill(const struct aes67_ring_dir *d, uint64_t reader_pos);

#ifdef __cplusplus
}
#endif

#endif /* AES67_RING_H */
