/*
 * account_pages.h — the HTML pages of accounts, members' features, editors,
 * admins and publishers, and the billing webhook; handlers for the route
 * table (account_web_routes() in account_routes.c).
 *
 * Each handler resolves its viewer itself (account_page_viewer()) and
 * checks its own route's role and CSRF token, so the pages are safe even
 * before the server enforces route flags centrally. Forms are
 * application/x-www-form-urlencoded; every state-changing form carries the
 * session's CSRF token in a hidden field named "csrf".
 *
 * The server resolves the viewer and enforces the route flags and the CSRF
 * token centrally before a handler runs (server.c); the handlers keep
 * their own checks as a second line. Forms are read with web_body().
 */
#ifndef NEWSSTAND_WEB_ACCOUNT_PAGES_H
#define NEWSSTAND_WEB_ACCOUNT_PAGES_H

#include "common.h"

#include "account/account.h"
#include "web/http.h"

/* The route table of these pages (static; *count entries). */
const struct web_route *account_web_routes(size_t *count);

/*
 * Resolves the viewer of req from its session cookie, Authorization
 * header, peer address and X-Forwarded-For (account_resolve_viewer()).
 * The server calls it once per request; later calls copy that answer.
 */
enum status account_page_viewer(struct web_request *req,
				struct viewer *out) WARN_UNUSED;

/*
 * A field of an urlencoded body, decoded into the request's arena; NULL
 * when absent. Exposed for tests.
 */
const char *account_form_field(struct arena *arena, const char *body,
			       size_t len, const char *name);

/* The name of the field that carries the CSRF token in forms. */
#define ACCOUNT_CSRF_FIELD "csrf"

enum status page_signup(struct web_request *req, struct web_response *res);
enum status page_signup_post(struct web_request *req, struct web_response *res);
enum status page_signin(struct web_request *req, struct web_response *res);
enum status page_signin_post(struct web_request *req, struct web_response *res);
enum status page_signout(struct web_request *req, struct web_response *res);
enum status page_signout_all(struct web_request *req, struct web_response *res);
enum status page_account(struct web_request *req, struct web_response *res);
enum status page_account_trial(struct web_request *req,
			       struct web_response *res);
enum status page_account_password(struct web_request *req,
				  struct web_response *res);
enum status page_account_token_new(struct web_request *req,
				   struct web_response *res);
enum status page_account_token_revoke(struct web_request *req,
				      struct web_response *res);
enum status page_account_delete(struct web_request *req,
				struct web_response *res);
enum status page_account_export(struct web_request *req,
				struct web_response *res);
enum status page_reset(struct web_request *req, struct web_response *res);
enum status page_reset_post(struct web_request *req, struct web_response *res);
enum status page_reset_token(struct web_request *req, struct web_response *res);
enum status page_reset_token_post(struct web_request *req,
				  struct web_response *res);
enum status page_follow(struct web_request *req, struct web_response *res);
enum status page_unfollow(struct web_request *req, struct web_response *res);
enum status page_save(struct web_request *req, struct web_response *res);
enum status page_unsave(struct web_request *req, struct web_response *res);
enum status page_for_you(struct web_request *req, struct web_response *res);
enum status page_saved(struct web_request *req, struct web_response *res);
enum status page_history(struct web_request *req, struct web_response *res);
enum status page_history_clear(struct web_request *req,
			       struct web_response *res);
enum status page_onboarding(struct web_request *req, struct web_response *res);
enum status page_editor_picks(struct web_request *req,
			      struct web_response *res);
enum status page_editor_picks_post(struct web_request *req,
				   struct web_response *res);
enum status page_editor_feeds(struct web_request *req,
			      struct web_response *res);
enum status page_editor_publisher_post(struct web_request *req,
				       struct web_response *res);
enum status page_editor_feed_post(struct web_request *req,
				  struct web_response *res);
enum status page_admin_users(struct web_request *req, struct web_response *res);
enum status page_admin_user_role(struct web_request *req,
				 struct web_response *res);
enum status page_admin_user_grant(struct web_request *req,
				  struct web_response *res);
enum status page_admin_user_revoke(struct web_request *req,
				   struct web_response *res);
enum status page_publisher_statement(struct web_request *req,
				     struct web_response *res);
enum status page_publisher_statement_csv(struct web_request *req,
					 struct web_response *res);
enum status api_billing_webhook(struct web_request *req,
				struct web_response *res);

#endif
