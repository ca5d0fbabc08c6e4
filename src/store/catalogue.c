/*
 * catalogue.c — publishers, their feeds with fetch state, and topics.
 */
#include "common.h"

#include "base/clock.h"
#include "base/log.h"
#include "store/internal.h"

void
publisher_release(struct publisher *p)
{
	if (!p)
		return;
	free(p->slug);
	free(p->name);
	free(p->homepage);
	free(p->logo);
	free(p->description);
	free(p->language);
	free(p->country);
	free(p->body_selector);
	free(p->remove_selectors);
	memset(p, 0, sizeof(*p));
}

void
publisher_list_release(struct publisher_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		publisher_release(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

#define PUBLISHER_COLUMNS                                                      \
	"p.id, p.slug, p.name, p.homepage, p.logo, p.description,"             \
	" p.language, p.country, p.body_selector, p.remove_selectors,"         \
	" p.created_at,"                                                       \
	" (SELECT count(*) FROM articles a WHERE a.publisher_id = p.id)"

static void
read_publisher(sqlite3_stmt *st, struct publisher *p)
{
	p->id = sqlite3_column_int64(st, 0);
	p->slug = col_text(st, 1);
	p->name = col_text(st, 2);
	p->homepage = col_text(st, 3);
	p->logo = col_text(st, 4);
	p->description = col_text(st, 5);
	p->language = col_text(st, 6);
	p->country = col_text(st, 7);
	p->body_selector = col_text(st, 8);
	p->remove_selectors = col_text(st, 9);
	p->created_at = sqlite3_column_int64(st, 10);
	p->article_count = sqlite3_column_int64(st, 11);
}

enum status
store_publisher_put(struct store *s, struct publisher *p)
{
	static const char sql[] =
		"INSERT INTO publishers (slug, name, homepage, logo,"
		" description, language, country, body_selector,"
		" remove_selectors, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
		" ON CONFLICT (slug) DO UPDATE SET name = ?2, homepage = ?3,"
		" logo = ?4, description = ?5, language = ?6, country = ?7,"
		" body_selector = ?8, remove_selectors = ?9"
		" RETURNING id";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (!p->slug || !*p->slug || !p->name || !*p->name)
		return log_error(ST_INVAL, "publisher: slug and name required");
	if (!st)
		return ST_DB;
	bind_text(st, 1, p->slug);
	bind_text(st, 2, p->name);
	bind_text(st, 3, p->homepage);
	bind_text(st, 4, p->logo);
	bind_text(st, 5, p->description);
	bind_text(st, 6, p->language);
	bind_text(st, 7, p->country);
	bind_text(st, 8, p->body_selector);
	bind_text(st, 9, p->remove_selectors);
	sqlite3_bind_int64(st, 10, clock_now());
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return store_fail(s, "saving publisher");
	}
	p->id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return ST_OK;
}

static enum status
get_publisher(struct store *s, sqlite3_stmt *st, struct publisher *out)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		read_publisher(st, out);
		sqlite3_reset(st);
		return ST_OK;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? ST_NOTFOUND : store_fail(s, "publisher");
}

enum status
store_publisher_get(struct store *s, int64_t id, struct publisher *out)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT " PUBLISHER_COLUMNS
					 " FROM publishers p WHERE id = ?");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	return get_publisher(s, st, out);
}

enum status
store_publisher_by_slug(struct store *s, const char *slug,
			struct publisher *out)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT " PUBLISHER_COLUMNS
					 " FROM publishers p WHERE slug = ?");

	if (!st)
		return ST_DB;
	bind_text(st, 1, slug);
	return get_publisher(s, st, out);
}

enum status
store_publisher_list(struct store *s, struct publisher_list *out)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT " PUBLISHER_COLUMNS
					 " FROM publishers p ORDER BY name");
	struct publisher_list l = {0};
	size_t cap = 0;
	int rc;

	if (!st)
		return ST_DB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (l.count == cap) {
			cap = cap ? cap * 2 : 16;
			l.items = xreallocarray(l.items, cap, sizeof(*l.items));
		}
		memset(&l.items[l.count], 0, sizeof(l.items[0]));
		read_publisher(st, &l.items[l.count++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		publisher_list_release(&l);
		return store_fail(s, "listing publishers");
	}
	*out = l;
	return ST_OK;
}

enum status
store_publisher_delete(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	enum status rc;

	/* The search index is external-content: remove the publisher's
	 * articles from it before the rows go (those of a write round's
	 * transaction go in first, so that each is there to remove). */
	rc = store_index_flush(s);
	if (rc)
		return rc;
	st = store_stmt(s, "INSERT INTO articles_fts(articles_fts, rowid,"
			   " title, byline, body_text)"
			   " SELECT 'delete', -id, title, byline, body_text"
			   " FROM articles WHERE publisher_id = ?");
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	rc = store_step_done(s, st, "unindexing publisher");
	if (rc)
		return rc;
	s->story_changes++;
	/* Other feeds' items that were these articles' duplicates become
	 * articles of their own when their documents are parsed again. */
	rc = store_exec(s, "UPDATE feeds SET body_digest = NULL"
			   " WHERE body_digest IS NOT NULL");
	if (rc)
		return rc;
	st = store_stmt(s, "DELETE FROM reads WHERE publisher_id = ?");
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	rc = store_step_done(s, st, "deleting reads");
	if (rc)
		return rc;
	st = store_stmt(s, "DELETE FROM publishers WHERE id = ?");
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	rc = store_step_done(s, st, "deleting publisher");
	if (!rc && !sqlite3_changes(s->db))
		return ST_NOTFOUND;
	return rc;
}

/* ---- Feeds --------------------------------------------------------------- */

void
store_feed_release(struct store_feed *f)
{
	if (!f)
		return;
	free(f->url);
	free(f->title);
	free(f->topics);
	free(f->page_prefix);
	free(f->page_dir);
	free(f->etag);
	free(f->last_modified);
	free(f->last_error);
	free(f->disabled_reason);
	free(f->publisher_slug);
	free(f->item_digests);
	memset(f, 0, sizeof(*f));
}

void
store_feed_list_release(struct store_feed_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		store_feed_release(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

#define FEED_COLUMNS                                                           \
	"f.id, f.publisher_id, f.url, f.title, f.topics, f.enabled,"           \
	" f.full_text, f.allow_file, f.page_prefix, f.page_dir, f.etag,"       \
	" f.last_modified, f.last_fetch_at, f.last_success_at,"                \
	" f.last_new_at, f.next_due_at, f.interval, f.http_status,"            \
	" f.error_count, f.last_error, f.disabled_reason, f.item_count,"       \
	" (SELECT count(*) FROM articles a WHERE a.feed_id = f.id),"           \
	" p.slug, f.item_digests, f.body_digest"

static void
read_feed(sqlite3_stmt *st, struct store_feed *f)
{
	size_t n;

	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(st, 0);
	f->publisher_id = sqlite3_column_int64(st, 1);
	f->url = col_text(st, 2);
	f->title = col_text(st, 3);
	f->topics = col_text(st, 4);
	f->enabled = sqlite3_column_int(st, 5);
	f->full_text = sqlite3_column_int(st, 6);
	f->allow_file = sqlite3_column_int(st, 7);
	f->page_prefix = col_text(st, 8);
	f->page_dir = col_text(st, 9);
	f->etag = col_text(st, 10);
	f->last_modified = col_text(st, 11);
	f->last_fetch_at = sqlite3_column_int64(st, 12);
	f->last_success_at = sqlite3_column_int64(st, 13);
	f->last_new_at = sqlite3_column_int64(st, 14);
	f->next_due_at = sqlite3_column_int64(st, 15);
	f->interval = sqlite3_column_int64(st, 16);
	f->http_status = sqlite3_column_int(st, 17);
	f->error_count = sqlite3_column_int(st, 18);
	f->last_error = col_text(st, 19);
	f->disabled_reason = col_text(st, 20);
	f->item_count = sqlite3_column_int64(st, 21);
	f->article_count = sqlite3_column_int64(st, 22);
	f->publisher_slug = col_text(st, 23);
	n = (size_t)sqlite3_column_bytes(st, 24) / STORE_DIGEST_LEN;
	if (n) {
		f->item_digests = xmalloc(n * STORE_DIGEST_LEN);
		memcpy(f->item_digests, sqlite3_column_blob(st, 24),
		       n * STORE_DIGEST_LEN);
		f->item_digest_count = n;
	}
	if (sqlite3_column_bytes(st, 25) == STORE_DIGEST_LEN) {
		memcpy(f->body_digest, sqlite3_column_blob(st, 25),
		       STORE_DIGEST_LEN);
		f->has_body_digest = true;
	}
}

enum status
store_feed_add(struct store *s, struct store_feed *f)
{
	static const char sql[] =
		"INSERT INTO feeds (publisher_id, url, title, topics, enabled,"
		" full_text, allow_file, page_prefix, page_dir, next_due_at,"
		" interval, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
	sqlite3_stmt *st = store_stmt(s, sql);
	enum status rc;

	if (!f->url || !*f->url || !f->publisher_id)
		return log_error(ST_INVAL, "feed: URL and publisher required");
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, f->publisher_id);
	bind_text(st, 2, f->url);
	bind_text(st, 3, f->title);
	bind_text(st, 4, f->topics ? f->topics : "");
	sqlite3_bind_int(st, 5, f->enabled);
	sqlite3_bind_int(st, 6, f->full_text);
	sqlite3_bind_int(st, 7, f->allow_file);
	bind_text(st, 8, f->page_prefix);
	bind_text(st, 9, f->page_dir);
	sqlite3_bind_int64(st, 10, f->next_due_at);
	sqlite3_bind_int64(st, 11, f->interval ? f->interval : 3600);
	sqlite3_bind_int64(st, 12, clock_now());
	rc = store_step_done(s, st, "adding feed");
	if (rc == ST_EXISTS)
		return ST_EXISTS;
	if (rc)
		return rc;
	f->id = sqlite3_last_insert_rowid(s->db);
	return ST_OK;
}

static enum status
get_feed(struct store *s, sqlite3_stmt *st, struct store_feed *out)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		read_feed(st, out);
		sqlite3_reset(st);
		return ST_OK;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? ST_NOTFOUND : store_fail(s, "feed");
}

enum status
store_feed_get(struct store *s, int64_t id, struct store_feed *out)
{
	sqlite3_stmt *st = store_stmt(
		s,
		"SELECT " FEED_COLUMNS " FROM feeds f"
		" JOIN publishers p ON p.id = f.publisher_id WHERE f.id = ?");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	return get_feed(s, st, out);
}

enum status
store_feed_by_url(struct store *s, const char *url, struct store_feed *out)
{
	sqlite3_stmt *st = store_stmt(
		s,
		"SELECT " FEED_COLUMNS " FROM feeds f"
		" JOIN publishers p ON p.id = f.publisher_id WHERE f.url = ?");

	if (!st)
		return ST_DB;
	bind_text(st, 1, url);
	return get_feed(s, st, out);
}

static enum status
collect_feeds(struct store *s, sqlite3_stmt *st, struct store_feed_list *out)
{
	struct store_feed_list l = {0};
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (l.count == cap) {
			cap = cap ? cap * 2 : 16;
			l.items = xreallocarray(l.items, cap, sizeof(*l.items));
		}
		read_feed(st, &l.items[l.count++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_feed_list_release(&l);
		return store_fail(s, "listing feeds");
	}
	*out = l;
	return ST_OK;
}

enum status
store_feed_list(struct store *s, int64_t publisher_id,
		struct store_feed_list *out)
{
	sqlite3_stmt *st = store_stmt(
		s,
		"SELECT " FEED_COLUMNS " FROM feeds f"
		" JOIN publishers p ON p.id = f.publisher_id"
		" WHERE ?1 = 0 OR f.publisher_id = ?1 ORDER BY p.slug, f.id");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, publisher_id);
	return collect_feeds(s, st, out);
}

enum status
store_feed_due(struct store *s, int64_t now, size_t limit,
	       struct store_feed_list *out)
{
	sqlite3_stmt *st =
		store_stmt(s, "SELECT " FEED_COLUMNS " FROM feeds f"
			      " JOIN publishers p ON p.id = f.publisher_id"
			      " WHERE f.enabled = 1 AND f.next_due_at <= ?1"
			      " ORDER BY f.next_due_at, f.id LIMIT ?2");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, limit ? (int64_t)limit : INT64_MAX);
	return collect_feeds(s, st, out);
}

/* Binds f's item digests at idx and its body digest at idx + 1. */
static void
bind_digests(sqlite3_stmt *st, int idx, const struct store_feed *f)
{
	if (f->item_digest_count)
		sqlite3_bind_blob(
			st, idx, f->item_digests,
			(int)(f->item_digest_count * STORE_DIGEST_LEN),
			SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
	if (f->has_body_digest)
		sqlite3_bind_blob(st, idx + 1, f->body_digest, STORE_DIGEST_LEN,
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx + 1);
}

enum status
store_feed_save_state(struct store *s, const struct store_feed *f)
{
	static const char sql[] =
		"UPDATE feeds SET url = ?2, title = ?3, etag = ?4,"
		" last_modified = ?5, last_fetch_at = ?6, last_success_at = ?7,"
		" last_new_at = ?8, next_due_at = ?9, interval = ?10,"
		" http_status = ?11, error_count = ?12, last_error = ?13,"
		" disabled_reason = ?14, item_count = ?15, enabled = ?16,"
		" item_digests = ?17, body_digest = ?18"
		" WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	enum status rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, f->id);
	bind_text(st, 2, f->url);
	bind_text(st, 3, f->title);
	bind_text(st, 4, f->etag);
	bind_text(st, 5, f->last_modified);
	sqlite3_bind_int64(st, 6, f->last_fetch_at);
	sqlite3_bind_int64(st, 7, f->last_success_at);
	sqlite3_bind_int64(st, 8, f->last_new_at);
	sqlite3_bind_int64(st, 9, f->next_due_at);
	sqlite3_bind_int64(st, 10, f->interval);
	sqlite3_bind_int(st, 11, f->http_status);
	sqlite3_bind_int(st, 12, f->error_count);
	bind_text(st, 13, f->last_error);
	bind_text(st, 14, f->disabled_reason);
	sqlite3_bind_int64(st, 15, f->item_count);
	sqlite3_bind_int(st, 16, f->enabled);
	bind_digests(st, 17, f);
	rc = store_step_done(s, st, "saving feed state");
	if (!rc && !sqlite3_changes(s->db))
		return ST_NOTFOUND;
	return rc;
}

enum status
store_feed_save_digests(struct store *s, const struct store_feed *f)
{
	sqlite3_stmt *st = store_stmt(s, "UPDATE feeds SET item_digests = ?,"
					 " body_digest = ? WHERE id = ?");
	enum status rc;

	if (!st)
		return ST_DB;
	bind_digests(st, 1, f);
	sqlite3_bind_int64(st, 3, f->id);
	rc = store_step_done(s, st, "saving feed digests");
	if (!rc && !sqlite3_changes(s->db))
		return ST_NOTFOUND;
	return rc;
}

enum status
store_feed_save_settings(struct store *s, const struct store_feed *f)
{
	static const char sql[] =
		"UPDATE feeds SET topics = ?2, enabled = ?3, full_text = ?4,"
		" allow_file = ?5, page_prefix = ?6, page_dir = ?7,"
		" disabled_reason = CASE WHEN ?3 THEN NULL"
		"  ELSE disabled_reason END,"
		" error_count = CASE WHEN ?3 AND NOT enabled THEN 0"
		"  ELSE error_count END"
		" WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	enum status rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, f->id);
	bind_text(st, 2, f->topics ? f->topics : "");
	sqlite3_bind_int(st, 3, f->enabled);
	sqlite3_bind_int(st, 4, f->full_text);
	sqlite3_bind_int(st, 5, f->allow_file);
	bind_text(st, 6, f->page_prefix);
	bind_text(st, 7, f->page_dir);
	rc = store_step_done(s, st, "saving feed settings");
	if (!rc && !sqlite3_changes(s->db))
		return ST_NOTFOUND;
	return rc;
}

enum status
store_feed_delete(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_stmt(s, "DELETE FROM feeds WHERE id = ?");
	enum status rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	rc = store_step_done(s, st, "deleting feed");
	if (!rc && !sqlite3_changes(s->db))
		return ST_NOTFOUND;
	return rc;
}

/* ---- Topics -------------------------------------------------------------- */

void
topic_release(struct topic *t)
{
	if (!t)
		return;
	free(t->slug);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

void
topic_list_release(struct topic_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		topic_release(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

enum status
store_topic_put(struct store *s, struct topic *t)
{
	sqlite3_stmt *st = store_stmt(
		s, "INSERT INTO topics (slug, name) VALUES (?1, ?2)"
		   " ON CONFLICT (slug) DO UPDATE SET name = ?2 RETURNING id");

	if (!t->slug || !*t->slug || !t->name || !*t->name)
		return log_error(ST_INVAL, "topic: slug and name required");
	if (!st)
		return ST_DB;
	bind_text(st, 1, t->slug);
	bind_text(st, 2, t->name);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return store_fail(s, "saving topic");
	}
	t->id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return ST_OK;
}

enum status
store_topic_by_slug(struct store *s, const char *slug, struct topic *out)
{
	sqlite3_stmt *st = store_stmt(
		s, "SELECT id, slug, name FROM topics WHERE slug = ?");
	int rc;

	if (!st)
		return ST_DB;
	bind_text(st, 1, slug);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(st, 0);
		out->slug = col_text(st, 1);
		out->name = col_text(st, 2);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return ST_OK;
	return rc == SQLITE_DONE ? ST_NOTFOUND : store_fail(s, "topic");
}

enum status
store_topic_list(struct store *s, struct topic_list *out)
{
	sqlite3_stmt *st =
		store_stmt(s, "SELECT t.id, t.slug, t.name,"
			      " (SELECT count(*) FROM article_topics x"
			      "  WHERE x.topic_id = t.id)"
			      " FROM topics t ORDER BY t.name");
	struct topic_list l = {0};
	size_t cap = 0;
	int rc;

	if (!st)
		return ST_DB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct topic *t;

		if (l.count == cap) {
			cap = cap ? cap * 2 : 16;
			l.items = xreallocarray(l.items, cap, sizeof(*l.items));
		}
		t = &l.items[l.count++];
		t->id = sqlite3_column_int64(st, 0);
		t->slug = col_text(st, 1);
		t->name = col_text(st, 2);
		t->article_count = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		topic_list_release(&l);
		return store_fail(s, "listing topics");
	}
	*out = l;
	return ST_OK;
}
