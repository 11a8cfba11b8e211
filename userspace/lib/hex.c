// SPDX-License-Identifier: GPL-2.0
/* Lower-case hexadecimal (include/skap/hex.h), without printf's per-byte parsing. */

#include <skap/hex.h>

#include <stdint.h>

void skap_hex_encode(const void *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = in;

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * len] = '\0';
}
