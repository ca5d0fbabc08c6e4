/*
 * ranking.h — where the reading app asks for ranked lists: top stories, one
 * story, related articles, and the lists every page shows (picks, topics). One
 * call site per question, so the pages and the API follow whatever the ranking
 * module (src/rank/) decides.
 */
#ifndef NEWSSTAND_WEB_RANKING_H
#define NEWSSTAND_WEB_RANKING_H

#include "common.h"

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
/* Every topic with its article count, shared the same way. */
enum status web_topics(struct store *s, struct topic_list *out) WARN_UNUSED;
/* Every publisher with its article count, shared the same way. */
enum status web_publishers(struct store *s,
			   struct publisher_list *out) WARN_UNUSED;

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
