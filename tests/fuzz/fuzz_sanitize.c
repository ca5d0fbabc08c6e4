/*
 * fuzz_sanitize.c — libFuzzer target: the sanitiser must not crash, must be
 * idempotent, and its text, teaser and excerpt must not crash either.
 */
#include "common.h"

#include "html/sanitize.h"
#include "html/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf once = BUF_INIT, twice = BUF_INIT, text = BUF_INIT;
	struct buf teaser = BUF_INIT;
	bool truncated;

	if (html_sanitize((const char *)data, size,
			  "https://publisher.example/a/b.html", NULL, &once))
		abort();
	if (html_sanitize(once.data, once.len,
			  "https://publisher.example/a/b.html", NULL, &twice))
		abort();
	if (once.len != twice.len || memcmp(once.data, twice.data, once.len))
		abort(); /* not idempotent */
	if (html_to_text(once.data, once.len, &text))
		abort();
	if (html_teaser(once.data, once.len, size % 400, &teaser, &truncated))
		abort();
	buf_reset(&text);
	if (html_text_excerpt((const char *)data, size, 1 + size % 200, &text))
		abort();
	buf_release(&once);
	buf_release(&twice);
	buf_release(&text);
	buf_release(&teaser);
	return 0;
}
