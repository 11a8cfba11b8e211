/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "skap" key type: one 256-bit key and its metadata, never readable.
 */
#ifndef _SKAP_KEYTYPE_H
#define _SKAP_KEYTYPE_H

#include <linux/key-type.h>
#include <linux/rcupdate.h>
#include <uapi/linux/skap.h>

/* The instantiated payload, key->payload.data[0]. */
struct skap_key {
	struct rcu_head rcu;
	struct skap_key_payload p;
};

extern struct key_type skap_key_type;

#endif /* _SKAP_KEYTYPE_H */
