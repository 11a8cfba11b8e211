// SPDX-License-Identifier: GPL-2.0
/*
 * skapd: the gateway daemon. This file is the command line: it picks the
 * mode and hands over to the file that implements it.
 */

#include "daemon.h"
#include "enroll.h"

#include <skap/config.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CONFIG "/etc/skap/skapd.conf"

static void usage(FILE *out)
{
	fprintf(out, "usage: skapd [-c FILE]                 run in the foreground\n"
		     "       skapd enroll --method M ...       enroll with the platform (skapd "
		     "enroll -h)\n"
		     "       skapd bootstrap -k KEY ...        the same, OTA_QUANTUM with a "
		     "bootstrap key\n"
		     "       skapd [-c FILE] --check-config\n"
		     "       skapd --version | --help\n"
		     "\n"
		     "  -c, --config FILE   configuration file (default " DEFAULT_CONFIG ")\n"
		     "      --check-config  check the configuration, print every error as\n"
		     "                      FILE:LINE: message, exit 0 only if it is valid\n");
}

/* Prints a summary of a valid configuration: what skapd would set up. */
static void print_summary(const char *path, const struct skap_daemon_config *cfg)
{
	char peer[64], local[64], sel[64];

	printf("%s: valid; platform %s; %zu link%s\n", path, cfg->platform_url, cfg->n_links,
	       cfg->n_links == 1 ? "" : "s");
	for (size_t i = 0; i < cfg->n_links; i++) {
		const struct skap_link_config *l = &cfg->links[i];

		skap_endpoint_format(&l->peer, peer, sizeof(peer));
		skap_endpoint_format(&l->local, local, sizeof(local));
		printf("  link %s: peer %s at %s from %s, %s, %s, lifetime %llu s (rekey after "
		       "%llu s)\n",
		       l->name, l->peer_id, peer, local,
		       l->mode == SKAP_LINK_TUNNEL ? "tunnel" : "transport",
		       l->start == SKAP_START_ON_DEMAND ? "on demand" : "immediate",
		       (unsigned long long)l->lifetime_s, (unsigned long long)l->rekey_after_s);
		for (size_t j = 0; j < l->n_local_sel; j++) {
			skap_prefix_format(&l->local_sel[j], sel, sizeof(sel));
			printf("    local  %s\n", sel);
		}
		for (size_t j = 0; j < l->n_remote_sel; j++) {
			skap_prefix_format(&l->remote_sel[j], sel, sizeof(sel));
			printf("    remote %s\n", sel);
		}
	}
}

static int check_config(const char *path)
{
	struct skap_daemon_config cfg;
	struct skap_config_diag diag;
	int ret;

	ret = skap_config_load(path, &cfg, &diag);
	if (ret) {
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "%s\n", diag.msgs[i]);
		if (!diag.n)
			fprintf(stderr, "%s: %s\n", path, strerror(-ret));
		fprintf(stderr, "%s: %zu error%s\n", path, diag.n, diag.n == 1 ? "" : "s");
		skap_config_diag_free(&diag);
		return 1;
	}
	print_summary(path, &cfg);
	skap_config_free(&cfg);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", no_argument, NULL, 'C'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *config = DEFAULT_CONFIG;
	int check = 0, opt;

	/*
	 * A platform connection closed under a write, or a control client that
	 * hangs up before its answer, must cost an EPIPE, not skapd.
	 */
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && (!strcmp(argv[1], "enroll") || !strcmp(argv[1], "bootstrap")))
		return skapd_enroll_main(argc - 1, argv + 1, !strcmp(argv[1], "bootstrap"));

	while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'C':
			check = 1;
			break;
		case 'V':
			printf("skapd %s\n", SKAP_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "skapd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (check)
		return check_config(config);
	return skapd_run(config);
}
