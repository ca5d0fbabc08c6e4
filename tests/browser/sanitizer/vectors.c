/*
 * vectors.c — the C side of the sanitiser's browser proof (check.mjs).
 *
 *	vectors keys FEED.json FEED_URL > keys.jsonl
 *	vectors stable ROWS.json > report.json
 *
 * keys parses a feed file as ingest does (feed_parse_ex), sanitises each
 * item's content against its canonical link and writes one JSON line per
 * item: {"guid", "text"}, the text ingest would store. The store drops an
 * article whose text another article of the same publisher already has;
 * check.mjs spreads vectors with equal text over several publishers so
 * that every vector becomes an article of its own.
 *
 * stable reads [{"id", "url", "html"}] (the stored bodies) and sanitises
 * each html again against its url: the output must be the same bytes.
 * Writes {"rows", "unstable", "ids": [...]} and exits 1 when a row is not
 * idempotent.
 */
#include "common.h"

#include <jansson.h>

#include "base/buf.h"
#include "base/url.h"
#include "feed/feed.h"
#include "html/sanitize.h"
#include "html/text.h"

static char *
read_file(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (!fp) {
		perror(path);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	return buf_detach(&b, len);
}

static int
keys(const char *path, const char *feed_url)
{
	struct feed *doc = NULL;
	const char *reason = NULL;
	size_t len = 0, i;
	char *data = read_file(path, &len);
	int rc = 0;

	if (!data)
		return 1;
	if (feed_parse_ex(data, len, feed_url, NULL, &doc, &reason)) {
		fprintf(stderr, "%s: not a feed: %s\n", path,
			reason ? reason : "?");
		free(data);
		return 1;
	}
	for (i = 0; i < doc->item_count; i++) {
		const struct feed_item *it = &doc->items[i];
		struct buf html = BUF_INIT, text = BUF_INIT;
		char *link = it->link ? url_resolve(feed_url, it->link) : NULL;
		char *url = link ? url_canonical(link) : NULL;
		const char *in = it->content ? it->content : "";
		json_t *row;

		if (html_sanitize(in, strlen(in), url ? url : link, NULL,
				  &html) ||
		    html_to_text(html.data ? html.data : "", html.len, &text)) {
			fprintf(stderr, "%s: item %zu not sanitised\n", path,
				i);
			rc = 1;
		}
		row = json_pack("{s:s?, s:s}", "guid", it->guid, "text",
				text.data ? text.data : "");
		if (!row || json_dumpf(row, stdout, JSON_COMPACT))
			rc = 1;
		putchar('\n');
		json_decref(row);
		buf_release(&html);
		buf_release(&text);
		free(url);
		free(link);
	}
	feed_free(doc);
	free(data);
	return rc;
}

static int
stable(const char *path)
{
	json_error_t err;
	json_t *rows = json_load_file(path, 0, &err), *row, *ids, *out;
	size_t i, unstable = 0;
	int rc = 0;

	if (!json_is_array(rows)) {
		fprintf(stderr, "%s: %s\n", path, err.text);
		json_decref(rows);
		return 1;
	}
	ids = json_array();
	json_array_foreach(rows, i, row)
	{
		const char *html =
			json_string_value(json_object_get(row, "html"));
		const char *url =
			json_string_value(json_object_get(row, "url"));
		struct buf again = BUF_INIT;

		if (!html)
			html = "";
		if (html_sanitize(html, strlen(html), url, NULL, &again) ||
		    strcmp(again.data ? again.data : "", html)) {
			unstable++;
			json_array_append(ids, json_object_get(row, "id"));
			fprintf(stderr,
				"not idempotent: %s\n 1st %s\n 2nd %s\n",
				url ? url : "?", html,
				again.data ? again.data : "(error)");
		}
		buf_release(&again);
	}
	out = json_pack("{s:I, s:I, s:o}", "rows",
			(json_int_t)json_array_size(rows), "unstable",
			(json_int_t)unstable, "ids", ids);
	if (!out || json_dumpf(out, stdout, JSON_COMPACT))
		rc = 1;
	putchar('\n');
	json_decref(out);
	json_decref(rows);
	return rc || unstable ? 1 : 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "keys"))
		return keys(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "stable"))
		return stable(argv[2]);
	fprintf(stderr, "usage: vectors keys FEED.json FEED_URL\n"
			"       vectors stable ROWS.json\n");
	return 2;
}
