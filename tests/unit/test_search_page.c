/*
 * test_search_page.c — the pieces a search result is written with: its
 * <time> element in one write, and its path straight into the page.
 */
#include "common.h"

#include <criterion/criterion.h>

#include "base/buf.h"
#include "base/clock.h"
#include "web/render.h"

/* render_time() writes what its three parts write, for every range. */
Test(search_page, time_element_as_its_parts)
{
	static const int64_t ago[] = {
		-5,	0,	59,	 60,	     3599,	 3600,
		7199,	7200,	86399,	 86400,	     172799,	 172800,
		604799, 604800, 9999999, 1795000000, 1795000001, -253402300799};
	const int64_t now = 1795000000;
	size_t i;

	clock_set(now);
	for (i = 0; i < ARRAY_SIZE(ago); i++) {
		int64_t t = now - ago[i];
		struct buf got = BUF_INIT, want = BUF_INIT;
		char iso[32];

		render_time(&got, t);
		render_rfc3339(iso, sizeof(iso), t);
		buf_adds(&want, "<time datetime=\"");
		buf_adds(&want, iso);
		buf_adds(&want, "\" title=\"");
		render_absolute_time(&want, t);
		buf_adds(&want, "\">");
		render_relative_time(&want, t, now);
		buf_adds(&want, "</time>");
		cr_assert_str_eq(got.data, want.data, "t = %" PRId64, t);
		buf_release(&got);
		buf_release(&want);
	}
	clock_set(0);
}

/* The path written into the page is the one the arena gets. */
Test(search_page, path_as_the_arena_gets_it)
{
	static const struct {
		int64_t id;
		const char *title;
		const char *want;
	} cases[] = {
		{42, "Harbour council: the vote",
		 "/a/42-harbour-council-the-vote"},
		{7, "", "/a/7-article"},
		{1234567890123, "It's Café time",
		 "/a/1234567890123-its-caf-time"},
		{-3, "x", "/a/-3-x"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct article a = {0};
		struct buf b = BUF_INIT;

		a.id = cases[i].id;
		a.title = (char *)cases[i].title;
		render_add_article_path(&b, &a);
		cr_assert_str_eq(b.data, cases[i].want);
		buf_release(&b);
	}
}
