/*
 * dom.h — safe HTML5 parsing with gumbo, and small helpers over its tree.
 *
 * gumbo has no limit of its own on tree depth: a page of 100,000 nested
 * elements makes it quadratic in time and overflows its stack when the tree
 * is freed. dom_parse() therefore first scans the bytes with a conservative
 * estimate of the open-element stack (it never under-estimates the depth the
 * tree builder reaches, up to a small constant factor from implied table
 * parts) and removes the start tags that would go deeper than the cap. Input
 * longer than max_input is cut. Both are counted in struct dom so callers can
 * log them.
 *
 * Everything here is iterative: nothing recurses on the depth of the input.
 *
 * Ownership: struct dom owns the gumbo output and, when the input had to be
 * changed, the filtered copy the tree points into; dom_release() frees both.
 * Nodes and strings obtained from a dom are valid until then.
 */
#ifndef NEWSSTAND_HTML_DOM_H
#define NEWSSTAND_HTML_DOM_H

#include "common.h"

#include <gumbo.h>

#include "base/buf.h"

/* Defaults used when a limit is 0. */
#define DOM_DEFAULT_MAX_INPUT ((size_t)8 << 20) /* 8 MiB */
#define DOM_DEFAULT_MAX_DEPTH 256u

struct dom_limits {
	size_t max_input;   /* bytes parsed; longer input is cut (0: default) */
	unsigned max_depth; /* estimated open elements (0: default) */
};

struct dom {
	GumboOutput *output;  /* the parse; NULL until dom_parse succeeds */
	GumboNode *root;      /* the document node, or for a fragment the
				 <html> element whose children are the fragment */
	GumboOptions options; /* the options the parse used (to free it) */
	char *filtered;	      /* input after depth limiting, or NULL */
	size_t dropped_tags;  /* start tags removed to bound the depth */
	bool truncated;	      /* input was longer than max_input */
};

/*
 * Parses html as a whole document (fragment false) or as a fragment in a
 * <body> context (fragment true). lim may be NULL for the defaults. On
 * success d owns the tree; release it with dom_release(). ST_PARSE if gumbo
 * gives up (which it does not do on any input we know of).
 */
enum status dom_parse(struct dom *d, const char *html, size_t len,
		      const struct dom_limits *lim, bool fragment) WARN_UNUSED;
/* Frees the tree; d may be zeroed, or released twice. */
void dom_release(struct dom *d);

/* True when n is an HTML element with this tag. */
bool dom_is(const GumboNode *n, GumboTag tag);
/* The element's tag, or GUMBO_TAG_UNKNOWN for any other node. */
GumboTag dom_tag(const GumboNode *n);
/* The value of attribute name (lower case) of element n, or NULL. */
const char *dom_attr(const GumboNode *n, const char *name);
/* The children of an element or document node, or NULL for other nodes. */
const GumboVector *dom_children(const GumboNode *n);
/* True for text, CDATA and whitespace nodes. */
bool dom_is_text(const GumboNode *n);

/*
 * Appends the text content of n (all text below it, in document order) to
 * out. With collapse, runs of white space become one space and white space at
 * the start is dropped (trailing white space may remain: one space at most).
 * Text of script, style, template and noscript elements is skipped.
 */
void dom_text(const GumboNode *n, struct buf *out, bool collapse);

/*
 * Iterative depth-first traversal with enter and leave events.
 *
 *	struct dom_walk w;
 *	const GumboNode *n;
 *	bool leaving;
 *	dom_walk_init(&w, root);
 *	while (dom_walk_next(&w, &n, &leaving)) {
 *		if (!leaving && skip_this(n))
 *			dom_walk_skip(&w);	// do not descend into n
 *	}
 *	dom_walk_release(&w);
 *
 * Elements and documents are reported twice (enter, then leave); other nodes
 * once, with leaving false. The root itself is reported too.
 */
struct dom_walk_frame {
	const GumboNode *node; /* an element or document being visited */
	unsigned int next;     /* index of its next child to visit */
};

struct dom_walk {
	struct dom_walk_frame *stack; /* open nodes, root first */
	size_t depth;		      /* frames in use */
	size_t cap;		      /* frames allocated */
	const GumboNode *start;	      /* the root, until it is reported */
	size_t last_depth;	      /* depth of the last reported node */
};

void dom_walk_init(struct dom_walk *w, const GumboNode *root);
bool dom_walk_next(struct dom_walk *w, const GumboNode **node, bool *leaving);
/* After an enter event: skip the node's children; its leave still comes. */
void dom_walk_skip(struct dom_walk *w);
/* Depth of the last reported node below the root (the root is 0). */
size_t dom_walk_depth(const struct dom_walk *w);
void dom_walk_release(struct dom_walk *w);

#endif
