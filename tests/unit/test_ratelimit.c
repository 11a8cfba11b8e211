// SPDX-License-Identifier: GPL-2.0
/*
 * Token buckets: bursts, refill at the configured rate, independence of
 * keys, bounded memory under a flood of keys, and SipHash-2-4 itself.
 */

#include <skap/ratelimit.h>

#include <string.h>

#include "kselftest_harness.h"

#define MS 1000000ULL
#define S  1000000000ULL

TEST(siphash_reference_vectors)
{
	/* From the SipHash paper: key 00..0f, message 00..(n-1). */
	uint8_t key[16], msg[16];

	for (int i = 0; i < 16; i++)
		key[i] = msg[i] = (uint8_t)i;
	EXPECT_EQ(0x726fdb47dd0e0e31ULL, skap_siphash(key, msg, 0));
	EXPECT_EQ(0x93f5f5799a932462ULL, skap_siphash(key, msg, 8));
	EXPECT_EQ(0xa129ca6149be45e5ULL, skap_siphash(key, msg, 15));
}

TEST(burst_then_rate)
{
	struct skap_ratelimit *rl = skap_ratelimit_new(10, 5, 16);
	uint64_t t = 1000 * S;
	int allowed = 0;

	ASSERT_NE(NULL, rl);
	for (int i = 0; i < 8; i++)
		allowed += skap_ratelimit_allow(rl, "10.0.0.1", 8, t);
	EXPECT_EQ(5, allowed) TH_LOG("a burst of 5, then nothing");
	EXPECT_FALSE(skap_ratelimit_allow(rl, "10.0.0.1", 8, t + 99 * MS));
	EXPECT_TRUE(skap_ratelimit_allow(rl, "10.0.0.1", 8, t + 100 * MS)) TH_LOG("one per 100 ms");
	EXPECT_FALSE(skap_ratelimit_allow(rl, "10.0.0.1", 8, t + 150 * MS));
	/* Over 10 seconds at a steady 50/s, about 10/s get through. */
	allowed = 0;
	for (int i = 0; i < 500; i++)
		allowed += skap_ratelimit_allow(rl, "10.0.0.1", 8, t + S + (uint64_t)i * 20 * MS);
	EXPECT_GE(allowed, 100);
	EXPECT_LE(allowed, 106);
	skap_ratelimit_free(rl);
}

TEST(keys_are_independent_and_clock_skew_gives_nothing)
{
	struct skap_ratelimit *rl = skap_ratelimit_new(1, 1, 16);
	uint64_t t = 50 * S;

	ASSERT_NE(NULL, rl);
	EXPECT_TRUE(skap_ratelimit_allow(rl, "alice", 5, t));
	EXPECT_FALSE(skap_ratelimit_allow(rl, "alice", 5, t));
	EXPECT_TRUE(skap_ratelimit_allow(rl, "bob", 3, t));
	EXPECT_TRUE(skap_ratelimit_allow(rl, "alic", 4, t)) TH_LOG("a prefix is another key");
	EXPECT_FALSE(skap_ratelimit_allow(rl, "alice", 5, t - 10 * S)) TH_LOG("going back in time");
	EXPECT_FALSE(skap_ratelimit_allow(rl, "alice", 5, t + S / 2));
	EXPECT_TRUE(skap_ratelimit_allow(rl, "alice", 5, t + S));
	EXPECT_EQ(3, skap_ratelimit_count(rl));
	skap_ratelimit_free(rl);
}

TEST(flood_of_keys_is_bounded)
{
	struct skap_ratelimit *rl = skap_ratelimit_new(2, 2, 64);
	uint64_t t = 10 * S;
	char key[16];
	int allowed = 0;

	ASSERT_NE(NULL, rl);
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(key, sizeof(key), "src-%d", i);

		allowed += skap_ratelimit_allow(rl, key, (size_t)n, t);
	}
	EXPECT_EQ(64, allowed) TH_LOG("the table holds 64 keys; the rest are refused");
	EXPECT_EQ(64, skap_ratelimit_count(rl));
	/* A tracked key still works within its burst. */
	EXPECT_TRUE(skap_ratelimit_allow(rl, "src-0", 5, t));
	/* Once the buckets have refilled (1 s) they are reclaimed for new keys. */
	EXPECT_TRUE(skap_ratelimit_allow(rl, "newcomer", 8, t + 2 * S));
	EXPECT_EQ(1, skap_ratelimit_count(rl));
	skap_ratelimit_free(rl);
}

TEST(bad_arguments)
{
	struct skap_ratelimit *rl;
	uint8_t big[SKAP_RATELIMIT_KEY_MAX + 1] = { 0 };

	EXPECT_EQ(NULL, skap_ratelimit_new(0, 1, 1));
	EXPECT_EQ(NULL, skap_ratelimit_new(1, 0, 1));
	EXPECT_EQ(NULL, skap_ratelimit_new(1, 1, 0));
	rl = skap_ratelimit_new(1, 1, 1);
	ASSERT_NE(NULL, rl);
	EXPECT_FALSE(skap_ratelimit_allow(rl, big, sizeof(big), S));
	EXPECT_TRUE(skap_ratelimit_allow(rl, big, SKAP_RATELIMIT_KEY_MAX, S));
	skap_ratelimit_free(rl);
}

TEST_HARNESS_MAIN
