// SPDX-License-Identifier: GPL-2.0
/*
 * Symmetric primitives over OpenSSL 3.0 (include/skap/sym.h). Outputs are
 * wiped on every failure. AES-256-GCM is fetched once: OpenSSL 3 looks a
 * name up, under a lock, at every implicit fetch, which cost more than the
 * HMACs of a key request.
 *
 * SHA-256 is OpenSSL's through its low-level SHA256_* calls, and HMAC
 * (RFC 2104) is composed here over them rather than taken from EVP_MAC:
 * OpenSSL 3 starts every EVP digest through its provider layer (about 550
 * instructions, more than hashing a block) and its MAC layer copies a
 * context, sets up three digests and checks parameters at every call, 2.5
 * times the cost of the two hashes themselves; a key ticket computes seven
 * HMACs. The low-level calls run the same assembly (SHA extensions where
 * the CPU has them) on a plain context, which lives on the stack and is
 * wiped when each hash ends. OpenSSL 3.0 marks them deprecated; they are
 * part of its 3.x API, and this file is the only user.
 */

#define OPENSSL_SUPPRESS_DEPRECATED

#include <skap/sym.h>

#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <string.h>

static struct {
	EVP_CIPHER *gcm;
} algs;
static pthread_once_t algs_once = PTHREAD_ONCE_INIT;

static void algs_fetch(void)
{
	algs.gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

static int algs_ready(void)
{
	pthread_once(&algs_once, algs_fetch);
	return algs.gcm != NULL;
}

/* SHA-256 of PREFIX (PREFIX_LEN bytes, may be 0) followed by N parts. */
static void sha256_parts(const void *prefix, size_t prefix_len, const void *const *parts,
			 const size_t *lens, size_t n, uint8_t out[SKAP_SHA256_LEN])
{
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, prefix, prefix_len);
	for (size_t i = 0; i < n; i++)
		SHA256_Update(&c, parts[i], lens[i]);
	SHA256_Final(out, &c);
	OPENSSL_cleanse(&c, sizeof(c));
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
	uint8_t pad[SHA256_CBLOCK] = { 0 }, inner[SKAP_SHA256_LEN];
	const void *outer_parts[1] = { inner };
	const size_t outer_lens[1] = { sizeof(inner) };

	/* A key longer than a block is replaced by its hash; a shorter one is padded with zeros. */
	if (key_len > sizeof(pad))
		sha256_parts(key, key_len, NULL, NULL, 0, pad);
	else if (key_len)
		memcpy(pad, key, key_len);
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36;
	sha256_parts(pad, sizeof(pad), parts, lens, n, inner);
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	sha256_parts(pad, sizeof(pad), outer_parts, outer_lens, 1, out);
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(inner, sizeof(inner));
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
	sha256_parts(data, len, NULL, NULL, 0, out);
	return 0;
}

int skap_ct_compare(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) ? 1 : 0;
}
