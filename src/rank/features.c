/*
 * features.c — an article's features for clustering: building them from
 * text once, their stored form, and the similarity of two articles
 * computed from features alone (no tokenising at comparison time).
 */
#include "common.h"

#include <math.h>

#include "base/log.h"
#include "rank/internal.h"
#include "text/text.h"

/* clang-format off */
#define TITLE_WEIGHT	 0.3  /* share of title overlap in similarity */
#define TEXT_WEIGHT	 0.7  /* share of text cosine in similarity */
#define NEAR_COPY_SCORE	 0.95 /* similarity given to near copies */
#define MIN_SHARED_NAMES 2    /* fewer shared names halve the similarity */
#define FRESH_HOURS	 12.0 /* articles this close in time count fully */
#define STALE_PENALTY	 0.3  /* similarity lost at the window's edge */

enum {
	BLOB_VERSION = 1,
	BLOB_HEADER = 20,	 /* version, 0, terms, title, 0 (u16), fp, norm */
	MAX_TERMS = 4096,	 /* terms kept at most (a 1,000-char opening
				  * has a few hundred at worst) */
	WORD_END_MAX = 64,	 /* the opening ends at a word's end, this
				  * many bytes further at most */
};
/* clang-format on */

void
rank_features_init(struct rank_features *f)
{
	memset(f, 0, sizeof(*f));
}

void
rank_features_release(struct rank_features *f)
{
	if (!f)
		return;
	free(f->mem);
	rank_features_init(f);
}

static size_t
features_size(uint32_t terms, uint32_t title)
{
	return (size_t)terms * (sizeof(uint32_t) + sizeof(float)) +
	       (size_t)title * sizeof(uint32_t) + ((size_t)terms + 7) / 8;
}

size_t
rank_features_bytes(const struct rank_features *f)
{
	return features_size(f->term_count, f->title_count);
}

/* Sizes f's arrays for terms and title entries (content undefined but
 * the names bitmap, zeroed). */
static void
features_alloc(struct rank_features *f, uint32_t terms, uint32_t title)
{
	char *p;

	free(f->mem);
	f->mem = xmalloc(MAX(features_size(terms, title), (size_t)1));
	p = f->mem;
	f->terms = (uint32_t *)(void *)p;
	p += (size_t)terms * sizeof(uint32_t);
	f->weights = (float *)(void *)p;
	p += (size_t)terms * sizeof(float);
	f->title = (uint32_t *)(void *)p;
	p += (size_t)title * sizeof(uint32_t);
	f->names = (uint8_t *)p;
	memset(f->names, 0, ((size_t)terms + 7) / 8);
	f->term_count = terms;
	f->title_count = title;
}

void
rank_features_copy(struct rank_features *dst, const struct rank_features *src)
{
	features_alloc(dst, src->term_count, src->title_count);
	memcpy(dst->mem, src->mem,
	       features_size(src->term_count, src->title_count));
	dst->fingerprint = src->fingerprint;
	dst->norm = src->norm;
}

/* Bytes of s that hold its first chars characters, carried on to the end
 * of the word they stop in. */
static size_t
lead_bytes(const char *s, size_t chars)
{
	size_t i = 0, extra = 0;

	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (!chars)
				break;
			chars--;
		}
	}
	while (s[i] && extra < WORD_END_MAX &&
	       ((unsigned char)s[i] >= 0x80 ||
		((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') ||
		(s[i] >= '0' && s[i] <= '9'))) {
		i++;
		extra++;
	}
	/* Never end inside a UTF-8 sequence. */
	while (i && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

static int
u32_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return a < b ? -1 : a > b;
}

/* 32 bits of a term hash: the high half, so that the order of the 64-bit
 * hashes (text_vec's) is kept. */
static uint32_t
short_hash(uint64_t h)
{
	return (uint32_t)(h >> 32);
}

void
rank_features_build(struct rank_features *f, const char *title,
		    const char *text)
{
	const int flags = TEXT_STOPWORDS | TEXT_STEM;
	struct text_tokens t, view;
	struct text_vec v;
	size_t title_n, vec_n, lead, i, n, body_n;
	uint32_t *title_hashes;
	double sum = 0;

	title = title ? title : "";
	text = text ? text : "";
	text_tokens_init(&t);
	/* Room for what the pass below keeps of a usual article (the title,
	 * about LEAD_CHARS of text and FINGERPRINT_TOKENS words), rather
	 * than growing from nothing by doubling. */
	t.alloc = FINGERPRINT_TOKENS + 256;
	t.items = xmallocarray(t.alloc, sizeof(*t.items));
	t.bytes_alloc = t.alloc * 16;
	t.bytes = xmalloc(t.bytes_alloc);
	text_vec_init(&v);
	/* One pass over the text: the title, the opening (the vector), then
	 * on to FINGERPRINT_TOKENS words of body (the simhash). */
	title_n = text_tokenize(&t, title, strlen(title), flags, 0);
	lead = lead_bytes(text, LEAD_CHARS);
	text_tokenize(&t, text, lead, flags, 0);
	vec_n = t.count;
	if (vec_n - title_n < FINGERPRINT_TOKENS)
		text_tokenize(&t, text + lead, strlen(text + lead), flags,
			      title_n + FINGERPRINT_TOKENS);
	view = t;
	view.count = vec_n;
	text_vec_build(&v, &view, NULL);

	title_hashes = xmallocarray(title_n + 1, sizeof(*title_hashes));
	for (i = 0; i < title_n; i++)
		title_hashes[i] = short_hash(t.items[i].hash);
	qsort(title_hashes, title_n, sizeof(*title_hashes), u32_cmp);
	for (i = n = 0; i < title_n; i++)
		if (!n || title_hashes[n - 1] != title_hashes[i])
			title_hashes[n++] = title_hashes[i];

	features_alloc(f, (uint32_t)MIN(v.count, (size_t)MAX_TERMS),
		       (uint32_t)n);
	memcpy(f->title, title_hashes, n * sizeof(*title_hashes));
	free(title_hashes);
	/* v is sorted by 64-bit hash, so by its high half too; two terms
	 * whose halves collide become one (the heavier, a name if either). */
	for (i = n = 0; i < v.count && n < f->term_count; i++) {
		uint32_t h = short_hash(v.terms[i].hash);
		float w = v.terms[i].weight;
		bool name = text_term_is_name(&v, i, &t);

		if (n && f->terms[n - 1] == h) {
			if (w > f->weights[n - 1])
				f->weights[n - 1] = w;
		} else {
			f->terms[n] = h;
			f->weights[n] = w;
			n++;
		}
		if (name)
			f->names[(n - 1) / 8] |= (uint8_t)(1u << ((n - 1) % 8));
	}
	f->term_count = (uint32_t)n;
	for (i = 0; i < n; i++)
		sum += (double)f->weights[i] * f->weights[i];
	f->norm = (float)sqrt(sum);
	body_n = MIN(t.count - title_n, (size_t)FINGERPRINT_TOKENS);
	f->fingerprint = text_simhash_items(t.items + title_n, body_n);
	text_vec_release(&v);
	text_tokens_release(&t);
}

void
rank_features_prefetch(const struct rank_features *f)
{
	/* What rank_similarity() reads first: the title, and the start of
	 * the terms and their weights (the hardware follows a stream on). */
	__builtin_prefetch(f->title);
	__builtin_prefetch(f->terms);
	__builtin_prefetch(f->terms + 16);
	__builtin_prefetch(f->weights);
}

/* ---- Stored form --------------------------------------------------------- */

static void
put_u16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void
put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t
get_u16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint32_t
float_bits(float x)
{
	uint32_t u;

	memcpy(&u, &x, sizeof(u));
	return u;
}

static float
bits_float(uint32_t u)
{
	float x;

	memcpy(&x, &u, sizeof(x));
	return x;
}

void
rank_features_encode(const struct rank_features *f, struct buf *out)
{
	size_t bitmap = ((size_t)f->term_count + 7) / 8;
	size_t len = BLOB_HEADER + (size_t)f->term_count * 8 +
		     (size_t)f->title_count * 4 + bitmap;
	unsigned char *p;
	size_t i;

	if (buf_grow(out, len))
		return;
	p = (unsigned char *)out->data + out->len;
	p[0] = BLOB_VERSION;
	p[1] = 0;
	put_u16(p + 2, f->term_count);
	put_u16(p + 4, f->title_count);
	put_u16(p + 6, 0);
	put_u32(p + 8, (uint32_t)f->fingerprint);
	put_u32(p + 12, (uint32_t)(f->fingerprint >> 32));
	put_u32(p + 16, float_bits(f->norm));
	p += BLOB_HEADER;
	for (i = 0; i < f->term_count; i++, p += 4)
		put_u32(p, f->terms[i]);
	for (i = 0; i < f->term_count; i++, p += 4)
		put_u32(p, float_bits(f->weights[i]));
	for (i = 0; i < f->title_count; i++, p += 4)
		put_u32(p, f->title[i]);
	if (bitmap)
		memcpy(p, f->names, bitmap);
	out->len += len;
	out->data[out->len] = '\0';
}

static bool
is_ascending(const uint32_t *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i - 1] >= v[i])
			return false;
	return true;
}

enum status
rank_features_decode(const void *blob, size_t len, struct rank_features *f)
{
	const unsigned char *p = blob;
	struct rank_features d;
	uint32_t terms, title, i;
	size_t bitmap;

	if (!p || len < BLOB_HEADER || p[0] != BLOB_VERSION)
		return ST_PARSE;
	terms = get_u16(p + 2);
	title = get_u16(p + 4);
	bitmap = ((size_t)terms + 7) / 8;
	if (len != BLOB_HEADER + (size_t)terms * 8 + (size_t)title * 4 + bitmap)
		return ST_PARSE;
	rank_features_init(&d);
	features_alloc(&d, terms, title);
	d.fingerprint = (uint64_t)get_u32(p + 8) | (uint64_t)get_u32(p + 12)
							   << 32;
	d.norm = bits_float(get_u32(p + 16));
	p += BLOB_HEADER;
	for (i = 0; i < terms; i++, p += 4)
		d.terms[i] = get_u32(p);
	for (i = 0; i < terms; i++, p += 4)
		d.weights[i] = bits_float(get_u32(p));
	for (i = 0; i < title; i++, p += 4)
		d.title[i] = get_u32(p);
	if (bitmap)
		memcpy(d.names, p, bitmap);
	if (!is_ascending(d.terms, terms) || !is_ascending(d.title, title) ||
	    !isfinite(d.norm) || d.norm < 0) {
		rank_features_release(&d);
		return ST_PARSE;
	}
	rank_features_release(f);
	*f = d;
	return ST_OK;
}

/* ---- Similarity ---------------------------------------------------------- */

bool
rank_is_near_copy(uint64_t a, uint64_t b)
{
	return a && b && text_hamming(a, b) <= NEAR_COPY_BITS;
}

/* 1 when term i of f is a name or figure, else 0 (a bit, to be or'ed). */
static unsigned
name_bit(const struct rank_features *f, size_t i)
{
	return f->names[i / 8] >> (i % 8) & 1;
}

/* |A ∩ B| / |A ∪ B| of two ascending sets; 0 when both are empty. */
static double
jaccard(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t i = 0, j = 0, both = 0;

	if (!na && !nb)
		return 0;
	while (i < na && j < nb) {
		uint32_t x = a[i], y = b[j];

		both += x == y;
		i += x <= y;
		j += y <= x;
	}
	return (double)both / (double)(na + nb - both);
}

/* The dot product of two vectors and the names they share, summed up in
 * ascending term order (the order fixes the rounding of dot). */
struct overlap {
	double dot;   /* sum of the shared terms' weight products */
	size_t names; /* shared terms that are a name in either */
};

enum { PAIRS_MAX = 64 }; /* shared terms noted before they are summed */

/* Adds the shared terms noted in x (indices in a) and y (in b), in the
 * order noted. */
static void
overlap_add(struct overlap *o, const struct rank_features *a,
	    const struct rank_features *b, const uint32_t *x, const uint32_t *y,
	    size_t n)
{
	double dot = o->dot;
	size_t names = o->names, k;

	for (k = 0; k < n; k++) {
		dot += (double)a->weights[x[k]] * b->weights[y[k]];
		names += name_bit(a, x[k]) | name_bit(b, y[k]);
	}
	o->dot = dot;
	o->names = names;
}

/*
 * Adds the shared terms of a and b: a merge of their ascending terms, the
 * plain way of summing them in ascending order that rank_similarity()
 * keeps for tools and tests (clustering uses the probe table below).
 */
static void
overlap(struct overlap *o, const struct rank_features *a,
	const struct rank_features *b)
{
	double dot = o->dot;
	size_t names = o->names, i = 0, j = 0;

	while (i < a->term_count && j < b->term_count) {
		uint32_t ha = a->terms[i], hb = b->terms[j];

		if (ha == hb) {
			dot += (double)a->weights[i] * b->weights[j];
			names += name_bit(a, i) | name_bit(b, j);
		}
		i += ha <= hb;
		j += hb <= ha;
	}
	o->dot = dot;
	o->names = names;
}

/* ---- Probe table ---------------------------------------------------------
 *
 * Linear probing on a table at most an eighth full: a term is looked up
 * in its home slot (term & mask) first, and further on only when a term
 * whose home that slot is was put further on (a few slots in a thousand;
 * each look further is a mispredicted branch, which made a table a
 * quarter full slower, its smaller footprint notwithstanding).
 *
 * Empty slots hold the article's first term, so that the home slot is
 * compared without asking whether it is taken: a term found in an empty
 * slot would be the first term, and its home slot is never empty.
 */

/* clang-format off */
enum {
	PROBE_MIN_SLOTS = 16, /* a power of two */
	PROBE_FILL = 8,	      /* slots per term at least */
};
#define PROBE_EMPTY   0x7FFFFFFFu /* the index of an empty slot */
#define PROBE_FURTHER 0x80000000u /* flag of an index: look further on */
/* clang-format on */

/* One slot of a rank_probe. */
struct rank_probe_slot {
	uint32_t term;	/* the term's hash; the first term's when empty */
	uint32_t index; /* its index in the article's terms, or PROBE_EMPTY;
			 * PROBE_FURTHER set when a term whose home this
			 * slot is lies further on */
};

void
rank_probe_init(struct rank_probe *p, const struct rank_features *f)
{
	size_t slots = PROBE_MIN_SLOTS, filled, i;

	while (slots < (size_t)f->term_count * PROBE_FILL)
		slots *= 2;
	p->f = f;
	p->mask = (uint32_t)(slots - 1);
	p->slots = xmallocarray(slots, sizeof(*p->slots));
	p->slots[0].term = f->term_count ? f->terms[0] : 0;
	p->slots[0].index = PROBE_EMPTY;
	/* The rest as copies of the first, in doubling blocks (libc's
	 * memcpy is much faster than a loop storing one slot at a time). */
	for (filled = 1; filled < slots; filled *= 2)
		memcpy(p->slots + filled, p->slots, filled * sizeof(*p->slots));
	for (i = 0; i < f->term_count; i++) {
		uint32_t home = f->terms[i] & p->mask, s = home;

		while ((p->slots[s].index & PROBE_EMPTY) != PROBE_EMPTY)
			s = (s + 1) & p->mask;
		if (s != home)
			p->slots[home].index |= PROBE_FURTHER;
		p->slots[s].term = f->terms[i];
		p->slots[s].index =
			(p->slots[s].index & PROBE_FURTHER) | (uint32_t)i;
	}
}

void
rank_probe_release(struct rank_probe *p)
{
	if (!p)
		return;
	free(p->slots);
	p->slots = NULL;
	p->f = NULL;
}

/* Where term lies past its home slot, or PROBE_EMPTY: the slow way, for
 * the few home slots marked PROBE_FURTHER. */
static uint32_t
probe_further(const struct rank_probe *p, uint32_t term)
{
	uint32_t s = term & p->mask;

	for (;;) {
		const struct rank_probe_slot *slot;

		s = (s + 1) & p->mask;
		slot = &p->slots[s];
		if ((slot->index & PROBE_EMPTY) == PROBE_EMPTY)
			return PROBE_EMPTY;
		if (slot->term == term)
			return slot->index & PROBE_EMPTY;
	}
}

/*
 * overlap() with p's article as a: b's terms are looked up in ascending
 * order, so the shared terms are met in the merge's order. Each is noted
 * without a branch and the notes are summed a batch at a time (a batch of
 * b's terms notes PAIRS_MAX at most).
 */
static void
overlap_probe(struct overlap *o, const struct rank_probe *p,
	      const struct rank_features *b)
{
	const struct rank_probe_slot *slots = p->slots;
	/* One more: the slow way may note after the batch's last term. */
	uint32_t x[PAIRS_MAX + 1], y[PAIRS_MAX + 1], mask = p->mask;
	size_t start, end, j, n;

	/* No first term for the empty slots to hold: theirs (0) may be
	 * one of b's. */
	if (!p->f->term_count)
		return;
	for (start = 0; start < b->term_count; start = end) {
		end = MIN(start + PAIRS_MAX, (size_t)b->term_count);
		for (j = start, n = 0; j < end; j++) {
			uint32_t term = b->terms[j];
			const struct rank_probe_slot *slot =
				&slots[term & mask];
			uint32_t index = slot->index;

			x[n] = index & PROBE_EMPTY;
			y[n] = (uint32_t)j;
			n += slot->term == term;
			/* Whether the home slot held it or not (terms are
			 * distinct: if it did, it is nowhere further), so
			 * that the branch is taken seldom and predicted. */
			if (index & PROBE_FURTHER) {
				x[n] = probe_further(p, term);
				n += x[n] != PROBE_EMPTY;
			}
		}
		overlap_add(o, p->f, b, x, y, n);
	}
}

/*
 * Title overlap and text cosine, halved when the two share fewer than
 * MIN_SHARED_NAMES names and figures (two glaciers retreating are two
 * events), fading when they are more than FRESH_HOURS apart (a story
 * about a railway line in a valley two days before that valley floods is
 * another story). Near copies score high. o is what a and b share of
 * their terms.
 */
static double
similarity(const struct rank_features *a, const struct rank_features *b,
	   int64_t apart, const struct overlap *o)
{
	double title =
		jaccard(a->title, a->title_count, b->title, b->title_count);
	double cosine = 0, sim;
	double hours = (double)(apart < 0 ? -apart : apart) / 3600.0;
	double span = WINDOW / 3600.0 - FRESH_HOURS;

	if (a->norm > 0 && b->norm > 0)
		cosine = MIN(o->dot / ((double)a->norm * b->norm), 1.0);
	sim = TITLE_WEIGHT * title + TEXT_WEIGHT * cosine;
	if (o->names < MIN_SHARED_NAMES)
		sim *= 0.5;
	if (hours > FRESH_HOURS)
		sim *= 1.0 -
		       STALE_PENALTY * MIN(hours - FRESH_HOURS, span) / span;
	if (log_enabled(LOG_DEBUG))
		log_debug("rank: title %.3f cosine %.3f names %zu hours %.0f",
			  title, cosine, o->names, hours);
	if (rank_is_near_copy(a->fingerprint, b->fingerprint) &&
	    sim < NEAR_COPY_SCORE)
		sim = NEAR_COPY_SCORE;
	return sim;
}

double
rank_similarity(const struct rank_features *a, const struct rank_features *b,
		int64_t apart)
{
	struct overlap o = {0, 0};

	overlap(&o, a, b);
	return similarity(a, b, apart, &o);
}

double
rank_similarity_probe(const struct rank_probe *p, const struct rank_features *b,
		      int64_t apart)
{
	struct overlap o = {0, 0};

	overlap_probe(&o, p, b);
	return similarity(p->f, b, apart, &o);
}
