// SPDX-License-Identifier: GPL-2.0
/*
 * Strict base64 (include/skap/b64.h). Decoding uses arithmetic only, no
 * table and no branch on a character, so the time it takes depends on the
 * length only, not on the bytes: it decodes keys too.
 */

#include <skap/b64.h>
#include <skap/secret.h>

#include <endian.h>
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

/*
 * Eight characters at once, one per byte of a 64-bit word (SWAR): a request
 * carries kilobytes of base64, and value_of costs about 40 instructions a
 * character. ge(y, k) sets bit 7 of each byte of Y (all below 128) that is
 * at least K: setting bit 7 first keeps every byte's subtraction from
 * borrowing from the next.
 */
#define LANES 0x0101010101010101ULL
#define HIGH (0x80 * LANES)

static uint64_t ge(uint64_t y, unsigned int k)
{
	return ((y | HIGH) - k * LANES) & HIGH;
}

/* Bit 7 of each byte of Y within [LO, HI]. */
static uint64_t in_range(uint64_t y, unsigned int lo, unsigned int hi)
{
	return ge(y, lo) & ~ge(y, hi + 1);
}

/* Bytewise A + B mod 256, with no carry from one byte into the next. */
static uint64_t add_bytes(uint64_t a, uint64_t b)
{
	return ((a & ~HIGH) + (b & ~HIGH)) ^ ((a ^ b) & HIGH);
}

/*
 * Decodes the 8 characters at IN (no padding among them) into 6 bytes at
 * OUT; returns bit 7 set in each byte that was not a base64 character.
 */
static uint64_t decode8(const char *in, uint8_t *out)
{
	uint64_t x, y, upper, lower, digit, plus, slash, offset, v;

	memcpy(&x, in, 8);
	x = le64toh(x); /* the first character in the low byte */
	y = x & ~HIGH;
	upper = in_range(y, 'A', 'Z');
	lower = in_range(y, 'a', 'z');
	digit = in_range(y, '0', '9');
	plus = in_range(y, '+', '+');
	slash = in_range(y, '/', '/');
	/* Each bit 7 widened to its whole byte (0x01 * 0xff never carries). */
	offset = ((upper >> 7) * 0xff & (uint64_t)(256 - 'A') * LANES) |
		 ((lower >> 7) * 0xff & (uint64_t)(256 - 'a' + 26) * LANES) |
		 ((digit >> 7) * 0xff & (uint64_t)(52 - '0') * LANES) |
		 ((plus >> 7) * 0xff & (uint64_t)(62 - '+') * LANES) |
		 ((slash >> 7) * 0xff & (uint64_t)(63 - '/') * LANES);
	v = add_bytes(y, offset) & 0x3f3f3f3f3f3f3f3fULL;
	/* Pairs of sextets into 12 bits a 16-bit lane, pairs of those into 24 a 32-bit lane. */
	v = (v & 0x003f003f003f003fULL) << 6 | (v >> 8 & 0x003f003f003f003fULL);
	v = (v & 0x00000fff00000fffULL) << 12 | (v >> 16 & 0x00000fff00000fffULL);
	out[0] = (uint8_t)(v >> 16);
	out[1] = (uint8_t)(v >> 8);
	out[2] = (uint8_t)v;
	out[3] = (uint8_t)(v >> 48);
	out[4] = (uint8_t)(v >> 40);
	out[5] = (uint8_t)(v >> 32);
	return (x & HIGH) | (~(upper | lower | digit | plus | slash) & HIGH);
}

int skap_b64_decode(const char *in, uint8_t *out, size_t out_max, size_t *out_len)
{
	size_t len = strlen(in), n, o = 0, pad = 0, i = 0;
	uint64_t bad_lanes = 0;
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
	/* The last four characters, which may hold padding, are decoded below. */
	for (; len >= 4 && i + 8 <= len - 4; i += 8, o += 6)
		bad_lanes |= decode8(in + i, out + o);
	bad = bad_lanes != 0;
	for (; i < len; i += 4) {
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
