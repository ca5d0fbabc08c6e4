/*
 * internal.h — shared by the files of src/rank/; nothing else includes it.
 */
#ifndef NEWSSTAND_RANK_INTERNAL_H
#define NEWSSTAND_RANK_INTERNAL_H

#include "common.h"

#include "rank/rank.h"
#include "store/stories.h"

/* clang-format off */
enum {
	WINDOW = 48 * 3600,	   /* candidates this close in time, seconds */
	LEAD_CHARS = 1000,	   /* opening text in the vector, characters */
	FINGERPRINT_TOKENS = 300,  /* words of body in the simhash */
	NEAR_COPY_BITS = 6,	   /* simhash distance of a near copy */
	DAY = 86400,		   /* the index loads this much at a time */
};
/* clang-format on */

/*
 * How alike two articles are, in [0, 1], from their features alone;
 * apart is the time between them in seconds. See
 * docs/internals/ranking.md (Stories, step 4).
 */
double rank_similarity(const struct rank_features *a,
		       const struct rank_features *b, int64_t apart);

/*
 * An article's terms in a hash table, to compare it with many others:
 * rank_similarity_probe() looks each of the other's terms up in it
 * instead of merging the two lists of terms.
 */
struct rank_probe {
	const struct rank_features *f; /* the article, borrowed */
	uint32_t mask;		       /* slots - 1 (slots: a power of two) */
	struct rank_probe_slot *slots; /* the table, owned */
};

/* Builds the table of f's terms; f must outlive p and stay unchanged. */
void rank_probe_init(struct rank_probe *p, const struct rank_features *f);
void rank_probe_release(struct rank_probe *p);

/*
 * rank_similarity(p's article, b, apart), to the last bit: the terms two
 * articles share are summed in the same order either way.
 */
double rank_similarity_probe(const struct rank_probe *p,
			     const struct rank_features *b, int64_t apart);

/*
 * Asks the processor for the memory rank_similarity_probe() reads of f
 * first: called for every candidate before any is compared, their cache
 * misses overlap instead of coming one after the other.
 */
void rank_features_prefetch(const struct rank_features *f);

/* Are two fingerprints near copies (both known, few bits apart)? */
bool rank_is_near_copy(uint64_t a, uint64_t b);

/* Makes dst a copy of src (replacing what dst held). */
void rank_features_copy(struct rank_features *dst,
			const struct rank_features *src);

/* Bytes the arrays of f take (its mem allocation). */
size_t rank_features_bytes(const struct rank_features *f);

/* A candidate found by rank_index_candidates(). */
struct rank_candidate {
	int64_t article_id;
	int64_t published_at;
	int64_t story_id; /* as the index last knew it: check before use */
	bool current;	  /* story_id is still the store's: read or
			   * written in this transaction, or in an
			   * earlier one with no other writer since */
	const struct rank_features *features; /* owned by the index */
};

/*
 * Makes sure the index holds every article published within WINDOW of t
 * (loading the days it lacks, computing and saving the features of
 * articles stored without them, but article_id's: its caller has them).
 */
enum status rank_index_load_window(struct rank_index *ix, struct store *s,
				   int64_t t, int64_t article_id) WARN_UNUSED;

/*
 * The articles within WINDOW of t that share f's rarest heavy terms,
 * the most alike first by those terms, at most max, never self_id;
 * the window must be loaded. Returns how many were written to out.
 */
size_t rank_index_candidates(struct rank_index *ix,
			     const struct rank_features *f, int64_t self_id,
			     int64_t t, struct rank_candidate *out, size_t max);

/*
 * Records two articles as neighbours (store_neighbours_add()): at once
 * outside rank_index_begin()'s transaction; inside it, kept in memory
 * until rank_index_flush(), which stores the transaction's rows in key
 * order, one page of the table after the other rather than two random
 * pages per pair.
 */
enum status rank_index_neighbours_add(struct rank_index *ix, struct store *s,
				      int64_t article_id, int64_t neighbour_id,
				      double score) WARN_UNUSED;

/* The features the index holds for an article, or NULL. */
const struct rank_features *rank_index_features(struct rank_index *ix,
						int64_t article_id);

/*
 * Adds an article (or replaces what the index holds of it) with a copy
 * of f, when its day is loaded; with f NULL, only its story is updated.
 */
void rank_index_put(struct rank_index *ix, int64_t article_id,
		    int64_t published_at, int64_t story_id,
		    const struct rank_features *f);

/*
 * The story of candidate c as the store has it: the index's when
 * c->current, else read from the store, after which the index holds it as
 * current. ST_NOTFOUND when the article is gone (the index forgets it).
 */
enum status rank_index_story_of(struct rank_index *ix, struct store *s,
				const struct rank_candidate *c,
				int64_t *story) WARN_UNUSED;

/* Forgets an article (deleted, as the store says). */
void rank_index_forget(struct rank_index *ix, int64_t article_id);

/*
 * A story's counters, lead and score as the open transaction changes them:
 * kept by the index and written once, by rank_index_flush(), rather than
 * read and written again for every article that joins the story.
 */
struct rank_tally {
	struct story_counts c;
	int64_t lead_words; /* the lead article's word count */
	int64_t lead_at;    /* its publication time */
	double score;	    /* coverage score */
};

/*
 * story_id's tally in the open transaction; with *added set when the
 * caller is to fill it (from the store) before use. NULL outside
 * rank_index_begin()'s transaction: the caller writes at once. Valid
 * until the next call that adds to the index's story table (this one,
 * rank_index_story_add_publisher()).
 */
struct rank_tally *rank_index_tally(struct rank_index *ix, int64_t story_id,
				    bool *added);
/* Forgets story_id's tally (the caller wrote the story's truth). */
void rank_index_tally_drop(struct rank_index *ix, int64_t story_id);
/* Whether the transaction put an article of publisher_id in story_id. */
bool rank_index_story_has_publisher(const struct rank_index *ix,
				    int64_t story_id, int64_t publisher_id);
/* Notes that it did (inside a transaction; nothing outside one). */
void rank_index_story_add_publisher(struct rank_index *ix, int64_t story_id,
				    int64_t publisher_id);

/* Records one clustering and its thread CPU time (stats). */
void rank_index_count_assign(struct rank_index *ix, uint64_t cpu_ns);
/* Articles counted by rank_index_count_assign() so far. */
size_t rank_index_assigned(const struct rank_index *ix);
/* Whether the caller is to bump the store's content version: once per
 * transaction begun with rank_index_begin(), every time outside one. */
bool rank_index_claim_bump(struct rank_index *ix);

#endif
