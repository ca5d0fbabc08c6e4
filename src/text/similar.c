/*
 * similar.c — term vectors, cosine similarity, simhash fingerprints and
 * Jaccard overlap of token sets.
 */
#include "common.h"

#include <math.h>

#include "text/text.h"

/* Fixed idf estimates used when the caller has no corpus statistics. */
#define IDF_PROPER 2.5 /* capitalised mid-sentence, never lower case */
#define IDF_NUMBER 2.0 /* two digits or more: 14%, 2029, 41.2 */
#define IDF_DIGIT  0.5 /* a lone digit */
#define IDF_SHORT  0.6 /* words of three letters or fewer */
#define IDF_WORD   1.0 /* everything else */

struct hash_index {
	uint64_t hash;	/* the token's stem hash */
	uint32_t index; /* the token's position */
};

/*
 * Sorts n entries by hash, keeping the order of equal hashes (a stable
 * bottom-up merge sort, so by (hash, index) for entries in index order);
 * tmp has room for n. Each merge step picks its side by a comparison
 * result rather than a branch.
 */
static void
sort_by_hash(struct hash_index *v, struct hash_index *tmp, size_t n)
{
	struct hash_index *from = v, *to = tmp, *swap;
	size_t width, lo;

	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			size_t mid = MIN(lo + width, n),
			       hi = MIN(lo + 2 * width, n);
			size_t l = lo, r = mid, k = lo;

			while (l < mid && r < hi) {
				bool right = from[r].hash < from[l].hash;

				to[k++] = right ? from[r] : from[l];
				r += right;
				l += !right;
			}
			while (l < mid)
				to[k++] = from[l++];
			while (r < hi)
				to[k++] = from[r++];
		}
		swap = from;
		from = to;
		to = swap;
	}
	if (from != v)
		memcpy(v, from, n * sizeof(*v));
}

static int
u64_cmp(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

void
text_vec_init(struct text_vec *v)
{
	memset(v, 0, sizeof(*v));
}

void
text_vec_release(struct text_vec *v)
{
	free(v->terms);
	text_vec_init(v);
}

static double
fixed_idf(const struct text_token *tok, bool capital, bool lower)
{
	if (tok->flags & TOKEN_NUMBER)
		return tok->surface_len >= 2 ? IDF_NUMBER : IDF_DIGIT;
	if (capital && !lower)
		return IDF_PROPER;
	if (tok->stem_len <= 3)
		return IDF_SHORT;
	return IDF_WORD;
}

/* A distinct stem hash of a token list, while the vector is built. */
struct term_slot {
	uint64_t hash;	/* the stem hash */
	uint32_t first; /* its first token */
	uint32_t count; /* its tokens; 0: the slot is free */
	uint32_t flags; /* their flags, OR'ed */
};

/*
 * The tokens are grouped by hash in an open-addressing table, and only the
 * distinct hashes are sorted: a text repeats its words, and sorting every
 * token cost more than the table. The terms are the same as a stable sort
 * of the tokens by hash would give (each term's first token is the first
 * in the text), in the same order, so the weights and their sum too.
 */
void
text_vec_build(struct text_vec *v, const struct text_tokens *t,
	       const struct text_idf *idf)
{
	struct term_slot *table;
	struct hash_index *order;
	size_t i, n = t->count, size = 16, distinct = 0;
	unsigned bits = 4;
	double sum = 0;

	v->count = 0;
	v->norm = 0;
	if (!n)
		return;
	while (size < 2 * n) {
		size *= 2;
		bits++;
	}
	table = xcalloc(size, sizeof(*table));
	order = xmallocarray(n, 2 * sizeof(*order));
	for (i = 0; i < n; i++) {
		const struct text_token *tok = &t->items[i];
		size_t k = (size_t)(tok->hash >> (64 - bits));

		while (table[k].count && table[k].hash != tok->hash)
			k = (k + 1) & (size - 1);
		if (!table[k].count) {
			table[k].hash = tok->hash;
			table[k].first = (uint32_t)i;
			order[distinct].hash = tok->hash;
			order[distinct].index = (uint32_t)k;
			distinct++;
		}
		table[k].count++;
		table[k].flags |= tok->flags;
	}
	sort_by_hash(order, order + distinct, distinct);
	v->terms = xreallocarray(v->terms, distinct, sizeof(*v->terms));
	for (i = 0; i < distinct; i++) {
		const struct term_slot *slot = &table[order[i].index];
		const struct text_token *first = &t->items[slot->first];
		bool capital = (slot->flags & TOKEN_CAPITAL) != 0;
		bool lower = (slot->flags & TOKEN_LOWER) != 0;
		double w;

		if (idf)
			w = idf->idf(idf->ctx, t->bytes + first->stem,
				     first->stem_len, first->hash);
		else
			w = fixed_idf(first, capital, lower);
		if (w > 0) {
			struct text_term *term = &v->terms[v->count++];

			w *= 1.0 + log((double)slot->count);
			term->hash = slot->hash;
			term->weight = (float)w;
			term->token = slot->first;
			term->count = slot->count;
			term->flags = slot->flags;
			sum += w * w;
		}
	}
	v->norm = sqrt(sum);
	free(order);
	free(table);
}

bool
text_term_is_name(const struct text_vec *v, size_t i,
		  const struct text_tokens *t)
{
	const struct text_term *term = &v->terms[i];

	if (term->flags & TOKEN_NUMBER)
		return t->items[term->token].surface_len >= 2;
	return (term->flags & TOKEN_CAPITAL) && !(term->flags & TOKEN_LOWER);
}

double
text_cosine(const struct text_vec *a, const struct text_vec *b)
{
	size_t i = 0, j = 0;
	double dot = 0, c;

	if (!a->count || !b->count || a->norm <= 0 || b->norm <= 0)
		return 0;
	while (i < a->count && j < b->count) {
		uint64_t ha = a->terms[i].hash, hb = b->terms[j].hash;

		if (ha == hb) {
			dot += (double)a->terms[i].weight * b->terms[j].weight;
			i++;
			j++;
		} else if (ha < hb) {
			i++;
		} else {
			j++;
		}
	}
	c = dot / (a->norm * b->norm);
	return c > 1 ? 1 : c;
}

/* Is term x heavier than term y (ties: the earlier in the text)? */
static bool
heavier(const struct text_term *x, const struct text_term *y)
{
	if (x->weight != y->weight)
		return x->weight > y->weight;
	return x->token < y->token;
}

size_t
text_vec_top(const struct text_vec *v, size_t n, size_t *out)
{
	size_t got = 0, i, k;

	if (!n)
		return 0;
	/* Insertion into a short sorted list: n is small. */
	for (i = 0; i < v->count; i++) {
		if (got == n && !heavier(&v->terms[i], &v->terms[out[got - 1]]))
			continue;
		k = got < n ? got++ : got - 1;
		while (k > 0 && heavier(&v->terms[i], &v->terms[out[k - 1]])) {
			out[k] = out[k - 1];
			k--;
		}
		out[k] = i;
	}
	return got;
}

static uint64_t
rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t
text_simhash(const struct text_tokens *t)
{
	return text_simhash_items(t->items, t->count);
}

/* Adds the eight byte-wide counters of each lane to votes: lane k byte b
 * counts bit 8b + k. */
static void
votes_add(int32_t votes[64], uint64_t lanes[8])
{
	int k, b;

	for (k = 0; k < 8; k++) {
		for (b = 0; b < 8; b++)
			votes[b * 8 + k] +=
				(int32_t)((lanes[k] >> (8 * b)) & 0xFF);
		lanes[k] = 0;
	}
}

uint64_t
text_simhash_items(const struct text_token *items, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL;
	int32_t votes[64] = {0};
	uint64_t lanes[8] = {0};
	size_t i, width = n >= 3 ? 3 : 1, total = 0, in_lanes = 0;
	uint64_t result = 0;
	int bit, k;

	if (!n)
		return 0;
	/* Counts the set bits of every shingle's hash eight bits at a time,
	 * in byte-wide counters spilled before they overflow. */
	for (i = 0; i + width <= n; i++) {
		uint64_t h = items[i].hash;

		if (width == 3)
			h = mix64(h ^ rotl64(items[i + 1].hash, 21) ^
				  rotl64(items[i + 2].hash, 42));
		for (k = 0; k < 8; k++)
			lanes[k] += (h >> k) & ones;
		total++;
		if (++in_lanes == 255) {
			votes_add(votes, lanes);
			in_lanes = 0;
		}
	}
	votes_add(votes, lanes);
	/* A bit is set when most shingles have it. */
	for (bit = 0; bit < 64; bit++)
		if ((size_t)votes[bit] * 2 > total)
			result |= 1ULL << bit;
	return result ? result : 1;
}

/* Sorted, distinct stem hashes of t; returns their number. */
static size_t
hash_set(const struct text_tokens *t, uint64_t *out)
{
	size_t i, n = 0;

	for (i = 0; i < t->count; i++)
		out[i] = t->items[i].hash;
	qsort(out, t->count, sizeof(*out), u64_cmp);
	for (i = 0; i < t->count; i++)
		if (!n || out[n - 1] != out[i])
			out[n++] = out[i];
	return n;
}

double
text_jaccard(const struct text_tokens *a, const struct text_tokens *b)
{
	uint64_t *sa, *sb;
	size_t na, nb, i = 0, j = 0, both = 0;
	double result;

	if (!a->count && !b->count)
		return 0;
	sa = xmallocarray(a->count + 1, sizeof(*sa));
	sb = xmallocarray(b->count + 1, sizeof(*sb));
	na = hash_set(a, sa);
	nb = hash_set(b, sb);
	while (i < na && j < nb) {
		if (sa[i] == sb[j]) {
			both++;
			i++;
			j++;
		} else if (sa[i] < sb[j]) {
			i++;
		} else {
			j++;
		}
	}
	result = (double)both / (double)(na + nb - both);
	free(sa);
	free(sb);
	return result;
}

double
text_title_similarity(const char *a, const char *b)
{
	struct text_tokens ta, tb;
	double result;

	text_tokens_init(&ta);
	text_tokens_init(&tb);
	text_tokenize(&ta, a, strlen(a), TEXT_STOPWORDS | TEXT_STEM, 0);
	text_tokenize(&tb, b, strlen(b), TEXT_STOPWORDS | TEXT_STEM, 0);
	result = text_jaccard(&ta, &tb);
	text_tokens_release(&ta);
	text_tokens_release(&tb);
	return result;
}
