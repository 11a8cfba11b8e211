// SPDX-License-Identifier: GPL-2.0
/*
 * The replay cache of <skap/replay.h>. An empty or expired slot is free:
 * entries are never removed, only overwritten once their time is past.
 * Growing moves the live entries to a table twice the size and drops the
 * expired ones.
 */

#include <skap/replay.h>

#include <errno.h>
#include <stdlib.h>

#define PROBES 64

struct slot {
	uint64_t hash;
	int64_t until;
};

struct skap_replay {
	struct slot *t;
	size_t slots, max;
};

static int pow2(size_t n)
{
	return n && !(n & (n - 1));
}

struct skap_replay *skap_replay_new(size_t min_slots, size_t max_slots)
{
	struct skap_replay *r;

	if (!pow2(min_slots) || !pow2(max_slots) || min_slots > max_slots)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->t = calloc(min_slots, sizeof(*r->t));
	if (!r->t) {
		free(r);
		return NULL;
	}
	r->slots = min_slots;
	r->max = max_slots;
	return r;
}

void skap_replay_free(struct skap_replay *r)
{
	if (!r)
		return;
	free(r->t);
	free(r);
}

size_t skap_replay_slots(const struct skap_replay *r)
{
	return r->slots;
}

/*
 * The whole probe window is searched before HASH goes into its first free
 * slot: a slot ahead of a live entry may have expired since, and stopping
 * there would take a replay for a new request.
 */
static int put(struct slot *t, size_t slots, uint64_t hash, int64_t until, int64_t now)
{
	struct slot *free_slot = NULL;

	for (unsigned int i = 0; i < PROBES; i++) {
		struct slot *s = &t[(hash + i) & (slots - 1)];

		if (s->until <= now) {
			if (!free_slot)
				free_slot = s;
		} else if (s->hash == hash) {
			return -EALREADY;
		}
	}
	if (!free_slot)
		return -EBUSY;
	free_slot->hash = hash;
	free_slot->until = until;
	return 0;
}

static int grow(struct skap_replay *r, int64_t now)
{
	size_t slots = 2 * r->slots;
	struct slot *t;

	if (slots > r->max)
		return -EBUSY;
	t = calloc(slots, sizeof(*t));
	if (!t)
		return -EBUSY;
	for (size_t i = 0; i < r->slots; i++) {
		const struct slot *s = &r->t[i];

		/* Live entries are distinct: a failure is only no room. */
		if (s->until > now && put(t, slots, s->hash, s->until, now)) {
			free(t);
			return -EBUSY;
		}
	}
	free(r->t);
	r->t = t;
	r->slots = slots;
	return 0;
}

int skap_replay_add(struct skap_replay *r, uint64_t hash, int64_t until, int64_t now)
{
	int err;

	if (!r || !hash)
		return -EINVAL;
	err = put(r->t, r->slots, hash, until, now);
	while (err == -EBUSY && !grow(r, now))
		err = put(r->t, r->slots, hash, until, now);
	return err;
}
