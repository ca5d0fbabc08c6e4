/*
 * test_ingest_batch.c — ingest_fetch() over many feeds at once: the worker
 * threads, several feeds per transaction, broken feeds among good ones, and
 * stopping a run.
 */
#include "common.h"

#include <criterion/criterion.h>

#include "base/buf.h"
#include "base/config.h"
#include "fetch/fetch.h"
#include "ingest/ingest.h"
#include "store/internal.h" /* store_query_int */
#include "support/testutil.h"

enum {
	GOOD_FEEDS = 40,
	ITEMS = 5,
};

static char *dir;
static struct store *db;
static int64_t publisher_id;

static void
setup(void)
{
	struct publisher p = {.slug = (char *)"pub", .name = (char *)"Pub"};

	config_defaults();
	cr_assert_eq(config_set("log_level", "error", "test"), ST_OK);
	cr_assert_eq(fetch_global_init(), ST_OK);
	dir = test_tmpdir();
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &db), ST_OK);
	cr_assert_eq(store_publisher_put(db, &p), ST_OK);
	publisher_id = p.id;
}

static void
teardown(void)
{
	store_close(db);
	fetch_global_cleanup();
	test_rmdir(dir);
	free(dir);
	config_free();
}

TestSuite(ingest_batch, .init = setup, .fini = teardown);

/* Writes feed number n (items items, each with a word of its own): full
 * text, so that no page is fetched for it (the links lead nowhere). */
static char *
write_feed_of(int n, int items)
{
	struct buf b = BUF_INIT, path = BUF_INIT;
	int i;

	buf_addf(&b,
		 "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:content="
		 "\"http://purl.org/rss/1.0/modules/content/\"><channel>"
		 "<title>Feed %d</title><link>https://f%d.example/</link>",
		 n, n);
	for (i = 0; i < items; i++)
		buf_addf(&b,
			 "<item><title>Story %d of feed %d</title>"
			 "<link>https://f%d.example/a/%d</link>"
			 "<guid>f%d-%d</guid><content:encoded>&lt;p&gt;"
			 "Council budget news with marker word zq%dx%d in "
			 "the body text of this story.&lt;/p&gt;"
			 "</content:encoded></item>",
			 i, n, n, i, n, i, n, i);
	buf_adds(&b, "</channel></rss>");
	buf_addf(&path, "%s/feed%d.xml", dir, n);
	cr_assert(test_write_file(path.data, b.data, b.len));
	buf_release(&b);
	return buf_detach(&path, NULL);
}

static char *
write_feed(int n)
{
	return write_feed_of(n, ITEMS);
}

static int64_t
add_feed(const char *path)
{
	struct buf url = BUF_INIT;
	struct store_feed f = {.publisher_id = publisher_id,
			       .enabled = true,
			       .allow_file = true};

	buf_addf(&url, "file://%s", path);
	f.url = url.data;
	cr_assert_eq(store_feed_add(db, &f), ST_OK);
	buf_release(&url);
	return f.id;
}

static void
count_commit(void *ctx)
{
	(*(int *)ctx)++;
}

static bool
stop_now(void *ctx)
{
	(void)ctx;
	return true;
}

/* Adds GOOD_FEEDS good feeds, a document that is no feed and a missing
 * file; returns the ids of the two broken ones. */
static void
add_feeds(int64_t *not_a_feed, int64_t *missing)
{
	struct buf path = BUF_INIT;
	int n;

	for (n = 0; n < GOOD_FEEDS; n++) {
		char *p = write_feed(n);

		add_feed(p);
		free(p);
	}
	buf_addf(&path, "%s/junk.xml", dir);
	cr_assert(test_write_file(path.data, "{\"no\": 1}", 9));
	*not_a_feed = add_feed(path.data);
	buf_reset(&path);
	buf_addf(&path, "%s/missing.xml", dir);
	*missing = add_feed(path.data);
	buf_release(&path);
}

Test(ingest_batch, many_feeds_with_broken_ones)
{
	int commits = 0;
	struct ingest_options opt = {.all = true,
				     .quiet = true,
				     .on_commit = count_commit,
				     .on_commit_ctx = &commits};
	struct ingest_stats stats = {0};
	struct search_query sq = {.text = "zq17x3"};
	struct search_result sr;
	struct store_feed_list feeds;
	int64_t not_a_feed, missing, n;
	size_t i;

	add_feeds(&not_a_feed, &missing);
	cr_assert_eq(ingest_fetch(db, &opt, &stats), ST_OK);
	cr_assert_eq(stats.feeds, GOOD_FEEDS + 2);
	cr_assert_eq(stats.failed, 2);
	cr_assert_eq(stats.created, GOOD_FEEDS * ITEMS);
	cr_assert_eq(stats.items, GOOD_FEEDS * ITEMS);
	cr_assert_geq(commits, 1);
	cr_assert_leq(commits, GOOD_FEEDS + 2);
	cr_assert_eq(store_article_count(db, &n), ST_OK);
	cr_assert_eq(n, GOOD_FEEDS * ITEMS);

	/* Every feed's state was saved with its articles. */
	cr_assert_eq(store_feed_list(db, 0, &feeds), ST_OK);
	for (i = 0; i < feeds.count; i++) {
		const struct store_feed *f = &feeds.items[i];

		cr_assert_gt(f->last_fetch_at, 0);
		if (f->id == not_a_feed || f->id == missing) {
			cr_assert_not_null(f->last_error);
			cr_assert_eq(f->error_count, 1);
			continue;
		}
		cr_assert_null(f->last_error, "%s", f->last_error);
		cr_assert_eq(f->item_count, ITEMS);
		cr_assert_not_null(f->title);
	}
	store_feed_list_release(&feeds);

	/* The round ended with the planner's statistics refreshed (and the
	 * index merged), not left to the close. */
	cr_assert_eq(store_query_int(db,
				     "SELECT count(*) FROM sqlite_stat1"
				     " WHERE tbl = 'articles'",
				     "statistics", &n),
		     ST_OK);
	cr_assert_gt(n, 0, "no statistics for the articles");

	/* The search index took every article, one by one findable. */
	cr_assert_eq(store_search(db, &sq, &sr), ST_OK);
	cr_assert_eq(sr.count, 1);
	cr_assert_str_eq(sr.items[0].article.title, "Story 3 of feed 17");
	search_result_release(&sr);

	/* Again: nothing new, nothing lost (the same documents are not
	 * parsed again; the broken ones fail again). */
	memset(&stats, 0, sizeof(stats));
	cr_assert_eq(ingest_fetch(db, &opt, &stats), ST_OK);
	cr_assert_eq(stats.created, 0);
	cr_assert_eq(stats.not_modified, GOOD_FEEDS);
	cr_assert_eq(stats.failed, 2);
	cr_assert_eq(store_article_count(db, &n), ST_OK);
	cr_assert_eq(n, GOOD_FEEDS * ITEMS);
}

Test(ingest_batch, one_worker_and_small_batches_give_the_same)
{
	struct ingest_options opt = {.all = true, .quiet = true};
	struct ingest_stats stats = {0};
	int64_t not_a_feed, missing, n;

	/* One transfer at a time: results trickle in one by one. */
	cr_assert_eq(config_set("fetch_concurrency", "1", "test"), ST_OK);
	add_feeds(&not_a_feed, &missing);
	cr_assert_eq(ingest_fetch(db, &opt, &stats), ST_OK);
	cr_assert_eq(stats.feeds, GOOD_FEEDS + 2);
	cr_assert_eq(stats.created, GOOD_FEEDS * ITEMS);
	cr_assert_eq(store_article_count(db, &n), ST_OK);
	cr_assert_eq(n, GOOD_FEEDS * ITEMS);
}

Test(ingest_batch, a_stopped_run_leaves_feeds_due)
{
	struct ingest_options opt = {
		.all = true, .quiet = true, .should_stop = stop_now};
	struct ingest_stats stats = {0};
	struct store_feed_list feeds;
	int64_t not_a_feed, missing, n;
	size_t i;

	add_feeds(&not_a_feed, &missing);
	cr_assert_eq(ingest_fetch(db, &opt, &stats), ST_OK);
	cr_assert_eq(stats.feeds, 0);
	cr_assert_eq(store_article_count(db, &n), ST_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(store_feed_list(db, 0, &feeds), ST_OK);
	for (i = 0; i < feeds.count; i++)
		cr_assert_eq(feeds.items[i].last_fetch_at, 0);
	store_feed_list_release(&feeds);

	/* The next run takes them all. */
	opt.should_stop = NULL;
	cr_assert_eq(ingest_fetch(db, &opt, &stats), ST_OK);
	cr_assert_eq(stats.created, GOOD_FEEDS * ITEMS);
}

/* More items than the workers may hold ready for the writer (one batch):
 * the workers wait for the writer, and everything is stored. */
Test(ingest_batch, more_items_than_the_writer_takes_at_once, .timeout = 240)
{
	struct ingest_options opt = {.all = true, .quiet = true};
	struct ingest_stats stats = {0};
	struct search_query sq = {.text = "zq2x1999"};
	struct search_result sr;
	int64_t n;
	int f;

	for (f = 0; f < 3; f++) {
		char *p = write_feed_of(f, 2000);

		add_feed(p);
		free(p);
	}
	cr_assert_eq(ingest_fetch(db, &opt, &stats), ST_OK);
	cr_assert_eq(stats.created, 6000);
	cr_assert_eq(stats.failed, 0);
	cr_assert_eq(store_article_count(db, &n), ST_OK);
	cr_assert_eq(n, 6000);
	cr_assert_eq(store_search(db, &sq, &sr), ST_OK);
	cr_assert_eq(sr.count, 1);
	cr_assert_str_eq(sr.items[0].article.title, "Story 1999 of feed 2");
	search_result_release(&sr);
}
