// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the sans-I/O PTP port (ptp_port.h). The input is a script of records
 * [op][delta_10ms][len][len bytes]: op % 5 selects a datagram on the event, general or L2
 * channel (0..2), a timer tick (3) or the transmit timestamp of the last message that asked for
 * one (4); time advances by delta * 10 ms before each record. Bit 7 of the first byte makes the
 * port slave-only. Invariants checked after every call: no error return, the output fits, the
 * state is a valid portState (IEEE 1588-2008 §8.2.5.3.1), no action was lost, and every message
 * the port sends parses again.
 */
#include <stdint.h>
#include <stdlib.h>

#include "aes67/ptp_port.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RECORD_HEADER_BYTES 3
#define STEP_NS 10000000LL

static int run_op(struct aes67_ptp_port *p, uint8_t op, const uint8_t *buf, size_t len,
		  uint32_t token, int64_t now_ns, struct aes67_ptp_port_out *out)
{
	switch (op % 5) {
	case 0:
	case 1:
	case 2:
		return aes67_ptp_port_rx(p, buf, len, (enum aes67_ptp_channel)(op % 3),
					 now_ns - 1000, now_ns, out);
	case 3:
		return aes67_ptp_port_tick(p, now_ns, out);
	default:
		return aes67_ptp_port_tx_ts(p, token, now_ns - 500, now_ns, out);
	}
}

/* Checks the output of one call; returns the newest tx token asked for (or @token). */
static uint32_t check_out(const struct aes67_ptp_port_out *out, uint32_t token)
{
	for (unsigned i = 0; i < out->n; i++) {
		const struct aes67_ptp_action *a = &out->act[i];
		struct aes67_ptp_msg m;

		if (a->type != AES67_PTP_ACT_SEND) {
			continue;
		}
		if (aes67_ptp_msg_parse(a->bytes, a->len_bytes, &m, NULL) < 0) {
			abort();
		}
		if (a->need_tx_ts) {
			token = a->tx_token;
		}
	}
	return token;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = {0x00, 0x1D, 0xC1, 0x01, 0x02, 0x03};
	static struct aes67_ptp_port p;
	static struct aes67_ptp_port_out out;
	struct aes67_ptp_port_config c;
	int64_t now_ns = 1000000000LL;
	uint32_t token = 0;
	size_t off = 0;

	aes67_ptp_port_config_init(&c);
	aes67_ptp_port_identity_from_mac(mac, c.clock_identity);
	c.slave_only = size > 0 && (data[0] & 0x80) != 0;
	if (aes67_ptp_port_init(&p, &c) < 0 || aes67_ptp_port_start(&p, now_ns, &out) < 0) {
		abort();
	}
	while (size - off >= RECORD_HEADER_BYTES) {
		uint8_t op = data[off];
		size_t len = data[off + 2];
		int r;

		now_ns += (int64_t)data[off + 1] * STEP_NS;
		off += RECORD_HEADER_BYTES;
		if (len > size - off) {
			len = size - off;
		}
		r = run_op(&p, op, data + off, len, token, now_ns, &out);
		off += len;
		if (r < 0 || out.n > AES67_PTP_PORT_OUT_MAX || p.state < AES67_PTP_INITIALIZING ||
		    p.state > AES67_PTP_SLAVE || p.drop[AES67_PTP_PORT_DROP_OUT_FULL] != 0) {
			abort();
		}
		token = check_out(&out, token);
	}
	return 0;
}
