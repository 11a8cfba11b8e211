/* SPDX-License-Identifier: GPL-2.0 */
/*
 * X-Wing encapsulation randomness made ahead (struct skap_xwing_eph: the
 * X25519 ephemeral key pair, half of an encapsulation's X25519 work) by a
 * helper thread that runs only on otherwise idle CPU (SCHED_IDLE): a
 * server's event loop takes a ready one and computes only what depends
 * on the peer's key. When none is ready (a saturated machine, where the
 * helper never runs) the caller makes its own, so the pool only ever
 * saves work, never waits.
 *
 * The entries live in one secret buffer (locked, guarded, wiped on free);
 * each is handed out once and wiped in the pool as it leaves.
 */
#ifndef SKAP_EPH_POOL_H
#define SKAP_EPH_POOL_H

#include <skap/xwing.h>

#include <stddef.h>

struct skap_eph_pool;

/* A pool of CAP entries (2..4096) and its helper thread: 0, -EINVAL, -ENOMEM, -EAGAIN. */
int skap_eph_pool_new(size_t cap, struct skap_eph_pool **out);
/* 1 and *EPH when one was ready (the pool keeps no copy), 0 when none or
 * when the helper holds the pool this instant: it never waits. */
int skap_eph_pool_take(struct skap_eph_pool *p, struct skap_xwing_eph *eph);
/* Entries ready now (for tests and logs). */
size_t skap_eph_pool_ready(struct skap_eph_pool *p);
/* Stops the helper and wipes every entry. P may be NULL. */
void skap_eph_pool_free(struct skap_eph_pool *p);

#endif /* SKAP_EPH_POOL_H */
