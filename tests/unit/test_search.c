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
