/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Four Keccak sponges advanced together with AVX2 (keccak_x4.c), for
 * ML-KEM's matrix and noise sampling, where up to four SHAKE instances of
 * equal input length run at once. Only for CPUs with AVX2: the caller
 * checks (skap_cpu_has_avx2) before the first call. Each output is the
 * one keccak.c gives for the same input.
 */
#ifndef SKAP_KECCAK_X4_H
#define SKAP_KECCAK_X4_H

#include <stddef.h>
#include <stdint.h>

/* Four 64-bit lanes, one per state (GCC's vector extensions). */
typedef uint64_t keccak_lanes4 __attribute__((vector_size(32)));

struct keccak_x4 {
	keccak_lanes4 s[25]; /* s[w][i]: lane w of state i */
	size_t rate;
};

/* 1 when the CPU runs AVX2 code (cached after the first call). */
int skap_cpu_has_avx2(void);

/*
 * Absorbs IN[i] (LEN bytes each, LEN < RATE) into instance i and pads with
 * SUFFIX: SHAKE128 is rate 168, SHAKE256 136, suffix 0x1f.
 */
void keccak_x4_absorb_once(struct keccak_x4 *k, size_t rate, uint8_t suffix,
			   const uint8_t *const in[4], size_t len);
/* Squeezes NBLOCKS whole blocks (RATE bytes each) into each OUT[i]. */
void keccak_x4_squeeze_blocks(struct keccak_x4 *k, uint8_t *const out[4], size_t nblocks);

#endif /* SKAP_KECCAK_X4_H */
