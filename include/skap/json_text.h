/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compact JSON text of a jansson value, byte for byte what
 * json_dumps(V, JSON_COMPACT [| JSON_SORT_KEYS]) writes, at a fraction of its
 * cost: jansson hands its output to a callback a few bytes at a time and
 * grows a buffer as it goes, which made it a tenth of a key ticket's work.
 * This writer measures the text first, then writes it into one allocation,
 * so no partial copy of an answer that may hold a key is left in freed
 * memory. A value holding a real number is left to json_dumps (its digits
 * are jansson's own choice).
 */
#ifndef SKAP_JSON_TEXT_H
#define SKAP_JSON_TEXT_H

#include <jansson.h>

/*
 * The text of V, NUL-terminated, from malloc; object keys in byte order
 * when SORT_KEYS, else in insertion order. NULL when V is not an object or
 * an array (as json_dumps without JSON_ENCODE_ANY), when out of memory, when a
 * string is not valid UTF-8 (json_dumps fails there too) or when V nests
 * deeper than 2048 levels, deeper than jansson parses (json_dumps would
 * write it).
 */
char *skap_json_text(const json_t *v, int sort_keys);

#endif /* SKAP_JSON_TEXT_H */
