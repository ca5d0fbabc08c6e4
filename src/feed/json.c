/*
 * json.c — JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) with
 * jansson.
 */
#include "common.h"

#include <jansson.h>

#include "feed/internal.h"

/* The string member key of obj copied into the arena, or NULL. */
static const char *
get_str(struct arena *a, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		return arena_strndup(a, json_string_value(v),
				     json_string_length(v));
	return NULL;
}

static const char *
get_text(struct arena *a, json_t *obj, const char *key)
{
	const char *s = get_str(a, obj, key);

	return s ? feed_collapse_space(a, s, strlen(s)) : NULL;
}

static const char *
get_url(struct arena *a, json_t *obj, const char *key, const char *base)
{
	const char *s = get_str(a, obj, key);

	return s && *s ? feed_resolve(a, base, s) : NULL;
}

static int64_t
get_date(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	int64_t t;

	if (json_is_string(v) && !feed_date_parse(json_string_value(v), &t))
		return t;
	return 0;
}

/* JSON Feed 1.1 "authors" array, or 1.0 "author" object. */
static void
add_authors(struct feed *feed, struct feed_item *it, json_t *obj,
	    const char **first)
{
	json_t *authors = json_object_get(obj, "authors"), *a;
	size_t i;

	if (!json_is_array(authors)) {
		a = json_object_get(obj, "author");
		if (json_is_object(a)) {
			const char *name = get_text(&feed->arena, a, "name");

			if (name && *name) {
				if (it)
					feed_item_add_author(feed, it, name);
				else if (first && !*first)
					*first = name;
			}
		}
		return;
	}
	json_array_foreach(authors, i, a)
	{
		const char *name;

		if (!json_is_object(a))
			continue;
		name = get_text(&feed->arena, a, "name");
		if (!name || !*name)
			continue;
		if (it)
			feed_item_add_author(feed, it, name);
		else if (first && !*first)
			*first = name;
	}
}

static void
parse_item(struct feed *feed, json_t *obj, const char *base)
{
	struct arena *a = &feed->arena;
	struct feed_item *it;
	json_t *v, *e;
	const char *s;
	size_t i;

	i = feed_add_item(feed);
	it = &feed->items[i];
	v = json_object_get(obj, "id");
	if (json_is_string(v))
		it->guid = get_str(a, obj, "id");
	else if (json_is_integer(v))
		it->guid = arena_printf(a, "%" JSON_INTEGER_FORMAT,
					json_integer_value(v));
	it->link = get_url(a, obj, "url", base);
	if (!it->link)
		it->link = get_url(a, obj, "external_url", base);
	s = get_str(a, obj, "title");
	if (s)
		it->title = feed_html_to_text(a, s, strlen(s));
	s = get_str(a, obj, "content_html");
	if (s) {
		it->content =
			feed_resolve_html(a, s, it->link ? it->link : base);
	} else if ((s = get_str(a, obj, "content_text"))) {
		it->content = feed_text_to_html(a, s, strlen(s));
	}
	s = get_str(a, obj, "summary");
	if (s)
		it->summary = feed_text_to_html(a, s, strlen(s));
	it->image = get_url(a, obj, "image", base);
	if (!it->image)
		it->image = get_url(a, obj, "banner_image", base);
	it->published = get_date(obj, "date_published");
	it->updated = get_date(obj, "date_modified");
	it->language = get_text(a, obj, "language");
	add_authors(feed, it, obj, NULL);
	v = json_object_get(obj, "tags");
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
		{
			if (json_is_string(e))
				feed_item_add_category(
					feed, it,
					feed_collapse_space(
						a, json_string_value(e),
						json_string_length(e)));
		}
	}
	v = json_object_get(obj, "attachments");
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
		{
			struct feed_enclosure *enc;
			const char *url;
			json_t *size;

			if (!json_is_object(e))
				continue;
			url = get_url(a, e, "url", base);
			if (!url)
				continue;
			enc = feed_item_add_enclosure(feed, it);
			enc->url = url;
			enc->type = get_str(a, e, "mime_type");
			size = json_object_get(e, "size_in_bytes");
			if (json_is_integer(size) &&
			    json_integer_value(size) > 0)
				enc->length = json_integer_value(size);
		}
	}
	if (!it->author_count && feed->author)
		feed_item_add_author(feed, it, feed->author);
	if (!it->language)
		it->language = feed->language;
}

enum status
feed_parse_json(struct feed *feed, const char *data, size_t len,
		const char *url, const char **reason)
{
	struct arena *a = &feed->arena;
	json_error_t err;
	json_t *root, *items, *item;
	const char *version, *base;
	size_t i;
	enum status rc = ST_OK;

	root = json_loadb(data, len, JSON_DISABLE_EOF_CHECK, &err);
	if (!root) {
		*reason = "invalid JSON";
		return ST_PARSE;
	}
	if (!json_is_object(root)) {
		*reason = "not a JSON Feed: the document is not an object";
		rc = ST_PARSE;
		goto out;
	}
	version = json_string_value(json_object_get(root, "version"));
	items = json_object_get(root, "items");
	if (!version || strncmp(version, "https://jsonfeed.org/version/", 29)) {
		if (json_is_array(items)) {
			/* Some publishers write "1.0" or nothing at all. */
			feed->recovered = true;
			feed->error = "no jsonfeed.org version URL";
		} else {
			*reason = "not a JSON Feed: no jsonfeed.org version";
			rc = ST_PARSE;
			goto out;
		}
	}
	feed->format = version && strstr(version, "1.1") ? "json11" : "json10";
	feed->encoding = "utf-8";
	feed->title = get_str(a, root, "title");
	if (feed->title)
		feed->title =
			feed_html_to_text(a, feed->title, strlen(feed->title));
	feed->link = get_url(a, root, "home_page_url", url);
	base = url ? url : feed->link;
	feed->description = get_text(a, root, "description");
	feed->language = get_text(a, root, "language");
	feed->image = get_url(a, root, "icon", base);
	if (!feed->image)
		feed->image = get_url(a, root, "favicon", base);
	add_authors(feed, NULL, root, &feed->author);
	if (json_is_array(items)) {
		json_array_foreach(items, i, item)
		{
			if (feed->item_count >= FEED_MAX_ITEMS)
				break;
			if (json_is_object(item))
				parse_item(feed, item, base);
		}
	}
out:
	json_decref(root);
	return rc;
}
