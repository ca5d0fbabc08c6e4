/*
 * ranking.c — the reading app's ranked lists (see ranking.h).
 *
 * NEEDSWORK: these use the plain queries of store/reading.h; switch each to
 * its src/rank/ counterpart (rank_top_stories(), rank_related()) when the
 * ranking module is in.
 */
#include "common.h"

#include "base/clock.h"
#include "store/reading.h"
#include "web/ranking.h"

enum status
web_top_stories(struct store *s, size_t limit, struct story_list *out)
{
	return reading_top_stories(s, clock_now(), limit, out);
}

enum status
web_story(struct store *s, int64_t id, struct story *out)
{
	return reading_story_get(s, id, out);
}

enum status
web_related(struct store *s, const struct article *a, size_t limit,
	    struct article_list *out)
{
	return reading_related(s, a, limit, out);
}
