/*
 * routes.c — the route table of the whole site, in match order: the
 * reading app's pages, the account pages (account_web_routes()), the
 * static files, the JSON API and, last, the catch-alls.
 *
 * The account routes live beside their handlers (account_routes.c); the
 * merged table is built once, on first use, so tests and the server see
 * the same table.
 */
#include "common.h"

#include <pthread.h>

#include "api/api.h"
#include "web/account_pages.h"
#include "web/internal.h"
#include "web/pages.h"

/* clang-format off */
static const struct web_route reading_routes[] = {
	{"GET", "/",                    page_front,      WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/a/{id}",              page_article,    WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/p/{slug}",            page_publisher,  WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/t/{slug}",            page_topic,      WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/s/{id}",              page_story,      WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/publishers",          page_publishers, WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/topics",              page_topics,     WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/search",              page_search,     WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/robots.txt",          page_robots,     WEB_STATIC},
	{"GET", "/static/{name}",       web_static_handler, WEB_STATIC},
	{"GET", "/logos/{name}",        web_logo_handler, WEB_STATIC},
	{"GET", "/media/*",             web_media_handler, WEB_STATIC},
	{"GET", "/api/v1/articles",     api_articles,    WEB_API | WEB_CACHEABLE},
	{"GET", "/api/v1/articles/{id}", api_article,    WEB_API | WEB_CACHEABLE},
	{"GET", "/api/v1/publishers",   api_publishers,  WEB_API | WEB_CACHEABLE},
	{"GET", "/api/v1/topics",       api_topics,      WEB_API | WEB_CACHEABLE},
	{"GET", "/api/v1/stories/top",  api_stories_top, WEB_API | WEB_CACHEABLE},
	{"GET", "/api/v1/search",       api_search,      WEB_API | WEB_CACHEABLE},
};

static const struct web_route catch_all_routes[] = {
	{"GET", "/api/*",               api_not_found,   WEB_API},
};
/* clang-format on */

static struct web_route *merged;
static size_t merged_count;
static pthread_once_t merged_once = PTHREAD_ONCE_INIT;

static void
merge_routes(void)
{
	const struct web_route *account;
	size_t account_count, n = 0;

	account = account_web_routes(&account_count);
	merged_count = ARRAY_SIZE(reading_routes) + account_count +
		       ARRAY_SIZE(catch_all_routes);
	/* Built once and kept for the life of the process. */
	merged = xcalloc(merged_count, sizeof(*merged));
	memcpy(merged, reading_routes, sizeof(reading_routes));
	n += ARRAY_SIZE(reading_routes);
	memcpy(merged + n, account, account_count * sizeof(*account));
	n += account_count;
	memcpy(merged + n, catch_all_routes, sizeof(catch_all_routes));
}

const struct web_route *
web_routes(size_t *count)
{
	pthread_once(&merged_once, merge_routes);
	*count = merged_count;
	return merged;
}
