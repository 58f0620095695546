// SPDX-License-Identifier: MIT
/*
 * wake_latency: how late this machine wakes a SCHED_FIFO thread, the floor under every link
 * offset (bench/bench_latency.sh, docs/bench-latency.md). The engine's TX thread sleeps to
 * absolute deadlines with clock_nanosleep; a packet can be no earlier than the thread wakes,
 * so a wake-up later than (link offset - packet time) makes a late packet whatever the code
 * does. This program does what the TX thread does — sleeps to absolute CLOCK_MONOTONIC
 * deadlines one period apart under SCHED_FIFO — and records how late each wake-up is, with the
 * machine's steal time (/proc/stat: time the hypervisor ran something else on the vCPU) over
 * the same run. It sends nothing and runs a bounded time.
 *
 * Usage: wake_latency SECONDS PERIOD_US [PRIORITY]   (SECONDS 1..3600, PERIOD_US 50..100000,
 *        PRIORITY 1..99, default 80; without the right to SCHED_FIFO it says so and measures
 *        SCHED_OTHER). Pin it with taskset.
 * Prints: wake-ups, lateness p50/p99/p99.9/p99.99/max in µs, how many were later than 250 µs,
 * 500 µs, 1 ms, 2 ms and 4 ms, and the steal time of the run.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_S 1000000000ull
#define BUCKET_US 10u	   /* histogram resolution */
#define BUCKETS 100000u	   /* up to 1 s late */
#define MAX_SECONDS 3600ul /* bounded run */

static uint32_t hist[BUCKETS];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* Decimal argument in [lo, hi], or -1. */
static long parse_arg(const char *s, long lo, long hi)
{
	long v = 0;

	if (s == NULL || *s == '\0') {
		return -1;
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > hi) {
			return -1;
		}
		v = v * 10 + (*s - '0');
	}
	return v < lo || v > hi ? -1 : v;
}

/* Total steal ticks (_SC_CLK_TCK per second) of all CPUs from /proc/stat's "cpu" line, or -1. */
static long long steal_ticks(void)
{
	char line[512];
	long long f[8] = {0};
	FILE *fp = fopen("/proc/stat", "r");
	const char *p;
	int i = 0;

	if (fp == NULL) {
		return -1;
	}
	if (fgets(line, sizeof(line), fp) == NULL || strncmp(line, "cpu ", 4) != 0) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	/* user nice system idle iowait irq softirq steal */
	for (p = line + 4; *p != '\0' && i < 8;) {
		while (*p == ' ') {
			p++;
		}
		if (*p < '0' || *p > '9') {
			break;
		}
		while (*p >= '0' && *p <= '9') {
			f[i] = f[i] * 10 + (*p - '0');
			p++;
		}
		i++;
	}
	return i == 8 ? f[7] : -1;
}

/* Lateness (µs) at or below which a fraction q of the wake-ups fell. */
static double quantile_us(uint64_t n, double q)
{
	uint64_t want = (uint64_t)((double)n * q), seen = 0;

	for (uint32_t b = 0; b < BUCKETS; b++) {
		seen += hist[b];
		if (seen > want) {
			return (double)(b * BUCKET_US);
		}
	}
	return (double)(BUCKETS * BUCKET_US);
}

static uint64_t later_than_us(uint32_t us)
{
	uint64_t c = 0;

	for (uint32_t b = us / BUCKET_US; b < BUCKETS; b++) {
		c += hist[b];
	}
	return c;
}

int main(int argc, char **argv)
{
	long secs = argc > 1 ? parse_arg(argv[1], 1, (long)MAX_SECONDS) : -1;
	long period_us = argc > 2 ? parse_arg(argv[2], 50, 100000) : -1;
	long prio = argc > 3 ? parse_arg(argv[3], 1, 99) : 80;
	struct sched_param sp;
	uint64_t next, end, n = 0, max_ns = 0;
	long long st0, st1;
	const char *policy = "SCHED_FIFO";

	if (secs < 0 || period_us < 0 || prio < 0) {
		fprintf(stderr, "usage: wake_latency SECONDS(1..3600) PERIOD_US(50..100000) "
				"[PRIORITY(1..99)]\n");
		return 2;
	}
	memset(&sp, 0, sizeof(sp));
	sp.sched_priority = (int)prio;
	if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) {
		fprintf(stderr, "wake_latency: SCHED_FIFO refused (%s): measuring SCHED_OTHER\n",
			strerror(errno));
		policy = "SCHED_OTHER";
	}
	st0 = steal_ticks();
	next = now_ns();
	end = next + (uint64_t)secs * NS_PER_S;
	while (next < end) {
		struct timespec ts;
		uint64_t t, late;

		next += (uint64_t)period_us * 1000u;
		ts.tv_sec = (time_t)(next / NS_PER_S);
		ts.tv_nsec = (long)(next % NS_PER_S);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
		}
		t = now_ns();
		late = t > next ? t - next : 0;
		max_ns = late > max_ns ? late : max_ns;
		hist[late / 1000u / BUCKET_US < BUCKETS ? late / 1000u / BUCKET_US : BUCKETS - 1]++;
		n++;
		if (t > next + (uint64_t)period_us * 1000u) {
			/* Missed whole periods: resume from now, as the TX thread's catch-up does.
			 */
			next = t - (t - next) % ((uint64_t)period_us * 1000u);
		}
	}
	st1 = steal_ticks();
	printf("wake_latency: %s %ld, period %ld us, %ld s: %llu wake-ups; late p50 %.0f us, p99 "
	       "%.0f us, p99.9 %.0f us, p99.99 %.0f us, max %.0f us\n",
	       policy, prio, period_us, secs, (unsigned long long)n, quantile_us(n, 0.5),
	       quantile_us(n, 0.99), quantile_us(n, 0.999), quantile_us(n, 0.9999),
	       (double)max_ns / 1000.0);
	printf("wake_latency: later than 250 us: %llu, 500 us: %llu, 1 ms: %llu, 2 ms: %llu, 4 ms: "
	       "%llu; steal time of all CPUs: %s%.2f s\n",
	       (unsigned long long)later_than_us(250), (unsigned long long)later_than_us(500),
	       (unsigned long long)later_than_us(1000), (unsigned long long)later_than_us(2000),
	       (unsigned long long)later_than_us(4000), st0 < 0 || st1 < 0 ? "unknown " : "",
	       st0 < 0 || st1 < 0 ? 0.0 : (double)(st1 - st0) / (double)sysconf(_SC_CLK_TCK));
	return 0;
}
