/*
 * stem.c — a light English stemmer after M. F. Porter, "An algorithm for
 * suffix stripping", Program 14(3), 1980: five steps of suffix rules, each
 * allowed only when what remains is long enough (its "measure", the number
 * of vowel-consonant sequences). "evacuated", "evacuation" and "evacuate"
 * all become "evacu"; "strikes" and "striking" become "strike" and "strike".
 */
#include "common.h"

#include "text/text.h"

struct stemmer {
	char *b; /* the word, modified in place */
	int k;	 /* index of its last letter */
	int j;	 /* end of the stem before the suffix being tested */
};

static bool
is_cons(const struct stemmer *z, int i)
{
	switch (z->b[i]) {
	case 'a':
	case 'e':
	case 'i':
	case 'o':
	case 'u':
		return false;
	case 'y':
		return i == 0 ? true : !is_cons(z, i - 1);
	default:
		return true;
	}
}

/* The measure of b[0..j]: how many vowel-consonant sequences it has. */
static int
measure(const struct stemmer *z)
{
	int n = 0, i = 0;

	for (;;) {
		if (i > z->j)
			return n;
		if (!is_cons(z, i))
			break;
		i++;
	}
	i++;
	for (;;) {
		for (;;) {
			if (i > z->j)
				return n;
			if (is_cons(z, i))
				break;
			i++;
		}
		i++;
		n++;
		for (;;) {
			if (i > z->j)
				return n;
			if (!is_cons(z, i))
				break;
			i++;
		}
		i++;
	}
}

static bool
vowel_in_stem(const struct stemmer *z)
{
	int i;

	for (i = 0; i <= z->j; i++)
		if (!is_cons(z, i))
			return true;
	return false;
}

static bool
double_cons(const struct stemmer *z, int i)
{
	return i >= 1 && z->b[i] == z->b[i - 1] && is_cons(z, i);
}

/* consonant-vowel-consonant ending at i, the last not w, x or y. */
static bool
cvc(const struct stemmer *z, int i)
{
	char c;

	if (i < 2 || !is_cons(z, i) || is_cons(z, i - 1) || !is_cons(z, i - 2))
		return false;
	c = z->b[i];
	return c != 'w' && c != 'x' && c != 'y';
}

/* Does the word end in suffix (len letters)? Sets j before it if so. */
static bool
ends_n(struct stemmer *z, const char *suffix, int len)
{
	if (len > z->k + 1 || z->b[z->k] != suffix[len - 1])
		return false;
	if (memcmp(z->b + z->k - len + 1, suffix, (size_t)len))
		return false;
	z->j = z->k - len;
	return true;
}

#define ends(z, lit) ends_n((z), (lit), (int)sizeof(lit) - 1)

/* Replaces b[j+1..k] with s (len letters). */
static void
set_to_n(struct stemmer *z, const char *s, int len)
{
	memcpy(z->b + z->j + 1, s, (size_t)len);
	z->k = z->j + len;
}

#define set_to(z, lit) set_to_n((z), (lit), (int)sizeof(lit) - 1)

/* Plurals and -ed, -ing: caresses -> caress, ponies -> poni, hopping -> hop. */
static void
step1ab(struct stemmer *z)
{
	if (z->b[z->k] == 's') {
		if (ends(z, "sses"))
			z->k -= 2;
		else if (ends(z, "ies"))
			set_to(z, "i");
		else if (z->b[z->k - 1] != 's')
			z->k--;
	}
	if (ends(z, "eed")) {
		if (measure(z) > 0)
			z->k--;
	} else if ((ends(z, "ed") || ends(z, "ing")) && vowel_in_stem(z)) {
		z->k = z->j;
		if (ends(z, "at")) {
			set_to(z, "ate");
		} else if (ends(z, "bl")) {
			set_to(z, "ble");
		} else if (ends(z, "iz")) {
			set_to(z, "ize");
		} else if (double_cons(z, z->k)) {
			char c = z->b[z->k];

			if (c != 'l' && c != 's' && c != 'z')
				z->k--;
		} else {
			z->j = z->k;
			if (measure(z) == 1 && cvc(z, z->k)) {
				z->j = z->k;
				set_to(z, "e");
			}
		}
	}
}

/* A final y after a vowel in the stem becomes i: happy -> happi. */
static void
step1c(struct stemmer *z)
{
	if (ends(z, "y") && vowel_in_stem(z))
		z->b[z->k] = 'i';
}

struct rule {
	const char *suffix;	 /* what the word ends with */
	const char *replacement; /* what it becomes */
	int suffix_len;		 /* strlen(suffix) */
	int replacement_len;	 /* strlen(replacement) */
};

struct suffix {
	const char *text; /* the suffix */
	int len;	  /* strlen(text) */
};

#define RULE(from, to)                                                         \
	{                                                                      \
		from, to, (int)sizeof(from) - 1, (int)sizeof(to) - 1           \
	}
#define SUFFIX(text)                                                           \
	{                                                                      \
		text, (int)sizeof(text) - 1                                    \
	}

/* clang-format off */
static const struct rule step2_rules[] = {
	RULE("ational", "ate"), RULE("tional", "tion"), RULE("enci", "ence"),
	RULE("anci", "ance"), RULE("izer", "ize"), RULE("bli", "ble"), RULE("alli", "al"),
	RULE("entli", "ent"), RULE("eli", "e"), RULE("ousli", "ous"), RULE("ization", "ize"),
	RULE("ation", "ate"), RULE("ator", "ate"), RULE("alism", "al"),
	RULE("iveness", "ive"), RULE("fulness", "ful"), RULE("ousness", "ous"),
	RULE("aliti", "al"), RULE("iviti", "ive"), RULE("biliti", "ble"), RULE("logi", "log"),
};

static const struct rule step3_rules[] = {
	RULE("icate", "ic"), RULE("ative", ""), RULE("alize", "al"), RULE("iciti", "ic"),
	RULE("ical", "ic"), RULE("ful", ""), RULE("ness", ""),
};

static const struct suffix step4_suffixes[] = {
	SUFFIX("al"), SUFFIX("ance"), SUFFIX("ence"), SUFFIX("er"), SUFFIX("ic"), SUFFIX("able"), SUFFIX("ible"), SUFFIX("ant"), SUFFIX("ement"),
	SUFFIX("ment"), SUFFIX("ent"), SUFFIX("ion"), SUFFIX("ou"), SUFFIX("ism"), SUFFIX("ate"), SUFFIX("iti"), SUFFIX("ous"), SUFFIX("ive"), SUFFIX("ize"),
};
/* clang-format on */

/* Double suffixes to single ones, when the stem is long enough. */
static void
apply_rules(struct stemmer *z, const struct rule *rules, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		/* Most rules fail on the last letter: test it inline. */
		if (rules[i].suffix[rules[i].suffix_len - 1] != z->b[z->k])
			continue;
		if (ends_n(z, rules[i].suffix, rules[i].suffix_len)) {
			if (measure(z) > 0)
				set_to_n(z, rules[i].replacement,
					 rules[i].replacement_len);
			return;
		}
	}
}

/* -ant, -ence and the like go when the stem has measure > 1. */
static void
step4(struct stemmer *z)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(step4_suffixes); i++) {
		const struct suffix *suffix = &step4_suffixes[i];

		if (suffix->text[suffix->len - 1] != z->b[z->k] ||
		    !ends_n(z, suffix->text, suffix->len))
			continue;
		/* The first suffix that matches decides, even when its
		 * measure is too low ("ement" before "ment" before "ent"). */
		if (suffix->len == 3 && !memcmp(suffix->text, "ion", 3) &&
		    (z->j < 0 || (z->b[z->j] != 's' && z->b[z->j] != 't')))
			return;
		if (measure(z) > 1)
			z->k = z->j;
		return;
	}
}

/* A final -e goes, and -ll becomes -l, on long enough stems. */
static void
step5(struct stemmer *z)
{
	z->j = z->k;
	if (z->b[z->k] == 'e') {
		int m = measure(z);

		if (m > 1 || (m == 1 && !cvc(z, z->k - 1)))
			z->k--;
	}
	if (z->b[z->k] == 'l' && double_cons(z, z->k) && measure(z) > 1)
		z->k--;
}

static size_t
stem_steps(char *word, size_t len)
{
	struct stemmer z;

	z.b = word;
	z.k = (int)len - 1;
	z.j = 0;
	step1ab(&z);
	if (z.k > 0) {
		step1c(&z);
		apply_rules(&z, step2_rules, ARRAY_SIZE(step2_rules));
		apply_rules(&z, step3_rules, ARRAY_SIZE(step3_rules));
		step4(&z);
		step5(&z);
	}
	return (size_t)z.k + 1;
}

/* The tokeniser keeps what it stemmed in a cache of its own (token.c). */
size_t
text_stem(char *word, size_t len)
{
	size_t i;

	if (len <= 2 || len > TEXT_TOKEN_MAX)
		return len;
	for (i = 0; i < len; i++)
		if (word[i] < 'a' || word[i] > 'z')
			return len;
	return stem_steps(word, len);
}
