// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 (userspace/lib/sha256.h), written from FIPS 180-4: the portable
 * compression function of section 6.2.2, and the same with the x86 SHA
 * extensions, chosen once by what the CPU reports (valgrind reports none,
 * so instruction counts there are the portable code's).
 */

#include "sha256.h"

#include <skap/secret.h>

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHANI 1
#endif

/* Section 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

/* Section 5.3.3. */
static const uint32_t initial[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static uint32_t rotr(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * Round T of section 6.2.2 with the working variables named in rotation,
 * so that eight rounds in a row move no variable; W is the schedule as a
 * ring of the last 16 words.
 */
#define BSIG0(x) (rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22))
#define BSIG1(x) (rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25))
#define SSIG0(x) (rotr(x, 7) ^ rotr(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (rotr(x, 17) ^ rotr(x, 19) ^ ((x) >> 10))
#define ROUND(a, b, c, d, e, f, g, h, t)                                                       \
	do {                                                                                   \
		if ((t) >= 16)                                                                 \
			w[(t) & 15] += SSIG1(w[((t) - 2) & 15]) + w[((t) - 7) & 15] +          \
				       SSIG0(w[((t) - 15) & 15]);                              \
		t1 = h + BSIG1(e) + ((e & f) ^ (~e & g)) + k[t] + w[(t) & 15];                 \
		d += t1;                                                                       \
		h = t1 + BSIG0(a) + ((a & b) ^ (a & c) ^ (b & c));                             \
	} while (0)

#define EIGHT_ROUNDS(t)                                                                        \
	do {                                                                                   \
		ROUND(a, b, c, d, e, f, g, hh, (t));                                           \
		ROUND(hh, a, b, c, d, e, f, g, (t) + 1);                                       \
		ROUND(g, hh, a, b, c, d, e, f, (t) + 2);                                       \
		ROUND(f, g, hh, a, b, c, d, e, (t) + 3);                                       \
		ROUND(e, f, g, hh, a, b, c, d, (t) + 4);                                       \
		ROUND(d, e, f, g, hh, a, b, c, (t) + 5);                                       \
		ROUND(c, d, e, f, g, hh, a, b, (t) + 6);                                       \
		ROUND(b, c, d, e, f, g, hh, a, (t) + 7);                                       \
	} while (0)

void sha256_blocks_portable(uint32_t h[8], const uint8_t *data, size_t n)
{
	uint32_t w[16], t1;

	for (; n; n--, data += SHA256_BLOCK_LEN) {
		uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
			 hh = h[7];

		for (int t = 0; t < 16; t++)
			w[t] = load_be32(data + 4 * t);
		/* Written out with constant T: the schedule's test and indexes fold away. */
		EIGHT_ROUNDS(0);
		EIGHT_ROUNDS(8);
		EIGHT_ROUNDS(16);
		EIGHT_ROUNDS(24);
		EIGHT_ROUNDS(32);
		EIGHT_ROUNDS(40);
		EIGHT_ROUNDS(48);
		EIGHT_ROUNDS(56);
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += hh;
	}
	/* It held the message, which may be an HMAC's padded key. */
	skap_wipe(w, sizeof(w));
}

#ifdef HAVE_SHANI
/*
 * SHA256RNDS2 does two rounds on the state split as (A, B, E, F) and
 * (C, D, G, H); SHA256MSG1 and SHA256MSG2 compute the schedule four words
 * at a time: W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], with W[t-7]
 * taken from the two groups before by PALIGNR.
 */
#define FOUR_ROUNDS(wv, g)                                                                     \
	do {                                                                                   \
		m = _mm_add_epi32((wv), _mm_loadu_si128((const __m128i *)&k[4 * (g)]));        \
		cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);                                   \
		m = _mm_shuffle_epi32(m, 0x0e);                                                \
		abef = _mm_sha256rnds2_epu32(abef, cdgh, m);                                   \
	} while (0)

/* The next group into W16 (the group 16 words back), from the three after it. */
#define SCHEDULE(w16, w12, w8, w4)                                                             \
	((w16) = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32((w16), (w12)),        \
						    _mm_alignr_epi8((w4), (w8), 4)),           \
				      (w4)))

__attribute__((target("sha,sse4.1"))) static void blocks_shani(uint32_t h[8],
							      const uint8_t *data, size_t n)
{
	/* Each 32-bit word of the message is big-endian. */
	const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
	__m128i abef, cdgh, abef0, cdgh0, w0, w1, w2, w3, m, t;

	/* h[0..7] = A..H into (A, B, E, F) and (C, D, G, H), high lanes first. */
	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xb1);
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1b);
	abef = _mm_alignr_epi8(t, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, t, 0xf0);
	for (; n; n--, data += SHA256_BLOCK_LEN) {
		abef0 = abef;
		cdgh0 = cdgh;
		w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)), bswap);
		w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)), bswap);
		w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)), bswap);
		w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)), bswap);
		FOUR_ROUNDS(w0, 0);
		FOUR_ROUNDS(w1, 1);
		FOUR_ROUNDS(w2, 2);
		FOUR_ROUNDS(w3, 3);
		for (int g = 4; g < 16; g += 4) {
			SCHEDULE(w0, w1, w2, w3);
			FOUR_ROUNDS(w0, g);
			SCHEDULE(w1, w2, w3, w0);
			FOUR_ROUNDS(w1, g + 1);
			SCHEDULE(w2, w3, w0, w1);
			FOUR_ROUNDS(w2, g + 2);
			SCHEDULE(w3, w0, w1, w2);
			FOUR_ROUNDS(w3, g + 3);
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	t = _mm_shuffle_epi32(abef, 0x1b);
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, cdgh, 0xf0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, t, 8));
}

/* CPUID leaf 7 EBX bit 29: SHA; leaf 1 ECX bits 9 and 19: SSSE3 and SSE4.1. */
sha256_blocks_fn *sha256_blocks_shani(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & 1u << 9) || !(c & 1u << 19))
		return NULL;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & 1u << 29))
		return NULL;
	return blocks_shani;
}
#else
sha256_blocks_fn *sha256_blocks_shani(void)
{
	return NULL;
}
#endif

/* Chosen at the first use; every thread that races to choose chooses the same. */
static sha256_blocks_fn *blocks_fn(void)
{
	static sha256_blocks_fn *chosen;
	sha256_blocks_fn *fn = __atomic_load_n(&chosen, __ATOMIC_RELAXED);

	if (!fn) {
		fn = sha256_blocks_shani();
		if (!fn)
			fn = sha256_blocks_portable;
		__atomic_store_n(&chosen, fn, __ATOMIC_RELAXED);
	}
	return fn;
}

void sha256_init(struct sha256 *c)
{
	memcpy(c->h, initial, sizeof(c->h));
	c->bytes = 0;
	c->fill = 0;
}

void sha256_update(struct sha256 *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!len)
		return;
	c->bytes += len;
	if (c->fill) {
		size_t take = SHA256_BLOCK_LEN - c->fill < len ? SHA256_BLOCK_LEN - c->fill : len;

		memcpy(c->buf + c->fill, p, take);
		c->fill += take;
		p += take;
		len -= take;
		if (c->fill < SHA256_BLOCK_LEN)
			return;
		blocks_fn()(c->h, c->buf, 1);
		c->fill = 0;
	}
	if (len >= SHA256_BLOCK_LEN) {
		blocks_fn()(c->h, p, len / SHA256_BLOCK_LEN);
		p += len - len % SHA256_BLOCK_LEN;
		len %= SHA256_BLOCK_LEN;
	}
	memcpy(c->buf, p, len);
	c->fill = len;
}

/* Section 5.1.1: a 1 bit, zeros, and the length in bits in the last 64 bits of a block. */
void sha256_final(struct sha256 *c, uint8_t out[SHA256_LEN])
{
	uint64_t bits = c->bytes * 8;

	c->buf[c->fill++] = 0x80;
	if (c->fill > SHA256_BLOCK_LEN - 8) {
		memset(c->buf + c->fill, 0, SHA256_BLOCK_LEN - c->fill);
		blocks_fn()(c->h, c->buf, 1);
		c->fill = 0;
	}
	memset(c->buf + c->fill, 0, SHA256_BLOCK_LEN - 8 - c->fill);
	store_be32(c->buf + 56, (uint32_t)(bits >> 32));
	store_be32(c->buf + 60, (uint32_t)bits);
	blocks_fn()(c->h, c->buf, 1);
	for (int i = 0; i < 8; i++)
		store_be32(out + 4 * i, c->h[i]);
	skap_wipe(c, sizeof(*c));
}
