// SPDX-License-Identifier: GPL-2.0
/*
 * skap_json_text against json_dumps itself: thousands of random values
 * (nested objects and arrays, strings with every control character, quotes,
 * backslashes, slashes, multi-byte UTF-8 and NUL, keys alike, integers to
 * both ends of 64 bits) must give the same bytes, keys sorted or not; what
 * json_dumps refuses (invalid UTF-8) is refused too. skap_json_parse against
 * json_loadb: the texts of those values, laid out in several ways, and
 * thousands of mutations of them (bytes changed, dropped, doubled, cut)
 * must be accepted and refused alike, with equal values.
 */

#include <skap/json_text.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Pieces a string is made of: each one valid UTF-8 on its own. */
static const char *const pieces[] = {
	"a", "Z", "0", " ", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\x01", "\x1f",
	"\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbf", "skap1 ", "+/=",
};

static size_t random_text(char *buf, size_t max)
{
	size_t len = 0, n = rng() % 12;

	for (size_t i = 0; i < n; i++) {
		const char *p = pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t pl = strlen(p);

		if (rng() % 25 == 0)
			p = "", pl = 1; /* an embedded NUL */
		if (len + pl > max)
			break;
		memcpy(buf + len, p, pl);
		len += pl;
	}
	return len;
}

static json_t *random_value(int depth)
{
	char buf[128];
	size_t len;
	json_t *v;

	switch (depth > 5 ? rng() % 5 : rng() % 7) {
	case 0:
		len = random_text(buf, sizeof(buf));
		return json_stringn(buf, len);
	case 1: {
		static const json_int_t edges[] = { 0, -1, 1, INT64_MAX, INT64_MIN, 1763900000 };

		return json_integer(rng() % 2 ? edges[rng() % 6] : (json_int_t)rng());
	}
	case 2:
		return rng() % 2 ? json_true() : json_false();
	case 3:
		return json_null();
	case 4:
		return json_string("");
	case 5:
		v = json_array();
		for (size_t i = 0, n = rng() % 5; i < n; i++)
			json_array_append_new(v, random_value(depth + 1));
		return v;
	default:
		v = json_object();
		for (size_t i = 0, n = rng() % 6; i < n; i++) {
			len = random_text(buf, sizeof(buf) - 1);
			json_object_setn_new(v, buf, len, random_value(depth + 1));
		}
		return v;
	}
}

static int same_as_jansson(const json_t *v, int sort)
{
	char *mine = skap_json_text(v, sort);
	char *theirs = json_dumps(v, JSON_COMPACT | (sort ? JSON_SORT_KEYS : 0));
	int same = (!mine && !theirs) || (mine && theirs && !strcmp(mine, theirs));

	free(mine);
	free(theirs);
	return same;
}

TEST(random_values_match_json_dumps)
{
	int differ = 0;

	for (int i = 0; i < 5000; i++) {
		json_t *v = rng() % 3 ? random_value(0) : json_object();

		if (json_is_object(v) && !json_object_size(v))
			json_object_set_new(v, "x", random_value(0));
		differ += !same_as_jansson(v, 0) + !same_as_jansson(v, 1);
		json_decref(v);
	}
	EXPECT_EQ(0, differ);
}

TEST(a_key_answer_as_the_server_writes_it)
{
	json_t *v = json_pack("{s:s,s:I,s:s,s:s}", "kid", "AAEC", "expires",
			      (json_int_t)1763900000, "key", "a+b/", "ticket", "c=");
	char *t = skap_json_text(v, 1);

	ASSERT_NE(NULL, t);
	EXPECT_STREQ("{\"expires\":1763900000,\"key\":\"a+b/\",\"kid\":\"AAEC\",\"ticket\":\"c=\"}", t);
	free(t);
	t = skap_json_text(v, 0);
	ASSERT_NE(NULL, t);
	EXPECT_STREQ("{\"kid\":\"AAEC\",\"expires\":1763900000,\"key\":\"a+b/\",\"ticket\":\"c=\"}", t);
	free(t);
	json_decref(v);
}

/* Overlong, surrogate, beyond U+10FFFF, truncated, a lone continuation byte. */
TEST(invalid_utf8_is_refused_as_json_dumps_does)
{
	static const char *const bad[] = { "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
					    "\xe2\x82", "\x80", "ok\xff" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *v = json_pack("{s:o}", "k", json_stringn_nocheck(bad[i], strlen(bad[i])));
		char *t = skap_json_text(v, 1);

		EXPECT_EQ(NULL, t) TH_LOG("case %zu", i);
		EXPECT_TRUE(same_as_jansson(v, 1));
		free(t);
		json_decref(v);
	}
}

/* Reals are written by json_dumps itself. */
TEST(reals_are_left_to_json_dumps)
{
	json_t *v = json_pack("{s:f,s:[f,i]}", "a", 0.1, "b", 1e300, 3);

	EXPECT_TRUE(same_as_jansson(v, 0));
	EXPECT_TRUE(same_as_jansson(v, 1));
	json_decref(v);
}

TEST(nesting_deeper_than_jansson_parses_is_refused)
{
	json_t *root = json_array(), *v = root;
	char *t;

	for (int i = 0; i < 2100; i++) {
		json_t *inner = json_array();

		json_array_append_new(v, inner);
		v = inner;
	}
	t = skap_json_text(root, 0);
	EXPECT_EQ(NULL, t);
	free(t);
	json_decref(root);
}

/* Both readers agree: both refuse TEXT, or both give the same value, keys in the same order. */
static int parsed_alike(const char *text, size_t len)
{
	json_t *mine = skap_json_parse(text, len);
	json_t *theirs = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	int same = !mine && !theirs;

	if (mine && theirs) {
		char *a = json_dumps(mine, JSON_COMPACT | JSON_ENCODE_ANY);
		char *b = json_dumps(theirs, JSON_COMPACT | JSON_ENCODE_ANY);

		same = json_equal(mine, theirs) && a && b && !strcmp(a, b);
		free(a);
		free(b);
	}
	json_decref(mine);
	json_decref(theirs);
	return same;
}

TEST(parse_agrees_with_json_loadb_on_texts_and_their_mutations)
{
	static const size_t layouts[] = { JSON_COMPACT, 0, JSON_INDENT(2), JSON_ENSURE_ASCII,
					  JSON_COMPACT | JSON_ESCAPE_SLASH };
	int differ = 0, accepted = 0;

	for (int i = 0; i < 3000; i++) {
		json_t *v = rng() % 2 ? json_object() : json_array();
		char *text;
		size_t len;

		if (json_is_object(v))
			json_object_set_new(v, "k", random_value(0));
		else
			json_array_append_new(v, random_value(0));
		text = json_dumps(v, layouts[rng() % 5]);
		json_decref(v);
		if (!text)
			continue;
		len = strlen(text);
		differ += !parsed_alike(text, len);
		accepted++;
		for (int m = 0; m < 8 && len > 1; m++) {
			char *t = malloc(len + 2);
			size_t at = rng() % len, tlen = len;

			memcpy(t, text, len + 1);
			switch (rng() % 4) {
			case 0: /* a byte changed: often to a structural one */
				t[at] = (char)("{}[],:\"\\ 0-e.tfn\x01\x80"[rng() % 19]);
				break;
			case 1: /* a byte dropped */
				memmove(t + at, t + at + 1, len - at);
				tlen--;
				break;
			case 2: /* a byte doubled */
				memmove(t + at + 1, t + at, len - at + 1);
				tlen++;
				break;
			default: /* cut short */
				tlen = at;
			}
			differ += !parsed_alike(t, tlen);
			free(t);
		}
		free(text);
	}
	EXPECT_EQ(0, differ);
	EXPECT_GT(accepted, 2900);
}

TEST(parse_edges_agree_with_json_loadb)
{
	static const char *const texts[] = {
		"{}", "[]", " {\"a\":1} ", "{\"a\":1,\"a\":2}", "{\"a\":1,}", "[1,]", "[01]", "[-0]",
		"[-]", "[9223372036854775807]", "[9223372036854775808]", "[-9223372036854775808]",
		"[-9223372036854775809]", "[1.0]", "[1e2]", "[\"\\u00e9\"]", "[\"\\u0000\"]",
		"[\"a\tb\"]", "[\"\xc3\xa9\"]", "[\"\xc0\x80\"]", "[\"\xed\xa0\x80\"]", "[true,false,null]",
		"[tru]", "[nul]", "{\"a\" : [ 1 , {} ] }", "{\"a\":1} x", "{\"a\":1}\n", "1", "\"s\"",
		"", " ", "{", "[\"\x7f\"]", "{\"\":0}", "[\"a\"\"b\"]", "{\"a\"1}", "[+1]", "[.5]",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		EXPECT_TRUE(parsed_alike(texts[i], strlen(texts[i]))) TH_LOG("%s", texts[i]);
	}
}

/* A NUL inside the buffer, past 64 levels, past jansson's 2048. */
TEST(parse_nul_and_depth_agree_with_json_loadb)
{
	char text[3 * 2100];
	static const char nul[] = "{\"a\":\"b\0c\"}";

	EXPECT_TRUE(parsed_alike(nul, sizeof(nul) - 1));
	for (size_t depth = 60; depth <= 2100; depth += depth < 70 ? 1 : 1000) {
		memset(text, '[', depth);
		memset(text + depth, ']', depth);
		EXPECT_TRUE(parsed_alike(text, 2 * depth)) TH_LOG("depth %zu", depth);
	}
}

TEST_HARNESS_MAIN
