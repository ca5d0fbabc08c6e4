/*
 * rank.c — story clustering, top stories and related articles.
 *
 * Clustering compares a new article with the articles the in-memory index
 * (index.c) finds for its rarest heavy words within 48 hours either side,
 * scoring each from stored features (features.c) by title overlap, cosine
 * similarity of the opening text and simhash distance; the article joins
 * the story of the best one when the score passes JOIN_THRESHOLD.
 * docs/internals/ranking.md has the reasoning.
 */
#include "common.h"

#include <math.h>
#include <strings.h>
#include <time.h>

#include "base/log.h"
#include "rank/internal.h"
#include "rank/rank.h"
#include "store/features.h"
#include "store/reading.h"
#include "text/text.h"

/* clang-format off */
enum {
	CANDIDATES = 16,	   /* articles the index proposes, scored */
	NEIGHBOURS = 8,		   /* closest candidates kept as neighbours */
	ASSIGN_SAMPLE = 64,	   /* articles per one timed for the statistics */
	QUERY_TERMS = 6,	   /* related: heaviest words searched for */
	TOP_WINDOW = 72 * 3600,	   /* top stories: seen this recently */
	TOP_FALLBACK = 30 * 86400, /* ...or this, when too few */
	TOP_POOL_MIN = 100,	   /* stories scored for a top list */
	READS_WINDOW = 24 * 3600,  /* reads counted over this time */
	RELATED_WINDOW = 7 * 86400, /* related: published this close */
	RELATED_PER_PUBLISHER = 2, /* at most this many from one publisher */
	STORY_MAX_ARTICLES = 200,  /* articles loaded for a story page */
};
/* clang-format on */

#define JOIN_THRESHOLD	0.28 /* join a story at this similarity or more */
#define HALF_LIFE_HOURS 12.0 /* top stories halve in weight this often */
#define READS_WEIGHT	1.0  /* weight of ln(1 + reads in 24 h) */
#define ARTICLES_WEIGHT 0.5  /* weight of ln(article count) */
#define NEIGHBOUR_MIN	0.05 /* candidates this similar are neighbours */

/* What the search for related articles needs of one article. */
struct features {
	struct text_tokens title; /* stemmed title words, no stop words */
	struct text_tokens text;  /* title and opening text, the same way */
	struct text_vec vec;	  /* term vector of text */
};

static void
features_init(struct features *f)
{
	text_tokens_init(&f->title);
	text_tokens_init(&f->text);
	text_vec_init(&f->vec);
}

static void
features_release(struct features *f)
{
	text_tokens_release(&f->title);
	text_tokens_release(&f->text);
	text_vec_release(&f->vec);
}

/* Bytes of s that hold its first chars characters (UTF-8). */
static size_t
utf8_prefix(const char *s, size_t chars)
{
	size_t i = 0;

	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (!chars)
				break;
			chars--;
		}
	}
	return i;
}

/* The text an article is compared by: its body, else its summary. */
static const char *
article_text(const char *body_text, const char *summary)
{
	if (body_text && *body_text)
		return body_text;
	return summary ? summary : "";
}

static void
features_build(struct features *f, const char *title, const char *text)
{
	const int flags = TEXT_STOPWORDS | TEXT_STEM;

	title = title ? title : "";
	text = text ? text : "";
	text_tokens_reset(&f->title);
	text_tokens_reset(&f->text);
	text_tokenize(&f->title, title, strlen(title), flags, 0);
	text_tokenize(&f->text, title, strlen(title), flags, 0);
	text_tokenize(&f->text, text, utf8_prefix(text, LEAD_CHARS), flags, 0);
	text_vec_build(&f->vec, &f->text, NULL);
}

/*
 * The search query for an article: its heaviest words, each quoted, joined
 * with OR. Writes an empty string when no word qualifies.
 */
static void
build_query(const struct features *f, struct buf *q)
{
	size_t top[QUERY_TERMS * 2], n, i, used = 0;

	n = text_vec_top(&f->vec, ARRAY_SIZE(top), top);
	for (i = 0; i < n && used < QUERY_TERMS; i++) {
		const struct text_term *term = &f->vec.terms[top[i]];
		const struct text_token *tok = &f->text.items[term->token];

		/* Lone digits and two-letter words find everything. */
		if (tok->surface_len < 3 && !(tok->flags & TOKEN_NUMBER))
			continue;
		if (tok->surface_len < 2)
			continue;
		buf_adds(q, used ? " OR \"" : "\"");
		buf_adds(q, text_token_surface(&f->text, term->token));
		buf_addc(q, '"');
		used++;
	}
}

/* The stored score of a story: how widely it is covered. */
static double
coverage_score(int64_t publishers, int64_t articles)
{
	double p = (double)MAX(publishers, 1);

	return p * p + ARTICLES_WEIGHT * log((double)MAX(articles, 1));
}

/* Recomputes a story from its articles; ix (or NULL) forgets its tally. */
static enum status
refresh_story(struct rank_index *ix, struct store *s, int64_t story_id)
{
	struct story_counts c;
	enum status rc;

	if (ix)
		rank_index_tally_drop(ix, story_id);
	rc = store_story_refresh(s, story_id, &c);

	if (rc || !c.article_count)
		return rc;
	return store_story_set_score(
		s, story_id,
		coverage_score(c.publisher_count, c.article_count));
}

/*
 * Adds a just-linked article to its story's counters, lead and score:
 * what refresh_story() computes, without reading the story's articles
 * (a story of thousands costs no more than one of two). Inside the
 * index's transaction the story's tally is kept by the index and written
 * at its flush: a story that many articles join is read once and written
 * once per transaction.
 */
static enum status
story_add_article(struct rank_index *ix, struct store *s, int64_t story_id,
		  const struct article *a)
{
	struct rank_tally own, *t;
	bool added, has_publisher, is_long, lead_long;
	struct story_counts *c;
	enum status rc = ST_OK;

	t = rank_index_tally(ix, story_id, &added);
	if (!t || added) {
		struct rank_tally *fill = t ? t : &own;

		rc = store_story_counts(s, story_id, &fill->c,
					&fill->lead_words, &fill->lead_at);
		if (rc || !fill->c.article_count || !fill->c.lead_article_id) {
			rank_index_tally_drop(ix, story_id);
			return rc ? rc : refresh_story(ix, s, story_id);
		}
		t = fill;
	}
	c = &t->c;
	has_publisher =
		rank_index_story_has_publisher(ix, story_id, a->publisher_id);
	if (!has_publisher)
		rc = store_story_has_publisher(s, story_id, a->publisher_id,
					       a->id, &has_publisher);
	if (rc) {
		rank_index_tally_drop(ix, story_id);
		return rc;
	}
	c->article_count++;
	c->publisher_count += !has_publisher;
	c->first_seen_at = MIN(c->first_seen_at, a->published_at);
	c->last_seen_at = MAX(c->last_seen_at, a->published_at);
	/* The lead: the earliest long article, else the earliest. */
	is_long = a->word_count >= STORY_LEAD_MIN_WORDS;
	lead_long = t->lead_words >= STORY_LEAD_MIN_WORDS;
	if (is_long != lead_long ? is_long
				 : a->published_at < t->lead_at ||
					   (a->published_at == t->lead_at &&
					    a->id < c->lead_article_id)) {
		c->lead_article_id = a->id;
		t->lead_words = a->word_count;
		t->lead_at = a->published_at;
	}
	t->score = coverage_score(c->publisher_count, c->article_count);
	if (t == &own)
		return store_story_save_counts(s, story_id, c, t->score);
	/* Last: the index's table may move as it grows, and t with it. */
	rank_index_story_add_publisher(ix, story_id, a->publisher_id);
	return ST_OK;
}

/* This thread's CPU time, nanoseconds (for the index's statistics). */
static uint64_t
thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A scored candidate. */
struct scored {
	struct rank_candidate c; /* from the index */
	double sim;		 /* similarity to the new article */
};

static int
scored_cmp(const void *pa, const void *pb)
{
	const struct scored *a = pa, *b = pb;

	if (a->sim != b->sim)
		return a->sim > b->sim ? -1 : 1;
	return a->c.article_id > b->c.article_id
		       ? -1
		       : a->c.article_id < b->c.article_id;
}

static enum status
save_features(struct store *s, const struct article *a,
	      const struct rank_features *f)
{
	struct buf blob = BUF_INIT;
	enum status rc;

	rank_features_encode(f, &blob);
	rc = blob.err ? blob.err
		      : store_features_put(s, a->id, a->published_at, blob.data,
					   blob.len);
	buf_release(&blob);
	return rc;
}

/*
 * Scores the candidates, records the closest as neighbours and returns
 * the story to join in *story (0: none similar enough). What the index
 * says of a candidate's story is checked against the store first unless
 * it is still true (rank_index_story_of()): the article may have been
 * deleted or clustered again since.
 */
static enum status
choose_story(struct rank_index *ix, struct store *s, const struct article *a,
	     const struct rank_features *f, int64_t *story)
{
	struct rank_candidate cands[CANDIDATES];
	struct scored scored[CANDIDATES];
	struct rank_probe probe;
	size_t n, i, neighbours = 0;
	enum status rc;

	*story = 0;
	n = rank_index_candidates(ix, f, a->id, a->published_at, cands,
				  CANDIDATES);
	if (!n)
		return ST_OK;
	for (i = 0; i < n; i++)
		rank_features_prefetch(cands[i].features);
	/* f's terms in a table once, looked up by every candidate. */
	rank_probe_init(&probe, f);
	for (i = 0; i < n; i++) {
		scored[i].c = cands[i];
		scored[i].sim = rank_similarity_probe(
			&probe, cands[i].features,
			a->published_at - cands[i].published_at);
		log_debug("rank: article %" PRId64 " ~ %" PRId64 ": %.3f",
			  a->id, cands[i].article_id, scored[i].sim);
	}
	rank_probe_release(&probe);
	qsort(scored, n, sizeof(*scored), scored_cmp);
	for (i = 0; i < n; i++) {
		const struct scored *c = &scored[i];
		bool neighbour =
			neighbours < NEIGHBOURS && c->sim >= NEIGHBOUR_MIN;
		int64_t current = 0;

		if (!neighbour && (*story || c->sim < JOIN_THRESHOLD))
			break;
		rc = rank_index_story_of(ix, s, &c->c, &current);
		if (rc == ST_NOTFOUND)
			continue;
		if (rc)
			return rc;
		/* Kept for the related list, so pages need no search. */
		if (neighbour) {
			rc = rank_index_neighbours_add(ix, s, a->id,
						       c->c.article_id, c->sim);
			if (rc)
				return rc;
			neighbours++;
		}
		if (!*story && current && c->sim >= JOIN_THRESHOLD)
			*story = current;
	}
	return ST_OK;
}

/*
 * Puts a stored article in its story: the one it is in (current, refreshed)
 * or the closest one, else a story of its own. Writes the story's id.
 */
static enum status
link_stored(struct rank_index *ix, struct store *s, struct article *a,
	    const struct rank_features *f, int64_t current, int64_t *story)
{
	enum status rc = ST_OK;

	if (current) {
		/* Already clustered (an update): keep it, refresh the story. */
		*story = current;
		if (f->fingerprint != a->fingerprint)
			rc = store_story_link(s, a->id, current,
					      f->fingerprint);
		return rc ? rc : refresh_story(ix, s, current);
	}
	rc = choose_story(ix, s, a, f, story);
	if (rc)
		return rc;
	if (!*story)
		return store_story_create(s, a, f->fingerprint,
					  coverage_score(1, 1), story);
	rc = store_story_link(s, a->id, *story, f->fingerprint);
	return rc ? rc : story_add_article(ix, s, *story, a);
}

/*
 * rank_assign(), or with insert set rank_assign_new(): then the article is
 * not stored yet and insert() writes its row once its story is known.
 */
static enum status
assign(struct rank_index *ix, struct store *s, struct article *a,
       const struct rank_features *given, rank_insert_fn *insert, void *ctx)
{
	const struct rank_features *f = given;
	struct rank_features own;
	int64_t current = 0, story = 0;
	bool stored = false, created = false;
	/* Timed one article in ASSIGN_SAMPLE: the clock is a system call. */
	bool timed = rank_index_assigned(ix) % ASSIGN_SAMPLE == 0;
	uint64_t started = timed ? thread_cpu_ns() : 0;
	enum status rc;

	rank_features_init(&own);
	rc = insert ? ST_OK : store_story_of_article(s, a->id, &current);
	if (!rc)
		rc = rank_index_load_window(ix, s, a->published_at,
					    f ? a->id : 0);
	if (rc)
		goto out;
	if (!f) {
		/* Already stored with the article (reclustering), or made
		 * from its text now. */
		f = insert ? NULL : rank_index_features(ix, a->id);
		stored = f != NULL;
		if (!f) {
			rank_features_build(&own, a->title,
					    a->body_text && *a->body_text
						    ? a->body_text
						    : a->summary);
			f = &own;
		}
	}
	if (insert) {
		/* The row comes with its story: the story first (its lead is
		 * this article's id), then the row, then what refers to it. */
		rc = choose_story(ix, s, a, f, &story);
		created = !rc && !story;
		if (created)
			rc = store_story_new(s, a, coverage_score(1, 1),
					     &story);
		if (!rc) {
			a->story_id = story;
			a->fingerprint = f->fingerprint;
			rc = insert(s, a, ctx);
		}
		if (!rc)
			rc = save_features(s, a, f);
		if (!rc && !created)
			rc = story_add_article(ix, s, story, a);
	} else {
		rc = stored ? ST_OK : save_features(s, a, f);
		if (!rc)
			rc = link_stored(ix, s, a, f, current, &story);
	}
	if (!rc && rank_index_claim_bump(ix))
		rc = store_content_bump(s);
	if (rc)
		goto out;
	rank_index_put(ix, a->id, a->published_at, story, f);
	rank_index_count_assign(
		ix, timed ? (thread_cpu_ns() - started) * ASSIGN_SAMPLE : 0);
	a->story_id = story;
	a->fingerprint = f->fingerprint;
out:
	rank_features_release(&own);
	return rc;
}

enum status
rank_assign(struct rank_index *ix, struct store *s, struct article *a,
	    const struct rank_features *f)
{
	return assign(ix, s, a, f, NULL, NULL);
}

enum status
rank_assign_new(struct rank_index *ix, struct store *s, struct article *a,
		const struct rank_features *f, rank_insert_fn *insert,
		void *ctx)
{
	return assign(ix, s, a, f, insert, ctx);
}

enum status
rank_assign_story(struct store *s, struct article *a)
{
	struct rank_index *ix = rank_index_new(0);
	enum status rc = rank_assign(ix, s, a, NULL);

	rank_index_free(ix);
	return rc;
}

/* ---- Top stories -------------------------------------------------------- */

static int
reads_cmp(const void *key, const void *elem)
{
	int64_t id = *(const int64_t *)key;
	const struct story_reads *r = elem;

	return id < r->story_id ? -1 : id > r->story_id;
}

static int
story_score_cmp(const void *pa, const void *pb)
{
	const struct story *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->last_seen_at != b->last_seen_at)
		return a->last_seen_at > b->last_seen_at ? -1 : 1;
	return a->id > b->id ? -1 : a->id < b->id;
}

static void
strip_body(struct article *a)
{
	free(a->body_html);
	free(a->body_text);
	a->body_html = NULL;
	a->body_text = NULL;
}

/* Loads the lead article of st into st->lead (which holds its id). */
static enum status
load_lead(struct store *s, struct story *st)
{
	struct article lead;
	enum status rc = store_article_get(s, st->lead.id, &lead);

	if (rc)
		return rc;
	strip_body(&lead);
	article_release(&st->lead);
	st->lead = lead;
	return ST_OK;
}

enum status
rank_top_stories(struct store *s, int64_t now, size_t limit,
		 struct story_list *out)
{
	struct story_list l = {0};
	struct story_reads *reads = NULL;
	size_t n_reads = 0, pool = MAX(limit * 8, (size_t)TOP_POOL_MIN), i,
	       kept;
	enum status rc;

	if (!limit) {
		*out = l;
		return ST_OK;
	}
	rc = store_story_top(s, now - TOP_WINDOW, pool, &l);
	if (!rc && l.count < limit) {
		story_list_release(&l);
		rc = store_story_top(s, now - TOP_FALLBACK, pool, &l);
	}
	if (rc)
		goto out;
	rc = store_story_reads_since(s, now - READS_WINDOW, &reads, &n_reads);
	if (rc)
		goto out;
	for (i = 0; i < l.count; i++) {
		struct story *st = &l.items[i];
		const struct story_reads *r =
			n_reads ? bsearch(&st->id, reads, n_reads,
					  sizeof(*reads), reads_cmp)
				: NULL;
		double age_hours =
			(double)MAX(now - st->last_seen_at, 0) / 3600.0;

		st->reads = r ? r->reads : 0;
		st->score = (coverage_score(st->publisher_count,
					    st->article_count) +
			     READS_WEIGHT * log1p((double)st->reads)) *
			    exp2(-age_hours / HALF_LIFE_HOURS);
	}
	if (l.count)
		qsort(l.items, l.count, sizeof(*l.items), story_score_cmp);
	/* Keep the best limit whose lead loads; release the rest. */
	for (i = kept = 0; i < l.count; i++) {
		enum status lead_rc = ST_NOTFOUND;

		if (kept < limit && !rc)
			lead_rc = load_lead(s, &l.items[i]);
		if (!lead_rc) {
			l.items[kept++] = l.items[i];
			continue;
		}
		if (lead_rc != ST_NOTFOUND)
			rc = lead_rc;
		story_release(&l.items[i]);
	}
	l.count = kept;
out:
	free(reads);
	if (rc) {
		story_list_release(&l);
		return rc;
	}
	*out = l;
	return ST_OK;
}

/* ---- Related articles --------------------------------------------------- */

bool
rank_related_full(const struct rank_related *r)
{
	return r->list.count >= r->limit;
}

static bool
same_title(const char *a, const char *b)
{
	return a && b && !strcasecmp(a, b);
}

/* May candidate c join the list: not itself, not a repeat or near copy,
 * and not a third article of one publisher? */
static bool
related_accepts(const struct rank_related *r, int64_t id, int64_t publisher_id,
		uint64_t fingerprint, const char *title)
{
	size_t i, same_publisher = 0;

	if (id == r->self->id ||
	    rank_is_near_copy(fingerprint, r->self->fingerprint) ||
	    same_title(title, r->self->title))
		return false;
	for (i = 0; i < r->list.count; i++) {
		const struct article *x = &r->list.items[i];

		if (x->id == id ||
		    rank_is_near_copy(fingerprint, x->fingerprint) ||
		    same_title(title, x->title))
			return false;
		if (x->publisher_id == publisher_id)
			same_publisher++;
	}
	return same_publisher < RELATED_PER_PUBLISHER;
}

/* Moves *a into the list (a is left empty). */
static void
related_add(struct rank_related *r, struct article *a)
{
	if (r->list.count == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 8;
		r->list.items = xreallocarray(r->list.items, r->alloc,
					      sizeof(*r->list.items));
	}
	strip_body(a);
	r->list.items[r->list.count++] = *a;
	memset(a, 0, sizeof(*a));
}

bool
rank_related_offer(struct rank_related *r, struct article *a)
{
	if (!related_accepts(r, a->id, a->publisher_id, a->fingerprint,
			     a->title))
		return false;
	related_add(r, a);
	return true;
}

void
rank_related_story(struct rank_related *r, struct article *story, size_t n)
{
	size_t i, j;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n && !rank_related_full(r); i++) {
			struct article *a = &story[i];
			bool listed = false;

			if (!a->id)
				continue;
			if (pass == 0) {
				/* Other publishers first, one each. */
				if (a->publisher_id == r->self->publisher_id)
					continue;
				for (j = 0; j < r->list.count; j++)
					if (r->list.items[j].publisher_id ==
					    a->publisher_id)
						listed = true;
				if (listed)
					continue;
			}
			rank_related_offer(r, a);
		}
	}
}

size_t
rank_related_neighbours_wanted(const struct rank_related *r)
{
	if (rank_related_full(r))
		return 0;
	return MIN(r->limit - r->list.count + 3,
		   (size_t)RANK_RELATED_NEIGHBOURS);
}

/* The article's own story: one article per other publisher, then more. */
static enum status
related_from_story(struct store *s, struct rank_related *r)
{
	struct article_query q = {.story_id = r->self->story_id,
				  .limit = RANK_RELATED_STORY_ARTICLES};
	struct article_list l = {0};
	enum status rc;

	rc = store_article_list(s, &q, &l);
	if (rc)
		return rc;
	rank_related_story(r, l.items, l.count);
	article_list_release(&l);
	return ST_OK;
}

/* The neighbours clustering recorded for the article, closest first. */
static enum status
related_from_neighbours(struct store *s, struct rank_related *r)
{
	struct article_list l = {0};
	enum status rc;
	size_t i;

	/* What is missing and a few more: some fall to the publisher and
	 * copy rules, and reading rows is most of a related list's cost. */
	rc = reading_neighbours(s, r->self->id,
				rank_related_neighbours_wanted(r), &l);
	for (i = 0; !rc && i < l.count && !rank_related_full(r); i++)
		rank_related_offer(r, &l.items[i]);
	article_list_release(&l);
	return rc;
}

/*
 * Nearest articles by text within a week of the article, through the
 * search index: for articles that clustering has not seen (no
 * fingerprint), whose neighbours were never recorded.
 */
static enum status
related_by_text(struct store *s, struct rank_related *r)
{
	struct features f;
	struct buf query = BUF_INIT;
	struct story_candidate_list cands = {0};
	enum status rc;
	size_t i;

	features_init(&f);
	features_build(&f, r->self->title,
		       article_text(r->self->body_text, r->self->summary));
	build_query(&f, &query);
	rc = store_story_candidates(s, query.data,
				    r->self->published_at - RELATED_WINDOW,
				    r->self->published_at + RELATED_WINDOW,
				    r->self->id, 0, r->limit * 4 + 8, &cands);
	for (i = 0; !rc && i < cands.count && !rank_related_full(r); i++) {
		const struct story_candidate *c = &cands.items[i];
		struct article a;

		if (!related_accepts(r, c->article_id, c->publisher_id,
				     c->fingerprint, c->title))
			continue;
		rc = store_article_get(s, c->article_id, &a);
		if (rc == ST_NOTFOUND) {
			rc = ST_OK;
			continue;
		}
		if (!rc)
			related_add(r, &a);
	}
	story_candidate_list_release(&cands);
	buf_release(&query);
	features_release(&f);
	return rc;
}

enum status
rank_related_article(struct store *s, const struct article *self, size_t limit,
		     struct article_list *out)
{
	struct rank_related r = {.limit = limit, .self = self};
	enum status rc = ST_OK;

	if (limit && self->story_id)
		rc = related_from_story(s, &r);
	if (!rc && !rank_related_full(&r)) {
		if (self->fingerprint)
			rc = related_from_neighbours(s, &r);
		else
			rc = related_by_text(s, &r);
	}
	if (rc) {
		article_list_release(&r.list);
		return rc;
	}
	*out = r.list;
	return ST_OK;
}

enum status
rank_related(struct store *s, int64_t article_id, size_t limit,
	     struct article_list *out)
{
	struct article self;
	enum status rc;

	rc = store_article_get(s, article_id, &self);
	if (rc)
		return rc;
	rc = rank_related_article(s, &self, limit, out);
	article_release(&self);
	return rc;
}

/* ---- One story ---------------------------------------------------------- */

/* An article with the keys it is grouped by. */
struct grouped {
	struct article article;
	bool lead_publisher;	    /* from the lead's publisher */
	int64_t publisher_first_at; /* its publisher's first article */
};

static int
grouped_cmp(const void *pa, const void *pb)
{
	const struct grouped *a = pa, *b = pb;

	if (a->lead_publisher != b->lead_publisher)
		return a->lead_publisher ? -1 : 1;
	if (a->publisher_first_at != b->publisher_first_at)
		return a->publisher_first_at < b->publisher_first_at ? -1 : 1;
	if (a->article.publisher_id != b->article.publisher_id)
		return a->article.publisher_id < b->article.publisher_id ? -1
									 : 1;
	if (a->article.published_at != b->article.published_at)
		return a->article.published_at < b->article.published_at ? -1
									 : 1;
	return a->article.id < b->article.id ? -1
					     : a->article.id > b->article.id;
}

static void
group_by_publisher(struct article_list *l, int64_t lead_publisher_id)
{
	struct grouped *g;
	size_t i, j;

	if (l->count < 2)
		return;
	g = xmallocarray(l->count, sizeof(*g));
	for (i = 0; i < l->count; i++) {
		g[i].article = l->items[i];
		g[i].lead_publisher =
			l->items[i].publisher_id == lead_publisher_id;
		g[i].publisher_first_at = l->items[i].published_at;
		for (j = 0; j < l->count; j++)
			if (l->items[j].publisher_id ==
				    l->items[i].publisher_id &&
			    l->items[j].published_at < g[i].publisher_first_at)
				g[i].publisher_first_at =
					l->items[j].published_at;
	}
	qsort(g, l->count, sizeof(*g), grouped_cmp);
	for (i = 0; i < l->count; i++)
		l->items[i] = g[i].article;
	free(g);
}

enum status
rank_story_get(struct store *s, int64_t story_id, struct story *out)
{
	struct story st;
	struct article_query q = {.story_id = story_id,
				  .limit = STORY_MAX_ARTICLES};
	enum status rc;

	rc = store_story_row(s, story_id, &st);
	if (rc)
		return rc;
	rc = load_lead(s, &st);
	if (!rc)
		rc = store_article_list(s, &q, &st.articles);
	if (rc) {
		story_release(&st);
		return rc;
	}
	group_by_publisher(&st.articles, st.lead.publisher_id);
	*out = st;
	return ST_OK;
}

enum status
rank_publisher_delete(struct store *s, int64_t publisher_id)
{
	int64_t *stories = NULL;
	size_t n = 0, i;
	enum status rc;

	rc = store_begin(s);
	if (rc)
		return rc;
	rc = store_publisher_stories(s, publisher_id, &stories, &n);
	if (!rc)
		rc = store_publisher_delete(s, publisher_id);
	for (i = 0; !rc && i < n; i++)
		rc = refresh_story(NULL, s, stories[i]);
	free(stories);
	if (rc) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s);
}

/* ---- Reclustering ------------------------------------------------------- */

enum status
rank_recluster(struct store *s, int64_t since)
{
	struct rank_index *ix = rank_index_new(0);
	int64_t *articles = NULL, *stories = NULL;
	size_t n_articles = 0, n_stories = 0, i;
	enum status rc;

	rc = store_begin(s);
	if (rc) {
		rank_index_free(ix);
		return rc;
	}
	rc = store_neighbours_forget_since(s, since);
	if (!rc)
		rc = store_story_detach_since(s, since, &articles, &n_articles,
					      &stories, &n_stories);
	for (i = 0; !rc && i < n_stories; i++)
		rc = refresh_story(NULL, s, stories[i]);
	for (i = 0; !rc && i < n_articles; i++) {
		struct article a;

		rc = store_story_article(s, articles[i], &a);
		if (rc)
			break;
		rc = rank_assign(ix, s, &a, NULL);
		article_release(&a);
	}
	rank_index_free(ix);
	free(articles);
	free(stories);
	if (rc) {
		store_rollback(s);
		return rc;
	}
	rc = store_commit(s);
	if (!rc)
		log_info("rank: reclustered %zu articles", n_articles);
	return rc;
}
