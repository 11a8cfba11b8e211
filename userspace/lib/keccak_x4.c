// SPDX-License-Identifier: GPL-2.0
/*
 * Keccak-f[1600] on four states at once (keccak_x4.h). The permutation is
 * keccak_f1600.h's, with each lane a vector of four 64-bit words, one per
 * state; compiled for AVX2 (each operation one instruction on four
 * states), and called only where the CPU has it. A permutation of four
 * states costs little more than one, which is what ML-KEM's nine matrix
 * entries and six or seven noise polynomials need.
 */

#include "keccak_x4.h"

#include <stdatomic.h>
#include <string.h>

#define KECCAK_LANE	  keccak_lanes4
#define KECCAK_F1600_NAME keccak_f1600_x4
#define KECCAK_F1600_ATTR __attribute__((target("avx2")))
#include "keccak_f1600.h"

int skap_cpu_has_avx2(void)
{
	static atomic_int cached = -1;
	int has = atomic_load_explicit(&cached, memory_order_relaxed);

	/* Threads racing here all store the same answer. */
	if (has < 0) {
		__builtin_cpu_init();
		has = __builtin_cpu_supports("avx2") ? 1 : 0;
		atomic_store_explicit(&cached, has, memory_order_relaxed);
	}
	return has;
}

static uint64_t load64_le(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int b = 0; b < 8; b++)
		v |= (uint64_t)p[b] << (8 * b);
	return v;
}

static void store64_le(uint8_t *p, uint64_t v)
{
	for (unsigned int b = 0; b < 8; b++)
		p[b] = (uint8_t)(v >> (8 * b));
}

void keccak_x4_absorb_once(struct keccak_x4 *k, size_t rate, uint8_t suffix,
			   const uint8_t *const in[4], size_t len)
{
	uint8_t block[4][168];

	memset(k->s, 0, sizeof(k->s));
	k->rate = rate;
	for (unsigned int i = 0; i < 4; i++) {
		/* One block: the input, the domain suffix, pad10*1. */
		memset(block[i], 0, rate);
		memcpy(block[i], in[i], len);
		block[i][len] ^= suffix;
		block[i][rate - 1] ^= 0x80;
		for (size_t w = 0; w < rate / 8; w++)
			k->s[w][i] = load64_le(block[i] + 8 * w);
	}
	explicit_bzero(block, sizeof(block));
}

void keccak_x4_squeeze_blocks(struct keccak_x4 *k, uint8_t *const out[4], size_t nblocks)
{
	for (size_t n = 0; n < nblocks; n++) {
		keccak_f1600_x4(k->s);
		for (unsigned int i = 0; i < 4; i++)
			for (size_t w = 0; w < k->rate / 8; w++)
				store64_le(out[i] + n * k->rate + 8 * w, k->s[w][i]);
	}
}
