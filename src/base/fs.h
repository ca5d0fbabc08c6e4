/*
 * fs.h — small file-system helpers shared by the modules.
 */
#ifndef NEWSSTAND_BASE_FS_H
#define NEWSSTAND_BASE_FS_H

#include "common.h"

#include <sys/types.h>

/*
 * Creates a folder and its missing parents (like mkdir -p) with the given
 * mode; an existing folder is fine. ST_IO, logged with the path, otherwise.
 */
enum status fs_mkdirs(const char *path, mode_t mode) WARN_UNUSED;

#endif
