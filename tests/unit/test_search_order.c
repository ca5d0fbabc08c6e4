/*
 * test_search_order.c — store_search()'s order against a reference: the
 * blocks of newest matches ranked by one SQL statement (a window over the
 * candidates, the score computed in SQL, news_rank() without the cache of
 * common words), page by page, with and without filters.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>

#include "base/clock.h"
#include "store/internal.h"
#include "store/store.h"
#include "support/testutil.h"

enum { BLOCK = 50, ARTICLES = 260 };

static char *dir;
static struct store *db;
static int64_t publishers[3], topic_id, now;

/* The ordering of docs/internals/ranking.md (Search), in one statement. */
static const char reference_sql[] =
	"WITH c AS MATERIALIZED ("
	"  SELECT -f.rowid AS id, news_rank(articles_fts) AS b,"
	"   a.published_at AS t"
	"  FROM articles_fts f JOIN articles a ON a.id = -f.rowid"
	"  WHERE articles_fts MATCH ?1"
	"  AND (?2 = 0 OR a.publisher_id = ?2)"
	"  AND (?3 = 0 OR EXISTS (SELECT 1 FROM article_topics x"
	"   WHERE x.article_id = a.id AND x.topic_id = ?3))"
	"  AND a.published_at >= ?4 AND a.published_at < ?5"
	"  ORDER BY f.rowid LIMIT ?9 OFFSET ?10),"
	" r AS ("
	"  SELECT id, (row_number() OVER (ORDER BY id DESC) - 1) / ?11"
	"   AS blk, b * (1.0 + 0.5 / (1.0 + max(0, ?7 - t) / 86400.0))"
	"   AS score FROM c"
	"  ORDER BY blk, score, id DESC LIMIT ?6 OFFSET ?8)"
	" SELECT id, score FROM r ORDER BY blk, score, id DESC";

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
setup(void)
{
	static const char *const titles[] = {
		"Council meets", "Harbour works",   "Harbour council row",
		"Budget",	 "Council council", "Ferry",
	};
	static const char *const texts[] = {
		"the council met on the harbour front",
		"council budget council vote",
		"a quiet day at the council",
		"harbour dredging starts, the council says",
		"council",
		"the ferry council and the harbour council and the port",
	};
	struct topic t = {.slug = (char *)"local", .name = (char *)"Local"};
	size_t i;

	dir = test_tmpdir();
	cr_assert_not_null(dir);
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &db), ST_OK);
	now = 1790000000;
	clock_set(now);
	for (i = 0; i < ARRAY_SIZE(publishers); i++) {
		char slug[8];
		struct publisher p = {.slug = slug, .name = slug};

		snprintf(slug, sizeof(slug), "p%zu", i);
		cr_assert_eq(store_publisher_put(db, &p), ST_OK);
		publishers[i] = p.id;
	}
	cr_assert_eq(store_topic_put(db, &t), ST_OK);
	topic_id = t.id;
	cr_assert_eq(store_begin(db), ST_OK);
	for (i = 0; i < ARTICLES; i++) {
		char url[64];
		uint64_t r = next_random();
		struct article a = {
			.publisher_id = publishers[r % 3],
			.title = (char *)titles[(r >> 8) % ARRAY_SIZE(titles)],
			.body_text =
				(char *)texts[(r >> 16) % ARRAY_SIZE(texts)],
			.teaser_text = (char *)"teaser",
			/* Ages from minutes to ten days, not in id order:
			 * the recency boost reorders within blocks. */
			.published_at = now - (int64_t)((r >> 24) % 864000),
			.topics = (r >> 40) % 3 ? NULL : (char *)"local",
		};

		a.body_html = a.body_text;
		snprintf(url, sizeof(url), "https://o.example/%zu", i);
		a.url = url;
		cr_assert_eq(store_article_put(db, &a, NULL), ST_OK);
	}
	cr_assert_eq(store_commit(db), ST_OK);
}

static void
teardown(void)
{
	clock_set(0);
	store_close(db);
	test_rmdir(dir);
	free(dir);
}

TestSuite(search_order, .init = setup, .fini = teardown);

/* The reference's page: ids and scores (limit + 1 rows at most). */
static size_t
reference(const char *match, const struct search_query *q, size_t limit,
	  int64_t *ids, double *scores)
{
	size_t first = q->offset / BLOCK, last = (q->offset + limit) / BLOCK;
	sqlite3_stmt *st;
	size_t n = 0;

	cr_assert_eq(sqlite3_prepare_v2(db->db, reference_sql, -1, &st, NULL),
		     SQLITE_OK, "%s", sqlite3_errmsg(db->db));
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, q->publisher_id);
	sqlite3_bind_int64(st, 3, q->topic_id);
	sqlite3_bind_int64(st, 4, q->since);
	sqlite3_bind_int64(st, 5, q->until ? q->until : INT64_MAX);
	sqlite3_bind_int64(st, 6, (int64_t)limit + 1);
	sqlite3_bind_int64(st, 7, now);
	sqlite3_bind_int64(st, 8, (int64_t)(q->offset - first * BLOCK));
	sqlite3_bind_int64(st, 9, (int64_t)((last - first + 1) * BLOCK));
	sqlite3_bind_int64(st, 10, (int64_t)(first * BLOCK));
	sqlite3_bind_int64(st, 11, BLOCK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids[n] = sqlite3_column_int64(st, 0);
		scores[n] = sqlite3_column_double(st, 1);
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

static void
check_pages(const char *words, const char *match, struct search_query q)
{
	static const size_t pages[][2] = {
		{0, 20},  {20, 20}, {40, 20}, {45, 10},	 {49, 2},
		{0, 100}, {50, 50}, {99, 3},  {100, 30}, {230, 50},
	};
	size_t i, k;

	q.text = words;
	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		int64_t ids[128];
		double scores[128];
		struct search_result r;
		size_t n;

		q.offset = pages[i][0];
		q.limit = pages[i][1];
		n = reference(match, &q, q.limit, ids, scores);
		cr_assert_eq(store_search(db, &q, &r), ST_OK);
		cr_assert_eq(r.count, MIN(n, q.limit),
			     "%s at %zu: %zu hits, reference %zu", words,
			     q.offset, r.count, n);
		cr_assert_eq(r.more, n > q.limit, "%s at %zu: more", words,
			     q.offset);
		for (k = 0; k < r.count; k++) {
			cr_assert_eq(r.items[k].article.id, ids[k],
				     "%s at %zu, hit %zu: id %lld, reference "
				     "%lld",
				     words, q.offset, k,
				     (long long)r.items[k].article.id,
				     (long long)ids[k]);
			cr_assert(fabs(r.items[k].score - scores[k]) <=
					  1e-12 * fabs(scores[k]),
				  "%s at %zu, hit %zu: score %.17g, "
				  "reference %.17g",
				  words, q.offset, k, r.items[k].score,
				  scores[k]);
		}
		search_result_release(&r);
	}
}

Test(search_order, pages_match_the_reference)
{
	struct search_query q = {0};

	/* Twice: the second time the common words' counts come from the
	 * connection's cache, the reference's never do. */
	check_pages("council", "\"council\"", q);
	check_pages("council", "\"council\"", q);
	check_pages("harbour council", "\"harbour\" \"council\"", q);
	check_pages("Harbour, council!", "\"Harbour\" \"council\"", q);
	check_pages("ferry", "\"ferry\"", q);
	check_pages("council harbour ferry",
		    "\"council\" \"harbour\" \"ferry\"", q);
}

Test(search_order, filtered_pages_match_the_reference)
{
	struct search_query q = {.publisher_id = publishers[1]};

	check_pages("council", "\"council\"", q);
	check_pages("harbour council", "\"harbour\" \"council\"", q);
	q.publisher_id = 0;
	q.topic_id = topic_id;
	check_pages("council", "\"council\"", q);
	q.topic_id = 0;
	q.since = now - 5 * 86400;
	q.until = now - 86400;
	check_pages("council", "\"council\"", q);
	q.publisher_id = publishers[2];
	q.topic_id = topic_id;
	check_pages("harbour", "\"harbour\"", q);
}

/* Brief cards: the same hits, with what a list of results shows. */
Test(search_order, brief_cards_hold_the_list_columns)
{
	struct search_query q = {.text = "harbour council", .limit = 30};
	struct search_result full, brief;
	size_t i;

	cr_assert_eq(store_search(db, &q, &full), ST_OK);
	q.brief = true;
	cr_assert_eq(store_search(db, &q, &brief), ST_OK);
	cr_assert_gt(full.count, 0);
	cr_assert_eq(brief.count, full.count);
	cr_assert_eq(brief.more, full.more);
	for (i = 0; i < full.count; i++) {
		const struct article *a = &full.items[i].article,
				     *b = &brief.items[i].article;

		cr_assert_eq(b->id, a->id);
		cr_assert_eq(brief.items[i].score, full.items[i].score);
		cr_assert_eq(b->publisher_id, a->publisher_id);
		cr_assert_str_eq(b->title, a->title);
		cr_assert_str_eq(b->teaser_text, a->teaser_text);
		cr_assert_eq(b->published_at, a->published_at);
		cr_assert_str_eq(b->publisher_slug, a->publisher_slug);
		cr_assert_str_eq(b->publisher_name, a->publisher_name);
		cr_assert_null(b->url, "brief cards skip the rest");
		cr_assert_null(b->topics);
		cr_assert_null(a->body_text);
	}
	search_result_release(&full);
	search_result_release(&brief);
}
