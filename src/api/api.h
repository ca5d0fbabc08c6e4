/*
 * api.h — the JSON API v1, read side (documented in docs/api.md).
 *
 * Each handler follows web_handler (web/http.h). Errors are JSON objects
 * {"error": {"code", "message"}} with the matching HTTP status; lists are
 * cursor-paginated ("next_cursor", passed back as ?cursor=). The paywall
 * rule is the pages' one: web_viewer_can_read_full() decides, and a visitor
 * gets "teaser_html" with "body_html": null and "full": false.
 */
#ifndef NEWSSTAND_API_API_H
#define NEWSSTAND_API_API_H

#include "common.h"

#include "web/http.h"

enum status api_articles(struct web_request *req, struct web_response *res);
enum status api_article(struct web_request *req, struct web_response *res);
enum status api_publishers(struct web_request *req, struct web_response *res);
enum status api_topics(struct web_request *req, struct web_response *res);
enum status api_stories_top(struct web_request *req, struct web_response *res);
enum status api_search(struct web_request *req, struct web_response *res);
/* Any other /api/ path: a JSON 404. */
enum status api_not_found(struct web_request *req, struct web_response *res);

#endif
