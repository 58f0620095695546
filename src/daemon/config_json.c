// SPDX-License-Identifier: MIT
/*
 * JSON <-> struct for the aes67d configuration (see config_json.h, schema in docs/aes67d.md).
 *
 * The reader is strict: every object lists the keys it allows and refuses others (a typo must
 * not silently fall back to a default), every number is an integer in range, every string has a
 * length limit, and every message starts with the JSON path of the offending value.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aes67/error.h"
#include "config_json.h"

#define PATH_BYTES 96

int aes67d_config_fail(int code, char *err, size_t err_bytes, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && err_bytes > 0) {
		va_start(ap, fmt);
		vsnprintf(err, err_bytes, fmt, ap);
		va_end(ap);
	}
	return code;
}

static int check_keys(const json_t *obj, const char *path, const char *const *allowed, char *err,
		      size_t err_bytes)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj)) {
		return aes67d_config_fail(-AES67_EMALFORMED, err, err_bytes,
					  "%s: must be an object", path);
	}
	json_object_foreach((json_t *)obj, key, v)
	{
		bool known = false;

		(void)v;
		for (const char *const *a = allowed; *a != NULL; a++) {
			if (strcmp(*a, key) == 0) {
				known = true;
				break;
			}
		}
		if (!known) {
			return aes67d_config_fail(-AES67_EMALFORMED, err, err_bytes,
						  "%s.%s: unknown key", path, key);
		}
	}
	return 0;
}

/* Integer member in [min, max]; absent: *out = def, or an error when required. */
static int get_uint(const json_t *obj, const char *path, const char *key, bool required,
		    uint32_t def, uint32_t min, uint32_t max, uint32_t *out, char *err,
		    size_t err_bytes)
{
	const json_t *v = json_object_get(obj, key);
	json_int_t n;

	if (v == NULL) {
		if (required) {
			return aes67d_config_fail(-AES67_EMALFORMED, err, err_bytes,
						  "%s.%s: missing", path, key);
		}
		*out = def;
		return 0;
	}
	if (!json_is_integer(v)) {
		return aes67d_config_fail(-AES67_EMALFORMED, err, err_bytes,
					  "%s.%s: must be an integer", path, key);
	}
	n = json_integer_value(v);
	if (n < (json_int_t)min) {
		return aes67d_config_fail(-AES67_ERANGE, err, err_bytes,
					  "%s.%s: %lld is below the minimum of %u", path, key,
					  (long long)n, min);
	}
	if (n > (json_int_t)max) {
		return aes67d_config_fail(-AES67_ERANGE, err, err_bytes,
					  "%s.%s: %lld is above the maximum of %u", path, key,
					  (long long)n, max);
	}
	*out = (uint32_t)n;
	return 0;
}

static int get_bool(const json_t *obj, const char *path, const char *key, bool def, bool *out,
		    char *err, size_t err_bytes)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		*out = def;
		return 0;
	}
	if (!json_is_boolean(v)) {
		return aes67d_config_fail(-AES67_EMALFORMED, err, err_bytes,
					  "%s.%s: must be true or false", path, key);
	}
	*out = json_is_true(v);
	return 0;
}

/* String member of 1..out_bytes-1 bytes; absent: left empty, or an error when required. */
static int get_string(const json_t *obj, const char *path, const char *key, bool required,
		      char *out, size_t out_bytes, char *err, size_t err_bytes)
{
	const json_t *v = json_object_get(obj, key);
	size_t len;

	out[0] = '\0';
	if (v == NULL) {
		if (required) {
			return aes67d_config_fail(-AES67_EMALFORMED, err, err_bytes,
						  "%s.%s: missing", path, key);
		}
		return 0;
	}
	if (!json_is_string(v)) {
		return aes67d_config_fail(-AES67_EMALFORMED, err, err_bytes,
					  "%s.%s: must be a string", path, key);
	}
	len = json_string_length(v);
	if (len == 0) {
		return aes67d_config_fail(-AES67_ERANGE, err, err_bytes, "%s.%s: must not be empty",
					  path, key);
	}
	if (len >= out_bytes) {
		return aes67d_config_fail(-AES67_ERANGE, err, err_bytes,
					  "%s.%s: %zu bytes is longer than the maximum of %zu",
					  path, key, len, out_bytes - 1);
	}
	if (memchr(json_string_value(v), '\0', len) != NULL) {
		return aes67d_config_fail(-AES67_EMALFORMED, err, err_bytes,
					  "%s.%s: contains a NUL character", path, key);
	}
	memcpy(out, json_string_value(v), len + 1);
	return 0;
}

static int get_name(const json_t *obj, const char *path, const char *key, bool required, char *out,
		    char *err, size_t err_bytes)
{
	int r = get_string(obj, path, key, required, out, AES67D_NAME_BYTES, err, err_bytes);

	if (r < 0) {
		return r;
	}
	for (const char *p = out; *p != '\0'; p++) {
		char ch = *p;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-')) {
			return aes67d_config_fail(
				-AES67_EMALFORMED, err, err_bytes,
				"%s.%s: \"%s\" may only contain letters, digits, '.', '_' "
				"and '-'",
				path, key, out);
		}
	}
	return 0;
}

static int get_ipv4(const json_t *obj, const char *path, const char *key, struct in_addr *out,
		    char *err, size_t err_bytes)
{
	char text[INET_ADDRSTRLEN];
	uint32_t h;
	int r = get_string(obj, path, key, true, text, sizeof(text), err, err_bytes);

	if (r < 0) {
		return r;
	}
	if (inet_pton(AF_INET, text, out) != 1) {
		return aes67d_config_fail(-AES67_EMALFORMED, err, err_bytes,
					  "%s.%s: \"%s\" is not a dotted-quad IPv4 address", path,
					  key, text);
	}
	h = ntohl(out->s_addr);
	if (h == 0 || h == 0xffffffffu || (h >> 24) == 127 || (h >> 28) == 0xf) {
		return aes67d_config_fail(-AES67_ERANGE, err, err_bytes,
					  "%s.%s: %s is not a usable stream address", path, key,
					  text);
	}
	return 0;
}

static int get_encoding(const json_t *obj, const char *path, enum aes67d_encoding *out, char *err,
			size_t err_bytes)
{
	static const enum aes67d_encoding all[] = {AES67D_ENC_L16, AES67D_ENC_L24, AES67D_ENC_L32,
						   AES67D_ENC_AM824};
	char text[8];
	int r = get_string(obj, path, "encoding", true, text, sizeof(text), err, err_bytes);

	if (r < 0) {
		return r;
	}
	for (size_t i = 0; i < AES67_ARRAY_SIZE(all); i++) {
		if (strcmp(text, aes67d_encoding_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return aes67d_config_fail(-AES67_ERANGE, err, err_bytes,
				  "%s.encoding: \"%s\" is not one of L16, L24, L32, AM824", path,
				  text);
}

static int get_rate(const json_t *obj, const char *path, uint32_t *out, char *err, size_t err_bytes)
{
	int r = get_uint(obj, path, "rate", true, 0, 0, UINT32_MAX, out, err, err_bytes);

	if (r < 0) {
		return r;
	}
	if (!aes67d_rate_supported(*out)) {
		return aes67d_config_fail(
			-AES67_ERANGE, err, err_bytes,
			"%s.rate: %u Hz is not supported (44100, 48000, 88200, 96000, 176400 "
			"or 192000)",
			path, *out);
	}
	return 0;
}

static int get_ptime(const json_t *obj, const char *path, uint32_t *out, char *err,
		     size_t err_bytes)
{
	int r = get_uint(obj, path, "ptime_us", true, 0, 0, UINT32_MAX, out, err, err_bytes);

	if (r < 0) {
		return r;
	}
	switch (*out) {
	case 125:
	case 250:
	case 333:
	case 1000:
	case 4000:
		return 0;
	default:
		return aes67d_config_fail(-AES67_ERANGE, err, err_bytes,
					  "%s.ptime_us: %u is not one of 125, 250, 333, 1000, 4000",
					  path, *out);
	}
}

int aes67d_config_tx_from_json(const json_t *j, const char *path, struct aes67d_tx_config *out,
			       char *err, size_t err_bytes)
{
	static const char *const keys[] = {"name",
					   "destination",
					   "port",
					   "ttl",
					   "dscp",
					   "encoding",
					   "rate",
					   "channels",
					   "ptime_us",
					   "device",
					   "device_channel_offset",
					   NULL};
	struct aes67d_tx_config tx;
	int r;

	memset(&tx, 0, sizeof(tx));
	if ((r = check_keys(j, path, keys, err, err_bytes)) < 0 ||
	    (r = get_name(j, path, "name", true, tx.name, err, err_bytes)) < 0 ||
	    (r = get_ipv4(j, path, "destination", &tx.destination, err, err_bytes)) < 0 ||
	    (r = get_uint(j, path, "port", true, 0, 1, 65535, &tx.port, err, err_bytes)) < 0 ||
	    (r = get_uint(j, path, "ttl", false, AES67D_DEFAULT_TTL, 1, 255, &tx.ttl, err,
			  err_bytes)) < 0 ||
	    (r = get_uint(j, path, "dscp", false, AES67D_DEFAULT_DSCP, 0, 63, &tx.dscp, err,
			  err_bytes)) < 0 ||
	    (r = get_encoding(j, path, &tx.encoding, err, err_bytes)) < 0 ||
	    (r = get_rate(j, path, &tx.rate_hz, err, err_bytes)) < 0 ||
	    (r = get_uint(j, path, "channels", true, 0, 1, AES67D_STREAM_MAX_CHANNELS, &tx.channels,
			  err, err_bytes)) < 0 ||
	    (r = get_ptime(j, path, &tx.ptime_us, err, err_bytes)) < 0 ||
	    (r = get_name(j, path, "device", false, tx.device, err, err_bytes)) < 0 ||
	    (r = get_uint(j, path, "device_channel_offset", false, 0, 0,
			  AES67D_DEVICE_MAX_CHANNELS - 1, &tx.device_channel_offset, err,
			  err_bytes)) < 0) {
		return r;
	}
	*out = tx;
	return 0;
}

static int get_rx_source(const json_t *j, const char *path, struct aes67d_rx_config *rx, char *err,
			 size_t err_bytes)
{
	static const char *const keys[] = {"address", "port", "encoding", "rate", "channels", NULL};
	char sub[PATH_BYTES];
	int r;

	snprintf(sub, sizeof(sub), "%s.source", path);
	if ((r = check_keys(j, sub, keys, err, err_bytes)) < 0 ||
	    (r = get_ipv4(j, sub, "address", &rx->source, err, err_bytes)) < 0 ||
	    (r = get_uint(j, sub, "port", true, 0, 1, 65535, &rx->port, err, err_bytes)) < 0 ||
	    (r = get_encoding(j, sub, &rx->encoding, err, err_bytes)) < 0 ||
	    (r = get_rate(j, sub, &rx->rate_hz, err, err_bytes)) < 0 ||
	    (r = get_uint(j, sub, "channels", true, 0, 1, AES67D_STREAM_MAX_CHANNELS, &rx->channels,
			  err, err_bytes)) < 0) {
		return r;
	}
	return 0;
}

int aes67d_config_rx_from_json(const json_t *j, const char *path, struct aes67d_rx_config *out,
			       char *err, size_t err_bytes)
{
	static const char *const keys[] = {"name",
					   "sdp",
					   "source",
					   "link_offset_frames",
					   "link_offset_us",
					   "device",
					   "device_channel_offset",
					   NULL};
	struct aes67d_rx_config rx;
	const json_t *sdp, *src;
	int r;

	memset(&rx, 0, sizeof(rx));
	if ((r = check_keys(j, path, keys, err, err_bytes)) < 0 ||
	    (r = get_name(j, path, "name", true, rx.name, err, err_bytes)) < 0) {
		return r;
	}
	sdp = json_object_get(j, "sdp");
	src = json_object_get(j, "source");
	if ((sdp == NULL) == (src == NULL)) {
		return aes67d_config_fail(
			-AES67_EMALFORMED, err, err_bytes,
			"%s: needs exactly one of \"sdp\" (SDP text) or \"source\" (address, "
			"port, encoding, rate, channels)",
			path);
	}
	if (sdp != NULL) {
		r = get_string(j, path, "sdp", true, rx.sdp, sizeof(rx.sdp), err, err_bytes);
		if (r < 0) {
			return r;
		}
		/* RFC 8866 §5: a session description starts with the v= line. */
		if (strncmp(rx.sdp, "v=0", 3) != 0) {
			return aes67d_config_fail(
				-AES67_EMALFORMED, err, err_bytes,
				"%s.sdp: does not start with \"v=0\" (RFC 8866 §5.1)", path);
		}
		rx.has_sdp = true;
	} else if ((r = get_rx_source(src, path, &rx, err, err_bytes)) < 0) {
		return r;
	}
	if (json_object_get(j, "link_offset_frames") != NULL &&
	    json_object_get(j, "link_offset_us") != NULL) {
		return aes67d_config_fail(-AES67_EMALFORMED, err, err_bytes,
					  "%s: give link_offset_frames or link_offset_us, not both",
					  path);
	}
	if (json_object_get(j, "link_offset_frames") != NULL) {
		rx.link_offset_in_frames = true;
		r = get_uint(j, path, "link_offset_frames", true, 0, 0, 192000,
			     &rx.link_offset_frames, err, err_bytes);
	} else {
		r = get_uint(j, path, "link_offset_us", false, AES67D_DEFAULT_LINK_OFFSET_US, 0,
			     AES67D_MAX_LINK_OFFSET_US, &rx.link_offset_us, err, err_bytes);
	}
	if (r < 0 || (r = get_name(j, path, "device", false, rx.device, err, err_bytes)) < 0 ||
	    (r = get_uint(j, path, "device_channel_offset", false, 0, 0,
			  AES67D_DEVICE_MAX_CHANNELS - 1, &rx.device_channel_offset, err,
			  err_bytes)) < 0) {
		return r;
	}
	*out = rx;
	return 0;
}

static int ptp_from_json(const json_t *j, struct aes67d_ptp_config *ptp, char *err,
			 size_t err_bytes)
{
	static const char *const keys[] = {"domain",	   "priority1", "priority2",
					   "slave_only",   "transport", "on_lock_change",
					   "timestamping", NULL};
	char transport[8], ts[16];
	int r;

	if ((r = check_keys(j, "ptp", keys, err, err_bytes)) < 0 ||
	    (r = get_uint(j, "ptp", "domain", false, 0, 0, 127, &ptp->domain, err, err_bytes)) <
		    0 ||
	    (r = get_uint(j, "ptp", "priority1", false, 128, 0, 255, &ptp->priority1, err,
			  err_bytes)) < 0 ||
	    (r = get_uint(j, "ptp", "priority2", false, 128, 0, 255, &ptp->priority2, err,
			  err_bytes)) < 0 ||
	    (r = get_bool(j, "ptp", "slave_only", false, &ptp->slave_only, err, err_bytes)) < 0 ||
	    (r = get_string(j, "ptp", "transport", false, transport, sizeof(transport), err,
			    err_bytes)) < 0) {
		return r;
	}
	if (transport[0] == '\0' || strcmp(transport, "udp4") == 0) {
		ptp->transport = AES67D_PTP_UDP4;
	} else if (strcmp(transport, "l2") == 0) {
		ptp->transport = AES67D_PTP_L2;
	} else {
		return aes67d_config_fail(-AES67_ERANGE, err, err_bytes,
					  "ptp.transport: \"%s\" is not \"udp4\" or \"l2\"",
					  transport);
	}
	if ((r = get_string(j, "ptp", "timestamping", false, ts, sizeof(ts), err, err_bytes)) < 0) {
		return r;
	}
	if (ts[0] == '\0' || strcmp(ts, "auto") == 0) {
		ptp->timestamping = AES67D_PTP_TSCFG_AUTO;
	} else if (strcmp(ts, "software") == 0) {
		ptp->timestamping = AES67D_PTP_TSCFG_SOFTWARE;
	} else if (strcmp(ts, "hardware") == 0) {
		ptp->timestamping = AES67D_PTP_TSCFG_HARDWARE;
	} else {
		return aes67d_config_fail(
			-AES67_ERANGE, err, err_bytes,
			"ptp.timestamping: \"%s\" is not \"auto\", \"software\" or \"hardware\"",
			ts);
	}
	if ((r = get_string(j, "ptp", "on_lock_change", false, ptp->on_lock_change,
			    sizeof(ptp->on_lock_change), err, err_bytes)) < 0) {
		return r;
	}
	if (ptp->on_lock_change[0] != '\0' && ptp->on_lock_change[0] != '/') {
		return aes67d_config_fail(-AES67_ERANGE, err, err_bytes,
					  "ptp.on_lock_change: \"%s\" is not an absolute path",
					  ptp->on_lock_change);
	}
	return 0;
}

static int device_from_json(const json_t *j, const char *path, struct aes67d_device_config *d,
			    char *err, size_t err_bytes)
{
	static const char *const keys[] = {"name", "playback_channels", "capture_channels",
					   "rate", "ptime_us",		NULL};
	int r;

	memset(d, 0, sizeof(*d));
	if ((r = check_keys(j, path, keys, err, err_bytes)) < 0 ||
	    (r = get_name(j, path, "name", true, d->name, err, err_bytes)) < 0 ||
	    (r = get_uint(j, path, "playback_channels", false, 0, 0, AES67D_DEVICE_MAX_CHANNELS,
			  &d->playback_channels, err, err_bytes)) < 0 ||
	    (r = get_uint(j, path, "capture_channels", false, 0, 0, AES67D_DEVICE_MAX_CHANNELS,
			  &d->capture_channels, err, err_bytes)) < 0 ||
	    (r = get_rate(j, path, &d->rate_hz, err, err_bytes)) < 0 ||
	    (r = get_ptime(j, path, &d->ptime_us, err, err_bytes)) < 0) {
		return r;
	}
	if (d->playback_channels == 0 && d->capture_channels == 0) {
		return aes67d_config_fail(-AES67_ERANGE, err, err_bytes,
					  "%s: needs playback_channels or capture_channels above 0",
					  path);
	}
	return 0;
}

/* Array member: absent is empty; otherwise at most max elements. */
static int get_array(const json_t *obj, const char *path, const char *key, size_t max,
		     const json_t **out, char *err, size_t err_bytes)
{
	const json_t *v = json_object_get(obj, key);

	*out = v;
	if (v == NULL) {
		return 0;
	}
	if (!json_is_array(v)) {
		return aes67d_config_fail(-AES67_EMALFORMED, err, err_bytes,
					  "%s%s%s: must be an array", path,
					  path[0] != '\0' ? "." : "", key);
	}
	if (json_array_size(v) > max) {
		return aes67d_config_fail(-AES67_ERANGE, err, err_bytes,
					  "%s%s%s: %zu entries is above the maximum of %zu", path,
					  path[0] != '\0' ? "." : "", key, json_array_size(v), max);
	}
	return 0;
}

static int engine_from_json(const json_t *j, struct aes67d_engine_config *eng, char *err,
			    size_t err_bytes)
{
	static const char *const keys[] = {"cpu_latency_us", NULL};
	int r;

	if ((r = check_keys(j, "engine", keys, err, err_bytes)) < 0) {
		return r;
	}
	eng->cpu_latency = json_object_get(j, "cpu_latency_us") != NULL;
	return get_uint(j, "engine", "cpu_latency_us", false, 0, 0, AES67D_CPU_LATENCY_MAX_US,
			&eng->cpu_latency_us, err, err_bytes);
}

int aes67d_config_from_json(const json_t *j, struct aes67d_config *out, char *err, size_t err_bytes)
{
	static const char *const keys[] = {"interface", "ptp",	   "engine",
					   "devices",	"streams", NULL};
	static const char *const stream_keys[] = {"tx", "rx", NULL};
	const json_t *arr, *streams, *v;
	char path[PATH_BYTES];
	size_t i;
	int r;

	aes67d_config_init(out);
	if (!json_is_object(j)) {
		return aes67d_config_fail(-AES67_EMALFORMED, err, err_bytes,
					  "(root): must be an object");
	}
	if ((r = check_keys(j, "(root)", keys, err, err_bytes)) < 0 ||
	    (r = get_string(j, "(root)", "interface", false, out->interface, sizeof(out->interface),
			    err, err_bytes)) < 0) {
		return r;
	}
	v = json_object_get(j, "ptp");
	if (v != NULL && (r = ptp_from_json(v, &out->ptp, err, err_bytes)) < 0) {
		return r;
	}
	v = json_object_get(j, "engine");
	if (v != NULL && (r = engine_from_json(v, &out->engine, err, err_bytes)) < 0) {
		return r;
	}
	if ((r = get_array(j, "", "devices", AES67D_MAX_DEVICES, &arr, err, err_bytes)) < 0) {
		return r;
	}
	json_array_foreach(arr, i, v)
	{
		snprintf(path, sizeof(path), "devices[%zu]", i);
		if ((r = device_from_json(v, path, &out->devices[i], err, err_bytes)) < 0) {
			return r;
		}
		out->n_devices = (uint32_t)i + 1;
	}
	streams = json_object_get(j, "streams");
	if (streams == NULL) {
		return 0;
	}
	if ((r = check_keys(streams, "streams", stream_keys, err, err_bytes)) < 0 ||
	    (r = get_array(streams, "streams", "tx", AES67D_MAX_STREAMS, &arr, err, err_bytes)) <
		    0) {
		return r;
	}
	json_array_foreach(arr, i, v)
	{
		snprintf(path, sizeof(path), "streams.tx[%zu]", i);
		if ((r = aes67d_config_tx_from_json(v, path, &out->tx[i], err, err_bytes)) < 0) {
			return r;
		}
		out->n_tx = (uint32_t)i + 1;
	}
	if ((r = get_array(streams, "streams", "rx", AES67D_MAX_STREAMS, &arr, err, err_bytes)) <
	    0) {
		return r;
	}
	json_array_foreach(arr, i, v)
	{
		snprintf(path, sizeof(path), "streams.rx[%zu]", i);
		if ((r = aes67d_config_rx_from_json(v, path, &out->rx[i], err, err_bytes)) < 0) {
			return r;
		}
		out->n_rx = (uint32_t)i + 1;
	}
	return 0;
}
