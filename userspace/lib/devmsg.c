// SPDX-License-Identifier: GPL-2.0
/*
 * The device's side of the platform's JSON messages (include/skap/devmsg.h).
 * Every field read from an answer is type-checked and bounded before use;
 * binary fields are strict base64 of an exact length.
 */

#include <skap/devmsg.h>

#include <skap/b64.h>
#include <skap/json_text.h>
#include <skap/secret.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Adds FIELD = base64(DATA) to OBJ; 0 or -ENOMEM. */
static int set_b64(json_t *obj, const char *field, const void *data, size_t len)
{
	size_t size = SKAP_B64_LEN(len) + 1;
	char *text = malloc(size);
	int ret = -ENOMEM;

	if (text && !skap_b64_encode(data, len, text, size))
		ret = json_object_set_new(obj, field, json_string(text)) ? -ENOMEM : 0;
	if (text) {
		skap_wipe(text, size);
		free(text);
	}
	return ret;
}

/* The compact text of OBJ (consumed); NULL when OBJ is NULL or on error. */
static char *dump(json_t *obj, int ok)
{
	char *text = ok && obj ? skap_json_text(obj, 0) : NULL;

	json_decref(obj);
	return text;
}

void skap_devmsg_free(char *body)
{
	if (body) {
		skap_wipe(body, strlen(body));
		free(body);
	}
}

static json_t *string_array(const char *const *items, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n && i < SKAP_DEVMSG_MAX_ITEMS; i++) {
		if (!items[i] || json_array_append_new(a, json_string(items[i]))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

char *skap_devmsg_enroll_request(enum skap_enroll_method method,
				 const uint8_t pub[SKAP_ED25519_PUB_LEN],
				 const uint8_t binding[SKAP_ENROLL_BINDING_LEN],
				 const struct skap_credential *cred,
				 const struct skap_device_report *report)
{
	const char *m = skap_enroll_method_name(method);
	json_t *req, *c, *d;
	int ok;

	if (!m || !cred || !report || !report->hostname ||
	    !!cred->bootstrap_key == !!(cred->user && cred->password))
		return NULL;
	req = json_object();
	c = json_object();
	d = json_object();
	ok = req && c && d;
	if (ok && cred->bootstrap_key)
		ok = !json_object_set_new(c, "bootstrap_key", json_string(cred->bootstrap_key));
	else if (ok)
		ok = !json_object_set_new(c, "user", json_string(cred->user)) &&
		     !json_object_set_new(c, "password", json_string(cred->password));
	ok = ok && !json_object_set_new(d, "hostname", json_string(report->hostname)) &&
	     (!report->name || !json_object_set_new(d, "name", json_string(report->name))) &&
	     !json_object_set_new(d, "macs", string_array(report->macs, report->n_macs)) &&
	     !json_object_set_new(d, "addresses",
				  string_array(report->addresses, report->n_addresses));
	ok = ok && !json_object_set_new(req, "method", json_string(m)) &&
	     !set_b64(req, "public_key", pub, SKAP_ED25519_PUB_LEN) &&
	     !set_b64(req, "binding", binding, SKAP_ENROLL_BINDING_LEN) &&
	     !json_object_set(req, "credential", c) && !json_object_set(req, "device", d);
	json_decref(c);
	json_decref(d);
	return dump(req, ok);
}

/* SIG || REQ sealed under K for the request direction, into OBJ's "sealed". */
static int set_sealed_request(json_t *obj, const uint8_t k[SKAP_ENROLL_KEY_LEN],
			      const uint8_t sig[SKAP_ED25519_SIG_LEN], const char *req)
{
	size_t len = SKAP_ED25519_SIG_LEN + strlen(req);
	uint8_t *pt = malloc(len), *sealed = malloc(len + SKAP_ENROLL_SEAL_OVERHEAD);
	int ret = -ENOMEM;

	if (pt && sealed) {
		memcpy(pt, sig, SKAP_ED25519_SIG_LEN);
		memcpy(pt + SKAP_ED25519_SIG_LEN, req, len - SKAP_ED25519_SIG_LEN);
		ret = skap_enroll_seal(k, SKAP_ENROLL_REQUEST, pt, len, sealed);
		if (!ret)
			ret = set_b64(obj, "sealed", sealed, len + SKAP_ENROLL_SEAL_OVERHEAD);
	}
	if (pt)
		skap_wipe(pt, len);
	free(pt);
	free(sealed);
	return ret;
}

char *skap_devmsg_enroll_qkey(const char *qkey_id, const uint8_t nonce[SKAP_ENROLL_NONCE_LEN],
			      const uint8_t k[SKAP_ENROLL_KEY_LEN],
			      const uint8_t sig[SKAP_ED25519_SIG_LEN], const char *req)
{
	json_t *o = json_object();
	int ok = o && qkey_id && req && skap_id_valid(qkey_id);

	ok = ok && !json_object_set_new(o, "method", json_string("qkey")) &&
	     !json_object_set_new(o, "qkey_id", json_string(qkey_id)) &&
	     !set_b64(o, "nonce", nonce, SKAP_ENROLL_NONCE_LEN) &&
	     !set_sealed_request(o, k, sig, req);
	return dump(o, ok);
}

char *skap_devmsg_enroll_ota_quantum(const uint8_t ek[SKAP_XWING_PK_BYTES],
				     const uint8_t ct[SKAP_XWING_CT_BYTES], const uint8_t *token,
				     size_t token_len, const uint8_t k[SKAP_ENROLL_KEY_LEN],
				     const uint8_t sig[SKAP_ED25519_SIG_LEN], const char *req)
{
	json_t *o = json_object();
	int ok = o && req && token && token_len <= SKAP_OTA_TOKEN_LEN;

	ok = ok && !json_object_set_new(o, "method", json_string("ota-quantum")) &&
	     !set_b64(o, "public_key", ek, SKAP_XWING_PK_BYTES) &&
	     !set_b64(o, "ciphertext", ct, SKAP_XWING_CT_BYTES) &&
	     !set_b64(o, "token", token, token_len) && !set_sealed_request(o, k, sig, req);
	return dump(o, ok);
}

char *skap_devmsg_enroll_ota_tls(const uint8_t sig[SKAP_ED25519_SIG_LEN], const char *req)
{
	json_t *o = json_object();
	int ok = o && req;

	ok = ok && !json_object_set_new(o, "method", json_string("ota-tls")) &&
	     !set_b64(o, "request", req, strlen(req)) &&
	     !set_b64(o, "signature", sig, SKAP_ED25519_SIG_LEN);
	return dump(o, ok);
}

char *skap_devmsg_kem_request(const uint8_t ek[SKAP_XWING_PK_BYTES])
{
	json_t *o = json_object();

	return dump(o, o && !set_b64(o, "public_key", ek, SKAP_XWING_PK_BYTES));
}

/* ---- answers ---- */

static json_t *parse_object(const char *body, size_t len)
{
	json_t *o = body ? skap_json_parse(body, len) : NULL;

	if (o && !json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* FIELD as a string of 1..MAX bytes copied into OUT (MAX + 1 bytes). */
static int get_string(json_t *o, const char *field, char *out, size_t max)
{
	json_t *v = json_object_get(o, field);
	size_t n = json_is_string(v) ? json_string_length(v) : 0;

	if (!n || n > max || memchr(json_string_value(v), 0, n))
		return -EBADMSG;
	memcpy(out, json_string_value(v), n + 1);
	return 0;
}

/* FIELD as base64 of at most MAX bytes into OUT; *LEN its length (exact when LEN is NULL). */
static int get_b64(json_t *o, const char *field, uint8_t *out, size_t max, size_t *len)
{
	json_t *v = json_object_get(o, field);

	if (!json_is_string(v))
		return -EBADMSG;
	if (!len)
		return skap_b64_decode_exact(json_string_value(v), out, max) ? -EBADMSG : 0;
	return skap_b64_decode(json_string_value(v), out, max, len) ? -EBADMSG : 0;
}

int skap_devmsg_kem_answer(const char *body, size_t len, uint8_t ct[SKAP_XWING_CT_BYTES],
			   uint8_t token[SKAP_OTA_TOKEN_LEN], size_t *token_len)
{
	json_t *o = parse_object(body, len);
	int ret = o ? 0 : -EBADMSG;

	ret = ret ? ret : get_b64(o, "ciphertext", ct, SKAP_XWING_CT_BYTES, NULL);
	ret = ret ? ret : get_b64(o, "token", token, SKAP_OTA_TOKEN_LEN, token_len);
	json_decref(o);
	if (ret) {
		memset(ct, 0, SKAP_XWING_CT_BYTES);
		*token_len = 0;
	}
	return ret;
}

/* ANS's fields from the answer object A. */
static int read_answer(json_t *a, struct skap_enroll_answer *ans)
{
	int ret = get_string(a, "device_id", ans->device_id, SKAP_ID_MAX);

	ret = ret ? ret : get_string(a, "state", ans->state, SKAP_STATE_MAX);
	ret = ret ? ret : get_b64(a, "dmk", ans->dmk, SKAP_DMK_LEN, NULL);
	ret = ret ? ret : get_string(a, "tenant", ans->tenant, SKAP_ID_MAX);
	ret = ret ? ret : get_string(a, "group", ans->group, SKAP_ID_MAX);
	ret = ret ? ret : get_string(a, "fingerprint", ans->fingerprint, SKAP_FINGERPRINT_SIZE - 1);
	if (!ret && !skap_id_valid(ans->device_id))
		ret = -EBADMSG;
	return ret;
}

/* The answer object: opened from "sealed" under K, or decoded from "answer". */
static json_t *answer_object(json_t *o, const uint8_t *k)
{
	json_t *v = json_object_get(o, k ? "sealed" : "answer");
	size_t max, n, pt_len;
	uint8_t *raw, *pt;
	json_t *a = NULL;

	if (!json_is_string(v))
		return NULL;
	max = json_string_length(v) / 4 * 3;
	raw = malloc(max + 1);
	pt = malloc(max + 1);
	if (raw && pt && !skap_b64_decode(json_string_value(v), raw, max, &n)) {
		if (!k) {
			a = parse_object((const char *)raw, n);
		} else if (!skap_enroll_open(k, SKAP_ENROLL_ANSWER, raw, n, pt, &pt_len)) {
			a = parse_object((const char *)pt, pt_len);
		}
	}
	if (raw)
		skap_wipe(raw, max + 1);
	if (pt)
		skap_wipe(pt, max + 1);
	free(raw);
	free(pt);
	return a;
}

int skap_devmsg_enroll_answer(enum skap_enroll_method method, const uint8_t *k, const char *body,
			      size_t len, struct skap_enroll_answer *ans)
{
	json_t *o = parse_object(body, len), *a = NULL;
	int ret = -EBADMSG;

	memset(ans, 0, sizeof(*ans));
	if (!skap_enroll_method_name(method) || (method == SKAP_ENROLL_OTA_TLS) != !k) {
		json_decref(o);
		return -EINVAL;
	}
	if (o)
		a = answer_object(o, k);
	if (a)
		ret = read_answer(a, ans);
	if (!ret && method == SKAP_ENROLL_OTA_TLS)
		ans->development = json_is_true(json_object_get(o, "development"));
	json_decref(a);
	json_decref(o);
	if (ret)
		skap_wipe(ans, sizeof(*ans));
	return ret;
}

/* {"<id field>": ID, "ts": TS, "nonce": .., "mac": ..}: the shape of device requests. */
static json_t *authenticated(const char *id_field, const char *id, uint64_t ts,
			     const uint8_t *nonce, size_t nonce_len, const uint8_t mac[32])
{
	json_t *o = json_object();

	if (!o || json_object_set_new(o, id_field, json_string(id)) ||
	    json_object_set_new(o, "ts", json_integer((json_int_t)ts)) ||
	    set_b64(o, "nonce", nonce, nonce_len) || set_b64(o, "mac", mac, 32)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *skap_devmsg_status_request(const uint8_t k_req[32], const char *id, uint64_t ts,
				 const uint8_t nonce[SKAP_ENROLL_NONCE_LEN])
{
	uint8_t mac[32];
	json_t *o;

	if (ts > INT64_MAX || skap_device_req_mac(k_req, "status", id, ts, nonce, mac))
		return NULL;
	o = authenticated("device", id, ts, nonce, SKAP_ENROLL_NONCE_LEN, mac);
	return dump(o, 1);
}

/* FIELD as a PEM string (or null): a malloc'd copy in *OUT. */
static int get_pem(json_t *o, const char *field, char **out)
{
	json_t *v = json_object_get(o, field);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || strncmp(json_string_value(v), "-----BEGIN ", 11) ||
	    memchr(json_string_value(v), 0, json_string_length(v)))
		return -EBADMSG;
	*out = strdup(json_string_value(v));
	return *out ? 0 : -ENOMEM;
}

/* FIELD, when present, as a JSON object: its compact text in *OUT. */
static int get_object_text(json_t *o, const char *field, char **out)
{
	json_t *v = json_object_get(o, field);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return -EBADMSG;
	*out = skap_json_text(v, 0);
	return *out ? 0 : -ENOMEM;
}

int skap_devmsg_status_answer(const char *body, size_t len, struct skap_status_answer *ans)
{
	json_t *o = parse_object(body, len), *reason;
	int ret = o ? 0 : -EBADMSG;

	memset(ans, 0, sizeof(*ans));
	ret = ret ? ret : get_string(o, "state", ans->state, SKAP_STATE_MAX);
	reason = o ? json_object_get(o, "reason") : NULL;
	if (!ret && json_is_string(reason))
		ret = get_string(o, "reason", ans->reason, SKAP_REASON_MAX);
	else if (!ret && reason && !json_is_null(reason))
		ret = -EBADMSG;
	ret = ret ? ret : get_pem(o, "certificate", &ans->certificate);
	ret = ret ? ret : get_pem(o, "ca", &ans->ca);
	ret = ret ? ret : get_object_text(o, "config", &ans->config);
	json_decref(o);
	if (ret)
		skap_status_answer_free(ans);
	return ret;
}

void skap_status_answer_free(struct skap_status_answer *ans)
{
	free(ans->certificate);
	free(ans->ca);
	free(ans->config);
	memset(ans, 0, sizeof(*ans));
}

char *skap_devmsg_key_request(const uint8_t k_req[32], const char *a, const char *b, uint64_t ts,
			      const uint8_t nonce[SKAP_REQ_NONCE_LEN])
{
	uint8_t mac[32];
	json_t *o;

	if (ts > INT64_MAX || skap_keyreq_mac(k_req, a, b, ts, nonce, mac))
		return NULL;
	o = authenticated("peer", b, ts, nonce, SKAP_REQ_NONCE_LEN, mac);
	return dump(o, 1);
}

int skap_devmsg_key_answer(const uint8_t k_resp[32], const char *a, const char *b,
			   const char *body, size_t len, struct skap_pair_key *pk,
			   uint8_t ticket[SKAP_TICKET_MAX_LEN], size_t *ticket_len)
{
	uint8_t sealed[SKAP_SEALED_KEY_LEN], kid[SKAP_KID_LEN];
	json_t *o = parse_object(body, len), *expires;
	int ret = o ? 0 : -EBADMSG;

	memset(pk, 0, sizeof(*pk));
	*ticket_len = 0;
	ret = ret ? ret : get_b64(o, "kid", kid, SKAP_KID_LEN, NULL);
	ret = ret ? ret : get_b64(o, "key", sealed, sizeof(sealed), NULL);
	ret = ret ? ret : get_b64(o, "ticket", ticket, SKAP_TICKET_MAX_LEN, ticket_len);
	expires = o ? json_object_get(o, "expires") : NULL;
	if (!ret && (!json_is_integer(expires) || json_integer_value(expires) < 0))
		ret = -EBADMSG;
	if (!ret && (*ticket_len < SKAP_TICKET_MIN_LEN ||
		     skap_pair_key_open(k_resp, a, b, sealed, sizeof(sealed), pk)))
		ret = -EBADMSG;
	/* The clear fields must say what the sealed key says. */
	if (!ret && (memcmp(kid, pk->kid, SKAP_KID_LEN) ||
		     (uint64_t)json_integer_value(expires) != pk->expires))
		ret = -EBADMSG;
	json_decref(o);
	if (ret) {
		skap_wipe(pk, sizeof(*pk));
		*ticket_len = 0;
	}
	return ret;
}

int skap_devmsg_error(const char *body, size_t len, char *code, size_t code_size, char *message,
		      size_t message_size)
{
	json_t *o = parse_object(body, len), *e = o ? json_object_get(o, "error") : NULL;
	json_t *c = json_object_get(e, "code"), *m = json_object_get(e, "message");
	int ret = -EBADMSG;

	if (json_is_string(c) && json_is_string(m) && code_size && message_size) {
		snprintf(code, code_size, "%s", json_string_value(c));
		snprintf(message, message_size, "%s", json_string_value(m));
		ret = 0;
	}
	json_decref(o);
	return ret;
}
