/*
 * account_routes.c — the routes of the account pages, for the server's
 * table (merge them before the catch-all routes).
 *
 * Flags: every POST that acts for a signed-in user carries WEB_STATE (the
 * CSRF token is checked) and WEB_MEMBER; editor, publisher and admin pages
 * carry WEB_EDITOR, WEB_PUBLISHER (account.h) and WEB_ADMIN. Sign-up,
 * sign-in and reset forms have no session to protect (they check Origin);
 * the billing webhook is authenticated by its signature instead. The forms
 * that hash a password (sign-up, sign-in, password change, reset) carry
 * WEB_HASHES.
 */
#include "common.h"

#include "account/account.h"
#include "web/account_pages.h"

/* account/sessions.c reads these values without including http.h. */
_Static_assert(WEB_STATE == 1u << 4 && WEB_MEMBER == 1u << 5 &&
		       WEB_EDITOR == 1u << 6 && WEB_ADMIN == 1u << 7,
	       "route flags moved: update account/sessions.c");
_Static_assert((WEB_PUBLISHER &
		(WEB_PAGE | WEB_API | WEB_CACHEABLE | WEB_STATIC | WEB_STATE |
		 WEB_MEMBER | WEB_EDITOR | WEB_ADMIN | WEB_HASHES)) == 0,
	       "WEB_PUBLISHER collides with another route flag");

#define PAGE	WEB_PAGE
#define MEMBER	(WEB_PAGE | WEB_MEMBER)
#define ACT	(WEB_PAGE | WEB_STATE | WEB_MEMBER)
#define EDITOR	(WEB_PAGE | WEB_MEMBER | WEB_EDITOR)
#define EDIT	(WEB_PAGE | WEB_STATE | WEB_MEMBER | WEB_EDITOR)
#define ADMIN	(WEB_PAGE | WEB_MEMBER | WEB_ADMIN)
#define ADMINS	(WEB_PAGE | WEB_STATE | WEB_MEMBER | WEB_ADMIN)
#define PUBLISH (WEB_PAGE | WEB_MEMBER | WEB_PUBLISHER)
/* Forms that hash a password: handled on the server's hashing threads. */
#define HASH	(WEB_PAGE | WEB_HASHES)
#define ACTHASH (WEB_PAGE | WEB_STATE | WEB_MEMBER | WEB_HASHES)

/* clang-format off */
static const struct web_route routes[] = {
	{"GET",  "/signup",                     page_signup,               PAGE},
	{"POST", "/signup",                     page_signup_post,          HASH},
	{"GET",  "/signin",                     page_signin,               PAGE},
	{"POST", "/signin",                     page_signin_post,          HASH},
	{"POST", "/signout",                    page_signout,              ACT},
	{"POST", "/signout-all",                page_signout_all,          ACT},
	{"GET",  "/account",                    page_account,              MEMBER},
	{"POST", "/account/trial",              page_account_trial,        ACT},
	{"POST", "/account/password",           page_account_password,     ACTHASH},
	{"POST", "/account/tokens",             page_account_token_new,    ACT},
	{"POST", "/account/tokens/{id}/revoke", page_account_token_revoke, ACT},
	{"POST", "/account/delete",             page_account_delete,       ACT},
	{"GET",  "/account/export",             page_account_export,       MEMBER},
	{"GET",  "/reset",                      page_reset,                PAGE},
	{"POST", "/reset",                      page_reset_post,           PAGE},
	{"GET",  "/reset/{token}",              page_reset_token,          PAGE},
	{"POST", "/reset/{token}",              page_reset_token_post,     HASH},
	{"POST", "/follow",                     page_follow,               ACT},
	{"POST", "/unfollow",                   page_unfollow,             ACT},
	{"POST", "/save",                       page_save,                 ACT},
	{"POST", "/unsave",                     page_unsave,               ACT},
	{"GET",  "/for-you",                    page_for_you,              MEMBER},
	{"GET",  "/saved",                      page_saved,                MEMBER},
	{"GET",  "/history",                    page_history,              MEMBER},
	{"POST", "/history/clear",              page_history_clear,        ACT},
	{"GET",  "/onboarding",                 page_onboarding,           MEMBER},
	{"GET",  "/editor/picks",               page_editor_picks,         EDITOR},
	{"POST", "/editor/picks",               page_editor_picks_post,    EDIT},
	{"GET",  "/editor/feeds",               page_editor_feeds,         EDITOR},
	{"POST", "/editor/publishers",          page_editor_publisher_post, EDIT},
	{"POST", "/editor/feeds",               page_editor_feed_post,     EDIT},
	{"GET",  "/admin/users",                page_admin_users,          ADMIN},
	{"POST", "/admin/users/{id}/role",      page_admin_user_role,      ADMINS},
	{"POST", "/admin/users/{id}/grant",     page_admin_user_grant,     ADMINS},
	{"POST", "/admin/users/{id}/revoke",    page_admin_user_revoke,    ADMINS},
	{"GET",  "/publisher/statement.csv",    page_publisher_statement_csv, PUBLISH},
	{"GET",  "/publisher/statement",        page_publisher_statement,  PUBLISH},
	{"POST", "/webhooks/billing",           api_billing_webhook,       WEB_API},
};
/* clang-format on */

const struct web_route *
account_web_routes(size_t *count)
{
	*count = ARRAY_SIZE(routes);
	return routes;
}
