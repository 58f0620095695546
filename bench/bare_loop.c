// SPDX-License-Identifier: MIT
/*
 * The floor for bench/bench_engine.sh: the same RTP packets as aes67d's streams (STREAMS
 * multicast streams of CHANNELS L24 channels, 48 kHz, PTIME_US packet time) sent and received
 * with nothing but the system calls a sender and a receiver cannot avoid.
 *
 *   tx: one socket; every packet time an absolute clock_nanosleep(CLOCK_MONOTONIC), then the
 *       RTP header of each stream's prebuilt packet is stamped (sequence, timestamp) and all
 *       streams go out with one sendmmsg. The payload is silence, never re-encoded.
 *   rx: one socket bound to the port, joined to every group; blocking recvmmsg with
 *       MSG_WAITFORONE and a large vector; counts packets and sequence gaps per stream (SSRC =
 *       stream number + 1).
 *
 * Anything aes67d does beyond this (reading the device ring, encoding, timeline placement,
 * per-stream sockets, statistics) is its overhead over the floor.
 * Usage: bare_loop tx|rx IFNAME GROUP_BASE STREAMS CHANNELS PTIME_US SECONDS
 *        (GROUP_BASE a.b.c.d: stream i uses a.b.c.(d+i), port 5004)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_STREAMS 64
#define MAX_PACKET_BYTES 1500
#define RTP_HEADER_BYTES 12
#define RX_VECTOR 256
#define PORT 5004
#define RATE_HZ 48000u
#define NS_PER_S 1000000000ull

struct opts {
	unsigned ifindex;
	struct in_addr base;
	uint32_t streams, channels, ptime_us, seconds;
};

static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (*s == '\0') {
		return -EINVAL;
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9') {
			return -EINVAL;
		}
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max) {
			return -ERANGE;
		}
	}
	*out = (uint32_t)v;
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static struct in_addr group_of(const struct opts *o, uint32_t i)
{
	struct in_addr a = {.s_addr = htonl(ntohl(o->base.s_addr) + i)};

	return a;
}

static void store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int run_tx(const struct opts *o)
{
	static uint8_t pkt[MAX_STREAMS][MAX_PACKET_BYTES];
	static struct sockaddr_in dst[MAX_STREAMS];
	static struct iovec iov[MAX_STREAMS];
	static struct mmsghdr msgs[MAX_STREAMS];
	const uint32_t fpp = RATE_HZ / 1000 * o->ptime_us / 1000;
	const size_t len = RTP_HEADER_BYTES + (size_t)fpp * o->channels * 3;
	const uint64_t period_ns = (uint64_t)o->ptime_us * 1000;
	struct ip_mreqn mr = {.imr_ifindex = (int)o->ifindex};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ttl = 16, tos = 46 << 2;
	uint64_t next, end, ticks = 0, sent = 0, errors = 0;
	uint32_t ts = 0;
	uint16_t seq = 0;

	if (fd < 0 || len > MAX_PACKET_BYTES ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) != 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) != 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) != 0) {
		fprintf(stderr, "bare_loop tx: socket set-up: %s\n",
			len > MAX_PACKET_BYTES ? "packet above 1500 bytes" : strerror(errno));
		return 1;
	}
	for (uint32_t i = 0; i < o->streams; i++) {
		pkt[i][0] = 0x80; /* RFC 3550 §5.1: version 2 */
		pkt[i][1] = 96;
		store_be32(&pkt[i][8], i + 1);
		dst[i].sin_family = AF_INET;
		dst[i].sin_port = htons(PORT);
		dst[i].sin_addr = group_of(o, i);
		iov[i].iov_base = pkt[i];
		iov[i].iov_len = len;
		msgs[i].msg_hdr.msg_name = &dst[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(dst[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	next = (mono_ns() / period_ns + 1) * period_ns;
	end = next + (uint64_t)o->seconds * NS_PER_S;
	while (next < end) {
		struct timespec t = {.tv_sec = (time_t)(next / NS_PER_S),
				     .tv_nsec = (long)(next % NS_PER_S)};
		uint32_t done = 0;

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR) {
		}
		for (uint32_t i = 0; i < o->streams; i++) {
			store_be16(&pkt[i][2], seq);
			store_be32(&pkt[i][4], ts);
		}
		while (done < o->streams) {
			int r = sendmmsg(fd, &msgs[done], o->streams - done, 0);

			if (r <= 0) {
				errors++;
				break;
			}
			done += (uint32_t)r;
		}
		sent += done;
		seq++;
		ts += fpp;
		ticks++;
		next += period_ns;
	}
	printf("bare_loop tx: %llu ticks, %llu packets of %zu bytes, %llu send errors\n",
	       (unsigned long long)ticks, (unsigned long long)sent, len,
	       (unsigned long long)errors);
	close(fd);
	return 0;
}

static int run_rx(const struct opts *o)
{
	static uint8_t buf[RX_VECTOR][MAX_PACKET_BYTES];
	static struct iovec iov[RX_VECTOR];
	static struct mmsghdr msgs[RX_VECTOR];
	static uint16_t last_seq[MAX_STREAMS];
	static uint64_t packets[MAX_STREAMS], gaps[MAX_STREAMS];
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PORT)};
	struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1, rcvbuf = 1 << 20;
	uint64_t end, total = 0, lost = 0, calls = 0, other = 0;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "bare_loop rx: socket set-up: %s\n", strerror(errno));
		return 1;
	}
	for (uint32_t i = 0; i < o->streams; i++) {
		struct ip_mreqn mr = {.imr_multiaddr = group_of(o, i),
				      .imr_ifindex = (int)o->ifindex};

		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
			fprintf(stderr, "bare_loop rx: join group %u: %s\n", i, strerror(errno));
			return 1;
		}
	}
	for (uint32_t i = 0; i < RX_VECTOR; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = sizeof(buf[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	end = mono_ns() + (uint64_t)o->seconds * NS_PER_S;
	while (mono_ns() < end) {
		int n = recvmmsg(fd, msgs, RX_VECTOR, MSG_WAITFORONE, NULL);

		calls++;
		for (int k = 0; k < n; k++) {
			const uint8_t *p = buf[k];
			uint32_t ssrc;
			uint16_t seq;

			if (msgs[k].msg_len < RTP_HEADER_BYTES) {
				other++;
				continue;
			}
			ssrc = load_be32(p + 8);
			seq = (uint16_t)(p[2] << 8 | p[3]);
			if (ssrc < 1 || ssrc > o->streams) {
				other++;
				continue;
			}
			if (packets[ssrc - 1] > 0 && seq != (uint16_t)(last_seq[ssrc - 1] + 1)) {
				gaps[ssrc - 1] += (uint16_t)(seq - last_seq[ssrc - 1] - 1);
			}
			last_seq[ssrc - 1] = seq;
			packets[ssrc - 1]++;
			total++;
		}
	}
	for (uint32_t i = 0; i < o->streams; i++) {
		lost += gaps[i];
	}
	printf("bare_loop rx: %llu packets in %llu recvmmsg calls, %llu lost (sequence gaps), "
	       "%llu foreign\n",
	       (unsigned long long)total, (unsigned long long)calls, (unsigned long long)lost,
	       (unsigned long long)other);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;

	if (argc != 8 || (strcmp(argv[1], "tx") != 0 && strcmp(argv[1], "rx") != 0)) {
		fprintf(stderr, "usage: bare_loop tx|rx IFNAME GROUP_BASE STREAMS CHANNELS "
				"PTIME_US SECONDS\n");
		return 2;
	}
	o.ifindex = if_nametoindex(argv[2]);
	if (o.ifindex == 0 || inet_pton(AF_INET, argv[3], &o.base) != 1 ||
	    parse_u32(argv[4], MAX_STREAMS, &o.streams) < 0 || o.streams == 0 ||
	    parse_u32(argv[5], 64, &o.channels) < 0 || o.channels == 0 ||
	    parse_u32(argv[6], 4000, &o.ptime_us) < 0 || o.ptime_us < 125 ||
	    o.ptime_us % 125 != 0 || parse_u32(argv[7], 3600, &o.seconds) < 0) {
		fprintf(stderr,
			"bare_loop: bad argument (interface %s, group %s, streams 1..%d, "
			"channels 1..64, ptime a multiple of 125 us up to 4000)\n",
			argv[2], argv[3], MAX_STREAMS);
		return 2;
	}
	return strcmp(argv[1], "tx") == 0 ? run_tx(&o) : run_rx(&o);
}
