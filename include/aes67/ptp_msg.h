/* SPDX-License-Identifier: MIT */
/*
 * PTPv2 (IEEE 1588-2008) messages: parse and build, socket-free.
 *
 * The parser takes one UDP payload and fills a struct aes67_ptp_msg; the builder does the
 * reverse. Network input is hostile: every length is checked before every read, and every refusal
 * comes back as a negative error plus a precise drop reason (for per-reason counters). TLVs after
 * the body are walked and checked but not interpreted; they are handed back as a byte range.
 *
 * Time is the small value type struct aes67_ptp_time (48-bit seconds + nanoseconds, §5.3.3)
 * with conversions to signed 64-bit nanoseconds, the unit the rest of the PTP core works in.
 */
#ifndef AES67_PTP_MSG_H
#define AES67_PTP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* IEEE 1588-2008 §13.3.1: the common header of every message. */
#define AES67_PTP_HEADER_BYTES 34
/* Largest message this module builds or keeps (messageLength is 16 bits, but we stay in MTU). */
#define AES67_PTP_MSG_MAX_BYTES 1500
#define AES67_PTP_CLOCK_IDENTITY_BYTES 8

/* §13.3.2.2 Table 19: messageType. */
enum aes67_ptp_msg_type {
	AES67_PTP_SYNC = 0x0,
	AES67_PTP_DELAY_REQ = 0x1,
	AES67_PTP_PDELAY_REQ = 0x2,
	AES67_PTP_PDELAY_RESP = 0x3,
	AES67_PTP_FOLLOW_UP = 0x8,
	AES67_PTP_DELAY_RESP = 0x9,
	AES67_PTP_PDELAY_RESP_FOLLOW_UP = 0xA,
	AES67_PTP_ANNOUNCE = 0xB,
	AES67_PTP_SIGNALING = 0xC,
	AES67_PTP_MANAGEMENT = 0xD,
};

/*
 * §13.3.2.6 Table 20: flagField, as the 16-bit value octet 6 << 8 | octet 7.
 */
enum aes67_ptp_flag {
	AES67_PTP_FLAG_LEAP61 = 0x0001,
	AES67_PTP_FLAG_LEAP59 = 0x0002,
	AES67_PTP_FLAG_UTC_OFFSET_VALID = 0x0004,
	AES67_PTP_FLAG_PTP_TIMESCALE = 0x0008,
	AES67_PTP_FLAG_TIME_TRACEABLE = 0x0010,
	AES67_PTP_FLAG_FREQUENCY_TRACEABLE = 0x0020,
	AES67_PTP_FLAG_ALTERNATE_MASTER = 0x0100,
	AES67_PTP_FLAG_TWO_STEP = 0x0200,
	AES67_PTP_FLAG_UNICAST = 0x0400,
	AES67_PTP_FLAG_PROFILE_SPECIFIC1 = 0x2000,
	AES67_PTP_FLAG_PROFILE_SPECIFIC2 = 0x4000,
	AES67_PTP_FLAG_SECURITY = 0x8000,
};

/* §13.3.2.10 Table 23: controlField (kept for PTPv1 hardware; receivers ignore it). */
enum aes67_ptp_control {
	AES67_PTP_CONTROL_SYNC = 0,
	AES67_PTP_CONTROL_DELAY_REQ = 1,
	AES67_PTP_CONTROL_FOLLOW_UP = 2,
	AES67_PTP_CONTROL_DELAY_RESP = 3,
	AES67_PTP_CONTROL_MANAGEMENT = 4,
	AES67_PTP_CONTROL_OTHER = 5,
};

/* Why the parser refused a datagram; one counter per reason in the daemon. */
enum aes67_ptp_drop {
	AES67_PTP_DROP_NONE = 0,
	AES67_PTP_DROP_SHORT_HEADER, /* datagram shorter than the 34-byte header */
	AES67_PTP_DROP_VERSION,	     /* versionPTP is not 2 */
	AES67_PTP_DROP_LENGTH_DGRAM, /* messageLength larger than the datagram */
	AES67_PTP_DROP_BAD_TYPE,     /* reserved messageType */
	AES67_PTP_DROP_LENGTH_TYPE,  /* messageLength below the minimum for the type */
	AES67_PTP_DROP_TIMESTAMP,    /* nanoseconds field >= 10^9 */
	AES67_PTP_DROP_TLV_HEADER,   /* 1..3 bytes left after the body: a partial TLV header */
	AES67_PTP_DROP_TLV_ODD,	     /* TLV lengthField odd (§14.1.1 requires even) */
	AES67_PTP_DROP_TLV_OVERRUN,  /* TLV value runs past messageLength */
	AES67_PTP_DROP_COUNT,
};

/* §5.3.3 Timestamp: 48-bit seconds, nanoseconds < 10^9. A tiny value type. */
struct aes67_ptp_time {
	uint64_t sec;
	uint32_t ns;
};

/* §5.3.5 PortIdentity. */
struct aes67_ptp_port_identity {
	uint8_t clock_identity[AES67_PTP_CLOCK_IDENTITY_BYTES];
	uint16_t port_number;
};

/* §5.3.7 ClockQuality. */
struct aes67_ptp_clock_quality {
	uint8_t clock_class;
	uint8_t clock_accuracy;
	uint16_t offset_scaled_log_variance;
};

/* §13.3 common header, decoded. */
struct aes67_ptp_header {
	uint8_t transport_specific;   /* upper nibble of octet 0 */
	uint8_t type;		      /* enum aes67_ptp_msg_type */
	uint8_t version;	      /* versionPTP, always 2 after parsing */
	uint8_t minor_version;	      /* upper nibble of octet 1 (1588-2019 minorVersionPTP) */
	uint16_t length_bytes;	      /* messageLength */
	uint8_t domain;		      /* domainNumber */
	uint16_t flags;		      /* enum aes67_ptp_flag bits */
	int64_t correction_scaled_ns; /* correctionField: ns * 2^16 */
	struct aes67_ptp_port_identity source;
	uint16_t sequence_id;
	uint8_t control;	     /* enum aes67_ptp_control */
	int8_t log_message_interval; /* log2 of the interval in seconds; 0x7F = unspecified */
};

/* §13.5 Announce body. */
struct aes67_ptp_announce {
	struct aes67_ptp_time origin;
	int16_t current_utc_offset_s;
	uint8_t gm_priority1;
	struct aes67_ptp_clock_quality gm_quality;
	uint8_t gm_priority2;
	uint8_t gm_identity[AES67_PTP_CLOCK_IDENTITY_BYTES];
	uint16_t steps_removed;
	uint8_t time_source;
};

/*
 * A parsed message. Which body member is valid depends on hdr.type:
 *   SYNC, DELAY_REQ, PDELAY_REQ: ts = originTimestamp (§13.6, §13.9)
 *   FOLLOW_UP: ts = preciseOriginTimestamp (§13.7)
 *   DELAY_RESP: ts = receiveTimestamp, requesting = requestingPortIdentity (§13.8)
 *   PDELAY_RESP / PDELAY_RESP_FOLLOW_UP: ts = requestReceipt / responseOrigin timestamp,
 *     requesting = requestingPortIdentity (§13.10, §13.11)
 *   ANNOUNCE: announce (§13.5)
 *   SIGNALING: target (§13.12); MANAGEMENT: target, hops, action (§15.4)
 * tlv points into the parsed buffer (not owned): tlv_bytes bytes of TLVs, each already checked.
 */
struct aes67_ptp_msg {
	struct aes67_ptp_header hdr;
	struct aes67_ptp_time ts;
	struct aes67_ptp_port_identity requesting;
	struct aes67_ptp_port_identity target;
	struct aes67_ptp_announce announce;
	uint8_t starting_boundary_hops;
	uint8_t boundary_hops;
	uint8_t action;
	const uint8_t *tlv;
	size_t tlv_bytes;
	unsigned tlv_count;
};

/* One TLV (§14.1): type, and a value range inside the message buffer. */
struct aes67_ptp_tlv {
	uint16_t type;
	uint16_t length_bytes;
	const uint8_t *value;
};

/**
 * aes67_ptp_msg_parse() - decode one PTP datagram.
 * @buf:       the UDP payload (not retained except through msg->tlv).
 * @len_bytes: bytes in @buf. Bytes beyond messageLength are allowed and ignored (§13.3.2.4:
 *             e.g. Ethernet padding); a datagram shorter than messageLength is dropped.
 * @msg:       filled on success; undefined on failure.
 * @drop:      if not NULL, set to the precise reason (AES67_PTP_DROP_NONE on success).
 *
 * Return: 0, or -AES67_ETRUNCATED (short header / messageLength past datagram / partial TLV
 * header / TLV overrun), -AES67_EVERSION, -AES67_EUNSUPPORTED (reserved type), -AES67_EMALFORMED
 * (messageLength below the type's minimum, odd TLV length), -AES67_ERANGE (ns >= 10^9),
 * -EINVAL (NULL buf or msg). Thread: any. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int aes67_ptp_msg_parse(const uint8_t *buf, size_t len_bytes,
							    struct aes67_ptp_msg *msg,
							    enum aes67_ptp_drop *drop);

/**
 * aes67_ptp_msg_build() - encode a message.
 * @msg:       header and body; hdr.length_bytes is ignored and computed. msg->tlv (may be NULL
 *             when tlv_bytes is 0) is copied verbatim after the body; it must hold well-formed
 *             TLVs (checked).
 * @buf:       output buffer.
 * @cap_bytes: size of @buf.
 *
 * Return: bytes written (> 0), or -AES67_ENOSPACE (buffer or 16-bit messageLength too small),
 * -AES67_ERANGE (ns >= 10^9, seconds >= 2^48, nibble fields > 15), -AES67_EUNSUPPORTED (type),
 * -AES67_EMALFORMED (bad TLV bytes), -EINVAL (NULL). Thread: any. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int aes67_ptp_msg_build(const struct aes67_ptp_msg *msg,
							    uint8_t *buf, size_t cap_bytes);

/**
 * aes67_ptp_msg_body_bytes() - the minimum messageLength for a message type (header + body).
 * @type: enum aes67_ptp_msg_type value.
 *
 * Return: the length in bytes, or -AES67_EUNSUPPORTED for a reserved type. Thread: any.
 */
AES67_API AES67_MUST_CHECK int aes67_ptp_msg_body_bytes(unsigned type);

/**
 * aes67_ptp_tlv_next() - step through the TLVs of a parsed message.
 * @msg:    a message filled by aes67_ptp_msg_parse().
 * @cursor: byte offset into msg->tlv; start at 0; advanced on success.
 * @tlv:    filled on success; tlv->value points into the parsed buffer.
 *
 * Return: 1 when a TLV was returned, 0 at the end, -AES67_ETRUNCATED / -AES67_EMALFORMED if the
 * range is not well-formed (cannot happen after a successful parse). Thread: any. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int
aes67_ptp_tlv_next(const struct aes67_ptp_msg *msg, size_t *cursor, struct aes67_ptp_tlv *tlv);

/**
 * aes67_ptp_drop_str() - name a drop reason (static string, never NULL). Thread: any.
 */
AES67_API const char *aes67_ptp_drop_str(enum aes67_ptp_drop drop);

/**
 * aes67_ptp_time_to_ns() - a PTP timestamp as signed nanoseconds since the PTP epoch.
 * @t:      the timestamp.
 * @out_ns: result.
 *
 * Return: 0, or -AES67_ERANGE when t->ns >= 10^9 or the value does not fit in int64 (after
 * the year 2262). Thread: any. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int aes67_ptp_time_to_ns(const struct aes67_ptp_time *t,
							     int64_t *out_ns);

/**
 * aes67_ptp_time_from_ns() - nanoseconds since the PTP epoch as a timestamp.
 * @ns: non-negative nanoseconds.
 * @t:  result.
 *
 * Return: 0, or -AES67_ERANGE for negative @ns. Thread: any. RT-safe.
 */
AES67_API AES67_MUST_CHECK AES67_RT int aes67_ptp_time_from_ns(int64_t ns,
							       struct aes67_ptp_time *t);

/**
 * aes67_ptp_correction_ns() - correctionField (ns * 2^16) in whole nanoseconds, rounded to
 * nearest (§13.3.2.7). Thread: any. RT-safe.
 */
AES67_API AES67_RT int64_t aes67_ptp_correction_ns(int64_t correction_scaled_ns);

/**
 * aes67_ptp_port_identity_cmp() - order two port identities: clockIdentity as an unsigned
 * octet string, then portNumber (§9.3.4 figure 28 "compare identities").
 *
 * Return: < 0, 0 or > 0 like memcmp. Thread: any. RT-safe.
 */
AES67_API AES67_RT int aes67_ptp_port_identity_cmp(const struct aes67_ptp_port_identity *a,
						   const struct aes67_ptp_port_identity *b);

#ifdef __cplusplus
}
#endif

#endif /* AES67_PTP_MSG_H */
