// SPDX-License-Identifier: GPL-2.0
/*
 * Networks, groups and peerings for administrators (docs/api.md), and the
 * key policy as devices meet it. Objects of another tenant are answered as
 * absent, except a peering, which both of its tenants see. A peering names
 * the other tenant and its network; an unknown tenant and an unknown
 * network of a known tenant get the same 404, so that a request tells no
 * more than that.
 */

#include <skap/secret.h>

#include "server.h"

#include <errno.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API "/api/v1"

static void not_found(struct srv_req *r, const char *what)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "no such %s", what);
	srv_error(r, 404, "not_found", msg);
}

/* At most MAX bytes without control characters. */
static int text_ok(const char *s, size_t max)
{
	if (strlen(s) > max)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* A refusal of the store that is the object's state, not the request's form. */
static void in_use(struct srv_req *r, int err, const char *what)
{
	if (err == -ENOTEMPTY)
		srv_error(r, 409, "in_use", what);
	else if (err == -EPERM)
		srv_error(r, 409, "conflict", "the default one cannot be renamed or deleted");
	else
		srv_store_error(r, err, "name");
}

/* A list answer: ITEMS and the id to continue after (0 on the last page). */
static void reply_page(struct srv_req *r, json_t *items, size_t n, size_t limit, int64_t last)
{
	srv_reply(r, 200,
		  json_pack("{s:o,s:I}", "items", items, "next",
			    (json_int_t)(n == limit ? last : 0)));
}

/* ---- networks ---- */

static json_t *network_json(const struct skap_network *n)
{
	return json_pack("{s:I,s:s,s:s,s:I}", "id", (json_int_t)n->id, "name", n->name,
			 "description", n->description, "created", (json_int_t)n->created);
}

/* Fills N from BODY: the fields given replace N's. */
static int network_from_body(struct srv_req *r, json_t *body, struct skap_network *n, int creating)
{
	static const char *const fields[] = {"name", "description", NULL};
	const char *name, *desc;

	if (srv_only_fields(r, body, fields) || srv_get_str(r, body, "name", creating, &name) ||
	    srv_get_str(r, body, "description", 0, &desc))
		return -1;
	if (name && !skap_store_name_valid(name)) {
		srv_bad_field(r, "name", "must be 1..64 of [A-Za-z0-9._-]");
		return -1;
	}
	if (desc && !text_ok(desc, SKAP_DESC_MAX)) {
		srv_bad_field(r, "description",
			      "must be at most 256 bytes without control characters");
		return -1;
	}
	if (name)
		snprintf(n->name, sizeof(n->name), "%s", name);
	if (desc)
		snprintf(n->description, sizeof(n->description), "%s", desc);
	return 0;
}

static void h_networks_list(struct srv_req *r)
{
	struct skap_network *a;
	size_t n, limit;
	int64_t after;
	json_t *items;
	int err;

	if (srv_allow(r, SRV_ROLES_READ) || srv_page_args(r, &after, &limit))
		return;
	err = skap_network_list(r->srv->st, r->sess->tenant_id, after, limit, &a, &n);
	if (err)
		return srv_store_error(r, err, "network");
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, network_json(&a[i]));
	reply_page(r, items, n, limit, n ? a[n - 1].id : 0);
	free(a);
}

static void h_networks_create(struct srv_req *r)
{
	struct skap_network n = {0};
	json_t *body;
	int64_t id;
	int err;

	if (srv_allow(r, SRV_ROLES_ADMIN))
		return;
	body = srv_body_object(r);
	if (!body)
		return;
	n.tenant_id = r->sess->tenant_id;
	if (network_from_body(r, body, &n, 1))
		goto out;
	err = skap_network_create(r->srv->st, r->actor, &n, &id);
	if (err)
		srv_store_error(r, err, "network");
	else if (!skap_network_get(r->srv->st, id, &n))
		srv_reply(r, 201, network_json(&n));
	else
		srv_error(r, 500, "internal", "internal error");
out:
	json_decref(body);
}

/* Network ID if it is the caller's tenant's; answers 404 otherwise. */
static int network_mine(struct srv_req *r, int64_t id, struct skap_network *n)
{
	if (skap_network_get(r->srv->st, id, n) || n->tenant_id != r->sess->tenant_id) {
		not_found(r, "network");
		return -1;
	}
	return 0;
}

static void h_network_patch(struct srv_req *r, struct skap_network *n)
{
	json_t *body = srv_body_object(r);
	int err;

	if (!body)
		return;
	if (!network_from_body(r, body, n, 0)) {
		err = skap_network_update(r->srv->st, r->actor, n);
		if (err)
			in_use(r, err, "");
		else if (!skap_network_get(r->srv->st, n->id, n))
			srv_reply(r, 200, network_json(n));
		else
			srv_error(r, 500, "internal", "internal error");
	}
	json_decref(body);
}

static void h_network_one(struct srv_req *r, int64_t id, const char *rest)
{
	struct skap_network n;
	int err;

	if (*rest)
		return not_found(r, "resource");
	switch (r->method) {
	case EVHTTP_REQ_GET:
		if (!srv_allow(r, SRV_ROLES_READ) && !network_mine(r, id, &n))
			srv_reply(r, 200, network_json(&n));
		return;
	case EVHTTP_REQ_PATCH:
		if (!srv_allow(r, SRV_ROLES_ADMIN) && !network_mine(r, id, &n))
			h_network_patch(r, &n);
		return;
	case EVHTTP_REQ_DELETE:
		if (srv_allow(r, SRV_ROLES_ADMIN) || network_mine(r, id, &n))
			return;
		err = skap_network_delete(r->srv->st, r->actor, id);
		if (err)
			return in_use(r, err,
				      "devices or groups are in this network, or a peering of it "
				      "is requested or active");
		srv_reply(r, 204, NULL);
		return;
	default:
		srv_error(r, 405, "method_not_allowed", "method not allowed here");
	}
}

/* ---- groups ---- */

static json_t *group_json(struct srv_req *r, const struct skap_group *g)
{
	struct skap_network n = {0};
	json_t *config = json_loads(g->config, 0, NULL);

	if (g->network_id)
		skap_network_get(r->srv->st, g->network_id, &n);
	return json_pack("{s:I,s:s,s:s?,s:o,s:I}", "id", (json_int_t)g->id, "name", g->name,
			 "network", g->network_id ? n.name : NULL, "config",
			 json_is_object(config) ? config : json_object(), "created",
			 (json_int_t)g->created);
}

/* "network": a name of the caller's tenant, or null for the default network. */
static int group_network(struct srv_req *r, json_t *body, struct skap_group *g)
{
	json_t *v = json_object_get(body, "network");
	struct skap_network n;
	const char *name;

	if (!v)
		return 0;
	if (json_is_null(v)) {
		g->network_id = 0;
		return 0;
	}
	if (srv_get_str(r, body, "network", 0, &name))
		return -1;
	if (!skap_store_name_valid(name) ||
	    skap_network_by_name(r->srv->st, r->sess->tenant_id, name, &n)) {
		srv_bad_field(r, "network", "names no network of this tenant");
		return -1;
	}
	g->network_id = n.id;
	return 0;
}

/* "config": an object of at most SKAP_GROUP_CONFIG_MAX bytes as compact JSON. */
static int group_config(struct srv_req *r, json_t *body, struct skap_group *g)
{
	json_t *v = json_object_get(body, "config");
	char *text;
	int err = 0;

	if (!v)
		return 0;
	if (!json_is_object(v)) {
		srv_bad_field(r, "config", "must be an object");
		return -1;
	}
	text = json_dumps(v, JSON_COMPACT);
	if (!text || strlen(text) > SKAP_GROUP_CONFIG_MAX) {
		srv_bad_field(r, "config", "must be at most 4096 bytes of JSON");
		err = -1;
	} else {
		snprintf(g->config, sizeof(g->config), "%s", text);
	}
	free(text);
	return err;
}

static int group_from_body(struct srv_req *r, json_t *body, struct skap_group *g, int creating)
{
	static const char *const fields[] = {"name", "network", "config", NULL};
	const char *name;

	if (srv_only_fields(r, body, fields) || srv_get_str(r, body, "name", creating, &name) ||
	    group_network(r, body, g) || group_config(r, body, g))
		return -1;
	if (name && !skap_store_name_valid(name)) {
		srv_bad_field(r, "name", "must be 1..64 of [A-Za-z0-9._-]");
		return -1;
	}
	if (name)
		snprintf(g->name, sizeof(g->name), "%s", name);
	return 0;
}

static void h_groups_list(struct srv_req *r)
{
	struct skap_group *a;
	size_t n, limit;
	int64_t after;
	json_t *items;
	int err;

	if (srv_allow(r, SRV_ROLES_READ) || srv_page_args(r, &after, &limit))
		return;
	err = skap_group_list(r->srv->st, r->sess->tenant_id, after, limit, &a, &n);
	if (err)
		return srv_store_error(r, err, "group");
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, group_json(r, &a[i]));
	reply_page(r, items, n, limit, n ? a[n - 1].id : 0);
	free(a);
}

static void h_groups_create(struct srv_req *r)
{
	struct skap_group *g;
	json_t *body;
	int64_t id;
	int err;

	if (srv_allow(r, SRV_ROLES_ADMIN))
		return;
	body = srv_body_object(r);
	if (!body)
		return;
	g = calloc(1, sizeof(*g));
	if (!g) {
		srv_error(r, 503, "busy", "out of memory; try again");
		goto out;
	}
	g->tenant_id = r->sess->tenant_id;
	if (group_from_body(r, body, g, 1))
		goto out;
	err = skap_group_create(r->srv->st, r->actor, g, &id);
	if (err)
		srv_store_error(r, err, "group");
	else if (!skap_group_get(r->srv->st, id, g))
		srv_reply(r, 201, group_json(r, g));
	else
		srv_error(r, 500, "internal", "internal error");
out:
	free(g);
	json_decref(body);
}

/* Group ID if it is the caller's tenant's; answers 404 otherwise. */
static int group_mine(struct srv_req *r, int64_t id, struct skap_group *g)
{
	if (skap_group_get(r->srv->st, id, g) || g->tenant_id != r->sess->tenant_id) {
		not_found(r, "group");
		return -1;
	}
	return 0;
}

static void h_group_patch(struct srv_req *r, struct skap_group *g)
{
	json_t *body = srv_body_object(r);
	int err;

	if (!body)
		return;
	if (!group_from_body(r, body, g, 0)) {
		err = skap_group_update(r->srv->st, r->actor, g);
		if (err)
			in_use(r, err, "");
		else if (!skap_group_get(r->srv->st, g->id, g))
			srv_reply(r, 200, group_json(r, g));
		else
			srv_error(r, 500, "internal", "internal error");
	}
	json_decref(body);
}

static void h_group_one(struct srv_req *r, int64_t id, const char *rest)
{
	struct skap_group *g;
	int err;

	if (*rest)
		return not_found(r, "resource");
	if (r->method != EVHTTP_REQ_GET && r->method != EVHTTP_REQ_PATCH &&
	    r->method != EVHTTP_REQ_DELETE)
		return srv_error(r, 405, "method_not_allowed", "method not allowed here");
	if (srv_allow(r, r->method == EVHTTP_REQ_GET ? SRV_ROLES_READ : SRV_ROLES_ADMIN))
		return;
	g = malloc(sizeof(*g));
	if (!g)
		return srv_error(r, 503, "busy", "out of memory; try again");
	if (group_mine(r, id, g)) {
		free(g);
		return;
	}
	if (r->method == EVHTTP_REQ_GET) {
		srv_reply(r, 200, group_json(r, g));
	} else if (r->method == EVHTTP_REQ_PATCH) {
		h_group_patch(r, g);
	} else {
		err = skap_group_delete(r->srv->st, r->actor, id);
		if (err)
			in_use(r, err, "devices or bootstrap keys are in this group");
		else
			srv_reply(r, 204, NULL);
	}
	free(g);
}

/* ---- peerings ---- */

static json_t *peering_json(struct srv_req *r, const struct skap_peering *p)
{
	int mine = p->tenant_id == r->sess->tenant_id;
	json_t *o = json_pack(
		"{s:I,s:s,s:s,s:{s:s,s:s?},s:{s:s,s:s?},s:I,s:I,s:I}", "id", (json_int_t)p->id,
		"state", skap_peering_state_name(p->state), "side", mine ? "requester" : "peer",
		"requester", "tenant", p->tenant, "network", p->network[0] ? p->network : NULL,
		"peer", "tenant", p->peer_tenant, "network",
		p->peer_network[0] ? p->peer_network : NULL, "created", (json_int_t)p->created,
		"accepted", (json_int_t)p->accepted, "ended", (json_int_t)p->ended);

	/* Who asked is a login of the requesting tenant: its own business. */
	if (o && mine)
		json_object_set_new(o, "requested_by", json_string(p->requested_by));
	return o;
}

static void h_peerings_list(struct srv_req *r)
{
	struct skap_peering *a;
	size_t n, limit;
	int64_t after;
	json_t *items;
	int err;

	if (srv_allow(r, SRV_ROLES_READ) || srv_page_args(r, &after, &limit))
		return;
	err = skap_peering_list(r->srv->st, r->sess->tenant_id, after, limit, &a, &n);
	if (err)
		return srv_store_error(r, err, "peering");
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, peering_json(r, &a[i]));
	reply_page(r, items, n, limit, n ? a[n - 1].id : 0);
	free(a);
}

static void h_peerings_create(struct srv_req *r)
{
	static const char *const fields[] = {"network", "peer_tenant", "peer_network", NULL};
	const char *net, *peer_tenant, *peer_net;
	struct skap_peering p;
	json_t *body;
	int64_t id;
	int err;

	if (srv_allow(r, SRV_ROLES_ADMIN))
		return;
	body = srv_body_object(r);
	if (!body)
		return;
	if (srv_only_fields(r, body, fields) || srv_get_str(r, body, "network", 1, &net) ||
	    srv_get_str(r, body, "peer_tenant", 1, &peer_tenant) ||
	    srv_get_str(r, body, "peer_network", 1, &peer_net))
		goto out;
	if (!skap_store_name_valid(net) ||
	    skap_network_by_name(r->srv->st, r->sess->tenant_id, net, &(struct skap_network){0})) {
		srv_bad_field(r, "network", "names no network of this tenant");
		goto out;
	}
	err = skap_peering_request(r->srv->st, r->actor, r->sess->tenant_id, net, peer_tenant,
				   peer_net, &id);
	if (err == -EINVAL)
		srv_bad_field(r, "peer_tenant",
			      "is this tenant: a tenant does not peer with itself");
	else if (err == -ENOENT)
		not_found(r, "tenant or network");
	else if (err == -EEXIST)
		srv_error(r, 409, "conflict",
			  "these networks already have a requested or active peering");
	else if (err)
		srv_store_error(r, err, "peering");
	else if (!skap_peering_get(r->srv->st, id, &p))
		srv_reply(r, 201, peering_json(r, &p));
	else
		srv_error(r, 500, "internal", "internal error");
out:
	json_decref(body);
}

/* Peering ID if the caller's tenant is one of its sides; answers 404 otherwise. */
static int peering_mine(struct srv_req *r, int64_t id, struct skap_peering *p)
{
	if (skap_peering_get(r->srv->st, id, p) ||
	    (p->tenant_id != r->sess->tenant_id && p->peer_tenant_id != r->sess->tenant_id)) {
		not_found(r, "peering");
		return -1;
	}
	return 0;
}

/* accept, reject (the peer side) and end (either side): 200 with the peering. */
static void peering_step(struct srv_req *r, int64_t id, const char *verb)
{
	struct skap_peering p;
	int err;

	if (!strcmp(verb, "end"))
		err = skap_peering_end(r->srv->st, r->actor, r->sess->tenant_id, id);
	else
		err = skap_peering_answer(r->srv->st, r->actor, r->sess->tenant_id, id,
					  !strcmp(verb, "accept"));
	if (err == -EACCES)
		srv_error(r, 403, "forbidden", "only the peer tenant accepts or rejects a peering");
	else if (err == -EPERM)
		srv_error(r, 409, "conflict",
			  !strcmp(verb, "end") ? "the peering is not requested or active"
					       : "the peering is not waiting for an answer");
	else if (err == -ENOENT)
		not_found(r, "peering");
	else if (err)
		srv_store_error(r, err, "peering");
	else if (!skap_peering_get(r->srv->st, id, &p))
		srv_reply(r, 200, peering_json(r, &p));
	else
		srv_error(r, 500, "internal", "internal error");
}

static void h_peering_one(struct srv_req *r, int64_t id, const char *rest)
{
	struct skap_peering p;

	if (!*rest && r->method == EVHTTP_REQ_GET) {
		if (!srv_allow(r, SRV_ROLES_READ) && !peering_mine(r, id, &p))
			srv_reply(r, 200, peering_json(r, &p));
		return;
	}
	if (!*rest && r->method == EVHTTP_REQ_DELETE) {
		if (!srv_allow(r, SRV_ROLES_ADMIN) && !peering_mine(r, id, &p))
			peering_step(r, id, "end");
		return;
	}
	if ((strcmp(rest, "/accept") && strcmp(rest, "/reject")) || r->method != EVHTTP_REQ_POST)
		return not_found(r, "resource");
	/* Like a key's reveal, the verb is the whole request: a body is not read. */
	if (!srv_allow(r, SRV_ROLES_ADMIN) && !peering_mine(r, id, &p))
		peering_step(r, id, rest + 1);
}

/* ---- key policy, as devices meet it ---- */

int srv_key_policy(struct srv_req *r, const char *peer, const struct skap_device *a,
		   struct skap_device *b, uint8_t dmk_b[SKAP_DEVICE_DMK_LEN])
{
	static const char *const messages[] = {
		[SKAP_KEY_NOT_APPROVED] = "this device is not approved (or was revoked)",
		[SKAP_KEY_ROLE_INITIATE] = "this device's role (responder) does not request keys",
		[SKAP_KEY_NO_PATH] = "no such peer in this device's network or peered networks",
		[SKAP_KEY_PEER_NOT_APPROVED] = "the peer is not approved (or was revoked)",
		[SKAP_KEY_ROLE_RESPOND] =
			"the peer's role (initiator) does not answer key requests",
	};
	static const char *const codes[] = {
		[SKAP_KEY_NOT_APPROVED] = "not_approved",
		[SKAP_KEY_ROLE_INITIATE] = "role",
		[SKAP_KEY_NO_PATH] = "policy",
		[SKAP_KEY_PEER_NOT_APPROVED] = "peer_not_approved",
		[SKAP_KEY_ROLE_RESPOND] = "role",
	};
	enum skap_key_refusal why = SKAP_KEY_NO_PATH;
	int err = skap_device_get_brief(r->srv->st, peer, b, dmk_b);

	/* An unknown peer reads as one out of reach: ids of others are not probed. */
	if (!err || err == -ENOENT || err == -EINVAL)
		err = err ? -EPERM : skap_key_policy(r->srv->st, a, b, &why);
	if (err == -EPERM)
		srv_error(r, 403, codes[why], messages[why]);
	else if (err)
		srv_store_error(r, err, "device");
	if (err)
		skap_wipe(dmk_b, SKAP_DEVICE_DMK_LEN);
	return err ? -1 : 0;
}

/* ---- the group's configuration, for its approved devices ---- */

json_t *srv_device_config(struct srv *srv, const struct skap_device *d)
{
	struct skap_group *g;
	json_t *config = NULL;

	if (d->state != SKAP_DEVICE_APPROVED)
		return NULL;
	g = malloc(sizeof(*g));
	if (g && !skap_group_get(srv->st, d->group_id, g))
		config = json_loads(g->config, 0, NULL);
	free(g);
	if (config && !json_is_object(config)) {
		json_decref(config);
		config = NULL;
	}
	return config ? config : json_object();
}

int srv_networks_dispatch(struct srv_req *r)
{
	static const struct {
		const char *path;
		void (*list)(struct srv_req *r);
		void (*create)(struct srv_req *r);
		void (*one)(struct srv_req *r, int64_t id, const char *rest);
	} routes[] = {
		{API "/networks", h_networks_list, h_networks_create, h_network_one},
		{API "/groups", h_groups_list, h_groups_create, h_group_one},
		{API "/peerings", h_peerings_list, h_peerings_create, h_peering_one},
	};
	const char *rest;
	int64_t id;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!strcmp(r->path, routes[i].path)) {
			if (r->method == EVHTTP_REQ_GET)
				routes[i].list(r);
			else if (r->method == EVHTTP_REQ_POST)
				routes[i].create(r);
			else
				srv_error(r, 405, "method_not_allowed", "method not allowed here");
			return 1;
		}
		if ((id = srv_path_id(r->path, routes[i].path, &rest)) > 0) {
			routes[i].one(r, id, rest);
			return 1;
		}
		if (!strncmp(r->path, routes[i].path, strlen(routes[i].path)) &&
		    r->path[strlen(routes[i].path)] == '/') {
			not_found(r, "resource");
			return 1;
		}
	}
	return 0;
}
