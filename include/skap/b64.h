/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Base64 (RFC 4648 section 4, standard alphabet, with padding) for the
 * platform's JSON. Decoding is strict: no whitespace, no missing or extra
 * padding, and the unused bits of the last character must be zero, so one
 * byte string has exactly one accepted text and a parser never guesses.
 */
#ifndef SKAP_B64_H
#define SKAP_B64_H

#include <stddef.h>
#include <stdint.h>

/* Characters needed for LEN bytes, NUL not counted. */
#define SKAP_B64_LEN(len) ((((len) + 2) / 3) * 4)

/* Writes the text and a NUL; -ENOSPC when OUT_SIZE is too small. */
int skap_b64_encode(const void *in, size_t len, char *out, size_t out_size);
/*
 * Decodes the NUL-terminated IN into OUT (at most OUT_MAX bytes).
 * -EINVAL: not strict base64; -ENOSPC: longer than OUT_MAX. OUT is
 * zeroed on failure (it may be a key).
 */
int skap_b64_decode(const char *in, uint8_t *out, size_t out_max, size_t *out_len);
/* Like decode, but the result must be exactly LEN bytes (-EINVAL otherwise). */
int skap_b64_decode_exact(const char *in, uint8_t *out, size_t len);

#endif /* SKAP_B64_H */
