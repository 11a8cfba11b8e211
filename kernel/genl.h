/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family "skap": commands, dumps and events.
 */
#ifndef _SKAP_GENL_H
#define _SKAP_GENL_H

#include <net/genetlink.h>
#include <net/xfrm.h>

struct skap_net;
struct skap_pol;
struct skap_sa;

int skap_genl_init(void);
void skap_genl_exit(void);
bool skap_genl_has_listeners(struct net *net);
int skap_genl_event_acquire(struct skap_net *sn, const struct skap_pol *pol,
			    const struct xfrm_state *x,
			    const struct xfrm_tmpl *t);
void skap_genl_event_expire(struct skap_net *sn, const struct skap_sa *sa,
			    bool hard);

#endif /* _SKAP_GENL_H */
