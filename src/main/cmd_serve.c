/*
 * cmd_serve.c — `newsstand serve`: the reading app's web server (and, in
 * the same process, the ingest scheduler) until SIGTERM or SIGINT.
 */
#include "common.h"

#include <pthread.h>
#include <signal.h>

#include "base/config.h"
#include "base/log.h"
#include "main/cli.h"
#include "main/commands.h"
#include "store/store.h"
#include "web/web.h"

/* Also in main/commands.h for the command table. */
int cmd_serve(int argc, char **argv);

static const char usage[] =
	"newsstand serve [--data-dir DIR] [--listen ADDR:PORT]\n\n"
	"Serves the reading app and its JSON API on ADDR:PORT from the data\n"
	"directory until SIGTERM or SIGINT, then finishes the requests in\n"
	"flight and stops.";

int
cmd_serve(int argc, char **argv)
{
	const struct cli_option opts[] = {
		CLI_DATA_DIR,
		CLI_LOG_LEVEL,
		{"listen", "ADDR:PORT", "address to listen on (setting listen)",
		 "listen", NULL, NULL},
		{"base-url", "URL", "public URL of the site (setting base_url)",
		 "base_url", NULL, NULL},
		CLI_END,
	};
	struct web_server *srv = NULL;
	struct store *s = NULL;
	sigset_t stop_signals;
	int nargs, rc, sig = 0;

	rc = cli_parse(argc, argv, usage, opts, &nargs);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (nargs)
		return cli_usage_error("serve", "takes no arguments");

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

	if (web_server_start(&srv)) {
		rc = EXIT_FAIL;
		goto out;
	}

	/*
	 * HOOK: the ingest scheduler thread starts here, after the web
	 * server, and stops before it below; its writer calls
	 * web_cache_invalidate() after each commit.
	 */

	if (sigwait(&stop_signals, &sig) == 0)
		log_info("serve: %s received, stopping",
			 sig == SIGINT ? "SIGINT" : "SIGTERM");

	/* HOOK: stop and join the ingest scheduler here. */

	rc = EXIT_OK;
out:
	web_server_stop(srv);
	pthread_sigmask(SIG_UNBLOCK, &stop_signals, NULL);
	return rc;
}
