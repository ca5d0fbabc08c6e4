#include "common.h"

#include <sys/stat.h>

#include "base/fs.h"
#include "base/log.h"

enum status
fs_mkdirs(const char *path, mode_t mode)
{
	char *copy = xstrdup(path), *p;
	enum status rc = ST_OK;

	for (p = copy + 1;; p++) {
		if (*p == '/' || !*p) {
			char saved = *p;

			*p = '\0';
			if (mkdir(copy, mode) && errno != EEXIST) {
				rc = log_error(ST_IO, "mkdir %s: %s", copy,
					       strerror(errno));
				break;
			}
			*p = saved;
			if (!saved)
				break;
		}
	}
	free(copy);
	return rc;
}

enum status
fs_read_stream(FILE *in, struct buf *out)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0) {
		buf_add(out, chunk, n);
		if (out->err)
			return out->err;
	}
	return ferror(in) ? ST_IO : ST_OK;
}

enum status
fs_read_file(const char *path, struct buf *out)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	enum status rc;
	int saved;

	if (!in)
		return ST_IO;
	rc = fs_read_stream(in, out);
	saved = errno;
	if (in != stdin)
		fclose(in);
	errno = saved;
	return rc;
}
