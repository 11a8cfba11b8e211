// SPDX-License-Identifier: GPL-2.0
/*
 * The key manager's events: an skap policy with no SA gives an acquire on
 * the first packet, and the module's SA then replaces the larval state;
 * short lifetimes give a soft then a hard expire; foreign policies and
 * states give nothing. Runs in a namespace of its own.
 */
#include "skap_test.h"
#include "kselftest_harness.h"

#define NS "skap-events"

FIXTURE(ev) {
	struct skap_nl nl, ev, other;
	struct skap_info info;
};

FIXTURE_SETUP(ev)
{
	skap_sh("/usr/sbin/ip netns del " NS " 2>/dev/null");
	/* A listener in the initial namespace, which must hear nothing. */
	ASSERT_EQ(0, skap_events_open(&self->other));
	ASSERT_EQ(0, skap_sh("/usr/sbin/ip netns add " NS));
	ASSERT_EQ(0, skap_setns(NS));
	/* Not over lo: lo has disable_xfrm set. */
	ASSERT_EQ(0, skap_sh("/usr/sbin/ip link set lo up && "
			     "/usr/sbin/ip link add ev0 type veth peer name ev1 && "
			     "/usr/sbin/ip link set ev0 up && /usr/sbin/ip link set ev1 up && "
			     "/usr/sbin/ip addr add 192.0.2.1/24 dev ev0 && "
			     "/usr/sbin/ip addr add 10.77.0.1/32 dev lo && "
			     "/usr/sbin/ip addr add 10.78.0.1/32 dev lo && "
			     "/usr/sbin/ip route add 10.77.0.0/24 via 192.0.2.2 dev ev0 src 10.77.0.1 && "
			     "/usr/sbin/ip route add 10.78.0.0/24 via 192.0.2.2 dev ev0 src 10.78.0.1 && "
			     "/usr/sbin/ip addr add 2001:db8:e::1/64 dev ev0 nodad && "
			     "/usr/sbin/ip addr add 2001:db8:77::1/128 dev lo nodad && "
			     "/usr/sbin/ip route add 2001:db8:77::/64 via 2001:db8:e::2 dev ev0 src 2001:db8:77::1"));
	ASSERT_EQ(0, skap_nl_open(&self->nl));
	ASSERT_EQ(0, skap_events_open(&self->ev));
	ASSERT_EQ(0, skap_info(&self->nl, &self->info));
}

FIXTURE_TEARDOWN(ev)
{
	skap_nl_close(&self->other);
	skap_nl_close(&self->ev);
	skap_nl_close(&self->nl);
	skap_sh("/usr/sbin/ip netns del " NS);
}

static void send_udp(const char *dst)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, dst, &a.sin_addr);
	sendto(s, "x", 1, MSG_DONTWAIT, (struct sockaddr *)&a, sizeof(a));
	close(s);
}

TEST_F(ev, acquire_on_first_packet)
{
	struct skap_obj o = { .family = AF_INET, .dir = SKAP_POLICY_OUT,
			      .mode = SKAP_MODE_TUNNEL, .src = "192.0.2.1",
			      .dst = "192.0.2.2", .sel_src = "10.77.0.1/32",
			      .sel_dst = "10.77.0.0/24", .reqid = 5 };
	struct skap_event e;
	uint32_t index = 0;
	key_serial_t k;
	int cmd;

	ASSERT_EQ(0, skap_pol_add(&self->nl, &o, &index)) TH_LOG("%s", self->nl.msg);
	/* A foreign policy first: its packets make no skap event. */
	ASSERT_EQ(0, skap_sh("/usr/sbin/ip xfrm policy add src 10.78.0.1/32 dst 10.78.0.0/24 dir out "
			     "tmpl src 192.0.2.1 dst 192.0.2.3 proto esp reqid 6 mode tunnel"));
	send_udp("10.78.0.9");
	EXPECT_EQ(0, skap_event_next(&self->ev, &e, 1500)) TH_LOG("event %d for a foreign policy", e.cmd);

	send_udp("10.77.0.9");
	cmd = skap_event_next(&self->ev, &e, 3000);
	ASSERT_EQ(SKAP_CMD_ACQUIRE, cmd);
	EXPECT_EQ(index, e.index);
	EXPECT_EQ(5, e.reqid);
	EXPECT_EQ(AF_INET, e.family);
	EXPECT_EQ(0, memcmp(e.dst, "\xc0\x00\x02\x02", 4));
	EXPECT_NE(0, e.seq);
	{
		/* One acquire per larval state, whatever else comes. */
		struct skap_event e2;
		int extra = 0;

		while (skap_event_next(&self->ev, &e2, 1000) > 0) {
			TH_LOG("another event %d seq %u (first %u)", e2.cmd, e2.seq, e.seq);
			extra++;
		}
		EXPECT_EQ(0, extra);
	}
	/* The larval state is there until the SA comes. */
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm state | grep -E '^src 192.0.2.1 dst 192.0.2.2'"));
	k = skap_key_add(self->info.keyring, 0x51, SKAP_KEY_DIR_OUT, 0x5100, 0x51);
	ASSERT_LT(0, k);
	o.key = k;
	o.sel_src = NULL;
	o.sel_dst = NULL;
	ASSERT_EQ(0, skap_sa_add(&self->nl, &o)) TH_LOG("%s", self->nl.msg);
	/* The SA took the larval state's place: one state, with the SPI. */
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm state | grep -E '^src 192.0.2.1 dst 192.0.2.2'"));
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm state | grep 'spi 0x00005100 reqid 5 mode tunnel'"));
	/* With the SA in place, traffic makes no more acquires. */
	send_udp("10.77.0.9");
	EXPECT_EQ(0, skap_event_next(&self->ev, &e, 1000)) TH_LOG("event %d seq %u", e.cmd, e.seq);
	/* Events stay in their namespace. */
	EXPECT_EQ(0, skap_event_next(&self->other, &e, 100)) TH_LOG("event %d in another namespace", e.cmd);
}

TEST_F(ev, acquire_ipv6)
{
	struct skap_obj o = { .family = AF_INET6, .dir = SKAP_POLICY_OUT,
			      .mode = SKAP_MODE_TUNNEL, .src = "2001:db8:e::1",
			      .dst = "2001:db8:e::2", .sel_src = "2001:db8:77::1/128",
			      .sel_dst = "2001:db8:77::/64", .reqid = 11 };
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
	struct skap_event e;
	uint32_t index = 0;
	int s;

	ASSERT_EQ(0, skap_pol_add(&self->nl, &o, &index)) TH_LOG("%s", self->nl.msg);
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	inet_pton(AF_INET6, "2001:db8:77::9", &a.sin6_addr);
	sendto(s, "x", 1, MSG_DONTWAIT, (struct sockaddr *)&a, sizeof(a));
	close(s);
	ASSERT_EQ(SKAP_CMD_ACQUIRE, skap_event_next(&self->ev, &e, 3000));
	EXPECT_EQ(AF_INET6, e.family);
	EXPECT_EQ(index, e.index);
	EXPECT_EQ(11, e.reqid);
	EXPECT_EQ(0, memcmp(e.dst, "\x20\x01\x0d\xb8\x00\x0e\0\0\0\0\0\0\0\0\0\x02", 16));
}

TEST_F(ev, soft_then_hard_expire)
{
	key_serial_t k = skap_key_add(self->info.keyring, 0x52, SKAP_KEY_DIR_IN, 0x5200, 0x52);
	struct skap_obj o = { .key = k, .family = AF_INET, .src = "192.0.2.2",
			      .dst = "192.0.2.1", .mode = SKAP_MODE_TRANSPORT,
			      .reqid = 8, .soft_s = 1, .hard_s = 3 };
	struct skap_event e;
	struct skap_info i;

	ASSERT_LT(0, k);
	/* A foreign state with short lifetimes: no skap events. */
	ASSERT_EQ(0, skap_sh("/usr/sbin/ip xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x6000 "
			     "mode transport aead 'rfc4106(gcm(aes))' 0x%072d 128 "
			     "limit time-soft 1 limit time-hard 2", 0));
	ASSERT_EQ(0, skap_sa_add(&self->nl, &o)) TH_LOG("%s", self->nl.msg);

	ASSERT_EQ(SKAP_CMD_EXPIRE, skap_event_next(&self->ev, &e, 4000));
	EXPECT_EQ(0x5200, e.spi);
	EXPECT_EQ(k, e.key);
	EXPECT_EQ(8, e.reqid);
	EXPECT_FALSE(e.hard);
	ASSERT_EQ(SKAP_CMD_EXPIRE, skap_event_next(&self->ev, &e, 5000));
	EXPECT_EQ(0x5200, e.spi);
	EXPECT_TRUE(e.hard);
	/* Nothing else: the foreign state expired too, silently for skap. */
	EXPECT_EQ(0, skap_event_next(&self->ev, &e, 1500)) TH_LOG("event %d spi %x", e.cmd, e.spi);
	EXPECT_EQ(0, skap_xfrm_states());
	ASSERT_EQ(0, skap_info(&self->nl, &i));
	EXPECT_EQ(0, i.sas);
	EXPECT_EQ(0, skap_event_next(&self->other, &e, 100)) TH_LOG("event %d in another namespace", e.cmd);
}

/* A userspace XFRM_MSG_EXPIRE on a foreign state (ip xfrm state ... ) is not skap's. */
TEST_F(ev, no_events_without_skap_objects)
{
	struct skap_event e;

	ASSERT_EQ(0, skap_sh("/usr/sbin/ip xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x6001 "
			     "mode transport aead 'rfc4106(gcm(aes))' 0x%072d 128", 0));
	ASSERT_EQ(0, skap_sh("/usr/sbin/ip xfrm state delete src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x6001"));
	ASSERT_EQ(0, skap_sh("/usr/sbin/ip xfrm policy add src 10.78.0.1/32 dst 10.78.0.0/24 dir out "
			     "tmpl src 192.0.2.1 dst 192.0.2.3 proto esp reqid 6 mode tunnel"));
	send_udp("10.78.0.7");
	EXPECT_EQ(0, skap_event_next(&self->ev, &e, 1500)) TH_LOG("event %d", e.cmd);
}

TEST_HARNESS_MAIN
