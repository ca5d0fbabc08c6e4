#include "common.h"

#include "base/url.h"
#include "html/dom.h"
#include "html/links.h"

static bool
is_feed_type(const char *type)
{
	static const char *const types[] = {
		"application/rss+xml",	 "application/atom+xml",
		"application/feed+json", "application/json",
		"application/rdf+xml",	 "text/xml",
	};
	size_t i;

	for (i = 0; type && i < ARRAY_SIZE(types); i++)
		if (!strncasecmp(type, types[i], strlen(types[i])))
			return true;
	return false;
}

/* rel is a space-separated list; is "alternate" in it? */
static bool
rel_has_alternate(const char *rel)
{
	const char *p = rel;

	while (p && *p) {
		size_t n;

		p += strspn(p, " \t\n\r\f");
		n = strcspn(p, " \t\n\r\f");
		if (n == 9 && !strncasecmp(p, "alternate", 9))
			return true;
		p += n;
	}
	return false;
}

void
feed_links_free(struct feed_link *links, size_t count)
{
	size_t i;

	for (i = 0; links && i < count; i++) {
		free(links[i].url);
		free(links[i].type);
		free(links[i].title);
	}
	free(links);
}

enum status
html_feed_links(const char *html, size_t len, const char *base_url,
		struct feed_link **out, size_t *count)
{
	struct dom d = {0};
	struct dom_walk w;
	const GumboNode *node;
	struct feed_link *links = NULL;
	size_t n = 0, i;
	bool leaving;
	enum status rc;

	rc = dom_parse(&d, html, len, NULL, false);
	if (rc)
		return rc;
	dom_walk_init(&w, d.root);
	while (dom_walk_next(&w, &node, &leaving)) {
		const char *href, *type;
		char *url;
		bool seen = false;

		if (leaving || !dom_is(node, GUMBO_TAG_LINK))
			continue;
		href = dom_attr(node, "href");
		type = dom_attr(node, "type");
		if (!href || !rel_has_alternate(dom_attr(node, "rel")) ||
		    !is_feed_type(type))
			continue;
		url = url_resolve(base_url, href);
		if (!url || !url_is_http(url)) {
			free(url);
			continue;
		}
		for (i = 0; i < n; i++)
			seen = seen || !strcmp(links[i].url, url);
		if (seen) {
			free(url);
			continue;
		}
		links = xreallocarray(links, n + 1, sizeof(*links));
		links[n].url = url;
		links[n].type = xstrdup(type);
		links[n].title = dom_attr(node, "title")
					 ? xstrdup(dom_attr(node, "title"))
					 : NULL;
		n++;
	}
	dom_walk_release(&w);
	dom_release(&d);
	*out = links;
	*count = n;
	return ST_OK;
}
