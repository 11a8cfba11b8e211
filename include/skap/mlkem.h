/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ML-KEM-768 (FIPS 203, August 2024). The randomised entry points draw
 * from the system CSPRNG; the deterministic ones take FIPS 203's internal
 * inputs (d, z for key generation, m for encapsulation) for testing.
 * Encapsulation checks the key (section 7.2, modulus check), decapsulation
 * the key and ciphertext lengths and the key's hash (section 7.3); a
 * ciphertext that does not re-encrypt gives the implicit-rejection secret.
 * No branch and no memory index depends on a secret.
 */
#ifndef SKAP_MLKEM_H
#define SKAP_MLKEM_H

#include <stdint.h>

#define SKAP_MLKEM768_EK_LEN 1184
#define SKAP_MLKEM768_DK_LEN 2400
#define SKAP_MLKEM768_CT_LEN 1088
#define SKAP_MLKEM768_SS_LEN 32
#define SKAP_MLKEM_SEED_LEN  32

/* 0, or -EIO when the random generator fails. */
int skap_mlkem768_keygen(uint8_t ek[SKAP_MLKEM768_EK_LEN], uint8_t dk[SKAP_MLKEM768_DK_LEN]);
void skap_mlkem768_keygen_derand(const uint8_t d[32], const uint8_t z[32],
				 uint8_t ek[SKAP_MLKEM768_EK_LEN], uint8_t dk[SKAP_MLKEM768_DK_LEN]);

/* 0; -EINVAL for an encapsulation key that fails the modulus check; -EIO. */
int skap_mlkem768_encaps(const uint8_t ek[SKAP_MLKEM768_EK_LEN], uint8_t ct[SKAP_MLKEM768_CT_LEN],
			 uint8_t ss[SKAP_MLKEM768_SS_LEN]);
int skap_mlkem768_encaps_derand(const uint8_t ek[SKAP_MLKEM768_EK_LEN], const uint8_t m[32],
				uint8_t ct[SKAP_MLKEM768_CT_LEN], uint8_t ss[SKAP_MLKEM768_SS_LEN]);

/* 0; -EINVAL for a decapsulation key whose hash check fails. */
int skap_mlkem768_decaps(const uint8_t dk[SKAP_MLKEM768_DK_LEN],
			 const uint8_t ct[SKAP_MLKEM768_CT_LEN], uint8_t ss[SKAP_MLKEM768_SS_LEN]);

/* Section 7.2's encapsulation key check alone: 0 or -EINVAL. */
int skap_mlkem768_check_ek(const uint8_t ek[SKAP_MLKEM768_EK_LEN]);

/*
 * The code that runs: "avx2" (the NTT, its products and four Keccak
 * sponges at a time in AVX2) on CPUs that have it, "portable" elsewhere;
 * both give the same bytes. skap_mlkem_force_portable(1) runs the
 * portable code everywhere, so that tests and benchmarks cover and compare
 * both; call it before other threads use ML-KEM.
 */
const char *skap_mlkem_impl(void);
void skap_mlkem_force_portable(int on);

#endif /* SKAP_MLKEM_H */
