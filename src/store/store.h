/*
 * store.h — the storage interface: the only way the program reads and writes
 * its data. No SQL lives outside src/store/, and nothing here exposes the
 * backend's types, so a PostgreSQL backend can replace SQLite behind it.
 *
 * Connections: a store handle is one connection and belongs to one thread.
 * Open one STORE_WRITE handle for the writer and one STORE_READ handle per
 * reading thread; readers see committed data (WAL) and never block the writer.
 *
 * Memory: every struct filled in by a store_* call owns its strings (malloc'd);
 * release it with the matching *_release(). Lists own their items. Out
 * parameters are written only on success.
 *
 * The functions are grouped by table in separate files: store.c (connection,
 * migrations, transactions, backup), catalogue.c (publishers, feeds, topics),
 * articles.c (articles, search), and one file for each later group.
 */
#ifndef NEWSSTAND_STORE_STORE_H
#define NEWSSTAND_STORE_STORE_H

#include "common.h"

#include "base/buf.h"

struct store;

enum store_mode {
	STORE_READ,  /* read-only connection */
	STORE_WRITE, /* the writer: migrations, ingest, accounts */
};

/* The current schema version (PRAGMA user_version after migration). */
#define STORE_SCHEMA_VERSION 10

/*
 * Opens the database of a data directory (DATA_DIR/newsstand.db), creating
 * the directory and file when mode is STORE_WRITE. Writers run pending
 * migrations unless STORE_NO_MIGRATE is given in flags.
 */
enum { STORE_NO_MIGRATE = 1 };
enum status store_open(const char *data_dir, enum store_mode mode, int flags,
		       struct store **out) WARN_UNUSED;
/* Opens a database file by path (tests, backups). */
enum status store_open_file(const char *path, enum store_mode mode, int flags,
			    struct store **out) WARN_UNUSED;
void store_close(struct store *s);
/* Brings the schema to STORE_SCHEMA_VERSION; a no-op when it is there. */
enum status store_migrate(struct store *s) WARN_UNUSED;
int store_schema_version(struct store *s);
/* Runs the integrity and foreign-key checks; problems are added to report. */
enum status store_check(struct store *s, struct buf *report) WARN_UNUSED;
/* Copies the live database to path with the online backup API. */
enum status store_backup(struct store *s, const char *path) WARN_UNUSED;

struct store_file_shape {
	int64_t pages;	   /* in the file */
	int64_t page_size; /* bytes */
	int64_t free_pages;
};

struct store_compact_report {
	struct store_file_shape before, after;
};

/*
 * Rewrites a data directory's database into a new file that replaces it:
 * the current page size (16 KB), no free pages, the search index merged
 * into one segment. Needs the database to itself (ST_AGAIN, logged, while
 * a server or another command has it open) and free space beside it for
 * the new file. Minutes for a million articles.
 */
enum status store_compact(const char *data_dir,
			  struct store_compact_report *out) WARN_UNUSED;
/* Transactions; store_begin() takes the write lock at once (IMMEDIATE). */
enum status store_begin(struct store *s) WARN_UNUSED;
enum status store_commit(struct store *s) WARN_UNUSED;
void store_rollback(struct store *s);
/*
 * Tidies up after a round of writes, before the round ends (ingest_fetch()
 * calls it): an incremental merge of the search index's segments with a
 * bounded amount of work, so searches and story candidates read fewer
 * segments, and the planner's statistics where the tables have grown
 * (PRAGMA optimize). Cheap when there is nothing to do.
 */
enum status store_maintain(struct store *s) WARN_UNUSED;
/*
 * A round of ingest writes (several transactions in a row on the writer):
 * with on, the writer keeps a larger page cache (128 MB), so that a batch
 * of articles does not spill to the WAL and read itself back; and WAL
 * checkpoints run on a thread of their own with a connection of its own
 * instead of at the writer's commits (store_begin() waits for one only
 * when the WAL has grown past 256 MB). Off gives the memory back, runs a
 * last checkpoint and gives the writer its automatic checkpoint back.
 * Either side of a transaction; store_close() ends a round left on.
 */
enum status store_write_round(struct store *s, bool on) WARN_UNUSED;
/*
 * The round's last items are being written: from here on each commit is
 * checkpointed as it lands (once the WAL holds what the writer's own
 * automatic checkpoint would copy), so that the round's end waits for the
 * last one only. Call it once nothing is left to come but what is ready.
 */
void store_write_round_ending(struct store *s);
/*
 * Bulk loading (the benchmark generator, imports): with on, the writer
 * keeps a larger page cache and store_article_put() leaves the search
 * index alone, so searches miss the articles stored since. With off, the
 * index is rebuilt from the articles in one pass (new terms kept in memory
 * up to 256 MB, no merging while it runs), merged into a single segment
 * ('optimize') and FTS5's defaults come back: a few minutes of CPU at a
 * million articles. Outside a transaction; a loader that fails still
 * calls it with off.
 */
enum status store_bulk_load(struct store *s, bool on) WARN_UNUSED;
/* The last error message of the backend, for logs. */
const char *store_errmsg(struct store *s);
/*
 * A counter that changes whenever a writer commits new articles, for caches
 * (the anonymous-page cache compares it before serving).
 */
int64_t store_data_version(struct store *s);

/* ---- Publishers ---------------------------------------------------------- */

struct publisher {
	int64_t id;
	char *slug;		/* URL name, unique: "harbour-herald" */
	char *name;		/* display name */
	char *homepage;		/* the publisher's site */
	char *logo;		/* logo URL or data-dir path "logos/x.svg" */
	char *description;	/* one or two sentences */
	char *language;		/* BCP 47 ("en") */
	char *country;		/* ISO 3166 alpha-2 */
	char *body_selector;	/* extraction override: the article body */
	char *remove_selectors; /* extraction override: parts to drop */
	int64_t created_at;	/* Unix seconds */
	int64_t article_count;	/* filled in by list and get */
};

struct publisher_list {
	struct publisher *items; /* count items */
	size_t count;
};

void publisher_release(struct publisher *p);
void publisher_list_release(struct publisher_list *l);
/* Inserts or updates by slug; writes the id into p->id. */
enum status store_publisher_put(struct store *s,
				struct publisher *p) WARN_UNUSED;
enum status store_publisher_get(struct store *s, int64_t id,
				struct publisher *out) WARN_UNUSED;
enum status store_publisher_by_slug(struct store *s, const char *slug,
				    struct publisher *out) WARN_UNUSED;
enum status store_publisher_list(struct store *s,
				 struct publisher_list *out) WARN_UNUSED;
/* Deletes a publisher with its feeds and articles; the stories they were
 * in keep their counts: rank_publisher_delete() brings them up to date. */
enum status store_publisher_delete(struct store *s, int64_t id) WARN_UNUSED;

/* ---- Feeds --------------------------------------------------------------- */

/* Bytes of one of store_feed's digests. */
#define STORE_DIGEST_LEN 16

struct store_feed {
	int64_t id;
	int64_t publisher_id;
	char *url;	       /* current URL (updated on permanent redirect) */
	char *title;	       /* the feed's own title, from the last parse */
	char *topics;	       /* default topic slugs, comma-separated */
	bool enabled;	       /* fetched by the scheduler */
	bool full_text;	       /* fetch article pages for the full text */
	bool allow_file;       /* operator entry: file:// URLs allowed */
	char *page_prefix;     /* article URL prefix mapped to page_dir */
	char *page_dir;	       /* folder of bundled article pages (demo) */
	char *etag;	       /* validator for conditional GET */
	char *last_modified;   /* validator for conditional GET */
	int64_t last_fetch_at; /* last attempt, Unix seconds; 0 never */
	int64_t last_success_at; /* last 200 or 304 */
	int64_t last_new_at;	 /* last time it brought a new article */
	int64_t next_due_at;	 /* when the scheduler fetches it next */
	int64_t interval;	 /* current polling interval, seconds */
	int http_status;	 /* status of the last response; 0 none */
	int error_count;	 /* consecutive failures (for backoff) */
	char *last_error; /* text of the last failure, NULL after success */
	char *disabled_reason; /* why it was disabled (410, operator) */
	int64_t item_count;    /* items in the last parse */
	int64_t article_count; /* stored articles from this feed */
	char *publisher_slug;  /* filled in by get and list */
	/*
	 * Digests of the items of the last document stored whole (ingest's
	 * item_digest(), STORE_DIGEST_LEN bytes each, sorted): items seen
	 * again unchanged are recognised without preparing them. NULL when
	 * none.
	 */
	unsigned char *item_digests;
	size_t item_digest_count;
	/*
	 * Digest of the last document stored whole (ingest_same_body()):
	 * the same bytes from the same URL under the same settings are not
	 * parsed again, as if the server had answered 304. Deleting a
	 * publisher forgets every feed's.
	 */
	unsigned char body_digest[STORE_DIGEST_LEN];
	bool has_body_digest;
};

struct store_feed_list {
	struct store_feed *items;
	size_t count;
};

void store_feed_release(struct store_feed *f);
void store_feed_list_release(struct store_feed_list *l);
/* Adds a feed (ST_EXISTS when the URL is known); writes f->id. */
enum status store_feed_add(struct store *s, struct store_feed *f) WARN_UNUSED;
enum status store_feed_get(struct store *s, int64_t id,
			   struct store_feed *out) WARN_UNUSED;
enum status store_feed_by_url(struct store *s, const char *url,
			      struct store_feed *out) WARN_UNUSED;
/* All feeds (publisher_id 0) or one publisher's. */
enum status store_feed_list(struct store *s, int64_t publisher_id,
			    struct store_feed_list *out) WARN_UNUSED;
/* Enabled feeds with next_due_at <= now, the most overdue first. */
enum status store_feed_due(struct store *s, int64_t now, size_t limit,
			   struct store_feed_list *out) WARN_UNUSED;
/* Saves the fetch state columns (url, title, etag … item_count, the
 * item and body digests). */
enum status store_feed_save_state(struct store *s,
				  const struct store_feed *f) WARN_UNUSED;
/* Saves f's item and body digests only (ST_NOTFOUND when there is no such
 * feed). */
enum status store_feed_save_digests(struct store *s,
				    const struct store_feed *f) WARN_UNUSED;
/* Saves topics, enabled, full_text and the page mapping. */
enum status store_feed_save_settings(struct store *s,
				     const struct store_feed *f) WARN_UNUSED;
enum status store_feed_delete(struct store *s, int64_t id) WARN_UNUSED;

/* ---- Topics -------------------------------------------------------------- */

struct topic {
	int64_t id;
	char *slug;	       /* "technology" */
	char *name;	       /* "Technology" */
	int64_t article_count; /* filled in by list */
};

struct topic_list {
	struct topic *items;
	size_t count;
};

void topic_release(struct topic *t);
void topic_list_release(struct topic_list *l);
enum status store_topic_put(struct store *s, struct topic *t) WARN_UNUSED;
enum status store_topic_by_slug(struct store *s, const char *slug,
				struct topic *out) WARN_UNUSED;
enum status store_topic_list(struct store *s,
			     struct topic_list *out) WARN_UNUSED;

/* ---- Articles ------------------------------------------------------------ */

struct article {
	int64_t id;
	int64_t publisher_id;
	int64_t feed_id;      /* 0 when not from a feed */
	int64_t story_id;     /* 0 until clustered */
	char *guid;	      /* the feed's id for the item */
	char *url;	      /* canonical URL, unique */
	char *title;	      /* plain text */
	char *byline;	      /* plain text, "A and B" */
	char *summary;	      /* plain text, short */
	char *body_html;      /* sanitised HTML: members only */
	char *body_text;      /* plain text of body_html: members only */
	char *teaser_html;    /* sanitised HTML shown to visitors */
	char *teaser_text;    /* plain text of teaser_html */
	char *lead_image;     /* absolute URL */
	char *lead_caption;   /* plain text */
	char *language;	      /* BCP 47 */
	char *content_hash;   /* hex digest of body_text, for dedupe */
	char *topics;	      /* topic slugs, comma-separated */
	uint64_t fingerprint; /* near-duplicate fingerprint (simhash) */
	int64_t word_count;   /* words in body_text */
	int64_t published_at; /* Unix seconds UTC */
	int64_t updated_at;   /* last change of the stored text */
	int64_t fetched_at;   /* first seen */
	/* Filled in by reads that join the publisher: */
	char *publisher_slug;
	char *publisher_name;
	char *publisher_logo;
};

struct article_list {
	struct article *items;
	size_t count;
	/* Set when more items follow: pass back as the next query's cursor. */
	char *next_cursor;
};

void article_release(struct article *a);
void article_list_release(struct article_list *l);

/* How store_article_put matched an existing article. */
enum article_put_result {
	ARTICLE_CREATED,   /* a new article */
	ARTICLE_UPDATED,   /* same guid in the same feed, text changed */
	ARTICLE_UNCHANGED, /* same guid and same content */
	ARTICLE_DUPLICATE, /* same canonical URL or content from elsewhere */
};

/*
 * Inserts or updates an article, keeping the search index in step.
 * Matching order: the same guid in the same feed updates it (reads, saves
 * and its id are kept); else the same canonical URL is the same article;
 * else the same content_hash from the same publisher is a duplicate.
 * a->topics (slugs) are linked when the topics exist. Writes a->id.
 */
enum status store_article_put(struct store *s, struct article *a,
			      enum article_put_result *result) WARN_UNUSED;
/*
 * store_article_put() in two steps, inside the caller's transaction, for a
 * writer that clusters a new article before its row is written (the row
 * then carries its story from the start). store_article_place() matches as
 * store_article_put() does and updates an existing article the same way;
 * for ARTICLE_CREATED it writes nothing but sets a->id to the id the row
 * will have. store_article_insert() then writes that row, with
 * a->story_id (0: none), before any other article is stored.
 */
enum status store_article_place(struct store *s, struct article *a,
				enum article_put_result *result) WARN_UNUSED;
enum status store_article_insert(struct store *s,
				 struct article *a) WARN_UNUSED;
enum status store_article_get(struct store *s, int64_t id,
			      struct article *out) WARN_UNUSED;
/*
 * Finds the id of the article that store_article_put() would match by feed
 * and guid, or by canonical URL; *id is 0 when there is none.
 */
enum status store_article_find(struct store *s, int64_t feed_id,
			       const char *guid, const char *url,
			       int64_t *id) WARN_UNUSED;

/* Which articles to list; zero fields do not filter. */
struct article_query {
	int64_t publisher_id;
	int64_t topic_id;
	int64_t story_id;
	int64_t since;	    /* published_at >= since */
	int64_t until;	    /* published_at < until */
	const char *cursor; /* from a previous list's next_cursor */
	size_t limit;	    /* at most this many (default 20, max 200) */
	bool with_body;	    /* also load body_html and body_text */
};

/* Lists articles newest first. ST_INVAL for a malformed cursor. */
enum status store_article_list(struct store *s, const struct article_query *q,
			       struct article_list *out) WARN_UNUSED;
enum status store_article_count(struct store *s, int64_t *out) WARN_UNUSED;

struct search_query {
	const char *text;     /* the user's words (not FTS syntax) */
	int64_t publisher_id; /* 0: all */
	int64_t topic_id;     /* 0: all */
	int64_t since, until; /* published_at range; 0: open */
	size_t offset;	      /* for pagination */
	size_t limit;	      /* default 20, max 100 */
	bool brief;	      /* list cards only: see store_search() */
};

struct search_hit {
	struct article article; /* without body */
	double score;		/* lower is better (bm25 with recency) */
};

struct search_result {
	struct search_hit *items;
	size_t count;
	bool more; /* more hits after these */
};

void search_result_release(struct search_result *r);
/*
 * Full-text search over title, byline and body text. Each hit's article
 * comes without its body; with q->brief it holds only what a list of
 * results shows: id, publisher_id, title, teaser_text (the summary when the
 * article has no teaser), published_at, updated_at and the publisher's
 * slug, name and logo.
 */
enum status store_search(struct store *s, const struct search_query *q,
			 struct search_result *out) WARN_UNUSED;

/* ---- Picks --------------------------------------------------------------- */

struct pick {
	int64_t id;
	int64_t article_id;
	int64_t position;  /* smaller first */
	char *note;	   /* an editor's short note */
	int64_t editor_id; /* 0 when seeded */
	int64_t created_at;
	struct article article; /* filled in by store_pick_list (no body) */
};

struct pick_list {
	struct pick *items;
	size_t count;
};

void pick_release(struct pick *p);
void pick_list_release(struct pick_list *l);
/* Adds or updates the pick of p->article_id. */
enum status store_pick_put(struct store *s, struct pick *p) WARN_UNUSED;
enum status store_pick_delete(struct store *s, int64_t article_id) WARN_UNUSED;
/* The picks in order (position, then newest). */
enum status store_pick_list(struct store *s, size_t limit,
			    struct pick_list *out) WARN_UNUSED;

#endif
