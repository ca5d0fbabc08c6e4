/*
 * pipeline.c — one feed document into the store, and a batch of feeds from
 * the network into the store with their fetch state kept.
 */
#include "common.h"

#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "base/url.h"
#include "feed/feed.h"
#include "fetch/fetch.h"
#include "html/extract.h"
#include "ingest/ingest.h"
#include "rank/rank.h"

enum {
	/* Items whose text is shorter than this get their page extracted
	 * when the feed carries only summaries. */
	SHORT_TEXT = 500,
	/* Pages extracted per feed update at most (the rest next time). */
	MAX_EXTRACTIONS = 50,
};

/* An item on its way to the store. */
struct pending {
	struct article article; /* normalised; body filled in later */
	char *raw_html;		/* the body as received or extracted */
	bool skip;		/* could not become an article */
};

/*
 * Reads an article page: a bundled file when the feed maps the URL to a
 * folder (the demo catalogue), the network otherwise.
 */
static char *
read_page(const struct store_feed *f, const char *url, size_t *len)
{
	struct fetch_options opts = {.accept = "text/html,*/*;q=0.5"};
	struct fetch_result res = {0};
	char *body = NULL;

	if (f->page_prefix && f->page_dir &&
	    !strncmp(url, f->page_prefix, strlen(f->page_prefix))) {
		struct buf path = BUF_INIT;
		const char *rest = url + strlen(f->page_prefix);
		size_t rest_len = strcspn(rest, "?#");
		FILE *file;

		if (strstr(rest, ".."))
			return NULL;
		while (rest_len && rest[rest_len - 1] == '/')
			rest_len--;
		buf_addf(&path, "%s/%.*s.html", f->page_dir, (int)rest_len,
			 rest);
		file = fopen(path.data, "rb");
		if (file) {
			struct buf content;
			char chunk[16384];
			size_t n;

			buf_init(&content, (size_t)config.fetch_max_body);
			while ((n = fread(chunk, 1, sizeof(chunk), file)) > 0)
				buf_add(&content, chunk, n);
			fclose(file);
			if (!content.err)
				body = buf_detach(&content, len);
			buf_release(&content);
		}
		buf_release(&path);
		return body;
	}
	if (fetch_one(url, &opts, &res) == ST_OK && res.body) {
		body = res.body;
		*len = res.body_len;
		res.body = NULL;
	} else {
		log_info("ingest: page %s: %s", url,
			 res.error ? res.error : "not fetched");
	}
	fetch_result_release(&res);
	return body;
}

/* Replaces a summary-only body with the article extracted from its page. */
static void
extract_page(const struct store_feed *f, const struct publisher *pub,
	     struct pending *p)
{
	struct extract_options opts = {
		.body_selector = pub->body_selector,
		.remove_selectors = pub->remove_selectors,
	};
	struct extract_result *ex = NULL;
	size_t len = 0;
	char *page;

	page = read_page(f, p->article.url, &len);
	if (!page)
		return;
	if (html_extract(page, len, p->article.url, &opts, &ex) == ST_OK &&
	    ex->html && ex->text && strlen(ex->text) > SHORT_TEXT / 2) {
		free(p->raw_html);
		p->raw_html = xstrdup(ex->html);
		if (!p->article.byline && ex->byline && *ex->byline)
			p->article.byline = xstrdup(ex->byline);
		if (!p->article.lead_image && ex->lead_image &&
		    url_is_http(ex->lead_image)) {
			p->article.lead_image = xstrdup(ex->lead_image);
			if (ex->lead_image_caption && *ex->lead_image_caption)
				p->article.lead_caption =
					xstrdup(ex->lead_image_caption);
		}
	}
	extract_result_free(ex);
	free(page);
}

static bool
wants_page(const struct store_feed *f, const struct feed_item *item)
{
	const char *body = item->content ? item->content : item->summary;

	if (f->full_text)
		return true;
	return !item->content && (!body || strlen(body) < SHORT_TEXT);
}

enum status
ingest_document(struct store *s, struct store_feed *f, const char *body,
		size_t len, const char *content_type,
		struct ingest_stats *stats, char **error)
{
	struct feed *doc = NULL;
	struct pending *items = NULL;
	struct publisher pub = {0};
	bool have_pub = false;
	const char *reason = NULL;
	size_t i, extractions = 0;
	enum status rc;

	*error = NULL;
	rc = feed_parse_ex(body, len, f->url, content_type, &doc, &reason);
	if (rc) {
		struct buf msg = BUF_INIT;

		buf_addf(&msg, "not a feed: %s",
			 reason ? reason : status_str(rc));
		*error = buf_detach(&msg, NULL);
		return rc;
	}
	stats->bytes += len;
	stats->items += doc->item_count;
	if (doc->title && (!f->title || strcmp(f->title, doc->title))) {
		free(f->title);
		f->title = xstrdup(doc->title);
	}
	items = xcalloc(doc->item_count ? doc->item_count : 1, sizeof(*items));

	/* Normalise and extract outside the write transaction: page fetches
	 * may take seconds and must not hold the database's write lock. */
	for (i = 0; i < doc->item_count; i++) {
		const struct feed_item *item = &doc->items[i];
		struct pending *p = &items[i];
		int64_t existing = 0;

		if (ingest_normalise(f, doc, item, f->url, &p->article)) {
			p->skip = true;
			stats->skipped++;
			continue;
		}
		p->raw_html = xstrdup(item->content   ? item->content
				      : item->summary ? item->summary
						      : "");
		if (!wants_page(f, item) || extractions >= MAX_EXTRACTIONS)
			continue;
		if (store_article_find(s, f->id, p->article.guid,
				       p->article.url, &existing) ||
		    existing)
			continue;
		if (!have_pub &&
		    store_publisher_get(s, f->publisher_id, &pub) == ST_OK)
			have_pub = true;
		extractions++;
		extract_page(f, &pub, p);
	}
	for (i = 0; i < doc->item_count; i++) {
		if (items[i].skip)
			continue;
		if (ingest_prepare_body(&items[i].article, items[i].raw_html)) {
			items[i].skip = true;
			stats->skipped++;
		}
	}

	rc = store_begin(s);
	if (rc)
		goto out;
	for (i = 0; i < doc->item_count; i++) {
		struct article *a = &items[i].article;
		enum article_put_result res;

		if (items[i].skip)
			continue;
		rc = store_article_put(s, a, &res);
		if (rc == ST_INVAL) {
			stats->skipped++;
			continue;
		}
		if (rc)
			break;
		switch (res) {
		case ARTICLE_CREATED:
			stats->created++;
			break;
		case ARTICLE_UPDATED:
			stats->updated++;
			break;
		case ARTICLE_UNCHANGED:
			stats->unchanged++;
			break;
		case ARTICLE_DUPLICATE:
			stats->duplicates++;
			break;
		}
		if (res == ARTICLE_CREATED || res == ARTICLE_UPDATED) {
			rc = rank_assign_story(s, a);
			if (rc)
				break;
		}
	}
	if (rc) {
		store_rollback(s);
		*error = xstrdup(store_errmsg(s));
		goto out;
	}
	rc = store_commit(s);
	if (rc)
		*error = xstrdup("could not commit");
out:
	for (i = 0; i < doc->item_count; i++) {
		article_release(&items[i].article);
		free(items[i].raw_html);
	}
	free(items);
	publisher_release(&pub);
	feed_free(doc);
	return rc;
}
