/*
 * prepare.c — sanitised HTML, text and teaser of a body from one reading.
 *
 * The functions here mirror text.c's over the tree the sanitiser recorded
 * (struct html_record) instead of over a gumbo parse of its output; each
 * says which one it mirrors. Any change to text.c must be made here too: the
 * differential test (tests/unit/test_html_prepare.c) compares both.
 */
#include "common.h"

#include <ctype.h>
#include <time.h>

#include "html/dom.h"
#include "html/prepare.h"
#include "html/sanitize.h"
#include "html/sanitize_int.h"
#include "html/text.h"
#include "html/text_int.h"

/* Sanitises with the front end mode asks for; *fast tells which ran. */
static enum status
sanitize_rec(const char *html, size_t len, const char *base_url,
	     enum html_prepare_mode mode, struct buf *out,
	     struct html_record *rec, bool *fast)
{
	enum status rc;

	*fast = false;
	if (mode != HTML_PREPARE_GUMBO) {
		rc = san_fast(html, len, base_url, NULL, out, rec);
		if (rc != ST_UNSUPPORTED) {
			*fast = true;
			return rc;
		}
		if (mode == HTML_PREPARE_FAST)
			return rc;
	}
	return san_gumbo(html, len, base_url, NULL, out, rec);
}

/* A growable stack of node indexes, on the C stack while it is short. */
struct istack {
	size_t *v;	     /* the entries: inline or on the heap */
	size_t len;	     /* entries in use */
	size_t cap;	     /* entries allocated */
	size_t inline_v[32]; /* the first entries */
};

static void
istack_init(struct istack *s)
{
	s->v = s->inline_v;
	s->len = 0;
	s->cap = ARRAY_SIZE(s->inline_v);
}

static void
istack_push(struct istack *s, size_t i)
{
	if (s->len == s->cap) {
		size_t *v = xmallocarray(2 * s->cap, sizeof(*s->v));

		memcpy(v, s->v, s->len * sizeof(*s->v));
		if (s->v != s->inline_v)
			free(s->v);
		s->v = v;
		s->cap *= 2;
	}
	s->v[s->len++] = i;
}

static void
istack_release(struct istack *s)
{
	if (s->v != s->inline_v)
		free(s->v);
}

static void
text_event(struct text_writer *t, GumboTag tag, bool leaving, unsigned *pre)
{
	if (tag == GUMBO_TAG_PRE) {
		if (leaving)
			(*pre)--;
		else
			(*pre)++;
	}
	if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) {
		t->space = true;
		return;
	}
	if (html_is_block(tag))
		t->newline = true;
}

/* text.c write_text_of() over the nodes [a, b) (whole subtrees). */
static void
rec_write_text(const struct html_record *r, size_t a, size_t b,
	       struct text_writer *t)
{
	struct istack open;
	unsigned pre = 0;
	size_t i;

	istack_init(&open);
	for (i = a; !t->full; i++) {
		while (open.len > 0 && r->v[open.v[open.len - 1]].end == i)
			text_event(t, r->v[open.v[--open.len]].tag, true, &pre);
		if (i >= b)
			break;
		if (r->v[i].text) {
			html_tw_text(t, r->text.data + r->v[i].toff,
				     r->v[i].tlen, pre > 0);
			continue;
		}
		text_event(t, r->v[i].tag, false, &pre);
		istack_push(&open, i);
	}
	istack_release(&open);
}

/*
 * text.c text_chars(): characters of dom_text(collapse) of node i, counted
 * only until they pass limit (any count above limit is as good).
 */
static size_t
rec_text_chars(const struct html_record *r, size_t i, size_t limit)
{
	size_t end = r->v[i].end, n = 0;
	bool space = false, at_start = true;

	for (; i < end; i++) {
		const unsigned char *s;

		if (!r->v[i].text)
			continue;
		s = (const unsigned char *)r->text.data + r->v[i].toff;
		for (; *s; s++) {
			if (*s == ' ' || (*s >= '\t' && *s <= '\r')) {
				space = true;
				continue;
			}
			if (space && !at_start)
				n++;
			space = false;
			at_start = false;
			if ((*s & 0xc0) != 0x80 && ++n > limit)
				return n;
		}
	}
	if (space && !at_start)
		n++;
	return n;
}

/* text.c is_wrapper(). */
static bool
rec_is_wrapper(const struct html_record *r, size_t i)
{
	size_t c;

	if (r->v[i].text || r->v[i].tag != GUMBO_TAG_DIV)
		return false;
	for (c = i + 1; c < r->v[i].end; c = r->v[c].end)
		if (!r->v[c].text && html_is_block(r->v[c].tag))
			return true;
	return false;
}

/* One top-level block of the body (text.c struct unit). */
struct unit {
	size_t from, to; /* output bytes */
	bool paragraph;	 /* running text */
	bool element;	 /* a block element (else a loose run) */
	size_t n0, n1;	 /* its nodes [n0, n1) */
};

struct units {
	struct unit *v;
	size_t len;
	size_t cap;
};

static void
units_add(struct units *u, struct unit *x)
{
	if (u->len == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 32;
		u->v = xreallocarray(u->v, u->cap, sizeof(*u->v));
	}
	u->v[u->len++] = *x;
	memset(x, 0, sizeof(*x));
}

/*
 * text.c collect_units(): the walk reports a leave event for every element
 * it entered (wrappers, and the blocks and inline elements it skipped), and
 * each leave event ends the loose run. The units' characters are counted
 * when the teaser looks at them (unit_chars()).
 */
static void
rec_collect_units(const struct html_record *r, struct units *u)
{
	struct istack wrappers;
	struct unit run = {0};
	size_t i = 0;

	istack_init(&wrappers);

	for (;;) {
		const struct wnode *w;

		while (wrappers.len > 0 &&
		       r->v[wrappers.v[wrappers.len - 1]].end == i) {
			wrappers.len--;
			if (run.n1 > run.n0)
				units_add(u, &run);
		}
		if (i >= r->len)
			break;
		w = &r->v[i];
		if (!w->text && rec_is_wrapper(r, i)) {
			if (run.n1 > run.n0)
				units_add(u, &run);
			istack_push(&wrappers, i);
			i++;
			continue;
		}
		if (w->text || !html_is_block(w->tag) ||
		    w->tag == GUMBO_TAG_BR) {
			if (run.n1 == run.n0) {
				run.from = w->from;
				run.paragraph = true;
				run.n0 = i;
			}
			run.to = w->to;
			run.n1 = w->end;
			i = w->end;
			/* An element's leave event ends the run. */
			if (!w->text)
				units_add(u, &run);
			continue;
		}
		if (run.n1 > run.n0)
			units_add(u, &run);
		{
			struct unit x = {0};

			x.from = w->from;
			x.to = w->to;
			x.paragraph = html_is_paragraph(w->tag);
			x.element = true;
			x.n0 = i;
			x.n1 = w->end;
			units_add(u, &x);
		}
		i = w->end;
	}
	if (run.n1 > run.n0)
		units_add(u, &run);
	istack_release(&wrappers);
}

/*
 * The characters of collapsed text in unit x (text.c collect_units()
 * counts them for each of its top-level nodes), counted only until they
 * pass limit. The teaser takes a unit whole or not at all by comparing its
 * characters with what is left of its budget, and past the budget goes on
 * only to find a paragraph: most of a long body is never counted.
 */
static size_t
unit_chars(const struct html_record *r, const struct unit *x, size_t limit)
{
	size_t i, n = 0;

	if (x->element)
		return rec_text_chars(r, x->n0, limit);
	for (i = x->n0; i < x->n1 && n <= limit; i = r->v[i].end)
		n += r->v[i].text ? html_utf8_chars(r->text.data + r->v[i].toff,
						    r->v[i].tlen)
				  : rec_text_chars(r, i, limit);
	return n;
}

/*
 * text.c write_cut_paragraph(). The cut looks at the first budget
 * characters of the text only, and at whether there are more: the text is
 * written only that far.
 */
static void
rec_cut_paragraph(const struct html_record *r, const struct unit *x,
		  size_t budget, struct buf *out)
{
	struct buf text = BUF_INIT;
	struct text_writer t = {&text, 0, false, false, true, 0, 0, false};

	t.max_chars = MAX(budget, (size_t)1);
	rec_write_text(r, x->n0, x->n1, &t);
	html_write_cut_text(text.data, text.len, budget, out);
	buf_release(&text);
}

/* text.c html_teaser() up to its final sanitising: the raw teaser. */
static enum status
rec_teaser(const struct html_record *r, const char *src, size_t max_chars,
	   struct buf *raw, bool *truncated)
{
	struct units u = {0};
	size_t used = 0, i;
	bool have_paragraph = false, cut = false;
	enum status rc;

	rec_collect_units(r, &u);
	for (i = 0; i < u.len; i++) {
		const struct unit *x = &u.v[i];
		size_t chars = unit_chars(r, x, max_chars), budget;

		if (chars == 0 && !x->element)
			continue;
		if (used + chars <= max_chars) {
			if (!x->element)
				buf_adds(raw, "<p>");
			buf_add(raw, src + x->from, x->to - x->from);
			if (!x->element)
				buf_adds(raw, "</p>");
			used += chars;
			have_paragraph |= x->paragraph && chars > 0;
			continue;
		}
		cut = true;
		if (have_paragraph)
			break;
		if (!x->paragraph)
			continue;
		budget = MAX(max_chars - used, 40);
		rec_cut_paragraph(r, x, budget, raw);
		have_paragraph = true;
		break;
	}
	rc = raw->err;
	*truncated = cut;
	free(u.v);
	return rc;
}

/* The chain itself, for output too long for the record's assumptions. */
static enum status
prepare_by_chain(struct html_prepared *out, size_t teaser_chars)
{
	struct buf tt = BUF_INIT;
	enum status rc;

	rc = html_to_text(out->html.data, out->html.len, &out->text);
	if (!rc)
		rc = html_teaser(out->html.data, out->html.len, teaser_chars,
				 &out->teaser_html, &out->truncated);
	if (!rc)
		rc = html_to_text(out->teaser_html.data, out->teaser_html.len,
				  &tt);
	if (!rc)
		buf_addstr(&out->teaser_text, buf_str(&tt));
	buf_release(&tt);
	return rc;
}

enum status
html_prepare_as(const char *raw, size_t len, const char *base_url,
		size_t teaser_chars, enum html_prepare_mode mode,
		struct html_prepared *out)
{
	struct html_record rec;
	struct buf traw = BUF_INIT;
	struct text_writer t = {0};
	bool teaser_fast;
	enum status rc;

	memset(out, 0, sizeof(*out));
	buf_init(&out->html, 0);
	buf_init(&out->text, 0);
	buf_init(&out->teaser_html, 0);
	buf_init(&out->teaser_text, 0);
	html_record_init(&rec);
	/* Room for the usual sizes up front, rather than growing from
	 * nothing by doubling: the output is about as long as the input,
	 * its text shorter. */
	if (raw && len) {
		(void)buf_grow(&out->html, len + len / 8 + 64);
		(void)buf_grow(&rec.text, len + 16);
	}
	rc = sanitize_rec(raw ? raw : "", raw ? len : 0, base_url, mode,
			  &out->html, &rec, &out->fast);
	if (rc)
		goto out;
	/* The chain's parses of the output cut it at their limit; text
	 * that is not plain UTF-8 (which gumbo writes for some numeric
	 * references) may read back differently. */
	if (out->html.len > DOM_DEFAULT_MAX_INPUT || rec.doubtful) {
		rc = prepare_by_chain(out, teaser_chars);
		goto out;
	}
	t.out = &out->text;
	(void)buf_grow(&out->text, rec.text.len + 1);
	rec_write_text(&rec, 0, rec.len, &t);
	rc = out->text.err;
	if (!rc) {
		(void)buf_grow(&traw,
			       MIN(out->html.len, 8 * teaser_chars) + 64);
		rc = rec_teaser(&rec, out->html.data, teaser_chars, &traw,
				&out->truncated);
	}
	if (rc)
		goto out;
	html_record_reset(&rec);
	(void)buf_grow(&out->teaser_html, traw.len + traw.len / 8 + 64);
	rc = sanitize_rec(traw.data, traw.len, NULL,
			  mode == HTML_PREPARE_GUMBO ? HTML_PREPARE_GUMBO
						     : HTML_PREPARE_AUTO,
			  &out->teaser_html, &rec, &teaser_fast);
	if (rc)
		goto out;
	if (rec.doubtful) {
		rc = html_to_text(out->teaser_html.data, out->teaser_html.len,
				  &out->teaser_text);
		goto out;
	}
	t.out = &out->teaser_text;
	t.start = 0;
	t.space = t.newline = false;
	(void)buf_grow(&out->teaser_text, rec.text.len + 1);
	rec_write_text(&rec, 0, rec.len, &t);
	rc = out->teaser_text.err;
out:
	html_record_release(&rec);
	buf_release(&traw);
	return rc;
}

enum status
html_prepare(const char *raw, size_t len, const char *base_url,
	     size_t teaser_chars, struct html_prepared *out)
{
	return html_prepare_as(raw, len, base_url, teaser_chars,
			       HTML_PREPARE_AUTO, out);
}

void
html_prepared_release(struct html_prepared *p)
{
	buf_release(&p->html);
	buf_release(&p->text);
	buf_release(&p->teaser_html);
	buf_release(&p->teaser_text);
}

/* --- benchmark ----------------------------------------------------------- */

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The chain html_prepare() replaces (the reference, and the "before"). */
static enum status
prepare_chain(const char *raw, size_t len, size_t tc, struct html_prepared *p)
{
	enum status rc;

	memset(p, 0, sizeof(*p));
	buf_init(&p->html, 0);
	buf_init(&p->text, 0);
	buf_init(&p->teaser_html, 0);
	buf_init(&p->teaser_text, 0);
	rc = html_sanitize(raw, len, "https://bench.example/a/b", NULL,
			   &p->html);
	if (!rc)
		rc = prepare_by_chain(p, tc);
	return rc;
}

enum status
html_prepare_bench(const char *const *bodies, size_t n, unsigned repeat,
		   enum html_bench_way way, double *cpu_seconds, size_t *fast)
{
	struct html_prepared p;
	enum status rc = ST_OK;
	double t0 = cpu_now();
	unsigned r;
	size_t i;

	*fast = 0;
	for (r = 0; r < repeat && !rc; r++) {
		for (i = 0; i < n && !rc; i++) {
			const char *b = bodies[i];

			if (way == HTML_BENCH_CHAIN)
				rc = prepare_chain(b, strlen(b), 600, &p);
			else
				rc = html_prepare_as(
					b, strlen(b),
					"https://bench.example/a/b", 600,
					way == HTML_BENCH_GUMBO
						? HTML_PREPARE_GUMBO
						: HTML_PREPARE_AUTO,
					&p);
			if (r == 0 && p.fast)
				(*fast)++;
			html_prepared_release(&p);
		}
	}
	*cpu_seconds = cpu_now() - t0;
	return rc;
}

void
html_bench_body(struct buf *b, unsigned seed)
{
	static const char *const words[] = {
		"news",	  "market", "city",	"council", "report", "growth",
		"energy", "policy", "school",	"weather", "team",   "season",
		"vote",	  "price",  "research", "health",  "court",  "plan",
		"the",	  "of",	    "and",	"to",	   "in",     "for",
	};
	size_t size = 0;

	/* Like bench/ingest.sh: <p> paragraphs of 40 words, ~2 KB. */
	while (size < 2000) {
		size_t start = b->len, k;

		buf_adds(b, "<p>");
		for (k = 0; k < 40; k++) {
			seed = seed * 1103515245u + 12345u;
			if (k)
				buf_addc(b, ' ');
			buf_adds(b, words[(seed >> 16) % ARRAY_SIZE(words)]);
		}
		b->data[start + 3] =
			(char)toupper((unsigned char)b->data[start + 3]);
		buf_adds(b, ".</p>");
		size += b->len - start - 7;
	}
}
