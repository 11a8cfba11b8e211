// SPDX-License-Identifier: GPL-2.0
/*
 * skap-server: the platform.
 *
 *   skap-server init  -d DIR -t TENANT -u OWNER [--password-stdin] [--san SAN]...
 *   skap-server tenant create -d DIR NAME -u OWNER [--password-stdin]
 *   skap-server tenant list -d DIR
 *   skap-server serve -d DIR [-l ADDR] [-p PORT] [--port-file FILE] [-v]
 *
 * DIR holds master.key (0600), skap.db (0600, SQLite), tls.key (0600) and
 * tls.crt. One event loop; SIGTERM and SIGINT stop it cleanly.
 */

#include "server.h"

#include <skap/file.h>
#include <skap/log.h>
#include <skap/ratelimit.h>
#include <skap/secret.h>
#include <skap/sym.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct paths {
	char master[PATH_MAX];
	char db[PATH_MAX];
	char key[PATH_MAX];
	char cert[PATH_MAX];
};

static int make_paths(const char *dir, struct paths *p)
{
	if (!dir || !*dir)
		return -EINVAL;
	if ((size_t)snprintf(p->master, sizeof(p->master), "%s/master.key", dir) >= sizeof(p->master) ||
	    (size_t)snprintf(p->db, sizeof(p->db), "%s/skap.db", dir) >= sizeof(p->db) ||
	    (size_t)snprintf(p->key, sizeof(p->key), "%s/tls.key", dir) >= sizeof(p->key) ||
	    (size_t)snprintf(p->cert, sizeof(p->cert), "%s/tls.crt", dir) >= sizeof(p->cert))
		return -ENAMETOOLONG;
	return 0;
}

/* Jansson's memory is wiped when freed: bodies carry passwords and keys. */
static void wiping_free(void *p)
{
	if (p) {
		explicit_bzero(p, malloc_usable_size(p));
		free(p);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: skap-server init  -d DIR -t TENANT -u OWNER [--password-stdin]\n"
		   "                         [--san DNS:NAME|IP:ADDRESS]...\n"
		   "       skap-server tenant create -d DIR NAME -u OWNER [--password-stdin]\n"
		   "       skap-server tenant list -d DIR\n"
		   "       skap-server serve [-c FILE] -d DIR [-l ADDR] [-p PORT] [--port-file FILE]\n"
		   "                         [--token-ttl SECONDS] [--enroll-rate N]\n"
		   "                         [--ticket-sync-ms MS] [-v]\n"
		   "                         (FILE: \"name = value\" lines, the long option names;\n"
		   "                         flags win over the file)\n"
		   "       skap-server --version\n");
}

/* The store, opened with the master key of DIR. */
static int open_store(const struct paths *p, struct skap_store **st)
{
	uint8_t *mk;
	int err;

	err = skap_secret_alloc(SKAP_MASTER_KEY_LEN, (void **)&mk);
	if (err)
		return err;
	err = skap_master_key_load(p->master, mk);
	if (err) {
		fprintf(stderr, "skap-server: %s: %s\n", p->master, strerror(-err));
	} else {
		err = skap_store_open(p->db, mk, NULL, st);
		if (err)
			fprintf(stderr, "skap-server: %s: %s\n", p->db,
				err == -EPROTO ? "written by a newer skap-server" : strerror(-err));
	}
	skap_secret_free(mk);
	return err;
}

static int read_password(int from_stdin, char *pw, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t raw[12];
	size_t n;

	if (from_stdin) {
		if (!fgets(pw, (int)size, stdin))
			return -EINVAL;
		n = strlen(pw);
		if (n && pw[n - 1] == '\n')
			pw[--n] = 0;
		return 0;
	}
	if (skap_random(raw, sizeof(raw)))
		return -EIO;
	for (size_t i = 0; i < sizeof(raw); i++) {
		pw[2 * i] = hex[raw[i] >> 4];
		pw[2 * i + 1] = hex[raw[i] & 15];
	}
	pw[2 * sizeof(raw)] = 0;
	skap_wipe(raw, sizeof(raw));
	return 1;	/* generated: to be shown */
}

/* A subjectAltName entry: DNS: and a host name, or IP: and an address. */
static int san_valid(const char *s)
{
	struct in6_addr a;

	if (!strncmp(s, "IP:", 3))
		return inet_pton(AF_INET, s + 3, &a) == 1 || inet_pton(AF_INET6, s + 3, &a) == 1;
	if (strncmp(s, "DNS:", 4) || !s[4] || strlen(s + 4) > 253)
		return 0;
	for (s += 4; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.')
			return 0;
	return 1;
}

/*
 * A tenant with its owner, in the store: KEY gets the tenant's default
 * bootstrap key (revealed, and audited as such, for the operator to copy).
 */
static int make_tenant(struct skap_store *st, const char *actor, const char *tenant,
		       const char *owner, const char *pw, char key[SKAP_BKEY_STR_SIZE])
{
	struct skap_bkey *keys = NULL;
	int64_t tid;
	size_t n;
	int err;

	err = skap_tenant_create(st, actor, tenant, &tid);
	if (!err)
		err = skap_user_create(st, actor, tid, owner, SKAP_ROLE_OWNER, pw, NULL);
	if (!err)
		err = skap_bkey_list(st, tid, 0, 1, &keys, &n);
	if (!err)
		err = n == 1 ? skap_bkey_reveal(st, actor, keys[0].id, key) : -EIO;
	free(keys);
	return err;
}

static int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "tenant", required_argument, NULL, 't' },
		{ "owner", required_argument, NULL, 'u' },
		{ "password-stdin", no_argument, NULL, 'P' },
		{ "san", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = NULL, *tenant = NULL, *owner = NULL;
	/* The development certificate's names: loopback, and each --san. */
	char san[1024] = "DNS:localhost,IP:127.0.0.1,IP:::1";
	char pw[SKAP_PASSWORD_MAX + 2], key[SKAP_BKEY_STR_SIZE];
	struct skap_store *st = NULL;
	struct paths p;
	int c, err, shown, from_stdin = 0;

	while ((c = getopt_long(argc, argv, "d:t:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 't': tenant = optarg; break;
		case 'u': owner = optarg; break;
		case 'P': from_stdin = 1; break;
		case 'S':
			if (!san_valid(optarg) ||
			    strlen(san) + 1 + strlen(optarg) >= sizeof(san)) {
				fprintf(stderr, "skap-server: --san wants DNS:NAME or IP:ADDRESS, "
						"not \"%s\"\n", optarg);
				return 2;
			}
			strcat(san, ",");
			strcat(san, optarg);
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!dir || !tenant || !owner || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!skap_store_name_valid(tenant) || !skap_store_name_valid(owner)) {
		fprintf(stderr, "skap-server: names are 1..64 of [A-Za-z0-9._-]\n");
		return 2;
	}
	if (make_paths(dir, &p)) {
		fprintf(stderr, "skap-server: %s: path too long\n", dir);
		return 2;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "skap-server: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (access(p.db, F_OK) == 0 || access(p.master, F_OK) == 0) {
		fprintf(stderr, "skap-server: %s is already initialised\n", dir);
		return 1;
	}
	shown = read_password(from_stdin, pw, sizeof(pw));
	if (shown < 0 || strlen(pw) < SKAP_PASSWORD_MIN || strlen(pw) > SKAP_PASSWORD_MAX) {
		fprintf(stderr, "skap-server: the owner's password must be 8..256 bytes\n");
		skap_wipe(pw, sizeof(pw));
		return 2;
	}
	err = skap_master_key_create(p.master);
	if (err) {
		fprintf(stderr, "skap-server: %s: %s\n", p.master, strerror(-err));
		goto out;
	}
	err = open_store(&p, &st);
	if (err)
		goto out;
	err = make_tenant(st, "system:init", tenant, owner, pw, key);
	if (err) {
		fprintf(stderr, "skap-server: initialising the database: %s\n", strerror(-err));
		goto out;
	}
	err = srv_tls_make_dev_cert(p.key, p.cert, san);
	if (err) {
		fprintf(stderr, "skap-server: making the development certificate: %s\n",
			strerror(-err));
		goto out;
	}
	printf("initialised %s: tenant %s, owner %s\n", dir, tenant, owner);
	if (shown)
		printf("owner password (shown once): %s\n", pw);
	printf("default bootstrap key: %s\n", key);
	printf("TLS certificate %s is self-signed: for development only\n", p.cert);
out:
	skap_wipe(key, sizeof(key));
	skap_wipe(pw, sizeof(pw));
	skap_store_close(st);
	return err ? 1 : 0;
}

/* tenant create: another tenant on an initialised platform (the server may run). */
static int tenant_create(const struct paths *p, const char *tenant, const char *owner,
			 int from_stdin)
{
	char pw[SKAP_PASSWORD_MAX + 2], key[SKAP_BKEY_STR_SIZE];
	struct skap_store *st = NULL;
	int err, shown;

	if (!skap_store_name_valid(tenant) || !skap_store_name_valid(owner)) {
		fprintf(stderr, "skap-server: names are 1..64 of [A-Za-z0-9._-]\n");
		return 2;
	}
	shown = read_password(from_stdin, pw, sizeof(pw));
	if (shown < 0 || strlen(pw) < SKAP_PASSWORD_MIN || strlen(pw) > SKAP_PASSWORD_MAX) {
		fprintf(stderr, "skap-server: the owner's password must be 8..256 bytes\n");
		skap_wipe(pw, sizeof(pw));
		return 2;
	}
	err = open_store(p, &st);
	if (!err) {
		err = make_tenant(st, "system:cli", tenant, owner, pw, key);
		if (err)
			fprintf(stderr, "skap-server: creating tenant %s: %s\n", tenant,
				err == -EEXIST ? "the tenant or the owner's user name exists"
					       : strerror(-err));
	}
	if (!err) {
		printf("tenant %s created, owner %s\n", tenant, owner);
		if (shown)
			printf("owner password (shown once): %s\n", pw);
		printf("default bootstrap key: %s\n", key);
	}
	skap_wipe(key, sizeof(key));
	skap_wipe(pw, sizeof(pw));
	skap_store_close(st);
	return err ? 1 : 0;
}

static int tenant_list(const struct paths *p)
{
	struct skap_store *st = NULL;
	struct skap_tenant *t = NULL;
	int64_t after = 0;
	size_t n = SKAP_STORE_LIST_MAX;
	int err = open_store(p, &st);

	if (!err)
		printf("%-6s %-24s %-7s %s\n", "ID", "NAME", "OTA_TLS", "CREATED");
	while (!err && n == SKAP_STORE_LIST_MAX) {
		err = skap_tenant_list(st, after, SKAP_STORE_LIST_MAX, &t, &n);
		for (size_t i = 0; !err && i < n; i++) {
			printf("%-6lld %-24s %-7s %lld\n", (long long)t[i].id, t[i].name,
			       t[i].ota_tls ? "on" : "off", (long long)t[i].created);
			after = t[i].id;
		}
		free(t);
		t = NULL;
	}
	if (err && st)
		fprintf(stderr, "skap-server: listing tenants: %s\n", strerror(-err));
	skap_store_close(st);
	return err ? 1 : 0;
}

/* skap-server tenant create|list: tenants on the platform's own host. */
static int cmd_tenant(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"owner", required_argument, NULL, 'u'},
		{"password-stdin", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *dir = NULL, *owner = NULL, *verb = argc >= 2 ? argv[1] : "";
	struct paths p;
	int c, from_stdin = 0;

	optind = 2;
	while ((c = getopt_long(argc, argv, "d:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'u':
			owner = optarg;
			break;
		case 'P':
			from_stdin = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!dir || make_paths(dir, &p)) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(verb, "create") && owner && optind == argc - 1)
		return tenant_create(&p, argv[optind], owner, from_stdin);
	if (!strcmp(verb, "list") && !owner && !from_stdin && optind == argc)
		return tenant_list(&p);
	usage(stderr);
	return 2;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct srv *srv = arg;

	log_info("signal %d: stopping", (int)sig);
	event_base_loopexit(srv->base, NULL);
}

/*
 * An event base whose epoll changes wait for the end of the loop's turn: a
 * bufferevent adds and removes its write event for every answer, two
 * epoll_ctl calls a request otherwise (no fd of ours is ever dup'ed, the
 * changelist's one pitfall).
 */
static struct event_base *new_base(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base;

	if (!cfg)
		return NULL;
	event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}

/* The configuration file named by -c/--config, looked for before the flags. */
static const char *config_arg(int argc, char **argv)
{
	const char *path = NULL;

	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc)
			path = argv[++i];
		else if (!strncmp(argv[i], "--config=", 9))
			path = argv[i] + 9;
	}
	return path;
}

/*
 * The heap's top is kept, not given back to the kernel whenever it is
 * free: an enrollment's buffers, freed together at its end, otherwise
 * shrank the heap and grew it again for the next, 1.8 page faults an
 * enrollment (0.2 kept). glibc's own ceiling for its moving threshold.
 */
static void keep_heap_top(void)
{
	mallopt(M_TRIM_THRESHOLD, 32 << 20);
}

static int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dir", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'F' },
		{ "token-ttl", required_argument, NULL, 'T' },
		{ "enroll-rate", required_argument, NULL, 'E' },
		{ "ticket-sync-ms", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct srv srv = { 0 };
	struct srv_serve_opts o;
	struct event *sigterm = NULL, *sigint = NULL;
	const char *config = config_arg(argc, argv), *dir, *addr, *port_file;
	unsigned long port;
	uint16_t bound = 0;
	struct paths p;
	char buf[16], msg[256];
	int c, idx, err = 1;

	keep_heap_top();
	srv_serve_opts_default(&o);
	if (config && srv_serve_config_load(config, &o))
		return 2;
	while ((c = getopt_long(argc, argv, "c:d:l:p:vh", opts, &idx)) != -1) {
		const char *name = NULL, *value = optarg;

		switch (c) {
		case 'c': continue;
		case 'd': name = "dir"; break;
		case 'l': name = "listen"; break;
		case 'p': name = "port"; break;
		case 'F': name = "port-file"; break;
		case 'T': name = "token-ttl"; break;
		case 'E': name = "enroll-rate"; break;
		case 'S': name = "ticket-sync-ms"; break;
		case 'v': name = "verbose"; value = "true"; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (srv_serve_opt(&o, name, value, msg, sizeof(msg))) {
			fprintf(stderr, "skap-server: %s\n", msg);
			return 2;
		}
	}
	if (!o.dir[0] || optind != argc) {
		usage(stderr);
		return 2;
	}
	dir = o.dir;
	addr = o.addr;
	port = o.port;
	port_file = o.port_file[0] ? o.port_file : NULL;
	srv.token_ttl = o.token_ttl;
	srv.enroll_rate = o.enroll_rate;
	srv.ticket_sync_ms = o.ticket_sync_ms;
	if (make_paths(dir, &p)) {
		fprintf(stderr, "skap-server: %s: path too long\n", dir);
		return 2;
	}
	skap_log_init("skap-server", o.verbose ? SKAP_LOG_DEBUG : SKAP_LOG_INFO);
	signal(SIGPIPE, SIG_IGN);

	if (open_store(&p, &srv.st))
		goto out;
	srv.ssl = srv_tls_ctx(p.key, p.cert);
	if (!srv.ssl) {
		log_error("TLS: cannot use %s and %s", p.cert, p.key);
		goto out;
	}
	/* Login: 5 per second per source in bursts of 20; 1 per second per
	 * account in bursts of 10. */
	srv.login_src = skap_ratelimit_new(5, 20, 65536);
	srv.login_acct = skap_ratelimit_new(1, 10, 65536);
	srv.base = new_base();
	if (!srv.login_src || !srv.login_acct || !srv.base || srv_enroll_init(&srv) ||
	    srv_batch_init(&srv)) {
		log_error("out of memory");
		goto out;
	}
	if (srv_http_start(&srv, addr, (uint16_t)port, &bound)) {
		log_error("cannot listen on %s port %lu", addr, port);
		goto out;
	}
	sigterm = evsignal_new(srv.base, SIGTERM, on_signal, &srv);
	sigint = evsignal_new(srv.base, SIGINT, on_signal, &srv);
	if (!sigterm || !sigint || evsignal_add(sigterm, NULL) || evsignal_add(sigint, NULL))
		goto out;
	if (port_file) {
		snprintf(buf, sizeof(buf), "%u\n", bound);
		if (skap_file_write_atomic(port_file, buf, strlen(buf), 0644)) {
			log_error("%s: cannot write", port_file);
			goto out;
		}
	}
	log_info("serving https://%s:%u/ (database schema %d)", addr, bound,
		 skap_store_db_version(srv.st));
	if (event_base_dispatch(srv.base) < 0)
		goto out;
	err = 0;
out:
	if (sigterm)
		event_free(sigterm);
	if (sigint)
		event_free(sigint);
	/* The last answers wait for their commit and sync; connections go after. */
	if (srv_batch_free(&srv))
		err = 1;
	else if (!err)
		log_info("stopped");
	srv_http_stop(&srv);
	if (srv.base)
		event_base_free(srv.base);
	if (srv.ssl)
		SSL_CTX_free(srv.ssl);
	skap_ratelimit_free(srv.login_src);
	skap_ratelimit_free(srv.login_acct);
	srv_enroll_free(&srv);
	skap_store_close(srv.st);
	return err;
}

int main(int argc, char **argv)
{
	json_set_alloc_funcs(malloc, wiping_free);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("skap-server %s\n", SKAP_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "init"))
		return cmd_init(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		return cmd_serve(argc - 1, argv + 1);
	if (!strcmp(argv[1], "tenant"))
		return cmd_tenant(argc - 1, argv + 1);
	fprintf(stderr, "skap-server: unknown command %s\n", argv[1]);
	usage(stderr);
	return 2;
}
