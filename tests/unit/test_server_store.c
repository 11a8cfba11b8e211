// SPDX-License-Identifier: GPL-2.0
/*
 * skap-server's store on a real SQLite file: schema and migrations, tenants
 * with their default group and key, users and Argon2id logins, the
 * bootstrap-key life cycle, the append-only audit log, batches (group
 * commit), and bad input that changes nothing.
 */

#include <skap/crypto.h>
#include <skap/store.h>

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

static const struct skap_store_opts fast = { .argon2_t = 1, .argon2_m_kib = 64 };

/* Rows in TABLE, read over a separate connection. */
static int rows(const char *db, const char *table)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	char sql[128];
	int n = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(h);
	return n;
}

/* Whether the file holds NEEDLE anywhere. */
static int one_file_contains(const char *path, const void *needle, size_t n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	size_t len;
	int found = 0;

	if (!f)
		return 0;
	buf = malloc(1 << 22);
	len = fread(buf, 1, 1 << 22, f);
	fclose(f);
	for (size_t i = 0; i + n <= len && !found; i++)
		found = !memcmp(buf + i, needle, n);
	free(buf);
	return found;
}

/* Whether the database or its write-ahead log holds NEEDLE. */
static int file_contains(const char *db, const void *needle, size_t n)
{
	char wal[128];

	snprintf(wal, sizeof(wal), "%s-wal", db);
	return one_file_contains(db, needle, n) || one_file_contains(wal, needle, n);
}

FIXTURE(store)
{
	char dir[64];
	char db[96];
	char keyfile[96];
	uint8_t master[SKAP_MASTER_KEY_LEN];
	struct skap_store *st;
	int64_t tenant;
};

FIXTURE_SETUP(store)
{
	struct stat sb;

	strcpy(self->dir, "/tmp/skap-store-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->db, sizeof(self->db), "%s/skap.db", self->dir);
	snprintf(self->keyfile, sizeof(self->keyfile), "%s/master.key", self->dir);
	ASSERT_EQ(0, skap_master_key_create(self->keyfile));
	ASSERT_EQ(0, stat(self->keyfile, &sb));
	ASSERT_EQ(0600, sb.st_mode & 0777);
	ASSERT_EQ(0, skap_master_key_load(self->keyfile, self->master));
	ASSERT_EQ(0, skap_store_open(self->db, self->master, &fast, &self->st));
	ASSERT_EQ(0, skap_tenant_create(self->st, "system", "acme", &self->tenant));
}

FIXTURE_TEARDOWN(store)
{
	char cmd[128];

	skap_store_close(self->st);
	skap_wipe(self->master, sizeof(self->master));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("cleanup of %s failed", self->dir);
}

TEST_F(store, master_key_file)
{
	uint8_t k[SKAP_MASTER_KEY_LEN];

	EXPECT_EQ(-EEXIST, skap_master_key_create(self->keyfile));
	ASSERT_EQ(0, chmod(self->keyfile, 0644));
	EXPECT_EQ(-EPERM, skap_master_key_load(self->keyfile, k));
}

TEST_F(store, schema_and_file_mode)
{
	struct stat sb;

	EXPECT_EQ(skap_store_schema_version(), skap_store_db_version(self->st));
	ASSERT_EQ(0, stat(self->db, &sb));
	EXPECT_EQ(0600, sb.st_mode & 0777);
}

TEST_F(store, newer_schema_refused)
{
	struct skap_store *st2 = NULL;
	sqlite3 *h;

	skap_store_close(self->st);
	self->st = NULL;
	ASSERT_EQ(SQLITE_OK, sqlite3_open(self->db, &h));
	ASSERT_EQ(SQLITE_OK, sqlite3_exec(h, "PRAGMA user_version = 999", NULL, NULL, NULL));
	sqlite3_close(h);
	EXPECT_EQ(-EPROTO, skap_store_open(self->db, self->master, &fast, &st2));
	EXPECT_EQ(NULL, st2);
}

TEST_F(store, tenant_default_group_and_key)
{
	struct skap_tenant t;
	struct skap_group g;
	struct skap_bkey *keys;
	size_t n;

	ASSERT_EQ(0, skap_tenant_get(self->st, self->tenant, &t));
	EXPECT_STREQ("acme", t.name);
	EXPECT_EQ(0, t.ota_tls);
	ASSERT_EQ(0, skap_group_by_name(self->st, self->tenant, "default", &g));
	ASSERT_EQ(0, skap_bkey_list(self->st, self->tenant, 0, 10, &keys, &n));
	ASSERT_EQ(1, n);
	EXPECT_STREQ("default", keys[0].name);
	EXPECT_EQ(g.id, keys[0].group_id);
	EXPECT_EQ(0, keys[0].auto_accept);
	free(keys);
}

TEST_F(store, tenant_bad_input_changes_nothing)
{
	struct skap_tenant t;
	char longname[SKAP_NAME_MAX + 2];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	EXPECT_EQ(-EEXIST, skap_tenant_create(self->st, "system", "acme", NULL));
	EXPECT_EQ(-EINVAL, skap_tenant_create(self->st, "system", "", NULL));
	EXPECT_EQ(-EINVAL, skap_tenant_create(self->st, "system", "a b", NULL));
	EXPECT_EQ(-EINVAL, skap_tenant_create(self->st, "system", "-x", NULL));
	EXPECT_EQ(-EINVAL, skap_tenant_create(self->st, "system", longname, NULL));
	EXPECT_EQ(-EINVAL, skap_tenant_create(self->st, "", "other", NULL));
	EXPECT_EQ(-EINVAL, skap_tenant_create(self->st, NULL, "other", NULL));
	EXPECT_EQ(1, rows(self->db, "tenants"));
	EXPECT_EQ(1, rows(self->db, "dev_groups"));
	EXPECT_EQ(1, rows(self->db, "bootstrap_keys"));
	EXPECT_EQ(2, rows(self->db, "audit"));
	EXPECT_EQ(-ENOENT, skap_tenant_get(self->st, 999, &t));
	EXPECT_EQ(-ENOENT, skap_tenant_by_name(self->st, "nobody", &t));
	EXPECT_EQ(-ENOENT, skap_tenant_set_ota_tls(self->st, "system", 999, 1));
	EXPECT_EQ(-EINVAL, skap_tenant_set_ota_tls(self->st, "system", self->tenant, 2));
	EXPECT_EQ(2, rows(self->db, "audit"));
}

TEST_F(store, tenant_list_pages)
{
	struct skap_tenant *t;
	char name[16];
	size_t n, total = 0;
	int64_t after = 0;

	for (int i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		ASSERT_EQ(0, skap_tenant_create(self->st, "system", name, NULL));
	}
	do {
		ASSERT_EQ(0, skap_tenant_list(self->st, after, 3, &t, &n));
		ASSERT_LE(n, 3);
		for (size_t i = 0; i < n; i++) {
			EXPECT_GT(t[i].id, after);
			after = t[i].id;
		}
		total += n;
		free(t);
	} while (n == 3);
	EXPECT_EQ(8, total);
	EXPECT_EQ(-EINVAL, skap_tenant_list(self->st, 0, 0, &t, &n));
	EXPECT_EQ(-EINVAL, skap_tenant_list(self->st, 0, SKAP_STORE_LIST_MAX + 1, &t, &n));
	EXPECT_EQ(-EINVAL, skap_tenant_list(self->st, -1, 10, &t, &n));
}

TEST_F(store, users_and_login)
{
	struct skap_user u;
	enum skap_role r;
	int64_t owner, op;

	ASSERT_EQ(0, skap_user_create(self->st, "system", self->tenant, "alice",
				      SKAP_ROLE_OWNER, "correct horse", &owner));
	ASSERT_EQ(0, skap_user_create(self->st, "user:alice", self->tenant, "bob",
				      SKAP_ROLE_OPERATOR, "battery staple", &op));
	ASSERT_EQ(0, skap_user_verify(self->st, "alice", "correct horse", &u));
	EXPECT_EQ(owner, u.id);
	EXPECT_EQ(SKAP_ROLE_OWNER, u.role);
	EXPECT_EQ(-EACCES, skap_user_verify(self->st, "alice", "correct horsf", &u));
	EXPECT_EQ(-EACCES, skap_user_verify(self->st, "nobody", "correct horse", &u));
	EXPECT_EQ(-EACCES, skap_user_verify(self->st, "alice", "", &u));
	EXPECT_EQ(-EACCES, skap_user_verify(self->st, "a b", "correct horse", &u));

	/* The hash is Argon2id, the password is nowhere in the file. */
	EXPECT_EQ(1, file_contains(self->db, "alice", 5));	/* the check can see */
	EXPECT_EQ(0, file_contains(self->db, "correct horse", 13));

	ASSERT_EQ(0, skap_user_set_password(self->st, "user:alice", op, "new password"));
	EXPECT_EQ(-EACCES, skap_user_verify(self->st, "bob", "battery staple", &u));
	EXPECT_EQ(0, skap_user_verify(self->st, "bob", "new password", &u));
	ASSERT_EQ(0, skap_user_set_disabled(self->st, "user:alice", op, 1));
	EXPECT_EQ(-EACCES, skap_user_verify(self->st, "bob", "new password", &u));

	/* The last owner stays an owner. */
	EXPECT_EQ(-EPERM, skap_user_set_role(self->st, "user:alice", owner, SKAP_ROLE_ADMIN));
	EXPECT_EQ(-EPERM, skap_user_set_disabled(self->st, "user:alice", owner, 1));
	EXPECT_EQ(-EPERM, skap_user_delete(self->st, "user:alice", owner));
	ASSERT_EQ(0, skap_user_set_disabled(self->st, "user:alice", op, 0));
	ASSERT_EQ(0, skap_user_set_role(self->st, "user:alice", op, SKAP_ROLE_OWNER));
	EXPECT_EQ(0, skap_user_set_role(self->st, "user:bob", owner, SKAP_ROLE_AUDITOR));
	ASSERT_EQ(0, skap_user_get(self->st, owner, &u));
	EXPECT_EQ(SKAP_ROLE_AUDITOR, u.role);
	EXPECT_EQ(0, skap_user_delete(self->st, "user:bob", owner));
	EXPECT_EQ(-ENOENT, skap_user_get(self->st, owner, &u));

	EXPECT_EQ(0, skap_role_parse("enroller", &r));
	EXPECT_EQ(SKAP_ROLE_ENROLLER, r);
	EXPECT_EQ(-EINVAL, skap_role_parse("root", &r));
	EXPECT_EQ(NULL, skap_role_name(SKAP_ROLE__COUNT));
}

TEST_F(store, user_bad_input_changes_nothing)
{
	char longpw[SKAP_PASSWORD_MAX + 2];
	int audit = rows(self->db, "audit");

	memset(longpw, 'p', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = 0;
	ASSERT_EQ(0, skap_user_create(self->st, "system", self->tenant, "alice",
				      SKAP_ROLE_OWNER, "correct horse", NULL));
	audit++;
	EXPECT_EQ(-EEXIST, skap_user_create(self->st, "system", self->tenant, "alice",
					    SKAP_ROLE_ADMIN, "other password", NULL));
	EXPECT_EQ(-EINVAL, skap_user_create(self->st, "system", self->tenant, "carol",
					    SKAP_ROLE_ADMIN, "short", NULL));
	EXPECT_EQ(-EINVAL, skap_user_create(self->st, "system", self->tenant, "carol",
					    SKAP_ROLE_ADMIN, longpw, NULL));
	EXPECT_EQ(-EINVAL, skap_user_create(self->st, "system", self->tenant, "carol",
					    (enum skap_role)9, "long enough", NULL));
	EXPECT_EQ(-EINVAL, skap_user_create(self->st, "system", self->tenant, "ca/rol",
					    SKAP_ROLE_ADMIN, "long enough", NULL));
	EXPECT_EQ(-ENOENT, skap_user_create(self->st, "system", 999, "carol",
					    SKAP_ROLE_ADMIN, "long enough", NULL));
	EXPECT_EQ(-ENOENT, skap_user_set_password(self->st, "system", 999, "long enough"));
	EXPECT_EQ(-ENOENT, skap_user_delete(self->st, "system", 999));
	EXPECT_EQ(1, rows(self->db, "users"));
	EXPECT_EQ(audit, rows(self->db, "audit"));
}

TEST_F(store, bkey_life_cycle)
{
	struct skap_bkey in = { 0 }, k, used;
	char key[SKAP_BKEY_STR_SIZE], again[SKAP_BKEY_STR_SIZE];
	int64_t id, gid;
	time_t now = time(NULL);

	ASSERT_EQ(0, skap_group_create(self->st, "system", self->tenant, "batch-7", &gid));
	in.tenant_id = self->tenant;
	snprintf(in.name, sizeof(in.name), "batch-7");
	snprintf(in.description, sizeof(in.description), "production batch 7");
	in.group_id = gid;
	in.auto_accept = 1;
	in.max_uses = 2;
	ASSERT_EQ(0, skap_bkey_create(self->st, "user:alice", &in, &id, key));
	EXPECT_EQ(SKAP_BKEY_STR_LEN, strlen(key));
	EXPECT_EQ(0, strncmp(key, "skb1_", 5));

	/* Stored neither in clear nor as its bytes. */
	EXPECT_EQ(0, file_contains(self->db, key, SKAP_BKEY_STR_LEN));
	EXPECT_EQ(0, file_contains(self->db, key + 5, 64));

	/* Revealed again for an administrator. */
	ASSERT_EQ(0, skap_bkey_reveal(self->st, "user:alice", id, again));
	EXPECT_STREQ(key, again);

	/* Used up after max_uses. */
	ASSERT_EQ(0, skap_bkey_use(self->st, key, now, &used));
	EXPECT_EQ(id, used.id);
	EXPECT_EQ(gid, used.group_id);
	EXPECT_EQ(1, used.auto_accept);
	EXPECT_EQ(1, used.uses);
	ASSERT_EQ(0, skap_bkey_use(self->st, key, now, &used));
	EXPECT_EQ(-EACCES, skap_bkey_use(self->st, key, now, &used));
	ASSERT_EQ(0, skap_bkey_get(self->st, id, &k));
	EXPECT_EQ(2, k.uses);

	/* Edited: unlimited, then disabled, then expired. */
	k.max_uses = 0;
	ASSERT_EQ(0, skap_bkey_update(self->st, "user:alice", &k));
	ASSERT_EQ(0, skap_bkey_use(self->st, key, now, &used));
	k.disabled = 1;
	ASSERT_EQ(0, skap_bkey_update(self->st, "user:alice", &k));
	EXPECT_EQ(-EACCES, skap_bkey_use(self->st, key, now, &used));
	k.disabled = 0;
	k.expires = now + 60;
	ASSERT_EQ(0, skap_bkey_update(self->st, "user:alice", &k));
	EXPECT_EQ(0, skap_bkey_use(self->st, key, now, &used));
	EXPECT_EQ(-EACCES, skap_bkey_use(self->st, key, now + 60, &used));

	/* Deleted: admits nobody, reveals nothing. */
	ASSERT_EQ(0, skap_bkey_delete(self->st, "user:alice", id));
	EXPECT_EQ(-EACCES, skap_bkey_use(self->st, key, now, &used));
	EXPECT_EQ(-ENOENT, skap_bkey_reveal(self->st, "user:alice", id, again));
	EXPECT_EQ(-ENOENT, skap_bkey_delete(self->st, "user:alice", id));
}

TEST_F(store, bkey_default_key_works)
{
	struct skap_bkey *keys, used;
	char key[SKAP_BKEY_STR_SIZE];
	size_t n;

	ASSERT_EQ(0, skap_bkey_list(self->st, self->tenant, 0, 10, &keys, &n));
	ASSERT_EQ(1, n);
	ASSERT_EQ(0, skap_bkey_reveal(self->st, "user:alice", keys[0].id, key));
	ASSERT_EQ(0, skap_bkey_use(self->st, key, time(NULL), &used));
	EXPECT_EQ(keys[0].id, used.id);
	EXPECT_EQ(0, used.auto_accept);
	free(keys);
}

TEST_F(store, bkey_bad_input_changes_nothing)
{
	struct skap_bkey in = { 0 }, used, k;
	char key[SKAP_BKEY_STR_SIZE], bad[SKAP_BKEY_STR_SIZE];
	int64_t other, ogid, id;
	int audit;
	struct skap_group og;

	ASSERT_EQ(0, skap_tenant_create(self->st, "system", "other", &other));
	ASSERT_EQ(0, skap_group_by_name(self->st, other, "default", &og));
	ogid = og.id;
	audit = rows(self->db, "audit");
	in.tenant_id = self->tenant;
	snprintf(in.name, sizeof(in.name), "default");
	EXPECT_EQ(-EEXIST, skap_bkey_create(self->st, "system", &in, NULL, key));
	snprintf(in.name, sizeof(in.name), "k2");
	in.group_id = ogid;	/* another tenant's group */
	EXPECT_EQ(-ENOENT, skap_bkey_create(self->st, "system", &in, NULL, key));
	in.group_id = 0;
	in.auto_accept = 2;
	EXPECT_EQ(-EINVAL, skap_bkey_create(self->st, "system", &in, NULL, key));
	in.auto_accept = 0;
	in.max_uses = -1;
	EXPECT_EQ(-EINVAL, skap_bkey_create(self->st, "system", &in, NULL, key));
	in.max_uses = 0;
	snprintf(in.description, sizeof(in.description), "tab\there");
	EXPECT_EQ(-EINVAL, skap_bkey_create(self->st, "system", &in, NULL, key));
	in.description[0] = 0;
	in.tenant_id = 999;
	EXPECT_EQ(-ENOENT, skap_bkey_create(self->st, "system", &in, NULL, key));
	EXPECT_EQ(2, rows(self->db, "bootstrap_keys"));
	EXPECT_EQ(audit, rows(self->db, "audit"));

	/* Malformed keys are told apart from refused ones. */
	EXPECT_EQ(-EINVAL, skap_bkey_use(self->st, "", 0, &used));
	EXPECT_EQ(-EINVAL, skap_bkey_use(self->st, "skb1_zz", 0, &used));
	memset(bad, 'a', SKAP_BKEY_STR_LEN);
	memcpy(bad, "skb1_", 5);
	bad[SKAP_BKEY_STR_LEN] = 0;
	EXPECT_EQ(-EACCES, skap_bkey_use(self->st, bad, 0, &used));
	bad[10] = 'A';
	EXPECT_EQ(-EINVAL, skap_bkey_use(self->st, bad, 0, &used));

	/* Moving a key into another tenant's group is refused. */
	in.tenant_id = self->tenant;
	ASSERT_EQ(0, skap_bkey_create(self->st, "system", &in, &id, key));
	ASSERT_EQ(0, skap_bkey_get(self->st, id, &k));
	k.group_id = ogid;
	EXPECT_EQ(-ENOENT, skap_bkey_update(self->st, "system", &k));
	k.id = 999;
	k.group_id = 0;
	EXPECT_EQ(-ENOENT, skap_bkey_update(self->st, "system", &k));
	ASSERT_EQ(0, skap_bkey_get(self->st, id, &k));
	EXPECT_EQ(0, k.uses);
}

TEST_F(store, wrong_master_key_reveals_nothing)
{
	struct skap_bkey *keys, used;
	char key[SKAP_BKEY_STR_SIZE];
	uint8_t other[SKAP_MASTER_KEY_LEN];
	size_t n;

	ASSERT_EQ(0, skap_bkey_list(self->st, self->tenant, 0, 10, &keys, &n));
	ASSERT_EQ(0, skap_bkey_reveal(self->st, "system", keys[0].id, key));
	skap_store_close(self->st);
	memcpy(other, self->master, sizeof(other));
	other[0] ^= 1;
	ASSERT_EQ(0, skap_store_open(self->db, other, &fast, &self->st));
	char out[SKAP_BKEY_STR_SIZE];

	EXPECT_EQ(-EIO, skap_bkey_reveal(self->st, "system", keys[0].id, out));
	/* The lookup key differs too: the key is not found. */
	EXPECT_EQ(-EACCES, skap_bkey_use(self->st, key, time(NULL), &used));
	free(keys);
}

TEST_F(store, restart_keeps_everything)
{
	struct skap_user u;
	struct skap_bkey *keys;
	char key[SKAP_BKEY_STR_SIZE], again[SKAP_BKEY_STR_SIZE];
	size_t n;

	ASSERT_EQ(0, skap_user_create(self->st, "system", self->tenant, "alice",
				      SKAP_ROLE_OWNER, "correct horse", NULL));
	ASSERT_EQ(0, skap_bkey_list(self->st, self->tenant, 0, 10, &keys, &n));
	ASSERT_EQ(0, skap_bkey_reveal(self->st, "system", keys[0].id, key));
	skap_store_close(self->st);
	ASSERT_EQ(0, skap_store_open(self->db, self->master, &fast, &self->st));
	EXPECT_EQ(0, skap_user_verify(self->st, "alice", "correct horse", &u));
	ASSERT_EQ(0, skap_bkey_reveal(self->st, "system", keys[0].id, again));
	EXPECT_STREQ(key, again);
	free(keys);
}

/* Group commit: one transaction, each mutation in it failing alone. */
TEST_F(store, batch_commits_together)
{
	struct skap_tenant t;

	ASSERT_EQ(0, skap_store_batch_begin(self->st));
	EXPECT_EQ(-EINVAL, skap_store_batch_begin(self->st));
	EXPECT_EQ(1, skap_store_in_batch(self->st));
	ASSERT_EQ(0, skap_tenant_create(self->st, "system", "beta", NULL));
	EXPECT_EQ(-EEXIST, skap_tenant_create(self->st, "system", "acme", NULL));
	EXPECT_EQ(-EINVAL, skap_tenant_create(self->st, "system", "a b", NULL));
	ASSERT_EQ(0, skap_audit_append(self->st, 0, "system", "test.event", "x", ""));
	/* Seen inside, not yet by others. */
	EXPECT_EQ(0, skap_tenant_by_name(self->st, "beta", &t));
	EXPECT_EQ(1, rows(self->db, "tenants"));
	EXPECT_EQ(2, rows(self->db, "audit"));
	ASSERT_EQ(0, skap_store_batch_commit(self->st));
	EXPECT_EQ(0, skap_store_in_batch(self->st));
	EXPECT_EQ(-EINVAL, skap_store_batch_commit(self->st));
	EXPECT_EQ(2, rows(self->db, "tenants"));
	EXPECT_EQ(2, rows(self->db, "dev_groups"));
	/* beta's creation and its key, the event; nothing of the refused ones. */
	EXPECT_EQ(5, rows(self->db, "audit"));
	/* After the batch, each mutation is its own transaction again. */
	ASSERT_EQ(0, skap_tenant_create(self->st, "system", "gamma", NULL));
	EXPECT_EQ(3, rows(self->db, "tenants"));
}

TEST_F(store, batch_not_committed_is_gone)
{
	struct skap_tenant t;

	ASSERT_EQ(0, skap_store_batch_begin(self->st));
	ASSERT_EQ(0, skap_tenant_create(self->st, "system", "beta", NULL));
	skap_store_close(self->st);
	ASSERT_EQ(0, skap_store_open(self->db, self->master, &fast, &self->st));
	EXPECT_EQ(-ENOENT, skap_tenant_by_name(self->st, "beta", &t));
	EXPECT_EQ(1, rows(self->db, "tenants"));
	EXPECT_EQ(2, rows(self->db, "audit"));
}

TEST_F(store, audit_is_append_only)
{
	struct skap_audit *a;
	size_t n;
	sqlite3 *h;

	ASSERT_EQ(0, skap_audit_append(self->st, self->tenant, "user:alice", "login", "alice",
				       "from 127.0.0.1"));
	ASSERT_EQ(0, skap_audit_list(self->st, self->tenant, 0, 100, &a, &n));
	ASSERT_EQ(3, n);
	EXPECT_STREQ("tenant.create", a[0].action);
	EXPECT_STREQ("bootstrap_key.create", a[1].action);
	EXPECT_STREQ("login", a[2].action);
	EXPECT_STREQ("user:alice", a[2].actor);
	free(a);
	EXPECT_EQ(-EINVAL, skap_audit_append(self->st, self->tenant, "x", "", NULL, NULL));
	EXPECT_EQ(-EINVAL, skap_audit_append(self->st, self->tenant, "x", "a\nb", NULL, NULL));

	ASSERT_EQ(SQLITE_OK, sqlite3_open(self->db, &h));
	EXPECT_NE(SQLITE_OK, sqlite3_exec(h, "DELETE FROM audit", NULL, NULL, NULL));
	EXPECT_NE(SQLITE_OK, sqlite3_exec(h, "UPDATE audit SET actor = 'x'", NULL, NULL, NULL));
	sqlite3_close(h);
	EXPECT_EQ(3, rows(self->db, "audit"));
}

struct racer {
	struct skap_store *st;
	const char *key;
	int ok;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct skap_bkey used;

	for (int i = 0; i < 20; i++)
		if (skap_bkey_use(r->st, r->key, time(NULL), &used) == 0)
			r->ok++;
	return NULL;
}

/* Four connections racing for 25 uses: exactly 25 succeed. */
TEST_F(store, bkey_max_uses_under_concurrency)
{
	struct skap_bkey in = { 0 }, k;
	char key[SKAP_BKEY_STR_SIZE];
	struct racer r[4];
	pthread_t th[4];
	int64_t id;
	int total = 0;

	in.tenant_id = self->tenant;
	snprintf(in.name, sizeof(in.name), "race");
	in.max_uses = 25;
	ASSERT_EQ(0, skap_bkey_create(self->st, "system", &in, &id, key));
	for (int i = 0; i < 4; i++) {
		r[i].key = key;
		r[i].ok = 0;
		ASSERT_EQ(0, skap_store_open(self->db, self->master, &fast, &r[i].st));
	}
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, race, &r[i]));
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		total += r[i].ok;
		skap_store_close(r[i].st);
	}
	EXPECT_EQ(25, total);
	ASSERT_EQ(0, skap_bkey_get(self->st, id, &k));
	EXPECT_EQ(25, k.uses);
}

TEST_HARNESS_MAIN
