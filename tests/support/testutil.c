#include "common.h"

#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fs.h"
#include "feed/feed.h"
#include "support/testutil.h"

char *
test_tmpdir(void)
{
	char tmpl[] = "/tmp/newsstand-test-XXXXXX";

	if (!mkdtemp(tmpl))
		return NULL;
	return xstrdup(tmpl);
}

static int
remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
test_rmdir(const char *path)
{
	if (path && !strncmp(path, "/tmp/", 5))
		nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *
test_src_dir(void)
{
	const char *src = getenv("NEWSSTAND_SRC");

	return src && *src ? src : ".";
}

char *
test_corpus(const char *sub)
{
	struct buf path = BUF_INIT;
	struct stat sb;

	buf_addf(&path, "%s/../shared/corpora/%s", test_src_dir(), sub);
	if (stat(path.data, &sb)) {
		buf_release(&path);
		return NULL;
	}
	return buf_detach(&path, NULL);
}

ssize_t
test_corpus_rows(const char *rel, void (*fn)(json_t *row, void *ctx), void *ctx)
{
	char *path = test_corpus(rel);
	FILE *fp = path ? fopen(path, "r") : NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t rows = 0;

	free(path);
	if (!fp)
		return -1;
	while (getline(&line, &cap, fp) > 0) {
		json_t *row = json_loads(line, 0, NULL);

		fn(row, ctx);
		json_decref(row);
		rows++;
	}
	free(line);
	fclose(fp);
	return rows;
}

char *
test_read_file(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;

	if (fs_read_file(path, &b)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}

void
test_feed_items(const char *path,
		void (*fn)(const struct feed_item *it, const char *path,
			   void *ctx),
		void *ctx)
{
	struct feed *doc = NULL;
	struct stat st;
	size_t len, i;
	char *data;

	if (stat(path, &st) || !S_ISREG(st.st_mode) || st.st_size > 4 << 20)
		return;
	data = test_read_file(path, &len);
	if (!data)
		return;
	if (feed_parse(data, len, "https://feed.example/rss", NULL, &doc) ==
	    ST_OK) {
		for (i = 0; i < doc->item_count; i++)
			fn(&doc->items[i], path, ctx);
		feed_free(doc);
	}
	free(data);
}

bool
test_write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f)
		return false;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

bool
test_sql(const char *data_dir, const char *sql)
{
	char path[PATH_MAX], *err = NULL;
	sqlite3 *c = NULL;
	bool ok;

	snprintf(path, sizeof(path), "%s/newsstand.db", data_dir);
	ok = sqlite3_open_v2(path, &c, SQLITE_OPEN_READWRITE, NULL) ==
		     SQLITE_OK &&
	     sqlite3_exec(c, sql, NULL, NULL, &err) == SQLITE_OK;
	if (!ok)
		fprintf(stderr, "test_sql: %s: %s\n", path,
			err ? err : sqlite3_errmsg(c));
	sqlite3_free(err);
	sqlite3_close(c);
	return ok;
}

const char *
test_bin(void)
{
	const char *bin = getenv("NEWSSTAND_BIN");

	return bin && *bin ? bin : "build/newsstand";
}

static void
drain(int fd, struct buf *b)
{
	char chunk[4096];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (b)
			buf_add(b, chunk, (size_t)n);
}

int
test_run(const char *const *args, const char *const *env, struct buf *out,
	 struct buf *err)
{
	char outname[] = "/tmp/newsstand-out-XXXXXX";
	char errname[] = "/tmp/newsstand-err-XXXXXX";
	int outfd = mkstemp(outname), errfd = mkstemp(errname), status = -1;
	pid_t pid;

	if (outfd < 0 || errfd < 0)
		return -1;
	unlink(outname);
	unlink(errname);
	pid = fork();
	if (pid == 0) {
		size_t n = 0, i;
		const char **argv;

		while (args[n])
			n++;
		argv = xcalloc(n + 2, sizeof(*argv));
		argv[0] = test_bin();
		for (i = 0; i < n; i++)
			argv[i + 1] = args[i];
		for (i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		dup2(outfd, 1);
		dup2(errfd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	lseek(outfd, 0, SEEK_SET);
	lseek(errfd, 0, SEEK_SET);
	drain(outfd, out);
	drain(errfd, err);
	close(outfd);
	close(errfd);
	return status;
}
