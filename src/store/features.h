/*
 * features.h — the stored features of articles for story clustering
 * (the article_features table): one opaque blob per article, written and
 * read by src/rank/ (rank_features_encode() and rank_features_decode()),
 * which keeps the recent ones in memory. Callers other than src/rank/ use
 * rank.h, not this file.
 *
 * Rows are read through callbacks, so a day of articles is not copied
 * twice: the blob handed to the callback is valid only during the call.
 */
#ifndef NEWSSTAND_STORE_FEATURES_H
#define NEWSSTAND_STORE_FEATURES_H

#include "common.h"

#include "store/store.h"

/*
 * Saves an article's features, replacing what was there. A new article's
 * row is one plain insert (no statement journal: see articles.c).
 */
enum status store_features_put(struct store *s, int64_t article_id,
			       int64_t published_at, const void *blob,
			       size_t len) WARN_UNUSED;

/* One stored row; a non-zero status stops the walk and is returned. */
typedef enum status store_features_fn(void *ctx, int64_t article_id,
				      int64_t published_at, int64_t story_id,
				      const void *blob, size_t len);

/* Every row of the articles published in [since, until]. */
enum status store_features_between(struct store *s, int64_t since,
				   int64_t until, store_features_fn *fn,
				   void *ctx) WARN_UNUSED;

/* Every row whose article id is above after_id, ascending by id. */
enum status store_features_after(struct store *s, int64_t after_id,
				 store_features_fn *fn, void *ctx) WARN_UNUSED;

/*
 * The ids of the articles published in [since, until] that have no
 * features yet (stored before clustering kept them), oldest first;
 * *ids is malloc'd (caller frees), NULL when there are none.
 */
enum status store_features_missing(struct store *s, int64_t since,
				   int64_t until, int64_t **ids,
				   size_t *count) WARN_UNUSED;

/* The highest article id (0: none), to tell a transaction's new ones. */
enum status store_features_last_article(struct store *s,
					int64_t *out) WARN_UNUSED;

/* The highest article id that has features; 0 when none has. */
enum status store_features_max_id(struct store *s, int64_t *out) WARN_UNUSED;

#endif
