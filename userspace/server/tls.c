// SPDX-License-Identifier: GPL-2.0
/*
 * TLS for skap-server: a self-signed P-256 certificate for development
 * (made by `skap-server init`), and the server's OpenSSL context (TLS 1.2
 * at least, the key checked against the certificate).
 */

#include "server.h"

#include <skap/file.h>
#include <skap/sym.h>

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

/* PEM of what WRITE puts into a memory BIO, written to PATH with MODE. */
static int bio_to_file(BIO *bio, const char *path, mode_t mode)
{
	char *data;
	long len = BIO_get_mem_data(bio, &data);

	if (len <= 0)
		return -EIO;
	return skap_file_write_atomic(path, data, (size_t)len, mode);
}

int srv_tls_make_dev_cert(const char *key_path, const char *cert_path, const char *san)
{
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	X509_NAME *name;
	BIO *kb = NULL, *cb = NULL;
	uint8_t serial[16];
	BIGNUM *bn = NULL;
	int err = -EIO;

	pkey = EVP_EC_gen("P-256");
	x = X509_new();
	kb = BIO_new(BIO_s_secmem());
	cb = BIO_new(BIO_s_mem());
	if (!pkey || !x || !kb || !cb)
		goto out;
	if (skap_random(serial, sizeof(serial)))
		goto out;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		goto out;
	if (!X509_set_version(x, 2) || !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 365L * 24 * 3600) ||
	    !X509_set_pubkey(x, pkey))
		goto out;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)"skap-server (development)", -1,
					-1, 0) ||
	    !X509_set_issuer_name(x, name) ||
	    !srv_x509_ext(x, x, NID_subject_alt_name, san) ||
	    !srv_x509_ext(x, x, NID_basic_constraints, "critical,CA:FALSE") ||
	    !X509_sign(x, pkey, EVP_sha256()))
		goto out;
	if (!PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509(cb, x))
		goto out;
	err = bio_to_file(kb, key_path, 0600);
	if (!err)
		err = bio_to_file(cb, cert_path, 0644);
out:
	BN_free(bn);
	BIO_free(kb);
	BIO_free(cb);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return err;
}

static int accept_any_client(int preverify_ok, X509_STORE_CTX *x)
{
	(void)preverify_ok;
	(void)x;
	return 1;
}

SSL_CTX *srv_tls_ctx(const char *key_path, const char *cert_path)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx)
		return NULL;
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert_path) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	/*
	 * Ask every client for a certificate, require none: administrators and
	 * enrolling devices have none, enrolled devices present the one their
	 * tenant's CA issued. Each tenant has its own CA, so the key endpoint
	 * checks the chain itself (ca.c) instead of OpenSSL's store.
	 */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_client);
	return ctx;
}
