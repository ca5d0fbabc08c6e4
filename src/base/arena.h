/*
 * arena.h — region allocation for short-lived work (an HTTP request, a feed
 * parse): many small allocations released together by arena_release().
 *
 * Allocation never fails (it aborts like xmalloc); an arena may be given a cap
 * on its total size, after which arena_alloc_capped() returns NULL so that
 * input-driven work can fail with ST_TOOBIG.
 */
#ifndef NEWSSTAND_BASE_ARENA_H
#define NEWSSTAND_BASE_ARENA_H

#include "common.h"

struct arena_block;

struct arena {
	struct arena_block *head; /* the current block; older ones chain on */
	size_t used; /* bytes handed out, for statistics and caps */
	size_t max;  /* cap on used for arena_alloc_capped; 0: none */
};

void arena_init(struct arena *a, size_t max);
/* Frees every block; the arena may be used again. */
void arena_release(struct arena *a);
/* Returns size bytes aligned for any type; never NULL. */
void *arena_alloc(struct arena *a, size_t size);
/* Like arena_alloc but returns NULL once the arena's cap would be passed. */
void *arena_alloc_capped(struct arena *a, size_t size);
void *arena_calloc(struct arena *a, size_t count, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_printf(struct arena *a, const char *fmt, ...) PRINTF_LIKE(2, 3);

#endif
