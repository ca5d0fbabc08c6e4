/*
 * test_rank_bench.c — how long story assignment takes on a large index.
 *
 * Skipped unless NEWSSTAND_BENCH is set (it writes about 100,000 synthetic
 * articles, which takes a minute or more). NEWSSTAND_BENCH_ARTICLES changes
 * the size; NEWSSTAND_BENCH_OPTIMIZE=1 merges the search index before the
 * measured part; NEWSSTAND_BENCH_MAX_US fails the test when an assignment
 * takes longer on average. Like ingest, features are made apart (the
 * workers' part) and articles are clustered through one index kept from
 * transaction to transaction (the writer's part). Times are the thread's
 * CPU time.
 *
 * NEWSSTAND_BENCH=parts times the parts alone instead (a few seconds), on
 * texts like bench/ingest.sh's: a worker's rank_features_build(), and the
 * writer's rank_similarity() and rank_index_candidates().
 */
#include "common.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "rank/internal.h"
#include "rank/rank.h"
#include "store/store.h"
#include "support/testutil.h"

#define NOW	   ((int64_t)1800000000)
#define FEED_ITEMS 20 /* articles stored per feed update */

static const char *const syllables[] = {
	"ka",  "lo",  "mi",  "ne",  "ru",  "sa",  "ti",	 "vo",	"ber", "dan",
	"fel", "gor", "hal", "jin", "kor", "lun", "mar", "nor", "pel", "quin",
	"ros", "sel", "tor", "ul",  "ven", "wes", "yor", "zan", "ash", "bri",
};

/* A deterministic pseudo-word for n. */
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

static uint64_t rng_state = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

/* Zipf-like: small numbers much more often. */
static unsigned
zipf(unsigned n)
{
	unsigned a = rnd(n) + 1, b = rnd(a) + 1;

	return b - 1;
}

/* An article about event e: its own names and words amid common ones. */
static void
make_text(struct buf *title, struct buf *body, unsigned e)
{
	size_t i;

	buf_reset(title);
	buf_reset(body);
	for (i = 0; i < 8; i++) {
		if (i)
			buf_addc(title, ' ');
		if (rnd(2))
			word(title, 100000 + e * 12 + rnd(12), true);
		else
			word(title, zipf(5000), false);
	}
	for (i = 0; i < 350; i++) {
		if (i)
			buf_adds(body, i % 17 ? " " : ". ");
		if (rnd(10) < 3)
			word(body, 100000 + e * 12 + rnd(12), rnd(2));
		else
			word(body, zipf(5000), false);
	}
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- The parts alone ------------------------------------------------------
 *
 * Texts like bench/ingest.sh's news corpus: 20,000 made-up words of 3 to
 * 10 letters, the k-th most common with weight 1 / k; a title of 7 words
 * and paragraphs of 40 words up to about 2,000 characters.
 */

enum {
	PART_ARTICLES = 3000, /* texts made */
	PART_VOCABULARY = 20000,
	PART_CANDIDATES = 16, /* as rank_assign() asks for */
};

struct corpus {
	char (*words)[12];  /* the vocabulary */
	double *cumulative; /* cumulative weights, for drawing a word */
	struct buf *titles; /* PART_ARTICLES titles */
	struct buf *bodies; /* and bodies */
};

static void
corpus_word(const struct corpus *c, struct buf *b, bool capital)
{
	double x = (double)rnd(1u << 30) / (double)(1u << 30) *
		   c->cumulative[PART_VOCABULARY - 1];
	size_t lo = 0, hi = PART_VOCABULARY - 1, start = b->len;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->cumulative[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	buf_adds(b, c->words[lo]);
	if (capital)
		b->data[start] = (char)(b->data[start] - 'a' + 'A');
}

static void
corpus_make(struct corpus *c)
{
	static const char letters[] = "etaoinshrdlcumwfgypbvk";
	size_t i, k;
	double sum = 0;

	c->words = xcalloc(PART_VOCABULARY, sizeof(*c->words));
	c->cumulative = xcalloc(PART_VOCABULARY, sizeof(*c->cumulative));
	c->titles = xcalloc(PART_ARTICLES, sizeof(*c->titles));
	c->bodies = xcalloc(PART_ARTICLES, sizeof(*c->bodies));
	for (i = 0; i < PART_VOCABULARY; i++) {
		size_t len = 3 + rnd(8);

		for (k = 0; k < len; k++)
			c->words[i][k] = letters[rnd(sizeof(letters) - 1)];
		sum += 1.0 / (double)(i + 1);
		c->cumulative[i] = sum;
	}
	for (i = 0; i < PART_ARTICLES; i++) {
		buf_init(&c->titles[i], 0);
		buf_init(&c->bodies[i], 0);
		for (k = 0; k < 7; k++) {
			if (k)
				buf_addc(&c->titles[i], ' ');
			corpus_word(c, &c->titles[i], k == 0);
		}
		while (c->bodies[i].len < 2000) {
			if (c->bodies[i].len)
				buf_adds(&c->bodies[i], "\n\n");
			for (k = 0; k < 40; k++) {
				if (k)
					buf_addc(&c->bodies[i], ' ');
				corpus_word(c, &c->bodies[i], k == 0);
			}
			buf_addc(&c->bodies[i], '.');
		}
	}
}

static void
corpus_free(struct corpus *c)
{
	size_t i;

	for (i = 0; i < PART_ARTICLES; i++) {
		buf_release(&c->titles[i]);
		buf_release(&c->bodies[i]);
	}
	free(c->titles);
	free(c->bodies);
	free(c->words);
	free(c->cumulative);
}

static void
bench_parts(void)
{
	char dir[] = "/tmp/newsstand-bench-XXXXXX", path[96];
	struct rank_features *f;
	struct rank_candidate cands[PART_CANDIDATES];
	struct rank_index *ix;
	struct corpus c;
	struct store *s;
	size_t i, k, round, rounds = 3, pairs = 0, found = 0;
	double t, t_features = 0, t_similarity = 0, t_probed = 0;
	double t_candidates = 0, checksum = 0, probed_checksum = 0;

	corpus_make(&c);
	f = xcalloc(PART_ARTICLES, sizeof(*f));
	for (round = 0; round < rounds; round++) {
		t = seconds();
		for (i = 0; i < PART_ARTICLES; i++)
			rank_features_build(&f[i], c.titles[i].data,
					    c.bodies[i].data);
		t_features += seconds() - t;
	}
	/* Each article against PART_CANDIDATES others, as rank_assign()
	 * scores its candidates. */
	for (round = 0; round < rounds * 10; round++) {
		t = seconds();
		for (i = 0; i < PART_ARTICLES; i++) {
			for (k = 1; k <= PART_CANDIDATES; k++) {
				checksum += rank_similarity(
					&f[i], &f[(i + k * 37) % PART_ARTICLES],
					(int64_t)k * 5 * 3600);
				pairs++;
			}
		}
		t_similarity += seconds() - t;
	}
	/* The same pairs as choose_story() scores them: each article's
	 * table built once, then probed by its candidates. */
	for (round = 0; round < rounds * 10; round++) {
		t = seconds();
		for (i = 0; i < PART_ARTICLES; i++) {
			struct rank_probe p;

			rank_probe_init(&p, &f[i]);
			for (k = 1; k <= PART_CANDIDATES; k++)
				probed_checksum += rank_similarity_probe(
					&p, &f[(i + k * 37) % PART_ARTICLES],
					(int64_t)k * 5 * 3600);
			rank_probe_release(&p);
		}
		t_probed += seconds() - t;
	}
	cr_expect(probed_checksum == checksum, "probed %a, merged %a",
		  probed_checksum, checksum);
	/* Candidates from an index holding the whole corpus in one window. */
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bench.db", dir);
	cr_assert_eq(store_open_file(path, STORE_WRITE, 0, &s), ST_OK);
	ix = rank_index_new(0);
	cr_assert_eq(rank_index_begin(ix, s), ST_OK);
	cr_assert_eq(rank_index_load_window(ix, s, NOW, 0), ST_OK);
	for (i = 0; i < PART_ARTICLES; i++)
		rank_index_put(ix, (int64_t)i + 1, NOW + (int64_t)i * 20, 0,
			       &f[i]);
	for (round = 0; round < rounds; round++) {
		t = seconds();
		for (i = 0; i < PART_ARTICLES; i++)
			found += rank_index_candidates(
				ix, &f[i], (int64_t)i + 1,
				NOW + (int64_t)i * 20, cands, PART_CANDIDATES);
		t_candidates += seconds() - t;
	}
	rank_index_commit(ix);
	rank_index_free(ix);
	store_close(s);
	printf("rank bench: %d texts like bench/ingest.sh's: features %.1f us "
	       "per article; similarity %.3f us per pair (probed %.3f, its "
	       "table included); candidates %.1f us per article (%.1f "
	       "found); checksum %.6f\n",
	       PART_ARTICLES,
	       t_features / (double)(rounds * PART_ARTICLES) * 1e6,
	       t_similarity / (double)pairs * 1e6,
	       t_probed / (double)pairs * 1e6,
	       t_candidates / (double)(rounds * PART_ARTICLES) * 1e6,
	       (double)found / (double)(rounds * PART_ARTICLES), checksum);
	cr_expect_gt(found, 0);
	for (i = 0; i < PART_ARTICLES; i++)
		rank_features_release(&f[i]);
	free(f);
	corpus_free(&c);
	test_rmdir(dir);
}

/* Merges the search index into one segment, from a second connection. */
static void
optimize_index(const char *path)
{
	sqlite3 *db;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	cr_assert_eq(sqlite3_exec(db,
				  "INSERT INTO articles_fts(articles_fts)"
				  " VALUES('optimize')",
				  NULL, NULL, NULL),
		     SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

Test(rank_bench, assign_on_large_index, .timeout = 1200)
{
	const char *env = getenv("NEWSSTAND_BENCH");
	const char *size = getenv("NEWSSTAND_BENCH_ARTICLES");
	size_t total = size ? (size_t)atol(size) : 100000, measured = 2000, i;
	char dir[] = "/tmp/newsstand-bench-XXXXXX", path[96], tmp[128];
	struct buf title = BUF_INIT, body = BUF_INIT;
	struct store *s;
	struct rank_index *ix = rank_index_new(0);
	struct rank_index_stats ist;
	int64_t pubs[20];
	double t0, t_fill, t_assign = 0, t_features = 0;

	if (!env || !*env)
		cr_skip_test("set NEWSSTAND_BENCH=1 to run the benchmark");
	if (!strcmp(env, "parts")) {
		bench_parts();
		rank_index_free(ix);
		return;
	}
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bench.db", dir);
	cr_assert_eq(store_open_file(path, STORE_WRITE, 0, &s), ST_OK);
	for (i = 0; i < ARRAY_SIZE(pubs); i++) {
		struct publisher p = {0};
		char slug[32];

		snprintf(slug, sizeof(slug), "pub-%zu", i);
		p.slug = p.name = slug;
		p.created_at = NOW;
		cr_assert_eq(store_publisher_put(s, &p), ST_OK);
		pubs[i] = p.id;
	}
	if (getenv("NEWSSTAND_BENCH_FTS")) {
		/* Tries a search index setting: NEWSSTAND_BENCH_FTS=automerge
		 * NEWSSTAND_BENCH_FTS_VALUE=2. */
		const char *value = getenv("NEWSSTAND_BENCH_FTS_VALUE");
		sqlite3 *db;
		sqlite3_stmt *st;

		cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
		cr_assert_eq(
			sqlite3_prepare_v2(
				db,
				"INSERT INTO articles_fts(articles_fts, rank)"
				" VALUES(?, ?)",
				-1, &st, NULL),
			SQLITE_OK);
		sqlite3_bind_text(st, 1, getenv("NEWSSTAND_BENCH_FTS"), -1,
				  SQLITE_STATIC);
		sqlite3_bind_int(st, 2, value ? atoi(value) : 0);
		cr_assert_eq(sqlite3_step(st), SQLITE_DONE, "%s",
			     sqlite3_errmsg(db));
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	t0 = seconds();
	cr_assert_eq(store_begin(s), ST_OK);
	cr_assert_eq(rank_index_begin(ix, s), ST_OK);
	/* Like ingest: each feed's new items are stored, then assigned. */
	for (i = 0; i < total + measured; i += FEED_ITEMS) {
		struct article batch[FEED_ITEMS];
		struct rank_features feats[FEED_ITEMS];
		size_t j, n = MIN((size_t)FEED_ITEMS, total + measured - i);
		double t;

		for (j = 0; j < n; j++) {
			struct article *a = &batch[j];
			enum article_put_result res;

			memset(a, 0, sizeof(*a));
			/* Events of ~5 articles spread over a week. */
			make_text(&title, &body,
				  (unsigned)((i + j) / 5 + rnd(3)));
			snprintf(tmp, sizeof(tmp), "https://bench.example/%zu",
				 i + j);
			a->publisher_id = pubs[rnd(ARRAY_SIZE(pubs))];
			a->url = xstrdup(tmp);
			a->title = xstrdup(title.data);
			a->body_text = xstrdup(body.data);
			a->word_count = 350;
			a->published_at = NOW - 7 * 86400 +
					  (int64_t)((i + j) * 7 * 86400 /
						    (total + measured));
			t = seconds();
			rank_features_init(&feats[j]);
			rank_features_build(&feats[j], a->title, a->body_text);
			a->fingerprint = feats[j].fingerprint;
			if (i >= total)
				t_features += seconds() - t;
			cr_assert_eq(store_article_put(s, a, &res), ST_OK);
		}
		/* The first story link of a transaction makes the search
		 * index write out its pending terms (ingest pays it once per
		 * batch of feeds): paid here, outside the timed part. */
		cr_assert_eq(store_story_link(s, batch[0].id, 0, 0), ST_OK);
		t = seconds();
		for (j = 0; j < n; j++)
			cr_assert_eq(rank_assign(ix, s, &batch[j], &feats[j]),
				     ST_OK);
		if (i >= total)
			t_assign += seconds() - t;
		for (j = 0; j < n; j++) {
			article_release(&batch[j]);
			rank_features_release(&feats[j]);
		}
		if (i % 5000 == 0 || (i < total && i + FEED_ITEMS >= total)) {
			cr_assert_eq(rank_index_flush(ix, s), ST_OK);
			cr_assert_eq(store_commit(s), ST_OK);
			rank_index_commit(ix);
			if (i < total && i + FEED_ITEMS >= total &&
			    getenv("NEWSSTAND_BENCH_OPTIMIZE"))
				optimize_index(path);
			cr_assert_eq(store_begin(s), ST_OK);
			cr_assert_eq(rank_index_begin(ix, s), ST_OK);
		}
	}
	cr_assert_eq(rank_index_flush(ix, s), ST_OK);
	cr_assert_eq(store_commit(s), ST_OK);
	rank_index_commit(ix);
	rank_index_stats(ix, &ist);
	t_fill = seconds() - t0;
	printf("rank bench: %zu articles stored and assigned in %.1f s "
	       "(%.0f/s); last %zu: features %.1f us, assignment %.1f us "
	       "each; index %zu articles, %zu KiB, postings walked %zu at "
	       "most\n",
	       total + measured, t_fill, (double)(total + measured) / t_fill,
	       measured, t_features / (double)measured * 1e6,
	       t_assign / (double)measured * 1e6, ist.articles, ist.bytes >> 10,
	       ist.postings_max);
	rank_index_free(ix);
	if (getenv("NEWSSTAND_BENCH_MAX_US"))
		cr_expect_lt(t_assign / (double)measured * 1e6,
			     atof(getenv("NEWSSTAND_BENCH_MAX_US")));
	store_close(s);
	buf_release(&title);
	buf_release(&body);
	if (getenv("NEWSSTAND_BENCH_KEEP")) {
		printf("rank bench: database kept in %s\n", path);
		return;
	}
	test_rmdir(dir);
}
