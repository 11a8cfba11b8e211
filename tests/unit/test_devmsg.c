// SPDX-License-Identifier: GPL-2.0
/*
 * The device's platform messages against docs/protocol.md: the test plays
 * the platform with jansson and the primitives of enroll.h and ticket.h
 * directly, so each body is checked field by field as the spec writes it,
 * and each answer parser is fed what a platform sends, and what it must not.
 */

#include <skap/b64.h>
#include <skap/devmsg.h>

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

static const char *const macs[] = { "02:00:00:00:00:01" };
static const char *const addrs[] = { "192.0.2.1", "2001:db8::1" };
static const struct skap_device_report report = {
	.hostname = "gw-a.example", .name = "branch-7",
	.macs = macs, .n_macs = 1, .addresses = addrs, .n_addresses = 2,
};

/* FIELD of O decoded from base64 into a fresh buffer; *LEN its length. */
static uint8_t *b64_field(json_t *o, const char *field, size_t *len)
{
	const char *s = json_string_value(json_object_get(o, field));
	uint8_t *out;

	if (!s)
		return NULL;
	out = malloc(strlen(s) + 1);
	if (out && skap_b64_decode(s, out, strlen(s) + 1, len)) {
		free(out);
		return NULL;
	}
	return out;
}

static char *b64(const void *data, size_t len)
{
	char *s = malloc(SKAP_B64_LEN(len) + 1);

	skap_b64_encode(data, len, s, SKAP_B64_LEN(len) + 1);
	return s;
}

/* What the platform answers: {"sealed": base64(seal(K, answer, ANS))}. */
static char *sealed_answer(const uint8_t k[32], const char *ans)
{
	size_t n = strlen(ans);
	uint8_t *sealed = malloc(n + SKAP_ENROLL_SEAL_OVERHEAD);
	char *text, *body;
	json_t *o;

	skap_enroll_seal(k, SKAP_ENROLL_ANSWER, ans, n, sealed);
	text = b64(sealed, n + SKAP_ENROLL_SEAL_OVERHEAD);
	o = json_pack("{s:s}", "sealed", text);
	body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	free(text);
	free(sealed);
	return body;
}

static const char answer_json[] =
	"{\"device_id\":\"gw-0011\",\"state\":\"pending\","
	"\"dmk\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\",\"tenant\":\"acme\","
	"\"group\":\"branch\",\"fingerprint\":\"SHA256:Yw3NKWbEM2aRElRIu7JbT/QSpJxzLbLIq8G4WBvXEN0\"}";

TEST(enrollment_request_is_the_spec_object)
{
	struct skap_credential cred = { .bootstrap_key = "skb1_00" };
	uint8_t seed[32], pub[32], binding[32], *got;
	char *req;
	json_t *o, *d;
	size_t n;

	ASSERT_EQ(0, skap_ed25519_keygen(seed, pub));
	memset(binding, 7, sizeof(binding));
	req = skap_devmsg_enroll_request(SKAP_ENROLL_QKEY, pub, binding, &cred, &report);
	ASSERT_NE(NULL, req);
	o = json_loads(req, 0, NULL);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("qkey", json_string_value(json_object_get(o, "method")));
	got = b64_field(o, "public_key", &n);
	ASSERT_NE(NULL, got);
	EXPECT_EQ(32, n);
	EXPECT_EQ(0, memcmp(got, pub, 32));
	free(got);
	got = b64_field(o, "binding", &n);
	EXPECT_EQ(0, memcmp(got, binding, 32));
	free(got);
	EXPECT_STREQ("skb1_00", json_string_value(json_object_get(json_object_get(o, "credential"),
								  "bootstrap_key")));
	d = json_object_get(o, "device");
	EXPECT_STREQ("gw-a.example", json_string_value(json_object_get(d, "hostname")));
	EXPECT_STREQ("branch-7", json_string_value(json_object_get(d, "name")));
	EXPECT_EQ(2, json_array_size(json_object_get(d, "addresses")));
	EXPECT_EQ(1, json_array_size(json_object_get(d, "macs")));
	json_decref(o);
	skap_devmsg_free(req);

	/* Exactly one credential. */
	cred.user = "alice";
	cred.password = "correct horse";
	EXPECT_EQ(NULL, skap_devmsg_enroll_request(SKAP_ENROLL_QKEY, pub, binding, &cred, &report));
	cred.bootstrap_key = NULL;
	req = skap_devmsg_enroll_request(SKAP_ENROLL_OTA_TLS, pub, binding, &cred, &report);
	ASSERT_NE(NULL, req);
	EXPECT_NE(NULL, strstr(req, "\"password\":\"correct horse\""));
	skap_devmsg_free(req);
}

TEST(qkey_round_trip_through_the_platform_side)
{
	struct skap_credential cred = { .bootstrap_key = "skb1_00" };
	uint8_t qkey[32], nonce[16], k[32], binding[32], seed[32], pub[32], sig[64];
	struct skap_ed25519_signer *id;
	uint8_t k_srv[32], b_srv[32], *sealed, *pt, *n2;
	struct skap_enroll_answer ans;
	char *req, *body, *reply;
	size_t n, pt_len, nn;
	json_t *o;

	skap_random(qkey, 32);
	skap_random(nonce, 16);
	ASSERT_EQ(0, skap_ed25519_keygen(seed, pub));
	ASSERT_EQ(0, skap_qkey_derive(qkey, "q-7", nonce, k, binding));
	req = skap_devmsg_enroll_request(SKAP_ENROLL_QKEY, pub, binding, &cred, &report);
	ASSERT_EQ(0, skap_ed25519_signer_new(seed, NULL, &id));
	ASSERT_EQ(0, skap_enroll_sign(id, req, strlen(req), sig));
	skap_ed25519_signer_free(id);
	body = skap_devmsg_enroll_qkey("q-7", nonce, k, sig, req);
	ASSERT_NE(NULL, body);

	/* The platform: qkey_id and nonce give K; the envelope opens to sig || REQ. */
	o = json_loads(body, 0, NULL);
	EXPECT_STREQ("qkey", json_string_value(json_object_get(o, "method")));
	n2 = b64_field(o, "nonce", &nn);
	ASSERT_EQ(16, nn);
	ASSERT_EQ(0, skap_qkey_derive(qkey, json_string_value(json_object_get(o, "qkey_id")), n2,
				      k_srv, b_srv));
	sealed = b64_field(o, "sealed", &n);
	pt = malloc(n);
	ASSERT_EQ(0, skap_enroll_open(k_srv, SKAP_ENROLL_REQUEST, sealed, n, pt, &pt_len));
	ASSERT_EQ(64 + strlen(req), pt_len);
	EXPECT_EQ(0, memcmp(pt + 64, req, strlen(req)));
	EXPECT_EQ(0, skap_enroll_verify(pub, pt + 64, pt_len - 64, pt));
	free(pt);
	free(sealed);
	free(n2);
	json_decref(o);

	reply = sealed_answer(k_srv, answer_json);
	ASSERT_EQ(0, skap_devmsg_enroll_answer(SKAP_ENROLL_QKEY, k, reply, strlen(reply), &ans));
	EXPECT_STREQ("gw-0011", ans.device_id);
	EXPECT_STREQ("pending", ans.state);
	EXPECT_EQ(31, ans.dmk[31]);
	EXPECT_STREQ("acme", ans.tenant);
	EXPECT_EQ(0, ans.development);
	/* Another key, or the OTA_TLS reading of a sealed answer, opens nothing. */
	k[0] ^= 1;
	EXPECT_EQ(-EBADMSG,
		  skap_devmsg_enroll_answer(SKAP_ENROLL_QKEY, k, reply, strlen(reply), &ans));
	EXPECT_EQ(0, ans.dmk[31]);
	EXPECT_EQ(-EINVAL,
		  skap_devmsg_enroll_answer(SKAP_ENROLL_OTA_TLS, k, reply, strlen(reply), &ans));
	free(reply);
	skap_devmsg_free(body);
	skap_devmsg_free(req);
}

TEST(ota_quantum_bodies)
{
	static uint8_t ek[SKAP_XWING_PK_BYTES], ct[SKAP_XWING_CT_BYTES], ct2[SKAP_XWING_CT_BYTES];
	uint8_t token[SKAP_OTA_TOKEN_LEN], token2[SKAP_OTA_TOKEN_LEN], k[32], sig[64] = { 0 };
	char *body, *ctt, *tt, *reply;
	size_t n;
	json_t *o;

	memset(ek, 1, sizeof(ek));
	memset(ct, 2, sizeof(ct));
	memset(token, 3, sizeof(token));
	body = skap_devmsg_kem_request(ek);
	o = json_loads(body, 0, NULL);
	free(b64_field(o, "public_key", &n));
	EXPECT_EQ(SKAP_XWING_PK_BYTES, n);
	json_decref(o);
	skap_devmsg_free(body);

	ctt = b64(ct, sizeof(ct));
	tt = b64(token, sizeof(token));
	o = json_pack("{s:s,s:s}", "ciphertext", ctt, "token", tt);
	reply = json_dumps(o, 0);
	ASSERT_EQ(0, skap_devmsg_kem_answer(reply, strlen(reply), ct2, token2, &n));
	EXPECT_EQ(0, memcmp(ct, ct2, sizeof(ct)));
	EXPECT_EQ(SKAP_OTA_TOKEN_LEN, n);
	free(reply);
	/* A short ciphertext is refused. */
	json_object_set_new(o, "ciphertext", json_string("AAAA"));
	reply = json_dumps(o, 0);
	EXPECT_EQ(-EBADMSG, skap_devmsg_kem_answer(reply, strlen(reply), ct2, token2, &n));
	free(reply);
	json_decref(o);

	skap_random(k, 32);
	body = skap_devmsg_enroll_ota_quantum(ek, ct, token, sizeof(token), k, sig, "{}");
	o = json_loads(body, 0, NULL);
	EXPECT_STREQ("ota-quantum", json_string_value(json_object_get(o, "method")));
	EXPECT_STREQ(ctt, json_string_value(json_object_get(o, "ciphertext")));
	EXPECT_STREQ(tt, json_string_value(json_object_get(o, "token")));
	EXPECT_TRUE(json_is_string(json_object_get(o, "sealed")));
	json_decref(o);
	skap_devmsg_free(body);
	free(ctt);
	free(tt);
}

TEST(ota_tls_answer_is_marked_development)
{
	uint8_t sig[64];
	char *body, *ans64, *reply;
	json_t *o;
	struct skap_enroll_answer ans;

	memset(sig, 9, sizeof(sig));
	body = skap_devmsg_enroll_ota_tls(sig, "{\"method\":\"ota-tls\"}");
	o = json_loads(body, 0, NULL);
	EXPECT_STREQ("ota-tls", json_string_value(json_object_get(o, "method")));
	EXPECT_STREQ("eyJtZXRob2QiOiJvdGEtdGxzIn0=",
		     json_string_value(json_object_get(o, "request")));
	json_decref(o);
	skap_devmsg_free(body);

	ans64 = b64(answer_json, strlen(answer_json));
	o = json_pack("{s:b,s:s,s:s}", "development", 1, "warning", "development only",
		      "answer", ans64);
	reply = json_dumps(o, 0);
	ASSERT_EQ(0, skap_devmsg_enroll_answer(SKAP_ENROLL_OTA_TLS, NULL, reply, strlen(reply),
					       &ans));
	EXPECT_EQ(1, ans.development);
	EXPECT_STREQ("branch", ans.group);
	free(reply);
	json_decref(o);
	free(ans64);
}

TEST(key_answer_opens_and_must_agree_with_its_clear_fields)
{
	uint8_t dmk_a[32], dmk_b[32], kresp[32], kreq[32], kt[32], nonce[16];
	uint8_t sealed[SKAP_SEALED_KEY_LEN], ticket[SKAP_TICKET_MAX_LEN], got[SKAP_TICKET_MAX_LEN];
	struct skap_pair_key pk = { .expires = 1800000300 }, out;
	struct skap_ticket t = { .expires = 1800000300 };
	char *s_kid, *s_key, *s_ticket, *reply, *req;
	size_t tlen, glen;
	json_t *o;

	skap_random(dmk_a, 32);
	skap_random(dmk_b, 32);
	skap_random(pk.key, 32);
	skap_random(pk.kid, 16);
	memcpy(t.key, pk.key, 32);
	memcpy(t.kid, pk.kid, 16);
	strcpy(t.initiator, "gw-a");
	skap_dmk_derive(dmk_a, SKAP_DMK_RESPONSE, "gw-a", kresp);
	skap_dmk_derive(dmk_a, SKAP_DMK_REQUEST, "gw-a", kreq);
	skap_dmk_derive(dmk_b, SKAP_DMK_TICKET, "gw-b", kt);

	memset(nonce, 5, sizeof(nonce));
	req = skap_devmsg_key_request(kreq, "gw-a", "gw-b", 1800000000, nonce);
	o = json_loads(req, 0, NULL);
	EXPECT_STREQ("gw-b", json_string_value(json_object_get(o, "peer")));
	EXPECT_EQ(1800000000, json_integer_value(json_object_get(o, "ts")));
	json_decref(o);
	skap_devmsg_free(req);

	ASSERT_EQ(0, skap_pair_key_seal(kresp, "gw-a", "gw-b", &pk, sealed));
	ASSERT_EQ(0, skap_ticket_seal(kt, "gw-b", &t, ticket, &tlen));
	s_kid = b64(pk.kid, 16);
	s_key = b64(sealed, sizeof(sealed));
	s_ticket = b64(ticket, tlen);
	o = json_pack("{s:s,s:I,s:s,s:s}", "kid", s_kid, "expires", (json_int_t)pk.expires, "key",
		      s_key, "ticket", s_ticket);
	reply = json_dumps(o, 0);
	ASSERT_EQ(0, skap_devmsg_key_answer(kresp, "gw-a", "gw-b", reply, strlen(reply), &out, got,
					    &glen));
	EXPECT_EQ(0, memcmp(out.key, pk.key, 32));
	EXPECT_EQ(tlen, glen);
	EXPECT_EQ(0, memcmp(got, ticket, tlen));
	free(reply);
	/* The key is for A with B only; a clear expiry that disagrees is refused. */
	reply = json_dumps(o, 0);
	EXPECT_EQ(-EBADMSG, skap_devmsg_key_answer(kresp, "gw-a", "gw-c", reply, strlen(reply),
						   &out, got, &glen));
	free(reply);
	json_object_set_new(o, "expires", json_integer(1800000301));
	reply = json_dumps(o, 0);
	EXPECT_EQ(-EBADMSG, skap_devmsg_key_answer(kresp, "gw-a", "gw-b", reply, strlen(reply),
						   &out, got, &glen));
	EXPECT_EQ(0, glen);
	free(reply);
	json_decref(o);
	free(s_kid);
	free(s_key);
	free(s_ticket);
}

TEST(status_answer_and_errors)
{
	static const char ok[] = "{\"state\":\"approved\",\"reason\":null,"
				 "\"certificate\":\"-----BEGIN CERTIFICATE-----\\nx\\n\","
				 "\"ca\":\"-----BEGIN CERTIFICATE-----\\ny\\n\","
				 "\"config\":{\"mtu\":1400}}";
	static const char rejected[] = "{\"state\":\"rejected\",\"reason\":\"unknown site\","
				       "\"certificate\":null,\"ca\":null}";
	static const char bad[] = "{\"state\":\"approved\",\"certificate\":\"not a pem\"}";
	static const char bad_config[] = "{\"state\":\"approved\",\"config\":[1]}";
	static const char err[] = "{\"error\":{\"code\":\"forbidden\",\"message\":\"no\"}}";
	struct skap_status_answer st;
	char code[32], msg[64];

	ASSERT_EQ(0, skap_devmsg_status_answer(ok, strlen(ok), &st));
	EXPECT_STREQ("approved", st.state);
	EXPECT_NE(NULL, st.certificate);
	EXPECT_NE(NULL, st.ca);
	EXPECT_STREQ("{\"mtu\":1400}", st.config);
	skap_status_answer_free(&st);
	ASSERT_EQ(0, skap_devmsg_status_answer(rejected, strlen(rejected), &st));
	EXPECT_STREQ("unknown site", st.reason);
	EXPECT_EQ(NULL, st.certificate);
	EXPECT_EQ(NULL, st.config);
	skap_status_answer_free(&st);
	EXPECT_EQ(-EBADMSG, skap_devmsg_status_answer(bad_config, strlen(bad_config), &st));
	EXPECT_EQ(-EBADMSG, skap_devmsg_status_answer(bad, strlen(bad), &st));
	EXPECT_EQ(-EBADMSG, skap_devmsg_status_answer("[]", 2, &st));
	EXPECT_EQ(-EBADMSG, skap_devmsg_status_answer("{\"state\":1}", 11, &st));

	ASSERT_EQ(0, skap_devmsg_error(err, strlen(err), code, sizeof(code), msg, sizeof(msg)));
	EXPECT_STREQ("forbidden", code);
	EXPECT_STREQ("no", msg);
	EXPECT_EQ(-EBADMSG, skap_devmsg_error(ok, strlen(ok), code, sizeof(code), msg, sizeof(msg)));
}

TEST_HARNESS_MAIN
