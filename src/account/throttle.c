/*
 * throttle.c — sign-in throttling: a token bucket per account and one per
 * client address, in memory.
 *
 * A bucket holds up to "burst" attempts and refills at "per minute"; each
 * sign-in attempt takes one from both buckets of the request. A bucket
 * that has refilled completely is the same as no bucket, so its slot may be
 * reused: the table has a fixed size and never grows with the number of
 * addresses an attacker uses. When every slot of a probe window is busy,
 * the one idle the longest is taken over.
 */
#include "common.h"

#include <pthread.h>

#include "account/internal.h"
#include "base/clock.h"

enum {
	THROTTLE_SLOTS = 8192, /* buckets in the table */
	THROTTLE_PROBE = 16,   /* slots looked at for one key */
	THROTTLE_KEY = 160,    /* key bytes kept */
};

struct bucket {
	char key[THROTTLE_KEY]; /* "a:email" or "i:address"; "" free */
	double tokens;		/* attempts left */
	int64_t updated_ms;	/* when tokens was computed */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct bucket *table; /* THROTTLE_SLOTS, allocated on first use */

static uint64_t
key_hash(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *key; key++) {
		h ^= (unsigned char)*key;
		h *= 1099511628211ULL;
	}
	return h;
}

/* Brings b's tokens up to now. */
static void
refill(struct bucket *b, int64_t now_ms, double burst, double per_minute)
{
	double add = (double)(now_ms - b->updated_ms) * per_minute / 60000.0;

	if (add > 0) {
		b->tokens += add;
		if (b->tokens > burst)
			b->tokens = burst;
		b->updated_ms = now_ms;
	}
}

/* Finds or makes the bucket of key (called with the lock held). */
static struct bucket *
find(const char *key, int64_t now_ms, double burst, double per_minute)
{
	size_t i = key_hash(key) % THROTTLE_SLOTS, n;
	struct bucket *spare = NULL, *oldest = NULL;

	for (n = 0; n < THROTTLE_PROBE; n++, i = (i + 1) % THROTTLE_SLOTS) {
		struct bucket *b = &table[i];

		if (!strcmp(b->key, key)) {
			refill(b, now_ms, burst, per_minute);
			return b;
		}
		if (!spare && !b->key[0])
			spare = b;
		if (!oldest || b->updated_ms < oldest->updated_ms)
			oldest = b;
	}
	if (!spare) {
		/* Reuse a bucket that has refilled: it limits nobody. */
		for (n = 0, i = key_hash(key) % THROTTLE_SLOTS;
		     n < THROTTLE_PROBE && !spare;
		     n++, i = (i + 1) % THROTTLE_SLOTS) {
			struct bucket *b = &table[i];
			double left =
				b->tokens + (double)(now_ms - b->updated_ms) *
						    per_minute / 60000.0;

			if (left >= burst)
				spare = b;
		}
	}
	if (!spare)
		spare = oldest;
	snprintf(spare->key, sizeof(spare->key), "%s", key);
	spare->tokens = burst;
	spare->updated_ms = now_ms;
	return spare;
}

static int64_t
seconds_until_one(const struct bucket *b, double per_minute)
{
	double need = 1.0 - b->tokens;

	if (need <= 0 || per_minute <= 0)
		return per_minute <= 0 ? 3600 : 0;
	return (int64_t)(need * 60.0 / per_minute) + 1;
}

bool
throttle_take(const char *email, const char *addr, int64_t *retry_after)
{
	struct account_limits l;
	char key[THROTTLE_KEY];
	struct bucket *by_account = NULL, *by_addr = NULL;
	int64_t now_ms = clock_now_ms(), wait = 0;
	bool ok = true;

	account_limits_get(&l);
	pthread_mutex_lock(&lock);
	if (!table)
		table = xcalloc(THROTTLE_SLOTS, sizeof(*table));
	if (email && *email) {
		snprintf(key, sizeof(key), "a:%s", email);
		by_account = find(key, now_ms, l.account_burst,
				  l.account_per_minute);
		if (by_account->tokens < 1.0) {
			ok = false;
			wait = seconds_until_one(by_account,
						 l.account_per_minute);
		}
	}
	if (addr && *addr) {
		snprintf(key, sizeof(key), "i:%s", addr);
		by_addr = find(key, now_ms, l.addr_burst, l.addr_per_minute);
		if (by_addr->tokens < 1.0) {
			ok = false;
			wait = MAX(wait, seconds_until_one(by_addr,
							   l.addr_per_minute));
		}
	}
	if (ok) {
		if (by_account)
			by_account->tokens -= 1.0;
		if (by_addr)
			by_addr->tokens -= 1.0;
	}
	pthread_mutex_unlock(&lock);
	if (retry_after)
		*retry_after = wait;
	return ok;
}

void
throttle_reset(void)
{
	pthread_mutex_lock(&lock);
	if (table)
		memset(table, 0, THROTTLE_SLOTS * sizeof(*table));
	pthread_mutex_unlock(&lock);
}
