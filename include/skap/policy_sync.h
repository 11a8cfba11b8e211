/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From configured links to the module's policies, and back: computes the
 * policies each link needs and brings the module's set to exactly that,
 * touching only what differs. A restart with the same configuration changes
 * nothing (traffic is not disturbed); a reload changes only the links whose
 * policies changed.
 */
#ifndef SKAP_POLICY_SYNC_H
#define SKAP_POLICY_SYNC_H

#include <skap/config.h>
#include <skap/kmod.h>

#include <stddef.h>
#include <stdint.h>

/* A link's reqid: stable across restarts, derived from its name. */
uint32_t skap_link_reqid(const char *link_name);

/*
 * The policies LINK needs: for every (local, remote) prefix pair an "out"
 * and an "in" policy, and in tunnel mode a "fwd" policy too. Returns how many
 * were written into OUT (at most MAX), or -ENOSPC.
 */
int skap_link_policies(const struct skap_link_config *link, struct skap_policy *out, size_t max);

struct skap_sync_stats {
	unsigned int kept;
	unsigned int added;
	unsigned int replaced; /* same slot, new contents: swapped in one step */
	unsigned int removed;
	unsigned int sas_removed; /* SAs of links that are no longer configured */
};

/*
 * Brings the module's policies in line with CFG, and removes the SAs whose
 * reqid belongs to no configured link (a link that was removed takes its
 * SAs with it; the SAs of every other link stay untouched).
 */
int skap_policy_sync(struct skap_kmod *km, const struct skap_daemon_config *cfg,
		     struct skap_sync_stats *stats, struct skap_kmod_error *err);

#endif /* SKAP_POLICY_SYNC_H */
