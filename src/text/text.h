/*
 * text.h — words out of text, and how alike two texts are.
 *
 * The pieces, each cheap enough to run for every stored article:
 *
 *   text_tokenize()   splits UTF-8 text into lower-cased words (Unicode
 *                     letters and digits, Latin diacritics folded to ASCII,
 *                     "Okafor's" -> "okafor"), optionally dropping English
 *                     stop words and stemming what is left (text_stem());
 *   text_vec_build()  turns tokens into a term vector (stem -> weight,
 *                     tf-idf-like) for text_cosine();
 *   text_simhash()    a 64-bit fingerprint over three-word shingles: texts
 *                     that are near copies of each other are a few bits
 *                     apart (text_hamming());
 *   text_jaccard()    overlap of two token sets (titles).
 *
 * Nothing here allocates through anything but xmalloc, touches a database or
 * keeps global state; every function is safe to call from any thread on its
 * own data. Invalid UTF-8 is treated as a separator, never an error.
 */
#ifndef NEWSSTAND_TEXT_TEXT_H
#define NEWSSTAND_TEXT_TEXT_H

#include "common.h"

/* Longest token kept, in bytes; longer words are cut to this length. */
#define TEXT_TOKEN_MAX 64

enum text_flags {
	TEXT_STOPWORDS = 1 << 0, /* drop English stop words */
	TEXT_STEM = 1 << 1,	 /* stem with text_stem() */
};

enum text_token_flags {
	TOKEN_NUMBER = 1 << 0,	/* contains a digit */
	TOKEN_CAPITAL = 1 << 1, /* capitalised, not at a sentence start */
	TOKEN_LOWER = 1 << 2,	/* started with a lower-case letter */
};

struct text_token {
	uint32_t surface;     /* offset of the folded word in bytes[] */
	uint32_t stem;	      /* offset of the stem (== surface unstemmed) */
	uint16_t surface_len; /* its length in bytes */
	uint16_t stem_len;    /* the stem's length in bytes */
	uint32_t flags;	      /* enum text_token_flags */
	uint64_t hash;	      /* 64-bit hash of the stem */
};

/*
 * A list of tokens; their text lives in bytes[], each string NUL-terminated.
 * Initialise with text_tokens_init() (or zero it), free with
 * text_tokens_release().
 */
struct text_tokens {
	struct text_token *items; /* count tokens in text order */
	size_t count;		  /* tokens in items */
	size_t alloc;		  /* allocated items */
	char *bytes;		  /* the tokens' text */
	size_t bytes_len;	  /* bytes used */
	size_t bytes_alloc;	  /* bytes allocated */
};

void text_tokens_init(struct text_tokens *t);
/* Forgets the tokens, keeping the memory for the next text. */
void text_tokens_reset(struct text_tokens *t);
void text_tokens_release(struct text_tokens *t);

/*
 * Appends the words of s (len bytes of UTF-8; need not be NUL-terminated)
 * to out, at most max_tokens of them in total (0: no limit). flags are
 * enum text_flags. Returns the number of tokens appended.
 */
size_t text_tokenize(struct text_tokens *out, const char *s, size_t len,
		     int flags, size_t max_tokens);

/* The folded word and the stem of token i, NUL-terminated. */
static inline const char *
text_token_surface(const struct text_tokens *t, size_t i)
{
	return t->bytes + t->items[i].surface;
}

static inline const char *
text_token_stem(const struct text_tokens *t, size_t i)
{
	return t->bytes + t->items[i].stem;
}

/* True when the lower-case ASCII word is an English stop word. */
bool text_is_stopword(const char *word, size_t len);

/*
 * Stems a lower-case English word in place (Porter's algorithm, 1980) and
 * returns its new length. Words with anything but a-z, or shorter than three
 * letters, are left as they are.
 */
size_t text_stem(char *word, size_t len);

/* The 64-bit hash used for terms (FNV-1a with a final mix). */
uint64_t text_hash(const char *s, size_t len);

/* ---- Term vectors ------------------------------------------------------- */

struct text_term {
	uint64_t hash;	/* text_hash() of the stem */
	float weight;	/* tf-idf-like weight */
	uint32_t token; /* index of its first token in the source list */
	uint32_t count; /* occurrences */
	uint32_t flags; /* enum text_token_flags of all its tokens, OR'ed */
};

/*
 * A term vector, sorted by hash so that two vectors are compared in one
 * merge. Zero it or text_vec_init(); free with text_vec_release().
 */
struct text_vec {
	struct text_term *terms; /* count terms, by hash */
	size_t count;		 /* distinct terms */
	double norm;		 /* Euclidean length of the weights */
};

/*
 * Inverse document frequency of a stem, as the caller knows it from its
 * corpus (for instance log(N / df)); a value <= 0 drops the term.
 */
struct text_idf {
	double (*idf)(void *ctx, const char *stem, size_t len, uint64_t hash);
	void *ctx; /* passed to idf */
};

void text_vec_init(struct text_vec *v);
void text_vec_release(struct text_vec *v);

/*
 * Builds the vector of tokens t (replacing v's terms). A term's weight is
 * (1 + ln tf) times its idf: from idf when given, else a fixed estimate
 * that favours what names an event: proper nouns (capitalised mid-sentence
 * and never seen in lower case) and numbers of two digits or more weigh
 * most, short words least.
 */
void text_vec_build(struct text_vec *v, const struct text_tokens *t,
		    const struct text_idf *idf);

/*
 * Is the term a name or a figure: capitalised mid-sentence and never in
 * lower case, or a number of two characters or more?
 */
bool text_term_is_name(const struct text_vec *v, size_t i,
		       const struct text_tokens *t);

/* Cosine similarity of two vectors in [0, 1]; 0 when either is empty. */
double text_cosine(const struct text_vec *a, const struct text_vec *b);

/*
 * Writes into out[] the indexes (into v->terms) of the n heaviest terms,
 * heaviest first, and returns how many were written (<= n, <= count).
 */
size_t text_vec_top(const struct text_vec *v, size_t n, size_t *out);

/* ---- Fingerprints and sets --------------------------------------------- */

/*
 * The simhash of the tokens' three-word shingles (single words when there
 * are fewer than three). Returns 0 only for an empty list.
 */
uint64_t text_simhash(const struct text_tokens *t);
/* The same over n tokens of a list (a part of one). */
uint64_t text_simhash_items(const struct text_token *items, size_t n);

/* Number of differing bits. */
static inline int
text_hamming(uint64_t a, uint64_t b)
{
	return __builtin_popcountll(a ^ b);
}

/*
 * Jaccard similarity |A ∩ B| / |A ∪ B| of the two lists' sets of stems, in
 * [0, 1]; 0 when both are empty.
 */
double text_jaccard(const struct text_tokens *a, const struct text_tokens *b);

/*
 * Title similarity: Jaccard over the stemmed words of two titles, stop
 * words dropped.
 */
double text_title_similarity(const char *a, const char *b);

#endif
