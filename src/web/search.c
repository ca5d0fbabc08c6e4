/*
 * search.c — search parameters and highlighted snippets (see search.h).
 */
#include "common.h"

#include <ctype.h>
#include <time.h>

#include "web/pages.h"
#include "web/search.h"

enum { MAX_TERMS = 16, MAX_TERM = 64 };

bool
web_parse_date(const char *s, int64_t *out)
{
	struct tm tm;
	int y, m, d;
	size_t i;
	static const int days[] = {31, 29, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*out = (int64_t)timegm(&tm);
	/* timegm() normalises 29 February of common years: reject it. */
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100) || y % 400 == 0))
		return false;
	return true;
}

bool
web_parse_id(const char *s, int64_t *out)
{
	int64_t v = 0;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	if (*s || v <= 0)
		return false;
	*out = v;
	return true;
}

static const char *
arg(struct web_request *req, const char *name)
{
	const char *v = web_query(req, name);

	return v && *v ? v : NULL;
}

enum status
web_search_parse(struct web_request *req, struct store *s,
		 const char *offset_arg, size_t limit, struct web_search *out,
		 const char **message)
{
	struct web_search w = {0};
	const char *offset = arg(req, offset_arg);
	const char *p;
	int64_t day;
	enum status rc;

	w.q = arg(req, "q");
	w.publisher = arg(req, "publisher");
	w.topic = arg(req, "topic");
	w.from = arg(req, "from");
	w.to = arg(req, "to");
	w.query.limit = limit;
	if (w.q && strlen(w.q) > WEB_SEARCH_MAX_QUERY) {
		*message = "The search is too long: use at most 200 "
			   "characters.";
		return ST_INVAL;
	}
	w.empty = true;
	for (p = w.q; p && *p; p++)
		if (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80)
			w.empty = false;
	if (w.q && w.empty) {
		*message = "Search for words made of letters or digits.";
		return ST_INVAL;
	}
	w.query.text = w.q;
	if (w.publisher) {
		struct publisher pub;

		rc = store_publisher_by_slug(s, w.publisher, &pub);
		if (rc == ST_NOTFOUND) {
			*message = "There is no publisher by that name.";
			return ST_INVAL;
		}
		if (rc)
			return rc;
		w.query.publisher_id = pub.id;
		publisher_release(&pub);
	}
	if (w.topic) {
		struct topic t;

		rc = store_topic_by_slug(s, w.topic, &t);
		if (rc == ST_NOTFOUND) {
			*message = "There is no topic by that name.";
			return ST_INVAL;
		}
		if (rc)
			return rc;
		w.query.topic_id = t.id;
		topic_release(&t);
	}
	if (w.from) {
		if (!web_parse_date(w.from, &day)) {
			*message = "The start date must be a date like "
				   "2026-01-31.";
			return ST_INVAL;
		}
		w.query.since = day;
	}
	if (w.to) {
		if (!web_parse_date(w.to, &day)) {
			*message = "The end date must be a date like "
				   "2026-01-31.";
			return ST_INVAL;
		}
		w.query.until = day + 86400;
	}
	if (w.query.since && w.query.until && w.query.since >= w.query.until) {
		*message = "The start date must not be after the end date.";
		return ST_INVAL;
	}
	if (offset) {
		int64_t v;

		if (!strcmp(offset, "0")) {
			v = 0;
		} else if (!web_parse_id(offset, &v) ||
			   v > WEB_SEARCH_MAX_OFFSET) {
			*message = "The page position is not valid.";
			return ST_INVAL;
		}
		w.query.offset = (size_t)v;
	}
	*out = w;
	return ST_OK;
}

struct terms {
	char word[MAX_TERMS][MAX_TERM]; /* lower-cased ASCII, bytes as is */
	size_t len[MAX_TERMS];
	size_t count;
	bool last_prefix;  /* the last term matches as a prefix */
	uint64_t lengths;  /* bit n set: a term of n bytes (n < 64) */
	size_t prefix_len; /* the prefix term's length, 0 without one */
};

/*
 * The bytes of words: isalnum() in the C locale, and every byte of a UTF-8
 * sequence. A table rather than the C library's test: a page of results
 * runs it on every byte of its snippets.
 */
static const unsigned char word_bytes[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, /* 0-9 */
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* A-O */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, /* P-Z */
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* a-o */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, /* p-z */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x80 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x90 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xA0 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xB0 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xC0 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xD0 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xE0 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xF0 */
};

static inline bool
is_word_byte(unsigned char c)
{
	return word_bytes[c];
}

static inline unsigned char
lower(unsigned char c)
{
	return (unsigned)c - 'A' < 26 ? (unsigned char)(c + 32) : c;
}

static void
split_terms(const char *q, struct terms *t)
{
	const unsigned char *p = (const unsigned char *)q;
	size_t i;

	memset(t, 0, sizeof(*t));
	while (p && *p && t->count < MAX_TERMS) {
		size_t n = 0;

		while (*p && !is_word_byte(*p))
			p++;
		while (*p && is_word_byte(*p)) {
			if (n < MAX_TERM - 1)
				t->word[t->count][n++] = (char)lower(*p);
			p++;
		}
		if (n)
			t->len[t->count++] = n;
	}
	t->last_prefix = q && *q && !isspace((unsigned char)q[strlen(q) - 1]);
	for (i = 0; i < t->count; i++)
		t->lengths |= 1ULL << t->len[i];
	if (t->last_prefix && t->count)
		t->prefix_len = t->len[t->count - 1];
}

/* True when the word at w (len bytes) matches a term. */
static inline bool
word_matches(const struct terms *t, const char *w, size_t len)
{
	size_t i, k;

	/* Most words have no term of their length. */
	if (!(len < 64 && (t->lengths >> len & 1)) &&
	    !(t->prefix_len && len > t->prefix_len))
		return false;
	for (i = 0; i < t->count; i++) {
		bool prefix = t->last_prefix && i == t->count - 1;

		if (len != t->len[i] && !(prefix && len > t->len[i]))
			continue;
		for (k = 0; k < t->len[i]; k++)
			if (lower((unsigned char)w[k]) !=
			    (unsigned char)t->word[i][k])
				break;
		if (k == t->len[i])
			return true;
	}
	return false;
}

/* Writes text[start, end) escaped with matches marked. */
static void
mark_range(struct buf *b, const struct terms *t, const char *text, size_t start,
	   size_t end)
{
	size_t i = start, plain = start;

	while (i < end) {
		size_t w;

		while (i < end && !is_word_byte((unsigned char)text[i]))
			i++;
		w = i;
		while (i < end && is_word_byte((unsigned char)text[i]))
			i++;
		if (i > w && word_matches(t, text + w, i - w)) {
			buf_add_html(b, text + plain, w - plain);
			buf_adds(b, "<mark>");
			buf_add_html(b, text + w, i - w);
			buf_adds(b, "</mark>");
			plain = i;
		}
	}
	buf_add_html(b, text + plain, end - plain);
}

/* Where the first word of text[0, len) that matches a term starts, or len. */
static size_t
first_match(const struct terms *t, const char *text, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t w;

		while (i < len && !is_word_byte((unsigned char)text[i]))
			i++;
		w = i;
		while (i < len && is_word_byte((unsigned char)text[i]))
			i++;
		if (i > w && word_matches(t, text + w, i - w))
			return w;
	}
	return len;
}

/* Moves i back to a UTF-8 boundary. */
static size_t
boundary(const char *text, size_t i)
{
	while (i > 0 && ((unsigned char)text[i] & 0xc0) == 0x80)
		i--;
	return i;
}

void
web_highlight(struct buf *b, const char *text, const char *query, size_t max,
	      bool window)
{
	struct terms t;
	size_t len, first, start, end;

	if (!text)
		return;
	len = strlen(text);
	split_terms(query, &t);
	if (!window || len <= max) {
		mark_range(b, &t, text, 0, len);
		return;
	}
	first = first_match(&t, text, len);
	start = first < len && first > max / 3 ? first - max / 3 : 0;
	while (start > 0 && text[start - 1] != ' ' && first - start < max / 2)
		start--;
	start = boundary(text, start);
	end = boundary(text, MIN(len, start + max));
	while (end < len && end > start + max / 2 && text[end] != ' ')
		end--;
	end = boundary(text, end);
	if (start > 0)
		buf_adds(b, "…");
	/* No word before the first match matches: only escape them. */
	first = MIN(first, end);
	buf_add_html(b, text + start, first - start);
	mark_range(b, &t, text, first, end);
	if (end < len)
		buf_adds(b, "…");
}
