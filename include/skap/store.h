/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skap-server's storage: the one interface the request handlers use. The
 * back end behind it is SQLite (store_sqlite.c: one file, WAL, foreign
 * keys, schema migrations numbered by PRAGMA user_version); a PostgreSQL
 * back end implements the same functions and nothing above this header
 * changes.
 *
 * Rules every function keeps:
 * - Return 0 or a negative errno: -EINVAL bad argument (checked before
 *   anything is written), -ENOENT no such object, -EEXIST name taken,
 *   -EACCES credential refused (the reason is not told apart to callers
 *   that face the network), -EIO the database failed. On any error no
 *   state has changed (each mutation is one transaction).
 * - Every mutation takes ACTOR (who asked: "user:NAME", "system", ...) and
 *   appends its audit record in the same transaction: no change without
 *   its record, no record without its change. The audit table refuses
 *   UPDATE and DELETE (triggers).
 * - Secrets at rest (bootstrap keys) are sealed with AES-256-GCM under a key
 *   derived from the server master key; bootstrap keys are found by an
 *   HMAC of the key under another derived key, never by the key itself.
 *   Passwords are kept as Argon2id encoded hashes. Nothing secret is
 *   logged or put in an error.
 * - Lists use keyset pagination: rows with id > AFTER, at most LIMIT
 *   (1..SKAP_STORE_LIST_MAX), ordered by id; the caller frees the array.
 * - A store is used by one thread at a time: its statement cache and open
 *   batch are not locked, so SQLite's own per-call connection mutex would
 *   guard nothing and is not taken (SQLITE_OPEN_NOMUTEX).
 */
#ifndef SKAP_STORE_H
#define SKAP_STORE_H

#include <stddef.h>
#include <stdint.h>

#define SKAP_MASTER_KEY_LEN	32
#define SKAP_STORE_LIST_MAX	1000
#define SKAP_NAME_MAX		64	/* tenant, user, group and key names */
#define SKAP_DESC_MAX		256
#define SKAP_PASSWORD_MIN	8
#define SKAP_PASSWORD_MAX	256
/* "skb1_" and 64 hex digits (32 random bytes), NUL. */
#define SKAP_BKEY_STR_LEN	69
#define SKAP_BKEY_STR_SIZE	(SKAP_BKEY_STR_LEN + 1)

struct skap_store;

enum skap_role {
	SKAP_ROLE_OWNER = 0,	/* everything in the tenant, users included */
	SKAP_ROLE_ADMIN,	/* everything but owners */
	SKAP_ROLE_OPERATOR,	/* approves, rejects, revokes devices */
	SKAP_ROLE_ENROLLER,	/* may enroll devices with name and password */
	SKAP_ROLE_AUDITOR,	/* reads everything, changes nothing */
	SKAP_ROLE__COUNT,
};

/* "owner", ... ; NULL for a value out of range. */
const char *skap_role_name(enum skap_role role);
/* The role named S: 0 and *ROLE, or -EINVAL. */
int skap_role_parse(const char *s, enum skap_role *role);

struct skap_store_opts {
	/* Argon2id cost for new password hashes; 0 means the default
	 * (t=3, m=65536 KiB, p=1, RFC 9106's second recommendation). */
	uint32_t argon2_t;
	uint32_t argon2_m_kib;
	/* Tests only: stop the migrations at this schema version (0: the
	 * current one), to check the upgrade from an older database. */
	int schema_max;
};

/*
 * The master key file: 32 random bytes, mode 0600, written atomically.
 * Create refuses to replace an existing file (-EEXIST). Load refuses a file
 * that group or others may read (-EPERM) or of the wrong size (-EINVAL);
 * KEY is a buffer from skap_secret_alloc or any 32 bytes the caller wipes.
 */
int skap_master_key_create(const char *path);
int skap_master_key_load(const char *path, uint8_t key[SKAP_MASTER_KEY_LEN]);

/*
 * Opens (creating when absent, mode 0600) the database at PATH and brings
 * its schema to the current version; a database newer than this program is
 * refused (-EPROTO). The derived keys are kept in locked memory; MASTER is
 * not retained. OPTS may be NULL.
 */
int skap_store_open(const char *path, const uint8_t master[SKAP_MASTER_KEY_LEN],
		    const struct skap_store_opts *opts, struct skap_store **out);
void skap_store_close(struct skap_store *st);
/* The schema version this program writes, and the one of an open store. */
int skap_store_schema_version(void);
int skap_store_db_version(struct skap_store *st);

/*
 * Group commit: from batch_begin to batch_commit every mutation runs as a
 * savepoint inside one transaction, so that many share one write to disk.
 * A mutation that fails still changes nothing and leaves the others in the
 * batch alone; the rules above hold, but nothing is written, and no caller
 * may tell anyone of a change, before batch_commit returned 0. When it
 * fails, the whole batch is undone.
 *
 * batch_commit does not wait for the disk: the batch is written to the
 * log (a crash of the process loses none of it) and visible at once, and
 * durable (a crash of the machine loses none of it) once skap_store_sync,
 * begun after it, returns 0. skap_store_sync makes every commit made
 * before it durable. A failed sync (-EIO) leaves it unknown what reached
 * the disk, then and after (the kernel may have dropped the pages): the
 * caller stops using the store. Outside a batch, every mutation is
 * durable when it returns.
 */
int skap_store_batch_begin(struct skap_store *st);
int skap_store_batch_commit(struct skap_store *st);
int skap_store_in_batch(struct skap_store *st);
int skap_store_sync(struct skap_store *st);

/* Names: 1..SKAP_NAME_MAX of [A-Za-z0-9._-], not starting with '.' or '-'. */
int skap_store_name_valid(const char *name);

/* ---- tenants ---- */
struct skap_tenant {
	int64_t id;
	char name[SKAP_NAME_MAX + 1];
	int ota_tls;		/* OTA_TLS enrollment allowed (development only) */
	int64_t created;
};

/*
 * A tenant with its "default" group, its "default" network and its default
 * bootstrap key (named "default", manual accept, into the default group).
 * *ID may be NULL.
 */
int skap_tenant_create(struct skap_store *st, const char *actor, const char *name,
		       int64_t *id);
int skap_tenant_get(struct skap_store *st, int64_t id, struct skap_tenant *t);
int skap_tenant_by_name(struct skap_store *st, const char *name, struct skap_tenant *t);
int skap_tenant_list(struct skap_store *st, int64_t after, size_t limit,
		     struct skap_tenant **out, size_t *n);
int skap_tenant_set_ota_tls(struct skap_store *st, const char *actor, int64_t id, int on);

/* ---- networks ---- */
/*
 * Devices negotiate keys with devices of the same network, or of a network
 * joined to theirs by an active peering. Every tenant has a "default"
 * network, which can be neither renamed nor deleted.
 */
struct skap_network {
	int64_t id;
	int64_t tenant_id;
	char name[SKAP_NAME_MAX + 1];
	char description[SKAP_DESC_MAX + 1];
	int64_t created;
};

/* IN's tenant, name and description; -EEXIST for a name taken in the tenant. */
int skap_network_create(struct skap_store *st, const char *actor, const struct skap_network *in,
			int64_t *id);
int skap_network_get(struct skap_store *st, int64_t id, struct skap_network *n);
int skap_network_by_name(struct skap_store *st, int64_t tenant_id, const char *name,
			 struct skap_network *n);
int skap_network_list(struct skap_store *st, int64_t tenant_id, int64_t after, size_t limit,
		      struct skap_network **out, size_t *n);
/* Replaces name and description with IN's (IN->id names it); -EPERM for
 * renaming the default network. */
int skap_network_update(struct skap_store *st, const char *actor, const struct skap_network *in);
/* -EPERM for the default network; -ENOTEMPTY while devices or groups are
 * in it or a peering of it is requested or active. */
int skap_network_delete(struct skap_store *st, const char *actor, int64_t id);

/* ---- groups ---- */
#define SKAP_GROUP_CONFIG_MAX	4096	/* bytes of JSON text */

struct skap_group {
	int64_t id;
	int64_t tenant_id;
	char name[SKAP_NAME_MAX + 1];
	int64_t network_id;	/* where enrolled devices land; 0: the default network */
	/* A JSON object given to the group's approved devices (their status). */
	char config[SKAP_GROUP_CONFIG_MAX + 1];
	int64_t created;
};

/*
 * IN's tenant, name, network (0: default; else one of the tenant's) and
 * config ("" for an empty object; otherwise a JSON object of at most
 * SKAP_GROUP_CONFIG_MAX bytes, -EINVAL for anything else).
 */
int skap_group_create(struct skap_store *st, const char *actor, const struct skap_group *in,
		      int64_t *id);
int skap_group_by_name(struct skap_store *st, int64_t tenant_id, const char *name,
		       struct skap_group *g);
int skap_group_get(struct skap_store *st, int64_t id, struct skap_group *g);
int skap_group_list(struct skap_store *st, int64_t tenant_id, int64_t after, size_t limit,
		    struct skap_group **out, size_t *n);
/* Replaces name, network and config with IN's (IN->id names it); -EPERM for
 * renaming the default group. Devices already enrolled stay where they are. */
int skap_group_update(struct skap_store *st, const char *actor, const struct skap_group *in);
/* -EPERM for the default group; -ENOTEMPTY while devices or bootstrap keys use it. */
int skap_group_delete(struct skap_store *st, const char *actor, int64_t id);

/* ---- users ---- */
struct skap_user {
	int64_t id;
	int64_t tenant_id;
	char name[SKAP_NAME_MAX + 1];	/* unique over the whole server: the login */
	enum skap_role role;
	int disabled;
	int64_t created;
};

/* PASSWORD: SKAP_PASSWORD_MIN..SKAP_PASSWORD_MAX bytes, no NUL. */
int skap_user_create(struct skap_store *st, const char *actor, int64_t tenant_id,
		     const char *name, enum skap_role role, const char *password, int64_t *id);
int skap_user_get(struct skap_store *st, int64_t id, struct skap_user *u);
int skap_user_list(struct skap_store *st, int64_t tenant_id, int64_t after, size_t limit,
		   struct skap_user **out, size_t *n);
int skap_user_set_password(struct skap_store *st, const char *actor, int64_t id,
			   const char *password);
int skap_user_set_role(struct skap_store *st, const char *actor, int64_t id,
		       enum skap_role role);
int skap_user_set_disabled(struct skap_store *st, const char *actor, int64_t id, int disabled);
/* Refuses to delete the last owner of a tenant (-EPERM), like set_role. */
int skap_user_delete(struct skap_store *st, const char *actor, int64_t id);
/*
 * Checks NAME and PASSWORD: 0 and *U when they match an enabled user;
 * -EACCES otherwise, whether the user is unknown, disabled or the password
 * wrong (an unknown user costs a hash too, so timing does not tell).
 * Writes nothing; the caller audits and rate-limits logins.
 */
int skap_user_verify(struct skap_store *st, const char *name, const char *password,
		     struct skap_user *u);

/* ---- bootstrap keys ---- */
struct skap_bkey {
	int64_t id;
	int64_t tenant_id;
	char name[SKAP_NAME_MAX + 1];
	char description[SKAP_DESC_MAX + 1];
	int64_t group_id;
	int auto_accept;
	int64_t expires;	/* unix seconds; 0: never */
	int64_t max_uses;	/* 0: unlimited */
	int64_t uses;		/* devices enrolled with it */
	int disabled;
	int64_t created;
};

/*
 * A new key: 32 random bytes shown as "skb1_" + 64 hex digits in KEY (the
 * caller shows it once and wipes it). IN's id, uses and created are
 * ignored; IN->group_id 0 means the tenant's default group.
 */
int skap_bkey_create(struct skap_store *st, const char *actor, const struct skap_bkey *in,
		     int64_t *id, char key[SKAP_BKEY_STR_SIZE]);
int skap_bkey_get(struct skap_store *st, int64_t id, struct skap_bkey *k);
int skap_bkey_list(struct skap_store *st, int64_t tenant_id, int64_t after, size_t limit,
		   struct skap_bkey **out, size_t *n);
/* Replaces name, description, group, accept mode, expiry, max uses and
 * disabled with IN's (id and tenant from IN->id; uses is kept). */
int skap_bkey_update(struct skap_store *st, const char *actor, const struct skap_bkey *in);
/* A deleted key admits nobody; devices it enrolled are not affected. */
int skap_bkey_delete(struct skap_store *st, const char *actor, int64_t id);
/* The key itself again, for an administrator (audited as a reveal). */
int skap_bkey_reveal(struct skap_store *st, const char *actor, int64_t id,
		     char key[SKAP_BKEY_STR_SIZE]);
/*
 * Enrollment's check: KEY (as given by a device) names a key that exists,
 * is enabled, not expired at NOW and has uses left; one use is taken
 * atomically (concurrent callers never exceed max_uses) and *K filled.
 * -EACCES for all refusals; -EINVAL when KEY is not even well formed.
 */
int skap_bkey_use(struct skap_store *st, const char *key, int64_t now, struct skap_bkey *k);

/* ---- audit log ---- */
struct skap_audit {
	int64_t id;
	int64_t time;
	int64_t tenant_id;	/* 0: server-wide */
	char actor[SKAP_NAME_MAX + 16];
	char action[48];
	char object[SKAP_NAME_MAX + 32];
	char detail[SKAP_DESC_MAX + 1];
};

/* An event that changes nothing in the store (a login, a refused enrollment). */
int skap_audit_append(struct skap_store *st, int64_t tenant_id, const char *actor,
		      const char *action, const char *object, const char *detail);
/* TENANT_ID < 0: every tenant's records. */
int skap_audit_list(struct skap_store *st, int64_t tenant_id, int64_t after, size_t limit,
		    struct skap_audit **out, size_t *n);

/* ---- devices ---- */
#define SKAP_DEVICE_ID_MAX	64
#define SKAP_DEVICE_REPORT_MAX	4096	/* what a device reported, JSON text */
#define SKAP_DEVICE_PUB_LEN	32	/* Ed25519 */
#define SKAP_DEVICE_DMK_LEN	32

enum skap_device_state {
	SKAP_DEVICE_PENDING = 0,
	SKAP_DEVICE_APPROVED,
	SKAP_DEVICE_REJECTED,
	SKAP_DEVICE_REVOKED,
	SKAP_DEVICE__COUNT,
};

/* "pending", ...; NULL out of range. And the reverse (-EINVAL). */
const char *skap_device_state_name(enum skap_device_state state);
int skap_device_state_parse(const char *s, enum skap_device_state *state);

/* What a device may do in key negotiation. */
enum skap_device_role {
	SKAP_DEVICE_GATEWAY = 0,	/* request keys and be requested: the default */
	SKAP_DEVICE_INITIATOR,		/* only request keys */
	SKAP_DEVICE_RESPONDER,		/* only be the peer of a request */
	SKAP_DEVICE_ROLE__COUNT,
};

/* "gateway", ...; NULL out of range. And the reverse (-EINVAL). */
const char *skap_device_role_name(enum skap_device_role role);
int skap_device_role_parse(const char *s, enum skap_device_role *role);

struct skap_device {
	char id[SKAP_DEVICE_ID_MAX + 1];
	int64_t tenant_id;
	int64_t group_id;
	int64_t network_id;
	char name[SKAP_NAME_MAX + 1];		/* unique in the tenant; "" when none */
	char group[SKAP_NAME_MAX + 1];		/* the names of group_id and network_id */
	char network[SKAP_NAME_MAX + 1];
	enum skap_device_role role;
	enum skap_device_state state;
	char reason[SKAP_DESC_MAX + 1];		/* of a rejection or revocation */
	char method[16];			/* "qkey", "ota-quantum", "ota-tls" */
	uint8_t public_key[SKAP_DEVICE_PUB_LEN];
	char fingerprint[64];
	char report[SKAP_DEVICE_REPORT_MAX + 1];
	char enrolled_by[SKAP_NAME_MAX + 16];	/* "bootstrap_key:NAME" or "user:NAME" */
	int64_t enrolled, approved, last_seen;
	char last_addr[64];
	int64_t clone_attempts;
	int64_t cert_expires;			/* 0: no certificate yet */
	int rebind;				/* one re-enrollment of its key allowed */
};

/* What an enrollment brings; exactly one of BOOTSTRAP_KEY and USER_ID. */
struct skap_enroll_in {
	const char *method;
	const uint8_t *public_key;		/* SKAP_DEVICE_PUB_LEN */
	const char *fingerprint;
	const char *report;			/* JSON text, <= SKAP_DEVICE_REPORT_MAX */
	const char *bootstrap_key;		/* "skb1_..." */
	int64_t user_id;			/* an enroller's id, checked by the caller */
	const char *qkey_id;			/* the QKEY the request came under, or NULL */
	const char *source;			/* the peer address, for the audit log */
	int require_ota_tls;			/* refuse (-EPERM) unless the tenant allows OTA_TLS */
};

/*
 * Enrolls a device in one transaction: takes a use of the bootstrap key (or
 * checks the user), consumes the QKEY when there is one (it must belong to
 * the same tenant and, when bound, to the requested device NAME), makes the
 * device (pending, or approved for an auto-accept key, in the key's group
 * and that group's network, role gateway, named NAME when that name is
 * valid and free in the tenant) with a fresh DMK, and audits. The same
 * public key again, from the same tenant while the device is pending,
 * answers that device (*FRESH 0): a device that lost the answer asks
 * again. After skap_device_rebind, one enrollment of the device's key with
 * a credential of its tenant gives the same device a fresh DMK and makes it
 * pending again (*FRESH 1). Any other reuse of an enrolled public key is a
 * clone attempt: counted on the device, audited, -EADDRINUSE. -EACCES for a
 * refused credential or QKEY (not told apart).
 */
int skap_device_enroll(struct skap_store *st, const struct skap_enroll_in *in, const char *name,
		       struct skap_device *out, uint8_t dmk[SKAP_DEVICE_DMK_LEN], int *fresh);
int skap_device_get(struct skap_store *st, const char *id, struct skap_device *d);
/* The device's DMK, for its requests (the caller wipes it). */
int skap_device_dmk(struct skap_store *st, const char *id, uint8_t dmk[SKAP_DEVICE_DMK_LEN]);
/*
 * A key request's read of device ID, in one statement: what identifies it
 * (id, tenant, public key), decides the policy (state, role, network, group)
 * and tells a clone (last seen, last address, certificate expiry), and its
 * DMK opened (the caller wipes it). The descriptive fields (name, group and
 * network names, report, reason, method, times of enrollment) are left
 * empty: skap_device_get reads them.
 */
int skap_device_get_brief(struct skap_store *st, const char *id, struct skap_device *d,
			  uint8_t dmk[SKAP_DEVICE_DMK_LEN]);
/* STATE < 0: all states. Keyset pagination on the device id. */
int skap_device_list(struct skap_store *st, int64_t tenant_id, int state, const char *after,
		     size_t limit, struct skap_device **out, size_t *n);
/*
 * Approve (from pending), reject (from pending) or revoke (from approved):
 * -EPERM for any other transition. REASON may be empty.
 */
int skap_device_set_state(struct skap_store *st, const char *actor, const char *id,
			  enum skap_device_state state, const char *reason);
int skap_device_set_certificate(struct skap_store *st, const char *id, const char *pem,
				int64_t expires);
/* The device's certificate (malloc'd PEM in *PEM), -ENOENT when none. */
int skap_device_certificate(struct skap_store *st, const char *id, char **pem);
/* A request from the device: last seen now, from ADDR. */
int skap_device_seen(struct skap_store *st, const char *id, const char *addr);

/* An administrator's change to a device: the fields to change. */
struct skap_device_change {
	const char *name;	/* NULL: unchanged */
	int64_t group_id;	/* 0: unchanged; else a group of the device's tenant */
	int64_t network_id;	/* 0: unchanged; else a network of the device's tenant */
	int role;		/* < 0: unchanged; else an enum skap_device_role */
};

/* -EEXIST for a name taken in the tenant, -ENOENT for a group or network
 * that is not the device's tenant's. */
int skap_device_update(struct skap_store *st, const char *actor, const char *id,
		       const struct skap_device_change *c);
/* The device and its DMK are gone: it gets no key and no status any more. */
int skap_device_delete(struct skap_store *st, const char *actor, const char *id);
/*
 * The administrator's answer to a clone alert: clears the clone count and
 * the live address binding (the next source becomes the bound one) and
 * allows one re-enrollment of the device's public key (see
 * skap_device_enroll).
 */
int skap_device_rebind(struct skap_store *st, const char *actor, const char *id);

/* ---- peerings between networks of different tenants ---- */
enum skap_peering_state {
	SKAP_PEERING_REQUESTED = 0,	/* by the requesting tenant's admin */
	SKAP_PEERING_ACTIVE,		/* accepted by the peer tenant's admin */
	SKAP_PEERING_REJECTED,		/* refused by the peer tenant */
	SKAP_PEERING_ENDED,		/* ended by either side (or withdrawn) */
	SKAP_PEERING__COUNT,
};

const char *skap_peering_state_name(enum skap_peering_state state);

struct skap_peering {
	int64_t id;
	int64_t tenant_id, network_id;		/* the requesting side */
	int64_t peer_tenant_id, peer_network_id;
	/* Names of both sides; a network deleted after the peering ended reads "". */
	char tenant[SKAP_NAME_MAX + 1], network[SKAP_NAME_MAX + 1];
	char peer_tenant[SKAP_NAME_MAX + 1], peer_network[SKAP_NAME_MAX + 1];
	enum skap_peering_state state;
	char requested_by[SKAP_NAME_MAX + 16];
	int64_t created, accepted, ended;	/* 0: not (yet) */
};

/*
 * TENANT_ID asks to join its NETWORK with PEER_NETWORK of PEER_TENANT
 * (names). -EINVAL for a tenant peering with itself; -ENOENT for an unknown
 * network, tenant or peer network (not told apart); -EEXIST when the two
 * networks already have a requested or active peering. Audited in both
 * tenants.
 */
int skap_peering_request(struct skap_store *st, const char *actor, int64_t tenant_id,
			 const char *network, const char *peer_tenant, const char *peer_network,
			 int64_t *id);
int skap_peering_get(struct skap_store *st, int64_t id, struct skap_peering *p);
/* Peerings in which TENANT_ID is either side. */
int skap_peering_list(struct skap_store *st, int64_t tenant_id, int64_t after, size_t limit,
		      struct skap_peering **out, size_t *n);
/*
 * The peer tenant TENANT_ID accepts (ACCEPT 1) or rejects a requested
 * peering: -ENOENT when TENANT_ID is neither side, -EACCES when it is the
 * requesting side, -EPERM when the peering is not requested any more.
 */
int skap_peering_answer(struct skap_store *st, const char *actor, int64_t tenant_id, int64_t id,
			int accept);
/* Either side ends a requested or active peering (-EPERM otherwise). */
int skap_peering_end(struct skap_store *st, const char *actor, int64_t tenant_id, int64_t id);

/* ---- key policy ---- */
enum skap_key_refusal {
	SKAP_KEY_ALLOWED = 0,
	SKAP_KEY_NOT_APPROVED,		/* the requester */
	SKAP_KEY_ROLE_INITIATE,		/* the requester's role may not request */
	SKAP_KEY_NO_PATH,		/* not the same network, nor peered networks */
	SKAP_KEY_PEER_NOT_APPROVED,
	SKAP_KEY_ROLE_RESPOND,		/* the peer's role may not answer */
};

/*
 * Whether A may get a key with B: both approved, the same network or two
 * networks joined by an active peering, A's role may request and B's may
 * answer. 0, or -EPERM with the first refusal in *WHY (in the order above:
 * a peer outside A's reach is NO_PATH whatever its state, so that a device
 * cannot learn anything of devices it may not reach). -EIO on failure.
 */
int skap_key_policy(struct skap_store *st, const struct skap_device *a,
		    const struct skap_device *b, enum skap_key_refusal *why);

/* ---- QKEYs ---- */
#define SKAP_QKEY_RAW_LEN	32

struct skap_qkey {
	int64_t id;
	int64_t tenant_id;
	char qkey_id[SKAP_DEVICE_ID_MAX + 1];
	char device_name[SKAP_NAME_MAX + 1];	/* "" when not bound */
	int64_t expires;			/* 0: never */
	int64_t used;				/* 0: not yet */
	int64_t created;
};

/* A new QKEY (32 random bytes in RAW, shown once by the caller). */
int skap_qkey_create(struct skap_store *st, const char *actor, const struct skap_qkey *in,
		     uint8_t raw[SKAP_QKEY_RAW_LEN]);
int skap_qkey_list(struct skap_store *st, int64_t tenant_id, int64_t after, size_t limit,
		   struct skap_qkey **out, size_t *n);
int skap_qkey_delete(struct skap_store *st, const char *actor, int64_t tenant_id,
		     const char *qkey_id);
/*
 * The key of an unused, unexpired QKEY, for opening an enrollment (nothing
 * is consumed here: skap_device_enroll does that). -EACCES otherwise.
 */
int skap_qkey_key(struct skap_store *st, const char *qkey_id, int64_t now,
		  uint8_t raw[SKAP_QKEY_RAW_LEN], struct skap_qkey *q);

/* ---- administrators' sessions ---- */
#define SKAP_SESSIONS_MAX 4096 /* live sessions over the whole server */

/*
 * A login session. Only the SHA-256 of its random token is kept: the
 * database does not let anyone log in. Role and name are the user's as
 * they are now, so a change of role applies to live sessions at once.
 */
struct skap_session {
	int64_t user_id;
	int64_t tenant_id;
	enum skap_role role;
	char user[SKAP_NAME_MAX + 1];
	int64_t expires;
};

/*
 * A new session of user U until EXPIRES, audited as U's "login" from
 * SOURCE in the same transaction; expired sessions are purged first.
 * -ENOSPC when SKAP_SESSIONS_MAX sessions live.
 */
int skap_session_create(struct skap_store *st, const uint8_t token_hash[32],
			const struct skap_user *u, int64_t expires, const char *source);
/* The session live at NOW whose user is enabled: 0 and *S, or -ENOENT. */
int skap_session_get(struct skap_store *st, const uint8_t token_hash[32], int64_t now,
		     struct skap_session *s);
/* Logout (audited as ACTOR's "logout"): -ENOENT when there is no such session. */
int skap_session_delete(struct skap_store *st, const char *actor, int64_t tenant_id,
			const uint8_t token_hash[32]);
/* Every session of a user (after a change of password, role or state). */
int skap_session_delete_user(struct skap_store *st, int64_t user_id);

/* ---- tenant certificate authorities ---- */
/* The tenant's CA: its Ed25519 seed and certificate (malloc'd PEM); -ENOENT when none. */
int skap_tenant_ca_get(struct skap_store *st, int64_t tenant_id, uint8_t seed[32], char **pem);
/* Stores a new CA unless the tenant has one (-EEXIST: another request made it first). */
int skap_tenant_ca_set(struct skap_store *st, int64_t tenant_id, const uint8_t seed[32],
		       const char *pem);

#endif /* SKAP_STORE_H */
