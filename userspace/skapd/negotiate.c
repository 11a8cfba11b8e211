// SPDX-License-Identifier: GPL-2.0
/*
 * skapd's key negotiation (docs/protocol.md sections 3 to 5): on an acquire,
 * a start=immediate link or a soft expire, ask the platform for a pair key
 * over mutual TLS and run the exchange of userspace/lib/peer.c on the UDP
 * socket; a finished exchange's keys go into the module's keyring
 * (add_key) and become SAs, inbound first. Old SAs stay until their hard
 * expiry, so packets in flight are decrypted; when nothing new is in place
 * by then the policies drop the link's traffic (fail closed).
 *
 * Key requests go over one kept mutual-TLS connection (platform_conn.c)
 * and block the loop for one HTTPS round trip (at most the platform
 * timeout, 5 s): the daemon has nothing else to do for that link
 * meanwhile, and the peer engine's timers catch up on the next tick.
 */

#include "negotiate.h"
#include "identity.h"
#include "platform_conn.h"

#include <skap/hex.h>
#include <skap/kmod.h>
#include <skap/log.h>
#include <skap/peer.h>
#include <skap/platform.h>
#include <skap/policy_sync.h>
#include <skap/secret.h>

#include <linux/skap.h>

#include <errno.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * The responder's new outbound SA waits this long: the kernel sends on the
 * newest SA at once, and the initiator installs its inbound side only when
 * the RESP arrives. One retransmission interval covers a RESP in flight.
 */
#define RESPONDER_OUT_DELAY_MS 1000

struct delayed_out {
	struct skapd_neg *n;
	char link[SKAP_CONFIG_NAME_MAX + 1];
	int32_t key;
	uint32_t spi;
};

/*
 * Allocated one by one and carried across reloads by name, so that a link
 * the new file keeps keeps its pending rekey timer and its history.
 */
struct link_state {
	char name[SKAP_CONFIG_NAME_MAX + 1];
	uint64_t installed_ms; /* last SA pair */
	uint64_t soft_ms;      /* last soft expire seen */
	uint64_t started_ms;   /* last negotiation this side started */
	struct event *rekey;   /* the larger id's delayed rekey */
	struct skapd_neg *n;
	struct skapd_link_record rec;
};

struct skapd_neg {
	struct event_base *base;
	struct skap_kmod *km;
	const struct skap_daemon_config *cfg;
	const char *state_dir;
	struct skapd_identity idn;
	struct skapd_platform *platform;
	int32_t keyring;
	int fd;
	struct skap_peer *peer;
	struct event *ev_udp, *ev_tick;
	struct event *ev_prepare; /* the next exchange's key pair, when idle */
	struct link_state **links;
	size_t n_links;
	struct skapd_sa_record *pairs; /* installed SA pairs, oldest first */
	size_t n_pairs;
};

/* Records kept at most, whatever their expiry: memory stays bounded. */
#define MAX_PAIR_RECORDS 8192

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct link_state *state_of(const struct skapd_neg *n, const char *name)
{
	for (size_t i = 0; i < n->n_links; i++)
		if (!strcmp(n->links[i]->name, name))
			return n->links[i];
	return NULL;
}

/* Logs a link's failure and keeps it for the control socket's `links`. */
static void __attribute__((format(printf, 3, 4)))
link_failed(struct skapd_neg *n, const struct skap_link_config *l, const char *fmt, ...)
{
	struct link_state *ls = state_of(n, l->name);
	char msg[sizeof(ls->rec.last_error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warn("link %s: %s", l->name, msg);
	if (ls) {
		memcpy(ls->rec.last_error, msg, sizeof(msg));
		ls->rec.failed_at_ms = wall_ms();
		ls->started_ms = 0; /* this attempt is over */
	}
}

/* Drops the records whose keys have expired (their SAs are gone too). */
static void prune_pairs(struct skapd_neg *n, uint64_t now_s)
{
	size_t keep = 0;

	for (size_t i = 0; i < n->n_pairs; i++)
		if (n->pairs[i].key_expiry > now_s && n->n_pairs - i <= MAX_PAIR_RECORDS - 1)
			n->pairs[keep++] = n->pairs[i];
	n->n_pairs = keep;
}

static void record_pair(struct skapd_neg *n, const struct skap_link_config *l,
			enum skap_peer_role role, const struct skap_sa_pair *k, int32_t key_in,
			int32_t key_out, uint64_t expiry)
{
	struct link_state *ls = state_of(n, l->name);
	struct skapd_sa_record *r, *grown;

	if (ls) {
		ls->installed_ms = now_ms();
		ls->rec.finished_ms = wall_ms();
		ls->rec.duration_ms = role == SKAP_PEER_INITIATOR && ls->started_ms
					      ? (int64_t)(ls->installed_ms - ls->started_ms)
					      : -1;
		ls->started_ms = 0;
	}
	prune_pairs(n, (uint64_t)time(NULL));
	grown = realloc(n->pairs, (n->n_pairs + 1) * sizeof(*n->pairs));
	if (!grown)
		return; /* the SAs work; only their record is missing */
	n->pairs = grown;
	r = &n->pairs[n->n_pairs++];
	memset(r, 0, sizeof(*r));
	snprintf(r->link, sizeof(r->link), "%s", l->name);
	snprintf(r->peer, sizeof(r->peer), "%s", k->peer);
	memcpy(r->kid, k->kid, sizeof(r->kid));
	r->spi_in = k->spi_in;
	r->spi_out = k->spi_out;
	r->serial_in = key_in;
	r->serial_out = key_out;
	r->negotiated_at_ms = wall_ms();
	r->key_expiry = expiry;
	r->initiator = role == SKAP_PEER_INITIATOR;
}

static void schedule_tick(struct skapd_neg *n, uint64_t next_ms)
{
	uint64_t now = now_ms(), wait = next_ms > now ? next_ms - now : 0;
	struct timeval tv = {.tv_sec = (time_t)(wait / 1000),
			     .tv_usec = (suseconds_t)(wait % 1000) * 1000};

	if (wait > 1000)
		tv = (struct timeval){.tv_sec = 1};
	event_add(n->ev_tick, &tv);
}

/* ---- the peer engine's callbacks ---- */

static int add_sa(struct skapd_neg *n, const struct skap_link_config *l, int32_t key, uint32_t spi,
		  int inbound)
{
	const struct skap_endpoint *src = inbound ? &l->peer : &l->local;
	const struct skap_endpoint *dst = inbound ? &l->local : &l->peer;
	struct skap_kmod_error err;
	struct skap_sa sa = {0};
	int ret;

	sa.key = key;
	sa.family = l->peer.family;
	memcpy(sa.src, src->addr, sizeof(sa.src));
	memcpy(sa.dst, dst->addr, sizeof(sa.dst));
	sa.spi = spi;
	sa.mode = l->mode == SKAP_LINK_TUNNEL ? SKAP_MODE_TUNNEL : SKAP_MODE_TRANSPORT;
	sa.reqid = skap_link_reqid(l->name);
	sa.lifetime.soft_seconds = l->rekey_after_s;
	sa.lifetime.hard_seconds = l->lifetime_s;
	sa.lifetime.soft_bytes = l->rekey_after_bytes;
	sa.lifetime.hard_bytes = l->lifetime_bytes;
	ret = skap_kmod_new_sa(n->km, &sa, &err);
	if (ret)
		log_error("link %s: %s SA 0x%08x: %s", l->name, inbound ? "inbound" : "outbound",
			  spi, err.msg[0] ? err.msg : strerror(-ret));
	return ret;
}

static void on_delayed_out(evutil_socket_t fd, short what, void *arg)
{
	struct delayed_out *o = arg;
	const struct skap_link_config *l = skap_config_link(o->n->cfg, o->link);

	(void)fd;
	(void)what;
	if (l && add_sa(o->n, l, o->key, o->spi, 0))
		skap_key_revoke(o->key);
	else if (!l)
		skap_key_revoke(o->key);
	free(o);
}

/* The outbound SA of a responder, RESPONDER_OUT_DELAY_MS from now. */
static int add_out_later(struct skapd_neg *n, const struct skap_link_config *l, int32_t key,
			 uint32_t spi)
{
	struct delayed_out *o = calloc(1, sizeof(*o));
	struct timeval tv = {.tv_sec = RESPONDER_OUT_DELAY_MS / 1000,
			     .tv_usec = (RESPONDER_OUT_DELAY_MS % 1000) * 1000};

	if (!o)
		return -ENOMEM;
	o->n = n;
	snprintf(o->link, sizeof(o->link), "%s", l->name);
	o->key = key;
	o->spi = spi;
	if (event_base_once(n->base, -1, EV_TIMEOUT, on_delayed_out, o, &tv)) {
		free(o);
		return -ENOMEM;
	}
	return 0;
}

/*
 * The next exchange's X-Wing key pair and encapsulation randomness are made
 * once this one is over, from the loop: not between INIT and RESP, where
 * they would hold up the answer (a responder's RESP, an initiator's
 * installation), and not at once either: just after a responder's RESP
 * the peer is still decapsulating and installing its SAs, and where both
 * gateways share CPUs (VMs or containers on one host, the VM benchmark)
 * the work would take the peer's CPU. PREPARE_DELAY_MS later, both sides
 * are done. A timer already set is left alone, so that back-to-back
 * exchanges cannot keep postponing it; an exchange that finds nothing
 * ready makes its own.
 */
#define PREPARE_DELAY_MS 50

static void prepare_soon(struct skapd_neg *n)
{
	struct timeval tv = { 0, PREPARE_DELAY_MS * 1000 };

	if (n->ev_prepare && !evtimer_pending(n->ev_prepare, NULL))
		evtimer_add(n->ev_prepare, &tv);
}

static void on_prepare(evutil_socket_t fd, short what, void *arg)
{
	struct skapd_neg *n = arg;

	(void)fd;
	(void)what;
	if (skap_peer_prepare(n->peer))
		log_warn("making the next exchange's X-Wing keys failed; they will be made then");
}

static int install(void *arg, const struct skap_link_config *l, enum skap_peer_role role,
		   const struct skap_sa_pair *k)
{
	struct skapd_neg *n = arg;
	struct skap_key_params p = {0};
	int32_t key_in = 0, key_out = 0;
	char kid[2 * SKAP_KID_LEN + 1];
	uint64_t expiry;
	int ret;

	memcpy(p.kid, k->kid, sizeof(p.kid));
	snprintf(p.peer, sizeof(p.peer), "%s", k->peer);
	/* The key outlives its SA by a little: the SA's hard expiry ends it first. */
	p.expiry = expiry = (uint64_t)time(NULL) + l->lifetime_s + 5;
	p.dir = SKAP_KEY_DIR_IN;
	p.spi = k->spi_in;
	memcpy(p.key, k->key_in, sizeof(p.key));
	ret = skap_key_add(n->keyring, &p, &key_in);
	if (!ret) {
		p.dir = SKAP_KEY_DIR_OUT;
		p.spi = k->spi_out;
		memcpy(p.key, k->key_out, sizeof(p.key));
		ret = skap_key_add(n->keyring, &p, &key_out);
	}
	skap_wipe(&p, sizeof(p));
	if (ret) {
		log_error("link %s: adding the keys to the keyring: %s", l->name, strerror(-ret));
		return ret;
	}
	/* Inbound first: the peer's first packet under the new keys finds its SA. */
	ret = add_sa(n, l, key_in, k->spi_in, 1);
	if (!ret)
		ret = role == SKAP_PEER_RESPONDER ? add_out_later(n, l, key_out, k->spi_out)
						  : add_sa(n, l, key_out, k->spi_out, 0);
	if (ret) {
		skap_key_revoke(key_in);
		skap_key_revoke(key_out);
		return ret;
	}
	skap_hex_encode(k->kid, SKAP_KID_LEN, kid);
	record_pair(n, l, role, k, key_in, key_out, expiry);
	log_info("link %s: SA pair installed as %s with %s: SPI in 0x%08x out 0x%08x, key id %s, "
		 "keyring serials %d/%d",
		 l->name, role == SKAP_PEER_INITIATOR ? "initiator" : "responder", k->peer,
		 k->spi_in, k->spi_out, kid, key_in, key_out);
	prepare_soon(n);
	return 0;
}

static void failed(void *arg, const struct skap_link_config *l, const char *why)
{
	prepare_soon(arg);
	link_failed(arg, l, "negotiation with %s failed: %s; its traffic stays blocked", l->peer_id,
		    why);
}

static uint32_t new_spi(void *arg)
{
	uint32_t spi = 0;

	(void)arg;
	while (spi < 0x100)
		if (skap_random(&spi, sizeof(spi)))
			spi = 0;
	return spi;
}

/* ---- starting an exchange ---- */

static void note_start(struct skapd_neg *n, const struct skap_link_config *l)
{
	struct link_state *ls = state_of(n, l->name);

	if (ls) {
		ls->started_ms = now_ms();
		ls->rec.started_ms = wall_ms();
	}
}

static void initiate(struct skapd_neg *n, const struct skap_link_config *l, const char *why)
{
	uint8_t ticket[SKAP_TICKET_MAX_LEN];
	struct skap_platform_error err;
	struct skap_pair_key pk;
	char msg[256], kid[2 * SKAP_KID_LEN + 1];
	size_t tlen;
	int ret;

	if (skap_peer_busy(n->peer, l) || !n->platform)
		return;
	log_info("link %s: negotiating with %s (%s)", l->name, l->peer_id, why);
	note_start(n, l);
	ret = skapd_platform_key(n->platform, l->peer_id, &pk, ticket, &tlen, &err, msg,
				 sizeof(msg));
	if (ret == -EACCES) {
		link_failed(n, l, "the platform refused a key with %s: %s (%s)", l->peer_id,
			    err.message, err.code);
		return;
	}
	if (ret) {
		link_failed(n, l, "key request failed: %s",
			    ret == -EPROTO ? "the platform's answer does not open" : msg);
		return;
	}
	skap_hex_encode(pk.kid, SKAP_KID_LEN, kid);
	log_info("link %s: key %s from the platform", l->name, kid);
	ret = skap_peer_initiate(n->peer, l, &pk, ticket, tlen, now_ms());
	skap_wipe(&pk, sizeof(pk));
	if (ret && ret != -EALREADY)
		link_failed(n, l, "starting the exchange: %s", strerror(-ret));
	schedule_tick(n, now_ms());
}

static void on_rekey_timer(evutil_socket_t fd, short what, void *arg)
{
	struct link_state *ls = arg;
	const struct skap_link_config *l = skap_config_link(ls->n->cfg, ls->name);

	(void)fd;
	(void)what;
	/* The smaller id had its turn: only when nothing new came, start ourselves. */
	if (l && ls->installed_ms <= ls->soft_ms)
		initiate(ls->n, l, "rekey: the peer did not start one");
}

void skapd_neg_acquire(struct skapd_neg *n, const struct skap_link_config *l)
{
	if (n)
		initiate(n, l, "traffic is waiting");
}

void skapd_neg_expire(struct skapd_neg *n, const struct skap_link_config *l, int hard, int outbound)
{
	struct link_state *ls;
	struct timeval tv;

	if (!n || !(ls = state_of(n, l->name)))
		return;
	if (hard) {
		if (outbound && ls->installed_ms <= ls->soft_ms)
			link_failed(n, l,
				    "keys expired with no new ones: traffic is dropped until a "
				    "negotiation succeeds (fail closed)");
		return;
	}
	if (!outbound)
		return;
	ls->soft_ms = now_ms();
	if (strcmp(n->idn.id, l->peer_id) < 0) {
		initiate(n, l, "rekey");
		return;
	}
	/* Half of the time left to the hard expiry. */
	tv.tv_sec = (time_t)((l->lifetime_s - l->rekey_after_s) / 2);
	tv.tv_usec = (suseconds_t)(((l->lifetime_s - l->rekey_after_s) % 2) * 500000);
	event_add(ls->rekey, &tv);
}

/* ---- the socket and the timer ---- */

static void on_udp(evutil_socket_t fd, short what, void *arg)
{
	struct skapd_neg *n = arg;

	(void)fd;
	(void)what;
	skap_peer_receive(n->peer, now_ms());
	schedule_tick(n, now_ms());
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct skapd_neg *n = arg;

	(void)fd;
	(void)what;
	schedule_tick(n, skap_peer_tick(n->peer, now_ms()));
}

static int open_socket(const struct skap_endpoint *ep)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int fd = socket(ep->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (ep->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, ep->addr, 16);
		s6->sin6_port = htons(ep->port);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, ep->addr, 4);
		s4->sin_port = htons(ep->port);
		len = sizeof(*s4);
	}
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int count_link_sas(const struct skap_sa *sa, void *arg)
{
	uint32_t *want = arg;

	if (sa->reqid == want[0])
		want[1]++;
	return 0;
}

/* Links configured to start at once, and without SAs (a restart keeps existing ones). */
static void start_immediate(struct skapd_neg *n)
{
	struct skap_kmod_error err;

	for (size_t i = 0; i < n->cfg->n_links; i++) {
		const struct skap_link_config *l = &n->cfg->links[i];
		uint32_t q[2] = {skap_link_reqid(l->name), 0};

		if (l->start != SKAP_START_IMMEDIATE)
			continue;
		if (!skap_kmod_dump_sas(n->km, count_link_sas, q, &err) && q[1])
			continue;
		initiate(n, l, "start = immediate");
	}
}

static void free_link_state(struct link_state *ls)
{
	if (!ls)
		return;
	if (ls->rekey)
		event_free(ls->rekey);
	free(ls);
}

static struct link_state *new_link_state(struct skapd_neg *n, const char *name)
{
	struct link_state *ls = calloc(1, sizeof(*ls));

	if (!ls)
		return NULL;
	snprintf(ls->name, sizeof(ls->name), "%s", name);
	ls->n = n;
	ls->rec.duration_ms = -1;
	ls->rekey = evtimer_new(n->base, on_rekey_timer, ls);
	if (!ls->rekey) {
		free(ls);
		return NULL;
	}
	return ls;
}

/* One state per configured link: kept ones move over, removed ones go. */
static int make_link_states(struct skapd_neg *n)
{
	size_t want = n->cfg->n_links;
	struct link_state **ls = calloc(want ? want : 1, sizeof(*ls));

	if (!ls)
		return -ENOMEM;
	for (size_t i = 0; i < want; i++) {
		const char *name = n->cfg->links[i].name;

		ls[i] = state_of(n, name);
		if (!ls[i])
			ls[i] = new_link_state(n, name);
		if (!ls[i]) {
			for (size_t j = 0; j < i; j++)
				if (!state_of(n, ls[j]->name))
					free_link_state(ls[j]);
			free(ls);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < n->n_links; i++)
		if (!skap_config_link(n->cfg, n->links[i]->name))
			free_link_state(n->links[i]);
	free(n->links);
	n->links = ls;
	n->n_links = want;
	return 0;
}

int skapd_neg_start(struct skapd_neg **out, struct event_base *base, struct skap_kmod *km,
		    const struct skap_daemon_config *cfg)
{
	static const struct skap_peer_ops ops = {
		.install = install, .failed = failed, .new_spi = new_spi};
	struct skap_peer_ops my_ops = ops;
	struct skap_kmod_info info;
	struct skap_kmod_error err;
	uint8_t kt[32];
	struct skapd_neg *n;
	int ret;

	*out = NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->base = base;
	n->km = km;
	n->cfg = cfg;
	n->fd = -1;
	ret = skapd_identity_load(cfg->state_dir, &n->idn);
	if (ret || !n->idn.id[0] || !n->idn.cert || strcmp(n->idn.state, "approved")) {
		log_warn("not enrolled and approved (state in %s: %s): links stay closed; run "
			 "skapd enroll",
			 cfg->state_dir,
			 ret		? strerror(-ret)
			 : n->idn.id[0] ? n->idn.state
					: "no device id");
		skapd_neg_free(n);
		return ret ? ret : -EACCES;
	}
	ret = skap_kmod_info(km, &info, &err);
	if (ret)
		goto fail;
	n->keyring = info.keyring;
	n->fd = open_socket(&cfg->listen);
	if (n->fd < 0) {
		ret = n->fd;
		log_error("cannot listen for peers on UDP port %u: %s", cfg->listen.port,
			  strerror(-ret));
		goto fail;
	}
	ret = skap_dmk_derive(n->idn.dmk, SKAP_DMK_TICKET, n->idn.id, kt);
	if (ret)
		goto fail;
	ret = skapd_platform_new(&n->platform, base, cfg->platform_url, cfg->ca_file, &n->idn);
	if (ret)
		goto fail;
	my_ops.arg = n;
	n->peer = skap_peer_new(n->idn.id, kt, n->fd, cfg, NULL, &my_ops);
	skap_wipe(kt, sizeof(kt));
	n->ev_udp = event_new(base, n->fd, EV_READ | EV_PERSIST, on_udp, n);
	n->ev_tick = evtimer_new(base, on_tick, n);
	n->ev_prepare = evtimer_new(base, on_prepare, n);
	if (!n->peer || !n->ev_udp || !n->ev_tick || !n->ev_prepare || event_add(n->ev_udp, NULL) ||
	    make_link_states(n)) {
		ret = -ENOMEM;
		goto fail;
	}
	skap_peer_prepare(n->peer);
	log_info("device %s (%s): negotiating on UDP port %u", n->idn.id, n->idn.fingerprint,
		 cfg->listen.port);
	start_immediate(n);
	*out = n;
	return 0;
fail:
	skapd_neg_free(n);
	return ret;
}

void skapd_neg_set_config(struct skapd_neg *n, const struct skap_daemon_config *cfg)
{
	if (!n)
		return;
	n->cfg = cfg;
	skap_peer_set_config(n->peer, cfg);
	/* The platform's URL or CA file may have changed: a new connection. */
	skapd_platform_free(n->platform);
	if (skapd_platform_new(&n->platform, n->base, cfg->platform_url, cfg->ca_file, &n->idn))
		log_error("out of memory for the platform connection");
	make_link_states(n);
	start_immediate(n);
}

void skapd_neg_free(struct skapd_neg *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n_links; i++)
		free_link_state(n->links[i]);
	free(n->links);
	free(n->pairs);
	if (n->ev_udp)
		event_free(n->ev_udp);
	if (n->ev_tick)
		event_free(n->ev_tick);
	if (n->ev_prepare)
		event_free(n->ev_prepare);
	skap_peer_free(n->peer);
	skapd_platform_free(n->platform);
	if (n->fd >= 0)
		close(n->fd);
	skapd_identity_free(&n->idn);
	free(n);
}

/* ---- what the control socket reads ---- */

int skapd_neg_link(const struct skapd_neg *n, const char *link, struct skapd_link_record *out)
{
	const struct skap_link_config *l;
	struct link_state *ls;

	if (!n || !(ls = state_of(n, link)))
		return -ENOENT;
	*out = ls->rec;
	l = skap_config_link(n->cfg, link);
	out->negotiating = ls->started_ms || (l && skap_peer_busy(n->peer, l));
	return 0;
}

const struct skapd_sa_record *skapd_neg_pair_by_spi(const struct skapd_neg *n, uint32_t spi)
{
	/* Newest first: an SPI is unique while its SA lives, and old records may linger. */
	for (size_t i = n ? n->n_pairs : 0; i-- > 0;)
		if (n->pairs[i].spi_in == spi || n->pairs[i].spi_out == spi)
			return &n->pairs[i];
	return NULL;
}

const struct skapd_sa_record *skapd_neg_pair_by_serial(const struct skapd_neg *n, int32_t serial)
{
	for (size_t i = n ? n->n_pairs : 0; i-- > 0;)
		if (n->pairs[i].serial_in == serial || n->pairs[i].serial_out == serial)
			return &n->pairs[i];
	return NULL;
}

const char *skapd_neg_device_id(const struct skapd_neg *n)
{
	return n ? n->idn.id : NULL;
}
