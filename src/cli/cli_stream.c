// SPDX-License-Identifier: MIT
/*
 * The standalone-engine plumbing of `aes67 send` and `aes67 recv` (see cli_stream.h): the stop
 * flag set from signal handlers, the terminal progress line, the interface choice, and the
 * clock + engine + private device set-up and teardown in the one order that is safe (the engine
 * borrows the clock and the ring, so it goes first).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "aes67/error.h"
#include "cli_stream.h"
#include "engine_util.h"
#include "stream_sdp.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

void cli_stop_catch(void)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
}

bool cli_stop_requested(void)
{
	return stop_flag != 0;
}

void cli_progress_init(struct cli_progress *p, bool json)
{
	p->on = isatty(STDOUT_FILENO) && !json;
	p->last_s = 0;
}

bool cli_progress_due(struct cli_progress *p)
{
	time_t now = time(NULL);

	if (!p->on || now == p->last_s) {
		return false;
	}
	p->last_s = now;
	return true;
}

void cli_progress_end(const struct cli_progress *p)
{
	if (p->on) {
		printf("\n");
	}
}

int cli_pick_interface(const char *verb, const char *given, char *ifname, size_t cap)
{
	char err[512];

	if (aes67d_pick_interface(given, ifname, cap, err, sizeof(err)) < 0) {
		fprintf(stderr, "aes67 %s: %s\n", verb, err);
		return -EINVAL;
	}
	return 0;
}

int cli_engine_start(struct cli_engine *ce, const char *verb, const char *ifname,
		     const char *dev_name, uint32_t rate_hz, uint32_t play_channels,
		     uint32_t capture_channels, uint32_t capacity_frames)
{
	struct aes67d_engine_params ep = {.realtime = true, .quiet = true, .ifname = ifname};
	char err[512];
	int r;

	ce->e = NULL;
	ce->mem = NULL;
	if ((r = aes67d_clock_system_create(&ce->clk, NULL)) < 0) {
		fprintf(stderr, "aes67 %s: CLOCK_TAI is not usable: %s\n", verb, aes67_strerror(r));
		ce->clk = NULL;
		return r;
	}
	ep.clock = ce->clk;
	if ((r = aes67d_engine_create(&ce->e, &ep, err, sizeof(err))) < 0) {
		fprintf(stderr, "aes67 %s: %s\n", verb, err);
		ce->e = NULL;
		cli_engine_stop(ce);
		return r;
	}
	if (aes67d_engine_private_ring(&ce->ring, rate_hz, play_channels, capture_channels,
				       capacity_frames, &ce->mem) < 0 ||
	    (ce->dev = aes67d_engine_device_add(ce->e, dev_name, &ce->ring)) < 0) {
		fprintf(stderr, "aes67 %s: out of memory for the audio ring\n", verb);
		cli_engine_stop(ce);
		return -ENOMEM;
	}
	return 0;
}

void cli_engine_stop(struct cli_engine *ce)
{
	aes67d_engine_destroy(ce->e);
	free(ce->mem);
	if (ce->clk != NULL) {
		ce->clk->destroy(ce->clk);
	}
	ce->e = NULL;
	ce->mem = NULL;
	ce->clk = NULL;
}
