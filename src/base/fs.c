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
