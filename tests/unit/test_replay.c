// SPDX-License-Identifier: GPL-2.0
/*
 * The replay cache (<skap/replay.h>): what was seen is refused while it
 * lives, forgotten after; the table grows instead of refusing, up to its
 * limit, keeping every live entry; a free slot ahead of a live entry does
 * not hide it.
 */

#include <skap/replay.h>

#include <errno.h>
#include <stdint.h>

#include "kselftest_harness.h"

/* Distinct, well spread, never 0. */
static uint64_t h(uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull;

	x ^= x >> 31;
	return x | 1;
}

TEST(seen_refused_while_live)
{
	struct skap_replay *r = skap_replay_new(16, 16);

	ASSERT_NE(NULL, r);
	EXPECT_EQ(0, skap_replay_add(r, 42, 100, 0));
	EXPECT_EQ(-EALREADY, skap_replay_add(r, 42, 100, 99));
	EXPECT_EQ(0, skap_replay_add(r, 42, 300, 100));
	EXPECT_EQ(-EALREADY, skap_replay_add(r, 42, 400, 299));
	EXPECT_EQ(-EINVAL, skap_replay_add(r, 0, 100, 0));
	skap_replay_free(r);
}

/* Three hashes in one chain; the first expires: the third is still seen. */
TEST(expired_slot_ahead_does_not_hide)
{
	struct skap_replay *r = skap_replay_new(16, 16);

	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, skap_replay_add(r, 16, 100, 0));
	ASSERT_EQ(0, skap_replay_add(r, 32, 200, 0));
	ASSERT_EQ(0, skap_replay_add(r, 48, 200, 0));
	EXPECT_EQ(-EALREADY, skap_replay_add(r, 48, 200, 150));
	EXPECT_EQ(-EALREADY, skap_replay_add(r, 32, 200, 150));
	EXPECT_EQ(0, skap_replay_add(r, 16, 300, 150));
	skap_replay_free(r);
}

TEST(grows_and_keeps_everything)
{
	struct skap_replay *r = skap_replay_new(1 << 10, 1 << 20);
	int ok = 0, again = 0;

	ASSERT_NE(NULL, r);
	for (uint64_t i = 0; i < 300000; i++)
		ok += skap_replay_add(r, h(i), 1000, 0) == 0;
	EXPECT_EQ(300000, ok);
	EXPECT_GE(skap_replay_slots(r), (size_t)1 << 19);
	for (uint64_t i = 0; i < 300000; i++)
		again += skap_replay_add(r, h(i), 1000, 500) == -EALREADY;
	EXPECT_EQ(300000, again);
	skap_replay_free(r);
}

/* Full at its limit: refused, never forgotten; room again once entries expire. */
TEST(fails_closed_at_the_limit)
{
	struct skap_replay *r = skap_replay_new(64, 256);
	uint64_t i, added = 0;
	int err = 0;

	ASSERT_NE(NULL, r);
	for (i = 0; i < 10000 && !err; i++) {
		err = skap_replay_add(r, h(i), 100, 0);
		added += !err;
	}
	EXPECT_EQ(-EBUSY, err);
	EXPECT_EQ((size_t)256, skap_replay_slots(r));
	for (uint64_t j = 0; j < added; j++)
		EXPECT_EQ(-EALREADY, skap_replay_add(r, h(j), 100, 50));
	EXPECT_EQ(0, skap_replay_add(r, h(i), 200, 100));
	skap_replay_free(r);
}

TEST(bad_sizes)
{
	EXPECT_EQ(NULL, skap_replay_new(0, 16));
	EXPECT_EQ(NULL, skap_replay_new(24, 64));
	EXPECT_EQ(NULL, skap_replay_new(64, 16));
}

TEST_HARNESS_MAIN
