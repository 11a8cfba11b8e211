// SPDX-License-Identifier: GPL-2.0
/*
 * The peer exchange between two in-process gateways, with the platform's
 * part played by the very functions the platform uses (pair key, ticket):
 * both sides end with the same keys for each direction, and every forged,
 * replayed, misaddressed or stale message is refused without keys.
 */

#include <skap/exchange.h>
#include <skap/sym.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"

#define NOW 1795000000ULL

FIXTURE(pair)
{
	uint8_t dmk_b[32], k_ticket_b[32];
	struct skap_pair_key pk;
	uint8_t ticket[SKAP_TICKET_MAX_LEN];
	size_t ticket_len;
	struct skap_prefix local, remote;
	struct skap_initiator a;
	struct skap_initiator_params p;
};

FIXTURE_SETUP(pair)
{
	struct skap_ticket t;

	/* The platform: B's DMK, a pair key for A, and B's ticket. */
	ASSERT_EQ(0, skap_random(self->dmk_b, 32));
	ASSERT_EQ(0, skap_dmk_derive(self->dmk_b, SKAP_DMK_TICKET, "dev-b", self->k_ticket_b));
	ASSERT_EQ(0, skap_random(self->pk.key, 32));
	ASSERT_EQ(0, skap_random(self->pk.kid, 16));
	self->pk.expires = NOW + 300;
	memset(&t, 0, sizeof(t));
	memcpy(t.key, self->pk.key, 32);
	memcpy(t.kid, self->pk.kid, 16);
	t.expires = self->pk.expires;
	strcpy(t.initiator, "dev-a");
	ASSERT_EQ(0, skap_ticket_seal(self->k_ticket_b, "dev-b", &t, self->ticket, &self->ticket_len));

	self->local = (struct skap_prefix){ .family = AF_INET, .len = 25 };
	inet_pton(AF_INET, "192.0.2.0", self->local.addr);
	self->remote = (struct skap_prefix){ .family = AF_INET, .len = 25 };
	inet_pton(AF_INET, "192.0.2.128", self->remote.addr);
	self->p = (struct skap_initiator_params){
		.self = "dev-a", .peer = "dev-b", .link = "to-b", .spi_in = 0xa0000001,
		.local = &self->local, .n_local = 1, .remote = &self->remote, .n_remote = 1,
		.pair = &self->pk, .ticket = self->ticket, .ticket_len = self->ticket_len,
		.now = NOW,
	};
	ASSERT_EQ(0, skap_initiator_start(&self->a, &self->p, NULL));
}

FIXTURE_TEARDOWN(pair)
{
	skap_initiator_clear(&self->a);
}

TEST_F(pair, both_sides_agree)
{
	struct skap_verified_init v;
	struct skap_sa_pair ka, kb;
	uint8_t resp[SKAP_MSG_MAX];
	size_t resp_len;

	ASSERT_EQ(0, skap_responder_verify("dev-b", self->k_ticket_b, NOW + 2, self->a.msg,
					   self->a.msg_len, &v));
	EXPECT_STREQ("dev-a", v.msg.device_id);
	EXPECT_STREQ("to-b", v.msg.link);
	EXPECT_EQ(25, v.msg.remote[0].len);
	ASSERT_EQ(0, skap_responder_answer(&v, "dev-b", 0xb0000002, NULL, resp, &resp_len, &kb));
	ASSERT_EQ(0, skap_initiator_finish(&self->a, resp, resp_len, &ka));
	/* A's outbound is B's inbound, and the reverse. */
	EXPECT_EQ(0xb0000002, ka.spi_out);
	EXPECT_EQ(0xa0000001, ka.spi_in);
	EXPECT_EQ(ka.spi_out, kb.spi_in);
	EXPECT_EQ(ka.spi_in, kb.spi_out);
	EXPECT_EQ(0, memcmp(ka.key_out, kb.key_in, 32));
	EXPECT_EQ(0, memcmp(ka.key_in, kb.key_out, 32));
	EXPECT_NE(0, memcmp(ka.key_in, ka.key_out, 32)) TH_LOG("one key per direction");
	/* The platform's K alone is not the SA key. */
	EXPECT_NE(0, memcmp(ka.key_out, self->pk.key, 32));
	EXPECT_EQ(0, memcmp(ka.kid, kb.kid, 16));
	EXPECT_STREQ("dev-b", ka.peer);
	EXPECT_STREQ("dev-a", kb.peer);
	skap_verified_init_clear(&v);
}

TEST_F(pair, every_altered_byte_of_init_is_refused)
{
	struct skap_verified_init v;
	uint8_t copy[SKAP_MSG_MAX];

	for (size_t i = 0; i < self->a.msg_len; i += 7) {
		memcpy(copy, self->a.msg, self->a.msg_len);
		copy[i] ^= 0x20;
		ASSERT_NE(0, skap_responder_verify("dev-b", self->k_ticket_b, NOW, copy,
						   self->a.msg_len, &v));
	}
}

TEST_F(pair, ticket_for_someone_else_or_stale)
{
	struct skap_verified_init v;
	uint8_t k_ticket_c[32];

	/* C cannot open B's ticket, even with B's INIT in hand. */
	ASSERT_EQ(0, skap_dmk_derive(self->dmk_b, SKAP_DMK_TICKET, "dev-c", k_ticket_c));
	EXPECT_EQ(-EBADMSG, skap_responder_verify("dev-c", k_ticket_c, NOW, self->a.msg,
						  self->a.msg_len, &v));
	EXPECT_EQ(-EKEYEXPIRED, skap_responder_verify("dev-b", self->k_ticket_b, NOW + 300,
						      self->a.msg, self->a.msg_len, &v));
	EXPECT_EQ(-ETIME, skap_responder_verify("dev-b", self->k_ticket_b, NOW - 61, self->a.msg,
						self->a.msg_len, &v));
	EXPECT_EQ(0, v.ticket.key[0] | v.ticket.key[1]) TH_LOG("no key left behind");
}

TEST_F(pair, ticket_must_name_the_sender)
{
	struct skap_initiator m;
	struct skap_initiator_params p = self->p;
	struct skap_verified_init v;

	/* Mallory presents A's ticket (and knows K, say) under her own name. */
	p.self = "dev-m";
	ASSERT_EQ(0, skap_initiator_start(&m, &p, NULL));
	EXPECT_EQ(-EBADMSG, skap_responder_verify("dev-b", self->k_ticket_b, NOW, m.msg, m.msg_len, &v));
	skap_initiator_clear(&m);
}

TEST_F(pair, resp_is_bound_to_its_init)
{
	struct skap_verified_init v;
	struct skap_sa_pair ka, kb;
	struct skap_initiator second;
	uint8_t resp[SKAP_MSG_MAX];
	size_t resp_len;

	ASSERT_EQ(0, skap_responder_verify("dev-b", self->k_ticket_b, NOW, self->a.msg,
					   self->a.msg_len, &v));
	ASSERT_EQ(0, skap_responder_answer(&v, "dev-b", 0xb0000003, NULL, resp, &resp_len, &kb));
	/* Another exchange with the same K and KID does not accept that RESP. */
	ASSERT_EQ(0, skap_initiator_start(&second, &self->p, NULL));
	EXPECT_EQ(-EBADMSG, skap_initiator_finish(&second, resp, resp_len, &ka));
	skap_initiator_clear(&second);
	for (size_t i = 0; i < resp_len; i += 11) {
		resp[i] ^= 1;
		ASSERT_NE(0, skap_initiator_finish(&self->a, resp, resp_len, &ka));
		resp[i] ^= 1;
	}
	EXPECT_EQ(0, skap_initiator_finish(&self->a, resp, resp_len, &ka));
	skap_verified_init_clear(&v);
}

TEST_F(pair, cookie_round_trip)
{
	uint8_t secret[32], c1[32], c2[32], addr[4] = { 198, 51, 100, 1 };
	struct skap_initiator with_cookie;
	struct skap_verified_init v;

	ASSERT_EQ(0, skap_random(secret, 32));
	ASSERT_EQ(0, skap_cookie(secret, addr, 4, 7520, self->a.session, c1));
	ASSERT_EQ(0, skap_cookie(secret, addr, 4, 7521, self->a.session, c2));
	EXPECT_NE(0, memcmp(c1, c2, 32)) TH_LOG("bound to the source port");
	ASSERT_EQ(0, skap_initiator_start(&with_cookie, &self->p, c1));
	ASSERT_EQ(0, skap_responder_verify("dev-b", self->k_ticket_b, NOW, with_cookie.msg,
					   with_cookie.msg_len, &v));
	EXPECT_TRUE(v.msg.has_cookie);
	EXPECT_EQ(0, memcmp(c1, v.msg.cookie, 32));
	skap_initiator_clear(&with_cookie);
	skap_verified_init_clear(&v);
}

TEST_F(pair, key_pair_and_encapsulation_made_ahead_are_the_ones_sent_and_work)
{
	uint8_t pk[SKAP_XWING_PK_BYTES], ct_x[32];
	struct skap_xwing_dk dk;
	struct skap_xwing_eph eph, zero;
	struct skap_initiator ahead;
	struct skap_verified_init v;
	struct skap_sa_pair ka, kb;
	uint8_t resp[SKAP_MSG_MAX];
	size_t resp_len;

	ASSERT_EQ(0, skap_xwing_keygen_expanded(&dk, pk));
	self->p.xwing_dk = &dk;
	self->p.xwing_pk = pk;
	ASSERT_EQ(0, skap_initiator_start(&ahead, &self->p, NULL));
	ASSERT_EQ(0, skap_responder_verify("dev-b", self->k_ticket_b, NOW + 2, ahead.msg,
					   ahead.msg_len, &v));
	EXPECT_EQ(0, memcmp(v.msg.public_key, pk, sizeof(pk))) TH_LOG("the INIT carries it");
	EXPECT_EQ(0, memcmp(&ahead.xwing_dk, &dk, sizeof(dk)));
	ASSERT_EQ(0, skap_xwing_eph_new(&eph));
	memcpy(ct_x, eph.ct_x, sizeof(ct_x));
	ASSERT_EQ(0, skap_responder_answer(&v, "dev-b", 0xb0000002, &eph, resp, &resp_len, &kb));
	memset(&zero, 0, sizeof(zero));
	EXPECT_EQ(0, memcmp(&eph, &zero, sizeof(eph))) TH_LOG("used once, then wiped");
	EXPECT_NE(NULL, memmem(resp, resp_len, ct_x, sizeof(ct_x)))
	TH_LOG("the RESP carries the ephemeral share made ahead");
	ASSERT_EQ(0, skap_initiator_finish(&ahead, resp, resp_len, &ka));
	EXPECT_EQ(0, memcmp(ka.key_out, kb.key_in, 32));
	EXPECT_EQ(0, memcmp(ka.key_in, kb.key_out, 32));
	/* Without one, each exchange makes its own. */
	EXPECT_NE(0, memcmp(&self->a.xwing_dk, &dk, sizeof(dk)));
	skap_verified_init_clear(&v);
	skap_initiator_clear(&ahead);
}

TEST_HARNESS_MAIN
