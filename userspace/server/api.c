// SPDX-License-Identifier: GPL-2.0
/*
 * The REST handlers of skap-server (docs/api.md). Each one: authenticate
 * (bearer token), check the role, validate the whole input (unknown fields,
 * wrong types and out-of-range values refused with 400 before anything is
 * written), then one store call. Objects of another tenant are answered as
 * absent (404). Nothing secret is logged.
 */

#include "server.h"

#include <skap/log.h>
#include <skap/ratelimit.h>
#include <skap/secret.h>

#include <errno.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define API "/api/v1"

/* Roles as bit masks. */
#define R(x)		(1u << SKAP_ROLE_##x)
#define ROLES_READ	(R(OWNER) | R(ADMIN) | R(OPERATOR) | R(AUDITOR))
#define ROLES_ADMIN	(R(OWNER) | R(ADMIN))
#define ROLES_AUDIT	(R(OWNER) | R(ADMIN) | R(AUDITOR))

/* ---- helpers ---- */

int srv_authenticate(struct srv_req *r)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(r->req),
					   "Authorization");

	r->sess = NULL;
	if (h && !strncmp(h, "Bearer ", 7) && !srv_session_find(r->srv, h + 7, &r->sess_buf))
		r->sess = &r->sess_buf;
	if (!r->sess) {
		evhttp_add_header(evhttp_request_get_output_headers(r->req), "WWW-Authenticate",
				  "Bearer");
		srv_error(r, 401, "unauthenticated", "a valid bearer token is required");
		return -1;
	}
	snprintf(r->actor, sizeof(r->actor), "user:%s", r->sess->user);
	return 0;
}

int srv_allow(struct srv_req *r, unsigned int roles)
{
	if (srv_authenticate(r))
		return -1;
	if (!(roles & (1u << r->sess->role))) {
		srv_error(r, 403, "forbidden", "your role does not allow this");
		return -1;
	}
	return 0;
}

/* Refuses (400) a body with a field not in NAMES (NULL-terminated). */
int srv_only_fields(struct srv_req *r, json_t *body, const char *const *names)
{
	const char *key;
	json_t *v;
	char msg[128];

	json_object_foreach(body, key, v) {
		int ok = 0;

		for (const char *const *n = names; *n && !ok; n++)
			ok = !strcmp(key, *n);
		if (!ok) {
			snprintf(msg, sizeof(msg), "unknown field \"%.64s\"", key);
			srv_error(r, 400, "unknown_field", msg);
			return -1;
		}
	}
	return 0;
}

void srv_bad_field(struct srv_req *r, const char *field, const char *what)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "field \"%s\" %s", field, what);
	srv_error(r, 400, "bad_field", msg);
}

/* A string field: required or not; *OUT NULL when absent. */
int srv_get_str(struct srv_req *r, json_t *body, const char *field, int required,
		   const char **out)
{
	json_t *v = json_object_get(body, field);

	*out = NULL;
	if (!v) {
		if (required) {
			srv_bad_field(r, field, "is required");
			return -1;
		}
		return 0;
	}
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
		srv_bad_field(r, field, "must be a string without NUL");
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* An integer field in [MIN, MAX]; *PRESENT tells whether it was given. */
int srv_get_int(struct srv_req *r, json_t *body, const char *field, int64_t min, int64_t max,
		   int64_t *out, int *present)
{
	json_t *v = json_object_get(body, field);

	*present = v != NULL;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		srv_bad_field(r, field, "must be an integer in range");
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

int srv_get_bool(struct srv_req *r, json_t *body, const char *field, int *out, int *present)
{
	json_t *v = json_object_get(body, field);

	*present = v != NULL;
	if (!v)
		return 0;
	if (!json_is_boolean(v)) {
		srv_bad_field(r, field, "must be true or false");
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}

/* ?after=N&limit=M, with defaults 0 and 100. */
int srv_page_args(struct srv_req *r, int64_t *after, size_t *limit)
{
	const char *a = evhttp_find_header(r->query, "after");
	const char *l = evhttp_find_header(r->query, "limit");
	char *end;
	long long v;

	*after = 0;
	*limit = 100;
	if (a) {
		errno = 0;
		v = strtoll(a, &end, 10);
		if (!*a || *end || errno || v < 0) {
			srv_error(r, 400, "bad_query", "\"after\" must be a non-negative integer");
			return -1;
		}
		*after = v;
	}
	if (l) {
		errno = 0;
		v = strtoll(l, &end, 10);
		if (!*l || *end || errno || v < 1 || v > SKAP_STORE_LIST_MAX) {
			srv_error(r, 400, "bad_query", "\"limit\" must be an integer in 1..1000");
			return -1;
		}
		*limit = (size_t)v;
	}
	return 0;
}

/* The answer to a failed store call. */
void srv_store_error(struct srv_req *r, int err, const char *what)
{
	char msg[128];

	switch (err) {
	case -EINVAL:
		snprintf(msg, sizeof(msg), "invalid %s", what);
		srv_error(r, 400, "bad_request", msg);
		break;
	case -ENOENT:
		snprintf(msg, sizeof(msg), "no such %s", what);
		srv_error(r, 404, "not_found", msg);
		break;
	case -EEXIST:
		snprintf(msg, sizeof(msg), "a %s of that name exists", what);
		srv_error(r, 409, "conflict", msg);
		break;
	case -EPERM:
		srv_error(r, 409, "conflict", "a tenant keeps at least one enabled owner");
		break;
	case -EBUSY:
		srv_error(r, 503, "busy", "the database is busy; try again");
		break;
	default:
		log_error("store: %s: error %d", what, err);
		srv_error(r, 500, "internal", "internal error");
		break;
	}
}

int64_t srv_path_id(const char *path, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);
	int64_t id = 0;
	const char *p;

	if (strncmp(path, prefix, n) || path[n] != '/')
		return -1;
	p = path + n + 1;
	if (*p < '1' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (id > (INT64_MAX - 9) / 10)
			return -1;
		id = id * 10 + (*p - '0');
	}
	*rest = p;
	return id;
}

/* ---- login ---- */

static void h_login(struct srv_req *r)
{
	static const char *const fields[] = { "user", "password", NULL };
	char token[2 * SRV_TOKEN_LEN + 1];
	const char *user, *pw;
	struct skap_user u;
	int64_t expires;
	json_t *body;
	uint64_t now = srv_now_ns();
	int err;

	if (!skap_ratelimit_allow(r->srv->login_src, r->peer, strlen(r->peer), now)) {
		evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", "1");
		srv_error(r, 429, "rate_limited", "too many login attempts; slow down");
		return;
	}
	body = srv_body_object(r);
	if (!body)
		return;
	if (srv_only_fields(r, body, fields) || srv_get_str(r, body, "user", 1, &user) ||
	    srv_get_str(r, body, "password", 1, &pw))
		goto out;
	if (!skap_ratelimit_allow(r->srv->login_acct, user, strnlen(user, SKAP_RATELIMIT_KEY_MAX),
				  now)) {
		evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", "1");
		srv_error(r, 429, "rate_limited", "too many login attempts; slow down");
		goto out;
	}
	if (skap_user_verify(r->srv->st, user, pw, &u)) {
		log_info("login refused for a user from %s", r->peer);
		srv_error(r, 401, "bad_credentials", "user name or password is wrong");
		goto out;
	}
	err = srv_session_new(r->srv, &u, r->peer, token, &expires);
	if (err == -ENOSPC) {
		srv_error(r, 503, "busy", "too many sessions; try again later");
		goto out;
	}
	if (err) {
		srv_store_error(r, err, "session");
		goto out;
	}
	log_info("login of %s from %s", u.name, r->peer);
	srv_reply(r, 200, json_pack("{s:s,s:I,s:s,s:s}", "token", token, "expires",
				    (json_int_t)expires, "role", skap_role_name(u.role), "user",
				    u.name));
	explicit_bzero(token, sizeof(token));
out:
	json_decref(body);	/* freed wiped: main.c sets Jansson's free */
}

static void h_logout(struct srv_req *r)
{
	if (srv_authenticate(r))
		return;
	srv_session_drop(r);
	srv_reply(r, 204, NULL);
}

/* ---- tenant ---- */

static json_t *tenant_json(const struct skap_tenant *t)
{
	return json_pack("{s:I,s:s,s:b,s:I}", "id", (json_int_t)t->id, "name", t->name,
			 "ota_tls", t->ota_tls, "created", (json_int_t)t->created);
}

static void h_tenant(struct srv_req *r)
{
	struct skap_tenant t;
	int err;

	if (srv_allow(r, ROLES_READ))
		return;
	err = skap_tenant_get(r->srv->st, r->sess->tenant_id, &t);
	if (err)
		return srv_store_error(r, err, "tenant");
	srv_reply(r, 200, tenant_json(&t));
}

/* PATCH /tenant {"ota_tls": BOOL}: the owner's switch of a development-only method. */
static void h_tenant_patch(struct srv_req *r)
{
	static const char *const fields[] = {"ota_tls", NULL};
	struct skap_tenant t;
	int on = 0, present, err;
	json_t *body;

	if (srv_allow(r, R(OWNER)))
		return;
	body = srv_body_object(r);
	if (!body)
		return;
	if (srv_only_fields(r, body, fields) || srv_get_bool(r, body, "ota_tls", &on, &present))
		goto out;
	if (!present) {
		srv_bad_field(r, "ota_tls", "is required");
		goto out;
	}
	err = skap_tenant_set_ota_tls(r->srv->st, r->actor, r->sess->tenant_id, on);
	if (!err)
		err = skap_tenant_get(r->srv->st, r->sess->tenant_id, &t);
	if (err) {
		srv_store_error(r, err, "tenant");
		goto out;
	}
	if (on)
		log_warn("tenant %s: OTA_TLS switched on by %s (development only)", t.name,
			 r->sess->user);
	srv_reply(r, 200, tenant_json(&t));
out:
	json_decref(body);
}

/* ---- users ---- */

static json_t *user_json(const struct skap_user *u)
{
	return json_pack("{s:I,s:s,s:s,s:b,s:I}", "id", (json_int_t)u->id, "name", u->name,
			 "role", skap_role_name(u->role), "disabled", u->disabled, "created",
			 (json_int_t)u->created);
}

static void h_users_list(struct srv_req *r)
{
	struct skap_user *u;
	size_t n, limit;
	int64_t after;
	json_t *arr;
	int err;

	if (srv_allow(r, ROLES_READ) || srv_page_args(r, &after, &limit))
		return;
	err = skap_user_list(r->srv->st, r->sess->tenant_id, after, limit, &u, &n);
	if (err)
		return srv_store_error(r, err, "user");
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, user_json(&u[i]));
	srv_reply(r, 200, json_pack("{s:o,s:I}", "items", arr, "next",
				    (json_int_t)(n == limit ? u[n - 1].id : 0)));
	free(u);
}

static void h_users_create(struct srv_req *r)
{
	static const char *const fields[] = { "name", "role", "password", NULL };
	const char *name, *role, *pw;
	enum skap_role rl;
	struct skap_user u;
	json_t *body;
	int64_t id;
	int err;

	if (srv_allow(r, ROLES_ADMIN))
		return;
	body = srv_body_object(r);
	if (!body)
		return;
	if (srv_only_fields(r, body, fields) || srv_get_str(r, body, "name", 1, &name) ||
	    srv_get_str(r, body, "role", 1, &role) || srv_get_str(r, body, "password", 1, &pw))
		goto out;
	if (!skap_store_name_valid(name)) {
		srv_bad_field(r, "name", "must be 1..64 of [A-Za-z0-9._-]");
		goto out;
	}
	if (skap_role_parse(role, &rl)) {
		srv_bad_field(r, "role", "must be owner, admin, operator, enroller or auditor");
		goto out;
	}
	if (strlen(pw) < SKAP_PASSWORD_MIN || strlen(pw) > SKAP_PASSWORD_MAX) {
		srv_bad_field(r, "password", "must be 8..256 bytes");
		goto out;
	}
	if (rl == SKAP_ROLE_OWNER && r->sess->role != SKAP_ROLE_OWNER) {
		srv_error(r, 403, "forbidden", "only an owner may create an owner");
		goto out;
	}
	err = skap_user_create(r->srv->st, r->actor, r->sess->tenant_id, name, rl, pw, &id);
	if (err) {
		srv_store_error(r, err, "user");
		goto out;
	}
	if (!skap_user_get(r->srv->st, id, &u))
		srv_reply(r, 201, user_json(&u));
	else
		srv_error(r, 500, "internal", "internal error");
out:
	json_decref(body);
}

/* Acting on user U: an admin may not touch an owner. 403 answered. */
static int may_manage(struct srv_req *r, const struct skap_user *u)
{
	if (u->role == SKAP_ROLE_OWNER && r->sess->role != SKAP_ROLE_OWNER) {
		srv_error(r, 403, "forbidden", "only an owner may change an owner");
		return -1;
	}
	return 0;
}

/*
 * PATCH takes exactly one of role, disabled, password: each is one
 * transaction, so a request either happens whole or not at all. The user's
 * sessions end with any change.
 */
static void h_user_patch(struct srv_req *r, struct skap_user *u)
{
	static const char *const fields[] = { "role", "disabled", "password", NULL };
	const char *role, *pw;
	enum skap_role rl;
	int dis = 0, present = 0, err;
	json_t *body = srv_body_object(r);

	if (!body)
		return;
	if (srv_only_fields(r, body, fields))
		goto out;
	if (json_object_size(body) != 1) {
		srv_error(r, 400, "bad_request", "give exactly one of role, disabled, password");
		goto out;
	}
	if (srv_get_str(r, body, "role", 0, &role) || srv_get_str(r, body, "password", 0, &pw) ||
	    srv_get_bool(r, body, "disabled", &dis, &present))
		goto out;
	if (role) {
		if (skap_role_parse(role, &rl)) {
			srv_bad_field(r, "role", "must be owner, admin, operator, enroller or auditor");
			goto out;
		}
		if (rl == SKAP_ROLE_OWNER && r->sess->role != SKAP_ROLE_OWNER) {
			srv_error(r, 403, "forbidden", "only an owner may make an owner");
			goto out;
		}
		err = skap_user_set_role(r->srv->st, r->actor, u->id, rl);
	} else if (pw) {
		if (strlen(pw) < SKAP_PASSWORD_MIN || strlen(pw) > SKAP_PASSWORD_MAX) {
			srv_bad_field(r, "password", "must be 8..256 bytes");
			goto out;
		}
		err = skap_user_set_password(r->srv->st, r->actor, u->id, pw);
	} else {
		err = skap_user_set_disabled(r->srv->st, r->actor, u->id, dis);
	}
	if (err) {
		srv_store_error(r, err, "user");
		goto out;
	}
	srv_session_drop_user(r->srv, u->id);
	if (!skap_user_get(r->srv->st, u->id, u))
		srv_reply(r, 200, user_json(u));
	else
		srv_error(r, 500, "internal", "internal error");
out:
	json_decref(body);
}

static void h_user_one(struct srv_req *r, int64_t id, const char *rest)
{
	struct skap_user u;
	unsigned int roles = r->method == EVHTTP_REQ_GET ? ROLES_READ : ROLES_ADMIN;
	int err;

	if (*rest || (r->method != EVHTTP_REQ_GET && r->method != EVHTTP_REQ_PATCH &&
		      r->method != EVHTTP_REQ_DELETE)) {
		srv_error(r, 404, "not_found", "no such resource");
		return;
	}
	if (srv_allow(r, roles))
		return;
	if (skap_user_get(r->srv->st, id, &u) || u.tenant_id != r->sess->tenant_id) {
		srv_error(r, 404, "not_found", "no such user");
		return;
	}
	if (r->method == EVHTTP_REQ_GET) {
		srv_reply(r, 200, user_json(&u));
		return;
	}
	if (may_manage(r, &u))
		return;
	if (r->method == EVHTTP_REQ_PATCH)
		return h_user_patch(r, &u);
	err = skap_user_delete(r->srv->st, r->actor, id);
	if (err)
		return srv_store_error(r, err, "user");
	srv_session_drop_user(r->srv, id);
	srv_reply(r, 204, NULL);
}

/* ---- bootstrap keys ---- */

static json_t *bkey_json(const struct skap_bkey *k)
{
	return json_pack("{s:I,s:s,s:s,s:I,s:b,s:I,s:I,s:I,s:b,s:I}", "id", (json_int_t)k->id,
			 "name", k->name, "description", k->description, "group_id",
			 (json_int_t)k->group_id, "auto_accept", k->auto_accept, "expires",
			 (json_int_t)k->expires, "max_uses", (json_int_t)k->max_uses, "uses",
			 (json_int_t)k->uses, "disabled", k->disabled, "created",
			 (json_int_t)k->created);
}

static void h_bkeys_list(struct srv_req *r)
{
	struct skap_bkey *k;
	size_t n, limit;
	int64_t after;
	json_t *arr;
	int err;

	if (srv_allow(r, ROLES_READ) || srv_page_args(r, &after, &limit))
		return;
	err = skap_bkey_list(r->srv->st, r->sess->tenant_id, after, limit, &k, &n);
	if (err)
		return srv_store_error(r, err, "bootstrap key");
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, bkey_json(&k[i]));
	srv_reply(r, 200, json_pack("{s:o,s:I}", "items", arr, "next",
				    (json_int_t)(n == limit ? k[n - 1].id : 0)));
	free(k);
}

/*
 * Fills K from BODY: the fields given replace K's. Groups are named; the
 * name is looked up in the caller's tenant.
 */
static int bkey_from_body(struct srv_req *r, json_t *body, struct skap_bkey *k, int creating)
{
	static const char *const fields[] = { "name", "description", "group", "auto_accept",
					      "expires", "max_uses", "disabled", NULL };
	const char *name, *desc, *group;
	int64_t v;
	int b, present;
	struct skap_group g;

	if (srv_only_fields(r, body, fields) || srv_get_str(r, body, "name", creating, &name) ||
	    srv_get_str(r, body, "description", 0, &desc) || srv_get_str(r, body, "group", 0, &group))
		return -1;
	if (name) {
		if (!skap_store_name_valid(name)) {
			srv_bad_field(r, "name", "must be 1..64 of [A-Za-z0-9._-]");
			return -1;
		}
		snprintf(k->name, sizeof(k->name), "%s", name);
	}
	if (desc) {
		if (strlen(desc) > SKAP_DESC_MAX) {
			srv_bad_field(r, "description", "is longer than 256 bytes");
			return -1;
		}
		snprintf(k->description, sizeof(k->description), "%s", desc);
	}
	if (group) {
		if (!skap_store_name_valid(group) ||
		    skap_group_by_name(r->srv->st, r->sess->tenant_id, group, &g)) {
			srv_bad_field(r, "group", "names no group of this tenant");
			return -1;
		}
		k->group_id = g.id;
	}
	if (srv_get_bool(r, body, "auto_accept", &b, &present))
		return -1;
	if (present)
		k->auto_accept = b;
	if (srv_get_bool(r, body, "disabled", &b, &present))
		return -1;
	if (present)
		k->disabled = b;
	if (srv_get_int(r, body, "expires", 0, INT64_MAX, &v, &present))
		return -1;
	if (present)
		k->expires = v;
	if (srv_get_int(r, body, "max_uses", 0, INT64_MAX, &v, &present))
		return -1;
	if (present)
		k->max_uses = v;
	for (const char *p = k->description; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			srv_bad_field(r, "description", "must not hold control characters");
			return -1;
		}
	}
	return 0;
}

static void h_bkeys_create(struct srv_req *r)
{
	struct skap_bkey k = { 0 };
	char key[SKAP_BKEY_STR_SIZE];
	json_t *body, *out;
	int64_t id;
	int err;

	if (srv_allow(r, ROLES_ADMIN))
		return;
	body = srv_body_object(r);
	if (!body)
		return;
	k.tenant_id = r->sess->tenant_id;
	if (bkey_from_body(r, body, &k, 1))
		goto out;
	err = skap_bkey_create(r->srv->st, r->actor, &k, &id, key);
	if (err) {
		srv_store_error(r, err, "bootstrap key");
		goto out;
	}
	if (skap_bkey_get(r->srv->st, id, &k)) {
		explicit_bzero(key, sizeof(key));
		srv_error(r, 500, "internal", "internal error");
		goto out;
	}
	out = bkey_json(&k);
	json_object_set_new(out, "key", json_string(key));
	explicit_bzero(key, sizeof(key));
	srv_reply(r, 201, out);
out:
	json_decref(body);
}

/* The key ID if it is the caller's tenant's; answers 404 otherwise. */
static int bkey_mine(struct srv_req *r, int64_t id, struct skap_bkey *k)
{
	if (skap_bkey_get(r->srv->st, id, k) || k->tenant_id != r->sess->tenant_id) {
		srv_error(r, 404, "not_found", "no such bootstrap key");
		return -1;
	}
	return 0;
}

static void h_bkey_one(struct srv_req *r, int64_t id, const char *rest)
{
	char key[SKAP_BKEY_STR_SIZE];
	struct skap_bkey k;
	json_t *body;
	int err;

	if (!strcmp(rest, "/reveal") && r->method == EVHTTP_REQ_POST) {
		if (srv_allow(r, ROLES_ADMIN) || bkey_mine(r, id, &k))
			return;
		err = skap_bkey_reveal(r->srv->st, r->actor, id, key);
		if (err)
			return srv_store_error(r, err, "bootstrap key");
		srv_reply(r, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "key", key));
		explicit_bzero(key, sizeof(key));
		return;
	}
	if (*rest) {
		srv_error(r, 404, "not_found", "no such resource");
		return;
	}
	switch (r->method) {
	case EVHTTP_REQ_GET:
		if (srv_allow(r, ROLES_READ) || bkey_mine(r, id, &k))
			return;
		srv_reply(r, 200, bkey_json(&k));
		return;
	case EVHTTP_REQ_PATCH:
		if (srv_allow(r, ROLES_ADMIN) || bkey_mine(r, id, &k))
			return;
		body = srv_body_object(r);
		if (!body)
			return;
		if (!bkey_from_body(r, body, &k, 0)) {
			err = skap_bkey_update(r->srv->st, r->actor, &k);
			if (err)
				srv_store_error(r, err, "bootstrap key");
			else if (!skap_bkey_get(r->srv->st, id, &k))
				srv_reply(r, 200, bkey_json(&k));
			else
				srv_error(r, 500, "internal", "internal error");
		}
		json_decref(body);
		return;
	case EVHTTP_REQ_DELETE:
		if (srv_allow(r, ROLES_ADMIN) || bkey_mine(r, id, &k))
			return;
		err = skap_bkey_delete(r->srv->st, r->actor, id);
		if (err)
			return srv_store_error(r, err, "bootstrap key");
		srv_reply(r, 204, NULL);
		return;
	default:
		srv_error(r, 405, "method_not_allowed", "method not allowed here");
	}
}

/* ---- audit ---- */

static void h_audit(struct srv_req *r)
{
	struct skap_audit *a;
	size_t n, limit;
	int64_t after;
	json_t *arr;
	int err;

	if (srv_allow(r, ROLES_AUDIT) || srv_page_args(r, &after, &limit))
		return;
	err = skap_audit_list(r->srv->st, r->sess->tenant_id, after, limit, &a, &n);
	if (err)
		return srv_store_error(r, err, "audit record");
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s}", "id",
						     (json_int_t)a[i].id, "time",
						     (json_int_t)a[i].time, "actor", a[i].actor,
						     "action", a[i].action, "object", a[i].object,
						     "detail", a[i].detail));
	srv_reply(r, 200, json_pack("{s:o,s:I}", "items", arr, "next",
				    (json_int_t)(n == limit ? a[n - 1].id : 0)));
	free(a);
}

/* ---- routing ---- */

static int is(struct srv_req *r, int method, const char *path)
{
	return r->method == method && !strcmp(r->path, path);
}

void srv_api_dispatch(struct srv_req *r)
{
	const char *rest;
	int64_t id;

	if (is(r, EVHTTP_REQ_POST, API "/login"))
		return h_login(r);
	if (is(r, EVHTTP_REQ_POST, API "/logout"))
		return h_logout(r);
	if (is(r, EVHTTP_REQ_GET, API "/tenant"))
		return h_tenant(r);
	if (is(r, EVHTTP_REQ_GET, API "/users"))
		return h_users_list(r);
	if (is(r, EVHTTP_REQ_POST, API "/users"))
		return h_users_create(r);
	if ((id = srv_path_id(r->path, API "/users", &rest)) > 0)
		return h_user_one(r, id, rest);
	if (is(r, EVHTTP_REQ_GET, API "/bootstrap-keys"))
		return h_bkeys_list(r);
	if (is(r, EVHTTP_REQ_POST, API "/bootstrap-keys"))
		return h_bkeys_create(r);
	if ((id = srv_path_id(r->path, API "/bootstrap-keys", &rest)) > 0)
		return h_bkey_one(r, id, rest);
	if (is(r, EVHTTP_REQ_GET, API "/audit"))
		return h_audit(r);
	if (is(r, EVHTTP_REQ_PATCH, API "/tenant"))
		return h_tenant_patch(r);
	if (srv_enroll_dispatch(r) || srv_devices_dispatch(r) || srv_networks_dispatch(r))
		return;
	srv_error(r, 404, "not_found", "no such resource");
}
