/*
 * test_account.c — accounts: sign-up and sign-in, sessions, CSRF, roles,
 * throttling, API tokens, memberships, webhooks, resets, members' features.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <unistd.h>

#include "account/account.h"
#include "account/payouts.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "store/accounts.h"
#include "support/smtp_sink.h"
#include "support/testutil.h"

/* The route flags of web/http.h, as account_route_allowed() reads them. */
enum {
	F_STATE = 1u << 4,
	F_MEMBER = 1u << 5,
	F_EDITOR = 1u << 6,
	F_ADMIN = 1u << 7,
};

static char *dir;
static struct store *db;
static const int64_t T0 = 1795000000; /* 2026-11-18 */

/* Fast hashing for tests; the real parameters are tested once below. */
static void
fast_limits(void)
{
	struct account_limits l;

	account_limits_default(&l);
	l.hash_opslimit = 1;
	l.hash_memlimit = 8192;
	account_limits_set(&l);
}

static void
setup(void)
{
	config_defaults();
	log_set_level(LOG_ERROR);
	dir = test_tmpdir();
	cr_assert_not_null(dir);
	cr_assert_eq(config_set("data_dir", dir, "test"), ST_OK);
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &db), ST_OK);
	clock_set(T0);
	fast_limits();
}

static void
teardown(void)
{
	account_writer_close();
	store_close(db);
	test_rmdir(dir);
	free(dir);
	clock_set(0);
	unsetenv("NEWSSTAND_WEBHOOK_SECRET");
	unsetenv("NEWSSTAND_SMTP_URL");
	config_free();
}

TestSuite(account, .init = setup, .fini = teardown);

static int64_t
signup(const char *email, const char *password)
{
	const char *why = NULL;
	int64_t id = 0;

	cr_assert_eq(
		account_signup(db, email, password, ROLE_MEMBER, 0, &id, &why),
		ST_OK, "signup %s: %s", email, why ? why : "");
	return id;
}

static struct viewer
resolve(const char *cookie)
{
	struct viewer v;

	cr_assert_eq(
		account_resolve_viewer(db, cookie, NULL, "127.0.0.1", NULL, &v),
		ST_OK);
	return v;
}

static struct account_login
signin(const char *email, const char *password)
{
	struct account_login login;

	cr_assert_eq(
		account_signin(db, email, password, "10.0.0.1", "test", &login),
		ST_OK);
	return login;
}

/* ---- Emails and passwords ------------------------------------------------ */

Test(account, email_normalisation)
{
	static const struct {
		const char *in;
		const char *out; /* NULL: invalid */
	} cases[] = {
		{"  Ada@Example.COM ", "ada@example.com"},
		{"a.b+tag@mail.example.org", "a.b+tag@mail.example.org"},
		{"no-at-sign.example.com", NULL},
		{"two@@example.com", NULL},
		{"a@b@example.com", NULL},
		{"@example.com", NULL},
		{"ada@", NULL},
		{"ada@localhost", NULL},
		{"ada@.example.com", NULL},
		{"ada@example.com.", NULL},
		{".ada@example.com", NULL},
		{"ad a@example.com", NULL},
		{"ada@exa mple.com", NULL},
		{"", NULL},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char out[256];
		const char *why = NULL;
		bool ok = account_email_normalise(cases[i].in, out, sizeof(out),
						  &why);

		cr_expect_eq(ok, cases[i].out != NULL, "%s", cases[i].in);
		if (ok && cases[i].out)
			cr_expect_str_eq(out, cases[i].out);
		if (!ok)
			cr_expect_not_null(why);
	}
}

Test(account, signup_errors_are_clear)
{
	const char *why = NULL;
	int64_t id = 0;

	cr_assert_eq(account_signup(db, "ada@example.com", "short", ROLE_MEMBER,
				    0, &id, &why),
		     ST_INVAL);
	cr_assert_not_null(strstr(why, "at least 10 characters"));
	cr_assert_eq(account_signup(db, "not-an-email", "long enough pw",
				    ROLE_MEMBER, 0, &id, &why),
		     ST_INVAL);
	cr_assert_not_null(strstr(why, "email"));
	signup("ada@example.com", "correct horse battery");
	cr_assert_eq(account_signup(db, "ADA@example.com ",
				    "another long password", ROLE_MEMBER, 0,
				    &id, &why),
		     ST_EXISTS);
	cr_assert_not_null(strstr(why, "already exists"));
	/* Ten characters, counted as characters not bytes. */
	cr_assert_null(account_password_problem("0123456789"));
	cr_assert_not_null(account_password_problem("ééééééééé"));
}

/* ---- Sign-in and sessions ------------------------------------------------ */

Test(account, signin_gives_a_new_token_each_time)
{
	struct account_login a, b;
	struct viewer v;
	int64_t id = signup("ada@example.com", "correct horse battery");
	unsigned char hash[STORE_TOKEN_HASH];
	struct store_session ss = {0};

	a = signin("Ada@Example.com", "correct horse battery");
	b = signin("ada@example.com", "correct horse battery");
	cr_assert_eq(a.user_id, id);
	cr_assert_str_neq(a.token, b.token);
	cr_assert_str_neq(a.csrf, b.csrf);
	cr_assert_eq(strlen(a.token), 43);
	v = resolve(a.token);
	cr_assert_eq(v.user_id, id);
	cr_assert_str_eq(v.email, "ada@example.com");
	cr_assert_str_eq(v.csrf, a.csrf);
	cr_assert_eq(v.state, MEMBERSHIP_VISITOR);
	cr_assert(!v.can_read_full);
	/* Only the hash is stored: the token itself is not a key. */
	memset(hash, 0, sizeof(hash));
	memcpy(hash, a.token, sizeof(hash));
	cr_assert_eq(store_session_by_hash(db, hash, &ss), ST_NOTFOUND);
}

Test(account, wrong_password_and_unknown_email_look_alike)
{
	struct account_login login;
	struct account_hash_stats before, after;

	signup("ada@example.com", "correct horse battery");
	account_hash_stats(&before, false);
	cr_assert_eq(account_signin(db, "ada@example.com", "wrong password!",
				    "10.0.0.1", NULL, &login),
		     ST_DENIED);
	cr_assert_eq(account_signin(db, "bob@example.com", "wrong password!",
				    "10.0.0.1", NULL, &login),
		     ST_DENIED);
	account_hash_stats(&after, false);
	/* Both paths verified a hash (plus the dummy hash made once). */
	cr_assert_geq(after.done - before.done, 2);
	cr_assert_leq(after.done - before.done, 3);
}

/* A monotonic clock in microseconds. */
static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

Test(account, similar_timing_for_unknown_email)
{
	struct account_limits l;
	struct account_login login;
	int64_t t0, known = INT64_MAX, unknown = INT64_MAX;
	int i;

	account_limits_default(&l);
	l.hash_opslimit = 2;
	l.hash_memlimit = 4 * 1024 * 1024;
	l.account_burst = 100;
	l.addr_burst = 100;
	account_limits_set(&l);
	signup("ada@example.com", "correct horse battery");
	/* Warm the dummy hash. */
	cr_assert_eq(account_signin(db, "x@example.com", "p", "10.0.0.9", NULL,
				    &login),
		     ST_DENIED);
	/* The fastest of several tries of each: what the work costs, not
	 * what the machine's other tenants took from one of them. */
	for (i = 0; i < 7; i++) {
		t0 = mono_us();
		cr_assert_eq(account_signin(db, "ada@example.com",
					    "wrong password!", "10.0.0.1", NULL,
					    &login),
			     ST_DENIED);
		known = MIN(known, mono_us() - t0);
		t0 = mono_us();
		cr_assert_eq(account_signin(db, "nobody@example.com",
					    "wrong password!", "10.0.0.1", NULL,
					    &login),
			     ST_DENIED);
		unknown = MIN(unknown, mono_us() - t0);
	}
	cr_log_info("wrong password %lld us, unknown email %lld us (fastest "
		    "of 7 each)",
		    (long long)known, (long long)unknown);
	/* Within a factor of two of each other (both are one hash). */
	cr_assert_lt(known, unknown * 2 + 1000);
	cr_assert_lt(unknown, known * 2 + 1000);
}

Test(account, signout_kills_the_token)
{
	struct account_login a, b;
	struct viewer v;

	signup("ada@example.com", "correct horse battery");
	a = signin("ada@example.com", "correct horse battery");
	b = signin("ada@example.com", "correct horse battery");
	v = resolve(a.token);
	cr_assert_eq(account_signout(db, &v), ST_OK);
	cr_assert_eq(resolve(a.token).user_id, 0);
	cr_assert_neq(resolve(b.token).user_id, 0);
	cr_assert_eq(account_signout_all(db, v.user_id), ST_OK);
	cr_assert_eq(resolve(b.token).user_id, 0);
}

Test(account, rotation_replaces_the_token)
{
	struct account_login a, b;
	struct viewer v;

	signup("ada@example.com", "correct horse battery");
	a = signin("ada@example.com", "correct horse battery");
	v = resolve(a.token);
	cr_assert_eq(account_session_rotate(db, &v, &b), ST_OK);
	cr_assert_str_neq(a.token, b.token);
	cr_assert_eq(resolve(a.token).user_id, 0);
	cr_assert_eq(resolve(b.token).user_id, v.user_id);
}

Test(account, sessions_expire_when_idle_and_at_the_absolute_limit)
{
	struct account_login a;

	config.session_idle = 3600;
	config.session_max = 3 * 3600;
	signup("ada@example.com", "correct horse battery");
	a = signin("ada@example.com", "correct horse battery");
	/* Used every 50 minutes: alive until the absolute limit. */
	clock_advance(3000);
	cr_assert_neq(resolve(a.token).user_id, 0);
	clock_advance(3000);
	cr_assert_neq(resolve(a.token).user_id, 0);
	clock_advance(3000);
	cr_assert_neq(resolve(a.token).user_id, 0);
	clock_advance(2000); /* 11000 s > 3 h */
	cr_assert_eq(resolve(a.token).user_id, 0);
	/* Idle for more than an hour. */
	a = signin("ada@example.com", "correct horse battery");
	clock_advance(3601);
	cr_assert_eq(resolve(a.token).user_id, 0);
}

Test(account, garbage_cookies_are_visitors)
{
	static const char *const cookies[] = {
		"",
		"x",
		"../../etc/passwd",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cookies); i++)
		cr_assert_eq(resolve(cookies[i]).user_id, 0);
}

Test(account, csrf_needs_the_sessions_own_token)
{
	struct account_login a, b;
	struct viewer v, visitor;

	signup("ada@example.com", "correct horse battery");
	signup("bob@example.com", "correct horse battery");
	a = signin("ada@example.com", "correct horse battery");
	b = signin("bob@example.com", "correct horse battery");
	v = resolve(a.token);
	cr_assert(account_check_csrf(&v, a.csrf));
	cr_assert(!account_check_csrf(&v, NULL));
	cr_assert(!account_check_csrf(&v, ""));
	cr_assert(!account_check_csrf(&v, b.csrf)); /* a foreign token */
	cr_assert(!account_check_csrf(&v, a.token));
	visitor = resolve(NULL);
	cr_assert(!account_check_csrf(&visitor, a.csrf));
	cr_assert(!account_check_csrf(NULL, a.csrf));
}

Test(account, cookie_flags)
{
	struct buf b = BUF_INIT;

	free(config.base_url);
	config.base_url = xstrdup("https://news.example.com");
	cr_assert_str_eq(account_cookie_name(), "__Host-session");
	account_cookie_header(&b, "TOKEN");
	cr_assert_not_null(strstr(b.data, "__Host-session=TOKEN"));
	cr_assert_not_null(strstr(b.data, "; Path=/"));
	cr_assert_not_null(strstr(b.data, "; HttpOnly"));
	cr_assert_not_null(strstr(b.data, "; SameSite=Lax"));
	cr_assert_not_null(strstr(b.data, "; Secure"));
	cr_assert_null(strstr(b.data, "Domain="));
	buf_reset(&b);
	free(config.base_url);
	config.base_url = xstrdup("http://127.0.0.1:8080");
	cr_assert_str_eq(account_cookie_name(), "session");
	account_cookie_header(&b, NULL);
	cr_assert_not_null(strstr(b.data, "session=; Path=/"));
	cr_assert_not_null(strstr(b.data, "Max-Age=0"));
	cr_assert_null(strstr(b.data, "Secure"));
	buf_release(&b);
}

/* ---- Throttling and the client address ----------------------------------- */

Test(account, throttling_per_account)
{
	struct account_limits l;
	struct account_login login;
	int i;

	account_limits_get(&l);
	l.account_burst = 3;
	l.account_per_minute = 1;
	account_limits_set(&l);
	signup("ada@example.com", "correct horse battery");
	for (i = 0; i < 3; i++)
		cr_assert_eq(account_signin(db, "ada@example.com", "wrong one!",
					    "10.0.0.1", NULL, &login),
			     ST_DENIED);
	/* Even the right password waits now, from any address. */
	cr_assert_eq(account_signin(db, "ada@example.com",
				    "correct horse battery", "10.9.9.9", NULL,
				    &login),
		     ST_AGAIN);
	/* Another account is not affected. */
	signup("bob@example.com", "correct horse battery");
	cr_assert_eq(account_signin(db, "bob@example.com",
				    "correct horse battery", "10.0.0.1", NULL,
				    &login),
		     ST_OK);
	/* A minute later one attempt is back. */
	clock_advance(61);
	cr_assert_eq(account_signin(db, "ada@example.com",
				    "correct horse battery", "10.0.0.1", NULL,
				    &login),
		     ST_OK);
}

Test(account, throttling_per_address)
{
	struct account_limits l;
	struct account_login login;
	char email[64];
	int i;

	account_limits_get(&l);
	l.addr_burst = 5;
	l.addr_per_minute = 1;
	account_limits_set(&l);
	for (i = 0; i < 5; i++) {
		snprintf(email, sizeof(email), "u%d@example.com", i);
		cr_assert_eq(account_signin(db, email, "whatever pw",
					    "192.0.2.7", NULL, &login),
			     ST_DENIED);
	}
	cr_assert_eq(account_signin(db, "u99@example.com", "whatever pw",
				    "192.0.2.7", NULL, &login),
		     ST_AGAIN);
	cr_assert_eq(account_signin(db, "u99@example.com", "whatever pw",
				    "192.0.2.8", NULL, &login),
		     ST_DENIED);
}

Test(account, forwarded_for_only_from_trusted_proxies)
{
	static const struct {
		const char *peer, *xff, *want;
	} cases[] = {
		{"203.0.113.5", "198.51.100.1", "203.0.113.5"},
		{"127.0.0.1", "198.51.100.1", "198.51.100.1"},
		{"127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"},
		{"127.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.2",
		 "198.51.100.1"},
		{"127.0.0.1", "", "127.0.0.1"},
		{"127.0.0.1", NULL, "127.0.0.1"},
		{"10.0.0.2", " 198.51.100.9 ", "198.51.100.9"},
	};
	size_t i;

	free(config.trusted_proxies);
	config.trusted_proxies = xstrdup("127.0.0.1, 10.0.0.2");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char out[64];

		account_client_addr(cases[i].peer, cases[i].xff, out,
				    sizeof(out));
		cr_expect_str_eq(out, cases[i].want, "case %zu", i);
	}
}

/* ---- Passwords ----------------------------------------------------------- */

Test(account, rehash_on_login_when_parameters_change)
{
	struct account_limits l;
	struct user before = {0}, after = {0};
	int64_t id = signup("ada@example.com", "correct horse battery");

	cr_assert_eq(store_user_get(db, id, &before), ST_OK);
	cr_assert_not_null(strstr(before.password_hash, "$argon2id$"));
	cr_assert_not_null(strstr(before.password_hash, "m=8,t=1"));
	account_limits_get(&l);
	l.hash_opslimit = 2;
	l.hash_memlimit = 16384;
	account_limits_set(&l);
	signin("ada@example.com", "correct horse battery");
	cr_assert_eq(store_user_get(db, id, &after), ST_OK);
	cr_assert_not_null(strstr(after.password_hash, "m=16,t=2"));
	signin("ada@example.com", "correct horse battery");
	user_release(&before);
	user_release(&after);
}

Test(account, change_password)
{
	struct account_login a, b;
	struct viewer v;
	const char *why;

	signup("ada@example.com", "correct horse battery");
	a = signin("ada@example.com", "correct horse battery");
	b = signin("ada@example.com", "correct horse battery");
	v = resolve(a.token);
	cr_assert_eq(account_change_password(db, &v, "wrong current",
					     "a brand new password", &why),
		     ST_DENIED);
	cr_assert_not_null(strstr(why, "current password"));
	cr_assert_eq(account_change_password(db, &v, "correct horse battery",
					     "short", &why),
		     ST_INVAL);
	cr_assert_eq(account_change_password(db, &v, "correct horse battery",
					     "a brand new password", &why),
		     ST_OK);
	/* This session stays, the others end. */
	cr_assert_neq(resolve(a.token).user_id, 0);
	cr_assert_eq(resolve(b.token).user_id, 0);
	signin("ada@example.com", "a brand new password");
}

struct flood {
	const char *email;
	int attempts;
	int ok, denied, again;
};

static void *
flood_thread(void *arg)
{
	struct flood *f = arg;
	struct account_login login;
	struct store *s = NULL;
	int i;

	if (store_open(dir, STORE_WRITE, 0, &s))
		return NULL;
	for (i = 0; i < f->attempts; i++) {
		enum status rc = account_signin(s, f->email, "wrong password",
						"10.1.1.1", NULL, &login);

		if (rc == ST_OK)
			f->ok++;
		else if (rc == ST_DENIED)
			f->denied++;
		else if (rc == ST_AGAIN)
			f->again++;
	}
	store_close(s);
	return NULL;
}

static long
peak_rss_kib(void)
{
	char *status = test_read_file("/proc/self/status", NULL);
	const char *p = status ? strstr(status, "VmHWM:") : NULL;
	long kib = p ? strtol(p + 6, NULL, 10) : -1;

	free(status);
	return kib;
}

Test(account, login_flood_stays_under_the_hashing_cap)
{
	enum { THREADS = 12, EACH = 3, CAP = 2, MEM = 16 * 1024 * 1024 };
	struct account_limits l;
	struct account_hash_stats st;
	struct flood f[THREADS];
	pthread_t t[THREADS];
	struct account_login login;
	long before, after;
	int i, denied = 0, again = 0;

	account_limits_default(&l);
	l.hash_opslimit = 1;
	l.hash_memlimit = MEM;
	l.hash_concurrency = CAP;
	l.hash_wait_ms = 50;
	l.account_burst = 1000;
	l.addr_burst = 1000;
	account_limits_set(&l);
	signup("ada@example.com", "correct horse battery");
	before = peak_rss_kib();
	account_hash_stats(&st, true);
	for (i = 0; i < THREADS; i++) {
		f[i] = (struct flood){.email = "ada@example.com",
				      .attempts = EACH};
		cr_assert_eq(pthread_create(&t[i], NULL, flood_thread, &f[i]),
			     0);
	}
	/* Meanwhile a signed-in reader is still recognised. */
	{
		struct account_login other;

		cr_assert_eq(
			account_session_open(db, 1, "10.3.3.3", NULL, &other),
			ST_OK);
		cr_assert_eq(resolve(other.token).user_id, 1);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	account_hash_stats(&st, false);
	after = peak_rss_kib();
	for (i = 0; i < THREADS; i++) {
		cr_assert_eq(f[i].ok, 0);
		denied += f[i].denied;
		again += f[i].again;
	}
	cr_log_info("flood: %d denied, %d refused (busy), peak %u hashes at "
		    "once, peak RSS +%ld KiB",
		    denied, again, st.peak_in_flight, after - before);
	cr_assert_eq(denied + again, THREADS * EACH);
	cr_assert_leq(st.peak_in_flight, CAP);
	cr_assert_gt(again, 0, "some attempts were told to wait");
	/* At most CAP hashes' memory, plus slack for threads and SQLite. */
	if (before > 0 && after > 0)
		cr_assert_lt(after - before,
			     (long)CAP * MEM / 1024 + 48 * 1024);
	/* The server still works for others. */
	l.hash_wait_ms = 5000;
	account_limits_set(&l);
	cr_assert_eq(account_signin(db, "ada@example.com",
				    "correct horse battery", "10.2.2.2", NULL,
				    &login),
		     ST_OK);
}

/* ---- API tokens and roles ------------------------------------------------ */

Test(account, api_tokens)
{
	struct api_token_list l = {0};
	struct viewer v;
	char *token = NULL, header[128];
	int64_t id = signup("ada@example.com", "correct horse battery"),
		token_id;

	cr_assert_eq(account_api_token_create(db, id, "reader app", &token,
					      &token_id),
		     ST_OK);
	cr_assert_eq(strncmp(token, "nsk_", 4), 0);
	snprintf(header, sizeof(header), "Bearer %s", token);
	cr_assert_eq(
		account_resolve_viewer(db, NULL, header, "127.0.0.1", NULL, &v),
		ST_OK);
	cr_assert_eq(v.user_id, id);
	cr_assert(v.via_bearer);
	cr_assert(account_check_csrf(&v, NULL));
	cr_assert_eq(store_api_token_list(db, id, &l), ST_OK);
	cr_assert_eq(l.count, 1);
	cr_assert_str_eq(l.items[0].name, "reader app");
	cr_assert_eq(l.items[0].last_used_at, T0);
	api_token_list_release(&l);
	/* Someone else cannot revoke it. */
	cr_assert_eq(account_api_token_revoke(db, id + 1, token_id),
		     ST_NOTFOUND);
	cr_assert_eq(account_api_token_revoke(db, id, token_id), ST_OK);
	cr_assert_eq(
		account_resolve_viewer(db, NULL, header, "127.0.0.1", NULL, &v),
		ST_OK);
	cr_assert_eq(v.user_id, 0);
	header[strlen(header) - 1] ^= 1;
	cr_assert_eq(
		account_resolve_viewer(db, NULL, header, "127.0.0.1", NULL, &v),
		ST_OK);
	cr_assert_eq(v.user_id, 0);
	free(token);
}

Test(account, route_roles)
{
	static const struct {
		unsigned flags;
		bool visitor, member, editor, publisher, admin;
	} cases[] = {
		{0, true, true, true, true, true},
		{F_STATE, true, true, true, true, true},
		{F_MEMBER, false, true, true, true, true},
		{F_EDITOR, false, false, true, false, true},
		{WEB_PUBLISHER, false, false, false, true, true},
		{F_ADMIN, false, false, false, false, true},
		{F_MEMBER | F_ADMIN, false, false, false, false, true},
	};
	struct viewer visitor = {0}, member = {.user_id = 1},
		      editor = {.user_id = 2, .role = ROLE_EDITOR},
		      publisher = {.user_id = 3,
				   .role = ROLE_PUBLISHER,
				   .publisher_id = 9},
		      unlinked = {.user_id = 4, .role = ROLE_PUBLISHER},
		      admin = {.user_id = 5, .role = ROLE_ADMIN};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned f = cases[i].flags;

		cr_expect_eq(account_route_allowed(&visitor, f),
			     cases[i].visitor, "visitor %zu", i);
		cr_expect_eq(account_route_allowed(&member, f), cases[i].member,
			     "member %zu", i);
		cr_expect_eq(account_route_allowed(&editor, f), cases[i].editor,
			     "editor %zu", i);
		cr_expect_eq(account_route_allowed(&publisher, f),
			     cases[i].publisher, "publisher %zu", i);
		cr_expect_eq(account_route_allowed(&admin, f), cases[i].admin,
			     "admin %zu", i);
	}
	cr_expect(!account_route_allowed(&unlinked, WEB_PUBLISHER));
	cr_expect(!account_route_allowed(NULL, F_MEMBER));
}

Test(account, role_change_ends_sessions)
{
	struct publisher p = {.slug = (char *)"herald",
			      .name = (char *)"Herald"};
	struct account_login a, b;
	struct viewer v;
	int64_t id = signup("ada@example.com", "correct horse battery");

	cr_assert_eq(store_publisher_put(db, &p), ST_OK);
	a = signin("ada@example.com", "correct horse battery");
	cr_assert_eq(account_set_role(db, id, ROLE_PUBLISHER, 0), ST_INVAL);
	cr_assert_eq(account_set_role(db, id, ROLE_PUBLISHER, p.id), ST_OK);
	cr_assert_eq(resolve(a.token).user_id, 0);
	b = signin("ada@example.com", "correct horse battery");
	v = resolve(b.token);
	cr_assert_eq(v.role, ROLE_PUBLISHER);
	cr_assert_eq(v.publisher_id, p.id);
	cr_assert(account_route_allowed(&v, WEB_PUBLISHER));
	cr_assert(!account_route_allowed(&v, F_ADMIN));
}

/* ---- Memberships and the paywall ----------------------------------------- */

Test(account, trial_once_then_lapse)
{
	struct billing_event_list el = {0};
	struct membership_view m;
	struct account_login a;
	struct viewer v;
	int64_t id = signup("ada@example.com", "correct horse battery");

	a = signin("ada@example.com", "correct horse battery");
	v = resolve(a.token);
	cr_assert_eq(v.state, MEMBERSHIP_VISITOR);
	cr_assert(!account_can_read_full(&v));
	cr_assert_eq(account_trial_start(db, id), ST_OK);
	v = resolve(a.token);
	cr_assert_eq(v.state, MEMBERSHIP_TRIAL);
	cr_assert_eq(v.until, T0 + 14 * 86400);
	cr_assert(account_can_read_full(&v));
	cr_assert(v.can_read_full);
	cr_assert_eq(account_trial_start(db, id), ST_EXISTS);
	/* The last second of the trial, then lapsed. */
	clock_set(T0 + 14 * 86400 - 1);
	cr_assert(account_can_read_full(&v));
	clock_set(T0 + 14 * 86400);
	cr_assert(!account_can_read_full(&v)); /* even a cached viewer */
	cr_assert_eq(account_membership(db, id, &m), ST_OK);
	cr_assert_eq(m.state, MEMBERSHIP_LAPSED);
	cr_assert(m.trial_used);
	cr_assert_eq(account_trial_start(db, id), ST_EXISTS);
	cr_assert_eq(store_billing_event_list(db, id, 0, &el), ST_OK);
	cr_assert_eq(el.count, 1);
	cr_assert_str_eq(el.items[0].kind, "trial_started");
	billing_event_list_release(&el);
}

Test(account, grant_and_revoke)
{
	struct billing_event_list el = {0};
	struct membership_view m;
	int64_t id = signup("ada@example.com", "correct horse battery");
	int64_t until = T0 + 30 * 86400;

	cr_assert_eq(account_grant(db, id, T0 - 1, "test"), ST_INVAL);
	cr_assert_eq(account_grant(db, id, until, "test"), ST_OK);
	cr_assert_eq(account_membership(db, id, &m), ST_OK);
	cr_assert_eq(m.state, MEMBERSHIP_MEMBER);
	cr_assert_eq(m.until, until);
	/* A member cannot start a trial on top. */
	cr_assert_eq(account_trial_start(db, id), ST_CONFLICT);
	cr_assert_eq(account_revoke(db, id, "test"), ST_OK);
	cr_assert_eq(account_membership(db, id, &m), ST_OK);
	cr_assert_eq(m.state, MEMBERSHIP_CANCELLED);
	cr_assert_eq(store_billing_event_list(db, id, 0, &el), ST_OK);
	cr_assert_eq(el.count, 2);
	cr_assert_str_eq(el.items[0].kind, "revoked");
	cr_assert_str_eq(el.items[1].kind, "granted");
	billing_event_list_release(&el);
}

Test(account, paywall_by_state)
{
	static const struct {
		enum membership_state state;
		int64_t until_offset;
		bool full;
	} cases[] = {
		{MEMBERSHIP_VISITOR, 0, false},
		{MEMBERSHIP_TRIAL, 3600, true},
		{MEMBERSHIP_TRIAL, 0, false},
		{MEMBERSHIP_MEMBER, 86400, true},
		{MEMBERSHIP_MEMBER, -1, false},
		{MEMBERSHIP_LAPSED, 86400, false},
		{MEMBERSHIP_CANCELLED, 86400, false},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct viewer v = {.user_id = 1,
				   .state = cases[i].state,
				   .until = T0 + cases[i].until_offset};

		cr_expect_eq(account_can_read_full(&v), cases[i].full,
			     "case %zu", i);
	}
	cr_expect(!account_can_read_full(NULL));
}

/* ---- Webhooks ------------------------------------------------------------ */

static enum status
post_hook(const char *payload, int64_t t, const char *secret)
{
	struct buf sig = BUF_INIT;
	enum status rc;

	account_webhook_sign(secret, t, payload, strlen(payload), &sig);
	rc = account_webhook_handle(db, sig.data, payload, strlen(payload));
	buf_release(&sig);
	return rc;
}

Test(account, webhook_signatures)
{
	static const char payload[] =
		"{\"id\":\"evt_1\",\"type\":\"subscription.created\","
		"\"data\":{\"email\":\"ada@example.com\",\"customer\":\"cus_"
		"1\","
		"\"amount_cents\":999,\"currency\":\"eur\"}}";
	struct buf sig = BUF_INIT;
	char tampered[sizeof(payload)];

	setenv("NEWSSTAND_WEBHOOK_SECRET", "whsec_test", 1);
	signup("ada@example.com", "correct horse battery");
	account_webhook_sign("whsec_test", T0, payload, strlen(payload), &sig);
	/* Good. */
	cr_assert_eq(account_webhook_verify("whsec_test", sig.data, payload,
					    strlen(payload)),
		     ST_OK);
	/* Tampered payload, wrong secret, tampered signature. */
	memcpy(tampered, payload, sizeof(payload));
	tampered[strlen(tampered) - 5] = '8';
	cr_assert_eq(account_webhook_verify("whsec_test", sig.data, tampered,
					    strlen(tampered)),
		     ST_DENIED);
	cr_assert_eq(account_webhook_verify("other", sig.data, payload,
					    strlen(payload)),
		     ST_DENIED);
	sig.data[sig.len - 1] = sig.data[sig.len - 1] == '0' ? '1' : '0';
	cr_assert_eq(account_webhook_verify("whsec_test", sig.data, payload,
					    strlen(payload)),
		     ST_DENIED);
	/* Malformed headers. */
	cr_assert_eq(account_webhook_verify("whsec_test", "v1=abc", payload,
					    strlen(payload)),
		     ST_INVAL);
	cr_assert_eq(account_webhook_verify("whsec_test", "", payload,
					    strlen(payload)),
		     ST_INVAL);
	cr_assert_eq(account_webhook_verify("", "t=1,v1=00", payload,
					    strlen(payload)),
		     ST_DENIED);
	/* Stale and from the future, beyond five minutes. */
	cr_assert_eq(post_hook(payload, T0 - 301, "whsec_test"), ST_DENIED);
	cr_assert_eq(post_hook(payload, T0 + 301, "whsec_test"), ST_DENIED);
	cr_assert_eq(post_hook(payload, T0 - 299, "whsec_test"), ST_OK);
	/* Replayed (a good signature, a fresh time, the same event). */
	cr_assert_eq(post_hook(payload, T0, "whsec_test"), ST_EXISTS);
	buf_release(&sig);
}

Test(account, webhook_events_move_memberships)
{
	struct membership_view m;
	struct billing_event_list el = {0};
	int64_t revenue = 0;
	int64_t id = signup("ada@example.com", "correct horse battery");
	char payload[512];

	setenv("NEWSSTAND_WEBHOOK_SECRET", "whsec_test", 1);
	snprintf(payload, sizeof(payload),
		 "{\"id\":\"evt_1\",\"type\":\"subscription.created\","
		 "\"data\":{\"email\":\"Ada@Example.com\","
		 "\"customer\":\"cus_1\",\"subscription\":\"sub_1\","
		 "\"amount_cents\":999,\"currency\":\"eur\","
		 "\"period_end\":%lld}}",
		 (long long)(T0 + 30 * 86400));
	cr_assert_eq(post_hook(payload, T0, "whsec_test"), ST_OK);
	cr_assert_eq(account_membership(db, id, &m), ST_OK);
	cr_assert_eq(m.state, MEMBERSHIP_MEMBER);
	cr_assert_eq(m.until, T0 + 30 * 86400);
	/* Renewal found by customer (Stripe's name for it). */
	clock_set(T0 + 30 * 86400 - 10);
	snprintf(payload, sizeof(payload),
		 "{\"id\":\"evt_2\",\"type\":\"invoice.paid\","
		 "\"data\":{\"object\":{\"customer\":\"cus_1\","
		 "\"amount_cents\":999,\"period_end\":%lld}}}",
		 (long long)(T0 + 60 * 86400));
	cr_assert_eq(post_hook(payload, clock_now(), "whsec_test"), ST_OK);
	cr_assert_eq(account_membership(db, id, &m), ST_OK);
	cr_assert_eq(m.until, T0 + 60 * 86400);
	/* Payment failed: lapsed at once. */
	cr_assert_eq(post_hook("{\"id\":\"evt_3\",\"type\":\"payment.failed\","
			       "\"data\":{\"customer\":\"cus_1\"}}",
			       clock_now(), "whsec_test"),
		     ST_OK);
	cr_assert_eq(account_membership(db, id, &m), ST_OK);
	cr_assert_eq(m.state, MEMBERSHIP_LAPSED);
	/* Cancelled. */
	cr_assert_eq(post_hook("{\"id\":\"evt_4\",\"type\":"
			       "\"subscription.cancelled\","
			       "\"data\":{\"user_id\":1}}",
			       clock_now(), "whsec_test"),
		     ST_OK);
	cr_assert_eq(account_membership(db, id, &m), ST_OK);
	cr_assert_eq(m.state, MEMBERSHIP_CANCELLED);
	/* Unknown member, unknown type, bad JSON. */
	cr_assert_eq(post_hook("{\"id\":\"evt_5\",\"type\":\"payment.failed\","
			       "\"data\":{\"email\":\"zed@example.com\"}}",
			       clock_now(), "whsec_test"),
		     ST_NOTFOUND);
	cr_assert_eq(post_hook("{\"id\":\"evt_6\",\"type\":\"coupon.made\","
			       "\"data\":{}}",
			       clock_now(), "whsec_test"),
		     ST_UNSUPPORTED);
	cr_assert_eq(post_hook("{not json", clock_now(), "whsec_test"),
		     ST_INVAL);
	/* Four events, 19.98 of revenue. */
	cr_assert_eq(store_billing_event_list(db, id, 0, &el), ST_OK);
	cr_assert_eq(el.count, 4);
	billing_event_list_release(&el);
	cr_assert_eq(store_billing_revenue(db, 0, INT64_MAX, &revenue), ST_OK);
	cr_assert_eq(revenue, 1998);
}

/* ---- Reset by email ------------------------------------------------------ */

Test(account, password_reset_by_email)
{
	struct smtp_sink *sink = smtp_sink_start();
	const char *why = NULL;
	char *mail, *rcpt, *link, token[ACCOUNT_TOKEN_LEN];
	struct account_login a;
	int i;

	cr_assert_not_null(sink);
	setenv("NEWSSTAND_SMTP_URL", smtp_sink_url(sink), 1);
	free(config.base_url);
	config.base_url = xstrdup("http://127.0.0.1:8080");
	signup("ada@example.com", "correct horse battery");
	a = signin("ada@example.com", "correct horse battery");
	/* Unknown email: the same answer, no mail. */
	cr_assert_eq(account_reset_request(db, "zed@example.com", "10.0.0.1"),
		     ST_OK);
	cr_assert_eq(account_reset_request(db, "Ada@example.com", "10.0.0.1"),
		     ST_OK);
	for (i = 0; i < 50 && smtp_sink_count(sink) < 1; i++)
		usleep(20000);
	cr_assert_eq(smtp_sink_count(sink), 1);
	mail = smtp_sink_message(sink, 0);
	rcpt = smtp_sink_rcpt(sink, 0);
	cr_assert_not_null(strstr(rcpt, "ada@example.com"));
	cr_assert_not_null(strstr(mail, "Subject: Reset your newsstand"));
	link = strstr(mail, "http://127.0.0.1:8080/reset/");
	cr_assert_not_null(link);
	snprintf(token, sizeof(token), "%.43s",
		 link + strlen("http://127.0.0.1:8080/reset/"));
	cr_assert_eq(account_reset_finish(db, token, "short", &why), ST_INVAL);
	cr_assert_eq(
		account_reset_finish(db, "bogus", "a new long password", &why),
		ST_DENIED);
	cr_assert_eq(
		account_reset_finish(db, token, "a new long password", &why),
		ST_OK);
	/* One time only; old sessions end; the new password works. */
	cr_assert_eq(
		account_reset_finish(db, token, "another long password", &why),
		ST_DENIED);
	cr_assert_not_null(strstr(why, "expired or was used"));
	cr_assert_eq(resolve(a.token).user_id, 0);
	signin("ada@example.com", "a new long password");
	free(mail);
	free(rcpt);
	smtp_sink_stop(sink);
}

Test(account, password_reset_expires_after_an_hour)
{
	struct smtp_sink *sink = smtp_sink_start();
	const char *why = NULL;
	char *mail, *link, token[ACCOUNT_TOKEN_LEN];

	cr_assert_not_null(sink);
	setenv("NEWSSTAND_SMTP_URL", smtp_sink_url(sink), 1);
	signup("ada@example.com", "correct horse battery");
	cr_assert_eq(account_reset_request(db, "ada@example.com", NULL), ST_OK);
	mail = smtp_sink_message(sink, 0);
	cr_assert_not_null(mail);
	link = strstr(mail, "/reset/");
	cr_assert_not_null(link);
	snprintf(token, sizeof(token), "%.43s", link + 7);
	clock_advance(3600);
	cr_assert_eq(
		account_reset_finish(db, token, "a new long password", &why),
		ST_DENIED);
	free(mail);
	smtp_sink_stop(sink);
}

/* ---- Members' features, deletion and export ------------------------------ */

static int64_t
add_article(int64_t publisher_id, const char *url, int64_t published,
	    const char *topics)
{
	struct article a = {
		.publisher_id = publisher_id,
		.url = (char *)url,
		.title = (char *)url,
		.body_text = (char *)"Body text.",
		.body_html = (char *)"<p>Body text.</p>",
		.content_hash = (char *)url,
		.topics = (char *)topics,
		.published_at = published,
	};
	enum article_put_result r;

	cr_assert_eq(store_article_put(db, &a, &r), ST_OK);
	return a.id;
}

Test(account, follows_for_you_saves_and_history)
{
	struct publisher p1 = {.slug = (char *)"herald",
			       .name = (char *)"Herald"},
			 p2 = {.slug = (char *)"courier",
			       .name = (char *)"Courier"};
	struct topic t = {.slug = (char *)"science", .name = (char *)"Science"};
	struct article_list l = {0}, l2 = {0};
	struct follow_list fl = {0};
	struct viewer v;
	int64_t a1, a2, a3, a4, id;
	bool counted, saved;

	cr_assert_eq(store_publisher_put(db, &p1), ST_OK);
	cr_assert_eq(store_publisher_put(db, &p2), ST_OK);
	cr_assert_eq(store_topic_put(db, &t), ST_OK);
	a1 = add_article(p1.id, "https://h.example/1", T0 - 400, NULL);
	a2 = add_article(p2.id, "https://c.example/2", T0 - 300, "science");
	a3 = add_article(p2.id, "https://c.example/3", T0 - 200, NULL);
	a4 = add_article(p1.id, "https://h.example/4", T0 - 100, NULL);
	id = signup("ada@example.com", "correct horse battery");
	cr_assert_eq(account_follow(db, id, "publisher", "herald", true),
		     ST_OK);
	cr_assert_eq(account_follow(db, id, "publisher", "herald", true),
		     ST_OK);
	cr_assert_eq(account_follow(db, id, "topic", "science", true), ST_OK);
	cr_assert_eq(account_follow(db, id, "topic", "nope", true),
		     ST_NOTFOUND);
	cr_assert_eq(account_follow(db, id, "colour", "red", true), ST_INVAL);
	cr_assert_eq(store_follow_list(db, id, &fl), ST_OK);
	cr_assert_eq(fl.count, 2);
	follow_list_release(&fl);
	/* For you: herald's two and the science one, newest first. */
	cr_assert_eq(store_for_you(db, id, NULL, 2, &l), ST_OK);
	cr_assert_eq(l.count, 2);
	cr_assert_eq(l.items[0].id, a4);
	cr_assert_eq(l.items[1].id, a2);
	cr_assert_not_null(l.next_cursor);
	cr_assert_null(l.items[0].body_html);
	cr_assert_eq(store_for_you(db, id, l.next_cursor, 2, &l2), ST_OK);
	cr_assert_eq(l2.count, 1);
	cr_assert_eq(l2.items[0].id, a1);
	cr_assert_null(l2.next_cursor);
	article_list_release(&l);
	article_list_release(&l2);
	cr_assert_eq(account_follow(db, id, "publisher", "herald", false),
		     ST_OK);
	cr_assert_eq(store_for_you(db, id, NULL, 10, &l), ST_OK);
	cr_assert_eq(l.count, 1);
	article_list_release(&l);
	/* Saves. */
	cr_assert_eq(store_save_add(db, id, a3, T0), ST_OK);
	cr_assert_eq(store_save_add(db, id, a3, T0), ST_OK);
	cr_assert_eq(store_save_add(db, id, 9999, T0), ST_NOTFOUND);
	cr_assert_eq(store_save_has(db, id, a3, &saved), ST_OK);
	cr_assert(saved);
	cr_assert_eq(store_saved_list(db, id, NULL, 10, &l), ST_OK);
	cr_assert_eq(l.count, 1);
	article_list_release(&l);
	cr_assert_eq(store_save_delete(db, id, a3), ST_OK);
	cr_assert_eq(store_save_has(db, id, a3, &saved), ST_OK);
	cr_assert(!saved);
	/* Reads count only for trial and members, once a day. */
	v = (struct viewer){.user_id = id};
	cr_assert_eq(account_record_read(db, &v, a1, &counted), ST_OK);
	cr_assert(!counted);
	cr_assert_eq(account_trial_start(db, id), ST_OK);
	cr_assert_eq(account_membership(db, id, &(struct membership_view){0}),
		     ST_OK);
	v.state = MEMBERSHIP_TRIAL;
	v.until = T0 + 86400;
	cr_assert_eq(account_record_read(db, &v, a1, &counted), ST_OK);
	cr_assert(counted);
	cr_assert_eq(account_record_read(db, &v, a1, &counted), ST_OK);
	cr_assert(!counted);
	cr_assert_eq(account_record_read(db, &v, a2, &counted), ST_OK);
	cr_assert(counted);
	cr_assert_eq(account_record_read(db, &v, 99999, &counted), ST_NOTFOUND);
	clock_advance(86400);
	v.until = T0 + 2 * 86400;
	cr_assert_eq(account_record_read(db, &v, a1, &counted), ST_OK);
	cr_assert(counted); /* the next day (UTC) */
	cr_assert_eq(store_history_list(db, id, NULL, 10, &l), ST_OK);
	cr_assert_eq(l.count, 2);
	cr_assert_eq(l.items[0].id, a1);
	article_list_release(&l);
	/* Clear history: hidden, the ledger keeps counting. */
	cr_assert_eq(store_history_hide(db, id), ST_OK);
	cr_assert_eq(store_history_list(db, id, NULL, 10, &l), ST_OK);
	cr_assert_eq(l.count, 0);
	article_list_release(&l);
	{
		struct read_count_list rc = {0};

		cr_assert_eq(store_reads_by_publisher(db, "2026-11-01",
						      "2026-11-30", &rc),
			     ST_OK);
		cr_assert_eq(rc.count, 2);
		cr_assert_eq(rc.items[0].reads + rc.items[1].reads, 3);
		read_count_list_release(&rc);
	}
}

Test(account, delete_keeps_the_ledger_anonymous)
{
	struct publisher p = {.slug = (char *)"herald",
			      .name = (char *)"Herald"};
	struct read_count_list rc = {0};
	struct user u = {0};
	struct viewer v;
	struct buf json = BUF_INIT;
	json_t *root;
	json_error_t err;
	char *token = NULL;
	int64_t a1, id;
	bool counted;

	cr_assert_eq(store_publisher_put(db, &p), ST_OK);
	a1 = add_article(p.id, "https://h.example/1", T0 - 400, NULL);
	id = signup("ada@example.com", "correct horse battery");
	cr_assert_eq(account_trial_start(db, id), ST_OK);
	cr_assert_eq(account_follow(db, id, "publisher", "herald", true),
		     ST_OK);
	cr_assert_eq(store_save_add(db, id, a1, T0), ST_OK);
	cr_assert_eq(account_api_token_create(db, id, "app", &token, NULL),
		     ST_OK);
	v = (struct viewer){
		.user_id = id, .state = MEMBERSHIP_TRIAL, .until = T0 + 86400};
	cr_assert_eq(account_record_read(db, &v, a1, &counted), ST_OK);
	/* Export first. */
	cr_assert_eq(account_export(db, id, &json), ST_OK);
	root = json_loads(json.data, 0, &err);
	cr_assert_not_null(root, "%s", err.text);
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(root, "account"), "email")),
			 "ada@example.com");
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(root, "membership"), "state")),
			 "trial");
	cr_assert_eq(json_array_size(json_object_get(root, "follows")), 1);
	cr_assert_eq(json_array_size(json_object_get(root, "saved")), 1);
	cr_assert_eq(json_array_size(json_object_get(root, "history")), 1);
	cr_assert_eq(json_array_size(json_object_get(root, "billing_events")),
		     1);
	cr_assert_eq(json_array_size(json_object_get(root, "api_tokens")), 1);
	cr_assert_null(strstr(json.data, "argon2"));
	cr_assert_null(strstr(json.data, token + 4));
	json_decref(root);
	buf_release(&json);
	/* Delete. */
	cr_assert_eq(account_delete(db, id), ST_OK);
	cr_assert_eq(store_user_get(db, id, &u), ST_NOTFOUND);
	cr_assert_eq(store_user_by_email(db, "ada@example.com", &u),
		     ST_NOTFOUND);
	cr_assert_eq(
		store_reads_by_publisher(db, "2026-11-01", "2026-11-30", &rc),
		ST_OK);
	cr_assert_eq(rc.count, 1);
	cr_assert_eq(rc.items[0].reads, 1);
	read_count_list_release(&rc);
	/* The email can sign up again, as a fresh account. */
	id = signup("ada@example.com", "correct horse battery");
	cr_assert_eq(store_follow_list(db, id, &(struct follow_list){0}),
		     ST_OK);
	{
		struct membership_view m;

		cr_assert_eq(account_membership(db, id, &m), ST_OK);
		cr_assert_eq(m.state, MEMBERSHIP_VISITOR);
		cr_assert(!m.trial_used);
	}
	free(token);
}

Test(account, writer_per_thread)
{
	struct store *a = NULL, *b = NULL;

	cr_assert_eq(account_writer(&a), ST_OK);
	cr_assert_eq(account_writer(&b), ST_OK);
	cr_assert_eq(a, b);
	cr_assert(store_is_writer(a));
}
