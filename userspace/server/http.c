// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTPS front of skap-server: libevent's evhttp, each connection a
 * bufferevent_openssl, one event loop. Bodies are limited (evhttp answers
 * 413 itself), read whole, and parsed as strict JSON (duplicate keys
 * refused); answers are JSON with a clear error object. Sessions live in
 * memory: the token is random, only its SHA-256 is kept, it expires.
 */

#include "server.h"

#include <skap/json_text.h>
#include <skap/log.h>
#include <skap/sym.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <time.h>

uint64_t srv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void srv_send(struct evhttp_request *req, int status, struct evbuffer *body)
{
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	struct bufferevent *bev = c ? evhttp_connection_get_bufferevent(c) : NULL;

	evhttp_send_reply(req, status, NULL, body);
	/*
	 * evhttp leaves the headers and the body in two chains of the output,
	 * and bufferevent_openssl makes a TLS record (a write, two reads on
	 * the other side) of each chain. The socket is written at the next
	 * turn of the loop: one chain by then makes one record.
	 */
	if (bev)
		evbuffer_pullup(bufferevent_get_output(bev), -1);
}

/* An answer's text, wiped when libevent is done with it: it may carry a token or a key. */
static void text_done(const void *data, size_t len, void *arg)
{
	explicit_bzero((void *)data, len);
	free((void *)data);
}

void srv_reply(struct srv_req *r, int status, json_t *body)
{
	struct evbuffer *out = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
	char *text = body ? skap_json_text(body, 1) : NULL;
	size_t len = text ? strlen(text) : 0;

	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (out && text) {
		/* Referenced, not copied: no unwiped copy is left behind. */
		if (!evbuffer_add_reference(out, text, len, text_done, NULL))
			text = NULL;
		else
			evbuffer_add(out, text, len);
		evbuffer_add(out, "\n", 1);
	}
	/* Inside a batch, the answer waits for its commit (batch.c), which owns OUT then. */
	if (!r->store_free && srv_batch_defer(r->srv, r->req, status, out, r->sync_later))
		out = NULL;
	else
		srv_send(r->req, status, out);
	if (text) {
		/* Answers may carry a token or a revealed key. */
		explicit_bzero(text, len);
		free(text);
	}
	if (out)
		evbuffer_free(out);
	json_decref(body);
}

void srv_error(struct srv_req *r, int status, const char *code, const char *msg)
{
	srv_reply(r, status, json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg));
}

json_t *srv_body_object(struct srv_req *r)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(r->req),
					    "Content-Type");
	size_t len = evbuffer_get_length(in);
	json_t *j;
	char *buf;

	if (len > SRV_BODY_MAX) {
		srv_error(r, 413, "too_large", "request body too large");
		return NULL;
	}
	if (ct && strncmp(ct, "application/json", 16)) {
		srv_error(r, 415, "unsupported_media_type", "the body must be application/json");
		return NULL;
	}
	buf = malloc(len + 1);
	if (!buf) {
		srv_error(r, 500, "internal", "out of memory");
		return NULL;
	}
	evbuffer_copyout(in, buf, len);
	j = skap_json_parse(buf, len);
	explicit_bzero(buf, len);	/* may hold a password */
	free(buf);
	if (!j) {
		srv_error(r, 400, "bad_json", "the body is not valid JSON");
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		srv_error(r, 400, "bad_json", "the body must be a JSON object");
		return NULL;
	}
	return j;
}

/* ---- sessions ---- */

static void token_hash(const char *token, uint8_t out[32])
{
	skap_sha256(token, strlen(token), out);
}

int srv_session_new(struct srv *srv, const struct skap_user *u, const char *source,
		    char token[2 * SRV_TOKEN_LEN + 1], int64_t *expires)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t raw[SRV_TOKEN_LEN], h[32];
	int err;

	if (skap_random(raw, sizeof(raw)))
		return -EIO;
	for (size_t i = 0; i < SRV_TOKEN_LEN; i++) {
		token[2 * i] = hex[raw[i] >> 4];
		token[2 * i + 1] = hex[raw[i] & 15];
	}
	token[2 * SRV_TOKEN_LEN] = 0;
	explicit_bzero(raw, sizeof(raw));
	token_hash(token, h);
	*expires = (int64_t)time(NULL) + srv->token_ttl;
	err = skap_session_create(srv->st, h, u, *expires, source);
	if (err)
		explicit_bzero(token, 2 * SRV_TOKEN_LEN + 1);
	return err;
}

int srv_session_find(struct srv *srv, const char *token, struct srv_session *out)
{
	struct skap_session s;
	int err;

	if (!token || strlen(token) != 2 * SRV_TOKEN_LEN)
		return -ENOENT;
	token_hash(token, out->token_hash);
	err = skap_session_get(srv->st, out->token_hash, (int64_t)time(NULL), &s);
	if (err)
		return err;
	out->user_id = s.user_id;
	out->tenant_id = s.tenant_id;
	out->role = s.role;
	snprintf(out->user, sizeof(out->user), "%s", s.user);
	out->expires = s.expires;
	return 0;
}

void srv_session_drop(struct srv_req *r)
{
	int err;

	if (!r->sess)
		return;
	err = skap_session_delete(r->srv->st, r->actor, r->sess->tenant_id, r->sess->token_hash);
	if (err && err != -ENOENT)
		log_error("ending the session of %s failed: %s", r->sess->user, strerror(-err));
}

void srv_session_drop_user(struct srv *srv, int64_t user_id)
{
	int err = skap_session_delete_user(srv->st, user_id);

	if (err)
		log_error("ending the sessions of user %lld failed: %s", (long long)user_id,
			  strerror(-err));
}

/* ---- connections and requests ---- */

static struct bufferevent *bev_cb(struct event_base *base, void *arg)
{
	struct srv *srv = arg;
	SSL *ssl = SSL_new(srv->ssl);

	if (!ssl)
		return NULL;
	return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
					      BEV_OPT_CLOSE_ON_FREE);
}

static void request_cb(struct evhttp_request *req, void *arg)
{
	struct srv_req r = { .srv = arg, .req = req };
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	struct evkeyvalq query = { 0 };
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
	char *host = NULL;
	ev_uint16_t port = 0;

	srv_batch_enter(r.srv);
	r.method = (int)evhttp_request_get_command(req);
	if (conn)
		evhttp_connection_get_peer(conn, &host, &port);
	snprintf(r.peer, sizeof(r.peer), "%s", host ? host : "?");
	r.query = &query;
	if (!path || strlen(path) >= sizeof(r.path)) {
		srv_error(&r, 404, "not_found", "no such resource");
		return;
	}
	snprintf(r.path, sizeof(r.path), "%s", path);
	if (q && evhttp_parse_query_str(q, &query)) {
		srv_error(&r, 400, "bad_query", "the query string is malformed");
		return;
	}
	srv_api_dispatch(&r);
	evhttp_clear_headers(&query);
	srv_batch_after_request(r.srv);
}

int srv_http_start(struct srv *srv, const char *addr, uint16_t port, uint16_t *bound)
{
	struct evhttp_bound_socket *sock;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	srv->http = evhttp_new(srv->base);
	if (!srv->http)
		return -ENOMEM;
	evhttp_set_bevcb(srv->http, bev_cb, srv);
	evhttp_set_gencb(srv->http, request_cb, srv);
	evhttp_set_max_body_size(srv->http, SRV_BODY_MAX);
	/*
	 * A body over the limit is read to its end and dropped before the 413:
	 * closing at once while the client still sends makes the kernel reset
	 * the connection, and the client may lose the answer with it.
	 */
	evhttp_set_flags(srv->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_max_headers_size(srv->http, 16 * 1024);
	evhttp_set_timeout(srv->http, 30);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
					      EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE);
	sock = evhttp_bind_socket_with_handle(srv->http, addr, port);
	if (!sock)
		return -EADDRNOTAVAIL;
	if (getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&ss, &sl))
		return -errno;
	/*
	 * Accepted sockets inherit it: evhttp writes an answer's headers and
	 * body apart, and Nagle would hold the body for the client's delayed
	 * ACK (40 ms a request on keep-alive connections).
	 */
	setsockopt(evhttp_bound_socket_get_fd(sock), IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
		   sizeof(int));
	if (ss.ss_family == AF_INET)
		*bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else
		*bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

void srv_http_stop(struct srv *srv)
{
	if (srv->http)
		evhttp_free(srv->http);
	srv->http = NULL;
}
