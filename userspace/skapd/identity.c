// SPDX-License-Identifier: GPL-2.0
/*
 * The device's identity files (identity.h). Secret files are read with
 * skap_file_read_private (refused when others may read them) into secret
 * buffers, and written with skap_file_write_atomic at 0600.
 */

#include "identity.h"

#include <skap/file.h>
#include <skap/secret.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int path_of(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int read_secret(const char *dir, const char *name, uint8_t **out, size_t want)
{
	char path[PATH_MAX];
	unsigned char *data;
	size_t len;
	int ret = path_of(path, sizeof(path), dir, name);

	if (ret)
		return ret;
	ret = skap_file_read(path, 4096, 1, &data, &len);
	if (ret)
		return ret;
	if (len != want || skap_secret_alloc(want, (void **)out)) {
		skap_file_free(data, len);
		return len != want ? -EINVAL : -ENOMEM;
	}
	memcpy(*out, data, want);
	skap_file_free(data, len);
	return 0;
}

static int write_file(const char *dir, const char *name, const void *data, size_t len,
		      mode_t mode)
{
	char path[PATH_MAX];
	int ret = path_of(path, sizeof(path), dir, name);

	return ret ? ret : skap_file_write_atomic(path, data, len, mode);
}

static char *read_text(const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *f;
	char *text;
	size_t n;

	if (path_of(path, sizeof(path), dir, name))
		return NULL;
	f = fopen(path, "re");
	if (!f)
		return NULL;
	text = calloc(1, 16384);
	n = text ? fread(text, 1, 16383, f) : 0;
	fclose(f);
	if (!n) {
		free(text);
		return NULL;
	}
	return text;
}

static void field(const char *text, const char *key, char *out, size_t size)
{
	size_t k = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, k) && p[k] == ' ') {
			size_t n = strcspn(p + k + 1, "\n");

			snprintf(out, size, "%.*s", (int)n, p + k + 1);
			return;
		}
	}
}

static int write_device(const char *dir, const struct skapd_identity *idn)
{
	char text[512];
	int n = snprintf(text, sizeof(text), "id %s\nstate %s\ntenant %s\ngroup %s\nfingerprint %s\n",
			 idn->id, idn->state, idn->tenant, idn->group, idn->fingerprint);

	return n < 0 || (size_t)n >= sizeof(text) ? -EINVAL :
						     write_file(dir, "device", text, (size_t)n, 0644);
}

int skapd_identity_load(const char *dir, struct skapd_identity *idn)
{
	char *text;
	int ret;

	memset(idn, 0, sizeof(*idn));
	ret = read_secret(dir, "identity.key", &idn->seed, SKAP_ED25519_SEED_LEN);
	if (ret)
		return ret;
	ret = skap_ed25519_public(idn->seed, idn->pub);
	if (!ret)
		ret = skap_fingerprint(idn->pub, idn->fingerprint);
	if (ret) {
		skapd_identity_free(idn);
		return ret;
	}
	text = read_text(dir, "device");
	if (text) {
		field(text, "id", idn->id, sizeof(idn->id));
		field(text, "state", idn->state, sizeof(idn->state));
		field(text, "tenant", idn->tenant, sizeof(idn->tenant));
		field(text, "group", idn->group, sizeof(idn->group));
		free(text);
	}
	if (idn->id[0] && (!skap_id_valid(idn->id) ||
			   read_secret(dir, "dmk", &idn->dmk, SKAP_DMK_LEN))) {
		skapd_identity_free(idn);
		return -EINVAL;
	}
	idn->cert = read_text(dir, "cert.pem");
	return 0;
}

int skapd_identity_create(const char *dir, struct skapd_identity *idn)
{
	char path[PATH_MAX];
	struct stat st;
	int ret;

	memset(idn, 0, sizeof(*idn));
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	ret = path_of(path, sizeof(path), dir, "identity.key");
	if (ret)
		return ret;
	if (!stat(path, &st))
		return -EEXIST;
	ret = skap_secret_alloc(SKAP_ED25519_SEED_LEN, (void **)&idn->seed);
	if (!ret)
		ret = skap_ed25519_keygen(idn->seed, idn->pub);
	if (!ret)
		ret = skap_fingerprint(idn->pub, idn->fingerprint);
	if (!ret)
		ret = skap_file_write_atomic(path, idn->seed, SKAP_ED25519_SEED_LEN, 0600);
	if (ret)
		skapd_identity_free(idn);
	return ret;
}

int skapd_identity_save_enrollment(const char *dir, struct skapd_identity *idn,
				   const uint8_t dmk[SKAP_DMK_LEN])
{
	int ret = write_file(dir, "dmk", dmk, SKAP_DMK_LEN, 0600);

	return ret ? ret : write_device(dir, idn);
}

int skapd_identity_save_status(const char *dir, struct skapd_identity *idn, const char *state,
			       const char *cert, const char *ca)
{
	int ret = 0;

	snprintf(idn->state, sizeof(idn->state), "%.15s", state);
	if (cert)
		ret = write_file(dir, "cert.pem", cert, strlen(cert), 0644);
	if (!ret && ca)
		ret = write_file(dir, "ca.pem", ca, strlen(ca), 0644);
	if (!ret && cert) {
		free(idn->cert);
		idn->cert = strdup(cert);
	}
	return ret ? ret : write_device(dir, idn);
}

void skapd_identity_free(struct skapd_identity *idn)
{
	skap_secret_free(idn->seed);
	skap_secret_free(idn->dmk);
	free(idn->cert);
	memset(idn, 0, sizeof(*idn));
}

/* The certificate's notAfter in Unix seconds; 0 when PEM holds none. */
static int64_t cert_not_after(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	struct tm tm;
	int64_t t = 0;

	if (x && ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm))
		t = (int64_t)timegm(&tm);
	X509_free(x);
	BIO_free(bio);
	return t;
}

int skapd_identity_describe(const char *dir, struct skapd_device_info *info)
{
	char *text = read_text(dir, "device");

	memset(info, 0, sizeof(*info));
	if (!text)
		return -ENOENT;
	field(text, "id", info->id, sizeof(info->id));
	field(text, "state", info->state, sizeof(info->state));
	field(text, "tenant", info->tenant, sizeof(info->tenant));
	field(text, "fingerprint", info->fingerprint, sizeof(info->fingerprint));
	free(text);
	text = read_text(dir, "cert.pem");
	if (text)
		info->cert_not_after = cert_not_after(text);
	free(text);
	return 0;
}
