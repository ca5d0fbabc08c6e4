/*
 * reading.c — the reading app's extra read queries (see reading.h).
 */
#include "common.h"

#include <stdatomic.h>

#include "base/log.h"
#include "store/internal.h"
#include "store/reading.h"

/* The article columns read_row() expects; bodies are never selected. */
#define ROW_COLUMNS                                                            \
	"a.id, a.publisher_id, a.feed_id, a.story_id, a.guid, a.url,"          \
	" a.title, a.byline, a.summary, a.teaser_html, a.teaser_text,"         \
	" a.lead_image, a.lead_caption, a.language, a.word_count,"             \
	" a.published_at, a.updated_at, a.fetched_at,"                         \
	" (SELECT group_concat(t.slug) FROM article_topics x"                  \
	"  JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id),"     \
	" p.slug, p.name, p.logo, a.fingerprint"

static void
read_row(sqlite3_stmt *st, struct article *a)
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
	a->teaser_html = col_text(st, 9);
	a->teaser_text = col_text(st, 10);
	a->lead_image = col_text(st, 11);
	a->lead_caption = col_text(st, 12);
	a->language = col_text(st, 13);
	a->word_count = sqlite3_column_int64(st, 14);
	a->published_at = sqlite3_column_int64(st, 15);
	a->updated_at = sqlite3_column_int64(st, 16);
	a->fetched_at = sqlite3_column_int64(st, 17);
	a->topics = col_text(st, 18);
	a->publisher_slug = col_text(st, 19);
	a->publisher_name = col_text(st, 20);
	a->publisher_logo = col_text(st, 21);
	a->fingerprint = (uint64_t)sqlite3_column_int64(st, 22);
}

enum status
reading_content_version(struct store *s, int64_t *out)
{
	/* The newest article's id too: a writer that stores articles
	 * without clustering them (tools, tests) still moves it. */
	sqlite3_stmt *st = store_stmt(
		s, "SELECT (SELECT content_version FROM meta WHERE id = 1),"
		   " (SELECT coalesce(max(id), 0) FROM articles)");
	int step;

	if (!st)
		return ST_DB;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_NULL)
		step = SQLITE_DONE;
	if (step == SQLITE_ROW)
		*out = (int64_t)(((uint64_t)sqlite3_column_int64(st, 0) << 32) ^
				 (uint64_t)sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	if (step == SQLITE_DONE)
		return ST_NOTFOUND;
	if (step != SQLITE_ROW)
		return store_fail(s, "content version");
	return ST_OK;
}

enum status
reading_neighbours(struct store *s, int64_t article_id, size_t limit,
		   struct article_list *out)
{
	static const char sql[] = "SELECT " ROW_COLUMNS " FROM articles a"
				  " JOIN publishers p ON p.id = a.publisher_id"
				  " WHERE a.id = ?";
	struct article_list l = {0};
	int64_t ids[NEIGHBOURS_KEPT];
	size_t n = 0, i;
	enum status rc;

	rc = store_neighbour_ids(s, article_id, ids, NEIGHBOURS_KEPT, &n);
	if (rc)
		return rc;
	if (limit && n)
		l.items = xcalloc(MIN(limit, n), sizeof(*l.items));
	/* Closest first; a neighbour deleted since is skipped. */
	for (i = 0; i < n && l.count < limit; i++) {
		sqlite3_stmt *st = store_stmt(s, sql);
		int step;

		if (!st) {
			article_list_release(&l);
			return ST_DB;
		}
		sqlite3_bind_int64(st, 1, ids[i]);
		step = sqlite3_step(st);
		if (step == SQLITE_ROW)
			read_row(st, &l.items[l.count++]);
		sqlite3_reset(st);
		if (step != SQLITE_ROW && step != SQLITE_DONE) {
			article_list_release(&l);
			return store_fail(s, "neighbours");
		}
	}
	*out = l;
	return ST_OK;
}

/*
 * Bytes of the database file mapped by each serving connection. Mapped
 * pages count in the server's resident size, once for each connection's
 * mapping that touched them, so this stays small enough for the server to
 * keep inside 200 MB at a million articles: with 16 KB pages every
 * connection soon touches all of its window (32 MB each: 194 MB mapped,
 * 8 MB: 59 MB, the same CPU per request).
 */
#define READING_MMAP_BYTES "8388608"

enum status
reading_connection_setup(struct store *s)
{
	return store_exec(s, "PRAGMA mmap_size=" READING_MMAP_BYTES ";");
}

enum status
reading_snapshot_begin(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, "BEGIN");

	if (!st)
		return ST_DB;
	return store_step_done(s, st, "read snapshot");
}

void
reading_snapshot_end(struct store *s)
{
	sqlite3_stmt *st;

	if (!s || sqlite3_get_autocommit(s->db))
		return;
	st = store_stmt(s, "COMMIT");
	if (!st || store_step_done(s, st, "end of read snapshot"))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

enum status
reading_article(struct store *s, int64_t id, bool with_body,
		struct article *out)
{
	/* Bodies only for members: a visitor's page never copies them. */
	sqlite3_stmt *st = store_stmt(
		s,
		"SELECT a.id, a.publisher_id, a.feed_id, a.story_id, a.guid,"
		" a.url, a.title, a.byline, a.summary,"
		" CASE WHEN ?2 THEN a.body_html END,"
		" CASE WHEN ?2 THEN a.body_text END,"
		" a.teaser_html, a.teaser_text, a.lead_image, a.lead_caption,"
		" a.language, a.content_hash, a.fingerprint, a.word_count,"
		" a.published_at, a.updated_at, a.fetched_at,"
		" (SELECT group_concat(t.slug) FROM article_topics x"
		"  JOIN topics t ON t.id = x.topic_id WHERE x.article_id = "
		"a.id),"
		" p.slug, p.name, p.logo"
		" FROM articles a JOIN publishers p ON p.id = a.publisher_id"
		" WHERE a.id = ?1");
	struct article a;
	int step;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, with_body);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		a.id = sqlite3_column_int64(st, 0);
		a.publisher_id = sqlite3_column_int64(st, 1);
		a.feed_id = sqlite3_column_int64(st, 2);
		a.story_id = sqlite3_column_int64(st, 3);
		a.guid = col_text(st, 4);
		a.url = col_text(st, 5);
		a.title = col_text(st, 6);
		a.byline = col_text(st, 7);
		a.summary = col_text(st, 8);
		a.body_html = col_text(st, 9);
		a.body_text = col_text(st, 10);
		a.teaser_html = col_text(st, 11);
		a.teaser_text = col_text(st, 12);
		a.lead_image = col_text(st, 13);
		a.lead_caption = col_text(st, 14);
		a.language = col_text(st, 15);
		a.content_hash = col_text(st, 16);
		a.fingerprint = (uint64_t)sqlite3_column_int64(st, 17);
		a.word_count = sqlite3_column_int64(st, 18);
		a.published_at = sqlite3_column_int64(st, 19);
		a.updated_at = sqlite3_column_int64(st, 20);
		a.fetched_at = sqlite3_column_int64(st, 21);
		a.topics = col_text(st, 22);
		a.publisher_slug = col_text(st, 23);
		a.publisher_name = col_text(st, 24);
		a.publisher_logo = col_text(st, 25);
	}
	sqlite3_reset(st);
	if (step == SQLITE_DONE)
		return ST_NOTFOUND;
	if (step != SQLITE_ROW)
		return store_fail(s, "article");
	*out = a;
	return ST_OK;
}

/*
 * The columns of a card, in read_card()'s order: what lists show and
 * what the related rules compare. Selected by name, so the order of the
 * table's columns does not matter.
 */
#define CARD_COLUMNS                                                           \
	"a.id, a.publisher_id, a.story_id, a.title, a.published_at,"           \
	" a.updated_at, a.fingerprint, p.slug, p.name, p.logo"
/* The excerpt as render_visible_excerpt() chooses it: each of the two is
 * put together from the body (schema v8), so only the one shown is. */
#define CARD_FULL_COLUMNS                                                      \
	CARD_COLUMNS ", coalesce(nullif(a.teaser_text, ''), a.summary),"       \
		     " a.lead_image"

static void
read_card(sqlite3_stmt *st, int first, bool full, struct article *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, first);
	a->publisher_id = sqlite3_column_int64(st, first + 1);
	a->story_id = sqlite3_column_int64(st, first + 2);
	a->title = col_text(st, first + 3);
	a->published_at = sqlite3_column_int64(st, first + 4);
	a->updated_at = sqlite3_column_int64(st, first + 5);
	a->fingerprint = (uint64_t)sqlite3_column_int64(st, first + 6);
	a->publisher_slug = col_text(st, first + 7);
	a->publisher_name = col_text(st, first + 8);
	a->publisher_logo = col_text(st, first + 9);
	if (!full)
		return;
	a->teaser_text = col_text(st, first + 10);
	a->lead_image = col_text(st, first + 11);
}

enum status
reading_related_candidates(struct store *s, int64_t article_id,
			   int64_t story_id, size_t story_limit,
			   size_t neighbour_limit, reading_related_fn fn,
			   void *ctx)
{
	/* The story's newest articles (sorted by time: a story's articles
	 * come by its index in no order), read one by one as the caller
	 * steps; then the neighbours, closest first. */
	static const char story_sql[] =
		"SELECT " CARD_COLUMNS " FROM articles a"
		" JOIN publishers p ON p.id = a.publisher_id"
		" WHERE a.story_id = ?1"
		" ORDER BY a.published_at DESC, a.id DESC LIMIT ?2";
	static const char card_sql[] =
		"SELECT " CARD_COLUMNS " FROM articles a"
		" JOIN publishers p ON p.id = a.publisher_id WHERE a.id = ?";
	int64_t ids[NEIGHBOURS_KEPT];
	size_t n = 0, i, given = 0;
	sqlite3_stmt *st;
	enum status rc;
	int step;

	if (story_id > 0 && story_limit) {
		st = store_stmt(s, story_sql);
		if (!st)
			return ST_DB;
		sqlite3_bind_int64(st, 1, story_id);
		sqlite3_bind_int64(
			st, 2, (int64_t)MIN(story_limit, (size_t)INT32_MAX));
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			struct article a;
			bool go_on;

			read_card(st, 0, false, &a);
			go_on = fn(ctx, true, &a);
			article_release(&a);
			if (!go_on) {
				sqlite3_reset(st);
				return ST_OK;
			}
		}
		sqlite3_reset(st);
		if (step != SQLITE_DONE)
			return store_fail(s, "related candidates");
	}
	rc = store_neighbour_ids(s, article_id, ids, NEIGHBOURS_KEPT, &n);
	for (i = 0; !rc && i < n && given < neighbour_limit; i++) {
		struct article a;
		bool go_on;

		st = store_stmt(s, card_sql);
		if (!st)
			return ST_DB;
		sqlite3_bind_int64(st, 1, ids[i]);
		step = sqlite3_step(st);
		if (step == SQLITE_ROW)
			read_card(st, 0, false, &a);
		sqlite3_reset(st);
		if (step == SQLITE_DONE)
			continue; /* deleted since */
		if (step != SQLITE_ROW)
			return store_fail(s, "related candidates");
		given++;
		go_on = fn(ctx, false, &a);
		article_release(&a);
		if (!go_on)
			break;
	}
	return rc;
}

/* Site articles walked for a topic's page before its own index is used. */
enum { TOPIC_WINDOW = 2000 };

/* The window in use: TOPIC_WINDOW unless a test lowered it. */
static atomic_size_t topic_window = TOPIC_WINDOW;

void
reading_set_topic_window(size_t articles)
{
	atomic_store(&topic_window, articles ? articles : TOPIC_WINDOW);
}

/* Steps st for at most limit + 1 full cards into out (next_cursor set). */
static enum status
collect_cards(struct store *s, sqlite3_stmt *st, size_t limit,
	      struct article_list *out)
{
	struct article_list l = {0};
	int step;

	l.items = xcalloc(limit + 1, sizeof(*l.items));
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (l.count == limit) {
			const struct article *last = &l.items[limit - 1];

			l.next_cursor =
				store_cursor_make(last->published_at, last->id);
			break;
		}
		read_card(st, 0, true, &l.items[l.count++]);
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		article_list_release(&l);
		return store_fail(s, "topic articles");
	}
	*out = l;
	return ST_OK;
}

enum status
reading_topic_articles(struct store *s, int64_t topic_id, const char *cursor,
		       size_t limit, struct article_list *out)
{
	/* The newest TOPIC_WINDOW articles of the site, by the time index
	 * alone, checked against the topic's rows before their own are
	 * read; CROSS JOIN keeps that order and makes the window a
	 * co-routine, walked only as far as the page needs. */
	static const char window_sql[] =
		"SELECT " CARD_FULL_COLUMNS " FROM (SELECT id FROM articles"
		"  WHERE (published_at, id) < (?2, ?3)"
		"  ORDER BY published_at DESC, id DESC LIMIT ?4) w"
		" CROSS JOIN article_topics x CROSS JOIN articles a"
		" CROSS JOIN publishers p"
		" WHERE x.topic_id = ?1 AND x.article_id = w.id"
		"  AND a.id = w.id AND p.id = a.publisher_id"
		" LIMIT ?5";
	/* How many articles the window held (fewer: the site ended). */
	static const char count_sql[] =
		"SELECT count(*) FROM (SELECT id FROM articles"
		" WHERE (published_at, id) < (?1, ?2)"
		" ORDER BY published_at DESC, id DESC LIMIT ?3)";
	/* Every article of the topic by its own index, sorted by time. */
	static const char topic_sql[] =
		"SELECT " CARD_FULL_COLUMNS " FROM (SELECT a.id AS id,"
		"  a.published_at AS published_at"
		"  FROM article_topics x CROSS JOIN articles a"
		"  WHERE x.topic_id = ?1 AND a.id = x.article_id"
		"  AND (a.published_at, a.id) < (?2, ?3)"
		"  ORDER BY a.published_at DESC, a.id DESC LIMIT ?5) w"
		" JOIN articles a ON a.id = w.id"
		" JOIN publishers p ON p.id = a.publisher_id"
		" ORDER BY w.published_at DESC, w.id DESC";
	int64_t cursor_t = INT64_MAX, cursor_id = INT64_MAX, walked = 0;
	int64_t window = (int64_t)atomic_load(&topic_window);
	struct article_list l = {0};
	sqlite3_stmt *st;
	enum status rc;
	int step;

	if (!limit)
		limit = 20;
	limit = MIN(limit, (size_t)200);
	if (cursor && *cursor &&
	    store_cursor_parse(cursor, &cursor_t, &cursor_id))
		return ST_INVAL;
	st = store_stmt(s, window_sql);
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, topic_id);
	sqlite3_bind_int64(st, 2, cursor_t);
	sqlite3_bind_int64(st, 3, cursor_id);
	sqlite3_bind_int64(st, 4, window);
	sqlite3_bind_int64(st, 5, (int64_t)limit + 1);
	rc = collect_cards(s, st, limit, &l);
	if (rc || l.next_cursor)
		goto out;
	/* Fewer than a page: the site ended there, or the topic is rare. */
	st = store_stmt(s, count_sql);
	if (!st) {
		rc = ST_DB;
		goto out;
	}
	sqlite3_bind_int64(st, 1, cursor_t);
	sqlite3_bind_int64(st, 2, cursor_id);
	sqlite3_bind_int64(st, 3, window);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		walked = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (step != SQLITE_ROW) {
		rc = store_fail(s, "topic window");
		goto out;
	}
	if (walked < window)
		goto out;
	article_list_release(&l);
	st = store_stmt(s, topic_sql);
	if (!st) {
		rc = ST_DB;
		goto out;
	}
	sqlite3_bind_int64(st, 1, topic_id);
	sqlite3_bind_int64(st, 2, cursor_t);
	sqlite3_bind_int64(st, 3, cursor_id);
	sqlite3_bind_int64(st, 5, (int64_t)limit + 1);
	rc = collect_cards(s, st, limit, &l);
out:
	if (rc) {
		article_list_release(&l);
		return rc;
	}
	*out = l;
	return ST_OK;
}
