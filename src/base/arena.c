#include "common.h"

#include "base/arena.h"

enum { ARENA_BLOCK = 16 * 1024, ARENA_ALIGN = 16 };

struct arena_block {
	struct arena_block *next; /* the block allocated before this one */
	size_t size;		  /* usable bytes in data */
	size_t used;		  /* bytes handed out from data */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

void
arena_init(struct arena *a, size_t max)
{
	a->head = NULL;
	a->used = 0;
	a->max = max;
}

void
arena_release(struct arena *a)
{
	struct arena_block *blk = a->head, *next;

	while (blk) {
		next = blk->next;
		free(blk);
		blk = next;
	}
	arena_init(a, a->max);
}

void *
arena_alloc(struct arena *a, size_t size)
{
	struct arena_block *blk = a->head;
	size_t aligned =
		st_add(size, ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (!aligned)
		aligned = ARENA_ALIGN;
	if (!blk || blk->size - blk->used < aligned) {
		size_t bsize =
			aligned > ARENA_BLOCK / 4 ? aligned : ARENA_BLOCK;

		if (blk && aligned > ARENA_BLOCK / 4) {
			/* A large piece gets its own block behind the head,
			 * so the head's free space is not wasted. */
			struct arena_block *big =
				xmalloc(st_add(sizeof(*big), bsize));
			big->size = bsize;
			big->used = aligned;
			big->next = blk->next;
			blk->next = big;
			a->used += aligned;
			return big->data;
		}
		blk = xmalloc(st_add(sizeof(*blk), bsize));
		blk->size = bsize;
		blk->used = 0;
		blk->next = a->head;
		a->head = blk;
	}
	p = blk->data + blk->used;
	blk->used += aligned;
	a->used += aligned;
	return p;
}

void *
arena_alloc_capped(struct arena *a, size_t size)
{
	if (a->max && (size > a->max || a->used > a->max - size))
		return NULL;
	return arena_alloc(a, size);
}

void *
arena_calloc(struct arena *a, size_t count, size_t size)
{
	size_t total = st_mult(count, size);
	void *p = arena_alloc(a, total);

	memset(p, 0, total);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, st_add(len, 1));

	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return arena_strdup(a, "");
	p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
