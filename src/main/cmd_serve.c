/*
 * cmd_serve.c — `newsstand serve`: the reading app's web server (and, in
 * the same process, the ingest scheduler) until SIGTERM or SIGINT.
 */
#include "common.h"

#include <pthread.h>
#include <signal.h>

#include "account/account.h"
#include "base/config.h"
#include "base/log.h"
#include "fetch/fetch.h"
#include "ingest/ingest.h"
#include "main/cli.h"
#include "main/commands.h"
#include "store/store.h"
#include "web/web.h"

/* Also in main/commands.h for the command table. */
int cmd_serve(int argc, char **argv);

static const char usage[] =
	"newsstand serve [--data-dir DIR] [--listen ADDR:PORT] "
	"[--role all|web|ingest]\n\n"
	"Serves the reading app and its JSON API on ADDR:PORT from the data\n"
	"directory, and fetches feeds as they fall due, until SIGTERM or\n"
	"SIGINT; then finishes the requests and the feed update in flight and\n"
	"stops. --role web serves without fetching; --role ingest fetches\n"
	"without serving.";

/*
 * After each committed feed update: visitors see new or changed articles
 * at once. Commits of feed state alone (304s, unchanged items, errors)
 * leave the content version, and so the cached pages, as they are.
 */
static void
on_ingest_commit(void *ctx)
{
	(void)ctx;
	web_cache_content_committed();
}

int
cmd_serve(int argc, char **argv)
{
	const char *role = "all";
	const struct cli_option opts[] = {
		CLI_DATA_DIR,
		CLI_LOG_LEVEL,
		{"listen", "ADDR:PORT", "address to listen on (setting listen)",
		 "listen", NULL, NULL},
		{"base-url", "URL", "public URL of the site (setting base_url)",
		 "base_url", NULL, NULL},
		{"role", "ROLE", "all (default), web or ingest", NULL, &role,
		 NULL},
		CLI_END,
	};
	struct ingest_scheduler *sched = NULL;
	struct web_server *srv = NULL;
	struct store *s = NULL;
	sigset_t stop_signals;
	int nargs, rc, sig = 0;

	rc = cli_parse(argc, argv, usage, opts, &nargs);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (nargs)
		return cli_usage_error("serve", "takes no arguments");
	if (strcmp(role, "all") && strcmp(role, "web") &&
	    strcmp(role, "ingest"))
		return cli_usage_error("serve",
				       "--role is all, web or ingest, "
				       "not '%s'",
				       role);

	/*
	 * Password hashes at once, from the configuration (the web server
	 * runs as many hashing threads). A sign-in waits only briefly for
	 * its turn, counted from its arrival in their queue (then "try
	 * again in a moment"): a flood is refused rather than answered
	 * late.
	 */
	{
		struct account_limits limits;

		account_limits_default(&limits);
		limits.hash_concurrency = (unsigned)config.hash_concurrency;
		limits.hash_wait_ms = 250;
		account_limits_set(&limits);
	}

	/* The database must exist and be migrated before readers open it. */
	if (store_open(config.data_dir, STORE_WRITE, 0, &s))
		return EXIT_FAIL;
	store_close(s);
	s = NULL;

	/*
	 * Block the stop signals before any thread starts, so every thread
	 * inherits the mask and only sigwait() below receives them.
	 */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (strcmp(role, "ingest") && web_server_start(&srv)) {
		rc = EXIT_FAIL;
		goto out;
	}
	/* The scheduler starts after the web server and stops before it. */
	if (strcmp(role, "web") &&
	    (fetch_global_init() ||
	     ingest_scheduler_start(srv ? on_ingest_commit : NULL, NULL,
				    &sched))) {
		rc = EXIT_FAIL;
		goto out;
	}

	if (sigwait(&stop_signals, &sig) == 0)
		log_info("serve: %s received, stopping",
			 sig == SIGINT ? "SIGINT" : "SIGTERM");

	rc = EXIT_OK;
out:
	if (sched) {
		ingest_scheduler_stop(sched);
		fetch_global_cleanup();
	}
	web_server_stop(srv);
	pthread_sigmask(SIG_UNBLOCK, &stop_signals, NULL);
	return rc;
}
