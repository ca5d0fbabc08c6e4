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
 *
 * A run has three kinds of threads (see ingest_fetch() in ingest.h):
 *
 *   fetch thread ──► work queue ──► workers ──► ready queue ──► writer
 *     (fetch_run)                (parse, sanitise)           (the caller)
 *
 * A summary-only feed goes round once more: the writer looks up which of
 * its items are new (ingest_lookup) and hands it back to a worker to
 * extract their pages. Results that need no parsing (304, errors) go
 * straight to the writer. The fetch thread waits while too many fetched
 * bytes are in flight, so memory stays bounded however many feeds are due.
 */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "fetch/fetch.h"
#include "ingest/ingest.h"
#include "ingest/internal.h"
#include "rank/rank.h"

enum {
	MAX_WORKERS = 8, /* parsing threads at most */
	/* Feeds stored in one transaction at most. Each commit writes the
	 * search index's terms as a segment that later merges, and flushes
	 * the neighbour rows: 64 feeds of 20 items made 16 commits of a
	 * 1,000-feed refresh and cost it about a tenth of its time. */
	BATCH_FEEDS = 256,
	BATCH_ITEMS = 5000, /* items in one transaction, give or take */
	/* Prepared items waiting for the writer at most: the workers stay
	 * about one batch ahead of the writer instead of taking the cores
	 * while it waits for CPU, and leaving it to store the rest alone. */
	READY_ITEMS = BATCH_ITEMS,
	/* Items in one transaction once nothing is left to prepare: the
	 * round's end waits for its last commit to be checkpointed, so the
	 * last items go in smaller commits, each checkpointed while the
	 * writer stores the next (store_write_round_ending()). */
	ENDING_ITEMS = 500,
	CHUNK_PER_SLOT = 4, /* fetch_run() batches: concurrency × this */
	STOP_POLL_MS = 200, /* how often an idle writer asks should_stop */
};
/* Fetched bytes waiting to be parsed or stored, at most (one feed more). */
#define MAX_QUEUED_BYTES ((size_t)128 << 20)

/* Where a fetched feed is on its way. */
enum job_stage {
	JOB_PARSE,   /* for a worker: parse, normalise, sanitise */
	JOB_LOOKUP,  /* for the writer: which pages to extract */
	JOB_EXTRACT, /* for a worker: extract pages, sanitise */
	JOB_STORE,   /* for the writer: store, save the feed's state */
};

/* One feed's fetch result going through the pipeline. */
struct job {
	struct job *next;	 /* in its queue */
	struct store_feed *feed; /* borrowed from the run's list */
	struct fetch_result res; /* moved out of fetch_run() */
	struct ingest_doc doc;	 /* parsed and prepared items */
	enum job_stage stage;	 /* what comes next */
	size_t bytes;		 /* counted in queued_bytes */
	char *error;		 /* why storing failed (malloc'd) */
};

/* A first-in, first-out list of jobs. */
struct queue {
	struct job *head, *tail; /* NULL when empty */
};

/* One ingest_fetch() call: its threads share this under lock. */
struct run {
	struct store *store;		  /* the writer's; caller thread only */
	struct rank_index *rank_index;	  /* clustering's; caller thread only */
	const struct ingest_options *opt; /* which feeds, callbacks */
	struct ingest_stats *stats;	  /* caller thread only */
	struct fetch_request *reqs;	  /* one per feed */
	size_t total;			  /* feeds in the run */
	size_t done;			  /* feeds finished (caller thread) */
	int64_t writer_idle_ms;		  /* the writer waiting for work */
	enum status fetch_rc;		  /* fetch_run() failure, if any */

	pthread_mutex_t lock;	    /* guards everything below */
	pthread_cond_t work_ready;  /* workers wait on it */
	pthread_cond_t write_ready; /* the writer waits on it */
	pthread_cond_t room;	    /* the fetch thread waits on it */
	struct queue work;	    /* JOB_PARSE and JOB_EXTRACT */
	struct queue ready;	    /* JOB_LOOKUP and JOB_STORE */
	struct queue spent;	    /* stored: for a worker to free */
	size_t ready_items;	    /* items of the jobs in ready */
	size_t in_flight;	    /* fetched jobs not yet finished */
	size_t queued_bytes;	    /* their body bytes */
	bool fetching_done;	    /* the fetch thread has finished */
	bool ending;   /* fetched and all handed to workers: the last items */
	bool stopping; /* wind down: drop what is left */
	bool quit;     /* workers: no more work will come */
};

static void
queue_push(struct queue *q, struct job *j)
{
	j->next = NULL;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

static struct job *
queue_pop(struct queue *q)
{
	struct job *j = q->head;

	if (j) {
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
		j->next = NULL;
	}
	return j;
}

static void
job_free(struct job *j)
{
	if (!j)
		return;
	fetch_result_release(&j->res);
	ingest_doc_release(&j->doc);
	free(j->error);
	free(j);
}

static void
queue_free(struct queue *q)
{
	struct job *j;

	while ((j = queue_pop(q)))
		job_free(j);
}

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

/* Forgets a feed's validators: an unreadable document is fetched whole. */
static void
forget_validators(struct store_feed *f)
{
	free(f->etag);
	free(f->last_modified);
	f->etag = f->last_modified = NULL;
}

/* Takes the validators a 200 came with (a server may send them and still
 * answer a conditional request in full). */
static void
keep_validators(struct store_feed *f, const struct fetch_result *res)
{
	if (!res->etag && !res->last_modified)
		return;
	forget_validators(f);
	f->etag = res->etag ? xstrdup(res->etag) : NULL;
	f->last_modified =
		res->last_modified ? xstrdup(res->last_modified) : NULL;
}

/* Opens the writer's transaction and brings the index up to date. */
static enum status
begin_batch(struct run *r)
{
	enum status rc = store_begin(r->store);

	if (!rc) {
		rc = rank_index_begin(r->rank_index, r->store);
		if (rc)
			store_rollback(r->store);
	}
	return rc;
}

/* Commits the writer's transaction, or rolls it back on rc. */
static enum status
end_batch(struct run *r, enum status rc)
{
	if (!rc)
		rc = rank_index_flush(r->rank_index, r->store);
	if (!rc)
		rc = store_commit(r->store);
	if (rc) {
		store_rollback(r->store);
		rank_index_rollback(r->rank_index);
	} else {
		rank_index_commit(r->rank_index);
	}
	return rc;
}

/*
 * Applies one fetched feed inside the writer's open transaction: its
 * articles, its title and its fetch state. Adds to st. Returns ST_OK, or
 * the error of a store failure (j->error says why), after which the
 * caller must roll back and reload the feed.
 */
static enum status
apply_job(struct run *r, struct job *j, struct ingest_stats *st)
{
	struct store_feed *f = j->feed;
	struct fetch_result *res = &j->res;
	int64_t now = clock_now();
	enum status rc = ST_OK;

	st->feeds++;
	f->last_fetch_at = now;
	f->http_status = res->http_status;
	if (res->status == ST_OK && (res->not_modified || j->doc.same_body)) {
		/* A 304, or the very document stored last time. */
		st->not_modified++;
		if (!res->not_modified)
			keep_validators(f, res);
		record_success(f, 0, now);
	} else if (res->status == ST_OK && j->doc.status) {
		/* A document we cannot read must be fetched again in full. */
		forget_validators(f);
		record_failure(f, j->doc.error, now, 0);
		st->failed++;
	} else if (res->status == ST_OK) {
		struct ingest_stats mine = {0};

		keep_validators(f, res);
		rc = ingest_write(r->store, r->rank_index, &j->doc, &mine,
				  &j->error);
		if (rc)
			return rc;
		memcpy(f->body_digest, j->doc.body_digest, STORE_DIGEST_LEN);
		f->has_body_digest = true;
		f->item_count = (int64_t)mine.items;
		record_success(f, mine.created, now);
		mine.feeds = mine.not_modified = mine.failed = 0;
		ingest_stats_add(st, &mine);
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
		st->failed++;
	}
	if (res->permanent_redirect && res->permanent_url)
		follow_permanent_redirect(r->store, f, res->permanent_url);
	rc = store_feed_save_state(r->store, f);
	if (rc) {
		free(j->error);
		j->error = xstrdup("feed state not saved");
	}
	return rc;
}

/* Clusters what apply_job() stored of a feed (see ingest_cluster()). */
static enum status
cluster_job(struct run *r, struct job *j)
{
	enum status rc;

	free(j->error);
	j->error = NULL;
	rc = ingest_cluster(r->store, r->rank_index, &j->doc, &j->error);
	if (rc && !j->error)
		j->error = xstrdup("articles not clustered");
	return rc;
}

/* Brings a feed back to its stored state after a rollback. */
static void
reload_feed(struct run *r, struct store_feed *f)
{
	struct store_feed fresh;

	if (store_feed_get(r->store, f->id, &fresh) == ST_OK) {
		store_feed_release(f);
		*f = fresh;
	} else {
		/* Not the stored ones: forgetting them is always safe. */
		free(f->item_digests);
		f->item_digests = NULL;
		f->item_digest_count = 0;
		f->has_body_digest = false;
	}
}

static void
report_feed(struct run *r, const struct store_feed *f)
{
	if (f->last_error)
		log_warn(ST_OK, "ingest: feed %" PRId64 " (%s): %s", f->id,
			 f->url, f->last_error);
	r->done++;
	if (!r->opt->quiet && (r->done % 100 == 0 || r->done == r->total))
		fprintf(stderr, "fetched %zu/%zu feeds\r%s", r->done, r->total,
			r->done == r->total ? "\n" : "");
}

/*
 * Stores one feed in a transaction of its own, after its batch failed: a
 * feed that cannot be stored loses only its own articles, and its failure
 * is recorded.
 */
static void
store_alone(struct run *r, struct job *j)
{
	struct ingest_stats st = {0};
	enum status rc;

	rc = begin_batch(r);
	if (!rc) {
		rc = apply_job(r, j, &st);
		if (!rc)
			rc = cluster_job(r, j);
		rc = end_batch(r, rc);
	}
	if (!rc) {
		ingest_stats_add(r->stats, &st);
		if (r->opt->on_commit)
			r->opt->on_commit(r->opt->on_commit_ctx);
		return;
	}
	log_error(ST_DB, "ingest: feed %" PRId64 ": not stored: %s",
		  j->feed->id, j->error ? j->error : store_errmsg(r->store));
	reload_feed(r, j->feed);
	forget_validators(j->feed);
	j->feed->last_fetch_at = clock_now();
	record_failure(j->feed, j->error ? j->error : "could not store",
		       clock_now(), 0);
	if (store_feed_save_state(r->store, j->feed))
		log_error(ST_DB, "ingest: feed %" PRId64 ": state not saved",
			  j->feed->id);
	r->stats->feeds++;
	r->stats->failed++;
}

/*
 * Stores a batch of fetched feeds in one transaction. Should any of them
 * fail to store, the whole transaction is rolled back and each feed is
 * stored again in its own.
 */
static void
store_batch(struct run *r, struct job **jobs, size_t n)
{
	struct ingest_stats st = {0};
	enum status rc;
	size_t i;

	rc = begin_batch(r);
	if (!rc) {
		/* Every feed's articles (new ones clustered as they go),
		 * then the stories of those that changed. */
		for (i = 0; !rc && i < n; i++)
			rc = apply_job(r, jobs[i], &st);
		for (i = 0; !rc && i < n; i++)
			rc = cluster_job(r, jobs[i]);
		rc = end_batch(r, rc);
	}
	if (!rc) {
		ingest_stats_add(r->stats, &st);
		if (r->opt->on_commit)
			r->opt->on_commit(r->opt->on_commit_ctx);
	} else {
		for (i = 0; i < n; i++) {
			reload_feed(r, jobs[i]->feed);
			free(jobs[i]->error);
			jobs[i]->error = NULL;
		}
		for (i = 0; i < n; i++)
			store_alone(r, jobs[i]);
	}
	for (i = 0; i < n; i++)
		report_feed(r, jobs[i]->feed);
}

/* ---- The threads of a run ------------------------------------------------ */

/* fetch_run()'s callback, on the fetch thread: queue the result. */
static void
fetched(struct fetch_request *req, struct fetch_result *res, void *ctx)
{
	struct run *r = ctx;
	struct job *j = xcalloc(1, sizeof(*j));

	j->feed = req->user;
	j->doc.feed = j->feed;
	fetch_result_move(&j->res, res);
	j->bytes = j->res.body_len;
	pthread_mutex_lock(&r->lock);
	while (!r->stopping && r->in_flight &&
	       r->queued_bytes + j->bytes > MAX_QUEUED_BYTES)
		pthread_cond_wait(&r->room, &r->lock);
	if (r->stopping) {
		pthread_mutex_unlock(&r->lock);
		job_free(j);
		return;
	}
	r->in_flight++;
	r->queued_bytes += j->bytes;
	if (j->res.status == ST_OK && !j->res.not_modified) {
		j->stage = JOB_PARSE;
		queue_push(&r->work, j);
		pthread_cond_signal(&r->work_ready);
	} else {
		j->stage = JOB_STORE;
		queue_push(&r->ready, j);
		pthread_cond_signal(&r->write_ready);
	}
	pthread_mutex_unlock(&r->lock);
}

static void *
fetch_main(void *arg)
{
	struct run *r = arg;
	size_t chunk = (size_t)config.fetch_concurrency * CHUNK_PER_SLOT;
	size_t i;

	/* fetch_run() cannot be interrupted, so the feeds go in slices and
	 * a stop is noticed between them. */
	for (i = 0; i < r->total; i += chunk) {
		bool stop;
		enum status rc;

		pthread_mutex_lock(&r->lock);
		stop = r->stopping;
		pthread_mutex_unlock(&r->lock);
		if (stop)
			break;
		rc = fetch_run(r->reqs + i, MIN(chunk, r->total - i), fetched,
			       r);
		if (rc && !r->fetch_rc)
			r->fetch_rc = rc;
	}
	pthread_mutex_lock(&r->lock);
	r->fetching_done = true;
	pthread_cond_broadcast(&r->write_ready);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void *
worker_main(void *arg)
{
	struct run *r = arg;
	struct job *j;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		while ((!r->work.head || r->ready_items >= READY_ITEMS) &&
		       !r->spent.head && !r->quit && !r->stopping)
			pthread_cond_wait(&r->work_ready, &r->lock);
		if (r->spent.head) {
			/* Freed here rather than by the writer: the memory
			 * was allocated on this side, and the writer's core is
			 * the pipeline's bottleneck. */
			struct queue spent = r->spent;

			r->spent.head = r->spent.tail = NULL;
			pthread_mutex_unlock(&r->lock);
			queue_free(&spent);
			pthread_mutex_lock(&r->lock);
			continue;
		}
		if (r->stopping || !r->work.head)
			break;
		j = queue_pop(&r->work);
		pthread_mutex_unlock(&r->lock);
		if (j->stage == JOB_PARSE) {
			if (!ingest_same_body(&j->doc, j->res.body,
					      j->res.body_len,
					      j->res.content_type))
				ingest_prepare(NULL, &j->doc, j->res.body,
					       j->res.body_len,
					       j->res.content_type);
			/* The parsed items are all that is needed now. */
			free(j->res.body);
			j->res.body = NULL;
			j->stage = j->doc.needs_lookup && !j->doc.status
					   ? JOB_LOOKUP
					   : JOB_STORE;
		} else {
			ingest_extract(&j->doc);
			j->stage = JOB_STORE;
		}
		pthread_mutex_lock(&r->lock);
		queue_push(&r->ready, j);
		r->ready_items += j->doc.item_count;
		pthread_cond_signal(&r->write_ready);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/*
 * One worker per core but one: the single writer is the pipeline's
 * bottleneck and gets a core of its own. With as many workers as cores,
 * on two cores the writer waited 0.7-0.8 s for a core in a 4 s ingest of
 * 20,000 articles, and the whole took 15 % longer.
 */
static size_t
worker_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN) - 1;

	if (n < 1)
		n = 1;
	return (size_t)MIN(n, (long)MAX_WORKERS);
}

static bool
should_stop(const struct run *r)
{
	return r->opt->should_stop &&
	       r->opt->should_stop(r->opt->should_stop_ctx);
}

/*
 * The writer's loop, on the calling thread: takes what is ready, stores
 * it batch by batch, and hands summary-only feeds back for extraction.
 */
static void
write_loop(struct run *r)
{
	struct job **batch = xcalloc(BATCH_FEEDS, sizeof(*batch));
	struct job *lookups = NULL;

	for (;;) {
		struct job *j;
		size_t n = 0, items = 0, freed_bytes = 0, finished = 0;
		int64_t idle_from;
		bool stop = false;

		if (should_stop(r))
			stop = true;
		pthread_mutex_lock(&r->lock);
		idle_from = clock_mono_ms();
		while (!stop && !r->ready.head &&
		       !(r->fetching_done && !r->in_flight)) {
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += STOP_POLL_MS * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&r->write_ready, &r->lock,
					       &until);
			if (r->ready.head)
				break;
			pthread_mutex_unlock(&r->lock);
			stop = should_stop(r);
			pthread_mutex_lock(&r->lock);
		}
		r->writer_idle_ms += clock_mono_ms() - idle_from;
		if (stop || !r->ready.head) {
			r->stopping = stop;
			r->quit = true;
			pthread_cond_broadcast(&r->work_ready);
			pthread_cond_broadcast(&r->room);
			pthread_mutex_unlock(&r->lock);
			break;
		}
		if (!r->ending && r->fetching_done && !r->work.head) {
			r->ending = true;
			store_write_round_ending(r->store);
		}
		while (n < BATCH_FEEDS &&
		       items < (r->ending ? ENDING_ITEMS : BATCH_ITEMS) &&
		       (j = queue_pop(&r->ready))) {
			r->ready_items -= j->doc.item_count;
			if (j->stage == JOB_LOOKUP) {
				j->next = lookups;
				lookups = j;
				continue;
			}
			batch[n++] = j;
			items += j->doc.item_count;
		}
		/* Room for the workers again. */
		pthread_cond_broadcast(&r->work_ready);
		pthread_mutex_unlock(&r->lock);

		/* Summary-only feeds: find the new items, then back to a
		 * worker to extract their pages. */
		while ((j = lookups)) {
			lookups = j->next;
			ingest_lookup(r->store, &j->doc);
			j->stage = JOB_EXTRACT;
			pthread_mutex_lock(&r->lock);
			queue_push(&r->work, j);
			pthread_cond_signal(&r->work_ready);
			pthread_mutex_unlock(&r->lock);
		}
		if (n)
			store_batch(r, batch, n);
		pthread_mutex_lock(&r->lock);
		for (; finished < n; finished++) {
			freed_bytes += batch[finished]->bytes;
			queue_push(&r->spent, batch[finished]);
		}
		r->in_flight -= n;
		r->queued_bytes -= freed_bytes;
		pthread_cond_broadcast(&r->room);
		if (n)
			pthread_cond_signal(&r->work_ready);
		pthread_mutex_unlock(&r->lock);
	}
	free(batch);
}

/*
 * How long this thread has waited for a core, runnable but not running,
 * in seconds (Linux's /proc/thread-self/schedstat: time on a core, time
 * on the run queue, timeslices); 0 where the kernel does not say.
 */
static double
thread_runnable_seconds(void)
{
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	unsigned long long on_cpu = 0, queued = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &on_cpu, &queued) != 2)
		queued = 0;
	fclose(f);
	return (double)queued / 1e9;
}

/* This thread's CPU time in seconds (for the round's log line). */
static double
thread_cpu_seconds(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
	struct run r = {.store = s, .opt = opt, .stats = stats};
	struct rank_index *own_index = NULL;
	pthread_t fetcher, workers[MAX_WORKERS];
	size_t i, nworkers = 0;
	bool fetching = false;
	enum status rc;

	rc = select_feeds(s, opt, &feeds);
	if (rc)
		return rc;
	if (!feeds.count) {
		store_feed_list_release(&feeds);
		return ST_OK;
	}
	r.reqs = xcalloc(feeds.count, sizeof(*r.reqs));
	for (i = 0; i < feeds.count; i++) {
		struct store_feed *f = &feeds.items[i];

		r.reqs[i].url = f->url;
		r.reqs[i].etag = f->etag;
		r.reqs[i].last_modified = f->last_modified;
		r.reqs[i].accept = "application/rss+xml, application/atom+xml, "
				   "application/feed+json, application/json;"
				   "q=0.9, application/xml;q=0.8, */*;q=0.5";
		r.reqs[i].allow_file = f->allow_file;
		r.reqs[i].user = f;
	}
	r.total = feeds.count;
	r.rank_index = opt->rank_index;
	if (!r.rank_index)
		r.rank_index = own_index = rank_index_new(0);
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.work_ready, NULL);
	pthread_cond_init(&r.write_ready, NULL);
	pthread_cond_init(&r.room, NULL);
	for (i = 0; i < MIN(worker_count(), feeds.count); i++) {
		if (pthread_create(&workers[nworkers], NULL, worker_main, &r))
			break;
		nworkers++;
	}
	if (nworkers && !pthread_create(&fetcher, NULL, fetch_main, &r)) {
		double cpu = thread_cpu_seconds();
		double queued = thread_runnable_seconds();
		int64_t started = clock_mono_ms();
		bool round = !store_write_round(s, true);

		fetching = true;
		write_loop(&r);
		/* Tidied before the round ends, so that its last checkpoint
		 * copies what the merge wrote and the close finds nothing
		 * left to copy and sync. */
		if (stats->created && store_maintain(s))
			log_warn(ST_DB, "ingest: search index not merged");
		if (round && store_write_round(s, false))
			log_warn(ST_DB, "ingest: page cache not shrunk");
		cpu = thread_cpu_seconds() - cpu;
		queued = thread_runnable_seconds() - queued;
		if (stats->created)
			log_info("ingest: writer %.2f s of CPU, %.1f us per "
				 "new article, %.2f s waiting for work, "
				 "%.2f s for a core, of %.2f s",
				 cpu, cpu * 1e6 / (double)stats->created,
				 (double)r.writer_idle_ms / 1e3, queued,
				 (double)(clock_mono_ms() - started) / 1e3);
	} else {
		rc = log_error(ST_INTERNAL, "ingest: cannot start threads");
		pthread_mutex_lock(&r.lock);
		r.stopping = r.quit = true;
		pthread_cond_broadcast(&r.work_ready);
		pthread_mutex_unlock(&r.lock);
	}
	if (fetching)
		pthread_join(fetcher, NULL);
	for (i = 0; i < nworkers; i++)
		pthread_join(workers[i], NULL);
	/* What a stop left behind stays due for the next run. */
	queue_free(&r.work);
	queue_free(&r.ready);
	queue_free(&r.spent);
	pthread_cond_destroy(&r.room);
	pthread_cond_destroy(&r.write_ready);
	pthread_cond_destroy(&r.work_ready);
	pthread_mutex_destroy(&r.lock);
	if (!rc)
		rc = r.fetch_rc;
	free(r.reqs);
	if (r.rank_index) {
		struct rank_index_stats ist;

		rank_index_stats(r.rank_index, &ist);
		if (ist.assigned)
			log_info(
				"rank: %zu articles clustered, %.1f us of CPU "
				"each; index: %zu articles, %zu days, %zu KiB, "
				"%zu postings walked at most (bound %zu); "
				"%zu candidates' stories read from the store, "
				"all of them anew in %zu transactions",
				ist.assigned,
				(double)ist.assign_ns / 1e3 /
					(double)ist.assigned,
				ist.articles, ist.days, ist.bytes >> 10,
				ist.postings_max, ist.postings_bound,
				ist.stories_read, ist.revalidations);
	}
	rank_index_free(own_index);
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

static bool
scheduler_stopping(void *ctx)
{
	struct ingest_scheduler *sched = ctx;
	bool stop;

	pthread_mutex_lock(&sched->lock);
	stop = sched->stop;
	pthread_mutex_unlock(&sched->lock);
	return stop;
}

static void *
scheduler_main(void *arg)
{
	struct ingest_scheduler *sched = arg;
	/* Clustering's recent articles, kept from round to round. */
	struct rank_index *ix = rank_index_new(0);
	struct store *s = NULL;

	if (store_open(config.data_dir, STORE_WRITE, 0, &s)) {
		log_error(ST_DB, "scheduler: cannot open the database; "
				 "not fetching");
		rank_index_free(ix);
		return NULL;
	}
	for (;;) {
		struct ingest_options opt = {
			.limit = (size_t)config.fetch_concurrency * 4,
			.quiet = true,
			.on_commit = sched->on_commit,
			.on_commit_ctx = sched->ctx,
			.should_stop = scheduler_stopping,
			.should_stop_ctx = sched,
			.rank_index = ix,
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
	rank_index_free(ix);
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
