/*
 * test_rank_index.c — clustering's features and in-memory index: the
 * stored form, the bounded cost of a candidate search, stale entries,
 * writes by another process, backfilled old dates, eviction, rollback.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>
#include <unistd.h>

#include "base/buf.h"
#include "rank/internal.h"
#include "rank/rank.h"
#include "store/reading.h"
#include "store/store.h"

#define NOW  ((int64_t)1800000000)
#define HOUR ((int64_t)3600)

static const char *const syllables[] = {
	"ka",  "lo",  "mi",  "ne",  "ru",  "sa",  "ti",	 "vo",	"ber", "dan",
	"fel", "gor", "hal", "jin", "kor", "lun", "mar", "nor", "pel", "quin",
};

static void
word(struct buf *b, unsigned n, bool capital)
{
	size_t start = b->len;

	do {
		buf_adds(b, syllables[n % ARRAY_SIZE(syllables)]);
		n /= ARRAY_SIZE(syllables);
	} while (n);
	if (capital)
		b->data[start] = (char)(b->data[start] - 'a' + 'A');
}

/*
 * An article about event e (variant v changes a few words): the event's
 * own names among common words. e < 0: every article holds the same 40
 * words (the worst case for an inverted index).
 */
static void
make_text(struct buf *title, struct buf *body, int e, unsigned v)
{
	unsigned i;

	buf_reset(title);
	buf_reset(body);
	for (i = 0; i < 6; i++) {
		if (i)
			buf_addc(title, ' ');
		if (e < 0)
			word(title, 400 + (i + v) % 40, false);
		else
			word(title,
			     i % 2 ? 9000 + (unsigned)e * 8 + i : 400 + i,
			     i % 2);
	}
	buf_adds(body, "The ");
	for (i = 0; i < 160; i++) {
		if (i)
			buf_adds(body, i % 15 ? " " : ". The ");
		if (e < 0)
			word(body, 400 + (i * 7 + v) % 40, false);
		else if (i % 4 == 1)
			word(body, 9000 + (unsigned)e * 8 + i % 8, true);
		else if (i % 29 == 3)
			word(body, 20000 + v * 31 + i, false);
		else
			word(body, 400 + (i * 13 + (unsigned)e) % 300, false);
	}
	buf_addc(body, '.');
}

struct db {
	char dir[64];
	char path[96];
	struct store *s;
	int64_t publisher;
	unsigned serial;
};

static void
db_open(struct db *d)
{
	struct publisher p = {0};

	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/newsstand-rankix-XXXXXX");
	cr_assert_not_null(mkdtemp(d->dir));
	snprintf(d->path, sizeof(d->path), "%s/test.db", d->dir);
	cr_assert_eq(store_open_file(d->path, STORE_WRITE, 0, &d->s), ST_OK);
	p.slug = p.name = "pub";
	p.created_at = NOW;
	cr_assert_eq(store_publisher_put(d->s, &p), ST_OK);
	d->publisher = p.id;
}

static void
db_close(struct db *d)
{
	char p[128];

	store_close(d->s);
	unlink(d->path);
	snprintf(p, sizeof(p), "%s-wal", d->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", d->path);
	unlink(p);
	rmdir(d->dir);
}

/* An article of event e, variant v, by d's publisher; url has 128 bytes. */
static void
new_article(struct db *d, struct article *a, struct buf *title,
	    struct buf *body, char *url, int e, unsigned v,
	    int64_t published_at)
{
	make_text(title, body, e, v);
	snprintf(url, 128, "https://pub.example/%u", d->serial++);
	a->publisher_id = d->publisher;
	a->url = url;
	a->title = title->data;
	a->body_text = body->data;
	a->word_count = 160;
	a->published_at = published_at;
	a->fetched_at = a->updated_at = published_at;
}

/* Stores an article of event e; clusters it through ix (NULL: not). */
static int64_t
add_to(struct db *d, struct store *s, struct rank_index *ix, int e, unsigned v,
       int64_t published_at, int64_t *story)
{
	struct buf title = BUF_INIT, body = BUF_INIT;
	struct article a = {0};
	struct rank_features f;
	enum article_put_result res;
	char url[128];

	new_article(d, &a, &title, &body, url, e, v, published_at);
	cr_assert_eq(store_article_put(s, &a, &res), ST_OK);
	cr_assert_eq(res, ARTICLE_CREATED);
	if (ix) {
		rank_features_init(&f);
		rank_features_build(&f, a.title, a.body_text);
		cr_assert_eq(rank_assign(ix, s, &a, &f), ST_OK);
		rank_features_release(&f);
		cr_assert_neq(a.story_id, 0);
	}
	if (story)
		*story = a.story_id;
	buf_release(&title);
	buf_release(&body);
	return a.id;
}

static int64_t
add(struct db *d, struct rank_index *ix, int e, unsigned v,
    int64_t published_at, int64_t *story)
{
	return add_to(d, d->s, ix, e, v, published_at, story);
}

/* Appends the rows sql selects from the database at path, a line each. */
static void
table_rows(const char *path, const char *sql, struct buf *out)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int c;

		for (c = 0; c < sqlite3_column_count(st); c++)
			buf_addf(out, "%s|",
				 (const char *)sqlite3_column_text(st, c));
		buf_addc(out, '\n');
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static int64_t
story_of(struct store *s, int64_t id)
{
	struct article a;
	int64_t story;

	cr_assert_eq(store_article_get(s, id, &a), ST_OK);
	story = a.story_id;
	article_release(&a);
	return story;
}

/* Runs SQL on a connection of its own (another process's view). */
static void
sql(struct db *d, const char *text)
{
	sqlite3 *db;

	cr_assert_eq(sqlite3_open(d->path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	cr_assert_eq(
		sqlite3_exec(db, "PRAGMA foreign_keys=ON;", NULL, NULL, NULL),
		SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, text, NULL, NULL, NULL), SQLITE_OK,
		     "%s: %s", text, sqlite3_errmsg(db));
	sqlite3_close(db);
}

Test(rank_index, features_round_trip)
{
	struct buf title = BUF_INIT, body = BUF_INIT, blob = BUF_INIT;
	struct rank_features f, g;
	size_t i;

	make_text(&title, &body, 3, 1);
	rank_features_init(&f);
	rank_features_init(&g);
	rank_features_build(&f, title.data, body.data);
	cr_assert_gt(f.term_count, 20);
	cr_assert_gt(f.title_count, 3);
	cr_assert_neq(f.fingerprint, 0);
	rank_features_encode(&f, &blob);
	cr_assert_eq(blob.err, ST_OK);
	cr_assert_eq(rank_features_decode(blob.data, blob.len, &g), ST_OK);
	cr_assert_eq(g.term_count, f.term_count);
	cr_assert_eq(g.title_count, f.title_count);
	cr_assert_eq(g.fingerprint, f.fingerprint);
	cr_assert_float_eq(g.norm, f.norm, 1e-6);
	for (i = 0; i < f.term_count; i++) {
		cr_assert_eq(g.terms[i], f.terms[i]);
		cr_assert_float_eq(g.weights[i], f.weights[i], 1e-6);
	}
	cr_assert_eq(memcmp(g.title, f.title, f.title_count * 4), 0);
	cr_assert_eq(memcmp(g.names, f.names, (f.term_count + 7) / 8), 0);
	/* Names were found: the event's capitalised words. */
	for (i = 0; i < (f.term_count + 7) / 8 && !f.names[i]; i++)
		;
	cr_assert_lt(i, (f.term_count + 7) / 8);
	cr_assert_float_eq(rank_similarity(&f, &g, 0), 0.95, 0.051);

	/* Malformed blobs are refused and leave g as it was. */
	cr_assert_eq(rank_features_decode(blob.data, blob.len - 1, &g),
		     ST_PARSE);
	cr_assert_eq(rank_features_decode(blob.data, 3, &g), ST_PARSE);
	cr_assert_eq(rank_features_decode(NULL, 0, &g), ST_PARSE);
	blob.data[0] = 9;
	cr_assert_eq(rank_features_decode(blob.data, blob.len, &g), ST_PARSE);
	blob.data[0] = 1;
	/* Terms out of order: swap the first two hashes. */
	{
		char tmp[4];

		memcpy(tmp, blob.data + 20, 4);
		memcpy(blob.data + 20, blob.data + 24, 4);
		memcpy(blob.data + 24, tmp, 4);
	}
	cr_assert_eq(rank_features_decode(blob.data, blob.len, &g), ST_PARSE);
	cr_assert_eq(g.term_count, f.term_count);

	/* An empty article has empty features and survives the trip. */
	rank_features_build(&f, NULL, NULL);
	cr_assert_eq(f.term_count, 0);
	cr_assert_eq(f.fingerprint, 0);
	buf_reset(&blob);
	rank_features_encode(&f, &blob);
	cr_assert_eq(rank_features_decode(blob.data, blob.len, &g), ST_OK);
	cr_assert_eq(g.term_count, 0);
	cr_assert_float_eq(rank_similarity(&f, &g, 0), 0, 1e-9);
	rank_features_release(&f);
	rank_features_release(&g);
	buf_release(&blob);
	buf_release(&title);
	buf_release(&body);
}

Test(rank_index, clusters_events_and_keeps_apart_others)
{
	struct rank_index *ix = rank_index_new(0);
	int64_t story[4][3];
	struct db d;
	int e;
	unsigned v;

	db_open(&d);
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	for (v = 0; v < 3; v++)
		for (e = 0; e < 4; e++)
			add(&d, ix, e, v, NOW + (int64_t)(e * 3 + v) * 600,
			    &story[e][v]);
	cr_assert_eq(rank_index_flush(ix, d.s), ST_OK);
	cr_assert_eq(store_commit(d.s), ST_OK);
	rank_index_commit(ix);
	for (e = 0; e < 4; e++) {
		cr_expect_eq(story[e][1], story[e][0], "event %d split", e);
		cr_expect_eq(story[e][2], story[e][0], "event %d split", e);
		if (e)
			cr_expect_neq(story[e][0], story[e - 1][0],
				      "events %d and %d merged", e - 1, e);
	}
	rank_index_free(ix);
	db_close(&d);
}

static enum status
insert_placed(struct store *s, struct article *a, void *ctx)
{
	int64_t *row_story = ctx;
	enum status rc = store_article_insert(s, a);

	/* The row is written once, already in its story. */
	if (!rc)
		cr_assert_eq(store_story_of_article(s, a->id, row_story),
			     ST_OK);
	return rc;
}

/* add_to() for a new article placed, clustered, then written. */
static int64_t
add_placed(struct db *d, struct rank_index *ix, int e, unsigned v,
	   int64_t published_at, int64_t *story)
{
	struct buf title = BUF_INIT, body = BUF_INIT;
	struct article a = {0};
	struct rank_features f;
	enum article_put_result res;
	int64_t placed, row_story = -1;
	char url[128];

	new_article(d, &a, &title, &body, url, e, v, published_at);
	cr_assert_eq(store_article_place(d->s, &a, &res), ST_OK);
	cr_assert_eq(res, ARTICLE_CREATED);
	placed = a.id;
	cr_assert_gt(placed, 0);
	rank_features_init(&f);
	rank_features_build(&f, a.title, a.body_text);
	cr_assert_eq(
		rank_assign_new(ix, d->s, &a, &f, insert_placed, &row_story),
		ST_OK);
	rank_features_release(&f);
	cr_assert_eq(a.id, placed, "stored as %" PRId64 ", placed as %" PRId64,
		     a.id, placed);
	cr_assert_neq(a.story_id, 0);
	cr_assert_eq(row_story, a.story_id);
	*story = a.story_id;
	buf_release(&title);
	buf_release(&body);
	return a.id;
}

/*
 * Clustering an article before its row is written (ingest's way) gives
 * the same stories, counters and neighbours as clustering it once stored.
 */
Test(rank_index, placed_articles_cluster_as_stored_ones)
{
	static const char *const tables[] = {
		"SELECT id, coalesce(story_id, 0), fingerprint FROM articles"
		" ORDER BY id",
		"SELECT id, title, lead_article_id, first_seen_at, "
		"last_seen_at,"
		" article_count, publisher_count, score FROM stories ORDER BY "
		"id",
		"SELECT * FROM article_neighbours ORDER BY 1",
		"SELECT article_id, published_at, hex(blob) FROM"
		" article_features ORDER BY 1",
	};
	struct rank_index *ix[2] = {rank_index_new(0), rank_index_new(0)};
	int64_t story[2][15];
	struct article a = {0};
	enum article_put_result res;
	struct db d[2];
	size_t k, i, t;
	unsigned v;
	int e;

	for (k = 0; k < 2; k++) {
		db_open(&d[k]);
		cr_assert_eq(store_begin(d[k].s), ST_OK);
		cr_assert_eq(rank_index_begin(ix[k], d[k].s), ST_OK);
		for (i = 0, v = 0; v < 3; v++)
			for (e = 0; e < 5; e++, i++) {
				int64_t at = NOW + (int64_t)i * 600;

				if (k)
					add_placed(&d[k], ix[k], e, v, at,
						   &story[k][i]);
				else
					add(&d[k], ix[k], e, v, at,
					    &story[k][i]);
			}
		cr_assert_eq(rank_index_flush(ix[k], d[k].s), ST_OK);
		cr_assert_eq(store_commit(d[k].s), ST_OK);
		rank_index_commit(ix[k]);
	}
	for (i = 0; i < 15; i++)
		cr_expect_eq(story[1][i], story[0][i], "article %zu", i);
	for (t = 0; t < ARRAY_SIZE(tables); t++) {
		struct buf rows[2] = {BUF_INIT, BUF_INIT};

		for (k = 0; k < 2; k++)
			table_rows(d[k].path, tables[t], &rows[k]);
		cr_assert_gt(rows[0].len, 0, "%s: no rows", tables[t]);
		cr_expect_str_eq(rows[1].data, rows[0].data, "%s", tables[t]);
		buf_release(&rows[0]);
		buf_release(&rows[1]);
	}
	/* Placing writes nothing, so it wants the caller's transaction. */
	a.publisher_id = d[1].publisher;
	a.url = "https://pub.example/outside";
	a.title = "Outside";
	cr_assert_eq(store_article_place(d[1].s, &a, &res), ST_INTERNAL);
	for (k = 0; k < 2; k++) {
		rank_index_free(ix[k]);
		db_close(&d[k]);
	}
}

Test(rank_index, bounded_when_every_article_holds_every_word, .timeout = 300)
{
	struct rank_index *ix = rank_index_new(0);
	struct rank_index_stats st;
	struct db d;
	unsigned i;

	db_open(&d);
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	for (i = 0; i < 5000; i++)
		add(&d, ix, -1, i, NOW + i, NULL);
	cr_assert_eq(rank_index_flush(ix, d.s), ST_OK);
	cr_assert_eq(store_commit(d.s), ST_OK);
	rank_index_commit(ix);
	rank_index_stats(ix, &st);
	cr_assert_eq(st.assigned, 5000);
	cr_assert_eq(st.articles, 5000);
	/* Each search walks a bounded number of postings, not the 5,000
	 * articles that share its words. */
	cr_assert_gt(st.postings_max, 0);
	cr_assert_leq(st.postings_max, st.postings_bound);
	cr_assert_leq(st.postings_bound, 2000);
	cr_assert_leq(st.candidates_max, 16);
	cr_assert_leq(st.postings_walked, (size_t)5000 * st.postings_bound);
	rank_index_free(ix);
	db_close(&d);
}

Test(rank_index, stale_entries_are_checked)
{
	struct rank_index *ix = rank_index_new(0);
	int64_t a, b, sa, sb, s1, s2, s3;
	char text[256];
	struct db d;

	db_open(&d);
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	a = add(&d, ix, 1, 0, NOW, &sa);
	b = add(&d, ix, 2, 0, NOW + 60, &sb);
	cr_assert_neq(sa, sb);
	cr_assert_eq(rank_index_flush(ix, d.s), ST_OK);
	cr_assert_eq(store_commit(d.s), ST_OK);
	rank_index_commit(ix);

	/* Another process deletes a and moves b to another story; the
	 * index still holds what it saw. */
	snprintf(text, sizeof(text),
		 "DELETE FROM articles WHERE id = %" PRId64
		 "; INSERT INTO stories (title) VALUES ('moved');"
		 " UPDATE articles SET story_id = last_insert_rowid()"
		 " WHERE id = %" PRId64 ";",
		 a, b);
	sql(&d, text);
	cr_assert_not_null(rank_index_features(ix, a));

	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	/* a's event again: a is gone, so a story of its own. */
	add(&d, ix, 1, 1, NOW + 120, &s1);
	cr_expect_neq(s1, sa);
	cr_expect_null(rank_index_features(ix, a));
	/* b's event again: b's story is now the moved one. */
	add(&d, ix, 2, 1, NOW + 180, &s2);
	cr_expect_eq(s2, story_of(d.s, b));
	cr_expect_neq(s2, sb);
	/* And the first new article is found by the next. */
	add(&d, ix, 1, 2, NOW + 240, &s3);
	cr_expect_eq(s3, s1);
	cr_assert_eq(rank_index_flush(ix, d.s), ST_OK);
	cr_assert_eq(store_commit(d.s), ST_OK);
	rank_index_commit(ix);
	rank_index_free(ix);
	db_close(&d);
}

static size_t
stories_read(const struct rank_index *ix)
{
	struct rank_index_stats st;

	rank_index_stats(ix, &st);
	return st.stories_read;
}

/* Stores an article of event e in a transaction of its own; returns how
 * many candidates' stories clustering read from the store. */
static size_t
add_in_transaction(struct db *d, struct rank_index *ix, int e, unsigned v,
		   int64_t published_at, int64_t *story)
{
	size_t before = stories_read(ix);

	cr_assert_eq(store_begin(d->s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d->s), ST_OK);
	add(d, ix, e, v, published_at, story);
	cr_assert_eq(rank_index_flush(ix, d->s), ST_OK);
	cr_assert_eq(store_commit(d->s), ST_OK);
	rank_index_commit(ix);
	return stories_read(ix) - before;
}

Test(rank_index, stories_stay_known_until_another_connection_writes)
{
	struct rank_index *ix = rank_index_new(0);
	int64_t first, story, dropped;
	struct db d;

	db_open(&d);
	add_in_transaction(&d, ix, 1, 0, NOW, &first);
	/* Nothing else wrote: the first article's story is known. */
	cr_expect_eq(add_in_transaction(&d, ix, 1, 1, NOW + 60, &story), 0);
	cr_expect_eq(story, first);
	/* Another connection commits (anything): read again, once each. */
	sql(&d, "UPDATE publishers SET name = 'renamed'");
	cr_expect_eq(add_in_transaction(&d, ix, 1, 2, NOW + 120, &story), 2);
	cr_expect_eq(story, first);
	cr_expect_eq(add_in_transaction(&d, ix, 1, 3, NOW + 180, &story), 0);
	/* A rolled-back transaction may have told the index of stories
	 * the store no longer has: read again too. */
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	dropped = add(&d, ix, 2, 0, NOW + 240, NULL);
	store_rollback(d.s);
	rank_index_rollback(ix);
	cr_expect_null(rank_index_features(ix, dropped));
	cr_expect_eq(add_in_transaction(&d, ix, 1, 4, NOW + 300, &story), 4);
	cr_expect_eq(story, first);
	/* This connection reclusters (stories made anew, outside the
	 * index): read again too, and the article joins the new story. */
	cr_assert_eq(rank_recluster(d.s, NOW - 3600), ST_OK);
	first = story_of(d.s, 1);
	cr_expect_gt(add_in_transaction(&d, ix, 1, 5, NOW + 360, &story), 0);
	cr_expect_eq(story, first);
	rank_index_free(ix);
	db_close(&d);
}

/* The stories table, a line per story. */
static void
stories_rows(struct db *d, struct buf *out)
{
	buf_reset(out);
	table_rows(d->path,
		   "SELECT id, title, lead_article_id, first_seen_at,"
		   " last_seen_at, article_count, publisher_count,"
		   " printf('%.9f', score) FROM stories ORDER BY id",
		   out);
}

/* Stores an article of event 1, variant v, by publisher (in its feed,
 * 100 + publisher) with words words, and clusters it: new, or with again
 * the article of url (its guid) updated. */
static int64_t
join(struct db *d, struct rank_index *ix, int64_t publisher, unsigned v,
     int64_t words, int64_t published_at, char *url, bool again)
{
	struct buf title = BUF_INIT, body = BUF_INIT;
	struct article a = {0};
	struct rank_features f;
	enum article_put_result res;
	char fresh[128];

	new_article(d, &a, &title, &body, fresh, 1, v, published_at);
	if (again)
		a.url = url;
	else
		memcpy(url, fresh, sizeof(fresh));
	a.publisher_id = publisher;
	a.feed_id = 100 + publisher; /* made by the test */
	a.guid = url;
	a.word_count = words;
	cr_assert_eq(store_article_put(d->s, &a, &res), ST_OK);
	cr_assert_eq(res, again ? ARTICLE_UPDATED : ARTICLE_CREATED);
	rank_features_init(&f);
	rank_features_build(&f, a.title, a.body_text);
	cr_assert_eq(rank_assign(ix, d->s, &a, &f), ST_OK);
	rank_features_release(&f);
	buf_release(&title);
	buf_release(&body);
	return a.story_id;
}

/*
 * Every story recomputed from its articles (store_story_refresh(), which
 * leaves the score), in a transaction; and each score checked against
 * the counts: publishers squared plus half the log of the articles.
 */
static void
refresh_all(struct db *d)
{
	struct story_counts c;
	sqlite3_stmt *st;
	sqlite3 *db;
	int64_t id;

	cr_assert_eq(store_begin(d->s), ST_OK);
	for (id = 1; id < 100; id++) {
		enum status rc = store_story_refresh(d->s, id, &c);

		cr_assert(rc == ST_OK || rc == ST_NOTFOUND);
	}
	cr_assert_eq(store_commit(d->s), ST_OK);
	cr_assert_eq(sqlite3_open(d->path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db,
					"SELECT article_count, publisher_count,"
					" score FROM stories",
					-1, &st, NULL),
		     SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		double p = (double)sqlite3_column_int64(st, 1);

		cr_expect_float_eq(
			sqlite3_column_double(st, 2),
			p * p + 0.5 * log((double)sqlite3_column_int64(st, 0)),
			1e-9);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Adds n publishers (slugs prefix0, prefix1, ...), each with a feed of
 * id 100 + its id, and writes their ids. */
static void
add_publishers(struct db *d, const char *prefix, int64_t *ids, size_t n)
{
	char text[160];
	size_t i;

	for (i = 0; i < n; i++) {
		struct publisher p = {0};
		char slug[32];

		snprintf(slug, sizeof(slug), "%s%zu", prefix, i);
		p.slug = p.name = slug;
		p.created_at = NOW;
		cr_assert_eq(store_publisher_put(d->s, &p), ST_OK);
		ids[i] = p.id;
		snprintf(text, sizeof(text),
			 "INSERT INTO feeds (id, publisher_id, url, created_at)"
			 " VALUES (%" PRId64 ", %" PRId64
			 ", 'https://%s.example/feed', 0)",
			 100 + p.id, p.id, slug);
		sql(d, text);
	}
}

/* Flushes and commits the transaction, then checks every story's row
 * against what recomputing it from its articles writes. */
static void
commit_and_compare(struct db *d, struct rank_index *ix)
{
	struct buf kept = BUF_INIT, truth = BUF_INIT;

	cr_assert_eq(rank_index_flush(ix, d->s), ST_OK);
	cr_assert_eq(store_commit(d->s), ST_OK);
	rank_index_commit(ix);
	stories_rows(d, &kept);
	refresh_all(d);
	stories_rows(d, &truth);
	cr_expect_str_eq(kept.data, truth.data);
	buf_release(&kept);
	buf_release(&truth);
}

Test(rank_index, story_counters_kept_to_the_flush_match_the_articles)
{
	struct rank_index *ix = rank_index_new(0);
	struct buf kept = BUF_INIT, before = BUF_INIT;
	int64_t pubs[3], many[40], story, s2;
	char urls[16][128];
	struct db d;
	unsigned i;

	db_open(&d);
	sql(&d, "INSERT INTO feeds (id, publisher_id, url, created_at)"
		" SELECT 100 + id, id, 'https://' || slug || '.example/feed',"
		" 0 FROM publishers");
	add_publishers(&d, "pub", pubs, ARRAY_SIZE(pubs));
	/* One transaction: articles join one story out of time order, short
	 * and long ones, publishers repeating, so that the lead moves. */
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	story = join(&d, ix, d.publisher, 0, 100, NOW + 600, urls[0], false);
	for (i = 1; i < 8; i++) {
		s2 = join(&d, ix, pubs[i % 3], i, i % 3 ? 160 : 90,
			  NOW + 600 - (int64_t)(i * 37 % 11) * 60, urls[i],
			  false);
		cr_assert_eq(s2, story, "variant %u joins the story", i);
	}
	commit_and_compare(&d, ix);

	/* An article joins, then the lead (variant 5, the earliest long
	 * article) becomes short: an update, whose refresh of the story
	 * the flush must not undo; then another article joins. */
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	cr_assert_eq(join(&d, ix, pubs[0], 13, 30, NOW + 700, urls[13], false),
		     story);
	cr_assert_eq(join(&d, ix, pubs[2], 12, 20, NOW + 60, urls[5], true),
		     story);
	cr_assert_eq(join(&d, ix, pubs[1], 14, 40, NOW + 800, urls[14], false),
		     story);
	commit_and_compare(&d, ix);

	/* Another transaction goes on from what the first wrote. */
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	cr_assert_eq(join(&d, ix, pubs[0], 8, 200, NOW - 3600, urls[8], false),
		     story);
	cr_assert_eq(
		join(&d, ix, d.publisher, 9, 10, NOW + 900, urls[9], false),
		story);
	/* And as ingest stores new articles: placed, clustered, inserted. */
	add_placed(&d, ix, 1, 15, NOW - 4000, &s2);
	cr_assert_eq(s2, story);
	add_placed(&d, ix, 1, 16, NOW + 1000, &s2);
	cr_assert_eq(s2, story);
	commit_and_compare(&d, ix);

	/* Forty publishers join in one transaction: the index's table of
	 * stories and publishers grows while articles join. */
	add_publishers(&d, "many", many, ARRAY_SIZE(many));
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	for (i = 0; i < 40; i++) {
		char many_url[128];

		cr_assert_eq(join(&d, ix, many[i], 20 + i, 100 + i,
				  NOW + 1200 + (int64_t)i, many_url, false),
			     story);
	}
	commit_and_compare(&d, ix);

	/* A rolled-back transaction leaves nothing behind, in the store or
	 * in the index. */
	stories_rows(&d, &before);
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	join(&d, ix, pubs[2], 10, 300, NOW - 7200, urls[10], false);
	store_rollback(d.s);
	rank_index_rollback(ix);
	stories_rows(&d, &kept);
	cr_expect_str_eq(kept.data, before.data);
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	cr_assert_eq(join(&d, ix, pubs[2], 11, 100, NOW + 60, urls[11], false),
		     story);
	commit_and_compare(&d, ix);
	buf_release(&kept);
	buf_release(&before);
	rank_index_free(ix);
	db_close(&d);
}

/* Whether id is among the candidates for a text of event e, and how
 * often. */
static size_t
candidate_count(struct rank_index *ix, int e, int64_t id)
{
	struct buf title = BUF_INIT, body = BUF_INIT;
	struct rank_candidate out[16];
	struct rank_features f;
	size_t n, i, seen = 0;

	make_text(&title, &body, e, 9);
	rank_features_init(&f);
	rank_features_build(&f, title.data, body.data);
	n = rank_index_candidates(ix, &f, 0, NOW, out, ARRAY_SIZE(out));
	for (i = 0; i < n; i++)
		if (out[i].article_id == id) {
			seen++;
			cr_expect_eq(
				out[i].features, rank_index_features(ix, id),
				"a candidate's features are its live ones");
		}
	rank_features_release(&f);
	buf_release(&title);
	buf_release(&body);
	return seen;
}

Test(rank_index, forgotten_and_replaced_articles_are_not_candidates)
{
	struct rank_index *ix = rank_index_new(0);
	struct buf title = BUF_INIT, body = BUF_INIT;
	struct rank_features other;
	int64_t a, b, story;
	struct db d;

	db_open(&d);
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	a = add(&d, ix, 1, 0, NOW, NULL);
	b = add(&d, ix, 1, 1, NOW + 60, &story);
	cr_assert_eq(candidate_count(ix, 1, a), 1);
	cr_assert_eq(candidate_count(ix, 1, b), 1);

	rank_index_forget(ix, a);
	cr_expect_eq(candidate_count(ix, 1, a), 0, "a forgotten article");
	/* b's text replaced by another event's: what the index held of it
	 * before is gone, whatever the new text shares. */
	make_text(&title, &body, 7, 0);
	rank_features_init(&other);
	rank_features_build(&other, title.data, body.data);
	rank_index_put(ix, b, NOW + 60, story, &other);
	cr_expect_leq(candidate_count(ix, 1, b), 1, "a replaced article");
	cr_expect_eq(candidate_count(ix, 7, b), 1);

	rank_features_release(&other);
	buf_release(&title);
	buf_release(&body);
	cr_assert_eq(rank_index_flush(ix, d.s), ST_OK);
	cr_assert_eq(store_commit(d.s), ST_OK);
	rank_index_commit(ix);
	rank_index_free(ix);
	db_close(&d);
}

Test(rank_index, sees_another_writers_articles)
{
	struct rank_index *mine = rank_index_new(0),
			  *theirs = rank_index_new(0);
	struct store *other;
	int64_t s_first, s_theirs, s_mine, s_again;
	struct db d;

	db_open(&d);
	cr_assert_eq(store_open_file(d.path, STORE_WRITE, 0, &other), ST_OK);
	/* This writer loads the day. */
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(mine, d.s), ST_OK);
	add(&d, mine, 1, 0, NOW, &s_first);
	cr_assert_eq(rank_index_flush(mine, d.s), ST_OK);
	cr_assert_eq(store_commit(d.s), ST_OK);
	rank_index_commit(mine);
	/* Another writer (process) stores event 2 on the same day. */
	cr_assert_eq(store_begin(other), ST_OK);
	cr_assert_eq(rank_index_begin(theirs, other), ST_OK);
	add_to(&d, other, theirs, 2, 0, NOW + 60, &s_theirs);
	cr_assert_eq(rank_index_flush(theirs, other), ST_OK);
	cr_assert_eq(store_commit(other), ST_OK);
	rank_index_commit(theirs);
	/* This writer's next transaction picks it up by id. */
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(mine, d.s), ST_OK);
	add(&d, mine, 2, 1, NOW + 120, &s_mine);
	cr_expect_eq(s_mine, s_theirs);
	cr_assert_eq(rank_index_flush(mine, d.s), ST_OK);
	cr_assert_eq(store_commit(d.s), ST_OK);
	rank_index_commit(mine);
	/* And the other way round. */
	cr_assert_eq(store_begin(other), ST_OK);
	cr_assert_eq(rank_index_begin(theirs, other), ST_OK);
	add_to(&d, other, theirs, 1, 2, NOW + 180, &s_again);
	cr_expect_eq(s_again, s_first);
	cr_assert_eq(rank_index_flush(theirs, other), ST_OK);
	cr_assert_eq(store_commit(other), ST_OK);
	rank_index_commit(theirs);
	rank_index_free(mine);
	rank_index_free(theirs);
	store_close(other);
	db_close(&d);
}

Test(rank_index, backfilled_old_dates_and_old_databases)
{
	struct rank_index *ix = rank_index_new(0);
	struct rank_index_stats st;
	int64_t old_at = NOW - 300 * 24 * HOUR, s_old, s_new, s_today;
	struct db d;

	db_open(&d);
	/* An article of 300 days ago stored and clustered as before there
	 * were stored features (a database from before schema 4). */
	cr_assert_eq(store_begin(d.s), ST_OK);
	{
		int64_t id = add(&d, NULL, 5, 0, old_at, NULL);
		struct article a;

		cr_assert_eq(store_story_article(d.s, id, &a), ST_OK);
		cr_assert_eq(rank_assign_story(d.s, &a), ST_OK);
		s_old = a.story_id;
		article_release(&a);
	}
	cr_assert_eq(store_commit(d.s), ST_OK);
	sql(&d, "DELETE FROM article_features");

	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	add(&d, ix, 5, 1, NOW, &s_today);
	/* A backfilled copy of the old event: its day is loaded, the old
	 * article's features made from its text, and it joins. */
	add(&d, ix, 5, 2, old_at + HOUR, &s_new);
	cr_expect_eq(s_new, s_old);
	cr_expect_neq(s_today, s_old);
	cr_assert_eq(rank_index_flush(ix, d.s), ST_OK);
	cr_assert_eq(store_commit(d.s), ST_OK);
	rank_index_commit(ix);
	rank_index_stats(ix, &st);
	cr_expect_eq(st.features_made, 1, "made %zu loads %zu",
		     st.features_made, st.day_loads);
	cr_expect_geq(st.day_loads, 10);
	rank_index_free(ix);
	db_close(&d);
}

Test(rank_index, evicts_old_days_past_its_cap)
{
	/* Room for a few days of these articles only. */
	struct rank_index *ix = rank_index_new(96 * 1024);
	struct rank_index_stats st;
	int64_t first, again;
	struct db d;
	int day;

	db_open(&d);
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	add(&d, ix, 7, 0, NOW, &first);
	for (day = 1; day <= 30; day++) {
		unsigned k;

		for (k = 0; k < 4; k++)
			add(&d, ix, 100 + day * 4 + (int)k, 0,
			    NOW + day * 24 * HOUR + k * 60, NULL);
	}
	rank_index_stats(ix, &st);
	cr_expect_gt(st.evictions, 0);
	cr_expect_lt(st.days, 20);
	cr_expect_lt(st.bytes, (size_t)96 * 1024 + 64 * 1024);
	cr_expect_null(rank_index_features(ix, 1));
	/* The first day is loaded again when needed. */
	add(&d, ix, 7, 1, NOW + 600, &again);
	cr_expect_eq(again, first);
	cr_assert_eq(rank_index_flush(ix, d.s), ST_OK);
	cr_assert_eq(store_commit(d.s), ST_OK);
	rank_index_commit(ix);
	rank_index_free(ix);
	db_close(&d);
}

Test(rank_index, rollback_forgets_the_transaction)
{
	struct rank_index *ix = rank_index_new(0);
	int64_t kept, dropped, story, later;
	struct db d;

	db_open(&d);
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	kept = add(&d, ix, 1, 0, NOW, NULL);
	cr_assert_eq(rank_index_flush(ix, d.s), ST_OK);
	cr_assert_eq(store_commit(d.s), ST_OK);
	rank_index_commit(ix);

	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	dropped = add(&d, ix, 2, 0, NOW + 60, &story);
	cr_assert_not_null(rank_index_features(ix, dropped));
	store_rollback(d.s);
	rank_index_rollback(ix);
	cr_expect_null(rank_index_features(ix, dropped));
	cr_expect_not_null(rank_index_features(ix, kept));

	/* The id is used again by another article: no confusion. */
	cr_assert_eq(store_begin(d.s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, d.s), ST_OK);
	cr_expect_eq(add(&d, ix, 3, 0, NOW + 120, &later), dropped);
	cr_expect_neq(later, story_of(d.s, kept));
	cr_assert_eq(rank_index_flush(ix, d.s), ST_OK);
	cr_assert_eq(store_commit(d.s), ST_OK);
	rank_index_commit(ix);
	rank_index_free(ix);
	db_close(&d);
}

/* Neighbour pairs kept in memory during a transaction and stored by
 * rank_index_flush() are the rows stored at once outside one. */
Test(rank_index, flushed_neighbours_match_immediate)
{
	struct rank_index *at_once = rank_index_new(0);
	struct rank_index *batched = rank_index_new(0);
	int64_t ids[2][12], story;
	struct db d[2];
	size_t k, i, pairs = 0;
	unsigned v;
	int e;

	for (k = 0; k < 2; k++) {
		struct rank_index *ix = k ? batched : at_once;

		db_open(&d[k]);
		cr_assert_eq(store_begin(d[k].s), ST_OK);
		if (k)
			cr_assert_eq(rank_index_begin(ix, d[k].s), ST_OK);
		for (i = 0, v = 0; v < 3; v++)
			for (e = 0; e < 4; e++, i++)
				ids[k][i] = add(&d[k], ix, e, v,
						NOW + (int64_t)i * 600, &story);
		if (k)
			cr_assert_eq(rank_index_flush(ix, d[k].s), ST_OK);
		cr_assert_eq(store_commit(d[k].s), ST_OK);
		if (k)
			rank_index_commit(ix);
	}
	for (i = 0; i < 12; i++) {
		struct article_list l[2] = {{0}};
		size_t j;

		cr_assert_eq(ids[0][i], ids[1][i]);
		for (k = 0; k < 2; k++)
			cr_assert_eq(reading_neighbours(d[k].s, ids[k][i], 64,
							&l[k]),
				     ST_OK);
		cr_assert_eq(l[0].count, l[1].count, "article %zu", i);
		for (j = 0; j < l[0].count; j++)
			cr_assert_eq(l[0].items[j].id, l[1].items[j].id,
				     "article %zu, neighbour %zu", i, j);
		pairs += l[0].count;
		article_list_release(&l[0]);
		article_list_release(&l[1]);
	}
	cr_assert_gt(pairs, 12, "few neighbours recorded: %zu", pairs);
	db_close(&d[0]);
	db_close(&d[1]);
	rank_index_free(at_once);
	rank_index_free(batched);
}

/* ---- Pinned output -------------------------------------------------------
 *
 * Features are stored (article_features) and compared with the features
 * of new articles, so what rank_features_build() and rank_similarity()
 * give must not drift: these figures were taken from the code as it was
 * when the stored form was introduced. A change here is a change of the
 * stored data, which needs a new BLOB_VERSION and a recomputation.
 */

/* FNV-1a over bytes, for a short fingerprint of a blob. */
static uint64_t
fnv64(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* clang-format off */
static const char *const pinned_texts[][2] = {
	{"Eastmere port strike ends after 12 days",
	 "Dockworkers at the Port of Eastmere ended a 12-day strike on Monday "
	 "after accepting a four-year contract with a 14% pay rise. Union "
	 "leader Maren Okafor said 37 ships had waited offshore."},
	{"Strikes at Eastmere port called off",
	 "The Harbour and Transport Union called off its strike at Eastmere "
	 "port, where 37 vessels were stuck offshore, once members voted for "
	 "a 14% rise over four years, Maren Okafor told reporters."},
	{"River Lowen floods Brackwater",
	 "The river Lowen burst its banks after three days of rain and 4,000 "
	 "people were evacuated from Brackwater and Osterby, the regional "
	 "governor Helga Marsh said, closing two bridges."},
	{"Zürich’s Øresund deal: 41.2% for ΑΘΗΝΑ",
	 "Tomás Ebbe’s Straße café\xcc\x81 reopened; 9,200 visitors in "
	 "Łódź and Москва didn't mind. “Quoted” — dash… 東京 news, "
	 "internationalization relational hopping generalizations R-41 x9y "
	 "\xff\xfe bad bytes\xc3"},
	{NULL, "Only a body: the council's budget for 2027 passed 31 to 12."},
	{"", ""},
};
/* clang-format on */

/* make_text() articles added to the fixed texts above. */
static const struct {
	int event;
	unsigned variant;
} pinned_made[] = {{3, 1}, {3, 2}, {-1, 5}, {11, 0}};

#define PINNED_COUNT (ARRAY_SIZE(pinned_texts) + ARRAY_SIZE(pinned_made))

static void
pinned_features(struct rank_features f[PINNED_COUNT])
{
	struct buf title = BUF_INIT, body = BUF_INIT;
	size_t i;

	for (i = 0; i < PINNED_COUNT; i++) {
		rank_features_init(&f[i]);
		if (i < ARRAY_SIZE(pinned_texts)) {
			rank_features_build(&f[i], pinned_texts[i][0],
					    pinned_texts[i][1]);
			continue;
		}
		make_text(&title, &body,
			  pinned_made[i - ARRAY_SIZE(pinned_texts)].event,
			  pinned_made[i - ARRAY_SIZE(pinned_texts)].variant);
		rank_features_build(&f[i], title.data, body.data);
	}
	buf_release(&title);
	buf_release(&body);
}

Test(rank_index, features_pinned)
{
	/* clang-format off */
	static const struct {
		uint32_t terms, title;
		uint64_t fingerprint;
		uint32_t norm_bits;
		uint64_t blob; /* fnv64 of the encoded blob */
	} want[PINNED_COUNT] = {
		{22, 6, 0xa746f6008a0ec574ULL, 0x4104f237, 0x1fd56b58b0f0ed00ULL},
		{20, 4, 0x88c1a108906e6444ULL, 0x410a595b, 0x10d731a5b90c446eULL},
		{20, 4, 0x3e97c268beb1db96ULL, 0x4108dd3a, 0xe78ad2dba3521d8bULL},
		{27, 5, 0xc257b428802c9b30ULL, 0x41048039, 0x95be230798776d0bULL},
		{7, 0, 0xca622204757b4c51ULL, 0x40800000, 0x41421135a34ebfc1ULL},
		{0, 0, 0x0000000000000000ULL, 0x00000000, 0x0c593f1b0d139064ULL},
		{88, 6, 0x08bd7e1a1adbb261ULL, 0x41823a38, 0x67132b7148f79650ULL},
		{87, 6, 0x88bdd6121afbba63ULL, 0x4181fb41, 0x8356914d6b11c04bULL},
		{40, 6, 0xc5e465d42015d1aaULL, 0x415ca6cb, 0x3ab01dcc3cdbaa67ULL},
		{87, 6, 0x8194195d18540d41ULL, 0x4180bc68, 0x134677250559f675ULL},
	};
	/* clang-format on */
	struct rank_features f[PINNED_COUNT];
	struct buf blob = BUF_INIT;
	size_t i;

	pinned_features(f);
	for (i = 0; i < PINNED_COUNT; i++) {
		uint32_t norm_bits;
		uint64_t digest;

		buf_reset(&blob);
		rank_features_encode(&f[i], &blob);
		cr_assert_eq(blob.err, ST_OK);
		memcpy(&norm_bits, &f[i].norm, sizeof(norm_bits));
		digest = fnv64(blob.data, blob.len);
		cr_expect(f[i].term_count == want[i].terms &&
				  f[i].title_count == want[i].title &&
				  f[i].fingerprint == want[i].fingerprint &&
				  norm_bits == want[i].norm_bits &&
				  digest == want[i].blob,
			  "text %zu: got {%u, %u, 0x%016" PRIx64
			  "ULL, 0x%08" PRIx32 ", 0x%016" PRIx64 "ULL}",
			  i, f[i].term_count, f[i].title_count,
			  f[i].fingerprint, norm_bits, digest);
	}
	for (i = 0; i < PINNED_COUNT; i++)
		rank_features_release(&f[i]);
	buf_release(&blob);
}

Test(rank_index, similarity_pinned)
{
	/* clang-format off */
	static const struct {
		unsigned a, b;
		int64_t apart;
		double want; /* exactly, as a hexadecimal float */
	} pairs[] = {
		{0, 1, 0, 0x1.3e7dc57b945c8p-1},
		{1, 0, 7200, 0x1.3e7dc57b945c8p-1},
		{0, 2, 0, 0x1.8969f25701204p-9},
		{0, 3, 3600, 0},
		{3, 0, 0, 0},
		{0, 0, 0, 0x1.fffffe90b7f0cp-1},
		{6, 7, 3600, 0x1.fb4204626024p-1},
		{7, 6, 180000, 0x1.63149cab434c6p-1},
		{6, 8, 0, 0x1.8d805b6ff2dc8p-5},
		{8, 9, 86400, 0x1.63044ea82778p-5},
		{6, 9, 72000, 0x1.a405940f42c6fp-5},
		{4, 0, 0, 0x1.241fb04245fa9p-4},
		{5, 5, 0, 0},
		{5, 0, 0, 0},
		{3, 3, -108000, 0x1.e666666666666p-1},
		{9, 9, 0, 0x1p+0},
		{7, 9, -3600, 0x1.c2198ef67c55ep-5},
		{2, 1, 50000, 0},
	};
	/* clang-format on */
	struct rank_features f[PINNED_COUNT];
	size_t i;

	pinned_features(f);
	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		double got = rank_similarity(&f[pairs[i].a], &f[pairs[i].b],
					     pairs[i].apart);
		struct rank_probe p;
		double probed;

		cr_expect(got == pairs[i].want,
			  "pair %zu: {%u, %u, %" PRId64 ", %a}", i, pairs[i].a,
			  pairs[i].b, pairs[i].apart, got);
		rank_probe_init(&p, &f[pairs[i].a]);
		probed = rank_similarity_probe(&p, &f[pairs[i].b],
					       pairs[i].apart);
		rank_probe_release(&p);
		cr_expect(probed == pairs[i].want, "pair %zu probed: %a", i,
			  probed);
	}
	for (i = 0; i < PINNED_COUNT; i++)
		rank_features_release(&f[i]);
}

/* ---- The probe table against the merge ----------------------------------
 *
 * rank_similarity_probe() must give rank_similarity()'s result to the
 * last bit (clustering decides on it, and what was clustered before must
 * cluster the same): checked on random features made by hand, where the
 * shared terms' weights span many magnitudes (any other summing order
 * rounds differently) and few terms are shared often enough for a lost
 * name to cross MIN_SHARED_NAMES, and on features built from texts.
 */

/* xorshift64*: the same numbers on every run. */
static uint64_t
next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545F4914F6CDD1DULL;
}

static int
u32_order(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return a < b ? -1 : a > b;
}

/* Sorts v and drops repeated values; returns how many are left. */
static size_t
sort_distinct(uint32_t *v, size_t n)
{
	size_t i, kept = 0;

	qsort(v, n, sizeof(*v), u32_order);
	for (i = 0; i < n; i++)
		if (!kept || v[kept - 1] != v[i])
			v[kept++] = v[i];
	return kept;
}

/*
 * Fills f with the terms of pool (ascending, distinct) it keeps, each
 * with a chance of keep/1024, random weights and names (a chance of
 * name/1024 each), and a few of title_pool as its title.
 */
static void
random_features(struct rank_features *f, uint64_t *rng, const uint32_t *pool,
		size_t pool_count, unsigned keep, unsigned name,
		const uint32_t *title_pool, size_t title_pool_count)
{
	size_t bitmap = pool_count / 8 + 1, i;
	double sum = 0;
	char *p;

	rank_features_release(f);
	f->mem = calloc(1, pool_count * 8 + title_pool_count * 4 + bitmap);
	cr_assert_not_null(f->mem);
	p = f->mem;
	f->terms = (uint32_t *)(void *)p;
	f->weights = (float *)(void *)(p + pool_count * 4);
	f->title = (uint32_t *)(void *)(p + pool_count * 8);
	f->names = (uint8_t *)(p + pool_count * 8 + title_pool_count * 4);
	for (i = 0; i < pool_count; i++) {
		uint64_t r = next_random(rng);
		uint32_t n = f->term_count;

		if ((r & 1023) >= keep)
			continue;
		f->terms[n] = pool[i];
		/* A 24-bit mantissa, from 2^-36 up to 2^12. */
		f->weights[n] = ldexpf((float)((r >> 10 & 0xFFFFFF) + 1),
				       (int)(r >> 40 & 31) % 25 - 36);
		if ((r >> 48 & 1023) < name)
			f->names[n / 8] |= (uint8_t)(1u << (n % 8));
		sum += (double)f->weights[n] * f->weights[n];
		f->term_count = n + 1;
	}
	for (i = 0; i < title_pool_count; i++)
		if (next_random(rng) & 1)
			f->title[f->title_count++] = title_pool[i];
	f->norm = (float)sqrt(sum);
	/* Now and then a fingerprint, near copies now and then. */
	f->fingerprint = next_random(rng) % 4 ? 0 : 0xF0F0F0F0F0F0F0F0ULL;
	if (f->fingerprint && next_random(rng) % 2)
		f->fingerprint ^= 0xFF;
}

/* Both ways, each against itself too: the probe's result is the merge's. */
static size_t
expect_same(const struct rank_features *a, const struct rank_features *b,
	    int64_t apart, const char *what, size_t trial)
{
	const struct rank_features *pair[2] = {a, b};
	size_t mismatches = 0, i, j;

	for (i = 0; i < 2; i++) {
		struct rank_probe p;

		rank_probe_init(&p, pair[i]);
		for (j = 0; j < 2; j++) {
			double merged =
				rank_similarity(pair[i], pair[j], apart);
			double probed =
				rank_similarity_probe(&p, pair[j], apart);
			uint64_t mb, pb;

			memcpy(&mb, &merged, sizeof(mb));
			memcpy(&pb, &probed, sizeof(pb));
			if (mb == pb)
				continue;
			mismatches++;
			cr_expect(mb == pb,
				  "%s %zu (%zu against %zu, %u and %u terms): "
				  "merge %a, probe %a",
				  what, trial, i, j, pair[i]->term_count,
				  pair[j]->term_count, merged, probed);
		}
		rank_probe_release(&p);
	}
	return mismatches;
}

Test(rank_index, probe_matches_merge_on_random_features)
{
	/* Chances of keeping a pool's term (of 1024), per article. */
	static const unsigned keeps[][2] = {
		{1024, 1024}, {1000, 1000}, {900, 700}, {512, 512},
		{300, 900},   {100, 100},   {30, 30},	{8, 8},
		{0, 512},     {512, 0},	    {0, 0},
	};
	static const unsigned names[] = {0, 16, 128, 512, 1024};
	enum { TRIALS = 6000, POOL_MAX = 1200 };
	uint32_t *pool = calloc(POOL_MAX, sizeof(*pool)), titles[12];
	struct rank_features a, b;
	uint64_t rng = 0x9E3779B97F4A7C15ULL;
	size_t trial, i, pool_count, mismatches = 0;

	cr_assert_not_null(pool);
	rank_features_init(&a);
	rank_features_init(&b);
	for (trial = 0; trial < TRIALS; trial++) {
		unsigned kind = (unsigned)(next_random(&rng) % 6);
		const unsigned *keep =
			keeps[next_random(&rng) % ARRAY_SIZE(keeps)];
		int64_t apart =
			(int64_t)(next_random(&rng) % (60 * HOUR)) - 30 * HOUR;

		/* Pools of every size, most of them few hundred terms. */
		pool_count = next_random(&rng) % 8 ? next_random(&rng) % 600
						   : next_random(&rng) % 9;
		if (trial % 50 == 0)
			pool_count = POOL_MAX;
		for (i = 0; i < pool_count; i++) {
			uint32_t r = (uint32_t)next_random(&rng);

			if (kind == 1) /* few home slots for many: long runs */
				r &= 0xFFFFF003u;
			else if (kind == 2) /* runs past the last slot */
				r |= 0xFFCu;
			else if (kind == 3) /* the ends, and empty slots' ~i */
				r = i % 2 ? ~(uint32_t)(r % 64) : r % 64;
			pool[i] = r;
		}
		pool_count = sort_distinct(pool, pool_count);
		for (i = 0; i < ARRAY_SIZE(titles); i++)
			titles[i] = (uint32_t)next_random(&rng);
		random_features(&a, &rng, pool, pool_count, keep[0],
				names[next_random(&rng) % ARRAY_SIZE(names)],
				titles, (size_t)next_random(&rng) % 13);
		random_features(&b, &rng, pool, pool_count, keep[1],
				names[next_random(&rng) % ARRAY_SIZE(names)],
				titles, (size_t)next_random(&rng) % 13);
		if (trial % 3 == 0)
			apart = 0;
		mismatches += expect_same(&a, &b, apart, "trial", trial);
		if (mismatches > 20)
			break;
	}
	cr_assert_eq(mismatches, 0);
	rank_features_release(&a);
	rank_features_release(&b);
	free(pool);
}

Test(rank_index, probe_matches_merge_on_texts)
{
	enum { ARTICLES = 48 };
	struct rank_features f[ARTICLES];
	struct buf title = BUF_INIT, body = BUF_INIT;
	uint64_t rng = 42;
	size_t i, j, k, words, mismatches = 0;

	for (i = 0; i < ARTICLES; i++) {
		rank_features_init(&f[i]);
		if (i % 2) {
			/* Events and their variants: many shared terms. */
			make_text(&title, &body, (int)(i % 7) - 1, (unsigned)i);
		} else {
			/* Random words of a small vocabulary, a few named. */
			buf_reset(&title);
			buf_reset(&body);
			words = (size_t)(next_random(&rng) % 400);
			for (k = 0; k < words; k++) {
				uint64_t r = next_random(&rng);

				buf_addc(k < 8 ? &title : &body, ' ');
				word(k < 8 ? &title : &body,
				     (unsigned)(r % 700), r >> 32 & 1);
			}
		}
		rank_features_build(&f[i], title.data, body.data);
	}
	for (i = 0; i < ARTICLES; i++)
		for (j = i; j < ARTICLES; j++)
			mismatches += expect_same(&f[i], &f[j],
						  (int64_t)(i * j) * 1000,
						  "article", i * ARTICLES + j);
	cr_assert_eq(mismatches, 0);
	for (i = 0; i < ARTICLES; i++)
		rank_features_release(&f[i]);
	buf_release(&title);
	buf_release(&body);
}

/*
 * Neighbour pairs recorded in a transaction and written at its flush are
 * stored as when each was stored at once: every pair once, the first score
 * recorded kept, each article's closest kept. Ids over a byte apart, pairs
 * recorded twice with other scores, in no order.
 */
Test(rank_index, neighbours_flushed_together_match_those_stored_one_by_one)
{
	enum { ARTICLES = 300, PAIRS = 4000 };
	struct rank_index *ix[2] = {rank_index_new(0), rank_index_new(0)};
	struct buf rows[2] = {BUF_INIT, BUF_INIT};
	int64_t ids[ARTICLES];
	struct db d[2];
	size_t k, i;

	for (k = 0; k < 2; k++) {
		uint32_t x = 2463534242u;

		db_open(&d[k]);
		cr_assert_eq(store_begin(d[k].s), ST_OK);
		for (i = 0; i < ARTICLES; i++)
			ids[i] = add(&d[k], NULL, (int)(i % 7), (unsigned)i,
				     NOW + (int64_t)i * 60, NULL);
		/* Recorded at once outside the index's transaction, kept
		 * for its flush inside one. */
		if (k)
			cr_assert_eq(rank_index_begin(ix[k], d[k].s), ST_OK);
		for (i = 0; i < PAIRS; i++) {
			size_t a, b;

			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			a = x % ARTICLES;
			b = (x >> 9) % ARTICLES;
			if (a == b)
				continue;
			cr_assert_eq(rank_index_neighbours_add(
					     ix[k], d[k].s, ids[a], ids[b],
					     (double)(x >> 22) / 1024.0),
				     ST_OK);
		}
		cr_assert_eq(rank_index_flush(ix[k], d[k].s), ST_OK);
		cr_assert_eq(store_commit(d[k].s), ST_OK);
		if (k)
			rank_index_commit(ix[k]);
		table_rows(d[k].path,
			   "SELECT article_id, hex(neighbours)"
			   " FROM article_neighbours ORDER BY 1",
			   &rows[k]);
	}
	cr_assert_gt(ids[ARTICLES - 1], 256);
	cr_assert_gt(rows[0].len, 0);
	cr_expect_str_eq(rows[1].data, rows[0].data);
	for (k = 0; k < 2; k++) {
		buf_release(&rows[k]);
		rank_index_free(ix[k]);
		db_close(&d[k]);
	}
}
