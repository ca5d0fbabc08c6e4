/*
 * extract.h — the full text of an article from its web page.
 *
 * For feeds that carry only a summary, the ingest pipeline fetches the page
 * and extracts the article: its body, in the way reader views do (blocks are
 * scored by their text length, commas, link density and class/id hints, the
 * score is propagated to their parents and grandparents, the best candidate
 * is joined with related siblings, and the result is cleaned of share bars,
 * related-link lists, ads, comments, navigation, forms, hidden elements and
 * low-content blocks), and its metadata (title, byline, publication time,
 * site name, language, lead image, excerpt) from JSON-LD, Open Graph, Twitter
 * and other <meta> tags, and the markup.
 *
 * Parsing goes through html/dom.h, so input size and tree depth are bounded;
 * every walk over the tree is iterative.
 *
 * Per-publisher overrides use a small CSS-like selector language: a comma
 * separated list of selectors, each a sequence of compound selectors joined
 * by the descendant combinator (white space); a compound selector is an
 * optional tag name or "*", followed by any number of ".class", "#id" and
 * "[attr]" or "[attr=value]" parts. Examples: "article .story-body",
 * "div.share, aside, #comments, [data-ad]".
 */
#ifndef NEWSSTAND_HTML_EXTRACT_H
#define NEWSSTAND_HTML_EXTRACT_H

#include "common.h"

/*
 * Pages are cut after this many bytes: 2.5 times the largest page of the
 * Readability test corpus, and what we parse in well under a second.
 */
#define EXTRACT_DEFAULT_MAX_INPUT ((size_t)4 << 20)

struct extract_options {
	const char *body_selector;    /* when it matches, these elements are
					 the body (in document order); NULL:
					 find the body by scoring */
	const char *remove_selectors; /* elements removed before anything
					 else; NULL: none */
	size_t max_input;	      /* bytes parsed (0: the default
					 EXTRACT_DEFAULT_MAX_INPUT); longer
					 pages are cut */
};

struct extract_result {
	char *title;		  /* article title, or NULL */
	char *byline;		  /* author(s) as written, or NULL */
	int64_t published;	  /* Unix seconds UTC; 0 when unknown */
	char *site_name;	  /* publication name, or NULL */
	char *lang;		  /* language tag ("en", "fr-FR"), or NULL */
	char *lead_image;	  /* absolute URL when url was given, or NULL */
	char *lead_image_caption; /* plain text, or NULL */
	char *excerpt;		  /* one-paragraph summary, or NULL */
	char *text;		  /* article text, one block a line; never
				     NULL (may be empty) */
	char *html;		  /* article body as HTML, not sanitised
				     (relative URLs resolved against url when
				     given); never NULL (may be empty) */
};

/*
 * Extracts the article of the page html (len bytes, UTF-8). url is the
 * page's address (may be NULL): the base for relative links, overridden by a
 * <base href> in the page. opt may be NULL for the defaults. On success
 * *out is a new result that the caller frees with extract_result_free().
 * ST_INVAL for a bad selector in opt, ST_PARSE when the page cannot be
 * parsed; a page with no recognisable article still succeeds, with empty
 * text. The result's html must be sanitised before it is shown.
 */
enum status html_extract(const char *html, size_t len, const char *url,
			 const struct extract_options *opt,
			 struct extract_result **out) WARN_UNUSED;

/* Frees r and everything in it; NULL is a no-op. */
void extract_result_free(struct extract_result *r);

/*
 * Parses a date as found in page metadata: RFC 3339 / ISO 8601 forms
 * ("2024-03-05", "2024-03-05T10:20", "2024-03-05T10:20:30.123+01:00",
 * "20240305T102030Z"), RFC 822/1123 dates ("Tue, 05 Mar 2024 10:20:30 GMT")
 * and Unix seconds. Times without a zone are taken as UTC. Returns false
 * when s is not a date we recognise.
 */
bool extract_parse_date(const char *s, int64_t *out);

#endif
