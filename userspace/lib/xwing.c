// SPDX-License-Identifier: GPL-2.0
/*
 * X-Wing over the library's ML-KEM-768 and libsodium's X25519
 * (include/skap/xwing.h). Every intermediate secret is wiped on every path.
 */

#include <skap/xwing.h>

#include <skap/crypto.h>
#include <skap/keccak.h>
#include <skap/mlkem.h>

#include <errno.h>
#include <openssl/rand.h>
#include <string.h>

#include "ct.h"

static const uint8_t xwing_label[6] = { 0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c };

/*
 * PUB = X25519(SCALAR, 9) when PUB is not NULL, SHARED = X25519(SCALAR,
 * POINT) when POINT is not NULL (<skap/crypto.h>, over libsodium). 0 or
 * -EIO (also for a POINT of small order); outputs zeroed on failure.
 */
static int x25519(const uint8_t scalar[32], const uint8_t *point, uint8_t *pub, uint8_t *shared)
{
	if (pub && skap_x25519_public(scalar, pub))
		return -EIO;
	if (point && skap_x25519(scalar, point, shared)) {
		if (pub)
			explicit_bzero(pub, 32);
		return -EIO;
	}
	return 0;
}

struct expanded {
	uint8_t seed[96]; /* d || z || sk_X */
	uint8_t dk_m[SKAP_MLKEM768_DK_LEN];
	uint8_t pk[SKAP_XWING_PK_BYTES]; /* pk_M || pk_X */
};

/* The key pair from SK; with POINT, also SHARED = X25519(sk_X, POINT). */
static int expand(const uint8_t sk[SKAP_XWING_SK_LEN], struct expanded *e, const uint8_t *point,
		  uint8_t *shared)
{
	skap_shake256(sk, SKAP_XWING_SK_LEN, e->seed, sizeof(e->seed));
	skap_mlkem768_keygen_derand(e->seed, e->seed + 32, e->pk, e->dk_m);
	/* The ML-KEM public key and its hash, inside dk_m too, are public. */
	CT_PUBLIC(e->pk, SKAP_MLKEM768_EK_LEN);
	CT_PUBLIC(e->dk_m + SKAP_MLKEM768_DK_LEN - 32 - 32 - SKAP_MLKEM768_EK_LEN,
		  SKAP_MLKEM768_EK_LEN + 32);
	return x25519(e->seed + 64, point, e->pk + SKAP_MLKEM768_EK_LEN, shared);
}

static void combine(const uint8_t ss_m[32], const uint8_t ss_x[32], const uint8_t ct_x[32],
		    const uint8_t pk_x[32], uint8_t ss[SKAP_XWING_SS_LEN])
{
	uint8_t in[32 * 4 + sizeof(xwing_label)];

	memcpy(in, ss_m, 32);
	memcpy(in + 32, ss_x, 32);
	memcpy(in + 64, ct_x, 32);
	memcpy(in + 96, pk_x, 32);
	memcpy(in + 128, xwing_label, sizeof(xwing_label));
	skap_sha3_256(in, sizeof(in), ss);
	explicit_bzero(in, sizeof(in));
}

int skap_xwing_public_key(const uint8_t sk[SKAP_XWING_SK_LEN], uint8_t pk[SKAP_XWING_PK_BYTES])
{
	struct expanded e;
	int ret = expand(sk, &e, NULL, NULL);

	if (!ret)
		memcpy(pk, e.pk, sizeof(e.pk));
	explicit_bzero(&e, sizeof(e));
	return ret;
}

int skap_xwing_keygen(uint8_t sk[SKAP_XWING_SK_LEN], uint8_t pk[SKAP_XWING_PK_BYTES])
{
	int ret;

	if (RAND_priv_bytes(sk, SKAP_XWING_SK_LEN) != 1)
		return -EIO;
	ret = skap_xwing_public_key(sk, pk);
	if (ret)
		explicit_bzero(sk, SKAP_XWING_SK_LEN);
	return ret;
}

int skap_xwing_eph_from_seed(const uint8_t eseed[SKAP_XWING_ESEED_LEN], struct skap_xwing_eph *eph)
{
	int ret;

	memcpy(eph->eseed, eseed, SKAP_XWING_ESEED_LEN);
	/* ct_X = X25519(ek_X, 9): computed here, ahead of the peer's key. */
	ret = x25519(eph->eseed + 32, NULL, eph->ct_x, NULL);
	if (ret)
		explicit_bzero(eph, sizeof(*eph));
	return ret;
}

int skap_xwing_eph_new(struct skap_xwing_eph *eph)
{
	uint8_t eseed[SKAP_XWING_ESEED_LEN];
	int ret = -EIO;

	if (RAND_priv_bytes(eseed, sizeof(eseed)) == 1)
		ret = skap_xwing_eph_from_seed(eseed, eph);
	else
		explicit_bzero(eph, sizeof(*eph));
	explicit_bzero(eseed, sizeof(eseed));
	return ret;
}

int skap_xwing_encaps_prepared(const uint8_t pk[SKAP_XWING_PK_BYTES], struct skap_xwing_eph *eph,
			       uint8_t ct[SKAP_XWING_CT_BYTES], uint8_t ss[SKAP_XWING_SS_LEN])
{
	const uint8_t *pk_x = pk + SKAP_MLKEM768_EK_LEN;
	uint8_t *ct_x = ct + SKAP_MLKEM768_CT_LEN;
	uint8_t ss_m[32], ss_x[32];
	int ret;

	ret = skap_mlkem768_encaps_derand(pk, eph->eseed, ct, ss_m);
	if (!ret)
		ret = x25519(eph->eseed + 32, pk_x, NULL, ss_x);
	if (!ret) {
		memcpy(ct_x, eph->ct_x, 32);
		combine(ss_m, ss_x, ct_x, pk_x, ss);
	}
	explicit_bzero(ss_m, sizeof(ss_m));
	explicit_bzero(ss_x, sizeof(ss_x));
	explicit_bzero(eph, sizeof(*eph));
	if (ret) {
		memset(ct, 0, SKAP_XWING_CT_BYTES);
		explicit_bzero(ss, SKAP_XWING_SS_LEN);
	}
	return ret;
}

int skap_xwing_encaps_derand(const uint8_t pk[SKAP_XWING_PK_BYTES],
			     const uint8_t eseed[SKAP_XWING_ESEED_LEN],
			     uint8_t ct[SKAP_XWING_CT_BYTES], uint8_t ss[SKAP_XWING_SS_LEN])
{
	struct skap_xwing_eph eph;
	int ret = skap_xwing_eph_from_seed(eseed, &eph);

	if (!ret)
		return skap_xwing_encaps_prepared(pk, &eph, ct, ss);
	explicit_bzero(&eph, sizeof(eph));
	memset(ct, 0, SKAP_XWING_CT_BYTES);
	explicit_bzero(ss, SKAP_XWING_SS_LEN);
	return ret;
}

int skap_xwing_encaps(const uint8_t pk[SKAP_XWING_PK_BYTES], uint8_t ct[SKAP_XWING_CT_BYTES],
		      uint8_t ss[SKAP_XWING_SS_LEN])
{
	struct skap_xwing_eph eph;
	int ret = skap_xwing_eph_new(&eph);

	if (!ret)
		return skap_xwing_encaps_prepared(pk, &eph, ct, ss);
	memset(ct, 0, SKAP_XWING_CT_BYTES);
	explicit_bzero(ss, SKAP_XWING_SS_LEN);
	return ret;
}

int skap_xwing_expand(const uint8_t sk[SKAP_XWING_SK_LEN], struct skap_xwing_dk *dk,
		      uint8_t pk[SKAP_XWING_PK_BYTES])
{
	struct expanded e;
	int ret = expand(sk, &e, NULL, NULL);

	if (!ret) {
		memcpy(dk->dk_m, e.dk_m, sizeof(dk->dk_m));
		memcpy(dk->sk_x, e.seed + 64, sizeof(dk->sk_x));
		memcpy(dk->pk_x, e.pk + SKAP_MLKEM768_EK_LEN, sizeof(dk->pk_x));
		memcpy(pk, e.pk, sizeof(e.pk));
	}
	explicit_bzero(&e, sizeof(e));
	return ret;
}

int skap_xwing_keygen_expanded(struct skap_xwing_dk *dk, uint8_t pk[SKAP_XWING_PK_BYTES])
{
	uint8_t sk[SKAP_XWING_SK_LEN];
	int ret;

	if (RAND_priv_bytes(sk, sizeof(sk)) != 1)
		return -EIO;
	ret = skap_xwing_expand(sk, dk, pk);
	explicit_bzero(sk, sizeof(sk));
	if (ret)
		explicit_bzero(dk, sizeof(*dk));
	return ret;
}

int skap_xwing_decaps_expanded(const struct skap_xwing_dk *dk,
			       const uint8_t ct[SKAP_XWING_CT_BYTES], uint8_t ss[SKAP_XWING_SS_LEN])
{
	const uint8_t *ct_x = ct + SKAP_MLKEM768_CT_LEN;
	uint8_t ss_m[32], ss_x[32];
	int ret = x25519(dk->sk_x, ct_x, NULL, ss_x);

	if (!ret)
		ret = skap_mlkem768_decaps(dk->dk_m, ct, ss_m);
	if (!ret)
		combine(ss_m, ss_x, ct_x, dk->pk_x, ss);
	explicit_bzero(ss_m, sizeof(ss_m));
	explicit_bzero(ss_x, sizeof(ss_x));
	if (ret)
		explicit_bzero(ss, SKAP_XWING_SS_LEN);
	return ret;
}

int skap_xwing_decaps(const uint8_t sk[SKAP_XWING_SK_LEN], const uint8_t ct[SKAP_XWING_CT_BYTES],
		      uint8_t ss[SKAP_XWING_SS_LEN])
{
	uint8_t pk[SKAP_XWING_PK_BYTES];
	struct skap_xwing_dk dk;
	int ret = skap_xwing_expand(sk, &dk, pk);

	if (!ret)
		ret = skap_xwing_decaps_expanded(&dk, ct, ss);
	explicit_bzero(&dk, sizeof(dk));
	if (ret)
		explicit_bzero(ss, SKAP_XWING_SS_LEN);
	return ret;
}
