// SPDX-License-Identifier: GPL-2.0
/*
 * Networks, groups' settings, peerings between networks of two tenants and
 * the key policy built on them, in the SQLite back end of <skap/store.h>.
 * A peering needs both tenants: one asks, the other accepts, either ends
 * it; each step is audited in both tenants, in the step's transaction.
 */

#include <skap/store.h>

#include "store_int.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- plumbing ---- */

/* count(*) of SQL with one int64 parameter: >= 0, or -EIO. */
static int64_t count_of(struct skap_store *st, const char *sql, int64_t v)
{
	sqlite3_stmt *s;
	int64_t n = -EIO;

	if (st_prep(st, sql, &s))
		return -EIO;
	sqlite3_bind_int64(s, 1, v);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* 0 when none of the counts of ID is above zero, -ENOTEMPTY otherwise. */
static int none_use(struct skap_store *st, const char *const *sqls, int64_t id)
{
	for (; *sqls; sqls++) {
		int64_t n = count_of(st, *sqls, id);

		if (n < 0)
			return (int)n;
		if (n > 0)
			return -ENOTEMPTY;
	}
	return 0;
}

/* DELETE FROM TABLE WHERE id = ID (TABLE is one of ours, never input). */
static int delete_row(struct skap_store *st, const char *sql, int64_t id)
{
	sqlite3_stmt *s;
	int err = st_prep(st, sql, &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	return st_step_done(st, s);
}

/* ---- networks ---- */

#define NETWORK_COLS "id, tenant_id, name, description, created"

static void network_row(sqlite3_stmt *s, void *item)
{
	struct skap_network *n = item;

	memset(n, 0, sizeof(*n));
	n->id = sqlite3_column_int64(s, 0);
	n->tenant_id = sqlite3_column_int64(s, 1);
	st_col_text(s, 2, n->name, sizeof(n->name));
	st_col_text(s, 3, n->description, sizeof(n->description));
	n->created = sqlite3_column_int64(s, 4);
}

static int network_insert(struct skap_store *st, int64_t tenant_id, const char *name,
			  const char *description, int64_t *id)
{
	sqlite3_stmt *s;
	int err = st_prep(st,
			  "INSERT INTO networks(tenant_id, name, description, created) "
			  "VALUES (?, ?, ?, ?)",
			  &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, tenant_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, description, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, st_now());
	err = st_step_done(st, s);
	if (!err && id)
		*id = sqlite3_last_insert_rowid(st->db);
	return err;
}

int st_network_insert_default(struct skap_store *st, int64_t tenant_id)
{
	return network_insert(st, tenant_id, "default", "created with the tenant", NULL);
}

static int network_fields_valid(const struct skap_network *n)
{
	return skap_store_name_valid(n->name) && st_text_valid(n->description, SKAP_DESC_MAX);
}

int skap_network_create(struct skap_store *st, const char *actor, const struct skap_network *in,
			int64_t *id)
{
	struct skap_tenant t;
	int64_t nid = 0;
	int err;

	if (!st || !st_actor_valid(actor) || !in || in->tenant_id <= 0 || !network_fields_valid(in))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_tenant_get(st, in->tenant_id, &t);
	if (!err)
		err = network_insert(st, in->tenant_id, in->name, in->description, &nid);
	if (!err)
		err = st_audit_insert(st, in->tenant_id, actor, "network.create", in->name, "");
	err = st_tx_end(st, err);
	if (!err && id)
		*id = nid;
	return err;
}

int skap_network_get(struct skap_store *st, int64_t id, struct skap_network *n)
{
	if (!st || !n || id <= 0)
		return -EINVAL;
	return st_row_by_id(st, "SELECT " NETWORK_COLS " FROM networks WHERE id = ?", id,
			    network_row, n);
}

int skap_network_by_name(struct skap_store *st, int64_t tenant_id, const char *name,
			 struct skap_network *n)
{
	sqlite3_stmt *s;
	int err;

	if (!st || !n || tenant_id <= 0 || !skap_store_name_valid(name))
		return -EINVAL;
	err = st_get(st, "SELECT " NETWORK_COLS " FROM networks WHERE tenant_id = ? AND name = ?",
		     &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, tenant_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	return st_get_one(st, s, network_row, n);
}

int skap_network_list(struct skap_store *st, int64_t tenant_id, int64_t after, size_t limit,
		      struct skap_network **out, size_t *n)
{
	if (!st || tenant_id <= 0 || after < 0 || !st_list_args_valid(limit, out, n))
		return -EINVAL;
	return st_list_in_tenant(st,
				 "SELECT " NETWORK_COLS " FROM networks "
				 "WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
				 tenant_id, after, limit, sizeof(**out), network_row, (void **)out,
				 n);
}

int skap_network_update(struct skap_store *st, const char *actor, const struct skap_network *in)
{
	struct skap_network cur;
	sqlite3_stmt *s;
	int err;

	if (!st || !st_actor_valid(actor) || !in || in->id <= 0 || !network_fields_valid(in))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_network_get(st, in->id, &cur);
	/* Devices land in "default" when their group names no network. */
	if (!err && !strcmp(cur.name, "default") && strcmp(in->name, "default"))
		err = -EPERM;
	if (!err)
		err = st_prep(st, "UPDATE networks SET name = ?, description = ? WHERE id = ?", &s);
	if (!err) {
		sqlite3_bind_text(s, 1, in->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, in->description, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 3, in->id);
		err = st_step_done(st, s);
	}
	if (!err)
		err = st_audit_insert(st, cur.tenant_id, actor, "network.update", in->name,
				      strcmp(cur.name, in->name) ? cur.name : "");
	return st_tx_end(st, err);
}

int skap_network_delete(struct skap_store *st, const char *actor, int64_t id)
{
	static const char *const users[] = {
		"SELECT count(*) FROM devices WHERE network_id = ?",
		"SELECT count(*) FROM dev_groups WHERE network_id = ?",
		"SELECT count(*) FROM peerings WHERE state IN (0, 1) AND "
		"(network_id = ?1 OR peer_network_id = ?1)",
		NULL,
	};
	struct skap_network n;
	int err;

	if (!st || !st_actor_valid(actor) || id <= 0)
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_network_get(st, id, &n);
	if (!err && !strcmp(n.name, "default"))
		err = -EPERM;
	if (!err)
		err = none_use(st, users, id);
	if (!err)
		err = delete_row(st, "DELETE FROM networks WHERE id = ?", id);
	if (!err)
		err = st_audit_insert(st, n.tenant_id, actor, "network.delete", n.name, "");
	return st_tx_end(st, err);
}

/* ---- groups ---- */

/* A JSON object of at most SKAP_GROUP_CONFIG_MAX bytes ("" stands for {}). */
static int config_valid(const char *config)
{
	json_t *o;
	int ok;

	if (!config || strnlen(config, SKAP_GROUP_CONFIG_MAX + 1) > SKAP_GROUP_CONFIG_MAX)
		return 0;
	if (!*config)
		return 1;
	o = json_loads(config, JSON_REJECT_DUPLICATES, NULL);
	ok = json_is_object(o);
	json_decref(o);
	return ok;
}

static int group_fields_valid(const struct skap_group *g)
{
	return skap_store_name_valid(g->name) && g->network_id >= 0 && config_valid(g->config);
}

/* NETWORK_ID (0: none) must be a network of TENANT_ID. */
static int network_in_tenant(struct skap_store *st, int64_t network_id, int64_t tenant_id)
{
	struct skap_network n;
	int err;

	if (!network_id)
		return 0;
	err = skap_network_get(st, network_id, &n);
	return err ? err : n.tenant_id == tenant_id ? 0 : -ENOENT;
}

static void group_bind(sqlite3_stmt *s, const struct skap_group *g)
{
	sqlite3_bind_text(s, 1, g->name, -1, SQLITE_TRANSIENT);
	if (g->network_id)
		sqlite3_bind_int64(s, 2, g->network_id);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_text(s, 3, g->config[0] ? g->config : "{}", -1, SQLITE_TRANSIENT);
}

int skap_group_create(struct skap_store *st, const char *actor, const struct skap_group *in,
		      int64_t *id)
{
	struct skap_tenant t;
	sqlite3_stmt *s;
	int64_t gid = 0;
	int err;

	if (!st || !st_actor_valid(actor) || !in || in->tenant_id <= 0 || !group_fields_valid(in))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_tenant_get(st, in->tenant_id, &t);
	if (!err)
		err = network_in_tenant(st, in->network_id, in->tenant_id);
	if (!err)
		err = st_prep(
			st,
			"INSERT INTO dev_groups(name, network_id, config, tenant_id, created) "
			"VALUES (?, ?, ?, ?, ?)",
			&s);
	if (!err) {
		group_bind(s, in);
		sqlite3_bind_int64(s, 4, in->tenant_id);
		sqlite3_bind_int64(s, 5, st_now());
		err = st_step_done(st, s);
	}
	if (!err) {
		gid = sqlite3_last_insert_rowid(st->db);
		err = st_audit_insert(st, in->tenant_id, actor, "group.create", in->name, "");
	}
	err = st_tx_end(st, err);
	if (!err && id)
		*id = gid;
	return err;
}

int skap_group_update(struct skap_store *st, const char *actor, const struct skap_group *in)
{
	struct skap_group cur;
	sqlite3_stmt *s;
	int err;

	if (!st || !st_actor_valid(actor) || !in || in->id <= 0 || !group_fields_valid(in))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_group_get(st, in->id, &cur);
	/* Bootstrap keys and user enrollments fall back to "default" by name. */
	if (!err && !strcmp(cur.name, "default") && strcmp(in->name, "default"))
		err = -EPERM;
	if (!err)
		err = network_in_tenant(st, in->network_id, cur.tenant_id);
	if (!err)
		err = st_prep(st,
			      "UPDATE dev_groups SET name = ?, network_id = ?, config = ? "
			      "WHERE id = ?",
			      &s);
	if (!err) {
		group_bind(s, in);
		sqlite3_bind_int64(s, 4, in->id);
		err = st_step_done(st, s);
	}
	if (!err)
		err = st_audit_insert(st, cur.tenant_id, actor, "group.update", in->name,
				      strcmp(cur.name, in->name) ? cur.name : "");
	return st_tx_end(st, err);
}

int skap_group_delete(struct skap_store *st, const char *actor, int64_t id)
{
	static const char *const users[] = {
		"SELECT count(*) FROM devices WHERE group_id = ?",
		"SELECT count(*) FROM bootstrap_keys WHERE group_id = ?",
		NULL,
	};
	struct skap_group g;
	int err;

	if (!st || !st_actor_valid(actor) || id <= 0)
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_group_get(st, id, &g);
	if (!err && !strcmp(g.name, "default"))
		err = -EPERM;
	if (!err)
		err = none_use(st, users, id);
	if (!err)
		err = delete_row(st, "DELETE FROM dev_groups WHERE id = ?", id);
	if (!err)
		err = st_audit_insert(st, g.tenant_id, actor, "group.delete", g.name, "");
	return st_tx_end(st, err);
}

/* ---- peerings ---- */

static const char *const peering_states[SKAP_PEERING__COUNT] = {
	[SKAP_PEERING_REQUESTED] = "requested",
	[SKAP_PEERING_ACTIVE] = "active",
	[SKAP_PEERING_REJECTED] = "rejected",
	[SKAP_PEERING_ENDED] = "ended",
};

const char *skap_peering_state_name(enum skap_peering_state state)
{
	return (unsigned int)state < SKAP_PEERING__COUNT ? peering_states[state] : NULL;
}

#define PEERING_COLS                                                                               \
	"p.id, p.tenant_id, p.network_id, p.peer_tenant_id, p.peer_network_id, p.state, "          \
	"p.requested_by, p.created, p.accepted, p.ended, "                                         \
	"(SELECT name FROM tenants WHERE id = p.tenant_id), "                                      \
	"(SELECT name FROM networks WHERE id = p.network_id), "                                    \
	"(SELECT name FROM tenants WHERE id = p.peer_tenant_id), "                                 \
	"(SELECT name FROM networks WHERE id = p.peer_network_id)"

static void peering_row(sqlite3_stmt *s, void *item)
{
	struct skap_peering *p = item;

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(s, 0);
	p->tenant_id = sqlite3_column_int64(s, 1);
	p->network_id = sqlite3_column_int64(s, 2);
	p->peer_tenant_id = sqlite3_column_int64(s, 3);
	p->peer_network_id = sqlite3_column_int64(s, 4);
	p->state = sqlite3_column_int(s, 5);
	st_col_text(s, 6, p->requested_by, sizeof(p->requested_by));
	p->created = sqlite3_column_int64(s, 7);
	p->accepted = sqlite3_column_int64(s, 8);
	p->ended = sqlite3_column_int64(s, 9);
	st_col_text(s, 10, p->tenant, sizeof(p->tenant));
	st_col_text(s, 11, p->network, sizeof(p->network));
	st_col_text(s, 12, p->peer_tenant, sizeof(p->peer_tenant));
	st_col_text(s, 13, p->peer_network, sizeof(p->peer_network));
}

int skap_peering_get(struct skap_store *st, int64_t id, struct skap_peering *p)
{
	if (!st || !p || id <= 0)
		return -EINVAL;
	return st_row_by_id(st, "SELECT " PEERING_COLS " FROM peerings p WHERE p.id = ?", id,
			    peering_row, p);
}

int skap_peering_list(struct skap_store *st, int64_t tenant_id, int64_t after, size_t limit,
		      struct skap_peering **out, size_t *n)
{
	if (!st || tenant_id <= 0 || after < 0 || !st_list_args_valid(limit, out, n))
		return -EINVAL;
	return st_list_in_tenant(st,
				 "SELECT " PEERING_COLS " FROM peerings p "
				 "WHERE (p.tenant_id = ?1 OR p.peer_tenant_id = ?1) AND p.id > ?2 "
				 "ORDER BY p.id LIMIT ?3",
				 tenant_id, after, limit, sizeof(**out), peering_row, (void **)out,
				 n);
}

/* The audit record of a peering step, in both tenants. */
static int peering_audit(struct skap_store *st, const char *actor, const char *action,
			 const struct skap_peering *p)
{
	char object[SKAP_NAME_MAX + 32], detail[SKAP_DESC_MAX + 1];
	int err;

	snprintf(object, sizeof(object), "peering %lld", (long long)p->id);
	/* Names are 64 bytes at most; the detail keeps the first 60 of each. */
	snprintf(detail, sizeof(detail), "%.60s/%.60s with %.60s/%.60s", p->tenant, p->network,
		 p->peer_tenant, p->peer_network);
	err = st_audit_insert(st, p->tenant_id, actor, action, object, detail);
	if (!err)
		err = st_audit_insert(st, p->peer_tenant_id, actor, action, object, detail);
	return err;
}

/* Inside a transaction: the two networks of a request, by name. */
static int peering_sides(struct skap_store *st, int64_t tenant_id, const char *network,
			 const char *peer_tenant, const char *peer_network, struct skap_network *a,
			 struct skap_network *b)
{
	struct skap_tenant t;
	int err;

	err = skap_network_by_name(st, tenant_id, network, a);
	if (!err)
		err = skap_tenant_by_name(st, peer_tenant, &t);
	if (!err && t.id == tenant_id)
		return -EINVAL;
	if (!err)
		err = skap_network_by_name(st, t.id, peer_network, b);
	return err;
}

int skap_peering_request(struct skap_store *st, const char *actor, int64_t tenant_id,
			 const char *network, const char *peer_tenant, const char *peer_network,
			 int64_t *id)
{
	struct skap_network a, b;
	struct skap_peering p;
	sqlite3_stmt *s;
	int64_t pid = 0;
	int err;

	if (!st || !st_actor_valid(actor) || tenant_id <= 0 || !skap_store_name_valid(network))
		return -EINVAL;
	/* Names that cannot exist are unknown, like names that do not. */
	if (!skap_store_name_valid(peer_tenant) || !skap_store_name_valid(peer_network))
		return -ENOENT;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = peering_sides(st, tenant_id, network, peer_tenant, peer_network, &a, &b);
	if (!err)
		err = st_prep(st,
			      "INSERT INTO peerings(tenant_id, network_id, peer_tenant_id, "
			      "peer_network_id, state, requested_by, created) "
			      "VALUES (?, ?, ?, ?, 0, ?, ?)",
			      &s);
	if (!err) {
		sqlite3_bind_int64(s, 1, tenant_id);
		sqlite3_bind_int64(s, 2, a.id);
		sqlite3_bind_int64(s, 3, b.tenant_id);
		sqlite3_bind_int64(s, 4, b.id);
		sqlite3_bind_text(s, 5, actor, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 6, st_now());
		err = st_step_done(st, s);
	}
	if (!err) {
		pid = sqlite3_last_insert_rowid(st->db);
		err = skap_peering_get(st, pid, &p);
	}
	if (!err)
		err = peering_audit(st, actor, "peering.request", &p);
	err = st_tx_end(st, err);
	if (!err && id)
		*id = pid;
	return err;
}

/* Moves peering ID from a state in FROM (a bit mask) to TO: SQL binds the
 * state, the time it stamps and the id. */
static int peering_move(struct skap_store *st, int64_t id, unsigned int from,
			enum skap_peering_state to, const char *sql)
{
	struct skap_peering p;
	sqlite3_stmt *s;
	int err;

	err = skap_peering_get(st, id, &p);
	if (!err && !(from & (1u << p.state)))
		err = -EPERM;
	if (!err)
		err = st_prep(st, sql, &s);
	if (err)
		return err;
	sqlite3_bind_int(s, 1, to);
	sqlite3_bind_int64(s, 2, st_now());
	sqlite3_bind_int64(s, 3, id);
	return st_step_done(st, s);
}

int skap_peering_answer(struct skap_store *st, const char *actor, int64_t tenant_id, int64_t id,
			int accept)
{
	struct skap_peering p;
	int err;

	if (!st || !st_actor_valid(actor) || tenant_id <= 0 || id <= 0 ||
	    (accept != 0 && accept != 1))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_peering_get(st, id, &p);
	if (!err && p.tenant_id == tenant_id)
		err = -EACCES;
	else if (!err && p.peer_tenant_id != tenant_id)
		err = -ENOENT;
	if (!err)
		err = peering_move(
			st, id, 1u << SKAP_PEERING_REQUESTED,
			accept ? SKAP_PEERING_ACTIVE : SKAP_PEERING_REJECTED,
			accept ? "UPDATE peerings SET state = ?, accepted = ? WHERE id = ?"
			       : "UPDATE peerings SET state = ?, ended = ? WHERE id = ?");
	if (!err)
		err = peering_audit(st, actor, accept ? "peering.accept" : "peering.reject", &p);
	return st_tx_end(st, err);
}

int skap_peering_end(struct skap_store *st, const char *actor, int64_t tenant_id, int64_t id)
{
	struct skap_peering p;
	int err;

	if (!st || !st_actor_valid(actor) || tenant_id <= 0 || id <= 0)
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_peering_get(st, id, &p);
	if (!err && p.tenant_id != tenant_id && p.peer_tenant_id != tenant_id)
		err = -ENOENT;
	if (!err)
		err = peering_move(st, id, 1u << SKAP_PEERING_REQUESTED | 1u << SKAP_PEERING_ACTIVE,
				   SKAP_PEERING_ENDED,
				   "UPDATE peerings SET state = ?, ended = ? WHERE id = ?");
	if (!err)
		err = peering_audit(st, actor, "peering.end", &p);
	return st_tx_end(st, err);
}

/* ---- key policy ---- */

/* 1 when networks A and B are one, or joined by an active peering; 0; -EIO. */
static int reachable(struct skap_store *st, int64_t a, int64_t b)
{
	sqlite3_stmt *s;
	int rc;

	if (a == b)
		return 1;
	if (st_prep(st,
		    "SELECT 1 FROM peerings WHERE state = 1 AND "
		    "((network_id = ?1 AND peer_network_id = ?2) OR "
		    "(network_id = ?2 AND peer_network_id = ?1)) LIMIT 1",
		    &s))
		return -EIO;
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -EIO;
}

int skap_key_policy(struct skap_store *st, const struct skap_device *a, const struct skap_device *b,
		    enum skap_key_refusal *why)
{
	int r;

	if (!st || !a || !b || !why)
		return -EINVAL;
	*why = SKAP_KEY_ALLOWED;
	if (a->state != SKAP_DEVICE_APPROVED)
		*why = SKAP_KEY_NOT_APPROVED;
	else if (a->role == SKAP_DEVICE_RESPONDER)
		*why = SKAP_KEY_ROLE_INITIATE;
	if (*why)
		return -EPERM;
	r = reachable(st, a->network_id, b->network_id);
	if (r < 0)
		return r;
	if (!r)
		*why = SKAP_KEY_NO_PATH;
	else if (b->state != SKAP_DEVICE_APPROVED)
		*why = SKAP_KEY_PEER_NOT_APPROVED;
	else if (b->role == SKAP_DEVICE_INITIATOR)
		*why = SKAP_KEY_ROLE_RESPOND;
	return *why ? -EPERM : 0;
}
