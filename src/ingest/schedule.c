/*
 * schedule.c — fetching a batch of feeds, keeping each feed's state
 * (validators, errors, backoff, the next due time), and the scheduler
 * thread of `newsstand serve`.
 *
 * Polling adapts to how often a feed really changes: an update that brings
 * new articles shortens the interval by a third, one that brings nothing
 * lengthens it by half, within poll_min and poll_max. Failures back off
 * exponentially from poll_min; 429 and 503 wait as long as Retry-After
 * asks; 410 disables the feed.
 */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "fetch/fetch.h"
#include "ingest/ingest.h"

struct batch {
	struct store *store;
	const struct ingest_options *opt;
	struct ingest_stats *stats;
	size_t done;  /* feeds finished so far */
	size_t total; /* feeds in the batch */
};

static int64_t
clamp_interval(int64_t v)
{
	if (v < config.poll_min)
		v = config.poll_min;
	if (v > config.poll_max)
		v = config.poll_max;
	return v;
}

/* Records a failure: error text, exponential backoff. */
static void
record_failure(struct store_feed *f, const char *error, int64_t now,
	       int64_t wait)
{
	int shift = f->error_count < 16 ? f->error_count : 16;

	f->error_count++;
	free(f->last_error);
	f->last_error = xstrdup(error ? error : "unknown error");
	if (!wait)
		wait = clamp_interval((int64_t)config.poll_min << shift);
	f->next_due_at = now + MIN(wait, (int64_t)config.poll_max);
}

static void
record_success(struct store_feed *f, size_t created, int64_t now)
{
	int64_t interval = f->interval ? f->interval : 3600;

	if (created) {
		interval = interval * 2 / 3;
		f->last_new_at = now;
	} else {
		interval = interval * 3 / 2;
	}
	f->interval = clamp_interval(interval);
	f->error_count = 0;
	free(f->last_error);
	f->last_error = NULL;
	f->last_success_at = now;
	f->next_due_at = now + f->interval;
}

/* A permanent redirect moves the feed, unless another feed has the URL. */
static void
follow_permanent_redirect(struct store *s, struct store_feed *f,
			  const char *url)
{
	struct store_feed other;

	if (!url || !strcmp(url, f->url))
		return;
	if (store_feed_by_url(s, url, &other) == ST_OK) {
		log_warn(ST_EXISTS,
			 "ingest: feed %" PRId64 " moved to %s, which is "
			 "feed %" PRId64 "; URL kept",
			 f->id, url, other.id);
		store_feed_release(&other);
		return;
	}
	log_info("ingest: feed %" PRId64 " moved permanently: %s -> %s", f->id,
		 f->url, url);
	free(f->url);
	f->url = xstrdup(url);
}

static void
fetched(struct fetch_request *req, struct fetch_result *res, void *ctx)
{
	struct batch *b = ctx;
	struct store_feed *f = req->user;
	struct ingest_stats before = *b->stats;
	int64_t now = clock_now();
	char *error = NULL;

	b->stats->feeds++;
	f->last_fetch_at = now;
	f->http_status = res->http_status;
	if (res->status == ST_OK && res->not_modified) {
		b->stats->not_modified++;
		record_success(f, 0, now);
	} else if (res->status == ST_OK) {
		if (res->etag || res->last_modified) {
			free(f->etag);
			free(f->last_modified);
			f->etag = res->etag ? xstrdup(res->etag) : NULL;
			f->last_modified = res->last_modified
						   ? xstrdup(res->last_modified)
						   : NULL;
		}
		if (ingest_document(b->store, f, res->body, res->body_len,
				    res->content_type, b->stats, &error)) {
			/* A document we cannot read must be fetched again
			 * in full, so forget its validators. */
			free(f->etag);
			free(f->last_modified);
			f->etag = f->last_modified = NULL;
			record_failure(f, error, now, 0);
			b->stats->failed++;
		} else {
			f->item_count =
				(int64_t)(b->stats->items - before.items);
			record_success(f, b->stats->created - before.created,
				       now);
			if (b->opt->on_commit)
				b->opt->on_commit(b->opt->on_commit_ctx);
		}
	} else {
		int64_t wait = 0;

		if (res->status == ST_AGAIN && res->retry_after > 0)
			wait = res->retry_after;
		record_failure(
			f, res->error ? res->error : status_str(res->status),
			now, wait);
		if (res->gone) {
			f->enabled = false;
			free(f->disabled_reason);
			f->disabled_reason =
				xstrdup("the server says the feed is gone "
					"(HTTP 410)");
		}
		b->stats->failed++;
	}
	if (res->permanent_redirect && res->permanent_url)
		follow_permanent_redirect(b->store, f, res->permanent_url);
	if (store_feed_save_state(b->store, f))
		log_error(ST_DB, "ingest: feed %" PRId64 ": state not saved",
			  f->id);
	if (f->last_error)
		log_warn(ST_OK, "ingest: feed %" PRId64 " (%s): %s", f->id,
			 f->url, f->last_error);
	b->done++;
	if (!b->opt->quiet && (b->done % 100 == 0 || b->done == b->total))
		fprintf(stderr, "fetched %zu/%zu feeds\r%s", b->done, b->total,
			b->done == b->total ? "\n" : "");
	free(error);
}

static enum status
select_feeds(struct store *s, const struct ingest_options *opt,
	     struct store_feed_list *out)
{
	struct store_feed_list l = {0};
	enum status rc;
	size_t i, kept = 0;

	if (opt->feed_ids) {
		l.items = xcalloc(opt->feed_id_count + 1, sizeof(*l.items));
		for (i = 0; i < opt->feed_id_count; i++) {
			rc = store_feed_get(s, opt->feed_ids[i],
					    &l.items[l.count]);
			if (rc == ST_NOTFOUND) {
				store_feed_list_release(&l);
				return log_error(ST_NOTFOUND,
						 "no feed with id %" PRId64,
						 opt->feed_ids[i]);
			}
			if (rc) {
				store_feed_list_release(&l);
				return rc;
			}
			l.count++;
		}
		*out = l;
		return ST_OK;
	}
	if (!opt->all)
		return store_feed_due(s, clock_now(), opt->limit, out);
	rc = store_feed_list(s, 0, &l);
	if (rc)
		return rc;
	for (i = 0; i < l.count; i++) {
		if (l.items[i].enabled)
			l.items[kept++] = l.items[i];
		else
			store_feed_release(&l.items[i]);
	}
	l.count = kept;
	*out = l;
	return ST_OK;
}

enum status
ingest_fetch(struct store *s, const struct ingest_options *opt,
	     struct ingest_stats *stats)
{
	struct store_feed_list feeds = {0};
	struct fetch_request *reqs;
	struct batch b = {.store = s, .opt = opt, .stats = stats};
	enum status rc;
	size_t i;

	rc = select_feeds(s, opt, &feeds);
	if (rc)
		return rc;
	if (!feeds.count) {
		store_feed_list_release(&feeds);
		return ST_OK;
	}
	reqs = xcalloc(feeds.count, sizeof(*reqs));
	for (i = 0; i < feeds.count; i++) {
		struct store_feed *f = &feeds.items[i];

		reqs[i].url = f->url;
		reqs[i].etag = f->etag;
		reqs[i].last_modified = f->last_modified;
		reqs[i].accept = "application/rss+xml, application/atom+xml, "
				 "application/feed+json, application/json;"
				 "q=0.9, application/xml;q=0.8, */*;q=0.5";
		reqs[i].allow_file = f->allow_file;
		reqs[i].user = f;
	}
	b.total = feeds.count;
	rc = fetch_run(reqs, feeds.count, fetched, &b);
	free(reqs);
	store_feed_list_release(&feeds);
	return rc;
}

/* ---- The scheduler thread ------------------------------------------------ */

struct ingest_scheduler {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;		     /* asked to stop */
	ingest_commit_fn *on_commit; /* after each committed feed */
	void *ctx;
};

static void *
scheduler_main(void *arg)
{
	struct ingest_scheduler *sched = arg;
	struct store *s = NULL;

	if (store_open(config.data_dir, STORE_WRITE, 0, &s)) {
		log_error(ST_DB, "scheduler: cannot open the database; "
				 "not fetching");
		return NULL;
	}
	for (;;) {
		struct ingest_options opt = {
			.limit = (size_t)config.fetch_concurrency * 4,
			.quiet = true,
			.on_commit = sched->on_commit,
			.on_commit_ctx = sched->ctx,
		};
		struct ingest_stats stats = {0};
		struct store_feed_list due = {0};
		struct timespec until;
		bool more;

		pthread_mutex_lock(&sched->lock);
		if (sched->stop) {
			pthread_mutex_unlock(&sched->lock);
			break;
		}
		pthread_mutex_unlock(&sched->lock);
		if (ingest_fetch(s, &opt, &stats))
			log_error(ST_DB, "scheduler: fetch round failed");
		else if (stats.feeds)
			log_info("scheduler: %zu feeds, %zu new articles, "
				 "%zu failed",
				 stats.feeds, stats.created, stats.failed);
		/* Go again at once while feeds are overdue. */
		more = store_feed_due(s, clock_now(), 1, &due) == ST_OK &&
		       due.count > 0;
		store_feed_list_release(&due);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += more ? 0 : 15;
		pthread_mutex_lock(&sched->lock);
		if (!sched->stop && !more)
			pthread_cond_timedwait(&sched->wake, &sched->lock,
					       &until);
		pthread_mutex_unlock(&sched->lock);
	}
	store_close(s);
	return NULL;
}

enum status
ingest_scheduler_start(ingest_commit_fn *on_commit, void *ctx,
		       struct ingest_scheduler **out)
{
	struct ingest_scheduler *sched = xcalloc(1, sizeof(*sched));

	pthread_mutex_init(&sched->lock, NULL);
	pthread_cond_init(&sched->wake, NULL);
	sched->on_commit = on_commit;
	sched->ctx = ctx;
	if (pthread_create(&sched->thread, NULL, scheduler_main, sched)) {
		free(sched);
		return log_error(ST_INTERNAL, "scheduler: cannot start thread");
	}
	*out = sched;
	return ST_OK;
}

void
ingest_scheduler_stop(struct ingest_scheduler *sched)
{
	if (!sched)
		return;
	pthread_mutex_lock(&sched->lock);
	sched->stop = true;
	pthread_cond_signal(&sched->wake);
	pthread_mutex_unlock(&sched->lock);
	pthread_join(sched->thread, NULL);
	pthread_mutex_destroy(&sched->lock);
	pthread_cond_destroy(&sched->wake);
	free(sched);
}
