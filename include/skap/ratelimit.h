/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-key token buckets: "at most RATE events per second per source (or per
 * account), in bursts of at most BURST". The table has a fixed size, so a
 * flood of distinct keys costs bounded memory: when it is full of active
 * keys, new keys are refused (fail closed) until old ones go idle.
 * Keys are hashed with SipHash-2-4 under a random key, so an attacker cannot
 * aim many keys at one chain.
 */
#ifndef SKAP_RATELIMIT_H
#define SKAP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SKAP_RATELIMIT_KEY_MAX 64

struct skap_ratelimit;

/* NULL on bad arguments (rate or burst 0, size 0) or out of memory. */
struct skap_ratelimit *skap_ratelimit_new(unsigned int rate_per_s, unsigned int burst,
					  size_t max_keys);
void skap_ratelimit_free(struct skap_ratelimit *rl);

/*
 * Whether one more event for KEY (LEN bytes, at most SKAP_RATELIMIT_KEY_MAX)
 * is allowed at NOW_NS (a monotonic clock in nanoseconds); counts it if so.
 */
bool skap_ratelimit_allow(struct skap_ratelimit *rl, const void *key, size_t len,
			  uint64_t now_ns);

/* Keys currently tracked (for tests and status). */
size_t skap_ratelimit_count(const struct skap_ratelimit *rl);

/* SipHash-2-4 of DATA under the 16-byte KEY. */
uint64_t skap_siphash(const uint8_t key[16], const void *data, size_t len);

#endif /* SKAP_RATELIMIT_H */
