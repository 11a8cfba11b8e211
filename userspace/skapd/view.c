// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's answers (view.h). Each SA is joined to its key id by
 * what negotiate.c recorded when it installed the pair; after a restart the
 * record is gone, so the key id is read from the key's description in the
 * module's keyring (the dump gives the key's serial), and what neither
 * holds (the negotiation time) is null: "unknown", never guessed.
 */

#include "view.h"
#include "identity.h"

#include <skap/hex.h>
#include <skap/policy_sync.h>

#include <linux/skap.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A dump that keeps changing under us is retried this often. */
#define DUMP_TRIES 3

struct sa_list {
	struct skap_sa *v;
	size_t n, cap;
};

json_t *skapd_view_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b,s:s}", "ok", 0, "error", msg);
}

static json_t *time_or_null(uint64_t unix_s)
{
	return unix_s ? json_integer((json_int_t)unix_s) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *kid_json(const uint8_t kid[SKAP_KID_LEN])
{
	char s[2 * SKAP_KID_LEN + 1];

	skap_hex_encode(kid, SKAP_KID_LEN, s);
	return json_string(s);
}

static json_t *spi_json(uint32_t spi)
{
	char s[11];

	snprintf(s, sizeof(s), "0x%08x", spi);
	return json_string(s);
}

static json_t *addr_json(int family, const uint8_t addr[16])
{
	char s[INET6_ADDRSTRLEN];

	return inet_ntop(family, addr, s, sizeof(s)) ? json_string(s) : json_null();
}

static const struct skap_link_config *link_of(const struct skap_daemon_config *cfg, uint32_t reqid)
{
	for (size_t i = 0; i < cfg->n_links; i++)
		if (skap_link_reqid(cfg->links[i].name) == reqid)
			return &cfg->links[i];
	return NULL;
}

/* ---- the module's SAs ---- */

static int collect_sa(const struct skap_sa *sa, void *arg)
{
	struct sa_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct skap_sa *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *sa;
	return 0;
}

static int dump_sas(struct skap_kmod *km, struct sa_list *l, struct skap_kmod_error *err)
{
	int ret = -EAGAIN;

	for (int i = 0; i < DUMP_TRIES && ret == -EAGAIN; i++) {
		l->n = 0;
		ret = skap_kmod_dump_sas(km, collect_sa, l, err);
	}
	return ret;
}

static json_t *dump_error(int ret, const struct skap_kmod_error *err)
{
	return skapd_view_error("reading the module's SAs: %s",
				err->msg[0] ? err->msg : strerror(-ret));
}

/* ---- status ---- */

static json_t *device_json(const struct skap_daemon_config *cfg)
{
	struct skapd_device_info info;

	if (skapd_identity_describe(cfg->state_dir, &info) || !info.id[0])
		return json_pack("{s:b,s:s}", "enrolled", 0, "state_dir", cfg->state_dir);
	return json_pack("{s:b,s:s,s:s,s:b,s:o,s:s,s:o,s:s}", "enrolled", 1, "id", info.id, "state",
			 info.state, "approved", !strcmp(info.state, "approved"), "tenant",
			 str_or_null(info.tenant), "fingerprint", info.fingerprint,
			 "certificate_expires", time_or_null((uint64_t)info.cert_not_after),
			 "state_dir", cfg->state_dir);
}

static json_t *status(const struct skapd_view *v)
{
	uint64_t now = (uint64_t)time(NULL);

	return json_pack("{s:b,s:s,s:o,s:s,s:s,s:I,s:I,s:I,s:b}", "ok", 1, "version", SKAP_VERSION,
			 "device", device_json(v->cfg), "platform", v->cfg->platform_url, "config",
			 v->config_path, "started", (json_int_t)v->started, "uptime_s",
			 (json_int_t)(now > v->started ? now - v->started : 0), "links",
			 (json_int_t)v->cfg->n_links, "negotiating", v->neg != NULL);
}

/* ---- links ---- */

static json_t *prefixes_json(const struct skap_prefix *p, size_t n)
{
	json_t *a = json_array();
	char s[64];

	for (size_t i = 0; i < n; i++)
		if (!skap_prefix_format(&p[i], s, sizeof(s)))
			json_array_append_new(a, json_string(s));
	return a;
}

static json_t *endpoint_json(const struct skap_endpoint *ep)
{
	char s[64];

	return skap_endpoint_format(ep, s, sizeof(s)) ? json_null() : json_string(s);
}

/* The newest outbound SA of REQID, or NULL: the one the kernel sends on. */
static const struct skap_sa *newest_out(const struct sa_list *l, uint32_t reqid, size_t *count)
{
	const struct skap_sa *best = NULL;

	*count = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].reqid != reqid)
			continue;
		(*count)++;
		if (l->v[i].dir == SKAP_KEY_DIR_OUT &&
		    (!best || l->v[i].stats.add_time >= best->stats.add_time))
			best = &l->v[i];
	}
	return best;
}

/*
 * up: an outbound SA carries the traffic (a rekey may be in flight: the
 * "negotiating" member says so); negotiating: no SA yet, an attempt of ours
 * is in flight; failed-closed: the last attempt failed and no SA is left,
 * so the link's policies drop its traffic; idle: nothing tried, nothing in
 * place (an on-demand link before its first packet).
 */
static const char *link_state(const struct skapd_view *v, const struct skapd_link_record *r,
			      const struct skap_sa *out)
{
	if (out)
		return "up";
	if (r->negotiating)
		return "negotiating";
	if (!v->neg || (r->failed_at_ms && r->failed_at_ms >= r->finished_ms))
		return "failed-closed";
	return "idle";
}

static json_t *negotiation_json(const struct skapd_link_record *r)
{
	return json_pack("{s:o,s:o,s:o}", "started", time_or_null(r->started_ms / 1000), "finished",
			 time_or_null(r->finished_ms / 1000), "duration_ms",
			 r->duration_ms >= 0 ? json_integer(r->duration_ms) : json_null());
}

static json_t *link_json(const struct skapd_view *v, const struct skap_link_config *l,
			 const struct sa_list *sas)
{
	struct skapd_link_record r = {.duration_ms = -1};
	size_t n_sas;
	const struct skap_sa *out = newest_out(sas, skap_link_reqid(l->name), &n_sas);
	uint64_t rekey = out && out->lifetime.soft_seconds
				 ? out->stats.add_time + out->lifetime.soft_seconds
				 : 0;

	if (!v->neg)
		snprintf(r.last_error, sizeof(r.last_error),
			 "this device is not enrolled and approved (skapd enroll)");
	else
		skapd_neg_link(v->neg, l->name, &r);
	return json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:s,s:s,s:I,s:I,s:s,s:I,s:o,s:o,s:o,s:o,s:b}",
			 "name", l->name, "peer", l->peer_id, "peer_address",
			 endpoint_json(&l->peer), "local_address", endpoint_json(&l->local),
			 "local", prefixes_json(l->local_sel, l->n_local_sel), "remote",
			 prefixes_json(l->remote_sel, l->n_remote_sel), "mode",
			 l->mode == SKAP_LINK_TUNNEL ? "tunnel" : "transport", "start",
			 l->start == SKAP_START_IMMEDIATE ? "immediate" : "on-demand", "lifetime_s",
			 (json_int_t)l->lifetime_s, "rekey_after_s", (json_int_t)l->rekey_after_s,
			 "state", link_state(v, &r, out), "sas", (json_int_t)n_sas, "last_error",
			 str_or_null(r.last_error), "failed_at",
			 time_or_null(r.failed_at_ms / 1000), "last_negotiation",
			 negotiation_json(&r), "next_rekey", time_or_null(rekey), "negotiating",
			 r.negotiating);
}

static json_t *links(const struct skapd_view *v)
{
	struct sa_list sas = {0};
	struct skap_kmod_error err;
	json_t *a;
	int ret = dump_sas(v->km, &sas, &err);

	if (ret) {
		free(sas.v);
		return dump_error(ret, &err);
	}
	a = json_array();
	for (size_t i = 0; i < v->cfg->n_links; i++)
		json_array_append_new(a, link_json(v, &v->cfg->links[i], &sas));
	free(sas.v);
	return json_pack("{s:b,s:o}", "ok", 1, "links", a);
}

/* ---- SAs ---- */

/* A limit: null for none (0, or xfrm's "infinity", all bits set). */
static json_t *limit_json(uint64_t v)
{
	return v && v != UINT64_MAX && v <= INT64_MAX ? json_integer((json_int_t)v) : json_null();
}

static json_t *lifetime_json(const struct skap_lifetime *l)
{
	return json_pack("{s:o,s:o,s:o,s:o}", "soft_seconds", limit_json(l->soft_seconds),
			 "hard_seconds", limit_json(l->hard_seconds), "soft_bytes",
			 limit_json(l->soft_bytes), "hard_bytes", limit_json(l->hard_bytes));
}

static json_t *counters_json(const struct skap_sa_stats *s)
{
	return json_pack("{s:I,s:I,s:I,s:I}", "bytes", (json_int_t)s->bytes, "packets",
			 (json_int_t)s->packets, "replay_errors", (json_int_t)s->replay_errors,
			 "integrity_errors", (json_int_t)s->integrity_errors);
}

/* Key id, peer and negotiation time: recorded, or from the key's description. */
static void join_key(const struct skapd_view *v, const struct skap_sa *sa, json_t *o)
{
	const struct skapd_sa_record *r = skapd_neg_pair_by_spi(v->neg, sa->spi);
	struct skap_key_info k;

	if (r && (r->serial_in == sa->key || r->serial_out == sa->key)) {
		json_object_set_new(o, "key_id", kid_json(r->kid));
		json_object_set_new(o, "peer", json_string(r->peer));
		json_object_set_new(o, "negotiated_at",
				    json_integer((json_int_t)(r->negotiated_at_ms / 1000)));
		json_object_set_new(o, "role",
				    json_string(r->initiator ? "initiator" : "responder"));
		json_object_set_new(o, "recorded", json_true());
		return;
	}
	/* Not negotiated by this run of skapd: the keyring still names the key. */
	if (!skap_key_describe(sa->key, &k)) {
		json_object_set_new(o, "key_id", kid_json(k.kid));
		json_object_set_new(o, "peer", json_string(k.peer));
	} else {
		json_object_set_new(o, "key_id", json_null());
		json_object_set_new(o, "peer", json_null());
	}
	json_object_set_new(o, "negotiated_at", json_null());
	json_object_set_new(o, "role", json_null());
	json_object_set_new(o, "recorded", json_false());
}

static json_t *sa_json(const struct skapd_view *v, const struct skap_sa *sa)
{
	const struct skap_link_config *l = link_of(v->cfg, sa->reqid);
	uint64_t hard = sa->lifetime.hard_seconds;
	json_t *o = json_pack(
		"{s:o,s:s,s:o,s:I,s:o,s:o,s:s,s:i,s:I,s:o,s:o,s:o,s:I}", "spi", spi_json(sa->spi),
		"direction", sa->dir == SKAP_KEY_DIR_IN ? "in" : "out", "link",
		str_or_null(l ? l->name : NULL), "reqid", (json_int_t)sa->reqid, "src",
		addr_json(sa->family, sa->src), "dst", addr_json(sa->family, sa->dst), "mode",
		sa->mode == SKAP_MODE_TUNNEL ? "tunnel" : "transport", "key_serial", (int)sa->key,
		"add_time", (json_int_t)sa->stats.add_time, "expires",
		time_or_null(hard ? sa->stats.add_time + hard : 0), "counters",
		counters_json(&sa->stats), "lifetime", lifetime_json(&sa->lifetime), "use_time",
		(json_int_t)sa->stats.use_time);

	if (o)
		join_key(v, sa, o);
	return o;
}

static json_t *sas(const struct skapd_view *v)
{
	struct sa_list l = {0};
	struct skap_kmod_error err;
	json_t *a;
	int ret = dump_sas(v->km, &l, &err);

	if (ret) {
		free(l.v);
		return dump_error(ret, &err);
	}
	a = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(a, sa_json(v, &l.v[i]));
	free(l.v);
	return json_pack("{s:b,s:o}", "ok", 1, "sas", a);
}

/* ---- keys ---- */

static const char *key_state(int ret)
{
	switch (ret) {
	case 0:
		return "valid";
	case -EKEYREVOKED:
		return "revoked";
	case -EKEYEXPIRED:
		return "expired";
	default:
		return "unreadable";
	}
}

static json_t *key_json(const struct skapd_view *v, int32_t serial, const struct sa_list *sas)
{
	const struct skapd_sa_record *r = skapd_neg_pair_by_serial(v->neg, serial);
	const struct skap_link_config *l = NULL;
	struct skap_key_info k;
	int ret = skap_key_describe(serial, &k);
	bool in_use = false;
	json_t *o;

	for (size_t i = 0; i < sas->n; i++) {
		if (sas->v[i].key == serial) {
			in_use = true;
			l = link_of(v->cfg, sas->v[i].reqid);
		}
	}
	o = json_pack("{s:i,s:s,s:b,s:o}", "serial", (int)serial, "state", key_state(ret), "in_use",
		      in_use, "expires", time_or_null(r ? r->key_expiry : 0));
	if (!o)
		return NULL;
	json_object_set_new(o, "link", str_or_null(l ? l->name : r ? r->link : NULL));
	json_object_set_new(o, "key_id", ret ? json_null() : kid_json(k.kid));
	json_object_set_new(o, "peer", ret ? json_null() : json_string(k.peer));
	json_object_set_new(o, "direction",
			    ret ? json_null()
				: json_string(k.dir == SKAP_KEY_DIR_IN ? "in" : "out"));
	json_object_set_new(o, "spi", ret ? json_null() : spi_json(k.spi));
	return o;
}

static json_t *keys(const struct skapd_view *v)
{
	struct sa_list sas = {0};
	struct skap_kmod_info info;
	struct skap_kmod_error err;
	int32_t *serials = NULL;
	size_t n = 0;
	json_t *a;
	int ret = skap_kmod_info(v->km, &info, &err);

	if (ret)
		return skapd_view_error("asking the module for its keyring: %s",
					err.msg[0] ? err.msg : strerror(-ret));
	ret = skap_key_list(info.keyring, &serials, &n);
	if (ret)
		return skapd_view_error("reading the module's keyring %d: %s", info.keyring,
					strerror(-ret));
	ret = dump_sas(v->km, &sas, &err);
	if (ret) {
		free(serials);
		free(sas.v);
		return dump_error(ret, &err);
	}
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, key_json(v, serials[i], &sas));
	free(serials);
	free(sas.v);
	return json_pack("{s:b,s:i,s:o}", "ok", 1, "keyring", (int)info.keyring, "keys", a);
}

json_t *skapd_view_answer(const struct skapd_view *v, const char *command)
{
	if (!strcmp(command, "status"))
		return status(v);
	if (!strcmp(command, "links"))
		return links(v);
	if (!strcmp(command, "sas"))
		return sas(v);
	if (!strcmp(command, "keys"))
		return keys(v);
	return NULL;
}
