// SPDX-License-Identifier: MIT
/*
 * cpu_hog: keeps one CPU busy for a bounded time, as the background load of the latency
 * benchmark (bench/bench_latency.sh). A plain `yes >/dev/null` only spins in the ALU and in
 * write(); this loop also walks a buffer larger than a typical L2 cache, one cache line per
 * step, so the audio threads on the other core share a busy memory system, not only an idle
 * neighbour. It stops by itself after the given number of seconds (never runs unbounded) and
 * prints how many passes it made (also when stopped early by SIGTERM/SIGINT), so a run can
 * show that the hog really ran.
 *
 * Usage: cpu_hog SECONDS [BUFFER_MIB]   (SECONDS 1..86400, BUFFER_MIB 0..256, default 8)
 * Pin it with taskset; it does not pin itself.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINE_BYTES 64

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Parses a decimal number in [0, max]; returns 0 on success, -1 otherwise. */
static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (*s == '\0') {
		return -1;
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9') {
			return -1;
		}
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max) {
			return -1;
		}
	}
	*out = (uint32_t)v;
	return 0;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint32_t secs = 0, mib = 8;
	volatile uint8_t *buf = NULL;
	size_t bytes;
	uint64_t passes = 0, sink = 0;
	double end;

	if (argc < 2 || argc > 3 || parse_u32(argv[1], 86400, &secs) < 0 || secs == 0 ||
	    (argc == 3 && parse_u32(argv[2], 256, &mib) < 0)) {
		fprintf(stderr,
			"usage: cpu_hog SECONDS(1..86400) [BUFFER_MIB(0..256), default 8]\n");
		return 2;
	}
	bytes = (size_t)mib << 20;
	if (bytes > 0) {
		buf = malloc(bytes);
		if (buf == NULL) {
			fprintf(stderr, "cpu_hog: cannot allocate %u MiB\n", (unsigned)mib);
			return 1;
		}
		memset((void *)buf, 1, bytes);
	}
	/* SIGTERM/SIGINT end the run early but still print the count. */
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	end = mono_s() + secs;
	while (!stop_requested && mono_s() < end) {
		/* About a million cache-line touches (or plain spins) between clock reads. */
		for (size_t i = 0; i < ((size_t)1 << 20); i++) {
			if (bytes > 0) {
				size_t off = (i * LINE_BYTES) % bytes;

				buf[off] = (uint8_t)(buf[off] + 1);
				sink += buf[off];
			} else {
				sink += i;
			}
		}
		passes++;
	}
	printf("cpu_hog: %llu passes in %.1f s (checksum %llu)\n", (unsigned long long)passes,
	       mono_s() - (end - secs), (unsigned long long)(sink & 0xff));
	free((void *)buf);
	return 0;
}
