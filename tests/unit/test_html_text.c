/*
 * test_html_text.c — plain text, teaser and excerpt of HTML.
 */
#include "common.h"

#include <criterion/criterion.h>

#include "html/sanitize.h"
#include "html/text.h"

struct text_case {
	const char *input;    /* HTML */
	const char *expected; /* plain text */
};

/* clang-format off */
static const struct text_case text_cases[] = {
	{"<p>One</p><p>Two  words</p>", "One\nTwo words"},
	{"<h2>Head</h2>\n\n<p>a <b>b</b>\n c</p>", "Head\na b c"},
	{"<ul><li>x</li><li>y</li></ul>", "x\ny"},
	{"a<br>b<br><br><br>c", "a\nb\nc"},
	{"&amp; &lt;p&gt; &eacute; &nbsp;x", "& <p> \xc3\xa9 x"},
	{"<p>a</p><script>var x;</script><style>p{}</style><p>b</p>", "a\nb"},
	{"<pre>l1\n  l2\n</pre>", "l1\n  l2"},
	{"<table><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table>",
	 "1 2\n3"},
	{"<div><div><p>deep</p></div>tail</div>", "deep\ntail"},
	{"", ""},
	{"   \n ", ""},
};
/* clang-format on */

Test(html_text, to_text)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(text_cases); i++) {
		struct buf out = BUF_INIT;

		cr_assert_eq(html_to_text(text_cases[i].input,
					  strlen(text_cases[i].input), &out),
			     ST_OK);
		cr_expect_str_eq(out.data, text_cases[i].expected, "input %s",
				 text_cases[i].input);
		buf_release(&out);
	}
}

Test(html_text, excerpt)
{
	struct buf out = BUF_INIT;
	static const char html[] = "<h2>Title here</h2><p>First words of the "
				   "body, and more.</p>";

	cr_assert_eq(html_text_excerpt(html, strlen(html), 200, &out), ST_OK);
	cr_expect_str_eq(out.data, "Title here First words of the body, and "
				   "more.");
	buf_reset(&out);
	cr_assert_eq(html_text_excerpt(html, strlen(html), 30, &out), ST_OK);
	cr_expect_str_eq(out.data, "Title here First words of the\xe2\x80\xa6");
	buf_release(&out);
}

struct teaser_case {
	const char *name;     /* what the row shows */
	const char *input;    /* sanitised body */
	size_t max_chars;     /* budget */
	const char *expected; /* teaser */
	bool truncated;	      /* was anything left out */
};

/* clang-format off */
static const struct teaser_case teaser_cases[] = {
	{"whole body fits", "<p>One.</p><p>Two.</p>", 100,
	 "<p>One.</p><p>Two.</p>", false},
	{"cut at block boundary", "<p>First para.</p><p>Second para.</p><p>Third.</p>",
	 25, "<p>First para.</p><p>Second para.</p>", true},
	{"heading and figure kept", "<h2>Sub</h2><figure><img src=\"https://i.example/a.jpg\"><figcaption>Cap</figcaption></figure><p>Body text.</p><p>More text here.</p>",
	 20, "<h2>Sub</h2><figure><img src=\"https://i.example/a.jpg\" loading=\"lazy\" decoding=\"async\" referrerpolicy=\"no-referrer\"><figcaption>Cap</figcaption></figure><p>Body text.</p>", true},
	{"long first paragraph cut at sentence",
	 "<p>This is the first sentence. This is the second sentence that is long.</p><p>Later secret.</p>",
	 50, "<p>This is the first sentence.\xe2\x80\xa6</p>", true},
	{"long first paragraph cut at word",
	 "<p>Averyveryverylongword and then some more words follow here</p>",
	 45, "<p>Averyveryverylongword and then some more\xe2\x80\xa6</p>", true},
	{"wrapper div looked through",
	 "<div><p>A para.</p><p>B para that is longer.</p></div><p>C</p>", 12,
	 "<p>A para.</p>", true},
	{"loose text becomes a paragraph", "Loose <b>text</b><p>Next block.</p>", 12,
	 "<p>Loose <b>text</b></p>", true},
	{"list is a block", "<p>Intro.</p><ul><li>one</li><li>two</li></ul><p>After.</p>", 14,
	 "<p>Intro.</p><ul><li>one</li><li>two</li></ul>", true},
	{"empty body", "", 100, "", false},
};
/* clang-format on */

Test(html_text, teaser)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(teaser_cases); i++) {
		const struct teaser_case *c = &teaser_cases[i];
		struct buf out = BUF_INIT;
		bool truncated = !c->truncated;

		cr_assert_eq(html_teaser(c->input, strlen(c->input),
					 c->max_chars, &out, &truncated),
			     ST_OK);
		cr_expect_str_eq(out.data, c->expected, "%s", c->name);
		cr_expect_eq(truncated, c->truncated, "%s: truncated", c->name);
		buf_release(&out);
	}
}

/*
 * The paywall property: whatever the budget, no word of a later block
 * reaches the teaser. Each block carries a unique marker word.
 */
Test(html_text, teaser_never_leaks_later_blocks)
{
	static const char body[] =
		"<div><p>Alpha one alpha. Alpha two.</p><blockquote>Bravo "
		"quote</blockquote></div>Charlie loose <b>text</b>"
		"<ul><li>Delta item</li></ul><h2>Echo head</h2>"
		"<p>Foxtrot <a href=\"https://x.example/\">link</a> end.</p>"
		"<table><tbody><tr><td>Golf cell</td></tr></tbody></table>"
		"<p>Hotel last paragraph that is rather long indeed.</p>";
	static const char *const markers[] = {
		"Alpha", "Bravo",   "Charlie", "Delta",
		"Echo",	 "Foxtrot", "Golf",    "Hotel",
	};
	size_t max;

	for (max = 0; max < 200; max += 3) {
		struct buf out = BUF_INIT, text = BUF_INIT;
		bool truncated;
		size_t i, last = 0;

		cr_assert_eq(html_teaser(body, sizeof(body) - 1, max, &out,
					 &truncated),
			     ST_OK);
		for (i = 0; i < ARRAY_SIZE(markers); i++)
			if (strstr(out.data, markers[i]))
				last = i + 1;
		/* Markers present form a prefix of the list. */
		for (i = 0; i < last; i++)
			cr_expect(strstr(out.data, markers[i]) || i > 0,
				  "max %zu: %s missing before later text", max,
				  markers[i]);
		cr_expect(strstr(out.data, "Alpha"), "max %zu: no paragraph",
			  max);
		if (last < ARRAY_SIZE(markers))
			cr_expect(truncated, "max %zu", max);
		cr_assert_eq(html_to_text(out.data, out.len, &text), ST_OK);
		cr_expect_leq(strlen(text.data), MAX(max, (size_t)40) + 40,
			      "max %zu: %s", max, text.data);
		buf_release(&text);
		buf_release(&out);
	}
}

/* A teaser of an unsanitised body is still safe. */
Test(html_text, teaser_sanitises)
{
	static const char body[] = "<p onclick=x>Hi<script>alert(1)</script>"
				   "</p><p>Later</p>";
	struct buf out = BUF_INIT;
	bool truncated;

	cr_assert_eq(html_teaser(body, sizeof(body) - 1, 3, &out, &truncated),
		     ST_OK);
	cr_expect_str_eq(out.data, "<p>Hi</p>");
	cr_expect(truncated);
	buf_release(&out);
}
