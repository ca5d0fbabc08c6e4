/*
 * test_search.c — store_search(): the rank, the blocks of newest matches,
 * filters, pages, the prefix fallback; the bulk load; the articles table
 * rebuilt with its bodies last.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <sqlite3.h>

#include "base/clock.h"
#include "store/store.h"
#include "support/testutil.h"

/* Matches of a common word span several blocks of the search (50). */
#define BLOCK 50

static char *dir;
static struct store *db;

static void
setup(void)
{
	dir = test_tmpdir();
	cr_assert_not_null(dir);
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &db), ST_OK);
}

static void
teardown(void)
{
	store_close(db);
	test_rmdir(dir);
	free(dir);
}

TestSuite(search, .init = setup, .fini = teardown);

static int64_t
add_publisher(const char *slug)
{
	struct publisher p = {.slug = (char *)slug, .name = (char *)slug};

	cr_assert_eq(store_publisher_put(db, &p), ST_OK);
	return p.id;
}

static int64_t
add(int64_t publisher, const char *title, const char *text, int64_t published,
    const char *topics)
{
	static int serial;
	char url[64];
	struct article a = {
		.publisher_id = publisher,
		.title = (char *)title,
		.body_text = (char *)text,
		.body_html = (char *)text,
		.teaser_text = (char *)"teaser",
		.published_at = published,
		.topics = (char *)topics,
	};

	snprintf(url, sizeof(url), "https://s.example/%d", serial++);
	a.url = url;
	cr_assert_eq(store_article_put(db, &a, NULL), ST_OK);
	return a.id;
}

static size_t
search(const char *text, size_t offset, size_t limit, struct search_result *r)
{
	struct search_query q = {
		.text = text, .offset = offset, .limit = limit};

	cr_assert_eq(store_search(db, &q, r), ST_OK, "%s", text);
	return r->count;
}

Test(search, title_words_and_rare_words_rank_first)
{
	int64_t p = add_publisher("p"), now = clock_now();
	int64_t body, title, rare, common;
	struct search_result r;
	int i;

	/* One day old, so the recency boost is the same for all. */
	body = add(p, "Weather", "the harbour froze", now - 86400, NULL);
	title = add(p, "Harbour froze", "cold weather", now - 86400, NULL);
	cr_assert_eq(search("harbour", 0, 10, &r), 2);
	cr_assert_eq(r.items[0].article.id, title, "title ×10 first");
	cr_assert_eq(r.items[1].article.id, body);
	cr_assert_lt(r.items[0].score, r.items[1].score, "lower is better");
	cr_assert_null(r.items[0].article.body_text, "hits come without body");
	search_result_release(&r);
	/* "market" is in many articles, "okafor" in one: the article with
	 * the rare word twice beats the one with the common word twice. */
	for (i = 0; i < 30; i++)
		add(p, "Prices", "market stalls opened", now - 86400, NULL);
	common = add(p, "Stalls", "market market okafor", now - 86400, NULL);
	rare = add(p, "Stalls", "market okafor okafor", now - 86400, NULL);
	cr_assert_eq(search("market okafor", 0, 10, &r), 2);
	cr_assert_eq(r.items[0].article.id, rare);
	cr_assert_eq(r.items[1].article.id, common);
	search_result_release(&r);
}

Test(search, recency_boost_orders_equal_matches)
{
	int64_t p = add_publisher("p"), now = clock_now();
	int64_t old, fresh;
	struct search_result r;

	old = add(p, "Ferry", "the ferry sailed", now - 30 * 86400, NULL);
	fresh = add(p, "Ferry", "the ferry sailed", now - 3600, NULL);
	cr_assert_eq(search("ferry", 0, 10, &r), 2);
	cr_assert_eq(r.items[0].article.id, fresh);
	cr_assert_eq(r.items[1].article.id, old);
	search_result_release(&r);
}

/*
 * A word in more articles than a block: the first block holds the newest
 * BLOCK matches (best first), pages run through every match once, and the
 * best match of all, if older, comes in its own block.
 */
Test(search, common_word_pages_through_blocks_of_newest, .timeout = 60)
{
	int64_t p = add_publisher("p"), now = clock_now();
	int64_t ids[BLOCK * 2 + 50], best;
	size_t n = ARRAY_SIZE(ids), i, offset, seen = 0;
	bool *found = xcalloc(n + 1, sizeof(*found));
	struct search_result r;

	cr_assert_eq(store_begin(db), ST_OK);
	best = add(p, "Council council", "council", now - 400 * 86400, NULL);
	for (i = 0; i < n; i++)
		ids[i] = add(p, "Report", "the council met",
			     now - (int64_t)(n - i) * 60, NULL);
	cr_assert_eq(store_commit(db), ST_OK);
	for (offset = 0;; offset += 30) {
		size_t k;

		search("council", offset, 30, &r);
		for (k = 0; k < r.count; k++) {
			int64_t id = r.items[k].article.id;
			size_t rank = offset + k;

			cr_assert(id >= best && id <= ids[n - 1]);
			cr_assert_not(found[id - best], "id %lld twice",
				      (long long)id);
			found[id - best] = true;
			seen++;
			/* Block b holds the matches b*BLOCK.. newest first. */
			if (rank < BLOCK)
				cr_assert_geq(id, ids[n - BLOCK]);
			if (k && rank % BLOCK)
				cr_assert_leq(r.items[k - 1].score,
					      r.items[k].score);
		}
		if (!r.more) {
			search_result_release(&r);
			break;
		}
		cr_assert_eq(r.count, 30);
		search_result_release(&r);
	}
	cr_assert_eq(seen, n + 1, "every match once");
	/* The oldest match, with the best text, leads the last block. */
	search("council", (n + 1) / BLOCK * BLOCK, 10, &r);
	cr_assert_eq(r.items[0].article.id, best);
	search_result_release(&r);
	free(found);
}

Test(search, filters_and_offsets)
{
	int64_t a = add_publisher("a"), b = add_publisher("b");
	int64_t now = clock_now(), only_b, in_topic;
	struct topic t = {.slug = (char *)"climate", .name = (char *)"Climate"};
	struct search_query q = {.text = "glacier"};
	struct search_result r;
	int i;

	cr_assert_eq(store_topic_put(db, &t), ST_OK);
	for (i = 0; i < 5; i++)
		add(a, "Glacier", "the glacier retreats", now - i * 3600, NULL);
	only_b = add(b, "Glacier", "a glacier", now - 10 * 86400, NULL);
	in_topic = add(a, "Ice", "glacier melt", now - 20 * 86400, "climate");
	q.publisher_id = b;
	cr_assert_eq(store_search(db, &q, &r), ST_OK);
	cr_assert_eq(r.count, 1);
	cr_assert_eq(r.items[0].article.id, only_b);
	search_result_release(&r);
	q.publisher_id = 0;
	q.topic_id = t.id;
	cr_assert_eq(store_search(db, &q, &r), ST_OK);
	cr_assert_eq(r.count, 1);
	cr_assert_eq(r.items[0].article.id, in_topic);
	search_result_release(&r);
	q.topic_id = 0;
	q.until = now - 5 * 86400;
	cr_assert_eq(store_search(db, &q, &r), ST_OK);
	cr_assert_eq(r.count, 2, "two older than five days");
	search_result_release(&r);
	q.until = 0;
	q.offset = 5;
	q.limit = 5;
	cr_assert_eq(store_search(db, &q, &r), ST_OK);
	cr_assert_eq(r.count, 2);
	cr_assert_not(r.more);
	search_result_release(&r);
	q.offset = 7;
	cr_assert_eq(store_search(db, &q, &r), ST_OK);
	cr_assert_eq(r.count, 0, "past the end");
	search_result_release(&r);
}

Test(search, last_word_is_a_prefix_only_when_nothing_matches)
{
	int64_t p = add_publisher("p"), now = clock_now();
	int64_t exact, longer;
	struct search_result r;

	exact = add(p, "Port", "the harbour", now, NULL);
	longer = add(p, "Port", "the harbourside", now, NULL);
	cr_assert_eq(search("harbour", 0, 10, &r), 1);
	cr_assert_eq(r.items[0].article.id, exact);
	search_result_release(&r);
	cr_assert_eq(search("harboured", 0, 10, &r), 0);
	search_result_release(&r);
	cr_assert_eq(search("harbours", 0, 10, &r), 1, "a prefix");
	cr_assert_eq(r.items[0].article.id, longer);
	search_result_release(&r);
	cr_assert_eq(search("harbourside", 0, 10, &r), 1);
	cr_assert_eq(r.items[0].article.id, longer);
	search_result_release(&r);
	cr_assert_eq(search("the harbou", 0, 10, &r), 2, "typed on");
	search_result_release(&r);
	cr_assert_eq(search("the harbou ", 0, 10, &r), 0, "a whole word");
	search_result_release(&r);
	cr_assert_eq(search("ha", 0, 10, &r), 0, "too short for a prefix");
	search_result_release(&r);
}

Test(search, bulk_load_indexes_at_the_end)
{
	int64_t p = add_publisher("p"), now = clock_now(), id;
	struct search_result r;
	struct buf report = BUF_INIT;

	add(p, "Before", "lighthouse keeper", now, NULL);
	cr_assert_eq(store_bulk_load(db, true), ST_OK);
	cr_assert_eq(store_begin(db), ST_OK);
	id = add(p, "During", "lighthouse beam", now, NULL);
	cr_assert_eq(store_commit(db), ST_OK);
	cr_assert_eq(search("beam", 0, 10, &r), 0, "not indexed yet");
	search_result_release(&r);
	cr_assert_eq(store_bulk_load(db, false), ST_OK);
	cr_assert_eq(search("beam", 0, 10, &r), 1);
	cr_assert_eq(r.items[0].article.id, id);
	search_result_release(&r);
	cr_assert_eq(search("lighthouse", 0, 10, &r), 2);
	search_result_release(&r);
	cr_assert_eq(store_check(db, &report), ST_OK, "%s", report.data);
	buf_release(&report);
}

/* ---- The articles table with its bodies last ----------------------------- */

#include "store/internal.h" /* store_migrations: an older schema to migrate */
#include "store/reading.h"

static void
exec_raw(sqlite3 *raw, const char *sql)
{
	char *err = NULL;

	cr_assert_eq(sqlite3_exec(raw, sql, NULL, NULL, &err), SQLITE_OK,
		     "%s: %s", sql, err ? err : "?");
}

static int64_t
count_raw(struct store *s, const char *table)
{
	char sql[128];
	sqlite3_stmt *st;
	int64_t n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	cr_assert_eq(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

Test(layout, rebuild_keeps_rows_links_and_index)
{
	char *d = test_tmpdir(), path[512], sql[128];
	size_t before = 0, i;
	sqlite3 *raw;
	struct store *s;
	struct article a;
	struct search_result r;
	struct search_query q = {.text = "lighthouse"};
	struct article_list near;
	struct buf report = BUF_INIT;
	sqlite3_stmt *st;
	const char *last = NULL;

	/* The schema just before the rebuild, whatever its number. */
	for (i = 0; i < store_migration_count; i++)
		if (strstr(store_migrations[i], "CREATE TABLE articles_v5"))
			before = i;
	cr_assert_gt(before, 0);
	snprintf(path, sizeof(path), "%s/newsstand.db", d);
	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	for (i = 0; i < before; i++)
		exec_raw(raw, store_migrations[i]);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %zu", before);
	exec_raw(raw, sql);
	exec_raw(raw,
		 "PRAGMA foreign_keys = ON;"
		 "INSERT INTO publishers (id, slug, name, created_at)"
		 " VALUES (1, 'p', 'P', 1);"
		 "INSERT INTO topics (id, slug, name) VALUES (1, 't', 'T');"
		 "INSERT INTO users (id, email, password_hash, created_at)"
		 " VALUES (1, 'a@example.org', 'x', 1);"
		 "INSERT INTO stories (id, title) VALUES (1, 'S');"
		 "INSERT INTO articles (id, publisher_id, story_id, guid, url,"
		 " title, byline, summary, body_html, body_text, teaser_html,"
		 " teaser_text, lead_image, lead_caption, language,"
		 " content_hash, fingerprint, word_count, published_at,"
		 " updated_at, fetched_at) VALUES (7, 1, 1, 'g', 'https://x/7',"
		 " 'Lighthouse', 'By', 'Sum', '<p>beam</p>', 'beam of light',"
		 " '<p>t</p>', 't', 'img.jpg', 'cap', 'en', 'h', 99, 3, 1000,"
		 " 1001, 1002), (8, 1, NULL, 'g8', 'https://x/8', 'Other',"
		 " NULL, NULL, NULL, 'lighthouse keeper', NULL, NULL, NULL,"
		 " NULL, NULL, NULL, 0, 2, 2000, 2000, 2000);"
		 "INSERT INTO articles_fts (rowid, title, byline, body_text)"
		 " SELECT id, title, byline, body_text FROM articles;"
		 "INSERT INTO article_topics VALUES (7, 1);"
		 "INSERT INTO saves VALUES (1, 7, 5);"
		 "INSERT INTO reads (user_id, article_id, publisher_id, day,"
		 " read_at) VALUES (1, 7, 1, '2026-01-01', 5);"
		 "INSERT INTO picks (article_id, created_at) VALUES (7, 5);"
		 "INSERT INTO article_neighbours VALUES (7, 8, 0.5),"
		 " (8, 7, 0.5);");
	sqlite3_close(raw);

	cr_assert_eq(store_open(d, STORE_WRITE, 0, &s), ST_OK);
	cr_assert_eq(store_schema_version(s), (int)store_migration_count);
	cr_assert_eq(store_article_get(s, 7, &a), ST_OK);
	cr_assert_str_eq(a.title, "Lighthouse");
	cr_assert_str_eq(a.body_text, "beam of light");
	cr_assert_str_eq(a.body_html, "<p>beam</p>");
	cr_assert_str_eq(a.teaser_text, "t");
	cr_assert_str_eq(a.lead_caption, "cap");
	cr_assert_str_eq(a.content_hash, "h");
	cr_assert_str_eq(a.topics, "t");
	cr_assert_eq(a.story_id, 1);
	cr_assert_eq(a.fingerprint, 99);
	cr_assert_eq(a.published_at, 1000);
	cr_assert_eq(a.fetched_at, 1002);
	article_release(&a);
	cr_assert_eq(count_raw(s, "article_topics"), 1);
	cr_assert_eq(count_raw(s, "saves"), 1);
	cr_assert_eq(count_raw(s, "reads"), 1);
	cr_assert_eq(count_raw(s, "picks"), 1);
	cr_assert_eq(count_raw(s, "article_neighbours"), 2);
	cr_assert_eq(reading_neighbours(s, 7, 8, &near), ST_OK);
	cr_assert_eq(near.count, 1, "one row per article, packed");
	cr_assert_eq(near.items[0].id, 8);
	article_list_release(&near);
	cr_assert_eq(store_search(s, &q, &r), ST_OK);
	cr_assert_eq(r.count, 2, "the search index still reads the rows");
	search_result_release(&r);
	cr_assert_eq(store_check(s, &report), ST_OK, "%s", report.data);
	buf_release(&report);
	/* The bodies come last, but for the cut points of schema v8 (NULL,
	 * known from the row's header, or read with the body they cut). */
	cr_assert_eq(sqlite3_prepare_v2(s->db,
					"SELECT name FROM pragma_table_info("
					"'articles') WHERE name NOT LIKE"
					" '%\\_cut' ESCAPE '\\'"
					" ORDER BY cid DESC LIMIT 1",
					-1, &st, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	last = (const char *)sqlite3_column_text(st, 0);
	cr_assert_str_eq(last, "body_html");
	sqlite3_finalize(st);
	/* Migrations run with a rollback journal, then WAL again. */
	cr_assert_eq(
		sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL),
		SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	/* The other tables' foreign keys name the new table. */
	cr_assert_eq(store_exec(s, "DELETE FROM reads;"
				   "DELETE FROM articles WHERE id = 7"),
		     ST_OK);
	cr_assert_eq(count_raw(s, "article_topics"), 0, "cascaded");
	cr_assert_eq(count_raw(s, "saves"), 0);
	cr_assert_eq(count_raw(s, "picks"), 0);
	store_close(s);
	test_rmdir(d);
	free(d);
}
