// SPDX-License-Identifier: GPL-2.0
/*
 * The pool of X-Wing encapsulation randomness (<skap/eph_pool.h>): it fills
 * itself, every entry it hands out is consistent (the ephemeral share is
 * X25519 of its secret), none is handed out twice, an empty pool says so
 * at once instead of waiting, and an encapsulation with an entry opens
 * with the recipient's key.
 */

#include <skap/eph_pool.h>
#include <skap/xwing.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kselftest_harness.h"

#define CAP 32

/* Waits up to 10 s for P to hold N entries. */
static int wait_ready(struct skap_eph_pool *p, size_t n)
{
	const struct timespec pause = { 0, 1000000 };

	for (int i = 0; i < 10000; i++) {
		if (skap_eph_pool_ready(p) >= n)
			return 0;
		nanosleep(&pause, NULL);
	}
	return -1;
}

static int cmp_eph(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct skap_xwing_eph));
}

TEST(sizes_out_of_range_are_refused)
{
	struct skap_eph_pool *p = (struct skap_eph_pool *)1;

	EXPECT_EQ(-EINVAL, skap_eph_pool_new(1, &p));
	EXPECT_EQ(NULL, p);
	EXPECT_EQ(-EINVAL, skap_eph_pool_new(4097, &p));
	skap_eph_pool_free(NULL);
}

TEST(fills_itself_and_never_gives_an_entry_twice)
{
	struct skap_xwing_eph got[3 * CAP], again;
	struct skap_eph_pool *p;
	size_t n = 0;

	ASSERT_EQ(0, skap_eph_pool_new(CAP, &p));
	ASSERT_EQ(0, wait_ready(p, CAP));
	EXPECT_EQ(CAP, skap_eph_pool_ready(p));
	/* Three fills' worth, waiting for the helper between the takes. */
	while (n < 3 * CAP) {
		if (skap_eph_pool_take(p, &got[n])) {
			n++;
			continue;
		}
		ASSERT_EQ(0, wait_ready(p, 1));
	}
	skap_eph_pool_free(p);
	for (size_t i = 0; i < n; i++) {
		/* The share is X25519 of the entry's own secret. */
		ASSERT_EQ(0, skap_xwing_eph_from_seed(got[i].eseed, &again));
		ASSERT_EQ(0, memcmp(again.ct_x, got[i].ct_x, sizeof(again.ct_x)))
			TH_LOG("entry %zu", i);
	}
	qsort(got, n, sizeof(got[0]), cmp_eph);
	for (size_t i = 1; i < n; i++)
		ASSERT_NE(0, memcmp(&got[i - 1], &got[i], sizeof(got[0])));
}

/* Takes are far quicker than key pairs: the pool runs dry, and says so. */
TEST(an_empty_pool_answers_at_once)
{
	struct skap_eph_pool *p;
	struct skap_xwing_eph e;
	int empty = 0;

	ASSERT_EQ(0, skap_eph_pool_new(CAP, &p));
	ASSERT_EQ(0, wait_ready(p, CAP));
	for (int i = 0; i < 100000 && !empty; i++)
		empty = !skap_eph_pool_take(p, &e);
	EXPECT_EQ(1, empty);
	/* And fills again. */
	EXPECT_EQ(0, wait_ready(p, CAP));
	skap_eph_pool_free(p);
}

TEST(an_encapsulation_with_an_entry_opens)
{
	uint8_t sk[SKAP_XWING_SK_LEN], pk[SKAP_XWING_PK_BYTES], ct[SKAP_XWING_CT_BYTES];
	uint8_t ss[SKAP_XWING_SS_LEN], ss2[SKAP_XWING_SS_LEN];
	struct skap_eph_pool *p;
	struct skap_xwing_eph e;

	ASSERT_EQ(0, skap_xwing_keygen(sk, pk));
	ASSERT_EQ(0, skap_eph_pool_new(CAP, &p));
	ASSERT_EQ(0, wait_ready(p, 1));
	ASSERT_EQ(1, skap_eph_pool_take(p, &e));
	ASSERT_EQ(0, skap_xwing_encaps_prepared(pk, &e, ct, ss));
	ASSERT_EQ(0, skap_xwing_decaps(sk, ct, ss2));
	EXPECT_EQ(0, memcmp(ss, ss2, sizeof(ss)));
	/* The pool's entry was wiped by the encapsulation. */
	for (size_t i = 0; i < sizeof(e); i++)
		ASSERT_EQ(0, ((const uint8_t *)&e)[i]);
	skap_eph_pool_free(p);
}

TEST_HARNESS_MAIN
