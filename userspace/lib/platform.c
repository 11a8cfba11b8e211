// SPDX-License-Identifier: GPL-2.0
/*
 * A device's conversations with the platform (include/skap/platform.h). Every
 * key derived here is wiped before return; a refusal carries the
 * platform's own words, so an operator reads why.
 */

#include <skap/platform.h>

#include <skap/secret.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* STATUS and BODY of a non-2xx answer into ERR; -EACCES. */
static int refused(int status, const char *body, size_t len, struct skap_platform_error *err)
{
	err->status = status;
	if (skap_devmsg_error(body, len, err->code, sizeof(err->code), err->message,
			      sizeof(err->message))) {
		snprintf(err->code, sizeof(err->code), "http");
		snprintf(err->message, sizeof(err->message), "HTTP status %d", status);
	}
	return -EACCES;
}

/* POSTs BODY (freed, wiped) and checks the status is one of OK1/OK2. */
static int exchange(struct skap_https *h, const char *path, char *body, int ok1, int ok2,
		    int *status, const char **answer, size_t *len, struct skap_platform_error *err)
{
	int ret;

	if (!body)
		return -ENOMEM;
	ret = skap_https_post(h, path, body, status, answer, len);
	skap_devmsg_free(body);
	if (ret)
		return ret;
	if (*status != ok1 && *status != ok2)
		return refused(*status, *answer, *len, err);
	return 0;
}

/*
 * OTA_QUANTUM's first round trip: K, the binding, and what the second one
 * carries. The key pair is made expanded: decapsulating from the seed would
 * expand it a second time (an ML-KEM key generation and an X25519
 * multiplication, a fifth of the device's work in an enrollment).
 */
static int kem_step(struct skap_https *h, uint8_t ek[SKAP_XWING_PK_BYTES],
		    uint8_t ct[SKAP_XWING_CT_BYTES], uint8_t token[SKAP_OTA_TOKEN_LEN],
		    size_t *token_len, uint8_t k[32], uint8_t binding[32],
		    struct skap_platform_error *err)
{
	struct skap_xwing_dk dk;
	uint8_t ss[SKAP_XWING_SS_LEN];
	const char *answer;
	size_t len;
	int status, ret;

	ret = skap_xwing_keygen_expanded(&dk, ek);
	if (!ret)
		ret = exchange(h, "/api/v1/enroll/kem", skap_devmsg_kem_request(ek), 200, 200,
			       &status, &answer, &len, err);
	if (!ret && (skap_devmsg_kem_answer(answer, len, ct, token, token_len) ||
		     skap_xwing_decaps_expanded(&dk, ct, ss)))
		ret = -EPROTO;
	if (!ret)
		ret = skap_ota_transcript(ek, ct, binding);
	if (!ret)
		ret = skap_ota_derive(ss, binding, k);
	skap_wipe(&dk, sizeof(dk));
	skap_wipe(ss, sizeof(ss));
	return ret;
}

int skap_platform_enroll(struct skap_https *h, const struct skap_enroll_params *p,
		       const struct skap_ed25519_signer *id,
		       const uint8_t pub[SKAP_ED25519_PUB_LEN], struct skap_enroll_answer *ans,
		       struct skap_platform_error *err)
{
	static _Thread_local uint8_t ek[SKAP_XWING_PK_BYTES], ct[SKAP_XWING_CT_BYTES];
	uint8_t k[32], binding[32], nonce[SKAP_ENROLL_NONCE_LEN], sig[SKAP_ED25519_SIG_LEN];
	uint8_t token[SKAP_OTA_TOKEN_LEN];
	size_t token_len = 0, len;
	char *req = NULL, *body = NULL;
	const char *answer;
	int status, ret;

	memset(err, 0, sizeof(*err));
	memset(ans, 0, sizeof(*ans));
	switch (p->method) {
	case SKAP_ENROLL_QKEY:
		ret = !p->qkey || !p->qkey_id ? -EINVAL : skap_random(nonce, sizeof(nonce));
		if (!ret)
			ret = skap_qkey_derive(p->qkey, p->qkey_id, nonce, k, binding);
		break;
	case SKAP_ENROLL_OTA_QUANTUM:
		ret = kem_step(h, ek, ct, token, &token_len, k, binding, err);
		break;
	case SKAP_ENROLL_OTA_TLS:
		ret = skap_https_binding(h, binding);
		break;
	default:
		ret = -EINVAL;
	}
	if (!ret) {
		req = skap_devmsg_enroll_request(p->method, pub, binding, &p->cred, p->report);
		ret = req ? skap_enroll_sign(id, req, strlen(req), sig) : -EINVAL;
	}
	if (!ret) {
		if (p->method == SKAP_ENROLL_QKEY)
			body = skap_devmsg_enroll_qkey(p->qkey_id, nonce, k, sig, req);
		else if (p->method == SKAP_ENROLL_OTA_QUANTUM)
			body = skap_devmsg_enroll_ota_quantum(ek, ct, token, token_len, k, sig, req);
		else
			body = skap_devmsg_enroll_ota_tls(sig, req);
		ret = exchange(h, "/api/v1/enroll", body, 200, 201, &status, &answer, &len, err);
	}
	if (!ret && skap_devmsg_enroll_answer(p->method, p->method == SKAP_ENROLL_OTA_TLS ? NULL : k,
					      answer, len, ans))
		ret = -EPROTO;
	skap_wipe(k, sizeof(k));
	skap_devmsg_free(req);
	return ret;
}

int skap_platform_status(struct skap_https *h, const char *id, const uint8_t dmk[SKAP_DMK_LEN],
		       struct skap_status_answer *st, struct skap_platform_error *err)
{
	uint8_t kreq[32], nonce[SKAP_ENROLL_NONCE_LEN];
	const char *answer;
	size_t len;
	int status, ret;

	memset(err, 0, sizeof(*err));
	memset(st, 0, sizeof(*st));
	ret = skap_dmk_derive(dmk, SKAP_DMK_REQUEST, id, kreq);
	if (!ret)
		ret = skap_random(nonce, sizeof(nonce));
	if (!ret)
		ret = exchange(h, "/api/v1/device/status",
			       skap_devmsg_status_request(kreq, id, (uint64_t)time(NULL), nonce),
			       200, 200, &status, &answer, &len, err);
	if (!ret && skap_devmsg_status_answer(answer, len, st))
		ret = -EPROTO;
	skap_wipe(kreq, sizeof(kreq));
	return ret;
}

int skap_platform_key(struct skap_https *h, const char *id, const uint8_t dmk[SKAP_DMK_LEN],
		    const char *peer, struct skap_pair_key *pk,
		    uint8_t ticket[SKAP_TICKET_MAX_LEN], size_t *ticket_len,
		    struct skap_platform_error *err)
{
	uint8_t kreq[32], kresp[32], nonce[SKAP_REQ_NONCE_LEN];
	const char *answer;
	size_t len;
	int status, ret;

	memset(err, 0, sizeof(*err));
	*ticket_len = 0;
	ret = skap_dmk_derive(dmk, SKAP_DMK_REQUEST, id, kreq);
	if (!ret)
		ret = skap_dmk_derive(dmk, SKAP_DMK_RESPONSE, id, kresp);
	if (!ret)
		ret = skap_random(nonce, sizeof(nonce));
	if (!ret)
		ret = exchange(h, "/api/v1/keys",
			       skap_devmsg_key_request(kreq, id, peer, (uint64_t)time(NULL), nonce),
			       200, 200, &status, &answer, &len, err);
	if (!ret && skap_devmsg_key_answer(kresp, id, peer, answer, len, pk, ticket, ticket_len))
		ret = -EPROTO;
	skap_wipe(kreq, sizeof(kreq));
	skap_wipe(kresp, sizeof(kresp));
	return ret;
}
