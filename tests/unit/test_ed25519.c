// SPDX-License-Identifier: GPL-2.0
/*
 * Ed25519 verification as libskap gives it (skap_ed25519_verify, over
 * libsodium since OpenSSL's accepts keys of small order) against OpenSSL's
 * on the same inputs: signatures made by OpenSSL over random
 * messages and keys, each then altered a bit at a time in R, S, the key and
 * the message; S pushed over the group order; random keys and signatures.
 * The two must agree everywhere, but for the keys that libskap refuses on
 * purpose (encodings with y not below p, keys of small order), for which
 * OpenSSL verifies a signature that anyone can make.
 */

#include <skap/crypto.h>

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

/* OpenSSL's verdict: 0 or -EBADMSG, as skap_ed25519_verify answers. */
static int openssl_verify(const uint8_t pub[32], const uint8_t *msg, size_t len,
			  const uint8_t sig[64])
{
	static const uint8_t empty[1];
	EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = key && md && EVP_DigestVerifyInit_ex(md, NULL, NULL, NULL, NULL, key, NULL) == 1 &&
		 EVP_DigestVerify(md, sig, 64, len ? msg : empty, len) == 1;

	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return ok ? 0 : -EBADMSG;
}

static int agree(const uint8_t pub[32], const uint8_t *msg, size_t len, const uint8_t sig[64])
{
	return skap_ed25519_verify(pub, len ? msg : NULL, len, sig) ==
	       openssl_verify(pub, msg, len, sig);
}

static void random_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rand();
}

/* 500 keys, a random message each: the signature, then every 7th bit of it, the key and the message flipped. */
TEST(openssl_signatures_and_their_alterations)
{
	uint8_t seed[32], pub[32], sig[64], msg[300];
	int accepted = 0, disagree = 0;

	srand(8032);
	for (int round = 0; round < 500; round++) {
		size_t len = (size_t)rand() % sizeof(msg);

		random_bytes(seed, sizeof(seed));
		random_bytes(msg, len);
		ASSERT_EQ(0, skap_ed25519_public(seed, pub));
		ASSERT_EQ(0, skap_ed25519_sign(seed, len ? msg : NULL, len, sig));
		accepted += skap_ed25519_verify(pub, len ? msg : NULL, len, sig) == 0;
		for (int bit = round % 7; bit < 512; bit += 7) {
			sig[bit / 8] ^= (uint8_t)(1 << (bit % 8));
			disagree += !agree(pub, msg, len, sig);
			sig[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		}
		for (int bit = round % 7; bit < 256; bit += 7) {
			pub[bit / 8] ^= (uint8_t)(1 << (bit % 8));
			disagree += !agree(pub, msg, len, sig);
			pub[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		}
		if (len) {
			size_t bit = (size_t)rand() % (8 * len);

			msg[bit / 8] ^= (uint8_t)(1 << (bit % 8));
			disagree += !agree(pub, msg, len, sig);
		}
	}
	EXPECT_EQ(500, accepted);
	EXPECT_EQ(0, disagree);
}

/* S + L names the same scalar, but only S below L is a signature (both refuse). */
TEST(s_not_below_the_order_refused)
{
	static const uint8_t order[32] = {
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
		0xa2, 0xde, 0xf9, 0xde, 0x14, [31] = 0x10,
	};
	uint8_t seed[32] = { 7 }, pub[32], sig[64], msg[3] = { 1, 2, 3 };
	unsigned int carry = 0;

	ASSERT_EQ(0, skap_ed25519_public(seed, pub));
	ASSERT_EQ(0, skap_ed25519_sign(seed, msg, sizeof(msg), sig));
	ASSERT_EQ(0, skap_ed25519_verify(pub, msg, sizeof(msg), sig));
	for (int i = 0; i < 32; i++) {
		carry += sig[32 + i] + order[i];
		sig[32 + i] = (uint8_t)carry;
		carry >>= 8;
	}
	EXPECT_EQ(-EBADMSG, skap_ed25519_verify(pub, msg, sizeof(msg), sig));
	EXPECT_TRUE(agree(pub, msg, sizeof(msg), sig));
	memcpy(sig + 32, order, 32);
	EXPECT_EQ(-EBADMSG, skap_ed25519_verify(pub, msg, sizeof(msg), sig));
}

/* Random keys (most are no point) and random signatures: both refuse, alike. */
TEST(random_keys_and_signatures)
{
	uint8_t pub[32], sig[64], msg[40];
	int disagree = 0, accepted = 0;

	srand(25519);
	for (int round = 0; round < 3000; round++) {
		random_bytes(pub, sizeof(pub));
		random_bytes(sig, sizeof(sig));
		sig[63] &= 0x0f; /* S below the order, to reach the point arithmetic */
		random_bytes(msg, sizeof(msg));
		disagree += !agree(pub, msg, sizeof(msg), sig);
		accepted += skap_ed25519_verify(pub, msg, sizeof(msg), sig) == 0;
	}
	EXPECT_EQ(0, disagree);
	EXPECT_EQ(0, accepted);
}

/*
 * The identity as a key: [k]A vanishes, so (R, S) = (encoding of [S]B, S)
 * verifies for every message under OpenSSL. Refused here, as are the
 * identity's encoding with y = p + 1 and the other small-order points.
 */
TEST(small_order_and_non_canonical_keys_refused)
{
	/* The base point B, that is [1]B. */
	static const uint8_t base[32] = {
		0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	};
	/* y = 1 (the identity); y = p + 1; y = -1 (order 2); y = 0, x = sqrt(-1) (order 4). */
	static const uint8_t keys[][32] = {
		{ 0x01 },
		{ 0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
		{ 0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
		{ 0x00 },
		{ [31] = 0x80 },
	};
	uint8_t sig[64] = { 0 }, msg[16] = "any message";

	memcpy(sig, base, 32);
	sig[32] = 1;
	EXPECT_EQ(0, openssl_verify(keys[0], msg, sizeof(msg), sig));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		EXPECT_EQ(-EBADMSG, skap_ed25519_verify(keys[i], msg, sizeof(msg), sig));
}

TEST_HARNESS_MAIN
