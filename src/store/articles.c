/*
 * articles.c — articles, their topics, their search index rows and picks.
 *
 * The search index (articles_fts) is external-content: it stores no text of
 * its own, so every insert, update and delete here also tells the index, with
 * the old values on the way out.
 */
#include "common.h"

#include "base/clock.h"
#include "base/log.h"
#include "store/internal.h"

void
article_release(struct article *a)
{
	if (!a)
		return;
	free(a->guid);
	free(a->url);
	free(a->title);
	free(a->byline);
	free(a->summary);
	free(a->body_html);
	free(a->body_text);
	free(a->teaser_html);
	free(a->teaser_text);
	free(a->lead_image);
	free(a->lead_caption);
	free(a->language);
	free(a->content_hash);
	free(a->topics);
	free(a->publisher_slug);
	free(a->publisher_name);
	free(a->publisher_logo);
	memset(a, 0, sizeof(*a));
}

void
article_list_release(struct article_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		article_release(&l->items[i]);
	free(l->items);
	free(l->next_cursor);
	memset(l, 0, sizeof(*l));
}

/* Reads one row selected with ARTICLE_COLUMNS() into a. */
void
read_article(sqlite3_stmt *st, struct article *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	a->publisher_id = sqlite3_column_int64(st, 1);
	a->feed_id = sqlite3_column_int64(st, 2);
	a->story_id = sqlite3_column_int64(st, 3);
	a->guid = col_text(st, 4);
	a->url = col_text(st, 5);
	a->title = col_text(st, 6);
	a->byline = col_text(st, 7);
	a->summary = col_text(st, 8);
	a->body_html = col_text(st, 9);
	a->body_text = col_text(st, 10);
	a->teaser_html = col_text(st, 11);
	a->teaser_text = col_text(st, 12);
	a->lead_image = col_text(st, 13);
	a->lead_caption = col_text(st, 14);
	a->language = col_text(st, 15);
	a->content_hash = col_text(st, 16);
	a->fingerprint = (uint64_t)sqlite3_column_int64(st, 17);
	a->word_count = sqlite3_column_int64(st, 18);
	a->published_at = sqlite3_column_int64(st, 19);
	a->updated_at = sqlite3_column_int64(st, 20);
	a->fetched_at = sqlite3_column_int64(st, 21);
	a->topics = col_text(st, 22);
	a->publisher_slug = col_text(st, 23);
	a->publisher_name = col_text(st, 24);
	a->publisher_logo = col_text(st, 25);
}

/* Adds article id to the search index with its text as given. */
static enum status
index_insert(struct store *s, int64_t id, const char *title, const char *byline,
	     const char *body_text)
{
	/* The values are bound rather than selected back: an INSERT … SELECT
	 * opens a statement journal, and every statement journal or
	 * savepoint makes FTS5 flush its pending terms as a new segment, so
	 * a batch of articles would be written to the index one by one. */
	sqlite3_stmt *st = store_stmt(
		s, "INSERT INTO articles_fts (rowid, title, byline, body_text)"
		   " VALUES (?1, ?2, ?3, ?4)");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, FTS_ROWID(id));
	bind_text(st, 2, title);
	bind_text(st, 3, byline);
	bind_text(st, 4, body_text);
	return store_step_done(s, st, "search index");
}

/* Whether article id waits for store_index_flush(). */
static bool
index_is_pending(const struct store *s, int64_t id)
{
	size_t i;

	for (i = s->index_pending_count; i > 0; i--)
		if (s->index_pending[i - 1].id == id)
			return true;
	return false;
}

/* Copies text into the pending texts; its offset, or NO_TEXT for NULL. */
static size_t
pending_text(struct store *s, const char *text)
{
	size_t at = s->index_text.len;

	if (!text)
		return NO_TEXT;
	/* With its NUL: each is read back as a string. */
	buf_add(&s->index_text, text, strlen(text) + 1);
	return at;
}

/*
 * Adds article id to the search index, at once or, during a write round,
 * at the commit (store_index_flush()), with the text it has now.
 */
static enum status
index_add(struct store *s, int64_t id, const struct article *a)
{
	struct index_pending *p;

	if (s->index_deferred)
		return ST_OK;
	if (!s->index_batched)
		return index_insert(s, id, a->title, a->byline, a->body_text);
	if (s->index_pending_count == s->index_pending_alloc) {
		s->index_pending_alloc = s->index_pending_alloc
						 ? s->index_pending_alloc * 2
						 : 256;
		s->index_pending =
			xreallocarray(s->index_pending, s->index_pending_alloc,
				      sizeof(*s->index_pending));
	}
	p = &s->index_pending[s->index_pending_count];
	p->id = id;
	p->seq = s->index_pending_count++;
	p->title = pending_text(s, a->title);
	p->byline = pending_text(s, a->byline);
	p->body = pending_text(s, a->body_text);
	return s->index_text.err;
}

/* Takes article id out of the search index with the text stored now (an
 * external-content index must be told the old values). */
static enum status
index_remove(struct store *s, int64_t id)
{
	sqlite3_stmt *st;

	/* Not indexed yet: the flush indexes the text of its last put. */
	if (s->index_deferred || index_is_pending(s, id))
		return ST_OK;
	st = store_stmt(
		s,
		"INSERT INTO articles_fts (articles_fts, rowid, title, byline,"
		" body_text) SELECT 'delete', -id, title, byline, body_text"
		" FROM articles WHERE id = ?");
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	return store_step_done(s, st, "search index");
}

/* Newest first; an article put twice, its last put first. */
static int
pending_cmp(const void *pa, const void *pb)
{
	const struct index_pending *a = pa, *b = pb;

	if (a->id != b->id)
		return a->id > b->id ? -1 : 1;
	return a->seq > b->seq ? -1 : a->seq < b->seq;
}

static const char *
pending_at(const struct store *s, size_t at)
{
	return at == NO_TEXT ? NULL : s->index_text.data + at;
}

void
store_index_forget(struct store *s)
{
	s->index_pending_count = 0;
	/* A round's batches grow it to megabytes: kept for the next batch,
	 * not once the round is over. */
	if (!s->index_batched && s->index_text.cap > INDEX_TEXT_KEEP)
		buf_release(&s->index_text);
	else
		buf_reset(&s->index_text);
}

enum status
store_savepoint(struct store *s, struct store_savepoint *sp)
{
	sp->pending = s->index_pending_count;
	sp->text = s->index_text.len;
	return store_exec(s, "SAVEPOINT store_savepoint");
}

enum status
store_savepoint_release(struct store *s)
{
	return store_exec(s, "RELEASE store_savepoint");
}

enum status
store_savepoint_undo(struct store *s, const struct store_savepoint *sp)
{
	if (sp->pending <= s->index_pending_count) {
		s->index_pending_count = sp->pending;
		buf_truncate(&s->index_text, sp->text);
	}
	s->next_article_id = 0;
	return store_exec(s, "ROLLBACK TO store_savepoint;"
			     "RELEASE store_savepoint");
}

enum status
store_index_flush(struct store *s)
{
	struct index_pending *v = s->index_pending;
	size_t n = s->index_pending_count, i;
	enum status rc = s->index_text.err;

	if (!n || rc) {
		store_index_forget(s);
		return rc;
	}
	qsort(v, n, sizeof(*v), pending_cmp);
	for (i = 0; !rc && i < n; i++)
		if (!i || v[i].id != v[i - 1].id)
			rc = index_insert(s, v[i].id, pending_at(s, v[i].title),
					  pending_at(s, v[i].byline),
					  pending_at(s, v[i].body));
	store_index_forget(s);
	return rc;
}

/* Looks up an id by one key; 0 when there is none. */
static enum status
find_id(struct store *s, sqlite3_stmt *st, int64_t *id, char **hash,
	char **title)
{
	int rc = sqlite3_step(st);

	*id = 0;
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		if (hash)
			*hash = col_text(st, 1);
		if (title)
			*title = col_text(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "finding article");
	return ST_OK;
}

/*
 * Links the article to its topics by slug. The topic's id is looked up
 * first and the link inserted by value: an INSERT … SELECT opens a
 * statement journal, which makes the search index flush its pending terms
 * (see index_add()), once per article.
 */
static enum status
link_topics(struct store *s, int64_t id, const char *topics)
{
	sqlite3_stmt *st;
	const char *p = topics;

	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		struct str slug = str_trim((struct str){p, len});
		int64_t topic_id = 0;
		enum status rc;

		p = comma ? comma + 1 : NULL;
		if (!slug.len)
			continue;
		st = store_stmt(s, "SELECT id FROM topics WHERE slug = ?");
		if (!st)
			return ST_DB;
		sqlite3_bind_text(st, 1, slug.p, (int)slug.len,
				  SQLITE_TRANSIENT);
		rc = find_id(s, st, &topic_id, NULL, NULL);
		if (rc)
			return rc;
		if (!topic_id)
			continue;
		st = store_stmt(s, "INSERT OR IGNORE INTO article_topics"
				   " (article_id, topic_id) VALUES (?1, ?2)");
		if (!st)
			return ST_DB;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, topic_id);
		rc = store_step_done(s, st, "linking topic");
		if (rc)
			return rc;
	}
	return ST_OK;
}

enum {
	/* A shorter common start is not worth a column of its own. */
	BODY_PREFIX_MIN_BYTES = 16,
	/* A longer body is not cut into: reading the teaser would read
	 * the whole body, and a row that large (both bodies) leaves its
	 * page for overflow pages, which every card would then walk. */
	BODY_PREFIX_MAX_BODY = 6000,
};

/*
 * The length of body (NUL-terminated) when it is short enough to be cut
 * into (BODY_PREFIX_MAX_BODY bytes at most), else SIZE_MAX.
 */
static size_t
cuttable_len(const char *body)
{
	size_t n = body ? strnlen(body, BODY_PREFIX_MAX_BODY + 1) : SIZE_MAX;

	return n <= BODY_PREFIX_MAX_BODY ? n : SIZE_MAX;
}

/*
 * Binds value as schema v8 stores it: the number of bytes it shares with
 * the start of body (body_len bytes, from cuttable_len(); at cut_idx, NULL
 * when that is too few to be worth it, or the body too long) and the rest
 * (at rest_idx). The generated column puts them back together byte for
 * byte, valid UTF-8 or not.
 */
static void
bind_body_prefix(sqlite3_stmt *st, int cut_idx, int rest_idx, const char *value,
		 const char *body, size_t body_len)
{
	size_t n = 0, max;

	if (value && body_len != SIZE_MAX) {
		/* A teaser is mostly the body's start whole: compared a
		 * block at a time, then byte by byte where they part. */
		max = strnlen(value, body_len);
		while (n + 64 <= max && !memcmp(value + n, body + n, 64))
			n += 64;
		while (n < max && value[n] == body[n])
			n++;
	}
	if (n < BODY_PREFIX_MIN_BYTES) {
		sqlite3_bind_null(st, cut_idx);
		bind_text(st, rest_idx, value);
		return;
	}
	sqlite3_bind_int64(st, cut_idx, (int64_t)n);
	bind_text(st, rest_idx, value + n);
}

/* bind_text() of text whose length cuttable_len() gave (SIZE_MAX: not
 * measured). */
static void
bind_measured(sqlite3_stmt *st, int idx, const char *text, size_t len)
{
	if (text && len != SIZE_MAX)
		sqlite3_bind_text(st, idx, text, (int)len, SQLITE_STATIC);
	else
		bind_text(st, idx, text);
}

static void
bind_article(sqlite3_stmt *st, const struct article *a)
{
	size_t text_len = cuttable_len(a->body_text),
	       html_len = cuttable_len(a->body_html);

	sqlite3_bind_int64(st, 1, a->publisher_id);
	bind_int(st, 2, a->feed_id, true);
	bind_text(st, 3, a->guid);
	bind_text(st, 4, a->url);
	bind_text(st, 5, a->title);
	bind_text(st, 6, a->byline);
	bind_body_prefix(st, 23, 7, a->summary, a->body_text, text_len);
	/* The bodies' lengths are known (up to the cut's limit): SQLite
	 * need not measure them again. */
	bind_measured(st, 8, a->body_html, html_len);
	bind_measured(st, 9, a->body_text, text_len);
	bind_body_prefix(st, 24, 10, a->teaser_html, a->body_html, html_len);
	bind_body_prefix(st, 25, 11, a->teaser_text, a->body_text, text_len);
	bind_text(st, 12, a->lead_image);
	bind_text(st, 13, a->lead_caption);
	bind_text(st, 14, a->language);
	bind_text(st, 15, a->content_hash);
	sqlite3_bind_int64(st, 16, (int64_t)a->fingerprint);
	sqlite3_bind_int64(st, 17, a->word_count);
	sqlite3_bind_int64(st, 18, a->published_at);
	sqlite3_bind_int64(st, 19, a->updated_at);
	sqlite3_bind_int64(st, 20, a->fetched_at);
}

/* Inserts a new article as id (0: the next id) in story_id (0: none),
 * with its index entry and topics; sets a->id. */
static enum status
insert_article(struct store *s, struct article *a, int64_t id, int64_t story_id)
{
	static const char insert_sql[] =
		"INSERT INTO articles (publisher_id, feed_id, guid, url, title,"
		" byline, summary_rest, body_html, body_text, teaser_html_rest,"
		" teaser_text_rest, lead_image, lead_caption, language,"
		" content_hash, fingerprint, word_count, published_at,"
		" updated_at, fetched_at, id, story_id, summary_cut,"
		" teaser_html_cut, teaser_text_cut)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,"
		" ?25)";
	sqlite3_stmt *st = store_stmt(s, insert_sql);
	enum status rc;

	if (!st)
		return ST_DB;
	bind_article(st, a);
	bind_int(st, 21, id, true);
	bind_int(st, 22, story_id, true);
	rc = store_step_done(s, st, "inserting article");
	if (rc)
		return rc;
	a->id = sqlite3_last_insert_rowid(s->db);
	if (s->next_article_id && a->id >= s->next_article_id)
		s->next_article_id = a->id + 1;
	/* (Outside a transaction the commit has already been, and its hook
	 * would not forget it.) */
	if (!s->tx_first_new && !sqlite3_get_autocommit(s->db))
		s->tx_first_new = a->id;
	rc = index_add(s, a->id, a);
	if (!rc)
		rc = link_topics(s, a->id, a->topics);
	return rc;
}

/*
 * The id the next article inserted gets: one past the largest (what
 * SQLite would choose), so that an article can be clustered before its
 * row is written. Asked of the table once a transaction: its inserts
 * (insert_article()) keep it from there.
 */
static enum status
next_article_id(struct store *s, int64_t *id)
{
	sqlite3_stmt *st;
	enum status rc;

	if (s->next_article_id) {
		*id = s->next_article_id;
		return ST_OK;
	}
	st = store_stmt(s, "SELECT coalesce(max(id), 0) + 1 FROM articles");
	if (!st)
		return ST_DB;
	rc = find_id(s, st, id, NULL, NULL);
	if (!rc && *id <= 0)
		rc = ST_TOOBIG;
	if (!rc)
		s->next_article_id = *id;
	return rc;
}

/*
 * store_article_put(); with place set, a new article is not inserted but
 * given the id it will have (for store_article_insert()).
 */
static enum status
put_article(struct store *s, struct article *a, enum article_put_result *result,
	    bool place)
{
	static const char update_sql[] =
		"UPDATE articles SET title = ?5, byline = ?6,"
		" summary_rest = ?7, summary_cut = ?23, body_html = ?8,"
		" body_text = ?9, teaser_html_rest = ?10,"
		" teaser_html_cut = ?24, teaser_text_rest = ?11,"
		" teaser_text_cut = ?25, lead_image = ?12, lead_caption = ?13,"
		" language = ?14, content_hash = ?15, fingerprint = ?16,"
		" word_count = ?17, published_at = ?18, updated_at = ?19"
		" WHERE id = ?21";
	sqlite3_stmt *st;
	int64_t id = 0;
	char *old_hash = NULL, *old_title = NULL;
	enum status rc;

	if (!a->url || !*a->url || !a->title || !a->publisher_id)
		return log_error(ST_INVAL,
				 "article: publisher, URL and title required");
	if (!a->fetched_at)
		a->fetched_at = clock_now();
	if (!a->updated_at)
		a->updated_at = a->fetched_at;
	if (!a->published_at)
		a->published_at = a->fetched_at;

	/* 1. The same guid in the same feed is the same article. */
	if (a->feed_id && a->guid) {
		st = store_stmt(s,
				"SELECT id, content_hash, title FROM articles"
				" WHERE feed_id = ? AND guid = ?");
		if (!st)
			return ST_DB;
		sqlite3_bind_int64(st, 1, a->feed_id);
		bind_text(st, 2, a->guid);
		rc = find_id(s, st, &id, &old_hash, &old_title);
		if (rc)
			goto out;
		if (id) {
			bool same = old_hash && a->content_hash &&
				    !strcmp(old_hash, a->content_hash) &&
				    old_title && !strcmp(old_title, a->title);

			a->id = id;
			if (same) {
				*result = ARTICLE_UNCHANGED;
				goto out;
			}
			rc = index_remove(s, id);
			if (rc)
				goto out;
			st = store_stmt(s, update_sql);
			if (!st) {
				rc = ST_DB;
				goto out;
			}
			bind_article(st, a);
			sqlite3_bind_int64(st, 19, clock_now());
			sqlite3_bind_int64(st, 21, id);
			rc = store_step_done(s, st, "updating article");
			if (rc)
				goto out;
			rc = index_add(s, id, a);
			if (!rc)
				rc = link_topics(s, id, a->topics);
			*result = ARTICLE_UPDATED;
			goto out;
		}
	}
	/* 2. The same canonical URL from anywhere is the same article. */
	st = store_stmt(s, "SELECT id FROM articles WHERE url = ?");
	if (!st)
		return ST_DB;
	bind_text(st, 1, a->url);
	rc = find_id(s, st, &id, NULL, NULL);
	if (rc)
		goto out;
	/* 3. The same text from the same publisher is a duplicate. */
	if (!id && a->content_hash && a->word_count > 0) {
		st = store_stmt(s, "SELECT id FROM articles WHERE"
				   " content_hash = ? AND publisher_id = ?");
		if (!st)
			return ST_DB;
		bind_text(st, 1, a->content_hash);
		sqlite3_bind_int64(st, 2, a->publisher_id);
		rc = find_id(s, st, &id, NULL, NULL);
		if (rc)
			goto out;
	}
	if (id) {
		a->id = id;
		*result = ARTICLE_DUPLICATE;
		goto out;
	}
	if (place) {
		rc = next_article_id(s, &a->id);
	} else {
		rc = insert_article(s, a, 0, 0);
	}
	*result = ARTICLE_CREATED;
out:
	free(old_hash);
	free(old_title);
	return rc;
}

enum status
store_article_put(struct store *s, struct article *a,
		  enum article_put_result *result)
{
	enum article_put_result res = ARTICLE_UNCHANGED;
	bool own = sqlite3_get_autocommit(s->db) != 0;
	bool batched = s->index_batched;
	struct store_savepoint sp;
	enum status rc;

	/*
	 * Outside a transaction a savepoint makes the row and its index entry
	 * one change: indexed at once, as no commit of the writer's follows
	 * to flush it. Inside the caller's transaction there is none: each
	 * savepoint makes FTS5 flush its pending terms, which would write the
	 * index one article at a time; a caller that gets an error rolls its
	 * transaction (or its own savepoint) back instead.
	 */
	if (own) {
		rc = store_savepoint(s, &sp);
		if (rc)
			return rc;
		s->index_batched = false;
	}
	rc = put_article(s, a, &res, false);
	s->index_batched = batched;
	if (rc) {
		if (own && store_savepoint_undo(s, &sp))
			log_error(ST_DB, "store: cannot undo a failed put");
		return rc;
	}
	if (own)
		rc = store_savepoint_release(s);
	if (!rc && result)
		*result = res;
	return rc;
}

enum status
store_article_place(struct store *s, struct article *a,
		    enum article_put_result *result)
{
	enum article_put_result res = ARTICLE_UNCHANGED;
	enum status rc;

	if (sqlite3_get_autocommit(s->db))
		return log_error(
			ST_INTERNAL,
			"store: placing an article needs a transaction");
	rc = put_article(s, a, &res, true);
	if (!rc)
		*result = res;
	return rc;
}

enum status
store_article_insert(struct store *s, struct article *a)
{
	int64_t id = a->id;
	enum status rc = insert_article(s, a, id, a->story_id);

	if (!rc && a->id != id)
		rc = log_error(ST_INTERNAL,
			       "store: article %" PRId64 " stored as %" PRId64,
			       id, a->id);
	return rc;
}

enum status
store_article_get(struct store *s, int64_t id, struct article *out)
{
	sqlite3_stmt *st = store_stmt(
		s,
		"SELECT " ARTICLE_COLUMNS("1") " FROM articles a"
					       " JOIN publishers p ON p.id = "
					       "a.publisher_id WHERE a.id = ?");
	int rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_article(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return ST_OK;
	return rc == SQLITE_DONE ? ST_NOTFOUND : store_fail(s, "article");
}

enum status
store_article_find(struct store *s, int64_t feed_id, const char *guid,
		   const char *url, int64_t *id)
{
	sqlite3_stmt *st;
	enum status rc;

	*id = 0;
	if (feed_id && guid) {
		st = store_stmt(s, "SELECT id FROM articles"
				   " WHERE feed_id = ? AND guid = ?");
		if (!st)
			return ST_DB;
		sqlite3_bind_int64(st, 1, feed_id);
		bind_text(st, 2, guid);
		rc = find_id(s, st, id, NULL, NULL);
		if (rc || *id)
			return rc;
	}
	if (!url)
		return ST_OK;
	st = store_stmt(s, "SELECT id FROM articles WHERE url = ?");
	if (!st)
		return ST_DB;
	bind_text(st, 1, url);
	return find_id(s, st, id, NULL, NULL);
}

static enum status
collect_articles(struct store *s, sqlite3_stmt *st, size_t limit,
		 struct article_list *out)
{
	struct article_list l = {0};
	int rc;

	l.items = xcalloc(limit + 1, sizeof(*l.items));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (l.count == limit) {
			struct article *last = &l.items[limit - 1];

			l.next_cursor =
				store_cursor_make(last->published_at, last->id);
			break;
		}
		read_article(st, &l.items[l.count++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		article_list_release(&l);
		return store_fail(s, "listing articles");
	}
	*out = l;
	return ST_OK;
}

/* The common tail of every list: range, cursor, order, limit. */
#define LIST_TAIL                                                              \
	" AND a.published_at >= ?2 AND a.published_at < ?3"                    \
	" AND (a.published_at < ?4 OR (a.published_at = ?4 AND a.id < ?5))"    \
	" ORDER BY a.published_at DESC, a.id DESC LIMIT ?6"

enum status
store_article_list(struct store *s, const struct article_query *q,
		   struct article_list *out)
{
	/* One statement per filter, so each can use its own index. */
	static const char all_sql[] = "SELECT " ARTICLE_COLUMNS(
		"?7") " FROM articles a"
		      " JOIN publishers p ON p.id = a.publisher_id"
		      " WHERE ?1 = ?1" LIST_TAIL;
	static const char publisher_sql[] = "SELECT " ARTICLE_COLUMNS(
		"?7") " FROM articles a"
		      " JOIN publishers p ON p.id = a.publisher_id"
		      " WHERE a.publisher_id = ?1" LIST_TAIL;
	static const char topic_sql[] = "SELECT " ARTICLE_COLUMNS(
		"?7") " FROM article_topics x"
		      " JOIN articles a ON a.id = x.article_id"
		      " JOIN publishers p ON p.id = a.publisher_id"
		      " WHERE x.topic_id = ?1" LIST_TAIL;
	/* A story's articles come by its index, in no order: sorting their
	 * ids first keeps whole rows out of the sorter. */
	static const char story_sql[] = "SELECT " ARTICLE_COLUMNS(
		"?7") " FROM (SELECT a.id FROM articles a"
		      " WHERE a.story_id = ?1" LIST_TAIL ") w"
		      " JOIN articles a ON a.id = w.id"
		      " JOIN publishers p ON p.id = a.publisher_id"
		      " ORDER BY a.published_at DESC, a.id DESC";
	static const char pub_topic_sql[] = "SELECT " ARTICLE_COLUMNS(
		"?7") " FROM article_topics x"
		      " JOIN articles a ON a.id = x.article_id"
		      " JOIN publishers p ON p.id = a.publisher_id"
		      " WHERE x.topic_id = ?1 AND a.publisher_id = "
		      "?8" LIST_TAIL;
	const char *sql = all_sql;
	int64_t key = 0, cursor_t = INT64_MAX, cursor_id = INT64_MAX;
	size_t limit = q->limit ? MIN(q->limit, 200) : 20;
	sqlite3_stmt *st;

	if (q->cursor && *q->cursor &&
	    store_cursor_parse(q->cursor, &cursor_t, &cursor_id))
		return ST_INVAL;
	if (q->story_id) {
		sql = story_sql;
		key = q->story_id;
	} else if (q->topic_id && q->publisher_id) {
		sql = pub_topic_sql;
		key = q->topic_id;
	} else if (q->topic_id) {
		sql = topic_sql;
		key = q->topic_id;
	} else if (q->publisher_id) {
		sql = publisher_sql;
		key = q->publisher_id;
	}
	st = store_stmt(s, sql);
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, key);
	sqlite3_bind_int64(st, 2, q->since);
	sqlite3_bind_int64(st, 3, q->until ? q->until : INT64_MAX);
	sqlite3_bind_int64(st, 4, cursor_t);
	sqlite3_bind_int64(st, 5, cursor_id);
	sqlite3_bind_int64(st, 6, (int64_t)limit + 1);
	sqlite3_bind_int(st, 7, q->with_body);
	if (sql == pub_topic_sql)
		sqlite3_bind_int64(st, 8, q->publisher_id);
	return collect_articles(s, st, limit, out);
}

enum status
store_article_count(struct store *s, int64_t *out)
{
	return store_query_int(s, "SELECT count(*) FROM articles",
			       "counting articles", out);
}

/* ---- Picks --------------------------------------------------------------- */

void
pick_release(struct pick *p)
{
	if (!p)
		return;
	free(p->note);
	article_release(&p->article);
	memset(p, 0, sizeof(*p));
}

void
pick_list_release(struct pick_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		pick_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

enum status
store_pick_put(struct store *s, struct pick *p)
{
	sqlite3_stmt *st = store_stmt(
		s, "INSERT INTO picks (article_id, position, note, editor_id,"
		   " created_at) VALUES (?1, ?2, ?3, ?4, ?5)"
		   " ON CONFLICT (article_id) DO UPDATE SET position = ?2,"
		   " note = ?3, editor_id = ?4 RETURNING id");
	int rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, p->article_id);
	sqlite3_bind_int64(st, 2, p->position);
	bind_text(st, 3, p->note);
	bind_int(st, 4, p->editor_id, true);
	sqlite3_bind_int64(st, 5, p->created_at ? p->created_at : clock_now());
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		p->id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return ST_OK;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return ST_NOTFOUND; /* no such article */
	return store_fail(s, "saving pick");
}

enum status
store_pick_delete(struct store *s, int64_t article_id)
{
	sqlite3_stmt *st =
		store_stmt(s, "DELETE FROM picks WHERE article_id = ?");
	enum status rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, article_id);
	rc = store_step_done(s, st, "deleting pick");
	if (!rc && !sqlite3_changes(s->db))
		return ST_NOTFOUND;
	return rc;
}

enum status
store_pick_list(struct store *s, size_t limit, struct pick_list *out)
{
	sqlite3_stmt *st = store_stmt(
		s,
		"SELECT " ARTICLE_COLUMNS(
			"0") ", k.id, k.position, k.note,"
			     " k.editor_id, k.created_at FROM picks k"
			     /* CROSS JOIN keeps picks the outer loop: the
			      * planner may otherwise scan every article. */
			     " CROSS JOIN articles a ON a.id = k.article_id"
			     " JOIN publishers p ON p.id = a.publisher_id"
			     " ORDER BY k.position, k.created_at DESC LIMIT ?");
	struct pick_list l = {0};
	int rc;

	if (!st)
		return ST_DB;
	limit = limit ? MIN(limit, 200) : 20;
	sqlite3_bind_int64(st, 1, (int64_t)limit);
	l.items = xcalloc(limit, sizeof(*l.items));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pick *p = &l.items[l.count++];

		read_article(st, &p->article);
		p->article_id = p->article.id;
		p->id = sqlite3_column_int64(st, 26);
		p->position = sqlite3_column_int64(st, 27);
		p->note = col_text(st, 28);
		p->editor_id = sqlite3_column_int64(st, 29);
		p->created_at = sqlite3_column_int64(st, 30);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		pick_list_release(&l);
		return store_fail(s, "listing picks");
	}
	*out = l;
	return ST_OK;
}
