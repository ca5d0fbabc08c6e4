/*
 * routes.c — the route table of the reading app, in match order.
 */
#include "common.h"

#include "api/api.h"
#include "web/internal.h"
#include "web/pages.h"

/* clang-format off */
static const struct web_route routes[] = {
	{"GET", "/",                    page_front,      WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/a/{id}",              page_article,    WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/p/{slug}",            page_publisher,  WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/t/{slug}",            page_topic,      WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/s/{id}",              page_story,      WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/publishers",          page_publishers, WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/topics",              page_topics,     WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/search",              page_search,     WEB_PAGE | WEB_CACHEABLE},
	{"GET", "/signup",              page_account_soon, WEB_PAGE},
	{"GET", "/signin",              page_account_soon, WEB_PAGE},
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
	{"GET", "/api/*",               api_not_found,   WEB_API},
};
/* clang-format on */

const struct web_route *
web_routes(size_t *count)
{
	*count = ARRAY_SIZE(routes);
	return routes;
}
