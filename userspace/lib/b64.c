// SPDX-License-Identifier: GPL-2.0
/*
 * Strict base64 (include/skap/b64.h). Decoding is table-driven, so the
 * time it takes depends on the length only, not on the bytes: it decodes
 * keys too.
 */

#include <skap/b64.h>
#include <skap/secret.h>

#include <errno.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int skap_b64_encode(const void *in, size_t len, char *out, size_t out_size)
{
	const uint8_t *p = in;
	size_t o = 0;

	if (len > (SIZE_MAX - 1) / 4 * 3 - 2 || out_size < SKAP_B64_LEN(len) + 1)
		return -ENOSPC;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		size_t left = len - i;

		if (left > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = left > 1 ? alphabet[(v >> 6) & 63] : '=';
		out[o++] = left > 2 ? alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return 0;
}

/* The 6-bit value of C, or -1. Branch-free over the character's value. */
static int value_of(unsigned char c)
{
	int v = -1;

	/* Each term is (in range) & (value + 1); exactly one range can hold C. */
	v += ((('A' - 1 - (int)c) & ((int)c - 'Z' - 1)) >> 8) & (c - 'A' + 1);
	v += ((('a' - 1 - (int)c) & ((int)c - 'z' - 1)) >> 8) & (c - 'a' + 27);
	v += ((('0' - 1 - (int)c) & ((int)c - '9' - 1)) >> 8) & (c - '0' + 53);
	v += ((('+' - 1 - (int)c) & ((int)c - '+' - 1)) >> 8) & 63;
	v += ((('/' - 1 - (int)c) & ((int)c - '/' - 1)) >> 8) & 64;
	return v;
}

int skap_b64_decode(const char *in, uint8_t *out, size_t out_max, size_t *out_len)
{
	size_t len = strlen(in), n, o = 0, pad = 0;
	int bad = 0;

	*out_len = 0;
	if (len % 4)
		goto invalid;
	if (len && in[len - 1] == '=')
		pad = (len > 1 && in[len - 2] == '=') ? 2 : 1;
	n = len / 4 * 3 - pad;
	if (n > out_max) {
		skap_wipe(out, out_max);
		return -ENOSPC;
	}
	for (size_t i = 0; i < len; i += 4) {
		int last = i + 4 == len;
		int c0 = value_of(in[i]), c1 = value_of(in[i + 1]);
		int c2 = last && pad == 2 ? 0 : value_of(in[i + 2]);
		int c3 = last && pad ? 0 : value_of(in[i + 3]);
		uint32_t v;

		bad |= (c0 | c1 | c2 | c3) < 0;
		v = ((uint32_t)c0 << 18) | ((uint32_t)c1 << 12) | ((uint32_t)c2 << 6) | (uint32_t)c3;
		if (last && pad == 2)
			bad |= (c1 & 15) != 0; /* bits that no byte holds */
		if (last && pad == 1)
			bad |= (c2 & 3) != 0;
		out[o++] = v >> 16;
		if (!(last && pad == 2))
			out[o++] = v >> 8;
		if (!(last && pad))
			out[o++] = v;
	}
	if (bad)
		goto invalid;
	*out_len = n;
	return 0;
invalid:
	skap_wipe(out, out_max);
	return -EINVAL;
}

int skap_b64_decode_exact(const char *in, uint8_t *out, size_t len)
{
	size_t got;
	int err = skap_b64_decode(in, out, len, &got);

	if (err == -ENOSPC)
		return -EINVAL;
	if (!err && got != len) {
		skap_wipe(out, len);
		return -EINVAL;
	}
	return err;
}
