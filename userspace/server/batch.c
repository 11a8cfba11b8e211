// SPDX-License-Identifier: GPL-2.0
/*
 * Group commit (docs/server.md, "Durability and performance"). Syncing
 * the disk at every commit made the disk, not the CPU, set the pace (a
 * key ticket alone made two commits: the device seen, the key's audit
 * record). So the requests that arrive together share one transaction of
 * the store (skap_store_batch_begin; each mutation in it a savepoint that
 * fails alone), and every answer given meanwhile waits for that
 * transaction's commit, then for the disk's sync: no client is told of a
 * change that a crash could still undo. A failed commit undoes the whole
 * batch and answers each request 500.
 *
 * One answer waits for the commit only: an issued key ticket
 * (srv_req.sync_later). Its audit record is in the log when the ticket
 * leaves, so a crash of skap-server loses none; the disk's sync follows
 * within srv.ticket_sync_ms (serve --ticket-sync-ms), so a crash of the
 * machine loses at most the records of that long. A batch with any other
 * answer is synced before it answers, and that sync covers every commit
 * before it. With ticket_sync_ms 0 every answer waits for the sync. The
 * store knows whether a sync is owed (skap_store_sync does nothing
 * otherwise), so the batch keeps no count of its own.
 *
 * The batch is committed once the event loop has handled what was ready
 * when it opened (a zero timer runs after the I/O of the same round), or
 * at once when SRV_BATCH_MAX answers wait: an idle server adds no delay,
 * a busy one shares each commit and sync among all the requests that came
 * during the previous one.
 *
 * A sync that fails leaves it unknown what reached the disk, then and
 * after (the kernel may drop the pages it could not write): the waiting
 * requests are answered 500 and the server stops (exit status 1).
 *
 * A deferred request stays valid: libevent 2.1 detaches a request whose
 * connection fails or times out before the answer
 * (evhttp_connection_incoming_fail), and evhttp_send_reply then frees it.
 */

#include "server.h"

#include <skap/log.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

#define SRV_BATCH_MAX 64

struct deferred {
	struct evhttp_request *req;
	int status;
	struct evbuffer *body; /* NULL: none */
};

struct srv_batch {
	struct srv *srv;
	struct event *timer;	  /* zero: commits after the loop's round */
	struct event *sync_timer; /* the sync owed to answers that left before it */
	struct deferred *q;	  /* SRV_BATCH_MAX, grown should a request answer twice */
	size_t n, cap;
	int open;
	int must_sync;		  /* an answer in the open batch waits for the sync */
	int failed;		  /* a sync failed: the server stops */
};

static void batch_timer(evutil_socket_t fd, short what, void *arg)
{
	srv_batch_flush(arg);
}

/* After a failed sync nothing more may be told: the loop ends. */
static int sync_now(struct srv_batch *b)
{
	int err = b->failed ? -EIO : skap_store_sync(b->srv->st);

	if (err && !b->failed) {
		log_error("the database could not be synced to disk (%s): what it holds on "
			  "disk is unknown; stopping", strerror(-err));
		b->failed = 1;
		event_base_loopbreak(b->srv->base);
	}
	if (!err)
		evtimer_del(b->sync_timer);
	return err;
}

static void sync_timer(evutil_socket_t fd, short what, void *arg)
{
	sync_now(arg);
}

int srv_batch_init(struct srv *srv)
{
	struct srv_batch *b = calloc(1, sizeof(*b));

	srv->batch = b;
	if (!b)
		return -ENOMEM;
	b->srv = srv;
	b->cap = SRV_BATCH_MAX;
	b->q = calloc(b->cap, sizeof(*b->q));
	if (!b->q)
		return -ENOMEM;
	b->timer = evtimer_new(srv->base, batch_timer, srv);
	b->sync_timer = evtimer_new(srv->base, sync_timer, b);
	return b->timer && b->sync_timer ? 0 : -ENOMEM;
}

int srv_batch_free(struct srv *srv)
{
	struct srv_batch *b = srv->batch;
	int err;

	if (!b)
		return 0;
	srv_batch_flush(srv);
	sync_now(b);
	err = b->failed ? -EIO : 0;
	if (b->timer)
		event_free(b->timer);
	if (b->sync_timer)
		event_free(b->sync_timer);
	free(b->q);
	free(b);
	srv->batch = NULL;
	return err;
}

void srv_batch_enter(struct srv *srv)
{
	struct srv_batch *b = srv->batch;
	struct timeval now = { 0, 0 };

	if (!b || b->open)
		return;
	/* Without a batch (the database is locked by another program), each
	 * mutation commits and syncs alone as it always could. */
	if (skap_store_batch_begin(srv->st))
		return;
	b->open = 1;
	b->must_sync = 0;
	evtimer_add(b->timer, &now);
}

/* The answer a request gets when the batch it was in did not reach the disk. */
static void answer_failed(struct deferred *d)
{
	static const char err[] = "{\"error\":{\"code\":\"internal\",\"message\":"
				  "\"the change could not be stored\"}}\n";
	struct evbuffer *out = evbuffer_new();
	size_t len = d->body ? evbuffer_get_length(d->body) : 0;

	if (len) {
		/* It may hold a token or a key that no one will read. */
		explicit_bzero(evbuffer_pullup(d->body, -1), len);
	}
	if (out)
		evbuffer_add(out, err, sizeof(err) - 1);
	srv_send(d->req, 500, out);
	if (out)
		evbuffer_free(out);
}

int srv_batch_defer(struct srv *srv, struct evhttp_request *req, int status, struct evbuffer *body,
		    int sync_later)
{
	struct srv_batch *b = srv->batch;

	if (!b || !b->open)
		return 0;
	if (b->n == b->cap) {
		struct deferred *q = realloc(b->q, 2 * b->cap * sizeof(*q));

		if (!q) {
			/* Never an answer before its commit: this one fails. */
			struct deferred d = { req, status, body };

			answer_failed(&d);
			if (body)
				evbuffer_free(body);
			return 1;
		}
		b->q = q;
		b->cap *= 2;
	}
	b->q[b->n].req = req;
	b->q[b->n].status = status;
	b->q[b->n].body = body;
	b->n++;
	if (!sync_later || !srv->ticket_sync_ms)
		b->must_sync = 1;
	return 1;
}

void srv_batch_after_request(struct srv *srv)
{
	struct srv_batch *b = srv->batch;

	if (b && b->n >= SRV_BATCH_MAX)
		srv_batch_flush(srv);
}

void srv_batch_flush(struct srv *srv)
{
	struct srv_batch *b = srv->batch;
	struct timeval later = { srv->ticket_sync_ms / 1000, srv->ticket_sync_ms % 1000 * 1000 };
	int err, lost = 0;

	if (!b || !b->open)
		return;
	evtimer_del(b->timer);
	b->open = 0;
	err = skap_store_batch_commit(srv->st);
	if (err) {
		log_error("the database did not commit a batch of %zu requests: %s; each is "
			  "answered 500", b->n, strerror(-err));
	} else if (b->must_sync) {
		lost = sync_now(b);
	} else if (!evtimer_pending(b->sync_timer, NULL)) {
		evtimer_add(b->sync_timer, &later);
	}
	for (size_t i = 0; i < b->n; i++) {
		struct deferred *d = &b->q[i];

		if (err || lost)
			answer_failed(d);
		else
			srv_send(d->req, d->status, d->body);
		if (d->body)
			evbuffer_free(d->body);
	}
	b->n = 0;
}
