// SPDX-License-Identifier: GPL-2.0
/*
 * Administrators' sessions (<skap/store.h>) in the SQLite back end. A
 * session is found by the SHA-256 of its token, joined with its user at
 * every request: a disabled user's sessions stop at once, and the role is
 * the current one. Sessions live in the database so that a restart (an
 * upgrade, a crash) logs nobody out.
 */

#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int skap_session_create(struct skap_store *st, const uint8_t token_hash[32],
			const struct skap_user *u, int64_t expires, const char *source)
{
	char actor[SKAP_NAME_MAX + 8];
	sqlite3_stmt *s;
	int64_t now = st_now(), live = 0;
	int err;

	if (!st || !token_hash || !u || u->id <= 0 || expires <= now ||
	    (source && !st_text_valid(source, SKAP_DESC_MAX)))
		return -EINVAL;
	snprintf(actor, sizeof(actor), "user:%s", u->name);
	err = st_tx_begin(st);
	if (err)
		return err;
	err = st_prep(st, "DELETE FROM sessions WHERE expires <= ?", &s);
	if (!err) {
		sqlite3_bind_int64(s, 1, now);
		err = st_step_done(st, s);
	}
	if (!err)
		err = st_prep(st, "SELECT count(*) FROM sessions", &s);
	if (!err) {
		if (sqlite3_step(s) == SQLITE_ROW)
			live = sqlite3_column_int64(s, 0);
		else
			err = -EIO;
		sqlite3_finalize(s);
	}
	if (!err && live >= SKAP_SESSIONS_MAX)
		err = -ENOSPC;
	if (!err)
		err = st_prep(st, "INSERT INTO sessions (token_hash, user_id, expires, created) "
				  "VALUES (?, ?, ?, ?)",
			      &s);
	if (!err) {
		sqlite3_bind_blob(s, 1, token_hash, 32, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, u->id);
		sqlite3_bind_int64(s, 3, expires);
		sqlite3_bind_int64(s, 4, now);
		err = st_step_done(st, s);
	}
	if (!err)
		err = st_audit_insert(st, u->tenant_id, actor, "login", u->name, source);
	return st_tx_end(st, err);
}

static void session_row(sqlite3_stmt *s, void *item)
{
	struct skap_session *out = item;

	out->user_id = sqlite3_column_int64(s, 0);
	out->tenant_id = sqlite3_column_int64(s, 1);
	out->role = (enum skap_role)sqlite3_column_int(s, 2);
	st_col_text(s, 3, out->user, sizeof(out->user));
	out->expires = sqlite3_column_int64(s, 4);
}

int skap_session_get(struct skap_store *st, const uint8_t token_hash[32], int64_t now,
		     struct skap_session *out)
{
	sqlite3_stmt *s;
	int err;

	if (!st || !token_hash || !out)
		return -EINVAL;
	err = st_prep(st, "SELECT u.id, u.tenant_id, u.role, u.name, s.expires "
			  "FROM sessions s JOIN users u ON u.id = s.user_id "
			  "WHERE s.token_hash = ? AND s.expires > ? AND u.disabled = 0",
		      &s);
	if (err)
		return err;
	sqlite3_bind_blob(s, 1, token_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	return st_fetch_one(s, session_row, out);
}

int skap_session_delete(struct skap_store *st, const char *actor, int64_t tenant_id,
			const uint8_t token_hash[32])
{
	sqlite3_stmt *s;
	int err;

	if (!st || !token_hash || !st_actor_valid(actor) || tenant_id < 0)
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = st_prep(st, "DELETE FROM sessions WHERE token_hash = ?", &s);
	if (!err) {
		sqlite3_bind_blob(s, 1, token_hash, 32, SQLITE_STATIC);
		err = st_step_done(st, s);
	}
	if (!err && sqlite3_changes(st->db) != 1)
		err = -ENOENT;
	if (!err)
		err = st_audit_insert(st, tenant_id, actor, "logout", NULL, NULL);
	return st_tx_end(st, err);
}

int skap_session_delete_user(struct skap_store *st, int64_t user_id)
{
	sqlite3_stmt *s;
	int err;

	if (!st || user_id <= 0)
		return -EINVAL;
	err = st_prep(st, "DELETE FROM sessions WHERE user_id = ?", &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, user_id);
	return st_step_done(st, s);
}
