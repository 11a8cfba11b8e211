/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device's side of the platform's JSON messages (docs/protocol.md
 * sections 3 and 6): enrollment requests for the three methods, their
 * answers, status polling and key requests. Pure functions: no sockets, no
 * files; whoever talks HTTPS (skapd, the load generator, tests) builds its
 * bodies and reads its answers here, so that there is one encoder of each
 * message on the device side.
 *
 * Builders return a malloc'd NUL-terminated body, or NULL (bad argument,
 * out of memory); a body may hold a password or a sealed secret: free it
 * with skap_devmsg_free, which wipes it. Parsers return 0, -EBADMSG for a
 * body that is not what the protocol says (wrong JSON, missing field,
 * bad base64, an envelope that does not open), -EINVAL for bad arguments;
 * outputs are zeroed on failure.
 */
#ifndef SKAP_DEVMSG_H
#define SKAP_DEVMSG_H

#include <skap/enroll.h>
#include <skap/proto.h>
#include <skap/ticket.h>

#include <stddef.h>
#include <stdint.h>

#define SKAP_DEVMSG_MAX_ITEMS 32  /* MACs, addresses */
#define SKAP_HOSTNAME_MAX     253
#define SKAP_STATE_MAX	      16
#define SKAP_REASON_MAX	      256

/* What a device tells about itself, so an operator can recognise it. */
struct skap_device_report {
	const char *hostname;
	const char *name; /* requested device name, or NULL */
	const char *const *macs;
	size_t n_macs;
	const char *const *addresses;
	size_t n_addresses;
};

/* A bootstrap key, or a user name with its password (exactly one of the two). */
struct skap_credential {
	const char *bootstrap_key;
	const char *user;
	const char *password;
};

/*
 * REQ of section 6.1: the JSON object the device signs. PUB is the
 * identity's public key, BINDING the channel's binding.
 */
char *skap_devmsg_enroll_request(enum skap_enroll_method method,
				 const uint8_t pub[SKAP_ED25519_PUB_LEN],
				 const uint8_t binding[SKAP_ENROLL_BINDING_LEN],
				 const struct skap_credential *cred,
				 const struct skap_device_report *report);

/* The bodies of POST /api/v1/enroll; SIG is skap_enroll_sign's over REQ. */
char *skap_devmsg_enroll_qkey(const char *qkey_id, const uint8_t nonce[SKAP_ENROLL_NONCE_LEN],
			      const uint8_t k[SKAP_ENROLL_KEY_LEN],
			      const uint8_t sig[SKAP_ED25519_SIG_LEN], const char *req);
char *skap_devmsg_enroll_ota_quantum(const uint8_t ek[SKAP_XWING_PK_BYTES],
				     const uint8_t ct[SKAP_XWING_CT_BYTES], const uint8_t *token,
				     size_t token_len, const uint8_t k[SKAP_ENROLL_KEY_LEN],
				     const uint8_t sig[SKAP_ED25519_SIG_LEN], const char *req);
char *skap_devmsg_enroll_ota_tls(const uint8_t sig[SKAP_ED25519_SIG_LEN], const char *req);
/* The body of POST /api/v1/enroll/kem. */
char *skap_devmsg_kem_request(const uint8_t ek[SKAP_XWING_PK_BYTES]);
/* Its answer: the ciphertext and the token (at most SKAP_OTA_TOKEN_LEN bytes). */
int skap_devmsg_kem_answer(const char *body, size_t len, uint8_t ct[SKAP_XWING_CT_BYTES],
			   uint8_t token[SKAP_OTA_TOKEN_LEN], size_t *token_len);

struct skap_enroll_answer {
	char device_id[SKAP_ID_MAX + 1];
	char state[SKAP_STATE_MAX + 1]; /* "pending" or "approved" */
	uint8_t dmk[SKAP_DMK_LEN];
	char tenant[SKAP_ID_MAX + 1];
	char group[SKAP_ID_MAX + 1];
	char fingerprint[SKAP_FINGERPRINT_SIZE];
	int development; /* OTA_TLS: the platform said so */
};

/*
 * The answer to POST /api/v1/enroll: sealed under K for qkey and
 * ota-quantum (K NULL for ota-tls). The DMK is in ANS: wipe it after use.
 */
int skap_devmsg_enroll_answer(enum skap_enroll_method method, const uint8_t *k, const char *body,
			      size_t len, struct skap_enroll_answer *ans);

/* POST /api/v1/device/status, authenticated with K_req of device ID. */
char *skap_devmsg_status_request(const uint8_t k_req[32], const char *id, uint64_t ts,
				 const uint8_t nonce[SKAP_ENROLL_NONCE_LEN]);

struct skap_status_answer {
	char state[SKAP_STATE_MAX + 1];
	char reason[SKAP_REASON_MAX + 1]; /* "" when none */
	char *certificate;		  /* PEM, malloc'd, or NULL */
	char *ca;			  /* PEM, malloc'd, or NULL */
	char *config;			  /* the group's JSON object, malloc'd, or NULL */
};

int skap_devmsg_status_answer(const char *body, size_t len, struct skap_status_answer *ans);
void skap_status_answer_free(struct skap_status_answer *ans);

/* POST /api/v1/keys (section 3): A asks for a pair key with B. */
char *skap_devmsg_key_request(const uint8_t k_req[32], const char *a, const char *b, uint64_t ts,
			      const uint8_t nonce[SKAP_REQ_NONCE_LEN]);
/* Its answer: the pair key opened with K_resp(A), and B's ticket as sent. */
int skap_devmsg_key_answer(const uint8_t k_resp[32], const char *a, const char *b,
			   const char *body, size_t len, struct skap_pair_key *pk,
			   uint8_t ticket[SKAP_TICKET_MAX_LEN], size_t *ticket_len);

/* An error answer's {"error": {"code", "message"}}: 0 and both, or -EBADMSG. */
int skap_devmsg_error(const char *body, size_t len, char *code, size_t code_size, char *message,
		      size_t message_size);

void skap_devmsg_free(char *body);

#endif /* SKAP_DEVMSG_H */
