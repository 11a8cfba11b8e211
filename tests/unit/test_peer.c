// SPDX-License-Identifier: GPL-2.0
/*
 * SKAP over real UDP sockets on 127.0.0.1 between two in-process gateways
 * (the platform's pair keys and tickets made with the platform's own
 * functions): a clean exchange, a lost INIT retransmitted, a duplicate
 * answered from the cache without a second install, cookies under load,
 * refusals (selectors, unknown source, rate limit) and simultaneous starts.
 */

#include <skap/peer.h>
#include <skap/sym.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

struct side {
	const char *id;
	int fd;
	uint16_t port;
	uint8_t dmk[32], k_ticket[32];
	struct skap_daemon_config cfg;
	struct skap_peer *peer;
	int installs, failures;
	struct skap_sa_pair last;
	enum skap_peer_role last_role;
	uint32_t next_spi;
};

static int on_install(void *arg, const struct skap_link_config *link, enum skap_peer_role role,
		      const struct skap_sa_pair *keys)
{
	struct side *s = arg;

	(void)link;
	s->installs++;
	s->last = *keys;
	s->last_role = role;
	return 0;
}

static void on_failed(void *arg, const struct skap_link_config *link, const char *why)
{
	struct side *s = arg;

	(void)link;
	(void)why;
	s->failures++;
}

static uint32_t on_new_spi(void *arg)
{
	struct side *s = arg;

	return s->next_spi++;
}

static int bind_loopback(uint16_t *port)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	socklen_t len = sizeof(in);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&in, sizeof(in)) ||
	    getsockname(fd, (struct sockaddr *)&in, &len))
		return -1;
	*port = ntohs(in.sin_port);
	return fd;
}

static int configure(struct side *s, const char *peer_id, uint16_t peer_port, const char *local,
		     const char *remote)
{
	char text[1024];
	struct skap_config_diag diag;
	int ret;

	snprintf(text, sizeof(text),
		 "[skapd]\nplatform = https://platform.example\n"
		 "[link l]\npeer = %s\npeer-address = 127.0.0.1:%u\nlocal-address = 127.0.0.1\n"
		 "local = %s\nremote = %s\n",
		 peer_id, peer_port, local, remote);
	ret = skap_config_parse("test", text, strlen(text), &s->cfg, &diag);
	skap_config_diag_free(&diag);
	return ret;
}

static int make_peer(struct side *s, const struct skap_peer_limits *limits)
{
	struct skap_peer_ops ops = {
		.install = on_install, .failed = on_failed, .new_spi = on_new_spi, .arg = s,
	};

	s->peer = skap_peer_new(s->id, s->k_ticket, s->fd, &s->cfg, limits, &ops);
	return s->peer ? 0 : -1;
}

/* The platform's answer to FROM asking for a key with TO. */
static void platform_key(const struct side *from, const struct side *to, struct skap_pair_key *pk,
			 uint8_t *ticket, size_t *ticket_len)
{
	struct skap_ticket t = { 0 };

	skap_random(pk->key, 32);
	skap_random(pk->kid, 16);
	pk->expires = (uint64_t)time(NULL) + 300;
	memcpy(t.key, pk->key, 32);
	memcpy(t.kid, pk->kid, 16);
	t.expires = pk->expires;
	strcpy(t.initiator, from->id);
	skap_ticket_seal(to->k_ticket, to->id, &t, ticket, ticket_len);
}

/* Lets datagrams cross loopback, then both sides read. */
static void pump(struct side *a, struct side *b, uint64_t now)
{
	for (int i = 0; i < 4; i++) {
		usleep(2000);
		skap_peer_receive(b->peer, now);
		usleep(2000);
		skap_peer_receive(a->peer, now);
	}
}

static void drain(int fd)
{
	uint8_t buf[8192];

	usleep(2000);
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

FIXTURE(udp)
{
	struct side a, b;
	struct skap_pair_key pk;
	uint8_t ticket[SKAP_TICKET_MAX_LEN];
	size_t ticket_len;
	const struct skap_link_config *link_a;
};

FIXTURE_SETUP(udp)
{
	struct side *a = &self->a, *b = &self->b;

	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	a->id = "gw-a";
	b->id = "gw-b";
	a->next_spi = 0xa0000100;
	b->next_spi = 0xb0000100;
	a->fd = bind_loopback(&a->port);
	b->fd = bind_loopback(&b->port);
	ASSERT_LE(0, a->fd);
	ASSERT_LE(0, b->fd);
	skap_random(a->dmk, 32);
	skap_random(b->dmk, 32);
	skap_dmk_derive(a->dmk, SKAP_DMK_TICKET, a->id, a->k_ticket);
	skap_dmk_derive(b->dmk, SKAP_DMK_TICKET, b->id, b->k_ticket);
	ASSERT_EQ(0, configure(a, "gw-b", b->port, "192.0.2.0/25", "192.0.2.128/25"));
	ASSERT_EQ(0, configure(b, "gw-a", a->port, "192.0.2.128/25", "192.0.2.0/25"));
	platform_key(a, b, &self->pk, self->ticket, &self->ticket_len);
	self->link_a = &a->cfg.links[0];
}

FIXTURE_TEARDOWN(udp)
{
	skap_peer_free(self->a.peer);
	skap_peer_free(self->b.peer);
	skap_config_free(&self->a.cfg);
	skap_config_free(&self->b.cfg);
	close(self->a.fd);
	close(self->b.fd);
}

TEST_F(udp, clean_exchange)
{
	struct skap_peer_stats st;

	ASSERT_EQ(0, make_peer(&self->a, NULL));
	ASSERT_EQ(0, make_peer(&self->b, NULL));
	ASSERT_EQ(0, skap_peer_initiate(self->a.peer, self->link_a, &self->pk, self->ticket,
					self->ticket_len, 1000));
	EXPECT_EQ(-EALREADY, skap_peer_initiate(self->a.peer, self->link_a, &self->pk,
						self->ticket, self->ticket_len, 1000));
	pump(&self->a, &self->b, 1000);
	ASSERT_EQ(1, self->a.installs);
	ASSERT_EQ(1, self->b.installs);
	EXPECT_EQ(SKAP_PEER_INITIATOR, self->a.last_role);
	EXPECT_EQ(SKAP_PEER_RESPONDER, self->b.last_role);
	EXPECT_EQ(0, memcmp(self->a.last.key_out, self->b.last.key_in, 32));
	EXPECT_EQ(0, memcmp(self->a.last.key_in, self->b.last.key_out, 32));
	EXPECT_EQ(self->a.last.spi_out, self->b.last.spi_in);
	skap_peer_stats(self->b.peer, &st);
	EXPECT_EQ(1, st.resp_sent);
	EXPECT_EQ(0, st.refused);
}

TEST_F(udp, lost_init_is_retransmitted)
{
	struct skap_peer_stats st;

	ASSERT_EQ(0, make_peer(&self->a, NULL));
	ASSERT_EQ(0, make_peer(&self->b, NULL));
	ASSERT_EQ(0, skap_peer_initiate(self->a.peer, self->link_a, &self->pk, self->ticket,
					self->ticket_len, 1000));
	drain(self->b.fd); /* the network ate it */
	EXPECT_EQ(2000, skap_peer_tick(self->a.peer, 1500)) TH_LOG("first retry after 1 s");
	skap_peer_tick(self->a.peer, 2000);
	pump(&self->a, &self->b, 2000);
	EXPECT_EQ(1, self->a.installs);
	skap_peer_stats(self->a.peer, &st);
	EXPECT_EQ(1, st.init_retransmitted);
}

TEST_F(udp, duplicate_is_answered_from_the_cache)
{
	struct skap_peer_stats st;

	ASSERT_EQ(0, make_peer(&self->a, NULL));
	ASSERT_EQ(0, make_peer(&self->b, NULL));
	ASSERT_EQ(0, skap_peer_initiate(self->a.peer, self->link_a, &self->pk, self->ticket,
					self->ticket_len, 1000));
	usleep(2000);
	skap_peer_receive(self->b.peer, 1000);
	drain(self->a.fd); /* the RESP is lost */
	skap_peer_tick(self->a.peer, 2000); /* A sends the INIT again */
	pump(&self->a, &self->b, 2000);
	EXPECT_EQ(1, self->a.installs);
	EXPECT_EQ(1, self->b.installs) TH_LOG("answered, not executed again");
	skap_peer_stats(self->b.peer, &st);
	EXPECT_EQ(1, st.resp_from_cache);
}

TEST_F(udp, cookies_under_load)
{
	struct skap_peer_limits busy = { .per_source_rate = 20, .per_source_burst = 40,
					 .busy_rate = 0 };
	struct skap_peer_stats st;

	ASSERT_EQ(0, make_peer(&self->a, NULL));
	ASSERT_EQ(0, make_peer(&self->b, &busy));
	ASSERT_EQ(0, skap_peer_initiate(self->a.peer, self->link_a, &self->pk, self->ticket,
					self->ticket_len, 1000));
	pump(&self->a, &self->b, 1000);
	EXPECT_EQ(1, self->a.installs);
	EXPECT_EQ(1, self->b.installs);
	skap_peer_stats(self->b.peer, &st);
	EXPECT_EQ(1, st.cookies_sent);
}

TEST_F(udp, mismatched_selectors_are_refused_and_the_initiator_gives_up)
{
	struct skap_peer_stats st;

	skap_config_free(&self->b.cfg);
	ASSERT_EQ(0, configure(&self->b, "gw-a", self->a.port, "192.0.2.128/25", "198.51.100.0/24"));
	ASSERT_EQ(0, make_peer(&self->a, NULL));
	ASSERT_EQ(0, make_peer(&self->b, NULL));
	ASSERT_EQ(0, skap_peer_initiate(self->a.peer, self->link_a, &self->pk, self->ticket,
					self->ticket_len, 1000));
	pump(&self->a, &self->b, 1000);
	EXPECT_EQ(0, self->a.installs);
	EXPECT_EQ(0, self->b.installs);
	skap_peer_stats(self->b.peer, &st);
	EXPECT_EQ(1, st.refused);
	skap_peer_tick(self->a.peer, 1000 + 30000);
	EXPECT_EQ(1, self->a.failures);
}

TEST_F(udp, wrong_source_address_is_an_unknown_link)
{
	skap_config_free(&self->b.cfg);
	/* B expects gw-a on another port. */
	ASSERT_EQ(0, configure(&self->b, "gw-a", (uint16_t)(self->a.port + 1), "192.0.2.128/25",
			       "192.0.2.0/25"));
	ASSERT_EQ(0, make_peer(&self->a, NULL));
	ASSERT_EQ(0, make_peer(&self->b, NULL));
	ASSERT_EQ(0, skap_peer_initiate(self->a.peer, self->link_a, &self->pk, self->ticket,
					self->ticket_len, 1000));
	pump(&self->a, &self->b, 1000);
	EXPECT_EQ(0, self->b.installs);
}

TEST_F(udp, per_source_rate_limit)
{
	struct skap_peer_limits tight = { .per_source_rate = 1, .per_source_burst = 1,
					  .busy_rate = 200 };
	struct skap_peer_stats st;

	ASSERT_EQ(0, make_peer(&self->a, NULL));
	ASSERT_EQ(0, make_peer(&self->b, &tight));
	ASSERT_EQ(0, skap_peer_initiate(self->a.peer, self->link_a, &self->pk, self->ticket,
					self->ticket_len, 1000));
	/* Five retransmissions reach B within the same instant of B's clock. */
	uint64_t t = skap_peer_tick(self->a.peer, 1000);

	for (int i = 0; i < 5; i++)
		t = skap_peer_tick(self->a.peer, t);
	usleep(5000);
	skap_peer_receive(self->b.peer, 1000);
	skap_peer_stats(self->b.peer, &st);
	EXPECT_EQ(5, st.rate_limited);
	EXPECT_EQ(1, self->b.installs) TH_LOG("the first one still got through");
}

TEST_F(udp, simultaneous_start_completes_once)
{
	struct skap_pair_key pk_b;
	uint8_t ticket_b[SKAP_TICKET_MAX_LEN];
	size_t ticket_b_len;

	ASSERT_EQ(0, make_peer(&self->a, NULL));
	ASSERT_EQ(0, make_peer(&self->b, NULL));
	platform_key(&self->b, &self->a, &pk_b, ticket_b, &ticket_b_len);
	ASSERT_EQ(0, skap_peer_initiate(self->a.peer, self->link_a, &self->pk, self->ticket,
					self->ticket_len, 1000));
	ASSERT_EQ(0, skap_peer_initiate(self->b.peer, &self->b.cfg.links[0], &pk_b, ticket_b,
					ticket_b_len, 1000));
	pump(&self->a, &self->b, 1000);
	/* gw-a < gw-b: A stays initiator, B answers; one pair of SAs each side. */
	EXPECT_EQ(1, self->a.installs);
	EXPECT_EQ(1, self->b.installs);
	EXPECT_EQ(SKAP_PEER_INITIATOR, self->a.last_role);
	EXPECT_EQ(SKAP_PEER_RESPONDER, self->b.last_role);
	EXPECT_EQ(0, memcmp(self->a.last.key_out, self->b.last.key_in, 32));
}

TEST_HARNESS_MAIN
