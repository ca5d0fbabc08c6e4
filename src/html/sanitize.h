/*
 * sanitize.h — the allow-list HTML sanitiser for article bodies.
 *
 * html_sanitize() parses untrusted HTML as a fragment in a <body> context
 * (html/dom.h: bounded input size and depth), walks the tree iteratively
 * and writes only allow-listed elements and attributes:
 *
 *  - text is escaped; comments, doctypes and processing instructions go;
 *  - script, style, template, noscript, forms and their controls, object,
 *    embed, applet, svg, math, audio, video, canvas, frames, head elements
 *    and iframes other than allow-listed video players are dropped with
 *    their contents; unknown or merely presentational elements (font,
 *    center, section, article…) are unwrapped: their children stay;
 *  - h1 becomes h2 (the page has its own h1);
 *  - URL attributes keep only http: and https: (and mailto: on links),
 *    resolved against base_url; relative URLs without a usable base_url are
 *    dropped; img may keep a small data:image/png|jpeg|gif|webp URL;
 *  - no event handlers, style, class, id, name or form attributes;
 *  - links get rel="noopener noreferrer nofollow"; target is dropped;
 *  - images get loading="lazy" decoding="async" referrerpolicy="no-referrer";
 *    lazy-loading attributes (data-src, data-srcset, data-original…) become
 *    src/srcset when the real one is missing or a placeholder; 1x1 and known
 *    tracking images are dropped;
 *  - empty inline elements, and paragraphs, headings and divs with no text
 *    or image, are dropped;
 *  - allow-listed embeds (YouTube, Vimeo, Dailymotion…) become a sandboxed
 *    iframe with a fixed set of attributes;
 *  - elements nested deeper than max_depth are flattened (their text stays).
 *
 * The output is well-formed HTML whose parse gives back the tree that was
 * written, so sanitising it again gives the same bytes (idempotence).
 * See docs/sanitizer-differences.md for how this allow-list differs from
 * other sanitisers'.
 */
#ifndef NEWSSTAND_HTML_SANITIZE_H
#define NEWSSTAND_HTML_SANITIZE_H

#include "common.h"

#include "base/buf.h"

#define SANITIZE_DEFAULT_MAX_INPUT	((size_t)4 << 20) /* 4 MiB */
#define SANITIZE_DEFAULT_MAX_DEPTH	48u		  /* output nesting */
#define SANITIZE_DEFAULT_MAX_DATA_IMAGE ((size_t)16384)	  /* bytes of URL */

/* All members may be 0 or false for the defaults; opt NULL means defaults. */
struct sanitize_options {
	size_t max_input;      /* bytes of input read; longer input is cut */
	unsigned max_depth;    /* deepest element nesting written */
	size_t max_data_image; /* longest data: URL kept on an img */
	bool no_images;	       /* drop img and picture */
	bool no_embeds;	       /* drop even allow-listed video iframes */
};

/*
 * Sanitises len bytes of html (UTF-8; invalid bytes become U+FFFD) and
 * appends the result to out. base_url (may be NULL) resolves relative URLs.
 * Returns ST_OK, ST_TOOBIG when out's cap is reached (out then holds a
 * partial result the caller should discard), or ST_PARSE.
 */
enum status html_sanitize(const char *html, size_t len, const char *base_url,
			  const struct sanitize_options *opt,
			  struct buf *out) WARN_UNUSED;

/*
 * True when url (an iframe src) is one of the allow-listed video players,
 * https only. Exposed for tests and for the page's CSP frame-src list.
 */
bool sanitize_is_embed_url(const char *url);

/*
 * Sanitises every readability test page under dir (the corpus layout
 * dir/<name>/source.html) repeat times and reports bytes and seconds.
 * For the benchmark script; ST_NOTFOUND when dir has no pages.
 */
enum status sanitize_bench(const char *dir, unsigned repeat, size_t *bytes_out,
			   double *seconds_out) WARN_UNUSED;

#endif
