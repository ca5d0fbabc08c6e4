/*
 * search.c — search parameters and highlighted snippets (see search.h).
 */
#include "common.h"

#include <ctype.h>
#include <time.h>

#include "web/pages.h"
#include "web/search.h"

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

/*
 * What each byte is, in web_terms.flags: a byte of a word (isalnum() in
 * the C locale, and every byte of a UTF-8 sequence), a byte that HTML
 * escapes, and (set per query) a byte that may start a term in any ASCII
 * case. Tables rather than the C library's tests: a page of results runs
 * them on every byte of its snippets.
 */
enum { WORD_BYTE = 1, HTML_BYTE = 2, TERM_START = 4 };

#define W WORD_BYTE
#define H HTML_BYTE
static const unsigned char byte_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
	0, 0, H, 0, 0, 0, H, H, 0, 0, 0, 0, 0, 0, 0, 0, /* "&' */
	W, W, W, W, W, W, W, W, W, W, 0, 0, H, 0, H, 0, /* 0-9 <> */
	0, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* A-O */
	W, W, W, W, W, W, W, W, W, W, W, 0, 0, 0, 0, 0, /* P-Z */
	0, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* a-o */
	W, W, W, W, W, W, W, W, W, W, W, 0, 0, 0, 0, 0, /* p-z */
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* 0x80 */
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* 0x90 */
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* 0xA0 */
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* 0xB0 */
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* 0xC0 */
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* 0xD0 */
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* 0xE0 */
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* 0xF0 */
};
#undef W
#undef H

static inline unsigned char
lower(unsigned char c)
{
	return (unsigned)c - 'A' < 26 ? (unsigned char)(c + 32) : c;
}

void
web_terms_init(struct web_terms *t, const char *query)
{
	const unsigned char *p = (const unsigned char *)query;
	size_t i;

	t->count = 0;
	t->lengths = 0;
	t->prefix_len = 0;
	memcpy(t->flags, byte_class, sizeof(t->flags));
	while (p && *p && t->count < WEB_TERMS_MAX) {
		size_t n = 0;

		while (*p && !(byte_class[*p] & WORD_BYTE))
			p++;
		while (*p && (byte_class[*p] & WORD_BYTE)) {
			if (n < WEB_TERM_MAX - 1)
				t->word[t->count][n++] = (char)lower(*p);
			p++;
		}
		if (n)
			t->len[t->count++] = n;
	}
	t->last_prefix = query && *query &&
			 !isspace((unsigned char)query[strlen(query) - 1]);
	for (i = 0; i < t->count; i++) {
		unsigned char c = (unsigned char)t->word[i][0];

		t->lengths |= 1ULL << t->len[i];
		t->flags[c] |= TERM_START;
		if (c >= 'a' && c <= 'z')
			t->flags[c - 32] |= TERM_START;
	}
	if (t->last_prefix && t->count)
		t->prefix_len = t->len[t->count - 1];
}

/* True when the word at w (len bytes) matches a term. */
static inline bool
word_matches(const struct web_terms *t, const char *w, size_t len)
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

/* The first byte of s[i, end) with one of the flags want, or end. */
static inline size_t
find_flagged(const unsigned char *flags, const unsigned char *s, size_t i,
	     size_t end, unsigned char want)
{
	while (end - i >= 4) {
		if (flags[s[i]] & want)
			return i;
		if (flags[s[i + 1]] & want)
			return i + 1;
		if (flags[s[i + 2]] & want)
			return i + 2;
		if (flags[s[i + 3]] & want)
			return i + 3;
		i += 4;
	}
	while (i < end && !(flags[s[i]] & want))
		i++;
	return i;
}

/* Where the word that starts at s[w] ends, at end at the latest. */
static inline size_t
word_end(const struct web_terms *t, const unsigned char *s, size_t w,
	 size_t end)
{
	while (w < end && (t->flags[s[w]] & WORD_BYTE))
		w++;
	return w;
}

/*
 * The first word of s[from, end) that matches a term, as its start and end
 * (words end at end at the latest); false when none. Only a byte that can
 * start a term at the start of a word is looked at closer.
 */
static bool
next_match(const struct web_terms *t, const unsigned char *s, size_t from,
	   size_t end, size_t *word_start, size_t *word_stop)
{
	size_t i = from;

	while ((i = find_flagged(t->flags, s, i, end, TERM_START)) < end) {
		size_t e;

		if (i > from && (t->flags[s[i - 1]] & WORD_BYTE)) {
			i++;
			continue;
		}
		e = word_end(t, s, i + 1, end);
		if (word_matches(t, (const char *)s + i, e - i)) {
			*word_start = i;
			*word_stop = e;
			return true;
		}
		i = e;
	}
	return false;
}

/* The entity of an HTML_BYTE. */
static void
add_entity(struct buf *b, unsigned char c)
{
	switch (c) {
	case '&':
		buf_add(b, "&amp;", 5);
		break;
	case '<':
		buf_add(b, "&lt;", 4);
		break;
	case '>':
		buf_add(b, "&gt;", 4);
		break;
	case '"':
		buf_add(b, "&quot;", 6);
		break;
	default:
		buf_add(b, "&#39;", 5);
		break;
	}
}

/* Writes text[start, end) escaped as buf_add_html() does. */
static void
add_escaped(struct buf *b, const struct web_terms *t, const char *text,
	    size_t start, size_t end)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i;

	while ((i = find_flagged(t->flags, s, start, end, HTML_BYTE)) < end) {
		buf_add(b, text + start, i - start);
		add_entity(b, s[i]);
		start = i + 1;
	}
	buf_add(b, text + start, end - start);
}

/* Writes text[start, end) escaped with matches marked. */
static void
mark_range(struct buf *b, const struct web_terms *t, const char *text,
	   size_t start, size_t end)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t w, e;

	if (!t->count) {
		add_escaped(b, t, text, start, end);
		return;
	}
	while (next_match(t, s, start, end, &w, &e)) {
		/* Words hold no byte to escape. */
		add_escaped(b, t, text, start, w);
		buf_add(b, "<mark>", 6);
		buf_add(b, text + w, e - w);
		buf_add(b, "</mark>", 7);
		start = e;
	}
	add_escaped(b, t, text, start, end);
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
web_highlight_terms(struct buf *b, const char *text, const struct web_terms *t,
		    size_t max, bool window)
{
	size_t len, first, stop, start, end;

	if (!text)
		return;
	len = strlen(text);
	if (!window || len <= max) {
		mark_range(b, t, text, 0, len);
		return;
	}
	if (!next_match(t, (const unsigned char *)text, 0, len, &first, &stop))
		first = len;
	start = first < len && first > max / 3 ? first - max / 3 : 0;
	while (start > 0 && text[start - 1] != ' ' && first - start < max / 2)
		start--;
	start = boundary(text, start);
	end = boundary(text, MIN(len, start + max));
	while (end < len && end > start + max / 2 && text[end] != ' ')
		end--;
	end = boundary(text, end);
	if (start > 0)
		buf_add(b, "…", sizeof("…") - 1);
	/* No word before the first match matches: only escape them. */
	first = MIN(first, end);
	add_escaped(b, t, text, start, first);
	mark_range(b, t, text, first, end);
	if (end < len)
		buf_add(b, "…", sizeof("…") - 1);
}

void
web_highlight(struct buf *b, const char *text, const char *query, size_t max,
	      bool window)
{
	struct web_terms t;

	web_terms_init(&t, query);
	web_highlight_terms(b, text, &t, max, window);
}
