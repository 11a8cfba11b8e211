// SPDX-License-Identifier: GPL-2.0
/*
 * skap-server serve's settings: a configuration file of "name = value"
 * lines (the long option names; '#' starts a comment), then the command
 * line's flags, which win. Every value goes through srv_serve_opt, so a
 * setting means the same and is checked the same in both places. A file
 * with errors is reported line by line (FILE:LINE: ...) and nothing of it
 * is used.
 */

#include "server.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void srv_serve_opts_default(struct srv_serve_opts *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->addr, sizeof(o->addr), "127.0.0.1");
	o->port = 8443;
	o->token_ttl = SRV_TOKEN_TTL_DEFAULT;
	o->enroll_rate = SRV_ENROLL_RATE;
	o->ticket_sync_ms = SRV_TICKET_SYNC_MS;
}

static int number(const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	*out = strtoul(v, &end, 10);
	return errno || *end || *out < min || *out > max ? -EINVAL : 0;
}

static int copy(char *dst, size_t size, const char *v)
{
	return *v && (size_t)snprintf(dst, size, "%s", v) < size ? 0 : -EINVAL;
}

int srv_serve_opt(struct srv_serve_opts *o, const char *name, const char *v, char *msg,
		  size_t size)
{
	unsigned long n;

	if (!strcmp(name, "dir") && !copy(o->dir, sizeof(o->dir), v))
		return 0;
	if (!strcmp(name, "listen") && !copy(o->addr, sizeof(o->addr), v))
		return 0;
	if (!strcmp(name, "port-file") && !copy(o->port_file, sizeof(o->port_file), v))
		return 0;
	if (!strcmp(name, "port") && !number(v, 0, 65535, &n)) {
		o->port = n;
		return 0;
	}
	if (!strcmp(name, "token-ttl") && !number(v, 1, 86400, &n)) {
		o->token_ttl = (int64_t)n;
		return 0;
	}
	if (!strcmp(name, "enroll-rate") && !number(v, 1, 1000000, &n)) {
		o->enroll_rate = (unsigned int)n;
		return 0;
	}
	if (!strcmp(name, "ticket-sync-ms") && !number(v, 0, 1000, &n)) {
		o->ticket_sync_ms = (unsigned int)n;
		return 0;
	}
	if (!strcmp(name, "verbose") && (!strcmp(v, "true") || !strcmp(v, "false"))) {
		o->verbose = !strcmp(v, "true");
		return 0;
	}
	if (!strcmp(name, "dir") || !strcmp(name, "listen") || !strcmp(name, "port-file"))
		snprintf(msg, size, "%s: a non-empty value that fits (%zu bytes at most)", name,
			 !strcmp(name, "listen") ? sizeof(o->addr) - 1 : sizeof(o->dir) - 1);
	else if (!strcmp(name, "port"))
		snprintf(msg, size, "port: 0..65535 (0: any free port)");
	else if (!strcmp(name, "token-ttl"))
		snprintf(msg, size, "token-ttl: 1..86400 seconds");
	else if (!strcmp(name, "enroll-rate"))
		snprintf(msg, size, "enroll-rate: 1..1000000 requests a second");
	else if (!strcmp(name, "ticket-sync-ms"))
		snprintf(msg, size, "ticket-sync-ms: 0..1000 milliseconds (0: every ticket waits "
				    "for the disk)");
	else if (!strcmp(name, "verbose"))
		snprintf(msg, size, "verbose: true or false");
	else
		snprintf(msg, size, "unknown setting '%s' (dir, listen, port, port-file, "
				    "token-ttl, enroll-rate, ticket-sync-ms, verbose)", name);
	return -EINVAL;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int srv_serve_config_load(const char *path, struct srv_serve_opts *o)
{
	struct srv_serve_opts next = *o;
	char line[8192], msg[256];
	FILE *f = fopen(path, "r");
	int lineno = 0, errors = 0;

	if (!f) {
		fprintf(stderr, "skap-server: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *hash;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, "%s:%d: line too long\n", path, lineno);
			errors++;
			while (fgets(line, sizeof(line), f) && !strchr(line, '\n'))
				;
			continue;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		s = trim(line);
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			fprintf(stderr, "%s:%d: expected 'name = value'\n", path, lineno);
			errors++;
			continue;
		}
		*eq = '\0';
		if (srv_serve_opt(&next, trim(s), trim(eq + 1), msg, sizeof(msg))) {
			fprintf(stderr, "%s:%d: %s\n", path, lineno, msg);
			errors++;
		}
	}
	fclose(f);
	if (errors)
		return -1;
	*o = next;
	return 0;
}
