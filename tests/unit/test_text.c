/*
 * test_text.c — tokeniser, stemmer, term vectors, simhash and title
 * similarity.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <math.h>

#include "text/text.h"

/* Joins the surface (or stem) forms of text's tokens with spaces. */
static char *
joined(const char *text, int flags, bool stems)
{
	struct text_tokens t;
	size_t i, len = 0;
	char *out = xmalloc(strlen(text) * 2 + 2);

	text_tokens_init(&t);
	text_tokenize(&t, text, strlen(text), flags, 0);
	out[0] = '\0';
	for (i = 0; i < t.count; i++) {
		const char *w = stems ? text_token_stem(&t, i)
				      : text_token_surface(&t, i);
		size_t n = strlen(w);

		if (i)
			out[len++] = ' ';
		memcpy(out + len, w, n);
		len += n;
		out[len] = '\0';
	}
	text_tokens_release(&t);
	return out;
}

/* clang-format off */
static const struct {
	const char *in;
	int flags;
	const char *want;
} token_cases[] = {
	{"Hello, World!", 0, "hello world"},
	{"The port's strike ENDS", 0, "the port strike ends"},
	{"Okafor’s union", 0, "okafor union"},
	{"don't stop", 0, "dont stop"},
	{"four-year contract", 0, "four year contract"},
	{"41.2 °C at 9,200 sites; 14% rise", 0, "41.2 at 9200 sites 14 rise"},
	{"2:00:41 and 2-1", 0, "2 00 41 and 2 1"},
	{"Tomás Ebbe, Zürich, Øresund, Straße", 0,
	 "tomas ebbe zurich oresund strasse"},
	{"Łódź Ćwierć", 0, "lodz cwierc"},
	{"cafe\xcc\x81 noir", 0, "cafe noir"},	   /* combining acute */
	{"ΑΘΗΝΑ Москва", 0, "αθηνα москва"},
	{"東京 news", 0, "東京 news"},
	{"a b c x1 R-41", 0, "x1 41"},
	{"bad \xff\xfe bytes\xc3", 0, "bad bytes"},
	{"“Quoted” — dash…end", 0, "quoted dash end"},
	{"The strike at the port", TEXT_STOPWORDS, "strike port"},
	{"Dockworkers ended their strikes", TEXT_STOPWORDS | TEXT_STEM,
	 "dockwork end strike"},
	{"", 0, ""},
	{"  ... !!! ", 0, ""},
};

static const struct {
	const char *word;
	const char *stem;
} stem_cases[] = {
	{"caresses", "caress"}, {"ponies", "poni"}, {"ties", "ti"},
	{"caress", "caress"}, {"cats", "cat"}, {"feed", "feed"},
	{"agreed", "agre"}, {"plastered", "plaster"}, {"bled", "bled"},
	{"motoring", "motor"}, {"sing", "sing"}, {"conflated", "conflat"},
	{"troubled", "troubl"}, {"sized", "size"}, {"hopping", "hop"},
	{"tanned", "tan"}, {"falling", "fall"}, {"hissing", "hiss"},
	{"fizzed", "fizz"}, {"failing", "fail"}, {"filing", "file"},
	{"happy", "happi"}, {"sky", "sky"}, {"relational", "relat"},
	{"conditional", "condit"}, {"rational", "ration"},
	{"digitizer", "digit"}, {"radicalli", "radic"},
	{"differentli", "differ"}, {"vileli", "vile"},
	{"analogousli", "analog"}, {"vietnamization", "vietnam"},
	{"predication", "predic"}, {"operator", "oper"},
	{"feudalism", "feudal"}, {"decisiveness", "decis"},
	{"hopefulness", "hope"}, {"callousness", "callous"},
	{"formaliti", "formal"}, {"sensitiviti", "sensit"},
	{"sensibiliti", "sensibl"}, {"triplicate", "triplic"},
	{"formative", "form"}, {"formalize", "formal"},
	{"electriciti", "electr"}, {"electrical", "electr"},
	{"hopeful", "hope"}, {"goodness", "good"}, {"revival", "reviv"},
	{"allowance", "allow"}, {"inference", "infer"},
	{"airliner", "airlin"}, {"gyroscopic", "gyroscop"},
	{"adjustable", "adjust"}, {"defensible", "defens"},
	{"irritant", "irrit"}, {"replacement", "replac"},
	{"adjustment", "adjust"}, {"dependent", "depend"},
	{"adoption", "adopt"}, {"communism", "commun"},
	{"activate", "activ"}, {"angulariti", "angular"},
	{"homologous", "homolog"}, {"effective", "effect"},
	{"bowdlerize", "bowdler"}, {"probate", "probat"}, {"rate", "rate"},
	{"cease", "ceas"}, {"controll", "control"}, {"roll", "roll"},
	{"generalizations", "gener"}, {"oscillators", "oscil"},
	{"evacuated", "evacu"}, {"evacuation", "evacu"},
	{"is", "is"}, {"x9y", "x9y"}, {"naïve", "naïve"},
};
/* clang-format on */

Test(text, tokenize_table)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(token_cases); i++) {
		char *got = joined(token_cases[i].in, token_cases[i].flags,
				   token_cases[i].flags & TEXT_STEM);

		cr_expect_str_eq(got, token_cases[i].want, "case %zu: '%s'", i,
				 token_cases[i].in);
		free(got);
	}
}

Test(text, stem_table)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stem_cases); i++) {
		char w[TEXT_TOKEN_MAX + 1];
		size_t len = strlen(stem_cases[i].word);

		memcpy(w, stem_cases[i].word, len + 1);
		len = text_stem(w, len);
		w[len] = '\0';
		cr_expect_str_eq(w, stem_cases[i].stem, "stem of '%s'",
				 stem_cases[i].word);
	}
}

Test(text, stopwords)
{
	cr_expect(text_is_stopword("the", 3));
	cr_expect(text_is_stopword("dont", 4));
	cr_expect(text_is_stopword("said", 4));
	cr_expect_not(text_is_stopword("strike", 6));
	cr_expect_not(text_is_stopword("", 0));
	cr_expect_not(text_is_stopword("themselvesxxxx", 14));
}

Test(text, token_flags_and_limits)
{
	struct text_tokens t;
	char longword[200];

	text_tokens_init(&t);
	text_tokenize(&t, "Union leader Maren Okafor said. Strike 2029 8", 45,
		      0, 0);
	cr_assert_eq(t.count, 8);
	cr_expect(t.items[0].flags == 0, "sentence start is not a capital");
	cr_expect(t.items[1].flags & TOKEN_LOWER);
	cr_expect(t.items[2].flags & TOKEN_CAPITAL);
	cr_expect(t.items[3].flags & TOKEN_CAPITAL);
	cr_expect_not(t.items[5].flags & TOKEN_CAPITAL, "after a full stop");
	cr_expect(t.items[6].flags & TOKEN_NUMBER);

	/* max_tokens counts the whole list. */
	text_tokens_reset(&t);
	cr_expect_eq(text_tokenize(&t, "one two three four", 18, 0, 2), 2);
	cr_expect_eq(text_tokenize(&t, "five", 4, 0, 2), 0);

	/* Overlong words are cut, not split. */
	text_tokens_reset(&t);
	memset(longword, 'q', sizeof(longword) - 1);
	longword[sizeof(longword) - 1] = '\0';
	text_tokenize(&t, longword, strlen(longword), TEXT_STEM, 0);
	cr_assert_eq(t.count, 1);
	cr_expect_eq(strlen(text_token_surface(&t, 0)), TEXT_TOKEN_MAX);
	text_tokens_release(&t);
}

static void
vec_of(struct text_vec *v, const char *text)
{
	struct text_tokens t;

	text_tokens_init(&t);
	text_tokenize(&t, text, strlen(text), TEXT_STOPWORDS | TEXT_STEM, 0);
	text_vec_init(v);
	text_vec_build(v, &t, NULL);
	text_tokens_release(&t);
}

static const char strike_a[] =
	"Dockworkers at the Port of Eastmere ended a 12-day strike on Monday "
	"after accepting a four-year contract with a 14% pay rise. Union "
	"leader Maren Okafor said 37 ships had waited offshore.";
static const char strike_b[] =
	"The Harbour and Transport Union called off its strike at Eastmere "
	"port, where 37 vessels were stuck offshore, once members voted for "
	"a 14% rise over four years, Maren Okafor told reporters.";
static const char floods[] =
	"The river Lowen burst its banks after three days of rain and 4,000 "
	"people were evacuated from Brackwater and Osterby, the regional "
	"governor Helga Marsh said, closing two bridges.";

Test(text, cosine)
{
	struct text_vec a, b, c, empty;

	vec_of(&a, strike_a);
	vec_of(&b, strike_b);
	vec_of(&c, floods);
	vec_of(&empty, "");
	cr_expect_float_eq(text_cosine(&a, &a), 1.0, 1e-6);
	cr_expect_gt(text_cosine(&a, &b), 0.3, "same event: %f",
		     text_cosine(&a, &b));
	cr_expect_lt(text_cosine(&a, &c), 0.1, "unrelated: %f",
		     text_cosine(&a, &c));
	cr_expect_float_eq(text_cosine(&a, &b), text_cosine(&b, &a), 1e-9);
	cr_expect_eq(text_cosine(&a, &empty), 0);
	text_vec_release(&a);
	text_vec_release(&b);
	text_vec_release(&c);
	text_vec_release(&empty);
}

Test(text, idf_callback_drops_and_weighs)
{
	struct text_tokens t;
	struct text_vec v;
	size_t top[3], n;

	text_tokens_init(&t);
	text_vec_init(&v);
	text_tokenize(&t, strike_a, strlen(strike_a),
		      TEXT_STOPWORDS | TEXT_STEM, 0);
	text_vec_build(&v, &t, NULL);
	n = text_vec_top(&v, 3, top);
	cr_assert_eq(n, 3);
	/* Proper nouns and numbers lead the fixed estimate. */
	cr_expect(t.items[v.terms[top[0]].token].flags &
		  (TOKEN_CAPITAL | TOKEN_NUMBER));
	cr_expect_geq(v.terms[top[0]].weight, v.terms[top[1]].weight);
	cr_expect_geq(v.terms[top[1]].weight, v.terms[top[2]].weight);
	cr_expect_eq(text_vec_top(&v, 0, top), 0);
	text_vec_release(&v);
	text_tokens_release(&t);
}

static double
only_strike(void *ctx, const char *stem, size_t len, uint64_t hash)
{
	(void)ctx;
	(void)hash;
	return len == 6 && !memcmp(stem, "strike", 6) ? 3.0 : 0;
}

Test(text, idf_callback)
{
	struct text_tokens t;
	struct text_vec v;
	struct text_idf idf = {only_strike, NULL};

	text_tokens_init(&t);
	text_vec_init(&v);
	text_tokenize(&t, "strike strikes striking port", 28, TEXT_STEM, 0);
	text_vec_build(&v, &t, &idf);
	cr_assert_eq(v.count, 1);
	cr_expect_eq(v.terms[0].count, 3);
	cr_expect_float_eq(v.terms[0].weight, 3.0 * (1 + log(3.0)), 1e-4);
	text_vec_release(&v);
	text_tokens_release(&t);
}

static uint64_t
simhash_of(const char *text)
{
	struct text_tokens t;
	uint64_t h;

	text_tokens_init(&t);
	text_tokenize(&t, text, strlen(text), TEXT_STOPWORDS | TEXT_STEM, 0);
	h = text_simhash(&t);
	text_tokens_release(&t);
	return h;
}

Test(text, simhash)
{
	char copy[sizeof(strike_a) + sizeof(strike_b) + 8];
	char edited[sizeof(copy)];
	uint64_t h1, h2, h3;

	snprintf(copy, sizeof(copy), "%s %s", strike_a, strike_b);
	memcpy(edited, copy, sizeof(copy));
	memcpy(strstr(edited, "Monday"), "Sunday", 6);
	h1 = simhash_of(copy);
	h2 = simhash_of(edited);
	h3 = simhash_of(floods);
	cr_expect_leq(text_hamming(h1, h2), 8, "near copy: %d bits",
		      text_hamming(h1, h2));
	cr_expect_geq(text_hamming(h1, h3), 16, "unrelated: %d bits",
		      text_hamming(h1, h3));
	cr_expect_eq(simhash_of(""), 0);
	cr_expect_neq(simhash_of("word"), 0);
	cr_expect_eq(text_hamming(0, ~0ULL), 64);
}

/* clang-format off */
static const struct {
	const char *a, *b;
	double min, max;
} title_cases[] = {
	{"Eastmere port strike ends", "Eastmere Port Strike Ends", 1, 1},
	{"Port strike ends after 12 days", "Strikes at port ended", 0.3, 0.8},
	{"Eastmere dockworkers end strike", "Lowen valley floods", 0, 0},
	{"", "", 0, 0},
	{"The", "A", 0, 0},
};
/* clang-format on */

Test(text, title_similarity)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(title_cases); i++) {
		double got = text_title_similarity(title_cases[i].a,
						   title_cases[i].b);

		cr_expect(got >= title_cases[i].min - 1e-9 &&
				  got <= title_cases[i].max + 1e-9,
			  "'%s' ~ '%s' = %f", title_cases[i].a,
			  title_cases[i].b, got);
	}
}

Test(text, random_bytes)
{
	struct text_tokens t;
	unsigned char buf[512];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t round, i;

	text_tokens_init(&t);
	for (round = 0; round < 2000; round++) {
		for (i = 0; i < sizeof(buf); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* Mostly letters and UTF-8 lead bytes. */
			buf[i] = (unsigned char)(x % 5 ? 'a' + x % 26
						       : 0x80 + (x >> 8) % 128);
		}
		text_tokens_reset(&t);
		text_tokenize(&t, (const char *)buf, (size_t)(x % sizeof(buf)),
			      TEXT_STOPWORDS | TEXT_STEM, 0);
		for (i = 0; i < t.count; i++) {
			cr_assert_leq(t.items[i].surface_len, TEXT_TOKEN_MAX);
			cr_assert_leq(t.items[i].stem_len,
				      t.items[i].surface_len + 1);
			cr_assert_eq(strlen(text_token_surface(&t, i)),
				     t.items[i].surface_len);
		}
		(void)text_simhash(&t);
	}
	text_tokens_release(&t);
}

Test(text, stopword_list_ends)
{
	static const char *const words[] = {"a",	"about", "wednesday",
					    "yourself", "may",	 "themselves"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		cr_expect(text_is_stopword(words[i], strlen(words[i])), "%s",
			  words[i]);
}

/* ---- Pinned output -------------------------------------------------------
 *
 * Stems, hashes and weights end up in stored features, so the tokeniser,
 * the stemmer, the stop words and the term vectors must give what they
 * gave when the features were first stored: a digest of every field of
 * every token and term of these texts, taken from the code as it was
 * then.
 */

static void
fnv_add(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		*h ^= s[i];
		*h *= 0x100000001b3ULL;
	}
}

/* Adds v as n little-endian bytes. */
static void
fnv_add_le(uint64_t *h, uint64_t v, size_t n)
{
	unsigned char b[8];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	fnv_add(h, b, n);
}

/* The digest of the tokens, vector and simhash of text under flags. */
static uint64_t
tokens_digest(const char *text, int flags, size_t max_tokens, size_t *count)
{
	struct text_tokens t;
	struct text_vec v;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	text_tokens_init(&t);
	text_vec_init(&v);
	text_tokenize(&t, text, strlen(text), flags, max_tokens);
	for (i = 0; i < t.count; i++) {
		const struct text_token *tok = &t.items[i];

		fnv_add(&h, text_token_surface(&t, i), tok->surface_len + 1u);
		fnv_add(&h, text_token_stem(&t, i), tok->stem_len + 1u);
		fnv_add_le(&h, tok->flags, 4);
		fnv_add_le(&h, tok->hash, 8);
	}
	text_vec_build(&v, &t, NULL);
	for (i = 0; i < v.count; i++) {
		uint32_t w;

		memcpy(&w, &v.terms[i].weight, sizeof(w));
		fnv_add_le(&h, v.terms[i].hash, 8);
		fnv_add_le(&h, w, 4);
		fnv_add_le(&h, v.terms[i].token, 4);
		fnv_add_le(&h, v.terms[i].count, 4);
		fnv_add_le(&h, v.terms[i].flags, 4);
	}
	fnv_add_le(&h, text_simhash(&t), 8);
	*count = t.count;
	text_vec_release(&v);
	text_tokens_release(&t);
	return h;
}

static const char pinned_mixed[] =
	"Zürich’s Øresund deal: 41.2% for ΑΘΗΝΑ. Tomás Ebbe’s Straße "
	"café\xcc\x81 reopened; 9,200 visitors in Łódź and Москва didn't "
	"mind. “Quoted” — dash… 東京 news, R-41 x9y \xff\xfe bad bytes. "
	"The port's strike: themselves yourself about yesterday wont can't "
	"Okafor's 'quoted' rock'n'roll 3.14.15 1,2,3 ,5 5. a. I. "
	"internationalization relational hopping generalizations conditional "
	"agreed plastered motoring caresses ponies happy sky digitizer "
	"oscillators evacuated ĲSSEL ĸ ŉ ſ Ÿ Āā Ĳĳ Ǆ ǅ ǆ ﬁ ℃ ½ ² ⅷ ᴀ "
	"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
	"qqqqqqqqqqq éééééééééééééééééééééééééééééééééééééééééééé ABCDEFGHIJ"
	"KLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ";

Test(text, tokens_pinned)
{
	/* clang-format off */
	static const struct {
		const char *text;
		int flags;
		size_t max_tokens;
		size_t count;
		uint64_t digest;
	} cases[] = {
		{strike_a, 0, 0, 31,
		 0xf57f741b8a842f45ULL},
		{strike_a, TEXT_STOPWORDS, 0, 22,
		 0x93169efdd0633e0fULL},
		{strike_a, TEXT_STEM, 0, 31,
		 0x75d1cc14ec0a0fb8ULL},
		{strike_a, TEXT_STOPWORDS | TEXT_STEM, 0, 22,
		 0x9f28a75c17cdc3c0ULL},
		{strike_b, TEXT_STOPWORDS | TEXT_STEM, 0, 20,
		 0x42fa71be39939fc1ULL},
		{floods, TEXT_STOPWORDS | TEXT_STEM, 0, 19,
		 0x0803634ab3149d61ULL},
		{floods, TEXT_STOPWORDS | TEXT_STEM, 7, 7,
		 0xd78fa478642fa96aULL},
		{pinned_mixed, 0, 0, 69,
		 0xe74cc4f132b767b7ULL},
		{pinned_mixed, TEXT_STOPWORDS, 0, 59,
		 0x066366148eff77b4ULL},
		{pinned_mixed, TEXT_STEM, 0, 69,
		 0xfa2fc4d3ef8549deULL},
		{pinned_mixed, TEXT_STOPWORDS | TEXT_STEM, 0, 59,
		 0xa44e17a7c4782155ULL},
		{pinned_mixed, TEXT_STOPWORDS | TEXT_STEM, 30, 30,
		 0x197d57504d392c51ULL},
		{"", TEXT_STOPWORDS | TEXT_STEM, 0, 0,
		 0xa8c7f832281a39c5ULL},
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t count;
		uint64_t got = tokens_digest(cases[i].text, cases[i].flags,
					     cases[i].max_tokens, &count);

		cr_expect(count == cases[i].count && got == cases[i].digest,
			  "case %zu: got %zu, 0x%016" PRIx64 "ULL", i, count,
			  got);
	}
}

/* The tokeniser keeps what it made of recent words per thread: a word
 * stemmed again, after thousands of others have gone through the same
 * slots, and words longer than what is cached, stem exactly as the first
 * time; so do the tokens of a text tokenised again. */
Test(text, stem_cache_repeats)
{
	static const char letters[] = "etaoinshrdlcumwfgypbvk";
	char w[TEXT_TOKEN_MAX + 1];
	char(*first)[32] = xcalloc(20000, sizeof(*first));
	size_t round, i, len;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < ARRAY_SIZE(stem_cases); i++) {
			len = strlen(stem_cases[i].word);
			memcpy(w, stem_cases[i].word, len + 1);
			len = text_stem(w, len);
			w[len] = '\0';
			cr_assert_str_eq(w, stem_cases[i].stem,
					 "round %zu: stem of '%s'", round,
					 stem_cases[i].word);
		}
		/* 20,000 made-up words through the cache's slots, as words
		 * of a text and alone. */
		for (i = 0; i < 20000; i++) {
			size_t k, n = 3 + (i * 7) % 26, x = i * 2654435761u;
			struct text_tokens t;

			for (k = 0; k < n; k++, x = x * 1103515245u + 12345)
				w[k] = letters[(x >> 16) %
					       (sizeof(letters) - 1)];
			text_tokens_init(&t);
			text_tokenize(&t, w, n, TEXT_STOPWORDS | TEXT_STEM, 0);
			n = text_stem(w, n);
			w[n] = '\0';
			if (t.count) {
				cr_assert_str_eq(text_token_stem(&t, 0), w);
				cr_assert_eq(t.items[0].hash, text_hash(w, n));
			}
			text_tokens_release(&t);
			if (!round)
				memcpy(first[i], w, n + 1);
			else
				cr_assert_str_eq(w, first[i], "word %zu", i);
		}
		/* As pinned above (case 10). */
		cr_assert_eq(tokens_digest(pinned_mixed,
					   TEXT_STOPWORDS | TEXT_STEM, 0, &len),
			     0xa44e17a7c4782155ULL);
	}
	free(first);
	/* Longer than the cache holds: stemmed every time, the same. */
	memcpy(w, "internationalizationsations", 28);
	len = text_stem(w, 27);
	for (round = 0; round < 2; round++) {
		char again[TEXT_TOKEN_MAX + 1];
		size_t n;

		memcpy(again, "internationalizationsations", 28);
		n = text_stem(again, 27);
		cr_assert_eq(n, len);
		cr_assert(!memcmp(again, w, n));
	}
}
