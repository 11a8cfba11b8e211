// SPDX-License-Identifier: GPL-2.0
/*
 * skap.ko: keys for IPsec in the kernel keyring, ESP states and policies
 * built from them, and the key-manager events a daemon negotiates from.
 *
 * This file ties the parts together: the per-namespace state (created and
 * torn down by pernet operations, so every namespace, existing or new, gets
 * its keyring, and everything the module made in a namespace goes with it),
 * the reap work, and module load and unload.
 */

#include <linux/key.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <net/netns/generic.h>
#include <uapi/linux/skap.h>

#include "genl.h"
#include "keyring.h"
#include "keytype.h"
#include "km.h"
#include "main.h"
#include "policy.h"
#include "sa.h"

static unsigned int skap_net_id __read_mostly;
static LIST_HEAD(skap_nets);
static DEFINE_MUTEX(skap_nets_lock);

struct skap_net *skap_net(const struct net *net)
{
	return net_generic(net, skap_net_id);
}

/* The namespace whose keyring is @keyring. Under rcu_read_lock. */
struct skap_net *skap_net_by_keyring(const struct key *keyring)
{
	struct skap_net *sn;

	list_for_each_entry_rcu(sn, &skap_nets, list) {
		if (sn->keyring == keyring)
			return sn;
	}
	return NULL;
}

/* Called from atomic context too. */
void skap_reap_soon(struct skap_net *sn)
{
	if (!READ_ONCE(sn->dying))
		mod_delayed_work(system_wq, &sn->reap, 0);
}

/* Start the periodic look at keys' expiry, if it is not running. */
void skap_reap_later(struct skap_net *sn)
{
	if (!READ_ONCE(sn->dying))
		queue_delayed_work(system_wq, &sn->reap, SKAP_REAP_INTERVAL_S * HZ);
}

void skap_reap_all_soon(void)
{
	struct skap_net *sn;

	rcu_read_lock();
	list_for_each_entry_rcu(sn, &skap_nets, list)
		skap_reap_soon(sn);
	rcu_read_unlock();
}

/* The SAs or policies changed: a dump in progress is interrupted. */
void skap_changed(struct skap_net *sn)
{
	if (!++sn->gen)
		sn->gen = 1;
}

/*
 * Forget what died and delete SAs whose key was revoked or has expired.
 * While the module owns SAs it looks again every SKAP_REAP_INTERVAL_S
 * seconds: a key's expiry raises no event.
 */
static void skap_reap_work(struct work_struct *work)
{
	struct skap_net *sn = container_of(to_delayed_work(work),
					   struct skap_net, reap);
	bool again;

	mutex_lock(&sn->lock);
	skap_sa_reap(sn);
	skap_pol_reap(sn);
	again = sn->nsas && !READ_ONCE(sn->dying);
	mutex_unlock(&sn->lock);
	if (again)
		queue_delayed_work(system_wq, &sn->reap, SKAP_REAP_INTERVAL_S * HZ);
}

static int __net_init skap_net_init(struct net *net)
{
	struct skap_net *sn = skap_net(net);
	int ret;

	sn->net = net;
	mutex_init(&sn->lock);
	xa_init_flags(&sn->sas, XA_FLAGS_ALLOC);
	xa_init_flags(&sn->policies, XA_FLAGS_ALLOC);
	hash_init(sn->sa_hash);
	hash_init(sn->pol_hash);
	sn->gen = 1;
	INIT_DELAYED_WORK(&sn->reap, skap_reap_work);

	ret = skap_keyring_create(sn);
	if (ret)
		return ret;
	mutex_lock(&skap_nets_lock);
	list_add_tail_rcu(&sn->list, &skap_nets);
	mutex_unlock(&skap_nets_lock);
	return 0;
}

static void __net_exit skap_net_exit(struct net *net)
{
	struct skap_net *sn = skap_net(net);

	WRITE_ONCE(sn->dying, true);
	mutex_lock(&skap_nets_lock);
	list_del_rcu(&sn->list);
	mutex_unlock(&skap_nets_lock);
	synchronize_rcu();
	cancel_delayed_work_sync(&sn->reap);

	mutex_lock(&sn->lock);
	skap_pol_flush(sn);
	skap_sa_flush(sn);
	mutex_unlock(&sn->lock);
	/* Entries are freed after an RCU grace period (kfree_rcu). */
	xa_destroy(&sn->sas);
	xa_destroy(&sn->policies);
	skap_keyring_destroy(sn);
}

static struct pernet_operations skap_net_ops = {
	.init = skap_net_init,
	.exit = skap_net_exit,
	.id = &skap_net_id,
	.size = sizeof(struct skap_net),
};

static int __init skap_init(void)
{
	int ret;

	ret = skap_keyring_init();
	if (ret)
		return ret;
	ret = register_key_type(&skap_key_type);
	if (ret)
		goto err_keyring;
	ret = register_pernet_subsys(&skap_net_ops);
	if (ret)
		goto err_keytype;
	skap_km_init();
	ret = skap_genl_init();
	if (ret)
		goto err_km;
	pr_info("skap: version %s loaded\n", SKAP_MODULE_VERSION);
	return 0;

err_km:
	skap_km_exit();
	unregister_pernet_subsys(&skap_net_ops);
err_keytype:
	unregister_key_type(&skap_key_type);
err_keyring:
	skap_keyring_exit();
	return ret;
}

static void __exit skap_exit(void)
{
	skap_genl_exit();
	skap_km_exit();
	/* Deletes every state and policy the module made, in every namespace. */
	unregister_pernet_subsys(&skap_net_ops);
	unregister_key_type(&skap_key_type);
	/* kfree_rcu() of the last entries, and key revocations' RCU frees. */
	rcu_barrier();
	skap_keyring_exit();
}

module_init(skap_init);
module_exit(skap_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("skap: keys in the keyring, IPsec SAs and policies from them");
MODULE_VERSION(SKAP_MODULE_VERSION);
MODULE_ALIAS_GENL_FAMILY(SKAP_GENL_NAME);
