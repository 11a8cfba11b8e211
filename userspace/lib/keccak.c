// SPDX-License-Identifier: GPL-2.0
/*
 * Keccak-f[1600] and its sponge (include/skap/keccak.h), written from
 * FIPS 202: state as 25 lanes of 64 bits, lane (x, y) at index x + 5y, bytes
 * absorbed little-endian. Straight-line arithmetic only.
 */

#include <skap/keccak.h>

#include <string.h>

#define KECCAK_LANE	  uint64_t
#define KECCAK_F1600_NAME keccak_f1600
#define KECCAK_F1600_ATTR
#include "keccak_f1600.h"

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
