/*
 * buf.h — growable byte buffers and borrowed slices.
 *
 * struct buf owns its bytes: data is never NULL and always NUL-terminated.
 * A buffer may have a cap (max): growing past it fails with ST_TOOBIG. The
 * first error sticks in err, so a sequence of appends is checked once at the
 * end. buf_detach() hands the bytes to the caller, who frees them with free().
 *
 * struct str is a borrowed slice: it owns nothing and is not NUL-terminated.
 */
#ifndef NEWSSTAND_BASE_BUF_H
#define NEWSSTAND_BASE_BUF_H

#include "common.h"

struct buf {
	char *data;	 /* the bytes, NUL-terminated; never NULL */
	size_t len;	 /* bytes used, not counting the NUL */
	size_t cap;	 /* bytes allocated (0: data points at a static "") */
	size_t max;	 /* cap on len; 0 means no cap */
	enum status err; /* the first error, sticky */
};

#define BUF_INIT                                                               \
	{                                                                      \
		(char *)"", 0, 0, 0, ST_OK                                     \
	}

struct str {
	const char *p; /* the first byte; may be NULL when len is 0 */
	size_t len;    /* number of bytes */
};

#define STR_LIT(s) ((struct str){(s), sizeof(s) - 1})

/* Initialises an empty buffer whose length may not exceed max (0: no cap). */
void buf_init(struct buf *b, size_t max);
/* Frees the bytes and leaves an empty buffer (with the same cap). */
void buf_release(struct buf *b);
/* Empties the buffer, keeping its memory; clears err. */
void buf_reset(struct buf *b);
/* Makes room for extra more bytes; ST_TOOBIG past the cap. */
enum status buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addstr(struct buf *b, struct str s);
void buf_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* Shortens the buffer to len bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);
/* Hands out the bytes (malloc'd, NUL-terminated) and resets the buffer. */
char *buf_detach(struct buf *b, size_t *len_out);
/* Returns the borrowed slice of the whole buffer. */
struct str buf_str(const struct buf *b);

/* Escaping into a buffer. */
void buf_add_html(struct buf *b, const char *s, size_t len);
void buf_add_json_str(struct buf *b, const char *s, size_t len);
void buf_add_url_enc(struct buf *b, const char *s, size_t len);

struct str str_from(const char *s);
bool str_eq(struct str a, struct str b);
bool str_eq_cstr(struct str a, const char *s);
bool str_eq_ci(struct str a, struct str b);
bool str_has_prefix(struct str s, struct str prefix);
struct str str_trim(struct str s);
/* Returns a malloc'd NUL-terminated copy. */
char *str_dup(struct str s);

#endif
