// SPDX-License-Identifier: GPL-2.0
/*
 * SKAP's symmetric layer. The known answers were computed with an
 * independent HKDF/HMAC written from RFC 5869 in Python's hmac module, from
 * the byte layouts of docs/protocol.md, so they pin the layouts as well as
 * the arithmetic. Sealed objects open only for their addressee, unaltered,
 * and before their expiry.
 */

#include <skap/ticket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

static void unhex(const char *hex, uint8_t *out)
{
	for (size_t i = 0; i < strlen(hex) / 2; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static void check(struct __test_metadata *_metadata, const uint8_t *got, const char *want_hex)
{
	uint8_t want[32];

	unhex(want_hex, want);
	EXPECT_EQ(0, memcmp(got, want, 32));
}

TEST(dmk_derivations_known_answers)
{
	uint8_t dmk[32], out[32];

	for (int i = 0; i < 32; i++)
		dmk[i] = (uint8_t)i;
	ASSERT_EQ(0, skap_dmk_derive(dmk, SKAP_DMK_REQUEST, "dev-a", out));
	check(_metadata, out, "9e3b3a91aee688626e3b18dee9a8d9e233b426abd2b0b397e79a93cd411d0122");
	ASSERT_EQ(0, skap_dmk_derive(dmk, SKAP_DMK_RESPONSE, "dev-a", out));
	check(_metadata, out, "ada8d1e1e3ef780c30fa60e11af1b8b23f1619ef79c63a22eaba934268bda94b");
	ASSERT_EQ(0, skap_dmk_derive(dmk, SKAP_DMK_TICKET, "dev-a", out));
	check(_metadata, out, "5b39037ada74fbf720db6583dfa556b2426882271d22ebb3cae987b9fc4167ad");
	EXPECT_EQ(-EINVAL, skap_dmk_derive(dmk, SKAP_DMK_TICKET, "", out));
	EXPECT_EQ(-EINVAL, skap_dmk_derive(dmk, (enum skap_dmk_use)7, "dev-a", out));
}

TEST(keyreq_mac_known_answer)
{
	uint8_t dmk[32], kreq[32], nonce[16], mac[32];

	for (int i = 0; i < 32; i++)
		dmk[i] = (uint8_t)i;
	for (int i = 0; i < 16; i++)
		nonce[i] = (uint8_t)i;
	ASSERT_EQ(0, skap_dmk_derive(dmk, SKAP_DMK_REQUEST, "dev-a", kreq));
	ASSERT_EQ(0, skap_keyreq_mac(kreq, "dev-a", "dev-b", 1795000000, nonce, mac));
	check(_metadata, mac, "233743259de143902b0076536bbfecdcd12574905f31ba335fef585e2c74df85");
}

TEST(peer_mac_and_sa_keys_known_answers)
{
	uint8_t k[32], kid[16], ss[32], na[32], nb[32], mac[32], ab[32], ba[32], ab2[32], ba2[32];

	memset(k, 0x11, sizeof(k));
	memset(kid, 0x22, sizeof(kid));
	memset(ss, 0x33, sizeof(ss));
	memset(na, 0x44, sizeof(na));
	memset(nb, 0x55, sizeof(nb));
	ASSERT_EQ(0, skap_peer_mac_key(k, kid, mac));
	check(_metadata, mac, "a9f2247de9a71b46f0e04168fe821ba38c8675c6cfdc189e50f08f84e4a9cb95");
	ASSERT_EQ(0, skap_sa_keys(k, ss, na, nb, 0x1000, 0x2000, "dev-a", "dev-b", ab, ba));
	check(_metadata, ab, "b1cd47d07e0f7df632b5dd278bdeb08872b488a9848b7fc9bb3d4dd1e8a254a2");
	check(_metadata, ba, "272e1ec8ae85eb3eaaf17d3e1c6c232440709db08447a744be4136d33598c8ad");
	/* Equal SPIs still give two different keys: the direction is in the info. */
	ASSERT_EQ(0, skap_sa_keys(k, ss, na, nb, 0x1000, 0x1000, "dev-a", "dev-b", ab2, ba2));
	EXPECT_NE(0, memcmp(ab2, ba2, 32));
	/* Another KEM secret, other keys. */
	ss[0] ^= 1;
	ASSERT_EQ(0, skap_sa_keys(k, ss, na, nb, 0x1000, 0x2000, "dev-a", "dev-b", ab2, ba2));
	EXPECT_NE(0, memcmp(ab, ab2, 32));
}

TEST(pair_key_opens_only_for_its_pair)
{
	uint8_t key[32], sealed[SKAP_SEALED_KEY_LEN];
	struct skap_pair_key pk = { .expires = 1795000300 }, back;

	memset(key, 7, sizeof(key));
	memset(pk.key, 0xaa, sizeof(pk.key));
	memset(pk.kid, 0xbb, sizeof(pk.kid));
	ASSERT_EQ(0, skap_pair_key_seal(key, "dev-a", "dev-b", &pk, sealed));
	ASSERT_EQ(0, skap_pair_key_open(key, "dev-a", "dev-b", sealed, sizeof(sealed), &back));
	EXPECT_EQ(0, memcmp(&pk, &back, sizeof(pk)));
	EXPECT_EQ(-EBADMSG, skap_pair_key_open(key, "dev-a", "dev-c", sealed, sizeof(sealed), &back));
	EXPECT_EQ(0, back.key[0]) TH_LOG("nothing is left behind");
	EXPECT_EQ(-EBADMSG, skap_pair_key_open(key, "dev-b", "dev-a", sealed, sizeof(sealed), &back));
	EXPECT_EQ(-EBADMSG, skap_pair_key_open(key, "dev-a", "dev-b", sealed, sizeof(sealed) - 1, &back));
	sealed[20] ^= 4;
	EXPECT_EQ(-EBADMSG, skap_pair_key_open(key, "dev-a", "dev-b", sealed, sizeof(sealed), &back));
}

TEST(ticket_opens_only_for_its_addressee_before_expiry)
{
	uint8_t kb[32], kc[32], sealed[SKAP_TICKET_MAX_LEN], again[SKAP_TICKET_MAX_LEN];
	struct skap_ticket t = { .expires = 1795000300 }, back;
	size_t len, len2;

	memset(kb, 1, sizeof(kb));
	memset(kc, 2, sizeof(kc));
	memset(t.key, 0xcc, sizeof(t.key));
	memset(t.kid, 0xdd, sizeof(t.kid));
	strcpy(t.initiator, "dev-a");
	ASSERT_EQ(0, skap_ticket_seal(kb, "dev-b", &t, sealed, &len));
	EXPECT_EQ(12 + 32 + 16 + 8 + 6 + 16, len);
	ASSERT_EQ(0, skap_ticket_seal(kb, "dev-b", &t, again, &len2));
	EXPECT_NE(0, memcmp(sealed, again, len)) TH_LOG("a fresh nonce every time");

	ASSERT_EQ(0, skap_ticket_open(kb, "dev-b", sealed, len, 1795000000, &back));
	EXPECT_STREQ("dev-a", back.initiator);
	EXPECT_EQ(0, memcmp(t.key, back.key, 32));
	EXPECT_EQ(0, memcmp(t.kid, back.kid, 16));
	EXPECT_EQ(t.expires, back.expires);

	EXPECT_EQ(-EKEYEXPIRED, skap_ticket_open(kb, "dev-b", sealed, len, 1795000300, &back));
	EXPECT_STREQ("", back.initiator);
	/* Sealed for B: neither C's key nor B's key under C's name opens it. */
	EXPECT_EQ(-EBADMSG, skap_ticket_open(kc, "dev-b", sealed, len, 0, &back));
	EXPECT_EQ(-EBADMSG, skap_ticket_open(kb, "dev-c", sealed, len, 0, &back));
	for (size_t i = 0; i < len; i++) {
		sealed[i] ^= 0x80;
		ASSERT_EQ(-EBADMSG, skap_ticket_open(kb, "dev-b", sealed, len, 0, &back));
		sealed[i] ^= 0x80;
	}
	EXPECT_EQ(-EBADMSG, skap_ticket_open(kb, "dev-b", sealed, SKAP_TICKET_MIN_LEN - 1, 0, &back));
	EXPECT_EQ(-EBADMSG, skap_ticket_open(kb, "dev-b", sealed, len - 1, 0, &back));

	strcpy(t.initiator, "bad id");
	EXPECT_EQ(-EINVAL, skap_ticket_seal(kb, "dev-b", &t, sealed, &len));
}

TEST_HARNESS_MAIN
