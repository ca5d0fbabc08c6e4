/*
 * test_extract.c — the article extractor on small pages of our own
 * (tests/data/extract/), selectors, metadata, dates and hostile input.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <sys/resource.h>
#include <time.h>

#include "base/buf.h"
#include "html/extract.h"

#if defined(__SANITIZE_ADDRESS__)
#define SLOWDOWN 6
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLOWDOWN 6
#endif
#endif
#ifndef SLOWDOWN
#define SLOWDOWN 1
#endif

static char *
fixture(const char *name, size_t *len)
{
	const char *root = getenv("NEWSSTAND_SRC");
	struct buf b = BUF_INIT;
	char path[4096], chunk[8192];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/data/extract/%s",
		 root ? root : ".", name);
	fp = fopen(path, "rb");
	cr_assert_not_null(fp, "cannot open %s (set NEWSSTAND_SRC)", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	return buf_detach(&b, len);
}

static struct extract_result *
extract_file(const char *name, const char *url,
	     const struct extract_options *opt)
{
	struct extract_result *r = NULL;
	size_t len;
	char *html = fixture(name, &len);

	cr_assert_eq(html_extract(html, len, url, opt, &r), ST_OK, "%s", name);
	free(html);
	return r;
}

static void
expect_str(const char *got, const char *want, const char *what)
{
	if (!want) {
		cr_expect_null(got, "%s: want NULL, got \"%s\"", what, got);
		return;
	}
	cr_expect(got && !strcmp(got, want), "%s: want \"%s\", got \"%s\"",
		  what, want, got ? got : "(null)");
}

Test(extract, news_article)
{
	struct extract_result *r = extract_file(
		"news.html", "https://paper.example/a/b.html", NULL);

	expect_str(r->title,
		   "Harbour bridge reopens after two years of "
		   "repairs",
		   "title");
	expect_str(r->byline, "Maria Lopez", "byline");
	expect_str(r->site_name, "The Daily Example", "site name");
	expect_str(r->lang, "en-GB", "lang");
	expect_str(r->lead_image, "https://paper.example/img/bridge.jpg",
		   "lead image");
	expect_str(r->lead_image_caption, "The bridge at dawn.", "caption");
	cr_expect_eq(r->published, 1709633430, "published %" PRId64,
		     r->published);
	cr_expect(strstr(r->text, "The harbour bridge reopened"), "text: %s",
		  r->text);
	cr_expect(strstr(r->text, "engineers replaced"), "text: %s", r->text);
	cr_expect(!strstr(r->text, "Share on"), "share bar kept: %s", r->text);
	cr_expect(!strstr(r->text, "Most read"), "related list kept: %s",
		  r->text);
	cr_expect(!strstr(r->text, "Subscribe"), "form kept: %s", r->text);
	cr_expect(!strstr(r->text, "Comments"), "comments kept: %s", r->text);
	cr_expect(!strstr(r->text, "secret"), "hidden kept: %s", r->text);
	cr_expect(!strstr(r->text, "Home"), "navigation kept: %s", r->text);
	cr_expect(strstr(r->html, "href=\"https://paper.example/a/more.html\""),
		  "relative link not resolved: %s", r->html);
	extract_result_free(r);
}

Test(extract, metadata_from_meta_tags)
{
	struct extract_result *r = extract_file("meta.html", NULL, NULL);

	/* Site name after " | " is dropped; Dublin Core creator wins. */
	expect_str(r->title, "A quiet revolution in village libraries",
		   "title");
	expect_str(r->byline, "Sam Okafor", "byline");
	expect_str(r->excerpt, "How small libraries became community hubs.",
		   "excerpt");
	expect_str(r->lang, "fr-FR", "lang from og:locale");
	cr_expect_eq(r->published, 1700000000, "published %" PRId64,
		     r->published);
	extract_result_free(r);
}

Test(extract, selectors_override)
{
	struct extract_options opt = {
		.body_selector = "div.story-body",
		.remove_selectors = ".promo, #newsletter, [data-ad]",
	};
	struct extract_result *r = extract_file("override.html", NULL, &opt);

	cr_expect(strstr(r->text, "Only this counts."), "text: %s", r->text);
	cr_expect(!strstr(r->text, "Buy now"), "removed kept: %s", r->text);
	cr_expect(!strstr(r->text, "Sign up"), "removed kept: %s", r->text);
	cr_expect(!strstr(r->text, "Sponsored"), "removed kept: %s", r->text);
	cr_expect(!strstr(r->text, "A long sidebar"), "outside body: %s",
		  r->text);
	extract_result_free(r);
}

Test(extract, bad_selector)
{
	static const char *const bad[] = {"div >", ",", "a,,b", "[x",
					  ".",	   "#", "div/p"};
	struct extract_result *r = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct extract_options opt = {.remove_selectors = bad[i]};

		cr_expect_eq(html_extract("<p>x</p>", 8, NULL, &opt, &r),
			     ST_INVAL, "selector '%s'", bad[i]);
	}
}

Test(extract, empty_and_tiny_pages)
{
	static const char *const pages[] = {
		"",
		"<html>",
		"plain text only",
		"<p>short</p>",
		"<html><body></body></html>",
		"<!-- only a comment -->",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		struct extract_result *r = NULL;

		cr_assert_eq(html_extract(pages[i], strlen(pages[i]), NULL,
					  NULL, &r),
			     ST_OK, "page %zu", i);
		cr_expect_not_null(r->text);
		cr_expect_not_null(r->html);
		extract_result_free(r);
	}
	extract_result_free(NULL);
}

Test(extract, titles)
{
	static const struct {
		const char *html;
		const char *title;
	} cases[] = {
		{"<title>Big storm hits the coast tonight | Coast News</title>",
		 "Big storm hits the coast tonight"},
		/* Too few words before the last separator: after the first. */
		{"<title>Coast News - Big storm hits the coast</title>",
		 "Big storm hits the coast"},
		{"<title>Site: Big storm hits the coast tonight</title>",
		 "Big storm hits the coast tonight"},
		{"<title>Storm</title><h1>Big storm hits the coast</h1>",
		 "Big storm hits the coast"},
		{"<title>x</title><meta property='og:title' content='OG "
		 "title'>",
		 "OG title"},
		{"<title>x</title><script type='application/ld+json'>"
		 "{\"@context\":\"https://schema.org\",\"@type\":"
		 "\"NewsArticle\",\"headline\":\"LD headline\","
		 "\"author\":[{\"name\":\"A\"},{\"name\":\"B\"}]}</script>",
		 "LD headline"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct extract_result *r = NULL;

		cr_assert_eq(html_extract(cases[i].html, strlen(cases[i].html),
					  NULL, NULL, &r),
			     ST_OK);
		expect_str(r->title, cases[i].title, cases[i].html);
		extract_result_free(r);
	}
}

Test(extract, dates)
{
	static const struct {
		const char *s;
		int64_t t; /* 0: not a date */
	} cases[] = {
		{"2024-03-05", 1709596800},
		{"2024-03-05T10:10:30Z", 1709633430},
		{"2024-03-05T11:10:30+01:00", 1709633430},
		{"2024-03-05T10:10:30.123456Z", 1709633430},
		{"2024-03-05 10:10", 1709633400},
		{"20240305T101030Z", 1709633430},
		{"Tue, 05 Mar 2024 10:10:30 GMT", 1709633430},
		{"5 Mar 2024 10:10:30 +0000", 1709633430},
		{"1709633430", 1709633430},
		{"yesterday", 0},
		{"2024-13-01", 0},
		{"", 0},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t t = 0;
		bool ok = extract_parse_date(cases[i].s, &t);

		cr_expect_eq(ok, cases[i].t != 0, "'%s'", cases[i].s);
		if (ok)
			cr_expect_eq(t, cases[i].t, "'%s': %" PRId64,
				     cases[i].s, t);
	}
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long
max_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Extracts a hostile page: must succeed in < 2 s CPU and < 256 MB. */
static void
hostile(const char *what, const struct buf *page)
{
	struct extract_result *r = NULL;
	double t0 = cpu_seconds(), secs;
	long rss;

	cr_assert_eq(html_extract(page->data, page->len, NULL, NULL, &r), ST_OK,
		     "%s", what);
	secs = cpu_seconds() - t0;
	rss = max_rss_kb();
	cr_expect_not_null(r->text);
	extract_result_free(r);
	fprintf(stderr, "extract hostile %s: %.2f s CPU, max RSS %ld MB\n",
		what, secs, rss / 1024);
	cr_expect_lt(secs, 2.0 * SLOWDOWN, "%s: %.2f s", what, secs);
	cr_expect_lt(rss, 256L * 1024 * (SLOWDOWN > 1 ? 3 : 1),
		     "%s: max RSS %ld KB", what, rss);
}

Test(extract_hostile, deep_nesting, .timeout = 60)
{
	struct buf b = BUF_INIT;
	int i;

	buf_adds(&b, "<html><body>");
	for (i = 0; i < 100000; i++)
		buf_adds(&b, "<div>");
	buf_adds(&b, "deep text, with commas, and more words than enough");
	for (i = 0; i < 100000; i++)
		buf_adds(&b, "</div>");
	hostile("100,000 nested divs", &b);
	buf_release(&b);
}

Test(extract_hostile, unclosed_tags, .timeout = 60)
{
	struct buf b = BUF_INIT;
	int i;

	buf_adds(&b, "<html><body>");
	for (i = 0; i < 20000; i++)
		buf_addf(&b, "<div class=c%d><span><b><i><p>word, ", i);
	for (i = 0; i < 5000; i++)
		buf_adds(&b, "<table><tr><td><a href=x><li><font>");
	hostile("unclosed tags", &b);
	buf_release(&b);
}

Test(extract_hostile, huge_page, .timeout = 60)
{
	static const char para[] =
		"<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, "
		"sed do <a href=\"/x\">eiusmod</a> tempor incididunt ut "
		"labore et dolore magna aliqua.</p>\n";
	struct buf b = BUF_INIT;

	buf_adds(&b, "<html><head><title>Huge</title></head><body>"
		     "<article>");
	while (b.len < (size_t)50 << 20)
		buf_add(&b, para, sizeof(para) - 1);
	hostile("50 MB page", &b);
	buf_release(&b);
}

Test(extract, scripts_styles_comments_dropped)
{
	static const char page[] =
		"<html><head><title>Tags <script> in a title stay "
		"text</title><style>p{x:1}</style>"
		"<script type=\"application/ld+json\">{\"@context\":"
		"\"https://schema.org\",\"@type\":\"NewsArticle\","
		"\"author\":{\"name\":\"Ld Author\"}}</script></head><body>"
		"<script>document.write('<p>Injected, words, words, words, "
		"words, words, words.</p>')</script>"
		"<!-- <p>Commented out, words, words, words, words.</p> -->"
		"<div title=\"a > b <!-- c\"><p>The first paragraph, with "
		"commas, enough words, and a sentence end.</p>"
		"<svg><text>Chart label</text></svg>"
		"<p>The second paragraph, with commas, enough words, and "
		"another sentence end.</p></div><script>var unclosed = 1;";
	struct extract_result *r = NULL;

	cr_assert_eq(html_extract(page, sizeof(page) - 1, NULL, NULL, &r),
		     ST_OK);
	expect_str(r->title, "Tags <script> in a title stay text", "title");
	expect_str(r->byline, "Ld Author", "byline");
	cr_expect(strstr(r->text, "The first paragraph"), "text: %s", r->text);
	cr_expect(strstr(r->text, "The second paragraph"), "text: %s", r->text);
	cr_expect(!strstr(r->text, "Injected"), "script kept: %s", r->text);
	cr_expect(!strstr(r->text, "Commented"), "comment kept: %s", r->text);
	cr_expect(!strstr(r->text, "Chart"), "svg kept: %s", r->text);
	cr_expect(!strstr(r->text, "unclosed"), "script kept: %s", r->text);
	extract_result_free(r);
}
