// SPDX-License-Identifier: MIT
/*
 * PTPv2 message parsing and building (IEEE 1588-2008 clause 13, TLVs clause 14).
 *
 * Parsing runs in three checked steps: the fixed header (§13.3), the type's fixed body, then the
 * TLV suffix up to messageLength. Each step checks its length before reading, which closes the
 * holes behind CVE-2021-3570/3571 (reads past messageLength on TLVs and on short messages). The
 * datagram may be longer than messageLength (padding), never shorter.
 */
#include <errno.h>
#include <string.h>

#include "aes67/error.h"
#include "aes67/ptp_msg.h"
#include "bytes.h"

#define NS_PER_S 1000000000u
#define TLV_HEADER_BYTES 4
#define TIMESTAMP_BYTES 10
#define PORT_IDENTITY_BYTES 10
#define SECONDS_MAX ((UINT64_C(1) << 48) - 1)

int aes67_ptp_msg_body_bytes(unsigned type)
{
	switch (type) {
	case AES67_PTP_SYNC:
	case AES67_PTP_DELAY_REQ:
	case AES67_PTP_FOLLOW_UP:
		return 44; /* §13.6, §13.7: header + timestamp */
	case AES67_PTP_DELAY_RESP:
	case AES67_PTP_PDELAY_REQ:
	case AES67_PTP_PDELAY_RESP:
	case AES67_PTP_PDELAY_RESP_FOLLOW_UP:
		return 54; /* §13.8-§13.11: timestamp + port identity (or reserved) */
	case AES67_PTP_ANNOUNCE:
		return 64; /* §13.5 Table 25 */
	case AES67_PTP_SIGNALING:
		return 44; /* §13.12: targetPortIdentity */
	case AES67_PTP_MANAGEMENT:
		return 48; /* §15.4: target, two hop counts, action, reserved */
	default:
		return -AES67_EUNSUPPORTED;
	}
}

const char *aes67_ptp_drop_str(enum aes67_ptp_drop drop)
{
	switch (drop) {
	case AES67_PTP_DROP_NONE:
		return "none";
	case AES67_PTP_DROP_SHORT_HEADER:
		return "datagram shorter than the PTP header";
	case AES67_PTP_DROP_VERSION:
		return "versionPTP is not 2";
	case AES67_PTP_DROP_LENGTH_DGRAM:
		return "messageLength exceeds the datagram";
	case AES67_PTP_DROP_BAD_TYPE:
		return "reserved messageType";
	case AES67_PTP_DROP_LENGTH_TYPE:
		return "messageLength below the minimum for the message type";
	case AES67_PTP_DROP_TIMESTAMP:
		return "timestamp nanoseconds >= 10^9";
	case AES67_PTP_DROP_TLV_HEADER:
		return "partial TLV header";
	case AES67_PTP_DROP_TLV_ODD:
		return "odd TLV lengthField";
	case AES67_PTP_DROP_TLV_OVERRUN:
		return "TLV runs past messageLength";
	case AES67_PTP_DROP_COUNT:
		break;
	}
	return "unknown";
}

int aes67_ptp_time_to_ns(const struct aes67_ptp_time *t, int64_t *out_ns)
{
	if (t->ns >= NS_PER_S || t->sec > (uint64_t)(INT64_MAX / NS_PER_S) - 1) {
		return -AES67_ERANGE;
	}
	*out_ns = (int64_t)t->sec * (int64_t)NS_PER_S + (int64_t)t->ns;
	return 0;
}

int aes67_ptp_time_from_ns(int64_t ns, struct aes67_ptp_time *t)
{
	if (ns < 0) {
		return -AES67_ERANGE;
	}
	t->sec = (uint64_t)ns / NS_PER_S;
	t->ns = (uint32_t)((uint64_t)ns % NS_PER_S);
	return 0;
}

int64_t aes67_ptp_correction_ns(int64_t correction_scaled_ns)
{
	/* Round half up; >> of a negative value is arithmetic on every compiler we support, but
	 * division keeps it defined by the standard. */
	int64_t q = correction_scaled_ns / 65536;
	int64_t r = correction_scaled_ns % 65536;

	if (r >= 32768) {
		q++;
	} else if (r < -32768) {
		q--;
	}
	return q;
}

int aes67_ptp_port_identity_cmp(const struct aes67_ptp_port_identity *a,
				const struct aes67_ptp_port_identity *b)
{
	int c = memcmp(a->clock_identity, b->clock_identity, AES67_PTP_CLOCK_IDENTITY_BYTES);

	if (c != 0) {
		return c;
	}
	return (int)a->port_number - (int)b->port_number;
}

static int load_time(const uint8_t *p, struct aes67_ptp_time *t)
{
	t->sec = be48_load(p);
	t->ns = be32_load(p + 6);
	return t->ns < NS_PER_S ? 0 : -AES67_ERANGE;
}

static void store_time(uint8_t *p, const struct aes67_ptp_time *t)
{
	be48_store(p, t->sec);
	be32_store(p + 6, t->ns);
}

static void load_port(const uint8_t *p, struct aes67_ptp_port_identity *id)
{
	memcpy(id->clock_identity, p, AES67_PTP_CLOCK_IDENTITY_BYTES);
	id->port_number = be16_load(p + 8);
}

static void store_port(uint8_t *p, const struct aes67_ptp_port_identity *id)
{
	memcpy(p, id->clock_identity, AES67_PTP_CLOCK_IDENTITY_BYTES);
	be16_store(p + 8, id->port_number);
}

/*
 * Walk a TLV range (§14.1): type(2) length(2) value(length). Returns the TLV count, or a
 * negative error with the reason in *drop.
 */
static int walk_tlvs(const uint8_t *p, size_t len, enum aes67_ptp_drop *drop)
{
	size_t off = 0;
	int count = 0;

	while (off < len) {
		if (len - off < TLV_HEADER_BYTES) {
			*drop = AES67_PTP_DROP_TLV_HEADER;
			return -AES67_ETRUNCATED;
		}
		uint16_t vlen = be16_load(p + off + 2);
		/* §14.1.1: lengthField is an even number of octets. */
		if (vlen & 1u) {
			*drop = AES67_PTP_DROP_TLV_ODD;
			return -AES67_EMALFORMED;
		}
		if (vlen > len - off - TLV_HEADER_BYTES) {
			*drop = AES67_PTP_DROP_TLV_OVERRUN;
			return -AES67_ETRUNCATED;
		}
		off += TLV_HEADER_BYTES + vlen;
		count++;
	}
	return count;
}

static int parse_body(const uint8_t *b, struct aes67_ptp_msg *m)
{
	switch (m->hdr.type) {
	case AES67_PTP_SYNC:
	case AES67_PTP_DELAY_REQ:
	case AES67_PTP_FOLLOW_UP:
	case AES67_PTP_PDELAY_REQ:
		/* Pdelay_Req carries 10 reserved bytes after the timestamp (§13.9). */
		return load_time(b, &m->ts);
	case AES67_PTP_DELAY_RESP:
	case AES67_PTP_PDELAY_RESP:
	case AES67_PTP_PDELAY_RESP_FOLLOW_UP:
		load_port(b + TIMESTAMP_BYTES, &m->requesting);
		return load_time(b, &m->ts);
	case AES67_PTP_ANNOUNCE: {
		struct aes67_ptp_announce *a = &m->announce;

		/* §13.5 Table 25 offsets relative to the body start (octet 34). */
		a->current_utc_offset_s = (int16_t)be16_load(b + 10);
		a->gm_priority1 = b[13];
		a->gm_quality.clock_class = b[14];
		a->gm_quality.clock_accuracy = b[15];
		a->gm_quality.offset_scaled_log_variance = be16_load(b + 16);
		a->gm_priority2 = b[18];
		memcpy(a->gm_identity, b + 19, AES67_PTP_CLOCK_IDENTITY_BYTES);
		a->steps_removed = be16_load(b + 27);
		a->time_source = b[29];
		return load_time(b, &a->origin);
	}
	case AES67_PTP_SIGNALING:
		load_port(b, &m->target);
		return 0;
	case AES67_PTP_MANAGEMENT:
		load_port(b, &m->target);
		m->starting_boundary_hops = b[10];
		m->boundary_hops = b[11];
		m->action = b[12] & 0x0f;
		return 0;
	default:
		return -AES67_EUNSUPPORTED;
	}
}

int aes67_ptp_msg_parse(const uint8_t *buf, size_t len_bytes, struct aes67_ptp_msg *msg,
			enum aes67_ptp_drop *drop)
{
	enum aes67_ptp_drop why_local;
	enum aes67_ptp_drop *why = drop ? drop : &why_local;
	struct aes67_ptp_header *h;
	int body, err;

	*why = AES67_PTP_DROP_NONE;
	if (!buf || !msg) {
		return -EINVAL;
	}
	memset(msg, 0, sizeof(*msg));
	h = &msg->hdr;
	if (len_bytes < AES67_PTP_HEADER_BYTES) {
		*why = AES67_PTP_DROP_SHORT_HEADER;
		return -AES67_ETRUNCATED;
	}
	h->transport_specific = buf[0] >> 4;
	h->type = buf[0] & 0x0f;
	h->minor_version = buf[1] >> 4;
	h->version = buf[1] & 0x0f;
	if (h->version != 2) {
		*why = AES67_PTP_DROP_VERSION;
		return -AES67_EVERSION;
	}
	h->length_bytes = be16_load(buf + 2);
	h->domain = buf[4];
	h->flags = be16_load(buf + 6);
	h->correction_scaled_ns = (int64_t)be64_load(buf + 8);
	load_port(buf + 20, &h->source);
	h->sequence_id = be16_load(buf + 30);
	h->control = buf[32];
	h->log_message_interval = (int8_t)buf[33];

	if (h->length_bytes > len_bytes) {
		*why = AES67_PTP_DROP_LENGTH_DGRAM;
		return -AES67_ETRUNCATED;
	}
	body = aes67_ptp_msg_body_bytes(h->type);
	if (body < 0) {
		*why = AES67_PTP_DROP_BAD_TYPE;
		return body;
	}
	if (h->length_bytes < (size_t)body) {
		*why = AES67_PTP_DROP_LENGTH_TYPE;
		return -AES67_EMALFORMED;
	}
	err = parse_body(buf + AES67_PTP_HEADER_BYTES, msg);
	if (err < 0) {
		*why = AES67_PTP_DROP_TIMESTAMP;
		return err;
	}
	msg->tlv = buf + body;
	msg->tlv_bytes = (size_t)h->length_bytes - (size_t)body;
	err = walk_tlvs(msg->tlv, msg->tlv_bytes, why);
	if (err < 0) {
		return err;
	}
	msg->tlv_count = (unsigned)err;
	if (msg->tlv_bytes == 0) {
		msg->tlv = NULL;
	}
	return 0;
}

static int check_time(const struct aes67_ptp_time *t)
{
	return (t->ns < NS_PER_S && t->sec <= SECONDS_MAX) ? 0 : -AES67_ERANGE;
}

static int build_body(const struct aes67_ptp_msg *m, uint8_t *b)
{
	int err = check_time(m->hdr.type == AES67_PTP_ANNOUNCE ? &m->announce.origin : &m->ts);

	switch (m->hdr.type) {
	case AES67_PTP_SYNC:
	case AES67_PTP_DELAY_REQ:
	case AES67_PTP_FOLLOW_UP:
	case AES67_PTP_PDELAY_REQ:
		store_time(b, &m->ts);
		return err;
	case AES67_PTP_DELAY_RESP:
	case AES67_PTP_PDELAY_RESP:
	case AES67_PTP_PDELAY_RESP_FOLLOW_UP:
		store_time(b, &m->ts);
		store_port(b + TIMESTAMP_BYTES, &m->requesting);
		return err;
	case AES67_PTP_ANNOUNCE: {
		const struct aes67_ptp_announce *a = &m->announce;

		store_time(b, &a->origin);
		be16_store(b + 10, (uint16_t)a->current_utc_offset_s);
		b[13] = a->gm_priority1;
		b[14] = a->gm_quality.clock_class;
		b[15] = a->gm_quality.clock_accuracy;
		be16_store(b + 16, a->gm_quality.offset_scaled_log_variance);
		b[18] = a->gm_priority2;
		memcpy(b + 19, a->gm_identity, AES67_PTP_CLOCK_IDENTITY_BYTES);
		be16_store(b + 27, a->steps_removed);
		b[29] = a->time_source;
		return err;
	}
	case AES67_PTP_SIGNALING:
		store_port(b, &m->target);
		return 0;
	case AES67_PTP_MANAGEMENT:
		if (m->action > 15) {
			return -AES67_ERANGE;
		}
		store_port(b, &m->target);
		b[10] = m->starting_boundary_hops;
		b[11] = m->boundary_hops;
		b[12] = m->action;
		return 0;
	default:
		return -AES67_EUNSUPPORTED;
	}
}

int aes67_ptp_msg_build(const struct aes67_ptp_msg *msg, uint8_t *buf, size_t cap_bytes)
{
	const struct aes67_ptp_header *h;
	enum aes67_ptp_drop why;
	size_t total;
	int body, err;

	if (!msg || !buf || (msg->tlv_bytes > 0 && !msg->tlv)) {
		return -EINVAL;
	}
	h = &msg->hdr;
	if (h->transport_specific > 15 || h->minor_version > 15) {
		return -AES67_ERANGE;
	}
	body = aes67_ptp_msg_body_bytes(h->type);
	if (body < 0) {
		return body;
	}
	if (msg->tlv_bytes > UINT16_MAX - (size_t)body) {
		return -AES67_ENOSPACE;
	}
	total = (size_t)body + msg->tlv_bytes;
	if (total > cap_bytes) {
		return -AES67_ENOSPACE;
	}
	if (msg->tlv_bytes > 0 && walk_tlvs(msg->tlv, msg->tlv_bytes, &why) < 0) {
		return -AES67_EMALFORMED;
	}
	memset(buf, 0, (size_t)body);
	buf[0] = (uint8_t)(h->transport_specific << 4 | (h->type & 0x0f));
	buf[1] = (uint8_t)(h->minor_version << 4 | 2);
	be16_store(buf + 2, (uint16_t)total);
	buf[4] = h->domain;
	be16_store(buf + 6, h->flags);
	be64_store(buf + 8, (uint64_t)h->correction_scaled_ns);
	store_port(buf + 20, &h->source);
	be16_store(buf + 30, h->sequence_id);
	buf[32] = h->control;
	buf[33] = (uint8_t)h->log_message_interval;
	err = build_body(msg, buf + AES67_PTP_HEADER_BYTES);
	if (err < 0) {
		return err;
	}
	if (msg->tlv_bytes > 0) {
		memcpy(buf + body, msg->tlv, msg->tlv_bytes);
	}
	return (int)total;
}

int aes67_ptp_tlv_next(const struct aes67_ptp_msg *msg, size_t *cursor, struct aes67_ptp_tlv *tlv)
{
	size_t off = *cursor;
	size_t len = msg->tlv_bytes;

	if (off >= len) {
		return 0;
	}
	if (len - off < TLV_HEADER_BYTES) {
		return -AES67_ETRUNCATED;
	}
	tlv->type = be16_load(msg->tlv + off);
	tlv->length_bytes = be16_load(msg->tlv + off + 2);
	if (tlv->length_bytes & 1u) {
		return -AES67_EMALFORMED;
	}
	if (tlv->length_bytes > len - off - TLV_HEADER_BYTES) {
		return -AES67_ETRUNCATED;
	}
	tlv->value = msg->tlv + off + TLV_HEADER_BYTES;
	*cursor = off + TLV_HEADER_BYTES + tlv->length_bytes;
	return 1;
}
