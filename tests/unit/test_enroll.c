// SPDX-License-Identifier: GPL-2.0
/*
 * Enrollment's cryptography and strict base64. The known answers were
 * computed with an independent HKDF/HMAC written from RFC 5869 in Python's
 * hmac module and Python's base64, from the layouts of docs/protocol.md
 * section 6, so they pin the layouts as well as the arithmetic.
 */

#include <skap/b64.h>
#include <skap/enroll.h>
#include <skap/ticket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

static void unhex(const char *hex, uint8_t *out)
{
	for (size_t i = 0; i < strlen(hex) / 2; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static int same(const uint8_t *got, const char *want_hex)
{
	uint8_t want[32];

	unhex(want_hex, want);
	return !memcmp(got, want, 32);
}

static void seq(uint8_t *p, size_t n, int start, int mod)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((start + (int)i) % mod);
}

TEST(b64_rfc4648_vectors_round_trip)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
					   "Zm9vYmFy" };
	char text[16];
	uint8_t bin[8];
	size_t n;

	for (int i = 0; i < 7; i++) {
		ASSERT_EQ(0, skap_b64_encode(in[i], strlen(in[i]), text, sizeof(text)));
		EXPECT_STREQ(out[i], text);
		ASSERT_EQ(0, skap_b64_decode(out[i], bin, sizeof(bin), &n));
		EXPECT_EQ(strlen(in[i]), n);
		EXPECT_EQ(0, memcmp(bin, in[i], n));
	}
	EXPECT_EQ(-ENOSPC, skap_b64_encode("foo", 3, text, 4));
}

TEST(b64_decoding_is_strict)
{
	static const char *const bad[] = {
		"Zg=",	    /* length not a multiple of 4 */
		"Zg",	    /* padding missing */
		"Zh==",	    /* bits beyond the byte set */
		"Zm9=",	    /* ditto, one '=' */
		"Zm 9v",    /* whitespace */
		"Zm9v\n",   /* newline */
		"Z===",	    /* three '=' */
		"=m9v",	    /* '=' first */
		"Zm=v",	    /* '=' inside */
		"Zm9v-_==", /* URL alphabet */
		"Zm9vYg==Zm9v", /* padding before the end */
	};
	uint8_t bin[16];
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(bin, 0xaa, sizeof(bin));
		EXPECT_EQ(-EINVAL, skap_b64_decode(bad[i], bin, sizeof(bin), &n)) {
			TH_LOG("accepted \"%s\"", bad[i]);
		}
		EXPECT_EQ(0, n);
		EXPECT_EQ(0, bin[0]);
	}
	EXPECT_EQ(-ENOSPC, skap_b64_decode("Zm9vYmFy", bin, 5, &n));
	EXPECT_EQ(0, skap_b64_decode_exact("Zm9v", bin, 3));
	EXPECT_EQ(-EINVAL, skap_b64_decode_exact("Zm9v", bin, 4));
	EXPECT_EQ(-EINVAL, skap_b64_decode_exact("Zm9vYg==", bin, 3));
}

TEST(b64_every_byte_value_round_trips)
{
	uint8_t all[256], back[256];
	char text[SKAP_B64_LEN(256) + 1];
	size_t n;

	for (int len = 0; len <= 256; len += 37) {
		for (int i = 0; i < 256; i++)
			all[i] = (uint8_t)(255 - i);
		ASSERT_EQ(0, skap_b64_encode(all, len, text, sizeof(text)));
		ASSERT_EQ(0, skap_b64_decode(text, back, sizeof(back), &n));
		ASSERT_EQ(len, n);
		EXPECT_EQ(0, memcmp(all, back, n));
	}
}

TEST(method_names)
{
	enum skap_enroll_method m;

	EXPECT_STREQ("qkey", skap_enroll_method_name(SKAP_ENROLL_QKEY));
	EXPECT_STREQ("ota-quantum", skap_enroll_method_name(SKAP_ENROLL_OTA_QUANTUM));
	EXPECT_STREQ("ota-tls", skap_enroll_method_name(SKAP_ENROLL_OTA_TLS));
	EXPECT_EQ(NULL, skap_enroll_method_name((enum skap_enroll_method)3));
	ASSERT_EQ(0, skap_enroll_method_parse("ota-tls", &m));
	EXPECT_EQ(SKAP_ENROLL_OTA_TLS, m);
	EXPECT_EQ(-EINVAL, skap_enroll_method_parse("OTA-TLS", &m));
	EXPECT_EQ(-EINVAL, skap_enroll_method_parse(NULL, &m));
}

TEST(fingerprint_is_openssh_form)
{
	uint8_t pub[32];
	char fp[SKAP_FINGERPRINT_SIZE];

	seq(pub, 32, 0, 256);
	ASSERT_EQ(0, skap_fingerprint(pub, fp));
	EXPECT_STREQ("SHA256:Yw3NKWbEM2aRElRIu7JbT/QSpJxzLbLIq8G4WBvXEN0", fp);
}

TEST(proof_of_possession)
{
	static const char req[] = "{\"method\":\"qkey\"}";
	uint8_t seed[32], pub[32], other_seed[32], other_pub[32], sig[64];
	struct skap_ed25519_signer *id;

	ASSERT_EQ(0, skap_ed25519_keygen(seed, pub));
	ASSERT_EQ(0, skap_ed25519_keygen(other_seed, other_pub));
	ASSERT_EQ(0, skap_ed25519_signer_new(seed, NULL, &id));
	ASSERT_EQ(0, skap_enroll_sign(id, req, strlen(req), sig));
	EXPECT_EQ(0, skap_enroll_verify(pub, req, strlen(req), sig));
	/* another key, another request, a plain signature without the label */
	EXPECT_EQ(-EBADMSG, skap_enroll_verify(other_pub, req, strlen(req), sig));
	EXPECT_EQ(-EBADMSG, skap_enroll_verify(pub, req, strlen(req) - 1, sig));
	ASSERT_EQ(0, skap_ed25519_sign(seed, req, strlen(req), sig));
	EXPECT_EQ(-EBADMSG, skap_enroll_verify(pub, req, strlen(req), sig));
	EXPECT_EQ(-EINVAL, skap_enroll_sign(id, req, 0, sig));
	skap_ed25519_signer_free(id);
}

TEST(qkey_known_answers)
{
	uint8_t qkey[32], nonce[16], k[32], binding[32];

	seq(qkey, 32, 0, 256);
	seq(nonce, 16, 0, 256);
	ASSERT_EQ(0, skap_qkey_derive(qkey, "q-1", nonce, k, binding));
	EXPECT_TRUE(same(k, "0cd6667f656b0e65a46923f713399d5445b567fbd08a8414e0be14dee31c641e"));
	EXPECT_TRUE(same(binding, "e8be393f6aee39c969a1e16d6bcfc5b55c556f70ec9e2160b35c9af5e34f1b48"));
	EXPECT_EQ(-EINVAL, skap_qkey_derive(qkey, "q 1", nonce, k, binding));
	EXPECT_EQ(0, k[0] | binding[0]);
}

TEST(ota_quantum_known_answers_and_token)
{
	static uint8_t ek[SKAP_XWING_PK_BYTES], ct[SKAP_XWING_CT_BYTES];
	uint8_t ss[32], h[32], k[32], kt[32], token[SKAP_OTA_TOKEN_LEN], back[32];

	seq(ek, sizeof(ek), 0, 251);
	seq(ct, sizeof(ct), 0, 241);
	seq(ss, 32, 100, 256);
	ASSERT_EQ(0, skap_ota_transcript(ek, ct, h));
	EXPECT_TRUE(same(h, "e793f0da4402b9b1e59ff825e651a8b95816b1671ea8cbecbd7a30f82fd6ad25"));
	ASSERT_EQ(0, skap_ota_derive(ss, h, k));
	EXPECT_TRUE(same(k, "e3165c642ad33de9bda412dc2c5ae48d9be3452f7d3961c8618b04378cc2efa2"));

	ASSERT_EQ(0, skap_random(kt, sizeof(kt)));
	ASSERT_EQ(0, skap_ota_token_seal(kt, h, ss, 1000, token));
	ASSERT_EQ(0, skap_ota_token_open(kt, h, token, sizeof(token), 999, back));
	EXPECT_EQ(0, memcmp(ss, back, 32));
	EXPECT_EQ(-EKEYEXPIRED, skap_ota_token_open(kt, h, token, sizeof(token), 1000, back));
	EXPECT_EQ(0, back[0] | back[31]);
	h[0] ^= 1; /* a token for another transcript */
	EXPECT_EQ(-EBADMSG, skap_ota_token_open(kt, h, token, sizeof(token), 0, back));
	h[0] ^= 1;
	EXPECT_EQ(-EBADMSG, skap_ota_token_open(kt, h, token, sizeof(token) - 1, 0, back));
	token[20] ^= 1;
	EXPECT_EQ(-EBADMSG, skap_ota_token_open(kt, h, token, sizeof(token), 0, back));
}

TEST(ota_quantum_both_ends_meet)
{
	static uint8_t ek[SKAP_XWING_PK_BYTES], ct[SKAP_XWING_CT_BYTES];
	uint8_t dk[32], ss_dev[32], ss_srv[32], h[32], k_dev[32], k_srv[32];

	ASSERT_EQ(0, skap_xwing_keygen(dk, ek));
	ASSERT_EQ(0, skap_xwing_encaps(ek, ct, ss_srv));
	ASSERT_EQ(0, skap_xwing_decaps(dk, ct, ss_dev));
	ASSERT_EQ(0, skap_ota_transcript(ek, ct, h));
	ASSERT_EQ(0, skap_ota_derive(ss_dev, h, k_dev));
	ASSERT_EQ(0, skap_ota_derive(ss_srv, h, k_srv));
	EXPECT_EQ(0, memcmp(k_dev, k_srv, 32));
}

TEST(envelope_binds_direction_and_key)
{
	static const char msg[] = "sig||REQ";
	uint8_t k[32], k2[32], sealed[sizeof(msg) + SKAP_ENROLL_SEAL_OVERHEAD], out[sizeof(msg)];
	size_t n;

	ASSERT_EQ(0, skap_random(k, 32));
	ASSERT_EQ(0, skap_random(k2, 32));
	ASSERT_EQ(0, skap_enroll_seal(k, SKAP_ENROLL_REQUEST, msg, sizeof(msg), sealed));
	ASSERT_EQ(0, skap_enroll_open(k, SKAP_ENROLL_REQUEST, sealed, sizeof(sealed), out, &n));
	EXPECT_EQ(sizeof(msg), n);
	EXPECT_EQ(0, memcmp(msg, out, n));
	/* a request replayed as an answer, the wrong key, a flipped bit, a stub */
	EXPECT_EQ(-EBADMSG, skap_enroll_open(k, SKAP_ENROLL_ANSWER, sealed, sizeof(sealed), out, &n));
	EXPECT_EQ(-EBADMSG, skap_enroll_open(k2, SKAP_ENROLL_REQUEST, sealed, sizeof(sealed), out,
					     &n));
	sealed[3] ^= 0x80;
	EXPECT_EQ(-EBADMSG, skap_enroll_open(k, SKAP_ENROLL_REQUEST, sealed, sizeof(sealed), out,
					     &n));
	EXPECT_EQ(-EBADMSG, skap_enroll_open(k, SKAP_ENROLL_REQUEST, sealed, 27, out, &n));
	EXPECT_EQ(0, n);
}

TEST(device_request_mac_known_answer)
{
	uint8_t dmk[32], kreq[32], nonce[16], mac[32];

	seq(dmk, 32, 0, 256);
	seq(nonce, 16, 0, 256);
	ASSERT_EQ(0, skap_dmk_derive(dmk, SKAP_DMK_REQUEST, "dev-a", kreq));
	ASSERT_EQ(0, skap_device_req_mac(kreq, "status", "dev-a", 1795000000, nonce, mac));
	EXPECT_TRUE(same(mac, "21cc05857f4a796cbd02bb498f6047ab47a92ae71480f6bb49de903aef37e56d"));
	EXPECT_EQ(-EINVAL, skap_device_req_mac(kreq, "status", "dev a", 1, nonce, mac));
	EXPECT_EQ(-EINVAL, skap_device_req_mac(kreq, NULL, "dev-a", 1, nonce, mac));
}

TEST_HARNESS_MAIN
