/* SPDX-License-Identifier: MIT */
/*
 * PTP network transport of aes67d: the sockets of one ordinary-clock port, with kernel
 * timestamps converted to CLOCK_MONOTONIC_RAW (ptp_tsconv.h).
 *
 * UDP/IPv4 (IEEE 1588-2008 Annex D): event port 319 and general port 320, multicast group
 * 224.0.1.129, TTL 1, DSCP 46 (AES67-2018 §8.3 recommends EF for clock traffic).
 * Layer 2 (Annex F): one AF_PACKET socket, ethertype 0x88F7, group 01-1B-19-00-00-00.
 *
 * Timestamps: SO_TIMESTAMPING receive and transmit stamps. A transmit stamp comes back on the
 * socket's error queue (MSG_ERRQUEUE) with a copy of the packet; it is matched to the message
 * we sent by finding our payload inside that copy (robust to the headers the kernel includes,
 * and to padding; so SOF_TIMESTAMPING_OPT_TSONLY is not used). Software stamps
 * (scm_timestamping ts[0], CLOCK_REALTIME) are the default. Hardware stamps (ts[2], the PTP
 * hardware clock) are used when the configuration allows it and the interface supports it
 * (ethtool GET_TS_INFO; the decision and the PHC conversion are in ptp_phc.h). Untested on
 * real hardware: the test machines have no PHC.
 */
#ifndef AES67D_PTP_SOCK_H
#define AES67D_PTP_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "aes67/common.h"
#include "aes67/ptp_port.h"
#include "ptp_phc.h"

#define AES67D_PTP_SOCK_PENDING 4 /* event messages awaiting their transmit stamp */
#define AES67D_PTP_UDP_EVENT_PORT 319
#define AES67D_PTP_UDP_GENERAL_PORT 320

enum aes67d_ptp_sock_transport {
	AES67D_PTP_SOCK_UDP4 = 1, /* IEEE 1588-2008 Annex D */
	AES67D_PTP_SOCK_L2,	  /* Annex F */
};

struct aes67d_ptp_sock_pending {
	bool used;
	uint32_t token;
	uint32_t len_bytes;
	int64_t sent_mono_ns;
	uint8_t bytes[AES67_PTP_PORT_TX_BYTES];
};

struct aes67d_ptp_sock {
	enum aes67d_ptp_sock_transport transport;
	int fd[2]; /* UDP: [0] event, [1] general. L2: [0], [1] = -1 */
	int ifindex;
	uint8_t mac[6];
	int phc_index; /* -1: the interface has no PTP hardware clock */
	enum aes67d_ptp_ts_mode ts_mode;
	char ts_reason[AES67D_PTP_TS_REASON_BYTES]; /* why this mode, in words */
	struct aes67d_ptp_phc phc;		    /* hardware mode: the PHC; fd -1 otherwise */
	struct aes67d_ptp_sock_pending pending[AES67D_PTP_SOCK_PENDING];
	uint64_t tx_ts_lost; /* pending stamps that never came (see _expire) */
};

/**
 * aes67d_ptp_sock_open() - open and configure the port's sockets on an interface.
 * @s: result (caller-owned). @ifname: interface. @transport: UDP4 or L2.
 * @ts_req: timestamping asked for. AUTO falls back to software stamps when the interface cannot
 * stamp in hardware or switching it fails; s->ts_mode and s->ts_reason say which and why, e.g.
 * "interface has no PTP hardware clock".
 * @err: receives the failing step, e.g. "bind udp 319: Permission denied". @err_bytes: its size.
 * Return: 0 or -errno (-EACCES/-EPERM: needs root or CAP_NET_BIND_SERVICE/CAP_NET_RAW;
 * -EOPNOTSUPP: HARDWARE asked for and not available, @err says why). Thread: control.
 */
AES67_MUST_CHECK int aes67d_ptp_sock_open(struct aes67d_ptp_sock *s, const char *ifname,
					  enum aes67d_ptp_sock_transport transport,
					  enum aes67d_ptp_ts_request ts_req, char *err,
					  size_t err_bytes);

/**
 * aes67d_ptp_sock_close() - close the sockets (idempotent). Thread: the owner.
 */
void aes67d_ptp_sock_close(struct aes67d_ptp_sock *s);

/**
 * aes67d_ptp_sock_send() - send one message to the PTP multicast group.
 * @s: sockets. @ch: channel (event/general for UDP, L2). @buf, @len_bytes: the message
 * (<= AES67_PTP_PORT_TX_BYTES when @need_ts). @need_ts: remember it to match its transmit stamp
 * under @token. @now_ns: CLOCK_MONOTONIC_RAW now.
 * Return: 0, -ENOBUFS when every pending slot is taken, or -errno of sendto. Thread: the owner.
 */
AES67_MUST_CHECK int aes67d_ptp_sock_send(struct aes67d_ptp_sock *s, enum aes67_ptp_channel ch,
					  const uint8_t *buf, size_t len_bytes, bool need_ts,
					  uint32_t token, int64_t now_ns);

/**
 * aes67d_ptp_sock_recv() - read one datagram from fd index @i (non-blocking).
 * @buf, @cap: payload buffer. @ch: its channel. @rx_mono_ns: receive stamp (mono raw; 0 if the
 * kernel gave none).
 * Return: payload bytes, 0 for nothing useful read (e.g. our own frame), -EAGAIN when empty, or
 * -errno. Thread: the owner.
 */
AES67_MUST_CHECK int aes67d_ptp_sock_recv(struct aes67d_ptp_sock *s, int i, uint8_t *buf,
					  size_t cap, enum aes67_ptp_channel *ch,
					  int64_t *rx_mono_ns);

/**
 * aes67d_ptp_sock_recv_tx_ts() - read one transmit stamp from fd index @i's error queue.
 * @token, @tx_mono_ns: the matched message and when it left (mono raw).
 * Return: 1 matched, 0 read but matched nothing pending, -EAGAIN when the queue is empty, or
 * -errno. Thread: the owner.
 */
AES67_MUST_CHECK int aes67d_ptp_sock_recv_tx_ts(struct aes67d_ptp_sock *s, int i, uint32_t *token,
						int64_t *tx_mono_ns);

/**
 * aes67d_ptp_sock_expire() - forget pending stamps older than @max_age_ns (counted in
 * tx_ts_lost). Return: how many were dropped. Thread: the owner.
 */
unsigned aes67d_ptp_sock_expire(struct aes67d_ptp_sock *s, int64_t now_ns, int64_t max_age_ns);

/**
 * aes67d_ptp_sock_cmsg_stamp() - the kernel stamp in a received message's control data.
 * @msg: as filled by recvmsg (msg_control, msg_controllen). @mode: which stamp to take:
 * software is scm_timestamping ts[0] (CLOCK_REALTIME), hardware ts[2] (the PHC, raw); the
 * other kind is never mixed in. @ns: the stamp in its own clock.
 * Return: 1 found, 0 none (no SO_TIMESTAMPING message, too short, or the stamp is zero).
 * Thread: any; pure.
 */
AES67_MUST_CHECK int aes67d_ptp_sock_cmsg_stamp(struct msghdr *msg, enum aes67d_ptp_ts_mode mode,
						int64_t *ns);

/**
 * aes67d_ptp_sock_match() - index of the pending message whose bytes occur in @data (a copy of
 * a sent packet from the error queue, possibly with link/IP/UDP headers and padding), or -1.
 * Thread: the owner; pure.
 */
int aes67d_ptp_sock_match(const struct aes67d_ptp_sock *s, const uint8_t *data, size_t len);

#endif /* AES67D_PTP_SOCK_H */
