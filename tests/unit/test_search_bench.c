/*
 * test_search_bench.c — what a search costs on a generated corpus.
 *
 * With NEWSSTAND_BENCH_DATA naming a data directory made by
 * `newsstand bench gen N`, runs each query of the table (the first page
 * of 20, as the reading app asks for it) NEWSSTAND_BENCH_REPEAT times
 * (default 50) on a read-only connection and prints the thread's CPU time
 * per query, the first run apart (a cold page cache), then with the brief
 * cards of the search page, then the page at offset 400.
 * NEWSSTAND_BENCH_QUERIES replaces the table with queries separated by commas
 * (for a profile of one query).
 */
#include "common.h"

#include <criterion/criterion.h>
#include <time.h>

#include "base/buf.h"
#include "store/stories.h"
#include "store/store.h"
#include "support/testutil.h"

static double
thread_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *const queries[] = {
	"harbour council", "council", "harbour", "the", "harb",
};

static void
bench_search(const char *dir)
{
	const char *repeat_env = getenv("NEWSSTAND_BENCH_REPEAT");
	int repeat = repeat_env ? atoi(repeat_env) : 50;
	const char *list = getenv("NEWSSTAND_BENCH_QUERIES");
	const char *own[16];
	const char *const *table = queries;
	size_t count = ARRAY_SIZE(queries), i;
	struct store *s = NULL;
	char *copy = NULL, *save = NULL, *word;

	if (list && *list) {
		copy = xstrdup(list);
		count = 0;
		for (word = strtok_r(copy, ",", &save);
		     word && count < ARRAY_SIZE(own);
		     word = strtok_r(NULL, ",", &save))
			own[count++] = word;
		table = own;
	}
	cr_assert_eq(store_open(dir, STORE_READ, 0, &s), ST_OK);
	for (i = 0; i < count; i++) {
		struct search_query q = {.text = table[i], .limit = 20};
		struct search_result r;
		double t0, first, rest, brief, deep;
		int k;
		size_t hits;

		t0 = thread_ms();
		cr_assert_eq(store_search(s, &q, &r), ST_OK);
		first = thread_ms() - t0;
		hits = r.count;
		search_result_release(&r);
		t0 = thread_ms();
		for (k = 0; k < repeat; k++) {
			cr_assert_eq(store_search(s, &q, &r), ST_OK);
			search_result_release(&r);
		}
		rest = (thread_ms() - t0) / repeat;
		q.brief = true;
		t0 = thread_ms();
		for (k = 0; k < repeat; k++) {
			cr_assert_eq(store_search(s, &q, &r), ST_OK);
			search_result_release(&r);
		}
		brief = (thread_ms() - t0) / repeat;
		q.brief = false;
		q.offset = 400;
		t0 = thread_ms();
		cr_assert_eq(store_search(s, &q, &r), ST_OK);
		deep = thread_ms() - t0;
		search_result_release(&r);
		printf("search %-18s %2zu hits: first %.3f ms, then %.3f ms"
		       " CPU per query (brief cards %.3f ms); offset 400:"
		       " %.3f ms\n",
		       table[i], hits, first, rest, brief, deep);
	}
	store_close(s);
	free(copy);
}

/*
 * store_article_put() of 2 KB articles (350 words of a 2,000-word
 * vocabulary) inside transactions of 500, each linked to a story as ingest
 * does: the thread's CPU time per article for each part (commits write the
 * search index's pending terms). Runs when NEWSSTAND_BENCH is
 * set; NEWSSTAND_BENCH_ARTICLES changes the count (default 5,000).
 */
static void
bench_article_put(void)
{
	const char *count_env = getenv("NEWSSTAND_BENCH_ARTICLES");
	size_t count = count_env ? (size_t)atol(count_env) : 5000, i, w;
	struct publisher p = {.slug = (char *)"p", .name = (char *)"P"};
	struct buf text = BUF_INIT;
	struct store *s = NULL;
	uint64_t rng = 88172645463325252ULL;
	char *d;
	double t0, put = 0, link = 0, commit = 0;

	d = test_tmpdir();
	cr_assert_eq(store_open(d, STORE_WRITE, 0, &s), ST_OK);
	cr_assert_eq(store_publisher_put(s, &p), ST_OK);
	for (i = 0; i < count; i++) {
		struct article a = {.publisher_id = p.id};
		char url[64];
		int64_t story;

		if (i % 500 == 0)
			cr_assert_eq(store_begin(s), ST_OK);
		buf_reset(&text);
		for (w = 0; w < 350; w++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			buf_addf(&text, "w%u ", (unsigned)(rng % 2000));
		}
		snprintf(url, sizeof(url), "https://b.example/%zu", i);
		a.url = url;
		a.guid = url;
		a.title = (char *)"A title of seven words for it";
		a.body_text = text.data;
		a.body_html = text.data;
		a.teaser_text = (char *)"teaser";
		a.word_count = 350;
		t0 = thread_ms();
		cr_assert_eq(store_article_put(s, &a, NULL), ST_OK);
		put += thread_ms() - t0;
		t0 = thread_ms();
		cr_assert_eq(store_story_create(s, &a, 1, 1.0, &story), ST_OK);
		link += thread_ms() - t0;
		t0 = thread_ms();
		if (i % 500 == 499 || i + 1 == count)
			cr_assert_eq(store_commit(s), ST_OK);
		commit += thread_ms() - t0;
	}
	printf("article_put: %.3f ms CPU per 2 KB article, story link %.3f "
	       "ms, commits %.3f ms (%zu articles)\n",
	       put / (double)count, link / (double)count,
	       commit / (double)count, count);
	buf_release(&text);
	store_close(s);
	test_rmdir(d);
	free(d);
}

/* One test, so that the runner skips one test when neither is asked for. */
Test(search_bench, cpu, .timeout = 1200)
{
	const char *dir = getenv("NEWSSTAND_BENCH_DATA");

	if ((!dir || !*dir) && !getenv("NEWSSTAND_BENCH"))
		cr_skip_test("NEWSSTAND_BENCH_DATA (a `bench gen` data "
			     "directory) or NEWSSTAND_BENCH not set");
	if (dir && *dir)
		bench_search(dir);
	if (getenv("NEWSSTAND_BENCH"))
		bench_article_put();
}
