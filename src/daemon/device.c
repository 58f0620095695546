// SPDX-License-Identifier: MIT
/*
 * Shared-memory devices of aes67d: creates one sealed memfd region per device, lays it out with
 * aes67_ring_init(), and keeps it alive: heartbeat, clock-page publication and reclaim of
 * playback ownership held by processes that died without closing (aplay killed with -9).
 *
 * The memfd is sealed against shrinking and growing (and the seals themselves sealed) before any
 * client sees it, so a client's mapping of region_bytes can never hit SIGBUS because somebody
 * truncated the file. The generation token written into the header changes with every daemon
 * start, so clients of a previous daemon see aes67_ring_alive() fail rather than a frozen clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "aes67/error.h"
#include "daemon.h"
#include "device_impl.h"
#include "log.h"

uint64_t aes67d_dev_mono_raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int aes67d_device_socket_path(const char *control_path, char *buf, size_t buf_bytes)
{
	size_t n = strlen(control_path);
	const char *sfx = ".sock";
	size_t sl = strlen(sfx);
	int w;

	if (n >= sl && strcmp(control_path + n - sl, sfx) == 0) {
		w = snprintf(buf, buf_bytes, "%.*s.dev.sock", (int)(n - sl), control_path);
	} else {
		w = snprintf(buf, buf_bytes, "%s.dev", control_path);
	}
	if (w < 0 || (size_t)w >= buf_bytes ||
	    (size_t)w >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		return -ENAMETOOLONG;
	}
	return 0;
}

/* Ring capacity: the smallest power of two holding half a second, within the ring's limits.
 * Half a second bounds memory at 128 channels (about 34 MB per direction at 48 kHz) and still
 * lets an application buffer a quarter of a second (the plugin allows up to capacity / 4). */
static uint32_t capacity_for(uint32_t rate_hz)
{
	uint32_t c = AES67_RING_CAPACITY_MIN;

	while (c < rate_hz / 2 && c < AES67_RING_CAPACITY_MAX) {
		c <<= 1;
	}
	return c;
}

static void device_close(struct aes67d_device *dev)
{
	if (dev->region != NULL) {
		aes67_ring_close(&dev->ring);
		munmap(dev->region, dev->region_bytes);
		dev->region = NULL;
	}
	if (dev->memfd >= 0) {
		close(dev->memfd);
		dev->memfd = -1;
	}
}

static int device_open(struct aes67d_device *dev, const struct aes67d_device_config *cfg,
		       uint64_t generation)
{
	struct aes67_ring_geometry g = {
		.sample_rate = cfg->rate_hz,
		.channels_play = cfg->playback_channels,
		.channels_capture = cfg->capture_channels,
		.capacity_frames = capacity_for(cfg->rate_hz),
		.format = AES67_RING_FORMAT_S32,
	};
	struct aes67_ring_layout lay;
	char name[96];
	const char *why;
	int r;

	dev->cfg = *cfg;
	dev->memfd = -1;
	dev->region = NULL;
	if ((r = aes67_ring_layout(&g, &lay)) < 0) {
		return r;
	}
	snprintf(name, sizeof(name), "aes67d-%s", cfg->name);
	dev->memfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (dev->memfd < 0) {
		return -errno;
	}
	dev->region_bytes = (size_t)lay.total_bytes;
	if (ftruncate(dev->memfd, (off_t)dev->region_bytes) != 0 ||
	    fcntl(dev->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
		r = -errno;
		goto fail;
	}
	dev->region =
		mmap(NULL, dev->region_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, dev->memfd, 0);
	if (dev->region == MAP_FAILED) {
		dev->region = NULL;
		r = -errno;
		goto fail;
	}
	if ((r = aes67_ring_init(dev->region, dev->region_bytes, &g, generation)) < 0 ||
	    (r = aes67_ring_attach(dev->region, dev->region_bytes, &dev->ring, &why)) < 0) {
		munmap(dev->region, dev->region_bytes);
		dev->region = NULL;
		goto fail;
	}
	return 0;
fail:
	close(dev->memfd);
	dev->memfd = -1;
	return r;
}

int aes67d_devices_create(struct aes67d_devices **out, const struct aes67d_config *cfg,
			  const char *socket_path, struct aes67d_clock *clock)
{
	static const struct aes67d_device_config def = {
		.name = AES67D_DEVICE_DEFAULT_NAME,
		.playback_channels = 2,
		.capture_channels = 2,
		.rate_hz = 48000,
		.ptime_us = 1000,
	};
	struct aes67d_devices *set;
	uint32_t n = cfg->n_devices;
	int r;

	*out = NULL;
	set = calloc(1, sizeof(*set));
	if (set == NULL) {
		return -ENOMEM;
	}
	set->listen_fd = -1;
	set->stop_fd = -1;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(set->clients); i++) {
		set->clients[i].fd = -1;
	}
	pthread_mutex_init(&set->clock_lock, NULL);
	set->clock = clock;
	/* Nonzero and different for every start: time since boot mixed with the pid. */
	set->generation = (aes67d_dev_mono_raw_ns() ^ ((uint64_t)getpid() << 40)) | 1u;
	for (uint32_t i = 0; i < (n == 0 ? 1 : n); i++) {
		r = device_open(&set->dev[i], n == 0 ? &def : &cfg->devices[i], set->generation);
		if (r < 0) {
			goto fail;
		}
		set->n = i + 1;
	}
	if ((r = aes67d_dev_server_bind(set, socket_path)) < 0) {
		goto fail;
	}
	*out = set;
	return 0;
fail:
	aes67d_devices_destroy(set);
	return r;
}

int aes67d_devices_start(struct aes67d_devices *set)
{
	aes67d_device_tick(set, aes67d_dev_mono_raw_ns());
	return aes67d_dev_server_start(set);
}

void aes67d_devices_destroy(struct aes67d_devices *set)
{
	if (set == NULL) {
		return;
	}
	aes67d_dev_server_stop(set);
	aes67d_dev_server_close(set);
	for (uint32_t i = 0; i < set->n; i++) {
		device_close(&set->dev[i]);
	}
	pthread_mutex_destroy(&set->clock_lock);
	free(set);
}

uint32_t aes67d_devices_count(const struct aes67d_devices *set)
{
	return set->n;
}

struct aes67d_device *aes67d_devices_at(struct aes67d_devices *set, uint32_t i)
{
	return i < set->n ? &set->dev[i] : NULL;
}

struct aes67d_device *aes67d_devices_lookup(struct aes67d_devices *set, const char *name)
{
	if (set == NULL || set->n == 0) {
		return NULL;
	}
	if (name == NULL || name[0] == '\0') {
		return &set->dev[0];
	}
	for (uint32_t i = 0; i < set->n; i++) {
		if (strcmp(set->dev[i].cfg.name, name) == 0) {
			return &set->dev[i];
		}
	}
	return NULL;
}

struct aes67d_device *aes67d_device_find(struct aes67d *d, const char *name)
{
	return aes67d_devices_lookup(d->devices, name);
}

const struct aes67_ring *aes67d_device_ring(struct aes67d_device *dev)
{
	return &dev->ring;
}

const struct aes67d_device_config *aes67d_device_config(const struct aes67d_device *dev)
{
	return &dev->cfg;
}

/* Writes one mapping into every page; caller holds clock_lock. */
static int publish_locked(struct aes67d_devices *set, const struct aes67d_clock_map *map,
			  uint32_t state, const uint8_t *gm_identity, uint8_t domain)
{
	struct aes67_clock_values v = {0};
	double adj = (map->rate_ratio - 1.0) * 281474976710656.0; /* 2^48 */
	int r;

	if (!(fabs(adj) <= (double)AES67_CLOCK_ADJ_MAX_Q48)) {
		return -AES67_ERANGE;
	}
	if (state > AES67_CLOCK_HOLDOVER) {
		return -EINVAL;
	}
	v.base_mono_ns = map->mono_raw_ref_ns;
	v.base_ptp_ns = map->ptp_ref_ns;
	v.rate_adj_q48 = llround(adj);
	v.state = state;
	v.locked = state == AES67_CLOCK_LOCKED;
	if (gm_identity != NULL) {
		memcpy(v.gm_identity, gm_identity, sizeof(v.gm_identity));
	}
	v.domain = domain;
	for (uint32_t i = 0; i < set->n; i++) {
		v.sample_rate = set->dev[i].cfg.rate_hz;
		if ((r = aes67_clock_page_write(set->dev[i].ring.clock, &v)) < 0) {
			return r;
		}
	}
	return 0;
}

int aes67d_device_publish_clock(struct aes67d_devices *set, const struct aes67d_clock_map *map,
				uint32_t state, const uint8_t *gm_identity)
{
	int r;

	pthread_mutex_lock(&set->clock_lock);
	r = publish_locked(set, map, state, gm_identity, 0);
	if (r == 0) {
		set->clock_external = true;
	}
	pthread_mutex_unlock(&set->clock_lock);
	return r;
}

/*
 * The clock-page state of a back end's reference (clock_page.h): a grandmaster the servo is
 * locked to (or this host as grandmaster) is LOCKED; a known grandmaster not yet locked to is
 * LOCKING; no grandmaster, or a back end without a reference (the system clock), is FREERUN.
 * @gm receives the grandmaster identity (zeros when none), @domain the PTP domainNumber.
 */
static uint32_t clock_state(struct aes67d_clock *clk, uint8_t gm[8], uint8_t *domain)
{
	struct aes67d_clock_ref ref;

	memset(gm, 0, 8);
	*domain = 0;
	if (clk->get_ref == NULL || clk->get_ref(clk, &ref) < 0 || !ref.gm_valid) {
		return AES67_CLOCK_FREERUN;
	}
	memcpy(gm, ref.gm_identity, 8);
	*domain = ref.domain;
	return ref.locked ? AES67_CLOCK_LOCKED : AES67_CLOCK_LOCKING;
}

void aes67d_device_tick(struct aes67d_devices *set, uint64_t now_raw_ns)
{
	struct aes67d_clock_map map;

	pthread_mutex_lock(&set->clock_lock);
	if (!set->clock_external && set->clock != NULL &&
	    set->clock->get_map(set->clock, &map) == 0) {
		uint8_t gm[8], domain;
		uint32_t state = clock_state(set->clock, gm, &domain);

		if (publish_locked(set, &map, state, gm, domain) < 0) {
			aes67d_log(AES67D_LOG_WARNING, "clock mapping out of range; not published");
		}
	}
	pthread_mutex_unlock(&set->clock_lock);
	for (uint32_t i = 0; i < set->n; i++) {
		struct aes67d_device *dev = &set->dev[i];
		uint64_t owner;

		aes67_ring_heartbeat(&dev->ring, now_raw_ns);
		if (dev->ring.play.channels == 0) {
			continue;
		}
		/* The owner token is the plugin's pid (in the daemon's pid namespace, see
		 * docs/alsa.md); ESRCH means that process is gone. */
		owner = atomic_load_explicit(&dev->ring.header->play_owner, memory_order_acquire);
		if (owner != 0 && owner <= (uint64_t)INT32_MAX && kill((pid_t)owner, 0) != 0 &&
		    errno == ESRCH && aes67_ring_owner_reclaim(&dev->ring, owner) == 0) {
			atomic_fetch_add(&dev->reclaims, 1);
		}
	}
}
