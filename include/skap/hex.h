/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lower-case hexadecimal, as key ids and fingerprints are shown to people
 * and in the audit log.
 */
#ifndef SKAP_HEX_H
#define SKAP_HEX_H

#include <stddef.h>

/* Writes 2 * LEN digits and a NUL to OUT, which holds 2 * LEN + 1 characters. */
void skap_hex_encode(const void *in, size_t len, char *out);

#endif /* SKAP_HEX_H */
