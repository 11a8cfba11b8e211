/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keccak (FIPS 202): SHA3-256, SHA3-512, SHAKE128 and SHAKE256, with an
 * incremental squeeze. OpenSSL 3.0 cannot squeeze a SHAKE more than once
 * (that came in 3.3), and ML-KEM's matrix sampling needs to, so the library
 * carries its own sponge. Constant time: no data-dependent branch or index.
 */
#ifndef SKAP_KECCAK_H
#define SKAP_KECCAK_H

#include <stddef.h>
#include <stdint.h>

struct skap_keccak {
	uint64_t s[25];
	size_t rate; /* bytes */
	size_t pos;  /* within the current block */
	uint8_t suffix;
	int squeezing;
};

void skap_shake128_init(struct skap_keccak *k);
void skap_shake256_init(struct skap_keccak *k);
void skap_keccak_absorb(struct skap_keccak *k, const void *data, size_t len);
/* Squeezes LEN more bytes; the first call ends absorbing. */
void skap_keccak_squeeze(struct skap_keccak *k, void *out, size_t len);
/* Wipes the state. */
void skap_keccak_clear(struct skap_keccak *k);

void skap_sha3_256(const void *data, size_t len, uint8_t out[32]);
void skap_sha3_512(const void *data, size_t len, uint8_t out[64]);
void skap_shake256(const void *data, size_t len, void *out, size_t out_len);

#endif /* SKAP_KECCAK_H */
