// SPDX-License-Identifier: MIT
/*
 * aes67 send: transmit an audio file as one AES67 stream, standalone, with the same engine the
 * daemon uses (engine.h). The file (any format libsndfile reads) feeds a private device ring
 * from this thread, a little ahead of the media clock; the engine's TX thread sends packet
 * [p, p + n) with RTP timestamp p once media time reaches p + n. The first packet carries the
 * file's first frame; the last packet is padded with silence.
 *
 * The media clock is the system CLOCK_TAI stand-in (clock.h), the same clock a daemon on this
 * host uses without PTP, so standalone and daemon streams agree (reading a running daemon's
 * PTP clock page is not implemented yet).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aes67/error.h"
#include "cli.h"
#include "engine.h"
#include "engine_util.h"
#include "stream_sdp.h"

#define FEED_FRAMES 1024
#define PREFILL_MS 100

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: aes67 send FILE --to ADDR[:PORT] [--format L16|L24|L32|AM824] [--ptime "
		   "1ms]\n"
		   "                  [--name NAME] [--sdp-out FILE] [--interface IF] [--ttl N]\n"
		   "                  [--channels N] [--json]\n"
		   "  sends FILE (WAV, FLAC, ... at 44.1/48/88.2/96/176.4/192 kHz) as an AES67 "
		   "stream;\n"
		   "  default port 5004, format L24, ptime 1ms (also 125us, 250us, 333us, 4ms)\n");
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
	uint64_t ttl, channels;
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	o->format = AES67_PCM_L24;
	o->ptime_ns = 1000000;
	o->ttl = 16;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:f:p:n:o:i:T:c:jsh", lo, NULL)) != -1) {
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
		case 'h':
			usage(stdout);
			exit(CLI_EXIT_OK);
		default:
			usage(stderr);
			return -EINVAL;
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
	if (o->sap) {
		fprintf(stderr, "aes67 send: --sap is not implemented in this build; write the SDP "
				"with --sdp-out and pass it to the receiver\n");
		return -EINVAL;
	}
	return 0;
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
	struct aes67d_engine_params ep = {.realtime = true, .quiet = true};
	struct aes67d_tx_params tp;
	struct aes67d_tx_stream *s = NULL;
	struct aes67d_engine *e = NULL;
	struct aes67d_clock *clk = NULL;
	struct aes67_ring ring;
	char err[512], ifname[IF_NAMESIZE];
	SF_INFO info = {0};
	SNDFILE *sf;
	void *mem = NULL;
	int32_t *fbuf = NULL, *rbuf = NULL;
	uint64_t now_pos, pos, end, total;
	int rc = CLI_EXIT_RUNTIME, r, dev;
	bool tty = isatty(STDOUT_FILENO);
	time_t t0 = time(NULL), last_print = 0;

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
	if (aes67d_pick_interface(o.ifname, ifname, sizeof(ifname), err, sizeof(err)) < 0) {
		fprintf(stderr, "aes67 send: %s\n", err);
		rc = CLI_EXIT_USAGE;
		goto out_sf;
	}
	if ((r = aes67d_clock_system_create(&clk, NULL)) < 0) {
		fprintf(stderr, "aes67 send: CLOCK_TAI is not usable: %s\n", aes67_strerror(r));
		goto out_sf;
	}
	ep.clock = clk;
	ep.ifname = ifname;
	if ((r = aes67d_engine_create(&e, &ep, err, sizeof(err))) < 0) {
		fprintf(stderr, "aes67 send: %s\n", err);
		rc = r == -ENODEV || r == -ENETDOWN || r == -EADDRNOTAVAIL ? CLI_EXIT_USAGE : rc;
		goto out_clock;
	}
	if (aes67d_engine_private_ring(&ring, tp.rate_hz, tp.channels, 0, ring_capacity(tp.rate_hz),
				       &mem) < 0 ||
	    (dev = aes67d_engine_device_add(e, "send", &ring)) < 0) {
		fprintf(stderr, "aes67 send: out of memory for the audio ring\n");
		goto out_engine;
	}
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
	if (o.sdp_out != NULL) {
		char sdp[2048];
		FILE *f;

		r = aes67d_stream_sdp_tx(&tp, aes67d_engine_interface(e),
					 (uint64_t)time(NULL) + 2208988800u, 1, sdp, sizeof(sdp));
		f = r >= 0 ? fopen(o.sdp_out, "w") : NULL;
		if (f == NULL || fwrite(sdp, 1, (size_t)r, f) != (size_t)r || fclose(f) != 0) {
			fprintf(stderr, "aes67 send: cannot write the SDP to %s: %s\n", o.sdp_out,
				r < 0 ? aes67_strerror(r) : strerror(errno));
			goto out_engine;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	pos = tp.start_pos;
	/* Write the first chunk before the TX thread can need it. */
	if ((r = aes67d_engine_tx_add(e, &tp, dev, &s, err, sizeof(err))) < 0) {
		fprintf(stderr, "aes67 send: %s\n", err);
		goto out_engine;
	}
	while (!stop_flag) {
		const struct timespec nap = {.tv_sec = 0, .tv_nsec = 5 * 1000 * 1000};
		int state = atomic_load(&s->state);

		if (state == AES67D_STREAM_FINISHED) {
			break;
		}
		if (aes67d_engine_now_pos(e, tp.rate_hz, &now_pos) == 0 &&
		    pos < tp.start_pos + total && pos < now_pos + ring.play.capacity_frames / 2) {
			sf_count_t got = sf_readf_int(sf, fbuf, FEED_FRAMES);

			if (got <= 0) {
				total = pos - tp.start_pos; /* file shorter than it said */
				continue;
			}
			remap(rbuf, fbuf, got, info.channels, tp.channels);
			if (aes67_ring_write(&ring.play, pos, rbuf, (uint32_t)got) < 0) {
				fprintf(stderr, "aes67 send: ring write failed\n");
				break;
			}
			pos += (uint64_t)got;
			continue;
		}
		if (tty && !o.json && time(NULL) != last_print) {
			last_print = time(NULL);
			fprintf(stdout, "\r%llu packets, %llu errors ",
				(unsigned long long)atomic_load(&s->c.packets),
				(unsigned long long)atomic_load(&s->c.send_errors));
			fflush(stdout);
		}
		nanosleep(&nap, NULL);
	}
	if (tty && !o.json) {
		printf("\n");
	}
	print_stats(&o, s, difftime(time(NULL), t0));
	rc = atomic_load(&s->c.send_errors) == 0 ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
out_engine:
	aes67d_engine_destroy(e);
	free(mem);
	free(fbuf);
	free(rbuf);
out_clock:
	clk->destroy(clk);
out_sf:
	sf_close(sf);
	return rc;
}
