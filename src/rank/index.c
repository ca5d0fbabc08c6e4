/*
 * index.c — the recent articles' features in memory, for clustering.
 *
 * Articles are held in day buckets (by publication time, UTC days), each
 * with an inverted index from term to the articles holding it, in the
 * order they were added. A new article's candidates are found by walking,
 * in each day of its window, the postings of its QUERY_TERMS rarest heavy
 * terms, POSTINGS_PER_TERM of the newest entries at most: a bounded amount
 * of work however many articles are stored, even when every article holds
 * every word. Days are loaded from the store when first needed and dropped
 * least recently used first when the index outgrows its memory cap; an
 * article stays reachable by id through one hash map.
 *
 * Everything here may be stale (another process deletes an article, or
 * clusters it again): callers check the store before acting on it, once
 * per transaction. Between rank_index_begin() and its commit or rollback
 * the writer holds the write lock, so a story the index read from the
 * store, or was told of, in that transaction is still true
 * (rank_candidate.current). So is one it read or was told of in an
 * earlier transaction when no other connection has committed since
 * (PRAGMA data_version), none rolled back, and its own connection moved
 * no article out of its story but through rank.c, which tells the index
 * (store_story_changes()).
 */
#include "common.h"

#include <math.h>

#include "base/log.h"
#include "rank/internal.h"
#include "store/features.h"
#include "store/stories.h"

/* clang-format off */
enum {
	QUERY_TERMS = 8,	 /* terms whose postings are walked */
	POSTINGS_PER_TERM = 48,	 /* newest postings walked per term and day */
	WINDOW_DAYS = 2 * WINDOW / DAY + 1, /* days a window touches */
	POSTINGS_BOUND = QUERY_TERMS * POSTINGS_PER_TERM * WINDOW_DAYS,
	ACC_SLOTS = 8192,	 /* candidate accumulator, > 2 × the bound */
	DEFAULT_MAX_BYTES = 128 << 20,
};
/* clang-format on */

/* One article as the index holds it. */
struct doc {
	int64_t id;		/* article id */
	int64_t published_at;	/* Unix seconds */
	int64_t story_id;	/* as last known; 0 none */
	uint64_t checked;	/* ix->tx when story_id was last read or
				 * written (0: never in a transaction) */
	bool dead;		/* replaced or forgotten: skip it */
	uint32_t pos;		/* its index in its bucket's docs */
	struct rank_features f; /* its features (owned) */
};

/*
 * What the walk of the postings reads of a doc, in an array beside the
 * bucket's docs: 16 bytes of the few newest docs, which stay in the
 * cache, rather than a cache miss on each doc's own memory.
 */
struct doc_key {
	int64_t id;	      /* article id; 0: the doc is dead */
	int64_t published_at; /* Unix seconds */
};

/*
 * An open-addressing slot: a term and its postings (the articles holding
 * it, oldest first), so that a term's count is one look-up away. The
 * postings grow by doubling from 4 entries.
 */
struct term_slot {
	uint32_t term;	 /* the term hash */
	uint32_t count;	 /* postings; 0: an empty slot */
	uint32_t *items; /* indexes into the bucket's docs */
};

/* The articles of one day. */
struct bucket {
	int64_t day;		 /* days since the epoch */
	struct doc **docs;	 /* count articles, in the order added */
	struct doc_key *keys;	 /* the keys of docs[i] */
	uint32_t count;		 /* articles (dead ones included) */
	uint32_t alloc;		 /* allocated docs */
	uint32_t live;		 /* articles not dead */
	struct term_slot *slots; /* mask + 1 slots */
	uint32_t mask;		 /* slots - 1 (a power of two less one) */
	uint32_t used;		 /* slots in use */
	uint64_t last_used;	 /* ix->clock when last in a window */
	size_t bytes;		 /* memory it holds, approximately */
};

/* A candidate being scored: an article and its term score so far. */
struct acc {
	struct doc *doc; /* NULL: empty slot */
	int64_t id;	 /* the doc's article id */
	double score;	 /* sum of the shared query terms' scores */
};

/*
 * A slot of the transaction's story table: a story's tally (publisher_id
 * 0), or a publisher the transaction stored an article of in the story
 * (t unused). story_id 0: an empty slot.
 */
struct tally_slot {
	int64_t story_id;
	int64_t publisher_id;
	struct rank_tally t;
};

struct rank_index {
	size_t max_bytes;	    /* evict days past this much memory */
	size_t bytes;		    /* memory held, approximately */
	struct bucket **buckets;    /* bucket_count days, in no order */
	size_t bucket_count;	    /* days held */
	size_t bucket_alloc;	    /* allocated buckets */
	struct doc **map;	    /* id -> live doc, open addressing */
	size_t map_mask;	    /* slots - 1 */
	size_t map_used;	    /* live docs in the map */
	int64_t max_seen;	    /* highest article id the index has seen */
	int64_t max_committed;	    /* ...of which committed */
	bool seen_known;	    /* max_seen was read from the store */
	uint64_t clock;		    /* use counter for the LRU order */
	int64_t pin_lo, pin_hi;	    /* days of the window in use: kept */
	int64_t loading_for;	    /* the article whose window is loading */
	int64_t fresh_above;	    /* articles above: this transaction's */
	uint64_t tx;		    /* the open transaction's number; 0: none */
	uint64_t valid_from;	    /* stories checked in this transaction or
				       later are still true */
	int64_t data_version;	    /* the store's at the last begin; 0:
				       unknown (none yet, or a rollback) */
	uint64_t story_changes;	    /* store_story_changes() then */
	uint64_t tx_count;	    /* transactions begun */
	uint64_t bumped_tx;	    /* the transaction that bumped the content
				       version */
	struct store_neighbour *nb; /* neighbour rows not yet stored, in the
				       order recorded */
	size_t nb_count;	    /* rows in nb */
	size_t nb_alloc;	    /* allocated rows */
	struct tally_slot *tallies; /* the transaction's story tallies and
				       publishers, open addressing */
	size_t tally_mask;	    /* slots - 1; tallies NULL: none */
	size_t tally_used;	    /* slots in use */
	size_t tally_stories;	    /* of which tallies */
	struct acc *acc;	    /* ACC_SLOTS accumulator slots */
	uint32_t *acc_used;	    /* slots of acc in use */
	struct rank_index_stats stats;
};

static int64_t
day_of(int64_t t)
{
	return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
}

static size_t
doc_bytes(const struct doc *d)
{
	/* The doc, its arrays, its key and pointer, and one posting (with
	 * slack) per term. */
	return sizeof(*d) + rank_features_bytes(&d->f) + 24 +
	       (size_t)d->f.term_count * 6;
}

struct rank_index *
rank_index_new(size_t max_bytes)
{
	struct rank_index *ix = xcalloc(1, sizeof(*ix));

	ix->max_bytes = max_bytes ? max_bytes : (size_t)DEFAULT_MAX_BYTES;
	ix->map_mask = 1023;
	ix->map = xcalloc(ix->map_mask + 1, sizeof(*ix->map));
	ix->acc = xcalloc(ACC_SLOTS, sizeof(*ix->acc));
	ix->acc_used = xcalloc(ACC_SLOTS, sizeof(*ix->acc_used));
	ix->pin_lo = 1;
	ix->pin_hi = 0;
	ix->fresh_above = INT64_MAX;
	ix->stats.postings_bound = POSTINGS_BOUND;
	return ix;
}

static void
bucket_free(struct bucket *b)
{
	uint32_t i;

	if (!b)
		return;
	for (i = 0; i < b->count; i++) {
		rank_features_release(&b->docs[i]->f);
		free(b->docs[i]);
	}
	for (i = 0; b->slots && i <= b->mask; i++)
		free(b->slots[i].items);
	free(b->docs);
	free(b->keys);
	free(b->slots);
	free(b);
}

void
rank_index_free(struct rank_index *ix)
{
	size_t i;

	if (!ix)
		return;
	for (i = 0; i < ix->bucket_count; i++)
		bucket_free(ix->buckets[i]);
	free(ix->buckets);
	free(ix->map);
	free(ix->acc);
	free(ix->acc_used);
	free(ix->nb);
	free(ix->tallies);
	free(ix);
}

/* ---- The id map ---------------------------------------------------------- */

static size_t
id_slot(int64_t id, size_t mask)
{
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ULL;

	return (size_t)(h >> 20) & mask;
}

static struct doc *
map_find(const struct rank_index *ix, int64_t id)
{
	size_t i = id_slot(id, ix->map_mask);

	for (; ix->map[i]; i = (i + 1) & ix->map_mask)
		if (ix->map[i]->id == id)
			return ix->map[i];
	return NULL;
}

static void
map_insert_slot(struct doc **map, size_t mask, struct doc *d)
{
	size_t i = id_slot(d->id, mask);

	while (map[i])
		i = (i + 1) & mask;
	map[i] = d;
}

/* Rebuilds the map from the live docs, at a size fit for n of them. */
static void
map_rebuild(struct rank_index *ix, size_t n)
{
	size_t mask = 1023, b;
	uint32_t i;

	while (mask + 1 < n * 2 + 2)
		mask = mask * 2 + 1;
	free(ix->map);
	ix->map = xcalloc(mask + 1, sizeof(*ix->map));
	ix->map_mask = mask;
	ix->map_used = 0;
	for (b = 0; b < ix->bucket_count; b++) {
		const struct bucket *bk = ix->buckets[b];

		for (i = 0; i < bk->count; i++) {
			if (bk->docs[i]->dead)
				continue;
			map_insert_slot(ix->map, mask, bk->docs[i]);
			ix->map_used++;
		}
	}
}

/* Adds d, already in its bucket, to the map. */
static void
map_add(struct rank_index *ix, struct doc *d)
{
	if ((ix->map_used + 1) * 2 > ix->map_mask + 1) {
		/* The rebuild finds d in its bucket. */
		map_rebuild(ix, ix->map_used + 1);
		return;
	}
	map_insert_slot(ix->map, ix->map_mask, d);
	ix->map_used++;
}

/* Removes d from the map (linear probing: the run after it moves up). */
static void
map_remove(struct rank_index *ix, const struct doc *d)
{
	size_t mask = ix->map_mask, i = id_slot(d->id, mask), j;

	while (ix->map[i] && ix->map[i] != d)
		i = (i + 1) & mask;
	if (!ix->map[i])
		return;
	ix->map[i] = NULL;
	ix->map_used--;
	for (j = (i + 1) & mask; ix->map[j]; j = (j + 1) & mask) {
		struct doc *moved = ix->map[j];

		ix->map[j] = NULL;
		map_insert_slot(ix->map, mask, moved);
	}
}

/* ---- Buckets ------------------------------------------------------------- */

static struct bucket *
bucket_find(const struct rank_index *ix, int64_t day)
{
	size_t i;

	for (i = 0; i < ix->bucket_count; i++)
		if (ix->buckets[i]->day == day)
			return ix->buckets[i];
	return NULL;
}

/* The slot of term in b, or NULL. */
static const struct term_slot *
bucket_postings(const struct bucket *b, uint32_t term)
{
	uint32_t i;

	if (!b->slots)
		return NULL;
	for (i = term & b->mask; b->slots[i].count; i = (i + 1) & b->mask)
		if (b->slots[i].term == term)
			return &b->slots[i];
	return NULL;
}

static void
slots_grow(struct bucket *b)
{
	uint32_t mask = b->slots ? b->mask * 2 + 1 : 255, i, k;
	struct term_slot *slots = xcalloc((size_t)mask + 1, sizeof(*slots));

	for (i = 0; b->slots && i <= b->mask; i++) {
		if (!b->slots[i].count)
			continue;
		for (k = b->slots[i].term & mask; slots[k].count;
		     k = (k + 1) & mask)
			;
		slots[k] = b->slots[i];
	}
	b->bytes += ((size_t)mask + 1 - (b->slots ? b->mask + 1 : 0)) *
		    sizeof(*slots);
	free(b->slots);
	b->slots = slots;
	b->mask = mask;
}

/* Appends doc index pos to the postings of term in b. */
static void
bucket_post(struct bucket *b, uint32_t term, uint32_t pos)
{
	struct term_slot *slot;
	uint32_t i;

	if (!b->slots || (b->used + 1) * 4 > (b->mask + 1) * 3)
		slots_grow(b);
	for (i = term & b->mask; b->slots[i].count; i = (i + 1) & b->mask)
		if (b->slots[i].term == term)
			break;
	slot = &b->slots[i];
	if (!slot->count) {
		slot->term = term;
		slot->items = xmallocarray(4, sizeof(*slot->items));
		b->used++;
	} else if (slot->count >= 4 && !(slot->count & (slot->count - 1))) {
		/* Full: a power of two of 4 or more entries. */
		slot->items =
			xreallocarray(slot->items, (size_t)slot->count * 2,
				      sizeof(*slot->items));
	}
	slot->items[slot->count++] = pos;
}

static struct bucket *
bucket_new(struct rank_index *ix, int64_t day)
{
	struct bucket *b = xcalloc(1, sizeof(*b));

	b->day = day;
	b->bytes = sizeof(*b);
	if (ix->bucket_count == ix->bucket_alloc) {
		ix->bucket_alloc = ix->bucket_alloc ? ix->bucket_alloc * 2 : 16;
		ix->buckets = xreallocarray(ix->buckets, ix->bucket_alloc,
					    sizeof(*ix->buckets));
	}
	ix->buckets[ix->bucket_count++] = b;
	ix->bytes += b->bytes;
	return b;
}

/* Adds a doc (taking it) to b and its terms' postings. */
static void
bucket_add(struct rank_index *ix, struct bucket *b, struct doc *d)
{
	size_t before = b->bytes, i;

	if (b->count == b->alloc) {
		b->alloc = b->alloc ? b->alloc * 2 : 64;
		b->docs = xreallocarray(b->docs, b->alloc, sizeof(*b->docs));
		b->keys = xreallocarray(b->keys, b->alloc, sizeof(*b->keys));
	}
	d->pos = b->count;
	b->docs[b->count] = d;
	b->keys[b->count].id = d->id;
	b->keys[b->count].published_at = d->published_at;
	for (i = 0; i < d->f.term_count; i++)
		bucket_post(b, d->f.terms[i], b->count);
	b->count++;
	b->live++;
	b->bytes += doc_bytes(d);
	ix->bytes += b->bytes - before;
	map_add(ix, d);
}

static void
doc_kill(struct rank_index *ix, struct doc *d)
{
	size_t i;

	if (d->dead)
		return;
	map_remove(ix, d);
	d->dead = true;
	for (i = 0; i < ix->bucket_count; i++) {
		struct bucket *b = ix->buckets[i];

		if (b->day == day_of(d->published_at)) {
			b->live--;
			b->keys[d->pos].id = 0;
			break;
		}
	}
}

/* Drops the least recently used day outside the pinned window; false
 * when there is none to drop. */
static bool
evict_one(struct rank_index *ix)
{
	size_t i, victim = SIZE_MAX;

	for (i = 0; i < ix->bucket_count; i++) {
		const struct bucket *b = ix->buckets[i];

		if (b->day >= ix->pin_lo && b->day <= ix->pin_hi)
			continue;
		if (victim == SIZE_MAX ||
		    b->last_used < ix->buckets[victim]->last_used)
			victim = i;
	}
	if (victim == SIZE_MAX)
		return false;
	ix->bytes -= MIN(ix->bytes, ix->buckets[victim]->bytes);
	log_debug("rank: index drops day %" PRId64 " (%u articles)",
		  ix->buckets[victim]->day, ix->buckets[victim]->count);
	bucket_free(ix->buckets[victim]);
	ix->buckets[victim] = ix->buckets[--ix->bucket_count];
	ix->stats.evictions++;
	map_rebuild(ix, ix->map_used);
	return true;
}

static void
enforce_cap(struct rank_index *ix)
{
	while (ix->bytes > ix->max_bytes && evict_one(ix))
		;
}

/*
 * Adds an article to its day's bucket when that day is held, replacing
 * what the index held of it. Takes f's content (f is left empty).
 */
static void
index_add(struct rank_index *ix, int64_t id, int64_t published_at,
	  int64_t story_id, struct rank_features *f)
{
	struct bucket *b = bucket_find(ix, day_of(published_at));
	struct doc *old = map_find(ix, id), *d;

	if (old)
		doc_kill(ix, old);
	if (id > ix->max_seen)
		ix->max_seen = id;
	if (!b)
		return;
	d = xcalloc(1, sizeof(*d));
	d->id = id;
	d->published_at = published_at;
	d->story_id = story_id;
	d->checked = ix->tx;
	d->f = *f;
	rank_features_init(f);
	bucket_add(ix, b, d);
}

/* ---- Loading ------------------------------------------------------------- */

/* What a load callback needs. */
struct load_ctx {
	struct rank_index *ix;
	bool only_held; /* refresh: skip rows whose day is not held */
};

static enum status
load_row(void *ctx, int64_t id, int64_t published_at, int64_t story_id,
	 const void *blob, size_t len)
{
	struct load_ctx *lc = ctx;
	struct rank_features f;

	if (id > lc->ix->max_seen)
		lc->ix->max_seen = id;
	if (lc->only_held && !bucket_find(lc->ix, day_of(published_at)))
		return ST_OK;
	rank_features_init(&f);
	if (rank_features_decode(blob, len, &f)) {
		log_warn(ST_PARSE, "rank: article %" PRId64 ": bad features",
			 id);
		return ST_OK;
	}
	index_add(lc->ix, id, published_at, story_id, &f);
	rank_features_release(&f);
	return ST_OK;
}

/* Computes, saves and adds the features of a stored article. */
static enum status
make_features(struct rank_index *ix, struct store *s, int64_t id)
{
	struct rank_features f;
	struct buf blob = BUF_INIT;
	struct article a;
	enum status rc;

	rc = store_story_article(s, id, &a);
	if (rc == ST_NOTFOUND)
		return ST_OK;
	if (rc)
		return rc;
	rank_features_init(&f);
	rank_features_build(&f, a.title,
			    a.body_text && *a.body_text ? a.body_text
							: a.summary);
	rank_features_encode(&f, &blob);
	rc = blob.err ? blob.err
		      : store_features_put(s, id, a.published_at, blob.data,
					   blob.len);
	if (!rc) {
		index_add(ix, id, a.published_at, a.story_id, &f);
		ix->stats.features_made++;
	}
	rank_features_release(&f);
	buf_release(&blob);
	article_release(&a);
	return rc;
}

static enum status
load_day(struct rank_index *ix, struct store *s, int64_t day)
{
	struct load_ctx lc = {.ix = ix};
	int64_t *missing = NULL;
	size_t n_missing = 0, i;
	enum status rc;

	bucket_new(ix, day);
	ix->stats.day_loads++;
	rc = store_features_between(s, day * DAY, day * DAY + DAY - 1, load_row,
				    &lc);
	if (!rc)
		rc = store_features_missing(s, day * DAY, day * DAY + DAY - 1,
					    &missing, &n_missing);
	/* The article being clustered brings its own, and so do the others
	 * stored in this transaction (ingest clusters them next). */
	for (i = 0; !rc && i < n_missing; i++)
		if (missing[i] != ix->loading_for &&
		    missing[i] <= ix->fresh_above)
			rc = make_features(ix, s, missing[i]);
	free(missing);
	if (n_missing > 100)
		log_info("rank: features computed for %zu articles of day "
			 "%" PRId64,
			 n_missing, day);
	return rc;
}

enum status
rank_index_load_window(struct rank_index *ix, struct store *s, int64_t t,
		       int64_t article_id)
{
	int64_t lo = day_of(t - WINDOW), hi = day_of(t + WINDOW), day;
	size_t before = ix->bucket_count;
	enum status rc = ST_OK;

	ix->clock++;
	ix->loading_for = article_id;
	ix->pin_lo = lo;
	ix->pin_hi = hi;
	for (day = lo; !rc && day <= hi; day++) {
		struct bucket *b = bucket_find(ix, day);

		if (!b) {
			rc = load_day(ix, s, day);
			b = bucket_find(ix, day);
		}
		if (b)
			b->last_used = ix->clock;
	}
	if (rc) {
		/* A day half loaded would hide articles: drop what this call
		 * loaded (new days are at the end; nothing was evicted). */
		while (ix->bucket_count > before) {
			struct bucket *b = ix->buckets[--ix->bucket_count];

			ix->bytes -= MIN(ix->bytes, b->bytes);
			bucket_free(b);
		}
		map_rebuild(ix, ix->map_used);
		return rc;
	}
	enforce_cap(ix);
	return ST_OK;
}

/* ---- Story tallies ------------------------------------------------------- */

static size_t
tally_slot_of(int64_t story_id, int64_t publisher_id, size_t mask)
{
	uint64_t h = (uint64_t)story_id * 0x9E3779B97F4A7C15ULL ^
		     (uint64_t)publisher_id * 0xC2B2AE3D27D4EB4FULL;

	return (size_t)(h >> 20) & mask;
}

/* Empties the transaction's story table (its memory is kept). */
static void
tallies_clear(struct rank_index *ix)
{
	if (ix->tally_used)
		memset(ix->tallies, 0,
		       (ix->tally_mask + 1) * sizeof(*ix->tallies));
	ix->tally_used = ix->tally_stories = 0;
}

static struct tally_slot *
tally_find(const struct rank_index *ix, int64_t story_id, int64_t publisher_id)
{
	size_t i;

	if (!ix->tallies)
		return NULL;
	for (i = tally_slot_of(story_id, publisher_id, ix->tally_mask);
	     ix->tallies[i].story_id; i = (i + 1) & ix->tally_mask)
		if (ix->tallies[i].story_id == story_id &&
		    ix->tallies[i].publisher_id == publisher_id)
			return &ix->tallies[i];
	return NULL;
}

/* Puts slot into the table at its place (there is room). */
static struct tally_slot *
tally_place(struct rank_index *ix, const struct tally_slot *slot)
{
	size_t i;

	for (i = tally_slot_of(slot->story_id, slot->publisher_id,
			       ix->tally_mask);
	     ix->tallies[i].story_id; i = (i + 1) & ix->tally_mask)
		;
	ix->tallies[i] = *slot;
	return &ix->tallies[i];
}

/* Adds an empty slot for (story_id, publisher_id), the table at most
 * half full. */
static struct tally_slot *
tally_add(struct rank_index *ix, int64_t story_id, int64_t publisher_id)
{
	struct tally_slot *old = ix->tallies, slot = {0};
	size_t old_mask = ix->tally_mask, mask = 63, i;

	if (!old || (ix->tally_used + 1) * 2 > old_mask + 1) {
		while (mask + 1 < (ix->tally_used + 1) * 4)
			mask = mask * 2 + 1;
		ix->tallies = xcalloc(mask + 1, sizeof(*ix->tallies));
		ix->tally_mask = mask;
		for (i = 0; old && i <= old_mask; i++)
			if (old[i].story_id)
				tally_place(ix, &old[i]);
		free(old);
	}
	slot.story_id = story_id;
	slot.publisher_id = publisher_id;
	ix->tally_used++;
	return tally_place(ix, &slot);
}

struct rank_tally *
rank_index_tally(struct rank_index *ix, int64_t story_id, bool *added)
{
	struct tally_slot *t;

	*added = false;
	if (!ix->tx || !story_id)
		return NULL;
	t = tally_find(ix, story_id, 0);
	if (t)
		return &t->t;
	*added = true;
	ix->tally_stories++;
	return &tally_add(ix, story_id, 0)->t;
}

void
rank_index_tally_drop(struct rank_index *ix, int64_t story_id)
{
	struct tally_slot *t = tally_find(ix, story_id, 0);
	size_t mask = ix->tally_mask, j;

	if (!t)
		return;
	/* Linear probing: the run after the slot goes in again. */
	memset(t, 0, sizeof(*t));
	ix->tally_used--;
	ix->tally_stories--;
	for (j = ((size_t)(t - ix->tallies) + 1) & mask;
	     ix->tallies[j].story_id; j = (j + 1) & mask) {
		struct tally_slot moved = ix->tallies[j];

		memset(&ix->tallies[j], 0, sizeof(moved));
		tally_place(ix, &moved);
	}
}

bool
rank_index_story_has_publisher(const struct rank_index *ix, int64_t story_id,
			       int64_t publisher_id)
{
	return publisher_id && tally_find(ix, story_id, publisher_id);
}

void
rank_index_story_add_publisher(struct rank_index *ix, int64_t story_id,
			       int64_t publisher_id)
{
	if (ix->tx && story_id && publisher_id &&
	    !tally_find(ix, story_id, publisher_id))
		tally_add(ix, story_id, publisher_id);
}

static int
tally_cmp(const void *pa, const void *pb)
{
	const struct tally_slot *a = pa, *b = pb;

	return a->story_id < b->story_id ? -1 : a->story_id > b->story_id;
}

/* Writes the transaction's tallies, by story id, and empties the table. */
static enum status
tallies_flush(struct rank_index *ix, struct store *s)
{
	struct tally_slot *all;
	size_t n = 0, i;
	enum status rc = ST_OK;

	if (!ix->tally_stories) {
		tallies_clear(ix);
		return ST_OK;
	}
	all = xmallocarray(ix->tally_stories, sizeof(*all));
	for (i = 0; i <= ix->tally_mask; i++)
		if (ix->tallies[i].story_id && !ix->tallies[i].publisher_id)
			all[n++] = ix->tallies[i];
	qsort(all, n, sizeof(*all), tally_cmp);
	for (i = 0; !rc && i < n; i++)
		rc = store_story_save_counts(s, all[i].story_id, &all[i].t.c,
					     all[i].t.score);
	free(all);
	/* Written (what follows in the transaction reads it back), or the
	 * transaction is to be rolled back. */
	tallies_clear(ix);
	return rc;
}

enum status
rank_index_begin(struct rank_index *ix, struct store *s)
{
	struct load_ctx lc = {.ix = ix, .only_held = true};
	int64_t version;
	enum status rc;

	/* The writer holds the database's write lock until the commit:
	 * what the index reads or writes from here on stays true until
	 * then. */
	ix->tx = ++ix->tx_count;
	version = store_data_version(s);
	if (!ix->data_version || version != ix->data_version ||
	    store_story_changes(s) != ix->story_changes) {
		/* Another connection committed, this one moved articles out
		 * of their stories other than through clustering, or rolled
		 * back: each story the index holds is read again once. */
		ix->valid_from = ix->tx;
		ix->stats.revalidations++;
	}
	ix->story_changes = store_story_changes(s);
	ix->data_version = version;
	if (!ix->seen_known) {
		/* A new index holds no day yet: everything up to here is
		 * loaded with its day. */
		rc = store_features_max_id(s, &ix->max_seen);
		if (rc)
			return rc;
		ix->seen_known = true;
	} else if (ix->bucket_count) {
		rc = store_features_after(s, ix->max_seen, load_row, &lc);
		if (rc)
			return rc;
	} else {
		rc = store_features_max_id(s, &ix->max_seen);
		if (rc)
			return rc;
	}
	ix->max_committed = ix->max_seen;
	rc = store_features_last_article(s, &ix->fresh_above);
	if (rc)
		return rc;
	enforce_cap(ix);
	return ST_OK;
}

void
rank_index_commit(struct rank_index *ix)
{
	ix->max_committed = ix->max_seen;
	ix->fresh_above = INT64_MAX;
	ix->tx = 0;
	if (ix->nb_count)
		log_warn(ST_INTERNAL,
			 "rank: %zu neighbour rows dropped (no flush)",
			 ix->nb_count);
	ix->nb_count = 0;
	if (ix->tally_stories)
		log_warn(ST_INTERNAL,
			 "rank: %zu stories' counters dropped (no flush)",
			 ix->tally_stories);
	tallies_clear(ix);
}

void
rank_index_rollback(struct rank_index *ix)
{
	size_t b;
	uint32_t i;

	for (b = 0; b < ix->bucket_count; b++) {
		struct bucket *bk = ix->buckets[b];

		for (i = 0; i < bk->count; i++)
			if (bk->docs[i]->id > ix->max_committed)
				doc_kill(ix, bk->docs[i]);
	}
	ix->max_seen = ix->max_committed;
	ix->fresh_above = INT64_MAX;
	ix->tx = 0;
	/* Stories the transaction told the index of were rolled back. */
	ix->data_version = 0;
	ix->nb_count = 0;
	tallies_clear(ix);
}

static void
nb_push(struct rank_index *ix, int64_t a, int64_t b, double score)
{
	if (ix->nb_count == ix->nb_alloc) {
		ix->nb_alloc = ix->nb_alloc ? ix->nb_alloc * 2 : 1024;
		ix->nb = xreallocarray(ix->nb, ix->nb_alloc, sizeof(*ix->nb));
	}
	ix->nb[ix->nb_count].article_id = a;
	ix->nb[ix->nb_count].neighbour_id = b;
	ix->nb[ix->nb_count].score = score;
	ix->nb_count++;
}

enum status
rank_index_neighbours_add(struct rank_index *ix, struct store *s,
			  int64_t article_id, int64_t neighbour_id,
			  double score)
{
	if (!ix->tx)
		return store_neighbours_add(s, article_id, neighbour_id, score);
	nb_push(ix, article_id, neighbour_id, score);
	nb_push(ix, neighbour_id, article_id, score);
	return ST_OK;
}

/* Byte `byte` of the row's article (key 1) or neighbour (key 0) id's
 * offset from lo, the batch's smallest id: offsets order as ids do. */
static unsigned
nb_digit(const struct store_neighbour *r, int key, int byte, int64_t lo)
{
	uint64_t off = (uint64_t)(key ? r->article_id : r->neighbour_id) -
		       (uint64_t)lo;

	return (unsigned)((off >> (8 * byte)) & 0xff);
}

/*
 * Sorts the rows by article, then neighbour, each pair in the order
 * recorded: a stable radix sort, a byte at a time from the least
 * significant, the neighbour's bytes and then the article's, of each id's
 * offset from the smallest. A batch records tens of thousands of rows, and
 * qsort() with a comparison call per step took a few per cent of the
 * writer's time on the refresh.
 */
static void
nb_sort(struct rank_index *ix)
{
	size_t n = ix->nb_count, i, c;
	struct store_neighbour *tmp = xmallocarray(n, sizeof(*tmp)),
			       *from = ix->nb, *to = tmp, *swap;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	uint64_t range;
	int key, byte, bytes = 0;

	for (i = 0; i < n; i++) {
		const struct store_neighbour *r = &ix->nb[i];

		lo = MIN(lo, MIN(r->article_id, r->neighbour_id));
		hi = MAX(hi, MAX(r->article_id, r->neighbour_id));
	}
	/* Any two int64s: the difference fits in 64 unsigned bits. */
	range = (uint64_t)hi - (uint64_t)lo;
	while (bytes < 8 && range >> (8 * bytes))
		bytes++;
	for (key = 0; key < 2; key++) {
		for (byte = 0; byte < bytes; byte++) {
			size_t count[256] = {0}, at = 0;

			for (i = 0; i < n; i++)
				count[nb_digit(&from[i], key, byte, lo)]++;
			for (c = 0; c < 256; c++) {
				size_t here = count[c];

				count[c] = at;
				at += here;
			}
			for (i = 0; i < n; i++)
				to[count[nb_digit(&from[i], key, byte, lo)]++] =
					from[i];
			swap = from;
			from = to;
			to = swap;
		}
	}
	if (from != ix->nb)
		memcpy(ix->nb, from, n * sizeof(*from));
	free(tmp);
}

enum status
rank_index_flush(struct rank_index *ix, struct store *s)
{
	struct store_neighbour *rows = ix->nb;
	size_t i, n = 0;
	enum status rc = tallies_flush(ix, s);

	if (rc || !ix->nb_count)
		return rc;
	/* In key order, each pair once (the first recorded, as when each
	 * was stored at once and OR IGNORE kept the first). */
	nb_sort(ix);
	for (i = 0; i < ix->nb_count; i++)
		if (!n || rows[i].article_id != rows[n - 1].article_id ||
		    rows[i].neighbour_id != rows[n - 1].neighbour_id)
			rows[n++] = rows[i];
	rc = store_neighbours_put(s, rows, n);
	ix->nb_count = 0;
	return rc;
}

/* ---- Queries ------------------------------------------------------------- */

const struct rank_features *
rank_index_features(struct rank_index *ix, int64_t article_id)
{
	struct doc *d = map_find(ix, article_id);

	return d ? &d->f : NULL;
}

void
rank_index_put(struct rank_index *ix, int64_t article_id, int64_t published_at,
	       int64_t story_id, const struct rank_features *f)
{
	struct doc *d = map_find(ix, article_id);
	struct rank_features copy;

	if (!f || (d && &d->f == f)) {
		if (d) {
			d->story_id = story_id;
			d->checked = ix->tx;
		}
		if (article_id > ix->max_seen)
			ix->max_seen = article_id;
		return;
	}
	rank_features_init(&copy);
	rank_features_copy(&copy, f);
	index_add(ix, article_id, published_at, story_id, &copy);
	rank_features_release(&copy);
	enforce_cap(ix);
}

enum status
rank_index_story_of(struct rank_index *ix, struct store *s,
		    const struct rank_candidate *c, int64_t *story)
{
	enum status rc;

	if (c->current) {
		*story = c->story_id;
		return ST_OK;
	}
	ix->stats.stories_read++;
	rc = store_story_of_article(s, c->article_id, story);
	if (rc == ST_NOTFOUND)
		rank_index_forget(ix, c->article_id);
	else if (!rc)
		rank_index_put(ix, c->article_id, c->published_at, *story,
			       NULL);
	return rc;
}

void
rank_index_forget(struct rank_index *ix, int64_t article_id)
{
	struct doc *d = map_find(ix, article_id);

	if (d)
		doc_kill(ix, d);
}

size_t
rank_index_assigned(const struct rank_index *ix)
{
	return ix->stats.assigned;
}

bool
rank_index_claim_bump(struct rank_index *ix)
{
	if (ix->tx && ix->bumped_tx == ix->tx)
		return false;
	ix->bumped_tx = ix->tx;
	return true;
}

void
rank_index_count_assign(struct rank_index *ix, uint64_t cpu_ns)
{
	ix->stats.assigned++;
	ix->stats.assign_ns += cpu_ns;
}

/* A query term: a term of the new article and how much it says. */
struct query_term {
	uint32_t term; /* the hash */
	double score;  /* weight × idf in the window */
};

static struct acc *
acc_slot(struct rank_index *ix, struct doc *d, int64_t id, size_t *used)
{
	uintptr_t h = (uintptr_t)d;
	size_t i = (size_t)((h >> 4) * 0x9E3779B1u) & (ACC_SLOTS - 1);

	while (ix->acc[i].doc && ix->acc[i].doc != d)
		i = (i + 1) & (ACC_SLOTS - 1);
	if (!ix->acc[i].doc) {
		ix->acc[i].doc = d;
		ix->acc[i].id = id;
		ix->acc[i].score = 0;
		ix->acc_used[(*used)++] = (uint32_t)i;
	}
	return &ix->acc[i];
}

/* The first of the POSTINGS_PER_TERM newest entries of p. */
static uint32_t
newest_from(const struct term_slot *p)
{
	return p->count > POSTINGS_PER_TERM ? p->count - POSTINGS_PER_TERM : 0;
}

static bool
acc_better(const struct acc *x, const struct acc *y)
{
	if (x->score != y->score)
		return x->score > y->score;
	return x->id > y->id;
}

/*
 * The postings of each query term in each day (NULL: none), whose newest
 * entries, and then the keys those point at, are asked for before any is
 * read: a few hundred cache misses that overlap rather than follow one
 * another.
 */
static void
find_postings(struct bucket *const *days, size_t n_days,
	      const struct query_term *q, size_t n_q,
	      const struct term_slot *lists[][WINDOW_DAYS])
{
	size_t i, k;
	uint32_t j;

	for (i = 0; i < n_q; i++) {
		for (k = 0; k < n_days; k++) {
			const struct term_slot *p =
				bucket_postings(days[k], q[i].term);

			lists[i][k] = p;
			for (j = p ? newest_from(p) : 0; p && j < p->count;
			     j += 16)
				__builtin_prefetch(p->items + j);
		}
	}
	for (i = 0; i < n_q; i++) {
		for (k = 0; k < n_days; k++) {
			const struct term_slot *p = lists[i][k];

			for (j = p ? newest_from(p) : 0; p && j < p->count; j++)
				__builtin_prefetch(&days[k]->keys[p->items[j]]);
		}
	}
}

size_t
rank_index_candidates(struct rank_index *ix, const struct rank_features *f,
		      int64_t self_id, int64_t t, struct rank_candidate *out,
		      size_t max)
{
	int64_t lo = day_of(t - WINDOW), hi = day_of(t + WINDOW), day;
	struct bucket *days[WINDOW_DAYS];
	struct query_term q[QUERY_TERMS];
	const struct term_slot *lists[QUERY_TERMS][WINDOW_DAYS];
	struct acc best[64];
	size_t n_days = 0, n_q = 0, used = 0, walked = 0, n_best = 0, i, k;
	double docs = 0;

	max = MIN(max, ARRAY_SIZE(best));
	for (day = lo; day <= hi && n_days < WINDOW_DAYS; day++) {
		struct bucket *b = bucket_find(ix, day);

		if (b) {
			days[n_days++] = b;
			docs += b->live;
		}
	}
	/* The query: the terms with the highest weight × idf, where the
	 * idf comes from the window's document frequencies. The slots are
	 * asked for first, so that their cache misses overlap. */
	for (k = 0; k < n_days; k++)
		for (i = 0; days[k]->slots && i < f->term_count; i++)
			__builtin_prefetch(
				&days[k]->slots[f->terms[i] & days[k]->mask]);
	for (i = 0; i < f->term_count; i++) {
		double df = 0, score;

		for (k = 0; k < n_days; k++) {
			const struct term_slot *p =
				bucket_postings(days[k], f->terms[i]);

			df += p ? p->count : 0;
		}
		if (df <= 0)
			continue;
		score = f->weights[i] * log(1.0 + docs / df);
		if (n_q == QUERY_TERMS && score <= q[n_q - 1].score)
			continue;
		k = n_q < QUERY_TERMS ? n_q++ : n_q - 1;
		while (k > 0 && score > q[k - 1].score) {
			q[k] = q[k - 1];
			k--;
		}
		q[k].term = f->terms[i];
		q[k].score = score;
	}
	find_postings(days, n_days, q, n_q, lists);
	/* Walk the newest postings of each, newest first. */
	for (i = 0; i < n_q; i++) {
		for (k = 0; k < n_days; k++) {
			const struct bucket *b = days[k];
			const struct term_slot *p = lists[i][k];
			uint32_t j;

			for (j = p ? p->count : 0; p && j-- > newest_from(p);) {
				uint32_t at = p->items[j];
				const struct doc_key *key = &b->keys[at];
				int64_t apart = key->published_at - t;

				walked++;
				if (!key->id || key->id == self_id ||
				    apart > WINDOW || apart < -WINDOW)
					continue;
				acc_slot(ix, b->docs[at], key->id, &used)
					->score += q[i].score;
			}
		}
	}
	/* The best max by score, then clear the accumulator. */
	for (i = 0; i < used; i++) {
		struct acc *a = &ix->acc[ix->acc_used[i]];

		if (max && (n_best < max || acc_better(a, &best[n_best - 1]))) {
			k = n_best < max ? n_best++ : n_best - 1;
			while (k > 0 && acc_better(a, &best[k - 1])) {
				best[k] = best[k - 1];
				k--;
			}
			best[k] = *a;
		}
	}
	for (i = 0; i < used; i++)
		ix->acc[ix->acc_used[i]].doc = NULL;
	for (i = 0; i < n_best; i++) {
		out[i].article_id = best[i].doc->id;
		out[i].published_at = best[i].doc->published_at;
		out[i].story_id = best[i].doc->story_id;
		out[i].current =
			ix->tx && best[i].doc->checked >= ix->valid_from;
		out[i].features = &best[i].doc->f;
	}
	ix->stats.postings_walked += walked;
	ix->stats.postings_max = MAX(ix->stats.postings_max, walked);
	ix->stats.candidates_max = MAX(ix->stats.candidates_max, n_best);
	return n_best;
}

void
rank_index_stats(const struct rank_index *ix, struct rank_index_stats *out)
{
	*out = ix->stats;
	out->articles = ix->map_used;
	out->days = ix->bucket_count;
	out->bytes = ix->bytes;
}
