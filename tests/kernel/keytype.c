// SPDX-License-Identifier: GPL-2.0
/*
 * The "skap" key type and the namespace keyring: add, describe, no read,
 * refused sizes and metadata, revoke, expiry, and refusal without
 * CAP_NET_ADMIN (keys, netlink commands, the event group).
 */
#include "skap_test.h"
#include "kselftest_harness.h"

FIXTURE(keys) {
	struct skap_nl nl;
	struct skap_info info;
};

FIXTURE_SETUP(keys)
{
	ASSERT_EQ(0, skap_nl_open(&self->nl));
	ASSERT_EQ(0, skap_info(&self->nl, &self->info));
	ASSERT_LT(0, self->info.keyring);
	keyctl_clear(self->info.keyring);
}

FIXTURE_TEARDOWN(keys)
{
	skap_flush(&self->nl);
	keyctl_clear(self->info.keyring);
	skap_nl_close(&self->nl);
}

TEST_F(keys, keyring_is_visible)
{
	char *desc = NULL;

	ASSERT_LT(0, keyctl_describe_alloc(self->info.keyring, &desc));
	EXPECT_NE(NULL, strstr(desc, "keyring;"));
	EXPECT_NE(NULL, strstr(desc, ";" SKAP_KEYRING_NAME));
	free(desc);
	EXPECT_EQ(1, skap_sh_lines("grep -E '^%08x .* keyring +\\.skap: ' /proc/keys",
				   self->info.keyring));
	EXPECT_EQ(0, skap_sh("/usr/bin/keyctl show %d | grep -q 'keyring: .skap'",
			     self->info.keyring));
}

TEST_F(keys, add_describe_no_read)
{
	key_serial_t k = skap_key_add(self->info.keyring, 0xab, SKAP_KEY_DIR_OUT, 0x1234, 0x5a);
	char *desc = NULL;
	void *data = NULL;
	char want[256];

	ASSERT_LT(0, k);
	ASSERT_LT(0, keyctl_describe_alloc(k, &desc));
	snprintf(want, sizeof(want), ";skap:%s:peer-b:out:00001234",
		 "abababababababababababababababab");
	EXPECT_NE(NULL, strstr(desc, want)) TH_LOG("description %s", desc);
	EXPECT_EQ(desc, strstr(desc, "skap;"));
	free(desc);
	/* /proc/keys: metadata, not the key (0x5a bytes would print as 5a5a...). */
	EXPECT_EQ(1, skap_sh_lines("grep -E '^%08x .* skap +skap:abab.*:peer-b:out:00001234: aes-256-gcm$' /proc/keys", k))
		skap_sh("cat /proc/keys | sed 's/^/# /'");
	EXPECT_EQ(0, skap_sh_lines("grep -i 5a5a5a5a /proc/keys"));
	/* No read: keyctl read fails for root. */
	EXPECT_EQ(-1, keyctl_read_alloc(k, &data));
	EXPECT_EQ(EACCES, errno);
	/* Even with the read permission (the owner may set it): no read. */
	ASSERT_EQ(0, keyctl_setperm(k, KEY_POS_ALL | KEY_USR_ALL));
	EXPECT_EQ(-1, keyctl_read_alloc(k, &data));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_NE(0, skap_sh("/usr/bin/keyctl read %d >/dev/null 2>&1", k));
	EXPECT_NE(0, skap_sh("/usr/bin/keyctl print %d >/dev/null 2>&1", k));
	/* The explicit canonical description is accepted too; it replaces the key. */
	{
		struct skap_key_payload p;
		key_serial_t k2;

		skap_payload(&p, 0xab, "peer-b", SKAP_KEY_DIR_OUT, 0x1234, 0, 0x11);
		k2 = add_key(SKAP_KEY_TYPE, want + 1, &p, sizeof(p), self->info.keyring);
		EXPECT_LT(0, k2);
		EXPECT_NE(k, k2);
	}
}

TEST_F(keys, refused_payloads)
{
	struct skap_key_payload p;
	key_serial_t ring = self->info.keyring;
	unsigned char big[sizeof(p) + 1];

#define REFUSED(what) do { \
	errno = 0; \
	EXPECT_EQ(-1, skap_key_add_p(&p, ring)) TH_LOG("%s accepted", what); \
	EXPECT_EQ(EINVAL, errno) TH_LOG("%s: errno %d", what, errno); \
	} while (0)

	skap_payload(&p, 1, "peer-b", SKAP_KEY_DIR_IN, 0x1000, 0, 1);
	ASSERT_LT(0, skap_key_add_p(&p, ring));
	keyctl_clear(ring);

	EXPECT_EQ(-1, add_key(SKAP_KEY_TYPE, "", &p, sizeof(p) - 1, ring));
	EXPECT_EQ(EINVAL, errno);
	memset(big, 0, sizeof(big));
	memcpy(big, &p, sizeof(p));
	EXPECT_EQ(-1, add_key(SKAP_KEY_TYPE, "", big, sizeof(big), ring));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, add_key(SKAP_KEY_TYPE, "", NULL, 0, ring));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, add_key(SKAP_KEY_TYPE, "", &p, 32, ring));
	EXPECT_EQ(EINVAL, errno);

	skap_payload(&p, 1, "peer-b", SKAP_KEY_DIR_IN, 0x1000, 0, 1);
	p.version = 2;
	REFUSED("version 2");
	skap_payload(&p, 1, "peer-b", 3, 0x1000, 0, 1);
	REFUSED("direction 3");
	skap_payload(&p, 1, "peer-b", 0, 0x1000, 0, 1);
	REFUSED("direction 0");
	skap_payload(&p, 1, "peer-b", SKAP_KEY_DIR_IN, 0x1000, 0, 1);
	p.reserved = 1;
	REFUSED("reserved byte");
	skap_payload(&p, 1, "peer-b", SKAP_KEY_DIR_IN, 0x1000, 0, 1);
	p.peer_len = 0;
	memset(p.peer, 0, sizeof(p.peer));
	REFUSED("empty peer");
	skap_payload(&p, 1, "peer-b", SKAP_KEY_DIR_IN, 0x1000, 0, 1);
	p.peer_len = 65;
	REFUSED("peer_len 65");
	skap_payload(&p, 1, "peer b", SKAP_KEY_DIR_IN, 0x1000, 0, 1);
	REFUSED("space in peer");
	skap_payload(&p, 1, "peer-b", SKAP_KEY_DIR_IN, 0x1000, 0, 1);
	p.peer[40] = 'x';
	REFUSED("bytes after the peer id");
	skap_payload(&p, 1, "peer-b", SKAP_KEY_DIR_IN, 255, 0, 1);
	REFUSED("SPI 255");
	skap_payload(&p, 1, "peer-b", SKAP_KEY_DIR_IN, 0x1000, (uint64_t)time(NULL) - 1, 1);
	REFUSED("expiry in the past");
	skap_payload(&p, 1, "peer-b", SKAP_KEY_DIR_IN, 0x1000, 1ULL << 63, 1);
	REFUSED("negative expiry");
	skap_payload(&p, 1, "peer-b", SKAP_KEY_DIR_IN, 0x1000, 0, 1);
	errno = 0;
	EXPECT_EQ(-1, add_key(SKAP_KEY_TYPE, "my-key", &p, sizeof(p), ring));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing got in. */
	EXPECT_EQ(0, keyctl_read(ring, NULL, 0));
}

TEST_F(keys, keyring_takes_only_skap_keys)
{
	errno = 0;
	EXPECT_EQ(-1, add_key("user", "u", "x", 1, self->info.keyring));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(0, keyctl_read(self->info.keyring, NULL, 0));
}

TEST_F(keys, revoke)
{
	key_serial_t k = skap_key_add(self->info.keyring, 2, SKAP_KEY_DIR_IN, 0x2000, 2);
	char *desc = NULL;

	ASSERT_LT(0, k);
	ASSERT_EQ(0, keyctl_revoke(k));
	EXPECT_EQ(-1, keyctl_describe_alloc(k, &desc));
	EXPECT_EQ(EKEYREVOKED, errno);
}

TEST_F(keys, expiry)
{
	struct skap_key_payload p;
	key_serial_t k, k2;
	char *desc = NULL;

	skap_payload(&p, 3, "peer-b", SKAP_KEY_DIR_IN, 0x3000, (uint64_t)time(NULL) + 2, 3);
	k = skap_key_add_p(&p, self->info.keyring);
	ASSERT_LT(0, k);
	k2 = skap_key_add(self->info.keyring, 4, SKAP_KEY_DIR_IN, 0x3001, 4);
	ASSERT_LT(0, k2);
	ASSERT_EQ(0, keyctl_set_timeout(k2, 1));
	ASSERT_LT(0, keyctl_describe_alloc(k, &desc));
	free(desc);
	sleep(3);
	desc = NULL;
	/* Expired, or already reaped (KEY_TYPE_INSTANT_REAP). */
	EXPECT_EQ(-1, keyctl_describe_alloc(k, &desc));
	EXPECT_TRUE(errno == EKEYEXPIRED || errno == ENOKEY);
	EXPECT_EQ(-1, keyctl_describe_alloc(k2, &desc));
	EXPECT_TRUE(errno == EKEYEXPIRED || errno == ENOKEY);
}

/* In a child without CAP_NET_ADMIN (still uid 0): refused everywhere. */
TEST_F(keys, unprivileged_refused)
{
	struct skap_key_payload p;
	key_serial_t k;
	struct skap_nl nl2;
	struct skap_info i;
	int grp, ret;

	key_serial_t other;

	k = skap_key_add(self->info.keyring, 5, SKAP_KEY_DIR_OUT, 0x5000, 5);
	ASSERT_LT(0, k);
	/* A key made while privileged, outside the namespace keyring. */
	other = skap_key_add(KEY_SPEC_SESSION_KEYRING, 7, SKAP_KEY_DIR_OUT, 0x7000, 7);
	ASSERT_LT(0, other);
	ASSERT_EQ(0, skap_drop_cap(CAP_NET_ADMIN));

	skap_payload(&p, 6, "peer-b", SKAP_KEY_DIR_OUT, 0x6000, 0, 6);
	errno = 0;
	EXPECT_EQ(-1, skap_key_add_p(&p, self->info.keyring));
	EXPECT_EQ(EPERM, errno);
	errno = 0;
	EXPECT_EQ(-1, skap_key_add_p(&p, KEY_SPEC_SESSION_KEYRING));
	EXPECT_EQ(EPERM, errno);
	/* Linking an existing key in again needs the capability too. */
	errno = 0;
	EXPECT_EQ(-1, keyctl_link(other, self->info.keyring));
	EXPECT_EQ(EPERM, errno);

	ASSERT_EQ(0, skap_nl_open(&nl2));
	EXPECT_EQ(-EPERM, skap_info(&nl2, &i));
	EXPECT_EQ(-EPERM, skap_dump(&nl2, SKAP_CMD_GET_SA, NULL, NULL));
	EXPECT_EQ(-EPERM, skap_dump(&nl2, SKAP_CMD_GET_POLICY, NULL, NULL));
	EXPECT_EQ(-EPERM, skap_flush(&nl2));
	{
		struct skap_obj o = { .key = k, .family = AF_INET, .src = "10.0.0.1",
				      .dst = "10.0.0.2", .mode = SKAP_MODE_TRANSPORT };
		EXPECT_EQ(-EPERM, skap_sa_add(&nl2, &o));
		o.dir = SKAP_POLICY_OUT;
		EXPECT_EQ(-EPERM, skap_pol_add(&nl2, &o, NULL));
	}
	EXPECT_EQ(-EPERM, skap_sa_del(&nl2, AF_INET, "10.0.0.2", 0x5000));
	EXPECT_EQ(-EPERM, skap_pol_del(&nl2, SKAP_POLICY_OUT, 8));
	grp = genl_ctrl_resolve_grp(nl2.sk, SKAP_GENL_NAME, SKAP_GENL_MCGRP_EVENTS);
	ASSERT_LT(0, grp);
	ret = nl_socket_add_membership(nl2.sk, grp);
	EXPECT_NE(0, ret) TH_LOG("joined the event group without CAP_NET_ADMIN");
	skap_nl_close(&nl2);
}

/* The same check with the capability: the group can be joined. */
TEST_F(keys, privileged_joins_events)
{
	int grp = genl_ctrl_resolve_grp(self->nl.sk, SKAP_GENL_NAME, SKAP_GENL_MCGRP_EVENTS);

	ASSERT_LT(0, grp);
	EXPECT_EQ(0, nl_socket_add_membership(self->nl.sk, grp));
}

TEST_HARNESS_MAIN
