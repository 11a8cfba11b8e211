// SPDX-License-Identifier: GPL-2.0
/*
 * libskap's module client (include/skap/kmod.h) against the real module:
 * what skapd and skapctl will use. Keys through skap_key_add, SAs and
 * policies through netlink, dumps read back field by field, the kernel's
 * extack message surfaces in the error, acquires arrive as events.
 */

#include <skap/kmod.h>

#include <linux/skap.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

static void v4(uint8_t out[16], const char *s)
{
	memset(out, 0, 16);
	inet_pton(AF_INET, s, out);
}

static int count_sa(const struct skap_sa *sa, void *arg)
{
	(void)sa;
	(*(int *)arg)++;
	return 0;
}

static int count_policy(const struct skap_policy *p, void *arg)
{
	(void)p;
	(*(int *)arg)++;
	return 0;
}

struct found_sa {
	uint32_t spi;
	struct skap_sa sa;
	int hits;
};

static int find_sa(const struct skap_sa *sa, void *arg)
{
	struct found_sa *f = arg;

	if (sa->spi == f->spi) {
		f->sa = *sa;
		f->hits++;
	}
	return 0;
}

static int stop_at_first(const struct skap_sa *sa, void *arg)
{
	(void)sa;
	(*(int *)arg)++;
	return 42;
}

FIXTURE(client)
{
	struct skap_kmod *km;
	struct skap_kmod_info info;
};

FIXTURE_SETUP(client)
{
	struct skap_kmod_error err;

	ASSERT_EQ(0, skap_kmod_open(&self->km, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(0, skap_kmod_flush(self->km, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(0, skap_kmod_info(self->km, &self->info, &err)) TH_LOG("%s", err.msg);
}

FIXTURE_TEARDOWN(client)
{
	struct skap_kmod_error err;

	skap_kmod_flush(self->km, &err);
	skap_kmod_close(self->km);
}

static int32_t add_key(int32_t keyring, uint32_t spi, uint8_t dir)
{
	struct skap_key_params p;
	int32_t serial;

	memset(&p, 0, sizeof(p));
	for (int i = 0; i < 16; i++)
		p.kid[i] = (uint8_t)(i + spi);
	strcpy(p.peer, "dev-b");
	p.dir = dir;
	p.spi = spi;
	p.expiry = (uint64_t)time(NULL) + 3600;
	memset(p.key, 0x5a, sizeof(p.key));
	if (skap_key_add(keyring, &p, &serial))
		return -1;
	return serial;
}

TEST_F(client, info)
{
	EXPECT_EQ(SKAP_GENL_VERSION, self->info.version);
	EXPECT_GT(self->info.keyring, 0);
	EXPECT_EQ(0, self->info.sa_count);
	EXPECT_EQ(0, self->info.policy_count);
}

TEST_F(client, sa_add_dump_delete)
{
	struct skap_kmod_error err;
	struct skap_kmod_info info;
	struct found_sa f = { .spi = 0x1001 };
	struct skap_sa sa;
	int32_t key = add_key(self->info.keyring, 0x1001, SKAP_KEY_DIR_OUT);
	int n = 0, stopped = 0;

	ASSERT_GT(key, 0);
	memset(&sa, 0, sizeof(sa));
	sa.key = key;
	sa.family = AF_INET;
	v4(sa.src, "198.51.100.1");
	v4(sa.dst, "198.51.100.2");
	sa.spi = 0x1001;
	sa.mode = SKAP_MODE_TUNNEL;
	sa.reqid = 7;
	sa.lifetime.soft_seconds = 50;
	sa.lifetime.hard_seconds = 60;
	ASSERT_EQ(0, skap_kmod_new_sa(self->km, &sa, &err)) TH_LOG("%s", err.msg);

	ASSERT_EQ(0, skap_kmod_dump_sas(self->km, find_sa, &f, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(1, f.hits);
	EXPECT_EQ(key, f.sa.key);
	EXPECT_EQ(AF_INET, f.sa.family);
	EXPECT_EQ(0, memcmp(sa.dst, f.sa.dst, 4));
	EXPECT_EQ(SKAP_MODE_TUNNEL, f.sa.mode);
	EXPECT_EQ(7, f.sa.reqid);
	EXPECT_EQ(SKAP_KEY_DIR_OUT, f.sa.dir);
	EXPECT_EQ(60, f.sa.lifetime.hard_seconds);
	EXPECT_EQ(50, f.sa.lifetime.soft_seconds);
	EXPECT_GT(f.sa.stats.add_time, 0);
	ASSERT_EQ(0, skap_kmod_info(self->km, &info, &err));
	EXPECT_EQ(1, info.sa_count);

	/* A callback that stops the dump: its value comes back. */
	EXPECT_EQ(42, skap_kmod_dump_sas(self->km, stop_at_first, &stopped, &err));
	EXPECT_EQ(1, stopped);

	ASSERT_EQ(0, skap_kmod_del_sa(self->km, AF_INET, sa.dst, 0x1001, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(0, skap_kmod_dump_sas(self->km, count_sa, &n, &err));
	EXPECT_EQ(0, n);
	EXPECT_EQ(-ENOENT, skap_kmod_del_sa(self->km, AF_INET, sa.dst, 0x1001, &err));
	skap_key_revoke(key);
}

TEST_F(client, kernel_message_reaches_the_caller)
{
	struct skap_kmod_error err;
	struct skap_sa sa;
	int n = 0;

	memset(&sa, 0, sizeof(sa));
	sa.key = 0x7fffffff; /* no such key */
	sa.family = AF_INET;
	v4(sa.src, "198.51.100.1");
	v4(sa.dst, "198.51.100.2");
	sa.spi = 0x2002;
	sa.mode = SKAP_MODE_TRANSPORT;
	EXPECT_GT(0, skap_kmod_new_sa(self->km, &sa, &err));
	EXPECT_GT(0, err.code);
	EXPECT_NE(0, strlen(err.msg));
	TH_LOG("kernel says: %s (%d)", err.msg, err.code);
	ASSERT_EQ(0, skap_kmod_dump_sas(self->km, count_sa, &n, &err));
	EXPECT_EQ(0, n) TH_LOG("a refused SA leaves nothing");

	sa.family = 99;
	EXPECT_EQ(-EINVAL, skap_kmod_new_sa(self->km, &sa, &err));
	EXPECT_NE(NULL, strstr(err.msg, "neither IPv4 nor IPv6"));
}

TEST_F(client, policy_add_dump_delete)
{
	struct skap_kmod_error err;
	struct skap_policy p;
	uint32_t index = 0;
	int n = 0;

	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	p.dir = SKAP_POLICY_OUT;
	p.sel.src = (struct skap_prefix){ .family = AF_INET, .len = 25 };
	v4(p.sel.src.addr, "192.0.2.0");
	p.sel.dst = (struct skap_prefix){ .family = AF_INET, .len = 25 };
	v4(p.sel.dst.addr, "192.0.2.128");
	p.mode = SKAP_MODE_TUNNEL;
	p.has_addrs = true;
	v4(p.src, "198.51.100.1");
	v4(p.dst, "198.51.100.2");
	p.reqid = 9;
	ASSERT_EQ(0, skap_kmod_new_policy(self->km, &p, &index, &err)) TH_LOG("%s", err.msg);
	EXPECT_NE(0, index);
	EXPECT_GT(0, skap_kmod_new_policy(self->km, &p, &index, &err)) TH_LOG("duplicate");
	TH_LOG("duplicate policy: %s", err.msg);
	ASSERT_EQ(0, skap_kmod_dump_policies(self->km, count_policy, &n, &err));
	EXPECT_EQ(1, n);
	ASSERT_EQ(0, skap_kmod_flush(self->km, &err));
	n = 0;
	ASSERT_EQ(0, skap_kmod_dump_policies(self->km, count_policy, &n, &err));
	EXPECT_EQ(0, n);
}

static void count_acquire(const struct skap_event *e, void *arg)
{
	if (e->type == SKAP_EVENT_ACQUIRE)
		(*(int *)arg)++;
}

TEST_F(client, acquire_arrives_as_an_event)
{
	struct skap_kmod_events *ev;
	struct skap_kmod_error err;
	struct skap_policy p;
	struct pollfd pfd;
	uint32_t index;
	int acquires = 0;

	ASSERT_EQ(0, skap_kmod_events_open(&ev, &err)) TH_LOG("%s", err.msg);
	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	p.dir = SKAP_POLICY_OUT;
	p.sel.dst = (struct skap_prefix){ .family = AF_INET, .len = 32 };
	v4(p.sel.dst.addr, "203.0.113.77");
	p.mode = SKAP_MODE_TRANSPORT;
	p.reqid = 11;
	ASSERT_EQ(0, skap_kmod_new_policy(self->km, &p, &index, &err)) TH_LOG("%s", err.msg);
	/* Traffic that hits the policy and finds no SA. */
	ASSERT_EQ(0, system("/usr/sbin/ip link add skapdummy type veth peer name skapdummy1;"
			    "/usr/sbin/ip link set skapdummy1 up;"
			    "/usr/sbin/ip addr add 203.0.113.1/24 dev skapdummy;"
			    "/usr/sbin/ip link set skapdummy up;"
			    "ping -c 1 -W 1 203.0.113.77 >/dev/null 2>&1; true"));
	pfd.fd = skap_kmod_events_fd(ev);
	pfd.events = POLLIN;
	for (int i = 0; i < 20 && !acquires; i++) {
		poll(&pfd, 1, 100);
		ASSERT_LE(0, skap_kmod_events_read(ev, count_acquire, &acquires));
	}
	EXPECT_GE(acquires, 1);
	skap_kmod_events_close(ev);
	if (system("/usr/sbin/ip link del skapdummy"))
		TH_LOG("could not delete the dummy link");
}

TEST_HARNESS_MAIN
