// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the OpenSSL wrappers that take bytes from outside.
 * AES-256-GCM open of any (key, nonce, AAD, ciphertext): a failure leaves
 * nothing in the output; a success must re-seal to the same bytes.
 * Ed25519 verify and X25519 of any inputs: no crash, defined results; and
 * libskap's Ed25519 verification accepts nothing that OpenSSL's refuses
 * (it refuses more: keys of small order or encoded with y not below p).
 */

#include <skap/crypto.h>

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int openssl_verifies(const uint8_t pub[32], const uint8_t *msg, size_t len,
			    const uint8_t sig[64])
{
	EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = key && md && EVP_DigestVerifyInit_ex(md, NULL, NULL, NULL, NULL, key, NULL) == 1 &&
		 EVP_DigestVerify(md, sig, 64, msg, len) == 1;

	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[4096], again[4096 + SKAP_AEAD_TAG_LEN];
	uint8_t key[32], nonce[12], pub[32], sig[64], priv[32], shared[32];
	size_t aad_len, ct_len;
	int ret;

	if (size < 32 + 12 + 1 + 64 || size > 4000)
		return 0;
	memcpy(key, data, 32);
	memcpy(nonce, data + 32, 12);
	aad_len = data[44] % 32;
	data += 45;
	size -= 45;
	if (aad_len > size)
		aad_len = size;
	ct_len = size - aad_len;
	memset(out, 0x55, sizeof(out));
	ret = skap_aead_open(key, nonce, data, aad_len, data + aad_len, ct_len, out);
	if (ret == 0) {
		/* Only a real tag opens; then sealing again gives the input back. */
		if (skap_aead_seal(key, nonce, data, aad_len, out, ct_len - SKAP_AEAD_TAG_LEN,
				   again) ||
		    memcmp(again, data + aad_len, ct_len))
			abort();
	} else {
		if (ret != -EBADMSG)
			abort();
		/* The plaintext part of OUT (ct_len - tag bytes) is zeroed. */
		for (size_t i = 0; i + SKAP_AEAD_TAG_LEN < ct_len; i++)
			if (out[i])
				abort();
	}
	memcpy(pub, data, 32);
	memcpy(sig, data + 1, 64 < size - 1 ? 64 : size - 1);
	ret = skap_ed25519_verify(pub, data, size, sig);
	if (ret && ret != -EBADMSG)
		abort();
	if (!ret && !openssl_verifies(pub, data, size, sig))
		abort();
	memcpy(priv, key, 32);
	ret = skap_x25519(priv, pub, shared);
	if (ret && ret != -EINVAL)
		abort();
	return 0;
}
