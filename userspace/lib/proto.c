// SPDX-License-Identifier: GPL-2.0
/*
 * SKAP v1 peer messages (include/skap/proto.h, docs/protocol.md). Every
 * field goes through the bounds-checked reader; a decoder that returns 0 has
 * consumed exactly the message and checked every field's range.
 */

#include <skap/proto.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#define HEADER_LEN 8
#define WIRE_IPV4  4
#define WIRE_IPV6  6

/* Marks W failed with ERR unless it already failed; returns its error. */
static int refuse(struct skap_writer *w, int err)
{
	if (!w->err)
		w->err = err;
	return w->err;
}

static int put_header(struct skap_writer *w, enum skap_msg_type type, uint32_t session)
{
	skap_put_u8(w, (uint8_t)type);
	skap_put_u8(w, SKAP_PROTO_VERSION);
	skap_put_u16(w, 0);
	return skap_put_u32(w, session);
}

/* Reads and checks the header; the type must be WANT. */
static int get_header(struct skap_reader *r, enum skap_msg_type want, uint32_t *session)
{
	uint8_t type, version;
	uint16_t reserved;

	skap_read_u8(r, &type);
	skap_read_u8(r, &version);
	skap_read_u16(r, &reserved);
	skap_read_u32(r, session);
	if (r->err || type != want || version != SKAP_PROTO_VERSION || reserved)
		return -EBADMSG;
	return 0;
}

int skap_msg_type(const uint8_t *msg, size_t len)
{
	struct skap_reader r;
	uint32_t session;
	int type;

	if (len < HEADER_LEN)
		return -EBADMSG;
	type = msg[0];
	if (type < SKAP_MSG_INIT || type > SKAP_MSG_ERROR)
		return -EBADMSG;
	skap_reader_init(&r, msg, len);
	return get_header(&r, (enum skap_msg_type)type, &session) ? -EBADMSG : type;
}

static int put_selectors(struct skap_writer *w, const struct skap_prefix *sel, size_t n)
{
	if (n == 0 || n > SKAP_PROTO_MAX_SELECTORS)
		return refuse(w, -EINVAL);
	skap_put_u8(w, (uint8_t)n);
	for (size_t i = 0; i < n; i++) {
		if (!skap_prefix_is_canonical(&sel[i]))
			return refuse(w, -EINVAL);
		skap_put_u8(w, sel[i].family == AF_INET ? WIRE_IPV4 : WIRE_IPV6);
		skap_put_u8(w, sel[i].len);
		skap_put_bytes(w, sel[i].addr, sizeof(sel[i].addr));
	}
	return w->err;
}

static int get_selectors(struct skap_reader *r, struct skap_prefix *sel, size_t *n)
{
	uint8_t count, family;

	*n = 0;
	if (skap_read_u8(r, &count) || count == 0 || count > SKAP_PROTO_MAX_SELECTORS)
		return -EBADMSG;
	for (size_t i = 0; i < count; i++) {
		skap_read_u8(r, &family);
		skap_read_u8(r, &sel[i].len);
		skap_read_bytes(r, sel[i].addr, sizeof(sel[i].addr));
		if (r->err || (family != WIRE_IPV4 && family != WIRE_IPV6))
			return -EBADMSG;
		sel[i].family = family == WIRE_IPV4 ? AF_INET : AF_INET6;
		/* IPv4 lives in the first 4 bytes; the rest must be zero too. */
		if (family == WIRE_IPV4)
			for (size_t k = 4; k < sizeof(sel[i].addr); k++)
				if (sel[i].addr[k])
					return -EBADMSG;
		if (!skap_prefix_is_canonical(&sel[i]))
			return -EBADMSG;
	}
	/* A selector set is of one family (one xfrm selector each). */
	for (size_t i = 1; i < count; i++)
		if (sel[i].family != sel[0].family)
			return -EBADMSG;
	*n = count;
	return 0;
}

bool skap_id_valid(const char *s)
{
	size_t n = s ? strnlen(s, SKAP_ID_MAX + 1) : 0;

	if (n == 0 || n > SKAP_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int skap_msg_init_encode(const struct skap_msg_init *m, struct skap_writer *w)
{
	if (!skap_id_valid(m->device_id) || !skap_id_valid(m->link) || !m->ticket || !m->ticket_len ||
	    m->ticket_len > SKAP_TICKET_MAX || !m->public_key)
		return refuse(w, -EINVAL);
	put_header(w, SKAP_MSG_INIT, m->session);
	skap_put_u64(w, m->timestamp);
	skap_put_bytes(w, m->nonce, sizeof(m->nonce));
	skap_put_str8(w, m->device_id);
	skap_put_str8(w, m->link);
	skap_put_u32(w, m->spi);
	put_selectors(w, m->local, m->n_local);
	put_selectors(w, m->remote, m->n_remote);
	skap_put_blob16(w, m->ticket, m->ticket_len);
	skap_put_bytes(w, m->kid, sizeof(m->kid));
	skap_put_bytes(w, m->public_key, SKAP_XWING_PK_LEN);
	skap_put_u8(w, m->has_cookie ? SKAP_COOKIE_LEN : 0);
	if (m->has_cookie)
		skap_put_bytes(w, m->cookie, sizeof(m->cookie));
	return skap_put_bytes(w, m->mac, sizeof(m->mac));
}

int skap_msg_init_decode(const uint8_t *msg, size_t len, struct skap_msg_init *m)
{
	struct skap_reader r;
	uint8_t cookie_len;

	memset(m, 0, sizeof(*m));
	if (len > SKAP_MSG_MAX)
		return -EBADMSG;
	skap_reader_init(&r, msg, len);
	if (get_header(&r, SKAP_MSG_INIT, &m->session))
		return -EBADMSG;
	skap_read_u64(&r, &m->timestamp);
	skap_read_bytes(&r, m->nonce, sizeof(m->nonce));
	skap_read_str8(&r, m->device_id, sizeof(m->device_id), SKAP_ID_MAX);
	skap_read_str8(&r, m->link, sizeof(m->link), SKAP_ID_MAX);
	skap_read_u32(&r, &m->spi);
	if (r.err || !skap_id_valid(m->device_id) || !skap_id_valid(m->link))
		goto bad;
	if (get_selectors(&r, m->local, &m->n_local) ||
	    get_selectors(&r, m->remote, &m->n_remote) || m->local[0].family != m->remote[0].family)
		goto bad;
	skap_read_blob16(&r, &m->ticket, &m->ticket_len);
	if (r.err || m->ticket_len == 0 || m->ticket_len > SKAP_TICKET_MAX)
		goto bad;
	skap_read_bytes(&r, m->kid, sizeof(m->kid));
	skap_read_ref(&r, &m->public_key, SKAP_XWING_PK_LEN);
	skap_read_u8(&r, &cookie_len);
	if (cookie_len == SKAP_COOKIE_LEN) {
		m->has_cookie = true;
		skap_read_bytes(&r, m->cookie, sizeof(m->cookie));
	} else if (cookie_len != 0) {
		goto bad;
	}
	skap_read_bytes(&r, m->mac, sizeof(m->mac));
	if (skap_reader_end(&r))
		goto bad;
	return 0;
bad:
	memset(m, 0, sizeof(*m));
	return -EBADMSG;
}

int skap_msg_resp_encode(const struct skap_msg_resp *m, struct skap_writer *w)
{
	if (!m->ciphertext)
		return refuse(w, -EINVAL);
	put_header(w, SKAP_MSG_RESP, m->session);
	skap_put_u32(w, m->initiator_session);
	skap_put_bytes(w, m->nonce, sizeof(m->nonce));
	skap_put_u32(w, m->spi);
	skap_put_bytes(w, m->ciphertext, SKAP_XWING_CT_LEN);
	return skap_put_bytes(w, m->mac, sizeof(m->mac));
}

int skap_msg_resp_decode(const uint8_t *msg, size_t len, struct skap_msg_resp *m)
{
	struct skap_reader r;

	memset(m, 0, sizeof(*m));
	skap_reader_init(&r, msg, len);
	if (get_header(&r, SKAP_MSG_RESP, &m->session))
		return -EBADMSG;
	skap_read_u32(&r, &m->initiator_session);
	skap_read_bytes(&r, m->nonce, sizeof(m->nonce));
	skap_read_u32(&r, &m->spi);
	skap_read_ref(&r, &m->ciphertext, SKAP_XWING_CT_LEN);
	skap_read_bytes(&r, m->mac, sizeof(m->mac));
	if (skap_reader_end(&r)) {
		memset(m, 0, sizeof(*m));
		return -EBADMSG;
	}
	return 0;
}

int skap_msg_cookie_encode(const struct skap_msg_cookie *m, struct skap_writer *w)
{
	put_header(w, SKAP_MSG_COOKIE, 0);
	skap_put_u32(w, m->initiator_session);
	return skap_put_bytes(w, m->cookie, sizeof(m->cookie));
}

int skap_msg_cookie_decode(const uint8_t *msg, size_t len, struct skap_msg_cookie *m)
{
	struct skap_reader r;
	uint32_t session;

	memset(m, 0, sizeof(*m));
	skap_reader_init(&r, msg, len);
	if (get_header(&r, SKAP_MSG_COOKIE, &session) || session)
		return -EBADMSG;
	skap_read_u32(&r, &m->initiator_session);
	skap_read_bytes(&r, m->cookie, sizeof(m->cookie));
	if (skap_reader_end(&r)) {
		memset(m, 0, sizeof(*m));
		return -EBADMSG;
	}
	return 0;
}

int skap_msg_error_encode(const struct skap_msg_error *m, struct skap_writer *w)
{
	put_header(w, SKAP_MSG_ERROR, 0);
	skap_put_u32(w, m->initiator_session);
	return skap_put_u16(w, m->code);
}

int skap_msg_error_decode(const uint8_t *msg, size_t len, struct skap_msg_error *m)
{
	struct skap_reader r;
	uint32_t session;

	memset(m, 0, sizeof(*m));
	skap_reader_init(&r, msg, len);
	if (get_header(&r, SKAP_MSG_ERROR, &session) || session)
		return -EBADMSG;
	skap_read_u32(&r, &m->initiator_session);
	skap_read_u16(&r, &m->code);
	if (skap_reader_end(&r) || m->code < SKAP_ERR_UNKNOWN_LINK || m->code > SKAP_ERR_BUSY) {
		memset(m, 0, sizeof(*m));
		return -EBADMSG;
	}
	return 0;
}

size_t skap_msg_mac_input(size_t msg_len)
{
	return msg_len < SKAP_MAC_LEN ? 0 : msg_len - SKAP_MAC_LEN;
}

void skap_msg_set_mac(uint8_t *msg, size_t msg_len, const uint8_t mac[SKAP_MAC_LEN])
{
	if (msg_len >= SKAP_MAC_LEN)
		memcpy(msg + msg_len - SKAP_MAC_LEN, mac, SKAP_MAC_LEN);
}
