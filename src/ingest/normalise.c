/*
 * normalise.c — one parsed feed item becomes one article: canonical URL,
 * guid, clean title, byline, a publication time that is never in the
 * future, summary, lead image, topics from the feed and its categories, and
 * the body's sanitised HTML, text, teaser and fingerprints.
 */
#include "common.h"

#include <ctype.h>
#include <sodium.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "base/url.h"
#include "feed/feed.h"
#include "html/prepare.h"
#include "html/sanitize.h"
#include "html/text.h"
#include "ingest/ingest.h"
#include "ingest/internal.h"

enum {
	FUTURE_SKEW = 10 * 60, /* feed clocks run fast; this much is fine */
	SUMMARY_CHARS = 320,   /* plain-text summary length */
	TITLE_CHARS = 300,     /* longest title kept */
};

/* isspace() in the C and C.UTF-8 locales: no byte above 0x7f is. */
static bool
is_space_byte(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Collapses white space and trims; returns a malloc'd string or NULL. */
static char *
clean_line(const char *s, size_t max)
{
	struct buf b = BUF_INIT;
	bool space = false;

	if (!s)
		return NULL;
	if (*s)
		(void)buf_grow(&b, max + 64);
	/* Only as far as the cut below needs: words apart by single spaces
	 * are copied as they stand, up to the word that passes max. */
	while (*s && b.len <= max) {
		const char *word = s;
		size_t n;

		if (is_space_byte(*s)) {
			space = b.len > 0;
			s++;
			continue;
		}
		for (;;) {
			while (*s && !is_space_byte(*s))
				s++;
			if (*s != ' ' || !s[1] || is_space_byte(s[1]) ||
			    b.len + space + (size_t)(s - word) > max)
				break;
			s++;
		}
		n = (size_t)(s - word);
		if (b.len + n + 2 > b.cap && buf_grow(&b, n + 1))
			break;
		if (space)
			b.data[b.len++] = ' ';
		space = false;
		memcpy(b.data + b.len, word, n);
		b.len += n;
		b.data[b.len] = '\0';
	}
	if (b.len > max) {
		size_t cut = max;

		/* Cut at a word boundary, never inside a UTF-8 sequence. */
		while (cut > max / 2 && b.data[cut] != ' ')
			cut--;
		while (cut > 0 && ((unsigned char)b.data[cut] & 0xc0) == 0x80)
			cut--;
		buf_truncate(&b, cut);
		buf_adds(&b, "…");
	}
	if (!b.len) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* Plain text of an HTML fragment, one line, at most max bytes. */
static char *
html_line(const char *html, size_t max)
{
	struct buf text = BUF_INIT;
	char *line;

	if (!html || !*html)
		return NULL;
	if (html_to_text(html, strlen(html), &text)) {
		buf_release(&text);
		return NULL;
	}
	line = clean_line(text.data, max);
	buf_release(&text);
	return line;
}

static bool
is_image_type(const char *type, const char *url)
{
	static const char *const exts[] = {".jpg",  ".jpeg", ".png", ".gif",
					   ".webp", ".svg",  ".avif"};
	size_t i, len;

	if (type)
		return !strncmp(type, "image/", 6);
	if (!url)
		return false;
	len = strlen(url);
	for (i = 0; i < ARRAY_SIZE(exts); i++) {
		size_t n = strlen(exts[i]);

		if (len > n && !strcasecmp(url + len - n, exts[i]))
			return true;
	}
	return false;
}

/* Adds slug to the comma-separated list in b unless it is there. */
static void
add_topic(struct buf *b, const char *slug, size_t len)
{
	const char *p = b->data;

	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (n == len && !strncmp(p, slug, len))
			return;
		p = comma ? comma + 1 : NULL;
	}
	if (b->len)
		buf_addc(b, ',');
	buf_add(b, slug, len);
}

/*
 * Topics: the feed's defaults, then each category that names a topic by
 * its slug or name ("Technology", "technology", "Tech & Science" does not
 * match). Unknown slugs are dropped by the store.
 */
static char *
item_topics(const struct store_feed *f, const struct feed_item *item)
{
	struct buf b = BUF_INIT;
	const char *p = f->topics;
	size_t i;

	while (p && *p) {
		const char *comma = strchr(p, ',');
		struct str t = str_trim((struct str){
			p, comma ? (size_t)(comma - p) : strlen(p)});

		if (t.len)
			add_topic(&b, t.p, t.len);
		p = comma ? comma + 1 : NULL;
	}
	for (i = 0; i < item->category_count; i++) {
		char slug[64];
		const char *c = item->categories[i];
		size_t n = 0;

		if (!c)
			continue;
		for (; *c && n < sizeof(slug) - 1; c++) {
			unsigned char ch = (unsigned char)*c;

			if (isalnum(ch))
				slug[n++] = (char)tolower(ch);
			else if ((ch == ' ' || ch == '-' || ch == '_') && n &&
				 slug[n - 1] != '-')
				slug[n++] = '-';
		}
		while (n && slug[n - 1] == '-')
			n--;
		if (n && !*c)
			add_topic(&b, slug, n);
	}
	return b.len ? buf_detach(&b, NULL) : (buf_release(&b), NULL);
}

void
ingest_summary_from_body(struct article *a)
{
	free(a->summary);
	a->summary =
		a->body_text ? clean_line(a->body_text, SUMMARY_CHARS) : NULL;
}

enum status
ingest_normalise(const struct store_feed *f, const struct feed *doc,
		 const struct feed_item *item, const char *feed_url,
		 struct article *a)
{
	return ingest_normalise_item(f, doc, item, feed_url, false, a);
}

enum status
ingest_normalise_item(const struct store_feed *f, const struct feed *doc,
		      const struct feed_item *item, const char *feed_url,
		      bool summary_later, struct article *a)
{
	const char *base = doc->link ? doc->link : feed_url;
	char *link = NULL;
	int64_t now = clock_now();
	size_t i;

	memset(a, 0, sizeof(*a));
	a->publisher_id = f->publisher_id;
	a->feed_id = f->id;
	a->fetched_at = now;
	if (item->link)
		link = url_resolve(feed_url, item->link);
	if ((!link || !url_is_http(link)) && item->guid &&
	    url_is_http(item->guid)) {
		free(link);
		link = xstrdup(item->guid);
	}
	if (link && url_is_http(link)) {
		a->url = url_canonical(link);
		if (!a->url)
			a->url = xstrdup(link);
	}
	free(link);
	if (!a->url)
		goto invalid;
	a->guid = xstrdup(item->guid ? item->guid : a->url);
	a->title = clean_line(item->title, TITLE_CHARS);
	if (!a->title)
		a->title = html_line(
			item->summary ? item->summary : item->content, 120);
	if (!a->title)
		goto invalid;
	a->byline = clean_line(item->byline, 200);
	a->published_at = item->published ? item->published : item->updated;
	if (!a->published_at || a->published_at > now + FUTURE_SKEW)
		a->published_at = now;
	a->updated_at = item->updated > a->published_at ? item->updated
							: a->published_at;
	if (a->updated_at > now)
		a->updated_at = now;
	if (!summary_later)
		a->summary = html_line(item->summary, SUMMARY_CHARS);
	if (item->image) {
		a->lead_image = url_resolve(a->url, item->image);
		a->lead_caption = html_line(item->image_caption, 400);
	}
	for (i = 0; !a->lead_image && i < item->enclosure_count; i++) {
		const struct feed_enclosure *e = &item->enclosures[i];

		if (e->url && is_image_type(e->type, e->url))
			a->lead_image = url_resolve(a->url, e->url);
	}
	if (a->lead_image && !url_is_http(a->lead_image)) {
		free(a->lead_image);
		a->lead_image = NULL;
	}
	a->language = xstrdup(item->language  ? item->language
			      : doc->language ? doc->language
					      : "en");
	a->topics = item_topics(f, item);
	(void)base;
	return ST_OK;
invalid:
	article_release(a);
	return ST_INVAL;
}

enum status
ingest_prepare_body(struct article *a, const char *raw_html)
{
	struct html_prepared body;
	unsigned char digest[16];
	char hex[sizeof(digest) * 2 + 1];
	enum status rc;
	size_t i, words = 0;
	bool after_space = true;

	/* Sanitised HTML, text, teaser and teaser text from one reading. */
	rc = html_prepare(raw_html, raw_html ? strlen(raw_html) : 0, a->url,
			  (size_t)config.teaser_length, &body);
	if (rc)
		goto out;
	free(a->body_html);
	free(a->body_text);
	free(a->teaser_html);
	free(a->teaser_text);
	a->body_text = buf_detach(&body.text, NULL);
	a->body_html = buf_detach(&body.html, NULL);
	a->teaser_text = clean_line(body.teaser_text.data,
				    (size_t)config.teaser_length * 2);
	a->teaser_html = buf_detach(&body.teaser_html, NULL);
	/* One pass for the words and the length. */
	for (i = 0; a->body_text[i]; i++) {
		bool space = is_space_byte(a->body_text[i]);

		words += !space && after_space;
		after_space = space;
	}
	a->word_count = (int64_t)words;
	crypto_generichash(digest, sizeof(digest),
			   (const unsigned char *)a->body_text, i, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	free(a->content_hash);
	a->content_hash = xstrdup(hex);
	/* The fingerprint comes with the clustering features, from the same
	 * tokens (rank_features_build() in pipeline.c). */
	a->fingerprint = 0;
out:
	html_prepared_release(&body);
	return rc;
}
