/*
 * render.h — HTML building blocks of the pages: the layout around a page,
 * article cards and lists, times, links. Every string that comes from data
 * is escaped here (buf_add_html); only sanitised article HTML (teaser_html,
 * body_html) is written as is, and only by the article page.
 */
#ifndef NEWSSTAND_WEB_RENDER_H
#define NEWSSTAND_WEB_RENDER_H

#include "common.h"

#include "base/buf.h"
#include "store/reading.h"
#include "store/store.h"
#include "web/http.h"

/* What the <head> of a page carries beyond the title. */
struct page_meta {
	const char *title;	 /* page title, without the site name */
	const char *description; /* meta description (visible text only) */
	const char *canonical;	 /* path of the canonical URL, or NULL */
	const char *og_type;	 /* "article", "website" */
	const char *og_image;	 /* absolute image URL, or NULL */
	const char *body_class;	 /* class of <body>, or NULL */
	bool noindex;		 /* error and search pages */
};

/* Writes the document head, the site header and opens <main>. */
void render_page_begin(struct web_request *req, struct buf *b,
		       const struct page_meta *meta);
/* Closes <main>, writes the footer and ends the document. */
void render_page_end(struct web_request *req, struct buf *b);
/* Optional raw text for <head>: call between begin's parts (JSON-LD). */

/* The path of an article: "/a/42-the-headline-as-a-slug" (arena). */
const char *render_article_path(struct web_request *req,
				const struct article *a);
/* Writes the path of an article into b: it needs no escaping. */
void render_add_article_path(struct buf *b, const struct article *a);
/* Writes the slug of a title ("the-headline") into b (at most 80 bytes). */
void render_slugify(struct buf *b, const char *title);
/* The URL of a publisher's logo (from its logo field), or NULL. */
const char *render_logo_url(struct web_request *req, const char *logo);
/* The site's absolute URL of path (config.base_url + path), arena. */
const char *render_absolute(struct web_request *req, const char *path);

/* <time> with the relative time as text and the absolute in the title. */
void render_time(struct buf *b, int64_t t);
/* "25 Nov 2026, 21:30 UTC" */
void render_absolute_time(struct buf *b, int64_t t);
/* "2026-11-25T21:30:05Z" into out (at least 32 bytes), like
 * clock_format_rfc3339() without the C library's time zone lock. */
void render_rfc3339(char *out, size_t size, int64_t t);
/* "3 hours ago" */
void render_relative_time(struct buf *b, int64_t t, int64_t now);

/* The visible short text of an article: teaser text, else summary. */
const char *render_visible_excerpt(const struct article *a);
/* Writes text escaped, cut at a word boundary near max bytes with "…". */
void render_excerpt(struct buf *b, const char *text, size_t max);

enum card_style {
	CARD_LIST, /* headline, publisher and time */
	CARD_FULL, /* with image and excerpt */
	CARD_LEAD, /* the large lead of a section */
};
/* One article as a list item (<li> or <article>) linking to its page. */
void render_card(struct web_request *req, struct buf *b,
		 const struct article *a, enum card_style style);
/* A titled <section> of cards; nothing when l is empty. */
void render_card_section(struct web_request *req, struct buf *b,
			 const char *title, const char *id,
			 const struct article *items, size_t count,
			 enum card_style style);
/* A story: its lead article and "Covered by N publishers". */
void render_story(struct web_request *req, struct buf *b,
		  const struct story *it, bool lead);
/* The "Older articles" link of a list with a next cursor. */
void render_pager(struct web_request *req, struct buf *b, const char *path,
		  const char *next_cursor);
/* The publisher's name linking to /p/slug (logo: for a later use). */
void render_publisher_line(struct web_request *req, struct buf *b,
			   const char *slug, const char *name,
			   const char *logo);

#endif
