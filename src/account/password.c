/*
 * password.c — Argon2id password hashing with a cap on concurrent hashes.
 *
 * Each Argon2id hash takes hash_memlimit bytes (64 MiB by default) for its
 * duration, so a flood of sign-in attempts could take all the memory of the
 * machine. Hashes therefore run through a counting semaphore of
 * hash_concurrency slots: the memory used by hashing never passes
 * hash_concurrency × hash_memlimit. An attempt that finds no free slot
 * within hash_wait_ms gets ST_AGAIN ("try again in a moment"); the web
 * server's hashing threads count that wait from the request's arrival in
 * their queue (account_hash_wait_from()).
 *
 * The limits, the semaphore and the statistics are process-wide state,
 * guarded by one mutex.
 */
#include "common.h"

#include <pthread.h>
#include <sodium.h>
#include <time.h>

#include "account/internal.h"
#include "base/clock.h"
#include "base/log.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slot_freed;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool sodium_ok;
static struct account_limits limits;
static struct account_hash_stats stats;
static char *dummy_hash; /* a hash of a random password, current limits */
/* When this thread's attempt started waiting (monotonic ms); 0: at the call. */
static _Thread_local int64_t wait_from_ms;

void
account_limits_default(struct account_limits *out)
{
	memset(out, 0, sizeof(*out));
	out->hash_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	out->hash_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	out->hash_concurrency = 4;
	out->hash_wait_ms = 5000;
	out->account_burst = 10;
	out->account_per_minute = 2;
	out->addr_burst = 50;
	out->addr_per_minute = 20;
}

static void
init_once(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&slot_freed, &attr);
	pthread_condattr_destroy(&attr);
	account_limits_default(&limits);
	sodium_ok = sodium_init() >= 0;
	if (!sodium_ok)
		log_error(ST_INTERNAL, "account: libsodium did not start");
}

bool
account_sodium_ready(void)
{
	pthread_once(&once, init_once);
	return sodium_ok;
}

void
account_limits_set(const struct account_limits *l)
{
	pthread_once(&once, init_once);
	pthread_mutex_lock(&lock);
	limits = *l;
	if (!limits.hash_concurrency)
		limits.hash_concurrency = 1;
	free(dummy_hash);
	dummy_hash = NULL;
	pthread_cond_broadcast(&slot_freed);
	pthread_mutex_unlock(&lock);
	throttle_reset();
	password_limits_changed();
}

void
account_limits_get(struct account_limits *out)
{
	pthread_once(&once, init_once);
	pthread_mutex_lock(&lock);
	*out = limits;
	pthread_mutex_unlock(&lock);
}

void
password_limits_changed(void)
{
	pthread_mutex_lock(&lock);
	stats.peak_in_flight = stats.in_flight;
	stats.refused = 0;
	stats.done = 0;
	pthread_mutex_unlock(&lock);
}

void
account_hash_stats(struct account_hash_stats *out, bool reset_peak)
{
	pthread_mutex_lock(&lock);
	*out = stats;
	if (reset_peak)
		stats.peak_in_flight = stats.in_flight;
	pthread_mutex_unlock(&lock);
}

void
account_hash_wait_from(int64_t since_ms)
{
	wait_from_ms = since_ms;
}

/*
 * Takes a hashing slot, waiting up to hash_wait_ms (counted from
 * wait_from_ms when set); copies the limits.
 */
static enum status
slot_take(struct account_limits *now_limits)
{
	struct timespec deadline;
	int64_t deadline_ms;
	enum status rc = ST_OK;

	pthread_mutex_lock(&lock);
	deadline_ms = (wait_from_ms ? wait_from_ms : clock_mono_ms()) +
		      limits.hash_wait_ms;
	if (wait_from_ms && clock_mono_ms() >= deadline_ms) {
		/* It waited its time in a queue already. */
		stats.refused++;
		rc = ST_AGAIN;
		goto out;
	}
	/* clock_mono_ms() reads CLOCK_MONOTONIC, the condition's clock. */
	deadline.tv_sec = deadline_ms / 1000;
	deadline.tv_nsec = (deadline_ms % 1000) * 1000000L;
	while (stats.in_flight >= limits.hash_concurrency) {
		if (pthread_cond_timedwait(&slot_freed, &lock, &deadline) ==
			    ETIMEDOUT &&
		    stats.in_flight >= limits.hash_concurrency) {
			stats.refused++;
			rc = ST_AGAIN;
			goto out;
		}
	}
	stats.in_flight++;
	if (stats.in_flight > stats.peak_in_flight)
		stats.peak_in_flight = stats.in_flight;
	*now_limits = limits;
out:
	pthread_mutex_unlock(&lock);
	return rc;
}

static void
slot_give(void)
{
	pthread_mutex_lock(&lock);
	stats.in_flight--;
	stats.done++;
	pthread_cond_signal(&slot_freed);
	pthread_mutex_unlock(&lock);
}

enum status
password_hash(const char *password, char *out, size_t size)
{
	struct account_limits l;
	enum status rc;
	int r;

	if (!account_sodium_ready())
		return ST_INTERNAL;
	if (size < crypto_pwhash_STRBYTES)
		return ST_INVAL;
	rc = slot_take(&l);
	if (rc)
		return rc;
	r = crypto_pwhash_str(out, password, strlen(password), l.hash_opslimit,
			      l.hash_memlimit);
	slot_give();
	if (r != 0)
		return log_error(ST_NOMEM, "account: password hashing failed");
	return ST_OK;
}

/* The dummy hash, made on first use with the current limits. */
static enum status
get_dummy(char *out, size_t size)
{
	char tmp[crypto_pwhash_STRBYTES];
	char random_password[ACCOUNT_TOKEN_LEN];
	enum status rc;

	pthread_mutex_lock(&lock);
	if (dummy_hash) {
		snprintf(out, size, "%s", dummy_hash);
		pthread_mutex_unlock(&lock);
		return ST_OK;
	}
	pthread_mutex_unlock(&lock);
	token_new(random_password);
	rc = password_hash(random_password, tmp, sizeof(tmp));
	if (rc)
		return rc;
	pthread_mutex_lock(&lock);
	if (!dummy_hash)
		dummy_hash = xstrdup(tmp);
	snprintf(out, size, "%s", dummy_hash);
	pthread_mutex_unlock(&lock);
	return ST_OK;
}

enum status
password_verify(const char *hash, const char *password, bool *ok, bool *rehash)
{
	char dummy[crypto_pwhash_STRBYTES];
	struct account_limits l;
	enum status rc;
	bool match;
	int r;

	if (!account_sodium_ready())
		return ST_INTERNAL;
	if (!hash) {
		rc = get_dummy(dummy, sizeof(dummy));
		if (rc)
			return rc;
		hash = dummy;
	}
	rc = slot_take(&l);
	if (rc)
		return rc;
	match = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	slot_give();
	r = crypto_pwhash_str_needs_rehash(hash, l.hash_opslimit,
					   l.hash_memlimit);
	*ok = match && hash != dummy;
	if (rehash)
		*rehash = r != 0;
	return ST_OK;
}
