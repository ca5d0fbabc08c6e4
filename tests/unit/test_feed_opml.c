#include "common.h"

#include <criterion/criterion.h>

#include "base/buf.h"
#include "feed/opml.h"

static char *
read_path(const char *dir, const char *name, size_t *len)
{
	const char *root = getenv("NEWSSTAND_SRC");
	struct buf path = BUF_INIT, data = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f;

	buf_addf(&path, "%s/%s/%s", root ? root : ".", dir, name);
	f = fopen(path.data, "rb");
	buf_release(&path);
	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&data, chunk, n);
	fclose(f);
	return buf_detach(&data, len);
}

static bool
has_category(const struct opml_outline *o, const char *c)
{
	size_t i;

	for (i = 0; i < o->category_count; i++)
		if (!strcmp(o->categories[i], c))
			return true;
	return false;
}

Test(opml, duplicates_and_folders)
{
	size_t len;
	char *doc = read_path("tests/data/feed", "opml-duplicates.opml", &len);
	struct opml *o = NULL;

	cr_assert_not_null(doc);
	cr_assert_eq(opml_parse(doc, len, &o, NULL), ST_OK);
	cr_assert_str_eq(o->title, "Dupes & folders");
	cr_assert_eq(o->outline_count, 2);
	cr_assert_str_eq(o->outlines[0].title, "World");
	cr_assert_str_eq(o->outlines[0].html_url, "https://a.example/");
	cr_assert(has_category(&o->outlines[0], "News"));
	cr_assert(has_category(&o->outlines[0], "Favourites"));
	/* No title or text: the URL stands in. */
	cr_assert_str_eq(o->outlines[1].title, "https://b.example/rss");
	opml_free(o);
	free(doc);
}

Test(opml, newsboat_samples)
{
	static const struct {
		const char *file;
		enum status rc;
		size_t count;
	} cases[] = {
		{"example.opml", ST_OK, 0},
		{"example2.opml", ST_OK, 0},
		{"category.opml", ST_OK, 1},
		{"filtered.opml", ST_OK, 2},
		{"piped.opml", ST_OK, 2},
		{"test-urls+.opml", ST_OK, 0},
		{"body-element-missing.opml", ST_PARSE, 0},
		{"opml-element-missing.opml", ST_PARSE, 0},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t len;
		char *doc = read_path("../shared/corpora/newsboat/test/data",
				      cases[i].file, &len);
		struct opml *o = NULL;
		const char *reason = NULL;

		if (!doc)
			cr_skip_test("newsboat corpus not found "
				     "(../shared/corpora)");
		cr_expect_eq(opml_parse(doc, len, &o, &reason), cases[i].rc,
			     "%s", cases[i].file);
		if (cases[i].rc) {
			cr_expect_not_null(reason, "%s", cases[i].file);
		} else {
			cr_expect_gt(o->outline_count, 0, "%s", cases[i].file);
			if (cases[i].count)
				cr_expect_eq(o->outline_count, cases[i].count,
					     "%s", cases[i].file);
		}
		if (!strcmp(cases[i].file, "category.opml") && o) {
			cr_expect(has_category(&o->outlines[0], "tag one"));
			cr_expect(has_category(&o->outlines[0], "tag/three"));
		}
		opml_free(o);
		free(doc);
	}
}

Test(opml, round_trip)
{
	size_t len, i, j;
	char *doc = read_path("tests/data/feed", "opml-duplicates.opml", &len);
	struct opml *a = NULL, *b = NULL;
	struct buf out = BUF_INIT;

	cr_assert_eq(opml_parse(doc, len, &a, NULL), ST_OK);
	opml_write(a->outlines, a->outline_count, a->title, &out);
	cr_assert_eq(opml_parse(out.data, out.len, &b, NULL), ST_OK, "%s",
		     out.data);
	cr_assert_str_eq(b->title, a->title);
	cr_assert_eq(b->outline_count, a->outline_count);
	for (i = 0; i < a->outline_count; i++) {
		const struct opml_outline *x = &a->outlines[i];
		const struct opml_outline *y = &b->outlines[i];

		cr_expect_str_eq(x->title, y->title);
		cr_expect_str_eq(x->xml_url, y->xml_url);
		cr_expect_eq(!x->html_url, !y->html_url);
		cr_expect_eq(x->category_count, y->category_count);
		for (j = 0; j < x->category_count; j++)
			cr_expect_str_eq(x->categories[j], y->categories[j]);
	}
	opml_free(a);
	opml_free(b);
	buf_release(&out);
	free(doc);
}

Test(opml, refuses_hostile_and_broken)
{
	static const char *const docs[] = {
		"",
		"not xml at all",
		"<html><body/></html>",
		"<?xml version=\"1.0\"?><!DOCTYPE opml [<!ENTITY a \"aaaa\">"
		"<!ENTITY b \"&a;&a;&a;&a;\">]><opml><body><outline "
		"title=\"&b;\" xmlUrl=\"http://x/\"/></body></opml>",
		"<?xml version=\"1.0\"?><!DOCTYPE opml [<!ENTITY x SYSTEM "
		"\"file:///etc/passwd\">]><opml><body><outline title=\"&x;\" "
		"xmlUrl=\"http://x/\"/></body></opml>",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(docs); i++) {
		struct opml *o = NULL;
		const char *reason = NULL;

		cr_expect_neq(opml_parse(docs[i], strlen(docs[i]), &o, &reason),
			      ST_OK, "doc %zu", i);
		cr_expect_not_null(reason, "doc %zu", i);
		cr_assert_null(o);
	}
}
