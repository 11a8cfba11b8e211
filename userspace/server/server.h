/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skap-server's parts: main.c (command line, init, serve, signals), tls.c
 * (the development certificate and the OpenSSL context), http.c (the
 * HTTPS front: libevent's evhttp over bufferevent_openssl, request reading
 * and JSON answers, sessions), api.c (the REST handlers over <skap/store.h>).
 */
#ifndef SKAP_SERVER_H
#define SKAP_SERVER_H

#include <skap/store.h>

#include <jansson.h>
#include <openssl/ssl.h>
#include <stdint.h>

struct evhttp_request;
struct evkeyvalq;

#define SRV_BODY_MAX		(64 * 1024)
#define SRV_SESSIONS_MAX	4096
#define SRV_TOKEN_LEN		32	/* random bytes; 64 hex digits on the wire */
#define SRV_TOKEN_TTL_DEFAULT	3600

struct srv_session {
	uint8_t token_hash[32];	/* SHA-256 of the token: the token is not kept */
	int64_t user_id;
	int64_t tenant_id;
	enum skap_role role;
	char user[SKAP_NAME_MAX + 1];
	int64_t expires;	/* 0: slot free */
};

struct srv {
	struct event_base *base;
	struct evhttp *http;
	SSL_CTX *ssl;
	struct skap_store *st;
	struct skap_ratelimit *login_src;
	struct skap_ratelimit *login_acct;
	struct srv_session *sessions;	/* SRV_SESSIONS_MAX */
	int64_t token_ttl;
};

/* One request being answered. */
struct srv_req {
	struct srv *srv;
	struct evhttp_request *req;
	int method;		/* EVHTTP_REQ_* */
	char path[256];
	char peer[64];		/* source address, for rate limits and audit */
	struct evkeyvalq *query;
	const struct srv_session *sess;	/* NULL before authentication */
	char actor[SKAP_NAME_MAX + 8];	/* "user:NAME" */
};

/* tls.c */
/* SAN: the subjectAltName value ("DNS:localhost,IP:127.0.0.1,..."). */
int srv_tls_make_dev_cert(const char *key_path, const char *cert_path, const char *san);
SSL_CTX *srv_tls_ctx(const char *key_path, const char *cert_path);

/* http.c */
int srv_http_start(struct srv *srv, const char *addr, uint16_t port, uint16_t *bound);
void srv_http_stop(struct srv *srv);
/* Answers STATUS with BODY (stolen; may be NULL for no body). */
void srv_reply(struct srv_req *r, int status, json_t *body);
/* {"error": {"code": CODE, "message": MSG}} with STATUS. */
void srv_error(struct srv_req *r, int status, const char *code, const char *msg);
/* The request body as a JSON object: NULL after answering 400/413/415. */
json_t *srv_body_object(struct srv_req *r);
/* Sessions. */
int srv_session_new(struct srv *srv, const struct skap_user *u, char token[2 * SRV_TOKEN_LEN + 1],
		    int64_t *expires);
const struct srv_session *srv_session_find(struct srv *srv, const char *token);
void srv_session_drop(struct srv *srv, const struct srv_session *s);
/* Ends every session of a user (after a change of role, password, state). */
void srv_session_drop_user(struct srv *srv, int64_t user_id);
uint64_t srv_now_ns(void);

/* api.c */
void srv_api_dispatch(struct srv_req *r);

#endif /* SKAP_SERVER_H */
