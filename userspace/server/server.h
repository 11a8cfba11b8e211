/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skap-server's parts: main.c (command line, init, serve, signals), tls.c
 * (the development certificate and the OpenSSL context), http.c (the
 * HTTPS front: libevent's evhttp over bufferevent_openssl, request reading
 * and JSON answers, sessions), api.c (the REST handlers over <skap/store.h>),
 * devices.c and networks.c (devices, QKEYs, networks, groups, peerings),
 * enroll.c (what devices call), ca.c (tenant CAs).
 */
#ifndef SKAP_SERVER_H
#define SKAP_SERVER_H

#include <skap/store.h>

#include <jansson.h>
#include <openssl/ssl.h>
#include <stdint.h>

struct evbuffer;
struct evhttp_request;
struct evkeyvalq;

#define SRV_BODY_MAX		(64 * 1024)
#define SRV_TOKEN_LEN		32	/* random bytes; 64 hex digits on the wire */
#define SRV_TOKEN_TTL_DEFAULT	3600
#define SRV_ENROLL_RATE		50
#define SRV_TICKET_SYNC_MS	50

/* A request's session: what <skap/store.h> keeps, and the token's hash. */
struct srv_session {
	uint8_t token_hash[32];	/* SHA-256 of the token: the token is not kept */
	int64_t user_id;
	int64_t tenant_id;
	enum skap_role role;
	char user[SKAP_NAME_MAX + 1];
	int64_t expires;
};

struct srv {
	struct event_base *base;
	struct evhttp *http;
	SSL_CTX *ssl;
	struct skap_store *st;
	struct srv_batch *batch;	/* batch.c: the group commit under way */
	struct skap_ratelimit *login_src;
	struct skap_ratelimit *login_acct;
	int64_t token_ttl;
	struct srv_enroll *enroll;	/* enroll.c's state */
	unsigned int enroll_rate;	/* device requests a second per source (burst 4x) */
	unsigned int ticket_sync_ms;	/* how long a ticket's record may wait for the disk */
};

/* One request being answered. */
struct srv_req {
	struct srv *srv;
	struct evhttp_request *req;
	int method;		/* EVHTTP_REQ_* */
	char path[256];
	char peer[64];		/* source address, for rate limits and audit */
	struct evkeyvalq *query;
	const struct srv_session *sess;	/* NULL before authentication, else &sess_buf */
	struct srv_session sess_buf;
	char actor[SKAP_NAME_MAX + 8];	/* "user:NAME" */
	/* The handler reads and writes nothing in the store: its answer tells
	 * of nothing a crash could undo, and leaves without waiting for the
	 * batch's commit (batch.c). */
	int store_free;
	/* The answer is an issued key ticket: it waits for the batch's commit
	 * but not for the disk's sync, which follows within ticket_sync_ms
	 * (batch.c). */
	int sync_later;
};

/* batch.c: group commit; every answer given while a batch is open waits for it */
int srv_batch_init(struct srv *srv);
/* After the loop: commits and syncs what is pending, and answers first.
 * -EIO when a sync of the database failed, then or before (the server
 * then exits 1). */
int srv_batch_free(struct srv *srv);
/* At the start of a request: opens a batch unless one is open. */
void srv_batch_enter(struct srv *srv);
/* 1 when the answer waits for the batch (which then owns BODY), 0 to send it now;
 * SYNC_LATER: srv_req.sync_later. */
int srv_batch_defer(struct srv *srv, struct evhttp_request *req, int status, struct evbuffer *body,
		    int sync_later);
/* At the end of a request: commits when the batch is full. */
void srv_batch_after_request(struct srv *srv);
/* Commits the open batch and sends its answers (500 each when it failed). */
void srv_batch_flush(struct srv *srv);

/* serve_config.c: skap-server serve's settings, from a file and from flags */
struct srv_serve_opts {
	char dir[4096];
	char addr[256];
	char port_file[4096];
	unsigned long port;
	int64_t token_ttl;
	unsigned int enroll_rate;
	unsigned int ticket_sync_ms;
	int verbose;
};

void srv_serve_opts_default(struct srv_serve_opts *o);
/* One setting by its long option name: 0, or -EINVAL and why in MSG. */
int srv_serve_opt(struct srv_serve_opts *o, const char *name, const char *value, char *msg,
		  size_t size);
/* PATH's settings over *O: 0, or -1 after printing every FILE:LINE: error (O unchanged). */
int srv_serve_config_load(const char *path, struct srv_serve_opts *o);

/* tls.c */
/* SAN: the subjectAltName value ("DNS:localhost,IP:127.0.0.1,..."). */
int srv_tls_make_dev_cert(const char *key_path, const char *cert_path, const char *san);
SSL_CTX *srv_tls_ctx(const char *key_path, const char *cert_path);

/* http.c */
int srv_http_start(struct srv *srv, const char *addr, uint16_t port, uint16_t *bound);
void srv_http_stop(struct srv *srv);
/* evhttp_send_reply, the answer in one TLS record. */
void srv_send(struct evhttp_request *req, int status, struct evbuffer *body);
/* Answers STATUS with BODY (stolen; may be NULL for no body). */
void srv_reply(struct srv_req *r, int status, json_t *body);
/* {"error": {"code": CODE, "message": MSG}} with STATUS. */
void srv_error(struct srv_req *r, int status, const char *code, const char *msg);
/* The request body as a JSON object: NULL after answering 400/413/415. */
json_t *srv_body_object(struct srv_req *r);
/* Sessions, kept in the store (a restart logs nobody out). */
/* A new session for U, audited as its login from SOURCE; -ENOSPC when too many live. */
int srv_session_new(struct srv *srv, const struct skap_user *u, const char *source,
		    char token[2 * SRV_TOKEN_LEN + 1], int64_t *expires);
/* The live session of TOKEN: 0 and *OUT, or -ENOENT. */
int srv_session_find(struct srv *srv, const char *token, struct srv_session *out);
/* Logout: ends R's session (audited). */
void srv_session_drop(struct srv_req *r);
/* Ends every session of a user (after a change of role, password, state). */
void srv_session_drop_user(struct srv *srv, int64_t user_id);
uint64_t srv_now_ns(void);

/* api.c: the administrative API, and what every handler uses */
void srv_api_dispatch(struct srv_req *r);
/* Role bits for srv_allow. */
#define SRV_ROLE(x)	(1u << SKAP_ROLE_##x)
#define SRV_ROLES_READ	(SRV_ROLE(OWNER) | SRV_ROLE(ADMIN) | SRV_ROLE(OPERATOR) | SRV_ROLE(AUDITOR))
#define SRV_ROLES_ADMIN	(SRV_ROLE(OWNER) | SRV_ROLE(ADMIN))
/* Each answers the request (401, 403, 400 ...) and returns -1 when it fails. */
int srv_authenticate(struct srv_req *r);
int srv_allow(struct srv_req *r, unsigned int roles);
/* Refuses (400) a body with a field not in NAMES (NULL-terminated). */
int srv_only_fields(struct srv_req *r, json_t *body, const char *const *names);
void srv_bad_field(struct srv_req *r, const char *field, const char *what);
/* A string field: required or not; *OUT NULL when absent. */
int srv_get_str(struct srv_req *r, json_t *body, const char *field, int required,
		const char **out);
/* An integer field in [MIN, MAX]; *PRESENT tells whether it was given. */
int srv_get_int(struct srv_req *r, json_t *body, const char *field, int64_t min, int64_t max,
		int64_t *out, int *present);
int srv_get_bool(struct srv_req *r, json_t *body, const char *field, int *out, int *present);
/* A path of the form PREFIX/ID[/REST]: the id (> 0) and REST, or -1. */
int64_t srv_path_id(const char *path, const char *prefix, const char **rest);
/* ?after=N&limit=M, with defaults 0 and 100. */
int srv_page_args(struct srv_req *r, int64_t *after, size_t *limit);
/* The answer to a failed store call about WHAT. */
void srv_store_error(struct srv_req *r, int err, const char *what);

/* enroll.c: what devices call (enrollment, status, key tickets) */
/* Handles R when its path is a device endpoint: 1, else 0. */
int srv_enroll_dispatch(struct srv_req *r);
int srv_enroll_init(struct srv *srv);
void srv_enroll_free(struct srv *srv);

/* devices.c: devices and QKEYs for administrators */
int srv_devices_dispatch(struct srv_req *r);

/* networks.c: networks, groups and peerings for administrators */
int srv_networks_dispatch(struct srv_req *r);
/*
 * Key policy for a key request of A with device PEER (as a key request reads
 * it, skap_device_get_brief, in *B, its DMK in DMK_B): 0, or -1 after
 * answering 403 with the refusal's code (DMK_B wiped). An unknown PEER is
 * answered like one out of A's networks.
 */
int srv_key_policy(struct srv_req *r, const char *peer, const struct skap_device *a,
		   struct skap_device *b, uint8_t dmk_b[SKAP_DEVICE_DMK_LEN]);
/* The configuration of D's group for D's status answer: NULL unless D is approved. */
json_t *srv_device_config(struct srv *srv, const struct skap_device *d);

/* ca.c: the tenant CAs and device certificates */
/* Adds extension NID with VALUE (OpenSSL's config syntax) to X, issued by ISSUER. */
int srv_x509_ext(X509 *x, X509 *issuer, int nid, const char *value);
#define SRV_CERT_DAYS	90
/* The tenant's CA certificate (PEM, malloc'd), made on first use. */
int srv_ca_get(struct srv *srv, int64_t tenant_id, char **ca_pem);
/* A certificate for device D, signed by its tenant's CA: PEM (malloc'd) and expiry. */
int srv_ca_issue(struct srv *srv, const struct skap_device *d, const char *tenant_name,
		 char **pem, int64_t *expires);
/* 0 when CERT (the TLS peer's) was issued by D's tenant CA, is valid now, and
 * carries D's identity key. */
int srv_ca_check_peer(struct srv *srv, const struct skap_device *d, X509 *cert);
/* The same for the peer of SSL, checked in full once per connection; every later call
 * still checks D's key and tenant against what was proved, and the expiry. CERT may be
 * NULL for those later calls. */
int srv_ca_check_conn_peer(struct srv *srv, SSL *ssl, const struct skap_device *d, X509 *cert);
/*
 * The device id that the peer certificate of SSL was proved (by a full
 * srv_ca_check_conn_peer) to belong to, while that certificate is valid;
 * NULL before. Spares a request the certificate's parsing.
 */
const char *srv_ca_conn_peer_id(SSL *ssl);

#endif /* SKAP_SERVER_H */
