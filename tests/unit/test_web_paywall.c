/*
 * test_web_paywall.c — issue 6, acceptance 2: the paywall canary.
 *
 * The fixture's canary article carries a unique sentence past its teaser.
 * Every GET route of the server's table (web_routes(): pages, account
 * pages, JSON API, static files, any feed output added later) is fetched
 * by every kind of viewer that must not read in full: a visitor, a member
 * whose trial ran out (clock), a member whose membership lapsed (clock;
 * an admin, so the editor, admin and publisher pages are reached too), a
 * signed-in account that never was a member, an anonymous API client and
 * one with a bad token, each with and without gzip. The canary must never
 * appear in a body or a header. Then trial and paid members, by cookie and
 * by Bearer token, must get it on the article page (HTML) and the article
 * API (JSON).
 *
 * A route with captures needs a sample in the table below: a new route
 * without one fails the test, so it cannot be forgotten.
 */
#include "common.h"

#include <criterion/criterion.h>

#include "account/account.h"
#include "base/clock.h"
#include "base/config.h"
#include "store/accounts.h"
#include "store/stories.h"
#include "store/store.h"
#include "unit/web_fixture.h"
#include "web/http.h"

static struct web_fixture fx;

/* Parts of the canary as they would show through any escaping. */
static const char *const canary_parts[] = {
	"canary sings only for paying",
	WF_BODY_WORD " was found in the lamp",
};

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

/*
 * Text with tags and JSON-escaped tags taken out, whitespace folded, so a
 * highlighted ("<mark>") or escaped copy of the canary is still found.
 */
static char *
plain_text(const char *s)
{
	struct buf b = BUF_INIT;
	bool space = false;

	while (*s) {
		if (*s == '<') {
			const char *end = strchr(s, '>');

			if (!end)
				break;
			s = end + 1;
			continue;
		}
		if (!strncmp(s, "\\u003c", 6) || !strncmp(s, "\\u003C", 6)) {
			const char *end = strstr(s, "\\u003e");

			if (!end)
				end = strstr(s, "\\u003E");
			if (!end)
				break;
			s = end + 6;
			continue;
		}
		if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
			space = true;
			s++;
			continue;
		}
		if (space && b.len)
			buf_addc(&b, ' ');
		space = false;
		buf_addc(&b, *s++);
	}
	return buf_detach(&b, NULL);
}

static bool
has_canary(const struct http_reply *r)
{
	char *body = plain_text(r->body.data), *head = plain_text(r->head.data);
	bool found = false;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(canary_parts); i++)
		if (strstr(body, canary_parts[i]) ||
		    strstr(head, canary_parts[i]))
			found = true;
	free(body);
	free(head);
	return found;
}

/* Sample paths for the routes with captures; more for some without. */
struct sample {
	const char *pattern; /* the route's pattern */
	const char *path;    /* a path to fetch ("%A": the canary's id, "%S":
				its story's id, "%P": its page path) */
};

/* clang-format off */
static const struct sample samples[] = {
	{"/a/{id}", "%P"},
	{"/a/{id}", "/a/%A-a-wrong-slug"},
	{"/a/{id}", "/a/%A"},
	{"/p/{slug}", "/p/harbour-herald"},
	{"/t/{slug}", "/t/world"},
	{"/s/{id}", "/s/%S"},
	{"/static/{name}", "/static/app.css"},
	{"/logos/{name}", "/logos/harbour-herald.svg"},
	{"/media/*", "/media/demo/fixture.svg"},
	{"/api/v1/articles/{id}", "/api/v1/articles/%A"},
	{"/api/*", "/api/v2/articles/%A"},
	{"/reset/{token}", "/reset/not-a-token"},
	{"/admin/users/{id}/role", "/admin/users/1/role"},
	/* Extra queries of routes without captures. */
	{"/search", "/search?q=" WF_BODY_WORD},
	{"/search", "/search?q=canary+sings+paying"},
	{"/search", "/search?q=" WF_TEASER_WORD},
	{"/search", "/search?q=lamp+room&publisher=harbour-herald"},
	{"/api/v1/articles", "/api/v1/articles?publisher=harbour-herald"},
	{"/api/v1/articles", "/api/v1/articles?topic=world&limit=100"},
	{"/api/v1/search", "/api/v1/search?q=" WF_BODY_WORD},
	{"/api/v1/search", "/api/v1/search?q=canary+members"},
	{"/api/v1/search", "/api/v1/search?q=" WF_TEASER_WORD},
	{"/publisher/statement", "/publisher/statement?publisher=harbour-herald"},
	{"/publisher/statement.csv",
	 "/publisher/statement.csv?publisher=harbour-herald"},
	{"/for-you", "/for-you"},
};
/* clang-format on */

static char *
expand(const char *tmpl, int64_t story_id)
{
	struct buf b = BUF_INIT;

	for (; *tmpl; tmpl++) {
		if (tmpl[0] == '%' && tmpl[1] == 'A') {
			buf_addf(&b, "%" PRId64, fx.canary_id);
			tmpl++;
		} else if (tmpl[0] == '%' && tmpl[1] == 'S') {
			buf_addf(&b, "%" PRId64, story_id);
			tmpl++;
		} else if (tmpl[0] == '%' && tmpl[1] == 'P') {
			buf_adds(&b, fx.canary_path);
			tmpl++;
		} else {
			buf_addc(&b, *tmpl);
		}
	}
	return buf_detach(&b, NULL);
}

/* Every GET path to try, from the route table and the samples. */
static size_t
collect_paths(char **paths, size_t max, int64_t story_id)
{
	size_t n, i, k, count = 0;
	const struct web_route *r = web_routes(&n);

	for (i = 0; i < n; i++) {
		bool captures =
			strchr(r[i].pattern, '{') || strchr(r[i].pattern, '*');
		bool sampled = false;

		if (strcmp(r[i].method, "GET"))
			continue;
		for (k = 0; k < ARRAY_SIZE(samples); k++) {
			if (strcmp(samples[k].pattern, r[i].pattern))
				continue;
			cr_assert_lt(count, max);
			paths[count++] = expand(samples[k].path, story_id);
			sampled = true;
		}
		cr_assert(sampled || !captures,
			  "GET %s has captures but no sample here: add one "
			  "so the paywall test covers it",
			  r[i].pattern);
		if (!captures && !sampled) {
			cr_assert_lt(count, max);
			paths[count++] = xstrdup(r[i].pattern);
		}
	}
	return count;
}

/* Adds what makes the lists of a user show the canary article. */
static void
involve(int64_t user_id)
{
	struct store *s = NULL;
	struct topic t = {0};
	struct publisher p = {0};
	char day[16];
	int64_t now = clock_now();
	bool added;

	cr_assert_eq(store_open(fx.dir, STORE_WRITE, 0, &s), ST_OK);
	cr_assert_eq(store_save_add(s, user_id, fx.canary_id, now), ST_OK);
	cr_assert_eq(store_topic_by_slug(s, "world", &t), ST_OK);
	cr_assert_eq(store_follow_add(s, user_id, "topic", t.id, now), ST_OK);
	cr_assert_eq(store_publisher_by_slug(s, "harbour-herald", &p), ST_OK);
	cr_assert_eq(store_follow_add(s, user_id, "publisher", p.id, now),
		     ST_OK);
	/* A read from when the membership ran: it shows in the history. */
	clock_format_rfc3339(now - 20 * 86400, day, sizeof(day));
	day[10] = '\0';
	cr_assert_eq(store_read_add(s, user_id, fx.canary_id, day,
				    now - 20 * 86400, &added),
		     ST_OK);
	topic_release(&t);
	publisher_release(&p);
	store_close(s);
}

/* The canary becomes a pick and the lead of its own story. */
static int64_t
feature_canary(void)
{
	struct store *s = NULL;
	struct pick p = {0};
	struct article a = {0};
	int64_t story_id;

	cr_assert_eq(store_open(fx.dir, STORE_WRITE, 0, &s), ST_OK);
	p.article_id = fx.canary_id;
	p.note = (char *)"Read the whole thing.";
	cr_assert_eq(store_pick_put(s, &p), ST_OK);
	a.id = fx.canary_id;
	a.title = (char *)"Lighthouse keepers return to the northern coast";
	a.published_at = clock_now() - 1800;
	cr_assert_eq(store_story_create(s, &a, 0, 9.0, &story_id), ST_OK);
	store_close(s);
	return story_id;
}

struct who {
	const char *name;   /* for messages */
	const char *line;   /* the header that says who it is, or NULL */
	bool api_refused;   /* API routes answer 401 */
	bool api_only_auth; /* a Bearer token (pages see it as well) */
};

static void
sweep(char **paths, size_t count, const struct who *who, size_t who_count,
      size_t *fetches)
{
	size_t i, w, gz;

	for (i = 0; i < count; i++)
		for (w = 0; w < who_count; w++)
			for (gz = 0; gz < 2; gz++) {
				const char *lines[] = {who[w].line, NULL};
				struct http_reply r;

				http_get(&fx, paths[i], lines, gz, &r);
				(*fetches)++;
				cr_assert(r.status > 0 && r.status < 500,
					  "%s as %s: %ld", paths[i],
					  who[w].name, r.status);
				cr_assert(!has_canary(&r),
					  "%s leaks the article to %s (%s)",
					  paths[i], who[w].name,
					  gz ? "gzip" : "plain");
				if (who[w].api_refused &&
				    !strncmp(paths[i], "/api/", 5))
					cr_assert_eq(r.status, 401, "%s as %s",
						     paths[i], who[w].name);
				http_reply_release(&r);
			}
}

Test(paywall, canary_reaches_members_only_on_every_route, .init = setup,
     .fini = teardown, .timeout = 240)
{
	struct wf_user over, lapsed, never, trial, paid;
	char *paths[128];
	size_t count, i, fetches = 0;
	int64_t story_id = feature_canary();

	web_fixture_user(&fx, "over@example.com", ROLE_MEMBER, NULL,
			 WF_TRIAL_OVER, &over);
	web_fixture_user(&fx, "lapsed@example.com", ROLE_ADMIN, NULL, WF_LAPSED,
			 &lapsed);
	web_fixture_user(&fx, "never@example.com", ROLE_PUBLISHER,
			 "harbour-herald", WF_NO_MEMBERSHIP, &never);
	web_fixture_user(&fx, "trial@example.com", ROLE_MEMBER, NULL, WF_TRIAL,
			 &trial);
	web_fixture_user(&fx, "paid@example.com", ROLE_MEMBER, NULL, WF_PAID,
			 &paid);
	involve(over.id);
	involve(lapsed.id);
	involve(never.id);
	count = collect_paths(paths, ARRAY_SIZE(paths), story_id);
	cr_assert_geq(count, 40, "only %zu paths", count);
	{
		const struct who outsiders[] = {
			{"a visitor", NULL, false, false},
			{"an expired trial (cookie)", over.cookie_hdr, false,
			 false},
			{"an expired trial (token)", over.auth_hdr, false,
			 true},
			{"a lapsed admin (cookie)", lapsed.cookie_hdr, false,
			 false},
			{"a lapsed admin (token)", lapsed.auth_hdr, false,
			 true},
			{"a publisher user, never a member", never.cookie_hdr,
			 false, false},
			{"a bad API token", "Authorization: Bearer nsk_nope",
			 true, true},
		};
		const struct who readers[] = {
			{"a trial member (cookie)", trial.cookie_hdr},
			{"a trial member (token)", trial.auth_hdr},
			{"a paid member (cookie)", paid.cookie_hdr},
			{"a paid member (token)", paid.auth_hdr},
		};
		char api_path[64];

		/* Outsiders first: the visitor cache fills up. */
		sweep(paths, count, outsiders, ARRAY_SIZE(outsiders), &fetches);
		snprintf(api_path, sizeof(api_path),
			 "/api/v1/articles/%" PRId64, fx.canary_id);
		for (i = 0; i < ARRAY_SIZE(readers); i++) {
			const char *lines[] = {readers[i].line, NULL};
			struct http_reply r;
			char *cc;

			http_get(&fx, fx.canary_path, lines, i % 2, &r);
			cr_assert_eq(r.status, 200);
			cr_assert(has_canary(&r), "%s does not read the page",
				  readers[i].name);
			cr_assert_null(strstr(r.body.data, "Sign up to read"));
			cc = http_header(&r, "Cache-Control");
			cr_assert_str_eq(cc, "private, no-cache");
			free(cc);
			http_reply_release(&r);
			http_get(&fx, api_path, lines, i % 2, &r);
			cr_assert_eq(r.status, 200);
			cr_assert(has_canary(&r), "%s does not read the API",
				  readers[i].name);
			cr_assert(strstr(r.body.data, "\"full\":true"));
			http_reply_release(&r);
			fetches += 2;
		}
		/* Again, with reads in the ledger and every cache warm. */
		sweep(paths, count, outsiders, ARRAY_SIZE(outsiders), &fetches);
	}
	/* The outsiders' API answers say so. */
	{
		const char *lines[] = {lapsed.auth_hdr, NULL};
		struct http_reply r;
		char api_path[64];

		snprintf(api_path, sizeof(api_path),
			 "/api/v1/articles/%" PRId64, fx.canary_id);
		http_get(&fx, api_path, lines, false, &r);
		cr_assert_eq(r.status, 200);
		cr_assert(strstr(r.body.data, "\"full\":false"));
		cr_assert(strstr(r.body.data, "\"body_html\":null"));
		http_reply_release(&r);
	}
	cr_log_info("paywall: %zu paths, %zu fetches", count, fetches);
	for (i = 0; i < count; i++)
		free(paths[i]);
	wf_user_release(&over);
	wf_user_release(&lapsed);
	wf_user_release(&never);
	wf_user_release(&trial);
	wf_user_release(&paid);
}

/* A lapse is seen at once, even on a session resolved before it. */
Test(paywall, lapse_by_clock_closes_the_article, .init = setup,
     .fini = teardown)
{
	struct wf_user trial;
	struct http_reply r;
	const char *lines[2] = {NULL, NULL};

	web_fixture_user(&fx, "soon@example.com", ROLE_MEMBER, NULL, WF_TRIAL,
			 &trial);
	lines[0] = trial.cookie_hdr;
	http_get(&fx, fx.canary_path, lines, false, &r);
	cr_assert(has_canary(&r));
	http_reply_release(&r);
	/* Fifteen days on, the 14-day trial is over; the session lives. */
	config.session_idle = config.session_max = 90 * 86400;
	clock_set(clock_now() + 15 * 86400);
	http_get(&fx, fx.canary_path, lines, false, &r);
	clock_set(0);
	cr_assert_eq(r.status, 200);
	cr_assert(!has_canary(&r), "an ended trial still reads in full");
	cr_assert(strstr(r.body.data, "Sign up to read this article"));
	cr_assert(strstr(r.body.data, "Sign out"), "still signed in");
	http_reply_release(&r);
	wf_user_release(&trial);
}
