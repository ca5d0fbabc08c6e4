/*
 * test_extract_corpus.c — acceptance of the article extractor over Mozilla
 * Readability's 130 test pages (../shared/corpora/readability/test/
 * test-pages/<page>/: source.html, expected.txt, expected-metadata.json).
 *
 * Text: tokens are maximal runs of Unicode letters and digits, lower-cased
 * (UTF-8 decoded with mbrtowc in the C.UTF-8 locale, classified with
 * iswalnum); precision and recall are over the multisets of tokens of our
 * text and of expected.txt; the mean F1 over the pages must reach 0.95.
 *
 * Title: equal to the expected title on at least 90% of the pages. Byline:
 * equal on at least 80% of the pages whose expected byline is not null.
 * Equality is after trimming and collapsing runs of white space to one
 * space, a missing value being the empty string; for bylines a leading
 * "By " / "By: " (any case) is dropped on both sides too, since we clean it
 * and Readability keeps it.
 *
 * The figures and the ten worst pages are printed on standard error.
 */
#include "common.h"

#include <ctype.h>

#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <locale.h>
#include <strings.h>
#include <wchar.h>
#include <wctype.h>

#include "base/buf.h"
#include "html/extract.h"

#define CORPUS "/../shared/corpora/readability/test/test-pages"

static char *
corpus_dir(void)
{
	const char *root = getenv("NEWSSTAND_SRC");
	char path[4096];

	snprintf(path, sizeof(path), "%s" CORPUS, root ? root : ".");
	return xstrdup(path);
}

static bool
read_whole(const char *path, struct buf *out)
{
	FILE *fp = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!fp)
		return false;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(out, chunk, n);
	fclose(fp);
	return !out->err;
}

/* Splits s into lower-cased tokens, NUL separated in out; returns count. */
static size_t
tokenize(const char *s, struct buf *out)
{
	mbstate_t st;
	size_t len = strlen(s), count = 0;
	bool in_token = false;

	memset(&st, 0, sizeof(st));
	while (len > 0) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, len, &st);

		if (k == (size_t)-1 || k == (size_t)-2) {
			/* Invalid UTF-8: a separator; resynchronise. */
			memset(&st, 0, sizeof(st));
			k = 1;
			wc = L' ';
		} else if (k == 0) {
			break;
		}
		if (iswalnum((wint_t)wc)) {
			char mb[MB_LEN_MAX];
			mbstate_t ost;
			size_t w;

			memset(&ost, 0, sizeof(ost));
			w = wcrtomb(mb, (wchar_t)towlower((wint_t)wc), &ost);
			if (w != (size_t)-1)
				buf_add(out, mb, w);
			in_token = true;
		} else if (in_token) {
			buf_addc(out, '\0');
			in_token = false;
			count++;
		}
		s += k;
		len -= k;
	}
	if (in_token) {
		buf_addc(out, '\0');
		count++;
	}
	return count;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char **
token_array(const struct buf *b, size_t count)
{
	const char **v = xcalloc(count ? count : 1, sizeof(*v));
	const char *p = b->data;
	size_t i;

	for (i = 0; i < count; i++) {
		v[i] = p;
		p += strlen(p) + 1;
	}
	qsort(v, count, sizeof(*v), cmp_str);
	return v;
}

struct score {
	double precision; /* shared tokens / our tokens */
	double recall;	  /* shared tokens / expected tokens */
	double f1;	  /* their harmonic mean */
};

static struct score
token_f1(const char *ours, const char *expected)
{
	struct buf ba = BUF_INIT, bb = BUF_INIT;
	size_t na = tokenize(ours, &ba), nb = tokenize(expected, &bb);
	const char **a = token_array(&ba, na), **b = token_array(&bb, nb);
	size_t i = 0, j = 0, shared = 0;
	struct score s = {0, 0, 0};

	while (i < na && j < nb) {
		int c = strcmp(a[i], b[j]);

		if (c == 0) {
			shared++;
			i++;
			j++;
		} else if (c < 0)
			i++;
		else
			j++;
	}
	if (na == 0 && nb == 0) {
		s.precision = s.recall = s.f1 = 1;
	} else if (shared > 0) {
		s.precision = (double)shared / (double)na;
		s.recall = (double)shared / (double)nb;
		s.f1 = 2 * s.precision * s.recall / (s.precision + s.recall);
	}
	free(a);
	free(b);
	buf_release(&ba);
	buf_release(&bb);
	return s;
}

/* Trimmed, white space collapsed, and for bylines without "By ". */
static char *
normalise(const char *s, bool byline)
{
	struct buf b = BUF_INIT;
	bool space = false;

	if (!s)
		return NULL;
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
	if (byline) {
		size_t skip = 0;

		if (!strncasecmp(b.data, "by ", 3))
			skip = 3;
		else if (!strncasecmp(b.data, "by: ", 4))
			skip = 4;
		if (skip) {
			char *t = xstrdup(b.data + skip);

			buf_release(&b);
			return t;
		}
	}
	return buf_detach(&b, NULL);
}

static bool
same(const char *ours, const char *expected, bool byline)
{
	char *a = normalise(ours ? ours : "", byline);
	char *b = normalise(expected ? expected : "", byline);
	bool eq = !strcmp(a, b);

	free(a);
	free(b);
	return eq;
}

struct page_result {
	char name[128];	   /* the page folder */
	struct score text; /* token scores */
	bool title_ok;	   /* title matched */
	int byline_ok;	   /* 1 matched, 0 not, -1 no expected byline */
	char *title;	   /* ours, for the report */
	char *want_title;  /* expected */
};

static int
cmp_f1(const void *a, const void *b)
{
	const struct page_result *x = a, *y = b;

	return x->text.f1 < y->text.f1 ? -1 : x->text.f1 > y->text.f1;
}

static int
cmp_dirent(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
run_page(const char *dir, const char *name, struct page_result *pr)
{
	struct buf path = BUF_INIT, src = BUF_INIT, exp = BUF_INIT;
	struct extract_result *r = NULL;
	json_t *meta = NULL;
	const char *want;
	bool ok = false;

	memset(pr, 0, sizeof(*pr));
	snprintf(pr->name, sizeof(pr->name), "%s", name);
	buf_addf(&path, "%s/%s/source.html", dir, name);
	if (!read_whole(path.data, &src))
		goto out;
	buf_reset(&path);
	buf_addf(&path, "%s/%s/expected.txt", dir, name);
	if (!read_whole(path.data, &exp))
		goto out;
	buf_reset(&path);
	buf_addf(&path, "%s/%s/expected-metadata.json", dir, name);
	meta = json_load_file(path.data, 0, NULL);
	if (!meta)
		goto out;
	cr_assert_eq(html_extract(src.data, src.len, NULL, NULL, &r), ST_OK,
		     "%s: extraction failed", name);
	pr->text = token_f1(r->text, exp.data);
	want = json_string_value(json_object_get(meta, "title"));
	pr->title_ok = same(r->title, want, false);
	pr->title = r->title ? xstrdup(r->title) : NULL;
	pr->want_title = want ? xstrdup(want) : NULL;
	want = json_string_value(json_object_get(meta, "byline"));
	pr->byline_ok = want ? same(r->byline, want, true) : -1;
	ok = true;
out:
	extract_result_free(r);
	json_decref(meta);
	buf_release(&path);
	buf_release(&src);
	buf_release(&exp);
	return ok;
}

Test(extract_corpus, readability_pages, .timeout = 600)
{
	char *dir = corpus_dir();
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	struct page_result *res;
	size_t n = 0, i, pages = 0, titles = 0, bylines = 0, bylines_ok = 0;
	double f1 = 0, title_rate, byline_rate;

	if (!dp) {
		free(dir);
		cr_skip_test(
			"Readability corpus not found (../shared/corpora/"
			"readability); set NEWSSTAND_SRC to the repo root");
	}
	cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"),
			   "the C.UTF-8 locale is needed to tokenise");
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	qsort(names, n, sizeof(*names), cmp_dirent);
	res = xcalloc(n ? n : 1, sizeof(*res));
	for (i = 0; i < n; i++) {
		struct page_result *pr = &res[pages];

		if (!run_page(dir, names[i], pr))
			continue;
		pages++;
		f1 += pr->text.f1;
		titles += pr->title_ok;
		if (pr->byline_ok >= 0) {
			bylines++;
			bylines_ok += (size_t)pr->byline_ok;
		}
	}
	cr_assert_gt(pages, 100, "only %zu pages read from %s", pages, dir);
	f1 /= (double)pages;
	title_rate = (double)titles / (double)pages;
	byline_rate = bylines ? (double)bylines_ok / (double)bylines : 1;
	fprintf(stderr,
		"extract corpus: %zu pages, mean F1 %.4f, titles %zu/%zu "
		"(%.1f%%), bylines %zu/%zu (%.1f%%)\n",
		pages, f1, titles, pages, 100 * title_rate, bylines_ok, bylines,
		100 * byline_rate);
	for (i = 0; i < pages; i++)
		if (!res[i].title_ok)
			fprintf(stderr, "  title %s: \"%s\" want \"%s\"\n",
				res[i].name, res[i].title ? res[i].title : "",
				res[i].want_title ? res[i].want_title : "");
	qsort(res, pages, sizeof(*res), cmp_f1);
	fprintf(stderr, "worst pages (F1, precision, recall):\n");
	for (i = 0; i < pages && i < 10; i++)
		fprintf(stderr, "  %-40s %.3f %.3f %.3f\n", res[i].name,
			res[i].text.f1, res[i].text.precision,
			res[i].text.recall);
	for (i = 0; i < n; i++)
		free(names[i]);
	for (i = 0; i < pages; i++) {
		free(res[i].title);
		free(res[i].want_title);
	}
	free(names);
	free(res);
	free(dir);
	cr_expect_geq(f1, 0.95, "mean F1 %.4f below 0.95", f1);
	cr_expect_geq(title_rate, 0.90, "titles %.3f below 0.90", title_rate);
	cr_expect_geq(byline_rate, 0.80, "bylines %.3f below 0.80",
		      byline_rate);
}
