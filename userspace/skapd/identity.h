/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device's identity in the state directory (/var/lib/skap by default),
 * every secret file 0600 and written atomically:
 *
 *   identity.key  the Ed25519 seed (32 bytes)            made at enrollment
 *   dmk           the device master key (32 bytes)       from the platform
 *   device        "id ...", "state ...", "tenant ...", "group ...",
 *                 "fingerprint ..." lines (no secret)
 *   cert.pem      the device certificate, at approval
 *   ca.pem        the tenant CA that signed it
 *
 * The bootstrap credential is never written anywhere.
 */
#ifndef SKAPD_IDENTITY_H
#define SKAPD_IDENTITY_H

#include <skap/crypto.h>
#include <skap/enroll.h>
#include <skap/proto.h>
#include <skap/ticket.h>

struct skapd_identity {
	uint8_t *seed;	/* secret buffer, SKAP_ED25519_SEED_LEN */
	uint8_t *dmk;	/* secret buffer, SKAP_DMK_LEN; NULL before enrollment */
	uint8_t pub[SKAP_ED25519_PUB_LEN];
	char fingerprint[SKAP_FINGERPRINT_SIZE];
	char id[SKAP_ID_MAX + 1];	/* "" before enrollment */
	char state[16];
	char tenant[SKAP_ID_MAX + 1];
	char group[SKAP_ID_MAX + 1];
	char *cert;	/* PEM or NULL */
};

/*
 * Loads what DIR holds. -ENOENT when there is no identity.key at all;
 * a partial state (key made, answer not yet stored) loads with id "".
 */
int skapd_identity_load(const char *dir, struct skapd_identity *idn);
/* Makes a new key pair (refuses, -EEXIST, to replace one). */
int skapd_identity_create(const char *dir, struct skapd_identity *idn);
/* Stores the enrollment answer's device id, state, DMK, tenant and group. */
int skapd_identity_save_enrollment(const char *dir, struct skapd_identity *idn,
				   const uint8_t dmk[SKAP_DMK_LEN]);
/* Stores the state and, when given, the certificate and CA. */
int skapd_identity_save_status(const char *dir, struct skapd_identity *idn, const char *state,
			       const char *cert, const char *ca);
void skapd_identity_free(struct skapd_identity *idn);

/* What may be shown of the enrollment: no secret is read for it. */
struct skapd_device_info {
	char id[SKAP_ID_MAX + 1]; /* "" before enrollment */
	char state[16];		  /* "" before enrollment */
	char tenant[SKAP_ID_MAX + 1];
	char fingerprint[SKAP_FINGERPRINT_SIZE];
	int64_t cert_not_after; /* Unix seconds; 0 when there is no certificate */
};

/* Reads DIR's device file and certificate; -ENOENT when there is no device file. */
int skapd_identity_describe(const char *dir, struct skapd_device_info *info);

#endif /* SKAPD_IDENTITY_H */
