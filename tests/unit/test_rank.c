/*
 * test_rank.c — stories, top stories, related articles and reclustering on
 * a temporary database filled from tests/data/rank/articles.txt.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "rank/rank.h"
#include "store/reading.h"
#include "store/store.h"

#define NOW  ((int64_t)1800000000)
#define HOUR ((int64_t)3600)

struct fixture {
	char event[32];	    /* "-" for an article of its own */
	char publisher[32]; /* publisher slug */
	int hours_ago;	    /* publication time before NOW */
	char *title;
	char *body;
	int64_t id; /* article id once stored */
};

struct db {
	char dir[64];
	char path[96];
	struct store *s;
	struct fixture *items;
	size_t count;
};

static const char *
src_root(void)
{
	const char *root = getenv("NEWSSTAND_SRC");

	return root && *root ? root : ".";
}

static void
load_fixtures(struct db *d)
{
	char path[512], line[4096];
	FILE *f;
	struct fixture *cur = NULL;
	struct buf body = BUF_INIT;
	size_t alloc = 0;

	snprintf(path, sizeof(path), "%s/tests/data/rank/articles.txt",
		 src_root());
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#')
			continue;
		if (!strncmp(line, "=== ", 4)) {
			if (cur)
				cur->body = buf_detach(&body, NULL);
			if (d->count == alloc) {
				alloc = alloc ? alloc * 2 : 16;
				d->items = xreallocarray(d->items, alloc,
							 sizeof(*d->items));
			}
			cur = &d->items[d->count++];
			memset(cur, 0, sizeof(*cur));
			cr_assert_eq(sscanf(line + 4, "%31s %31s %d",
					    cur->event, cur->publisher,
					    &cur->hours_ago),
				     3, "bad line '%s'", line);
			continue;
		}
		if (!cur || (!line[0] && !cur->title))
			continue;
		if (!cur->title) {
			cur->title = xstrdup(line);
			continue;
		}
		if (line[0]) {
			if (body.len)
				buf_addc(&body, '\n');
			buf_adds(&body, line);
		}
	}
	if (cur)
		cur->body = buf_detach(&body, NULL);
	fclose(f);
	cr_assert_gt(d->count, 10);
}

static void
db_open(struct db *d)
{
	memset(d, 0, sizeof(*d));
	/* NEWSSTAND_TEST_DEBUG=1 shows every similarity computed. */
	if (getenv("NEWSSTAND_TEST_DEBUG"))
		log_set_level(LOG_DEBUG);
	snprintf(d->dir, sizeof(d->dir), "/tmp/newsstand-rank-XXXXXX");
	cr_assert_not_null(mkdtemp(d->dir));
	snprintf(d->path, sizeof(d->path), "%s/test.db", d->dir);
	cr_assert_eq(store_open_file(d->path, STORE_WRITE, 0, &d->s), ST_OK);
	load_fixtures(d);
}

static void
db_close(struct db *d)
{
	char p[128];
	size_t i;

	store_close(d->s);
	for (i = 0; i < d->count; i++) {
		free(d->items[i].title);
		free(d->items[i].body);
	}
	free(d->items);
	unlink(d->path);
	snprintf(p, sizeof(p), "%s-wal", d->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", d->path);
	unlink(p);
	rmdir(d->dir);
}

static int64_t
publisher_id(struct store *s, const char *slug)
{
	struct publisher p = {0};
	int64_t id;

	if (store_publisher_by_slug(s, slug, &p) == ST_OK) {
		id = p.id;
		publisher_release(&p);
		return id;
	}
	p.slug = (char *)slug;
	p.name = (char *)slug;
	p.created_at = NOW - 100 * HOUR;
	cr_assert_eq(store_publisher_put(s, &p), ST_OK);
	return p.id;
}

static int64_t
word_count(const char *s)
{
	int64_t n = 0;
	bool in = false;

	for (; *s; s++) {
		bool space = *s == ' ' || *s == '\n';

		if (!space && !in)
			n++;
		in = !space;
	}
	return n;
}

/* Stores fixture i published hours_ago before NOW and assigns its story. */
static void
add(struct db *d, size_t i, int hours_ago)
{
	struct fixture *fx = &d->items[i];
	struct article a = {0};
	enum article_put_result res;
	char url[128];

	snprintf(url, sizeof(url), "https://%s.example/a/%zu", fx->publisher,
		 i);
	a.publisher_id = publisher_id(d->s, fx->publisher);
	a.url = url;
	a.title = fx->title;
	a.body_text = fx->body;
	a.summary = NULL;
	a.word_count = word_count(fx->body);
	a.published_at = NOW - hours_ago * HOUR;
	a.fetched_at = a.updated_at = a.published_at;
	cr_assert_eq(store_article_put(d->s, &a, &res), ST_OK);
	cr_assert_eq(res, ARTICLE_CREATED);
	cr_assert_eq(rank_assign_story(d->s, &a), ST_OK);
	cr_assert_neq(a.story_id, 0);
	cr_assert_neq(a.fingerprint, 0);
	fx->id = a.id;
}

/* Adds every fixture, oldest first (or newest first when reverse). */
static void
add_all(struct db *d, bool reverse)
{
	size_t *order = xmallocarray(d->count, sizeof(*order)), i, j;

	for (i = 0; i < d->count; i++)
		order[i] = i;
	/* Insertion sort by age: older (more hours ago) first. */
	for (i = 1; i < d->count; i++) {
		size_t k = order[i];

		for (j = i; j > 0; j--) {
			int a = d->items[order[j - 1]].hours_ago;
			int b = d->items[k].hours_ago;

			if (reverse ? a <= b : a >= b)
				break;
			order[j] = order[j - 1];
		}
		order[j] = k;
	}
	cr_assert_eq(store_begin(d->s), ST_OK);
	for (i = 0; i < d->count; i++)
		add(d, order[i], d->items[order[i]].hours_ago);
	cr_assert_eq(store_commit(d->s), ST_OK);
	free(order);
}

static int64_t
story_of(struct db *d, size_t i)
{
	struct article a;
	int64_t id;

	cr_assert_eq(store_article_get(d->s, d->items[i].id, &a), ST_OK);
	id = a.story_id;
	article_release(&a);
	return id;
}

static size_t
find(struct db *d, const char *event, const char *publisher)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		if (!strcmp(d->items[i].event, event) &&
		    !strcmp(d->items[i].publisher, publisher))
			return i;
	cr_assert_fail("no fixture %s/%s", event, publisher);
	return 0;
}

/* Every event is one story; different events and loners never share. */
static void
check_partition(struct db *d)
{
	size_t i, j;

	for (i = 0; i < d->count; i++) {
		for (j = i + 1; j < d->count; j++) {
			bool same_event =
				strcmp(d->items[i].event, "-") &&
				!strcmp(d->items[i].event, d->items[j].event);
			int64_t si = story_of(d, i), sj = story_of(d, j);

			if (same_event)
				cr_expect_eq(si, sj,
					     "same event, split: '%s' / '%s'",
					     d->items[i].title,
					     d->items[j].title);
			else
				cr_expect_neq(si, sj, "merged: '%s' / '%s'",
					      d->items[i].title,
					      d->items[j].title);
		}
	}
}

Test(rank, clusters_in_time_order)
{
	struct db d;

	db_open(&d);
	add_all(&d, false);
	check_partition(&d);
	db_close(&d);
}

Test(rank, clusters_in_reverse_order)
{
	struct db d;

	db_open(&d);
	add_all(&d, true);
	check_partition(&d);
	db_close(&d);
}

Test(rank, story_counters_and_page)
{
	struct db d;
	struct story st;
	size_t lead = 0, i;
	int64_t story;

	db_open(&d);
	add_all(&d, false);
	lead = find(&d, "strike", "harbour-herald");
	story = story_of(&d, lead);
	cr_assert_eq(rank_story_get(d.s, story, &st), ST_OK);
	cr_expect_eq(st.article_count, 6);
	cr_expect_eq(st.publisher_count, 5);
	cr_expect_eq(st.first_seen_at, NOW - 30 * HOUR);
	cr_expect_eq(st.last_seen_at, NOW - 20 * HOUR);
	/* No article has 150 words: the earliest leads. */
	cr_expect_eq(st.lead.id, d.items[lead].id);
	cr_expect_str_eq(st.title, d.items[lead].title);
	cr_expect_null(st.lead.body_text);
	cr_expect_str_eq(st.lead.publisher_slug, "harbour-herald");
	/* Grouped: the lead's publisher first, oldest first, then others
	 * in the order they first covered it. */
	cr_assert_eq(st.articles.count, 6);
	cr_expect_str_eq(st.articles.items[0].publisher_slug, "harbour-herald");
	cr_expect_str_eq(st.articles.items[1].publisher_slug, "harbour-herald");
	cr_expect_lt(st.articles.items[0].published_at,
		     st.articles.items[1].published_at);
	cr_expect_str_eq(st.articles.items[2].publisher_slug, "daily-ledger");
	for (i = 0; i < st.articles.count; i++)
		cr_expect_null(st.articles.items[i].body_text);
	story_release(&st);

	cr_expect_eq(rank_story_get(d.s, 987654, &st), ST_NOTFOUND);
	db_close(&d);
}

/* Position of a story in a top list, or SIZE_MAX. */
static size_t
top_position(const struct story_list *l, int64_t story)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (l->items[i].id == story)
			return i;
	return SIZE_MAX;
}

Test(rank, top_prefers_coverage_at_equal_age)
{
	struct db d;
	struct story_list top;
	static const char *const pubs[] = {"harbour-herald", "daily-ledger",
					   "northwind-post", "meridian-times"};
	size_t i, rail;

	db_open(&d);
	cr_assert_eq(store_begin(d.s), ST_OK);
	for (i = 0; i < ARRAY_SIZE(pubs); i++)
		add(&d, find(&d, "strike", pubs[i]), 10);
	rail = find(&d, "-", "civic-wire");
	add(&d, rail, 10);
	cr_assert_eq(store_commit(d.s), ST_OK);

	cr_assert_eq(rank_top_stories(d.s, NOW, 10, &top), ST_OK);
	cr_assert_eq(top.count, 2);
	cr_expect_eq(top.items[0].id,
		     story_of(&d, find(&d, "strike", pubs[0])));
	cr_expect_eq(top.items[0].publisher_count, 4);
	cr_expect_eq(top.items[1].id, story_of(&d, rail));
	cr_expect_eq(top.items[1].publisher_count, 1);
	cr_expect_gt(top.items[0].score, top.items[1].score);
	cr_expect_neq(top.items[1].lead.id, 0);
	cr_expect_str_eq(top.items[1].lead.title, d.items[rail].title);
	story_list_release(&top);

	cr_assert_eq(rank_top_stories(d.s, NOW, 1, &top), ST_OK);
	cr_expect_eq(top.count, 1);
	story_list_release(&top);
	db_close(&d);
}

Test(rank, top_decays_with_age)
{
	struct db d;
	struct story_list top;
	static const char *const flood_pubs[] = {
		"valley-courier", "planet-desk", "global-dispatch"};
	static const char *const fab_pubs[] = {"circuit-signal", "daily-ledger",
					       "northwind-post"};
	int64_t floods, fab;
	size_t i;

	db_open(&d);
	cr_assert_eq(store_begin(d.s), ST_OK);
	for (i = 0; i < 3; i++)
		add(&d, find(&d, "floods", flood_pubs[i]), 72);
	for (i = 0; i < 3; i++)
		add(&d, find(&d, "fab", fab_pubs[i]), 1);
	cr_assert_eq(store_commit(d.s), ST_OK);
	floods = story_of(&d, find(&d, "floods", flood_pubs[0]));
	fab = story_of(&d, find(&d, "fab", fab_pubs[0]));

	cr_assert_eq(rank_top_stories(d.s, NOW, 10, &top), ST_OK);
	cr_assert_eq(top.count, 2);
	cr_expect_eq(top_position(&top, fab), 0);
	cr_expect_eq(top_position(&top, floods), 1);
	story_list_release(&top);

	/* Seen from three days later, the fab story has aged too, and only
	 * the fallback window still finds them. */
	cr_assert_eq(rank_top_stories(d.s, NOW + 96 * HOUR, 10, &top), ST_OK);
	cr_expect_eq(top.count, 2);
	story_list_release(&top);
	cr_assert_eq(rank_top_stories(d.s, NOW + 60 * 86400, 10, &top), ST_OK);
	cr_expect_eq(top.count, 0);
	story_list_release(&top);
	db_close(&d);
}

Test(rank, top_counts_reads)
{
	struct db d;
	struct story_list top;
	sqlite3 *db;
	size_t museum, heat;
	int64_t museum_pub;
	char sql[512];
	int i;

	db_open(&d);
	museum = find(&d, "-", "gallery-row");
	heat = find(&d, "-", "planet-desk");
	cr_assert_eq(store_begin(d.s), ST_OK);
	add(&d, museum, 6);
	add(&d, heat, 6);
	cr_assert_eq(store_commit(d.s), ST_OK);
	museum_pub = publisher_id(d.s, "gallery-row");

	/* The read ledger belongs to the account module; write it directly. */
	cr_assert_eq(sqlite3_open(d.path, &db), SQLITE_OK);
	for (i = 0; i < 5; i++) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO reads (user_id, article_id, publisher_id,"
			 " day, read_at) VALUES (NULL, %" PRId64 ", %" PRId64
			 ", 'd%d', %" PRId64 ")",
			 d.items[museum].id, museum_pub, i, NOW - i * HOUR);
		cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK,
			     "%s", sqlite3_errmsg(db));
	}
	sqlite3_close(db);

	cr_assert_eq(rank_top_stories(d.s, NOW, 10, &top), ST_OK);
	cr_assert_eq(top.count, 2);
	cr_expect_eq(top.items[0].id, story_of(&d, museum));
	cr_expect_eq(top.items[0].reads, 5);
	cr_expect_eq(top.items[1].reads, 0);
	story_list_release(&top);
	db_close(&d);
}

static bool
same_article_as(struct db *d, int64_t id, const char *event,
		const char *publisher)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		if (d->items[i].id == id && !strcmp(d->items[i].event, event) &&
		    !strcmp(d->items[i].publisher, publisher))
			return true;
	return false;
}

Test(rank, related_story_first)
{
	struct db d;
	struct article_list l;
	size_t self, i, j, copies = 0;
	int64_t story;

	db_open(&d);
	add_all(&d, false);
	self = find(&d, "strike", "harbour-herald");
	story = story_of(&d, self);
	cr_assert_eq(rank_related(d.s, d.items[self].id, 8, &l), ST_OK);
	cr_assert_geq(l.count, 4);
	cr_assert_leq(l.count, 8);
	/* The story's other publishers first: ledger and its wire copy
	 * count once, so three of them. */
	for (i = 0; i < 3; i++) {
		cr_expect_eq(l.items[i].story_id, story, "item %zu", i);
		cr_expect_str_neq(l.items[i].publisher_slug, "harbour-herald");
	}
	for (i = 0; i < l.count; i++) {
		size_t same_publisher = 0;

		cr_expect_neq(l.items[i].id, d.items[self].id, "never itself");
		cr_expect_null(l.items[i].body_text);
		for (j = 0; j < l.count; j++) {
			if (j != i)
				cr_expect_neq(l.items[i].id, l.items[j].id);
			if (!strcmp(l.items[i].publisher_slug,
				    l.items[j].publisher_slug))
				same_publisher++;
		}
		cr_expect_leq(same_publisher, 2, "publisher %s",
			      l.items[i].publisher_slug);
		if (same_article_as(&d, l.items[i].id, "strike",
				    "daily-ledger") ||
		    same_article_as(&d, l.items[i].id, "strike",
				    "global-dispatch"))
			copies++;
	}
	cr_expect_eq(copies, 1, "a wire copy is listed once");
	article_list_release(&l);

	/* An article alone in its story still gets neighbours by text. */
	self = find(&d, "-", "civic-wire");
	cr_assert_eq(rank_related(d.s, d.items[self].id, 3, &l), ST_OK);
	cr_expect_leq(l.count, 3);
	for (i = 0; i < l.count; i++)
		cr_expect_neq(l.items[i].id, d.items[self].id);
	article_list_release(&l);

	cr_expect_eq(rank_related(d.s, 987654, 5, &l), ST_NOTFOUND);
	db_close(&d);
}

Test(rank, recluster)
{
	struct db d;
	struct story_list top;

	db_open(&d);
	add_all(&d, true);
	cr_assert_eq(rank_recluster(d.s, 0), ST_OK);
	check_partition(&d);
	/* Part of the window only: the older articles keep their stories
	 * and the newer ones find them again. */
	cr_assert_eq(rank_recluster(d.s, NOW - 29 * HOUR), ST_OK);
	check_partition(&d);
	cr_assert_eq(rank_top_stories(d.s, NOW, 20, &top), ST_OK);
	/* strike, floods, fab and the four loners. */
	cr_expect_eq(top.count, 7);
	story_list_release(&top);
	db_close(&d);
}

Test(rank, deleting_a_publisher_updates_its_stories)
{
	struct db d;
	struct story st;
	struct story_list top;
	int64_t strike, loner;
	size_t daily = 0, i;

	db_open(&d);
	add_all(&d, false);
	strike = story_of(&d, find(&d, "strike", "harbour-herald"));
	loner = story_of(&d, find(&d, "-", "civic-wire"));
	daily = find(&d, "strike", "daily-ledger");

	cr_assert_eq(rank_publisher_delete(d.s, publisher_id(d.s, "harbour-"
								  "herald")),
		     ST_OK);
	/* Its two strike articles went: four left, by four publishers, led
	 * by the earliest of them. */
	cr_assert_eq(rank_story_get(d.s, strike, &st), ST_OK);
	cr_expect_eq(st.article_count, 4);
	cr_expect_eq(st.publisher_count, 4);
	cr_expect_eq(st.first_seen_at, NOW - 29 * HOUR);
	cr_expect_eq(st.last_seen_at, NOW - 27 * HOUR);
	cr_expect_eq(st.lead.id, d.items[daily].id);
	cr_expect_str_eq(st.title, d.items[daily].title);
	cr_assert_eq(st.articles.count, 4);
	for (i = 0; i < st.articles.count; i++)
		cr_expect_str_neq(st.articles.items[i].publisher_slug,
				  "harbour-herald");
	story_release(&st);

	/* A story of the deleted publisher's articles only is gone. */
	cr_assert_eq(rank_publisher_delete(d.s, publisher_id(d.s, "civic-"
								  "wire")),
		     ST_OK);
	cr_expect_eq(rank_story_get(d.s, loner, &st), ST_NOTFOUND);
	cr_assert_eq(rank_top_stories(d.s, NOW, 20, &top), ST_OK);
	for (i = 0; i < top.count; i++)
		cr_expect_neq(top.items[i].id, loner);
	/* strike, floods, fab and three loners. */
	cr_expect_eq(top.count, 6);
	story_list_release(&top);

	cr_expect_eq(rank_publisher_delete(d.s, 987654), ST_NOTFOUND);
	db_close(&d);
}

/* Whether article b is among a's recorded neighbours. */
static bool
is_neighbour(struct store *s, int64_t a, int64_t b)
{
	struct article_list l;
	bool found = false;
	size_t i;

	cr_assert_eq(reading_neighbours(s, a, 64, &l), ST_OK);
	for (i = 0; i < l.count; i++) {
		cr_expect_null(l.items[i].body_text);
		if (l.items[i].id == b)
			found = true;
	}
	article_list_release(&l);
	return found;
}

Test(rank, neighbours_recorded_both_ways_and_version_moves)
{
	struct db d;
	struct article_list l;
	int64_t before, after;
	size_t i, j, pairs = 0, asymmetric = 0;

	db_open(&d);
	cr_assert_eq(reading_content_version(d.s, &before), ST_OK);
	add_all(&d, false);
	cr_assert_eq(reading_content_version(d.s, &after), ST_OK);
	cr_expect_neq(before, after, "clustering moves the content version");

	/* Articles of one story found each other as candidates. */
	for (i = 0; i < d.count; i++)
		for (j = 0; j < d.count; j++) {
			bool ij, ji;

			if (i == j)
				continue;
			ij = is_neighbour(d.s, d.items[i].id, d.items[j].id);
			ji = is_neighbour(d.s, d.items[j].id, d.items[i].id);
			pairs += ij;
			asymmetric += ij != ji;
		}
	cr_expect_gt(pairs, 0);
	cr_expect_eq(asymmetric, 0, "recorded in both directions");

	/* Related lists come from them and keep their rules. */
	for (i = 0; i < d.count; i++) {
		cr_assert_eq(rank_related(d.s, d.items[i].id, 6, &l), ST_OK);
		for (j = 0; j < l.count; j++)
			cr_expect_neq(l.items[j].id, d.items[i].id);
		article_list_release(&l);
	}

	/* Reclustering forgets and finds them again. */
	cr_assert_eq(rank_recluster(d.s, 0), ST_OK);
	pairs = 0;
	for (i = 0; i < d.count; i++)
		for (j = 0; j < d.count; j++)
			if (i != j)
				pairs += is_neighbour(d.s, d.items[i].id,
						      d.items[j].id);
	cr_expect_gt(pairs, 0);
	db_close(&d);
}
