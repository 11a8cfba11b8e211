/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SKAP's symmetric layer (docs/protocol.md sections 2 to 4.3): keys derived
 * from a device master key, the MAC of a key request, the pair key sealed
 * for the initiator, the ticket sealed for the responder, and the key
 * schedule of the peer exchange. Byte layouts are the protocol's; every
 * opener checks structure and authenticity before it returns anything.
 */
#ifndef SKAP_TICKET_H
#define SKAP_TICKET_H

#include <skap/proto.h>

#include <stddef.h>
#include <stdint.h>

#define SKAP_DMK_LEN	   32
#define SKAP_PAIR_KEY_LEN  32
#define SKAP_REQ_NONCE_LEN 16
/* nonce || AEAD(K(32) || KID(16) || u64 expiry) */
#define SKAP_SEALED_KEY_LEN (12 + 32 + 16 + 8 + 16)
/* nonce || AEAD(K || KID || u64 expiry || str(initiator)) */
#define SKAP_TICKET_MIN_LEN (12 + 32 + 16 + 8 + 2 + 16)
#define SKAP_TICKET_MAX_LEN (12 + 32 + 16 + 8 + 1 + SKAP_ID_MAX + 16)

enum skap_dmk_use {
	SKAP_DMK_REQUEST,  /* HMAC of requests to the platform */
	SKAP_DMK_RESPONSE, /* what the platform seals for the device */
	SKAP_DMK_TICKET,   /* tickets other devices carry to it */
};

/* K_use(id) = HKDF("", DMK, "skap1 <use>" || str(id), 32). */
int skap_dmk_derive(const uint8_t dmk[SKAP_DMK_LEN], enum skap_dmk_use use, const char *device_id,
		    uint8_t out[32]);

/* HMAC(K_req(A), "skap1 keyreq" || str(A) || str(B) || u64 ts || nonce). */
int skap_keyreq_mac(const uint8_t k_req[32], const char *a, const char *b, uint64_t ts,
		    const uint8_t nonce[SKAP_REQ_NONCE_LEN], uint8_t mac[32]);

struct skap_pair_key {
	uint8_t key[SKAP_PAIR_KEY_LEN];
	uint8_t kid[SKAP_KID_LEN];
	uint64_t expires;
};

struct skap_ticket {
	uint8_t key[SKAP_PAIR_KEY_LEN];
	uint8_t kid[SKAP_KID_LEN];
	uint64_t expires;
	char initiator[SKAP_ID_MAX + 1];
};

/* The pair key for A (writes SKAP_SEALED_KEY_LEN bytes). AAD "skap1 key" || str(A) || str(B). */
int skap_pair_key_seal(const uint8_t k_resp_a[32], const char *a, const char *b,
		       const struct skap_pair_key *pk, uint8_t out[SKAP_SEALED_KEY_LEN]);
int skap_pair_key_open(const uint8_t k_resp_a[32], const char *a, const char *b, const uint8_t *in,
		       size_t len, struct skap_pair_key *pk);

/* The ticket for B; *OUT_LEN <= SKAP_TICKET_MAX_LEN. AAD "skap1 ticket" || str(B). */
int skap_ticket_seal(const uint8_t k_ticket_b[32], const char *b, const struct skap_ticket *t,
		     uint8_t out[SKAP_TICKET_MAX_LEN], size_t *out_len);
/*
 * Opens a ticket addressed to B. -EBADMSG: malformed or not authentic (also
 * when it was sealed for another device); -EKEYEXPIRED: authentic but its
 * expiry is not after NOW. *T is zeroed on any failure.
 */
int skap_ticket_open(const uint8_t k_ticket_b[32], const char *b, const uint8_t *in, size_t len,
		     uint64_t now, struct skap_ticket *t);

/* K_mac = HKDF(KID, K, "skap1 peer mac", 32). */
int skap_peer_mac_key(const uint8_t k[SKAP_PAIR_KEY_LEN], const uint8_t kid[SKAP_KID_LEN],
		      uint8_t out[32]);

/*
 * The SA keys of one exchange between initiator A and responder B:
 *   PRK = HKDF-Extract(Na || Nb, K || ss)
 *   key(A->B) = HKDF-Expand(PRK, "skap1 esp" || u32 spi_b || str(A) || str(B), 32)
 *   key(B->A) = HKDF-Expand(PRK, "skap1 esp" || u32 spi_a || str(B) || str(A), 32)
 */
int skap_sa_keys(const uint8_t k[SKAP_PAIR_KEY_LEN], const uint8_t ss[32],
		 const uint8_t na[SKAP_NONCE_LEN], const uint8_t nb[SKAP_NONCE_LEN], uint32_t spi_a,
		 uint32_t spi_b, const char *a, const char *b, uint8_t key_ab[32], uint8_t key_ba[32]);

#endif /* SKAP_TICKET_H */
