/*
 * checkpoint.c — WAL checkpoints off the writer during a write round.
 *
 * Outside a round, SQLite checkpoints on the writer's connection at the
 * commit that takes the WAL past 1,000 pages: the writer copies the
 * logged pages into the database file and waits for two fdatasync() calls
 * (the WAL, then the database) before it can go on. During a round
 * (store_write_round()) the writer's automatic checkpoint is off and a
 * thread of its own, on a connection of its own to the same file, runs
 * PASSIVE checkpoints while the writer appends to the WAL.
 *
 * What a PASSIVE checkpoint cannot do is restart the WAL: it copies the
 * committed frames into the database, but the file only goes back to its
 * first frame when a writer begins a transaction with every frame copied
 * (and no reader holding an older snapshot). The writer begins its next
 * transaction as soon as it has committed, before the checkpointer can
 * have copied that commit's frames, so left alone the WAL would grow for
 * the whole round. Hence the bound: when the WAL has passed its limit,
 * store_begin() waits for a checkpoint that started after the writer's
 * last commit (store_checkpointer_wait()); the WAL is then restarted by
 * the transaction it begins. The WAL stays under its limit plus one
 * transaction, and the writer waits only once every few transactions.
 *
 * Crash safety is the WAL's own: commits are logged as before
 * (synchronous=NORMAL), and a checkpoint only copies committed pages.
 *
 * What the round's end waits for is mostly the disk. The WAL is synced
 * only when a checkpoint begins and the database file only when one has
 * copied the whole WAL, which during a round happens only at the last
 * one, and the kernel writes neither out by itself for 30 seconds: the
 * last checkpoint's two fdatasync() calls wrote out much of the round.
 * Telling the kernel to write early (sync_file_range()) does not help
 * here: the virtual disk keeps what it is given in its host's cache until
 * the guest flushes it, at about 1 ms a megabyte (80 MB written back, then
 * flushed by an fdatasync() of another file: 84 ms; of the first file
 * after that: 0.3 ms). So the checkpointer, idle most of the round, syncs
 * the WAL itself once FLUSH_FRAMES pages have been logged since it was
 * last synced, and the database file after each of its checkpoints (at
 * no cost when SQLite has just synced it). These are syncs SQLite would
 * make anyway, only sooner and off the writer. And once the writer has
 * only the round's last items left (store_write_round_ending()), each
 * commit is checkpointed as it lands, so that the last checkpoint has
 * little to copy.
 *
 * A round leaves a WAL file of a few hundred megabytes (its limit plus a
 * transaction), which SQLite deletes when the last connection closes:
 * on the refresh bench, the kernel took 110-150 ms to drop that file's
 * pages and blocks, a tenth of the round. From the first round on, the
 * writer's connection keeps the file instead (SQLITE_FCNTL_PERSIST_WAL),
 * as a server's connection keeps it while it runs: the next round writes
 * over its blocks. What the next open must recover is only what was
 * logged since the WAL last started over, which the first write after
 * the round's last checkpoint makes it do; store_wal_close() sees to it
 * that this stays small. store_compact() and the migrations leave WAL
 * mode on connections that have run no round (the migrations at open),
 * which delete the file as before.
 */
#include "common.h"

#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "store/internal.h"

enum {
	/* New pages in the WAL that wake the checkpointer. */
	CKPT_STEP_FRAMES = 2048,
	/* A smaller backlog is checkpointed after this long, when the
	 * writer's own checkpoint would have run. */
	CKPT_IDLE_MS = 250,
	/* The writer's usual automatic checkpoint (SQLite's default). */
	WRITER_AUTOCHECKPOINT = 1000,
	/* Frames a kept WAL may hold for the next open to recover: what
	 * the writer's automatic checkpoint would leave. */
	WAL_KEEP_FRAMES = WRITER_AUTOCHECKPOINT,
	/* Frames logged since the WAL was last synced that make the
	 * checkpointer sync it (4 MB of 16 KB pages). */
	FLUSH_FRAMES = 256,
};
/* The WAL's size past which the writer waits for a checkpoint. */
#define WAL_MAX_BYTES ((int64_t)256 << 20)

struct store_checkpointer {
	pthread_t thread;     /* runs checkpointer_main() */
	sqlite3 *db;	      /* its own connection, that thread only */
	int64_t step_frames;  /* backlog that wakes it */
	int64_t max_frames;   /* WAL size at which the writer waits */
	int64_t idle_ms;      /* a smaller backlog waits this long; <0 never */
	int64_t flush_frames; /* unsynced frames that make it sync the WAL */
	int db_fd, wal_fd;    /* the two files, for fdatasync(); -1: none */
	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t wake;  /* the checkpointer waits on it */
	pthread_cond_t done;  /* the writer waits on it */
	int64_t commits;      /* commits seen by the writer's hook */
	int64_t wal_frames;   /* the WAL's pages after the last commit */
	int64_t pending;      /* pages logged since the last checkpoint */
	int64_t attempted;    /* commits before the last finished checkpoint */
	int64_t unsynced;     /* frames logged since the WAL was last synced */
	bool ending; /* the round's last items: checkpoint each commit */
	bool writer_waiting; /* store_checkpointer_wait() is waiting */
	bool stop;	     /* the round is over: a last checkpoint, exit */
	struct store_checkpoint_stats stats; /* what the round did */
};

/*
 * Whether the writer's automatic checkpoint would run after its last
 * commit: the WAL holds 1,000 pages or more, some of them not copied yet.
 * A round that wrote little leaves its WAL as the writer would have.
 */
static bool
is_due(const struct store_checkpointer *c)
{
	return c->pending > 0 && c->wal_frames >= WRITER_AUTOCHECKPOINT;
}

/* Whether what the writer committed calls for a checkpoint now. */
static bool
wants_checkpoint(const struct store_checkpointer *c)
{
	return c->pending >= c->step_frames || (c->ending && is_due(c));
}

/* Whether enough has been logged since the WAL was synced to sync it. */
static bool
wants_wal_sync(const struct store_checkpointer *c)
{
	return c->wal_fd >= 0 && c->unsynced >= c->flush_frames;
}

/*
 * The writer's WAL hook (in place of SQLite's automatic checkpoint), after
 * each commit on the writer's thread: note the WAL's size, wake the
 * checkpointer when enough has piled up.
 */
static int
on_commit(void *ctx, sqlite3 *db, const char *schema, int frames)
{
	struct store_checkpointer *c = ctx;
	int64_t added;

	(void)db;
	(void)schema;
	pthread_mutex_lock(&c->lock);
	/* Fewer frames than before: the commit restarted the WAL. */
	added = frames >= c->wal_frames ? frames - c->wal_frames : frames;
	c->pending += added;
	c->unsynced += added;
	c->wal_frames = frames;
	c->commits++;
	if (frames > c->stats.wal_peak_frames)
		c->stats.wal_peak_frames = frames;
	if (wants_checkpoint(c) || wants_wal_sync(c))
		pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	return SQLITE_OK;
}

/* One PASSIVE checkpoint of everything committed so far; lock held on
 * entry and exit. */
static void
checkpoint_once(struct store_checkpointer *c)
{
	int64_t commits = c->commits;
	bool last = c->stop, synced = false;
	int log = 0, copied = 0, rc;

	c->pending = 0;
	/* It syncs the WAL before it copies. */
	c->unsynced = 0;
	pthread_mutex_unlock(&c->lock);
	rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
				       &log, &copied);
	/* SQLite syncs the database file only when no commit came while it
	 * copied, or what it copied would wait for the round's end; after
	 * its own sync, another costs nothing. */
	if (rc == SQLITE_OK && !last && c->db_fd >= 0)
		synced = !fdatasync(c->db_fd);
	pthread_mutex_lock(&c->lock);
	c->stats.db_syncs += synced;
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		log_warn(ST_DB, "store: checkpoint: %s", sqlite3_errmsg(c->db));
	c->stats.checkpoints++;
	/* Copied or not (a reader may hold older pages, as it may for the
	 * writer's own checkpoint), the attempt came after those commits. */
	c->attempted = commits;
	pthread_cond_broadcast(&c->done);
}

static void *
checkpointer_main(void *arg)
{
	struct store_checkpointer *c = arg;
	int rc;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		struct timespec until;

		if (c->stop)
			break;
		if (wants_checkpoint(c) ||
		    (c->writer_waiting && c->attempted < c->commits)) {
			checkpoint_once(c);
			continue;
		}
		if (wants_wal_sync(c)) {
			c->unsynced = 0;
			pthread_mutex_unlock(&c->lock);
			rc = fdatasync(c->wal_fd);
			pthread_mutex_lock(&c->lock);
			c->stats.wal_syncs += !rc;
			continue;
		}
		if (c->idle_ms < 0) {
			pthread_cond_wait(&c->wake, &c->lock);
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += c->idle_ms / 1000;
		until.tv_nsec += (c->idle_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&c->wake, &c->lock, &until) &&
		    !c->stop && is_due(c))
			checkpoint_once(c);
	}
	/* The writer has finished: copy the rest, as its own automatic
	 * checkpoint would have at its last commit. */
	if (is_due(c)) {
		int64_t from = clock_mono_ms();

		checkpoint_once(c);
		c->stats.last_ms = clock_mono_ms() - from;
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* Opens the checkpointer's connection; NULL when the database is not in
 * WAL mode (an in-memory database, a read-only directory). */
static sqlite3 *
open_checkpointer_db(struct store *s, int64_t *page_size)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	bool wal = false;

	if (sqlite3_open_v2(s->path, &db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(db, 1000);
	/* Reading the journal mode opens the WAL on this connection, so the
	 * first checkpoint has one to copy from. */
	if (sqlite3_exec(db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) !=
		    SQLITE_OK)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW)
		wal = !strcmp((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	st = NULL;
	if (!wal ||
	    sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, NULL) !=
		    SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	*page_size = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return db;
fail:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return NULL;
}

static void
close_files(struct store_checkpointer *c)
{
	if (c->db_fd >= 0)
		close(c->db_fd);
	if (c->wal_fd >= 0)
		close(c->wal_fd);
}

enum status
store_checkpointer_start(struct store *s)
{
	struct store_checkpointer *c;
	int64_t page_size = 4096;
	char wal[PATH_MAX + 8];
	sqlite3 *db;

	if (s->checkpointer || s->mode != STORE_WRITE)
		return ST_OK;
	db = open_checkpointer_db(s, &page_size);
	if (!db) {
		log_info("store: %s: checkpoints stay on the writer", s->path);
		return ST_OK;
	}
	c = xcalloc(1, sizeof(*c));
	c->db = db;
	/* Its own descriptors: SQLite's are its own. The WAL exists, as
	 * open_checkpointer_db() read through it. */
	c->db_fd = open(s->path, O_RDONLY | O_CLOEXEC);
	c->wal_fd = (size_t)snprintf(wal, sizeof(wal), "%s-wal", s->path) <
				    sizeof(wal)
			    ? open(wal, O_RDONLY | O_CLOEXEC)
			    : -1;
	c->flush_frames =
		s->ckpt_flush_frames > 0 ? s->ckpt_flush_frames : FLUSH_FRAMES;
	c->step_frames = s->ckpt_step_frames > 0 ? s->ckpt_step_frames
						 : CKPT_STEP_FRAMES;
	c->max_frames =
		s->wal_max_frames > 0
			? s->wal_max_frames
			: WAL_MAX_BYTES / (page_size > 0 ? page_size : 4096);
	c->idle_ms = s->ckpt_idle_ms ? s->ckpt_idle_ms : CKPT_IDLE_MS;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	pthread_cond_init(&c->done, NULL);
	if (pthread_create(&c->thread, NULL, checkpointer_main, c)) {
		pthread_cond_destroy(&c->done);
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
		sqlite3_close(db);
		close_files(c);
		free(c);
		return log_warn(ST_OK, "store: no checkpoint thread; "
				       "checkpoints stay on the writer");
	}
	/* The hook replaces SQLite's automatic checkpoint on the writer. */
	sqlite3_wal_hook(s->db, on_commit, c);
	s->checkpointer = c;
	if (!s->wal_kept) {
		int keep = 1;

		s->wal_kept = sqlite3_file_control(s->db, "main",
						   SQLITE_FCNTL_PERSIST_WAL,
						   &keep) == SQLITE_OK;
	}
	return ST_OK;
}

void
store_checkpointer_stats(struct store *s, struct store_checkpoint_stats *out)
{
	struct store_checkpointer *c = s->checkpointer;

	if (!c) {
		*out = s->last_round;
		return;
	}
	pthread_mutex_lock(&c->lock);
	*out = c->stats;
	pthread_mutex_unlock(&c->lock);
}

void
store_write_round_ending(struct store *s)
{
	struct store_checkpointer *c = s->checkpointer;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	if (!c->ending) {
		c->ending = true;
		pthread_cond_signal(&c->wake);
	}
	pthread_mutex_unlock(&c->lock);
}

void
store_wal_close(struct store *s)
{
	int log = 0;

	if (!s->wal_kept)
		return;
	/*
	 * Everything is copied into the database file (as the close would
	 * do). Should the WAL not have started over since the round (a
	 * reader held an older snapshot at the first write after it), its
	 * frames would all be recovered again by the next open and copied
	 * again by its first checkpoint: truncate it instead.
	 */
	if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
				      &log, NULL) == SQLITE_OK &&
	    log > WAL_KEEP_FRAMES &&
	    sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
				      NULL, NULL) != SQLITE_OK)
		log_warn(ST_DB, "store: WAL not truncated: %s",
			 sqlite3_errmsg(s->db));
}

void
store_checkpointer_wait(struct store *s)
{
	struct store_checkpointer *c = s->checkpointer;
	int64_t from;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	if (c->wal_frames >= c->max_frames && c->attempted < c->commits) {
		from = clock_mono_ms();
		c->writer_waiting = true;
		pthread_cond_signal(&c->wake);
		while (c->attempted < c->commits)
			pthread_cond_wait(&c->done, &c->lock);
		c->writer_waiting = false;
		c->stats.writer_waits++;
		c->stats.writer_wait_ms += clock_mono_ms() - from;
	}
	pthread_mutex_unlock(&c->lock);
}

void
store_checkpointer_stop(struct store *s)
{
	struct store_checkpointer *c = s->checkpointer;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	/* Back to SQLite's automatic checkpoint (it replaces the hook). */
	sqlite3_wal_autocheckpoint(s->db, WRITER_AUTOCHECKPOINT);
	sqlite3_close(c->db);
	close_files(c);
	s->last_round = c->stats;
	log_info("store: checkpointer: %" PRId64 " checkpoints, WAL at most "
		 "%" PRId64 " pages, synced %" PRId64 " times and the "
		 "database %" PRId64 " times between them, the writer "
		 "waited %" PRId64 " times, %.2f s, and %.2f s for the last",
		 c->stats.checkpoints, c->stats.wal_peak_frames,
		 c->stats.wal_syncs, c->stats.db_syncs, c->stats.writer_waits,
		 (double)c->stats.writer_wait_ms / 1e3,
		 (double)c->stats.last_ms / 1e3);
	pthread_cond_destroy(&c->done);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
	s->checkpointer = NULL;
}
