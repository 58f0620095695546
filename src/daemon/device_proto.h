/* SPDX-License-Identifier: MIT */
/*
 * The device handshake between aes67d and the pcm.aes67 ALSA plugin, over a Unix SOCK_SEQPACKET
 * socket (message boundaries kept, so one request and one reply are one datagram each).
 *
 *   plugin -> daemon  struct aes67d_dev_request  (magic, protocol version, ring ABI, device name)
 *   daemon -> plugin  struct aes67d_dev_reply    (status, region size, reason) + on success one
 *                     memfd passed with SCM_RIGHTS, sealed with F_SEAL_SHRINK|F_SEAL_GROW|
 *                     F_SEAL_SEAL so the plugin's mapping can never become shorter than its size.
 *
 * Both sides check the other's credentials with SO_PEERCRED: the daemon serves its own uid and
 * root; the plugin accepts a daemon running as root or as its own uid. A protocol or ring ABI
 * mismatch is answered with -AES67_EABI and a reason naming both versions. The plugin never
 * trusts the region: it validates it with aes67_ring_attach() after mapping.
 * Used by src/daemon/device_server.c and src/alsa/client.c; both sides are built from this tree.
 */
#ifndef AES67D_DEVICE_PROTO_H
#define AES67D_DEVICE_PROTO_H

#include <assert.h>
#include <stdint.h>

#define AES67D_DEV_MAGIC 0x41363744u /* "A67D" */
#define AES67D_DEV_PROTOCOL 1u
#define AES67D_DEV_NAME_BYTES 64
#define AES67D_DEV_REASON_BYTES 160

enum aes67d_dev_op {
	AES67D_DEV_OP_OPEN = 1, /* get the region of the named device ("" = first device) */
};

struct aes67d_dev_request {
	uint32_t magic;
	uint32_t protocol;		  /* AES67D_DEV_PROTOCOL */
	uint32_t ring_abi;		  /* AES67_RING_ABI_VERSION the plugin was built with */
	uint32_t op;			  /* enum aes67d_dev_op */
	char name[AES67D_DEV_NAME_BYTES]; /* NUL-terminated */
};

struct aes67d_dev_reply {
	uint32_t magic;
	uint32_t protocol;
	uint32_t ring_abi;
	int32_t status;	       /* 0, or a negative errno / -AES67_E* code */
	uint64_t region_bytes; /* size of the memfd on success */
	uint32_t ptime_us;     /* the device's packet time: ALSA periods are whole packets */
	uint32_t reserved;     /* 0 */
	char reason[AES67D_DEV_REASON_BYTES]; /* NUL-terminated explanation when status < 0 */
};

static_assert(sizeof(struct aes67d_dev_request) == 80, "request layout is ABI");
static_assert(sizeof(struct aes67d_dev_reply) == 192, "reply layout is ABI");

#endif /* AES67D_DEVICE_PROTO_H */
