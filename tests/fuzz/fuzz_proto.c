// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: SKAP peer message decoders. Whatever a decoder accepts
 * must encode back to the very same bytes (one wire form per message).
 */

#include <skap/proto.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t again[SKAP_MSG_MAX];
	struct skap_writer w;
	struct skap_msg_init init;
	struct skap_msg_resp resp;
	struct skap_msg_cookie cookie;
	struct skap_msg_error error;
	int ok = -1;

	skap_writer_init(&w, again, sizeof(again));
	switch (skap_msg_type(data, size)) {
	case SKAP_MSG_INIT:
		if (!skap_msg_init_decode(data, size, &init))
			ok = skap_msg_init_encode(&init, &w);
		break;
	case SKAP_MSG_RESP:
		if (!skap_msg_resp_decode(data, size, &resp))
			ok = skap_msg_resp_encode(&resp, &w);
		break;
	case SKAP_MSG_COOKIE:
		if (!skap_msg_cookie_decode(data, size, &cookie))
			ok = skap_msg_cookie_encode(&cookie, &w);
		break;
	case SKAP_MSG_ERROR:
		if (!skap_msg_error_decode(data, size, &error))
			ok = skap_msg_error_encode(&error, &w);
		break;
	default:
		break;
	}
	if (ok == 0 && (w.len != size || memcmp(again, data, size)))
		abort();
	return 0;
}
