// SPDX-License-Identifier: MIT
/*
 * Unit tests for the aes67d configuration (src/daemon/config*.c): golden good and bad files in
 * tests/data/config/ (every bad file has its exact expected message in expected_errors.txt, and a
 * refused load must leave the previous configuration untouched), an exact load -> save -> load
 * round trip, and crash safety of the atomic save: a child saving in a loop is SIGKILLed at
 * pseudo-random moments and the file must always parse as either the old or the new version.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "config.h"

#define DATA AES67_TEST_DATA_DIR "/config/"

static struct aes67d_config cfg_a, cfg_b;
static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/aes67d-cfgtest-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char p[512];

	(void)state;
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && (e->d_name[1] == '\0' || strcmp(e->d_name, "..") == 0)) {
			continue;
		}
		snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
		unlink(p);
	}
	if (d != NULL) {
		closedir(d);
	}
	rmdir(tmpdir);
	return 0;
}

static void load_ok(const char *name, struct aes67d_config *c)
{
	char err[AES67D_ERR_BYTES] = "";
	char path[512];

	snprintf(path, sizeof(path), DATA "%s", name);
	int r = aes67d_config_load(c, path, err, sizeof(err));
	if (r != 0) {
		fail_msg("%s: %s", name, err);
	}
}

static void test_good_full(void **state)
{
	struct aes67d_config c;

	(void)state;
	load_ok("good_full.json", &c);
	assert_string_equal(c.interface, "eth0");
	assert_int_equal(c.ptp.priority2, 127);
	assert_true(c.ptp.slave_only);
	assert_int_equal(c.ptp.transport, AES67D_PTP_UDP4);
	assert_true(c.engine.cpu_latency);
	assert_int_equal(c.engine.cpu_latency_us, 0);
	assert_int_equal(c.n_devices, 2);
	assert_string_equal(c.devices[1].name, "studio.b");
	assert_int_equal(c.devices[1].rate_hz, 96000);
	assert_int_equal(c.n_tx, 2);
	assert_int_equal(c.tx[0].ttl, AES67D_DEFAULT_TTL);
	assert_int_equal(c.tx[0].dscp, 46);
	assert_int_equal(c.tx[0].destination.s_addr, htonl(0xef450101));
	assert_int_equal(c.tx[1].encoding, AES67D_ENC_AM824);
	assert_int_equal(c.tx[1].dscp, 34);
	assert_int_equal(c.tx[1].device_channel_offset, 32);
	assert_int_equal(c.n_rx, 2);
	assert_false(c.rx[0].has_sdp);
	assert_true(c.rx[0].link_offset_in_frames);
	assert_int_equal(c.rx[0].link_offset_frames, 48);
	assert_int_equal(c.rx[0].encoding, AES67D_ENC_L16);
	assert_true(c.rx[1].has_sdp);
	assert_int_equal(c.rx[1].link_offset_us, 2000);
	assert_non_null(strstr(c.rx[1].sdp, "a=rtpmap:96 L24/48000/2\r\n"));
}

static void test_good_small(void **state)
{
	struct aes67d_config c;

	(void)state;
	load_ok("good_empty.json", &c);
	assert_int_equal(c.n_devices + c.n_tx + c.n_rx, 0);
	assert_int_equal(c.ptp.priority1, 128);
	assert_string_equal(c.interface, "");
	load_ok("good_minimal.json", &c);
	assert_int_equal(c.devices[0].ptime_us, 333);
	assert_false(c.engine.cpu_latency); /* absent: no request */
	assert_int_equal(c.rx[0].link_offset_us, AES67D_DEFAULT_LINK_OFFSET_US);
	assert_int_equal(c.rx[0].encoding, AES67D_ENC_L32);
}

/* All six rates load; frames per packet are round(ptime x rate), as the engine and SDP do. */
static void test_rates(void **state)
{
	static const struct {
		uint32_t rate_hz, ptime_us, frames;
	} tab[] = {
		{48000, 125, 6},     {48000, 250, 12},	{48000, 333, 16},   {48000, 1000, 48},
		{48000, 4000, 192},  {96000, 333, 32},	{44100, 125, 6},    {44100, 250, 11},
		{44100, 333, 15},    {44100, 1000, 44}, {44100, 4000, 176}, {88200, 250, 22},
		{88200, 1000, 88},   {176400, 125, 22}, {176400, 333, 59},  {192000, 125, 24},
		{192000, 4000, 768},
	};
	struct aes67d_config c;

	(void)state;
	for (size_t i = 0; i < AES67_ARRAY_SIZE(tab); i++) {
		assert_int_equal(aes67d_frames_per_packet(tab[i].rate_hz, tab[i].ptime_us),
				 tab[i].frames);
	}
	assert_true(aes67d_rate_supported(44100) && aes67d_rate_supported(176400) &&
		    aes67d_rate_supported(192000));
	assert_false(aes67d_rate_supported(32000) || aes67d_rate_supported(0) ||
		     aes67d_rate_supported(384000));
	load_ok("good_rates.json", &c);
	assert_int_equal(c.n_devices, 4);
	assert_int_equal(c.devices[0].rate_hz, 44100);
	assert_int_equal(c.tx[1].rate_hz, 192000);
	assert_int_equal(c.rx[0].rate_hz, 88200);
	assert_int_equal(c.rx[1].rate_hz, 176400);
}

/* Every bad_*.json is listed with its exact message; nothing is half-applied. */
static void test_bad_files(void **state)
{
	FILE *f = fopen(DATA "expected_errors.txt", "r");
	char line[1024];
	unsigned checked = 0;
	struct aes67d_config before, c;

	(void)state;
	assert_non_null(f);
	load_ok("good_full.json", &before);
	while (fgets(line, sizeof(line), f) != NULL) {
		char err[AES67D_ERR_BYTES] = "", path[1200];
		char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');

		if (line[0] == '#' || tab == NULL) {
			continue;
		}
		*tab = '\0';
		if (nl != NULL) {
			*nl = '\0';
		}
		memcpy(&c, &before, sizeof(c));
		snprintf(path, sizeof(path), DATA "%s", line);
		int r = aes67d_config_load(&c, path, err, sizeof(err));
		if (r >= 0 || strcmp(err, tab + 1) != 0) {
			fail_msg("%s: got %d \"%s\", want \"%s\"", line, r, err, tab + 1);
		}
		assert_memory_equal(&c, &before, sizeof(c));
		checked++;
	}
	fclose(f);
	/* Every bad_*.json in the directory must be listed. */
	DIR *d = opendir(DATA);
	struct dirent *e;
	unsigned files = 0;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		files += strncmp(e->d_name, "bad_", 4) == 0;
	}
	closedir(d);
	assert_int_equal(checked, files);
	assert_true(checked >= 30);
}

static void test_missing_file(void **state)
{
	struct aes67d_config c;
	char err[AES67D_ERR_BYTES];

	(void)state;
	assert_int_equal(aes67d_config_load(&c, DATA "does_not_exist.json", err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "does_not_exist.json: cannot open"));
	assert_int_equal(aes67d_config_load(&c, DATA, err, sizeof(err)), -EFBIG);
}

static void read_file(const char *path, char *buf, size_t bytes)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, bytes - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void test_round_trip(void **state)
{
	static char text_a[65536], text_b[65536];
	struct aes67d_config c1, c2;
	char err[AES67D_ERR_BYTES], pa[128], pb[128];
	struct stat st;

	(void)state;
	snprintf(pa, sizeof(pa), "%s/a.json", tmpdir);
	snprintf(pb, sizeof(pb), "%s/b.json", tmpdir);
	load_ok("good_full.json", &c1);
	assert_int_equal(aes67d_config_save(&c1, pa, err, sizeof(err)), 0);
	assert_int_equal(aes67d_config_load(&c2, pa, err, sizeof(err)), 0);
	assert_memory_equal(&c1, &c2, sizeof(c1));
	assert_int_equal(aes67d_config_save(&c2, pb, err, sizeof(err)), 0);
	read_file(pa, text_a, sizeof(text_a));
	read_file(pb, text_b, sizeof(text_b));
	assert_string_equal(text_a, text_b);
	assert_non_null(strstr(text_a, "\"destination\": \"239.69.1.2\""));
	assert_int_equal(stat(pa, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* Saving into a directory that does not exist fails cleanly. */
	assert_int_equal(aes67d_config_save(&c1, "/nonexistent-aes67/x.json", err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "cannot create temp file"));
}

/* Child: save A and B alternately until killed. */
static void saver(const char *path)
{
	char err[AES67D_ERR_BYTES];

	for (unsigned i = 0;; i++) {
		if (aes67d_config_save(i % 2 ? &cfg_b : &cfg_a, path, err, sizeof(err)) < 0) {
			_exit(3);
		}
	}
}

static void test_crash_safety(void **state)
{
	char path[128], err[AES67D_ERR_BYTES];
	struct aes67d_config got;
	unsigned seen_a = 0, seen_b = 0, iterations = 40;
	uint32_t rnd = 12345;

	(void)state;
	load_ok("good_full.json", &cfg_a);
	load_ok("good_minimal.json", &cfg_b);
	snprintf(path, sizeof(path), "%s/crash.json", tmpdir);
	assert_int_equal(aes67d_config_save(&cfg_a, path, err, sizeof(err)), 0);
	for (unsigned i = 0; i < iterations; i++) {
		struct timespec ts = {0, 0};
		int wst;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			saver(path);
		}
		rnd = rnd * 1103515245u + 12345u;
		ts.tv_nsec = (long)((rnd >> 8) % 3000000u); /* 0..3 ms */
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &wst, 0), pid);
		assert_true(WIFSIGNALED(wst)); /* killed mid-loop, not failed */
		int r = aes67d_config_load(&got, path, err, sizeof(err));
		if (r != 0) {
			fail_msg("iteration %u: file does not parse: %s", i, err);
		}
		if (memcmp(&got, &cfg_a, sizeof(got)) == 0) {
			seen_a++;
		} else if (memcmp(&got, &cfg_b, sizeof(got)) == 0) {
			seen_b++;
		} else {
			fail_msg("iteration %u: file is neither version", i);
		}
	}
	assert_int_equal(seen_a + seen_b, iterations);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_full),  cmocka_unit_test(test_good_small),
		cmocka_unit_test(test_bad_files),  cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_round_trip), cmocka_unit_test(test_crash_safety),
		cmocka_unit_test(test_rates),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
