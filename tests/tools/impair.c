// SPDX-License-Identifier: MIT
/*
 * impair: a deterministic UDP impairment proxy for the integration tests. The kernel here has no
 * netem (TESTBED.md), and random kernel loss cannot be reproduced, so this proxy receives a UDP
 * stream (unicast or multicast) on one address and re-sends it to another with seeded drop,
 * duplication, reordering and a fixed delay. It runs inside a test namespace, is bounded in
 * packets and lifetime, and prints what it did as one key=value line, which the tests compare
 * with the receiver's counters.
 *
 *   impair --listen ADDR:PORT --to ADDR:PORT [--interface IF] [--seed N] [--drop PCT]
 *          [--dup PCT] [--reorder PCT] [--reorder-depth N] [--delay-us N] [--max-packets N]
 *          [--lifetime S] [--idle-exit MS] [--verbose]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "impair_plan.h"
#include "tool_args.h"

#define PKT_MAX_BYTES 2048u
#define DELAY_SLOTS 4096u /* packets in flight in the delay line */

struct packet {
	uint64_t index;
	uint64_t due_ns;
	uint32_t len_bytes;
	uint8_t data[PKT_MAX_BYTES];
};

struct proxy {
	int rx_fd;
	int tx_fd;
	struct sockaddr_in to;
	struct impair_plan plan;
	uint64_t delay_ns;
	bool verbose;
	/* Held (reordered) packets, looked up by arrival index. */
	struct packet held[IMPAIR_MAX_HELD];
	bool held_used[IMPAIR_MAX_HELD];
	/* Delay line: FIFO of packets with their release time. */
	struct packet *line;
	uint32_t line_head;
	uint32_t line_count;
	uint64_t line_overflow;
	uint64_t send_errors;
	uint64_t oversize;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* RTP sequence number for the log, or -1 if the datagram is not RTP version 2 (RFC 3550 §5.1). */
static long rtp_seq(const struct packet *pk)
{
	if (pk->len_bytes < 12 || (pk->data[0] >> 6) != 2) {
		return -1;
	}
	return (long)be16_load(pk->data + 2);
}

static void send_now(struct proxy *px, const struct packet *pk)
{
	ssize_t n = sendto(px->tx_fd, pk->data, pk->len_bytes, 0, (const struct sockaddr *)&px->to,
			   sizeof(px->to));
	if (n != (ssize_t)pk->len_bytes) {
		px->send_errors++;
	}
}

/* Queue one copy for the delay line (or send it at once without delay). */
static void emit(struct proxy *px, const struct packet *pk, uint64_t now_ns)
{
	if (px->delay_ns == 0) {
		send_now(px, pk);
		return;
	}
	if (px->line_count == DELAY_SLOTS) {
		px->line_overflow++;
		return;
	}
	struct packet *slot = &px->line[(px->line_head + px->line_count) % DELAY_SLOTS];
	memcpy(slot, pk, sizeof(*slot));
	slot->due_ns = now_ns + px->delay_ns;
	px->line_count++;
}

/* Send every delayed packet that is due; return ms until the next one (-1: none). */
static int drain_line(struct proxy *px, uint64_t now_ns, bool all)
{
	while (px->line_count > 0) {
		struct packet *pk = &px->line[px->line_head];
		if (!all && pk->due_ns > now_ns) {
			uint64_t wait_ns = pk->due_ns - now_ns;
			return (int)((wait_ns + 999999u) / 1000000u);
		}
		send_now(px, pk);
		px->line_head = (px->line_head + 1) % DELAY_SLOTS;
		px->line_count--;
	}
	return -1;
}

static void release_held(struct proxy *px, bool flush, uint64_t now_ns)
{
	uint64_t index;
	bool dup;
	while (impair_plan_release(&px->plan, flush, &index, &dup)) {
		for (uint32_t i = 0; i < IMPAIR_MAX_HELD; i++) {
			if (px->held_used[i] && px->held[i].index == index) {
				if (px->verbose) {
					fprintf(stderr, "impair: release #%llu seq=%ld%s\n",
						(unsigned long long)index, rtp_seq(&px->held[i]),
						dup ? " (twice)" : "");
				}
				emit(px, &px->held[i], now_ns);
				if (dup) {
					emit(px, &px->held[i], now_ns);
				}
				px->held_used[i] = false;
				break;
			}
		}
	}
}

static void handle_packet(struct proxy *px, struct packet *pk, uint64_t now_ns)
{
	struct impair_decision d = impair_plan_arrive(&px->plan);
	long seq = rtp_seq(pk);

	switch (d.action) {
	case IMPAIR_DROP:
		if (px->verbose) {
			fprintf(stderr, "impair: drop #%llu seq=%ld\n",
				(unsigned long long)pk->index, seq);
		}
		return;
	case IMPAIR_HOLD:
		for (uint32_t i = 0; i < IMPAIR_MAX_HELD; i++) {
			if (!px->held_used[i]) {
				memcpy(&px->held[i], pk, sizeof(*pk));
				px->held_used[i] = true;
				break;
			}
		}
		if (px->verbose) {
			fprintf(stderr, "impair: hold #%llu seq=%ld\n",
				(unsigned long long)pk->index, seq);
		}
		return;
	case IMPAIR_FORWARD:
		break;
	}
	if (px->verbose && d.dup) {
		fprintf(stderr, "impair: dup #%llu seq=%ld\n", (unsigned long long)pk->index, seq);
	}
	emit(px, pk, now_ns);
	if (d.dup) {
		emit(px, pk, now_ns);
	}
	impair_plan_forwarded(&px->plan);
	release_held(px, false, now_ns);
}

static int open_rx(const struct sockaddr_in *listen, const char *ifname)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0) {
		perror("impair: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)listen, sizeof(*listen)) < 0) {
		perror("impair: bind");
		goto fail_close;
	}
	if (IN_MULTICAST(ntohl(listen->sin_addr.s_addr))) {
		struct ip_mreqn mr;
		memset(&mr, 0, sizeof(mr));
		mr.imr_multiaddr = listen->sin_addr;
		mr.imr_ifindex = ifname != NULL ? (int)if_nametoindex(ifname) : 0;
		if (ifname != NULL && mr.imr_ifindex == 0) {
			fprintf(stderr, "impair: interface \"%s\" does not exist\n", ifname);
			goto fail_close;
		}
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
			perror("impair: IP_ADD_MEMBERSHIP");
			goto fail_close;
		}
	}
	return fd;

fail_close:
	close(fd);
	return -1;
}

static int open_tx(const struct sockaddr_in *to, const char *ifname)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("impair: socket");
		return -1;
	}
	if (IN_MULTICAST(ntohl(to->sin_addr.s_addr))) {
		struct ip_mreqn mr;
		int ttl = 4;
		memset(&mr, 0, sizeof(mr));
		mr.imr_ifindex = ifname != NULL ? (int)if_nametoindex(ifname) : 0;
		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr));
		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
	}
	return fd;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: impair --listen ADDR:PORT --to ADDR:PORT [--interface IF] [--seed N]\n"
		   "  [--drop PCT] [--dup PCT] [--reorder PCT] [--reorder-depth N] [--delay-us N]\n"
		   "  [--max-packets N] [--lifetime S] [--idle-exit MS] [--verbose]\n"
		   "PCT: percent with up to 3 decimals. Defaults: seed 1, depth 2, max-packets\n"
		   "1000000, lifetime 60 s (max 600), idle-exit off. Prints a summary on exit.\n");
}

struct cli {
	struct sockaddr_in listen;
	struct sockaddr_in to;
	bool have_listen;
	bool have_to;
	const char *ifname;
	struct impair_options opt;
	uint64_t delay_us;
	uint64_t max_packets;
	uint64_t lifetime_s;
	uint64_t idle_exit_ms;
	bool verbose;
};

static int parse_cli(int argc, char **argv, struct cli *c)
{
	memset(c, 0, sizeof(*c));
	c->opt.seed = 1;
	c->opt.reorder_depth = 2;
	c->max_packets = 1000000;
	c->lifetime_s = 60;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t u = 0;
		int rc = 0;
		if (strcmp(a, "--verbose") == 0) {
			c->verbose = true;
			continue;
		}
		if (strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (v == NULL) {
			fprintf(stderr, "impair: %s needs a value\n", a);
			return -1;
		}
		i++;
		if (strcmp(a, "--listen") == 0) {
			rc = tool_parse_addr(v, &c->listen);
			c->have_listen = true;
		} else if (strcmp(a, "--to") == 0) {
			rc = tool_parse_addr(v, &c->to);
			c->have_to = true;
		} else if (strcmp(a, "--interface") == 0) {
			c->ifname = v;
		} else if (strcmp(a, "--seed") == 0) {
			rc = tool_parse_u64(v, UINT64_MAX, &c->opt.seed);
		} else if (strcmp(a, "--drop") == 0) {
			rc = tool_parse_percent(v, &c->opt.drop_prob);
		} else if (strcmp(a, "--dup") == 0) {
			rc = tool_parse_percent(v, &c->opt.dup_prob);
		} else if (strcmp(a, "--reorder") == 0) {
			rc = tool_parse_percent(v, &c->opt.reorder_prob);
		} else if (strcmp(a, "--reorder-depth") == 0) {
			rc = tool_parse_u64(v, 1000, &u);
			c->opt.reorder_depth = (uint32_t)u;
		} else if (strcmp(a, "--delay-us") == 0) {
			rc = tool_parse_u64(v, 10000000, &c->delay_us);
		} else if (strcmp(a, "--max-packets") == 0) {
			rc = tool_parse_u64(v, 100000000, &c->max_packets);
		} else if (strcmp(a, "--lifetime") == 0) {
			rc = tool_parse_u64(v, 600, &c->lifetime_s);
		} else if (strcmp(a, "--idle-exit") == 0) {
			rc = tool_parse_u64(v, 600000, &c->idle_exit_ms);
		} else {
			fprintf(stderr, "impair: unknown option %s\n", a);
			return -1;
		}
		if (rc < 0) {
			fprintf(stderr, "impair: bad value for %s: \"%s\"\n", a, v);
			return -1;
		}
	}
	if (!c->have_listen || !c->have_to) {
		fprintf(stderr, "impair: --listen and --to are required\n");
		return -1;
	}
	return 0;
}

static void print_summary(const struct proxy *px)
{
	const struct impair_counts *k = &px->plan.counts;
	printf("impair: received=%llu dropped=%llu duplicated=%llu reordered=%llu flushed=%llu "
	       "forwarded=%llu delay_overflow=%llu send_errors=%llu oversize=%llu\n",
	       (unsigned long long)k->received, (unsigned long long)k->dropped,
	       (unsigned long long)k->duplicated, (unsigned long long)k->reordered,
	       (unsigned long long)k->flushed, (unsigned long long)k->forwarded,
	       (unsigned long long)px->line_overflow, (unsigned long long)px->send_errors,
	       (unsigned long long)px->oversize);
	fflush(stdout);
}

static void run(struct proxy *px, const struct cli *c)
{
	uint64_t start_ns = mono_ns();
	uint64_t end_ns = start_ns + c->lifetime_s * 1000000000ull;
	uint64_t last_rx_ns = start_ns;
	bool idle_flushed = true;
	struct packet pk;

	while (!stop_requested && px->plan.counts.received < c->max_packets) {
		uint64_t now = mono_ns();
		if (now >= end_ns) {
			break;
		}
		int timeout_ms = drain_line(px, now, false);
		if (timeout_ms < 0 || timeout_ms > 10) {
			timeout_ms = 10; /* wake for idle and lifetime checks */
		}
		struct pollfd pfd = {.fd = px->rx_fd, .events = POLLIN};
		int n = poll(&pfd, 1, timeout_ms);
		now = mono_ns();
		if (n < 0 && errno != EINTR) {
			perror("impair: poll");
			break;
		}
		if (n <= 0 || !(pfd.revents & POLLIN)) {
			/* Nothing for a while: let held packets go so none is stuck at stream end.
			 */
			if (!idle_flushed && now - last_rx_ns > 20000000ull) {
				release_held(px, true, now);
				idle_flushed = true;
			}
			if (c->idle_exit_ms > 0 && px->plan.counts.received > 0 &&
			    now - last_rx_ns > c->idle_exit_ms * 1000000ull) {
				break;
			}
			continue;
		}
		ssize_t len = recv(px->rx_fd, pk.data, sizeof(pk.data), MSG_TRUNC);
		if (len < 0) {
			continue;
		}
		if ((size_t)len > sizeof(pk.data)) {
			px->oversize++; /* refused: larger than any AES67 packet we proxy */
			continue;
		}
		last_rx_ns = now;
		idle_flushed = false;
		pk.len_bytes = (uint32_t)len;
		pk.index = px->plan.counts.received;
		handle_packet(px, &pk, now);
	}
	release_held(px, true, mono_ns());
	drain_line(px, mono_ns(), px->delay_ns == 0 || stop_requested);
	while (px->line_count > 0 && !stop_requested) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
		drain_line(px, mono_ns(), false);
	}
}

int main(int argc, char **argv)
{
	struct cli c;
	static struct proxy px;

	if (parse_cli(argc, argv, &c) < 0) {
		usage(stderr);
		return 2;
	}
	if (impair_plan_init(&px.plan, &c.opt) < 0) {
		fprintf(stderr, "impair: --reorder needs --reorder-depth >= 1\n");
		return 2;
	}
	px.to = c.to;
	px.delay_ns = c.delay_us * 1000u;
	px.verbose = c.verbose;
	if (px.delay_ns > 0) {
		px.line = calloc(DELAY_SLOTS, sizeof(*px.line));
		if (px.line == NULL) {
			fprintf(stderr, "impair: out of memory for the delay line\n");
			return 1;
		}
	}
	px.rx_fd = open_rx(&c.listen, c.ifname);
	if (px.rx_fd < 0) {
		return 1;
	}
	px.tx_fd = open_tx(&c.to, c.ifname);
	if (px.tx_fd < 0) {
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	fprintf(stderr, "impair: ready\n");
	run(&px, &c);
	print_summary(&px);
	close(px.rx_fd);
	close(px.tx_fd);
	free(px.line);
	return 0;
}
