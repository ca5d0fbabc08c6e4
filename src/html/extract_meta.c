/*
 * extract_meta.c — article metadata: JSON-LD (schema.org Article types),
 * <meta> tags (Open Graph, Twitter cards, Dublin Core, Parse.ly, plain
 * names), the document title with its site-name separators, and dates.
 *
 * Preference follows what reader views show: JSON-LD first, then Dublin
 * Core, Open Graph, plain and Twitter tags; the title falls back to a
 * cleaned <title>.
 */
#include "common.h"

#include <ctype.h>
#include <jansson.h>
#include <strings.h>
#include <time.h>

#include "html/extract.h"
#include "html/extract_int.h"

/* A <meta> value kept by its normalised key ("og:title", "author"). */
struct meta_value {
	char key[48]; /* lower case, no white space, "." turned into ":" */
	char *value;  /* trimmed content */
};

struct meta_set {
	struct meta_value *v; /* in document order; later ones win */
	size_t n;	      /* in use */
};

static const char *const meta_props[] = {"article", "dc", "dcterm", "og",
					 "twitter"};
static const char *const meta_fields[] = {
	"author",    "creator", "description", "published_time", "title",
	"site_name", "image",	"locale",      "modified_time",
};
static const char *const name_prefixes[] = {
	"dc",
	"dcterm",
	"og",
	"twitter",
	"parsely",
	"weibo:article",
	"weibo:webpage",
};
static const char *const name_fields[] = {
	"author",  "creator",	  "pub-date",	  "description",
	"title",   "site_name",	  "image",	  "date",
	"pubdate", "publishdate", "publish-date", "sailthru:date",
};

static char *
trimmed_dup(const char *s)
{
	const char *end;

	while (*s && isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	return xstrndup(s, (size_t)(end - s));
}

static void
meta_set_put(struct meta_set *m, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (!strcmp(m->v[i].key, key)) {
			free(m->v[i].value);
			m->v[i].value = trimmed_dup(value);
			return;
		}
	}
	m->v = xreallocarray(m->v, m->n + 1, sizeof(*m->v));
	snprintf(m->v[m->n].key, sizeof(m->v[m->n].key), "%s", key);
	m->v[m->n].value = trimmed_dup(value);
	m->n++;
}

static const char *
meta_get(const struct meta_set *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].key, key) && m->v[i].value[0])
			return m->v[i].value;
	return NULL;
}

static bool
in_list(const char *s, size_t len, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && !strncasecmp(s, list[i], len))
			return true;
	return false;
}

/* Normalises a key: lower case, no white space, '.' as ':'. */
static void
norm_key(const char *s, size_t len, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 1 < size; i++) {
		char c = s[i];

		if (isspace((unsigned char)c))
			continue;
		if (c == '.')
			c = ':';
		out[o++] = (char)tolower((unsigned char)c);
	}
	out[o] = '\0';
}

/* property="og:title twitter:title": each "prefix:field" word. */
static bool
read_property(struct meta_set *m, const char *prop, const char *content)
{
	bool matched = false;
	const char *s = prop;

	while (*s) {
		const char *start, *colon;
		char key[48];

		while (*s && isspace((unsigned char)*s))
			s++;
		start = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		colon = memchr(start, ':', (size_t)(s - start));
		if (!colon)
			continue;
		if (!in_list(start, (size_t)(colon - start), meta_props,
			     ARRAY_SIZE(meta_props)) ||
		    !in_list(colon + 1, (size_t)(s - colon - 1), meta_fields,
			     ARRAY_SIZE(meta_fields)))
			continue;
		norm_key(start, (size_t)(s - start), key, sizeof(key));
		meta_set_put(m, key, content);
		matched = true;
	}
	return matched;
}

/* name="dc.creator", "author", "twitter:title", "parsely-pub-date"… */
static void
read_name(struct meta_set *m, const char *name, const char *content)
{
	char key[48];
	size_t i, len;

	norm_key(name, strlen(name), key, sizeof(key));
	len = strlen(key);
	for (i = 0; i < ARRAY_SIZE(name_fields); i++)
		if (!strcmp(key, name_fields[i]))
			goto found;
	for (i = 0; i < ARRAY_SIZE(name_prefixes); i++) {
		size_t pl = strlen(name_prefixes[i]);
		size_t k;

		if (len <= pl + 1 || strncmp(key, name_prefixes[i], pl))
			continue;
		if (key[pl] != ':' && key[pl] != '-')
			continue;
		for (k = 0; k < ARRAY_SIZE(name_fields); k++)
			if (!strcmp(key + pl + 1, name_fields[k]))
				goto found;
	}
	return;
found:
	meta_set_put(m, key, content);
}

static void
read_metas(const struct xdoc *d, struct meta_set *m)
{
	const struct xnode *n;

	for (n = d->root; n; n = xnode_next(n, d->root)) {
		const char *content, *prop, *name;

		if (!xnode_is(n, GUMBO_TAG_META))
			continue;
		content = xnode_attr(n, "content");
		if (!content)
			continue;
		prop = xnode_attr(n, "property");
		name = xnode_attr(n, "name");
		if (prop && read_property(m, prop, content))
			continue;
		if (name)
			read_name(m, name, content);
		else if (prop)
			read_name(m, prop, content);
		name = xnode_attr(n, "itemprop");
		if (name && !strcmp(name, "datePublished"))
			meta_set_put(m, "itemprop:datepublished", content);
		name = xnode_attr(n, "http-equiv");
		if (name && !strcasecmp(name, "content-language"))
			meta_set_put(m, "content-language", content);
	}
}

static void
meta_set_release(struct meta_set *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].value);
	free(m->v);
}

/* ---- text helpers ---- */

static bool
is_word_char(unsigned char c)
{
	/* JavaScript's \w: ASCII letters, digits and '_'. */
	return isalnum(c) || c == '_';
}

/* Appends the " "-joined lower-case ASCII words of s to out (one word per
 * entry, NUL separated) and returns their count. */
static size_t
split_words(const char *s, struct buf *out)
{
	size_t count = 0;

	while (*s) {
		while (*s && !is_word_char((unsigned char)*s))
			s++;
		if (!*s)
			break;
		while (is_word_char((unsigned char)*s))
			buf_addc(out, (char)tolower((unsigned char)*s++));
		buf_addc(out, '\0');
		count++;
	}
	return count;
}

static bool
word_in(const char *words, size_t count, const char *w)
{
	size_t i;

	for (i = 0; i < count; i++) {
		if (!strcmp(words, w))
			return true;
		words += strlen(words) + 1;
	}
	return false;
}

double
xtext_similarity(const char *a, const char *b)
{
	struct buf wa = BUF_INIT, wb = BUF_INIT;
	size_t na = split_words(a, &wa), nb = split_words(b, &wb);
	size_t i, uniq_len = 0, all_len = 0, uniq_n = 0;
	const char *w = wb.data;
	double sim = 0;

	if (!na || !nb)
		goto out;
	for (i = 0; i < nb; i++) {
		size_t l = strlen(w);

		all_len += l + (i ? 1 : 0);
		if (!word_in(wa.data, na, w)) {
			uniq_len += l + (uniq_n ? 1 : 0);
			uniq_n++;
		}
		w += l + 1;
	}
	sim = 1 - (double)uniq_len / (double)all_len;
out:
	buf_release(&wa);
	buf_release(&wb);
	return sim;
}

size_t
xword_count(const char *s)
{
	size_t count = 1;
	bool in_space = false;
	const char *p;

	/* Like "s".split(/\s+/).length: leading and trailing runs count. */
	for (p = s; *p; p++) {
		if (isspace((unsigned char)*p)) {
			if (!in_space)
				count++;
			in_space = true;
		} else
			in_space = false;
	}
	return count;
}

static char *
collapse_dup(const char *s)
{
	struct buf b = BUF_INIT;
	bool space = false;

	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = b.len > 0;
			continue;
		}
		if (space)
			buf_addc(&b, ' ');
		space = false;
		buf_addc(&b, *s);
	}
	return buf_detach(&b, NULL);
}

/* Decodes the entities left in a value that was escaped twice. */
static char *
unescape_entities(char *s)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {{"quot", '"'},
		     {"amp", '&'},
		     {"apos", '\''},
		     {"lt", '<'},
		     {"gt", '>'}};
	struct buf b = BUF_INIT;
	const char *p = s;

	if (!strchr(s, '&'))
		return s;
	while (*p) {
		size_t i;

		if (*p != '&') {
			buf_addc(&b, *p++);
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(named); i++) {
			size_t l = strlen(named[i].name);

			if (!strncmp(p + 1, named[i].name, l) &&
			    p[l + 1] == ';') {
				buf_addc(&b, named[i].c);
				p += l + 2;
				break;
			}
		}
		if (i < ARRAY_SIZE(named))
			continue;
		if (p[1] == '#') {
			char *end;
			unsigned long cp = p[2] == 'x' || p[2] == 'X'
						   ? strtoul(p + 3, &end, 16)
						   : strtoul(p + 2, &end, 10);

			if (*end == ';' && end > p + 2 && cp > 0 &&
			    cp < 0x110000 && !(cp >= 0xd800 && cp < 0xe000)) {
				if (cp < 0x80)
					buf_addc(&b, (char)cp);
				else if (cp < 0x800) {
					buf_addc(&b, (char)(0xc0 | (cp >> 6)));
					buf_addc(&b, (char)(0x80 | (cp & 63)));
				} else if (cp < 0x10000) {
					buf_addc(&b, (char)(0xe0 | (cp >> 12)));
					buf_addc(&b, (char)(0x80 |
							    ((cp >> 6) & 63)));
					buf_addc(&b, (char)(0x80 | (cp & 63)));
				} else {
					buf_addc(&b, (char)(0xf0 | (cp >> 18)));
					buf_addc(&b, (char)(0x80 |
							    ((cp >> 12) & 63)));
					buf_addc(&b, (char)(0x80 |
							    ((cp >> 6) & 63)));
					buf_addc(&b, (char)(0x80 | (cp & 63)));
				}
				p = end + 1;
				continue;
			}
		}
		buf_addc(&b, *p++);
	}
	free(s);
	return buf_detach(&b, NULL);
}

/* ---- the <title> ---- */

static bool
is_sep_char(char c)
{
	return c == '|' || c == '-' || c == '\\' || c == '/' || c == '>';
}

/* Finds " X " with X a separator (| - \ / > », en and em dashes) and
 * returns its offset, or -1. hier: only the hierarchical ones, \ / > ». */
static long
find_sep(const char *s, size_t from, bool last, bool hier)
{
	long found = -1;
	size_t i, len = strlen(s);

	for (i = from; i + 2 < len; i++) {
		size_t l;

		if (s[i] != ' ')
			continue;
		if (!strncmp(s + i + 1, "\xc2\xbb", 2))
			l = 2;
		else if (!hier && (!strncmp(s + i + 1, "\xe2\x80\x93", 3) ||
				   !strncmp(s + i + 1, "\xe2\x80\x94", 3)))
			l = 3; /* en and em dashes */
		else if (is_sep_char(s[i + 1]) &&
			 (!hier || (s[i + 1] != '|' && s[i + 1] != '-')))
			l = 1;
		else
			continue;
		if (s[i + 1 + l] != ' ')
			continue;
		found = (long)i;
		if (!last)
			break;
	}
	return found;
}

/* The number of words of s once separator characters are removed. */
static size_t
word_count_without_seps(const char *s)
{
	struct buf b = BUF_INIT;
	size_t n;

	for (; *s; s++) {
		if (is_sep_char(*s))
			continue;
		if (!strncmp(s, "\xc2\xbb", 2)) {
			s++;
			continue;
		}
		if (!strncmp(s, "\xe2\x80\x93", 3) ||
		    !strncmp(s, "\xe2\x80\x94", 3)) {
			s += 2;
			continue;
		}
		buf_addc(&b, *s);
	}
	n = xword_count(b.data);
	buf_release(&b);
	return n;
}

static bool
heading_equals(const struct xdoc *d, const char *title)
{
	const struct xnode *n;
	struct buf b = BUF_INIT;
	bool eq = false;

	for (n = d->body; n && !eq; n = xnode_next(n, d->body)) {
		if (!xnode_is(n, GUMBO_TAG_H1) && !xnode_is(n, GUMBO_TAG_H2))
			continue;
		buf_reset(&b);
		xnode_text(n, &b, true);
		eq = !strcmp(b.data, title);
	}
	buf_release(&b);
	return eq;
}

static char *
single_h1(const struct xdoc *d)
{
	const struct xnode *n, *h1 = NULL;
	struct buf b = BUF_INIT;

	for (n = d->body; n; n = xnode_next(n, d->body)) {
		if (!xnode_is(n, GUMBO_TAG_H1))
			continue;
		if (h1)
			return NULL;
		h1 = n;
	}
	if (!h1)
		return NULL;
	xnode_text(h1, &b, true);
	return buf_detach(&b, NULL);
}

static size_t
char_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* The title of the page from <title>, without the site name around it. */
static char *
document_title(const struct xdoc *d, char **raw_out)
{
	const struct xnode *n;
	struct buf b = BUF_INIT;
	char *orig, *cur;
	bool hier = false;
	long at;

	*raw_out = NULL;
	for (n = d->root; n; n = xnode_next(n, d->root))
		if (xnode_is(n, GUMBO_TAG_TITLE))
			break;
	if (!n)
		return NULL;
	xnode_text(n, &b, true);
	orig = buf_detach(&b, NULL);
	cur = xstrdup(orig);
	if ((at = find_sep(orig, 0, true, false)) >= 0) {
		hier = find_sep(orig, 0, false, true) >= 0;
		free(cur);
		cur = xstrndup(orig, (size_t)at);
		if (xword_count(cur) < 3) {
			const char *p = orig;

			while (*p && !is_sep_char(*p) &&
			       strncmp(p, "\xc2\xbb", 2) &&
			       strncmp(p, "\xe2\x80\x93", 3) &&
			       strncmp(p, "\xe2\x80\x94", 3))
				p++;
			if (*p)
				p += is_sep_char(*p)		 ? 1
				     : (unsigned char)*p == 0xc2 ? 2
								 : 3;
			free(cur);
			cur = xstrdup(p);
		}
	} else if (strstr(orig, ": ")) {
		if (!heading_equals(d, orig)) {
			const char *last = strrchr(orig, ':');
			const char *first = strchr(orig, ':');

			free(cur);
			cur = xstrdup(last + 1);
			if (xword_count(cur) < 3) {
				free(cur);
				cur = xstrdup(first + 1);
			} else {
				char *head =
					xstrndup(orig, (size_t)(first - orig));

				if (xword_count(head) > 5) {
					free(cur);
					cur = xstrdup(orig);
				}
				free(head);
			}
		}
	} else if (char_len(orig) > 150 || char_len(orig) < 15) {
		char *h1 = single_h1(d);

		if (h1) {
			free(cur);
			cur = h1;
		}
	}
	{
		char *c = collapse_dup(cur);
		size_t wc;

		free(cur);
		cur = c;
		wc = xword_count(cur);
		if (wc <= 4 &&
		    (!hier || wc != word_count_without_seps(orig) - 1)) {
			free(cur);
			cur = xstrdup(orig);
		}
	}
	*raw_out = orig;
	return cur;
}

/* ---- JSON-LD ---- */

static bool
is_article_type(const char *t)
{
	/* schema.org Article and its descendants that carry an article. */
	static const char *const types[] = {
		"Article",
		"AdvertiserContentArticle",
		"NewsArticle",
		"AnalysisNewsArticle",
		"AskPublicNewsArticle",
		"BackgroundNewsArticle",
		"OpinionNewsArticle",
		"ReportageNewsArticle",
		"ReviewNewsArticle",
		"Report",
		"SatiricalArticle",
		"ScholarlyArticle",
		"MedicalScholarlyArticle",
		"SocialMediaPosting",
		"BlogPosting",
		"LiveBlogPosting",
		"DiscussionForumPosting",
		"TechArticle",
		"APIReference",
		"WebPage",
		"Blog",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		if (strstr(t, types[i]))
			return strcmp(types[i], "WebPage") &&
			       strcmp(types[i], "Blog");
	return false;
}

static bool
has_article_type(json_t *obj)
{
	json_t *t = json_object_get(obj, "@type");
	size_t i;
	json_t *v;

	if (json_is_string(t))
		return is_article_type(json_string_value(t));
	if (json_is_array(t))
		json_array_foreach(
			t, i, v) if (json_is_string(v) &&
				     is_article_type(
					     json_string_value(v))) return true;
	return false;
}

static bool
is_schema_org(const char *s)
{
	return s && (!strncmp(s, "http://schema.org", 17) ||
		     !strncmp(s, "https://schema.org", 18));
}

static bool
has_schema_context(json_t *obj)
{
	json_t *c = json_object_get(obj, "@context");

	if (json_is_string(c))
		return is_schema_org(json_string_value(c));
	if (json_is_object(c))
		return is_schema_org(
			json_string_value(json_object_get(c, "@vocab")));
	if (json_is_array(c)) {
		size_t i;
		json_t *v;

		json_array_foreach(c, i, v) if (json_is_string(v) &&
						is_schema_org(json_string_value(
							v))) return true;
	}
	return false;
}

static char *
json_str_dup(json_t *v)
{
	if (!json_is_string(v))
		return NULL;
	return trimmed_dup(json_string_value(v));
}

static char *
json_name(json_t *v)
{
	if (json_is_object(v))
		return json_str_dup(json_object_get(v, "name"));
	return NULL;
}

static char *
json_image(json_t *v)
{
	if (json_is_string(v))
		return trimmed_dup(json_string_value(v));
	if (json_is_object(v))
		return json_str_dup(json_object_get(v, "url"));
	if (json_is_array(v) && json_array_size(v) > 0)
		return json_image(json_array_get(v, 0));
	return NULL;
}

struct ld_meta {
	char *title;	 /* name or headline */
	char *byline;	 /* author names, ", " joined */
	char *excerpt;	 /* description */
	char *site_name; /* publisher name */
	char *published; /* datePublished */
	char *image;	 /* image */
};

static void
ld_fill(json_t *obj, const char *doc_title, struct ld_meta *ld)
{
	json_t *name = json_object_get(obj, "name");
	json_t *headline = json_object_get(obj, "headline");
	json_t *author = json_object_get(obj, "author");

	if (json_is_string(name) && json_is_string(headline) &&
	    strcmp(json_string_value(name), json_string_value(headline))) {
		const char *t = doc_title ? doc_title : "";
		bool name_ok =
			xtext_similarity(json_string_value(name), t) > 0.75;
		bool head_ok =
			xtext_similarity(json_string_value(headline), t) > 0.75;

		ld->title = json_str_dup(head_ok && !name_ok ? headline : name);
	} else if (json_is_string(name))
		ld->title = json_str_dup(name);
	else if (json_is_string(headline))
		ld->title = json_str_dup(headline);
	if (json_is_object(author))
		ld->byline = json_name(author);
	else if (json_is_array(author) && json_array_size(author) > 0 &&
		 json_is_string(
			 json_object_get(json_array_get(author, 0), "name"))) {
		struct buf b = BUF_INIT;
		size_t i;
		json_t *a;

		json_array_foreach(author, i, a)
		{
			char *n = json_name(a);

			if (!n)
				continue;
			if (b.len)
				buf_adds(&b, ", ");
			buf_adds(&b, n);
			free(n);
		}
		ld->byline = buf_detach(&b, NULL);
	}
	ld->excerpt = json_str_dup(json_object_get(obj, "description"));
	ld->site_name = json_name(json_object_get(obj, "publisher"));
	ld->published = json_str_dup(json_object_get(obj, "datePublished"));
	ld->image = json_image(json_object_get(obj, "image"));
}

static json_t *
find_article(json_t *root)
{
	json_t *graph, *v;
	size_t i;

	if (json_is_array(root)) {
		json_array_foreach(root, i,
				   v) if (json_is_object(v) &&
					  has_article_type(v)) return v;
		return NULL;
	}
	if (!json_is_object(root))
		return NULL;
	if (!has_schema_context(root))
		return NULL;
	graph = json_object_get(root, "@graph");
	if (!json_object_get(root, "@type") && json_is_array(graph)) {
		json_array_foreach(graph, i,
				   v) if (json_is_object(v) &&
					  has_article_type(v)) return v;
		return NULL;
	}
	return has_article_type(root) ? root : NULL;
}

static void
read_json_ld(const struct xdoc *d, const char *doc_title, struct ld_meta *ld)
{
	size_t i;

	for (i = 0; i < d->ld_count; i++) {
		const char *s = d->ld_texts[i];
		const char *end;
		json_t *root, *art;

		while (*s && isspace((unsigned char)*s))
			s++;
		if (!strncmp(s, "<![CDATA[", 9))
			s += 9;
		end = s + strlen(s);
		while (end > s && isspace((unsigned char)end[-1]))
			end--;
		if (end - s >= 3 && !strncmp(end - 3, "]]>", 3))
			end -= 3;
		root = json_loadb(s, (size_t)(end - s),
				  JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
		if (!root)
			continue;
		art = find_article(root);
		if (art)
			ld_fill(art, doc_title, ld);
		json_decref(root);
		if (art)
			return;
	}
}

/* ---- all together ---- */

static char *
first_of(const struct meta_set *m, const char *const *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *v = meta_get(m, keys[i]);

		if (v)
			return xstrdup(v);
	}
	return NULL;
}

static bool
is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

void
xmeta_read(const struct xdoc *d, struct xmeta *m)
{
	static const char *const title_keys[] = {
		"dc:title",
		"dcterm:title",
		"og:title",
		"weibo:article:title",
		"weibo:webpage:title",
		"title",
		"twitter:title",
		"parsely-title",
	};
	static const char *const byline_keys[] = {
		"dc:creator",
		"dcterm:creator",
		"author",
		"parsely-author",
	};
	static const char *const excerpt_keys[] = {
		"dc:description",
		"dcterm:description",
		"og:description",
		"weibo:article:description",
		"weibo:webpage:description",
		"description",
		"twitter:description",
	};
	static const char *const date_keys[] = {
		"article:published_time",
		"parsely-pub-date",
		"itemprop:datepublished",
		"dc:date",
		"dcterm:date",
		"date",
		"pubdate",
		"publishdate",
		"publish-date",
		"sailthru:date",
		"og:published_time",
	};
	static const char *const image_keys[] = {"og:image", "twitter:image"};
	struct meta_set ms = {0};
	struct ld_meta ld = {0};
	const char *v;

	memset(m, 0, sizeof(*m));
	read_metas(d, &ms);
	m->doc_title = document_title(d, &m->raw_title);
	read_json_ld(d, m->doc_title, &ld);

	m->title = ld.title ? ld.title
			    : first_of(&ms, title_keys, ARRAY_SIZE(title_keys));
	if (!m->title && m->doc_title)
		m->title = xstrdup(m->doc_title);
	m->byline = ld.byline;
	if (!m->byline)
		m->byline = first_of(&ms, byline_keys, ARRAY_SIZE(byline_keys));
	if (!m->byline && (v = meta_get(&ms, "article:author")) && !is_url(v))
		m->byline = xstrdup(v);
	m->excerpt = ld.excerpt ? ld.excerpt
				: first_of(&ms, excerpt_keys,
					   ARRAY_SIZE(excerpt_keys));
	m->site_name = ld.site_name;
	if (!m->site_name)
		m->site_name =
			first_of(&ms, (const char *const[]){"og:site_name"}, 1);
	m->published =
		ld.published ? ld.published
			     : first_of(&ms, date_keys, ARRAY_SIZE(date_keys));
	m->image = first_of(&ms, image_keys, ARRAY_SIZE(image_keys));
	if (!m->image)
		m->image = ld.image;
	else
		free(ld.image);
	v = xnode_attr(d->root, "lang");
	if (v && *v)
		m->lang = trimmed_dup(v);
	else if ((v = meta_get(&ms, "og:locale"))) {
		char *s = trimmed_dup(v), *p;

		for (p = s; *p; p++)
			if (*p == '_')
				*p = '-';
		m->lang = s;
	} else if ((v = meta_get(&ms, "content-language")))
		m->lang = trimmed_dup(v);

	if (m->title)
		m->title = unescape_entities(m->title);
	if (m->byline)
		m->byline = unescape_entities(m->byline);
	if (m->excerpt)
		m->excerpt = unescape_entities(m->excerpt);
	if (m->site_name)
		m->site_name = unescape_entities(m->site_name);
	meta_set_release(&ms);
}

void
xmeta_release(struct xmeta *m)
{
	free(m->title);
	free(m->byline);
	free(m->excerpt);
	free(m->site_name);
	free(m->published);
	free(m->image);
	free(m->lang);
	free(m->doc_title);
	free(m->raw_title);
	memset(m, 0, sizeof(*m));
}

/* ---- dates ---- */

static bool
read_int(const char **sp, int digits, int *out)
{
	const char *s = *sp;
	int v = 0, i;

	for (i = 0; i < digits; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*sp = s + digits;
	*out = v;
	return true;
}

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Howard Hinnant's days_from_civil, the proleptic Gregorian count. */
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool
make_time(int y, int mo, int d, int h, int mi, int s, int off, int64_t *out)
{
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || s > 60)
		return false;
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	       h * 3600 + mi * 60 + s - off;
	return true;
}

static bool
parse_iso(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om, off = 0;
	bool basic;

	if (!read_int(&s, 4, &y))
		return false;
	basic = *s != '-';
	if (!basic)
		s++;
	if (!read_int(&s, 2, &mo))
		return false;
	if (!basic && *s++ != '-')
		return false;
	if (!read_int(&s, 2, &d))
		return false;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (!read_int(&s, 2, &h))
			return false;
		if (*s == ':')
			s++;
		if (!read_int(&s, 2, &mi))
			return false;
		if (*s == ':' || isdigit((unsigned char)*s)) {
			if (*s == ':')
				s++;
			if (!read_int(&s, 2, &sec))
				return false;
		}
		if (*s == '.' || *s == ',') {
			s++;
			while (isdigit((unsigned char)*s))
				s++;
		}
		while (*s == ' ')
			s++;
		if (*s == 'Z' || *s == 'z')
			s++;
		else if (!strncmp(s, "UTC", 3) || !strncmp(s, "GMT", 3))
			s += 3;
		else if (*s == '+' || *s == '-') {
			int sign = *s++ == '-' ? -1 : 1;

			if (!read_int(&s, 2, &oh))
				return false;
			if (*s == ':')
				s++;
			om = 0;
			if (isdigit((unsigned char)*s) && !read_int(&s, 2, &om))
				return false;
			off = sign * (oh * 3600 + om * 60);
		}
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s)
		return false;
	return make_time(y, mo, d, h, mi, sec, off, out);
}

static bool
parse_rfc822(const char *s, int64_t *out)
{
	static const char *const months[] = {"jan", "feb", "mar", "apr",
					     "may", "jun", "jul", "aug",
					     "sep", "oct", "nov", "dec"};
	int d, mo, y, h = 0, mi = 0, sec = 0, off = 0;
	char mon[4];
	size_t i;
	int n = 0;

	if (isalpha((unsigned char)*s)) {
		while (*s && *s != ',' && *s != ' ')
			s++;
		if (*s == ',')
			s++;
		while (*s == ' ')
			s++;
	}
	if (sscanf(s, "%d %3s %d %n", &d, mon, &y, &n) < 3 || !n)
		return false;
	s += n;
	for (i = 0; i < ARRAY_SIZE(months); i++)
		if (!strncasecmp(mon, months[i], 3))
			break;
	if (i == ARRAY_SIZE(months))
		return false;
	mo = (int)i + 1;
	if (y < 100)
		y += y < 70 ? 2000 : 1900;
	n = 0;
	if (sscanf(s, "%d:%d%n", &h, &mi, &n) == 2) {
		s += n;
		if (*s == ':' && sscanf(s + 1, "%d%n", &sec, &n) == 1)
			s += 1 + n;
		while (*s == ' ')
			s++;
		if (*s == '+' || *s == '-') {
			int sign = *s == '-' ? -1 : 1;
			int z = atoi(s + 1);

			off = sign * ((z / 100) * 3600 + (z % 100) * 60);
		}
	}
	return make_time(y, mo, d, h, mi, sec, off, out);
}

bool
extract_parse_date(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s)
		return false;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return false;
	if (parse_iso(s, out) || parse_rfc822(s, out))
		return true;
	v = strtoll(s, &end, 10);
	if (end != s && !*end && v > 0 && end - s >= 9 && end - s <= 10) {
		*out = v;
		return true;
	}
	if (end != s && !*end && end - s == 13 && v > 0) {
		*out = v / 1000;
		return true;
	}
	return false;
}
