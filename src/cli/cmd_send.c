// SPDX-License-Identifier: MIT
/*
 * aes67 send: transmit an audio file as one AES67 stream, standalone, with the same engine the
 * daemon uses (engine.h). The file (any format libsndfile reads) feeds a private device ring
 * from this thread, a little ahead of the media clock; the engine's TX thread sends packet
 * [p, p + n) with RTP timestamp p once media time reaches p + n. The first packet carries the
 * file's first frame; the last packet is padded with silence.
 *
 * --sap announces the stream's SDP with SAP (RFC 2974) to 239.255.255.255:9875 on the chosen
 * interface while it runs (every --sap-interval seconds, 5 by default, as AES67 practice
 * announces far more often than RFC 2974 §3.1 would) and sends a deletion (§4) at the end.
 *
 * The media clock is the system CLOCK_TAI stand-in (clock.h), the same clock a daemon on this
 * host uses without PTP, so standalone and daemon streams agree (reading a running daemon's
 * PTP clock page is not implemented yet).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "aes67/error.h"
#include "aes67/sap.h"
#include "cli.h"
#include "cli_common.h"
#include "cli_stream.h"
#include "engine.h"
#include "engine_util.h"
#include "stream_sdp.h"

#define FEED_FRAMES 1024
#define PREFILL_MS 100
#define SAP_GROUP 0xefffffffu /* 239.255.255.255 (RFC 2974 §3) */
#define SAP_PORT 9875
#define SAP_DEFAULT_INTERVAL_S 5
#define SDP_BYTES 2048

static void usage(FILE *f)
{
	fprintf(f, "usage: aes67 send FILE --to ADDR[:PORT] [--format L16|L24|L32|AM824] [--ptime "
		   "1ms]\n"
		   "                  [--name NAME] [--sdp-out FILE] [--interface IF] [--ttl N]\n"
		   "                  [--channels N] [--sap [--sap-interval S]] [--json]\n"
		   "  sends FILE (WAV, FLAC, ... at 44.1/48/88.2/96/176.4/192 kHz) as an AES67 "
		   "stream;\n"
		   "  default port 5004, format L24, ptime 1ms (also 125us, 250us, 333us, 4ms);\n"
		   "  --sap announces it to 239.255.255.255:9875 every S s (default 5, 1..300)\n");
}

static uint32_t ring_capacity(uint32_t rate_hz)
{
	uint32_t c = AES67_RING_CAPACITY_MIN;

	while (c < rate_hz && c < AES67_RING_CAPACITY_MAX) {
		c <<= 1;
	}
	return c; /* about a second */
}

struct send_opts {
	const char *file, *to, *name, *sdp_out, *ifname;
	enum aes67_pcm_format format;
	uint32_t ptime_ns;
	uint64_t ttl, channels, sap_interval_s;
	bool json, sap;
};

static int parse(int argc, char **argv, struct send_opts *o)
{
	static const struct option lo[] = {
		{"to", required_argument, NULL, 't'},
		{"format", required_argument, NULL, 'f'},
		{"ptime", required_argument, NULL, 'p'},
		{"name", required_argument, NULL, 'n'},
		{"sdp-out", required_argument, NULL, 'o'},
		{"interface", required_argument, NULL, 'i'},
		{"ttl", required_argument, NULL, 'T'},
		{"channels", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"sap", no_argument, NULL, 's'},
		{"sap-interval", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	o->format = AES67_PCM_L24;
	o->ptime_ns = 1000000;
	o->ttl = 16;
	o->sap_interval_s = SAP_DEFAULT_INTERVAL_S;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:f:p:n:o:i:T:c:jsS:h", lo, NULL)) != -1) {
		switch (c) {
		case 't':
			o->to = optarg;
			break;
		case 'f':
			if (aes67d_parse_format(optarg, &o->format) < 0) {
				fprintf(stderr,
					"aes67 send: --format %s: use L16, L24, L32 or AM824\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'p':
			if (aes67d_parse_ptime(optarg, &o->ptime_ns) < 0) {
				fprintf(stderr,
					"aes67 send: --ptime %s: use 125us, 250us, 333us, 1ms or "
					"4ms\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'o':
			o->sdp_out = optarg;
			break;
		case 'i':
			o->ifname = optarg;
			break;
		case 'T':
			if (aes67d_parse_u64(optarg, 255, &o->ttl) < 0 || o->ttl == 0) {
				fprintf(stderr, "aes67 send: --ttl %s: use 1..255\n", optarg);
				return -EINVAL;
			}
			break;
		case 'c':
			if (aes67d_parse_u64(optarg, 64, &o->channels) < 0 || o->channels == 0) {
				fprintf(stderr, "aes67 send: --channels %s: use 1..64\n", optarg);
				return -EINVAL;
			}
			break;
		case 'j':
			o->json = true;
			break;
		case 's':
			o->sap = true;
			break;
		case 'S':
			if (aes67d_parse_u64(optarg, 300, &o->sap_interval_s) < 0 ||
			    o->sap_interval_s == 0) {
				fprintf(stderr,
					"aes67 send: --sap-interval %s: use 1..300 seconds\n",
					optarg);
				return -EINVAL;
			}
			break;
		default:
			return cli_opt_help_or_bad(c, usage);
		}
	}
	if (optind + 1 != argc || o->to == NULL) {
		fprintf(stderr, "aes67 send: %s\n",
			o->to == NULL ? "--to ADDR[:PORT] is required"
				      : "exactly one FILE to send");
		usage(stderr);
		return -EINVAL;
	}
	o->file = argv[optind];
	return 0;
}

/* The SAP announcer of one stream: its socket and the encoded announcement. */
struct sap_tx {
	int fd;
	struct sockaddr_in to;
	struct aes67_sap_msg msg;
	uint8_t pkt[SDP_BYTES + 64];
	int len;
};

/* Opens the SAP socket on @nif (RFC 2974 §3: TTL as the session's) and encodes the ad. */
static int sap_open(struct sap_tx *a, const struct aes67d_net_if *nif, unsigned ttl,
		    const char *sdp, size_t sdp_len)
{
	struct ip_mreqn mreq = {.imr_address = nif->addr, .imr_ifindex = (int)nif->index};
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr = nif->addr};
	int t = (int)ttl;

	memset(&a->msg, 0, sizeof(a->msg));
	a->msg.origin.family = 4;
	memcpy(a->msg.origin.addr, &nif->addr, 4);
	a->msg.msg_id_hash = aes67_sap_msg_id_hash((const uint8_t *)sdp, sdp_len);
	a->msg.payload = (const uint8_t *)sdp;
	a->msg.payload_bytes = sdp_len;
	a->len = aes67_sap_encode(a->pkt, sizeof(a->pkt), &a->msg);
	if (a->len < 0) {
		return a->len;
	}
	a->to = (struct sockaddr_in){.sin_family = AF_INET,
				     .sin_port = htons(SAP_PORT),
				     .sin_addr.s_addr = htonl(SAP_GROUP)};
	a->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (a->fd < 0) {
		return -errno;
	}
	if (bind(a->fd, (const struct sockaddr *)&me, sizeof(me)) != 0 ||
	    setsockopt(a->fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof(mreq)) != 0 ||
	    setsockopt(a->fd, IPPROTO_IP, IP_MULTICAST_TTL, &t, sizeof(t)) != 0) {
		int r = -errno;

		close(a->fd);
		a->fd = -1;
		return r;
	}
	return 0;
}

/* Sends the announcement, or (@deletion) the RFC 2974 §4 deletion; returns 0 or -errno. */
static int sap_send(struct sap_tx *a, bool deletion)
{
	if (deletion) {
		a->msg.deletion = true;
		a->len = aes67_sap_encode(a->pkt, sizeof(a->pkt), &a->msg);
		if (a->len < 0) {
			return a->len;
		}
	}
	if (sendto(a->fd, a->pkt, (size_t)a->len, 0, (const struct sockaddr *)&a->to,
		   sizeof(a->to)) != a->len) {
		return -errno;
	}
	return 0;
}

static uint64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* Copies file frames (fch channels) into ring frames (rch channels): extra channels silent. */
static void remap(int32_t *dst, const int32_t *src, sf_count_t frames, int fch, uint32_t rch)
{
	for (sf_count_t f = 0; f < frames; f++) {
		for (uint32_t c = 0; c < rch; c++) {
			dst[f * rch + c] = c < (uint32_t)fch ? src[f * fch + c] : 0;
		}
	}
}

static void print_stats(const struct send_opts *o, const struct aes67d_tx_stream *s, double secs)
{
	unsigned long long pk = atomic_load(&s->c.packets), by = atomic_load(&s->c.bytes),
			   er = atomic_load(&s->c.send_errors),
			   un = atomic_load(&s->c.underrun_frames),
			   late = atomic_load(&s->c.late_ticks);

	if (o->json) {
		printf("{\"packets\":%llu,\"bytes\":%llu,\"send_errors\":%llu,"
		       "\"underrun_frames\":%llu,\"late_ticks\":%llu,\"ssrc\":%u,\"seconds\":%.3f}"
		       "\n",
		       pk, by, er, un, late, s->p.ssrc, secs);
	} else {
		printf("sent %llu packets (%llu payload bytes), %llu send errors, %llu frames of "
		       "underrun, %llu late ticks, ssrc %08x, %.2f s\n",
		       pk, by, er, un, late, s->p.ssrc, secs);
	}
}

int cli_send(int argc, char **argv)
{
	struct send_opts o = {0};
	struct aes67d_tx_params tp;
	struct aes67d_tx_stream *s = NULL;
	struct aes67d_engine *e;
	struct cli_engine ce;
	struct cli_progress progress;
	char err[512], ifname[IF_NAMESIZE];
	SF_INFO info = {0};
	SNDFILE *sf;
	int32_t *fbuf = NULL, *rbuf = NULL;
	uint64_t now_pos, pos, end, total, next_sap_s = 0;
	struct sap_tx sap = {.fd = -1};
	char sdp[SDP_BYTES];
	int sdp_len = 0;
	int rc = CLI_EXIT_RUNTIME, r;
	time_t t0 = time(NULL);

	if (parse(argc, argv, &o) < 0) {
		return CLI_EXIT_USAGE;
	}
	aes67d_tx_params_init(&tp);
	if (aes67d_net_parse_addr(o.to, 5004, &tp.dest) < 0) {
		fprintf(stderr, "aes67 send: --to %s: give an IPv4 address, e.g. 239.69.1.1:5004\n",
			o.to);
		return CLI_EXIT_USAGE;
	}
	sf = sf_open(o.file, SFM_READ, &info);
	if (sf == NULL) {
		fprintf(stderr, "aes67 send: %s: %s (give a WAV/FLAC/AIFF file libsndfile reads)\n",
			o.file, sf_strerror(NULL));
		return CLI_EXIT_INPUT;
	}
	snprintf(tp.name, sizeof(tp.name), "%s", o.name != NULL ? o.name : "aes67-send");
	tp.format = o.format;
	tp.rate_hz = (uint32_t)info.samplerate;
	tp.channels = o.channels != 0 ? (uint32_t)o.channels : (uint32_t)info.channels;
	tp.ptime_ns = o.ptime_ns;
	tp.frames_per_packet = aes67d_ptime_frames(o.ptime_ns, tp.rate_hz);
	tp.ttl = (uint32_t)o.ttl;
	if ((r = aes67d_tx_params_check(&tp, err, sizeof(err))) < 0) {
		fprintf(stderr, "aes67 send: %s: %s\n", o.file, err);
		rc = r == -EMSGSIZE ? CLI_EXIT_USAGE : CLI_EXIT_INPUT;
		goto out_sf;
	}
	if (cli_pick_interface("send", o.ifname, ifname, sizeof(ifname)) < 0) {
		rc = CLI_EXIT_USAGE;
		goto out_sf;
	}
	if ((r = cli_engine_start(&ce, "send", ifname, "send", tp.rate_hz, tp.channels, 0,
				  ring_capacity(tp.rate_hz))) < 0) {
		/* An interface that is missing, down or without an address is a usage error. */
		rc = r == -ENODEV || r == -ENETDOWN || r == -EADDRNOTAVAIL ? CLI_EXIT_USAGE : rc;
		goto out_sf;
	}
	e = ce.e;
	fbuf = calloc((size_t)FEED_FRAMES * (size_t)info.channels, sizeof(int32_t));
	rbuf = calloc((size_t)FEED_FRAMES * tp.channels, sizeof(int32_t));
	if (fbuf == NULL || rbuf == NULL || aes67d_engine_now_pos(e, tp.rate_hz, &now_pos) < 0) {
		fprintf(stderr, "aes67 send: out of memory or no media clock\n");
		goto out_engine;
	}
	/* Start a little ahead so the ring is filled before the first packet is due. */
	total = (uint64_t)info.frames;
	tp.start_pos = (now_pos + (uint64_t)tp.rate_hz * PREFILL_MS / 1000) / tp.frames_per_packet *
		       tp.frames_per_packet;
	end = tp.start_pos +
	      (total + tp.frames_per_packet - 1) / tp.frames_per_packet * tp.frames_per_packet;
	tp.end_pos = end > tp.start_pos ? end : tp.start_pos + tp.frames_per_packet;
	if (o.sdp_out != NULL || o.sap) {
		sdp_len = aes67d_stream_sdp_tx(&tp, aes67d_engine_interface(e),
					       (uint64_t)time(NULL) + 2208988800u, 1, sdp,
					       sizeof(sdp));
		if (sdp_len < 0) {
			fprintf(stderr, "aes67 send: cannot describe the stream: %s\n",
				aes67_strerror(sdp_len));
			goto out_engine;
		}
	}
	if (o.sdp_out != NULL) {
		FILE *f = fopen(o.sdp_out, "w");

		if (f == NULL || fwrite(sdp, 1, (size_t)sdp_len, f) != (size_t)sdp_len ||
		    fclose(f) != 0) {
			fprintf(stderr, "aes67 send: cannot write the SDP to %s: %s\n", o.sdp_out,
				strerror(errno));
			goto out_engine;
		}
	}
	if (o.sap && (r = sap_open(&sap, aes67d_engine_interface(e), (unsigned)o.ttl, sdp,
				   (size_t)sdp_len)) < 0) {
		fprintf(stderr, "aes67 send: SAP socket on %s: %s\n", ifname, aes67_strerror(r));
		goto out_engine;
	}
	cli_stop_catch();
	cli_progress_init(&progress, o.json);
	pos = tp.start_pos;
	/* Write the first chunk before the TX thread can need it. */
	if ((r = aes67d_engine_tx_add(e, &tp, ce.dev, &s, err, sizeof(err))) < 0) {
		fprintf(stderr, "aes67 send: %s\n", err);
		goto out_engine;
	}
	while (!cli_stop_requested()) {
		const struct timespec nap = {.tv_sec = 0, .tv_nsec = 5 * 1000 * 1000};
		int state = atomic_load(&s->state);

		if (state == AES67D_STREAM_FINISHED) {
			break;
		}
		if (sap.fd >= 0 && mono_s() >= next_sap_s) {
			if ((r = sap_send(&sap, false)) < 0) {
				fprintf(stderr, "aes67 send: SAP announcement: %s\n",
					aes67_strerror(r));
			}
			next_sap_s = mono_s() + o.sap_interval_s;
		}
		if (aes67d_engine_now_pos(e, tp.rate_hz, &now_pos) == 0 &&
		    pos < tp.start_pos + total &&
		    pos < now_pos + ce.ring.play.capacity_frames / 2) {
			sf_count_t got = sf_readf_int(sf, fbuf, FEED_FRAMES);

			if (got <= 0) {
				total = pos - tp.start_pos; /* file shorter than it said */
				continue;
			}
			remap(rbuf, fbuf, got, info.channels, tp.channels);
			if (aes67_ring_write(&ce.ring.play, pos, rbuf, (uint32_t)got) < 0) {
				fprintf(stderr, "aes67 send: ring write failed\n");
				break;
			}
			pos += (uint64_t)got;
			continue;
		}
		if (cli_progress_due(&progress)) {
			fprintf(stdout, "\r%llu packets, %llu errors ",
				(unsigned long long)atomic_load(&s->c.packets),
				(unsigned long long)atomic_load(&s->c.send_errors));
			fflush(stdout);
		}
		nanosleep(&nap, NULL);
	}
	cli_progress_end(&progress);
	print_stats(&o, s, difftime(time(NULL), t0));
	rc = atomic_load(&s->c.send_errors) == 0 ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
out_engine:
	if (sap.fd >= 0) {
		if ((r = sap_send(&sap, true)) < 0) {
			fprintf(stderr, "aes67 send: SAP deletion: %s\n", aes67_strerror(r));
		}
		close(sap.fd);
	}
	cli_engine_stop(&ce);
	free(fbuf);
	free(rbuf);
out_sf:
	sf_close(sf);
	return rc;
}
