// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: libskap's JSON reader and writer against jansson's.
 * For any bytes, skap_json_parse and json_loadb(JSON_REJECT_DUPLICATES)
 * both refuse them or give equal values with their keys in the same order;
 * of any value read, skap_json_text writes what json_dumps writes, keys
 * sorted or not. tests/fuzz/seeds/fuzz_json holds a few request bodies.
 */

#include <skap/json_text.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_text(const json_t *v, size_t flags)
{
	char *mine = skap_json_text(v, !!(flags & JSON_SORT_KEYS));
	char *theirs = json_dumps(v, JSON_COMPACT | flags);

	if (!mine != !theirs || (mine && strcmp(mine, theirs)))
		abort();
	free(mine);
	free(theirs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *mine = skap_json_parse((const char *)data, size);
	json_t *theirs = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);

	if (!mine != !theirs || (mine && !json_equal(mine, theirs)))
		abort();
	if (mine) {
		/* Insertion order too: unsorted texts equal. */
		same_text(mine, 0);
		same_text(mine, JSON_SORT_KEYS);
		{
			char *a = json_dumps(mine, JSON_COMPACT), *b = json_dumps(theirs, JSON_COMPACT);

			if (!a != !b || (a && strcmp(a, b)))
				abort();
			free(a);
			free(b);
		}
	}
	json_decref(mine);
	json_decref(theirs);
	return 0;
}
