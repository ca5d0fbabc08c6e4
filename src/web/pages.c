/*
 * pages.c — the HTML pages of the reading app: front, article, publisher,
 * publishers, topic, topics, story, search, and the error pages.
 *
 * The paywall: the article page asks web_viewer_can_read_full() and, for a
 * visitor, frees the body before rendering anything, so no later code can
 * leak it. Lists and meta tags only ever use the teaser text or summary.
 *
 * Signed-in members also see their own parts: "For you" on the front
 * page, Save on articles, Follow on publisher and topic pages. Those pages
 * are never cached (the server caches visitors' pages only).
 */
#include "common.h"

#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "account/account.h"
#include "store/accounts.h"
#include "store/reading.h"
#include "web/pages.h"
#include "web/ranking.h"
#include "web/render.h"
#include "web/search.h"

enum {
	FRONT_STORIES = 10,
	FRONT_PICKS = 6,
	TOPIC_LATEST = 4,
	FRONT_FOR_YOU = 6,
	LIST_PAGE = 20,
	ASIDE_COUNT = 5,
	SEARCH_PAGE = 20,
};

static void
add_html(struct buf *b, const char *s)
{
	if (s)
		buf_add_html(b, s, strlen(s));
}

/* ---- Error pages -------------------------------------------------------- */

struct error_kind {
	int status;	     /* HTTP status */
	const char *code;    /* JSON error code */
	const char *title;   /* page heading */
	const char *message; /* default message */
};

/* clang-format off */
static const struct error_kind error_kinds[] = {
	{400, "bad_request", "That request did not work",
	 "Something in the address is not right."},
	{401, "unauthorized", "Please sign in",
	 "This address needs a signed-in account or an API token."},
	{403, "forbidden", "Not for this account",
	 "This account may not use this page."},
	{404, "not_found", "We could not find that page",
	 "The page may have moved, or the address may be mistyped."},
	{405, "method_not_allowed", "That request did not work",
	 "This address does not answer that method."},
	{413, "too_large", "That request was too large",
	 "The request body is larger than we accept."},
	{414, "uri_too_long", "That address is too long",
	 "The address is longer than we accept."},
	{429, "too_many_requests", "Too many requests",
	 "Please wait a little and try again."},
	{500, "internal", "Something went wrong on our side",
	 "We could not show this page. Please try again in a moment."},
	{503, "unavailable", "Newsstand is busy",
	 "Please try again in a moment."},
};
/* clang-format on */

void
web_res_error(struct web_request *req, struct web_response *res, int status,
	      const char *message)
{
	const struct error_kind *kind = &error_kinds[0];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(error_kinds); i++)
		if (error_kinds[i].status == status)
			kind = &error_kinds[i];
	if (!message)
		message = kind->message;
	buf_reset(&res->body);
	res->status = status;
	res->location = NULL;
	res->cache_control = WEB_CACHE_NONE;
	res->no_cache = true;
	res->no_etag = true;
	res->compressible = true;
	res->extra_header = NULL;
	res->last_modified = 0;
	if (!strncmp(web_path(req) ? web_path(req) : "", "/api/", 5)) {
		res->content_type = "application/json";
		buf_adds(&res->body, "{\"error\":{\"code\":");
		buf_add_json_str(&res->body, kind->code, strlen(kind->code));
		buf_adds(&res->body, ",\"message\":");
		buf_add_json_str(&res->body, message, strlen(message));
		buf_adds(&res->body, "}}\n");
		return;
	}
	res->content_type = "text/html; charset=utf-8";
	{
		struct page_meta meta = {.title = kind->title,
					 .noindex = true,
					 .body_class = "error"};

		render_page_begin(req, &res->body, &meta);
	}
	buf_adds(&res->body, "<section class=\"error-page\"><h1>");
	add_html(&res->body, kind->title);
	buf_adds(&res->body, "</h1>\n<p class=\"lede\">");
	add_html(&res->body, message);
	buf_addf(&res->body, "</p>\n<p class=\"status\">Error %d</p>\n",
		 status);
	buf_adds(
		&res->body,
		"<form class=\"search big\" role=\"search\" action=\"/search\" "
		"method=\"get\"><label for=\"err-q\">Search the "
		"articles</label><div class=\"row\"><input id=\"err-q\" "
		"type=\"search\" name=\"q\" maxlength=\"200\"><button "
		"type=\"submit\">Search</button></div></form>\n"
		"<p><a href=\"/\">Go to the front page</a> or browse <a "
		"href=\"/publishers\">all publishers</a>.</p></section>\n");
	render_page_end(req, &res->body);
}

/* The signed-in user of req, or NULL for a visitor. */
static const struct viewer *
member_of(struct web_request *req)
{
	const struct viewer *v = web_viewer(req);

	return v && v->user_id ? v : NULL;
}

/* Opens a POST form to action carrying the session's CSRF token. */
static void
member_form_begin(struct buf *b, const struct viewer *v, const char *action,
		  const char *next)
{
	buf_adds(b, "<form method=\"post\" class=\"inline member-action\" "
		    "action=\"");
	add_html(b, action);
	buf_adds(b, "\"><input type=\"hidden\" name=\"csrf\" value=\"");
	add_html(b, v->csrf);
	buf_adds(b, "\">");
	if (next) {
		buf_adds(b, "<input type=\"hidden\" name=\"next\" value=\"");
		add_html(b, next);
		buf_adds(b, "\">");
	}
}

/* A Follow or Unfollow button for a publisher or topic. */
static void
render_follow_button(struct web_request *req, struct buf *b, const char *kind,
		     int64_t target_id, const char *slug, const char *path)
{
	const struct viewer *v = member_of(req);
	struct follow_list fl = {0};
	struct store *s;
	bool on = false;
	size_t i;

	if (!v || v->via_bearer)
		return;
	if (!web_store(req, &s) && !store_follow_list(s, v->user_id, &fl))
		for (i = 0; i < fl.count; i++)
			if (!strcmp(fl.items[i].kind, kind) &&
			    fl.items[i].target_id == target_id)
				on = true;
	follow_list_release(&fl);
	member_form_begin(b, v, on ? "/unfollow" : "/follow", path);
	buf_adds(b, "<input type=\"hidden\" name=\"kind\" value=\"");
	add_html(b, kind);
	buf_adds(b, "\"><input type=\"hidden\" name=\"slug\" value=\"");
	add_html(b, slug);
	buf_addf(b,
		 "\"><button type=\"submit\" class=\"follow\" "
		 "aria-pressed=\"%s\">%s</button></form>",
		 on ? "true" : "false", on ? "Following ✓" : "Follow");
}

/* Fetches the thread's store or answers 500. */
static enum status
need_store(struct web_request *req, struct store **s)
{
	enum status rc = web_store(req, s);

	if (rc)
		return log_error(rc, "web: database unavailable");
	return ST_OK;
}

/* Reads ?before= for a time-ordered list; false (400 set) when malformed. */
static bool
list_cursor(struct web_request *req, struct web_response *res,
	    const char **cursor)
{
	const char *c = web_query(req, "before");
	const char *p;

	*cursor = NULL;
	if (!c || !*c)
		return true;
	for (p = c; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			break;
	if (*p || strlen(c) > 40 || !strchr(c, '.')) {
		web_res_error(req, res, 400,
			      "The page position (before=) is not valid.");
		return false;
	}
	*cursor = c;
	return true;
}

/* ---- Front page --------------------------------------------------------- */

static void
render_stories(struct web_request *req, struct buf *b,
	       const struct story_list *l, size_t max, bool with_lead)
{
	size_t i;

	buf_adds(b, "<ol class=\"stories\">");
	for (i = 0; i < l->count && i < max; i++)
		render_story(req, b, &l->items[i], with_lead && i == 0);
	buf_adds(b, "</ol>");
}

static void
render_picks(struct web_request *req, struct buf *b,
	     const struct pick_list *picks, size_t max, enum card_style style)
{
	size_t i;

	if (!picks->count)
		return;
	buf_adds(b, "<section class=\"cards picks\" aria-labelledby=\"picks\">"
		    "<h2 id=\"picks\">Our Picks</h2><ul class=\"card-list ");
	buf_adds(b, style == CARD_LIST ? "compact\">" : "grid\">");
	for (i = 0; i < picks->count && i < max; i++)
		render_card(req, b, &picks->items[i].article, style);
	buf_adds(b, "</ul></section>\n");
}

/*
 * A member's "For you" on the front page: what they follow and the latest
 * articles from it. Nothing for visitors (their page is cached).
 */
static void
render_for_you(struct web_request *req, struct store *s, struct buf *b)
{
	const struct viewer *v = member_of(req);
	struct follow_list fl = {0};
	struct article_list l = {0};
	size_t i;

	if (!v)
		return;
	if (store_follow_list(s, v->user_id, &fl))
		memset(&fl, 0, sizeof(fl));
	if (fl.count && store_for_you(s, v->user_id, NULL, FRONT_FOR_YOU, &l))
		memset(&l, 0, sizeof(l));
	buf_adds(b, "<section class=\"cards for-you\" aria-labelledby=\""
		    "for-you\"><h2 id=\"for-you\"><a href=\"/for-you\">For "
		    "you</a></h2>");
	if (!fl.count) {
		buf_adds(b, "<p class=\"empty\">Follow publishers and topics "
			    "to see their latest here. <a href=\"/onboarding\">"
			    "Pick your topics</a>.</p>");
	} else {
		buf_adds(b, "<ul class=\"follows\" aria-label=\"You follow\">");
		for (i = 0; i < fl.count; i++) {
			buf_addf(b, "<li><a href=\"/%s/",
				 !strcmp(fl.items[i].kind, "topic") ? "t"
								    : "p");
			buf_add_url_enc(b, fl.items[i].slug,
					strlen(fl.items[i].slug));
			buf_adds(b, "\">");
			add_html(b, fl.items[i].name);
			buf_adds(b, "</a></li>");
		}
		buf_adds(b, "</ul>");
		if (!l.count)
			buf_adds(b, "<p class=\"empty\">Nothing new from what "
				    "you follow yet.</p>");
		else
			buf_adds(b, "<ul class=\"card-list grid\">");
		for (i = 0; i < l.count; i++)
			render_card(req, b, &l.items[i], CARD_FULL);
		if (l.count)
			buf_adds(b, "</ul><p><a href=\"/for-you\">More for "
				    "you</a></p>");
	}
	buf_adds(b, "</section>\n");
	follow_list_release(&fl);
	article_list_release(&l);
}

enum status
page_front(struct web_request *req, struct web_response *res)
{
	struct store *s;
	struct story_list top = {0};
	struct pick_list picks = {0};
	struct topic_list topics = {0};
	struct buf *b = &res->body;
	struct page_meta meta = {
		.title = "Top stories",
		.description = "The top stories right now from every "
			       "publisher in one place.",
		.canonical = "/",
		.og_type = "website",
		.body_class = "front",
	};
	enum status rc;
	size_t i;

	rc = need_store(req, &s);
	if (rc)
		return rc;
	rc = web_top_stories(s, FRONT_STORIES, &top);
	if (!rc)
		rc = web_picks(s, FRONT_PICKS, &picks);
	if (!rc)
		rc = web_topics(s, &topics);
	if (rc)
		goto out;
	web_res_html(res);
	render_page_begin(req, b, &meta);
	buf_adds(b, "<h1 class=\"vh\">Newsstand: top stories</h1>\n"
		    "<div class=\"front-grid\">\n<section class=\"top\" "
		    "aria-labelledby=\"top\"><h2 id=\"top\">Top stories right "
		    "now</h2>");
	if (!top.count)
		buf_adds(b, "<p class=\"empty\">No articles yet. Once the "
			    "feeds have been fetched, the top stories appear "
			    "here.</p>");
	else
		render_stories(req, b, &top, FRONT_STORIES, true);
	buf_adds(b, "</section>\n<div class=\"side\">");
	render_picks(req, b, &picks, FRONT_PICKS, CARD_LIST);
	buf_adds(b, "</div>\n</div>\n");
	render_for_you(req, s, b);
	for (i = 0; i < topics.count; i++) {
		struct topic *t = &topics.items[i];
		struct article_list l = {0};
		char id[48];

		if (!t->article_count)
			continue;
		rc = web_topic_latest(s, t->id, TOPIC_LATEST, &l);
		if (rc)
			goto out;
		if (l.count) {
			snprintf(id, sizeof(id), "topic-%" PRId64, t->id);
			buf_adds(b, "<section class=\"cards topic\" "
				    "aria-labelledby=\"");
			add_html(b, id);
			buf_adds(b, "\"><h2 id=\"");
			add_html(b, id);
			buf_adds(b, "\"><a href=\"/t/");
			buf_add_url_enc(b, t->slug, strlen(t->slug));
			buf_adds(b, "\">");
			add_html(b, t->name);
			buf_adds(b, "</a></h2><ul class=\"card-list grid\">");
			for (size_t k = 0; k < l.count; k++)
				render_card(req, b, &l.items[k], CARD_FULL);
			buf_adds(b, "</ul></section>\n");
		}
		article_list_release(&l);
	}
	render_page_end(req, b);
out:
	story_list_release(&top);
	pick_list_release(&picks);
	topic_list_release(&topics);
	return rc;
}

/* ---- Article page ------------------------------------------------------- */

/* The topics of an article as links, with names from the topic list. */
static void
render_topics(struct buf *b, const char *slugs, const struct topic_list *all)
{
	const char *p = slugs;
	bool any = false;

	while (p && *p) {
		size_t len = strcspn(p, ",");
		const char *name = NULL;
		size_t i;

		for (i = 0; i < all->count; i++)
			if (strlen(all->items[i].slug) == len &&
			    !memcmp(all->items[i].slug, p, len))
				name = all->items[i].name;
		if (len && name) {
			if (!any)
				buf_adds(b, "<ul class=\"topics\" "
					    "aria-label=\"Topics\">");
			any = true;
			buf_adds(b, "<li><a href=\"/t/");
			buf_add_url_enc(b, p, len);
			buf_adds(b, "\">");
			add_html(b, name);
			buf_adds(b, "</a></li>");
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (any)
		buf_adds(b, "</ul>");
}

/* JSON-LD for search engines: only what a visitor sees. */
static void
render_json_ld(struct web_request *req, struct buf *b, const struct article *a,
	       const char *path, bool full)
{
	char iso[32];
	const char *excerpt = render_visible_excerpt(a);

	buf_adds(b, "<script type=\"application/ld+json\">"
		    "{\"@context\":\"https://schema.org\",\"@type\":"
		    "\"NewsArticle\",\"headline\":");
	buf_add_json_str(b, a->title, strlen(a->title));
	render_rfc3339(iso, sizeof(iso), a->published_at);
	buf_addf(b, ",\"datePublished\":\"%s\"", iso);
	render_rfc3339(iso, sizeof(iso),
		       a->updated_at ? a->updated_at : a->published_at);
	buf_addf(b, ",\"dateModified\":\"%s\"", iso);
	if (a->byline && *a->byline) {
		buf_adds(b, ",\"author\":{\"@type\":\"Person\",\"name\":");
		buf_add_json_str(b, a->byline, strlen(a->byline));
		buf_addc(b, '}');
	}
	if (a->publisher_name) {
		buf_adds(b, ",\"publisher\":{\"@type\":\"Organization\","
			    "\"name\":");
		buf_add_json_str(b, a->publisher_name,
				 strlen(a->publisher_name));
		buf_addc(b, '}');
	}
	if (a->lead_image && *a->lead_image) {
		buf_adds(b, ",\"image\":");
		buf_add_json_str(b, a->lead_image, strlen(a->lead_image));
	}
	if (excerpt) {
		buf_adds(b, ",\"description\":");
		buf_add_json_str(b, excerpt, MIN(strlen(excerpt), 200));
	}
	buf_adds(b, ",\"url\":");
	path = render_absolute(req, path);
	buf_add_json_str(b, path, strlen(path));
	buf_addf(b, ",\"isAccessibleForFree\":%s", full ? "true" : "false");
	if (!full)
		buf_adds(b, ",\"hasPart\":{\"@type\":\"WebPageElement\","
			    "\"isAccessibleForFree\":false,\"cssSelector\":"
			    "\".paywall\"}");
	buf_adds(b, "}</script>\n");
}

static void
render_paywall(struct web_request *req, struct buf *b, const char *path)
{
	(void)req;
	buf_adds(b, "<section class=\"paywall\" aria-labelledby=\"paywall-h\">"
		    "<h2 id=\"paywall-h\">Sign up to read this article</h2>"
		    "<p>Members read every article from every publisher on "
		    "Newsstand in full, with one membership. ");
	buf_addf(b, "Try it free for %ld days; no card needed.</p>",
		 config.trial_days);
	buf_adds(b, "<p><a class=\"button primary\" href=\"/signup?next=");
	buf_add_url_enc(b, path, strlen(path));
	buf_adds(b, "\">Sign up to read this article</a></p>"
		    "<p class=\"signin\">Already a member? <a "
		    "href=\"/signin?next=");
	buf_add_url_enc(b, path, strlen(path));
	buf_adds(b, "\">Sign in here</a></p></section>\n");
}

/* A member's Save (or Saved, to unsave) button on an article. */
static void
render_save_button(struct web_request *req, struct store *s, struct buf *b,
		   const struct article *a, const char *path)
{
	const struct viewer *v = member_of(req);
	bool saved = false;

	if (!v || v->via_bearer)
		return;
	if (store_save_has(s, v->user_id, a->id, &saved))
		saved = false;
	member_form_begin(b, v, saved ? "/unsave" : "/save", path);
	buf_addf(b,
		 "<input type=\"hidden\" name=\"article_id\" value=\"%" PRId64
		 "\"><button type=\"submit\" class=\"save\" "
		 "aria-pressed=\"%s\">%s</button></form>\n",
		 a->id, saved ? "true" : "false", saved ? "Saved ✓" : "Save");
}

enum status
page_article(struct web_request *req, struct web_response *res)
{
	const char *cap = web_capture(req, 0);
	struct store *s;
	struct article a = {0};
	struct article_list related = {0};
	struct story_list top = {0};
	struct pick_list picks = {0};
	struct topic_list topics = {0};
	struct buf *b = &res->body;
	struct page_meta meta = {.og_type = "article", .body_class = "article"};
	const char *path, *logo;
	int64_t id = 0;
	bool full;
	enum status rc;
	size_t i;

	for (i = 0; cap[i] >= '0' && cap[i] <= '9'; i++)
		;
	{
		char digits[24];

		if (!i || i >= sizeof(digits) || (cap[i] && cap[i] != '-')) {
			web_res_error(req, res, 404, NULL);
			return ST_OK;
		}
		memcpy(digits, cap, i);
		digits[i] = '\0';
		if (!web_parse_id(digits, &id)) {
			web_res_error(req, res, 404, NULL);
			return ST_OK;
		}
	}
	rc = need_store(req, &s);
	if (rc)
		return rc;
	{
		/* The paywall decides whether the body is even read. */
		struct article probe = {.id = id};

		full = web_viewer_can_read_full(req, &probe);
	}
	rc = reading_article(s, id, full, &a);
	if (rc == ST_NOTFOUND) {
		web_res_error(req, res, 404,
			      "This article does not exist, or is no longer "
			      "available.");
		return ST_OK;
	}
	if (rc)
		return rc;
	path = render_article_path(req, &a);
	if (strcmp(path, web_path(req))) {
		web_res_redirect(req, res, 301, path);
		goto out;
	}
	if (!full) {
		/* The paywall: the body never reaches the renderer. */
		free(a.body_html);
		free(a.body_text);
		a.body_html = a.body_text = NULL;
	} else {
		/* A member's full read: one ledger entry a day. */
		web_record_read(req, a.id);
	}
	rc = web_related(s, &a, 6, &related);
	if (!rc)
		rc = web_top_stories(s, ASIDE_COUNT + 1, &top);
	if (!rc)
		rc = web_picks(s, ASIDE_COUNT + 1, &picks);
	if (!rc)
		rc = web_topics(s, &topics);
	if (rc)
		goto out;

	meta.title = a.title;
	meta.description = render_visible_excerpt(&a);
	meta.canonical = path;
	meta.og_image = a.lead_image;
	web_res_html(res);
	render_page_begin(req, b, &meta);
	render_json_ld(req, b, &a, path, full);
	buf_adds(b, "<div class=\"article-layout\">\n<article class=\"story-"
		    "article\"");
	if (a.language && *a.language) {
		buf_adds(b, " lang=\"");
		add_html(b, a.language);
		buf_addc(b, '"');
	}
	buf_adds(b, ">\n<header class=\"article-head\">\n<p class=\"source\">");
	logo = render_logo_url(req, a.publisher_logo);
	buf_adds(b, "<a class=\"publisher big\" href=\"/p/");
	if (a.publisher_slug)
		buf_add_url_enc(b, a.publisher_slug, strlen(a.publisher_slug));
	buf_adds(b, "\">");
	if (logo) {
		buf_adds(b, "<img src=\"");
		add_html(b, logo);
		buf_adds(b, "\" alt=\"\" height=\"36\">");
	}
	buf_adds(b, "<span>");
	add_html(b, a.publisher_name);
	buf_adds(b, "</span></a></p>\n<h1>");
	add_html(b, a.title);
	buf_adds(b, "</h1>\n<p class=\"byline\">");
	if (a.byline && *a.byline) {
		buf_adds(b, "<span class=\"author\">By ");
		add_html(b, a.byline);
		buf_adds(b, "</span> · ");
	}
	render_time(b, a.published_at);
	buf_adds(b, " <span class=\"abs-time\">(");
	render_absolute_time(b, a.published_at);
	buf_adds(b, ")</span></p>\n");
	render_save_button(req, s, b, &a, path);
	buf_adds(b, "</header>\n");
	if (a.lead_image && *a.lead_image) {
		buf_adds(b, "<figure class=\"lead-image\"><img src=\"");
		add_html(b, a.lead_image);
		buf_adds(b, "\" alt=\"");
		add_html(b, a.lead_caption && *a.lead_caption ? a.lead_caption
							      : a.title);
		buf_adds(b, "\" decoding=\"async\">");
		if (a.lead_caption && *a.lead_caption) {
			buf_adds(b, "<figcaption>");
			add_html(b, a.lead_caption);
			buf_adds(b, "</figcaption>");
		}
		buf_adds(b, "</figure>\n");
	}
	buf_adds(b, "<div class=\"article-body\">\n");
	if (full && a.body_html)
		buf_adds(b, a.body_html);
	else if (a.teaser_html)
		buf_adds(b, a.teaser_html);
	buf_adds(b, "\n</div>\n");
	if (!full)
		render_paywall(req, b, path);
	render_topics(b, a.topics, &topics);
	buf_adds(b, "<p class=\"origin\"><a href=\"");
	add_html(b, a.url);
	buf_adds(b, "\" rel=\"noopener\">Read at the publisher");
	if (a.publisher_name) {
		buf_adds(b, " (");
		add_html(b, a.publisher_name);
		buf_addc(b, ')');
	}
	buf_adds(b, "</a></p>\n</article>\n<aside class=\"article-aside\" "
		    "aria-label=\"More stories\">\n");
	render_card_section(req, b, "Related Stories", "related", related.items,
			    related.count, CARD_LIST);
	{
		/* Top stories, without this article's own story. */
		struct story_list shown = {0};

		shown.items = xcalloc(top.count + 1, sizeof(*shown.items));
		for (i = 0; i < top.count && shown.count < ASIDE_COUNT; i++)
			if (top.items[i].lead.id != a.id &&
			    (!a.story_id || top.items[i].id != a.story_id))
				shown.items[shown.count++] = top.items[i];
		if (shown.count) {
			buf_adds(b, "<section class=\"cards\" aria-labelledby="
				    "\"top\"><h2 id=\"top\">Top stories right "
				    "now</h2>");
			render_stories(req, b, &shown, ASIDE_COUNT, false);
			buf_adds(b, "</section>\n");
		}
		free(shown.items);
	}
	{
		struct pick_list shown = {0};

		shown.items = xcalloc(picks.count + 1, sizeof(*shown.items));
		for (i = 0; i < picks.count && shown.count < ASIDE_COUNT; i++)
			if (picks.items[i].article_id != a.id)
				shown.items[shown.count++] = picks.items[i];
		render_picks(req, b, &shown, ASIDE_COUNT, CARD_LIST);
		free(shown.items);
	}
	buf_adds(b, "</aside>\n</div>\n");
	render_page_end(req, b);
	res->last_modified = a.updated_at;
out:
	article_release(&a);
	article_list_release(&related);
	story_list_release(&top);
	pick_list_release(&picks);
	topic_list_release(&topics);
	return rc;
}

/* ---- Publisher and topic pages ------------------------------------------ */

static void
render_article_list(struct web_request *req, struct buf *b,
		    const struct article_list *l, const char *base_path,
		    const char *empty)
{
	size_t i;

	if (!l->count) {
		buf_adds(b, "<p class=\"empty\">");
		add_html(b, empty);
		buf_adds(b, "</p>\n");
		return;
	}
	buf_adds(b, "<ul class=\"card-list rows\">");
	for (i = 0; i < l->count; i++)
		render_card(req, b, &l->items[i], CARD_FULL);
	buf_adds(b, "</ul>\n");
	render_pager(req, b, base_path, l->next_cursor);
}

enum status
page_publisher(struct web_request *req, struct web_response *res)
{
	const char *slug = web_capture(req, 0), *cursor, *logo;
	struct store *s;
	struct publisher p = {0};
	struct article_list l = {0};
	struct buf *b = &res->body;
	struct page_meta meta = {.og_type = "website",
				 .body_class = "publisher-page"};
	char *path;
	enum status rc;

	rc = need_store(req, &s);
	if (rc)
		return rc;
	rc = store_publisher_by_slug(s, slug, &p);
	if (rc == ST_NOTFOUND) {
		web_res_error(req, res, 404,
			      "There is no publisher at this address.");
		return ST_OK;
	}
	if (rc)
		return rc;
	if (!list_cursor(req, res, &cursor))
		goto out;
	{
		struct article_query q = {.publisher_id = p.id,
					  .cursor = cursor,
					  .limit = LIST_PAGE};

		rc = store_article_list(s, &q, &l);
		if (rc == ST_INVAL) {
			rc = ST_OK;
			web_res_error(req, res, 400,
				      "The page position (before=) is not "
				      "valid.");
			goto out;
		}
		if (rc)
			goto out;
	}
	path = arena_printf(web_request_arena(req), "/p/%s", p.slug);
	meta.title = p.name;
	meta.description = p.description;
	meta.canonical = path;
	meta.noindex = cursor != NULL;
	web_res_html(res);
	render_page_begin(req, b, &meta);
	buf_adds(b, "<header class=\"page-head publisher-head\">");
	logo = render_logo_url(req, p.logo);
	if (logo) {
		buf_adds(b, "<img class=\"logo\" src=\"");
		add_html(b, logo);
		buf_adds(b, "\" alt=\"\" height=\"64\">");
	}
	buf_adds(b, "<div><h1>");
	add_html(b, p.name);
	buf_adds(b, "</h1>");
	if (p.description && *p.description) {
		buf_adds(b, "<p class=\"lede\">");
		add_html(b, p.description);
		buf_adds(b, "</p>");
	}
	buf_addf(b, "<p class=\"meta\">%" PRId64 " article%s", p.article_count,
		 p.article_count == 1 ? "" : "s");
	if (p.homepage && *p.homepage) {
		buf_adds(b, " · <a href=\"");
		add_html(b, p.homepage);
		buf_adds(b, "\" rel=\"noopener\">Website</a>");
	}
	buf_adds(b, "</p>");
	render_follow_button(req, b, "publisher", p.id, p.slug, path);
	buf_adds(b, "</div></header>\n<section aria-labelledby=\"latest\">"
		    "<h2 id=\"latest\">Latest articles</h2>");
	render_article_list(req, b, &l, path,
			    "No articles from this publisher yet.");
	buf_adds(b, "</section>\n");
	render_page_end(req, b);
out:
	publisher_release(&p);
	article_list_release(&l);
	return rc;
}

enum status
page_topic(struct web_request *req, struct web_response *res)
{
	const char *slug = web_capture(req, 0), *cursor;
	struct store *s;
	struct topic t = {0};
	struct topic_list topics = {0};
	struct article_list l = {0};
	struct buf *b = &res->body;
	struct page_meta meta = {.og_type = "website",
				 .body_class = "topic-page"};
	char *path, *description;
	enum status rc;
	size_t i;

	rc = need_store(req, &s);
	if (rc)
		return rc;
	/* The shared topic list names every topic: no query of its own. */
	rc = web_topics(s, &topics);
	if (rc)
		return rc;
	for (i = 0; i < topics.count && !t.slug; i++)
		if (!strcmp(topics.items[i].slug, slug))
			t = topics.items[i];
	if (!t.slug) {
		web_res_error(req, res, 404,
			      "There is no topic at this "
			      "address.");
		goto out;
	}
	if (!list_cursor(req, res, &cursor))
		goto out;
	{
		rc = reading_topic_articles(s, t.id, cursor, LIST_PAGE, &l);
		if (rc == ST_INVAL) {
			rc = ST_OK;
			web_res_error(req, res, 400,
				      "The page position (before=) is not "
				      "valid.");
			goto out;
		}
		if (rc)
			goto out;
	}
	path = arena_printf(web_request_arena(req), "/t/%s", t.slug);
	description = arena_printf(web_request_arena(req),
				   "The latest %s news from every publisher.",
				   t.name);
	meta.title = t.name;
	meta.description = description;
	meta.canonical = path;
	meta.noindex = cursor != NULL;
	web_res_html(res);
	render_page_begin(req, b, &meta);
	buf_adds(b, "<header class=\"page-head\"><h1>");
	add_html(b, t.name);
	buf_adds(b, "</h1><p class=\"lede\">");
	add_html(b, description);
	buf_adds(b, "</p>");
	render_follow_button(req, b, "topic", t.id, t.slug, path);
	buf_adds(b, "</header>\n");
	render_article_list(req, b, &l, path, "No articles in this topic yet.");
	render_page_end(req, b);
out:
	/* t borrows from topics. */
	topic_list_release(&topics);
	article_list_release(&l);
	return rc;
}

enum status
page_publishers(struct web_request *req, struct web_response *res)
{
	struct store *s;
	struct publisher_list l = {0};
	struct buf *b = &res->body;
	struct page_meta meta = {
		.title = "All publishers",
		.description = "Every publisher in the Newsstand catalogue.",
		.canonical = "/publishers",
		.og_type = "website",
	};
	enum status rc;
	size_t i;

	rc = need_store(req, &s);
	if (rc)
		return rc;
	rc = web_publishers(s, &l);
	if (rc)
		return rc;
	web_res_html(res);
	render_page_begin(req, b, &meta);
	buf_addf(b,
		 "<header class=\"page-head\"><h1>All publishers</h1>"
		 "<p class=\"lede\">%zu publishers, one membership.</p>"
		 "</header>\n<ul class=\"publisher-grid\">",
		 l.count);
	for (i = 0; i < l.count; i++) {
		const struct publisher *p = &l.items[i];
		const char *logo = render_logo_url(req, p->logo);

		buf_adds(b, "<li><a href=\"/p/");
		buf_add_url_enc(b, p->slug, strlen(p->slug));
		buf_adds(b, "\">");
		if (logo) {
			buf_adds(b, "<img src=\"");
			add_html(b, logo);
			buf_adds(b, "\" alt=\"\" height=\"40\" "
				    "loading=\"lazy\">");
		}
		buf_adds(b, "<span class=\"name\">");
		add_html(b, p->name);
		buf_adds(b, "</span></a>");
		if (p->description && *p->description) {
			buf_adds(b, "<p>");
			add_html(b, p->description);
			buf_adds(b, "</p>");
		}
		buf_addf(b, "<p class=\"meta\">%" PRId64 " article%s</p></li>",
			 p->article_count, p->article_count == 1 ? "" : "s");
	}
	buf_adds(b, "</ul>\n");
	render_page_end(req, b);
	publisher_list_release(&l);
	return ST_OK;
}

enum status
page_topics(struct web_request *req, struct web_response *res)
{
	struct store *s;
	struct topic_list l = {0};
	struct buf *b = &res->body;
	struct page_meta meta = {
		.title = "Topics",
		.description = "News by topic from every publisher.",
		.canonical = "/topics",
		.og_type = "website",
	};
	enum status rc;
	size_t i;

	rc = need_store(req, &s);
	if (rc)
		return rc;
	rc = web_topics(s, &l);
	if (rc)
		return rc;
	web_res_html(res);
	render_page_begin(req, b, &meta);
	buf_adds(b, "<header class=\"page-head\"><h1>Topics</h1></header>\n"
		    "<ul class=\"topic-grid\">");
	for (i = 0; i < l.count; i++) {
		buf_adds(b, "<li><a href=\"/t/");
		buf_add_url_enc(b, l.items[i].slug, strlen(l.items[i].slug));
		buf_adds(b, "\">");
		add_html(b, l.items[i].name);
		buf_addf(b,
			 "</a> <span class=\"meta\">%" PRId64
			 " articles</span></li>",
			 l.items[i].article_count);
	}
	buf_adds(b, "</ul>\n");
	render_page_end(req, b);
	topic_list_release(&l);
	return ST_OK;
}

/* ---- Story page --------------------------------------------------------- */

enum status
page_story(struct web_request *req, struct web_response *res)
{
	struct store *s;
	struct story st = {0};
	const struct article_list *l;
	struct buf *b = &res->body;
	struct page_meta meta = {.og_type = "website",
				 .body_class = "story-page"};
	int64_t id;
	bool *done = NULL;
	enum status rc;
	size_t i, k;

	if (!web_parse_id(web_capture(req, 0), &id)) {
		web_res_error(req, res, 404, NULL);
		return ST_OK;
	}
	rc = need_store(req, &s);
	if (rc)
		return rc;
	rc = web_story(s, id, &st);
	if (rc == ST_NOTFOUND) {
		web_res_error(req, res, 404,
			      "There is no story at this "
			      "address.");
		return ST_OK;
	}
	if (rc)
		return rc;
	l = &st.articles;
	meta.title = st.title && *st.title ? st.title : st.lead.title;
	meta.description = render_visible_excerpt(&st.lead);
	meta.canonical =
		arena_printf(web_request_arena(req), "/s/%" PRId64, id);
	web_res_html(res);
	render_page_begin(req, b, &meta);
	buf_adds(b, "<header class=\"page-head\"><p class=\"kicker\">Full "
		    "coverage</p><h1>");
	add_html(b, meta.title);
	buf_addf(b,
		 "</h1><p class=\"lede\">%" PRId64 " article%s from %" PRId64
		 " publisher%s",
		 st.article_count, st.article_count == 1 ? "" : "s",
		 st.publisher_count, st.publisher_count == 1 ? "" : "s");
	/* A story larger than a page loads its newest articles only. */
	if ((int64_t)l->count < st.article_count)
		buf_addf(b, "; the newest %zu are shown here", l->count);
	buf_adds(b, "</p></header>\n");
	/* By publisher, in the ranking's order. */
	done = xcalloc(l->count + 1, sizeof(*done));
	for (i = 0; i < l->count; i++) {
		const struct article *first = &l->items[i];

		if (done[i])
			continue;
		buf_adds(b, "<section class=\"coverage-group\"><h2>");
		render_publisher_line(req, b, first->publisher_slug,
				      first->publisher_name,
				      first->publisher_logo);
		buf_adds(b, "</h2><ul class=\"card-list rows\">");
		for (k = i; k < l->count; k++) {
			if (done[k] ||
			    l->items[k].publisher_id != first->publisher_id)
				continue;
			done[k] = true;
			render_card(req, b, &l->items[k], CARD_FULL);
		}
		buf_adds(b, "</ul></section>\n");
	}
	render_page_end(req, b);
	free(done);
	story_release(&st);
	return rc;
}

/* ---- Search ------------------------------------------------------------- */

static void
render_select(struct buf *b, const char *name, const char *label,
	      const char *any, const char *selected, const char *const *slugs,
	      const char *const *names, size_t count)
{
	size_t i;

	buf_addf(b,
		 "<label>%s <select name=\"%s\"><option value=\"\">%s"
		 "</option>",
		 label, name, any);
	for (i = 0; i < count; i++) {
		buf_adds(b, "<option value=\"");
		add_html(b, slugs[i]);
		buf_addc(b, '"');
		if (selected && !strcmp(selected, slugs[i]))
			buf_adds(b, " selected");
		buf_addc(b, '>');
		add_html(b, names[i]);
		buf_adds(b, "</option>");
	}
	buf_adds(b, "</select></label>");
}

/* The publisher filter with the publisher of slug selected (or none). */
static void
render_publisher_select(struct buf *b, const struct publisher_list *l,
			const char *selected)
{
	const char **slugs = xcalloc(l->count + 1, sizeof(*slugs));
	const char **names = xcalloc(l->count + 1, sizeof(*names));
	size_t i;

	for (i = 0; i < l->count; i++) {
		slugs[i] = l->items[i].slug;
		names[i] = l->items[i].name;
	}
	render_select(b, "publisher", "Publisher", "All publishers", selected,
		      slugs, names, l->count);
	free(slugs);
	free(names);
}

static void
render_topic_select(struct buf *b, const struct topic_list *l,
		    const char *selected)
{
	const char **slugs = xcalloc(l->count + 1, sizeof(*slugs));
	const char **names = xcalloc(l->count + 1, sizeof(*names));
	size_t i;

	for (i = 0; i < l->count; i++) {
		slugs[i] = l->items[i].slug;
		names[i] = l->items[i].name;
	}
	render_select(b, "topic", "Topic", "All topics", selected, slugs, names,
		      l->count);
	free(slugs);
	free(names);
}

/* The filters with nothing selected, kept with the shared lists. */
static void
render_publisher_select_plain(struct buf *b, const struct web_shared *sh)
{
	render_publisher_select(b, web_shared_publishers(sh), NULL);
}

static void
render_topic_select_plain(struct buf *b, const struct web_shared *sh)
{
	render_topic_select(b, web_shared_topics(sh), NULL);
}

/*
 * The search form. Most searches filter on no publisher nor topic: their
 * two lists (50 publishers at 1,000,000 articles) are written once per
 * shared list and copied from there.
 */
static void
render_search_form(struct web_request *req, struct buf *b,
		   struct web_shared *pubs, struct web_shared *topics)
{
	const char *v, *memo;
	size_t len;

	buf_adds(b, "<form class=\"search-form\" action=\"/search\" "
		    "method=\"get\" role=\"search\">"
		    "<div class=\"row\"><label for=\"q\" class=\"vh\">Search "
		    "words</label><input id=\"q\" type=\"search\" name=\"q\" "
		    "maxlength=\"200\" placeholder=\"Search articles\"");
	v = web_query(req, "q");
	if (v) {
		buf_adds(b, " value=\"");
		add_html(b, v);
		buf_addc(b, '"');
	}
	buf_adds(b, "><button type=\"submit\">Search</button></div>"
		    "<fieldset class=\"filters\"><legend>Filters</legend>");
	v = web_query(req, "publisher");
	if ((!v || !*v) &&
	    (memo = web_shared_memo(pubs, render_publisher_select_plain, &len)))
		buf_add(b, memo, len);
	else
		render_publisher_select(b, web_shared_publishers(pubs), v);
	v = web_query(req, "topic");
	if ((!v || !*v) &&
	    (memo = web_shared_memo(topics, render_topic_select_plain, &len)))
		buf_add(b, memo, len);
	else
		render_topic_select(b, web_shared_topics(topics), v);
	buf_adds(b, "<label>From <input type=\"date\" name=\"from\"");
	if ((v = web_query(req, "from")) && *v) {
		buf_adds(b, " value=\"");
		add_html(b, v);
		buf_addc(b, '"');
	}
	buf_adds(b, "></label><label>To <input type=\"date\" name=\"to\"");
	if ((v = web_query(req, "to")) && *v) {
		buf_adds(b, " value=\"");
		add_html(b, v);
		buf_addc(b, '"');
	}
	buf_adds(b, "></label></fieldset></form>\n");
}

/* The search link for another offset, keeping the filters. */
static void
render_search_link(struct web_request *req, struct buf *b, size_t offset)
{
	static const char *const keep[] = {"q", "publisher", "topic", "from",
					   "to"};
	size_t i;

	buf_adds(b, "/search?");
	for (i = 0; i < ARRAY_SIZE(keep); i++) {
		const char *v = web_query(req, keep[i]);

		if (!v || !*v)
			continue;
		buf_adds(b, keep[i]);
		buf_addc(b, '=');
		buf_add_url_enc(b, v, strlen(v));
		buf_adds(b, "&amp;");
	}
	buf_addf(b, "start=%zu", offset);
}

enum status
page_search(struct web_request *req, struct web_response *res)
{
	struct store *s;
	struct web_search w;
	struct search_result r = {0};
	struct web_shared *pubs = NULL, *topics = NULL;
	struct buf *b = &res->body;
	struct page_meta meta = {.title = "Search",
				 .noindex = true,
				 .body_class = "search-page"};
	const char *message = NULL;
	enum status rc;
	size_t i;

	rc = need_store(req, &s);
	if (rc)
		return rc;
	rc = web_publishers_shared(s, &pubs);
	if (!rc)
		rc = web_topics_shared(s, &topics);
	if (rc)
		goto out;
	rc = web_search_parse(req, s, "start", SEARCH_PAGE, &w, &message);
	if (rc == ST_INVAL) {
		rc = ST_OK;
	} else if (rc) {
		goto out;
	} else if (w.q) {
		w.query.brief = true;
		rc = store_search(s, &w.query, &r);
		if (rc == ST_INVAL) {
			message = "Search for words made of letters or "
				  "digits.";
			rc = ST_OK;
		} else if (rc) {
			goto out;
		}
	}
	web_res_html(res);
	if (message) {
		res->status = 400;
		res->cache_control = WEB_CACHE_NONE;
		res->no_cache = true;
		res->no_etag = true;
	}
	if (w.q && !message)
		meta.title =
			arena_printf(web_request_arena(req), "Search: %s", w.q);
	render_page_begin(req, b, &meta);
	buf_adds(b, "<header class=\"page-head\"><h1>Search</h1></header>\n");
	render_search_form(req, b, pubs, topics);
	if (message) {
		buf_adds(b, "<p class=\"notice error\" role=\"alert\">");
		add_html(b, message);
		buf_adds(b, "</p>\n");
	} else if (!w.q) {
		buf_adds(b, "<p class=\"empty\">Type a few words to search "
			    "every article.</p>\n");
	} else if (!r.count) {
		buf_adds(b, "<p class=\"empty\" role=\"status\">No articles "
			    "match <strong>");
		add_html(b, w.q);
		buf_adds(b, "</strong>. Try fewer or different words.</p>\n");
	} else {
		struct web_terms terms;

		web_terms_init(&terms, w.q);
		buf_addf(b,
			 "<p class=\"result-count\" role=\"status\">"
			 "Results %zu–%zu</p>\n<ol class=\"results\">",
			 w.query.offset + 1, w.query.offset + r.count);
		for (i = 0; i < r.count; i++) {
			const struct article *a = &r.items[i].article;

			buf_addstr(b, STR_LIT("<li><p class=\"meta\">"));
			render_publisher_line(req, b, a->publisher_slug,
					      a->publisher_name,
					      a->publisher_logo);
			buf_addc(b, ' ');
			render_time(b, a->published_at);
			buf_addstr(b, STR_LIT("</p><h2 class=\"headline\">"
					      "<a href=\""));
			render_add_article_path(b, a);
			buf_addstr(b, STR_LIT("\">"));
			web_highlight_terms(b, a->title, &terms, 0, false);
			buf_addstr(b,
				   STR_LIT("</a></h2><p class=\"snippet\">"));
			/* Visitors' snippets: the teaser only. */
			web_highlight_terms(b, render_visible_excerpt(a),
					    &terms, 240, true);
			buf_addstr(b, STR_LIT("</p></li>\n"));
		}
		buf_adds(b, "</ol>\n<nav class=\"pager\" aria-label=\"More "
			    "results\">");
		if (w.query.offset) {
			buf_adds(b, "<a rel=\"prev\" href=\"");
			render_search_link(req, b,
					   w.query.offset > SEARCH_PAGE
						   ? w.query.offset -
							     SEARCH_PAGE
						   : 0);
			buf_adds(b, "\">Previous results</a> ");
		}
		if (r.more &&
		    w.query.offset + SEARCH_PAGE <= WEB_SEARCH_MAX_OFFSET) {
			buf_adds(b, "<a rel=\"next\" href=\"");
			render_search_link(req, b,
					   w.query.offset + SEARCH_PAGE);
			buf_adds(b, "\">More results</a>");
		}
		buf_adds(b, "</nav>\n");
	}
	render_page_end(req, b);
out:
	search_result_release(&r);
	web_shared_release(pubs);
	web_shared_release(topics);
	return rc;
}

/* ---- Small pages -------------------------------------------------------- */

enum status
page_robots(struct web_request *req, struct web_response *res)
{
	(void)req;
	res->status = 200;
	res->content_type = "text/plain; charset=utf-8";
	res->cache_control = "public, max-age=86400";
	buf_adds(&res->body, "User-agent: *\nDisallow: /search\n"
			     "Disallow: /api/\n");
	return ST_OK;
}
