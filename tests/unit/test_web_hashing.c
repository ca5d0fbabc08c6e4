/*
 * test_web_hashing.c — the routes that hash a password run on the server's
 * hashing threads: the route table marks them; sign-in, sign-up and a
 * password change work end to end through the suspended connection (the
 * session cookie, the same wrong-password page); a full hashing queue
 * answers 503 at once; readers are served quickly by two serving threads
 * while sign-ins hash; and a stop with a sign-in running and others queued
 * ends cleanly, running none of the queued ones.
 *
 * A sign-in can be held on its hashing thread without burning CPU: the
 * test takes the database's write lock, so the handler waits in SQLite's
 * busy timeout (5 s) when it opens the session, after the hash.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "account/account.h"
#include "base/clock.h"
#include "base/config.h"
#include "store/store.h"
#include "unit/web_fixture.h"
#include "web/account_pages.h"
#include "web/http.h"
#include "web/web.h"

static struct web_fixture fx;

/* Sets the hashing limits the server reads at start; cheap hashes. */
static void
set_limits(unsigned concurrency, size_t memlimit, unsigned long long ops)
{
	struct account_limits l;

	account_limits_default(&l);
	l.hash_opslimit = ops;
	l.hash_memlimit = memlimit;
	l.hash_concurrency = concurrency;
	l.account_burst = 1000;
	l.addr_burst = 1000;
	account_limits_set(&l);
}

static void
setup_cheap(void)
{
	set_limits(1, 8192, 1);
	web_fixture_build(&fx);
	web_fixture_start(&fx);
}

static void
teardown(void)
{
	web_fixture_release(&fx);
}

static bool
has_header(const struct http_reply *r, const char *line)
{
	return strcasestr(r->head.data, line) != NULL;
}

/* The session token a Set-Cookie carries (malloc'd), or NULL. */
static char *
session_of(const struct http_reply *r)
{
	char name[48];
	const char *p;
	size_t len;

	snprintf(name, sizeof(name), "Set-Cookie: %s=", account_cookie_name());
	p = strcasestr(r->head.data, name);
	if (!p)
		return NULL;
	p += strlen(name);
	len = strcspn(p, ";\r\n");
	return len ? xstrndup(p, len) : NULL;
}

/* The value of the page's hidden CSRF field (malloc'd). */
static char *
csrf_of(const struct http_reply *r)
{
	static const char marker[] = "name=\"" ACCOUNT_CSRF_FIELD "\" value=\"";
	const char *p = strstr(r->body.data, marker);

	cr_assert_not_null(p, "no CSRF field in the page");
	p += strlen(marker);
	return xstrndup(p, strcspn(p, "\""));
}

/* ---- The route table ---------------------------------------------------- */

Test(web_hashing_routes, the_forms_that_hash_carry_the_flag)
{
	static const char *const hashing[] = {
		"POST /signup",
		"POST /signin",
		"POST /account/password",
		"POST /reset/{token}",
	};
	const struct web_route *r;
	size_t n, i, j, marked = 0;

	r = web_routes(&n);
	for (i = 0; i < n; i++) {
		char key[160];
		bool want = false;

		snprintf(key, sizeof(key), "%s %s", r[i].method, r[i].pattern);
		for (j = 0; j < ARRAY_SIZE(hashing); j++)
			want |= !strcmp(key, hashing[j]);
		cr_expect_eq(!!(r[i].flags & WEB_HASHES), want, "%s", key);
		marked += !!(r[i].flags & WEB_HASHES);
		/* The hashing threads never serve cached pages. */
		if (r[i].flags & WEB_HASHES)
			cr_expect(!(r[i].flags & (WEB_CACHEABLE | WEB_STATIC)),
				  "%s", key);
	}
	cr_assert_eq(marked, ARRAY_SIZE(hashing));
}

/* ---- End to end --------------------------------------------------------- */

TestSuite(web_hashing, .init = setup_cheap, .fini = teardown);

Test(web_hashing, signup_signin_and_password_change_end_to_end)
{
	struct http_reply r;
	char *token, *csrf, *again;

	http_form(&fx, "POST", "/signup", NULL,
		  "email=hash%40example.com&password=correct+horse+battery",
		  &r);
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body.data);
	cr_assert(has_header(&r, "Location: /onboarding"));
	token = session_of(&r);
	cr_assert_not_null(token, "sign-up set no session");
	http_reply_release(&r);
	free(token);

	/* A wrong password: the sign-in form again, 401, not cached. */
	http_form(&fx, "POST", "/signin", NULL,
		  "email=hash%40example.com&password=wrong+horse+battery&next=%"
		  "2F",
		  &r);
	cr_assert_eq(r.status, 401);
	cr_assert_not_null(strstr(r.body.data, "That email and password do "
					       "not match an account."));
	cr_assert_not_null(strstr(r.body.data, "action=\"/signin\""));
	cr_assert_not_null(strstr(r.body.data, "value=\"hash@example.com\""));
	cr_assert(has_header(&r, "Content-Type: text/html; charset=utf-8"));
	cr_assert(has_header(&r, "Cache-Control: no-store"));
	cr_assert(has_header(&r, "Content-Security-Policy: "));
	cr_assert(has_header(&r, "X-Frame-Options: DENY"));
	cr_assert(has_header(&r, "Vary: Accept-Encoding, Cookie"));
	cr_assert_null(session_of(&r));
	http_reply_release(&r);

	/* The right one: a session cookie that works, and the redirect. */
	http_form(
		&fx, "POST", "/signin", NULL,
		"email=hash%40example.com&password=correct+horse+battery&next="
		"%2Fsaved",
		&r);
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body.data);
	cr_assert(has_header(&r, "Location: /saved"));
	cr_assert(has_header(&r, "; HttpOnly"));
	token = session_of(&r);
	cr_assert_not_null(token, "sign-in set no session");
	http_reply_release(&r);
	http_form(&fx, "GET", "/account", token, NULL, &r);
	cr_assert_eq(r.status, 200);
	csrf = csrf_of(&r);
	http_reply_release(&r);

	/* A WEB_STATE route that hashes: the CSRF check still comes first. */
	http_form(&fx, "POST", "/account/password", token,
		  "current=correct+horse+battery&new=a+brand+new+secret", &r);
	cr_assert_eq(r.status, 403);
	http_reply_release(&r);
	{
		struct buf form = BUF_INIT;

		buf_addf(&form,
			 "csrf=%s&current=correct+horse+battery&new=a+brand+"
			 "new+secret",
			 csrf);
		http_form(&fx, "POST", "/account/password", token, form.data,
			  &r);
		buf_release(&form);
	}
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body.data);
	cr_assert(has_header(&r, "Location: /account?password=1"));
	http_reply_release(&r);
	http_form(&fx, "POST", "/signin", NULL,
		  "email=hash%40example.com&password=a+brand+new+secret", &r);
	cr_assert_eq(r.status, 303);
	again = session_of(&r);
	cr_assert_not_null(again);
	http_reply_release(&r);
	free(again);
	free(csrf);
	free(token);
}

/* ---- Held sign-ins ------------------------------------------------------ */

struct client {
	pthread_t thread;
	const char *form;    /* the sign-in form */
	struct http_reply r; /* its answer */
	atomic_bool done;    /* r is final */
};

static void *
client_run(void *arg)
{
	struct client *c = arg;

	http_form(&fx, "POST", "/signin", NULL, c->form, &c->r);
	atomic_store(&c->done, true);
	return NULL;
}

static void
client_start(struct client *c, const char *form)
{
	c->form = form;
	atomic_store(&c->done, false);
	cr_assert_eq(pthread_create(&c->thread, NULL, client_run, c), 0);
}

static const char right_form[] =
	"email=held%40example.com&password=correct+horse+battery";
static const char wrong_form[] =
	"email=held%40example.com&password=not+the+password";

/*
 * Signs up held@example.com, takes the write lock in *lock and starts a
 * correct sign-in, which hashes and then waits for the lock on the only
 * hashing thread. Returns once its hash is done.
 */
static void
hold_the_hashing_thread(struct store **lock, struct client *first)
{
	struct account_hash_stats st;
	struct http_reply r;
	int i;

	http_form(&fx, "POST", "/signup", NULL, right_form, &r);
	cr_assert_eq(r.status, 303);
	http_reply_release(&r);
	cr_assert_eq(store_open(fx.dir, STORE_WRITE, 0, lock), ST_OK);
	cr_assert_eq(store_begin(*lock), ST_OK);
	account_hash_stats(&st, true);
	{
		uint64_t before = st.done;

		client_start(first, right_form);
		for (i = 0; i < 300; i++) {
			account_hash_stats(&st, false);
			if (st.done > before)
				break;
			usleep(10 * 1000);
		}
		cr_assert_lt(i, 300, "the held sign-in never hashed");
	}
	/* Past its hash, it now waits for the lock. */
	usleep(50 * 1000);
	cr_assert(!atomic_load(&first->done));
}

Test(web_hashing, a_full_queue_answers_503_at_once)
{
	enum { EXTRA = 4 };
	/* hash_concurrency 1: one thread, 16 places in its queue. */
	enum { WAITING = 16 + EXTRA };
	struct client first = {0}, c[WAITING];
	struct store *lock = NULL;
	int i, refused = 0, denied = 0, polls;

	hold_the_hashing_thread(&lock, &first);
	memset(c, 0, sizeof(c));
	for (i = 0; i < WAITING; i++)
		client_start(&c[i], wrong_form);
	/* The ones past the queue's end are answered while it is held. */
	for (polls = 0; polls < 300; polls++) {
		int answered = 0;

		for (i = 0; i < WAITING; i++)
			answered += atomic_load(&c[i].done);
		if (answered >= EXTRA)
			break;
		usleep(10 * 1000);
	}
	cr_assert_lt(polls, 300, "no request was turned away");
	usleep(100 * 1000);
	for (i = 0; i < WAITING; i++) {
		if (!atomic_load(&c[i].done))
			continue;
		cr_expect_eq(c[i].r.status, 503);
		cr_expect(has_header(&c[i].r, "Retry-After: "));
		cr_expect_not_null(strstr(c[i].r.body.data,
					  "Too many sign-ins are waiting"));
		refused++;
	}
	cr_assert_eq(refused, EXTRA, "%d turned away, not %d", refused, EXTRA);
	cr_assert(!atomic_load(&first.done));
	store_rollback(lock);
	store_close(lock);
	pthread_join(first.thread, NULL);
	cr_assert_eq(first.r.status, 303, "%ld", first.r.status);
	for (i = 0; i < WAITING; i++) {
		pthread_join(c[i].thread, NULL);
		denied += c[i].r.status == 401;
		http_reply_release(&c[i].r);
	}
	cr_assert_eq(denied, WAITING - EXTRA, "%d of the queued checked",
		     denied);
	http_reply_release(&first.r);
}

struct unlocker {
	struct store *lock; /* the held write transaction */
	int64_t at_ms;	    /* when to let go of it (monotonic) */
};

static void *
unlock_later(void *arg)
{
	struct unlocker *u = arg;

	while (clock_mono_ms() < u->at_ms)
		usleep(10 * 1000);
	store_rollback(u->lock);
	store_close(u->lock);
	return NULL;
}

/*
 * The stop waits 3 s for the connections (the held sign-in keeps them),
 * then stops the hashing threads: the queued sign-ins are answered 503
 * without being run; the running one gets its lock at 3.5 s (SQLite would
 * wait 5 s) and finishes; then the daemon stops with nothing suspended.
 */
Test(web_hashing, stop_with_a_signin_running_and_more_queued)
{
	enum { QUEUED = 3 };
	struct client first = {0}, c[QUEUED];
	struct account_hash_stats st;
	struct unlocker u = {0};
	pthread_t unlocker;
	uint64_t hashed;
	int64_t took;
	int i;

	hold_the_hashing_thread(&u.lock, &first);
	memset(c, 0, sizeof(c));
	for (i = 0; i < QUEUED; i++)
		client_start(&c[i], wrong_form);
	usleep(200 * 1000);
	account_hash_stats(&st, false);
	hashed = st.done;
	u.at_ms = clock_mono_ms() + 3500;
	cr_assert_eq(pthread_create(&unlocker, NULL, unlock_later, &u), 0);
	web_server_stop(fx.server);
	fx.server = NULL;
	took = clock_mono_ms() - (u.at_ms - 3500);
	pthread_join(unlocker, NULL);
	pthread_join(first.thread, NULL);
	for (i = 0; i < QUEUED; i++)
		pthread_join(c[i].thread, NULL);
	account_hash_stats(&st, false);
	cr_log_info("stopped in %lld ms; first %ld", (long long)took,
		    first.r.status);
	cr_assert_lt(took, 6000, "the stop took %lld ms", (long long)took);
	cr_assert_eq(st.done, hashed, "a queued sign-in ran after the stop");
	/* The stop waits for resumed answers to go out. */
	cr_assert_eq(first.r.status, 303, "%ld", first.r.status);
	for (i = 0; i < QUEUED; i++) {
		cr_expect(c[i].r.status == 503 || c[i].r.status == 0, "%ld",
			  c[i].r.status);
		if (c[i].r.status == 503) {
			cr_expect_not_null(
				strstr(c[i].r.body.data, "restarting"));
			cr_expect(has_header(&c[i].r, "Retry-After: 30"));
		}
		http_reply_release(&c[i].r);
	}
	http_reply_release(&first.r);
}

/* ---- Readers during a flood --------------------------------------------- */

static void
setup_interactive(void)
{
	/* The real cost: 64 MiB and 2 passes a hash, two at once. */
	set_limits(2, 64u << 20, 2);
	web_fixture_build(&fx);
	web_fixture_start(&fx);
}

struct flooder {
	pthread_t thread;
	int index;	   /* which thread */
	int attempts;	   /* sign-ins to send */
	int answered;	   /* 401 or 429 */
	atomic_bool *stop; /* set when the reader is done */
};

static void *
flood_run(void *arg)
{
	struct flooder *f = arg;
	char form[160];
	struct http_reply r;
	int i;

	for (i = 0; i < f->attempts && !atomic_load(f->stop); i++) {
		snprintf(form, sizeof(form),
			 "email=flood%d-%d%%40example.com&password=wrong+guess+"
			 "%d",
			 f->index, i, i);
		http_form(&fx, "POST", "/signin", NULL, form, &r);
		f->answered += r.status == 401 || r.status == 429;
		cr_expect(r.status == 401 || r.status == 429, "%ld", r.status);
		http_reply_release(&r);
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Two serving threads, two hashing threads, four clients signing in
 * without pause: a reader's page must come far sooner than a hash (were
 * the hashes on the serving threads, a read would wait for one to end).
 */
Test(web_hashing_flood, readers_are_served_while_two_hashes_run,
     .init = setup_interactive, .fini = teardown, .timeout = 120)
{
	enum { FLOODERS = 4, EACH = 6, READS = 40 };
	struct flooder f[FLOODERS];
	struct account_hash_stats st;
	atomic_bool stop = false;
	double hash_s, during[READS], median;
	int i, n = 0;
	struct http_reply r;

	/* Warm up the page, and time one hash (it loads libsodium's code). */
	http_form(&fx, "GET", fx.canary_path, NULL, NULL, &r);
	http_reply_release(&r);
	http_form(&fx, "POST", "/signin", NULL,
		  "email=warm%40example.com&password=x", &r);
	http_reply_release(&r);
	http_form(&fx, "POST", "/signin", NULL,
		  "email=warm%40example.com&password=x", &r);
	cr_assert_eq(r.status, 401);
	hash_s = r.seconds;
	http_reply_release(&r);
	for (i = 0; i < FLOODERS; i++) {
		f[i] = (struct flooder){
			.index = i, .attempts = EACH, .stop = &stop};
		cr_assert_eq(
			pthread_create(&f[i].thread, NULL, flood_run, &f[i]),
			0);
	}
	/* Read while hashes are running; count only those reads. */
	for (i = 0; i < 400 && n < READS; i++) {
		account_hash_stats(&st, false);
		if (st.in_flight) {
			http_form(&fx, "GET", fx.canary_path, NULL, NULL, &r);
			cr_assert_eq(r.status, 200);
			during[n++] = r.seconds;
			http_reply_release(&r);
		}
		usleep(10 * 1000);
	}
	atomic_store(&stop, true);
	for (i = 0; i < FLOODERS; i++)
		pthread_join(f[i].thread, NULL);
	cr_assert_geq(n, 5, "only %d reads met a running hash", n);
	qsort(during, (size_t)n, sizeof(*during), cmp_double);
	median = during[n / 2];
	cr_log_info("hash %.0f ms; %d reads during hashes: median %.1f ms, "
		    "slowest %.1f ms",
		    hash_s * 1000, n, median * 1000, during[n - 1] * 1000);
	cr_assert_lt(median, hash_s / 4,
		     "median read %.1f ms against a hash of %.1f ms",
		     median * 1000, hash_s * 1000);
}
