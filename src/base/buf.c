#include "common.h"

#include <ctype.h>

#include "base/buf.h"

static char empty_string[1];

void
buf_init(struct buf *b, size_t max)
{
	b->data = empty_string;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = ST_OK;
}

void
buf_release(struct buf *b)
{
	if (b->cap)
		free(b->data);
	buf_init(b, b->max);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->cap)
		b->data[0] = '\0';
	b->err = ST_OK;
}

enum status
buf_grow(struct buf *b, size_t extra)
{
	size_t need, cap;

	if (b->err)
		return b->err;
	if (extra > SIZE_MAX - b->len - 1 ||
	    (b->max && b->len + extra > b->max)) {
		b->err = ST_TOOBIG;
		return b->err;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return ST_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (b->cap) {
		b->data = xrealloc(b->data, cap);
	} else {
		b->data = xmalloc(cap);
		b->data[0] = '\0';
	}
	b->cap = cap;
	return ST_OK;
}

void
buf_add(struct buf *b, const void *data, size_t len)
{
	if (!len || buf_grow(b, len))
		return;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_addstr(struct buf *b, struct str s)
{
	buf_add(b, s.p, s.len);
}

void
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	if (b->err)
		return;
	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0) {
		b->err = ST_INVAL;
		return;
	}
	if (buf_grow(b, (size_t)n))
		return;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

char *
buf_detach(struct buf *b, size_t *len_out)
{
	char *data;

	if (len_out)
		*len_out = b->len;
	data = b->cap ? b->data : xstrdup("");
	buf_init(b, b->max);
	return data;
}

struct str
buf_str(const struct buf *b)
{
	return (struct str){b->data, b->len};
}

void
buf_add_html(struct buf *b, const char *s, size_t len)
{
	size_t i, start = 0;
	const char *rep;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		buf_add(b, s + start, i - start);
		buf_adds(b, rep);
		start = i + 1;
	}
	buf_add(b, s + start, len - start);
}

void
buf_add_json_str(struct buf *b, const char *s, size_t len)
{
	size_t i;

	buf_addc(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
		} else if (c == '\n') {
			buf_adds(b, "\\n");
		} else if (c == '\r') {
			buf_adds(b, "\\r");
		} else if (c == '\t') {
			buf_adds(b, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			buf_addf(b, "\\u%04x", c);
		} else if (c == '<' || c == '>' || c == '&') {
			/* Safe to embed inside <script> or HTML attributes. */
			buf_addf(b, "\\u%04x", c);
		} else {
			buf_addc(b, (char)c);
		}
	}
	buf_addc(b, '"');
}

void
buf_add_url_enc(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalnum(c) || c == '-' || c == '_' || c == '.' ||
		    c == '~') {
			buf_addc(b, (char)c);
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
}

struct str
str_from(const char *s)
{
	return (struct str){s, s ? strlen(s) : 0};
}

bool
str_eq(struct str a, struct str b)
{
	return a.len == b.len && (!a.len || !memcmp(a.p, b.p, a.len));
}

bool
str_eq_cstr(struct str a, const char *s)
{
	return str_eq(a, str_from(s));
}

bool
str_eq_ci(struct str a, struct str b)
{
	return a.len == b.len && (!a.len || !strncasecmp(a.p, b.p, a.len));
}

bool
str_has_prefix(struct str s, struct str prefix)
{
	return s.len >= prefix.len &&
	       (!prefix.len || !memcmp(s.p, prefix.p, prefix.len));
}

struct str
str_trim(struct str s)
{
	while (s.len && isspace((unsigned char)s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len && isspace((unsigned char)s.p[s.len - 1]))
		s.len--;
	return s;
}

char *
str_dup(struct str s)
{
	return xstrndup(s.len ? s.p : "", s.len);
}
