/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A replay cache: 64-bit hashes of what was seen (the caller hashes under a
 * secret key), each until a time the caller sets. Open addressing with a
 * bounded probe; the table doubles, from MIN_SLOTS up to MAX_SLOTS, when a
 * probe finds no room, and past MAX_SLOTS it refuses (fail closed: it never
 * forgets a live entry to make room).
 */
#ifndef SKAP_REPLAY_H
#define SKAP_REPLAY_H

#include <stddef.h>
#include <stdint.h>

struct skap_replay;

/* MIN_SLOTS and MAX_SLOTS powers of two, MIN_SLOTS <= MAX_SLOTS; NULL otherwise. */
struct skap_replay *skap_replay_new(size_t min_slots, size_t max_slots);
void skap_replay_free(struct skap_replay *r);

/*
 * Records HASH (not 0) until UNTIL: 0; -EALREADY when HASH is recorded and
 * live at NOW (the entry is kept as it was); -EBUSY when there is no room
 * even at MAX_SLOTS (or the table cannot grow); -EINVAL for HASH 0.
 */
int skap_replay_add(struct skap_replay *r, uint64_t hash, int64_t until, int64_t now);
size_t skap_replay_slots(const struct skap_replay *r);

#endif /* SKAP_REPLAY_H */
