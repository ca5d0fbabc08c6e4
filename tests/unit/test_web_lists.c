/*
 * test_web_lists.c — the shared topic and publisher lists: the refresher
 * counts them on its own thread (after new content, and before they
 * expire) while pages keep the list they have, pages count themselves
 * only when counting is quick, and the search form's filters written
 * once per list read like the ones written per page.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <time.h>

#include "base/clock.h"
#include "base/config.h"
#include "store/store.h"
#include "web/ranking.h"
#include "unit/web_fixture.h"

static struct web_fixture fx;
static struct store *reader;

static void
setup(void)
{
	web_fixture_build(&fx);
	web_fixture_start(&fx);
	cr_assert_eq(store_open(fx.dir, STORE_READ, 0, &reader), ST_OK);
}

static void
teardown(void)
{
	web_ranking_set_inline_max_ms(-1);
	store_close(reader);
	reader = NULL;
	web_fixture_release(&fx);
	clock_set(0);
	config_free();
}

TestSuite(web_lists, .init = setup, .fini = teardown);

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* The article count of the publisher slug in the list a page gets. */
static int64_t
publisher_count(const char *slug)
{
	struct publisher_list l = {0};
	int64_t count = -1;

	cr_assert_eq(web_publishers(reader, &l), ST_OK);
	for (size_t i = 0; i < l.count; i++)
		if (!strcmp(l.items[i].slug, slug))
			count = l.items[i].article_count;
	publisher_list_release(&l);
	cr_assert_geq(count, 0, "no publisher %s", slug);
	return count;
}

Test(web_lists, new_content_is_counted_by_the_refresher_not_a_page)
{
	struct web_ranking_stats before, after;
	int64_t first, now;
	int waited;

	/* Every count "slow": pages must never count while a list exists. */
	web_ranking_set_inline_max_ms(0);
	web_ranking_stats_get(&before);
	cr_assert_geq(before.background_counts, 2,
		      "the server starts with both lists counted");
	first = publisher_count("civic-wire");
	web_fixture_add_article(&fx, "counted-elsewhere");
	/* The page right after the change gets a list at once. */
	now = publisher_count("civic-wire");
	cr_assert(now == first || now == first + 1);
	for (waited = 0; waited < 5000 && now != first + 1; waited += 20) {
		sleep_ms(20);
		now = publisher_count("civic-wire");
	}
	cr_assert_eq(now, first + 1, "the refresher never counted the article");
	web_ranking_stats_get(&after);
	cr_assert_eq(after.request_counts, before.request_counts,
		     "a page counted a list");
	cr_assert_gt(after.background_counts, before.background_counts);
}

Test(web_lists, lists_are_counted_before_they_expire)
{
	struct web_ranking_stats before, after;
	struct web_shared *first = NULL, *next = NULL, *later = NULL;
	int64_t t0 = time(NULL);
	int waited;

	clock_set(t0);
	web_ranking_set_inline_max_ms(0);
	cr_assert_eq(web_topics_shared(reader, &first), ST_OK);
	/* Counted at about t0 (the server's start) or later. */
	web_ranking_stats_get(&before);
	/* Five seconds before the list expires the refresher has a new one. */
	clock_set(t0 + 25);
	for (waited = 0; waited < 5000; waited += 20) {
		cr_assert_eq(web_topics_shared(reader, &next), ST_OK);
		if (next != first)
			break;
		web_shared_release(next);
		next = NULL;
		sleep_ms(20);
	}
	cr_assert_not_null(next, "the list was not counted again in time");
	cr_assert_eq(web_shared_topics(next)->count,
		     web_shared_topics(first)->count);
	/* Past the first list's expiry the page still gets the new one. */
	clock_set(t0 + 40);
	cr_assert_eq(web_topics_shared(reader, &later), ST_OK);
	cr_assert_eq(later, next);
	web_ranking_stats_get(&after);
	cr_assert_eq(after.request_counts, before.request_counts,
		     "a page counted a list");
	web_shared_release(first);
	web_shared_release(next);
	web_shared_release(later);
}

Test(web_lists, quick_counts_show_new_content_at_once)
{
	struct web_ranking_stats before, after;
	int64_t first;

	/* Counts under a second count as quick: pages count themselves. */
	web_ranking_set_inline_max_ms(1000);
	first = publisher_count("civic-wire");
	web_ranking_stats_get(&before);
	web_fixture_add_article(&fx, "seen-at-once");
	cr_assert_eq(publisher_count("civic-wire"), first + 1);
	web_ranking_stats_get(&after);
	cr_assert_geq(after.request_counts + after.background_counts,
		      before.request_counts + before.background_counts + 1);
}

static int renders;

static void
render_names(struct buf *b, const struct web_shared *sh)
{
	const struct publisher_list *l = web_shared_publishers(sh);

	renders++;
	for (size_t i = 0; i < l->count; i++)
		buf_addf(b, "%s;", l->items[i].name);
}

static void
render_other(struct buf *b, const struct web_shared *sh)
{
	(void)sh;
	buf_adds(b, "other");
}

Test(web_lists, memo_is_written_once_per_list)
{
	struct web_shared *sh = NULL;
	const char *a, *b;
	size_t alen = 0, blen = 0;

	cr_assert_eq(web_publishers_shared(reader, &sh), ST_OK);
	cr_assert_gt(web_shared_publishers(sh)->count, 1);
	renders = 0;
	a = web_shared_memo(sh, render_names, &alen);
	b = web_shared_memo(sh, render_names, &blen);
	cr_assert_not_null(a);
	cr_assert_eq(a, b);
	cr_assert_eq(alen, blen);
	cr_assert_eq(strlen(a), alen);
	cr_assert(strstr(a, ";") != NULL);
	cr_assert_eq(renders, 1);
	/* Another writer does not get the first one's text. */
	cr_assert_null(web_shared_memo(sh, render_other, &blen));
	web_shared_release(sh);
}

/* The filters of the search form, with and without a selection. */
Test(web_lists, search_form_filters)
{
	static const struct {
		const char *path;     /* the search */
		const char *want;     /* a part of the page */
		const char *not_want; /* not in it, or NULL */
	} cases[] = {
		{"/search?q=harbour", "<option value=\"civic-wire\">",
		 " selected"},
		{"/search?q=harbour&publisher=",
		 "<option value=\"civic-wire\">", " selected"},
		{"/search?q=harbour&publisher=civic-wire",
		 "<option value=\"civic-wire\" selected>", NULL},
		{"/search?q=harbour&topic=world",
		 "<option value=\"world\" selected>",
		 "value=\"civic-wire\" selected"},
		{"/search?q=harbour", "<option value=\"world\">", " selected"},
	};
	char *first_body = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct http_reply r;

		http_get(&fx, cases[i].path, NULL, false, &r);
		cr_assert_eq(r.status, 200, "%s", cases[i].path);
		cr_assert(strstr(r.body.data, cases[i].want) != NULL,
			  "%s: no %s", cases[i].path, cases[i].want);
		if (cases[i].not_want)
			cr_assert(strstr(r.body.data, cases[i].not_want) ==
					  NULL,
				  "%s: %s", cases[i].path, cases[i].not_want);
		if (!strcmp(cases[i].path, "/search?q=harbour")) {
			if (!first_body)
				first_body = xstrdup(r.body.data);
			else
				cr_assert_str_eq(r.body.data, first_body);
		}
		http_reply_release(&r);
	}
	free(first_body);
}
