// SPDX-License-Identifier: GPL-2.0
/*
 * What devices call (docs/protocol.md sections 3 and 6): enrollment by QKEY,
 * OTA_QUANTUM and OTA_TLS with proof of possession, status polling with the
 * device's certificate, and key tickets over mutual TLS. The platform keeps
 * no per-enrollment state between the two OTA_QUANTUM round trips (the
 * token carries it) and no per-ticket state (only a replay cache of request
 * nonces, bounded in time). Every refusal is a JSON error and changes
 * nothing; a refused credential is not told apart from another.
 */

#include "server.h"

#include <skap/b64.h>
#include <skap/enroll.h>
#include <skap/eph_pool.h>
#include <skap/hex.h>
#include <skap/json_text.h>
#include <skap/log.h>
#include <skap/proto.h>
#include <skap/ratelimit.h>
#include <skap/replay.h>
#include <skap/secret.h>
#include <skap/ticket.h>

#include <errno.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define API		  "/api/v1"
#define CLOCK_WINDOW_S	  60
#define REPLAY_TTL_S	  120
#define TICKET_TTL_S	  300
#define CLONE_WINDOW_S	  10
#define RENEW_BEFORE_S	  (SRV_CERT_DAYS * 24 * 3600 / 3)
/* Grown when a probe finds no room: 20 000 requests/s for 61 s fill 2^22 to 29 %. */
#define REPLAY_SLOTS	  (1u << 16)
#define REPLAY_SLOTS_MAX  (1u << 22)
#define REQ_MAX		  (16 * 1024)
/* X-Wing ephemeral keys made ahead: a quarter of a second of 1 000 enrollments/s. */
#define EPH_POOL_SIZE	  256

struct srv_enroll {
	uint8_t *token_key; /* secret buffer: this run's OTA_QUANTUM token key */
	uint8_t sip[16];    /* replay cache hashing key */
	struct skap_replay *replay;
	struct skap_ratelimit *per_source;
	struct skap_ratelimit *per_account;
	struct skap_eph_pool *eph_pool; /* NULL: each encapsulation makes its own */
};

int srv_enroll_init(struct srv *srv)
{
	struct srv_enroll *e = calloc(1, sizeof(*e));

	srv->enroll = e;
	if (!e || skap_secret_alloc(32, (void **)&e->token_key) ||
	    skap_random(e->token_key, 32) || skap_random(e->sip, sizeof(e->sip)))
		return -ENOMEM;
	e->replay = skap_replay_new(REPLAY_SLOTS, REPLAY_SLOTS_MAX);
	e->per_source = skap_ratelimit_new(srv->enroll_rate, 4 * srv->enroll_rate, 65536);
	e->per_account = skap_ratelimit_new(1, 10, 65536);
	if (skap_eph_pool_new(EPH_POOL_SIZE, &e->eph_pool))
		log_warn("no pool of X-Wing ephemeral keys: each OTA_QUANTUM exchange makes its own");
	return e->replay && e->per_source && e->per_account ? 0 : -ENOMEM;
}

void srv_enroll_free(struct srv *srv)
{
	struct srv_enroll *e = srv->enroll;

	if (!e)
		return;
	skap_secret_free(e->token_key);
	skap_replay_free(e->replay);
	skap_ratelimit_free(e->per_source);
	skap_ratelimit_free(e->per_account);
	skap_eph_pool_free(e->eph_pool);
	free(e);
	srv->enroll = NULL;
}

/*
 * Records (ID, NONCE) of a request stamped TS: 0, or -EALREADY when it was
 * seen, -EBUSY when the cache is full of live entries (refuse, do not
 * forget). An entry lives REPLAY_TTL_S, or less when its timestamp leaves
 * the clock window sooner: the request is refused for its clock from then.
 */
static int replay_check(struct srv_enroll *e, const char *id, const uint8_t *nonce, size_t len,
			int64_t ts, int64_t now)
{
	uint8_t buf[SKAP_ID_MAX + 1 + 32];
	size_t n = strlen(id), slots = skap_replay_slots(e->replay);
	int64_t until = now + REPLAY_TTL_S;
	int err;

	if (ts + CLOCK_WINDOW_S + 1 < until)
		until = ts + CLOCK_WINDOW_S + 1;
	memcpy(buf, id, n + 1);
	memcpy(buf + n + 1, nonce, len);
	err = skap_replay_add(e->replay, skap_siphash(e->sip, buf, n + 1 + len) | 1, until, now);
	if (skap_replay_slots(e->replay) != slots)
		log_info("replay cache grown to %zu entries", skap_replay_slots(e->replay));
	return err;
}

static SSL *request_ssl(struct srv_req *r)
{
	struct evhttp_connection *c = evhttp_request_get_connection(r->req);
	struct bufferevent *bev = c ? evhttp_connection_get_bufferevent(c) : NULL;

	return bev ? bufferevent_openssl_get_ssl(bev) : NULL;
}

static int rate_ok(struct srv_req *r, struct skap_ratelimit *rl, const char *key)
{
	if (skap_ratelimit_allow(rl, key, strnlen(key, SKAP_RATELIMIT_KEY_MAX), srv_now_ns()))
		return 1;
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", "1");
	srv_error(r, 429, "rate_limited", "too many requests; slow down");
	return 0;
}

/* FIELD as strict base64 of exactly LEN bytes (400 otherwise). */
static int get_b64(struct srv_req *r, json_t *body, const char *field, uint8_t *out, size_t len)
{
	const char *s;

	if (srv_get_str(r, body, field, 1, &s))
		return -1;
	if (skap_b64_decode_exact(s, out, len)) {
		srv_bad_field(r, field, "must be base64 of the right length");
		return -1;
	}
	return 0;
}

/* FIELD as strict base64 of at most MAX bytes into a new buffer. */
static uint8_t *get_b64_alloc(struct srv_req *r, json_t *body, const char *field, size_t max,
			      size_t *len)
{
	const char *s;
	uint8_t *out;

	if (srv_get_str(r, body, field, 1, &s))
		return NULL;
	out = malloc(max + 1);
	if (out && !skap_b64_decode(s, out, max, len))
		return out;
	free(out);
	srv_bad_field(r, field, "must be base64 of a valid length");
	return NULL;
}

/* ---- OTA_QUANTUM, first round trip ---- */

static void h_kem(struct srv_req *r)
{
	static const char *const fields[] = { "public_key", NULL };
	static uint8_t ek[SKAP_XWING_PK_BYTES], ct[SKAP_XWING_CT_BYTES];
	struct srv_enroll *e = r->srv->enroll;
	uint8_t ss[32], h[32], token[SKAP_OTA_TOKEN_LEN];
	char ct64[SKAP_B64_LEN(SKAP_XWING_CT_BYTES) + 1], tok64[SKAP_B64_LEN(sizeof(token)) + 1];
	struct skap_xwing_eph eph;
	json_t *body;
	int err;

	/* Stateless (the rate limit is in memory): the device's second round
	 * trip need not wait for a disk sync that this one has no part in. */
	r->store_free = 1;
	if (!rate_ok(r, e->per_source, r->peer))
		return;
	body = srv_body_object(r);
	if (!body)
		return;
	if (srv_only_fields(r, body, fields) || get_b64(r, body, "public_key", ek, sizeof(ek)))
		goto out;
	/* The ephemeral X25519 key made ahead when one is ready (eph_pool.h). */
	if (e->eph_pool && skap_eph_pool_take(e->eph_pool, &eph))
		err = skap_xwing_encaps_prepared(ek, &eph, ct, ss);
	else
		err = skap_xwing_encaps(ek, ct, ss);
	if (err) {
		srv_bad_field(r, "public_key", "is not an X-Wing public key");
		goto out;
	}
	if (skap_ota_transcript(ek, ct, h) ||
	    skap_ota_token_seal(e->token_key, h, ss, (uint64_t)time(NULL) + SKAP_OTA_TOKEN_TTL_S,
				token) ||
	    skap_b64_encode(ct, sizeof(ct), ct64, sizeof(ct64)) ||
	    skap_b64_encode(token, sizeof(token), tok64, sizeof(tok64))) {
		srv_error(r, 500, "internal", "internal error");
		goto out;
	}
	srv_reply(r, 200, json_pack("{s:s,s:s}", "ciphertext", ct64, "token", tok64));
out:
	skap_wipe(ss, sizeof(ss));
	json_decref(body);
}

/* ---- enrollment ---- */

/* What the method gave: the key of the envelope (unused for ota-tls) and the binding. */
struct channel {
	enum skap_enroll_method method;
	uint8_t k[32];
	uint8_t binding[32];
	char qkey_id[SKAP_QKEY_ID_MAX + 1];
	uint8_t *pt; /* sig || REQ, malloc'd */
	size_t pt_len;
};

/* Opens the sealed envelope of BODY's "sealed" into C->pt. */
static int open_sealed(struct srv_req *r, json_t *body, struct channel *c, const char *why)
{
	size_t n;
	uint8_t *sealed = get_b64_alloc(r, body, "sealed", REQ_MAX + SKAP_ENROLL_SEAL_OVERHEAD, &n);

	if (!sealed)
		return -1;
	c->pt = malloc(n + 1);
	if (!c->pt || skap_enroll_open(c->k, SKAP_ENROLL_REQUEST, sealed, n, c->pt, &c->pt_len) ||
	    c->pt_len <= SKAP_ED25519_SIG_LEN) {
		free(sealed);
		log_info("enrollment from %s refused: %s", r->peer, why);
		srv_error(r, 403, "refused", why);
		return -1;
	}
	free(sealed);
	return 0;
}

static int channel_qkey(struct srv_req *r, json_t *body, struct channel *c)
{
	static const char *const fields[] = { "method", "qkey_id", "nonce", "sealed", NULL };
	uint8_t nonce[SKAP_ENROLL_NONCE_LEN], raw[SKAP_QKEY_RAW_LEN];
	struct skap_qkey q;
	const char *id;
	int err;

	if (srv_only_fields(r, body, fields) || srv_get_str(r, body, "qkey_id", 1, &id) ||
	    get_b64(r, body, "nonce", nonce, sizeof(nonce)))
		return -1;
	if (skap_qkey_key(r->srv->st, id, (int64_t)time(NULL), raw, &q)) {
		log_info("enrollment from %s refused: unknown, used or expired QKEY", r->peer);
		srv_error(r, 403, "refused", "the QKEY is unknown, used or expired");
		return -1;
	}
	snprintf(c->qkey_id, sizeof(c->qkey_id), "%s", id);
	err = skap_qkey_derive(raw, id, nonce, c->k, c->binding);
	skap_wipe(raw, sizeof(raw));
	if (err) {
		srv_error(r, 500, "internal", "internal error");
		return -1;
	}
	return open_sealed(r, body, c, "the request does not open with that QKEY");
}

static int channel_ota_quantum(struct srv_req *r, json_t *body, struct channel *c)
{
	static const char *const fields[] = { "method", "public_key", "ciphertext", "token",
					      "sealed", NULL };
	static uint8_t ek[SKAP_XWING_PK_BYTES], ct[SKAP_XWING_CT_BYTES];
	uint8_t token[SKAP_OTA_TOKEN_LEN], ss[32];
	int err;

	if (srv_only_fields(r, body, fields) || get_b64(r, body, "public_key", ek, sizeof(ek)) ||
	    get_b64(r, body, "ciphertext", ct, sizeof(ct)) ||
	    get_b64(r, body, "token", token, sizeof(token)))
		return -1;
	if (skap_ota_transcript(ek, ct, c->binding))
		return srv_error(r, 500, "internal", "internal error"), -1;
	err = skap_ota_token_open(r->srv->enroll->token_key, c->binding, token, sizeof(token),
				  (uint64_t)time(NULL), ss);
	if (err) {
		srv_error(r, 403, "refused",
			  err == -EKEYEXPIRED ? "the key exchange expired; start again" :
						"the token does not belong to this exchange");
		return -1;
	}
	err = skap_ota_derive(ss, c->binding, c->k);
	skap_wipe(ss, sizeof(ss));
	if (err)
		return srv_error(r, 500, "internal", "internal error"), -1;
	return open_sealed(r, body, c, "the request does not open");
}

static int channel_ota_tls(struct srv_req *r, json_t *body, struct channel *c)
{
	static const char *const fields[] = { "method", "request", "signature", NULL };
	uint8_t sig[SKAP_ED25519_SIG_LEN], *req;
	SSL *ssl = request_ssl(r);
	size_t n;

	if (srv_only_fields(r, body, fields) || get_b64(r, body, "signature", sig, sizeof(sig)))
		return -1;
	req = get_b64_alloc(r, body, "request", REQ_MAX, &n);
	if (!req)
		return -1;
	c->pt = malloc(sizeof(sig) + n + 1);
	if (!c->pt || !ssl ||
	    SSL_export_keying_material(ssl, c->binding, sizeof(c->binding),
				       SKAP_TLS_EXPORTER_LABEL, strlen(SKAP_TLS_EXPORTER_LABEL),
				       NULL, 0, 0) != 1) {
		free(req);
		return srv_error(r, 500, "internal", "internal error"), -1;
	}
	memcpy(c->pt, sig, sizeof(sig));
	memcpy(c->pt + sizeof(sig), req, n);
	c->pt_len = sizeof(sig) + n;
	skap_wipe(req, n);
	free(req);
	return 0;
}

/* REQ's "device" object as the report kept with the device (validated). */
static char *device_report(struct srv_req *r, json_t *dev, const char **name)
{
	static const char *const fields[] = { "hostname", "name", "macs", "addresses", NULL };
	const char *host;
	json_t *v;
	size_t i;

	*name = NULL;
	if (!json_is_object(dev)) {
		srv_bad_field(r, "device", "must be an object");
		return NULL;
	}
	if (srv_only_fields(r, dev, fields) || srv_get_str(r, dev, "hostname", 1, &host) ||
	    srv_get_str(r, dev, "name", 0, name))
		return NULL;
	if (!*host || strlen(host) > 253 || (*name && !skap_store_name_valid(*name))) {
		srv_bad_field(r, "device", "hostname or name is not acceptable");
		return NULL;
	}
	for (const char *const *f = fields + 2; *f; f++) {
		json_t *a = json_object_get(dev, *f);

		if (a && (!json_is_array(a) || json_array_size(a) > 32)) {
			srv_bad_field(r, *f, "must be a list of at most 32 strings");
			return NULL;
		}
		json_array_foreach(a, i, v) {
			if (!json_is_string(v) || json_string_length(v) > 64) {
				srv_bad_field(r, *f, "must be a list of short strings");
				return NULL;
			}
		}
	}
	return skap_json_text(dev, 1);
}

/* The answer ANS (JSON text) in the method's envelope. */
static json_t *wrap_answer(const struct channel *c, const char *ans)
{
	size_t n = strlen(ans), size = SKAP_B64_LEN(n + SKAP_ENROLL_SEAL_OVERHEAD) + 1;
	uint8_t *sealed = NULL;
	char *text = malloc(size);
	json_t *out = NULL;

	if (!text)
		return NULL;
	if (c->method == SKAP_ENROLL_OTA_TLS) {
		if (!skap_b64_encode(ans, n, text, size))
			out = json_pack("{s:b,s:s,s:s}", "development", 1, "warning",
					"OTA_TLS is for development only: a recorded session "
					"broken later reveals the device master key",
					"answer", text);
	} else {
		sealed = malloc(n + SKAP_ENROLL_SEAL_OVERHEAD);
		if (sealed && !skap_enroll_seal(c->k, SKAP_ENROLL_ANSWER, ans, n, sealed) &&
		    !skap_b64_encode(sealed, n + SKAP_ENROLL_SEAL_OVERHEAD, text, size))
			out = json_pack("{s:s}", "sealed", text);
	}
	free(sealed);
	skap_wipe(text, size);
	free(text);
	return out;
}

/* The credential of REQ: a bootstrap key, or an enroller's name and password. */
static int credential(struct srv_req *r, json_t *cred, struct skap_enroll_in *in)
{
	static const char *const fields[] = { "bootstrap_key", "user", "password", NULL };
	const char *user, *pw;
	struct skap_user u;

	if (!json_is_object(cred) || srv_only_fields(r, cred, fields) ||
	    srv_get_str(r, cred, "bootstrap_key", 0, &in->bootstrap_key) ||
	    srv_get_str(r, cred, "user", 0, &user) || srv_get_str(r, cred, "password", 0, &pw))
		return json_is_object(cred) ? -1 : (srv_bad_field(r, "credential", "must be an object"), -1);
	if (!!in->bootstrap_key == !!(user && pw)) {
		srv_bad_field(r, "credential", "must hold a bootstrap key or a user and password");
		return -1;
	}
	if (in->bootstrap_key)
		return 0;
	if (!rate_ok(r, r->srv->enroll->per_account, user))
		return -1;
	if (skap_user_verify(r->srv->st, user, pw, &u) ||
	    (u.role != SKAP_ROLE_OWNER && u.role != SKAP_ROLE_ADMIN &&
	     u.role != SKAP_ROLE_ENROLLER)) {
		log_info("enrollment from %s refused: user credential", r->peer);
		srv_error(r, 403, "refused", "the credential was refused");
		return -1;
	}
	in->user_id = u.id;
	return 0;
}

static void enroll_answer(struct srv_req *r, const struct channel *c, const struct skap_device *d,
			  const uint8_t dmk[32], int fresh)
{
	struct skap_tenant t;
	struct skap_group g = { 0 };
	char dmk64[SKAP_B64_LEN(32) + 1], *ans;
	json_t *a, *reply;

	if (skap_tenant_get(r->srv->st, d->tenant_id, &t) ||
	    skap_b64_encode(dmk, 32, dmk64, sizeof(dmk64))) {
		srv_error(r, 500, "internal", "internal error");
		return;
	}
	skap_group_get(r->srv->st, d->group_id, &g);
	a = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "device_id", d->id, "state",
		      skap_device_state_name(d->state), "dmk", dmk64, "tenant", t.name, "group",
		      g.name, "fingerprint", d->fingerprint);
	ans = a ? skap_json_text(a, 0) : NULL;
	json_decref(a);
	skap_wipe(dmk64, sizeof(dmk64));
	reply = ans ? wrap_answer(c, ans) : NULL;
	if (ans) {
		skap_wipe(ans, strlen(ans));
		free(ans);
	}
	if (!reply) {
		srv_error(r, 500, "internal", "internal error");
		return;
	}
	log_info("device %s enrolled by %s (%s, %s, fingerprint %s) from %s%s", d->id,
		 d->enrolled_by, c->method == SKAP_ENROLL_OTA_TLS ? "ota-tls" : d->method,
		 skap_device_state_name(d->state), d->fingerprint, r->peer,
		 fresh ? "" : " (answer repeated)");
	if (c->method == SKAP_ENROLL_OTA_TLS)
		log_warn("device %s enrolled over OTA_TLS: development only, its DMK is only as "
			 "safe as this TLS session", d->id);
	srv_reply(r, fresh ? 201 : 200, reply);
}

/* Checks REQ (C->pt after the signature) and enrolls. */
static void enroll_request(struct srv_req *r, struct channel *c)
{
	static const char *const fields[] = { "method", "public_key", "binding", "credential",
					      "device", NULL };
	const uint8_t *sig = c->pt, *req = c->pt + SKAP_ED25519_SIG_LEN;
	size_t req_len = c->pt_len - SKAP_ED25519_SIG_LEN;
	struct skap_enroll_in in = { .source = r->peer };
	uint8_t pub[32], binding[32], dmk[32];
	char fp[SKAP_FINGERPRINT_SIZE], *report = NULL;
	const char *method, *name;
	struct skap_device d;
	int err, fresh;
	json_t *o;

	o = skap_json_parse((const char *)req, req_len);
	if (!json_is_object(o)) {
		srv_error(r, 400, "bad_request", "the enrollment request is not a JSON object");
		goto out;
	}
	if (srv_only_fields(r, o, fields) || srv_get_str(r, o, "method", 1, &method) ||
	    get_b64(r, o, "public_key", pub, sizeof(pub)) ||
	    get_b64(r, o, "binding", binding, sizeof(binding)))
		goto out;
	if (strcmp(method, skap_enroll_method_name(c->method))) {
		srv_bad_field(r, "method", "differs from the method of the envelope");
		goto out;
	}
	/* Proof of possession, bound to this channel. */
	if (skap_enroll_verify(pub, req, req_len, sig) ||
	    skap_ct_compare(binding, c->binding, sizeof(binding))) {
		log_info("enrollment from %s refused: no proof of possession", r->peer);
		srv_error(r, 403, "refused",
			  "the request is not signed by its key for this channel");
		goto out;
	}
	report = device_report(r, json_object_get(o, "device"), &name);
	if (!report || credential(r, json_object_get(o, "credential"), &in))
		goto out;
	skap_fingerprint(pub, fp);
	in.method = method;
	in.public_key = pub;
	in.fingerprint = fp;
	in.report = report;
	in.qkey_id = c->qkey_id[0] ? c->qkey_id : NULL;
	in.require_ota_tls = c->method == SKAP_ENROLL_OTA_TLS;
	err = skap_device_enroll(r->srv->st, &in, name, &d, dmk, &fresh);
	switch (err) {
	case 0:
		enroll_answer(r, c, &d, dmk, fresh);
		break;
	case -EACCES:
		log_info("enrollment from %s refused: credential", r->peer);
		srv_error(r, 403, "refused", c->qkey_id[0] ?
			  "the credential or the QKEY was refused" : "the credential was refused");
		break;
	case -EPERM:
		srv_error(r, 403, "ota_tls_disabled",
			  "OTA_TLS enrollment is off for this tenant (development only)");
		break;
	case -EADDRINUSE:
		log_warn("enrollment from %s refused: identity %s is already enrolled (clone?)",
			 r->peer, fp);
		srv_error(r, 409, "clone",
			  "this identity is already enrolled; an administrator must rebind it");
		break;
	default:
		srv_store_error(r, err, "device");
	}
	skap_wipe(dmk, sizeof(dmk));
out:
	free(report);
	json_decref(o);
}

static void h_enroll(struct srv_req *r)
{
	struct channel c = { 0 };
	const char *method;
	json_t *body;
	int err = -1;

	if (!rate_ok(r, r->srv->enroll->per_source, r->peer))
		return;
	body = srv_body_object(r);
	if (!body)
		return;
	if (srv_get_str(r, body, "method", 1, &method))
		goto out;
	if (skap_enroll_method_parse(method, &c.method)) {
		srv_bad_field(r, "method", "must be qkey, ota-quantum or ota-tls");
		goto out;
	}
	switch (c.method) {
	case SKAP_ENROLL_QKEY:
		err = channel_qkey(r, body, &c);
		break;
	case SKAP_ENROLL_OTA_QUANTUM:
		err = channel_ota_quantum(r, body, &c);
		break;
	case SKAP_ENROLL_OTA_TLS:
		err = channel_ota_tls(r, body, &c);
		break;
	}
	if (!err)
		enroll_request(r, &c);
out:
	if (c.pt) {
		skap_wipe(c.pt, c.pt_len);
		free(c.pt);
	}
	skap_wipe(&c, sizeof(c));
	json_decref(body);
}

/* ---- after enrollment: requests authenticated with the DMK ---- */

struct device_req {
	struct skap_device d;
	uint8_t dmk[32];
	int64_t ts;
	uint8_t nonce[SKAP_ENROLL_NONCE_LEN];
	uint8_t mac[32];
};

/*
 * The device, its DMK, ts, nonce and mac of BODY, with the window and replay
 * checks. KNOWN and KNOWN_DMK: the device and its DMK as this request
 * already read them (NULL: read them).
 */
static int device_req(struct srv_req *r, json_t *body, const char *id,
		      const struct skap_device *known, const uint8_t *known_dmk,
		      struct device_req *q)
{
	int64_t now = (int64_t)time(NULL);
	int present, err;

	if (srv_get_int(r, body, "ts", 0, INT64_MAX, &q->ts, &present) ||
	    get_b64(r, body, "nonce", q->nonce, sizeof(q->nonce)) ||
	    get_b64(r, body, "mac", q->mac, sizeof(q->mac)))
		return -1;
	if (!present) {
		srv_bad_field(r, "ts", "is required");
		return -1;
	}
	if (known) {
		q->d = *known;
		memcpy(q->dmk, known_dmk, sizeof(q->dmk));
	}
	if (!skap_id_valid(id) ||
	    (!known && (skap_device_get(r->srv->st, id, &q->d) ||
			skap_device_dmk(r->srv->st, id, q->dmk)))) {
		srv_error(r, 401, "unauthenticated", "unknown device or wrong MAC");
		return -1;
	}
	if (q->ts < now - CLOCK_WINDOW_S || q->ts > now + CLOCK_WINDOW_S) {
		srv_error(r, 401, "clock", "the timestamp is more than 60 s off: check the clock");
		return -1;
	}
	err = replay_check(r->srv->enroll, id, q->nonce, sizeof(q->nonce), q->ts, now);
	if (err) {
		srv_error(r, err == -EBUSY ? 503 : 401, err == -EBUSY ? "busy" : "replay",
			  err == -EBUSY ? "too many requests in flight" : "request replayed");
		return -1;
	}
	return 0;
}

/*
 * Last seen is kept in whole seconds: a device already seen this second
 * from this address changes nothing, and its request saves a write.
 */
static void device_seen(struct srv_req *r, const struct skap_device *d, int64_t now)
{
	if (d->last_seen == now && !strcmp(d->last_addr, r->peer))
		return;
	skap_device_seen(r->srv->st, d->id, r->peer);
}

static void h_status(struct srv_req *r)
{
	static const char *const fields[] = { "device", "ts", "nonce", "mac", NULL };
	struct device_req q = { 0 };
	uint8_t kreq[32], mac[32];
	struct skap_tenant t;
	char *cert = NULL, *ca = NULL;
	const char *id;
	int64_t expires, now = (int64_t)time(NULL);
	json_t *body = srv_body_object(r);

	if (!body)
		return;
	if (srv_only_fields(r, body, fields) || srv_get_str(r, body, "device", 1, &id) ||
	    device_req(r, body, id, NULL, NULL, &q))
		goto out;
	if (skap_dmk_derive(q.dmk, SKAP_DMK_REQUEST, id, kreq) ||
	    skap_device_req_mac(kreq, "status", id, (uint64_t)q.ts, q.nonce, mac) ||
	    skap_ct_compare(mac, q.mac, sizeof(mac))) {
		srv_error(r, 401, "unauthenticated", "unknown device or wrong MAC");
		goto out;
	}
	device_seen(r, &q.d, now);
	if (q.d.state == SKAP_DEVICE_APPROVED) {
		/* Issued at the first poll after approval, renewed a third before expiry. */
		if ((q.d.cert_expires - now < RENEW_BEFORE_S ||
		     skap_device_certificate(r->srv->st, id, &cert)) &&
		    !skap_tenant_get(r->srv->st, q.d.tenant_id, &t)) {
			free(cert);
			cert = NULL;
			if (!srv_ca_issue(r->srv, &q.d, t.name, &cert, &expires) &&
			    !skap_device_set_certificate(r->srv->st, id, cert, expires))
				log_info("device %s: certificate issued, valid %d days", id,
					 SRV_CERT_DAYS);
		}
		srv_ca_get(r->srv, q.d.tenant_id, &ca);
	}
	srv_reply(r, 200,
		  json_pack("{s:s,s:s?,s:s?,s:s?,s:o*}", "state", skap_device_state_name(q.d.state),
			    "reason", q.d.reason[0] ? q.d.reason : NULL, "certificate", cert, "ca",
			    ca, "config", srv_device_config(r->srv, &q.d)));
out:
	free(cert);
	free(ca);
	skap_wipe(kreq, sizeof(kreq));
	skap_wipe(&q, sizeof(q));
	json_decref(body);
}

/*
 * The device the TLS client certificate names (its CN), checked against the
 * CA, as a key request reads it (skap_device_get_brief), with its DMK.
 */
static int peer_device(struct srv_req *r, struct skap_device *d, uint8_t dmk[SKAP_DEVICE_DMK_LEN])
{
	SSL *ssl = request_ssl(r);
	const char *proved = ssl ? srv_ca_conn_peer_id(ssl) : NULL;
	X509 *cert;
	char cn[SKAP_ID_MAX + 2] = "";
	int ok = 0;

	/* An earlier request on this connection proved whose certificate it is. */
	if (proved && !skap_device_get_brief(r->srv->st, proved, d, dmk) &&
	    !srv_ca_check_conn_peer(r->srv, ssl, d, NULL))
		return 0;
	cert = ssl ? SSL_get1_peer_certificate(ssl) : NULL;
	if (cert)
		X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn,
					  sizeof(cn));
	if (cert && skap_id_valid(cn) && !skap_device_get_brief(r->srv->st, cn, d, dmk) &&
	    !srv_ca_check_conn_peer(r->srv, ssl, d, cert))
		ok = 1;
	X509_free(cert);
	if (!ok) {
		skap_wipe(dmk, SKAP_DEVICE_DMK_LEN);
		srv_error(r, 401, "certificate_required",
			  "key requests need the device certificate (mutual TLS)");
	}
	return ok ? 0 : -1;
}

static void h_keys(struct srv_req *r)
{
	static const char *const fields[] = { "peer", "ts", "nonce", "mac", NULL };
	struct device_req q = { 0 };
	struct skap_device a, b;
	struct skap_pair_key pk;
	struct skap_ticket t = { 0 };
	uint8_t kreq[32], mac[32], kresp[32], kt[32], dmk_a[32], dmk_b[32];
	uint8_t sealed[SKAP_SEALED_KEY_LEN], ticket[SKAP_TICKET_MAX_LEN];
	char kid[2 * SKAP_KID_LEN + 1], k64[SKAP_B64_LEN(sizeof(sealed)) + 1];
	char t64[SKAP_B64_LEN(sizeof(ticket)) + 1], kid64[SKAP_B64_LEN(SKAP_KID_LEN) + 1];
	const char *peer;
	size_t tlen;
	int64_t now = (int64_t)time(NULL);
	json_t *body;

	if (peer_device(r, &a, dmk_a))
		return;
	body = srv_body_object(r);
	if (!body)
		goto out;
	if (srv_only_fields(r, body, fields) || srv_get_str(r, body, "peer", 1, &peer) ||
	    device_req(r, body, a.id, &a, dmk_a, &q))
		goto out;
	if (skap_dmk_derive(q.dmk, SKAP_DMK_REQUEST, a.id, kreq) || !skap_id_valid(peer) ||
	    skap_keyreq_mac(kreq, a.id, peer, (uint64_t)q.ts, q.nonce, mac) ||
	    skap_ct_compare(mac, q.mac, sizeof(mac))) {
		srv_error(r, 401, "unauthenticated", "wrong MAC");
		goto out;
	}
	/* The same identity live from two places at once is a clone. */
	if (a.last_addr[0] && strcmp(a.last_addr, r->peer) && now - a.last_seen < CLONE_WINDOW_S) {
		log_warn("device %s: key request from %s while live at %s: refused (clone?)",
			 a.id, r->peer, a.last_addr);
		skap_audit_append(r->srv->st, a.tenant_id, "system:keys", "device.clone_live",
				  a.id, r->peer);
		srv_error(r, 409, "clone", "this identity is live from another address");
		goto out;
	}
	device_seen(r, &a, now);
	if (a.state != SKAP_DEVICE_APPROVED) {
		srv_error(r, 403, "not_approved", "this device is not approved (or was revoked)");
		goto out;
	}
	if (srv_key_policy(r, peer, &a, &b, dmk_b))
		goto out;
	if (b.state != SKAP_DEVICE_APPROVED) {
		srv_error(r, 403, "peer_not_approved", "the peer is not approved (or was revoked)");
		goto out;
	}
	pk.expires = (uint64_t)now + TICKET_TTL_S;
	if (skap_random(pk.key, sizeof(pk.key)) || skap_random(pk.kid, sizeof(pk.kid)) ||
	    skap_dmk_derive(q.dmk, SKAP_DMK_RESPONSE, a.id, kresp) ||
	    skap_dmk_derive(dmk_b, SKAP_DMK_TICKET, b.id, kt))
		goto internal;
	memcpy(t.key, pk.key, sizeof(t.key));
	memcpy(t.kid, pk.kid, sizeof(t.kid));
	t.expires = pk.expires;
	snprintf(t.initiator, sizeof(t.initiator), "%s", a.id);
	if (skap_pair_key_seal(kresp, a.id, b.id, &pk, sealed) ||
	    skap_ticket_seal(kt, b.id, &t, ticket, &tlen) ||
	    skap_b64_encode(sealed, sizeof(sealed), k64, sizeof(k64)) ||
	    skap_b64_encode(ticket, tlen, t64, sizeof(t64)) ||
	    skap_b64_encode(pk.kid, sizeof(pk.kid), kid64, sizeof(kid64)))
		goto internal;
	skap_hex_encode(pk.kid, sizeof(pk.kid), kid);
	{
		char detail[SKAP_ID_MAX + 64];

		snprintf(detail, sizeof(detail), "peer %s kid %s", b.id, kid);
		skap_audit_append(r->srv->st, a.tenant_id, "system:keys", "key.issue", a.id,
				  detail);
		/* Across a peering, the peer's tenant keeps the same trail. */
		if (b.tenant_id != a.tenant_id) {
			snprintf(detail, sizeof(detail), "initiator %s kid %s", a.id, kid);
			skap_audit_append(r->srv->st, b.tenant_id, "system:keys", "key.issue",
					  b.id, detail);
		}
	}
	/* The audit record has it; at info level a busy platform's log would be mostly this. */
	log_debug("key %s issued to %s for %s", kid, a.id, b.id);
	r->sync_later = 1;
	srv_reply(r, 200, json_pack("{s:s,s:I,s:s,s:s}", "kid", kid64, "expires",
				    (json_int_t)pk.expires, "key", k64, "ticket", t64));
	goto out;
internal:
	srv_error(r, 500, "internal", "internal error");
out:
	skap_wipe(&pk, sizeof(pk));
	skap_wipe(&t, sizeof(t));
	skap_wipe(kreq, sizeof(kreq));
	skap_wipe(kresp, sizeof(kresp));
	skap_wipe(kt, sizeof(kt));
	skap_wipe(dmk_a, sizeof(dmk_a));
	skap_wipe(dmk_b, sizeof(dmk_b));
	skap_wipe(&q, sizeof(q));
	json_decref(body);
}

int srv_enroll_dispatch(struct srv_req *r)
{
	static const struct {
		const char *path;
		void (*fn)(struct srv_req *r);
	} routes[] = {
		{ API "/enroll/kem", h_kem },
		{ API "/enroll", h_enroll },
		{ API "/device/status", h_status },
		{ API "/keys", h_keys },
	};

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!strcmp(r->path, routes[i].path)) {
			if (r->method != EVHTTP_REQ_POST)
				srv_error(r, 405, "method_not_allowed", "use POST");
			else
				routes[i].fn(r);
			return 1;
		}
	}
	return 0;
}
