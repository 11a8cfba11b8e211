/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SKAP peer exchange (docs/protocol.md section 4) as pure functions:
 * they build and check messages and derive keys, and leave sockets, timers,
 * replay caches and link lookup to the daemon. Each side ends with the two
 * SA keys of the exchange and the SPIs they belong to.
 *
 * Errors: -EBADMSG malformed or not authentic (MAC, ticket that does not
 * open, a RESP that answers another INIT), -EKEYEXPIRED expired ticket,
 * -ETIME timestamp outside the window, -EINVAL bad arguments, -EIO a
 * primitive failed. On any error no secret is left in the outputs.
 */
#ifndef SKAP_EXCHANGE_H
#define SKAP_EXCHANGE_H

#include <skap/proto.h>
#include <skap/ticket.h>
#include <skap/xwing.h>

#include <stddef.h>
#include <stdint.h>

#define SKAP_CLOCK_WINDOW_S 60

struct skap_sa_pair {
	uint8_t kid[SKAP_KID_LEN];
	char peer[SKAP_ID_MAX + 1];
	uint32_t spi_in;  /* this side receives on it */
	uint32_t spi_out; /* this side sends on it (the peer's inbound SPI) */
	uint8_t key_in[32];
	uint8_t key_out[32];
};

/* What the initiator keeps between INIT and RESP. */
struct skap_initiator {
	char self[SKAP_ID_MAX + 1];
	char peer[SKAP_ID_MAX + 1];
	uint32_t session;
	uint32_t spi_in;
	uint8_t nonce[SKAP_NONCE_LEN];
	uint8_t kid[SKAP_KID_LEN];
	uint8_t k[SKAP_PAIR_KEY_LEN];
	uint8_t mac_key[32];
	struct skap_xwing_dk xwing_dk; /* expanded once: decaps does not redo it */
	uint8_t init_mac[SKAP_MAC_LEN];
	uint8_t msg[SKAP_MSG_MAX]; /* the INIT, kept for retransmission */
	size_t msg_len;
};

struct skap_initiator_params {
	const char *self;
	const char *peer;
	const char *link;
	uint32_t spi_in;
	const struct skap_prefix *local;
	size_t n_local;
	const struct skap_prefix *remote;
	size_t n_remote;
	const struct skap_pair_key *pair; /* from the platform: K, KID */
	const uint8_t *ticket;		  /* for the peer, opaque */
	size_t ticket_len;
	uint64_t now;
	uint32_t session; /* 0: a fresh random one (a retry with a cookie keeps its own) */
	/*
	 * An X-Wing key pair made ahead of time with
	 * skap_xwing_keygen_expanded, so that keygen is off the first
	 * packet's path; NULL: one is made now. Used for this exchange only:
	 * the caller wipes its copy.
	 */
	const struct skap_xwing_dk *xwing_dk;
	const uint8_t *xwing_pk; /* SKAP_XWING_PK_BYTES */
};

/* Builds the INIT in x->msg. COOKIE (32 bytes) may be NULL. */
int skap_initiator_start(struct skap_initiator *x, const struct skap_initiator_params *p,
			 const uint8_t *cookie);
/* Checks the RESP and derives the keys. */
int skap_initiator_finish(struct skap_initiator *x, const uint8_t *resp, size_t len,
			  struct skap_sa_pair *out);
/* Wipes every secret of an exchange that ends (either way). */
void skap_initiator_clear(struct skap_initiator *x);

/* An INIT the responder has authenticated, with the ticket's content. */
struct skap_verified_init {
	struct skap_msg_init msg; /* points into the caller's buffer */
	struct skap_ticket ticket;
	uint8_t mac_key[32];
};

/*
 * Responder, first half: parses the INIT in MSG, opens its ticket with
 * K_TICKET (this device's K_ticket), checks that the ticket names the sender
 * and carries the INIT's KID, checks the MAC and the timestamp. The daemon
 * then checks replay and its link configuration before answering.
 */
int skap_responder_verify(const char *self, const uint8_t k_ticket[32], uint64_t now,
			  const uint8_t *msg, size_t len, struct skap_verified_init *v);
/*
 * Responder, second half: the RESP into OUT (SKAP_MSG_MAX bytes) and the
 * keys. EPH: the X-Wing encapsulation's randomness made ahead
 * (skap_xwing_eph_new; used once and wiped whatever the outcome), or NULL
 * to make it here.
 */
int skap_responder_answer(struct skap_verified_init *v, const char *self, uint32_t spi_in,
			  struct skap_xwing_eph *eph, uint8_t *out, size_t *out_len,
			  struct skap_sa_pair *keys);
void skap_verified_init_clear(struct skap_verified_init *v);

/* A stateless cookie: HMAC(secret, address || port || session). */
int skap_cookie(const uint8_t secret[32], const uint8_t *addr, size_t addr_len, uint16_t port,
		uint32_t session, uint8_t cookie[SKAP_COOKIE_LEN]);

#endif /* SKAP_EXCHANGE_H */
