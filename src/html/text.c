/*
 * text.c — plain text, teaser and excerpt of HTML.
 */
#include "common.h"

#include <ctype.h>

#include "html/dom.h"
#include "html/sanitize.h"
#include "html/text.h"
#include "html/text_int.h"

bool
html_is_block(GumboTag tag)
{
	switch (tag) {
	case GUMBO_TAG_P:
	case GUMBO_TAG_DIV:
	case GUMBO_TAG_H1:
	case GUMBO_TAG_H2:
	case GUMBO_TAG_H3:
	case GUMBO_TAG_H4:
	case GUMBO_TAG_H5:
	case GUMBO_TAG_H6:
	case GUMBO_TAG_UL:
	case GUMBO_TAG_OL:
	case GUMBO_TAG_LI:
	case GUMBO_TAG_DL:
	case GUMBO_TAG_DT:
	case GUMBO_TAG_DD:
	case GUMBO_TAG_BLOCKQUOTE:
	case GUMBO_TAG_PRE:
	case GUMBO_TAG_FIGURE:
	case GUMBO_TAG_FIGCAPTION:
	case GUMBO_TAG_TABLE:
	case GUMBO_TAG_CAPTION:
	case GUMBO_TAG_THEAD:
	case GUMBO_TAG_TBODY:
	case GUMBO_TAG_TFOOT:
	case GUMBO_TAG_TR:
	case GUMBO_TAG_HR:
	case GUMBO_TAG_BR:
	case GUMBO_TAG_SECTION:
	case GUMBO_TAG_ARTICLE:
	case GUMBO_TAG_HEADER:
	case GUMBO_TAG_FOOTER:
	case GUMBO_TAG_ASIDE:
	case GUMBO_TAG_NAV:
	case GUMBO_TAG_MAIN:
	case GUMBO_TAG_ADDRESS:
	case GUMBO_TAG_DETAILS:
	case GUMBO_TAG_SUMMARY:
	case GUMBO_TAG_CENTER:
	case GUMBO_TAG_HGROUP:
	case GUMBO_TAG_FORM:
	case GUMBO_TAG_FIELDSET:
		return true;
	default:
		return false;
	}
}

/* isspace() in the C and C.UTF-8 locales: no byte above 0x7f is. */
static bool
is_space_byte(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Bytes of U+00A0 NO-BREAK SPACE in UTF-8 at p (before end). */
static bool
is_nbsp_at(const unsigned char *p, const unsigned char *end)
{
	return p[0] == 0xc2 && end - p > 1 && p[1] == 0xa0;
}

/* True when *p is written as it is (not a space to collapse). */
static bool
tw_plain(const unsigned char *p, const unsigned char *end, bool pre)
{
	unsigned char c = *p;

	if (c > ' ' && c != 0xc2)
		return true;
	if (pre && (c == ' ' || c == '\t'))
		return true;
	return c != '\n' && !is_space_byte(c) && !is_nbsp_at(p, end);
}

/* True for the bytes of a word that need no closer look. */
static bool
is_word_byte(unsigned char c)
{
	return c > ' ' && c != 0xc2;
}

/*
 * Words are copied into room made once for the whole text (what is written
 * is at most the text and one owed separator), and words apart by one ' '
 * as they stand, the space being the separator the next word would be
 * given.
 */
void
html_tw_text(struct text_writer *t, const char *s, size_t len, bool pre)
{
	struct buf *out = t->out;
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	char *d, *first;

	if (t->full || len == 0 || buf_grow(out, len + 1))
		return;
	d = out->data + out->len;
	first = out->data + t->start;
	while (p < end) {
		const unsigned char *q;
		size_t room;

		if (!tw_plain(p, end, pre)) {
			if (pre && *p == '\n') {
				t->newline = true;
				p++;
			} else if (is_nbsp_at(p, end)) {
				t->space = true;
				p += 2;
			} else {
				t->space = true;
				p++;
			}
			continue;
		}
		/* A run of plain bytes, after what is owed. */
		if (d > first && (t->newline || t->space)) {
			if (t->newline && !t->separator_space)
				*d++ = '\n';
			else
				*d++ = ' ';
			t->chars++;
		}
		t->newline = false;
		t->space = false;
		/* With a limit, words are joined only about as far as it. */
		room = t->max_chars ? t->max_chars - t->chars : len;
		q = p + 1;
		while (q < end) {
			if (is_word_byte(*q)) {
				q++;
			} else if (*q == ' ' && end - q > 1 &&
				   is_word_byte(q[1]) &&
				   (size_t)(q - p) < room) {
				q += 2;
			} else if (tw_plain(q, end, pre)) {
				q++;
			} else {
				break;
			}
		}
		memcpy(d, p, (size_t)(q - p));
		d += q - p;
		if (t->max_chars) {
			t->chars += html_utf8_chars((const char *)p,
						    (size_t)(q - p));
			if (t->chars >= t->max_chars) {
				t->full = true;
				break;
			}
		}
		p = q;
	}
	out->len = (size_t)(d - out->data);
	*d = '\0';
}

static void
write_text_of(const GumboNode *root, struct text_writer *t)
{
	struct dom_walk w;
	const GumboNode *n;
	bool leaving;
	unsigned pre = 0;

	dom_walk_init(&w, root);
	while (dom_walk_next(&w, &n, &leaving)) {
		GumboTag tag = dom_tag(n);

		if (dom_is_text(n)) {
			html_tw_text(t, n->v.text.text, strlen(n->v.text.text),
				     pre > 0);
			continue;
		}
		if (n->type != GUMBO_NODE_ELEMENT)
			continue;
		switch (tag) {
		case GUMBO_TAG_SCRIPT:
		case GUMBO_TAG_STYLE:
		case GUMBO_TAG_TEMPLATE:
		case GUMBO_TAG_NOSCRIPT:
		case GUMBO_TAG_HEAD:
			if (!leaving)
				dom_walk_skip(&w);
			continue;
		case GUMBO_TAG_PRE:
			if (leaving)
				pre--;
			else
				pre++;
			break;
		case GUMBO_TAG_TD:
		case GUMBO_TAG_TH:
			t->space = true;
			continue;
		default:
			break;
		}
		if (html_is_block(tag))
			t->newline = true;
	}
	dom_walk_release(&w);
}

enum status
html_to_text(const char *html, size_t len, struct buf *out)
{
	struct text_writer t = {out, out->len, false, false, false};
	struct dom d;
	enum status rc;

	rc = dom_parse(&d, html, len, NULL, true);
	if (rc)
		return rc;
	write_text_of(d.root, &t);
	dom_release(&d);
	return out->err;
}

/* Number of code points in s[0..len). */
size_t
html_utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* Byte offset of code point number chars in s (or len). */
static size_t
utf8_offset(const char *s, size_t len, size_t chars)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (n == chars)
				return i;
			n++;
		}
	}
	return len;
}

/*
 * Cuts text (one line) to at most max_chars characters including the "…":
 * at the last sentence end if that keeps at least half, else at the last
 * word boundary, else in the middle of the word. Returns the bytes to keep.
 */
size_t
html_cut_point(const char *s, size_t len, size_t max_chars, bool sentences)
{
	size_t limit, i, word = 0, sentence = 0;

	if (max_chars < 2)
		return 0;
	limit = utf8_offset(s, len, max_chars - 1);
	for (i = 1; i <= limit && i < len; i++) {
		char c;

		if (s[i] != ' ')
			continue;
		word = i;
		c = s[i - 1];
		if (c == '.' || c == '!' || c == '?' || c == '\0')
			sentence = i;
	}
	if (limit >= len)
		return len;
	if (sentences && sentence > 0 &&
	    html_utf8_chars(s, sentence) * 2 >= max_chars)
		return sentence;
	if (word > 0)
		return word;
	return limit;
}

enum status
html_text_excerpt(const char *html, size_t len, size_t max_chars,
		  struct buf *out)
{
	struct buf text = BUF_INIT;
	struct text_writer t = {&text, 0, false, false, true};
	struct dom d;
	enum status rc;
	size_t keep;

	rc = dom_parse(&d, html, len, NULL, true);
	if (rc)
		return rc;
	write_text_of(d.root, &t);
	dom_release(&d);
	if (text.err) {
		rc = text.err;
		goto out;
	}
	if (html_utf8_chars(text.data, text.len) <= max_chars) {
		buf_addstr(out, buf_str(&text));
	} else {
		keep = html_cut_point(text.data, text.len, max_chars, false);
		while (keep > 0 && strchr(" ,;:-", text.data[keep - 1]))
			keep--;
		buf_add(out, text.data, keep);
		buf_adds(out, "\xe2\x80\xa6");
	}
	rc = out->err;
out:
	buf_release(&text);
	return rc;
}

/* --- teaser -------------------------------------------------------------- */

/* Where a node's source bytes end (sanitised input: tags are explicit). */
static size_t
node_end(const GumboNode *n)
{
	const GumboElement *e;

	if (dom_is_text(n))
		return n->v.text.start_pos.offset +
		       n->v.text.original_text.length;
	if (n->type != GUMBO_NODE_ELEMENT)
		return 0;
	e = &n->v.element;
	if (e->original_end_tag.length > 0)
		return e->end_pos.offset + e->original_end_tag.length;
	if (e->original_tag.length > 0 && e->children.length == 0)
		return e->start_pos.offset + e->original_tag.length;
	return e->end_pos.offset;
}

static size_t
node_start(const GumboNode *n)
{
	if (dom_is_text(n))
		return n->v.text.start_pos.offset;
	return n->v.element.start_pos.offset;
}

/* One top-level block of the body. */
struct unit {
	size_t from, to;     /* source bytes */
	size_t chars;	     /* characters of collapsed text */
	bool paragraph;	     /* running text (p, quote, list, loose text) */
	const GumboNode *p;  /* the element, or NULL for loose inline runs */
	const GumboNode *n0; /* first node of a loose run */
	size_t count;	     /* nodes in a loose run */
};

struct units {
	struct unit *v; /* the units in document order */
	size_t len;	/* units in use */
	size_t cap;	/* units allocated */
};

static void
units_add(struct units *u, const struct unit *x)
{
	if (u->len == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 32;
		u->v = xreallocarray(u->v, u->cap, sizeof(*u->v));
	}
	u->v[u->len++] = *x;
}

static size_t
text_chars(const GumboNode *n)
{
	struct buf b = BUF_INIT;
	size_t chars;

	dom_text(n, &b, true);
	chars = html_utf8_chars(b.data, b.len);
	buf_release(&b);
	return chars;
}

/* True for a <div> that holds blocks (a wrapper to look through). */
static bool
is_wrapper(const GumboNode *n)
{
	const GumboVector *kids = dom_children(n);
	unsigned i;

	if (!dom_is(n, GUMBO_TAG_DIV) && !dom_is(n, GUMBO_TAG_SECTION) &&
	    !dom_is(n, GUMBO_TAG_ARTICLE) && !dom_is(n, GUMBO_TAG_MAIN))
		return false;
	for (i = 0; i < kids->length; i++)
		if (html_is_block(dom_tag(kids->data[i])))
			return true;
	return false;
}

void
html_write_cut_text(const char *text, size_t len, size_t budget,
		    struct buf *out)
{
	size_t keep = html_cut_point(text, len, budget, true);

	while (keep > 0 && strchr(" ,;:-", text[keep - 1]))
		keep--;
	if (keep > 0) {
		buf_adds(out, "<p>");
		buf_add_html(out, text, keep);
		buf_adds(out, "\xe2\x80\xa6</p>");
	}
}

bool
html_is_paragraph(GumboTag tag)
{
	return tag == GUMBO_TAG_P || tag == GUMBO_TAG_BLOCKQUOTE ||
	       tag == GUMBO_TAG_UL || tag == GUMBO_TAG_OL ||
	       tag == GUMBO_TAG_DL || tag == GUMBO_TAG_DIV ||
	       tag == GUMBO_TAG_PRE;
}

/*
 * Collects the top-level units, looking through wrapper divs. Iterative:
 * wrappers are pushed on an explicit stack of (node, next child).
 */
static void
collect_units(const GumboNode *root, struct units *u)
{
	struct dom_walk w;
	const GumboNode *n;
	bool leaving;
	struct unit run = {0};

	dom_walk_init(&w, root);
	while (dom_walk_next(&w, &n, &leaving)) {
		GumboTag tag = dom_tag(n);
		bool loose;

		if (n == root)
			continue;
		if (leaving) {
			/* Leaving a wrapper ends a loose run inside it. */
			if (run.count) {
				units_add(u, &run);
				memset(&run, 0, sizeof(run));
			}
			continue;
		}
		if (n->type != GUMBO_NODE_ELEMENT && !dom_is_text(n))
			continue;
		if (n->type == GUMBO_NODE_ELEMENT && is_wrapper(n)) {
			if (run.count) {
				units_add(u, &run);
				memset(&run, 0, sizeof(run));
			}
			continue; /* descend */
		}
		loose = dom_is_text(n) || !html_is_block(tag) ||
			tag == GUMBO_TAG_BR;
		if (n->type == GUMBO_NODE_ELEMENT)
			dom_walk_skip(&w);
		if (loose) {
			size_t chars = dom_is_text(n)
					       ? html_utf8_chars(
							 n->v.text.text,
							 strlen(n->v.text.text))
					       : text_chars(n);

			if (!run.count) {
				run.from = node_start(n);
				run.paragraph = true;
				run.n0 = n;
			}
			run.to = node_end(n);
			run.count++;
			run.chars += chars;
			continue;
		}
		if (run.count) {
			units_add(u, &run);
			memset(&run, 0, sizeof(run));
		}
		{
			struct unit x = {0};

			x.from = node_start(n);
			x.to = node_end(n);
			x.chars = text_chars(n);
			x.paragraph = html_is_paragraph(tag);
			x.p = n;
			units_add(u, &x);
		}
	}
	if (run.count)
		units_add(u, &run);
	dom_walk_release(&w);
}

/* Writes the first paragraph cut to budget characters, with "…". */
static void
write_cut_paragraph(const struct unit *x, const char *src, size_t budget,
		    struct buf *out)
{
	struct buf text = BUF_INIT, frag = BUF_INIT;
	struct text_writer t = {&text, 0, false, false, true};
	struct dom d;

	/* The unit's own bytes only: nothing later can leak in. */
	buf_add(&frag, src + x->from, x->to - x->from);
	if (dom_parse(&d, frag.data, frag.len, NULL, true) == ST_OK) {
		write_text_of(d.root, &t);
		dom_release(&d);
	}
	html_write_cut_text(text.data, text.len, budget, out);
	buf_release(&text);
	buf_release(&frag);
}

enum status
html_teaser(const char *sanitised_html, size_t len, size_t max_chars,
	    struct buf *out_html, bool *truncated)
{
	struct units u = {0};
	struct buf raw = BUF_INIT;
	struct dom d;
	const char *src;
	size_t used = 0, i;
	bool have_paragraph = false, cut = false;
	enum status rc;

	rc = dom_parse(&d, sanitised_html, len, NULL, true);
	if (rc)
		return rc;
	src = d.filtered ? d.filtered : sanitised_html;
	collect_units(d.root, &u);
	for (i = 0; i < u.len; i++) {
		const struct unit *x = &u.v[i];
		size_t budget;

		if (x->chars == 0 && !x->p)
			continue; /* white space between blocks */
		if (used + x->chars <= max_chars) {
			if (!x->p)
				buf_adds(&raw, "<p>");
			buf_add(&raw, src + x->from, x->to - x->from);
			if (!x->p)
				buf_adds(&raw, "</p>");
			used += x->chars;
			have_paragraph |= x->paragraph && x->chars > 0;
			continue;
		}
		cut = true;
		if (have_paragraph)
			break;
		if (!x->paragraph)
			continue; /* a long heading or table: look on */
		/* At least one paragraph, even past a tiny budget. */
		budget = MAX(max_chars - used, 40);
		write_cut_paragraph(x, src, budget, &raw);
		have_paragraph = true;
		break;
	}
	rc = raw.err;
	if (!rc)
		rc = html_sanitize(raw.data, raw.len, NULL, NULL, out_html);
	if (!rc)
		*truncated = cut;
	dom_release(&d);
	buf_release(&raw);
	free(u.v);
	return rc;
}
