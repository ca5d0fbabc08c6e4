/*
 * articles.c — articles, their topics, the search index and picks.
 *
 * The search index (articles_fts) is external-content: it stores no text of
 * its own, so every insert, update and delete here also tells the index, with
 * the old values on the way out.
 */
#include "common.h"

#include <ctype.h>
#include <math.h>

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

/* The columns every article read selects, in read_article()'s order; ?9
 * (or the with_body flag bound at that index) decides whether bodies load. */
#define ARTICLE_COLUMNS(body)                                                  \
	"a.id, a.publisher_id, a.feed_id, a.story_id, a.guid, a.url,"          \
	" a.title, a.byline, a.summary,"                                       \
	" CASE WHEN " body " THEN a.body_html END,"                            \
	" CASE WHEN " body " THEN a.body_text END,"                            \
	" a.teaser_html, a.teaser_text, a.lead_image, a.lead_caption,"         \
	" a.language, a.content_hash, a.fingerprint, a.word_count,"            \
	" a.published_at, a.updated_at, a.fetched_at,"                         \
	" (SELECT group_concat(t.slug) FROM article_topics x"                  \
	"  JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id),"     \
	" p.slug, p.name, p.logo"

static void
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

/*
 * Adds article id to the search index with its text as given, or takes it
 * out with the text stored now (an external-content index must be told the
 * old values). The insert binds the values rather than selecting them back:
 * an INSERT … SELECT opens a statement journal, and every statement journal
 * or savepoint makes FTS5 flush its pending terms as a new segment, so a
 * batch of articles would be written to the index one by one.
 */
static enum status
index_add(struct store *s, int64_t id, const struct article *a)
{
	sqlite3_stmt *st;

	if (s->index_deferred)
		return ST_OK;
	st = store_stmt(
		s, "INSERT INTO articles_fts (rowid, title, byline, body_text)"
		   " VALUES (?1, ?2, ?3, ?4)");
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	bind_text(st, 2, a->title);
	bind_text(st, 3, a->byline);
	bind_text(st, 4, a->body_text);
	return store_step_done(s, st, "search index");
}

static enum status
index_remove(struct store *s, int64_t id)
{
	sqlite3_stmt *st;

	if (s->index_deferred)
		return ST_OK;
	st = store_stmt(
		s,
		"INSERT INTO articles_fts (articles_fts, rowid, title, byline,"
		" body_text) SELECT 'delete', id, title, byline, body_text"
		" FROM articles WHERE id = ?");
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	return store_step_done(s, st, "search index");
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

static void
bind_article(sqlite3_stmt *st, const struct article *a)
{
	sqlite3_bind_int64(st, 1, a->publisher_id);
	bind_int(st, 2, a->feed_id, true);
	bind_text(st, 3, a->guid);
	bind_text(st, 4, a->url);
	bind_text(st, 5, a->title);
	bind_text(st, 6, a->byline);
	bind_text(st, 7, a->summary);
	bind_text(st, 8, a->body_html);
	bind_text(st, 9, a->body_text);
	bind_text(st, 10, a->teaser_html);
	bind_text(st, 11, a->teaser_text);
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

static enum status
put_article(struct store *s, struct article *a, enum article_put_result *result)
{
	static const char insert_sql[] =
		"INSERT INTO articles (publisher_id, feed_id, guid, url, title,"
		" byline, summary, body_html, body_text, teaser_html,"
		" teaser_text, lead_image, lead_caption, language, "
		"content_hash,"
		" fingerprint, word_count, published_at, updated_at, "
		"fetched_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
		"?13,"
		" ?14, ?15, ?16, ?17, ?18, ?19, ?20)";
	static const char update_sql[] =
		"UPDATE articles SET title = ?5, byline = ?6, summary = ?7,"
		" body_html = ?8, body_text = ?9, teaser_html = ?10,"
		" teaser_text = ?11, lead_image = ?12, lead_caption = ?13,"
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
	st = store_stmt(s, insert_sql);
	if (!st)
		return ST_DB;
	bind_article(st, a);
	rc = store_step_done(s, st, "inserting article");
	if (rc)
		goto out;
	a->id = sqlite3_last_insert_rowid(s->db);
	rc = index_add(s, a->id, a);
	if (!rc)
		rc = link_topics(s, a->id, a->topics);
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
	enum status rc;

	/*
	 * Outside a transaction a savepoint makes the row and its index entry
	 * one change. Inside the caller's transaction there is none: each
	 * savepoint makes FTS5 flush its pending terms, which would write the
	 * index one article at a time; a caller that gets an error rolls its
	 * transaction (or its own savepoint) back instead.
	 */
	if (own) {
		rc = store_exec(s, "SAVEPOINT article_put");
		if (rc)
			return rc;
	}
	rc = put_article(s, a, &res);
	if (rc) {
		if (own && store_exec(s, "ROLLBACK TO article_put; "
					 "RELEASE article_put"))
			log_error(ST_DB, "store: cannot undo a failed put");
		return rc;
	}
	if (own)
		rc = store_exec(s, "RELEASE article_put");
	if (!rc && result)
		*result = res;
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
	sqlite3_stmt *st = store_stmt(s, "SELECT count(*) FROM articles");
	int rc;

	if (!st)
		return ST_DB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? ST_OK : store_fail(s, "counting articles");
}

/* ---- Search -------------------------------------------------------------- */

/*
 * The search rank, news_rank(articles_fts): bm25 without its length
 * normalisation (b = 0), title 10, byline 2, text 1, k1 = 1.2, and each
 * word's document frequency counted only up to RANK_DF_CAP. FTS5's own
 * bm25() reads every match's row of the docsize table (the lengths) and,
 * for the idf, walks every word's whole doclist once per query: most of a
 * search's time at a million articles. Here a row costs its position
 * lists, and a word in RANK_DF_CAP articles or more counts as common (all
 * common words weigh the same; rarer ones, names mostly, weigh more).
 * Lower is better, as with bm25().
 */
enum { RANK_DF_CAP = 100 };
static const double rank_weights[] = {10.0, 2.0, 1.0};
#define RANK_K1 1.2

struct rank_idf {
	int phrases;   /* the query's phrases */
	double idf[1]; /* per phrase, phrases of them */
};

static int
count_capped(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg)
{
	int64_t *count = arg;

	(void)api;
	(void)fts;
	return ++*count >= RANK_DF_CAP ? SQLITE_DONE : SQLITE_OK;
}

static struct rank_idf *
rank_idf_new(const Fts5ExtensionApi *api, Fts5Context *fts, int *rc)
{
	int phrases = api->xPhraseCount(fts), i;
	struct rank_idf *d = xcalloc(1, sizeof(*d) + (size_t)MAX(phrases, 1) *
							     sizeof(double));
	sqlite3_int64 rows = 0;

	d->phrases = phrases;
	*rc = api->xRowCount(fts, &rows);
	for (i = 0; *rc == SQLITE_OK && i < phrases; i++) {
		int64_t df = 0;

		*rc = api->xQueryPhrase(fts, i, &df, count_capped);
		d->idf[i] = log(1.0 + ((double)rows - (double)df + 0.5) /
					      ((double)df + 0.5));
	}
	if (*rc == SQLITE_OK)
		*rc = api->xSetAuxdata(fts, d, free);
	else
		free(d);
	return *rc == SQLITE_OK ? d : NULL;
}

static void
news_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
	  int argc, sqlite3_value **argv)
{
	struct rank_idf *d = api->xGetAuxdata(fts, 0);
	double freq[40] = {0}, score = 0;
	int rc = SQLITE_OK, count = 0, i;

	(void)argc;
	(void)argv;
	if (!d)
		d = rank_idf_new(api, fts, &rc);
	if (rc == SQLITE_OK)
		rc = api->xInstCount(fts, &count);
	for (i = 0; rc == SQLITE_OK && i < count; i++) {
		int phrase, column, offset;

		rc = api->xInst(fts, i, &phrase, &column, &offset);
		if (rc == SQLITE_OK && phrase < (int)ARRAY_SIZE(freq) &&
		    column < (int)ARRAY_SIZE(rank_weights))
			freq[phrase] += rank_weights[column];
	}
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	for (i = 0; i < d->phrases && i < (int)ARRAY_SIZE(freq); i++)
		score += d->idf[i] * freq[i] * (RANK_K1 + 1.0) /
			 (freq[i] + RANK_K1);
	sqlite3_result_double(ctx, -score);
}

enum status
store_search_init(struct store *s)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return store_fail(s, "search: no FTS5");
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (!api || api->iVersion < 2)
		return log_error(ST_DB, "store: search: no FTS5 API");
	if (api->xCreateFunction(api, "news_rank", NULL, news_rank, NULL) !=
	    SQLITE_OK)
		return store_fail(s, "search: rank function");
	return ST_OK;
}

void
search_result_release(struct search_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->count; i++)
		article_release(&r->items[i].article);
	free(r->items);
	memset(r, 0, sizeof(*r));
}

/*
 * Turns the user's words into an FTS5 query: every run of letters and
 * digits becomes a quoted term (so no user text is FTS syntax) and all
 * terms must match. With prefix, the last term may also be a prefix
 * ("harb" finds "harbour") when it has SEARCH_PREFIX_MIN characters or
 * more; *has_prefix says whether it became one.
 */
enum { SEARCH_PREFIX_MIN = 3, SEARCH_TERMS_MAX = 32 };

static enum status
fts_query(const char *text, bool prefix, struct buf *out, bool *has_prefix)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t terms = 0, last_len = 0;

	*has_prefix = false;
	while (*p) {
		const unsigned char *start;

		while (*p && !(isalnum(*p) || *p >= 0x80))
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && (isalnum(*p) || *p >= 0x80))
			p++;
		if (terms++)
			buf_addc(out, ' ');
		buf_addc(out, '"');
		buf_add(out, start, (size_t)(p - start));
		buf_addc(out, '"');
		last_len = (size_t)(p - start);
		if (terms > SEARCH_TERMS_MAX)
			break;
	}
	if (!terms)
		return ST_INVAL;
	if (prefix && last_len >= SEARCH_PREFIX_MIN &&
	    !isspace((unsigned char)text[strlen(text) - 1])) {
		buf_addc(out, '*');
		*has_prefix = true;
	}
	return out->err;
}

/* Whether the FTS5 query matches any article (it stops at the first). */
static enum status
search_matches_any(struct store *s, const char *match, bool *any)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT rowid FROM articles_fts"
					 " WHERE articles_fts MATCH ? LIMIT 1");
	int rc;

	if (!st)
		return ST_DB;
	bind_text(st, 1, match);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "search");
	*any = rc == SQLITE_ROW;
	return ST_OK;
}

/*
 * Search ranks the matches by news_rank() (above) with a recency boost of
 * up to 50% for today's articles, fading over a few days, in blocks: the
 * newest SEARCH_BLOCK matches that pass the filters (publisher, topic,
 * dates), best first, then the next SEARCH_BLOCK newest, and so on. A
 * query with at most SEARCH_BLOCK matches is ranked as a whole. A common
 * word costs one block, not its tens of thousands of matches: the index
 * walks a word's matches newest first (by rowid, which follows the time
 * articles arrive) and stops after the block; a page reads the one or two
 * blocks it lies in, so offsets stay consistent at any depth.
 *
 * The last word is a prefix only when the words as typed match nothing:
 * FTS5 reads every doclist of a prefix's words in full before it returns a
 * match.
 */
/* At 1,000,000 articles "harbour council" (690 matches) costs about 7 us
 * of CPU per candidate, all told: blocks of 200 cost 1.5 ms a page, of
 * 50 0.46 ms. */
enum { SEARCH_BLOCK = 50 };

static enum status
search_run(struct store *s, const struct search_query *q, const char *match,
	   size_t limit, struct search_result *out)
{
	static const char sql[] =
		"WITH c AS MATERIALIZED ("
		"  SELECT f.rowid AS id, news_rank(articles_fts) AS b,"
		"   a.published_at AS t"
		"  FROM articles_fts f JOIN articles a ON a.id = f.rowid"
		"  WHERE articles_fts MATCH ?1"
		"  AND (?2 = 0 OR a.publisher_id = ?2)"
		"  AND (?3 = 0 OR EXISTS (SELECT 1 FROM article_topics x"
		"   WHERE x.article_id = a.id AND x.topic_id = ?3))"
		"  AND a.published_at >= ?4 AND a.published_at < ?5"
		"  ORDER BY f.rowid DESC LIMIT ?9 OFFSET ?10),"
		" r AS ("
		"  SELECT id, (row_number() OVER (ORDER BY id DESC) - 1) / ?11"
		"   AS blk, b * (1.0 + 0.5 / (1.0 + max(0, ?7 - t) / 86400.0))"
		"   AS score FROM c"
		"  ORDER BY blk, score, id DESC LIMIT ?6 OFFSET ?8)"
		" SELECT " ARTICLE_COLUMNS(
			"0") ", r.score"
			     " FROM r JOIN articles a ON a.id = r.id"
			     " JOIN publishers p ON p.id = a.publisher_id"
			     " ORDER BY r.blk, r.score, r.id DESC";
	/* The blocks that hold this page (and the hit after it). */
	size_t first = q->offset / SEARCH_BLOCK,
	       last = (q->offset + limit) / SEARCH_BLOCK;
	struct search_result r = {0};
	sqlite3_stmt *st = store_stmt(s, sql);
	int step;

	if (!st)
		return ST_DB;
	bind_text(st, 1, match);
	sqlite3_bind_int64(st, 2, q->publisher_id);
	sqlite3_bind_int64(st, 3, q->topic_id);
	sqlite3_bind_int64(st, 4, q->since);
	sqlite3_bind_int64(st, 5, q->until ? q->until : INT64_MAX);
	sqlite3_bind_int64(st, 6, (int64_t)limit + 1);
	sqlite3_bind_int64(st, 7, clock_now());
	sqlite3_bind_int64(st, 8, (int64_t)(q->offset - first * SEARCH_BLOCK));
	sqlite3_bind_int64(st, 9, (int64_t)((last - first + 1) * SEARCH_BLOCK));
	sqlite3_bind_int64(st, 10, (int64_t)(first * SEARCH_BLOCK));
	sqlite3_bind_int64(st, 11, SEARCH_BLOCK);
	r.items = xcalloc(limit + 1, sizeof(*r.items));
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (r.count == limit) {
			r.more = true;
			break;
		}
		read_article(st, &r.items[r.count].article);
		r.items[r.count].score = sqlite3_column_double(st, 26);
		r.count++;
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		search_result_release(&r);
		return store_fail(s, "search");
	}
	*out = r;
	return ST_OK;
}

enum status
store_search(struct store *s, const struct search_query *q,
	     struct search_result *out)
{
	struct buf match = BUF_INIT;
	struct search_result r = {0};
	size_t limit = q->limit ? MIN(q->limit, 100) : 20;
	bool prefix = false, any = true;
	enum status rc;

	if (!q->text || fts_query(q->text, false, &match, &prefix)) {
		buf_release(&match);
		return ST_INVAL;
	}
	rc = search_run(s, q, match.data, limit, &r);
	if (!rc && !r.count)
		rc = search_matches_any(s, match.data, &any);
	if (!rc && !any) {
		buf_reset(&match);
		rc = fts_query(q->text, true, &match, &prefix);
		if (!rc && prefix) {
			search_result_release(&r);
			rc = search_run(s, q, match.data, limit, &r);
		}
	}
	buf_release(&match);
	if (rc) {
		search_result_release(&r);
		return rc;
	}
	*out = r;
	return ST_OK;
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
