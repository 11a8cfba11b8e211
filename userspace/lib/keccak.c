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

static uint64_t rotl64(uint64_t x, unsigned int n)
{
	return (x << n) | (x >> ((64 - n) & 63));
}

/*
 * One permutation, each round written out lane by lane (theta, rho and pi,
 * chi, iota of FIPS 202 section 3.2) so that the lanes stay in registers.
 * The rho offsets are ((t + 1)(t + 2) / 2) mod 64 along the (x, y) ->
 * (y, 2x + 3y) walk from (1, 0), as in section 3.2.2.
 */
static void keccak_f1600(uint64_t s[25])
{
	uint64_t a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24;
	uint64_t b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22, b23, b24;
	uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;

	a0 = s[0];
	a1 = s[1];
	a2 = s[2];
	a3 = s[3];
	a4 = s[4];
	a5 = s[5];
	a6 = s[6];
	a7 = s[7];
	a8 = s[8];
	a9 = s[9];
	a10 = s[10];
	a11 = s[11];
	a12 = s[12];
	a13 = s[13];
	a14 = s[14];
	a15 = s[15];
	a16 = s[16];
	a17 = s[17];
	a18 = s[18];
	a19 = s[19];
	a20 = s[20];
	a21 = s[21];
	a22 = s[22];
	a23 = s[23];
	a24 = s[24];
	for (int round = 0; round < 24; round++) {
		/* theta */
		c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
		c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
		c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
		c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
		c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
		d0 = c4 ^ rotl64(c1, 1);
		d1 = c0 ^ rotl64(c2, 1);
		d2 = c1 ^ rotl64(c3, 1);
		d3 = c2 ^ rotl64(c4, 1);
		d4 = c3 ^ rotl64(c0, 1);
		/* rho and pi: B[y][2x + 3y] = rot(A[x][y] ^ D[x], r[x][y]) */
		b0 = a0 ^ d0;
		b10 = rotl64(a1 ^ d1, 1);
		b20 = rotl64(a2 ^ d2, 62);
		b5 = rotl64(a3 ^ d3, 28);
		b15 = rotl64(a4 ^ d4, 27);
		b16 = rotl64(a5 ^ d0, 36);
		b1 = rotl64(a6 ^ d1, 44);
		b11 = rotl64(a7 ^ d2, 6);
		b21 = rotl64(a8 ^ d3, 55);
		b6 = rotl64(a9 ^ d4, 20);
		b7 = rotl64(a10 ^ d0, 3);
		b17 = rotl64(a11 ^ d1, 10);
		b2 = rotl64(a12 ^ d2, 43);
		b12 = rotl64(a13 ^ d3, 25);
		b22 = rotl64(a14 ^ d4, 39);
		b23 = rotl64(a15 ^ d0, 41);
		b8 = rotl64(a16 ^ d1, 45);
		b18 = rotl64(a17 ^ d2, 15);
		b3 = rotl64(a18 ^ d3, 21);
		b13 = rotl64(a19 ^ d4, 8);
		b14 = rotl64(a20 ^ d0, 18);
		b24 = rotl64(a21 ^ d1, 2);
		b9 = rotl64(a22 ^ d2, 61);
		b19 = rotl64(a23 ^ d3, 56);
		b4 = rotl64(a24 ^ d4, 14);
		/* chi */
		a0 = b0 ^ (~b1 & b2);
		a1 = b1 ^ (~b2 & b3);
		a2 = b2 ^ (~b3 & b4);
		a3 = b3 ^ (~b4 & b0);
		a4 = b4 ^ (~b0 & b1);
		a5 = b5 ^ (~b6 & b7);
		a6 = b6 ^ (~b7 & b8);
		a7 = b7 ^ (~b8 & b9);
		a8 = b8 ^ (~b9 & b5);
		a9 = b9 ^ (~b5 & b6);
		a10 = b10 ^ (~b11 & b12);
		a11 = b11 ^ (~b12 & b13);
		a12 = b12 ^ (~b13 & b14);
		a13 = b13 ^ (~b14 & b10);
		a14 = b14 ^ (~b10 & b11);
		a15 = b15 ^ (~b16 & b17);
		a16 = b16 ^ (~b17 & b18);
		a17 = b17 ^ (~b18 & b19);
		a18 = b18 ^ (~b19 & b15);
		a19 = b19 ^ (~b15 & b16);
		a20 = b20 ^ (~b21 & b22);
		a21 = b21 ^ (~b22 & b23);
		a22 = b22 ^ (~b23 & b24);
		a23 = b23 ^ (~b24 & b20);
		a24 = b24 ^ (~b20 & b21);
		/* iota */
		a0 ^= round_constants[round];
	}
	s[0] = a0;
	s[1] = a1;
	s[2] = a2;
	s[3] = a3;
	s[4] = a4;
	s[5] = a5;
	s[6] = a6;
	s[7] = a7;
	s[8] = a8;
	s[9] = a9;
	s[10] = a10;
	s[11] = a11;
	s[12] = a12;
	s[13] = a13;
	s[14] = a14;
	s[15] = a15;
	s[16] = a16;
	s[17] = a17;
	s[18] = a18;
	s[19] = a19;
	s[20] = a20;
	s[21] = a21;
	s[22] = a22;
	s[23] = a23;
	s[24] = a24;
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
	size_t i = 0;

	while (i < len) {
		if (k->pos % 8 == 0 && len - i >= 8 && k->rate - k->pos >= 8) {
			/* A whole lane, little-endian. */
			uint64_t lane = 0;

			for (unsigned int b = 0; b < 8; b++)
				lane |= (uint64_t)in[i + b] << (8 * b);
			k->s[k->pos / 8] ^= lane;
			i += 8;
			k->pos += 8;
		} else {
			xor_byte(k->s, k->pos++, in[i++]);
		}
		if (k->pos == k->rate) {
			keccak_f1600(k->s);
			k->pos = 0;
		}
	}
}

void skap_keccak_squeeze(struct skap_keccak *k, void *out, size_t len)
{
	uint8_t *o = out;
	size_t i = 0;

	if (!k->squeezing) {
		/* Domain suffix and pad10*1. */
		xor_byte(k->s, k->pos, k->suffix);
		xor_byte(k->s, k->rate - 1, 0x80);
		keccak_f1600(k->s);
		k->pos = 0;
		k->squeezing = 1;
	}
	while (i < len) {
		if (k->pos == k->rate) {
			keccak_f1600(k->s);
			k->pos = 0;
		}
		if (k->pos % 8 == 0 && len - i >= 8 && k->rate - k->pos >= 8) {
			/* A whole lane, little-endian. */
			uint64_t lane = k->s[k->pos / 8];

			for (unsigned int b = 0; b < 8; b++)
				o[i + b] = (uint8_t)(lane >> (8 * b));
			i += 8;
			k->pos += 8;
		} else {
			o[i++] = get_byte(k->s, k->pos++);
		}
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
