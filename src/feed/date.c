/*
 * date.c — the dates that feeds write, to Unix seconds UTC.
 *
 * Two readers: a strict one for ISO 8601 / W3CDTF / RFC 3339 shapes, and a
 * token-based one for RFC 822 and everything looser (asctime, "Mon Jan 2
 * 2006", national month names). Anything we are unsure of is refused.
 */
#include "common.h"

#include <ctype.h>

#include "feed/feed.h"

/* Broken-down UTC time before validation. */
struct date_fields {
	int year, month, day;
	int hour, minute, second;
	int offset;	 /* seconds east of UTC */
	bool has_offset; /* a zone was given */
};

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static enum status
fields_to_time(const struct date_fields *f, int64_t *out)
{
	int64_t t;

	if (f->year < 1 || f->year > 9999 || f->month < 1 || f->month > 12 ||
	    f->day < 1 || f->day > days_in_month(f->year, f->month) ||
	    f->hour < 0 || f->hour > 24 || f->minute < 0 || f->minute > 59 ||
	    f->second < 0 || f->second > 60)
		return ST_PARSE;
	if (f->hour == 24 && (f->minute || f->second))
		return ST_PARSE;
	t = days_from_civil(f->year, f->month, f->day) * 86400 +
	    f->hour * 3600 + f->minute * 60 + f->second - f->offset;
	if (t == 0)
		t = 1; /* 0 means "no date" in the model */
	*out = t;
	return ST_OK;
}

static int
two_digit_year(int y)
{
	return y < 70 ? 2000 + y : 1900 + y;
}

/* Reads exactly n digits at *p into *v. */
static bool
digits(const char **p, int n, int *v)
{
	int i, x = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return true;
}

static size_t
digit_run(const char *p)
{
	size_t n = 0;

	while (isdigit((unsigned char)p[n]))
		n++;
	return n;
}

/* Reads "Z", "+hh", "+hhmm" or "+hh:mm" (also "-"); false on anything else. */
static bool
parse_offset(const char **pp, int *offset)
{
	const char *p = *pp;
	int sign, h, m = 0;
	size_t n;

	if (*p == 'Z' || *p == 'z') {
		*offset = 0;
		*pp = p + 1;
		return true;
	}
	if (*p != '+' && *p != '-')
		return false;
	sign = *p == '-' ? -1 : 1;
	p++;
	n = digit_run(p);
	if (n == 4) {
		if (!digits(&p, 2, &h) || !digits(&p, 2, &m))
			return false;
	} else if (n == 2 || n == 1) {
		if (!digits(&p, (int)n, &h))
			return false;
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &m))
				return false;
		}
	} else {
		return false;
	}
	if (h > 23 || m > 59)
		return false;
	*offset = sign * (h * 3600 + m * 60);
	*pp = p;
	return true;
}

/*
 * ISO 8601 and its profiles: 2003-12-31T10:14:55.12Z, 2003-12-31 10:14:55
 * -08:00, 20031231, 031231, 03-12-31, -0312, -03-12, 2003-335, 2003-12,
 * 2003. Returns false when s does not have one of these shapes.
 */
static bool
parse_iso(const char *s, struct date_fields *f)
{
	const char *p = s;
	int groups[4], lens[4], ngroups = 0;
	bool leading_dash = false;

	memset(f, 0, sizeof(*f));
	if (*p == '-') {
		leading_dash = true;
		p++;
	}
	for (;;) {
		size_t n = digit_run(p);

		if (!n || n > 8 || ngroups == 4)
			return false;
		lens[ngroups] = (int)n;
		if (!digits(&p, (int)n, &groups[ngroups]))
			return false;
		ngroups++;
		if (*p != '-')
			break;
		p++;
	}
	if (leading_dash) {
		/* -YYMM or -YY-MM */
		if (ngroups == 1 && lens[0] == 4) {
			f->year = two_digit_year(groups[0] / 100);
			f->month = groups[0] % 100;
		} else if (ngroups == 2 && lens[0] == 2 && lens[1] == 2) {
			f->year = two_digit_year(groups[0]);
			f->month = groups[1];
		} else {
			return false;
		}
		f->day = 1;
	} else if (ngroups == 1) {
		int v = groups[0];

		switch (lens[0]) {
		case 4:
			f->year = v;
			f->month = f->day = 1;
			break;
		case 6:
			f->year = two_digit_year(v / 10000);
			f->month = v / 100 % 100;
			f->day = v % 100;
			break;
		case 8:
			f->year = v / 10000;
			f->month = v / 100 % 100;
			f->day = v % 100;
			break;
		default:
			/* 5 or 7 digits (ordinal days) are too ambiguous. */
			return false;
		}
	} else if (ngroups == 2) {
		if (lens[0] != 4)
			return false;
		f->year = groups[0];
		if (lens[1] == 2) {
			f->month = groups[1];
			f->day = 1;
		} else if (lens[1] == 3) {
			/* Ordinal date: YYYY-DDD. */
			int doy = groups[1], m = 1;

			if (doy < 1 || doy > (is_leap(f->year) ? 366 : 365))
				return false;
			while (doy > days_in_month(f->year, m))
				doy -= days_in_month(f->year, m++);
			f->month = m;
			f->day = doy;
		} else {
			return false;
		}
	} else if (ngroups == 3) {
		if (lens[0] == 4)
			f->year = groups[0];
		else if (lens[0] == 2)
			f->year = two_digit_year(groups[0]);
		else
			return false;
		if (lens[1] > 3 || lens[2] > 2)
			return false;
		f->month = groups[1];
		f->day = groups[2];
	} else {
		return false;
	}

	if (*p == 'T' || *p == 't' ||
	    (*p == ' ' && isdigit((unsigned char)p[1]))) {
		size_t n;

		p++;
		n = digit_run(p);
		if (n == 6 || n == 4) {
			/* Basic format: hhmmss or hhmm. */
			if (!digits(&p, 2, &f->hour) ||
			    !digits(&p, 2, &f->minute))
				return false;
			if (n == 6 && !digits(&p, 2, &f->second))
				return false;
		} else if (n == 2 || n == 1) {
			if (!digits(&p, (int)n, &f->hour))
				return false;
			if (*p == ':') {
				p++;
				if (!digits(&p, 2, &f->minute))
					return false;
				if (*p == ':') {
					p++;
					if (!digits(&p, 2, &f->second))
						return false;
				}
			}
		} else {
			return false;
		}
		if (*p == '.' || *p == ',') {
			p++;
			if (!digit_run(p))
				return false;
			p += digit_run(p);
		}
		while (*p == ' ')
			p++;
		if (*p) {
			if (!parse_offset(&p, &f->offset))
				return false;
			f->has_offset = true;
		}
	}
	while (*p == ' ')
		p++;
	return *p == '\0';
}

/* clang-format off */
static const struct {
	const char *name; /* lower case */
	int month;	  /* 1..12 */
} month_names[] = {
	{"jan", 1}, {"feb", 2}, {"mar", 3}, {"apr", 4}, {"may", 5},
	{"jun", 6}, {"jul", 7}, {"aug", 8}, {"sep", 9}, {"oct", 10},
	{"nov", 11}, {"dec", 12},
	/* Greek abbreviations. */
	{"ιαν", 1}, {"φεβ", 2}, {"μάώ", 3}, {"μαρ", 3}, {"μάρ", 3},
	{"απρ", 4}, {"άπρ", 4}, {"μάι", 5}, {"μαϊ", 5}, {"μαι", 5},
	{"ιούν", 6}, {"ιον", 6}, {"ιούλ", 7}, {"ιολ", 7}, {"αύγ", 8},
	{"αυγ", 8}, {"σεπ", 9}, {"οκτ", 10}, {"νοέ", 11}, {"νοε", 11},
	{"δεκ", 12},
	/* Hungarian. */
	{"január", 1}, {"február", 2}, {"március", 3}, {"április", 4},
	{"május", 5}, {"június", 6}, {"július", 7}, {"augusztus", 8},
	{"szeptember", 9}, {"október", 10}, {"november", 11},
	{"december", 12},
};

static const char *const english_months[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
};

static const char *const day_names[] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
	"sunday",
	"κυρ", "δευ", "τρί", "τρι", "τετ", "πέμ", "πεμ", "παρ", "σάβ", "σαβ",
	"etc", "the", "of", "on",
};

static const struct {
	const char *name; /* lower case */
	int hours;	  /* offset east of UTC, in hours */
	int minutes;	  /* and minutes */
} zone_names[] = {
	{"z", 0, 0}, {"ut", 0, 0}, {"utc", 0, 0}, {"gmt", 0, 0},
	{"wet", 0, 0}, {"west", 1, 0}, {"bst", 1, 0},
	{"est", -5, 0}, {"edt", -4, 0}, {"cst", -6, 0}, {"cdt", -5, 0},
	{"mst", -7, 0}, {"mdt", -6, 0}, {"pst", -8, 0}, {"pdt", -7, 0},
	{"at", -4, 0}, {"et", -5, 0}, {"ct", -6, 0}, {"mt", -7, 0},
	{"pt", -8, 0}, {"ast", -4, 0}, {"adt", -3, 0}, {"akst", -9, 0},
	{"akdt", -8, 0}, {"hst", -10, 0}, {"nst", -3, -30}, {"ndt", -2, -30},
	{"met", 1, 0}, {"mest", 2, 0}, {"cet", 1, 0}, {"cest", 2, 0},
	{"eet", 2, 0}, {"eest", 3, 0}, {"msk", 3, 0}, {"jst", 9, 0},
	{"kst", 9, 0}, {"hkt", 8, 0}, {"sgt", 8, 0}, {"awst", 8, 0},
	{"acst", 9, 30}, {"acdt", 10, 30}, {"aest", 10, 0}, {"aedt", 11, 0},
	{"nzst", 12, 0}, {"nzdt", 13, 0},
};
/* clang-format on */

static bool
word_is_prefix_of(const char *word, size_t len, const char *full)
{
	return len >= 3 && len <= strlen(full) && !strncmp(word, full, len);
}

static int
lookup_month(const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(english_months); i++)
		if (word_is_prefix_of(w, len, english_months[i]))
			return (int)i + 1;
	if (len == 4 && !strncmp(w, "sept", 4))
		return 9;
	for (i = 0; i < ARRAY_SIZE(month_names); i++)
		if (strlen(month_names[i].name) == len &&
		    !memcmp(w, month_names[i].name, len))
			return month_names[i].month;
	return 0;
}

static bool
is_day_name(const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(day_names); i++) {
		const char *d = day_names[i];

		if (i < 7 ? word_is_prefix_of(w, len, d) ||
				    (len == 5 && !strncmp(w, "thurs", 5)) ||
				    (len == 4 && !strncmp(w, "tues", 4))
			  : (strlen(d) == len && !memcmp(w, d, len)))
			return true;
	}
	return false;
}

static bool
lookup_zone(const char *w, size_t len, int *offset)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(zone_names); i++)
		if (strlen(zone_names[i].name) == len &&
		    !memcmp(w, zone_names[i].name, len)) {
			*offset = zone_names[i].hours * 3600 +
				  zone_names[i].minutes * 60;
			return true;
		}
	return false;
}

/* Lower-cases the Greek capitals Α..Ω (U+0391..U+03A9) of a UTF-8 word. */
static void
fold_greek(char *w, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		unsigned char c = (unsigned char)w[i + 1];

		if ((unsigned char)w[i] != 0xce)
			continue;
		if (c >= 0x91 && c <= 0x9f) {
			w[i + 1] = (char)(c + 0x20);
		} else if (c >= 0xa0 && c <= 0xa9) {
			w[i] = (char)0xcf;
			w[i + 1] = (char)(c - 0x20);
		}
		i++;
	}
}

/* A number seen in the loose reader, and what it was marked as. */
struct date_number {
	int value;  /* the number */
	int digits; /* how many digits it had */
	char mark;  /* 'y', 'm', 'd' from a Korean suffix, or 0 */
};

/* Reads h:mm[:ss[.frac]] at *pp. */
static bool
parse_clock(const char **pp, struct date_fields *f)
{
	const char *p = *pp;
	size_t n = digit_run(p);

	if (n < 1 || n > 2 || !digits(&p, (int)n, &f->hour) || *p != ':')
		return false;
	p++;
	n = digit_run(p);
	if (n < 1 || n > 2 || !digits(&p, (int)n, &f->minute))
		return false;
	if (*p == ':') {
		p++;
		n = digit_run(p);
		if (n < 1 || n > 2 || !digits(&p, (int)n, &f->second))
			return false;
		if (*p == ':')
			return false; /* "1:2:3:4" */
		if (*p == '.' && isdigit((unsigned char)p[1]))
			p += 1 + digit_run(p + 1);
	}
	*pp = p;
	return true;
}

/* The loose, token-based reader for RFC 822 and everything else. */
static bool
parse_loose(const char *s, struct date_fields *f)
{
	struct date_number nums[4];
	int nnums = 0, pm = -1, i;
	bool has_time = false, korean = false;
	const char *p = s;
	char word[32];

	memset(f, 0, sizeof(*f));
	while (*p) {
		unsigned char c = (unsigned char)*p;

		if (isdigit(c)) {
			const char *q = p;
			size_t n = digit_run(p);

			if (p[n] == ':') {
				if (has_time || !parse_clock(&p, f))
					return false;
				has_time = true;
				continue;
			}
			if (nnums == 4 || n > 4)
				return false;
			nums[nnums].digits = (int)n;
			if (!digits(&q, (int)n, &nums[nnums].value))
				return false;
			nums[nnums].mark = 0;
			nnums++;
			p += n;
		} else if ((c == '+' || c == '-') &&
			   isdigit((unsigned char)p[1]) && has_time) {
			if (!parse_offset(&p, &f->offset))
				return false;
			f->has_offset = true;
		} else if ((c == '+' || c == '-') && has_time) {
			return false; /* "+zz:00" */
		} else if (isalpha(c) || c >= 0x80) {
			size_t len = 0;
			int month, offset;

			while (*p && (isalpha((unsigned char)*p) ||
				      (unsigned char)*p >= 0x80)) {
				if (len + 1 < sizeof(word))
					word[len++] = (char)tolower(
						(unsigned char)*p);
				p++;
			}
			word[len] = '\0';
			if (len >= sizeof(word) - 1)
				return false;
			fold_greek(word, len);
			if (!strcmp(word, "년") || !strcmp(word, "월") ||
			    !strcmp(word, "일")) {
				if (!nnums || nums[nnums - 1].mark)
					return false;
				nums[nnums - 1].mark = word[0] == '\xeb' ? 'y'
						       : word[2] == '\x94'
							       ? 'm'
							       : 'd';
				korean = true;
			} else if (!strcmp(word, "오후") ||
				   !strcmp(word, "pm")) {
				pm = 1;
				korean |= word[0] != 'p';
			} else if (!strcmp(word, "오전") ||
				   !strcmp(word, "am")) {
				pm = 0;
				korean |= word[0] != 'a';
			} else if (!strcmp(word, "t") && !has_time) {
				/* The ISO date/time separator. */
			} else if (lookup_zone(word, len, &offset)) {
				f->offset = offset;
				f->has_offset = true;
			} else if ((month = lookup_month(word, len))) {
				if (f->month)
					return false;
				f->month = month;
			} else if (!is_day_name(word, len)) {
				return false;
			}
			if (*p == '.')
				p++;
		} else if (c == ',' || c == ' ' || c == '\t' || c == '-' ||
			   c == '/' || c == '.' || c == '\n' || c == '\r') {
			p++;
		} else {
			return false;
		}
	}

	/* Korean suffixes say which number is which. */
	for (i = 0; i < nnums; i++) {
		if (nums[i].mark == 'y')
			f->year = nums[i].value;
		else if (nums[i].mark == 'm')
			f->month = nums[i].value;
		else if (nums[i].mark == 'd')
			f->day = nums[i].value;
	}
	if (korean && nnums && nums[0].mark) {
		for (i = 0; i < nnums; i++)
			if (!nums[i].mark)
				return false;
	} else if (f->month) {
		/* A month name: the others are the day and the year. */
		if (nnums != 2)
			return false;
		if (nums[0].digits >= 3 || nums[0].value > 31) {
			f->year = nums[0].value;
			f->day = nums[1].value;
		} else {
			f->day = nums[0].value;
			f->year = nums[1].digits <= 2
					  ? two_digit_year(nums[1].value)
					  : nums[1].value;
		}
	} else {
		/* Numbers only: year first (2006/09/15, 2004-05-25). */
		if (nnums != 3 || nums[0].digits != 4)
			return false;
		f->year = nums[0].value;
		f->month = nums[1].value;
		f->day = nums[2].value;
	}
	if (pm >= 0) {
		if (!has_time || f->hour > 12)
			return false;
		if (pm && f->hour < 12)
			f->hour += 12;
		else if (!pm && f->hour == 12)
			f->hour = 0;
	}
	if (korean && !f->has_offset) {
		f->offset = 9 * 3600; /* Korean dates are in KST */
		f->has_offset = true;
	}
	return true;
}

enum status
feed_date_parse(const char *s, int64_t *out)
{
	struct date_fields f;
	char tmp[128];
	size_t len;

	if (!s)
		return ST_PARSE;
	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (!len || len >= sizeof(tmp))
		return ST_PARSE;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (parse_iso(tmp, &f) || parse_loose(tmp, &f))
		return fields_to_time(&f, out);
	return ST_PARSE;
}
