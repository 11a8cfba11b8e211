/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The symmetric primitives SKAP's protocol layer uses, over OpenSSL 3.0:
 * AES-256-GCM, HMAC-SHA-256, HKDF-SHA-256, SHA-256 and the system's random
 * bytes. Every call checks every OpenSSL result; on failure no partial
 * output is left behind (outputs are zeroed) and the return is negative.
 */
#ifndef SKAP_SYM_H
#define SKAP_SYM_H

#include <stddef.h>
#include <stdint.h>

#define SKAP_AEAD_KEY_LEN   32
#define SKAP_AEAD_NONCE_LEN 12
#define SKAP_AEAD_TAG_LEN   16
#define SKAP_HMAC_LEN	    32
#define SKAP_SHA256_LEN	    32

/*
 * Fills BUF with LEN bytes from OpenSSL's private DRBG (seeded by the
 * kernel), through a per-thread pool that a forked child never shares
 * (random.c). 0, or -EIO with BUF wiped.
 */
int skap_random(void *buf, size_t len);

/*
 * AES-256-GCM. Seal writes PT_LEN + SKAP_AEAD_TAG_LEN bytes (ciphertext then
 * tag) to OUT. Open takes that and writes CT_LEN - SKAP_AEAD_TAG_LEN bytes;
 * -EBADMSG when the tag does not verify (OUT is then zeroed), -EINVAL for a
 * length beyond INT_MAX. OUT may equal the input. AAD may be NULL when
 * AAD_LEN is 0.
 */
int skap_aead_seal(const uint8_t key[SKAP_AEAD_KEY_LEN], const uint8_t nonce[SKAP_AEAD_NONCE_LEN],
		   const void *aad, size_t aad_len, const void *pt, size_t pt_len, uint8_t *out);
int skap_aead_open(const uint8_t key[SKAP_AEAD_KEY_LEN], const uint8_t nonce[SKAP_AEAD_NONCE_LEN],
		   const void *aad, size_t aad_len, const uint8_t *ct, size_t ct_len, uint8_t *out);

/* HMAC-SHA-256 of the concatenation of N parts (PARTS[i], LENS[i]). */
int skap_hmac(const void *key, size_t key_len, const void *const *parts, const size_t *lens,
	      size_t n, uint8_t out[SKAP_HMAC_LEN]);

/* HKDF-SHA-256 (RFC 5869), extract and expand in one; SALT may be empty. */
int skap_hkdf(const void *salt, size_t salt_len, const void *ikm, size_t ikm_len,
	      const void *info, size_t info_len, uint8_t *out, size_t out_len);
/* The two halves, for a PRK used more than once. */
int skap_hkdf_extract(const void *salt, size_t salt_len, const void *ikm, size_t ikm_len,
		      uint8_t prk[SKAP_SHA256_LEN]);
int skap_hkdf_expand(const uint8_t prk[SKAP_SHA256_LEN], const void *info, size_t info_len,
		     uint8_t *out, size_t out_len);

int skap_sha256(const void *data, size_t len, uint8_t out[SKAP_SHA256_LEN]);

/* Constant-time comparison: 0 when equal. */
int skap_ct_compare(const void *a, const void *b, size_t len);

#endif /* SKAP_SYM_H */
