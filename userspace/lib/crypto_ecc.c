// SPDX-License-Identifier: GPL-2.0
/*
 * X25519 and Ed25519 over libsodium (include/skap/crypto.h), docs/crypto.md
 * says why libsodium rather than OpenSSL 3.0 for these two: its Ed25519
 * verification refuses public keys of small order (OpenSSL's verifies a
 * forgery for the identity as a key, over any message) and non-canonical
 * encodings, and neither curve goes through a key object per call (OpenSSL
 * makes one, and computes its public key again, for every signature and
 * every shared secret). Every output is zeroed on failure; a signer's
 * expanded key is wiped when the signer is freed.
 */

#include <skap/crypto.h>

#include "ct.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_ok;

static void sodium_start(void)
{
	/* Picks the implementations for this CPU; safe to call from any thread once. */
	sodium_ok = sodium_init() >= 0;
}

static int sodium_ready(void)
{
	pthread_once(&sodium_once, sodium_start);
	return sodium_ok;
}

int skap_x25519_public(const uint8_t priv[SKAP_X25519_KEY_LEN], uint8_t pub[SKAP_X25519_KEY_LEN])
{
	if (!sodium_ready() || crypto_scalarmult_curve25519_base(pub, priv)) {
		sodium_memzero(pub, SKAP_X25519_KEY_LEN);
		return -EIO;
	}
	return 0;
}

int skap_x25519_keygen(uint8_t priv[SKAP_X25519_KEY_LEN], uint8_t pub[SKAP_X25519_KEY_LEN])
{
	int ret = skap_random(priv, SKAP_X25519_KEY_LEN);

	if (!ret)
		ret = skap_x25519_public(priv, pub);
	if (ret) {
		sodium_memzero(priv, SKAP_X25519_KEY_LEN);
		sodium_memzero(pub, SKAP_X25519_KEY_LEN);
		return -EIO;
	}
	return 0;
}

int skap_x25519(const uint8_t priv[SKAP_X25519_KEY_LEN], const uint8_t peer[SKAP_X25519_KEY_LEN],
		uint8_t shared[SKAP_X25519_KEY_LEN])
{
	int refused;

	if (!sodium_ready()) {
		sodium_memzero(shared, SKAP_X25519_KEY_LEN);
		return -EIO;
	}
	/*
	 * libsodium fails only for an all-zero result: PEER has small order,
	 * a fact about PEER alone, so the branch on it leaks nothing of PRIV.
	 */
	refused = crypto_scalarmult_curve25519(shared, priv, peer);
	CT_PUBLIC(&refused, sizeof(refused));
	if (refused) {
		sodium_memzero(shared, SKAP_X25519_KEY_LEN);
		return -EINVAL;
	}
	return 0;
}

/* libsodium's secret key: the seed, then the public key. */
struct skap_ed25519_signer {
	uint8_t sk[crypto_sign_ed25519_SECRETKEYBYTES];
};

int skap_ed25519_signer_new(const uint8_t seed[SKAP_ED25519_SEED_LEN],
			    uint8_t pub[SKAP_ED25519_PUB_LEN], struct skap_ed25519_signer **out)
{
	struct skap_ed25519_signer *s = calloc(1, sizeof(*s));
	uint8_t pk[crypto_sign_ed25519_PUBLICKEYBYTES];

	*out = NULL;
	if (!s || !sodium_ready() || crypto_sign_ed25519_seed_keypair(pk, s->sk, seed)) {
		skap_ed25519_signer_free(s);
		if (pub)
			sodium_memzero(pub, SKAP_ED25519_PUB_LEN);
		return -EIO;
	}
	if (pub)
		memcpy(pub, pk, SKAP_ED25519_PUB_LEN);
	*out = s;
	return 0;
}

int skap_ed25519_signer_sign(const struct skap_ed25519_signer *s, const void *msg, size_t len,
			     uint8_t sig[SKAP_ED25519_SIG_LEN])
{
	static const uint8_t empty[1];

	if (!s || crypto_sign_ed25519_detached(sig, NULL, len ? msg : empty, len, s->sk)) {
		sodium_memzero(sig, SKAP_ED25519_SIG_LEN);
		return -EIO;
	}
	return 0;
}

void skap_ed25519_signer_free(struct skap_ed25519_signer *s)
{
	if (!s)
		return;
	sodium_memzero(s, sizeof(*s));
	free(s);
}

int skap_ed25519_public(const uint8_t seed[SKAP_ED25519_SEED_LEN],
			uint8_t pub[SKAP_ED25519_PUB_LEN])
{
	uint8_t sk[crypto_sign_ed25519_SECRETKEYBYTES];
	int ok = sodium_ready() && crypto_sign_ed25519_seed_keypair(pub, sk, seed) == 0;

	sodium_memzero(sk, sizeof(sk));
	if (!ok) {
		sodium_memzero(pub, SKAP_ED25519_PUB_LEN);
		return -EIO;
	}
	return 0;
}

int skap_ed25519_keygen(uint8_t seed[SKAP_ED25519_SEED_LEN], uint8_t pub[SKAP_ED25519_PUB_LEN])
{
	int ret = skap_random(seed, SKAP_ED25519_SEED_LEN);

	if (!ret)
		ret = skap_ed25519_public(seed, pub);
	if (ret) {
		sodium_memzero(seed, SKAP_ED25519_SEED_LEN);
		sodium_memzero(pub, SKAP_ED25519_PUB_LEN);
		return -EIO;
	}
	return 0;
}

int skap_ed25519_sign(const uint8_t seed[SKAP_ED25519_SEED_LEN], const void *msg, size_t len,
		      uint8_t sig[SKAP_ED25519_SIG_LEN])
{
	struct skap_ed25519_signer *s;
	int ret = skap_ed25519_signer_new(seed, NULL, &s);

	if (!ret)
		ret = skap_ed25519_signer_sign(s, msg, len, sig);
	else
		sodium_memzero(sig, SKAP_ED25519_SIG_LEN);
	skap_ed25519_signer_free(s);
	return ret;
}

int skap_ed25519_verify(const uint8_t pub[SKAP_ED25519_PUB_LEN], const void *msg, size_t len,
			const uint8_t sig[SKAP_ED25519_SIG_LEN])
{
	static const uint8_t empty[1];

	if (!pub || !sig || (len && !msg) || !sodium_ready())
		return -EBADMSG;
	return crypto_sign_ed25519_verify_detached(sig, len ? msg : empty, len, pub) ? -EBADMSG : 0;
}
