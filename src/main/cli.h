/*
 * cli.h — command-line parsing shared by the subcommands.
 *
 * Each subcommand describes its options in a table; cli_parse() handles
 * "--name value", "--name=value", boolean flags, "--help" and "--", applies
 * options bound to a configuration setting through config_set() (so a bad
 * value is reported like any other bad setting), and moves the positional
 * arguments to argv[1 .. *nargs].
 */
#ifndef NEWSSTAND_MAIN_CLI_H
#define NEWSSTAND_MAIN_CLI_H

#include "common.h"

/* Exit codes of every command. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cli_option {
	const char *name;    /* long name without dashes: "data-dir" */
	const char *arg;     /* value placeholder ("DIR"); NULL for a flag */
	const char *help;    /* one line */
	const char *setting; /* configuration setting it sets, or NULL */
	const char **value;  /* where to store the value, or NULL */
	bool *flag;	     /* where to store a flag, or NULL */
};

/* Options every data command takes. */
#define CLI_DATA_DIR                                                           \
	{                                                                      \
		"data-dir", "DIR", "data directory (setting data_dir)",        \
			"data_dir", NULL, NULL                                 \
	}
#define CLI_LOG_LEVEL                                                          \
	{                                                                      \
		"log-level", "LEVEL", "error, warn, info or debug",            \
			"log_level", NULL, NULL                                \
	}
#define CLI_END                                                                \
	{                                                                      \
		NULL, NULL, NULL, NULL, NULL, NULL                             \
	}

/*
 * Parses argv[1..] (argv[0] is the command name). Returns -1 when --help was
 * printed (exit 0), EXIT_USAGE after printing a usage error, EXIT_FAIL for a
 * bad setting value, 0 otherwise with *nargs set.
 */
int cli_parse(int argc, char **argv, const char *usage,
	      const struct cli_option *opts, int *nargs);
/* Prints usage and the option table. */
void cli_usage(FILE *out, const char *usage, const struct cli_option *opts);
/* Prints "newsstand CMD: message" and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Parses a positive id; false when s is not one. */
bool cli_parse_id(const char *s, int64_t *out);

#endif
