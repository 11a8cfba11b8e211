// SPDX-License-Identifier: GPL-2.0
/*
 * skapd enroll / skapd bootstrap: the device's one-time enrollment
 * (docs/protocol.md section 6). It makes the identity, prints its
 * fingerprint, tells the platform what the operator will recognise it by,
 * keeps the DMK and, once approved, the certificate; it waits while
 * pending with a visible state. The credential lives in memory only.
 */

#include "enroll.h"
#include "identity.h"

#include <skap/b64.h>
#include <skap/config.h>
#include <skap/platform.h>
#include <skap/secret.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define MAX_ITEMS 16

/* Exit statuses a script can tell apart. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,	   /* network, files */
	EXIT_USAGE = 2,
	EXIT_REFUSED = 3,  /* the platform refused the credential */
	EXIT_REJECTED = 4, /* an operator rejected or revoked the device */
	EXIT_PENDING = 5,  /* --no-wait and still pending */
};

struct report_buf {
	char host[256];
	char macs[MAX_ITEMS][24];
	char addrs[MAX_ITEMS][INET6_ADDRSTRLEN];
	const char *mac_p[MAX_ITEMS], *addr_p[MAX_ITEMS];
	struct skap_device_report r;
};

/* Host name, MACs and addresses, skipping loopback: what the pending list shows. */
static void gather_report(struct report_buf *b, const char *name)
{
	struct ifaddrs *ifa, *i;

	memset(b, 0, sizeof(*b));
	if (gethostname(b->host, sizeof(b->host) - 1) || !b->host[0])
		snprintf(b->host, sizeof(b->host), "unknown");
	b->r.hostname = b->host;
	b->r.name = name;
	b->r.macs = b->mac_p;
	b->r.addresses = b->addr_p;
	if (getifaddrs(&ifa))
		return;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (i->ifa_addr->sa_family == AF_PACKET && b->r.n_macs < MAX_ITEMS) {
			const struct sockaddr_ll *ll = (const void *)i->ifa_addr;
			char *m = b->macs[b->r.n_macs];

			if (ll->sll_halen != 6)
				continue;
			snprintf(m, 24, "%02x:%02x:%02x:%02x:%02x:%02x", ll->sll_addr[0],
				 ll->sll_addr[1], ll->sll_addr[2], ll->sll_addr[3], ll->sll_addr[4],
				 ll->sll_addr[5]);
			b->mac_p[b->r.n_macs++] = m;
		} else if ((i->ifa_addr->sa_family == AF_INET ||
			    i->ifa_addr->sa_family == AF_INET6) &&
			   b->r.n_addresses < MAX_ITEMS) {
			const void *a = i->ifa_addr->sa_family == AF_INET ?
						(const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr :
						(const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			char *t = b->addrs[b->r.n_addresses];

			if (inet_ntop(i->ifa_addr->sa_family, a, t, INET6_ADDRSTRLEN))
				b->addr_p[b->r.n_addresses++] = t;
		}
	}
	freeifaddrs(ifa);
}

/* One line of FILE (a password or a QKEY), without its newline, into OUT. */
static int read_line(const char *path, char *out, size_t size)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	int ok;

	if (!f)
		return -errno;
	ok = fgets(out, (int)size, f) != NULL;
	if (f != stdin)
		fclose(f);
	out[strcspn(out, "\n")] = '\0';
	return ok && out[0] ? 0 : -EINVAL;
}

static int prompt_password(char *out, size_t size)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO), ret;

	fprintf(stderr, "password: ");
	if (tty && !tcgetattr(STDIN_FILENO, &old)) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	ret = read_line("-", out, size);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fprintf(stderr, "\n");
	}
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: skapd enroll --method qkey|ota-quantum|ota-tls\n"
		"                    (--bootstrap-key KEY | --user NAME [--password-file FILE])\n"
		"                    [--qkey-id ID --qkey-file FILE] [--name NAME]\n"
		"                    [--server URL] [--ca FILE] [--state-dir DIR] [-c CONFIG]\n"
		"                    [--no-wait]\n"
		"       skapd enroll --wait [-c CONFIG]     wait for an enrollment already made\n"
		"       skapd bootstrap -k KEY [same options] (OTA_QUANTUM with a bootstrap key)\n"
		"exit: 0 approved, 1 failed, 2 usage, 3 refused, 4 rejected or revoked,\n"
		"      5 still pending (--no-wait)\n");
}

struct enroll_opts {
	struct skap_enroll_params p;
	const char *server, *ca, *state_dir, *config;
	char password[300];
	char qkey_text[64];
	uint8_t *qkey;
	int wait_only, no_wait;
};

static int open_platform(const struct enroll_opts *o, const struct skapd_identity *idn,
			 struct skap_https **h)
{
	struct skap_https_opts ho = { .url = o->server, .ca_file = o->ca };
	char msg[256];
	int ret;

	if (idn && idn->cert) {
		ho.cert_seed = idn->seed;
		ho.cert_pem = idn->cert;
	}
	ret = skap_https_open(&ho, h, msg, sizeof(msg));
	if (ret)
		fprintf(stderr, "skapd: cannot reach the platform at %s: %s\n", o->server, msg);
	return ret;
}

/* Polls the status until approved, rejected or revoked; back-off 2 s to 60 s. */
static int wait_approval(const struct enroll_opts *o, struct skapd_identity *idn)
{
	unsigned int delay = 2;

	for (;;) {
		struct skap_platform_error err;
		struct skap_status_answer st;
		struct skap_https *h;
		int ret = open_platform(o, NULL, &h);

		if (!ret) {
			ret = skap_platform_status(h, idn->id, idn->dmk, &st, &err);
			skap_https_close(h);
		}
		if (!ret) {
			int done = strcmp(st.state, "pending") != 0;

			skapd_identity_save_status(o->state_dir, idn, st.state, st.certificate,
						   st.ca);
			if (!strcmp(st.state, "approved") && st.certificate) {
				printf("state: approved; certificate stored in %s/cert.pem\n",
				       o->state_dir);
				skap_status_answer_free(&st);
				return EXIT_OK;
			}
			if (done && strcmp(st.state, "approved")) {
				printf("state: %s%s%s\n", st.state, st.reason[0] ? ": " : "",
				       st.reason);
				fprintf(stderr, "skapd: the platform's operator %s this device%s%s\n",
					st.state, st.reason[0] ? ": " : "", st.reason);
				skap_status_answer_free(&st);
				return EXIT_REJECTED;
			}
			skap_status_answer_free(&st);
			printf("state: pending (waiting for an operator; next check in %u s)\n",
			       delay);
		} else if (ret == -EACCES) {
			fprintf(stderr, "skapd: status refused: %s\n", err.message);
		}
		fflush(stdout);
		if (o->no_wait)
			return EXIT_PENDING;
		sleep(delay);
		delay = delay * 2 > 60 ? 60 : delay * 2;
	}
}

static int do_enroll(struct enroll_opts *o)
{
	struct skap_platform_error err;
	struct skap_enroll_answer ans;
	struct skapd_identity idn;
	struct skap_ed25519_signer *signer = NULL;
	struct report_buf rep;
	struct skap_https *h;
	int ret, dev;

	ret = skapd_identity_load(o->state_dir, &idn);
	if (o->wait_only) {
		if (ret || !idn.id[0]) {
			fprintf(stderr, "skapd: no enrollment in %s: run skapd enroll first\n",
				o->state_dir);
			if (!ret)
				skapd_identity_free(&idn);
			return EXIT_FAIL;
		}
		ret = wait_approval(o, &idn);
		skapd_identity_free(&idn);
		return ret;
	}
	if (!ret && idn.id[0]) {
		fprintf(stderr, "skapd: %s already holds device %s (%s); use --wait, or a new "
				"--state-dir\n", o->state_dir, idn.id, idn.state);
		skapd_identity_free(&idn);
		return EXIT_FAIL;
	}
	/* A key made by an earlier attempt that lost its answer is used again. */
	if (ret == -ENOENT)
		ret = skapd_identity_create(o->state_dir, &idn);
	if (ret) {
		fprintf(stderr, "skapd: the identity in %s: %s\n", o->state_dir, strerror(-ret));
		return EXIT_FAIL;
	}
	printf("fingerprint: %s\n", idn.fingerprint);
	gather_report(&rep, o->p.report ? o->p.report->name : NULL);
	o->p.report = &rep.r;
	if (o->p.method == SKAP_ENROLL_OTA_TLS)
		fprintf(stderr, "skapd: warning: OTA_TLS is for development only\n");
	if (open_platform(o, NULL, &h)) {
		skapd_identity_free(&idn);
		return EXIT_FAIL;
	}
	ret = skap_ed25519_signer_new(idn.seed, NULL, &signer);
	if (!ret)
		ret = skap_platform_enroll(h, &o->p, signer, idn.pub, &ans, &err);
	skap_ed25519_signer_free(signer);
	skap_https_close(h);
	skap_wipe(o->password, sizeof(o->password));
	if (ret) {
		if (ret == -EACCES)
			fprintf(stderr, "skapd: enrollment refused: %s (HTTP %d)\n", err.message,
				err.status);
		else
			fprintf(stderr, "skapd: enrollment failed: %s\n", strerror(-ret));
		skapd_identity_free(&idn);
		return ret == -EACCES ? EXIT_REFUSED : EXIT_FAIL;
	}
	snprintf(idn.id, sizeof(idn.id), "%s", ans.device_id);
	snprintf(idn.state, sizeof(idn.state), "%.15s", ans.state);
	snprintf(idn.tenant, sizeof(idn.tenant), "%s", ans.tenant);
	snprintf(idn.group, sizeof(idn.group), "%s", ans.group);
	if (!skap_secret_alloc(SKAP_DMK_LEN, (void **)&idn.dmk))
		memcpy(idn.dmk, ans.dmk, SKAP_DMK_LEN);
	ret = idn.dmk ? skapd_identity_save_enrollment(o->state_dir, &idn, ans.dmk) : -ENOMEM;
	dev = ans.development;
	skap_wipe(&ans, sizeof(ans));
	if (ret) {
		fprintf(stderr, "skapd: storing the enrollment in %s: %s\n", o->state_dir,
			strerror(-ret));
		skapd_identity_free(&idn);
		return EXIT_FAIL;
	}
	printf("device id: %s\ntenant: %s, group %s\nstate: %s%s\n", idn.id, idn.tenant, idn.group,
	       idn.state, dev ? " (OTA_TLS: development only)" : "");
	fflush(stdout);
	ret = wait_approval(o, &idn);
	skapd_identity_free(&idn);
	return ret;
}

/* Defaults from the configuration file, when there is one. */
static int apply_config(struct enroll_opts *o, struct skap_daemon_config *cfg)
{
	struct skap_config_diag diag;
	int ret;

	if (!o->config)
		return 0;
	ret = skap_config_load(o->config, cfg, &diag);
	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "%s\n", diag.msgs[i]);
	skap_config_diag_free(&diag);
	if (ret)
		return ret;
	if (!o->server && cfg->platform_url[0])
		o->server = cfg->platform_url;
	if (!o->ca && cfg->ca_file[0])
		o->ca = cfg->ca_file;
	if (!o->state_dir)
		o->state_dir = cfg->state_dir;
	return 0;
}

int skapd_enroll_main(int argc, char **argv, int bootstrap)
{
	static const struct option opts[] = {
		{ "method", required_argument, NULL, 'm' },
		{ "bootstrap-key", required_argument, NULL, 'k' },
		{ "user", required_argument, NULL, 'u' },
		{ "password-file", required_argument, NULL, 'P' },
		{ "qkey-id", required_argument, NULL, 'q' },
		{ "qkey-file", required_argument, NULL, 'Q' },
		{ "name", required_argument, NULL, 'n' },
		{ "server", required_argument, NULL, 's' },
		{ "ca", required_argument, NULL, 'a' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "wait", no_argument, NULL, 'W' },
		{ "no-wait", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct enroll_opts o = { .p.method = SKAP_ENROLL_OTA_QUANTUM };
	struct skap_daemon_config cfg = { 0 };
	struct skap_device_report name_only = { 0 };
	const char *password_file = NULL, *qkey_file = NULL;
	uint8_t qkey[SKAP_QKEY_LEN];
	int c, method_given = 0, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+k:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (skap_enroll_method_parse(optarg, &o.p.method) || bootstrap) {
				usage(stderr);
				return EXIT_USAGE;
			}
			method_given = 1;
			break;
		case 'k': o.p.cred.bootstrap_key = optarg; break;
		case 'u': o.p.cred.user = optarg; break;
		case 'P': password_file = optarg; break;
		case 'q': o.p.qkey_id = optarg; break;
		case 'Q': qkey_file = optarg; break;
		case 'n': name_only.name = optarg; o.p.report = &name_only; break;
		case 's': o.server = optarg; break;
		case 'a': o.ca = optarg; break;
		case 'd': o.state_dir = optarg; break;
		case 'c': o.config = optarg; break;
		case 'W': o.wait_only = 1; break;
		case 'N': o.no_wait = 1; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc || apply_config(&o, &cfg)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!o.state_dir)
		o.state_dir = SKAP_DEFAULT_STATE_DIR;
	if (!o.server || !o.ca) {
		fprintf(stderr, "skapd: the platform's URL and CA are needed (--server, --ca, or "
				"platform and ca in the configuration)\n");
		ret = EXIT_USAGE;
		goto out;
	}
	if (!o.wait_only) {
		if (bootstrap ? !o.p.cred.bootstrap_key :
				(!method_given || !!o.p.cred.bootstrap_key == !!o.p.cred.user)) {
			usage(stderr);
			ret = EXIT_USAGE;
			goto out;
		}
		if (o.p.cred.user) {
			ret = password_file ? read_line(password_file, o.password, sizeof(o.password)) :
					      prompt_password(o.password, sizeof(o.password));
			if (ret) {
				fprintf(stderr, "skapd: no password read\n");
				ret = EXIT_USAGE;
				goto out;
			}
			o.p.cred.password = o.password;
		}
		if (o.p.method == SKAP_ENROLL_QKEY) {
			if (!o.p.qkey_id || !qkey_file ||
			    read_line(qkey_file, o.qkey_text, sizeof(o.qkey_text)) ||
			    skap_b64_decode_exact(o.qkey_text, qkey, sizeof(qkey))) {
				fprintf(stderr, "skapd: QKEY needs --qkey-id and --qkey-file holding "
						"the base64 of 32 bytes\n");
				ret = EXIT_USAGE;
				goto out;
			}
			o.p.qkey = qkey;
		}
	}
	ret = do_enroll(&o);
out:
	skap_wipe(qkey, sizeof(qkey));
	skap_wipe(&o, sizeof(o));
	skap_config_free(&cfg);
	return ret;
}
