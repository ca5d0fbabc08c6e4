/*
 * compact.c — rewrites a data directory's database into a new file with
 * large pages, no free pages and the search index merged into one segment.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "store/internal.h"

/* Page count, page size and free pages of the open database. */
static enum status
measure(struct store *s, struct store_file_shape *out)
{
	enum status rc;

	rc = store_query_int(s, "PRAGMA page_count", "page count", &out->pages);
	if (!rc)
		rc = store_query_int(s, "PRAGMA page_size", "page size",
				     &out->page_size);
	if (!rc)
		rc = store_query_int(s, "PRAGMA freelist_count", "free pages",
				     &out->free_pages);
	return rc;
}

/* Flushes a file, or a folder's entries, to the disk. */
static enum status
sync_path(const char *path, bool folder)
{
	int fd = open(path, (folder ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
	enum status rc = ST_OK;

	if (fd < 0 || fsync(fd))
		rc = log_error(ST_IO, "store: syncing %s: %s", path,
			       strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

enum status
store_compact(const char *data_dir, struct store_compact_report *out)
{
	struct buf path = BUF_INIT, fresh = BUF_INIT;
	struct store *s = NULL;
	sqlite3_stmt *st = NULL;
	bool alone = false, written = false;
	char *folder = NULL;
	enum status rc;

	memset(out, 0, sizeof(*out));
	buf_addf(&path, "%s/newsstand.db", data_dir);
	buf_addf(&fresh, "%s/newsstand.db.compact", data_dir);
	if (path.err || fresh.err) {
		rc = ST_NOMEM;
		goto out;
	}
	rc = store_open_file(path.data, STORE_WRITE, 0, &s);
	if (rc)
		goto out;
	/*
	 * The file is replaced, so nobody else may have it open: leaving WAL
	 * mode needs the only connection, and the exclusive locking mode
	 * keeps the lock the first write takes until the end.
	 */
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=DELETE", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		alone = !strcmp((const char *)sqlite3_column_text(st, 0),
				"delete");
	sqlite3_finalize(st);
	if (!alone) {
		rc = log_error(ST_AGAIN,
			       "store: %s is in use: stop the server "
			       "and other commands, then compact",
			       path.data);
		goto out;
	}
	rc = store_exec(s, "PRAGMA locking_mode=EXCLUSIVE");
	if (!rc)
		rc = measure(s, &out->before);
	/* One segment: fewer doclists to merge per search word. */
	if (!rc)
		rc = store_exec(s, "INSERT INTO articles_fts(articles_fts)"
				   " VALUES('optimize')");
	if (rc)
		goto out;
	unlink(fresh.data);
	rc = store_exec(s, STORE_PAGE_SIZE);
	if (rc)
		goto out;
	st = store_stmt(s, "VACUUM INTO ?");
	if (!st) {
		rc = ST_DB;
		goto out;
	}
	sqlite3_bind_text(st, 1, fresh.data, -1, SQLITE_STATIC);
	rc = store_step_done(s, st, "compacting");
	written = true;
	if (!rc)
		rc = sync_path(fresh.data, false);
	if (rc)
		goto out;
	if (rename(fresh.data, path.data)) {
		rc = log_error(ST_IO, "store: replacing %s: %s", path.data,
			       strerror(errno));
		goto out;
	}
	written = false;
	folder = xstrdup(path.data);
	rc = sync_path(dirname(folder), true);
	/* Closed as a reader, which writes nothing: a write now would put a
	 * journal of the old file beside the new one, under its name. */
	s->mode = STORE_READ;
	store_close(s);
	s = NULL;
	/* The new file, as the next open sees it. */
	if (!rc)
		rc = store_open_file(path.data, STORE_WRITE, 0, &s);
	if (!rc)
		rc = measure(s, &out->after);
out:
	if (written)
		unlink(fresh.data);
	store_close(s);
	free(folder);
	buf_release(&fresh);
	buf_release(&path);
	return rc;
}
