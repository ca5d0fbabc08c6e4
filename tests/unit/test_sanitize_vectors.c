/*
 * test_sanitize_vectors.c — the sanitiser against other projects' XSS and
 * sanitising cases (../shared/corpora/sanitizer/vectors.jsonl: DOMPurify,
 * html5sec, bluemonday, feedparser).
 *
 *  - every row: our output, parsed again with gumbo, holds only allowed
 *    elements and attributes, no event handler, no script URL; and
 *    sanitising the output again gives the same bytes;
 *  - feedparser's and bluemonday's rows with an expected output: we keep
 *    what they keep, or the difference falls in one of the classes listed
 *    in docs/sanitizer-differences.md. "We keep what they keep" is checked
 *    as S(input) == S(expected): their output passed through our policy.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <gumbo.h>
#include <jansson.h>

#include "html/dom.h"
#include "html/sanitize.h"
#include "support/testutil.h"

#define BASE "https://news.example/dir/page.html"

/* A row handler and its context, behind test_corpus_rows()'s. */
struct each {
	void (*fn)(json_t *row, void *ctx);
	void *ctx;
};

static void
valid_row(json_t *row, void *ctx)
{
	struct each *e = ctx;

	cr_assert_not_null(row, "a line of vectors.jsonl is not JSON");
	e->fn(row, e->ctx);
}

/* Calls fn for each row; skips the test when the corpus is absent. */
static void
each_row(void (*fn)(json_t *row, void *ctx), void *ctx)
{
	struct each e = {fn, ctx};

	if (test_corpus_rows("sanitizer/vectors.jsonl", valid_row, &e) < 0)
		cr_skip_test("sanitizer corpus not found (../shared/corpora/"
			     "sanitizer); set NEWSSTAND_SRC to the repo root");
}

static char *
sanitize(const char *in)
{
	struct buf b = BUF_INIT;

	cr_assert_eq(html_sanitize(in, strlen(in), BASE, NULL, &b), ST_OK);
	return buf_detach(&b, NULL);
}

/* --- the safety property ------------------------------------------------ */

static const char *const allowed_tags[] = {
	"p",	   "h2",	 "h3",	    "h4",	"h5",	      "h6",
	"div",	   "blockquote", "pre",	    "ul",	"ol",	      "li",
	"dl",	   "dt",	 "dd",	    "figure",	"figcaption", "details",
	"summary", "hr",	 "br",	    "img",	"source",     "picture",
	"iframe",  "table",	 "caption", "colgroup", "col",	      "thead",
	"tbody",   "tfoot",	 "tr",	    "td",	"th",	      "a",
	"em",	   "strong",	 "b",	    "i",	"u",	      "s",
	"small",   "q",		 "cite",    "code",	"kbd",	      "samp",
	"var",	   "sup",	 "sub",	    "abbr",	"time",	      "mark",
	"del",	   "ins",	 "span",    "dfn",	"bdi",	      "bdo",
	"wbr",	   "html",
};

static const char *const allowed_attrs[] = {
	"href",
	"src",
	"srcset",
	"sizes",
	"alt",
	"title",
	"width",
	"height",
	"lang",
	"dir",
	"rel",
	"loading",
	"decoding",
	"referrerpolicy",
	"type",
	"media",
	"start",
	"reversed",
	"value",
	"colspan",
	"rowspan",
	"scope",
	"span",
	"cite",
	"datetime",
	"sandbox",
	"allowfullscreen",
};

static bool
in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static const char *
tag_name(const GumboNode *n, char *tmp, size_t size)
{
	GumboStringPiece p = n->v.element.original_tag;

	if (n->v.element.tag != GUMBO_TAG_UNKNOWN)
		return gumbo_normalized_tagname(n->v.element.tag);
	gumbo_tag_from_original_text(&p);
	snprintf(tmp, size, "%.*s", (int)p.length, p.data);
	return tmp;
}

/* A URL a browser would run or that carries a document: after the
 * browser's own clean-up (controls stripped, tabs and newlines removed). */
static bool
is_active_url(const char *v, bool on_img_src)
{
	char clean[64];
	size_t n = 0;

	while (*v && (unsigned char)*v <= 0x20)
		v++;
	for (; *v && n + 1 < sizeof(clean); v++)
		if (*v != '\t' && *v != '\n' && *v != '\r')
			clean[n++] = (char)tolower((unsigned char)*v);
	clean[n] = '\0';
	if (!strncmp(clean, "javascript:", 11) ||
	    !strncmp(clean, "vbscript:", 9) ||
	    !strncmp(clean, "livescript:", 11))
		return true;
	if (!strncmp(clean, "data:", 5))
		return !on_img_src ||
		       !(!strncmp(clean, "data:image/png;", 15) ||
			 !strncmp(clean, "data:image/jpeg;", 16) ||
			 !strncmp(clean, "data:image/jpg;", 15) ||
			 !strncmp(clean, "data:image/gif;", 15) ||
			 !strncmp(clean, "data:image/webp;", 16));
	return false;
}

/* Returns NULL when html is inert, or what is wrong with it. */
static const char *
find_active(const char *html, char *why, size_t size)
{
	GumboOptions o = kGumboDefaultOptions;
	GumboOutput *out;
	struct dom_walk w;
	const GumboNode *n;
	bool leaving;
	const char *bad = NULL;
	char tmp[64];

	o.fragment_context = GUMBO_TAG_BODY;
	out = gumbo_parse_with_options(&o, html, strlen(html));
	dom_walk_init(&w, out->root);
	while (!bad && dom_walk_next(&w, &n, &leaving)) {
		const GumboVector *attrs;
		const char *name;
		unsigned i;

		if (leaving)
			continue;
		if (n->type == GUMBO_NODE_COMMENT ||
		    n->type == GUMBO_NODE_TEMPLATE) {
			snprintf(why, size, "comment or template");
			bad = why;
			break;
		}
		if (n->type != GUMBO_NODE_ELEMENT)
			continue;
		name = tag_name(n, tmp, sizeof(tmp));
		if (n->v.element.tag_namespace != GUMBO_NAMESPACE_HTML ||
		    !in_list(name, allowed_tags, ARRAY_SIZE(allowed_tags))) {
			snprintf(why, size, "element <%s>", name);
			bad = why;
			break;
		}
		if (!strcmp(name, "iframe") &&
		    (!sanitize_is_embed_url(dom_attr(n, "src")) ||
		     !dom_attr(n, "sandbox"))) {
			snprintf(why, size, "iframe not allow-listed");
			bad = why;
			break;
		}
		attrs = &n->v.element.attributes;
		for (i = 0; i < attrs->length; i++) {
			const GumboAttribute *a = attrs->data[i];

			if (!in_list(a->name, allowed_attrs,
				     ARRAY_SIZE(allowed_attrs)) ||
			    !strncasecmp(a->name, "on", 2)) {
				snprintf(why, size, "attribute %s on <%s>",
					 a->name, name);
				bad = why;
				break;
			}
			if (is_active_url(a->value,
					  !strcmp(name, "img") &&
						  !strcmp(a->name, "src"))) {
				snprintf(why, size, "URL %.30s in %s", a->value,
					 a->name);
				bad = why;
				break;
			}
		}
	}
	dom_walk_release(&w);
	gumbo_destroy_output(&o, out);
	return bad;
}

struct safety {
	size_t rows;	   /* rows seen */
	size_t unsafe;	   /* rows whose output was active */
	size_t not_stable; /* rows not idempotent */
};

static void
check_row(json_t *row, void *ctx)
{
	struct safety *s = ctx;
	const char *id = json_string_value(json_object_get(row, "id"));
	const char *in = json_string_value(json_object_get(row, "input"));
	char *out, *again, why[128];
	const char *bad;

	cr_assert_not_null(in, "%s: no input", id);
	out = sanitize(in);
	again = sanitize(out);
	bad = find_active(out, why, sizeof(why));
	if (bad) {
		s->unsafe++;
		cr_log_error("%s: %s in: %s", id, bad, out);
	}
	if (strcmp(out, again)) {
		s->not_stable++;
		cr_log_error("%s: not idempotent:\n 1st %s\n 2nd %s", id, out,
			     again);
	}
	s->rows++;
	free(out);
	free(again);
}

Test(sanitize_vectors, inert_and_idempotent, .timeout = 240)
{
	struct safety s = {0};

	each_row(check_row, &s);
	cr_expect_eq(s.rows, 1635, "rows: %zu", s.rows);
	cr_expect_eq(s.unsafe, 0, "%zu rows with active content", s.unsafe);
	cr_expect_eq(s.not_stable, 0, "%zu rows not idempotent", s.not_stable);
}

/* The checker itself must see what it looks for. */
Test(sanitize_vectors, checker_finds_active_content)
{
	static const char *const active[] = {
		"<script>x</script>",
		"<p onclick=x>a</p>",
		"<a href=\" java&#9;script:x\">a</a>",
		"<img src=\"data:text/html,x\">",
		"<iframe src=\"https://evil.example/\"></iframe>",
		"<svg></svg>",
		"<p style=\"x\">a</p>",
		"<form></form>",
	};
	char why[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(active); i++)
		cr_expect_not_null(find_active(active[i], why, sizeof(why)),
				   "%s", active[i]);
	cr_expect_null(find_active("<p><a href=\"https://a/\">x</a></p>", why,
				   sizeof(why)));
}

/* --- harmless formatting kept (docs/sanitizer-differences.md) ----------- */

enum diff_class {
	DC_SAME,      /* S(input) == S(expected) */
	DC_SPACE,     /* only white space between tags differs */
	DC_CONTENTS,  /* we drop an element's fallback contents */
	DC_URL,	      /* a URL they reject or rewrite, we resolve */
	DC_OPTIONS,   /* the row tests a non-default policy option */
	DC_PARSE,     /* HTML5 tree building or feed-level decoding */
	DC_UNCLASSED, /* none of the above: a failure */
	DC_COUNT
};

static const char *const class_names[DC_COUNT] = {
	"same",	   "whitespace", "contents",	 "url",
	"options", "parse",	 "unclassified",
};

/*
 * Rows where the HTML5 tree builder reads the input differently from
 * feedparser's SGML parser, or where feedparser decoded the content
 * before sanitising (base64 content). Listed by id, each checked.
 */
static const char *const parse_rows[] = {
	"feedparser-acceptable_element_br",
	"feedparser-item_content_encoded_script_nested_cdata",
	"feedparser-xml_declaration_unexpected_character",
	"feedparser-xml_malicious_comment",
	"feedparser-entry_content_script_base64",
	"feedparser-entry_summary_script_base64",
	"feedparser-item_xhtml_body_frame",
};

/* Elements whose contents we drop and feedparser keeps. */
static const char *const contents_dropped[] = {
	"<iframe",	"<object",	"<applet",    "<embed",
	"<html:embed",	"<html:link",	"<html:meta", "<html:object",
	"<html:applet", "<html:iframe",
};

/* Removes white space next to tags and at both ends. */
static char *
squeeze(const char *s)
{
	struct buf b = BUF_INIT;

	while (isspace((unsigned char)*s))
		s++;
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			const char *e = s;

			while (isspace((unsigned char)*e))
				e++;
			if (*e == '<' || !*e ||
			    (b.len && b.data[b.len - 1] == '>')) {
				s = e - 1;
				continue;
			}
		}
		buf_addc(&b, *s);
	}
	return buf_detach(&b, NULL);
}

/* Removes the tags of a, img and iframe (keeping the text). */
static char *
strip_url_elements(const char *s)
{
	struct buf b = BUF_INIT;

	while (*s) {
		if (*s == '<' &&
		    (!strncmp(s, "<a ", 3) || !strncmp(s, "</a>", 4) ||
		     !strncmp(s, "<img ", 5) || !strncmp(s, "<iframe ", 8) ||
		     !strncmp(s, "</iframe>", 9))) {
			const char *e = strchr(s, '>');

			s = e ? e + 1 : s + strlen(s);
			continue;
		}
		buf_addc(&b, *s++);
	}
	return buf_detach(&b, NULL);
}

/* The words of the text of html, space-separated. */
static char *
words(const char *html)
{
	struct dom d;
	struct buf b = BUF_INIT;

	if (dom_parse(&d, html, strlen(html), NULL, true) == ST_OK) {
		dom_text(d.root, &b, true);
		dom_release(&d);
	}
	return buf_detach(&b, NULL);
}

static enum diff_class
classify(json_t *row, const char *ours, const char *theirs)
{
	const char *id = json_string_value(json_object_get(row, "id"));
	const char *src = json_string_value(json_object_get(row, "source"));
	const char *policy = json_string_value(json_object_get(row, "policy"));
	const char *in = json_string_value(json_object_get(row, "input"));
	enum diff_class c = DC_UNCLASSED;
	char *a, *b;
	size_t i;

	if (!strcmp(ours, theirs))
		return DC_SAME;
	a = squeeze(ours);
	b = squeeze(theirs);
	if (!strcmp(a, b))
		c = DC_SPACE;
	free(a);
	free(b);
	if (c != DC_UNCLASSED)
		return c;
	if (!strcmp(src, "bluemonday") && policy &&
	    strcmp(policy, "UGCPolicy()"))
		return DC_OPTIONS;
	if (in_list(id, parse_rows, ARRAY_SIZE(parse_rows)))
		return DC_PARSE;
	for (i = 0; i < ARRAY_SIZE(contents_dropped); i++) {
		if (strcasestr(in, contents_dropped[i])) {
			/* Our words must be a prefix of theirs. */
			a = words(ours);
			b = words(theirs);
			if (!strncmp(a, b, strlen(a)))
				c = DC_CONTENTS;
			free(a);
			free(b);
			return c;
		}
	}
	/* Without the elements that carry URLs (sanitised again, so that
	 * elements left empty go too) both sides must agree. */
	a = strip_url_elements(ours);
	b = strip_url_elements(theirs);
	{
		char *sa = sanitize(a), *sb = sanitize(b);

		if (!strcmp(sa, sb))
			c = DC_URL;
		free(sa);
		free(sb);
	}
	free(a);
	free(b);
	return c;
}

struct kept {
	size_t rows;		/* rows compared */
	size_t count[DC_COUNT]; /* rows per class */
};

static void
compare_row(json_t *row, void *ctx)
{
	struct kept *k = ctx;
	const char *src = json_string_value(json_object_get(row, "source"));
	const char *in = json_string_value(json_object_get(row, "input"));
	const char *id = json_string_value(json_object_get(row, "id"));
	json_t *expected = json_object_get(row, "expected_any_of");
	enum diff_class best = DC_UNCLASSED;
	char *ours, *first = NULL;
	json_t *v;
	size_t i;

	if (strcmp(src, "feedparser-sanitize") && strcmp(src, "bluemonday"))
		return;
	if (!json_is_array(expected) || json_array_size(expected) == 0)
		return;
	ours = sanitize(in);
	json_array_foreach(expected, i, v)
	{
		char *theirs = sanitize(json_string_value(v));
		enum diff_class c = classify(row, ours, theirs);

		if (c < best)
			best = c;
		if (!first)
			first = theirs;
		else
			free(theirs);
	}
	k->rows++;
	k->count[best]++;
	if (best == DC_UNCLASSED)
		cr_log_error("%s: unclassified difference\n ours   %s\n theirs "
			     "%s",
			     id, ours, first);
	free(ours);
	free(first);
}

Test(sanitize_vectors, harmless_formatting_kept, .timeout = 240)
{
	struct kept k = {0};
	int i;

	each_row(compare_row, &k);
	for (i = 0; i < DC_COUNT; i++)
		cr_log_info("%s: %zu", class_names[i], k.count[i]);
	cr_expect_gt(k.rows, 1200);
	cr_expect_eq(k.count[DC_UNCLASSED], 0,
		     "%zu rows differ outside the "
		     "documented classes",
		     k.count[DC_UNCLASSED]);
	/* Most rows must agree outright. */
	cr_expect_gt(k.count[DC_SAME], k.rows * 9 / 10, "same: %zu of %zu",
		     k.count[DC_SAME], k.rows);
}
