// SPDX-License-Identifier: GPL-2.0
/*
 * SKAP peer messages on the wire: a message reads back exactly as written,
 * and any message that is not exactly well-formed is refused.
 */

#include <skap/proto.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

static uint8_t ticket[200], public_key[SKAP_XWING_PK_LEN], ciphertext[SKAP_XWING_CT_LEN];

static void fill(void *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = (uint8_t)(seed + i * 7);
}

static void prefix(struct skap_prefix *p, int family, const char *addr, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->family = family;
	p->len = len;
	inet_pton(family, addr, p->addr);
}

static void sample_init(struct skap_msg_init *m)
{
	memset(m, 0, sizeof(*m));
	fill(ticket, sizeof(ticket), 1);
	fill(public_key, sizeof(public_key), 2);
	m->session = 0x11223344;
	m->timestamp = 1795000000;
	fill(m->nonce, sizeof(m->nonce), 3);
	strcpy(m->device_id, "dev-a");
	strcpy(m->link, "branch-b");
	m->spi = 0xc0ffee01;
	prefix(&m->local[0], AF_INET, "192.0.2.0", 25);
	prefix(&m->local[1], AF_INET, "198.18.0.0", 15);
	m->n_local = 2;
	prefix(&m->remote[0], AF_INET, "192.0.2.128", 25);
	m->n_remote = 1;
	m->ticket = ticket;
	m->ticket_len = sizeof(ticket);
	fill(m->kid, sizeof(m->kid), 4);
	m->public_key = public_key;
	fill(m->mac, sizeof(m->mac), 5);
}

static size_t encode_init(const struct skap_msg_init *m, uint8_t *buf)
{
	struct skap_writer w;

	skap_writer_init(&w, buf, SKAP_MSG_MAX);
	if (skap_msg_init_encode(m, &w))
		return 0;
	return w.len;
}

TEST(init_round_trip)
{
	struct skap_msg_init in, out;
	uint8_t buf[SKAP_MSG_MAX], again[SKAP_MSG_MAX];
	size_t len;

	sample_init(&in);
	len = encode_init(&in, buf);
	ASSERT_NE(0, len);
	EXPECT_EQ(SKAP_MSG_INIT, skap_msg_type(buf, len));
	ASSERT_EQ(0, skap_msg_init_decode(buf, len, &out));
	EXPECT_EQ(in.session, out.session);
	EXPECT_EQ(in.timestamp, out.timestamp);
	EXPECT_EQ(0, memcmp(in.nonce, out.nonce, SKAP_NONCE_LEN));
	EXPECT_STREQ("dev-a", out.device_id);
	EXPECT_STREQ("branch-b", out.link);
	EXPECT_EQ(in.spi, out.spi);
	ASSERT_EQ(2, out.n_local);
	EXPECT_EQ(AF_INET, out.local[1].family);
	EXPECT_EQ(15, out.local[1].len);
	EXPECT_EQ(0, memcmp(in.local[1].addr, out.local[1].addr, 16));
	ASSERT_EQ(1, out.n_remote);
	ASSERT_EQ(sizeof(ticket), out.ticket_len);
	EXPECT_EQ(0, memcmp(ticket, out.ticket, sizeof(ticket)));
	EXPECT_TRUE(out.ticket >= buf && out.ticket < buf + len) TH_LOG("referenced in place");
	EXPECT_EQ(0, memcmp(in.kid, out.kid, SKAP_KID_LEN));
	EXPECT_EQ(0, memcmp(public_key, out.public_key, SKAP_XWING_PK_LEN));
	EXPECT_FALSE(out.has_cookie);
	EXPECT_EQ(0, memcmp(in.mac, out.mac, SKAP_MAC_LEN));
	/* What decodes re-encodes to the same bytes: one wire form per message. */
	EXPECT_EQ(len, encode_init(&out, again));
	EXPECT_EQ(0, memcmp(buf, again, len));
	EXPECT_EQ(len - SKAP_MAC_LEN, skap_msg_mac_input(len));
}

TEST(init_with_cookie_and_ipv6)
{
	struct skap_msg_init in, out;
	uint8_t buf[SKAP_MSG_MAX], mac[SKAP_MAC_LEN];
	size_t len;

	sample_init(&in);
	prefix(&in.local[0], AF_INET6, "2001:db8:a::", 64);
	in.n_local = 1;
	prefix(&in.remote[0], AF_INET6, "2001:db8:b::", 48);
	in.has_cookie = true;
	fill(in.cookie, sizeof(in.cookie), 9);
	len = encode_init(&in, buf);
	ASSERT_NE(0, len);
	fill(mac, sizeof(mac), 42);
	skap_msg_set_mac(buf, len, mac);
	ASSERT_EQ(0, skap_msg_init_decode(buf, len, &out));
	EXPECT_TRUE(out.has_cookie);
	EXPECT_EQ(0, memcmp(in.cookie, out.cookie, SKAP_COOKIE_LEN));
	EXPECT_EQ(AF_INET6, out.remote[0].family);
	EXPECT_EQ(0, memcmp(mac, out.mac, SKAP_MAC_LEN));
}

TEST(every_truncation_and_any_extra_byte_is_refused)
{
	struct skap_msg_init in, out;
	uint8_t buf[SKAP_MSG_MAX];
	size_t len;

	sample_init(&in);
	len = encode_init(&in, buf);
	for (size_t n = 0; n < len; n++) {
		ASSERT_EQ(-EBADMSG, skap_msg_init_decode(buf, n, &out));
	}
	buf[len] = 0;
	EXPECT_EQ(-EBADMSG, skap_msg_init_decode(buf, len + 1, &out));
	EXPECT_STREQ("", out.device_id) TH_LOG("a refused message leaves nothing behind");
}

TEST(header_checks)
{
	struct skap_msg_init in, out;
	uint8_t buf[SKAP_MSG_MAX];
	size_t len;

	sample_init(&in);
	len = encode_init(&in, buf);
	buf[1] = 2; /* version */
	EXPECT_EQ(-EBADMSG, skap_msg_init_decode(buf, len, &out));
	EXPECT_EQ(-EBADMSG, skap_msg_type(buf, len));
	buf[1] = 1;
	buf[3] = 1; /* reserved */
	EXPECT_EQ(-EBADMSG, skap_msg_init_decode(buf, len, &out));
	buf[3] = 0;
	buf[0] = SKAP_MSG_RESP;
	EXPECT_EQ(-EBADMSG, skap_msg_init_decode(buf, len, &out));
	buf[0] = 9;
	EXPECT_EQ(-EBADMSG, skap_msg_type(buf, len));
	EXPECT_EQ(-EBADMSG, skap_msg_type(buf, 7));
}

/* Offsets in the sample INIT: header 8, ts 8, nonce 32, "dev-a" 6, "branch-b" 9, spi 4. */
#define SEL_OFFSET (8 + 8 + 32 + 6 + 9 + 4)

TEST(bad_selectors_are_refused)
{
	struct skap_msg_init in, out;
	uint8_t buf[SKAP_MSG_MAX], copy[SKAP_MSG_MAX];
	size_t len;

	sample_init(&in);
	len = encode_init(&in, buf);
	ASSERT_EQ(2, buf[SEL_OFFSET]);
	memcpy(copy, buf, len);

	copy[SEL_OFFSET] = 0; /* no selector */
	EXPECT_EQ(-EBADMSG, skap_msg_init_decode(copy, len, &out));
	copy[SEL_OFFSET] = 17;
	EXPECT_EQ(-EBADMSG, skap_msg_init_decode(copy, len, &out));
	memcpy(copy, buf, len);
	copy[SEL_OFFSET + 1] = 5; /* family */
	EXPECT_EQ(-EBADMSG, skap_msg_init_decode(copy, len, &out));
	memcpy(copy, buf, len);
	copy[SEL_OFFSET + 2] = 33; /* IPv4 length */
	EXPECT_EQ(-EBADMSG, skap_msg_init_decode(copy, len, &out));
	memcpy(copy, buf, len);
	copy[SEL_OFFSET + 3 + 3] = 1; /* host bit in 192.0.2.0/25 */
	EXPECT_EQ(-EBADMSG, skap_msg_init_decode(copy, len, &out));
	memcpy(copy, buf, len);
	copy[SEL_OFFSET + 3 + 10] = 1; /* beyond the 4 bytes of IPv4 */
	EXPECT_EQ(-EBADMSG, skap_msg_init_decode(copy, len, &out));
	memcpy(copy, buf, len);
	copy[SEL_OFFSET + 1 + 18] = 6; /* second selector IPv6: mixed families */
	copy[SEL_OFFSET + 2 + 18] = 15;
	EXPECT_EQ(-EBADMSG, skap_msg_init_decode(copy, len, &out));
}

TEST(encoder_refuses_what_the_decoder_would)
{
	struct skap_msg_init in;
	uint8_t buf[SKAP_MSG_MAX];

	sample_init(&in);
	strcpy(in.device_id, "dev a");
	EXPECT_EQ(0, encode_init(&in, buf));
	sample_init(&in);
	in.ticket_len = SKAP_TICKET_MAX + 1;
	EXPECT_EQ(0, encode_init(&in, buf));
	sample_init(&in);
	in.n_remote = 0;
	EXPECT_EQ(0, encode_init(&in, buf));
	sample_init(&in);
	in.local[0].len = 24; /* 192.0.2.0/24 fine */
	EXPECT_NE(0, encode_init(&in, buf));
	in.local[0].len = 22; /* 192.0.2.0/22 has a host bit */
	EXPECT_EQ(0, encode_init(&in, buf));
	sample_init(&in);
	in.public_key = NULL;
	EXPECT_EQ(0, encode_init(&in, buf));
}

TEST(ticket_and_cookie_lengths)
{
	struct skap_msg_init in, out;
	uint8_t buf[SKAP_MSG_MAX];
	size_t len, ticket_at = SEL_OFFSET + 1 + 2 * 18 + 1 + 18;

	sample_init(&in);
	len = encode_init(&in, buf);
	ASSERT_EQ(sizeof(ticket) >> 8, buf[ticket_at]);
	ASSERT_EQ(sizeof(ticket) & 0xff, buf[ticket_at + 1]);
	buf[ticket_at] = 0xff; /* claims more than the message holds */
	EXPECT_EQ(-EBADMSG, skap_msg_init_decode(buf, len, &out));
	buf[ticket_at] = 0;
	buf[len - SKAP_MAC_LEN - 1] = 5; /* cookie length neither 0 nor 32 */
	EXPECT_EQ(-EBADMSG, skap_msg_init_decode(buf, len, &out));
}

TEST(resp_cookie_error_round_trips)
{
	struct skap_msg_resp r = { 0 }, r2;
	struct skap_msg_cookie c = { 0 }, c2;
	struct skap_msg_error e = { 0 }, e2;
	struct skap_writer w;
	uint8_t buf[SKAP_MSG_MAX];

	fill(ciphertext, sizeof(ciphertext), 6);
	r.session = 7;
	r.initiator_session = 0x11223344;
	fill(r.nonce, sizeof(r.nonce), 8);
	r.spi = 0xc0ffee02;
	r.ciphertext = ciphertext;
	fill(r.mac, sizeof(r.mac), 10);
	skap_writer_init(&w, buf, sizeof(buf));
	ASSERT_EQ(0, skap_msg_resp_encode(&r, &w));
	EXPECT_EQ(8 + 4 + 32 + 4 + SKAP_XWING_CT_LEN + 32, w.len);
	EXPECT_EQ(SKAP_MSG_RESP, skap_msg_type(buf, w.len));
	ASSERT_EQ(0, skap_msg_resp_decode(buf, w.len, &r2));
	EXPECT_EQ(r.initiator_session, r2.initiator_session);
	EXPECT_EQ(r.spi, r2.spi);
	EXPECT_EQ(0, memcmp(ciphertext, r2.ciphertext, SKAP_XWING_CT_LEN));
	for (size_t n = 0; n < w.len; n++) {
		ASSERT_EQ(-EBADMSG, skap_msg_resp_decode(buf, n, &r2));
	}

	c.initiator_session = 99;
	fill(c.cookie, sizeof(c.cookie), 11);
	skap_writer_init(&w, buf, sizeof(buf));
	ASSERT_EQ(0, skap_msg_cookie_encode(&c, &w));
	ASSERT_EQ(0, skap_msg_cookie_decode(buf, w.len, &c2));
	EXPECT_EQ(99, c2.initiator_session);
	EXPECT_EQ(0, memcmp(c.cookie, c2.cookie, SKAP_COOKIE_LEN));
	buf[7] = 1; /* a cookie has no sender session */
	EXPECT_EQ(-EBADMSG, skap_msg_cookie_decode(buf, w.len, &c2));

	e.initiator_session = 5;
	e.code = SKAP_ERR_SELECTORS;
	skap_writer_init(&w, buf, sizeof(buf));
	ASSERT_EQ(0, skap_msg_error_encode(&e, &w));
	ASSERT_EQ(0, skap_msg_error_decode(buf, w.len, &e2));
	EXPECT_EQ(SKAP_ERR_SELECTORS, e2.code);
	buf[w.len - 1] = 77; /* unknown code */
	EXPECT_EQ(-EBADMSG, skap_msg_error_decode(buf, w.len, &e2));
}

TEST(mutations_never_escape_and_accepted_ones_are_canonical)
{
	struct skap_msg_init in, out;
	uint8_t buf[SKAP_MSG_MAX], mutated[SKAP_MSG_MAX], again[SKAP_MSG_MAX];
	size_t len;
	int accepted = 0;

	sample_init(&in);
	len = encode_init(&in, buf);
	srand(42);
	for (int i = 0; i < 20000; i++) {
		size_t n = len;

		memcpy(mutated, buf, len);
		for (int k = 0; k < 1 + rand() % 4; k++)
			mutated[(size_t)rand() % (SEL_OFFSET + 80)] = (uint8_t)rand();
		if (rand() % 4 == 0)
			n = (size_t)rand() % (len + 2);
		if (skap_msg_init_decode(mutated, n, &out) == 0) {
			accepted++;
			ASSERT_EQ(n, encode_init(&out, again));
			ASSERT_EQ(0, memcmp(mutated, again, n));
		}
	}
	TH_LOG("%d of 20000 mutations were still well-formed", accepted);
}

TEST_HARNESS_MAIN
