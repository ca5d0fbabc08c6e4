/*
 * fuzz_prepare.c — libFuzzer target: html_prepare() must give the bytes of
 * the chain it replaces (html_sanitize -> html_to_text -> html_teaser ->
 * html_to_text of the teaser), by gumbo alone and by the streaming
 * tokenizer whenever that accepts the input. Aborts on any difference.
 */
#include "common.h"

#include "html/prepare.h"
#include "html/sanitize.h"
#include "html/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE "https://publisher.example/a/b.html"

static bool
same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

static void
compare(const struct html_prepared *want, const struct html_prepared *got)
{
	if (!same(&want->html, &got->html) || !same(&want->text, &got->text) ||
	    !same(&want->teaser_html, &got->teaser_html) ||
	    !same(&want->teaser_text, &got->teaser_text) ||
	    want->truncated != got->truncated)
		abort();
}

/*
 * Builds mostly well-formed simple HTML from the bytes, so that the
 * tokenizer path is taken often: each byte opens or closes an element,
 * or writes a void element or a piece of text.
 */
static void
generate(const uint8_t *d, size_t n, struct buf *out)
{
	static const char *const tags[] = {
		"p",	"em",  "strong", "a",	   "b",		 "i",
		"code", "ul",  "li",	 "ol",	   "blockquote", "h2",
		"h1",	"pre", "div",	 "figure", "figcaption", "span",
		"sup",	"q",   "small",	 "h4",
	};
	static const char *const texts[] = {
		"word",	    "a&amp;b",	    "&nbsp;",  " ",
		"\n",	    "&lt;x&gt;",    "&#8212;", "caf\xc3\xa9",
		"AT&T",	    "\t",	    "&quot;",  "Two.",
		"&hellip;", "\xe2\x80\x8b", "x<y",     "&#x1F600;",
		"&copy;",
	};
	static const char *const voids[] = {
		"<br>",
		"<img src=\"/i.png\" alt=\"x\">",
		"<hr>",
		"<br/>",
		"<img src=\"https://pixel.wp.com/t.gif\">",
		"<wbr>",
		"<img data-src=\"/real.jpg\" src=\"data:x\">",
	};
	static const char *const attrs[] = {
		"",
		" href=\"/x?a=1&b=2\"",
		" href='https://e.example/'",
		" lang=\"fr\"",
		" class=\"c\" style=\"x\"",
		" href=\"javascript:alert(1)\"",
		" title=\"t &amp; u\"",
		" dir=\"rtl\" id=\"i\"",
		" start=\"3\" reversed",
	};
	const char *open[32];
	size_t depth = 0, i;

	for (i = 0; i < n; i++) {
		unsigned c = d[i], k = c >> 3;

		switch (c & 7) {
		case 0:
		case 1:
			if (depth == ARRAY_SIZE(open))
				break;
			open[depth] = tags[k % ARRAY_SIZE(tags)];
			buf_addf(out, "<%s%s>", open[depth],
				 attrs[(k / 3) % ARRAY_SIZE(attrs)]);
			depth++;
			break;
		case 2:
		case 3:
			if (depth > 0) {
				depth--;
				buf_addf(out, "</%s>", open[depth]);
			}
			break;
		case 4:
			buf_adds(out, voids[k % ARRAY_SIZE(voids)]);
			break;
		default:
			buf_adds(out, texts[k % ARRAY_SIZE(texts)]);
			break;
		}
	}
	while (depth > 0 && !(n && d[0] & 0x80)) {
		depth--;
		buf_addf(out, "</%s>", open[depth]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	/* The first byte picks the teaser length and whether the rest is the
	 * body or the recipe for one. */
	size_t tc = size ? 20 + (size_t)(data[0] >> 1) * 16 : 600;
	struct html_prepared want = {0}, got;
	struct buf gen = BUF_INIT;
	enum status rc;

	if (size) {
		in++;
		size--;
		if (data[0] & 1) {
			generate(data + 1, size, &gen);
			in = gen.data;
			size = gen.len;
		}
	}
	buf_init(&want.html, 0);
	buf_init(&want.text, 0);
	buf_init(&want.teaser_html, 0);
	buf_init(&want.teaser_text, 0);
	if (html_sanitize(in, size, BASE, NULL, &want.html) ||
	    html_to_text(want.html.data, want.html.len, &want.text) ||
	    html_teaser(want.html.data, want.html.len, tc, &want.teaser_html,
			&want.truncated) ||
	    html_to_text(want.teaser_html.data, want.teaser_html.len,
			 &want.teaser_text))
		abort();
	if (html_prepare_as(in, size, BASE, tc, HTML_PREPARE_GUMBO, &got))
		abort();
	compare(&want, &got);
	html_prepared_release(&got);
	rc = html_prepare_as(in, size, BASE, tc, HTML_PREPARE_FAST, &got);
	if (rc == ST_OK)
		compare(&want, &got);
	else if (rc != ST_UNSUPPORTED)
		abort();
	html_prepared_release(&got);
	html_prepared_release(&want);
	buf_release(&gen);
	return 0;
}
