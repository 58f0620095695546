/* SPDX-License-Identifier: MIT */
/*
 * The aes67d configuration: one JSON file (schema in docs/aes67d.md) held in fixed-size structs.
 *
 * Loading parses into a scratch copy, validates it completely (every error names its JSON path,
 * e.g. "streams.tx[2].channels: 65 is above the maximum of 64") and only then replaces the live
 * configuration, so a bad file never half-applies. Saving is atomic (config_save.c).
 */
#ifndef AES67D_CONFIG_H
#define AES67D_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"

#define AES67D_NAME_BYTES 64 /* names: 1..63 of [A-Za-z0-9._-] */
#define AES67D_MAX_DEVICES 8
#define AES67D_MAX_STREAMS 64 /* per direction */
#define AES67D_DEVICE_MAX_CHANNELS 128
#define AES67D_STREAM_MAX_CHANNELS 64
#define AES67D_SDP_BYTES 4096	      /* SDP text up to 4095 bytes */
#define AES67D_MAX_PAYLOAD_BYTES 1440 /* payload limit so a packet fits a 1500-byte MTU */
#define AES67D_MAX_LINK_OFFSET_US 1000000
#define AES67D_ERR_BYTES 256 /* recommended size of error-message buffers */

enum aes67d_encoding {
	AES67D_ENC_L16 = 1, /* RFC 3551 §4.5.11 */
	AES67D_ENC_L24,	    /* RFC 3190 §4 */
	AES67D_ENC_L32,	    /* ST 2110-30 level C/X use, 32-bit linear */
	AES67D_ENC_AM824,   /* SMPTE ST 2110-31 */
};

enum aes67d_ptp_transport {
	AES67D_PTP_UDP4 = 1, /* IEEE 1588-2008 Annex D */
	AES67D_PTP_L2,	     /* IEEE 1588-2008 Annex F */
};

/* `ptp.timestamping` (docs/ptp.md). */
enum aes67d_ptp_timestamping {
	AES67D_PTP_TSCFG_AUTO = 0, /* hardware when the interface supports it, else software */
	AES67D_PTP_TSCFG_SOFTWARE, /* kernel software stamps */
	AES67D_PTP_TSCFG_HARDWARE, /* PHC stamps; PTP does not start without them */
};

struct aes67d_ptp_config {
	uint32_t domain;    /* 0..127 (IEEE 1588-2008 §7.1); AES67 default profile uses 0 */
	uint32_t priority1; /* 0..255 */
	uint32_t priority2; /* 0..255 */
	bool slave_only;
	enum aes67d_ptp_transport transport;
	enum aes67d_ptp_timestamping timestamping;
	/* Absolute path of a program run on PTP lock changes (docs/ptp.md); empty: none. */
	char on_lock_change[256];
};

/*
 * `engine` (docs/aes67d.md): how the daemon asks the machine for timely wake-ups.
 * cpu_latency_us: a PM QoS CPU latency limit held while the engine runs (/dev/cpu_dma_latency;
 * 0 keeps idle CPUs polling instead of halting, which on a virtual machine also keeps the
 * hypervisor from descheduling them: docs/bench-latency.md, "Seventh session").
 */
#define AES67D_CPU_LATENCY_MAX_US 100000
struct aes67d_engine_config {
	bool cpu_latency;	 /* false: no request (the machine's own idle policy) */
	uint32_t cpu_latency_us; /* 0..AES67D_CPU_LATENCY_MAX_US, with cpu_latency */
};

struct aes67d_device_config {
	char name[AES67D_NAME_BYTES];
	uint32_t playback_channels; /* 0..128 */
	uint32_t capture_channels;  /* 0..128 */
	uint32_t rate_hz;
	uint32_t ptime_us;
};

struct aes67d_tx_config {
	char name[AES67D_NAME_BYTES];
	struct in_addr destination; /* network order */
	uint32_t port;
	uint32_t ttl;  /* 1..255 */
	uint32_t dscp; /* 0..63 */
	enum aes67d_encoding encoding;
	uint32_t rate_hz;
	uint32_t channels; /* 1..64 */
	uint32_t ptime_us; /* 125, 250, 333, 1000 or 4000 */
	char device[AES67D_NAME_BYTES];
	uint32_t device_channel_offset;
};

struct aes67d_rx_config {
	char name[AES67D_NAME_BYTES];
	bool has_sdp; /* true: sdp holds the session; false: the source fields do */
	char sdp[AES67D_SDP_BYTES];
	struct in_addr source; /* network order */
	uint32_t port;
	enum aes67d_encoding encoding;
	uint32_t rate_hz;
	uint32_t channels;
	bool link_offset_in_frames; /* which of the two below was given */
	uint32_t link_offset_frames;
	uint32_t link_offset_us;
	char device[AES67D_NAME_BYTES];
	uint32_t device_channel_offset;
};

struct aes67d_config {
	char interface[IF_NAMESIZE]; /* empty: not set */
	struct aes67d_ptp_config ptp;
	struct aes67d_engine_config engine;
	uint32_t n_devices;
	struct aes67d_device_config devices[AES67D_MAX_DEVICES];
	uint32_t n_tx;
	struct aes67d_tx_config tx[AES67D_MAX_STREAMS];
	uint32_t n_rx;
	struct aes67d_rx_config rx[AES67D_MAX_STREAMS];
};

/* Defaults for the optional fields of a stream (used by the loader). */
#define AES67D_DEFAULT_TTL 16
#define AES67D_DEFAULT_DSCP 46
#define AES67D_DEFAULT_LINK_OFFSET_US 1000

/**
 * aes67d_config_init() - an empty configuration with defaults (PTP domain 0, priorities 128,
 * not slave-only, UDPv4; no interface, devices or streams). All bytes, padding included, are set
 * so two equal configurations compare equal with memcmp.
 * @c: the configuration. Thread: any.
 */
void aes67d_config_init(struct aes67d_config *c);

/**
 * aes67d_config_validate() - check cross-field rules of a complete configuration: unique names,
 * devices that exist, channel ranges that fit the device, packets that fit the MTU.
 * @c: the configuration.
 * @err: receives "path: reason" for the first violation. @err_bytes: its size.
 * Return: 0 or -AES67_ERANGE / -EEXIST / -AES67_ENOTFOUND. Thread: any.
 */
AES67_MUST_CHECK int aes67d_config_validate(const struct aes67d_config *c, char *err,
					    size_t err_bytes);

/**
 * aes67d_config_parse() - parse and validate JSON text.
 * @out: replaced only on success.
 * @text: the JSON (need not be NUL-terminated). @len: its length in bytes.
 * @err: receives "path: reason" on failure. @err_bytes: its size.
 * Return: 0, -AES67_EMALFORMED (not JSON / wrong type / unknown key), -AES67_ERANGE, -EEXIST,
 * -AES67_ENOTFOUND or -ENOMEM. Thread: control.
 */
AES67_MUST_CHECK int aes67d_config_parse(struct aes67d_config *out, const char *text, size_t len,
					 char *err, size_t err_bytes);

/**
 * aes67d_config_load() - read, parse and validate a file (at most 1 MiB).
 * @out: replaced only on success. @path: the file.
 * @err, @err_bytes: as aes67d_config_parse(); for I/O errors the message names the file.
 * Return: as aes67d_config_parse(), plus -errno from open/read and -EFBIG. Thread: control.
 */
AES67_MUST_CHECK int aes67d_config_load(struct aes67d_config *out, const char *path, char *err,
					size_t err_bytes);

/**
 * aes67d_config_dump() - the configuration as JSON text (2-space indent, fixed key order).
 * @c: the configuration.
 * Return: a NUL-terminated string the caller frees with free(), or NULL when out of memory.
 * Thread: control.
 */
char *aes67d_config_dump(const struct aes67d_config *c);

/**
 * aes67d_config_save() - write the configuration atomically: temp file in the same directory,
 * fsync, rename over @path, fsync the directory. A crash at any moment leaves either the old or
 * the new file. The file gets mode 0600.
 * @c: the configuration. @path: the target.
 * @err, @err_bytes: receive the failing step on error.
 * Return: 0, -ENOMEM or -errno of the failing call. Thread: control.
 */
AES67_MUST_CHECK int aes67d_config_save(const struct aes67d_config *c, const char *path, char *err,
					size_t err_bytes);

/**
 * aes67d_encoding_name() - "L16", "L24", "L32", "AM824"; "?" for others.
 * @e: the encoding. Return: static string. Thread: any.
 */
const char *aes67d_encoding_name(enum aes67d_encoding e);

/**
 * aes67d_encoding_bytes() - bytes per sample on the wire (2, 3, 4, 4); 0 if unknown.
 * @e: the encoding. Thread: any.
 */
unsigned aes67d_encoding_bytes(enum aes67d_encoding e);

/**
 * aes67d_rate_supported() - true for the sample rates aes67d runs: 44100, 48000, 88200, 96000,
 * 176400 and 192000 Hz. @rate_hz: the rate. Thread: any.
 */
bool aes67d_rate_supported(uint32_t rate_hz);

/**
 * aes67d_frames_per_packet() - frames in one packet at @rate_hz and @ptime_us: round(ptime x
 * rate), 333 µs meaning 1/3 ms exactly (AES67-2018 §7.2); e.g. 48 kHz 1 ms: 48, 44.1 kHz 1 ms:
 * 44, 44.1 kHz 125 µs: 6. 0 only if the product rounds to 0. Thread: any.
 */
uint32_t aes67d_frames_per_packet(uint32_t rate_hz, uint32_t ptime_us);

#endif /* AES67D_CONFIG_H */
