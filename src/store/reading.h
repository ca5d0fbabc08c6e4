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

/*
 * Sets up a read-only connection for serving pages: the first 256 MB of
 * the database file are memory-mapped, so pages missing from the
 * connection's own cache are read there without a copy through read(2)
 * (a quarter less CPU per page over 2,000 different articles at 10,000).
 * Each connection maps the file apart: the mapped pages count in the
 * process's resident size once per worker, though they are the kernel's
 * page cache of the file, shared.
 */
enum status reading_connection_setup(struct store *s) WARN_UNUSED;

/*
 * A read snapshot: every read between begin and end sees the database as
 * it was at the first one, and pays for one read transaction (the WAL
 * lock and the pager's checks) instead of one per statement. The web
 * server opens one around each public page. end is a no-op when begin
 * failed or did not run.
 */
enum status reading_snapshot_begin(struct store *s) WARN_UNUSED;
void reading_snapshot_end(struct store *s);

/*
 * One article for its page: with its topics and publisher, and with
 * body_html and body_text only when with_body (members); the rest of the
 * row is as store_article_get() reads it. ST_NOTFOUND when there is none.
 */
enum status reading_article(struct store *s, int64_t id, bool with_body,
			    struct article *out) WARN_UNUSED;

/*
 * Called for each related candidate in order: from_story says it comes
 * from the article's story (newest first) rather than from its recorded
 * neighbours (closest first). The callback may take the article's
 * strings (leaving NULLs behind); it returns false to stop the read.
 */
typedef bool (*reading_related_fn)(void *ctx, bool from_story,
				   struct article *a);

/*
 * The candidates of an article's related list in one statement: the
 * newest story_limit articles of story story_id (none when 0), then the
 * neighbours clustering recorded for article_id (at most
 * neighbour_limit, only those still stored), each with the columns a
 * compact card and the related rules need: id, publisher_id, story_id,
 * title, published_at, updated_at, fingerprint, publisher slug, name and
 * logo. Rows are read as the callback asks for them.
 */
enum status reading_related_candidates(struct store *s, int64_t article_id,
				       int64_t story_id, size_t story_limit,
				       size_t neighbour_limit,
				       reading_related_fn fn,
				       void *ctx) WARN_UNUSED;

/*
 * The articles of a topic, newest first, as store_article_list() orders
 * them (cursor: a previous list's next_cursor, or NULL), at most limit,
 * with next_cursor set when more follow; each with the columns a full
 * card needs (those of reading_related_candidates(), lead_image, and as
 * teaser_text the excerpt a card shows: the teaser text, else the summary;
 * summary is left NULL), no bodies, no topics. The newest articles of
 * the whole site are walked first, at most a window of them; a topic too
 * rare to fill the page there is read through its own index instead, so
 * the cost is bounded by the window or by the topic's size.
 * ST_INVAL for a malformed cursor.
 */
enum status reading_topic_articles(struct store *s, int64_t topic_id,
				   const char *cursor, size_t limit,
				   struct article_list *out) WARN_UNUSED;
/* Sets the window of reading_topic_articles() (tests; 0: the default). */
void reading_set_topic_window(size_t articles);

#endif
