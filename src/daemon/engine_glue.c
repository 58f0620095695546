// SPDX-License-Identifier: MIT
/*
 * The engine glue (engine_glue.h): the daemon's one streaming engine, its devices, the streams
 * of the configuration and what the control commands and the SAP announcer ask about them.
 *
 * The glue keeps a small table per direction with one entry per configured stream: running
 * (the engine has it) or failed (with the reason the engine, the SDP or the device gave). The
 * engine's own control functions are not thread-safe; the glue's mutex serialises the control
 * thread and the SAP thread around them. The RT threads are never blocked by it: they only see
 * the engine's command queues.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aes67/error.h"
#include "daemon.h"
#include "device.h"
#include "engine.h"
#include "engine_glue.h"
#include "log.h"
#include "stream_sdp.h"

#define NTP_UNIX_OFFSET_S 2208988800u /* 1900-01-01 to 1970-01-01 (RFC 8866 §5.2 o= ids) */

struct glue_entry {
	bool used;
	bool running; /* the engine has it; else error[] says why not */
	char name[AES67D_NAME_BYTES];
	char error[AES67D_ERR_BYTES];
	struct aes67d_tx_params tp; /* TX: what the SDP describes */
	struct aes67d_glue_sdp sdp; /* TX: the announced description's o= state */
};

struct aes67d_glue {
	pthread_mutex_t lock;
	struct aes67d *d;
	struct aes67d_engine *engine; /* NULL: not running (engine_error says why) */
	char engine_error[AES67D_ERR_BYTES];
	struct aes67d_device *devs[AES67D_ENGINE_MAX_DEVICES]; /* engine index -> device */
	uint32_t n_devs;
	struct glue_entry tx[AES67D_MAX_STREAMS];
	struct glue_entry rx[AES67D_MAX_STREAMS];
	char sdp[AES67D_SDP_BYTES]; /* scratch for announce_list */
};

static struct glue_entry *entry_find(struct aes67d_glue *g, bool tx, const char *name)
{
	struct glue_entry *t = tx ? g->tx : g->rx;

	for (size_t i = 0; i < AES67D_MAX_STREAMS; i++) {
		if (t[i].used && strcmp(t[i].name, name) == 0) {
			return &t[i];
		}
	}
	return NULL;
}

static struct glue_entry *entry_get(struct aes67d_glue *g, bool tx, const char *name)
{
	struct glue_entry *e = entry_find(g, tx, name), *t = tx ? g->tx : g->rx;

	for (size_t i = 0; e == NULL && i < AES67D_MAX_STREAMS; i++) {
		if (!t[i].used) {
			e = &t[i];
			memset(e, 0, sizeof(*e));
			e->used = true;
			snprintf(e->name, sizeof(e->name), "%s", name);
		}
	}
	return e;
}

/* Engine index of the device a stream names ("" = the first), or -1. */
static int device_index(struct aes67d_glue *g, const char *name)
{
	struct aes67d_device *dev = aes67d_device_find(g->d, name);

	for (uint32_t i = 0; dev != NULL && i < g->n_devs; i++) {
		if (g->devs[i] == dev) {
			return (int)i;
		}
	}
	return -1;
}

static int start_locked(struct aes67d_glue *g, const struct aes67d_config *cfg, bool tx,
			const char *name, char *err, size_t err_bytes)
{
	const struct aes67d_tx_config *tc = NULL;
	const struct aes67d_rx_config *rc = NULL;
	struct glue_entry *e;
	int dev, r;

	for (uint32_t i = 0; tx && i < cfg->n_tx; i++) {
		tc = strcmp(cfg->tx[i].name, name) == 0 ? &cfg->tx[i] : tc;
	}
	for (uint32_t i = 0; !tx && i < cfg->n_rx; i++) {
		rc = strcmp(cfg->rx[i].name, name) == 0 ? &cfg->rx[i] : rc;
	}
	if (tc == NULL && rc == NULL) {
		snprintf(err, err_bytes, "no %s stream named \"%.64s\" in the configuration",
			 tx ? "tx" : "rx", name);
		return -AES67_ENOTFOUND;
	}
	e = entry_get(g, tx, name);
	if (e == NULL) {
		snprintf(err, err_bytes, "already %d streams, the maximum", AES67D_MAX_STREAMS);
		return -AES67_ENOSPACE;
	}
	if (e->running) {
		snprintf(err, err_bytes, "\"%.64s\" is running already", name);
		return -EEXIST;
	}
	if (g->engine == NULL) {
		snprintf(err, err_bytes, "the engine is not running: %s", g->engine_error);
		r = -ENETDOWN;
		goto fail;
	}
	dev = device_index(g, tx ? tc->device : rc->device);
	if (dev < 0) {
		snprintf(err, err_bytes, "device \"%s\" is not running in this daemon",
			 tx ? tc->device : rc->device);
		r = -AES67_ENOTFOUND;
		goto fail;
	}
	if (tx) {
		r = aes67d_glue_tx_params(tc, &e->tp, err, err_bytes);
		if (r == 0) {
			r = aes67d_engine_tx_add(g->engine, &e->tp, dev, NULL, err, err_bytes);
		}
		memset(&e->sdp, 0, sizeof(e->sdp));
		e->sdp.sess_id = (uint64_t)time(NULL) + NTP_UNIX_OFFSET_S;
		e->sdp.version = 1;
	} else {
		struct aes67d_rx_params rp;

		r = aes67d_glue_rx_params(rc, aes67d_device_config(g->devs[dev])->ptime_us, &rp,
					  err, err_bytes);
		if (r == 0) {
			r = aes67d_engine_rx_add(g->engine, &rp, dev, NULL, err, err_bytes);
		}
	}
	if (r < 0) {
		goto fail;
	}
	e->running = true;
	e->error[0] = '\0';
	return 0;
fail:
	snprintf(e->error, sizeof(e->error), "%s", err);
	return r;
}

int aes67d_glue_stream_start(struct aes67d *d, const struct aes67d_config *cfg, bool tx,
			     const char *name, char *err, size_t err_bytes)
{
	struct aes67d_glue *g = d->glue;
	int r;

	if (g == NULL) {
		snprintf(err, err_bytes, "the engine is not set up");
		return -ENETDOWN;
	}
	pthread_mutex_lock(&g->lock);
	r = start_locked(g, cfg, tx, name, err, err_bytes);
	pthread_mutex_unlock(&g->lock);
	if (r == 0) {
		aes67d_log(AES67D_LOG_NOTICE, "%s stream \"%s\" started", tx ? "tx" : "rx", name);
	}
	return r;
}

int aes67d_glue_stream_stop(struct aes67d *d, bool tx, const char *name)
{
	struct aes67d_glue *g = d->glue;
	struct glue_entry *e;
	int r = 0;

	if (g == NULL) {
		return 0;
	}
	pthread_mutex_lock(&g->lock);
	e = entry_find(g, tx, name);
	if (e != NULL && e->running && g->engine != NULL) {
		r = aes67d_engine_remove(g->engine, tx, name);
		r = r == -AES67_ENOTFOUND ? 0 : r;
	}
	if (e != NULL && r == 0) {
		memset(e, 0, sizeof(*e));
	}
	pthread_mutex_unlock(&g->lock);
	if (r == 0 && e != NULL) {
		aes67d_log(AES67D_LOG_NOTICE, "%s stream \"%s\" stopped", tx ? "tx" : "rx", name);
	}
	return r;
}

/* d->links.announce_list: every running TX stream's SDP (SAP thread). */
static int announce_list(struct aes67d *d, struct aes67d_announce_item *items, size_t max)
{
	struct aes67d_glue *g = d->glue;
	size_t n = 0;

	if (g == NULL) {
		return 0;
	}
	pthread_mutex_lock(&g->lock);
	for (size_t i = 0; g->engine != NULL && i < AES67D_MAX_STREAMS && n < max; i++) {
		struct glue_entry *e = &g->tx[i];
		const struct aes67d_net_if *nif = aes67d_engine_interface(g->engine);
		int len;

		if (!e->used || !e->running) {
			continue;
		}
		/* The stream follows the media clock's grandmaster (docs/ptp.md). */
		len = aes67d_glue_tx_sdp(&e->sdp, &e->tp, nif,
					 __atomic_load_n(&d->clock, __ATOMIC_ACQUIRE), g->sdp,
					 sizeof(g->sdp));
		if (len < 0 || (size_t)len >= sizeof(items[n].sdp)) {
			continue;
		}
		snprintf(items[n].name, sizeof(items[n].name), "%s", e->name);
		items[n].version = e->sdp.version;
		memcpy(items[n].sdp, g->sdp, (size_t)len);
		items[n].sdp[len] = '\0';
		items[n].sdp_bytes = (size_t)len;
		n++;
	}
	pthread_mutex_unlock(&g->lock);
	return (int)n;
}

static int cmd_stream_stats(void *user, const json_t *req, json_t *resp, char *err,
			    size_t err_bytes)
{
	struct aes67d *d = user;
	const json_t *jn = json_object_get(req, "name");

	if (jn != NULL && !json_is_string(jn)) {
		snprintf(err, err_bytes, "name: must be a string (a stream's name)");
		return -AES67_EMALFORMED;
	}
	return aes67d_glue_stats(d, json_string_value(jn), resp, err, err_bytes);
}

int aes67d_glue_create(struct aes67d *d)
{
	const struct aes67d_control_cmd cmd = {"stream.stats", cmd_stream_stats, d};
	struct aes67d_glue *g = calloc(1, sizeof(*g));
	int r;

	if (g == NULL) {
		return -ENOMEM;
	}
	if ((r = -pthread_mutex_init(&g->lock, NULL)) < 0) {
		free(g);
		return r;
	}
	g->d = d;
	snprintf(g->engine_error, sizeof(g->engine_error), "not started yet");
	d->glue = g;
	d->links.announce_list = announce_list;
	return aes67d_control_register(d->control, &cmd);
}

void aes67d_glue_start(struct aes67d *d)
{
	struct aes67d_glue *g = d->glue;
	struct aes67d_engine_params ep = {.realtime = true};
	char err[AES67D_ERR_BYTES];
	int r;

	if (g == NULL) {
		return;
	}
	ep.clock = __atomic_load_n(&d->clock, __ATOMIC_ACQUIRE);
	ep.ifname = d->config.interface;
	ep.cpu_latency = d->config.engine.cpu_latency;
	ep.cpu_latency_us = d->config.engine.cpu_latency_us;
	pthread_mutex_lock(&g->lock);
	r = aes67d_engine_create(&g->engine, &ep, err, sizeof(err));
	if (r < 0) {
		g->engine = NULL;
		snprintf(g->engine_error, sizeof(g->engine_error), "%s", err);
		aes67d_log(AES67D_LOG_ERR, "engine: %s; no stream will run", err);
	} else {
		g->engine_error[0] = '\0';
	}
	for (uint32_t i = 0; g->engine != NULL && d->devices != NULL &&
			     i < aes67d_devices_count(d->devices) && i < AES67D_ENGINE_MAX_DEVICES;
	     i++) {
		struct aes67d_device *dev = aes67d_devices_at(d->devices, i);
		const char *name = aes67d_device_config(dev)->name;

		r = aes67d_engine_device_add(g->engine, name, aes67d_device_ring(dev));
		if (r < 0) {
			aes67d_log(AES67D_LOG_ERR, "engine: device \"%s\": %s", name,
				   aes67_strerror(r));
			continue;
		}
		g->devs[r] = dev;
		g->n_devs = (uint32_t)r + 1;
	}
	for (int dir = 1; dir >= 0; dir--) {
		uint32_t n = dir ? d->config.n_tx : d->config.n_rx;

		for (uint32_t i = 0; i < n; i++) {
			const char *name = dir ? d->config.tx[i].name : d->config.rx[i].name;

			if (start_locked(g, &d->config, dir, name, err, sizeof(err)) < 0) {
				aes67d_log(AES67D_LOG_ERR, "%s stream \"%s\" not started: %s",
					   dir ? "tx" : "rx", name, err);
			} else {
				aes67d_log(AES67D_LOG_NOTICE, "%s stream \"%s\" started",
					   dir ? "tx" : "rx", name);
			}
		}
	}
	pthread_mutex_unlock(&g->lock);
}

void aes67d_glue_stop(struct aes67d *d)
{
	struct aes67d_glue *g = d->glue;

	if (g == NULL) {
		return;
	}
	pthread_mutex_lock(&g->lock);
	d->links.announce_list = NULL;
	aes67d_engine_destroy(g->engine);
	g->engine = NULL;
	snprintf(g->engine_error, sizeof(g->engine_error), "the daemon is stopping");
	for (size_t i = 0; i < AES67D_MAX_STREAMS; i++) {
		if (g->tx[i].running) {
			g->tx[i].running = false;
			snprintf(g->tx[i].error, sizeof(g->tx[i].error), "stopped");
		}
		if (g->rx[i].running) {
			g->rx[i].running = false;
			snprintf(g->rx[i].error, sizeof(g->rx[i].error), "stopped");
		}
	}
	pthread_mutex_unlock(&g->lock);
}

void aes67d_glue_free(struct aes67d *d)
{
	struct aes67d_glue *g = d->glue;

	if (g == NULL) {
		return;
	}
	aes67d_glue_stop(d);
	d->glue = NULL;
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static const char *state_name(const struct glue_entry *e, int engine_state)
{
	if (!e->running) {
		return "failed";
	}
	switch (engine_state) {
	case AES67D_STREAM_NEW:
		return "starting";
	case AES67D_STREAM_ACTIVE:
		return "running";
	case AES67D_STREAM_FINISHED:
		return "finished";
	default:
		return "stopped";
	}
}

/* One stream's stats object: name, state, error or counters. */
/* status.engine.cpu_latency_us (the limit held) or cpu_latency_error (why a request failed). */
static void engine_cpu_latency_json(json_t *eng, const struct aes67d_engine *e)
{
	uint32_t us = 0;
	int r = aes67d_engine_cpu_latency(e, &us);

	if (r > 0) {
		json_object_set_new(eng, "cpu_latency_us", json_integer(us));
	} else if (r < 0) {
		json_object_set_new(eng, "cpu_latency_error", json_string(strerror(-r)));
	}
}

static json_t *entry_json(struct aes67d_glue *g, const struct glue_entry *e, bool tx)
{
	json_t *o = NULL;
	int st = -1;

	if (e->running && g->engine != NULL && tx) {
		const struct aes67d_tx_stream *s = aes67d_engine_tx_find(g->engine, e->name);

		o = s != NULL ? aes67d_glue_tx_stats_json(s) : NULL;
		st = s != NULL ? atomic_load(&s->state) : -1;
	} else if (e->running && g->engine != NULL) {
		const struct aes67d_rx_stream *s = aes67d_engine_rx_find(g->engine, e->name);

		o = s != NULL ? aes67d_glue_rx_stats_json(s) : NULL;
		st = s != NULL ? atomic_load(&s->state) : -1;
	} else {
		o = json_object();
	}
	if (o == NULL || json_object_set_new(o, "name", json_string(e->name)) != 0 ||
	    json_object_set_new(o, "direction", json_string(tx ? "tx" : "rx")) != 0 ||
	    json_object_set_new(o, "state", json_string(state_name(e, st))) != 0 ||
	    (!e->running && json_object_set_new(o, "error", json_string(e->error)) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int aes67d_glue_stats(struct aes67d *d, const char *name, json_t *resp, char *err, size_t err_bytes)
{
	struct aes67d_glue *g = d->glue;
	json_t *arr[2] = {json_array(), json_array()};
	int r = arr[0] != NULL && arr[1] != NULL ? 0 : -ENOMEM, found = 0;

	if (g != NULL) {
		pthread_mutex_lock(&g->lock);
		for (int dir = 0; r == 0 && dir < 2; dir++) {
			const struct glue_entry *t = dir ? g->tx : g->rx;

			for (size_t i = 0; r == 0 && i < AES67D_MAX_STREAMS; i++) {
				json_t *o;

				if (!t[i].used || (name != NULL && strcmp(t[i].name, name) != 0)) {
					continue;
				}
				found++;
				o = entry_json(g, &t[i], dir);
				r = o != NULL && json_array_append_new(arr[dir], o) == 0 ? 0
											 : -ENOMEM;
			}
		}
		pthread_mutex_unlock(&g->lock);
	}
	if (r == 0 && name != NULL && found == 0) {
		snprintf(err, err_bytes, "name: no stream named \"%.64s\" (running or failed)",
			 name);
		r = -AES67_ENOTFOUND;
	}
	if (r < 0) {
		json_decref(arr[0]);
		json_decref(arr[1]);
		return r;
	}
	/* json_object_set_new() takes the reference even when it fails. */
	r = json_object_set_new(resp, "tx", arr[1]) == 0 ? 0 : -ENOMEM;
	return json_object_set_new(resp, "rx", arr[0]) == 0 ? r : -ENOMEM;
}

int aes67d_glue_status(struct aes67d *d, json_t *resp)
{
	struct aes67d_glue *g = d->glue;
	json_t *eng = json_object(), *streams = json_array();
	uint64_t tx_ns = 0, rx_ns = 0;
	int r = eng != NULL && streams != NULL ? 0 : -ENOMEM;

	if (r == 0 && g != NULL) {
		pthread_mutex_lock(&g->lock);
		json_object_set_new(eng, "running", json_boolean(g->engine != NULL));
		if (g->engine == NULL) {
			json_object_set_new(eng, "error", json_string(g->engine_error));
		} else {
			json_object_set_new(eng, "realtime",
					    json_boolean(aes67d_engine_realtime(g->engine)));
			engine_cpu_latency_json(eng, g->engine);
			if (aes67d_engine_thread_cpu_ns(g->engine, &tx_ns, &rx_ns) == 0) {
				json_object_set_new(eng, "tx_cpu_ns",
						    json_integer((json_int_t)tx_ns));
				json_object_set_new(eng, "rx_cpu_ns",
						    json_integer((json_int_t)rx_ns));
			}
		}
		for (int dir = 1; r == 0 && dir >= 0; dir--) {
			const struct glue_entry *t = dir ? g->tx : g->rx;

			for (size_t i = 0; r == 0 && i < AES67D_MAX_STREAMS; i++) {
				json_t *o = t[i].used ? entry_json(g, &t[i], dir) : NULL;

				if (t[i].used) {
					r = o != NULL && json_array_append_new(streams, o) == 0
						    ? 0
						    : -ENOMEM;
				}
			}
		}
		pthread_mutex_unlock(&g->lock);
	} else if (r == 0) {
		json_object_set_new(eng, "running", json_false());
		json_object_set_new(eng, "error", json_string("not set up"));
	}
	if (r < 0) {
		json_decref(eng);
		json_decref(streams);
		return r;
	}
	r = json_object_set_new(resp, "engine", eng) == 0 ? 0 : -ENOMEM;
	return json_object_set_new(resp, "streams", streams) == 0 ? r : -ENOMEM;
}
