// SPDX-License-Identifier: GPL-2.0
/*
 * ML-KEM-768 against FIPS 203 test data from ../shared/vectors/mlkem: the
 * accumulated 10 000-test run must reproduce its published hash (with the
 * AVX2 code and with the portable code), every key
 * of the modulus file must be refused, decapsulation of anything but the
 * real ciphertext must give the implicit-rejection secret, and a key whose
 * hash does not match must be refused.
 */

#include <skap/keccak.h>
#include <skap/mlkem.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

static const char *shared_dir(void)
{
	const char *s = getenv("SKAP_SHARED");

	return s && *s ? s : "../shared";
}

static int unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = strlen(hex);

	while (n && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
		n--;
	if (n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &out[i]) != 1)
			return -1;
	return (int)(n / 2);
}

/*
 * The accumulated run takes about 20 s under ASan: more than the default
 * 30 s margin allows. It runs on both codes: AVX2 (where the CPU has it)
 * and portable.
 */
FIXTURE(slow)
{
	int unused;
};

FIXTURE_VARIANT(slow)
{
	int portable;
};

FIXTURE_VARIANT_ADD(slow, avx2)
{
	.portable = 0,
};

FIXTURE_VARIANT_ADD(slow, portable)
{
	.portable = 1,
};

FIXTURE_SETUP(slow)
{
	self->unused = 0;
	skap_mlkem_force_portable(variant->portable);
	if (!variant->portable && strcmp(skap_mlkem_impl(), "avx2"))
		SKIP(return, "this CPU has no AVX2");
	TH_LOG("ML-KEM code: %s", skap_mlkem_impl());
}

FIXTURE_TEARDOWN(slow)
{
	skap_mlkem_force_portable(0);
}

TEST_F_TIMEOUT(slow, accumulated_10000_fips203_final, 600)
{
	static const uint8_t want[32] = {
		0xf9, 0x59, 0xd1, 0x8d, 0x3d, 0x11, 0x80, 0x12, 0x14, 0x33, 0xbf,
		0x0e, 0x05, 0xf1, 0x1e, 0x79, 0x08, 0xcf, 0x9d, 0x03, 0xed, 0xc1,
		0x50, 0xb2, 0xb0, 0x7c, 0xb9, 0x0b, 0xef, 0x5b, 0xc1, 0xc1,
	};
	struct skap_keccak rng, acc;
	uint8_t d[32], z[32], m[32], ct_bad[SKAP_MLKEM768_CT_LEN];
	uint8_t ek[SKAP_MLKEM768_EK_LEN], dk[SKAP_MLKEM768_DK_LEN], ct[SKAP_MLKEM768_CT_LEN];
	uint8_t k[32], k2[32], k_bad[32], out[32];

	skap_shake128_init(&rng);
	skap_shake128_init(&acc);
	for (int i = 0; i < 10000; i++) {
		skap_keccak_squeeze(&rng, d, 32);
		skap_keccak_squeeze(&rng, z, 32);
		skap_keccak_squeeze(&rng, m, 32);
		skap_keccak_squeeze(&rng, ct_bad, sizeof(ct_bad));
		skap_mlkem768_keygen_derand(d, z, ek, dk);
		ASSERT_EQ(0, skap_mlkem768_encaps_derand(ek, m, ct, k));
		ASSERT_EQ(0, skap_mlkem768_decaps(dk, ct, k2));
		ASSERT_EQ(0, memcmp(k, k2, 32)) TH_LOG("test %d: decaps disagrees", i);
		ASSERT_EQ(0, skap_mlkem768_decaps(dk, ct_bad, k_bad));
		skap_keccak_absorb(&acc, ek, sizeof(ek));
		skap_keccak_absorb(&acc, dk, sizeof(dk));
		skap_keccak_absorb(&acc, ct, sizeof(ct));
		skap_keccak_absorb(&acc, k, sizeof(k));
		skap_keccak_absorb(&acc, k_bad, sizeof(k_bad));
	}
	skap_keccak_squeeze(&acc, out, 32);
	EXPECT_EQ(0, memcmp(want, out, 32));
}

TEST(every_key_of_the_modulus_file_is_refused)
{
	char path[512], cmd[600], *line = NULL;
	size_t cap = 0, refused = 0, total = 0;
	uint8_t ek[SKAP_MLKEM768_EK_LEN], ct[SKAP_MLKEM768_CT_LEN], ss[32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/vectors/mlkem/modulus-ML-KEM-768.txt.gz", shared_dir());
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	while (getline(&line, &cap, f) > 0) {
		if (unhex(line, ek, sizeof(ek)) != SKAP_MLKEM768_EK_LEN)
			continue;
		total++;
		memset(ss, 0x55, sizeof(ss));
		if (skap_mlkem768_encaps(ek, ct, ss) == -EINVAL &&
		    skap_mlkem768_check_ek(ek) == -EINVAL)
			refused++;
	}
	free(line);
	ASSERT_EQ(0, pclose(f)) TH_LOG("cannot read %s", path);
	EXPECT_GT(total, 0);
	EXPECT_EQ(total, refused);
	TH_LOG("%zu of %zu invalid keys refused", refused, total);
}

TEST(implicit_rejection)
{
	uint8_t d[32] = { 1 }, z[32] = { 2 }, m[32] = { 3 };
	uint8_t ek[SKAP_MLKEM768_EK_LEN], dk[SKAP_MLKEM768_DK_LEN], ct[SKAP_MLKEM768_CT_LEN];
	uint8_t k[32], k2[32], expect[32], other_dk[SKAP_MLKEM768_DK_LEN], other_ek[SKAP_MLKEM768_EK_LEN];
	struct skap_keccak j;

	skap_mlkem768_keygen_derand(d, z, ek, dk);
	ASSERT_EQ(0, skap_mlkem768_encaps_derand(ek, m, ct, k));
	for (size_t pos = 0; pos < sizeof(ct); pos += 97) {
		ct[pos] ^= 0x01;
		ASSERT_EQ(0, skap_mlkem768_decaps(dk, ct, k2));
		ASSERT_NE(0, memcmp(k, k2, 32)) TH_LOG("tampered byte %zu gave the real secret", pos);
		/* The rejection value is J(z || c), computed here on its own. */
		skap_shake256_init(&j);
		skap_keccak_absorb(&j, z, 32);
		skap_keccak_absorb(&j, ct, sizeof(ct));
		skap_keccak_squeeze(&j, expect, 32);
		ASSERT_EQ(0, memcmp(expect, k2, 32));
		ct[pos] ^= 0x01;
	}
	/* The wrong key: its own rejection value, never the real secret. */
	d[0] = 9;
	skap_mlkem768_keygen_derand(d, z, other_ek, other_dk);
	ASSERT_EQ(0, skap_mlkem768_decaps(other_dk, ct, k2));
	EXPECT_NE(0, memcmp(k, k2, 32));
	ASSERT_EQ(0, skap_mlkem768_decaps(dk, ct, k2));
	EXPECT_EQ(0, memcmp(k, k2, 32));
}

TEST(decapsulation_key_hash_check)
{
	uint8_t ek[SKAP_MLKEM768_EK_LEN], dk[SKAP_MLKEM768_DK_LEN], ct[SKAP_MLKEM768_CT_LEN], k[32];

	ASSERT_EQ(0, skap_mlkem768_keygen(ek, dk));
	ASSERT_EQ(0, skap_mlkem768_encaps(ek, ct, k));
	dk[1152 + 5] ^= 1; /* inside the embedded ek */
	EXPECT_EQ(-EINVAL, skap_mlkem768_decaps(dk, ct, k));
	dk[1152 + 5] ^= 1;
	dk[1152 + 1184 + 3] ^= 1; /* the hash itself */
	EXPECT_EQ(-EINVAL, skap_mlkem768_decaps(dk, ct, k));
}

TEST(random_round_trips)
{
	uint8_t ek[SKAP_MLKEM768_EK_LEN], dk[SKAP_MLKEM768_DK_LEN], ct[SKAP_MLKEM768_CT_LEN];
	uint8_t k[32], k2[32];

	for (int i = 0; i < 50; i++) {
		ASSERT_EQ(0, skap_mlkem768_keygen(ek, dk));
		ASSERT_EQ(0, skap_mlkem768_check_ek(ek));
		ASSERT_EQ(0, skap_mlkem768_encaps(ek, ct, k));
		ASSERT_EQ(0, skap_mlkem768_decaps(dk, ct, k2));
		ASSERT_EQ(0, memcmp(k, k2, 32));
	}
}

TEST_HARNESS_MAIN
