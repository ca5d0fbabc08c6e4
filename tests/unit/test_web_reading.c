/*
 * test_web_reading.c — the reading app's page reads against the queries
 * they replace: the related list read with one statement against
 * rank_related_article(), the topic list (window and fallback) against
 * store_article_list(), the article read with and without its body, the
 * hand-made time and slug formatting against the C library's, and the
 * page cache kept across commits that change nothing visitors see.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <time.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "rank/rank.h"
#include "store/internal.h"
#include "store/reading.h"
#include "support/testutil.h"
#include "web/ranking.h"
#include "web/render.h"
#include "web/web.h"
#include "unit/web_fixture.h"

int cmd_bench(int argc, char **argv);

/* Articles generated for the comparisons: a few hundred, several topics,
 * stories of three or four publishers, recorded neighbours. */
enum { GENERATED = 400 };

static char *dir;
static struct store *reader;

static void
setup_generated(void)
{
	char count[16], *argv[] = {"bench", "gen", count, NULL};

	config_defaults();
	log_set_level(LOG_ERROR);
	dir = test_tmpdir();
	cr_assert_not_null(dir);
	cr_assert_eq(config_set("data_dir", dir, "test"), ST_OK);
	snprintf(count, sizeof(count), "%d", GENERATED);
	cr_assert_eq(cmd_bench(3, argv), 0, "bench gen");
	cr_assert_eq(store_open(dir, STORE_READ, 0, &reader), ST_OK);
}

static void
teardown_generated(void)
{
	reading_set_topic_window(0);
	store_close(reader);
	reader = NULL;
	test_rmdir(dir);
	free(dir);
	config_free();
}

TestSuite(web_reading, .init = setup_generated, .fini = teardown_generated);

static void
assert_same_ids(const struct article_list *got, const struct article_list *want,
		const char *what, int64_t id)
{
	size_t i;

	cr_assert_eq(got->count, want->count, "%s of %" PRId64 ": %zu, not %zu",
		     what, id, got->count, want->count);
	for (i = 0; i < got->count; i++)
		cr_assert_eq(got->items[i].id, want->items[i].id,
			     "%s of %" PRId64 ", item %zu: %" PRId64
			     " instead of %" PRId64,
			     what, id, i, got->items[i].id, want->items[i].id);
}

/*
 * For every article and several lengths: the one-statement related list
 * is rank_related_article()'s, in the same order, with the card columns.
 */
Test(web_reading, related_in_one_statement_matches_rank)
{
	static const size_t limits[] = {1, 3, 6, 10};
	size_t with_story = 0, with_neighbours = 0, checked = 0, k;
	int64_t id;

	for (id = 1; id <= GENERATED; id++) {
		struct article a;

		cr_assert_eq(reading_article(reader, id, false, &a), ST_OK);
		cr_assert(a.fingerprint, "article %" PRId64 " is clustered",
			  id);
		for (k = 0; k < ARRAY_SIZE(limits); k++) {
			struct article_list got = {0}, want = {0};
			size_t i;

			cr_assert_eq(web_related_uncached(reader, &a, limits[k],
							  &got),
				     ST_OK);
			cr_assert_eq(rank_related_article(reader, &a, limits[k],
							  &want),
				     ST_OK);
			assert_same_ids(&got, &want, "related", id);
			for (i = 0; i < got.count; i++) {
				const struct article *g = &got.items[i];

				cr_assert_str_eq(g->title, want.items[i].title);
				cr_assert_str_eq(g->publisher_slug,
						 want.items[i].publisher_slug);
				cr_assert_eq(g->published_at,
					     want.items[i].published_at);
				cr_assert_null(g->body_html);
				if (g->story_id == a.story_id)
					with_story++;
				else
					with_neighbours++;
			}
			checked++;
			article_list_release(&got);
			article_list_release(&want);
		}
		article_release(&a);
	}
	/* Both sources were exercised, not only empty lists. */
	cr_assert_gt(with_story, (size_t)GENERATED);
	cr_assert_gt(with_neighbours, (size_t)GENERATED);
	cr_assert_eq(checked, ARRAY_SIZE(limits) * GENERATED);
}

/* Every page of a topic, through next_cursor, against the store's list. */
static void
assert_topic_pages(int64_t topic_id, size_t page, size_t *total)
{
	char *cursor = NULL;
	int pages = 0;

	*total = 0;
	do {
		struct article_query q = {
			.topic_id = topic_id, .cursor = cursor, .limit = page};
		struct article_list got = {0}, want = {0};
		const char *g, *e;
		size_t i;

		cr_assert_eq(reading_topic_articles(reader, topic_id, cursor,
						    page, &got),
			     ST_OK);
		cr_assert_eq(store_article_list(reader, &q, &want), ST_OK);
		assert_same_ids(&got, &want, "topic", topic_id);
		for (i = 0; i < got.count; i++) {
			cr_assert_str_eq(got.items[i].title,
					 want.items[i].title);
			cr_assert_eq(got.items[i].published_at,
				     want.items[i].published_at);
			/* The card's excerpt, the one a card shows. */
			g = render_visible_excerpt(&got.items[i]);
			e = render_visible_excerpt(&want.items[i]);
			cr_assert_eq(!g, !e, "article %" PRId64,
				     got.items[i].id);
			if (e)
				cr_assert_str_eq(g, e, "article %" PRId64,
						 got.items[i].id);
		}
		cr_assert_eq(!got.next_cursor, !want.next_cursor);
		if (got.next_cursor)
			cr_assert_str_eq(got.next_cursor, want.next_cursor);
		*total += got.count;
		free(cursor);
		cursor = got.next_cursor ? xstrdup(got.next_cursor) : NULL;
		article_list_release(&got);
		article_list_release(&want);
		cr_assert_lt(++pages, 1000);
	} while (cursor);
}

/*
 * A rare topic (a handful of the oldest articles) and the common ones,
 * with a window wider than the site, one of a few dozen articles (the
 * rare topic falls back to its own index) and one article wide.
 */
Test(web_reading, topic_lists_match_the_store_for_rare_and_common_topics)
{
	static const size_t windows[] = {0, 40, 1};
	struct store *w;
	size_t k, total;
	int64_t rare_id, id;

	/* The rare topic: every 50th of the oldest 300 articles. */
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &w), ST_OK);
	cr_assert_eq(sqlite3_exec(w->db,
				  "INSERT INTO topics (slug, name) VALUES "
				  "('rare', 'Rare')",
				  NULL, NULL, NULL),
		     SQLITE_OK);
	rare_id = sqlite3_last_insert_rowid(w->db);
	for (id = 1; id <= 300; id += 50) {
		char sql[128];

		snprintf(sql, sizeof(sql),
			 "INSERT INTO article_topics (article_id, topic_id) "
			 "VALUES (%" PRId64 ", %" PRId64 ")",
			 id, rare_id);
		cr_assert_eq(sqlite3_exec(w->db, sql, NULL, NULL, NULL),
			     SQLITE_OK);
	}
	/* Two of them without a teaser: their cards show the summary. */
	cr_assert_eq(
		sqlite3_exec(w->db,
			     "UPDATE articles SET teaser_text_cut = NULL,"
			     " teaser_text_rest = NULL WHERE id IN (1, 101)"
			     " AND summary IS NOT NULL",
			     NULL, NULL, NULL),
		SQLITE_OK);
	cr_assert_eq(sqlite3_changes(w->db), 2);
	store_close(w);

	for (k = 0; k < ARRAY_SIZE(windows); k++) {
		reading_set_topic_window(windows[k]);
		assert_topic_pages(rare_id, 4, &total);
		cr_assert_eq(total, 6);
		assert_topic_pages(rare_id, 20, &total);
		cr_assert_eq(total, 6);
		for (id = 1; id <= 3; id++) {
			assert_topic_pages(id, 20, &total);
			cr_assert_gt(total, 20, "topic %" PRId64, id);
		}
	}
	/* A malformed cursor is refused like the store refuses it. */
	{
		struct article_list l = {0};

		cr_assert_eq(
			reading_topic_articles(reader, 1, "nonsense", 20, &l),
			ST_INVAL);
	}
}

/* The article read for a page: bodies only when asked for. */
Test(web_reading, article_body_only_for_members)
{
	struct article with = {0}, without = {0}, stored = {0};

	cr_assert_eq(reading_article(reader, 7, true, &with), ST_OK);
	cr_assert_eq(reading_article(reader, 7, false, &without), ST_OK);
	cr_assert_eq(store_article_get(reader, 7, &stored), ST_OK);
	cr_assert_not_null(with.body_html);
	cr_assert_str_eq(with.body_html, stored.body_html);
	cr_assert_str_eq(with.body_text, stored.body_text);
	cr_assert_null(without.body_html);
	cr_assert_null(without.body_text);
	cr_assert_str_eq(without.teaser_html, stored.teaser_html);
	cr_assert_str_eq(without.title, stored.title);
	cr_assert_str_eq(without.topics, stored.topics);
	cr_assert_str_eq(without.publisher_slug, stored.publisher_slug);
	cr_assert_eq(without.fingerprint, stored.fingerprint);
	cr_assert_eq(without.story_id, stored.story_id);
	article_release(&with);
	article_release(&without);
	article_release(&stored);
	cr_assert_eq(reading_article(reader, GENERATED + 1, false, &with),
		     ST_NOTFOUND);
}

/* Inside a snapshot, reads see the database as at the first one. */
Test(web_reading, snapshot_holds_still)
{
	struct store *w;
	int64_t before, inside, after;

	cr_assert_eq(reading_content_version(reader, &before), ST_OK);
	cr_assert_eq(reading_snapshot_begin(reader), ST_OK);
	cr_assert_eq(reading_content_version(reader, &inside), ST_OK);
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &w), ST_OK);
	cr_assert_eq(sqlite3_exec(w->db,
				  "UPDATE meta SET content_version = "
				  "content_version + 1",
				  NULL, NULL, NULL),
		     SQLITE_OK);
	store_close(w);
	cr_assert_eq(reading_content_version(reader, &after), ST_OK);
	cr_assert_eq(after, inside, "the snapshot does not move");
	reading_snapshot_end(reader);
	cr_assert_eq(reading_content_version(reader, &after), ST_OK);
	cr_assert_neq(after, before, "after it, the commit shows");
	reading_snapshot_end(reader); /* a second end is harmless */
}

/* ---- Formatting --------------------------------------------------------- */

/* The slug as it was written with the C library, for comparison. */
static void
reference_slug(struct buf *b, const char *title)
{
	size_t start = b->len, written = 0;
	bool dash = false;

	for (; title && *title && written < 80; title++) {
		unsigned char c = (unsigned char)*title;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c >= 'A' && c <= 'Z')) {
			if (dash && b->len > start) {
				buf_addc(b, '-');
				written++;
			}
			buf_addc(b, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
			written++;
			dash = false;
		} else if (c != '\'') {
			dash = true;
		}
	}
	if (b->len == start)
		buf_adds(b, "article");
}

Test(web_render, slugs_as_before)
{
	static const char *const titles[] = {
		"Hello, World's End!",
		"",
		"  ---  ",
		"Ünïcödé titles keep ASCII only",
		"2026: The year in 12 charts",
		"it's",
		"'''",
		"A b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e "
		"f "
		"g h i j k l m n o p q r s t u v w x y z",
		"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij"
		"kl"
		"mnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
		"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij"
		"kl"
		"mnopq rst",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(titles); i++) {
		struct buf got = BUF_INIT, want = BUF_INIT;

		render_slugify(&got, titles[i]);
		reference_slug(&want, titles[i]);
		cr_assert_str_eq(got.data, want.data, "title '%s'", titles[i]);
		cr_assert_leq(got.len, 81);
		buf_release(&got);
		buf_release(&want);
	}
	{
		struct buf got = BUF_INIT;

		render_slugify(&got, NULL);
		cr_assert_str_eq(got.data, "article");
		buf_release(&got);
	}
}

Test(web_render, times_as_the_c_library_writes_them)
{
	static const int64_t fixed[] = {
		0,	    59,		  86399,       86400,
		951782400,  951868799,	  4107542400,  1795000000,
		1795517818, 253402300799, 253402300800};
	uint64_t x = 88172645463325252ULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fixed) + 5000; i++) {
		int64_t t;
		char want[64], got[64];
		struct buf abs = BUF_INIT;
		time_t tt;
		struct tm tm;

		if (i < ARRAY_SIZE(fixed)) {
			t = fixed[i];
		} else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			t = (int64_t)(x % 253402300800ULL);
		}
		clock_format_rfc3339(t, want, sizeof(want));
		render_rfc3339(got, sizeof(got), t);
		cr_assert_str_eq(got, want, "t = %" PRId64, t);
		tt = (time_t)t;
		cr_assert_not_null(gmtime_r(&tt, &tm));
		snprintf(want, sizeof(want), "%d %.3s %d, %02d:%02d UTC",
			 tm.tm_mday,
			 "JanFebMarAprMayJunJulAugSepOctNovDec" + 3 * tm.tm_mon,
			 tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
		render_absolute_time(&abs, t);
		cr_assert_str_eq(abs.data, want, "t = %" PRId64, t);
		buf_release(&abs);
	}
}

Test(web_render, relative_times)
{
	static const struct {
		int64_t ago;
		const char *text;
	} cases[] = {
		{0, "just now"},	   {59, "just now"},
		{60, "1 min ago"},	   {3599, "59 min ago"},
		{3600, "1 hour ago"},	   {7200, "2 hours ago"},
		{86399, "23 hours ago"},   {86400, "yesterday"},
		{2 * 86400, "2 days ago"}, {7 * 86400 - 1, "6 days ago"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf b = BUF_INIT;

		render_relative_time(&b, 1795000000 - cases[i].ago, 1795000000);
		cr_assert_str_eq(b.data, cases[i].text);
		buf_release(&b);
	}
	{
		struct buf b = BUF_INIT;

		render_relative_time(&b, 1795000000 - 8 * 86400, 1795000000);
		cr_assert_str_eq(b.data, "10 Nov 2026, 11:06 UTC");
		buf_release(&b);
	}
}

/* ---- The page cache and ingest commits ---------------------------------- */

static struct web_fixture fx;

static void
setup_server(void)
{
	web_fixture_build(&fx);
	web_fixture_start(&fx);
}

static void
teardown_server(void)
{
	web_fixture_release(&fx);
}

static uint64_t
hits_of(const char *path)
{
	struct web_stats before, after;
	struct http_reply r;

	web_stats_get(&before);
	http_get(&fx, path, NULL, false, &r);
	cr_assert_eq(r.status, 200, "%s", path);
	http_reply_release(&r);
	web_stats_get(&after);
	return after.cache_hits - before.cache_hits;
}

/*
 * A commit that changes nothing visitors see (feed state only) keeps the
 * cached pages; one that adds an article drops them at once.
 */
Test(web_cache, commits_drop_pages_only_when_content_changed,
     .init = setup_server, .fini = teardown_server)
{
	struct http_reply r;

	cr_assert_eq(hits_of("/t/world"), 0);
	cr_assert_eq(hits_of("/t/world"), 1);
	web_cache_content_committed();
	cr_assert_eq(hits_of("/t/world"), 1, "nothing changed: still cached");
	web_fixture_add_article(&fx, "Lanterns lit along the quay");
	web_cache_content_committed();
	cr_assert_eq(hits_of("/t/world"), 0, "a new article: rendered again");
	http_get(&fx, "/t/world", NULL, false, &r);
	cr_assert(strstr(r.body.data, "Lanterns lit along the quay"));
	http_reply_release(&r);
}
