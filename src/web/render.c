/*
 * render.c — the HTML building blocks of the pages (see render.h).
 */
#include "common.h"

#include <time.h>

#include "base/clock.h"
#include "account/account.h"
#include "base/config.h"
#include "web/internal.h"
#include "web/render.h"

static void
add_html(struct buf *b, const char *s)
{
	if (s)
		buf_add_html(b, s, strlen(s));
}

const char *
render_absolute(struct web_request *req, const char *path)
{
	return arena_printf(web_request_arena(req), "%s%s",
			    config.base_url ? config.base_url : "", path);
}

void
render_page_begin(struct web_request *req, struct buf *b,
		  const struct page_meta *meta)
{
	const char *q = NULL;

	buf_adds(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n"
		    "<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, "
		    "initial-scale=1\">\n"
		    "<meta name=\"color-scheme\" content=\"light dark\">\n"
		    "<title>");
	if (meta->title && *meta->title) {
		add_html(b, meta->title);
		buf_adds(b, " · ");
	}
	buf_adds(b, "Newsstand</title>\n");
	if (meta->description && *meta->description) {
		buf_adds(b, "<meta name=\"description\" content=\"");
		render_excerpt(b, meta->description, 200);
		buf_adds(b, "\">\n");
	}
	if (meta->noindex)
		buf_adds(b, "<meta name=\"robots\" content=\"noindex\">\n");
	if (meta->canonical) {
		buf_adds(b, "<link rel=\"canonical\" href=\"");
		add_html(b, render_absolute(req, meta->canonical));
		buf_adds(b, "\">\n");
	}
	if (meta->og_type) {
		buf_adds(b, "<meta property=\"og:site_name\" "
			    "content=\"Newsstand\">\n"
			    "<meta property=\"og:type\" content=\"");
		add_html(b, meta->og_type);
		buf_adds(b, "\">\n<meta property=\"og:title\" content=\"");
		add_html(b, meta->title);
		buf_adds(b, "\">\n");
		if (meta->description && *meta->description) {
			buf_adds(b, "<meta property=\"og:description\" "
				    "content=\"");
			render_excerpt(b, meta->description, 200);
			buf_adds(b, "\">\n");
		}
		if (meta->canonical) {
			buf_adds(b, "<meta property=\"og:url\" content=\"");
			add_html(b, render_absolute(req, meta->canonical));
			buf_adds(b, "\">\n");
		}
		if (meta->og_image) {
			buf_adds(b, "<meta property=\"og:image\" content=\"");
			add_html(b, meta->og_image);
			buf_adds(b, "\">\n");
		}
	}
	buf_addf(b,
		 "<link rel=\"stylesheet\" href=\"%s\">\n"
		 "<link rel=\"icon\" href=\"%s\" type=\"image/svg+xml\">\n"
		 "<script src=\"%s\" defer></script>\n",
		 web_asset_url("app.css"), web_asset_url("favicon.svg"),
		 web_asset_url("app.js"));
	buf_adds(b, "</head>\n<body");
	if (meta->body_class) {
		buf_adds(b, " class=\"");
		add_html(b, meta->body_class);
		buf_addc(b, '"');
	}
	buf_adds(b, ">\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n"
		    "<header class=\"site\">\n<div class=\"bar\">\n"
		    "<a class=\"brand\" href=\"/\"><img src=\"");
	buf_adds(b, web_asset_url("favicon.svg"));
	buf_adds(b, "\" alt=\"\" width=\"28\" height=\"28\">"
		    "<span>Newsstand</span></a>\n"
		    "<nav class=\"primary\" aria-label=\"Sections\"><ul>"
		    "<li><a href=\"/\">Top stories</a></li>"
		    "<li><a href=\"/publishers\">Publishers</a></li>"
		    "<li><a href=\"/topics\">Topics</a></li></ul></nav>\n"
		    "<form class=\"search\" role=\"search\" action=\"/search\" "
		    "method=\"get\"><label for=\"site-q\" class=\"vh\">Search "
		    "articles</label><input id=\"site-q\" type=\"search\" "
		    "name=\"q\" placeholder=\"Search articles\" "
		    "maxlength=\"200\"");
	if (!strcmp(web_path(req), "/search"))
		q = web_query(req, "q");
	if (q) {
		buf_adds(b, " value=\"");
		add_html(b, q);
		buf_addc(b, '"');
	}
	buf_adds(b, "><button type=\"submit\">Search</button></form>\n");
	if (web_is_visitor(req)) {
		buf_adds(b, "<nav class=\"account\" aria-label=\"Account\">"
			    "<a href=\"/signin\">Sign in</a> "
			    "<a class=\"button\" href=\"/signup\">Sign up</a>"
			    "</nav>\n");
	} else {
		const struct viewer *v = web_viewer(req);

		/* Members' pages are never cached: the token may show. */
		buf_adds(b, "<nav class=\"account\" aria-label=\"Account\">"
			    "<a href=\"/for-you\">For you</a> "
			    "<a href=\"/saved\">Saved</a> ");
		if (account_has_role(v, ROLE_EDITOR))
			buf_adds(b, "<a href=\"/editor/picks\">Picks</a> ");
		if (account_has_role(v, ROLE_PUBLISHER))
			buf_adds(b, "<a href=\"/publisher/statement\">"
				    "Statement</a> ");
		if (account_has_role(v, ROLE_ADMIN))
			buf_adds(b, "<a href=\"/admin/users\">Users</a> ");
		buf_adds(b, "<a href=\"/account\">Account</a>");
		if (v->session_id) {
			buf_adds(b,
				 " <form method=\"post\" action=\"/signout\" "
				 "class=\"inline\"><input type=\"hidden\" "
				 "name=\"csrf\" value=\"");
			add_html(b, v->csrf);
			buf_adds(b, "\"><button type=\"submit\" "
				    "class=\"link\">Sign out</button></form>");
		}
		buf_adds(b, "</nav>\n");
	}
	buf_adds(b, "</div>\n</header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

void
render_page_end(struct web_request *req, struct buf *b)
{
	(void)req;
	buf_adds(b, "</main>\n<footer class=\"site\">\n<p>Newsstand gathers "
		    "articles from the publishers in its <a "
		    "href=\"/publishers\">catalogue</a>. Members read every "
		    "article in full, and every read pays its publisher.</p>\n"
		    "<p><a href=\"/api/v1/articles\">JSON API</a> · "
		    "<a href=\"/search\">Search</a> · "
		    "<a href=\"/signup\">Become a member</a></p>\n"
		    "</footer>\n</body>\n</html>\n");
}

static char *put_int(char *p, int64_t v);

/*
 * What slugify() makes of each byte: ASCII letters in lower case and
 * digits as they are, 1 for the apostrophe (dropped), 0 for the rest (a
 * dash between words).
 */
static const unsigned char slug_bytes[256] = {
	['\''] = 1,  ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3',
	['4'] = '4', ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8',
	['9'] = '9', ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd',
	['E'] = 'e', ['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i',
	['J'] = 'j', ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n',
	['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's',
	['T'] = 't', ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x',
	['Y'] = 'y', ['Z'] = 'z', ['a'] = 'a', ['b'] = 'b', ['c'] = 'c',
	['d'] = 'd', ['e'] = 'e', ['f'] = 'f', ['g'] = 'g', ['h'] = 'h',
	['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l', ['m'] = 'm',
	['n'] = 'n', ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r',
	['s'] = 's', ['t'] = 't', ['u'] = 'u', ['v'] = 'v', ['w'] = 'w',
	['x'] = 'x', ['y'] = 'y', ['z'] = 'z',
};

/* Writes the slug of title into out (at least 82 bytes); its length. */
static size_t
slugify(char *out, const char *title)
{
	const unsigned char *p = (const unsigned char *)title;
	size_t written = 0;
	bool dash = false;

	for (; p && *p && written < 80; p++) {
		unsigned char c = slug_bytes[*p];

		if (c <= 1) {
			dash |= !c;
			continue;
		}
		if (dash && written)
			out[written++] = '-';
		out[written++] = (char)c;
		dash = false;
	}
	if (!written) {
		memcpy(out, "article", 7);
		written = 7;
	}
	return written;
}

void
render_slugify(struct buf *b, const char *title)
{
	char slug[96];

	buf_add(b, slug, slugify(slug, title));
}

/* Writes the path of a into out (at least 160 bytes); its length. */
static size_t
article_path(char *out, const struct article *a)
{
	char *p = out;

	memcpy(p, "/a/", 3);
	p += 3;
	if (a->id >= 0) {
		p = put_int(p, a->id);
	} else {
		p += snprintf(p, 24, "%" PRId64, a->id);
	}
	*p++ = '-';
	p += slugify(p, a->title);
	return (size_t)(p - out);
}

const char *
render_article_path(struct web_request *req, const struct article *a)
{
	char path[160];

	return arena_strndup(web_request_arena(req), path,
			     article_path(path, a));
}

void
render_add_article_path(struct buf *b, const struct article *a)
{
	char path[160];

	buf_add(b, path, article_path(path, a));
}

const char *
render_logo_url(struct web_request *req, const char *logo)
{
	if (!logo || !*logo)
		return NULL;
	if (!strncmp(logo, "https://", 8) || !strncmp(logo, "http://", 7))
		return logo;
	while (*logo == '/')
		logo++;
	if (strncmp(logo, "logos/", 6))
		return NULL;
	return arena_printf(web_request_arena(req), "/%s", logo);
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* A time broken down in UTC. */
struct civil {
	int year;   /* 1970..9999 */
	int month;  /* 1..12 */
	int day;    /* 1..31 */
	int hour;   /* 0..23 */
	int minute; /* 0..59 */
	int second; /* 0..59 */
};

/*
 * Breaks t down without gmtime_r(), which takes the time zone lock on
 * every call: the days-to-civil conversion of the proleptic Gregorian
 * calendar (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
 * False outside years 1970..9999, which the callers format the slow way.
 */
static bool
civil_from_time(int64_t t, struct civil *c)
{
	int64_t days, secs, era, doe, yoe, doy, mp, year;

	if (t < 0 || t >= INT64_C(253402300800))
		return false;
	days = t / 86400;
	secs = t % 86400;
	days += 719468;
	era = days / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	year = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = (int)(year + (c->month <= 2));
	c->hour = (int)(secs / 3600);
	c->minute = (int)(secs / 60 % 60);
	c->second = (int)(secs % 60);
	return true;
}

/* Writes v (0..99) as two digits at p; returns the end. */
static char *
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* Writes v (>= 0) in decimal at p; returns the end. */
static char *
put_int(char *p, int64_t v)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* Writes c as "2026-11-25T21:30:05Z" (year 1000 or later) at p; the end. */
static char *
put_rfc3339(char *p, const struct civil *c)
{
	p = put_int(p, c->year);
	*p++ = '-';
	p = put2(p, c->month);
	*p++ = '-';
	p = put2(p, c->day);
	*p++ = 'T';
	p = put2(p, c->hour);
	*p++ = ':';
	p = put2(p, c->minute);
	*p++ = ':';
	p = put2(p, c->second);
	*p++ = 'Z';
	return p;
}

/* "2026-11-25T21:30:05Z" into out (at least 21 bytes), as
 * clock_format_rfc3339() writes it. */
static void
format_rfc3339(int64_t t, char *out, size_t size)
{
	struct civil c;

	if (!civil_from_time(t, &c) || c.year < 1000 || size < 21) {
		clock_format_rfc3339(t, out, size);
		return;
	}
	*put_rfc3339(out, &c) = '\0';
}

/* Writes c as "25 Nov 2026, 21:30 UTC" at p (at most 28 bytes); the end. */
static char *
put_absolute(char *p, const struct civil *c)
{
	p = put_int(p, c->day);
	*p++ = ' ';
	memcpy(p, months[c->month - 1], 3);
	p += 3;
	*p++ = ' ';
	p = put_int(p, c->year);
	*p++ = ',';
	*p++ = ' ';
	p = put2(p, c->hour);
	*p++ = ':';
	p = put2(p, c->minute);
	memcpy(p, " UTC", 4);
	return p + 4;
}

void
render_absolute_time(struct buf *b, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	struct civil c;
	char text[48];

	if (civil_from_time(t, &c)) {
		buf_add(b, text, (size_t)(put_absolute(text, &c) - text));
		return;
	}
	if (!gmtime_r(&tt, &tm))
		return;
	buf_addf(b, "%d %s %d, %02d:%02d UTC", tm.tm_mday, months[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

/* Copies the literal lit to p; the end. */
#define PUT_LIT(p, lit)                                                        \
	((char *)memcpy((p), (lit), sizeof(lit) - 1) + sizeof(lit) - 1)

/* Writes "N unit ago" (n >= 0) at p; the end. */
static char *
put_ago(char *p, int64_t n, const char *unit, size_t unit_len)
{
	p = put_int(p, n);
	*p++ = ' ';
	memcpy(p, unit, unit_len);
	p += unit_len;
	return PUT_LIT(p, " ago");
}

/*
 * Writes the time from t to now at p (at most 32 bytes) when under a week
 * and returns the end; NULL from a week on (the absolute time).
 */
static char *
put_relative(char *p, int64_t t, int64_t now)
{
	int64_t d = now - t;

	if (d < 60)
		return PUT_LIT(p, "just now");
	if (d < 3600)
		return put_ago(p, d / 60, "min", 3);
	if (d < 2 * 3600)
		return PUT_LIT(p, "1 hour ago");
	if (d < 86400)
		return put_ago(p, d / 3600, "hours", 5);
	if (d < 2 * 86400)
		return PUT_LIT(p, "yesterday");
	if (d < 7 * 86400)
		return put_ago(p, d / 86400, "days", 4);
	return NULL;
}

void
render_relative_time(struct buf *b, int64_t t, int64_t now)
{
	char text[48], *p = put_relative(text, t, now);

	if (p)
		buf_add(b, text, (size_t)(p - text));
	else
		render_absolute_time(b, t);
}

void
render_time(struct buf *b, int64_t t)
{
	struct civil c;
	char text[160], *p = text, *rel;
	int64_t now = clock_now();

	if (!civil_from_time(t, &c) || c.year < 1000) {
		char iso[32];

		format_rfc3339(t, iso, sizeof(iso));
		buf_adds(b, "<time datetime=\"");
		buf_adds(b, iso);
		buf_adds(b, "\" title=\"");
		render_absolute_time(b, t);
		buf_adds(b, "\">");
		render_relative_time(b, t, now);
		buf_adds(b, "</time>");
		return;
	}
	/* One write: the element comes to at most 120 bytes. */
	p = PUT_LIT(p, "<time datetime=\"");
	p = put_rfc3339(p, &c);
	p = PUT_LIT(p, "\" title=\"");
	p = put_absolute(p, &c);
	p = PUT_LIT(p, "\">");
	rel = put_relative(p, t, now);
	p = rel ? rel : put_absolute(p, &c);
	p = PUT_LIT(p, "</time>");
	buf_add(b, text, (size_t)(p - text));
}

void
render_rfc3339(char *out, size_t size, int64_t t)
{
	format_rfc3339(t, out, size);
}

const char *
render_visible_excerpt(const struct article *a)
{
	if (a->teaser_text && *a->teaser_text)
		return a->teaser_text;
	return a->summary;
}

void
render_excerpt(struct buf *b, const char *text, size_t max)
{
	size_t len, cut;

	if (!text)
		return;
	len = strlen(text);
	if (len <= max) {
		buf_add_html(b, text, len);
		return;
	}
	cut = max;
	while (cut > max / 2 && text[cut] != ' ')
		cut--;
	if (cut <= max / 2)
		cut = max;
	/* Never split a UTF-8 sequence. */
	while (cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80)
		cut--;
	buf_add_html(b, text, cut);
	buf_adds(b, "…");
}

/*
 * Writes s as buf_add_url_enc() does, at once when it needs no escape
 * (slugs never do).
 */
static void
add_url_enc(struct buf *b, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || (c >= 'A' && c <= 'Z') || c == '_' ||
		      c == '.' || c == '~'))
			break;
	}
	if (!s[i]) {
		buf_add(b, s, i);
		return;
	}
	buf_add_url_enc(b, s, i + strlen(s + i));
}

void
render_publisher_line(struct web_request *req, struct buf *b, const char *slug,
		      const char *name, const char *logo)
{
	/* Logos are wordmarks: lists show the name only, pages the logo. */
	(void)req;
	(void)logo;
	buf_addstr(b, STR_LIT("<a class=\"publisher\" href=\"/p/"));
	if (slug)
		add_url_enc(b, slug);
	buf_addstr(b, STR_LIT("\"><span>"));
	add_html(b, name ? name : slug);
	buf_addstr(b, STR_LIT("</span></a>"));
}

void
render_card(struct web_request *req, struct buf *b, const struct article *a,
	    enum card_style style)
{
	const char *path = render_article_path(req, a);

	buf_adds(b, style == CARD_LEAD	 ? "<li class=\"card card-lead\">"
		    : style == CARD_FULL ? "<li class=\"card card-full\">"
					 : "<li class=\"card card-list\">");
	if (style != CARD_LIST && a->lead_image && *a->lead_image) {
		buf_adds(b, "<a class=\"thumb\" href=\"");
		add_html(b, path);
		buf_adds(b, "\" tabindex=\"-1\" aria-hidden=\"true\">"
			    "<img src=\"");
		add_html(b, a->lead_image);
		buf_adds(b, "\" alt=\"\" loading=\"lazy\" decoding=\"async\">"
			    "</a>");
	}
	buf_adds(b, "<div class=\"card-body\"><p class=\"meta\">");
	render_publisher_line(req, b, a->publisher_slug, a->publisher_name,
			      a->publisher_logo);
	buf_adds(b, " ");
	render_time(b, a->published_at);
	buf_adds(b, "</p>");
	buf_adds(b, style == CARD_LEAD ? "<h3 class=\"headline lead\">"
				       : "<h3 class=\"headline\">");
	buf_adds(b, "<a href=\"");
	add_html(b, path);
	buf_adds(b, "\">");
	add_html(b, a->title);
	buf_adds(b, "</a></h3>");
	if (style != CARD_LIST && render_visible_excerpt(a)) {
		buf_adds(b, "<p class=\"excerpt\">");
		render_excerpt(b, render_visible_excerpt(a),
			       style == CARD_LEAD ? 260 : 160);
		buf_adds(b, "</p>");
	}
	buf_adds(b, "</div></li>\n");
}

void
render_card_section(struct web_request *req, struct buf *b, const char *title,
		    const char *id, const struct article *items, size_t count,
		    enum card_style style)
{
	size_t i;

	if (!count)
		return;
	buf_adds(b, "<section class=\"cards\" aria-labelledby=\"");
	add_html(b, id);
	buf_adds(b, "\"><h2 id=\"");
	add_html(b, id);
	buf_adds(b, "\">");
	add_html(b, title);
	buf_addf(b, "</h2><ul class=\"card-list %s\">",
		 style == CARD_LIST ? "compact" : "grid");
	for (i = 0; i < count; i++)
		render_card(req, b, &items[i], style);
	buf_adds(b, "</ul></section>\n");
}

void
render_story(struct web_request *req, struct buf *b, const struct story *it,
	     bool lead)
{
	const struct article *a = &it->lead;
	const char *path = render_article_path(req, a);

	buf_adds(b, lead ? "<li class=\"story story-lead\">"
			 : "<li class=\"story\">");
	if (lead && a->lead_image && *a->lead_image) {
		buf_adds(b, "<a class=\"thumb\" href=\"");
		add_html(b, path);
		buf_adds(b, "\" tabindex=\"-1\" aria-hidden=\"true\">"
			    "<img src=\"");
		add_html(b, a->lead_image);
		buf_adds(b, "\" alt=\"\" decoding=\"async\"></a>");
	}
	buf_adds(b, "<div class=\"card-body\"><p class=\"meta\">");
	render_publisher_line(req, b, a->publisher_slug, a->publisher_name,
			      a->publisher_logo);
	buf_adds(b, " ");
	render_time(b, a->published_at);
	buf_adds(b, "</p>");
	buf_adds(b, lead ? "<h3 class=\"headline lead\"><a href=\""
			 : "<h3 class=\"headline\"><a href=\"");
	add_html(b, path);
	buf_adds(b, "\">");
	add_html(b, a->title);
	buf_adds(b, "</a></h3>");
	if (lead && render_visible_excerpt(a)) {
		buf_adds(b, "<p class=\"excerpt\">");
		render_excerpt(b, render_visible_excerpt(a), 240);
		buf_adds(b, "</p>");
	}
	if (it->id && it->publisher_count > 1)
		buf_addf(b,
			 "<p class=\"coverage\"><a href=\"/s/%" PRId64
			 "\">Covered by %" PRId64 " publishers</a></p>",
			 it->id, it->publisher_count);
	buf_adds(b, "</div></li>\n");
}

void
render_pager(struct web_request *req, struct buf *b, const char *path,
	     const char *next_cursor)
{
	(void)req;
	if (!next_cursor)
		return;
	buf_adds(b, "<nav class=\"pager\" aria-label=\"More\"><a rel=\"next\" "
		    "href=\"");
	add_html(b, path);
	buf_adds(b, strchr(path, '?') ? "&amp;before=" : "?before=");
	buf_add_url_enc(b, next_cursor, strlen(next_cursor));
	buf_adds(b, "\">Older articles</a></nav>\n");
}
