/*
 * test_search_highlight.c — web_highlight(): the words of a search marked
 * in a title or a snippet, escaped, and the snippet's window around the
 * first match.
 */
#include "common.h"

#include <ctype.h>

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
	/* Repeated and overlapping words: each word is marked once. */
	{"port port portland", "Port portland PORT", 0, false,
	 "<mark>Port</mark> <mark>portland</mark> <mark>PORT</mark>"},
	{"port portland ", "portlander portland", 0, false,
	 "portlander <mark>portland</mark>"},
	{"por portl", "port portland portl", 0, false,
	 "port <mark>portland</mark> <mark>portl</mark>"},
	/* Words glued by punctuation and marks at the text's edges. */
	{"a b", "a-b a_b a'b", 0, false,
	 "<mark>a</mark>-<mark>b</mark> <mark>a</mark>_<mark>b</mark> "
	 "<mark>a</mark>&#39;<mark>b</mark>"},
	/* Diacritics: no folding, the bytes of the word as typed. */
	{"cafe ", "café cafe CAFE", 0, false,
	 "café <mark>cafe</mark> <mark>CAFE</mark>"},
	{"zürich", "Zürich ZÜRICH zürichsee", 0, false,
	 "<mark>Zürich</mark> ZÜRICH <mark>zürichsee</mark>"},
	/* HTML specials next to and between marks. */
	{"x", "<x>&x\"x'x", 0, false,
	 "&lt;<mark>x</mark>&gt;&amp;<mark>x</mark>&quot;<mark>x</mark>"
	 "&#39;<mark>x</mark>"},
	/* A window cut inside a word: the cut word is matched as cut. */
	{"harbour ",
	 "the harbourmaster and the harbourmaster of the harbourmasters", 20,
	 true, "the harbourmaster…"},
	/* A match at the very start of a windowed text. */
	{"the", "the harbour and the council and the board and more", 20, true,
	 "<mark>the</mark> harbour and <mark>the</mark>…"},
	/* Words longer than a term's limit: compared on the kept bytes. */
	{"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmn"
	 "opq ",
	 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk "
	 "x",
	 0, false,
	 "<mark>abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij"
	 "k</mark> x"},
	/* A NULL query marks nothing. */
	{NULL, "a <b>", 0, false, "a &lt;b&gt;"},
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

/*
 * The reference: the plain statement of the rules, word by word and byte
 * by byte. Words are runs of ASCII letters and digits and of bytes >= 0x80;
 * a word matches a term (the query's words, lower-cased ASCII, the first
 * 63 bytes of each, at most 16) when equal in any ASCII case, or, for the
 * last term of a query not ending in a space, when it starts with it.
 */
enum { REF_TERMS = 16, REF_TERM = 64 };

static bool
ref_is_word(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static unsigned char
ref_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

struct ref_terms {
	char word[REF_TERMS][REF_TERM];
	size_t len[REF_TERMS];
	size_t count;
	bool last_prefix;
};

static void
ref_split(const char *q, struct ref_terms *t)
{
	const unsigned char *p = (const unsigned char *)q;

	memset(t, 0, sizeof(*t));
	while (p && *p && t->count < REF_TERMS) {
		size_t n = 0;

		while (*p && !ref_is_word(*p))
			p++;
		while (*p && ref_is_word(*p)) {
			if (n < REF_TERM - 1)
				t->word[t->count][n++] = (char)ref_lower(*p);
			p++;
		}
		if (n)
			t->len[t->count++] = n;
	}
	t->last_prefix = q && *q && !isspace((unsigned char)q[strlen(q) - 1]);
}

static bool
ref_matches(const struct ref_terms *t, const char *w, size_t len)
{
	size_t i, k;

	for (i = 0; i < t->count; i++) {
		bool prefix = t->last_prefix && i == t->count - 1;

		if (len != t->len[i] && !(prefix && len > t->len[i]))
			continue;
		for (k = 0; k < t->len[i]; k++)
			if (ref_lower((unsigned char)w[k]) !=
			    (unsigned char)t->word[i][k])
				break;
		if (k == t->len[i])
			return true;
	}
	return false;
}

static void
ref_escape(struct buf *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '"':
			buf_adds(b, "&quot;");
			break;
		case '\'':
			buf_adds(b, "&#39;");
			break;
		default:
			buf_addc(b, s[i]);
		}
	}
}

/* Marks the words of text[from, to), a word ending at to at the latest. */
static void
ref_mark(struct buf *b, const struct ref_terms *t, const char *text,
	 size_t from, size_t to)
{
	size_t i = from;

	while (i < to) {
		size_t w = i;

		if (!ref_is_word((unsigned char)text[i])) {
			ref_escape(b, text + i, 1);
			i++;
			continue;
		}
		while (i < to && ref_is_word((unsigned char)text[i]))
			i++;
		if (ref_matches(t, text + w, i - w)) {
			buf_adds(b, "<mark>");
			ref_escape(b, text + w, i - w);
			buf_adds(b, "</mark>");
		} else {
			ref_escape(b, text + w, i - w);
		}
	}
}

static size_t
ref_utf8_start(const char *text, size_t i)
{
	while (i > 0 && ((unsigned char)text[i] & 0xc0) == 0x80)
		i--;
	return i;
}

static void
ref_highlight(struct buf *b, const char *text, const char *query, size_t max,
	      bool window)
{
	struct ref_terms t;
	size_t len = strlen(text), first = 0, start, end, i = 0;

	ref_split(query, &t);
	if (!window || len <= max) {
		ref_mark(b, &t, text, 0, len);
		return;
	}
	/* The first matching word. */
	first = len;
	while (i < len) {
		size_t w;

		while (i < len && !ref_is_word((unsigned char)text[i]))
			i++;
		w = i;
		while (i < len && ref_is_word((unsigned char)text[i]))
			i++;
		if (i > w && ref_matches(&t, text + w, i - w)) {
			first = w;
			break;
		}
	}
	/* A third of the window before it, from a space if one is near. */
	start = first < len && first > max / 3 ? first - max / 3 : 0;
	while (start > 0 && text[start - 1] != ' ' && first - start < max / 2)
		start--;
	start = ref_utf8_start(text, start);
	end = ref_utf8_start(text, MIN(len, start + max));
	while (end < len && end > start + max / 2 && text[end] != ' ')
		end--;
	end = ref_utf8_start(text, end);
	if (start > 0)
		buf_adds(b, "…");
	first = MIN(first, end);
	ref_escape(b, text + start, first - start);
	ref_mark(b, &t, text, first, end);
	if (end < len)
		buf_adds(b, "…");
}

/* xorshift64*: the same texts on every run. */
static uint64_t
next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

static const char *const pieces[] = {
	"harbour", "Harbour", "HARBOUR",  "harbourmaster",
	"council", "Council", "councils", "coun",
	"the",	   "The",     "a",	  "port",
	"Port",	   "café",    "Café",	  "CAFÉ",
	"cafe",	   "zürich",  "ÉTÉ",	  "été",
	"naïve",   "東京",    "2026",	  "20261",
	"x",	   "h",	      "c",	  "&",
	"<",	   ">",	      "\"",	  "'",
	"&amp;",   "<mark>",  "é",	  "\xc3",
	"\xa9",	   "-",	      ",",	  ".",
	"_",	   "/",	      " ",	  " ",
	" ",	   " ",	      "  ",	  "\t",
	"\n",	   "…",
};

static const char *const queries[] = {
	"harbour council",
	"harbour council ",
	"Harbour",
	"HARBOUR ",
	"coun",
	"council harbour the ",
	"the",
	"a",
	"h",
	"c ",
	"port",
	"café",
	"CAFÉ ",
	"cafe",
	"zürich ",
	"été",
	"东京 ",
	"東京",
	"2026",
	"2026 ",
	"x y z",
	"&",
	"<mark>",
	"",
	"   ",
	"harbour-council",
	"a b c d e f g h i j k l m n o p q r s t",
	"harbourmasterharbourmasterharbourmasterharbourmasterharbourmasterx",
	"é",
	"\xc3",
	"naïve council",
};

/*
 * Texts made of news words in several cases, diacritics, HTML specials,
 * cut UTF-8 sequences and spaces, for every query and a range of windows:
 * web_highlight() writes what the reference writes.
 */
Test(search_highlight, same_as_the_reference)
{
	uint64_t state = UINT64_C(0x9e3779b97f4a7c15);
	static const size_t maxes[] = {0, 1, 2, 5, 12, 24, 40, 80, 240};
	char text[2048];
	size_t n, q, m, checked = 0;

	for (n = 0; n < 400; n++) {
		size_t len = 0, words = next_random(&state) % 120;

		while (words-- && len < sizeof(text) - 64) {
			const char *p = pieces[next_random(&state) %
					       ARRAY_SIZE(pieces)];
			size_t plen = strlen(p);

			memcpy(text + len, p, plen);
			len += plen;
			if (next_random(&state) % 3)
				text[len++] = ' ';
		}
		text[len] = '\0';
		for (q = 0; q < ARRAY_SIZE(queries); q++) {
			for (m = 0; m < ARRAY_SIZE(maxes); m++) {
				bool window = maxes[m] != 0;
				struct buf got = BUF_INIT, want = BUF_INIT;

				web_highlight(&got, text, queries[q], maxes[m],
					      window);
				ref_highlight(&want, text, queries[q], maxes[m],
					      window);
				cr_assert_not(got.err);
				cr_assert_str_eq(got.data, want.data,
						 "query \"%s\", max %zu, "
						 "text \"%s\"",
						 queries[q], maxes[m], text);
				buf_release(&got);
				buf_release(&want);
				checked++;
			}
		}
	}
	cr_assert_eq(checked, 400 * ARRAY_SIZE(queries) * ARRAY_SIZE(maxes));
}
