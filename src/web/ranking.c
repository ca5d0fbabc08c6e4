/*
 * ranking.c — the reading app's ranked lists (see ranking.h), from the
 * ranking module.
 *
 * Top stories, picks and the topic and publisher lists are the same for
 * every page and every viewer, and computing them reads many rows (the
 * stories of three days and the reads of one; every topic's and
 * publisher's article count): so each is
 * computed once and shared by the workers until the content version
 * changes (new articles, stories, picks, topics) or SHARED_TTL_SECONDS
 * pass (reads and the decay move top stories slowly). Each caller gets
 * its own copy.
 */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "rank/rank.h"
#include "store/reading.h"
#include "web/ranking.h"

enum {
	SHARED_TTL_SECONDS = 30, /* recompute shared lists this often */
	TOP_CACHED_MAX = 32,	 /* longest top stories list kept */
	PICKS_CACHED_MAX = 32,	 /* longest picks list kept */
	RELATED_SLOTS = 1024,	 /* related lists kept, by article id */
	RELATED_CACHED_MAX = 16, /* longest related list kept */
	TOPIC_SLOTS = 64,	 /* topics' latest lists kept */
};

/*
 * The content version of the request being answered on this thread: the
 * server reads every public page in one snapshot
 * (web_ranking_request_begin()), in which it cannot change, so it is read
 * once per page rather than once per list.
 */
static _Thread_local bool request_active;
static _Thread_local bool request_version_known;
static _Thread_local int64_t request_version;

void
web_ranking_request_begin(void)
{
	request_active = true;
	request_version_known = false;
}

void
web_ranking_request_end(void)
{
	request_active = false;
	request_version_known = false;
}

static enum status
content_version(struct store *s, int64_t *out)
{
	enum status rc;

	if (request_active && request_version_known) {
		*out = request_version;
		return ST_OK;
	}
	rc = reading_content_version(s, out);
	if (!rc && request_active) {
		request_version = *out;
		request_version_known = true;
	}
	return rc;
}

/* When a shared list was computed (under lock). */
struct shared {
	int64_t version;     /* content version it was computed at; -1 none */
	int64_t computed_at; /* clock_now() then */
	size_t limit;	     /* the limit it was computed for */
	bool computing;	     /* a thread is computing its successor */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* One article's related list, kept for the next page of it (lock). */
struct related_slot {
	int64_t article_id;	  /* 0: empty */
	struct shared state;	  /* when it was computed */
	struct article_list list; /* the articles, without bodies */
};

static struct related_slot related_slots[RELATED_SLOTS];
/* The latest articles of topics, the same way (by topic id). */
static struct related_slot topic_slots[TOPIC_SLOTS];
static struct shared top_state = {.version = -1};
static struct story_list top_cached;
static struct shared picks_state = {.version = -1};
static struct pick_list picks_cached;

static bool
shared_is_fresh(const struct shared *sh, int64_t version, int64_t now,
		size_t limit)
{
	return sh->version == version && sh->limit >= limit &&
	       now >= sh->computed_at &&
	       now - sh->computed_at < SHARED_TTL_SECONDS;
}

static void
shared_set(struct shared *sh, int64_t version, int64_t now, size_t limit)
{
	sh->version = version;
	sh->computed_at = now;
	sh->limit = limit;
	sh->computing = false;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
article_copy(struct article *to, const struct article *from)
{
	*to = *from;
	to->guid = dup_or_null(from->guid);
	to->url = dup_or_null(from->url);
	to->title = dup_or_null(from->title);
	to->byline = dup_or_null(from->byline);
	to->summary = dup_or_null(from->summary);
	to->body_html = NULL;
	to->body_text = NULL;
	to->teaser_html = dup_or_null(from->teaser_html);
	to->teaser_text = dup_or_null(from->teaser_text);
	to->lead_image = dup_or_null(from->lead_image);
	to->lead_caption = dup_or_null(from->lead_caption);
	to->language = dup_or_null(from->language);
	to->content_hash = dup_or_null(from->content_hash);
	to->topics = dup_or_null(from->topics);
	to->publisher_slug = dup_or_null(from->publisher_slug);
	to->publisher_name = dup_or_null(from->publisher_name);
	to->publisher_logo = dup_or_null(from->publisher_logo);
}

/* The first limit stories of from, copied (no story->articles). */
static void
stories_copy(struct story_list *to, const struct story_list *from, size_t limit)
{
	size_t i, n = MIN(limit, from->count);

	memset(to, 0, sizeof(*to));
	if (!n)
		return;
	to->items = xcalloc(n, sizeof(*to->items));
	for (i = 0; i < n; i++) {
		const struct story *f = &from->items[i];
		struct story *t = &to->items[i];

		*t = *f;
		t->title = dup_or_null(f->title);
		article_copy(&t->lead, &f->lead);
		memset(&t->articles, 0, sizeof(t->articles));
	}
	to->count = n;
}

static void
articles_copy(struct article_list *to, const struct article_list *from,
	      size_t limit)
{
	size_t i, n = MIN(limit, from->count);

	memset(to, 0, sizeof(*to));
	if (!n)
		return;
	to->items = xcalloc(n, sizeof(*to->items));
	for (i = 0; i < n; i++)
		article_copy(&to->items[i], &from->items[i]);
	to->count = n;
}

static void
picks_copy(struct pick_list *to, const struct pick_list *from, size_t limit)
{
	size_t i, n = MIN(limit, from->count);

	memset(to, 0, sizeof(*to));
	if (!n)
		return;
	to->items = xcalloc(n, sizeof(*to->items));
	for (i = 0; i < n; i++) {
		to->items[i] = from->items[i];
		to->items[i].note = dup_or_null(from->items[i].note);
		article_copy(&to->items[i].article, &from->items[i].article);
	}
	to->count = n;
}

static void
topics_copy(struct topic_list *to, const struct topic_list *from)
{
	size_t i;

	memset(to, 0, sizeof(*to));
	if (!from->count)
		return;
	to->items = xcalloc(from->count, sizeof(*to->items));
	for (i = 0; i < from->count; i++) {
		to->items[i] = from->items[i];
		to->items[i].slug = dup_or_null(from->items[i].slug);
		to->items[i].name = dup_or_null(from->items[i].name);
	}
	to->count = from->count;
}

static void
publishers_copy(struct publisher_list *to, const struct publisher_list *from)
{
	size_t i;

	memset(to, 0, sizeof(*to));
	if (!from->count)
		return;
	to->items = xcalloc(from->count, sizeof(*to->items));
	for (i = 0; i < from->count; i++) {
		const struct publisher *f = &from->items[i];
		struct publisher *t = &to->items[i];

		*t = *f;
		t->slug = dup_or_null(f->slug);
		t->name = dup_or_null(f->name);
		t->homepage = dup_or_null(f->homepage);
		t->logo = dup_or_null(f->logo);
		t->description = dup_or_null(f->description);
		t->language = dup_or_null(f->language);
		t->country = dup_or_null(f->country);
		t->body_selector = dup_or_null(f->body_selector);
		t->remove_selectors = dup_or_null(f->remove_selectors);
	}
	to->count = from->count;
}

/*
 * Each shared list: a copy of the kept one when it is fresh, else computed
 * outside the lock (two workers may both compute it once) and kept.
 */
enum status
web_top_stories(struct store *s, size_t limit, struct story_list *out)
{
	struct story_list fresh = {0};
	int64_t version, now = clock_now();
	size_t want = MAX(limit, (size_t)TOP_CACHED_MAX);
	enum status rc;

	if (limit > TOP_CACHED_MAX || content_version(s, &version))
		return rank_top_stories(s, now, limit, out);
	pthread_mutex_lock(&lock);
	if (shared_is_fresh(&top_state, version, now, limit)) {
		stories_copy(out, &top_cached, limit);
		pthread_mutex_unlock(&lock);
		return ST_OK;
	}
	pthread_mutex_unlock(&lock);
	rc = rank_top_stories(s, now, want, &fresh);
	if (rc)
		return rc;
	stories_copy(out, &fresh, limit);
	pthread_mutex_lock(&lock);
	story_list_release(&top_cached);
	top_cached = fresh;
	shared_set(&top_state, version, now, want);
	pthread_mutex_unlock(&lock);
	return ST_OK;
}

enum status
web_picks(struct store *s, size_t limit, struct pick_list *out)
{
	struct pick_list fresh = {0};
	int64_t version, now = clock_now();
	size_t want = MAX(limit, (size_t)PICKS_CACHED_MAX);
	enum status rc;

	if (limit > PICKS_CACHED_MAX || content_version(s, &version))
		return store_pick_list(s, limit, out);
	pthread_mutex_lock(&lock);
	if (shared_is_fresh(&picks_state, version, now, limit)) {
		picks_copy(out, &picks_cached, limit);
		pthread_mutex_unlock(&lock);
		return ST_OK;
	}
	pthread_mutex_unlock(&lock);
	rc = store_pick_list(s, want, &fresh);
	if (rc)
		return rc;
	picks_copy(out, &fresh, limit);
	pthread_mutex_lock(&lock);
	pick_list_release(&picks_cached);
	picks_cached = fresh;
	shared_set(&picks_state, version, now, want);
	pthread_mutex_unlock(&lock);
	return ST_OK;
}

enum status
web_topic_latest(struct store *s, int64_t topic_id, size_t limit,
		 struct article_list *out)
{
	struct related_slot *slot =
		&topic_slots[(uint64_t)topic_id % TOPIC_SLOTS];
	struct article_list fresh = {0};
	int64_t version, now = clock_now();
	enum status rc;

	if (content_version(s, &version))
		return reading_topic_articles(s, topic_id, NULL, limit, out);
	pthread_mutex_lock(&lock);
	if (slot->article_id == topic_id && slot->state.limit == limit &&
	    shared_is_fresh(&slot->state, version, now, limit)) {
		articles_copy(out, &slot->list, limit);
		pthread_mutex_unlock(&lock);
		return ST_OK;
	}
	pthread_mutex_unlock(&lock);
	rc = reading_topic_articles(s, topic_id, NULL, limit, &fresh);
	if (rc)
		return rc;
	articles_copy(out, &fresh, limit);
	pthread_mutex_lock(&lock);
	article_list_release(&slot->list);
	slot->list = fresh;
	slot->article_id = topic_id;
	shared_set(&slot->state, version, now, limit);
	pthread_mutex_unlock(&lock);
	return ST_OK;
}

/* ---- The topic and publisher lists --------------------------------------- */

/*
 * The topic and publisher lists count every topic's and publisher's
 * articles: 0.1-0.3 s of CPU at 1,000,000 articles. A page never waits for
 * that count once the refresher runs (web_ranking_refresher_start()): it
 * counts them again on a thread of its own before they expire, and when
 * the content changes it counts them at once while pages keep the list
 * they have. Pages only count themselves when there is no list yet, when
 * no refresher runs, or when the last count took less than
 * inline_max_ms (small sites, and the tests, see new content at once).
 *
 * A list is published as a struct web_shared: read-only, freed with its
 * last reference, so pages read it without copying it.
 */
enum shared_kind {
	KIND_TOPICS,
	KIND_PUBLISHERS,
	KIND_COUNT,
};

struct web_shared {
	atomic_int refs;		   /* the slot's and the readers' */
	enum shared_kind kind;		   /* which list */
	struct topic_list topics;	   /* KIND_TOPICS */
	struct publisher_list publishers;  /* KIND_PUBLISHERS */
	pthread_mutex_t memo_lock;	   /* guards the three below */
	web_shared_render_fn *memo_render; /* what rendered memo, or NULL */
	char *memo;			   /* its text (malloc'd), or NULL */
	size_t memo_len;		   /* ...its length */
};

/* One kept list and how it is refreshed (lock). */
struct list_slot {
	struct shared state;	    /* version and time it was counted at */
	struct web_shared *current; /* the list pages get, or NULL */
	int64_t cost_ms;	    /* how long the last count took */
	int64_t counted_mono;	    /* clock_mono_ms() when it ended */
};

enum {
	/* The refresher counts a list this long before it expires. */
	REFRESH_AHEAD_SECONDS = 10,
	/* ...looks at the lists this often (ms) unless a page asks. */
	REFRESH_POLL_MS = 1000,
	/* ...and spends at most a tenth of its time counting. */
	REFRESH_IDLE_FACTOR = 10,
	/* Pages count themselves when the last count took less (ms). */
	INLINE_MAX_MS = 5,
};

static struct list_slot list_slots[KIND_COUNT];
static int64_t inline_max_ms = INLINE_MAX_MS;
static atomic_uint_fast64_t stat_request_counts;
static atomic_uint_fast64_t stat_background_counts;

/* The refresher (lock). */
static struct {
	pthread_t thread;    /* its thread */
	pthread_cond_t wake; /* signalled to look at once, or to stop */
	bool running;	     /* started and not stopped */
	bool stopping;	     /* asked to stop */
	bool wanted;	     /* a page found a list out of date */
	struct store *store; /* its own read connection */
} refresher = {.wake = PTHREAD_COND_INITIALIZER};

static struct web_shared *
shared_new(enum shared_kind kind)
{
	struct web_shared *sh = xcalloc(1, sizeof(*sh));

	atomic_init(&sh->refs, 1);
	sh->kind = kind;
	pthread_mutex_init(&sh->memo_lock, NULL);
	return sh;
}

static struct web_shared *
shared_ref(struct web_shared *sh)
{
	atomic_fetch_add_explicit(&sh->refs, 1, memory_order_relaxed);
	return sh;
}

void
web_shared_release(struct web_shared *sh)
{
	if (!sh ||
	    atomic_fetch_sub_explicit(&sh->refs, 1, memory_order_acq_rel) != 1)
		return;
	topic_list_release(&sh->topics);
	publisher_list_release(&sh->publishers);
	pthread_mutex_destroy(&sh->memo_lock);
	free(sh->memo);
	free(sh);
}

const struct topic_list *
web_shared_topics(const struct web_shared *sh)
{
	return &sh->topics;
}

const struct publisher_list *
web_shared_publishers(const struct web_shared *sh)
{
	return &sh->publishers;
}

const char *
web_shared_memo(struct web_shared *sh, web_shared_render_fn *render,
		size_t *len)
{
	const char *text = NULL;

	pthread_mutex_lock(&sh->memo_lock);
	if (!sh->memo_render) {
		struct buf b;

		buf_init(&b, 0);
		render(&b, sh);
		if (!b.err) {
			sh->memo_len = b.len;
			sh->memo = buf_detach(&b, NULL);
			sh->memo_render = render;
		}
		buf_release(&b);
	}
	if (sh->memo_render == render) {
		text = sh->memo;
		*len = sh->memo_len;
	}
	pthread_mutex_unlock(&sh->memo_lock);
	return text;
}

/* Counts one list into a new web_shared. */
static enum status
list_count(struct store *s, enum shared_kind kind, struct web_shared **out)
{
	struct web_shared *sh = shared_new(kind);
	enum status rc;

	if (kind == KIND_TOPICS)
		rc = store_topic_list(s, &sh->topics);
	else
		rc = store_publisher_list(s, &sh->publishers);
	if (rc) {
		web_shared_release(sh);
		return rc;
	}
	*out = sh;
	return ST_OK;
}

/* Publishes a list counted at version and now (lock). */
static void
list_publish(struct list_slot *slot, struct web_shared *sh, int64_t version,
	     int64_t now, int64_t started_mono)
{
	int64_t ended = clock_mono_ms();

	web_shared_release(slot->current);
	slot->current = sh;
	shared_set(&slot->state, version, now, 0);
	slot->cost_ms = ended - started_mono;
	slot->counted_mono = ended;
}

/*
 * A reference to a list for a page: the kept one when it is fresh, or
 * out of date while the refresher counts its successor; else counted here.
 */
static enum status
list_get(struct store *s, enum shared_kind kind, struct web_shared **out)
{
	struct list_slot *slot = &list_slots[kind];
	struct web_shared *sh;
	int64_t version, now = clock_now(), started;
	enum status rc;

	if (content_version(s, &version))
		return list_count(s, kind, out);
	pthread_mutex_lock(&lock);
	if (slot->current &&
	    (shared_is_fresh(&slot->state, version, now, 0) ||
	     slot->state.computing ||
	     (refresher.running && slot->cost_ms >= inline_max_ms))) {
		if (!shared_is_fresh(&slot->state, version, now, 0) &&
		    refresher.running && !refresher.wanted) {
			refresher.wanted = true;
			pthread_cond_signal(&refresher.wake);
		}
		*out = shared_ref(slot->current);
		pthread_mutex_unlock(&lock);
		return ST_OK;
	}
	slot->state.computing = true;
	pthread_mutex_unlock(&lock);
	started = clock_mono_ms();
	rc = list_count(s, kind, &sh);
	atomic_fetch_add(&stat_request_counts, 1);
	pthread_mutex_lock(&lock);
	if (rc) {
		slot->state.computing = false;
	} else {
		list_publish(slot, sh, version, now, started);
		*out = shared_ref(sh);
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

enum status
web_topics_shared(struct store *s, struct web_shared **out)
{
	return list_get(s, KIND_TOPICS, out);
}

enum status
web_publishers_shared(struct store *s, struct web_shared **out)
{
	return list_get(s, KIND_PUBLISHERS, out);
}

enum status
web_topics(struct store *s, struct topic_list *out)
{
	struct web_shared *sh;
	enum status rc = list_get(s, KIND_TOPICS, &sh);

	if (rc)
		return rc;
	topics_copy(out, &sh->topics);
	web_shared_release(sh);
	return ST_OK;
}

enum status
web_publishers(struct store *s, struct publisher_list *out)
{
	struct web_shared *sh;
	enum status rc = list_get(s, KIND_PUBLISHERS, &sh);

	if (rc)
		return rc;
	publishers_copy(out, &sh->publishers);
	web_shared_release(sh);
	return ST_OK;
}

/*
 * Whether the refresher is to count a list now (lock): there is none, it
 * expires within REFRESH_AHEAD_SECONDS, or the content changed and the
 * last count ended long enough ago (REFRESH_IDLE_FACTOR times its cost:
 * under a steady stream of new articles the counts take a tenth of one
 * core at most).
 */
static bool
list_due(const struct list_slot *slot, int64_t version, int64_t now,
	 int64_t mono)
{
	const struct shared *st = &slot->state;

	if (st->computing)
		return false;
	if (!slot->current || now < st->computed_at ||
	    now - st->computed_at >= SHARED_TTL_SECONDS - REFRESH_AHEAD_SECONDS)
		return true;
	return st->version != version &&
	       mono - slot->counted_mono >= REFRESH_IDLE_FACTOR * slot->cost_ms;
}

/* The refresher's round: counts every list that is due (lock held). */
static void
refresh_round(void)
{
	for (size_t k = 0; k < KIND_COUNT && !refresher.stopping; k++) {
		struct list_slot *slot = &list_slots[k];
		struct web_shared *sh;
		int64_t version, now, started;
		enum status rc;

		pthread_mutex_unlock(&lock);
		rc = reading_content_version(refresher.store, &version);
		now = clock_now();
		pthread_mutex_lock(&lock);
		if (rc || !list_due(slot, version, now, clock_mono_ms()))
			continue;
		slot->state.computing = true;
		pthread_mutex_unlock(&lock);
		started = clock_mono_ms();
		rc = list_count(refresher.store, (enum shared_kind)k, &sh);
		atomic_fetch_add(&stat_background_counts, 1);
		pthread_mutex_lock(&lock);
		if (rc)
			slot->state.computing = false;
		else
			list_publish(slot, sh, version, now, started);
	}
}

static void *
refresh_loop(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (!refresher.stopping) {
		struct timespec until;

		refresher.wanted = false;
		refresh_round();
		if (refresher.stopping || refresher.wanted)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += REFRESH_POLL_MS / 1000;
		until.tv_nsec += (REFRESH_POLL_MS % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&refresher.wake, &lock, &until);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

enum status
web_ranking_refresher_start(void)
{
	pthread_condattr_t attr;
	struct store *s = NULL;
	enum status rc;

	rc = store_open(config.data_dir, STORE_READ, 0, &s);
	if (!rc)
		rc = reading_connection_setup(s);
	if (rc) {
		store_close(s);
		return rc;
	}
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_mutex_lock(&lock);
	if (refresher.running) {
		pthread_mutex_unlock(&lock);
		pthread_condattr_destroy(&attr);
		store_close(s);
		return ST_OK;
	}
	pthread_cond_destroy(&refresher.wake);
	pthread_cond_init(&refresher.wake, &attr);
	pthread_condattr_destroy(&attr);
	refresher.store = s;
	refresher.stopping = false;
	refresher.wanted = false;
	/* The first lists before the first page, on this thread. */
	refresh_round();
	if (pthread_create(&refresher.thread, NULL, refresh_loop, NULL)) {
		refresher.store = NULL;
		pthread_mutex_unlock(&lock);
		store_close(s);
		return log_error(ST_IO, "web: cannot start the list refresher");
	}
	refresher.running = true;
	pthread_mutex_unlock(&lock);
	return ST_OK;
}

void
web_ranking_refresher_stop(void)
{
	pthread_mutex_lock(&lock);
	if (!refresher.running) {
		pthread_mutex_unlock(&lock);
		return;
	}
	refresher.stopping = true;
	pthread_cond_signal(&refresher.wake);
	pthread_mutex_unlock(&lock);
	pthread_join(refresher.thread, NULL);
	pthread_mutex_lock(&lock);
	refresher.running = false;
	store_close(refresher.store);
	refresher.store = NULL;
	pthread_mutex_unlock(&lock);
}

void
web_ranking_set_inline_max_ms(int64_t ms)
{
	pthread_mutex_lock(&lock);
	inline_max_ms = ms < 0 ? INLINE_MAX_MS : ms;
	pthread_mutex_unlock(&lock);
}

void
web_ranking_stats_get(struct web_ranking_stats *out)
{
	out->request_counts = atomic_load(&stat_request_counts);
	out->background_counts = atomic_load(&stat_background_counts);
}

void
web_ranking_clear(void)
{
	pthread_mutex_lock(&lock);
	story_list_release(&top_cached);
	pick_list_release(&picks_cached);
	top_state.version = picks_state.version = -1;
	for (size_t k = 0; k < KIND_COUNT; k++) {
		web_shared_release(list_slots[k].current);
		memset(&list_slots[k], 0, sizeof(list_slots[k]));
		list_slots[k].state.version = -1;
	}
	for (size_t i = 0; i < RELATED_SLOTS; i++) {
		article_list_release(&related_slots[i].list);
		related_slots[i].article_id = 0;
	}
	for (size_t i = 0; i < TOPIC_SLOTS; i++) {
		article_list_release(&topic_slots[i].list);
		topic_slots[i].article_id = 0;
	}
	pthread_mutex_unlock(&lock);
}

enum status
web_story(struct store *s, int64_t id, struct story *out)
{
	return rank_story_get(s, id, out);
}

/* ---- Related lists from one statement ------------------------------------ */

/*
 * The related list being built from reading_related_candidates(): the
 * rules of rank_related_article() (rank_related_story() and
 * rank_related_offer()), applied to the rows of one statement rather than
 * to two lists read apart. The web tests compare both.
 */
struct related_build {
	struct rank_related rel; /* the list and its rules */
	struct article *story;	 /* the story's candidates, newest first */
	size_t story_count;	 /* ...how many */
	size_t story_alloc;	 /* ...allocated */
	bool story_done;	 /* the story's passes have run */
	size_t neighbours_seen;	 /* neighbour rows looked at */
	size_t neighbours_max;	 /* ...and how many may be */
};

static void
related_story_passes(struct related_build *r)
{
	if (r->story_done)
		return;
	r->story_done = true;
	rank_related_story(&r->rel, r->story, r->story_count);
	r->neighbours_max = rank_related_neighbours_wanted(&r->rel);
}

static bool
related_row(void *ctx, bool from_story, struct article *a)
{
	struct related_build *r = ctx;

	if (from_story) {
		if (r->story_count == r->story_alloc) {
			r->story_alloc =
				r->story_alloc ? 2 * r->story_alloc : 8;
			r->story = xreallocarray(r->story, r->story_alloc,
						 sizeof(*r->story));
		}
		r->story[r->story_count++] = *a;
		memset(a, 0, sizeof(*a));
		return true;
	}
	related_story_passes(r);
	if (r->neighbours_seen++ >= r->neighbours_max)
		return false;
	rank_related_offer(&r->rel, a);
	return !rank_related_full(&r->rel);
}

/*
 * The related list of an article with one statement: what
 * rank_related_article() returns, with the columns of a compact card.
 * Articles never clustered (no fingerprint) have no recorded neighbours:
 * the ranking module searches for them.
 */
static enum status
related_compute(struct store *s, const struct article *a, size_t limit,
		struct article_list *out)
{
	struct related_build r = {.rel = {.limit = limit, .self = a}};
	enum status rc;
	size_t i;

	if (!a->fingerprint || !limit)
		return rank_related_article(s, a, limit, out);
	rc = reading_related_candidates(
		s, a->id, a->story_id, RANK_RELATED_STORY_ARTICLES,
		RANK_RELATED_NEIGHBOURS, related_row, &r);
	if (!rc)
		related_story_passes(&r);
	for (i = 0; i < r.story_count; i++)
		article_release(&r.story[i]);
	free(r.story);
	if (rc) {
		article_list_release(&r.rel.list);
		return rc;
	}
	*out = r.rel.list;
	return ST_OK;
}

enum status
web_related_uncached(struct store *s, const struct article *a, size_t limit,
		     struct article_list *out)
{
	return related_compute(s, a, limit, out);
}

/*
 * Related lists are kept per article too, in a table of RELATED_SLOTS
 * (an article's slot is its id modulo the size; a newer article takes it):
 * pages that are never cached (members') ask for the same popular articles
 * again and again.
 */
enum status
web_related(struct store *s, const struct article *a, size_t limit,
	    struct article_list *out)
{
	struct related_slot *slot =
		&related_slots[(uint64_t)a->id % RELATED_SLOTS];
	struct article_list fresh = {0};
	int64_t version, now = clock_now();
	enum status rc;

	if (limit > RELATED_CACHED_MAX || content_version(s, &version))
		return related_compute(s, a, limit, out);
	pthread_mutex_lock(&lock);
	if (slot->article_id == a->id &&
	    shared_is_fresh(&slot->state, version, now, limit)) {
		articles_copy(out, &slot->list, limit);
		pthread_mutex_unlock(&lock);
		return ST_OK;
	}
	pthread_mutex_unlock(&lock);
	rc = related_compute(s, a, limit, &fresh);
	if (rc)
		return rc;
	articles_copy(out, &fresh, limit);
	pthread_mutex_lock(&lock);
	article_list_release(&slot->list);
	slot->list = fresh;
	slot->article_id = a->id;
	shared_set(&slot->state, version, now, limit);
	pthread_mutex_unlock(&lock);
	return ST_OK;
}
