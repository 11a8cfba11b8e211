/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files that hold secrets or state: written whole or not at all (write to a
 * temporary file in the same directory, fsync, rename, fsync the directory),
 * with the mode set before any byte is written; read back with a size limit.
 */
#ifndef SKAP_FILE_H
#define SKAP_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Replaces PATH with LEN bytes of DATA, created with MODE (e.g. 0600). After
 * a crash PATH holds either the old content or the new, never a mix. Returns
 * 0 or -errno; on failure PATH is untouched and no temporary file is left.
 */
int skap_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/*
 * Reads all of PATH, at most MAX bytes, into a new buffer (*DATA, *LEN;
 * NUL-terminated for convenience; free with skap_file_free, which wipes it).
 * Refuses files larger than MAX (-EFBIG) and anything but a regular file.
 * With PRIVATE set, also refuses a file that group or others may read or
 * write (-EPERM): secrets are kept 0600.
 */
int skap_file_read(const char *path, size_t max, int private_only, unsigned char **data,
		   size_t *len);
void skap_file_free(unsigned char *data, size_t len);

#endif /* SKAP_FILE_H */
