// SPDX-License-Identifier: GPL-2.0
/*
 * Keys from a real SKAP exchange carry real traffic: two gateways in two
 * namespaces run the peer exchange (the platform's pair key and ticket made
 * with the platform's own functions), each adds its two keys to its own
 * namespace's keyring and builds its SAs and policies through skap.ko, and
 * a ping from A reaches B over ESP. Neither side ever holds the other's
 * keyring, and the key bytes only ever go down into the kernel.
 */

#include <skap/exchange.h>
#include <skap/kmod.h>
#include <skap/sym.h>

#include <linux/skap.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define IP "/usr/sbin/ip"

static int enter_netns(const char *name)
{
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = setns(fd, CLONE_NEWNET);
	close(fd);
	return ret;
}

/* In the current namespace: both keys, both SAs, out and in policies (transport). */
static int install(struct __test_metadata *_metadata, const struct skap_sa_pair *keys,
		   const char *self_addr, const char *peer_addr)
{
	struct skap_kmod *km;
	struct skap_kmod_info info;
	struct skap_kmod_error err;
	struct skap_key_params kp;
	struct skap_sa sa;
	struct skap_policy pol;
	uint32_t index;
	int32_t key_in, key_out;

	if (skap_kmod_open(&km, &err) || skap_kmod_info(km, &info, &err)) {
		TH_LOG("module: %s", err.msg);
		return -1;
	}
	memset(&kp, 0, sizeof(kp));
	memcpy(kp.kid, keys->kid, 16);
	strcpy(kp.peer, keys->peer);
	kp.expiry = (uint64_t)time(NULL) + 600;
	kp.dir = SKAP_KEY_DIR_IN;
	kp.spi = keys->spi_in;
	memcpy(kp.key, keys->key_in, 32);
	if (skap_key_add(info.keyring, &kp, &key_in))
		return -1;
	kp.dir = SKAP_KEY_DIR_OUT;
	kp.spi = keys->spi_out;
	memcpy(kp.key, keys->key_out, 32);
	if (skap_key_add(info.keyring, &kp, &key_out))
		return -1;
	explicit_bzero(&kp, sizeof(kp));

	/* Inbound first: the peer's first packet under new keys must find its SA. */
	memset(&sa, 0, sizeof(sa));
	sa.family = AF_INET;
	sa.mode = SKAP_MODE_TRANSPORT;
	sa.reqid = 5;
	sa.key = key_in;
	sa.spi = keys->spi_in;
	inet_pton(AF_INET, peer_addr, sa.src);
	inet_pton(AF_INET, self_addr, sa.dst);
	if (skap_kmod_new_sa(km, &sa, &err)) {
		TH_LOG("inbound SA: %s", err.msg);
		return -1;
	}
	sa.key = key_out;
	sa.spi = keys->spi_out;
	inet_pton(AF_INET, self_addr, sa.src);
	inet_pton(AF_INET, peer_addr, sa.dst);
	if (skap_kmod_new_sa(km, &sa, &err)) {
		TH_LOG("outbound SA: %s", err.msg);
		return -1;
	}
	memset(&pol, 0, sizeof(pol));
	pol.family = AF_INET;
	pol.mode = SKAP_MODE_TRANSPORT;
	pol.reqid = 5;
	pol.dir = SKAP_POLICY_OUT;
	pol.sel.src = (struct skap_prefix){ .family = AF_INET, .len = 32 };
	pol.sel.dst = (struct skap_prefix){ .family = AF_INET, .len = 32 };
	inet_pton(AF_INET, self_addr, pol.sel.src.addr);
	inet_pton(AF_INET, peer_addr, pol.sel.dst.addr);
	if (skap_kmod_new_policy(km, &pol, &index, &err)) {
		TH_LOG("out policy: %s", err.msg);
		return -1;
	}
	pol.dir = SKAP_POLICY_IN;
	inet_pton(AF_INET, peer_addr, pol.sel.src.addr);
	inet_pton(AF_INET, self_addr, pol.sel.dst.addr);
	if (skap_kmod_new_policy(km, &pol, &index, &err)) {
		TH_LOG("in policy: %s", err.msg);
		return -1;
	}
	skap_kmod_close(km);
	return 0;
}

static unsigned long esp_packets(const char *ns, uint32_t spi)
{
	char cmd[256];
	unsigned long n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 IP " -n %s -s xfrm state list spi 0x%08x | "
		    "sed -n 's/.*(bytes), \\([0-9]*\\)(packets).*/\\1/p' | head -n 1",
		 ns, spi);
	f = popen(cmd, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%lu", &n) != 1)
		n = 0;
	pclose(f);
	return n;
}

TEST(exchange_keys_carry_a_ping)
{
	uint8_t dmk_b[32], k_ticket_b[32], ticket[SKAP_TICKET_MAX_LEN], resp[SKAP_MSG_MAX];
	struct skap_pair_key pk;
	struct skap_ticket t;
	struct skap_initiator a;
	struct skap_verified_init v;
	struct skap_sa_pair ka, kb;
	struct skap_prefix local, remote;
	size_t ticket_len, resp_len;
	uint64_t now = (uint64_t)time(NULL);
	int host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, host);
	ASSERT_EQ(0, system(IP " netns add nsa && " IP " netns add nsb && "
			    IP " link add va netns nsa type veth peer name vb netns nsb && "
			    IP " -n nsa addr add 198.51.100.1/24 dev va && "
			    IP " -n nsb addr add 198.51.100.2/24 dev vb && "
			    IP " -n nsa link set va up && " IP " -n nsb link set vb up && "
			    IP " -n nsa link set lo up && " IP " -n nsb link set lo up"));

	/* The platform's part. */
	ASSERT_EQ(0, skap_random(dmk_b, 32));
	ASSERT_EQ(0, skap_dmk_derive(dmk_b, SKAP_DMK_TICKET, "gw-b", k_ticket_b));
	ASSERT_EQ(0, skap_random(pk.key, 32));
	ASSERT_EQ(0, skap_random(pk.kid, 16));
	pk.expires = now + 300;
	memset(&t, 0, sizeof(t));
	memcpy(t.key, pk.key, 32);
	memcpy(t.kid, pk.kid, 16);
	t.expires = pk.expires;
	strcpy(t.initiator, "gw-a");
	ASSERT_EQ(0, skap_ticket_seal(k_ticket_b, "gw-b", &t, ticket, &ticket_len));

	/* The exchange. */
	local = (struct skap_prefix){ .family = AF_INET, .len = 32 };
	inet_pton(AF_INET, "198.51.100.1", local.addr);
	remote = (struct skap_prefix){ .family = AF_INET, .len = 32 };
	inet_pton(AF_INET, "198.51.100.2", remote.addr);
	struct skap_initiator_params p = {
		.self = "gw-a", .peer = "gw-b", .link = "b", .spi_in = 0xa1000001,
		.local = &local, .n_local = 1, .remote = &remote, .n_remote = 1, .pair = &pk,
		.ticket = ticket, .ticket_len = ticket_len, .now = now,
	};
	ASSERT_EQ(0, skap_initiator_start(&a, &p, NULL));
	ASSERT_EQ(0, skap_responder_verify("gw-b", k_ticket_b, now, a.msg, a.msg_len, &v));
	ASSERT_EQ(0, skap_responder_answer(&v, "gw-b", 0xb1000002, NULL, resp, &resp_len, &kb));
	ASSERT_EQ(0, skap_initiator_finish(&a, resp, resp_len, &ka));
	skap_initiator_clear(&a);
	skap_verified_init_clear(&v);

	ASSERT_EQ(0, enter_netns("nsa"));
	ASSERT_EQ(0, install(_metadata, &ka, "198.51.100.1", "198.51.100.2"));
	ASSERT_EQ(0, enter_netns("nsb"));
	ASSERT_EQ(0, install(_metadata, &kb, "198.51.100.2", "198.51.100.1"));
	ASSERT_EQ(0, setns(host, CLONE_NEWNET));
	explicit_bzero(&ka, sizeof(ka));
	explicit_bzero(&kb, sizeof(kb));

	EXPECT_EQ(0, system(IP " netns exec nsa ping -c 3 -W 2 198.51.100.2 >/dev/null"));
	EXPECT_GE(esp_packets("nsa", 0xb1000002), 3) TH_LOG("A's outbound SA carried the pings");
	EXPECT_GE(esp_packets("nsb", 0xa1000001), 3) TH_LOG("B's outbound SA carried the replies");
	/* Each namespace's keyring holds its own two keys, visible but not readable. */
	EXPECT_EQ(0, system(IP " netns exec nsa sh -c \"grep -c 'skap:.*:gw-b:' /proc/keys | grep -qx 2\""));
	EXPECT_EQ(0, system(IP " netns exec nsb sh -c \"grep -c 'skap:.*:gw-a:' /proc/keys | grep -qx 2\""));
	if (system(IP " netns del nsa; " IP " netns del nsb"))
		TH_LOG("cleanup failed");
	close(host);
}

TEST_HARNESS_MAIN
