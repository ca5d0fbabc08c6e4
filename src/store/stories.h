/*
 * stories.h — the SQL side of stories (clusters of articles about one event).
 *
 * The ranking module (src/rank/rank.h) decides which articles belong
 * together and how stories rank; these functions only read and write the
 * rows it needs: candidate articles found through the search index, a
 * story's counters and lead, the stories of a time window, and reads per
 * story. Callers other than src/rank/ use rank.h, not this file.
 *
 * Memory: structs and lists filled in here own their strings; release them
 * with the matching *_release(). Out parameters are written only on success.
 */
#ifndef NEWSSTAND_STORE_STORIES_H
#define NEWSSTAND_STORE_STORIES_H

#include "common.h"

#include "store/store.h"

/* A story as pages show it. */
struct story {
	int64_t id;
	char *title;		 /* the lead article's title */
	struct article lead;	 /* the lead article, without body */
	int64_t article_count;	 /* articles in the story */
	int64_t publisher_count; /* distinct publishers covering it */
	int64_t first_seen_at;	 /* earliest publication time, Unix seconds */
	int64_t last_seen_at;	 /* latest publication time */
	double score;		 /* rank_top_stories(): its score right now;
				  * elsewhere the stored coverage score */
	int64_t reads;		 /* reads in the last 24 hours (top only) */
	/* rank_story_get() only: every article, grouped by publisher. */
	struct article_list articles;
};

struct story_list {
	struct story *items; /* count stories, best first */
	size_t count;
};

void story_release(struct story *st);
void story_list_release(struct story_list *l);

/* An article as clustering sees it: enough to score, no more. */
struct story_candidate {
	int64_t article_id;
	int64_t publisher_id;
	int64_t story_id;     /* 0 when not clustered yet */
	int64_t published_at; /* Unix seconds */
	uint64_t fingerprint; /* simhash of the body; 0 unknown */
	char *title;	      /* plain text */
	char *lead_text;      /* the first characters of body (or summary) */
	double bm25;	      /* search score, lower is better */
};

struct story_candidate_list {
	struct story_candidate *items; /* count candidates, best first */
	size_t count;
};

void story_candidate_list_release(struct story_candidate_list *l);

/*
 * Articles matching fts_query (FTS5 syntax, built by the caller from quoted
 * words) published in [since, until], except exclude_id, best match first
 * (title words count four times body words), at most limit. lead_text gets
 * the first text_chars characters of the body text (or the summary).
 */
enum status
store_story_candidates(struct store *s, const char *fts_query, int64_t since,
		       int64_t until, int64_t exclude_id, size_t text_chars,
		       size_t limit,
		       struct story_candidate_list *out) WARN_UNUSED;

/* The story an article belongs to (0: none); ST_NOTFOUND without article. */
enum status store_story_of_article(struct store *s, int64_t article_id,
				   int64_t *story_id) WARN_UNUSED;

/*
 * Creates a story of one article (its title, time and score: a->id is its
 * lead, whose row may be written after) and writes its id; links nothing.
 */
enum status store_story_new(struct store *s, const struct article *a,
			    double score, int64_t *story_id) WARN_UNUSED;

/*
 * Creates a story of one article (its title, time and score) and links the
 * article to it, saving fingerprint with it (when not 0). Writes the id.
 */
enum status store_story_create(struct store *s, const struct article *a,
			       uint64_t fingerprint, double score,
			       int64_t *story_id) WARN_UNUSED;

/* Links an article to a story (0: none) and saves its fingerprint (if set). */
enum status store_story_link(struct store *s, int64_t article_id,
			     int64_t story_id,
			     uint64_t fingerprint) WARN_UNUSED;

/* A story's counters as store_story_refresh() computes them. */
struct story_counts {
	int64_t article_count;
	int64_t publisher_count;
	int64_t first_seen_at;
	int64_t last_seen_at;
	int64_t lead_article_id;
};

/*
 * Recomputes a story's counters, lead article (the earliest article with a
 * body of 150 words or more, else the earliest) and title from its articles
 * and writes them into counts. A story left without articles is deleted and
 * counts->article_count is 0.
 */
enum status store_story_refresh(struct store *s, int64_t story_id,
				struct story_counts *counts) WARN_UNUSED;
/* A story's lead needs a real body: this many words or more. */
#define STORY_LEAD_MIN_WORDS 150

/*
 * A story's stored counters (lead_article_id included), and its lead's
 * word count and publication time: what adding one article to it needs,
 * without reading its articles. ST_NOTFOUND when there is no such story.
 */
enum status store_story_counts(struct store *s, int64_t story_id,
			       struct story_counts *counts, int64_t *lead_words,
			       int64_t *lead_published_at) WARN_UNUSED;
/* Has the story an article of publisher_id other than except_id? */
enum status store_story_has_publisher(struct store *s, int64_t story_id,
				      int64_t publisher_id, int64_t except_id,
				      bool *out) WARN_UNUSED;
/* Saves a story's counters, lead (and the lead's title) and score. */
enum status store_story_save_counts(struct store *s, int64_t story_id,
				    const struct story_counts *counts,
				    double score) WARN_UNUSED;
/* Saves a story's coverage score (the ranking's base before decay). */
enum status store_story_set_score(struct store *s, int64_t story_id,
				  double score) WARN_UNUSED;

/*
 * Stories seen since (last_seen_at >= since), highest stored score first, at
 * most limit; lead is left empty (lead.id set) for the caller to load.
 */
enum status store_story_top(struct store *s, int64_t since, size_t limit,
			    struct story_list *out) WARN_UNUSED;
/* One story's row (lead.id set, lead not loaded); ST_NOTFOUND if none. */
enum status store_story_row(struct store *s, int64_t story_id,
			    struct story *out) WARN_UNUSED;

/* Reads per story since a time: pairs sorted by story id. */
struct story_reads {
	int64_t story_id;
	int64_t reads;
};

enum status store_story_reads_since(struct store *s, int64_t since,
				    struct story_reads **out,
				    size_t *count) WARN_UNUSED;

/*
 * A count of the changes this connection made that move articles out of
 * their stories, or delete articles, other than clustering's own
 * store_story_link() (store_story_detach_since(), store_publisher_delete()):
 * what an in-memory view of the stories cannot have seen.
 */
uint64_t store_story_changes(const struct store *s);

/*
 * Detaches every article published since a time from its story. Writes the
 * ids of the detached articles, oldest first, into *article_ids and the ids
 * of the stories they left into *story_ids (both malloc'd, caller frees);
 * the caller refreshes those stories (store_story_refresh() deletes the
 * empty ones).
 */
enum status store_story_detach_since(struct store *s, int64_t since,
				     int64_t **article_ids,
				     size_t *article_count, int64_t **story_ids,
				     size_t *story_count) WARN_UNUSED;

/*
 * The ids of the stories a publisher's articles are in (malloc'd, caller
 * frees): the stories to refresh once the publisher is deleted.
 */
enum status store_publisher_stories(struct store *s, int64_t publisher_id,
				    int64_t **story_ids,
				    size_t *story_count) WARN_UNUSED;

/*
 * Loads what clustering needs of one article: id, publisher_id, story_id,
 * title, summary, body_text, fingerprint, word_count, published_at.
 */
enum status store_story_article(struct store *s, int64_t article_id,
				struct article *out) WARN_UNUSED;

/*
 * Records that two articles are near neighbours by text (similarity score,
 * higher is closer), in both directions; a pair already recorded keeps its
 * first score, and each article keeps its NEIGHBOURS_KEPT closest. Called
 * by clustering for each candidate it scored.
 */
enum { NEIGHBOURS_KEPT = 32 };
enum status store_neighbours_add(struct store *s, int64_t article_id,
				 int64_t neighbour_id,
				 double score) WARN_UNUSED;

/* One direction of a neighbour pair. */
struct store_neighbour {
	int64_t article_id;
	int64_t neighbour_id;
	double score;
};

/*
 * Records rows as given (one direction each; a pair already recorded
 * keeps its score): store_neighbours_add() for many pairs at once. The
 * rows must come sorted by article_id: each article's row is then read
 * and written once.
 */
enum status store_neighbours_put(struct store *s,
				 const struct store_neighbour *rows,
				 size_t n) WARN_UNUSED;

/* Forgets the neighbours of every article published since a time. */
enum status store_neighbours_forget_since(struct store *s,
					  int64_t since) WARN_UNUSED;

/*
 * Bumps the content version (see reading_content_version()): call it in
 * the writer's transaction whenever articles or stories change.
 */
enum status store_content_bump(struct store *s) WARN_UNUSED;

#endif
