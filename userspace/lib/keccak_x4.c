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

/*
 * Lanes are little-endian byte strings (FIPS 202); this file is built for
 * x86-64 only (AVX2), which is little-endian, so a lane is copied as is.
 */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "lanes are copied as they lie");

void keccak_x4_absorb_once(struct keccak_x4 *k, size_t rate, uint8_t suffix,
			   const uint8_t *const in[4], size_t len)
{
	uint8_t block[168];

	memset(k->s, 0, sizeof(k->s));
	k->rate = rate;
	for (unsigned int i = 0; i < 4; i++) {
		/* One block: the input, the domain suffix, pad10*1. */
		memset(block, 0, rate);
		memcpy(block, in[i], len);
		block[len] ^= suffix;
		block[rate - 1] ^= 0x80;
		for (size_t w = 0; w < rate / 8; w++) {
			uint64_t lane;

			memcpy(&lane, block + 8 * w, 8);
			k->s[w][i] = lane;
		}
	}
	explicit_bzero(block, sizeof(block));
}

void keccak_x4_squeeze_blocks(struct keccak_x4 *k, uint8_t *const out[4], size_t nblocks)
{
	for (size_t n = 0; n < nblocks; n++) {
		keccak_f1600_x4(k->s);
		for (size_t w = 0; w < k->rate / 8; w++)
			for (unsigned int i = 0; i < 4; i++) {
				uint64_t lane = k->s[w][i];

				memcpy(out[i] + n * k->rate + 8 * w, &lane, 8);
			}
	}
}
