// SPDX-License-Identifier: MIT
/*
 * Unit tests for aes67d's shared-memory devices (src/daemon/device*.c), in process: regions from
 * the config (and the default device), the sealed memfd handed over the device socket with
 * SCM_RIGHTS to a raw protocol client (device_proto.h), refusals with precise reasons (version
 * mismatch, malformed request, unknown device), the clock page fed from the clock back end and
 * taken over by aes67d_device_publish_clock(), the heartbeat, reclaim of playback ownership
 * held by a dead process, and the socket path rule.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "daemon.h"
#include "device.h"
#include "device_proto.h"
#include "log.h"

static char dir[64], sock_path[100];

/* A clock back end with a fixed mapping: PTP = MONOTONIC_RAW + 1000 s. */
static int fake_now(struct aes67d_clock *clk, uint64_t *ptp_ns)
{
	*ptp_ns = 0;
	return 0;
}

static int fake_map(struct aes67d_clock *clk, struct aes67d_clock_map *map)
{
	map->mono_raw_ref_ns = 7000000000ull;
	map->ptp_ref_ns = 1007000000000ull;
	map->rate_ratio = 1.0;
	map->uncertainty_ns = 0;
	return 0;
}

static struct aes67d_clock fake_clock = {
	.name = "fake", .kind = AES67D_CLOCK_LOCALMAC, .now_ns = fake_now, .get_map = fake_map};

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/test_device.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock_path, sizeof(sock_path), "%s/d.dev.sock", dir);
	aes67d_log_setup("test", AES67D_LOG_ERR, false);
	return 0;
}

static int teardown(void **state)
{
	unlink(sock_path);
	rmdir(dir);
	return 0;
}

static void two_devices(struct aes67d_config *c)
{
	aes67d_config_init(c);
	c->n_devices = 2;
	snprintf(c->devices[0].name, sizeof(c->devices[0].name), "main");
	c->devices[0].playback_channels = 8;
	c->devices[0].capture_channels = 2;
	c->devices[0].rate_hz = 48000;
	c->devices[0].ptime_us = 1000;
	snprintf(c->devices[1].name, sizeof(c->devices[1].name), "cap");
	c->devices[1].capture_channels = 128;
	c->devices[1].rate_hz = 96000;
	c->devices[1].ptime_us = 125;
}

/* Sends a request (of @len bytes), receives the reply and a descriptor (or -1). */
static int exchange(const void *req, size_t len, struct aes67d_dev_reply *rep, int *memfd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = rep, .iov_len = sizeof(*rep)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	struct pollfd p;
	struct cmsghdr *c;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ssize_t n;

	*memfd = -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(send(fd, req, len, 0), (ssize_t)len);
	p = (struct pollfd){.fd = fd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 2000), 1);
	memset(rep, 0, sizeof(*rep));
	n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	close(fd);
	c = CMSG_FIRSTHDR(&msg);
	if (c != NULL && c->cmsg_type == SCM_RIGHTS) {
		memcpy(memfd, CMSG_DATA(c), sizeof(int));
	}
	return (int)n;
}

static struct aes67d_dev_request request(const char *name)
{
	struct aes67d_dev_request req;

	memset(&req, 0, sizeof(req));
	req.magic = AES67D_DEV_MAGIC;
	req.protocol = AES67D_DEV_PROTOCOL;
	req.ring_abi = AES67_RING_ABI_VERSION;
	req.op = AES67D_DEV_OP_OPEN;
	snprintf(req.name, sizeof(req.name), "%s", name);
	return req;
}

static void test_socket_path(void **state)
{
	char buf[108];

	assert_int_equal(aes67d_device_socket_path("/run/aes67d.sock", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run/aes67d.dev.sock");
	assert_int_equal(aes67d_device_socket_path("/tmp/ctl", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/ctl.dev");
	assert_int_equal(aes67d_device_socket_path("/tmp/x.sock", buf, 8), -ENAMETOOLONG);
}

static void test_default_device(void **state)
{
	struct aes67d_config c;
	struct aes67d_devices *set;
	const struct aes67_ring *ring;

	aes67d_config_init(&c);
	assert_int_equal(aes67d_devices_create(&set, &c, sock_path, NULL), 0);
	assert_int_equal(aes67d_devices_count(set), 1);
	ring = aes67d_device_ring(aes67d_devices_lookup(set, ""));
	assert_string_equal(aes67d_device_config(aes67d_devices_at(set, 0))->name, "aes67");
	assert_int_equal(ring->header->sample_rate, 48000);
	assert_int_equal(ring->play.channels, 2);
	assert_int_equal(ring->capture.channels, 2);
	assert_int_equal(ring->header->capacity_frames, 32768);
	assert_null(aes67d_devices_lookup(set, "nosuch"));
	aes67d_devices_destroy(set);
}

static void test_handshake(void **state)
{
	struct aes67d_config c;
	struct aes67d_devices *set;
	struct aes67d_dev_request req = request("cap");
	struct aes67d_dev_reply rep;
	struct aes67_ring ring;
	struct aes67_clock_values v;
	struct stat st;
	const char *why;
	void *region;
	int memfd;

	two_devices(&c);
	assert_int_equal(aes67d_devices_create(&set, &c, sock_path, &fake_clock), 0);
	assert_int_equal(aes67d_devices_start(set), 0);
	/* a second daemon on the same path is refused */
	{
		struct aes67d_devices *other;

		assert_int_equal(aes67d_devices_create(&other, &c, sock_path, NULL), -EADDRINUSE);
	}
	assert_int_equal(exchange(&req, sizeof(req), &rep, &memfd), (int)sizeof(rep));
	assert_int_equal(rep.status, 0);
	assert_int_equal(rep.magic, AES67D_DEV_MAGIC);
	assert_int_equal(rep.ptime_us, 125);
	assert_true(memfd >= 0);
	/* sealed: cannot shrink or grow; size as announced */
	assert_int_equal(fcntl(memfd, F_GET_SEALS) & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL),
			 F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	assert_int_not_equal(ftruncate(memfd, 4096), 0);
	assert_int_equal(fstat(memfd, &st), 0);
	assert_int_equal((uint64_t)st.st_size, rep.region_bytes);
	region = mmap(NULL, rep.region_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	assert_true(region != MAP_FAILED);
	assert_int_equal(aes67_ring_attach(region, rep.region_bytes, &ring, &why), 0);
	assert_int_equal(ring.header->sample_rate, 96000);
	assert_int_equal(ring.play.channels, 0);
	assert_int_equal(ring.capture.channels, 128);
	assert_int_equal(ring.header->capacity_frames, 65536);
	/* the clock page carries the back end's mapping at the device's rate */
	assert_int_equal(aes67_clock_page_read(ring.clock, &v), 0);
	assert_int_equal(v.base_mono_ns, 7000000000ull);
	assert_int_equal(v.base_ptp_ns, 1007000000000ull);
	assert_int_equal(v.rate_adj_q48, 0);
	assert_int_equal(v.sample_rate, 96000);
	assert_int_equal(v.state, AES67_CLOCK_FREERUN);
	assert_true(aes67_ring_alive(&ring, aes67_ring_generation(&ring),
				     atomic_load(&ring.header->heartbeat_ns), 1) == 1);
	/* stopping the daemon marks the region dead for every client */
	aes67d_devices_destroy(set);
	assert_int_equal(aes67_ring_generation(&ring), 0);
	munmap(region, rep.region_bytes);
	close(memfd);
}

static void test_refusals(void **state)
{
	struct aes67d_config c;
	struct aes67d_devices *set;
	struct aes67d_dev_request req;
	struct aes67d_dev_reply rep;
	int memfd;

	two_devices(&c);
	assert_int_equal(aes67d_devices_create(&set, &c, sock_path, &fake_clock), 0);
	assert_int_equal(aes67d_devices_start(set), 0);

	req = request("nosuch");
	exchange(&req, sizeof(req), &rep, &memfd);
	assert_int_equal(rep.status, -AES67_ENOTFOUND);
	assert_int_equal(memfd, -1);
	assert_string_equal(rep.reason, "aes67d has no device named \"nosuch\"");

	req = request("main");
	req.protocol = 99;
	exchange(&req, sizeof(req), &rep, &memfd);
	assert_int_equal(rep.status, -AES67_EABI);
	assert_int_equal(memfd, -1);
	assert_string_equal(rep.reason, "version mismatch: plugin has protocol 99, ring ABI 2; "
					"aes67d has protocol 1, ring ABI 2");

	req = request("main");
	exchange(&req, 10, &rep, &memfd);
	assert_int_equal(rep.status, -AES67_EMALFORMED);
	assert_string_equal(rep.reason, "request of 10 bytes is not a pcm.aes67 handshake");

	req = request("main");
	memset(req.name, 'x', sizeof(req.name));
	exchange(&req, sizeof(req), &rep, &memfd);
	assert_int_equal(rep.status, -AES67_EMALFORMED);
	assert_int_equal(memfd, -1);

	/* "" is the first device */
	req = request("");
	exchange(&req, sizeof(req), &rep, &memfd);
	assert_int_equal(rep.status, 0);
	assert_true(memfd >= 0);
	close(memfd);
	aes67d_devices_destroy(set);
}

static void test_publish_and_reclaim(void **state)
{
	struct aes67d_config c;
	struct aes67d_devices *set;
	const struct aes67_ring *ring;
	struct aes67_clock_values v;
	struct aes67d_clock_map map = {.mono_raw_ref_ns = 1, .ptp_ref_ns = 2, .rate_ratio = 1.0};
	const uint8_t gm[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	pid_t child;

	two_devices(&c);
	assert_int_equal(aes67d_devices_create(&set, &c, sock_path, &fake_clock), 0);
	ring = aes67d_device_ring(aes67d_devices_lookup(set, "main"));
	aes67d_device_tick(set, 123456789);
	assert_int_equal(atomic_load(&ring->header->heartbeat_ns), 123456789);
	assert_int_equal(aes67_clock_page_read(ring->clock, &v), 0);
	assert_int_equal(v.base_ptp_ns, 1007000000000ull);

	/* an external publisher (PTP) takes over: the tick stops overwriting its mapping */
	map.rate_ratio = 1.0 + 1e-3 * 2; /* 2000 ppm: refused */
	assert_int_equal(aes67d_device_publish_clock(set, &map, AES67_CLOCK_LOCKED, gm),
			 -AES67_ERANGE);
	map.rate_ratio = 1.0 + 1e-6; /* 1 ppm */
	assert_int_equal(aes67d_device_publish_clock(set, &map, 7, gm), -EINVAL);
	assert_int_equal(aes67d_device_publish_clock(set, &map, AES67_CLOCK_LOCKED, gm), 0);
	aes67d_device_tick(set, 223456789);
	assert_int_equal(aes67_clock_page_read(ring->clock, &v), 0);
	assert_int_equal(v.base_ptp_ns, 2);
	assert_int_equal(v.state, AES67_CLOCK_LOCKED);
	assert_int_equal(v.locked, 1);
	assert_memory_equal(v.gm_identity, gm, 8);
	assert_true(v.rate_adj_q48 > 281474976 - 2 && v.rate_adj_q48 < 281474976 + 2);

	/* a live owner keeps playback; a dead one is reclaimed at the next tick */
	assert_int_equal(aes67_ring_owner_acquire(ring, (uint64_t)getpid()), 0);
	aes67d_device_tick(set, 323456789);
	assert_int_equal(atomic_load(&ring->header->play_owner), (uint64_t)getpid());
	assert_int_equal(aes67_ring_owner_release(ring, (uint64_t)getpid()), 0);
	child = fork();
	if (child == 0) {
		_exit(0);
	}
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(aes67_ring_owner_acquire(ring, (uint64_t)child), 0);
	assert_int_equal(aes67_ring_owner_acquire(ring, (uint64_t)getpid()), -EBUSY);
	aes67d_device_tick(set, 423456789);
	assert_int_equal(atomic_load(&ring->header->play_owner), 0);
	assert_int_equal(aes67_ring_owner_acquire(ring, (uint64_t)getpid()), 0);
	aes67d_devices_destroy(set);
}

/* A PTP-like back end whose reference the test changes. */
static struct aes67d_clock_ref fake_ref;
static int fake_ref_result;

static int fake_get_ref(struct aes67d_clock *clk, struct aes67d_clock_ref *ref)
{
	(void)clk;
	*ref = fake_ref;
	return fake_ref_result;
}

static struct aes67d_clock fake_ptp_clock = {.name = "fakeptp",
					     .kind = AES67D_CLOCK_PTP,
					     .get_ref = fake_get_ref,
					     .now_ns = fake_now,
					     .get_map = fake_map};

/* The device thread publishes the reference's state, grandmaster and domain (clock_page.h). */
static void test_tick_publishes_ref(void **state)
{
	static const uint8_t gm[8] = {0x00, 0x1b, 0x21, 0xff, 0xfe, 0x0a, 0x0b, 0x0c};
	static const uint8_t zero[8] = {0};
	struct aes67d_config c;
	struct aes67d_devices *set;
	const struct aes67_ring *ring;
	struct aes67_clock_values v;

	(void)state;
	two_devices(&c);
	memset(&fake_ref, 0, sizeof(fake_ref));
	fake_ref_result = 0;
	assert_int_equal(aes67d_devices_create(&set, &c, sock_path, &fake_ptp_clock), 0);
	ring = aes67d_device_ring(aes67d_devices_lookup(set, "main"));

	/* no grandmaster known yet: FREERUN, no identity */
	aes67d_device_tick(set, 1000);
	assert_int_equal(aes67_clock_page_read(ring->clock, &v), 0);
	assert_int_equal(v.state, AES67_CLOCK_FREERUN);
	assert_int_equal(v.locked, 0);
	assert_memory_equal(v.gm_identity, zero, 8);
	assert_int_equal(v.base_ptp_ns, 1007000000000ull);

	/* a grandmaster is selected, the servo not yet locked: LOCKING with its identity */
	fake_ref.gm_valid = true;
	memcpy(fake_ref.gm_identity, gm, 8);
	fake_ref.domain = 42;
	fake_ref.generation = 1;
	aes67d_device_tick(set, 2000);
	assert_int_equal(aes67_clock_page_read(ring->clock, &v), 0);
	assert_int_equal(v.state, AES67_CLOCK_LOCKING);
	assert_int_equal(v.locked, 0);
	assert_memory_equal(v.gm_identity, gm, 8);
	assert_int_equal(v.domain, 42);

	/* locked: LOCKED in every device's page */
	fake_ref.locked = true;
	aes67d_device_tick(set, 3000);
	for (uint32_t i = 0; i < aes67d_devices_count(set); i++) {
		const struct aes67_ring *r = aes67d_device_ring(aes67d_devices_at(set, i));

		assert_int_equal(aes67_clock_page_read(r->clock, &v), 0);
		assert_int_equal(v.state, AES67_CLOCK_LOCKED);
		assert_int_equal(v.locked, 1);
		assert_memory_equal(v.gm_identity, gm, 8);
		assert_int_equal(v.domain, 42);
	}

	/* the grandmaster is lost; then get_ref fails: back to FREERUN without identity */
	fake_ref.gm_valid = false;
	fake_ref.locked = false;
	aes67d_device_tick(set, 4000);
	assert_int_equal(aes67_clock_page_read(ring->clock, &v), 0);
	assert_int_equal(v.state, AES67_CLOCK_FREERUN);
	assert_memory_equal(v.gm_identity, zero, 8);
	fake_ref.gm_valid = true;
	fake_ref.locked = true;
	fake_ref_result = -EIO;
	aes67d_device_tick(set, 5000);
	assert_int_equal(aes67_clock_page_read(ring->clock, &v), 0);
	assert_int_equal(v.state, AES67_CLOCK_FREERUN);
	assert_int_equal(v.domain, 0);
	aes67d_devices_destroy(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_socket_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handshake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_publish_and_reclaim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tick_publishes_ref, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
