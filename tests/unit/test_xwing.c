// SPDX-License-Identifier: GPL-2.0
/*
 * X-Wing against the draft's published vectors (../shared/vectors/xwing),
 * plus round trips and what a tampered ciphertext gives.
 */

#include <skap/xwing.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "kselftest_harness.h"

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static int unhex(const char *hex, uint8_t *out, size_t want)
{
	if (!hex || strlen(hex) != 2 * want)
		return -1;
	for (size_t i = 0; i < want; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &out[i]) != 1)
			return -1;
	return 0;
}

TEST(draft_vectors)
{
	const char *shared = getenv("SKAP_SHARED");
	char path[512];
	json_error_t jerr;
	json_t *all, *v;
	size_t i;

	snprintf(path, sizeof(path), "%s/vectors/xwing/test-vectors.json",
		 shared && *shared ? shared : "../shared");
	all = json_load_file(path, 0, &jerr);
	ASSERT_NE(NULL, all) TH_LOG("%s: %s", path, jerr.text);
	ASSERT_TRUE(json_is_array(all));
	ASSERT_GT(json_array_size(all), 0);
	json_array_foreach(all, i, v) {
		uint8_t seed[32], pk[SKAP_XWING_PK_BYTES], eseed[64], ct[SKAP_XWING_CT_BYTES], ss[32];
		uint8_t got_pk[SKAP_XWING_PK_BYTES], got_ct[SKAP_XWING_CT_BYTES], got_ss[32];
		struct skap_xwing_dk dk;
		struct skap_xwing_eph eph;

		ASSERT_EQ(0, unhex(json_string_value(json_object_get(v, "seed")), seed, 32));
		ASSERT_EQ(0, unhex(json_string_value(json_object_get(v, "pk")), pk, sizeof(pk)));
		ASSERT_EQ(0, unhex(json_string_value(json_object_get(v, "eseed")), eseed, 64));
		ASSERT_EQ(0, unhex(json_string_value(json_object_get(v, "ct")), ct, sizeof(ct)));
		ASSERT_EQ(0, unhex(json_string_value(json_object_get(v, "ss")), ss, 32));
		ASSERT_EQ(0, skap_xwing_public_key(seed, got_pk));
		EXPECT_EQ(0, memcmp(pk, got_pk, sizeof(pk))) TH_LOG("vector %zu: pk", i);
		ASSERT_EQ(0, skap_xwing_encaps_derand(pk, eseed, got_ct, got_ss));
		EXPECT_EQ(0, memcmp(ct, got_ct, sizeof(ct))) TH_LOG("vector %zu: ct", i);
		EXPECT_EQ(0, memcmp(ss, got_ss, 32)) TH_LOG("vector %zu: encaps ss", i);
		ASSERT_EQ(0, skap_xwing_decaps(seed, ct, got_ss));
		EXPECT_EQ(0, memcmp(ss, got_ss, 32)) TH_LOG("vector %zu: decaps ss", i);
		/* Expanded once, the same public key and the same secret. */
		memset(got_pk, 0, sizeof(got_pk));
		memset(got_ss, 0, sizeof(got_ss));
		ASSERT_EQ(0, skap_xwing_expand(seed, &dk, got_pk));
		EXPECT_EQ(0, memcmp(pk, got_pk, sizeof(pk))) TH_LOG("vector %zu: expanded pk", i);
		ASSERT_EQ(0, skap_xwing_decaps_expanded(&dk, ct, got_ss));
		EXPECT_EQ(0, memcmp(ss, got_ss, 32)) TH_LOG("vector %zu: expanded decaps ss", i);
		/* The randomness prepared ahead: the same ciphertext, then wiped. */
		memset(got_ct, 0, sizeof(got_ct));
		memset(got_ss, 0, sizeof(got_ss));
		ASSERT_EQ(0, skap_xwing_eph_from_seed(eseed, &eph));
		EXPECT_EQ(0, memcmp(ct + SKAP_XWING_CT_BYTES - 32, eph.ct_x, 32))
		TH_LOG("vector %zu: prepared ct_x", i);
		ASSERT_EQ(0, skap_xwing_encaps_prepared(pk, &eph, got_ct, got_ss));
		EXPECT_EQ(0, memcmp(ct, got_ct, sizeof(ct))) TH_LOG("vector %zu: prepared ct", i);
		EXPECT_EQ(0, memcmp(ss, got_ss, 32)) TH_LOG("vector %zu: prepared ss", i);
		EXPECT_TRUE(all_zero(&eph, sizeof(eph))) TH_LOG("vector %zu: eph not wiped", i);
	}
	TH_LOG("%zu vectors", json_array_size(all));
	json_decref(all);
}

TEST(round_trips_and_tampering)
{
	uint8_t sk[32], pk[SKAP_XWING_PK_BYTES], ct[SKAP_XWING_CT_BYTES], ss[32], ss2[32];

	for (int i = 0; i < 20; i++) {
		ASSERT_EQ(0, skap_xwing_keygen(sk, pk));
		ASSERT_EQ(0, skap_xwing_encaps(pk, ct, ss));
		ASSERT_EQ(0, skap_xwing_decaps(sk, ct, ss2));
		ASSERT_EQ(0, memcmp(ss, ss2, 32));
	}
	/* ML-KEM part tampered: implicit rejection, another secret. */
	ct[10] ^= 1;
	ASSERT_EQ(0, skap_xwing_decaps(sk, ct, ss2));
	EXPECT_NE(0, memcmp(ss, ss2, 32));
	ct[10] ^= 1;
	/* X25519 part tampered: another secret. */
	ct[SKAP_XWING_CT_BYTES - 1] ^= 0x40;
	if (skap_xwing_decaps(sk, ct, ss2) == 0)
		EXPECT_NE(0, memcmp(ss, ss2, 32));
	/* An all-zero X25519 share is a low-order point: refused. */
	memset(ct + SKAP_XWING_CT_BYTES - 32, 0, 32);
	EXPECT_NE(0, skap_xwing_decaps(sk, ct, ss2));
	/* An encapsulation key failing the modulus check is refused. */
	pk[0] = 0xff;
	pk[1] |= 0x0f;
	EXPECT_NE(0, skap_xwing_encaps(pk, ct, ss));
}

TEST_HARNESS_MAIN
