// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: every parser of a platform answer on the device side.
 * They must neither crash nor accept an answer that does not authenticate
 * (the keys here are fixed and the fuzzer cannot forge a tag).
 */

#include <skap/devmsg.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t k[32] = { 1 };
	static uint8_t ct[SKAP_XWING_CT_BYTES], token[SKAP_OTA_TOKEN_LEN];
	static uint8_t ticket[SKAP_TICKET_MAX_LEN];
	const char *body = (const char *)data;
	struct skap_enroll_answer ans;
	struct skap_status_answer st;
	struct skap_pair_key pk;
	char code[64], msg[256];
	size_t n;

	if (!skap_devmsg_enroll_answer(SKAP_ENROLL_QKEY, k, body, size, &ans))
		abort(); /* a sealed answer the fuzzer cannot have made */
	if (!skap_devmsg_key_answer(k, "gw-a", "gw-b", body, size, &pk, ticket, &n))
		abort();
	skap_devmsg_enroll_answer(SKAP_ENROLL_OTA_TLS, NULL, body, size, &ans);
	skap_devmsg_kem_answer(body, size, ct, token, &n);
	if (!skap_devmsg_status_answer(body, size, &st))
		skap_status_answer_free(&st);
	skap_devmsg_error(body, size, code, sizeof(code), msg, sizeof(msg));
	return 0;
}
