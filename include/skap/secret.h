/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Secret buffers: memory for keys that is locked (mlock: never swapped),
 * excluded from core dumps (MADV_DONTDUMP), not inherited by a forked child
 * (MADV_WIPEONFORK), fenced by inaccessible guard pages on both sides (an
 * overrun faults instead of reading a neighbour), zeroed when allocated and
 * wiped when freed. Use them for long-lived secrets (device keys, DMKs,
 * KEM private keys); short-lived stack copies are wiped with skap_wipe.
 *
 * Each buffer costs at least three pages of address space and one page of
 * locked memory (RLIMIT_MEMLOCK): fine for tens or hundreds of keys, not
 * for bulk data.
 */
#ifndef SKAP_SECRET_H
#define SKAP_SECRET_H

#include <stddef.h>

/*
 * *OUT = LEN zeroed, locked bytes (LEN >= 1). 0; -EINVAL for LEN 0 or too
 * large; -ENOMEM when the memory cannot be mapped or locked (*OUT is NULL).
 */
int skap_secret_alloc(size_t len, void **out);
/* Wipes and unmaps a buffer from skap_secret_alloc; NULL is ignored. */
void skap_secret_free(void *p);
/* The LEN the buffer was allocated with (0 for NULL). */
size_t skap_secret_len(const void *p);
/* Zeroes LEN bytes in a way the compiler does not remove. */
void skap_wipe(void *p, size_t len);

#endif /* SKAP_SECRET_H */
