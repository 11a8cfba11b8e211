/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client of skap.ko's generic netlink family (include/uapi/linux/skap.h) and
 * of its keyring. This is the one place in user space that builds or parses
 * netlink messages; callers see plain structures.
 *
 * Every call that can fail returns 0 or a negative errno and, when ERR is
 * given, fills it with the kernel's extended-ACK message (or a description
 * of a local failure): the message names the attribute that was refused.
 */
#ifndef SKAP_KMOD_H
#define SKAP_KMOD_H

#include <skap/addr.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct skap_kmod;
struct skap_kmod_events;

struct skap_kmod_error {
	int code;      /* negative errno, 0 when none */
	char msg[256]; /* the kernel's extack message, or ours; "" when none */
};

struct skap_kmod_info {
	uint32_t version;
	int32_t keyring;
	uint32_t sa_count;
	uint32_t policy_count;
};

/* A selector: prefix lengths 0 with zero addresses mean "any". */
struct skap_selector {
	struct skap_prefix src;
	struct skap_prefix dst;
	uint8_t proto; /* 0: any */
	uint16_t sport, dport;
};

struct skap_lifetime {
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
	uint64_t soft_seconds, hard_seconds;
};

struct skap_sa_stats {
	uint64_t bytes, packets;
	uint64_t add_time, use_time;
	uint64_t replay_errors, integrity_errors;
};

struct skap_sa {
	int32_t key; /* serial of the "skap" key the SA is built from */
	int family;
	uint8_t src[16], dst[16]; /* outer addresses */
	uint32_t spi;
	uint8_t mode; /* SKAP_MODE_* */
	uint32_t reqid;
	uint8_t dir; /* SKAP_KEY_DIR_* (dumps and events) */
	bool has_sel;
	struct skap_selector sel;
	struct skap_lifetime lifetime;
	bool has_mark;
	uint32_t mark, mark_mask;
	uint32_t if_id;
	struct skap_sa_stats stats; /* dumps only */
};

struct skap_policy {
	int family;
	uint8_t dir; /* SKAP_POLICY_* */
	struct skap_selector sel;
	uint8_t mode;
	bool has_addrs; /* template outer addresses (required in tunnel mode) */
	uint8_t src[16], dst[16];
	uint32_t reqid, spi, priority;
	uint32_t index; /* set by the kernel */
	bool has_mark;
	uint32_t mark, mark_mask;
	uint32_t if_id;
	uint64_t add_time, use_time; /* dumps only */
};

enum skap_event_type {
	SKAP_EVENT_ACQUIRE = 1,
	SKAP_EVENT_EXPIRE = 2,
};

struct skap_event {
	enum skap_event_type type;
	int family;
	uint8_t src[16], dst[16];
	uint8_t mode;
	uint32_t reqid;
	/* acquire */
	uint8_t policy_dir;
	uint32_t policy_index;
	struct skap_selector sel;
	uint32_t seq;
	/* expire */
	int32_t key;
	uint32_t spi;
	uint8_t key_dir;
	bool hard;
};

int skap_kmod_open(struct skap_kmod **out, struct skap_kmod_error *err);
void skap_kmod_close(struct skap_kmod *km);

int skap_kmod_info(struct skap_kmod *km, struct skap_kmod_info *info, struct skap_kmod_error *err);
int skap_kmod_new_sa(struct skap_kmod *km, const struct skap_sa *sa, struct skap_kmod_error *err);
int skap_kmod_del_sa(struct skap_kmod *km, int family, const uint8_t dst[16], uint32_t spi,
		     struct skap_kmod_error *err);
/* On success *INDEX is the kernel's index of the new policy. */
int skap_kmod_new_policy(struct skap_kmod *km, const struct skap_policy *p, uint32_t *index,
			 struct skap_kmod_error *err);
/*
 * Replaces, in one step, the module's policy with P's direction, selector
 * and marks (no packet meets the selector without a policy meanwhile); the
 * kernel keeps its index. Creates it when there is none; EEXIST when the
 * slot holds a policy the module does not own.
 */
int skap_kmod_replace_policy(struct skap_kmod *km, const struct skap_policy *p, uint32_t *index,
			     struct skap_kmod_error *err);
int skap_kmod_del_policy(struct skap_kmod *km, uint8_t dir, uint32_t index,
			 struct skap_kmod_error *err);
int skap_kmod_flush(struct skap_kmod *km, struct skap_kmod_error *err);

/*
 * Dumps call CB once per object, in the kernel's order; a non-zero return
 * from CB stops the dump and is returned. -EAGAIN: the set changed during
 * the dump (NLM_F_DUMP_INTR); the caller may start again.
 */
int skap_kmod_dump_sas(struct skap_kmod *km, int (*cb)(const struct skap_sa *sa, void *arg),
		       void *arg, struct skap_kmod_error *err);
int skap_kmod_dump_policies(struct skap_kmod *km,
			    int (*cb)(const struct skap_policy *p, void *arg), void *arg,
			    struct skap_kmod_error *err);

/* Events: a second socket joined to the "events" group (needs CAP_NET_ADMIN). */
int skap_kmod_events_open(struct skap_kmod_events **out, struct skap_kmod_error *err);
void skap_kmod_events_close(struct skap_kmod_events *ev);
/* The socket to poll; it is non-blocking. */
int skap_kmod_events_fd(const struct skap_kmod_events *ev);
/*
 * Handles every event already queued (never blocks): CB per event. Returns
 * the number of events, or a negative errno (-ENOBUFS: events were lost
 * because the socket overflowed; the caller should resynchronise by dump).
 */
int skap_kmod_events_read(struct skap_kmod_events *ev,
			  void (*cb)(const struct skap_event *e, void *arg), void *arg);

/* Keys: add_key(2) into the module's keyring. */
struct skap_key_params {
	uint8_t kid[16];
	char peer[65];
	uint8_t dir; /* SKAP_KEY_DIR_IN or _OUT */
	uint32_t spi;
	uint64_t expiry; /* Unix seconds, 0: none */
	uint8_t key[32];
};

/* Adds a key; *SERIAL is its serial. The payload is wiped before returning. */
int skap_key_add(int32_t keyring, const struct skap_key_params *p, int32_t *serial);
int skap_key_revoke(int32_t serial);

/* What the module tells of one of its keys (its description): never the key. */
struct skap_key_info {
	int32_t serial;
	uint8_t kid[16];
	char peer[65];
	uint8_t dir; /* SKAP_KEY_DIR_IN or _OUT */
	uint32_t spi;
};

/* Parses the module's canonical description "skap:KID:PEER:DIR:SPI"; -EINVAL if not one. */
int skap_key_parse_description(const char *desc, struct skap_key_info *info);
/*
 * Describes key SERIAL (keyctl_describe): -EINVAL when it is not a "skap"
 * key, the kernel's -errno when it is gone, revoked or expired.
 */
int skap_key_describe(int32_t serial, struct skap_key_info *info);
/* The serials linked in KEYRING (keyctl_read), in *OUT (the caller frees it). */
int skap_key_list(int32_t keyring, int32_t **out, size_t *n);

#endif /* SKAP_KMOD_H */
