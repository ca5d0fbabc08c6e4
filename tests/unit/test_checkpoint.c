/*
 * The checkpointer of a write round (src/store/checkpoint.c): the WAL
 * stays bounded, the writer's connection does not checkpoint during the
 * round, and the round's end leaves the WAL checkpointed with the
 * writer's automatic checkpoint back.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "store/internal.h"
#include "store/store.h"
#include "support/testutil.h"

/* Rows of a 12 KB blob: one 16 KB page each. */
enum { ROW_BYTES = 12000, PAGE = 16384, FRAME = PAGE + 24 };

static char *dir;
static struct store *db;
static char db_path[512], wal_path[520];

static void
setup(void)
{
	dir = test_tmpdir();
	cr_assert_not_null(dir);
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &db), ST_OK);
	snprintf(db_path, sizeof(db_path), "%s/newsstand.db", dir);
	snprintf(wal_path, sizeof(wal_path), "%s-wal", db_path);
	cr_assert_eq(store_exec(db, "CREATE TABLE scratch(id INTEGER PRIMARY "
				    "KEY, b BLOB)"),
		     ST_OK);
}

static void
teardown(void)
{
	store_close(db);
	test_rmdir(dir);
	free(dir);
}

TestSuite(checkpoint, .init = setup, .fini = teardown);

static int64_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (int64_t)st.st_size;
}

/* Stores rows new rows of one page each in one transaction. */
static void
commit_rows(int rows)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
		 "FROM n WHERE i < %d) INSERT INTO scratch(b) SELECT "
		 "randomblob(%d) FROM n",
		 rows, ROW_BYTES);
	cr_assert_eq(store_begin(db), ST_OK);
	cr_assert_eq(store_exec(db, sql), ST_OK);
	cr_assert_eq(store_commit(db), ST_OK);
}

/*
 * Opens a copy of the database file alone, without its WAL: what it holds
 * is what checkpoints have copied. Returns its row count and checks it.
 */
static int64_t
rows_in_file_alone(void)
{
	char copy[560];
	size_t len;
	char *data = test_read_file(db_path, &len);
	sqlite3 *c = NULL;
	sqlite3_stmt *st;
	int64_t rows = -1;

	cr_assert_not_null(data);
	snprintf(copy, sizeof(copy), "%s/alone.db", dir);
	cr_assert(test_write_file(copy, data, len));
	free(data);
	cr_assert_eq(sqlite3_open_v2(copy, &c, SQLITE_OPEN_READWRITE, NULL),
		     SQLITE_OK);
	cr_assert_eq(
		sqlite3_prepare_v2(c, "PRAGMA integrity_check", -1, &st, NULL),
		SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(c, "SELECT count(*) FROM scratch", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		rows = sqlite3_column_int64(st, 0);
	else
		rows = 0; /* the table itself is not in the file yet */
	sqlite3_finalize(st);
	sqlite3_close(c);
	unlink(copy);
	return rows;
}

static int64_t
rows_stored(void)
{
	int64_t n = -1;

	cr_assert_eq(store_query_int(db, "SELECT count(*) FROM scratch",
				     "count", &n),
		     ST_OK);
	return n;
}

Test(checkpoint, wal_stays_bounded_and_the_database_intact)
{
	enum { TXNS = 40, ROWS = 30, MAX_FRAMES = 100 };
	struct buf report = BUF_INIT;
	int64_t peak = 0;
	int i;

	db->ckpt_step_frames = 20;
	db->wal_max_frames = MAX_FRAMES;
	cr_assert_eq(store_write_round(db, true), ST_OK);
	cr_assert_not_null(db->checkpointer, "a checkpointer runs");
	for (i = 0; i < TXNS; i++) {
		commit_rows(ROWS);
		peak = MAX(peak, file_size(wal_path));
	}
	cr_assert_eq(store_write_round(db, false), ST_OK);
	cr_assert_null(db->checkpointer);
	/* The limit plus one transaction (its rows, their b-tree pages and
	 * the schema page), never the 1,200 pages of the whole round. */
	cr_assert_leq(peak, 32 + (int64_t)(MAX_FRAMES + 2 * ROWS) * FRAME,
		      "WAL grew to %lld bytes", (long long)peak);
	cr_assert_leq(db->last_round.wal_peak_frames, MAX_FRAMES + 2 * ROWS);
	cr_assert_gt(db->last_round.writer_waits, 0,
		     "the writer waited for a checkpoint to restart the WAL");
	cr_assert_gt(db->last_round.checkpoints, 0);
	cr_assert_eq(rows_stored(), TXNS * ROWS);
	cr_assert_eq(store_check(db, &report), ST_OK, "%s", report.data);
	buf_release(&report);
}

Test(checkpoint, a_small_round_leaves_its_wal_as_the_writer_would)
{
	cr_assert_eq(store_write_round(db, true), ST_OK);
	commit_rows(50);
	cr_assert_eq(store_write_round(db, false), ST_OK);
	/* Under SQLite's 1,000 pages: no checkpoint, as before. */
	cr_assert_eq(db->last_round.checkpoints, 0);
	cr_assert_eq(rows_in_file_alone(), 0);
	commit_rows(1000);
	cr_assert_eq(rows_in_file_alone(), 1050,
		     "the writer's automatic checkpoint is back");
}

Test(checkpoint, writer_does_not_checkpoint_during_a_round)
{
	int64_t before;
	int i;

	/* The checkpointer does nothing until the round ends, so whatever
	 * reaches the database file during the round, the writer put
	 * there. */
	db->ckpt_step_frames = INT64_MAX;
	db->wal_max_frames = INT64_MAX;
	db->ckpt_idle_ms = -1;
	cr_assert_eq(store_write_round(db, true), ST_OK);
	before = file_size(db_path);
	for (i = 0; i < 3; i++)
		commit_rows(400);
	/* Past SQLite's automatic checkpoint of 1,000 pages. */
	cr_assert_gt(file_size(wal_path), (int64_t)1000 * FRAME);
	cr_assert_eq(file_size(db_path), before,
		     "the database file changed during the round");
	cr_assert_eq(rows_in_file_alone(), 0);
	cr_assert_eq(store_write_round(db, false), ST_OK);
	cr_assert_eq(db->last_round.writer_waits, 0);
	cr_assert_eq(rows_in_file_alone(), 1200,
		     "the round's end checkpointed the WAL");
	/* After the round, the writer checkpoints at its commits again. */
	commit_rows(1100);
	cr_assert_eq(rows_in_file_alone(), 2300,
		     "the writer's automatic checkpoint is back");
}

Test(checkpoint, close_ends_a_round_left_on)
{
	struct store *again;

	db->ckpt_step_frames = 10;
	cr_assert_eq(store_write_round(db, true), ST_OK);
	commit_rows(50);
	commit_rows(50);
	store_close(db);
	db = NULL;
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &again), ST_OK);
	db = again;
	cr_assert_eq(rows_stored(), 100);
	cr_assert_null(db->checkpointer);
}

/* The frames a fresh connection finds in the WAL (recovered on open). */
static int
wal_frames_on_open(void)
{
	sqlite3 *c = NULL;
	sqlite3_stmt *st;
	int frames = -1;

	cr_assert_eq(sqlite3_open_v2(db_path, &c, SQLITE_OPEN_READWRITE, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(c, "PRAGMA wal_checkpoint(PASSIVE)", -1,
					&st, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	frames = sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
	sqlite3_close(c);
	return frames;
}

Test(checkpoint, a_round_keeps_its_wal_file_with_little_to_recover)
{
	struct buf report = BUF_INIT;
	int i;

	db->ckpt_step_frames = 100;
	cr_assert_eq(store_write_round(db, true), ST_OK);
	for (i = 0; i < 3; i++)
		commit_rows(400);
	cr_assert_eq(store_write_round(db, false), ST_OK);
	store_close(db);
	db = NULL;
	/* Kept at its size for the next round to write over... */
	cr_assert_gt(file_size(wal_path), (int64_t)400 * FRAME,
		     "the WAL file was removed or truncated");
	/* ...but started over after the round's last checkpoint: the
	 * next open recovers a few frames, not the round's 1,200. */
	cr_assert_lt(wal_frames_on_open(), 50);
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &db), ST_OK);
	cr_assert_eq(rows_stored(), 1200);
	cr_assert_eq(store_check(db, &report), ST_OK, "%s", report.data);
	buf_release(&report);
}

Test(checkpoint, a_kept_wal_that_did_not_start_over_is_truncated)
{
	sqlite3 *reader = NULL;
	int i;

	db->ckpt_step_frames = 100;
	cr_assert_eq(store_write_round(db, true), ST_OK);
	commit_rows(400);
	/* A reader's snapshot keeps the round's last checkpoint from
	 * copying what follows it, so the WAL cannot start over. */
	cr_assert_eq(
		sqlite3_open_v2(db_path, &reader, SQLITE_OPEN_READONLY, NULL),
		SQLITE_OK);
	cr_assert_eq(sqlite3_exec(reader,
				  "BEGIN; SELECT count(*) FROM scratch;", NULL,
				  NULL, NULL),
		     SQLITE_OK);
	for (i = 0; i < 2; i++)
		commit_rows(400);
	cr_assert_eq(store_write_round(db, false), ST_OK);
	commit_rows(10);
	sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(reader);
	store_close(db);
	db = NULL;
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &db), ST_OK);
	cr_assert_eq(wal_frames_on_open(), 0,
		     "the next open recovers the whole round again");
	cr_assert_eq(rows_stored(), 1210);
}

/* The round's checkpointer figures so far, once they say what want()
 * wants or 10 s have passed. */
static struct store_checkpoint_stats
stats_when(bool (*want)(const struct store_checkpoint_stats *))
{
	struct store_checkpoint_stats st;
	int i;

	for (i = 0; i < 1000; i++) {
		store_checkpointer_stats(db, &st);
		if (want(&st))
			break;
		usleep(10000);
	}
	return st;
}

static bool
wal_synced(const struct store_checkpoint_stats *st)
{
	return st->wal_syncs > 0;
}

Test(checkpoint, the_wal_is_synced_as_the_round_goes)
{
	struct store_checkpoint_stats st;

	/* No checkpoint during the round: only the syncs. */
	db->ckpt_step_frames = INT64_MAX;
	db->wal_max_frames = INT64_MAX;
	db->ckpt_idle_ms = -1;
	db->ckpt_flush_frames = 50;
	cr_assert_eq(store_write_round(db, true), ST_OK);
	commit_rows(20);
	usleep(100000);
	store_checkpointer_stats(db, &st);
	cr_expect_eq(st.wal_syncs, 0, "synced under the threshold");
	commit_rows(40);
	st = stats_when(wal_synced);
	cr_expect_eq(st.wal_syncs, 1, "not synced past 50 new pages");
	cr_expect_eq(st.checkpoints, 0);
	cr_assert_eq(store_write_round(db, false), ST_OK);
	cr_expect_eq(db->last_round.wal_syncs, 1);
	cr_assert_eq(rows_stored(), 60);
}

static bool
checkpointed(const struct store_checkpoint_stats *st)
{
	return st->checkpoints > 0;
}

Test(checkpoint, the_rounds_last_commits_are_checkpointed_as_they_land)
{
	struct store_checkpoint_stats st;

	db->ckpt_step_frames = INT64_MAX;
	db->wal_max_frames = INT64_MAX;
	db->ckpt_idle_ms = -1;
	cr_assert_eq(store_write_round(db, true), ST_OK);
	/* A little, as a small round writes: left as the writer would. */
	store_write_round_ending(db);
	commit_rows(100);
	usleep(100000);
	store_checkpointer_stats(db, &st);
	cr_assert_eq(st.checkpoints, 0, "a small WAL was checkpointed");
	cr_assert_eq(rows_in_file_alone(), 0);
	/* Past what the writer's own checkpoint would leave. */
	commit_rows(1000);
	/* The file is read once the checkpoint has ended: a copy taken
	 * while it writes would be torn. */
	st = stats_when(checkpointed);
	cr_assert_eq(st.checkpoints, 1, "the last commit waits");
	cr_expect_gt(st.db_syncs, 0, "the database file was not synced");
	cr_expect_eq(rows_in_file_alone(), 1100);
	cr_assert_eq(store_write_round(db, false), ST_OK);
	cr_assert_eq(rows_stored(), 1100);
}

Test(checkpoint, no_checkpointer_outside_wal_mode)
{
	struct store *mem;

	cr_assert_eq(store_open_file(":memory:", STORE_WRITE, 0, &mem), ST_OK);
	cr_assert_eq(store_write_round(mem, true), ST_OK);
	cr_assert_null(mem->checkpointer);
	cr_assert_eq(store_write_round(mem, false), ST_OK);
	store_close(mem);
}
