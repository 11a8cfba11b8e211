// SPDX-License-Identifier: GPL-2.0
/* skap_hex_encode against printf's "%02x", for every byte value. */

#include <skap/hex.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

TEST(every_byte_value_as_printf_writes_it)
{
	uint8_t all[256];
	char got[2 * sizeof(all) + 1], want[2 * sizeof(all) + 1];

	for (size_t i = 0; i < sizeof(all); i++) {
		all[i] = (uint8_t)i;
		snprintf(want + 2 * i, 3, "%02x", all[i]);
	}
	memset(got, 'X', sizeof(got));
	skap_hex_encode(all, sizeof(all), got);
	EXPECT_EQ(0, strcmp(want, got));
}

TEST(empty_input_is_an_empty_string)
{
	char out[1] = { 'X' };

	skap_hex_encode("", 0, out);
	EXPECT_EQ('\0', out[0]);
}

/* It writes exactly 2 * LEN + 1 characters: a key id fills its buffer and no more. */
TEST(writes_no_further_than_its_nul)
{
	const uint8_t kid[4] = { 0xde, 0xad, 0x00, 0x7f };
	char out[12];

	memset(out, 'X', sizeof(out));
	skap_hex_encode(kid, sizeof(kid), out);
	EXPECT_EQ(0, strcmp("dead007f", out));
	for (size_t i = 9; i < sizeof(out); i++)
		EXPECT_EQ('X', out[i]);
}

TEST_HARNESS_MAIN
