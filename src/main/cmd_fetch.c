/*
 * cmd_fetch.c — newsstand fetch: fetch and ingest feeds without serving.
 */
#include "common.h"

#include <signal.h>
#include <unistd.h>

#include "base/config.h"
#include "base/log.h"
#include "fetch/fetch.h"
#include "ingest/ingest.h"
#include "main/cli.h"
#include "main/commands.h"

static const char usage[] =
	"newsstand fetch [--once] [--all] [FEED_ID...] [--data-dir DIR]\n\n"
	"Fetches the feeds that are due and stores their new articles.\n"
	"With --once it does one round and exits; without it, it keeps\n"
	"fetching as feeds fall due until stopped (SIGTERM or SIGINT).\n"
	"FEED_IDs fetch those feeds now, due or not; --all fetches every\n"
	"enabled feed now.";

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Polled by ingest between commits: a signal ends the round cleanly. */
static bool
should_stop(void *ctx)
{
	(void)ctx;
	return stopping;
}

static void
print_stats(const struct ingest_stats *st)
{
	printf("%zu feeds: %zu new articles, %zu updated, %zu unchanged, "
	       "%zu duplicates, %zu not modified, %zu failed\n",
	       st->feeds, st->created, st->updated, st->unchanged,
	       st->duplicates, st->not_modified, st->failed);
}

int
cmd_fetch(int argc, char **argv)
{
	bool once = false, all = false;
	const struct cli_option opts[] = {
		CLI_DATA_DIR,
		CLI_LOG_LEVEL,
		{"once", NULL, "one round, then exit", NULL, NULL, &once},
		{"all", NULL, "every enabled feed, due or not", NULL, NULL,
		 &all},
		{"concurrency", "N", "transfers at once (fetch_concurrency)",
		 "fetch_concurrency", NULL, NULL},
		CLI_END,
	};
	struct ingest_options opt = {0};
	struct ingest_stats stats = {0};
	struct store *s = NULL;
	int64_t *ids = NULL;
	int nargs, rc, i;

	rc = cli_parse(argc, argv, usage, opts, &nargs);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (nargs) {
		ids = xcalloc((size_t)nargs, sizeof(*ids));
		for (i = 0; i < nargs; i++)
			if (!cli_parse_id(argv[i + 1], &ids[i])) {
				free(ids);
				return cli_usage_error("fetch",
						       "'%s' is not a feed id",
						       argv[i + 1]);
			}
		opt.feed_ids = ids;
		opt.feed_id_count = (size_t)nargs;
		once = true;
	}
	opt.all = all;
	opt.should_stop = should_stop;
	if (all)
		once = true;
	opt.quiet = !isatty(2);
	if (fetch_global_init()) {
		free(ids);
		return EXIT_FAIL;
	}
	if (store_open(config.data_dir, STORE_WRITE, 0, &s)) {
		rc = EXIT_FAIL;
		goto out;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	do {
		struct ingest_stats round = {0};

		if (ingest_fetch(s, &opt, &round)) {
			rc = EXIT_FAIL;
			break;
		}
		stats.feeds += round.feeds;
		stats.created += round.created;
		stats.updated += round.updated;
		stats.unchanged += round.unchanged;
		stats.duplicates += round.duplicates;
		stats.not_modified += round.not_modified;
		stats.failed += round.failed;
		if (!once && !round.feeds)
			for (i = 0; i < 10 && !stopping; i++)
				sleep(1);
	} while (!once && !stopping);
	print_stats(&stats);
out:
	store_close(s);
	fetch_global_cleanup();
	free(ids);
	return rc;
}
