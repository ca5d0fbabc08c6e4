#include "common.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

#include "base/clock.h"
#include "store/internal.h" /* store_exec: savepoints */
#include "store/reading.h"
#include "store/store.h"
#include "support/testutil.h"

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

static int64_t
add_publisher(const char *slug, const char *name)
{
	struct publisher p = {.slug = (char *)slug, .name = (char *)name};

	cr_assert_eq(store_publisher_put(db, &p), ST_OK);
	return p.id;
}

static int64_t
add_article(int64_t publisher_id, int64_t feed_id, const char *guid,
	    const char *url, const char *title, const char *text,
	    int64_t published, enum article_put_result *res)
{
	struct article a = {
		.publisher_id = publisher_id,
		.feed_id = feed_id,
		.guid = (char *)guid,
		.url = (char *)url,
		.title = (char *)title,
		.body_text = (char *)text,
		.body_html = (char *)text,
		.content_hash = (char *)text,
		.word_count = 3,
		.published_at = published,
	};
	enum article_put_result r;

	cr_assert_eq(store_article_put(db, &a, &r), ST_OK);
	if (res)
		*res = r;
	return a.id;
}

TestSuite(store, .init = setup, .fini = teardown);

Test(store, migrates_from_empty_and_again)
{
	struct store *again;

	cr_assert_eq(store_schema_version(db), STORE_SCHEMA_VERSION);
	cr_assert_eq(store_migrate(db), ST_OK, "re-migration is a no-op");
	cr_assert_eq(store_schema_version(db), STORE_SCHEMA_VERSION);
	store_close(db);
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &again), ST_OK);
	cr_assert_eq(store_schema_version(again), STORE_SCHEMA_VERSION);
	db = again;
}

static int64_t
page_size_of(const char *path)
{
	sqlite3 *raw;
	sqlite3_stmt *st;
	int64_t size = 0;

	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(raw, "PRAGMA page_size", -1, &st, NULL),
		     SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		size = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(raw);
	return size;
}

/* A database file made with 4 KB pages, as files were before 16 KB. */
static void
make_old_file(const char *path)
{
	sqlite3 *raw;

	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw,
				  "PRAGMA page_size=4096;"
				  "CREATE TABLE early (x);",
				  NULL, NULL, NULL),
		     SQLITE_OK);
	sqlite3_close(raw);
}

Test(store, new_files_get_large_pages_old_files_keep_theirs)
{
	char *old_dir = test_tmpdir(), path[4096];
	struct store *old;
	int64_t id;

	snprintf(path, sizeof(path), "%s/newsstand.db", dir);
	cr_assert_eq(page_size_of(path), 16384);
	/* A file made with 4 KB pages opens, migrates and stores as before. */
	cr_assert_not_null(old_dir);
	snprintf(path, sizeof(path), "%s/newsstand.db", old_dir);
	make_old_file(path);
	cr_assert_eq(store_open(old_dir, STORE_WRITE, 0, &old), ST_OK);
	store_close(db);
	db = old;
	id = add_article(add_publisher("p", "P"), 0, NULL,
			 "https://p.example/a", "A title", "some words here",
			 1000, NULL);
	cr_assert_gt(id, 0);
	cr_assert_eq(page_size_of(path), 4096);
	store_close(db);
	test_rmdir(old_dir);
	free(old_dir);
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &db), ST_OK);
}

Test(store, compact_rewrites_old_pages_and_keeps_everything)
{
	char *old_dir = test_tmpdir(), path[4096], fresh[4200], wal[4200];
	struct store_compact_report r;
	struct search_query q = {.text = "lighthouse"};
	struct search_result found;
	struct store *reader;
	struct buf report = BUF_INIT;
	int64_t pub, n, i;
	char url[64], text[64];

	cr_assert_not_null(old_dir);
	snprintf(path, sizeof(path), "%s/newsstand.db", old_dir);
	make_old_file(path);
	store_close(db);
	cr_assert_eq(store_open(old_dir, STORE_WRITE, 0, &db), ST_OK);
	pub = add_publisher("p", "P");
	/* Stored in a write round: the writer keeps its WAL file. */
	cr_assert_eq(store_write_round(db, true), ST_OK);
	cr_assert_eq(store_begin(db), ST_OK);
	for (i = 0; i < 40; i++) {
		snprintf(url, sizeof(url), "https://p.example/%" PRId64, i);
		snprintf(text, sizeof(text), "%s, day %" PRId64,
			 i % 2 ? "a lighthouse keeper" : "harbour works", i);
		cr_assert_gt(add_article(pub, 0, NULL, url, "A title", text,
					 1000 + i, NULL),
			     0);
	}
	cr_assert_eq(store_commit(db), ST_OK);
	cr_assert_eq(store_write_round(db, false), ST_OK);

	/* Refused while another connection has the file open. */
	cr_assert_eq(store_compact(old_dir, &r), ST_AGAIN);
	cr_assert_eq(page_size_of(path), 4096);
	store_close(db);
	db = NULL;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	cr_assert_eq(access(wal, F_OK), 0, "the round's WAL file was kept");

	cr_assert_eq(store_compact(old_dir, &r), ST_OK);
	cr_expect_eq(r.before.page_size, 4096);
	cr_expect_eq(r.after.page_size, 16384);
	cr_expect_eq(r.after.free_pages, 0);
	cr_assert_eq(page_size_of(path), 16384);
	snprintf(fresh, sizeof(fresh), "%s.compact", path);
	cr_expect_neq(access(fresh, F_OK), 0, "the new file took the name");
	/* No WAL of the old file beside the new one. */
	cr_expect_neq(access(wal, F_OK), 0, "a WAL is left beside the file");

	cr_assert_eq(store_open(old_dir, STORE_READ, 0, &reader), ST_OK);
	cr_assert_eq(store_check(reader, &report), ST_OK, "%s",
		     report.data ? report.data : "");
	cr_assert_eq(store_article_count(reader, &n), ST_OK);
	cr_expect_eq(n, 40);
	cr_assert_eq(store_search(reader, &q, &found), ST_OK);
	cr_expect_eq(found.count, 20, "%zu found", found.count);
	search_result_release(&found);
	store_close(reader);
	buf_release(&report);
	test_rmdir(old_dir);
	free(old_dir);
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &db), ST_OK);
}

/* The neighbour ids recorded for an article, closest first. */
static size_t
neighbours_of(int64_t id, int64_t *out, size_t max)
{
	struct article_list l;
	size_t i, n;

	cr_assert_eq(reading_neighbours(db, id, max, &l), ST_OK);
	n = l.count;
	for (i = 0; i < n; i++)
		out[i] = l.items[i].id;
	article_list_release(&l);
	return n;
}

Test(store, neighbours_packed_closest_first_and_forgotten_since)
{
	int64_t pub = add_publisher("p", "P"), a, b, c, d, got[8];

	a = add_article(pub, 0, NULL, "https://p.example/a", "A", "alpha", 1000,
			NULL);
	b = add_article(pub, 0, NULL, "https://p.example/b", "B", "bravo", 2000,
			NULL);
	c = add_article(pub, 0, NULL, "https://p.example/c", "C", "charlie",
			3000, NULL);
	d = add_article(pub, 0, NULL, "https://p.example/d", "D", "delta", 4000,
			NULL);
	cr_assert_eq(store_neighbours_add(db, a, b, 0.3), ST_OK);
	cr_assert_eq(store_neighbours_add(db, a, c, 0.7), ST_OK);
	cr_assert_eq(store_neighbours_add(db, a, d, 0.5), ST_OK);
	/* A pair recorded again keeps its first score. */
	cr_assert_eq(store_neighbours_add(db, a, b, 0.9), ST_OK);
	cr_assert_eq(store_neighbours_add(db, a, a, 1.0), ST_OK);
	cr_assert_eq(neighbours_of(a, got, 8), 3);
	cr_expect_eq(got[0], c);
	cr_expect_eq(got[1], d);
	cr_expect_eq(got[2], b);
	cr_assert_eq(neighbours_of(a, got, 2), 2, "at most the limit");
	cr_assert_eq(neighbours_of(c, got, 8), 1, "the way back too");
	cr_expect_eq(got[0], a);

	/* Forgetting since c's time: c's and d's rows go, and they leave
	 * a's row; b stays. */
	cr_assert_eq(store_neighbours_forget_since(db, 3000), ST_OK);
	cr_assert_eq(neighbours_of(a, got, 8), 1);
	cr_expect_eq(got[0], b);
	cr_expect_eq(neighbours_of(c, got, 8), 0);
	cr_expect_eq(neighbours_of(d, got, 8), 0);
	cr_assert_eq(neighbours_of(b, got, 8), 1);
	cr_expect_eq(got[0], a);
}

/*
 * The neighbours of articles new in this transaction are written without
 * looking for a row they cannot have yet; once one is written, the next
 * rows of the same transaction are merged into it as before, and a row
 * left by a deleted article whose id came back is replaced.
 */
Test(store, new_articles_neighbours_within_a_transaction)
{
	int64_t pub = add_publisher("p", "P"), old, a, b, c, d, got[8];
	struct store_neighbour first[] = {{0, 0, 0.5}, {0, 0, 0.5}},
			       second[] = {{0, 0, 0.9}, {0, 0, 0.9}};
	sqlite3 *raw;
	char path[4200];

	old = add_article(pub, 0, NULL, "https://p.example/old", "Old", "oak",
			  1000, NULL);
	/* A row left behind: an article deleted with foreign keys off (as
	 * in the sqlite3 shell), its id to be given again. */
	d = add_article(pub, 0, NULL, "https://p.example/gone", "Gone", "elm",
			1500, NULL);
	cr_assert_eq(store_neighbours_add(db, d, old, 0.4), ST_OK);
	snprintf(path, sizeof(path), "%s/newsstand.db", dir);
	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw,
				  "DELETE FROM articles WHERE id = (SELECT"
				  " max(id) FROM articles)",
				  NULL, NULL, NULL),
		     SQLITE_OK);
	sqlite3_close(raw);

	cr_assert_eq(store_write_round(db, true), ST_OK);
	cr_assert_eq(store_begin(db), ST_OK);
	a = add_article(pub, 0, NULL, "https://p.example/a", "A", "ash", 2000,
			NULL);
	cr_assert_eq(a, d, "the deleted article's id is given again");
	b = add_article(pub, 0, NULL, "https://p.example/b", "B", "birch", 3000,
			NULL);
	c = add_article(pub, 0, NULL, "https://p.example/c", "C", "cedar", 4000,
			NULL);
	first[0].article_id = a, first[0].neighbour_id = b;
	first[1].article_id = b, first[1].neighbour_id = a;
	cr_assert_eq(store_neighbours_put(db, first, 2), ST_OK);
	second[0].article_id = a, second[0].neighbour_id = c;
	second[1].article_id = c, second[1].neighbour_id = a;
	cr_assert_eq(store_neighbours_put(db, second, 2), ST_OK);
	cr_assert_eq(store_commit(db), ST_OK);
	cr_assert_eq(store_write_round(db, false), ST_OK);

	cr_assert_eq(neighbours_of(a, got, 8), 2, "a's rows were not merged");
	cr_expect_eq(got[0], c);
	cr_expect_eq(got[1], b);
	cr_assert_eq(neighbours_of(b, got, 8), 1);
	cr_expect_eq(got[0], a);
	cr_assert_eq(neighbours_of(c, got, 8), 1);
	cr_expect_eq(got[0], a);
	cr_assert_eq(neighbours_of(old, got, 8), 1, "the old article's row");
}

/* How many articles a search for one word finds (at most 20). */
static size_t
found(const char *word)
{
	struct search_query q = {.text = word};
	struct search_result r;
	size_t n;

	cr_assert_eq(store_search(db, &q, &r), ST_OK);
	n = r.count;
	search_result_release(&r);
	return n;
}

Test(store, a_write_round_indexes_at_the_commit)
{
	int64_t pub = add_publisher("p", "P"), feed, a, b, c;
	struct store_feed f = {.publisher_id = pub,
			       .url = (char *)"https://p.example/feed"};
	struct store_savepoint sp;
	struct buf report = BUF_INIT;

	cr_assert_eq(store_feed_add(db, &f), ST_OK);
	feed = f.id;
	a = add_article(pub, feed, "old", "https://p.example/old", "Old",
			"an older lighthouse", 500, NULL);
	cr_assert_eq(found("lighthouse"), 1);

	cr_assert_eq(store_write_round(db, true), ST_OK);
	cr_assert_eq(store_begin(db), ST_OK);
	b = add_article(pub, feed, "g1", "https://p.example/1", "First",
			"a harbour crane", 1000, NULL);
	/* The same item again with other words, in the same transaction:
	 * only the words it has at the commit are found. */
	cr_assert_eq(add_article(pub, feed, "g1", "https://p.example/1",
				 "First", "a shipyard crane", 1000, NULL),
		     b);
	/* An article of the previous commit, changed in this one. */
	cr_assert_eq(add_article(pub, feed, "old", "https://p.example/old",
				 "Old", "an older beacon", 500, NULL),
		     a);
	/* An article undone by a savepoint; the next takes its id. */
	cr_assert_eq(store_savepoint(db, &sp), ST_OK);
	c = add_article(pub, feed, "g2", "https://p.example/2", "Second",
			"a marina", 2000, NULL);
	cr_assert_eq(store_savepoint_undo(db, &sp), ST_OK);
	cr_assert_eq(add_article(pub, feed, "g3", "https://p.example/3",
				 "Third", "a ferry", 3000, NULL),
		     c, "the id is taken again");
	/* And one undone for good: its text is not indexed under an id no
	 * article has. */
	cr_assert_eq(store_savepoint(db, &sp), ST_OK);
	cr_assert_gt(add_article(pub, feed, "g6", "https://p.example/6",
				 "Sixth", "a lock keeper", 6000, NULL),
		     c);
	cr_assert_eq(store_savepoint_undo(db, &sp), ST_OK);
	cr_assert_eq(store_commit(db), ST_OK);
	cr_assert_eq(store_write_round(db, false), ST_OK);

	cr_expect_eq(found("harbour"), 0);
	cr_expect_eq(found("shipyard"), 1);
	cr_expect_eq(found("crane"), 1);
	cr_expect_eq(found("lighthouse"), 0);
	cr_expect_eq(found("beacon"), 1);
	cr_expect_eq(found("marina"), 0);
	cr_expect_eq(found("ferry"), 1);
	cr_expect_eq(found("keeper"), 0);
	cr_assert_eq(store_check(db, &report), ST_OK, "%s",
		     report.data ? report.data : "");
	buf_release(&report);

	/* A rolled-back round indexes nothing. */
	cr_assert_eq(store_write_round(db, true), ST_OK);
	cr_assert_eq(store_begin(db), ST_OK);
	add_article(pub, feed, "g4", "https://p.example/4", "Fourth",
		    "a tugboat", 4000, NULL);
	store_rollback(db);
	cr_assert_eq(store_begin(db), ST_OK);
	add_article(pub, feed, "g5", "https://p.example/5", "Fifth", "a quay",
		    5000, NULL);
	cr_assert_eq(store_commit(db), ST_OK);
	cr_assert_eq(store_write_round(db, false), ST_OK);
	cr_expect_eq(found("tugboat"), 0);
	cr_expect_eq(found("quay"), 1);
	cr_assert_eq(store_check(db, &report), ST_OK, "%s",
		     report.data ? report.data : "");
	buf_release(&report);
}

/* Places an article of pub at url in s's transaction; *placed is the id
 * it was given; with insert, writes its row; returns the row's id. */
static int64_t
place(struct store *s, int64_t pub, const char *url, bool insert,
      int64_t *placed)
{
	struct article a = {
		.publisher_id = pub,
		.url = (char *)url,
		.title = (char *)"Placed",
		.body_text = (char *)url,
		.body_html = (char *)url,
		.content_hash = (char *)url,
		.word_count = 1,
		.published_at = 1000,
	};
	enum article_put_result r;

	cr_assert_eq(store_article_place(s, &a, &r), ST_OK);
	cr_assert_eq(r, ARTICLE_CREATED);
	*placed = a.id;
	if (insert)
		cr_assert_eq(store_article_insert(s, &a), ST_OK,
			     "placed as %" PRId64, *placed);
	return a.id;
}

/*
 * An article placed is given the id its row will have: one past the
 * last row, whichever connection wrote it, though the writer asks the
 * table only once a transaction.
 */
Test(store, placed_articles_get_the_next_id)
{
	int64_t pub = add_publisher("p", "P"), first, id, other, placed;
	struct store *second;
	struct store_savepoint sp;

	cr_assert_eq(store_write_round(db, true), ST_OK);
	cr_assert_eq(store_begin(db), ST_OK);
	first = place(db, pub, "https://p.example/1", true, &placed);
	cr_assert_gt(first, 0);
	cr_expect_eq(place(db, pub, "https://p.example/2", true, &placed),
		     first + 1);
	/* Placed twice before its row is written: the same id. */
	place(db, pub, "https://p.example/3", false, &placed);
	cr_expect_eq(placed, first + 2);
	cr_expect_eq(place(db, pub, "https://p.example/3", true, &placed),
		     first + 2);
	/* A row undone by a savepoint gives its id back. */
	cr_assert_eq(store_savepoint(db, &sp), ST_OK);
	cr_expect_eq(place(db, pub, "https://p.example/4", true, &placed),
		     first + 3);
	cr_assert_eq(store_savepoint_undo(db, &sp), ST_OK);
	cr_expect_eq(place(db, pub, "https://p.example/5", true, &placed),
		     first + 3);
	cr_assert_eq(store_commit(db), ST_OK);

	/* Another connection adds an article between two transactions. */
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &second), ST_OK);
	{
		struct store *writer = db;

		db = second;
		other = add_article(pub, 0, NULL, "https://p.example/other",
				    "Other", "another writer", 2000, NULL);
		db = writer;
	}
	store_close(second);
	cr_assert_eq(other, first + 4);
	cr_assert_eq(store_begin(db), ST_OK);
	id = place(db, pub, "https://p.example/6", true, &placed);
	cr_expect_eq(id, other + 1);
	store_rollback(db);
	/* What the rolled-back transaction placed is asked for again. */
	cr_assert_eq(store_begin(db), ST_OK);
	cr_expect_eq(place(db, pub, "https://p.example/7", true, &placed),
		     other + 1);
	cr_assert_eq(store_commit(db), ST_OK);
	cr_assert_eq(store_write_round(db, false), ST_OK);
}

Test(store, reader_is_read_only)
{
	struct store *r;
	struct publisher p = {.slug = (char *)"x", .name = (char *)"X"};

	cr_assert_eq(store_open(dir, STORE_READ, 0, &r), ST_OK);
	cr_assert_neq(store_publisher_put(r, &p), ST_OK);
	store_close(r);
}

Test(store, publisher_upsert_by_slug)
{
	struct publisher got;
	struct publisher_list all;
	int64_t id = add_publisher("harbour", "Harbour");
	int64_t again = add_publisher("harbour", "The Harbour");

	cr_assert_eq(id, again, "same slug, same publisher");
	cr_assert_eq(store_publisher_by_slug(db, "harbour", &got), ST_OK);
	cr_assert_str_eq(got.name, "The Harbour");
	publisher_release(&got);
	add_publisher("another", "Another");
	cr_assert_eq(store_publisher_list(db, &all), ST_OK);
	cr_assert_eq(all.count, 2);
	cr_assert_str_eq(all.items[0].slug, "another", "sorted by name");
	publisher_list_release(&all);
	cr_assert_eq(store_publisher_by_slug(db, "none", &got), ST_NOTFOUND);
}

Test(store, feed_state_round_trip)
{
	struct store_feed f = {.url = (char *)"https://a.example/feed",
			       .enabled = true,
			       .topics = (char *)"world"};
	struct store_feed got, dup = f;
	struct store_feed_list due;

	f.publisher_id = add_publisher("a", "A");
	dup.publisher_id = f.publisher_id;
	cr_assert_eq(store_feed_add(db, &f), ST_OK);
	cr_assert_eq(store_feed_add(db, &dup), ST_EXISTS);
	cr_assert_eq(store_feed_get(db, f.id, &got), ST_OK);
	cr_assert_str_eq(got.publisher_slug, "a");
	got.etag = xstrdup("\"v1\"");
	got.http_status = 200;
	got.next_due_at = 5000;
	got.last_error = xstrdup("boom");
	cr_assert_eq(store_feed_save_state(db, &got), ST_OK);
	store_feed_release(&got);
	cr_assert_eq(store_feed_due(db, 4999, 10, &due), ST_OK);
	cr_assert_eq(due.count, 0);
	store_feed_list_release(&due);
	cr_assert_eq(store_feed_due(db, 5000, 10, &due), ST_OK);
	cr_assert_eq(due.count, 1);
	cr_assert_str_eq(due.items[0].etag, "\"v1\"");
	cr_assert_str_eq(due.items[0].last_error, "boom");
	store_feed_list_release(&due);
}

Test(store, article_dedupe_rules)
{
	int64_t p1 = add_publisher("p1", "P1"), p2 = add_publisher("p2", "P2");
	struct store_feed f1 = {.publisher_id = p1,
				.url = (char *)"https://p1.example/f"};
	struct store_feed f2 = {.publisher_id = p2,
				.url = (char *)"https://p2.example/f"};
	enum article_put_result r;
	struct article got;
	int64_t id, id2;

	cr_assert_eq(store_feed_add(db, &f1), ST_OK);
	cr_assert_eq(store_feed_add(db, &f2), ST_OK);
	id = add_article(p1, f1.id, "g1", "https://p1.example/a", "Title",
			 "first text", 1000, &r);
	cr_assert_eq(r, ARTICLE_CREATED);
	/* Same guid, same text: unchanged. */
	id2 = add_article(p1, f1.id, "g1", "https://p1.example/a", "Title",
			  "first text", 1000, &r);
	cr_assert_eq(r, ARTICLE_UNCHANGED);
	cr_assert_eq(id2, id);
	/* Same guid, edited text: updated in place, id kept. */
	id2 = add_article(p1, f1.id, "g1", "https://p1.example/a",
			  "Title (updated)", "edited text", 1000, &r);
	cr_assert_eq(r, ARTICLE_UPDATED);
	cr_assert_eq(id2, id);
	cr_assert_eq(store_article_get(db, id, &got), ST_OK);
	cr_assert_str_eq(got.title, "Title (updated)");
	cr_assert_str_eq(got.body_text, "edited text");
	cr_assert_str_eq(got.publisher_slug, "p1");
	article_release(&got);
	/* Same canonical URL from another feed: one article. */
	id2 = add_article(p2, f2.id, "other", "https://p1.example/a", "Copy",
			  "copy text", 1000, &r);
	cr_assert_eq(r, ARTICLE_DUPLICATE);
	cr_assert_eq(id2, id);
	/* Same text from the same publisher at another URL: duplicate. */
	id2 = add_article(p1, f1.id, "g2", "https://p1.example/a?x=1", "Again",
			  "edited text", 1000, &r);
	cr_assert_eq(r, ARTICLE_DUPLICATE);
}

/* The first column of the first row of sql, on the store's connection. */
static int64_t
query_int(const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	cr_assert_eq(sqlite3_prepare_v2(db->db, sql, -1, &st, NULL), SQLITE_OK,
		     "%s", sqlite3_errmsg(db->db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL
			    ? -2
			    : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* expr (a column of articles) of the newest article; -2 for NULL. */
static int64_t
newest(const char *expr)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT %s FROM articles WHERE id ="
		 " (SELECT max(id) FROM articles)",
		 expr);
	return query_int(sql);
}

/* Stores an article whose summary and teasers are body[0..cut) + tail and
 * checks that they read back byte for byte. */
static void
put_prefixed(int64_t pub, const char *body, size_t cut, const char *tail,
	     int64_t n)
{
	char url[64], summary[512], html[512], teaser_html[512];
	struct article a = {0}, got;

	snprintf(url, sizeof(url), "https://p.example/cut/%" PRId64, n);
	snprintf(summary, sizeof(summary), "%.*s%s", (int)cut, body, tail);
	snprintf(html, sizeof(html), "<p>%s</p>", body);
	snprintf(teaser_html, sizeof(teaser_html), "<p>%.*s%s</p>", (int)cut,
		 body, tail);
	a.publisher_id = pub;
	a.url = url;
	a.title = (char *)"Cut";
	a.body_text = (char *)body;
	a.body_html = html;
	a.summary = summary;
	a.teaser_text = summary;
	a.teaser_html = teaser_html;
	a.published_at = 1000 + n;
	cr_assert_eq(store_article_put(db, &a, NULL), ST_OK);
	cr_assert_eq(store_article_get(db, a.id, &got), ST_OK);
	cr_expect_str_eq(got.summary, summary, "cut %zu of \"%s\"", cut, body);
	cr_expect_str_eq(got.teaser_text, summary, "cut %zu of \"%s\"", cut,
			 body);
	cr_expect_str_eq(got.teaser_html, teaser_html, "cut %zu of \"%s\"", cut,
			 body);
	article_release(&got);
}

Test(store, teasers_that_begin_with_the_body_are_stored_once)
{
	static const char *const bodies[] = {
		/* Two-, three- and four-byte characters. */
		"Gr\xc3\xb6\xc3\x9f"
		"e und Ma\xc3\x9f: \xf0\x9d\x84\x9e notes, \xe2\x82\xac signs"
		" and plain words after them.",
		/* Bytes that are not UTF-8: lone continuation bytes, a lead
		 * byte before ASCII, sequences cut short. */
		"ab\x80\x80 lone, \xc3( bad lead, \xf0\x9d then ASCII, "
		"\xe2\x82 short, \xbf end",
		/* Long enough to be compared in blocks of 64 bytes, with a
		 * character across the second block's end (bytes 127-129). */
		"A council meeting on the harbour budget ran late into the "
		"night, and the vote on the new bridge was put off until "
		"June, as the \xe2\x82\xac figures had yet to come back from "
		"the auditors, who had asked for more time.",
	};
	static const char *const tails[] = {
		"\xe2\x80\xa6",	      /* an ellipsis */
		"\xe2\x82\xa1 after", /* shares a lead byte with the euro */
		"\x80\x80",	      /* continuation bytes */
	};
	int64_t pub = add_publisher("p", "P"), n = 0, id;
	struct article a = {0}, got;
	size_t b, t, cut;

	for (b = 0; b < ARRAY_SIZE(bodies); b++)
		for (t = 0; t < ARRAY_SIZE(tails); t++)
			for (cut = 0; cut <= strlen(bodies[b]); cut++)
				put_prefixed(pub, bodies[b], cut, tails[t],
					     n++);
	/* A long shared start is kept once: the body's first 40 bytes,
	 * then the ellipsis. */
	put_prefixed(pub, "An ordinary sentence that goes on for a while.", 40,
		     "\xe2\x80\xa6", n);
	id = query_int("SELECT max(id) FROM articles");
	cr_expect_eq(newest("teaser_text_cut"), 40);
	cr_expect_eq(newest("length(teaser_text_rest)"), 1);
	cr_expect_eq(newest("teaser_html_cut"), 43, "<p> and 40 bytes");
	cr_expect_eq(newest("summary_cut"), 40);
	/* Past the first blocks. */
	put_prefixed(pub, bodies[2], 130, "\xe2\x80\xa6", ++n);
	cr_expect_eq(newest("teaser_text_cut"), 130);
	cr_expect_eq(newest("teaser_html_cut"), 133);
	/* A long body is not cut into: the row would leave its page. */
	{
		char *long_body = xmalloc(7001), teaser[64];

		memset(long_body, 'w', 7000);
		long_body[7000] = '\0';
		snprintf(teaser, sizeof(teaser), "%.40s\xe2\x80\xa6",
			 long_body);
		a.publisher_id = pub;
		a.url = (char *)"https://p.example/long";
		a.title = (char *)"Long";
		a.body_text = long_body;
		a.teaser_text = teaser;
		cr_assert_eq(store_article_put(db, &a, NULL), ST_OK);
		cr_expect_eq(newest("teaser_text_cut"), -2, "NULL");
		cr_assert_eq(store_article_get(db, a.id, &got), ST_OK);
		cr_expect_str_eq(got.teaser_text, teaser);
		article_release(&got);
		free(long_body);
		memset(&a, 0, sizeof(a));
	}
	/* A teaser of its own, or none, is stored as it is. */
	a.publisher_id = pub;
	a.url = (char *)"https://p.example/own";
	a.guid = (char *)"own";
	a.feed_id = 0;
	a.title = (char *)"Own";
	a.body_text = (char *)"The body of an article with its own summary.";
	a.body_html = (char *)"<p>The body.</p>";
	a.summary = (char *)"A summary written by the publisher, not the body.";
	a.teaser_text = NULL;
	a.teaser_html = (char *)"<p>The body</p>";
	cr_assert_eq(store_article_put(db, &a, NULL), ST_OK);
	cr_assert_gt(a.id, id);
	cr_expect_eq(newest("summary_cut"), -2, "NULL");
	cr_expect_eq(newest("teaser_html_cut"), -2,
		     "shorter than the least worth cutting");
	cr_assert_eq(store_article_get(db, a.id, &got), ST_OK);
	cr_expect_str_eq(got.summary, a.summary);
	cr_expect_null(got.teaser_text);
	cr_expect_str_eq(got.teaser_html, a.teaser_html);
	article_release(&got);
}

Test(store, an_edited_body_gets_its_teaser_cut_again)
{
	int64_t pub = add_publisher("p", "P");
	struct store_feed f = {.publisher_id = pub,
			       .url = (char *)"https://p.example/f"};
	struct article a = {0}, got;
	enum article_put_result r;

	cr_assert_eq(store_feed_add(db, &f), ST_OK);
	a.publisher_id = pub;
	a.feed_id = f.id;
	a.guid = (char *)"g";
	a.url = (char *)"https://p.example/a";
	a.title = (char *)"T";
	a.body_text = (char *)"The first text of the article, long enough.";
	a.body_html = (char *)"<p>The first text.</p>";
	a.content_hash = (char *)"h1";
	a.teaser_text = (char *)"The first text of the\xe2\x80\xa6";
	cr_assert_eq(store_article_put(db, &a, &r), ST_OK);
	cr_assert_eq(r, ARTICLE_CREATED);
	a.body_text = (char *)"Edited: a second text, and longer than before.";
	a.content_hash = (char *)"h2";
	a.teaser_text = (char *)"Edited: a second text\xe2\x80\xa6";
	cr_assert_eq(store_article_put(db, &a, &r), ST_OK);
	cr_assert_eq(r, ARTICLE_UPDATED);
	cr_expect_eq(query_int("SELECT teaser_text_cut FROM articles"), 21);
	cr_assert_eq(store_article_get(db, a.id, &got), ST_OK);
	cr_expect_str_eq(got.teaser_text, a.teaser_text);
	cr_expect_str_eq(got.body_text, a.body_text);
	article_release(&got);
}

/*
 * A file from before schema 8 keeps its articles' teasers whole through
 * the migrations (no row is copied) and reads them back the same. It is
 * made at schema 5: migration 6 needs a function of the store's own.
 */
Test(store, teasers_stored_whole_before_schema_8_read_the_same)
{
	char path[4096];
	sqlite3 *raw;
	struct article got, a = {0};
	size_t i;

	store_close(db);
	db = NULL;
	test_rmdir(dir);
	free(dir);
	dir = test_tmpdir();
	snprintf(path, sizeof(path), "%s/newsstand.db", dir);
	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	for (i = 0; i < 5; i++)
		cr_assert_eq(sqlite3_exec(raw, store_migrations[i], NULL, NULL,
					  NULL),
			     SQLITE_OK, "migration %zu: %s", i + 1,
			     sqlite3_errmsg(raw));
	cr_assert_eq(
		sqlite3_exec(
			raw,
			"PRAGMA user_version = 5;"
			"INSERT INTO publishers (id, slug, name, created_at)"
			" VALUES (1, 'p', 'P', 1);"
			"INSERT INTO articles (id, publisher_id, url, title,"
			" summary, body_html, body_text, teaser_html,"
			" teaser_text, published_at, updated_at, fetched_at)"
			" VALUES (5, 1, 'https://p.example/5', 'Old',"
			" 'The old body, as it was stored.',"
			" '<p>The old body, as it was stored.</p>',"
			" 'The old body, as it was stored.',"
			" '<p>The old body, as it…</p>', 'The old body, as "
			"it…',"
			" 1, 1, 1);",
			NULL, NULL, NULL),
		SQLITE_OK, "%s", sqlite3_errmsg(raw));
	sqlite3_close(raw);

	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &db), ST_OK);
	cr_assert_eq(store_schema_version(db), STORE_SCHEMA_VERSION);
	cr_expect_eq(query_int("SELECT count(*) FROM articles WHERE"
			       " teaser_text_cut IS NULL AND teaser_html_cut"
			       " IS NULL AND summary_cut IS NULL"),
		     1);
	cr_assert_eq(store_article_get(db, 5, &got), ST_OK);
	cr_expect_str_eq(got.summary, "The old body, as it was stored.");
	cr_expect_str_eq(got.teaser_text, "The old body, as it…");
	cr_expect_str_eq(got.teaser_html, "<p>The old body, as it…</p>");
	article_release(&got);
	/* New articles beside it are stored cut. */
	a.publisher_id = 1;
	a.url = (char *)"https://p.example/6";
	a.title = (char *)"New";
	a.body_text = (char *)"The new body, stored after the migration.";
	a.teaser_text = (char *)"The new body, stored…";
	cr_assert_eq(store_article_put(db, &a, NULL), ST_OK);
	cr_expect_eq(query_int("SELECT teaser_text_cut FROM articles"
			       " WHERE id = 6"),
		     20);
	cr_assert_eq(store_article_get(db, 6, &got), ST_OK);
	cr_expect_str_eq(got.teaser_text, a.teaser_text);
	article_release(&got);
}

Test(store, list_with_cursor)
{
	int64_t p = add_publisher("p", "P");
	struct article_list page;
	struct article_query q = {.limit = 3};
	char url[64], *cursor;
	int i, seen = 0;

	for (i = 0; i < 7; i++) {
		snprintf(url, sizeof(url), "https://p.example/%d", i);
		add_article(p, 0, NULL, url, "T", url, 1000 + i, NULL);
	}
	cr_assert_eq(store_article_list(db, &q, &page), ST_OK);
	cr_assert_eq(page.count, 3);
	cr_assert_eq(page.items[0].published_at, 1006, "newest first");
	cr_assert_null(page.items[0].body_html, "no body unless asked");
	cr_assert_not_null(page.next_cursor);
	while (page.next_cursor) {
		seen += (int)page.count;
		cursor = xstrdup(page.next_cursor);
		article_list_release(&page);
		q.cursor = cursor;
		cr_assert_eq(store_article_list(db, &q, &page), ST_OK);
		free(cursor);
	}
	seen += (int)page.count;
	cr_assert_eq(seen, 7);
	cr_assert_eq(page.items[page.count - 1].published_at, 1000);
	article_list_release(&page);
	q.cursor = "garbage";
	cr_assert_eq(store_article_list(db, &q, &page), ST_INVAL);
}

Test(store, full_text_search)
{
	int64_t p = add_publisher("p", "P");
	struct search_query q = {.text = "harbour strike"};
	struct search_result r;
	int64_t id;

	add_article(p, 0, NULL, "https://p.example/1", "Weather today",
		    "sunny skies over the valley", 1000, NULL);
	id = add_article(p, 0, NULL, "https://p.example/2", "Port news",
			 "the harbour strike ended after twelve days", 1000,
			 NULL);
	cr_assert_eq(store_search(db, &q, &r), ST_OK);
	cr_assert_eq(r.count, 1);
	cr_assert_eq(r.items[0].article.id, id);
	search_result_release(&r);
	/* Prefix on the last word; FTS syntax in user text is inert. */
	q.text = "harb";
	cr_assert_eq(store_search(db, &q, &r), ST_OK);
	cr_assert_eq(r.count, 1);
	search_result_release(&r);
	q.text = "sunny OR \"NEAR(";
	cr_assert_eq(store_search(db, &q, &r), ST_OK);
	cr_assert_eq(r.count, 0, "OR is a word, not an operator");
	search_result_release(&r);
	q.text = "  !!  ";
	cr_assert_eq(store_search(db, &q, &r), ST_INVAL);
	/* Merging the index's segments keeps every hit. */
	cr_assert_eq(store_maintain(db), ST_OK);
	q.text = "harbour";
	cr_assert_eq(store_search(db, &q, &r), ST_OK);
	cr_assert_eq(r.count, 1);
	search_result_release(&r);
	/* An update keeps the index in step. */
	add_article(p, 0, NULL, "https://p.example/2", "Port news",
		    "the harbour strike ended after twelve days", 1000, NULL);
	q.text = "twelve";
	cr_assert_eq(store_search(db, &q, &r), ST_OK);
	cr_assert_eq(r.count, 1);
	search_result_release(&r);
}

Test(store, integrity_check_passes_and_detects)
{
	struct buf report = BUF_INIT;
	int64_t p = add_publisher("p", "P");

	add_article(p, 0, NULL, "https://p.example/1", "T", "words here", 1,
		    NULL);
	cr_assert_eq(store_check(db, &report), ST_OK, "%s", report.data);
	cr_assert_eq(report.len, 0);
	buf_release(&report);
}

Test(store, picks)
{
	int64_t p = add_publisher("p", "P");
	int64_t a = add_article(p, 0, NULL, "https://p.example/1", "One", "one",
				1, NULL);
	int64_t b = add_article(p, 0, NULL, "https://p.example/2", "Two", "two",
				2, NULL);
	struct pick pa = {.article_id = a, .position = 2, .note = (char *)"n"};
	struct pick pb = {.article_id = b, .position = 1};
	struct pick bad = {.article_id = 999};
	struct pick_list l;

	cr_assert_eq(store_pick_put(db, &pa), ST_OK);
	cr_assert_eq(store_pick_put(db, &pb), ST_OK);
	cr_assert_eq(store_pick_put(db, &bad), ST_NOTFOUND);
	cr_assert_eq(store_pick_list(db, 10, &l), ST_OK);
	cr_assert_eq(l.count, 2);
	cr_assert_eq(l.items[0].article_id, b);
	cr_assert_str_eq(l.items[1].note, "n");
	cr_assert_str_eq(l.items[1].article.title, "One");
	pick_list_release(&l);
	cr_assert_eq(store_pick_delete(db, a), ST_OK);
	cr_assert_eq(store_pick_delete(db, a), ST_NOTFOUND);
}

struct writer_args {
	const char *dir;
	volatile bool stop;
	int written;
};

static void *
writer_thread(void *arg)
{
	struct writer_args *w = arg;
	struct store *s;
	struct publisher p = {.slug = (char *)"w", .name = (char *)"W"};
	char url[64];

	if (store_open(w->dir, STORE_WRITE, 0, &s))
		return NULL;
	if (store_publisher_put(s, &p))
		goto out;
	while (!w->stop && w->written < 5000) {
		struct article a = {.publisher_id = p.id,
				    .title = (char *)"t",
				    .body_text = (char *)"words words"};
		enum article_put_result r;

		snprintf(url, sizeof(url), "https://w.example/%d", w->written);
		a.url = url;
		if (store_begin(s))
			break;
		if (store_article_put(s, &a, &r)) {
			store_rollback(s);
			break;
		}
		if (store_commit(s))
			break;
		w->written++;
	}
out:
	store_close(s);
	return NULL;
}

/* The online backup copies a consistent database while a writer works. */
Test(store, backup_while_writing)
{
	struct writer_args w = {.dir = dir};
	pthread_t t;
	char path[300];
	struct store *copy;
	struct buf report = BUF_INIT;
	int64_t n;

	cr_assert_eq(pthread_create(&t, NULL, writer_thread, &w), 0);
	while (w.written < 50)
		sqlite3_sleep(1);
	snprintf(path, sizeof(path), "%s/backup.db", dir);
	cr_assert_eq(store_backup(db, path), ST_OK);
	w.stop = true;
	pthread_join(t, NULL);
	cr_assert_gt(w.written, 50);
	cr_assert_eq(store_open_file(path, STORE_WRITE, 0, &copy), ST_OK);
	cr_assert_eq(store_check(copy, &report), ST_OK, "%s", report.data);
	cr_assert_eq(store_article_count(copy, &n), ST_OK);
	cr_assert_geq(n, 50);
	store_close(copy);
	buf_release(&report);
}
