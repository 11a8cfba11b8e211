/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SKAPD_NEGOTIATE_H
#define SKAPD_NEGOTIATE_H

#include <skap/config.h>
#include <skap/kmod.h>

struct event_base;
struct skapd_neg;

/*
 * Loads the device's identity from CFG's state directory and starts
 * negotiating on CFG's listen address. -EACCES when the device is not
 * enrolled and approved (the daemon runs on, its links closed).
 */
int skapd_neg_start(struct skapd_neg **out, struct event_base *base, struct skap_kmod *km,
		    const struct skap_daemon_config *cfg);
/* After a reload: CFG replaces the configuration (it must outlive N). */
void skapd_neg_set_config(struct skapd_neg *n, const struct skap_daemon_config *cfg);
/* The module's acquire for LINK: ask for a key and start an exchange. */
void skapd_neg_acquire(struct skapd_neg *n, const struct skap_link_config *l);
/* A soft (rekey) or hard expire of one of LINK's SAs. */
void skapd_neg_expire(struct skapd_neg *n, const struct skap_link_config *l, int hard,
		      int outbound);
void skapd_neg_free(struct skapd_neg *n);

#endif /* SKAPD_NEGOTIATE_H */
