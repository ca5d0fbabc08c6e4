/*
 * xalloc.h — allocation that never returns NULL.
 *
 * Running out of memory aborts with a message (the program cannot do anything
 * useful without it); sizes are overflow-checked. Sizes that come from the
 * network must be capped by the caller and fail with ST_TOOBIG instead.
 */
#ifndef NEWSSTAND_BASE_XALLOC_H
#define NEWSSTAND_BASE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* xmallocarray(n, size): n * size bytes, aborting on overflow. */
void *xmallocarray(size_t count, size_t size);
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);
/* Returns a + b, aborting on overflow. */
size_t st_add(size_t a, size_t b);
/* Returns a * b, aborting on overflow. */
size_t st_mult(size_t a, size_t b);
/* Prints "fatal: ..." to stderr and exits with status 1 (start-up only). */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
