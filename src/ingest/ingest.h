/*
 * ingest.h — from a catalogue feed to stored, searchable articles.
 *
 *   fetch ─► parse ─► normalise ─► extract? ─► sanitise ─► dedupe ─► store
 *
 * ingest_document() takes the bytes of one feed and stores its items in one
 * transaction; ingest_fetch() fetches feeds (all due ones, or given ones),
 * prepares them on worker threads and stores them in batches on the
 * calling thread, recording every feed's fetch state (validators, errors,
 * backoff, next due time) so that one broken feed never stops the others. The
 * scheduler thread of `newsstand serve` calls ingest_fetch() whenever a feed
 * falls due.
 */
#ifndef NEWSSTAND_INGEST_INGEST_H
#define NEWSSTAND_INGEST_INGEST_H

#include "common.h"

#include "store/store.h"

struct feed;
struct feed_item;
struct rank_index;

/* What one run did, added up over its feeds. */
struct ingest_stats {
	size_t feeds;	     /* feeds attempted */
	size_t failed;	     /* feeds that ended with an error */
	size_t not_modified; /* feeds that answered 304 */
	size_t items;	     /* items parsed */
	size_t created;	     /* new articles */
	size_t updated;	     /* articles whose text changed */
	size_t unchanged;    /* items already stored as they are */
	size_t duplicates;   /* items that were another feed's article */
	size_t skipped;	     /* items that could not become articles */
	size_t known;	     /* of the unchanged, those not prepared again */
	size_t bytes;	     /* feed bytes parsed */
};

/* Called after every commit of feed updates (cache invalidation). */
typedef void ingest_commit_fn(void *ctx);

/*
 * Asked between transactions (on the thread that called ingest_fetch());
 * true makes the run stop: the transaction in flight is committed, fetches
 * under way end, and the feeds not yet stored stay due.
 */
typedef bool ingest_stop_fn(void *ctx);

/*
 * Parses body (a feed document fetched from url for feed f) and stores its
 * items in one transaction. On a parse failure nothing is stored and
 * *error (malloc'd) says why. Articles of a full_text feed are completed
 * from their pages (extraction). Updates f->title from the document. Adds
 * to stats.
 */
enum status ingest_document(struct store *s, struct store_feed *f,
			    const char *body, size_t len,
			    const char *content_type,
			    struct ingest_stats *stats,
			    char **error) WARN_UNUSED;

/* Which feeds ingest_fetch() takes. */
struct ingest_options {
	const int64_t *feed_ids;     /* these feeds (due or not), or NULL: */
	size_t feed_id_count;	     /* entries in feed_ids */
	bool all;		     /* every enabled feed, due or not */
	size_t limit;		     /* at most this many due feeds; 0: all */
	bool quiet;		     /* no progress on stderr */
	ingest_commit_fn *on_commit; /* called after each commit, or NULL */
	void *on_commit_ctx;
	ingest_stop_fn *should_stop; /* polled between commits, or NULL */
	void *should_stop_ctx;
	/* Clustering's index of recent articles, kept by the caller from
	 * run to run (rank_index_new()), or NULL: one for this run. */
	struct rank_index *rank_index;
};

/*
 * Fetches and ingests feeds; per-feed failures are recorded, not returned.
 *
 * Threads: the transfers run on a fetch thread, parsing, normalising and
 * sanitising on a small pool of workers (one per core, at most 8), and the
 * calling thread is the only one that uses s: it stores the prepared feeds,
 * several in one transaction when several are ready. Should one of them
 * fail to store, that transaction is rolled back and each of its feeds is
 * stored again in a transaction of its own, so a feed that cannot be stored
 * loses only its own articles. Feed state (validators, errors, next due
 * time) is saved in the same transaction as the feed's articles.
 */
enum status ingest_fetch(struct store *s, const struct ingest_options *opt,
			 struct ingest_stats *stats) WARN_UNUSED;

/*
 * The normalising step, exposed for tests: turns one parsed item of feed f
 * (parsed from feed_url) into an article (strings malloc'd into a; release
 * with article_release). ST_INVAL when the item has no usable link, guid or
 * title.
 */
enum status ingest_normalise(const struct store_feed *f, const struct feed *doc,
			     const struct feed_item *item, const char *feed_url,
			     struct article *a) WARN_UNUSED;

/*
 * Fills in an article's HTML-derived fields from body_html as received:
 * sanitises it against the article URL, then sets body_text, teaser_html,
 * teaser_text, word_count and content_hash. The fingerprint is left 0: it
 * comes with the article's clustering features (rank_features_build(),
 * from the same tokens).
 */
enum status ingest_prepare_body(struct article *a,
				const char *raw_html) WARN_UNUSED;

/* The scheduler of `newsstand serve`: a thread that fetches due feeds. */
struct ingest_scheduler;
enum status ingest_scheduler_start(ingest_commit_fn *on_commit, void *ctx,
				   struct ingest_scheduler **out) WARN_UNUSED;
/* Asks the thread to stop after the transaction in flight, and waits. */
void ingest_scheduler_stop(struct ingest_scheduler *sched);

#endif
