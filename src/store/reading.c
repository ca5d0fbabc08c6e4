/*
 * reading.c — the reading app's extra read queries (see reading.h).
 */
#include "common.h"

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
