/*
 * web_fixture.c — the reading app's test world (see web_fixture.h).
 */
#include "common.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <sys/stat.h>

#include "account/account.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "store/stories.h"
#include "store/store.h"
#include "support/testutil.h"
#include "unit/web_fixture.h"
#include "web/render.h"
#include "web/web.h"

enum { BULK_ARTICLES = 30 };

static const char logo_svg[] =
	"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">"
	"<rect width=\"10\" height=\"10\" fill=\"#135\"/></svg>\n";

struct pub_def {
	const char *slug, *name, *description;
};

/* clang-format off */
static const struct pub_def pubs[] = {
	{"harbour-herald", "The Harbour Herald", "News from the harbour towns."},
	{"meridian-times", "Meridian Times", "A daily of record & reason."},
	{"civic-wire", "Civic Wire", "Politics and the city."},
	{"planet-desk", "Planet Desk", "Science, every hour."},
};
/* clang-format on */

static void
write_file(const char *dir, const char *name, const char *data)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert(test_write_file(path, data, strlen(data)), "writing %s",
		  path);
}

static char *
article_path(int64_t id, const char *title)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "/a/%" PRId64 "-", id);
	render_slugify(&b, title);
	return buf_detach(&b, NULL);
}

static int64_t
put_article(struct store *s, int64_t publisher_id, const char *url,
	    const char *title, const char *teaser, const char *rest,
	    const char *topics, int64_t published_at)
{
	struct article a = {0};
	struct buf body = BUF_INIT, text = BUF_INIT, teaser_html = BUF_INIT;
	enum article_put_result result;

	buf_addf(&teaser_html, "<p>%s</p>", teaser);
	buf_addf(&body, "<p>%s</p><p>%s</p>", teaser, rest);
	buf_addf(&text, "%s\n\n%s", teaser, rest);
	a.publisher_id = publisher_id;
	a.url = (char *)url;
	a.guid = (char *)url;
	a.title = (char *)title;
	a.byline = (char *)"Ada Reporter & Bo Writer";
	a.summary = (char *)teaser;
	a.body_html = body.data;
	a.body_text = text.data;
	a.teaser_html = teaser_html.data;
	a.teaser_text = (char *)teaser;
	a.lead_image = (char *)"http://127.0.0.1:8080/media/demo/fixture.svg";
	a.lead_caption = (char *)"A test image <with> \"quotes\".";
	a.language = (char *)"en";
	a.topics = (char *)topics;
	a.word_count = 40;
	a.published_at = published_at;
	cr_assert_eq(store_article_put(s, &a, &result), ST_OK, "article %s",
		     title);
	buf_release(&body);
	buf_release(&text);
	buf_release(&teaser_html);
	return a.id;
}

void
web_fixture_build(struct web_fixture *f)
{
	static const char *const topic_defs[][2] = {{"world", "World"},
						    {"science", "Science"},
						    {"climate", "Climate"}};
	struct store *s = NULL;
	int64_t pub_ids[ARRAY_SIZE(pubs)], now = clock_now(), story_ids[3];
	char path[1024];
	size_t i;

	memset(f, 0, sizeof(*f));
	log_set_level(LOG_WARN);
	f->dir = test_tmpdir();
	cr_assert_eq(store_open(f->dir, STORE_WRITE, 0, &s), ST_OK);
	cr_assert_eq(store_begin(s), ST_OK);
	snprintf(path, sizeof(path), "%s/logos", f->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/media", f->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/media/demo", f->dir);
	mkdir(path, 0755);
	write_file(f->dir, "media/demo/fixture.svg", logo_svg);
	for (i = 0; i < ARRAY_SIZE(topic_defs); i++) {
		struct topic t = {0};

		t.slug = (char *)topic_defs[i][0];
		t.name = (char *)topic_defs[i][1];
		cr_assert_eq(store_topic_put(s, &t), ST_OK);
	}
	for (i = 0; i < ARRAY_SIZE(pubs); i++) {
		struct publisher p = {0};
		char logo[128], file[160];

		snprintf(logo, sizeof(logo), "logos/%s.svg", pubs[i].slug);
		snprintf(file, sizeof(file), "logos/%s.svg", pubs[i].slug);
		write_file(f->dir, file, logo_svg);
		p.slug = (char *)pubs[i].slug;
		p.name = (char *)pubs[i].name;
		p.description = (char *)pubs[i].description;
		p.homepage = (char *)"https://example.org/";
		p.logo = logo;
		p.language = (char *)"en";
		p.country = (char *)"GB";
		cr_assert_eq(store_publisher_put(s, &p), ST_OK);
		pub_ids[i] = p.id;
	}

	/* One event, three publishers. */
	story_ids[0] = put_article(
		s, pub_ids[0], "https://herald.example/glacier",
		"Glacier retreat doubles in a decade",
		"The northern glacier lost twice as much ice as ten years ago.",
		"Survey teams measured the retreat from the old hut.",
		"climate,world", now - 3600);
	story_ids[1] = put_article(
		s, pub_ids[1], "https://meridian.example/glacier",
		"Northern glacier retreat speeds up, survey finds",
		"A survey of the northern glacier shows faster retreat.",
		"Scientists warn of meltwater floods downstream.", "climate",
		now - 3000);
	story_ids[2] = put_article(
		s, pub_ids[2], "https://civic.example/glacier",
		"Council debates flood plans after glacier survey",
		"The council met after the glacier survey was published.",
		"Members argued over the cost of new defences.", "world",
		now - 2400);
	{
		struct article a = {0};
		struct story_counts counts;

		a.id = story_ids[0];
		a.title = (char *)"Glacier retreat doubles in a decade";
		a.published_at = now - 3600;
		cr_assert_eq(store_story_create(s, &a, 0, 3.0, &f->story_id),
			     ST_OK);
		cr_assert_eq(store_story_link(s, story_ids[1], f->story_id, 0),
			     ST_OK);
		cr_assert_eq(store_story_link(s, story_ids[2], f->story_id, 0),
			     ST_OK);
		cr_assert_eq(store_story_refresh(s, f->story_id, &counts),
			     ST_OK);
		cr_assert_eq(counts.publisher_count, 3);
	}
	f->story_article_id = story_ids[1];
	f->story_article_path = article_path(
		story_ids[1], "Northern glacier retreat speeds up, survey "
			      "finds");

	/* The paywall canary. */
	f->canary_id = put_article(
		s, pub_ids[0], "https://herald.example/lighthouse",
		"Lighthouse keepers return to the northern coast",
		"Three lighthouse keepers moved back to the cape this week.",
		WF_CANARY " A " WF_BODY_WORD " was found in the lamp room.",
		"world", now - 1800);
	f->canary_path =
		article_path(f->canary_id,
			     "Lighthouse keepers return to the northern coast");

	/* Enough articles of one publisher to paginate. */
	for (i = 0; i < BULK_ARTICLES; i++) {
		char url[128], title[128];

		snprintf(url, sizeof(url), "https://planet.example/n/%zu", i);
		snprintf(title, sizeof(title), "Planet note number %zu", i);
		put_article(s, pub_ids[3], url, title,
			    "A short note about the planet.",
			    "More words about the planet.", "science",
			    now - 7200 - (int64_t)i * 600);
	}
	{
		struct pick p = {0};

		p.article_id = story_ids[1];
		p.note = (char *)"A clear account.";
		cr_assert_eq(store_pick_put(s, &p), ST_OK);
		f->pick_article_id = story_ids[1];
	}
	cr_assert_eq(store_commit(s), ST_OK);
	store_close(s);
}

void
web_fixture_start(struct web_fixture *f)
{
	if (!config.listen)
		config_defaults();
	free(config.data_dir);
	config.data_dir = xstrdup(f->dir);
	free(config.listen);
	config.listen = xstrdup("127.0.0.1:0");
	config.web_threads = 2;
	log_set_level(LOG_WARN);
	cr_assert_eq(web_server_start(&f->server), ST_OK);
	f->port = web_server_port(f->server);
	cr_assert_gt(f->port, 0);
}

void
web_fixture_release(struct web_fixture *f)
{
	web_server_stop(f->server);
	f->server = NULL;
	if (f->dir)
		test_rmdir(f->dir);
	free(f->dir);
	free(f->canary_path);
	free(f->story_article_path);
	memset(f, 0, sizeof(*f));
	config_free();
}

int64_t
web_fixture_add_article(struct web_fixture *f, const char *title)
{
	struct store *s = NULL;
	struct publisher p = {0};
	char url[256];
	int64_t id;

	cr_assert_eq(store_open(f->dir, STORE_WRITE, 0, &s), ST_OK);
	cr_assert_eq(store_publisher_by_slug(s, "civic-wire", &p), ST_OK);
	snprintf(url, sizeof(url), "https://civic.example/%s", title);
	id = put_article(s, p.id, url, title, "A fresh teaser.",
			 "The rest of it.", "world", clock_now());
	publisher_release(&p);
	store_close(s);
	return id;
}

void
web_fixture_user(struct web_fixture *f, const char *email, int role,
		 const char *publisher_slug, enum wf_membership m,
		 struct wf_user *out)
{
	struct account_limits l;
	struct account_login login;
	struct store *s = NULL;
	int64_t publisher_id = 0, now = clock_now();
	const char *why = NULL;
	struct buf b = BUF_INIT;

	memset(out, 0, sizeof(*out));
	account_limits_get(&l);
	if (l.hash_opslimit != 1 || l.hash_memlimit != 8192) {
		l.hash_opslimit = 1;
		l.hash_memlimit = 8192;
		account_limits_set(&l);
	}
	cr_assert_eq(store_open(f->dir, STORE_WRITE, 0, &s), ST_OK);
	if (publisher_slug) {
		struct publisher p = {0};

		cr_assert_eq(store_publisher_by_slug(s, publisher_slug, &p),
			     ST_OK);
		publisher_id = p.id;
		publisher_release(&p);
	}
	cr_assert_eq(account_signup(s, email, "correct horse battery",
				    (enum account_role)role, publisher_id,
				    &out->id, &why),
		     ST_OK, "signup %s: %s", email, why ? why : "");
	switch (m) {
	case WF_NO_MEMBERSHIP:
		break;
	case WF_TRIAL:
		cr_assert_eq(account_trial_start(s, out->id), ST_OK);
		break;
	case WF_PAID:
		cr_assert_eq(
			account_grant(s, out->id, now + 30 * 86400, "fixture"),
			ST_OK);
		break;
	case WF_TRIAL_OVER:
		clock_set(now - 30 * 86400);
		cr_assert_eq(account_trial_start(s, out->id), ST_OK);
		clock_set(0);
		break;
	case WF_LAPSED:
		clock_set(now - 60 * 86400);
		cr_assert_eq(
			account_grant(s, out->id, now - 10 * 86400, "fixture"),
			ST_OK);
		clock_set(0);
		break;
	}
	cr_assert_eq(account_session_open(s, out->id, "127.0.0.1", "fixture",
					  &login),
		     ST_OK);
	snprintf(out->cookie, sizeof(out->cookie), "%s", login.token);
	snprintf(out->csrf, sizeof(out->csrf), "%s", login.csrf);
	cr_assert_eq(account_api_token_create(s, out->id, "fixture",
					      &out->api_token, NULL),
		     ST_OK);
	store_close(s);
	buf_addf(&b, "Cookie: %s=%s", account_cookie_name(), out->cookie);
	out->cookie_hdr = buf_detach(&b, NULL);
	buf_addf(&b, "Authorization: Bearer %s", out->api_token);
	out->auth_hdr = buf_detach(&b, NULL);
}

void
wf_user_release(struct wf_user *u)
{
	free(u->api_token);
	free(u->cookie_hdr);
	free(u->auth_hdr);
	memset(u, 0, sizeof(*u));
}

static size_t
on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	buf_add(userdata, ptr, size * nmemb);
	return size * nmemb;
}

/* One request: extra header lines, an urlencoded form (NULL: none),
 * gzip asked for and decoded, a timeout in seconds. */
static void
perform(const struct web_fixture *f, const char *method, const char *path,
	const char *const *lines, const char *form, bool gzip, long timeout,
	struct http_reply *out)
{
	CURL *c = curl_easy_init();
	struct curl_slist *list = NULL;
	char url[8192];

	memset(out, 0, sizeof(*out));
	buf_init(&out->head, 0);
	buf_init(&out->body, 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", f->port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &out->head);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	if (gzip)
		curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip");
	if (form) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
		list = curl_slist_append(list, "Content-Type: "
					       "application/x-www-form-"
					       "urlencoded");
	}
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET"))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	for (; lines && *lines; lines++)
		list = curl_slist_append(list, *lines);
	if (list)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &out->seconds);
	curl_slist_free_all(list);
	curl_easy_cleanup(c);
}

void
http_request(const struct web_fixture *f, const char *method, const char *path,
	     const char *const *headers, bool gzip, struct http_reply *out)
{
	perform(f, method, path, headers, NULL, gzip, 10, out);
}

void
http_send(const struct web_fixture *f, const char *method, const char *path,
	  const char *const *lines, const char *form, struct http_reply *out)
{
	/* Long enough for a password hash under the sanitizers. */
	perform(f, method, path, lines, form, false, 30, out);
}

void
http_form(const struct web_fixture *f, const char *method, const char *path,
	  const char *cookie, const char *form, struct http_reply *out)
{
	char line[256];
	const char *lines[] = {line, NULL};

	snprintf(line, sizeof(line), "Cookie: %s=%s", account_cookie_name(),
		 cookie ? cookie : "");
	http_send(f, method, path, cookie ? lines : NULL, form, out);
}

void
http_get(const struct web_fixture *f, const char *path,
	 const char *const *headers, bool gzip, struct http_reply *out)
{
	http_request(f, "GET", path, headers, gzip, out);
}

char *
http_header(const struct http_reply *r, const char *name)
{
	const char *p = r->head.data;
	size_t n = strlen(name);
	char *found = NULL;

	while (p && *p) {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > n && !strncasecmp(p, name, n) && p[n] == ':') {
			const char *v = p + n + 1;

			while (*v == ' ')
				v++;
			free(found);
			found = xstrndup(v, (size_t)(p + len - v));
		}
		p = eol ? eol + 2 : p + len;
	}
	return found;
}

void
http_reply_release(struct http_reply *r)
{
	buf_release(&r->head);
	buf_release(&r->body);
}
