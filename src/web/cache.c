/*
 * cache.c — the anonymous-page cache: visitors' rendered pages (plain and
 * gzip) kept as ready libmicrohttpd responses, keyed by the request target.
 *
 * A generation counter invalidates everything at once: web_cache_invalidate()
 * bumps it, and entries of an older generation are dropped on the next
 * insert. A few times a second a worker reads the content version
 * (reading_content_version(): it moves when articles, stories, picks,
 * publishers or topics change, in any process, and not when members read
 * or sign in) and bumps the generation when it has moved. Pages also show
 * what changes without it (reads in top stories, relative times), so the
 * generation moves at least every MAX_AGE_MS.
 *
 * The cache holds one reference to each response; a connection sending one
 * holds its own (MHD counts them), so dropping entries never frees bytes in
 * flight. Readers take the read lock only.
 */
#include "common.h"

#include <pthread.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "store/reading.h"
#include "store/store.h"
#include "web/ranking.h"
#include "web/internal.h"
#include "web/web.h"

enum {
	CACHE_BUCKETS = 4096,		    /* hash table size */
	CACHE_MAX_BYTES = 64 * 1024 * 1024, /* all entries together */
	VERSION_CHECK_MS = 250,		    /* content version poll */
	MAX_AGE_MS = 60 * 1000,		    /* pages are rendered this often */
};

struct entry {
	struct entry *next;	    /* bucket chain */
	uint64_t hash;		    /* of key */
	char *key;		    /* the request target */
	struct MHD_Response *plain; /* identity response */
	struct MHD_Response *gz;    /* gzip response, or NULL */
	size_t plain_len;	    /* body bytes, for the log */
	size_t size;		    /* bytes counted against the cap */
	char etag[40];		    /* the page's validator */
};

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct entry *buckets[CACHE_BUCKETS];
static uint64_t table_generation; /* generation of the entries (lock) */
static size_t table_bytes;	  /* sum of entry sizes (lock) */
static atomic_uint_fast64_t generation;
atomic_uint_fast64_t web_stat_cache_entries;

/* The data version watch (version_lock). */
static pthread_mutex_t version_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store *version_store;
static int64_t last_version;
static bool have_version;
static atomic_int_fast64_t last_check_ms;
static int64_t last_flush_ms; /* when the generation last moved */

static uint64_t
hash_key(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void
web_cache_invalidate(void)
{
	atomic_fetch_add(&generation, 1);
}

/* Frees every entry; the write lock is held. */
static void
flush_locked(void)
{
	size_t i;

	for (i = 0; i < CACHE_BUCKETS; i++) {
		struct entry *e = buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			MHD_destroy_response(e->plain);
			if (e->gz)
				MHD_destroy_response(e->gz);
			free(e->key);
			free(e);
		}
		buckets[i] = NULL;
	}
	table_bytes = 0;
	atomic_store(&web_stat_cache_entries, 0);
}

void
web_cache_clear(void)
{
	pthread_rwlock_wrlock(&lock);
	flush_locked();
	pthread_rwlock_unlock(&lock);
	pthread_mutex_lock(&version_lock);
	store_close(version_store);
	version_store = NULL;
	have_version = false;
	atomic_store(&last_check_ms, 0);
	pthread_mutex_unlock(&version_lock);
	web_ranking_clear();
}

bool
web_cache_serve(struct web_request *req, const char *key, bool gzip_ok,
		const char *if_none_match)
{
	uint64_t h = hash_key(key);
	struct entry *e;
	bool served = false;

	pthread_rwlock_rdlock(&lock);
	if (table_generation != atomic_load(&generation))
		goto out;
	for (e = buckets[h % CACHE_BUCKETS]; e; e = e->next) {
		if (e->hash != h || strcmp(e->key, key))
			continue;
		if (web_etag_matches(if_none_match, e->etag)) {
			web_queue_not_modified(req, e->etag, WEB_CACHE_PAGE);
		} else {
			bool zipped = gzip_ok && e->gz;

			MHD_queue_response(req->conn, 200,
					   zipped ? e->gz : e->plain);
			req->status = 200;
			req->bytes = zipped ? 0 : e->plain_len;
		}
		served = true;
		break;
	}
out:
	pthread_rwlock_unlock(&lock);
	if (served)
		atomic_fetch_add(&web_stat_cache_hits, 1);
	return served;
}

bool
web_cache_put(const char *key, struct MHD_Response *plain,
	      struct MHD_Response *gz, size_t plain_len, size_t gz_len,
	      const char *etag)
{
	uint64_t h = hash_key(key), gen = atomic_load(&generation);
	struct entry *e;
	size_t size = plain_len + gz_len + strlen(key) + sizeof(*e) + 1024;

	pthread_rwlock_wrlock(&lock);
	if (table_generation != gen) {
		flush_locked();
		table_generation = gen;
	}
	for (e = buckets[h % CACHE_BUCKETS]; e; e = e->next)
		if (e->hash == h && !strcmp(e->key, key))
			break;
	if (e) {
		/* Another worker rendered it at the same time. */
		pthread_rwlock_unlock(&lock);
		return false;
	}
	if (table_bytes + size > CACHE_MAX_BYTES)
		flush_locked();
	e = xcalloc(1, sizeof(*e));
	e->hash = h;
	e->key = xstrdup(key);
	e->plain = plain;
	e->gz = gz;
	e->plain_len = plain_len;
	e->size = size;
	snprintf(e->etag, sizeof(e->etag), "%s", etag);
	e->next = buckets[h % CACHE_BUCKETS];
	buckets[h % CACHE_BUCKETS] = e;
	table_bytes += size;
	atomic_fetch_add(&web_stat_cache_entries, 1);
	pthread_rwlock_unlock(&lock);
	return true;
}

/*
 * Reads the content version and bumps the generation when it moved (or
 * when the pages are MAX_AGE_MS old). Without force, at most every
 * VERSION_CHECK_MS; with it, now, waiting for a check in flight.
 */
static void
check_version(bool force)
{
	int64_t now = clock_mono_ms(), version;

	if (!force && now - atomic_load(&last_check_ms) < VERSION_CHECK_MS)
		return;
	if (force)
		pthread_mutex_lock(&version_lock);
	else if (pthread_mutex_trylock(&version_lock))
		return; /* another worker is checking */
	atomic_store(&last_check_ms, now);
	if (!version_store &&
	    store_open(config.data_dir, STORE_READ, 0, &version_store)) {
		version_store = NULL;
		if (force)
			web_cache_invalidate(); /* cannot tell: be safe */
		goto out;
	}
	/*
	 * Databases from before the content version fall back on the data
	 * version, which only compares with itself on one connection: hence
	 * a connection of the cache's own, shared by the workers.
	 */
	if (reading_content_version(version_store, &version))
		version = -store_data_version(version_store);
	if (!have_version)
		last_flush_ms = now;
	if ((have_version && version != last_version) ||
	    (force && !have_version) || now - last_flush_ms >= MAX_AGE_MS) {
		web_cache_invalidate();
		last_flush_ms = now;
	}
	last_version = version;
	have_version = true;
out:
	pthread_mutex_unlock(&version_lock);
}

void
web_cache_check_version(struct web_request *req)
{
	(void)req;
	check_version(false);
}

void
web_cache_content_committed(void)
{
	check_version(true);
}
