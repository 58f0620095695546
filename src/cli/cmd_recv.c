// SPDX-License-Identifier: MIT
/*
 * aes67 recv: receive one AES67 stream into an audio file, standalone, with the same engine
 * the daemon uses. The engine's RX thread places packets by RTP timestamp + link offset into a
 * private capture ring; this thread copies the ring to the file through libsndfile, starting at
 * the first received packet's frame. A lost packet reads as silence of exactly its length, so
 * the file keeps the stream's timing and loss can be counted from it.
 *
 * Stops on --duration, SIGINT/SIGTERM, or --idle-exit S seconds after the last packet (also
 * when no packet came within S seconds of the start, exit code 1). --duration S bounds the run
 * in wall time whatever arrives: the file holds at most S seconds from the first packet, and the
 * receive loop ends S seconds after the stream was set up even if the sender never started or
 * stopped early (exit code 1 when nothing came). The media clock is the
 * system CLOCK_TAI stand-in (clock.h), as for `aes67 send`.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <net/if.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aes67/error.h"
#include "cli.h"
#include "cli_common.h"
#include "cli_stream.h"
#include "engine.h"
#include "engine_util.h"
#include "stream_sdp.h"

#define CHUNK_FRAMES 1024
#define SDP_MAX_BYTES 8192

/* Weak: the SAP part provides it (sessions.c); without it --session says so. */
extern int cli_session_find(const char *ifname, const char *name, double wait_s, char *sdp,
			    size_t sdp_cap) __attribute__((weak));

static void usage(FILE *f)
{
	fprintf(f, "usage: aes67 recv (--sdp FILE | --session NAME | --from ADDR[:PORT] --format "
		   "L24/48000/8)\n"
		   "                  --out FILE [--duration S] [--idle-exit S] [--interface IF]\n"
		   "                  [--link-offset-us N] [--json]\n");
}

struct recv_opts {
	const char *sdp, *session, *from, *format, *out, *ifname;
	uint64_t duration_s, idle_s, link_us;
	bool have_link, json;
};

static int parse(int argc, char **argv, struct recv_opts *o)
{
	static const struct option lo[] = {
		{"sdp", required_argument, NULL, 's'},
		{"session", required_argument, NULL, 'S'},
		{"from", required_argument, NULL, 'F'},
		{"format", required_argument, NULL, 'f'},
		{"out", required_argument, NULL, 'o'},
		{"duration", required_argument, NULL, 'd'},
		{"idle-exit", required_argument, NULL, 'x'},
		{"interface", required_argument, NULL, 'i'},
		{"link-offset-us", required_argument, NULL, 'l'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, sources;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:S:F:f:o:d:x:i:l:jh", lo, NULL)) != -1) {
		const char *bad = NULL;

		switch (c) {
		case 's':
			o->sdp = optarg;
			break;
		case 'S':
			o->session = optarg;
			break;
		case 'F':
			o->from = optarg;
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'd':
			bad = aes67d_parse_u64(optarg, 86400, &o->duration_s) < 0 ? "--duration"
										  : NULL;
			break;
		case 'x':
			bad = aes67d_parse_u64(optarg, 86400, &o->idle_s) < 0 ? "--idle-exit"
									      : NULL;
			break;
		case 'i':
			o->ifname = optarg;
			break;
		case 'l':
			bad = aes67d_parse_u64(optarg, 1000000, &o->link_us) < 0
				      ? "--link-offset-us"
				      : NULL;
			o->have_link = true;
			break;
		case 'j':
			o->json = true;
			break;
		default:
			return cli_opt_help_or_bad(c, usage);
		}
		if (bad != NULL) {
			fprintf(stderr,
				"aes67 recv: %s %s: give whole seconds (microseconds for "
				"--link-offset-us, at most 1000000)\n",
				bad, optarg);
			return -EINVAL;
		}
	}
	sources = (o->sdp != NULL) + (o->session != NULL) + (o->from != NULL);
	if (sources != 1 || o->out == NULL || optind != argc ||
	    (o->from != NULL && o->format == NULL)) {
		fprintf(stderr, "aes67 recv: %s\n",
			sources != 1	 ? "give exactly one of --sdp, --session, --from"
			: o->out == NULL ? "--out FILE is required"
			: optind != argc
				? "unexpected argument"
				: "--from needs --format ENC/RATE/CHANNELS, e.g. L24/48000/2");
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* "L24/48000/8" -> format, rate, channels. */
static int parse_format(const char *text, struct aes67d_rx_params *p)
{
	char enc[8];
	const char *a = strchr(text, '/'), *b = a != NULL ? strchr(a + 1, '/') : NULL;
	char rate[16], ch[8];
	uint64_t r, c;

	if (a == NULL || b == NULL || (size_t)(a - text) >= sizeof(enc) ||
	    (size_t)(b - a - 1) >= sizeof(rate) || strlen(b + 1) >= sizeof(ch)) {
		return -EINVAL;
	}
	memcpy(enc, text, (size_t)(a - text));
	enc[a - text] = '\0';
	memcpy(rate, a + 1, (size_t)(b - a - 1));
	rate[b - a - 1] = '\0';
	memcpy(ch, b + 1, strlen(b + 1) + 1);
	if (aes67d_parse_format(enc, &p->format) < 0 || aes67d_parse_u64(rate, 384000, &r) < 0 ||
	    aes67d_parse_u64(ch, 64, &c) < 0 || r == 0 || c == 0) {
		return -EINVAL;
	}
	p->rate_hz = (uint32_t)r;
	p->channels = (uint32_t)c;
	p->frames_per_packet = p->rate_hz / 1000;
	return 0;
}

static int read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		return -errno;
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n == cap ? -EFBIG : (int)n;
}

static int open_out(const char *path, const struct aes67d_rx_params *p, SNDFILE **out)
{
	const char *dot = strrchr(path, '.');
	SF_INFO info = {.samplerate = (int)p->rate_hz, .channels = (int)p->channels};
	int major = SF_FORMAT_WAV, sub = SF_FORMAT_PCM_24;

	if (dot != NULL && strcasecmp(dot, ".flac") == 0) {
		major = SF_FORMAT_FLAC;
	} else if (dot != NULL && (strcasecmp(dot, ".aif") == 0 || strcasecmp(dot, ".aiff") == 0)) {
		major = SF_FORMAT_AIFF;
	}
	if (p->format == AES67_PCM_L16) {
		sub = SF_FORMAT_PCM_16;
	} else if (p->format == AES67_PCM_L32) {
		sub = SF_FORMAT_PCM_32;
	}
	info.format = major | sub;
	if (!sf_format_check(&info)) {
		return -EINVAL;
	}
	*out = sf_open(path, SFM_WRITE, &info);
	return *out != NULL ? 0 : -EIO;
}

static double level_dbfs(const int32_t *buf, size_t n)
{
	double peak = 0;

	for (size_t i = 0; i < n; i++) {
		double v = fabs((double)buf[i]) / 2147483648.0;

		peak = v > peak ? v : peak;
	}
	return peak > 0 ? 20 * log10(peak) : -120.0;
}

static void print_stats(const struct recv_opts *o, const struct aes67d_rx_stream *s,
			uint64_t frames)
{
	unsigned long long v[13] = {atomic_load(&s->c.packets),
				    atomic_load(&s->c.lost),
				    atomic_load(&s->c.late),
				    atomic_load(&s->c.reordered),
				    atomic_load(&s->c.duplicates),
				    atomic_load(&s->c.ssrc_changes),
				    atomic_load(&s->c.resyncs),
				    atomic_load(&s->c.malformed),
				    atomic_load(&s->c.too_early),
				    atomic_load(&s->c.filtered),
				    atomic_load(&s->c.bytes),
				    atomic_load(&s->c.rescued),
				    atomic_load(&s->c.delay_max_frames)};
	double jitter_us = (double)atomic_load(&s->c.jitter_rtp) * 1e6 / s->p.rate_hz;

	if (o->json) {
		printf("{\"packets\":%llu,\"lost\":%llu,\"late\":%llu,\"reordered\":%llu,"
		       "\"duplicates\":%llu,\"ssrc_changes\":%llu,\"resyncs\":%llu,"
		       "\"malformed\":%llu,\"too_early\":%llu,\"filtered\":%llu,\"bytes\":%llu,"
		       "\"rescued\":%llu,\"delay_max_frames\":%llu,\"jitter_us\":%.1f,"
		       "\"frames_written\":%llu}\n",
		       v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11],
		       v[12], jitter_us, (unsigned long long)frames);
	} else {
		printf("received %llu packets, lost %llu, late %llu, reordered %llu, duplicates "
		       "%llu, ssrc changes %llu, resyncs %llu, malformed %llu, jitter %.1f us, "
		       "%llu frames written\n",
		       v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], jitter_us,
		       (unsigned long long)frames);
	}
}

static uint64_t secs_to_ns(uint64_t s)
{
	return s * 1000000000ull;
}

/* Resolves the stream's parameters from --sdp, --session or --from/--format. */
static int resolve(const struct recv_opts *o, const char *ifname, struct aes67d_rx_params *p)
{
	char *sdp = NULL, err[512];
	int r;

	if (o->from != NULL) {
		if (aes67d_net_parse_addr(o->from, 5004, &p->group) < 0 ||
		    parse_format(o->format, p) < 0) {
			fprintf(stderr,
				"aes67 recv: --from %s --format %s: give ADDR[:PORT] and "
				"ENC/RATE/CHANNELS, e.g. 239.69.1.1:5004 L24/48000/2\n",
				o->from, o->format);
			return CLI_EXIT_USAGE;
		}
		p->link_offset_frames = 0;
		return 0;
	}
	sdp = malloc(SDP_MAX_BYTES);
	if (sdp == NULL) {
		return CLI_EXIT_RUNTIME;
	}
	if (o->sdp != NULL) {
		r = read_file(o->sdp, sdp, SDP_MAX_BYTES);
		if (r < 0) {
			fprintf(stderr, "aes67 recv: cannot read SDP %s: %s\n", o->sdp,
				r == -EFBIG ? "larger than 8 KiB" : strerror(-r));
			free(sdp);
			return CLI_EXIT_INPUT;
		}
	} else if (cli_session_find == NULL) {
		fprintf(stderr, "aes67 recv: --session needs SAP discovery, not in this build; "
				"use --sdp FILE or --from\n");
		free(sdp);
		return CLI_EXIT_USAGE;
	} else {
		r = cli_session_find(ifname, o->session, 10.0, sdp, SDP_MAX_BYTES);
		if (r < 0) {
			fprintf(stderr,
				"aes67 recv: session \"%s\" not announced on %s within 10 s (%s); "
				"check the name with `aes67 list`\n",
				o->session, ifname, aes67_strerror(r));
			free(sdp);
			return CLI_EXIT_INPUT;
		}
	}
	p->link_offset_frames = 0;
	r = aes67d_stream_sdp_rx(sdp, (size_t)r, p, err, sizeof(err));
	free(sdp);
	if (r < 0) {
		fprintf(stderr, "aes67 recv: %s\n", err);
		return CLI_EXIT_INPUT;
	}
	return 0;
}

int cli_recv(int argc, char **argv)
{
	struct recv_opts o = {0};
	struct aes67d_rx_params rp;
	struct aes67d_rx_stream *s = NULL;
	struct cli_engine ce;
	struct aes67d_clock *clk;
	struct cli_progress progress;
	char err[512], ifname[IF_NAMESIZE];
	SNDFILE *sf = NULL;
	int32_t *buf = NULL;
	uint64_t pos = 0, written = 0, limit = UINT64_MAX, start_ns = 0, now_ns = 0;
	int rc = CLI_EXIT_RUNTIME, r;
	bool started = false, idle = false, timed_out = false;

	if (parse(argc, argv, &o) < 0) {
		return CLI_EXIT_USAGE;
	}
	if (cli_pick_interface("recv", o.ifname, ifname, sizeof(ifname)) < 0) {
		return CLI_EXIT_USAGE;
	}
	aes67d_rx_params_init(&rp);
	snprintf(rp.name, sizeof(rp.name), "aes67-recv");
	if ((r = resolve(&o, ifname, &rp)) != 0) {
		return r;
	}
	rp.link_offset_frames =
		o.have_link
			? (uint32_t)(o.link_us * rp.rate_hz / 1000000)
			: aes67d_rx_default_link_offset_frames(rp.rate_hz, rp.frames_per_packet);
	if (open_out(o.out, &rp, &sf) < 0) {
		fprintf(stderr, "aes67 recv: cannot write %s as %s at %u Hz, %u channels: %s\n",
			o.out, aes67d_format_name(rp.format), rp.rate_hz, rp.channels,
			sf_strerror(NULL));
		return CLI_EXIT_INPUT;
	}
	if (cli_engine_start(&ce, "recv", ifname, "recv", rp.rate_hz, 0, rp.channels, 1u << 16) <
	    0) {
		goto out_sf;
	}
	clk = ce.clk;
	buf = calloc((size_t)CHUNK_FRAMES * rp.channels, sizeof(int32_t));
	if (buf == NULL) {
		fprintf(stderr, "aes67 recv: out of memory for the audio ring\n");
		goto out_engine;
	}
	if ((r = aes67d_engine_rx_add(ce.e, &rp, ce.dev, &s, err, sizeof(err))) < 0) {
		fprintf(stderr, "aes67 recv: %s\n", err);
		rc = r == -AES67_ERANGE ? CLI_EXIT_INPUT : CLI_EXIT_RUNTIME;
		goto out_engine;
	}
	cli_stop_catch();
	cli_progress_init(&progress, o.json);
	if (clk->now_ns(clk, &start_ns) < 0) {
		goto out_engine;
	}
	for (;;) {
		const struct timespec nap = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
		uint64_t first = atomic_load_explicit(&s->c.first_pos, memory_order_acquire);
		uint64_t end = atomic_load_explicit(&s->c.last_end_pos, memory_order_acquire);
		uint64_t last_ns = atomic_load(&s->c.last_arrival_ns), avail;
		bool stopping = cli_stop_requested();

		if (clk->now_ns(clk, &now_ns) < 0) {
			break;
		}
		if (!started && first != AES67D_RX_NO_POS) {
			started = true;
			pos = first;
			if (o.duration_s > 0) {
				limit = first + o.duration_s * rp.rate_hz;
			}
		}
		if (o.idle_s > 0 &&
		    now_ns > (started ? last_ns : start_ns) + secs_to_ns(o.idle_s)) {
			idle = true;
			stopping = true;
		}
		/* The media-position limit alone never ends the run when packets stop coming. */
		if (o.duration_s > 0 && now_ns >= start_ns + secs_to_ns(o.duration_s)) {
			timed_out = true;
			stopping = true;
		}
		if (!started) {
			if (stopping) {
				break;
			}
			nanosleep(&nap, NULL);
			continue;
		}
		if (stopping && end < limit) {
			limit = end;
		}
		/* Never past the last packet received: a gap before it is loss (silence of its
		 * exact length), positions after it may still come. */
		avail = aes67_ring_write_pos(&ce.ring.capture);
		avail = avail < end ? avail : end;
		while (pos < limit && pos < avail) {
			uint64_t k = avail - pos < CHUNK_FRAMES ? avail - pos : CHUNK_FRAMES;

			k = limit - pos < k ? limit - pos : k;
			if (aes67_ring_read(&ce.ring.capture, pos, buf, (uint32_t)k, NULL) < 0) {
				fprintf(stderr, "aes67 recv: fell behind the capture ring by more "
						"than its capacity\n");
			}
			if (sf_writef_int(sf, buf, (sf_count_t)k) != (sf_count_t)k) {
				fprintf(stderr, "aes67 recv: writing %s: %s\n", o.out,
					sf_strerror(sf));
				goto out_engine;
			}
			pos += k;
			written += k;
		}
		if (pos >= limit) {
			break;
		}
		/* Frames past the deadline that still are not in the ring within the link offset
		 * never will be in time: the wall-time bound wins. */
		if (timed_out && now_ns >= start_ns + secs_to_ns(o.duration_s) + 500000000ull) {
			break;
		}
		if (cli_progress_due(&progress)) {
			printf("\r%llu packets, lost %llu, level %.1f dBFS ",
			       (unsigned long long)atomic_load(&s->c.packets),
			       (unsigned long long)atomic_load(&s->c.lost),
			       level_dbfs(buf, (size_t)CHUNK_FRAMES * rp.channels));
			fflush(stdout);
		}
		nanosleep(&nap, NULL);
	}
	cli_progress_end(&progress);
	print_stats(&o, s, written);
	if (!started) {
		fprintf(stderr,
			"aes67 recv: no packet received%s; check the address, port and "
			"--interface, and that the sender runs\n",
			idle	    ? " before --idle-exit"
			: timed_out ? " within --duration"
				    : "");
		rc = CLI_EXIT_RUNTIME;
	} else {
		rc = CLI_EXIT_OK;
	}
out_engine:
	cli_engine_stop(&ce);
	free(buf);
out_sf:
	if (sf_close(sf) != 0) {
		fprintf(stderr, "aes67 recv: closing %s failed\n", o.out);
		rc = CLI_EXIT_RUNTIME;
	}
	return rc;
}
