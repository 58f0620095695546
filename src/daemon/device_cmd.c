// SPDX-License-Identifier: MIT
/*
 * Control commands of the devices:
 *   device.list  every device with its geometry, ring positions, playback owner and counters;
 *   device.dump  {"device":NAME, "direction":"playback"|"capture", "frames":N,
 *                 "position":P (optional; default: the N frames that end at write_pos)}
 *                returns the samples (int32, interleaved) as numbers: a debugging and test aid
 *                (tests/integration/test_alsa_local.sh checks aplay's data bit-exactly with it).
 * Both run on the control thread and only read the rings (aes67_ring_read is multi-reader safe).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aes67/error.h"
#include "daemon.h"
#include "device_impl.h"

#define DUMP_MAX_SAMPLES (1u << 20)

static json_t *dir_json(const struct aes67_ring_dir *dir)
{
	return json_pack("{s:i, s:I, s:I}", "channels", (int)dir->channels, "write_pos",
			 (json_int_t)aes67_ring_write_pos(dir), "read_pos",
			 (json_int_t)aes67_ring_read_pos(dir));
}

static int cmd_list(void *user, const json_t *req, json_t *resp, char *err, size_t err_bytes)
{
	struct aes67d *d = user;
	json_t *arr = json_array();
	struct aes67_clock_values cv;

	if (arr == NULL) {
		return -ENOMEM;
	}
	for (uint32_t i = 0; d->devices != NULL && i < aes67d_devices_count(d->devices); i++) {
		struct aes67d_device *dev = aes67d_devices_at(d->devices, i);
		const struct aes67_ring *ring = aes67d_device_ring(dev);
		uint64_t pos = 0;
		json_t *o;

		if (aes67_clock_page_read(ring->clock, &cv) != 0 ||
		    aes67_clock_page_mono_to_frame(&cv, aes67d_dev_mono_raw_ns(), &pos) != 0) {
			pos = 0; /* not published yet: reported as position 0 */
		}
		o = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:o, s:o}",
			      "name", dev->cfg.name, "playback_channels",
			      (int)dev->cfg.playback_channels, "capture_channels",
			      (int)dev->cfg.capture_channels, "rate", (int)dev->cfg.rate_hz,
			      "ptime_us", (int)dev->cfg.ptime_us, "capacity_frames",
			      (int)ring->header->capacity_frames, "position", (json_int_t)pos,
			      "playback_owner", (json_int_t)atomic_load(&ring->header->play_owner),
			      "opens", (json_int_t)atomic_load(&dev->opens), "reclaims",
			      (json_int_t)atomic_load(&dev->reclaims), "playback",
			      dir_json(&ring->play), "capture", dir_json(&ring->capture));
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return -ENOMEM;
		}
	}
	if (json_object_set_new(resp, "devices", arr) != 0) {
		return -ENOMEM;
	}
	if (d->devices != NULL) {
		json_object_set_new(resp, "socket", json_string(d->devices->path));
		json_object_set_new(resp, "refused",
				    json_integer((json_int_t)atomic_load(&d->devices->refused)));
	}
	return 0;
}

static int cmd_dump(void *user, const json_t *req, json_t *resp, char *err, size_t err_bytes)
{
	struct aes67d *d = user;
	const json_t *jname = json_object_get(req, "device");
	const json_t *jdir = json_object_get(req, "direction");
	const json_t *jn = json_object_get(req, "frames");
	const json_t *jpos = json_object_get(req, "position");
	const struct aes67_ring_dir *dir;
	struct aes67d_device *dev;
	struct aes67_ring_read_stats st;
	int32_t *buf;
	json_t *arr;
	uint64_t pos, wp;
	json_int_t n;
	size_t samples;
	int r;

	dev = aes67d_device_find(d, json_is_string(jname) ? json_string_value(jname) : NULL);
	if (dev == NULL) {
		snprintf(err, err_bytes, "no such device");
		return -AES67_ENOTFOUND;
	}
	if (!json_is_string(jdir) || (strcmp(json_string_value(jdir), "playback") != 0 &&
				      strcmp(json_string_value(jdir), "capture") != 0)) {
		snprintf(err, err_bytes, "direction: must be \"playback\" or \"capture\"");
		return -EINVAL;
	}
	dir = strcmp(json_string_value(jdir), "playback") == 0 ? &dev->ring.play
							       : &dev->ring.capture;
	n = json_is_integer(jn) ? json_integer_value(jn) : 0;
	if (dir->channels == 0 || n < 1 || n > dir->capacity_frames ||
	    (size_t)n * dir->channels > DUMP_MAX_SAMPLES) {
		snprintf(err, err_bytes, "frames: 1..%u (and a direction with channels)",
			 dir->capacity_frames);
		return -AES67_ERANGE;
	}
	wp = aes67_ring_write_pos(dir);
	if (jpos != NULL) {
		if (!json_is_integer(jpos) || json_integer_value(jpos) < 0) {
			snprintf(err, err_bytes, "position: must be an integer >= 0");
			return -EINVAL;
		}
		pos = (uint64_t)json_integer_value(jpos);
	} else {
		pos = wp > (uint64_t)n ? wp - (uint64_t)n : 0;
	}
	samples = (size_t)n * dir->channels;
	buf = malloc(samples * sizeof(*buf));
	arr = json_array();
	if (buf == NULL || arr == NULL) {
		free(buf);
		json_decref(arr);
		return -ENOMEM;
	}
	r = aes67_ring_read(dir, pos, buf, (uint32_t)n, &st);
	for (size_t i = 0; i < samples; i++) {
		json_array_append_new(arr, json_integer(buf[i]));
	}
	free(buf);
	json_object_set_new(resp, "position", json_integer((json_int_t)pos));
	json_object_set_new(resp, "write_pos", json_integer((json_int_t)wp));
	json_object_set_new(resp, "channels", json_integer(dir->channels));
	json_object_set_new(resp, "valid_frames", json_integer(st.valid_frames));
	json_object_set_new(resp, "missing_frames", json_integer(st.missing_frames));
	json_object_set_new(resp, "lapped_frames", json_integer(st.lapped_frames));
	json_object_set_new(resp, "read_result", json_integer(r));
	return json_object_set_new(resp, "samples", arr) == 0 ? 0 : -ENOMEM;
}

int aes67d_device_commands_register(struct aes67d_control *ctl, struct aes67d *d)
{
	const struct aes67d_control_cmd list = {.name = "device.list", .fn = cmd_list, .user = d};
	const struct aes67d_control_cmd dump = {.name = "device.dump", .fn = cmd_dump, .user = d};
	int r = aes67d_control_register(ctl, &list);

	return r < 0 ? r : aes67d_control_register(ctl, &dump);
}
