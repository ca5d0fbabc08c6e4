/*
 * test_html_prepare.c — html_prepare() against the chain it replaces.
 *
 * For every input, the chain html_sanitize -> html_to_text -> html_teaser ->
 * html_to_text(teaser) is run as the reference, and html_prepare_as() with
 * gumbo alone, with the tokenizer alone (when it accepts the input) and in
 * its automatic mode must give the same bytes for all five results. Inputs:
 * our fixtures, the sanitizer vectors, the feed corpora's item bodies and
 * the readability articles and some of their pages (../shared/corpora). Each
 * corpus reports how many of its inputs the tokenizer took.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <ftw.h>
#include <jansson.h>

#include "feed/feed.h"
#include "html/prepare.h"
#include "html/sanitize.h"
#include "html/text.h"
#include "support/testutil.h"

#define BASE "https://news.example/dir/page.html"

struct tally {
	size_t inputs; /* inputs checked */
	size_t fast;   /* taken by the tokenizer */
	size_t bytes;  /* bytes of input */
};

static void
reference(const char *raw, size_t len, const char *base, size_t tc,
	  struct html_prepared *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->html, 0);
	buf_init(&r->text, 0);
	buf_init(&r->teaser_html, 0);
	buf_init(&r->teaser_text, 0);
	cr_assert_eq(html_sanitize(raw, len, base, NULL, &r->html), ST_OK);
	cr_assert_eq(html_to_text(r->html.data, r->html.len, &r->text), ST_OK);
	cr_assert_eq(html_teaser(r->html.data, r->html.len, tc, &r->teaser_html,
				 &r->truncated),
		     ST_OK);
	cr_assert_eq(html_to_text(r->teaser_html.data, r->teaser_html.len,
				  &r->teaser_text),
		     ST_OK);
}

static bool
same_buf(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

/* Prints the first difference, for the failure message's context. */
static void
report(const char *what, const char *label, const char *raw, size_t len,
       const struct buf *want, const struct buf *got)
{
	size_t i = 0;

	while (i < want->len && i < got->len && want->data[i] == got->data[i])
		i++;
	fprintf(stderr,
		"%s differs for %s at byte %zu\n--- input (%zu bytes)\n%.*s\n"
		"--- want\n%.*s\n--- got\n%.*s\n",
		what, label, i, len, (int)MIN(len, 4000), raw,
		(int)MIN(want->len, 4000), want->data, (int)MIN(got->len, 4000),
		got->data);
}

static void
assert_same(const char *mode, const char *label, const char *raw, size_t len,
	    const struct html_prepared *want, const struct html_prepared *got)
{
	static const char *const names[] = {"html", "text", "teaser html",
					    "teaser text"};
	const struct buf *w[] = {&want->html, &want->text, &want->teaser_html,
				 &want->teaser_text};
	const struct buf *g[] = {&got->html, &got->text, &got->teaser_html,
				 &got->teaser_text};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(w); i++) {
		if (!same_buf(w[i], g[i])) {
			report(names[i], label, raw, len, w[i], g[i]);
			cr_assert_fail("%s path: %s differs for %s", mode,
				       names[i], label);
		}
	}
	cr_assert_eq(want->truncated, got->truncated,
		     "%s path: truncated differs for %s", mode, label);
}

/* Checks one input; returns whether the tokenizer took it. */
static bool
check(const char *raw, size_t len, size_t tc, const char *label,
      struct tally *t)
{
	struct html_prepared want, got;
	enum status rc;
	bool fast = false;

	reference(raw, len, BASE, tc, &want);
	cr_assert_eq(
		html_prepare_as(raw, len, BASE, tc, HTML_PREPARE_GUMBO, &got),
		ST_OK);
	cr_assert(!got.fast);
	assert_same("gumbo", label, raw, len, &want, &got);
	html_prepared_release(&got);
	rc = html_prepare_as(raw, len, BASE, tc, HTML_PREPARE_FAST, &got);
	if (rc == ST_OK) {
		fast = true;
		cr_assert(got.fast);
		assert_same("fast", label, raw, len, &want, &got);
	} else {
		cr_assert_eq(rc, ST_UNSUPPORTED, "%s: %s", label,
			     status_str(rc));
	}
	html_prepared_release(&got);
	cr_assert_eq(html_prepare(raw, len, BASE, tc, &got), ST_OK);
	cr_assert_eq(got.fast, fast);
	assert_same("auto", label, raw, len, &want, &got);
	html_prepared_release(&got);
	html_prepared_release(&want);
	if (t) {
		t->inputs++;
		t->fast += fast;
		t->bytes += len;
	}
	return fast;
}

/* Teaser lengths varied over the inputs, to reach the cut paragraph. */
static size_t
teaser_chars(size_t n)
{
	static const size_t v[] = {600, 120, 2000, 45};

	return v[n % ARRAY_SIZE(v)];
}

/* --- fixtures ------------------------------------------------------------ */

struct fixture {
	const char *html;
	bool fast; /* the tokenizer must take it (else it must refuse it) */
};

/* clang-format off */
static const struct fixture fixtures[] = {
	{ "", true },
	{ "plain words only", true },
	{ "<p>One paragraph.</p>", true },
	{ "<p>One.</p><p>Two &amp; three &lt;four&gt; &quot;five&quot;</p>", true },
	{ "<p>Caf\xc3\xa9 &eacute; &mdash; &#8212; &#x2014; &hellip;&nbsp;x</p>", true },
	{ "<p>A <a href=\"/rel?a=1&b=2\">link</a> and <a href='https://x.example/'>another</a>.</p>", true },
	{ "<p>A <a href=\"javascript:alert(1)\">bad link</a>.</p>", true },
	{ "<p><em>em</em> <strong>strong</strong> <b>b</b> <i>i</i> <code>c</code></p>", true },
	{ "<p>line<br>break<br/>again<br /></p>", true },
	{ "<p><img src=\"/a.jpg\" alt=\"An image\" width=\"300\" height=\"200\"></p>", true },
	{ "<p><img src=\"https://pixel.wp.com/t.gif\" width=\"1\" height=\"1\"></p>", true },
	{ "<figure><img src=\"a.png\" alt=\"\"><figcaption>Caption <em>here</em></figcaption></figure>", true },
	{ "<ul><li>one</li><li>two <a href=\"x\">x</a></li></ul><ol start=\"3\"><li>three</li></ol>", true },
	{ "<ul><li>one<ul><li>nested</li></ul></li></ul>", true },
	{ "<blockquote><p>Quoted.</p></blockquote><h2>Head</h2><h3>Sub</h3><h1>Top</h1>", true },
	{ "<pre>\ncode\n  indented</pre><pre>\n\ntwo newlines</pre>", true },
	{ "<pre><code>x = 1;\ny = 2;</code></pre>", true },
	{ "<div><div><p>deep</p></div><p>wrapper</p></div>", true },
	{ "<p></p><p> </p><p>&nbsp;</p><p><em></em></p><p>kept</p>", true },
	{ "<p>x<span>y</span><sup>2</sup><sub>i</sub><abbr title=\"t\">a</abbr></p>", true },
	{ "<p lang=\"fr\" dir=\"RTL\" class=\"c\" style=\"color:red\" onclick=\"x()\">attrs</p>", true },
	{ "<P>Upper <A HREF=\"x\">case</A></P>", true },
	{ "\n<p>\n  spaced  \n</p>\n\n<p>\tout\t</p>\n", true },
	{ "AT&T & friends &", true },
	{ "<a href=\"https://x.example/?utm_source=a&utm_medium=b\">u</a>", true },
	{ "<p>para</p>loose <em>inline</em> text<p>after</p>", true },
	{ "<hr><p>after rule</p>", true },
	{ "<ol reversed type=\"a\"><li value=\"4\">x</li></ol>", true },
	/* Refused: the tree builder would change things. */
	{ "<p>unclosed", false },
	{ "<p>one<p>two</p>", false },
	{ "<p>block <div>inside</div></p>", false },
	{ "<b><i>mis</b>nested</i>", false },
	{ "<a href=\"x\"><a href=\"y\">nested</a></a>", false },
	{ "<b><b>twice</b></b>", false },
	{ "<li>one<li>two</li></li>", false },
	{ "</p>", false },
	{ "<!-- comment --><p>x</p>", false },
	{ "<!DOCTYPE html><p>x</p>", false },
	{ "<table><tr><td>x</td></tr></table>", false },
	{ "<script>alert(1)</script>", false },
	{ "<p>x</p><style>p{}</style>", false },
	{ "<font>unknown</font>", false },
	{ "<section><p>x</p></section>", false },
	{ "<p a=b>unquoted</p>", false },
	{ "<p a=\"1\" a=\"2\">duplicate</p>", false },
	{ "<p>&unknown; entity</p>", false },
	{ "<p>&copy legacy</p>", false },
	{ "<p>&#0; &#128;</p>", false },
	{ "<p>nul\0byte</p>", false },
	{ "<p>cr\r\nlf</p>", false },
	{ "<p>bad \xff utf8</p>", false },
	{ "<p>x < y</p>", false },
	{ "<p/>", false },
	{ "<br></br>", false },
	{ "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>", false },
	{ "<html:p>prefixed</html:p>", false },
	/* gumbo writes a lone 0x8e for this reference: not plain UTF-8. */
	{ "<p>&#22222222222222222222222222222222222c</p>", false },
	/* A <table> in a <p>: gumbo's fragment parse must not read
	 * uninitialised memory to decide (html/dom.c). */
	{ "<span><b>x<table><tbody><tr><td>y</td></tr></tbody></table>z</b></span>", false },
};
/* clang-format on */

Test(html_prepare, fixtures)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fixtures); i++) {
		const char *h = fixtures[i].html;
		size_t len = strlen(h);
		char label[64];
		size_t k;

		/* The one fixture with a NUL in it. */
		if (strstr(h, "nul"))
			len += strlen(h + len + 1) + 1;
		snprintf(label, sizeof(label), "fixture %zu", i);
		for (k = 0; k < 4; k++) {
			bool fast = check(h, len, teaser_chars(k), label, NULL);

			cr_assert_eq(fast, fixtures[i].fast,
				     "fixture %zu: tokenizer %s it", i,
				     fast ? "took" : "refused");
		}
	}
}

/* The body shape bench/ingest.sh generates: ~2 KB of <p> paragraphs. */
static void
bench_body(struct buf *b, unsigned seed)
{
	static const char *const words[] = {
		"news",	  "market", "city",	"council", "report", "growth",
		"energy", "policy", "school",	"weather", "team",   "season",
		"vote",	  "price",  "research", "health",  "court",  "plan",
	};
	size_t size = 0;

	while (size < 2000) {
		size_t start = b->len, k;

		buf_adds(b, "<p>");
		for (k = 0; k < 40; k++) {
			seed = seed * 1103515245u + 12345u;
			if (k)
				buf_addc(b, ' ');
			buf_adds(b, words[(seed >> 16) % ARRAY_SIZE(words)]);
		}
		buf_adds(b, ".</p>");
		size += b->len - start - 7;
	}
}

Test(html_prepare, bench_shape_is_fast)
{
	unsigned seed;

	for (seed = 1; seed <= 20; seed++) {
		struct buf b = BUF_INIT;

		bench_body(&b, seed);
		cr_assert(check(b.data, b.len, teaser_chars(seed), "bench body",
				NULL),
			  "the tokenizer refused the bench body shape");
		buf_release(&b);
	}
}

/* --- corpora ------------------------------------------------------------- */

static void
print_tally(const char *name, const struct tally *t)
{
	fprintf(stderr,
		"html_prepare: %-22s %6zu inputs, %6zu (%5.1f%%) by the "
		"tokenizer, %zu bytes\n",
		name, t->inputs, t->fast,
		t->inputs ? 100.0 * (double)t->fast / (double)t->inputs : 0,
		t->bytes);
}

/* One sanitizer vector's input through check(). */
static void
check_vector(json_t *row, void *ctx)
{
	struct tally *t = ctx;
	json_t *in;

	cr_assert_not_null(row);
	in = json_object_get(row, "input");
	if (json_string_value(in))
		check(json_string_value(in), json_string_length(in),
		      teaser_chars(t->inputs), "sanitizer vector", t);
}

Test(html_prepare, sanitizer_vectors)
{
	struct tally t = {0};

	if (test_corpus_rows("sanitizer/vectors.jsonl", check_vector, &t) < 0)
		cr_skip_test("sanitizer corpus not found (../shared/corpora)");
	print_tally("sanitizer vectors", &t);
	cr_assert_gt(t.inputs, 1000);
}

/* nftw has no context argument. */
static struct tally feed_tally, feed_bodies_tally;

static void
check_item(const struct feed_item *it, const char *path, void *ctx)
{
	const char *body = it->content ? it->content : it->summary;

	(void)ctx;
	if (body && *body) {
		check(body, strlen(body),
		      teaser_chars(feed_bodies_tally.inputs), path,
		      &feed_bodies_tally);
		/* The chosen body's share is the figure. */
		feed_tally.inputs++;
	}
	if (it->content && it->summary)
		check(it->summary, strlen(it->summary), 600, path, NULL);
}

static int
visit_feed(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	if (type == FTW_F)
		test_feed_items(path, check_item, NULL);
	return 0;
}

static void
feed_corpus(const char *sub, size_t min_inputs, double min_share)
{
	char *dir = test_corpus(sub);
	char name[64];

	if (!dir)
		cr_skip_test("%s corpus not found (../shared/corpora)", sub);
	memset(&feed_bodies_tally, 0, sizeof(feed_bodies_tally));
	memset(&feed_tally, 0, sizeof(feed_tally));
	cr_assert_eq(nftw(dir, visit_feed, 16, FTW_PHYS), 0);
	free(dir);
	snprintf(name, sizeof(name), "%s item bodies", sub);
	print_tally(name, &feed_bodies_tally);
	cr_assert_geq(feed_bodies_tally.inputs, min_inputs);
	cr_assert_geq((double)feed_bodies_tally.fast,
		      min_share * (double)feed_bodies_tally.inputs,
		      "%s: too few bodies taken by the tokenizer", sub);
}

Test(html_prepare, feedparser_bodies, .timeout = 120)
{
	feed_corpus("feedparser", 500, 0.6);
}

Test(html_prepare, gofeed_bodies, .timeout = 120)
{
	feed_corpus("gofeed", 50, 0.8);
}

Test(html_prepare, miniflux_bodies, .timeout = 120)
{
	feed_corpus("miniflux", 200, 0.8);
}

Test(html_prepare, newsboat_bodies, .timeout = 120)
{
	feed_corpus("newsboat", 40, 0.7);
}

Test(html_prepare, feedvalidator_bodies, .timeout = 120)
{
	feed_corpus("feedvalidator", 800, 0.8);
}

Test(html_prepare, readability_pages, .timeout = 300)
{
	char *dir = test_corpus("readability/test/test-pages");
	struct tally t = {0};
	struct dirent *de;
	size_t pages = 0;
	DIR *dp;

	if (!dir)
		cr_skip_test(
			"readability corpus not found (../shared/corpora)");
	dp = opendir(dir);
	cr_assert_not_null(dp);
	while ((de = readdir(dp))) {
		char path[4096];
		size_t len;
		char *page;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/expected.html", dir,
			 de->d_name);
		page = test_read_file(path, &len);
		if (page) {
			check(page, len, teaser_chars(t.inputs), path, &t);
			free(page);
		}
		/* Whole pages are slow through the reference chain: every
		 * eighth one is enough to cover their markup. */
		if (++pages % 8)
			continue;
		snprintf(path, sizeof(path), "%s/%s/source.html", dir,
			 de->d_name);
		page = test_read_file(path, &len);
		if (page) {
			check(page, len, teaser_chars(t.inputs), path, &t);
			free(page);
		}
	}
	closedir(dp);
	free(dir);
	print_tally("readability pages", &t);
	cr_assert_gt(t.inputs, 100);
	cr_assert_gt(t.fast, 20);
}
