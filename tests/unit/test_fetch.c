#include "common.h"

#include <criterion/criterion.h>
#include <sys/resource.h>
#include <zlib.h>

#include "base/clock.h"
#include "base/config.h"
#include "fetch/fetch.h"
#include "support/fixture_server.h"
#include "support/testutil.h"

#define MiB (1024UL * 1024)

static struct fixture_server *srv;

static void
set(const char *name, const char *value)
{
	cr_assert_eq(config_set(name, value, "test"), ST_OK, "%s=%s", name,
		     value);
}

static void
setup(void)
{
	config_defaults();
	set("fetch_timeout", "3");
	set("fetch_connect_timeout", "2");
	set("fetch_allow", "127.0.0.1");
	cr_assert_eq(fetch_global_init(), ST_OK);
	srv = NULL;
}

static void
teardown(void)
{
	fixture_server_stop(srv);
	clock_set(0);
	fetch_global_cleanup();
	config_free();
}

TestSuite(fetch, .init = setup, .fini = teardown);

/* Fetches path of the fixture server with fetch_one(). */
static enum status
get(const char *path, const struct fetch_options *opts,
    struct fetch_result *out)
{
	char *url = fixture_server_url(srv, path);
	enum status rc = fetch_one(url, opts, out);

	free(url);
	return rc;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t len = s ? strlen(s) : 0, n = strlen(suffix);

	return len >= n && !strcmp(s + len - n, suffix);
}

Test(fetch, plain_response_and_its_headers)
{
	static const struct fixture_route routes[] = {
		{.path = "/feed.xml",
		 .body = "<rss version=\"2.0\"/>",
		 .content_type = "application/rss+xml",
		 .etag = "\"v1\"",
		 .last_modified = "Wed, 25 Nov 2026 10:00:00 GMT"},
	};
	struct fetch_result res;

	srv = fixture_server_start(routes, ARRAY_SIZE(routes));
	cr_assert_eq(get("/feed.xml", NULL, &res), ST_OK, "%s", res.error);
	cr_assert_eq(res.http_status, 200);
	cr_assert_null(res.error);
	cr_assert_str_eq(res.body, "<rss version=\"2.0\"/>");
	cr_assert_eq(res.body_len, strlen(res.body));
	cr_assert_str_eq(res.content_type, "application/rss+xml");
	cr_assert_str_eq(res.etag, "\"v1\"");
	cr_assert_str_eq(res.last_modified, "Wed, 25 Nov 2026 10:00:00 GMT");
	cr_assert(ends_with(res.final_url, "/feed.xml"));
	cr_assert_not(res.not_modified);
	cr_assert_not(res.permanent_redirect);
	cr_assert_eq(res.redirects, 0);
	cr_assert_lt(res.seconds, 2.0);
	fetch_result_release(&res);
	cr_assert_null(res.body);
}

Test(fetch, request_headers_sent)
{
	static const struct fixture_route routes[] = {
		{.path = "/echo", .kind = FIXTURE_ECHO},
	};
	struct fetch_options opts = {.etag = "\"abc\"",
				     .last_modified =
					     "Tue, 24 Nov 2026 08:00:00 GMT",
				     .accept = "application/atom+xml"};
	struct fetch_result res;

	srv = fixture_server_start(routes, ARRAY_SIZE(routes));
	cr_assert_eq(get("/echo", &opts, &res), ST_OK, "%s", res.error);
	cr_assert(strstr(res.body, "User-Agent: newsstand/"), "%s", res.body);
	cr_assert(strstr(res.body, "Accept-Encoding: "), "%s", res.body);
	cr_assert(strstr(res.body, "gzip"), "%s", res.body);
	cr_assert(strstr(res.body, "If-None-Match: \"abc\"\r\n"));
	cr_assert(strstr(res.body, "If-Modified-Since: Tue, 24 Nov 2026 "
				   "08:00:00 GMT\r\n"));
	cr_assert(strstr(res.body, "Accept: application/atom+xml\r\n"));
	fetch_result_release(&res);

	/* A header value that would split the request is refused. */
	opts.etag = "\"x\"\r\nX-Evil: 1";
	cr_assert_eq(get("/echo", &opts, &res), ST_INVAL);
	cr_assert_str_eq(res.error, "bad If-None-Match value");
	fetch_result_release(&res);
	cr_assert_eq(fixture_server_requests(srv, "/echo"), 1);
}

Test(fetch, gzip_body_is_decoded)
{
	static const char text[] = "<feed>hello hello hello hello</feed>";
	static const struct fixture_route routes[] = {
		{.path = "/z", .kind = FIXTURE_GZIP, .body = text},
	};
	struct fetch_result res;

	srv = fixture_server_start(routes, ARRAY_SIZE(routes));
	cr_assert_eq(get("/z", NULL, &res), ST_OK, "%s", res.error);
	cr_assert_str_eq(res.body, text);
	fetch_result_release(&res);
}

/* Acceptance 6, fetch side: a conditional GET gets 304 → not_modified. */
Test(fetch, conditional_get_not_modified)
{
	static const struct fixture_route routes[] = {
		{.path = "/feed",
		 .body = "<rss/>",
		 .etag = "\"rev-7\"",
		 .last_modified = "Mon, 23 Nov 2026 12:00:00 GMT"},
	};
	struct fetch_options opts = {0};
	struct fetch_result first, res;

	srv = fixture_server_start(routes, ARRAY_SIZE(routes));
	cr_assert_eq(get("/feed", NULL, &first), ST_OK);
	cr_assert_eq(first.http_status, 200);

	opts.etag = first.etag;
	cr_assert_eq(get("/feed", &opts, &res), ST_OK, "%s", res.error);
	cr_assert_eq(res.http_status, 304);
	cr_assert(res.not_modified);
	cr_assert_null(res.body);
	cr_assert_null(res.error);
	fetch_result_release(&res);

	opts.etag = NULL;
	opts.last_modified = first.last_modified;
	cr_assert_eq(get("/feed", &opts, &res), ST_OK, "%s", res.error);
	cr_assert(res.not_modified);
	fetch_result_release(&res);

	opts.etag = "\"rev-6\"";
	opts.last_modified = NULL;
	cr_assert_eq(get("/feed", &opts, &res), ST_OK, "%s", res.error);
	cr_assert_not(res.not_modified);
	cr_assert_str_eq(res.body, "<rss/>");
	fetch_result_release(&res);
	fetch_result_release(&first);
	cr_assert_eq(fixture_server_requests(srv, "/feed"), 4);
}

/* Acceptance 6, fetch side: permanent redirects are reported. */
Test(fetch, redirects_permanent_and_temporary)
{
	/* clang-format off */
	static const struct fixture_route routes[] = {
		{ .path = "/final", .body = "here" },
		{ .path = "/p301", .kind = FIXTURE_REDIRECT, .status = 301,
		  .location = "/final" },
		{ .path = "/p308", .kind = FIXTURE_REDIRECT, .status = 308,
		  .location = "/final" },
		{ .path = "/t302", .kind = FIXTURE_REDIRECT, .status = 302,
		  .location = "/final" },
		{ .path = "/t307", .kind = FIXTURE_REDIRECT, .status = 307,
		  .location = "/final" },
		{ .path = "/p-then-t", .kind = FIXTURE_REDIRECT, .status = 301,
		  .location = "/t302" },
		{ .path = "/t-then-p", .kind = FIXTURE_REDIRECT, .status = 302,
		  .location = "/p301" },
		{ .path = "/p-then-p", .kind = FIXTURE_REDIRECT, .status = 301,
		  .location = "/p308" },
	};
	static const struct {
		const char *path;
		bool permanent;
		const char *permanent_to;	/* suffix of permanent_url */
		int redirects;
	} cases[] = {
		{ "/p301", true, "/final", 1 },
		{ "/p308", true, "/final", 1 },
		{ "/t302", false, NULL, 1 },
		{ "/t307", false, NULL, 1 },
		{ "/p-then-t", true, "/t302", 2 },
		{ "/t-then-p", false, NULL, 2 },
		{ "/p-then-p", true, "/final", 2 },
	};
	/* clang-format on */
	size_t i;

	srv = fixture_server_start(routes, ARRAY_SIZE(routes));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fetch_result res;

		cr_assert_eq(get(cases[i].path, NULL, &res), ST_OK, "%s: %s",
			     cases[i].path, res.error);
		cr_assert_str_eq(res.body, "here");
		cr_assert(ends_with(res.final_url, "/final"), "%s",
			  res.final_url);
		cr_assert_eq(res.permanent_redirect, cases[i].permanent, "%s",
			     cases[i].path);
		cr_assert_eq(res.redirects, cases[i].redirects);
		if (cases[i].permanent_to)
			cr_assert(ends_with(res.permanent_url,
					    cases[i].permanent_to),
				  "%s: %s", cases[i].path, res.permanent_url);
		else
			cr_assert_null(res.permanent_url, "%s", cases[i].path);
		fetch_result_release(&res);
	}
}

Test(fetch, error_statuses)
{
	char date[40];
	/* clang-format off */
	struct fixture_route routes[] = {
		{ .path = "/gone", .status = 410 },
		{ .path = "/missing", .status = 404 },
		{ .path = "/busy", .status = 429,
		  .headers = "Retry-After: 120\r\n" },
		{ .path = "/down", .status = 503, .headers = NULL },
		{ .path = "/broken", .status = 500 },
		{ .path = "/noloc", .status = 302 },
	};
	const struct {
		const char *path;
		enum status status;
		int http_status;
		const char *error;
		int64_t retry_after;
	} cases[] = {
		{ "/gone", ST_NOTFOUND, 410, "gone (HTTP 410)", 0 },
		{ "/missing", ST_NOTFOUND, 404, "HTTP 404", 0 },
		{ "/busy", ST_AGAIN, 429, "HTTP 429, retry after 120 s", 120 },
		{ "/down", ST_AGAIN, 503, "HTTP 503, retry after 300 s", 300 },
		{ "/broken", ST_HTTP, 500, "HTTP 500", 0 },
		{ "/noloc", ST_HTTP, 302, "HTTP 302 without a usable Location",
		  0 },
	};
	/* clang-format on */
	char headers[80];
	size_t i;

	/* Retry-After as an HTTP date, 300 s after the (set) clock. */
	clock_set(1795000000);
	clock_format_http(1795000000 + 300, date, sizeof(date));
	snprintf(headers, sizeof(headers), "Retry-After: %s\r\n", date);
	routes[3].headers = headers;
	srv = fixture_server_start(routes, ARRAY_SIZE(routes));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fetch_result res;

		cr_assert_eq(get(cases[i].path, NULL, &res), cases[i].status,
			     "%s: %s", cases[i].path, res.error);
		cr_assert_eq(res.http_status, cases[i].http_status);
		cr_assert_str_eq(res.error, cases[i].error);
		cr_assert_eq(res.retry_after, cases[i].retry_after, "%s",
			     cases[i].path);
		cr_assert_eq(res.gone, cases[i].http_status == 410);
		fetch_result_release(&res);
	}
}

Test(fetch, scheme_rules)
{
	char *dir = test_tmpdir(), path[512], url[600], big[512], big_url[600];
	static char filler[2048];
	struct fixture_route routes[] = {
		{.path = "/to-file", .kind = FIXTURE_REDIRECT, .location = url},
	};
	struct fetch_options file_ok = {.allow_file = true};
	struct fetch_result res;

	snprintf(path, sizeof(path), "%s/feed.xml", dir);
	snprintf(url, sizeof(url), "file://%s", path);
	cr_assert(test_write_file(path, "<rss/>", 6));
	srv = fixture_server_start(routes, ARRAY_SIZE(routes));

	cr_assert_eq(fetch_one(url, NULL, &res), ST_UNSUPPORTED);
	cr_assert_str_eq(res.error, "scheme not allowed: file");
	fetch_result_release(&res);

	cr_assert_eq(fetch_one(url, &file_ok, &res), ST_OK, "%s", res.error);
	cr_assert_str_eq(res.body, "<rss/>");
	fetch_result_release(&res);
	/* A file over the cap is not read. */
	snprintf(big, sizeof(big), "%s/big.xml", dir);
	snprintf(big_url, sizeof(big_url), "file://%s", big);
	memset(filler, 'x', sizeof(filler));
	cr_assert(test_write_file(big, filler, sizeof(filler)));
	set("fetch_max_body", "1024");
	cr_assert_eq(fetch_one(big_url, &file_ok, &res), ST_TOOBIG);
	cr_assert_str_eq(res.error,
			 "file larger than 1 KiB (2048 bytes), not read");
	cr_assert_null(res.body);
	fetch_result_release(&res);

	/* Never through a redirect, even for a catalogue entry. */
	cr_assert_eq(get("/to-file", &file_ok, &res), ST_UNSUPPORTED);
	cr_assert_str_eq(res.error, "redirect to scheme not allowed: file");
	fetch_result_release(&res);

	cr_assert_eq(fetch_one("ftp://127.0.0.1/x", NULL, &res),
		     ST_UNSUPPORTED);
	cr_assert_str_eq(res.error, "scheme not allowed: ftp");
	fetch_result_release(&res);

	cr_assert_eq(fetch_one("gopher://127.0.0.1/x", &file_ok, &res),
		     ST_UNSUPPORTED);
	fetch_result_release(&res);

	cr_assert_eq(fetch_one("not a url", NULL, &res), ST_INVAL);
	cr_assert_not_null(res.error);
	fetch_result_release(&res);

	snprintf(url, sizeof(url), "file://%s/absent.xml", dir);
	cr_assert_eq(fetch_one(url, &file_ok, &res), ST_NOTFOUND);
	fetch_result_release(&res);
	test_rmdir(dir);
	free(dir);
}

Test(fetch, body_cap_is_exact)
{
	static char big[1025];
	struct fixture_route routes[] = {
		{.path = "/fits", .body = big, .body_len = 1024},
		{.path = "/over", .body = big, .body_len = 1025},
		{.path = "/zover",
		 .kind = FIXTURE_GZIP,
		 .body = big,
		 .body_len = 1025},
	};
	struct fetch_result res;

	memset(big, 'a', sizeof(big));
	set("fetch_max_body", "1024");
	srv = fixture_server_start(routes, ARRAY_SIZE(routes));
	cr_assert_eq(get("/fits", NULL, &res), ST_OK, "%s", res.error);
	cr_assert_eq(res.body_len, 1024);
	fetch_result_release(&res);
	cr_assert_eq(get("/over", NULL, &res), ST_TOOBIG);
	cr_assert_str_eq(res.error, "body larger than 1 KiB (Content-Length: "
				    "1025), not downloaded");
	cr_assert_null(res.body);
	fetch_result_release(&res);
	/* 1025 bytes that gzip to a few: counted as they are decoded. */
	cr_assert_eq(get("/zover", NULL, &res), ST_TOOBIG);
	cr_assert_str_eq(res.error,
			 "body larger than 1 KiB after decompression");
	fetch_result_release(&res);
}

Test(fetch, declared_length_over_the_cap_is_not_downloaded)
{
	static char slow[2048];
	static unsigned char noise[1020];
	struct fixture_route routes[] = {
		/* One byte a second: downloading it would end in the
		 * low-speed cut, a timeout. */
		{.path = "/slow",
		 .kind = FIXTURE_DRIP,
		 .body = slow,
		 .body_len = sizeof(slow)},
		/* Bytes gzip cannot shrink: over the cap on the wire, under
		 * it decoded, so the encoded length must not refuse it. */
		{.path = "/noise",
		 .kind = FIXTURE_GZIP,
		 .body = (const char *)noise,
		 .body_len = sizeof(noise)},
	};
	struct fetch_result res;
	uint32_t x = 2463534242u;
	uLongf wire = compressBound(sizeof(noise));
	unsigned char *packed = xmalloc(wire);
	size_t i;

	memset(slow, 'x', sizeof(slow));
	for (i = 0; i < sizeof(noise); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		noise[i] = (unsigned char)x;
	}
	cr_assert_eq(compress2(packed, &wire, noise, sizeof(noise), 9), Z_OK);
	free(packed);
	/* zlib's framing is 6 bytes, gzip's 18: the wire holds more. */
	cr_assert_gt(wire - 6 + 18, 1024u, "the noise packs to %lu", wire);

	set("fetch_max_body", "1024");
	set("fetch_timeout", "4");
	srv = fixture_server_start(routes, ARRAY_SIZE(routes));
	cr_assert_eq(get("/slow", NULL, &res), ST_TOOBIG, "%s", res.error);
	cr_assert_str_eq(res.error, "body larger than 1 KiB (Content-Length: "
				    "2048), not downloaded");
	cr_assert_null(res.body);
	fetch_result_release(&res);

	cr_assert_eq(get("/noise", NULL, &res), ST_OK, "%s", res.error);
	cr_assert_eq(res.body_len, sizeof(noise));
	cr_assert(!memcmp(res.body, noise, sizeof(noise)));
	fetch_result_release(&res);
}

/* Counts finished requests for fetch_run() tests. */
struct tally {
	size_t finished;	    /* done() calls */
	struct fetch_result *res;   /* results, by request index */
	struct fetch_request *reqs; /* to find the index */
};

static void
keep(struct fetch_request *req, struct fetch_result *res, void *ctx)
{
	struct tally *t = ctx;

	t->finished++;
	fetch_result_move(&t->res[req - t->reqs], res);
}

Test(fetch, limits_per_host_and_overall)
{
	static const struct fixture_route routes[] = {
		{.path = "/slow", .body = "ok", .delay_ms = 200},
	};
	struct fetch_request reqs[8];
	struct fetch_result res[8];
	struct tally t = {0, res, reqs};
	char *url;
	size_t i;

	srv = fixture_server_start(routes, ARRAY_SIZE(routes));
	url = fixture_server_url(srv, "/slow");
	memset(reqs, 0, sizeof(reqs));
	memset(res, 0, sizeof(res));
	for (i = 0; i < ARRAY_SIZE(reqs); i++)
		reqs[i].url = url;
	set("fetch_per_host", "2");
	cr_assert_eq(fetch_run(reqs, ARRAY_SIZE(reqs), keep, &t), ST_OK);
	cr_assert_eq(t.finished, ARRAY_SIZE(reqs));
	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		cr_assert_eq(res[i].status, ST_OK, "%zu: %s", i, res[i].error);
		cr_assert_str_eq(res[i].body, "ok");
		fetch_result_release(&res[i]);
	}
	cr_assert_eq(fixture_server_max_active(srv), 2);
	fixture_server_stop(srv);

	srv = fixture_server_start(routes, ARRAY_SIZE(routes));
	free(url);
	url = fixture_server_url(srv, "/slow");
	for (i = 0; i < ARRAY_SIZE(reqs); i++)
		reqs[i].url = url;
	set("fetch_per_host", "8");
	set("fetch_concurrency", "3");
	t.finished = 0;
	cr_assert_eq(fetch_run(reqs, ARRAY_SIZE(reqs), keep, &t), ST_OK);
	cr_assert_eq(t.finished, ARRAY_SIZE(reqs));
	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		cr_assert_eq(res[i].status, ST_OK, "%zu: %s", i, res[i].error);
		fetch_result_release(&res[i]);
	}
	cr_assert_eq(fixture_server_max_active(srv), 3);
	free(url);
}

static long
max_rss_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024;
}

/*
 * Acceptance 4, fetch side: hostile servers each end with a clear error
 * within the limits, while ordinary requests in the same run succeed.
 */
Test(fetch, hostile_servers_in_one_run)
{
	/* clang-format off */
	static const struct fixture_route routes[] = {
		{ .path = "/ok", .body = "fine" },
		{ .path = "/okz", .kind = FIXTURE_GZIP, .body = "fine too" },
		{ .path = "/huge", .kind = FIXTURE_HUGE,
		  .size = 100 * 1000 * 1000 },
		{ .path = "/bomb", .kind = FIXTURE_GZIP_BOMB,
		  .size = 10ULL * 1000 * 1000 * 1000 },
		{ .path = "/loop", .kind = FIXTURE_REDIRECT, .location = "/loop" },
		{ .path = "/drip", .kind = FIXTURE_DRIP },
		{ .path = "/silent", .kind = FIXTURE_SILENT },
		{ .path = "/hangup", .kind = FIXTURE_HANGUP },
	};
	static const struct {
		const char *path;
		enum status status;
		const char *error;	/* prefix of the error text */
	} cases[] = {
		{ "/ok", ST_OK, NULL },
		{ "/huge", ST_TOOBIG,
		  "body larger than 10 MiB (Content-Length: 100000000), "
		  "not downloaded" },
		{ "/okz", ST_OK, NULL },
		{ "/bomb", ST_TOOBIG,
		  "body larger than 10 MiB after decompression" },
		{ "/loop", ST_HTTP, "too many redirects (5)" },
		{ "/drip", ST_TIMEOUT, "timed out" },
		{ "/silent", ST_TIMEOUT, "timed out" },
		{ "/hangup", ST_NET, "" },
		{ "/ok", ST_OK, NULL },
	};
	/* clang-format on */
	struct fetch_request reqs[ARRAY_SIZE(cases)];
	struct fetch_result res[ARRAY_SIZE(cases)];
	struct tally t = {0, res, reqs};
	char *urls[ARRAY_SIZE(cases)];
	int64_t start;
	double seconds;
	size_t i;

	set("fetch_timeout", "2");
	set("fetch_per_host", "16");
	srv = fixture_server_start(routes, ARRAY_SIZE(routes));
	memset(reqs, 0, sizeof(reqs));
	memset(res, 0, sizeof(res));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		urls[i] = fixture_server_url(srv, cases[i].path);
		reqs[i].url = urls[i];
	}
	start = clock_mono_ms();
	cr_assert_eq(fetch_run(reqs, ARRAY_SIZE(reqs), keep, &t), ST_OK);
	seconds = (double)(clock_mono_ms() - start) / 1000.0;
	cr_assert_eq(t.finished, ARRAY_SIZE(reqs));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		cr_assert_eq(res[i].status, cases[i].status, "%s: %s (%s)",
			     cases[i].path, status_str(res[i].status),
			     res[i].error);
		if (cases[i].error)
			cr_assert(!strncmp(res[i].error, cases[i].error,
					   strlen(cases[i].error)),
				  "%s: %s", cases[i].path, res[i].error);
		else
			cr_assert_not_null(res[i].body);
		cr_assert_lt(res[i].seconds, 3.0, "%s took %.1f s",
			     cases[i].path, res[i].seconds);
		cr_log_info("%-8s %-12s %.2f s  %s", cases[i].path,
			    status_str(res[i].status), res[i].seconds,
			    res[i].error ? res[i].error : "");
		fetch_result_release(&res[i]);
		free(urls[i]);
	}
	cr_assert_eq(fixture_server_requests(srv, "/loop"), 6);
	cr_assert_lt(seconds, 3.5, "the run took %.1f s", seconds);
	cr_assert_lt(max_rss_mib(), 256, "peak memory %ld MiB", max_rss_mib());
	cr_log_info("hostile run: %.2f s, peak RSS %ld MiB", seconds,
		    max_rss_mib());
}

Test(fetch, run_of_nothing_and_bad_allow_list)
{
	struct fetch_request req = {.url = "http://127.0.0.1:9/"};
	struct fetch_result res[1] = {0};
	struct tally t = {0, res, &req};

	cr_assert_eq(fetch_run(NULL, 0, keep, &t), ST_OK);
	cr_assert_eq(t.finished, 0);
	set("fetch_allow", "10.0.0.0/40");
	cr_assert_eq(fetch_run(&req, 1, keep, &t), ST_INVAL);
	cr_assert_eq(t.finished, 1);
	cr_assert_eq(res[0].status, ST_INVAL);
	fetch_result_release(&res[0]);
}

Test(fetch, body_file_and_binary_bodies)
{
	static const char binary[] = {'a', '\0', 'b', '\0', 'c'};
	char path[1024];
	struct fixture_route routes[] = {
		{.path = "/sample.rss",
		 .body_file = path,
		 .content_type = "application/rss+xml; charset=utf-8"},
		{.path = "/sample.rss.gz",
		 .kind = FIXTURE_GZIP,
		 .body_file = path},
		{.path = "/binary", .body = binary, .body_len = sizeof(binary)},
	};
	struct fetch_result res, packed;
	size_t len;
	char *want;

	snprintf(path, sizeof(path), "%s/tests/data/fetch/sample.rss",
		 test_src_dir());
	want = test_read_file(path, &len);
	cr_assert_not_null(want, "cannot read %s", path);
	srv = fixture_server_start(routes, ARRAY_SIZE(routes));
	cr_assert_eq(get("/sample.rss", NULL, &res), ST_OK, "%s", res.error);
	cr_assert_eq(res.body_len, len);
	cr_assert_eq(memcmp(res.body, want, len), 0);
	cr_assert_str_eq(res.content_type,
			 "application/rss+xml; charset=utf-8");
	cr_assert_eq(get("/sample.rss.gz", NULL, &packed), ST_OK);
	cr_assert_eq(packed.body_len, len);
	cr_assert_eq(memcmp(packed.body, want, len), 0);
	fetch_result_release(&res);
	fetch_result_release(&packed);
	cr_assert_eq(get("/binary", NULL, &res), ST_OK);
	cr_assert_eq(res.body_len, sizeof(binary));
	cr_assert_eq(memcmp(res.body, binary, sizeof(binary)), 0);
	cr_assert_eq(res.body[res.body_len], '\0');
	fetch_result_release(&res);
	free(want);
}

Test(fetch, redirect_limit_follows_config)
{
	/* clang-format off */
	static const struct fixture_route routes[] = {
		{ .path = "/a", .kind = FIXTURE_REDIRECT, .location = "/b" },
		{ .path = "/b", .kind = FIXTURE_REDIRECT, .location = "/c" },
		{ .path = "/c", .body = "end" },
	};
	/* clang-format on */
	struct fetch_result res;

	srv = fixture_server_start(routes, ARRAY_SIZE(routes));
	set("fetch_max_redirects", "2");
	cr_assert_eq(get("/a", NULL, &res), ST_OK, "%s", res.error);
	cr_assert_eq(res.redirects, 2);
	fetch_result_release(&res);
	set("fetch_max_redirects", "1");
	cr_assert_eq(get("/a", NULL, &res), ST_HTTP);
	cr_assert_str_eq(res.error, "too many redirects (1)");
	fetch_result_release(&res);
	set("fetch_max_redirects", "0");
	cr_assert_eq(get("/a", NULL, &res), ST_HTTP);
	cr_assert_str_eq(res.error, "too many redirects (0)");
	fetch_result_release(&res);
	cr_assert_eq(fixture_server_requests(srv, "/c"), 1);
}
