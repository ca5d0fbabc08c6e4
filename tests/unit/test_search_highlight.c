/*
 * test_search_highlight.c — web_highlight(): the words of a search marked
 * in a title or a snippet, escaped, and the snippet's window around the
 * first match.
 */
#include "common.h"

#include <criterion/criterion.h>

#include "base/buf.h"
#include "web/search.h"

struct highlight_case {
	const char *query;
	const char *text;
	size_t max;
	bool window;
	const char *want;
};

static const struct highlight_case cases[] = {
	/* Whole words, any case, every occurrence. */
	{"harbour council", "The Harbour council met the HARBOUR board", 0,
	 false,
	 "The <mark>Harbour</mark> <mark>council</mark> met the "
	 "<mark>HARBOUR</mark> board"},
	/* Not inside a longer word, unless the last word is a prefix. */
	{"port ", "Port, ports and airport", 0, false,
	 "<mark>Port</mark>, ports and airport"},
	{"port", "Port, ports and airport", 0, false,
	 "<mark>Port</mark>, <mark>ports</mark> and airport"},
	{"harb council", "harbour council", 0, false,
	 "harbour <mark>council</mark>"},
	/* Digits are word bytes; punctuation separates. */
	{"2026 ", "In 2026/27 and 20261", 0, false,
	 "In <mark>2026</mark>/27 and 20261"},
	/* Escaped, in and out of the marks. */
	{"a&b", "<b>x & b</b> \"a\"", 0, false,
	 "&lt;<mark>b</mark>&gt;x &amp; <mark>b</mark>&lt;/<mark>b</mark>"
	 "&gt; &quot;<mark>a</mark>&quot;"},
	/* UTF-8 words match byte for byte, ASCII letters in any case. */
	{"café ", "Le Café du port, cafés", 0, false,
	 "Le <mark>Café</mark> du port, cafés"},
	{"ÉTÉ", "été, ÉTÉ", 0, false, "été, <mark>ÉTÉ</mark>"},
	/* No words: the text as is, escaped. */
	{"", "a <b>", 0, false, "a &lt;b&gt;"},
	{"zzz", "nothing here", 0, false, "nothing here"},
	/* Short enough: no window even when asked for. */
	{"ferry", "The ferry sailed", 40, true,
	 "The <mark>ferry</mark> sailed"},
	/* No match: the window starts at the beginning, cut at a space. */
	{"zzz", "one two three four five six seven eight nine ten", 20, true,
	 "one two three four…"},
	/* The match late in the text: cut before it, at a space. */
	{"ferry",
	 "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii the ferry left at "
	 "noon today",
	 24, true, "…iiii the <mark>ferry</mark> left at…"},
};

Test(search_highlight, marks_and_windows)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct highlight_case *c = &cases[i];
		struct buf b = BUF_INIT;

		web_highlight(&b, c->text, c->query, c->max, c->window);
		cr_assert_not(b.err);
		cr_expect_str_eq(b.data ? b.data : "", c->want,
				 "case %zu (%s): got \"%s\"", i, c->query,
				 b.data ? b.data : "");
		buf_release(&b);
	}
}

/* A window never splits a UTF-8 sequence, whatever the cut. */
Test(search_highlight, windows_keep_utf8_whole)
{
	const char *text = "ééééé ééééé ééééé port ééééé ééééé ééééé";
	size_t max;

	for (max = 12; max < strlen(text); max++) {
		struct buf b = BUF_INIT;
		const unsigned char *p;

		web_highlight(&b, text, "port", max, true);
		cr_assert_not_null(b.data);
		cr_assert_not_null(strstr(b.data, "<mark>port</mark>"),
				   "max %zu: %s", max, b.data);
		for (p = (const unsigned char *)b.data; *p; p++) {
			if (*p == 0xc3)
				cr_assert_eq(p[1], 0xa9, "max %zu: %s", max,
					     b.data);
			else if (*p == 0xa9)
				cr_assert_eq(p[-1], 0xc3, "max %zu", max);
		}
		buf_release(&b);
	}
}
