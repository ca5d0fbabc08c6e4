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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	/* The first byte picks the teaser length, the rest is the body. */
	size_t tc = size ? 20 + (size_t)data[0] * 8 : 600;
	struct html_prepared want = {0}, got;
	enum status rc;

	if (size) {
		in++;
		size--;
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
	return 0;
}
