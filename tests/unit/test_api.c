/*
 * test_api.c — integration tests of the JSON API v1 (read side) against the
 * fixture database: shapes, paywall fields, pagination, errors.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <jansson.h>

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

/* GETs path, checks status and JSON type, returns the parsed body. */
static json_t *
get_json(const char *path, long status)
{
	struct http_reply r;
	json_error_t err;
	json_t *root;
	char *type;

	http_get(&fx, path, NULL, false, &r);
	cr_assert_eq(r.status, status, "%s: %ld %s", path, r.status,
		     r.body.data);
	type = http_header(&r, "Content-Type");
	cr_assert_str_eq(type, "application/json", "%s", path);
	free(type);
	type = http_header(&r, "X-Content-Type-Options");
	cr_assert_str_eq(type, "nosniff");
	free(type);
	root = json_loads(r.body.data, 0, &err);
	cr_assert(root, "%s: bad JSON: %s", path, err.text);
	http_reply_release(&r);
	return root;
}

static void
assert_visitor_article(json_t *a)
{
	cr_assert(json_is_integer(json_object_get(a, "id")));
	cr_assert(json_is_string(json_object_get(a, "title")));
	cr_assert(json_is_string(json_object_get(a, "url")));
	cr_assert(json_is_string(json_object_get(a, "teaser_html")));
	cr_assert(json_is_null(json_object_get(a, "body_html")));
	cr_assert(json_is_false(json_object_get(a, "full")));
	cr_assert(json_is_string(json_object_get(a, "published_at")));
	cr_assert(json_is_object(json_object_get(a, "publisher")));
}

Test(api, articles_list_and_pagination, .init = setup, .fini = teardown)
{
	json_t *root = get_json("/api/v1/articles?limit=10", 200), *next_root;
	json_t *items = json_object_get(root, "articles");
	const char *cursor;
	char path[256];
	size_t i;

	cr_assert_eq(json_array_size(items), 10);
	for (i = 0; i < json_array_size(items); i++)
		assert_visitor_article(json_array_get(items, i));
	cursor = json_string_value(json_object_get(root, "next_cursor"));
	cr_assert(cursor);
	snprintf(path, sizeof(path), "/api/v1/articles?limit=10&cursor=%s",
		 cursor);
	next_root = get_json(path, 200);
	cr_assert_eq(json_array_size(json_object_get(next_root, "articles")),
		     10);
	cr_assert_neq(
		json_integer_value(
			json_object_get(json_array_get(items, 0), "id")),
		json_integer_value(json_object_get(
			json_array_get(json_object_get(next_root, "articles"),
				       0),
			"id")));
	json_decref(root);
	json_decref(next_root);

	root = get_json("/api/v1/articles?publisher=civic-wire", 200);
	items = json_object_get(root, "articles");
	cr_assert_eq(json_array_size(items), 1);
	cr_assert(json_is_null(json_object_get(root, "next_cursor")));
	json_decref(root);
	root = get_json("/api/v1/articles?topic=climate", 200);
	cr_assert_eq(json_array_size(json_object_get(root, "articles")), 2);
	json_decref(root);
}

Test(api, article_by_id, .init = setup, .fini = teardown)
{
	char path[64];
	json_t *root, *a;

	snprintf(path, sizeof(path), "/api/v1/articles/%" PRId64, fx.canary_id);
	root = get_json(path, 200);
	a = json_object_get(root, "article");
	assert_visitor_article(a);
	cr_assert_str_eq(json_string_value(json_object_get(a, "title")),
			 "Lighthouse keepers return to the northern coast");
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(a, "publisher"), "slug")),
			 "harbour-herald");
	cr_assert(strstr(json_string_value(json_object_get(a, "url")),
			 fx.canary_path));
	json_decref(root);
}

Test(api, publishers_topics_and_top_stories, .init = setup, .fini = teardown)
{
	json_t *root = get_json("/api/v1/publishers", 200), *l, *first;

	l = json_object_get(root, "publishers");
	cr_assert_eq(json_array_size(l), 4);
	cr_assert(
		json_is_string(json_object_get(json_array_get(l, 0), "slug")));
	cr_assert(json_is_integer(
		json_object_get(json_array_get(l, 0), "article_count")));
	json_decref(root);

	root = get_json("/api/v1/topics", 200);
	cr_assert_eq(json_array_size(json_object_get(root, "topics")), 3);
	json_decref(root);

	root = get_json("/api/v1/stories/top?limit=5", 200);
	l = json_object_get(root, "stories");
	cr_assert_gt(json_array_size(l), 0);
	first = json_array_get(l, 0);
	cr_assert_eq(json_integer_value(json_object_get(first, "id")),
		     fx.story_id);
	cr_assert_eq(
		json_integer_value(json_object_get(first, "publisher_count")),
		3);
	assert_visitor_article(json_object_get(first, "lead"));
	json_decref(root);
}

Test(api, search, .init = setup, .fini = teardown)
{
	json_t *root = get_json("/api/v1/search?q=glacier&limit=2", 200), *l;
	const char *snippet;
	char path[128];

	l = json_object_get(root, "results");
	cr_assert_eq(json_array_size(l), 2);
	assert_visitor_article(
		json_object_get(json_array_get(l, 0), "article"));
	snippet = json_string_value(
		json_object_get(json_array_get(l, 0), "snippet_html"));
	cr_assert(snippet);
	cr_assert_str_eq(
		json_string_value(json_object_get(root, "next_cursor")), "2");
	snprintf(path, sizeof(path),
		 "/api/v1/search?q=glacier&limit=2&"
		 "cursor=2");
	json_decref(root);
	root = get_json(path, 200);
	cr_assert_eq(json_array_size(json_object_get(root, "results")), 1);
	json_decref(root);

	root = get_json("/api/v1/search?q=" WF_BODY_WORD, 200);
	l = json_object_get(root, "results");
	cr_assert_eq(json_array_size(l), 1);
	json_decref(root);
}

Test(api, errors_are_json, .init = setup, .fini = teardown)
{
	static const struct {
		const char *path;
		long status;
		const char *code;
	} cases[] = {
		{"/api/v1/articles/999999", 404, "not_found"},
		{"/api/v1/articles/abc", 404, "not_found"},
		{"/api/v1/nothing", 404, "not_found"},
		{"/api/v2/articles", 404, "not_found"},
		{"/api/v1/articles?limit=0", 400, "bad_request"},
		{"/api/v1/articles?limit=1000", 400, "bad_request"},
		{"/api/v1/articles?limit=ten", 400, "bad_request"},
		{"/api/v1/articles?cursor=zzz", 400, "bad_request"},
		{"/api/v1/articles?publisher=nobody", 400, "bad_request"},
		{"/api/v1/articles?topic=nothing", 400, "bad_request"},
		{"/api/v1/search", 400, "bad_request"},
		{"/api/v1/search?q=%21", 400, "bad_request"},
		{"/api/v1/search?q=x&from=2026-99-01", 400, "bad_request"},
		{"/api/v1/search?q=x&cursor=-5", 400, "bad_request"},
		{"/api/v1/stories/top?limit=500", 400, "bad_request"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *root = get_json(cases[i].path, cases[i].status);
		json_t *err = json_object_get(root, "error");

		cr_assert(json_is_object(err), "%s", cases[i].path);
		cr_assert_str_eq(
			json_string_value(json_object_get(err, "code")),
			cases[i].code, "%s", cases[i].path);
		cr_assert(json_string_length(json_object_get(err, "message")) >
				  5,
			  "%s", cases[i].path);
		json_decref(root);
	}
	{
		struct http_reply r;

		http_request(&fx, "POST", "/api/v1/articles", NULL, false, &r);
		cr_assert_eq(r.status, 405);
		cr_assert(strstr(r.body.data, "method_not_allowed"));
		http_reply_release(&r);
	}
}
