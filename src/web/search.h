/*
 * search.h — the search request shared by the search page and the JSON API:
 * parameter checks with a message for the reader, and highlighted snippets
 * taken from what a visitor may see (title and teaser, never the body).
 */
#ifndef NEWSSTAND_WEB_SEARCH_H
#define NEWSSTAND_WEB_SEARCH_H

#include "common.h"

#include "store/store.h"
#include "web/http.h"

/* Longest query accepted (bytes). */
#define WEB_SEARCH_MAX_QUERY 200
/* Deepest result offset accepted. */
#define WEB_SEARCH_MAX_OFFSET 1000

struct web_search {
	const char *q;		   /* the words (request memory), or NULL */
	const char *publisher;	   /* publisher slug filter, or NULL */
	const char *topic;	   /* topic slug filter, or NULL */
	const char *from, *to;	   /* date filters as given, or NULL */
	struct search_query query; /* what store_search() gets */
	bool empty;		   /* no words: show the form only */
};

/*
 * Reads q, publisher, topic, from, to (YYYY-MM-DD, inclusive) and the
 * offset argument named offset_arg from the request. On a bad value returns
 * ST_INVAL with *message set to a sentence for the reader (static).
 */
enum status web_search_parse(struct web_request *req, struct store *s,
			     const char *offset_arg, size_t limit,
			     struct web_search *out,
			     const char **message) WARN_UNUSED;

/* At most this many words of a query are marked, each its first 63 bytes. */
#define WEB_TERMS_MAX 16
#define WEB_TERM_MAX  64

/*
 * The words of a query, prepared once for the snippets of a page: words
 * are runs of ASCII letters and digits and of bytes >= 0x80; a word of a
 * text matches a term when equal in any ASCII case or, for the last term
 * of a query that does not end in a space, when it starts with it.
 * Filled by web_terms_init(); owns nothing.
 */
struct web_terms {
	char word[WEB_TERMS_MAX][WEB_TERM_MAX]; /* lower-cased ASCII */
	size_t len[WEB_TERMS_MAX];		/* bytes of each word */
	size_t count;				/* words */
	bool last_prefix;	  /* the last term matches as a prefix */
	uint64_t lengths;	  /* bit n set: a term of n bytes (n < 64) */
	size_t prefix_len;	  /* the prefix term's length, 0 without */
	unsigned char flags[256]; /* what each byte is (search.c) */
};

/* Prepares the words of query (NULL: none) for web_highlight_terms(). */
void web_terms_init(struct web_terms *t, const char *query);

/*
 * Writes text escaped, with the words of t wrapped in <mark>. With a
 * window, only about max bytes around the first match are written (with
 * "…" where cut); otherwise the whole text. NULL text writes nothing.
 */
void web_highlight_terms(struct buf *b, const char *text,
			 const struct web_terms *t, size_t max, bool window);

/*
 * web_highlight_terms() with the words of query prepared for this text
 * alone. Writes text escaped, with the words of query wrapped in <mark>. With a
 * window, only about max bytes around the first match are written (with
 * "…" where cut); otherwise the whole text.
 */
void web_highlight(struct buf *b, const char *text, const char *query,
		   size_t max, bool window);

#endif
