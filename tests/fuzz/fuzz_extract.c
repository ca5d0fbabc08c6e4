/*
 * fuzz_extract.c — libFuzzer target: html_extract on arbitrary bytes must
 * succeed (or report a status) without crashing, with and without a base
 * URL and per-publisher selectors; the results' strings are read through.
 */
#include "common.h"

#include "html/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct extract_options opt = {
		.body_selector = "article .story-body, main",
		.remove_selectors = "aside, .share, #comments, [data-ad]",
	};
	struct extract_result *r = NULL;
	/* The first byte picks the context the page is read in. */
	unsigned char mode = size ? data[0] : 0;
	const char *url =
		mode & 1 ? "https://publisher.example/a/b.html" : NULL;
	enum status rc;

	rc = html_extract((const char *)data, size, url, mode & 2 ? &opt : NULL,
			  &r);
	if (rc == ST_OK) {
		/* Every string must be NUL-terminated and readable. */
		size_t n = strlen(r->text) + strlen(r->html);

		if (r->title)
			n += strlen(r->title);
		if (r->byline)
			n += strlen(r->byline);
		if (r->excerpt)
			n += strlen(r->excerpt);
		if (r->lead_image)
			n += strlen(r->lead_image);
		(void)n;
		extract_result_free(r);
	} else if (rc != ST_PARSE) {
		abort();
	}
	return 0;
}
