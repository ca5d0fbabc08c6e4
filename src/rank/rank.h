/*
 * rank.h — stories, top stories and related articles.
 *
 * A story is the set of articles about one event, from any number of
 * publishers. Ingest calls rank_assign_story() for every new or changed
 * article, inside its transaction, and the article joins the most similar
 * story of the last and next 48 hours or starts a new one. Pages then ask
 * for:
 *
 *   rank_top_stories()  "Top stories right now": stories ranked by how many
 *                       publishers cover them, how many articles and reads
 *                       they have, halving in weight every 12 hours since
 *                       their latest article;
 *   rank_related()      "Related stories" beside an article: its own
 *                       story's coverage by other publishers, then the
 *                       nearest articles by text (recorded when the
 *                       article was clustered: no search per page);
 *   rank_story_get()    a story page: the story with all its articles,
 *                       grouped by publisher.
 *
 * docs/internals/ranking.md explains the scores and thresholds.
 *
 * Threads: every function works on the store handle it is given (one per
 * thread). rank_assign_story() and rank_recluster() write, so they need
 * the STORE_WRITE handle; the others read and work on any handle.
 *
 * Memory: out parameters are written only on success and own what they
 * hold; free them with story_release(), story_list_release() or
 * article_list_release() (see store/stories.h and store/store.h). Articles
 * returned here never carry body_html or body_text.
 */
#ifndef NEWSSTAND_RANK_RANK_H
#define NEWSSTAND_RANK_RANK_H

#include "common.h"

#include "base/buf.h"
#include "store/stories.h"
#include "store/store.h"

/* ---- Features ----------------------------------------------------------- */

/*
 * What clustering compares of an article, computed once from its text
 * (rank_features_build(), on any thread: ingest's workers do it) and
 * stored with it (the article_features table) so that it is never
 * tokenised again:
 *
 *   the term vector of its title and opening text (the first LEAD_CHARS
 *   characters of the body, or the summary): 32-bit stem hashes, ascending,
 *   with their weights and a bit for each term that is a name or a figure;
 *   the distinct stems of its title, ascending;
 *   the simhash of the body's first 300 words (stop words left out).
 *
 * All arrays live in one allocation (mem). Zero it or rank_features_init();
 * free with rank_features_release().
 */
struct rank_features {
	uint64_t fingerprint; /* simhash of the body; 0 for an empty text */
	float norm;	      /* Euclidean length of the whole vector */
	uint32_t term_count;  /* terms in terms[], weights[], names */
	uint32_t title_count; /* stems in title[] */
	uint32_t *terms;      /* term hashes, ascending, distinct */
	float *weights;	      /* weight of each term */
	uint8_t *names;	      /* bit i set: term i is a name or figure */
	uint32_t *title;      /* title stem hashes, ascending, distinct */
	void *mem;	      /* the one allocation behind the arrays */
};

void rank_features_init(struct rank_features *f);
void rank_features_release(struct rank_features *f);

/*
 * Computes the features of an article from its title and text (body_text,
 * or the summary when there is no body; NULL is empty), replacing f's.
 */
void rank_features_build(struct rank_features *f, const char *title,
			 const char *text);

/*
 * The stored form: a little-endian blob (version 1; layout in
 * docs/internals/ranking.md), appended to out. rank_features_decode()
 * fills f from one (replacing its content); ST_PARSE when the blob is
 * malformed (wrong size, version or order).
 */
void rank_features_encode(const struct rank_features *f, struct buf *out);
enum status rank_features_decode(const void *blob, size_t len,
				 struct rank_features *f) WARN_UNUSED;

/* ---- Clustering ---------------------------------------------------------- */

/*
 * The features of the recent articles in memory, with an inverted index
 * over their terms, kept by the writer from one transaction to the next
 * (`newsstand serve` keeps one for the life of its scheduler). Articles
 * are loaded from article_features a day at a time, as the articles being
 * clustered need them (48 hours either side), and the least recently used
 * days go when the index holds more than max_bytes. It belongs to one
 * thread, the writer's; free it with rank_index_free().
 */
struct rank_index;

/* A new, empty index; max_bytes 0 takes the default (128 MiB). */
struct rank_index *rank_index_new(size_t max_bytes);
void rank_index_free(struct rank_index *ix);

/*
 * Call right after store_begin() on the writer: adds the articles other
 * processes stored since the index last looked (ids above the highest it
 * has seen) to the days it holds. rank_index_commit() after a commit;
 * rank_index_rollback() after a rollback forgets what the transaction
 * added (SQLite reuses rolled-back ids). Inside the transaction, the
 * neighbours clustering finds are stored by rank_index_flush(): call it
 * before the commit. The stories the index knows stay trusted from one
 * transaction to the next while no other connection commits (PRAGMA
 * data_version), none rolls back, and the writer's own connection moves
 * no article out of its story but through rank_assign() and
 * rank_assign_new() (store_story_changes() counts what else does).
 */
enum status rank_index_begin(struct rank_index *ix,
			     struct store *s) WARN_UNUSED;
enum status rank_index_flush(struct rank_index *ix,
			     struct store *s) WARN_UNUSED;
void rank_index_commit(struct rank_index *ix);
void rank_index_rollback(struct rank_index *ix);

/* What an index holds and has done, for tests and benchmarks. */
struct rank_index_stats {
	size_t articles;	/* articles held (live ones) */
	size_t days;		/* day buckets held */
	size_t bytes;		/* memory held, approximately */
	size_t day_loads;	/* day buckets loaded from the store */
	size_t evictions;	/* day buckets dropped for memory */
	size_t features_made;	/* features computed on load (none stored) */
	size_t assigned;	/* articles clustered through the index */
	size_t postings_walked; /* posting entries looked at, in total */
	size_t postings_max;	/* the most for one article */
	size_t candidates_max;	/* candidates scored for one article, most */
	size_t postings_bound;	/* what postings_max can never exceed */
	uint64_t assign_ns;	/* thread CPU time in rank_assign() */
	size_t revalidations;	/* transactions that read every story anew:
				 * the first, and those after another
				 * connection's commit or a rollback */
	size_t stories_read;	/* candidates' stories read from the store */
};
void rank_index_stats(const struct rank_index *ix,
		      struct rank_index_stats *out);

/*
 * Puts a stored article (a->id set, with title, published_at, publisher_id
 * and body_text or summary as given to store_article_put()) into a story:
 * the most similar story of the window when it is similar enough, else a
 * new story of its own; then updates that story's counters, lead and score.
 * f are the article's features (rank_features_build() of the same title
 * and text), or NULL to take them from the index or compute them. Saves
 * the features (article_features) and the fingerprint, writes
 * a->fingerprint and a->story_id, and records the closest candidates as
 * the article's neighbours. An article already in a story stays there
 * (its story is refreshed). Call it inside the writer's transaction after
 * store_article_put() returned ARTICLE_CREATED or ARTICLE_UPDATED.
 *
 * Candidates come from ix only: articles of the 48 hours either side
 * sharing the article's rarest heavy words, a bounded number of postings
 * per word, so the cost does not grow with the number of articles stored.
 */
enum status rank_assign(struct rank_index *ix, struct store *s,
			struct article *a,
			const struct rank_features *f) WARN_UNUSED;

/* Writes a placed article's row (store_article_insert(), say). */
typedef enum status rank_insert_fn(struct store *s, struct article *a,
				   void *ctx);

/*
 * rank_assign() for an article store_article_place() placed but did not
 * write (a->id is the id its row will have): chooses its story (creating
 * one when none is close enough) and sets a->story_id and a->fingerprint,
 * then calls insert() to write the row, then saves the features and the
 * story's counters. Linking a stored article to its story rewrites its
 * whole row (bodies included); this way the row is written once.
 */
enum status rank_assign_new(struct rank_index *ix, struct store *s,
			    struct article *a, const struct rank_features *f,
			    rank_insert_fn *insert, void *ctx) WARN_UNUSED;

/*
 * rank_assign() with an index of its own, loaded for this article and
 * dropped: for tools and tests that cluster one article at a time.
 */
enum status rank_assign_story(struct store *s, struct article *a) WARN_UNUSED;

/*
 * The best limit stories right now (now: Unix seconds, normally
 * clock_now()), each with its lead article (no body), counters, reads of
 * the last 24 hours and score. Stories seen in the last 72 hours are
 * considered; when fewer than limit exist, older ones (up to 30 days) fill
 * the list, so a quiet site still shows something.
 */
enum status rank_top_stories(struct store *s, int64_t now, size_t limit,
			     struct story_list *out) WARN_UNUSED;

/*
 * Articles related to article_id, at most limit: first the other articles
 * of its story (one per other publisher, then the rest), then the nearest
 * articles by text published within a week of it. Never the article
 * itself, no near-copies of what is already listed, at most two from any
 * one publisher. ST_NOTFOUND when the article does not exist. The
 * neighbours by text are those rank_assign_story() recorded (its
 * candidates of the 48 hours either side); an article it never saw (no
 * fingerprint) has them searched for instead, over a week either side.
 */
enum status rank_related(struct store *s, int64_t article_id, size_t limit,
			 struct article_list *out) WARN_UNUSED;

/*
 * The rules of a related list, for a caller that reads the candidates
 * itself (the reading app reads the story's articles and the recorded
 * neighbours with one statement). Start with {.limit, .self}; offer the
 * story's articles with rank_related_story(), then neighbours, closest
 * first, with rank_related_offer() while rank_related_full() is false
 * and no more than rank_related_neighbours_wanted() of them. The list is
 * r->list (the caller releases it); an offered article the rules take is
 * moved into it (left empty, its body dropped).
 */
#define RANK_RELATED_STORY_ARTICLES 48 /* newest of its story looked at */
#define RANK_RELATED_NEIGHBOURS	    32 /* stored neighbours read at most */

struct rank_related {
	struct article_list list;   /* the articles chosen so far */
	size_t alloc;		    /* allocated list items */
	size_t limit;		    /* how many are wanted */
	const struct article *self; /* the article they relate to */
};

bool rank_related_full(const struct rank_related *r);
/* Takes *a when it is not self, no repeat or near copy of what is listed
 * and not a third article of one publisher; true when taken. */
bool rank_related_offer(struct rank_related *r, struct article *a);
/* The story's articles (n of them, newest first): one per other
 * publisher, then the rest. Those taken are left empty in story[]. */
void rank_related_story(struct rank_related *r, struct article *story,
			size_t n);
/* How many neighbours to read after the story: what is missing and a
 * few more (some fall to the rules), at most RANK_RELATED_NEIGHBOURS. */
size_t rank_related_neighbours_wanted(const struct rank_related *r);

/*
 * The same for an article the caller has loaded (id, story_id,
 * publisher_id, title, fingerprint, published_at; body_text or summary
 * for articles never clustered): saves loading it again.
 */
enum status rank_related_article(struct store *s, const struct article *self,
				 size_t limit,
				 struct article_list *out) WARN_UNUSED;

/*
 * One story with its lead and every article (out->articles, no bodies),
 * grouped by publisher: the lead's publisher first, then the others in the
 * order they first covered it, each publisher's articles oldest first.
 * ST_NOTFOUND when there is no such story.
 */
enum status rank_story_get(struct store *s, int64_t story_id,
			   struct story *out) WARN_UNUSED;

/*
 * Deletes a publisher with its feeds and articles, and brings the stories
 * its articles were in up to date: counts, lead and score from the
 * articles left; a story left without articles goes. One transaction: do
 * not call it inside one. ST_NOTFOUND when there is no such publisher.
 */
enum status rank_publisher_delete(struct store *s,
				  int64_t publisher_id) WARN_UNUSED;

/*
 * Recomputes the stories of every article published since a time (0: all),
 * oldest first, as if they had just been ingested in that order. Runs in
 * its own transaction: do not call it inside one. Used after loading the
 * demo catalogue and by tests.
 */
enum status rank_recluster(struct store *s, int64_t since) WARN_UNUSED;

#endif
