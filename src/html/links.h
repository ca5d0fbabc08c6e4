/*
 * links.h — feed discovery: the feeds a web page announces.
 */
#ifndef NEWSSTAND_HTML_LINKS_H
#define NEWSSTAND_HTML_LINKS_H

#include "common.h"

/* One announced feed. */
struct feed_link {
	char *url;   /* absolute URL */
	char *type;  /* MIME type as announced */
	char *title; /* the link's title, or NULL */
};

/*
 * Finds <link rel="alternate" type="application/rss+xml|atom+xml|
 * feed+json|json"> elements of a page, resolved against base_url, in
 * document order without duplicates. The caller frees the list with
 * feed_links_free().
 */
enum status html_feed_links(const char *html, size_t len, const char *base_url,
			    struct feed_link **out, size_t *count) WARN_UNUSED;
void feed_links_free(struct feed_link *links, size_t count);

#endif
