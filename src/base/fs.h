/*
 * fs.h — small file-system helpers shared by the modules.
 */
#ifndef NEWSSTAND_BASE_FS_H
#define NEWSSTAND_BASE_FS_H

#include "common.h"

#include <stdio.h>
#include <sys/types.h>

#include "base/buf.h"

/*
 * Creates a folder and its missing parents (like mkdir -p) with the given
 * mode; an existing folder is fine. ST_IO, logged with the path, otherwise.
 */
enum status fs_mkdirs(const char *path, mode_t mode) WARN_UNUSED;

/*
 * Appends everything left in an open stream to out. ST_TOOBIG when out's
 * cap is reached (out then holds what fitted), ST_IO on a read error
 * (errno set); the stream is not closed.
 */
enum status fs_read_stream(FILE *in, struct buf *out) WARN_UNUSED;

/*
 * Appends the whole file at path ("-" is standard input) to out, with
 * fs_read_stream()'s results; ST_IO with errno set when it cannot be opened.
 * Nothing is logged: callers say what the file was for.
 */
enum status fs_read_file(const char *path, struct buf *out) WARN_UNUSED;

#endif
