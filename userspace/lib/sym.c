// SPDX-License-Identifier: GPL-2.0
/*
 * Symmetric primitives over OpenSSL 3.0 (include/skap/sym.h). Contexts are
 * freed on every path; outputs are wiped on every failure. The algorithms
 * are fetched once: OpenSSL 3 looks a name up, under a lock, at every
 * implicit fetch, which cost more than the HMACs of a key request.
 */

#include <skap/sym.h>

#include <errno.h>
#include <limits.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>

static struct {
	EVP_CIPHER *gcm;
	EVP_MD *sha256;
	EVP_MAC_CTX *hmac; /* HMAC-SHA256 without a key: each use starts from a copy */
} algs;
static pthread_once_t algs_once = PTHREAD_ONCE_INIT;

static void algs_fetch(void)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);

	algs.gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	algs.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	algs.hmac = mac ? EVP_MAC_CTX_new(mac) : NULL;
	if (algs.hmac && EVP_MAC_CTX_set_params(algs.hmac, params) != 1) {
		EVP_MAC_CTX_free(algs.hmac);
		algs.hmac = NULL;
	}
	EVP_MAC_free(mac); /* the context holds its own reference */
}

static int algs_ready(void)
{
	pthread_once(&algs_once, algs_fetch);
	return algs.gcm && algs.sha256 && algs.hmac;
}

int skap_random(void *buf, size_t len)
{
	if (len > INT_MAX || RAND_priv_bytes(buf, (int)len) != 1) {
		OPENSSL_cleanse(buf, len);
		return -EIO;
	}
	return 0;
}

static int gcm(int enc, const uint8_t *key, const uint8_t *nonce, const void *aad, size_t aad_len,
	       const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, ok;

	if (!ctx || !algs_ready() || len > INT_MAX || aad_len > INT_MAX) {
		EVP_CIPHER_CTX_free(ctx);
		return -EINVAL;
	}
	ok = EVP_CipherInit_ex2(ctx, algs.gcm, key, nonce, enc, NULL) == 1 &&
	     (aad_len == 0 || EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1) &&
	     (len == 0 || EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1);
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SKAP_AEAD_TAG_LEN, tag) == 1;
	ok = ok && EVP_CipherFinal_ex(ctx, out + len, &n) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SKAP_AEAD_TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -EBADMSG;
}

int skap_aead_seal(const uint8_t key[SKAP_AEAD_KEY_LEN], const uint8_t nonce[SKAP_AEAD_NONCE_LEN],
		   const void *aad, size_t aad_len, const void *pt, size_t pt_len, uint8_t *out)
{
	int ret = gcm(1, key, nonce, aad, aad_len, pt, pt_len, out, out + pt_len);

	if (ret) {
		OPENSSL_cleanse(out, pt_len + SKAP_AEAD_TAG_LEN);
		return -EIO;
	}
	return 0;
}

int skap_aead_open(const uint8_t key[SKAP_AEAD_KEY_LEN], const uint8_t nonce[SKAP_AEAD_NONCE_LEN],
		   const void *aad, size_t aad_len, const uint8_t *ct, size_t ct_len, uint8_t *out)
{
	uint8_t tag[SKAP_AEAD_TAG_LEN];
	size_t len;
	int ret;

	if (ct_len < SKAP_AEAD_TAG_LEN)
		return -EBADMSG;
	len = ct_len - SKAP_AEAD_TAG_LEN;
	/* The tag may sit in OUT's way when OUT is the input. */
	memcpy(tag, ct + len, sizeof(tag));
	ret = gcm(0, key, nonce, aad, aad_len, ct, len, out, tag);
	if (ret)
		OPENSSL_cleanse(out, len);
	return ret;
}

int skap_hmac(const void *key, size_t key_len, const void *const *parts, const size_t *lens,
	      size_t n, uint8_t out[SKAP_HMAC_LEN])
{
	EVP_MAC_CTX *ctx = algs_ready() ? EVP_MAC_CTX_dup(algs.hmac) : NULL;
	/* OpenSSL refuses an empty key; HMAC pads any key with zeros to a block. */
	static const uint8_t zero[1];
	size_t outlen = 0;
	int ok = ctx && EVP_MAC_init(ctx, key_len ? key : zero, key_len ? key_len : 1, NULL) == 1;

	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_MAC_update(ctx, parts[i], lens[i]) == 1;
	ok = ok && EVP_MAC_final(ctx, out, &outlen, SKAP_HMAC_LEN) == 1 && outlen == SKAP_HMAC_LEN;
	EVP_MAC_CTX_free(ctx);
	if (!ok) {
		OPENSSL_cleanse(out, SKAP_HMAC_LEN);
		return -EIO;
	}
	return 0;
}

/* HKDF (RFC 5869) over skap_hmac: OpenSSL's KDF fetches its digest at every call. */
int skap_hkdf_extract(const void *salt, size_t salt_len, const void *ikm, size_t ikm_len,
		      uint8_t prk[SKAP_SHA256_LEN])
{
	const void *parts[1] = { ikm };
	size_t lens[1] = { ikm_len };

	return skap_hmac(salt, salt_len, parts, lens, 1, prk);
}

int skap_hkdf_expand(const uint8_t prk[SKAP_SHA256_LEN], const void *info, size_t info_len,
		     uint8_t *out, size_t out_len)
{
	uint8_t t[SKAP_SHA256_LEN], counter = 0;
	const void *parts[3] = { t, info, &counter };
	size_t lens[3] = { 0, info_len, 1 };

	if (!out_len || out_len > 255 * SKAP_SHA256_LEN) {
		OPENSSL_cleanse(out, out_len);
		return -EIO;
	}
	for (size_t done = 0; done < out_len; done += sizeof(t)) {
		size_t n = out_len - done < sizeof(t) ? out_len - done : sizeof(t);

		counter++;
		if (skap_hmac(prk, SKAP_SHA256_LEN, parts, lens, 3, t)) {
			OPENSSL_cleanse(t, sizeof(t));
			OPENSSL_cleanse(out, out_len);
			return -EIO;
		}
		lens[0] = sizeof(t);
		memcpy(out + done, t, n);
	}
	OPENSSL_cleanse(t, sizeof(t));
	return 0;
}

int skap_hkdf(const void *salt, size_t salt_len, const void *ikm, size_t ikm_len,
	      const void *info, size_t info_len, uint8_t *out, size_t out_len)
{
	uint8_t prk[SKAP_SHA256_LEN];
	int err = skap_hkdf_extract(salt, salt_len, ikm, ikm_len, prk);

	if (!err)
		err = skap_hkdf_expand(prk, info, info_len, out, out_len);
	else
		OPENSSL_cleanse(out, out_len);
	OPENSSL_cleanse(prk, sizeof(prk));
	return err;
}

int skap_sha256(const void *data, size_t len, uint8_t out[SKAP_SHA256_LEN])
{
	unsigned int n = 0;

	if (!algs_ready() || EVP_Digest(data, len, out, &n, algs.sha256, NULL) != 1 ||
	    n != SKAP_SHA256_LEN) {
		OPENSSL_cleanse(out, SKAP_SHA256_LEN);
		return -EIO;
	}
	return 0;
}

int skap_ct_compare(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) ? 1 : 0;
}
