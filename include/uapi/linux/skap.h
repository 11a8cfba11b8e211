/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * skap: keys in the kernel keyring, IPsec states and policies built from them.
 *
 * This file is the complete manual of the kernel interface of skap.ko.
 *
 * Keys
 * ----
 *
 * Key type "skap". Each network namespace has one keyring, created by the
 * module and named ".skap"; SKAP_CMD_GET_INFO returns its serial. Keys are
 * added with add_key(2) ("skap", description, payload, len, keyring). Adding a
 * key or linking one into the keyring needs CAP_NET_ADMIN in the user
 * namespace that owns the network namespace; the keyring only takes keys of
 * type "skap".
 *
 * The payload is exactly one struct skap_key_payload (128 bytes, integers
 * big-endian); anything else is refused with EINVAL:
 *
 *    version    SKAP_KEY_V1
 *    dir        SKAP_KEY_DIR_IN or SKAP_KEY_DIR_OUT (the SA direction)
 *    peer_len   1..64: length of the peer device id in peer[]
 *    reserved   0
 *    spi        the SPI of the SA built from this key, >= 256
 *    expiry     Unix time (CLOCK_REALTIME seconds) at which the key expires,
 *               0 for none; a time in the past is refused
 *    kid        the 16-byte key id of the SKAP protocol
 *    peer       the peer device id (A-Z a-z 0-9 . _ -), zero-padded
 *    key        the 256-bit AES-GCM key
 *
 * The description is canonical: "skap:KID:PEER:DIR:SPI" with KID in 32
 * lowercase hex digits, DIR "in" or "out", SPI as 8 lowercase hex digits. An
 * empty description lets the kernel fill it in; any other description must
 * be exactly the canonical one, so that keyctl describe and /proc/keys name
 * the key id, peer, direction and SPI. The key's expiry is set from the
 * payload. There is no read: keyctl read gets EOPNOTSUPP, for root too.
 * Keys cannot be updated (adding the same description again replaces the key
 * in the keyring; SAs built from the old key keep it until they go). Revoking
 * a key, or its expiry, removes every SA built from it (at once on revoke,
 * within SKAP_REAP_INTERVAL_S seconds on expiry; an SA's hard time lifetime
 * never exceeds the key's expiry). Revoke and destroy zero the key bytes.
 *
 * The ESP salt. An SA is "rfc4106(gcm(aes))" with a 16-byte ICV. Its 288-bit
 * key is the 256-bit key followed by a 32-bit salt that the module derives:
 * the first 4 bytes of SHA-256("skap1 esp salt" || key), the 14 ASCII bytes
 * without terminator followed by the 32 key bytes. Both peers hold the same key
 * and derive the same salt; it is never passed in or shown. Hand-made states
 * with the same keys ("ip xfrm state ... aead rfc4106(gcm(aes)) KEY||SALT 128")
 * interoperate.
 *
 * Generic netlink
 * ---------------
 *
 * Family SKAP_GENL_NAME ("skap"), version SKAP_GENL_VERSION. The family is
 * namespace-aware: every command acts on the caller's network namespace and
 * needs CAP_NET_ADMIN in the user namespace that owns it (EPERM otherwise).
 * Attributes are validated strictly: an attribute the command does not list
 * below, a wrong type or length, or trailing data fails with EINVAL and an
 * extended ACK message naming the attribute. Every failing command changes
 * nothing. All commands set NLM_F_REQUEST; SKAP_CMD_GET_SA and
 * SKAP_CMD_GET_POLICY also need NLM_F_DUMP.
 *
 * Addresses are binary in network byte order: 4 bytes for AF_INET, 16 for
 * AF_INET6, according to SKAP_A_FAMILY. SPIs are u32 in host byte order.
 *
 * The module owns what it creates: it deletes, flushes and reports only its
 * own states and policies, and removes all of them on SKAP_CMD_FLUSH, when the
 * namespace goes away and when the module is unloaded. States and policies
 * made by anyone else are never touched (adding an SA whose destination and
 * SPI are taken fails with EEXIST).
 *
 * SKAP_CMD_GET_INFO: no attributes. Reply:
 *
 *    SKAP_A_VERSION: NLA_U32, SKAP_GENL_VERSION
 *    SKAP_A_KEYRING: NLA_S32, serial of the namespace's keyring
 *    SKAP_A_SA_COUNT: NLA_U32, SAs the module owns in the namespace
 *    SKAP_A_POLICY_COUNT: NLA_U32, policies the module owns
 *
 * SKAP_CMD_NEW_SA: build an ESP state from a key. Attributes:
 *
 *    SKAP_A_KEY: NLA_S32, required, serial of a valid "skap" key linked in
 *                the namespace's keyring (ENOKEY if there is none,
 *                EKEYREVOKED/EKEYEXPIRED if it is no longer valid)
 *    SKAP_A_FAMILY: NLA_U16, required, AF_INET or AF_INET6
 *    SKAP_A_SRC: NLA_BINARY, required, outer source address
 *    SKAP_A_DST: NLA_BINARY, required, outer destination address
 *    SKAP_A_MODE: NLA_U8, required, SKAP_MODE_TRANSPORT or SKAP_MODE_TUNNEL
 *    SKAP_A_SPI: NLA_U32, optional, must equal the key's SPI
 *    SKAP_A_REQID: NLA_U32, optional, default 0
 *    SKAP_A_SEL: NLA_NESTED, optional selector (enum skap_sel_attr) with
 *                the same family; default: any traffic
 *    SKAP_A_LIFETIME: NLA_NESTED, optional (enum skap_lft_attr); every limit
 *                     defaults to none, a soft limit must be below its hard
 *                     limit; the hard time limit is capped at the key expiry
 *    SKAP_A_MARK, SKAP_A_MARK_MASK: NLA_U32, optional, both or none
 *    SKAP_A_IF_ID: NLA_U32, optional xfrm interface id
 *
 *    The state has a 32-packet replay window. Reply: none (the ACK).
 *
 * SKAP_CMD_DEL_SA: SKAP_A_FAMILY, SKAP_A_DST, SKAP_A_SPI (all required) and
 * SKAP_A_MARK (optional, the mark value that selects a marked SA) name an SA
 * the module owns (ENOENT otherwise, also for foreign states).
 *
 * SKAP_CMD_GET_SA (NLM_F_DUMP): no attributes. One message per SA, in the
 * order of creation, with SKAP_A_KEY, SKAP_A_FAMILY, SKAP_A_SRC, SKAP_A_DST,
 * SKAP_A_SPI, SKAP_A_MODE, SKAP_A_REQID, SKAP_A_DIR (the key's SKAP_KEY_DIR_*),
 * SKAP_A_SEL, SKAP_A_LIFETIME, SKAP_A_MARK/SKAP_A_MARK_MASK and SKAP_A_IF_ID
 * when set, and SKAP_A_STATS (enum skap_stats_attr). A dump resumes where
 * the previous message buffer ended (the cursor is the SA's creation number,
 * so SAs deleted meanwhile do not make it skip or repeat any); if the set
 * changes during the dump the next message carries NLM_F_DUMP_INTR.
 *
 * SKAP_CMD_NEW_POLICY: attributes:
 *
 *    SKAP_A_FAMILY: NLA_U16, required
 *    SKAP_A_DIR: NLA_U8, required, SKAP_POLICY_IN, _OUT or _FWD
 *    SKAP_A_SEL: NLA_NESTED, required selector
 *    SKAP_A_MODE: NLA_U8, required, the template's mode
 *    SKAP_A_SRC, SKAP_A_DST: the template's outer addresses, required in
 *                            tunnel mode, optional in transport mode
 *    SKAP_A_REQID: NLA_U32, optional, default 0
 *    SKAP_A_SPI: NLA_U32, optional, the template's SPI (0: any)
 *    SKAP_A_PRIORITY: NLA_U32, optional, default 0
 *    SKAP_A_MARK, SKAP_A_MARK_MASK, SKAP_A_IF_ID: as for SAs
 *    SKAP_A_REPLACE: NLA_FLAG, optional (generic netlink refuses
 *                    NLM_F_REPLACE, hence an attribute)
 *
 *    A policy with the same selector, direction, mark and interface id
 *    fails with EEXIST, unless the request carries SKAP_A_REPLACE and that
 *    policy is one of the module's: it is then replaced in one step (the
 *    kernel's policy lock held throughout, so no packet finds the selector
 *    without a policy) and its index is kept; listeners of XFRMNLGRP_POLICY
 *    see XFRM_MSG_UPDPOLICY. SKAP_A_REPLACE with no such policy creates one.
 *    Reply: SKAP_CMD_NEW_POLICY with SKAP_A_DIR and SKAP_A_POLICY_INDEX.
 *
 * SKAP_CMD_DEL_POLICY: SKAP_A_DIR and SKAP_A_POLICY_INDEX (required) name a
 * policy the module owns (ENOENT otherwise).
 *
 * SKAP_CMD_GET_POLICY (NLM_F_DUMP): no attributes. One message per policy:
 * SKAP_A_FAMILY, SKAP_A_DIR, SKAP_A_POLICY_INDEX, SKAP_A_PRIORITY, SKAP_A_SEL,
 * SKAP_A_MODE, SKAP_A_SRC/SKAP_A_DST (when set), SKAP_A_REQID, SKAP_A_SPI,
 * marks and SKAP_A_STATS (SKAP_STATS_ADD_TIME, SKAP_STATS_USE_TIME). Resumes
 * and flags interruptions as SKAP_CMD_GET_SA does.
 *
 * SKAP_CMD_FLUSH: no attributes. Deletes every SA and policy the module owns
 * in the namespace.
 *
 * Events
 * ------
 *
 * Multicast group SKAP_GENL_MCGRP_EVENTS ("events"), joined only with
 * CAP_NET_ADMIN (on kernels that can enforce it, see docs/kernel.md). The
 * module is an xfrm key manager and reports, in the namespace concerned:
 *
 * SKAP_CMD_ACQUIRE: traffic matched a policy the module owns and found no
 * SA. SKAP_A_FAMILY, SKAP_A_DIR, SKAP_A_POLICY_INDEX, SKAP_A_SEL (the
 * policy's), SKAP_A_SRC and SKAP_A_DST (the SA to negotiate: local and peer
 * outer addresses), SKAP_A_MODE, SKAP_A_REQID, SKAP_A_SEQ. The kernel holds a
 * larval state until an SA for these addresses and reqid arrives (via
 * SKAP_CMD_NEW_SA) or the acquire times out.
 *
 * SKAP_CMD_EXPIRE: an SA the module owns reached a soft or hard limit.
 * SKAP_A_KEY, SKAP_A_FAMILY, SKAP_A_SRC, SKAP_A_DST, SKAP_A_SPI, SKAP_A_MODE,
 * SKAP_A_REQID, SKAP_A_DIR, and SKAP_A_HARD (NLA_FLAG) when the limit was
 * hard: the state is gone.
 *
 * Nothing is sent for states and policies the module does not own.
 */
#ifndef _UAPI_LINUX_SKAP_H
#define _UAPI_LINUX_SKAP_H

#include <linux/types.h>

#define SKAP_GENL_NAME "skap"
#define SKAP_GENL_VERSION 1
#define SKAP_MODULE_VERSION "0.1.0"
#define SKAP_GENL_MCGRP_EVENTS "events"

#define SKAP_KEY_TYPE "skap"
#define SKAP_KEYRING_NAME ".skap"
#define SKAP_KEY_LEN 32
#define SKAP_KEY_ID_LEN 16
#define SKAP_PEER_MAX 64
#define SKAP_REAP_INTERVAL_S 5

enum skap_key_version {
	SKAP_KEY_V1 = 1,
};

enum skap_key_dir {
	SKAP_KEY_DIR_IN = 1,
	SKAP_KEY_DIR_OUT = 2,
};

struct skap_key_payload {
	__u8 version;
	__u8 dir;
	__u8 peer_len;
	__u8 reserved;
	__be32 spi;
	__be64 expiry;
	__u8 kid[SKAP_KEY_ID_LEN];
	__u8 peer[SKAP_PEER_MAX];
	__u8 key[SKAP_KEY_LEN];
};

enum skap_cmd {
	SKAP_CMD_UNSPEC,
	SKAP_CMD_GET_INFO,
	SKAP_CMD_NEW_SA,
	SKAP_CMD_DEL_SA,
	SKAP_CMD_GET_SA,
	SKAP_CMD_NEW_POLICY,
	SKAP_CMD_DEL_POLICY,
	SKAP_CMD_GET_POLICY,
	SKAP_CMD_FLUSH,
	SKAP_CMD_ACQUIRE,
	SKAP_CMD_EXPIRE,
	__SKAP_CMD_MAX
};
#define SKAP_CMD_MAX (__SKAP_CMD_MAX - 1)

enum skap_mode {
	SKAP_MODE_TRANSPORT = 0,
	SKAP_MODE_TUNNEL = 1,
};

enum skap_policy_dir {
	SKAP_POLICY_IN = 0,
	SKAP_POLICY_OUT = 1,
	SKAP_POLICY_FWD = 2,
};

enum skap_attr {
	SKAP_A_UNSPEC,
	SKAP_A_PAD,
	SKAP_A_VERSION,
	SKAP_A_KEYRING,
	SKAP_A_SA_COUNT,
	SKAP_A_POLICY_COUNT,
	SKAP_A_KEY,
	SKAP_A_FAMILY,
	SKAP_A_SRC,
	SKAP_A_DST,
	SKAP_A_SPI,
	SKAP_A_MODE,
	SKAP_A_REQID,
	SKAP_A_SEL,
	SKAP_A_LIFETIME,
	SKAP_A_MARK,
	SKAP_A_MARK_MASK,
	SKAP_A_IF_ID,
	SKAP_A_DIR,
	SKAP_A_PRIORITY,
	SKAP_A_POLICY_INDEX,
	SKAP_A_STATS,
	SKAP_A_HARD,
	SKAP_A_SEQ,
	SKAP_A_REPLACE,
	__SKAP_A_MAX
};
#define SKAP_A_MAX (__SKAP_A_MAX - 1)

/*
 * Selector (SKAP_A_SEL): addresses as SKAP_A_SRC/DST, prefix lengths 0..32
 * or 0..128 (default: the full length when the address is given, 0 when not),
 * ports in host byte order (non-zero ports need SKAP_SEL_PROTO TCP, UDP or
 * SCTP), SKAP_SEL_PROTO 0 for any.
 */
enum skap_sel_attr {
	SKAP_SEL_UNSPEC,
	SKAP_SEL_SRC,
	SKAP_SEL_DST,
	SKAP_SEL_SRC_PLEN,
	SKAP_SEL_DST_PLEN,
	SKAP_SEL_PROTO,
	SKAP_SEL_SPORT,
	SKAP_SEL_DPORT,
	__SKAP_SEL_MAX
};
#define SKAP_SEL_MAX (__SKAP_SEL_MAX - 1)

/* Lifetime (SKAP_A_LIFETIME): NLA_U64 each; seconds count from the addition. */
enum skap_lft_attr {
	SKAP_LFT_UNSPEC,
	SKAP_LFT_PAD,
	SKAP_LFT_SOFT_BYTES,
	SKAP_LFT_HARD_BYTES,
	SKAP_LFT_SOFT_PACKETS,
	SKAP_LFT_HARD_PACKETS,
	SKAP_LFT_SOFT_SECONDS,
	SKAP_LFT_HARD_SECONDS,
	__SKAP_LFT_MAX
};
#define SKAP_LFT_MAX (__SKAP_LFT_MAX - 1)

/* Counters (SKAP_A_STATS), NLA_U64 (times: Unix seconds, 0 for never). */
enum skap_stats_attr {
	SKAP_STATS_UNSPEC,
	SKAP_STATS_PAD,
	SKAP_STATS_BYTES,
	SKAP_STATS_PACKETS,
	SKAP_STATS_ADD_TIME,
	SKAP_STATS_USE_TIME,
	SKAP_STATS_REPLAY_ERRORS,
	SKAP_STATS_INTEGRITY_ERRORS,
	__SKAP_STATS_MAX
};
#define SKAP_STATS_MAX (__SKAP_STATS_MAX - 1)

#endif /* _UAPI_LINUX_SKAP_H */
