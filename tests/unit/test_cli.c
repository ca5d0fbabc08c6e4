/*
 * The real binary, as an operator uses it: help, versions, exit codes,
 * configuration errors, the catalogue commands, OPML and the demo.
 */
#include "common.h"

#include <criterion/criterion.h>

#include "support/testutil.h"

static const char *const no_config[] = {
	"NEWSSTAND_CONFIG=", "NEWSSTAND_LOG_LEVEL=error", NULL};

static int
run(struct buf *out, struct buf *err, const char *a0, const char *a1,
    const char *a2, const char *a3, const char *a4, const char *a5)
{
	const char *args[] = {a0, a1, a2, a3, a4, a5, NULL};

	return test_run(args, no_config, out, err);
}

Test(cli, help_for_everything)
{
	static const char *const commands[] = {
		"db",	 "demo",      "feed",  "fetch",	  "opml",
		"parse", "publisher", "serve", "version",
	};
	struct buf out = BUF_INIT;
	size_t i;

	cr_assert_eq(run(&out, NULL, "--help", NULL, NULL, NULL, NULL, NULL),
		     0);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		cr_assert_not_null(strstr(out.data, commands[i]),
				   "--help lists %s", commands[i]);
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		buf_reset(&out);
		cr_assert_eq(run(&out, NULL, commands[i], "--help", NULL, NULL,
				 NULL, NULL),
			     0, "%s --help", commands[i]);
		cr_assert_not_null(strstr(out.data, "usage"), "%s: %s",
				   commands[i], out.data);
	}
	buf_release(&out);
}

Test(cli, usage_errors_exit_2)
{
	struct buf err = BUF_INIT;

	cr_assert_eq(run(NULL, &err, "no-such-command", NULL, NULL, NULL, NULL,
			 NULL),
		     2);
	cr_assert_not_null(strstr(err.data, "unknown command"));
	buf_reset(&err);
	cr_assert_eq(run(NULL, &err, "db", "--bogus", NULL, NULL, NULL, NULL),
		     2);
	cr_assert_not_null(strstr(err.data, "unknown option '--bogus'"));
	cr_assert_eq(run(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), 2);
	buf_release(&err);
}

Test(cli, version_names_the_libraries)
{
	static const char *const libs[] = {
		"newsstand",	 "libcurl",   "libxml2", "SQLite",
		"libmicrohttpd", "libsodium", "xxHash"};
	struct buf out = BUF_INIT;
	size_t i;

	cr_assert_eq(run(&out, NULL, "version", NULL, NULL, NULL, NULL, NULL),
		     0);
	for (i = 0; i < ARRAY_SIZE(libs); i++)
		cr_assert_not_null(strstr(out.data, libs[i]), "%s", out.data);
	buf_release(&out);
}

/* A bad value stops start-up, naming the setting, the place and the rule. */
Test(cli, bad_config_stops_start_up)
{
	char *dir = test_tmpdir();
	char conf[300], env[400];
	const char *args[] = {"serve", "--listen", "127.0.0.1:0", NULL};
	const char *envs[] = {env, NULL};
	struct buf err = BUF_INIT;
	static const char text[] = "# test\nweb_threads = many\n";

	snprintf(conf, sizeof(conf), "%s/bad.conf", dir);
	cr_assert(test_write_file(conf, text, sizeof(text) - 1));
	snprintf(env, sizeof(env), "NEWSSTAND_CONFIG=%s", conf);
	cr_assert_eq(test_run(args, envs, NULL, &err), 1);
	cr_assert_not_null(strstr(err.data, "bad.conf:2: web_threads: 'many' "
					    "is not valid: allowed is a whole "
					    "number from 0 to 256"),
			   "%s", err.data);
	cr_assert_not_null(strstr(err.data, "not starting"));
	buf_reset(&err);
	snprintf(env, sizeof(env), "NEWSSTAND_FETCH_TIMEOUT=forever");
	cr_assert_eq(test_run(args, envs, NULL, &err), 1);
	cr_assert_not_null(strstr(err.data, "environment "
					    "NEWSSTAND_FETCH_TIMEOUT: "
					    "fetch_timeout: 'forever'"),
			   "%s", err.data);
	buf_reset(&err);
	cr_assert_eq(run(NULL, &err, "db", "migrate", "--log-level", "loud",
			 NULL, NULL),
		     1);
	cr_assert_not_null(strstr(err.data, "option --log-level: log_level: "
					    "'loud'"),
			   "%s", err.data);
	buf_release(&err);
	test_rmdir(dir);
	free(dir);
}

Test(cli, catalogue_and_opml_round_trip)
{
	char *dir = test_tmpdir(), *corpus = test_corpus("newsboat/test/data");
	char path[400], exported[400], dir2[400];
	struct buf out = BUF_INIT, again = BUF_INIT, err = BUF_INIT;
	static const char opml[] =
		"<?xml version=\"1.0\"?><opml version=\"1.0\"><head><title>t"
		"</title></head><body><outline text=\"World\">"
		"<outline text=\"Harbour Herald\" "
		"xmlUrl=\"https://harbourherald.example/feed.xml\" "
		"htmlUrl=\"https://harbourherald.example/\"/>"
		"<outline text=\"Harbour Herald\" "
		"xmlUrl=\"https://harbourherald.example/feed.xml\"/>"
		"<outline xmlUrl=\"https://untitled.example/rss\"/>"
		"<outline text=\"Bad\" xmlUrl=\"ftp://x.example/f\"/>"
		"</outline></body></opml>";

	snprintf(path, sizeof(path), "%s/in.opml", dir);
	cr_assert(test_write_file(path, opml, sizeof(opml) - 1));
	cr_assert_eq(run(&out, &err, "opml", "import", path, "--data-dir", dir,
			 NULL),
		     0, "%s", err.data);
	cr_assert_not_null(strstr(out.data, "3 subscriptions: 2 added, 0 "
					    "merged, 1 failed"),
			   "%s", out.data);
	buf_reset(&out);
	cr_assert_eq(
		run(&out, NULL, "feed", "list", "--data-dir", dir, NULL, NULL),
		0);
	cr_assert_not_null(strstr(out.data, "harbour-herald"), "%s", out.data);
	buf_reset(&out);
	cr_assert_eq(run(&out, NULL, "publisher", "show", "harbour-herald",
			 "--data-dir", dir, NULL),
		     0);
	cr_assert_not_null(strstr(out.data, "https://harbourherald.example/"));
	/* Export, import elsewhere, export again: the same document. */
	buf_reset(&out);
	cr_assert_eq(run(&out, NULL, "opml", "export", "--data-dir", dir, NULL,
			 NULL),
		     0);
	cr_assert_not_null(strstr(out.data, "category=\"world\""), "%s",
			   out.data);
	snprintf(exported, sizeof(exported), "%s/out.opml", dir);
	cr_assert(test_write_file(exported, out.data, out.len));
	snprintf(dir2, sizeof(dir2), "%s/second", dir);
	cr_assert_eq(run(NULL, NULL, "opml", "import", exported, "--data-dir",
			 dir2, NULL),
		     0);
	cr_assert_eq(run(&again, NULL, "opml", "export", "--data-dir", dir2,
			 NULL, NULL),
		     0);
	cr_assert_str_eq(again.data, out.data);
	/* newsboat's samples: the good ones import, the broken ones say why. */
	if (corpus) {
		snprintf(path, sizeof(path), "%s/example.opml", corpus);
		buf_reset(&out);
		cr_assert_eq(run(&out, NULL, "opml", "import", path,
				 "--data-dir", dir2, NULL),
			     0);
		cr_assert_not_null(strstr(out.data, "7 subscriptions"), "%s",
				   out.data);
		snprintf(path, sizeof(path), "%s/body-element-missing.opml",
			 corpus);
		buf_reset(&err);
		cr_assert_eq(run(NULL, &err, "opml", "import", path,
				 "--data-dir", dir2, NULL),
			     1);
		cr_assert_not_null(strstr(err.data, "not a usable OPML"), "%s",
				   err.data);
	}
	buf_release(&out);
	buf_release(&again);
	buf_release(&err);
	free(corpus);
	test_rmdir(dir);
	free(dir);
}

/* The demo loads every publisher and article, and a second run changes
 * nothing but keeps them all. */
Test(cli, demo_loads_the_catalogue, .timeout = 120)
{
	char *dir = test_tmpdir();
	char catalogue[400];
	struct buf out = BUF_INIT, err = BUF_INIT;
	const char *args[] = {"demo",	     "--data-dir", dir,
			      "--catalogue", catalogue,	   NULL};

	snprintf(catalogue, sizeof(catalogue), "%s/data/demo", test_src_dir());
	cr_assert_eq(test_run(args, no_config, &out, &err), 0, "%s", err.data);
	cr_assert_not_null(strstr(out.data, "13 feeds, 156 items, 156 new "
					    "articles"),
			   "%s", out.data);
	buf_reset(&out);
	cr_assert_eq(test_run(args, no_config, &out, &err), 0);
	cr_assert_not_null(strstr(out.data, "0 new articles"), "%s", out.data);
	buf_reset(&out);
	cr_assert_eq(
		run(&out, NULL, "db", "check", "--data-dir", dir, NULL, NULL),
		0, "%s", out.data);
	buf_reset(&out);
	cr_assert_eq(
		run(&out, NULL, "db", "compact", "--data-dir", dir, NULL, NULL),
		0, "%s", out.data);
	cr_expect_not_null(strstr(out.data, "after   "), "%s", out.data);
	cr_expect_not_null(strstr(out.data, "of 16384 bytes"), "%s", out.data);
	cr_expect_not_null(strstr(out.data, ", 0 free\n"), "%s", out.data);
	buf_reset(&out);
	cr_assert_eq(
		run(&out, NULL, "db", "check", "--data-dir", dir, NULL, NULL),
		0, "%s", out.data);
	buf_release(&out);
	buf_release(&err);
	test_rmdir(dir);
	free(dir);
}
