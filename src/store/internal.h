/*
 * internal.h — shared by the SQLite backend's files; nothing outside
 * src/store/ includes it.
 */
#ifndef NEWSSTAND_STORE_INTERNAL_H
#define NEWSSTAND_STORE_INTERNAL_H

#include "common.h"

#include <sqlite3.h>

#include "store/store.h"

enum { STMT_CACHE_SIZE = 256 };

struct stmt_slot {
	const char *sql;    /* the statement's text, keyed by address */
	sqlite3_stmt *stmt; /* prepared once, reset before each use */
};

/* What the checkpointer did in a write round (checkpoint.c). */
struct store_checkpoint_stats {
	int64_t checkpoints;	 /* checkpoints it ran */
	int64_t wal_peak_frames; /* the WAL's largest size after a commit */
	int64_t writer_waits;	 /* times the writer waited for one */
	int64_t writer_wait_ms;	 /* how long, in all */
	int64_t last_ms;	 /* the round's last checkpoint, which the
				    writer waits for at the round's end */
	int64_t wal_syncs;	 /* times it synced the WAL itself */
	int64_t db_syncs;	 /* and the database file after a checkpoint */
};

struct store_checkpointer;

/* An article waiting for the search index: its text, as offsets into
 * struct store's index_text (NO_TEXT: NULL). */
struct index_pending {
	int64_t id;
	size_t seq; /* the order of the puts: the last of an id wins */
	size_t title, byline, body;
};
#define NO_TEXT SIZE_MAX

struct store {
	sqlite3 *db;				 /* the connection */
	enum store_mode mode;			 /* read-only or the writer */
	char *path;				 /* database file */
	struct stmt_slot cache[STMT_CACHE_SIZE]; /* prepared statements */
	bool index_deferred; /* bulk load: the search index is rebuilt after */
	/* A write round: articles are indexed at the commit, newest first
	 * (store_index_flush()). */
	bool index_batched;
	/* Articles to index at the commit, with their text as it was put
	 * (copied into index_text): the flush need not read the rows back. */
	struct index_pending *index_pending;
	size_t index_pending_count, index_pending_alloc;
	struct buf index_text;
	/* The writer during a write round: checkpoints off its thread. */
	struct store_checkpointer *checkpointer;
	int64_t ckpt_step_frames; /* tests: new WAL pages that wake it; 0
				     default */
	int64_t wal_max_frames;	  /* tests: WAL pages the writer waits at; 0
				     default */
	int64_t ckpt_idle_ms; /* tests: a smaller backlog's wait; <0 never */
	int64_t ckpt_flush_frames; /* tests: unsynced WAL pages that make it
				      sync the WAL; 0 default */
	struct store_checkpoint_stats last_round; /* the last round's */
	bool wal_kept; /* a round ran: the WAL file outlives the connection */
	/* The id the next new article gets, known for the rest of the
	 * transaction once asked for (0: ask the table); the writer's commit
	 * and rollback hooks forget it. */
	int64_t next_article_id;
	/* The first article inserted in this transaction (0: none yet), and
	 * whether a neighbours row of one of its articles has been written
	 * since: until then those articles have no row to read
	 * (store_neighbours_put()). The hooks forget both. */
	int64_t tx_first_new;
	bool tx_new_neighbours;
	/* Bumped by whatever moves articles out of their stories or deletes
	 * them on this connection (store_story_changes()). */
	uint64_t story_changes;
};

/*
 * The page size of a new database. An article's row (its HTML, text and
 * teaser: 5-10 KB) fits one 16 KB page instead of spilling over two or
 * three overflow pages of 4 KB, so storing one writes and logs fewer
 * pages (a fifth of the writer's CPU at ingest) and reading one reads one
 * page. A file keeps the size it was made with until store_compact()
 * (a VACUUM in WAL mode cannot change it).
 */
#define STORE_PAGE_SIZE "PRAGMA page_size=16384;"

/*
 * The search index's rowid of an article is its id negated (schema v7):
 * FTS5 walks a doclist more cheaply forwards, so the newest matches come
 * first in its forward order.
 */
#define FTS_ROWID(id) (-(id))
/*
 * Indexes the articles a write round added in this transaction, each
 * once, newest first: FTS5 writes a segment out whenever a rowid is not
 * above the one before, so they go in ascending FTS_ROWID() order.
 * store_commit() calls it; a rollback forgets them.
 */
enum status store_index_flush(struct store *s) WARN_UNUSED;
/* Forgets the articles waiting for the flush (a rollback). */
void store_index_forget(struct store *s);

/*
 * A savepoint inside the writer's transaction. SQLite undoes the rows put
 * since; store_savepoint_undo() also forgets what waits for the search
 * index's flush and the next article's id, which SQLite does not know of.
 * A savepoint rolled back with plain SQL during a write round would leave
 * the undone articles' text to be indexed.
 */
struct store_savepoint {
	size_t pending; /* articles waiting for the flush then */
	size_t text;	/* bytes of their text */
};
enum status store_savepoint(struct store *s,
			    struct store_savepoint *sp) WARN_UNUSED;
enum status store_savepoint_release(struct store *s) WARN_UNUSED;
enum status store_savepoint_undo(struct store *s,
				 const struct store_savepoint *sp) WARN_UNUSED;
/* Bytes of pending text kept allocated between transactions. */
enum { INDEX_TEXT_KEEP = 1 << 20 };

/* Registers neighbours_pack(), the aggregate of migration 6. */
enum status store_neighbours_init(struct store *s);
/* The ids of an article's recorded neighbours, closest first, at most
 * max, into ids; *n says how many. */
enum status store_neighbour_ids(struct store *s, int64_t article_id,
				int64_t *ids, size_t max, size_t *n);

/*
 * The checkpointer of a write round (checkpoint.c). start turns the
 * writer's automatic checkpoint off and starts a thread that checkpoints
 * on a connection of its own (a no-op outside WAL mode, where checkpoints
 * stay as they were); wait, before the writer begins a transaction, waits
 * for a checkpoint when the WAL has grown past its limit, so that the
 * transaction restarts it; stop runs a last checkpoint, ends the thread
 * and gives the writer its automatic checkpoint back, keeping the
 * round's figures in last_round.
 */
enum status store_checkpointer_start(struct store *s) WARN_UNUSED;
void store_checkpointer_wait(struct store *s);
void store_checkpointer_stop(struct store *s);
/* What the round's checkpointer has done so far (the last round's once
 * it has stopped). */
void store_checkpointer_stats(struct store *s,
			      struct store_checkpoint_stats *out);

/*
 * Before the writer's connection closes, after a round: leaves a kept WAL
 * file with little for the next open to recover (checkpoint.c).
 */
void store_wal_close(struct store *s);

/* Registers the search's rank function on a new connection (articles.c). */
enum status store_search_init(struct store *s);

/*
 * Returns the cached prepared statement for sql (a string literal: the cache
 * is keyed by its address), reset and with bindings cleared; NULL on error
 * (logged).
 */
sqlite3_stmt *store_stmt(struct store *s, const char *sql);
/* Logs the backend's error for what and returns ST_DB. */
enum status store_fail(struct store *s, const char *what);
/* Runs SQL without results (schema, pragmas). */
enum status store_exec(struct store *s, const char *sql) WARN_UNUSED;
/* Binds a string or NULL. */
void bind_text(sqlite3_stmt *st, int idx, const char *text);
/* Binds an integer, or NULL when it is 0 and zero_is_null is set. */
void bind_int(sqlite3_stmt *st, int idx, int64_t v, bool zero_is_null);
/* Returns a malloc'd copy of a text column, or NULL for NULL. */
char *col_text(sqlite3_stmt *st, int idx);

/* The columns every article read selects, in read_article()'s order; ?9
 * (or the with_body flag bound at that index) decides whether bodies load. */
#define ARTICLE_COLUMNS(body)                                                  \
	"a.id, a.publisher_id, a.feed_id, a.story_id, a.guid, a.url,"          \
	" a.title, a.byline, a.summary,"                                       \
	" CASE WHEN " body " THEN a.body_html END,"                            \
	" CASE WHEN " body " THEN a.body_text END,"                            \
	" a.teaser_html, a.teaser_text, a.lead_image, a.lead_caption,"         \
	" a.language, a.content_hash, a.fingerprint, a.word_count,"            \
	" a.published_at, a.updated_at, a.fetched_at,"                         \
	" (SELECT group_concat(t.slug) FROM article_topics x"                  \
	"  JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id),"     \
	" p.slug, p.name, p.logo"
/* Reads one row selected with ARTICLE_COLUMNS() into a. */
void read_article(sqlite3_stmt *st, struct article *a);
/* Steps a statement that returns no rows; ST_EXISTS on a UNIQUE conflict. */
enum status store_step_done(struct store *s, sqlite3_stmt *st,
			    const char *what) WARN_UNUSED;
/* Runs a statement (cached) whose first row's first column is an
 * integer, into *out; what names it in the error. */
enum status store_query_int(struct store *s, const char *sql, const char *what,
			    int64_t *out) WARN_UNUSED;
/* Steps st to its end, collecting each row's first column (malloc'd,
 * caller frees; NULL when there are none); st is reset. */
enum status store_collect_ids(struct store *s, sqlite3_stmt *st, int64_t **out,
			      size_t *count) WARN_UNUSED;
/* Builds a cursor "t.id" and parses it back; ST_INVAL when malformed. */
char *store_cursor_make(int64_t t, int64_t id);
enum status store_cursor_parse(const char *cursor, int64_t *t,
			       int64_t *id) WARN_UNUSED;

/* The schema migrations, in order; migration N brings the schema to N. */
extern const char *const store_migrations[];
extern const size_t store_migration_count;

#endif
