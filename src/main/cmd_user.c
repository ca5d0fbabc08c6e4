/*
 * cmd_user.c — newsstand user …: the operator's view of accounts.
 */
#include "common.h"

#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "account/account.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "main/cli.h"
#include "main/commands.h"
#include "store/accounts.h"

int cmd_user(int argc, char **argv);

static const char usage[] =
	"newsstand user add EMAIL [--role member|editor|publisher|admin]\n"
	"                   [--publisher SLUG]\n"
	"newsstand user grant EMAIL --until YYYY-MM-DD\n"
	"newsstand user revoke EMAIL\n"
	"newsstand user token EMAIL [--name NAME]\n"
	"newsstand user role EMAIL --role ROLE [--publisher SLUG]\n"
	"newsstand user list\n\n"
	"'add' reads the password from standard input (one line, at least\n"
	"10 characters). 'grant' makes the user a member through the given\n"
	"day (UTC); 'revoke' ends the membership now. 'token' prints a new\n"
	"API token (shown once) for Authorization: Bearer. A publisher user\n"
	"needs --publisher. Every membership change is kept as a billing\n"
	"event.";

static int fail(const char *fmt, ...) PRINTF_LIKE(1, 2);

static int
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("newsstand user: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

/* Reads one line of standard input without echo when it is a terminal. */
static bool
read_password(char *out, size_t size)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	bool ok;
	size_t len;

	if (tty) {
		fputs("Password: ", stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	ok = fgets(out, (int)size, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!ok)
		return false;
	len = strlen(out);
	if (len && out[len - 1] == '\n')
		out[--len] = '\0';
	else if (len == size - 1)
		return false; /* longer than we take */
	if (len && out[len - 1] == '\r')
		out[--len] = '\0';
	return true;
}

/* Parses YYYY-MM-DD into the start of the following day (UTC). */
static bool
parse_until(const char *s, int64_t *out)
{
	struct tm tm = {0}, check;
	time_t t;
	char *end;

	if (!s || strlen(s) != 10)
		return false;
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end)
		return false;
	t = timegm(&tm);
	/* 2026-02-30 is not a day. */
	if (!gmtime_r(&t, &check) || check.tm_mday != tm.tm_mday)
		return false;
	*out = (int64_t)t + 86400;
	return true;
}

static void
format_day(int64_t t, char *out, size_t size)
{
	char tmp[32];

	if (!t) {
		snprintf(out, size, "-");
		return;
	}
	clock_format_rfc3339(t, tmp, sizeof(tmp));
	snprintf(out, size, "%.10s", tmp);
}

static int
find_user(struct store *s, const char *email, struct user *u)
{
	char norm[256];
	const char *why;
	enum status rc;

	if (!account_email_normalise(email, norm, sizeof(norm), &why))
		return fail("'%s': %s", email, why);
	rc = store_user_by_email(s, norm, u);
	if (rc == ST_NOTFOUND)
		return fail("no user '%s'", norm);
	return rc ? EXIT_FAIL : EXIT_OK;
}

static int
publisher_id_of(struct store *s, const char *slug, int64_t *id)
{
	struct publisher p = {0};
	enum status rc;

	*id = 0;
	if (!slug)
		return EXIT_OK;
	rc = store_publisher_by_slug(s, slug, &p);
	if (rc == ST_NOTFOUND)
		return fail("no publisher '%s'", slug);
	if (rc)
		return EXIT_FAIL;
	*id = p.id;
	publisher_release(&p);
	return EXIT_OK;
}

static int
user_add(struct store *s, const char *email, enum account_role role,
	 const char *publisher)
{
	char password[ACCOUNT_PASSWORD_MAX + 2];
	const char *why = NULL;
	int64_t publisher_id, id;
	enum status rc;

	if (publisher_id_of(s, publisher, &publisher_id))
		return EXIT_FAIL;
	if (!read_password(password, sizeof(password)))
		return fail("no password on standard input (one line)");
	rc = account_signup(s, email, password, role, publisher_id, &id, &why);
	memset(password, 0, sizeof(password));
	if (rc)
		return fail("%s", why ? why : status_str(rc));
	printf("user %s added (id %" PRId64 ", role %s)\n", email, id,
	       account_role_name(role));
	return EXIT_OK;
}

static int
user_list(struct store *s)
{
	struct user_list l = {0};
	size_t i;

	if (store_user_list(s, &l))
		return EXIT_FAIL;
	printf("%-6s %-36s %-10s %-16s %-10s %s\n", "ID", "EMAIL", "ROLE",
	       "PUBLISHER", "STATE", "UNTIL");
	for (i = 0; i < l.count; i++) {
		struct membership_view m;
		char until[16];

		if (account_membership(s, l.items[i].id, &m)) {
			user_list_release(&l);
			return EXIT_FAIL;
		}
		format_day(m.until ? m.until - 1 : 0, until, sizeof(until));
		printf("%-6" PRId64 " %-36s %-10s %-16s %-10s %s\n",
		       l.items[i].id, l.items[i].email, l.items[i].role,
		       l.items[i].publisher_slug ? l.items[i].publisher_slug
						 : "-",
		       account_state_name(m.state), until);
	}
	user_list_release(&l);
	return EXIT_OK;
}

int
cmd_user(int argc, char **argv)
{
	const char *role_name = NULL, *publisher = NULL, *until = NULL,
		   *name = NULL;
	const struct cli_option opts[] = {
		CLI_DATA_DIR,
		CLI_LOG_LEVEL,
		{"role", "ROLE", "member, editor, publisher or admin", NULL,
		 &role_name, NULL},
		{"publisher", "SLUG", "the publisher of a publisher user", NULL,
		 &publisher, NULL},
		{"until", "YYYY-MM-DD", "last day of a granted membership",
		 NULL, &until, NULL},
		{"name", "NAME", "a label for an API token", NULL, &name, NULL},
		CLI_END,
	};
	enum account_role role = ROLE_MEMBER;
	struct store *s = NULL;
	struct user u = {0};
	const char *action;
	int nargs, rc;
	int64_t when = 0;

	rc = cli_parse(argc, argv, usage, opts, &nargs);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (nargs < 1)
		return cli_usage_error("user", "which action: add, grant, "
					       "revoke, token, role or list?");
	action = argv[1];
	if (role_name && !account_role_parse(role_name, &role))
		return cli_usage_error("user",
				       "--role is member, editor, publisher "
				       "or admin, not '%s'",
				       role_name);
	if (!strcmp(action, "list")) {
		if (nargs != 1)
			return cli_usage_error("user",
					       "list takes no arguments");
	} else if (!strcmp(action, "add") || !strcmp(action, "grant") ||
		   !strcmp(action, "revoke") || !strcmp(action, "token") ||
		   !strcmp(action, "role")) {
		if (nargs != 2)
			return cli_usage_error("user", "%s needs one EMAIL",
					       action);
	} else {
		return cli_usage_error("user", "unknown action '%s'", action);
	}
	if ((!strcmp(action, "add") || !strcmp(action, "role")) &&
	    role == ROLE_PUBLISHER && !publisher)
		return cli_usage_error("user", "a publisher user needs "
					       "--publisher SLUG");
	if (!strcmp(action, "role") && !role_name)
		return cli_usage_error("user", "role needs --role");
	if (!strcmp(action, "grant") && !parse_until(until, &when))
		return cli_usage_error("user",
				       "grant needs --until YYYY-MM-DD");
	if (store_open(config.data_dir, STORE_WRITE, 0, &s))
		return EXIT_FAIL;
	if (!strcmp(action, "list")) {
		rc = user_list(s);
		goto out;
	}
	if (!strcmp(action, "add")) {
		rc = user_add(s, argv[2], role, publisher);
		goto out;
	}
	rc = find_user(s, argv[2], &u);
	if (rc)
		goto out;
	if (!strcmp(action, "grant")) {
		if (when <= clock_now()) {
			rc = fail("--until %s is in the past", until);
			goto out;
		}
		rc = account_grant(s, u.id, when, "the operator") ? EXIT_FAIL
								  : EXIT_OK;
		if (!rc)
			printf("%s is a member through %s\n", u.email, until);
	} else if (!strcmp(action, "revoke")) {
		rc = account_revoke(s, u.id, "the operator") ? EXIT_FAIL
							     : EXIT_OK;
		if (!rc)
			printf("%s's membership is cancelled\n", u.email);
	} else if (!strcmp(action, "token")) {
		char *token = NULL;

		rc = account_api_token_create(s, u.id, name ? name : "cli",
					      &token, NULL)
			     ? EXIT_FAIL
			     : EXIT_OK;
		if (!rc)
			printf("%s\n", token);
		free(token);
	} else {
		int64_t publisher_id;

		rc = publisher_id_of(s, publisher, &publisher_id);
		if (!rc)
			rc = account_set_role(s, u.id, role, publisher_id)
				     ? EXIT_FAIL
				     : EXIT_OK;
		if (!rc)
			printf("%s is now %s (signed out everywhere)\n",
			       u.email, account_role_name(role));
	}
out:
	user_release(&u);
	store_close(s);
	return rc;
}
