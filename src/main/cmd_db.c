/*
 * cmd_db.c — newsstand db migrate | check | backup FILE | compact
 */
#include "common.h"

#include "base/config.h"
#include "base/log.h"
#include "main/cli.h"
#include "main/commands.h"
#include "store/store.h"

static const char usage[] =
	"newsstand db migrate|check|backup FILE|compact [--data-dir DIR]\n\n"
	"  migrate       create the database or bring its schema up to date\n"
	"  check         run the integrity, foreign-key and index checks\n"
	"  backup FILE   copy the live database to FILE (safe while serving)\n"
	"  compact       rewrite the database without free pages, with 16 KB\n"
	"                pages and the search index merged (stop the server\n"
	"                first; needs free space for a copy)";

static void
print_shape(const char *when, const struct store_file_shape *f)
{
	printf("%-7s %" PRId64 " pages of %" PRId64 " bytes (%.1f MB),"
	       " %" PRId64 " free\n",
	       when, f->pages, f->page_size,
	       (double)f->pages * (double)f->page_size / 1e6, f->free_pages);
}

int
cmd_db(int argc, char **argv)
{
	static const struct cli_option opts[] = {CLI_DATA_DIR, CLI_LOG_LEVEL,
						 CLI_END};
	struct store *s = NULL;
	struct buf report = BUF_INIT;
	const char *action;
	int nargs, rc;

	rc = cli_parse(argc, argv, usage, opts, &nargs);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (nargs < 1)
		return cli_usage_error("db", "which action: migrate, check, "
					     "backup FILE or compact?");
	action = argv[1];
	if (!strcmp(action, "migrate")) {
		if (nargs != 1)
			return cli_usage_error("db",
					       "migrate takes no arguments");
		if (store_open(config.data_dir, STORE_WRITE, 0, &s))
			return EXIT_FAIL;
		printf("schema version %d\n", store_schema_version(s));
	} else if (!strcmp(action, "check")) {
		if (nargs != 1)
			return cli_usage_error("db",
					       "check takes no arguments");
		if (store_open(config.data_dir, STORE_WRITE, STORE_NO_MIGRATE,
			       &s))
			return EXIT_FAIL;
		if (store_check(s, &report)) {
			fputs(report.data, stdout);
			rc = EXIT_FAIL;
		} else {
			puts("ok");
		}
	} else if (!strcmp(action, "backup")) {
		if (nargs != 2)
			return cli_usage_error("db", "backup needs one FILE");
		if (store_open(config.data_dir, STORE_READ, 0, &s))
			return EXIT_FAIL;
		if (store_backup(s, argv[2]))
			rc = EXIT_FAIL;
		else
			printf("backed up to %s\n", argv[2]);
	} else if (!strcmp(action, "compact")) {
		struct store_compact_report r;

		if (nargs != 1)
			return cli_usage_error("db",
					       "compact takes no arguments");
		if (store_compact(config.data_dir, &r))
			return EXIT_FAIL;
		print_shape("before", &r.before);
		print_shape("after", &r.after);
	} else {
		return cli_usage_error("db", "unknown action '%s'", action);
	}
	buf_release(&report);
	store_close(s);
	return rc;
}
