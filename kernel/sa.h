/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP states the module builds from skap keys, and owns.
 */
#ifndef _SKAP_SA_H
#define _SKAP_SA_H

#include <linux/key.h>
#include <linux/rcupdate.h>
#include <net/xfrm.h>

struct skap_net;

/**
 * struct skap_sa - an xfrm state the module made
 * @node: entry in skap_net.sa_hash (RCU)
 * @rcu: for freeing after RCU readers (the key manager) are done
 * @x: the state, referenced
 * @key: the key it was built from, referenced
 * @serial: @key's serial
 * @id: creation number, index in skap_net.sas
 * @dir: the key's direction, SKAP_KEY_DIR_*
 */
struct skap_sa {
	struct hlist_node node;
	struct rcu_head rcu;
	struct xfrm_state *x;
	struct key *key;
	key_serial_t serial;
	u32 id;
	u8 dir;
};

/* What SKAP_CMD_NEW_SA asks for, parsed and checked by genl.c. */
struct skap_sa_params {
	key_serial_t key;
	u16 family;
	xfrm_address_t src;
	xfrm_address_t dst;
	bool has_spi;
	u32 spi;
	u8 mode;
	u32 reqid;
	struct xfrm_selector sel;
	struct xfrm_lifetime_cfg lft;
	struct xfrm_mark mark;
	u32 if_id;
};

int skap_sa_add(struct skap_net *sn, const struct skap_sa_params *p,
		struct netlink_ext_ack *extack);
int skap_sa_del(struct skap_net *sn, u16 family, const xfrm_address_t *dst,
		u32 spi, u32 mark, struct netlink_ext_ack *extack);
void skap_sa_flush(struct skap_net *sn);
void skap_sa_reap(struct skap_net *sn);
struct skap_sa *skap_sa_lookup_rcu(struct skap_net *sn,
				   const struct xfrm_state *x);

#endif /* _SKAP_SA_H */
