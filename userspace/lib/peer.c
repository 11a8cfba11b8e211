// SPDX-License-Identifier: GPL-2.0
/*
 * SKAP over UDP (include/skap/peer.h). The responder's order of work is
 * the protocol's: rate limit, structure, duplicate, cookie under load,
 * ticket and MAC, clock, replay, link, and only then the KEM and the
 * kernel. Nothing an unauthenticated sender can send makes the responder
 * keep state, except a bounded per-source token bucket.
 */

#include <skap/peer.h>

#include <skap/ratelimit.h>
#include <skap/sym.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PENDING	 256
#define ANSWER_CACHE	 1024
#define ANSWER_TTL_MS	 60000
#define REPLAY_CACHE	 4096
#define REPLAY_TTL_MS	 120000
#define COOKIE_PERIOD_MS 120000
#define GIVE_UP_MS	 30000
#define FIRST_RETRY_MS	 1000
#define MAX_RETRY_MS	 8000

struct pending {
	bool used;
	char link[SKAP_ID_MAX + 1];
	struct skap_initiator x;
	struct skap_pair_key pk;
	uint8_t ticket[SKAP_TICKET_MAX_LEN];
	size_t ticket_len;
	struct sockaddr_storage to;
	socklen_t to_len;
	uint64_t next_ms, deadline_ms, interval_ms;
	bool cookie_used;
};

struct answer {
	uint64_t at_ms; /* 0: empty */
	struct sockaddr_storage from;
	uint32_t session;
	uint8_t nonce[SKAP_NONCE_LEN];
	uint8_t resp[SKAP_MSG_MAX];
	size_t resp_len;
};

struct seen {
	uint64_t at_ms;
	uint8_t kid[SKAP_KID_LEN];
	uint8_t nonce[SKAP_NONCE_LEN];
};

struct skap_peer {
	char self[SKAP_ID_MAX + 1];
	uint8_t k_ticket[32];
	int fd;
	int sock_family;
	const struct skap_daemon_config *cfg;
	struct skap_peer_ops ops;
	struct skap_peer_limits limits;
	struct skap_ratelimit *per_source;
	struct pending pending[MAX_PENDING];
	struct answer answers[ANSWER_CACHE];
	size_t answer_next;
	struct seen seen[REPLAY_CACHE];
	size_t seen_next;
	uint8_t cookie_secret[2][32]; /* current, previous */
	uint64_t cookie_rotated_ms;
	uint64_t second_start_ms;
	unsigned int inits_this_second;
	struct skap_peer_stats stats;
	/* The next exchange's X-Wing key pair, made while nothing waits. */
	bool spare_ready;
	struct skap_xwing_dk spare_dk;
	uint8_t spare_pk[SKAP_XWING_PK_BYTES];
	/* The next answer's encapsulation randomness, likewise. */
	bool eph_ready;
	struct skap_xwing_eph spare_eph;
};

/* The address bytes of a sockaddr, IPv4-mapped IPv6 folded to IPv4. */
static int addr_of(const struct sockaddr_storage *ss, int *family, uint8_t addr[16],
		   uint16_t *port)
{
	memset(addr, 0, 16);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		*family = AF_INET;
		memcpy(addr, &in->sin_addr, 4);
		*port = ntohs(in->sin_port);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		*port = ntohs(in6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			*family = AF_INET;
			memcpy(addr, in6->sin6_addr.s6_addr + 12, 4);
		} else {
			*family = AF_INET6;
			memcpy(addr, in6->sin6_addr.s6_addr, 16);
		}
		return 0;
	}
	return -EAFNOSUPPORT;
}

/* A link's peer as a destination for this socket (IPv4 mapped on an IPv6 socket). */
static socklen_t endpoint_to(const struct skap_peer *p, const struct skap_endpoint *e,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (p->sock_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		if (e->family != AF_INET)
			return 0;
		in->sin_family = AF_INET;
		in->sin_port = htons(e->port);
		memcpy(&in->sin_addr, e->addr, 4);
		return sizeof(*in);
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(e->port);
	if (e->family == AF_INET) {
		in6->sin6_addr.s6_addr[10] = 0xff;
		in6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(in6->sin6_addr.s6_addr + 12, e->addr, 4);
	} else {
		memcpy(in6->sin6_addr.s6_addr, e->addr, 16);
	}
	return sizeof(*in6);
}

static bool same_source(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	int fa, fb;
	uint8_t aa[16], ab[16];
	uint16_t pa, pb;

	return !addr_of(a, &fa, aa, &pa) && !addr_of(b, &fb, ab, &pb) && fa == fb && pa == pb &&
	       !memcmp(aa, ab, 16);
}

struct skap_peer *skap_peer_new(const char *self, const uint8_t k_ticket[32], int fd,
				const struct skap_daemon_config *cfg,
				const struct skap_peer_limits *limits,
				const struct skap_peer_ops *ops)
{
	struct skap_peer *p;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (!skap_id_valid(self) || getsockname(fd, (struct sockaddr *)&ss, &len))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	strcpy(p->self, self);
	memcpy(p->k_ticket, k_ticket, 32);
	p->fd = fd;
	p->sock_family = ss.ss_family;
	p->cfg = cfg;
	p->ops = *ops;
	p->limits = limits ? *limits
			   : (struct skap_peer_limits){ .per_source_rate = 20,
							.per_source_burst = 40,
							.busy_rate = 200 };
	p->per_source = skap_ratelimit_new(p->limits.per_source_rate, p->limits.per_source_burst,
					   4096);
	if (!p->per_source || skap_random(p->cookie_secret, sizeof(p->cookie_secret))) {
		skap_peer_free(p);
		return NULL;
	}
	return p;
}

void skap_peer_free(struct skap_peer *p)
{
	if (!p)
		return;
	skap_ratelimit_free(p->per_source);
	explicit_bzero(p, sizeof(*p));
	free(p);
}

void skap_peer_set_config(struct skap_peer *p, const struct skap_daemon_config *cfg)
{
	p->cfg = cfg;
	/* Exchanges of links that are gone end here. */
	for (size_t i = 0; i < MAX_PENDING; i++) {
		if (p->pending[i].used && !skap_config_link(cfg, p->pending[i].link)) {
			skap_initiator_clear(&p->pending[i].x);
			explicit_bzero(&p->pending[i], sizeof(p->pending[i]));
		}
	}
}

void skap_peer_stats(const struct skap_peer *p, struct skap_peer_stats *st)
{
	*st = p->stats;
}

static void send_to(struct skap_peer *p, const void *msg, size_t len,
		    const struct sockaddr_storage *to, socklen_t to_len)
{
	/* UDP: a failed send is a lost packet; retransmission covers it. */
	if (sendto(p->fd, msg, len, 0, (const struct sockaddr *)to, to_len) < 0) {
		/* nothing to undo */
	}
}

static socklen_t sockaddr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static struct pending *pending_for_link(struct skap_peer *p, const char *link)
{
	for (size_t i = 0; i < MAX_PENDING; i++)
		if (p->pending[i].used && !strcmp(p->pending[i].link, link))
			return &p->pending[i];
	return NULL;
}

static struct pending *pending_for_session(struct skap_peer *p, uint32_t session)
{
	for (size_t i = 0; i < MAX_PENDING; i++)
		if (p->pending[i].used && p->pending[i].x.session == session)
			return &p->pending[i];
	return NULL;
}

static void drop_pending(struct pending *e)
{
	skap_initiator_clear(&e->x);
	explicit_bzero(e, sizeof(*e));
}

static int start_exchange(struct skap_peer *p, struct pending *e,
			  const struct skap_link_config *link, const uint8_t *cookie,
			  uint32_t spi_in, uint32_t session)
{
	struct skap_initiator_params ip = {
		.self = p->self,
		.peer = link->peer_id,
		.link = link->name,
		.spi_in = spi_in,
		.local = link->local_sel,
		.n_local = link->n_local_sel,
		.remote = link->remote_sel,
		.n_remote = link->n_remote_sel,
		.pair = &e->pk,
		.ticket = e->ticket,
		.ticket_len = e->ticket_len,
		.now = 0,
		.session = session,
	};
	struct timespec ts;
	int ret;

	clock_gettime(CLOCK_REALTIME, &ts);
	ip.now = (uint64_t)ts.tv_sec;
	if (p->spare_ready) {
		ip.xwing_dk = &p->spare_dk;
		ip.xwing_pk = p->spare_pk;
	}
	ret = skap_initiator_start(&e->x, &ip, cookie);
	/* A key pair serves one exchange, whatever became of it. */
	p->spare_ready = false;
	explicit_bzero(&p->spare_dk, sizeof(p->spare_dk));
	return ret;
}

int skap_peer_prepare(struct skap_peer *p)
{
	int ret = 0;

	if (!p->spare_ready) {
		ret = skap_xwing_keygen_expanded(&p->spare_dk, p->spare_pk);
		p->spare_ready = !ret;
	}
	if (!ret && !p->eph_ready) {
		ret = skap_xwing_eph_new(&p->spare_eph);
		p->eph_ready = !ret;
	}
	return ret;
}

bool skap_peer_busy(const struct skap_peer *p, const struct skap_link_config *link)
{
	return pending_for_link((struct skap_peer *)p, link->name) != NULL;
}

int skap_peer_initiate(struct skap_peer *p, const struct skap_link_config *link,
		       const struct skap_pair_key *pk, const uint8_t *ticket, size_t ticket_len,
		       uint64_t now_ms)
{
	struct pending *e = NULL;
	int ret;

	if (pending_for_link(p, link->name))
		return -EALREADY;
	if (!ticket_len || ticket_len > sizeof(e->ticket))
		return -EINVAL;
	for (size_t i = 0; i < MAX_PENDING && !e; i++)
		if (!p->pending[i].used)
			e = &p->pending[i];
	if (!e)
		return -EBUSY;
	memset(e, 0, sizeof(*e));
	e->to_len = endpoint_to(p, &link->peer, &e->to);
	if (!e->to_len)
		return -EAFNOSUPPORT;
	strcpy(e->link, link->name);
	e->pk = *pk;
	memcpy(e->ticket, ticket, ticket_len);
	e->ticket_len = ticket_len;
	ret = start_exchange(p, e, link, NULL, p->ops.new_spi(p->ops.arg), 0);
	if (ret) {
		drop_pending(e);
		return ret;
	}
	e->used = true;
	e->interval_ms = FIRST_RETRY_MS;
	e->next_ms = now_ms + e->interval_ms;
	e->deadline_ms = now_ms + GIVE_UP_MS;
	send_to(p, e->x.msg, e->x.msg_len, &e->to, e->to_len);
	p->stats.init_sent++;
	return 0;
}

uint64_t skap_peer_tick(struct skap_peer *p, uint64_t now_ms)
{
	uint64_t next = now_ms + 60000;

	for (size_t i = 0; i < MAX_PENDING; i++) {
		struct pending *e = &p->pending[i];

		if (!e->used)
			continue;
		if (now_ms >= e->deadline_ms) {
			const struct skap_link_config *l = skap_config_link(p->cfg, e->link);

			p->stats.failed++;
			if (l && p->ops.failed)
				p->ops.failed(p->ops.arg, l, "no valid answer from the peer in time");
			drop_pending(e);
			continue;
		}
		if (now_ms >= e->next_ms) {
			send_to(p, e->x.msg, e->x.msg_len, &e->to, e->to_len);
			p->stats.init_retransmitted++;
			e->interval_ms = e->interval_ms * 2 > MAX_RETRY_MS ? MAX_RETRY_MS
									: e->interval_ms * 2;
			e->next_ms = now_ms + e->interval_ms;
		}
		if (e->next_ms < next)
			next = e->next_ms;
		if (e->deadline_ms < next)
			next = e->deadline_ms;
	}
	return next;
}

static void send_error(struct skap_peer *p, const struct sockaddr_storage *to, uint32_t session,
		       enum skap_error_code code)
{
	struct skap_msg_error m = { .initiator_session = session, .code = (uint16_t)code };
	uint8_t buf[32];
	struct skap_writer w;

	skap_writer_init(&w, buf, sizeof(buf));
	if (!skap_msg_error_encode(&m, &w))
		send_to(p, buf, w.len, to, sockaddr_len(to));
}

static void rotate_cookie_secret(struct skap_peer *p, uint64_t now_ms)
{
	if (p->cookie_rotated_ms && now_ms - p->cookie_rotated_ms < COOKIE_PERIOD_MS)
		return;
	memcpy(p->cookie_secret[1], p->cookie_secret[0], 32);
	if (skap_random(p->cookie_secret[0], 32))
		memcpy(p->cookie_secret[0], p->cookie_secret[1], 32);
	p->cookie_rotated_ms = now_ms;
}

static int cookie_for(const struct skap_peer *p, int which, const struct sockaddr_storage *from,
		      uint32_t session, uint8_t out[SKAP_COOKIE_LEN])
{
	int family;
	uint8_t addr[16];
	uint16_t port;

	if (addr_of(from, &family, addr, &port))
		return -EINVAL;
	return skap_cookie(p->cookie_secret[which], addr, family == AF_INET ? 4 : 16, port,
			   session, out);
}

static bool cookie_valid(const struct skap_peer *p, const struct skap_msg_init *m,
			 const struct sockaddr_storage *from)
{
	uint8_t c[SKAP_COOKIE_LEN];

	if (!m->has_cookie)
		return false;
	for (int which = 0; which < 2; which++)
		if (!cookie_for(p, which, from, m->session, c) &&
		    !skap_ct_compare(c, m->cookie, sizeof(c)))
			return true;
	return false;
}

static struct answer *cached_answer(struct skap_peer *p, const struct sockaddr_storage *from,
				    const struct skap_msg_init *m, uint64_t now_ms)
{
	for (size_t i = 0; i < ANSWER_CACHE; i++) {
		struct answer *a = &p->answers[i];

		if (a->at_ms && now_ms - a->at_ms < ANSWER_TTL_MS && a->session == m->session &&
		    !memcmp(a->nonce, m->nonce, sizeof(a->nonce)) && same_source(&a->from, from))
			return a;
	}
	return NULL;
}

static bool replayed(struct skap_peer *p, const struct skap_verified_init *v, uint64_t now_ms)
{
	for (size_t i = 0; i < REPLAY_CACHE; i++) {
		const struct seen *s = &p->seen[i];

		if (s->at_ms && now_ms - s->at_ms < REPLAY_TTL_MS &&
		    !memcmp(s->kid, v->msg.kid, sizeof(s->kid)) &&
		    !memcmp(s->nonce, v->msg.nonce, sizeof(s->nonce)))
			return true;
	}
	return false;
}

static bool same_selector_set(const struct skap_prefix *a, size_t na, const struct skap_prefix *b,
			      size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		bool found = false;

		for (size_t j = 0; j < nb && !found; j++)
			found = a[i].family == b[j].family && a[i].len == b[j].len &&
				!memcmp(a[i].addr, b[j].addr, sizeof(a[i].addr));
		if (!found)
			return false;
	}
	return true;
}

/* The configured link the INIT is for: same peer id and source address. */
static const struct skap_link_config *find_link(const struct skap_peer *p,
						const struct skap_msg_init *m,
						const struct sockaddr_storage *from,
						enum skap_error_code *why)
{
	int family;
	uint8_t addr[16];
	uint16_t port;
	const struct skap_link_config *candidate = NULL;

	*why = SKAP_ERR_UNKNOWN_LINK;
	if (addr_of(from, &family, addr, &port))
		return NULL;
	for (size_t i = 0; i < p->cfg->n_links; i++) {
		const struct skap_link_config *l = &p->cfg->links[i];

		/* A peer sends from the socket it listens on: address and port. */
		if (strcmp(l->peer_id, m->device_id) || l->peer.family != family ||
		    memcmp(l->peer.addr, addr, 16) || l->peer.port != port)
			continue;
		candidate = l;
		/* Mirror image: their local is our remote, and the reverse. */
		if (same_selector_set(m->local, m->n_local, l->remote_sel, l->n_remote_sel) &&
		    same_selector_set(m->remote, m->n_remote, l->local_sel, l->n_local_sel))
			return l;
	}
	if (candidate)
		*why = SKAP_ERR_SELECTORS;
	return NULL;
}

static void handle_init(struct skap_peer *p, const uint8_t *msg, size_t len,
			const struct sockaddr_storage *from, uint64_t now_ms)
{
	struct skap_msg_init m;
	struct skap_verified_init *v = NULL;
	struct skap_sa_pair keys;
	struct answer *a;
	const struct skap_link_config *link;
	struct pending *mine;
	enum skap_error_code why;
	int family, ret;
	uint8_t addr[16];
	uint16_t port;
	struct timespec ts;

	if (addr_of(from, &family, addr, &port) ||
	    !skap_ratelimit_allow(p->per_source, addr, family == AF_INET ? 4 : 16,
				  now_ms * 1000000ULL)) {
		p->stats.rate_limited++;
		return;
	}
	if (skap_msg_init_decode(msg, len, &m)) {
		p->stats.refused++;
		return;
	}
	a = cached_answer(p, from, &m, now_ms);
	if (a) {
		send_to(p, a->resp, a->resp_len, from, sockaddr_len(from));
		p->stats.resp_from_cache++;
		return;
	}
	if (now_ms - p->second_start_ms >= 1000) {
		p->second_start_ms = now_ms;
		p->inits_this_second = 0;
	}
	rotate_cookie_secret(p, now_ms);
	if (++p->inits_this_second > p->limits.busy_rate && !cookie_valid(p, &m, from)) {
		struct skap_msg_cookie c = { .initiator_session = m.session };
		uint8_t buf[64];
		struct skap_writer w;

		if (!cookie_for(p, 0, from, m.session, c.cookie)) {
			skap_writer_init(&w, buf, sizeof(buf));
			if (!skap_msg_cookie_encode(&c, &w))
				send_to(p, buf, w.len, from, sockaddr_len(from));
			p->stats.cookies_sent++;
		}
		return;
	}

	v = malloc(sizeof(*v));
	if (!v)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ret = skap_responder_verify(p->self, p->k_ticket, (uint64_t)ts.tv_sec, msg, len, v);
	if (ret) {
		p->stats.refused++;
		if (ret == -EBADMSG || ret == -EKEYEXPIRED)
			send_error(p, from, m.session, SKAP_ERR_TICKET);
		else if (ret == -ETIME)
			send_error(p, from, m.session, SKAP_ERR_REPLAY);
		goto out;
	}
	if (replayed(p, v, now_ms)) {
		p->stats.refused++;
		send_error(p, from, m.session, SKAP_ERR_REPLAY);
		goto out;
	}
	link = find_link(p, &v->msg, from, &why);
	if (!link) {
		p->stats.refused++;
		send_error(p, from, m.session, why);
		goto out;
	}
	/* Both started at once: the smaller device id stays initiator. */
	mine = pending_for_link(p, link->name);
	if (mine) {
		if (strcmp(p->self, v->msg.device_id) < 0)
			goto out; /* ours goes on; they will answer it */
		drop_pending(mine);
	}
	a = &p->answers[p->answer_next];
	ret = skap_responder_answer(v, p->self, p->ops.new_spi(p->ops.arg),
				    p->eph_ready ? &p->spare_eph : NULL, a->resp, &a->resp_len, &keys);
	p->eph_ready = false; /* used, and wiped, by the answer */
	if (ret)
		goto out;
	ret = p->ops.install(p->ops.arg, link, SKAP_PEER_RESPONDER, &keys);
	explicit_bzero(&keys, sizeof(keys));
	if (ret) {
		/* No RESP without SAs: the initiator retries. */
		a->at_ms = 0;
		goto out;
	}
	a->at_ms = now_ms ? now_ms : 1;
	a->from = *from;
	a->session = v->msg.session;
	memcpy(a->nonce, v->msg.nonce, sizeof(a->nonce));
	p->answer_next = (p->answer_next + 1) % ANSWER_CACHE;
	p->seen[p->seen_next] = (struct seen){ .at_ms = now_ms ? now_ms : 1 };
	memcpy(p->seen[p->seen_next].kid, v->msg.kid, SKAP_KID_LEN);
	memcpy(p->seen[p->seen_next].nonce, v->msg.nonce, SKAP_NONCE_LEN);
	p->seen_next = (p->seen_next + 1) % REPLAY_CACHE;
	send_to(p, a->resp, a->resp_len, from, sockaddr_len(from));
	p->stats.resp_sent++;
	p->stats.completed++;
out:
	skap_verified_init_clear(v);
	free(v);
}

static void handle_resp(struct skap_peer *p, const uint8_t *msg, size_t len)
{
	struct skap_msg_resp r;
	struct skap_sa_pair keys;
	struct pending *e;
	const struct skap_link_config *link;

	if (skap_msg_resp_decode(msg, len, &r)) {
		p->stats.refused++;
		return;
	}
	e = pending_for_session(p, r.initiator_session);
	if (!e || skap_initiator_finish(&e->x, msg, len, &keys)) {
		p->stats.refused++;
		return;
	}
	link = skap_config_link(p->cfg, e->link);
	if (link && !p->ops.install(p->ops.arg, link, SKAP_PEER_INITIATOR, &keys))
		p->stats.completed++;
	else
		p->stats.failed++;
	explicit_bzero(&keys, sizeof(keys));
	drop_pending(e);
}

static void handle_cookie(struct skap_peer *p, const uint8_t *msg, size_t len,
			  const struct sockaddr_storage *from, uint64_t now_ms)
{
	struct skap_msg_cookie c;
	const struct skap_link_config *link;
	struct pending *e;

	if (skap_msg_cookie_decode(msg, len, &c))
		return;
	e = pending_for_session(p, c.initiator_session);
	/* Only from where we sent the INIT, and only once per exchange. */
	if (!e || e->cookie_used || !same_source(&e->to, from))
		return;
	link = skap_config_link(p->cfg, e->link);
	if (!link)
		return;
	uint32_t spi = e->x.spi_in, session = e->x.session;

	/* The cookie is bound to this session: the retry keeps it. */
	skap_initiator_clear(&e->x);
	if (start_exchange(p, e, link, c.cookie, spi, session)) {
		drop_pending(e);
		return;
	}
	e->cookie_used = true;
	e->interval_ms = FIRST_RETRY_MS;
	e->next_ms = now_ms + e->interval_ms;
	send_to(p, e->x.msg, e->x.msg_len, &e->to, e->to_len);
	p->stats.init_sent++;
}

void skap_peer_receive(struct skap_peer *p, uint64_t now_ms)
{
	uint8_t buf[SKAP_MSG_MAX + 1];

	for (;;) {
		struct sockaddr_storage from;
		socklen_t from_len = sizeof(from);
		ssize_t n = recvfrom(p->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
				     &from_len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return; /* EAGAIN: all read */
		}
		if ((size_t)n > SKAP_MSG_MAX) {
			p->stats.refused++;
			continue;
		}
		switch (skap_msg_type(buf, (size_t)n)) {
		case SKAP_MSG_INIT:
			handle_init(p, buf, (size_t)n, &from, now_ms);
			break;
		case SKAP_MSG_RESP:
			handle_resp(p, buf, (size_t)n);
			break;
		case SKAP_MSG_COOKIE:
			handle_cookie(p, buf, (size_t)n, &from, now_ms);
			break;
		case SKAP_MSG_ERROR:
			/* Unauthenticated: a hint for the logs; retransmission goes on. */
			p->stats.refused++;
			break;
		default:
			p->stats.refused++;
			break;
		}
	}
}
