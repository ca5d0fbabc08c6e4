/*
 * testutil.h — small helpers shared by the tests: temporary folders, the
 * repository and corpus paths, running the real binary.
 */
#ifndef NEWSSTAND_TESTS_TESTUTIL_H
#define NEWSSTAND_TESTS_TESTUTIL_H

#include "common.h"

#include "base/buf.h"

/* Creates a fresh temporary folder (malloc'd path); removed by test_rmdir. */
char *test_tmpdir(void);
/* Removes a folder and everything in it. */
void test_rmdir(const char *path);
/* The repository's root (NEWSSTAND_SRC or the current folder). */
const char *test_src_dir(void);
/* ../shared/corpora/<sub> beside the repository, or NULL when absent. */
char *test_corpus(const char *sub);
struct json_t;
/*
 * Calls fn for each line of ../shared/corpora/<rel>, a JSON-lines file,
 * with the line parsed (NULL for a line that is not JSON). Returns the
 * lines read, or -1 when the file is absent (the caller skips).
 */
ssize_t test_corpus_rows(const char *rel,
			 void (*fn)(struct json_t *row, void *ctx), void *ctx);
/* Reads a whole file; NULL when it cannot. */
char *test_read_file(const char *path, size_t *len);
struct feed_item;
/*
 * Parses the file at path as a feed (files over 4 MiB are passed over)
 * and calls fn for each of its items, in order; a file that is not a feed
 * calls nothing.
 */
void test_feed_items(const char *path,
		     void (*fn)(const struct feed_item *it, const char *path,
				void *ctx),
		     void *ctx);
/* Writes a whole file; false on error. */
bool test_write_file(const char *path, const char *data, size_t len);
/* Runs sql on data_dir's database through a connection of its own (as
 * another process would); false, with the error on stderr, on failure. */
bool test_sql(const char *data_dir, const char *sql);
/* The newsstand binary under test (NEWSSTAND_BIN or build/newsstand). */
const char *test_bin(void);
/*
 * Runs the binary with args (NULL-terminated) and extra environment
 * entries ("NAME=value", NULL-terminated, may be NULL); captures stdout and
 * stderr into out and err (may be NULL). Returns the exit status, or -1.
 */
int test_run(const char *const *args, const char *const *env, struct buf *out,
	     struct buf *err);

#endif
