/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the SQLite back end of <skap/store.h>: the store's state and the
 * plumbing its files share (store_sqlite.c: schema, tenants, users,
 * bootstrap keys, audit; store_device.c: devices, QKEYs, tenant CAs;
 * store_network.c: networks, groups' settings, peerings, the key policy).
 * Nothing outside userspace/lib/store_*.c includes this.
 */
#ifndef SKAP_STORE_INT_H
#define SKAP_STORE_INT_H

#include <skap/store.h>

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define ARGON2_T_DEFAULT	3
#define ARGON2_M_DEFAULT	65536
#define ARGON2_SALT_LEN		16
#define ARGON2_HASH_LEN		32
#define ARGON2_ENC_MAX		160
#define BKEY_RAW_LEN		32
#define BKEY_PREFIX		"skb1_"
#define SEALED_BKEY_LEN		(SKAP_AEAD_NONCE_LEN + BKEY_RAW_LEN + SKAP_AEAD_TAG_LEN)

/* Offsets in the locked key buffer. */
#define K_SEAL		0
#define K_LOOKUP	32
#define K_TOTAL		64

/* A statement the store keeps prepared (its SQL text is the key). */
struct st_cached {
	sqlite3_stmt *s;
	const char *sql; /* sqlite3_sql(s) */
	const void *caller_sql; /* the address it was first asked for with: only compared */
};

struct skap_store {
	sqlite3 *db;
	struct st_cached *cache; /* statements of the hot paths, prepared once */
	size_t n_cache, cap_cache;
	int batch;		/* in a batch (skap_store_batch_begin): 1; broken: -1 */
	int sync_full;		/* the connection syncs at each commit (synchronous = FULL) */
	int wal_fd;		/* the write-ahead log, for skap_store_sync; -1: not in WAL mode */
	/* sqlite3_total_changes64 at the last commit, and at the last sync */
	sqlite3_int64 committed_changes, synced_changes;
	uint8_t *keys;		/* skap_secret_alloc'd: seal key, lookup key */
	uint32_t argon2_t;
	uint32_t argon2_m;
	int schema_max;				/* migrations stop here (tests of old schemas) */
	char dummy_hash[ARGON2_ENC_MAX];	/* verified against for unknown users */
};

typedef void (*row_fn)(sqlite3_stmt *s, void *item);

int st_text_valid(const char *s, size_t max);
/* The index of S in NAMES[0..N), or -1 (S may be NULL): the enums' parsers. */
int st_name_index(const char *const *names, int n, const char *s);
int st_db_err(struct skap_store *st, int rc);
int st_prep(struct skap_store *st, const char *sql, sqlite3_stmt **s);
/*
 * The store's statement for SQL, prepared on first use and kept: parsing
 * and planning cost more than running the small statements of a key
 * request. Give it back with st_put (or a helper that takes ST), never
 * sqlite3_finalize. A store is used by one thread at a time.
 */
int st_get(struct skap_store *st, const char *sql, sqlite3_stmt **s);
/* Resets and unbinds a statement of st_get; finalizes one of st_prep. */
void st_put(struct skap_store *st, sqlite3_stmt *s);
/* st_fetch_one for a statement of st_get (or st_prep). */
int st_get_one(struct skap_store *st, sqlite3_stmt *s, row_fn row, void *out);
/* The row of SQL (a kept statement with one "?" for ID): ROW fills OUT; 0, -ENOENT or -EIO. */
int st_row_by_id(struct skap_store *st, const char *sql, int64_t id, row_fn row, void *out);
int st_exec(struct skap_store *st, const char *sql);
/* A transaction, or inside a batch a savepoint: it commits or rolls back alone. */
int st_tx_begin(struct skap_store *st);
/* Commits when ERR is 0, rolls back otherwise; returns the final error. */
int st_tx_end(struct skap_store *st, int err);
/* Steps a statement that returns no row, then gives it back (st_put). */
int st_step_done(struct skap_store *st, sqlite3_stmt *s);
void st_col_text(sqlite3_stmt *s, int col, char *out, size_t size);
int64_t st_now(void);
int st_audit_insert(struct skap_store *st, int64_t tenant_id, const char *actor,
		    const char *action, const char *object, const char *detail);
int st_actor_valid(const char *actor);
/* Steps S for one row: ROW fills OUT. 0, -ENOENT (no row) or -EIO. Finalizes S. */
int st_fetch_one(sqlite3_stmt *s, row_fn row, void *out);
/* Runs S into a new array, then gives it back (st_put). */
int st_list_run(struct skap_store *st, sqlite3_stmt *s, size_t item_size, size_t limit,
		row_fn fn, void **out, size_t *n);
int st_list_in_tenant(struct skap_store *st, const char *sql, int64_t tenant_id, int64_t after,
		      size_t limit, size_t item_size, row_fn row, void **out, size_t *n);
int st_list_args_valid(size_t limit, void *out, size_t *n);
/* Inside a transaction: a new tenant's "default" network (store_network.c). */
int st_network_insert_default(struct skap_store *st, int64_t tenant_id);
/* Inside a transaction: skap_bkey_use's check and count. */
int st_bkey_take(struct skap_store *st, const char *key, int64_t now, struct skap_bkey *k);
/*
 * A secret sealed at rest under the store's seal key: nonce || AEAD, the AAD
 * binding it to its row (LABEL and ROW), so a blob moved elsewhere does not
 * open. OUT holds LEN + SKAP_AEAD_NONCE_LEN + SKAP_AEAD_TAG_LEN bytes.
 */
int st_seal(struct skap_store *st, const char *label, const char *row, const uint8_t *pt,
	    size_t len, uint8_t *out);
int st_open(struct skap_store *st, const char *label, const char *row, const uint8_t *in,
	    size_t len, uint8_t *out);

#endif /* SKAP_STORE_INT_H */
