// SPDX-License-Identifier: GPL-2.0
/*
 * libskap's SHA-256 (userspace/lib/sha256.h): the examples of FIPS 180-4
 * (via NIST's published digests), then OpenSSL's EVP SHA-256 as the
 * reference for every length to 1 100 bytes fed in random pieces; each
 * compression function, portable and SHA extensions, held to the other on
 * random blocks.
 */

#include "../../userspace/lib/sha256.h"

#include <skap/sym.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void digest_of(const void *data, size_t len, char out[2 * SHA256_LEN + 1])
{
	uint8_t d[SHA256_LEN];

	memset(d, 0, sizeof(d));
	skap_sha256(data, len, d);
	hex(d, sizeof(d), out);
}

static void openssl_sha256(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
	unsigned int n = 0;

	EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

TEST(fips_180_examples)
{
	char got[2 * SHA256_LEN + 1];
	const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char *million = malloc(1000000);

	ASSERT_NE(NULL, million);
	digest_of("abc", 3, got);
	EXPECT_STREQ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", got);
	digest_of(two_blocks, strlen(two_blocks), got);
	EXPECT_STREQ("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", got);
	digest_of("", 0, got);
	EXPECT_STREQ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", got);
	memset(million, 'a', 1000000);
	digest_of(million, 1000000, got);
	EXPECT_STREQ("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", got);
	free(million);
}

/* Every length to 1 100, in pieces of random sizes (0 included), against OpenSSL. */
TEST(every_length_in_pieces_as_openssl)
{
	static uint8_t data[1100];
	uint8_t want[SHA256_LEN], got[SHA256_LEN];
	int disagree = 0;

	srand(256);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)rand();
	for (size_t len = 0; len <= sizeof(data); len++) {
		struct sha256 c;
		size_t done = 0;

		sha256_init(&c);
		while (done < len) {
			size_t piece = (size_t)rand() % 130;

			if (piece > len - done)
				piece = len - done;
			sha256_update(&c, data + done, piece);
			done += piece;
		}
		sha256_update(&c, NULL, 0);
		sha256_final(&c, got);
		openssl_sha256(data, len, want);
		disagree += memcmp(want, got, sizeof(got)) != 0;
	}
	EXPECT_EQ(0, disagree);
}

/* The final step wipes the state: no hash of keyed input outlives it. */
TEST(final_wipes_the_state)
{
	static const uint8_t zero[sizeof(struct sha256)];
	struct sha256 c;
	uint8_t d[SHA256_LEN];

	sha256_init(&c);
	sha256_update(&c, "a padded HMAC key, say", 22);
	sha256_final(&c, d);
	EXPECT_EQ(0, memcmp(&c, zero, sizeof(c)));
}

/* Both compression functions on the same random chains of blocks (when the CPU has both). */
TEST(shani_and_portable_agree)
{
	sha256_blocks_fn *shani = sha256_blocks_shani();
	uint8_t blocks[8 * SHA256_BLOCK_LEN];
	int disagree = 0;

	if (!shani)
		SKIP(return, "this CPU has no SHA extensions");
	srand(2);
	for (int round = 0; round < 2000; round++) {
		uint32_t a[8], b[8];
		size_t n = 1 + (size_t)rand() % 8;

		for (int i = 0; i < 8; i++)
			a[i] = b[i] = (uint32_t)rand() * 2654435761u;
		for (size_t i = 0; i < n * SHA256_BLOCK_LEN; i++)
			blocks[i] = (uint8_t)rand();
		sha256_blocks_portable(a, blocks, n);
		shani(b, blocks, n);
		disagree += memcmp(a, b, sizeof(a)) != 0;
	}
	EXPECT_EQ(0, disagree);
}

TEST_HARNESS_MAIN
