// SPDX-License-Identifier: GPL-2.0
/*
 * satool: puts one SA into skap.ko the way skapd does (a key with a random
 * key id and random bytes into the module's keyring, then the SA built from
 * it), for tests that need a link's SAs without a platform:
 *
 *   satool LINK in|out SRC DST SPI PEER
 *
 * LINK gives the reqid (skap_link_reqid), as skapd's links have. Prints
 * "serial N kid HEX". Needs CAP_NET_ADMIN.
 */

#include <skap/kmod.h>
#include <skap/policy_sync.h>
#include <skap/sym.h>

#include <linux/skap.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIFETIME_S 3600

static int fail(const char *what, const char *why)
{
	fprintf(stderr, "satool: %s: %s\n", what, why);
	return 1;
}

int main(int argc, char **argv)
{
	struct skap_key_params p = {0};
	struct skap_kmod_error err = {0};
	struct skap_kmod_info info;
	struct skap_sa sa = {0};
	struct skap_kmod *km;
	int32_t serial;
	int ret;

	if (argc != 7 || (strcmp(argv[2], "in") && strcmp(argv[2], "out"))) {
		fprintf(stderr, "usage: satool LINK in|out SRC DST SPI PEER\n");
		return 2;
	}
	sa.family = AF_INET;
	if (inet_pton(AF_INET, argv[3], sa.src) != 1 || inet_pton(AF_INET, argv[4], sa.dst) != 1)
		return fail("addresses", "not IPv4");
	sa.spi = (uint32_t)strtoul(argv[5], NULL, 0);
	if (skap_kmod_open(&km, &err) || skap_kmod_info(km, &info, &err))
		return fail("module", err.msg);
	p.dir = strcmp(argv[2], "in") ? SKAP_KEY_DIR_OUT : SKAP_KEY_DIR_IN;
	p.spi = sa.spi;
	p.expiry = (uint64_t)time(NULL) + LIFETIME_S + 5;
	snprintf(p.peer, sizeof(p.peer), "%s", argv[6]);
	if (skap_random(p.kid, sizeof(p.kid)) || skap_random(p.key, sizeof(p.key)))
		return fail("random", "no bytes");
	ret = skap_key_add(info.keyring, &p, &serial);
	if (ret)
		return fail("add_key", strerror(-ret));
	sa.key = serial;
	sa.mode = SKAP_MODE_TUNNEL;
	sa.reqid = skap_link_reqid(argv[1]);
	sa.lifetime.hard_seconds = LIFETIME_S;
	sa.lifetime.soft_seconds = LIFETIME_S / 2;
	if (skap_kmod_new_sa(km, &sa, &err))
		return fail("new SA", err.msg);
	printf("serial %d kid ", serial);
	for (size_t i = 0; i < sizeof(p.kid); i++)
		printf("%02x", p.kid[i]);
	printf("\n");
	skap_kmod_close(km);
	return 0;
}
