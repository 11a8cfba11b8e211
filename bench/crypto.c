// SPDX-License-Identifier: GPL-2.0
/*
 * libskap's KEMs: ML-KEM-768 KeyGen, Encaps, Decaps and X-Wing KeyGen,
 * Encaps, Decaps, in operations per second and CPU cycles per operation
 * (the median of single-operation rdtsc readings, as the pq-crystals and
 * SUPERCOP benchmarks report them). libskap's X25519 (shared secret and
 * public key) is shown against OpenSSL's, through EVP as libskap used it
 * before, measured in the same run. Where the CPU runs ML-KEM's AVX2 code,
 * the portable code is measured too, interleaved with it (the *_port lines).
 *
 *   crypto [-n ITERATIONS] [-m]     -m: machine-readable lines "name ops/s cycles"
 *
 * bench/crypto.sh runs this next to @noble/post-quantum and prints ratios.
 */

#include <skap/crypto.h>
#include <skap/mlkem.h>
#include <skap/xwing.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#endif

static uint64_t cycles(void)
{
#ifdef HAVE_TSC
	return __rdtsc();
#else
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct ctx {
	uint8_t ek[SKAP_MLKEM768_EK_LEN], dk[SKAP_MLKEM768_DK_LEN], ct[SKAP_MLKEM768_CT_LEN];
	uint8_t ss[32], d[32], z[32], m[32];
	uint8_t xsk[SKAP_XWING_SK_LEN], xpk[SKAP_XWING_PK_BYTES], xct[SKAP_XWING_CT_BYTES];
	uint8_t a[32], b[32], apub[32], bpub[32];
	struct skap_xwing_dk xdk;
	struct skap_xwing_eph eph;
	int err;
};

static void op_keygen(struct ctx *c)
{
	skap_mlkem768_keygen_derand(c->d, c->z, c->ek, c->dk);
	c->d[0]++; /* a new key each time, as a server makes them */
}

static void op_encaps(struct ctx *c)
{
	c->err |= skap_mlkem768_encaps_derand(c->ek, c->m, c->ct, c->ss);
	c->m[0]++;
}

static void op_decaps(struct ctx *c)
{
	c->err |= skap_mlkem768_decaps(c->dk, c->ct, c->ss);
}

static void op_xkeygen(struct ctx *c)
{
	c->err |= skap_xwing_public_key(c->xsk, c->xpk);
	c->xsk[0]++;
}

static void op_xencaps(struct ctx *c)
{
	c->err |= skap_xwing_encaps(c->xpk, c->xct, c->ss);
}

static void op_xdecaps(struct ctx *c)
{
	c->err |= skap_xwing_decaps(c->xsk, c->xct, c->ss);
}

/* What skapd does while a peer waits: the randomness and key were made ahead. */
static void prepare_eph(struct ctx *c)
{
	c->err |= skap_xwing_eph_new(&c->eph);
}

static void op_xencaps_prepared(struct ctx *c)
{
	c->err |= skap_xwing_encaps_prepared(c->xpk, &c->eph, c->xct, c->ss);
}

static void op_xdecaps_expanded(struct ctx *c)
{
	c->err |= skap_xwing_decaps_expanded(&c->xdk, c->xct, c->ss);
}

static void op_x25519(struct ctx *c)
{
	c->err |= skap_x25519(c->a, c->bpub, c->ss);
}

static void op_x25519_public(struct ctx *c)
{
	c->err |= skap_x25519_public(c->a, c->apub);
}

/* What libskap did before x25519.c: raw keys into EVP objects, then derive. */
static void op_x25519_openssl(struct ctx *c)
{
	EVP_PKEY *mine = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, c->a, 32);
	EVP_PKEY *theirs = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, c->bpub, 32);
	EVP_PKEY_CTX *ctx = mine ? EVP_PKEY_CTX_new(mine, NULL) : NULL;
	size_t len = 32;

	c->err |= !(ctx && theirs && EVP_PKEY_derive_init(ctx) == 1 &&
		    EVP_PKEY_derive_set_peer(ctx, theirs) == 1 &&
		    EVP_PKEY_derive(ctx, c->ss, &len) == 1);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(theirs);
	EVP_PKEY_free(mine);
}

static void op_x25519_openssl_public(struct ctx *c)
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, c->a, 32);
	size_t len = 32;

	c->err |= !(k && EVP_PKEY_get_raw_public_key(k, c->apub, &len) == 1);
	EVP_PKEY_free(k);
}

struct result {
	double ops;
	uint64_t cyc;
};

static void report(const char *name, struct result r, int machine)
{
	if (machine)
		printf("%s %.1f %llu\n", name, r.ops, (unsigned long long)r.cyc);
	else
		printf("%-20s %10.0f ops/s %10llu %s/op\n", name, r.ops, (unsigned long long)r.cyc,
#ifdef HAVE_TSC
		       "cycles"
#else
		       "ns"
#endif
		);
}

/* One timed OP after PREPARE (not counted): its cycles; adds its seconds to *SPENT. */
static uint64_t time_one(void (*prepare)(struct ctx *), void (*op)(struct ctx *), struct ctx *c,
			 double *spent)
{
	uint64_t s;
	double t0;

	if (prepare)
		prepare(c);
	t0 = now();
	s = cycles();
	op(c);
	s = cycles() - s;
	*spent += now() - t0;
	return s;
}

static struct result summarize(uint64_t *t, int n, double spent)
{
	struct result r = { n / spent, 0 };

	qsort(t, (size_t)n, sizeof(*t), cmp_u64);
	r.cyc = t[n / 2];
	return r;
}

static uint64_t *timings(int n)
{
	uint64_t *t = calloc((size_t)n, sizeof(*t));

	if (!t) {
		fprintf(stderr, "crypto: out of memory\n");
		exit(1);
	}
	return t;
}

/* PREPARE, when not NULL, runs before each OP and is not counted. */
static struct result run(const char *name, void (*prepare)(struct ctx *),
			 void (*op)(struct ctx *), struct ctx *c, int n, int machine)
{
	uint64_t *t = timings(n);
	struct result r;
	double spent = 0, ignored = 0;

	for (int i = 0; i < n / 10 + 1; i++) /* warm up caches and frequency */
		time_one(prepare, op, c, &ignored);
	for (int i = 0; i < n; i++)
		t[i] = time_one(prepare, op, c, &spent);
	r = summarize(t, n, spent);
	free(t);
	report(name, r, machine);
	return r;
}

/*
 * OP with ML-KEM's code for this CPU and with the portable code, in
 * alternating runs of 50, so that the machine's changes of speed fall on
 * both alike: *NATIVE and *PORTABLE.
 */
static void run_both_codes(const char *name, void (*op)(struct ctx *), struct ctx *c, int n,
			   int machine, struct result *native, struct result *portable)
{
	uint64_t *t[2] = { timings(n), timings(n) };
	double spent[2] = { 0, 0 }, ignored = 0;
	char port_name[64];

	for (int i = 0; i < n / 10 + 1; i++)
		time_one(NULL, op, c, &ignored);
	for (int done = 0; done < n; done += 50)
		for (int code = 0; code < 2; code++) {
			skap_mlkem_force_portable(code);
			for (int i = done; i < n && i < done + 50; i++)
				t[code][i] = time_one(NULL, op, c, &spent[code]);
		}
	skap_mlkem_force_portable(0);
	*native = summarize(t[0], n, spent[0]);
	*portable = summarize(t[1], n, spent[1]);
	free(t[0]);
	free(t[1]);
	snprintf(port_name, sizeof(port_name), "%s_port", name);
	report(name, *native, machine);
	report(port_name, *portable, machine);
}

int main(int argc, char **argv)
{
	struct ctx *c = calloc(1, sizeof(*c));
	int n = 2000, machine = 0;
	struct result x, xo, xp, xpo, xd, md, pk, pe, pd, k, e;
	const char *impl = skap_mlkem_impl();

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-m"))
			machine = 1;
		else {
			fprintf(stderr, "usage: crypto [-n ITERATIONS] [-m]\n");
			return 2;
		}
	}
	if (!c || n < 10)
		return 2;
	if (skap_random(c->d, 32) || skap_random(c->z, 32) || skap_random(c->m, 32) ||
	    skap_random(c->xsk, 32) || skap_x25519_keygen(c->a, c->apub) ||
	    skap_x25519_keygen(c->b, c->bpub)) {
		fprintf(stderr, "crypto: random generator failed\n");
		return 1;
	}
	if (!machine)
		printf("# ML-KEM-768 and X-Wing, %d operations each, median cycles; ML-KEM code: "
		       "%s\n", n, impl);
	if (!strcmp(impl, "portable")) {
		run("mlkem768_keygen", NULL, op_keygen, c, n, machine);
		run("mlkem768_encaps", NULL, op_encaps, c, n, machine);
		md = run("mlkem768_decaps", NULL, op_decaps, c, n, machine);
	} else {
		/* The portable code too, interleaved (mlkem.h). */
		run_both_codes("mlkem768_keygen", op_keygen, c, n, machine, &k, &pk);
		run_both_codes("mlkem768_encaps", op_encaps, c, n, machine, &e, &pe);
		run_both_codes("mlkem768_decaps", op_decaps, c, n, machine, &md, &pd);
		if (!machine)
			printf("# ratios in this run: portable / %s: KeyGen %.2f, Encaps %.2f, "
			       "Decaps %.2f\n", impl, (double)pk.cyc / k.cyc,
			       (double)pe.cyc / e.cyc, (double)pd.cyc / md.cyc);
	}
	run("xwing_keygen", NULL, op_xkeygen, c, n, machine);
	run("xwing_encaps", NULL, op_xencaps, c, n, machine);
	xd = run("xwing_decaps", NULL, op_xdecaps, c, n, machine);
	/* skapd's own path: the initiator's key expanded, the responder's randomness made ahead. */
	c->err |= skap_xwing_keygen_expanded(&c->xdk, c->xpk);
	c->err |= skap_xwing_encaps(c->xpk, c->xct, c->ss);
	run("xwing_encaps_prep", prepare_eph, op_xencaps_prepared, c, n, machine);
	run("xwing_decaps_exp", NULL, op_xdecaps_expanded, c, n, machine);
	x = run("x25519", NULL, op_x25519, c, n, machine);
	xo = run("x25519_openssl", NULL, op_x25519_openssl, c, n, machine);
	xp = run("x25519_public", NULL, op_x25519_public, c, n, machine);
	xpo = run("x25519_pub_ossl", NULL, op_x25519_openssl_public, c, n, machine);
	if (c->err) {
		fprintf(stderr, "crypto: an operation failed during the run\n");
		return 1;
	}
	if (!machine)
		printf("# ratios in this run: X-Wing decaps = %.2f x ML-KEM decaps; "
		       "X25519 = %.2f x ML-KEM decaps; OpenSSL / libskap: X25519 %.2f, "
		       "public key %.2f\n",
		       (double)xd.cyc / md.cyc, (double)x.cyc / md.cyc, (double)xo.cyc / x.cyc,
		       (double)xpo.cyc / xp.cyc);
	free(c);
	return 0;
}
