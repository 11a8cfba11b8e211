// SPDX-License-Identifier: GPL-2.0
/*
 * One HTTPS request to the platform with libevent's HTTP client over an
 * OpenSSL bufferevent. The answer is read whole (bounded by libevent's
 * max body size) and parsed as JSON.
 */

#include "client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLY_MAX (4 * 1024 * 1024)

struct done {
	struct event_base *base;
	int status;
	int failed;
	char *body;
	size_t len;
};

static void on_reply(struct evhttp_request *req, void *arg)
{
	struct done *d = arg;
	struct evbuffer *in;
	size_t len;

	/* One request: the loop ends with its answer, keep-alive or not. */
	event_base_loopexit(d->base, NULL);
	if (!req || !evhttp_request_get_response_code(req)) {
		d->failed = 1;
		return;
	}
	d->status = evhttp_request_get_response_code(req);
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	if (len > REPLY_MAX) {
		d->failed = 1;
		return;
	}
	d->body = malloc(len + 1);
	if (!d->body) {
		d->failed = 1;
		return;
	}
	evbuffer_remove(in, d->body, len);
	d->body[len] = 0;
	d->len = len;
}

/* https://HOST[:PORT] into HOST and PORT (default 8443). */
static int parse_server(const char *url, char *host, size_t hsize, int *port)
{
	struct evhttp_uri *u = evhttp_uri_parse(url);
	const char *scheme, *h, *path;
	int err = -EINVAL;

	if (!u)
		return -EINVAL;
	scheme = evhttp_uri_get_scheme(u);
	h = evhttp_uri_get_host(u);
	path = evhttp_uri_get_path(u);
	if (scheme && !strcmp(scheme, "https") && h && *h && strlen(h) < hsize &&
	    (!path || !*path || !strcmp(path, "/")) && !evhttp_uri_get_query(u)) {
		snprintf(host, hsize, "%s", h);
		/* evhttp keeps the brackets of an IPv6 literal out of host. */
		*port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) : 8443;
		err = 0;
	}
	evhttp_uri_free(u);
	return err;
}

static SSL_CTX *client_ctx(const struct ctl_conn *c)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (c->insecure) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		return ctx;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if ((c->ca && SSL_CTX_load_verify_locations(ctx, c->ca, NULL) != 1) ||
	    (!c->ca && SSL_CTX_set_default_verify_paths(ctx) != 1)) {
		fprintf(stderr, "skapctl: cannot load CA certificates%s%s\n", c->ca ? " from " : "",
			c->ca ? c->ca : "");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int ctl_request(const struct ctl_conn *c, const char *method, const char *path, json_t *body,
		json_t **reply)
{
	struct event_base *base = NULL;
	struct evhttp_connection *conn = NULL;
	struct evhttp_request *req;
	struct bufferevent *bev;
	struct done d = { 0 };
	char host[256], uri[512], hostport[300], *text = NULL;
	enum evhttp_cmd_type cmd;
	unsigned char ip[16];
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	json_error_t jerr;
	int port, err = -EIO;

	*reply = NULL;
	if (!strcmp(method, "GET"))
		cmd = EVHTTP_REQ_GET;
	else if (!strcmp(method, "POST"))
		cmd = EVHTTP_REQ_POST;
	else if (!strcmp(method, "PATCH"))
		cmd = EVHTTP_REQ_PATCH;
	else if (!strcmp(method, "DELETE"))
		cmd = EVHTTP_REQ_DELETE;
	else
		return -EINVAL;
	if (!c->server || parse_server(c->server, host, sizeof(host), &port)) {
		fprintf(stderr, "skapctl: the server must be given as https://HOST[:PORT]\n");
		return -EINVAL;
	}
	if ((size_t)snprintf(uri, sizeof(uri), "/api/v1%s", path) >= sizeof(uri))
		return -EINVAL;

	ctx = client_ctx(c);
	base = event_base_new();
	if (!ctx || !base)
		goto out;
	d.base = base;
	ssl = SSL_new(ctx);
	if (!ssl)
		goto out;
	if (!c->insecure) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);

		if (inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1) {
			if (!X509_VERIFY_PARAM_set1_ip_asc(vp, host))
				goto out;
		} else {
			if (!SSL_set1_host(ssl, host) || !SSL_set_tlsext_host_name(ssl, host))
				goto out;
		}
	}
	bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
					     BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (!bev)
		goto out;
	ssl = NULL;	/* owned by the bufferevent */
	conn = evhttp_connection_base_bufferevent_new(base, NULL, bev, host, (uint16_t)port);
	if (!conn)
		goto out;
	evhttp_connection_set_timeout(conn, c->timeout_s > 0 ? c->timeout_s : 30);
	evhttp_connection_set_max_body_size(conn, REPLY_MAX);
	req = evhttp_request_new(on_reply, &d);
	if (!req)
		goto out;
	snprintf(hostport, sizeof(hostport), strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host", hostport);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Accept", "application/json");
	if (c->token) {
		char auth[160];

		snprintf(auth, sizeof(auth), "Bearer %s", c->token);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Authorization", auth);
		explicit_bzero(auth, sizeof(auth));
	}
	if (body) {
		char clen[24];

		text = json_dumps(body, JSON_COMPACT);
		if (!text) {
			evhttp_request_free(req);
			goto out;
		}
		/* libevent adds Content-Length for POST and PUT only, not PATCH. */
		snprintf(clen, sizeof(clen), "%zu", strlen(text));
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
				  "application/json");
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Length", clen);
		evbuffer_add(evhttp_request_get_output_buffer(req), text, strlen(text));
	}
	if (evhttp_make_request(conn, req, cmd, uri))
		goto out;
	event_base_dispatch(base);
	if (d.failed || !d.status) {
		unsigned long e = ERR_peek_last_error();

		fprintf(stderr, "skapctl: no answer from %s%s%s\n", c->server, e ? ": " : "",
			e ? ERR_reason_error_string(e) : "");
		err = -ECONNREFUSED;
		goto out;
	}
	err = d.status;
	if (d.len) {
		*reply = json_loadb(d.body, d.len, 0, &jerr);
		if (!*reply) {
			fprintf(stderr, "skapctl: the server's answer is not JSON\n");
			err = -EPROTO;
		}
	}
out:
	if (d.body) {
		explicit_bzero(d.body, d.len);
		free(d.body);
	}
	if (text) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
	if (conn)
		evhttp_connection_free(conn);
	if (ssl)
		SSL_free(ssl);
	if (base)
		event_base_free(base);
	SSL_CTX_free(ctx);
	return err;
}
