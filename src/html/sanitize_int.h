/*
 * sanitize_int.h — the sanitiser's core, shared by its two front ends.
 *
 * The policy (sanitize.c) is driven by events: an element starts, text, an
 * element ends. Two front ends produce them: the walk over gumbo's tree
 * (sanitize.c) and a streaming tokenizer for simple, well-formed HTML
 * (fast.c) that gives up on anything whose tree it cannot be sure of.
 *
 * While it writes, the core can record the tree it wrote (struct
 * html_record): the elements and text that parsing the output back gives,
 * with their byte ranges in the output. The plain text and the teaser of
 * the output are derived from that record instead of parsing the output
 * again (prepare.c).
 *
 * Nothing here is for use outside src/html/.
 */
#ifndef NEWSSTAND_HTML_SANITIZE_INT_H
#define NEWSSTAND_HTML_SANITIZE_INT_H

#include "common.h"

#include <gumbo.h>

#include "base/buf.h"
#include "html/sanitize.h"

/* gumbo 0.10 has no tag for <picture>: it is recognised by name. */
#define TAG_PICTURE ((GumboTag)(GUMBO_TAG_LAST + 1))

/* One attribute given by the tokenizer: lower-case name, decoded value. */
struct san_attr {
	const char *name;
	const char *value;
};

/* The attributes of an element: gumbo's (node set) or the tokenizer's. */
struct san_attrs {
	const GumboNode *node;	  /* gumbo element, or NULL */
	const struct san_attr *v; /* else these */
	size_t n;		  /* count of v */
};

/* The value of attribute name (lower case), or NULL. */
const char *san_attr(const struct san_attrs *a, const char *name);

/*
 * One node of the written tree, in document order. Elements and text both
 * span [end) up to the index past their last descendant, so the next
 * sibling of node i is node v[i].end.
 */
struct wnode {
	GumboTag tag;	 /* element: the tag written; text: GUMBO_TAG_UNKNOWN */
	bool text;	 /* a text node */
	size_t from, to; /* bytes of the output it spans */
	size_t toff;	 /* text: offset of its NUL-terminated text in
			    html_record.text; element: text length at start */
	size_t tlen;	 /* text: length of that text */
	size_t end;	 /* index past its last descendant */
};

struct html_record {
	struct wnode *v; /* the nodes */
	size_t len;	 /* nodes in use */
	size_t cap;	 /* nodes allocated */
	struct buf text; /* the text of the text nodes, each NUL-terminated */
	size_t *open;	 /* indexes of the elements still open */
	size_t open_len; /* entries in open */
	size_t open_cap; /* entries allocated */
	bool doubtful;	 /* text that a parser might read differently was
			    written (bytes that are not plain UTF-8): derive
			    nothing from this record */
};

void html_record_init(struct html_record *r);
void html_record_reset(struct html_record *r);
void html_record_release(struct html_record *r);

/* A rule of the allow-list (sanitize.c). */
struct rule;

struct frame {
	const GumboNode *node;	 /* gumbo front end: the input element */
	unsigned int next;	 /* gumbo front end: its next child */
	const struct rule *rule; /* the rule it was written under, or NULL */
	size_t out_start;	 /* output length before its start tag */
	size_t out_after;	 /* output length after its start tag */
	bool meaningful;	 /* text or an image was written inside */
};

struct sanitizer {
	const struct sanitize_options *opt; /* never NULL */
	const char *base_url;		    /* for relative URLs, or NULL */
	struct buf *out;		    /* the output */
	struct html_record *rec;	    /* the written tree, or NULL */
	struct frame *stack;		    /* open input elements */
	size_t depth;			    /* frames in use */
	size_t cap;			    /* frames allocated */
	unsigned written_depth;		    /* frames with written tags */
	struct buf tmp;			    /* scratch for URLs */
	bool plain_text; /* the text given is plain UTF-8 with no control
			    characters but tab and newline (the
			    tokenizer's): recorded without checking */
};

/* Sets z up to write to out (and record into rec, which may be NULL). */
void san_begin(struct sanitizer *z, const struct sanitize_options *opt,
	       const char *base_url, struct buf *out, struct html_record *rec);
/* Closes what is open and frees z's own memory (not out nor rec). */
void san_end(struct sanitizer *z);

/*
 * An element starts. node is gumbo's element (or NULL from the tokenizer);
 * tag its tag, prefixed true for <html:p> and the like. Returns true when
 * the element's children are to be given next, followed by san_leave();
 * false when it was dropped or is void (no children, no san_leave()).
 */
bool san_enter(struct sanitizer *z, const GumboNode *node, GumboTag tag,
	       bool prefixed, const struct san_attrs *attrs);
/* Text (decoded, NUL-terminated, len bytes) inside the current element. */
void san_text(struct sanitizer *z, const char *s, size_t len);
/* The element of the last san_enter() that returned true ends. */
void san_leave(struct sanitizer *z);

/*
 * The tokenizer front end: sanitises html into out (and rec) when the input
 * is simple enough that its tree is certain. Returns ST_OK, or
 * ST_UNSUPPORTED (out and rec then unchanged) for input to give to gumbo,
 * or an error of out.
 */
enum status san_fast(const char *html, size_t len, const char *base_url,
		     const struct sanitize_options *opt, struct buf *out,
		     struct html_record *rec);

/* The gumbo front end: html_sanitize(), recording into rec when not NULL. */
enum status san_gumbo(const char *html, size_t len, const char *base_url,
		      const struct sanitize_options *opt, struct buf *out,
		      struct html_record *rec);

#endif
