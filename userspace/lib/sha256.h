/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 (FIPS 180-4), incremental, private to libskap: sym.c builds HMAC
 * and HKDF on it, and skap_sha256 (<skap/sym.h>) is its one-shot form.
 *
 * It is here rather than taken from OpenSSL because OpenSSL 3 sets a digest
 * up through its provider layer at every start (about 550 instructions,
 * more than hashing a block), and an HMAC starts two; its own low-level
 * SHA256_* calls are deprecated. The context is a plain value: callers keep
 * it on their stack and sha256_final wipes it.
 */
#ifndef SKAP_LIB_SHA256_H
#define SKAP_LIB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BLOCK_LEN 64
#define SHA256_LEN	 32

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;			/* hashed so far */
	uint8_t buf[SHA256_BLOCK_LEN];	/* the partial block */
	size_t fill;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* Writes the digest and wipes C. */
void sha256_final(struct sha256 *c, uint8_t out[SHA256_LEN]);

/*
 * The compression function over N whole blocks, as this CPU runs it: with
 * the SHA extensions when it has them, else in portable C. Both are named
 * so that the tests can hold each to the other and to OpenSSL.
 */
typedef void sha256_blocks_fn(uint32_t h[8], const uint8_t *data, size_t n);
sha256_blocks_fn sha256_blocks_portable;
/* NULL when this CPU has no SHA extensions. */
sha256_blocks_fn *sha256_blocks_shani(void);

#endif /* SKAP_LIB_SHA256_H */
