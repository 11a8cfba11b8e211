/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SKAP v1 peer messages on the wire (docs/protocol.md, section 4): encoding
 * and bounds-checked decoding. This layer knows the layout only; MACs,
 * tickets and keys are the caller's (the MAC covers every byte before it:
 * skap_msg_mac_input() says which).
 */
#ifndef SKAP_PROTO_H
#define SKAP_PROTO_H

#include <skap/addr.h>
#include <skap/buf.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SKAP_PROTO_VERSION	1
#define SKAP_PROTO_PORT		7520
#define SKAP_ID_MAX		64
#define SKAP_NONCE_LEN		32
#define SKAP_KID_LEN		16
#define SKAP_MAC_LEN		32
#define SKAP_COOKIE_LEN		32
#define SKAP_XWING_PK_LEN	1216
#define SKAP_XWING_CT_LEN	1120
#define SKAP_TICKET_MAX		1024
#define SKAP_PROTO_MAX_SELECTORS 16
/* The largest message: an INIT with every field at its maximum. */
#define SKAP_MSG_MAX		4096

enum skap_msg_type {
	SKAP_MSG_INIT = 1,
	SKAP_MSG_RESP = 2,
	SKAP_MSG_COOKIE = 3,
	SKAP_MSG_ERROR = 4,
};

enum skap_error_code {
	SKAP_ERR_UNKNOWN_LINK = 1,
	SKAP_ERR_SELECTORS = 2,
	SKAP_ERR_TICKET = 3,
	SKAP_ERR_REPLAY = 4,
	SKAP_ERR_BUSY = 5,
};

struct skap_msg_init {
	uint32_t session;
	uint64_t timestamp;
	uint8_t nonce[SKAP_NONCE_LEN];
	char device_id[SKAP_ID_MAX + 1];
	char link[SKAP_ID_MAX + 1];
	uint32_t spi;
	struct skap_prefix local[SKAP_PROTO_MAX_SELECTORS];
	size_t n_local;
	struct skap_prefix remote[SKAP_PROTO_MAX_SELECTORS];
	size_t n_remote;
	const uint8_t *ticket; /* points into the message (decode) or the caller's buffer */
	size_t ticket_len;
	uint8_t kid[SKAP_KID_LEN];
	const uint8_t *public_key; /* SKAP_XWING_PK_LEN bytes, likewise */
	bool has_cookie;
	uint8_t cookie[SKAP_COOKIE_LEN];
	uint8_t mac[SKAP_MAC_LEN];
};

struct skap_msg_resp {
	uint32_t session;	    /* the responder's */
	uint32_t initiator_session; /* echoed from the INIT */
	uint8_t nonce[SKAP_NONCE_LEN];
	uint32_t spi;
	const uint8_t *ciphertext; /* SKAP_XWING_CT_LEN bytes */
	uint8_t mac[SKAP_MAC_LEN];
};

struct skap_msg_cookie {
	uint32_t initiator_session;
	uint8_t cookie[SKAP_COOKIE_LEN];
};

struct skap_msg_error {
	uint32_t initiator_session;
	uint16_t code;
};

/* Whether S is a device id or link name: 1-64 of A-Z a-z 0-9 . _ - */
bool skap_id_valid(const char *s);

/* The type of a message, after checking its header; -EBADMSG if malformed. */
int skap_msg_type(const uint8_t *msg, size_t len);

/*
 * Encoders write the whole message into W; for INIT and RESP the MAC field
 * is written from m->mac, so the caller encodes once with any MAC, computes
 * the MAC over skap_msg_mac_input() and stores it with skap_msg_set_mac().
 * Return 0 or the writer's error (-ENOSPC, -EINVAL for out-of-range fields).
 */
int skap_msg_init_encode(const struct skap_msg_init *m, struct skap_writer *w);
int skap_msg_resp_encode(const struct skap_msg_resp *m, struct skap_writer *w);
int skap_msg_cookie_encode(const struct skap_msg_cookie *m, struct skap_writer *w);
int skap_msg_error_encode(const struct skap_msg_error *m, struct skap_writer *w);

/* Decoders accept exactly one well-formed message of their type: -EBADMSG otherwise. */
int skap_msg_init_decode(const uint8_t *msg, size_t len, struct skap_msg_init *m);
int skap_msg_resp_decode(const uint8_t *msg, size_t len, struct skap_msg_resp *m);
int skap_msg_cookie_decode(const uint8_t *msg, size_t len, struct skap_msg_cookie *m);
int skap_msg_error_decode(const uint8_t *msg, size_t len, struct skap_msg_error *m);

/* The bytes an INIT's or RESP's MAC covers: all but the trailing MAC. */
size_t skap_msg_mac_input(size_t msg_len);
/* Writes MAC into the last SKAP_MAC_LEN bytes of an encoded message. */
void skap_msg_set_mac(uint8_t *msg, size_t msg_len, const uint8_t mac[SKAP_MAC_LEN]);

#endif /* SKAP_PROTO_H */
