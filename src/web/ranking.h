/*
 * ranking.h — where the reading app asks for ranked lists: top stories, one
 * story, related articles, and the lists every page shows (picks, topics). One
 * call site per question, so the pages and the API follow whatever the ranking
 * module (src/rank/) decides.
 */
#ifndef NEWSSTAND_WEB_RANKING_H
#define NEWSSTAND_WEB_RANKING_H

#include "common.h"

#include "base/buf.h"
#include "store/stories.h"
#include "store/store.h"

/*
 * Top stories right now, best first (leads loaded, without bodies): shared
 * between requests until the content version changes or half a minute
 * passes; out is the caller's own copy.
 */
enum status web_top_stories(struct store *s, size_t limit,
			    struct story_list *out) WARN_UNUSED;
/*
 * One story with its coverage and every article (out->articles, grouped
 * by publisher); ST_NOTFOUND when there is none.
 */
enum status web_story(struct store *s, int64_t id,
		      struct story *out) WARN_UNUSED;
/*
 * Related stories of an article (a: id, story_id, publisher_id, title,
 * fingerprint; body_text or summary when it has no fingerprint): its own
 * story's coverage first, then its recorded neighbours, by the rules of
 * rank_related_article() and read with one statement; each article has
 * the columns of a compact card (reading_related_candidates()). Kept per
 * article (1,024 of them) like the shared lists: members' pages, never
 * cached, ask for the same popular articles again and again.
 */
enum status web_related(struct store *s, const struct article *a, size_t limit,
			struct article_list *out) WARN_UNUSED;
/* The same, computed now and not kept (tests compare it with rank's). */
enum status web_related_uncached(struct store *s, const struct article *a,
				 size_t limit,
				 struct article_list *out) WARN_UNUSED;

/* Our Picks, shared the same way (at most 32 from the cache). */
enum status web_picks(struct store *s, size_t limit,
		      struct pick_list *out) WARN_UNUSED;
/*
 * Every topic (publisher) with its article count, shared the same way;
 * out is the caller's own copy. Counting them reads every article's row
 * of an index (0.1-0.3 s at 1,000,000 articles): while the refresher runs
 * (web_ranking_refresher_start()) a page gets the list kept, even out of
 * date, rather than count, and the refresher counts the next one; a page
 * only counts when there is no list yet or the last count was quick
 * (under 5 ms, small sites: new content shows at once).
 */
enum status web_topics(struct store *s, struct topic_list *out) WARN_UNUSED;
enum status web_publishers(struct store *s,
			   struct publisher_list *out) WARN_UNUSED;

/*
 * The same lists without a copy: *out is a reference to the list kept,
 * read-only, which the caller gives back with web_shared_release().
 */
struct web_shared;
enum status web_topics_shared(struct store *s,
			      struct web_shared **out) WARN_UNUSED;
enum status web_publishers_shared(struct store *s,
				  struct web_shared **out) WARN_UNUSED;
/* The list of a reference from web_topics_shared() (the other: empty). */
const struct topic_list *web_shared_topics(const struct web_shared *sh);
/* The list of a reference from web_publishers_shared(). */
const struct publisher_list *web_shared_publishers(const struct web_shared *sh);
/*
 * Text made from a shared list once and kept with it (the search form's
 * options): render writes it into b on the first call; later calls with
 * the same render get it back. NULL when another render took the place
 * (or rendering failed): the caller then writes it itself. The text lives
 * as long as the caller's reference; *len is its length.
 */
typedef void web_shared_render_fn(struct buf *b, const struct web_shared *sh);
const char *web_shared_memo(struct web_shared *sh, web_shared_render_fn *render,
			    size_t *len);
/* Gives back a reference (NULL: nothing). */
void web_shared_release(struct web_shared *sh);

/*
 * The refresher: a thread with its own read connection that counts the
 * topic and publisher lists before they expire and as soon as a page
 * finds them out of date, so no page waits for a count. Start counts
 * the first lists before it returns. The server starts it and stops it
 * (stop before web_ranking_clear()); starting twice is a no-op.
 */
enum status web_ranking_refresher_start(void) WARN_UNUSED;
void web_ranking_refresher_stop(void);

/* Below how many ms of counting pages count themselves (< 0: 5). */
void web_ranking_set_inline_max_ms(int64_t ms);

struct web_ranking_stats {
	uint64_t request_counts;    /* lists counted by serving threads */
	uint64_t background_counts; /* ...by the refresher */
};

void web_ranking_stats_get(struct web_ranking_stats *out);

/*
 * The latest limit articles of a topic (the columns of a full card, from
 * reading_topic_articles(); no cursor), shared the same way: the front
 * page shows every topic's.
 */
enum status web_topic_latest(struct store *s, int64_t topic_id, size_t limit,
			     struct article_list *out) WARN_UNUSED;

/*
 * Marks the start and end of one request on this thread, read in one
 * snapshot of the store (reading_snapshot_begin()): the content version
 * the shared lists compare is then read once per request.
 */
void web_ranking_request_begin(void);
void web_ranking_request_end(void);

/* Forgets the shared lists (the server's start and stop). */
void web_ranking_clear(void);

#endif
