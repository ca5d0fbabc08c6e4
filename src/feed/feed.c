/*
 * feed.c — the feed model: building, finishing, freeing, JSON output, and
 * the dispatch between the XML and JSON Feed readers.
 */
#include "common.h"

#include <ctype.h>

#include <libxml/HTMLparser.h>

#include "base/url.h"
#include "feed/internal.h"

struct feed *
feed_new(void)
{
	struct feed *feed = xcalloc(1, sizeof(*feed));

	arena_init(&feed->arena, 0);
	return feed;
}

void
feed_free(struct feed *feed)
{
	if (!feed)
		return;
	arena_release(&feed->arena);
	free(feed);
}

/*
 * Arrays grow in the arena by doubling: capacity is implied by the count
 * (4, 8, 16…), so a new block is needed when count is 0 or a power of two
 * of at least 4.
 */
static void *
grow(struct arena *a, void *array, size_t count, size_t size)
{
	void *bigger;

	if (count && (count < 4 || (count & (count - 1))))
		return array;
	bigger = arena_alloc(a, st_mult(count < 4 ? 4 : count * 2, size));
	if (count)
		memcpy(bigger, array, st_mult(count, size));
	return bigger;
}

size_t
feed_add_item(struct feed *feed)
{
	size_t i = feed->item_count;

	feed->items = grow(&feed->arena, feed->items, i, sizeof(*feed->items));
	memset(&feed->items[i], 0, sizeof(feed->items[i]));
	feed->item_count++;
	return i;
}

void
feed_item_add_author(struct feed *feed, struct feed_item *item,
		     const char *name)
{
	size_t i;

	if (!name || !*name)
		return;
	for (i = 0; i < item->author_count; i++)
		if (!strcmp(item->authors[i], name))
			return;
	item->authors = grow(&feed->arena, (void *)item->authors,
			     item->author_count, sizeof(*item->authors));
	item->authors[item->author_count++] = name;
}

void
feed_item_add_category(struct feed *feed, struct feed_item *item,
		       const char *term)
{
	size_t i;

	if (!term || !*term)
		return;
	for (i = 0; i < item->category_count; i++)
		if (!strcmp(item->categories[i], term))
			return;
	item->categories =
		grow(&feed->arena, (void *)item->categories,
		     item->category_count, sizeof(*item->categories));
	item->categories[item->category_count++] = term;
}

struct feed_enclosure *
feed_item_add_enclosure(struct feed *feed, struct feed_item *item)
{
	struct feed_enclosure *e;

	item->enclosures =
		grow(&feed->arena, item->enclosures, item->enclosure_count,
		     sizeof(*item->enclosures));
	e = &item->enclosures[item->enclosure_count++];
	memset(e, 0, sizeof(*e));
	return e;
}

static bool
is_image_enclosure(const struct feed_enclosure *e)
{
	static const char *const exts[] = {".jpg", ".jpeg", ".png",
					   ".gif", ".webp", ".avif"};
	size_t i, n;

	if (e->type)
		return !strncasecmp(e->type, "image/", 6);
	if (!e->url)
		return false;
	n = strlen(e->url);
	for (i = 0; i < ARRAY_SIZE(exts); i++) {
		size_t m = strlen(exts[i]);

		if (n > m && !strcasecmp(e->url + n - m, exts[i]))
			return true;
	}
	return false;
}

void
feed_finish(struct feed *feed)
{
	size_t i, j;

	for (i = 0; i < feed->item_count; i++) {
		struct feed_item *it = &feed->items[i];

		if (it->author_count == 1) {
			it->byline = it->authors[0];
		} else if (it->author_count > 1) {
			struct buf b = BUF_INIT;

			for (j = 0; j < it->author_count; j++) {
				if (j)
					buf_adds(&b, j + 1 == it->author_count
							     ? " and "
							     : ", ");
				buf_adds(&b, it->authors[j]);
			}
			it->byline = arena_strndup(&feed->arena, b.data, b.len);
			buf_release(&b);
		}
		for (j = 0; !it->image && j < it->enclosure_count; j++)
			if (is_image_enclosure(&it->enclosures[j]))
				it->image = it->enclosures[j].url;
	}
}

/* Text helpers. */

static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

char *
feed_collapse_space(struct arena *a, const char *s, size_t len)
{
	char *out = arena_alloc(a, len + 1), *o = out;
	bool space = false;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_space(c)) {
			space = o != out;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = false;
		*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

char *
feed_text_to_html(struct arena *a, const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	char *out;

	if (!memchr(s, '<', len) && !memchr(s, '&', len) &&
	    !memchr(s, '>', len))
		return arena_strndup(a, s, len);
	buf_add_html(&b, s, len);
	out = arena_strndup(a, b.data, b.len);
	buf_release(&b);
	return out;
}

char *
feed_put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

void
feed_add_utf8(struct buf *b, uint32_t cp)
{
	char u[4];

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	buf_add(b, u, (size_t)(feed_put_utf8(u, cp) - u));
}

/* Windows-1252's meanings for the C1 range, as HTML5 reads &#128;…&#159;. */
static uint32_t
c1_fixup(uint32_t cp)
{
	static const uint16_t table[32] = {
		0x20ac, 0x81,	0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d,	0x017d, 0x8f,
		0x90,	0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d,	0x017e, 0x0178,
	};

	return cp >= 0x80 && cp <= 0x9f ? table[cp - 0x80] : cp;
}

size_t
feed_entity_ref(const char *s, size_t len, uint32_t *cp)
{
	size_t i = 0;

	if (!len)
		return 0;
	if (s[0] == '#') {
		uint32_t v = 0;
		bool hex = len > 1 && (s[1] == 'x' || s[1] == 'X');
		size_t start;

		i = hex ? 2 : 1;
		start = i;
		while (i < len && i - start < 8 &&
		       (hex ? isxdigit((unsigned char)s[i])
			    : isdigit((unsigned char)s[i]))) {
			int d = isdigit((unsigned char)s[i])
					? s[i] - '0'
					: tolower((unsigned char)s[i]) - 'a' +
						  10;

			v = v * (hex ? 16 : 10) + (uint32_t)d;
			i++;
		}
		if (i == start)
			return 0;
		if (i < len && s[i] == ';')
			i++;
		*cp = c1_fixup(v);
		return i;
	} else {
		char name[32];
		const htmlEntityDesc *e;

		while (i < len && i < sizeof(name) - 1 &&
		       isalnum((unsigned char)s[i]))
			i++;
		if (!i || i >= len || s[i] != ';')
			return 0;
		memcpy(name, s, i);
		name[i] = '\0';
		if (!strcmp(name, "apos")) {
			*cp = '\'';
			return i + 1;
		}
		e = htmlEntityLookup((const xmlChar *)name);
		if (!e)
			return 0;
		*cp = e->value;
		return i + 1;
	}
}

char *
feed_decode_entities(struct arena *a, const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	size_t i = 0;
	char *out;

	if (!memchr(s, '&', len))
		return arena_strndup(a, s, len);
	while (i < len) {
		const char *amp = memchr(s + i, '&', len - i);
		uint32_t cp;
		size_t n;

		if (!amp) {
			buf_add(&b, s + i, len - i);
			break;
		}
		buf_add(&b, s + i, (size_t)(amp - (s + i)));
		i = (size_t)(amp - s) + 1;
		n = feed_entity_ref(s + i, len - i, &cp);
		if (n) {
			feed_add_utf8(&b, cp);
			i += n;
		} else {
			buf_addc(&b, '&');
		}
	}
	out = arena_strndup(a, b.data, b.len);
	buf_release(&b);
	return out;
}

/* Tags after which text reads as a new word. */
static bool
is_block_tag(const char *name)
{
	static const char *const blocks[] = {
		"br",	   "p",		 "div",	   "li",	 "tr",	  "td",
		"th",	   "h1",	 "h2",	   "h3",	 "h4",	  "h5",
		"h6",	   "blockquote", "ul",	   "ol",	 "table", "hr",
		"section", "article",	 "figure", "figcaption", "dd",	  "dt",
	};
	size_t i, n = 0;

	if (*name == '/')
		name++;
	while (isalnum((unsigned char)name[n]))
		n++;
	for (i = 0; i < ARRAY_SIZE(blocks); i++)
		if (strlen(blocks[i]) == n && !strncasecmp(name, blocks[i], n))
			return true;
	return false;
}

char *
feed_html_to_text(struct arena *a, const char *html, size_t len)
{
	struct buf b = BUF_INIT;
	size_t i = 0;
	bool space = false;
	char *out;

	if (!memchr(html, '<', len) && !memchr(html, '&', len) &&
	    !memmem(html, len, "\xc2\xa0", 2))
		return feed_collapse_space(a, html, len);
	while (i < len) {
		unsigned char c = (unsigned char)html[i];

		if (c == '<' && i + 1 < len &&
		    (isalpha((unsigned char)html[i + 1]) ||
		     html[i + 1] == '/' || html[i + 1] == '!' ||
		     html[i + 1] == '?')) {
			/* Skip the tag, with quoted attribute values. */
			const char *tag = html + i;
			char quote = 0;

			for (i++; i < len; i++) {
				if (quote) {
					if (html[i] == quote)
						quote = 0;
				} else if (html[i] == '"' || html[i] == '\'') {
					quote = html[i];
				} else if (html[i] == '>') {
					break;
				}
			}
			i++;
			if (is_block_tag(tag + 1))
				space = space || b.len;
			continue;
		}
		if (c == 0xc2 && i + 1 < len &&
		    (unsigned char)html[i + 1] == 0xa0) {
			/* A no-break space is a space in a title. */
			space = b.len > 0;
			i += 2;
			continue;
		}
		if (is_space(c)) {
			space = b.len > 0;
			i++;
			continue;
		}
		if (space)
			buf_addc(&b, ' ');
		space = false;
		if (c == '&') {
			uint32_t cp;
			size_t n =
				feed_entity_ref(html + i + 1, len - i - 1, &cp);

			if (n) {
				if (cp == 0xa0 || cp == '\t' || cp == '\n')
					cp = ' ';
				feed_add_utf8(&b, cp);
				i += n + 1;
				continue;
			}
		}
		buf_addc(&b, (char)c);
		i++;
	}
	while (b.len && b.data[b.len - 1] == ' ')
		b.len--;
	out = arena_strndup(a, b.data, b.len);
	buf_release(&b);
	return out;
}

const char *
feed_resolve(struct arena *a, const char *base, const char *ref)
{
	char *abs;
	const char *p;
	size_t len;

	if (!ref)
		return NULL;
	abs = url_resolve(base, ref);
	if (abs) {
		p = arena_strdup(a, abs);
		free(abs);
		return p;
	}
	while (is_space((unsigned char)*ref))
		ref++;
	len = strlen(ref);
	while (len && is_space((unsigned char)ref[len - 1]))
		len--;
	return arena_strndup(a, ref, len);
}

/* Finds the next URL attribute value in html at or after from; sets its
 * bounds and returns true. */
static bool
next_url_attr(const char *html, size_t len, size_t *from, size_t *vstart,
	      size_t *vend)
{
	static const char *const names[] = {"href", "src", "poster", "cite",
					    "background"};
	size_t i = *from;

	while (i < len) {
		const char *eq = memchr(html + i, '=', len - i);
		size_t e, n, k;

		if (!eq)
			return false;
		e = (size_t)(eq - html);
		i = e + 1;
		n = e;
		while (n > 0 && isalpha((unsigned char)html[n - 1]))
			n--;
		if (n == 0 || !is_space((unsigned char)html[n - 1]))
			continue;
		for (k = 0; k < ARRAY_SIZE(names); k++) {
			size_t nl = strlen(names[k]);
			char q;

			if (e - n != nl || strncasecmp(html + n, names[k], nl))
				continue;
			if (i >= len)
				return false;
			q = html[i];
			if (q == '"' || q == '\'') {
				const char *close =
					memchr(html + i + 1, q, len - i - 1);

				if (!close)
					return false;
				*vstart = i + 1;
				*vend = (size_t)(close - html);
			} else {
				size_t j = i;

				while (j < len &&
				       !is_space((unsigned char)html[j]) &&
				       html[j] != '>')
					j++;
				*vstart = i;
				*vend = j;
			}
			*from = *vend;
			return true;
		}
	}
	return false;
}

const char *
feed_resolve_html(struct arena *a, const char *html, const char *base)
{
	struct buf b = BUF_INIT;
	size_t len, from = 0, copied = 0, vs, ve;
	const char *out;
	bool changed = false;

	if (!html || !base || !url_is_absolute(base))
		return html;
	len = strlen(html);
	while (next_url_attr(html, len, &from, &vs, &ve)) {
		char *ref, *abs;

		if (vs == ve || html[vs] == '#')
			continue;
		ref = xstrndup(html + vs, ve - vs);
		if (!url_is_absolute(ref)) {
			char *decoded = ref;

			if (strchr(ref, '&')) {
				struct arena tmp;

				arena_init(&tmp, 0);
				decoded = xstrdup(feed_decode_entities(
					&tmp, ref, strlen(ref)));
				arena_release(&tmp);
				free(ref);
				ref = decoded;
			}
			abs = url_resolve(base, ref);
			if (abs) {
				buf_add(&b, html + copied, vs - copied);
				buf_add_html(&b, abs, strlen(abs));
				copied = ve;
				changed = true;
				free(abs);
			}
		}
		free(ref);
	}
	if (!changed) {
		buf_release(&b);
		return html;
	}
	buf_add(&b, html + copied, len - copied);
	out = arena_strndup(a, b.data, b.len);
	buf_release(&b);
	return out;
}

/* RFC 3339 UTC for any year 1..9999. */
static void
format_time(int64_t t, char *out, size_t size)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400;
	int64_t z = days + 719468, era, doe, yoe, y, doy, mp, d, m;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m,
		 (int)d, (int)(secs / 3600), (int)(secs / 60 % 60),
		 (int)(secs % 60));
}

static void
json_str(struct buf *out, const char *key, const char *value, bool comma)
{
	if (comma)
		buf_addc(out, ',');
	buf_add_json_str(out, key, strlen(key));
	buf_addc(out, ':');
	if (value)
		buf_add_json_str(out, value, strlen(value));
	else
		buf_adds(out, "null");
}

static void
json_time(struct buf *out, const char *key, int64_t t)
{
	char tmp[32];

	buf_addc(out, ',');
	buf_add_json_str(out, key, strlen(key));
	buf_addc(out, ':');
	if (!t) {
		buf_adds(out, "null");
		return;
	}
	format_time(t, tmp, sizeof(tmp));
	buf_add_json_str(out, tmp, strlen(tmp));
}

static void
json_list(struct buf *out, const char *key, const char *const *list,
	  size_t count)
{
	size_t i;

	buf_addc(out, ',');
	buf_add_json_str(out, key, strlen(key));
	buf_adds(out, ":[");
	for (i = 0; i < count; i++) {
		if (i)
			buf_addc(out, ',');
		buf_add_json_str(out, list[i], strlen(list[i]));
	}
	buf_addc(out, ']');
}

void
feed_to_json(const struct feed *feed, struct buf *out)
{
	size_t i, j;

	buf_addc(out, '{');
	json_str(out, "format", feed->format, false);
	json_str(out, "title", feed->title, true);
	json_str(out, "link", feed->link, true);
	json_str(out, "language", feed->language, true);
	buf_addf(out, ",\"recovered\":%s", feed->recovered ? "true" : "false");
	json_str(out, "error", feed->error, true);
	buf_adds(out, ",\"items\":[");
	for (i = 0; i < feed->item_count; i++) {
		const struct feed_item *it = &feed->items[i];

		if (i)
			buf_addc(out, ',');
		buf_addc(out, '{');
		json_str(out, "guid", it->guid, false);
		json_str(out, "title", it->title, true);
		json_str(out, "link", it->link, true);
		json_time(out, "published", it->published);
		json_time(out, "updated", it->updated);
		json_list(out, "authors", it->authors, it->author_count);
		json_str(out, "summary", it->summary, true);
		json_str(out, "content", it->content, true);
		buf_adds(out, ",\"enclosures\":[");
		for (j = 0; j < it->enclosure_count; j++) {
			const struct feed_enclosure *e = &it->enclosures[j];

			if (j)
				buf_addc(out, ',');
			buf_addc(out, '{');
			json_str(out, "url", e->url, false);
			json_str(out, "type", e->type, true);
			buf_addf(out, ",\"length\":%" PRId64 "}", e->length);
		}
		buf_addc(out, ']');
		json_list(out, "categories", it->categories,
			  it->category_count);
		buf_addc(out, '}');
	}
	buf_adds(out, "]}");
}

/* Skips leading whitespace and a UTF-8 BOM. */
static const char *
skip_bom_space(const char *p, const char *end)
{
	if (end - p >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end && is_space((unsigned char)*p))
		p++;
	return p;
}

/* Copies the charset parameter of a Content-Type header into out. */
static bool
content_type_charset(const char *ct, char *out, size_t size)
{
	const char *p = ct;

	while ((p = strchr(p, ';'))) {
		size_t n = 0;

		p++;
		while (is_space((unsigned char)*p))
			p++;
		if (strncasecmp(p, "charset", 7))
			continue;
		p += 7;
		while (is_space((unsigned char)*p))
			p++;
		if (*p != '=')
			continue;
		p++;
		while (is_space((unsigned char)*p) || *p == '"' || *p == '\'')
			p++;
		while (p[n] && p[n] != '"' && p[n] != '\'' && p[n] != ';' &&
		       !is_space((unsigned char)p[n]) && n + 1 < size) {
			out[n] = (char)tolower((unsigned char)p[n]);
			n++;
		}
		out[n] = '\0';
		return n > 0;
	}
	return false;
}

enum status
feed_parse_ex(const char *data, size_t len, const char *url,
	      const char *content_type, struct feed **out, const char **reason)
{
	struct feed *feed;
	const char *p, *why = NULL;
	char charset[64];
	bool json;
	enum feed_xml_reader reader;
	enum status rc;

	if (reason)
		*reason = NULL;
	if (len > FEED_MAX_SIZE) {
		if (reason)
			*reason = "document larger than the size limit";
		return ST_TOOBIG;
	}
	p = skip_bom_space(data, data + len);
	if (p == data + len) {
		if (reason)
			*reason = "empty document";
		return ST_PARSE;
	}
	json = *p == '{' ||
	       (content_type && strstr(content_type, "json") && *p != '<');
	feed = feed_new();
	if (json) {
		rc = feed_parse_json(feed, data, len, url, &why);
	} else {
		if (!content_type ||
		    !content_type_charset(content_type, charset,
					  sizeof(charset)))
			charset[0] = '\0';
		/* See enum feed_xml_reader: feed_parse_xml() says which
		 * reader it used. */
		reader = len <= FEED_XML_PUSH_MAX ? FEED_XML_PUSH
						  : FEED_XML_PULL;
		rc = feed_parse_xml(feed, data, len, url,
				    charset[0] ? charset : NULL, &reader, &why);
		/*
		 * Read again from the start, as written, when the push reader
		 * met an error: the pull reader recovers what follows a bad
		 * byte or a broken tag, the push reader often stops there.
		 */
		if (reader == FEED_XML_PUSH && (rc || feed->recovered)) {
			feed_free(feed);
			feed = feed_new();
			reader = FEED_XML_PULL;
			rc = feed_parse_xml(feed, data, len, url,
					    charset[0] ? charset : NULL,
					    &reader, &why);
		}
	}
	if (rc) {
		feed_free(feed);
		if (reason)
			*reason = why;
		return rc;
	}
	feed_finish(feed);
	*out = feed;
	return ST_OK;
}

enum status
feed_parse(const char *data, size_t len, const char *url,
	   const char *content_type, struct feed **out)
{
	return feed_parse_ex(data, len, url, content_type, out, NULL);
}
