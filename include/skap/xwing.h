/* SPDX-License-Identifier: GPL-2.0 */
/*
 * X-Wing (draft-connolly-cfrg-xwing-kem): ML-KEM-768 and X25519 combined
 * into one KEM, the hybrid the SKAP exchange uses. The private key is a
 * 32-byte seed, expanded with SHAKE256 into the ML-KEM key seeds (d, z)
 * and the X25519 secret; the shared secret is
 * SHA3-256(ss_M || ss_X || ct_X || pk_X || "\.//^\").
 */
#ifndef SKAP_XWING_H
#define SKAP_XWING_H

#include <skap/mlkem.h>

#include <stdint.h>

#define SKAP_XWING_SK_LEN 32
#define SKAP_XWING_PK_BYTES 1216
#define SKAP_XWING_CT_BYTES 1120
#define SKAP_XWING_SS_LEN 32
#define SKAP_XWING_ESEED_LEN 64

/* 0, or -EIO. */
int skap_xwing_keygen(uint8_t sk[SKAP_XWING_SK_LEN], uint8_t pk[SKAP_XWING_PK_BYTES]);
/* The public key of a given private key (deterministic). 0 or -EIO. */
int skap_xwing_public_key(const uint8_t sk[SKAP_XWING_SK_LEN], uint8_t pk[SKAP_XWING_PK_BYTES]);

/* 0; -EINVAL when the ML-KEM part fails the modulus check; -EIO. */
int skap_xwing_encaps(const uint8_t pk[SKAP_XWING_PK_BYTES], uint8_t ct[SKAP_XWING_CT_BYTES],
		      uint8_t ss[SKAP_XWING_SS_LEN]);
/* ESEED: 32 bytes of ML-KEM randomness m, then the 32-byte X25519 ephemeral secret. */
int skap_xwing_encaps_derand(const uint8_t pk[SKAP_XWING_PK_BYTES],
			     const uint8_t eseed[SKAP_XWING_ESEED_LEN],
			     uint8_t ct[SKAP_XWING_CT_BYTES], uint8_t ss[SKAP_XWING_SS_LEN]);

/*
 * An encapsulation's randomness made ahead of the peer's public key, so
 * that a responder's X25519 ephemeral key is not computed while the peer
 * waits: ESEED as above and ct_x = X25519(ephemeral secret, 9), the last
 * 32 bytes of the ciphertext. Serves one encapsulation:
 * skap_xwing_encaps_prepared wipes it whatever the outcome. With the same
 * ESEED the result is skap_xwing_encaps_derand's, byte for byte.
 */
struct skap_xwing_eph {
	uint8_t eseed[SKAP_XWING_ESEED_LEN];
	uint8_t ct_x[32];
};

/* 0, or -EIO; EPH is wiped on failure (both). */
int skap_xwing_eph_new(struct skap_xwing_eph *eph);
int skap_xwing_eph_from_seed(const uint8_t eseed[SKAP_XWING_ESEED_LEN], struct skap_xwing_eph *eph);
/* As skap_xwing_encaps, with EPH's randomness; EPH is wiped. */
int skap_xwing_encaps_prepared(const uint8_t pk[SKAP_XWING_PK_BYTES], struct skap_xwing_eph *eph,
			       uint8_t ct[SKAP_XWING_CT_BYTES], uint8_t ss[SKAP_XWING_SS_LEN]);

/*
 * 0; -EIO when X25519 refuses the peer share (libskap rejects a low-order
 * point, whose shared secret would be all zero): such a ciphertext can only
 * come from an attacker, and the exchange fails.
 */
int skap_xwing_decaps(const uint8_t sk[SKAP_XWING_SK_LEN], const uint8_t ct[SKAP_XWING_CT_BYTES],
		      uint8_t ss[SKAP_XWING_SS_LEN]);

/*
 * A private key expanded once (ML-KEM's decapsulation key, the X25519
 * secret and public key), so that a decapsulation does not redo the
 * expansion: an initiator that made its key pair ahead keeps this. Secret
 * as a whole; wipe it.
 */
struct skap_xwing_dk {
	uint8_t dk_m[SKAP_MLKEM768_DK_LEN];
	uint8_t sk_x[32];
	uint8_t pk_x[32];
};

/* SK expanded into DK, and its public key. 0 or -EIO. */
int skap_xwing_expand(const uint8_t sk[SKAP_XWING_SK_LEN], struct skap_xwing_dk *dk,
		      uint8_t pk[SKAP_XWING_PK_BYTES]);
/* A fresh key pair, expanded (the seed is not kept). 0 or -EIO. */
int skap_xwing_keygen_expanded(struct skap_xwing_dk *dk, uint8_t pk[SKAP_XWING_PK_BYTES]);
/* skap_xwing_decaps with an expanded key: the same answers. */
int skap_xwing_decaps_expanded(const struct skap_xwing_dk *dk,
			       const uint8_t ct[SKAP_XWING_CT_BYTES], uint8_t ss[SKAP_XWING_SS_LEN]);

#endif /* SKAP_XWING_H */
