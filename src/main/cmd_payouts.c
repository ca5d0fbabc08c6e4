/*
 * cmd_payouts.c — newsstand payouts MONTH: the month's payout table.
 */
#include "common.h"

#include "account/payouts.h"
#include "base/config.h"
#include "main/cli.h"
#include "main/commands.h"

int cmd_payouts(int argc, char **argv);

static const char usage[] =
	"newsstand payouts YYYY-MM [--csv] [--publisher SLUG]\n\n"
	"Prints each publisher's reads, share of all reads and payout for\n"
	"the month (UTC). The pool is payout_pool_cents when set, else\n"
	"payout_pool_fraction of the revenue recorded by billing events in\n"
	"that month. Payouts are whole cents that add up to the pool.\n"
	"--publisher prints that publisher's reads per day and article as\n"
	"CSV instead.";

int
cmd_payouts(int argc, char **argv)
{
	bool csv = false;
	const char *publisher = NULL;
	const struct cli_option opts[] = {
		CLI_DATA_DIR,
		CLI_LOG_LEVEL,
		{"csv", NULL, "print CSV instead of a table", NULL, NULL, &csv},
		{"publisher", "SLUG", "one publisher's statement as CSV", NULL,
		 &publisher, NULL},
		CLI_END,
	};
	struct payout_table t = {0};
	struct buf out = BUF_INIT;
	struct store *s = NULL;
	int nargs, rc;

	rc = cli_parse(argc, argv, usage, opts, &nargs);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (nargs != 1)
		return cli_usage_error("payouts", "which month (YYYY-MM)?");
	if (!payout_month_parse(argv[1], NULL, NULL, NULL, NULL))
		return cli_usage_error("payouts",
				       "a month is YYYY-MM, not '%s'", argv[1]);
	if (store_open(config.data_dir, STORE_READ, 0, &s))
		return EXIT_FAIL;
	if (publisher) {
		struct publisher p = {0};
		enum status st = store_publisher_by_slug(s, publisher, &p);

		if (st == ST_NOTFOUND)
			fprintf(stderr,
				"newsstand payouts: no publisher '%s'\n",
				publisher);
		if (!st)
			st = payout_statement_csv(s, p.id, argv[1], &out);
		publisher_release(&p);
		rc = st ? EXIT_FAIL : EXIT_OK;
	} else if (payout_compute(s, argv[1], &t)) {
		rc = EXIT_FAIL;
	} else {
		if (csv)
			payout_table_csv(&t, &out);
		else
			payout_table_text(&t, &out);
		rc = EXIT_OK;
	}
	if (!rc)
		fwrite(out.data, 1, out.len, stdout);
	payout_table_release(&t);
	buf_release(&out);
	store_close(s);
	return rc;
}
