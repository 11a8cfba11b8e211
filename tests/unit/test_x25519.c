// SPDX-License-Identifier: GPL-2.0
/*
 * X25519 as libskap gives it (<skap/crypto.h>, over libsodium since
 * X-Wing needed it faster than OpenSSL's EVP gave it), beyond
 * test_crypto_wrappers' RFC 7748 section 6.1 case: the vectors of section
 * 5.2 (the iterated one to 1 000), OpenSSL's X25519 as an independent
 * reference on random scalars and points (non-canonical and top-bit points
 * included), public keys against the shared secret with 9, and every point
 * of small order, top bit set or not, refused with the output zeroed, as
 * OpenSSL refuses it.
 */

#include <skap/crypto.h>

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

static void unhex(const char *h, uint8_t out[32])
{
	for (int i = 0; i < 32; i++) {
		unsigned int b = 0;

		sscanf(h + 2 * i, "%2x", &b);
		out[i] = (uint8_t)b;
	}
}

/* OpenSSL's X25519(SCALAR, POINT): 0, or -1 when it refuses (small order). */
static int openssl_x25519(const uint8_t scalar[32], const uint8_t point[32], uint8_t out[32])
{
	EVP_PKEY *mine = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, scalar, 32);
	EVP_PKEY *theirs = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, point, 32);
	EVP_PKEY_CTX *ctx = mine ? EVP_PKEY_CTX_new(mine, NULL) : NULL;
	size_t len = 32;
	int ok = ctx && theirs && EVP_PKEY_derive_init(ctx) == 1 &&
		 EVP_PKEY_derive_set_peer(ctx, theirs) == 1 &&
		 EVP_PKEY_derive(ctx, out, &len) == 1 && len == 32;

	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(theirs);
	EVP_PKEY_free(mine);
	return ok ? 0 : -1;
}

static int openssl_public(const uint8_t scalar[32], uint8_t out[32])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, scalar, 32);
	size_t len = 32;
	int ok = k && EVP_PKEY_get_raw_public_key(k, out, &len) == 1 && len == 32;

	EVP_PKEY_free(k);
	return ok ? 0 : -1;
}

TEST(rfc7748_section_5_2)
{
	static const char *const v[][3] = {
		{"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		 "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		 "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
		{"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
		 "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		 "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t k[32], u[32], want[32], got[32];

		unhex(v[i][0], k);
		unhex(v[i][1], u);
		unhex(v[i][2], want);
		ASSERT_EQ(0, skap_x25519(k, u, got));
		EXPECT_EQ(0, memcmp(want, got, 32));
	}
}

/* k = X25519(k, u), u = the old k, from k = u = 9. */
TEST(rfc7748_iterated_to_1000)
{
	uint8_t k[32] = {9}, u[32] = {9}, r[32], want1[32], want1000[32];

	unhex("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079", want1);
	unhex("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51", want1000);
	for (int i = 1; i <= 1000; i++) {
		ASSERT_EQ(0, skap_x25519(k, u, r));
		memcpy(u, k, 32);
		memcpy(k, r, 32);
		if (i == 1)
			EXPECT_EQ(0, memcmp(want1, k, 32));
	}
	EXPECT_EQ(0, memcmp(want1000, k, 32));
}

/* Random points, and points with the top bit set or at or above p (taken mod p). */
TEST(shared_secrets_as_openssl)
{
	int differ = 0, refused = 0;

	for (int i = 0; i < 3000; i++) {
		uint8_t k[32], u[32], ours[32], theirs[32];
		int r_ours, r_theirs;

		ASSERT_EQ(0, skap_random(k, 32));
		ASSERT_EQ(0, skap_random(u, 32));
		if (i % 3 == 1)
			u[31] |= 0x80;
		if (i % 3 == 2) {
			/* p + n for a small n: 2^255 - 19 + n, little-endian. */
			memset(u, 0xff, 32);
			u[0] = (uint8_t)(0xed + (i / 3) % 18);
			u[31] = 0x7f;
		}
		r_ours = skap_x25519(k, u, ours);
		r_theirs = openssl_x25519(k, u, theirs);
		if (r_ours || r_theirs) {
			refused++;
			differ += (r_ours == 0) != (r_theirs == 0);
			continue;
		}
		differ += memcmp(ours, theirs, 32) != 0;
	}
	EXPECT_EQ(0, differ);
	/* p + 0 and p + 1 are the points 0 and 1, of small order. */
	EXPECT_GT(refused, 0);
}

TEST(public_keys_as_openssl_and_as_x25519_with_9)
{
	static const uint8_t nine[32] = {9};
	int differ_openssl = 0, differ_nine = 0;

	for (int i = 0; i < 3000; i++) {
		uint8_t k[32], ours[32], theirs[32], with_nine[32];

		ASSERT_EQ(0, skap_random(k, 32));
		if (i < 256) {
			/* Every value of the first and of the last byte. */
			k[0] = (uint8_t)i;
			k[31] = (uint8_t)(255 - i);
		}
		ASSERT_EQ(0, skap_x25519_public(k, ours));
		ASSERT_EQ(0, openssl_public(k, theirs));
		ASSERT_EQ(0, skap_x25519(k, nine, with_nine));
		differ_openssl += memcmp(ours, theirs, 32) != 0;
		differ_nine += memcmp(ours, with_nine, 32) != 0;
	}
	EXPECT_EQ(0, differ_openssl);
	EXPECT_EQ(0, differ_nine);
}

/* Scalars of repeated bytes, all bits clear or set among them. */
TEST(public_keys_of_extreme_scalars)
{
	static const uint8_t fill[] = {0x00, 0xff, 0x88, 0x77, 0x80, 0x08, 0xf8, 0x8f};

	for (size_t i = 0; i < sizeof(fill); i++) {
		uint8_t k[32], ours[32], theirs[32];

		memset(k, fill[i], 32);
		ASSERT_EQ(0, skap_x25519_public(k, ours));
		ASSERT_EQ(0, openssl_public(k, theirs));
		EXPECT_EQ(0, memcmp(ours, theirs, 32));
	}
}

/* The bits clamping clears or sets do not change the result. */
TEST(clamped_bits_ignored)
{
	uint8_t k[32], k2[32], u[32], a[32], b[32];

	ASSERT_EQ(0, skap_random(k, 32));
	ASSERT_EQ(0, skap_random(u, 32));
	memcpy(k2, k, 32);
	k2[0] ^= 7;
	k2[31] ^= 0xc0;
	ASSERT_EQ(0, skap_x25519(k, u, a));
	ASSERT_EQ(0, skap_x25519(k2, u, b));
	EXPECT_EQ(0, memcmp(a, b, 32));
	ASSERT_EQ(0, skap_x25519_public(k, a));
	ASSERT_EQ(0, skap_x25519_public(k2, b));
	EXPECT_EQ(0, memcmp(a, b, 32));
}

/* The points of order 1, 2, 4 and 8, canonical and not (RFC 7748 section 6.1's check). */
TEST(small_order_points_refused)
{
	static const char *const points[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	};
	const size_t n = sizeof(points) / sizeof(points[0]);

	/* Each twice: as written, then with the top bit set (which X25519 ignores). */
	for (size_t i = 0; i < 2 * n; i++) {
		static const uint8_t zero[32];
		uint8_t k[32], u[32], out[32], theirs[32];

		ASSERT_EQ(0, skap_random(k, 32));
		unhex(points[i % n], u);
		if (i >= n)
			u[31] |= 0x80;
		memset(out, 0xa5, sizeof(out));
		EXPECT_EQ(-EINVAL, skap_x25519(k, u, out)) TH_LOG("point %zu", i);
		EXPECT_EQ(0, memcmp(out, zero, 32));
		EXPECT_EQ(-1, openssl_x25519(k, u, theirs)) TH_LOG("point %zu", i);
	}
}

TEST_HARNESS_MAIN
