/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Enrollment (docs/protocol.md section 6): the cryptography both skapd and
 * skap-server use, so that the two ends cannot disagree on a byte.
 *
 * A device makes an Ed25519 identity and signs its enrollment request with
 * it (proof of possession, bound to the channel the request travels in).
 * The request and the answer are sealed with a key that depends on the
 * method: QKEY (HKDF of the pre-shared QKEY, no public-key key
 * establishment), OTA_QUANTUM (an X-Wing exchange, the platform staying
 * stateless between the two round trips through a sealed token) or OTA_TLS
 * (nothing beyond TLS: development only). After enrollment the device's
 * requests are authenticated with keys derived from its device master key
 * (<skap/ticket.h>).
 *
 * Return codes: 0; -EINVAL bad argument; -EBADMSG not authentic or
 * malformed; -EKEYEXPIRED authentic but expired; -EIO a primitive failed.
 * Every output is zeroed on failure.
 */
#ifndef SKAP_ENROLL_H
#define SKAP_ENROLL_H

#include <skap/crypto.h>
#include <skap/xwing.h>

#include <stddef.h>
#include <stdint.h>

#define SKAP_QKEY_LEN		  32
#define SKAP_QKEY_ID_MAX	  64	/* same charset as device ids */
#define SKAP_ENROLL_NONCE_LEN	  16
#define SKAP_ENROLL_KEY_LEN	  32
#define SKAP_ENROLL_BINDING_LEN	  32
/* nonce(12) || ciphertext || tag(16) */
#define SKAP_ENROLL_SEAL_OVERHEAD (12 + 16)
/* The OTA_QUANTUM token: nonce(12) || AEAD(ss(32) || u64 expires) */
#define SKAP_OTA_TOKEN_LEN	  (12 + 32 + 8 + 16)
#define SKAP_OTA_TOKEN_TTL_S	  120
/* "SHA256:" and 43 characters of unpadded base64, NUL. */
#define SKAP_FINGERPRINT_SIZE	  51
/* RFC 5705 exporter label of the OTA_TLS binding. */
#define SKAP_TLS_EXPORTER_LABEL	  "EXPORTER-skap1-enroll"

enum skap_enroll_method {
	SKAP_ENROLL_QKEY,
	SKAP_ENROLL_OTA_QUANTUM,
	SKAP_ENROLL_OTA_TLS,
};

/* "qkey", "ota-quantum", "ota-tls"; NULL out of range. */
const char *skap_enroll_method_name(enum skap_enroll_method m);
int skap_enroll_method_parse(const char *s, enum skap_enroll_method *m);

/* OpenSSH's form: "SHA256:" + unpadded base64 of SHA-256(public key). */
int skap_fingerprint(const uint8_t pub[SKAP_ED25519_PUB_LEN], char out[SKAP_FINGERPRINT_SIZE]);

/* Proof of possession: Ed25519 by the identity ID over "skap1 enroll" || REQ. */
int skap_enroll_sign(const struct skap_ed25519_signer *id, const void *req, size_t len,
		     uint8_t sig[SKAP_ED25519_SIG_LEN]);
int skap_enroll_verify(const uint8_t pub[SKAP_ED25519_PUB_LEN], const void *req, size_t len,
		       const uint8_t sig[SKAP_ED25519_SIG_LEN]);

/*
 * QKEY: K = HKDF(nonce, QKEY, "skap1 qkey" || str(qkey_id), 32) and the
 * binding SHA-256("skap1 qkey binding" || str(qkey_id) || nonce).
 */
int skap_qkey_derive(const uint8_t qkey[SKAP_QKEY_LEN], const char *qkey_id,
		     const uint8_t nonce[SKAP_ENROLL_NONCE_LEN], uint8_t k[SKAP_ENROLL_KEY_LEN],
		     uint8_t binding[SKAP_ENROLL_BINDING_LEN]);

/*
 * OTA_QUANTUM: the transcript H = SHA-256("skap1 ota-quantum" || ek || ct)
 * (it is also the binding) and K = HKDF(H, ss, "skap1 enroll ota-quantum", 32).
 */
int skap_ota_transcript(const uint8_t ek[SKAP_XWING_PK_BYTES], const uint8_t ct[SKAP_XWING_CT_BYTES],
			uint8_t h[SKAP_ENROLL_BINDING_LEN]);
int skap_ota_derive(const uint8_t ss[SKAP_XWING_SS_LEN], const uint8_t h[SKAP_ENROLL_BINDING_LEN],
		    uint8_t k[SKAP_ENROLL_KEY_LEN]);
/*
 * The platform's memory between the two round trips, carried by the
 * device: nonce || AEAD(K_TOKEN, nonce, ss || u64 EXPIRES, H). K_TOKEN is
 * the platform's own key (derived from its master key); open refuses a
 * token for another transcript (-EBADMSG) or past its expiry (-EKEYEXPIRED).
 */
int skap_ota_token_seal(const uint8_t k_token[32], const uint8_t h[SKAP_ENROLL_BINDING_LEN],
			const uint8_t ss[SKAP_XWING_SS_LEN], uint64_t expires,
			uint8_t out[SKAP_OTA_TOKEN_LEN]);
int skap_ota_token_open(const uint8_t k_token[32], const uint8_t h[SKAP_ENROLL_BINDING_LEN],
			const uint8_t *in, size_t len, uint64_t now,
			uint8_t ss[SKAP_XWING_SS_LEN]);

/*
 * The sealed envelope of QKEY and OTA_QUANTUM: nonce(12) || AEAD(K, nonce,
 * PT, AAD) with AAD "skap1 enroll request" or "skap1 enroll answer", so a
 * request cannot be replayed as an answer. OUT holds LEN +
 * SKAP_ENROLL_SEAL_OVERHEAD bytes; open writes LEN - overhead bytes.
 */
enum skap_enroll_dir {
	SKAP_ENROLL_REQUEST,
	SKAP_ENROLL_ANSWER,
};

int skap_enroll_seal(const uint8_t k[SKAP_ENROLL_KEY_LEN], enum skap_enroll_dir dir,
		     const void *pt, size_t len, uint8_t *out);
int skap_enroll_open(const uint8_t k[SKAP_ENROLL_KEY_LEN], enum skap_enroll_dir dir,
		     const uint8_t *in, size_t len, uint8_t *out, size_t *out_len);

/*
 * A device's request to the platform after enrollment, authenticated with
 * K_req(id) (<skap/ticket.h>): HMAC(K_req, "skap1 " || LABEL || str(id) ||
 * u64 ts || nonce16). LABEL is "status" (state and certificate polling) or
 * "renew"; key requests have their own layout (skap_keyreq_mac).
 */
int skap_device_req_mac(const uint8_t k_req[32], const char *label, const char *id, uint64_t ts,
			const uint8_t nonce[SKAP_ENROLL_NONCE_LEN], uint8_t mac[32]);

#endif /* SKAP_ENROLL_H */
