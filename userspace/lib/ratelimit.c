// SPDX-License-Identifier: GPL-2.0
/*
 * Token buckets per key (include/skap/ratelimit.h). Credit is kept in
 * nanoseconds: an event costs 1e9 / rate, a bucket holds at most BURST
 * events' worth and refills with the clock. Entries live in a fixed pool,
 * chained from a power-of-two table; idle entries (refilled to full) are
 * reclaimed when the pool runs out, at most once per second.
 */

#include <skap/ratelimit.h>

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#define NSEC_PER_SEC 1000000000ULL
#define NONE	     UINT32_MAX

struct entry {
	uint8_t key[SKAP_RATELIMIT_KEY_MAX];
	uint8_t len;
	uint32_t next; /* chain, or the free list */
	uint64_t credit_ns;
	uint64_t last_ns;
};

struct skap_ratelimit {
	uint64_t cost_ns;
	uint64_t max_credit_ns;
	uint8_t hash_key[16];
	uint32_t *heads;
	uint32_t mask;
	struct entry *pool;
	uint32_t pool_size;
	uint32_t free_head;
	size_t count;
	uint64_t last_gc_ns;
	bool gc_ever;
};

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND                                                                                   \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = rotl(v1, 13);                                                                 \
		v1 ^= v0;                                                                          \
		v0 = rotl(v0, 32);                                                                 \
		v2 += v3;                                                                          \
		v3 = rotl(v3, 16);                                                                 \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = rotl(v3, 21);                                                                 \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = rotl(v1, 17);                                                                 \
		v1 ^= v2;                                                                          \
		v2 = rotl(v2, 32);                                                                 \
	} while (0)

static uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint64_t skap_siphash(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *in = data;
	uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	uint64_t m, b = (uint64_t)len << 56;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		m = load_le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t k = 0; i + k < len; k++)
		b |= (uint64_t)in[i + k] << (8 * k);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

struct skap_ratelimit *skap_ratelimit_new(unsigned int rate_per_s, unsigned int burst,
					  size_t max_keys)
{
	struct skap_ratelimit *rl;
	size_t buckets = 1;

	if (!rate_per_s || !burst || !max_keys || max_keys >= NONE / 2)
		return NULL;
	while (buckets < 2 * max_keys)
		buckets <<= 1;
	rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	rl->cost_ns = NSEC_PER_SEC / rate_per_s;
	rl->max_credit_ns = rl->cost_ns * burst;
	rl->heads = malloc(buckets * sizeof(*rl->heads));
	rl->pool = calloc(max_keys, sizeof(*rl->pool));
	if (!rl->heads || !rl->pool || RAND_bytes(rl->hash_key, sizeof(rl->hash_key)) != 1) {
		skap_ratelimit_free(rl);
		return NULL;
	}
	rl->mask = (uint32_t)(buckets - 1);
	for (size_t i = 0; i < buckets; i++)
		rl->heads[i] = NONE;
	rl->pool_size = (uint32_t)max_keys;
	for (uint32_t i = 0; i < rl->pool_size; i++)
		rl->pool[i].next = i + 1 < rl->pool_size ? i + 1 : NONE;
	rl->free_head = 0;
	return rl;
}

void skap_ratelimit_free(struct skap_ratelimit *rl)
{
	if (!rl)
		return;
	free(rl->heads);
	free(rl->pool);
	free(rl);
}

size_t skap_ratelimit_count(const struct skap_ratelimit *rl)
{
	return rl->count;
}

/* The credit E has at NOW, refilled and capped. */
static uint64_t credit_at(const struct skap_ratelimit *rl, const struct entry *e, uint64_t now)
{
	uint64_t credit = e->credit_ns + (now > e->last_ns ? now - e->last_ns : 0);

	return credit > rl->max_credit_ns ? rl->max_credit_ns : credit;
}

/* Frees every entry whose bucket has refilled: it would allow a full burst anyway. */
static void collect_idle(struct skap_ratelimit *rl, uint64_t now)
{
	for (uint32_t b = 0; b <= rl->mask; b++) {
		uint32_t *link = &rl->heads[b];

		while (*link != NONE) {
			struct entry *e = &rl->pool[*link];
			uint32_t idx = *link;

			if (credit_at(rl, e, now) >= rl->max_credit_ns) {
				*link = e->next;
				e->next = rl->free_head;
				rl->free_head = idx;
				rl->count--;
			} else {
				link = &e->next;
			}
		}
	}
	rl->last_gc_ns = now;
	rl->gc_ever = true;
}

bool skap_ratelimit_allow(struct skap_ratelimit *rl, const void *key, size_t len,
			  uint64_t now_ns)
{
	uint32_t b, idx;
	struct entry *e;
	uint64_t credit;

	if (len > SKAP_RATELIMIT_KEY_MAX)
		return false;
	b = (uint32_t)skap_siphash(rl->hash_key, key, len) & rl->mask;
	for (idx = rl->heads[b]; idx != NONE; idx = rl->pool[idx].next) {
		e = &rl->pool[idx];
		if (e->len == len && !memcmp(e->key, key, len))
			break;
	}
	if (idx == NONE) {
		if (rl->free_head == NONE &&
		    (!rl->gc_ever || now_ns - rl->last_gc_ns >= NSEC_PER_SEC))
			collect_idle(rl, now_ns);
		if (rl->free_head == NONE)
			return false;
		idx = rl->free_head;
		e = &rl->pool[idx];
		rl->free_head = e->next;
		memset(e, 0, sizeof(*e));
		memcpy(e->key, key, len);
		e->len = (uint8_t)len;
		e->credit_ns = rl->max_credit_ns;
		e->last_ns = now_ns;
		e->next = rl->heads[b];
		rl->heads[b] = idx;
		rl->count++;
	}
	e = &rl->pool[idx];
	credit = credit_at(rl, e, now_ns);
	e->last_ns = now_ns > e->last_ns ? now_ns : e->last_ns;
	if (credit < rl->cost_ns) {
		e->credit_ns = credit;
		return false;
	}
	e->credit_ns = credit - rl->cost_ns;
	return true;
}
