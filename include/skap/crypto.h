/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libskap's cryptography in one include.
 *
 * - <skap/sym.h>: random bytes (skap_random), AES-256-GCM (skap_aead_seal /
 *   skap_aead_open: AAD, tag appended, nothing left in OUT on failure),
 *   HMAC-SHA-256, HKDF-SHA-256, SHA-256, constant-time compare.
 * - <skap/keccak.h>: SHA3-256, SHA3-512, SHAKE128/SHAKE256 with an
 *   incremental squeeze (OpenSSL 3.0 cannot squeeze twice).
 * - <skap/secret.h>: locked, zero-on-free buffers for keys.
 * - this file: X25519 and Ed25519 over libsodium (docs/crypto.md says why
 *   not OpenSSL's).
 *
 * Return codes, everywhere in libskap's crypto: 0 on success, a negative
 * errno value on failure, and on failure no partial output (every output
 * buffer is zeroed):
 *   -EINVAL   a bad argument or a key that is not acceptable
 *   -EBADMSG  authentication failed (AEAD tag, signature)
 *   -ENOMEM   memory could not be allocated or locked
 *   -EIO      the library or the random generator failed
 */
#ifndef SKAP_CRYPTO_H
#define SKAP_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <skap/keccak.h>
#include <skap/secret.h>
#include <skap/sym.h>

#define SKAP_X25519_KEY_LEN	32
#define SKAP_ED25519_SEED_LEN	32 /* the private key, RFC 8032's seed */
#define SKAP_ED25519_PUB_LEN	32
#define SKAP_ED25519_SIG_LEN	64

/* A fresh X25519 key pair: PRIV random, PUB = X25519(PRIV, 9). 0 or -EIO. */
int skap_x25519_keygen(uint8_t priv[SKAP_X25519_KEY_LEN], uint8_t pub[SKAP_X25519_KEY_LEN]);
/* PUB from PRIV. 0 or -EIO. */
int skap_x25519_public(const uint8_t priv[SKAP_X25519_KEY_LEN], uint8_t pub[SKAP_X25519_KEY_LEN]);
/*
 * SHARED = X25519(PRIV, PEER) (RFC 7748). -EINVAL when the result is all
 * zero (PEER is a small-order point: no contribution from PRIV; refused,
 * as RFC 7748 section 6.1 allows, and as OpenSSL does); SHARED is zeroed
 * then.
 * The check depends only on PEER's order, which is public.
 */
int skap_x25519(const uint8_t priv[SKAP_X25519_KEY_LEN], const uint8_t peer[SKAP_X25519_KEY_LEN],
		uint8_t shared[SKAP_X25519_KEY_LEN]);

/* Ed25519 (RFC 8032, pure). A fresh seed and its public key. 0 or -EIO. */
int skap_ed25519_keygen(uint8_t seed[SKAP_ED25519_SEED_LEN], uint8_t pub[SKAP_ED25519_PUB_LEN]);
int skap_ed25519_public(const uint8_t seed[SKAP_ED25519_SEED_LEN],
			uint8_t pub[SKAP_ED25519_PUB_LEN]);
/* SIG over MSG (MSG may be NULL when LEN is 0). 0 or -EIO. */
int skap_ed25519_sign(const uint8_t seed[SKAP_ED25519_SEED_LEN], const void *msg, size_t len,
		      uint8_t sig[SKAP_ED25519_SIG_LEN]);
/*
 * An Ed25519 private key made ready once: the seed expanded (a hash and
 * a scalar multiplication, the public key among it), so that any number
 * of signatures need neither again; skap_ed25519_sign pays it each call.
 * PUB may be NULL. The expanded key is wiped when the signer is freed.
 */
struct skap_ed25519_signer;
int skap_ed25519_signer_new(const uint8_t seed[SKAP_ED25519_SEED_LEN],
			    uint8_t pub[SKAP_ED25519_PUB_LEN], struct skap_ed25519_signer **out);
int skap_ed25519_signer_sign(const struct skap_ed25519_signer *s, const void *msg, size_t len,
			     uint8_t sig[SKAP_ED25519_SIG_LEN]);
void skap_ed25519_signer_free(struct skap_ed25519_signer *s);
/*
 * 0 when SIG is PUB's signature of MSG (RFC 8032 section 5.1.7, S below the
 * group order, the encoding of [S]B - [k]A compared with R), -EBADMSG when
 * not. Also -EBADMSG for a PUB that is no point, is encoded with y not
 * below p, or has small order: anyone can sign for a key of small order.
 */
int skap_ed25519_verify(const uint8_t pub[SKAP_ED25519_PUB_LEN], const void *msg, size_t len,
			const uint8_t sig[SKAP_ED25519_SIG_LEN]);

#endif /* SKAP_CRYPTO_H */
