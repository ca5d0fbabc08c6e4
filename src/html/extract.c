/*
 * extract.c — finding and cleaning the article body of a web page.
 *
 * The method is the one reader views use (Arc90's Readability and its
 * descendants): elements that hold paragraphs of text are scored by their
 * text length and commas, the score flows to their parent (in full) and
 * grandparent (half) and further ancestors (less), class and id names that
 * look like content or like clutter move scores up or down, and the best
 * candidate, corrected for its link density, is the body; siblings that
 * score well enough or read like prose join it. The body is then cleaned:
 * forms, embeds, share bars, headers with clutter names, and lists, tables
 * and divs that hold mostly links, images or little text are removed.
 *
 * When the result is too short (under 500 characters) the whole process is
 * run again on a fresh tree, each time with one rule relaxed: first keep the
 * elements whose names look unlikely, then ignore class weights, then do not
 * clean conditionally; failing all, the longest attempt wins.
 */
#include "common.h"

#include <ctype.h>
#include <strings.h>

#include "base/buf.h"
#include "base/url.h"
#include "html/dom.h"
#include "html/extract.h"
#include "html/extract_int.h"

enum {
	FLAG_STRIP_UNLIKELYS = 1,
	FLAG_WEIGHT_CLASSES = 2,
	FLAG_CLEAN_CONDITIONALLY = 4,
};

/* Text below this many characters is not an article: try again. */
#define CHAR_THRESHOLD 500
/* Candidates remembered while choosing the top one. */
#define TOP_CANDIDATES 5
/* Alternative candidates needed to promote their common ancestor. */
#define MIN_TOP_CANDIDATES 3

struct attempt {
	struct xdoc doc;       /* the tree this attempt changed */
	struct xnode *article; /* the article element (in doc's arena) */
	size_t text_len;       /* its text length */
	char *byline;	       /* byline found in the markup, or NULL */
	bool built;	       /* doc holds a tree */
};

struct ctx {
	const GumboNode *groot;	      /* the parse */
	const char *title;	      /* article title, for header checks */
	struct xselector *remove_sel; /* from the options, or NULL */
	struct xselector *body_sel;   /* from the options, or NULL */
	unsigned flags;		      /* FLAG_* in force */
	struct attempt *at;	      /* the attempt being made */
};

/* ---- class and id hints ---- */

/* clang-format off */
static const char *const unlikely_words[] = {
	"-ad-", "ai2html", "banner", "breadcrumbs", "combx", "comment",
	"community", "cover-wrap", "disqus", "extra", "footer", "gdpr",
	"header", "legends", "menu", "related", "remark", "replies", "rss",
	"shoutbox", "sidebar", "skyscraper", "social", "sponsor",
	"supplemental", "ad-break", "agegate", "pagination", "pager", "popup",
	"yom-remote",
};
static const char *const maybe_words[] = {
	"and", "article", "body", "column", "content", "main", "mathjax",
	"shadow",
};
static const char *const positive_words[] = {
	"article", "body", "content", "entry", "hentry", "h-entry", "main",
	"page", "pagination", "post", "text", "blog", "story",
};
static const char *const negative_words[] = {
	"-ad-", "hidden", "banner", "combx", "comment", "com-", "contact",
	"footer", "gdpr", "masthead", "media", "meta", "outbrain", "promo",
	"related", "scroll", "share", "shoutbox", "sidebar", "skyscraper",
	"sponsor", "shopping", "tags", "widget",
};
static const char *const byline_words[] = {
	"byline", "author", "dateline", "writtenby", "p-author",
};
static const char *const unlikely_roles[] = {
	"menu", "menubar", "complementary", "navigation", "alert",
	"alertdialog", "dialog",
};
/* clang-format on */

/* The lower-cased "class id" of n, cut to fit. */
static void
match_string(const struct xnode *n, char *out, size_t size)
{
	const char *cls = xnode_attr(n, "class");
	const char *id = xnode_attr(n, "id");
	size_t i;

	snprintf(out, size, "%s %s", cls ? cls : "", id ? id : "");
	for (i = 0; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
}

static void
lower_copy(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s && s[i] && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

static bool
has_any(const char *s, const char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(s, words[i]))
			return true;
	return false;
}

/* The word "hid" alone among the names. */
static bool
has_hid(const char *s)
{
	const char *p;

	for (p = s; (p = strstr(p, "hid")); p++) {
		bool start = p == s || p[-1] == ' ';
		bool end = p[3] == '\0' || p[3] == ' ';

		if (start && end)
			return true;
	}
	return false;
}

static bool
is_negative(const char *s)
{
	return has_any(s, negative_words, ARRAY_SIZE(negative_words)) ||
	       has_hid(s);
}

static bool
is_positive(const char *s)
{
	return has_any(s, positive_words, ARRAY_SIZE(positive_words));
}

static int
class_weight(const struct ctx *c, const struct xnode *n)
{
	char s[512];
	int weight = 0;

	if (!(c->flags & FLAG_WEIGHT_CLASSES))
		return 0;
	lower_copy(xnode_attr(n, "class"), s, sizeof(s));
	if (s[0]) {
		if (is_negative(s))
			weight -= 25;
		if (is_positive(s))
			weight += 25;
	}
	lower_copy(xnode_attr(n, "id"), s, sizeof(s));
	if (s[0]) {
		if (is_negative(s))
			weight -= 25;
		if (is_positive(s))
			weight += 25;
	}
	return weight;
}

/* "share" or "sharedaddy" as a word of the names ('_' separates too). */
static bool
is_share(const char *s)
{
	const char *p;

	for (p = s; (p = strstr(p, "share")); p++) {
		const char *e = p + 5;

		if (p != s && isalnum((unsigned char)p[-1]))
			continue;
		if (!strncmp(e, "daddy", 5))
			e += 5;
		if (!isalnum((unsigned char)*e))
			return true;
	}
	return false;
}

/* ---- element classes ---- */

static bool
is_phrasing_tag(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_ABBR:
	case GUMBO_TAG_AUDIO:
	case GUMBO_TAG_B:
	case GUMBO_TAG_BDO:
	case GUMBO_TAG_BR:
	case GUMBO_TAG_BUTTON:
	case GUMBO_TAG_CITE:
	case GUMBO_TAG_CODE:
	case GUMBO_TAG_DATA:
	case GUMBO_TAG_DATALIST:
	case GUMBO_TAG_DFN:
	case GUMBO_TAG_EM:
	case GUMBO_TAG_EMBED:
	case GUMBO_TAG_I:
	case GUMBO_TAG_IMG:
	case GUMBO_TAG_INPUT:
	case GUMBO_TAG_KBD:
	case GUMBO_TAG_LABEL:
	case GUMBO_TAG_MARK:
	case GUMBO_TAG_MATH:
	case GUMBO_TAG_METER:
	case GUMBO_TAG_NOSCRIPT:
	case GUMBO_TAG_OBJECT:
	case GUMBO_TAG_OUTPUT:
	case GUMBO_TAG_PROGRESS:
	case GUMBO_TAG_Q:
	case GUMBO_TAG_RUBY:
	case GUMBO_TAG_SAMP:
	case GUMBO_TAG_SCRIPT:
	case GUMBO_TAG_SELECT:
	case GUMBO_TAG_SMALL:
	case GUMBO_TAG_SPAN:
	case GUMBO_TAG_STRONG:
	case GUMBO_TAG_SUB:
	case GUMBO_TAG_SUP:
	case GUMBO_TAG_TEXTAREA:
	case GUMBO_TAG_TIME:
	case GUMBO_TAG_VAR:
	case GUMBO_TAG_WBR:
		return true;
	default:
		return false;
	}
}

static bool
is_link_like(GumboTag t)
{
	return t == GUMBO_TAG_A || t == GUMBO_TAG_DEL || t == GUMBO_TAG_INS;
}

/* Text, phrasing elements, and a/del/ins holding only phrasing content. */
static bool
is_phrasing(const struct xnode *top)
{
	const struct xnode *n;

	if (top->type == XN_TEXT)
		return true;
	if (is_phrasing_tag(top->tag))
		return true;
	if (!is_link_like(top->tag))
		return false;
	for (n = xnode_next(top, top); n;) {
		if (n->type == XN_TEXT || is_phrasing_tag(n->tag)) {
			n = xnode_next_skip(n, top);
			continue;
		}
		if (!is_link_like(n->tag))
			return false;
		n = xnode_next(n, top);
	}
	return true;
}

static bool
is_whitespace_node(const struct xnode *n)
{
	if (n->type == XN_TEXT)
		return xnode_is_blank(n);
	return n->tag == GUMBO_TAG_BR;
}

/* Skips white-space text siblings from n on. */
static struct xnode *
next_significant(struct xnode *n)
{
	while (n && n->type == XN_TEXT && xnode_is_blank(n))
		n = n->next;
	return n;
}

static bool
has_text_child(const struct xnode *n)
{
	const struct xnode *c;

	for (c = n->first; c; c = c->next)
		if (c->type == XN_TEXT && !xnode_is_blank(c))
			return true;
	return false;
}

/* Exactly one element child, with this tag, and no text beside it. */
static bool
has_single_tag_inside(const struct xnode *n, GumboTag tag)
{
	const struct xnode *e = xnode_first_elem(n);

	if (!e || e->tag != tag || xnode_next_elem(e))
		return false;
	return !has_text_child(n);
}

static bool
is_div_to_p_block(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_BLOCKQUOTE:
	case GUMBO_TAG_DL:
	case GUMBO_TAG_DIV:
	case GUMBO_TAG_IMG:
	case GUMBO_TAG_OL:
	case GUMBO_TAG_P:
	case GUMBO_TAG_PRE:
	case GUMBO_TAG_TABLE:
	case GUMBO_TAG_UL:
		return true;
	default:
		return false;
	}
}

static bool
has_child_block(const struct xnode *top)
{
	const struct xnode *n;

	for (n = xnode_next(top, top); n; n = xnode_next(n, top))
		if (n->type == XN_ELEM && is_div_to_p_block(n->tag))
			return true;
	return false;
}

static bool
is_heading(GumboTag t)
{
	return t == GUMBO_TAG_H1 || t == GUMBO_TAG_H2 || t == GUMBO_TAG_H3 ||
	       t == GUMBO_TAG_H4 || t == GUMBO_TAG_H5 || t == GUMBO_TAG_H6;
}

/* No text, and no children but <br> and <hr>. */
static bool
is_without_content(const struct xnode *n)
{
	const struct xnode *c;

	if (!xnode_is_blank(n))
		return false;
	for (c = xnode_next(n, n); c; c = xnode_next(c, n))
		if (c->type == XN_ELEM && c->tag != GUMBO_TAG_BR &&
		    c->tag != GUMBO_TAG_HR)
			return false;
	return true;
}

static bool
is_probably_visible(const struct xnode *n)
{
	const char *style = xnode_attr(n, "style");
	const char *aria = xnode_attr(n, "aria-hidden");

	if (style) {
		char s[256];
		size_t i, o = 0;

		for (i = 0; style[i] && o + 1 < sizeof(s); i++)
			if (!isspace((unsigned char)style[i]))
				s[o++] = (char)tolower((unsigned char)style[i]);
		s[o] = '\0';
		if (strstr(s, "display:none") || strstr(s, "visibility:hidden"))
			return false;
	}
	if (xnode_attr(n, "hidden"))
		return false;
	if (aria && !strcmp(aria, "true")) {
		const char *cls = xnode_attr(n, "class");

		return cls && strstr(cls, "fallback-image");
	}
	return true;
}

/* Attributes pointing at a video player we keep. */
static bool
is_video_url(const char *s)
{
	static const char *const hosts[] = {
		"//www.dailymotion.com",
		"//dailymotion.com",
		"//www.youtube.com",
		"//youtube.com",
		"//www.youtube-nocookie.com",
		"//youtube-nocookie.com",
		"//player.vimeo.com",
		"//www.player.vimeo.com",
		"//v.qq.com",
		"//archive.org",
		"//upload.wikimedia.org",
		"//player.twitch.tv",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hosts); i++)
		if (strcasestr(s, hosts[i]))
			return true;
	return false;
}

static bool
has_video_attr(const struct xnode *n)
{
	unsigned i;

	for (i = 0; i < n->nattrs; i++)
		if (is_video_url(n->attrs[i].value))
			return true;
	return false;
}

/* ---- scoring ---- */

static void
initialize_node(const struct ctx *c, struct xnode *n)
{
	double score = 0;

	switch (n->tag) {
	case GUMBO_TAG_DIV:
		score = 5;
		break;
	case GUMBO_TAG_PRE:
	case GUMBO_TAG_TD:
	case GUMBO_TAG_BLOCKQUOTE:
		score = 3;
		break;
	case GUMBO_TAG_ADDRESS:
	case GUMBO_TAG_OL:
	case GUMBO_TAG_UL:
	case GUMBO_TAG_DL:
	case GUMBO_TAG_DD:
	case GUMBO_TAG_DT:
	case GUMBO_TAG_LI:
	case GUMBO_TAG_FORM:
		score = -3;
		break;
	case GUMBO_TAG_H1:
	case GUMBO_TAG_H2:
	case GUMBO_TAG_H3:
	case GUMBO_TAG_H4:
	case GUMBO_TAG_H5:
	case GUMBO_TAG_H6:
	case GUMBO_TAG_TH:
		score = -5;
		break;
	default:
		break;
	}
	n->score = score + class_weight(c, n);
	n->flags |= XF_SCORED;
}

/* Removes n and returns the next node in document order after it. */
static struct xnode *
remove_and_next(struct xnode *n, struct xnode *top)
{
	struct xnode *next = xnode_next_skip(n, top);

	xnode_remove(n);
	n->flags |= XF_GONE;
	return next;
}

/* Checks n for a byline; on success keeps its text and returns true. */
static bool
check_byline(struct ctx *c, struct xnode *n, const char *match)
{
	const char *rel = xnode_attr(n, "rel");
	const char *itemprop = xnode_attr(n, "itemprop");
	const struct xnode *src = n, *k;
	struct buf b = BUF_INIT;
	size_t len;

	if (c->at->byline)
		return false;
	if (!((rel && !strcmp(rel, "author")) ||
	      (itemprop && strstr(itemprop, "author")) ||
	      has_any(match, byline_words, ARRAY_SIZE(byline_words))))
		return false;
	len = xnode_text_len(n);
	if (len == 0 || len >= 100)
		return false;
	/* A child marked as the name gives a cleaner byline. */
	for (k = xnode_next(n, n); k; k = xnode_next(k, n)) {
		const char *ip = xnode_attr(k, "itemprop");

		if (ip && strstr(ip, "name")) {
			src = k;
			break;
		}
	}
	xnode_text(src, &b, true);
	if (b.len == 0) {
		buf_release(&b);
		return false;
	}
	c->at->byline = buf_detach(&b, NULL);
	return true;
}

static bool
header_duplicates_title(const struct ctx *c, const struct xnode *n)
{
	struct buf b = BUF_INIT;
	bool dup;

	if (!c->title || (n->tag != GUMBO_TAG_H1 && n->tag != GUMBO_TAG_H2))
		return false;
	xnode_text(n, &b, true);
	dup = xtext_similarity(c->title, b.data) > 0.75;
	buf_release(&b);
	return dup;
}

/* Wraps runs of phrasing content of a div in paragraphs. */
static void
wrap_phrasing(struct xdoc *d, struct xnode *div)
{
	struct xnode *child = div->first, *p = NULL;

	while (child) {
		struct xnode *next = child->next;

		if (is_phrasing(child)) {
			if (p)
				xnode_append(p, child);
			else if (!is_whitespace_node(child)) {
				p = xnode_new_elem(d, GUMBO_TAG_P);
				xnode_replace(child, p);
				xnode_append(p, child);
			}
		} else if (p) {
			while (p->last && is_whitespace_node(p->last))
				xnode_remove(p->last);
			p = NULL;
		}
		child = next;
	}
	if (p)
		while (p->last && is_whitespace_node(p->last))
			xnode_remove(p->last);
}

static bool
is_attached(const struct xnode *n, const struct xnode *root)
{
	while (n->parent)
		n = n->parent;
	return n == root;
}

static void
score_elements(struct ctx *c, struct xlist *to_score, struct xlist *cands)
{
	struct xnode *root = c->at->doc.root;
	size_t i;

	for (i = 0; i < to_score->n; i++) {
		struct xnode *e = to_score->v[i], *a;
		double score;
		size_t len;
		int level;

		if (!e->parent || !is_attached(e, root))
			continue;
		len = xnode_text_len(e);
		if (len < 25)
			continue;
		score = 1 + (double)(xnode_commas(e) + 1) +
			(double)MIN(len / 100, 3);
		for (a = e->parent, level = 0; a && level < 5;
		     a = a->parent, level++) {
			double divider;

			if (a->type != XN_ELEM || !a->parent)
				continue;
			if (!(a->flags & XF_SCORED)) {
				initialize_node(c, a);
				xlist_push(cands, a);
			}
			divider = level == 0 ? 1 : level == 1 ? 2 : level * 3;
			a->score += score / divider;
		}
	}
}

/* True when anc is n or one of its ancestors. */
static bool
is_ancestor(const struct xnode *anc, const struct xnode *n)
{
	for (; n; n = n->parent)
		if (n == anc)
			return true;
	return false;
}

static struct xnode *
pick_top(struct ctx *c, struct xlist *cands, bool *created)
{
	struct xdoc *d = &c->at->doc;
	struct xnode *top[TOP_CANDIDATES] = {0};
	struct xnode *best, *parent;
	size_t i, k, alternatives = 0;
	double last, threshold;

	for (i = 0; i < cands->n; i++) {
		struct xnode *n = cands->v[i];

		if (!is_attached(n, d->root))
			continue;
		n->score *= 1 - xnode_link_density(n);
		for (k = 0; k < TOP_CANDIDATES; k++) {
			if (!top[k] || n->score > top[k]->score) {
				memmove(&top[k + 1], &top[k],
					(TOP_CANDIDATES - k - 1) *
						sizeof(top[0]));
				top[k] = n;
				break;
			}
		}
	}
	best = top[0];
	*created = false;
	if (!best || best->tag == GUMBO_TAG_BODY) {
		struct xnode *div = xnode_new_elem(d, GUMBO_TAG_DIV);

		while (d->body->first)
			xnode_append(div, d->body->first);
		xnode_append(d->body, div);
		initialize_node(c, div);
		*created = true;
		return div;
	}
	/* Several good candidates under one ancestor: take the ancestor. */
	for (i = 1; i < TOP_CANDIDATES && top[i]; i++)
		if (top[i]->score / best->score >= 0.75)
			alternatives++;
	if (alternatives >= MIN_TOP_CANDIDATES) {
		for (parent = best->parent; parent && parent != d->body &&
					    parent->tag != GUMBO_TAG_BODY;
		     parent = parent->parent) {
			size_t containing = 0;

			for (i = 1; i < TOP_CANDIDATES && top[i]; i++)
				if (top[i]->score / best->score >= 0.75 &&
				    top[i] != parent &&
				    is_ancestor(parent, top[i]))
					containing++;
			if (containing >= MIN_TOP_CANDIDATES) {
				best = parent;
				break;
			}
		}
	}
	if (!(best->flags & XF_SCORED))
		initialize_node(c, best);
	/* Climb while the parents keep a good share of the score. */
	last = best->score;
	threshold = last / 3;
	for (parent = best->parent;
	     parent && parent->tag != GUMBO_TAG_BODY && parent->parent;
	     parent = parent->parent) {
		if (!(parent->flags & XF_SCORED))
			continue;
		if (parent->score < threshold)
			break;
		if (parent->score > last) {
			best = parent;
			break;
		}
		last = parent->score;
	}
	/* An only child is as good as its parent. */
	for (parent = best->parent;
	     parent && parent->tag != GUMBO_TAG_BODY && parent->parent &&
	     xnode_child_elems(parent) == 1;
	     parent = best->parent)
		best = parent;
	if (!(best->flags & XF_SCORED))
		initialize_node(c, best);
	return best;
}

static bool
has_sentence_end(const char *s)
{
	const char *p;

	for (p = s; (p = strchr(p, '.')); p++)
		if (p[1] == ' ' || p[1] == '\0')
			return true;
	return false;
}

static bool
alter_to_div_exception(GumboTag t)
{
	return t == GUMBO_TAG_DIV || t == GUMBO_TAG_ARTICLE ||
	       t == GUMBO_TAG_SECTION || t == GUMBO_TAG_P;
}

/* Joins the top candidate with its siblings that look like content. */
static struct xnode *
join_siblings(struct ctx *c, struct xnode *best)
{
	struct xdoc *d = &c->at->doc;
	struct xnode *article = xnode_new_elem(d, GUMBO_TAG_DIV);
	struct xnode *parent = best->parent, *s, *next;
	double threshold = MAX(10, best->score * 0.2);
	const char *best_class = xnode_attr(best, "class");
	struct buf b = BUF_INIT;

	if (!parent) {
		xnode_append(article, best);
		return article;
	}
	for (s = parent->first; s; s = next) {
		bool append = false;

		next = s->next;
		if (s->type != XN_ELEM)
			continue;
		if (s == best)
			append = true;
		else {
			double bonus = 0;
			const char *cls = xnode_attr(s, "class");

			if (best_class && best_class[0] && cls &&
			    !strcmp(cls, best_class))
				bonus = best->score * 0.2;
			if ((s->flags & XF_SCORED) &&
			    s->score + bonus >= threshold)
				append = true;
			else if (s->tag == GUMBO_TAG_P) {
				double ld = xnode_link_density(s);
				size_t len;

				buf_reset(&b);
				xnode_text(s, &b, true);
				len = xnode_text_len(s);
				if (len > 80 && ld < 0.25)
					append = true;
				else if (len < 80 && len > 0 && ld == 0 &&
					 has_sentence_end(b.data))
					append = true;
			}
		}
		if (append) {
			if (!alter_to_div_exception(s->tag))
				xnode_set_tag(s, GUMBO_TAG_DIV);
			xnode_append(article, s);
		}
	}
	buf_release(&b);
	return article;
}

/* ---- cleaning the article ---- */

static void
mark_data_tables(struct xnode *article)
{
	struct xnode *t;

	for (t = article; t; t = xnode_next(t, article)) {
		const char *role, *v;
		size_t rows = 0, cols = 0;
		struct xnode *n;
		bool data = false, decided = false;

		if (!xnode_is(t, GUMBO_TAG_TABLE))
			continue;
		role = xnode_attr(t, "role");
		v = xnode_attr(t, "datatable");
		if ((role && !strcmp(role, "presentation")) ||
		    (v && !strcmp(v, "0")))
			continue;
		if (xnode_attr(t, "summary"))
			data = decided = true;
		for (n = xnode_next(t, t); n && !decided;
		     n = xnode_next(n, t)) {
			if (n->type != XN_ELEM)
				continue;
			switch (n->tag) {
			case GUMBO_TAG_CAPTION:
				if (n->first)
					data = decided = true;
				break;
			case GUMBO_TAG_COL:
			case GUMBO_TAG_COLGROUP:
			case GUMBO_TAG_TFOOT:
			case GUMBO_TAG_THEAD:
			case GUMBO_TAG_TH:
				data = decided = true;
				break;
			case GUMBO_TAG_TABLE:
				decided = true;
				break;
			default:
				break;
			}
		}
		if (!decided) {
			for (n = xnode_next(t, t); n; n = xnode_next(n, t)) {
				const char *span;
				size_t cells = 0;
				struct xnode *cell;

				if (!xnode_is(n, GUMBO_TAG_TR))
					continue;
				span = xnode_attr(n, "rowspan");
				rows += span ? MAX(1, atoi(span)) : 1;
				for (cell = n->first; cell; cell = cell->next) {
					if (!xnode_is(cell, GUMBO_TAG_TD))
						continue;
					span = xnode_attr(cell, "colspan");
					cells += span ? (size_t)MAX(1,
								    atoi(span))
						      : 1;
				}
				cols = MAX(cols, cells);
			}
			if (rows == 1 || cols == 1)
				data = false;
			else if (rows >= 10 || cols > 4)
				data = true;
			else
				data = rows * cols > 10;
		}
		if (data)
			t->flags |= XF_DATATABLE;
	}
}

static bool
in_data_table(const struct xnode *n)
{
	for (n = n->parent; n; n = n->parent)
		if (xnode_is(n, GUMBO_TAG_TABLE) && (n->flags & XF_DATATABLE))
			return true;
	return false;
}

static double
heading_density(const struct xnode *top)
{
	size_t total = xnode_text_len(top), heads = 0;
	const struct xnode *n;

	if (!total)
		return 0;
	for (n = xnode_next(top, top); n;) {
		if (n->type == XN_ELEM && is_heading(n->tag)) {
			heads += xnode_text_len(n);
			n = xnode_next_skip(n, top);
			continue;
		}
		n = xnode_next(n, top);
	}
	return (double)heads / (double)total;
}

static bool
should_clean(const struct ctx *c, struct xnode *n, GumboTag tag)
{
	bool is_list = tag == GUMBO_TAG_UL || tag == GUMBO_TAG_OL;
	size_t p, img, li, input, embeds = 0, len;
	int weight, li_adj;
	double link_density, heads;
	bool remove;
	struct xnode *k;

	if (!is_list) {
		size_t list_len = 0, all = xnode_text_len(n);

		for (k = xnode_next(n, n); k;) {
			if (xnode_is(k, GUMBO_TAG_UL) ||
			    xnode_is(k, GUMBO_TAG_OL)) {
				list_len += xnode_text_len(k);
				k = xnode_next_skip(k, n);
				continue;
			}
			k = xnode_next(k, n);
		}
		is_list = all > 0 && (double)list_len / (double)all > 0.9;
	}
	if (tag == GUMBO_TAG_TABLE && (n->flags & XF_DATATABLE))
		return false;
	if (in_data_table(n) || xnode_has_ancestor(n, GUMBO_TAG_CODE, 0))
		return false;
	weight = class_weight(c, n);
	if (weight < 0)
		return true;
	if (xnode_commas(n) >= 10)
		return false;
	p = xnode_count(n, GUMBO_TAG_P);
	img = xnode_count(n, GUMBO_TAG_IMG);
	li = xnode_count(n, GUMBO_TAG_LI);
	li_adj = (int)li - 100;
	input = xnode_count(n, GUMBO_TAG_INPUT);
	heads = heading_density(n);
	for (k = xnode_next(n, n); k; k = xnode_next(k, n)) {
		if (!xnode_is(k, GUMBO_TAG_OBJECT) &&
		    !xnode_is(k, GUMBO_TAG_EMBED) &&
		    !xnode_is(k, GUMBO_TAG_IFRAME))
			continue;
		if (has_video_attr(k))
			return false;
		embeds++;
	}
	link_density = xnode_link_density(n);
	len = xnode_text_len(n);
	remove =
		(img > 1 && (double)p / (double)img < 0.5 &&
		 !xnode_has_ancestor(n, GUMBO_TAG_FIGURE, 0)) ||
		(!is_list && li_adj > (int)p) || (input > p / 3) ||
		(!is_list && heads < 0.9 && len < 25 && (img == 0 || img > 2) &&
		 !xnode_has_ancestor(n, GUMBO_TAG_FIGURE, 0)) ||
		(!is_list && weight < 25 && link_density > 0.2) ||
		(weight >= 25 && link_density > 0.5) ||
		(embeds == 1 && len < 75) || embeds > 1;
	/* Lists of images stay. */
	if (is_list && remove) {
		for (k = n->first; k; k = k->next)
			if (k->type == XN_ELEM && xnode_child_elems(k) > 1)
				return remove;
		if (img == li)
			return false;
	}
	return remove;
}

/* Removes the elements with tag that look like clutter. */
static void
clean_conditionally(const struct ctx *c, struct xnode *article, GumboTag tag)
{
	struct xlist l = {0};
	size_t i;

	if (!(c->flags & FLAG_CLEAN_CONDITIONALLY))
		return;
	xnode_collect(article, tag, &l);
	for (i = l.n; i-- > 0;) {
		if (!l.v[i]->parent)
			continue;
		if (should_clean(c, l.v[i], tag))
			xnode_remove(l.v[i]);
	}
	xlist_release(&l);
}

/* Removes every element with tag (but video players). */
static void
clean_tag(struct xnode *article, GumboTag tag)
{
	bool embed = tag == GUMBO_TAG_OBJECT || tag == GUMBO_TAG_EMBED ||
		     tag == GUMBO_TAG_IFRAME;
	struct xnode *n = xnode_next(article, article);

	while (n) {
		if (xnode_is(n, tag) && !(embed && has_video_attr(n))) {
			n = remove_and_next(n, article);
			continue;
		}
		n = xnode_next(n, article);
	}
}

static void
clean_share(struct xnode *article)
{
	struct xnode *top;

	for (top = article->first; top; top = top->next) {
		struct xnode *n;

		if (top->type != XN_ELEM)
			continue;
		for (n = xnode_next(top, top); n;) {
			char s[512];

			if (n->type != XN_ELEM) {
				n = xnode_next(n, top);
				continue;
			}
			match_string(n, s, sizeof(s));
			if (is_share(s) && xnode_text_len(n) < CHAR_THRESHOLD) {
				n = remove_and_next(n, top);
				continue;
			}
			n = xnode_next(n, top);
		}
	}
}

static void
clean_headers(const struct ctx *c, struct xnode *article)
{
	struct xnode *n = xnode_next(article, article);

	while (n) {
		if ((xnode_is(n, GUMBO_TAG_H1) || xnode_is(n, GUMBO_TAG_H2)) &&
		    class_weight(c, n) < 0) {
			n = remove_and_next(n, article);
			continue;
		}
		n = xnode_next(n, article);
	}
}

static bool
has_media(const struct xnode *p)
{
	return xnode_count(p, GUMBO_TAG_IMG) ||
	       xnode_count(p, GUMBO_TAG_EMBED) ||
	       xnode_count(p, GUMBO_TAG_OBJECT) ||
	       xnode_count(p, GUMBO_TAG_IFRAME);
}

static bool
all_phrasing(const struct xnode *n)
{
	const struct xnode *k;

	for (k = n->first; k; k = k->next)
		if (!is_phrasing(k))
			return false;
	return true;
}

static void
unwrap_single_cell_tables(struct xnode *article)
{
	struct xlist l = {0};
	size_t i;

	xnode_collect(article, GUMBO_TAG_TABLE, &l);
	for (i = 0; i < l.n; i++) {
		struct xnode *t = l.v[i], *body = t, *row, *cell;

		if (!t->parent)
			continue;
		if (has_single_tag_inside(t, GUMBO_TAG_TBODY))
			body = xnode_first_elem(t);
		if (!has_single_tag_inside(body, GUMBO_TAG_TR))
			continue;
		row = xnode_first_elem(body);
		if (!has_single_tag_inside(row, GUMBO_TAG_TD))
			continue;
		cell = xnode_first_elem(row);
		xnode_set_tag(cell,
			      all_phrasing(cell) ? GUMBO_TAG_P : GUMBO_TAG_DIV);
		xnode_replace(t, cell);
	}
	xlist_release(&l);
}

static void
prep_article(struct ctx *c, struct xnode *article)
{
	struct xnode *n;
	struct xlist l = {0};
	size_t i;

	mark_data_tables(article);
	clean_conditionally(c, article, GUMBO_TAG_FORM);
	clean_conditionally(c, article, GUMBO_TAG_FIELDSET);
	clean_tag(article, GUMBO_TAG_OBJECT);
	clean_tag(article, GUMBO_TAG_EMBED);
	clean_tag(article, GUMBO_TAG_FOOTER);
	clean_tag(article, GUMBO_TAG_LINK);
	clean_tag(article, GUMBO_TAG_ASIDE);
	clean_share(article);
	clean_tag(article, GUMBO_TAG_IFRAME);
	clean_tag(article, GUMBO_TAG_INPUT);
	clean_tag(article, GUMBO_TAG_TEXTAREA);
	clean_tag(article, GUMBO_TAG_SELECT);
	clean_tag(article, GUMBO_TAG_BUTTON);
	clean_headers(c, article);
	clean_conditionally(c, article, GUMBO_TAG_TABLE);
	clean_conditionally(c, article, GUMBO_TAG_UL);
	clean_conditionally(c, article, GUMBO_TAG_DIV);
	for (n = article; n; n = xnode_next(n, article))
		if (xnode_is(n, GUMBO_TAG_H1))
			xnode_set_tag(n, GUMBO_TAG_H2);
	/* Paragraphs with neither text nor media. */
	xnode_collect(article, GUMBO_TAG_P, &l);
	for (i = l.n; i-- > 0;)
		if (l.v[i]->parent && !has_media(l.v[i]) &&
		    xnode_is_blank(l.v[i]))
			xnode_remove(l.v[i]);
	l.n = 0;
	/* A <br> right before a paragraph. */
	xnode_collect(article, GUMBO_TAG_BR, &l);
	for (i = 0; i < l.n; i++) {
		struct xnode *next = next_significant(l.v[i]->next);

		if (next && xnode_is(next, GUMBO_TAG_P))
			xnode_remove(l.v[i]);
	}
	xlist_release(&l);
	unwrap_single_cell_tables(article);
}

/* ---- preparing the document ---- */

/* Turns "text<br><br>text" into paragraphs, as reader views do. */
static void
replace_brs(struct xdoc *d)
{
	struct xlist l = {0};
	size_t i;

	xnode_collect(d->body, GUMBO_TAG_BR, &l);
	for (i = 0; i < l.n; i++) {
		struct xnode *br = l.v[i], *next, *p;
		bool replaced = false;

		if (!br->parent)
			continue;
		while ((next = next_significant(br->next)) &&
		       xnode_is(next, GUMBO_TAG_BR)) {
			replaced = true;
			xnode_remove(next);
		}
		if (!replaced)
			continue;
		p = xnode_new_elem(d, GUMBO_TAG_P);
		xnode_replace(br, p);
		next = p->next;
		while (next) {
			struct xnode *sib;

			if (xnode_is(next, GUMBO_TAG_BR)) {
				struct xnode *after =
					next_significant(next->next);

				if (after && xnode_is(after, GUMBO_TAG_BR))
					break;
			}
			if (!is_phrasing(next))
				break;
			sib = next->next;
			xnode_append(p, next);
			next = sib;
		}
		while (p->last && is_whitespace_node(p->last))
			xnode_remove(p->last);
		if (xnode_is(p->parent, GUMBO_TAG_P))
			xnode_set_tag(p->parent, GUMBO_TAG_DIV);
	}
	xlist_release(&l);
}

static void
prep_document(struct ctx *c, struct xdoc *d)
{
	struct xnode *n;

	if (c->remove_sel) {
		for (n = d->root; n;) {
			if (n->type == XN_ELEM && n != d->root &&
			    n != d->body && xselector_match(c->remove_sel, n)) {
				n = remove_and_next(n, d->root);
				continue;
			}
			n = xnode_next(n, d->root);
		}
	}
	for (n = d->body; n; n = xnode_next(n, d->body))
		if (xnode_is(n, GUMBO_TAG_FONT))
			xnode_set_tag(n, GUMBO_TAG_SPAN);
	replace_brs(d);
}

static bool
is_tag_to_score(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_SECTION:
	case GUMBO_TAG_H2:
	case GUMBO_TAG_H3:
	case GUMBO_TAG_H4:
	case GUMBO_TAG_H5:
	case GUMBO_TAG_H6:
	case GUMBO_TAG_P:
	case GUMBO_TAG_TD:
	case GUMBO_TAG_PRE:
		return true;
	default:
		return false;
	}
}

static bool
role_is_unlikely(const struct xnode *n)
{
	const char *role = xnode_attr(n, "role");
	size_t i;

	if (!role)
		return false;
	for (i = 0; i < ARRAY_SIZE(unlikely_roles); i++)
		if (!strcmp(role, unlikely_roles[i]))
			return true;
	return false;
}

/* Walks the document, removing clutter and collecting what to score. */
static void
walk_document(struct ctx *c, struct xlist *to_score)
{
	struct xdoc *d = &c->at->doc;
	struct xnode *n = d->root;
	bool remove_title_header = true;

	while (n) {
		char match[512];
		const char *v;

		if (n->type != XN_ELEM || n == d->head) {
			n = xnode_next_skip(n, d->root);
			continue;
		}
		match_string(n, match, sizeof(match));
		if (!is_probably_visible(n)) {
			n = remove_and_next(n, d->root);
			continue;
		}
		v = xnode_attr(n, "aria-modal");
		if (v && !strcmp(v, "true") && (v = xnode_attr(n, "role")) &&
		    !strcmp(v, "dialog")) {
			n = remove_and_next(n, d->root);
			continue;
		}
		if (check_byline(c, n, match)) {
			n = remove_and_next(n, d->root);
			continue;
		}
		if (remove_title_header && header_duplicates_title(c, n)) {
			remove_title_header = false;
			n = remove_and_next(n, d->root);
			continue;
		}
		if (c->flags & FLAG_STRIP_UNLIKELYS) {
			if (has_any(match, unlikely_words,
				    ARRAY_SIZE(unlikely_words)) &&
			    !has_any(match, maybe_words,
				     ARRAY_SIZE(maybe_words)) &&
			    !xnode_has_ancestor(n, GUMBO_TAG_TABLE, 0) &&
			    !xnode_has_ancestor(n, GUMBO_TAG_CODE, 0) &&
			    n->tag != GUMBO_TAG_BODY && n->tag != GUMBO_TAG_A) {
				n = remove_and_next(n, d->root);
				continue;
			}
			if (role_is_unlikely(n)) {
				n = remove_and_next(n, d->root);
				continue;
			}
		}
		if ((n->tag == GUMBO_TAG_DIV || n->tag == GUMBO_TAG_SECTION ||
		     n->tag == GUMBO_TAG_HEADER || is_heading(n->tag)) &&
		    is_without_content(n)) {
			n = remove_and_next(n, d->root);
			continue;
		}
		if (is_tag_to_score(n->tag))
			xlist_push(to_score, n);
		if (n->tag == GUMBO_TAG_DIV) {
			wrap_phrasing(d, n);
			if (has_single_tag_inside(n, GUMBO_TAG_P) &&
			    xnode_link_density(n) < 0.25) {
				struct xnode *p = xnode_first_elem(n);

				xnode_replace(n, p);
				n->flags |= XF_GONE;
				n = p;
				xlist_push(to_score, n);
			} else if (!has_child_block(n)) {
				xnode_set_tag(n, GUMBO_TAG_P);
				xlist_push(to_score, n);
			}
		}
		n = xnode_next(n, d->root);
	}
}

/* One pass of extraction with c->flags; fills c->at. */
static enum status
grab_article(struct ctx *c)
{
	struct attempt *at = c->at;
	struct xlist to_score = {0}, cands = {0};
	struct xnode *best, *article;
	bool created;
	enum status rc;

	if (!at->built) {
		rc = xdoc_build(&at->doc, c->groot);
		if (rc)
			return rc;
		at->built = true;
	}
	prep_document(c, &at->doc);
	if (c->body_sel) {
		struct xnode *n = at->doc.body;

		article = xnode_new_elem(&at->doc, GUMBO_TAG_DIV);
		while (n) {
			if (n->type == XN_ELEM && n != at->doc.body &&
			    xselector_match(c->body_sel, n)) {
				struct xnode *next =
					xnode_next_skip(n, at->doc.body);

				xnode_append(article, n);
				n = next;
				continue;
			}
			n = xnode_next(n, at->doc.body);
		}
		if (article->first) {
			c->flags &= ~(unsigned)FLAG_CLEAN_CONDITIONALLY;
			prep_article(c, article);
			at->article = article;
			at->text_len = xnode_text_len(article);
			return ST_OK;
		}
	}
	walk_document(c, &to_score);
	score_elements(c, &to_score, &cands);
	best = pick_top(c, &cands, &created);
	if (created) {
		article = best;
		xnode_remove(article);
	} else
		article = join_siblings(c, best);
	prep_article(c, article);
	at->article = article;
	at->text_len = xnode_text_len(article);
	xlist_release(&to_score);
	xlist_release(&cands);
	return ST_OK;
}

static void
attempt_release(struct attempt *at)
{
	if (at->built)
		xdoc_release(&at->doc);
	free(at->byline);
	memset(at, 0, sizeof(*at));
}

/* ---- the result ---- */

void
extract_result_free(struct extract_result *r)
{
	if (!r)
		return;
	free(r->title);
	free(r->byline);
	free(r->site_name);
	free(r->lang);
	free(r->lead_image);
	free(r->lead_image_caption);
	free(r->excerpt);
	free(r->text);
	free(r->html);
	free(r);
}

static char *
collapsed(const char *s)
{
	struct buf b = BUF_INIT;
	bool space = false;

	if (!s)
		return NULL;
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = b.len > 0;
			continue;
		}
		if (space)
			buf_addc(&b, ' ');
		space = false;
		buf_addc(&b, *s);
	}
	if (!b.len) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* "By Jane Doe" → "Jane Doe". */
static char *
clean_byline(char *s)
{
	size_t skip = 0;

	if (!s)
		return NULL;
	if (!strncasecmp(s, "by ", 3))
		skip = 3;
	else if (!strncasecmp(s, "by: ", 4))
		skip = 4;
	if (skip && s[skip]) {
		char *t = xstrdup(s + skip);

		free(s);
		s = t;
	}
	return s;
}

static const char *
base_href(const struct xdoc *d, const char *url, char **owned)
{
	const struct xnode *n;
	char *resolved;

	*owned = NULL;
	for (n = d->head; n; n = xnode_next(n, d->head)) {
		const char *href;

		if (!xnode_is(n, GUMBO_TAG_BASE))
			continue;
		href = xnode_attr(n, "href");
		if (!href)
			continue;
		resolved = url_resolve(url, href);
		*owned = resolved;
		if (resolved)
			return resolved;
		break;
	}
	return url;
}

static char *
resolve(const char *base, const char *ref)
{
	char *abs;

	if (!ref || !*ref)
		return NULL;
	abs = base ? url_resolve(base, ref) : NULL;
	return abs ? abs : xstrdup(ref);
}

/* The first image of the article, and the caption of its figure. */
static void
lead_image(const struct xnode *article, const char *meta_image,
	   const char *base, struct extract_result *r)
{
	const struct xnode *n, *img = NULL, *f;

	for (n = article; n; n = xnode_next(n, article)) {
		if (!xnode_is(n, GUMBO_TAG_IMG))
			continue;
		if (!xnode_attr(n, "src"))
			continue;
		img = n;
		break;
	}
	r->lead_image = resolve(base, meta_image);
	if (!r->lead_image && img)
		r->lead_image = resolve(base, xnode_attr(img, "src"));
	if (!img)
		return;
	for (f = img->parent; f && f != article; f = f->parent) {
		if (!xnode_is(f, GUMBO_TAG_FIGURE))
			continue;
		for (n = f; n; n = xnode_next(n, f)) {
			if (xnode_is(n, GUMBO_TAG_FIGCAPTION)) {
				struct buf b = BUF_INIT;

				xnode_text(n, &b, true);
				if (b.len)
					r->lead_image_caption =
						buf_detach(&b, NULL);
				else
					buf_release(&b);
				return;
			}
		}
		return;
	}
}

static int64_t
published_time(const struct xmeta *m, const struct xdoc *d)
{
	const struct xnode *n;
	int64_t t;

	if (m->published && extract_parse_date(m->published, &t))
		return t;
	for (n = d->root; n; n = xnode_next(n, d->root)) {
		const char *dt, *ip;

		if (!xnode_is(n, GUMBO_TAG_TIME))
			continue;
		dt = xnode_attr(n, "datetime");
		ip = xnode_attr(n, "itemprop");
		if (dt && (!ip || strstr(ip, "datePublished")) &&
		    extract_parse_date(dt, &t))
			return t;
	}
	return 0;
}

static char *
first_paragraph(const struct xnode *article)
{
	const struct xnode *n;

	for (n = article; n; n = xnode_next(n, article)) {
		if (xnode_is(n, GUMBO_TAG_P)) {
			struct buf b = BUF_INIT;

			xnode_text(n, &b, true);
			if (b.len)
				return buf_detach(&b, NULL);
			buf_release(&b);
		}
	}
	return NULL;
}

enum status
html_extract(const char *html, size_t len, const char *url,
	     const struct extract_options *opt, struct extract_result **out)
{
	static const unsigned retry_flags[] = {
		FLAG_STRIP_UNLIKELYS,
		FLAG_WEIGHT_CLASSES,
		FLAG_CLEAN_CONDITIONALLY,
	};
	struct dom dom = {0};
	struct dom_limits lim = {0};
	struct ctx c = {0};
	struct attempt attempts[4];
	struct xmeta meta = {0};
	struct extract_result *r = NULL;
	struct attempt *win = NULL;
	struct buf b = BUF_INIT, filtered = BUF_INIT;
	char *base_owned = NULL;
	const char *base;
	int64_t published;
	size_t i, n_attempts = 0;
	enum status rc;

	memset(attempts, 0, sizeof(attempts));
	if (opt && opt->remove_selectors && *opt->remove_selectors &&
	    (rc = xselector_parse(opt->remove_selectors, &c.remove_sel)))
		goto out;
	if (opt && opt->body_selector && *opt->body_selector &&
	    (rc = xselector_parse(opt->body_selector, &c.body_sel)))
		goto out;
	lim.max_input = opt && opt->max_input ? opt->max_input
					      : EXTRACT_DEFAULT_MAX_INPUT;
	/* Scripts, styles and the like go before parsing; the cap applies to
	 * what is left, and the scan itself stops at four times the cap. */
	if (!html)
		len = 0;
	rc = xprep_filter(html ? html : "", MIN(len, 4 * lim.max_input),
			  &filtered);
	if (rc)
		goto out;
	rc = dom_parse(&dom, filtered.data, filtered.len, &lim, false);
	if (rc)
		goto out;
	c.groot = dom.root;
	/* The first attempt's tree, read before it is changed. */
	rc = xdoc_build(&attempts[0].doc, c.groot);
	if (rc)
		goto out;
	attempts[0].built = true;
	xmeta_read(&attempts[0].doc, &meta);
	base = base_href(&attempts[0].doc, url, &base_owned);
	published = published_time(&meta, &attempts[0].doc);
	c.title = meta.title;
	c.flags = FLAG_STRIP_UNLIKELYS | FLAG_WEIGHT_CLASSES |
		  FLAG_CLEAN_CONDITIONALLY;
	for (i = 0; i <= ARRAY_SIZE(retry_flags); i++) {
		c.at = &attempts[n_attempts++];
		rc = grab_article(&c);
		if (rc)
			goto out;
		if (c.at->text_len >= CHAR_THRESHOLD || c.body_sel) {
			win = c.at;
			break;
		}
		if (i < ARRAY_SIZE(retry_flags))
			c.flags &= ~retry_flags[i];
	}
	if (!win) {
		win = &attempts[0];
		for (i = 1; i < n_attempts; i++)
			if (attempts[i].text_len > win->text_len)
				win = &attempts[i];
	}

	r = xcalloc(1, sizeof(*r));
	r->title = collapsed(meta.title);
	r->byline =
		meta.byline ? collapsed(meta.byline) : collapsed(win->byline);
	r->byline = clean_byline(r->byline);
	r->published = published;
	r->site_name = collapsed(meta.site_name);
	r->lang = meta.lang ? xstrdup(meta.lang) : NULL;
	lead_image(win->article, meta.image, base, r);
	r->excerpt = collapsed(meta.excerpt);
	if (!r->excerpt) {
		char *p = first_paragraph(win->article);

		r->excerpt = collapsed(p);
		free(p);
	}
	xnode_block_text(win->article, &b);
	r->text = buf_detach(&b, NULL);
	xnode_html(win->article, false, base, &b);
	r->html = buf_detach(&b, NULL);
	*out = r;
	r = NULL;
out:
	for (i = 0; i < ARRAY_SIZE(attempts); i++)
		attempt_release(&attempts[i]);
	xmeta_release(&meta);
	free(base_owned);
	xselector_free(c.remove_sel);
	xselector_free(c.body_sel);
	dom_release(&dom);
	buf_release(&filtered);
	extract_result_free(r);
	return rc;
}
