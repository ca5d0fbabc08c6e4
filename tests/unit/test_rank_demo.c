/*
 * test_rank_demo.c — the demo catalogue's shared events (see
 * docs/internals/demo-events.md) each form one story with all their
 * publishers, and no other publisher's article joins them.
 *
 * Loads the catalogue with the real binary (`newsstand demo`, found through
 * NEWSSTAND_BIN as `make check` sets it); skipped when it is not there.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "rank/rank.h"
#include "store/store.h"

enum { MAX_PUBLISHERS = 4, MAX_KEYS = 4 };

/* clang-format off */
static const struct event {
	const char *id;
	int hours_ago;			      /* when it happened, before load */
	const char *keys[MAX_KEYS];	      /* any of them marks the event */
	const char *publishers[MAX_PUBLISHERS]; /* who covers it */
} events[] = {
	{"E1", 30, {"Eastmere", "Okafor"},
	 {"harbour-herald", "daily-ledger", "northwind-post", "meridian-times"}},
	{"E2", 20, {"geomagnetic", "Ferreira", "G4 storm", "solar storm"},
	 {"field-notes", "circuit-signal", "northwind-post", "planet-desk"}},
	{"E3", 44, {"Personal Data Charter", "Lucia Brandt", "Valdoria"},
	 {"civic-wire", "global-dispatch", "circuit-signal", "harbour-herald"}},
	{"E4", 8, {"Reinholt", "Bank of the Federated Provinces"},
	 {"daily-ledger", "northwind-post", "civic-wire"}},
	{"E5", 52, {"R-41", "Nwosu", "Kestrel Institute"},
	 {"wellspring-health", "field-notes", "global-dispatch"}},
	{"E6", 16, {"Lindqvist", "Ebbe", "Riverside Rovers"},
	 {"final-whistle", "harbour-herald", "valley-courier"}},
	{"E7", 12, {"Helga Marsh"},
	 {"valley-courier", "planet-desk", "meridian-times",
	  "global-dispatch"}},
	{"E8", 60, {"Aldwych", "Sanvora"},
	 {"gallery-row", "meridian-times", "harbour-herald"}},
	{"E9", 36, {"Aurelian", "Greyfield", "Whitlock"},
	 {"circuit-signal", "daily-ledger", "northwind-post"}},
	{"E10", 5, {"Marlow Observatory", "41.2", "Oskar Lund"},
	 {"planet-desk", "wellspring-health", "valley-courier"}},
	{"E11", 26, {"Adeyemi"}, {"civic-wire", "global-dispatch",
			      "meridian-times"}},
	{"E12", 40, {"Aoyama-Ruiz", "2:00:41"},
	 {"final-whistle", "northwind-post", "wellspring-health"}},
};
/* clang-format on */

/* Event articles appear within this many hours of the event's time. */
enum { EVENT_SPREAD_HOURS = 6 };

static bool
mentions(const struct article *a, const struct event *e)
{
	size_t k;

	for (k = 0; k < MAX_KEYS && e->keys[k]; k++)
		if ((a->title && strstr(a->title, e->keys[k])) ||
		    (a->body_text && strstr(a->body_text, e->keys[k])))
			return true;
	return false;
}

static bool
covers(const struct event *e, const char *slug)
{
	size_t p;

	for (p = 0; p < MAX_PUBLISHERS && e->publishers[p]; p++)
		if (!strcmp(e->publishers[p], slug))
			return true;
	return false;
}

/* Every article of the database, with bodies. */
static void
load_all(struct store *s, struct article_list *all)
{
	struct article_query q = {.limit = 200, .with_body = true};
	char *cursor = NULL;
	size_t alloc = 0;

	memset(all, 0, sizeof(*all));
	for (;;) {
		struct article_list page;
		size_t i;

		q.cursor = cursor;
		cr_assert_eq(store_article_list(s, &q, &page), ST_OK);
		for (i = 0; i < page.count; i++) {
			if (all->count == alloc) {
				alloc = alloc ? alloc * 2 : 64;
				all->items = xreallocarray(all->items, alloc,
							   sizeof(*all->items));
			}
			all->items[all->count++] = page.items[i];
		}
		free(cursor);
		cursor = page.next_cursor;
		free(page.items);
		if (!cursor)
			break;
	}
}

/*
 * The event's own articles: from a publisher that covers it, naming it,
 * published around its time (local papers name their towns every day).
 */
static bool
is_core(const struct article *a, const struct event *e, int64_t loaded_at)
{
	int64_t at = loaded_at - (int64_t)e->hours_ago * 3600;
	int64_t apart = a->published_at - at;

	return covers(e, a->publisher_slug) && mentions(a, e) &&
	       (apart < 0 ? -apart : apart) <= EVENT_SPREAD_HOURS * 3600;
}

static void
check_events(struct store *s, int64_t loaded_at, const char *when)
{
	struct article_list all;
	int64_t stories[ARRAY_SIZE(events)] = {0};
	size_t e, i, j;

	load_all(s, &all);
	cr_assert_gt(all.count, 0);
	for (e = 0; e < ARRAY_SIZE(events); e++) {
		const struct event *ev = &events[e];
		int64_t story = 0;
		size_t members = 0, publishers;
		struct story st;

		for (i = 0; i < all.count; i++) {
			const struct article *a = &all.items[i];

			if (!is_core(a, ev, loaded_at))
				continue;
			members++;
			if (!story)
				story = a->story_id;
			cr_expect_eq(a->story_id, story,
				     "%s %s: '%s' (%s) is not in the story",
				     when, ev->id, a->title, a->publisher_slug);
		}
		cr_assert_gt(members, 0, "%s: no article found", ev->id);
		stories[e] = story;
		cr_assert_eq(rank_story_get(s, story, &st), ST_OK);
		for (publishers = 0;
		     publishers < MAX_PUBLISHERS && ev->publishers[publishers];
		     publishers++)
			;
		cr_expect_eq(st.publisher_count, (int64_t)publishers,
			     "%s %s: %" PRId64 " publishers, want %zu", when,
			     ev->id, st.publisher_count, publishers);
		/* No other publisher joined it, and it did not swallow a
		 * publisher's whole week. */
		for (i = 0; i < st.articles.count; i++)
			cr_expect(
				covers(ev, st.articles.items[i].publisher_slug),
				"%s %s: '%s' (%s) joined it", when, ev->id,
				st.articles.items[i].title,
				st.articles.items[i].publisher_slug);
		cr_expect_leq(st.article_count, (int64_t)(2 * publishers),
			      "%s %s: %" PRId64 " articles", when, ev->id,
			      st.article_count);
		story_release(&st);
		for (j = 0; j < e; j++)
			cr_expect_neq(stories[j], story, "%s: %s and %s merged",
				      when, events[j].id, ev->id);
	}
	article_list_release(&all);
}

Test(rank_demo, events_form_stories, .timeout = 120)
{
	const char *bin = getenv("NEWSSTAND_BIN");
	const char *root = getenv("NEWSSTAND_SRC");
	char dir[] = "/tmp/newsstand-demo-XXXXXX", catalogue[512];
	struct buf cmd = BUF_INIT;
	struct store *s;
	int64_t loaded_at;
	int status;

	if (!bin || access(bin, X_OK))
		cr_skip_test("NEWSSTAND_BIN is not set: the demo loader "
			     "(newsstand demo) is needed for this test");
	snprintf(catalogue, sizeof(catalogue), "%s/data/demo",
		 root && *root ? root : ".");
	if (access(catalogue, R_OK))
		cr_skip_test("no demo catalogue at %s", catalogue);
	cr_assert_not_null(mkdtemp(dir));
	buf_addf(&cmd,
		 "'%s' demo --data-dir '%s' --catalogue '%s' "
		 ">/dev/null 2>&1",
		 bin, dir, catalogue);
	loaded_at = time(NULL);
	status = system(cmd.data);
	buf_release(&cmd);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status))
		cr_skip_test("'newsstand demo' failed (status %d): the demo "
			     "loader is not ready",
			     status);

	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &s), ST_OK);
	check_events(s, loaded_at, "ingested");
	cr_assert_eq(rank_recluster(s, 0), ST_OK);
	check_events(s, loaded_at, "reclustered");
	store_close(s);

	buf_addf(&cmd, "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd.data), 0);
	buf_release(&cmd);
}
