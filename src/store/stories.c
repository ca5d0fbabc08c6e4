/*
 * stories.c — stories: candidate articles through the search index, story
 * rows and counters, reads per story.
 */
#include "common.h"

#include "store/internal.h"
#include "store/stories.h"

void
story_release(struct story *st)
{
	if (!st)
		return;
	free(st->title);
	article_release(&st->lead);
	article_list_release(&st->articles);
	memset(st, 0, sizeof(*st));
}

void
story_list_release(struct story_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		story_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void
story_candidate_list_release(struct story_candidate_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++) {
		free(l->items[i].title);
		free(l->items[i].lead_text);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

enum status
store_story_candidates(struct store *s, const char *fts_query, int64_t since,
		       int64_t until, int64_t exclude_id, size_t text_chars,
		       size_t limit, struct story_candidate_list *out)
{
	static const char sql[] =
		"SELECT a.id, a.publisher_id, coalesce(a.story_id, 0),"
		" a.published_at, a.fingerprint, a.title,"
		" substr(coalesce(nullif(a.body_text, ''), a.summary, ''),"
		"  1, ?5),"
		" bm25(articles_fts, 4.0, 0.0, 1.0) AS score"
		" FROM articles_fts JOIN articles a ON a.id = "
		"-articles_fts.rowid"
		" WHERE articles_fts MATCH ?1"
		" AND a.published_at BETWEEN ?2 AND ?3 AND a.id != ?4"
		" ORDER BY score LIMIT ?6";
	struct story_candidate_list l = {0};
	size_t alloc = 0;
	sqlite3_stmt *st;
	int step;

	if (!fts_query || !*fts_query || !limit) {
		*out = l;
		return ST_OK;
	}
	st = store_stmt(s, sql);
	if (!st)
		return ST_DB;
	bind_text(st, 1, fts_query);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, until);
	sqlite3_bind_int64(st, 4, exclude_id);
	sqlite3_bind_int64(st, 5, (int64_t)text_chars);
	sqlite3_bind_int64(st, 6, (int64_t)MIN(limit, (size_t)INT32_MAX));
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct story_candidate *c;

		if (l.count == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			l.items = xreallocarray(l.items, alloc, sizeof(*c));
		}
		c = &l.items[l.count++];
		c->article_id = sqlite3_column_int64(st, 0);
		c->publisher_id = sqlite3_column_int64(st, 1);
		c->story_id = sqlite3_column_int64(st, 2);
		c->published_at = sqlite3_column_int64(st, 3);
		c->fingerprint = (uint64_t)sqlite3_column_int64(st, 4);
		c->title = col_text(st, 5);
		c->lead_text = col_text(st, 6);
		c->bm25 = sqlite3_column_double(st, 7);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		story_candidate_list_release(&l);
		return store_fail(s, "story candidates");
	}
	*out = l;
	return ST_OK;
}

enum status
store_story_of_article(struct store *s, int64_t article_id, int64_t *story_id)
{
	sqlite3_stmt *st = store_stmt(
		s, "SELECT coalesce(story_id, 0) FROM articles WHERE id = ?");
	int step;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, article_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*story_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (step == SQLITE_DONE)
		return ST_NOTFOUND;
	if (step != SQLITE_ROW)
		return store_fail(s, "story of article");
	return ST_OK;
}

enum status
store_story_link(struct store *s, int64_t article_id, int64_t story_id,
		 uint64_t fingerprint)
{
	sqlite3_stmt *st = store_stmt(
		s,
		"UPDATE articles SET story_id = ?2,"
		" fingerprint = CASE WHEN ?3 = 0 THEN fingerprint ELSE ?3 END"
		" WHERE id = ?1");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, article_id);
	bind_int(st, 2, story_id, true);
	sqlite3_bind_int64(st, 3, (int64_t)fingerprint);
	return store_step_done(s, st, "story link");
}

enum status
store_story_new(struct store *s, const struct article *a, double score,
		int64_t *story_id)
{
	sqlite3_stmt *st = store_stmt(
		s, "INSERT INTO stories (title, lead_article_id, first_seen_at,"
		   " last_seen_at, article_count, publisher_count, score)"
		   " VALUES (?1, ?2, ?3, ?3, 1, 1, ?4)");
	enum status rc;

	if (!st)
		return ST_DB;
	bind_text(st, 1, a->title);
	sqlite3_bind_int64(st, 2, a->id);
	sqlite3_bind_int64(st, 3, a->published_at);
	sqlite3_bind_double(st, 4, score);
	rc = store_step_done(s, st, "story create");
	if (!rc)
		*story_id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

enum status
store_story_create(struct store *s, const struct article *a,
		   uint64_t fingerprint, double score, int64_t *story_id)
{
	int64_t id;
	enum status rc = store_story_new(s, a, score, &id);

	if (rc)
		return rc;
	rc = store_story_link(s, a->id, id, fingerprint);
	if (rc)
		return rc;
	*story_id = id;
	return ST_OK;
}

enum status
store_story_refresh(struct store *s, int64_t story_id,
		    struct story_counts *counts)
{
	struct story_counts c = {0};
	sqlite3_stmt *st;
	enum status rc;
	int step;

	st = store_stmt(s, "SELECT count(*), count(DISTINCT publisher_id),"
			   " min(published_at), max(published_at)"
			   " FROM articles WHERE story_id = ?");
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, story_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		c.article_count = sqlite3_column_int64(st, 0);
		c.publisher_count = sqlite3_column_int64(st, 1);
		c.first_seen_at = sqlite3_column_int64(st, 2);
		c.last_seen_at = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW)
		return store_fail(s, "story counts");
	if (!c.article_count) {
		st = store_stmt(s, "DELETE FROM stories WHERE id = ?");
		if (!st)
			return ST_DB;
		sqlite3_bind_int64(st, 1, story_id);
		*counts = c;
		return store_step_done(s, st, "story delete");
	}
	st = store_stmt(s, "SELECT id FROM articles WHERE story_id = ?1"
			   " ORDER BY word_count >= ?2 DESC, published_at, id"
			   " LIMIT 1");
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, story_id);
	sqlite3_bind_int64(st, 2, STORY_LEAD_MIN_WORDS);
	if (sqlite3_step(st) == SQLITE_ROW)
		c.lead_article_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	st = store_stmt(s, "UPDATE stories SET article_count = ?2,"
			   " publisher_count = ?3, first_seen_at = ?4,"
			   " last_seen_at = ?5, lead_article_id = ?6,"
			   " title = (SELECT title FROM articles WHERE id = ?6)"
			   " WHERE id = ?1");
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, story_id);
	sqlite3_bind_int64(st, 2, c.article_count);
	sqlite3_bind_int64(st, 3, c.publisher_count);
	sqlite3_bind_int64(st, 4, c.first_seen_at);
	sqlite3_bind_int64(st, 5, c.last_seen_at);
	sqlite3_bind_int64(st, 6, c.lead_article_id);
	rc = store_step_done(s, st, "story refresh");
	if (rc)
		return rc;
	*counts = c;
	return ST_OK;
}

enum status
store_story_counts(struct store *s, int64_t story_id,
		   struct story_counts *counts, int64_t *lead_words,
		   int64_t *lead_published_at)
{
	sqlite3_stmt *st = store_stmt(
		s,
		"SELECT st.article_count, st.publisher_count,"
		" st.first_seen_at, st.last_seen_at,"
		" coalesce(st.lead_article_id, 0), coalesce(a.word_count, 0),"
		" coalesce(a.published_at, 0)"
		" FROM stories st LEFT JOIN articles a"
		" ON a.id = st.lead_article_id WHERE st.id = ?");
	int step;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, story_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		counts->article_count = sqlite3_column_int64(st, 0);
		counts->publisher_count = sqlite3_column_int64(st, 1);
		counts->first_seen_at = sqlite3_column_int64(st, 2);
		counts->last_seen_at = sqlite3_column_int64(st, 3);
		counts->lead_article_id = sqlite3_column_int64(st, 4);
		*lead_words = sqlite3_column_int64(st, 5);
		*lead_published_at = sqlite3_column_int64(st, 6);
	}
	sqlite3_reset(st);
	if (step == SQLITE_DONE)
		return ST_NOTFOUND;
	if (step != SQLITE_ROW)
		return store_fail(s, "story counts");
	return ST_OK;
}

enum status
store_story_has_publisher(struct store *s, int64_t story_id,
			  int64_t publisher_id, int64_t except_id, bool *out)
{
	sqlite3_stmt *st =
		store_stmt(s, "SELECT 1 FROM articles WHERE story_id = ?1"
			      " AND publisher_id = ?2 AND id != ?3 LIMIT 1");
	int step;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, story_id);
	sqlite3_bind_int64(st, 2, publisher_id);
	sqlite3_bind_int64(st, 3, except_id);
	step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_fail(s, "story publisher");
	*out = step == SQLITE_ROW;
	return ST_OK;
}

enum status
store_story_save_counts(struct store *s, int64_t story_id,
			const struct story_counts *c, double score)
{
	sqlite3_stmt *st = store_stmt(
		s, "UPDATE stories SET article_count = ?2,"
		   " publisher_count = ?3, first_seen_at = ?4,"
		   " last_seen_at = ?5, lead_article_id = ?6,"
		   " title = (SELECT title FROM articles WHERE id = ?6),"
		   " score = ?7 WHERE id = ?1");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, story_id);
	sqlite3_bind_int64(st, 2, c->article_count);
	sqlite3_bind_int64(st, 3, c->publisher_count);
	sqlite3_bind_int64(st, 4, c->first_seen_at);
	sqlite3_bind_int64(st, 5, c->last_seen_at);
	sqlite3_bind_int64(st, 6, c->lead_article_id);
	sqlite3_bind_double(st, 7, score);
	return store_step_done(s, st, "story counts");
}

enum status
store_story_set_score(struct store *s, int64_t story_id, double score)
{
	sqlite3_stmt *st =
		store_stmt(s, "UPDATE stories SET score = ?2 WHERE id = ?1");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, story_id);
	sqlite3_bind_double(st, 2, score);
	return store_step_done(s, st, "story score");
}

#define STORY_COLUMNS                                                          \
	"id, title, coalesce(lead_article_id, 0), article_count,"              \
	" publisher_count, first_seen_at, last_seen_at, score"

static void
read_story(sqlite3_stmt *st, struct story *out)
{
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	out->title = col_text(st, 1);
	out->lead.id = sqlite3_column_int64(st, 2);
	out->article_count = sqlite3_column_int64(st, 3);
	out->publisher_count = sqlite3_column_int64(st, 4);
	out->first_seen_at = sqlite3_column_int64(st, 5);
	out->last_seen_at = sqlite3_column_int64(st, 6);
	out->score = sqlite3_column_double(st, 7);
}

enum status
store_story_top(struct store *s, int64_t since, size_t limit,
		struct story_list *out)
{
	sqlite3_stmt *st =
		store_stmt(s, "SELECT " STORY_COLUMNS
			      " FROM stories WHERE last_seen_at >= ?1"
			      " ORDER BY score DESC, id DESC LIMIT ?2");
	struct story_list l = {0};
	size_t alloc = 0;
	int step;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, (int64_t)MIN(limit, (size_t)INT32_MAX));
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (l.count == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			l.items =
				xreallocarray(l.items, alloc, sizeof(*l.items));
		}
		read_story(st, &l.items[l.count++]);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		story_list_release(&l);
		return store_fail(s, "top stories");
	}
	*out = l;
	return ST_OK;
}

enum status
store_story_row(struct store *s, int64_t story_id, struct story *out)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT " STORY_COLUMNS
					 " FROM stories WHERE id = ?");
	int step;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, story_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		read_story(st, out);
	sqlite3_reset(st);
	if (step == SQLITE_DONE)
		return ST_NOTFOUND;
	if (step != SQLITE_ROW)
		return store_fail(s, "story");
	return ST_OK;
}

enum status
store_story_reads_since(struct store *s, int64_t since,
			struct story_reads **out, size_t *count)
{
	sqlite3_stmt *st =
		store_stmt(s, "SELECT a.story_id, count(*) FROM reads r"
			      " JOIN articles a ON a.id = r.article_id"
			      " WHERE r.read_at >= ? AND a.story_id IS NOT NULL"
			      " AND r.hidden = 0"
			      " GROUP BY a.story_id ORDER BY a.story_id");
	struct story_reads *items = NULL;
	size_t n = 0, alloc = 0;
	int step;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, since);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			items = xreallocarray(items, alloc, sizeof(*items));
		}
		items[n].story_id = sqlite3_column_int64(st, 0);
		items[n].reads = sqlite3_column_int64(st, 1);
		n++;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		free(items);
		return store_fail(s, "story reads");
	}
	*out = items;
	*count = n;
	return ST_OK;
}

enum status
store_collect_ids(struct store *s, sqlite3_stmt *st, int64_t **out,
		  size_t *count)
{
	int64_t *ids = NULL;
	size_t n = 0, alloc = 0;
	int step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			ids = xreallocarray(ids, alloc, sizeof(*ids));
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		free(ids);
		return store_fail(s, "ids");
	}
	*out = ids;
	*count = n;
	return ST_OK;
}

enum status
store_publisher_stories(struct store *s, int64_t publisher_id,
			int64_t **story_ids, size_t *story_count)
{
	sqlite3_stmt *st =
		store_stmt(s, "SELECT DISTINCT story_id FROM articles"
			      " WHERE publisher_id = ?"
			      " AND story_id IS NOT NULL");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, publisher_id);
	return store_collect_ids(s, st, story_ids, story_count);
}

uint64_t
store_story_changes(const struct store *s)
{
	return s->story_changes;
}

enum status
store_story_detach_since(struct store *s, int64_t since, int64_t **article_ids,
			 size_t *article_count, int64_t **story_ids,
			 size_t *story_count)
{
	int64_t *stories = NULL, *articles = NULL;
	size_t n_stories = 0, n_articles = 0;
	sqlite3_stmt *st;
	enum status rc;

	s->story_changes++;

	st = store_stmt(s, "SELECT DISTINCT story_id FROM articles"
			   " WHERE published_at >= ? AND story_id IS NOT NULL");
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, since);
	rc = store_collect_ids(s, st, &stories, &n_stories);
	if (rc)
		goto fail;
	/* Articles of the same minute in an order that does not depend on
	 * the order ingest stored them in (their ids), so that reclustering
	 * gives the same stories every time. */
	st = store_stmt(s, "SELECT id FROM articles WHERE published_at >= ?"
			   " ORDER BY published_at, url");
	if (!st) {
		rc = ST_DB;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, since);
	rc = store_collect_ids(s, st, &articles, &n_articles);
	if (rc)
		goto fail;
	st = store_stmt(s, "UPDATE articles SET story_id = NULL"
			   " WHERE published_at >= ? AND story_id IS NOT NULL");
	if (!st) {
		rc = ST_DB;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, since);
	rc = store_step_done(s, st, "story detach");
	if (rc)
		goto fail;
	*article_ids = articles;
	*article_count = n_articles;
	*story_ids = stories;
	*story_count = n_stories;
	return ST_OK;
fail:
	free(stories);
	free(articles);
	return rc;
}

enum status
store_story_article(struct store *s, int64_t article_id, struct article *out)
{
	sqlite3_stmt *st = store_stmt(
		s, "SELECT id, publisher_id, coalesce(story_id, 0), title,"
		   " summary, body_text, fingerprint, word_count, published_at"
		   " FROM articles WHERE id = ?");
	int step;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, article_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(st, 0);
		out->publisher_id = sqlite3_column_int64(st, 1);
		out->story_id = sqlite3_column_int64(st, 2);
		out->title = col_text(st, 3);
		out->summary = col_text(st, 4);
		out->body_text = col_text(st, 5);
		out->fingerprint = (uint64_t)sqlite3_column_int64(st, 6);
		out->word_count = sqlite3_column_int64(st, 7);
		out->published_at = sqlite3_column_int64(st, 8);
	}
	sqlite3_reset(st);
	if (step == SQLITE_DONE)
		return ST_NOTFOUND;
	if (step != SQLITE_ROW)
		return store_fail(s, "story article");
	return ST_OK;
}

enum status
store_content_bump(struct store *s)
{
	sqlite3_stmt *st = store_stmt(
		s, "UPDATE meta SET content_version = content_version + 1");

	if (!st)
		return ST_DB;
	return store_step_done(s, st, "content version");
}
