// SPDX-License-Identifier: GPL-2.0
/*
 * As a test: states the module builds are the states ip(8) builds from the
 * same keys and the documented salt, field for field.
 *
 * With --bench (bench/kernel-sa.sh runs it so in the VM), two figures, each
 * a ratio against a baseline measured in the same run:
 *  - installing 10 000 SAs through the module versus the same 10 000 with
 *    `ip -batch` (target: >= 1.0, the module at least as fast);
 *  - ESP throughput over veth (TCP) with module-made SAs versus hand-made
 *    SAs with the same keys (target: >= 0.98).
 */
#include "skap_test.h"
#include "kselftest_harness.h"

#define IP "/usr/sbin/ip"
#define KEYBYTE 0x5c

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void dst_of(char *d, size_t n, int i)
{
	snprintf(d, n, "10.%d.%d.%d", 50 + i / 65536, (i / 256) % 256, i % 256);
}

/* @n keys in @ring, SPI 0x10000 + i each. */
static int add_keys(key_serial_t ring, int n, key_serial_t *keys)
{
	struct skap_key_payload p;
	int i;

	for (i = 0; i < n; i++) {
		skap_payload(&p, 0, "bench-peer", SKAP_KEY_DIR_OUT, 0x10000 + i, 0, KEYBYTE);
		memcpy(p.kid, &i, sizeof(i));
		keys[i] = skap_key_add_p(&p, ring);
		if (keys[i] < 0)
			return -1;
	}
	return 0;
}

static int module_install(struct skap_nl *nl, int n, const key_serial_t *keys)
{
	struct skap_obj o = { .family = AF_INET, .src = "192.0.2.1",
			      .mode = SKAP_MODE_TUNNEL, .reqid = 1 };
	char dst[32];
	int i;

	for (i = 0; i < n; i++) {
		dst_of(dst, sizeof(dst), i);
		o.dst = dst;
		o.key = keys[i];
		if (skap_sa_add(nl, &o))
			return -1;
	}
	return 0;
}

static int write_batch(const char *path, int n, const char *salt)
{
	FILE *f = fopen(path, "w");
	char dst[32];
	int i;

	if (!f)
		return -1;
	for (i = 0; i < n; i++) {
		dst_of(dst, sizeof(dst), i);
		fprintf(f, "xfrm state add src 192.0.2.1 dst %s proto esp spi 0x%x reqid 1 "
			"mode tunnel replay-window 32 aead rfc4106(gcm(aes)) 0x", dst, 0x10000 + i);
		for (int k = 0; k < 32; k++)
			fprintf(f, "%02x", KEYBYTE);
		fprintf(f, "%s 128\n", salt);
	}
	return fclose(f);
}

TEST(module_states_equal_hand_made_states)
{
	static key_serial_t keys[200];
	struct skap_nl nl;
	struct skap_info i;
	char salt[9];
	int n = 200;

	ASSERT_EQ(0, skap_salt_hex(KEYBYTE, salt));
	ASSERT_EQ(0, skap_nl_open(&nl));
	ASSERT_EQ(0, skap_info(&nl, &i));
	skap_flush(&nl);
	skap_sh(IP " xfrm state flush");
	ASSERT_EQ(0, add_keys(i.keyring, n, keys));
	ASSERT_EQ(0, module_install(&nl, n, keys)) TH_LOG("%s", nl.msg);
	ASSERT_EQ(n, skap_xfrm_states());
	/* What ip(8) shows, less the creation times. */
	ASSERT_EQ(0, skap_sh(IP " xfrm state | grep -v '^\\s*add ' >/tmp/bench.module"));
	ASSERT_EQ(0, skap_flush(&nl));
	ASSERT_EQ(0, skap_xfrm_states());
	ASSERT_EQ(0, write_batch("/tmp/bench.batch", n, salt));
	ASSERT_EQ(0, skap_sh(IP " -batch /tmp/bench.batch"));
	ASSERT_EQ(0, skap_sh(IP " xfrm state | grep -v '^\\s*add ' >/tmp/bench.ip"));
	EXPECT_EQ(0, skap_sh("cmp -s /tmp/bench.module /tmp/bench.ip"))
		skap_sh("diff /tmp/bench.module /tmp/bench.ip | head -20 | sed 's/^/# /'");
	skap_sh(IP " xfrm state flush");
	keyctl_clear(i.keyring);
	skap_nl_close(&nl);
}

/* Installing 10 000 SAs: the module versus ip -batch, in three rounds. */
static int bench_install(void)
{
	static key_serial_t keys[10000];
	double tk = 0, tm[3], tb[3], best_m = 1e9, best_b = 1e9, t;
	int n = 10000, r;
	struct skap_nl nl;
	struct skap_info i;
	char salt[9];

	if (skap_salt_hex(KEYBYTE, salt) || skap_nl_open(&nl) || skap_info(&nl, &i))
		return 1;
	if (write_batch("/tmp/bench.batch", n, salt))
		return 1;
	for (r = 0; r < 3; r++) {
		skap_flush(&nl);
		keyctl_clear(i.keyring);
		skap_sh(IP " xfrm state flush");
		t = now();
		if (add_keys(i.keyring, n, keys))
			return 1;
		tk = now() - t;
		t = now();
		if (module_install(&nl, n, keys)) {
			printf("# module install failed: %s\n", nl.msg);
			return 1;
		}
		tm[r] = now() - t;
		if (skap_xfrm_states() != n)
			return 1;
		skap_flush(&nl);
		keyctl_clear(i.keyring);
		t = now();
		if (skap_sh(IP " -batch /tmp/bench.batch"))
			return 1;
		tb[r] = now() - t;
		if (skap_xfrm_states() != n)
			return 1;
		skap_sh(IP " xfrm state flush");
		printf("# round %d: module %.3f s (+ %.3f s for the %d add_key calls), ip -batch %.3f s\n",
		       r + 1, tm[r], tk, n, tb[r]);
		best_m = tm[r] < best_m ? tm[r] : best_m;
		best_b = tb[r] < best_b ? tb[r] : best_b;
	}
	printf("bench kernel-sa-install: 10000 SAs, best of 3: module %.3f s, ip -batch %.3f s, "
	       "speed ratio module/ip %.2f (target >= 1.0); with the key adds %.2f\n",
	       best_m, best_b, best_b / best_m, best_b / (best_m + tk));
	skap_nl_close(&nl);
	return 0;
}

#define NA "skap-bench-a"
#define NB "skap-bench-b"

static int side_module(struct skap_nl *nl, key_serial_t ring, int is_a)
{
	struct skap_key_payload p;
	struct skap_obj o = { .family = AF_INET, .mode = SKAP_MODE_TRANSPORT, .reqid = 1 };
	const char *me = is_a ? "198.51.100.1" : "198.51.100.2";
	const char *peer = is_a ? "198.51.100.2" : "198.51.100.1";
	key_serial_t kout, kin;
	char ssel[32], dsel[32];

	skap_payload(&p, is_a ? 1 : 2, "bench-peer", SKAP_KEY_DIR_OUT, is_a ? 0x100 : 0x200, 0, KEYBYTE);
	kout = skap_key_add_p(&p, ring);
	skap_payload(&p, is_a ? 2 : 1, "bench-peer", SKAP_KEY_DIR_IN, is_a ? 0x200 : 0x100, 0, KEYBYTE);
	kin = skap_key_add_p(&p, ring);
	if (kout < 0 || kin < 0)
		return -1;
	o.key = kin;
	o.src = peer;
	o.dst = me;
	if (skap_sa_add(nl, &o))
		return -1;
	o.key = kout;
	o.src = me;
	o.dst = peer;
	if (skap_sa_add(nl, &o))
		return -1;
	snprintf(ssel, sizeof(ssel), "%s/32", me);
	snprintf(dsel, sizeof(dsel), "%s/32", peer);
	o.key = 0;
	o.dir = SKAP_POLICY_OUT;
	o.sel_src = ssel;
	o.sel_dst = dsel;
	if (skap_pol_add(nl, &o, NULL))
		return -1;
	o.dir = SKAP_POLICY_IN;
	o.src = peer;
	o.dst = me;
	o.sel_src = dsel;
	o.sel_dst = ssel;
	return skap_pol_add(nl, &o, NULL);
}

static int side_hand(const char *ns, int is_a, const char *salt)
{
	const char *me = is_a ? "198.51.100.1" : "198.51.100.2";
	const char *peer = is_a ? "198.51.100.2" : "198.51.100.1";
	char key[65];
	int k;

	for (k = 0; k < 32; k++)
		snprintf(key + 2 * k, 3, "%02x", KEYBYTE);
	return skap_sh(
		IP " -n %s xfrm state add src %s dst %s proto esp spi %d reqid 1 mode transport replay-window 32 aead 'rfc4106(gcm(aes))' 0x%s%s 128 && "
		IP " -n %s xfrm state add src %s dst %s proto esp spi %d reqid 1 mode transport replay-window 32 aead 'rfc4106(gcm(aes))' 0x%s%s 128 && "
		IP " -n %s xfrm policy add src %s/32 dst %s/32 dir out tmpl src %s dst %s proto esp reqid 1 mode transport && "
		IP " -n %s xfrm policy add src %s/32 dst %s/32 dir in tmpl src %s dst %s proto esp reqid 1 mode transport",
		ns, peer, me, is_a ? 0x200 : 0x100, key, salt,
		ns, me, peer, is_a ? 0x100 : 0x200, key, salt,
		ns, me, peer, me, peer,
		ns, peer, me, peer, me);
}

#define ROUNDS 5

static int bench_throughput(void)
{
	size_t bytes = 16 << 20;
	double tm[ROUNDS], th[ROUNDS], t;
	struct skap_nl a, b;
	struct skap_info ia, ib;
	int self_ns = open("/proc/self/ns/net", O_RDONLY), r;
	char salt[9];

	if (skap_salt_hex(KEYBYTE, salt))
		return 1;
	skap_sh(IP " netns del " NA " 2>/dev/null; " IP " netns del " NB " 2>/dev/null");
	if (skap_sh(IP " netns add " NA " && " IP " netns add " NB " && "
		    IP " link add veth-a netns " NA " type veth peer name veth-b netns " NB " && "
		    IP " -n " NA " addr add 198.51.100.1/24 dev veth-a && "
		    IP " -n " NB " addr add 198.51.100.2/24 dev veth-b && "
		    IP " -n " NA " link set veth-a up && " IP " -n " NB " link set veth-b up && "
		    IP " -n " NA " link set lo up && " IP " -n " NB " link set lo up && "
		    "modprobe -a esp4 gcm"))
		return 1;
	if (skap_setns(NA) || skap_nl_open(&a) || skap_setns(NB) || skap_nl_open(&b) ||
	    setns(self_ns, CLONE_NEWNET) || skap_info(&a, &ia) || skap_info(&b, &ib))
		return 1;
	/* Alternating which goes first, so that warm-up favours neither. */
	for (r = 0; r < ROUNDS; r++) {
		for (int k = 0; k < 2; k++) {
			int module = (r + k) % 2 == 0;

			skap_flush(&a);
			skap_flush(&b);
			keyctl_clear(ia.keyring);
			keyctl_clear(ib.keyring);
			skap_sh(IP " -n " NA " xfrm state flush; " IP " -n " NA " xfrm policy flush; "
				IP " -n " NB " xfrm state flush; " IP " -n " NB " xfrm policy flush");
			if (module ? side_module(&a, ia.keyring, 1) || side_module(&b, ib.keyring, 0)
				   : side_hand(NA, 1, salt) || side_hand(NB, 0, salt))
				return 1;
			if (skap_tcp_transfer(NA, NB, AF_INET, "198.51.100.2", bytes, &t))
				return 1;
			if (module)
				tm[r] = t;
			else
				th[r] = t;
		}
		printf("# round %d: %zu MiB over ESP: module SAs %.3f s, hand-made SAs %.3f s\n",
		       r + 1, bytes >> 20, tm[r], th[r]);
	}
	skap_flush(&a);
	skap_flush(&b);
	/* Medians. */
	for (r = 0; r < ROUNDS - 1; r++) {
		for (int k = 0; k < ROUNDS - 1 - r; k++) {
			if (tm[k] > tm[k + 1]) {
				t = tm[k]; tm[k] = tm[k + 1]; tm[k + 1] = t;
			}
			if (th[k] > th[k + 1]) {
				t = th[k]; th[k] = th[k + 1]; th[k + 1] = t;
			}
		}
	}
	printf("bench kernel-esp-throughput: TCP over ESP (rfc4106, transport, veth), median of %d: "
	       "module SAs %.1f Mbit/s, hand-made SAs %.1f Mbit/s, ratio %.3f (target >= 0.98)\n",
	       ROUNDS, bytes * 8 / tm[ROUNDS / 2] / 1e6, bytes * 8 / th[ROUNDS / 2] / 1e6,
	       th[ROUNDS / 2] / tm[ROUNDS / 2]);
	skap_nl_close(&a);
	skap_nl_close(&b);
	skap_sh(IP " netns del " NA "; " IP " netns del " NB);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--bench")) {
		int ret = bench_install();

		ret |= bench_throughput();
		return ret;
	}
	return test_harness_run(argc, argv);
}
