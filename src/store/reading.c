/*
 * reading.c — the reading app's extra read queries (see reading.h).
 */
#include "common.h"

#include "base/log.h"
#include "store/internal.h"
#include "store/reading.h"

/* Stories older than this do not count as "right now". */
enum { TOP_WINDOW = 3 * 86400 };

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

/* Loads a story's lead: the chosen lead, else one with an image, newest. */
static enum status
load_lead(struct store *s, int64_t story_id, struct article *out)
{
	static const char sql[] =
		"SELECT " ROW_COLUMNS " FROM articles a"
		" JOIN publishers p ON p.id = a.publisher_id"
		" WHERE a.story_id = ?1"
		" ORDER BY a.id = IFNULL((SELECT lead_article_id FROM stories"
		"  WHERE id = ?1), 0) DESC,"
		" a.lead_image IS NOT NULL DESC, a.published_at DESC, a.id DESC"
		" LIMIT 1";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, story_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return ST_NOTFOUND;
	return rc == SQLITE_ROW ? ST_OK : store_fail(s, "story lead");
}

static char *
story_title(struct store *s, int64_t story_id)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT title FROM stories"
					 " WHERE id = ?");
	char *title = NULL;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, story_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		title = col_text(st, 0);
	sqlite3_reset(st);
	return title;
}

static bool
has_story(const struct story_list *l, int64_t story_id)
{
	size_t i;

	for (i = 0; story_id && i < l->count; i++)
		if (l->items[i].id == story_id)
			return true;
	return false;
}

enum status
reading_top_stories(struct store *s, int64_t now, size_t limit,
		    struct story_list *out)
{
	static const char stories_sql[] =
		"SELECT a.story_id, count(DISTINCT a.publisher_id) AS pc,"
		" count(*), max(a.published_at) AS m FROM articles a"
		" WHERE a.published_at >= ?1 AND a.story_id IS NOT NULL"
		" GROUP BY a.story_id ORDER BY pc DESC, m DESC LIMIT ?2";
	static const char fill_sql[] =
		"SELECT " ROW_COLUMNS " FROM articles a"
		" JOIN publishers p ON p.id = a.publisher_id"
		" ORDER BY a.published_at DESC, a.id DESC LIMIT ?1";
	struct story_list l = {0};
	sqlite3_stmt *st;
	enum status rc = ST_OK;
	size_t i;
	int step;

	if (!limit)
		limit = 10;
	l.items = xcalloc(limit, sizeof(*l.items));
	st = store_stmt(s, stories_sql);
	if (!st) {
		rc = ST_DB;
		goto out;
	}
	sqlite3_bind_int64(st, 1, now - TOP_WINDOW);
	sqlite3_bind_int64(st, 2, (int64_t)limit);
	while ((step = sqlite3_step(st)) == SQLITE_ROW && l.count < limit) {
		struct story *it = &l.items[l.count++];

		it->id = sqlite3_column_int64(st, 0);
		it->publisher_count = sqlite3_column_int64(st, 1);
		it->article_count = sqlite3_column_int64(st, 2);
		it->last_seen_at = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		rc = store_fail(s, "top stories");
		goto out;
	}
	for (i = 0; i < l.count; i++) {
		rc = load_lead(s, l.items[i].id, &l.items[i].lead);
		if (rc)
			goto out;
		l.items[i].title = story_title(s, l.items[i].id);
	}
	if (l.count < limit) {
		/* Fill up with the latest articles of other stories. */
		st = store_stmt(s, fill_sql);
		if (!st) {
			rc = ST_DB;
			goto out;
		}
		sqlite3_bind_int64(st, 1, (int64_t)limit * 4);
		while (l.count < limit &&
		       (step = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t story_id = sqlite3_column_int64(st, 3);
			struct story *it;

			if (has_story(&l, story_id))
				continue;
			it = &l.items[l.count++];
			read_row(st, &it->lead);
			it->id = story_id;
			it->publisher_count = 1;
			it->article_count = 1;
			it->last_seen_at = it->lead.published_at;
		}
		sqlite3_reset(st);
	}
out:
	if (rc) {
		story_list_release(&l);
		return rc;
	}
	*out = l;
	return ST_OK;
}

enum status
reading_story_get(struct store *s, int64_t id, struct story *out)
{
	static const char sql[] =
		"SELECT count(DISTINCT publisher_id), count(*),"
		" max(published_at) FROM articles WHERE story_id = ?";
	struct story it = {0};
	sqlite3_stmt *st;
	enum status rc;
	int step;

	if (id <= 0)
		return ST_NOTFOUND;
	st = store_stmt(s, sql);
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		it.publisher_count = sqlite3_column_int64(st, 0);
		it.article_count = sqlite3_column_int64(st, 1);
		it.last_seen_at = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW)
		return store_fail(s, "story");
	if (!it.article_count)
		return ST_NOTFOUND;
	it.id = id;
	rc = load_lead(s, id, &it.lead);
	if (rc)
		return rc;
	it.title = story_title(s, id);
	*out = it;
	return ST_OK;
}

static bool
has_article(const struct article_list *l, int64_t id)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (l->items[i].id == id)
			return true;
	return false;
}

/* Appends the rows of st to l (up to limit), skipping self and repeats. */
static enum status
collect(struct store *s, sqlite3_stmt *st, int64_t self, size_t limit,
	struct article_list *l)
{
	int step;

	while (l->count < limit && (step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		if (id == self || has_article(l, id))
			continue;
		read_row(st, &l->items[l->count++]);
	}
	sqlite3_reset(st);
	if (l->count < limit && step != SQLITE_DONE)
		return store_fail(s, "related articles");
	return ST_OK;
}

enum status
reading_related(struct store *s, const struct article *a, size_t limit,
		struct article_list *out)
{
	static const char story_sql[] =
		"SELECT " ROW_COLUMNS " FROM articles a"
		" JOIN publishers p ON p.id = a.publisher_id"
		" WHERE a.story_id = ?1 AND a.id <> ?2"
		" ORDER BY a.publisher_id = ?3, a.published_at DESC LIMIT ?4";
	static const char topic_sql[] =
		"SELECT " ROW_COLUMNS " FROM article_topics x"
		" JOIN articles a ON a.id = x.article_id"
		" JOIN publishers p ON p.id = a.publisher_id"
		" WHERE x.topic_id = (SELECT topic_id FROM article_topics"
		"  WHERE article_id = ?1 ORDER BY topic_id LIMIT 1)"
		" ORDER BY a.published_at DESC, a.id DESC LIMIT ?2";
	static const char publisher_sql[] =
		"SELECT " ROW_COLUMNS " FROM articles a"
		" JOIN publishers p ON p.id = a.publisher_id"
		" WHERE a.publisher_id = ?1"
		" ORDER BY a.published_at DESC, a.id DESC LIMIT ?2";
	struct article_list l = {0};
	sqlite3_stmt *st;
	enum status rc = ST_OK;

	if (!limit)
		limit = 6;
	l.items = xcalloc(limit, sizeof(*l.items));
	if (a->story_id) {
		st = store_stmt(s, story_sql);
		if (!st) {
			rc = ST_DB;
			goto out;
		}
		sqlite3_bind_int64(st, 1, a->story_id);
		sqlite3_bind_int64(st, 2, a->id);
		sqlite3_bind_int64(st, 3, a->publisher_id);
		sqlite3_bind_int64(st, 4, (int64_t)limit);
		rc = collect(s, st, a->id, limit, &l);
		if (rc)
			goto out;
	}
	if (l.count < limit) {
		st = store_stmt(s, topic_sql);
		if (!st) {
			rc = ST_DB;
			goto out;
		}
		sqlite3_bind_int64(st, 1, a->id);
		sqlite3_bind_int64(st, 2, (int64_t)limit + 1);
		rc = collect(s, st, a->id, limit, &l);
		if (rc)
			goto out;
	}
	if (l.count < limit) {
		st = store_stmt(s, publisher_sql);
		if (!st) {
			rc = ST_DB;
			goto out;
		}
		sqlite3_bind_int64(st, 1, a->publisher_id);
		sqlite3_bind_int64(st, 2, (int64_t)limit + 1);
		rc = collect(s, st, a->id, limit, &l);
	}
out:
	if (rc) {
		article_list_release(&l);
		return rc;
	}
	*out = l;
	return ST_OK;
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
	static const char sql[] =
		"SELECT " ROW_COLUMNS " FROM (SELECT n.neighbour_id AS id,"
		"  n.score AS score FROM article_neighbours n"
		"  JOIN articles a ON a.id = n.neighbour_id"
		"  WHERE n.article_id = ?1"
		"  ORDER BY n.score DESC, n.neighbour_id DESC LIMIT ?2) w"
		" JOIN articles a ON a.id = w.id"
		" JOIN publishers p ON p.id = a.publisher_id"
		" ORDER BY w.score DESC, w.id DESC";
	struct article_list l = {0};
	sqlite3_stmt *st = store_stmt(s, sql);
	int step;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, article_id);
	sqlite3_bind_int64(st, 2, (int64_t)MIN(limit, (size_t)INT32_MAX));
	if (limit)
		l.items = xcalloc(limit, sizeof(*l.items));
	while (l.count < limit && (step = sqlite3_step(st)) == SQLITE_ROW)
		read_row(st, &l.items[l.count++]);
	if (l.count == limit)
		step = SQLITE_DONE;
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		article_list_release(&l);
		return store_fail(s, "neighbours");
	}
	*out = l;
	return ST_OK;
}
