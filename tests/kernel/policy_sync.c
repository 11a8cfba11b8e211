// SPDX-License-Identifier: GPL-2.0
/*
 * Links to policies against the real module: a first sync installs what the
 * configuration asks for (visible to `ip xfrm policy`), a second changes
 * nothing, a changed configuration changes only what differs (a policy whose
 * slot stays is replaced in one step, keeping its index), and policies made
 * by hand with ip xfrm are never touched.
 */

#include <skap/config.h>
#include <skap/policy_sync.h>

#include <linux/skap.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kselftest_harness.h"

#define HEAD "[skapd]\nplatform = https://platform.example\n"
#define LINK_B                                                                                     \
	"[link b]\npeer = dev-b\npeer-address = 203.0.113.2\nlocal-address = 198.51.100.1\n"      \
	"local = 192.0.2.0/25\nremote = 192.0.2.128/26, 192.0.2.192/26\n"
#define LINK_B2                                                                                    \
	"[link b]\npeer = dev-b\npeer-address = 203.0.113.7\nlocal-address = 198.51.100.1\n"      \
	"local = 192.0.2.0/25\nremote = 192.0.2.128/26, 192.0.2.192/26\n"
#define LINK_C                                                                                     \
	"[link c]\npeer = dev-c\npeer-address = 2001:db8:2::1\nlocal-address = 2001:db8:1::1\n"   \
	"mode = transport\n"
#define LINK_C2                                                                                    \
	"[link c]\npeer = dev-c\npeer-address = 2001:db8:2::9\nlocal-address = 2001:db8:1::1\n"   \
	"mode = transport\n"

static int load(const char *text, struct skap_daemon_config *cfg)
{
	struct skap_config_diag diag;
	int ret = skap_config_parse("test", text, strlen(text), cfg, &diag);

	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "# %s\n", diag.msgs[i]);
	skap_config_diag_free(&diag);
	return ret;
}

/* Policies the kernel shows through ip xfrm, whoever made them. */
static int xfrm_policy_count(void)
{
	FILE *f = popen("/usr/sbin/ip xfrm policy | grep -c '^src'", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	pclose(f);
	return n;
}

FIXTURE(sync)
{
	struct skap_kmod *km;
};

FIXTURE_SETUP(sync)
{
	struct skap_kmod_error err;

	ASSERT_EQ(0, skap_kmod_open(&self->km, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(0, skap_kmod_flush(self->km, &err));
	ASSERT_EQ(0, system("/usr/sbin/ip xfrm policy flush"));
}

FIXTURE_TEARDOWN(sync)
{
	struct skap_kmod_error err;

	skap_kmod_flush(self->km, &err);
	skap_kmod_close(self->km);
	if (system("/usr/sbin/ip xfrm policy flush"))
		TH_LOG("flush failed");
}

TEST(link_policies_shape)
{
	struct skap_daemon_config cfg;
	struct skap_policy p[16];

	ASSERT_EQ(0, load(HEAD LINK_B LINK_C, &cfg));
	/* Tunnel: 1 local x 2 remote x (out, in, fwd). */
	EXPECT_EQ(6, skap_link_policies(&cfg.links[0], p, 16));
	EXPECT_EQ(SKAP_POLICY_OUT, p[0].dir);
	EXPECT_EQ(25, p[0].sel.src.len);
	EXPECT_TRUE(p[0].has_addrs);
	EXPECT_EQ(SKAP_POLICY_FWD, p[2].dir);
	EXPECT_EQ(skap_link_reqid("b"), p[0].reqid);
	EXPECT_NE(skap_link_reqid("b"), skap_link_reqid("c"));
	EXPECT_EQ(-ENOSPC, skap_link_policies(&cfg.links[0], p, 5));
	/* Transport: out and in between the two endpoints, no template addresses. */
	EXPECT_EQ(2, skap_link_policies(&cfg.links[1], p, 16));
	EXPECT_FALSE(p[0].has_addrs);
	EXPECT_EQ(128, p[0].sel.dst.len);
	skap_config_free(&cfg);
}

TEST_F(sync, install_then_nothing_then_only_the_difference)
{
	struct skap_daemon_config cfg;
	struct skap_sync_stats st;
	struct skap_kmod_error err;

	ASSERT_EQ(0, system("/usr/sbin/ip xfrm policy add src 10.9.0.0/16 dst 10.8.0.0/16 dir out"
			    " tmpl src 198.51.100.1 dst 198.51.100.9 proto esp mode tunnel"));
	ASSERT_EQ(0, load(HEAD LINK_B LINK_C, &cfg));
	ASSERT_EQ(0, skap_policy_sync(self->km, &cfg, &st, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(8, st.added);
	EXPECT_EQ(0, st.kept);
	EXPECT_EQ(0, st.removed);
	EXPECT_EQ(9, xfrm_policy_count()) TH_LOG("8 of ours and the hand-made one");

	/* A restart with the same configuration: nothing moves. */
	ASSERT_EQ(0, skap_policy_sync(self->km, &cfg, &st, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(0, st.added);
	EXPECT_EQ(8, st.kept);
	EXPECT_EQ(0, st.removed);
	skap_config_free(&cfg);

	/* Link c moves to another peer address; link b is untouched. */
	ASSERT_EQ(0, load(HEAD LINK_B LINK_C2, &cfg));
	ASSERT_EQ(0, skap_policy_sync(self->km, &cfg, &st, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(6, st.kept);
	EXPECT_EQ(2, st.removed);
	EXPECT_EQ(2, st.added);
	skap_config_free(&cfg);

	/* Link b goes away. */
	ASSERT_EQ(0, load(HEAD LINK_C2, &cfg));
	ASSERT_EQ(0, skap_policy_sync(self->km, &cfg, &st, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(2, st.kept);
	EXPECT_EQ(6, st.removed);
	EXPECT_EQ(0, st.added);
	EXPECT_EQ(3, xfrm_policy_count()) TH_LOG("the hand-made policy survives every sync");
	skap_config_free(&cfg);
}

static int collect_index(const struct skap_policy *p, void *arg)
{
	uint32_t *sum = arg;

	*sum += p->index * 2654435761u + p->dir;
	return 0;
}

/* A digest of the module's policy indexes: equal when every index was kept. */
static uint32_t index_digest(struct skap_kmod *km)
{
	struct skap_kmod_error err;
	uint32_t sum = 0;

	if (skap_kmod_dump_policies(km, collect_index, &sum, &err))
		return 0;
	return sum;
}

TEST_F(sync, changed_template_is_replaced_in_place)
{
	struct skap_daemon_config cfg;
	struct skap_sync_stats st;
	struct skap_kmod_error err;
	uint32_t before;

	ASSERT_EQ(0, load(HEAD LINK_B LINK_C, &cfg));
	ASSERT_EQ(0, skap_policy_sync(self->km, &cfg, &st, &err)) TH_LOG("%s", err.msg);
	skap_config_free(&cfg);
	before = index_digest(self->km);
	ASSERT_NE(0, before);

	/* Link b's peer moves: same selectors, other template addresses. */
	ASSERT_EQ(0, load(HEAD LINK_B2 LINK_C, &cfg));
	ASSERT_EQ(0, skap_policy_sync(self->km, &cfg, &st, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(6, st.replaced);
	EXPECT_EQ(2, st.kept);
	EXPECT_EQ(0, st.removed);
	EXPECT_EQ(0, st.added);
	EXPECT_EQ(before, index_digest(self->km)) TH_LOG("a replaced policy keeps its index");
	EXPECT_EQ(8, xfrm_policy_count());
	EXPECT_EQ(0, system("/usr/sbin/ip xfrm policy | grep -q 'tmpl src 198.51.100.1 dst 203.0.113.7'"));
	EXPECT_NE(0, system("/usr/sbin/ip xfrm policy | grep -q 203.0.113.2"));
	/* And back: a second sync with the same file moves nothing. */
	ASSERT_EQ(0, skap_policy_sync(self->km, &cfg, &st, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(8, st.kept);
	EXPECT_EQ(0, st.replaced);
	skap_config_free(&cfg);
}

TEST_F(sync, replace_never_takes_a_hand_made_policy)
{
	struct skap_kmod_error err;
	struct skap_policy p;
	uint32_t index;

	ASSERT_EQ(0, system("/usr/sbin/ip xfrm policy add src 10.9.0.0/16 dst 10.8.0.0/16 dir out"
			    " tmpl src 198.51.100.1 dst 198.51.100.9 proto esp mode tunnel"));
	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	p.dir = SKAP_POLICY_OUT;
	p.sel.src.family = p.sel.dst.family = AF_INET;
	inet_pton(AF_INET, "10.9.0.0", p.sel.src.addr);
	inet_pton(AF_INET, "10.8.0.0", p.sel.dst.addr);
	p.sel.src.len = p.sel.dst.len = 16;
	p.mode = SKAP_MODE_TRANSPORT;
	EXPECT_EQ(-EEXIST, skap_kmod_replace_policy(self->km, &p, &index, &err));
	EXPECT_EQ(0, system("/usr/sbin/ip xfrm policy | grep -q 'dst 198.51.100.9'"))
		TH_LOG("the hand-made policy is still there");
	/* A free slot: replace creates. */
	p.sel.src.len = 24;
	EXPECT_EQ(0, skap_kmod_replace_policy(self->km, &p, &index, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(2, xfrm_policy_count());
}

/* An SA for LINK's reqid, built from a fresh key. */
static int add_sa(struct skap_kmod *km, const char *link, uint32_t spi, const char *dst)
{
	struct skap_kmod_info info;
	struct skap_kmod_error err;
	struct skap_key_params k;
	struct skap_sa sa;

	if (skap_kmod_info(km, &info, &err))
		return -1;
	memset(&k, 0, sizeof(k));
	strcpy(k.peer, "dev-x");
	k.dir = SKAP_KEY_DIR_OUT;
	k.spi = spi;
	k.expiry = (uint64_t)time(NULL) + 600;
	memset(k.key, 7, sizeof(k.key));
	memset(&sa, 0, sizeof(sa));
	if (skap_key_add(info.keyring, &k, &sa.key))
		return -1;
	sa.family = AF_INET;
	inet_pton(AF_INET, "198.51.100.1", sa.src);
	inet_pton(AF_INET, dst, sa.dst);
	sa.spi = spi;
	sa.mode = SKAP_MODE_TUNNEL;
	sa.reqid = skap_link_reqid(link);
	return skap_kmod_new_sa(km, &sa, &err);
}

static int count_sa(const struct skap_sa *sa, void *arg)
{
	(void)sa;
	(*(int *)arg)++;
	return 0;
}

TEST_F(sync, removed_link_takes_its_sas_along)
{
	struct skap_daemon_config cfg;
	struct skap_sync_stats st;
	struct skap_kmod_error err;
	int n = 0;

	ASSERT_EQ(0, load(HEAD LINK_B LINK_C, &cfg));
	ASSERT_EQ(0, skap_policy_sync(self->km, &cfg, &st, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(0, st.sas_removed);
	skap_config_free(&cfg);
	ASSERT_EQ(0, add_sa(self->km, "b", 0x3001, "203.0.113.2"));
	ASSERT_EQ(0, add_sa(self->km, "c", 0x3002, "203.0.113.3"));

	ASSERT_EQ(0, load(HEAD LINK_C, &cfg));
	ASSERT_EQ(0, skap_policy_sync(self->km, &cfg, &st, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(1, st.sas_removed);
	ASSERT_EQ(0, skap_kmod_dump_sas(self->km, count_sa, &n, &err));
	EXPECT_EQ(1, n) TH_LOG("link c's SA stays");
	ASSERT_EQ(0, skap_policy_sync(self->km, &cfg, &st, &err));
	EXPECT_EQ(0, st.sas_removed);
	skap_config_free(&cfg);
}

TEST_HARNESS_MAIN
