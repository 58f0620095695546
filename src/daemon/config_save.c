// SPDX-License-Identifier: MIT
/*
 * Writing the aes67d configuration: struct -> JSON (every field explicit, fixed key order, so a
 * load -> save -> load round trip is exact) and the atomic save.
 *
 * Atomic save, the classic sequence (see rename(2), fsync(2)): write a temp file in the target's
 * own directory (rename is atomic only within one file system), fsync it so its data is on disk
 * before its name is, rename it over the target, then fsync the directory so the rename itself
 * is durable. A crash anywhere leaves the old file or the new one, never a mix; at worst a stray
 * ".NAME.tmp.XXXXXX" file remains next to it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "aes67/error.h"
#include "config_json.h"

/* Adds v to obj under key, taking the reference; remembers failure in *ok. */
static void put(json_t *obj, const char *key, json_t *v, int *ok)
{
	if (v == NULL || json_object_set_new(obj, key, v) != 0) {
		*ok = 0;
	}
}

static json_t *addr_json(struct in_addr a)
{
	char text[INET_ADDRSTRLEN];

	if (inet_ntop(AF_INET, &a, text, sizeof(text)) == NULL) {
		return NULL;
	}
	return json_string(text);
}

static json_t *done(json_t *o, int ok)
{
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *aes67d_config_tx_to_json(const struct aes67d_tx_config *tx)
{
	json_t *o = json_object();
	int ok = o != NULL;

	if (!ok) {
		return NULL;
	}
	put(o, "name", json_string(tx->name), &ok);
	put(o, "destination", addr_json(tx->destination), &ok);
	put(o, "port", json_integer(tx->port), &ok);
	put(o, "ttl", json_integer(tx->ttl), &ok);
	put(o, "dscp", json_integer(tx->dscp), &ok);
	put(o, "encoding", json_string(aes67d_encoding_name(tx->encoding)), &ok);
	put(o, "rate", json_integer(tx->rate_hz), &ok);
	put(o, "channels", json_integer(tx->channels), &ok);
	put(o, "ptime_us", json_integer(tx->ptime_us), &ok);
	if (tx->device[0] != '\0') {
		put(o, "device", json_string(tx->device), &ok);
	}
	put(o, "device_channel_offset", json_integer(tx->device_channel_offset), &ok);
	return done(o, ok);
}

json_t *aes67d_config_rx_to_json(const struct aes67d_rx_config *rx)
{
	json_t *o = json_object();
	int ok = o != NULL;

	if (!ok) {
		return NULL;
	}
	put(o, "name", json_string(rx->name), &ok);
	if (rx->has_sdp) {
		put(o, "sdp", json_string(rx->sdp), &ok);
	} else {
		json_t *s = json_object();

		if (s != NULL) {
			int sok = 1;

			put(s, "address", addr_json(rx->source), &sok);
			put(s, "port", json_integer(rx->port), &sok);
			put(s, "encoding", json_string(aes67d_encoding_name(rx->encoding)), &sok);
			put(s, "rate", json_integer(rx->rate_hz), &sok);
			put(s, "channels", json_integer(rx->channels), &sok);
			s = done(s, sok);
		}
		put(o, "source", s, &ok);
	}
	if (rx->link_offset_in_frames) {
		put(o, "link_offset_frames", json_integer(rx->link_offset_frames), &ok);
	} else {
		put(o, "link_offset_us", json_integer(rx->link_offset_us), &ok);
	}
	if (rx->device[0] != '\0') {
		put(o, "device", json_string(rx->device), &ok);
	}
	put(o, "device_channel_offset", json_integer(rx->device_channel_offset), &ok);
	return done(o, ok);
}

static json_t *ptp_json(const struct aes67d_ptp_config *p)
{
	json_t *o = json_object();
	int ok = o != NULL;

	if (!ok) {
		return NULL;
	}
	put(o, "domain", json_integer(p->domain), &ok);
	put(o, "priority1", json_integer(p->priority1), &ok);
	put(o, "priority2", json_integer(p->priority2), &ok);
	put(o, "slave_only", json_boolean(p->slave_only), &ok);
	put(o, "transport", json_string(p->transport == AES67D_PTP_L2 ? "l2" : "udp4"), &ok);
	if (p->timestamping != AES67D_PTP_TSCFG_AUTO) {
		put(o, "timestamping",
		    json_string(p->timestamping == AES67D_PTP_TSCFG_HARDWARE ? "hardware"
									     : "software"),
		    &ok);
	}
	if (p->on_lock_change[0] != '\0') {
		put(o, "on_lock_change", json_string(p->on_lock_change), &ok);
	}
	return done(o, ok);
}

static json_t *device_json(const struct aes67d_device_config *d)
{
	json_t *o = json_object();
	int ok = o != NULL;

	if (!ok) {
		return NULL;
	}
	put(o, "name", json_string(d->name), &ok);
	put(o, "playback_channels", json_integer(d->playback_channels), &ok);
	put(o, "capture_channels", json_integer(d->capture_channels), &ok);
	put(o, "rate", json_integer(d->rate_hz), &ok);
	put(o, "ptime_us", json_integer(d->ptime_us), &ok);
	return done(o, ok);
}

json_t *aes67d_config_to_json(const struct aes67d_config *c)
{
	json_t *o = json_object(), *devs = json_array(), *streams = json_object();
	json_t *tx = json_array(), *rx = json_array();
	int ok = o != NULL && devs != NULL && streams != NULL && tx != NULL && rx != NULL;

	for (uint32_t i = 0; ok && i < c->n_devices; i++) {
		json_t *d = device_json(&c->devices[i]);

		ok = d != NULL && json_array_append_new(devs, d) == 0;
	}
	for (uint32_t i = 0; ok && i < c->n_tx; i++) {
		json_t *s = aes67d_config_tx_to_json(&c->tx[i]);

		ok = s != NULL && json_array_append_new(tx, s) == 0;
	}
	for (uint32_t i = 0; ok && i < c->n_rx; i++) {
		json_t *s = aes67d_config_rx_to_json(&c->rx[i]);

		ok = s != NULL && json_array_append_new(rx, s) == 0;
	}
	if (!ok) {
		json_decref(o);
		json_decref(devs);
		json_decref(streams);
		json_decref(tx);
		json_decref(rx);
		return NULL;
	}
	if (c->interface[0] != '\0') {
		put(o, "interface", json_string(c->interface), &ok);
	}
	put(o, "ptp", ptp_json(&c->ptp), &ok);
	if (c->engine.cpu_latency) {
		json_t *eng = json_object();

		put(eng, "cpu_latency_us", json_integer(c->engine.cpu_latency_us), &ok);
		put(o, "engine", eng, &ok);
	}
	put(o, "devices", devs, &ok);
	put(streams, "tx", tx, &ok);
	put(streams, "rx", rx, &ok);
	put(o, "streams", streams, &ok);
	return done(o, ok);
}

char *aes67d_config_dump(const struct aes67d_config *c)
{
	json_t *j = aes67d_config_to_json(c);
	char *text;

	if (j == NULL) {
		return NULL;
	}
	text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	return text;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Splits path into its directory and base name (copies; dirname/basename may modify). */
static int split_path(const char *path, char *dir, char *base, size_t bytes)
{
	char a[4096], b[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(a) || len >= bytes) {
		return -ENAMETOOLONG;
	}
	memcpy(a, path, len + 1);
	memcpy(b, path, len + 1);
	snprintf(dir, bytes, "%s", dirname(a));
	snprintf(base, bytes, "%s", basename(b));
	return 0;
}

int aes67d_config_save(const struct aes67d_config *c, const char *path, char *err, size_t err_bytes)
{
	char dir[4096], base[4096], tmp[2 * 4096 + 32];
	char *text;
	int fd, dfd, r;

	r = split_path(path, dir, base, sizeof(dir));
	if (r < 0) {
		snprintf(err, err_bytes, "%s: path too long", path);
		return r;
	}
	text = aes67d_config_dump(c);
	if (text == NULL) {
		snprintf(err, err_bytes, "out of memory");
		return -ENOMEM;
	}
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.XXXXXX", dir, base);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, err_bytes, "%s: cannot create temp file: %s", tmp, aes67_strerror(r));
		goto out_free;
	}
	if (fchmod(fd, 0600) != 0 || (r = write_all(fd, text, strlen(text))) < 0 ||
	    (r = write_all(fd, "\n", 1)) < 0 || fsync(fd) != 0) {
		r = r < 0 ? r : -errno;
		snprintf(err, err_bytes, "%s: cannot write: %s", tmp, aes67_strerror(r));
		goto out_unlink;
	}
	if (close(fd) != 0) {
		fd = -1;
		r = -errno;
		snprintf(err, err_bytes, "%s: cannot close: %s", tmp, aes67_strerror(r));
		goto out_unlink;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		r = -errno;
		snprintf(err, err_bytes, "cannot rename %s to %s: %s", tmp, path,
			 aes67_strerror(r));
		goto out_unlink;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		/* The new file is in place; only its durability across a power cut is unsure. */
		r = -errno;
		snprintf(err, err_bytes, "%s: cannot sync directory: %s", dir, aes67_strerror(r));
		if (dfd >= 0) {
			close(dfd);
		}
		goto out_free;
	}
	close(dfd);
	free(text);
	return 0;

out_unlink:
	if (fd >= 0) {
		close(fd);
	}
	unlink(tmp);
out_free:
	free(text);
	return r;
}
