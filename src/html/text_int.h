/*
 * text_int.h — pieces of text.c shared with prepare.c. Not for use outside
 * src/html/.
 */
#ifndef NEWSSTAND_HTML_TEXT_INT_H
#define NEWSSTAND_HTML_TEXT_INT_H

#include "common.h"

#include <gumbo.h>

#include "base/buf.h"

/* Text writer state: collapses spaces and blank lines. */
struct text_writer {
	struct buf *out;      /* destination */
	size_t start;	      /* out->len when writing began */
	bool space;	      /* a space is owed before the next word */
	bool newline;	      /* a line break is owed before the next word */
	bool separator_space; /* write line breaks as spaces */
	size_t max_chars;     /* stop at the end of the word that brings the
				 text written to this many characters (0: no
				 limit); what is written is then a prefix of
				 the whole text */
	size_t chars;	      /* characters written (counted with max_chars) */
	bool full;	      /* max_chars was reached: nothing more written */
};

/* True for the elements that start a line in the plain text. */
bool html_is_block(GumboTag tag);
/* True for the blocks of running text a teaser counts as paragraphs. */
bool html_is_paragraph(GumboTag tag);
/*
 * Appends the teaser's cut first paragraph: text (len bytes of collapsed
 * plain text) cut at a sentence end or word boundary within budget
 * characters, escaped, in a <p> ending with "…"; nothing when no word fits.
 */
void html_write_cut_text(const char *text, size_t len, size_t budget,
			 struct buf *out);
/* Writes the len bytes of text s, which hold no NUL (inside <pre> when
 * pre). */
void html_tw_text(struct text_writer *t, const char *s, size_t len, bool pre);
/* Number of code points in s[0..len). */
size_t html_utf8_chars(const char *s, size_t len);
/*
 * Where to cut one line of text to at most max_chars characters including
 * the "…" (at a sentence end when sentences and that keeps half, else at a
 * word boundary); returns the bytes to keep.
 */
size_t html_cut_point(const char *s, size_t len, size_t max_chars,
		      bool sentences);

#endif
