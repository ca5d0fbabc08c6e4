/*
 * token.c — UTF-8 text into lower-cased, folded words.
 *
 * A word is a run of letters and digits. ASCII takes a fast path; other
 * code points are decoded and classified with a few ranges: Latin letters
 * with diacritics fold to their ASCII base ("Tomás" -> "tomas", "ß" ->
 * "ss"), Greek and Cyrillic capitals are lower-cased, combining marks are
 * dropped, punctuation and symbol blocks separate words, and every other
 * code point counts as a letter and is kept as it is. An apostrophe inside a
 * word joins it ("don't" -> "dont"), except the possessive "'s", which is
 * dropped. Digits keep a decimal point between them ("41.2") and drop
 * thousands separators ("9,200" -> "9200").
 */
#include "common.h"

#include <pthread.h>

#include "base/utf8.h"
#include "base/xalloc.h"
#include "text/text.h"

enum { STOP_MAX_LEN = 10 }; /* the longest stop word: "themselves" */

/* clang-format off */
/*
 * English stop words, sorted for the binary search, folded like tokens
 * ("dont"); with them the names of days and months, which every news
 * article carries and which say nothing about which event it is.
 */
static const char stopwords[][STOP_MAX_LEN + 1] = {
	"a", "about", "above", "according", "after", "again", "against",
	"all", "also", "am", "an", "and", "any", "april", "are", "as", "at",
	"august", "be", "because", "been", "before", "being", "below",
	"between", "both", "but", "by", "can", "cannot", "could", "december",
	"did", "didnt", "do", "does", "doesnt", "doing", "dont", "down",
	"during", "each", "february", "few", "for", "friday", "from",
	"further", "had", "has", "have", "having", "he", "her", "here",
	"hers", "herself", "him", "himself", "his", "how", "i", "if", "in",
	"into", "is", "isnt", "it", "its", "itself", "january", "july",
	"june", "just", "may", "me", "monday", "more", "most", "mr", "mrs",
	"ms", "much", "my", "myself", "no", "nor", "not", "november", "now",
	"october", "of", "off", "on", "once", "only", "or", "other", "our",
	"ours", "ourselves", "out", "over", "own", "said", "same",
	"saturday", "say", "says", "september", "she", "should", "so",
	"some", "such", "sunday", "than", "that", "the", "their", "theirs",
	"them", "themselves", "then", "there", "these", "they", "this",
	"those", "through", "thursday", "to", "today", "told", "tomorrow",
	"too", "tuesday", "under", "until", "up", "upon", "us", "very",
	"was", "wasnt", "we", "wednesday", "were", "what", "when", "where",
	"whether", "which", "while", "who", "whom", "whose", "why", "will",
	"with", "within", "without", "wont", "would", "yesterday", "yet",
	"you", "your", "yours", "yourself",
};

/* Latin-1 Supplement and Latin Extended-A letters and their ASCII folds. */
static const struct fold_range {
	uint16_t lo, hi;   /* code points, inclusive */
	const char *fold;  /* lower-case ASCII replacement */
} fold_ranges[] = {
	{0x00C0, 0x00C5, "a"}, {0x00C6, 0x00C6, "ae"}, {0x00C7, 0x00C7, "c"},
	{0x00C8, 0x00CB, "e"}, {0x00CC, 0x00CF, "i"}, {0x00D0, 0x00D0, "d"},
	{0x00D1, 0x00D1, "n"}, {0x00D2, 0x00D6, "o"}, {0x00D8, 0x00D8, "o"},
	{0x00D9, 0x00DC, "u"}, {0x00DD, 0x00DD, "y"}, {0x00DE, 0x00DE, "th"},
	{0x00DF, 0x00DF, "ss"}, {0x00E0, 0x00E5, "a"}, {0x00E6, 0x00E6, "ae"},
	{0x00E7, 0x00E7, "c"}, {0x00E8, 0x00EB, "e"}, {0x00EC, 0x00EF, "i"},
	{0x00F0, 0x00F0, "d"}, {0x00F1, 0x00F1, "n"}, {0x00F2, 0x00F6, "o"},
	{0x00F8, 0x00F8, "o"}, {0x00F9, 0x00FC, "u"}, {0x00FD, 0x00FD, "y"},
	{0x00FE, 0x00FE, "th"}, {0x00FF, 0x00FF, "y"},
	{0x0100, 0x0105, "a"}, {0x0106, 0x010D, "c"}, {0x010E, 0x0111, "d"},
	{0x0112, 0x011B, "e"}, {0x011C, 0x0123, "g"}, {0x0124, 0x0127, "h"},
	{0x0128, 0x0131, "i"}, {0x0132, 0x0133, "ij"}, {0x0134, 0x0135, "j"},
	{0x0136, 0x0138, "k"}, {0x0139, 0x0142, "l"}, {0x0143, 0x014B, "n"},
	{0x014C, 0x0151, "o"}, {0x0152, 0x0153, "oe"}, {0x0154, 0x0159, "r"},
	{0x015A, 0x0161, "s"}, {0x0162, 0x0167, "t"}, {0x0168, 0x0173, "u"},
	{0x0174, 0x0175, "w"}, {0x0176, 0x0178, "y"}, {0x0179, 0x017E, "z"},
	{0x017F, 0x017F, "s"},
};

/* Blocks of punctuation and symbols: they separate words. */
static const struct sep_range {
	uint32_t lo, hi;
} sep_ranges[] = {
	{0x0080, 0x00A9}, {0x00AB, 0x00B4}, {0x00B6, 0x00B9}, {0x00BB, 0x00BF},
	{0x00D7, 0x00D7}, {0x00F7, 0x00F7}, {0x02B9, 0x02FF},
	{0x0300, 0x036F} /* combining marks: handled before */,
	{0x037E, 0x037E}, {0x0387, 0x0387}, {0x055A, 0x055F}, {0x0589, 0x058A},
	{0x05BE, 0x05BE}, {0x05C0, 0x05C0}, {0x05F3, 0x05F4}, {0x060C, 0x060D},
	{0x061B, 0x061F}, {0x066A, 0x066D}, {0x06D4, 0x06D4}, {0x0964, 0x0965},
	{0x0E4F, 0x0E4F}, {0x0E5A, 0x0E5B}, {0x2000, 0x2BFF}, {0x2E00, 0x2E7F},
	{0x3000, 0x3003}, {0x3008, 0x3020}, {0x3030, 0x3030}, {0xD800, 0xF8FF},
	{0xFD3E, 0xFD3F}, {0xFE00, 0xFE6F}, {0xFEFF, 0xFEFF}, {0xFF00, 0xFF0F},
	{0xFF1A, 0xFF20}, {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65}, {0xFFF0, 0xFFFF},
	{0x1F000, 0x1FAFF}, {0xE0000, 0x10FFFF},
};
/* clang-format on */

/*
 * The table holds each word zero-padded to a fixed width, so a lookup is
 * a binary search of fixed-size compares (zero sorts before letters, so
 * the order is the words' order).
 */
bool
text_is_stopword(const char *word, size_t len)
{
	size_t lo = 0, hi = ARRAY_SIZE(stopwords);
	char key[STOP_MAX_LEN + 1] = {0};

	if (len == 0 || len > STOP_MAX_LEN)
		return false;
	memcpy(key, word, len);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = (unsigned char)key[0] -
			  (unsigned char)stopwords[mid][0];

		if (!cmp)
			cmp = memcmp(key, stopwords[mid], sizeof(key));
		if (!cmp)
			return true;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

uint64_t
text_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	/* FNV's low bits mix poorly; finish like splitmix64. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

void
text_tokens_init(struct text_tokens *t)
{
	memset(t, 0, sizeof(*t));
}

void
text_tokens_reset(struct text_tokens *t)
{
	t->count = 0;
	t->bytes_len = 0;
}

void
text_tokens_release(struct text_tokens *t)
{
	free(t->items);
	free(t->bytes);
	text_tokens_init(t);
}

static size_t
utf8_encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static bool
is_separator(uint32_t c)
{
	size_t lo = 0, hi = ARRAY_SIZE(sep_ranges);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c < sep_ranges[mid].lo)
			hi = mid;
		else if (c > sep_ranges[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static const struct fold_range *
find_fold(uint32_t c)
{
	size_t lo = 0, hi = ARRAY_SIZE(fold_ranges);

	if (c < 0xC0 || c > 0x17F)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c < fold_ranges[mid].lo)
			hi = mid;
		else if (c > fold_ranges[mid].hi)
			lo = mid + 1;
		else
			return &fold_ranges[mid];
	}
	return NULL;
}

/* Is the folded Latin letter c a capital? */
static bool
latin_is_upper(uint32_t c)
{
	if (c < 0x100)
		return c <= 0xDE;
	if (c == 0x138 || c == 0x149 || c == 0x17F)
		return false;
	if (c == 0x178)
		return true;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
		return c & 1;
	return !(c & 1);
}

/* Lower-cases Greek and Cyrillic capitals; sets *upper when c was one. */
static uint32_t
other_lower(uint32_t c, bool *upper)
{
	*upper = true;
	if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
		return c + 0x20;
	if (c >= 0x410 && c <= 0x42F)
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40F)
		return c + 0x50;
	*upper = false;
	return c;
}

/*
 * What a word becomes, kept per thread for the words seen last: news text
 * repeats its words, and a look-up (three loads and compares) costs a
 * fraction of the stop-word search, the stemmer's five steps and the hash.
 * Direct-mapped, one cache line a slot; longer words than WORD_CACHED bytes
 * are worked out every time. 65,536 slots: a day of news holds tens of
 * thousands of distinct words, and with 4,096 slots tokenising took about
 * twice as long a token on bench/ingest.sh's text and on the Readability
 * pages' (docs/benchmarks/ingest.md). The table (4 MB) is allocated by
 * the first tokenising in a thread, its pages touched only as words land
 * in them, and freed when the thread exits.
 */
enum {
	WORD_SLOT_BITS = 16,
	WORD_SLOTS = 1 << WORD_SLOT_BITS,
	WORD_CACHED = 24, /* longest word cached, bytes (three words) */
};

struct word_slot {
	char word[WORD_CACHED]; /* the word, zero-padded; all zero: empty */
	char stem[WORD_CACHED]; /* its stem, zero-padded */
	uint64_t hash;		/* text_hash() of the stem */
	uint8_t stem_len;	/* the stem's length */
	bool stop;		/* the word is a stop word */
	bool same;		/* the stem is the word itself */
};

static _Thread_local struct word_slot *word_cache;
static pthread_key_t word_cache_key;
static pthread_once_t word_cache_once = PTHREAD_ONCE_INIT;

static void
word_cache_key_make(void)
{
	if (pthread_key_create(&word_cache_key, free))
		abort();
}

/* This thread's table, allocated at its first use. */
static struct word_slot *
word_cache_get(void)
{
	if (!word_cache) {
		pthread_once(&word_cache_once, word_cache_key_make);
		word_cache = xcalloc(WORD_SLOTS, sizeof(*word_cache));
		if (pthread_setspecific(word_cache_key, word_cache))
			abort();
	}
	return word_cache;
}

static uint64_t
load64(const char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The slot for a word zero-padded to WORD_CACHED bytes. */
static struct word_slot *
word_slot_of(const char *word)
{
	uint64_t a = load64(word), b = load64(word + 8), c = load64(word + 16);
	uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ULL) ^
		      (c * 0xC2B2AE3D27D4EB4FULL)) *
		     0xFF51AFD7ED558CCDULL;

	return &word_cache_get()[h >> (64 - WORD_SLOT_BITS)];
}

/*
 * The word of len bytes (<= WORD_CACHED) at word, zero-padded to
 * WORD_CACHED bytes, in its slot: filled in when it held another word.
 */
static const struct word_slot *
word_lookup(struct word_slot *slot, const char *word, size_t len)
{
	if (!((load64(slot->word) ^ load64(word)) |
	      (load64(slot->word + 8) ^ load64(word + 8)) |
	      (load64(slot->word + 16) ^ load64(word + 16))))
		return slot;
	memcpy(slot->word, word, WORD_CACHED);
	memcpy(slot->stem, word, WORD_CACHED);
	slot->stem_len = (uint8_t)text_stem(slot->stem, len);
	memset(slot->stem + slot->stem_len, 0, WORD_CACHED - slot->stem_len);
	slot->same = !memcmp(slot->stem, slot->word, WORD_CACHED);
	slot->hash = text_hash(slot->stem, slot->stem_len);
	slot->stop = text_is_stopword(word, len);
	return slot;
}

/* Makes room for one more token of up to TEXT_TOKEN_MAX bytes. */
static void
tokens_reserve(struct text_tokens *t)
{
	/* The word and its stem, each terminated, and a fixed-size copy's
	 * overrun. */
	const size_t need = 2 * (TEXT_TOKEN_MAX + 1) + WORD_CACHED;

	if (t->count == t->alloc) {
		t->alloc = t->alloc ? st_mult(t->alloc, 2) : 64;
		t->items = xreallocarray(t->items, t->alloc, sizeof(*t->items));
	}
	if (t->bytes_alloc - t->bytes_len < need) {
		size_t alloc = t->bytes_alloc ? t->bytes_alloc : 512;

		while (alloc - t->bytes_len < need)
			alloc = st_mult(alloc, 2);
		t->bytes = xrealloc(t->bytes, alloc);
		t->bytes_alloc = alloc;
	}
}

/* Appends a word from the cache (see word_lookup()). */
static void
tokens_push_cached(struct text_tokens *t, const char *word, size_t len,
		   const struct word_slot *slot, int flags,
		   uint32_t token_flags)
{
	struct text_token *tok;
	char *p;

	tokens_reserve(t);
	tok = &t->items[t->count++];
	p = t->bytes + t->bytes_len;
	/* The padded word carries its terminator unless it fills the slot. */
	memcpy(p, word, WORD_CACHED);
	p[len] = '\0';
	tok->surface = (uint32_t)t->bytes_len;
	tok->surface_len = (uint16_t)len;
	tok->flags = token_flags;
	t->bytes_len += len + 1;
	if (!(flags & TEXT_STEM) || slot->same) {
		tok->stem = tok->surface;
		tok->stem_len = tok->surface_len;
		tok->hash = slot->same ? slot->hash : text_hash(word, len);
		return;
	}
	p += len + 1;
	memcpy(p, slot->stem, WORD_CACHED);
	p[slot->stem_len] = '\0';
	tok->stem = (uint32_t)t->bytes_len;
	tok->stem_len = slot->stem_len;
	tok->hash = slot->hash;
	t->bytes_len += (size_t)slot->stem_len + 1;
}

/* Appends a word too long for the cache. */
static void
tokens_push(struct text_tokens *t, const char *word, size_t len, int flags,
	    uint32_t token_flags)
{
	struct text_token *tok;
	char *stem;
	size_t stem_len;

	tokens_reserve(t);
	tok = &t->items[t->count++];
	tok->surface = (uint32_t)t->bytes_len;
	tok->surface_len = (uint16_t)len;
	tok->flags = token_flags;
	memcpy(t->bytes + t->bytes_len, word, len);
	t->bytes[t->bytes_len + len] = '\0';
	t->bytes_len += len + 1;
	tok->stem = tok->surface;
	tok->stem_len = tok->surface_len;
	if (flags & TEXT_STEM) {
		stem = t->bytes + t->bytes_len;
		memcpy(stem, word, len);
		stem_len = text_stem(stem, len);
		if (stem_len != len || memcmp(stem, word, len)) {
			stem[stem_len] = '\0';
			tok->stem = (uint32_t)t->bytes_len;
			tok->stem_len = (uint16_t)stem_len;
			t->bytes_len += stem_len + 1;
		}
	}
	tok->hash = text_hash(t->bytes + tok->stem, tok->stem_len);
}

static bool
is_ascii_alnum(unsigned char c)
{
	return (unsigned)((c | 0x20) - 'a') < 26 || (unsigned)(c - '0') < 10;
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Is the byte at s[i] the start of a letter or digit (cheap guess)? */
static bool
starts_word(const unsigned char *s, size_t n, size_t i)
{
	uint32_t cp;

	if (i >= n)
		return false;
	if (s[i] < 0x80)
		return is_ascii_alnum(s[i]);
	utf8_decode(s + i, n - i, &cp);
	return cp != 0xFFFD && !is_separator(cp);
}

/*
 * Words found but not looked up yet. The cache is larger than the
 * processor's caches, so a look-up mostly waits for memory: each word's
 * slot is asked for when the word is found, and the words are looked up a
 * batch at a time, by when their slots have arrived together.
 */
enum { WORD_BATCH = 16 };

struct word_batch {
	size_t n;
	struct {
		char word[WORD_CACHED]; /* zero-padded */
		struct word_slot *slot;
		size_t len;
		uint32_t flags;
	} v[WORD_BATCH];
};

static void
batch_add(struct word_batch *b, const char *word, size_t len, uint32_t flags)
{
	struct word_slot *slot = word_slot_of(word);

	__builtin_prefetch(slot);
	memcpy(b->v[b->n].word, word, WORD_CACHED);
	b->v[b->n].slot = slot;
	b->v[b->n].len = len;
	b->v[b->n].flags = flags;
	b->n++;
}

/*
 * Looks the batch's words up and appends them, in order, as
 * text_tokenize() would have one by one; false when max_tokens were
 * reached (the rest is dropped).
 */
static bool
batch_flush(struct word_batch *b, struct text_tokens *out, int flags,
	    size_t max_tokens, size_t *added)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct word_slot *slot =
			word_lookup(b->v[i].slot, b->v[i].word, b->v[i].len);

		if (slot->stop && (flags & TEXT_STOPWORDS))
			continue;
		if (max_tokens && out->count >= max_tokens) {
			b->n = 0;
			return false;
		}
		tokens_push_cached(out, b->v[i].word, b->v[i].len, slot, flags,
				   b->v[i].flags);
		(*added)++;
	}
	b->n = 0;
	return true;
}

size_t
text_tokenize(struct text_tokens *out, const char *text, size_t n, int flags,
	      size_t max_tokens)
{
	const unsigned char *s = (const unsigned char *)text;
	/* The word, and room to zero-pad a cached one. */
	char word[TEXT_TOKEN_MAX + WORD_CACHED];
	struct word_batch batch;
	size_t wlen = 0, added = 0, i = 0;
	uint32_t wflags = 0;
	bool in_word = false, sentence_start = true;

	batch.n = 0;
	/* One step past the end flushes the last word; NUL separates. */
	while (i <= n) {
		unsigned char c = i < n ? s[i] : 0;
		uint32_t cp;
		size_t step = 1;
		char enc[8];
		const char *piece = NULL;
		size_t piece_len = 0;
		bool upper = false, letter = false;

		if (c == 0)
			goto end_word;
		if (c < 0x80 && is_ascii_alnum(c)) {
			/* ASCII letters and digits: the whole run at once. */
			if (!in_word) {
				in_word = true;
				if (c >= 'A' && c <= 'Z')
					wflags = sentence_start ? 0
								: TOKEN_CAPITAL;
				else
					wflags = is_digit(c) ? 0 : TOKEN_LOWER;
				sentence_start = false;
			}
			do {
				if (is_digit(c))
					wflags |= TOKEN_NUMBER;
				/* Digits have the case bit set already. */
				if (wlen < TEXT_TOKEN_MAX)
					word[wlen++] = (char)(c | 0x20);
			} while (++i < n && is_ascii_alnum(c = s[i]));
			continue;
		}
		if (c < 0x80) {
			if (c >= 'a' && c <= 'z') {
				letter = true;
			} else if (c >= 'A' && c <= 'Z') {
				letter = true;
				upper = true;
				c = (unsigned char)(c - 'A' + 'a');
			} else if (is_digit(c)) {
				letter = true;
			} else if (in_word && (c == '.' || c == ',') && wlen &&
				   is_digit((unsigned char)word[wlen - 1]) &&
				   i + 1 < n && is_digit(s[i + 1])) {
				/* 41.2 keeps its point; 9,200 joins up. */
				if (c == '.' && wlen < TEXT_TOKEN_MAX)
					word[wlen++] = '.';
				i++;
				continue;
			} else if (in_word && c == '\'') {
				goto apostrophe;
			}
			if (letter) {
				enc[0] = (char)c;
				piece = enc;
				piece_len = 1;
			}
		} else {
			step = utf8_decode(s + i, n - i, &cp);
			if (cp == 0x2019 && in_word)
				goto apostrophe;
			if (cp >= 0x300 && cp <= 0x36F) {
				/* A combining mark: part of the word, dropped.
				 */
				i += step;
				continue;
			}
			if (cp != 0xFFFD && !is_separator(cp)) {
				const struct fold_range *f = find_fold(cp);

				letter = true;
				if (f) {
					upper = latin_is_upper(cp);
					piece = f->fold;
					piece_len = strlen(f->fold);
				} else {
					cp = other_lower(cp, &upper);
					piece_len = utf8_encode(cp, enc);
					piece = enc;
				}
			}
		}
		if (letter) {
			if (!in_word) {
				in_word = true;
				wflags = 0;
				if (upper)
					wflags |= sentence_start
							  ? 0
							  : TOKEN_CAPITAL;
				else if (!(c < 0x80 && is_digit(c)))
					wflags |= TOKEN_LOWER;
				sentence_start = false;
			}
			if (c < 0x80 && is_digit(c))
				wflags |= TOKEN_NUMBER;
			if (wlen + piece_len <= TEXT_TOKEN_MAX) {
				memcpy(word + wlen, piece, piece_len);
				wlen += piece_len;
			}
			i += step;
			continue;
		}
		/* A separator. */
		if (c < 0x80 &&
		    (c == '.' || c == '!' || c == '?' || c == ':' || c == '\n'))
			sentence_start = true;
		goto end_word;
	apostrophe:
		/* "'s" at the end of a word is dropped; else the word goes on.
		 */
		{
			size_t next = i + step;

			if (next < n && (s[next] == 's' || s[next] == 'S') &&
			    !starts_word(s, n, next + 1)) {
				i = next + 1;
				goto end_word_at;
			}
			if (starts_word(s, n, next)) {
				i = next;
				continue;
			}
		}
		goto end_word;
	end_word:
		i += step;
	end_word_at:
		/* Lone letters carry nothing; lone digits may. */
		if (in_word && wlen > 0 &&
		    (wlen > 1 || is_digit((unsigned char)word[0]))) {
			if (wlen <= WORD_CACHED) {
				memset(word + wlen, 0, WORD_CACHED);
				batch_add(&batch, word, wlen, wflags);
				if (batch.n == WORD_BATCH &&
				    !batch_flush(&batch, out, flags, max_tokens,
						 &added))
					return added;
			} else {
				/* Too long for the cache: in its turn. */
				if (!batch_flush(&batch, out, flags, max_tokens,
						 &added))
					return added;
				if (!(text_is_stopword(word, wlen) &&
				      (flags & TEXT_STOPWORDS))) {
					if (max_tokens &&
					    out->count >= max_tokens)
						return added;
					tokens_push(out, word, wlen, flags,
						    wflags);
					added++;
				}
			}
		}
		in_word = false;
		wlen = 0;
	}
	batch_flush(&batch, out, flags, max_tokens, &added);
	return added;
}
