/*
 * text.h — plain text of HTML, the teaser of an article, and a one-line
 * excerpt.
 *
 * All three parse with html/dom.h (bounded size and depth) and walk the tree
 * iteratively. Lengths in characters are counted in Unicode code points of
 * the whitespace-collapsed text. Results are appended to the caller's
 * buffers; the caller owns and releases them.
 */
#ifndef NEWSSTAND_HTML_TEXT_H
#define NEWSSTAND_HTML_TEXT_H

#include "common.h"

#include "base/buf.h"

/*
 * Appends the plain text of html to out: one block (paragraph, heading, list
 * item, table row…) a line, no blank lines, entities decoded, runs of white
 * space collapsed to one space (line breaks inside <pre> are kept), no
 * trailing newline. Script, style, template and noscript text is skipped.
 */
enum status html_to_text(const char *html, size_t len,
			 struct buf *out) WARN_UNUSED;

/*
 * Appends to out_html the teaser of an article body: its first top-level
 * blocks (paragraphs, headings, lists, figures, quotes; <div> wrappers are
 * looked through) while their text stays within max_chars, cut at a block
 * boundary. At least one paragraph is given: when the first paragraph alone
 * is longer than the budget left, it is cut at a sentence end (or failing
 * that a word boundary) and ends with "…" (that paragraph loses its inline
 * markup). The teaser is the only part of a body a visitor receives, so it
 * never contains text from a later block: it is built from byte ranges of
 * the blocks it keeps and sanitised again (sanitised_html should already be
 * the output of html_sanitize; anything else is made safe too).
 * *truncated tells whether anything of the body was left out.
 */
enum status html_teaser(const char *sanitised_html, size_t len,
			size_t max_chars, struct buf *out_html,
			bool *truncated) WARN_UNUSED;

/*
 * Appends a one-line plain-text summary of html to out: its text with line
 * breaks turned into spaces, cut at a word boundary to at most max_chars
 * characters (an ellipsis "…" included when cut).
 */
enum status html_text_excerpt(const char *html, size_t len, size_t max_chars,
			      struct buf *out) WARN_UNUSED;

#endif
