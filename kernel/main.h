/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skap.ko: the per-network-namespace state every part of the module shares.
 */
#ifndef _SKAP_MAIN_H
#define _SKAP_MAIN_H

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>

struct key;

/**
 * struct skap_net - what skap keeps in one network namespace
 * @net: the namespace
 * @keyring: the namespace's ".skap" keyring
 * @lock: serialises every change to the SAs and policies below, and dumps
 * @sas: the SAs the module owns (struct skap_sa), by creation number
 * @policies: the policies it owns (struct skap_pol), by creation number
 * @next_sa: next SA creation number
 * @next_pol: next policy creation number
 * @nsas: number of entries in @sas
 * @npols: number of entries in @policies
 * @gen: change counter, never 0, for NLM_F_DUMP_INTR
 * @sa_hash: the same SAs by xfrm_state pointer, RCU, for the key manager
 * @pol_hash: the same policies by xfrm_policy pointer, RCU
 * @reap: removes SAs whose state died or whose key is no longer valid
 * @dying: set when the namespace goes away; no more reaping is queued
 * @list: entry in the list of all skap namespaces (RCU)
 */
struct skap_net {
	struct net *net;
	struct key *keyring;
	struct mutex lock;
	struct xarray sas;
	struct xarray policies;
	u32 next_sa;
	u32 next_pol;
	unsigned int nsas;
	unsigned int npols;
	u32 gen;
	DECLARE_HASHTABLE(sa_hash, 10);
	DECLARE_HASHTABLE(pol_hash, 6);
	struct delayed_work reap;
	bool dying;
	struct list_head list;
};

struct skap_net *skap_net(const struct net *net);
struct skap_net *skap_net_by_keyring(const struct key *keyring);
void skap_reap_soon(struct skap_net *sn);
void skap_reap_later(struct skap_net *sn);
void skap_reap_all_soon(void);
void skap_changed(struct skap_net *sn);

#endif /* _SKAP_MAIN_H */
