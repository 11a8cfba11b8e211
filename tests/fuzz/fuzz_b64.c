// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: strict base64. Whatever the decoder accepts must
 * encode back to the very same text (one text per byte string), and the
 * decoder must accept whatever the encoder writes.
 */

#include <skap/b64.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[4096 + 1], again[4096 + 1];
	static uint8_t bin[3072], back[3072];
	size_t n;

	if (size > 3072)
		return 0;
	/* DATA as text. */
	if (size < sizeof(text)) {
		memcpy(text, data, size);
		text[size] = '\0';
		if (!skap_b64_decode(text, bin, sizeof(bin), &n)) {
			if (skap_b64_encode(bin, n, again, sizeof(again)) || strcmp(text, again))
				abort();
		}
	}
	/* DATA as bytes. */
	if (skap_b64_encode(data, size, text, sizeof(text)) ||
	    skap_b64_decode(text, back, sizeof(back), &n) || n != size || memcmp(data, back, size))
		abort();
	return 0;
}
