// SPDX-License-Identifier: GPL-2.0
/*
 * skap_https_answer_head: the HTTP/1.1 answer head that skap_https_post and
 * the load generator's event loop both read. Whole heads, heads cut at
 * every byte, and heads it must refuse.
 */

#include <skap/https.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			     "Content-Length: 12\r\n\r\n{\"kid\":\"x\"}\n";

static int head_of(const char *text, int *status, size_t *head, size_t *body)
{
	return skap_https_answer_head(text, strlen(text), status, head, body);
}

TEST(a_whole_answer)
{
	int status = 0;
	size_t head = 0, body = 0;

	ASSERT_EQ(0, head_of(answer, &status, &head, &body));
	EXPECT_EQ(200, status);
	EXPECT_EQ(strlen(answer) - 12, head);
	EXPECT_EQ(12, body);
}

/* Every prefix that ends before the blank line asks for more; none reads past LEN. */
TEST(every_cut_before_the_blank_line_asks_for_more)
{
	size_t end = (size_t)(strstr(answer, "\r\n\r\n") - answer) + 4;
	int status;
	size_t head, body;

	for (size_t n = 0; n < end; n++) {
		char *cut = malloc(n ? n : 1);

		ASSERT_NE(NULL, cut);
		memcpy(cut, answer, n);
		EXPECT_EQ(-EAGAIN, skap_https_answer_head(cut, n, &status, &head, &body))
		TH_LOG("cut at %zu", n);
		free(cut);
	}
	EXPECT_EQ(0, skap_https_answer_head(answer, end, &status, &head, &body));
	EXPECT_EQ(end, head);
}

TEST(the_field_name_in_any_case_and_spaces_around_the_value)
{
	int status;
	size_t head, body;

	ASSERT_EQ(0, head_of("HTTP/1.0 404 Not Found\r\ncontent-LENGTH:\t 7  \r\n\r\n", &status,
			     &head, &body));
	EXPECT_EQ(404, status);
	EXPECT_EQ(7, body);
	ASSERT_EQ(0, head_of("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", &status,
			     &head, &body));
	EXPECT_EQ(0, body);
}

TEST(heads_it_refuses)
{
	static const char *const bad[] = {
		"HTTP/1.1 200 OK\r\n\r\n",			  /* no length */
		"HTTP/2 200 OK\r\nContent-Length: 1\r\n\r\n",	  /* not 1.x */
		"HTTP/1.1 20 OK\r\nContent-Length: 1\r\n\r\n",	  /* two digits */
		"HTTP/1.1 2000 OK\r\nContent-Length: 1\r\n\r\n",	  /* four */
		"HTTP/1.1 600 OK\r\nContent-Length: 1\r\n\r\n",	  /* no such class */
		"ICY 200 OK\r\nContent-Length: 1\r\n\r\n",	  /* not HTTP */
		"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",	  /* not a number */
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",	  /* signed */
		"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",	  /* empty */
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", /* two */
		"HTTP/1.1 200 OK\r\nX-Content-Length: 1\r\n\r\n", /* not the field */
	};
	int status;
	size_t head, body;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EPROTO, head_of(bad[i], &status, &head, &body))
		TH_LOG("%s", bad[i]);
	}
}

TEST(a_body_over_the_limit_and_a_head_that_never_ends)
{
	char big[64], *endless;
	int status;
	size_t head, body;

	snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
		 SKAP_HTTPS_BODY_MAX + 1);
	EXPECT_EQ(-EMSGSIZE, head_of(big, &status, &head, &body));
	EXPECT_EQ(-EMSGSIZE, head_of("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999"
				     "\r\n\r\n",
				     &status, &head, &body));
	endless = malloc(SKAP_HTTPS_HEAD_MAX + 2);
	ASSERT_NE(NULL, endless);
	memset(endless, 'a', SKAP_HTTPS_HEAD_MAX + 1);
	endless[SKAP_HTTPS_HEAD_MAX + 1] = '\0';
	EXPECT_EQ(-EPROTO, head_of(endless, &status, &head, &body));
	free(endless);
}

TEST_HARNESS_MAIN
