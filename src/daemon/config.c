// SPDX-License-Identifier: MIT
/*
 * aes67d configuration: defaults, cross-field validation and loading (see config.h). The JSON
 * field readers are in config_json.c, writing and atomic saving in config_save.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "aes67/error.h"
#include "config_json.h"

#define CONFIG_MAX_FILE_BYTES (1024 * 1024)

void aes67d_config_init(struct aes67d_config *c)
{
	memset(c, 0, sizeof(*c));
	c->ptp.domain = 0;
	c->ptp.priority1 = 128;
	c->ptp.priority2 = 128;
	c->ptp.slave_only = false;
	c->ptp.transport = AES67D_PTP_UDP4;
	c->ptp.timestamping = AES67D_PTP_TSCFG_AUTO;
}

const char *aes67d_encoding_name(enum aes67d_encoding e)
{
	switch (e) {
	case AES67D_ENC_L16:
		return "L16";
	case AES67D_ENC_L24:
		return "L24";
	case AES67D_ENC_L32:
		return "L32";
	case AES67D_ENC_AM824:
		return "AM824";
	}
	return "?";
}

unsigned aes67d_encoding_bytes(enum aes67d_encoding e)
{
	switch (e) {
	case AES67D_ENC_L16:
		return 2;
	case AES67D_ENC_L24:
		return 3;
	case AES67D_ENC_L32:
	case AES67D_ENC_AM824:
		return 4;
	}
	return 0;
}

bool aes67d_rate_supported(uint32_t rate_hz)
{
	/* AES67-2018 §7.1 requires 48 kHz and recommends 96 and 44.1 kHz; ST 2110-30 adds the
	 * higher multiples. Both families are accepted; a stream's rate must equal its device's
	 * (the engine does not resample). */
	static const uint32_t rates[] = {44100, 48000, 88200, 96000, 176400, 192000};

	for (size_t i = 0; i < AES67_ARRAY_SIZE(rates); i++) {
		if (rates[i] == rate_hz) {
			return true;
		}
	}
	return false;
}

uint32_t aes67d_frames_per_packet(uint32_t rate_hz, uint32_t ptime_us)
{
	/* round(ptime x rate), 333 us being 1/3 ms (AES67-2018 §7.2): the same rule as the
	 * engine's aes67d_ptime_frames() and the SDP side's aes67_sdp_media_frames_per_packet(),
	 * so what we send is what a receiver of our SDP expects (44.1 kHz, 1 ms: 44 frames). */
	uint64_t ns = ptime_us == 333 ? 333333u : (uint64_t)ptime_us * 1000u;

	return (uint32_t)((ns * rate_hz + 500000000u) / 1000000000u);
}

static const struct aes67d_device_config *find_device(const struct aes67d_config *c,
						      const char *name)
{
	for (uint32_t i = 0; i < c->n_devices; i++) {
		if (strcmp(c->devices[i].name, name) == 0) {
			return &c->devices[i];
		}
	}
	return NULL;
}

/* Stream -> device checks shared by both directions. */
static int check_stream_device(const struct aes67d_config *c, const char *path, const char *dev,
			       uint32_t offset, uint32_t channels, bool playback, char *err,
			       size_t err_bytes)
{
	const struct aes67d_device_config *d;
	uint32_t have;

	if (dev[0] == '\0') {
		if (c->n_devices == 0) {
			return aes67d_config_fail(
				-AES67_ENOTFOUND, err, err_bytes,
				"%s.device: no device to attach to (devices is empty)", path);
		}
		d = &c->devices[0];
	} else {
		d = find_device(c, dev);
		if (d == NULL) {
			return aes67d_config_fail(-AES67_ENOTFOUND, err, err_bytes,
						  "%s.device: no device named \"%s\"", path, dev);
		}
	}
	have = playback ? d->playback_channels : d->capture_channels;
	if (offset + channels > have) {
		return aes67d_config_fail(
			-AES67_ERANGE, err, err_bytes,
			"%s.device_channel_offset: channels %u..%u do not exist: device \"%s\" "
			"has %u %s channels",
			path, offset, offset + channels - 1, d->name, have,
			playback ? "playback" : "capture");
	}
	return 0;
}

static int check_packet(const char *path, enum aes67d_encoding enc, uint32_t rate_hz,
			uint32_t channels, uint32_t ptime_us, char *err, size_t err_bytes)
{
	uint32_t frames = aes67d_frames_per_packet(rate_hz, ptime_us);
	uint64_t bytes = (uint64_t)frames * channels * aes67d_encoding_bytes(enc);

	if (frames == 0) {
		return aes67d_config_fail(-AES67_ERANGE, err, err_bytes,
					  "%s.ptime_us: %u us at %u Hz is less than one frame",
					  path, ptime_us, rate_hz);
	}
	if (bytes > AES67D_MAX_PAYLOAD_BYTES) {
		return aes67d_config_fail(
			-AES67_ERANGE, err, err_bytes,
			"%s: %u channels of %s at %u Hz, ptime %u us make a %llu-byte payload, "
			"above the maximum of %u (use fewer channels or a shorter ptime)",
			path, channels, aes67d_encoding_name(enc), rate_hz, ptime_us,
			(unsigned long long)bytes, AES67D_MAX_PAYLOAD_BYTES);
	}
	return 0;
}

int aes67d_config_validate(const struct aes67d_config *c, char *err, size_t err_bytes)
{
	char path[64];
	int r;

	for (uint32_t i = 0; i < c->n_devices; i++) {
		for (uint32_t k = 0; k < i; k++) {
			if (strcmp(c->devices[i].name, c->devices[k].name) == 0) {
				return aes67d_config_fail(
					-EEXIST, err, err_bytes,
					"devices[%u].name: \"%s\" is already used by "
					"devices[%u]",
					i, c->devices[i].name, k);
			}
		}
	}
	for (uint32_t i = 0; i < c->n_tx; i++) {
		const struct aes67d_tx_config *tx = &c->tx[i];

		snprintf(path, sizeof(path), "streams.tx[%u]", i);
		for (uint32_t k = 0; k < i; k++) {
			if (strcmp(tx->name, c->tx[k].name) == 0) {
				return aes67d_config_fail(
					-EEXIST, err, err_bytes,
					"%s.name: \"%s\" is already used by streams.tx[%u]", path,
					tx->name, k);
			}
		}
		if ((r = check_packet(path, tx->encoding, tx->rate_hz, tx->channels, tx->ptime_us,
				      err, err_bytes)) < 0 ||
		    (r = check_stream_device(c, path, tx->device, tx->device_channel_offset,
					     tx->channels, true, err, err_bytes)) < 0) {
			return r;
		}
	}
	for (uint32_t i = 0; i < c->n_rx; i++) {
		const struct aes67d_rx_config *rx = &c->rx[i];

		snprintf(path, sizeof(path), "streams.rx[%u]", i);
		for (uint32_t k = 0; k < i; k++) {
			if (strcmp(rx->name, c->rx[k].name) == 0) {
				return aes67d_config_fail(
					-EEXIST, err, err_bytes,
					"%s.name: \"%s\" is already used by streams.rx[%u]", path,
					rx->name, k);
			}
		}
		/* With SDP text the channel count is only known once the SDP is parsed; the
		 * engine checks the fit then. */
		if (rx->has_sdp) {
			continue;
		}
		if ((r = check_stream_device(c, path, rx->device, rx->device_channel_offset,
					     rx->channels, false, err, err_bytes)) < 0) {
			return r;
		}
	}
	return 0;
}

int aes67d_config_parse(struct aes67d_config *out, const char *text, size_t len, char *err,
			size_t err_bytes)
{
	struct aes67d_config *scratch;
	json_error_t jerr;
	json_t *root;
	int r;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		return aes67d_config_fail(-AES67_EMALFORMED, err, err_bytes,
					  "line %d, column %d: %s", jerr.line, jerr.column,
					  jerr.text);
	}
	scratch = malloc(sizeof(*scratch));
	if (scratch == NULL) {
		json_decref(root);
		return aes67d_config_fail(-ENOMEM, err, err_bytes, "out of memory");
	}
	r = aes67d_config_from_json(root, scratch, err, err_bytes);
	json_decref(root);
	if (r == 0) {
		r = aes67d_config_validate(scratch, err, err_bytes);
	}
	if (r == 0) {
		memcpy(out, scratch, sizeof(*out));
	}
	free(scratch);
	return r;
}

int aes67d_config_load(struct aes67d_config *out, const char *path, char *err, size_t err_bytes)
{
	struct stat st;
	char *text;
	size_t got = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		return aes67d_config_fail(r, err, err_bytes, "%s: cannot open: %s", path,
					  aes67_strerror(r));
	}
	if (fstat(fd, &st) != 0) {
		r = -errno;
		close(fd);
		return aes67d_config_fail(r, err, err_bytes, "%s: cannot stat: %s", path,
					  aes67_strerror(r));
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX_FILE_BYTES) {
		close(fd);
		return aes67d_config_fail(-EFBIG, err, err_bytes,
					  "%s: not a regular file of at most %d bytes", path,
					  CONFIG_MAX_FILE_BYTES);
	}
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL) {
		close(fd);
		return aes67d_config_fail(-ENOMEM, err, err_bytes, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	r = aes67d_config_parse(out, text, got, err, err_bytes);
	free(text);
	return r;
}
