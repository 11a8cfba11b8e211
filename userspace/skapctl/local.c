// SPDX-License-Identifier: GPL-2.0
/*
 * skapctl status | links | sas | keys | reload: one request to skapd's
 * control socket, one answer, printed as a table or (-j) as skapd wrote it.
 * Exit status as in main.c: 0 ok, 1 skapd refused (its message on stderr),
 * 2 usage, 5 skapd not running or its socket unreachable.
 */

#include "local.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define EXIT_REFUSED   1
#define EXIT_USAGE     2
#define EXIT_NO_DAEMON 5

/* A reload may negotiate start = immediate links: give it time. */
#define TIMEOUT_S  30
#define ANSWER_MAX (16 * 1024 * 1024)

static const char *const commands[] = {"status", "links", "sas", "keys", "reload"};

bool local_is_command(const char *object)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(object, commands[i]))
			return true;
	return false;
}

/* ---- the socket ---- */

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = TIMEOUT_S};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EPIPE;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads until skapd closes; the text in *OUT (NUL-terminated). */
static int read_all(int fd, char **out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *grown;
	ssize_t r;

	while (buf && (r = read(fd, buf + len, cap - len - 1)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		len += (size_t)r;
		if (len + 1 == cap) {
			grown = cap < ANSWER_MAX ? realloc(buf, cap * 2) : NULL;
			if (!grown) {
				free(buf);
				return -EFBIG;
			}
			buf = grown;
			cap *= 2;
		}
	}
	if (!buf)
		return -ENOMEM;
	buf[len] = 0;
	*out = buf;
	return 0;
}

/* Sends {"command": CMD}; *TEXT is skapd's answer line. Returns an exit status. */
static int ask(const char *path, const char *cmd, char **text)
{
	char req[64];
	int fd = connect_to(path), ret;

	if (fd < 0) {
		fprintf(stderr, "skapctl: cannot reach skapd at %s: %s%s\n", path, strerror(-fd),
			fd == -EACCES ? " (root or the socket's group only)"
			: fd == -ENOENT || fd == -ECONNREFUSED ? " (is skapd running?)"
							       : "");
		return EXIT_NO_DAEMON;
	}
	snprintf(req, sizeof(req), "{\"command\":\"%s\"}\n", cmd);
	ret = send_all(fd, req, strlen(req));
	if (!ret)
		ret = read_all(fd, text);
	close(fd);
	if (ret) {
		fprintf(stderr, "skapctl: talking to skapd at %s: %s\n", path, strerror(-ret));
		return EXIT_NO_DAEMON;
	}
	return 0;
}

/* ---- printing ---- */

static const char *s_of(json_t *o, const char *k, const char *none)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : none;
}

static long long i_of(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

/* A Unix time, or "unknown" where skapd answered null. */
static const char *when(json_t *v, char *buf, size_t size)
{
	time_t t = (time_t)json_integer_value(v);
	struct tm tm;

	if (!json_is_integer(v) || !t)
		return json_is_null(v) || !v ? "unknown" : "-";
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static void print_status(json_t *r)
{
	json_t *dev = json_object_get(r, "device");
	long long up = i_of(r, "uptime_s");
	char t[32];

	if (json_is_true(json_object_get(dev, "enrolled"))) {
		printf("device:       %s (%s)\n", s_of(dev, "id", "?"), s_of(dev, "state", "?"));
		printf("fingerprint:  %s\n", s_of(dev, "fingerprint", "?"));
		printf("tenant:       %s\n", s_of(dev, "tenant", "-"));
		printf("certificate:  %s\n",
		       json_is_integer(json_object_get(dev, "certificate_expires"))
			       ? when(json_object_get(dev, "certificate_expires"), t, sizeof(t))
			       : "none yet (not approved)");
	} else {
		printf("device:       not enrolled (state in %s; run skapd enroll)\n",
		       s_of(dev, "state_dir", "?"));
	}
	printf("platform:     %s\n", s_of(r, "platform", "?"));
	printf("config:       %s (%lld link%s)\n", s_of(r, "config", "?"), i_of(r, "links"),
	       i_of(r, "links") == 1 ? "" : "s");
	printf("uptime:       %lldd %02lld:%02lld:%02lld (skapd %s)\n", up / 86400, up / 3600 % 24,
	       up / 60 % 60, up % 60, s_of(r, "version", "?"));
	printf("negotiation:  %s\n",
	       json_is_true(json_object_get(r, "negotiating"))
		       ? "on"
		       : "off: links stay closed until the device is approved");
}

static void print_links(json_t *r)
{
	json_t *l, *neg;
	size_t i;
	char a[32], b[32], c[32], dur[24];

	printf("%-16s %-20s %-22s %-9s %-13s %-3s %-20s %-8s %s\n", "LINK", "PEER", "ADDRESS",
	       "MODE", "STATE", "SAS", "LAST NEGOTIATION", "TOOK", "NEXT REKEY");
	json_array_foreach(json_object_get(r, "links"), i, l)
	{
		neg = json_object_get(l, "last_negotiation");
		if (json_is_integer(json_object_get(neg, "duration_ms")))
			snprintf(dur, sizeof(dur), "%lld ms", i_of(neg, "duration_ms"));
		else
			snprintf(dur, sizeof(dur), "-");
		printf("%-16s %-20s %-22s %-9s %-13s %-3lld %-20s %-8s %s\n", s_of(l, "name", "?"),
		       s_of(l, "peer", "?"), s_of(l, "peer_address", "?"), s_of(l, "mode", "?"),
		       s_of(l, "state", "?"), i_of(l, "sas"),
		       json_is_null(json_object_get(neg, "finished"))
			       ? "never"
			       : when(json_object_get(neg, "finished"), a, sizeof(a)),
		       dur,
		       json_is_null(json_object_get(l, "next_rekey"))
			       ? "-"
			       : when(json_object_get(l, "next_rekey"), b, sizeof(b)));
		if (json_is_null(json_object_get(l, "last_error")))
			continue;
		if (json_is_null(json_object_get(l, "failed_at")))
			printf("  %s\n", s_of(l, "last_error", ""));
		else
			printf("  last error at %s: %s\n",
			       when(json_object_get(l, "failed_at"), c, sizeof(c)),
			       s_of(l, "last_error", ""));
	}
}

static void print_sas(json_t *r)
{
	json_t *s, *cnt;
	size_t i;
	char a[32], b[32], c[32];

	printf("%-10s %-3s %-16s %-20s %-32s %-10s %-20s %12s %9s %-20s %s\n", "SPI", "DIR", "LINK",
	       "PEER", "KEY ID", "SERIAL", "NEGOTIATED", "BYTES", "PACKETS", "ADDED", "EXPIRES");
	json_array_foreach(json_object_get(r, "sas"), i, s)
	{
		cnt = json_object_get(s, "counters");
		printf("%-10s %-3s %-16s %-20s %-32s %-10lld %-20s %12lld %9lld %-20s %s\n",
		       s_of(s, "spi", "?"), s_of(s, "direction", "?"), s_of(s, "link", "unknown"),
		       s_of(s, "peer", "unknown"), s_of(s, "key_id", "unknown"),
		       i_of(s, "key_serial"),
		       when(json_object_get(s, "negotiated_at"), a, sizeof(a)), i_of(cnt, "bytes"),
		       i_of(cnt, "packets"), when(json_object_get(s, "add_time"), b, sizeof(b)),
		       json_is_null(json_object_get(s, "expires"))
			       ? "never"
			       : when(json_object_get(s, "expires"), c, sizeof(c)));
	}
}

static void print_keys(json_t *r)
{
	json_t *k;
	size_t i;
	char a[32];

	printf("keyring %lld\n", i_of(r, "keyring"));
	printf("%-10s %-32s %-20s %-16s %-3s %-10s %-10s %-6s %s\n", "SERIAL", "KEY ID", "PEER",
	       "LINK", "DIR", "SPI", "STATE", "IN USE", "EXPIRES");
	json_array_foreach(json_object_get(r, "keys"), i, k) printf(
		"%-10lld %-32s %-20s %-16s %-3s %-10s %-10s %-6s %s\n", i_of(k, "serial"),
		s_of(k, "key_id", "unknown"), s_of(k, "peer", "unknown"),
		s_of(k, "link", "unknown"), s_of(k, "direction", "?"), s_of(k, "spi", "?"),
		s_of(k, "state", "?"), json_is_true(json_object_get(k, "in_use")) ? "yes" : "no",
		when(json_object_get(k, "expires"), a, sizeof(a)));
}

static void print_reload(json_t *r)
{
	json_t *p = json_object_get(r, "policies");

	printf("reloaded %s: %lld link%s; policies %lld kept, %lld added, %lld replaced, %lld "
	       "removed; %lld SA%s of removed links removed\n",
	       s_of(r, "config", "?"), i_of(r, "links"), i_of(r, "links") == 1 ? "" : "s",
	       i_of(p, "kept"), i_of(p, "added"), i_of(p, "replaced"), i_of(p, "removed"),
	       i_of(p, "sas_removed"), i_of(p, "sas_removed") == 1 ? "" : "s");
}

/* skapd's refusal on stderr, with reload's FILE:LINE diagnostics. */
static void print_refusal(json_t *r)
{
	json_t *d;
	size_t i;

	fprintf(stderr, "skapctl: skapd: %s\n", s_of(r, "error", "refused"));
	json_array_foreach(json_object_get(r, "diagnostics"), i, d)
		fprintf(stderr, "%s\n", json_string_value(d) ? json_string_value(d) : "?");
}

static void print_table(const char *cmd, json_t *r)
{
	if (!strcmp(cmd, "status"))
		print_status(r);
	else if (!strcmp(cmd, "links"))
		print_links(r);
	else if (!strcmp(cmd, "sas"))
		print_sas(r);
	else if (!strcmp(cmd, "keys"))
		print_keys(r);
	else
		print_reload(r);
}

int local_main(int argc, char **argv, int json)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 'S'},
		{"json", no_argument, NULL, 'j'},
		{0},
	};
	const char *path = SKAPCTL_DEFAULT_SOCKET, *cmd = argv[0];
	char *text = NULL;
	json_error_t e;
	json_t *r;
	int o, rc;

	optind = 0;
	while ((o = getopt_long(argc, argv, "+j", opts, NULL)) != -1) {
		if (o == 'S')
			path = optarg;
		else if (o == 'j')
			json = 1;
		else
			return EXIT_USAGE;
	}
	if (optind != argc)
		return EXIT_USAGE;
	rc = ask(path, cmd, &text);
	if (rc)
		return rc;
	r = json_loads(text, 0, &e);
	if (!json_is_object(r)) {
		fprintf(stderr, "skapctl: skapd's answer is not a JSON object: %s\n",
			r ? "wrong type" : e.text);
		json_decref(r);
		free(text);
		return EXIT_NO_DAEMON;
	}
	rc = json_is_true(json_object_get(r, "ok")) ? 0 : EXIT_REFUSED;
	if (json)
		fputs(text, rc ? stderr : stdout); /* as for the platform's refusals */
	else if (rc)
		print_refusal(r);
	else
		print_table(cmd, r);
	json_decref(r);
	free(text);
	return rc;
}
