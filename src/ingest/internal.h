/*
 * internal.h — the stages of ingest_document(), shared by pipeline.c and
 * schedule.c; nothing outside src/ingest/ includes it.
 *
 * A feed document goes through
 *
 *   ingest_prepare()   parse, normalise, sanitise (CPU; any thread, no store)
 *   ingest_lookup()    which items need their page extracted (the writer)
 *   ingest_extract()   extract those pages, then sanitise (any thread)
 *   ingest_write()     dedupe and store (the writer, inside its transaction)
 *
 * ingest_lookup() and ingest_extract() are needed only when
 * ingest_prepare() leaves doc->needs_lookup set (summary-only or full-text
 * feeds). ingest_document() runs all four in a row on one thread.
 */
#ifndef NEWSSTAND_INGEST_INTERNAL_H
#define NEWSSTAND_INGEST_INTERNAL_H

#include "common.h"

#include "ingest/ingest.h"

struct pending;
struct rank_index;

/* One feed document on its way to the store. */
struct ingest_doc {
	struct store_feed *feed; /* borrowed; read by the stages */
	char *title;		 /* the document's own title, or NULL */
	struct pending *items;	 /* item_count normalised items */
	size_t item_count;	 /* items in the document */
	bool needs_lookup;	 /* ingest_lookup() and ingest_extract() due */
	struct publisher publisher; /* extraction overrides (ingest_lookup) */
	struct ingest_stats stats;  /* items, skipped and bytes so far */
	enum status status;	    /* ST_OK, or why the document failed */
	char *error;		    /* malloc'd reason when status is set */
	/* ingest_same_body()'s digest of the document, and whether the
	 * feed stored these very bytes last time (then nothing was parsed:
	 * the writer takes it as a 304). */
	unsigned char body_digest[STORE_DIGEST_LEN];
	bool same_body;
};

/*
 * Takes the digest of a fetched document (its bytes, its content type, the
 * feed's URL, which relative links resolve against, the feed's settings
 * that preparing reads, and the version of the code that prepares it)
 * into d->body_digest; returns, and sets d->same_body, whether d->feed
 * stored the same document under the same settings last time.
 */
bool ingest_same_body(struct ingest_doc *d, const char *body, size_t len,
		      const char *content_type);
/*
 * Parses len bytes of body for d->feed and normalises its items; when none
 * needs its page extracted, also sanitises them. With s (the writer's
 * store) it also does ingest_lookup() and ingest_extract() itself. Sets
 * d->status and d->error on a parse failure.
 */
void ingest_prepare(struct store *s, struct ingest_doc *d, const char *body,
		    size_t len, const char *content_type);
/* Marks the items whose page is to be extracted (not yet stored ones). */
void ingest_lookup(struct store *s, struct ingest_doc *d);
/* Extracts the marked pages and sanitises every item. */
void ingest_extract(struct ingest_doc *d);
/*
 * Stores d's articles in the caller's open transaction, updating d->feed's
 * title and stats. With ix, each new article is clustered before its row
 * is written (rank_assign_new()), so the row carries its story from the
 * start; without, ingest_cluster() clusters it afterwards. On ST_DB (the
 * caller rolls back, and calls rank_index_rollback()) *error says why.
 */
enum status ingest_write(struct store *s, struct rank_index *ix,
			 struct ingest_doc *d, struct ingest_stats *stats,
			 char **error) WARN_UNUSED;
/*
 * Then, in the same transaction, clusters the articles ingest_write()
 * changed (and created, without ix): rank_assign() through ix. On an error
 * (the caller rolls back, and calls rank_index_rollback()) *error says
 * why.
 */
enum status ingest_cluster(struct store *s, struct rank_index *ix,
			   struct ingest_doc *d, char **error) WARN_UNUSED;
/*
 * ingest_normalise() with a choice: when summary_later is set, a->summary is
 * left NULL for ingest_summary_from_body() to fill in after sanitising. For
 * items whose summary is their body: their HTML is then parsed once, not
 * twice.
 */
enum status ingest_normalise_item(const struct store_feed *f,
				  const struct feed *doc,
				  const struct feed_item *item,
				  const char *feed_url, bool summary_later,
				  struct article *a) WARN_UNUSED;
/* Sets a->summary to the start of a->body_text, on one line. */
void ingest_summary_from_body(struct article *a);
/* Adds every counter of src to dst. */
void ingest_stats_add(struct ingest_stats *dst, const struct ingest_stats *src);
/* Frees what d holds (not the feed) and zeroes it. */
void ingest_doc_release(struct ingest_doc *d);

#endif
