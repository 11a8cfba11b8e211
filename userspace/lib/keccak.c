// SPDX-License-Identifier: GPL-2.0
/*
 * Keccak-f[1600] and its sponge (include/skap/keccak.h), written from
 * FIPS 202: state as 25 lanes of 64 bits, lane (x, y) at index x + 5y, bytes
 * absorbed little-endian. Straight-line arithmetic only.
 */

#include <skap/keccak.h>

#include <string.h>

static const uint64_t round_constants[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
	0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
	0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
	0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* rho offsets and pi lane order, walking the (x, y) -> (y, 2x + 3y) cycle. */
static const unsigned int rho[24] = { 1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
				      27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44 };
static const unsigned int pi[24] = { 10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
				     15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1 };

static uint64_t rotl64(uint64_t x, unsigned int n)
{
	return (x << n) | (x >> ((64 - n) & 63));
}

static void keccak_f1600(uint64_t s[25])
{
	uint64_t c[5], t;

	for (int round = 0; round < 24; round++) {
		/* theta */
		for (int x = 0; x < 5; x++)
			c[x] = s[x] ^ s[x + 5] ^ s[x + 10] ^ s[x + 15] ^ s[x + 20];
		for (int x = 0; x < 5; x++) {
			t = c[(x + 4) % 5] ^ rotl64(c[(x + 1) % 5], 1);
			for (int y = 0; y < 25; y += 5)
				s[y + x] ^= t;
		}
		/* rho and pi */
		t = s[1];
		for (int i = 0; i < 24; i++) {
			uint64_t next = s[pi[i]];

			s[pi[i]] = rotl64(t, rho[i]);
			t = next;
		}
		/* chi */
		for (int y = 0; y < 25; y += 5) {
			for (int x = 0; x < 5; x++)
				c[x] = s[y + x];
			for (int x = 0; x < 5; x++)
				s[y + x] = c[x] ^ (~c[(x + 1) % 5] & c[(x + 2) % 5]);
		}
		/* iota */
		s[0] ^= round_constants[round];
	}
}

static void xor_byte(uint64_t s[25], size_t i, uint8_t b)
{
	s[i / 8] ^= (uint64_t)b << (8 * (i % 8));
}

static uint8_t get_byte(const uint64_t s[25], size_t i)
{
	return (uint8_t)(s[i / 8] >> (8 * (i % 8)));
}

static void init(struct skap_keccak *k, size_t rate, uint8_t suffix)
{
	memset(k, 0, sizeof(*k));
	k->rate = rate;
	k->suffix = suffix;
}

void skap_shake128_init(struct skap_keccak *k)
{
	init(k, 168, 0x1f);
}

void skap_shake256_init(struct skap_keccak *k)
{
	init(k, 136, 0x1f);
}

void skap_keccak_absorb(struct skap_keccak *k, const void *data, size_t len)
{
	const uint8_t *in = data;

	for (size_t i = 0; i < len; i++) {
		xor_byte(k->s, k->pos++, in[i]);
		if (k->pos == k->rate) {
			keccak_f1600(k->s);
			k->pos = 0;
		}
	}
}

void skap_keccak_squeeze(struct skap_keccak *k, void *out, size_t len)
{
	uint8_t *o = out;

	if (!k->squeezing) {
		/* Domain suffix and pad10*1. */
		xor_byte(k->s, k->pos, k->suffix);
		xor_byte(k->s, k->rate - 1, 0x80);
		keccak_f1600(k->s);
		k->pos = 0;
		k->squeezing = 1;
	}
	for (size_t i = 0; i < len; i++) {
		if (k->pos == k->rate) {
			keccak_f1600(k->s);
			k->pos = 0;
		}
		o[i] = get_byte(k->s, k->pos++);
	}
}

void skap_keccak_clear(struct skap_keccak *k)
{
	explicit_bzero(k, sizeof(*k));
}

static void one_shot(size_t rate, uint8_t suffix, const void *data, size_t len, void *out,
		     size_t out_len)
{
	struct skap_keccak k;

	init(&k, rate, suffix);
	skap_keccak_absorb(&k, data, len);
	skap_keccak_squeeze(&k, out, out_len);
	skap_keccak_clear(&k);
}

void skap_sha3_256(const void *data, size_t len, uint8_t out[32])
{
	one_shot(136, 0x06, data, len, out, 32);
}

void skap_sha3_512(const void *data, size_t len, uint8_t out[64])
{
	one_shot(72, 0x06, data, len, out, 64);
}

void skap_shake256(const void *data, size_t len, void *out, size_t out_len)
{
	one_shot(136, 0x1f, data, len, out, out_len);
}
