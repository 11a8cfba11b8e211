// SPDX-License-Identifier: GPL-2.0
/*
 * The pool of X-Wing encapsulation randomness (include/skap/eph_pool.h).
 * The helper refills to CAP whenever a take leaves the pool below half,
 * so it wakes once per CAP / 2 takes, not once per take; it makes each
 * entry outside the lock and adds it under the lock.
 */

#include <skap/eph_pool.h>
#include <skap/secret.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

struct skap_eph_pool {
	pthread_mutex_t lock;
	pthread_cond_t low; /* the pool fell below half, or stop */
	struct skap_xwing_eph *entries; /* secret buffer, CAP entries */
	size_t cap, n;
	int stop;
	pthread_t helper;
};

static void *helper(void *arg)
{
	struct skap_eph_pool *p = arg;
	struct sched_param none = { 0 };
	struct skap_xwing_eph *eph;

	/* Only otherwise idle CPU: never a cycle taken from the event loop.
	 * Where SCHED_IDLE is refused the pool stays empty (callers make
	 * their own) rather than compete with the loop. */
	if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &none) ||
	    skap_secret_alloc(sizeof(*eph), (void **)&eph))
		return NULL;
	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		if (p->n == p->cap) {
			pthread_cond_wait(&p->low, &p->lock);
			continue;
		}
		pthread_mutex_unlock(&p->lock);
		if (skap_xwing_eph_new(eph)) {
			/* The random generator failed: callers make their own. */
			pthread_mutex_lock(&p->lock);
			break;
		}
		pthread_mutex_lock(&p->lock);
		if (p->n < p->cap)
			p->entries[p->n++] = *eph;
		skap_wipe(eph, sizeof(*eph));
	}
	pthread_mutex_unlock(&p->lock);
	skap_secret_free(eph);
	return NULL;
}

int skap_eph_pool_new(size_t cap, struct skap_eph_pool **out)
{
	struct skap_eph_pool *p;
	int err;

	*out = NULL;
	if (cap < 2 || cap > 4096)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cap = cap;
	err = skap_secret_alloc(cap * sizeof(*p->entries), (void **)&p->entries);
	if (err) {
		free(p);
		return err;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->low, NULL);
	if (pthread_create(&p->helper, NULL, helper, p)) {
		pthread_cond_destroy(&p->low);
		pthread_mutex_destroy(&p->lock);
		skap_secret_free(p->entries);
		free(p);
		return -EAGAIN;
	}
	*out = p;
	return 0;
}

int skap_eph_pool_take(struct skap_eph_pool *p, struct skap_xwing_eph *eph)
{
	int got = 0;

	/*
	 * Never wait for the lock: the helper, at SCHED_IDLE, may be preempted
	 * while it holds it and not run again until a core idles, and the
	 * event loop must not stall behind it. Busy means the helper is adding
	 * an entry: the caller makes its own this time.
	 */
	if (pthread_mutex_trylock(&p->lock))
		return 0;
	if (p->n) {
		struct skap_xwing_eph *last = &p->entries[--p->n];

		*eph = *last;
		skap_wipe(last, sizeof(*last));
		got = 1;
	}
	if (p->n < p->cap / 2)
		pthread_cond_signal(&p->low);
	pthread_mutex_unlock(&p->lock);
	return got;
}

size_t skap_eph_pool_ready(struct skap_eph_pool *p)
{
	size_t n;

	pthread_mutex_lock(&p->lock);
	n = p->n;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void skap_eph_pool_free(struct skap_eph_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_signal(&p->low);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->helper, NULL);
	pthread_cond_destroy(&p->low);
	pthread_mutex_destroy(&p->lock);
	skap_secret_free(p->entries); /* wipes */
	free(p);
}
