// SPDX-License-Identifier: GPL-2.0
/*
 * The module's key descriptions read back (skap_key_parse_description): the
 * canonical form gives its key id, peer, direction and SPI; anything else is
 * refused, so that a key of another kind is never shown as a skap key.
 */

#include <skap/kmod.h>

#include <linux/skap.h>

#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"

#define KID "00112233445566778899aabbccddeeff"

TEST(canonical_description)
{
	static const uint8_t kid[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
					0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
	struct skap_key_info k;

	ASSERT_EQ(0, skap_key_parse_description("skap:" KID ":dev-b.1_x:out:c0ffee01", &k));
	EXPECT_EQ(0, memcmp(kid, k.kid, sizeof(kid)));
	EXPECT_STREQ("dev-b.1_x", k.peer);
	EXPECT_EQ(SKAP_KEY_DIR_OUT, k.dir);
	EXPECT_EQ(0xc0ffee01u, k.spi);
	ASSERT_EQ(0, skap_key_parse_description("skap:" KID ":b:in:00000100", &k));
	EXPECT_EQ(SKAP_KEY_DIR_IN, k.dir);
	EXPECT_EQ(0x100u, k.spi);
}

TEST(longest_peer)
{
	char desc[160], peer[SKAP_PEER_MAX + 2];
	struct skap_key_info k;

	memset(peer, 'p', SKAP_PEER_MAX);
	peer[SKAP_PEER_MAX] = 0;
	snprintf(desc, sizeof(desc), "skap:" KID ":%s:in:00000100", peer);
	ASSERT_EQ(0, skap_key_parse_description(desc, &k));
	EXPECT_STREQ(peer, k.peer);
	peer[SKAP_PEER_MAX] = 'p';
	peer[SKAP_PEER_MAX + 1] = 0;
	snprintf(desc, sizeof(desc), "skap:" KID ":%s:in:00000100", peer);
	EXPECT_EQ(-EINVAL, skap_key_parse_description(desc, &k));
}

TEST(anything_else_is_refused)
{
	static const char *const bad[] = {
		"",
		"skap:",
		"user:" KID ":b:in:00000100",
		"skap:" KID ":b:in:0000010",   /* short SPI */
		"skap:" KID ":b:in:000001000", /* long SPI */
		"skap:" KID ":b:in:0000010G",  /* not hex */
		"skap:" KID ":b:IN:00000100",  /* direction */
		"skap:" KID ":b:fwd:00000100",
		"skap:" KID "::in:00000100",			       /* empty peer */
		"skap:" KID ":b c:in:00000100",			       /* peer character */
		"skap:" KID ":b:in",				       /* missing SPI */
		"skap:00112233445566778899AABBCCDDEEFF:b:in:00000100", /* upper case */
		"skap:00112233445566778899aabbccddee:b:in:00000100",   /* short key id */
		"skap:" KID "0:b:in:00000100",			       /* long key id */
	};
	struct skap_key_info k;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = skap_key_parse_description(bad[i], &k);

		EXPECT_EQ(-EINVAL, ret)
		{
			TH_LOG("accepted: %s", bad[i]);
		}
	}
}

TEST_HARNESS_MAIN
