// SPDX-License-Identifier: GPL-2.0
/*
 * ML-KEM-768, written from FIPS 203 (August 2024); algorithm numbers refer
 * to it. Coefficients are kept reduced in [0, q). Every reduction is a
 * multiplication and a shift followed by a masked conditional subtraction,
 * never a division or a branch, so that nothing about a secret reaches the
 * timing; the only data-dependent loop, rejection sampling in SampleNTT,
 * works on the public seed rho.
 *
 * On CPUs with AVX2 the NTT, its inverse and the NTT-domain products run in
 * mlkem_avx2.c, and the matrix and noise are sampled from four SHAKE
 * instances at a time (keccak_x4.c): about twice as fast, the same bytes
 * (the tests run both codes; skap_mlkem_force_portable).
 */

#include <skap/mlkem.h>

#include <skap/keccak.h>

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>

#include "ct.h"
#include "keccak_x4.h"
#include "mlkem_avx2.h"

#define N	 256
#define Q	 3329
#define K	 3
#define ETA	 2 /* eta1 = eta2 = 2 for ML-KEM-768 */
#define DU	 10
#define DV	 4
#define POLY_BYTES (N * 12 / 8)			    /* 384 */
#define PKE_EK_LEN (K * POLY_BYTES + 32)	    /* 1184 */
#define PKE_DK_LEN (K * POLY_BYTES)		    /* 1152 */
#define CT_U_LEN   (K * N * DU / 8)		    /* 960 */
#define CT_LEN	   (CT_U_LEN + N * DV / 8)	    /* 1088 */

typedef struct {
	uint16_t c[N];
} poly;

/* zeta^BitRev7(i) mod q, zeta = 17 (section 4.3). */
static const uint16_t zetas[128] = {
	1, 1729, 2580, 3289, 2642, 630, 1897, 848, 1062, 1919, 193, 797,
	2786, 3260, 569, 1746, 296, 2447, 1339, 1476, 3046, 56, 2240, 1333,
	1426, 2094, 535, 2882, 2393, 2879, 1974, 821, 289, 331, 3253, 1756,
	1197, 2304, 2277, 2055, 650, 1977, 2513, 632, 2865, 33, 1320, 1915,
	2319, 1435, 807, 452, 1438, 2868, 1534, 2402, 2647, 2617, 1481, 648,
	2474, 3110, 1227, 910, 17, 2761, 583, 2649, 1637, 723, 2288, 1100,
	1409, 2662, 3281, 233, 756, 2156, 3015, 3050, 1703, 1651, 2789, 1789,
	1847, 952, 1461, 2687, 939, 2308, 2437, 2388, 733, 2337, 268, 641,
	1584, 2298, 2037, 3220, 375, 2549, 2090, 1645, 1063, 319, 2773, 757,
	2099, 561, 2466, 2594, 2804, 1092, 403, 1026, 1143, 2150, 2775, 886,
	1722, 1212, 1874, 1029, 2110, 2935, 885, 2154,
};

/* zeta^(2 BitRev7(i) + 1) mod q, for BaseCaseMultiply (Algorithm 12). */
static const uint16_t gammas[128] = {
	17, 3312, 2761, 568, 583, 2746, 2649, 680, 1637, 1692, 723, 2606,
	2288, 1041, 1100, 2229, 1409, 1920, 2662, 667, 3281, 48, 233, 3096,
	756, 2573, 2156, 1173, 3015, 314, 3050, 279, 1703, 1626, 1651, 1678,
	2789, 540, 1789, 1540, 1847, 1482, 952, 2377, 1461, 1868, 2687, 642,
	939, 2390, 2308, 1021, 2437, 892, 2388, 941, 733, 2596, 2337, 992,
	268, 3061, 641, 2688, 1584, 1745, 2298, 1031, 2037, 1292, 3220, 109,
	375, 2954, 2549, 780, 2090, 1239, 1645, 1684, 1063, 2266, 319, 3010,
	2773, 556, 757, 2572, 2099, 1230, 561, 2768, 2466, 863, 2594, 735,
	2804, 525, 1092, 2237, 403, 2926, 1026, 2303, 1143, 2186, 2150, 1179,
	2775, 554, 886, 2443, 1722, 1607, 1212, 2117, 1874, 1455, 1029, 2300,
	2110, 1219, 2935, 394, 885, 2444, 2154, 1175,
};

/* x mod q for 0 <= x < 2^24: floor(x / q) estimated low by at most one. */
static uint16_t reduce(uint32_t x)
{
	uint32_t est = (uint32_t)(((uint64_t)x * 1290167u) >> 32);
	int32_t r = (int32_t)(x - est * Q) - Q;

	r += (r >> 31) & Q;
	return (uint16_t)r;
}

static uint16_t add_q(uint16_t a, uint16_t b)
{
	int32_t r = (int32_t)a + b - Q;

	r += (r >> 31) & Q;
	return (uint16_t)r;
}

static uint16_t sub_q(uint16_t a, uint16_t b)
{
	int32_t r = (int32_t)a - b;

	r += (r >> 31) & Q;
	return (uint16_t)r;
}

static uint16_t mul_q(uint16_t a, uint16_t b)
{
	return reduce((uint32_t)a * b);
}

static int portable_forced;
static pthread_once_t avx2_once = PTHREAD_ONCE_INIT;

static void avx2_tables(void)
{
	mlkem_avx2_init(zetas, gammas);
}

/* The AVX2 code, where the CPU has it and the caller has not refused it. */
static int avx2(void)
{
	if (portable_forced || !skap_cpu_has_avx2())
		return 0;
	pthread_once(&avx2_once, avx2_tables);
	return 1;
}

void skap_mlkem_force_portable(int on)
{
	portable_forced = on;
}

const char *skap_mlkem_impl(void)
{
	return avx2() ? "avx2" : "portable";
}

/* Algorithm 9. */
static void ntt_portable(poly *f)
{
	unsigned int i = 1;

	for (unsigned int len = 128; len >= 2; len /= 2) {
		for (unsigned int start = 0; start < N; start += 2 * len) {
			uint16_t zeta = zetas[i++];

			for (unsigned int j = start; j < start + len; j++) {
				uint16_t t = mul_q(zeta, f->c[j + len]);

				f->c[j + len] = sub_q(f->c[j], t);
				f->c[j] = add_q(f->c[j], t);
			}
		}
	}
}

/* Algorithm 10. */
static void ntt_inverse_portable(poly *f)
{
	unsigned int i = 127;

	for (unsigned int len = 2; len <= 128; len *= 2) {
		for (unsigned int start = 0; start < N; start += 2 * len) {
			uint16_t zeta = zetas[i--];

			for (unsigned int j = start; j < start + len; j++) {
				uint16_t t = f->c[j];

				f->c[j] = add_q(t, f->c[j + len]);
				f->c[j + len] = mul_q(zeta, sub_q(f->c[j + len], t));
			}
		}
	}
	for (unsigned int j = 0; j < N; j++)
		f->c[j] = mul_q(f->c[j], 3303); /* 128^-1 mod q */
}

/* Algorithms 11 and 12: H += F x G in the NTT domain. */
static void multiply_ntts_acc_portable(poly *h, const poly *f, const poly *g)
{
	for (unsigned int i = 0; i < 128; i++) {
		uint16_t a0 = f->c[2 * i], a1 = f->c[2 * i + 1];
		uint16_t b0 = g->c[2 * i], b1 = g->c[2 * i + 1];
		uint16_t c0 = add_q(mul_q(a0, b0), mul_q(mul_q(a1, b1), gammas[i]));
		uint16_t c1 = add_q(mul_q(a0, b1), mul_q(a1, b0));

		h->c[2 * i] = add_q(h->c[2 * i], c0);
		h->c[2 * i + 1] = add_q(h->c[2 * i + 1], c1);
	}
}

static void ntt(poly *f)
{
	if (avx2())
		mlkem_avx2_ntt(f->c);
	else
		ntt_portable(f);
}

static void ntt_inverse(poly *f)
{
	if (avx2())
		mlkem_avx2_ntt_inverse(f->c);
	else
		ntt_inverse_portable(f);
}

static void multiply_ntts_acc(poly *h, const poly *f, const poly *g)
{
	if (avx2())
		mlkem_avx2_multiply_ntts_acc(h->c, f->c, g->c);
	else
		multiply_ntts_acc_portable(h, f, g);
}

static void poly_add(poly *r, const poly *a)
{
	for (unsigned int j = 0; j < N; j++)
		r->c[j] = add_q(r->c[j], a->c[j]);
}

/* Algorithm 5 for d = 12 (coefficients already in [0, q)). */
static void encode12(uint8_t *out, const poly *f)
{
	for (unsigned int j = 0; j < N / 2; j++) {
		uint16_t a = f->c[2 * j], b = f->c[2 * j + 1];

		out[3 * j] = (uint8_t)a;
		out[3 * j + 1] = (uint8_t)((a >> 8) | (b << 4));
		out[3 * j + 2] = (uint8_t)(b >> 4);
	}
}

/* Algorithm 6 for d = 12, without the reduction: values in [0, 4096). */
static void decode12_raw(poly *f, const uint8_t *in)
{
	for (unsigned int j = 0; j < N / 2; j++) {
		f->c[2 * j] = (uint16_t)(in[3 * j] | ((in[3 * j + 1] & 0x0f) << 8));
		f->c[2 * j + 1] = (uint16_t)((in[3 * j + 1] >> 4) | (in[3 * j + 2] << 4));
	}
}

/* Algorithm 6 for d = 12: reduces mod q, as FIPS 203 does (m = q). */
static void decode12(poly *f, const uint8_t *in)
{
	decode12_raw(f, in);
	for (unsigned int j = 0; j < N; j++)
		f->c[j] = reduce(f->c[j]);
}

/* Algorithm 5 for d < 12: little-endian bit packing. */
static void encode_bits(uint8_t *out, const uint16_t *v, unsigned int d)
{
	uint32_t acc = 0;
	unsigned int bits = 0, o = 0;

	for (unsigned int j = 0; j < N; j++) {
		acc |= (uint32_t)v[j] << bits;
		bits += d;
		while (bits >= 8) {
			out[o++] = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
}

/* Algorithm 6 for d < 12. */
static void decode_bits(uint16_t *v, const uint8_t *in, unsigned int d)
{
	uint32_t acc = 0;
	unsigned int bits = 0, i = 0;

	for (unsigned int j = 0; j < N; j++) {
		while (bits < d) {
			acc |= (uint32_t)in[i++] << bits;
			bits += 8;
		}
		v[j] = (uint16_t)(acc & ((1u << d) - 1));
		acc >>= d;
		bits -= d;
	}
}

/* Compress_d (4.7): round(2^d x / q) mod 2^d, by multiply and shift. */
static uint16_t compress(uint16_t x, unsigned int d)
{
	uint32_t n = ((uint32_t)x << d) + Q / 2;

	return (uint16_t)((((uint64_t)n * 2580335u) >> 33) & ((1u << d) - 1));
}

/* Decompress_d (4.8): round(q y / 2^d). */
static uint16_t decompress(uint16_t y, unsigned int d)
{
	return (uint16_t)(((uint32_t)y * Q + (1u << (d - 1))) >> d);
}

/*
 * Algorithm 7's loop on LEN more XOF bytes (whole triples): the entry's
 * coefficients from N on; returns the new count. Rejection on the public
 * seed rho only.
 */
static unsigned int parse_uniform(poly *a, unsigned int n, const uint8_t *buf, size_t len)
{
	size_t k = 0;

	for (; k + 3 <= len && n < N; k += 3) {
		uint16_t d1 = (uint16_t)(buf[k] | ((buf[k + 1] & 0x0f) << 8));
		uint16_t d2 = (uint16_t)((buf[k + 1] >> 4) | (buf[k + 2] << 4));

		if (n + 2 <= N) {
			/* Both fit: written, and kept by count, without a
			 * branch on the candidates to mispredict. */
			a->c[n] = d1;
			n += d1 < Q;
			a->c[n] = d2;
			n += d2 < Q;
			continue;
		}
		if (d1 < Q)
			a->c[n++] = d1;
		if (d2 < Q && n < N)
			a->c[n++] = d2;
	}
	return n;
}

/*
 * Algorithm 7: the NTT-domain matrix entry from rho, j, i (public). The
 * XOF is read one SHAKE128 block (168 bytes, 56 triples) at a time.
 */
static void sample_ntt(poly *a, const uint8_t rho[32], uint8_t j, uint8_t i)
{
	struct skap_keccak xof;
	uint8_t seed[34], buf[168];
	unsigned int n = 0;

	memcpy(seed, rho, 32);
	seed[32] = j;
	seed[33] = i;
	skap_shake128_init(&xof);
	skap_keccak_absorb(&xof, seed, sizeof(seed));
	while (n < N) {
		skap_keccak_squeeze(&xof, buf, sizeof(buf));
		n = parse_uniform(a, n, buf, sizeof(buf));
	}
}

/* Four matrix entries at once (AVX2): entry E is A[E / K][E % K]. */
static void sample_ntt_x4(poly a[K][K], const uint8_t rho[32], unsigned int first)
{
	/* Three blocks give 336 candidates, 256 coefficients but for about one
	 * entry in a hundred; then one more block for all four at a time. */
	uint8_t seed[4][34], buf[4][3 * 168];
	const uint8_t *in[4];
	uint8_t *out[4];
	struct keccak_x4 xof;
	unsigned int n[4];
	size_t len = sizeof(buf[0]);
	int more;

	for (unsigned int l = 0; l < 4; l++) {
		unsigned int e = first + l;

		memcpy(seed[l], rho, 32);
		seed[l][32] = (uint8_t)(e % K);
		seed[l][33] = (uint8_t)(e / K);
		in[l] = seed[l];
		out[l] = buf[l];
		n[l] = 0;
	}
	keccak_x4_absorb_once(&xof, 168, 0x1f, in, sizeof(seed[0]));
	keccak_x4_squeeze_blocks(&xof, out, 3);
	do {
		more = 0;
		for (unsigned int l = 0; l < 4; l++) {
			unsigned int e = first + l;

			n[l] = parse_uniform(&a[e / K][e % K], n[l], buf[l], len);
			more |= n[l] < N;
		}
		if (more) {
			keccak_x4_squeeze_blocks(&xof, out, 1);
			len = 168;
		}
	} while (more);
}

static void matrix(poly a[K][K], const uint8_t rho[32])
{
	unsigned int e = 0;

	if (avx2())
		for (; e + 4 <= K * K; e += 4)
			sample_ntt_x4(a, rho, e);
	for (; e < K * K; e++)
		sample_ntt(&a[e / K][e % K], rho, (uint8_t)(e % K), (uint8_t)(e / K));
}

/*
 * Algorithm 8 with eta = 2 on 128 bytes of PRF output: four bits a
 * coefficient, x = b0 + b1 and y = b2 + b3. The sums of bit pairs are
 * taken for 32 bits at once (each 2-bit field of D holds one).
 */
static void cbd2(poly *f, const uint8_t buf[64 * ETA])
{
	for (unsigned int i = 0; i < N / 8; i++) {
		uint32_t t = (uint32_t)buf[4 * i] | (uint32_t)buf[4 * i + 1] << 8 |
			     (uint32_t)buf[4 * i + 2] << 16 | (uint32_t)buf[4 * i + 3] << 24;
		uint32_t d = (t & 0x55555555u) + ((t >> 1) & 0x55555555u);

		for (unsigned int j = 0; j < 8; j++) {
			uint16_t x = (uint16_t)((d >> (4 * j)) & 3);
			uint16_t y = (uint16_t)((d >> (4 * j + 2)) & 3);

			f->c[8 * i + j] = sub_q(x, y);
		}
	}
}

/*
 * F[0..COUNT) from PRF_2(s, b) = SHAKE256(s || b, 128) for b = B0, B0 + 1,
 * ...: four at a time with AVX2 (unused lanes repeat a used one and are
 * dropped), one at a time otherwise.
 */
static void sample_noise(poly *const f[], unsigned int count, const uint8_t s[32], uint8_t b0)
{
	uint8_t seed[4][33], buf[4][136];
	unsigned int i = 0;

	for (unsigned int l = 0; l < 4; l++)
		memcpy(seed[l], s, 32);
	if (avx2()) {
		for (; i + 1 < count; i += 4) {
			const uint8_t *in[4];
			uint8_t *out[4];
			struct keccak_x4 prf;

			for (unsigned int l = 0; l < 4; l++) {
				unsigned int used = i + l < count ? l : 0;

				seed[l][32] = (uint8_t)(b0 + i + used);
				in[l] = seed[l];
				out[l] = buf[l];
			}
			keccak_x4_absorb_once(&prf, 136, 0x1f, in, sizeof(seed[0]));
			keccak_x4_squeeze_blocks(&prf, out, 1);
			explicit_bzero(&prf, sizeof(prf));
			for (unsigned int l = 0; l < 4 && i + l < count; l++)
				cbd2(f[i + l], buf[l]);
		}
	}
	for (; i < count; i++) {
		seed[0][32] = (uint8_t)(b0 + i);
		skap_shake256(seed[0], sizeof(seed[0]), buf[0], 64 * ETA);
		cbd2(f[i], buf[0]);
	}
	explicit_bzero(seed, sizeof(seed));
	explicit_bzero(buf, sizeof(buf));
}

/* Algorithm 13: (ek_pke, dk_pke) from d. */
static void pke_keygen(const uint8_t d[32], uint8_t ek[PKE_EK_LEN], uint8_t dk[PKE_DK_LEN])
{
	uint8_t in[33], g[64];
	const uint8_t *rho = g, *sigma = g + 32;
	poly a[K][K], s[K], e[K], t;
	poly *const noise[2 * K] = { &s[0], &s[1], &s[2], &e[0], &e[1], &e[2] };

	memcpy(in, d, 32);
	in[32] = K;
	skap_sha3_512(in, sizeof(in), g);
	/* rho is published in ek; sampling A from it may branch. */
	CT_PUBLIC(g, 32);
	matrix(a, rho);
	sample_noise(noise, 2 * K, sigma, 0);
	for (unsigned int i = 0; i < K; i++) {
		ntt(&s[i]);
		ntt(&e[i]);
	}
	for (unsigned int i = 0; i < K; i++) {
		memset(&t, 0, sizeof(t));
		for (unsigned int j = 0; j < K; j++)
			multiply_ntts_acc(&t, &a[i][j], &s[j]);
		poly_add(&t, &e[i]);
		encode12(ek + i * POLY_BYTES, &t);
		encode12(dk + i * POLY_BYTES, &s[i]);
	}
	memcpy(ek + K * POLY_BYTES, rho, 32);
	explicit_bzero(in, sizeof(in));
	explicit_bzero(g, sizeof(g));
	explicit_bzero(s, sizeof(s));
	explicit_bzero(e, sizeof(e));
}

/* Algorithm 14. */
static void pke_encrypt(const uint8_t ek[PKE_EK_LEN], const uint8_t m[32], const uint8_t r[32],
			uint8_t ct[CT_LEN])
{
	poly a[K][K], t_hat[K], y[K], e1[K], e2, u, v, mu;
	poly *const noise[2 * K + 1] = { &y[0], &y[1], &y[2], &e1[0], &e1[1], &e1[2], &e2 };
	uint16_t packed[N];

	for (unsigned int i = 0; i < K; i++)
		decode12(&t_hat[i], ek + i * POLY_BYTES);
	matrix(a, ek + K * POLY_BYTES);
	sample_noise(noise, 2 * K + 1, r, 0);
	for (unsigned int i = 0; i < K; i++)
		ntt(&y[i]);
	for (unsigned int i = 0; i < K; i++) {
		/* u[i] = NTT^-1(sum_j A[j][i] y[j]) + e1[i] */
		memset(&u, 0, sizeof(u));
		for (unsigned int j = 0; j < K; j++)
			multiply_ntts_acc(&u, &a[j][i], &y[j]);
		ntt_inverse(&u);
		poly_add(&u, &e1[i]);
		for (unsigned int j = 0; j < N; j++)
			packed[j] = compress(u.c[j], DU);
		encode_bits(ct + i * (N * DU / 8), packed, DU);
	}
	memset(&v, 0, sizeof(v));
	for (unsigned int j = 0; j < K; j++)
		multiply_ntts_acc(&v, &t_hat[j], &y[j]);
	ntt_inverse(&v);
	poly_add(&v, &e2);
	decode_bits(packed, m, 1);
	for (unsigned int j = 0; j < N; j++)
		mu.c[j] = decompress(packed[j], 1);
	poly_add(&v, &mu);
	for (unsigned int j = 0; j < N; j++)
		packed[j] = compress(v.c[j], DV);
	encode_bits(ct + CT_U_LEN, packed, DV);
	explicit_bzero(y, sizeof(y));
	explicit_bzero(e1, sizeof(e1));
	explicit_bzero(&e2, sizeof(e2));
	explicit_bzero(&u, sizeof(u));
	explicit_bzero(&v, sizeof(v));
	explicit_bzero(&mu, sizeof(mu));
	explicit_bzero(packed, sizeof(packed));
}

/* Algorithm 15. */
static void pke_decrypt(const uint8_t dk[PKE_DK_LEN], const uint8_t ct[CT_LEN], uint8_t m[32])
{
	poly u, s_hat, w, v;
	uint16_t packed[N];

	memset(&w, 0, sizeof(w));
	for (unsigned int i = 0; i < K; i++) {
		decode_bits(packed, ct + i * (N * DU / 8), DU);
		for (unsigned int j = 0; j < N; j++)
			u.c[j] = decompress(packed[j], DU);
		ntt(&u);
		decode12(&s_hat, dk + i * POLY_BYTES);
		multiply_ntts_acc(&w, &s_hat, &u);
	}
	ntt_inverse(&w);
	decode_bits(packed, ct + CT_U_LEN, DV);
	for (unsigned int j = 0; j < N; j++) {
		v.c[j] = decompress(packed[j], DV);
		packed[j] = compress(sub_q(v.c[j], w.c[j]), 1);
	}
	encode_bits(m, packed, 1);
	explicit_bzero(&s_hat, sizeof(s_hat));
	explicit_bzero(&w, sizeof(w));
	explicit_bzero(&v, sizeof(v));
	explicit_bzero(packed, sizeof(packed));
}

void skap_mlkem768_keygen_derand(const uint8_t d[32], const uint8_t z[32],
				 uint8_t ek[SKAP_MLKEM768_EK_LEN], uint8_t dk[SKAP_MLKEM768_DK_LEN])
{
	/* Algorithm 16: dk = dk_pke || ek || H(ek) || z. */
	pke_keygen(d, ek, dk);
	memcpy(dk + PKE_DK_LEN, ek, PKE_EK_LEN);
	skap_sha3_256(ek, PKE_EK_LEN, dk + PKE_DK_LEN + PKE_EK_LEN);
	memcpy(dk + PKE_DK_LEN + PKE_EK_LEN + 32, z, 32);
}

int skap_mlkem768_keygen(uint8_t ek[SKAP_MLKEM768_EK_LEN], uint8_t dk[SKAP_MLKEM768_DK_LEN])
{
	uint8_t dz[64];

	if (RAND_priv_bytes(dz, sizeof(dz)) != 1)
		return -EIO;
	skap_mlkem768_keygen_derand(dz, dz + 32, ek, dk);
	explicit_bzero(dz, sizeof(dz));
	return 0;
}

int skap_mlkem768_check_ek(const uint8_t ek[SKAP_MLKEM768_EK_LEN])
{
	uint16_t bad = 0;
	poly t;

	/* ByteEncode12(ByteDecode12(ek)) == ek iff every coefficient is below q. */
	for (unsigned int i = 0; i < K; i++) {
		decode12_raw(&t, ek + i * POLY_BYTES);
		for (unsigned int j = 0; j < N; j++)
			bad |= (uint16_t)((Q - 1 - (int32_t)t.c[j]) >> 16);
	}
	return bad ? -EINVAL : 0;
}

int skap_mlkem768_encaps_derand(const uint8_t ek[SKAP_MLKEM768_EK_LEN], const uint8_t m[32],
				uint8_t ct[SKAP_MLKEM768_CT_LEN], uint8_t ss[SKAP_MLKEM768_SS_LEN])
{
	uint8_t in[64], kr[64];

	if (skap_mlkem768_check_ek(ek))
		return -EINVAL;
	/* Algorithm 17: (K, r) = G(m || H(ek)). */
	memcpy(in, m, 32);
	skap_sha3_256(ek, SKAP_MLKEM768_EK_LEN, in + 32);
	skap_sha3_512(in, sizeof(in), kr);
	pke_encrypt(ek, m, kr + 32, ct);
	memcpy(ss, kr, 32);
	explicit_bzero(in, sizeof(in));
	explicit_bzero(kr, sizeof(kr));
	return 0;
}

int skap_mlkem768_encaps(const uint8_t ek[SKAP_MLKEM768_EK_LEN], uint8_t ct[SKAP_MLKEM768_CT_LEN],
			 uint8_t ss[SKAP_MLKEM768_SS_LEN])
{
	uint8_t m[32];
	int ret;

	if (RAND_priv_bytes(m, sizeof(m)) != 1)
		return -EIO;
	ret = skap_mlkem768_encaps_derand(ek, m, ct, ss);
	explicit_bzero(m, sizeof(m));
	return ret;
}

int skap_mlkem768_decaps(const uint8_t dk[SKAP_MLKEM768_DK_LEN],
			 const uint8_t ct[SKAP_MLKEM768_CT_LEN], uint8_t ss[SKAP_MLKEM768_SS_LEN])
{
	const uint8_t *dk_pke = dk, *ek = dk + PKE_DK_LEN;
	const uint8_t *h = dk + PKE_DK_LEN + PKE_EK_LEN, *z = h + 32;
	uint8_t hash[32], in[64], kr[64], reject[32], ct2[CT_LEN];
	struct skap_keccak j;
	uint8_t diff = 0, mask;

	/* Section 7.3: the hash check of the decapsulation key. */
	skap_sha3_256(ek, PKE_EK_LEN, hash);
	if (CRYPTO_memcmp(hash, h, 32))
		return -EINVAL;
	/* Algorithm 18. */
	pke_decrypt(dk_pke, ct, in);
	memcpy(in + 32, h, 32);
	skap_sha3_512(in, sizeof(in), kr);
	skap_shake256_init(&j);
	skap_keccak_absorb(&j, z, 32);
	skap_keccak_absorb(&j, ct, CT_LEN);
	skap_keccak_squeeze(&j, reject, 32);
	skap_keccak_clear(&j);
	pke_encrypt(ek, in, kr + 32, ct2);
	for (unsigned int i = 0; i < CT_LEN; i++)
		diff |= ct[i] ^ ct2[i];
	/* mask = 0xff when the ciphertexts differ, without a branch. */
	mask = (uint8_t)(-(int32_t)((diff | (uint8_t)-diff) >> 7) & 0xff);
	for (unsigned int i = 0; i < 32; i++)
		ss[i] = (uint8_t)((kr[i] & ~mask) | (reject[i] & mask));
	explicit_bzero(in, sizeof(in));
	explicit_bzero(kr, sizeof(kr));
	explicit_bzero(reject, sizeof(reject));
	explicit_bzero(ct2, sizeof(ct2));
	return 0;
}
