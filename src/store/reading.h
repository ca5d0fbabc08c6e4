/*
 * reading.h — read queries of the reading app that the core interface
 * (store.h) does not carry: the neighbours clustering recorded for an
 * article, and the content version that caches compare. Top stories,
 * stories and related lists come from the ranking module (src/rank/).
 *
 * Articles returned here never carry body_html or body_text.
 */
#ifndef NEWSSTAND_STORE_READING_H
#define NEWSSTAND_STORE_READING_H

#include "common.h"

#include "store/stories.h"
#include "store/store.h"

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
