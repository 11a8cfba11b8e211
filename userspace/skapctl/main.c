// SPDX-License-Identifier: GPL-2.0
/*
 * skapctl: the platform's administration from the shell. Object then verb
 * (`skapctl bootstrap-key create b7 --auto-accept`), tables for people,
 * -j/--json for scripts (the server's JSON answer, unchanged).
 *
 * The local commands (status, links, sas, keys, reload: local.c) ask this
 * gateway's skapd over its control socket instead, with no session.
 *
 * Exit status: 0 success; 1 the server or skapd refused (4xx/5xx, or
 * skapd's error; the message on stderr); 2 usage; 3 the server could not
 * be reached (TLS, network); 4 not logged in or the session expired (401);
 * 5 skapd is not running or its control socket is unreachable.
 */

#include "client.h"
#include "local.h"

#include <skap/file.h>
#include <skap/secret.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EXIT_REFUSED	1
#define EXIT_USAGE	2
#define EXIT_UNREACHABLE 3
#define EXIT_AUTH	4

struct ctl {
	struct ctl_conn conn;
	int json;
	char session_path[PATH_MAX];
	json_t *session;	/* the saved session file, or NULL */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: skapctl [-s https://HOST:PORT] [--ca FILE] [-k] [-j] OBJECT VERB [ARGS]\n"
		"       skapctl [-j] status|links|sas|keys|reload [--socket PATH]\n"
		"\n"
		"This gateway's skapd (its control socket, default " SKAPCTL_DEFAULT_SOCKET "):\n"
		"  status        enrollment, platform, configuration, uptime\n"
		"  links         each link's state, last negotiation, last error\n"
		"  sas           SAs: SPI, link, key id, keyring serial, counters\n"
		"  keys          keys: id, peer, link, expiry (never their bytes)\n"
		"  reload        re-read skapd.conf, as SIGHUP does\n"
		"\n"
		"The platform:\n"
		"  login -u USER [--password-stdin]     start a session (saved 0600)\n"
		"  logout\n"
		"  tenant show\n"
		"  tenant set --ota-tls on|off              (owner; OTA_TLS is for development "
		"only)\n"
		"  user list [--after ID] [--limit N]\n"
		"  user create NAME --role ROLE [--password-stdin]\n"
		"  bootstrap-key list [--after ID] [--limit N]\n"
		"  bootstrap-key show ID\n"
		"  bootstrap-key create NAME [--description TEXT] [--group NAME]\n"
		"                        [--auto-accept|--manual-accept] [--expires UNIXTIME]\n"
		"                        [--max-uses N]\n"
		"  bootstrap-key edit ID [--name NAME] [same options] [--disable|--enable]\n"
		"  bootstrap-key reveal ID\n"
		"  bootstrap-key delete ID\n"
		"  device list [--state pending|approved|rejected|revoked]\n"
		"  device show ID\n"
		"  device approve ID | reject ID [--reason TEXT] | revoke ID [--reason TEXT]\n"
		"  device rename ID NAME | move ID [--group NAME] [--network NAME]\n"
		"  device set-role ID gateway|initiator|responder | delete ID | rebind ID\n"
		"  network list | show ID | delete ID\n"
		"  network create NAME [--description TEXT]\n"
		"  network update ID [--name NAME] [--description TEXT]\n"
		"  group list | show ID | delete ID\n"
		"  group create NAME [--network NAME] [--config-file FILE]\n"
		"  group update ID [--name NAME] [--network NAME|--default-network]\n"
		"                  [--config-file FILE]\n"
		"  peering list | show ID | accept ID | reject ID | end ID\n"
		"  peering request --network MINE --peer-tenant TENANT --peer-network THEIRS\n"
		"  qkey create [--id QKEY_ID] [--device-name NAME] [--expires UNIXTIME]\n"
		"  qkey list\n"
		"  qkey delete QKEY_ID\n"
		"  audit list [--after ID] [--limit N]\n"
		"\n"
		"Roles: owner, admin, operator, enroller, auditor.\n"
		"Environment: SKAPCTL_SESSION (session file), SKAP_SERVER, SKAP_CA, SKAP_TOKEN.\n"
		"Exit: 0 ok, 1 refused by the server or skapd, 2 usage, 3 unreachable,\n"
		"      4 not logged in, 5 skapd not running or its socket unreachable.\n");
}

/* ---- session file ---- */

static void session_path(struct ctl *c)
{
	const char *p = getenv("SKAPCTL_SESSION"), *home = getenv("HOME");

	if (p && *p)
		snprintf(c->session_path, sizeof(c->session_path), "%s", p);
	else
		snprintf(c->session_path, sizeof(c->session_path), "%s/.config/skapctl/session",
			 home && *home ? home : ".");
}

static void session_load(struct ctl *c)
{
	unsigned char *data = NULL;
	size_t len;

	if (skap_file_read(c->session_path, 65536, 1, &data, &len))
		return;
	c->session = json_loadb((const char *)data, len, 0, NULL);
	skap_file_free(data, len);
}

static const char *session_str(struct ctl *c, const char *key)
{
	return c->session ? json_string_value(json_object_get(c->session, key)) : NULL;
}

static int mkdir_parent(const char *path)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	if (mkdir(dir, 0700) && errno == ENOENT) {
		if (mkdir_parent(dir))
			return -1;
		return mkdir(dir, 0700) && errno != EEXIST ? -1 : 0;
	}
	return 0;
}

static int session_save(struct ctl *c, const char *token)
{
	json_t *s = json_pack("{s:s,s:s,s:b}", "server", c->conn.server, "token", token,
			      "insecure", c->conn.insecure);
	char *text;
	int err;

	if (c->conn.ca)
		json_object_set_new(s, "ca", json_string(c->conn.ca));
	text = json_dumps(s, JSON_INDENT(1));
	json_decref(s);
	if (!text)
		return -ENOMEM;
	mkdir_parent(c->session_path);
	err = skap_file_write_atomic(c->session_path, text, strlen(text), 0600);
	skap_wipe(text, strlen(text));
	free(text);
	return err;
}

/* ---- requests and answers ---- */

/* Sends, prints errors; returns an exit status, *REPLY on 2xx. */
static int call(struct ctl *c, const char *method, const char *path, json_t *body,
		json_t **reply)
{
	json_t *r = NULL;
	int status = ctl_request(&c->conn, method, path, body, &r);

	json_decref(body);
	*reply = NULL;
	if (status < 0)
		return EXIT_UNREACHABLE;
	if (status >= 200 && status < 300) {
		*reply = r;
		return 0;
	}
	if (c->json && r) {
		char *t = json_dumps(r, JSON_INDENT(2));

		if (t)
			fprintf(stderr, "%s\n", t);
		free(t);
	} else {
		const char *msg = json_string_value(json_object_get(json_object_get(r, "error"),
								    "message"));

		fprintf(stderr, "skapctl: %s (HTTP %d)\n", msg ? msg : "refused", status);
	}
	json_decref(r);
	if (status == 401) {
		if (!c->json)
			fprintf(stderr, "skapctl: log in with `skapctl login -u USER`\n");
		return EXIT_AUTH;
	}
	return EXIT_REFUSED;
}

/* Prints R as JSON (with -j) and frees it; 0. */
static int print_json(json_t *r)
{
	char *t = json_dumps(r, JSON_INDENT(2) | JSON_SORT_KEYS);

	if (t) {
		printf("%s\n", t);
		skap_wipe(t, strlen(t));
		free(t);
	}
	json_decref(r);
	return 0;
}

static const char *s_of(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static long long i_of(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static const char *when(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t)
		return "-";
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%MZ", &tm);
	return buf;
}

static int read_secret(const char *prompt, int from_stdin, char *out, size_t size)
{
	size_t n;

	if (!from_stdin && isatty(STDIN_FILENO)) {
		char *p = getpass(prompt);

		if (!p)
			return -1;
		snprintf(out, size, "%s", p);
		skap_wipe(p, strlen(p));
		return 0;
	}
	if (!fgets(out, (int)size, stdin))
		return -1;
	n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[--n] = 0;
	return 0;
}

/* A positive id from S, or -1. */
static long long parse_id(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	return !*s || *end || errno || v < 1 ? -1 : v;
}

static int parse_nonneg(const char *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return !*s || *end || errno || *v < 0 ? -1 : 0;
}

/* --after/--limit into "?after=..&limit=.." */
static int page_query(int argc, char **argv, char *q, size_t size)
{
	static const struct option opts[] = {
		{ "after", required_argument, NULL, 'a' },
		{ "limit", required_argument, NULL, 'n' },
		{ 0 },
	};
	long long after = 0, limit = 100;
	int o;

	optind = 0;
	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (o == 'a' && !parse_nonneg(optarg, &after))
			continue;
		if (o == 'n' && !parse_nonneg(optarg, &limit) && limit >= 1 && limit <= 1000)
			continue;
		return -1;
	}
	if (optind != argc)
		return -1;
	snprintf(q, size, "?after=%lld&limit=%lld", after, limit);
	return 0;
}

/* ---- commands ---- */

static int cmd_login(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "password-stdin", no_argument, NULL, 'P' },
		{ 0 },
	};
	char pw[300];
	const char *user = NULL;
	int o, rc, from_stdin = 0;
	json_t *r;

	optind = 0;
	while ((o = getopt_long(argc, argv, "+u:", opts, NULL)) != -1) {
		if (o == 'u')
			user = optarg;
		else if (o == 'P')
			from_stdin = 1;
		else
			return EXIT_USAGE;
	}
	if (!user || optind != argc || !c->conn.server) {
		fprintf(stderr, "skapctl: login needs -s https://HOST:PORT and -u USER\n");
		return EXIT_USAGE;
	}
	if (read_secret("Password: ", from_stdin, pw, sizeof(pw))) {
		fprintf(stderr, "skapctl: no password given\n");
		return EXIT_USAGE;
	}
	c->conn.token = NULL;
	rc = call(c, "POST", "/login", json_pack("{s:s,s:s}", "user", user, "password", pw), &r);
	skap_wipe(pw, sizeof(pw));
	if (rc)
		return rc == EXIT_AUTH ? EXIT_REFUSED : rc;
	if (session_save(c, s_of(r, "token"))) {
		fprintf(stderr, "skapctl: cannot write %s\n", c->session_path);
		json_decref(r);
		return EXIT_REFUSED;
	}
	if (c->json) {
		json_object_del(r, "token");	/* kept in the session file only */
		return print_json(r);
	}
	printf("logged in as %s (%s) until %s\n", s_of(r, "user"), s_of(r, "role"),
	       when(i_of(r, "expires"), (char[32]){ 0 }, 32));
	json_decref(r);
	return 0;
}

static int cmd_logout(struct ctl *c, int argc, char **argv)
{
	json_t *r;
	int rc;

	if (argc != 1)
		return EXIT_USAGE;
	rc = call(c, "POST", "/logout", NULL, &r);
	json_decref(r);
	if (!rc || rc == EXIT_AUTH)
		unlink(c->session_path);
	return rc;
}

static int cmd_tenant(struct ctl *c, int argc, char **argv)
{
	json_t *r;
	int rc;

	if (argc == 4 && !strcmp(argv[1], "set") && !strcmp(argv[2], "--ota-tls") &&
	    (!strcmp(argv[3], "on") || !strcmp(argv[3], "off")))
		rc = call(c, "PATCH", "/tenant",
			  json_pack("{s:b}", "ota_tls", !strcmp(argv[3], "on")), &r);
	else if (argc == 2 && !strcmp(argv[1], "show"))
		rc = call(c, "GET", "/tenant", NULL, &r);
	else
		return EXIT_USAGE;
	if (rc)
		return rc;
	if (c->json)
		return print_json(r);
	printf("tenant %s (id %lld), OTA_TLS %s\n", s_of(r, "name"), i_of(r, "id"),
	       json_is_true(json_object_get(r, "ota_tls")) ? "on (development only)" : "off");
	json_decref(r);
	return 0;
}

static int cmd_user(struct ctl *c, int argc, char **argv)
{
	char q[64], pw[300];
	size_t i;
	json_t *r, *u;
	int rc;

	if (argc >= 2 && !strcmp(argv[1], "list")) {
		if (page_query(argc - 1, argv + 1, q, sizeof(q)))
			return EXIT_USAGE;
		char path[96];

		snprintf(path, sizeof(path), "/users%s", q);
		rc = call(c, "GET", path, NULL, &r);
		if (rc)
			return rc;
		if (c->json)
			return print_json(r);
		printf("%-6s %-24s %-9s %s\n", "ID", "NAME", "ROLE", "STATE");
		json_array_foreach(json_object_get(r, "items"), i, u)
			printf("%-6lld %-24s %-9s %s\n", i_of(u, "id"), s_of(u, "name"),
			       s_of(u, "role"),
			       json_is_true(json_object_get(u, "disabled")) ? "disabled" : "enabled");
		if (i_of(r, "next"))
			printf("(more: --after %lld)\n", i_of(r, "next"));
		json_decref(r);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "create")) {
		static const struct option opts[] = {
			{ "role", required_argument, NULL, 'r' },
			{ "password-stdin", no_argument, NULL, 'P' },
			{ 0 },
		};
		const char *name = argv[2], *role = NULL;
		int o, from_stdin = 0;

		optind = 0;
		while ((o = getopt_long(argc - 2, argv + 2, "+", opts, NULL)) != -1) {
			if (o == 'r')
				role = optarg;
			else if (o == 'P')
				from_stdin = 1;
			else
				return EXIT_USAGE;
		}
		if (!role || optind != argc - 2)
			return EXIT_USAGE;
		if (read_secret("New user's password: ", from_stdin, pw, sizeof(pw)))
			return EXIT_USAGE;
		rc = call(c, "POST", "/users",
			  json_pack("{s:s,s:s,s:s}", "name", name, "role", role, "password", pw), &r);
		skap_wipe(pw, sizeof(pw));
		if (rc)
			return rc;
		if (c->json)
			return print_json(r);
		printf("user %s (id %lld) created with role %s\n", s_of(r, "name"), i_of(r, "id"),
		       s_of(r, "role"));
		json_decref(r);
		return 0;
	}
	return EXIT_USAGE;
}

static void bkey_print(json_t *k)
{
	char e[32], cr[32];

	printf("id:          %lld\n", i_of(k, "id"));
	printf("name:        %s\n", s_of(k, "name"));
	printf("description: %s\n", s_of(k, "description"));
	printf("group id:    %lld\n", i_of(k, "group_id"));
	printf("accept:      %s\n",
	       json_is_true(json_object_get(k, "auto_accept")) ? "auto" : "manual");
	printf("state:       %s\n",
	       json_is_true(json_object_get(k, "disabled")) ? "disabled" : "enabled");
	printf("expires:     %s\n", when(i_of(k, "expires"), e, sizeof(e)));
	if (i_of(k, "max_uses"))
		printf("uses:        %lld of %lld\n", i_of(k, "uses"), i_of(k, "max_uses"));
	else
		printf("uses:        %lld (no limit)\n", i_of(k, "uses"));
	printf("created:     %s\n", when(i_of(k, "created"), cr, sizeof(cr)));
}

/* Options of create and edit into a JSON body. */
static json_t *bkey_body(int argc, char **argv, int editing)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "description", required_argument, NULL, 'd' },
		{ "group", required_argument, NULL, 'g' },
		{ "auto-accept", no_argument, NULL, 'A' },
		{ "manual-accept", no_argument, NULL, 'M' },
		{ "expires", required_argument, NULL, 'e' },
		{ "max-uses", required_argument, NULL, 'm' },
		{ "disable", no_argument, NULL, 'D' },
		{ "enable", no_argument, NULL, 'E' },
		{ 0 },
	};
	json_t *b = json_object();
	long long v;
	int o;

	optind = 0;
	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			if (!editing)
				goto bad;
			json_object_set_new(b, "name", json_string(optarg));
			break;
		case 'd': json_object_set_new(b, "description", json_string(optarg)); break;
		case 'g': json_object_set_new(b, "group", json_string(optarg)); break;
		case 'A': json_object_set_new(b, "auto_accept", json_true()); break;
		case 'M': json_object_set_new(b, "auto_accept", json_false()); break;
		case 'e':
			if (parse_nonneg(optarg, &v))
				goto bad;
			json_object_set_new(b, "expires", json_integer(v));
			break;
		case 'm':
			if (parse_nonneg(optarg, &v))
				goto bad;
			json_object_set_new(b, "max_uses", json_integer(v));
			break;
		case 'D':
		case 'E':
			if (!editing)
				goto bad;
			json_object_set_new(b, "disabled", json_boolean(o == 'D'));
			break;
		default:
			goto bad;
		}
	}
	if (optind == argc)
		return b;
bad:
	json_decref(b);
	return NULL;
}

static int cmd_bkey(struct ctl *c, int argc, char **argv)
{
	char path[128], q[64];
	const char *verb = argc >= 2 ? argv[1] : "";
	long long id = argc >= 3 ? parse_id(argv[2]) : -1;
	json_t *r, *k, *b;
	size_t i;
	int rc;

	if (!strcmp(verb, "list")) {
		if (page_query(argc - 1, argv + 1, q, sizeof(q)))
			return EXIT_USAGE;
		snprintf(path, sizeof(path), "/bootstrap-keys%s", q);
		rc = call(c, "GET", path, NULL, &r);
		if (rc)
			return rc;
		if (c->json)
			return print_json(r);
		printf("%-6s %-20s %-7s %-9s %-8s %s\n", "ID", "NAME", "ACCEPT", "STATE", "ENROLLED",
		       "LIMIT");
		json_array_foreach(json_object_get(r, "items"), i, k) {
			char lim[24];

			if (i_of(k, "max_uses"))
				snprintf(lim, sizeof(lim), "%lld", i_of(k, "max_uses"));
			else
				snprintf(lim, sizeof(lim), "-");
			printf("%-6lld %-20s %-7s %-9s %-8lld %s\n", i_of(k, "id"), s_of(k, "name"),
			       json_is_true(json_object_get(k, "auto_accept")) ? "auto" : "manual",
			       json_is_true(json_object_get(k, "disabled")) ? "disabled" : "enabled",
			       i_of(k, "uses"), lim);
		}
		if (i_of(r, "next"))
			printf("(more: --after %lld)\n", i_of(r, "next"));
		json_decref(r);
		return 0;
	}
	if (!strcmp(verb, "create") && argc >= 3) {
		b = bkey_body(argc - 2, argv + 2, 0);
		if (!b)
			return EXIT_USAGE;
		json_object_set_new(b, "name", json_string(argv[2]));
		rc = call(c, "POST", "/bootstrap-keys", b, &r);
		if (rc)
			return rc;
		if (c->json)
			return print_json(r);
		bkey_print(r);
		printf("key:         %s\n", s_of(r, "key"));
		json_decref(r);
		return 0;
	}
	if (id < 0)
		return EXIT_USAGE;
	snprintf(path, sizeof(path), "/bootstrap-keys/%lld", id);
	if (!strcmp(verb, "show") && argc == 3) {
		rc = call(c, "GET", path, NULL, &r);
	} else if (!strcmp(verb, "edit")) {
		b = bkey_body(argc - 2, argv + 2, 1);
		if (!b || !json_object_size(b)) {
			json_decref(b);
			return EXIT_USAGE;
		}
		rc = call(c, "PATCH", path, b, &r);
	} else if (!strcmp(verb, "reveal") && argc == 3) {
		snprintf(path, sizeof(path), "/bootstrap-keys/%lld/reveal", id);
		rc = call(c, "POST", path, NULL, &r);
		if (!rc && !c->json) {
			printf("%s\n", s_of(r, "key"));
			json_decref(r);
			return 0;
		}
	} else if (!strcmp(verb, "delete") && argc == 3) {
		rc = call(c, "DELETE", path, NULL, &r);
		if (!rc && !c->json)
			printf("bootstrap key %lld deleted\n", id);
		if (!rc && c->json)
			printf("{}\n");
		json_decref(r);
		return rc;
	} else {
		return EXIT_USAGE;
	}
	if (rc)
		return rc;
	if (c->json)
		return print_json(r);
	bkey_print(r);
	json_decref(r);
	return 0;
}

static void device_print(json_t *d)
{
	char t[32];
	json_t *rep = json_object_get(d, "report"), *v;
	size_t i;

	printf("id:          %s\n", s_of(d, "id"));
	if (*s_of(d, "name"))
		printf("name:        %s\n", s_of(d, "name"));
	printf("state:       %s%s%s\n", s_of(d, "state"), *s_of(d, "reason") ? ": " : "",
	       s_of(d, "reason"));
	printf("network:     %s (group %s), role %s\n", s_of(d, "network"), s_of(d, "group"),
	       s_of(d, "role"));
	printf("fingerprint: %s\n", s_of(d, "fingerprint"));
	printf("method:      %s, by %s\n", s_of(d, "method"), s_of(d, "enrolled_by"));
	printf("hostname:    %s\n", s_of(rep, "hostname"));
	if (*s_of(rep, "name"))
		printf("name:        %s\n", s_of(rep, "name"));
	printf("addresses:  ");
	json_array_foreach(json_object_get(rep, "addresses"), i, v)
		printf(" %s", json_string_value(v));
	printf("\nmacs:       ");
	json_array_foreach(json_object_get(rep, "macs"), i, v)
		printf(" %s", json_string_value(v));
	printf("\nenrolled:    %s\n", when(i_of(d, "enrolled"), t, sizeof(t)));
	printf("approved:    %s\n", when(i_of(d, "approved"), t, sizeof(t)));
	printf("last seen:   %s from %s\n", when(i_of(d, "last_seen"), t, sizeof(t)),
	       s_of(d, "last_address"));
	if (i_of(d, "clone_attempts"))
		printf("clones:      %lld attempts refused\n", i_of(d, "clone_attempts"));
	if (json_is_true(json_object_get(d, "rebind")))
		printf("rebind:      one re-enrollment of its key allowed\n");
}

/* device rename ID NAME | move ID [--group G] [--network N] | set-role ID ROLE */
static int device_patch(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"group", required_argument, NULL, 'g'},
		{"network", required_argument, NULL, 'n'},
		{0},
	};
	const char *verb = argv[1], *id = argv[2];
	json_t *b = json_object(), *r;
	char path[128];
	int o, rc;

	if (strlen(id) > 64)
		goto bad;
	if (!strcmp(verb, "rename") && argc == 4) {
		json_object_set_new(b, "name", json_string(argv[3]));
	} else if (!strcmp(verb, "set-role") && argc == 4) {
		json_object_set_new(b, "role", json_string(argv[3]));
	} else if (!strcmp(verb, "move")) {
		optind = 0;
		while ((o = getopt_long(argc - 2, argv + 2, "+", opts, NULL)) != -1) {
			if (o != 'g' && o != 'n')
				goto bad;
			json_object_set_new(b, o == 'g' ? "group" : "network", json_string(optarg));
		}
		if (optind != argc - 2 || !json_object_size(b))
			goto bad;
	} else {
		goto bad;
	}
	snprintf(path, sizeof(path), "/devices/%s", id);
	rc = call(c, "PATCH", path, b, &r);
	if (rc || c->json)
		return rc ? rc : print_json(r);
	device_print(r);
	json_decref(r);
	return 0;
bad:
	json_decref(b);
	return EXIT_USAGE;
}

static int cmd_device(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "reason", required_argument, NULL, 'r' },
		{ 0 },
	};
	const char *verb = argc >= 2 ? argv[1] : "", *state = NULL, *reason = NULL;
	char path[256];
	json_t *r, *d, *b;
	size_t i;
	int o, rc;

	int list = !strcmp(verb, "list");
	const char *id = argc >= 3 ? argv[2] : NULL;

	if (argc < 2 || (!list && !id))
		return EXIT_USAGE;
	if (!strcmp(verb, "rename") || !strcmp(verb, "move") || !strcmp(verb, "set-role"))
		return device_patch(c, argc, argv);
	/* Options follow "list", or the device id. */
	optind = 0;
	while ((o = getopt_long(argc - (list ? 1 : 2), argv + (list ? 1 : 2), "+", opts, NULL)) !=
	       -1) {
		if (o == 's' && strlen(optarg) < 16)
			state = optarg;
		else if (o == 'r')
			reason = optarg;
		else
			return EXIT_USAGE;
	}
	if (optind != argc - (list ? 1 : 2))
		return EXIT_USAGE;
	if (list && !reason) {
		snprintf(path, sizeof(path), "/devices%s%s", state ? "?state=" : "",
			 state ? state : "");
		rc = call(c, "GET", path, NULL, &r);
		if (rc || c->json)
			return rc ? rc : print_json(r);
		printf("%-20s %-9s %-24s %-16s %s\n", "ID", "STATE", "HOSTNAME", "ADDRESS",
		       "FINGERPRINT");
		json_array_foreach(json_object_get(r, "items"), i, d) {
			json_t *rep = json_object_get(d, "report");
			const char *addr =
				json_string_value(json_array_get(json_object_get(rep, "addresses"), 0));

			printf("%-20s %-9s %-24s %-16s %s\n", s_of(d, "id"), s_of(d, "state"),
			       s_of(rep, "hostname"), addr ? addr : "-", s_of(d, "fingerprint"));
		}
		json_decref(r);
		return 0;
	}
	if (list || strlen(id) > 64 || state)
		return EXIT_USAGE;
	snprintf(path, sizeof(path), "/devices/%s", id);
	if (!strcmp(verb, "show") && !reason) {
		rc = call(c, "GET", path, NULL, &r);
	} else if (!strcmp(verb, "delete") && !reason) {
		rc = call(c, "DELETE", path, NULL, &r);
		if (!rc)
			printf(c->json ? "{}\n" : "device %s deleted\n", id);
		json_decref(r);
		return rc;
	} else if (!strcmp(verb, "rebind") && !reason) {
		snprintf(path, sizeof(path), "/devices/%s/rebind", id);
		rc = call(c, "POST", path, NULL, &r);
	} else if (!strcmp(verb, "approve") || !strcmp(verb, "reject") || !strcmp(verb, "revoke")) {
		b = json_object();
		if (reason)
			json_object_set_new(b, "reason", json_string(reason));
		snprintf(path, sizeof(path), "/devices/%s/%s", id, verb);
		rc = call(c, "POST", path, b, &r);
	} else {
		return EXIT_USAGE;
	}
	if (rc || c->json)
		return rc ? rc : print_json(r);
	device_print(r);
	json_decref(r);
	return 0;
}

static int cmd_qkey(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "device-name", required_argument, NULL, 'n' },
		{ "expires", required_argument, NULL, 'e' },
		{ 0 },
	};
	const char *verb = argc >= 2 ? argv[1] : "";
	char path[128], t[32];
	long long expires = 0;
	json_t *r, *q, *b;
	size_t i;
	int o, rc;

	if (!strcmp(verb, "create")) {
		b = json_object();
		optind = 0;
		while ((o = getopt_long(argc - 1, argv + 1, "+", opts, NULL)) != -1) {
			if (o == 'i')
				json_object_set_new(b, "qkey_id", json_string(optarg));
			else if (o == 'n')
				json_object_set_new(b, "device_name", json_string(optarg));
			else if (o == 'e' && !parse_nonneg(optarg, &expires))
				json_object_set_new(b, "expires", json_integer(expires));
			else
				o = -2;
			if (o == -2)
				break;
		}
		if (o == -2 || optind != argc - 1) {
			json_decref(b);
			return EXIT_USAGE;
		}
		rc = call(c, "POST", "/qkeys", b, &r);
		if (rc || c->json)
			return rc ? rc : print_json(r);
		printf("qkey_id:     %s\n", s_of(r, "qkey_id"));
		if (*s_of(r, "device_name"))
			printf("device name: %s\n", s_of(r, "device_name"));
		printf("expires:     %s\n", when(i_of(r, "expires"), t, sizeof(t)));
		printf("qkey:        %s\n", s_of(r, "qkey"));
		printf("(the QKEY is shown once: deliver it out of band)\n");
		json_decref(r);
		return 0;
	}
	if (!strcmp(verb, "list") && argc == 2) {
		rc = call(c, "GET", "/qkeys", NULL, &r);
		if (rc || c->json)
			return rc ? rc : print_json(r);
		printf("%-24s %-16s %-17s %s\n", "QKEY ID", "DEVICE NAME", "EXPIRES", "USED");
		json_array_foreach(json_object_get(r, "items"), i, q) {
			char u[32];

			printf("%-24s %-16s %-17s %s\n", s_of(q, "qkey_id"),
			       *s_of(q, "device_name") ? s_of(q, "device_name") : "-",
			       when(i_of(q, "expires"), t, sizeof(t)),
			       when(i_of(q, "used"), u, sizeof(u)));
		}
		json_decref(r);
		return 0;
	}
	if (!strcmp(verb, "delete") && argc == 3 && strlen(argv[2]) <= 64) {
		snprintf(path, sizeof(path), "/qkeys/%s", argv[2]);
		rc = call(c, "DELETE", path, NULL, &r);
		if (!rc)
			printf(c->json ? "{}\n" : "QKEY %s deleted\n", argv[2]);
		json_decref(r);
		return rc;
	}
	return EXIT_USAGE;
}

/* ---- networks, groups, peerings ---- */

/* GET PATH?after&limit (options in ARGV after the verb) and print each item with ROW. */
static int list_cmd(struct ctl *c, int argc, char **argv, const char *what, const char *head,
		    void (*row)(json_t *item))
{
	char path[128], q[64];
	json_t *r, *it;
	size_t i;
	int rc;

	if (page_query(argc - 1, argv + 1, q, sizeof(q)))
		return EXIT_USAGE;
	snprintf(path, sizeof(path), "/%s%s", what, q);
	rc = call(c, "GET", path, NULL, &r);
	if (rc || c->json)
		return rc ? rc : print_json(r);
	printf("%s\n", head);
	json_array_foreach(json_object_get(r, "items"), i, it) row(it);
	if (i_of(r, "next"))
		printf("(more: --after %lld)\n", i_of(r, "next"));
	json_decref(r);
	return 0;
}

/* Sends METHOD WHAT/ID[/VERB] with BODY (stolen) and prints the answer with SHOW. */
static int one_cmd(struct ctl *c, const char *method, const char *what, long long id,
		   const char *verb, json_t *body, void (*show)(json_t *item))
{
	char path[128];
	json_t *r;
	int rc;

	snprintf(path, sizeof(path), "/%s/%lld%s%s", what, id, verb ? "/" : "", verb ? verb : "");
	rc = call(c, method, path, body, &r);
	if (!rc && !r) {
		/* WHAT is the collection ("networks"): one of it is named without the s. */
		if (c->json)
			printf("{}\n");
		else
			printf("%.*s %lld deleted\n", (int)strlen(what) - 1, what, id);
		return 0;
	}
	if (rc || c->json)
		return rc ? rc : print_json(r);
	show(r);
	json_decref(r);
	return 0;
}

static void network_row(json_t *n)
{
	printf("%-6lld %-24s %s\n", i_of(n, "id"), s_of(n, "name"), s_of(n, "description"));
}

static void network_print(json_t *n)
{
	char t[32];

	printf("id:          %lld\n", i_of(n, "id"));
	printf("name:        %s\n", s_of(n, "name"));
	printf("description: %s\n", s_of(n, "description"));
	printf("created:     %s\n", when(i_of(n, "created"), t, sizeof(t)));
}

/* --name and --description into a body (and --network, --default-network,
 * --config-file for groups when GROUP). NULL on a usage error. */
static json_t *named_body(int argc, char **argv, int group)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"description", required_argument, NULL, 'd'},
		{"network", required_argument, NULL, 'N'},
		{"default-network", no_argument, NULL, 'D'},
		{"config-file", required_argument, NULL, 'f'},
		{0},
	};
	json_t *b = json_object(), *cfg;
	json_error_t e;
	int o;

	optind = 0;
	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (o == 'n') {
			json_object_set_new(b, "name", json_string(optarg));
		} else if (o == 'd' && !group) {
			json_object_set_new(b, "description", json_string(optarg));
		} else if ((o == 'N' || o == 'D') && group) {
			json_object_set_new(b, "network",
					    o == 'N' ? json_string(optarg) : json_null());
		} else if (o == 'f' && group) {
			cfg = json_load_file(optarg, JSON_REJECT_DUPLICATES, &e);
			if (!json_is_object(cfg)) {
				fprintf(stderr, "skapctl: %s: not a JSON object (%s)\n", optarg,
					cfg ? "other type" : e.text);
				json_decref(cfg);
				goto bad;
			}
			json_object_set_new(b, "config", cfg);
		} else {
			goto bad;
		}
	}
	if (optind == argc)
		return b;
bad:
	json_decref(b);
	return NULL;
}

/* VERB NAME [options] (create) or VERB ID [options] (update): the body, or NULL. */
static json_t *create_or_update(int argc, char **argv, int group, long long *id)
{
	json_t *b = argc >= 3 ? named_body(argc - 2, argv + 2, group) : NULL;

	if (!b)
		return NULL;
	if (!strcmp(argv[1], "create")) {
		json_object_set_new(b, "name", json_string(argv[2]));
		return b;
	}
	*id = parse_id(argv[2]);
	if (*id > 0 && json_object_size(b))
		return b;
	json_decref(b);
	return NULL;
}

/* What `network` and `group` share: the collection, its table and record. */
struct named_kind {
	const char *collection; /* "networks" */
	const char *header;
	int with_config;	/* group: --config-file */
	void (*row)(json_t *item);
	void (*print)(json_t *b);
};

/* list, create NAME, update ID, show ID, delete ID of a kind of object. */
static int named_cmd(struct ctl *c, int argc, char **argv, const struct named_kind *k)
{
	const char *verb = argc >= 2 ? argv[1] : "";
	long long id = argc == 3 ? parse_id(argv[2]) : -1;
	char path[64];
	json_t *b;
	int rc;

	if (!strcmp(verb, "list"))
		return list_cmd(c, argc, argv, k->collection, k->header, k->row);
	if (!strcmp(verb, "create") || !strcmp(verb, "update")) {
		b = create_or_update(argc, argv, k->with_config, &id);
		if (!b)
			return EXIT_USAGE;
		if (!strcmp(verb, "update"))
			return one_cmd(c, "PATCH", k->collection, id, NULL, b, k->print);
		snprintf(path, sizeof(path), "/%s", k->collection);
		rc = call(c, "POST", path, b, &b);
		if (rc || c->json)
			return rc ? rc : print_json(b);
		k->print(b);
		json_decref(b);
		return 0;
	}
	if (id < 1)
		return EXIT_USAGE;
	if (!strcmp(verb, "show"))
		return one_cmd(c, "GET", k->collection, id, NULL, NULL, k->print);
	if (!strcmp(verb, "delete"))
		return one_cmd(c, "DELETE", k->collection, id, NULL, NULL, k->print);
	return EXIT_USAGE;
}

static int cmd_network(struct ctl *c, int argc, char **argv)
{
	static const struct named_kind k = {
		"networks", "ID     NAME                     DESCRIPTION", 0, network_row,
		network_print,
	};

	return named_cmd(c, argc, argv, &k);
}

static void group_row(json_t *g)
{
	const char *net = json_string_value(json_object_get(g, "network"));

	printf("%-6lld %-24s %s\n", i_of(g, "id"), s_of(g, "name"), net ? net : "(default)");
}

static void group_print(json_t *g)
{
	const char *net = json_string_value(json_object_get(g, "network"));
	char *cfg = json_dumps(json_object_get(g, "config"), JSON_COMPACT | JSON_SORT_KEYS);
	char t[32];

	printf("id:          %lld\n", i_of(g, "id"));
	printf("name:        %s\n", s_of(g, "name"));
	printf("network:     %s\n", net ? net : "(default)");
	printf("config:      %s\n", cfg ? cfg : "{}");
	printf("created:     %s\n", when(i_of(g, "created"), t, sizeof(t)));
	free(cfg);
}

static int cmd_group(struct ctl *c, int argc, char **argv)
{
	static const struct named_kind k = {
		"groups", "ID     NAME                     NETWORK", 1, group_row, group_print,
	};

	return named_cmd(c, argc, argv, &k);
}

/* "tenant/network" of SIDE ("requester" or "peer"). */
static void side_of(json_t *p, const char *side, char *out, size_t size)
{
	json_t *s = json_object_get(p, side);
	const char *net = json_string_value(json_object_get(s, "network"));

	snprintf(out, size, "%s/%s", s_of(s, "tenant"), net ? net : "(deleted)");
}

static void peering_row(json_t *p)
{
	char a[140], b[140];

	side_of(p, "requester", a, sizeof(a));
	side_of(p, "peer", b, sizeof(b));
	printf("%-6lld %-10s %-10s %-30s %s\n", i_of(p, "id"), s_of(p, "state"), s_of(p, "side"), a,
	       b);
}

static void peering_print(json_t *p)
{
	char a[140], b[140], t[32];

	side_of(p, "requester", a, sizeof(a));
	side_of(p, "peer", b, sizeof(b));
	printf("id:          %lld\n", i_of(p, "id"));
	printf("state:       %s (this tenant is the %s)\n", s_of(p, "state"), s_of(p, "side"));
	printf("requester:   %s%s%s\n", a, *s_of(p, "requested_by") ? ", by " : "",
	       s_of(p, "requested_by"));
	printf("peer:        %s\n", b);
	printf("requested:   %s\n", when(i_of(p, "created"), t, sizeof(t)));
	printf("accepted:    %s\n", when(i_of(p, "accepted"), t, sizeof(t)));
	printf("ended:       %s\n", when(i_of(p, "ended"), t, sizeof(t)));
}

static int peering_request(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"network", required_argument, NULL, 'n'},
		{"peer-tenant", required_argument, NULL, 't'},
		{"peer-network", required_argument, NULL, 'p'},
		{0},
	};
	json_t *b = json_object(), *r;
	int o, rc;

	optind = 0;
	while ((o = getopt_long(argc - 1, argv + 1, "+", opts, NULL)) != -1) {
		if (o == '?')
			break;
		json_object_set_new(b,
				    o == 'n'   ? "network"
				    : o == 't' ? "peer_tenant"
					       : "peer_network",
				    json_string(optarg));
	}
	if (o == '?' || optind != argc - 1 || json_object_size(b) != 3) {
		json_decref(b);
		return EXIT_USAGE;
	}
	rc = call(c, "POST", "/peerings", b, &r);
	if (rc || c->json)
		return rc ? rc : print_json(r);
	peering_print(r);
	printf("(active once an administrator of %s accepts it)\n",
	       s_of(json_object_get(r, "peer"), "tenant"));
	json_decref(r);
	return 0;
}

static int cmd_peering(struct ctl *c, int argc, char **argv)
{
	const char *verb = argc >= 2 ? argv[1] : "";
	long long id = argc == 3 ? parse_id(argv[2]) : -1;

	if (!strcmp(verb, "list"))
		return list_cmd(c, argc, argv, "peerings",
				"ID     STATE      SIDE       REQUESTER                      PEER",
				peering_row);
	if (!strcmp(verb, "request"))
		return peering_request(c, argc, argv);
	if (id < 1)
		return EXIT_USAGE;
	if (!strcmp(verb, "show"))
		return one_cmd(c, "GET", "peerings", id, NULL, NULL, peering_print);
	if (!strcmp(verb, "accept") || !strcmp(verb, "reject"))
		return one_cmd(c, "POST", "peerings", id, verb, NULL, peering_print);
	if (!strcmp(verb, "end"))
		return one_cmd(c, "DELETE", "peerings", id, NULL, NULL, peering_print);
	return EXIT_USAGE;
}

static int cmd_audit(struct ctl *c, int argc, char **argv)
{
	char path[96], q[64], t[32];
	json_t *r, *a;
	size_t i;
	int rc;

	if (argc < 2 || strcmp(argv[1], "list") || page_query(argc - 1, argv + 1, q, sizeof(q)))
		return EXIT_USAGE;
	snprintf(path, sizeof(path), "/audit%s", q);
	rc = call(c, "GET", path, NULL, &r);
	if (rc)
		return rc;
	if (c->json)
		return print_json(r);
	printf("%-6s %-17s %-20s %-24s %-20s %s\n", "ID", "TIME", "ACTOR", "ACTION", "OBJECT",
	       "DETAIL");
	json_array_foreach(json_object_get(r, "items"), i, a)
		printf("%-6lld %-17s %-20s %-24s %-20s %s\n", i_of(a, "id"),
		       when(i_of(a, "time"), t, sizeof(t)), s_of(a, "actor"), s_of(a, "action"),
		       s_of(a, "object"), s_of(a, "detail"));
	if (i_of(r, "next"))
		printf("(more: --after %lld)\n", i_of(r, "next"));
	json_decref(r);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "ca", required_argument, NULL, 'c' },
		{ "insecure", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct ctl c = { .conn.timeout_s = 30 };
	const char *server = NULL, *ca = NULL, *obj;
	int o, rc, insecure = 0;

	while ((o = getopt_long(argc, argv, "+s:c:kjh", opts, NULL)) != -1) {
		switch (o) {
		case 's': server = optarg; break;
		case 'c': ca = optarg; break;
		case 'k': insecure = 1; break;
		case 'j': c.json = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("skapctl %s\n", SKAP_VERSION); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	session_path(&c);
	session_load(&c);
	/* Flags, then the environment, then the saved session. */
	c.conn.server = server ? server : getenv("SKAP_SERVER") ? getenv("SKAP_SERVER")
								: session_str(&c, "server");
	c.conn.ca = ca ? ca : getenv("SKAP_CA") ? getenv("SKAP_CA") : session_str(&c, "ca");
	c.conn.insecure = insecure ||
			  (!server && json_is_true(json_object_get(c.session, "insecure")));
	c.conn.token = getenv("SKAP_TOKEN") ? getenv("SKAP_TOKEN") : session_str(&c, "token");

	obj = argv[optind];
	argc -= optind;
	argv += optind;
	if (local_is_command(obj))
		rc = local_main(argc, argv, c.json);
	else if (!strcmp(obj, "login"))
		rc = cmd_login(&c, argc, argv);
	else if (!c.conn.server) {
		fprintf(stderr, "skapctl: no server: give -s https://HOST:PORT or log in first\n");
		rc = EXIT_USAGE;
	} else if (!strcmp(obj, "logout"))
		rc = cmd_logout(&c, argc, argv);
	else if (!strcmp(obj, "tenant"))
		rc = cmd_tenant(&c, argc, argv);
	else if (!strcmp(obj, "user"))
		rc = cmd_user(&c, argc, argv);
	else if (!strcmp(obj, "bootstrap-key"))
		rc = cmd_bkey(&c, argc, argv);
	else if (!strcmp(obj, "audit"))
		rc = cmd_audit(&c, argc, argv);
	else if (!strcmp(obj, "device"))
		rc = cmd_device(&c, argc, argv);
	else if (!strcmp(obj, "qkey"))
		rc = cmd_qkey(&c, argc, argv);
	else if (!strcmp(obj, "network"))
		rc = cmd_network(&c, argc, argv);
	else if (!strcmp(obj, "group"))
		rc = cmd_group(&c, argc, argv);
	else if (!strcmp(obj, "peering"))
		rc = cmd_peering(&c, argc, argv);
	else
		rc = EXIT_USAGE;
	if (rc == EXIT_USAGE)
		usage(stderr);
	json_decref(c.session);
	return rc;
}
