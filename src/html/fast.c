/*
 * fast.c — the sanitiser's streaming front end for simple HTML.
 *
 * Most feed bodies are a few paragraphs of well-formed markup. For those,
 * gumbo's tree is exactly the nesting of the tags as written, so the tags
 * can be handed to the sanitiser's core as they are read, with no tree.
 * This front end accepts only input for which that is certain, and answers
 * ST_UNSUPPORTED for everything else, which then goes to gumbo:
 *
 *  - valid UTF-8 with no control characters other than tab and newline, no
 *    C1 controls, noncharacters or byte-order mark;
 *  - only the tags of the table below; every non-void element closed by its
 *    own end tag while it is the current node (no implied end tags, no
 *    misnesting, nothing left open at the end), at most FAST_MAX_DEPTH deep;
 *  - no block inside a paragraph, heading, <pre> or inline element (the tree
 *    builder would close or move things), no <li> that would close an open
 *    <li>, no formatting element inside one of its own kind (the adoption
 *    agency and the "Noah's ark" clause never run);
 *  - attributes quoted (or bare names), each name once, names of letters,
 *    digits and "-_.:" only;
 *  - character references ending in ';' that are numeric (printable code
 *    points only) or in the short table below; a bare '&' only where the
 *    tokenizer would not read a reference either;
 *  - no comments, doctypes, CDATA, processing instructions or '<' that does
 *    not start a tag.
 *
 * Equality with the gumbo front end is checked by the differential unit
 * test (tests/unit/test_html_prepare.c) and fuzz target
 * (tests/fuzz/fuzz_prepare.c).
 */
#include "common.h"

#include <ctype.h>

#include "html/sanitize_int.h"

#define FAST_MAX_DEPTH 64
#define FAST_MAX_ATTRS 32
#define FAST_MAX_NAME  32

/* How a tag may nest (see the top of this file). */
enum fclass {
	FC_BLOCK,     /* container of blocks: closes a <p> */
	FC_PBLOCK,    /* block holding only inline content */
	FC_VOID,      /* inline void element */
	FC_VOIDBLOCK, /* void element that closes a <p> */
	FC_FORMAT,    /* formatting element (active formatting list) */
	FC_INLINE,    /* ordinary inline element */
};

struct ftag {
	const char *name;
	GumboTag tag;
	enum fclass cls;
};

/* clang-format off */
static const struct ftag ftags[] = {
	{ "p",          GUMBO_TAG_P,          FC_PBLOCK },
	{ "h1",         GUMBO_TAG_H1,         FC_PBLOCK },
	{ "h2",         GUMBO_TAG_H2,         FC_PBLOCK },
	{ "h3",         GUMBO_TAG_H3,         FC_PBLOCK },
	{ "h4",         GUMBO_TAG_H4,         FC_PBLOCK },
	{ "h5",         GUMBO_TAG_H5,         FC_PBLOCK },
	{ "h6",         GUMBO_TAG_H6,         FC_PBLOCK },
	{ "pre",        GUMBO_TAG_PRE,        FC_PBLOCK },
	{ "div",        GUMBO_TAG_DIV,        FC_BLOCK },
	{ "blockquote", GUMBO_TAG_BLOCKQUOTE, FC_BLOCK },
	{ "ul",         GUMBO_TAG_UL,         FC_BLOCK },
	{ "ol",         GUMBO_TAG_OL,         FC_BLOCK },
	{ "li",         GUMBO_TAG_LI,         FC_BLOCK },
	{ "figure",     GUMBO_TAG_FIGURE,     FC_BLOCK },
	{ "figcaption", GUMBO_TAG_FIGCAPTION, FC_BLOCK },
	{ "hr",         GUMBO_TAG_HR,         FC_VOIDBLOCK },
	{ "br",         GUMBO_TAG_BR,         FC_VOID },
	{ "img",        GUMBO_TAG_IMG,        FC_VOID },
	{ "wbr",        GUMBO_TAG_WBR,        FC_VOID },
	{ "a",          GUMBO_TAG_A,          FC_FORMAT },
	{ "b",          GUMBO_TAG_B,          FC_FORMAT },
	{ "i",          GUMBO_TAG_I,          FC_FORMAT },
	{ "em",         GUMBO_TAG_EM,         FC_FORMAT },
	{ "strong",     GUMBO_TAG_STRONG,     FC_FORMAT },
	{ "code",       GUMBO_TAG_CODE,       FC_FORMAT },
	{ "s",          GUMBO_TAG_S,          FC_FORMAT },
	{ "small",      GUMBO_TAG_SMALL,      FC_FORMAT },
	{ "u",          GUMBO_TAG_U,          FC_FORMAT },
	{ "span",       GUMBO_TAG_SPAN,       FC_INLINE },
	{ "q",          GUMBO_TAG_Q,          FC_INLINE },
	{ "cite",       GUMBO_TAG_CITE,       FC_INLINE },
	{ "kbd",        GUMBO_TAG_KBD,        FC_INLINE },
	{ "samp",       GUMBO_TAG_SAMP,       FC_INLINE },
	{ "var",        GUMBO_TAG_VAR,        FC_INLINE },
	{ "sup",        GUMBO_TAG_SUP,        FC_INLINE },
	{ "sub",        GUMBO_TAG_SUB,        FC_INLINE },
	{ "abbr",       GUMBO_TAG_ABBR,       FC_INLINE },
	{ "time",       GUMBO_TAG_TIME,       FC_INLINE },
	{ "mark",       GUMBO_TAG_MARK,       FC_INLINE },
	{ "del",        GUMBO_TAG_DEL,        FC_INLINE },
	{ "ins",        GUMBO_TAG_INS,        FC_INLINE },
	{ "dfn",        GUMBO_TAG_DFN,        FC_INLINE },
};

/* Named references decoded (with their ';'); anything else is refused. */
static const struct {
	const char *name;
	const char *utf8;
} entities[] = {
	{ "amp", "&" },              { "lt", "<" },
	{ "gt", ">" },               { "quot", "\"" },
	{ "apos", "'" },             { "nbsp", "\xc2\xa0" },
	{ "mdash", "\xe2\x80\x94" }, { "ndash", "\xe2\x80\x93" },
	{ "hellip", "\xe2\x80\xa6" },{ "lsquo", "\xe2\x80\x98" },
	{ "rsquo", "\xe2\x80\x99" }, { "ldquo", "\xe2\x80\x9c" },
	{ "rdquo", "\xe2\x80\x9d" }, { "sbquo", "\xe2\x80\x9a" },
	{ "bdquo", "\xe2\x80\x9e" }, { "laquo", "\xc2\xab" },
	{ "raquo", "\xc2\xbb" },     { "copy", "\xc2\xa9" },
	{ "reg", "\xc2\xae" },       { "trade", "\xe2\x84\xa2" },
	{ "middot", "\xc2\xb7" },    { "bull", "\xe2\x80\xa2" },
	{ "times", "\xc3\x97" },     { "deg", "\xc2\xb0" },
	{ "euro", "\xe2\x82\xac" },  { "pound", "\xc2\xa3" },
	{ "yen", "\xc2\xa5" },       { "cent", "\xc2\xa2" },
	{ "sect", "\xc2\xa7" },      { "para", "\xc2\xb6" },
	{ "eacute", "\xc3\xa9" },    { "egrave", "\xc3\xa8" },
	{ "ecirc", "\xc3\xaa" },     { "agrave", "\xc3\xa0" },
	{ "aacute", "\xc3\xa1" },    { "ccedil", "\xc3\xa7" },
	{ "ouml", "\xc3\xb6" },      { "uuml", "\xc3\xbc" },
	{ "auml", "\xc3\xa4" },      { "szlig", "\xc3\x9f" },
	{ "iacute", "\xc3\xad" },    { "oacute", "\xc3\xb3" },
	{ "uacute", "\xc3\xba" },    { "ntilde", "\xc3\xb1" },
	{ "shy", "\xc2\xad" },       { "thinsp", "\xe2\x80\x89" },
	{ "ensp", "\xe2\x80\x82" },  { "emsp", "\xe2\x80\x83" },
	{ "zwnj", "\xe2\x80\x8c" },  { "zwj", "\xe2\x80\x8d" },
	{ "lrm", "\xe2\x80\x8e" },   { "rlm", "\xe2\x80\x8f" },
	{ "prime", "\xe2\x80\xb2" }, { "Prime", "\xe2\x80\xb3" },
	{ "frac12", "\xc2\xbd" },    { "plusmn", "\xc2\xb1" },
	{ "divide", "\xc3\xb7" },    { "minus", "\xe2\x88\x92" },
	{ "larr", "\xe2\x86\x90" },  { "rarr", "\xe2\x86\x92" },
};

/* The references the tokenizer also reads without a ';'. */
static const char *const legacy[] = {
	"AElig", "AMP", "Aacute", "Acirc", "Agrave", "Aring", "Atilde",
	"Auml", "COPY", "Ccedil", "ETH", "Eacute", "Ecirc", "Egrave", "Euml",
	"GT", "Iacute", "Icirc", "Igrave", "Iuml", "LT", "Ntilde", "Oacute",
	"Ocirc", "Ograve", "Oslash", "Otilde", "Ouml", "QUOT", "REG", "THORN",
	"Uacute", "Ucirc", "Ugrave", "Uuml", "Yacute", "aacute", "acirc",
	"acute", "aelig", "agrave", "amp", "aring", "atilde", "auml",
	"brvbar", "ccedil", "cedil", "cent", "copy", "curren", "deg",
	"divide", "eacute", "ecirc", "egrave", "eth", "euml", "frac12",
	"frac14", "frac34", "gt", "iacute", "icirc", "iexcl", "igrave",
	"iquest", "iuml", "laquo", "lt", "macr", "micro", "middot", "nbsp",
	"not", "ntilde", "oacute", "ocirc", "ograve", "ordf", "ordm",
	"oslash", "otilde", "ouml", "para", "plusmn", "pound", "quot",
	"raquo", "reg", "sect", "shy", "sup1", "sup2", "sup3", "szlig",
	"thorn", "times", "uacute", "ucirc", "ugrave", "uml", "uuml",
	"yacute", "yen", "yuml",
};
/* clang-format on */

struct fopen {
	const struct ftag *t; /* the element */
	bool written;	      /* san_enter() took it (a san_leave() is owed) */
};

struct fast {
	struct sanitizer z;
	const char *in;			    /* the input */
	size_t len;			    /* its length */
	size_t i;			    /* read position */
	struct fopen stack[FAST_MAX_DEPTH]; /* open elements */
	size_t depth;			    /* entries in stack */
	unsigned inl;			/* open elements of inline content */
	bool after_pre;			/* a <pre> start tag was last */
	struct buf text;		/* text read since the last tag */
	struct buf abuf;		/* attribute names and values */
	size_t aoff[FAST_MAX_ATTRS][2]; /* their offsets in abuf */
	struct san_attr attrs[FAST_MAX_ATTRS];
	size_t nattr;
};

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

static const struct ftag *
find_ftag(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ftags); i++)
		if (!strncmp(ftags[i].name, name, n) && !ftags[i].name[n])
			return &ftags[i];
	return NULL;
}

/*
 * Length of the valid, allowed UTF-8 sequence of 2 to 4 bytes at s, or 0:
 * no overlong forms, surrogates, C1 controls, noncharacters or BOM.
 */
static size_t
utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned cp;
	size_t n, k;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (cp >= 0x80 && cp <= 0x9f) || (cp >= 0xfdd0 && cp <= 0xfdef) ||
	    (cp & 0xfffe) == 0xfffe || cp == 0xfeff)
		return 0;
	return n;
}

static void
add_utf8(struct buf *b, unsigned cp)
{
	char s[4];

	if (cp < 0x80) {
		buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		s[0] = (char)(0xc0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, s, 2);
	} else if (cp < 0x10000) {
		s[0] = (char)(0xe0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, s, 3);
	} else {
		s[0] = (char)(0xf0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, s, 4);
	}
}

static bool
is_legacy(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(legacy); i++)
		if (!strncmp(legacy[i], s, n) && !legacy[i][n])
			return true;
	return false;
}

/* True when some legacy reference is a prefix of s[0..n). */
static bool
has_legacy_prefix(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(legacy); i++) {
		size_t l = strlen(legacy[i]);

		if (l <= n && !strncmp(legacy[i], s, l))
			return true;
	}
	return false;
}

/*
 * Reads the '&' at f->i (in text, or in an attribute value when in_attr)
 * and appends what it stands for to out. False to give up.
 */
static bool
char_ref(struct fast *f, bool in_attr, struct buf *out)
{
	const char *in = f->in;
	size_t p = f->i + 1, q, i;

	if (p >= f->len || (!isalnum((unsigned char)in[p]) && in[p] != '#')) {
		buf_addc(out, '&'); /* not a reference */
		f->i = p;
		return true;
	}
	if (in[p] == '#') {
		bool hex;
		unsigned long cp = 0;
		size_t digits = 0;

		p++;
		hex = p < f->len && (in[p] == 'x' || in[p] == 'X');
		if (hex)
			p++;
		for (; p < f->len && digits < 8; p++, digits++) {
			int c = (unsigned char)in[p];

			if (isdigit(c))
				cp = cp * (hex ? 16 : 10) + (unsigned)(c - '0');
			else if (hex && isxdigit(c))
				cp = cp * 16 +
				     (unsigned)(tolower(c) - 'a' + 10);
			else
				break;
		}
		if (digits == 0 || p >= f->len || in[p] != ';')
			return false;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
		    (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe ||
		    cp == 0xfeff)
			return false;
		add_utf8(out, (unsigned)cp);
		f->i = p + 1;
		return true;
	}
	for (q = p; q < f->len && q - p < FAST_MAX_NAME &&
		    isalnum((unsigned char)in[q]);
	     q++)
		;
	if (q < f->len && in[q] == ';') {
		for (i = 0; i < ARRAY_SIZE(entities); i++)
			if (!strncmp(entities[i].name, in + p, q - p) &&
			    !entities[i].name[q - p]) {
				buf_adds(out, entities[i].utf8);
				f->i = q + 1;
				return true;
			}
		return false;
	}
	if (q < f->len && isalnum((unsigned char)in[q]))
		return false; /* a name too long to judge */
	if (in_attr ? (q >= f->len || in[q] != '=') && is_legacy(in + p, q - p)
		    : has_legacy_prefix(in + p, q - p))
		return false;
	buf_addc(out, '&');
	f->i = p;
	return true;
}

/* Reads text up to the next '<' into f->text. False to give up. */
static bool
read_text(struct fast *f)
{
	const unsigned char *in = (const unsigned char *)f->in;
	size_t start;

	if (f->after_pre && f->i < f->len && in[f->i] == '\n')
		f->i++;
	f->after_pre = false;
	while (f->i < f->len && in[f->i] != '<') {
		start = f->i;
		while (f->i < f->len && in[f->i] >= 0x20 && in[f->i] < 0x7f &&
		       in[f->i] != '<' && in[f->i] != '&')
			f->i++;
		buf_add(&f->text, f->in + start, f->i - start);
		if (f->i >= f->len || in[f->i] == '<')
			break;
		if (in[f->i] == '&') {
			if (!char_ref(f, false, &f->text))
				return false;
		} else if (in[f->i] == '\t' || in[f->i] == '\n') {
			buf_addc(&f->text, (char)in[f->i++]);
		} else {
			size_t n = utf8_seq(in + f->i, f->len - f->i);

			if (!n)
				return false;
			buf_add(&f->text, f->in + f->i, n);
			f->i += n;
		}
	}
	return true;
}

static void
flush_text(struct fast *f)
{
	if (f->text.len) {
		san_text(&f->z, f->text.data, f->text.len);
		buf_reset(&f->text);
	}
}

/* Reads an attribute value quoted at f->i into abuf. False to give up. */
static bool
read_value(struct fast *f)
{
	const unsigned char *in = (const unsigned char *)f->in;
	char quote = f->in[f->i++];

	while (f->i < f->len && f->in[f->i] != quote) {
		unsigned char c = in[f->i];

		if (c == '&') {
			if (!char_ref(f, true, &f->abuf))
				return false;
		} else if (c >= 0x20 && c < 0x7f) {
			buf_addc(&f->abuf, (char)c);
			f->i++;
		} else if (c == '\t' || c == '\n') {
			buf_addc(&f->abuf, (char)c);
			f->i++;
		} else {
			size_t n = utf8_seq(in + f->i, f->len - f->i);

			if (!n)
				return false;
			buf_add(&f->abuf, f->in + f->i, n);
			f->i += n;
		}
	}
	if (f->i >= f->len)
		return false;
	f->i++;
	/* After the quote: white space, '/' or '>'. */
	return f->i < f->len &&
	       (is_ws(f->in[f->i]) || f->in[f->i] == '/' || f->in[f->i] == '>');
}

static bool
is_attr_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' ||
	       c == ':';
}

/*
 * Reads the attributes of a start tag up to and past its '>'. Sets
 * *self_closing for "/>". False to give up.
 */
static bool
read_attrs(struct fast *f, bool *self_closing)
{
	size_t k;

	f->nattr = 0;
	buf_reset(&f->abuf);
	*self_closing = false;
	for (;;) {
		size_t start;

		while (f->i < f->len && is_ws(f->in[f->i]))
			f->i++;
		if (f->i >= f->len)
			return false;
		if (f->in[f->i] == '>') {
			f->i++;
			break;
		}
		if (f->in[f->i] == '/') {
			if (f->i + 1 >= f->len || f->in[f->i + 1] != '>')
				return false;
			*self_closing = true;
			f->i += 2;
			break;
		}
		if (f->nattr == FAST_MAX_ATTRS ||
		    !isalpha((unsigned char)f->in[f->i]))
			return false;
		start = f->i;
		f->aoff[f->nattr][0] = f->abuf.len;
		while (f->i < f->len && is_attr_char(f->in[f->i]))
			buf_addc(&f->abuf,
				 (char)tolower((unsigned char)f->in[f->i++]));
		if (f->i - start > FAST_MAX_NAME)
			return false;
		buf_addc(&f->abuf, '\0');
		f->aoff[f->nattr][1] = f->abuf.len;
		while (f->i < f->len && is_ws(f->in[f->i]))
			f->i++;
		if (f->i >= f->len)
			return false;
		if (f->in[f->i] == '=') {
			f->i++;
			while (f->i < f->len && is_ws(f->in[f->i]))
				f->i++;
			if (f->i >= f->len ||
			    (f->in[f->i] != '"' && f->in[f->i] != '\''))
				return false;
			if (!read_value(f))
				return false;
		} else if (f->in[f->i] != '>' && f->in[f->i] != '/' &&
			   !isalpha((unsigned char)f->in[f->i])) {
			return false;
		}
		buf_addc(&f->abuf, '\0');
		f->nattr++;
	}
	if (f->abuf.err)
		return false;
	for (k = 0; k < f->nattr; k++) {
		size_t j;

		f->attrs[k].name = f->abuf.data + f->aoff[k][0];
		f->attrs[k].value = f->abuf.data + f->aoff[k][1];
		for (j = 0; j < k; j++)
			if (!strcmp(f->attrs[j].name, f->attrs[k].name))
				return false; /* duplicate */
	}
	return true;
}

/* Reads a tag name at f->i; NULL unless it is one of ftags. */
static const struct ftag *
read_tag_name(struct fast *f)
{
	char name[FAST_MAX_NAME];
	size_t n = 0;

	while (f->i < f->len && isalnum((unsigned char)f->in[f->i])) {
		if (n == sizeof(name))
			return NULL;
		name[n++] = (char)tolower((unsigned char)f->in[f->i++]);
	}
	if (f->i >= f->len ||
	    !(is_ws(f->in[f->i]) || f->in[f->i] == '/' || f->in[f->i] == '>'))
		return NULL;
	return find_ftag(name, n);
}

static bool
start_tag(struct fast *f)
{
	const struct ftag *t;
	struct san_attrs attrs;
	bool self_closing, written;
	size_t k;

	f->i++; /* '<' */
	t = read_tag_name(f);
	if (!t || !read_attrs(f, &self_closing))
		return false;
	attrs.node = NULL;
	attrs.v = f->attrs;
	attrs.n = f->nattr;
	if (t->cls == FC_VOID || t->cls == FC_VOIDBLOCK) {
		if (t->cls == FC_VOIDBLOCK && f->inl > 0)
			return false;
		return !san_enter(&f->z, NULL, t->tag, false, &attrs);
	}
	if (self_closing || f->depth == FAST_MAX_DEPTH)
		return false;
	switch (t->cls) {
	case FC_BLOCK:
	case FC_PBLOCK:
		if (f->inl > 0)
			return false;
		if (t->tag == GUMBO_TAG_LI) {
			for (k = f->depth; k > 0; k--)
				if (f->stack[k - 1].t->tag != GUMBO_TAG_DIV)
					break;
			if (k > 0 && f->stack[k - 1].t->tag == GUMBO_TAG_LI)
				return false;
		}
		break;
	case FC_FORMAT:
		for (k = 0; k < f->depth; k++)
			if (f->stack[k].t == t)
				return false;
		f->inl++;
		break;
	default:
		f->inl++;
		break;
	}
	if (t->cls == FC_PBLOCK)
		f->inl++;
	written = san_enter(&f->z, NULL, t->tag, false, &attrs);
	f->stack[f->depth].t = t;
	f->stack[f->depth].written = written;
	f->depth++;
	/* A dropped element's contents would have to be skipped: rare. */
	if (!written)
		return false;
	f->after_pre = t->tag == GUMBO_TAG_PRE;
	return true;
}

static bool
end_tag(struct fast *f)
{
	const struct ftag *t;
	const struct fopen *top;

	f->i += 2; /* "</" */
	t = read_tag_name(f);
	if (!t || f->depth == 0)
		return false;
	while (f->i < f->len && is_ws(f->in[f->i]))
		f->i++;
	if (f->i >= f->len || f->in[f->i] != '>')
		return false;
	f->i++;
	top = &f->stack[f->depth - 1];
	if (top->t != t)
		return false;
	if (t->cls != FC_BLOCK)
		f->inl--;
	f->depth--;
	san_leave(&f->z);
	return true;
}

static bool
run(struct fast *f)
{
	while (f->i < f->len) {
		const char *in = f->in;
		bool ok;

		if (in[f->i] != '<') {
			if (!read_text(f))
				return false;
			continue;
		}
		if (f->i + 1 >= f->len)
			return false;
		flush_text(f);
		if (isalpha((unsigned char)in[f->i + 1]))
			ok = start_tag(f);
		else if (in[f->i + 1] == '/' && f->i + 2 < f->len &&
			 isalpha((unsigned char)in[f->i + 2]))
			ok = end_tag(f);
		else
			ok = false;
		if (!ok)
			return false;
		if (f->after_pre && f->i < f->len && f->in[f->i] == '<')
			f->after_pre = false;
	}
	flush_text(f);
	return f->depth == 0;
}

enum status
san_fast(const char *html, size_t len, const char *base_url,
	 const struct sanitize_options *opt, struct buf *out,
	 struct html_record *rec)
{
	struct fast f;
	size_t out_len = out->len;
	size_t rec_len = rec ? rec->len : 0;
	size_t rec_text = rec ? rec->text.len : 0;
	bool rec_doubtful = rec ? rec->doubtful : false;
	size_t max_input = opt && opt->max_input ? opt->max_input
						 : SANITIZE_DEFAULT_MAX_INPUT;
	enum status rc = ST_OK;

	if (!html)
		len = 0;
	if (len > max_input)
		return ST_UNSUPPORTED;
	memset(&f, 0, sizeof(f));
	f.in = html ? html : "";
	f.len = len;
	buf_init(&f.text, 0);
	buf_init(&f.abuf, 0);
	san_begin(&f.z, opt, base_url, out, rec);
	/* read_text() lets nothing else through. */
	f.z.plain_text = true;
	if (!run(&f) || f.text.err)
		rc = ST_UNSUPPORTED;
	/* Frames left open (on giving up) are closed without effect. */
	san_end(&f.z);
	if (!rc && out->err)
		rc = out->err;
	if (rc == ST_UNSUPPORTED) {
		buf_truncate(out, out_len);
		if (rec) {
			rec->len = rec_len;
			rec->open_len = 0;
			rec->doubtful = rec_doubtful;
			buf_truncate(&rec->text, rec_text);
		}
	}
	buf_release(&f.text);
	buf_release(&f.abuf);
	return rc;
}
