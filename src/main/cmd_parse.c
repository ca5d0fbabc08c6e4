/*
 * cmd_parse.c — `newsstand parse FILE`: parse a saved feed and print the
 * model as JSON, for inspecting what the parser makes of a feed.
 */
#include "common.h"

#include <time.h>

#include "base/buf.h"
#include "base/fs.h"
#include "feed/feed.h"
#include "fetch/fetch.h"

int cmd_parse(int argc, char **argv);

static void
usage(FILE *out)
{
	fputs("usage: newsstand parse [--url BASE] [--content-type TYPE] "
	      "FILE|URL|-\n"
	      "\n"
	      "Parses an RSS, Atom or JSON Feed document and prints what was\n"
	      "read from it as JSON: format, title, link, language, whether\n"
	      "ill-formed input was recovered (and why), and the items.\n"
	      "\n"
	      "  FILE                  the feed document; - reads standard "
	      "input\n"
	      "  URL                   an http(s) URL, fetched with the "
	      "fetcher's limits\n"
	      "  --url BASE            the document's URL, the base for "
	      "relative links\n"
	      "  --content-type TYPE   the HTTP Content-Type it was served "
	      "with (its\n"
	      "                        charset overrides the XML "
	      "declaration)\n"
	      "  --help                this text\n"
	      "\n"
	      "Exit status: 0 parsed, 1 not parsed, 2 usage error.\n",
	      out);
}

static double
seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses the document rounds times and prints the throughput, by the wall
 * clock and by the process's CPU time (a busy machine slows the first). */
static int
bench(const struct buf *doc, const char *url, const char *content_type,
      long rounds)
{
	double start = seconds(CLOCK_MONOTONIC), secs, cpu;
	double cpu_start = seconds(CLOCK_PROCESS_CPUTIME_ID);
	size_t items = 0;
	long i;

	for (i = 0; i < rounds; i++) {
		struct feed *feed;

		if (feed_parse(doc->data, doc->len, url, content_type, &feed)) {
			fputs("newsstand parse: not parsed\n", stderr);
			return 1;
		}
		items += feed->item_count;
		feed_free(feed);
	}
	secs = MAX(seconds(CLOCK_MONOTONIC) - start, 1e-9);
	cpu = MAX(seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start, 1e-9);
	printf("%ld rounds of %zu bytes in %.3f s (%.3f s CPU): "
	       "%.1f MB/s, %.0f items/s; CPU time: %.1f MB/s, %.0f items/s\n",
	       rounds, doc->len, secs, cpu,
	       (double)doc->len * (double)rounds / secs / 1e6,
	       (double)items / secs,
	       (double)doc->len * (double)rounds / cpu / 1e6,
	       (double)items / cpu);
	return 0;
}

int
cmd_parse(int argc, char **argv)
{
	const char *url = NULL, *content_type = NULL, *path = NULL;
	const char *reason = NULL;
	struct buf doc = BUF_INIT, out = BUF_INIT;
	struct feed *feed = NULL;
	char *fetched_url = NULL, *fetched_type = NULL;
	long rounds = 0;
	FILE *in;
	int i, ret = 1;
	enum status rc;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(arg, "--url") && i + 1 < argc) {
			url = argv[++i];
		} else if (!strcmp(arg, "--content-type") && i + 1 < argc) {
			content_type = argv[++i];
		} else if (!strcmp(arg, "--bench") && i + 1 < argc) {
			rounds = strtol(argv[++i], NULL, 10);
			if (rounds <= 0) {
				fputs("newsstand parse: --bench needs a "
				      "positive count\n",
				      stderr);
				return 2;
			}
		} else if (arg[0] == '-' && arg[1]) {
			fprintf(stderr,
				"newsstand parse: unknown option '%s'\n", arg);
			usage(stderr);
			return 2;
		} else if (!path) {
			path = arg;
		} else {
			fputs("newsstand parse: one document at a time\n",
			      stderr);
			usage(stderr);
			return 2;
		}
	}
	if (!path) {
		usage(stderr);
		return 2;
	}
	buf_init(&doc, FEED_MAX_SIZE);
	if (!strncmp(path, "http://", 7) || !strncmp(path, "https://", 8)) {
		struct fetch_result res = {0};
		struct fetch_options opts = {
			.accept = "application/rss+xml, application/atom+xml, "
				  "application/feed+json, */*;q=0.5"};

		if (fetch_global_init())
			goto out;
		rc = fetch_one(path, &opts, &res);
		if (rc || !res.body) {
			fprintf(stderr, "newsstand parse: %s: %s\n", path,
				res.error ? res.error : status_str(rc));
			fetch_result_release(&res);
			fetch_global_cleanup();
			goto out;
		}
		buf_add(&doc, res.body, res.body_len);
		if (!url)
			url = fetched_url =
				xstrdup(res.final_url ? res.final_url : path);
		if (!content_type && res.content_type)
			content_type = fetched_type = xstrdup(res.content_type);
		fetch_result_release(&res);
		fetch_global_cleanup();
		if (doc.err) {
			fprintf(stderr,
				"newsstand parse: %s: larger than the "
				"size limit\n",
				path);
			goto out;
		}
	} else {
		in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
		if (!in) {
			fprintf(stderr, "newsstand parse: %s: %s\n", path,
				strerror(errno));
			goto out;
		}
		rc = fs_read_stream(in, &doc);
		if (in != stdin)
			fclose(in);
		if (rc) {
			fprintf(stderr, "newsstand parse: %s: %s\n", path,
				rc == ST_TOOBIG ? "larger than the size limit"
						: status_str(rc));
			goto out;
		}
	}
	if (rounds) {
		ret = bench(&doc, url, content_type, rounds);
		goto out;
	}
	rc = feed_parse_ex(doc.data, doc.len, url, content_type, &feed,
			   &reason);
	if (rc) {
		fprintf(stderr, "newsstand parse: %s: %s\n", path,
			reason ? reason : status_str(rc));
		goto out;
	}
	feed_to_json(feed, &out);
	buf_addc(&out, '\n');
	if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout)) {
		fprintf(stderr, "newsstand parse: writing: %s\n",
			strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(fetched_url);
	free(fetched_type);
	feed_free(feed);
	buf_release(&doc);
	buf_release(&out);
	return ret;
}
