// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic through SAs and policies made by the module: two namespaces over
 * veth, keys added with add_key(2), everything else through netlink; ping
 * and a TCP transfer, IPv4 and IPv6, transport and tunnel mode. The module's
 * own counters must move, and with mismatched keys nothing gets through.
 * Hand-made states with the same keys and the documented salt interoperate.
 */
#include "skap_test.h"
#include "kselftest_harness.h"

#define A "skap-dp-a"
#define B "skap-dp-b"
#define IP "/usr/sbin/ip"

struct dp_case {
	const char *name;
	int family, mode;
	const char *a, *b, *asel, *bsel, *target;
};

static const struct dp_case cases[] = {
	{ "transport4", AF_INET, SKAP_MODE_TRANSPORT, "198.51.100.1", "198.51.100.2",
	  "198.51.100.1/32", "198.51.100.2/32", "198.51.100.2" },
	{ "transport6", AF_INET6, SKAP_MODE_TRANSPORT, "2001:db8:1::1", "2001:db8:1::2",
	  "2001:db8:1::1/128", "2001:db8:1::2/128", "2001:db8:1::2" },
	{ "tunnel4", AF_INET, SKAP_MODE_TUNNEL, "198.51.100.1", "198.51.100.2",
	  "192.0.2.1/32", "192.0.2.129/32", "192.0.2.129" },
	{ "tunnel6", AF_INET6, SKAP_MODE_TUNNEL, "2001:db8:1::1", "2001:db8:1::2",
	  "2001:db8:a::1/128", "2001:db8:b::1/128", "2001:db8:b::1" },
};

#define SPI_AB 0x100
#define SPI_BA 0x200
#define KEY_AB 0xa1
#define KEY_BA 0xb2

FIXTURE(dp) {
	struct skap_nl a, b;
	struct skap_info ia, ib;
};

FIXTURE_SETUP(dp)
{
	int self_ns = open("/proc/self/ns/net", O_RDONLY);

	skap_sh(IP " netns del " A " 2>/dev/null; " IP " netns del " B " 2>/dev/null");
	ASSERT_EQ(0, skap_sh(
		IP " netns add " A " && " IP " netns add " B " && "
		IP " -n " A " link set lo up && " IP " -n " B " link set lo up && "
		IP " link add veth-a netns " A " type veth peer name veth-b netns " B " && "
		IP " -n " A " addr add 198.51.100.1/24 dev veth-a && "
		IP " -n " B " addr add 198.51.100.2/24 dev veth-b && "
		IP " -n " A " addr add 2001:db8:1::1/64 dev veth-a nodad && "
		IP " -n " B " addr add 2001:db8:1::2/64 dev veth-b nodad && "
		IP " -n " A " link set veth-a up && " IP " -n " B " link set veth-b up && "
		IP " -n " A " addr add 192.0.2.1/32 dev lo && "
		IP " -n " B " addr add 192.0.2.129/32 dev lo && "
		IP " -n " A " route add 192.0.2.129/32 via 198.51.100.2 src 192.0.2.1 && "
		IP " -n " B " route add 192.0.2.1/32 via 198.51.100.1 src 192.0.2.129 && "
		IP " -n " A " addr add 2001:db8:a::1/128 dev lo nodad && "
		IP " -n " B " addr add 2001:db8:b::1/128 dev lo nodad && "
		IP " -n " A " route add 2001:db8:b::1/128 via 2001:db8:1::2 src 2001:db8:a::1 && "
		IP " -n " B " route add 2001:db8:a::1/128 via 2001:db8:1::1 src 2001:db8:b::1"));
	ASSERT_EQ(0, skap_sh("modprobe -a esp4 esp6 gcm"));
	ASSERT_EQ(0, skap_setns(A));
	ASSERT_EQ(0, skap_nl_open(&self->a));
	ASSERT_EQ(0, skap_setns(B));
	ASSERT_EQ(0, skap_nl_open(&self->b));
	ASSERT_EQ(0, setns(self_ns, CLONE_NEWNET));
	close(self_ns);
	ASSERT_EQ(0, skap_info(&self->a, &self->ia));
	ASSERT_EQ(0, skap_info(&self->b, &self->ib));
	ASSERT_NE(self->ia.keyring, self->ib.keyring);
}

FIXTURE_TEARDOWN(dp)
{
	skap_nl_close(&self->a);
	skap_nl_close(&self->b);
	skap_sh(IP " netns del " A "; " IP " netns del " B);
}

/* Both SAs and both policies of one side. */
static int side(struct skap_nl *nl, key_serial_t ring, const struct dp_case *c,
		int is_a, int key_in, int key_out)
{
	const char *me = is_a ? c->a : c->b, *peer = is_a ? c->b : c->a;
	const char *mysel = is_a ? c->asel : c->bsel, *peersel = is_a ? c->bsel : c->asel;
	uint32_t spi_out = is_a ? SPI_AB : SPI_BA, spi_in = is_a ? SPI_BA : SPI_AB;
	struct skap_obj o = { .family = c->family, .mode = c->mode, .reqid = 1 };
	key_serial_t kout = skap_key_add(ring, is_a ? 1 : 2, SKAP_KEY_DIR_OUT, spi_out, key_out);
	key_serial_t kin = skap_key_add(ring, is_a ? 2 : 1, SKAP_KEY_DIR_IN, spi_in, key_in);

	return skap_side_up(nl, o, kin, kout, me, peer, mysel, peersel, 0);
}

static void reset(struct skap_nl *nl, key_serial_t ring)
{
	skap_flush(nl);
	keyctl_clear(ring);
}

struct pkts {
	uint32_t spi;
	uint64_t packets;
};

static int pkts_cb(struct nlmsghdr *h, struct nlattr **tb, void *arg)
{
	struct pkts *p = arg;
	struct nlattr *s[SKAP_STATS_MAX + 1];

	if (!tb[SKAP_A_SPI] || nla_get_u32(tb[SKAP_A_SPI]) != p->spi || !tb[SKAP_A_STATS])
		return 0;
	if (!nla_parse_nested(s, SKAP_STATS_MAX, tb[SKAP_A_STATS], NULL) && s[SKAP_STATS_PACKETS])
		p->packets = nla_get_u64(s[SKAP_STATS_PACKETS]);
	return 0;
}

static uint64_t packets(struct skap_nl *nl, uint32_t spi)
{
	struct pkts p = { .spi = spi };

	skap_dump(nl, SKAP_CMD_GET_SA, pkts_cb, &p);
	return p.packets;
}

TEST_F(dp, ping_and_tcp_through_module_sas)
{
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dp_case *c = &cases[i];
		uint64_t before;

		reset(&self->a, self->ia.keyring);
		reset(&self->b, self->ib.keyring);
		ASSERT_EQ(0, side(&self->a, self->ia.keyring, c, 1, KEY_BA, KEY_AB))
			TH_LOG("%s: A: %s", c->name, self->a.msg);
		ASSERT_EQ(0, side(&self->b, self->ib.keyring, c, 0, KEY_AB, KEY_BA))
			TH_LOG("%s: B: %s", c->name, self->b.msg);
		before = packets(&self->a, SPI_AB);
		EXPECT_EQ(0, skap_sh(IP " netns exec " A " ping -c 3 -W 2 %s >/dev/null", c->target))
			TH_LOG("%s: ping through module SAs failed", c->name);
		EXPECT_LE(before + 3, packets(&self->a, SPI_AB)) TH_LOG("%s", c->name);
		EXPECT_LE(3, packets(&self->b, SPI_AB)) TH_LOG("%s: B received", c->name);
		/* ip(8) shows the same counters. */
		EXPECT_LE(1, skap_sh_lines(IP " -n " A " -s xfrm state | grep -E '[1-9][0-9]*\\(packets\\)'"));
		EXPECT_EQ(0, skap_tcp_transfer(A, B, c->family, c->target, 256 * 1024, NULL)) TH_LOG("%s: TCP transfer", c->name);

		/* Same setup, B's inbound key wrong: nothing gets through. */
		reset(&self->a, self->ia.keyring);
		reset(&self->b, self->ib.keyring);
		ASSERT_EQ(0, side(&self->a, self->ia.keyring, c, 1, KEY_BA, KEY_AB));
		ASSERT_EQ(0, side(&self->b, self->ib.keyring, c, 0, 0xcc, KEY_BA));
		ASSERT_EQ(2, skap_sh_lines(IP " -n " B " xfrm state | grep '^src'"));
		EXPECT_NE(0, skap_sh(IP " netns exec " A " ping -c 2 -W 1 %s >/dev/null", c->target))
			TH_LOG("%s: ping got through with mismatched keys", c->name);
		EXPECT_LE(2, packets(&self->a, SPI_AB)) TH_LOG("%s: A did send ESP", c->name);
	}
	reset(&self->a, self->ia.keyring);
	reset(&self->b, self->ib.keyring);
}

/* The salt as docs/kernel.md and the uapi header say, computed here. */
TEST_F(dp, hand_made_states_with_the_same_keys_interoperate)
{
	const struct dp_case *c = &cases[0];
	char sab[9], sba[9];

	ASSERT_EQ(0, skap_salt_hex(KEY_AB, sab));
	ASSERT_EQ(0, skap_salt_hex(KEY_BA, sba));
	reset(&self->a, self->ia.keyring);
	ASSERT_EQ(0, side(&self->a, self->ia.keyring, c, 1, KEY_BA, KEY_AB)) TH_LOG("%s", self->a.msg);
	ASSERT_EQ(0, skap_sh(
		IP " -n " B " xfrm state add src %s dst %s proto esp spi %d reqid 1 mode transport "
		"aead 'rfc4106(gcm(aes))' 0x%s%s 128 && "
		IP " -n " B " xfrm state add src %s dst %s proto esp spi %d reqid 1 mode transport "
		"aead 'rfc4106(gcm(aes))' 0x%s%s 128 && "
		IP " -n " B " xfrm policy add src %s dst %s dir out tmpl src %s dst %s proto esp reqid 1 mode transport && "
		IP " -n " B " xfrm policy add src %s dst %s dir in tmpl src %s dst %s proto esp reqid 1 mode transport",
		c->a, c->b, SPI_AB,
		"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", sab,
		c->b, c->a, SPI_BA,
		"b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", sba,
		c->bsel, c->asel, c->b, c->a, c->asel, c->bsel, c->a, c->b));
	EXPECT_EQ(0, skap_sh(IP " netns exec " A " ping -c 3 -W 2 %s >/dev/null", c->target));
	EXPECT_LE(3, packets(&self->a, SPI_BA)) TH_LOG("replies decrypted by the module's SA");
	/* A wrong salt breaks it: the salt is part of the key. */
	ASSERT_EQ(0, skap_sh(IP " -n " B " xfrm state flush && "
			     IP " -n " B " xfrm state add src %s dst %s proto esp spi %d reqid 1 mode transport "
			     "aead 'rfc4106(gcm(aes))' 0x%s%s 128 && "
			     IP " -n " B " xfrm state add src %s dst %s proto esp spi %d reqid 1 mode transport "
			     "aead 'rfc4106(gcm(aes))' 0x%s00000000 128",
			     c->a, c->b, SPI_AB,
			     "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", sab,
			     c->b, c->a, SPI_BA,
			     "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"));
	EXPECT_NE(0, skap_sh(IP " netns exec " A " ping -c 2 -W 1 %s >/dev/null", c->target));
	reset(&self->a, self->ia.keyring);
}

#define HA "skap-gw-ha"
#define GA "skap-gw-a"
#define GB "skap-gw-b"
#define HB "skap-gw-hb"

/* One gateway's SAs and its out, in and fwd policies, tunnel mode. */
static int gateway(struct skap_nl *nl, key_serial_t ring, int is_a, uint8_t key_in)
{
	const char *me = is_a ? "198.51.100.1" : "198.51.100.2";
	const char *peer = is_a ? "198.51.100.2" : "198.51.100.1";
	const char *mynet = is_a ? "10.1.0.0/24" : "10.2.0.0/24";
	const char *peernet = is_a ? "10.2.0.0/24" : "10.1.0.0/24";
	struct skap_obj o = { .family = AF_INET, .mode = SKAP_MODE_TUNNEL, .reqid = 4 };
	key_serial_t kout = skap_key_add(ring, is_a ? 1 : 2, SKAP_KEY_DIR_OUT,
					 is_a ? SPI_AB : SPI_BA, is_a ? KEY_AB : KEY_BA);
	key_serial_t kin = skap_key_add(ring, is_a ? 2 : 1, SKAP_KEY_DIR_IN,
					is_a ? SPI_BA : SPI_AB, key_in);

	return skap_side_up(nl, o, kin, kout, me, peer, mynet, peernet, 1);
}

/*
 * Two sites: host - gateway ==ESP== gateway - host. The gateways forward
 * the hosts' traffic through module-made tunnel SAs (out, in and fwd
 * policies); the WAN between them carries only ESP.
 */
TEST_F(dp, gateways_forward_between_sites)
{
	int self_ns = open("/proc/self/ns/net", O_RDONLY);
	struct skap_nl ga, gb;
	struct skap_info ia, ib;

	skap_sh(IP " netns del " HA " 2>/dev/null; " IP " netns del " GA " 2>/dev/null; "
		IP " netns del " GB " 2>/dev/null; " IP " netns del " HB " 2>/dev/null");
	ASSERT_EQ(0, skap_sh(
		"for n in " HA " " GA " " GB " " HB "; do " IP " netns add $n && " IP " -n $n link set lo up || exit 1; done && "
		IP " link add lan netns " HA " type veth peer name lan netns " GA " && "
		IP " link add wan netns " GA " type veth peer name wan netns " GB " && "
		IP " link add lan netns " GB " type veth peer name lan netns " HB " && "
		IP " -n " HA " addr add 10.1.0.2/24 dev lan && " IP " -n " GA " addr add 10.1.0.1/24 dev lan && "
		IP " -n " GA " addr add 198.51.100.1/24 dev wan && " IP " -n " GB " addr add 198.51.100.2/24 dev wan && "
		IP " -n " GB " addr add 10.2.0.1/24 dev lan && " IP " -n " HB " addr add 10.2.0.2/24 dev lan && "
		"for n in " HA " " GA " " GB " " HB "; do for d in lan wan; do " IP " -n $n link set $d up 2>/dev/null; done; done; "
		IP " -n " HA " route add default via 10.1.0.1 && " IP " -n " HB " route add default via 10.2.0.1 && "
		IP " -n " GA " route add 10.2.0.0/24 via 198.51.100.2 && " IP " -n " GB " route add 10.1.0.0/24 via 198.51.100.1 && "
		IP " netns exec " GA " sysctl -qw net.ipv4.ip_forward=1 && "
		IP " netns exec " GB " sysctl -qw net.ipv4.ip_forward=1"));
	ASSERT_EQ(0, skap_setns(GA));
	ASSERT_EQ(0, skap_nl_open(&ga));
	ASSERT_EQ(0, skap_setns(GB));
	ASSERT_EQ(0, skap_nl_open(&gb));
	ASSERT_EQ(0, setns(self_ns, CLONE_NEWNET));
	close(self_ns);
	ASSERT_EQ(0, skap_info(&ga, &ia));
	ASSERT_EQ(0, skap_info(&gb, &ib));
	ASSERT_EQ(0, gateway(&ga, ia.keyring, 1, KEY_BA)) TH_LOG("%s", ga.msg);
	ASSERT_EQ(0, gateway(&gb, ib.keyring, 0, KEY_AB)) TH_LOG("%s", gb.msg);

	EXPECT_EQ(0, skap_sh(IP " netns exec " HA " ping -c 3 -W 2 10.2.0.2 >/dev/null"));
	EXPECT_LE(3, packets(&ga, SPI_AB));
	EXPECT_LE(3, packets(&gb, SPI_BA));
	/* Without gateway B's fwd policy the decrypted traffic is dropped. */
	EXPECT_EQ(0, skap_sh(IP " -n " GB " xfrm policy delete dir fwd src 10.1.0.0/24 dst 10.2.0.0/24"));
	EXPECT_NE(0, skap_sh(IP " netns exec " HA " ping -c 2 -W 1 10.2.0.2 >/dev/null"));
	skap_nl_close(&ga);
	skap_nl_close(&gb);
	skap_sh(IP " netns del " HA "; " IP " netns del " GA "; " IP " netns del " GB "; " IP " netns del " HB);
}

TEST_HARNESS_MAIN
