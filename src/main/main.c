/*
 * main.c — the newsstand binary: global options, configuration, and the
 * table of subcommands.
 */
#include "common.h"

#include <curl/curl.h>
#include <libxml/parser.h>
#include <locale.h>

#include "base/config.h"
#include "base/log.h"
#include "main/cli.h"
#include "main/commands.h"

struct command {
	const char *name;		   /* as typed */
	int (*run)(int argc, char **argv); /* the implementation */
	const char *summary;		   /* one line for --help */
};

/* clang-format off */
static const struct command commands[] = {
	{"serve",     cmd_serve,     "serve the reading app and fetch feeds"},
	{"fetch",     cmd_fetch,     "fetch due feeds and store new articles"},
	{"publisher", cmd_publisher, "add, list, show or remove publishers"},
	{"feed",      cmd_feed,      "add, list, show, remove, enable or disable feeds"},
	{"opml",      cmd_opml,      "import or export the catalogue as OPML"},
	{"user",      cmd_user,      "add users, grant or revoke membership, API tokens"},
	{"payouts",   cmd_payouts,   "print a month's reads and payouts per publisher"},
	{"parse",     cmd_parse,     "print what the parser makes of a feed, as JSON"},
	{"extract",   cmd_extract,   "print the article extracted from a web page"},
	{"db",        cmd_db,        "migrate, check or back up the database"},
	{"demo",      cmd_demo,      "load the bundled demo catalogue"},
	{"version",   cmd_version,   "print versions of newsstand and its libraries"},
	{"bench",     cmd_bench,     NULL},
};
/* clang-format on */

static void
print_help(FILE *out)
{
	size_t i;

	fputs("usage: newsstand [--config FILE] COMMAND [OPTIONS] [ARGS]\n\n"
	      "All your news in one place: gathers publishers' feeds, serves\n"
	      "the reading app, pays publishers for every article read.\n\n"
	      "commands:\n",
	      out);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].summary) /* hidden: benchmark helpers */
			fprintf(out, "  %-10s %s\n", commands[i].name,
				commands[i].summary);
	fputs("\n'newsstand COMMAND --help' describes a command.\n"
	      "'newsstand --help-config' lists every setting; each can be set\n"
	      "in the config file (name = value), as NEWSSTAND_NAME in the\n"
	      "environment, or with a command's matching option.\n",
	      out);
}

/* Takes --config FILE (anywhere before "--") out of argv. */
static const char *
take_config_option(int *argc, char **argv)
{
	const char *file = NULL;
	int i, j;

	for (i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--config") && i + 1 < *argc) {
			file = argv[i + 1];
			for (j = i; j + 2 <= *argc; j++)
				argv[j] = argv[j + 2];
			*argc -= 2;
			i--;
		} else if (!strncmp(argv[i], "--config=", 9)) {
			file = argv[i] + 9;
			for (j = i; j + 1 <= *argc; j++)
				argv[j] = argv[j + 1];
			*argc -= 1;
			i--;
		}
	}
	return file;
}

int
main(int argc, char **argv)
{
	const char *config_file;
	size_t i;
	int rc;

	setlocale(LC_CTYPE, "C.UTF-8");
	config_file = take_config_option(&argc, argv);
	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		print_help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--help-config")) {
		config_print_help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		argv[1] = (char *)"version";
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			break;
	if (i == ARRAY_SIZE(commands)) {
		fprintf(stderr, "newsstand: unknown command '%s'\n\n", argv[1]);
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (config_load(config_file)) {
		fprintf(stderr, "newsstand: not starting: bad configuration\n");
		return EXIT_FAIL;
	}
	/* Libraries that must be set up before any thread starts. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();
	rc = commands[i].run(argc - 1, argv + 1);
	xmlCleanupParser();
	curl_global_cleanup();
	config_free();
	return rc;
}
