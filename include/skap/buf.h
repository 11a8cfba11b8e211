/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one bounds-checked reader (and its writer) for every binary format skap
 * parses: the peer protocol, sealed blobs, tickets. No parser does pointer
 * arithmetic of its own.
 *
 * Errors are sticky: after the first failure every further call fails too
 * and reads yield zeros, so a parser may read a whole structure and check
 * once, at the end, with skap_reader_end(). Integers are big-endian.
 */
#ifndef SKAP_BUF_H
#define SKAP_BUF_H

#include <stddef.h>
#include <stdint.h>

struct skap_reader {
	const uint8_t *data;
	size_t len;
	size_t off;
	int err; /* 0, or -EBADMSG once anything did not fit */
};

struct skap_writer {
	uint8_t *data;
	size_t cap;
	size_t len;
	int err; /* 0, or -ENOSPC once anything did not fit */
};

void skap_reader_init(struct skap_reader *r, const void *data, size_t len);
size_t skap_reader_left(const struct skap_reader *r);
/* 0 when every byte was read without error; -EBADMSG otherwise. */
int skap_reader_end(const struct skap_reader *r);

int skap_read_u8(struct skap_reader *r, uint8_t *v);
int skap_read_u16(struct skap_reader *r, uint16_t *v);
int skap_read_u32(struct skap_reader *r, uint32_t *v);
int skap_read_u64(struct skap_reader *r, uint64_t *v);
/* Copies exactly N bytes. */
int skap_read_bytes(struct skap_reader *r, void *out, size_t n);
/* Points *PTR at the next N bytes of the input, without copying. */
int skap_read_ref(struct skap_reader *r, const uint8_t **ptr, size_t n);
/*
 * A u8 length then that many bytes, 1..MAXLEN, none of them NUL; copied into
 * OUT (OUT_SIZE > MAXLEN) and NUL-terminated. For identifiers.
 */
int skap_read_str8(struct skap_reader *r, char *out, size_t out_size, size_t maxlen);
/* A u16 length then that many bytes, referenced in place. */
int skap_read_blob16(struct skap_reader *r, const uint8_t **ptr, size_t *len);

void skap_writer_init(struct skap_writer *w, void *buf, size_t cap);
int skap_put_u8(struct skap_writer *w, uint8_t v);
int skap_put_u16(struct skap_writer *w, uint16_t v);
int skap_put_u32(struct skap_writer *w, uint32_t v);
int skap_put_u64(struct skap_writer *w, uint64_t v);
int skap_put_bytes(struct skap_writer *w, const void *data, size_t n);
/* Reserves N bytes and returns where they are (NULL on error), to fill later. */
uint8_t *skap_put_reserve(struct skap_writer *w, size_t n);
int skap_put_str8(struct skap_writer *w, const char *s);
int skap_put_blob16(struct skap_writer *w, const void *data, size_t n);

#endif /* SKAP_BUF_H */
