// SPDX-License-Identifier: GPL-2.0
/*
 * Symmetric primitives against published test vectors (RFC 5869 HKDF,
 * RFC 4231 HMAC, NIST GCM), plus the failure paths: a wrong tag, key, nonce
 * or AAD opens nothing and leaves no plaintext behind.
 */

#include <skap/sym.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
	return n;
}

TEST(hkdf_rfc5869_case_1)
{
	uint8_t ikm[22], salt[13], info[10], okm[42], want[42], prk[32], want_prk[32];

	memset(ikm, 0x0b, sizeof(ikm));
	unhex("000102030405060708090a0b0c", salt);
	unhex("f0f1f2f3f4f5f6f7f8f9", info);
	unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
	      want);
	unhex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", want_prk);
	ASSERT_EQ(0, skap_hkdf(salt, sizeof(salt), ikm, sizeof(ikm), info, sizeof(info), okm, 42));
	EXPECT_EQ(0, memcmp(want, okm, 42));
	ASSERT_EQ(0, skap_hkdf_extract(salt, sizeof(salt), ikm, sizeof(ikm), prk));
	EXPECT_EQ(0, memcmp(want_prk, prk, 32));
	memset(okm, 0, sizeof(okm));
	ASSERT_EQ(0, skap_hkdf_expand(prk, info, sizeof(info), okm, 42));
	EXPECT_EQ(0, memcmp(want, okm, 42));
}

TEST(hkdf_rfc5869_case_2_three_blocks)
{
	uint8_t ikm[80], salt[80], info[80], okm[82], want[82];

	for (int i = 0; i < 80; i++) {
		ikm[i] = (uint8_t)i;
		salt[i] = (uint8_t)(0x60 + i);
		info[i] = (uint8_t)(0xb0 + i);
	}
	unhex("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb4"
	      "1c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87",
	      want);
	ASSERT_EQ(0, skap_hkdf(salt, sizeof(salt), ikm, sizeof(ikm), info, sizeof(info), okm, 82));
	EXPECT_EQ(0, memcmp(want, okm, 82));
}

/* RFC 5869 bounds the output to 255 blocks, and an empty one is no key. */
TEST(hkdf_output_length_bounds)
{
	static uint8_t okm[255 * 32 + 1];
	uint8_t prk[32] = { 1 };

	EXPECT_EQ(0, skap_hkdf_expand(prk, "x", 1, okm, 255 * 32));
	EXPECT_EQ(-EIO, skap_hkdf_expand(prk, "x", 1, okm, 255 * 32 + 1));
	EXPECT_EQ(-EIO, skap_hkdf_expand(prk, "x", 1, okm, 0));
}

TEST(hkdf_rfc5869_case_3_empty_salt_and_info)
{
	uint8_t ikm[22], okm[42], want[42];

	memset(ikm, 0x0b, sizeof(ikm));
	unhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
	      want);
	ASSERT_EQ(0, skap_hkdf("", 0, ikm, sizeof(ikm), "", 0, okm, 42));
	EXPECT_EQ(0, memcmp(want, okm, 42));
}

TEST(hmac_rfc4231_case_2_in_parts)
{
	uint8_t mac[32], want[32];
	const void *parts[] = { "what do ya want ", "for nothing?" };
	const size_t lens[] = { 16, 12 };

	unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", want);
	ASSERT_EQ(0, skap_hmac("Jefe", 4, parts, lens, 2, mac));
	EXPECT_EQ(0, memcmp(want, mac, 32));
}

TEST(hmac_rfc4231_case_1)
{
	uint8_t key[20], mac[32], want[32];
	const void *parts[] = { "Hi There" };
	const size_t lens[] = { 8 };

	memset(key, 0x0b, sizeof(key));
	unhex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", want);
	ASSERT_EQ(0, skap_hmac(key, sizeof(key), parts, lens, 1, mac));
	EXPECT_EQ(0, memcmp(want, mac, 32));
}

/* A key longer than SHA-256's block is hashed first. */
TEST(hmac_rfc4231_case_6_long_key)
{
	uint8_t key[131], mac[32], want[32];
	const void *parts[] = { "Test Using Larger Than Block-Size Key - Hash Key First" };
	const size_t lens[] = { 54 };

	memset(key, 0xaa, sizeof(key));
	unhex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", want);
	ASSERT_EQ(0, skap_hmac(key, sizeof(key), parts, lens, 1, mac));
	EXPECT_EQ(0, memcmp(want, mac, 32));
}

/*
 * Keys of exactly one block (used as they are) and one byte more (hashed);
 * the expected values come from Python's hmac module.
 */
TEST(hmac_block_boundary_keys)
{
	static const char *const want_hex[] = {
		"7731706bc2a4a6ce8247c91afa5f0527538aeb8b0d65171920507c90b5ea1bd6",
		"3ee36119c3fb00e5778df37be9f56c514cd2b5e1bb07199e998954f0bdf8af99",
	};
	uint8_t key[65], mac[32], want[32];
	const void *parts[] = { "block boundary" };
	const size_t lens[] = { 14 };

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (size_t k = 0; k < 2; k++) {
		unhex(want_hex[k], want);
		ASSERT_EQ(0, skap_hmac(key, 64 + k, parts, lens, 1, mac));
		EXPECT_EQ(0, memcmp(want, mac, 32)) TH_LOG("key of %zu bytes", 64 + k);
	}
}

/* Each thread has its own digest context: interleaved HMACs do not mix. */
struct hmac_worker {
	uint8_t key[32];
	uint8_t want[32];
	int mismatches;
};

static void *hmac_worker_run(void *arg)
{
	struct hmac_worker *w = arg;
	const void *parts[] = { w->key };
	const size_t lens[] = { sizeof(w->key) };
	uint8_t mac[32];

	for (int i = 0; i < 2000; i++) {
		if (skap_hmac(w->key, sizeof(w->key), parts, lens, 1, mac) ||
		    memcmp(mac, w->want, sizeof(mac)))
			w->mismatches++;
	}
	return NULL;
}

TEST(hmac_from_several_threads)
{
	struct hmac_worker w[4];
	pthread_t th[4];

	for (int t = 0; t < 4; t++) {
		const void *parts[] = { w[t].key };
		const size_t lens[] = { sizeof(w[t].key) };

		memset(w[t].key, 0x11 * (t + 1), sizeof(w[t].key));
		w[t].mismatches = 0;
		ASSERT_EQ(0, skap_hmac(w[t].key, 32, parts, lens, 1, w[t].want));
	}
	for (int t = 0; t < 4; t++)
		ASSERT_EQ(0, pthread_create(&th[t], NULL, hmac_worker_run, &w[t]));
	for (int t = 0; t < 4; t++) {
		pthread_join(th[t], NULL);
		EXPECT_EQ(0, w[t].mismatches) TH_LOG("thread %d", t);
	}
	EXPECT_NE(0, memcmp(w[0].want, w[1].want, 32));
}

TEST(sha256_abc)
{
	uint8_t d[32], want[32];

	unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want);
	ASSERT_EQ(0, skap_sha256("abc", 3, d));
	EXPECT_EQ(0, memcmp(want, d, 32));
}

TEST(gcm_nist_vector_with_aad)
{
	/* NIST GCM test case 16 (AES-256, 60-byte plaintext, 20-byte AAD). */
	uint8_t key[32], iv[12], pt[60], aad[20], want[60 + 16], out[60 + 16], back[60];

	unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", key);
	unhex("cafebabefacedbaddecaf888", iv);
	unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	      pt);
	unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad);
	unhex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
	      "76fc6ece0f4e1768cddf8853bb2d551b",
	      want);
	ASSERT_EQ(0, skap_aead_seal(key, iv, aad, 20, pt, 60, out));
	EXPECT_EQ(0, memcmp(want, out, sizeof(want)));
	ASSERT_EQ(0, skap_aead_open(key, iv, aad, 20, out, sizeof(out), back));
	EXPECT_EQ(0, memcmp(pt, back, 60));
}

TEST(gcm_refuses_every_alteration)
{
	uint8_t key[32] = { 1 }, nonce[12] = { 2 }, ct[8 + 16], out[8];
	const char *aad = "skap1 ticket";

	ASSERT_EQ(0, skap_aead_seal(key, nonce, aad, strlen(aad), "8 bytes!", 8, ct));
	for (size_t i = 0; i < sizeof(ct); i++) {
		ct[i] ^= 1;
		memset(out, 0x55, sizeof(out));
		ASSERT_EQ(-EBADMSG, skap_aead_open(key, nonce, aad, strlen(aad), ct, sizeof(ct), out));
		ASSERT_EQ(0, out[0]) TH_LOG("no plaintext after a failed open");
		ct[i] ^= 1;
	}
	key[0] ^= 1;
	EXPECT_EQ(-EBADMSG, skap_aead_open(key, nonce, aad, strlen(aad), ct, sizeof(ct), out));
	key[0] ^= 1;
	nonce[0] ^= 1;
	EXPECT_EQ(-EBADMSG, skap_aead_open(key, nonce, aad, strlen(aad), ct, sizeof(ct), out));
	nonce[0] ^= 1;
	EXPECT_EQ(-EBADMSG, skap_aead_open(key, nonce, "skap1 tickeT", 12, ct, sizeof(ct), out));
	EXPECT_EQ(-EBADMSG, skap_aead_open(key, nonce, aad, strlen(aad), ct, 15, out));
	EXPECT_EQ(0, skap_aead_open(key, nonce, aad, strlen(aad), ct, sizeof(ct), out));
	EXPECT_EQ(0, memcmp(out, "8 bytes!", 8));
}

TEST(gcm_in_place)
{
	uint8_t key[32] = { 9 }, nonce[12] = { 0 }, buf[5 + 16];

	memcpy(buf, "hello", 5);
	ASSERT_EQ(0, skap_aead_seal(key, nonce, NULL, 0, buf, 5, buf));
	ASSERT_EQ(0, skap_aead_open(key, nonce, NULL, 0, buf, sizeof(buf), buf));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
}

TEST(random_and_compare)
{
	uint8_t a[32], b[32];

	ASSERT_EQ(0, skap_random(a, sizeof(a)));
	ASSERT_EQ(0, skap_random(b, sizeof(b)));
	EXPECT_NE(0, memcmp(a, b, sizeof(a)));
	EXPECT_EQ(1, skap_ct_compare(a, b, sizeof(a)));
	memcpy(b, a, sizeof(a));
	EXPECT_EQ(0, skap_ct_compare(a, b, sizeof(a)));
}

static int cmp16(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* No 16-byte draw repeats, across many refills of the pool and with large draws between. */
TEST(random_never_repeats_across_refills)
{
	enum { N = 4000 };
	uint8_t(*draws)[16] = calloc(N, 16), big[4096];
	int repeats = 0;

	ASSERT_NE(NULL, draws);
	for (int i = 0; i < N; i++) {
		ASSERT_EQ(0, skap_random(draws[i], 16));
		if (i % 500 == 0)
			ASSERT_EQ(0, skap_random(big, sizeof(big)));
	}
	qsort(draws, N, 16, cmp16);
	for (int i = 1; i < N; i++)
		repeats += !memcmp(draws[i - 1], draws[i], 16);
	EXPECT_EQ(0, repeats);
	free(draws);
}

/*
 * A child process draws other bytes than its parent, though the parent's
 * pool was full when it forked: the child's copy of the pool is wiped.
 */
TEST(random_differs_after_fork)
{
	uint8_t first[1], mine[32], childs[32];
	int fd[2], status;
	pid_t pid;

	ASSERT_EQ(0, skap_random(first, sizeof(first))); /* fills this thread's pool */
	ASSERT_EQ(0, pipe(fd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		uint8_t b[32];

		close(fd[0]);
		_exit(skap_random(b, sizeof(b)) || write(fd[1], b, sizeof(b)) != sizeof(b));
	}
	close(fd[1]);
	ASSERT_EQ(0, skap_random(mine, sizeof(mine)));
	ASSERT_EQ((ssize_t)sizeof(childs), read(fd[0], childs, sizeof(childs)));
	close(fd[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_NE(0, memcmp(mine, childs, sizeof(mine)));
}

struct random_worker {
	uint8_t draws[2000][16];
	int failed;
};

static void *random_worker_run(void *arg)
{
	struct random_worker *w = arg;

	for (int i = 0; i < 2000; i++)
		w->failed |= skap_random(w->draws[i], 16);
	return NULL;
}

/* Threads draw from pools of their own: no draw of one shows up in another's. */
TEST(random_threads_do_not_share_bytes)
{
	struct random_worker *w = calloc(3, sizeof(*w));
	uint8_t(*all)[16] = calloc(3 * 2000, 16);
	pthread_t th[3];
	int repeats = 0;

	ASSERT_NE(NULL, w);
	ASSERT_NE(NULL, all);
	for (int t = 0; t < 3; t++)
		ASSERT_EQ(0, pthread_create(&th[t], NULL, random_worker_run, &w[t]));
	for (int t = 0; t < 3; t++) {
		pthread_join(th[t], NULL);
		EXPECT_EQ(0, w[t].failed);
		memcpy(all[t * 2000], w[t].draws, sizeof(w[t].draws));
	}
	qsort(all, 3 * 2000, 16, cmp16);
	for (int i = 1; i < 3 * 2000; i++)
		repeats += !memcmp(all[i - 1], all[i], 16);
	EXPECT_EQ(0, repeats);
	free(all);
	free(w);
}

TEST_HARNESS_MAIN
