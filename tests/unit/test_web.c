/*
 * test_web.c — integration tests of the reading app's pages: the server
 * runs in-process on 127.0.0.1 against the fixture database and libcurl
 * checks every route's status, content type, key content, cache and
 * security headers, errors, and the paywall.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <unistd.h>

#include "support/testutil.h"
#include "web/http.h"
#include "web/web.h"
#include "unit/web_fixture.h"

static struct web_fixture fx;

static void
setup(void)
{
	web_fixture_build(&fx);
	web_fixture_start(&fx);
}

static void
teardown(void)
{
	web_fixture_release(&fx);
}

/* Fetches a CSS asset path from the front page. */
static char *
find_link(const char *html, const char *prefix)
{
	const char *p = strstr(html, prefix), *end;

	if (!p)
		return NULL;
	end = strchr(p, '"');
	return end ? xstrndup(p, (size_t)(end - p)) : NULL;
}

static void
assert_security_headers(const struct http_reply *r, const char *path)
{
	static const char *const names[] = {
		"Content-Security-Policy", "X-Content-Type-Options",
		"Referrer-Policy", "X-Frame-Options", "Permissions-Policy"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		char *v = http_header(r, names[i]);

		cr_assert(v, "%s: missing %s", path, names[i]);
		free(v);
	}
	{
		char *csp = http_header(r, "Content-Security-Policy");
		char *nosniff = http_header(r, "X-Content-Type-Options");

		cr_assert(strstr(csp, "default-src 'none'"), "%s: CSP %s", path,
			  csp);
		cr_assert(!strstr(csp, "unsafe-inline") ||
				  strstr(csp, "sandbox"),
			  "%s: CSP allows inline: %s", path, csp);
		cr_assert_str_eq(nosniff, "nosniff");
		free(csp);
		free(nosniff);
	}
}

struct route_case {
	const char *path;    /* NULL-terminated table */
	long status;	     /* expected status */
	const char *type;    /* content type prefix */
	const char *content; /* a substring of the body */
};

Test(web, every_page_route, .init = setup, .fini = teardown)
{
	char story[64], article[256];
	struct route_case cases[] = {
		{"/", 200, "text/html", "Top stories right now"},
		{"/", 200, "text/html", "Covered by 3 publishers"},
		{"/", 200, "text/html", "Our Picks"},
		{"/", 200, "text/html", "Climate"},
		{article, 200, "text/html", "Lighthouse keepers return"},
		{article, 200, "text/html", "Sign up to read this article"},
		{article, 200, "text/html", "Already a member? <a"},
		{article, 200, "text/html", "Sign in here"},
		{article, 200, "text/html", "Read at the publisher"},
		{article, 200, "text/html", "href=\"/p/harbour-herald\""},
		{article, 200, "text/html", "/logos/harbour-herald.svg"},
		{article, 200, "text/html", "<time datetime=\""},
		{article, 200, "text/html", "By Ada Reporter &amp; Bo Writer"},
		{article, 200, "text/html", "A test image &lt;with&gt;"},
		{article, 200, "text/html", "Related Stories"},
		{article, 200, "text/html", "application/ld+json"},
		{"/p/harbour-herald", 200, "text/html", "The Harbour Herald"},
		{"/p/meridian-times", 200, "text/html", "record &amp; reason"},
		{"/t/climate", 200, "text/html", "Glacier retreat doubles"},
		{story, 200, "text/html", "3 articles from 3 publishers</p>"},
		{"/publishers", 200, "text/html", "Civic Wire"},
		{"/topics", 200, "text/html", "Science"},
		{"/search?q=glacier", 200, "text/html", "<mark>glacier</mark>"},
		{"/search", 200, "text/html", "Type a few words"},
		{"/search?q=zzzznothing", 200, "text/html",
		 "No articles match"},
		{"/signup", 200, "text/html", "Sign up"},
		{"/signin", 200, "text/html", "Sign in"},
		{"/robots.txt", 200, "text/plain", "User-agent"},
		{"/logos/civic-wire.svg", 200, "image/svg+xml", "<svg"},
		{"/media/demo/fixture.svg", 200, "image/svg+xml", "<svg"},
		{NULL, 0, NULL, NULL},
	};
	size_t i;

	snprintf(story, sizeof(story), "/s/%" PRId64, fx.story_id);
	snprintf(article, sizeof(article), "%s", fx.canary_path);
	for (i = 0; cases[i].path; i++) {
		struct http_reply r;
		char *type;

		http_get(&fx, cases[i].path, NULL, false, &r);
		cr_assert_eq(r.status, cases[i].status, "%s: status %ld",
			     cases[i].path, r.status);
		type = http_header(&r, "Content-Type");
		cr_assert(type && !strncmp(type, cases[i].type,
					   strlen(cases[i].type)),
			  "%s: type %s", cases[i].path, type);
		cr_assert(strstr(r.body.data, cases[i].content),
			  "%s: no '%s' in:\n%.3000s", cases[i].path,
			  cases[i].content, r.body.data);
		assert_security_headers(&r, cases[i].path);
		free(type);
		http_reply_release(&r);
	}
}

/* A story with more articles than its page loads says which it shows. */
Test(web, story_page_says_when_it_shows_part_of_a_story, .fini = teardown)
{
	char sql[128], path[64];
	struct http_reply r;

	web_fixture_build(&fx);
	snprintf(sql, sizeof(sql),
		 "UPDATE stories SET article_count = 250 WHERE id = %" PRId64,
		 fx.story_id);
	cr_assert(test_sql(fx.dir, sql));
	web_fixture_start(&fx);
	snprintf(path, sizeof(path), "/s/%" PRId64, fx.story_id);
	http_get(&fx, path, NULL, false, &r);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body.data, "250 articles from 3 publishers; the "
				      "newest 3 are shown here</p>"),
		  "%.2000s", r.body.data);
	http_reply_release(&r);
}

Test(web, front_page_assets_are_hashed_and_immutable, .init = setup,
     .fini = teardown)
{
	struct http_reply r, css, js;
	char *css_path, *js_path, *cc;

	http_get(&fx, "/", NULL, false, &r);
	css_path = find_link(r.body.data, "/static/app.");
	cr_assert(css_path);
	cr_assert(strstr(css_path, ".css"), "%s", css_path);
	http_get(&fx, css_path, NULL, true, &css);
	cr_assert_eq(css.status, 200);
	cc = http_header(&css, "Cache-Control");
	cr_assert_str_eq(cc, "public, max-age=31536000, immutable");
	free(cc);
	cc = http_header(&css, "Content-Encoding");
	cr_assert_str_eq(cc, "gzip");
	free(cc);
	cr_assert(strstr(css.body.data, "prefers-color-scheme: dark"));
	js_path = find_link(strstr(r.body.data, "<script"), "/static/app.");
	cr_assert(js_path && strstr(js_path, ".js"));
	http_get(&fx, js_path, NULL, false, &js);
	cr_assert_eq(js.status, 200);
	cc = http_header(&js, "Content-Type");
	cr_assert(strstr(cc, "javascript"), "%s", cc);
	free(cc);
	/* No inline script anywhere: only src= and data blocks. */
	cr_assert(strstr(r.body.data, "<script src=\""));
	cr_assert_null(strstr(r.body.data, "<script>"));
	free(css_path);
	free(js_path);
	http_reply_release(&r);
	http_reply_release(&css);
	http_reply_release(&js);
	http_get(&fx, "/static/app.css", NULL, false, &r);
	cr_assert_eq(r.status, 404);
	http_reply_release(&r);
}

Test(web, svg_is_sandboxed, .init = setup, .fini = teardown)
{
	struct http_reply r;
	char *csp, *cc;

	http_get(&fx, "/logos/harbour-herald.svg", NULL, false, &r);
	cr_assert_eq(r.status, 200);
	csp = http_header(&r, "Content-Security-Policy");
	cr_assert(csp && strstr(csp, "sandbox"), "%s", csp);
	cc = http_header(&r, "Cache-Control");
	cr_assert(cc && strstr(cc, "max-age="), "%s", cc);
	free(csp);
	free(cc);
	http_reply_release(&r);
}

Test(web, wrong_slug_redirects, .init = setup, .fini = teardown)
{
	struct http_reply r;
	char path[128], *loc;

	snprintf(path, sizeof(path), "/a/%" PRId64 "-wrong-slug", fx.canary_id);
	http_get(&fx, path, NULL, false, &r);
	cr_assert_eq(r.status, 301);
	loc = http_header(&r, "Location");
	cr_assert_str_eq(loc, fx.canary_path);
	free(loc);
	http_reply_release(&r);
	snprintf(path, sizeof(path), "/a/%" PRId64, fx.canary_id);
	http_get(&fx, path, NULL, false, &r);
	cr_assert_eq(r.status, 301);
	http_reply_release(&r);
}

Test(web, not_found_pages, .init = setup, .fini = teardown)
{
	static const char *const paths[] = {
		"/nope",
		"/a/999999-missing",
		"/a/x-y",
		"/a/0-zero",
		"/a/99999999999999999999999-big",
		"/p/nobody",
		"/t/nothing",
		"/s/999999",
		"/s/abc",
		"/logos/nobody.svg",
		"/logos/x.exe",
		"/media/demo/none.svg",
		"/static/nothing.css",
		"/a/",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		struct http_reply r;
		char *cc;

		http_get(&fx, paths[i], NULL, false, &r);
		cr_assert_eq(r.status, 404, "%s: %ld", paths[i], r.status);
		cc = http_header(&r, "Cache-Control");
		cr_assert_str_eq(cc, "no-store", "%s", paths[i]);
		assert_security_headers(&r, paths[i]);
		if (strncmp(paths[i], "/logos", 6) &&
		    strncmp(paths[i], "/media", 6) &&
		    strncmp(paths[i], "/static", 7))
			cr_assert(strstr(r.body.data, "Go to the front page"),
				  "%s", paths[i]);
		free(cc);
		http_reply_release(&r);
	}
}

Test(web, bad_parameters_are_400_with_a_message, .init = setup,
     .fini = teardown)
{
	static const char *const cases[][2] = {
		{"/search?q=glacier&from=2026-13-01", "start date"},
		{"/search?q=glacier&to=yesterday", "end date"},
		{"/search?q=glacier&from=2026-02-10&to=2026-02-01",
		 "must not be after"},
		{"/search?q=glacier&publisher=nobody", "no publisher"},
		{"/search?q=glacier&topic=nothing", "no topic"},
		{"/search?q=%21%21%21", "letters or digits"},
		{"/search?q=glacier&start=-1", "page position"},
		{"/search?q=glacier&start=99999", "page position"},
		{"/p/planet-desk?before=abc", "page position"},
		{"/t/science?before=1.x", "page position"},
	};
	size_t i;
	struct buf long_q = BUF_INIT;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct http_reply r;

		http_get(&fx, cases[i][0], NULL, false, &r);
		cr_assert_eq(r.status, 400, "%s: %ld", cases[i][0], r.status);
		cr_assert(strstr(r.body.data, cases[i][1]), "%s: %.2000s",
			  cases[i][0], r.body.data);
		http_reply_release(&r);
	}
	buf_adds(&long_q, "/search?q=");
	for (i = 0; i < 300; i++)
		buf_addc(&long_q, 'a');
	{
		struct http_reply r;

		http_get(&fx, long_q.data, NULL, false, &r);
		cr_assert_eq(r.status, 400);
		cr_assert(strstr(r.body.data, "too long"));
		http_reply_release(&r);
	}
	buf_release(&long_q);
}

Test(web, etag_and_304, .init = setup, .fini = teardown)
{
	static const char *const paths[] = {"/", "/publishers", "/t/world"};
	size_t i, pass;

	/* Twice: the first pass renders, the second comes from the cache. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < ARRAY_SIZE(paths); i++) {
			struct http_reply r, again;
			char *etag, line[128], *cc;
			const char *hdrs[2] = {line, NULL};

			http_get(&fx, paths[i], NULL, false, &r);
			cr_assert_eq(r.status, 200);
			etag = http_header(&r, "ETag");
			cr_assert(etag, "%s: no ETag", paths[i]);
			cc = http_header(&r, "Cache-Control");
			cr_assert(cc && strstr(cc, "max-age"), "%s", cc);
			snprintf(line, sizeof(line), "If-None-Match: %s", etag);
			http_get(&fx, paths[i], hdrs, false, &again);
			cr_assert_eq(again.status, 304, "%s pass %zu: %ld",
				     paths[i], pass, again.status);
			cr_assert_eq(again.body.len, 0);
			free(etag);
			free(cc);
			http_reply_release(&r);
			http_reply_release(&again);
		}
}

Test(web, gzip_when_accepted, .init = setup, .fini = teardown)
{
	struct http_reply plain, zipped;
	char *enc, *vary;

	http_get(&fx, "/", NULL, false, &plain);
	enc = http_header(&plain, "Content-Encoding");
	cr_assert_null(enc);
	http_get(&fx, "/", NULL, true, &zipped);
	enc = http_header(&zipped, "Content-Encoding");
	vary = http_header(&zipped, "Vary");
	cr_assert_str_eq(enc, "gzip");
	cr_assert(vary && strstr(vary, "Accept-Encoding"));
	cr_assert_str_eq(zipped.body.data, plain.body.data);
	free(enc);
	free(vary);
	http_reply_release(&plain);
	http_reply_release(&zipped);
}

Test(web, visitor_cache_serves_and_invalidates, .init = setup, .fini = teardown)
{
	struct web_stats before, after;
	struct http_reply r;

	http_get(&fx, "/t/world", NULL, false, &r);
	http_reply_release(&r);
	web_stats_get(&before);
	http_get(&fx, "/t/world", NULL, true, &r);
	cr_assert_eq(r.status, 200);
	http_reply_release(&r);
	web_stats_get(&after);
	cr_assert_eq(after.cache_hits, before.cache_hits + 1);

	/* A commit from another connection shows within half a second. */
	web_fixture_add_article(&fx, "Harbour bells ring again");
	usleep(400 * 1000);
	http_get(&fx, "/t/world", NULL, false, &r);
	http_reply_release(&r);
	http_get(&fx, "/t/world", NULL, false, &r);
	cr_assert(strstr(r.body.data, "Harbour bells ring again"));
	http_reply_release(&r);

	/* Members (a real session) are never served from the cache. */
	web_stats_get(&before);
	{
		struct wf_user u;
		const char *hdrs[] = {NULL, NULL};
		char *cc;

		web_fixture_user(&fx, "cache@example.com", 0, NULL, WF_TRIAL,
				 &u);
		hdrs[0] = u.cookie_hdr;
		http_get(&fx, "/t/world", hdrs, false, &r);
		cc = http_header(&r, "Cache-Control");
		cr_assert_str_eq(cc, "private, no-cache");
		cr_assert(strstr(r.body.data, "Sign out"), "%.2000s",
			  r.body.data);
		free(cc);
		http_reply_release(&r);
		wf_user_release(&u);
	}
	web_stats_get(&after);
	cr_assert_eq(after.cache_hits, before.cache_hits);
	/* A made-up session cookie is a visitor: the public page. */
	{
		char line[128];
		const char *hdrs[] = {line, NULL};

		snprintf(line, sizeof(line),
			 "Cookie: session=madeup; "
			 "__Host-session=madeup");
		http_get(&fx, "/t/world", hdrs, false, &r);
		cr_assert(strstr(r.body.data, "Sign up"));
		cr_assert_null(strstr(r.body.data, "Sign out"));
		http_reply_release(&r);
	}

	/* web_cache_invalidate() empties it at once. */
	web_cache_invalidate();
	web_stats_get(&before);
	http_get(&fx, "/t/world", NULL, false, &r);
	http_reply_release(&r);
	web_stats_get(&after);
	cr_assert_eq(after.cache_hits, before.cache_hits);
}

/*
 * Members reading (a ledger write, a session touch) change no page a
 * visitor sees: the visitors' cache keeps its pages.
 */
Test(web, visitor_cache_survives_member_reads, .init = setup, .fini = teardown)
{
	struct web_stats before, after;
	struct http_reply r;
	struct wf_user u;
	const char *hdrs[] = {NULL, NULL};

	http_get(&fx, "/t/world", NULL, false, &r);
	http_reply_release(&r);
	web_fixture_user(&fx, "reader@example.com", 0, NULL, WF_TRIAL, &u);
	hdrs[0] = u.cookie_hdr;
	http_get(&fx, fx.canary_path, hdrs, false, &r);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body.data, WF_CANARY), "a member reads in full");
	http_reply_release(&r);
	usleep(400 * 1000);
	web_stats_get(&before);
	http_get(&fx, "/t/world", NULL, false, &r);
	http_reply_release(&r);
	web_stats_get(&after);
	cr_expect_eq(after.cache_hits, before.cache_hits + 1,
		     "the page was served from the cache");
	wf_user_release(&u);
}

Test(web, cursor_pagination, .init = setup, .fini = teardown)
{
	struct http_reply r, next;
	const char *p;
	char path[256];
	size_t n;

	http_get(&fx, "/p/planet-desk", NULL, false, &r);
	p = strstr(r.body.data, "href=\"/p/planet-desk?before=");
	cr_assert(p, "no pager");
	p += strlen("href=\"");
	n = strcspn(p, "\"");
	cr_assert_lt(n, sizeof(path));
	memcpy(path, p, n);
	path[n] = '\0';
	cr_assert(strstr(r.body.data, "Planet note number 0<"));
	http_get(&fx, path, NULL, false, &next);
	cr_assert_eq(next.status, 200);
	cr_assert(strstr(next.body.data, "Planet note number 29<"));
	cr_assert_null(strstr(next.body.data, "Planet note number 0<"));
	http_reply_release(&r);
	http_reply_release(&next);
}

Test(web, head_and_methods, .init = setup, .fini = teardown)
{
	struct http_reply r;
	char *allow;

	http_request(&fx, "HEAD", "/", NULL, false, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.body.len, 0);
	http_reply_release(&r);
	http_request(&fx, "POST", "/", NULL, false, &r);
	cr_assert_eq(r.status, 405);
	allow = http_header(&r, "Allow");
	cr_assert_str_eq(allow, "GET, HEAD");
	free(allow);
	http_reply_release(&r);
	http_request(&fx, "DELETE", "/a/1-x", NULL, false, &r);
	cr_assert_eq(r.status, 405);
	http_reply_release(&r);
	http_request(&fx, "BREW", "/", NULL, false, &r);
	cr_assert(r.status >= 400 && r.status < 500, "%ld", r.status);
	http_reply_release(&r);
}

Test(web, route_table_is_exposed)
{
	const struct web_route *routes;
	size_t count, i, pages = 0, api = 0;

	routes = web_routes(&count);
	cr_assert_gt(count, 10);
	for (i = 0; i < count; i++) {
		cr_assert(routes[i].handler);
		cr_assert(routes[i].pattern[0] == '/');
		/* Only POST routes change state; none is cached. */
		if (routes[i].flags & WEB_STATE)
			cr_assert_str_eq(routes[i].method, "POST", "%s",
					 routes[i].pattern);
		if (strcmp(routes[i].method, "GET"))
			cr_assert_eq(routes[i].flags & WEB_CACHEABLE, 0,
				     "%s %s is cacheable", routes[i].method,
				     routes[i].pattern);
		if (routes[i].flags &
		    (WEB_STATE | WEB_MEMBER | WEB_EDITOR | WEB_ADMIN))
			cr_assert_eq(routes[i].flags & WEB_CACHEABLE, 0,
				     "%s is cacheable", routes[i].pattern);
		/* The catch-all comes last. */
		if (!strcmp(routes[i].pattern, "/api/*"))
			cr_assert_eq(i, count - 1);
		pages += !!(routes[i].flags & WEB_PAGE);
		api += !!(routes[i].flags & WEB_API);
	}
	cr_assert_geq(pages, 8);
	cr_assert_geq(api, 6);
}

/* The paywall: the canary never reaches a visitor, on any route. */
Test(web, paywall_canary_never_leaves_the_server, .init = setup,
     .fini = teardown)
{
	char story[64], api_article[64], wrong[128];
	const char *paths[] = {
		fx.canary_path,
		wrong,
		"/",
		"/p/harbour-herald",
		"/t/world",
		story,
		"/search?q=" WF_BODY_WORD,
		"/search?q=canary",
		"/search?q=" WF_TEASER_WORD,
		"/search?q=sings+canary+harbour",
		"/api/v1/articles",
		"/api/v1/articles?publisher=harbour-herald",
		api_article,
		"/api/v1/stories/top",
		"/api/v1/search?q=" WF_BODY_WORD,
		"/api/v1/search?q=canary+members",
		"/api/v1/search?q=" WF_TEASER_WORD,
	};
	size_t i, gz;

	snprintf(story, sizeof(story), "/s/%" PRId64, fx.story_id);
	snprintf(api_article, sizeof(api_article), "/api/v1/articles/%" PRId64,
		 fx.canary_id);
	snprintf(wrong, sizeof(wrong), "/a/%" PRId64 "-x", fx.canary_id);
	for (gz = 0; gz < 2; gz++)
		for (i = 0; i < ARRAY_SIZE(paths); i++) {
			struct http_reply r;

			http_get(&fx, paths[i], NULL, gz, &r);
			cr_assert_lt(r.status, 500, "%s", paths[i]);
			cr_assert_null(strstr(r.body.data, "canary sings"),
				       "%s leaks the body", paths[i]);
			cr_assert_null(strstr(r.body.data, WF_BODY_WORD " was"),
				       "%s leaks the body", paths[i]);
			cr_assert_null(strstr(r.head.data, "canary"),
				       "%s leaks in headers", paths[i]);
			http_reply_release(&r);
		}
	/* Search still finds the article by a word of its body. */
	{
		struct http_reply r;

		http_get(&fx, "/search?q=" WF_BODY_WORD, NULL, false, &r);
		cr_assert_eq(r.status, 200);
		cr_assert(strstr(r.body.data, "Lighthouse keepers return"),
			  "%.3000s", r.body.data);
		http_reply_release(&r);
	}
}
