// SPDX-License-Identifier: GPL-2.0
/*
 * Bounds-checked reader and writer (include/skap/buf.h). Every length is
 * compared with what is left before any byte moves; nothing here can read or
 * write outside the buffer it was given, whatever the input says.
 */

#include <skap/buf.h>

#include <errno.h>
#include <string.h>

void skap_reader_init(struct skap_reader *r, const void *data, size_t len)
{
	r->data = data;
	r->len = data ? len : 0;
	r->off = 0;
	r->err = 0;
}

size_t skap_reader_left(const struct skap_reader *r)
{
	return r->err ? 0 : r->len - r->off;
}

int skap_reader_end(const struct skap_reader *r)
{
	return r->err || r->off != r->len ? -EBADMSG : 0;
}

/* The next N bytes, or NULL (and the sticky error) when they are not there. */
static const uint8_t *take(struct skap_reader *r, size_t n)
{
	const uint8_t *p;

	if (r->err || n > r->len - r->off) {
		r->err = -EBADMSG;
		return NULL;
	}
	p = r->data + r->off;
	r->off += n;
	return p;
}

int skap_read_u8(struct skap_reader *r, uint8_t *v)
{
	const uint8_t *p = take(r, 1);

	*v = p ? p[0] : 0;
	return p ? 0 : r->err;
}

int skap_read_u16(struct skap_reader *r, uint16_t *v)
{
	const uint8_t *p = take(r, 2);

	*v = p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
	return p ? 0 : r->err;
}

int skap_read_u32(struct skap_reader *r, uint32_t *v)
{
	const uint8_t *p = take(r, 4);

	*v = p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
	return p ? 0 : r->err;
}

int skap_read_u64(struct skap_reader *r, uint64_t *v)
{
	uint32_t hi, lo;

	skap_read_u32(r, &hi);
	skap_read_u32(r, &lo);
	*v = r->err ? 0 : (uint64_t)hi << 32 | lo;
	return r->err;
}

int skap_read_bytes(struct skap_reader *r, void *out, size_t n)
{
	const uint8_t *p = take(r, n);

	if (p)
		memcpy(out, p, n);
	else
		memset(out, 0, n);
	return p ? 0 : r->err;
}

int skap_read_ref(struct skap_reader *r, const uint8_t **ptr, size_t n)
{
	*ptr = take(r, n);
	return *ptr ? 0 : r->err;
}

int skap_read_str8(struct skap_reader *r, char *out, size_t out_size, size_t maxlen)
{
	const uint8_t *p;
	uint8_t n;

	if (out_size)
		out[0] = '\0';
	if (skap_read_u8(r, &n))
		return r->err;
	if (n == 0 || n > maxlen || (size_t)n >= out_size) {
		r->err = -EBADMSG;
		return r->err;
	}
	p = take(r, n);
	if (!p)
		return r->err;
	if (memchr(p, '\0', n)) {
		r->err = -EBADMSG;
		return r->err;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int skap_read_blob16(struct skap_reader *r, const uint8_t **ptr, size_t *len)
{
	uint16_t n;

	*ptr = NULL;
	*len = 0;
	if (skap_read_u16(r, &n))
		return r->err;
	*ptr = take(r, n);
	if (!*ptr)
		return r->err;
	*len = n;
	return 0;
}

void skap_writer_init(struct skap_writer *w, void *buf, size_t cap)
{
	w->data = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
	w->err = 0;
}

uint8_t *skap_put_reserve(struct skap_writer *w, size_t n)
{
	uint8_t *p;

	if (w->err || n > w->cap - w->len) {
		w->err = -ENOSPC;
		return NULL;
	}
	p = w->data + w->len;
	w->len += n;
	return p;
}

int skap_put_bytes(struct skap_writer *w, const void *data, size_t n)
{
	uint8_t *p = skap_put_reserve(w, n);

	if (p && n)
		memcpy(p, data, n);
	return w->err;
}

int skap_put_u8(struct skap_writer *w, uint8_t v)
{
	return skap_put_bytes(w, &v, 1);
}

int skap_put_u16(struct skap_writer *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return skap_put_bytes(w, b, sizeof(b));
}

int skap_put_u32(struct skap_writer *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	return skap_put_bytes(w, b, sizeof(b));
}

int skap_put_u64(struct skap_writer *w, uint64_t v)
{
	skap_put_u32(w, (uint32_t)(v >> 32));
	return skap_put_u32(w, (uint32_t)v);
}

int skap_put_str8(struct skap_writer *w, const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 255) {
		w->err = w->err ? w->err : -EINVAL;
		return w->err;
	}
	skap_put_u8(w, (uint8_t)n);
	return skap_put_bytes(w, s, n);
}

int skap_put_blob16(struct skap_writer *w, const void *data, size_t n)
{
	if (n > UINT16_MAX) {
		w->err = w->err ? w->err : -EINVAL;
		return w->err;
	}
	skap_put_u16(w, (uint16_t)n);
	return skap_put_bytes(w, data, n);
}
