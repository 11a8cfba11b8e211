/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device's conversations with the platform (docs/protocol.md sections 3
 * and 6) over one HTTPS connection: enrollment by each method, status
 * polling, key requests. Messages come from devmsg.h, transport from
 * https.h; this file holds the order of the steps and what a refusal says.
 *
 * Returns 0; -EACCES when the platform refused (ERR holds its HTTP status,
 * error code and message); -EPROTO when an answer does not parse or open;
 * other negative errno values when the connection failed.
 */
#ifndef SKAP_PLATFORM_H
#define SKAP_PLATFORM_H

#include <skap/devmsg.h>
#include <skap/https.h>

struct skap_platform_error {
	int status; /* HTTP status, 0 when none */
	char code[32];
	char message[256];
};

struct skap_enroll_params {
	enum skap_enroll_method method;
	struct skap_credential cred;
	const struct skap_device_report *report;
	const char *qkey_id;  /* QKEY: its id and its 32 bytes */
	const uint8_t *qkey;
};

/*
 * Enrolls the identity PUB, whose private key ID signs the request. The DMK
 * is in ANS: the caller keeps it and wipes it.
 */
int skap_platform_enroll(struct skap_https *h, const struct skap_enroll_params *p,
		       const struct skap_ed25519_signer *id,
		       const uint8_t pub[SKAP_ED25519_PUB_LEN], struct skap_enroll_answer *ans,
		       struct skap_platform_error *err);
/* The device's state, and its certificate once approved. */
int skap_platform_status(struct skap_https *h, const char *id, const uint8_t dmk[SKAP_DMK_LEN],
		       struct skap_status_answer *st, struct skap_platform_error *err);
/* A pair key with PEER and PEER's ticket (H must carry the device certificate). */
int skap_platform_key(struct skap_https *h, const char *id, const uint8_t dmk[SKAP_DMK_LEN],
		    const char *peer, struct skap_pair_key *pk,
		    uint8_t ticket[SKAP_TICKET_MAX_LEN], size_t *ticket_len,
		    struct skap_platform_error *err);

#endif /* SKAP_PLATFORM_H */
