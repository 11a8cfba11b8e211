// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm policies with one ESP template, built the way xfrm_user builds a
 * policy from XFRM_MSG_NEWPOLICY. The module keeps a reference to each and
 * deletes only these.
 */

#include <linux/hash.h>
#include <linux/slab.h>
#include <net/xfrm.h>

#include "main.h"
#include "policy.h"

static void skap_pol_notify(struct xfrm_policy *xp, int dir, int event)
{
	struct km_event c = { .event = event, .net = xp_net(xp) };

	km_policy_notify(xp, dir, &c);
}

/* Forget @pol (and delete its policy if it is still there). Under sn->lock. */
static void skap_pol_remove(struct skap_net *sn, struct skap_pol *pol)
{
	if (!xfrm_policy_delete(pol->xp, pol->dir))
		skap_pol_notify(pol->xp, pol->dir, XFRM_MSG_DELPOLICY);
	hash_del_rcu(&pol->node);
	xa_erase(&sn->policies, pol->id);
	sn->npols--;
	skap_changed(sn);
	xfrm_pol_put(pol->xp);
	kfree_rcu(pol, rcu);
}

/*
 * The policy the module owns that @p would take the place of in the
 * kernel's tables: xfrm_policy_insert() matches on direction, selector,
 * mark and interface id (the mark as stored, value masked).
 */
static struct skap_pol *skap_pol_find_same(struct skap_net *sn,
					   const struct skap_pol_params *p)
{
	struct skap_pol *pol;
	unsigned long id;

	xa_for_each(&sn->policies, id, pol) {
		const struct xfrm_policy *xp = pol->xp;

		if (pol->dir == p->dir && xp->if_id == p->if_id &&
		    xp->mark.m == p->mark.m &&
		    xp->mark.v == (p->mark.v & p->mark.m) &&
		    !memcmp(&xp->selector, &p->sel, sizeof(p->sel)))
			return pol;
	}
	return NULL;
}

int skap_pol_add(struct skap_net *sn, const struct skap_pol_params *p,
		 bool replace, u32 *index, struct netlink_ext_ack *extack)
{
	struct skap_pol *pol, *old = NULL;
	struct xfrm_policy *xp;
	struct xfrm_tmpl *t;
	int ret;

	lockdep_assert_held(&sn->lock);

	/*
	 * Only a policy of the module's own is replaced: one an administrator
	 * made stays, and the insert below refuses to shadow it (EEXIST).
	 */
	if (replace)
		old = skap_pol_find_same(sn, p);

	pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	if (!pol)
		return -ENOMEM;
	ret = xa_alloc_cyclic(&sn->policies, &pol->id, NULL, xa_limit_32b,
			      &sn->next_pol, GFP_KERNEL);
	if (ret < 0)
		goto err_pol;

	xp = xfrm_policy_alloc(sn->net, GFP_KERNEL);
	if (!xp) {
		ret = -ENOMEM;
		goto err_id;
	}
	xp->priority = p->priority;
	xp->selector = p->sel;
	xp->mark = p->mark;
	xp->if_id = p->if_id;
	xp->lft.soft_byte_limit = XFRM_INF;
	xp->lft.hard_byte_limit = XFRM_INF;
	xp->lft.soft_packet_limit = XFRM_INF;
	xp->lft.hard_packet_limit = XFRM_INF;
	xp->action = XFRM_POLICY_ALLOW;
	xp->type = XFRM_POLICY_TYPE_MAIN;
	xp->family = p->family;
	xp->xfrm_nr = 1;
	t = &xp->xfrm_vec[0];
	t->id.proto = IPPROTO_ESP;
	t->id.spi = htonl(p->spi);
	t->id.daddr = p->dst;
	t->saddr = p->src;
	t->encap_family = p->family;
	t->reqid = p->reqid;
	t->mode = p->mode;
	t->share = XFRM_SHARE_ANY;
	t->aalgos = ~0U;
	t->ealgos = ~0U;
	t->calgos = ~0U;

	/*
	 * A replacement is one step under the policy lock: the old policy's
	 * queued packets move to the new one and no packet ever finds the
	 * selector without a policy (delete-then-add would send it in clear).
	 */
	ret = xfrm_policy_insert(p->dir, xp, !old);
	if (ret) {
		/* Never live: xfrm_user frees such a policy with kfree() too. */
		kfree(xp);
		if (ret == -EEXIST)
			NL_SET_ERR_MSG(extack, "a policy with this selector, direction and mark exists");
		goto err_id;
	}
	xfrm_pol_hold(xp);
	pol->xp = xp;
	pol->dir = p->dir;
	xa_store(&sn->policies, pol->id, pol, GFP_KERNEL);
	hash_add_rcu(sn->pol_hash, &pol->node, hash_ptr(xp, 32));
	sn->npols++;
	skap_changed(sn);
	*index = xp->index;
	if (old) {
		/* Already unlinked and killed by the insert: only forget it. */
		skap_pol_remove(sn, old);
		skap_pol_notify(xp, p->dir, XFRM_MSG_UPDPOLICY);
	} else {
		skap_pol_notify(xp, p->dir, XFRM_MSG_NEWPOLICY);
	}
	return 0;

err_id:
	xa_erase(&sn->policies, pol->id);
err_pol:
	kfree(pol);
	return ret;
}

struct skap_pol *skap_pol_lookup_rcu(struct skap_net *sn,
				     const struct xfrm_policy *xp)
{
	struct skap_pol *pol;

	hash_for_each_possible_rcu(sn->pol_hash, pol, node, hash_ptr(xp, 32)) {
		if (pol->xp == xp)
			return pol;
	}
	return NULL;
}

int skap_pol_del(struct skap_net *sn, u8 dir, u32 index,
		 struct netlink_ext_ack *extack)
{
	struct skap_pol *pol;
	unsigned long id;

	lockdep_assert_held(&sn->lock);
	xa_for_each(&sn->policies, id, pol) {
		if (pol->dir == dir && pol->xp->index == index) {
			skap_pol_remove(sn, pol);
			return 0;
		}
	}
	NL_SET_ERR_MSG(extack, "no skap policy with this direction and index");
	return -ENOENT;
}

void skap_pol_flush(struct skap_net *sn)
{
	struct skap_pol *pol;
	unsigned long id;

	lockdep_assert_held(&sn->lock);
	xa_for_each(&sn->policies, id, pol)
		skap_pol_remove(sn, pol);
}

/* Forget policies deleted by someone else. */
void skap_pol_reap(struct skap_net *sn)
{
	struct skap_pol *pol;
	unsigned long id;

	lockdep_assert_held(&sn->lock);
	xa_for_each(&sn->policies, id, pol) {
		if (READ_ONCE(pol->xp->walk.dead))
			skap_pol_remove(sn, pol);
	}
}
