// SPDX-License-Identifier: GPL-2.0
/*
 * The platform as each tenant's certificate authority: an Ed25519 CA key per
 * tenant (sealed at rest by the store), made on first use; device
 * certificates for approved devices (subject CN = device id, O = tenant,
 * extended key usage clientAuth, SRV_CERT_DAYS days); and the check of a
 * TLS peer's certificate against its device (issuer, signature, validity,
 * identity key), done by hand because every tenant has its own CA.
 */

#include "server.h"

#include <skap/crypto.h>
#include <skap/log.h>

#include <errno.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int srv_x509_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static int random_serial(X509 *x)
{
	uint8_t serial[16];
	BIGNUM *bn;
	int ok;

	if (skap_random(serial, sizeof(serial)))
		return 0;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok;
}

static char *to_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *pem = NULL;
	long n;

	if (b && PEM_write_bio_X509(b, x) && (n = BIO_get_mem_data(b, &data)) > 0) {
		pem = malloc((size_t)n + 1);
		if (pem) {
			memcpy(pem, data, (size_t)n);
			pem[n] = '\0';
		}
	}
	BIO_free(b);
	return pem;
}

static X509 *from_pem(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return x;
}

/* A new CA for TENANT: its seed in SEED, its self-signed certificate as PEM. */
static char *make_ca(const struct skap_tenant *t, uint8_t seed[32])
{
	uint8_t pub[32];
	char cn[SKAP_NAME_MAX + 32];
	EVP_PKEY *key = NULL;
	X509 *x = X509_new();
	X509_NAME *name;
	char *pem = NULL;

	if (!x || skap_ed25519_keygen(seed, pub))
		goto out;
	key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	snprintf(cn, sizeof(cn), "skap tenant %s CA", t->name);
	name = X509_get_subject_name(x);
	if (!key || !X509_set_version(x, 2) || !random_serial(x) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 20L * 365 * 24 * 3600) ||
	    !X509_set_pubkey(x, key) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
					-1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
					(const unsigned char *)t->name, -1, -1, 0) ||
	    !X509_set_issuer_name(x, name) ||
	    !srv_x509_ext(x, x, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
	    !srv_x509_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") ||
	    !srv_x509_ext(x, x, NID_subject_key_identifier, "hash") ||
	    !X509_sign(x, key, NULL))
		goto out;
	pem = to_pem(x);
out:
	EVP_PKEY_free(key);
	X509_free(x);
	return pem;
}

/* The tenant's CA key and certificate, made when the tenant has none. */
static int ca_load(struct srv *srv, int64_t tenant_id, uint8_t seed[32], char **pem)
{
	struct skap_tenant t;
	int err = skap_tenant_ca_get(srv->st, tenant_id, seed, pem);

	if (err != -ENOENT)
		return err;
	err = skap_tenant_get(srv->st, tenant_id, &t);
	if (err)
		return err;
	*pem = make_ca(&t, seed);
	if (!*pem)
		return -EIO;
	err = skap_tenant_ca_set(srv->st, tenant_id, seed, *pem);
	if (err) {
		free(*pem);
		*pem = NULL;
		skap_wipe(seed, 32);
		return err;
	}
	log_info("tenant %s: certificate authority created", t.name);
	return 0;
}

int srv_ca_get(struct srv *srv, int64_t tenant_id, char **ca_pem)
{
	uint8_t seed[32];
	int err = ca_load(srv, tenant_id, seed, ca_pem);

	skap_wipe(seed, sizeof(seed));
	return err;
}

int srv_ca_issue(struct srv *srv, const struct skap_device *d, const char *tenant_name,
		 char **pem, int64_t *expires)
{
	uint8_t seed[32];
	EVP_PKEY *ca_key = NULL, *dev_key = NULL;
	X509 *ca = NULL, *x = X509_new();
	X509_NAME *name;
	char *ca_pem = NULL;
	int err = ca_load(srv, d->tenant_id, seed, &ca_pem);

	*pem = NULL;
	if (err)
		goto out;
	err = -EIO;
	ca = from_pem(ca_pem);
	ca_key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	dev_key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, d->public_key, 32);
	if (!x || !ca || !ca_key || !dev_key)
		goto out;
	name = X509_get_subject_name(x);
	if (!X509_set_version(x, 2) || !random_serial(x) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), (long)SRV_CERT_DAYS * 24 * 3600) ||
	    !X509_set_pubkey(x, dev_key) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)d->id, -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
					(const unsigned char *)tenant_name, -1, -1, 0) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(ca)) ||
	    !srv_x509_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE") ||
	    !srv_x509_ext(x, ca, NID_key_usage, "critical,digitalSignature") ||
	    !srv_x509_ext(x, ca, NID_ext_key_usage, "clientAuth") ||
	    !srv_x509_ext(x, ca, NID_authority_key_identifier, "keyid:always") ||
	    !X509_sign(x, ca_key, NULL))
		goto out;
	*pem = to_pem(x);
	*expires = (int64_t)time(NULL) + (int64_t)SRV_CERT_DAYS * 24 * 3600 - 1;
	err = *pem ? 0 : -ENOMEM;
out:
	skap_wipe(seed, sizeof(seed));
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(dev_key);
	X509_free(ca);
	X509_free(x);
	free(ca_pem);
	return err;
}

int srv_ca_check_peer(struct srv *srv, const struct skap_device *d, X509 *cert)
{
	uint8_t seed[32], pub[32];
	size_t pub_len = sizeof(pub);
	EVP_PKEY *ca_pub = NULL, *key;
	char *ca_pem = NULL;
	X509 *ca = NULL;
	int err;

	err = skap_tenant_ca_get(srv->st, d->tenant_id, seed, &ca_pem);
	skap_wipe(seed, sizeof(seed));
	if (err)
		return -EACCES;
	err = -EACCES;
	ca = from_pem(ca_pem);
	ca_pub = ca ? X509_get_pubkey(ca) : NULL;
	key = X509_get0_pubkey(cert);
	if (ca_pub && X509_verify(cert, ca_pub) == 1 &&
	    !X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(ca)) &&
	    X509_cmp_current_time(X509_get0_notBefore(cert)) < 0 &&
	    X509_cmp_current_time(X509_get0_notAfter(cert)) > 0 && key &&
	    EVP_PKEY_get_raw_public_key(key, pub, &pub_len) == 1 && pub_len == 32 &&
	    !memcmp(pub, d->public_key, 32))
		err = 0;
	EVP_PKEY_free(ca_pub);
	X509_free(ca);
	free(ca_pem);
	return err;
}

/*
 * What the first full check on a TLS connection proved: its peer
 * certificate (fixed for the connection: renegotiation is off and no
 * post-handshake authentication is asked) belongs to this device, key and
 * tenant, and is valid until NOT_AFTER. Tenant CAs are never replaced, so
 * the proof stands while the device row still names the same key and
 * tenant and the certificate has not expired.
 */
struct peer_proof {
	char id[SKAP_DEVICE_ID_MAX + 1];
	int64_t tenant_id;
	uint8_t public_key[SKAP_DEVICE_PUB_LEN];
	int64_t not_after; /* seconds since the epoch */
};

static void proof_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	free(ptr);
}

static int proof_index(void)
{
	static int idx = -1;

	if (idx < 0)
		idx = SSL_get_ex_new_index(0, "skap peer proof", NULL, NULL, proof_free);
	return idx;
}

static struct peer_proof *proof_of(SSL *ssl)
{
	int idx = proof_index();

	return idx >= 0 ? SSL_get_ex_data(ssl, idx) : NULL;
}

const char *srv_ca_conn_peer_id(SSL *ssl)
{
	struct peer_proof *p = proof_of(ssl);

	return p && (int64_t)time(NULL) < p->not_after ? p->id : NULL;
}

int srv_ca_check_conn_peer(struct srv *srv, SSL *ssl, const struct skap_device *d, X509 *cert)
{
	int idx = proof_index();
	struct peer_proof *p = proof_of(ssl);
	int days, secs;

	if (p && !strcmp(p->id, d->id) && p->tenant_id == d->tenant_id &&
	    !memcmp(p->public_key, d->public_key, sizeof(p->public_key)))
		return (int64_t)time(NULL) < p->not_after ? 0 : -EACCES;
	if (!cert || srv_ca_check_peer(srv, d, cert))
		return -EACCES;
	/* How long it stays valid, from now: the proof keeps the end as a number. */
	if (!ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(cert)))
		return 0; /* checked, just not remembered */
	if (idx < 0)
		return 0;
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p || !SSL_set_ex_data(ssl, idx, p)) {
			free(p);
			return 0; /* checked, just not remembered */
		}
	}
	snprintf(p->id, sizeof(p->id), "%s", d->id);
	p->tenant_id = d->tenant_id;
	memcpy(p->public_key, d->public_key, sizeof(p->public_key));
	p->not_after = (int64_t)time(NULL) + (int64_t)days * 86400 + secs;
	return 0;
}
