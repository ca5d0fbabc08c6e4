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

static bool
ends(struct stemmer *z, const char *suffix)
{
	int len = (int)strlen(suffix);

	if (len > z->k + 1)
		return false;
	if (memcmp(z->b + z->k - len + 1, suffix, (size_t)len))
		return false;
	z->j = z->k - len;
	return true;
}

/* Replaces b[j+1..k] with s. */
static void
set_to(struct stemmer *z, const char *s)
{
	int len = (int)strlen(s);

	memcpy(z->b + z->j + 1, s, (size_t)len);
	z->k = z->j + len;
}

static void
replace_if_measured(struct stemmer *z, const char *s)
{
	if (measure(z) > 0)
		set_to(z, s);
}

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
	const char *suffix;
	const char *replacement;
};

/* clang-format off */
static const struct rule step2_rules[] = {
	{"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"},
	{"anci", "ance"}, {"izer", "ize"}, {"bli", "ble"}, {"alli", "al"},
	{"entli", "ent"}, {"eli", "e"}, {"ousli", "ous"}, {"ization", "ize"},
	{"ation", "ate"}, {"ator", "ate"}, {"alism", "al"},
	{"iveness", "ive"}, {"fulness", "ful"}, {"ousness", "ous"},
	{"aliti", "al"}, {"iviti", "ive"}, {"biliti", "ble"}, {"logi", "log"},
};

static const struct rule step3_rules[] = {
	{"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"},
	{"ical", "ic"}, {"ful", ""}, {"ness", ""},
};

static const char *const step4_suffixes[] = {
	"al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement",
	"ment", "ent", "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize",
};
/* clang-format on */

/* Double suffixes to single ones, when the stem is long enough. */
static void
apply_rules(struct stemmer *z, const struct rule *rules, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		if (ends(z, rules[i].suffix)) {
			replace_if_measured(z, rules[i].replacement);
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
		const char *suffix = step4_suffixes[i];

		if (!ends(z, suffix))
			continue;
		/* The first suffix that matches decides, even when its
		 * measure is too low ("ement" before "ment" before "ent"). */
		if (!strcmp(suffix, "ion") &&
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

size_t
text_stem(char *word, size_t len)
{
	struct stemmer z;
	size_t i;

	if (len <= 2 || len > TEXT_TOKEN_MAX)
		return len;
	for (i = 0; i < len; i++)
		if (word[i] < 'a' || word[i] > 'z')
			return len;
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
