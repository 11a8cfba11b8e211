// SPDX-License-Identifier: GPL-2.0
/*
 * skap-server's store on a real SQLite file: schema and migrations, tenants
 * with their default group and key, users and Argon2id logins, the
 * bootstrap-key life cycle, the append-only audit log, batches (group
 * commit), and bad input that changes nothing. Networks, groups' settings,
 * peerings across tenants, the key policy matrix, device administration
 * (rename, move, delete, rebind and the one re-enrollment it allows),
 * administrators' sessions, and the upgrade from schema 2.
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

TEST_F(store, sessions_survive_a_restart_and_follow_their_user)
{
	uint8_t h1[32], h2[32], h3[32];
	struct skap_session s;
	struct skap_audit *a;
	struct skap_user u;
	int64_t id, now = time(NULL);
	size_t n;

	memset(h1, 1, 32);
	memset(h2, 2, 32);
	memset(h3, 3, 32);
	ASSERT_EQ(0, skap_user_create(self->st, "system", self->tenant, "carol",
				      SKAP_ROLE_OPERATOR, "correct horse", &id));
	ASSERT_EQ(0, skap_user_get(self->st, id, &u));
	ASSERT_EQ(0, skap_session_create(self->st, h1, &u, now + 3600, "192.0.2.9"));
	ASSERT_EQ(0, skap_session_create(self->st, h2, &u, now + 3600, NULL));
	EXPECT_EQ(-EINVAL, skap_session_create(self->st, h3, &u, now - 1, NULL));
	ASSERT_EQ(0, skap_audit_list(self->st, self->tenant, 0, 1000, &a, &n));
	ASSERT_LT(0, n);
	EXPECT_STREQ("login", a[n - 1].action);
	EXPECT_STREQ("user:carol", a[n - 1].actor);
	free(a);

	/* A restart keeps them. */
	skap_store_close(self->st);
	ASSERT_EQ(0, skap_store_open(self->db, self->master, &fast, &self->st));
	ASSERT_EQ(0, skap_session_get(self->st, h1, now, &s));
	EXPECT_EQ(id, s.user_id);
	EXPECT_EQ(self->tenant, s.tenant_id);
	EXPECT_EQ(SKAP_ROLE_OPERATOR, s.role);
	EXPECT_STREQ("carol", s.user);
	EXPECT_EQ(-ENOENT, skap_session_get(self->st, h3, now, &s));
	/* Expired at its time; the role is the user's current one. */
	EXPECT_EQ(-ENOENT, skap_session_get(self->st, h1, now + 3600, &s));
	ASSERT_EQ(0, skap_user_set_role(self->st, "system", id, SKAP_ROLE_AUDITOR));
	ASSERT_EQ(0, skap_session_get(self->st, h2, now, &s));
	EXPECT_EQ(SKAP_ROLE_AUDITOR, s.role);
	/* A disabled user's sessions stop at once. */
	ASSERT_EQ(0, skap_user_set_disabled(self->st, "system", id, 1));
	EXPECT_EQ(-ENOENT, skap_session_get(self->st, h2, now, &s));
	ASSERT_EQ(0, skap_user_set_disabled(self->st, "system", id, 0));
	/* Logout, and the end of every session of a user. */
	EXPECT_EQ(0, skap_session_delete(self->st, "user:carol", self->tenant, h1));
	EXPECT_EQ(-ENOENT, skap_session_get(self->st, h1, now, &s));
	EXPECT_EQ(-ENOENT, skap_session_delete(self->st, "user:carol", self->tenant, h1));
	EXPECT_EQ(0, skap_session_get(self->st, h2, now, &s));
	EXPECT_EQ(0, skap_session_delete_user(self->st, id));
	EXPECT_EQ(-ENOENT, skap_session_get(self->st, h2, now, &s));
	/* The database holds hashes: a deleted user takes its sessions along. */
	ASSERT_EQ(0, skap_session_create(self->st, h3, &u, now + 60, NULL));
	ASSERT_EQ(0, skap_user_delete(self->st, "system", id));
	EXPECT_EQ(-ENOENT, skap_session_get(self->st, h3, now, &s));
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

	struct skap_group gin = {.tenant_id = self->tenant, .name = "batch-7"};

	ASSERT_EQ(0, skap_group_create(self->st, "system", &gin, &gid));
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

/* ---- networks, groups, peerings, key policy, device administration ---- */

/* An auto-accept key of TENANT into GROUP (0: default): the key text in KEY. */
static int auto_key(struct skap_store *st, int64_t tenant, int64_t group, const char *name,
		    char key[SKAP_BKEY_STR_SIZE])
{
	struct skap_bkey in = {.tenant_id = tenant, .group_id = group, .auto_accept = 1};

	snprintf(in.name, sizeof(in.name), "%s", name);
	return skap_bkey_create(st, "system", &in, NULL, key);
}

/* Enrolls the identity whose public key is 32 times SEED with KEY. */
static int enroll(struct skap_store *st, const char *key, uint8_t seed, const char *name,
		  struct skap_device *d, uint8_t dmk[SKAP_DEVICE_DMK_LEN], int *fresh)
{
	uint8_t pub[SKAP_DEVICE_PUB_LEN];
	struct skap_enroll_in in = {
		.method = "ota-quantum",
		.public_key = pub,
		.fingerprint = "SHA256:test",
		.report = "{}",
		.bootstrap_key = key,
		.source = "192.0.2.1",
	};

	memset(pub, seed, sizeof(pub));
	return skap_device_enroll(st, &in, name, d, dmk, fresh);
}

static int enroll_simple(struct skap_store *st, const char *key, uint8_t seed,
			 struct skap_device *d)
{
	uint8_t dmk[SKAP_DEVICE_DMK_LEN];
	int fresh;

	return enroll(st, key, seed, NULL, d, dmk, &fresh);
}

TEST_F(store, network_life_cycle)
{
	struct skap_network in = {.tenant_id = self->tenant, .name = "lab"}, n, *list;
	struct skap_group g = {.tenant_id = self->tenant, .name = "lab-gw"};
	int64_t nid, gid, def;
	int audit;
	size_t cnt;

	ASSERT_EQ(0, skap_network_by_name(self->st, self->tenant, "default", &n));
	def = n.id;
	snprintf(in.description, sizeof(in.description), "the lab");
	ASSERT_EQ(0, skap_network_create(self->st, "user:alice", &in, &nid));
	ASSERT_EQ(0, skap_network_get(self->st, nid, &n));
	EXPECT_STREQ("lab", n.name);
	EXPECT_STREQ("the lab", n.description);

	audit = rows(self->db, "audit");
	EXPECT_EQ(-EEXIST, skap_network_create(self->st, "user:alice", &in, NULL));
	snprintf(in.name, sizeof(in.name), "a b");
	EXPECT_EQ(-EINVAL, skap_network_create(self->st, "user:alice", &in, NULL));
	snprintf(in.name, sizeof(in.name), "ok");
	snprintf(in.description, sizeof(in.description), "tab\there");
	EXPECT_EQ(-EINVAL, skap_network_create(self->st, "user:alice", &in, NULL));
	n.id = def;
	snprintf(n.name, sizeof(n.name), "renamed");
	EXPECT_EQ(-EPERM, skap_network_update(self->st, "user:alice", &n));
	EXPECT_EQ(-EPERM, skap_network_delete(self->st, "user:alice", def));
	EXPECT_EQ(-ENOENT, skap_network_delete(self->st, "user:alice", 999));
	EXPECT_EQ(audit, rows(self->db, "audit"));
	EXPECT_EQ(2, rows(self->db, "networks"));

	/* A group that lands devices in it keeps it. */
	g.network_id = nid;
	ASSERT_EQ(0, skap_group_create(self->st, "user:alice", &g, &gid));
	EXPECT_EQ(-ENOTEMPTY, skap_network_delete(self->st, "user:alice", nid));
	ASSERT_EQ(0, skap_group_delete(self->st, "user:alice", gid));

	ASSERT_EQ(0, skap_network_get(self->st, nid, &n));
	snprintf(n.name, sizeof(n.name), "lab-2");
	ASSERT_EQ(0, skap_network_update(self->st, "user:alice", &n));
	ASSERT_EQ(0, skap_network_list(self->st, self->tenant, 0, 10, &list, &cnt));
	ASSERT_EQ(2, cnt);
	EXPECT_STREQ("default", list[0].name);
	EXPECT_STREQ("lab-2", list[1].name);
	free(list);
	ASSERT_EQ(0, skap_network_delete(self->st, "user:alice", nid));
	EXPECT_EQ(-ENOENT, skap_network_get(self->st, nid, &n));
}

TEST_F(store, group_config_and_network)
{
	struct skap_group in = {.tenant_id = self->tenant, .name = "branch"}, g;
	struct skap_network other_net;
	struct skap_device d;
	char key[SKAP_BKEY_STR_SIZE];
	int64_t gid, other;
	int audit;

	ASSERT_EQ(0, skap_tenant_create(self->st, "system", "other", &other));
	ASSERT_EQ(0, skap_network_by_name(self->st, other, "default", &other_net));
	snprintf(in.config, sizeof(in.config), "{\"mtu\": 1400}");
	ASSERT_EQ(0, skap_group_create(self->st, "user:alice", &in, &gid));
	ASSERT_EQ(0, skap_group_get(self->st, gid, &g));
	EXPECT_STREQ("{\"mtu\": 1400}", g.config);
	EXPECT_EQ(0, g.network_id);

	audit = rows(self->db, "audit");
	g.network_id = other_net.id;
	EXPECT_EQ(-ENOENT, skap_group_update(self->st, "user:alice", &g));
	g.network_id = 0;
	snprintf(g.config, sizeof(g.config), "[1, 2]");
	EXPECT_EQ(-EINVAL, skap_group_update(self->st, "user:alice", &g));
	snprintf(g.config, sizeof(g.config), "{\"a\": 1, \"a\": 2}");
	EXPECT_EQ(-EINVAL, skap_group_update(self->st, "user:alice", &g));
	snprintf(g.config, sizeof(g.config), "{not json");
	EXPECT_EQ(-EINVAL, skap_group_update(self->st, "user:alice", &g));
	memset(g.config, ' ', sizeof(g.config) - 1);
	g.config[0] = '{';
	g.config[SKAP_GROUP_CONFIG_MAX] = '\0';
	g.config[SKAP_GROUP_CONFIG_MAX - 1] = '}';
	ASSERT_EQ(0, skap_group_update(self->st, "user:alice", &g));
	audit++;
	g.config[SKAP_GROUP_CONFIG_MAX] = ' ';
	EXPECT_EQ(-EINVAL, skap_group_update(self->st, "user:alice", &g));
	ASSERT_EQ(0, skap_group_by_name(self->st, self->tenant, "default", &g));
	snprintf(g.name, sizeof(g.name), "renamed");
	EXPECT_EQ(-EPERM, skap_group_update(self->st, "user:alice", &g));
	EXPECT_EQ(-EPERM, skap_group_delete(self->st, "user:alice", g.id));
	EXPECT_EQ(audit, rows(self->db, "audit"));

	/* Devices enrolled into the group land in its network; it is then in use. */
	ASSERT_EQ(0, skap_group_get(self->st, gid, &g));
	ASSERT_EQ(0, skap_network_create(
			     self->st, "user:alice",
			     &(struct skap_network){.tenant_id = self->tenant, .name = "branches"},
			     &g.network_id));
	snprintf(g.config, sizeof(g.config), "{}");
	ASSERT_EQ(0, skap_group_update(self->st, "user:alice", &g));
	ASSERT_EQ(0, auto_key(self->st, self->tenant, gid, "branch-key", key));
	EXPECT_EQ(-ENOTEMPTY, skap_group_delete(self->st, "user:alice", gid));
	ASSERT_EQ(0, enroll_simple(self->st, key, 7, &d));
	EXPECT_EQ(g.network_id, d.network_id);
	EXPECT_STREQ("branches", d.network);
	EXPECT_STREQ("branch", d.group);
	EXPECT_EQ(SKAP_DEVICE_GATEWAY, d.role);
}

TEST_F(store, peering_life_cycle)
{
	struct skap_peering p, *list;
	struct skap_audit *a;
	int64_t other, third, id, id2;
	size_t n;
	int audit;

	ASSERT_EQ(0, skap_tenant_create(self->st, "system", "other", &other));
	ASSERT_EQ(0, skap_tenant_create(self->st, "system", "third", &third));
	audit = rows(self->db, "audit");
	EXPECT_EQ(-EINVAL, skap_peering_request(self->st, "user:alice", self->tenant, "default",
						"acme", "default", NULL));
	EXPECT_EQ(-ENOENT, skap_peering_request(self->st, "user:alice", self->tenant, "default",
						"nobody", "default", NULL));
	EXPECT_EQ(-ENOENT, skap_peering_request(self->st, "user:alice", self->tenant, "default",
						"other", "nothing", NULL));
	EXPECT_EQ(-ENOENT, skap_peering_request(self->st, "user:alice", self->tenant, "nothing",
						"other", "default", NULL));
	EXPECT_EQ(-ENOENT, skap_peering_request(self->st, "user:alice", self->tenant, "default",
						"bad name", "default", NULL));
	EXPECT_EQ(audit, rows(self->db, "audit"));

	ASSERT_EQ(0, skap_peering_request(self->st, "user:alice", self->tenant, "default", "other",
					  "default", &id));
	/* Both tenants read the request in their audit log. */
	EXPECT_EQ(audit + 2, rows(self->db, "audit"));
	ASSERT_EQ(0, skap_audit_list(self->st, other, 0, 100, &a, &n));
	EXPECT_STREQ("peering.request", a[n - 1].action);
	EXPECT_STREQ("acme/default with other/default", a[n - 1].detail);
	free(a);
	ASSERT_EQ(0, skap_peering_get(self->st, id, &p));
	EXPECT_EQ(SKAP_PEERING_REQUESTED, p.state);
	EXPECT_STREQ("other", p.peer_tenant);
	EXPECT_STREQ("user:alice", p.requested_by);

	/* One live peering per pair of networks, whichever side asks. */
	EXPECT_EQ(-EEXIST, skap_peering_request(self->st, "user:alice", self->tenant, "default",
						"other", "default", NULL));
	EXPECT_EQ(-EEXIST, skap_peering_request(self->st, "user:zed", other, "default", "acme",
						"default", NULL));
	EXPECT_EQ(-EACCES, skap_peering_answer(self->st, "user:alice", self->tenant, id, 1));
	EXPECT_EQ(-ENOENT, skap_peering_answer(self->st, "user:tom", third, id, 1));
	EXPECT_EQ(-ENOENT, skap_peering_end(self->st, "user:tom", third, id));
	EXPECT_EQ(audit + 2, rows(self->db, "audit"));

	ASSERT_EQ(0, skap_peering_answer(self->st, "user:zed", other, id, 1));
	ASSERT_EQ(0, skap_peering_get(self->st, id, &p));
	EXPECT_EQ(SKAP_PEERING_ACTIVE, p.state);
	EXPECT_NE(0, p.accepted);
	EXPECT_EQ(-EPERM, skap_peering_answer(self->st, "user:zed", other, id, 0));
	ASSERT_EQ(0, skap_peering_list(self->st, other, 0, 10, &list, &n));
	EXPECT_EQ(1, n);
	free(list);
	ASSERT_EQ(0, skap_peering_list(self->st, third, 0, 10, &list, &n));
	EXPECT_EQ(0, n);
	free(list);

	/* Either side ends it; the row stays, and a new request may follow. */
	ASSERT_EQ(0, skap_peering_end(self->st, "user:alice", self->tenant, id));
	ASSERT_EQ(0, skap_peering_get(self->st, id, &p));
	EXPECT_EQ(SKAP_PEERING_ENDED, p.state);
	EXPECT_EQ(-EPERM, skap_peering_end(self->st, "user:zed", other, id));
	ASSERT_EQ(0, skap_peering_request(self->st, "user:zed", other, "default", "acme", "default",
					  &id2));
	ASSERT_EQ(0, skap_peering_answer(self->st, "user:alice", self->tenant, id2, 0));
	ASSERT_EQ(0, skap_peering_get(self->st, id2, &p));
	EXPECT_EQ(SKAP_PEERING_REJECTED, p.state);
	EXPECT_EQ(audit + 10, rows(self->db, "audit"));
}

/* Whether A may get a key with B, reread from the store. */
static enum skap_key_refusal policy(struct skap_store *st, const char *a, const char *b)
{
	struct skap_device da, db;
	enum skap_key_refusal why = 99;
	int err;

	if (skap_device_get(st, a, &da) || skap_device_get(st, b, &db))
		return 98;
	err = skap_key_policy(st, &da, &db, &why);
	if ((err == 0) != (why == SKAP_KEY_ALLOWED) || (err && err != -EPERM))
		return 97;
	return why;
}

static int set_role(struct skap_store *st, const char *id, enum skap_device_role role)
{
	struct skap_device_change c = {.role = (int)role};

	return skap_device_update(st, "user:alice", id, &c);
}

TEST_F(store, key_policy_matrix)
{
	struct skap_device a, b, c, d, p;
	struct skap_device_change move = {.role = -1};
	char key[SKAP_BKEY_STR_SIZE], okey[SKAP_BKEY_STR_SIZE], mkey[SKAP_BKEY_STR_SIZE];
	struct skap_bkey manual = {.tenant_id = self->tenant, .name = "manual"};
	int64_t other, lab, peering;

	ASSERT_EQ(0, skap_tenant_create(self->st, "system", "other", &other));
	ASSERT_EQ(0, auto_key(self->st, self->tenant, 0, "auto", key));
	ASSERT_EQ(0, auto_key(self->st, other, 0, "auto", okey));
	ASSERT_EQ(0, skap_bkey_create(self->st, "system", &manual, NULL, mkey));
	ASSERT_EQ(0,
		  skap_network_create(
			  self->st, "user:alice",
			  &(struct skap_network){.tenant_id = self->tenant, .name = "lab"}, &lab));
	ASSERT_EQ(0, enroll_simple(self->st, key, 1, &a));
	ASSERT_EQ(0, enroll_simple(self->st, key, 2, &b));
	ASSERT_EQ(0, enroll_simple(self->st, key, 3, &c));
	ASSERT_EQ(0, enroll_simple(self->st, okey, 4, &d));
	ASSERT_EQ(0, enroll_simple(self->st, mkey, 5, &p));
	move.network_id = lab;
	ASSERT_EQ(0, skap_device_update(self->st, "user:alice", c.id, &move));

	EXPECT_EQ(SKAP_KEY_ALLOWED, policy(self->st, a.id, b.id));
	EXPECT_EQ(SKAP_KEY_NO_PATH, policy(self->st, a.id, c.id)); /* same tenant, other network */
	EXPECT_EQ(SKAP_KEY_NO_PATH, policy(self->st, a.id, d.id)); /* other tenant */
	EXPECT_EQ(SKAP_KEY_NO_PATH, policy(self->st, d.id, a.id));
	EXPECT_EQ(SKAP_KEY_PEER_NOT_APPROVED, policy(self->st, a.id, p.id));
	EXPECT_EQ(SKAP_KEY_NOT_APPROVED, policy(self->st, p.id, a.id));
	/* An unreachable peer is out of reach whatever its state. */
	move.network_id = lab;
	ASSERT_EQ(0, skap_device_update(self->st, "user:alice", p.id, &move));
	EXPECT_EQ(SKAP_KEY_NO_PATH, policy(self->st, a.id, p.id));

	/* Across a peering: only once the other side accepted, until it ends. */
	ASSERT_EQ(0, skap_peering_request(self->st, "user:alice", self->tenant, "default", "other",
					  "default", &peering));
	EXPECT_EQ(SKAP_KEY_NO_PATH, policy(self->st, a.id, d.id));
	ASSERT_EQ(0, skap_peering_answer(self->st, "user:zed", other, peering, 1));
	EXPECT_EQ(SKAP_KEY_ALLOWED, policy(self->st, a.id, d.id));
	EXPECT_EQ(SKAP_KEY_ALLOWED, policy(self->st, d.id, a.id));
	EXPECT_EQ(SKAP_KEY_NO_PATH, policy(self->st, c.id, d.id)); /* lab is not peered */
	ASSERT_EQ(0, skap_peering_end(self->st, "user:zed", other, peering));
	EXPECT_EQ(SKAP_KEY_NO_PATH, policy(self->st, a.id, d.id));

	/* Roles: an initiator only asks, a responder only answers. */
	ASSERT_EQ(0, set_role(self->st, a.id, SKAP_DEVICE_INITIATOR));
	EXPECT_EQ(SKAP_KEY_ALLOWED, policy(self->st, a.id, b.id));
	EXPECT_EQ(SKAP_KEY_ROLE_RESPOND, policy(self->st, b.id, a.id));
	ASSERT_EQ(0, set_role(self->st, a.id, SKAP_DEVICE_RESPONDER));
	EXPECT_EQ(SKAP_KEY_ROLE_INITIATE, policy(self->st, a.id, b.id));
	EXPECT_EQ(SKAP_KEY_ALLOWED, policy(self->st, b.id, a.id));
	ASSERT_EQ(0, set_role(self->st, a.id, SKAP_DEVICE_GATEWAY));

	/* A revoked device neither asks nor is asked. */
	ASSERT_EQ(0, skap_device_set_state(self->st, "user:alice", b.id, SKAP_DEVICE_REVOKED, ""));
	EXPECT_EQ(SKAP_KEY_NOT_APPROVED, policy(self->st, b.id, a.id));
	EXPECT_EQ(SKAP_KEY_PEER_NOT_APPROVED, policy(self->st, a.id, b.id));
}

TEST_F(store, device_administration)
{
	struct skap_device a, b, again, d;
	struct skap_device_change c = {.role = -1};
	struct skap_group og;
	uint8_t dmk[SKAP_DEVICE_DMK_LEN], dmk2[SKAP_DEVICE_DMK_LEN];
	char key[SKAP_BKEY_STR_SIZE], okey[SKAP_BKEY_STR_SIZE];
	int64_t other;
	int fresh, audit;

	ASSERT_EQ(0, skap_tenant_create(self->st, "system", "other", &other));
	ASSERT_EQ(0, skap_group_by_name(self->st, other, "default", &og));
	ASSERT_EQ(0, auto_key(self->st, self->tenant, 0, "auto", key));
	ASSERT_EQ(0, auto_key(self->st, other, 0, "auto", okey));
	/* The reported name, when valid and free, names the device. */
	ASSERT_EQ(0, enroll(self->st, key, 1, "branch-1", &a, dmk, &fresh));
	EXPECT_STREQ("branch-1", a.name);
	EXPECT_STREQ("default", a.network);
	ASSERT_EQ(0, enroll(self->st, key, 2, "branch-1", &b, dmk, &fresh));
	EXPECT_STREQ("", b.name);

	audit = rows(self->db, "audit");
	c.name = "branch-1";
	EXPECT_EQ(-EEXIST, skap_device_update(self->st, "user:alice", b.id, &c));
	c.name = "bad name";
	EXPECT_EQ(-EINVAL, skap_device_update(self->st, "user:alice", b.id, &c));
	c.name = NULL;
	c.group_id = og.id;
	EXPECT_EQ(-ENOENT, skap_device_update(self->st, "user:alice", b.id, &c));
	c.group_id = 0;
	c.role = SKAP_DEVICE_ROLE__COUNT;
	EXPECT_EQ(-EINVAL, skap_device_update(self->st, "user:alice", b.id, &c));
	EXPECT_EQ(-ENOENT, skap_device_delete(self->st, "user:alice", "gw-nosuchdevice"));
	EXPECT_EQ(audit, rows(self->db, "audit"));
	c.role = SKAP_DEVICE_RESPONDER;
	c.name = "branch-2";
	ASSERT_EQ(0, skap_device_update(self->st, "user:alice", b.id, &c));
	ASSERT_EQ(0, skap_device_get(self->st, b.id, &d));
	EXPECT_STREQ("branch-2", d.name);
	EXPECT_EQ(SKAP_DEVICE_RESPONDER, d.role);

	/* A clone is refused until the administrator rebinds the device. */
	EXPECT_EQ(-EADDRINUSE, enroll(self->st, key, 1, NULL, &d, dmk2, &fresh));
	ASSERT_EQ(0, skap_device_seen(self->st, a.id, "192.0.2.9"));
	ASSERT_EQ(0, skap_device_get(self->st, a.id, &d));
	EXPECT_EQ(1, d.clone_attempts);
	ASSERT_EQ(0, skap_device_rebind(self->st, "user:alice", a.id));
	ASSERT_EQ(0, skap_device_get(self->st, a.id, &d));
	EXPECT_EQ(0, d.clone_attempts);
	EXPECT_STREQ("", d.last_addr);
	EXPECT_EQ(1, d.rebind);
	/* Not with another tenant's credential. */
	EXPECT_EQ(-EADDRINUSE, enroll(self->st, okey, 1, NULL, &d, dmk2, &fresh));
	ASSERT_EQ(0, enroll(self->st, key, 1, NULL, &again, dmk2, &fresh));
	EXPECT_EQ(1, fresh);
	EXPECT_STREQ(a.id, again.id);
	EXPECT_STREQ("branch-1", again.name);
	EXPECT_EQ(SKAP_DEVICE_PENDING, again.state);
	EXPECT_EQ(0, again.rebind);
	EXPECT_NE(0, memcmp(dmk, dmk2, sizeof(dmk)));
	ASSERT_EQ(0, skap_device_dmk(self->st, a.id, dmk));
	EXPECT_EQ(0, memcmp(dmk, dmk2, sizeof(dmk)));
	/* Once only: the same request again is answered as pending, not anew. */
	ASSERT_EQ(0, enroll(self->st, key, 1, NULL, &again, dmk, &fresh));
	EXPECT_EQ(0, fresh);
	EXPECT_EQ(0, memcmp(dmk, dmk2, sizeof(dmk)));
	ASSERT_EQ(0, skap_device_set_state(self->st, "user:alice", a.id, SKAP_DEVICE_APPROVED, ""));
	EXPECT_EQ(-EADDRINUSE, enroll(self->st, key, 1, NULL, &d, dmk2, &fresh));

	ASSERT_EQ(0, skap_device_delete(self->st, "user:alice", a.id));
	EXPECT_EQ(-ENOENT, skap_device_get(self->st, a.id, &d));
	EXPECT_EQ(-ENOENT, skap_device_dmk(self->st, a.id, dmk));
}

/*
 * A key request's brief read agrees with the full read on every field it
 * fills, leaves the descriptive ones empty, and opens the same DMK; it
 * follows changes made since (state, role, last seen) like the full read.
 */
TEST_F(store, device_brief_read)
{
	struct skap_device full, brief;
	struct skap_device_change c = {.role = SKAP_DEVICE_INITIATOR};
	uint8_t dmk[SKAP_DEVICE_DMK_LEN], dmk_brief[SKAP_DEVICE_DMK_LEN];
	char key[SKAP_BKEY_STR_SIZE];
	int fresh;

	ASSERT_EQ(0, auto_key(self->st, self->tenant, 0, "auto", key));
	ASSERT_EQ(0, enroll(self->st, key, 7, "branch-7", &full, dmk, &fresh));
	ASSERT_EQ(0, skap_device_seen(self->st, full.id, "192.0.2.7"));
	ASSERT_EQ(0, skap_device_update(self->st, "user:alice", full.id, &c));
	ASSERT_EQ(0, skap_device_get(self->st, full.id, &full));
	memset(dmk_brief, 0xa5, sizeof(dmk_brief));
	ASSERT_EQ(0, skap_device_get_brief(self->st, full.id, &brief, dmk_brief));
	EXPECT_EQ(0, memcmp(dmk, dmk_brief, sizeof(dmk)));
	EXPECT_STREQ(full.id, brief.id);
	EXPECT_EQ(full.tenant_id, brief.tenant_id);
	EXPECT_EQ(full.group_id, brief.group_id);
	EXPECT_EQ(full.network_id, brief.network_id);
	EXPECT_EQ(SKAP_DEVICE_APPROVED, brief.state);
	EXPECT_EQ(SKAP_DEVICE_INITIATOR, brief.role);
	EXPECT_EQ(0, memcmp(full.public_key, brief.public_key, sizeof(full.public_key)));
	EXPECT_EQ(full.last_seen, brief.last_seen);
	EXPECT_NE(0, brief.last_seen);
	EXPECT_STREQ("192.0.2.7", brief.last_addr);
	EXPECT_EQ(full.cert_expires, brief.cert_expires);
	EXPECT_STREQ("branch-7", full.name);
	EXPECT_STREQ("", brief.name);
	EXPECT_STREQ("", brief.report);
	EXPECT_STREQ("", brief.method);
	EXPECT_STREQ("", brief.network);

	ASSERT_EQ(0, skap_device_set_state(self->st, "user:alice", full.id, SKAP_DEVICE_REVOKED,
					   "lost"));
	ASSERT_EQ(0, skap_device_get_brief(self->st, full.id, &brief, dmk_brief));
	EXPECT_EQ(SKAP_DEVICE_REVOKED, brief.state);

	EXPECT_EQ(-EINVAL, skap_device_get_brief(self->st, "bad id", &brief, dmk_brief));
	EXPECT_EQ(-EINVAL, skap_device_get_brief(self->st, NULL, &brief, dmk_brief));
	EXPECT_EQ(-ENOENT, skap_device_get_brief(self->st, "gw-nosuchdevice", &brief, dmk_brief));
	ASSERT_EQ(0, skap_device_delete(self->st, "user:alice", full.id));
	EXPECT_EQ(-ENOENT, skap_device_get_brief(self->st, full.id, &brief, dmk_brief));
}

/* A schema 2 database, with a device, upgraded: the device is in the default network. */
TEST_F(store, migration_from_schema_2)
{
	const struct skap_store_opts v2 = {.argon2_t = 1, .argon2_m_kib = 64, .schema_max = 2};
	struct skap_store *st;
	struct skap_network n;
	struct skap_device d;
	char db[128];
	sqlite3 *h;

	snprintf(db, sizeof(db), "%s/old.db", self->dir);
	ASSERT_EQ(0, skap_store_open(db, self->master, &v2, &st));
	EXPECT_EQ(2, skap_store_db_version(st));
	skap_store_close(st);
	ASSERT_EQ(SQLITE_OK, sqlite3_open(db, &h));
	ASSERT_EQ(SQLITE_OK,
		  sqlite3_exec(h,
			       "INSERT INTO tenants(id, name, created) VALUES (7, 'old', 1);"
			       "INSERT INTO dev_groups(id, tenant_id, name, created) "
			       "  VALUES (3, 7, 'default', 1);"
			       "INSERT INTO devices(id, tenant_id, group_id, state, method, "
			       "  public_key, fingerprint, report, enrolled_by, dmk, enrolled) "
			       "  VALUES ('gw-0000000000000001', 7, 3, 1, 'qkey', zeroblob(32), "
			       "  'SHA256:x', '{}', 'user:old', zeroblob(60), 1);",
			       NULL, NULL, NULL));
	sqlite3_close(h);

	ASSERT_EQ(0, skap_store_open(db, self->master, &fast, &st));
	EXPECT_EQ(skap_store_schema_version(), skap_store_db_version(st));
	ASSERT_EQ(0, skap_network_by_name(st, 7, "default", &n));
	ASSERT_EQ(0, skap_device_get(st, "gw-0000000000000001", &d));
	EXPECT_EQ(n.id, d.network_id);
	EXPECT_STREQ("default", d.network);
	EXPECT_EQ(SKAP_DEVICE_GATEWAY, d.role);
	EXPECT_EQ(SKAP_DEVICE_APPROVED, d.state);
	EXPECT_STREQ("", d.name);
	/* Tenants made after the upgrade get theirs too. */
	ASSERT_EQ(0, skap_tenant_create(st, "system", "new", NULL));
	skap_store_close(st);
	EXPECT_EQ(2, rows(db, "networks"));
}

TEST_HARNESS_MAIN
