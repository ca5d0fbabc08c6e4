/*
 * api.c — the JSON API v1, read side (see api.h and docs/api.md).
 */
#include "common.h"

#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "api/api.h"
#include "store/store.h"
#include "store/reading.h"
#include "web/pages.h"
#include "web/ranking.h"
#include "web/render.h"
#include "web/search.h"

enum { DEFAULT_LIMIT = 20, MAX_LIMIT = 100, MAX_TOP = 50 };

static void
json_str(struct buf *b, const char *s)
{
	if (s)
		buf_add_json_str(b, s, strlen(s));
	else
		buf_adds(b, "null");
}

static void
json_key(struct buf *b, const char *key)
{
	buf_addc(b, '"');
	buf_adds(b, key);
	buf_adds(b, "\":");
}

static void
json_time(struct buf *b, int64_t t)
{
	char iso[32];

	if (!t) {
		buf_adds(b, "null");
		return;
	}
	clock_format_rfc3339(t, iso, sizeof(iso));
	buf_addf(b, "\"%s\"", iso);
}

/* An absolute URL for a site path or a logo field. */
static void
json_url(struct web_request *req, struct buf *b, const char *path)
{
	if (!path)
		buf_adds(b, "null");
	else if (!strncmp(path, "http://", 7) || !strncmp(path, "https://", 8))
		json_str(b, path);
	else
		json_str(b, render_absolute(req, path));
}

static void
json_topics(struct buf *b, const char *slugs)
{
	const char *p = slugs;
	bool first = true;

	buf_addc(b, '[');
	while (p && *p) {
		size_t len = strcspn(p, ",");

		if (len) {
			if (!first)
				buf_addc(b, ',');
			buf_add_json_str(b, p, len);
			first = false;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	buf_addc(b, ']');
}

/*
 * One article. The paywall is decided here for every API surface: without
 * full access body_html is null, whatever the article struct carries.
 */
static void
json_article(struct web_request *req, struct buf *b, const struct article *a)
{
	bool full = web_viewer_can_read_full(req, a);

	buf_addf(b, "{\"id\":%" PRId64 ",", a->id);
	json_key(b, "url");
	json_url(req, b, render_article_path(req, a));
	buf_addc(b, ',');
	json_key(b, "source_url");
	json_str(b, a->url);
	buf_addc(b, ',');
	json_key(b, "title");
	json_str(b, a->title);
	buf_addc(b, ',');
	json_key(b, "byline");
	json_str(b, a->byline && *a->byline ? a->byline : NULL);
	buf_addc(b, ',');
	json_key(b, "summary");
	json_str(b, render_visible_excerpt(a));
	buf_addc(b, ',');
	json_key(b, "teaser_html");
	json_str(b, a->teaser_html);
	buf_addc(b, ',');
	json_key(b, "body_html");
	json_str(b, full ? a->body_html : NULL);
	buf_addf(b, ",\"full\":%s,", full ? "true" : "false");
	json_key(b, "lead_image");
	json_str(b, a->lead_image && *a->lead_image ? a->lead_image : NULL);
	buf_addc(b, ',');
	json_key(b, "lead_caption");
	json_str(b,
		 a->lead_caption && *a->lead_caption ? a->lead_caption : NULL);
	buf_addc(b, ',');
	json_key(b, "language");
	json_str(b, a->language);
	buf_addc(b, ',');
	json_key(b, "topics");
	json_topics(b, a->topics);
	buf_addc(b, ',');
	json_key(b, "published_at");
	json_time(b, a->published_at);
	buf_addc(b, ',');
	json_key(b, "updated_at");
	json_time(b, a->updated_at);
	buf_addc(b, ',');
	json_key(b, "story_id");
	if (a->story_id)
		buf_addf(b, "%" PRId64, a->story_id);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"publisher\":{");
	json_key(b, "slug");
	json_str(b, a->publisher_slug);
	buf_addc(b, ',');
	json_key(b, "name");
	json_str(b, a->publisher_name);
	buf_addc(b, ',');
	json_key(b, "logo");
	{
		const char *logo = render_logo_url(req, a->publisher_logo);

		json_url(req, b, logo);
	}
	buf_adds(b, "}}");
}

static void
json_next_cursor(struct buf *b, const char *cursor)
{
	buf_adds(b, ",\"next_cursor\":");
	json_str(b, cursor);
}

/* Reads ?limit= (1..max); false with a 400 set when malformed. */
static bool
read_limit(struct web_request *req, struct web_response *res, size_t max,
	   size_t *out)
{
	const char *v = web_query(req, "limit");
	int64_t n;

	*out = DEFAULT_LIMIT < max ? DEFAULT_LIMIT : max;
	if (!v)
		return true;
	if (!web_parse_id(v, &n) || n > (int64_t)max) {
		char *msg = arena_printf(
			web_request_arena(req),
			"limit must be a number from 1 to %zu.", max);

		web_res_error(req, res, 400, msg);
		return false;
	}
	*out = (size_t)n;
	return true;
}

static enum status
need_store(struct web_request *req, struct store **s)
{
	enum status rc = web_store(req, s);

	if (rc)
		return log_error(rc, "api: database unavailable");
	return ST_OK;
}

enum status
api_articles(struct web_request *req, struct web_response *res)
{
	struct store *s;
	struct article_query q = {0};
	struct article_list l = {0};
	const char *publisher = web_query(req, "publisher");
	const char *topic = web_query(req, "topic");
	const char *cursor = web_query(req, "cursor");
	struct buf *b = &res->body;
	enum status rc;
	size_t i;

	if (!read_limit(req, res, MAX_LIMIT, &q.limit))
		return ST_OK;
	rc = need_store(req, &s);
	if (rc)
		return rc;
	if (publisher) {
		struct publisher p;

		rc = store_publisher_by_slug(s, publisher, &p);
		if (rc == ST_NOTFOUND) {
			web_res_error(req, res, 400,
				      "publisher: no publisher has this slug.");
			return ST_OK;
		}
		if (rc)
			return rc;
		q.publisher_id = p.id;
		publisher_release(&p);
	}
	if (topic) {
		struct topic t;

		rc = store_topic_by_slug(s, topic, &t);
		if (rc == ST_NOTFOUND) {
			web_res_error(req, res, 400,
				      "topic: no topic has this slug.");
			return ST_OK;
		}
		if (rc)
			return rc;
		q.topic_id = t.id;
		topic_release(&t);
	}
	if (cursor && (!*cursor || strlen(cursor) > 48)) {
		web_res_error(req, res, 400,
			      "cursor: not a cursor of this API.");
		return ST_OK;
	}
	q.cursor = cursor;
	rc = store_article_list(s, &q, &l);
	if (rc == ST_INVAL) {
		web_res_error(req, res, 400,
			      "cursor: not a cursor of this API.");
		return ST_OK;
	}
	if (rc)
		return rc;
	web_res_json(res);
	buf_adds(b, "{\"articles\":[");
	for (i = 0; i < l.count; i++) {
		if (i)
			buf_addc(b, ',');
		json_article(req, b, &l.items[i]);
	}
	buf_addc(b, ']');
	json_next_cursor(b, l.next_cursor);
	buf_adds(b, "}\n");
	article_list_release(&l);
	return ST_OK;
}

enum status
api_article(struct web_request *req, struct web_response *res)
{
	struct store *s;
	struct article a = {0};
	int64_t id;
	bool full;
	enum status rc;

	if (!web_parse_id(web_capture(req, 0), &id)) {
		web_res_error(req, res, 404, "No article has this id.");
		return ST_OK;
	}
	rc = need_store(req, &s);
	if (rc)
		return rc;
	{
		/* The paywall decides whether the body is even read. */
		struct article probe = {.id = id};

		full = web_viewer_can_read_full(req, &probe);
	}
	rc = reading_article(s, id, full, &a);
	if (rc == ST_NOTFOUND) {
		web_res_error(req, res, 404, "No article has this id.");
		return ST_OK;
	}
	if (rc)
		return rc;
	if (!full) {
		free(a.body_html);
		free(a.body_text);
		a.body_html = a.body_text = NULL;
	} else {
		/* A member's full read: one ledger entry a day. */
		web_record_read(req, a.id);
	}
	web_res_json(res);
	buf_adds(&res->body, "{\"article\":");
	json_article(req, &res->body, &a);
	buf_adds(&res->body, "}\n");
	res->last_modified = a.updated_at;
	article_release(&a);
	return ST_OK;
}

enum status
api_publishers(struct web_request *req, struct web_response *res)
{
	struct store *s;
	struct publisher_list l = {0};
	struct buf *b = &res->body;
	enum status rc;
	size_t i;

	rc = need_store(req, &s);
	if (rc)
		return rc;
	rc = web_publishers(s, &l);
	if (rc)
		return rc;
	web_res_json(res);
	buf_adds(b, "{\"publishers\":[");
	for (i = 0; i < l.count; i++) {
		const struct publisher *p = &l.items[i];
		char *page =
			arena_printf(web_request_arena(req), "/p/%s", p->slug);

		if (i)
			buf_addc(b, ',');
		buf_addc(b, '{');
		json_key(b, "slug");
		json_str(b, p->slug);
		buf_addc(b, ',');
		json_key(b, "name");
		json_str(b, p->name);
		buf_addc(b, ',');
		json_key(b, "url");
		json_url(req, b, page);
		buf_addc(b, ',');
		json_key(b, "homepage");
		json_str(b, p->homepage);
		buf_addc(b, ',');
		json_key(b, "logo");
		json_url(req, b, render_logo_url(req, p->logo));
		buf_addc(b, ',');
		json_key(b, "description");
		json_str(b, p->description);
		buf_addc(b, ',');
		json_key(b, "language");
		json_str(b, p->language);
		buf_addc(b, ',');
		json_key(b, "country");
		json_str(b, p->country);
		buf_addf(b, ",\"article_count\":%" PRId64 "}",
			 p->article_count);
	}
	buf_adds(b, "]}\n");
	publisher_list_release(&l);
	return ST_OK;
}

enum status
api_topics(struct web_request *req, struct web_response *res)
{
	struct store *s;
	struct topic_list l = {0};
	struct buf *b = &res->body;
	enum status rc;
	size_t i;

	rc = need_store(req, &s);
	if (rc)
		return rc;
	rc = web_topics(s, &l);
	if (rc)
		return rc;
	web_res_json(res);
	buf_adds(b, "{\"topics\":[");
	for (i = 0; i < l.count; i++) {
		char *page = arena_printf(web_request_arena(req), "/t/%s",
					  l.items[i].slug);

		if (i)
			buf_addc(b, ',');
		buf_addc(b, '{');
		json_key(b, "slug");
		json_str(b, l.items[i].slug);
		buf_addc(b, ',');
		json_key(b, "name");
		json_str(b, l.items[i].name);
		buf_addc(b, ',');
		json_key(b, "url");
		json_url(req, b, page);
		buf_addf(b, ",\"article_count\":%" PRId64 "}",
			 l.items[i].article_count);
	}
	buf_adds(b, "]}\n");
	topic_list_release(&l);
	return ST_OK;
}

enum status
api_stories_top(struct web_request *req, struct web_response *res)
{
	struct store *s;
	struct story_list l = {0};
	struct buf *b = &res->body;
	size_t limit, i;
	enum status rc;

	if (!read_limit(req, res, MAX_TOP, &limit))
		return ST_OK;
	rc = need_store(req, &s);
	if (rc)
		return rc;
	rc = web_top_stories(s, limit, &l);
	if (rc)
		return rc;
	web_res_json(res);
	buf_adds(b, "{\"stories\":[");
	for (i = 0; i < l.count; i++) {
		const struct story *st = &l.items[i];

		if (i)
			buf_addc(b, ',');
		buf_addc(b, '{');
		json_key(b, "id");
		if (st->id)
			buf_addf(b, "%" PRId64, st->id);
		else
			buf_adds(b, "null");
		buf_addc(b, ',');
		json_key(b, "url");
		if (st->id)
			json_url(req, b,
				 arena_printf(web_request_arena(req),
					      "/s/%" PRId64, st->id));
		else
			buf_adds(b, "null");
		buf_addc(b, ',');
		json_key(b, "title");
		json_str(b,
			 st->title && *st->title ? st->title : st->lead.title);
		buf_addf(b,
			 ",\"publisher_count\":%" PRId64
			 ",\"article_count\":%" PRId64 ",",
			 st->publisher_count, st->article_count);
		json_key(b, "lead");
		json_article(req, b, &st->lead);
		buf_addc(b, '}');
	}
	buf_adds(b, "]}\n");
	story_list_release(&l);
	return ST_OK;
}

enum status
api_search(struct web_request *req, struct web_response *res)
{
	struct store *s;
	struct web_search w;
	struct web_terms terms;
	struct search_result r = {0};
	struct buf *b = &res->body;
	const char *message = NULL;
	size_t limit, i;
	enum status rc;

	if (!read_limit(req, res, MAX_LIMIT, &limit))
		return ST_OK;
	rc = need_store(req, &s);
	if (rc)
		return rc;
	rc = web_search_parse(req, s, "cursor", limit, &w, &message);
	if (rc == ST_INVAL) {
		web_res_error(req, res, 400, message);
		return ST_OK;
	}
	if (rc)
		return rc;
	if (!w.q) {
		web_res_error(req, res, 400,
			      "q: give the words to search "
			      "for.");
		return ST_OK;
	}
	rc = store_search(s, &w.query, &r);
	if (rc == ST_INVAL) {
		web_res_error(req, res, 400,
			      "q: search for words made of letters or "
			      "digits.");
		return ST_OK;
	}
	if (rc)
		return rc;
	web_res_json(res);
	web_terms_init(&terms, w.q);
	buf_adds(b, "{\"results\":[");
	for (i = 0; i < r.count; i++) {
		const struct article *a = &r.items[i].article;
		struct buf snippet = BUF_INIT;

		if (i)
			buf_addc(b, ',');
		buf_adds(b, "{\"article\":");
		json_article(req, b, a);
		/* Visitors' snippets: the title and teaser only. */
		web_highlight_terms(&snippet, render_visible_excerpt(a), &terms,
				    240, true);
		buf_adds(b, ",\"snippet_html\":");
		json_str(b, snippet.data);
		buf_release(&snippet);
		buf_adds(b, "}");
	}
	buf_addc(b, ']');
	if (r.more && w.query.offset + limit <= 1000) {
		char next[24];

		snprintf(next, sizeof(next), "%zu", w.query.offset + limit);
		json_next_cursor(b, next);
	} else {
		json_next_cursor(b, NULL);
	}
	buf_adds(b, "}\n");
	search_result_release(&r);
	return ST_OK;
}

enum status
api_not_found(struct web_request *req, struct web_response *res)
{
	web_res_error(req, res, 404, "No API route has this path.");
	return ST_OK;
}
