// SPDX-License-Identifier: GPL-2.0
/*
 * Enrollment's cryptography (include/skap/enroll.h, docs/protocol.md
 * section 6). Byte strings are built with the bounds-checked writer; every
 * intermediate secret is wiped before return.
 */

#include <skap/enroll.h>

#include <skap/b64.h>
#include <skap/buf.h>
#include <skap/proto.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NONCE SKAP_AEAD_NONCE_LEN

static const char *const method_names[] = {
	[SKAP_ENROLL_QKEY] = "qkey",
	[SKAP_ENROLL_OTA_QUANTUM] = "ota-quantum",
	[SKAP_ENROLL_OTA_TLS] = "ota-tls",
};

static const char *const dir_aad[] = {
	[SKAP_ENROLL_REQUEST] = "skap1 enroll request",
	[SKAP_ENROLL_ANSWER] = "skap1 enroll answer",
};

const char *skap_enroll_method_name(enum skap_enroll_method m)
{
	return (unsigned int)m <= SKAP_ENROLL_OTA_TLS ? method_names[m] : NULL;
}

int skap_enroll_method_parse(const char *s, enum skap_enroll_method *m)
{
	for (unsigned int i = 0; i <= SKAP_ENROLL_OTA_TLS; i++) {
		if (s && !strcmp(s, method_names[i])) {
			*m = i;
			return 0;
		}
	}
	return -EINVAL;
}

int skap_fingerprint(const uint8_t pub[SKAP_ED25519_PUB_LEN], char out[SKAP_FINGERPRINT_SIZE])
{
	uint8_t h[SKAP_SHA256_LEN];
	char b64[SKAP_B64_LEN(SKAP_SHA256_LEN) + 1];
	int ret;

	memset(out, 0, SKAP_FINGERPRINT_SIZE);
	ret = skap_sha256(pub, SKAP_ED25519_PUB_LEN, h);
	if (!ret)
		ret = skap_b64_encode(h, sizeof(h), b64, sizeof(b64));
	if (ret)
		return ret;
	/* 32 bytes give 43 characters and one '=' of padding, dropped. */
	memcpy(out, "SHA256:", 7);
	memcpy(out + 7, b64, 43);
	return 0;
}

#define ENROLL_LABEL	"skap1 enroll"
#define ENROLL_LABEL_LEN (sizeof(ENROLL_LABEL) - 1)
#define ENROLL_REQ_MAX	(64 * 1024)

/*
 * "skap1 enroll" || REQ in a fresh heap buffer (freed with free_message:
 * REQ carries a password when the credential is one).
 */
static uint8_t *signed_message(const void *req, size_t len)
{
	uint8_t *msg;

	if (!req || !len || len > ENROLL_REQ_MAX)
		return NULL;
	msg = malloc(ENROLL_LABEL_LEN + len);
	if (!msg)
		return NULL;
	memcpy(msg, ENROLL_LABEL, ENROLL_LABEL_LEN);
	memcpy(msg + ENROLL_LABEL_LEN, req, len);
	return msg;
}

static void free_message(uint8_t *msg, size_t len)
{
	skap_wipe(msg, ENROLL_LABEL_LEN + len);
	free(msg);
}

int skap_enroll_sign(const struct skap_ed25519_signer *id, const void *req, size_t len,
		     uint8_t sig[SKAP_ED25519_SIG_LEN])
{
	uint8_t *msg = signed_message(req, len);
	int ret;

	if (!msg) {
		memset(sig, 0, SKAP_ED25519_SIG_LEN);
		return -EINVAL;
	}
	ret = skap_ed25519_signer_sign(id, msg, ENROLL_LABEL_LEN + len, sig);
	free_message(msg, len);
	return ret;
}

int skap_enroll_verify(const uint8_t pub[SKAP_ED25519_PUB_LEN], const void *req, size_t len,
		       const uint8_t sig[SKAP_ED25519_SIG_LEN])
{
	uint8_t *msg = signed_message(req, len);
	int ret;

	if (!msg)
		return -EINVAL;
	ret = skap_ed25519_verify(pub, msg, ENROLL_LABEL_LEN + len, sig);
	free_message(msg, len);
	return ret;
}

/* LABEL || str(ID) || DATA into W. */
static int put_label_id(struct skap_writer *w, const char *label, const char *id,
			const void *data, size_t len)
{
	skap_put_bytes(w, label, strlen(label));
	skap_put_str8(w, id);
	if (len)
		skap_put_bytes(w, data, len);
	return w->err;
}

int skap_qkey_derive(const uint8_t qkey[SKAP_QKEY_LEN], const char *qkey_id,
		     const uint8_t nonce[SKAP_ENROLL_NONCE_LEN], uint8_t k[SKAP_ENROLL_KEY_LEN],
		     uint8_t binding[SKAP_ENROLL_BINDING_LEN])
{
	uint8_t buf[32 + 1 + SKAP_QKEY_ID_MAX + SKAP_ENROLL_NONCE_LEN];
	struct skap_writer w;
	int ret;

	memset(k, 0, SKAP_ENROLL_KEY_LEN);
	memset(binding, 0, SKAP_ENROLL_BINDING_LEN);
	if (!skap_id_valid(qkey_id))
		return -EINVAL;
	skap_writer_init(&w, buf, sizeof(buf));
	if (put_label_id(&w, "skap1 qkey", qkey_id, NULL, 0))
		return -EINVAL;
	ret = skap_hkdf(nonce, SKAP_ENROLL_NONCE_LEN, qkey, SKAP_QKEY_LEN, buf, w.len, k,
			SKAP_ENROLL_KEY_LEN);
	if (ret)
		return ret;
	skap_writer_init(&w, buf, sizeof(buf));
	if (put_label_id(&w, "skap1 qkey binding", qkey_id, nonce, SKAP_ENROLL_NONCE_LEN))
		ret = -EINVAL;
	else
		ret = skap_sha256(buf, w.len, binding);
	if (ret)
		skap_wipe(k, SKAP_ENROLL_KEY_LEN);
	return ret;
}

int skap_ota_transcript(const uint8_t ek[SKAP_XWING_PK_BYTES], const uint8_t ct[SKAP_XWING_CT_BYTES],
			uint8_t h[SKAP_ENROLL_BINDING_LEN])
{
	static const char label[] = "skap1 ota-quantum";
	uint8_t buf[sizeof(label) - 1 + SKAP_XWING_PK_BYTES + SKAP_XWING_CT_BYTES];

	memcpy(buf, label, sizeof(label) - 1);
	memcpy(buf + sizeof(label) - 1, ek, SKAP_XWING_PK_BYTES);
	memcpy(buf + sizeof(label) - 1 + SKAP_XWING_PK_BYTES, ct, SKAP_XWING_CT_BYTES);
	return skap_sha256(buf, sizeof(buf), h);
}

int skap_ota_derive(const uint8_t ss[SKAP_XWING_SS_LEN], const uint8_t h[SKAP_ENROLL_BINDING_LEN],
		    uint8_t k[SKAP_ENROLL_KEY_LEN])
{
	static const char info[] = "skap1 enroll ota-quantum";

	return skap_hkdf(h, SKAP_ENROLL_BINDING_LEN, ss, SKAP_XWING_SS_LEN, info,
			 sizeof(info) - 1, k, SKAP_ENROLL_KEY_LEN);
}

int skap_ota_token_seal(const uint8_t k_token[32], const uint8_t h[SKAP_ENROLL_BINDING_LEN],
			const uint8_t ss[SKAP_XWING_SS_LEN], uint64_t expires,
			uint8_t out[SKAP_OTA_TOKEN_LEN])
{
	uint8_t pt[SKAP_XWING_SS_LEN + 8];
	struct skap_writer w;
	int ret;

	skap_writer_init(&w, pt, sizeof(pt));
	skap_put_bytes(&w, ss, SKAP_XWING_SS_LEN);
	skap_put_u64(&w, expires);
	ret = skap_random(out, NONCE);
	if (!ret)
		ret = skap_aead_seal(k_token, out, h, SKAP_ENROLL_BINDING_LEN, pt, sizeof(pt),
				     out + NONCE);
	skap_wipe(pt, sizeof(pt));
	if (ret)
		memset(out, 0, SKAP_OTA_TOKEN_LEN);
	return ret;
}

int skap_ota_token_open(const uint8_t k_token[32], const uint8_t h[SKAP_ENROLL_BINDING_LEN],
			const uint8_t *in, size_t len, uint64_t now,
			uint8_t ss[SKAP_XWING_SS_LEN])
{
	uint8_t pt[SKAP_XWING_SS_LEN + 8];
	struct skap_reader r;
	uint64_t expires;
	int ret;

	memset(ss, 0, SKAP_XWING_SS_LEN);
	if (len != SKAP_OTA_TOKEN_LEN)
		return -EBADMSG;
	ret = skap_aead_open(k_token, in, h, SKAP_ENROLL_BINDING_LEN, in + NONCE, len - NONCE, pt);
	if (ret)
		return ret;
	skap_reader_init(&r, pt, sizeof(pt));
	skap_read_bytes(&r, ss, SKAP_XWING_SS_LEN);
	skap_read_u64(&r, &expires);
	ret = skap_reader_end(&r);
	if (!ret && expires <= now)
		ret = -EKEYEXPIRED;
	skap_wipe(pt, sizeof(pt));
	if (ret)
		skap_wipe(ss, SKAP_XWING_SS_LEN);
	return ret;
}

int skap_enroll_seal(const uint8_t k[SKAP_ENROLL_KEY_LEN], enum skap_enroll_dir dir,
		     const void *pt, size_t len, uint8_t *out)
{
	int ret;

	if ((unsigned int)dir > SKAP_ENROLL_ANSWER || len > ENROLL_REQ_MAX)
		return -EINVAL;
	ret = skap_random(out, NONCE);
	if (!ret)
		ret = skap_aead_seal(k, out, dir_aad[dir], strlen(dir_aad[dir]), pt, len,
				     out + NONCE);
	if (ret)
		memset(out, 0, len + SKAP_ENROLL_SEAL_OVERHEAD);
	return ret;
}

int skap_enroll_open(const uint8_t k[SKAP_ENROLL_KEY_LEN], enum skap_enroll_dir dir,
		     const uint8_t *in, size_t len, uint8_t *out, size_t *out_len)
{
	int ret;

	*out_len = 0;
	if ((unsigned int)dir > SKAP_ENROLL_ANSWER)
		return -EINVAL;
	if (len < SKAP_ENROLL_SEAL_OVERHEAD || len - SKAP_ENROLL_SEAL_OVERHEAD > ENROLL_REQ_MAX)
		return -EBADMSG;
	ret = skap_aead_open(k, in, dir_aad[dir], strlen(dir_aad[dir]), in + NONCE, len - NONCE,
			     out);
	if (!ret)
		*out_len = len - SKAP_ENROLL_SEAL_OVERHEAD;
	return ret;
}

int skap_device_req_mac(const uint8_t k_req[32], const char *label, const char *id, uint64_t ts,
			const uint8_t nonce[SKAP_ENROLL_NONCE_LEN], uint8_t mac[32])
{
	uint8_t msg[6 + 16 + 1 + SKAP_ID_MAX + 8 + SKAP_ENROLL_NONCE_LEN];
	const void *parts[1] = { msg };
	size_t lens[1];
	struct skap_writer w;

	memset(mac, 0, 32);
	if (!label || strlen(label) > 16 || !skap_id_valid(id))
		return -EINVAL;
	skap_writer_init(&w, msg, sizeof(msg));
	skap_put_bytes(&w, "skap1 ", 6);
	skap_put_bytes(&w, label, strlen(label));
	skap_put_str8(&w, id);
	skap_put_u64(&w, ts);
	if (skap_put_bytes(&w, nonce, SKAP_ENROLL_NONCE_LEN))
		return -EINVAL;
	lens[0] = w.len;
	return skap_hmac(k_req, 32, parts, lens, 1, mac);
}
