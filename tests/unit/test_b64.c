// SPDX-License-Identifier: GPL-2.0
/*
 * skap_b64_decode against a decoder written here the plain way (a search
 * of the alphabet per character, RFC 4648 section 4), on every byte value
 * at every position of texts long enough for the eight-character path,
 * on random texts of every length to 300, and on the strictness rules;
 * skap_b64_encode against RFC 4648 section 10.
 */

#include <skap/b64.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The plain decoder: 0 and the bytes, or -EINVAL; strict as b64.h says. */
static int reference(const char *in, uint8_t *out, size_t *out_len)
{
	size_t len = strlen(in), pad = 0, o = 0;

	if (len % 4)
		return -EINVAL;
	if (len && in[len - 1] == '=')
		pad = len > 1 && in[len - 2] == '=' ? 2 : 1;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v = 0;
		size_t chars = i + 4 == len ? 4 - pad : 4;

		for (size_t j = 0; j < 4; j++) {
			const char *p = j < chars && in[i + j] ? strchr(alphabet, in[i + j]) : NULL;

			if (j < chars && !p)
				return -EINVAL;
			v = v << 6 | (uint32_t)(j < chars ? p - alphabet : 0);
		}
		/* The bits below the last byte must be zero. */
		if ((chars == 2 && (v & 0xffff)) || (chars == 3 && (v & 0xff)))
			return -EINVAL;
		for (size_t j = 0; j + 1 < chars; j++)
			out[o++] = (uint8_t)(v >> (16 - 8 * j));
	}
	*out_len = o;
	return 0;
}

/* Both decoders on TEXT: the same verdict and the same bytes; OUT zeroed on failure. */
static int agree(const char *text)
{
	uint8_t want[512], got[512];
	size_t want_len = 0, got_len = 99;
	int want_err = reference(text, want, &want_len);
	int got_err;

	memset(got, 0xa5, sizeof(got));
	got_err = skap_b64_decode(text, got, sizeof(got), &got_len);
	if (got_err != want_err)
		return 0;
	if (got_err) {
		for (size_t i = 0; i < sizeof(got); i++)
			if (got[i])
				return 0;
		return got_len == 0;
	}
	return got_len == want_len && !memcmp(got, want, want_len);
}

static void random_text(char *text, size_t bytes)
{
	uint8_t bin[300];

	for (size_t i = 0; i < bytes; i++)
		bin[i] = (uint8_t)rand();
	skap_b64_encode(bin, bytes, text, SKAP_B64_LEN(bytes) + 1);
}

TEST(rfc4648_section_10)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const coded[] = { "",	 "Zg==",     "Zm8=",	"Zm9v",
					     "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	char text[16];
	uint8_t bin[8];
	size_t n;

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		ASSERT_EQ(0, skap_b64_encode(plain[i], strlen(plain[i]), text, sizeof(text)));
		EXPECT_STREQ(coded[i], text);
		ASSERT_EQ(0, skap_b64_decode(coded[i], bin, sizeof(bin), &n));
		EXPECT_EQ(strlen(plain[i]), n);
		EXPECT_EQ(0, memcmp(plain[i], bin, n));
	}
}

/*
 * Every byte value (but NUL, which ends the text) at every position of
 * 24-character texts, so each lane of the eight-character path and the
 * last group each see all 255.
 */
TEST(every_byte_at_every_position)
{
	char text[25];
	int disagree = 0;

	for (int round = 0; round < 4; round++) {
		random_text(text, 18);
		for (size_t pos = 0; pos < 24; pos++) {
			for (int c = 1; c < 256; c++) {
				char keep = text[pos];

				text[pos] = (char)c;
				disagree += !agree(text);
				text[pos] = keep;
			}
		}
	}
	EXPECT_EQ(0, disagree);
}

/* Every length to 300 bytes, padded and not, and each with one character changed. */
TEST(random_texts_of_every_length)
{
	char text[SKAP_B64_LEN(300) + 1];
	int disagree = 0;

	srand(5);
	for (size_t bytes = 0; bytes <= 300; bytes++) {
		for (int round = 0; round < 8; round++) {
			size_t len;

			random_text(text, bytes);
			disagree += !agree(text);
			len = strlen(text);
			if (!len)
				continue;
			text[(size_t)rand() % len] = (char)(1 + rand() % 255);
			disagree += !agree(text);
		}
	}
	EXPECT_EQ(0, disagree);
}

TEST(strict_texts_refused)
{
	static const char *const refused[] = {
		"Zg",	    /* padding missing */
		"Zg=",	    /* length not a multiple of 4 */
		"Zh==",	    /* unused bits set */
		"Zm9=",	    /* unused bits set */
		"Zg==Zg==", /* padding inside */
		"Zm9vYmFy Zm9vYmFy ",
		"Zm9vYmFyZm9vYmF\n",
		"Zm9vYmFyZm9v-mFy", /* the URL alphabet */
		"Zm9vYmFyZm9v_mFy",
		"=m9vYmFyZm9vYmFy",
		"Zm9vYm=yZm9vYmFy",
		"====",
	};
	uint8_t bin[32];
	size_t n;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		EXPECT_EQ(-EINVAL, skap_b64_decode(refused[i], bin, sizeof(bin), &n));
		EXPECT_TRUE(agree(refused[i]));
	}
}

TEST(out_max_and_exact_length)
{
	uint8_t bin[6];
	size_t n = 7;

	EXPECT_EQ(-ENOSPC, skap_b64_decode("Zm9vYmFyZm9v", bin, 8, &n));
	EXPECT_EQ(0, skap_b64_decode("Zm9vYmFy", bin, 6, &n));
	EXPECT_EQ(6, n);
	EXPECT_EQ(0, skap_b64_decode_exact("Zm9vYmFy", bin, 6));
	EXPECT_EQ(-EINVAL, skap_b64_decode_exact("Zm9vYmE=", bin, 6));
	EXPECT_EQ(-EINVAL, skap_b64_decode_exact("Zm9vYmFy", bin, 5));
}

TEST_HARNESS_MAIN
