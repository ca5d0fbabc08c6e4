/*
 * sanitize.c — the allow-list sanitiser (see sanitize.h for the policy).
 *
 * One iterative walk over gumbo's tree writes the output directly. Each open
 * input element has a frame saying whether its tags were written; an element
 * found empty when it closes is cut back out of the output.
 *
 * Idempotence rests on one property: the markup written must parse back
 * into the tree that was written. The tree builder refuses some nestings
 * (a block inside a <p>, <li> directly in <li>, <a> in <a>, a heading
 * directly in a heading, anything but rows and cells inside table parts,
 * text in tables), and gumbo never produces them — but unwrapping an element
 * can. So before writing an element we check it against the elements
 * written above it and unwrap or drop it when the parser would not nest it
 * the same way.
 */
#include "common.h"

#include <ctype.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include "base/url.h"
#include "base/utf8.h"
#include "html/dom.h"
#include "html/sanitize.h"
#include "html/sanitize_int.h"

/* What happens to an element. */
enum action {
	ACT_DROP,   /* left out with everything inside it */
	ACT_UNWRAP, /* its tags are left out, its children are processed */
	ACT_KEEP,   /* written (with filtered attributes) */
};

/* Element classes for the rules below. */
enum {
	F_INLINE = 1 << 0,   /* dropped when nothing was written inside */
	F_BLANK = 1 << 1,    /* dropped when no text or image inside */
	F_VOID = 1 << 2,     /* no end tag, no children */
	F_PCLOSE = 1 << 3,   /* its start tag closes an open <p> */
	F_SPECIAL = 1 << 4,  /* "special" in the tree builder's sense */
	F_TABLECTX = 1 << 5, /* only table parts as children, no text */
	F_HEADING = 1 << 6,  /* h1-h6 */
	F_CONTENT = 1 << 7,  /* counts as content (img, iframe, hr) */
};

struct rule {
	GumboTag tag;	  /* input tag */
	const char *name; /* name written */
	unsigned flags;	  /* F_* */
};

/* clang-format off */
static const struct rule rules[] = {
	{ GUMBO_TAG_P,          "p",          F_BLANK | F_PCLOSE | F_SPECIAL },
	{ GUMBO_TAG_H1,         "h2",         F_BLANK | F_PCLOSE | F_SPECIAL | F_HEADING },
	{ GUMBO_TAG_H2,         "h2",         F_BLANK | F_PCLOSE | F_SPECIAL | F_HEADING },
	{ GUMBO_TAG_H3,         "h3",         F_BLANK | F_PCLOSE | F_SPECIAL | F_HEADING },
	{ GUMBO_TAG_H4,         "h4",         F_BLANK | F_PCLOSE | F_SPECIAL | F_HEADING },
	{ GUMBO_TAG_H5,         "h5",         F_BLANK | F_PCLOSE | F_SPECIAL | F_HEADING },
	{ GUMBO_TAG_H6,         "h6",         F_BLANK | F_PCLOSE | F_SPECIAL | F_HEADING },
	{ GUMBO_TAG_DIV,        "div",        F_BLANK | F_PCLOSE | F_SPECIAL },
	{ GUMBO_TAG_BLOCKQUOTE, "blockquote", F_BLANK | F_PCLOSE | F_SPECIAL },
	{ GUMBO_TAG_PRE,        "pre",        F_BLANK | F_PCLOSE | F_SPECIAL },
	{ GUMBO_TAG_UL,         "ul",         F_BLANK | F_PCLOSE | F_SPECIAL },
	{ GUMBO_TAG_OL,         "ol",         F_BLANK | F_PCLOSE | F_SPECIAL },
	{ GUMBO_TAG_LI,         "li",         F_BLANK | F_PCLOSE | F_SPECIAL },
	{ GUMBO_TAG_DL,         "dl",         F_BLANK | F_PCLOSE | F_SPECIAL },
	{ GUMBO_TAG_DT,         "dt",         F_BLANK | F_PCLOSE | F_SPECIAL },
	{ GUMBO_TAG_DD,         "dd",         F_BLANK | F_PCLOSE | F_SPECIAL },
	{ GUMBO_TAG_FIGURE,     "figure",     F_BLANK | F_PCLOSE | F_SPECIAL },
	{ GUMBO_TAG_FIGCAPTION, "figcaption", F_BLANK | F_PCLOSE | F_SPECIAL },
	{ GUMBO_TAG_DETAILS,    "details",    F_BLANK | F_PCLOSE | F_SPECIAL },
	{ GUMBO_TAG_SUMMARY,    "summary",    F_BLANK | F_PCLOSE | F_SPECIAL },
	{ GUMBO_TAG_HR,         "hr",         F_VOID | F_PCLOSE | F_SPECIAL | F_CONTENT },
	{ GUMBO_TAG_BR,         "br",         F_VOID | F_SPECIAL },
	{ GUMBO_TAG_IMG,        "img",        F_VOID | F_SPECIAL | F_CONTENT },
	{ GUMBO_TAG_SOURCE,     "source",     F_VOID | F_SPECIAL },
	{ TAG_PICTURE,    "picture",    F_BLANK },
	{ GUMBO_TAG_IFRAME,     "iframe",     F_SPECIAL | F_CONTENT },
	{ GUMBO_TAG_TABLE,      "table",      F_BLANK | F_PCLOSE | F_SPECIAL | F_TABLECTX },
	{ GUMBO_TAG_CAPTION,    "caption",    F_SPECIAL },
	{ GUMBO_TAG_COLGROUP,   "colgroup",   F_SPECIAL | F_TABLECTX },
	{ GUMBO_TAG_COL,        "col",        F_VOID | F_SPECIAL },
	{ GUMBO_TAG_THEAD,      "thead",      F_SPECIAL | F_TABLECTX },
	{ GUMBO_TAG_TBODY,      "tbody",      F_SPECIAL | F_TABLECTX },
	{ GUMBO_TAG_TFOOT,      "tfoot",      F_SPECIAL | F_TABLECTX },
	{ GUMBO_TAG_TR,         "tr",         F_SPECIAL | F_TABLECTX },
	{ GUMBO_TAG_TD,         "td",         F_SPECIAL },
	{ GUMBO_TAG_TH,         "th",         F_SPECIAL },
	{ GUMBO_TAG_A,          "a",          F_INLINE },
	{ GUMBO_TAG_EM,         "em",         F_INLINE },
	{ GUMBO_TAG_STRONG,     "strong",     F_INLINE },
	{ GUMBO_TAG_B,          "b",          F_INLINE },
	{ GUMBO_TAG_I,          "i",          F_INLINE },
	{ GUMBO_TAG_U,          "u",          F_INLINE },
	{ GUMBO_TAG_S,          "s",          F_INLINE },
	{ GUMBO_TAG_STRIKE,     "s",          F_INLINE },
	{ GUMBO_TAG_SMALL,      "small",      F_INLINE },
	{ GUMBO_TAG_Q,          "q",          F_INLINE },
	{ GUMBO_TAG_CITE,       "cite",       F_INLINE },
	{ GUMBO_TAG_CODE,       "code",       F_INLINE },
	{ GUMBO_TAG_TT,         "code",       F_INLINE },
	{ GUMBO_TAG_KBD,        "kbd",        F_INLINE },
	{ GUMBO_TAG_SAMP,       "samp",       F_INLINE },
	{ GUMBO_TAG_VAR,        "var",        F_INLINE },
	{ GUMBO_TAG_SUP,        "sup",        F_INLINE },
	{ GUMBO_TAG_SUB,        "sub",        F_INLINE },
	{ GUMBO_TAG_ABBR,       "abbr",       F_INLINE },
	{ GUMBO_TAG_ACRONYM,    "abbr",       F_INLINE },
	{ GUMBO_TAG_TIME,       "time",       F_INLINE },
	{ GUMBO_TAG_MARK,       "mark",       F_INLINE },
	{ GUMBO_TAG_DEL,        "del",        F_INLINE },
	{ GUMBO_TAG_INS,        "ins",        F_INLINE },
	{ GUMBO_TAG_SPAN,       "span",       F_INLINE },
	{ GUMBO_TAG_DFN,        "dfn",        F_INLINE },
	{ GUMBO_TAG_BDI,        "bdi",        F_INLINE },
	{ GUMBO_TAG_BDO,        "bdo",        F_INLINE },
	{ GUMBO_TAG_WBR,        "wbr",        F_VOID },
};

/* Elements left out together with everything inside them. */
static const GumboTag dropped[] = {
	GUMBO_TAG_SCRIPT, GUMBO_TAG_STYLE, GUMBO_TAG_TEMPLATE,
	GUMBO_TAG_NOSCRIPT, GUMBO_TAG_OBJECT, GUMBO_TAG_EMBED,
	GUMBO_TAG_APPLET, GUMBO_TAG_PARAM, GUMBO_TAG_FRAME,
	GUMBO_TAG_FRAMESET, GUMBO_TAG_NOFRAMES, GUMBO_TAG_NOEMBED,
	GUMBO_TAG_FORM, GUMBO_TAG_INPUT, GUMBO_TAG_BUTTON, GUMBO_TAG_SELECT,
	GUMBO_TAG_OPTION, GUMBO_TAG_OPTGROUP, GUMBO_TAG_TEXTAREA,
	GUMBO_TAG_DATALIST, GUMBO_TAG_OUTPUT, GUMBO_TAG_KEYGEN,
	GUMBO_TAG_FIELDSET, GUMBO_TAG_LEGEND, GUMBO_TAG_SVG, GUMBO_TAG_MATH,
	GUMBO_TAG_AUDIO, GUMBO_TAG_VIDEO, GUMBO_TAG_TRACK, GUMBO_TAG_CANVAS,
	GUMBO_TAG_MAP, GUMBO_TAG_AREA, GUMBO_TAG_HEAD, GUMBO_TAG_TITLE,
	GUMBO_TAG_META, GUMBO_TAG_LINK, GUMBO_TAG_BASE, GUMBO_TAG_BASEFONT,
	GUMBO_TAG_BGSOUND, GUMBO_TAG_RP, GUMBO_TAG_ISINDEX,
	GUMBO_TAG_METER, GUMBO_TAG_PROGRESS, GUMBO_TAG_MENUITEM,
};
/* clang-format on */

/* Hosts whose https iframes are kept, with the path they must start with. */
static const struct {
	const char *host;
	const char *path;
} embed_hosts[] = {
	{"www.youtube.com", "/embed/"},
	{"youtube.com", "/embed/"},
	{"www.youtube-nocookie.com", "/embed/"},
	{"youtube-nocookie.com", "/embed/"},
	{"player.vimeo.com", "/video/"},
	{"www.dailymotion.com", "/embed/video/"},
	{"open.spotify.com", "/embed/"},
	{"w.soundcloud.com", "/player/"},
	{"embed.ted.com", "/talks/"},
};

/* Substrings of image URLs that are tracking pixels. */
static const char *const tracker_patterns[] = {
	"feeds.feedburner.com/~r/",
	"feeds.feedburner.com/~ff/",
	"feedproxy.google.com/~r/",
	"pixel.wp.com/",
	"stats.wordpress.com/",
	"pixel.quantserve.com/",
	"sb.scorecardresearch.com/",
	"www.google-analytics.com/",
	"ad.doubleclick.net/",
	"pi.feedsportal.com/",
	"pixel.feedsportal.com/",
	"www.facebook.com/tr?",
	"/pixel.gif",
	"/tracking.gif",
	"medium.com/_/stat",
};

/* Substrings of an img src that mark a placeholder for a lazy image. */
static const char *const placeholder_patterns[] = {
	"placeholder", "blank.", "spacer",	 "lazy",     "loading",
	"1x1",	       "pixel.", "transparent.", "grey.gif", "gray.gif",
	"empty.",      "dummy",	 "data:",
};

/* Where lazy-loading scripts keep the real src and srcset. */
static const char *const lazy_src_attrs[] = {
	"data-src",	     "data-lazy-src",	"data-original",  "data-lazy",
	"data-url",	     "data-hi-res-src", "data-actualsrc", "data-echo",
	"data-original-src", "data-orig-file",	"data-full-src",
};
static const char *const lazy_srcset_attrs[] = {
	"data-srcset",
	"data-lazy-srcset",
	"data-original-srcset",
};

static const struct rule *
find_rule(GumboTag tag)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rules); i++)
		if (rules[i].tag == tag)
			return &rules[i];
	return NULL;
}

static bool
is_dropped(GumboTag tag)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dropped); i++)
		if (dropped[i] == tag)
			return true;
	return false;
}

static bool
has_ci(const char *haystack, const char *needle)
{
	return strcasestr(haystack, needle) != NULL;
}

static bool
starts_ci(const char *s, const char *prefix)
{
	return !strncasecmp(s, prefix, strlen(prefix));
}

static bool
is_blank_text(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

/* True when s has nothing but white space and no-break spaces. */
static bool
is_invisible_text(const char *s)
{
	while (*s) {
		if (isspace((unsigned char)*s))
			s++;
		else if ((unsigned char)s[0] == 0xc2 &&
			 (unsigned char)s[1] == 0xa0)
			s += 2;
		else
			return false;
	}
	return true;
}

/* The innermost frame whose element was written, or NULL. */
static const struct frame *
written_parent(const struct sanitizer *z)
{
	size_t i;

	for (i = z->depth; i > 0; i--)
		if (z->stack[i - 1].rule)
			return &z->stack[i - 1];
	return NULL;
}

/* --- URLs ---------------------------------------------------------------- */

enum url_kind {
	URL_LINK,  /* a href: http, https, mailto */
	URL_IMAGE, /* img src: http, https, small data:image */
	URL_PLAIN, /* anything else: http, https */
};

static bool
is_base64_data_image(const char *s, size_t max)
{
	static const char *const types[] = {
		"data:image/png;base64,",  "data:image/jpeg;base64,",
		"data:image/jpg;base64,",  "data:image/gif;base64,",
		"data:image/webp;base64,",
	};
	const char *p = NULL;
	size_t i;

	if (strlen(s) > max)
		return false;
	for (i = 0; i < ARRAY_SIZE(types) && !p; i++)
		if (starts_ci(s, types[i]))
			p = s + strlen(types[i]);
	if (!p || !*p)
		return false;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '+' && *p != '/' &&
		    *p != '=')
			return false;
	return true;
}

/*
 * Cleans a URL attribute into out: strips what browsers strip (leading and
 * trailing C0 controls and spaces, tabs and newlines anywhere), resolves it
 * against the base and checks the scheme of the result. False when the URL
 * is not allowed.
 */
static bool
clean_url(struct sanitizer *z, const char *raw, enum url_kind kind,
	  struct buf *out)
{
	struct buf s = BUF_INIT;
	char *resolved = NULL;
	const char *p;
	bool ok = false;
	size_t i;

	while (*raw && (unsigned char)*raw <= 0x20)
		raw++;
	for (p = raw; *p; p++)
		if (*p != '\t' && *p != '\n' && *p != '\r')
			buf_addc(&s, *p);
	while (s.len > 0 && (unsigned char)s.data[s.len - 1] <= 0x20)
		buf_truncate(&s, s.len - 1);
	if (s.len == 0 || s.len > 8192 || s.err)
		goto out;

	if (kind == URL_IMAGE && starts_ci(s.data, "data:")) {
		size_t max = z->opt->max_data_image
				     ? z->opt->max_data_image
				     : SANITIZE_DEFAULT_MAX_DATA_IMAGE;

		if (is_base64_data_image(s.data, max)) {
			buf_addstr(out, buf_str(&s));
			ok = true;
		}
		goto out;
	}
	if (kind == URL_LINK && starts_ci(s.data, "mailto:")) {
		for (i = 0; i < s.len; i++)
			if ((unsigned char)s.data[i] < 0x20 ||
			    s.data[i] == 0x7f)
				goto out;
		buf_adds(out, "mailto:");
		buf_add(out, s.data + 7, s.len - 7);
		ok = true;
		goto out;
	}
	if (url_is_absolute(s.data)) {
		if (!starts_ci(s.data, "http:") && !starts_ci(s.data, "https:"))
			goto out;
		resolved = url_resolve(NULL, s.data);
	} else if (s.data[0] == '/' && s.data[1] == '/' &&
		   !(z->base_url && url_is_http(z->base_url))) {
		struct buf t = BUF_INIT;

		buf_adds(&t, "https:");
		buf_addstr(&t, buf_str(&s));
		resolved = url_resolve(NULL, t.data);
		buf_release(&t);
	} else if (z->base_url && url_is_http(z->base_url)) {
		resolved = url_resolve(z->base_url, s.data);
	}
	if (!resolved)
		goto out;
	/* The final word: an http(s) URL with a host and no controls. */
	if (!url_is_http(resolved))
		goto out;
	for (p = resolved; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			goto out;
	p = resolved;
	if (starts_ci(p, "https:")) {
		buf_adds(out, "https:");
		p += 6;
	} else {
		buf_adds(out, "http:");
		p += 5;
	}
	/* Encode what a browser would, so the URL reads as one token. */
	for (; *p; p++) {
		if (strchr(" \"'<>`", *p))
			buf_addf(out, "%%%02X", (unsigned char)*p);
		else
			buf_addc(out, *p);
	}
	ok = true;
out:
	free(resolved);
	buf_release(&s);
	return ok;
}

/*
 * Cleans a srcset (HTML §4.8.4.3.10: URLs separated by commas, each with an
 * optional width or density descriptor) into out. False when no candidate
 * survives.
 */
static bool
clean_srcset(struct sanitizer *z, const char *v, struct buf *out)
{
	size_t start = out->len;
	bool any = false;

	while (*v) {
		const char *u, *d;
		char *url;
		size_t ulen, dlen;

		while (*v == ',' || isspace((unsigned char)*v))
			v++;
		if (!*v)
			break;
		u = v;
		while (*v && !isspace((unsigned char)*v))
			v++;
		ulen = (size_t)(v - u);
		if (ulen > 0 && u[ulen - 1] == ',') {
			while (ulen > 0 && u[ulen - 1] == ',')
				ulen--;
			d = v;
			dlen = 0;
		} else {
			while (isspace((unsigned char)*v))
				v++;
			d = v;
			while (*v && *v != ',')
				v++;
			dlen = (size_t)(v - d);
			while (dlen > 0 && isspace((unsigned char)d[dlen - 1]))
				dlen--;
		}
		if (ulen == 0)
			continue;
		/* A descriptor is a number followed by w, x or h. */
		if (dlen > 0) {
			size_t i;
			bool good = dlen < 16 && strchr("wxh", d[dlen - 1]);

			for (i = 0; good && i + 1 < dlen; i++)
				good = isdigit((unsigned char)d[i]) ||
				       d[i] == '.';
			if (!good || dlen == 1)
				continue;
		}
		url = xstrndup(u, ulen);
		buf_reset(&z->tmp);
		/* A URL with white space or a trailing comma would not
		 * parse back as one candidate. */
		if (!starts_ci(url, "data:") &&
		    clean_url(z, url, URL_PLAIN, &z->tmp) &&
		    z->tmp.data[z->tmp.len - 1] != ',' &&
		    !strpbrk(z->tmp.data, " \t\n\f\r")) {
			if (any)
				buf_adds(out, ", ");
			buf_addstr(out, buf_str(&z->tmp));
			if (dlen > 0) {
				buf_addc(out, ' ');
				buf_add(out, d, dlen);
			}
			any = true;
		}
		free(url);
	}
	if (!any)
		buf_truncate(out, start);
	return any;
}

bool
sanitize_is_embed_url(const char *url)
{
	const char *host, *end;
	size_t i, hlen;

	if (!url || !starts_ci(url, "https://"))
		return false;
	host = url + 8;
	end = host + strcspn(host, "/?#");
	hlen = (size_t)(end - host);
	if (memchr(host, '@', hlen) || memchr(host, ':', hlen))
		return false;
	for (i = 0; i < ARRAY_SIZE(embed_hosts); i++)
		if (strlen(embed_hosts[i].host) == hlen &&
		    !strncasecmp(host, embed_hosts[i].host, hlen) &&
		    !strncmp(end, embed_hosts[i].path,
			     strlen(embed_hosts[i].path)) &&
		    end[strlen(embed_hosts[i].path)] != '\0')
			return true;
	return false;
}

/*
 * Escapes s into out, writing U+FFFD for control characters that the
 * parser would turn into U+FFFD on the next parse (idempotence), and for
 * each byte that is not part of a UTF-8 sequence: gumbo 0.10 writes one
 * such byte for a numeric reference past 0x7FFFFFFF ("&#x99999999"), which
 * the next parse would read as U+FFFD. The escapes are buf_add_html()'s.
 * The bytes that need a look are found by a table: text is mostly letters
 * and spaces, which a chain of comparisons took one by one.
 */
enum {
	ESC_NONE,
	ESC_FFFD,
	ESC_AMP,
	ESC_LT,
	ESC_GT,
	ESC_QUOT,
	ESC_APOS,
	ESC_UTF8, /* a byte of 0x80 or more: valid UTF-8? */
};

static const char *const escapes[] = {
	[ESC_FFFD] = "\xef\xbf\xbd", [ESC_AMP] = "&amp;",
	[ESC_LT] = "&lt;",	     [ESC_GT] = "&gt;",
	[ESC_QUOT] = "&quot;",	     [ESC_APOS] = "&#39;",
};

/* clang-format off */
#define N ESC_NONE
#define F ESC_FFFD
#define A ESC_AMP
#define L ESC_LT
#define G ESC_GT
#define Q ESC_QUOT
#define P ESC_APOS
#define U ESC_UTF8
static const unsigned char escape_of[256] = {
	/* 0x00 */ F, F, F, F, F, F, F, F, F, N, N, F, N, F, F, F,
	/* 0x10 */ F, F, F, F, F, F, F, F, F, F, F, F, F, F, F, F,
	/* 0x20 */ N, N, Q, N, N, N, A, P, N, N, N, N, N, N, N, N,
	/* 0x30 */ N, N, N, N, N, N, N, N, N, N, N, N, L, N, G, N,
	/* 0x40 */ N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N,
	/* 0x50 */ N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N,
	/* 0x60 */ N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N,
	/* 0x70 */ N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, F,
	/* 0x80 */ U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	/* 0x90 */ U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	/* 0xa0 */ U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	/* 0xb0 */ U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	/* 0xc0 */ U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	/* 0xd0 */ U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	/* 0xe0 */ U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	/* 0xf0 */ U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
};
#undef N
#undef F
#undef A
#undef L
#undef G
#undef Q
#undef P
#undef U
/* clang-format on */

static void
add_escaped(struct buf *out, const char *s, size_t len)
{
	size_t i = 0, start = 0;

	for (;;) {
		unsigned char e;

		while (i < len && !escape_of[(unsigned char)s[i]])
			i++;
		if (i == len)
			break;
		e = escape_of[(unsigned char)s[i]];
		if (e == ESC_UTF8) {
			uint32_t cp;
			size_t n = utf8_decode((const unsigned char *)s + i,
					       len - i, &cp);

			/* A sequence is two bytes or more; one is not. */
			if (n > 1) {
				i += n;
				continue;
			}
			e = ESC_FFFD;
		}
		buf_add(out, s + start, i - start);
		buf_adds(out, escapes[e]);
		start = ++i;
	}
	buf_add(out, s + start, len - start);
}

/* --- attributes ---------------------------------------------------------- */

static void
add_attr(struct buf *out, const char *name, const char *value, size_t len)
{
	buf_addc(out, ' ');
	buf_adds(out, name);
	buf_adds(out, "=\"");
	add_escaped(out, value, len);
	buf_addc(out, '"');
}

static void
add_attr_s(struct buf *out, const char *name, const char *value)
{
	add_attr(out, name, value, strlen(value));
}

/* True when v is an integer in [lo, hi] (digits only, optional minus). */
static bool
is_int_in(const char *v, long lo, long hi)
{
	char *end;
	long n;

	if (!v || !*v || strlen(v) > 9)
		return false;
	if (!isdigit((unsigned char)v[0]) && v[0] != '-')
		return false;
	errno = 0;
	n = strtol(v, &end, 10);
	return !errno && !*end && n >= lo && n <= hi;
}

/* True when v has only the bytes of set, and 1 to max of them. */
static bool
is_made_of(const char *v, const char *set, size_t max)
{
	size_t n = strlen(v);

	return n > 0 && n <= max && strspn(v, set) == n;
}

static void
copy_int_attr(struct buf *out, const struct san_attrs *n, const char *name,
	      long lo, long hi)
{
	const char *v = san_attr(n, name);

	if (is_int_in(v, lo, hi))
		add_attr_s(out, name, v);
}

static void
copy_text_attr(struct buf *out, const struct san_attrs *n, const char *name,
	       size_t max)
{
	const char *v = san_attr(n, name);
	size_t len;

	if (!v)
		return;
	len = strlen(v);
	if (len == 0 || is_blank_text(v))
		return;
	add_attr(out, name, v, MIN(len, max));
}

static void
copy_url_attr(struct sanitizer *z, const struct san_attrs *n, const char *name)
{
	const char *v = san_attr(n, name);

	buf_reset(&z->tmp);
	if (v && clean_url(z, v, URL_PLAIN, &z->tmp))
		add_attr(z->out, name, z->tmp.data, z->tmp.len);
}

/* lang, dir: allowed on every element written. */
static void
copy_global_attrs(struct buf *out, const struct san_attrs *n)
{
	const char *v = san_attr(n, "lang");

	if (v && is_made_of(v,
			    "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-",
			    35))
		add_attr_s(out, "lang", v);
	v = san_attr(n, "dir");
	if (v && (!strcasecmp(v, "ltr") || !strcasecmp(v, "rtl") ||
		  !strcasecmp(v, "auto"))) {
		char lower[5] = {0};
		size_t i;

		for (i = 0; i < 4 && v[i]; i++)
			lower[i] = (char)tolower((unsigned char)v[i]);
		add_attr_s(out, "dir", lower);
	}
}

static bool
is_placeholder_src(const char *src)
{
	size_t i;

	if (!src || is_blank_text(src))
		return true;
	for (i = 0; i < ARRAY_SIZE(placeholder_patterns); i++)
		if (has_ci(src, placeholder_patterns[i]))
			return true;
	return false;
}

static const char *
first_attr(const struct san_attrs *n, const char *const *names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		const char *v = san_attr(n, names[i]);

		if (v && !is_blank_text(v))
			return v;
	}
	return NULL;
}

static bool
is_tracker(const struct san_attrs *n, const char *src)
{
	const char *w = san_attr(n, "width");
	const char *h = san_attr(n, "height");
	size_t i;

	if ((w && is_int_in(w, 0, 1)) || (h && is_int_in(h, 0, 1)))
		return true;
	for (i = 0; i < ARRAY_SIZE(tracker_patterns); i++)
		if (has_ci(src, tracker_patterns[i]))
			return true;
	return false;
}

/* Writes <img ...> for n; false when the image is left out. */
static bool
write_img(struct sanitizer *z, const struct san_attrs *n)
{
	struct buf *out = z->out;
	const char *src = san_attr(n, "src");
	const char *srcset = san_attr(n, "srcset");
	const char *lazy =
		first_attr(n, lazy_src_attrs, ARRAY_SIZE(lazy_src_attrs));
	const char *lazy_set =
		first_attr(n, lazy_srcset_attrs, ARRAY_SIZE(lazy_srcset_attrs));
	struct buf clean_src = BUF_INIT, clean_set = BUF_INIT;
	bool ok = false;

	if (z->opt->no_images)
		return false;
	if (lazy && is_placeholder_src(src))
		src = lazy;
	if (lazy_set && (!srcset || is_blank_text(srcset)))
		srcset = lazy_set;
	if (src && !clean_url(z, src, URL_IMAGE, &clean_src))
		buf_reset(&clean_src);
	if (srcset && !clean_srcset(z, srcset, &clean_set))
		buf_reset(&clean_set);
	if (clean_src.len == 0 && clean_set.len == 0)
		goto out;
	if (is_tracker(n, clean_src.data))
		goto out;
	buf_adds(out, "<img");
	if (clean_src.len)
		add_attr(out, "src", clean_src.data, clean_src.len);
	if (clean_set.len) {
		add_attr(out, "srcset", clean_set.data, clean_set.len);
		if (san_attr(n, "sizes") &&
		    is_made_of(san_attr(n, "sizes"),
			       "abcdefghijklmnopqrstuvwxyz0123456789"
			       "()-.,% :/",
			       256))
			add_attr_s(out, "sizes", san_attr(n, "sizes"));
	}
	copy_text_attr(out, n, "alt", 1000);
	copy_text_attr(out, n, "title", 1000);
	copy_int_attr(out, n, "width", 1, 100000);
	copy_int_attr(out, n, "height", 1, 100000);
	copy_global_attrs(out, n);
	buf_adds(out, " loading=\"lazy\" decoding=\"async\""
		      " referrerpolicy=\"no-referrer\">");
	ok = true;
out:
	buf_release(&clean_src);
	buf_release(&clean_set);
	return ok;
}

static bool
write_source(struct sanitizer *z, const struct san_attrs *n)
{
	struct buf *out = z->out;
	const char *srcset = san_attr(n, "srcset");
	const char *type = san_attr(n, "type");
	const char *media = san_attr(n, "media");
	const char *sizes = san_attr(n, "sizes");

	struct buf set = BUF_INIT;

	if (!srcset || is_blank_text(srcset))
		srcset = first_attr(n, lazy_srcset_attrs,
				    ARRAY_SIZE(lazy_srcset_attrs));
	if (!srcset || !clean_srcset(z, srcset, &set)) {
		buf_release(&set);
		return false;
	}
	buf_adds(out, "<source");
	add_attr(out, "srcset", set.data, set.len);
	buf_release(&set);
	if (type &&
	    is_made_of(type, "abcdefghijklmnopqrstuvwxyz0123456789/+-.", 64))
		add_attr_s(out, "type", type);
	if (media && is_made_of(media,
				"abcdefghijklmnopqrstuvwxyz0123456789"
				"()-.,: ",
				256))
		add_attr_s(out, "media", media);
	if (sizes && is_made_of(sizes,
				"abcdefghijklmnopqrstuvwxyz0123456789"
				"()-.,% :/",
				256))
		add_attr_s(out, "sizes", sizes);
	buf_addc(out, '>');
	return true;
}

static bool
write_iframe(struct sanitizer *z, const struct san_attrs *n)
{
	struct buf *out = z->out;
	const char *src = san_attr(n, "src");

	if (z->opt->no_embeds || !src)
		return false;
	buf_reset(&z->tmp);
	if (!clean_url(z, src, URL_PLAIN, &z->tmp) ||
	    !sanitize_is_embed_url(z->tmp.data))
		return false;
	buf_adds(out, "<iframe");
	add_attr(out, "src", z->tmp.data, z->tmp.len);
	copy_int_attr(out, n, "width", 1, 10000);
	copy_int_attr(out, n, "height", 1, 10000);
	copy_text_attr(out, n, "title", 300);
	buf_adds(out, " sandbox=\"allow-scripts allow-same-origin "
		      "allow-popups\" allowfullscreen loading=\"lazy\""
		      " referrerpolicy=\"strict-origin-when-cross-origin\">"
		      "</iframe>");
	return true;
}

/* Writes the start tag of a non-void element; false to unwrap it. */
static bool
write_start(struct sanitizer *z, const struct rule *r,
	    const struct san_attrs *n)
{
	struct buf *out = z->out;
	const char *v;

	if (r->tag == GUMBO_TAG_A) {
		v = san_attr(n, "href");
		buf_reset(&z->tmp);
		if (!v || !clean_url(z, v, URL_LINK, &z->tmp))
			return false;
		buf_adds(out, "<a");
		add_attr(out, "href", z->tmp.data, z->tmp.len);
		copy_text_attr(out, n, "title", 1000);
		copy_global_attrs(out, n);
		buf_adds(out, " rel=\"noopener noreferrer nofollow\">");
		return true;
	}
	buf_addc(out, '<');
	buf_adds(out, r->name);
	switch (r->tag) {
	case GUMBO_TAG_OL:
		copy_int_attr(out, n, "start", -1000000, 1000000);
		if (san_attr(n, "reversed"))
			buf_adds(out, " reversed");
		v = san_attr(n, "type");
		if (v && strlen(v) == 1 && strchr("1aAiI", v[0]))
			add_attr_s(out, "type", v);
		break;
	case GUMBO_TAG_LI:
		copy_int_attr(out, n, "value", -1000000, 1000000);
		break;
	case GUMBO_TAG_TD:
	case GUMBO_TAG_TH:
		copy_int_attr(out, n, "colspan", 1, 1000);
		copy_int_attr(out, n, "rowspan", 0, 65534);
		v = san_attr(n, "scope");
		if (r->tag == GUMBO_TAG_TH && v &&
		    (!strcmp(v, "row") || !strcmp(v, "col") ||
		     !strcmp(v, "rowgroup") || !strcmp(v, "colgroup")))
			add_attr_s(out, "scope", v);
		break;
	case GUMBO_TAG_COLGROUP:
		copy_int_attr(out, n, "span", 1, 1000);
		break;
	case GUMBO_TAG_BLOCKQUOTE:
	case GUMBO_TAG_Q:
	case GUMBO_TAG_DEL:
	case GUMBO_TAG_INS:
		copy_url_attr(z, n, "cite");
		if (r->tag == GUMBO_TAG_DEL || r->tag == GUMBO_TAG_INS) {
			v = san_attr(n, "datetime");
			if (v && is_made_of(v, "0123456789-:.+TZ ", 64))
				add_attr_s(out, "datetime", v);
		}
		break;
	case GUMBO_TAG_TIME:
		v = san_attr(n, "datetime");
		if (v && is_made_of(v, "0123456789-:.+TZWP ", 64))
			add_attr_s(out, "datetime", v);
		break;
	case GUMBO_TAG_ABBR:
	case GUMBO_TAG_ACRONYM:
	case GUMBO_TAG_DFN:
		copy_text_attr(out, n, "title", 1000);
		break;
	default:
		break;
	}
	copy_global_attrs(out, n);
	buf_addc(out, '>');
	return true;
}

static void
write_col(struct sanitizer *z, const struct san_attrs *n)
{
	buf_adds(z->out, "<col");
	copy_int_attr(z->out, n, "span", 1, 1000);
	buf_addc(z->out, '>');
}

/* --- content model ------------------------------------------------------- */

/* The children a table part may have. */
static bool
table_child_ok(GumboTag parent, GumboTag child)
{
	switch (parent) {
	case GUMBO_TAG_TABLE:
		return child == GUMBO_TAG_CAPTION ||
		       child == GUMBO_TAG_COLGROUP ||
		       child == GUMBO_TAG_THEAD || child == GUMBO_TAG_TBODY ||
		       child == GUMBO_TAG_TFOOT;
	case GUMBO_TAG_THEAD:
	case GUMBO_TAG_TBODY:
	case GUMBO_TAG_TFOOT:
		return child == GUMBO_TAG_TR;
	case GUMBO_TAG_TR:
		return child == GUMBO_TAG_TD || child == GUMBO_TAG_TH;
	case GUMBO_TAG_COLGROUP:
		return child == GUMBO_TAG_COL;
	default:
		return false;
	}
}

/* The parent a table part needs, or GUMBO_TAG_UNKNOWN for any other tag. */
static bool
needs_table_parent(GumboTag child, GumboTag parent)
{
	switch (child) {
	case GUMBO_TAG_CAPTION:
	case GUMBO_TAG_COLGROUP:
	case GUMBO_TAG_THEAD:
	case GUMBO_TAG_TBODY:
	case GUMBO_TAG_TFOOT:
		return parent != GUMBO_TAG_TABLE;
	case GUMBO_TAG_TR:
		return parent != GUMBO_TAG_THEAD && parent != GUMBO_TAG_TBODY &&
		       parent != GUMBO_TAG_TFOOT;
	case GUMBO_TAG_TD:
	case GUMBO_TAG_TH:
		return parent != GUMBO_TAG_TR;
	case GUMBO_TAG_COL:
		return parent != GUMBO_TAG_COLGROUP;
	case GUMBO_TAG_SOURCE:
		return parent != TAG_PICTURE;
	default:
		return false;
	}
}

/*
 * Decides whether an allow-listed element may be written where it is, given
 * the elements written above it; returns the action to take.
 */
static enum action
placement(const struct sanitizer *z, const struct rule *r)
{
	const struct frame *parent = written_parent(z);
	GumboTag ptag = parent ? parent->rule->tag : GUMBO_TAG_BODY;
	size_t i;

	if (parent && (parent->rule->flags & F_TABLECTX))
		return table_child_ok(ptag, r->tag) ? ACT_KEEP : ACT_DROP;
	if (needs_table_parent(r->tag, ptag))
		return r->tag == GUMBO_TAG_COL || r->tag == GUMBO_TAG_SOURCE
			       ? ACT_DROP
			       : ACT_UNWRAP;
	if ((r->flags & F_HEADING) && parent &&
	    (parent->rule->flags & F_HEADING))
		return ACT_UNWRAP;
	for (i = z->depth; i > 0; i--) {
		const struct rule *up = z->stack[i - 1].rule;

		if (!up)
			continue;
		/* Button scope ends at cells and captions for us. */
		if (up->tag == GUMBO_TAG_TD || up->tag == GUMBO_TAG_TH ||
		    up->tag == GUMBO_TAG_CAPTION)
			break;
		if ((r->flags & F_PCLOSE) && up->tag == GUMBO_TAG_P)
			return ACT_UNWRAP;
		if (r->tag == GUMBO_TAG_A && up->tag == GUMBO_TAG_A)
			return ACT_UNWRAP;
	}
	if (r->tag == GUMBO_TAG_LI || r->tag == GUMBO_TAG_DD ||
	    r->tag == GUMBO_TAG_DT) {
		for (i = z->depth; i > 0; i--) {
			const struct rule *up = z->stack[i - 1].rule;

			if (!up)
				continue;
			if (r->tag == GUMBO_TAG_LI ? up->tag == GUMBO_TAG_LI
						   : (up->tag == GUMBO_TAG_DD ||
						      up->tag == GUMBO_TAG_DT))
				return ACT_UNWRAP;
			if ((up->flags & F_SPECIAL) &&
			    up->tag != GUMBO_TAG_DIV && up->tag != GUMBO_TAG_P)
				break;
		}
	}
	if (!(r->flags & F_VOID) && r->tag != GUMBO_TAG_IFRAME &&
	    z->written_depth >= (z->opt->max_depth
					 ? z->opt->max_depth
					 : SANITIZE_DEFAULT_MAX_DEPTH))
		return ACT_UNWRAP;
	return ACT_KEEP;
}

/* --- the written tree ---------------------------------------------------- */

void
html_record_init(struct html_record *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->text, 0);
}

void
html_record_reset(struct html_record *r)
{
	r->len = 0;
	r->open_len = 0;
	r->doubtful = false;
	buf_reset(&r->text);
}

void
html_record_release(struct html_record *r)
{
	free(r->v);
	free(r->open);
	buf_release(&r->text);
	memset(r, 0, sizeof(*r));
}

static struct wnode *
rec_add(struct html_record *r)
{
	struct wnode *w;

	if (r->len == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
	}
	w = &r->v[r->len++];
	memset(w, 0, sizeof(*w));
	w->end = r->len;
	return w;
}

/* The tag the parser gives back for what rule r writes. */
static GumboTag
written_tag(const struct rule *r)
{
	if (r->tag == TAG_PICTURE)
		return GUMBO_TAG_UNKNOWN;
	switch (r->tag) {
	case GUMBO_TAG_H1:
		return GUMBO_TAG_H2;
	case GUMBO_TAG_STRIKE:
		return GUMBO_TAG_S;
	case GUMBO_TAG_TT:
		return GUMBO_TAG_CODE;
	case GUMBO_TAG_ACRONYM:
		return GUMBO_TAG_ABBR;
	default:
		return r->tag;
	}
}

static void
rec_open(struct html_record *r, const struct rule *rule, size_t from)
{
	struct wnode *w;

	if (!r)
		return;
	if (r->open_len == r->open_cap) {
		r->open_cap = r->open_cap ? 2 * r->open_cap : 32;
		r->open = xreallocarray(r->open, r->open_cap, sizeof(*r->open));
	}
	r->open[r->open_len++] = r->len;
	w = rec_add(r);
	w->tag = written_tag(rule);
	w->from = from;
	w->toff = r->text.len;
}

static void
rec_close(struct html_record *r, size_t to)
{
	struct wnode *w;

	if (!r)
		return;
	w = &r->v[r->open[--r->open_len]];
	w->to = to;
	w->end = r->len;
}

/* The element opened last was cut out of the output with its contents. */
static void
rec_drop(struct html_record *r)
{
	size_t i;

	if (!r)
		return;
	i = r->open[--r->open_len];
	buf_truncate(&r->text, r->v[i].toff);
	r->len = i;
}

static void
rec_void(struct html_record *r, const struct rule *rule, size_t from, size_t to)
{
	struct wnode *w;

	if (!r)
		return;
	w = rec_add(r);
	w->tag = written_tag(rule);
	w->from = from;
	w->to = to;
	w->toff = r->text.len;
}

/*
 * True when s is UTF-8 that any decoder reads back byte for byte: no
 * overlong forms, surrogates, C1 controls or noncharacters.
 */
static bool
is_plain_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	unsigned cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 2;
			cp = s[i] & 0x1fu;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 3;
			cp = s[i] & 0x0fu;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 4;
			cp = s[i] & 0x07u;
		} else {
			return false;
		}
		if (len - i < n)
			return false;
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3fu);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp <= 0x9f || (cp >= 0xfdd0 && cp <= 0xfdef) ||
		    (cp & 0xfffe) == 0xfffe)
			return false;
		i += n;
	}
	return true;
}

/*
 * Text as the parser gives it back from add_escaped()'s output; plain
 * when the text is known to be plain UTF-8 with no control characters but
 * tab and newline, which come back as they are.
 */
static void
rec_text(struct html_record *r, const char *s, size_t len, size_t from,
	 size_t to, bool plain)
{
	struct wnode *w;
	size_t i, start = 0;

	if (!r)
		return;
	w = rec_add(r);
	w->text = true;
	w->tag = GUMBO_TAG_UNKNOWN;
	w->from = from;
	w->to = to;
	w->toff = r->text.len;
	if (plain) {
		buf_add(&r->text, s, len);
		w->tlen = len;
		buf_addc(&r->text, '\0');
		return;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7f)
			continue;
		if (c != '\t' && c != '\n' && c != '\f') {
			buf_add(&r->text, s + start, i - start);
			buf_adds(&r->text, "\xef\xbf\xbd");
			start = i + 1;
		}
	}
	buf_add(&r->text, s + start, len - start);
	w->tlen = r->text.len - w->toff;
	if (!r->doubtful &&
	    !is_plain_utf8((const unsigned char *)r->text.data + w->toff,
			   w->tlen))
		r->doubtful = true;
	buf_addc(&r->text, '\0');
}

/* --- the walk ------------------------------------------------------------ */

const char *
san_attr(const struct san_attrs *a, const char *name)
{
	size_t i;

	if (a->node)
		return dom_attr(a->node, name);
	for (i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].name, name))
			return a->v[i].value;
	return NULL;
}

static void
push(struct sanitizer *z, const GumboNode *n, const struct rule *r,
     size_t out_start)
{
	struct frame *f;

	if (z->depth == z->cap) {
		z->cap = z->cap ? 2 * z->cap : 64;
		z->stack = xreallocarray(z->stack, z->cap, sizeof(*z->stack));
	}
	f = &z->stack[z->depth++];
	f->node = n;
	f->next = 0;
	f->rule = r;
	f->out_start = out_start;
	f->out_after = z->out->len;
	f->meaningful = false;
	if (r) {
		z->written_depth++;
		rec_open(z->rec, r, out_start);
	}
}

static void
mark_meaningful(struct sanitizer *z)
{
	if (z->depth > 0)
		z->stack[z->depth - 1].meaningful = true;
}

void
san_text(struct sanitizer *z, const char *s, size_t len)
{
	const struct frame *parent = written_parent(z);
	size_t from = z->out->len;
	bool blank;

	if (len == 0)
		return;
	blank = is_blank_text(s);
	if (parent && (parent->rule->flags & F_TABLECTX) && !blank)
		return;
	/* The tree builder drops a newline right after <pre>. */
	if (parent && parent->rule->tag == GUMBO_TAG_PRE && s[0] == '\n' &&
	    z->out->len == parent->out_after)
		buf_addc(z->out, '\n');
	add_escaped(z->out, s, len);
	rec_text(z->rec, s, len, from, z->out->len, z->plain_text);
	if (!blank && !is_invisible_text(s))
		mark_meaningful(z);
}

void
san_leave(struct sanitizer *z)
{
	struct frame *f = &z->stack[--z->depth];
	const struct rule *r = f->rule;
	struct buf *out = z->out;

	if (r) {
		z->written_depth--;
		if (((r->flags & F_INLINE) && out->len == f->out_after) ||
		    ((r->flags & F_BLANK) && !f->meaningful)) {
			buf_truncate(out, f->out_start);
			rec_drop(z->rec);
			/* Keep the words on either side apart. */
			if ((r->flags & F_BLANK) && out->len > 0 &&
			    out->data[out->len - 1] != '>' &&
			    !isspace((unsigned char)out->data[out->len - 1])) {
				buf_addc(out, ' ');
				rec_text(z->rec, " ", 1, out->len - 1, out->len,
					 true);
			}
			return;
		}
		buf_adds(out, "</");
		buf_adds(out, r->name);
		buf_addc(out, '>');
		rec_close(z->rec, out->len);
	}
	if (f->meaningful && z->depth > 0)
		z->stack[z->depth - 1].meaningful = true;
}

/* Writes a void element (or an iframe); true if it counts as content. */
static bool
write_void(struct sanitizer *z, const struct rule *r, const struct san_attrs *n)
{
	size_t start = z->out->len;
	bool content;

	switch (r->tag) {
	case GUMBO_TAG_IMG:
		content = write_img(z, n);
		break;
	case GUMBO_TAG_SOURCE:
		(void)write_source(z, n);
		content = false;
		break;
	case GUMBO_TAG_IFRAME:
		content = write_iframe(z, n);
		break;
	case GUMBO_TAG_COL:
		write_col(z, n);
		content = false;
		break;
	default:
		buf_addc(z->out, '<');
		buf_adds(z->out, r->name);
		buf_addc(z->out, '>');
		content = (r->flags & F_CONTENT) != 0;
		break;
	}
	if (z->out->len > start)
		rec_void(z->rec, r, start, z->out->len);
	return content;
}

/*
 * Recognises the elements gumbo does not know by name: <picture>, and XHTML
 * elements written with a namespace prefix (<html:p>, <xhtml:img>), which
 * feeds carry and an HTML parser keeps as unknown elements.
 */
static GumboTag
unknown_tag(const GumboElement *e)
{
	GumboStringPiece name = e->original_tag;
	const char *colon;
	size_t plen;

	if (name.length < 2 || name.data[0] != '<')
		return GUMBO_TAG_UNKNOWN;
	gumbo_tag_from_original_text(&name);
	if (name.length == 7 && !strncasecmp(name.data, "picture", 7))
		return TAG_PICTURE;
	colon = memchr(name.data, ':', name.length);
	if (!colon)
		return GUMBO_TAG_UNKNOWN;
	plen = (size_t)(colon - name.data);
	if ((plen == 4 && !strncasecmp(name.data, "html", 4)) ||
	    (plen == 5 && !strncasecmp(name.data, "xhtml", 5)))
		return gumbo_tagn_enum(colon + 1,
				       (unsigned)(name.length - plen - 1));
	return GUMBO_TAG_UNKNOWN;
}

bool
san_enter(struct sanitizer *z, const GumboNode *n, GumboTag tag, bool prefixed,
	  const struct san_attrs *attrs)
{
	const struct rule *r;
	enum action act;
	size_t start = z->out->len;

	if (is_dropped(tag) || (tag == TAG_PICTURE && z->opt->no_images))
		return false;
	r = find_rule(tag);
	if (!r) {
		push(z, n, NULL, start);
		return true;
	}
	act = placement(z, r);
	if (act == ACT_DROP)
		return false;
	if (act == ACT_UNWRAP) {
		push(z, n, NULL, start);
		return true;
	}
	if ((r->flags & F_VOID) || r->tag == GUMBO_TAG_IFRAME) {
		if (write_void(z, r, attrs))
			mark_meaningful(z);
		/* A prefixed void element got children from the parser. */
		if (prefixed) {
			push(z, n, NULL, z->out->len);
			return true;
		}
		return false;
	}
	if (!write_start(z, r, attrs)) {
		push(z, n, NULL, start);
		return true;
	}
	push(z, n, r, start);
	return true;
}

void
san_begin(struct sanitizer *z, const struct sanitize_options *opt,
	  const char *base_url, struct buf *out, struct html_record *rec)
{
	static const struct sanitize_options defaults;

	memset(z, 0, sizeof(*z));
	z->opt = opt ? opt : &defaults;
	z->base_url = base_url && url_is_http(base_url) ? base_url : NULL;
	z->out = out;
	z->rec = rec;
	buf_init(&z->tmp, 0);
	/* The fragment root: never written. */
	push(z, NULL, NULL, out->len);
}

void
san_end(struct sanitizer *z)
{
	while (z->depth > 0)
		san_leave(z);
	free(z->stack);
	buf_release(&z->tmp);
	z->stack = NULL;
}

static void
visit_element(struct sanitizer *z, const GumboNode *n)
{
	const GumboElement *e = &n->v.element;
	struct san_attrs attrs = {n, NULL, 0};
	GumboTag tag = e->tag;
	bool prefixed = false;

	if (n->type != GUMBO_NODE_ELEMENT ||
	    e->tag_namespace != GUMBO_NAMESPACE_HTML)
		return;
	if (tag == GUMBO_TAG_UNKNOWN) {
		tag = unknown_tag(e);
		prefixed = tag != GUMBO_TAG_UNKNOWN && tag != TAG_PICTURE;
	}
	(void)san_enter(z, n, tag, prefixed, &attrs);
}

enum status
san_gumbo(const char *html, size_t len, const char *base_url,
	  const struct sanitize_options *opt, struct buf *out,
	  struct html_record *rec)
{
	struct sanitizer z;
	struct dom_limits lim = {0};
	struct dom d;
	enum status rc;

	san_begin(&z, opt, base_url, out, rec);
	lim.max_input = z.opt->max_input ? z.opt->max_input
					 : SANITIZE_DEFAULT_MAX_INPUT;
	rc = dom_parse(&d, html, len, &lim, true);
	if (rc)
		goto out;

	z.stack[0].node = d.root;
	while (z.depth > 0) {
		struct frame *f = &z.stack[z.depth - 1];
		const GumboVector *kids = dom_children(f->node);
		const GumboNode *c;

		if (f->next >= kids->length) {
			san_leave(&z);
			continue;
		}
		c = kids->data[f->next++];
		if (dom_is_text(c))
			san_text(&z, c->v.text.text, strlen(c->v.text.text));
		else if (c->type == GUMBO_NODE_ELEMENT)
			visit_element(&z, c);
	}
	rc = out->err ? out->err : ST_OK;
out:
	dom_release(&d);
	san_end(&z);
	return rc;
}

enum status
html_sanitize(const char *html, size_t len, const char *base_url,
	      const struct sanitize_options *opt, struct buf *out)
{
	return san_gumbo(html, len, base_url, opt, out, NULL);
}

/* --- benchmark ----------------------------------------------------------- */

static bool
read_file(const char *path, struct buf *b)
{
	FILE *fp = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!fp)
		return false;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(b, chunk, n);
	fclose(fp);
	return !b->err;
}

enum status
sanitize_bench(const char *dir, unsigned repeat, size_t *bytes_out,
	       double *seconds_out)
{
	struct buf *pages = NULL;
	size_t count = 0, cap = 0, bytes = 0, i;
	struct dirent *de;
	struct timespec t0, t1;
	struct buf out = BUF_INIT;
	enum status rc = ST_OK;
	unsigned r;
	DIR *dp = opendir(dir);

	if (!dp)
		return ST_NOTFOUND;
	while ((de = readdir(dp))) {
		char path[4096];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/source.html", dir,
			 de->d_name);
		if (count == cap) {
			cap = cap ? 2 * cap : 64;
			pages = xreallocarray(pages, cap, sizeof(*pages));
		}
		buf_init(&pages[count], 0);
		if (read_file(path, &pages[count]))
			count++;
		else
			buf_release(&pages[count]);
	}
	closedir(dp);
	if (count == 0) {
		free(pages);
		return ST_NOTFOUND;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r = 0; r < repeat && !rc; r++) {
		for (i = 0; i < count && !rc; i++) {
			buf_reset(&out);
			rc = html_sanitize(pages[i].data, pages[i].len,
					   "https://example.com/a/b", NULL,
					   &out);
			bytes += pages[i].len;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (i = 0; i < count; i++)
		buf_release(&pages[i]);
	free(pages);
	buf_release(&out);
	if (rc)
		return rc;
	*bytes_out = bytes;
	*seconds_out = (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return ST_OK;
}
