/*
 * pages.h — the HTML page handlers of the reading app, for the route table.
 * Each follows web_handler (http.h).
 */
#ifndef NEWSSTAND_WEB_PAGES_H
#define NEWSSTAND_WEB_PAGES_H

#include "common.h"

#include "web/http.h"

enum status page_front(struct web_request *req, struct web_response *res);
enum status page_article(struct web_request *req, struct web_response *res);
enum status page_publisher(struct web_request *req, struct web_response *res);
enum status page_publishers(struct web_request *req, struct web_response *res);
enum status page_topic(struct web_request *req, struct web_response *res);
enum status page_topics(struct web_request *req, struct web_response *res);
enum status page_story(struct web_request *req, struct web_response *res);
enum status page_search(struct web_request *req, struct web_response *res);
enum status page_robots(struct web_request *req, struct web_response *res);
/* Logos and media files from the data directory (assets.c). */
enum status web_logo_handler(struct web_request *req, struct web_response *res);
enum status web_media_handler(struct web_request *req,
			      struct web_response *res);

/* Parses "YYYY-MM-DD" into Unix seconds at 00:00 UTC. */
bool web_parse_date(const char *s, int64_t *out);
/* Parses a positive decimal id (no sign, no spaces); false otherwise. */
bool web_parse_id(const char *s, int64_t *out);

#endif
