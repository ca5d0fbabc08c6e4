/*
 * fuzz_feed.c — libFuzzer target: feed_parse, feed_to_json and feed_free on
 * arbitrary bytes, with and without a base URL and a content type, and with
 * escaped markup rewritten as CDATA wherever it can be.
 */
#include "common.h"

#include "base/buf.h"
#include "feed/feed.h"
#include "feed/internal.h"
#include "feed/opml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed *feed = NULL;
	struct opml *opml = NULL;
	struct buf out = BUF_INIT;
	/* The first byte picks the context the bytes are parsed in. */
	unsigned char mode = size ? data[0] : 0;
	const char *url = mode & 1 ? "http://example.com/feeds/a.xml" : NULL;
	const char *type = mode & 2   ? "application/rss+xml; charset=utf-8"
			   : mode & 4 ? "text/xml; charset=iso-8859-1"
				      : NULL;

	/* Escaped markup rewritten as CDATA wherever it can be, not only
	 * where it is dense enough to pay: small inputs seldom are. */
	feed_cdata_every_run = mode & 16;
	if (!feed_parse((const char *)data, size, url, type, &feed)) {
		feed_to_json(feed, &out);
		feed_free(feed);
	}
	buf_release(&out);
	if (mode & 8 && !opml_parse((const char *)data, size, &opml, NULL)) {
		opml_write(opml->outlines, opml->outline_count, opml->title,
			   &out);
		opml_free(opml);
		buf_release(&out);
	}
	return 0;
}
