// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 and HMAC-SHA-256 as libskap gives them (<skap/sym.h>: OpenSSL's
 * SHA-256 without its provider layer, RFC 2104's HMAC composed over it):
 * the examples of FIPS 180-4 (via NIST's published digests), and OpenSSL's
 * EVP SHA-256 and its one-shot HMAC as the reference for every length to
 * 1 100 bytes, the HMAC's message cut into random parts and its key of
 * every length around the block size.
 */

#include <skap/sym.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#define SHA256_LEN SKAP_SHA256_LEN

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

/* Every length to 1 100 against OpenSSL: the hash, and the HMAC of the text in random parts. */
TEST(every_length_as_openssl)
{
	static uint8_t data[1100];
	uint8_t want[SHA256_LEN], got[SHA256_LEN], key[130];
	int disagree = 0, disagree_mac = 0;

	srand(256);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)rand();
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)rand();
	for (size_t len = 0; len <= sizeof(data); len++) {
		const void *parts[8];
		size_t lens[8], n = 0, done = 0, key_len = 60 + len % 70;
		unsigned int mac_len = 0;

		skap_sha256(data, len, got);
		openssl_sha256(data, len, want);
		disagree += memcmp(want, got, sizeof(got)) != 0;

		while (done < len && n < 7) {
			size_t piece = (size_t)rand() % 200;

			if (piece > len - done)
				piece = len - done;
			parts[n] = data + done;
			lens[n++] = piece;
			done += piece;
		}
		parts[n] = data + done;
		lens[n++] = len - done;
		memset(got, 0, sizeof(got));
		skap_hmac(key, key_len, parts, lens, n, got);
		HMAC(EVP_sha256(), key, (int)key_len, data, len, want, &mac_len);
		disagree_mac += mac_len != SHA256_LEN || memcmp(want, got, sizeof(got)) != 0;
	}
	EXPECT_EQ(0, disagree);
	EXPECT_EQ(0, disagree_mac);
}

TEST_HARNESS_MAIN
