// SPDX-License-Identifier: GPL-2.0
/*
 * JSON text out and in (include/skap/json_text.h).
 *
 * Out: compact text in two passes over the value, the first with no buffer
 * only counting, the second writing into exactly that many bytes. The escapes are those json_dumps makes without
 * JSON_ENSURE_ASCII and JSON_ESCAPE_SLASH: backslash, quote and the control
 * characters (\b \f \n \r \t, the others as \u00XX in upper case); every
 * other valid UTF-8 sequence is copied as it is.
 */

#include <skap/json_text.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 2048

struct text {
	char *p; /* NULL in the counting pass */
	size_t len;
};

static void put(struct text *t, const void *s, size_t n)
{
	if (t->p)
		memcpy(t->p + t->len, s, n);
	t->len += n;
}

/*
 * The length of the valid UTF-8 sequence at S (at most N bytes) that starts
 * with a byte over 0x7f, or 0: overlong forms, surrogates and code points
 * over U+10FFFF are not valid.
 */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t len;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Bytes copied as they are: printable ASCII but the quote and the backslash. */
static int plain_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

static int put_string(struct text *t, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	put(t, "\"", 1);
	for (size_t i = 0; i < n;) {
		size_t start = i, len;
		const char *esc;
		char u[7];

		while (i < n && plain_ascii(s[i]))
			i++;
		put(t, s + start, i - start);
		if (i == n)
			break;
		if (s[i] >= 0x80) {
			len = utf8_seq_len(s + i, n - i);
			if (!len)
				return -EILSEQ;
			put(t, s + i, len);
			i += len;
			continue;
		}
		switch (s[i]) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			snprintf(u, sizeof(u), "\\u%04X", s[i]);
			esc = u;
		}
		put(t, esc, strlen(esc));
		i++;
	}
	put(t, "\"", 1);
	return 0;
}

struct key {
	const char *s;
	size_t len;
	json_t *v;
};

/* Byte order, a key before the longer keys it begins. */
static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int put_value(struct text *t, const json_t *v, int sort, int depth);

static int put_object(struct text *t, const json_t *v, int sort, int depth)
{
	size_t n = json_object_size(v), i = 0;
	struct key small[16], *keys = small; /* answers have a few keys */
	void *it;
	int err = 0;

	if (!n) {
		put(t, "{}", 2);
		return 0;
	}
	if (n > sizeof(small) / sizeof(small[0]))
		keys = malloc(n * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	/* jansson's iterators are not const, though they change nothing. */
	for (it = json_object_iter((json_t *)v); it && i < n;
	     it = json_object_iter_next((json_t *)v, it), i++) {
		keys[i].s = json_object_iter_key(it);
		keys[i].len = json_object_iter_key_len(it);
		keys[i].v = json_object_iter_value(it);
	}
	if (sort)
		qsort(keys, i, sizeof(*keys), key_cmp);
	put(t, "{", 1);
	for (size_t k = 0; k < i && !err; k++) {
		if (k)
			put(t, ",", 1);
		err = put_string(t, keys[k].s, keys[k].len);
		if (!err) {
			put(t, ":", 1);
			err = put_value(t, keys[k].v, sort, depth + 1);
		}
	}
	put(t, "}", 1);
	if (keys != small)
		free(keys);
	return err;
}

static int put_value(struct text *t, const json_t *v, int sort, int depth)
{
	char num[32];
	int err = 0;

	if (!v || depth > MAX_DEPTH)
		return -EINVAL;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return put_object(t, v, sort, depth);
	case JSON_ARRAY:
		put(t, "[", 1);
		for (size_t i = 0; i < json_array_size(v) && !err; i++) {
			if (i)
				put(t, ",", 1);
			err = put_value(t, json_array_get(v, i), sort, depth + 1);
		}
		put(t, "]", 1);
		return err;
	case JSON_STRING:
		return put_string(t, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		put(t, num, strlen(num));
		return 0;
	case JSON_TRUE:
		put(t, "true", 4);
		return 0;
	case JSON_FALSE:
		put(t, "false", 5);
		return 0;
	case JSON_NULL:
		put(t, "null", 4);
		return 0;
	case JSON_REAL:
	default:
		return -EOPNOTSUPP;
	}
}

char *skap_json_text(const json_t *v, int sort_keys)
{
	struct text t = { 0 };
	int err;

	/* As json_dumps without JSON_ENCODE_ANY: a text is an object or an array. */
	if (!json_is_object(v) && !json_is_array(v))
		return NULL;
	err = put_value(&t, v, sort_keys, 0);

	if (err == -EOPNOTSUPP)
		return json_dumps(v, JSON_COMPACT | (sort_keys ? JSON_SORT_KEYS : 0));
	if (err)
		return NULL;
	t.p = malloc(t.len + 1);
	if (!t.p)
		return NULL;
	t.len = 0;
	if (put_value(&t, v, sort_keys, 0)) {
		/* Only out of memory (a large object's keys): the value is unchanged. */
		explicit_bzero(t.p, t.len);
		free(t.p);
		return NULL;
	}
	t.p[t.len] = '\0';
	return t.p;
}

/* ---- in ---- */

#define FAST_MAX_DEPTH 64

struct reader {
	const unsigned char *p, *end;
};

/* What a reader returns when it gives up: the whole text goes to json_loadb. */
#define GIVE_UP NULL

static void skip_space(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/* A string with no escape and no control character; R->p is past its opening quote. */
static int read_plain_string(struct reader *r, const char **s, size_t *n)
{
	const unsigned char *start = r->p;

	while (r->p < r->end) {
		size_t len;

		if (plain_ascii(*r->p)) {
			r->p++;
			continue;
		}
		if (*r->p == '"') {
			*s = (const char *)start;
			*n = (size_t)(r->p - start);
			r->p++;
			return 0;
		}
		if (*r->p < 0x80)
			return -1; /* an escape or a control character */
		len = utf8_seq_len(r->p, (size_t)(r->end - r->p));
		if (!len)
			return -1;
		r->p += len;
	}
	return -1;
}

/* An integer as JSON writes it (no leading zero, no fraction or exponent), within 64 bits. */
static json_t *read_integer(struct reader *r)
{
	int negative = 0;
	uint64_t mag = 0, limit;
	const unsigned char *digits;

	if (r->p < r->end && *r->p == '-') {
		negative = 1;
		r->p++;
	}
	digits = r->p;
	limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		unsigned int d = *r->p - '0';

		if (mag > (limit - d) / 10)
			return GIVE_UP;
		mag = mag * 10 + d;
		r->p++;
	}
	if (r->p == digits || (*digits == '0' && r->p - digits > 1))
		return GIVE_UP;
	if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E'))
		return GIVE_UP; /* a real */
	if (negative)
		return json_integer(mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(json_int_t)mag);
	return json_integer((json_int_t)mag);
}

static int read_word(struct reader *r, const char *w, size_t n)
{
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n))
		return -1;
	r->p += n;
	return 0;
}

static json_t *read_value(struct reader *r, int depth);

static json_t *read_object(struct reader *r, int depth)
{
	json_t *o = json_object();

	skip_space(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return o;
	}
	while (o) {
		const char *key;
		size_t key_len;
		json_t *v;

		if (r->p >= r->end || *r->p++ != '"' || read_plain_string(r, &key, &key_len))
			break;
		skip_space(r);
		if (r->p >= r->end || *r->p++ != ':')
			break;
		/* A duplicate key is refused; json_loadb says so. */
		if (json_object_getn(o, key, key_len))
			break;
		v = read_value(r, depth + 1);
		if (!v || json_object_setn_new_nocheck(o, key, key_len, v))
			break;
		skip_space(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			skip_space(r);
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return o;
		}
		break;
	}
	json_decref(o);
	return GIVE_UP;
}

static json_t *read_array(struct reader *r, int depth)
{
	json_t *a = json_array();

	skip_space(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return a;
	}
	while (a) {
		json_t *v = read_value(r, depth + 1);

		if (!v || json_array_append_new(a, v))
			break;
		skip_space(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == ']') {
			r->p++;
			return a;
		}
		break;
	}
	json_decref(a);
	return GIVE_UP;
}

static json_t *read_value(struct reader *r, int depth)
{
	const char *s;
	size_t n;

	if (depth > FAST_MAX_DEPTH)
		return GIVE_UP;
	skip_space(r);
	if (r->p >= r->end)
		return GIVE_UP;
	switch (*r->p) {
	case '{':
		r->p++;
		return read_object(r, depth);
	case '[':
		r->p++;
		return read_array(r, depth);
	case '"':
		r->p++;
		return read_plain_string(r, &s, &n) ? GIVE_UP : json_stringn_nocheck(s, n);
	case 't':
		return read_word(r, "true", 4) ? GIVE_UP : json_true();
	case 'f':
		return read_word(r, "false", 5) ? GIVE_UP : json_false();
	case 'n':
		return read_word(r, "null", 4) ? GIVE_UP : json_null();
	default:
		return read_integer(r);
	}
}

json_t *skap_json_parse(const char *buf, size_t len)
{
	struct reader r = { (const unsigned char *)buf, (const unsigned char *)buf + len };
	json_t *v = NULL;

	skip_space(&r);
	if (r.p < r.end && (*r.p == '{' || *r.p == '['))
		v = read_value(&r, 1);
	skip_space(&r);
	if (v && r.p == r.end)
		return v;
	json_decref(v);
	return json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
}
