/*
 * store.c — the SQLite connection: opening, pragmas, migrations, the
 * prepared-statement cache, transactions, integrity check and backup.
 */
#include "common.h"

#include <pthread.h>
#include <sys/stat.h>

#include "base/fs.h"
#include "base/log.h"
#include "store/internal.h"

/* The writer's page cache during a write round (store_write_round()), and
 * outside one. */
#define ROUND_CACHE "PRAGMA cache_size=-131072;"
#define IDLE_CACHE  "PRAGMA cache_size=-32000;"
/* FTS5's pending terms held in memory before a segment is written. */
#define ROUND_HASH "67108864"
#define IDLE_HASH  "1048576"

enum { BUSY_TIMEOUT_MS = 5000 };
/* The planner's statistics refreshed where tables have grown, ANALYZE
 * reading at most 1,000 rows of each index: a full pass reads every row
 * (20 ms for 20,000 articles) and a sample says as much to the planner. */
#define OPTIMIZE "PRAGMA analysis_limit=1000; PRAGMA optimize;"

enum status
store_fail(struct store *s, const char *what)
{
	return log_error(ST_DB, "store: %s: %s", what,
			 s && s->db ? sqlite3_errmsg(s->db) : "no database");
}

const char *
store_errmsg(struct store *s)
{
	return s && s->db ? sqlite3_errmsg(s->db) : "no database";
}

enum status
store_exec(struct store *s, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		enum status rc = log_error(ST_DB, "store: %s", err ? err : "?");

		sqlite3_free(err);
		return rc;
	}
	return ST_OK;
}

static size_t
slot_hash(const char *sql)
{
	uintptr_t h = (uintptr_t)sql;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 24) % STMT_CACHE_SIZE;
}

sqlite3_stmt *
store_stmt(struct store *s, const char *sql)
{
	size_t i = slot_hash(sql), probes;
	sqlite3_stmt *st;

	for (probes = 0; probes < STMT_CACHE_SIZE; probes++) {
		struct stmt_slot *slot = &s->cache[i];

		if (slot->sql == sql) {
			sqlite3_reset(slot->stmt);
			sqlite3_clear_bindings(slot->stmt);
			return slot->stmt;
		}
		if (!slot->sql)
			break;
		i = (i + 1) % STMT_CACHE_SIZE;
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		log_error(ST_DB, "store: preparing '%.60s…': %s", sql,
			  sqlite3_errmsg(s->db));
		return NULL;
	}
	if (probes < STMT_CACHE_SIZE && !s->cache[i].sql) {
		s->cache[i].sql = sql;
		s->cache[i].stmt = st;
	} else {
		/* The cache is full: this should not happen with the fixed
		 * set of statements; keep working uncached. */
		log_warn(ST_OK, "store: statement cache full");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

void
bind_text(sqlite3_stmt *st, int idx, const char *text)
{
	if (text)
		sqlite3_bind_text(st, idx, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
}

void
bind_int(sqlite3_stmt *st, int idx, int64_t v, bool zero_is_null)
{
	if (!v && zero_is_null)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_int64(st, idx, v);
}

char *
col_text(sqlite3_stmt *st, int idx)
{
	const unsigned char *t = sqlite3_column_text(st, idx);

	if (!t)
		return NULL;
	return xstrndup((const char *)t, (size_t)sqlite3_column_bytes(st, idx));
}

enum status
store_step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		sqlite3_reset(st);
		return ST_OK;
	}
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT &&
	    (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE ||
	     sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_PRIMARYKEY))
		return ST_EXISTS;
	return store_fail(s, what);
}

enum status
store_query_int(struct store *s, const char *sql, const char *what,
		int64_t *out)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int step;

	if (!st)
		return ST_DB;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return step == SQLITE_ROW ? ST_OK : store_fail(s, what);
}

char *
store_cursor_make(int64_t t, int64_t id)
{
	char tmp[48];

	snprintf(tmp, sizeof(tmp), "%" PRId64 ".%" PRId64, t, id);
	return xstrdup(tmp);
}

enum status
store_cursor_parse(const char *cursor, int64_t *t, int64_t *id)
{
	char *end;
	long long a, b;

	errno = 0;
	a = strtoll(cursor, &end, 10);
	if (errno || end == cursor || *end != '.')
		return ST_INVAL;
	cursor = end + 1;
	b = strtoll(cursor, &end, 10);
	if (errno || end == cursor || *end || b < 0)
		return ST_INVAL;
	*t = a;
	*id = b;
	return ST_OK;
}

/*
 * SQLite keeps memory statistics (which nothing here reads) under one
 * process-wide mutex taken on every allocation; its Debian build has no
 * lookaside, so every statement allocates, and the serving threads'
 * connections contended for that mutex. Off before SQLite initialises.
 */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void
sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* What a transaction knew of its new articles ends with it. */
static void
forget_transaction(struct store *s)
{
	s->next_article_id = 0;
	s->tx_first_new = 0;
	s->tx_new_neighbours = false;
}

static int
on_commit(void *arg)
{
	forget_transaction(arg);
	return 0;
}

static void
on_rollback(void *arg)
{
	forget_transaction(arg);
}

enum status
store_open_file(const char *path, enum store_mode mode, int flags,
		struct store **out)
{
	struct store *s;

	pthread_once(&sqlite_once, sqlite_setup);
	/* Generated columns (schema v8) came with SQLite 3.31. */
	if (sqlite3_libversion_number() < 3031000)
		return log_error(ST_DB,
				 "store: SQLite %s is too old: 3.31 or later "
				 "is needed",
				 sqlite3_libversion());
	s = xcalloc(1, sizeof(*s));
	int open_flags = SQLITE_OPEN_NOMUTEX |
			 (mode == STORE_WRITE
				  ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
				  : SQLITE_OPEN_READONLY);
	enum status rc;

	s->mode = mode;
	s->path = xstrdup(path);
	buf_init(&s->index_text, 0);
	if (sqlite3_open_v2(path, &s->db, open_flags, NULL) != SQLITE_OK) {
		rc = log_error(ST_DB, "store: cannot open %s: %s", path,
			       s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	rc = store_search_init(s);
	if (!rc && mode == STORE_WRITE) {
		rc = store_neighbours_init(s);
		sqlite3_commit_hook(s->db, on_commit, s);
		sqlite3_rollback_hook(s->db, on_rollback, s);
	}
	if (rc)
		goto fail;
	if (mode == STORE_WRITE) {
		/* The page size only takes for a new file (see
		 * STORE_PAGE_SIZE). */
		rc = store_exec(s, STORE_PAGE_SIZE
				"PRAGMA journal_mode=WAL;"
				"PRAGMA synchronous=NORMAL;"
				"PRAGMA foreign_keys=ON;"
				"PRAGMA temp_store=MEMORY;" IDLE_CACHE);
		if (rc)
			goto fail;
		if (!(flags & STORE_NO_MIGRATE)) {
			rc = store_migrate(s);
			if (rc)
				goto fail;
		}
	} else {
		rc = store_exec(s, "PRAGMA foreign_keys=ON;"
				   "PRAGMA query_only=ON;"
				   "PRAGMA cache_size=-16000;");
		if (rc)
			goto fail;
		if (store_schema_version(s) != STORE_SCHEMA_VERSION) {
			rc = log_error(ST_DB,
				       "store: %s has schema version %d, "
				       "expected %d (run 'newsstand db "
				       "migrate')",
				       path, store_schema_version(s),
				       STORE_SCHEMA_VERSION);
			goto fail;
		}
	}
	*out = s;
	return ST_OK;
fail:
	store_close(s);
	return rc;
}

enum status
store_open(const char *data_dir, enum store_mode mode, int flags,
	   struct store **out)
{
	struct buf path = BUF_INIT;
	enum status rc;

	if (mode == STORE_WRITE) {
		rc = fs_mkdirs(data_dir, 0750);
		if (rc)
			return rc;
	}
	buf_addf(&path, "%s/newsstand.db", data_dir);
	rc = store_open_file(path.data, mode, flags, out);
	buf_release(&path);
	return rc;
}

void
store_close(struct store *s)
{
	size_t i;

	if (!s)
		return;
	store_checkpointer_stop(s);
	for (i = 0; i < STMT_CACHE_SIZE; i++)
		if (s->cache[i].stmt)
			sqlite3_finalize(s->cache[i].stmt);
	if (s->db) {
		if (s->mode == STORE_WRITE) {
			sqlite3_exec(s->db, OPTIMIZE, NULL, NULL, NULL);
			store_wal_close(s);
		}
		sqlite3_close(s->db);
	}
	free(s->index_pending);
	buf_release(&s->index_text);
	free(s->path);
	free(s);
}

int
store_schema_version(struct store *s)
{
	sqlite3_stmt *st;
	int version = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return version;
}

/*
 * Foreign keys are off while migrations run: a migration that rebuilds a
 * table drops the old one, which would otherwise delete or cascade into
 * the rows that refer to it. Such a migration keeps every id, so the rows
 * that refer to the table refer to the new one. (PRAGMA foreign_key_check
 * over a million articles' links took longer than the rebuild itself.)
 */
static enum status
migrate(struct store *s)
{
	int version;
	enum status rc;
	char pragma[48];

	rc = store_begin(s);
	if (rc)
		return rc;
	version = store_schema_version(s);
	if (version < 0 || (size_t)version > store_migration_count) {
		store_rollback(s);
		return log_error(ST_DB,
				 "store: %s has schema version %d, newer than "
				 "this program (%zu)",
				 s->path, version, store_migration_count);
	}
	for (; (size_t)version < store_migration_count; version++) {
		rc = store_exec(s, store_migrations[version]);
		if (rc) {
			store_rollback(s);
			return log_error(rc, "store: migration %d failed",
					 version + 1);
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d;",
			 version + 1);
		rc = store_exec(s, pragma);
		if (rc) {
			store_rollback(s);
			return rc;
		}
		log_info("store: migrated %s to schema version %d", s->path,
			 version + 1);
	}
	return store_commit(s);
}

enum status
store_migrate(struct store *s)
{
	enum status rc;

	if (s->mode != STORE_WRITE)
		return log_error(ST_DENIED, "store: migrate needs the writer");
	if (store_schema_version(s) == (int)store_migration_count)
		return ST_OK;
	/*
	 * With a rollback journal when no other connection holds the
	 * database: rebuilding a large table writes gigabytes in one
	 * transaction, and in WAL mode every page read then searches a
	 * wal-index of millions of frames (the articles rebuild of a million
	 * articles spent over 15 minutes of CPU in sqlite3WalFindFrame). New
	 * pages need no journal entry. Otherwise it runs in WAL mode.
	 */
	sqlite3_exec(s->db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	rc = store_exec(s, "PRAGMA foreign_keys=OFF");
	if (!rc)
		rc = migrate(s);
	if (store_exec(s, "PRAGMA foreign_keys=ON;"
			  "PRAGMA journal_mode=WAL") &&
	    !rc)
		rc = ST_DB;
	return rc;
}

enum status
store_begin(struct store *s)
{
	sqlite3_stmt *st;

	store_checkpointer_wait(s);
	st = store_stmt(s, "BEGIN IMMEDIATE");
	if (!st)
		return ST_DB;
	return store_step_done(s, st, "begin");
}

enum status
store_commit(struct store *s)
{
	sqlite3_stmt *st;
	enum status rc = store_index_flush(s);

	if (rc)
		return rc;
	st = store_stmt(s, "COMMIT");
	if (!st)
		return ST_DB;
	return store_step_done(s, st, "commit");
}

void
store_rollback(struct store *s)
{
	store_index_forget(s);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int64_t
store_data_version(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, "PRAGMA data_version");
	int64_t v = 0;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	return v;
}

enum status
store_check(struct store *s, struct buf *report)
{
	sqlite3_stmt *st;
	enum status rc = ST_OK;
	int step;

	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st,
			       NULL) != SQLITE_OK)
		return store_fail(s, "integrity check");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);

		if (line && strcmp(line, "ok")) {
			buf_addf(report, "integrity: %s\n", line);
			rc = ST_DB;
		}
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return store_fail(s, "integrity check");
	if (sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st,
			       NULL) != SQLITE_OK)
		return store_fail(s, "foreign key check");
	while (sqlite3_step(st) == SQLITE_ROW) {
		buf_addf(report,
			 "foreign key: %s row %lld refers to missing %s\n",
			 (const char *)sqlite3_column_text(st, 0),
			 (long long)sqlite3_column_int64(st, 1),
			 (const char *)sqlite3_column_text(st, 2));
		rc = ST_DB;
	}
	sqlite3_finalize(st);
	if (!rc && s->mode == STORE_WRITE) {
		/* The search index must agree with its content table. */
		if (store_exec(s, "INSERT INTO articles_fts(articles_fts, rank)"
				  " VALUES('integrity-check', 1)")) {
			buf_adds(report, "search index: out of step with "
					 "articles (run 'newsstand db "
					 "migrate --rebuild-index')\n");
			rc = ST_DB;
		}
	}
	return rc;
}

enum status
store_backup(struct store *s, const char *path)
{
	sqlite3 *dest = NULL;
	sqlite3_backup *bk;
	enum status rc = ST_OK;
	int step;

	if (sqlite3_open_v2(path, &dest,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK) {
		rc = log_error(ST_IO, "backup: cannot open %s: %s", path,
			       dest ? sqlite3_errmsg(dest) : "out of memory");
		goto out;
	}
	bk = sqlite3_backup_init(dest, "main", s->db, "main");
	if (!bk) {
		rc = log_error(ST_DB, "backup: %s", sqlite3_errmsg(dest));
		goto out;
	}
	/* Copy in steps so a busy writer is not locked out for long. */
	do {
		step = sqlite3_backup_step(bk, 256);
		if (step == SQLITE_BUSY || step == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (step == SQLITE_OK || step == SQLITE_BUSY ||
		 step == SQLITE_LOCKED);
	if (step != SQLITE_DONE)
		rc = log_error(ST_DB, "backup: %s", sqlite3_errstr(step));
	if (sqlite3_backup_finish(bk) != SQLITE_OK && !rc)
		rc = log_error(ST_DB, "backup: %s", sqlite3_errmsg(dest));
out:
	sqlite3_close(dest);
	return rc;
}

/* Sets one of FTS5's settings (FTS5's defaults are in fts5Int.h). */
#define FTS_CONFIG(key, value)                                                 \
	"INSERT INTO articles_fts(articles_fts, rank) VALUES('" key            \
	"', " value ");"

enum status
store_write_round(struct store *s, bool on)
{
	/*
	 * A batch of a few thousand articles dirties some 50 MB of pages
	 * (rows, their overflow pages, the search index's pending
	 * segments): with the usual 32 MB cache, pages spill to the WAL
	 * before the commit and are read back (pread) for the next
	 * article. 128 MB keeps a batch and the hot inner pages in memory;
	 * back to 32 MB when the round ends (SQLite frees the excess).
	 */
	/*
	 * FTS5 writes its pending terms out as a new segment whenever they
	 * pass 'hashsize' (1 MB by default: every ~100 articles), and each
	 * segment is merged again and again as the index grows. During a
	 * round the terms of a whole batch stay in memory (some 20 MB for
	 * 5,000 articles) and go out once, at the commit: a third of the
	 * index's cost per article.
	 */
	/*
	 * Checkpoints run on a thread of their own (checkpoint.c): at the
	 * writer's commits they cost it the copy into the database file and
	 * two fdatasync() calls of some 50 ms each.
	 */
	enum status rc;

	if (!on)
		store_checkpointer_stop(s);
	s->index_batched = on;
	if (!on && !s->index_pending_count)
		store_index_forget(s);
	rc = store_exec(s, on ? ROUND_CACHE FTS_CONFIG("hashsize", ROUND_HASH)
			      : IDLE_CACHE FTS_CONFIG("hashsize", IDLE_HASH));
	if (!rc && on)
		rc = store_checkpointer_start(s);
	return rc;
}

enum status
store_maintain(struct store *s)
{
	/* FTS5's 'merge' with a page budget: positive N merges only while
	 * segments of one level can be combined, about N pages of work.
	 * Then the planner's statistics, as the close would refresh them. */
	return store_exec(s, "INSERT INTO articles_fts(articles_fts, rank)"
			     " VALUES('merge', 500);" OPTIMIZE);
}

enum status
store_bulk_load(struct store *s, bool on)
{
	enum status rc;

	/* Each article's statements open statement journals (an update of
	 * a foreign key column does), and FTS5 writes its pending terms as
	 * a new segment at each: indexing article by article would merge
	 * the index over and over. One rebuild at the end writes it once. */
	if (on) {
		s->index_deferred = true;
		return store_exec(s, "PRAGMA cache_size=-262144;");
	}
	s->index_deferred = false;
	rc = store_exec(s, FTS_CONFIG("automerge", "0")
				   FTS_CONFIG("crisismerge", "1000")
					   FTS_CONFIG("hashsize", "268435456"));
	if (!rc)
		rc = store_exec(s, "INSERT INTO articles_fts(articles_fts)"
				   " VALUES('rebuild');"
				   "INSERT INTO articles_fts(articles_fts)"
				   " VALUES('optimize')");
	if (store_exec(s, FTS_CONFIG("automerge", "4")
				  FTS_CONFIG("crisismerge", "16")
					  FTS_CONFIG("hashsize", IDLE_HASH)) &&
	    !rc)
		rc = ST_DB;
	if (!rc)
		rc = store_exec(s,
				"PRAGMA wal_checkpoint(TRUNCATE);" IDLE_CACHE);
	return rc;
}
