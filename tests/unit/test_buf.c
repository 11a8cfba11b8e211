// SPDX-License-Identifier: GPL-2.0
/*
 * The bounds-checked reader and writer: what is written reads back, nothing
 * past the end is ever read or written, and errors stick.
 */

#include <skap/buf.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

TEST(round_trip)
{
	uint8_t buf[128], blob[3] = { 1, 2, 3 }, fixed[4];
	struct skap_writer w;
	struct skap_reader r;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	const uint8_t *ref;
	size_t len;
	char name[16];

	skap_writer_init(&w, buf, sizeof(buf));
	skap_put_u8(&w, 0xab);
	skap_put_u16(&w, 0x1234);
	skap_put_u32(&w, 0xdeadbeef);
	skap_put_u64(&w, 0x0102030405060708ULL);
	skap_put_str8(&w, "dev-a");
	skap_put_blob16(&w, blob, sizeof(blob));
	skap_put_bytes(&w, "WXYZ", 4);
	ASSERT_EQ(0, w.err);
	ASSERT_EQ(1 + 2 + 4 + 8 + 6 + 5 + 4, w.len);
	/* Big-endian on the wire. */
	EXPECT_EQ(0x12, buf[1]);
	EXPECT_EQ(0xde, buf[3]);
	EXPECT_EQ(0x01, buf[7]);

	skap_reader_init(&r, buf, w.len);
	EXPECT_EQ(0, skap_read_u8(&r, &u8));
	EXPECT_EQ(0xab, u8);
	EXPECT_EQ(0, skap_read_u16(&r, &u16));
	EXPECT_EQ(0x1234, u16);
	EXPECT_EQ(0, skap_read_u32(&r, &u32));
	EXPECT_EQ(0xdeadbeef, u32);
	EXPECT_EQ(0, skap_read_u64(&r, &u64));
	EXPECT_EQ(0x0102030405060708ULL, u64);
	EXPECT_EQ(0, skap_read_str8(&r, name, sizeof(name), 64));
	EXPECT_STREQ("dev-a", name);
	EXPECT_EQ(0, skap_read_blob16(&r, &ref, &len));
	EXPECT_EQ(3, len);
	EXPECT_EQ(0, memcmp(ref, blob, 3));
	EXPECT_EQ(4, skap_reader_left(&r));
	EXPECT_EQ(-EBADMSG, skap_reader_end(&r)) TH_LOG("unread bytes are an error");
	EXPECT_EQ(0, skap_read_bytes(&r, fixed, 4));
	EXPECT_EQ(0, memcmp(fixed, "WXYZ", 4));
	EXPECT_EQ(0, skap_reader_end(&r));
}

TEST(reading_past_the_end_fails_and_sticks)
{
	uint8_t in[3] = { 0, 0, 7 }, out[8];
	struct skap_reader r;
	uint32_t u32 = 99;
	uint8_t u8 = 99;

	skap_reader_init(&r, in, sizeof(in));
	EXPECT_EQ(-EBADMSG, skap_read_u32(&r, &u32));
	EXPECT_EQ(0, u32);
	/* Even a read that would fit fails after the first error. */
	EXPECT_EQ(-EBADMSG, skap_read_u8(&r, &u8));
	EXPECT_EQ(0, u8);
	EXPECT_EQ(0, skap_reader_left(&r));
	EXPECT_EQ(-EBADMSG, skap_reader_end(&r));

	memset(out, 0x55, sizeof(out));
	skap_reader_init(&r, in, sizeof(in));
	EXPECT_EQ(-EBADMSG, skap_read_bytes(&r, out, 4));
	EXPECT_EQ(0, out[0]) TH_LOG("a failed read leaves zeros, not stale bytes");
	skap_reader_init(&r, NULL, 100);
	EXPECT_EQ(-EBADMSG, skap_read_u8(&r, &u8));
}

TEST(str8_rules)
{
	struct skap_reader r;
	char out[8];
	static const uint8_t empty[] = { 0 };
	static const uint8_t nul[] = { 3, 'a', 0, 'b' };
	static const uint8_t long5[] = { 5, 'a', 'b', 'c', 'd', 'e' };
	static const uint8_t short_[] = { 4, 'a', 'b' };

	skap_reader_init(&r, empty, sizeof(empty));
	EXPECT_EQ(-EBADMSG, skap_read_str8(&r, out, sizeof(out), 64));
	skap_reader_init(&r, nul, sizeof(nul));
	EXPECT_EQ(-EBADMSG, skap_read_str8(&r, out, sizeof(out), 64));
	skap_reader_init(&r, long5, sizeof(long5));
	EXPECT_EQ(-EBADMSG, skap_read_str8(&r, out, sizeof(out), 4)) TH_LOG("over maxlen");
	skap_reader_init(&r, long5, sizeof(long5));
	EXPECT_EQ(-EBADMSG, skap_read_str8(&r, out, 5, 64)) TH_LOG("no room for the NUL");
	EXPECT_STREQ("", out);
	skap_reader_init(&r, long5, sizeof(long5));
	EXPECT_EQ(0, skap_read_str8(&r, out, 6, 64));
	EXPECT_STREQ("abcde", out);
	skap_reader_init(&r, short_, sizeof(short_));
	EXPECT_EQ(-EBADMSG, skap_read_str8(&r, out, sizeof(out), 64));
}

TEST(blob16_longer_than_input)
{
	static const uint8_t in[] = { 0xff, 0xff, 1, 2, 3 };
	struct skap_reader r;
	const uint8_t *p = (const uint8_t *)1;
	size_t len = 7;

	skap_reader_init(&r, in, sizeof(in));
	EXPECT_EQ(-EBADMSG, skap_read_blob16(&r, &p, &len));
	EXPECT_EQ(NULL, p);
	EXPECT_EQ(0, len);
}

TEST(writer_never_overflows)
{
	uint8_t buf[6];
	struct skap_writer w;

	memset(buf, 0xee, sizeof(buf));
	skap_writer_init(&w, buf, 5);
	EXPECT_EQ(0, skap_put_u32(&w, 1));
	EXPECT_EQ(-ENOSPC, skap_put_u16(&w, 2));
	EXPECT_EQ(-ENOSPC, skap_put_u8(&w, 3)) TH_LOG("errors stick even when a byte would fit");
	EXPECT_EQ(4, w.len);
	EXPECT_EQ(0xee, buf[4]);
	EXPECT_EQ(0xee, buf[5]);
	EXPECT_EQ(NULL, skap_put_reserve(&w, 0));

	skap_writer_init(&w, buf, sizeof(buf));
	EXPECT_EQ(-EINVAL, skap_put_str8(&w, ""));
	skap_writer_init(&w, buf, sizeof(buf));
	EXPECT_EQ(-ENOSPC, skap_put_blob16(&w, "12345", 5));
}

TEST(random_input_never_escapes)
{
	/* ASan watches: any out-of-bounds access here fails the test. */
	uint8_t *in;
	char name[65];
	const uint8_t *ref;
	size_t len;

	srand(1234);
	for (int i = 0; i < 20000; i++) {
		size_t n = (size_t)(rand() % 40);
		struct skap_reader r;
		uint64_t u64;
		uint32_t u32;
		uint8_t u8;

		in = malloc(n ? n : 1);
		ASSERT_NE(NULL, in);
		for (size_t k = 0; k < n; k++)
			in[k] = (uint8_t)(rand() % 8 == 0 ? 0 : rand());
		skap_reader_init(&r, in, n);
		skap_read_u8(&r, &u8);
		skap_read_str8(&r, name, sizeof(name), 64);
		skap_read_blob16(&r, &ref, &len);
		skap_read_u32(&r, &u32);
		skap_read_ref(&r, &ref, (size_t)u8);
		skap_read_u64(&r, &u64);
		ASSERT_LE(r.off, r.len);
		free(in);
	}
}

TEST_HARNESS_MAIN
