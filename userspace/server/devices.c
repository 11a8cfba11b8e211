// SPDX-License-Identifier: GPL-2.0
/*
 * Devices and QKEYs for administrators (docs/api.md): the pending list with
 * what each device reported, approve, reject and revoke with a reason;
 * rename, move to a group or network, set the role, delete, and rebind after
 * a clone alert; and QKEYs (created with 32 random bytes shown once, listed
 * without them, deleted). Devices of another tenant are answered as absent.
 */

#include "server.h"

#include <skap/b64.h>
#include <skap/secret.h>
#include <skap/sym.h>

#include <errno.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#define API "/api/v1"
#define ROLES_APPROVE (SRV_ROLES_ADMIN | SRV_ROLE(OPERATOR))

static json_t *device_json(const struct skap_device *d)
{
	json_t *report = json_loads(d->report, 0, NULL);

	json_t *o = json_pack(
		"{s:s,s:s,s:s?,s:s,s:s,s:o,s:s,s:I,s:I,s:I,s:s,s:I,s:b}", "id", d->id, "state",
		skap_device_state_name(d->state), "reason", d->reason[0] ? d->reason : NULL,
		"method", d->method, "fingerprint", d->fingerprint, "report",
		report ? report : json_object(), "enrolled_by", d->enrolled_by, "enrolled",
		(json_int_t)d->enrolled, "approved", (json_int_t)d->approved, "last_seen",
		(json_int_t)d->last_seen, "last_address", d->last_addr, "clone_attempts",
		(json_int_t)d->clone_attempts, "certificate", d->cert_expires > 0);

	if (o && json_object_update_new(
			 o, json_pack("{s:s?,s:s,s:s,s:s,s:b}", "name", d->name[0] ? d->name : NULL,
				      "group", d->group, "network", d->network, "role",
				      skap_device_role_name(d->role), "rebind", d->rebind))) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

static int device_mine(struct srv_req *r, const char *id, struct skap_device *d)
{
	int err = skap_device_get(r->srv->st, id, d);

	if (!err && d->tenant_id != r->sess->tenant_id)
		err = -ENOENT;
	if (err)
		srv_store_error(r, err == -EINVAL ? -ENOENT : err, "device");
	return err;
}

static void h_devices_list(struct srv_req *r)
{
	const char *state = evhttp_find_header(r->query, "state");
	const char *after = evhttp_find_header(r->query, "after");
	const char *l = evhttp_find_header(r->query, "limit");
	enum skap_device_state s = SKAP_DEVICE_PENDING;
	struct skap_device *a = NULL;
	size_t n, limit = 100;
	json_t *items;
	int err;

	if (srv_allow(r, SRV_ROLES_READ))
		return;
	if (state && skap_device_state_parse(state, &s)) {
		srv_error(r, 400, "bad_query",
			  "\"state\" must be pending, approved, rejected or revoked");
		return;
	}
	if (l && (atoi(l) < 1 || atoi(l) > SKAP_STORE_LIST_MAX)) {
		srv_error(r, 400, "bad_query", "\"limit\" must be an integer in 1..1000");
		return;
	}
	if (l)
		limit = (size_t)atoi(l);
	err = skap_device_list(r->srv->st, r->sess->tenant_id, state ? (int)s : -1, after, limit,
			       &a, &n);
	if (err)
		return srv_store_error(r, err == -EINVAL ? -EINVAL : err, "\"after\"");
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, device_json(&a[i]));
	srv_reply(r, 200, json_pack("{s:o,s:s?}", "items", items, "next",
				    n == limit ? a[n - 1].id : NULL));
	free(a);
}

/* POST /devices/ID/approve|reject|revoke {"reason": ...} */
static void h_device_transition(struct srv_req *r, const char *id, enum skap_device_state to)
{
	static const char *const fields[] = { "reason", NULL };
	struct skap_device d;
	const char *reason = NULL;
	json_t *body;
	int err;

	if (srv_allow(r, ROLES_APPROVE) || device_mine(r, id, &d))
		return;
	body = srv_body_object(r);
	if (!body)
		return;
	if (srv_only_fields(r, body, fields) || srv_get_str(r, body, "reason", 0, &reason))
		goto out;
	err = skap_device_set_state(r->srv->st, r->actor, id, to, reason ? reason : "");
	if (err == -EPERM) {
		srv_error(r, 409, "conflict",
			  to == SKAP_DEVICE_REVOKED ? "only an approved device can be revoked" :
						      "only a pending device can be approved or rejected");
	} else if (err) {
		srv_store_error(r, err, "device or reason");
	} else if (!device_mine(r, id, &d)) {
		srv_reply(r, 200, device_json(&d));
	}
out:
	json_decref(body);
}

/* FIELD of BODY, the name of a group or network ("network") of the caller's
 * tenant: its id in *ID (left alone when FIELD is absent). */
static int named(struct srv_req *r, json_t *body, const char *field, int64_t *id)
{
	const char *name;
	struct skap_network n;
	struct skap_group *g;
	int err = -ENOENT;

	if (srv_get_str(r, body, field, 0, &name))
		return -1;
	if (!name)
		return 0;
	if (skap_store_name_valid(name) && !strcmp(field, "network")) {
		err = skap_network_by_name(r->srv->st, r->sess->tenant_id, name, &n);
		*id = n.id;
	} else if (skap_store_name_valid(name)) {
		g = malloc(sizeof(*g));
		err = g ? skap_group_by_name(r->srv->st, r->sess->tenant_id, name, g) : -ENOMEM;
		*id = g ? g->id : 0;
		free(g);
	}
	if (err) {
		srv_bad_field(r, field,
			      strcmp(field, "network") ? "names no group of this tenant"
						       : "names no network of this tenant");
		return -1;
	}
	return 0;
}

/* PATCH /devices/ID: any of name, group, network, role; one transaction. */
static void h_device_patch(struct srv_req *r, const char *id)
{
	static const char *const fields[] = {"name", "group", "network", "role", NULL};
	struct skap_device_change c = {.role = -1};
	enum skap_device_role role;
	struct skap_device d;
	const char *rn;
	json_t *body;
	int err;

	body = srv_body_object(r);
	if (!body)
		return;
	if (srv_only_fields(r, body, fields) || srv_get_str(r, body, "name", 0, &c.name) ||
	    srv_get_str(r, body, "role", 0, &rn) || named(r, body, "group", &c.group_id) ||
	    named(r, body, "network", &c.network_id))
		goto out;
	if (!json_object_size(body)) {
		srv_error(r, 400, "bad_request", "give at least one of name, group, network, role");
		goto out;
	}
	if (c.name && !skap_store_name_valid(c.name)) {
		srv_bad_field(r, "name", "must be 1..64 of [A-Za-z0-9._-]");
		goto out;
	}
	if (rn && skap_device_role_parse(rn, &role)) {
		srv_bad_field(r, "role", "must be gateway, initiator or responder");
		goto out;
	}
	c.role = rn ? (int)role : -1;
	err = skap_device_update(r->srv->st, r->actor, id, &c);
	if (err)
		srv_store_error(r, err, "device");
	else if (!device_mine(r, id, &d))
		srv_reply(r, 200, device_json(&d));
out:
	json_decref(body);
}

/* DELETE /devices/ID and POST /devices/ID/rebind: administrators only. */
static void h_device_admin(struct srv_req *r, const char *id, int rebind)
{
	struct skap_device d;
	int err;

	if (srv_allow(r, SRV_ROLES_ADMIN) || device_mine(r, id, &d))
		return;
	if (r->method == EVHTTP_REQ_PATCH)
		return h_device_patch(r, id);
	err = rebind ? skap_device_rebind(r->srv->st, r->actor, id)
		     : skap_device_delete(r->srv->st, r->actor, id);
	if (err)
		srv_store_error(r, err, "device");
	else if (!rebind)
		srv_reply(r, 204, NULL);
	else if (!device_mine(r, id, &d))
		srv_reply(r, 200, device_json(&d));
}

static void h_device_one(struct srv_req *r, const char *rest)
{
	static const struct {
		const char *verb;
		enum skap_device_state to;
	} verbs[] = {
		{ "approve", SKAP_DEVICE_APPROVED },
		{ "reject", SKAP_DEVICE_REJECTED },
		{ "revoke", SKAP_DEVICE_REVOKED },
	};
	char id[SKAP_DEVICE_ID_MAX + 1];
	const char *slash = strchr(rest, '/');
	size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
	struct skap_device d;

	if (!n || n > SKAP_DEVICE_ID_MAX) {
		srv_error(r, 404, "not_found", "no such device");
		return;
	}
	memcpy(id, rest, n);
	id[n] = '\0';
	if (!slash && r->method == EVHTTP_REQ_GET) {
		if (!srv_allow(r, SRV_ROLES_READ) && !device_mine(r, id, &d))
			srv_reply(r, 200, device_json(&d));
		return;
	}
	if (!slash && (r->method == EVHTTP_REQ_PATCH || r->method == EVHTTP_REQ_DELETE))
		return h_device_admin(r, id, 0);
	if (slash && !strcmp(slash + 1, "rebind") && r->method == EVHTTP_REQ_POST)
		return h_device_admin(r, id, 1);
	for (size_t i = 0; slash && i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (!strcmp(slash + 1, verbs[i].verb) && r->method == EVHTTP_REQ_POST)
			return h_device_transition(r, id, verbs[i].to);
	}
	srv_error(r, 404, "not_found", "no such resource");
}

/* ---- QKEYs ---- */

static json_t *qkey_json(const struct skap_qkey *q)
{
	return json_pack("{s:s,s:s?,s:I,s:I,s:I}", "qkey_id", q->qkey_id, "device_name",
			 q->device_name[0] ? q->device_name : NULL, "expires",
			 (json_int_t)q->expires, "used", (json_int_t)q->used, "created",
			 (json_int_t)q->created);
}

static void h_qkeys_create(struct srv_req *r)
{
	static const char *const fields[] = { "qkey_id", "device_name", "expires", NULL };
	uint8_t raw[SKAP_QKEY_RAW_LEN], rnd[8];
	char text[SKAP_B64_LEN(SKAP_QKEY_RAW_LEN) + 1];
	struct skap_qkey q = { .tenant_id = r->sess ? r->sess->tenant_id : 0 };
	const char *id = NULL, *name = NULL;
	int present, err;
	json_t *body;

	if (srv_allow(r, SRV_ROLES_ADMIN))
		return;
	q.tenant_id = r->sess->tenant_id;
	body = srv_body_object(r);
	if (!body)
		return;
	if (srv_only_fields(r, body, fields) || srv_get_str(r, body, "qkey_id", 0, &id) ||
	    srv_get_str(r, body, "device_name", 0, &name) ||
	    srv_get_int(r, body, "expires", 0, INT64_MAX, &q.expires, &present))
		goto out;
	if (id) {
		snprintf(q.qkey_id, sizeof(q.qkey_id), "%s", id);
	} else if (!skap_random(rnd, sizeof(rnd))) {
		snprintf(q.qkey_id, sizeof(q.qkey_id), "q-%02x%02x%02x%02x%02x%02x%02x%02x",
			 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	}
	if ((id && strlen(id) >= sizeof(q.qkey_id)) ||
	    (name && strlen(name) >= sizeof(q.device_name))) {
		srv_bad_field(r, id ? "qkey_id" : "device_name", "is too long");
		goto out;
	}
	snprintf(q.device_name, sizeof(q.device_name), "%s", name ? name : "");
	err = skap_qkey_create(r->srv->st, r->actor, &q, raw);
	if (err) {
		srv_store_error(r, err, "QKEY (id: 1..64 of A-Z a-z 0-9 . _ -)");
		goto out;
	}
	skap_b64_encode(raw, sizeof(raw), text, sizeof(text));
	skap_wipe(raw, sizeof(raw));
	srv_reply(r, 201, json_pack("{s:s,s:s,s:s?,s:I}", "qkey_id", q.qkey_id, "qkey", text,
				    "device_name", name, "expires", (json_int_t)q.expires));
	skap_wipe(text, sizeof(text));
out:
	json_decref(body);
}

static void h_qkeys_list(struct srv_req *r)
{
	struct skap_qkey *a = NULL;
	json_t *items;
	int64_t after;
	size_t limit, n;
	int err;

	if (srv_allow(r, SRV_ROLES_READ) || srv_page_args(r, &after, &limit))
		return;
	err = skap_qkey_list(r->srv->st, r->sess->tenant_id, after, limit, &a, &n);
	if (err)
		return srv_store_error(r, err, "QKEY");
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, qkey_json(&a[i]));
	srv_reply(r, 200, json_pack("{s:o,s:I}", "items", items, "next",
				    (json_int_t)(n == limit ? a[n - 1].id : 0)));
	free(a);
}

static void h_qkey_delete(struct srv_req *r, const char *id)
{
	int err;

	if (srv_allow(r, SRV_ROLES_ADMIN))
		return;
	err = skap_qkey_delete(r->srv->st, r->actor, r->sess->tenant_id, id);
	if (err)
		return srv_store_error(r, err == -EINVAL ? -ENOENT : err, "QKEY");
	srv_reply(r, 204, NULL);
}

int srv_devices_dispatch(struct srv_req *r)
{
	static const char devices[] = API "/devices", qkeys[] = API "/qkeys";

	if (!strcmp(r->path, devices) && r->method == EVHTTP_REQ_GET)
		return h_devices_list(r), 1;
	if (!strncmp(r->path, devices, sizeof(devices) - 1) && r->path[sizeof(devices) - 1] == '/')
		return h_device_one(r, r->path + sizeof(devices)), 1;
	if (!strcmp(r->path, qkeys) && r->method == EVHTTP_REQ_GET)
		return h_qkeys_list(r), 1;
	if (!strcmp(r->path, qkeys) && r->method == EVHTTP_REQ_POST)
		return h_qkeys_create(r), 1;
	if (!strncmp(r->path, qkeys, sizeof(qkeys) - 1) && r->path[sizeof(qkeys) - 1] == '/' &&
	    r->method == EVHTTP_REQ_DELETE)
		return h_qkey_delete(r, r->path + sizeof(qkeys)), 1;
	return 0;
}
