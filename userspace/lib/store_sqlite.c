// SPDX-License-Identifier: GPL-2.0
/*
 * The SQLite back end of <skap/store.h>: one database file in WAL mode,
 * foreign keys on, the schema brought forward by numbered migrations
 * (PRAGMA user_version), every mutation and its audit record in one
 * IMMEDIATE transaction.
 */

#include <skap/crypto.h>
#include <skap/file.h>
#include <skap/store.h>

#include "store_int.h"

#include <argon2.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


static const char *const role_names[SKAP_ROLE__COUNT] = {
	[SKAP_ROLE_OWNER] = "owner",
	[SKAP_ROLE_ADMIN] = "admin",
	[SKAP_ROLE_OPERATOR] = "operator",
	[SKAP_ROLE_ENROLLER] = "enroller",
	[SKAP_ROLE_AUDITOR] = "auditor",
};

const char *skap_role_name(enum skap_role role)
{
	if ((unsigned)role >= SKAP_ROLE__COUNT)
		return NULL;
	return role_names[role];
}

int st_name_index(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

int skap_role_parse(const char *s, enum skap_role *role)
{
	int i = st_name_index(role_names, SKAP_ROLE__COUNT, s);

	if (i < 0)
		return -EINVAL;
	*role = (enum skap_role)i;
	return 0;
}

int skap_store_name_valid(const char *name)
{
	size_t n;

	if (!name)
		return 0;
	n = strlen(name);
	if (n < 1 || n > SKAP_NAME_MAX || name[0] == '.' || name[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* Printable text without control characters, at most MAX bytes. */
int st_text_valid(const char *s, size_t max)
{
	size_t n;

	if (!s)
		return 0;
	n = strlen(s);
	if (n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int password_valid(const char *pw)
{
	size_t n;

	if (!pw)
		return 0;
	n = strnlen(pw, SKAP_PASSWORD_MAX + 1);
	return n >= SKAP_PASSWORD_MIN && n <= SKAP_PASSWORD_MAX;
}

/* ---- master key ---- */

int skap_master_key_create(const char *path)
{
	uint8_t key[SKAP_MASTER_KEY_LEN];
	struct stat sb;
	int err;

	if (!path)
		return -EINVAL;
	if (lstat(path, &sb) == 0)
		return -EEXIST;
	if (errno != ENOENT)
		return -errno;
	err = skap_random(key, sizeof(key));
	if (!err)
		err = skap_file_write_atomic(path, key, sizeof(key), 0600);
	skap_wipe(key, sizeof(key));
	return err;
}

int skap_master_key_load(const char *path, uint8_t key[SKAP_MASTER_KEY_LEN])
{
	unsigned char *data = NULL;
	size_t len = 0;
	int err;

	if (!path || !key)
		return -EINVAL;
	err = skap_file_read(path, 4096, 1, &data, &len);
	if (err)
		return err;
	if (len != SKAP_MASTER_KEY_LEN) {
		skap_file_free(data, len);
		return -EINVAL;
	}
	memcpy(key, data, SKAP_MASTER_KEY_LEN);
	skap_file_free(data, len);
	return 0;
}

/* ---- SQLite plumbing ---- */

int st_db_err(struct skap_store *st, int rc)
{
	switch (rc) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return -EEXIST;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return -ENOENT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	default:
		(void)st;
		return -EIO;
	}
}

int st_prep(struct skap_store *st, const char *sql, sqlite3_stmt **s)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);

	return rc == SQLITE_OK ? 0 : -EIO;
}

/*
 * The cache entry for SQL. Callers pass literals, so the address the entry
 * was made with finds it with one comparison of the text instead of one per
 * entry; any other text is still found by a comparison with each.
 */
static struct st_cached *cached(struct skap_store *st, const char *sql)
{
	for (size_t i = 0; i < st->n_cache; i++)
		if (st->cache[i].caller_sql == sql && !strcmp(st->cache[i].sql, sql))
			return &st->cache[i];
	for (size_t i = 0; i < st->n_cache; i++)
		if (!strcmp(st->cache[i].sql, sql))
			return &st->cache[i];
	return NULL;
}

int st_get(struct skap_store *st, const char *sql, sqlite3_stmt **s)
{
	struct st_cached *c = cached(st, sql);

	if (c) {
		/* In use further up the stack: that caller keeps it, this one gets its own. */
		if (sqlite3_stmt_busy(c->s))
			return st_prep(st, sql, s);
		*s = c->s;
		return 0;
	}
	if (st->n_cache == st->cap_cache) {
		size_t cap = st->cap_cache ? 2 * st->cap_cache : 32;
		struct st_cached *grown = realloc(st->cache, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		st->cache = grown;
		st->cap_cache = cap;
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) != SQLITE_OK)
		return -EIO;
	c = &st->cache[st->n_cache++];
	c->s = *s;
	c->sql = sqlite3_sql(*s);
	c->caller_sql = sql;
	return 0;
}

void st_put(struct skap_store *st, sqlite3_stmt *s)
{
	for (size_t i = 0; i < st->n_cache; i++) {
		if (st->cache[i].s == s) {
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return;
		}
	}
	sqlite3_finalize(s);
}

int st_get_one(struct skap_store *st, sqlite3_stmt *s, row_fn row, void *out)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		row(s, out);
	st_put(st, s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

int st_row_by_id(struct skap_store *st, const char *sql, int64_t id, row_fn row, void *out)
{
	sqlite3_stmt *s;
	int err = st_get(st, sql, &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	return st_get_one(st, s, row, out);
}

int st_exec(struct skap_store *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

/* Runs SQL (no parameter, no row) from the statement cache: SQLite's own result code. */
static int st_run(struct skap_store *st, const char *sql)
{
	sqlite3_stmt *s;
	int rc;

	if (st_get(st, sql, &s))
		return SQLITE_ERROR;
	rc = sqlite3_step(s);
	st_put(st, s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * SQLite rolls a whole transaction back by itself on some errors (I/O,
 * full disk, out of memory): the batch's earlier work is then gone, and
 * nothing may be written outside it until its owner learns so at commit.
 */
static int batch_lost(struct skap_store *st)
{
	if (st->batch == 1 && sqlite3_get_autocommit(st->db))
		st->batch = -1;
	return st->batch < 0;
}

/*
 * The connection's sync at commit: FULL (each commit on disk before it
 * returns) except inside a batch, whose owner syncs with skap_store_sync.
 * SQLite takes the setting when the PRAGMA is prepared, and refuses it
 * inside a transaction: so sqlite3_exec, between transactions.
 */
static int set_sync_full(struct skap_store *st, int full)
{
	if (st->sync_full == full)
		return 0;
	if (sqlite3_exec(st->db, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
			 NULL, NULL, NULL) != SQLITE_OK)
		return -EIO;
	st->sync_full = full;
	return 0;
}

int st_tx_begin(struct skap_store *st)
{
	int rc;

	if (st->batch) {
		if (batch_lost(st))
			return -EIO;
		rc = st_run(st, "SAVEPOINT tx");
	} else {
		/* Alone, a mutation is durable when it returns. */
		if (set_sync_full(st, 1))
			return -EIO;
		rc = st_run(st, "BEGIN IMMEDIATE");
	}
	return rc == SQLITE_OK ? 0 : st_db_err(st, sqlite3_extended_errcode(st->db));
}

/* Commits when ERR is 0, rolls back otherwise; returns the final error. */
int st_tx_end(struct skap_store *st, int err)
{
	if (st->batch) {
		if (batch_lost(st))
			return err ? err : -EIO;
		if (err)
			st_run(st, "ROLLBACK TO tx");
		if (st_run(st, "RELEASE tx") != SQLITE_OK && !err)
			err = -EIO;
		return batch_lost(st) && !err ? -EIO : err;
	}
	if (!err) {
		if (st_run(st, "COMMIT") == SQLITE_OK) {
			/* Synced (FULL), and every commit before it with it. */
			st->committed_changes = sqlite3_total_changes64(st->db);
			st->synced_changes = st->committed_changes;
			return 0;
		}
		err = -EIO;
	}
	st_run(st, "ROLLBACK");
	return err;
}

int skap_store_batch_begin(struct skap_store *st)
{
	int rc;

	if (!st || st->batch)
		return -EINVAL;
	/* Outside WAL mode there is no log to sync later: FULL stays. */
	if (st->wal_fd >= 0 && set_sync_full(st, 0))
		return -EIO;
	rc = st_run(st, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK)
		return st_db_err(st, sqlite3_extended_errcode(st->db));
	st->batch = 1;
	return 0;
}

int skap_store_batch_commit(struct skap_store *st)
{
	int err = 0;

	if (!st || !st->batch)
		return -EINVAL;
	if (batch_lost(st) || st_run(st, "COMMIT") != SQLITE_OK)
		err = -EIO;
	else
		st->committed_changes = sqlite3_total_changes64(st->db);
	if (!sqlite3_get_autocommit(st->db))
		st_run(st, "ROLLBACK");
	st->batch = 0;
	/* Should this fail, the next mutation alone tries again (st_tx_begin). */
	set_sync_full(st, 1);
	return err;
}

int skap_store_sync(struct skap_store *st)
{
	sqlite3_int64 committed;
	int rc;

	if (!st)
		return -EINVAL;
	/*
	 * Every commit synced by SQLite, or none since the last sync: a sync of
	 * a clean file still costs the disk a cache flush. The count is the
	 * one at the last commit: the changes of a batch still open (a sync
	 * may run between two of its requests) are not on the log yet.
	 */
	committed = st->committed_changes;
	if (st->wal_fd < 0 || committed == st->synced_changes)
		return 0;
	do
		rc = fdatasync(st->wal_fd);
	while (rc && errno == EINTR);
	if (rc)
		return -EIO;
	st->synced_changes = committed;
	return 0;
}

/*
 * The write-ahead log's descriptor, kept for skap_store_sync: fdatasync
 * on any descriptor of a file flushes all of it, so the log SQLite writes
 * through its own descriptor is synced through this one. SQLite creates
 * the log on the first read in WAL mode (migrate has read) and removes it
 * only when the last connection closes or the journal mode changes,
 * neither of which happens while this store is open.
 */
static int open_wal(struct skap_store *st)
{
	const char *main_db = sqlite3_db_filename(st->db, "main");
	const unsigned char *mode;
	sqlite3_stmt *s;
	int wal;

	st->wal_fd = -1;
	if (st_prep(st, "PRAGMA journal_mode", &s))
		return -EIO;
	mode = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_text(s, 0) : NULL;
	wal = mode && !strcmp((const char *)mode, "wal");
	sqlite3_finalize(s);
	if (!wal || !main_db || !*main_db)
		return 0; /* each commit synced by SQLite (FULL) */
	st->wal_fd = open(sqlite3_filename_wal(main_db), O_RDONLY | O_CLOEXEC);
	return st->wal_fd < 0 ? -EIO : 0;
}

int skap_store_in_batch(struct skap_store *st)
{
	return st && st->batch;
}

/* Steps a statement that returns no row, then gives it back. */
int st_step_done(struct skap_store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	int err = rc == SQLITE_DONE ? 0 : st_db_err(st, sqlite3_extended_errcode(st->db));

	if (rc == SQLITE_ROW)
		err = -EIO;
	st_put(st, s);
	return err;
}

/* Copies as snprintf's "%s" would (truncated, NUL-terminated), at memcpy's cost: rows are read per request. */
void st_col_text(sqlite3_stmt *s, int col, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	size_t len = t ? strnlen((const char *)t, (size_t)sqlite3_column_bytes(s, col)) : 0;

	if (!size)
		return;
	if (len > size - 1)
		len = size - 1;
	memcpy(out, t ? (const char *)t : "", len);
	out[len] = '\0';
}

int64_t st_now(void)
{
	return (int64_t)time(NULL);
}

int st_audit_insert(struct skap_store *st, int64_t tenant_id, const char *actor,
			const char *action, const char *object, const char *detail)
{
	sqlite3_stmt *s;
	int err;

	err = st_get(st, "INSERT INTO audit(time, tenant_id, actor, action, object, detail) "
		       "VALUES (?, ?, ?, ?, ?, ?)", &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, st_now());
	if (tenant_id > 0)
		sqlite3_bind_int64(s, 2, tenant_id);
	else
		sqlite3_bind_null(s, 2);
	/* No copies: st_step_done unbinds them before this returns. */
	sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, object ? object : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, detail ? detail : "", -1, SQLITE_STATIC);
	return st_step_done(st, s);
}

int st_actor_valid(const char *actor)
{
	return actor && *actor && st_text_valid(actor, SKAP_NAME_MAX + 15);
}

/* ---- schema ---- */

static const char *const migrations[] = {
	/* 1: tenants, groups, users, bootstrap keys, audit log */
	"CREATE TABLE tenants ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  ota_tls INTEGER NOT NULL DEFAULT 0 CHECK (ota_tls IN (0, 1)),"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE dev_groups ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  config TEXT NOT NULL DEFAULT '{}',"
	"  created INTEGER NOT NULL,"
	"  UNIQUE (tenant_id, name));"
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL UNIQUE,"
	"  role INTEGER NOT NULL CHECK (role BETWEEN 0 AND 4),"
	"  pw_hash TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
	"  created INTEGER NOT NULL);"
	"CREATE INDEX users_tenant ON users(tenant_id, id);"
	"CREATE TABLE bootstrap_keys ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  group_id INTEGER NOT NULL REFERENCES dev_groups(id),"
	"  auto_accept INTEGER NOT NULL CHECK (auto_accept IN (0, 1)),"
	"  expires INTEGER NOT NULL DEFAULT 0,"
	"  max_uses INTEGER NOT NULL DEFAULT 0 CHECK (max_uses >= 0),"
	"  uses INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),"
	"  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
	"  lookup BLOB NOT NULL UNIQUE,"
	"  sealed BLOB NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  UNIQUE (tenant_id, name));"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time INTEGER NOT NULL,"
	"  tenant_id INTEGER,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  object TEXT NOT NULL,"
	"  detail TEXT NOT NULL);"
	"CREATE INDEX audit_tenant ON audit(tenant_id, id);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
	/* 2: devices, QKEYs, tenant CAs */
	"CREATE TABLE devices ("
	"  id TEXT PRIMARY KEY,"
	"  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  group_id INTEGER NOT NULL REFERENCES dev_groups(id),"
	"  state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 3),"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  method TEXT NOT NULL,"
	"  public_key BLOB NOT NULL UNIQUE,"
	"  fingerprint TEXT NOT NULL,"
	"  report TEXT NOT NULL,"
	"  enrolled_by TEXT NOT NULL,"
	"  dmk BLOB NOT NULL,"
	"  cert TEXT,"
	"  cert_expires INTEGER NOT NULL DEFAULT 0,"
	"  enrolled INTEGER NOT NULL,"
	"  approved INTEGER NOT NULL DEFAULT 0,"
	"  last_seen INTEGER NOT NULL DEFAULT 0,"
	"  last_addr TEXT NOT NULL DEFAULT '',"
	"  clone_attempts INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX devices_tenant ON devices(tenant_id, state, id);"
	"CREATE TABLE qkeys ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  qkey_id TEXT NOT NULL UNIQUE,"
	"  sealed BLOB NOT NULL,"
	"  device_name TEXT NOT NULL DEFAULT '',"
	"  expires INTEGER NOT NULL DEFAULT 0,"
	"  used INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE tenant_ca ("
	"  tenant_id INTEGER PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,"
	"  sealed BLOB NOT NULL,"
	"  cert TEXT NOT NULL);",
	/* 3: networks, device names and roles, group networks, peerings. Every
	 * tenant gets its default network and existing devices land in it.
	 * ADD COLUMN cannot make a foreign key NOT NULL: triggers do. */
	"CREATE TABLE networks ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  created INTEGER NOT NULL,"
	"  UNIQUE (tenant_id, name));"
	"INSERT INTO networks(tenant_id, name, description, created)"
	"  SELECT id, 'default', 'created with the tenant', created FROM tenants;"
	"ALTER TABLE dev_groups ADD COLUMN network_id INTEGER REFERENCES networks(id);"
	"ALTER TABLE devices ADD COLUMN network_id INTEGER REFERENCES networks(id);"
	"ALTER TABLE devices ADD COLUMN name TEXT;"
	"ALTER TABLE devices ADD COLUMN role INTEGER NOT NULL DEFAULT 0"
	"  CHECK (role BETWEEN 0 AND 2);"
	"ALTER TABLE devices ADD COLUMN rebind INTEGER NOT NULL DEFAULT 0"
	"  CHECK (rebind IN (0, 1));"
	"UPDATE devices SET network_id = (SELECT n.id FROM networks n"
	"  WHERE n.tenant_id = devices.tenant_id AND n.name = 'default');"
	"CREATE UNIQUE INDEX devices_name ON devices(tenant_id, name) WHERE name IS NOT NULL;"
	"CREATE INDEX devices_network ON devices(network_id);"
	"CREATE TRIGGER devices_network_insert BEFORE INSERT ON devices"
	"  WHEN NEW.network_id IS NULL"
	"  BEGIN SELECT RAISE(ABORT, 'a device is in a network'); END;"
	"CREATE TRIGGER devices_network_update BEFORE UPDATE OF network_id ON devices"
	"  WHEN NEW.network_id IS NULL"
	"  BEGIN SELECT RAISE(ABORT, 'a device is in a network'); END;"
	"CREATE TABLE peerings ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  network_id INTEGER REFERENCES networks(id) ON DELETE SET NULL,"
	"  peer_tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  peer_network_id INTEGER REFERENCES networks(id) ON DELETE SET NULL,"
	"  state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 3),"
	"  requested_by TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  accepted INTEGER NOT NULL DEFAULT 0,"
	"  ended INTEGER NOT NULL DEFAULT 0,"
	"  CHECK (tenant_id != peer_tenant_id));"
	"CREATE INDEX peerings_tenant ON peerings(tenant_id, id);"
	"CREATE INDEX peerings_peer ON peerings(peer_tenant_id, id);"
	"CREATE INDEX peerings_pair ON peerings(network_id, peer_network_id);"
	/* One requested or active peering per pair of networks, either way round. */
	"CREATE UNIQUE INDEX peerings_live ON peerings(min(network_id, peer_network_id),"
	"  max(network_id, peer_network_id)) WHERE state IN (0, 1);",
	/* 4: administrators' sessions, so that a restart logs nobody out */
	"CREATE TABLE sessions ("
	"  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  expires INTEGER NOT NULL,"
	"  created INTEGER NOT NULL);"
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"CREATE INDEX sessions_expires ON sessions(expires);",
};

#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

int skap_store_schema_version(void)
{
	return SCHEMA_VERSION;
}

int skap_store_db_version(struct skap_store *st)
{
	sqlite3_stmt *s;
	int v = -EIO;

	if (st_prep(st, "PRAGMA user_version", &s))
		return -EIO;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int migrate(struct skap_store *st)
{
	int v, err;
	char sql[64];

	err = st_tx_begin(st);
	if (err)
		return err;
	v = skap_store_db_version(st);
	if (v < 0)
		return st_tx_end(st, -EIO);
	if (v > SCHEMA_VERSION)
		return st_tx_end(st, -EPROTO);
	for (; v < st->schema_max && !err; v++) {
		err = st_exec(st, migrations[v]);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (!err)
			err = st_exec(st, sql);
	}
	return st_tx_end(st, err);
}

int skap_store_open(const char *path, const uint8_t master[SKAP_MASTER_KEY_LEN],
		    const struct skap_store_opts *opts, struct skap_store **out)
{
	struct skap_store *st;
	uint8_t salt[ARGON2_SALT_LEN], pw[24];
	int fd, err;

	if (!path || !master || !out)
		return -EINVAL;
	*out = NULL;
	/* Create the file ourselves so that it is 0600 from the first byte. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	close(fd);

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->wal_fd = -1;
	st->argon2_t = opts && opts->argon2_t ? opts->argon2_t : ARGON2_T_DEFAULT;
	st->argon2_m = opts && opts->argon2_m_kib ? opts->argon2_m_kib : ARGON2_M_DEFAULT;
	st->schema_max = opts && opts->schema_max > 0 && opts->schema_max < SCHEMA_VERSION
				 ? opts->schema_max
				 : SCHEMA_VERSION;

	err = skap_secret_alloc(K_TOTAL, (void **)&st->keys);
	if (err)
		goto fail;
	err = skap_hkdf(NULL, 0, master, SKAP_MASTER_KEY_LEN, "skap-server v1 seal", 19,
			st->keys + K_SEAL, 32);
	if (!err)
		err = skap_hkdf(NULL, 0, master, SKAP_MASTER_KEY_LEN,
				"skap-server v1 bootstrap-key lookup", 35, st->keys + K_LOOKUP, 32);
	if (err)
		goto fail;

	/* A hash of a random password, verified against when the user is
	 * unknown, so that a login costs the same either way. */
	err = skap_random(salt, sizeof(salt));
	if (!err)
		err = skap_random(pw, sizeof(pw));
	if (err)
		goto fail;
	if (argon2id_hash_encoded(st->argon2_t, st->argon2_m, 1, pw, sizeof(pw), salt,
				  sizeof(salt), ARGON2_HASH_LEN, st->dummy_hash,
				  sizeof(st->dummy_hash)) != ARGON2_OK) {
		err = -EIO;
		goto fail;
	}
	skap_wipe(pw, sizeof(pw));

	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		err = -EIO;
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	err = st_exec(st, "PRAGMA journal_mode = WAL");
	if (!err)
		err = st_exec(st, "PRAGMA foreign_keys = ON");
	if (!err)
		err = st_exec(st, "PRAGMA synchronous = FULL");
	st->sync_full = 1;
	if (!err)
		err = st_exec(st, "PRAGMA secure_delete = ON");
	if (!err)
		err = migrate(st);
	if (!err)
		err = open_wal(st);
	if (err)
		goto fail;
	*out = st;
	return 0;
fail:
	skap_wipe(pw, sizeof(pw));
	skap_store_close(st);
	return err;
}

void skap_store_close(struct skap_store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_cache; i++)
		sqlite3_finalize(st->cache[i].s);
	free(st->cache);
	if (st->db)
		sqlite3_close_v2(st->db);
	if (st->wal_fd >= 0)
		close(st->wal_fd);
	skap_secret_free(st->keys);
	skap_wipe(st, sizeof(*st));
	free(st);
}

/* ---- lists ---- */


/* Runs S (parameters bound, the last being LIMIT) into a new array. */
/* Steps S for one row: ROW fills OUT. 0, -ENOENT (no row) or -EIO. Finalizes S. */
int st_fetch_one(sqlite3_stmt *s, void (*row)(sqlite3_stmt *s, void *item), void *out)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		row(s, out);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

int st_list_run(struct skap_store *st, sqlite3_stmt *s, size_t item_size, size_t limit,
		    row_fn fn, void **out, size_t *n)
{
	unsigned char *arr;
	size_t count = 0;
	int rc;

	arr = calloc(limit ? limit : 1, item_size);
	if (!arr) {
		st_put(st, s);
		return -ENOMEM;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && count < limit) {
		fn(s, arr + count * item_size);
		count++;
	}
	st_put(st, s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		free(arr);
		return st_db_err(st, rc);
	}
	*out = arr;
	*n = count;
	return 0;
}

/* A page of one tenant's rows: SQL binds tenant_id, the id to start after, the limit. */
int st_list_in_tenant(struct skap_store *st, const char *sql, int64_t tenant_id, int64_t after,
			  size_t limit, size_t item_size, void (*row)(sqlite3_stmt *s, void *item),
			  void **out, size_t *n)
{
	sqlite3_stmt *s;
	int err = st_prep(st, sql, &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, tenant_id);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int64(s, 3, (int64_t)limit);
	return st_list_run(st, s, item_size, limit, row, out, n);
}

int st_list_args_valid(size_t limit, void *out, size_t *n)
{
	return limit >= 1 && limit <= SKAP_STORE_LIST_MAX && out && n;
}

/* ---- tenants ---- */

static void tenant_row(sqlite3_stmt *s, void *item)
{
	struct skap_tenant *t = item;

	t->id = sqlite3_column_int64(s, 0);
	st_col_text(s, 1, t->name, sizeof(t->name));
	t->ota_tls = sqlite3_column_int(s, 2);
	t->created = sqlite3_column_int64(s, 3);
}

#define TENANT_COLS "id, name, ota_tls, created"

static int bkey_insert(struct skap_store *st, const char *actor, const struct skap_bkey *in,
		       int64_t *id, char key[SKAP_BKEY_STR_SIZE]);

int skap_tenant_create(struct skap_store *st, const char *actor, const char *name, int64_t *id)
{
	struct skap_bkey k = { 0 };
	char key[SKAP_BKEY_STR_SIZE];
	sqlite3_stmt *s;
	int64_t tid, gid;
	int err;

	if (!st || !st_actor_valid(actor) || !skap_store_name_valid(name))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = st_prep(st, "INSERT INTO tenants(name, created) VALUES (?, ?)", &s);
	if (err)
		return st_tx_end(st, err);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, st_now());
	err = st_step_done(st, s);
	if (err)
		return st_tx_end(st, err);
	tid = sqlite3_last_insert_rowid(st->db);

	err = st_prep(st, "INSERT INTO dev_groups(tenant_id, name, created) VALUES (?, 'default', ?)",
		   &s);
	if (err)
		return st_tx_end(st, err);
	sqlite3_bind_int64(s, 1, tid);
	sqlite3_bind_int64(s, 2, st_now());
	err = st_step_done(st, s);
	if (err)
		return st_tx_end(st, err);
	gid = sqlite3_last_insert_rowid(st->db);

	k.tenant_id = tid;
	k.group_id = gid;
	snprintf(k.name, sizeof(k.name), "default");
	snprintf(k.description, sizeof(k.description), "created with the tenant");
	err = st_audit_insert(st, tid, actor, "tenant.create", name, "");
	if (!err)
		err = st_network_insert_default(st, tid);
	if (!err)
		err = bkey_insert(st, actor, &k, NULL, key);
	skap_wipe(key, sizeof(key));
	err = st_tx_end(st, err);
	if (!err && id)
		*id = tid;
	return err;
}

int skap_tenant_get(struct skap_store *st, int64_t id, struct skap_tenant *t)
{
	if (!st || !t || id <= 0)
		return -EINVAL;
	return st_row_by_id(st, "SELECT " TENANT_COLS " FROM tenants WHERE id = ?", id, tenant_row,
			    t);
}

int skap_tenant_by_name(struct skap_store *st, const char *name, struct skap_tenant *t)
{
	sqlite3_stmt *s;
	int err;

	if (!st || !t || !skap_store_name_valid(name))
		return -EINVAL;
	err = st_prep(st, "SELECT " TENANT_COLS " FROM tenants WHERE name = ?", &s);
	if (err)
		return err;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	return st_fetch_one(s, tenant_row, t);
}

int skap_tenant_list(struct skap_store *st, int64_t after, size_t limit,
		     struct skap_tenant **out, size_t *n)
{
	sqlite3_stmt *s;
	int err;

	if (!st || !st_list_args_valid(limit, out, n) || after < 0)
		return -EINVAL;
	err = st_prep(st, "SELECT " TENANT_COLS " FROM tenants WHERE id > ? ORDER BY id LIMIT ?", &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, (int64_t)limit);
	return st_list_run(st, s, sizeof(**out), limit, tenant_row, (void **)out, n);
}

/* UPDATE ... WHERE id = ? with one int64 value: -ENOENT when no row. */
static int update_one(struct skap_store *st, const char *sql, int64_t value, int64_t id)
{
	sqlite3_stmt *s;
	int err;

	err = st_prep(st, sql, &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, value);
	sqlite3_bind_int64(s, 2, id);
	err = st_step_done(st, s);
	if (!err && sqlite3_changes(st->db) != 1)
		err = -ENOENT;
	return err;
}

int skap_tenant_set_ota_tls(struct skap_store *st, const char *actor, int64_t id, int on)
{
	struct skap_tenant t;
	int err;

	if (!st || !st_actor_valid(actor) || id <= 0 || (on != 0 && on != 1))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_tenant_get(st, id, &t);
	if (!err)
		err = update_one(st, "UPDATE tenants SET ota_tls = ? WHERE id = ?", on, id);
	if (!err)
		err = st_audit_insert(st, id, actor, on ? "tenant.ota_tls.on" : "tenant.ota_tls.off",
				   t.name, on ? "OTA_TLS is for development only" : "");
	return st_tx_end(st, err);
}

/* ---- groups ---- */

static void group_row(sqlite3_stmt *s, void *item)
{
	struct skap_group *g = item;

	g->id = sqlite3_column_int64(s, 0);
	g->tenant_id = sqlite3_column_int64(s, 1);
	st_col_text(s, 2, g->name, sizeof(g->name));
	g->created = sqlite3_column_int64(s, 3);
	g->network_id = sqlite3_column_int64(s, 4); /* NULL reads as 0 */
	st_col_text(s, 5, g->config, sizeof(g->config));
}

#define GROUP_COLS "id, tenant_id, name, created, network_id, config"

int skap_group_get(struct skap_store *st, int64_t id, struct skap_group *g)
{
	return st_row_by_id(st, "SELECT " GROUP_COLS " FROM dev_groups WHERE id = ?", id, group_row,
			    g);
}

int skap_group_by_name(struct skap_store *st, int64_t tenant_id, const char *name,
		       struct skap_group *g)
{
	sqlite3_stmt *s;
	int err;

	if (!st || !g || tenant_id <= 0 || !skap_store_name_valid(name))
		return -EINVAL;
	err = st_get(st, "SELECT " GROUP_COLS " FROM dev_groups WHERE tenant_id = ? AND name = ?",
		     &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, tenant_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	return st_get_one(st, s, group_row, g);
}

int skap_group_list(struct skap_store *st, int64_t tenant_id, int64_t after, size_t limit,
		    struct skap_group **out, size_t *n)
{
	if (!st || tenant_id <= 0 || after < 0 || !st_list_args_valid(limit, out, n))
		return -EINVAL;
	return st_list_in_tenant(st,
			      "SELECT " GROUP_COLS " FROM dev_groups "
			      "WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
			      tenant_id, after, limit, sizeof(**out), group_row, (void **)out, n);
}

/* ---- users ---- */

static void user_row(sqlite3_stmt *s, void *item)
{
	struct skap_user *u = item;

	u->id = sqlite3_column_int64(s, 0);
	u->tenant_id = sqlite3_column_int64(s, 1);
	st_col_text(s, 2, u->name, sizeof(u->name));
	u->role = (enum skap_role)sqlite3_column_int(s, 3);
	u->disabled = sqlite3_column_int(s, 4);
	u->created = sqlite3_column_int64(s, 5);
}

#define USER_COLS "id, tenant_id, name, role, disabled, created"

static int hash_password(struct skap_store *st, const char *pw, char enc[ARGON2_ENC_MAX])
{
	uint8_t salt[ARGON2_SALT_LEN];

	if (skap_random(salt, sizeof(salt)))
		return -EIO;
	if (argon2id_hash_encoded(st->argon2_t, st->argon2_m, 1, pw, strlen(pw), salt,
				  sizeof(salt), ARGON2_HASH_LEN, enc, ARGON2_ENC_MAX) != ARGON2_OK)
		return -EIO;
	return 0;
}

int skap_user_create(struct skap_store *st, const char *actor, int64_t tenant_id,
		     const char *name, enum skap_role role, const char *password, int64_t *id)
{
	char enc[ARGON2_ENC_MAX];
	sqlite3_stmt *s;
	int64_t uid = 0;
	int err;

	if (!st || !st_actor_valid(actor) || tenant_id <= 0 || !skap_store_name_valid(name) ||
	    !skap_role_name(role) || !password_valid(password))
		return -EINVAL;
	/* Hash before the transaction: it is slow and needs no lock. */
	err = hash_password(st, password, enc);
	if (err)
		return err;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = st_prep(st, "INSERT INTO users(tenant_id, name, role, pw_hash, created) "
		       "VALUES (?, ?, ?, ?, ?)", &s);
	if (err)
		return st_tx_end(st, err);
	sqlite3_bind_int64(s, 1, tenant_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 3, (int)role);
	sqlite3_bind_text(s, 4, enc, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, st_now());
	err = st_step_done(st, s);
	if (!err) {
		uid = sqlite3_last_insert_rowid(st->db);
		err = st_audit_insert(st, tenant_id, actor, "user.create", name,
				   skap_role_name(role));
	}
	err = st_tx_end(st, err);
	if (!err && id)
		*id = uid;
	return err;
}

int skap_user_get(struct skap_store *st, int64_t id, struct skap_user *u)
{
	if (!st || !u || id <= 0)
		return -EINVAL;
	return st_row_by_id(st, "SELECT " USER_COLS " FROM users WHERE id = ?", id, user_row, u);
}

int skap_user_list(struct skap_store *st, int64_t tenant_id, int64_t after, size_t limit,
		   struct skap_user **out, size_t *n)
{
	if (!st || tenant_id <= 0 || after < 0 || !st_list_args_valid(limit, out, n))
		return -EINVAL;
	return st_list_in_tenant(st,
			      "SELECT " USER_COLS " FROM users "
			      "WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
			      tenant_id, after, limit, sizeof(**out), user_row, (void **)out, n);
}

int skap_user_set_password(struct skap_store *st, const char *actor, int64_t id,
			   const char *password)
{
	char enc[ARGON2_ENC_MAX];
	struct skap_user u;
	sqlite3_stmt *s;
	int err;

	if (!st || !st_actor_valid(actor) || id <= 0 || !password_valid(password))
		return -EINVAL;
	err = hash_password(st, password, enc);
	if (err)
		return err;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_user_get(st, id, &u);
	if (!err)
		err = st_prep(st, "UPDATE users SET pw_hash = ? WHERE id = ?", &s);
	if (!err) {
		sqlite3_bind_text(s, 1, enc, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 2, id);
		err = st_step_done(st, s);
	}
	if (!err)
		err = st_audit_insert(st, u.tenant_id, actor, "user.password", u.name, "");
	return st_tx_end(st, err);
}

/* Enabled owners of TENANT other than user EXCEPT. */
static int other_owners(struct skap_store *st, int64_t tenant, int64_t except)
{
	sqlite3_stmt *s;
	int n = -EIO;

	if (st_prep(st, "SELECT count(*) FROM users WHERE tenant_id = ? AND id != ? AND role = 0 "
		     "AND disabled = 0", &s))
		return -EIO;
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_int64(s, 2, except);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* -EPERM when U is its tenant's last enabled owner. */
static int keep_an_owner(struct skap_store *st, const struct skap_user *u)
{
	int n;

	if (u->role != SKAP_ROLE_OWNER || u->disabled)
		return 0;
	n = other_owners(st, u->tenant_id, u->id);
	if (n < 0)
		return n;
	return n > 0 ? 0 : -EPERM;
}

int skap_user_set_role(struct skap_store *st, const char *actor, int64_t id,
		       enum skap_role role)
{
	struct skap_user u;
	int err;

	if (!st || !st_actor_valid(actor) || id <= 0 || !skap_role_name(role))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_user_get(st, id, &u);
	if (!err && role != SKAP_ROLE_OWNER)
		err = keep_an_owner(st, &u);
	if (!err)
		err = update_one(st, "UPDATE users SET role = ? WHERE id = ?", role, id);
	if (!err)
		err = st_audit_insert(st, u.tenant_id, actor, "user.role", u.name,
				   skap_role_name(role));
	return st_tx_end(st, err);
}

int skap_user_set_disabled(struct skap_store *st, const char *actor, int64_t id, int disabled)
{
	struct skap_user u;
	int err;

	if (!st || !st_actor_valid(actor) || id <= 0 || (disabled != 0 && disabled != 1))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_user_get(st, id, &u);
	if (!err && disabled)
		err = keep_an_owner(st, &u);
	if (!err)
		err = update_one(st, "UPDATE users SET disabled = ? WHERE id = ?", disabled, id);
	if (!err)
		err = st_audit_insert(st, u.tenant_id, actor,
				   disabled ? "user.disable" : "user.enable", u.name, "");
	return st_tx_end(st, err);
}

int skap_user_delete(struct skap_store *st, const char *actor, int64_t id)
{
	struct skap_user u;
	sqlite3_stmt *s;
	int err;

	if (!st || !st_actor_valid(actor) || id <= 0)
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_user_get(st, id, &u);
	if (!err)
		err = keep_an_owner(st, &u);
	if (!err)
		err = st_prep(st, "DELETE FROM users WHERE id = ?", &s);
	if (!err) {
		sqlite3_bind_int64(s, 1, id);
		err = st_step_done(st, s);
	}
	if (!err)
		err = st_audit_insert(st, u.tenant_id, actor, "user.delete", u.name, "");
	return st_tx_end(st, err);
}

int skap_user_verify(struct skap_store *st, const char *name, const char *password,
		     struct skap_user *u)
{
	char enc[ARGON2_ENC_MAX];
	struct skap_user found;
	sqlite3_stmt *s;
	int rc, err, known = 0;

	if (!st || !u || !password)
		return -EINVAL;
	if (!password_valid(password))
		password = "";
	snprintf(enc, sizeof(enc), "%s", st->dummy_hash);
	if (skap_store_name_valid(name)) {
		err = st_prep(st, "SELECT " USER_COLS ", pw_hash FROM users WHERE name = ?", &s);
		if (err)
			return err;
		sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			user_row(s, &found);
			st_col_text(s, 6, enc, sizeof(enc));
			known = !found.disabled;
		} else if (rc != SQLITE_DONE) {
			sqlite3_finalize(s);
			return -EIO;
		}
		sqlite3_finalize(s);
	}
	/* Always one Argon2id verification, whatever was found. */
	rc = argon2id_verify(enc, password, strlen(password));
	if (!known || !*password || rc != ARGON2_OK)
		return -EACCES;
	*u = found;
	return 0;
}

/* ---- bootstrap keys ---- */

static void bkey_row(sqlite3_stmt *s, void *item)
{
	struct skap_bkey *k = item;

	k->id = sqlite3_column_int64(s, 0);
	k->tenant_id = sqlite3_column_int64(s, 1);
	st_col_text(s, 2, k->name, sizeof(k->name));
	st_col_text(s, 3, k->description, sizeof(k->description));
	k->group_id = sqlite3_column_int64(s, 4);
	k->auto_accept = sqlite3_column_int(s, 5);
	k->expires = sqlite3_column_int64(s, 6);
	k->max_uses = sqlite3_column_int64(s, 7);
	k->uses = sqlite3_column_int64(s, 8);
	k->disabled = sqlite3_column_int(s, 9);
	k->created = sqlite3_column_int64(s, 10);
}

#define BKEY_COLS "id, tenant_id, name, description, group_id, auto_accept, expires, " \
		  "max_uses, uses, disabled, created"

static const char hexdig[] = "0123456789abcdef";

static void bkey_format(const uint8_t raw[BKEY_RAW_LEN], char key[SKAP_BKEY_STR_SIZE])
{
	memcpy(key, BKEY_PREFIX, 5);
	for (int i = 0; i < BKEY_RAW_LEN; i++) {
		key[5 + 2 * i] = hexdig[raw[i] >> 4];
		key[6 + 2 * i] = hexdig[raw[i] & 15];
	}
	key[SKAP_BKEY_STR_LEN] = 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int bkey_parse(const char *key, uint8_t raw[BKEY_RAW_LEN])
{
	if (!key || strnlen(key, SKAP_BKEY_STR_SIZE) != SKAP_BKEY_STR_LEN ||
	    memcmp(key, BKEY_PREFIX, 5))
		return -EINVAL;
	for (int i = 0; i < BKEY_RAW_LEN; i++) {
		int hi = hexval(key[5 + 2 * i]), lo = hexval(key[6 + 2 * i]);

		if (hi < 0 || lo < 0) {
			skap_wipe(raw, BKEY_RAW_LEN);
			return -EINVAL;
		}
		raw[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int bkey_lookup(struct skap_store *st, const uint8_t raw[BKEY_RAW_LEN],
		       uint8_t out[SKAP_HMAC_LEN])
{
	const void *parts[1] = { raw };
	size_t lens[1] = { BKEY_RAW_LEN };

	return skap_hmac(st->keys + K_LOOKUP, 32, parts, lens, 1, out);
}

/* AAD binds a sealed key to its lookup hash: a sealed blob moved to another
 * row does not open. */
static void bkey_aad(const uint8_t lookup[SKAP_HMAC_LEN], uint8_t aad[16 + SKAP_HMAC_LEN])
{
	memcpy(aad, "skap bkey v1\0\0\0\0", 16);
	memcpy(aad + 16, lookup, SKAP_HMAC_LEN);
}

static int bkey_fields_valid(const struct skap_bkey *k)
{
	return skap_store_name_valid(k->name) &&
	       st_text_valid(k->description, SKAP_DESC_MAX) &&
	       (k->auto_accept == 0 || k->auto_accept == 1) &&
	       (k->disabled == 0 || k->disabled == 1) &&
	       k->expires >= 0 && k->max_uses >= 0 && k->group_id >= 0;
}

/* The group to use for K in its tenant: K's own (checked) or "default". */
static int bkey_group(struct skap_store *st, const struct skap_bkey *k, int64_t *gid)
{
	struct skap_group g;
	int err;

	if (k->group_id == 0) {
		err = skap_group_by_name(st, k->tenant_id, "default", &g);
	} else {
		err = skap_group_get(st, k->group_id, &g);
		if (!err && g.tenant_id != k->tenant_id)
			err = -ENOENT;
	}
	if (!err)
		*gid = g.id;
	return err;
}

/* Inside a transaction. */
static int bkey_insert(struct skap_store *st, const char *actor, const struct skap_bkey *in,
		       int64_t *id, char key[SKAP_BKEY_STR_SIZE])
{
	uint8_t raw[BKEY_RAW_LEN], lookup[SKAP_HMAC_LEN], aad[16 + SKAP_HMAC_LEN];
	uint8_t sealed[SEALED_BKEY_LEN];
	struct skap_tenant t;
	sqlite3_stmt *s;
	int64_t gid;
	int err;

	err = skap_tenant_get(st, in->tenant_id, &t);
	if (!err)
		err = bkey_group(st, in, &gid);
	if (err)
		return err;
	err = skap_random(raw, sizeof(raw));
	if (!err)
		err = bkey_lookup(st, raw, lookup);
	if (!err)
		err = skap_random(sealed, SKAP_AEAD_NONCE_LEN);
	bkey_aad(lookup, aad);
	if (!err)
		err = skap_aead_seal(st->keys + K_SEAL, sealed, aad, sizeof(aad), raw, sizeof(raw),
				     sealed + SKAP_AEAD_NONCE_LEN);
	if (!err)
		bkey_format(raw, key);
	skap_wipe(raw, sizeof(raw));
	if (err)
		return err;

	err = st_prep(st, "INSERT INTO bootstrap_keys(tenant_id, name, description, group_id, "
		       "auto_accept, expires, max_uses, disabled, lookup, sealed, created) "
		       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s);
	if (!err) {
		sqlite3_bind_int64(s, 1, in->tenant_id);
		sqlite3_bind_text(s, 2, in->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, in->description, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 4, gid);
		sqlite3_bind_int(s, 5, in->auto_accept);
		sqlite3_bind_int64(s, 6, in->expires);
		sqlite3_bind_int64(s, 7, in->max_uses);
		sqlite3_bind_int(s, 8, in->disabled);
		sqlite3_bind_blob(s, 9, lookup, sizeof(lookup), SQLITE_TRANSIENT);
		sqlite3_bind_blob(s, 10, sealed, sizeof(sealed), SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 11, st_now());
		err = st_step_done(st, s);
	}
	if (!err && id)
		*id = sqlite3_last_insert_rowid(st->db);
	if (!err)
		err = st_audit_insert(st, in->tenant_id, actor, "bootstrap_key.create", in->name,
				   in->auto_accept ? "auto-accept" : "manual-accept");
	if (err)
		skap_wipe(key, SKAP_BKEY_STR_SIZE);
	return err;
}

int skap_bkey_create(struct skap_store *st, const char *actor, const struct skap_bkey *in,
		     int64_t *id, char key[SKAP_BKEY_STR_SIZE])
{
	int err;

	if (!st || !st_actor_valid(actor) || !in || !key || in->tenant_id <= 0 ||
	    !bkey_fields_valid(in))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = bkey_insert(st, actor, in, id, key);
	err = st_tx_end(st, err);
	if (err)
		skap_wipe(key, SKAP_BKEY_STR_SIZE);
	return err;
}

int skap_bkey_get(struct skap_store *st, int64_t id, struct skap_bkey *k)
{
	if (!st || !k || id <= 0)
		return -EINVAL;
	return st_row_by_id(st, "SELECT " BKEY_COLS " FROM bootstrap_keys WHERE id = ?", id,
			    bkey_row, k);
}

int skap_bkey_list(struct skap_store *st, int64_t tenant_id, int64_t after, size_t limit,
		   struct skap_bkey **out, size_t *n)
{
	if (!st || tenant_id <= 0 || after < 0 || !st_list_args_valid(limit, out, n))
		return -EINVAL;
	return st_list_in_tenant(st,
			      "SELECT " BKEY_COLS " FROM bootstrap_keys "
			      "WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
			      tenant_id, after, limit, sizeof(**out), bkey_row, (void **)out, n);
}

int skap_bkey_update(struct skap_store *st, const char *actor, const struct skap_bkey *in)
{
	struct skap_bkey cur, want;
	sqlite3_stmt *s;
	int64_t gid;
	int err;

	if (!st || !st_actor_valid(actor) || !in || in->id <= 0 || !bkey_fields_valid(in))
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_bkey_get(st, in->id, &cur);
	if (err)
		return st_tx_end(st, err);
	want = *in;
	want.tenant_id = cur.tenant_id;
	err = bkey_group(st, &want, &gid);
	if (!err)
		err = st_prep(st, "UPDATE bootstrap_keys SET name = ?, description = ?, group_id = ?, "
			       "auto_accept = ?, expires = ?, max_uses = ?, disabled = ? WHERE id = ?",
			   &s);
	if (!err) {
		sqlite3_bind_text(s, 1, in->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, in->description, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 3, gid);
		sqlite3_bind_int(s, 4, in->auto_accept);
		sqlite3_bind_int64(s, 5, in->expires);
		sqlite3_bind_int64(s, 6, in->max_uses);
		sqlite3_bind_int(s, 7, in->disabled);
		sqlite3_bind_int64(s, 8, in->id);
		err = st_step_done(st, s);
	}
	if (!err)
		err = st_audit_insert(st, cur.tenant_id, actor, "bootstrap_key.update", in->name,
				   in->disabled ? "disabled" : "enabled");
	return st_tx_end(st, err);
}

int skap_bkey_delete(struct skap_store *st, const char *actor, int64_t id)
{
	struct skap_bkey k;
	sqlite3_stmt *s;
	int err;

	if (!st || !st_actor_valid(actor) || id <= 0)
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = skap_bkey_get(st, id, &k);
	if (!err)
		err = st_prep(st, "DELETE FROM bootstrap_keys WHERE id = ?", &s);
	if (!err) {
		sqlite3_bind_int64(s, 1, id);
		err = st_step_done(st, s);
	}
	if (!err)
		err = st_audit_insert(st, k.tenant_id, actor, "bootstrap_key.delete", k.name, "");
	return st_tx_end(st, err);
}

int skap_bkey_reveal(struct skap_store *st, const char *actor, int64_t id,
		     char key[SKAP_BKEY_STR_SIZE])
{
	uint8_t raw[BKEY_RAW_LEN], lookup[SKAP_HMAC_LEN], aad[16 + SKAP_HMAC_LEN];
	uint8_t sealed[SEALED_BKEY_LEN];
	char name[SKAP_NAME_MAX + 1];
	int64_t tenant = 0;
	sqlite3_stmt *s;
	int rc, err;

	if (!st || !st_actor_valid(actor) || id <= 0 || !key)
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	err = st_prep(st, "SELECT lookup, sealed, tenant_id, name FROM bootstrap_keys WHERE id = ?",
		   &s);
	if (err)
		return st_tx_end(st, err);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_bytes(s, 0) != SKAP_HMAC_LEN ||
		    sqlite3_column_bytes(s, 1) != SEALED_BKEY_LEN) {
			err = -EIO;
		} else {
			memcpy(lookup, sqlite3_column_blob(s, 0), SKAP_HMAC_LEN);
			memcpy(sealed, sqlite3_column_blob(s, 1), SEALED_BKEY_LEN);
			tenant = sqlite3_column_int64(s, 2);
			st_col_text(s, 3, name, sizeof(name));
		}
	} else {
		err = rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	sqlite3_finalize(s);
	if (err)
		return st_tx_end(st, err);
	bkey_aad(lookup, aad);
	/* A blob that does not open means a wrong master key or tampering. */
	if (skap_aead_open(st->keys + K_SEAL, sealed, aad, sizeof(aad),
			   sealed + SKAP_AEAD_NONCE_LEN, BKEY_RAW_LEN + SKAP_AEAD_TAG_LEN, raw))
		err = -EIO;
	if (!err) {
		bkey_format(raw, key);
		err = st_audit_insert(st, tenant, actor, "bootstrap_key.reveal", name, "");
	}
	skap_wipe(raw, sizeof(raw));
	err = st_tx_end(st, err);
	if (err)
		skap_wipe(key, SKAP_BKEY_STR_SIZE);
	return err;
}

int st_bkey_take(struct skap_store *st, const char *key, int64_t now, struct skap_bkey *k)
{
	uint8_t raw[BKEY_RAW_LEN], lookup[SKAP_HMAC_LEN];
	sqlite3_stmt *s;
	int rc, err;

	memset(k, 0, sizeof(*k));
	err = bkey_parse(key, raw);
	if (err)
		return err;
	err = bkey_lookup(st, raw, lookup);
	skap_wipe(raw, sizeof(raw));
	if (err)
		return err;
	/* One statement checks and counts: two enrollments racing for the
	 * last use cannot both get it. */
	err = st_get(st, "UPDATE bootstrap_keys SET uses = uses + 1 WHERE lookup = ? "
			  "AND disabled = 0 AND (expires = 0 OR expires > ?) "
			  "AND (max_uses = 0 OR uses < max_uses) RETURNING " BKEY_COLS, &s);
	if (err)
		return err;
	sqlite3_bind_blob(s, 1, lookup, sizeof(lookup), SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		bkey_row(s, k);
		rc = sqlite3_step(s);
	}
	err = rc == SQLITE_DONE ? 0 : -EIO;
	if (!err && !k->id)
		err = -EACCES;
	st_put(st, s);
	return err;
}

int skap_bkey_use(struct skap_store *st, const char *key, int64_t now, struct skap_bkey *k)
{
	int err;

	if (!st || !k)
		return -EINVAL;
	err = st_tx_begin(st);
	if (err)
		return err;
	return st_tx_end(st, st_bkey_take(st, key, now, k));
}

int st_seal(struct skap_store *st, const char *label, const char *row, const uint8_t *pt,
	    size_t len, uint8_t *out)
{
	char aad[160];
	int n = snprintf(aad, sizeof(aad), "skap %s v1:%s", label, row);

	if (n < 0 || (size_t)n >= sizeof(aad) || skap_random(out, SKAP_AEAD_NONCE_LEN))
		return -EIO;
	return skap_aead_seal(st->keys + K_SEAL, out, aad, (size_t)n, pt, len,
			      out + SKAP_AEAD_NONCE_LEN) ? -EIO : 0;
}

int st_open(struct skap_store *st, const char *label, const char *row, const uint8_t *in,
	    size_t len, uint8_t *out)
{
	char aad[160];
	int n = snprintf(aad, sizeof(aad), "skap %s v1:%s", label, row);

	if (n < 0 || (size_t)n >= sizeof(aad) || len < SKAP_AEAD_NONCE_LEN + SKAP_AEAD_TAG_LEN)
		return -EIO;
	return skap_aead_open(st->keys + K_SEAL, in, aad, (size_t)n, in + SKAP_AEAD_NONCE_LEN,
			      len - SKAP_AEAD_NONCE_LEN, out) ? -EIO : 0;
}

/* ---- audit ---- */

static void audit_row(sqlite3_stmt *s, void *item)
{
	struct skap_audit *a = item;

	a->id = sqlite3_column_int64(s, 0);
	a->time = sqlite3_column_int64(s, 1);
	a->tenant_id = sqlite3_column_int64(s, 2);	/* NULL reads as 0 */
	st_col_text(s, 3, a->actor, sizeof(a->actor));
	st_col_text(s, 4, a->action, sizeof(a->action));
	st_col_text(s, 5, a->object, sizeof(a->object));
	st_col_text(s, 6, a->detail, sizeof(a->detail));
}

int skap_audit_append(struct skap_store *st, int64_t tenant_id, const char *actor,
		      const char *action, const char *object, const char *detail)
{
	int err;

	if (!st || !st_actor_valid(actor) || tenant_id < 0 || !action || !*action ||
	    !st_text_valid(action, 47) || (object && !st_text_valid(object, SKAP_NAME_MAX + 31)) ||
	    (detail && !st_text_valid(detail, SKAP_DESC_MAX)))
		return -EINVAL;
	if (st->batch) {
		/*
		 * One INSERT is atomic by itself: inside a batch it needs no
		 * savepoint of its own (two statements saved on every key ticket).
		 */
		if (batch_lost(st))
			return -EIO;
		err = st_audit_insert(st, tenant_id, actor, action, object, detail);
		return batch_lost(st) && !err ? -EIO : err;
	}
	err = st_tx_begin(st);
	if (err)
		return err;
	err = st_audit_insert(st, tenant_id, actor, action, object, detail);
	return st_tx_end(st, err);
}

int skap_audit_list(struct skap_store *st, int64_t tenant_id, int64_t after, size_t limit,
		    struct skap_audit **out, size_t *n)
{
	sqlite3_stmt *s;
	int err;

	if (!st || after < 0 || !st_list_args_valid(limit, out, n))
		return -EINVAL;
	err = st_prep(st, "SELECT id, time, tenant_id, actor, action, object, detail FROM audit "
		       "WHERE (?1 < 0 OR tenant_id = ?1) AND id > ?2 ORDER BY id LIMIT ?3", &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, tenant_id);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int64(s, 3, (int64_t)limit);
	return st_list_run(st, s, sizeof(**out), limit, audit_row, (void **)out, n);
}
