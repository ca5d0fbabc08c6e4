/*
 * test_account_pages.c — the account pages through the real server: sign-up,
 * trial, full text, save, follow, For you, sign-out; cookie flags; CSRF and
 * role refusals over HTTP for every route of account_web_routes().
 *
 * These tests need the account routes in the server's table and the
 * request body (web_body()); until then they are skipped with a message.
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

struct reply {
	long status;
	struct buf head, body;
};

static size_t
collect(char *p, size_t size, size_t n, void *userp)
{
	buf_add(userp, p, size * n);
	return size * n;
}

/* A request with an optional cookie and urlencoded body. */
static void
fetch(const char *method, const char *path, const char *cookie,
      const char *form, struct reply *out)
{
	char url[512], cookie_line[256];
	struct curl_slist *h = NULL;
	CURL *c = curl_easy_init();

	memset(out, 0, sizeof(*out));
	buf_init(&out->head, 0);
	buf_init(&out->body, 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", fx.port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (form) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
		h = curl_slist_append(h, "Content-Type: "
					 "application/x-www-form-urlencoded");
	}
	if (cookie) {
		snprintf(cookie_line, sizeof(cookie_line), "Cookie: %s=%s",
			 account_cookie_name(), cookie);
		h = curl_slist_append(h, cookie_line);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &out->head);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
}

static void
reply_release(struct reply *r)
{
	buf_release(&r->head);
	buf_release(&r->body);
}

/* The session token of a Set-Cookie in r (static), or "" when cleared. */
static const char *
cookie_of(const struct reply *r)
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
csrf_of(const struct reply *r)
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
	struct reply r;
	char form[256];
	char *cookie;

	snprintf(form, sizeof(form), "email=%s&password=correct+horse+battery",
		 email);
	fetch("POST", "/signup", NULL, form, &r);
	cr_assert_eq(r.status, 303, "signup: %ld %s", r.status, r.body.data);
	cookie = xstrdup(cookie_of(&r));
	reply_release(&r);
	return cookie;
}

Test(account_pages, visitor_to_member_and_back)
{
	struct reply r;
	char form[512], *cookie, *old;
	const char *csrf;

	if (!routes_merged())
		cr_skip_test(
			"account routes are not in the server's table yet");
	/* Bad forms get messages, not 500s. */
	fetch("POST", "/signup", NULL, "email=ada%40example.com&password=short",
	      &r);
	cr_assert_eq(r.status, 400);
	cr_assert_not_null(strstr(r.body.data, "at least 10 characters"));
	reply_release(&r);
	cookie = signup("ada%40example.com");
	fetch("POST", "/signup", NULL,
	      "email=ADA%40example.com&password=another+long+one", &r);
	cr_assert_eq(r.status, 409);
	cr_assert_not_null(strstr(r.body.data, "already exists"));
	reply_release(&r);
	fetch("POST", "/signin", NULL,
	      "email=ada%40example.com&password=wrong+password", &r);
	cr_assert_eq(r.status, 401);
	cr_assert_not_null(strstr(r.body.data, "do not match"));
	reply_release(&r);
	/* Cookie flags (http://: no __Host- prefix, no Secure). */
	fetch("POST", "/signin", NULL,
	      "email=ada%40example.com&password=correct+horse+battery", &r);
	cr_assert_eq(r.status, 303);
	cr_assert_not_null(strstr(r.head.data, "; Path=/"));
	cr_assert_not_null(strstr(r.head.data, "; HttpOnly"));
	cr_assert_not_null(strstr(r.head.data, "; SameSite=Lax"));
	free(cookie);
	cookie = xstrdup(cookie_of(&r));
	reply_release(&r);
	/* The trial: the teaser before, the whole article after. */
	fetch("GET", fx.canary_path, cookie, NULL, &r);
	cr_assert_null(strstr(r.body.data, WF_CANARY));
	reply_release(&r);
	fetch("GET", "/account", cookie, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(r.body.data, "Start your 14-day free trial"));
	csrf = csrf_of(&r);
	snprintf(form, sizeof(form), "csrf=%s", csrf);
	reply_release(&r);
	fetch("POST", "/account/trial", cookie, "csrf=forged", &r);
	cr_assert_eq(r.status, 403);
	reply_release(&r);
	fetch("POST", "/account/trial", cookie, form, &r);
	cr_assert_eq(r.status, 303);
	old = cookie;
	cookie = xstrdup(cookie_of(&r));
	cr_assert_str_neq(old, cookie, "a new token at a privilege change");
	reply_release(&r);
	fetch("GET", "/account", old, NULL, &r);
	cr_assert_eq(r.status, 303, "the old token is dead");
	reply_release(&r);
	free(old);
	fetch("GET", fx.canary_path, cookie, NULL, &r);
	cr_assert_not_null(strstr(r.body.data, WF_CANARY));
	reply_release(&r);
	/* Save it, follow a topic, see For you. */
	fetch("GET", "/account", cookie, NULL, &r);
	csrf = csrf_of(&r);
	snprintf(form, sizeof(form), "csrf=%s&article_id=%" PRId64, csrf,
		 fx.canary_id);
	reply_release(&r);
	fetch("POST", "/save", cookie, form, &r);
	cr_assert_eq(r.status, 303);
	reply_release(&r);
	fetch("GET", "/saved", cookie, NULL, &r);
	cr_assert_not_null(strstr(r.body.data, fx.canary_path));
	reply_release(&r);
	snprintf(form, sizeof(form), "csrf=%s&kind=topic&slug=science", csrf);
	fetch("POST", "/follow", cookie, form, &r);
	cr_assert_eq(r.status, 303);
	reply_release(&r);
	fetch("GET", "/for-you", cookie, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(r.body.data, "/a/"));
	reply_release(&r);
	/* Sign out: the teaser again. */
	snprintf(form, sizeof(form), "csrf=%s", csrf);
	fetch("POST", "/signout", cookie, form, &r);
	cr_assert_eq(r.status, 303);
	cr_assert_str_eq(cookie_of(&r), "");
	reply_release(&r);
	fetch("GET", fx.canary_path, cookie, NULL, &r);
	cr_assert_null(strstr(r.body.data, WF_CANARY));
	reply_release(&r);
	free(cookie);
}

Test(account_pages, every_route_refuses_missing_or_foreign_csrf_and_roles)
{
	size_t n, i;
	const struct web_route *r = account_web_routes(&n);
	char *member, *other, path[256], form[256];
	struct reply rep;
	const char *foreign;

	if (!routes_merged())
		cr_skip_test(
			"account routes are not in the server's table yet");
	member = signup("m%40example.com");
	other = signup("o%40example.com");
	fetch("GET", "/account", other, NULL, &rep);
	foreign = csrf_of(&rep);
	snprintf(form, sizeof(form), "csrf=%s&x=1", foreign);
	reply_release(&rep);
	for (i = 0; i < n; i++) {
		const char *p = r[i].pattern;

		/* Fill captures with 1. */
		snprintf(path, sizeof(path), "%s", p);
		if (strstr(path, "{id}") || strstr(path, "{token}")) {
			char *brace = strchr(path, '{');
			char *close = strchr(brace, '}');

			memmove(brace + 1, close + 1, strlen(close + 1) + 1);
			*brace = '1';
		}
		if (r[i].flags & WEB_STATE) {
			fetch("POST", path, member, "x=1", &rep);
			cr_expect_eq(rep.status, 403, "%s without CSRF: %ld",
				     path, rep.status);
			reply_release(&rep);
			fetch("POST", path, member, form, &rep);
			cr_expect_eq(rep.status, 403, "%s with a foreign CSRF",
				     path);
			reply_release(&rep);
		}
		if (r[i].flags & (WEB_EDITOR | WEB_ADMIN | WEB_PUBLISHER)) {
			fetch(r[i].method, path, member,
			      strcmp(r[i].method, "POST") ? NULL : "x=1", &rep);
			cr_expect_eq(rep.status, 403, "%s as a member: %ld",
				     path, rep.status);
			reply_release(&rep);
		}
		if (r[i].flags & WEB_MEMBER) {
			fetch(r[i].method, path, NULL,
			      strcmp(r[i].method, "POST") ? NULL : "x=1", &rep);
			cr_expect(rep.status == 303 || rep.status == 401 ||
					  rep.status == 403,
				  "%s as a visitor: %ld", path, rep.status);
			reply_release(&rep);
		}
	}
	free(member);
	free(other);
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
	struct reply r;
	int i;

	for (i = 0; i < a->attempts; i++) {
		fetch("POST", "/signin", NULL,
		      "email=ada%40example.com&password=wrong+guess+1", &r);
		a->refused += r.status == 429;
		a->denied += r.status == 401;
		reply_release(&r);
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
	struct reply r;
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
		fetch("GET", fx.canary_path, NULL, NULL, &r);
		ok += r.status == 200;
		reply_release(&r);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	account_hash_stats(&st, false);
	cr_assert_eq(ok, reads, "readers are served during the flood");
	cr_assert_leq(st.peak_in_flight, 1);
	for (i = 0; i < THREADS; i++)
		cr_assert_eq(args[i].refused + args[i].denied, EACH);
}
