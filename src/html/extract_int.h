/*
 * extract_int.h — internals of the article extractor, shared by the
 * extract*.c files and nothing else.
 *
 * The extractor works on its own tree (struct xnode), built from the gumbo
 * parse, because scoring and cleaning move, rename and remove elements, and
 * gumbo's tree is read-only. Nodes live in an arena and point into the gumbo
 * output for their strings, so the parse must outlive the tree. Only element
 * and text nodes are kept; comments, scripts, styles and noscript are dropped
 * while building (JSON-LD script bodies are collected first).
 *
 * Lengths are in Unicode code points of the whitespace-collapsed text.
 */
#ifndef NEWSSTAND_HTML_EXTRACT_INT_H
#define NEWSSTAND_HTML_EXTRACT_INT_H

#include "common.h"

#include <gumbo.h>

#include "base/arena.h"
#include "base/buf.h"

enum xtype {
	XN_ELEM, /* an element */
	XN_TEXT, /* a run of text */
};

enum xflag {
	XF_SCORED = 1u << 0,	/* score holds a readability score */
	XF_DATATABLE = 1u << 1, /* a table of data, not of layout */
	XF_GONE = 1u << 2,	/* removed from the tree */
};

struct xattr {
	const char *name;  /* lower case */
	const char *value; /* decoded, NUL-terminated */
};

struct xnode {
	struct xnode *parent; /* NULL for the root or a detached node */
	struct xnode *first;  /* first child */
	struct xnode *last;   /* last child */
	struct xnode *prev;   /* previous sibling */
	struct xnode *next;   /* next sibling */
	const char *name;     /* element name, lower case; "" for text */
	const char *text;     /* text bytes (text nodes), not NUL-terminated */
	size_t text_len;      /* bytes of text */
	struct xattr *attrs;  /* the element's attributes */
	double score;	      /* readability score when XF_SCORED */
	GumboTag tag;	      /* the element's tag; GUMBO_TAG_UNKNOWN for
				 custom elements and text */
	unsigned nattrs;      /* number of attributes */
	unsigned char type;   /* enum xtype */
	unsigned char flags;  /* enum xflag */
};

/* A growable array of node pointers. */
struct xlist {
	struct xnode **v; /* the nodes */
	size_t n;	  /* in use */
	size_t cap;	  /* allocated */
};

struct xdoc {
	struct arena arena; /* the nodes, copies of changed strings */
	struct xnode *root; /* the <html> element */
	struct xnode *head; /* <head>, or NULL */
	struct xnode *body; /* <body>, or NULL */
	char **ld_texts;    /* JSON-LD script bodies, malloc'd */
	size_t ld_count;    /* number of ld_texts */
	size_t node_count;  /* nodes built */
};

/* extract_dom.c: the tree. */
enum status xdoc_build(struct xdoc *d, const GumboNode *root) WARN_UNUSED;
void xdoc_release(struct xdoc *d);
struct xnode *xnode_new_elem(struct xdoc *d, GumboTag tag);
/* The next node in document order below top (children first). */
struct xnode *xnode_next(const struct xnode *n, const struct xnode *top);
/* The next node in document order below top, skipping n's children. */
struct xnode *xnode_next_skip(const struct xnode *n, const struct xnode *top);
void xnode_remove(struct xnode *n);
void xnode_append(struct xnode *parent, struct xnode *child);
void xnode_insert_before(struct xnode *ref, struct xnode *child);
void xnode_replace(struct xnode *old, struct xnode *repl);
void xnode_set_tag(struct xnode *n, GumboTag tag);
const char *xnode_attr(const struct xnode *n, const char *name);
bool xnode_is(const struct xnode *n, GumboTag tag);
size_t xnode_child_elems(const struct xnode *n);
struct xnode *xnode_first_elem(const struct xnode *n);
struct xnode *xnode_next_elem(const struct xnode *n);
bool xnode_has_ancestor(const struct xnode *n, GumboTag tag, int max_depth);
/* Text: all text below n, collapsed (runs of white space to one space,
 * trimmed) when collapse is set. */
void xnode_text(const struct xnode *n, struct buf *out, bool collapse);
/* Length of the collapsed, trimmed text, in code points. */
size_t xnode_text_len(const struct xnode *n);
/* Number of commas (of any script) in the text. */
size_t xnode_commas(const struct xnode *n);
/* Length of link text / length of text, with "#" links weighted 0.3. */
double xnode_link_density(const struct xnode *n);
/* Counts elements with tag below n (n excluded). */
size_t xnode_count(const struct xnode *n, GumboTag tag);
/* Collects the elements with tag below n (n excluded), in document order. */
void xnode_collect(const struct xnode *n, GumboTag tag, struct xlist *out);
/* True if the text below n is only white space. */
bool xnode_is_blank(const struct xnode *n);
/* Serialises n's children (inner) or n (outer) as HTML; relative src and
 * href resolved against base when given. */
void xnode_html(const struct xnode *n, bool outer, const char *base,
		struct buf *out);
/* Block text: one block a line. */
void xnode_block_text(const struct xnode *n, struct buf *out);

void xlist_push(struct xlist *l, struct xnode *n);
void xlist_release(struct xlist *l);

/* extract_prep.c: appends to out the page without scripts (JSON-LD kept),
 * styles, svg and comments. */
enum status xprep_filter(const char *in, size_t len,
			 struct buf *out) WARN_UNUSED;

/* extract_select.c: the selector language. */
struct xselector;
enum status xselector_parse(const char *s, struct xselector **out) WARN_UNUSED;
bool xselector_match(const struct xselector *sel, const struct xnode *n);
void xselector_free(struct xselector *sel);

/* extract_meta.c: metadata. */
struct xmeta {
	char *title;	 /* from JSON-LD or meta tags, chosen */
	char *byline;	 /* author */
	char *excerpt;	 /* description */
	char *site_name; /* publisher */
	char *published; /* the date as written */
	char *image;	 /* lead image URL as written */
	char *lang;	 /* language */
	char *doc_title; /* the cleaned <title> */
	char *raw_title; /* the <title> as written */
};
void xmeta_read(const struct xdoc *d, struct xmeta *m);
void xmeta_release(struct xmeta *m);
/* 1 - share of b's words not in a (Readability-style text similarity). */
double xtext_similarity(const char *a, const char *b);
/* Word count of s (runs split on white space). */
size_t xword_count(const char *s);

#endif
