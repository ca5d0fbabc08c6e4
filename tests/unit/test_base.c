#include "common.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/fs.h"
#include "base/log.h"
#include "support/testutil.h"

Test(buf, grows_and_stays_terminated)
{
	struct buf b = BUF_INIT;
	size_t i;

	cr_assert_str_eq(b.data, "");
	for (i = 0; i < 10000; i++)
		buf_addc(&b, (char)('a' + i % 26));
	cr_assert_eq(b.len, 10000);
	cr_assert_geq(b.cap, 10001);
	cr_assert_eq(b.data[b.len], '\0');
	cr_assert_eq(b.data[26], 'a');
	buf_addf(&b, "%d-%s", 42, "x");
	cr_assert_str_eq(b.data + 10000, "42-x");
	cr_assert_eq(b.err, ST_OK);
	buf_release(&b);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.data, "");
}

Test(buf, cap_is_sticky_error)
{
	struct buf b;

	buf_init(&b, 8);
	buf_adds(&b, "12345678");
	cr_assert_eq(b.err, ST_OK);
	cr_assert_str_eq(b.data, "12345678");
	buf_addc(&b, '9');
	cr_assert_eq(b.err, ST_TOOBIG);
	cr_assert_str_eq(b.data, "12345678", "content kept at the cap");
	buf_adds(&b, "more");
	cr_assert_eq(b.err, ST_TOOBIG, "the first error sticks");
	cr_assert_eq(b.len, 8);
	buf_reset(&b);
	cr_assert_eq(b.err, ST_OK);
	buf_release(&b);
}

Test(buf, detach_hands_over)
{
	struct buf b = BUF_INIT;
	size_t len;
	char *p;

	p = buf_detach(&b, &len);
	cr_assert_str_eq(p, "");
	cr_assert_eq(len, 0);
	free(p);
	buf_adds(&b, "hello");
	p = buf_detach(&b, &len);
	cr_assert_str_eq(p, "hello");
	cr_assert_eq(len, 5);
	cr_assert_str_eq(b.data, "");
	free(p);
}

Test(buf, escapes)
{
	struct buf b = BUF_INIT;

	buf_add_html(&b, "<a href=\"x\">'&'</a>", 19);
	cr_assert_str_eq(
		b.data,
		"&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
	buf_reset(&b);
	buf_add_json_str(&b, "a\"b\\c\n\x01</script>", 16);
	cr_assert_str_eq(b.data,
			 "\"a\\\"b\\\\c\\n\\u0001\\u003c/script\\u003e\"");
	buf_reset(&b);
	buf_add_url_enc(&b, "a b/c?d=é", 10);
	cr_assert_str_eq(b.data, "a%20b%2Fc%3Fd%3D%C3%A9");
	buf_release(&b);
}

Test(str, slices)
{
	struct str s = str_trim(STR_LIT("  hello world \n"));

	cr_assert_eq(s.len, 11);
	cr_assert(str_eq_cstr(s, "hello world"));
	cr_assert(str_has_prefix(s, STR_LIT("hello")));
	cr_assert(!str_has_prefix(s, STR_LIT("world")));
	cr_assert(str_eq_ci(STR_LIT("HeLLo"), STR_LIT("hello")));
	cr_assert(!str_eq(STR_LIT("a"), STR_LIT("ab")));
}

Test(arena, allocates_aligned_and_releases)
{
	struct arena a;
	size_t i;
	char *big;

	arena_init(&a, 0);
	for (i = 0; i < 5000; i++) {
		void *p = arena_alloc(&a, 1 + i % 40);

		cr_assert_eq((uintptr_t)p % 16, 0);
		memset(p, 0xab, 1 + i % 40);
	}
	big = arena_alloc(&a, 1 << 20);
	memset(big, 1, 1 << 20);
	cr_assert_str_eq(arena_strdup(&a, "copy"), "copy");
	cr_assert_str_eq(arena_strndup(&a, "copy", 2), "co");
	cr_assert_str_eq(arena_printf(&a, "%d/%s", 7, "x"), "7/x");
	cr_assert_geq(a.used, (size_t)(1 << 20));
	arena_release(&a);
	cr_assert_eq(a.used, 0);
	cr_assert_null(a.head);
}

Test(arena, cap_refuses)
{
	struct arena a;

	arena_init(&a, 1024);
	cr_assert_not_null(arena_alloc_capped(&a, 512));
	cr_assert_not_null(arena_alloc_capped(&a, 400));
	cr_assert_null(arena_alloc_capped(&a, 512));
	arena_release(&a);
}

Test(status, strings)
{
	cr_assert_str_eq(status_str(ST_OK), "ok");
	cr_assert_str_eq(status_str(ST_TOOBIG), "too big");
	cr_assert_str_eq(status_str(ST_BLOCKED), "blocked address");
	cr_assert_str_eq(status_str((enum status)999), "unknown status");
}

Test(clock, settable)
{
	clock_set(1700000000);
	cr_assert_eq(clock_now(), 1700000000);
	clock_advance(90);
	cr_assert_eq(clock_now(), 1700000090);
	char out[40];
	clock_format_rfc3339(clock_now(), out, sizeof(out));
	cr_assert_str_eq(out, "2023-11-14T22:14:50Z");
	clock_format_http(clock_now(), out, sizeof(out));
	cr_assert_str_eq(out, "Tue, 14 Nov 2023 22:14:50 GMT");
	clock_set(0);
	cr_assert_gt(clock_now(), 1700000090);
}

Test(config, durations_and_sizes)
{
	long v;

	cr_assert_eq(config_parse_duration("30", &v), ST_OK);
	cr_assert_eq(v, 30);
	cr_assert_eq(config_parse_duration("5m", &v), ST_OK);
	cr_assert_eq(v, 300);
	cr_assert_eq(config_parse_duration("14d", &v), ST_OK);
	cr_assert_eq(v, 14 * 86400);
	cr_assert_eq(config_parse_duration("5x", &v), ST_INVAL);
	cr_assert_eq(config_parse_duration("m", &v), ST_INVAL);
	cr_assert_eq(config_parse_duration("-1s", &v), ST_INVAL);
	cr_assert_eq(config_parse_size("10MiB", &v), ST_OK);
	cr_assert_eq(v, 10L << 20);
	cr_assert_eq(config_parse_size("512K", &v), ST_OK);
	cr_assert_eq(v, 512L << 10);
	cr_assert_eq(config_parse_size("1G", &v), ST_OK);
	cr_assert_eq(config_parse_size("1T", &v), ST_INVAL);
}

/* Defaults < file < environment < command line. */
Test(config, precedence)
{
	char *dir = test_tmpdir();
	char path[256];
	static const char file[] = "# comment\n"
				   "listen = 127.0.0.1:9000\n"
				   "fetch_timeout = 45s\n"
				   "teaser_length = 900\n"
				   "web_cache = false\n"
				   "data_dir = \"/srv/news\"\n";

	snprintf(path, sizeof(path), "%s/n.conf", dir);
	cr_assert(test_write_file(path, file, sizeof(file) - 1));
	setenv("NEWSSTAND_TEASER_LENGTH", "700", 1);
	unsetenv("NEWSSTAND_LISTEN");
	cr_assert_eq(config_load(path), ST_OK);
	cr_assert_str_eq(config.listen, "127.0.0.1:9000", "file over default");
	cr_assert_eq(config.fetch_timeout, 45);
	cr_assert_eq(config.teaser_length, 700, "environment over file");
	cr_assert_eq(config.web_cache, false);
	cr_assert_str_eq(config.data_dir, "/srv/news");
	cr_assert_eq(config.poll_min, 300, "default kept");
	cr_assert_eq(config_set("teaser-length", "800", "option --teaser"),
		     ST_OK);
	cr_assert_eq(config.teaser_length, 800, "flag over environment");
	unsetenv("NEWSSTAND_TEASER_LENGTH");
	config_free();
	test_rmdir(dir);
	free(dir);
}

Test(config, bad_values_are_refused)
{
	config_defaults();
	cr_assert_eq(config_set("listen", "nowhere", "x"), ST_INVAL);
	cr_assert_eq(config_set("listen", "127.0.0.1:99999", "x"), ST_INVAL);
	cr_assert_eq(config_set("fetch_max_redirects", "50", "x"), ST_INVAL);
	cr_assert_eq(config_set("web_cache", "maybe", "x"), ST_INVAL);
	cr_assert_eq(config_set("base_url", "ftp://x", "x"), ST_INVAL);
	cr_assert_eq(config_set("no_such_thing", "1", "x"), ST_INVAL);
	cr_assert_eq(config_set("base_url", "https://news.example/", "x"),
		     ST_OK);
	cr_assert_str_eq(config.base_url, "https://news.example");
	cr_assert_eq(config.fetch_max_redirects, 5, "unchanged after refusal");
	config_free();
}

/* The message names the setting, the file and line, and what is allowed. */
Test(config, error_message_says_where, .init = cr_redirect_stderr)
{
	char *dir = test_tmpdir();
	char path[256], expect[400];
	static const char file[] = "listen = 127.0.0.1:8080\n"
				   "\n"
				   "fetch_timeout = soon\n";

	snprintf(path, sizeof(path), "%s/bad.conf", dir);
	cr_assert(test_write_file(path, file, sizeof(file) - 1));
	cr_assert_eq(config_load(path), ST_INVAL);
	fflush(stderr);
	snprintf(expect, sizeof(expect),
		 "config: %s:3: fetch_timeout: 'soon' is not valid: allowed "
		 "is a duration (30s, 5m, 24h, 14d) from 1 to 3600",
		 path);
	{
		FILE *f = cr_get_redirected_stderr();
		char got[1024] = "";
		size_t n = fread(got, 1, sizeof(got) - 1, f);

		got[n] = '\0';
		cr_assert_not_null(strstr(got, expect), "got: %s", got);
	}
	config_free();
	test_rmdir(dir);
	free(dir);
}

Test(log, level_parse)
{
	enum log_level l;

	cr_assert_eq(log_level_parse("debug", &l), ST_OK);
	cr_assert_eq(l, LOG_DEBUG);
	cr_assert_eq(log_level_parse("warning", &l), ST_OK);
	cr_assert_eq(l, LOG_WARN);
	cr_assert_eq(log_level_parse("loud", &l), ST_INVAL);
	cr_assert_eq(log_error(ST_PARSE, "x"), ST_PARSE);
}

Test(fs, mkdirs_creates_parents_and_accepts_existing)
{
	char *dir = test_tmpdir();
	char path[300], file[320];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	cr_assert_eq(fs_mkdirs(path, 0750), ST_OK);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert(S_ISDIR(sb.st_mode));
	cr_assert_eq(fs_mkdirs(path, 0750), ST_OK,
		     "an existing folder is fine");
	snprintf(file, sizeof(file), "%s/plain", dir);
	cr_assert(test_write_file(file, "x", 1));
	snprintf(path, sizeof(path), "%s/plain/below", dir);
	cr_assert_eq(fs_mkdirs(path, 0750), ST_IO, "a file is in the way");
	test_rmdir(dir);
	free(dir);
}

Test(fs, read_file_whole_capped_and_missing)
{
	char *dir = test_tmpdir();
	char path[300];
	struct buf b = BUF_INIT;
	static char big[200000];

	memset(big, 'n', sizeof(big));
	snprintf(path, sizeof(path), "%s/big", dir);
	cr_assert(test_write_file(path, big, sizeof(big)));
	cr_assert_eq(fs_read_file(path, &b), ST_OK);
	cr_assert_eq(b.len, sizeof(big), "read across several chunks");
	cr_assert(!memcmp(b.data, big, sizeof(big)));
	buf_release(&b);

	buf_init(&b, 1000);
	cr_assert_eq(fs_read_file(path, &b), ST_TOOBIG, "the cap holds");
	cr_assert_leq(b.len, 1000);
	buf_release(&b);

	snprintf(path, sizeof(path), "%s/absent", dir);
	errno = 0;
	cr_assert_eq(fs_read_file(path, &b), ST_IO);
	cr_assert_eq(errno, ENOENT, "errno tells why");
	cr_assert_eq(fs_read_file(dir, &b), ST_IO, "a folder is no file");
	buf_release(&b);
	test_rmdir(dir);
	free(dir);
}
