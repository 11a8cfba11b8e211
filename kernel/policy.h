/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xfrm policies the module makes, and owns.
 */
#ifndef _SKAP_POLICY_H
#define _SKAP_POLICY_H

#include <linux/rcupdate.h>
#include <net/xfrm.h>

struct skap_net;

/**
 * struct skap_pol - an xfrm policy the module made
 * @node: entry in skap_net.pol_hash (RCU)
 * @rcu: for freeing after RCU readers (the key manager) are done
 * @xp: the policy, referenced
 * @id: creation number, index in skap_net.policies
 * @dir: XFRM_POLICY_IN, _OUT or _FWD
 */
struct skap_pol {
	struct hlist_node node;
	struct rcu_head rcu;
	struct xfrm_policy *xp;
	u32 id;
	u8 dir;
};

/* What SKAP_CMD_NEW_POLICY asks for, parsed and checked by genl.c. */
struct skap_pol_params {
	u16 family;
	u8 dir;
	struct xfrm_selector sel;
	u8 mode;
	xfrm_address_t src;
	xfrm_address_t dst;
	u32 reqid;
	u32 spi;
	u32 priority;
	struct xfrm_mark mark;
	u32 if_id;
};

int skap_pol_add(struct skap_net *sn, const struct skap_pol_params *p,
		 bool replace, u32 *index, struct netlink_ext_ack *extack);
int skap_pol_del(struct skap_net *sn, u8 dir, u32 index,
		 struct netlink_ext_ack *extack);
void skap_pol_flush(struct skap_net *sn);
void skap_pol_reap(struct skap_net *sn);
struct skap_pol *skap_pol_lookup_rcu(struct skap_net *sn,
				     const struct xfrm_policy *xp);

#endif /* _SKAP_POLICY_H */
