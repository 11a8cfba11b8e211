// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle: unloading the module removes every state, policy, key and
 * keyring it made, in every namespace, and nothing else; it loads again.
 * A storm of 10 000 SA additions and deletions from two threads, with a
 * third dumping all along, ends with nothing left over (the harness fails
 * the run on any Oops, BUG or WARNING on the console).
 */
#include "skap_test.h"
#include "kselftest_harness.h"
#include <pthread.h>

#define NS "skap-life"

static int module_loaded(void)
{
	return skap_sh("grep -q '^skap ' /proc/modules") == 0;
}

TEST(unload_removes_everything_and_reload_works)
{
	struct skap_nl nl, nl2;
	struct skap_info i, i2;
	struct skap_obj o = { .family = AF_INET, .src = "192.0.2.1", .dst = "192.0.2.2",
			      .mode = SKAP_MODE_TUNNEL, .reqid = 3 };
	struct skap_obj p = { .family = AF_INET, .dir = SKAP_POLICY_OUT,
			      .mode = SKAP_MODE_TUNNEL, .src = "192.0.2.1", .dst = "192.0.2.2",
			      .sel_src = "10.1.0.0/16", .sel_dst = "10.2.0.0/16", .reqid = 3 };
	int self_ns = open("/proc/self/ns/net", O_RDONLY);
	int t;

	ASSERT_TRUE(module_loaded());
	skap_sh("/usr/sbin/ip netns del " NS " 2>/dev/null");
	ASSERT_EQ(0, skap_sh("/usr/sbin/ip netns add " NS));
	ASSERT_EQ(0, skap_nl_open(&nl));
	ASSERT_EQ(0, skap_setns(NS));
	ASSERT_EQ(0, skap_nl_open(&nl2));
	ASSERT_EQ(0, setns(self_ns, CLONE_NEWNET));
	ASSERT_EQ(0, skap_info(&nl, &i));
	ASSERT_EQ(0, skap_info(&nl2, &i2));
	skap_sh("/usr/sbin/ip xfrm state flush; /usr/sbin/ip xfrm policy flush");

	o.key = skap_key_add(i.keyring, 1, SKAP_KEY_DIR_OUT, 0x3100, 1);
	ASSERT_LT(0, o.key);
	ASSERT_EQ(0, skap_sa_add(&nl, &o)) TH_LOG("%s", nl.msg);
	ASSERT_EQ(0, skap_pol_add(&nl, &p, NULL)) TH_LOG("%s", nl.msg);
	o.key = skap_key_add(i2.keyring, 2, SKAP_KEY_DIR_OUT, 0x3200, 2);
	ASSERT_LT(0, o.key);
	ASSERT_EQ(0, skap_sa_add(&nl2, &o)) TH_LOG("%s", nl2.msg);
	ASSERT_EQ(0, skap_pol_add(&nl2, &p, NULL)) TH_LOG("%s", nl2.msg);
	/* Someone else's state and policy, which must stay. */
	ASSERT_EQ(0, skap_sh("/usr/sbin/ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x3300 "
			     "mode tunnel aead 'rfc4106(gcm(aes))' 0x%072d 128", 0));
	ASSERT_EQ(0, skap_sh("/usr/sbin/ip xfrm policy add src 10.3.0.0/16 dst 10.4.0.0/16 dir out "
			     "tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel"));
	ASSERT_EQ(2, skap_xfrm_states());
	ASSERT_EQ(2, skap_xfrm_policies());
	skap_nl_close(&nl);
	skap_nl_close(&nl2);

	ASSERT_EQ(0, skap_sh("rmmod skap"));
	EXPECT_FALSE(module_loaded());
	EXPECT_EQ(1, skap_xfrm_states());
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm state | grep 'spi 0x00003300'"));
	EXPECT_EQ(1, skap_xfrm_policies());
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip xfrm policy | grep 'src 10.3.0.0/16'"));
	EXPECT_EQ(0, skap_sh_lines("/usr/sbin/ip -n " NS " xfrm state | grep '^src'"));
	EXPECT_EQ(0, skap_sh_lines("/usr/sbin/ip -n " NS " xfrm policy | grep '^src'"));
	/* Keys and keyrings go with the key type (the key GC is asynchronous). */
	for (t = 0; t < 50; t++) {
		if (skap_sh_lines("grep -E ' skap +|keyring +\\.skap:' /proc/keys") == 0)
			break;
		usleep(100000);
	}
	EXPECT_EQ(0, skap_sh_lines("grep -E ' skap +|keyring +\\.skap:' /proc/keys"))
		skap_sh("grep -E 'skap' /proc/keys | sed 's/^/# /'");

	ASSERT_EQ(0, skap_sh("modprobe skap"));
	EXPECT_TRUE(module_loaded());
	ASSERT_EQ(0, skap_nl_open(&nl));
	ASSERT_EQ(0, skap_info(&nl, &i));
	EXPECT_EQ(0, i.sas);
	EXPECT_EQ(0, i.policies);
	EXPECT_LT(0, i.keyring);
	/* It works as before. */
	o.key = skap_key_add(i.keyring, 1, SKAP_KEY_DIR_OUT, 0x3100, 1);
	ASSERT_LT(0, o.key);
	EXPECT_EQ(0, skap_sa_add(&nl, &o)) TH_LOG("%s", nl.msg);
	EXPECT_EQ(0, skap_flush(&nl));
	skap_nl_close(&nl);
	skap_sh("/usr/sbin/ip xfrm state flush; /usr/sbin/ip xfrm policy flush; /usr/sbin/ip netns del " NS);
}

#define STORM 10000

struct storm {
	int id;
	key_serial_t key;
	uint32_t spi;
	int failures;
	int done;
	char msg[600];
};

static volatile int storm_running;

static void storm_dst(char *d, size_t n, int id, int i)
{
	snprintf(d, n, "10.%d.%d.%d", 200 + id, (i / 256) % 256, i % 256);
}

static void *storm_thread(void *arg)
{
	struct storm *s = arg;
	struct skap_obj o = { .key = s->key, .family = AF_INET, .src = "192.0.2.1",
			      .mode = SKAP_MODE_TRANSPORT };
	struct skap_nl nl;
	char dst[32];
	int i;

	if (skap_nl_open(&nl)) {
		s->failures = STORM;
		return NULL;
	}
	for (i = 0; i < STORM / 2; i++) {
		storm_dst(dst, sizeof(dst), s->id, i);
		o.dst = dst;
		if (skap_sa_add(&nl, &o)) {
			s->failures++;
			snprintf(s->msg, sizeof(s->msg), "add %s: %d %s", dst, nl.err, nl.msg);
		}
		if (i >= 16) {
			storm_dst(dst, sizeof(dst), s->id, i - 16);
			if (skap_sa_del(&nl, AF_INET, dst, s->spi)) {
				s->failures++;
				snprintf(s->msg, sizeof(s->msg), "del %s: %d %s", dst, nl.err, nl.msg);
			}
		}
		s->done++;
	}
	for (i = STORM / 2 - 16; i < STORM / 2; i++) {
		storm_dst(dst, sizeof(dst), s->id, i);
		if (skap_sa_del(&nl, AF_INET, dst, s->spi))
			s->failures++;
	}
	skap_nl_close(&nl);
	return NULL;
}

static void *dump_thread(void *arg)
{
	struct skap_nl nl;
	int *dumps = arg;

	if (skap_nl_open(&nl))
		return NULL;
	while (storm_running) {
		if (skap_dump(&nl, SKAP_CMD_GET_SA, NULL, NULL) >= 0)
			(*dumps)++;
	}
	skap_nl_close(&nl);
	return NULL;
}

FIXTURE(storm) {
	int unused;
};

FIXTURE_SETUP(storm)
{
}

FIXTURE_TEARDOWN(storm)
{
}

TEST_F_TIMEOUT(storm, two_threads_and_a_dumper, 600)
{
	struct storm s[2] = { { .id = 0, .spi = 0x4000 }, { .id = 1, .spi = 0x4001 } };
	pthread_t th[2], dumper;
	struct skap_nl nl;
	struct skap_info i;
	int dumps = 0, k;

	ASSERT_EQ(0, skap_nl_open(&nl));
	ASSERT_EQ(0, skap_info(&nl, &i));
	skap_sh("/usr/sbin/ip xfrm state flush");
	for (k = 0; k < 2; k++) {
		s[k].key = skap_key_add(i.keyring, 0x40 + k, SKAP_KEY_DIR_OUT, s[k].spi, 0x40 + k);
		ASSERT_LT(0, s[k].key);
	}
	storm_running = 1;
	ASSERT_EQ(0, pthread_create(&dumper, NULL, dump_thread, &dumps));
	for (k = 0; k < 2; k++)
		ASSERT_EQ(0, pthread_create(&th[k], NULL, storm_thread, &s[k]));
	for (k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	storm_running = 0;
	pthread_join(dumper, NULL);
	for (k = 0; k < 2; k++) {
		EXPECT_EQ(STORM / 2, s[k].done);
		EXPECT_EQ(0, s[k].failures) TH_LOG("thread %d: %s", k, s[k].msg);
	}
	TH_LOG("%d additions and %d deletions, %d dumps alongside", STORM, STORM, dumps);
	EXPECT_LT(0, dumps);
	ASSERT_EQ(0, skap_info(&nl, &i));
	EXPECT_EQ(0, i.sas);
	EXPECT_EQ(0, skap_dump(&nl, SKAP_CMD_GET_SA, NULL, NULL));
	EXPECT_EQ(0, skap_xfrm_states());
	keyctl_clear(i.keyring);
	skap_nl_close(&nl);
}

struct churn {
	key_serial_t key;
	uint32_t spi;
	int id;
	int ok;
};

/* Adds and deletes SAs until the module is gone. */
static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	struct skap_obj o = { .key = c->key, .family = AF_INET, .src = "192.0.2.1",
			      .mode = SKAP_MODE_TRANSPORT };
	struct skap_nl nl;
	char dst[32];
	int i;

	if (skap_nl_open(&nl))
		return NULL;
	for (i = 0; storm_running; i++) {
		storm_dst(dst, sizeof(dst), c->id, i % 4096);
		o.dst = dst;
		if (skap_sa_add(&nl, &o) == 0)
			c->ok++;
		if (i >= 8) {
			storm_dst(dst, sizeof(dst), c->id, (i - 8) % 4096);
			skap_sa_del(&nl, AF_INET, dst, c->spi);
		}
	}
	skap_nl_close(&nl);
	return NULL;
}

/* Unloading while two threads add and delete SAs: clean, nothing left. */
TEST_F_TIMEOUT(storm, unload_under_load, 300)
{
	struct churn c[2] = { { .spi = 0x4100, .id = 2 }, { .spi = 0x4101, .id = 3 } };
	pthread_t th[2];
	struct skap_nl nl;
	struct skap_info i;
	int k, t;

	ASSERT_EQ(0, skap_nl_open(&nl));
	ASSERT_EQ(0, skap_info(&nl, &i));
	skap_nl_close(&nl);
	skap_sh("/usr/sbin/ip xfrm state flush");
	for (k = 0; k < 2; k++) {
		c[k].key = skap_key_add(i.keyring, 0x41 + k, SKAP_KEY_DIR_OUT, c[k].spi, 0x41);
		ASSERT_LT(0, c[k].key);
	}
	storm_running = 1;
	for (k = 0; k < 2; k++)
		ASSERT_EQ(0, pthread_create(&th[k], NULL, churn_thread, &c[k]));
	sleep(1);
	for (t = 0; t < 100 && skap_sh("rmmod skap 2>/dev/null"); t++)
		usleep(50000);
	EXPECT_GT(100, t) TH_LOG("rmmod kept failing");
	sleep(1);
	storm_running = 0;
	for (k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	TH_LOG("SAs added before the unload: %d and %d", c[0].ok, c[1].ok);
	EXPECT_LT(0, c[0].ok + c[1].ok);
	EXPECT_FALSE(module_loaded());
	EXPECT_EQ(0, skap_xfrm_states());
	ASSERT_EQ(0, skap_sh("modprobe skap"));
	ASSERT_EQ(0, skap_nl_open(&nl));
	ASSERT_EQ(0, skap_info(&nl, &i));
	EXPECT_EQ(0, i.sas);
	skap_nl_close(&nl);
}

TEST_HARNESS_MAIN
