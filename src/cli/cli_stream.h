/* SPDX-License-Identifier: MIT */
/*
 * What `aes67 send` and `aes67 recv` share: both run the daemon's engine standalone (system
 * CLOCK_TAI media clock, one interface, one process-private device ring), stop on SIGINT/SIGTERM,
 * and show a once-a-second progress line on a terminal. One implementation here, so the two
 * verbs set up, report and tear down the same way.
 */
#ifndef AES67_CLI_STREAM_H
#define AES67_CLI_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "aes67/ring.h"
#include "clock.h"
#include "engine.h"

/**
 * cli_stop_catch() - from now on SIGINT and SIGTERM only set the stop flag.
 * Thread: main (installs process-wide handlers).
 */
void cli_stop_catch(void);

/* cli_stop_requested() - whether SIGINT or SIGTERM came since cli_stop_catch(). Thread: any. */
bool cli_stop_requested(void);

/* The progress line: only on a terminal and not with --json, at most once a second. */
struct cli_progress {
	bool on;
	time_t last_s;
};

/* cli_progress_init() - @json: --json was given (no progress line then). Thread: main. */
void cli_progress_init(struct cli_progress *p, bool json);

/**
 * cli_progress_due() - whether to print the line now ("\r..." then fflush); true at most once
 * per wall-clock second, and never when the line is off. Thread: main.
 */
bool cli_progress_due(struct cli_progress *p);

/* cli_progress_end() - end the progress line with a newline when it was on. Thread: main. */
void cli_progress_end(const struct cli_progress *p);

/**
 * cli_pick_interface() - the interface to use: @given, or the only suitable one of this host.
 * @verb: for the message ("send"). @ifname, @cap: receive the name (IF_NAMESIZE bytes).
 * Return: 0, or -EINVAL after "aes67 VERB: reason" on stderr (the verb exits CLI_EXIT_USAGE).
 * Thread: main.
 */
int cli_pick_interface(const char *verb, const char *given, char *ifname, size_t cap);

/* A standalone engine with one private device; fill with cli_engine_start(). */
struct cli_engine {
	struct aes67d_clock *clk;
	struct aes67d_engine *e;
	struct aes67_ring ring; /* the device's region view; the engine borrows it */
	void *mem;		/* the region's memory */
	int dev;		/* the device index in the engine */
};

/**
 * cli_engine_start() - create the system clock, the engine on @ifname (realtime when allowed,
 * quiet) and one device @dev_name over a private ring of @capacity_frames.
 * @verb: for messages ("aes67 VERB: reason" on stderr for every failure).
 * @rate_hz, @play_channels, @capture_channels: the ring's geometry.
 * Return: 0; on failure everything is undone and the error returned: the clock's, the engine's
 * (-ENODEV, -ENETDOWN, -EADDRNOTAVAIL for an unusable interface, …), or -ENOMEM for the ring.
 * Thread: main.
 */
int cli_engine_start(struct cli_engine *ce, const char *verb, const char *ifname,
		     const char *dev_name, uint32_t rate_hz, uint32_t play_channels,
		     uint32_t capture_channels, uint32_t capacity_frames);

/* cli_engine_stop() - stop the engine, free the ring, destroy the clock. Thread: main. */
void cli_engine_stop(struct cli_engine *ce);

#endif /* AES67_CLI_STREAM_H */
