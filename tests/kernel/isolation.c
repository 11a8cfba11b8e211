// SPDX-License-Identifier: GPL-2.0
/*
 * Namespaces: each has its own keyring, SAs and policies; nothing of one is
 * visible or reachable from another; a namespace that goes away takes its
 * keyring and everything the module made there with it.
 */
#include "skap_test.h"
#include "kselftest_harness.h"

#define N1 "skap-iso-1"
#define N2 "skap-iso-2"

FIXTURE(iso) {
	struct skap_nl n1, n2;
	struct skap_info i1, i2;
};

FIXTURE_SETUP(iso)
{
	int self_ns = open("/proc/self/ns/net", O_RDONLY);

	skap_sh("/usr/sbin/ip netns del " N1 " 2>/dev/null; /usr/sbin/ip netns del " N2 " 2>/dev/null");
	ASSERT_EQ(0, skap_sh("/usr/sbin/ip netns add " N1 " && /usr/sbin/ip netns add " N2));
	ASSERT_EQ(0, skap_setns(N1));
	ASSERT_EQ(0, skap_nl_open(&self->n1));
	ASSERT_EQ(0, skap_setns(N2));
	ASSERT_EQ(0, skap_nl_open(&self->n2));
	ASSERT_EQ(0, setns(self_ns, CLONE_NEWNET));
	close(self_ns);
	ASSERT_EQ(0, skap_info(&self->n1, &self->i1));
	ASSERT_EQ(0, skap_info(&self->n2, &self->i2));
}

FIXTURE_TEARDOWN(iso)
{
	skap_nl_close(&self->n1);
	skap_nl_close(&self->n2);
	skap_sh("/usr/sbin/ip netns del " N1 " 2>/dev/null; /usr/sbin/ip netns del " N2 " 2>/dev/null");
}

TEST_F(iso, invisible_and_unreachable)
{
	key_serial_t k1 = skap_key_add(self->i1.keyring, 1, SKAP_KEY_DIR_OUT, 0x1100, 1);
	struct skap_obj o = { .key = k1, .family = AF_INET, .src = "192.0.2.1",
			      .dst = "192.0.2.2", .mode = SKAP_MODE_TRANSPORT };
	struct skap_obj p = { .family = AF_INET, .dir = SKAP_POLICY_OUT,
			      .mode = SKAP_MODE_TRANSPORT, .sel_src = "192.0.2.1/32",
			      .sel_dst = "192.0.2.2/32" };
	struct skap_info i;
	uint32_t index = 0;

	EXPECT_NE(self->i1.keyring, self->i2.keyring);
	ASSERT_LT(0, k1);
	ASSERT_EQ(0, skap_sa_add(&self->n1, &o)) TH_LOG("%s", self->n1.msg);
	ASSERT_EQ(0, skap_pol_add(&self->n1, &p, &index)) TH_LOG("%s", self->n1.msg);

	/* The other namespace sees nothing, and cannot reach any of it. */
	EXPECT_EQ(0, skap_dump(&self->n2, SKAP_CMD_GET_SA, NULL, NULL));
	EXPECT_EQ(0, skap_dump(&self->n2, SKAP_CMD_GET_POLICY, NULL, NULL));
	ASSERT_EQ(0, skap_info(&self->n2, &i));
	EXPECT_EQ(0, i.sas);
	EXPECT_EQ(0, i.policies);
	EXPECT_EQ(-ENOENT, skap_sa_del(&self->n2, AF_INET, "192.0.2.2", 0x1100));
	EXPECT_EQ(-ENOENT, skap_pol_del(&self->n2, SKAP_POLICY_OUT, index));
	EXPECT_EQ(-ENOKEY, skap_sa_add(&self->n2, &o));
	EXPECT_NE(NULL, strstr(self->n2.msg, "namespace")) TH_LOG("%s", self->n2.msg);
	EXPECT_EQ(0, skap_flush(&self->n2));
	EXPECT_EQ(0, skap_sh_lines("/usr/sbin/ip -n " N2 " xfrm state | grep '^src'"));
	EXPECT_EQ(0, skap_sh_lines("/usr/sbin/ip -n " N2 " xfrm policy | grep '^src'"));
	/* Nor does the initial namespace. */
	EXPECT_EQ(0, skap_sh_lines("/usr/sbin/ip xfrm state | grep 'spi 0x00001100'"));

	/* Still all there in the first. */
	ASSERT_EQ(0, skap_info(&self->n1, &i));
	EXPECT_EQ(1, i.sas);
	EXPECT_EQ(1, i.policies);
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip -n " N1 " xfrm state | grep '^src'"));
	EXPECT_EQ(1, skap_sh_lines("/usr/sbin/ip -n " N1 " xfrm policy | grep '^src'"));
}

TEST_F(iso, namespace_exit_takes_everything)
{
	key_serial_t ring = self->i1.keyring;
	key_serial_t k1 = skap_key_add(ring, 2, SKAP_KEY_DIR_OUT, 0x1200, 2);
	struct skap_obj o = { .key = k1, .family = AF_INET, .src = "192.0.2.1",
			      .dst = "192.0.2.2", .mode = SKAP_MODE_TRANSPORT };
	char *desc = NULL;
	int t;

	ASSERT_LT(0, k1);
	ASSERT_EQ(0, skap_sa_add(&self->n1, &o)) TH_LOG("%s", self->n1.msg);
	ASSERT_LT(0, keyctl_describe_alloc(ring, &desc));
	free(desc);
	skap_nl_close(&self->n1);
	ASSERT_EQ(0, skap_sh("/usr/sbin/ip netns del " N1));
	/* The keyring is revoked when the namespace is cleaned up. */
	for (t = 0; t < 100; t++) {
		desc = NULL;
		if (keyctl_describe_alloc(ring, &desc) < 0)
			break;
		free(desc);
		usleep(100000);
	}
	EXPECT_GT(100, t) TH_LOG("the keyring of a dead namespace is still valid");
	/* The key is unlinked from it and, no SA holding it, goes away. */
	for (t = 0; t < 100; t++) {
		desc = NULL;
		if (keyctl_describe_alloc(k1, &desc) < 0)
			break;
		free(desc);
		usleep(100000);
	}
	EXPECT_GT(100, t) TH_LOG("the key outlived its namespace");
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * A container: a new user namespace (its root is uid 100000 outside) with a
 * new network namespace. Its root administers its own keyring and SAs, and
 * cannot write the initial namespace's keyring.
 */
TEST(user_namespace_root_administers_its_own)
{
	struct skap_nl nl;
	struct skap_info init;
	int to_child[2], to_parent[2], status;
	char path[64], c;
	pid_t pid;

	ASSERT_EQ(0, skap_nl_open(&nl));
	ASSERT_EQ(0, skap_info(&nl, &init));
	skap_nl_close(&nl);
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct skap_obj o = { .family = AF_INET, .src = "192.0.2.1", .dst = "192.0.2.2",
				      .mode = SKAP_MODE_TRANSPORT };
		struct skap_info i;
		int ret = 0;

		/* An ordinary user outside, root inside. */
		if (setresgid(100000, 100000, 100000) || setresuid(100000, 100000, 100000))
			_exit(99);
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
			_exit(100);
		if (write(to_parent[1], "u", 1) != 1 || read(to_child[0], &c, 1) != 1)
			_exit(101);
		if (skap_nl_open(&nl) || skap_info(&nl, &i))
			_exit(102);
		if (i.keyring == init.keyring)
			ret |= 1;
		o.key = skap_key_add(i.keyring, 1, SKAP_KEY_DIR_OUT, 0x7100, 1);
		if (o.key < 0) {
			fprintf(stderr, "# add_key in the container's keyring: %s\n", strerror(errno));
			ret |= 2;
		}
		if (skap_sa_add(&nl, &o)) {
			fprintf(stderr, "# SA add in the container: %d %s\n", nl.err, nl.msg);
			ret |= 4;
		}
		if (skap_dump(&nl, SKAP_CMD_GET_SA, NULL, NULL) != 1)
			ret |= 8;
		/* The initial namespace's keyring is not theirs. */
		if (skap_key_add(init.keyring, 2, SKAP_KEY_DIR_OUT, 0x7200, 2) >= 0)
			ret |= 16;
		if (skap_flush(&nl))
			ret |= 32;
		skap_nl_close(&nl);
		_exit(ret);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
	ASSERT_EQ(0, write_file(path, "deny"));
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	ASSERT_EQ(0, write_file(path, "0 100000 1"));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	ASSERT_EQ(0, write_file(path, "0 100000 1"));
	ASSERT_EQ(1, write(to_child[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("failures (bits): 1 same keyring, 2 add_key, 4 SA add, 8 dump, "
		       "16 wrote the initial keyring, 32 flush");
}

TEST_HARNESS_MAIN
