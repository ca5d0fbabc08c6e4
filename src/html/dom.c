/*
 * dom.c — gumbo parsing with bounded depth, and helpers over the tree.
 */
#include "common.h"

#include <ctype.h>

#include "html/dom.h"

/*
 * The depth limiter keeps its own estimate of the tree builder's stack of
 * open elements. The estimate must never fall far below the real depth, or
 * hostile input (unclosed formatting elements that the parser reconstructs,
 * end tags that match nothing) could grow the tree without bound. So:
 *  - an end tag pops only when its name is on the estimated stack, and the
 *    formatting elements above it stay (the parser reconstructs them);
 *  - a start tag that closes its own kind (p, li, td…) pops only when that
 *    kind is on top;
 *  - anything unclear is counted as open.
 * Raw-text elements (script, style…) are skipped to their end tag, as the
 * tokenizer does; comments likewise.
 */

#define NAME_MAX_LEN 23

struct open_elem {
	char name[NAME_MAX_LEN + 1]; /* lower-case tag name, NUL-terminated */
	bool long_name;		     /* the real name was longer: never pops */
	bool formatting;	     /* a formatting element (reconstructed) */
};

struct limiter {
	const char *in;		 /* the input */
	size_t len;		 /* its length */
	struct open_elem *stack; /* estimated open elements */
	size_t depth;		 /* entries in use */
	size_t max_depth;	 /* the cap (entries allocated) */
	struct buf out;		 /* filtered copy, once a tag was dropped */
	size_t copied;		 /* input bytes accounted for in out */
	bool changed;		 /* out is in use */
	size_t dropped;		 /* start tags removed */
};

static bool
name_in(const char *name, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

static bool
is_void(const char *name)
{
	static const char *const voids[] = {
		"area",	 "base",   "basefont", "bgsound", "br",
		"col",	 "embed",  "frame",    "hr",	  "image",
		"img",	 "input",  "keygen",   "link",	  "meta",
		"param", "source", "track",    "wbr",
	};

	return name_in(name, voids, ARRAY_SIZE(voids));
}

static bool
is_raw_text(const char *name)
{
	static const char *const raw[] = {
		"script",  "style",    "xmp",	"iframe",
		"noembed", "noframes", "title", "textarea",
	};

	return name_in(name, raw, ARRAY_SIZE(raw));
}

static bool
is_formatting(const char *name)
{
	static const char *const fmt[] = {
		"a",	"b", "big",   "code",	"em",	  "font", "i",
		"nobr", "s", "small", "strike", "strong", "tt",	  "u",
	};

	return name_in(name, fmt, ARRAY_SIZE(fmt));
}

static bool
closes_same(const char *name)
{
	static const char *const same[] = {
		"p",  "li", "dt", "dd",	   "option",  "optgroup",
		"tr", "td", "th", "tbody", "thead",   "tfoot",
		"rb", "rt", "rp", "rtc",   "caption", "colgroup",
	};

	return name_in(name, same, ARRAY_SIZE(same));
}

static bool
is_name_char(char c)
{
	return c && !isspace((unsigned char)c) && c != '/' && c != '>';
}

/* Reads a tag name at in[*i]; lower-cased into name; advances *i. */
static void
read_name(const char *in, size_t len, size_t *i, char *name, bool *long_name)
{
	size_t n = 0;

	*long_name = false;
	while (*i < len && is_name_char(in[*i])) {
		if (n < NAME_MAX_LEN)
			name[n++] = (char)tolower((unsigned char)in[*i]);
		else
			*long_name = true;
		(*i)++;
	}
	name[n] = '\0';
}

/* Skips the attributes of a tag to just past its '>' (or to the end). */
static size_t
skip_tag_rest(const char *in, size_t len, size_t i)
{
	char quote = 0;

	/* Quotes count only in attribute values, after '='. */
	bool after_eq = false;

	for (; i < len; i++) {
		char c = in[i];

		if (quote) {
			if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '>')
			return i + 1;
		if (after_eq && (c == '"' || c == '\'')) {
			quote = c;
			after_eq = false;
			continue;
		}
		if (c == '=')
			after_eq = true;
		else if (!isspace((unsigned char)c))
			after_eq = false;
	}
	return len;
}

/* Finds the end tag "</name" (any case) at or after i; returns its start. */
static size_t
find_end_tag(const char *in, size_t len, size_t i, const char *name)
{
	size_t nlen = strlen(name);

	for (; i + 2 + nlen <= len; i++) {
		const char *p = memchr(in + i, '<', len - i);

		if (!p)
			return len;
		i = (size_t)(p - in);
		if (i + 2 + nlen <= len && in[i + 1] == '/' &&
		    !strncasecmp(in + i + 2, name, nlen) &&
		    (i + 2 + nlen == len || !is_name_char(in[i + 2 + nlen])))
			return i;
	}
	return len;
}

static void
drop_range(struct limiter *l, size_t from, size_t to)
{
	if (!l->changed) {
		buf_init(&l->out, 0);
		l->changed = true;
	}
	buf_add(&l->out, l->in + l->copied, from - l->copied);
	l->copied = to;
	l->dropped++;
}

static void
end_tag(struct limiter *l, const char *name, bool long_name)
{
	size_t k, j, kept;

	if (long_name)
		return;
	for (k = l->depth; k > 0; k--)
		if (!l->stack[k - 1].long_name &&
		    !strcmp(l->stack[k - 1].name, name))
			break;
	if (k == 0)
		return;
	/* Remove entry k-1 and the non-formatting entries above it. */
	kept = k - 1;
	for (j = k; j < l->depth; j++)
		if (l->stack[j].formatting)
			l->stack[kept++] = l->stack[j];
	l->depth = kept;
}

static void
limit_depth(struct limiter *l)
{
	const char *in = l->in;
	size_t len = l->len, i = 0;
	char name[NAME_MAX_LEN + 1];
	bool long_name;

	while (i < len) {
		const char *p = memchr(in + i, '<', len - i);
		size_t tag_start;

		if (!p)
			break;
		tag_start = (size_t)(p - in);
		i = tag_start + 1;
		if (i >= len)
			break;
		if (in[i] == '!') {
			if (len - i >= 3 && in[i + 1] == '-' &&
			    in[i + 2] == '-') {
				const char *e = memmem(in + i + 3, len - i - 3,
						       "-->", 3);

				i = e ? (size_t)(e - in) + 3 : len;
			} else {
				const char *e = memchr(in + i, '>', len - i);

				i = e ? (size_t)(e - in) + 1 : len;
			}
			continue;
		}
		if (in[i] == '?') {
			const char *e = memchr(in + i, '>', len - i);

			i = e ? (size_t)(e - in) + 1 : len;
			continue;
		}
		if (in[i] == '/') {
			i++;
			if (i < len && isalpha((unsigned char)in[i])) {
				read_name(in, len, &i, name, &long_name);
				end_tag(l, name, long_name);
			}
			i = skip_tag_rest(in, len, i);
			continue;
		}
		if (!isalpha((unsigned char)in[i]))
			continue;
		read_name(in, len, &i, name, &long_name);
		i = skip_tag_rest(in, len, i);
		if (!long_name && !strcmp(name, "plaintext"))
			break;
		if (!long_name && is_raw_text(name)) {
			i = find_end_tag(in, len, i, name);
			continue;
		}
		if (!long_name && is_void(name))
			continue;
		if (!long_name && closes_same(name) && l->depth > 0 &&
		    !strcmp(l->stack[l->depth - 1].name, name))
			l->depth--;
		if (l->depth >= l->max_depth) {
			drop_range(l, tag_start, i);
			continue;
		}
		memcpy(l->stack[l->depth].name, name, sizeof(name));
		l->stack[l->depth].long_name = long_name;
		l->stack[l->depth].formatting =
			!long_name && is_formatting(name);
		l->depth++;
	}
	if (l->changed)
		buf_add(&l->out, in + l->copied, len - l->copied);
}

/*
 * gumbo 0.10 reads memory it never wrote when it parses a fragment (the
 * document's quirks mode among it), so a <table> inside a <p> was closed
 * out of it or not depending on what the heap held. Zeroed memory makes
 * every parse the same: no quirks, as HTML gives a fragment.
 */
static void *
zeroed_alloc(void *userdata, size_t size)
{
	(void)userdata;
	return xcalloc(1, size);
}

static void
zeroed_free(void *userdata, void *ptr)
{
	(void)userdata;
	free(ptr);
}

enum status
dom_parse(struct dom *d, const char *html, size_t len,
	  const struct dom_limits *lim, bool fragment)
{
	struct limiter l = {0};
	size_t max_input =
		lim && lim->max_input ? lim->max_input : DOM_DEFAULT_MAX_INPUT;
	unsigned max_depth =
		lim && lim->max_depth ? lim->max_depth : DOM_DEFAULT_MAX_DEPTH;

	memset(d, 0, sizeof(*d));
	if (!html)
		len = 0;
	if (len > max_input) {
		len = max_input;
		d->truncated = true;
	}
	l.in = html ? html : "";
	l.len = len;
	l.max_depth = max_depth;
	l.stack = xmallocarray(max_depth, sizeof(*l.stack));
	limit_depth(&l);
	free(l.stack);
	if (l.changed) {
		if (l.out.err) {
			buf_release(&l.out);
			return ST_NOMEM;
		}
		d->filtered = buf_detach(&l.out, &len);
		d->dropped_tags = l.dropped;
	}

	d->options = kGumboDefaultOptions;
	d->options.max_errors = 0;
	d->options.allocator = zeroed_alloc;
	d->options.deallocator = zeroed_free;
	if (fragment) {
		d->options.fragment_context = GUMBO_TAG_BODY;
		d->options.fragment_namespace = GUMBO_NAMESPACE_HTML;
	}
	d->output = gumbo_parse_with_options(
		&d->options, d->filtered ? d->filtered : l.in, len);
	if (!d->output) {
		dom_release(d);
		return ST_PARSE;
	}
	d->root = fragment ? d->output->root : d->output->document;
	return ST_OK;
}

void
dom_release(struct dom *d)
{
	if (d->output)
		gumbo_destroy_output(&d->options, d->output);
	free(d->filtered);
	d->output = NULL;
	d->root = NULL;
	d->filtered = NULL;
}

bool
dom_is(const GumboNode *n, GumboTag tag)
{
	return n &&
	       (n->type == GUMBO_NODE_ELEMENT ||
		n->type == GUMBO_NODE_TEMPLATE) &&
	       n->v.element.tag == tag &&
	       n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML;
}

GumboTag
dom_tag(const GumboNode *n)
{
	if (n &&
	    (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE))
		return n->v.element.tag;
	return GUMBO_TAG_UNKNOWN;
}

const char *
dom_attr(const GumboNode *n, const char *name)
{
	const GumboAttribute *a;

	if (!n ||
	    (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE))
		return NULL;
	a = gumbo_get_attribute(&n->v.element.attributes, name);
	return a ? a->value : NULL;
}

const GumboVector *
dom_children(const GumboNode *n)
{
	if (!n)
		return NULL;
	if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE)
		return &n->v.element.children;
	if (n->type == GUMBO_NODE_DOCUMENT)
		return &n->v.document.children;
	return NULL;
}

bool
dom_is_text(const GumboNode *n)
{
	return n &&
	       (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA ||
		n->type == GUMBO_NODE_WHITESPACE);
}

void
dom_text(const GumboNode *root, struct buf *out, bool collapse)
{
	struct dom_walk w;
	const GumboNode *n;
	bool leaving;
	/* With collapse: a space is owed before the next word. */
	bool space = false;
	bool at_start = true;

	dom_walk_init(&w, root);
	while (dom_walk_next(&w, &n, &leaving)) {
		const char *s;

		if (leaving)
			continue;
		switch (dom_tag(n)) {
		case GUMBO_TAG_SCRIPT:
		case GUMBO_TAG_STYLE:
		case GUMBO_TAG_TEMPLATE:
		case GUMBO_TAG_NOSCRIPT:
			dom_walk_skip(&w);
			continue;
		default:
			break;
		}
		if (!dom_is_text(n))
			continue;
		s = n->v.text.text;
		if (!collapse) {
			buf_adds(out, s);
			continue;
		}
		for (; *s; s++) {
			if (isspace((unsigned char)*s)) {
				space = true;
				continue;
			}
			if (space && !at_start)
				buf_addc(out, ' ');
			space = false;
			at_start = false;
			buf_addc(out, *s);
		}
	}
	if (space && !at_start)
		buf_addc(out, ' ');
	dom_walk_release(&w);
}

void
dom_walk_init(struct dom_walk *w, const GumboNode *root)
{
	memset(w, 0, sizeof(*w));
	w->start = root;
}

static void
walk_push(struct dom_walk *w, const GumboNode *n)
{
	if (w->depth == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 32;
		w->stack = xreallocarray(w->stack, w->cap, sizeof(*w->stack));
	}
	w->stack[w->depth].node = n;
	w->stack[w->depth].next = 0;
	w->depth++;
}

bool
dom_walk_next(struct dom_walk *w, const GumboNode **node, bool *leaving)
{
	if (w->start) {
		const GumboNode *n = w->start;

		w->start = NULL;
		if (dom_children(n))
			walk_push(w, n);
		w->last_depth = 0;
		*node = n;
		*leaving = false;
		return true;
	}
	while (w->depth > 0) {
		struct dom_walk_frame *f = &w->stack[w->depth - 1];
		const GumboVector *kids = dom_children(f->node);

		if (f->next < kids->length) {
			const GumboNode *c = kids->data[f->next++];

			w->last_depth = w->depth;
			if (dom_children(c))
				walk_push(w, c);
			*node = c;
			*leaving = false;
			return true;
		}
		w->depth--;
		w->last_depth = w->depth;
		*node = f->node;
		*leaving = true;
		return true;
	}
	return false;
}

void
dom_walk_skip(struct dom_walk *w)
{
	/* Only a node just entered has a frame whose next child is 0. */
	if (w->depth > 0 && w->stack[w->depth - 1].next == 0)
		w->stack[w->depth - 1].next = UINT_MAX;
}

size_t
dom_walk_depth(const struct dom_walk *w)
{
	return w->last_depth;
}

void
dom_walk_release(struct dom_walk *w)
{
	free(w->stack);
	memset(w, 0, sizeof(*w));
}
