/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ML-KEM's NTT, inverse NTT and NTT-domain multiply-accumulate with AVX2
 * (mlkem_avx2.c), for mlkem.c on CPUs that have it (skap_cpu_has_avx2).
 * Same inputs and outputs as mlkem.c's portable functions: 256
 * coefficients in [0, q), results to the bit.
 */
#ifndef SKAP_MLKEM_AVX2_H
#define SKAP_MLKEM_AVX2_H

#include <stdint.h>

/* Builds the constant tables from FIPS 203's zetas and gammas: once, before
 * any other call (mlkem.c uses pthread_once). */
void mlkem_avx2_init(const uint16_t zetas[128], const uint16_t gammas[128]);
void mlkem_avx2_ntt(uint16_t f[256]);
void mlkem_avx2_ntt_inverse(uint16_t f[256]);
/* H += F x G. */
void mlkem_avx2_multiply_ntts_acc(uint16_t h[256], const uint16_t f[256], const uint16_t g[256]);

#endif /* SKAP_MLKEM_AVX2_H */
