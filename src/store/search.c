/*
 * search.c — full-text search over the articles' index: news_rank(), the
 * user's words as an FTS5 query, and the ranked, filtered, paged result.
 */
#include "common.h"

#include <ctype.h>
#include <math.h>

#include "base/clock.h"
#include "base/log.h"
#include "store/internal.h"

/*
 * The search rank, news_rank(articles_fts): bm25 without its length
 * normalisation (b = 0), title 10, byline 2, text 1, k1 = 1.2, and each
 * word's document frequency counted only up to RANK_DF_CAP. FTS5's own
 * bm25() reads every match's row of the docsize table (the lengths) and,
 * for the idf, walks every word's whole doclist once per query: most of a
 * search's time at a million articles. Here a row costs its position
 * lists, and a word in RANK_DF_CAP articles or more counts as common (all
 * common words weigh the same; rarer ones, names mostly, weigh more).
 * Lower is better, as with bm25().
 */
enum { RANK_DF_CAP = 100 };
static const double rank_weights[] = {10.0, 2.0, 1.0};
#define RANK_K1 1.2

struct rank_idf {
	int phrases;   /* the query's phrases */
	double idf[1]; /* per phrase, phrases of them */
};

/*
 * Each connection remembers the words found in RANK_DF_CAP articles or
 * more (most words of most searches): their capped count does not change
 * as articles arrive, so the rank need not walk their doclists again.
 * (Deleting articles could bring a word back under the cap; its weight
 * would then lag a little.) The words are read from the FTS5 query that
 * fts_query() wrote, news_rank()'s second argument: one quoted word per
 * phrase, in order, "*" after a prefix. One slot per hash of the word.
 */
enum { RANK_CACHE_SLOTS = 256, RANK_WORD_MAX = 40 };

struct rank_cache {
	char word[RANK_CACHE_SLOTS][RANK_WORD_MAX]; /* "" when empty */
};

static int
count_capped(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg)
{
	int64_t *count = arg;

	(void)api;
	(void)fts;
	return ++*count >= RANK_DF_CAP ? SQLITE_DONE : SQLITE_OK;
}

/*
 * The word of the next phrase of an FTS5 query written by fts_query(), from
 * *p: its quoted text and a "*" after it when it is a prefix. Advances *p;
 * false when there are no more.
 */
static bool
next_word(const char **p, const char **word, size_t *len)
{
	const char *start = strchr(*p, '"'), *end;

	if (!start || !(end = strchr(start + 1, '"')))
		return false;
	if (end[1] == '*')
		end++;
	*word = start + 1;
	*len = (size_t)(end - start);
	*p = end + 1;
	return true;
}

/* The cache slot of a word, or NULL for a word too long for one. */
static char *
rank_cache_slot(struct rank_cache *cache, const char *word, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	if (!cache || len >= RANK_WORD_MAX)
		return NULL;
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)word[i]) * 16777619u;
	return cache->word[h % RANK_CACHE_SLOTS];
}

static struct rank_idf *
rank_idf_new(const Fts5ExtensionApi *api, Fts5Context *fts, const char *query,
	     int *rc)
{
	struct rank_cache *cache = api->xUserData(fts);
	int phrases = api->xPhraseCount(fts), i;
	struct rank_idf *d = xcalloc(1, sizeof(*d) + (size_t)MAX(phrases, 1) *
							     sizeof(double));
	const char *p = query, *word = NULL;
	sqlite3_int64 rows = 0;
	size_t len = 0;

	d->phrases = phrases;
	*rc = api->xRowCount(fts, &rows);
	/* The cache only when the query has one quoted word per phrase. */
	for (i = 0; p && next_word(&p, &word, &len); i++)
		;
	if (i != phrases)
		cache = NULL;
	p = query;
	for (i = 0; *rc == SQLITE_OK && i < phrases; i++) {
		char *slot = NULL;
		int64_t df = 0;

		if (cache && next_word(&p, &word, &len))
			slot = rank_cache_slot(cache, word, len);
		if (slot && !strncmp(slot, word, len) && !slot[len])
			df = RANK_DF_CAP;
		else
			*rc = api->xQueryPhrase(fts, i, &df, count_capped);
		if (slot && df >= RANK_DF_CAP) {
			memcpy(slot, word, len);
			slot[len] = '\0';
		}
		d->idf[i] = log(1.0 + ((double)rows - (double)df + 0.5) /
					      ((double)df + 0.5));
	}
	if (*rc == SQLITE_OK)
		*rc = api->xSetAuxdata(fts, d, free);
	else
		free(d);
	return *rc == SQLITE_OK ? d : NULL;
}

/* news_rank(articles_fts [, the FTS5 query as written by fts_query()]) */
static void
news_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
	  int argc, sqlite3_value **argv)
{
	struct rank_idf *d = api->xGetAuxdata(fts, 0);
	double freq[40] = {0}, score = 0;
	int rc = SQLITE_OK, count = 0, i;

	if (!d)
		d = rank_idf_new(
			api, fts,
			argc > 0 ? (const char *)sqlite3_value_text(argv[0])
				 : NULL,
			&rc);
	if (rc == SQLITE_OK)
		rc = api->xInstCount(fts, &count);
	for (i = 0; rc == SQLITE_OK && i < count; i++) {
		int phrase, column, offset;

		rc = api->xInst(fts, i, &phrase, &column, &offset);
		if (rc == SQLITE_OK && phrase < (int)ARRAY_SIZE(freq) &&
		    column < (int)ARRAY_SIZE(rank_weights))
			freq[phrase] += rank_weights[column];
	}
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	for (i = 0; i < d->phrases && i < (int)ARRAY_SIZE(freq); i++)
		score += d->idf[i] * freq[i] * (RANK_K1 + 1.0) /
			 (freq[i] + RANK_K1);
	sqlite3_result_double(ctx, -score);
}

enum status
store_search_init(struct store *s)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return store_fail(s, "search: no FTS5");
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (!api || api->iVersion < 2)
		return log_error(ST_DB, "store: search: no FTS5 API");
	if (api->xCreateFunction(api, "news_rank",
				 xcalloc(1, sizeof(struct rank_cache)),
				 news_rank, free) != SQLITE_OK)
		return store_fail(s, "search: rank function");
	return ST_OK;
}

void
search_result_release(struct search_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->count; i++)
		article_release(&r->items[i].article);
	free(r->items);
	memset(r, 0, sizeof(*r));
}

/*
 * Turns the user's words into an FTS5 query: every run of letters and
 * digits becomes a quoted term (so no user text is FTS syntax) and all
 * terms must match. With prefix, the last term may also be a prefix
 * ("harb" finds "harbour") when it has SEARCH_PREFIX_MIN characters or
 * more; *has_prefix says whether it became one.
 */
enum { SEARCH_PREFIX_MIN = 3, SEARCH_TERMS_MAX = 32 };

static enum status
fts_query(const char *text, bool prefix, struct buf *out, bool *has_prefix)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t terms = 0, last_len = 0;

	*has_prefix = false;
	while (*p) {
		const unsigned char *start;

		while (*p && !(isalnum(*p) || *p >= 0x80))
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && (isalnum(*p) || *p >= 0x80))
			p++;
		if (terms++)
			buf_addc(out, ' ');
		buf_addc(out, '"');
		buf_add(out, start, (size_t)(p - start));
		buf_addc(out, '"');
		last_len = (size_t)(p - start);
		if (terms > SEARCH_TERMS_MAX)
			break;
	}
	if (!terms)
		return ST_INVAL;
	if (prefix && last_len >= SEARCH_PREFIX_MIN &&
	    !isspace((unsigned char)text[strlen(text) - 1])) {
		buf_addc(out, '*');
		*has_prefix = true;
	}
	return out->err;
}

/* Whether the FTS5 query matches any article (it stops at the first). */
static enum status
search_matches_any(struct store *s, const char *match, bool *any)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT rowid FROM articles_fts"
					 " WHERE articles_fts MATCH ? LIMIT 1");
	int rc;

	if (!st)
		return ST_DB;
	bind_text(st, 1, match);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "search");
	*any = rc == SQLITE_ROW;
	return ST_OK;
}

/*
 * Search ranks the matches by news_rank() (above) with a recency boost of
 * up to 50% for today's articles, fading over a few days, in blocks: the
 * newest SEARCH_BLOCK matches that pass the filters (publisher, topic,
 * dates), best first, then the next SEARCH_BLOCK newest, and so on. A
 * query with at most SEARCH_BLOCK matches is ranked as a whole. A common
 * word costs one block, not its tens of thousands of matches: the index
 * walks a word's matches newest first (forwards: its rowid is the id
 * negated, FTS_ROWID(), and ids follow the time articles arrive) and
 * stops after the block; a page reads the one or two blocks it lies in,
 * so offsets stay consistent at any depth.
 *
 * The last word is a prefix only when the words as typed match nothing:
 * FTS5 reads every doclist of a prefix's words in full before it returns a
 * match.
 */
enum { SEARCH_BLOCK = 50 };

/* A match of the blocks read: its block, its score, its id. */
struct search_candidate {
	size_t block;
	double score; /* news_rank() with the recency boost: lower first */
	int64_t id;
};

static int
candidate_cmp(const void *a, const void *b)
{
	const struct search_candidate *x = a, *y = b;

	if (x->block != y->block)
		return x->block < y->block ? -1 : 1;
	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

/*
 * The matches of blocks first.. (count of them) that pass the filters,
 * newest first, each with its score; *n is how many (at most
 * count * SEARCH_BLOCK). One statement and no temporary table: the index
 * walks the matches newest first and the join reads each one's row for its
 * date and the filters.
 */
static enum status
search_candidates(struct store *s, const struct search_query *q,
		  const char *match, size_t first, size_t count,
		  struct search_candidate *out, size_t *n)
{
	sqlite3_stmt *st = store_stmt(
		s,
		"SELECT -f.rowid, news_rank(articles_fts, ?1), a.published_at"
		" FROM articles_fts f JOIN articles a ON a.id = -f.rowid"
		" WHERE articles_fts MATCH ?1"
		" AND (?2 = 0 OR a.publisher_id = ?2)"
		" AND (?3 = 0 OR EXISTS (SELECT 1 FROM article_topics x"
		"  WHERE x.article_id = a.id AND x.topic_id = ?3))"
		" AND a.published_at >= ?4 AND a.published_at < ?5"
		" ORDER BY f.rowid LIMIT ?6 OFFSET ?7");
	int64_t now = clock_now();
	size_t got = 0;
	int step;

	if (!st)
		return ST_DB;
	bind_text(st, 1, match);
	sqlite3_bind_int64(st, 2, q->publisher_id);
	sqlite3_bind_int64(st, 3, q->topic_id);
	sqlite3_bind_int64(st, 4, q->since);
	sqlite3_bind_int64(st, 5, q->until ? q->until : INT64_MAX);
	sqlite3_bind_int64(st, 6, (int64_t)(count * SEARCH_BLOCK));
	sqlite3_bind_int64(st, 7, (int64_t)(first * SEARCH_BLOCK));
	while ((step = sqlite3_step(st)) == SQLITE_ROW &&
	       got < count * SEARCH_BLOCK) {
		struct search_candidate *c = &out[got];
		int64_t age = now - sqlite3_column_int64(st, 2);

		c->id = sqlite3_column_int64(st, 0);
		c->block = first + got / SEARCH_BLOCK;
		/* The same operations, in the same order, as the SQL
		 * b * (1.0 + 0.5 / (1.0 + max(0, now - t) / 86400.0)). */
		c->score = sqlite3_column_double(st, 1) *
			   (1.0 + 0.5 / (1.0 + (double)MAX(age, 0) / 86400.0));
		got++;
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_fail(s, "search");
	*n = got;
	return ST_OK;
}

/*
 * Reads the card of article id (no body) into a, the brief one (see
 * store_search() in store.h) when brief; ST_NOTFOUND if gone. The brief
 * card skips the topics (a subquery per row) and the columns a list of
 * results does not show.
 */
static enum status
search_card(struct store *s, int64_t id, bool brief, struct article *a)
{
	sqlite3_stmt *st =
		brief ? store_stmt(s,
				   "SELECT a.publisher_id, a.title,"
				   " coalesce(nullif(a.teaser_text, ''),"
				   "  a.summary),"
				   " a.published_at, a.updated_at,"
				   " p.slug, p.name, p.logo"
				   " FROM articles a"
				   " JOIN publishers p ON p.id = a.publisher_id"
				   " WHERE a.id = ?1")
		      : store_stmt(s, "SELECT " ARTICLE_COLUMNS(
					      "0") " FROM articles a"
						   " JOIN publishers p"
						   " ON p.id = a.publisher_id"
						   " WHERE a.id = ?1");
	int step;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && brief) {
		memset(a, 0, sizeof(*a));
		a->id = id;
		a->publisher_id = sqlite3_column_int64(st, 0);
		a->title = col_text(st, 1);
		a->teaser_text = col_text(st, 2);
		a->published_at = sqlite3_column_int64(st, 3);
		a->updated_at = sqlite3_column_int64(st, 4);
		a->publisher_slug = col_text(st, 5);
		a->publisher_name = col_text(st, 6);
		a->publisher_logo = col_text(st, 7);
	} else if (step == SQLITE_ROW) {
		read_article(st, a);
	}
	sqlite3_reset(st);
	if (step == SQLITE_DONE)
		return ST_NOTFOUND;
	return step == SQLITE_ROW ? ST_OK : store_fail(s, "search card");
}

static enum status
search_run(struct store *s, const struct search_query *q, const char *match,
	   size_t limit, struct search_result *out)
{
	/* The blocks that hold this page (and the hit after it). */
	size_t first = q->offset / SEARCH_BLOCK,
	       last = (q->offset + limit) / SEARCH_BLOCK,
	       skip = q->offset - first * SEARCH_BLOCK, n = 0, i;
	struct search_candidate *c =
		xcalloc((last - first + 1) * SEARCH_BLOCK, sizeof(*c));
	struct search_result r = {0};
	enum status rc;

	rc = search_candidates(s, q, match, first, last - first + 1, c, &n);
	if (rc)
		goto out;
	qsort(c, n, sizeof(*c), candidate_cmp);
	r.items = xcalloc(limit + 1, sizeof(*r.items));
	for (i = skip; i < n && r.count < limit; i++) {
		rc = search_card(s, c[i].id, q->brief,
				 &r.items[r.count].article);
		if (rc == ST_NOTFOUND)
			continue;
		if (rc)
			goto out;
		r.items[r.count++].score = c[i].score;
	}
	r.more = i < n;
	*out = r;
	r = (struct search_result){0};
out:
	search_result_release(&r);
	free(c);
	return rc == ST_NOTFOUND ? ST_OK : rc;
}

/* Steps sql, a statement without rows (a string literal: see store_stmt). */
static enum status
search_step(struct store *s, const char *sql)
{
	sqlite3_stmt *st = store_stmt(s, sql);

	return st ? store_step_done(s, st, "search") : ST_DB;
}

enum status
store_search(struct store *s, const struct search_query *q,
	     struct search_result *out)
{
	struct buf match = BUF_INIT;
	struct search_result r = {0};
	size_t limit = q->limit ? MIN(q->limit, 100) : 20;
	bool prefix = false, any = true, own;
	enum status rc;

	if (!q->text || fts_query(q->text, false, &match, &prefix)) {
		buf_release(&match);
		return ST_INVAL;
	}
	/* The statements below read one snapshot: the caller's, or one
	 * read transaction of their own (each statement outside one would
	 * take and drop the WAL read lock). */
	own = sqlite3_get_autocommit(s->db);
	if (own && search_step(s, "BEGIN")) {
		buf_release(&match);
		return ST_DB;
	}
	rc = search_run(s, q, match.data, limit, &r);
	if (!rc && !r.count)
		rc = search_matches_any(s, match.data, &any);
	if (!rc && !any) {
		buf_reset(&match);
		rc = fts_query(q->text, true, &match, &prefix);
		if (!rc && prefix) {
			search_result_release(&r);
			rc = search_run(s, q, match.data, limit, &r);
		}
	}
	buf_release(&match);
	if (own && !sqlite3_get_autocommit(s->db) && search_step(s, "COMMIT"))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (rc) {
		search_result_release(&r);
		return rc;
	}
	*out = r;
	return ST_OK;
}
