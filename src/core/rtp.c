// SPDX-License-Identifier: MIT
/*
 * RTP header parse/build (RFC 3550 §5.1, §5.3.1) and receive statistics (RFC 3550 A.1, A.3,
 * A.8). The parser treats the packet as hostile: every length is checked before the read it
 * guards, and each refusal has its own error code. Nothing here allocates, locks or logs, so it
 * runs on the RX/TX threads as is.
 */
#include <errno.h>
#include <string.h>

#include "aes67/error.h"
#include "aes67/rtp.h"
#include "bytes.h"

#define SEQ_NONE 0x10001u /* A.1: RTP_SEQ_MOD + 1, a bad_seq no packet can match */

int aes67_rtp_parse(struct aes67_rtp_header *h, const uint8_t *buf, size_t len_bytes)
{
	size_t off = AES67_RTP_FIXED_HEADER_BYTES;
	size_t body;

	if (h == NULL || buf == NULL) {
		return -EINVAL;
	}
	if (len_bytes < AES67_RTP_FIXED_HEADER_BYTES) {
		return -AES67_ETRUNCATED;
	}
	/* §5.1: V is the top two bits of the first octet and must be 2. */
	if ((buf[0] >> 6) != AES67_RTP_VERSION) {
		return -AES67_EVERSION;
	}
	h->padding = (buf[0] & 0x20) != 0;
	h->extension = (buf[0] & 0x10) != 0;
	h->csrc_count = buf[0] & 0x0f;
	h->marker = (buf[1] & 0x80) != 0;
	h->payload_type = buf[1] & 0x7f;
	h->seq = be16_load(buf + 2);
	h->timestamp = be32_load(buf + 4);
	h->ssrc = be32_load(buf + 8);

	/* §5.1: CC 32-bit CSRC identifiers follow the fixed header. */
	if (len_bytes - off < (size_t)h->csrc_count * 4) {
		return -AES67_ETRUNCATED;
	}
	for (unsigned i = 0; i < AES67_RTP_CSRC_MAX; i++) {
		if (i < h->csrc_count) {
			h->csrc[i] = be32_load(buf + off);
			off += 4;
		} else {
			h->csrc[i] = 0;
		}
	}

	/* §5.3.1: 16-bit profile-defined field, 16-bit length in words, then the data. */
	h->ext_profile = 0;
	h->ext_words = 0;
	h->ext_data = NULL;
	if (h->extension) {
		if (len_bytes - off < AES67_RTP_EXT_HEADER_BYTES) {
			return -AES67_ETRUNCATED;
		}
		h->ext_profile = be16_load(buf + off);
		h->ext_words = be16_load(buf + off + 2);
		off += AES67_RTP_EXT_HEADER_BYTES;
		if (len_bytes - off < (size_t)h->ext_words * 4) {
			return -AES67_ETRUNCATED;
		}
		if (h->ext_words > 0) {
			h->ext_data = buf + off;
		}
		off += (size_t)h->ext_words * 4;
	}

	/*
	 * §5.1: with P set, the last octet counts the padding octets including itself. A count of
	 * 0, or one reaching into the header, cannot be honoured.
	 */
	body = len_bytes - off;
	h->padding_bytes = 0;
	if (h->padding) {
		if (body == 0) {
			return -AES67_EPADDING;
		}
		h->padding_bytes = buf[len_bytes - 1];
		if (h->padding_bytes == 0 || h->padding_bytes > body) {
			return -AES67_EPADDING;
		}
	}
	h->payload = buf + off;
	h->payload_bytes = body - h->padding_bytes;
	return (int)off;
}

size_t aes67_rtp_header_bytes(const struct aes67_rtp_header *h)
{
	size_t n = AES67_RTP_FIXED_HEADER_BYTES + (size_t)h->csrc_count * 4;

	if (h->extension) {
		n += AES67_RTP_EXT_HEADER_BYTES + (size_t)h->ext_words * 4;
	}
	return n;
}

int aes67_rtp_build(uint8_t *buf, size_t cap_bytes, const struct aes67_rtp_header *h)
{
	size_t off = AES67_RTP_FIXED_HEADER_BYTES;
	size_t need;

	if (buf == NULL || h == NULL || h->payload_type > 0x7f ||
	    h->csrc_count > AES67_RTP_CSRC_MAX ||
	    (h->extension && h->ext_words > 0 && h->ext_data == NULL)) {
		return -EINVAL;
	}
	need = aes67_rtp_header_bytes(h);
	if (cap_bytes < need) {
		return -AES67_ENOSPACE;
	}
	buf[0] = (uint8_t)(AES67_RTP_VERSION << 6 | (h->padding ? 0x20 : 0) |
			   (h->extension ? 0x10 : 0) | h->csrc_count);
	buf[1] = (uint8_t)((h->marker ? 0x80 : 0) | h->payload_type);
	be16_store(buf + 2, h->seq);
	be32_store(buf + 4, h->timestamp);
	be32_store(buf + 8, h->ssrc);
	for (unsigned i = 0; i < h->csrc_count; i++) {
		be32_store(buf + off, h->csrc[i]);
		off += 4;
	}
	if (h->extension) {
		be16_store(buf + off, h->ext_profile);
		be16_store(buf + off + 2, h->ext_words);
		off += AES67_RTP_EXT_HEADER_BYTES;
		if (h->ext_words > 0) {
			/* memmove: the caller may rebuild over the buffer the data came from. */
			memmove(buf + off, h->ext_data, (size_t)h->ext_words * 4);
			off += (size_t)h->ext_words * 4;
		}
	}
	return (int)off;
}

void aes67_rtp_stats_init(struct aes67_rtp_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->bad_seq = SEQ_NONE;
}

static int64_t ext_max(const struct aes67_rtp_stats *s)
{
	return (int64_t)s->cycles * 65536 + s->max_seq;
}

/* A.1 init_seq(): a new epoch starts at @seq; cumulative counters are kept. */
static void start_epoch(struct aes67_rtp_stats *s, uint16_t seq)
{
	s->started = true;
	s->max_seq = seq;
	s->cycles = 0;
	s->base_ext = seq;
	s->window = 1;
	s->bad_seq = SEQ_NONE;
	s->received = 1;
	s->have_transit = false;
}

/* A.8: J += (|D| - J) / 16, kept times 16 to stay in integers as the RFC's code does. */
static void update_jitter(struct aes67_rtp_stats *s, uint32_t timestamp, uint32_t arrival_rtp)
{
	uint32_t transit = arrival_rtp - timestamp;
	int64_t d;

	if (s->have_transit) {
		d = aes67_ts_diff(transit, s->transit);
		if (d < 0) {
			d = -d;
		}
		s->jitter_q4 += (uint64_t)d - ((s->jitter_q4 + 8) >> 4);
	}
	s->transit = transit;
	s->have_transit = true;
}

int aes67_rtp_stats_update(struct aes67_rtp_stats *s, uint16_t seq, uint32_t timestamp,
			   uint32_t arrival_rtp)
{
	int32_t delta;
	int ev;

	if (!s->started) {
		start_epoch(s, seq);
		update_jitter(s, timestamp, arrival_rtp);
		return AES67_RTP_SEQ_FIRST;
	}
	delta = aes67_seq_diff(seq, s->max_seq);
	if (delta > 0 && delta < AES67_RTP_MAX_DROPOUT) {
		/* In order, possibly with a gap; a wrap of the 16-bit counter adds a cycle. */
		if (seq < s->max_seq) {
			s->cycles++;
		}
		s->window = delta >= AES67_RTP_SEQ_WINDOW ? 0 : s->window << delta;
		s->window |= 1;
		s->max_seq = seq;
		s->bad_seq = SEQ_NONE;
		s->received++;
		ev = delta == 1 ? AES67_RTP_SEQ_IN_ORDER : AES67_RTP_SEQ_GAP;
	} else if (delta <= 0 && -delta < AES67_RTP_SEQ_WINDOW) {
		uint64_t bit = (uint64_t)1 << -delta;
		int64_t ext = ext_max(s) + delta;

		if (s->window & bit) {
			s->duplicates++;
			return AES67_RTP_SEQ_DUPLICATE;
		}
		s->window |= bit;
		s->received++;
		s->reordered++;
		if (ext < s->base_ext) {
			s->base_ext = ext; /* older than the first packet of the epoch */
		}
		ev = AES67_RTP_SEQ_REORDERED;
	} else if (seq == s->bad_seq) {
		/* A.1: two sequential packets after a jump: the source restarted. */
		s->expected_prev_epochs += (uint64_t)(ext_max(s) - s->base_ext + 1);
		s->received_prev_epochs += s->received;
		s->restarts++;
		start_epoch(s, seq);
		update_jitter(s, timestamp, arrival_rtp);
		return AES67_RTP_SEQ_RESTART;
	} else {
		s->bad_seq = (uint32_t)(uint16_t)(seq + 1);
		s->bad++;
		return AES67_RTP_SEQ_BAD;
	}
	update_jitter(s, timestamp, arrival_rtp);
	return ev;
}

void aes67_rtp_stats_get(const struct aes67_rtp_stats *s, struct aes67_rtp_stats_report *r)
{
	uint64_t expected = s->expected_prev_epochs;
	uint64_t received = s->received_prev_epochs;
	uint64_t j = s->jitter_q4 >> 4;

	if (s->started) {
		expected += (uint64_t)(ext_max(s) - s->base_ext + 1);
		received += s->received;
	}
	r->expected = expected;
	r->received = received;
	r->lost = expected > received ? expected - received : 0;
	r->reordered = s->reordered;
	r->duplicates = s->duplicates;
	r->bad = s->bad;
	r->restarts = s->restarts;
	r->jitter_rtp = j > UINT32_MAX ? UINT32_MAX : (uint32_t)j;
	r->ext_max_seq = (uint32_t)(s->cycles << 16 | s->max_seq);
}
