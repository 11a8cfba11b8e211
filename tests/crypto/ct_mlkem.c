// SPDX-License-Identifier: GPL-2.0
/*
 * The constant-time check's driver, run under valgrind by
 * tests/unit/mlkem_consttime.sh. Each mode marks the secret inputs of one
 * operation undefined (memcheck's "uninitialised"), runs it, and marks the
 * outputs defined again: memcheck then reports every conditional jump and
 * every memory address computed from a secret, anywhere in the code, after
 * the compiler had its way with it.
 *
 *   ct_mlkem keygen | encaps | decaps | decaps-tampered | xwing-keygen |
 *            xwing-decaps | leak
 *
 * "leak" branches on a secret on purpose: the script checks that valgrind
 * reports it, so a broken harness cannot pass silently.
 */

#include <skap/mlkem.h>
#include <skap/xwing.h>

#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>

#define SECRET(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED(p, n))
#define PUBLIC(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED(p, n))

static uint8_t ek[SKAP_MLKEM768_EK_LEN], dk[SKAP_MLKEM768_DK_LEN], ct[SKAP_MLKEM768_CT_LEN];
static uint8_t ss[32], ss2[32];

/* Fixed but arbitrary inputs: valgrind judges the data flow, not the values. */
static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 31 * i + (i >> 3));
}

static void make_keys(void)
{
	uint8_t d[32], z[32];

	fill(d, 32, 1);
	fill(z, 32, 2);
	skap_mlkem768_keygen_derand(d, z, ek, dk);
}

static int leak(void)
{
	uint8_t s[32];
	volatile int x = 0;

	fill(s, 32, 9);
	SECRET(s, 32);
	if (s[3] & 1) /* the deliberate secret-dependent branch */
		x = 1;
	return x;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	uint8_t d[32], z[32], m[32];
	int ret = 0;

	/* "portable" after the mode: the code other CPUs run (mlkem.h). */
	skap_mlkem_force_portable(argc > 2 && !strcmp(argv[2], "portable"));

	if (!strcmp(mode, "keygen")) {
		fill(d, 32, 1);
		fill(z, 32, 2);
		SECRET(d, 32);
		SECRET(z, 32);
		skap_mlkem768_keygen_derand(d, z, ek, dk);
		PUBLIC(ek, sizeof(ek));
		PUBLIC(dk, sizeof(dk));
	} else if (!strcmp(mode, "encaps")) {
		make_keys();
		fill(m, 32, 3);
		SECRET(m, 32);
		ret = skap_mlkem768_encaps_derand(ek, m, ct, ss);
		PUBLIC(ct, sizeof(ct));
		PUBLIC(ss, sizeof(ss));
	} else if (!strcmp(mode, "decaps") || !strcmp(mode, "decaps-tampered")) {
		make_keys();
		fill(m, 32, 3);
		ret = skap_mlkem768_encaps_derand(ek, m, ct, ss);
		if (mode[6])
			ct[100] ^= 4;
		/* dk = dk_pke || ek || H(ek) || z: dk_pke and z are the secrets. */
		SECRET(dk, 1152);
		SECRET(dk + 2400 - 32, 32);
		ret |= skap_mlkem768_decaps(dk, ct, ss2);
		PUBLIC(ss2, sizeof(ss2));
		/* Correctness too, so that a do-nothing build cannot pass. */
		if ((memcmp(ss, ss2, 32) == 0) != !mode[6]) {
			fprintf(stderr, "ct_mlkem: decaps gave the wrong secret\n");
			ret = 1;
		}
	} else if (!strcmp(mode, "xwing-keygen")) {
		uint8_t sk[SKAP_XWING_SK_LEN], pk[SKAP_XWING_PK_BYTES];

		fill(sk, sizeof(sk), 5);
		SECRET(sk, sizeof(sk));
		ret = skap_xwing_public_key(sk, pk);
		PUBLIC(pk, sizeof(pk));
	} else if (!strcmp(mode, "xwing-decaps")) {
		uint8_t sk[SKAP_XWING_SK_LEN], pk[SKAP_XWING_PK_BYTES], xct[SKAP_XWING_CT_BYTES];
		uint8_t eseed[SKAP_XWING_ESEED_LEN];

		fill(sk, sizeof(sk), 5);
		fill(eseed, sizeof(eseed), 6);
		ret = skap_xwing_public_key(sk, pk) || skap_xwing_encaps_derand(pk, eseed, xct, ss);
		SECRET(sk, sizeof(sk));
		ret |= skap_xwing_decaps(sk, xct, ss2);
		PUBLIC(ss2, sizeof(ss2));
		if (memcmp(ss, ss2, 32)) {
			fprintf(stderr, "ct_mlkem: X-Wing decaps gave the wrong secret\n");
			ret = 1;
		}
	} else if (!strcmp(mode, "leak")) {
		ret = leak() ? 0 : 0;
	} else {
		fprintf(stderr, "usage: ct_mlkem keygen|encaps|decaps|decaps-tampered|xwing-keygen|"
				"xwing-decaps|leak\n");
		return 2;
	}
	return ret ? 1 : 0;
}
