// SPDX-License-Identifier: GPL-2.0
/*
 * Ed25519 signature verification (RFC 8032 section 5.1.7), for
 * skap_ed25519_verify (<skap/crypto.h>): the platform verifies a proof of
 * possession in every enrollment, and OpenSSL 3.0's verification took about
 * 110 us of the server's 580 us for one.
 *
 * Points are in extended twisted Edwards coordinates (X : Y : Z : T) with
 * x = X/Z, y = Y/Z, xy = T/Z (Hisil, Wong, Carter and Dawson, 2008): for
 * a = -1 their addition is complete. [s]B - [k]A is one pass of doublings
 * over the width-w NAFs of s and k, adding odd multiples of B (a table
 * made once) and of -A (made per signature).
 *
 * Stricter than OpenSSL where OpenSSL accepts what no honest signer makes:
 * a public key whose y is not below p, and a public key of small order
 * ([8]A the identity), for which anyone can make a signature that verifies
 * for any message. Everything here is public (key, message, signature),
 * so nothing needs to be constant-time.
 */

#include <skap/crypto.h>

#include "fe25519.h"

#include <errno.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

typedef struct {
	fe X, Y, Z, T;
} ge;

/* A point ready to be added: Y + X, Y - X, Z and 2dT. */
typedef struct {
	fe ypx, ymx, z, t2d;
} ge_cached;

#define B_WINDOW 7	/* odd multiples of B up to 63B: 32 entries, made once */
#define A_WINDOW 5	/* odd multiples of -A up to 15A: 8 entries, per signature */

/* Little-endian: d = -121665/121666, 2d, sqrt(-1) = 2^((p-1)/4), the group order L. */
static const uint8_t d_bytes[32] = {
	0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
	0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52,
};
static const uint8_t d2_bytes[32] = {
	0x59, 0xf1, 0xb2, 0x26, 0x94, 0x9b, 0xd6, 0xeb, 0x56, 0xb1, 0x83, 0x82, 0x9a, 0x14, 0xe0, 0x00,
	0x30, 0xd1, 0xf3, 0xee, 0xf2, 0x80, 0x8e, 0x19, 0xe7, 0xfc, 0xdf, 0x56, 0xdc, 0xd9, 0x06, 0x24,
};
static const uint8_t sqrtm1_bytes[32] = {
	0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f, 0xad, 0x06, 0x18, 0x43, 0x2f,
	0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00, 0x4d, 0x2b, 0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b,
};
static const uint8_t order_bytes[32] = {
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};
/* The base point's encoding: y = 4/5, x even. */
static const uint8_t base_bytes[32] = {
	0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
};

static struct {
	fe d, d2, sqrtm1;
	ge_cached base[1 << (B_WINDOW - 2)];
	const EVP_MD *sha512;
	BIGNUM *order;
	int ok;
} consts;
static pthread_once_t consts_once = PTHREAD_ONCE_INIT;

static void ge_identity(ge *h)
{
	fe_set_small(&h->X, 0);
	fe_set_small(&h->Y, 1);
	fe_set_small(&h->Z, 1);
	fe_set_small(&h->T, 0);
}

static void ge_to_cached(ge_cached *c, const ge *p)
{
	fe_add(&c->ypx, &p->Y, &p->X);
	fe_sub(&c->ymx, &p->Y, &p->X);
	c->z = p->Z;
	fe_mul(&c->t2d, &p->T, &consts.d2);
}

/*
 * R = P + Q ("add-2008-hwcd-3"): A = (Y1-X1)(Y2-X2), B = (Y1+X1)(Y2+X2),
 * C = 2d T1 T2, D = 2 Z1 Z2; E = B-A, F = D-C, G = D+C, H = B+A;
 * X3 = EF, Y3 = GH, T3 = EH, Z3 = FG. With SUBTRACT, Q is negated:
 * -(x, y) = (-x, y) swaps Y+X with Y-X and negates T.
 */
static void ge_add_cached(ge *r, const ge *p, const ge_cached *q, int subtract)
{
	fe a, b, c, d, e, f, g, h, t;

	fe_sub(&t, &p->Y, &p->X);
	fe_mul(&a, &t, subtract ? &q->ypx : &q->ymx);
	fe_add(&t, &p->Y, &p->X);
	fe_mul(&b, &t, subtract ? &q->ymx : &q->ypx);
	fe_mul(&c, &p->T, &q->t2d);
	fe_mul(&d, &p->Z, &q->z);
	fe_add(&d, &d, &d);
	fe_sub(&e, &b, &a);
	fe_add(&h, &b, &a);
	if (subtract) {
		fe_add(&f, &d, &c);
		fe_sub(&g, &d, &c);
	} else {
		fe_sub(&f, &d, &c);
		fe_add(&g, &d, &c);
	}
	fe_mul(&r->X, &e, &f);
	fe_mul(&r->Y, &g, &h);
	fe_mul(&r->T, &e, &h);
	fe_mul(&r->Z, &f, &g);
}

/*
 * R = 2P ("dbl-2008-hwcd", a = -1): A = X1^2, B = Y1^2, C = 2 Z1^2,
 * D = -A, E = (X1+Y1)^2 - A - B, G = D+B, F = G-C, H = D-B;
 * X3 = EF, Y3 = GH, T3 = EH, Z3 = FG. Doubling does not read T, so a
 * doubling followed by another leaves it out (WITH_T 0): a multiplication
 * saved on most of a verification's 253 doublings.
 */
static void ge_dbl_t(ge *r, const ge *p, int with_t)
{
	fe a, b, c, e, f, g, h, t;

	fe_sq(&a, &p->X);
	fe_sq(&b, &p->Y);
	fe_sq(&c, &p->Z);
	fe_add(&c, &c, &c);
	fe_add(&t, &p->X, &p->Y);
	fe_sq(&e, &t);
	fe_sub(&e, &e, &a);
	fe_sub(&e, &e, &b);
	fe_sub(&g, &b, &a);
	fe_sub(&f, &g, &c);
	fe_add(&h, &a, &b);
	fe_neg(&h, &h);
	fe_mul(&r->X, &e, &f);
	fe_mul(&r->Y, &g, &h);
	if (with_t)
		fe_mul(&r->T, &e, &h);
	fe_mul(&r->Z, &f, &g);
}

static void ge_dbl(ge *r, const ge *p)
{
	ge_dbl_t(r, p, 1);
}

static int ge_is_identity(const ge *p)
{
	return fe_iszero(&p->X) && fe_equal(&p->Y, &p->Z);
}

/*
 * Decodes S (RFC 8032 section 5.1.3): y from the low 255 bits, which must
 * be below p; x from x^2 = (y^2 - 1) / (d y^2 + 1), the root whose low bit
 * is the top bit of S. -1 when S is no point (or x = 0 with that bit set).
 */
static int ge_frombytes(ge *h, const uint8_t s[32])
{
	uint8_t y_bytes[32], canonical[32];
	fe u, v, v3, vxx, t;
	int sign = s[31] >> 7;

	memcpy(y_bytes, s, 32);
	y_bytes[31] &= 0x7f;
	fe_frombytes(&h->Y, y_bytes);
	fe_tobytes(canonical, &h->Y);
	if (memcmp(canonical, y_bytes, 32))
		return -1;
	fe_set_small(&h->Z, 1);
	fe_sq(&u, &h->Y);
	fe_mul(&v, &u, &consts.d);
	fe_sub(&u, &u, &h->Z);		/* u = y^2 - 1 */
	fe_add(&v, &v, &h->Z);		/* v = d y^2 + 1 */
	/* x = u v^3 (u v^7)^((p-5)/8) */
	fe_sq(&v3, &v);
	fe_mul(&v3, &v3, &v);
	fe_sq(&t, &v3);
	fe_mul(&t, &t, &v);
	fe_mul(&t, &t, &u);
	fe_pow_p58(&t, &t);
	fe_mul(&t, &t, &v3);
	fe_mul(&h->X, &t, &u);
	fe_sq(&vxx, &h->X);
	fe_mul(&vxx, &vxx, &v);
	if (!fe_equal(&vxx, &u)) {
		fe_neg(&t, &u);
		if (!fe_equal(&vxx, &t))
			return -1;
		fe_mul(&h->X, &h->X, &consts.sqrtm1);
	}
	if (fe_iszero(&h->X) && sign)
		return -1;
	if (fe_isodd(&h->X) != sign)
		fe_neg(&h->X, &h->X);
	fe_mul(&h->T, &h->X, &h->Y);
	return 0;
}

static void ge_tobytes(uint8_t s[32], const ge *p)
{
	fe zinv, x, y;

	fe_invert(&zinv, &p->Z);
	fe_mul(&x, &p->X, &zinv);
	fe_mul(&y, &p->Y, &zinv);
	fe_tobytes(s, &y);
	s[31] |= (uint8_t)(fe_isodd(&x) << 7);
}

/* TABLE[i] = (2i + 1) P for i < N. */
static void odd_multiples(ge_cached *table, size_t n, const ge *p)
{
	ge twice, acc = *p;
	ge_cached twice_c;

	ge_dbl(&twice, p);
	ge_to_cached(&twice_c, &twice);
	ge_to_cached(&table[0], &acc);
	for (size_t i = 1; i < n; i++) {
		ge_add_cached(&acc, &acc, &twice_c, 0);
		ge_to_cached(&table[i], &acc);
	}
}

static void consts_make(void)
{
	ge base;

	fe_frombytes(&consts.d, d_bytes);
	fe_frombytes(&consts.d2, d2_bytes);
	fe_frombytes(&consts.sqrtm1, sqrtm1_bytes);
	if (ge_frombytes(&base, base_bytes))
		return;
	odd_multiples(consts.base, sizeof(consts.base) / sizeof(consts.base[0]), &base);
	consts.sha512 = EVP_sha512();
	consts.order = BN_lebin2bn(order_bytes, sizeof(order_bytes), NULL);
	consts.ok = consts.sha512 && consts.order;
}

/*
 * The width-W NAF of the 256-bit little-endian SCALAR: NAF[i] is 0 or odd
 * with |NAF[i]| < 2^(W-1), scalar = sum NAF[i] 2^i, and of any W
 * consecutive digits at most one is not 0. Up to 257 digits.
 */
static void wnaf(int8_t naf[257], const uint8_t scalar[32], int w)
{
	uint64_t k[5] = { 0 };
	const int64_t window = (int64_t)1 << w;

	for (int i = 0; i < 32; i++)
		k[i / 8] |= (uint64_t)scalar[i] << (8 * (i % 8));
	memset(naf, 0, 257);
	for (int i = 0; i < 257 && (k[0] | k[1] | k[2] | k[3] | k[4]); i++) {
		if (k[0] & 1) {
			int64_t digit = (int64_t)(k[0] & (uint64_t)(window - 1));

			if (digit >= window / 2)
				digit -= window;
			naf[i] = (int8_t)digit;
			/* k -= digit, over all five limbs. */
			if (digit > 0) {
				uint64_t borrow = k[0] < (uint64_t)digit;

				k[0] -= (uint64_t)digit;
				for (int j = 1; j < 5 && borrow; j++)
					borrow = k[j]-- == 0;
			} else {
				uint64_t carry;

				k[0] += (uint64_t)-digit;
				carry = k[0] < (uint64_t)-digit;
				for (int j = 1; j < 5 && carry; j++)
					carry = ++k[j] == 0;
			}
		}
		for (int j = 0; j < 4; j++)
			k[j] = k[j] >> 1 | k[j + 1] << 63;
		k[4] >>= 1;
	}
}

/* R = [s]B - [k]A. */
static void double_scalarmult(ge *r, const uint8_t s[32], const uint8_t k[32], const ge *a)
{
	int8_t naf_s[257], naf_k[257];
	ge_cached a_table[1 << (A_WINDOW - 2)];
	int top = 256;

	wnaf(naf_s, s, B_WINDOW);
	wnaf(naf_k, k, A_WINDOW);
	odd_multiples(a_table, sizeof(a_table) / sizeof(a_table[0]), a);
	while (top >= 0 && !naf_s[top] && !naf_k[top])
		top--;
	ge_identity(r);
	for (int i = top; i >= 0; i--) {
		ge_dbl_t(r, r, naf_s[i] || naf_k[i]);
		if (naf_s[i])
			ge_add_cached(r, r, &consts.base[(naf_s[i] < 0 ? -naf_s[i] : naf_s[i]) / 2],
				      naf_s[i] < 0);
		if (naf_k[i])
			ge_add_cached(r, r, &a_table[(naf_k[i] < 0 ? -naf_k[i] : naf_k[i]) / 2],
				      naf_k[i] > 0);
	}
}

/* S, little-endian, below the group order L. */
static int below_order(const uint8_t s[32])
{
	for (int i = 31; i >= 0; i--)
		if (s[i] != order_bytes[i])
			return s[i] < order_bytes[i];
	return 0;
}

/* K = SHA-512(R || A || M) mod L. */
static int challenge(uint8_t k[32], const uint8_t r[32], const uint8_t pub[32], const void *msg,
		     size_t len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	BN_CTX *bn = BN_CTX_new();
	BIGNUM *h = NULL;
	uint8_t digest[64];
	unsigned int dlen = 0;
	int ok = md && bn && EVP_DigestInit_ex2(md, consts.sha512, NULL) == 1 &&
		 EVP_DigestUpdate(md, r, 32) == 1 && EVP_DigestUpdate(md, pub, 32) == 1 &&
		 (!len || EVP_DigestUpdate(md, msg, len) == 1) &&
		 EVP_DigestFinal_ex(md, digest, &dlen) == 1 && dlen == sizeof(digest);

	if (ok) {
		h = BN_lebin2bn(digest, sizeof(digest), NULL);
		ok = h && BN_nnmod(h, h, consts.order, bn) == 1 && BN_bn2lebinpad(h, k, 32) == 32;
	}
	BN_free(h);
	BN_CTX_free(bn);
	EVP_MD_CTX_free(md);
	return ok ? 0 : -EIO;
}

int skap_ed25519_verify(const uint8_t pub[SKAP_ED25519_PUB_LEN], const void *msg, size_t len,
			const uint8_t sig[SKAP_ED25519_SIG_LEN])
{
	uint8_t k[32], check[32];
	ge a, small, r;

	pthread_once(&consts_once, consts_make);
	if (!consts.ok || !pub || !sig || (len && !msg))
		return -EBADMSG;
	if (!below_order(sig + 32) || ge_frombytes(&a, pub))
		return -EBADMSG;
	ge_dbl(&small, &a);
	ge_dbl(&small, &small);
	ge_dbl(&small, &small);
	if (ge_is_identity(&small))
		return -EBADMSG;
	if (challenge(k, sig, pub, msg, len))
		return -EBADMSG;
	double_scalarmult(&r, sig + 32, k, &a);
	ge_tobytes(check, &r);
	return memcmp(check, sig, 32) ? -EBADMSG : 0;
}
