// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "skap": every command with good input, and
 * with malformed input (missing, oversized, wrong type, unknown attributes,
 * bad selectors, unknown keys): each refusal has an errno and an extended
 * ACK message and changes nothing, checked by the two dumps before and after.
 * Ownership: foreign states and policies are never touched or shown. Keys:
 * revoking or expiring one removes the SAs built from it.
 */
#include "skap_test.h"
#include "kselftest_harness.h"

FIXTURE(genl) {
	struct skap_nl nl;
	struct skap_info info;
	key_serial_t kout, kin, kout6;
	struct skap_snap *before, *after;
};

FIXTURE_SETUP(genl)
{
	ASSERT_EQ(0, skap_nl_open(&self->nl));
	ASSERT_EQ(0, skap_info(&self->nl, &self->info));
	ASSERT_EQ(0, skap_flush(&self->nl));
	skap_sh("/usr/sbin/ip xfrm state flush; /usr/sbin/ip xfrm policy flush");
	keyctl_clear(self->info.keyring);
	self->kout = skap_key_add(self->info.keyring, 1, SKAP_KEY_DIR_OUT, 0x1001, 0x11);
	self->kin = skap_key_add(self->info.keyring, 2, SKAP_KEY_DIR_IN, 0x1002, 0x22);
	self->kout6 = skap_key_add(self->info.keyring, 3, SKAP_KEY_DIR_OUT, 0x1003, 0x33);
	ASSERT_LT(0, self->kout);
	ASSERT_LT(0, self->kin);
	ASSERT_LT(0, self->kout6);
	self->before = malloc(sizeof(*self->before));
	self->after = malloc(sizeof(*self->after));
	ASSERT_NE(NULL, self->before);
	ASSERT_NE(NULL, self->after);
}

FIXTURE_TEARDOWN(genl)
{
	skap_flush(&self->nl);
	skap_sh("/usr/sbin/ip xfrm state flush; /usr/sbin/ip xfrm policy flush");
	keyctl_clear(self->info.keyring);
	skap_nl_close(&self->nl);
	free(self->before);
	free(self->after);
}

static struct skap_obj sa4(key_serial_t key)
{
	struct skap_obj o = { .key = key, .family = AF_INET, .src = "192.0.2.1",
			      .dst = "192.0.2.2", .mode = SKAP_MODE_TRANSPORT,
			      .reqid = 7 };
	return o;
}

static struct skap_obj pol4(int dir)
{
	struct skap_obj o = { .family = AF_INET, .dir = dir, .mode = SKAP_MODE_TUNNEL,
			      .src = "192.0.2.1", .dst = "192.0.2.2",
			      .sel_src = "10.1.0.0/16", .sel_dst = "10.2.0.0/16",
			      .reqid = 7 };
	return o;
}

struct dumped {
	int n;
	uint32_t spi, reqid, index;
	int32_t key;
	uint8_t mode, dir;
	uint64_t hard_s;
	int has_stats;
};

static int dumped_cb(struct nlmsghdr *h, struct nlattr **tb, void *arg)
{
	struct dumped *d = arg;

	d->n++;
	if (tb[SKAP_A_SPI])
		d->spi = nla_get_u32(tb[SKAP_A_SPI]);
	if (tb[SKAP_A_REQID])
		d->reqid = nla_get_u32(tb[SKAP_A_REQID]);
	if (tb[SKAP_A_KEY])
		d->key = (int32_t)nla_get_u32(tb[SKAP_A_KEY]);
	if (tb[SKAP_A_MODE])
		d->mode = nla_get_u8(tb[SKAP_A_MODE]);
	if (tb[SKAP_A_DIR])
		d->dir = nla_get_u8(tb[SKAP_A_DIR]);
	if (tb[SKAP_A_POLICY_INDEX])
		d->index = nla_get_u32(tb[SKAP_A_POLICY_INDEX]);
	d->has_stats = !!tb[SKAP_A_STATS];
	if (tb[SKAP_A_LIFETIME]) {
		struct nlattr *l[SKAP_LFT_MAX + 1];

		if (!nla_parse_nested(l, SKAP_LFT_MAX, tb[SKAP_A_LIFETIME], NULL) &&
		    l[SKAP_LFT_HARD_SECONDS])
			d->hard_s = nla_get_u64(l[SKAP_LFT_HARD_SECONDS]);
	}
	return 0;
}

TEST_F(genl, info)
{
	EXPECT_EQ(SKAP_GENL_VERSION, self->info.version);
	EXPECT_LT(0, self->info.keyring);
	EXPECT_EQ(0, self->info.sas);
	EXPECT_EQ(0, self->info.policies);
}

TEST_F(genl, sa_v4_transport)
{
	struct skap_obj o = sa4(self->kout);
	struct dumped d = {};
	struct skap_info i;

	ASSERT_EQ(0, skap_sa_add(&self->nl, &o)) TH_LOG("%s", self->nl.msg);
	ASSERT_EQ(0, skap_info(&self->nl, &i));
	EXPECT_EQ(1, i.sas);
	EXPECT_EQ(1, skap_dump(&self->nl, SKAP_CMD_GET_SA, dumped_cb, &d));
	EXPECT_EQ(1, d.n);
	EXPECT_EQ(0x1001, d.spi);
	EXPECT_EQ(7, d.reqid);
	EXPECT_EQ(self->kout, d.key);
	EXPECT_EQ(SKAP_MODE_TRANSPORT, d.mode);
	EXPECT_EQ(SKAP_KEY_DIR_OUT, d.dir);
	EXPECT_TRUE(d.has_stats);
	/* The dump never carries the key (32 bytes of 0x11) or a part of it. */
	{
		unsigned char key[8];

		memset(key, 0x11, sizeof(key));
		EXPECT_LT(0, self->nl.siglen);
		EXPECT_EQ(NULL, memmem(self->nl.sig, self->nl.siglen, key, sizeof(key)));
	}
	/* A real xfrm state, as ip(8) shows it. */
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm state | grep -E 'src 192.0.2.1 dst 192.0.2.2'"));
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm state | grep -E 'proto esp spi 0x00001001 reqid 7 mode transport'"));
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm state | grep -E 'aead rfc4106\\(gcm\\(aes\\)\\) 0x[0-9a-f]{72} 128'"));
	/* The key bytes (0x11) and the derived salt are in the state. */
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm state | grep -E 'aead .* 0x(11){32}[0-9a-f]{8} 128'"));
	/* An SPI that is not the key's is refused. */
	o.spi = 0x1002;
	o.dst = "192.0.2.3";
	EXPECT_EQ(-EINVAL, skap_sa_add(&self->nl, &o));
	EXPECT_NE(0, strlen(self->nl.msg));
	/* The key's SPI given explicitly is fine. */
	o.spi = 0x1001;
	EXPECT_EQ(0, skap_sa_add(&self->nl, &o)) TH_LOG("%s", self->nl.msg);
	EXPECT_EQ(0, skap_sa_del(&self->nl, AF_INET, "192.0.2.2", 0x1001));
	EXPECT_EQ(0, skap_sa_del(&self->nl, AF_INET, "192.0.2.3", 0x1001));
	EXPECT_EQ(0, skap_dump(&self->nl, SKAP_CMD_GET_SA, NULL, NULL));
	EXPECT_EQ(0, skap_xfrm_states());
	EXPECT_EQ(-ENOENT, skap_sa_del(&self->nl, AF_INET, "192.0.2.2", 0x1001));
	EXPECT_NE(0, strlen(self->nl.msg));
}

TEST_F(genl, sa_v6_tunnel_selector_lifetime_mark)
{
	struct skap_obj o = { .key = self->kout6, .family = AF_INET6,
			      .src = "2001:db8::1", .dst = "2001:db8::2",
			      .mode = SKAP_MODE_TUNNEL, .reqid = 9,
			      .sel_src = "2001:db8:a::/48", .sel_dst = "2001:db8:b::/48",
			      .proto = IPPROTO_TCP, .dport = 443,
			      .soft_s = 100, .hard_s = 200, .soft_bytes = 1000000,
			      .hard_bytes = 2000000, .has_mark = 1, .mark = 5,
			      .mask = 0xff, .if_id = 3 };
	struct dumped d = {};

	ASSERT_EQ(0, skap_sa_add(&self->nl, &o)) TH_LOG("%s", self->nl.msg);
	EXPECT_EQ(1, skap_dump(&self->nl, SKAP_CMD_GET_SA, dumped_cb, &d));
	EXPECT_EQ(SKAP_MODE_TUNNEL, d.mode);
	EXPECT_EQ(200, d.hard_s);
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm state | grep -E 'proto esp spi 0x00001003 reqid 9 mode tunnel'"));
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm state | grep -E 'sel src 2001:db8:a::/48 dst 2001:db8:b::/48 .*dport 443'"));
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm state | grep -E 'mark 0x5/0xff'"));
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm state | grep -E 'if_id 0x3'"));
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip -s xfrm state | grep -E 'time 100\\(sec\\), hard 200\\(sec\\)|soft 100\\(sec\\), hard 200\\(sec\\)|add 100\\(sec\\), hard'"));
	/* Deleting needs the mark that selects it. */
	{
		struct nl_msg *m = skap_msg(&self->nl, SKAP_CMD_DEL_SA, 0);
		unsigned char a[16];

		nla_put_u16(m, SKAP_A_FAMILY, AF_INET6);
		inet_pton(AF_INET6, "2001:db8::2", a);
		nla_put(m, SKAP_A_DST, 16, a);
		nla_put_u32(m, SKAP_A_SPI, 0x1003);
		nla_put_u32(m, SKAP_A_MARK, 5);
		EXPECT_EQ(0, skap_xfer(&self->nl, m, NULL, NULL)) TH_LOG("%s", self->nl.msg);
	}
	EXPECT_EQ(0, skap_xfrm_states());
}

TEST_F(genl, policies)
{
	struct skap_obj o = pol4(SKAP_POLICY_OUT);
	uint32_t iout = 0, iin = 0, ifwd = 0;
	struct dumped d = {};
	struct skap_info i;

	ASSERT_EQ(0, skap_pol_add(&self->nl, &o, &iout)) TH_LOG("%s", self->nl.msg);
	o = pol4(SKAP_POLICY_IN);
	o.sel_src = "10.2.0.0/16";
	o.sel_dst = "10.1.0.0/16";
	o.src = "192.0.2.2";
	o.dst = "192.0.2.1";
	ASSERT_EQ(0, skap_pol_add(&self->nl, &o, &iin)) TH_LOG("%s", self->nl.msg);
	o.dir = SKAP_POLICY_FWD;
	ASSERT_EQ(0, skap_pol_add(&self->nl, &o, &ifwd)) TH_LOG("%s", self->nl.msg);
	EXPECT_NE(0, iout);
	EXPECT_NE(iout, iin);
	EXPECT_EQ(3, skap_dump(&self->nl, SKAP_CMD_GET_POLICY, dumped_cb, &d));
	EXPECT_EQ(ifwd, d.index);
	EXPECT_EQ(SKAP_POLICY_FWD, d.dir);
	ASSERT_EQ(0, skap_info(&self->nl, &i));
	EXPECT_EQ(3, i.policies);
	EXPECT_EQ(3, skap_xfrm_policies());
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm policy | grep -E '^src 10.1.0.0/16 dst 10.2.0.0/16 *$'"));
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm policy | grep -E 'dir out priority 0'"));
	EXPECT_EQ(3, skap_sh_lines("/usr/sbin/ip xfrm policy | grep -E 'proto esp reqid 7 mode tunnel'"));
	/* The same selector and direction again: EEXIST. */
	EXPECT_EQ(-EEXIST, skap_pol_add(&self->nl, &o, NULL));
	EXPECT_NE(0, strlen(self->nl.msg));
	EXPECT_EQ(-ENOENT, skap_pol_del(&self->nl, SKAP_POLICY_IN, iout));
	EXPECT_EQ(0, skap_pol_del(&self->nl, SKAP_POLICY_OUT, iout));
	EXPECT_EQ(2, skap_xfrm_policies());
	EXPECT_EQ(0, skap_flush(&self->nl));
	EXPECT_EQ(0, skap_xfrm_policies());
	EXPECT_EQ(0, skap_dump(&self->nl, SKAP_CMD_GET_POLICY, NULL, NULL));
}

/* Appends one attribute to a raw buffer. */
static size_t rawattr(unsigned char *buf, size_t off, uint16_t type,
		      const void *data, uint16_t len)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

	memcpy(buf + off, &a, sizeof(a));
	if (len)
		memcpy(buf + off + NLA_HDRLEN, data, len);
	memset(buf + off + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	return off + NLA_HDRLEN + NLA_ALIGN(len);
}

/* A good NEW_SA, as raw attributes, with @skip left out and @extra added. */
static size_t raw_sa(unsigned char *b, int32_t key, int skip)
{
	uint16_t fam = AF_INET;
	uint8_t mode = SKAP_MODE_TRANSPORT;
	unsigned char s[4] = { 192, 0, 2, 1 }, d[4] = { 192, 0, 2, 2 };
	size_t n = 0;

	if (skip != SKAP_A_KEY)
		n = rawattr(b, n, SKAP_A_KEY, &key, 4);
	if (skip != SKAP_A_FAMILY)
		n = rawattr(b, n, SKAP_A_FAMILY, &fam, 2);
	if (skip != SKAP_A_SRC)
		n = rawattr(b, n, SKAP_A_SRC, s, 4);
	if (skip != SKAP_A_DST)
		n = rawattr(b, n, SKAP_A_DST, d, 4);
	if (skip != SKAP_A_MODE)
		n = rawattr(b, n, SKAP_A_MODE, &mode, 1);
	return n;
}

/*
 * Runs @call, which must fail with -@err and an extended ACK message, and
 * leave both dumps as they were.
 */
#define REFUSE(err, call) REFUSE_MSG(err, call, 1)
/* The same, for refusals genetlink makes before skap sees the request. */
#define REFUSE_CORE(err, call) REFUSE_MSG(err, call, 0)
#define REFUSE_MSG(err, call, want_msg) do {						\
	int __ret;								\
	ASSERT_EQ(0, skap_snapshot(&self->nl, self->before));			\
	__ret = (call);								\
	EXPECT_EQ(-(err), __ret) TH_LOG("%s: %d (%s)", #call, __ret, self->nl.msg); \
	if (want_msg)								\
		EXPECT_NE(0, strlen(self->nl.msg)) TH_LOG("%s: no extack message", #call); \
	ASSERT_EQ(0, skap_snapshot(&self->nl, self->after));			\
	EXPECT_TRUE(skap_snap_equal(self->before, self->after))			\
		TH_LOG("%s changed the module's state", #call);			\
	EXPECT_EQ(states, skap_xfrm_states());					\
	EXPECT_EQ(policies, skap_xfrm_policies());				\
} while (0)

TEST_F(genl, malformed_input_changes_nothing)
{
	unsigned char b[512], big[64];
	struct skap_obj o;
	key_serial_t user, loose, revoked;
	uint32_t u32v;
	uint16_t u16v;
	uint8_t u8v;
	size_t n;
	int states, policies;

	/* Some state to keep: one SA and one policy. */
	o = sa4(self->kout);
	ASSERT_EQ(0, skap_sa_add(&self->nl, &o));
	o = pol4(SKAP_POLICY_OUT);
	ASSERT_EQ(0, skap_pol_add(&self->nl, &o, NULL));
	states = skap_xfrm_states();
	policies = skap_xfrm_policies();
	ASSERT_EQ(1, states);
	ASSERT_EQ(1, policies);

	memset(big, 1, sizeof(big));
	/* Missing required attributes. */
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, raw_sa(b, self->kin, SKAP_A_KEY)));
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, raw_sa(b, self->kin, SKAP_A_FAMILY)));
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, raw_sa(b, self->kin, SKAP_A_SRC)));
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, raw_sa(b, self->kin, SKAP_A_DST)));
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, raw_sa(b, self->kin, SKAP_A_MODE)));
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, 0));
	/* Unknown attribute, and one this command does not take. */
	n = raw_sa(b, self->kin, 0);
	u32v = 1;
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, rawattr(b, n, SKAP_A_MAX + 1, &u32v, 4)));
	n = raw_sa(b, self->kin, 0);
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, rawattr(b, n, SKAP_A_PRIORITY, &u32v, 4)));
	n = raw_sa(b, self->kin, 0);
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, rawattr(b, n, 200, &u32v, 4)));
	/* Wrong types and sizes. */
	n = raw_sa(b, self->kin, SKAP_A_KEY);
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, rawattr(b, n, SKAP_A_KEY, &u32v, 2)));
	n = raw_sa(b, self->kin, SKAP_A_KEY);
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, rawattr(b, n, SKAP_A_KEY, big, 8)));
	n = raw_sa(b, self->kin, SKAP_A_MODE);
	u8v = 2;
	REFUSE(ERANGE, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, rawattr(b, n, SKAP_A_MODE, &u8v, 1)));
	n = raw_sa(b, self->kin, SKAP_A_FAMILY);
	u16v = 99;
	REFUSE(EAFNOSUPPORT, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, rawattr(b, n, SKAP_A_FAMILY, &u16v, 2)));
	n = raw_sa(b, self->kin, SKAP_A_DST);
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, rawattr(b, n, SKAP_A_DST, big, 16)));
	n = raw_sa(b, self->kin, SKAP_A_DST);
	REFUSE(ERANGE, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, rawattr(b, n, SKAP_A_DST, big, 17)));
	n = raw_sa(b, self->kin, SKAP_A_DST);
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, rawattr(b, n, SKAP_A_DST, big, 5)));
	n = raw_sa(b, self->kin, SKAP_A_DST);
	memset(big + 32, 0, 4);
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, rawattr(b, n, SKAP_A_DST, big + 32, 4)));
	n = raw_sa(b, self->kin, 0);
	u32v = 100;
	REFUSE(ERANGE, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, rawattr(b, n, SKAP_A_SPI, &u32v, 4)));
	/* Trailing bytes that are no attribute. */
	n = raw_sa(b, self->kin, 0);
	memset(b + n, 0xff, 3);
	REFUSE_CORE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, n + 3));
	/* Bad keys: unknown, wrong type, not in the keyring, revoked, wrong SPI. */
	o = sa4(999999);
	o.dst = "192.0.2.9";
	REFUSE(ENOKEY, skap_sa_add(&self->nl, &o));
	user = add_key("user", "u", "x", 1, KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, user);
	o.key = user;
	REFUSE(ENOKEY, skap_sa_add(&self->nl, &o));
	loose = skap_key_add(KEY_SPEC_SESSION_KEYRING, 9, SKAP_KEY_DIR_IN, 0x9000, 9);
	ASSERT_LT(0, loose);
	o.key = loose;
	REFUSE(ENOKEY, skap_sa_add(&self->nl, &o));
	revoked = skap_key_add(self->info.keyring, 8, SKAP_KEY_DIR_IN, 0x8000, 8);
	ASSERT_LT(0, revoked);
	ASSERT_EQ(0, keyctl_revoke(revoked));
	o.key = revoked;
	REFUSE(EKEYREVOKED, skap_sa_add(&self->nl, &o));
	o = sa4(self->kin);
	o.spi = 0x1001;
	REFUSE(EINVAL, skap_sa_add(&self->nl, &o));
	/* The same destination and SPI again. */
	o = sa4(self->kout);
	REFUSE(EEXIST, skap_sa_add(&self->nl, &o));
	/* Bad selectors, lifetimes, marks. */
	o = sa4(self->kin);
	o.sel_src = "10.0.0.0/33";
	REFUSE(EINVAL, skap_sa_add(&self->nl, &o));
	o = sa4(self->kin);
	o.sel_dst = "2001:db8::/64";	/* not an IPv4 address: left out, plen 64 */
	REFUSE(EINVAL, skap_sa_add(&self->nl, &o));
	o = sa4(self->kin);
	o.dport = 80;
	REFUSE(EINVAL, skap_sa_add(&self->nl, &o));
	o = sa4(self->kin);
	o.proto = IPPROTO_ICMP;
	o.dport = 80;
	REFUSE(EINVAL, skap_sa_add(&self->nl, &o));
	o = sa4(self->kin);
	o.soft_s = 20;
	o.hard_s = 10;
	REFUSE(EINVAL, skap_sa_add(&self->nl, &o));
	o = sa4(self->kin);
	o.soft_bytes = 5;
	o.hard_bytes = 5;
	REFUSE(EINVAL, skap_sa_add(&self->nl, &o));
	n = raw_sa(b, self->kin, 0);
	u32v = 1;
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b, rawattr(b, n, SKAP_A_MARK, &u32v, 4)));
	n = raw_sa(b, self->kin, 0);
	{
		unsigned char nest[16];
		size_t k = rawattr(nest, 0, SKAP_SEL_MAX + 1, &u32v, 4);

		REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_SA, b,
					rawattr(b, n, SKAP_A_SEL, nest, k)));
	}
	o = sa4(self->kin);
	o.family = AF_INET6;
	o.src = "2001:db8::1";
	o.dst = "2001:db8::2";
	o.sel_src = "192.0.2.0/24";	/* an IPv4 selector in an IPv6 SA */
	REFUSE(EINVAL, skap_sa_add(&self->nl, &o));

	/* DEL_SA: unknown SA, missing attributes. */
	REFUSE(ENOENT, skap_sa_del(&self->nl, AF_INET, "192.0.2.2", 0x7777));
	REFUSE(ENOENT, skap_sa_del(&self->nl, AF_INET, "192.0.2.99", 0x1001));
	n = rawattr(b, 0, SKAP_A_SPI, &(uint32_t){ 0x1001 }, 4);
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_DEL_SA, b, n));

	/* Policies: missing selector, tunnel without endpoints, bad direction. */
	o = pol4(SKAP_POLICY_IN);
	o.src = NULL;
	REFUSE(EINVAL, skap_pol_add(&self->nl, &o, NULL));
	o = pol4(SKAP_POLICY_OUT);
	REFUSE(EEXIST, skap_pol_add(&self->nl, &o, NULL));
	o = pol4(3);
	REFUSE(ERANGE, skap_pol_add(&self->nl, &o, NULL));
	{
		uint16_t fam = AF_INET;
		uint8_t dir = SKAP_POLICY_IN, mode = SKAP_MODE_TRANSPORT;

		n = rawattr(b, 0, SKAP_A_FAMILY, &fam, 2);
		n = rawattr(b, n, SKAP_A_DIR, &dir, 1);
		n = rawattr(b, n, SKAP_A_MODE, &mode, 1);
		REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_POLICY, b, n));
		n = rawattr(b, n, SKAP_A_KEY, &self->kin, 4);
		REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_NEW_POLICY, b, n));
	}
	REFUSE(ENOENT, skap_pol_del(&self->nl, SKAP_POLICY_OUT, 123456));
	REFUSE(ERANGE, skap_pol_del(&self->nl, 7, 1));

	/* Commands without attributes take none. */
	n = rawattr(b, 0, SKAP_A_SPI, &(uint32_t){ 0x1001 }, 4);
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_GET_INFO, b, n));
	REFUSE(EINVAL, skap_raw(&self->nl, SKAP_CMD_FLUSH, b, n));
	/* Events are not commands (genetlink answers, without a message). */
	EXPECT_EQ(-EOPNOTSUPP, skap_raw(&self->nl, SKAP_CMD_ACQUIRE, b, 0));
	EXPECT_EQ(-EOPNOTSUPP, skap_raw(&self->nl, 200, b, 0));
	ASSERT_EQ(0, skap_snapshot(&self->nl, self->after));
	EXPECT_TRUE(skap_snap_equal(self->before, self->after));
}

/* Foreign states and policies: not shown, not deleted, not flushed. */
TEST_F(genl, ownership)
{
	struct skap_obj o = sa4(self->kout);
	struct skap_info i;

	ASSERT_EQ(0, skap_sh("/usr/sbin/ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x2222 mode transport aead 'rfc4106(gcm(aes))' 0x%072d 128", 0));
	ASSERT_EQ(0, skap_sh("/usr/sbin/ip xfrm state add src 192.0.2.1 dst 192.0.2.5 proto esp spi 0x1001 mode transport aead 'rfc4106(gcm(aes))' 0x%072d 128", 0));
	ASSERT_EQ(0, skap_sh("/usr/sbin/ip xfrm policy add src 10.9.0.0/16 dst 10.8.0.0/16 dir out tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel"));
	ASSERT_EQ(0, skap_sa_add(&self->nl, &o)) TH_LOG("%s", self->nl.msg);
	EXPECT_EQ(1, skap_dump(&self->nl, SKAP_CMD_GET_SA, NULL, NULL));
	EXPECT_EQ(0, skap_dump(&self->nl, SKAP_CMD_GET_POLICY, NULL, NULL));
	EXPECT_EQ(-ENOENT, skap_sa_del(&self->nl, AF_INET, "192.0.2.2", 0x2222));
	/* The foreign state holds 192.0.2.5/0x1001: skap's add collides. */
	o.dst = "192.0.2.5";
	EXPECT_EQ(-EEXIST, skap_sa_add(&self->nl, &o));
	EXPECT_EQ(-ENOENT, skap_sa_del(&self->nl, AF_INET, "192.0.2.5", 0x1001));
	EXPECT_EQ(3, skap_xfrm_states());
	EXPECT_EQ(0, skap_flush(&self->nl));
	EXPECT_EQ(2, skap_xfrm_states());
	EXPECT_EQ(1, skap_xfrm_policies());
	ASSERT_EQ(0, skap_info(&self->nl, &i));
	EXPECT_EQ(0, i.sas);
}

static int wait_sas(struct skap_nl *nl, unsigned int want, int seconds)
{
	struct skap_info i;
	int t;

	for (t = 0; t < seconds * 10; t++) {
		if (!skap_info(nl, &i) && i.sas == want)
			return 0;
		usleep(100000);
	}
	return -1;
}

/* Revoking a key removes its SAs; so does someone else deleting them. */
TEST_F(genl, key_revoke_and_foreign_delete)
{
	struct skap_obj o = sa4(self->kout);

	ASSERT_EQ(0, skap_sa_add(&self->nl, &o));
	o.dst = "192.0.2.3";
	ASSERT_EQ(0, skap_sa_add(&self->nl, &o));
	o = sa4(self->kin);
	o.src = "192.0.2.2";
	o.dst = "192.0.2.1";
	ASSERT_EQ(0, skap_sa_add(&self->nl, &o));
	ASSERT_EQ(3, skap_xfrm_states());
	ASSERT_EQ(0, keyctl_revoke(self->kout));
	EXPECT_EQ(0, wait_sas(&self->nl, 1, 3));
	EXPECT_EQ(1, skap_xfrm_states());
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm state | grep 'spi 0x00001002'"));
	/* An administrator's flush: the module forgets its SA. */
	ASSERT_EQ(0, skap_sh("/usr/sbin/ip xfrm state flush"));
	EXPECT_EQ(0, wait_sas(&self->nl, 0, 3));
	EXPECT_EQ(0, skap_dump(&self->nl, SKAP_CMD_GET_SA, NULL, NULL));
	/* The same for policies. */
	{
		struct skap_obj p = pol4(SKAP_POLICY_OUT);
		struct skap_info i;
		int t;

		ASSERT_EQ(0, skap_pol_add(&self->nl, &p, NULL));
		ASSERT_EQ(0, skap_sh("/usr/sbin/ip xfrm policy flush"));
		for (t = 0; t < 30; t++) {
			if (!skap_info(&self->nl, &i) && !i.policies)
				break;
			usleep(100000);
		}
		EXPECT_EQ(0, i.policies);
		EXPECT_EQ(0, skap_dump(&self->nl, SKAP_CMD_GET_POLICY, NULL, NULL));
	}
}

/* An SA never outlives its key. */
TEST_F(genl, key_expiry_bounds_the_sa)
{
	struct skap_key_payload p;
	struct skap_obj o;
	struct dumped d = {};
	key_serial_t k;

	skap_payload(&p, 0x44, "peer-b", SKAP_KEY_DIR_OUT, 0x4400, (uint64_t)time(NULL) + 3, 0x44);
	k = skap_key_add_p(&p, self->info.keyring);
	ASSERT_LT(0, k);
	o = sa4(k);
	o.hard_s = 3600;
	ASSERT_EQ(0, skap_sa_add(&self->nl, &o)) TH_LOG("%s", self->nl.msg);
	ASSERT_EQ(1, skap_dump(&self->nl, SKAP_CMD_GET_SA, dumped_cb, &d));
	EXPECT_GE(3, d.hard_s);
	EXPECT_LT(0, d.hard_s);
	EXPECT_EQ(0, wait_sas(&self->nl, 0, 8));
	EXPECT_EQ(0, skap_xfrm_states());
	/* And an expired key builds nothing. */
	o = sa4(k);
	EXPECT_NE(0, skap_sa_add(&self->nl, &o));
}

/* A timeout set on the key later (keyctl timeout) removes its SAs too. */
TEST_F_TIMEOUT(genl, key_timeout_removes_the_sa, 60)
{
	struct skap_obj o = sa4(self->kout);

	ASSERT_EQ(0, skap_sa_add(&self->nl, &o)) TH_LOG("%s", self->nl.msg);
	o = sa4(self->kin);
	o.src = "192.0.2.2";
	o.dst = "192.0.2.1";
	ASSERT_EQ(0, skap_sa_add(&self->nl, &o)) TH_LOG("%s", self->nl.msg);
	ASSERT_EQ(0, keyctl_set_timeout(self->kout, 1));
	/* The check runs every SKAP_REAP_INTERVAL_S seconds. */
	EXPECT_EQ(0, wait_sas(&self->nl, 1, SKAP_REAP_INTERVAL_S + 4));
	EXPECT_EQ(1, skap_xfrm_states());
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm state | grep 'spi 0x00001002'"));
}

static int dst_index(struct nlattr **tb)
{
	const unsigned char *a;

	if (!tb[SKAP_A_DST] || nla_len(tb[SKAP_A_DST]) != 4)
		return -1;
	a = nla_data(tb[SKAP_A_DST]);
	return (a[1] - 100) * 65536 + a[2] * 256 + a[3];
}

static int sum_cb(struct nlmsghdr *h, struct nlattr **tb, void *arg)
{
	*(long long *)arg += dst_index(tb);
	return 0;
}

/* A dump of 10 000 entries spans many messages and resumes. */
TEST_F_TIMEOUT(genl, dump_many, 300)
{
	struct skap_obj o = sa4(self->kout);
	char dst[32];
	long long sum = 0, want = 0;
	int i, n = 10000;

	for (i = 0; i < n; i++) {
		snprintf(dst, sizeof(dst), "10.%d.%d.%d", 100 + i / 65536,
			 (i / 256) % 256, i % 256);
		o.dst = dst;
		ASSERT_EQ(0, skap_sa_add(&self->nl, &o)) TH_LOG("%d: %s", i, self->nl.msg);
	}
	EXPECT_EQ(n, skap_dump(&self->nl, SKAP_CMD_GET_SA, sum_cb, &sum));
	for (i = 0; i < n; i++)
		want += i;
	EXPECT_EQ(want, sum) TH_LOG("an SA was skipped or repeated");
	EXPECT_EQ(n, skap_xfrm_states());
	for (i = 0; i < n; i += 2) {
		snprintf(dst, sizeof(dst), "10.%d.%d.%d", 100 + i / 65536,
			 (i / 256) % 256, i % 256);
		ASSERT_EQ(0, skap_sa_del(&self->nl, AF_INET, dst, 0x1001));
	}
	EXPECT_EQ(n / 2, skap_dump(&self->nl, SKAP_CMD_GET_SA, NULL, NULL));
	EXPECT_EQ(0, skap_flush(&self->nl));
	EXPECT_EQ(0, skap_dump(&self->nl, SKAP_CMD_GET_SA, NULL, NULL));
	EXPECT_EQ(0, skap_xfrm_states());
}

/*
 * A dump that spans many messages, with SAs deleted while it is under way:
 * no SA is reported twice, every SA that stays is reported, the deleted ones
 * not yet reached are not, and the dump says it was interrupted.
 */
TEST_F_TIMEOUT(genl, dump_resumes_across_changes, 120)
{
	static unsigned char seen[2000], buf[1 << 16];
	struct skap_obj o = sa4(self->kout);
	int i, n = 2000, fd, done = 0, intr = 0, dups = 0, parts = 0;
	struct skap_nl nl2;
	struct nl_msg *m;
	char dst[32];

	for (i = 0; i < n; i++) {
		snprintf(dst, sizeof(dst), "10.%d.%d.%d", 100 + i / 65536, (i / 256) % 256, i % 256);
		o.dst = dst;
		ASSERT_EQ(0, skap_sa_add(&self->nl, &o)) TH_LOG("%d: %s", i, self->nl.msg);
	}
	ASSERT_EQ(0, skap_nl_open(&nl2));
	m = skap_msg(&self->nl, SKAP_CMD_GET_SA, NLM_F_DUMP);
	nl_complete_msg(self->nl.sk, m);
	ASSERT_LT(0, nl_send(self->nl.sk, m));
	nlmsg_free(m);
	fd = nl_socket_get_fd(self->nl.sk);
	while (!done) {
		struct nlmsghdr *h;
		int len = recv(fd, buf, sizeof(buf), 0);

		ASSERT_LT(0, len);
		parts++;
		for (h = (struct nlmsghdr *)buf; nlmsg_ok(h, len); h = nlmsg_next(h, &len)) {
			struct nlattr *tb[SKAP_A_MAX + 1];
			int idx;

			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = 1;
			ASSERT_EQ(0, genlmsg_parse(h, 0, tb, SKAP_A_MAX, NULL));
			idx = dst_index(tb);
			ASSERT_TRUE(idx >= 0 && idx < n);
			if (seen[idx]++)
				dups++;
		}
		if (parts == 1) {
			/* After the first part: delete ten at each end. */
			for (i = 0; i < 10; i++) {
				snprintf(dst, sizeof(dst), "10.100.0.%d", i);
				ASSERT_EQ(0, skap_sa_del(&nl2, AF_INET, dst, 0x1001));
				snprintf(dst, sizeof(dst), "10.100.%d.%d", (n - 1 - i) / 256, (n - 1 - i) % 256);
				ASSERT_EQ(0, skap_sa_del(&nl2, AF_INET, dst, 0x1001));
			}
		}
	}
	TH_LOG("%d parts", parts);
	EXPECT_LT(3, parts);
	EXPECT_EQ(0, dups);
	EXPECT_TRUE(intr);
	for (i = 10; i < n - 10; i++)
		EXPECT_EQ(1, seen[i]) TH_LOG("SA %d reported %d times", i, seen[i]);
	for (i = n - 10; i < n; i++)
		EXPECT_EQ(0, seen[i]);
	skap_nl_close(&nl2);
}

TEST_HARNESS_MAIN
