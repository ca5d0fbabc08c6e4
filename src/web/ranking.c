/*
 * ranking.c — the reading app's ranked lists (see ranking.h), from the
 * ranking module.
 */
#include "common.h"

#include "base/clock.h"
#include "rank/rank.h"
#include "web/ranking.h"

enum status
web_top_stories(struct store *s, size_t limit, struct story_list *out)
{
	return rank_top_stories(s, clock_now(), limit, out);
}

enum status
web_story(struct store *s, int64_t id, struct story *out)
{
	return rank_story_get(s, id, out);
}

enum status
web_related(struct store *s, const struct article *a, size_t limit,
	    struct article_list *out)
{
	enum status rc = rank_related(s, a->id, limit, out);

	if (rc == ST_NOTFOUND) {
		memset(out, 0, sizeof(*out));
		return ST_OK;
	}
	return rc;
}
