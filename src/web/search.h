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

/*
 * Writes text escaped, with the words of query wrapped in <mark>. With a
 * window, only about max bytes around the first match are written (with
 * "…" where cut); otherwise the whole text.
 */
void web_highlight(struct buf *b, const char *text, const char *query,
		   size_t max, bool window);

#endif
