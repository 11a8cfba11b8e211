// SPDX-License-Identifier: GPL-2.0
/*
 * SKAP's symmetric layer (include/skap/ticket.h, docs/protocol.md). Every
 * input and output goes through the bounds-checked reader and writer; every
 * intermediate secret is wiped before return.
 */

#include <skap/ticket.h>

#include <skap/buf.h>
#include <skap/sym.h>

#include <errno.h>
#include <string.h>

#define NONCE 12

static const char *const dmk_labels[] = {
	[SKAP_DMK_REQUEST] = "skap1 request",
	[SKAP_DMK_RESPONSE] = "skap1 response",
	[SKAP_DMK_TICKET] = "skap1 ticket",
};

/* LABEL || str(a) [|| str(b)] into W. */
static int put_label_ids(struct skap_writer *w, const char *label, const char *a, const char *b)
{
	skap_put_bytes(w, label, strlen(label));
	skap_put_str8(w, a);
	if (b)
		skap_put_str8(w, b);
	return w->err;
}

int skap_dmk_derive(const uint8_t dmk[SKAP_DMK_LEN], enum skap_dmk_use use, const char *device_id,
		    uint8_t out[32])
{
	uint8_t info[32 + 1 + SKAP_ID_MAX];
	struct skap_writer w;

	if ((unsigned int)use > SKAP_DMK_TICKET || !skap_id_valid(device_id))
		return -EINVAL;
	skap_writer_init(&w, info, sizeof(info));
	if (put_label_ids(&w, dmk_labels[use], device_id, NULL))
		return -EINVAL;
	return skap_hkdf(NULL, 0, dmk, SKAP_DMK_LEN, info, w.len, out, 32);
}

int skap_keyreq_mac(const uint8_t k_req[32], const char *a, const char *b, uint64_t ts,
		    const uint8_t nonce[SKAP_REQ_NONCE_LEN], uint8_t mac[32])
{
	uint8_t msg[16 + 2 * (1 + SKAP_ID_MAX) + 8 + SKAP_REQ_NONCE_LEN];
	struct skap_writer w;
	const void *parts[1] = { msg };
	size_t lens[1];

	if (!skap_id_valid(a) || !skap_id_valid(b))
		return -EINVAL;
	skap_writer_init(&w, msg, sizeof(msg));
	put_label_ids(&w, "skap1 keyreq", a, b);
	skap_put_u64(&w, ts);
	if (skap_put_bytes(&w, nonce, SKAP_REQ_NONCE_LEN))
		return -EINVAL;
	lens[0] = w.len;
	return skap_hmac(k_req, 32, parts, lens, 1, mac);
}

int skap_pair_key_seal(const uint8_t k_resp_a[32], const char *a, const char *b,
		       const struct skap_pair_key *pk, uint8_t out[SKAP_SEALED_KEY_LEN])
{
	uint8_t aad[16 + 2 * (1 + SKAP_ID_MAX)], pt[32 + 16 + 8];
	struct skap_writer wa, wp;
	int ret;

	if (!skap_id_valid(a) || !skap_id_valid(b))
		return -EINVAL;
	skap_writer_init(&wa, aad, sizeof(aad));
	if (put_label_ids(&wa, "skap1 key", a, b))
		return -EINVAL;
	skap_writer_init(&wp, pt, sizeof(pt));
	skap_put_bytes(&wp, pk->key, sizeof(pk->key));
	skap_put_bytes(&wp, pk->kid, sizeof(pk->kid));
	skap_put_u64(&wp, pk->expires);
	ret = skap_random(out, NONCE);
	if (!ret)
		ret = skap_aead_seal(k_resp_a, out, aad, wa.len, pt, wp.len, out + NONCE);
	explicit_bzero(pt, sizeof(pt));
	return ret;
}

int skap_pair_key_open(const uint8_t k_resp_a[32], const char *a, const char *b, const uint8_t *in,
		       size_t len, struct skap_pair_key *pk)
{
	uint8_t aad[16 + 2 * (1 + SKAP_ID_MAX)], pt[32 + 16 + 8];
	struct skap_writer wa;
	struct skap_reader r;
	int ret;

	memset(pk, 0, sizeof(*pk));
	if (!skap_id_valid(a) || !skap_id_valid(b))
		return -EINVAL;
	if (len != SKAP_SEALED_KEY_LEN)
		return -EBADMSG;
	skap_writer_init(&wa, aad, sizeof(aad));
	if (put_label_ids(&wa, "skap1 key", a, b))
		return -EINVAL;
	ret = skap_aead_open(k_resp_a, in, aad, wa.len, in + NONCE, len - NONCE, pt);
	if (ret)
		return -EBADMSG;
	skap_reader_init(&r, pt, sizeof(pt));
	skap_read_bytes(&r, pk->key, sizeof(pk->key));
	skap_read_bytes(&r, pk->kid, sizeof(pk->kid));
	skap_read_u64(&r, &pk->expires);
	ret = skap_reader_end(&r);
	explicit_bzero(pt, sizeof(pt));
	if (ret)
		explicit_bzero(pk, sizeof(*pk));
	return ret;
}

int skap_ticket_seal(const uint8_t k_ticket_b[32], const char *b, const struct skap_ticket *t,
		     uint8_t out[SKAP_TICKET_MAX_LEN], size_t *out_len)
{
	uint8_t aad[16 + 1 + SKAP_ID_MAX], pt[32 + 16 + 8 + 1 + SKAP_ID_MAX];
	struct skap_writer wa, wp;
	int ret;

	*out_len = 0;
	if (!skap_id_valid(b) || !skap_id_valid(t->initiator))
		return -EINVAL;
	skap_writer_init(&wa, aad, sizeof(aad));
	if (put_label_ids(&wa, "skap1 ticket", b, NULL))
		return -EINVAL;
	skap_writer_init(&wp, pt, sizeof(pt));
	skap_put_bytes(&wp, t->key, sizeof(t->key));
	skap_put_bytes(&wp, t->kid, sizeof(t->kid));
	skap_put_u64(&wp, t->expires);
	skap_put_str8(&wp, t->initiator);
	ret = wp.err ? -EINVAL : skap_random(out, NONCE);
	if (!ret)
		ret = skap_aead_seal(k_ticket_b, out, aad, wa.len, pt, wp.len, out + NONCE);
	if (!ret)
		*out_len = NONCE + wp.len + SKAP_AEAD_TAG_LEN;
	explicit_bzero(pt, sizeof(pt));
	return ret;
}

int skap_ticket_open(const uint8_t k_ticket_b[32], const char *b, const uint8_t *in, size_t len,
		     uint64_t now, struct skap_ticket *t)
{
	uint8_t aad[16 + 1 + SKAP_ID_MAX], pt[SKAP_TICKET_MAX_LEN];
	struct skap_writer wa;
	struct skap_reader r;
	size_t pt_len;
	int ret;

	memset(t, 0, sizeof(*t));
	if (!skap_id_valid(b))
		return -EINVAL;
	if (len < SKAP_TICKET_MIN_LEN || len > SKAP_TICKET_MAX_LEN)
		return -EBADMSG;
	skap_writer_init(&wa, aad, sizeof(aad));
	if (put_label_ids(&wa, "skap1 ticket", b, NULL))
		return -EINVAL;
	pt_len = len - NONCE - SKAP_AEAD_TAG_LEN;
	if (skap_aead_open(k_ticket_b, in, aad, wa.len, in + NONCE, len - NONCE, pt))
		return -EBADMSG;
	skap_reader_init(&r, pt, pt_len);
	skap_read_bytes(&r, t->key, sizeof(t->key));
	skap_read_bytes(&r, t->kid, sizeof(t->kid));
	skap_read_u64(&r, &t->expires);
	skap_read_str8(&r, t->initiator, sizeof(t->initiator), SKAP_ID_MAX);
	ret = skap_reader_end(&r);
	if (!ret && t->expires <= now)
		ret = -EKEYEXPIRED;
	explicit_bzero(pt, sizeof(pt));
	if (ret)
		explicit_bzero(t, sizeof(*t));
	return ret;
}

int skap_peer_mac_key(const uint8_t k[SKAP_PAIR_KEY_LEN], const uint8_t kid[SKAP_KID_LEN],
		      uint8_t out[32])
{
	static const char info[] = "skap1 peer mac";

	return skap_hkdf(kid, SKAP_KID_LEN, k, SKAP_PAIR_KEY_LEN, info, sizeof(info) - 1, out, 32);
}

static int expand_direction(const uint8_t prk[32], uint32_t spi, const char *from, const char *to,
			    uint8_t out[32])
{
	uint8_t info[16 + 4 + 2 * (1 + SKAP_ID_MAX)];
	struct skap_writer w;

	skap_writer_init(&w, info, sizeof(info));
	skap_put_bytes(&w, "skap1 esp", 9);
	skap_put_u32(&w, spi);
	skap_put_str8(&w, from);
	if (skap_put_str8(&w, to))
		return -EINVAL;
	return skap_hkdf_expand(prk, info, w.len, out, 32);
}

int skap_sa_keys(const uint8_t k[SKAP_PAIR_KEY_LEN], const uint8_t ss[32],
		 const uint8_t na[SKAP_NONCE_LEN], const uint8_t nb[SKAP_NONCE_LEN], uint32_t spi_a,
		 uint32_t spi_b, const char *a, const char *b, uint8_t key_ab[32], uint8_t key_ba[32])
{
	uint8_t salt[2 * SKAP_NONCE_LEN], ikm[SKAP_PAIR_KEY_LEN + 32], prk[32];
	int ret;

	if (!skap_id_valid(a) || !skap_id_valid(b))
		return -EINVAL;
	memcpy(salt, na, SKAP_NONCE_LEN);
	memcpy(salt + SKAP_NONCE_LEN, nb, SKAP_NONCE_LEN);
	memcpy(ikm, k, SKAP_PAIR_KEY_LEN);
	memcpy(ikm + SKAP_PAIR_KEY_LEN, ss, 32);
	ret = skap_hkdf_extract(salt, sizeof(salt), ikm, sizeof(ikm), prk);
	if (!ret)
		ret = expand_direction(prk, spi_b, a, b, key_ab);
	if (!ret)
		ret = expand_direction(prk, spi_a, b, a, key_ba);
	explicit_bzero(ikm, sizeof(ikm));
	explicit_bzero(prk, sizeof(prk));
	if (ret) {
		explicit_bzero(key_ab, 32);
		explicit_bzero(key_ba, 32);
	}
	return ret;
}
