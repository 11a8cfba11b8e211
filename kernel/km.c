// SPDX-License-Identifier: GPL-2.0
/*
 * skap as an xfrm key manager, beside xfrm_user and af_key. The kernel calls
 * every manager for every state and policy; skap answers only for the ones
 * it owns, and turns acquires (traffic hit a skap policy and found no SA) and
 * expires (soft and hard limits of a skap SA) into events on the "events"
 * multicast group. Changes made by others to skap's objects (deletions,
 * flushes) only make skap forget them.
 *
 * Every callback may run in atomic context (km_query() runs the acquires
 * under rcu_read_lock from the packet path; expiries come from the state
 * timer): lookups are RCU, allocations GFP_ATOMIC, and anything heavier is
 * left to the namespace's reap work.
 */

#include <net/xfrm.h>

#include "genl.h"
#include "km.h"
#include "main.h"
#include "policy.h"
#include "sa.h"

static int skap_km_notify(struct xfrm_state *x, const struct km_event *c)
{
	/* A flush has no state, only the namespace. */
	struct skap_net *sn = skap_net(x ? xs_net(x) : c->net);
	struct skap_sa *sa;

	switch (c->event) {
	case XFRM_MSG_EXPIRE:
		rcu_read_lock();
		sa = skap_sa_lookup_rcu(sn, x);
		if (sa)
			skap_genl_event_expire(sn, sa, c->data.hard);
		rcu_read_unlock();
		if (sa && c->data.hard)
			skap_reap_soon(sn);
		break;
	case XFRM_MSG_DELSA:
	case XFRM_MSG_FLUSHSA:
		if (READ_ONCE(sn->nsas))
			skap_reap_soon(sn);
		break;
	}
	return 0;
}

static int skap_km_notify_policy(struct xfrm_policy *xp, int dir,
				 const struct km_event *c)
{
	struct skap_net *sn = skap_net(xp ? xp_net(xp) : c->net);

	switch (c->event) {
	case XFRM_MSG_DELPOLICY:
	case XFRM_MSG_FLUSHPOLICY:
	case XFRM_MSG_POLEXPIRE:
		if (READ_ONCE(sn->npols))
			skap_reap_soon(sn);
		break;
	}
	return 0;
}

static int skap_km_acquire(struct xfrm_state *x, struct xfrm_tmpl *t,
			   struct xfrm_policy *xp)
{
	struct skap_net *sn = skap_net(xs_net(x));
	struct skap_pol *pol;
	int ret = -EINVAL;

	rcu_read_lock();
	pol = skap_pol_lookup_rcu(sn, xp);
	if (pol) {
		x->km.seq = xfrm_get_acqseq();
		ret = skap_genl_event_acquire(sn, pol, x, t);
	}
	rcu_read_unlock();
	return ret;
}

/* km_query() calls this for every manager: skap compiles no socket policies. */
static struct xfrm_policy *skap_km_compile_policy(struct sock *sk, int opt,
						  u8 *data, int len, int *dir)
{
	*dir = -EOPNOTSUPP;
	return NULL;
}

static bool skap_km_is_alive(const struct km_event *c)
{
	return skap_genl_has_listeners(c->net);
}

static struct xfrm_mgr skap_km = {
	.notify = skap_km_notify,
	.acquire = skap_km_acquire,
	.compile_policy = skap_km_compile_policy,
	.notify_policy = skap_km_notify_policy,
	.is_alive = skap_km_is_alive,
};

void skap_km_init(void)
{
	xfrm_register_km(&skap_km);
}

void skap_km_exit(void)
{
	xfrm_unregister_km(&skap_km);
}
