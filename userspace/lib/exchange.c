// SPDX-License-Identifier: GPL-2.0
/*
 * The SKAP peer exchange (include/skap/exchange.h, docs/protocol.md 4).
 * Cheap checks before expensive ones: structure, then the ticket, then the
 * MAC, then the clock; the KEM runs only for an authentic INIT.
 */

#include <skap/exchange.h>

#include <skap/buf.h>
#include <skap/sym.h>

#include <errno.h>
#include <string.h>

static int mac_init(const uint8_t key[32], const uint8_t *msg, size_t len, uint8_t mac[32])
{
	const void *parts[1] = { msg };
	size_t lens[1] = { skap_msg_mac_input(len) };

	return skap_hmac(key, 32, parts, lens, 1, mac);
}

/* RESP's MAC covers the INIT's MAC first: a RESP answers exactly one INIT. */
static int mac_resp(const uint8_t key[32], const uint8_t init_mac[32], const uint8_t *msg,
		    size_t len, uint8_t mac[32])
{
	const void *parts[2] = { init_mac, msg };
	size_t lens[2] = { 32, skap_msg_mac_input(len) };

	return skap_hmac(key, 32, parts, lens, 2, mac);
}

static int within_window(uint64_t t, uint64_t now)
{
	return t <= now + SKAP_CLOCK_WINDOW_S && now <= t + SKAP_CLOCK_WINDOW_S;
}

void skap_initiator_clear(struct skap_initiator *x)
{
	explicit_bzero(x, sizeof(*x));
}

int skap_initiator_start(struct skap_initiator *x, const struct skap_initiator_params *p,
			 const uint8_t *cookie)
{
	uint8_t pk[SKAP_XWING_PK_BYTES];
	struct skap_msg_init m;
	struct skap_writer w;
	int ret;

	memset(x, 0, sizeof(*x));
	if (!skap_id_valid(p->self) || !skap_id_valid(p->peer) || !skap_id_valid(p->link) ||
	    !p->n_local || p->n_local > SKAP_PROTO_MAX_SELECTORS || !p->n_remote ||
	    p->n_remote > SKAP_PROTO_MAX_SELECTORS)
		return -EINVAL;
	strcpy(x->self, p->self);
	strcpy(x->peer, p->peer);
	x->spi_in = p->spi_in;
	memcpy(x->kid, p->pair->kid, sizeof(x->kid));
	memcpy(x->k, p->pair->key, sizeof(x->k));
	x->session = p->session;
	ret = x->session ? 0 : skap_random(&x->session, sizeof(x->session));
	if (!ret)
		ret = skap_random(x->nonce, sizeof(x->nonce));
	if (!ret && p->xwing_dk && p->xwing_pk) {
		x->xwing_dk = *p->xwing_dk;
		memcpy(pk, p->xwing_pk, sizeof(pk));
	} else if (!ret) {
		ret = skap_xwing_keygen_expanded(&x->xwing_dk, pk);
	}
	if (!ret)
		ret = skap_peer_mac_key(x->k, x->kid, x->mac_key);
	if (ret)
		goto fail;

	memset(&m, 0, sizeof(m));
	m.session = x->session;
	m.timestamp = p->now;
	memcpy(m.nonce, x->nonce, sizeof(m.nonce));
	strcpy(m.device_id, p->self);
	strcpy(m.link, p->link);
	m.spi = p->spi_in;
	memcpy(m.local, p->local, p->n_local * sizeof(*p->local));
	m.n_local = p->n_local;
	memcpy(m.remote, p->remote, p->n_remote * sizeof(*p->remote));
	m.n_remote = p->n_remote;
	m.ticket = p->ticket;
	m.ticket_len = p->ticket_len;
	memcpy(m.kid, x->kid, sizeof(m.kid));
	m.public_key = pk;
	if (cookie) {
		m.has_cookie = true;
		memcpy(m.cookie, cookie, SKAP_COOKIE_LEN);
	}
	skap_writer_init(&w, x->msg, sizeof(x->msg));
	ret = skap_msg_init_encode(&m, &w);
	if (ret)
		goto fail;
	x->msg_len = w.len;
	ret = mac_init(x->mac_key, x->msg, x->msg_len, x->init_mac);
	if (ret)
		goto fail;
	skap_msg_set_mac(x->msg, x->msg_len, x->init_mac);
	return 0;
fail:
	skap_initiator_clear(x);
	return ret < 0 ? ret : -EIO;
}

/* Both sides: PRK from K, the KEM secret and both nonces; one key per direction. */
static int derive(const uint8_t k[32], const uint8_t ss[32], const uint8_t na[32],
		  const uint8_t nb[32], uint32_t spi_a, uint32_t spi_b, const char *a,
		  const char *b, uint8_t key_ab[32], uint8_t key_ba[32])
{
	return skap_sa_keys(k, ss, na, nb, spi_a, spi_b, a, b, key_ab, key_ba);
}

int skap_initiator_finish(struct skap_initiator *x, const uint8_t *resp, size_t len,
			  struct skap_sa_pair *out)
{
	struct skap_msg_resp r;
	uint8_t mac[32], ss[32];
	int ret;

	memset(out, 0, sizeof(*out));
	if (skap_msg_resp_decode(resp, len, &r) || r.initiator_session != x->session)
		return -EBADMSG;
	ret = mac_resp(x->mac_key, x->init_mac, resp, len, mac);
	if (ret)
		return ret;
	if (skap_ct_compare(mac, r.mac, sizeof(mac)))
		return -EBADMSG;
	ret = skap_xwing_decaps_expanded(&x->xwing_dk, r.ciphertext, ss);
	if (!ret)
		ret = derive(x->k, ss, x->nonce, r.nonce, x->spi_in, r.spi, x->self, x->peer,
			     out->key_out, out->key_in);
	explicit_bzero(ss, sizeof(ss));
	if (ret) {
		explicit_bzero(out, sizeof(*out));
		return ret;
	}
	memcpy(out->kid, x->kid, sizeof(out->kid));
	strcpy(out->peer, x->peer);
	out->spi_in = x->spi_in;
	out->spi_out = r.spi;
	return 0;
}

void skap_verified_init_clear(struct skap_verified_init *v)
{
	explicit_bzero(v, sizeof(*v));
}

int skap_responder_verify(const char *self, const uint8_t k_ticket[32], uint64_t now,
			  const uint8_t *msg, size_t len, struct skap_verified_init *v)
{
	uint8_t mac[32];
	int ret;

	memset(v, 0, sizeof(*v));
	if (skap_msg_init_decode(msg, len, &v->msg))
		return -EBADMSG;
	ret = skap_ticket_open(k_ticket, self, v->msg.ticket, v->msg.ticket_len, now, &v->ticket);
	if (ret)
		goto fail;
	/* The ticket must be the one the platform issued to this sender for this KID. */
	if (strcmp(v->ticket.initiator, v->msg.device_id) ||
	    skap_ct_compare(v->ticket.kid, v->msg.kid, SKAP_KID_LEN)) {
		ret = -EBADMSG;
		goto fail;
	}
	ret = skap_peer_mac_key(v->ticket.key, v->ticket.kid, v->mac_key);
	if (!ret)
		ret = mac_init(v->mac_key, msg, len, mac);
	if (ret)
		goto fail;
	if (skap_ct_compare(mac, v->msg.mac, sizeof(mac))) {
		ret = -EBADMSG;
		goto fail;
	}
	if (!within_window(v->msg.timestamp, now)) {
		ret = -ETIME;
		goto fail;
	}
	return 0;
fail:
	skap_verified_init_clear(v);
	return ret;
}

int skap_responder_answer(struct skap_verified_init *v, const char *self, uint32_t spi_in,
			  struct skap_xwing_eph *eph, uint8_t *out, size_t *out_len,
			  struct skap_sa_pair *keys)
{
	struct skap_msg_resp r;
	struct skap_writer w;
	uint8_t ct[SKAP_XWING_CT_BYTES], ss[32], mac[32];
	int ret;

	memset(keys, 0, sizeof(*keys));
	*out_len = 0;
	if (!skap_id_valid(self)) {
		if (eph)
			explicit_bzero(eph, sizeof(*eph));
		return -EINVAL;
	}
	memset(&r, 0, sizeof(r));
	ret = skap_random(&r.session, sizeof(r.session));
	if (!ret)
		ret = skap_random(r.nonce, sizeof(r.nonce));
	if (!ret)
		ret = eph ? skap_xwing_encaps_prepared(v->msg.public_key, eph, ct, ss)
			  : skap_xwing_encaps(v->msg.public_key, ct, ss);
	else if (eph)
		explicit_bzero(eph, sizeof(*eph));
	if (!ret)
		ret = derive(v->ticket.key, ss, v->msg.nonce, r.nonce, v->msg.spi, spi_in,
			     v->msg.device_id, self, keys->key_in, keys->key_out);
	explicit_bzero(ss, sizeof(ss));
	if (ret)
		goto fail;
	r.initiator_session = v->msg.session;
	r.spi = spi_in;
	r.ciphertext = ct;
	skap_writer_init(&w, out, SKAP_MSG_MAX);
	ret = skap_msg_resp_encode(&r, &w);
	if (!ret)
		ret = mac_resp(v->mac_key, v->msg.mac, out, w.len, mac);
	if (ret)
		goto fail;
	skap_msg_set_mac(out, w.len, mac);
	*out_len = w.len;
	memcpy(keys->kid, v->ticket.kid, sizeof(keys->kid));
	strcpy(keys->peer, v->msg.device_id);
	keys->spi_in = spi_in;
	keys->spi_out = v->msg.spi;
	return 0;
fail:
	explicit_bzero(keys, sizeof(*keys));
	return ret;
}

int skap_cookie(const uint8_t secret[32], const uint8_t *addr, size_t addr_len, uint16_t port,
		uint32_t session, uint8_t cookie[SKAP_COOKIE_LEN])
{
	uint8_t tail[6] = { (uint8_t)(port >> 8), (uint8_t)port,	   (uint8_t)(session >> 24),
			    (uint8_t)(session >> 16), (uint8_t)(session >> 8), (uint8_t)session };
	const void *parts[2] = { addr, tail };
	size_t lens[2] = { addr_len, sizeof(tail) };

	return skap_hmac(secret, 32, parts, lens, 2, cookie);
}
