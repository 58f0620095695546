/* SPDX-License-Identifier: MIT */
/*
 * RTP (RFC 3550) for libaes67: header parse and build, wrap-aware sequence/timestamp arithmetic,
 * extension of 32-bit RTP timestamps to 64-bit media positions, and receive statistics
 * (RFC 3550 A.1 sequence tracking, A.8 interarrival jitter).
 *
 * Everything here is pure: bytes and numbers in, structs out. Parsing never copies the payload;
 * it points into the caller's buffer. No function reads a clock: arrival times are given by the
 * caller, already converted to RTP timestamp units.
 */
#ifndef AES67_RTP_H
#define AES67_RTP_H

#include <stdbool.h>
#include <stdint.h>

#include "aes67/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AES67_RTP_VERSION 2
#define AES67_RTP_FIXED_HEADER_BYTES 12 /* RFC 3550 §5.1: V..SSRC */
#define AES67_RTP_CSRC_MAX 15		/* the CC field is 4 bits */
#define AES67_RTP_EXT_HEADER_BYTES 4	/* RFC 3550 §5.3.1: profile id + length */

/*
 * A parsed (or to-be-built) RTP header, RFC 3550 §5.1. Pointers refer into the parsed buffer
 * and live as long as it does.
 */
struct aes67_rtp_header {
	bool padding;	      /* P: the packet ends with padding_bytes octets of padding */
	bool extension;	      /* X: a header extension follows the CSRC list */
	bool marker;	      /* M */
	uint8_t payload_type; /* PT, 0..127 */
	uint8_t csrc_count;   /* CC, 0..15 */
	uint16_t seq;
	uint32_t timestamp;
	uint32_t ssrc;
	uint32_t csrc[AES67_RTP_CSRC_MAX];
	uint16_t ext_profile;	 /* §5.3.1 "defined by profile" 16 bits */
	uint16_t ext_words;	 /* §5.3.1 extension length in 32-bit words (header excluded) */
	const uint8_t *ext_data; /* ext_words * 4 octets; NULL when ext_words is 0 */
	uint8_t padding_bytes;	 /* padding length including the count octet; 0 if !padding */
	const uint8_t *payload;	 /* payload start inside the parsed buffer */
	size_t payload_bytes;	 /* payload length, padding excluded */
};

/**
 * aes67_rtp_parse() - parse an RTP packet header (RFC 3550 §5.1, §5.3.1).
 * @h:   out: the header; on error its contents are unspecified.
 * @buf: the packet, as received (borrowed; @h points into it).
 * @len_bytes: length of @buf in octets.
 *
 * Checks, in order: fixed header present (-AES67_ETRUNCATED), version 2 (-AES67_EVERSION), CSRC
 * list present (-AES67_ETRUNCATED), extension header and its data present (-AES67_ETRUNCATED),
 * padding count (last octet) non-zero and not larger than what follows the header
 * (-AES67_EPADDING). -EINVAL if @h or @buf is NULL.
 *
 * Return: the header length in octets (offset of the payload), or a negative error.
 * Thread: any; rt (no allocation, no locks).
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_rtp_parse(struct aes67_rtp_header *h,
							const uint8_t *buf, size_t len_bytes);

/**
 * aes67_rtp_header_bytes() - header length that aes67_rtp_build() would write for @h.
 * @h: the header (csrc_count, extension, ext_words are used).
 *
 * Return: octets (12 + 4 * CC, plus 4 + 4 * ext_words with an extension). Thread: any; rt.
 */
AES67_API AES67_RT size_t aes67_rtp_header_bytes(const struct aes67_rtp_header *h);

/**
 * aes67_rtp_build() - write an RTP header (fixed part, CSRC list, extension) into @buf.
 * @buf: out: caller's buffer; the payload goes right after the returned length.
 * @cap_bytes: capacity of @buf in octets.
 * @h: the header. The P bit is written from @h->padding but the padding itself is the caller's
 *     (append it after the payload, last octet = count). payload/payload_bytes/padding_bytes
 *     are ignored.
 *
 * Errors: -EINVAL for NULL pointers, payload_type > 127, csrc_count > 15, or ext_words > 0 with
 * a NULL ext_data; -AES67_ENOSPACE if @cap_bytes is too small (nothing is written then).
 *
 * Return: octets written (the header length). Thread: any; rt.
 */
AES67_API AES67_RT AES67_MUST_CHECK int aes67_rtp_build(uint8_t *buf, size_t cap_bytes,
							const struct aes67_rtp_header *h);

/*
 * Wrap-aware arithmetic (RFC 3550 A.1 uses the same modular reasoning). Raw sequence numbers and
 * timestamps must never be compared with < directly.
 */

/* Signed distance a - b of two 16-bit sequence numbers, in [-32768, 32767]. Thread: any; rt. */
static inline AES67_RT int32_t aes67_seq_diff(uint16_t a, uint16_t b)
{
	return (int16_t)(uint16_t)(a - b);
}

/* True if sequence number a comes before b (modulo 2^16). Thread: any; rt. */
static inline AES67_RT bool aes67_seq_lt(uint16_t a, uint16_t b)
{
	return aes67_seq_diff(a, b) < 0;
}

/* Signed distance a - b of two 32-bit RTP timestamps, in [-2^31, 2^31 - 1]. Thread: any; rt. */
static inline AES67_RT int32_t aes67_ts_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/* True if RTP timestamp a comes before b (modulo 2^32). Thread: any; rt. */
static inline AES67_RT bool aes67_ts_lt(uint32_t a, uint32_t b)
{
	return aes67_ts_diff(a, b) < 0;
}

/**
 * aes67_ts_extend() - the 64-bit media position nearest to @ref_frames that is congruent to @ts
 * modulo 2^32: ref + (int32)(ts - (uint32)ref).
 * @ts: a 32-bit RTP timestamp (AES67: media clock mod 2^32).
 * @ref_frames: a 64-bit reference position (e.g. "now" on the media clock), in frames.
 *
 * The result is computed modulo 2^64: with a reference within 2^31 of 0 and a timestamp just
 * "before" it, the result wraps to just below 2^64 (which is what modular ring indexing needs).
 * When ts - ref is exactly 2^31 the earlier candidate is returned.
 *
 * Return: the position in frames. Thread: any; rt.
 */
static inline AES67_RT uint64_t aes67_ts_extend(uint32_t ts, uint64_t ref_frames)
{
	return ref_frames + (uint64_t)(int64_t)aes67_ts_diff(ts, (uint32_t)ref_frames);
}

/* What aes67_rtp_stats_update() made of a packet. */
enum aes67_rtp_seq_event {
	AES67_RTP_SEQ_FIRST = 0, /* first packet: tracking starts here */
	AES67_RTP_SEQ_IN_ORDER,	 /* seq = max + 1 */
	AES67_RTP_SEQ_GAP, /* seq ahead by 2..MAX_DROPOUT: packets in between missing so far */
	AES67_RTP_SEQ_REORDERED, /* behind max, not seen before: fills a gap */
	AES67_RTP_SEQ_DUPLICATE, /* seen before (within the 64-packet window) */
	AES67_RTP_SEQ_BAD,	 /* a jump too large (or too old to classify): not counted */
	AES67_RTP_SEQ_RESTART,	 /* second consecutive packet after a jump: source restarted */
};

#define AES67_RTP_MAX_DROPOUT 3000 /* RFC 3550 A.1 */
#define AES67_RTP_SEQ_WINDOW 64	   /* packets behind max that are classified dup/reordered */

/*
 * Receive statistics of one source (RFC 3550 A.1, A.3, A.8). Plain data owned by the caller;
 * initialise with aes67_rtp_stats_init(). RFC 3550's probation (MIN_SEQUENTIAL) is not applied:
 * AES67 receivers are configured from SDP, so the first packet is trusted.
 */
struct aes67_rtp_stats {
	bool started;
	uint16_t max_seq;
	uint32_t cycles;   /* count of sequence wraps, as in A.1 (times 2^16 there) */
	int64_t base_ext;  /* lowest extended seq received in this epoch */
	uint64_t window;   /* bit i: (ext max - i) was received */
	uint32_t bad_seq;  /* A.1: next seq expected after a jump; > 0xffff when none */
	uint64_t received; /* unique packets received in this epoch */
	uint64_t expected_prev_epochs;
	uint64_t received_prev_epochs;
	uint64_t reordered;
	uint64_t duplicates;
	uint64_t bad;
	uint64_t restarts;
	bool have_transit;
	uint32_t transit;   /* A.8: arrival - timestamp of the previous packet, RTP units */
	uint64_t jitter_q4; /* A.8 jitter estimate times 16 (64-bit: |D| may reach 2^31) */
};

/* A snapshot of the statistics, in packets and RTP timestamp units. */
struct aes67_rtp_stats_report {
	uint64_t expected; /* A.3: extended max - base + 1, summed over epochs */
	uint64_t received; /* unique packets */
	uint64_t lost;	   /* expected - received (never negative: duplicates are not counted) */
	uint64_t reordered;
	uint64_t duplicates;
	uint64_t bad;
	uint64_t restarts;
	uint32_t jitter_rtp;  /* A.8 interarrival jitter, RTP timestamp units */
	uint32_t ext_max_seq; /* extended highest sequence number (cycles << 16 | max_seq) */
};

/**
 * aes67_rtp_stats_init() - reset @s; tracking starts with the next packet. Thread: any; rt.
 */
AES67_API AES67_RT void aes67_rtp_stats_init(struct aes67_rtp_stats *s);

/**
 * aes67_rtp_stats_update() - account one received packet (RFC 3550 A.1 update_seq, A.8 jitter).
 * @s: the statistics.
 * @seq: its RTP sequence number.
 * @timestamp: its RTP timestamp.
 * @arrival_rtp: its arrival time converted by the caller to RTP timestamp units (any epoch; only
 *               differences are used, modulo 2^32).
 *
 * Jitter is updated for every packet that is not a duplicate or bad.
 *
 * Return: an enum aes67_rtp_seq_event (>= 0). Thread: the stream's owner; rt.
 */
AES67_API AES67_RT int aes67_rtp_stats_update(struct aes67_rtp_stats *s, uint16_t seq,
					      uint32_t timestamp, uint32_t arrival_rtp);

/**
 * aes67_rtp_stats_get() - snapshot of @s (RFC 3550 A.3 expected/lost, A.8 jitter).
 * @s: the statistics.
 * @r: out: the report.
 *
 * Thread: the stream's owner (or any with external synchronisation); rt.
 */
AES67_API AES67_RT void aes67_rtp_stats_get(const struct aes67_rtp_stats *s,
					    struct aes67_rtp_stats_report *r);

#ifdef __cplusplus
}
#endif

#endif /* AES67_RTP_H */
