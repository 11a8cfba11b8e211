// SPDX-License-Identifier: GPL-2.0
/*
 * Symmetric primitives over OpenSSL 3.0 (include/skap/sym.h). Contexts are
 * freed on every path; outputs are wiped on every failure.
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
#include <string.h>

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

	if (!ctx || len > INT_MAX || aad_len > INT_MAX) {
		EVP_CIPHER_CTX_free(ctx);
		return -EINVAL;
	}
	ok = EVP_CipherInit_ex2(ctx, EVP_aes_256_gcm(), key, nonce, enc, NULL) == 1 &&
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
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t outlen = 0;
	int ok = ctx && EVP_MAC_init(ctx, key, key_len, params) == 1;

	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_MAC_update(ctx, parts[i], lens[i]) == 1;
	ok = ok && EVP_MAC_final(ctx, out, &outlen, SKAP_HMAC_LEN) == 1 && outlen == SKAP_HMAC_LEN;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	if (!ok) {
		OPENSSL_cleanse(out, SKAP_HMAC_LEN);
		return -EIO;
	}
	return 0;
}

static int hkdf_run(int mode, const void *salt, size_t salt_len, const void *key, size_t key_len,
		    const void *info, size_t info_len, uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[6], *p = params;
	int ok;

	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
	if (salt_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
	if (info_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
	*p = OSSL_PARAM_construct_end();
	ok = ctx && EVP_KDF_derive(ctx, out, out_len, params) == 1;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	if (!ok) {
		OPENSSL_cleanse(out, out_len);
		return -EIO;
	}
	return 0;
}

int skap_hkdf(const void *salt, size_t salt_len, const void *ikm, size_t ikm_len,
	      const void *info, size_t info_len, uint8_t *out, size_t out_len)
{
	return hkdf_run(EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, salt, salt_len, ikm, ikm_len, info,
			info_len, out, out_len);
}

int skap_hkdf_extract(const void *salt, size_t salt_len, const void *ikm, size_t ikm_len,
		      uint8_t prk[SKAP_SHA256_LEN])
{
	return hkdf_run(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, salt_len, ikm, ikm_len, NULL, 0, prk,
			SKAP_SHA256_LEN);
}

int skap_hkdf_expand(const uint8_t prk[SKAP_SHA256_LEN], const void *info, size_t info_len,
		     uint8_t *out, size_t out_len)
{
	return hkdf_run(EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, prk, SKAP_SHA256_LEN, info,
			info_len, out, out_len);
}

int skap_sha256(const void *data, size_t len, uint8_t out[SKAP_SHA256_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != SKAP_SHA256_LEN) {
		OPENSSL_cleanse(out, SKAP_SHA256_LEN);
		return -EIO;
	}
	return 0;
}

int skap_ct_compare(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) ? 1 : 0;
}
