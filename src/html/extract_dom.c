/*
 * extract_dom.c — the extractor's mutable tree: building it from gumbo's
 * parse, moving nodes, measuring text and serialising. Every walk is
 * iterative, following parent and sibling links.
 */
#include "common.h"

#include <ctype.h>

#include "base/url.h"
#include "html/dom.h"
#include "html/extract_int.h"

void
xlist_push(struct xlist *l, struct xnode *n)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = n;
}

void
xlist_release(struct xlist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static const char *
tag_name(GumboTag tag)
{
	return gumbo_normalized_tagname(tag);
}

struct xnode *
xnode_new_elem(struct xdoc *d, GumboTag tag)
{
	struct xnode *n = arena_calloc(&d->arena, 1, sizeof(*n));

	n->type = XN_ELEM;
	n->tag = tag;
	n->name = tag_name(tag);
	d->node_count++;
	return n;
}

/* The lower-case name of an unknown element, from its source text. */
static const char *
unknown_name(struct xdoc *d, const GumboElement *e)
{
	GumboStringPiece piece = e->original_tag;
	size_t i, len;
	char *s;

	if (!piece.data || piece.length < 2)
		return "span";
	gumbo_tag_from_original_text(&piece);
	len = piece.length;
	if (len > 64)
		len = 64;
	s = arena_strndup(&d->arena, piece.data, len);
	for (i = 0; s[i]; i++) {
		if (isspace((unsigned char)s[i]) || s[i] == '/' ||
		    s[i] == '>') {
			s[i] = '\0';
			break;
		}
		s[i] = (char)tolower((unsigned char)s[i]);
	}
	return s[0] ? s : "span";
}

static bool
is_json_ld(const GumboNode *n)
{
	const char *type = dom_attr(n, "type");

	return type && strstr(type, "ld+json");
}

static void
collect_ld(struct xdoc *d, const GumboNode *script)
{
	const GumboVector *kids = dom_children(script);
	struct buf b = BUF_INIT;
	unsigned i;

	/* dom_text() skips script bodies: read the text children. */
	for (i = 0; kids && i < kids->length; i++)
		if (dom_is_text(kids->data[i]))
			buf_adds(&b, ((const GumboNode *)kids->data[i])
					     ->v.text.text);
	d->ld_texts = xreallocarray(d->ld_texts, d->ld_count + 1,
				    sizeof(*d->ld_texts));
	d->ld_texts[d->ld_count++] = buf_detach(&b, NULL);
}

enum status
xdoc_build(struct xdoc *d, const GumboNode *root)
{
	struct dom_walk w;
	const GumboNode *n;
	const GumboNode *skipped = NULL;
	struct xnode *cur = NULL;
	bool leaving;

	memset(d, 0, sizeof(*d));
	arena_init(&d->arena, 0);
	dom_walk_init(&w, root);
	while (dom_walk_next(&w, &n, &leaving)) {
		struct xnode *x;

		if (n->type == GUMBO_NODE_DOCUMENT)
			continue;
		if (leaving) {
			if (n == skipped)
				skipped = NULL;
			else if (cur)
				cur = cur->parent;
			continue;
		}
		if (n->type == GUMBO_NODE_ELEMENT ||
		    n->type == GUMBO_NODE_TEMPLATE) {
			const GumboElement *e = &n->v.element;
			unsigned i;

			switch (e->tag) {
			case GUMBO_TAG_SCRIPT:
				if (is_json_ld(n))
					collect_ld(d, n);
				/* fall through */
			case GUMBO_TAG_STYLE:
			case GUMBO_TAG_NOSCRIPT:
			case GUMBO_TAG_TEMPLATE:
				skipped = n;
				dom_walk_skip(&w);
				continue;
			default:
				break;
			}
			if (e->tag_namespace != GUMBO_NAMESPACE_HTML &&
			    e->tag != GUMBO_TAG_SVG &&
			    e->tag != GUMBO_TAG_MATH) {
				/* Inside svg or math: keep the text only. */
			}
			x = xnode_new_elem(d, e->tag);
			if (e->tag == GUMBO_TAG_UNKNOWN)
				x->name = unknown_name(d, e);
			x->nattrs = e->attributes.length;
			if (x->nattrs) {
				x->attrs = arena_alloc(
					&d->arena,
					x->nattrs * sizeof(*x->attrs));
				for (i = 0; i < x->nattrs; i++) {
					const GumboAttribute *a =
						e->attributes.data[i];

					x->attrs[i].name = a->name;
					x->attrs[i].value = a->value;
				}
			}
			if (cur)
				xnode_append(cur, x);
			else if (!d->root)
				d->root = x;
			else {
				/* A second top-level element: ignore it. */
				skipped = n;
				dom_walk_skip(&w);
				continue;
			}
			if (e->tag == GUMBO_TAG_HEAD && !d->head)
				d->head = x;
			else if (e->tag == GUMBO_TAG_BODY && !d->body)
				d->body = x;
			cur = x;
			continue;
		}
		if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA ||
		    n->type == GUMBO_NODE_WHITESPACE) {
			if (!cur)
				continue;
			x = arena_calloc(&d->arena, 1, sizeof(*x));
			x->type = XN_TEXT;
			x->tag = GUMBO_TAG_UNKNOWN;
			x->name = "";
			x->text = n->v.text.text;
			x->text_len = strlen(x->text);
			d->node_count++;
			xnode_append(cur, x);
		}
	}
	dom_walk_release(&w);
	if (!d->root)
		return ST_PARSE;
	if (!d->body) {
		d->body = xnode_new_elem(d, GUMBO_TAG_BODY);
		xnode_append(d->root, d->body);
	}
	return ST_OK;
}

void
xdoc_release(struct xdoc *d)
{
	size_t i;

	for (i = 0; i < d->ld_count; i++)
		free(d->ld_texts[i]);
	free(d->ld_texts);
	arena_release(&d->arena);
	memset(d, 0, sizeof(*d));
}

struct xnode *
xnode_next(const struct xnode *n, const struct xnode *top)
{
	if (n->first)
		return n->first;
	return xnode_next_skip(n, top);
}

struct xnode *
xnode_next_skip(const struct xnode *n, const struct xnode *top)
{
	while (n && n != top) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

void
xnode_remove(struct xnode *n)
{
	struct xnode *p = n->parent;

	if (!p)
		return;
	if (n->prev)
		n->prev->next = n->next;
	else
		p->first = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		p->last = n->prev;
	n->parent = n->prev = n->next = NULL;
}

void
xnode_append(struct xnode *parent, struct xnode *child)
{
	xnode_remove(child);
	child->parent = parent;
	child->prev = parent->last;
	if (parent->last)
		parent->last->next = child;
	else
		parent->first = child;
	parent->last = child;
}

void
xnode_insert_before(struct xnode *ref, struct xnode *child)
{
	struct xnode *p = ref->parent;

	if (!p || child == ref)
		return;
	xnode_remove(child);
	child->parent = p;
	child->next = ref;
	child->prev = ref->prev;
	if (ref->prev)
		ref->prev->next = child;
	else
		p->first = child;
	ref->prev = child;
}

void
xnode_replace(struct xnode *old, struct xnode *repl)
{
	if (!old->parent || old == repl)
		return;
	xnode_insert_before(old, repl);
	xnode_remove(old);
}

void
xnode_set_tag(struct xnode *n, GumboTag tag)
{
	n->tag = tag;
	n->name = tag_name(tag);
}

const char *
xnode_attr(const struct xnode *n, const char *name)
{
	unsigned i;

	if (n->type != XN_ELEM)
		return NULL;
	for (i = 0; i < n->nattrs; i++)
		if (!strcmp(n->attrs[i].name, name))
			return n->attrs[i].value;
	return NULL;
}

bool
xnode_is(const struct xnode *n, GumboTag tag)
{
	return n && n->type == XN_ELEM && n->tag == tag;
}

size_t
xnode_child_elems(const struct xnode *n)
{
	const struct xnode *c;
	size_t count = 0;

	for (c = n->first; c; c = c->next)
		if (c->type == XN_ELEM)
			count++;
	return count;
}

struct xnode *
xnode_first_elem(const struct xnode *n)
{
	struct xnode *c;

	for (c = n->first; c; c = c->next)
		if (c->type == XN_ELEM)
			return c;
	return NULL;
}

struct xnode *
xnode_next_elem(const struct xnode *n)
{
	struct xnode *c;

	for (c = n->next; c; c = c->next)
		if (c->type == XN_ELEM)
			return c;
	return NULL;
}

bool
xnode_has_ancestor(const struct xnode *n, GumboTag tag, int max_depth)
{
	int depth = 0;

	for (n = n->parent; n; n = n->parent) {
		if (max_depth > 0 && depth >= max_depth)
			return false;
		if (n->tag == tag && n->type == XN_ELEM)
			return true;
		depth++;
	}
	return false;
}

static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

void
xnode_text(const struct xnode *top, struct buf *out, bool collapse)
{
	const struct xnode *n;
	bool space = false, started = false;

	for (n = top; n; n = xnode_next(n, top)) {
		size_t i;

		if (n->type != XN_TEXT)
			continue;
		if (!collapse) {
			buf_add(out, n->text, n->text_len);
			continue;
		}
		for (i = 0; i < n->text_len; i++) {
			unsigned char c = (unsigned char)n->text[i];

			if (is_space(c)) {
				space = started;
				continue;
			}
			if (space)
				buf_addc(out, ' ');
			space = false;
			started = true;
			buf_addc(out, (char)c);
		}
	}
}

size_t
xnode_text_len(const struct xnode *top)
{
	const struct xnode *n;
	bool space = false, started = false;
	size_t len = 0;

	for (n = top; n; n = xnode_next(n, top)) {
		size_t i;

		if (n->type != XN_TEXT)
			continue;
		for (i = 0; i < n->text_len; i++) {
			unsigned char c = (unsigned char)n->text[i];

			if (is_space(c)) {
				space = started;
				continue;
			}
			if (space)
				len++;
			space = false;
			started = true;
			if ((c & 0xc0) != 0x80)
				len++;
		}
	}
	return len;
}

size_t
xnode_commas(const struct xnode *top)
{
	/* U+002C and the commas of other scripts (Arabic, small, vertical,
	 * reversed, fullwidth…), as UTF-8. */
	static const char *const commas[] = {
		"\xd8\x8c",	"\xef\xb9\x90", "\xef\xb8\x90", "\xef\xb8\x91",
		"\xe2\xb9\x81", "\xe2\xb8\xb4", "\xe2\xb8\xb2", "\xef\xbc\x8c",
	};
	const struct xnode *n;
	size_t count = 0;

	for (n = top; n; n = xnode_next(n, top)) {
		size_t i, k;

		if (n->type != XN_TEXT)
			continue;
		for (i = 0; i < n->text_len; i++) {
			unsigned char c = (unsigned char)n->text[i];

			if (c == ',') {
				count++;
				continue;
			}
			if (c < 0xd8)
				continue;
			for (k = 0; k < ARRAY_SIZE(commas); k++) {
				size_t l = strlen(commas[k]);

				if (i + l <= n->text_len &&
				    !memcmp(n->text + i, commas[k], l)) {
					count++;
					break;
				}
			}
		}
	}
	return count;
}

double
xnode_link_density(const struct xnode *top)
{
	size_t len = xnode_text_len(top);
	double link_len = 0;
	const struct xnode *n;

	if (!len)
		return 0;
	for (n = top; n;) {
		if (n != top && xnode_is(n, GUMBO_TAG_A)) {
			const char *href = xnode_attr(n, "href");
			double coeff = href && href[0] == '#' ? 0.3 : 1;

			link_len += coeff * (double)xnode_text_len(n);
			n = xnode_next_skip(n, top);
			continue;
		}
		n = xnode_next(n, top);
	}
	return link_len / (double)len;
}

size_t
xnode_count(const struct xnode *top, GumboTag tag)
{
	const struct xnode *n;
	size_t count = 0;

	for (n = xnode_next(top, top); n; n = xnode_next(n, top))
		if (n->type == XN_ELEM && n->tag == tag)
			count++;
	return count;
}

void
xnode_collect(const struct xnode *top, GumboTag tag, struct xlist *out)
{
	struct xnode *n;

	for (n = xnode_next(top, top); n; n = xnode_next(n, top))
		if (n->type == XN_ELEM && n->tag == tag)
			xlist_push(out, n);
}

bool
xnode_is_blank(const struct xnode *top)
{
	const struct xnode *n;

	for (n = top; n; n = xnode_next(n, top)) {
		size_t i;

		if (n->type != XN_TEXT)
			continue;
		for (i = 0; i < n->text_len; i++)
			if (!is_space((unsigned char)n->text[i]))
				return false;
	}
	return true;
}

static bool
is_void(const struct xnode *n)
{
	switch (n->tag) {
	case GUMBO_TAG_AREA:
	case GUMBO_TAG_BASE:
	case GUMBO_TAG_BR:
	case GUMBO_TAG_COL:
	case GUMBO_TAG_EMBED:
	case GUMBO_TAG_HR:
	case GUMBO_TAG_IMG:
	case GUMBO_TAG_INPUT:
	case GUMBO_TAG_LINK:
	case GUMBO_TAG_META:
	case GUMBO_TAG_PARAM:
	case GUMBO_TAG_SOURCE:
	case GUMBO_TAG_TRACK:
	case GUMBO_TAG_WBR:
		return true;
	default:
		return false;
	}
}

static bool
is_url_attr(const char *name)
{
	return !strcmp(name, "href") || !strcmp(name, "src") ||
	       !strcmp(name, "poster") || !strcmp(name, "cite");
}

static void
add_attrs(const struct xnode *n, const char *base, struct buf *out)
{
	unsigned i;

	for (i = 0; i < n->nattrs; i++) {
		const char *name = n->attrs[i].name;
		const char *value = n->attrs[i].value;
		char *abs = NULL;

		if (!strcmp(name, "style") || !strcmp(name, "class"))
			continue;
		if (base && is_url_attr(name) && value[0] != '#')
			abs = url_resolve(base, value);
		buf_addc(out, ' ');
		buf_adds(out, name);
		buf_adds(out, "=\"");
		if (abs)
			value = abs;
		buf_add_html(out, value, strlen(value));
		buf_addc(out, '"');
		free(abs);
	}
}

static void
open_tag(const struct xnode *n, const char *base, struct buf *out)
{
	buf_addc(out, '<');
	buf_adds(out, n->name);
	add_attrs(n, base, out);
	buf_addc(out, '>');
}

static void
close_tag(const struct xnode *n, struct buf *out)
{
	if (is_void(n))
		return;
	buf_adds(out, "</");
	buf_adds(out, n->name);
	buf_addc(out, '>');
}

void
xnode_html(const struct xnode *top, bool outer, const char *base,
	   struct buf *out)
{
	const struct xnode *n = outer ? top : top->first;

	if (!n)
		return;
	if (!outer && !top->first)
		return;
	while (n) {
		if (n->type == XN_TEXT)
			buf_add_html(out, n->text, n->text_len);
		else {
			open_tag(n, base, out);
			if (n->first && !is_void(n)) {
				n = n->first;
				continue;
			}
			close_tag(n, out);
		}
		/* Climb until a next sibling, closing what we leave. */
		for (;;) {
			if (n == top) {
				n = NULL;
				break;
			}
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (!n || n == top) {
				if (n && outer)
					close_tag(n, out);
				n = NULL;
				break;
			}
			close_tag(n, out);
		}
	}
}

static bool
is_block(const struct xnode *n)
{
	switch (n->tag) {
	case GUMBO_TAG_ADDRESS:
	case GUMBO_TAG_ARTICLE:
	case GUMBO_TAG_ASIDE:
	case GUMBO_TAG_BLOCKQUOTE:
	case GUMBO_TAG_CAPTION:
	case GUMBO_TAG_DD:
	case GUMBO_TAG_DETAILS:
	case GUMBO_TAG_DIV:
	case GUMBO_TAG_DL:
	case GUMBO_TAG_DT:
	case GUMBO_TAG_FIELDSET:
	case GUMBO_TAG_FIGCAPTION:
	case GUMBO_TAG_FIGURE:
	case GUMBO_TAG_FOOTER:
	case GUMBO_TAG_FORM:
	case GUMBO_TAG_H1:
	case GUMBO_TAG_H2:
	case GUMBO_TAG_H3:
	case GUMBO_TAG_H4:
	case GUMBO_TAG_H5:
	case GUMBO_TAG_H6:
	case GUMBO_TAG_HEADER:
	case GUMBO_TAG_HR:
	case GUMBO_TAG_LI:
	case GUMBO_TAG_MAIN:
	case GUMBO_TAG_NAV:
	case GUMBO_TAG_OL:
	case GUMBO_TAG_P:
	case GUMBO_TAG_PRE:
	case GUMBO_TAG_SECTION:
	case GUMBO_TAG_SUMMARY:
	case GUMBO_TAG_TABLE:
	case GUMBO_TAG_TR:
	case GUMBO_TAG_UL:
	case GUMBO_TAG_BR:
		return true;
	default:
		return false;
	}
}

struct text_state {
	struct buf *out;
	size_t line_start; /* offset of the current line */
	bool space;	   /* a space is owed before the next word */
};

static void
text_newline(struct text_state *t)
{
	struct buf *out = t->out;

	t->space = false;
	if (out->len > t->line_start) {
		buf_addc(out, '\n');
		t->line_start = out->len;
	}
}

static void
text_add(struct text_state *t, const struct xnode *n, bool pre)
{
	size_t i;

	for (i = 0; i < n->text_len; i++) {
		unsigned char c = (unsigned char)n->text[i];

		if (pre && c == '\n') {
			text_newline(t);
			continue;
		}
		if (is_space(c)) {
			t->space = t->out->len > t->line_start;
			continue;
		}
		if (t->space)
			buf_addc(t->out, ' ');
		t->space = false;
		buf_addc(t->out, (char)c);
	}
}

void
xnode_block_text(const struct xnode *top, struct buf *out)
{
	struct text_state t = {out, out->len, false};
	const struct xnode *n = top;
	int pre_depth = 0;

	while (n) {
		if (n->type == XN_TEXT)
			text_add(&t, n, pre_depth > 0);
		else {
			if (is_block(n))
				text_newline(&t);
			else if (n->tag == GUMBO_TAG_TD ||
				 n->tag == GUMBO_TAG_TH)
				t.space = out->len > t.line_start;
			if (n->tag == GUMBO_TAG_PRE)
				pre_depth++;
			if (n->first) {
				n = n->first;
				continue;
			}
		}
		for (;;) {
			if (n->type == XN_ELEM) {
				if (n->tag == GUMBO_TAG_PRE)
					pre_depth--;
				if (is_block(n))
					text_newline(&t);
				else if (n->tag == GUMBO_TAG_TD ||
					 n->tag == GUMBO_TAG_TH)
					t.space = out->len > t.line_start;
			}
			if (n == top) {
				n = NULL;
				break;
			}
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
		}
	}
	if (out->len > 0 && out->data[out->len - 1] == '\n')
		buf_truncate(out, out->len - 1);
}
