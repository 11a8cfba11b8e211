// SPDX-License-Identifier: GPL-2.0
/*
 * skapd.conf parser. Line oriented: "[skapd]" and "[link NAME]" sections of
 * "key = value" lines, '#' comment lines. Every line is length-checked before
 * it is looked at; every value is parsed by a function that either accepts
 * all of it or reports why not. Errors are collected, not fatal, so that
 * `skapd --check-config` can show all of them at once.
 */

#include <skap/config.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIAG_MAX 100

enum section {
	SECTION_NONE,
	SECTION_DAEMON,
	SECTION_LINK,
};

/* One key of a section: where it was first set, to refuse a second time. */
struct seen_key {
	const char *key;
	unsigned int line;
};

struct parser {
	const char *file;
	unsigned int line;
	struct skap_config_diag *diag;
	bool nomem;
	struct skap_daemon_config cfg;
	unsigned int daemon_line; /* 0 until [skapd] is seen */
	bool platform_given;	  /* even if its value was refused */
	enum section section;
	struct skap_link_config *link; /* current [link] */
	struct seen_key seen[16];
	size_t n_seen;
};

/* Per-link flags kept beside the links array, same index. */
struct link_flags {
	bool peer, peer_addr, local_addr, local, remote, lifetime, rekey_after;
	bool lifetime_bytes, rekey_after_bytes;
};

static void __attribute__((format(printf, 3, 4)))
diag_at(struct parser *p, unsigned int line, const char *fmt, ...)
{
	struct skap_config_diag *d = p->diag;
	char msg[512];
	char *full;
	char **grown;
	va_list ap;
	int n;

	if (d->n >= DIAG_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->n == DIAG_MAX - 1)
		snprintf(msg, sizeof(msg), "too many errors, stopping here");
	n = line ? asprintf(&full, "%s:%u: %s", p->file, line, msg)
		 : asprintf(&full, "%s: %s", p->file, msg);
	if (n < 0) {
		p->nomem = true;
		return;
	}
	grown = realloc(d->msgs, (d->n + 1) * sizeof(*d->msgs));
	if (!grown) {
		free(full);
		p->nomem = true;
		return;
	}
	d->msgs = grown;
	d->msgs[d->n++] = full;
}

#define diag(p, ...) diag_at((p), (p)->line, __VA_ARGS__)

static bool is_name_char(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.';
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > SKAP_CONFIG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_name_char((unsigned char)s[i]))
			return false;
	return true;
}

/* Copies VALUE into DST of SIZE bytes; false when it does not fit. */
static bool copy_value(char *dst, size_t size, const char *value)
{
	size_t n = strlen(value);

	if (n >= size)
		return false;
	memcpy(dst, value, n + 1);
	return true;
}

static bool parse_u64(const char *s, uint64_t *out, const char **end)
{
	uint64_t v = 0;
	const char *q = s;

	if (!isdigit((unsigned char)*q))
		return false;
	while (isdigit((unsigned char)*q)) {
		unsigned int digit = (unsigned int)(*q - '0');

		if (v > (UINT64_MAX - digit) / 10)
			return false;
		v = v * 10 + digit;
		q++;
	}
	*out = v;
	*end = q;
	return true;
}

static bool mul_fits(uint64_t v, uint64_t m, uint64_t *out)
{
	if (m && v > UINT64_MAX / m)
		return false;
	*out = v * m;
	return true;
}

/* A unit suffix and what it multiplies by. */
struct unit {
	char suffix;
	uint64_t mult;
};

static const struct unit duration_units[] = {
	{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 0, 0 },
};

/* Binary multiples. */
static const struct unit byte_units[] = {
	{ 'K', 1ULL << 10 }, { 'M', 1ULL << 20 }, { 'G', 1ULL << 30 }, { 'T', 1ULL << 40 }, { 0, 0 },
};

/* A number with at most one suffix from UNITS: "90", "15m", "4G". */
static bool parse_scaled(const char *s, const struct unit *units, uint64_t *out)
{
	const char *end;
	uint64_t v, mult = 1;

	if (!parse_u64(s, &v, &end))
		return false;
	if (*end) {
		const struct unit *u = units;

		while (u->suffix && u->suffix != *end)
			u++;
		if (!u->suffix || end[1])
			return false;
		mult = u->mult;
	}
	return mul_fits(v, mult, out);
}

static bool parse_duration(const char *s, uint64_t *out)
{
	return parse_scaled(s, duration_units, out);
}

static bool parse_bytes(const char *s, uint64_t *out)
{
	return parse_scaled(s, byte_units, out);
}

static bool parse_address(const char *s, int *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

static unsigned int family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* "192.0.2.0/24", "2001:db8::/32", or a bare address (a host prefix). */
static const char *parse_prefix(const char *s, struct skap_prefix *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	uint64_t len;
	const char *end;
	unsigned int bits;

	if (!copy_value(buf, sizeof(buf), s))
		return "is too long for an address";
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (!parse_address(buf, &out->family, out->addr))
		return "is not an IPv4 or IPv6 address";
	bits = family_bits(out->family);
	if (!slash) {
		out->len = (uint8_t)bits;
		return NULL;
	}
	if (!parse_u64(slash + 1, &len, &end) || *end || len > bits)
		return out->family == AF_INET ? "has a prefix length that is not 0-32"
					      : "has a prefix length that is not 0-128";
	out->len = (uint8_t)len;
	if (!skap_prefix_is_canonical(out))
		return "has bits set beyond its prefix length";
	return NULL;
}

/* "192.0.2.1", "192.0.2.1:7520", "2001:db8::1", "[2001:db8::1]:7520". */
static const char *parse_endpoint(const char *s, struct skap_endpoint *out,
				  uint16_t default_port)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *host = buf, *port = NULL;
	uint64_t v;
	const char *end;

	if (!copy_value(buf, sizeof(buf), s))
		return "is too long for an address";
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close)
			return "has '[' without ']'";
		*close = '\0';
		host = buf + 1;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return "has text after ']' that is not ':PORT'";
	} else if (strchr(buf, ':') && strchr(buf, ':') == strrchr(buf, ':')) {
		/* Exactly one colon: IPv4 with a port. */
		port = strchr(buf, ':');
		*port++ = '\0';
	}
	if (!parse_address(host, &out->family, out->addr))
		return "is not an IPv4 or IPv6 address";
	out->port = default_port;
	if (port) {
		if (!parse_u64(port, &v, &end) || *end || v == 0 || v > 65535)
			return "has a port that is not 1-65535";
		out->port = (uint16_t)v;
	}
	return NULL;
}

static bool seen_before(struct parser *p, const char *key)
{
	for (size_t i = 0; i < p->n_seen; i++) {
		if (!strcmp(p->seen[i].key, key)) {
			diag(p, "'%s' is set twice (first on line %u)", key, p->seen[i].line);
			return true;
		}
	}
	if (p->n_seen < sizeof(p->seen) / sizeof(p->seen[0]))
		p->seen[p->n_seen++] = (struct seen_key){ .key = key, .line = p->line };
	return false;
}

/* An absolute path, once per section. */
static void set_path(struct parser *p, const char *key, const char *value, char *dst, size_t size)
{
	if (seen_before(p, key))
		return;
	if (value[0] != '/')
		diag(p, "%s '%s' is not an absolute path", key, value);
	else if (!copy_value(dst, size, value))
		diag(p, "%s path is too long", key);
}

/* A unix socket's path: absolute, naming a file, short enough for sun_path. */
static void set_control(struct parser *p, const char *value)
{
	size_t n = strlen(value);

	if (seen_before(p, "control"))
		return;
	if (value[0] != '/' || value[n - 1] == '/')
		diag(p, "control '%s' is not an absolute path to a socket", value);
	else if (n > SKAP_CONTROL_PATH_MAX)
		diag(p, "control path is longer than %d characters (a unix socket's limit)",
		     SKAP_CONTROL_PATH_MAX);
	else
		copy_value(p->cfg.control_path, sizeof(p->cfg.control_path), value);
}

static void daemon_key(struct parser *p, const char *key, const char *value)
{
	struct skap_daemon_config *c = &p->cfg;
	const char *why;

	if (!strcmp(key, "platform")) {
		if (seen_before(p, "platform"))
			return;
		p->platform_given = true;
		if (strncmp(value, "https://", 8) || !value[8] || value[8] == '/')
			diag(p, "platform '%s' is not an https:// URL with a host", value);
		else if (strpbrk(value, " \t"))
			diag(p, "platform URL contains white space");
		else if (!copy_value(c->platform_url, sizeof(c->platform_url), value))
			diag(p, "platform URL is longer than %zu characters",
			     sizeof(c->platform_url) - 1);
	} else if (!strcmp(key, "ca")) {
		set_path(p, "ca", value, c->ca_file, sizeof(c->ca_file));
	} else if (!strcmp(key, "state-dir")) {
		set_path(p, "state-dir", value, c->state_dir, sizeof(c->state_dir));
	} else if (!strcmp(key, "control")) {
		set_control(p, value);
	} else if (!strcmp(key, "listen")) {
		if (seen_before(p, "listen"))
			return;
		why = parse_endpoint(value, &c->listen, SKAP_DEFAULT_PORT);
		if (why)
			diag(p, "listen '%s' %s", value, why);
	} else if (!strcmp(key, "log-level")) {
		if (seen_before(p, "log-level"))
			return;
		if (!strcmp(value, "error"))
			c->log_level = SKAP_LOG_ERROR;
		else if (!strcmp(value, "warning"))
			c->log_level = SKAP_LOG_WARNING;
		else if (!strcmp(value, "info"))
			c->log_level = SKAP_LOG_INFO;
		else if (!strcmp(value, "debug"))
			c->log_level = SKAP_LOG_DEBUG;
		else
			diag(p, "log-level '%s' is not one of error, warning, info, debug", value);
	} else {
		diag(p,
		     "unknown key '%s' in [skapd] (platform, ca, state-dir, control, listen, "
		     "log-level)",
		     key);
	}
}

/* "a, b, c" into selectors; each item checked on its own. */
static void add_selectors(struct parser *p, const char *key, const char *value,
			  struct skap_prefix *sel, size_t *n)
{
	char buf[SKAP_CONFIG_LINE_MAX + 1];
	char *rest = buf, *item;

	if (!copy_value(buf, sizeof(buf), value))
		return;
	/* strsep, not strtok: "a,,b" has an empty item and must say so. */
	while ((item = strsep(&rest, ","))) {
		const char *why;

		while (isspace((unsigned char)*item))
			item++;
		for (char *e = item + strlen(item); e > item && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		if (!*item) {
			diag(p, "'%s' has an empty item", key);
			continue;
		}
		if (*n >= SKAP_CONFIG_MAX_SELECTORS) {
			diag(p, "'%s' has more than %d prefixes", key, SKAP_CONFIG_MAX_SELECTORS);
			return;
		}
		why = parse_prefix(item, &sel[*n]);
		if (why)
			diag(p, "%s '%s' %s", key, item, why);
		else
			(*n)++;
	}
}

/* The four lifetime keys: which field and which flag each sets. */
struct limit {
	const char *key;
	bool bytes;
	size_t value_off; /* in struct skap_link_config */
	size_t flag_off;  /* in struct link_flags */
};

static const struct limit limits[] = {
	{ "lifetime", false, offsetof(struct skap_link_config, lifetime_s),
	  offsetof(struct link_flags, lifetime) },
	{ "rekey-after", false, offsetof(struct skap_link_config, rekey_after_s),
	  offsetof(struct link_flags, rekey_after) },
	{ "lifetime-bytes", true, offsetof(struct skap_link_config, lifetime_bytes),
	  offsetof(struct link_flags, lifetime_bytes) },
	{ "rekey-after-bytes", true, offsetof(struct skap_link_config, rekey_after_bytes),
	  offsetof(struct link_flags, rekey_after_bytes) },
};

static const struct limit *limit_key(const char *key)
{
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		if (!strcmp(limits[i].key, key))
			return &limits[i];
	return NULL;
}

static void set_limit(struct parser *p, const struct limit *lk, const char *value,
		      struct skap_link_config *l, struct link_flags *f)
{
	uint64_t v;

	if (seen_before(p, lk->key))
		return;
	if (lk->bytes && !parse_bytes(value, &v)) {
		diag(p, "%s '%s' is not a byte count (a number with K, M, G or T)", lk->key, value);
		return;
	}
	if (!lk->bytes && (!parse_duration(value, &v) || v == 0)) {
		diag(p, "%s '%s' is not a duration (a number with s, m, h or d)", lk->key, value);
		return;
	}
	memcpy((char *)l + lk->value_off, &v, sizeof(v));
	*(bool *)((char *)f + lk->flag_off) = true;
}

static void link_key(struct parser *p, struct link_flags *f, const char *key, const char *value)
{
	struct skap_link_config *l = p->link;
	const struct limit *lk;
	const char *why;

	if (!strcmp(key, "peer")) {
		if (seen_before(p, "peer"))
			return;
		f->peer = true;
		if (!valid_name(value))
			diag(p, "peer '%s' is not a device id (1-%d of A-Z a-z 0-9 . _ -)", value,
			     SKAP_CONFIG_NAME_MAX);
		else
			copy_value(l->peer_id, sizeof(l->peer_id), value);
	} else if (!strcmp(key, "peer-address")) {
		if (seen_before(p, "peer-address"))
			return;
		f->peer_addr = true;
		why = parse_endpoint(value, &l->peer, SKAP_DEFAULT_PORT);
		if (why)
			diag(p, "peer-address '%s' %s", value, why);
	} else if (!strcmp(key, "local-address")) {
		if (seen_before(p, "local-address"))
			return;
		f->local_addr = true;
		why = parse_endpoint(value, &l->local, 0);
		if (!why && l->local.port)
			why = "takes no port";
		if (why)
			diag(p, "local-address '%s' %s", value, why);
	} else if (!strcmp(key, "local")) {
		f->local = true;
		add_selectors(p, "local", value, l->local_sel, &l->n_local_sel);
	} else if (!strcmp(key, "remote")) {
		f->remote = true;
		add_selectors(p, "remote", value, l->remote_sel, &l->n_remote_sel);
	} else if (!strcmp(key, "mode")) {
		if (seen_before(p, "mode"))
			return;
		if (!strcmp(value, "tunnel"))
			l->mode = SKAP_LINK_TUNNEL;
		else if (!strcmp(value, "transport"))
			l->mode = SKAP_LINK_TRANSPORT;
		else
			diag(p, "mode '%s' is not tunnel or transport", value);
	} else if (!strcmp(key, "start")) {
		if (seen_before(p, "start"))
			return;
		if (!strcmp(value, "on-demand"))
			l->start = SKAP_START_ON_DEMAND;
		else if (!strcmp(value, "immediate"))
			l->start = SKAP_START_IMMEDIATE;
		else
			diag(p, "start '%s' is not on-demand or immediate", value);
	} else if ((lk = limit_key(key))) {
		set_limit(p, lk, value, l, f);
	} else {
		diag(p, "unknown key '%s' in [link %s] (peer, peer-address, local-address, local, "
			"remote, mode, start, lifetime, rekey-after, lifetime-bytes, "
			"rekey-after-bytes)",
		     key, l->name);
	}
}

/* Starts a [link NAME] section; its flags, or NULL when refused. */
static struct link_flags *open_link(struct parser *p, const char *name, struct link_flags **flags)
{
	struct skap_daemon_config *c = &p->cfg;
	struct skap_link_config *links;
	struct link_flags *grown;

	if (!valid_name(name)) {
		diag(p, "link name '%s' is not 1-%d of A-Z a-z 0-9 . _ -", name,
		     SKAP_CONFIG_NAME_MAX);
		return NULL;
	}
	for (size_t i = 0; i < c->n_links; i++) {
		if (!strcmp(c->links[i].name, name)) {
			diag(p, "link '%s' is defined twice (first on line %u)", name,
			     c->links[i].line);
			return NULL;
		}
	}
	if (c->n_links >= SKAP_CONFIG_MAX_LINKS) {
		diag(p, "more than %d links", SKAP_CONFIG_MAX_LINKS);
		return NULL;
	}
	links = realloc(c->links, (c->n_links + 1) * sizeof(*links));
	if (!links) {
		p->nomem = true;
		return NULL;
	}
	c->links = links;
	grown = realloc(*flags, (c->n_links + 1) * sizeof(**flags));
	if (!grown) {
		p->nomem = true;
		return NULL;
	}
	*flags = grown;
	p->link = &links[c->n_links];
	memset(p->link, 0, sizeof(*p->link));
	memset(&grown[c->n_links], 0, sizeof(grown[0]));
	copy_value(p->link->name, sizeof(p->link->name), name);
	p->link->line = p->line;
	p->link->mode = SKAP_LINK_TUNNEL;
	p->link->start = SKAP_START_ON_DEMAND;
	c->n_links++;
	return &grown[c->n_links - 1];
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* A "[...]" line: *CUR becomes the new link's flags, or NULL. */
static void section_line(struct parser *p, char *s, struct link_flags **flags,
			 struct link_flags **cur)
{
	char *close = strchr(s, ']');
	char *inner;

	p->n_seen = 0;
	p->link = NULL;
	*cur = NULL;
	p->section = SECTION_NONE;
	if (!close || *trim(close + 1)) {
		diag(p, "malformed section header: expected [skapd] or [link NAME]");
		return;
	}
	*close = '\0';
	inner = trim(s + 1);
	if (!strcmp(inner, "skapd")) {
		if (p->daemon_line) {
			diag(p, "[skapd] appears twice (first on line %u)", p->daemon_line);
			return;
		}
		p->daemon_line = p->line;
		p->section = SECTION_DAEMON;
	} else if (!strncmp(inner, "link", 4) && (inner[4] == ' ' || inner[4] == '\t')) {
		*cur = open_link(p, trim(inner + 5), flags);
		if (*cur)
			p->section = SECTION_LINK;
	} else {
		diag(p, "unknown section [%s]: expected [skapd] or [link NAME]", inner);
	}
}

static void key_line(struct parser *p, char *s, struct link_flags *cur)
{
	char *eq = strchr(s, '=');
	char *key, *value;

	if (!eq) {
		diag(p, "expected 'key = value'");
		return;
	}
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (!*key) {
		diag(p, "missing key before '='");
		return;
	}
	if (!*value) {
		diag(p, "'%s' has no value", key);
		return;
	}
	switch (p->section) {
	case SECTION_DAEMON:
		daemon_key(p, key, value);
		break;
	case SECTION_LINK:
		link_key(p, cur, key, value);
		break;
	case SECTION_NONE:
		/* Either before any section, or inside one whose header was bad. */
		if (!p->n_seen) {
			diag(p, "'%s' is outside a valid [skapd] or [link NAME] section", key);
			p->n_seen = 1; /* one message per orphan block is enough */
			p->seen[0] = (struct seen_key){ .key = "", .line = p->line };
		}
		break;
	}
}

static bool same_family_all(const struct skap_prefix *sel, size_t n, int family)
{
	for (size_t i = 0; i < n; i++)
		if (sel[i].family != family)
			return false;
	return true;
}

static void host_prefix(struct skap_prefix *out, const struct skap_endpoint *e)
{
	out->family = e->family;
	memcpy(out->addr, e->addr, sizeof(out->addr));
	out->len = (uint8_t)family_bits(e->family);
}

static void check_link(struct parser *p, struct skap_link_config *l, const struct link_flags *f)
{
	unsigned int line = l->line;
	int family;

	if (!f->peer)
		diag_at(p, line, "link '%s' has no 'peer' (the peer's device id)", l->name);
	if (!f->peer_addr)
		diag_at(p, line, "link '%s' has no 'peer-address'", l->name);
	if (!f->local_addr)
		diag_at(p, line, "link '%s' has no 'local-address'", l->name);
	if (f->peer_addr && f->local_addr && l->peer.family && l->local.family &&
	    l->peer.family != l->local.family)
		diag_at(p, line, "link '%s': local-address and peer-address are not both IPv4 or both IPv6",
			l->name);
	if (l->mode == SKAP_LINK_TRANSPORT) {
		/* The traffic is the gateways' own: the selectors are the endpoints. */
		if (!l->n_local_sel && l->local.family)
			host_prefix(&l->local_sel[l->n_local_sel++], &l->local);
		if (!l->n_remote_sel && l->peer.family)
			host_prefix(&l->remote_sel[l->n_remote_sel++], &l->peer);
	} else {
		if (!f->local)
			diag_at(p, line, "link '%s' has no 'local' (the prefixes behind this gateway)",
				l->name);
		if (!f->remote)
			diag_at(p, line, "link '%s' has no 'remote' (the prefixes behind the peer)",
				l->name);
	}
	if (l->n_local_sel && l->n_remote_sel) {
		family = l->local_sel[0].family;
		if (!same_family_all(l->local_sel, l->n_local_sel, family) ||
		    !same_family_all(l->remote_sel, l->n_remote_sel, family))
			diag_at(p, line, "link '%s': 'local' and 'remote' mix IPv4 and IPv6; use one link per family",
				l->name);
	}

	if (!f->lifetime)
		l->lifetime_s = 3600;
	if (l->lifetime_s < SKAP_MIN_LIFETIME_S)
		diag_at(p, line, "link '%s': lifetime must be at least %d s", l->name,
			SKAP_MIN_LIFETIME_S);
	if (!f->rekey_after)
		l->rekey_after_s = l->lifetime_s - l->lifetime_s / 10;
	if (l->rekey_after_s >= l->lifetime_s)
		diag_at(p, line, "link '%s': rekey-after (%llu s) must be shorter than lifetime (%llu s)",
			l->name, (unsigned long long)l->rekey_after_s,
			(unsigned long long)l->lifetime_s);
	if (f->lifetime_bytes && !f->rekey_after_bytes)
		l->rekey_after_bytes = l->lifetime_bytes - l->lifetime_bytes / 10;
	if (f->rekey_after_bytes && !f->lifetime_bytes)
		diag_at(p, line, "link '%s': rekey-after-bytes needs lifetime-bytes", l->name);
	if (l->lifetime_bytes && l->rekey_after_bytes >= l->lifetime_bytes)
		diag_at(p, line, "link '%s': rekey-after-bytes must be smaller than lifetime-bytes",
			l->name);
}

static void check_overlaps(struct parser *p)
{
	const struct skap_daemon_config *c = &p->cfg;

	for (size_t i = 0; i < c->n_links; i++) {
		for (size_t j = i + 1; j < c->n_links; j++) {
			const struct skap_link_config *a = &c->links[i], *b = &c->links[j];
			bool overlap = false;

			for (size_t x = 0; x < a->n_local_sel && !overlap; x++)
				for (size_t y = 0; y < b->n_local_sel && !overlap; y++)
					if (skap_prefix_overlaps(&a->local_sel[x], &b->local_sel[y]))
						for (size_t r = 0; r < a->n_remote_sel && !overlap; r++)
							for (size_t s = 0; s < b->n_remote_sel; s++)
								if (skap_prefix_overlaps(&a->remote_sel[r],
											 &b->remote_sel[s]))
									overlap = true;
			if (overlap)
				diag_at(p, b->line,
					"link '%s' covers traffic that link '%s' (line %u) already covers",
					b->name, a->name, a->line);
		}
	}
}

static void free_links_and_reset(struct skap_daemon_config *c)
{
	free(c->links);
	memset(c, 0, sizeof(*c));
}

int skap_config_parse(const char *name, const char *text, size_t len,
		      struct skap_daemon_config *cfg, struct skap_config_diag *diag)
{
	struct parser p = { .file = name, .diag = diag };
	struct link_flags *flags = NULL, *cur = NULL;
	char line[SKAP_CONFIG_LINE_MAX + 2];
	size_t pos = 0;

	memset(diag, 0, sizeof(*diag));
	p.cfg.log_level = SKAP_LOG_INFO;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *s;

		p.line++;
		if (n > SKAP_CONFIG_LINE_MAX) {
			diag(&p, "line longer than %d characters", SKAP_CONFIG_LINE_MAX);
			pos += n + 1;
			continue;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (strlen(line) != n) {
			diag(&p, "line contains a NUL byte");
			continue;
		}
		bool ctrl = false;

		for (size_t i = 0; i < n; i++)
			if (iscntrl((unsigned char)line[i]) && line[i] != '\t')
				ctrl = true;
		if (ctrl) {
			diag(&p, "line contains a control character");
			continue;
		}
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		if (*s == '[')
			section_line(&p, s, &flags, &cur);
		else
			key_line(&p, s, cur);
		if (p.nomem)
			break;
	}

	if (!p.nomem) {
		if (!p.daemon_line)
			diag_at(&p, 0, "no [skapd] section");
		else if (!p.platform_given)
			diag_at(&p, p.daemon_line, "[skapd] has no 'platform' (the platform's https:// URL)");
		if (!p.cfg.state_dir[0])
			copy_value(p.cfg.state_dir, sizeof(p.cfg.state_dir), SKAP_DEFAULT_STATE_DIR);
		if (!p.cfg.control_path[0])
			copy_value(p.cfg.control_path, sizeof(p.cfg.control_path),
				   SKAP_DEFAULT_CONTROL);
		if (!p.cfg.listen.family) {
			p.cfg.listen.family = AF_INET6; /* [::] takes IPv4 too */
			p.cfg.listen.port = SKAP_DEFAULT_PORT;
		}
		for (size_t i = 0; i < p.cfg.n_links; i++)
			check_link(&p, &p.cfg.links[i], &flags[i]);
		check_overlaps(&p);
	}
	free(flags);

	if (p.nomem) {
		free_links_and_reset(&p.cfg);
		skap_config_diag_free(diag);
		return -ENOMEM;
	}
	if (diag->n) {
		free_links_and_reset(&p.cfg);
		return -EINVAL;
	}
	*cfg = p.cfg;
	return 0;
}

int skap_config_load(const char *path, struct skap_daemon_config *cfg,
		     struct skap_config_diag *diag)
{
	struct parser p = { .file = path, .diag = diag };
	struct stat st;
	char *text;
	ssize_t got;
	size_t len = 0;
	int fd, ret;

	memset(diag, 0, sizeof(*diag));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		diag_at(&p, 0, "cannot open: %s", strerror(errno));
		return p.nomem ? -ENOMEM : ret;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		diag_at(&p, 0, "not a regular file");
		return p.nomem ? -ENOMEM : -EINVAL;
	}
	text = malloc(SKAP_CONFIG_FILE_MAX + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while ((got = read(fd, text + len, SKAP_CONFIG_FILE_MAX + 1 - len)) > 0) {
		len += (size_t)got;
		if (len > SKAP_CONFIG_FILE_MAX)
			break;
	}
	ret = got < 0 ? -errno : 0;
	close(fd);
	if (ret) {
		free(text);
		diag_at(&p, 0, "cannot read: %s", strerror(-ret));
		return p.nomem ? -ENOMEM : ret;
	}
	if (len > SKAP_CONFIG_FILE_MAX) {
		free(text);
		diag_at(&p, 0, "larger than %d bytes", SKAP_CONFIG_FILE_MAX);
		return p.nomem ? -ENOMEM : -EFBIG;
	}
	ret = skap_config_parse(path, text, len, cfg, diag);
	free(text);
	return ret;
}

void skap_config_free(struct skap_daemon_config *cfg)
{
	if (cfg)
		free_links_and_reset(cfg);
}

void skap_config_diag_free(struct skap_config_diag *diag)
{
	if (!diag)
		return;
	for (size_t i = 0; i < diag->n; i++)
		free(diag->msgs[i]);
	free(diag->msgs);
	diag->msgs = NULL;
	diag->n = 0;
}

const struct skap_link_config *skap_config_link(const struct skap_daemon_config *cfg,
						const char *name)
{
	for (size_t i = 0; i < cfg->n_links; i++)
		if (!strcmp(cfg->links[i].name, name))
			return &cfg->links[i];
	return NULL;
}
