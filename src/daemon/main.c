// SPDX-License-Identifier: MIT
/*
 * aes67d: the engine daemon. This file is the edge that reads the command line, checks the
 * interface, loads the configuration, opens the control socket and runs until a signal.
 *
 * Exit codes: 0 clean stop; 1 runtime failure (socket, thread, clock); 2 usage error or an
 * unusable/missing --interface (the message lists the interfaces present); 3 invalid config.
 * The daemon never chooses an interface itself (docs/aes67d.md explains why).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "aes67/error.h"
#include "daemon.h"
#include "device.h"
#include "engine_glue.h"
#include "log.h"
#include "netif.h"
#include "ptp_commands.h"
#include "sap_daemon.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define EXIT_CONFIG 3
#define EVENT_RING_CAPACITY 256

struct options {
	const char *interface;
	const char *config_path;
	const char *control_path;
	bool foreground;
	int verbose;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: aes67d --interface IF [--config FILE] [--control PATH] [--foreground] "
		   "[--verbose]\n"
		   "  -i, --interface IF   network interface for AES67 traffic (required)\n"
		   "  -c, --config FILE    JSON configuration, rewritten atomically on changes\n"
		   "  -s, --control PATH   control socket (default $XDG_RUNTIME_DIR/aes67d.sock,\n"
		   "                       /run/aes67d.sock as root)\n"
		   "  -f, --foreground     stay in the foreground and log to stderr\n"
		   "  -v, --verbose        more log output (repeat for debug)\n"
		   "  -h, --help           this text;  -V, --version  print the version\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"interface", required_argument, NULL, 'i'},
		{"config", required_argument, NULL, 'c'},
		{"control", required_argument, NULL, 's'},
		{"foreground", no_argument, NULL, 'f'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "i:c:s:fvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->interface = optarg;
			break;
		case 'c':
			o->config_path = optarg;
			break;
		case 's':
			o->control_path = optarg;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("aes67d %s\n", AES67D_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "aes67d: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* Checks the chosen interface; on failure explains and lists the interfaces present. */
static int check_interface(const char *name)
{
	struct aes67d_netif nif;
	char why[256];
	int r;

	if (name == NULL || name[0] == '\0') {
		snprintf(why, sizeof(why), "no interface given; aes67d never picks one itself");
		r = -EINVAL;
	} else if ((r = aes67d_netif_find(name, &nif)) < 0) {
		snprintf(why, sizeof(why), "interface \"%s\" does not exist", name);
	} else if ((r = aes67d_netif_usable(&nif, why, sizeof(why))) == 0) {
		return 0;
	}
	fprintf(stderr, "aes67d: %s.\nInterfaces on this host:\n", why);
	if (aes67d_netif_print_table(stderr, "  ") < 0) {
		fprintf(stderr, "  (cannot list interfaces)\n");
	}
	fprintf(stderr, "Choose one that is up, has an IPv4 address and does multicast, and run\n"
			"  aes67d --interface NAME   (or set \"interface\" in the config file)\n");
	return r;
}

static int load_config(struct aes67d *d, const struct options *o)
{
	char err[AES67D_ERR_BYTES];
	struct stat st;
	int r;

	aes67d_config_init(&d->config);
	d->config_path = o->config_path;
	if (o->config_path == NULL) {
		return 0;
	}
	if (stat(o->config_path, &st) != 0 && errno == ENOENT) {
		aes67d_log(AES67D_LOG_NOTICE, "config %s does not exist; starting empty",
			   o->config_path);
		return 0;
	}
	r = aes67d_config_load(&d->config, o->config_path, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "aes67d: config %s: %s\n", o->config_path, err);
	}
	return r;
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		return -errno;
	}
	if (pid > 0) {
		_exit(0);
	}
	if (setsid() < 0 || chdir("/") != 0) {
		return -errno;
	}
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO) {
			close(fd);
		}
	}
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Main loop: wait for a signal, draining RT events every 100 ms. */
static void run(struct aes67d_events *events)
{
	const struct timespec tick = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	for (;;) {
		int sig = sigtimedwait(&set, NULL, &tick);

		aes67d_events_drain(events, 64);
		if (sig == SIGINT || sig == SIGTERM) {
			aes67d_log(AES67D_LOG_NOTICE, "signal %d: stopping", sig);
			return;
		}
		if (sig == SIGHUP) {
			aes67d_log(AES67D_LOG_INFO, "SIGHUP ignored (reload is not implemented)");
		}
	}
}

int main(int argc, char **argv)
{
	static struct aes67d d;
	static struct aes67d_events events;
	static _Alignas(AES67_CACHELINE_BYTES) unsigned char
		ev_storage[EVENT_RING_CAPACITY * sizeof(struct aes67d_event)];
	struct aes67d_control_params cp = {0};
	struct options o = {0};
	char sock[108];
	sigset_t set;
	int status = AES67D_TAI_KERNEL_SET, r;

	if (parse_args(argc, argv, &o) < 0) {
		return EXIT_USAGE;
	}
	aes67d_log_setup("aes67d",
			 o.verbose >= 2 ? AES67D_LOG_DEBUG
					: (o.verbose == 1 ? AES67D_LOG_INFO : AES67D_LOG_NOTICE),
			 false);
	if (load_config(&d, &o) < 0) {
		return EXIT_CONFIG;
	}
	if (o.interface != NULL) {
		if (strlen(o.interface) >= sizeof(d.config.interface)) {
			fprintf(stderr, "aes67d: interface name \"%s\" is too long\n", o.interface);
			return EXIT_USAGE;
		}
		snprintf(d.config.interface, sizeof(d.config.interface), "%s", o.interface);
	}
	if (check_interface(d.config.interface) < 0) {
		return EXIT_USAGE;
	}
	if (o.control_path != NULL) {
		cp.path = o.control_path;
	} else if ((r = aes67d_control_default_path(sock, sizeof(sock))) == 0) {
		cp.path = sock;
	} else {
		fprintf(stderr, "aes67d: no control socket path: set XDG_RUNTIME_DIR or use "
				"--control PATH\n");
		return EXIT_USAGE;
	}
	r = aes67d_clock_system_create(&d.clock, &status);
	if (r < 0) {
		fprintf(stderr,
			"aes67d: CLOCK_TAI is not usable: %s (its offset from UTC must be 0 "
			"or a leap-second count)\n",
			aes67_strerror(r));
		return EXIT_RUNTIME;
	}
	if (aes67d_events_init(&events, ev_storage, sizeof(ev_storage), EVENT_RING_CAPACITY) < 0) {
		return EXIT_RUNTIME;
	}
	r = aes67d_control_create(&d.control, &cp);
	if (r < 0) {
		fprintf(stderr, "aes67d: control socket %s: %s\n", cp.path, aes67_strerror(r));
		goto out_clock;
	}
	if ((r = aes67d_commands_register(d.control, &d)) < 0) {
		goto out_parts;
	}
	/* Control commands of later parts (each owner registers above its own marker). */
	if ((r = aes67d_ptp_setup(&d)) < 0) {
		goto out_parts;
	}
	/* @hook register ptp (end) */
	/* Devices are created before the fork (memfds, mappings and the socket survive it) so the
	 * control thread never sees d.devices change; their thread starts after the fork. */
	{
		char devsock[sizeof(sock)];

		if ((r = aes67d_device_socket_path(cp.path, devsock, sizeof(devsock))) < 0 ||
		    (r = aes67d_devices_create(&d.devices, &d.config, devsock, d.clock)) < 0 ||
		    (r = aes67d_device_commands_register(d.control, &d)) < 0) {
			fprintf(stderr, "aes67d: devices (socket %s): %s\n", devsock,
				aes67_strerror(r));
			aes67d_devices_destroy(d.devices);
			d.devices = NULL;
			goto out_parts;
		}
	}
	/* @hook register device (end) */
	if ((r = aes67d_glue_create(&d)) < 0) {
		fprintf(stderr, "aes67d: engine set-up: %s\n", aes67_strerror(r));
		goto out_parts;
	}
	/* @hook register engine (end) */
	{
		char saperr[AES67D_ERR_BYTES];

		if ((r = aes67d_sap_create(&d.sap, &d, saperr, sizeof(saperr))) < 0) {
			fprintf(stderr, "aes67d: %s\n", saperr);
			goto out_parts;
		}
		if ((r = aes67d_sap_commands_register(d.control, &d)) < 0) {
			fprintf(stderr, "aes67d: SAP commands: %s\n", aes67_strerror(r));
			goto out_parts;
		}
	}
	/* @hook register sap (end) */
	if (!o.foreground) {
		aes67d_log_setup("aes67d", o.verbose >= 1 ? AES67D_LOG_DEBUG : AES67D_LOG_NOTICE,
				 true);
		if ((r = daemonize()) < 0) {
			goto out_parts;
		}
	}
	/* Signals are taken synchronously by run(); block them before any thread starts so
	 * every thread inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.pid = getpid();
	d.start_mono_ns = mono_ns();
	if ((r = aes67d_control_start(d.control)) < 0) {
		aes67d_log(AES67D_LOG_ERR, "cannot start control thread: %s", aes67_strerror(r));
		goto out_parts;
	}
	/* Start order: clock source first (PTP), then devices, streams, announcements. Each owner
	 * adds its start call above its marker; on failure it jumps to out_parts. */
	if ((r = aes67d_ptp_start(&d)) < 0) {
		goto out_parts;
	}
	/* @hook start ptp (end) */
	if ((r = aes67d_devices_start(d.devices)) < 0) {
		aes67d_log(AES67D_LOG_ERR, "cannot start device thread: %s", aes67_strerror(r));
		goto out_parts;
	}
	/* @hook start device (end) */
	aes67d_glue_start(&d); /* failures are logged and shown in status */
	/* @hook start engine (end) */
	{
		char saperr[AES67D_ERR_BYTES];

		if ((r = aes67d_sap_start(d.sap, saperr, sizeof(saperr))) < 0) {
			aes67d_log(AES67D_LOG_ERR, "%s", saperr);
			goto out_parts;
		}
	}
	/* @hook start sap (end) */
	aes67d_log(AES67D_LOG_NOTICE, "running on %s, control socket %s, clock %s%s",
		   d.config.interface, cp.path, d.clock->name,
		   status == AES67D_TAI_KERNEL_ZERO
			   ? " (kernel TAI offset is 0: adding 37 s to CLOCK_TAI)"
			   : "");
	run(&events);
	r = 0;
out_parts:
	/* The control thread stops first: its handlers reach into every part below. Then the parts
	 * stop in reverse start order (each stop is safe on a part that never started), and only
	 * then is their memory released. */
	aes67d_control_destroy(d.control);
	d.control = NULL;
	aes67d_sap_stop(d.sap);
	/* @hook stop sap (end) */
	aes67d_glue_stop(&d);
	/* @hook stop engine (end) */
	aes67d_devices_destroy(d.devices);
	d.devices = NULL;
	/* @hook stop device (end) */
	aes67d_ptp_stop(&d);
	/* @hook stop ptp (end) */
	aes67d_glue_free(&d);
	aes67d_sap_free(d.sap);
	d.sap = NULL;
out_clock:
	d.clock->destroy(d.clock);
	return r < 0 ? EXIT_RUNTIME : 0;
}
