/*
 * test_search.c — store_search(): the rank, the blocks of newest matches,
 * filters, pages, the prefix fallback; the bulk load.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <sqlite3.h>

#include "base/clock.h"
#include "store/store.h"
#include "support/testutil.h"

/* Matches of a common word span several blocks of the search (200). */
#define BLOCK 200

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
