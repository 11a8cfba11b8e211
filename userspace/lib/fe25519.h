/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Arithmetic modulo p = 2^255 - 19 for ed25519.c, private to libskap: five
 * limbs of 51 bits (radix 2^51), products in unsigned __int128.
 *
 * Every function returns limbs below 2^51 + 2^13 ("weakly reduced") when
 * given such limbs, so a product of two never overflows: the bounds are
 * worked out where they matter. Only fe_tobytes reduces fully. None of it
 * is constant-time: ed25519.c verifies signatures, whose inputs are public.
 */
#ifndef SKAP_LIB_FE25519_H
#define SKAP_LIB_FE25519_H

#include <stdint.h>
#include <string.h>

typedef unsigned __int128 fe_u128;

typedef struct {
	uint64_t v[5];
} fe;

#define FE_MASK51 ((UINT64_C(1) << 51) - 1)

static inline void fe_set_small(fe *h, uint64_t n)
{
	memset(h, 0, sizeof(*h));
	h->v[0] = n;
}

/* Carries every limb into the next, the top one back into the bottom times 19. */
static inline void fe_carry(fe *h)
{
	uint64_t c;

	for (int i = 0; i < 4; i++) {
		c = h->v[i] >> 51;
		h->v[i] &= FE_MASK51;
		h->v[i + 1] += c;
	}
	c = h->v[4] >> 51;
	h->v[4] &= FE_MASK51;
	h->v[0] += 19 * c;
	c = h->v[0] >> 51;
	h->v[0] &= FE_MASK51;
	h->v[1] += c;
}

static inline void fe_add(fe *h, const fe *f, const fe *g)
{
	for (int i = 0; i < 5; i++)
		h->v[i] = f->v[i] + g->v[i];
	fe_carry(h);
}

/* F + 4p - G: each limb of 4p (2^53 - 76, then 2^53 - 4) exceeds any weakly reduced limb. */
static inline void fe_sub(fe *h, const fe *f, const fe *g)
{
	h->v[0] = f->v[0] + (UINT64_C(1) << 53) - 76 - g->v[0];
	for (int i = 1; i < 5; i++)
		h->v[i] = f->v[i] + (UINT64_C(1) << 53) - 4 - g->v[i];
	fe_carry(h);
}

static inline void fe_neg(fe *h, const fe *f)
{
	fe zero = { { 0 } };

	fe_sub(h, &zero, f);
}

/*
 * Limb products whose indexes add up to 5 or more wrap around times 19
 * (2^255 = 19). With limbs below 2^52, a column is below 2^112, and the
 * carry out of the top one below 2^56, so 19 times it fits 64 bits.
 */
static inline __attribute__((always_inline)) void fe_reduce_wide(fe *h, fe_u128 r0, fe_u128 r1, fe_u128 r2, fe_u128 r3,
				  fe_u128 r4)
{
	uint64_t c;

	r1 += (uint64_t)(r0 >> 51);
	r2 += (uint64_t)(r1 >> 51);
	r3 += (uint64_t)(r2 >> 51);
	r4 += (uint64_t)(r3 >> 51);
	c = (uint64_t)(r4 >> 51);
	h->v[0] = ((uint64_t)r0 & FE_MASK51) + 19 * c;
	h->v[1] = (uint64_t)r1 & FE_MASK51;
	h->v[2] = (uint64_t)r2 & FE_MASK51;
	h->v[3] = (uint64_t)r3 & FE_MASK51;
	h->v[4] = (uint64_t)r4 & FE_MASK51;
	h->v[1] += h->v[0] >> 51;
	h->v[0] &= FE_MASK51;
}

static inline __attribute__((always_inline)) void fe_mul(fe *h, const fe *f, const fe *g)
{
	const uint64_t *a = f->v, *b = g->v;
	uint64_t b1 = 19 * b[1], b2 = 19 * b[2], b3 = 19 * b[3], b4 = 19 * b[4];

	fe_reduce_wide(h,
		       (fe_u128)a[0] * b[0] + (fe_u128)a[1] * b4 + (fe_u128)a[2] * b3 +
			       (fe_u128)a[3] * b2 + (fe_u128)a[4] * b1,
		       (fe_u128)a[0] * b[1] + (fe_u128)a[1] * b[0] + (fe_u128)a[2] * b4 +
			       (fe_u128)a[3] * b3 + (fe_u128)a[4] * b2,
		       (fe_u128)a[0] * b[2] + (fe_u128)a[1] * b[1] + (fe_u128)a[2] * b[0] +
			       (fe_u128)a[3] * b4 + (fe_u128)a[4] * b3,
		       (fe_u128)a[0] * b[3] + (fe_u128)a[1] * b[2] + (fe_u128)a[2] * b[1] +
			       (fe_u128)a[3] * b[0] + (fe_u128)a[4] * b4,
		       (fe_u128)a[0] * b[4] + (fe_u128)a[1] * b[3] + (fe_u128)a[2] * b[2] +
			       (fe_u128)a[3] * b[1] + (fe_u128)a[4] * b[0]);
}

static inline __attribute__((always_inline)) void fe_sq(fe *h, const fe *f)
{
	const uint64_t *a = f->v;
	uint64_t d0 = 2 * a[0], d1 = 2 * a[1], a3_19 = 19 * a[3], a4_19 = 19 * a[4];

	fe_reduce_wide(h, (fe_u128)a[0] * a[0] + (fe_u128)d1 * a4_19 + (fe_u128)(2 * a[2]) * a3_19,
		       (fe_u128)d0 * a[1] + (fe_u128)(2 * a[2]) * a4_19 + (fe_u128)a[3] * a3_19,
		       (fe_u128)d0 * a[2] + (fe_u128)a[1] * a[1] + (fe_u128)(2 * a[3]) * a4_19,
		       (fe_u128)d0 * a[3] + (fe_u128)d1 * a[2] + (fe_u128)a[4] * a4_19,
		       (fe_u128)d0 * a[4] + (fe_u128)d1 * a[3] + (fe_u128)a[2] * a[2]);
}

/* F squared N times. */
static inline void fe_sq_n(fe *h, const fe *f, int n)
{
	fe_sq(h, f);
	while (--n > 0)
		fe_sq(h, h);
}

/* The low 255 bits of S, little-endian (the top bit is the caller's). */
static inline void fe_frombytes(fe *h, const uint8_t s[32])
{
	uint64_t w[4];

	for (int i = 0; i < 4; i++) {
		w[i] = 0;
		for (int j = 7; j >= 0; j--)
			w[i] = w[i] << 8 | s[8 * i + j];
	}
	h->v[0] = w[0] & FE_MASK51;
	h->v[1] = (w[0] >> 51 | w[1] << 13) & FE_MASK51;
	h->v[2] = (w[1] >> 38 | w[2] << 26) & FE_MASK51;
	h->v[3] = (w[2] >> 25 | w[3] << 39) & FE_MASK51;
	h->v[4] = (w[3] >> 12) & FE_MASK51;
}

/* The value in [0, p), little-endian, top bit clear. */
static inline void fe_tobytes(uint8_t s[32], const fe *f)
{
	fe h = *f;
	uint64_t q, w[4];

	fe_carry(&h);
	fe_carry(&h);
	/* Now h < 2^255 + 2^13: subtracting p once (adding 19, dropping 2^255) is enough. */
	q = (h.v[0] + 19) >> 51;
	for (int i = 1; i < 5; i++)
		q = (h.v[i] + q) >> 51;
	h.v[0] += 19 * q;
	for (int i = 0; i < 4; i++) {
		h.v[i + 1] += h.v[i] >> 51;
		h.v[i] &= FE_MASK51;
	}
	h.v[4] &= FE_MASK51;
	w[0] = h.v[0] | h.v[1] << 51;
	w[1] = h.v[1] >> 13 | h.v[2] << 38;
	w[2] = h.v[2] >> 26 | h.v[3] << 25;
	w[3] = h.v[3] >> 39 | h.v[4] << 12;
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 8; j++)
			s[8 * i + j] = (uint8_t)(w[i] >> (8 * j));
}

static inline int fe_iszero(const fe *f)
{
	static const uint8_t zero[32];
	uint8_t s[32];

	fe_tobytes(s, f);
	return !memcmp(s, zero, sizeof(s));
}

static inline int fe_equal(const fe *f, const fe *g)
{
	uint8_t a[32], b[32];

	fe_tobytes(a, f);
	fe_tobytes(b, g);
	return !memcmp(a, b, sizeof(a));
}

/* The low bit of the reduced value: RFC 8032's "negative". */
static inline int fe_isodd(const fe *f)
{
	uint8_t s[32];

	fe_tobytes(s, f);
	return s[0] & 1;
}

/* Z^(2^250 - 1) and Z^11: the common stem of the two exponentiations below. */
static inline void fe_pow_stem(fe *z_250_1, fe *z11, const fe *z)
{
	fe z2, z9, t, z_5_1, z_10_1, z_20_1, z_50_1, z_100_1;

	fe_sq(&z2, z);				/* 2 */
	fe_sq_n(&t, &z2, 2);			/* 8 */
	fe_mul(&z9, &t, z);			/* 9 */
	fe_mul(z11, &z9, &z2);			/* 11 */
	fe_sq(&t, z11);				/* 22 */
	fe_mul(&z_5_1, &t, &z9);		/* 2^5 - 1 */
	fe_sq_n(&t, &z_5_1, 5);
	fe_mul(&z_10_1, &t, &z_5_1);		/* 2^10 - 1 */
	fe_sq_n(&t, &z_10_1, 10);
	fe_mul(&z_20_1, &t, &z_10_1);		/* 2^20 - 1 */
	fe_sq_n(&t, &z_20_1, 20);
	fe_mul(&t, &t, &z_20_1);		/* 2^40 - 1 */
	fe_sq_n(&t, &t, 10);
	fe_mul(&z_50_1, &t, &z_10_1);		/* 2^50 - 1 */
	fe_sq_n(&t, &z_50_1, 50);
	fe_mul(&z_100_1, &t, &z_50_1);		/* 2^100 - 1 */
	fe_sq_n(&t, &z_100_1, 100);
	fe_mul(&t, &t, &z_100_1);		/* 2^200 - 1 */
	fe_sq_n(&t, &t, 50);
	fe_mul(z_250_1, &t, &z_50_1);		/* 2^250 - 1 */
}

/* 1/Z = Z^(p - 2) = Z^(2^255 - 21). */
static inline void fe_invert(fe *h, const fe *z)
{
	fe t, z11;

	fe_pow_stem(&t, &z11, z);
	fe_sq_n(&t, &t, 5);			/* 2^255 - 32 */
	fe_mul(h, &t, &z11);			/* 2^255 - 21 */
}

/* Z^((p - 5) / 8) = Z^(2^252 - 3), for square roots (RFC 8032 section 5.1.3). */
static inline void fe_pow_p58(fe *h, const fe *z)
{
	fe t, z11;

	fe_pow_stem(&t, &z11, z);
	fe_sq_n(&t, &t, 2);			/* 2^252 - 4 */
	fe_mul(h, &t, z);			/* 2^252 - 3 */
}

#endif /* SKAP_LIB_FE25519_H */
