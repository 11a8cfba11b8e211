// SPDX-License-Identifier: GPL-2.0
/*
 * ML-KEM's polynomial arithmetic with AVX2 (mlkem_avx2.h): the NTT, its
 * inverse and the NTT-domain product of mlkem.c, sixteen coefficients per
 * instruction, with the same results to the bit. Coefficients stay in
 * [0, q) between the steps, as in mlkem.c.
 *
 * A product by a constant c is Montgomery's: with R = 2^16, c' = c R mod q
 * and c'' = c' q^-1 mod R, x c = hi(x c') - hi(lo(x c'') q) (mod q), in
 * (-q, q) for |x| < q, and one masked addition of q brings it to
 * [0, q). Variable products go through the same reduction. Every step is
 * branch-free and the same for every value.
 *
 * The NTT's last layers pair coefficients inside a vector; they run on two
 * vectors at a time, rearranged so that partners meet in the same lane:
 * halves (distance 8), 64-bit words (4), 32-bit words (2). zeta_lanes()
 * gives each lane the zeta of its block after the rearrangement.
 */

#include "mlkem_avx2.h"

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

#define Q	3329
#define QINV	62209 /* q^-1 mod 2^16 */
#define R_MOD_Q 2285  /* 2^16 mod q */
#define N_INV	3303  /* 128^-1 mod q */

/* A constant in Montgomery form for 16 lanes: c' and c''. */
struct mont16 {
	int16_t m[16], mq[16];
};

static struct {
	struct mont16 zeta[128]; /* zetas[i] on every lane */
	/* Per 32-coefficient chunk k: the lanes' zetas after rearrangement. */
	struct mont16 fwd8[8], fwd4[8], fwd2[8];
	struct mont16 inv8[8], inv4[8], inv2[8];
	struct mont16 gamma[16]; /* per 16 coefficients: R on even lanes, gamma R on odd */
	struct mont16 r, n_inv;
} tab;

static int16_t to_mont(uint32_t c)
{
	return (int16_t)(uint16_t)(c * R_MOD_Q % Q);
}

static void set_lane(struct mont16 *t, unsigned int lane, uint32_t c)
{
	int16_t m = to_mont(c);

	t->m[lane] = m;
	t->mq[lane] = (int16_t)(uint16_t)((uint32_t)(uint16_t)m * QINV);
}

static void set_all(struct mont16 *t, uint32_t c)
{
	for (unsigned int l = 0; l < 16; l++)
		set_lane(t, l, c);
}

/*
 * The block (of the layer's 2 len coefficients) that lane L of the
 * rearranged pair holds, for chunk K; see the rearrangements below.
 */
static unsigned int lane_block(unsigned int len, unsigned int k, unsigned int l)
{
	switch (len) {
	case 8: /* [X.lo | Y.lo]: X's block, then Y's */
		return 2 * k + l / 8;
	case 4: { /* [X.q0 Y.q0 | X.q2 Y.q2] */
		static const unsigned char block[4] = {0, 2, 1, 3};

		return 4 * k + block[l / 4];
	}
	default: /* 2: [X.d0 Y.d0 X.d2 Y.d2 | X.d4 Y.d4 X.d6 Y.d6] */
		return 8 * k + 4 * ((l / 2) % 2) + l / 4;
	}
}

static void zeta_lanes(const uint16_t zetas[128], struct mont16 *fwd, struct mont16 *inv,
		       unsigned int len)
{
	/* Algorithm 9 takes zetas[N / (2 len) + b] for block b; Algorithm 10
	 * zetas[N / len - 1 - b]. */
	for (unsigned int k = 0; k < 8; k++)
		for (unsigned int l = 0; l < 16; l++) {
			unsigned int b = lane_block(len, k, l);

			set_lane(&fwd[k], l, zetas[128 / len + b]);
			set_lane(&inv[k], l, zetas[256 / len - 1 - b]);
		}
}

void mlkem_avx2_init(const uint16_t zetas[128], const uint16_t gammas[128])
{
	for (unsigned int i = 0; i < 128; i++)
		set_all(&tab.zeta[i], zetas[i]);
	zeta_lanes(zetas, tab.fwd8, tab.inv8, 8);
	zeta_lanes(zetas, tab.fwd4, tab.inv4, 4);
	zeta_lanes(zetas, tab.fwd2, tab.inv2, 2);
	/* A product of two variables comes out times R^-1 (mul_mont): R
	 * undoes it, gamma R also multiplies by gamma. */
	for (unsigned int v = 0; v < 16; v++)
		for (unsigned int l = 0; l < 16; l += 2) {
			set_lane(&tab.gamma[v], l, R_MOD_Q);
			set_lane(&tab.gamma[v], l + 1, gammas[8 * v + l / 2] * R_MOD_Q % Q);
		}
	set_all(&tab.r, R_MOD_Q);
	set_all(&tab.n_inv, N_INV);
}

AVX2 static inline __m256i load(const struct mont16 *t, int which)
{
	return _mm256_loadu_si256((const __m256i *)(which ? t->mq : t->m));
}

/* (-q, q) -> [0, q) */
AVX2 static inline __m256i normalize(__m256i t)
{
	return _mm256_add_epi16(t,
				_mm256_and_si256(_mm256_srai_epi16(t, 15), _mm256_set1_epi16(Q)));
}

AVX2 static inline __m256i add_q(__m256i a, __m256i b)
{
	return normalize(_mm256_sub_epi16(_mm256_add_epi16(a, b), _mm256_set1_epi16(Q)));
}

AVX2 static inline __m256i sub_q(__m256i a, __m256i b)
{
	return normalize(_mm256_sub_epi16(a, b));
}

/* hi - hi(lo q): the Montgomery reduction of a product given as hi and the
 * low half already multiplied by q^-1. */
AVX2 static inline __m256i reduce(__m256i hi, __m256i lo_qinv)
{
	return _mm256_sub_epi16(hi, _mm256_mulhi_epi16(lo_qinv, _mm256_set1_epi16(Q)));
}

/* x c mod q in [0, q), for |x| < 2^15 and a constant c. */
AVX2 static inline __m256i mul_const(__m256i x, const struct mont16 *c)
{
	return normalize(
		reduce(_mm256_mulhi_epi16(x, load(c, 0)), _mm256_mullo_epi16(x, load(c, 1))));
}

/* a b R^-1 mod q in (-q, q), for a, b in [0, q). */
AVX2 static inline __m256i mul_mont(__m256i a, __m256i b)
{
	__m256i lo = _mm256_mullo_epi16(a, b);

	return reduce(_mm256_mulhi_epi16(a, b),
		      _mm256_mullo_epi16(lo, _mm256_set1_epi16((int16_t)QINV)));
}

AVX2 static inline void butterfly_ct(__m256i *x, __m256i *y, const struct mont16 *z)
{
	__m256i t = mul_const(*y, z);

	*y = sub_q(*x, t);
	*x = add_q(*x, t);
}

AVX2 static inline void butterfly_gs(__m256i *x, __m256i *y, const struct mont16 *z)
{
	__m256i t = *x;

	*x = add_q(t, *y);
	*y = mul_const(sub_q(*y, t), z);
}

/* Partners at distance 8: the low halves of X and Y against the high. */
AVX2 static inline void split8(__m256i x, __m256i y, __m256i *l, __m256i *h)
{
	*l = _mm256_permute2x128_si256(x, y, 0x20);
	*h = _mm256_permute2x128_si256(x, y, 0x31);
}

/* Distance 4: the even 64-bit words against the odd. */
AVX2 static inline void split4(__m256i x, __m256i y, __m256i *l, __m256i *h)
{
	*l = _mm256_unpacklo_epi64(x, y);
	*h = _mm256_unpackhi_epi64(x, y);
}

/* Distance 2: the even 32-bit words against the odd. */
AVX2 static inline void split2(__m256i x, __m256i y, __m256i *l, __m256i *h)
{
	*l = _mm256_blend_epi32(x, _mm256_shuffle_epi32(y, 0xb1), 0xaa);
	*h = _mm256_blend_epi32(_mm256_shuffle_epi32(x, 0xb1), y, 0xaa);
}

/* Each split is undone by the same operation on its outputs, but for
 * split2, whose inverse swaps the roles. */
AVX2 static inline void join2(__m256i l, __m256i h, __m256i *x, __m256i *y)
{
	*x = _mm256_blend_epi32(l, _mm256_shuffle_epi32(h, 0xb1), 0xaa);
	*y = _mm256_blend_epi32(_mm256_shuffle_epi32(l, 0xb1), h, 0xaa);
}

AVX2 void mlkem_avx2_ntt(uint16_t f[256])
{
	__m256i *v = (__m256i *)f;
	unsigned int i = 1;

	/* Layers 128, 64, 32: whole vectors against whole vectors. */
	for (unsigned int len = 128; len >= 32; len /= 2)
		for (unsigned int start = 0; start < 256; start += 2 * len, i++)
			for (unsigned int j = start; j < start + len; j += 16) {
				__m256i x = _mm256_loadu_si256(&v[j / 16]);
				__m256i y = _mm256_loadu_si256(&v[(j + len) / 16]);

				butterfly_ct(&x, &y, &tab.zeta[i]);
				_mm256_storeu_si256(&v[j / 16], x);
				_mm256_storeu_si256(&v[(j + len) / 16], y);
			}
	/* Layers 16, 8, 4, 2 on each 32 coefficients. */
	for (unsigned int k = 0; k < 8; k++) {
		__m256i x = _mm256_loadu_si256(&v[2 * k]);
		__m256i y = _mm256_loadu_si256(&v[2 * k + 1]);
		__m256i l, h;

		butterfly_ct(&x, &y, &tab.zeta[8 + k]);
		split8(x, y, &l, &h);
		butterfly_ct(&l, &h, &tab.fwd8[k]);
		split8(l, h, &x, &y);
		split4(x, y, &l, &h);
		butterfly_ct(&l, &h, &tab.fwd4[k]);
		split4(l, h, &x, &y);
		split2(x, y, &l, &h);
		butterfly_ct(&l, &h, &tab.fwd2[k]);
		join2(l, h, &x, &y);
		_mm256_storeu_si256(&v[2 * k], x);
		_mm256_storeu_si256(&v[2 * k + 1], y);
	}
}

AVX2 void mlkem_avx2_ntt_inverse(uint16_t f[256])
{
	__m256i *v = (__m256i *)f;

	for (unsigned int k = 0; k < 8; k++) {
		__m256i x = _mm256_loadu_si256(&v[2 * k]);
		__m256i y = _mm256_loadu_si256(&v[2 * k + 1]);
		__m256i l, h;

		split2(x, y, &l, &h);
		butterfly_gs(&l, &h, &tab.inv2[k]);
		join2(l, h, &x, &y);
		split4(x, y, &l, &h);
		butterfly_gs(&l, &h, &tab.inv4[k]);
		split4(l, h, &x, &y);
		split8(x, y, &l, &h);
		butterfly_gs(&l, &h, &tab.inv8[k]);
		split8(l, h, &x, &y);
		butterfly_gs(&x, &y, &tab.zeta[15 - k]);
		_mm256_storeu_si256(&v[2 * k], x);
		_mm256_storeu_si256(&v[2 * k + 1], y);
	}
	for (unsigned int len = 32; len <= 128; len *= 2) {
		unsigned int i = 256 / len - 1;

		for (unsigned int start = 0; start < 256; start += 2 * len, i--)
			for (unsigned int j = start; j < start + len; j += 16) {
				__m256i x = _mm256_loadu_si256(&v[j / 16]);
				__m256i y = _mm256_loadu_si256(&v[(j + len) / 16]);

				butterfly_gs(&x, &y, &tab.zeta[i]);
				_mm256_storeu_si256(&v[j / 16], x);
				_mm256_storeu_si256(&v[(j + len) / 16], y);
			}
	}
	for (unsigned int j = 0; j < 16; j++)
		_mm256_storeu_si256(&v[j], mul_const(_mm256_loadu_si256(&v[j]), &tab.n_inv));
}

/* Swaps the two coefficients of each pair. */
AVX2 static inline __m256i swap_pairs(__m256i x)
{
	const __m256i idx = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,
					     2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);

	return _mm256_shuffle_epi8(x, idx);
}

/* s + swap_pairs(s) reduced, for s in [0, q): each pair's sum on both lanes. */
AVX2 static inline __m256i pair_sum(__m256i s)
{
	return add_q(s, swap_pairs(s));
}

/*
 * Algorithms 11 and 12, on the pairs (a0, a1), (b0, b1) as they lie:
 * P = (a0 b0, a1 b1) R^-1, then (a0 b0, gamma a1 b1) by the gamma table;
 * S = (a0 b1, a1 b0) R^-1, then times R; the even lanes take P's pair
 * sums, the odd S's.
 */
AVX2 void mlkem_avx2_multiply_ntts_acc(uint16_t h[256], const uint16_t f[256],
				       const uint16_t g[256])
{
	__m256i *hv = (__m256i *)h;
	const __m256i *fv = (const __m256i *)f, *gv = (const __m256i *)g;

	for (unsigned int j = 0; j < 16; j++) {
		__m256i a = _mm256_loadu_si256(&fv[j]);
		__m256i b = _mm256_loadu_si256(&gv[j]);
		__m256i p = mul_const(mul_mont(a, b), &tab.gamma[j]);
		__m256i s = mul_const(mul_mont(a, swap_pairs(b)), &tab.r);
		__m256i c = _mm256_blend_epi16(pair_sum(p), pair_sum(s), 0xaa);

		_mm256_storeu_si256(&hv[j], add_q(_mm256_loadu_si256(&hv[j]), c));
	}
}
