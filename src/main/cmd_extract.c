/*
 * cmd_extract.c — `newsstand extract FILE`: extract the article of a saved
 * web page and print its text, its HTML or everything as JSON.
 *
 * The hidden `--bench DIR` extracts DIR/<page>/source.html for every page
 * folder of DIR (the layout of the Readability test corpus) and prints pages
 * per second and the median time per page, timing html_extract() alone.
 */
#include "common.h"

#include <dirent.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/fs.h"
#include "fetch/fetch.h"
#include "html/extract.h"

int cmd_extract(int argc, char **argv);

/* Pages larger than this are refused before parsing. */
#define EXTRACT_MAX_FILE ((size_t)64 << 20)

static void
usage(FILE *out)
{
	fputs("usage: newsstand extract [--url BASE] [--format "
	      "text|html|json]\n"
	      "                         [--body SELECTOR] [--remove SELECTORS] "
	      "FILE|URL|-\n"
	      "\n"
	      "Extracts the article of a saved web page: its body (found by\n"
	      "scoring blocks of text, then cleaned of navigation, share "
	      "bars,\n"
	      "comments and the like) and its metadata.\n"
	      "\n"
	      "  FILE               the page; - reads standard input\n"
	      "  --url BASE         the page's address, the base for relative "
	      "links\n"
	      "  --format FORMAT    text (the default: the article's text, "
	      "one\n"
	      "                     block a line), html (its body, not "
	      "sanitised)\n"
	      "                     or json (title, byline, published, "
	      "site_name,\n"
	      "                     lang, lead_image, excerpt, text, html)\n"
	      "  --body SELECTOR    take the body from the elements matching "
	      "SELECTOR\n"
	      "  --remove SELECTORS remove the elements matching SELECTORS "
	      "first\n"
	      "  --help             this text\n"
	      "\n"
	      "Selectors: tag, .class, #id, tag.class, [attr], [attr=value],\n"
	      "descendants (\"article .body\") and lists (\"aside, .share\").\n"
	      "\n"
	      "Exit status: 0 extracted, 1 failed, 2 usage error.\n",
	      out);
}

/* Fetches a page with the fetcher's limits and address guard. */
static enum status
read_url(const char *url, struct buf *out, char **final_url)
{
	struct fetch_options opts = {.accept = "text/html,*/*;q=0.5"};
	struct fetch_result res = {0};
	enum status rc;

	rc = fetch_global_init();
	if (rc)
		return rc;
	rc = fetch_one(url, &opts, &res);
	if (rc || !res.body) {
		fprintf(stderr, "newsstand extract: %s: %s\n", url,
			res.error ? res.error : status_str(rc));
		rc = rc ? rc : ST_NET;
	} else {
		buf_add(out, res.body, res.body_len);
		*final_url = xstrdup(res.final_url ? res.final_url : url);
		rc = out->err;
		if (rc)
			fprintf(stderr,
				"newsstand extract: %s: larger than the "
				"size limit\n",
				url);
	}
	fetch_result_release(&res);
	fetch_global_cleanup();
	return rc;
}

static void
add_json_field(struct buf *out, const char *name, const char *value, bool last)
{
	buf_addf(out, "  \"%s\": ", name);
	if (value)
		buf_add_json_str(out, value, strlen(value));
	else
		buf_adds(out, "null");
	buf_adds(out, last ? "\n" : ",\n");
}

static void
result_json(const struct extract_result *r, struct buf *out)
{
	char date[32];

	buf_adds(out, "{\n");
	add_json_field(out, "title", r->title, false);
	add_json_field(out, "byline", r->byline, false);
	if (r->published)
		clock_format_rfc3339(r->published, date, sizeof(date));
	add_json_field(out, "published", r->published ? date : NULL, false);
	add_json_field(out, "site_name", r->site_name, false);
	add_json_field(out, "lang", r->lang, false);
	add_json_field(out, "lead_image", r->lead_image, false);
	add_json_field(out, "excerpt", r->excerpt, false);
	add_json_field(out, "text", r->text, false);
	add_json_field(out, "html", r->html, true);
	buf_adds(out, "}\n");
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Extracts every DIR/<page>/source.html rounds times; prints the speed. */
static int
bench(const char *dir, long rounds)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	double *times = NULL, total = 0;
	size_t n = 0, i, bytes = 0, pages = 0;
	struct buf path = BUF_INIT, doc = BUF_INIT;
	int ret = 1;
	long k;

	if (!dp) {
		fprintf(stderr, "newsstand extract: %s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	times = xcalloc(n ? n : 1, sizeof(*times));
	for (i = 0; i < n; i++) {
		double best = 0;

		buf_reset(&path);
		buf_addf(&path, "%s/%s/source.html", dir, names[i]);
		buf_reset(&doc);
		if (fs_read_file(path.data, &doc))
			continue;
		for (k = 0; k < rounds; k++) {
			struct extract_result *r = NULL;
			double t0 = now_ms(), t;

			if (html_extract(doc.data, doc.len, NULL, NULL, &r)) {
				fprintf(stderr,
					"newsstand extract: %s: failed\n",
					path.data);
				goto out;
			}
			t = now_ms() - t0;
			extract_result_free(r);
			total += t;
			if (k == 0 || t < best)
				best = t;
		}
		times[pages++] = best;
		bytes += doc.len;
	}
	if (!pages) {
		fprintf(stderr, "newsstand extract: %s: no pages\n", dir);
		goto out;
	}
	qsort(times, pages, sizeof(*times), cmp_double);
	printf("pages %zu  bytes %zu  rounds %ld\n", pages, bytes, rounds);
	printf("total %.1f ms  pages/s %.1f  median %.3f ms  p90 %.3f ms  "
	       "max %.3f ms\n",
	       total, (double)(pages * (size_t)rounds) / (total / 1e3),
	       times[pages / 2], times[pages * 9 / 10], times[pages - 1]);
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(times);
	buf_release(&path);
	buf_release(&doc);
	return ret;
}

int
cmd_extract(int argc, char **argv)
{
	struct extract_options opt = {0};
	struct extract_result *r = NULL;
	const char *url = NULL, *path = NULL, *format = "text";
	const char *bench_dir = NULL;
	struct buf doc = BUF_INIT, out = BUF_INIT;
	char *fetched_url = NULL;
	long rounds = 1;
	int i, ret = 1;
	enum status rc;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(arg, "--url") && i + 1 < argc) {
			url = argv[++i];
		} else if (!strcmp(arg, "--format") && i + 1 < argc) {
			format = argv[++i];
		} else if (!strcmp(arg, "--body") && i + 1 < argc) {
			opt.body_selector = argv[++i];
		} else if (!strcmp(arg, "--remove") && i + 1 < argc) {
			opt.remove_selectors = argv[++i];
		} else if (!strcmp(arg, "--bench") && i + 1 < argc) {
			bench_dir = argv[++i];
		} else if (!strcmp(arg, "--rounds") && i + 1 < argc) {
			rounds = strtol(argv[++i], NULL, 10);
			if (rounds <= 0) {
				fputs("newsstand extract: --rounds needs a "
				      "positive count\n",
				      stderr);
				return 2;
			}
		} else if (arg[0] == '-' && arg[1]) {
			fprintf(stderr,
				"newsstand extract: unknown option '%s'\n",
				arg);
			usage(stderr);
			return 2;
		} else if (!path) {
			path = arg;
		} else {
			fputs("newsstand extract: one page at a time\n",
			      stderr);
			usage(stderr);
			return 2;
		}
	}
	if (bench_dir)
		return bench(bench_dir, rounds);
	if (!path) {
		usage(stderr);
		return 2;
	}
	if (strcmp(format, "text") && strcmp(format, "html") &&
	    strcmp(format, "json")) {
		fprintf(stderr,
			"newsstand extract: --format is text, html or json, "
			"not '%s'\n",
			format);
		return 2;
	}
	buf_init(&doc, EXTRACT_MAX_FILE);
	if (!strncmp(path, "http://", 7) || !strncmp(path, "https://", 8)) {
		rc = read_url(path, &doc, &fetched_url);
		if (rc)
			goto out;
		if (!url)
			url = fetched_url;
	} else {
		rc = fs_read_file(path, &doc);
		if (rc) {
			fprintf(stderr, "newsstand extract: %s: %s\n", path,
				rc == ST_TOOBIG ? "larger than the size limit"
				: rc == ST_IO	? strerror(errno)
						: status_str(rc));
			goto out;
		}
	}
	rc = html_extract(doc.data, doc.len, url, &opt, &r);
	if (rc == ST_INVAL) {
		fputs("newsstand extract: bad selector in --body or "
		      "--remove\n",
		      stderr);
		ret = 2;
		goto out;
	}
	if (rc) {
		fprintf(stderr, "newsstand extract: %s: %s\n", path,
			status_str(rc));
		goto out;
	}
	if (!strcmp(format, "json"))
		result_json(r, &out);
	else {
		buf_adds(&out, !strcmp(format, "html") ? r->html : r->text);
		if (out.len && out.data[out.len - 1] != '\n')
			buf_addc(&out, '\n');
	}
	if (out.err || fwrite(out.data, 1, out.len, stdout) != out.len ||
	    fflush(stdout)) {
		fprintf(stderr, "newsstand extract: writing: %s\n",
			strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(fetched_url);
	extract_result_free(r);
	buf_release(&doc);
	buf_release(&out);
	return ret;
}
