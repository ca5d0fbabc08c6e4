/*
 * account_pages.c — the account, member, editor, admin and publisher pages
 * and the billing webhook (see account_pages.h).
 *
 * Every handler starts with enter(): it resolves the viewer, refuses the
 * roles the route is not for (visitors are sent to sign in), and for a
 * state-changing route checks the form's CSRF token. A bad form is shown
 * again with a message and a 4xx status, never a 500.
 */
#include "common.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <time.h>

#include "account/account.h"
#include "account/payouts.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "base/url.h"
#include "store/accounts.h"
#include "web/account_pages.h"
#include "web/internal.h"
#include "web/pages.h"
#include "web/render.h"
#include "web/web.h"

/* Route flags, as the table gives them (see account_routes.c). */
#define F_STATE	    WEB_STATE
#define F_MEMBER    WEB_MEMBER
#define F_EDITOR    WEB_EDITOR
#define F_ADMIN	    WEB_ADMIN
#define F_PUBLISHER WEB_PUBLISHER

enum { LIST_PAGE = 20 };

/* What a handler works with. */
struct ctx {
	struct web_request *req;
	struct web_response *res;
	struct viewer v;  /* who is asking */
	const char *body; /* the form, or NULL */
	size_t body_len;
	bool done; /* enter() has answered already */
};

static void
add_html(struct buf *b, const char *s)
{
	if (s)
		buf_add_html(b, s, strlen(s));
}

/* ---- Forms --------------------------------------------------------------- */

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes an urlencoded slice ('+' is a space) into the arena. */
static char *
form_decode(struct arena *arena, const char *s, size_t len)
{
	char *out = arena_alloc(arena, len + 1), *o = out;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '%' && i + 2 < len &&
			   hex_value(s[i + 1]) >= 0 &&
			   hex_value(s[i + 2]) >= 0) {
			*o++ = (char)(hex_value(s[i + 1]) * 16 +
				      hex_value(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

const char *
account_form_field(struct arena *arena, const char *body, size_t len,
		   const char *name)
{
	const char *p, *end;

	if (!body || !name)
		return NULL;
	p = body;
	end = body + len;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pair_end = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(pair_end - p));
		const char *key_end = eq ? eq : pair_end;
		char *key = form_decode(arena, p, (size_t)(key_end - p));

		if (!strcmp(key, name))
			return eq ? form_decode(arena, eq + 1,
						(size_t)(pair_end - eq - 1))
				  : "";
		p = pair_end + 1;
	}
	return NULL;
}

static const char *
field(struct ctx *c, const char *name)
{
	return account_form_field(web_request_arena(c->req), c->body,
				  c->body_len, name);
}

/* A field trimmed of surrounding blanks; "" when absent. */
static const char *
field_trim(struct ctx *c, const char *name)
{
	const char *v = field(c, name);
	struct str t;

	if (!v)
		return "";
	t = str_trim(str_from(v));
	return arena_strndup(web_request_arena(c->req), t.p ? t.p : "", t.len);
}

/* ---- Viewer, roles, CSRF ------------------------------------------------- */

static void
peer_address(struct web_request *req, char *out, size_t size)
{
	const union MHD_ConnectionInfo *info = NULL;

	snprintf(out, size, "-");
	if (req->conn)
		info = MHD_get_connection_info(
			req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!info || !info->client_addr)
		return;
	if (info->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET,
			  &((const struct sockaddr_in *)info->client_addr)
				   ->sin_addr,
			  out, (socklen_t)size);
	else if (info->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)info->client_addr)
				   ->sin6_addr,
			  out, (socklen_t)size);
}

enum status
account_page_viewer(struct web_request *req, struct viewer *out)
{
	struct store *s;
	const char *cookie = NULL;
	char peer[64];
	enum status rc;

	if (req->viewer_ready) {
		*out = req->viewer;
		return ST_OK;
	}
	rc = web_store(req, &s);
	if (rc)
		return rc;
	if (req->conn)
		cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
						     account_cookie_name());
	peer_address(req, peer, sizeof(peer));
	return account_resolve_viewer(s, cookie,
				      web_header(req, "Authorization"), peer,
				      web_header(req, "X-Forwarded-For"), out);
}

static bool
is_post(struct web_request *req)
{
	return !strcmp(web_method(req), "POST");
}

/* A page for the reader with one message; status is 4xx. */
static void
message_page(struct ctx *c, int status, const char *title, const char *message)
{
	struct page_meta meta = {.title = title, .noindex = true};
	struct buf *b = &c->res->body;

	buf_reset(b);
	web_res_html(c->res);
	c->res->status = status;
	c->res->cache_control = WEB_CACHE_NONE;
	c->res->no_cache = true;
	render_page_begin(c->req, b, &meta);
	buf_adds(b, "<section class=\"account-page\"><h1>");
	add_html(b, title);
	buf_adds(b, "</h1><p class=\"form-error\" role=\"alert\">");
	add_html(b, message);
	buf_adds(b, "</p><p><a href=\"/\">Back to the front page</a></p>"
		    "</section>\n");
	render_page_end(c->req, b);
}

/* Redirects to a local path only ("/x", never "//host" or a URL). */
static const char *
local_path(const char *next, const char *fallback)
{
	if (next && next[0] == '/' && next[1] != '/' && next[1] != '\\' &&
	    !strpbrk(next, "\r\n"))
		return next;
	return fallback;
}

static void
redirect(struct ctx *c, const char *to)
{
	web_res_redirect(c->req, c->res, 303, to);
}

/*
 * True when a POST without a session comes from our own pages: the Origin
 * header, when sent, must be this host (sign-in CSRF).
 */
static bool
same_origin(struct web_request *req)
{
	const char *origin = web_header(req, "Origin");
	const char *host = web_header(req, "Host");
	const char *rest;

	if (!origin || !strcmp(origin, "null"))
		return origin == NULL;
	if (!host)
		return false;
	rest = !strncmp(origin, "https://", 8)	? origin + 8
	       : !strncmp(origin, "http://", 7) ? origin + 7
						: NULL;
	return rest && !strcmp(rest, host);
}

static enum status
enter(struct web_request *req, struct web_response *res, unsigned flags,
      struct ctx *c)
{
	enum status rc;

	memset(c, 0, sizeof(*c));
	c->req = req;
	c->res = res;
	rc = account_page_viewer(req, &c->v);
	if (rc)
		return rc;
	res->cache_control = WEB_CACHE_NONE;
	res->no_cache = true;
	if (is_post(req)) {
		c->body = web_body(req, &c->body_len);
		if (!c->body) {
			message_page(c, 400, "That form did not arrive",
				     "The form arrived empty. Please go back "
				     "and try again.");
			c->done = true;
			return ST_OK;
		}
	}
	if (!account_route_allowed(&c->v, flags)) {
		if (!c->v.user_id) {
			const char *next = arena_printf(
				web_request_arena(req), "/signin?next=%s",
				is_post(req) ? "/account" : web_path(req));

			redirect(c, next);
		} else {
			message_page(c, 403, "Not for this account",
				     "This page is for another kind of "
				     "account.");
		}
		c->done = true;
		return ST_OK;
	}
	if ((flags & F_STATE) &&
	    !account_check_csrf(&c->v, field(c, ACCOUNT_CSRF_FIELD))) {
		message_page(c, 403, "This form has expired",
			     "Please go back, reload the page and try "
			     "again.");
		c->done = true;
		return ST_OK;
	}
	if (is_post(req) && !(flags & F_STATE) && !same_origin(req)) {
		message_page(c, 403, "That form did not come from here",
			     "Please use the form on this site.");
		c->done = true;
	}
	return ST_OK;
}

static void
csrf_input(struct buf *b, const struct viewer *v)
{
	buf_adds(b, "<input type=\"hidden\" name=\"" ACCOUNT_CSRF_FIELD
		    "\" value=\"");
	add_html(b, v->csrf);
	buf_adds(b, "\">");
}

/* Sets the session cookie (token NULL: clears it). */
static void
set_cookie(struct ctx *c, const char *token)
{
	struct buf b = BUF_INIT;

	account_cookie_header(&b, token);
	c->res->extra_header = "Set-Cookie";
	c->res->extra_value = arena_strdup(web_request_arena(c->req), b.data);
	buf_release(&b);
}

static void
page_open(struct ctx *c, const char *title, int status)
{
	struct page_meta meta = {.title = title, .noindex = true};

	buf_reset(&c->res->body);
	web_res_html(c->res);
	c->res->status = status;
	c->res->cache_control = WEB_CACHE_NONE;
	c->res->no_cache = true;
	render_page_begin(c->req, &c->res->body, &meta);
	buf_adds(&c->res->body, "<section class=\"account-page\">");
}

static void
page_close(struct ctx *c)
{
	buf_adds(&c->res->body, "</section>\n");
	render_page_end(c->req, &c->res->body);
}

static void
form_error(struct buf *b, const char *message)
{
	if (!message)
		return;
	buf_adds(b, "<p class=\"form-error\" role=\"alert\">");
	add_html(b, message);
	buf_adds(b, "</p>");
}

static void
add_day(struct buf *b, int64_t t)
{
	char tmp[32];

	clock_format_rfc3339(t, tmp, sizeof(tmp));
	buf_addf(b, "<time datetime=\"%s\">%.10s</time>", tmp, tmp);
}

/* ---- Sign-up and sign-in ------------------------------------------------- */

static void
signup_form(struct ctx *c, const char *email, const char *error, int status)
{
	struct buf *b = &c->res->body;

	page_open(c, "Sign up", status);
	buf_adds(b, "<h1>Create your account</h1>"
		    "<p class=\"lede\">Then start your 14-day free trial: no "
		    "card needed.</p>");
	form_error(b, error);
	buf_adds(b, "<form method=\"post\" action=\"/signup\" "
		    "class=\"account-form\">"
		    "<label for=\"email\">Email</label>"
		    "<input id=\"email\" name=\"email\" type=\"email\" "
		    "autocomplete=\"email\" required value=\"");
	add_html(b, email);
	buf_adds(b, "\"><label for=\"password\">Password <small>(at least 10 "
		    "characters)</small></label>"
		    "<input id=\"password\" name=\"password\" type=\"password\""
		    " autocomplete=\"new-password\" minlength=\"10\" required>"
		    "<button type=\"submit\">Sign up</button></form>"
		    "<p>Have an account? <a href=\"/signin\">Sign in</a></p>");
	page_close(c);
}

enum status
page_signup(struct web_request *req, struct web_response *res)
{
	struct ctx c;
	enum status rc = enter(req, res, WEB_PAGE, &c);

	if (rc || c.done)
		return rc;
	if (c.v.user_id) {
		redirect(&c, "/account");
		return ST_OK;
	}
	signup_form(&c, "", NULL, 200);
	return ST_OK;
}

enum status
page_signup_post(struct web_request *req, struct web_response *res)
{
	struct account_login login;
	const char *email, *password, *why = NULL;
	struct store *w;
	int64_t id;
	struct ctx c;
	enum status rc = enter(req, res, WEB_PAGE, &c);

	if (rc || c.done)
		return rc;
	email = field_trim(&c, "email");
	password = field(&c, "password");
	rc = account_writer(&w);
	if (rc)
		return rc;
	rc = account_signup(w, email, password ? password : "", ROLE_MEMBER, 0,
			    &id, &why);
	if (rc == ST_INVAL || rc == ST_EXISTS || rc == ST_AGAIN) {
		signup_form(&c, email, why,
			    rc == ST_EXISTS  ? 409
			    : rc == ST_AGAIN ? 429
					     : 400);
		return ST_OK;
	}
	if (rc)
		return rc;
	rc = account_session_open(w, id, c.v.client_addr,
				  web_header(req, "User-Agent"), &login);
	if (rc)
		return rc;
	set_cookie(&c, login.token);
	redirect(&c, "/onboarding");
	return ST_OK;
}

static void
signin_form(struct ctx *c, const char *email, const char *next,
	    const char *error, const char *note, int status)
{
	struct buf *b = &c->res->body;

	page_open(c, "Sign in", status);
	buf_adds(b, "<h1>Sign in</h1>");
	if (note) {
		buf_adds(b, "<p class=\"form-note\" role=\"status\">");
		add_html(b, note);
		buf_adds(b, "</p>");
	}
	form_error(b, error);
	buf_adds(b, "<form method=\"post\" action=\"/signin\" "
		    "class=\"account-form\">"
		    "<input type=\"hidden\" name=\"next\" value=\"");
	add_html(b, local_path(next, "/"));
	buf_adds(b, "\"><label for=\"email\">Email</label>"
		    "<input id=\"email\" name=\"email\" type=\"email\" "
		    "autocomplete=\"username\" required value=\"");
	add_html(b, email);
	buf_adds(b,
		 "\"><label for=\"password\">Password</label>"
		 "<input id=\"password\" name=\"password\" type=\"password\""
		 " autocomplete=\"current-password\" required>"
		 "<button type=\"submit\">Sign in</button></form>"
		 "<p><a href=\"/reset\">Forgot your password?</a></p>"
		 "<p>New here? <a href=\"/signup\">Create an account</a></p>");
	page_close(c);
}

enum status
page_signin(struct web_request *req, struct web_response *res)
{
	struct ctx c;
	enum status rc = enter(req, res, WEB_PAGE, &c);

	if (rc || c.done)
		return rc;
	if (c.v.user_id) {
		redirect(&c, local_path(web_query(req, "next"), "/account"));
		return ST_OK;
	}
	signin_form(&c, "", web_query(req, "next"), NULL,
		    web_query(req, "reset") ? "Your password is changed. "
					      "Sign in with the new one."
					    : NULL,
		    200);
	return ST_OK;
}

enum status
page_signin_post(struct web_request *req, struct web_response *res)
{
	struct account_login login;
	const char *email, *password, *next;
	struct store *w;
	struct ctx c;
	enum status rc = enter(req, res, WEB_PAGE, &c);

	if (rc || c.done)
		return rc;
	email = field_trim(&c, "email");
	password = field(&c, "password");
	next = local_path(field(&c, "next"), "/");
	rc = account_writer(&w);
	if (rc)
		return rc;
	rc = account_signin(w, email, password, c.v.client_addr,
			    web_header(req, "User-Agent"), &login);
	if (rc == ST_DENIED) {
		signin_form(&c, email, next,
			    "That email and password do not match an "
			    "account.",
			    NULL, 401);
		return ST_OK;
	}
	if (rc == ST_AGAIN) {
		signin_form(&c, email, next,
			    "Too many attempts. Please wait a few minutes and "
			    "try again.",
			    NULL, 429);
		return ST_OK;
	}
	if (rc)
		return rc;
	set_cookie(&c, login.token);
	redirect(&c, next);
	return ST_OK;
}

enum status
page_signout(struct web_request *req, struct web_response *res)
{
	struct store *w;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_MEMBER, &c);

	if (rc || c.done)
		return rc;
	rc = account_writer(&w);
	if (!rc)
		rc = account_signout(w, &c.v);
	if (rc)
		return rc;
	set_cookie(&c, NULL);
	redirect(&c, "/");
	return ST_OK;
}

enum status
page_signout_all(struct web_request *req, struct web_response *res)
{
	struct store *w;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_MEMBER, &c);

	if (rc || c.done)
		return rc;
	rc = account_writer(&w);
	if (!rc)
		rc = account_signout_all(w, c.v.user_id);
	if (rc)
		return rc;
	set_cookie(&c, NULL);
	redirect(&c, "/");
	return ST_OK;
}

/* ---- The account page ---------------------------------------------------- */

static void
membership_block(struct buf *b, const struct viewer *v)
{
	buf_adds(b, "<section class=\"membership\" aria-labelledby=\"m-h\">"
		    "<h2 id=\"m-h\">Membership</h2><p>");
	switch (v->state) {
	case MEMBERSHIP_VISITOR:
		buf_adds(b, "You are not a member yet.");
		break;
	case MEMBERSHIP_TRIAL:
		buf_adds(b, "Free trial until ");
		add_day(b, v->until);
		buf_adds(b, ": you read every article in full.");
		break;
	case MEMBERSHIP_MEMBER:
		buf_adds(b, "Member until ");
		add_day(b, v->until);
		buf_adds(b, ": you read every article in full.");
		break;
	case MEMBERSHIP_LAPSED:
		buf_adds(b, "Your membership lapsed on ");
		add_day(b, v->until);
		buf_adds(b, ". You see the first paragraphs of each article.");
		break;
	case MEMBERSHIP_CANCELLED:
		buf_adds(b, "Your membership is cancelled");
		if (v->until) {
			buf_adds(b, " (ended ");
			add_day(b, v->until);
			buf_adds(b, ")");
		}
		buf_adds(b, ".");
		break;
	}
	buf_adds(b, "</p>");
	if (!v->trial_used && v->state != MEMBERSHIP_MEMBER) {
		buf_adds(b, "<form method=\"post\" action=\"/account/trial\">");
		csrf_input(b, v);
		buf_adds(b, "<button type=\"submit\">Start your 14-day free "
			    "trial</button> <small>No card needed.</small>"
			    "</form>");
	}
	buf_adds(b, "</section>");
}

static void
account_page(struct ctx *c, const char *error, const char *notice,
	     const char *new_token, int status)
{
	struct buf *b = &c->res->body;
	struct api_token_list tl = {0};
	struct follow_list fl = {0};
	struct store *s;
	size_t i;

	page_open(c, "Your account", status);
	buf_adds(b, "<h1>Your account</h1><p>Signed in as <strong>");
	add_html(b, c->v.email);
	buf_addf(b, "</strong> (%s).</p>", account_role_name(c->v.role));
	if (notice) {
		buf_adds(b, "<p class=\"form-note\" role=\"status\">");
		add_html(b, notice);
		buf_adds(b, "</p>");
	}
	form_error(b, error);
	membership_block(b, &c->v);
	if (!web_store(c->req, &s)) {
		if (store_follow_list(s, c->v.user_id, &fl))
			memset(&fl, 0, sizeof(fl));
		if (store_api_token_list(s, c->v.user_id, &tl))
			memset(&tl, 0, sizeof(tl));
	}
	buf_adds(b, "<section aria-labelledby=\"f-h\"><h2 id=\"f-h\">You "
		    "follow</h2>");
	if (!fl.count)
		buf_adds(b, "<p>Nothing yet. <a href=\"/onboarding\">Pick your "
			    "topics</a>.</p>");
	else
		buf_adds(b, "<ul class=\"follows\">");
	for (i = 0; i < fl.count; i++) {
		buf_addf(b, "<li><a href=\"/%s/",
			 !strcmp(fl.items[i].kind, "topic") ? "t" : "p");
		add_html(b, fl.items[i].slug);
		buf_adds(b, "\">");
		add_html(b, fl.items[i].name);
		buf_adds(b, "</a> <form method=\"post\" action=\"/unfollow\" "
			    "class=\"inline\">");
		csrf_input(b, &c->v);
		buf_adds(b, "<input type=\"hidden\" name=\"kind\" value=\"");
		add_html(b, fl.items[i].kind);
		buf_adds(b, "\"><input type=\"hidden\" name=\"slug\" value=\"");
		add_html(b, fl.items[i].slug);
		buf_adds(b, "\"><input type=\"hidden\" name=\"next\" "
			    "value=\"/account\"><button type=\"submit\">"
			    "Unfollow</button></form></li>");
	}
	if (fl.count)
		buf_adds(b, "</ul>");
	buf_adds(b, "<p><a href=\"/for-you\">For you</a> · <a href=\"/saved\">"
		    "Saved</a> · <a href=\"/history\">History</a></p>"
		    "</section>");
	/* Password. */
	buf_adds(b, "<section aria-labelledby=\"p-h\"><h2 id=\"p-h\">Change "
		    "password</h2><form method=\"post\" "
		    "action=\"/account/password\" class=\"account-form\">");
	csrf_input(b, &c->v);
	buf_adds(b, "<label for=\"current\">Current password</label>"
		    "<input id=\"current\" name=\"current\" type=\"password\" "
		    "autocomplete=\"current-password\" required>"
		    "<label for=\"new\">New password <small>(at least 10 "
		    "characters)</small></label><input id=\"new\" name=\"new\""
		    " type=\"password\" autocomplete=\"new-password\" "
		    "minlength=\"10\" required><button type=\"submit\">Change "
		    "password</button></form></section>");
	/* API tokens. */
	buf_adds(b, "<section aria-labelledby=\"t-h\"><h2 id=\"t-h\">API "
		    "tokens</h2><p>For apps: send <code>Authorization: Bearer "
		    "TOKEN</code>.</p>");
	if (new_token) {
		buf_adds(b, "<p class=\"form-note\" role=\"status\">Your new "
			    "token (shown once): <code class=\"token\">");
		add_html(b, new_token);
		buf_adds(b, "</code></p>");
	}
	if (tl.count)
		buf_adds(b, "<table><thead><tr><th>Name</th><th>Created</th>"
			    "<th>Last used</th><th></th></tr></thead><tbody>");
	for (i = 0; i < tl.count; i++) {
		buf_adds(b, "<tr><td>");
		add_html(b, tl.items[i].name);
		buf_adds(b, "</td><td>");
		add_day(b, tl.items[i].created_at);
		buf_adds(b, "</td><td>");
		if (tl.items[i].last_used_at)
			add_day(b, tl.items[i].last_used_at);
		else
			buf_adds(b, "never");
		buf_addf(b,
			 "</td><td><form method=\"post\" "
			 "action=\"/account/tokens/%" PRId64 "/revoke\">",
			 tl.items[i].id);
		csrf_input(b, &c->v);
		buf_adds(b, "<button type=\"submit\">Revoke</button></form>"
			    "</td></tr>");
	}
	if (tl.count)
		buf_adds(b, "</tbody></table>");
	buf_adds(b, "<form method=\"post\" action=\"/account/tokens\" "
		    "class=\"account-form\">");
	csrf_input(b, &c->v);
	buf_adds(b, "<label for=\"tname\">Name</label><input id=\"tname\" "
		    "name=\"name\" maxlength=\"80\" placeholder=\"My reader "
		    "app\"><button type=\"submit\">Create a token</button>"
		    "</form></section>");
	/* Sessions, export, deletion. */
	buf_adds(b, "<section aria-labelledby=\"s-h\"><h2 id=\"s-h\">Your "
		    "data</h2><p><a href=\"/account/export\" download>Export "
		    "my data (JSON)</a></p>"
		    "<form method=\"post\" action=\"/signout-all\">");
	csrf_input(b, &c->v);
	buf_adds(b, "<button type=\"submit\">Sign out everywhere</button>"
		    "</form><form method=\"post\" action=\"/account/delete\" "
		    "class=\"account-form danger\">");
	csrf_input(b, &c->v);
	buf_adds(b, "<label for=\"confirm\">To delete your account, type "
		    "<strong>delete</strong></label><input id=\"confirm\" "
		    "name=\"confirm\" autocomplete=\"off\" required>"
		    "<button type=\"submit\">Delete my account</button>"
		    "<small>Your reads stay in the publishers' statements, "
		    "without your name.</small></form></section>");
	buf_adds(b, "<form method=\"post\" action=\"/signout\">");
	csrf_input(b, &c->v);
	buf_adds(b, "<button type=\"submit\">Sign out</button></form>");
	page_close(c);
	follow_list_release(&fl);
	api_token_list_release(&tl);
}

enum status
page_account(struct web_request *req, struct web_response *res)
{
	struct ctx c;
	enum status rc = enter(req, res, F_MEMBER, &c);

	if (rc || c.done)
		return rc;
	account_page(&c, NULL, NULL, NULL, 200);
	return ST_OK;
}

enum status
page_account_trial(struct web_request *req, struct web_response *res)
{
	struct account_login login;
	struct store *w;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_MEMBER, &c);

	if (rc || c.done)
		return rc;
	rc = account_writer(&w);
	if (rc)
		return rc;
	rc = account_trial_start(w, c.v.user_id);
	if (rc == ST_EXISTS || rc == ST_CONFLICT) {
		account_page(&c,
			     rc == ST_EXISTS
				     ? "Your free trial was used already."
				     : "You are a member already.",
			     NULL, NULL, 409);
		return ST_OK;
	}
	if (rc)
		return rc;
	/* A privilege change: a new session token (API tokens stay). */
	if (c.v.session_id) {
		rc = account_session_rotate(w, &c.v, &login);
		if (rc)
			return rc;
		set_cookie(&c, login.token);
	}
	redirect(&c, "/account?trial=1");
	return ST_OK;
}

enum status
page_account_password(struct web_request *req, struct web_response *res)
{
	struct account_login login;
	const char *why = NULL;
	struct store *w;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_MEMBER, &c);

	if (rc || c.done)
		return rc;
	rc = account_writer(&w);
	if (rc)
		return rc;
	rc = account_change_password(w, &c.v, field(&c, "current"),
				     field(&c, "new"), &why);
	if (rc == ST_DENIED || rc == ST_INVAL || rc == ST_AGAIN) {
		account_page(&c, why, NULL, NULL, rc == ST_AGAIN ? 429 : 400);
		return ST_OK;
	}
	if (rc)
		return rc;
	if (c.v.session_id) {
		rc = account_session_rotate(w, &c.v, &login);
		if (rc)
			return rc;
		set_cookie(&c, login.token);
	}
	redirect(&c, "/account?password=1");
	return ST_OK;
}

enum status
page_account_token_new(struct web_request *req, struct web_response *res)
{
	char *token = NULL;
	const char *name;
	struct store *w;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_MEMBER, &c);

	if (rc || c.done)
		return rc;
	name = field_trim(&c, "name");
	rc = account_writer(&w);
	if (!rc)
		rc = account_api_token_create(
			w, c.v.user_id, *name ? name : "token", &token, NULL);
	if (rc)
		return rc;
	account_page(&c, NULL, NULL, token, 200);
	free(token);
	return ST_OK;
}

enum status
page_account_token_revoke(struct web_request *req, struct web_response *res)
{
	struct store *w;
	int64_t id;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_MEMBER, &c);

	if (rc || c.done)
		return rc;
	if (!web_parse_id(web_capture(req, 0), &id)) {
		account_page(&c, "There is no such token.", NULL, NULL, 404);
		return ST_OK;
	}
	rc = account_writer(&w);
	if (!rc)
		rc = account_api_token_revoke(w, c.v.user_id, id);
	if (rc == ST_NOTFOUND) {
		account_page(&c, "There is no such token.", NULL, NULL, 404);
		return ST_OK;
	}
	if (rc)
		return rc;
	redirect(&c, "/account");
	return ST_OK;
}

enum status
page_account_delete(struct web_request *req, struct web_response *res)
{
	struct store *w;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_MEMBER, &c);

	if (rc || c.done)
		return rc;
	if (strcmp(field_trim(&c, "confirm"), "delete")) {
		account_page(&c,
			     "To delete your account, type the word delete.",
			     NULL, NULL, 400);
		return ST_OK;
	}
	rc = account_writer(&w);
	if (!rc)
		rc = account_delete(w, c.v.user_id);
	if (rc)
		return rc;
	set_cookie(&c, NULL);
	redirect(&c, "/?deleted=1");
	return ST_OK;
}

enum status
page_account_export(struct web_request *req, struct web_response *res)
{
	struct store *s;
	struct ctx c;
	enum status rc = enter(req, res, F_MEMBER, &c);

	if (rc || c.done)
		return rc;
	rc = web_store(req, &s);
	if (!rc)
		rc = account_export(s, c.v.user_id, &res->body);
	if (rc)
		return rc;
	web_res_json(res);
	res->cache_control = WEB_CACHE_NONE;
	res->no_cache = true;
	res->extra_header = "Content-Disposition";
	res->extra_value = "attachment; filename=\"newsstand-account.json\"";
	return ST_OK;
}

/* ---- Password reset ------------------------------------------------------ */

static void
reset_form(struct ctx *c, const char *error, int status)
{
	struct buf *b = &c->res->body;

	page_open(c, "Reset your password", status);
	buf_adds(b, "<h1>Reset your password</h1><p>We will mail you a link "
		    "to choose a new one.</p>");
	form_error(b, error);
	buf_adds(b, "<form method=\"post\" action=\"/reset\" "
		    "class=\"account-form\"><label for=\"email\">Email</label>"
		    "<input id=\"email\" name=\"email\" type=\"email\" "
		    "autocomplete=\"email\" required><button type=\"submit\">"
		    "Send the link</button></form>");
	page_close(c);
}

enum status
page_reset(struct web_request *req, struct web_response *res)
{
	struct ctx c;
	enum status rc = enter(req, res, WEB_PAGE, &c);

	if (rc || c.done)
		return rc;
	reset_form(&c, NULL, 200);
	return ST_OK;
}

enum status
page_reset_post(struct web_request *req, struct web_response *res)
{
	struct store *w;
	struct ctx c;
	enum status rc = enter(req, res, WEB_PAGE, &c);

	if (rc || c.done)
		return rc;
	rc = account_writer(&w);
	if (!rc)
		rc = account_reset_request(w, field_trim(&c, "email"),
					   c.v.client_addr);
	if (rc == ST_AGAIN) {
		reset_form(&c, "Too many requests. Please wait a few minutes.",
			   429);
		return ST_OK;
	}
	if (rc == ST_IO) {
		reset_form(&c,
			   "We could not send mail just now. Please try "
			   "again later.",
			   503);
		return ST_OK;
	}
	if (rc)
		return rc;
	page_open(&c, "Check your mail", 200);
	buf_adds(&res->body, "<h1>Check your mail</h1><p role=\"status\">If "
			     "an account uses that address, we have sent it a "
			     "link to reset the password. The link works for "
			     "an hour.</p>");
	page_close(&c);
	return ST_OK;
}

static void
reset_token_form(struct ctx *c, const char *token, const char *error,
		 int status)
{
	struct buf *b = &c->res->body;

	page_open(c, "Choose a new password", status);
	buf_adds(b, "<h1>Choose a new password</h1>");
	form_error(b, error);
	buf_adds(b, "<form method=\"post\" action=\"/reset/");
	add_html(b, token);
	buf_adds(b, "\" class=\"account-form\"><label for=\"password\">New "
		    "password <small>(at least 10 characters)</small></label>"
		    "<input id=\"password\" name=\"password\" type=\"password\""
		    " autocomplete=\"new-password\" minlength=\"10\" required>"
		    "<button type=\"submit\">Save the new password</button>"
		    "</form>");
	page_close(c);
}

enum status
page_reset_token(struct web_request *req, struct web_response *res)
{
	struct ctx c;
	enum status rc = enter(req, res, WEB_PAGE, &c);

	if (rc || c.done)
		return rc;
	/* The token stays out of referrers and caches. */
	reset_token_form(&c, web_capture(req, 0), NULL, 200);
	return ST_OK;
}

enum status
page_reset_token_post(struct web_request *req, struct web_response *res)
{
	const char *why = NULL, *token = web_capture(req, 0);
	struct store *w;
	struct ctx c;
	enum status rc = enter(req, res, WEB_PAGE, &c);

	if (rc || c.done)
		return rc;
	rc = account_writer(&w);
	if (!rc)
		rc = account_reset_finish(w, token, field(&c, "password"),
					  &why);
	if (rc == ST_INVAL || rc == ST_DENIED) {
		reset_token_form(&c, token, why, 400);
		return ST_OK;
	}
	if (rc)
		return rc;
	redirect(&c, "/signin?reset=1");
	return ST_OK;
}

/* ---- Follows and saves --------------------------------------------------- */

static enum status
follow_change(struct web_request *req, struct web_response *res, bool on)
{
	const char *kind, *slug;
	struct store *w;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_MEMBER, &c);

	if (rc || c.done)
		return rc;
	kind = field_trim(&c, "kind");
	slug = field_trim(&c, "slug");
	rc = account_writer(&w);
	if (!rc)
		rc = account_follow(w, c.v.user_id, kind, slug, on);
	if (rc == ST_NOTFOUND || rc == ST_INVAL) {
		message_page(&c, 400, "Nothing to follow",
			     "There is no such publisher or topic.");
		return ST_OK;
	}
	if (rc)
		return rc;
	redirect(&c, local_path(field(&c, "next"), "/for-you"));
	return ST_OK;
}

enum status
page_follow(struct web_request *req, struct web_response *res)
{
	return follow_change(req, res, true);
}

enum status
page_unfollow(struct web_request *req, struct web_response *res)
{
	return follow_change(req, res, false);
}

static enum status
save_change(struct web_request *req, struct web_response *res, bool on)
{
	struct store *w;
	int64_t id;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_MEMBER, &c);

	if (rc || c.done)
		return rc;
	if (!web_parse_id(field_trim(&c, "article_id"), &id)) {
		message_page(&c, 400, "Nothing to save",
			     "There is no such article.");
		return ST_OK;
	}
	rc = account_writer(&w);
	if (!rc)
		rc = on ? store_save_add(w, c.v.user_id, id, clock_now())
			: store_save_delete(w, c.v.user_id, id);
	if (rc == ST_NOTFOUND) {
		message_page(&c, 404, "Nothing to save",
			     "There is no such article.");
		return ST_OK;
	}
	if (rc)
		return rc;
	redirect(&c, local_path(field(&c, "next"), "/saved"));
	return ST_OK;
}

enum status
page_save(struct web_request *req, struct web_response *res)
{
	return save_change(req, res, true);
}

enum status
page_unsave(struct web_request *req, struct web_response *res)
{
	return save_change(req, res, false);
}

/* ---- Lists --------------------------------------------------------------- */

enum list_kind { LIST_FOR_YOU, LIST_SAVED, LIST_HISTORY };

static enum status
list_page(struct web_request *req, struct web_response *res,
	  enum list_kind kind)
{
	static const char *const titles[] = {"For you", "Saved", "History"};
	static const char *const paths[] = {"/for-you", "/saved", "/history"};
	struct article_list l = {0};
	struct buf *b = &res->body;
	struct store *s;
	const char *cursor;
	struct ctx c;
	size_t i;
	enum status rc = enter(req, res, F_MEMBER, &c);

	if (rc || c.done)
		return rc;
	rc = web_store(req, &s);
	if (rc)
		return rc;
	cursor = web_query(req, "after");
	rc = kind == LIST_FOR_YOU
		     ? store_for_you(s, c.v.user_id, cursor, LIST_PAGE, &l)
	     : kind == LIST_SAVED
		     ? store_saved_list(s, c.v.user_id, cursor, LIST_PAGE, &l)
		     : store_history_list(s, c.v.user_id, cursor, LIST_PAGE,
					  &l);
	if (rc == ST_INVAL) {
		message_page(&c, 400, titles[kind],
			     "That page of the list does not exist.");
		return ST_OK;
	}
	if (rc)
		return rc;
	page_open(&c, titles[kind], 200);
	buf_addf(b, "<h1>%s</h1>", titles[kind]);
	if (kind == LIST_HISTORY && (l.count || cursor)) {
		buf_adds(b, "<form method=\"post\" action=\"/history/clear\">");
		csrf_input(b, &c.v);
		buf_adds(b, "<button type=\"submit\">Clear history</button>"
			    "</form>");
	}
	if (!l.count && !cursor) {
		buf_adds(b, "<p class=\"empty\">");
		buf_adds(b,
			 kind == LIST_FOR_YOU
				 ? "Follow publishers and topics to fill this "
				   "page. <a href=\"/onboarding\">Pick your "
				   "topics</a>."
			 : kind == LIST_SAVED
				 ? "Save articles to read them later."
				 : "The articles you read appear here.");
		buf_adds(b, "</p>");
	} else {
		buf_adds(b, "<ol class=\"cards\">");
		for (i = 0; i < l.count; i++) {
			render_card(req, b, &l.items[i], CARD_FULL);
			if (kind == LIST_SAVED) {
				buf_adds(b, "<form method=\"post\" "
					    "action=\"/unsave\" "
					    "class=\"inline\">");
				csrf_input(b, &c.v);
				buf_addf(b,
					 "<input type=\"hidden\" "
					 "name=\"article_id\" value=\"%" PRId64
					 "\"><input type=\"hidden\" "
					 "name=\"next\" value=\"/saved\">"
					 "<button type=\"submit\">Remove"
					 "</button></form>",
					 l.items[i].id);
			}
		}
		buf_adds(b, "</ol>");
		render_pager(req, b, paths[kind], l.next_cursor);
	}
	page_close(&c);
	article_list_release(&l);
	return ST_OK;
}

enum status
page_for_you(struct web_request *req, struct web_response *res)
{
	return list_page(req, res, LIST_FOR_YOU);
}

enum status
page_saved(struct web_request *req, struct web_response *res)
{
	return list_page(req, res, LIST_SAVED);
}

enum status
page_history(struct web_request *req, struct web_response *res)
{
	return list_page(req, res, LIST_HISTORY);
}

enum status
page_history_clear(struct web_request *req, struct web_response *res)
{
	struct store *w;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_MEMBER, &c);

	if (rc || c.done)
		return rc;
	rc = account_writer(&w);
	if (!rc)
		rc = store_history_hide(w, c.v.user_id);
	if (rc)
		return rc;
	redirect(&c, "/history");
	return ST_OK;
}

enum status
page_onboarding(struct web_request *req, struct web_response *res)
{
	struct topic_list tl = {0};
	struct follow_list fl = {0};
	struct buf *b = &res->body;
	struct store *s, *w;
	struct ctx c;
	size_t i, j;
	enum status rc = enter(req, res, F_MEMBER, &c);

	if (rc || c.done)
		return rc;
	rc = web_store(req, &s);
	if (!rc)
		rc = store_topic_list(s, &tl);
	if (!rc)
		rc = store_follow_list(s, c.v.user_id, &fl);
	if (rc)
		goto out;
	if (!c.v.onboarded && !account_writer(&w) &&
	    store_user_set_onboarded(w, c.v.user_id, true))
		log_debug("web: onboarded flag not saved");
	page_open(&c, "Pick your topics", 200);
	buf_adds(b,
		 "<h1>Pick your topics</h1><p class=\"lede\">Follow what "
		 "interests you: your <a href=\"/for-you\">For you</a> page "
		 "shows the latest from them.</p><ul class=\"topic-picker\">");
	for (i = 0; i < tl.count; i++) {
		bool on = false;

		for (j = 0; j < fl.count; j++)
			if (!strcmp(fl.items[j].kind, "topic") &&
			    fl.items[j].target_id == tl.items[i].id)
				on = true;
		buf_adds(b, "<li><form method=\"post\" action=\"");
		buf_adds(b, on ? "/unfollow" : "/follow");
		buf_adds(b, "\">");
		csrf_input(b, &c.v);
		buf_adds(b,
			 "<input type=\"hidden\" name=\"kind\" "
			 "value=\"topic\"><input type=\"hidden\" name=\"slug\""
			 " value=\"");
		add_html(b, tl.items[i].slug);
		buf_adds(b, "\"><input type=\"hidden\" name=\"next\" "
			    "value=\"/onboarding\"><button type=\"submit\" "
			    "aria-pressed=\"");
		buf_adds(b, on ? "true" : "false");
		buf_adds(b, "\">");
		add_html(b, tl.items[i].name);
		buf_adds(b, on ? " ✓" : "");
		buf_adds(b, "</button></form></li>");
	}
	buf_adds(b, "</ul><p><a class=\"button\" href=\"/account\">Continue"
		    "</a></p>");
	page_close(&c);
out:
	topic_list_release(&tl);
	follow_list_release(&fl);
	return rc;
}

/* ---- Editors ------------------------------------------------------------- */

static void
editor_picks_page(struct ctx *c, const char *error, int status)
{
	struct pick_list pl = {0};
	struct buf *b = &c->res->body;
	struct store *s;
	size_t i;

	if (web_store(c->req, &s) || store_pick_list(s, 100, &pl))
		memset(&pl, 0, sizeof(pl));
	page_open(c, "Our Picks", status);
	buf_adds(b, "<h1>Our Picks</h1>");
	form_error(b, error);
	buf_adds(b, "<form method=\"post\" action=\"/editor/picks\" "
		    "class=\"account-form\">");
	csrf_input(b, &c->v);
	buf_adds(b,
		 "<input type=\"hidden\" name=\"action\" value=\"pick\">"
		 "<label for=\"article\">Article (number or address)</label>"
		 "<input id=\"article\" name=\"article\" required>"
		 "<label for=\"position\">Position</label><input "
		 "id=\"position\" name=\"position\" inputmode=\"numeric\" "
		 "value=\"0\"><label for=\"note\">Note <small>(at most 280 "
		 "characters)</small></label><input id=\"note\" name=\"note\" "
		 "maxlength=\"280\"><button type=\"submit\">Pick</button>"
		 "</form>");
	buf_adds(b, "<ol class=\"picks\">");
	for (i = 0; i < pl.count; i++) {
		const struct pick *p = &pl.items[i];

		buf_adds(b, "<li><a href=\"");
		add_html(b, render_article_path(c->req, &p->article));
		buf_adds(b, "\">");
		add_html(b, p->article.title);
		buf_addf(b, "</a> <small>#%" PRId64 "</small>", p->article_id);
		buf_adds(b, "<form method=\"post\" action=\"/editor/picks\" "
			    "class=\"inline\">");
		csrf_input(b, &c->v);
		buf_addf(b,
			 "<input type=\"hidden\" name=\"action\" "
			 "value=\"pick\"><input type=\"hidden\" "
			 "name=\"article\" value=\"%" PRId64
			 "\"><label>Position <input name=\"position\" "
			 "size=\"3\" value=\"%" PRId64
			 "\"></label><label>Note <input name=\"note\" "
			 "maxlength=\"280\" value=\"",
			 p->article_id, p->position);
		add_html(b, p->note);
		buf_adds(b, "\"></label><button type=\"submit\">Save</button>"
			    "</form><form method=\"post\" "
			    "action=\"/editor/picks\" class=\"inline\">");
		csrf_input(b, &c->v);
		buf_addf(b,
			 "<input type=\"hidden\" name=\"action\" "
			 "value=\"unpick\"><input type=\"hidden\" "
			 "name=\"article\" value=\"%" PRId64
			 "\"><button type=\"submit\">Unpick</button></form>"
			 "</li>",
			 p->article_id);
	}
	buf_adds(b, "</ol><p><a href=\"/editor/feeds\">Publishers and feeds"
		    "</a></p>");
	page_close(c);
	pick_list_release(&pl);
}

enum status
page_editor_picks(struct web_request *req, struct web_response *res)
{
	struct ctx c;
	enum status rc = enter(req, res, F_EDITOR, &c);

	if (rc || c.done)
		return rc;
	editor_picks_page(&c, NULL, 200);
	return ST_OK;
}

/* Finds an article by id, by "/a/ID-slug" path or by its URL. */
static enum status
find_article(struct store *s, const char *text, int64_t *id)
{
	const char *p = text;
	int64_t found = 0;
	enum status rc;

	if (!strncmp(p, "/a/", 3))
		p += 3;
	else if (strstr(p, "/a/") && !url_is_http(p))
		p = strstr(p, "/a/") + 3;
	if (*p >= '0' && *p <= '9') {
		char digits[24];
		size_t n = strspn(p, "0123456789");

		if (n < sizeof(digits)) {
			struct article a = {0};

			snprintf(digits, sizeof(digits), "%.*s", (int)n, p);
			if (web_parse_id(digits, &found) &&
			    !store_article_get(s, found, &a)) {
				article_release(&a);
				*id = found;
				return ST_OK;
			}
		}
	}
	rc = store_article_find(s, 0, NULL, text, &found);
	if (rc)
		return rc;
	if (!found)
		return ST_NOTFOUND;
	*id = found;
	return ST_OK;
}

enum status
page_editor_picks_post(struct web_request *req, struct web_response *res)
{
	const char *action, *note, *position;
	struct pick p = {0};
	struct store *w;
	int64_t id = 0;
	long long pos = 0;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_EDITOR, &c);

	if (rc || c.done)
		return rc;
	action = field_trim(&c, "action");
	note = field_trim(&c, "note");
	position = field_trim(&c, "position");
	rc = account_writer(&w);
	if (rc)
		return rc;
	rc = find_article(w, field_trim(&c, "article"), &id);
	if (rc == ST_NOTFOUND) {
		editor_picks_page(&c,
				  "There is no article with that number "
				  "or address.",
				  400);
		return ST_OK;
	}
	if (rc)
		return rc;
	if (*position) {
		char *end;

		errno = 0;
		pos = strtoll(position, &end, 10);
		if (errno || *end || pos < -1000000 || pos > 1000000) {
			editor_picks_page(&c, "The position is a whole number.",
					  400);
			return ST_OK;
		}
	}
	if (strlen(note) > 280 * 4) {
		editor_picks_page(&c,
				  "The note is too long (280 characters "
				  "at most).",
				  400);
		return ST_OK;
	}
	if (!strcmp(action, "unpick")) {
		rc = store_pick_delete(w, id);
		if (rc == ST_NOTFOUND)
			rc = ST_OK;
	} else if (!strcmp(action, "pick")) {
		p.article_id = id;
		p.position = pos;
		p.note = *note ? (char *)note : NULL;
		p.editor_id = c.v.user_id;
		p.created_at = clock_now();
		rc = store_pick_put(w, &p);
	} else {
		editor_picks_page(&c, "Choose pick or unpick.", 400);
		return ST_OK;
	}
	if (rc)
		return rc;
	web_cache_invalidate();
	redirect(&c, "/editor/picks");
	return ST_OK;
}

static void
format_when(struct buf *b, int64_t t)
{
	if (!t) {
		buf_adds(b, "never");
		return;
	}
	render_absolute_time(b, t);
}

static void
editor_feeds_page(struct ctx *c, const char *error, int status)
{
	struct store_feed_list fl = {0};
	struct publisher_list pl = {0};
	struct buf *b = &c->res->body;
	struct store *s;
	size_t i;

	if (web_store(c->req, &s) || store_feed_list(s, 0, &fl))
		memset(&fl, 0, sizeof(fl));
	if (!s || store_publisher_list(s, &pl))
		memset(&pl, 0, sizeof(pl));
	page_open(c, "Publishers and feeds", status);
	buf_adds(b, "<h1>Publishers and feeds</h1>");
	form_error(b, error);
	buf_adds(b, "<table class=\"feed-health\"><caption>Feed health"
		    "</caption><thead><tr><th>Publisher</th><th>Feed</th>"
		    "<th>Last success</th><th>Next fetch</th><th>Errors</th>"
		    "<th>Last error</th></tr></thead><tbody>");
	for (i = 0; i < fl.count; i++) {
		const struct store_feed *f = &fl.items[i];

		buf_adds(b, f->error_count ? "<tr class=\"failing\"><td>"
					   : "<tr><td>");
		add_html(b, f->publisher_slug);
		buf_adds(b, "</td><td>");
		add_html(b, f->title ? f->title : f->url);
		if (!f->enabled)
			buf_adds(b, " <small>(disabled)</small>");
		buf_adds(b, "</td><td>");
		format_when(b, f->last_success_at);
		buf_adds(b, "</td><td>");
		format_when(b, f->enabled ? f->next_due_at : 0);
		buf_addf(b, "</td><td>%d</td><td>", f->error_count);
		add_html(b, f->last_error ? f->last_error : "");
		buf_adds(b, "</td></tr>");
	}
	buf_adds(b, "</tbody></table>");
	buf_adds(b, "<h2>Add a publisher</h2><form method=\"post\" "
		    "action=\"/editor/publishers\" class=\"account-form\">");
	csrf_input(b, &c->v);
	buf_adds(b,
		 "<label for=\"slug\">Short name <small>(letters, digits, "
		 "dashes)</small></label><input id=\"slug\" name=\"slug\" "
		 "required pattern=\"[a-z0-9-]+\"><label for=\"name\">Name"
		 "</label><input id=\"name\" name=\"name\" required>"
		 "<label for=\"homepage\">Site</label><input id=\"homepage\" "
		 "name=\"homepage\" type=\"url\"><button type=\"submit\">Add "
		 "publisher</button></form>");
	buf_adds(b, "<h2>Add a feed</h2><form method=\"post\" "
		    "action=\"/editor/feeds\" class=\"account-form\">");
	csrf_input(b, &c->v);
	buf_adds(b, "<label for=\"publisher\">Publisher</label><select "
		    "id=\"publisher\" name=\"publisher\">");
	for (i = 0; i < pl.count; i++) {
		buf_adds(b, "<option value=\"");
		add_html(b, pl.items[i].slug);
		buf_adds(b, "\">");
		add_html(b, pl.items[i].name);
		buf_adds(b, "</option>");
	}
	buf_adds(b, "</select><label for=\"url\">Feed address</label><input "
		    "id=\"url\" name=\"url\" type=\"url\" required><label "
		    "for=\"topics\">Topics <small>(comma-separated)</small>"
		    "</label><input id=\"topics\" name=\"topics\"><button "
		    "type=\"submit\">Add feed</button></form>");
	page_close(c);
	store_feed_list_release(&fl);
	publisher_list_release(&pl);
}

enum status
page_editor_feeds(struct web_request *req, struct web_response *res)
{
	struct ctx c;
	enum status rc = enter(req, res, F_EDITOR, &c);

	if (rc || c.done)
		return rc;
	editor_feeds_page(&c, NULL, 200);
	return ST_OK;
}

static bool
is_slug(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-'))
			return false;
	return true;
}

enum status
page_editor_publisher_post(struct web_request *req, struct web_response *res)
{
	struct publisher p = {0};
	const char *slug, *name, *homepage;
	struct store *w;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_EDITOR, &c);

	if (rc || c.done)
		return rc;
	slug = field_trim(&c, "slug");
	name = field_trim(&c, "name");
	homepage = field_trim(&c, "homepage");
	if (!is_slug(slug) || !*name || strlen(name) > 200) {
		editor_feeds_page(&c,
				  "A publisher needs a short name of "
				  "lower-case letters, digits and dashes, "
				  "and a name.",
				  400);
		return ST_OK;
	}
	if (*homepage && !url_is_http(homepage)) {
		editor_feeds_page(&c,
				  "The site must be an http or https "
				  "address.",
				  400);
		return ST_OK;
	}
	rc = account_writer(&w);
	if (rc)
		return rc;
	p.slug = (char *)slug;
	p.name = (char *)name;
	p.homepage = *homepage ? (char *)homepage : NULL;
	p.created_at = clock_now();
	rc = store_publisher_put(w, &p);
	if (rc)
		return rc;
	web_cache_invalidate();
	redirect(&c, "/editor/feeds");
	return ST_OK;
}

enum status
page_editor_feed_post(struct web_request *req, struct web_response *res)
{
	struct publisher p = {0};
	struct store_feed f = {0};
	const char *url, *topics;
	struct store *w;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_EDITOR, &c);

	if (rc || c.done)
		return rc;
	url = field_trim(&c, "url");
	topics = field_trim(&c, "topics");
	if (!url_is_http(url)) {
		editor_feeds_page(&c,
				  "The feed address must be an http or "
				  "https address.",
				  400);
		return ST_OK;
	}
	rc = account_writer(&w);
	if (rc)
		return rc;
	rc = store_publisher_by_slug(w, field_trim(&c, "publisher"), &p);
	if (rc == ST_NOTFOUND) {
		editor_feeds_page(&c, "Choose a publisher.", 400);
		return ST_OK;
	}
	if (rc)
		return rc;
	f.publisher_id = p.id;
	f.url = (char *)url;
	f.topics = (char *)topics;
	f.enabled = true;
	rc = store_feed_add(w, &f);
	publisher_release(&p);
	if (rc == ST_EXISTS) {
		editor_feeds_page(&c, "That feed is in the catalogue already.",
				  409);
		return ST_OK;
	}
	if (rc)
		return rc;
	redirect(&c, "/editor/feeds");
	return ST_OK;
}

/* ---- Admins -------------------------------------------------------------- */

static void
admin_users_page(struct ctx *c, const char *error, int status)
{
	static const char *const roles[] = {"member", "editor", "publisher",
					    "admin"};
	struct user_list ul = {0};
	struct publisher_list pl = {0};
	struct buf *b = &c->res->body;
	struct store *s = NULL;
	size_t i, j;

	if (web_store(c->req, &s) || store_user_list(s, &ul))
		memset(&ul, 0, sizeof(ul));
	if (!s || store_publisher_list(s, &pl))
		memset(&pl, 0, sizeof(pl));
	page_open(c, "Users", status);
	buf_adds(b, "<h1>Users</h1>");
	form_error(b, error);
	buf_adds(b, "<table class=\"users\"><thead><tr><th>Email</th>"
		    "<th>Role</th><th>Membership</th><th>Grant</th><th>Revoke"
		    "</th></tr></thead><tbody>");
	for (i = 0; i < ul.count; i++) {
		const struct user *u = &ul.items[i];
		struct membership_view m = {0};

		if (s && account_membership(s, u->id, &m))
			memset(&m, 0, sizeof(m));
		buf_adds(b, "<tr><td>");
		add_html(b, u->email);
		buf_addf(b,
			 "</td><td><form method=\"post\" "
			 "action=\"/admin/users/%" PRId64 "/role\">",
			 u->id);
		csrf_input(b, &c->v);
		buf_adds(b, "<select name=\"role\" aria-label=\"Role\">");
		for (j = 0; j < ARRAY_SIZE(roles); j++)
			buf_addf(b, "<option%s>%s</option>",
				 !strcmp(u->role, roles[j]) ? " selected" : "",
				 roles[j]);
		buf_adds(b, "</select><select name=\"publisher\" "
			    "aria-label=\"Publisher\"><option value=\"\">"
			    "—</option>");
		for (j = 0; j < pl.count; j++) {
			buf_addf(b, "<option%s value=\"",
				 pl.items[j].id == u->publisher_id ? " selected"
								   : "");
			add_html(b, pl.items[j].slug);
			buf_adds(b, "\">");
			add_html(b, pl.items[j].name);
			buf_adds(b, "</option>");
		}
		buf_addf(b,
			 "</select><button type=\"submit\">Set</button>"
			 "</form></td><td>%s",
			 account_state_name(m.state));
		if (m.until) {
			buf_adds(b, " until ");
			add_day(b, m.until);
		}
		buf_addf(b,
			 "</td><td><form method=\"post\" "
			 "action=\"/admin/users/%" PRId64 "/grant\">",
			 u->id);
		csrf_input(b, &c->v);
		buf_addf(b,
			 "<input type=\"date\" name=\"until\" required "
			 "aria-label=\"Member through\"><button "
			 "type=\"submit\">Grant</button></form></td><td>"
			 "<form method=\"post\" action=\"/admin/users/%" PRId64
			 "/revoke\">",
			 u->id);
		csrf_input(b, &c->v);
		buf_adds(b, "<button type=\"submit\">Revoke</button></form>"
			    "</td></tr>");
	}
	buf_adds(b, "</tbody></table><p><a href=\"/publisher/statement\">"
		    "Publisher statements</a></p>");
	page_close(c);
	user_list_release(&ul);
	publisher_list_release(&pl);
}

enum status
page_admin_users(struct web_request *req, struct web_response *res)
{
	struct ctx c;
	enum status rc = enter(req, res, F_ADMIN, &c);

	if (rc || c.done)
		return rc;
	admin_users_page(&c, NULL, 200);
	return ST_OK;
}

/* The user of the {id} capture; false (with a page) when none. */
static bool
admin_target(struct ctx *c, struct store *w, int64_t *id)
{
	struct user u = {0};

	if (!web_parse_id(web_capture(c->req, 0), id) ||
	    store_user_get(w, *id, &u)) {
		admin_users_page(c, "There is no such user.", 404);
		return false;
	}
	user_release(&u);
	return true;
}

enum status
page_admin_user_role(struct web_request *req, struct web_response *res)
{
	enum account_role role;
	struct publisher p = {0};
	const char *publisher;
	struct store *w;
	int64_t id;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_ADMIN, &c);

	if (rc || c.done)
		return rc;
	rc = account_writer(&w);
	if (rc)
		return rc;
	if (!admin_target(&c, w, &id))
		return ST_OK;
	if (!account_role_parse(field_trim(&c, "role"), &role)) {
		admin_users_page(&c, "Choose a role.", 400);
		return ST_OK;
	}
	publisher = field_trim(&c, "publisher");
	if (role == ROLE_PUBLISHER &&
	    (!*publisher || store_publisher_by_slug(w, publisher, &p))) {
		admin_users_page(&c, "A publisher user needs its publisher.",
				 400);
		return ST_OK;
	}
	rc = account_set_role(w, id, role, p.id);
	publisher_release(&p);
	if (rc)
		return rc;
	redirect(&c, "/admin/users");
	return ST_OK;
}

enum status
page_admin_user_grant(struct web_request *req, struct web_response *res)
{
	struct store *w;
	int64_t id, until;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_ADMIN, &c);

	if (rc || c.done)
		return rc;
	rc = account_writer(&w);
	if (rc)
		return rc;
	if (!admin_target(&c, w, &id))
		return ST_OK;
	if (!web_parse_date(field_trim(&c, "until"), &until) ||
	    until + 86400 <= clock_now()) {
		admin_users_page(&c, "Choose a day from today on.", 400);
		return ST_OK;
	}
	rc = account_grant(w, id, until + 86400, c.v.email);
	if (rc)
		return rc;
	redirect(&c, "/admin/users");
	return ST_OK;
}

enum status
page_admin_user_revoke(struct web_request *req, struct web_response *res)
{
	struct store *w;
	int64_t id;
	struct ctx c;
	enum status rc = enter(req, res, F_STATE | F_ADMIN, &c);

	if (rc || c.done)
		return rc;
	rc = account_writer(&w);
	if (rc)
		return rc;
	if (!admin_target(&c, w, &id))
		return ST_OK;
	rc = account_revoke(w, id, c.v.email);
	if (rc)
		return rc;
	redirect(&c, "/admin/users");
	return ST_OK;
}

/* ---- Publishers ---------------------------------------------------------- */

/*
 * The statement's publisher and month: a publisher user sees its own; an
 * admin any (?publisher=SLUG). False when a page has been answered.
 */
static bool
statement_target(struct ctx *c, struct store *s, int64_t *publisher_id,
		 char month[8])
{
	const char *m = web_query(c->req, "month");
	const char *slug = web_query(c->req, "publisher");

	if (m && *m) {
		if (!payout_month_parse(m, NULL, NULL, NULL, NULL)) {
			message_page(c, 400, "Statement",
				     "A month looks like 2026-11.");
			return false;
		}
		snprintf(month, 8, "%s", m);
	} else {
		payout_month_of(clock_now(), month);
	}
	*publisher_id = c->v.publisher_id;
	if (c->v.role == ROLE_ADMIN) {
		struct publisher p = {0};

		*publisher_id = 0;
		if (slug && !store_publisher_by_slug(s, slug, &p))
			*publisher_id = p.id;
		publisher_release(&p);
	}
	return true;
}

static void
month_links(struct buf *b, const char *path, const char *month,
	    const char *slug)
{
	int y = atoi(month), m = atoi(month + 5);
	int py = m == 1 ? y - 1 : y, pm = m == 1 ? 12 : m - 1;
	int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;

	buf_addf(b, "<nav class=\"months\"><a href=\"%s?month=%04d-%02d", path,
		 py % 10000, pm % 100);
	if (slug) {
		buf_adds(b, "&amp;publisher=");
		add_html(b, slug);
	}
	buf_addf(b, "\">← %04d-%02d</a> <a href=\"%s?month=%04d-%02d",
		 py % 10000, pm % 100, path, ny % 10000, nm % 100);
	if (slug) {
		buf_adds(b, "&amp;publisher=");
		add_html(b, slug);
	}
	buf_addf(b, "\">%04d-%02d →</a></nav>", ny % 10000, nm % 100);
}

static void
admin_statement_index(struct ctx *c, struct store *s, const char *month)
{
	struct payout_table t = {0};
	struct buf *b = &c->res->body;
	size_t i;

	page_open(c, "Statements", 200);
	buf_addf(b, "<h1>Payouts for %s</h1>", month);
	month_links(b, "/publisher/statement", month, NULL);
	if (payout_compute(s, month, &t)) {
		form_error(b, "The payout table could not be computed.");
	} else if (!t.count) {
		buf_addf(b, "<p>No reads in %s: nothing is paid.</p>", month);
	} else {
		buf_adds(b,
			 "<table><thead><tr><th>Publisher</th><th>Reads</th>"
			 "<th>Share</th><th>Payout</th></tr></thead><tbody>");
		for (i = 0; i < t.count; i++) {
			buf_addf(b,
				 "<tr><td><a href=\"/publisher/statement?"
				 "month=%s&amp;publisher=",
				 month);
			add_html(b, t.items[i].slug);
			buf_adds(b, "\">");
			add_html(b, t.items[i].name);
			buf_addf(b,
				 "</a></td><td>%" PRId64
				 "</td><td>%.2f%%</td><td>",
				 t.items[i].reads, t.items[i].share * 100);
			payout_add_amount(b, t.items[i].cents);
			buf_adds(b, "</td></tr>");
		}
		buf_adds(b, "</tbody></table><p>Pool: ");
		payout_add_amount(b, t.pool_cents);
		buf_adds(b, "</p>");
	}
	page_close(c);
	payout_table_release(&t);
}

enum status
page_publisher_statement(struct web_request *req, struct web_response *res)
{
	struct payout_statement st = {0};
	struct buf *b = &res->body;
	struct store *s;
	int64_t publisher_id;
	char month[8];
	struct ctx c;
	size_t i;
	int d;
	enum status rc = enter(req, res, F_PUBLISHER, &c);

	if (rc || c.done)
		return rc;
	rc = web_store(req, &s);
	if (rc)
		return rc;
	if (!statement_target(&c, s, &publisher_id, month))
		return ST_OK;
	if (!publisher_id) {
		admin_statement_index(&c, s, month);
		return ST_OK;
	}
	rc = payout_statement_get(s, publisher_id, month, &st);
	if (rc == ST_NOTFOUND) {
		message_page(&c, 404, "Statement",
			     "There is no such publisher.");
		return ST_OK;
	}
	if (rc)
		return rc;
	page_open(&c, "Statement", 200);
	buf_adds(b, "<h1>");
	add_html(b, st.name);
	buf_addf(b, ": statement for %s</h1>", month);
	month_links(b, "/publisher/statement", month,
		    c.v.role == ROLE_ADMIN ? st.slug : NULL);
	buf_addf(b,
		 "<dl class=\"statement\"><dt>Reads</dt><dd>%" PRId64
		 "</dd><dt>Share of all reads</dt><dd>%.2f%%</dd>"
		 "<dt>Payout</dt><dd>",
		 st.reads, st.share * 100);
	payout_add_amount(b, st.cents);
	buf_adds(b, "</dd><dt>Month's pool</dt><dd>");
	payout_add_amount(b, st.table.pool_cents);
	buf_adds(b, "</dd></dl>");
	if (!st.table.count)
		buf_addf(b, "<p>No reads in %s: nothing is paid.</p>", month);
	buf_adds(b, "<figure class=\"chart\">");
	payout_chart_svg(b, month, st.per_day, st.days);
	buf_adds(b, "<figcaption>Reads per day</figcaption></figure>");
	buf_adds(b, "<details><summary>Reads per day as a table</summary>"
		    "<table><thead><tr><th>Day</th><th>Reads</th></tr></thead>"
		    "<tbody>");
	for (d = 0; d < st.days; d++)
		buf_addf(b, "<tr><td>%s-%02d</td><td>%" PRId64 "</td></tr>",
			 month, (d + 1) % 100, st.per_day[d]);
	buf_adds(b, "</tbody></table></details>");
	buf_adds(b, "<h2>Most read</h2><ol class=\"top-articles\">");
	for (i = 0; i < st.top.count; i++) {
		buf_adds(b, "<li>");
		add_html(b, st.top.items[i].name);
		buf_addf(b, " — %" PRId64 " read%s</li>", st.top.items[i].reads,
			 st.top.items[i].reads == 1 ? "" : "s");
	}
	buf_adds(b, "</ol><p><a href=\"/publisher/statement.csv?month=");
	buf_adds(b, month);
	if (c.v.role == ROLE_ADMIN) {
		buf_adds(b, "&amp;publisher=");
		add_html(b, st.slug);
	}
	buf_adds(b, "\" download>Download CSV</a></p>");
	page_close(&c);
	payout_statement_release(&st);
	return ST_OK;
}

enum status
page_publisher_statement_csv(struct web_request *req, struct web_response *res)
{
	struct store *s;
	int64_t publisher_id;
	char month[8];
	struct ctx c;
	enum status rc = enter(req, res, F_PUBLISHER, &c);

	if (rc || c.done)
		return rc;
	rc = web_store(req, &s);
	if (rc)
		return rc;
	if (!statement_target(&c, s, &publisher_id, month))
		return ST_OK;
	buf_reset(&res->body);
	if (publisher_id)
		rc = payout_statement_csv(s, publisher_id, month, &res->body);
	else {
		struct payout_table t = {0};

		rc = payout_compute(s, month, &t);
		if (!rc)
			payout_table_csv(&t, &res->body);
		payout_table_release(&t);
	}
	if (rc)
		return rc;
	res->status = 200;
	res->content_type = "text/csv; charset=utf-8";
	res->extra_header = "Content-Disposition";
	res->extra_value = arena_printf(web_request_arena(req),
					"attachment; filename=\"statement-%s"
					".csv\"",
					month);
	return ST_OK;
}

/* ---- The billing webhook ------------------------------------------------- */

enum status
api_billing_webhook(struct web_request *req, struct web_response *res)
{
	const char *body, *signature, *answer;
	size_t len = 0;
	struct store *w;
	enum status rc;
	int status;

	res->cache_control = WEB_CACHE_NONE;
	res->no_cache = true;
	body = web_body(req, &len);
	rc = account_writer(&w);
	if (rc)
		return rc;
	signature = web_header(req, "Stripe-Signature");
	if (!signature)
		signature = web_header(req, "Webhook-Signature");
	rc = body ? account_webhook_handle(w, signature, body, len) : ST_INVAL;
	switch (rc) {
	case ST_OK:
		status = 200, answer = "{\"received\":true}";
		break;
	case ST_DENIED:
		status = 401, answer = "{\"error\":\"bad_signature\"}";
		break;
	case ST_EXISTS:
		status = 409, answer = "{\"error\":\"replayed\"}";
		break;
	case ST_NOTFOUND:
		status = 404, answer = "{\"error\":\"unknown_member\"}";
		break;
	case ST_UNSUPPORTED:
		/* Events we do not use are acknowledged. */
		status = 200, answer = "{\"received\":true,\"ignored\":true}";
		break;
	case ST_INVAL:
	case ST_PARSE:
		status = 400, answer = "{\"error\":\"bad_payload\"}";
		break;
	default:
		return rc;
	}
	web_res_json(res);
	res->status = status;
	buf_adds(&res->body, answer);
	buf_addc(&res->body, '\n');
	return ST_OK;
}
