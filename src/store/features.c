/*
 * features.c — the article_features table: clustering's stored features.
 */
#include "common.h"

#include "store/features.h"
#include "store/internal.h"

enum status
store_features_put(struct store *s, int64_t article_id, int64_t published_at,
		   const void *blob, size_t len)
{
	/* An insert for new articles (the usual case); an update only when
	 * the row exists. Neither is REPLACE: see store_neighbours_add(). */
	sqlite3_stmt *st = store_stmt(
		s, "INSERT OR IGNORE INTO article_features (article_id,"
		   " published_at, blob) VALUES (?1, ?2, ?3)");
	enum status rc;

	if (!st)
		return ST_DB;
	if (len > INT32_MAX)
		return ST_TOOBIG;
	sqlite3_bind_int64(st, 1, article_id);
	sqlite3_bind_int64(st, 2, published_at);
	sqlite3_bind_blob(st, 3, blob, (int)len, SQLITE_STATIC);
	rc = store_step_done(s, st, "features insert");
	if (rc || sqlite3_changes(s->db) > 0)
		return rc;
	st = store_stmt(s, "UPDATE article_features SET published_at = ?2,"
			   " blob = ?3 WHERE article_id = ?1");
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, article_id);
	sqlite3_bind_int64(st, 2, published_at);
	sqlite3_bind_blob(st, 3, blob, (int)len, SQLITE_STATIC);
	return store_step_done(s, st, "features update");
}

/* Hands every row of st (id, published_at, story_id, blob) to fn. */
static enum status
walk_rows(struct store *s, sqlite3_stmt *st, store_features_fn *fn, void *ctx)
{
	enum status rc = ST_OK;
	int step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(st, 3);
		int len = sqlite3_column_bytes(st, 3);

		rc = fn(ctx, sqlite3_column_int64(st, 0),
			sqlite3_column_int64(st, 1),
			sqlite3_column_int64(st, 2), blob,
			len > 0 ? (size_t)len : 0);
		if (rc)
			break;
	}
	sqlite3_reset(st);
	if (!rc && step != SQLITE_DONE)
		return store_fail(s, "features");
	return rc;
}

enum status
store_features_between(struct store *s, int64_t since, int64_t until,
		       store_features_fn *fn, void *ctx)
{
	/* Through articles(published_at): the table needs no index. */
	sqlite3_stmt *st = store_stmt(
		s, "SELECT a.id, a.published_at, coalesce(a.story_id, 0),"
		   " f.blob FROM articles a"
		   " JOIN article_features f ON f.article_id = a.id"
		   " WHERE a.published_at BETWEEN ?1 AND ?2");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	return walk_rows(s, st, fn, ctx);
}

enum status
store_features_after(struct store *s, int64_t after_id, store_features_fn *fn,
		     void *ctx)
{
	sqlite3_stmt *st = store_stmt(
		s, "SELECT f.article_id, a.published_at,"
		   " coalesce(a.story_id, 0), f.blob FROM article_features f"
		   " JOIN articles a ON a.id = f.article_id"
		   " WHERE f.article_id > ?1 ORDER BY f.article_id");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, after_id);
	return walk_rows(s, st, fn, ctx);
}

enum status
store_features_missing(struct store *s, int64_t since, int64_t until,
		       int64_t **ids, size_t *count)
{
	sqlite3_stmt *st = store_stmt(
		s, "SELECT a.id FROM articles a"
		   " WHERE a.published_at BETWEEN ?1 AND ?2 AND NOT EXISTS"
		   " (SELECT 1 FROM article_features f"
		   "  WHERE f.article_id = a.id)"
		   " ORDER BY a.published_at, a.id");
	int64_t *out = NULL;
	size_t n = 0, alloc = 0;
	int step;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			out = xreallocarray(out, alloc, sizeof(*out));
		}
		out[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		free(out);
		return store_fail(s, "features missing");
	}
	*ids = out;
	*count = n;
	return ST_OK;
}

enum status
store_features_last_article(struct store *s, int64_t *out)
{
	return store_query_int(s, "SELECT coalesce(max(id), 0) FROM articles",
			       "last article", out);
}

enum status
store_features_max_id(struct store *s, int64_t *out)
{
	return store_query_int(
		s, "SELECT coalesce(max(article_id), 0) FROM article_features",
		"features max id", out);
}
