// SPDX-License-Identifier: GPL-2.0
/*
 * Devices, QKEYs and tenant CAs in the SQLite back end of <skap/store.h>.
 * Secrets (DMKs, QKEYs, CA keys) are sealed at rest with st_seal, bound to
 * their row; every mutation and its audit record share one transaction.
 */

#include <skap/crypto.h>
#include <skap/hex.h>
#include <skap/store.h>

#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEALED(n) (SKAP_AEAD_NONCE_LEN + (n) + SKAP_AEAD_TAG_LEN)

static const char *const state_names[SKAP_DEVICE__COUNT] = {
	[SKAP_DEVICE_PENDING] = "pending",
	[SKAP_DEVICE_APPROVED] = "approved",
	[SKAP_DEVICE_REJECTED] = "rejected",
	[SKAP_DEVICE_REVOKED] = "revoked",
};

const char *skap_device_state_name(enum skap_device_state state)
{
	return (unsigned int)state < SKAP_DEVICE__COUNT ? state_names[state] : NULL;
}

int skap_device_state_parse(const char *s, enum skap_device_state *state)
{
	int i = st_name_index(state_names, SKAP_DEVICE__COUNT, s);

	if (i < 0)
		return -EINVAL;
	*state = (enum skap_device_state)i;
	return 0;
}

static const char *const role_names[SKAP_DEVICE_ROLE__COUNT] = {
	[SKAP_DEVICE_GATEWAY] = "gateway",
	[SKAP_DEVICE_INITIATOR] = "initiator",
	[SKAP_DEVICE_RESPONDER] = "responder",
};

const char *skap_device_role_name(enum skap_device_role role)
{
	return (unsigned int)role < SKAP_DEVICE_ROLE__COUNT ? role_names[role] : NULL;
}

int skap_device_role_parse(const char *s, enum skap_device_role *role)
{
	int i = st_name_index(role_names, SKAP_DEVICE_ROLE__COUNT, s);

	if (i < 0)
		return -EINVAL;
	*role = (enum skap_device_role)i;
	return 0;
}

/* 1..64 of [A-Za-z0-9._-]: device ids and QKEY ids (as on the SKAP wire). */
static int id_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > SKAP_DEVICE_ID_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

#define DEVICE_COLS                                                                                \
	"id, tenant_id, group_id, state, reason, method, public_key, fingerprint, report, "        \
	"enrolled_by, enrolled, approved, last_seen, last_addr, clone_attempts, cert_expires, "    \
	"network_id, name, role, rebind, "                                                         \
	"(SELECT name FROM dev_groups WHERE id = devices.group_id), "                              \
	"(SELECT name FROM networks WHERE id = devices.network_id)"

static void device_row(sqlite3_stmt *s, void *item)
{
	struct skap_device *d = item;

	memset(d, 0, sizeof(*d));
	st_col_text(s, 0, d->id, sizeof(d->id));
	d->tenant_id = sqlite3_column_int64(s, 1);
	d->group_id = sqlite3_column_int64(s, 2);
	d->state = sqlite3_column_int(s, 3);
	st_col_text(s, 4, d->reason, sizeof(d->reason));
	st_col_text(s, 5, d->method, sizeof(d->method));
	if (sqlite3_column_bytes(s, 6) == SKAP_DEVICE_PUB_LEN)
		memcpy(d->public_key, sqlite3_column_blob(s, 6), SKAP_DEVICE_PUB_LEN);
	st_col_text(s, 7, d->fingerprint, sizeof(d->fingerprint));
	st_col_text(s, 8, d->report, sizeof(d->report));
	st_col_text(s, 9, d->enrolled_by, sizeof(d->enrolled_by));
	d->enrolled = sqlite3_column_int64(s, 10);
	d->approved = sqlite3_column_int64(s, 11);
	d->last_seen = sqlite3_column_int64(s, 12);
	st_col_text(s, 13, d->last_addr, sizeof(d->last_addr));
	d->clone_attempts = sqlite3_column_int64(s, 14);
	d->cert_expires = sqlite3_column_int64(s, 15);
	d->network_id = sqlite3_column_int64(s, 16);
	st_col_text(s, 17, d->name, sizeof(d->name));
	d->role = sqlite3_column_int(s, 18);
	d->rebind = sqlite3_column_int(s, 19);
	st_col_text(s, 20, d->group, sizeof(d->group));
	st_col_text(s, 21, d->network, sizeof(d->network));
}

int skap_device_get(struct skap_store *st, const char *id, struct skap_device *d)
{
	sqlite3_stmt *s;
	int err;

	if (!st || !d || !id_valid(id))
		return -EINVAL;
	err = st_get(st, "SELECT " DEVICE_COLS " FROM devices WHERE id = ?", &s);
	if (err)
		return err;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	return st_get_one(st, s, device_row, d);
}

static int device_by_key(struct skap_store *st, const uint8_t *pub, struct skap_device *d)
{
	sqlite3_stmt *s;
	int err = st_get(st, "SELECT " DEVICE_COLS " FROM devices WHERE public_key = ?", &s);

	if (err)
		return err;
	sqlite3_bind_blob(s, 1, pub, SKAP_DEVICE_PUB_LEN, SQLITE_TRANSIENT);
	return st_get_one(st, s, device_row, d);
}

/* The DMK of device ID, opened (inside or outside a transaction). */
static int dmk_of(struct skap_store *st, const char *id, uint8_t dmk[SKAP_DEVICE_DMK_LEN])
{
	sqlite3_stmt *s;
	int err = st_get(st, "SELECT dmk FROM devices WHERE id = ?", &s);

	if (err)
		return err;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_ROW)
		err = -ENOENT;
	else if (sqlite3_column_bytes(s, 0) != SEALED(SKAP_DEVICE_DMK_LEN))
		err = -EIO;
	else
		err = st_open(st, "dmk", id, sqlite3_column_blob(s, 0),
			      SEALED(SKAP_DEVICE_DMK_LEN), dmk);
	st_put(st, s);
	return err;
}

int skap_device_dmk(struct skap_store *st, const char *id, uint8_t dmk[SKAP_DEVICE_DMK_LEN])
{
	if (!st || !dmk || !id_valid(id))
		return -EINVAL;
	return dmk_of(st, id, dmk);
}

#define DEVICE_BRIEF_COLS                                                                          \
	"id, tenant_id, group_id, network_id, state, role, public_key, last_seen, last_addr, "     \
	"cert_expires, dmk"

int skap_device_get_brief(struct skap_store *st, const char *id, struct skap_device *d,
			  uint8_t dmk[SKAP_DEVICE_DMK_LEN])
{
	sqlite3_stmt *s;
	int err;

	if (!st || !d || !dmk || !id_valid(id))
		return -EINVAL;
	err = st_get(st, "SELECT " DEVICE_BRIEF_COLS " FROM devices WHERE id = ?", &s);
	if (err)
		return err;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_ROW) {
		err = -ENOENT;
		goto out;
	}
	if (sqlite3_column_bytes(s, 10) != SEALED(SKAP_DEVICE_DMK_LEN)) {
		err = -EIO;
		goto out;
	}
	memset(d, 0, sizeof(*d));
	st_col_text(s, 0, d->id, sizeof(d->id));
	d->tenant_id = sqlite3_column_int64(s, 1);
	d->group_id = sqlite3_column_int64(s, 2);
	d->network_id = sqlite3_column_int64(s, 3);
	d->state = sqlite3_column_int(s, 4);
	d->role = sqlite3_column_int(s, 5);
	if (sqlite3_column_bytes(s, 6) == SKAP_DEVICE_PUB_LEN)
		memcpy(d->public_key, sqlite3_column_blob(s, 6), SKAP_DEVICE_PUB_LEN);
	d->last_seen = sqlite3_column_int64(s, 7);
	st_col_text(s, 8, d->last_addr, sizeof(d->last_addr));
	d->cert_expires = sqlite3_column_int64(s, 9);
	err = st_open(st, "dmk", d->id, sqlite3_column_blob(s, 10), SEALED(SKAP_DEVICE_DMK_LEN),
		      dmk);
out:
	st_put(st, s);
	return err;
}

/* A clone attempt on D: counted and audited in its own transaction. */
static int clone_attempt(struct skap_store *st, const struct skap_device *d, const char *source)
{
	sqlite3_stmt *s;
	int err = st_tx_begin(st);

	if (err)
		return err;
	err = st_prep(st, "UPDATE devices SET clone_attempts = clone_attempts + 1 WHERE id = ?",
		      &s);
	if (!err) {
		sqlite3_bind_text(s, 1, d->id, -1, SQLITE_TRANSIENT);
		err = st_step_done(st, s);
	}
	if (!err)
		err = st_audit_insert(st, d->tenant_id, "system:enroll", "device.clone_attempt",
				      d->id, source ? source : "");
	return st_tx_end(st, err);
}

/* Consumes QKEY_ID for TENANT (and device NAME when it is bound). Inside a transaction. */
static int qkey_consume(struct skap_store *st, const char *qkey_id, int64_t tenant,
			const char *name)
{
	sqlite3_stmt *s;
	int rc, err = st_get(st, "UPDATE qkeys SET used = ? WHERE qkey_id = ? AND used = 0 "
				  "AND tenant_id = ? AND (expires = 0 OR expires > ?) "
				  "AND (device_name = '' OR device_name = ?) RETURNING id",
			      &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, st_now());
	sqlite3_bind_text(s, 2, qkey_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, tenant);
	sqlite3_bind_int64(s, 4, st_now());
	sqlite3_bind_text(s, 5, name ? name : "", -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	err = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -EACCES : -EIO;
	st_put(st, s);
	return err;
}

static int enroll_in_valid(const struct skap_enroll_in *in)
{
	return in && in->method && in->public_key && in->fingerprint && in->report &&
	       strlen(in->method) < 16 && strlen(in->fingerprint) < 64 &&
	       strlen(in->report) <= SKAP_DEVICE_REPORT_MAX &&
	       !!in->bootstrap_key != !!(in->user_id > 0) && (!in->qkey_id || id_valid(in->qkey_id));
}

/* Where a device enrolled into GROUP lands: the tenant's network GID names, or "default". */
static int group_network(struct skap_store *st, int64_t tenant, int64_t group, int64_t *net)
{
	struct skap_network n;
	struct skap_group g;
	int err = skap_group_get(st, group, &g);

	if (!err && g.network_id) {
		*net = g.network_id;
		return 0;
	}
	if (!err)
		err = skap_network_by_name(st, tenant, "default", &n);
	if (!err)
		*net = n.id;
	return err;
}

/* NAME when it is a valid name no other device of TENANT has; NULL otherwise. */
static const char *name_if_free(struct skap_store *st, int64_t tenant, const char *name)
{
	sqlite3_stmt *s;
	int rc;

	if (!skap_store_name_valid(name) ||
	    st_get(st, "SELECT 1 FROM devices WHERE tenant_id = ? AND name = ?", &s))
		return NULL;
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	st_put(st, s);
	return rc == SQLITE_DONE ? name : NULL;
}

/* Inside a transaction: the new device's row and audit record. */
static int device_insert(struct skap_store *st, const struct skap_enroll_in *in, int64_t tenant,
			 int64_t group, int approved, const char *by, const char *name,
			 struct skap_device *out, uint8_t dmk[SKAP_DEVICE_DMK_LEN])
{
	uint8_t rnd[8], sealed[SEALED(SKAP_DEVICE_DMK_LEN)];
	char id[SKAP_DEVICE_ID_MAX + 1];
	sqlite3_stmt *s;
	int64_t net;
	int err;

	err = group_network(st, tenant, group, &net);
	if (!err)
		err = skap_random(rnd, sizeof(rnd));
	if (!err)
		err = skap_random(dmk, SKAP_DEVICE_DMK_LEN);
	if (err)
		return err;
	name = name_if_free(st, tenant, name);
	memcpy(id, "gw-", 3);
	skap_hex_encode(rnd, sizeof(rnd), id + 3);
	err = st_seal(st, "dmk", id, dmk, SKAP_DEVICE_DMK_LEN, sealed);
	if (err)
		return err;
	err = st_get(st,
		     "INSERT INTO devices(id, tenant_id, group_id, state, method, "
		     "public_key, fingerprint, report, enrolled_by, dmk, enrolled, approved, "
		     "last_seen, last_addr, network_id, name) "
		     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		     &s);
	if (err)
		return err;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, tenant);
	sqlite3_bind_int64(s, 3, group);
	sqlite3_bind_int(s, 4, approved ? SKAP_DEVICE_APPROVED : SKAP_DEVICE_PENDING);
	sqlite3_bind_text(s, 5, in->method, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 6, in->public_key, SKAP_DEVICE_PUB_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, in->fingerprint, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 8, in->report, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 9, by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 10, sealed, sizeof(sealed), SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 11, st_now());
	sqlite3_bind_int64(s, 12, approved ? st_now() : 0);
	sqlite3_bind_int64(s, 13, st_now());
	sqlite3_bind_text(s, 14, in->source ? in->source : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 15, net);
	if (name)
		sqlite3_bind_text(s, 16, name, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 16);
	err = st_step_done(st, s);
	if (!err)
		err = st_audit_insert(st, tenant, by, "device.enroll", id,
				      approved ? "approved (auto-accept)" : "pending");
	if (!err)
		err = skap_device_get(st, id, out);
	return err;
}

/*
 * Inside a transaction: device OLD, rebound by an administrator, enrolls
 * its key again. It keeps its id, name, group, network and role; it gets a
 * fresh DMK, loses its certificate and waits for approval again.
 */
static int device_reenroll(struct skap_store *st, const struct skap_enroll_in *in,
			   const struct skap_device *old, const char *by, struct skap_device *out,
			   uint8_t dmk[SKAP_DEVICE_DMK_LEN])
{
	uint8_t sealed[SEALED(SKAP_DEVICE_DMK_LEN)];
	sqlite3_stmt *s;
	int err;

	err = skap_random(dmk, SKAP_DEVICE_DMK_LEN);
	if (!err)
		err = st_seal(st, "dmk", old->id, dmk, SKAP_DEVICE_DMK_LEN, sealed);
	if (!err)
		err = st_prep(st,
			      "UPDATE devices SET state = 0, reason = '', method = ?, "
			      "report = ?, enrolled_by = ?, dmk = ?, cert = NULL, "
			      "cert_expires = 0, enrolled = ?, approved = 0, last_seen = ?, "
			      "last_addr = ?, rebind = 0 WHERE id = ? AND rebind = 1",
			      &s);
	if (err)
		return err;
	sqlite3_bind_text(s, 1, in->method, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, in->report, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 4, sealed, sizeof(sealed), SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, st_now());
	sqlite3_bind_int64(s, 6, st_now());
	sqlite3_bind_text(s, 7, in->source ? in->source : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 8, old->id, -1, SQLITE_TRANSIENT);
	err = st_step_done(st, s);
	if (!err && sqlite3_changes(st->db) != 1)
		err = -EIO;
	if (!err)
		err = st_audit_insert(st, old->tenant_id, by, "device.reenroll", old->id,
				      "pending (rebound by an administrator)");
	if (!err)
		err = skap_device_get(st, old->id, out);
	return err;
}

int skap_device_enroll(struct skap_store *st, const struct skap_enroll_in *in, const char *name,
		       struct skap_device *out, uint8_t dmk[SKAP_DEVICE_DMK_LEN], int *fresh)
{
	struct skap_device old;
	struct skap_bkey k = { 0 };
	struct skap_user u = { 0 };
	char by[SKAP_NAME_MAX + 16];
	int64_t tenant, group;
	int err, approved = 0;

	if (!st || !out || !dmk || !fresh || !enroll_in_valid(in))
		return -EINVAL;
	*fresh = 0;
	memset(out, 0, sizeof(*out));
	err = st_tx_begin(st);
	if (err)
		return err;
	if (in->bootstrap_key) {
		err = st_bkey_take(st, in->bootstrap_key, st_now(), &k);
		tenant = k.tenant_id;
		group = k.group_id;
		approved = k.auto_accept;
		snprintf(by, sizeof(by), "bootstrap_key:%s", k.name);
	} else {
		struct skap_group g;

		err = skap_user_get(st, in->user_id, &u);
		tenant = u.tenant_id;
		if (!err)
			err = skap_group_by_name(st, tenant, "default", &g);
		group = g.id;
		snprintf(by, sizeof(by), "user:%s", u.name);
	}
	if (err == -ENOENT || err == -EINVAL)
		err = -EACCES;
	if (!err && in->require_ota_tls) {
		struct skap_tenant t;

		err = skap_tenant_get(st, tenant, &t);
		if (!err && !t.ota_tls)
			err = -EPERM;
	}
	if (!err && in->qkey_id)
		err = qkey_consume(st, in->qkey_id, tenant, name);
	if (!err && !device_by_key(st, in->public_key, &old)) {
		if (old.rebind && old.tenant_id == tenant) {
			err = device_reenroll(st, in, &old, by, out, dmk);
			*fresh = !err;
			goto end;
		}
		/* Asked again: the same key, tenant and method, still pending. */
		if (old.tenant_id == tenant && old.state == SKAP_DEVICE_PENDING &&
		    !strcmp(old.method, in->method) && !strcmp(old.enrolled_by, by)) {
			*out = old;
			err = dmk_of(st, old.id, dmk);
			/* Nothing to write: the use of the credential is not taken twice. */
			st_tx_end(st, -ECANCELED);
			return err;
		}
		st_tx_end(st, -ECANCELED);
		clone_attempt(st, &old, in->source);
		return -EADDRINUSE;
	}
	if (!err) {
		err = device_insert(st, in, tenant, group, approved, by, name, out, dmk);
		*fresh = !err;
	}
end:
	err = st_tx_end(st, err);
	if (err) {
		skap_wipe(dmk, SKAP_DEVICE_DMK_LEN);
		memset(out, 0, sizeof(*out));
	}
	return err;
}

int skap_device_list(struct skap_store *st, int64_t tenant_id, int state, const char *after,
		     size_t limit, struct skap_device **out, size_t *n)
{
	sqlite3_stmt *s;
	int err;

	if (!st || !st_list_args_valid(limit, out, n) || state >= SKAP_DEVICE__COUNT ||
	    (after && *after && !id_valid(after)))
		return -EINVAL;
	err = st_prep(st, "SELECT " DEVICE_COLS " FROM devices WHERE tenant_id = ? "
			  "AND (? < 0 OR state = ?) AND id > ? ORDER BY id LIMIT ?",
		      &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, tenant_id);
	sqlite3_bind_int(s, 2, state);
	sqlite3_bind_int(s, 3, state);
	sqlite3_bind_text(s, 4, after ? after : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, (int64_t)limit);
	return st_list_run(st, s, sizeof(**out), limit, device_row, (void **)out, n);
}

int skap_device_set_state(struct skap_store *st, const char *actor, const char *id,
			  enum skap_device_state state, const char *reason)
{
	static const char *const actions[SKAP_DEVICE__COUNT] = {
		[SKAP_DEVICE_APPROVED] = "device.approve",
		[SKAP_DEVICE_REJECTED] = "device.reject",
		[SKAP_DEVICE_REVOKED] = "device.revoke",
	};
	struct skap_device d;
	sqlite3_stmt *s;
	int from, err;

	if (!st || !st_actor_valid(actor) || !id_valid(id) || state == SKAP_DEVICE_PENDING ||
	    (unsigned int)state >= SKAP_DEVICE__COUNT || !reason ||
	    !st_text_valid(reason, SKAP_DESC_MAX))
		return -EINVAL;
	from = state == SKAP_DEVICE_REVOKED ? SKAP_DEVICE_APPROVED : SKAP_DEVICE_PENDING;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_device_get(st, id, &d);
	if (!err && d.state != (enum skap_device_state)from)
		err = -EPERM;
	if (!err)
		err = st_prep(st, "UPDATE devices SET state = ?, reason = ?, "
				  "approved = CASE WHEN ? = 1 THEN ? ELSE approved END WHERE id = ?",
			      &s);
	if (!err) {
		sqlite3_bind_int(s, 1, state);
		sqlite3_bind_text(s, 2, reason, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(s, 3, state);
		sqlite3_bind_int64(s, 4, st_now());
		sqlite3_bind_text(s, 5, id, -1, SQLITE_TRANSIENT);
		err = st_step_done(st, s);
	}
	if (!err)
		err = st_audit_insert(st, d.tenant_id, actor, actions[state], id, reason);
	return st_tx_end(st, err);
}

int skap_device_set_certificate(struct skap_store *st, const char *id, const char *pem,
				int64_t expires)
{
	sqlite3_stmt *s;
	int err;

	if (!st || !id_valid(id) || !pem || expires <= 0)
		return -EINVAL;
	err = st_get(st, "UPDATE devices SET cert = ?, cert_expires = ? WHERE id = ?", &s);
	if (err)
		return err;
	sqlite3_bind_text(s, 1, pem, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, expires);
	sqlite3_bind_text(s, 3, id, -1, SQLITE_TRANSIENT);
	err = st_step_done(st, s);
	return err ? err : sqlite3_changes(st->db) ? 0 : -ENOENT;
}

/* A TEXT column of one row as a malloc'd string; -ENOENT for no row or NULL. */
static int text_of(struct skap_store *st, const char *sql, const char *key, int64_t ikey,
		   char **out)
{
	sqlite3_stmt *s;
	int err = st_get(st, sql, &s);

	*out = NULL;
	if (err)
		return err;
	if (key)
		sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(s, 1, ikey);
	err = -ENOENT;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_TEXT) {
		*out = strdup((const char *)sqlite3_column_text(s, 0));
		err = *out ? 0 : -ENOMEM;
	}
	st_put(st, s);
	return err;
}

int skap_device_certificate(struct skap_store *st, const char *id, char **pem)
{
	if (!st || !pem || !id_valid(id))
		return -EINVAL;
	return text_of(st, "SELECT cert FROM devices WHERE id = ?", id, 0, pem);
}

int skap_device_seen(struct skap_store *st, const char *id, const char *addr)
{
	sqlite3_stmt *s;
	int err;

	if (!st || !id_valid(id) || !addr || strlen(addr) >= 64)
		return -EINVAL;
	err = st_get(st, "UPDATE devices SET last_seen = ?, last_addr = ? WHERE id = ?", &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, st_now());
	sqlite3_bind_text(s, 2, addr, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, id, -1, SQLITE_TRANSIENT);
	return st_step_done(st, s);
}

/* ---- administration ---- */

/* ID (0: none) must name a row of TABLE in TENANT: 0 or -ENOENT. */
static int row_in_tenant(struct skap_store *st, const char *sql, int64_t id, int64_t tenant)
{
	sqlite3_stmt *s;
	int rc;

	if (!id)
		return 0;
	if (st_prep(st, sql, &s))
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, tenant);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

static int change_valid(const struct skap_device_change *c)
{
	return c && (!c->name || skap_store_name_valid(c->name)) && c->group_id >= 0 &&
	       c->network_id >= 0 && c->role < SKAP_DEVICE_ROLE__COUNT;
}

/* The audit detail of a change: what it sets (at most about 150 bytes). */
static void change_detail(const struct skap_device_change *c, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	if (c->name)
		n += (size_t)snprintf(out + n, size - n, "name %s ", c->name);
	if (c->role >= 0)
		n += (size_t)snprintf(out + n, size - n, "role %s ",
				      skap_device_role_name(c->role));
	if (c->group_id)
		n += (size_t)snprintf(out + n, size - n, "group %lld ", (long long)c->group_id);
	if (c->network_id)
		snprintf(out + n, size - n, "network %lld", (long long)c->network_id);
}

int skap_device_update(struct skap_store *st, const char *actor, const char *id,
		       const struct skap_device_change *c)
{
	char detail[SKAP_DESC_MAX + 1];
	struct skap_device d;
	sqlite3_stmt *s;
	int err;

	if (!st || !st_actor_valid(actor) || !id_valid(id) || !change_valid(c))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_device_get(st, id, &d);
	if (!err)
		err = row_in_tenant(st, "SELECT 1 FROM dev_groups WHERE id = ? AND tenant_id = ?",
				    c->group_id, d.tenant_id);
	if (!err)
		err = row_in_tenant(st, "SELECT 1 FROM networks WHERE id = ? AND tenant_id = ?",
				    c->network_id, d.tenant_id);
	if (!err)
		err = st_prep(st,
			      "UPDATE devices SET name = coalesce(?1, name), "
			      "group_id = coalesce(?2, group_id), "
			      "network_id = coalesce(?3, network_id), "
			      "role = coalesce(?4, role) WHERE id = ?5",
			      &s);
	if (err)
		return st_tx_end(st, err);
	if (c->name)
		sqlite3_bind_text(s, 1, c->name, -1, SQLITE_TRANSIENT);
	if (c->group_id)
		sqlite3_bind_int64(s, 2, c->group_id);
	if (c->network_id)
		sqlite3_bind_int64(s, 3, c->network_id);
	if (c->role >= 0)
		sqlite3_bind_int(s, 4, c->role);
	sqlite3_bind_text(s, 5, id, -1, SQLITE_TRANSIENT);
	err = st_step_done(st, s);
	change_detail(c, detail, sizeof(detail));
	if (!err)
		err = st_audit_insert(st, d.tenant_id, actor, "device.update", id, detail);
	return st_tx_end(st, err);
}

int skap_device_delete(struct skap_store *st, const char *actor, const char *id)
{
	struct skap_device d;
	sqlite3_stmt *s;
	int err;

	if (!st || !st_actor_valid(actor) || !id_valid(id))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	/* secure_delete is on: the sealed DMK's bytes go with the row. */
	err = skap_device_get(st, id, &d);
	if (!err)
		err = st_prep(st, "DELETE FROM devices WHERE id = ?", &s);
	if (!err) {
		sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
		err = st_step_done(st, s);
	}
	if (!err)
		err = st_audit_insert(st, d.tenant_id, actor, "device.delete", id, d.fingerprint);
	return st_tx_end(st, err);
}

int skap_device_rebind(struct skap_store *st, const char *actor, const char *id)
{
	struct skap_device d;
	sqlite3_stmt *s;
	int err;

	if (!st || !st_actor_valid(actor) || !id_valid(id))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_device_get(st, id, &d);
	if (!err)
		err = st_prep(st,
			      "UPDATE devices SET clone_attempts = 0, last_addr = '', "
			      "last_seen = 0, rebind = 1 WHERE id = ?",
			      &s);
	if (!err) {
		sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
		err = st_step_done(st, s);
	}
	if (!err)
		err = st_audit_insert(st, d.tenant_id, actor, "device.rebind", id,
				      "one re-enrollment of its key allowed");
	return st_tx_end(st, err);
}

/* ---- QKEYs ---- */

#define QKEY_COLS "id, tenant_id, qkey_id, device_name, expires, used, created"

static void qkey_row(sqlite3_stmt *s, void *item)
{
	struct skap_qkey *q = item;

	memset(q, 0, sizeof(*q));
	q->id = sqlite3_column_int64(s, 0);
	q->tenant_id = sqlite3_column_int64(s, 1);
	st_col_text(s, 2, q->qkey_id, sizeof(q->qkey_id));
	st_col_text(s, 3, q->device_name, sizeof(q->device_name));
	q->expires = sqlite3_column_int64(s, 4);
	q->used = sqlite3_column_int64(s, 5);
	q->created = sqlite3_column_int64(s, 6);
}

int skap_qkey_create(struct skap_store *st, const char *actor, const struct skap_qkey *in,
		     uint8_t raw[SKAP_QKEY_RAW_LEN])
{
	uint8_t sealed[SEALED(SKAP_QKEY_RAW_LEN)];
	struct skap_tenant t;
	sqlite3_stmt *s;
	int err;

	if (!st || !in || !raw || !st_actor_valid(actor) || !id_valid(in->qkey_id) ||
	    in->expires < 0 || (in->device_name[0] && !skap_store_name_valid(in->device_name)))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_tenant_get(st, in->tenant_id, &t);
	if (!err)
		err = skap_random(raw, SKAP_QKEY_RAW_LEN);
	if (!err)
		err = st_seal(st, "qkey", in->qkey_id, raw, SKAP_QKEY_RAW_LEN, sealed);
	if (!err)
		err = st_prep(st, "INSERT INTO qkeys(tenant_id, qkey_id, sealed, device_name, "
				  "expires, created) VALUES (?, ?, ?, ?, ?, ?)",
			      &s);
	if (!err) {
		sqlite3_bind_int64(s, 1, in->tenant_id);
		sqlite3_bind_text(s, 2, in->qkey_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(s, 3, sealed, sizeof(sealed), SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, in->device_name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 5, in->expires);
		sqlite3_bind_int64(s, 6, st_now());
		err = st_step_done(st, s);
	}
	if (!err)
		err = st_audit_insert(st, in->tenant_id, actor, "qkey.create", in->qkey_id,
				      in->device_name[0] ? in->device_name : "");
	err = st_tx_end(st, err);
	if (err)
		skap_wipe(raw, SKAP_QKEY_RAW_LEN);
	return err;
}

int skap_qkey_list(struct skap_store *st, int64_t tenant_id, int64_t after, size_t limit,
		   struct skap_qkey **out, size_t *n)
{
	if (!st || !st_list_args_valid(limit, out, n))
		return -EINVAL;
	return st_list_in_tenant(st, "SELECT " QKEY_COLS " FROM qkeys WHERE tenant_id = ? "
				     "AND id > ? ORDER BY id LIMIT ?",
				 tenant_id, after, limit, sizeof(**out), qkey_row, (void **)out, n);
}

int skap_qkey_delete(struct skap_store *st, const char *actor, int64_t tenant_id,
		     const char *qkey_id)
{
	sqlite3_stmt *s;
	int err;

	if (!st || !st_actor_valid(actor) || !id_valid(qkey_id))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = st_prep(st, "DELETE FROM qkeys WHERE tenant_id = ? AND qkey_id = ?", &s);
	if (!err) {
		sqlite3_bind_int64(s, 1, tenant_id);
		sqlite3_bind_text(s, 2, qkey_id, -1, SQLITE_TRANSIENT);
		err = st_step_done(st, s);
	}
	if (!err && !sqlite3_changes(st->db))
		err = -ENOENT;
	if (!err)
		err = st_audit_insert(st, tenant_id, actor, "qkey.delete", qkey_id, "");
	return st_tx_end(st, err);
}

int skap_qkey_key(struct skap_store *st, const char *qkey_id, int64_t now,
		  uint8_t raw[SKAP_QKEY_RAW_LEN], struct skap_qkey *q)
{
	sqlite3_stmt *s;
	int err;

	if (!st || !raw || !q)
		return -EINVAL;
	memset(raw, 0, SKAP_QKEY_RAW_LEN);
	if (!id_valid(qkey_id))
		return -EACCES;
	err = st_get(st, "SELECT " QKEY_COLS ", sealed FROM qkeys WHERE qkey_id = ? "
			  "AND used = 0 AND (expires = 0 OR expires > ?)",
		      &s);
	if (err)
		return err;
	sqlite3_bind_text(s, 1, qkey_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, now);
	err = -EACCES;
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_bytes(s, 7) == SEALED(SKAP_QKEY_RAW_LEN)) {
		qkey_row(s, q);
		err = st_open(st, "qkey", qkey_id, sqlite3_column_blob(s, 7),
			      SEALED(SKAP_QKEY_RAW_LEN), raw);
	}
	st_put(st, s);
	return err;
}

/* ---- tenant CAs ---- */

int skap_tenant_ca_get(struct skap_store *st, int64_t tenant_id, uint8_t seed[32], char **pem)
{
	char row[24];
	sqlite3_stmt *s;
	int err;

	if (!st || !seed || !pem)
		return -EINVAL;
	*pem = NULL;
	snprintf(row, sizeof(row), "%lld", (long long)tenant_id);
	err = st_get(st, "SELECT sealed, cert FROM tenant_ca WHERE tenant_id = ?", &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, tenant_id);
	err = -ENOENT;
	if (sqlite3_step(s) == SQLITE_ROW) {
		err = sqlite3_column_bytes(s, 0) == SEALED(32) ?
			      st_open(st, "tenant ca", row, sqlite3_column_blob(s, 0), SEALED(32),
				      seed) :
			      -EIO;
		if (!err) {
			*pem = strdup((const char *)sqlite3_column_text(s, 1));
			err = *pem ? 0 : -ENOMEM;
		}
	}
	st_put(st, s);
	if (err)
		skap_wipe(seed, 32);
	return err;
}

int skap_tenant_ca_set(struct skap_store *st, int64_t tenant_id, const uint8_t seed[32],
		       const char *pem)
{
	uint8_t sealed[SEALED(32)];
	char row[24];
	sqlite3_stmt *s;
	int err;

	if (!st || !seed || !pem)
		return -EINVAL;
	snprintf(row, sizeof(row), "%lld", (long long)tenant_id);
	err = st_tx_begin(st);
	if (err)
		return err;
	err = st_seal(st, "tenant ca", row, seed, 32, sealed);
	if (!err)
		err = st_prep(st, "INSERT INTO tenant_ca(tenant_id, sealed, cert) VALUES (?, ?, ?)",
			      &s);
	if (!err) {
		sqlite3_bind_int64(s, 1, tenant_id);
		sqlite3_bind_blob(s, 2, sealed, sizeof(sealed), SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, pem, -1, SQLITE_TRANSIENT);
		err = st_step_done(st, s);
	}
	if (!err)
		err = st_audit_insert(st, tenant_id, "system", "tenant.ca_create", row, "");
	return st_tx_end(st, err);
}
