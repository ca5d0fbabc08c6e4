/*
 * test_account_pages.c — the account pages through the real server: sign-up,
 * trial, full text, save, follow, For you, sign-out; cookie flags and
 * token rotation; CSRF and role refusals over HTTP for every route of the
 * server's merged table (web_routes()); a sign-in flood.
 *
 * routes_merged() skips a test with a message should the account routes
 * ever leave the server's table.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <pthread.h>

#include "account/account.h"
#include "base/config.h"
#include "store/accounts.h"
#include "unit/web_fixture.h"
#include "web/account_pages.h"
#include "web/http.h"

static struct web_fixture fx;

static bool
routes_merged(void)
{
	size_t n, i;
	const struct web_route *r = web_routes(&n);

	for (i = 0; i < n; i++)
		if (!strcmp(r[i].method, "POST") &&
		    !strcmp(r[i].pattern, "/signup"))
			return true;
	return false;
}

static void
setup(void)
{
	struct account_limits l;

	account_limits_default(&l);
	l.hash_opslimit = 1;
	l.hash_memlimit = 8192;
	account_limits_set(&l);
	web_fixture_build(&fx);
	web_fixture_start(&fx);
}

static void
teardown(void)
{
	web_fixture_release(&fx);
}

TestSuite(account_pages, .init = setup, .fini = teardown);

/* The session token of a Set-Cookie in r (static), or "" when cleared. */
static const char *
cookie_of(const struct http_reply *r)
{
	static char token[ACCOUNT_TOKEN_LEN];
	char name[40];
	const char *p;

	snprintf(name, sizeof(name), "Set-Cookie: %s=", account_cookie_name());
	p = strstr(r->head.data, name);
	cr_assert_not_null(p, "no session cookie in %s", r->head.data);
	p += strlen(name);
	snprintf(token, sizeof(token), "%.*s", (int)strcspn(p, ";\r\n"), p);
	return token;
}

/* The CSRF token of the first form of a page (static). */
static const char *
csrf_of(const struct http_reply *r)
{
	static char token[ACCOUNT_TOKEN_LEN];
	const char *p = strstr(r->body.data, "name=\"csrf\" value=\"");

	cr_assert_not_null(p, "no CSRF field");
	p += strlen("name=\"csrf\" value=\"");
	snprintf(token, sizeof(token), "%.*s", (int)strcspn(p, "\""), p);
	return token;
}

static char *
signup(const char *email)
{
	struct http_reply r;
	char form[256];
	char *cookie;

	snprintf(form, sizeof(form), "email=%s&password=correct+horse+battery",
		 email);
	http_form(&fx, "POST", "/signup", NULL, form, &r);
	cr_assert_eq(r.status, 303, "signup: %ld %s", r.status, r.body.data);
	cookie = xstrdup(cookie_of(&r));
	http_reply_release(&r);
	return cookie;
}

Test(account_pages, visitor_to_member_and_back)
{
	struct http_reply r;
	char form[512], *cookie, *old;
	const char *csrf;

	if (!routes_merged())
		cr_skip_test(
			"account routes are not in the server's table yet");
	/* Bad forms get messages, not 500s. */
	http_form(&fx, "POST", "/signup", NULL,
		  "email=ada%40example.com&password=short", &r);
	cr_assert_eq(r.status, 400);
	cr_assert_not_null(strstr(r.body.data, "at least 10 characters"));
	http_reply_release(&r);
	cookie = signup("ada%40example.com");
	http_form(&fx, "POST", "/signup", NULL,
		  "email=ADA%40example.com&password=another+long+one", &r);
	cr_assert_eq(r.status, 409);
	cr_assert_not_null(strstr(r.body.data, "already exists"));
	http_reply_release(&r);
	http_form(&fx, "POST", "/signin", NULL,
		  "email=ada%40example.com&password=wrong+password", &r);
	cr_assert_eq(r.status, 401);
	cr_assert_not_null(strstr(r.body.data, "do not match"));
	http_reply_release(&r);
	/* Cookie flags (http://: no __Host- prefix, no Secure). */
	http_form(&fx, "POST", "/signin", NULL,
		  "email=ada%40example.com&password=correct+horse+battery", &r);
	cr_assert_eq(r.status, 303);
	cr_assert_not_null(strstr(r.head.data, "; Path=/"));
	cr_assert_not_null(strstr(r.head.data, "; HttpOnly"));
	cr_assert_not_null(strstr(r.head.data, "; SameSite=Lax"));
	free(cookie);
	cookie = xstrdup(cookie_of(&r));
	http_reply_release(&r);
	/* The trial: the teaser before, the whole article after. */
	http_form(&fx, "GET", fx.canary_path, cookie, NULL, &r);
	cr_assert_null(strstr(r.body.data, WF_CANARY));
	http_reply_release(&r);
	http_form(&fx, "GET", "/account", cookie, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(r.body.data, "Start your 14-day free trial"));
	csrf = csrf_of(&r);
	snprintf(form, sizeof(form), "csrf=%s", csrf);
	http_reply_release(&r);
	http_form(&fx, "POST", "/account/trial", cookie, "csrf=forged", &r);
	cr_assert_eq(r.status, 403);
	http_reply_release(&r);
	http_form(&fx, "POST", "/account/trial", cookie, form, &r);
	cr_assert_eq(r.status, 303);
	old = cookie;
	cookie = xstrdup(cookie_of(&r));
	cr_assert_str_neq(old, cookie, "a new token at a privilege change");
	http_reply_release(&r);
	http_form(&fx, "GET", "/account", old, NULL, &r);
	cr_assert_eq(r.status, 303, "the old token is dead");
	http_reply_release(&r);
	free(old);
	http_form(&fx, "GET", fx.canary_path, cookie, NULL, &r);
	cr_assert_not_null(strstr(r.body.data, WF_CANARY));
	http_reply_release(&r);
	/* Save it, follow a topic, see For you. */
	http_form(&fx, "GET", "/account", cookie, NULL, &r);
	csrf = csrf_of(&r);
	snprintf(form, sizeof(form), "csrf=%s&article_id=%" PRId64, csrf,
		 fx.canary_id);
	http_reply_release(&r);
	http_form(&fx, "POST", "/save", cookie, form, &r);
	cr_assert_eq(r.status, 303);
	http_reply_release(&r);
	http_form(&fx, "GET", "/saved", cookie, NULL, &r);
	cr_assert_not_null(strstr(r.body.data, fx.canary_path));
	http_reply_release(&r);
	snprintf(form, sizeof(form), "csrf=%s&kind=topic&slug=science", csrf);
	http_form(&fx, "POST", "/follow", cookie, form, &r);
	cr_assert_eq(r.status, 303);
	http_reply_release(&r);
	http_form(&fx, "GET", "/for-you", cookie, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(r.body.data, "/a/"));
	http_reply_release(&r);
	/* Sign out: the teaser again. */
	snprintf(form, sizeof(form), "csrf=%s", csrf);
	http_form(&fx, "POST", "/signout", cookie, form, &r);
	cr_assert_eq(r.status, 303);
	cr_assert_str_eq(cookie_of(&r), "");
	http_reply_release(&r);
	http_form(&fx, "GET", fx.canary_path, cookie, NULL, &r);
	cr_assert_null(strstr(r.body.data, WF_CANARY));
	http_reply_release(&r);
	free(cookie);
}

/* The pattern with every capture filled in with a harmless sample. */
static void
sample_path(const char *pattern, char *out, size_t size)
{
	struct buf b = BUF_INIT;
	const char *p = pattern;

	while (*p) {
		if (*p == '{') {
			const char *close = strchr(p, '}');

			buf_adds(&b, !strncmp(p, "{slug}", 6)	 ? "world"
				     : !strncmp(p, "{name}", 6)	 ? "app.css"
				     : !strncmp(p, "{token}", 7) ? "not-a-token"
								 : "1");
			p = close + 1;
		} else if (*p == '*' && !p[1]) {
			buf_adds(&b, "x");
			p++;
		} else {
			buf_addc(&b, *p++);
		}
	}
	snprintf(out, size, "%s", b.data);
	buf_release(&b);
}

enum who { W_MEMBER, W_EDITOR, W_PUBLISHER, W_ADMIN, W_COUNT };

/* What a role may use, by the route's role flags (DESIGN.md). */
static bool
role_may(enum who w, unsigned flags)
{
	if (w == W_ADMIN)
		return true;
	if (flags & WEB_ADMIN)
		return false;
	if ((flags & WEB_EDITOR) && w != W_EDITOR)
		return false;
	if ((flags & WEB_PUBLISHER) && w != W_PUBLISHER)
		return false;
	return true;
}

/*
 * Issue 6, acceptance 1: the server's merged table enumerated. Every
 * WEB_STATE route refuses a missing and a foreign CSRF token (form field
 * and header) and visitors; every editor, publisher and admin route
 * refuses the roles that must not use it, and lets the right ones in.
 */
Test(account_pages, merged_table_refuses_csrf_and_roles)
{
	static const char *const names[] = {"member", "editor", "publisher",
					    "admin"};
	struct wf_user u[W_COUNT], other;
	size_t n, i, state_routes = 0, role_routes = 0, member_routes = 0;
	const struct web_route *r = web_routes(&n);
	char path[256], no_csrf[64], foreign[160], own[160], hdr[160];
	struct http_reply rep;
	int w;

	web_fixture_user(&fx, "m@example.com", ROLE_MEMBER, NULL, WF_TRIAL,
			 &u[W_MEMBER]);
	web_fixture_user(&fx, "e@example.com", ROLE_EDITOR, NULL, WF_TRIAL,
			 &u[W_EDITOR]);
	web_fixture_user(&fx, "p@example.com", ROLE_PUBLISHER, "harbour-herald",
			 WF_NO_MEMBERSHIP, &u[W_PUBLISHER]);
	web_fixture_user(&fx, "a@example.com", ROLE_ADMIN, NULL,
			 WF_NO_MEMBERSHIP, &u[W_ADMIN]);
	web_fixture_user(&fx, "o@example.com", ROLE_MEMBER, NULL, WF_TRIAL,
			 &other);
	snprintf(no_csrf, sizeof(no_csrf), "x=1");
	snprintf(foreign, sizeof(foreign), "csrf=%s&x=1", other.csrf);
	snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", other.csrf);
	for (i = 0; i < n; i++) {
		unsigned roles =
			r[i].flags & (WEB_EDITOR | WEB_ADMIN | WEB_PUBLISHER);
		bool post = !strcmp(r[i].method, "POST");

		sample_path(r[i].pattern, path, sizeof(path));
		if (r[i].flags & WEB_STATE) {
			/* The admin may use every route: only CSRF stops it. */
			const char *cookie[] = {u[W_ADMIN].cookie_hdr, NULL};
			const char *cookie_hdr[] = {u[W_ADMIN].cookie_hdr, hdr,
						    NULL};

			cr_assert(post, "%s changes state on GET", path);
			http_send(&fx, "POST", path, cookie, no_csrf, &rep);
			cr_expect_eq(rep.status, 403, "%s without CSRF: %ld",
				     path, rep.status);
			http_reply_release(&rep);
			http_send(&fx, "POST", path, cookie, foreign, &rep);
			cr_expect_eq(rep.status, 403,
				     "%s with a foreign CSRF: %ld", path,
				     rep.status);
			http_reply_release(&rep);
			http_send(&fx, "POST", path, cookie_hdr, no_csrf, &rep);
			cr_expect_eq(rep.status, 403,
				     "%s with a foreign X-CSRF-Token: %ld",
				     path, rep.status);
			http_reply_release(&rep);
			http_send(&fx, "POST", path, NULL, no_csrf, &rep);
			cr_expect_eq(rep.status, 303, "%s as a visitor: %ld",
				     path, rep.status);
			cr_expect_not_null(strstr(rep.head.data,
						  "Location: /signin?next="),
					   "%s", path);
			http_reply_release(&rep);
			state_routes++;
		} else if (post && (r[i].flags & WEB_MEMBER)) {
			cr_expect_fail("POST %s needs a member but no CSRF",
				       path);
		}
		if (r[i].flags & WEB_MEMBER) {
			http_send(&fx, r[i].method, path, NULL,
				  post ? no_csrf : NULL, &rep);
			cr_expect(rep.status == 303 || rep.status == 401,
				  "%s as a visitor: %ld", path, rep.status);
			http_reply_release(&rep);
			member_routes++;
		}
		if (!roles)
			continue;
		role_routes++;
		for (w = 0; w < W_COUNT; w++) {
			const char *cookie[] = {u[w].cookie_hdr, NULL};

			if (role_may((enum who)w, r[i].flags)) {
				if (post)
					continue; /* would act */
				http_send(&fx, "GET", path, cookie, NULL, &rep);
				cr_expect_eq(rep.status, 200, "%s as %s: %ld",
					     path, names[w], rep.status);
				http_reply_release(&rep);
				continue;
			}
			/* A valid token: the refusal is the role's. */
			snprintf(own, sizeof(own), "csrf=%s&x=1", u[w].csrf);
			http_send(&fx, r[i].method, path, cookie,
				  post ? own : NULL, &rep);
			cr_expect_eq(rep.status, 403, "%s as %s: %ld", path,
				     names[w], rep.status);
			http_reply_release(&rep);
		}
	}
	cr_assert_geq(state_routes, 18);
	cr_assert_geq(role_routes, 11);
	cr_assert_geq(member_routes, 20);
	for (w = 0; w < W_COUNT; w++)
		wf_user_release(&u[w]);
	wf_user_release(&other);
}

/* Issue 6, acceptance 1: tokens change at sign-in and die at sign-out. */
Test(account_pages, session_token_rotates_and_dies)
{
	struct http_reply r;
	char *first, *second, form[256], fixed[128];
	const char *lines[2] = {fixed, NULL};

	first = signup("rot%40example.com");
	/* A token planted before sign-in (fixation) is not kept. */
	snprintf(fixed, sizeof(fixed), "Cookie: %s=%s", account_cookie_name(),
		 first);
	http_send(&fx, "POST", "/signin", lines,
		  "email=rot%40example.com&password=correct+horse+battery", &r);
	cr_assert_eq(r.status, 303);
	second = xstrdup(cookie_of(&r));
	cr_assert_str_neq(first, second, "a new token at sign-in");
	cr_assert_eq(strlen(second), ACCOUNT_TOKEN_LEN - 1);
	/* Flags on http://127.0.0.1: the plain name, no Secure. */
	cr_assert_not_null(strstr(r.head.data, "Set-Cookie: session="));
	cr_assert_not_null(strstr(r.head.data, "; Path=/"));
	cr_assert_not_null(strstr(r.head.data, "; HttpOnly"));
	cr_assert_not_null(strstr(r.head.data, "; SameSite=Lax"));
	http_reply_release(&r);
	http_form(&fx, "GET", "/account", second, NULL, &r);
	cr_assert_eq(r.status, 200);
	snprintf(form, sizeof(form), "csrf=%s", csrf_of(&r));
	http_reply_release(&r);
	http_form(&fx, "POST", "/signout", second, form, &r);
	cr_assert_eq(r.status, 303);
	cr_assert_str_eq(cookie_of(&r), "");
	cr_assert_not_null(strstr(r.head.data, "Max-Age=0"),
			   "the cookie is cleared: %s", r.head.data);
	http_reply_release(&r);
	/* The old token is dead: pages treat it as a visitor. */
	http_form(&fx, "GET", "/account", second, NULL, &r);
	cr_assert_eq(r.status, 303);
	http_reply_release(&r);
	http_form(&fx, "POST", "/signout", second, form, &r);
	cr_assert_eq(r.status, 303);
	cr_assert_not_null(strstr(r.head.data, "Location: /signin"));
	http_reply_release(&r);
	/* The other session (from sign-up) is still alive. */
	http_form(&fx, "GET", "/account", first, NULL, &r);
	cr_assert_eq(r.status, 200);
	http_reply_release(&r);
	free(first);
	free(second);
}

static void
https_setup(void)
{
	struct account_limits l;

	config_defaults();
	free(config.base_url);
	config.base_url = xstrdup("https://news.example");
	account_limits_default(&l);
	l.hash_opslimit = 1;
	l.hash_memlimit = 8192;
	account_limits_set(&l);
	web_fixture_build(&fx);
	web_fixture_start(&fx);
}

/* Behind https the cookie is __Host-session with Secure, and it works. */
Test(account_pages_https, host_cookie_with_secure, .init = https_setup,
     .fini = teardown)
{
	struct http_reply r;
	char *token;

	cr_assert_str_eq(account_cookie_name(), "__Host-session");
	http_form(&fx, "POST", "/signup", NULL,
		  "email=tls%40example.com&password=correct+horse+battery", &r);
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body.data);
	cr_assert_not_null(strstr(r.head.data, "Set-Cookie: __Host-session="));
	cr_assert_not_null(strstr(r.head.data, "; Secure"));
	cr_assert_not_null(strstr(r.head.data, "; HttpOnly"));
	cr_assert_not_null(strstr(r.head.data, "; Path=/"));
	cr_assert_null(strstr(r.head.data, "Domain="));
	token = xstrdup(cookie_of(&r));
	http_reply_release(&r);
	http_form(&fx, "GET", "/account", token, NULL, &r);
	cr_assert_eq(r.status, 200);
	http_reply_release(&r);
	/* The plain name means nothing on an https site. */
	{
		char line[160];
		const char *lines[] = {line, NULL};

		snprintf(line, sizeof(line), "Cookie: session=%s", token);
		http_send(&fx, "GET", "/account", lines, NULL, &r);
		cr_assert_eq(r.status, 303);
		http_reply_release(&r);
	}
	free(token);
}

struct flood_arg {
	int attempts; /* sign-ins to send */
	int refused;  /* 429 answers */
	int denied;   /* 401 answers */
};

static void *
flood(void *p)
{
	struct flood_arg *a = p;
	struct http_reply r;
	int i;

	for (i = 0; i < a->attempts; i++) {
		http_form(&fx, "POST", "/signin", NULL,
			  "email=ada%40example.com&password=wrong+guess+1", &r);
		a->refused += r.status == 429;
		a->denied += r.status == 401;
		http_reply_release(&r);
	}
	return NULL;
}

Test(account_pages, login_flood_leaves_readers_alone)
{
	enum { THREADS = 6, EACH = 6 };
	struct account_limits l;
	struct account_hash_stats st;
	struct flood_arg args[THREADS] = {0};
	pthread_t t[THREADS];
	struct http_reply r;
	int i, ok = 0, reads = 0;

	if (!routes_merged())
		cr_skip_test(
			"account routes are not in the server's table yet");
	free(signup("ada%40example.com"));
	account_limits_default(&l);
	l.hash_opslimit = 1;
	l.hash_memlimit = 8 * 1024 * 1024;
	l.hash_concurrency = 1;
	l.hash_wait_ms = 20;
	l.account_burst = 1000;
	l.addr_burst = 1000;
	account_limits_set(&l);
	account_hash_stats(&st, true);
	for (i = 0; i < THREADS; i++) {
		args[i].attempts = EACH;
		cr_assert_eq(pthread_create(&t[i], NULL, flood, &args[i]), 0);
	}
	for (i = 0; i < 10; i++, reads++) {
		http_form(&fx, "GET", fx.canary_path, NULL, NULL, &r);
		ok += r.status == 200;
		http_reply_release(&r);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	account_hash_stats(&st, false);
	cr_assert_eq(ok, reads, "readers are served during the flood");
	cr_assert_leq(st.peak_in_flight, 1);
	for (i = 0; i < THREADS; i++)
		cr_assert_eq(args[i].refused + args[i].denied, EACH);
}
