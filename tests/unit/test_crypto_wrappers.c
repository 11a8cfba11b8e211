// SPDX-License-Identifier: GPL-2.0
/*
 * The OpenSSL wrappers of <skap/crypto.h> against RFC 7748 (X25519) and
 * RFC 8032 (Ed25519) vectors, their failure paths (small-order points,
 * forged signatures), and the secret buffers of <skap/secret.h>: zeroed,
 * locked, fenced by guard pages.
 */

#include <skap/crypto.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

static void unhex(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

TEST(x25519_rfc7748_section_6_1)
{
	uint8_t a[32], b[32], apub[32], bpub[32], want_a[32], want_b[32], want_k[32], k1[32], k2[32];

	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a, 32);
	unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", b, 32);
	unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", want_a, 32);
	unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", want_b, 32);
	unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", want_k, 32);
	ASSERT_EQ(0, skap_x25519_public(a, apub));
	ASSERT_EQ(0, skap_x25519_public(b, bpub));
	EXPECT_EQ(0, memcmp(apub, want_a, 32));
	EXPECT_EQ(0, memcmp(bpub, want_b, 32));
	ASSERT_EQ(0, skap_x25519(a, bpub, k1));
	ASSERT_EQ(0, skap_x25519(b, apub, k2));
	EXPECT_EQ(0, memcmp(k1, want_k, 32));
	EXPECT_EQ(0, memcmp(k2, want_k, 32));
}

TEST(x25519_keygen_agrees)
{
	uint8_t a[32], b[32], ap[32], bp[32], k1[32], k2[32], zero[32] = { 0 };

	ASSERT_EQ(0, skap_x25519_keygen(a, ap));
	ASSERT_EQ(0, skap_x25519_keygen(b, bp));
	EXPECT_NE(0, memcmp(a, b, 32));
	ASSERT_EQ(0, skap_x25519(a, bp, k1));
	ASSERT_EQ(0, skap_x25519(b, ap, k2));
	EXPECT_EQ(0, memcmp(k1, k2, 32));
	EXPECT_NE(0, memcmp(k1, zero, 32));
}

TEST(x25519_small_order_points_refused_and_zeroed)
{
	/* u = 0 and u = 1 have small order: the result would be all zero. */
	uint8_t priv[32], pub[32], peer[32] = { 0 }, out[32];

	ASSERT_EQ(0, skap_x25519_keygen(priv, pub));
	memset(out, 0xaa, sizeof(out));
	EXPECT_EQ(-EINVAL, skap_x25519(priv, peer, out));
	for (int i = 0; i < 32; i++)
		EXPECT_EQ(0, out[i]);
	peer[0] = 1;
	memset(out, 0xaa, sizeof(out));
	EXPECT_EQ(-EINVAL, skap_x25519(priv, peer, out));
	for (int i = 0; i < 32; i++)
		EXPECT_EQ(0, out[i]);
}

struct ed_vec {
	const char *seed, *pub, *msg, *sig;
};

static const struct ed_vec rfc8032[] = {
	{ "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
	  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
	{ "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
	  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
};

TEST(ed25519_rfc8032_section_7_1)
{
	for (size_t v = 0; v < sizeof(rfc8032) / sizeof(rfc8032[0]); v++) {
		uint8_t seed[32], pub[32], want_pub[32], msg[8], sig[64], want_sig[64];
		size_t mlen = strlen(rfc8032[v].msg) / 2;

		unhex(rfc8032[v].seed, seed, 32);
		unhex(rfc8032[v].pub, want_pub, 32);
		unhex(rfc8032[v].msg, msg, mlen);
		unhex(rfc8032[v].sig, want_sig, 64);
		ASSERT_EQ(0, skap_ed25519_public(seed, pub));
		EXPECT_EQ(0, memcmp(pub, want_pub, 32));
		ASSERT_EQ(0, skap_ed25519_sign(seed, mlen ? msg : NULL, mlen, sig));
		EXPECT_EQ(0, memcmp(sig, want_sig, 64));
		EXPECT_EQ(0, skap_ed25519_verify(pub, mlen ? msg : NULL, mlen, sig));
	}
}

/* A signer: the public key and signatures of skap_ed25519_public and _sign (Ed25519 is deterministic). */
TEST(ed25519_signer_as_the_one_shot_calls)
{
	uint8_t seed[32], pub[32], want_pub[32], sig[64], want_sig[64], msg[77];
	struct skap_ed25519_signer *s;

	ASSERT_EQ(0, skap_random(seed, sizeof(seed)));
	ASSERT_EQ(0, skap_random(msg, sizeof(msg)));
	ASSERT_EQ(0, skap_ed25519_public(seed, want_pub));
	ASSERT_EQ(0, skap_ed25519_sign(seed, msg, sizeof(msg), want_sig));
	ASSERT_EQ(0, skap_ed25519_signer_new(seed, pub, &s));
	EXPECT_EQ(0, memcmp(pub, want_pub, sizeof(pub)));
	for (int i = 0; i < 2; i++) {
		memset(sig, 0, sizeof(sig));
		ASSERT_EQ(0, skap_ed25519_signer_sign(s, msg, sizeof(msg), sig));
		EXPECT_EQ(0, memcmp(sig, want_sig, sizeof(sig)));
	}
	ASSERT_EQ(0, skap_ed25519_signer_sign(s, NULL, 0, sig));
	EXPECT_EQ(0, skap_ed25519_verify(pub, NULL, 0, sig));
	skap_ed25519_signer_free(s);
	ASSERT_EQ(0, skap_ed25519_signer_new(seed, NULL, &s));
	ASSERT_EQ(0, skap_ed25519_signer_sign(s, msg, sizeof(msg), sig));
	EXPECT_EQ(0, memcmp(sig, want_sig, sizeof(sig)));
	skap_ed25519_signer_free(s);
	skap_ed25519_signer_free(NULL);
	EXPECT_EQ(-EIO, skap_ed25519_signer_sign(NULL, msg, sizeof(msg), sig));
}

TEST(ed25519_forgeries_refused)
{
	uint8_t seed[32], pub[32], sig[64], other_seed[32], other_pub[32];
	uint8_t msg[100];

	ASSERT_EQ(0, skap_random(msg, sizeof(msg)));
	ASSERT_EQ(0, skap_ed25519_keygen(seed, pub));
	ASSERT_EQ(0, skap_ed25519_keygen(other_seed, other_pub));
	ASSERT_EQ(0, skap_ed25519_sign(seed, msg, sizeof(msg), sig));
	ASSERT_EQ(0, skap_ed25519_verify(pub, msg, sizeof(msg), sig));
	EXPECT_EQ(-EBADMSG, skap_ed25519_verify(other_pub, msg, sizeof(msg), sig));
	EXPECT_EQ(-EBADMSG, skap_ed25519_verify(pub, msg, sizeof(msg) - 1, sig));
	for (int bit = 0; bit < 512; bit += 37) {
		sig[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		EXPECT_EQ(-EBADMSG, skap_ed25519_verify(pub, msg, sizeof(msg), sig));
		sig[bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
	msg[50] ^= 1;
	EXPECT_EQ(-EBADMSG, skap_ed25519_verify(pub, msg, sizeof(msg), sig));
}

static long vm_locked_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

TEST(secret_zeroed_locked_and_freed)
{
	long before = vm_locked_kb(), during;
	uint8_t *p;
	void *v;

	EXPECT_EQ(-EINVAL, skap_secret_alloc(0, &v));
	EXPECT_EQ(NULL, v);
	ASSERT_EQ(0, skap_secret_alloc(100, &v));
	p = v;
	ASSERT_NE(NULL, p);
	EXPECT_EQ(100, skap_secret_len(p));
	for (int i = 0; i < 100; i++)
		ASSERT_EQ(0, p[i]);
	memset(p, 0x5c, 100);
	during = vm_locked_kb();
	ASSERT_LE(0, before);
	EXPECT_LT(before, during);
	skap_secret_free(p);
	EXPECT_EQ(before, vm_locked_kb());
	skap_secret_free(NULL);
	EXPECT_EQ(0, skap_secret_len(NULL));
}

static void on_segv(int sig)
{
	_exit(77);
}

/* 77 when FN faulted, 0 when it did not. */
static int child_status(void (*fn)(uint8_t *p), uint8_t *p)
{
	int st = 0;
	pid_t pid = fork();

	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_segv };

		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		fn(p);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static void write_past_end(uint8_t *p)
{
	/* The guard page starts within 16 bytes after the data. */
	for (int i = 0; i < 64; i++)
		((volatile uint8_t *)p)[100 + i] = 1;
}

static void write_before_start(uint8_t *p)
{
	for (int i = 0; i < 8192; i++)
		((volatile uint8_t *)p)[-1 - i] = 1;
}

TEST(secret_guard_pages_fault)
{
	void *v;
	int st;

	ASSERT_EQ(0, skap_secret_alloc(100, &v));
	st = child_status(write_past_end, v);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 77);
	st = child_status(write_before_start, v);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 77);
	skap_secret_free(v);
}

TEST(secret_many_sizes)
{
	static const size_t sizes[] = { 1, 15, 16, 17, 32, 4000, 4096, 5000, 65536 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *p;
		void *v;

		ASSERT_EQ(0, skap_secret_alloc(sizes[i], &v));
		p = v;
		EXPECT_EQ(0, ((uintptr_t)p) % 16);
		EXPECT_EQ(sizes[i], skap_secret_len(p));
		memset(p, 0xff, sizes[i]);
		skap_secret_free(p);
	}
}

TEST(wipe_zeroes)
{
	uint8_t b[33];

	memset(b, 0x77, sizeof(b));
	skap_wipe(b, sizeof(b));
	for (size_t i = 0; i < sizeof(b); i++)
		EXPECT_EQ(0, b[i]);
	skap_wipe(NULL, 0);
}

TEST_HARNESS_MAIN
