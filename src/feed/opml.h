/*
 * opml.h — OPML 1.0/2.0 subscription lists, read leniently and written as
 * OPML 2.0 (http://opml.org/spec2.opml).
 *
 * Reading: every outline with an xmlUrl is a subscription; its title comes
 * from title, then text, then the URL; the titles of the outlines it sits in
 * and its category attribute ("a,b/c") become its categories; subscriptions
 * with the same xmlUrl are merged. Documents that declare entities are
 * refused, nothing external is loaded, and libxml2 caps the depth.
 */
#ifndef NEWSSTAND_FEED_OPML_H
#define NEWSSTAND_FEED_OPML_H

#include "common.h"

#include "base/arena.h"
#include "base/buf.h"

struct opml_outline {
	const char *title;	 /* never NULL */
	const char *xml_url;	 /* the feed's URL, never NULL */
	const char *html_url;	 /* the site's URL, or NULL */
	const char **categories; /* folder names and category values */
	size_t category_count;	 /* entries in categories */
};

struct opml {
	const char *title;	       /* head/title, or NULL */
	struct opml_outline *outlines; /* in document order */
	size_t outline_count;	       /* entries in outlines */
	struct arena arena;	       /* owns everything above */
};

/* Most subscriptions read from one document. */
#define OPML_MAX_OUTLINES 100000

/*
 * Parses an OPML document. On ST_OK *out is a new list that the caller frees
 * with opml_free(); on error *reason (when not NULL) gets a static message.
 */
enum status opml_parse(const char *data, size_t len, struct opml **out,
		       const char **reason) WARN_UNUSED;

/* Frees a list; NULL is a no-op. */
void opml_free(struct opml *opml);

/* Appends an OPML 2.0 document listing count outlines to out. */
void opml_write(const struct opml_outline *outlines, size_t count,
		const char *title, struct buf *out);

#endif
