// SPDX-License-Identifier: GPL-2.0
/*
 * The platform closes a keep-alive connection after 30 s of silence. The
 * connection's socket is watched: when the platform closes it, a new one
 * is made at once, so the next acquire finds a connection ready; when the
 * platform cannot be reached, the warm-up backs off (1 s doubling to
 * 5 min) and a key request still tries for itself. Every connection is
 * made in the event loop, blocking at most CONNECT_TIMEOUT_S: skapd has
 * one thread, and key requests block it for one round trip anyway.
 */

#include "platform_conn.h"

#include <skap/https.h>
#include <skap/log.h>

#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#define CONNECT_TIMEOUT_S 5
#define BACKOFF_FIRST_S	  1
#define BACKOFF_MAX_S	  300

struct skapd_platform {
	struct event_base *base;
	const struct skapd_identity *idn; /* the caller's, outlives P */
	struct skap_https *h;		  /* NULL until a first connection succeeded */
	int connected;
	struct event *ev_readable; /* the idle socket: tickets, or closed */
	struct event *ev_retry;	   /* the next warm-up */
	int backoff_s;
	char url[256];
	char ca_file[4096];
};

static void schedule_retry(struct skapd_platform *p)
{
	struct timeval tv = {.tv_sec = p->backoff_s};

	event_add(p->ev_retry, &tv);
	p->backoff_s = p->backoff_s * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : p->backoff_s * 2;
}

/*
 * Readable while no request is in flight: TLS session tickets after a
 * handshake, or the platform closed the connection (it sends nothing
 * unasked). Reconnect, from the event loop, in the second case only.
 */
static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct skapd_platform *p = arg;
	int ret = skap_https_idle_check(p->h);

	(void)fd;
	(void)what;
	if (!ret) {
		event_add(p->ev_readable, NULL);
		return;
	}
	log_debug("platform %s closed the idle connection (%s); reconnecting", p->url,
		  strerror(-ret));
	p->connected = 0;
	p->backoff_s = BACKOFF_FIRST_S;
	event_active(p->ev_retry, EV_TIMEOUT, 0);
}

static void watch(struct skapd_platform *p)
{
	int fd = skap_https_fd(p->h);

	if (p->ev_readable)
		event_free(p->ev_readable);
	p->ev_readable = fd >= 0 ? event_new(p->base, fd, EV_READ, on_readable, p) : NULL;
	if (p->ev_readable)
		event_add(p->ev_readable, NULL);
}

static void unwatch(struct skapd_platform *p)
{
	if (p->ev_readable)
		event_del(p->ev_readable);
}

/* A connection now: 0, or a negative errno with MSG. */
static int connect_now(struct skapd_platform *p, char *msg, size_t msg_size)
{
	struct skap_https_opts o = {.url = p->url,
				    .ca_file = p->ca_file,
				    .cert_seed = p->idn->seed,
				    .cert_pem = p->idn->cert,
				    .timeout_s = CONNECT_TIMEOUT_S};
	int ret;

	unwatch(p);
	p->connected = 0;
	ret = p->h ? skap_https_reconnect(p->h, msg, msg_size)
		   : skap_https_open(&o, &p->h, msg, msg_size);
	if (ret)
		return ret;
	p->connected = 1;
	p->backoff_s = BACKOFF_FIRST_S;
	event_del(p->ev_retry);
	watch(p);
	return 0;
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct skapd_platform *p = arg;
	char msg[256];

	(void)fd;
	(void)what;
	if (connect_now(p, msg, sizeof(msg))) {
		log_debug("platform %s: not reachable (%s); next try in %d s", p->url, msg,
			  p->backoff_s);
		schedule_retry(p);
	}
}

int skapd_platform_new(struct skapd_platform **out, struct event_base *base, const char *url,
		       const char *ca_file, const struct skapd_identity *idn)
{
	struct skapd_platform *p = calloc(1, sizeof(*p));
	char msg[256];

	*out = NULL;
	if (!p)
		return -ENOMEM;
	p->base = base;
	p->idn = idn;
	p->backoff_s = BACKOFF_FIRST_S;
	if (snprintf(p->url, sizeof(p->url), "%s", url ? url : "") >= (int)sizeof(p->url) ||
	    snprintf(p->ca_file, sizeof(p->ca_file), "%s", ca_file ? ca_file : "") >=
		    (int)sizeof(p->ca_file)) {
		free(p);
		return -ENAMETOOLONG;
	}
	p->ev_retry = evtimer_new(base, on_retry, p);
	if (!p->ev_retry) {
		free(p);
		return -ENOMEM;
	}
	if (connect_now(p, msg, sizeof(msg))) {
		log_warn("platform %s: %s; trying again in the background", p->url, msg);
		schedule_retry(p);
	}
	*out = p;
	return 0;
}

int skapd_platform_key(struct skapd_platform *p, const char *peer, struct skap_pair_key *pk,
		       uint8_t ticket[SKAP_TICKET_MAX_LEN], size_t *ticket_len,
		       struct skap_platform_error *err, char *msg, size_t msg_size)
{
	const struct skapd_identity *idn = p->idn;
	int was_connected = p->connected, ret;

	snprintf(msg, msg_size, "no answer");
	if (!p->connected) {
		ret = connect_now(p, msg, msg_size);
		if (ret)
			return ret;
	}
	/* Our own request makes the socket readable: not for on_readable. */
	unwatch(p);
	ret = skap_platform_key(p->h, idn->id, idn->dmk, peer, pk, ticket, ticket_len, err);
	if (ret && ret != -EACCES && was_connected) {
		/* Closed under us since the last look: one fresh connection. */
		log_debug("platform connection lost (%s); reconnecting", strerror(-ret));
		ret = connect_now(p, msg, msg_size);
		if (!ret) {
			unwatch(p);
			ret = skap_platform_key(p->h, idn->id, idn->dmk, peer, pk, ticket,
						ticket_len, err);
		}
	}
	if (ret && ret != -EACCES) {
		p->connected = 0;
		schedule_retry(p);
	} else if (p->ev_readable) {
		event_add(p->ev_readable, NULL);
	}
	return ret;
}

void skapd_platform_free(struct skapd_platform *p)
{
	if (!p)
		return;
	if (p->ev_readable)
		event_free(p->ev_readable);
	if (p->ev_retry)
		event_free(p->ev_retry);
	skap_https_close(p->h);
	free(p);
}
