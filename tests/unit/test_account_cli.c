/*
 * test_account_cli.c — newsstand user … and newsstand payouts: exit codes
 * and their effect on the database.
 */
#include "common.h"

#include <criterion/criterion.h>

#include "account/account.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "main/cli.h"
#include "store/accounts.h"
#include "support/testutil.h"

int cmd_user(int argc, char **argv);
int cmd_payouts(int argc, char **argv);

static char *dir;

static void
setup(void)
{
	struct account_limits l;

	config_defaults();
	log_set_level(LOG_ERROR);
	dir = test_tmpdir();
	cr_assert_not_null(dir);
	cr_assert_eq(config_set("data_dir", dir, "test"), ST_OK);
	account_limits_default(&l);
	l.hash_opslimit = 1;
	l.hash_memlimit = 8192;
	account_limits_set(&l);
	clock_set(1795000000); /* 2026-11-18 */
}

static void
teardown(void)
{
	test_rmdir(dir);
	free(dir);
	clock_set(0);
	config_free();
}

TestSuite(account_cli, .init = setup, .fini = teardown);

/* Runs a command with stdin_text on standard input. */
static int
run(int (*cmd)(int, char **), const char *stdin_text, ...)
{
	char *argv[16];
	char path[512];
	va_list ap;
	int argc = 0, rc;

	va_start(ap, stdin_text);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	snprintf(path, sizeof(path), "%s/stdin.txt", dir);
	cr_assert(test_write_file(path, stdin_text ? stdin_text : "",
				  stdin_text ? strlen(stdin_text) : 0));
	cr_assert_not_null(freopen(path, "r", stdin));
	rc = cmd(argc, argv);
	fflush(stdout);
	return rc;
}

static struct store *
open_db(void)
{
	struct store *s = NULL;

	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &s), ST_OK);
	return s;
}

Test(account_cli, user_commands)
{
	struct store *s;
	struct user u = {0};
	struct membership_view m;
	struct api_token_list tl = {0};
	struct publisher p = {.slug = (char *)"herald",
			      .name = (char *)"Herald"};

	s = open_db();
	cr_assert_eq(store_publisher_put(s, &p), ST_OK);
	store_close(s);
	cr_assert_eq(run(cmd_user, NULL, "user", "--help", NULL), EXIT_OK);
	cr_assert_eq(run(cmd_user, NULL, "user", NULL), EXIT_USAGE);
	cr_assert_eq(run(cmd_user, NULL, "user", "fly", NULL), EXIT_USAGE);
	cr_assert_eq(run(cmd_user, "long enough password\n", "user", "add",
			 "ada@example.com", "--role", "king", NULL),
		     EXIT_USAGE);
	cr_assert_eq(run(cmd_user, "long enough password\n", "user", "add",
			 "pub@example.com", "--role", "publisher", NULL),
		     EXIT_USAGE);
	cr_assert_eq(run(cmd_user, "short\n", "user", "add", "ada@example.com",
			 NULL),
		     EXIT_FAIL);
	cr_assert_eq(run(cmd_user, "", "user", "add", "ada@example.com", NULL),
		     EXIT_FAIL);
	cr_assert_eq(run(cmd_user, "long enough password\n", "user", "add",
			 "Ada@Example.com", "--role", "editor", NULL),
		     EXIT_OK);
	cr_assert_eq(run(cmd_user, "long enough password\n", "user", "add",
			 "ada@example.com", NULL),
		     EXIT_FAIL); /* taken */
	cr_assert_eq(run(cmd_user, "another password!\n", "user", "add",
			 "pub@example.com", "--role", "publisher",
			 "--publisher", "herald", NULL),
		     EXIT_OK);
	cr_assert_eq(run(cmd_user, "another password!\n", "user", "add",
			 "pub2@example.com", "--role", "publisher",
			 "--publisher", "nobody", NULL),
		     EXIT_FAIL);
	cr_assert_eq(
		run(cmd_user, NULL, "user", "grant", "ada@example.com", NULL),
		EXIT_USAGE);
	cr_assert_eq(run(cmd_user, NULL, "user", "grant", "ada@example.com",
			 "--until", "2026-02-30x", NULL),
		     EXIT_USAGE);
	cr_assert_eq(run(cmd_user, NULL, "user", "grant", "ada@example.com",
			 "--until", "2020-01-01", NULL),
		     EXIT_FAIL);
	cr_assert_eq(run(cmd_user, NULL, "user", "grant", "zed@example.com",
			 "--until", "2026-12-31", NULL),
		     EXIT_FAIL);
	cr_assert_eq(run(cmd_user, NULL, "user", "grant", "ada@example.com",
			 "--until", "2026-12-31", NULL),
		     EXIT_OK);
	cr_assert_eq(run(cmd_user, NULL, "user", "token", "ada@example.com",
			 "--name", "newsboat", NULL),
		     EXIT_OK);
	cr_assert_eq(run(cmd_user, NULL, "user", "list", NULL), EXIT_OK);
	s = open_db();
	cr_assert_eq(store_user_by_email(s, "ada@example.com", &u), ST_OK);
	cr_assert_str_eq(u.role, "editor");
	cr_assert_eq(account_membership(s, u.id, &m), ST_OK);
	cr_assert_eq(m.state, MEMBERSHIP_MEMBER);
	cr_assert_eq(m.until, 1798761600); /* 2027-01-01T00:00:00Z */
	cr_assert_eq(store_api_token_list(s, u.id, &tl), ST_OK);
	cr_assert_eq(tl.count, 1);
	cr_assert_str_eq(tl.items[0].name, "newsboat");
	api_token_list_release(&tl);
	store_close(s);
	cr_assert_eq(
		run(cmd_user, NULL, "user", "revoke", "ada@example.com", NULL),
		EXIT_OK);
	s = open_db();
	cr_assert_eq(account_membership(s, u.id, &m), ST_OK);
	cr_assert_eq(m.state, MEMBERSHIP_CANCELLED);
	user_release(&u);
	cr_assert_eq(store_user_by_email(s, "pub@example.com", &u), ST_OK);
	cr_assert_str_eq(u.role, "publisher");
	cr_assert_str_eq(u.publisher_slug, "herald");
	user_release(&u);
	store_close(s);
}

Test(account_cli, payouts_command)
{
	struct store *s = open_db();

	store_close(s);
	cr_assert_eq(run(cmd_payouts, NULL, "payouts", "--help", NULL),
		     EXIT_OK);
	cr_assert_eq(run(cmd_payouts, NULL, "payouts", NULL), EXIT_USAGE);
	cr_assert_eq(run(cmd_payouts, NULL, "payouts", "2026-13", NULL),
		     EXIT_USAGE);
	cr_assert_eq(run(cmd_payouts, NULL, "payouts", "2026-11", NULL),
		     EXIT_OK);
	cr_assert_eq(
		run(cmd_payouts, NULL, "payouts", "2026-11", "--csv", NULL),
		EXIT_OK);
	cr_assert_eq(run(cmd_payouts, NULL, "payouts", "2026-11", "--publisher",
			 "nobody", NULL),
		     EXIT_FAIL);
}
