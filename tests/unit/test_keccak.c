// SPDX-License-Identifier: GPL-2.0
/*
 * The library's Keccak against OpenSSL's (an independent implementation) on
 * every length across several rate boundaries, squeezing in pieces
 * against one long squeeze, and the four-way AVX2 sponges against it too.
 */

#include <skap/keccak.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "../../userspace/lib/keccak_x4.h"
#include "kselftest_harness.h"

static void openssl_digest(const EVP_MD *md, const uint8_t *in, size_t len, uint8_t *out,
			   size_t out_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	EVP_DigestInit_ex(ctx, md, NULL);
	EVP_DigestUpdate(ctx, in, len);
	if (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF)
		EVP_DigestFinalXOF(ctx, out, out_len);
	else
		EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
}

TEST(known_answers)
{
	uint8_t out[32];
	static const uint8_t shake128_empty[16] = { 0x7f, 0x9c, 0x2b, 0xa4, 0xe8, 0x8f, 0x82, 0x7d,
						    0x61, 0x60, 0x45, 0x50, 0x76, 0x05, 0x85, 0x3e };
	static const uint8_t sha3_abc[4] = { 0x3a, 0x98, 0x5d, 0xa7 };
	struct skap_keccak k;

	skap_shake128_init(&k);
	skap_keccak_squeeze(&k, out, 16);
	EXPECT_EQ(0, memcmp(shake128_empty, out, 16));
	skap_sha3_256("abc", 3, out);
	EXPECT_EQ(0, memcmp(sha3_abc, out, 4));
}

TEST(agrees_with_openssl_on_every_length)
{
	uint8_t in[600], a[600], b[600];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 31 + 7);
	for (size_t len = 0; len < sizeof(in); len++) {
		skap_sha3_256(in, len, a);
		openssl_digest(EVP_sha3_256(), in, len, b, 32);
		ASSERT_EQ(0, memcmp(a, b, 32));
		skap_sha3_512(in, len, a);
		openssl_digest(EVP_sha3_512(), in, len, b, 64);
		ASSERT_EQ(0, memcmp(a, b, 64));
		skap_shake256(in, len, a, 300);
		openssl_digest(EVP_shake256(), in, len, b, 300);
		ASSERT_EQ(0, memcmp(a, b, 300));
	}
}

TEST(squeezing_in_pieces_equals_one_long_squeeze)
{
	uint8_t whole[1000], pieces[1000], in[200];
	struct skap_keccak k;
	size_t done = 0, step = 1;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	openssl_digest(EVP_shake128(), in, sizeof(in), whole, sizeof(whole));
	skap_shake128_init(&k);
	/* Absorb in uneven pieces too. */
	skap_keccak_absorb(&k, in, 3);
	skap_keccak_absorb(&k, in + 3, 170);
	skap_keccak_absorb(&k, in + 173, sizeof(in) - 173);
	while (done < sizeof(pieces)) {
		size_t n = step < sizeof(pieces) - done ? step : sizeof(pieces) - done;

		skap_keccak_squeeze(&k, pieces + done, n);
		done += n;
		step = step * 2 + 1;
	}
	EXPECT_EQ(0, memcmp(whole, pieces, sizeof(whole)));
	skap_keccak_clear(&k);
	EXPECT_EQ(0, k.s[0]);
}

/* Four different inputs of every length below the rate, three blocks out. */
TEST(four_way_sponges_agree_with_openssl)
{
	static const struct {
		size_t rate;
		const char *name;
	} xofs[] = { { 168, "SHAKE128" }, { 136, "SHAKE256" } };
	uint8_t in[4][168], out[4][3 * 168], want[3 * 168];

	if (!skap_cpu_has_avx2())
		SKIP(return, "this CPU has no AVX2");
	ASSERT_EQ(1, RAND_bytes(&in[0][0], sizeof(in)));
	for (size_t x = 0; x < 2; x++) {
		const EVP_MD *md = EVP_get_digestbyname(xofs[x].name);
		size_t rate = xofs[x].rate;

		ASSERT_NE(NULL, md);
		for (size_t len = 0; len < rate; len++) {
			const uint8_t *const ins[4] = { in[0], in[1], in[2], in[3] };
			uint8_t *const outs[4] = { out[0], out[1], out[2], out[3] };
			struct keccak_x4 k;

			keccak_x4_absorb_once(&k, rate, 0x1f, ins, len);
			keccak_x4_squeeze_blocks(&k, outs, 1);
			for (int i = 0; i < 4; i++) {
				openssl_digest(md, in[i], len, want, 3 * rate);
				ASSERT_EQ(0, memcmp(want, out[i], rate))
					TH_LOG("%s, length %zu, state %d", xofs[x].name, len, i);
			}
			/* Blocks 1 and 2, written from the start of each output. */
			keccak_x4_squeeze_blocks(&k, outs, 2);
			for (int i = 0; i < 4; i++) {
				openssl_digest(md, in[i], len, want, 3 * rate);
				ASSERT_EQ(0, memcmp(want + rate, out[i], 2 * rate))
					TH_LOG("%s, length %zu, state %d, blocks 1-2", xofs[x].name,
					       len, i);
			}
		}
	}
}

TEST_HARNESS_MAIN
