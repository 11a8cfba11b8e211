// SPDX-License-Identifier: GPL-2.0
/*
 * X25519 and Ed25519 over OpenSSL 3.0 (include/skap/crypto.h), but for
 * Ed25519 verification, which is libskap's own (ed25519.c). Every OpenSSL
 * result is checked, every object freed on every path, and every output
 * zeroed on failure.
 */

#include <skap/crypto.h>

#include <errno.h>
#include <stdlib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

static int raw_public(int type, const uint8_t priv[32], uint8_t pub[32])
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(type, NULL, priv, 32);
	size_t len = 32;
	int ok = pkey && EVP_PKEY_get_raw_public_key(pkey, pub, &len) == 1 && len == 32;

	EVP_PKEY_free(pkey);
	if (!ok) {
		OPENSSL_cleanse(pub, 32);
		return -EIO;
	}
	return 0;
}

int skap_x25519_public(const uint8_t priv[SKAP_X25519_KEY_LEN], uint8_t pub[SKAP_X25519_KEY_LEN])
{
	return raw_public(EVP_PKEY_X25519, priv, pub);
}

int skap_x25519_keygen(uint8_t priv[SKAP_X25519_KEY_LEN], uint8_t pub[SKAP_X25519_KEY_LEN])
{
	int ret = skap_random(priv, SKAP_X25519_KEY_LEN);

	if (!ret)
		ret = skap_x25519_public(priv, pub);
	if (ret) {
		OPENSSL_cleanse(priv, SKAP_X25519_KEY_LEN);
		OPENSSL_cleanse(pub, SKAP_X25519_KEY_LEN);
		return -EIO;
	}
	return 0;
}

int skap_x25519(const uint8_t priv[SKAP_X25519_KEY_LEN], const uint8_t peer[SKAP_X25519_KEY_LEN],
		uint8_t shared[SKAP_X25519_KEY_LEN])
{
	static const uint8_t zero[SKAP_X25519_KEY_LEN];
	EVP_PKEY *mine = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
	EVP_PKEY *theirs = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
	EVP_PKEY_CTX *ctx = mine ? EVP_PKEY_CTX_new(mine, NULL) : NULL;
	size_t len = SKAP_X25519_KEY_LEN;
	int ret = -EIO;

	if (ctx && theirs && EVP_PKEY_derive_init(ctx) == 1 &&
	    EVP_PKEY_derive_set_peer(ctx, theirs) == 1) {
		/*
		 * OpenSSL's derive fails only on an all-zero result once the
		 * keys are set; tell that apart by the value it would have.
		 */
		if (EVP_PKEY_derive(ctx, shared, &len) == 1 && len == SKAP_X25519_KEY_LEN)
			ret = CRYPTO_memcmp(shared, zero, sizeof(zero)) ? 0 : -EINVAL;
		else
			ret = -EINVAL;
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(theirs);
	EVP_PKEY_free(mine);
	if (ret)
		OPENSSL_cleanse(shared, SKAP_X25519_KEY_LEN);
	return ret;
}

int skap_ed25519_public(const uint8_t seed[SKAP_ED25519_SEED_LEN],
			uint8_t pub[SKAP_ED25519_PUB_LEN])
{
	return raw_public(EVP_PKEY_ED25519, seed, pub);
}

int skap_ed25519_keygen(uint8_t seed[SKAP_ED25519_SEED_LEN], uint8_t pub[SKAP_ED25519_PUB_LEN])
{
	int ret = skap_random(seed, SKAP_ED25519_SEED_LEN);

	if (!ret)
		ret = skap_ed25519_public(seed, pub);
	if (ret) {
		OPENSSL_cleanse(seed, SKAP_ED25519_SEED_LEN);
		OPENSSL_cleanse(pub, SKAP_ED25519_PUB_LEN);
		return -EIO;
	}
	return 0;
}

struct skap_ed25519_signer {
	EVP_PKEY *key;
};

int skap_ed25519_signer_new(const uint8_t seed[SKAP_ED25519_SEED_LEN],
			    uint8_t pub[SKAP_ED25519_PUB_LEN], struct skap_ed25519_signer **out)
{
	struct skap_ed25519_signer *s = calloc(1, sizeof(*s));
	size_t len = SKAP_ED25519_PUB_LEN;

	*out = NULL;
	if (s)
		s->key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (!s || !s->key ||
	    (pub && (EVP_PKEY_get_raw_public_key(s->key, pub, &len) != 1 ||
		     len != SKAP_ED25519_PUB_LEN))) {
		skap_ed25519_signer_free(s);
		if (pub)
			OPENSSL_cleanse(pub, SKAP_ED25519_PUB_LEN);
		return -EIO;
	}
	*out = s;
	return 0;
}

int skap_ed25519_signer_sign(const struct skap_ed25519_signer *s, const void *msg, size_t len,
			     uint8_t sig[SKAP_ED25519_SIG_LEN])
{
	static const uint8_t empty[1];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = SKAP_ED25519_SIG_LEN;
	int ok = s && md &&
		 EVP_DigestSignInit_ex(md, NULL, NULL, NULL, NULL, s->key, NULL) == 1 &&
		 EVP_DigestSign(md, sig, &siglen, len ? msg : empty, len) == 1 &&
		 siglen == SKAP_ED25519_SIG_LEN;

	EVP_MD_CTX_free(md);
	if (!ok) {
		OPENSSL_cleanse(sig, SKAP_ED25519_SIG_LEN);
		return -EIO;
	}
	return 0;
}

void skap_ed25519_signer_free(struct skap_ed25519_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	free(s);
}

int skap_ed25519_sign(const uint8_t seed[SKAP_ED25519_SEED_LEN], const void *msg, size_t len,
		      uint8_t sig[SKAP_ED25519_SIG_LEN])
{
	struct skap_ed25519_signer *s;
	int ret = skap_ed25519_signer_new(seed, NULL, &s);

	if (!ret)
		ret = skap_ed25519_signer_sign(s, msg, len, sig);
	else
		OPENSSL_cleanse(sig, SKAP_ED25519_SIG_LEN);
	skap_ed25519_signer_free(s);
	return ret;
}
