/*
 * reading.h — read queries of the reading app that the core interface
 * (store.h) does not carry: stories with their coverage, a story's own
 * summary, and a simple related-articles list.
 *
 * The ranking module (src/rank/) computes the real top stories and related
 * stories; these queries are the plain versions the pages fall back on and
 * the coverage numbers they show ("covered by 4 publishers").
 *
 * Stories use struct story of store/stories.h (release with story_release()
 * and story_list_release()); the lists own their items.
 * Articles returned here never carry body_html or body_text.
 */
#ifndef NEWSSTAND_STORE_READING_H
#define NEWSSTAND_STORE_READING_H

#include "common.h"

#include "store/stories.h"
#include "store/store.h"

/*
 * The stories of the last few days with the most publishers, newest first
 * among equals, filled up with the latest unclustered articles so the list
 * is never empty while there are articles.
 */
enum status reading_top_stories(struct store *s, int64_t now, size_t limit,
				struct story_list *out) WARN_UNUSED;

/* One story with its coverage and lead article; ST_NOTFOUND if none. */
enum status reading_story_get(struct store *s, int64_t id,
			      struct story *out) WARN_UNUSED;

/*
 * Articles related to a: other articles of its story (other publishers
 * first), then the latest of its first topic, then the publisher's latest.
 * a itself is never in the list.
 */
enum status reading_related(struct store *s, const struct article *a,
			    size_t limit, struct article_list *out) WARN_UNUSED;

/*
 * The neighbours by text that clustering recorded for an article (see
 * store_neighbours_add()), closest first, at most limit, without bodies.
 */
enum status reading_neighbours(struct store *s, int64_t article_id,
			       size_t limit,
			       struct article_list *out) WARN_UNUSED;

/*
 * The content version: a number that changes whenever what visitors see
 * changes (articles, stories, picks, publishers, topics) and not when
 * members read, save or sign in: the meta table's counter (bumped by
 * clustering and by triggers) combined with the newest article's id. Caches of
 * rendered pages and ranked lists compare it; it is shared by every process on
 * the database.
 */
enum status reading_content_version(struct store *s, int64_t *out) WARN_UNUSED;

#endif
