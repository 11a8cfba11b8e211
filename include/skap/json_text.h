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

/*
 * The value of the JSON text BUF (LEN bytes), as
 * json_loadb(BUF, LEN, JSON_REJECT_DUPLICATES, NULL) returns it: an object
 * or an array, or NULL when the text is not strict JSON (duplicate keys
 * included). jansson reads a text a character at a time through a
 * callback, 11 ns a byte here, and a request carries kilobytes of base64.
 * This reader takes the plain form of JSON that requests have (objects,
 * arrays, strings without escapes or control characters, integers, true,
 * false, null, up to 64 levels deep) ten times faster; a text with anything
 * else (an escape, a real, an error of any kind) is handed whole to
 * json_loadb, whose answer is final, so both accept and refuse the same
 * texts.
 */
json_t *skap_json_parse(const char *buf, size_t len);

#endif /* SKAP_JSON_TEXT_H */
