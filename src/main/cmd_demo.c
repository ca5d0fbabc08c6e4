/*
 * cmd_demo.c — newsstand demo: create or refresh a data directory with the
 * bundled demo catalogue.
 */
#include "common.h"

#include "base/config.h"
#include "base/log.h"
#include "fetch/fetch.h"
#include "ingest/demo.h"
#include "main/cli.h"
#include "main/commands.h"

static const char usage[] =
	"newsstand demo [--data-dir DIR] [--catalogue DIR] [--if-empty]\n\n"
	"Loads the bundled demo catalogue (fictional publishers, feeds and\n"
	"articles with recent dates) into the data directory and ingests it.\n"
	"Running it again refreshes the demo in place.";

int
cmd_demo(int argc, char **argv)
{
	const char *catalogue = NULL;
	bool if_empty = false;
	const struct cli_option opts[] = {
		CLI_DATA_DIR,
		CLI_LOG_LEVEL,
		{"catalogue", "DIR",
		 "the catalogue folder (default: data/demo)", NULL, &catalogue,
		 NULL},
		{"if-empty", NULL,
		 "do nothing when the database has publishers", NULL, NULL,
		 &if_empty},
		{"base-url", "URL", "public URL of the site (setting base_url)",
		 "base_url", NULL, NULL},
		CLI_END,
	};
	struct ingest_stats stats = {0};
	struct publisher_list pubs = {0};
	struct store *s = NULL;
	int nargs, rc;

	rc = cli_parse(argc, argv, usage, opts, &nargs);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (nargs)
		return cli_usage_error("demo", "takes no arguments");
	if (!catalogue)
		catalogue = demo_find_catalogue();
	if (!catalogue) {
		fprintf(stderr, "newsstand demo: no demo catalogue found; "
				"give --catalogue DIR\n");
		return EXIT_FAIL;
	}
	if (fetch_global_init())
		return EXIT_FAIL;
	if (store_open(config.data_dir, STORE_WRITE, 0, &s)) {
		rc = EXIT_FAIL;
		goto out;
	}
	if (if_empty && store_publisher_list(s, &pubs) == ST_OK && pubs.count) {
		printf("%s already has %zu publishers; demo not loaded\n",
		       config.data_dir, pubs.count);
		goto out;
	}
	if (demo_load(s, catalogue, config.data_dir, &stats)) {
		rc = EXIT_FAIL;
		goto out;
	}
	printf("demo loaded into %s: %zu feeds, %zu items, %zu new articles, "
	       "%zu updated, %zu failed feeds\n",
	       config.data_dir, stats.feeds, stats.items, stats.created,
	       stats.updated, stats.failed);
	if (stats.failed)
		rc = EXIT_FAIL;
out:
	publisher_list_release(&pubs);
	store_close(s);
	fetch_global_cleanup();
	return rc;
}
