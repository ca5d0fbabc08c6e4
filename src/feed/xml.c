/*
 * xml.c — RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 through libxml2's SAX2 API.
 *
 * One pass, no tree: an explicit stack of frames (bounded by FEED_MAX_DEPTH,
 * libxml2 refuses deeper documents itself) says in which context each
 * element sits (feed, item, author, media group…) and which model field it
 * fills. An element that fills a field "captures" its subtree: nested
 * elements are serialised back to markup (XHTML content, unescaped HTML in
 * a description) or reduced to their text.
 *
 * Documents with CDATA sections go through libxml2's push reader, which hands
 * each section over in one piece where the pull reader copies it a character
 * at a time. In a UTF-8 document, runs of escaped markup (HTML bodies as
 * "&lt;p&gt;…") are first rewritten as CDATA sections of the same text
 * (cdata_rewrite()). feed_parse_xml() says which reader it used, and
 * feed_parse_ex() reads a document again, as written, with the pull reader
 * when the push reader finds it not well-formed.
 *
 * Security: libxml2 runs without XML_PARSE_NOENT, XML_PARSE_DTDLOAD or any
 * network access; the SAX handler loads no external subset or entity. The
 * document's own internal entities are served by getEntity() as plain text,
 * with their total expansion capped, and a declaration that refers to another
 * entity (the "billion laughs" shape) stops the parse. HTML's named entities
 * (&eacute;…), which many feeds use undeclared, are served the same way.
 */
#include "common.h"

#include <ctype.h>
#include <endian.h>

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "base/url.h"
#include "base/utf8.h"
#include "feed/internal.h"

/* Caps on what the document's own entities may do. */
enum {
	MAX_ENTITY_DECLS = 1024,	/* declarations kept */
	MAX_ENTITY_EXPANSION = 1 << 20, /* bytes of expansion, at least */
	MAX_FIELD_TEXT = 16 << 20,	/* bytes of one field's text */
};

enum ns {
	NS_NONE,
	NS_RSS10,
	NS_RSS090,
	NS_RDF,
	NS_ATOM10,
	NS_ATOM03,
	NS_CONTENT,
	NS_DC,
	NS_DCTERMS,
	NS_MEDIA,
	NS_ITUNES,
	NS_XHTML,
	NS_OTHER,
};

/* clang-format off */
static const struct {
	const char *uri;
	enum ns ns;
} known_ns[] = {
	{"http://purl.org/rss/1.0/", NS_RSS10},
	{"http://my.netscape.com/rdf/simple/0.9/", NS_RSS090},
	{"http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF},
	{"http://www.w3.org/2005/Atom", NS_ATOM10},
	{"http://purl.org/atom/ns#", NS_ATOM03},
	{"http://purl.org/rss/1.0/modules/content/", NS_CONTENT},
	{"http://purl.org/dc/elements/1.1/", NS_DC},
	{"http://purl.org/dc/terms/", NS_DCTERMS},
	{"http://search.yahoo.com/mrss/", NS_MEDIA},
	{"http://search.yahoo.com/mrss", NS_MEDIA},
	{"http://tools.search.yahoo.com/mrss/", NS_MEDIA},
	{"http://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES},
	{"http://www.itunes.com/DTDs/Podcast-1.0.dtd", NS_ITUNES},
	{"http://www.w3.org/1999/xhtml", NS_XHTML},
	{"http://backend.userland.com/rss2", NS_NONE},
	{"http://backend.userland.com/rss", NS_NONE},
	{"http://blogs.law.harvard.edu/tech/rss", NS_NONE},
};

/* Prefixes that feeds use without declaring them. */
static const struct {
	const char *prefix;
	enum ns ns;
} known_prefix[] = {
	{"content", NS_CONTENT}, {"dc", NS_DC}, {"dcterms", NS_DCTERMS},
	{"media", NS_MEDIA}, {"itunes", NS_ITUNES}, {"atom", NS_ATOM10},
	{"rdf", NS_RDF}, {"xhtml", NS_XHTML},
};
/* clang-format on */

/* What an element's children are about. */
enum ctx {
	CTX_TOP,	 /* before the root */
	CTX_ROOT,	 /* children of <rss> or <rdf:RDF> */
	CTX_FEED,	 /* channel / atom:feed */
	CTX_ITEM,	 /* item / entry */
	CTX_IMAGE,	 /* the channel's <image> */
	CTX_FEED_AUTHOR, /* atom:author of the feed */
	CTX_ITEM_AUTHOR, /* atom:author of an entry */
	CTX_MEDIA_GROUP, /* media:group */
	CTX_MEDIA,	 /* media:content */
	CTX_ITUNES_CAT,	 /* itunes:category of an item (they nest) */
	CTX_SKIP,	 /* nothing of interest below */
};

/* The model field an element fills. */
enum field {
	F_NONE,
	F_TITLE,
	F_LINK,
	F_SUMMARY,
	F_CONTENT,
	F_GUID,
	F_AUTHOR,      /* RSS author: "email (Name)" */
	F_AUTHOR_NAME, /* a plain name */
	F_ITUNES_AUTHOR,
	F_PUBLISHED,
	F_UPDATED,
	F_DC_DATE,
	F_CATEGORY,
	F_LANGUAGE,
	F_COMMENTS,
	F_IMAGE_URL, /* <image><url> */
	F_LOGO,
	F_ICON,
	F_CAPTION,     /* media:description / media:title */
	F_MEDIA_TITLE, /* media:title at item level */
};

/* How a field's text is written (Atom text constructs, RFC 4287 §3.1). */
enum text_type {
	TYPE_TEXT,
	TYPE_HTML,
	TYPE_XHTML,
	TYPE_BASE64_TEXT,
	TYPE_BASE64_HTML,
};

struct frame {
	unsigned char ctx;   /* enum ctx for the children */
	unsigned char field; /* enum field this element fills */
	unsigned char type;  /* enum text_type of the field */
	bool emit;	     /* serialised back when captured */
	bool permalink;	     /* guid isPermaLink */
	bool strip_div;	     /* Atom 1.0 xhtml: drop the wrapper div */
	unsigned char rank;  /* how good a source of its field (1..3) */
	const char *base;    /* xml:base in effect (arena) */
	const char *lang;    /* xml:lang in effect (arena) */
	const char *name;    /* local name when serialised */
	const char *uri;     /* namespace when serialised (libxml2's dict) */
};

/* An entity of the document's internal subset. */
struct doc_entity {
	xmlEntity ent;		 /* what libxml2 is handed */
	struct doc_entity *next; /* the next declared one */
};

/* Ranks of the field values already set: a better source replaces a worse
 * one, an equal one does not. */
struct ranks {
	unsigned char title, link, summary, content, published, updated, image,
		caption, language, guid, description, author;
};

struct parser {
	struct feed *feed;
	struct arena *a;
	xmlParserCtxtPtr ctxt;
	struct frame *stack; /* depth frames */
	size_t depth;
	size_t skip_depth;	     /* > 0: frames past the cap, ignored */
	enum feed_xml_reader reader; /* libxml2's push or pull reader */
	size_t capture;		     /* depth of the capturing frame, 0: none */
	struct buf text;	     /* text of the field being captured */
	bool atom_doc;		     /* the root is atom:feed */
	bool root_seen;
	const char *root_uri;  /* namespace of the root, when unknown */
	bool rss090;	       /* the RSS 0.90 namespace is declared */
	const char *root_name; /* a root that is not a feed */
	long item;	       /* index of the current item, -1: none */
	struct ranks feed_rank, item_rank;
	const char *itunes_author; /* fallback author of the item */
	const char *feed_itunes_author;
	struct doc_entity *entities; /* declared internal entities */
	size_t entity_count;
	struct doc_entity *html_entities; /* HTML names served so far */
	size_t expansion;		  /* bytes of entity text handed out */
	size_t expansion_max;
	enum status fatal; /* a reason to stop, or ST_OK */
	const char *fatal_reason;
	const char *error; /* the first XML error */
};

static struct parser *
parser_of(void *ctx)
{
	return ((xmlParserCtxtPtr)ctx)->_private;
}

static void
stop(struct parser *p, enum status st, const char *reason)
{
	if (!p->fatal) {
		p->fatal = st;
		p->fatal_reason = reason;
	}
	xmlStopParser(p->ctxt);
}

static enum ns
classify_ns(struct parser *p, const xmlChar *uri, const xmlChar *prefix,
	    const xmlChar **local)
{
	size_t i;

	if (uri) {
		for (i = 0; i < ARRAY_SIZE(known_ns); i++)
			if (!strcasecmp((const char *)uri, known_ns[i].uri))
				return known_ns[i].ns;
		/* A feed in a namespace of its own ("newformat#"). */
		if (p->root_uri && !strcmp((const char *)uri, p->root_uri))
			return NS_NONE;
		return NS_OTHER;
	}
	if (!prefix) {
		/* An undeclared prefix may have been left in the name. */
		const char *colon = strchr((const char *)*local, ':');

		if (!colon)
			return NS_NONE;
		for (i = 0; i < ARRAY_SIZE(known_prefix); i++) {
			size_t n = strlen(known_prefix[i].prefix);

			if ((size_t)(colon - (const char *)*local) == n &&
			    !strncasecmp((const char *)*local,
					 known_prefix[i].prefix, n)) {
				*local = (const xmlChar *)colon + 1;
				return known_prefix[i].ns;
			}
		}
		return NS_OTHER;
	}
	for (i = 0; i < ARRAY_SIZE(known_prefix); i++)
		if (!strcasecmp((const char *)prefix, known_prefix[i].prefix))
			return known_prefix[i].ns;
	return NS_OTHER;
}

static bool
is_core(enum ns ns)
{
	return ns == NS_NONE || ns == NS_RSS10 || ns == NS_RSS090 ||
	       ns == NS_ATOM10 || ns == NS_ATOM03;
}

static bool
is_atom(struct parser *p, enum ns ns)
{
	return ns == NS_ATOM10 || ns == NS_ATOM03 ||
	       (p->atom_doc && ns == NS_NONE);
}

/* Returns attribute name's value (in no namespace, or the xml one when
 * xml is set) as an arena string with references decoded; NULL if absent. */
static const char *
attr(struct parser *p, const xmlChar **attrs, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++) {
		const xmlChar **at = attrs + 5 * i;
		size_t len = (size_t)(at[4] - at[3]);

		if (strcasecmp((const char *)at[0], name))
			continue;
		if (at[2] && !(at[1] && !strcmp((const char *)at[1], "xml")) &&
		    strcmp((const char *)at[2], "http://www.w3.org/1999/"
						"02/22-rdf-syntax-ns#"))
			continue;
		if (memchr(at[3], '&', len))
			return feed_decode_entities(p->a, (const char *)at[3],
						    len);
		return arena_strndup(p->a, (const char *)at[3], len);
	}
	return NULL;
}

static const char *
xml_attr(struct parser *p, const xmlChar **attrs, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++) {
		const xmlChar **at = attrs + 5 * i;

		if (at[2] &&
		    !strcmp((const char *)at[2],
			    "http://www.w3.org/XML/1998/namespace") &&
		    !strcmp((const char *)at[0], name))
			return arena_strndup(p->a, (const char *)at[3],
					     (size_t)(at[4] - at[3]));
	}
	return NULL;
}

static struct feed_item *
cur_item(struct parser *p)
{
	return p->item >= 0 ? &p->feed->items[p->item] : NULL;
}

static bool
better(unsigned char *have, unsigned char rank)
{
	if (rank <= *have)
		return false;
	*have = rank;
	return true;
}

static bool
at_least(unsigned char *have, unsigned char rank)
{
	if (rank < *have)
		return false;
	*have = rank;
	return true;
}

/* Reads an Atom text construct's type (RFC 4287 §3.1; Atom 0.3 mode). */
static int
text_type(struct parser *p, const xmlChar **attrs, int n, bool content)
{
	const char *type = attr(p, attrs, n, "type");
	const char *mode = attr(p, attrs, n, "mode");
	bool html = false, xhtml = false;

	if (content && attr(p, attrs, n, "src"))
		return -1;
	if (!type || !strcasecmp(type, "text") ||
	    !strcasecmp(type, "text/plain")) {
	} else if (!strcasecmp(type, "html") ||
		   !strcasecmp(type, "text/html")) {
		html = true;
	} else if (!strcasecmp(type, "xhtml") ||
		   !strcasecmp(type, "application/xhtml+xml")) {
		xhtml = true;
	} else if (!strncasecmp(type, "text/", 5)) {
	} else if (strstr(type, "xml")) {
		xhtml = true;
	} else if (content && (!strncasecmp(type, "image/", 6) ||
			       !strncasecmp(type, "audio/", 6) ||
			       !strncasecmp(type, "video/", 6))) {
		return -1; /* media we do not show */
	} else {
		/* RFC 4287 §4.1.3.3: other types are base64. */
		return TYPE_BASE64_HTML;
	}
	if (mode && !strcasecmp(mode, "escaped"))
		return html || !type ? TYPE_HTML : TYPE_TEXT;
	if (mode && !strcasecmp(mode, "base64"))
		return TYPE_BASE64_HTML;
	if (mode && !strcasecmp(mode, "xml"))
		return TYPE_XHTML;
	return xhtml ? TYPE_XHTML : html ? TYPE_HTML : TYPE_TEXT;
}

static void
add_enclosure(struct parser *p, const char *base, const char *url,
	      const char *type, const char *length)
{
	struct feed_item *it = cur_item(p);
	struct feed_enclosure *e;
	size_t i;

	if (!it || !url || !*url)
		return;
	url = feed_resolve(p->a, base, url);
	for (i = 0; i < it->enclosure_count; i++)
		if (!strcmp(it->enclosures[i].url, url))
			return;
	e = feed_item_add_enclosure(p->feed, it);
	e->url = url;
	e->type = type && *type ? type : NULL;
	e->length = length ? strtoll(length, NULL, 10) : 0;
	if (e->length < 0)
		e->length = 0;
}

static void
set_image(struct parser *p, bool item_level, const char *base, const char *url,
	  unsigned char rank)
{
	struct feed_item *it = cur_item(p);

	if (!url || !*url)
		return;
	if (item_level && it) {
		if (better(&p->item_rank.image, rank))
			it->image = feed_resolve(p->a, base, url);
	} else if (!item_level) {
		if (better(&p->feed_rank.image, rank))
			p->feed->image = feed_resolve(p->a, base, url);
	}
}

/* atom:link (RFC 4287 §4.2.7), also inside RSS. */
static void
atom_link(struct parser *p, enum ctx ctx, const char *base,
	  const xmlChar **attrs, int n)
{
	const char *href = attr(p, attrs, n, "href");
	const char *rel = attr(p, attrs, n, "rel");
	const char *type = attr(p, attrs, n, "type");
	unsigned char rank;

	if (!href)
		return;
	if (!rel || !*rel || !strcasecmp(rel, "alternate") ||
	    !strcasecmp(rel, "http://www.iana.org/assignments/relation/"
			     "alternate")) {
		rank = !type || !strcasecmp(type, "text/html") ? 5 : 4;
		if (ctx == CTX_ITEM) {
			if (better(&p->item_rank.link, rank))
				cur_item(p)->link =
					feed_resolve(p->a, base, href);
		} else if (ctx == CTX_FEED) {
			if (better(&p->feed_rank.link, rank))
				p->feed->link = feed_resolve(p->a, base, href);
		}
	} else if (!strcasecmp(rel, "enclosure") && ctx == CTX_ITEM) {
		add_enclosure(p, base, href, type, attr(p, attrs, n, "length"));
	} else if (!strcasecmp(rel, "replies") && ctx == CTX_ITEM &&
		   (!type || !strcasecmp(type, "text/html"))) {
		if (!cur_item(p)->comments)
			cur_item(p)->comments = feed_resolve(p->a, base, href);
	}
}

/* media:content and media:thumbnail (Media RSS 1.5). */
static void
media_element(struct parser *p, const char *name, const char *base,
	      const xmlChar **attrs, int n, bool item_level)
{
	const char *url = attr(p, attrs, n, "url");

	if (!url)
		return;
	if (!strcasecmp(name, "thumbnail")) {
		set_image(p, item_level, base, url, 2);
	} else {
		const char *type = attr(p, attrs, n, "type");
		const char *medium = attr(p, attrs, n, "medium");

		if ((medium && !strcasecmp(medium, "image")) ||
		    (type && !strncasecmp(type, "image/", 6)))
			set_image(p, item_level, base, url, 4);
	}
}

/* Decides what a start tag means in its parent's context. */
static void
dispatch(struct parser *p, struct frame *f, enum ctx parent, enum ns ns,
	 const char *name, const xmlChar **attrs, int n)
{
	bool core = is_core(ns), atom = is_atom(p, ns);
	bool in_item = parent == CTX_ITEM;
	int type;

	/* Most candidates differ in their first letter: compare that before
	 * calling strcasecmp() (a filter only; strcasecmp() decides). */
#define IS(s) ((name[0] | 0x20) == ((s)[0] | 0x20) && !strcasecmp(name, (s)))
	f->ctx = CTX_SKIP;
	f->field = F_NONE;
	f->type = TYPE_TEXT;
	f->rank = 3;
	switch (parent) {
	case CTX_ROOT:
		if (core && IS("channel")) {
			f->ctx = CTX_FEED;
		} else if (core && IS("item")) {
			f->ctx = CTX_ITEM;
		} else if (core && IS("image")) {
			f->ctx = CTX_IMAGE;
		}
		break;
	case CTX_FEED:
	case CTX_ITEM:
		if (core && (IS("item") || IS("entry")) && parent == CTX_FEED) {
			f->ctx = CTX_ITEM;
		} else if (core && IS("title")) {
			f->field = F_TITLE;
			f->type = atom ? text_type(p, attrs, n, false)
				       : TYPE_HTML;
		} else if (core && IS("link")) {
			if (attr(p, attrs, n, "href"))
				atom_link(p, parent, f->base, attrs, n);
			else
				f->field = F_LINK;
		} else if (core && (IS("description") || IS("summary") ||
				    IS("subtitle") || IS("tagline"))) {
			f->field = F_SUMMARY;
			f->type = atom ? text_type(p, attrs, n, false)
				       : TYPE_HTML;
		} else if (core && IS("content")) {
			type = text_type(p, attrs, n, true);
			if (type >= 0) {
				f->field = F_CONTENT;
				f->type = (unsigned char)type;
			}
		} else if (core && (IS("guid") || IS("id"))) {
			const char *perma = attr(p, attrs, n, "isPermaLink");

			f->field = F_GUID;
			f->permalink = IS("guid") &&
				       (!perma || !strcasecmp(perma, "true"));
		} else if (core && IS("author")) {
			if (atom) {
				f->ctx = parent == CTX_ITEM ? CTX_ITEM_AUTHOR
							    : CTX_FEED_AUTHOR;
			} else {
				f->field = F_AUTHOR;
			}
		} else if ((core && IS("managingEditor")) ||
			   (ns == NS_DC && (IS("creator") || IS("author")))) {
			f->field = core ? F_AUTHOR : F_AUTHOR_NAME;
		} else if (core && (IS("pubDate") || IS("published") ||
				    IS("issued") || IS("created"))) {
			f->field = F_PUBLISHED;
		} else if ((core && (IS("updated") || IS("modified") ||
				     IS("lastBuildDate"))) ||
			   (ns == NS_DCTERMS && IS("modified"))) {
			f->field = F_UPDATED;
		} else if (ns == NS_DCTERMS &&
			   (IS("issued") || IS("created"))) {
			f->field = F_PUBLISHED;
		} else if (ns == NS_DC && IS("date")) {
			f->field = F_DC_DATE;
		} else if (core && IS("category")) {
			const char *term = attr(p, attrs, n, "term");

			if (term || attr(p, attrs, n, "label")) {
				const char *label = attr(p, attrs, n, "label");

				if (in_item)
					feed_item_add_category(
						p->feed, cur_item(p),
						feed_collapse_space(
							p->a,
							term ? term : label,
							strlen(term ? term
								    : label)));
			} else {
				f->field = F_CATEGORY;
			}
		} else if ((ns == NS_DC && IS("subject")) ||
			   (ns == NS_MEDIA && IS("category"))) {
			f->field = F_CATEGORY;
		} else if ((core && IS("language")) ||
			   (ns == NS_DC && IS("language"))) {
			f->field = F_LANGUAGE;
		} else if (core && IS("comments")) {
			f->field = F_COMMENTS;
		} else if (core && IS("enclosure")) {
			add_enclosure(p, f->base, attr(p, attrs, n, "url"),
				      attr(p, attrs, n, "type"),
				      attr(p, attrs, n, "length"));
		} else if (core && IS("image") && parent == CTX_FEED) {
			f->ctx = CTX_IMAGE;
		} else if (core && IS("logo")) {
			f->field = F_LOGO;
		} else if (core && IS("icon")) {
			f->field = F_ICON;
		} else if (core && IS("abstract")) {
			/* CDF (Channel Definition Format). */
			f->field = F_SUMMARY;
			f->type = TYPE_HTML;
			f->rank = 2;
		} else if (core && IS("body") && in_item) {
			f->field = F_CONTENT;
			f->type = TYPE_HTML;
			f->rank = 2;
		} else if (core && IS("fullitem")) {
			f->field = F_CONTENT;
			f->type = TYPE_HTML;
			f->rank = 2;
		} else if (ns == NS_CONTENT && IS("encoded")) {
			f->field = F_CONTENT;
			f->type = TYPE_HTML;
		} else if (ns == NS_XHTML && IS("body")) {
			f->field = F_CONTENT;
			f->type = TYPE_XHTML;
		} else if (ns == NS_DC && IS("title")) {
			f->field = F_TITLE;
			f->type = TYPE_HTML;
			f->rank = 2;
		} else if (ns == NS_DC && IS("description")) {
			f->field = F_SUMMARY;
			f->type = TYPE_HTML;
			f->rank = 2;
		} else if (ns == NS_DC && IS("identifier")) {
			f->field = F_GUID;
			f->rank = 1;
		} else if (ns == NS_ITUNES &&
			   (IS("summary") || IS("subtitle"))) {
			f->field = F_SUMMARY;
			f->type = TYPE_TEXT;
			f->rank = IS("summary") ? 2 : 1;
		} else if (ns == NS_ITUNES && IS("author")) {
			f->field = F_ITUNES_AUTHOR;
		} else if (ns == NS_ITUNES && IS("image")) {
			const char *href = attr(p, attrs, n, "href");

			set_image(p, in_item, f->base,
				  href ? href : attr(p, attrs, n, "url"), 1);
		} else if (ns == NS_ITUNES && IS("category")) {
			const char *text = attr(p, attrs, n, "text");

			/* Nested categories are children of this one. */
			f->ctx = in_item ? CTX_ITUNES_CAT : CTX_SKIP;
			if (in_item && text)
				feed_item_add_category(
					p->feed, cur_item(p),
					feed_collapse_space(p->a, text,
							    strlen(text)));
		} else if (ns == NS_ITUNES && IS("link") && !in_item) {
			const char *rel = attr(p, attrs, n, "rel");

			if (rel && !strcasecmp(rel, "image"))
				set_image(p, false, f->base,
					  attr(p, attrs, n, "href"), 1);
		} else if (ns == NS_MEDIA && IS("group") && in_item) {
			f->ctx = CTX_MEDIA_GROUP;
		} else if (ns == NS_MEDIA &&
			   (IS("content") || IS("thumbnail"))) {
			media_element(p, name, f->base, attrs, n, in_item);
			if (IS("content") && in_item)
				f->ctx = CTX_MEDIA;
		} else if (ns == NS_MEDIA && IS("title") && in_item) {
			f->field = F_MEDIA_TITLE;
			f->type = attr(p, attrs, n, "type") &&
						  !strcasecmp(attr(p, attrs, n,
								   "type"),
							      "html")
					  ? TYPE_HTML
					  : TYPE_TEXT;
		} else if (ns == NS_MEDIA && IS("description") && in_item) {
			f->field = F_CAPTION;
		}
		break;
	case CTX_ITUNES_CAT:
		if (ns == NS_ITUNES && IS("category")) {
			const char *text = attr(p, attrs, n, "text");

			f->ctx = CTX_ITUNES_CAT;
			if (text)
				feed_item_add_category(
					p->feed, cur_item(p),
					feed_collapse_space(p->a, text,
							    strlen(text)));
		}
		break;
	case CTX_IMAGE:
		if (core && IS("url"))
			f->field = F_IMAGE_URL;
		break;
	case CTX_FEED_AUTHOR:
	case CTX_ITEM_AUTHOR:
		if (core && IS("name")) {
			f->field = F_AUTHOR_NAME;
			f->ctx = parent; /* remembered for the end tag */
		}
		break;
	case CTX_MEDIA_GROUP:
	case CTX_MEDIA:
		if (ns != NS_MEDIA)
			break;
		if (IS("content") || IS("thumbnail")) {
			media_element(p, name, f->base, attrs, n, true);
			if (IS("content"))
				f->ctx = CTX_MEDIA;
		} else if (IS("title") || IS("description")) {
			f->field = F_CAPTION;
		} else if (IS("category")) {
			f->field = F_CATEGORY;
		}
		break;
	default:
		break;
	}
#undef IS
}

/* Names of HTML void elements, written without an end tag. */
static bool
is_void(const char *name)
{
	static const char *const voids[] = {
		"area",	 "base", "br",	 "col",	  "embed",  "hr",    "img",
		"input", "link", "meta", "param", "source", "track", "wbr",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(voids); i++)
		if (!strcasecmp(name, voids[i]))
			return true;
	return false;
}

static void
serialise_start(struct parser *p, const char *name, const char *uri,
		const char *parent_uri, const xmlChar **attrs, int n)
{
	int i;

	buf_addc(&p->text, '<');
	buf_adds(&p->text, name);
	/* Foreign content (SVG, MathML) keeps its namespace. */
	if (uri && strcmp(uri, "http://www.w3.org/1999/xhtml") &&
	    (!parent_uri || strcmp(uri, parent_uri))) {
		buf_adds(&p->text, " xmlns=\"");
		buf_add_html(&p->text, uri, strlen(uri));
		buf_addc(&p->text, '"');
	}
	for (i = 0; i < n; i++) {
		const xmlChar **at = attrs + 5 * i;
		size_t len = (size_t)(at[4] - at[3]);

		buf_addc(&p->text, ' ');
		if (at[1]) {
			buf_adds(&p->text, (const char *)at[1]);
			buf_addc(&p->text, ':');
		}
		buf_adds(&p->text, (const char *)at[0]);
		buf_adds(&p->text, "=\"");
		if (memchr(at[3], '&', len)) {
			struct arena tmp;
			const char *v;

			arena_init(&tmp, 0);
			v = feed_decode_entities(&tmp, (const char *)at[3],
						 len);
			buf_add_html(&p->text, v, strlen(v));
			arena_release(&tmp);
		} else {
			buf_add_html(&p->text, (const char *)at[3], len);
		}
		buf_addc(&p->text, '"');
	}
	buf_adds(&p->text, is_void(name) ? " />" : ">");
}

/* CDF puts the link and the modification time in attributes. */
static void
cdf_attributes(struct parser *p, struct frame *f, const xmlChar **attrs, int n)
{
	const char *href, *lastmod;
	int64_t t;

	if (!n)
		return;
	href = attr(p, attrs, n, "href");
	lastmod = attr(p, attrs, n, "lastmod");
	if (f->ctx == CTX_ITEM && p->item >= 0) {
		struct feed_item *it = cur_item(p);

		if (href && better(&p->item_rank.link, 2))
			it->link = feed_resolve(p->a, f->base, href);
		if (lastmod && !feed_date_parse(lastmod, &t))
			it->updated = t;
	} else if (f->ctx == CTX_FEED) {
		if (href && better(&p->feed_rank.link, 2))
			p->feed->link = feed_resolve(p->a, f->base, href);
		if (lastmod && !feed_date_parse(lastmod, &t))
			p->feed->updated = t;
	}
}

static const char *
detect_format(struct parser *p, enum ns ns, const char *name,
	      const xmlChar **attrs, int n, enum ctx *ctx)
{
	if (!strcasecmp(name, "rss") && ns != NS_RDF) {
		const char *v = attr(p, attrs, n, "version");

		*ctx = CTX_ROOT;
		if (!v)
			return "rss";
		if (!strcmp(v, "0.90"))
			return "rss090";
		if (!strcmp(v, "0.91"))
			return "rss091";
		if (!strcmp(v, "0.92"))
			return "rss092";
		if (!strcmp(v, "0.93"))
			return "rss093";
		if (!strcmp(v, "0.94"))
			return "rss094";
		if (v[0] == '2')
			return "rss20";
		return "rss";
	}
	if (!strcasecmp(name, "RDF")) {
		*ctx = CTX_ROOT;
		if (p->rss090)
			return "rss090";
		return "rss10"; /* refined by the channel's namespace */
	}
	if (!strcasecmp(name, "feed")) {
		const char *v = attr(p, attrs, n, "version");

		*ctx = CTX_FEED;
		p->atom_doc = true;
		if (ns == NS_ATOM10)
			return "atom10";
		if (ns == NS_ATOM03 || (v && !strcmp(v, "0.3")))
			return "atom03";
		return "atom";
	}
	if (!strcasecmp(name, "channel")) {
		*ctx = CTX_FEED;
		return "rss";
	}
	return NULL;
}

static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
	 const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
	 int nb_attributes, int nb_defaulted, const xmlChar **attrs)
{
	struct parser *p = parser_of(ctx);
	struct frame *parent, *f;
	const char *name;
	const char *v;
	enum ns ns;

	if (p->skip_depth || p->depth >= FEED_MAX_DEPTH) {
		/* The pull reader stops here (libxml2's own limit, with an
		 * error); the push reader does not look. */
		if (p->reader == FEED_XML_PUSH) {
			stop(p, ST_PARSE, "elements nested too deeply");
			return;
		}
		p->skip_depth++;
		return;
	}
	if (!p->root_seen && uri)
		p->root_uri = arena_strdup(p->a, (const char *)uri);
	ns = classify_ns(p, uri, prefix, &localname);
	name = (const char *)localname;
	parent = p->depth ? &p->stack[p->depth - 1] : NULL;
	f = &p->stack[p->depth++];
	memset(f, 0, sizeof(*f));
	f->base = parent ? parent->base : p->stack[FEED_MAX_DEPTH].base;
	f->lang = parent ? parent->lang : NULL;
	if (nb_attributes) {
		if ((v = xml_attr(p, attrs, nb_attributes, "base"))) {
			v = feed_resolve(p->a, f->base, v);
			/* javascript: and data: bases are not followed. */
			if (url_is_http(v))
				f->base = v;
		}
		if ((v = xml_attr(p, attrs, nb_attributes, "lang"))) {
			for (char *u = (char *)v; *u; u++)
				if (*u == '_')
					*u = '-';
			f->lang = *v ? v : NULL;
		}
	}

	if (p->capture) {
		struct frame *cap = &p->stack[p->capture - 1];

		f->ctx = CTX_SKIP;
		if (cap->type == TYPE_HTML || cap->type == TYPE_XHTML) {
			/* Atom's xhtml wrapper div is not part of the text. */
			f->emit = !(cap->strip_div &&
				    p->depth == p->capture + 1 &&
				    !strcasecmp(name, "div") &&
				    ns == NS_XHTML && p->text.len == 0);
			if (f->emit) {
				f->name = arena_strdup(p->a, name);
				f->uri = (const char *)uri;
				serialise_start(p, name, f->uri,
						p->depth > p->capture + 1
							? parent->uri
							: NULL,
						attrs, nb_attributes);
			}
		}
		return;
	}

	if (!p->root_seen) {
		enum ctx root_ctx = CTX_SKIP;
		const char *format;
		int i;

		for (i = 0; i < nb_namespaces; i++)
			if (namespaces[2 * i + 1] &&
			    !strcmp((const char *)namespaces[2 * i + 1],
				    "http://my.netscape.com/rdf/simple/0.9/"))
				p->rss090 = true;

		p->root_seen = true;
		format = detect_format(p, ns, name, attrs, nb_attributes,
				       &root_ctx);
		if (!format) {
			p->root_name = arena_strdup(p->a, name);
			stop(p, ST_PARSE, "not a feed");
			return;
		}
		p->feed->format = format;
		f->ctx = (unsigned char)root_ctx;
		cdf_attributes(p, f, attrs, nb_attributes);
		if (f->lang)
			p->feed->language = f->lang;
		return;
	}

	dispatch(p, f, parent->ctx, ns, name, attrs, nb_attributes);
	if (f->ctx == CTX_FEED && !p->feed->language && f->lang)
		p->feed->language = f->lang;
	if (f->ctx == CTX_FEED && ns == NS_RSS090 &&
	    !strcmp(p->feed->format, "rss10"))
		p->feed->format = "rss090";
	if (f->ctx == CTX_ITEM) {
		if (p->feed->item_count >= FEED_MAX_ITEMS) {
			f->ctx = CTX_SKIP;
		} else {
			const char *about =
				attr(p, attrs, nb_attributes, "about");

			p->item = (long)feed_add_item(p->feed);
			memset(&p->item_rank, 0, sizeof(p->item_rank));
			p->itunes_author = NULL;
			cur_item(p)->language = f->lang;
			/* RSS 1.0 §5.5: rdf:about is the item's URI. */
			if (about && *about) {
				cur_item(p)->guid = about;
				p->item_rank.guid = 1;
			}
		}
	}
	if (f->ctx == CTX_ITEM || f->ctx == CTX_FEED)
		cdf_attributes(p, f, attrs, nb_attributes);
	if (f->field != F_NONE) {
		const char *type =
			f->type == TYPE_XHTML
				? attr(p, attrs, nb_attributes, "type")
				: NULL;

		f->strip_div = type && !strcasecmp(type, "xhtml");
		p->capture = p->depth;
		buf_reset(&p->text);
	}
}

static void
on_characters(void *ctx, const xmlChar *ch, int len)
{
	struct parser *p = parser_of(ctx);

	if (!p->capture || p->skip_depth)
		return;
	if (p->stack[p->capture - 1].type == TYPE_XHTML)
		buf_add_html(&p->text, (const char *)ch, (size_t)len);
	else
		buf_add(&p->text, ch, (size_t)len);
}

static size_t
base64_decode(char *s, size_t len)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
				       "nopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	size_t i, out = 0;
	int bits = 0;

	for (i = 0; i < len; i++) {
		const char *pos;

		if (s[i] == '=')
			break;
		pos = s[i] ? strchr(alphabet, s[i]) : NULL;
		if (!pos)
			continue;
		acc = (acc << 6) | (uint32_t)(pos - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			s[out++] = (char)((acc >> bits) & 0xff);
		}
	}
	s[out] = '\0';
	return out;
}

/* Drops bytes that are not valid UTF-8 (from base64 or broken input). */
static size_t
keep_utf8(char *s, size_t len)
{
	size_t i = 0, o = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n = c < 0x80	    ? 1
			   : (c >> 5) == 6  ? 2
			   : (c >> 4) == 14 ? 3
			   : (c >> 3) == 30 ? 4
					    : 0;
		size_t k;

		if (!n || i + n > len || !c) {
			i++;
			continue;
		}
		for (k = 1; k < n; k++)
			if (((unsigned char)s[i + k] >> 6) != 2)
				break;
		if (k < n) {
			i++;
			continue;
		}
		memmove(s + o, s + i, n);
		o += n;
		i += n;
	}
	s[o] = '\0';
	return o;
}

static bool
has_c1(const char *s, size_t len)
{
	const char *c = s, *end = s + len;

	while ((c = memchr(c, 0xc2, (size_t)(end - c))) && c + 1 < end) {
		if ((unsigned char)c[1] >= 0x80 && (unsigned char)c[1] <= 0x9f)
			return true;
		c++;
	}
	return false;
}

/*
 * C1 control characters (U+0080..U+009F) never mean themselves in a feed:
 * they are Windows-1252 punctuation decoded as Latin-1. Returns a copy in
 * the arena with them replaced.
 */
static char *
fix_c1(struct parser *p, const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	size_t i;
	char *out;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0xc2 && i + 1 < len &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			uint32_t cp;
			char ref[8];

			snprintf(ref, sizeof(ref), "#%u;",
				 (unsigned char)s[i + 1]);
			if (feed_entity_ref(ref, strlen(ref), &cp))
				feed_add_utf8(&b, cp);
			i++;
			continue;
		}
		buf_addc(&b, (char)c);
	}
	out = arena_strndup(p->a, b.data, b.len);
	buf_release(&b);
	return out;
}

/* The captured field's value as HTML or as plain text. */
static const char *
field_html(struct parser *p, const struct frame *f, char *s, size_t len)
{
	switch (f->type) {
	case TYPE_TEXT:
	case TYPE_BASE64_TEXT:
		return feed_text_to_html(p->a, s, len);
	default:
		return arena_strndup(p->a, s, len);
	}
}

static const char *
field_text(struct parser *p, const struct frame *f, char *s, size_t len)
{
	switch (f->type) {
	case TYPE_TEXT:
	case TYPE_BASE64_TEXT:
		return feed_collapse_space(p->a, s, len);
	default:
		return feed_html_to_text(p->a, s, len);
	}
}

/* "me@example.com (Example Name)" or "Name <me@example.com>" → Name. */
static const char *
rss_author_name(struct parser *p, const char *s)
{
	const char *open = strchr(s, '('), *close = strrchr(s, ')');
	const char *lt = strchr(s, '<');

	if (open && close && close > open + 1 &&
	    memchr(s, '@', (size_t)(open - s)))
		return feed_collapse_space(p->a, open + 1,
					   (size_t)(close - open - 1));
	if (open && open > s && close > open &&
	    memchr(open, '@', (size_t)(close - open)))
		return feed_collapse_space(p->a, s, (size_t)(open - s));
	if (lt && lt > s && strchr(lt, '@'))
		return feed_collapse_space(p->a, s, (size_t)(lt - s));
	return s;
}

static void
end_field(struct parser *p, struct frame *f, enum ctx ctx)
{
	struct feed *feed = p->feed;
	struct feed_item *it = ctx == CTX_ITEM || ctx == CTX_ITEM_AUTHOR ||
					       ctx == CTX_MEDIA ||
					       ctx == CTX_MEDIA_GROUP
				       ? cur_item(p)
				       : NULL;
	bool item_level = it != NULL;
	struct ranks *rank = item_level ? &p->item_rank : &p->feed_rank;
	char *s = p->text.data;
	size_t len = p->text.len;
	const char *v;
	int64_t t;

	if (p->text.err)
		return;
	if (f->type == TYPE_BASE64_TEXT || f->type == TYPE_BASE64_HTML)
		len = keep_utf8(s, base64_decode(s, len));
	if (f->field == F_SUMMARY || f->field == F_CONTENT) {
		while (len && isspace((unsigned char)*s)) {
			s++;
			len--;
		}
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
	}
	if (has_c1(s, len)) {
		s = fix_c1(p, s, len);
		len = strlen(s);
	}
	if (ctx == CTX_FEED_AUTHOR || ctx == CTX_ITEM_AUTHOR) {
		v = feed_collapse_space(p->a, s, len);
		if (!*v)
			return;
		if (it)
			feed_item_add_author(feed, it, v);
		else if (!feed->author)
			feed->author = v;
		return;
	}
	switch (f->field) {
	case F_TITLE:
	case F_MEDIA_TITLE:
		v = field_text(p, f, s, len);
		if (f->field == F_MEDIA_TITLE) {
			if (it && better(&p->item_rank.caption, 1))
				it->image_caption = v;
			if (!*v || !better(&rank->title, 1))
				break;
		} else if (!better(&rank->title, f->rank)) {
			break;
		}
		if (it)
			it->title = v;
		else
			feed->title = v;
		break;
	case F_LINK:
		v = feed_collapse_space(p->a, s, len);
		if (!*v || !better(&rank->link, 3))
			break;
		v = feed_resolve(p->a, f->base, v);
		if (it)
			it->link = v;
		else if (ctx == CTX_FEED)
			feed->link = v;
		break;
	case F_SUMMARY:
		if (!len)
			break;
		if (!it) {
			if (better(&rank->description, f->rank))
				feed->description = field_text(p, f, s, len);
			break;
		}
		if (!better(&rank->summary, f->rank))
			break;
		it->summary = feed_resolve_html(p->a, field_html(p, f, s, len),
						f->base);
		break;
	case F_CONTENT:
		if (!it || !len || !better(&rank->content, 3))
			break;
		it->content = feed_resolve_html(p->a, field_html(p, f, s, len),
						f->base);
		break;
	case F_GUID:
		v = feed_collapse_space(p->a, s, len);
		if (!it || !*v)
			break;
		/* A path-only atom:id is resolved as feedparser does. */
		if (v[0] == '/' && v[1] != '/' && f->base)
			v = feed_resolve(p->a, f->base, v);
		if (better(&rank->guid, f->rank))
			it->guid = v;
		if (f->permalink && url_is_absolute(v) &&
		    better(&rank->link, 1))
			it->link = v;
		break;
	case F_AUTHOR:
	case F_AUTHOR_NAME:
	case F_ITUNES_AUTHOR:
		v = feed_collapse_space(p->a, s, len);
		if (!*v)
			break;
		if (f->field == F_AUTHOR || f->field == F_AUTHOR_NAME)
			v = rss_author_name(p, v);
		if (f->field == F_ITUNES_AUTHOR) {
			if (it)
				p->itunes_author = v;
			else
				p->feed_itunes_author = v;
		} else if (it) {
			feed_item_add_author(feed, it, v);
		} else if (!feed->author) {
			feed->author = v;
		}
		break;
	case F_PUBLISHED:
	case F_UPDATED:
	case F_DC_DATE:
		v = arena_strndup(p->a, s, len);
		if (feed_date_parse(v, &t))
			break;
		/* Of equal sources the last one wins, as in feedparser. */
		if (it) {
			if (f->field != F_UPDATED &&
			    at_least(&rank->published,
				     f->field == F_PUBLISHED ? 2 : 1))
				it->published = t;
			if (f->field != F_PUBLISHED &&
			    at_least(&rank->updated,
				     f->field == F_UPDATED ? 2 : 1))
				it->updated = t;
		} else if (ctx == CTX_FEED &&
			   at_least(&rank->updated,
				    f->field == F_PUBLISHED ? 1 : 2)) {
			feed->updated = t;
		}
		break;
	case F_CATEGORY:
		v = feed_collapse_space(p->a, s, len);
		if (it && *v)
			feed_item_add_category(feed, it, v);
		break;
	case F_LANGUAGE:
		v = feed_collapse_space(p->a, s, len);
		for (char *u = (char *)v; *u; u++)
			if (*u == '_')
				*u = '-';
		if (!*v || !better(&rank->language, 2))
			break;
		if (it)
			it->language = v;
		else if (ctx == CTX_FEED)
			feed->language = v;
		break;
	case F_COMMENTS:
		v = feed_collapse_space(p->a, s, len);
		if (it && *v)
			it->comments = feed_resolve(p->a, f->base, v);
		break;
	case F_IMAGE_URL:
	case F_LOGO:
	case F_ICON:
		v = feed_collapse_space(p->a, s, len);
		set_image(p, false, f->base, v, f->field == F_ICON ? 1 : 3);
		break;
	case F_CAPTION:
		v = field_text(p, f, s, len);
		if (it && *v && better(&p->item_rank.caption, 2))
			it->image_caption = v;
		break;
	default:
		break;
	}
}

static void
on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
       const xmlChar *uri)
{
	struct parser *p = parser_of(ctx);
	struct frame *f;

	if (p->skip_depth) {
		p->skip_depth--;
		return;
	}
	if (!p->depth)
		return;
	f = &p->stack[p->depth - 1];
	if (p->capture && p->depth > p->capture) {
		if (f->emit && !is_void(f->name)) {
			buf_adds(&p->text, "</");
			buf_adds(&p->text, f->name);
			buf_addc(&p->text, '>');
		}
		p->depth--;
		return;
	}
	if (p->capture == p->depth) {
		struct frame *parent = &p->stack[p->depth - 2];
		enum ctx pctx =
			(enum ctx)(f->field == F_AUTHOR_NAME &&
						   (f->ctx == CTX_FEED_AUTHOR ||
						    f->ctx == CTX_ITEM_AUTHOR)
					   ? f->ctx
					   : parent->ctx);

		end_field(p, f, pctx);
		p->capture = 0;
		if (p->text.cap > (1 << 20))
			buf_release(&p->text);
		else
			buf_reset(&p->text);
	} else if (f->ctx == CTX_ITEM && p->item >= 0) {
		struct feed_item *it = cur_item(p);

		if (!it->author_count && p->itunes_author)
			feed_item_add_author(p->feed, it, p->itunes_author);
		if (!it->language)
			it->language = p->feed->language;
		p->item = -1;
	} else if (f->ctx == CTX_FEED) {
		if (!p->feed->author && p->feed_itunes_author)
			p->feed->author = p->feed_itunes_author;
	}
	p->depth--;
}

/* Entities: the document's own, then HTML's named characters. */

static xmlEntityPtr
serve_entity(struct parser *p, struct doc_entity *e)
{
	if (p->expansion + (size_t)e->ent.length > p->expansion_max) {
		stop(p, ST_TOOBIG,
		     "entity expansion exceeds the limit (possible entity "
		     "expansion attack)");
		return NULL;
	}
	p->expansion += (size_t)e->ent.length;
	return &e->ent;
}

static struct doc_entity *
new_entity(struct parser *p, const char *name, const char *content, size_t len)
{
	struct doc_entity *e = arena_calloc(p->a, 1, sizeof(*e));

	e->ent.type = XML_ENTITY_DECL;
	e->ent.etype = XML_INTERNAL_PREDEFINED_ENTITY;
	e->ent.name = (const xmlChar *)arena_strdup(p->a, name);
	e->ent.content = (xmlChar *)arena_strndup(p->a, content, len);
	e->ent.length = (int)len;
	return e;
}

static xmlEntityPtr
on_get_entity(void *ctx, const xmlChar *name)
{
	struct parser *p = parser_of(ctx);
	struct doc_entity *e;
	const htmlEntityDesc *h;
	struct buf b = BUF_INIT;

	for (e = p->entities; e; e = e->next)
		if (!strcmp((const char *)e->ent.name, (const char *)name))
			return serve_entity(p, e);
	for (e = p->html_entities; e; e = e->next)
		if (!strcmp((const char *)e->ent.name, (const char *)name))
			return serve_entity(p, e);
	/* libxml2 copies only one byte of such an entity in attributes. */
	if (p->ctxt->instate != XML_PARSER_CONTENT)
		return NULL;
	if (!strcmp((const char *)name, "apos")) {
		buf_addc(&b, '\'');
	} else if ((h = htmlEntityLookup(name))) {
		feed_add_utf8(&b, h->value);
	} else {
		/* An unknown reference stays as it was written. */
		buf_addf(&b, "&%s;", (const char *)name);
	}
	e = new_entity(p, (const char *)name, b.data, b.len);
	buf_release(&b);
	e->next = p->html_entities;
	p->html_entities = e;
	return serve_entity(p, e);
}

static void
on_entity_decl(void *ctx, const xmlChar *name, int type,
	       const xmlChar *public_id, const xmlChar *system_id,
	       xmlChar *content)
{
	struct parser *p = parser_of(ctx);
	const char *c = (const char *)content, *amp;
	struct doc_entity *e;
	const char *decoded;

	if (type != XML_INTERNAL_GENERAL_ENTITY || !c)
		return; /* external and parameter entities are never loaded */
	for (amp = strchr(c, '&'); amp; amp = strchr(amp + 1, '&'))
		if (amp[1] != '#') {
			stop(p, ST_PARSE,
			     "entity declarations that refer to other "
			     "entities are refused (possible entity expansion "
			     "attack)");
			return;
		}
	if (p->entity_count >= MAX_ENTITY_DECLS) {
		stop(p, ST_TOOBIG, "too many entity declarations");
		return;
	}
	decoded = feed_decode_entities(p->a, c, strlen(c));
	e = new_entity(p, (const char *)name, decoded, strlen(decoded));
	e->next = p->entities;
	p->entities = e;
	p->entity_count++;
}

static xmlParserInputPtr
on_resolve_entity(void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
	return NULL;
}

static xmlEntityPtr
on_get_parameter_entity(void *ctx, const xmlChar *name)
{
	return NULL;
}

static void
on_error(void *ctx, xmlErrorPtr err)
{
	struct parser *p = parser_of(ctx);
	size_t len;

	if (!err || err->level < XML_ERR_ERROR || p->error ||
	    err->domain == XML_FROM_NAMESPACE)
		return;
	len = err->message ? strlen(err->message) : 0;
	while (len && isspace((unsigned char)err->message[len - 1]))
		len--;
	p->error = arena_printf(p->a, "line %d: %.*s", err->line, (int)len,
				err->message ? err->message : "error");
}

/* The encoding as the document's bytes announce it (BOM, the first bytes,
 * then the XML declaration), lower-case; "utf-8" when nothing is said. */
static const char *
sniff_encoding(struct parser *p, const unsigned char *d, size_t len)
{
	const char *decl, *end;
	char name[48];
	size_t n = 0;

	if (len >= 4) {
		if (!memcmp(d, "\x00\x00\xfe\xff", 4) ||
		    !memcmp(d, "\x00\x00\x00\x3c", 4))
			return "utf-32be";
		if (!memcmp(d, "\xff\xfe\x00\x00", 4) ||
		    !memcmp(d, "\x3c\x00\x00\x00", 4))
			return "utf-32le";
		if (!memcmp(d, "\x00\x3c\x00\x3f", 4))
			return "utf-16be";
		if (!memcmp(d, "\x3c\x00\x3f\x00", 4))
			return "utf-16le";
	}
	if (len >= 2 && !memcmp(d, "\xfe\xff", 2))
		return "utf-16be";
	if (len >= 2 && !memcmp(d, "\xff\xfe", 2))
		return "utf-16le";
	if (len >= 3 && !memcmp(d, "\xef\xbb\xbf", 3))
		return "utf-8";
	if (len < 6 || memcmp(d, "<?xml", 5))
		return "utf-8";
	end = memchr(d, '>', MIN(len, 512));
	if (!end)
		return "utf-8";
	decl = memmem(d, (size_t)(end - (const char *)d), "encoding", 8);
	if (!decl)
		return "utf-8";
	decl += 8;
	while (decl < end &&
	       (*decl == ' ' || *decl == '=' || *decl == '"' || *decl == '\''))
		decl++;
	while (decl + n < end && n + 1 < sizeof(name) &&
	       (isalnum((unsigned char)decl[n]) || decl[n] == '-' ||
		decl[n] == '_' || decl[n] == '.' || decl[n] == ':')) {
		name[n] = (char)tolower((unsigned char)decl[n]);
		n++;
	}
	name[n] = '\0';
	if (!n)
		return "utf-8";
	if (!strcmp(name, "gb2312"))
		return "gb18030";
	return arena_strdup(p->a, name);
}

static bool
has_bom(const unsigned char *d, size_t len)
{
	return (len >= 3 && !memcmp(d, "\xef\xbb\xbf", 3)) ||
	       (len >= 2 &&
		(!memcmp(d, "\xfe\xff", 2) || !memcmp(d, "\xff\xfe", 2)));
}

static void
silent(void *ctx, const char *msg, ...)
{
}

/*
 * memmem() for a needle whose byte at k is rare in feeds: glibc's memmem()
 * reads about 3 GB/s here, memchr() ten times that.
 */
static const char *
find_rare(const char *s, size_t n, const char *needle, size_t len, size_t k)
{
	const char *end = s + n, *p = s + k;

	while (p < end && (p = memchr(p, needle[k], (size_t)(end - p)))) {
		if ((size_t)(end - (p - k)) >= len &&
		    !memcmp(p - k, needle, len))
			return p - k;
		p++;
	}
	return NULL;
}

#define HAS_CDATA(s, n) (find_rare((s), (n), "<![CDATA[", 9, 2) != NULL)

/*
 * Copies data with each '&' that does not start a reference escaped as
 * "&amp;", and "&#X" lower-cased, outside CDATA sections and comments: feeds
 * often carry raw query strings ("?a=1&b=2") that XML would drop. Returns
 * NULL when nothing needs fixing. Only for ASCII-compatible encodings.
 */
static char *
fix_ampersands(const char *data, size_t len, size_t *out_len)
{
	struct buf b = BUF_INIT;
	size_t i = 0, copied = 0;
	const char *stop = data + len, *lt = NULL, *hit = NULL;

	while (i < len) {
		size_t j, k;

		/* The next '&' and '<' are looked up again only once passed:
		 * looking them up at every tag would read the rest of the
		 * document once per tag. */
		if (!hit || hit < data + i) {
			hit = memchr(data + i, '&', len - i);
			if (!hit)
				hit = stop;
		}
		if (!lt || lt < data + i) {
			lt = memchr(data + i, '<', len - i);
			if (!lt)
				lt = stop;
		}
		if (lt < hit) {
			/* Skip CDATA sections and comments whole. */
			const char *close = NULL;

			j = (size_t)(lt - data);
			if (len - j >= 9 && !memcmp(lt, "<![CDATA[", 9))
				close = find_rare(lt + 9, len - j - 9, "]]>", 3,
						  0);
			else if (len - j >= 4 && !memcmp(lt, "<!--", 4))
				close = memmem(lt + 4, len - j - 4, "-->", 3);
			else {
				i = j + 1;
				continue;
			}
			if (!close)
				break;
			i = (size_t)(close - data) + 3;
			continue;
		}
		if (hit == stop)
			break;
		j = (size_t)(hit - data);
		k = j + 1;
		if (k < len && data[k] == '#') {
			bool hex = k + 1 < len &&
				   (data[k + 1] == 'x' || data[k + 1] == 'X');
			size_t d = k + (hex ? 2 : 1), start = d;

			while (d < len &&
			       (hex ? isxdigit((unsigned char)data[d])
				    : isdigit((unsigned char)data[d])))
				d++;
			if (d > start && d < len && data[d] == ';') {
				if (hex && data[k + 1] == 'X') {
					buf_add(&b, data + copied,
						k + 1 - copied);
					buf_addc(&b, 'x');
					copied = k + 2;
				}
				i = d + 1;
				continue;
			}
		} else if (k < len && (isalpha((unsigned char)data[k]) ||
				       data[k] == '_' || data[k] == ':')) {
			size_t d = k + 1;

			while (d < len && (isalnum((unsigned char)data[d]) ||
					   data[d] == '_' || data[d] == ':' ||
					   data[d] == '.' || data[d] == '-'))
				d++;
			if (d < len && data[d] == ';') {
				i = d + 1;
				continue;
			}
		}
		buf_add(&b, data + copied, j + 1 - copied);
		buf_adds(&b, "amp;");
		copied = j + 1;
		i = j + 1;
	}
	if (!copied) {
		buf_release(&b);
		return NULL;
	}
	buf_add(&b, data + copied, len - copied);
	return buf_detach(&b, out_len);
}

/*
 * Escaped markup in text ("&lt;p&gt;Rain &amp; wind&lt;/p&gt;"), the way most
 * feeds carry HTML bodies, costs libxml2 a callback and a copy per reference.
 * A CDATA section of the same characters is handed over in one piece by the
 * push reader. So runs of text dense with references are rewritten as CDATA
 * sections before a UTF-8 document is read.
 *
 * Only where it pays: the push reader walks a CDATA section byte by byte
 * once more (counting lines), where the pull reader reads plain text fast.
 * A run is rewritten when it has CDATA_MIN_REFS references or more and one
 * in CDATA_RUN_BYTES bytes at least (escaped HTML has one in 10 to 50); a
 * document without CDATA sections of its own, which would otherwise be read
 * by the pull reader, only when its rewritten runs hold one reference in
 * CDATA_DOC_BYTES bytes of the whole document at least. (A 33 KB feed of
 * 1.5 KB bodies with four references each parsed 1.7 times slower
 * rewritten; so did, by 2 to 15 %, a feed whose escaped bodies were a third
 * of its bytes.)
 *
 * It must change nothing else. A run is rewritten only when every '&' in it
 * starts one of XML's five predefined entities or a decimal or "&#x"
 * reference to a character XML allows, other than carriage return (which a
 * CDATA section would read as a line end), and when it holds no other
 * control character, no carriage return, no invalid UTF-8 and, once
 * decoded, no "]]>". Anything else stays as written, so a run that is an
 * error stays one. The rewrite gives up (NULL) at a DOCTYPE, whose
 * declarations it would have to read, and at markup it cannot follow; the
 * caller reads the original document then, and again whenever the push
 * reader finds the rewritten one not well-formed.
 */
#define CDATA_MIN_REFS	4
#define CDATA_RUN_BYTES 64
#define CDATA_DOC_BYTES 40

bool feed_cdata_every_run;

/* Whether [s, end) holds at least want '&'; stops counting there. */
static bool
has_amps(const char *s, const char *end, size_t want)
{
	size_t n = 0;

	while (n < want && s < end && (s = memchr(s, '&', (size_t)(end - s)))) {
		n++;
		s++;
	}
	return n >= want;
}

/*
 * Decodes the reference at s (at '&') into *cp when it is one the rewrite
 * carries over; returns its length, or 0. XML's reading of a reference, as
 * libxml2's: not feed_entity_ref()'s HTML one, which maps &#128;…&#159; to
 * Windows-1252, takes "&#X" and lets the ';' go.
 */
static size_t
cdata_ref(const char *s, const char *end, uint32_t *cp)
{
	size_t i, n = (size_t)(end - s);
	uint32_t v = 0;

	if (n < 4)
		return 0;
	switch (s[1]) {
	case 'l':
	case 'g':
		if (s[2] != 't' || s[3] != ';')
			return 0;
		*cp = s[1] == 'l' ? '<' : '>';
		return 4;
	case 'a':
		if (n >= 5 && !memcmp(s + 2, "mp;", 3)) {
			*cp = '&';
			return 5;
		}
		if (n >= 6 && !memcmp(s + 2, "pos;", 4)) {
			*cp = '\'';
			return 6;
		}
		return 0;
	case 'q':
		if (n < 6 || memcmp(s + 2, "uot;", 4))
			return 0;
		*cp = '"';
		return 6;
	case '#':
		break;
	default:
		return 0;
	}
	if (s[2] == 'x') {
		for (i = 3; i < n && i < 10 && isxdigit((unsigned char)s[i]);
		     i++)
			v = v * 16 +
			    (uint32_t)(isdigit((unsigned char)s[i])
					       ? s[i] - '0'
					       : (s[i] | 0x20) - 'a' + 10);
		if (i == 3)
			return 0;
	} else {
		for (i = 2; i < n && i < 10 && isdigit((unsigned char)s[i]);
		     i++)
			v = v * 10 + (uint32_t)(s[i] - '0');
		if (i == 2)
			return 0;
	}
	if (i >= n || s[i] != ';')
		return 0;
	if (!(v == 0x9 || v == 0xa || (v >= 0x20 && v <= 0xd7ff) ||
	      (v >= 0xe000 && v <= 0xfffd) || (v >= 0x10000 && v <= 0x10ffff)))
		return 0;
	*cp = v;
	return i + 1;
}

/*
 * How many bytes from p on (up to end) are printable ASCII other than '&'
 * and '>', looked at 8 at a time: escaped markup is runs of a few bytes
 * between references, too short for memchr() to pay.
 */
static size_t
plain_run(const char *p, const char *end)
{
	const uint64_t ones = 0x0101010101010101u, highs = ones * 0x80;
	const char *q = p;

	while (end - q >= 8) {
		uint64_t w, amp, gt, hit;

		memcpy(&w, q, 8);
		w = le64toh(w); /* the first byte lowest */
		amp = w ^ (ones * '&');
		gt = w ^ (ones * '>');
		/* A byte below 0x20, from 0x80 on, '&' or '>' (zero in amp or
		 * gt) sets its high bit; a borrow can mark bytes after the
		 * first such byte too, never one before it. */
		hit = ((w - ones * 0x20) | w | ((amp - ones) & ~amp) |
		       ((gt - ones) & ~gt)) &
		      highs;
		if (hit)
			return (size_t)(q - p) +
			       (size_t)(__builtin_ctzll(hit) / 8);
		q += 8;
	}
	while (q < end && (unsigned char)*q >= 0x20 &&
	       (unsigned char)*q < 0x80 && *q != '&' && *q != '>')
		q++;
	return (size_t)(q - p);
}

/*
 * Writes the run [s, end) at o as a CDATA section when it qualifies (see
 * above); returns the end of what it wrote, or NULL when the run does not
 * qualify. A reference decodes to fewer bytes than it is written in (three
 * at least), so a section of CDATA_MIN_REFS or more takes no more room than
 * the run.
 */
static char *
cdata_run(char *o, const char *s, const char *end, size_t *nrefs)
{
	const char *p = s;
	char *text;
	size_t refs = 0;

	/* Most runs are whitespace between tags, or hold too few references
	 * (see above) to be worth it. */
	if (!has_amps(s, end,
		      feed_cdata_every_run
			      ? CDATA_MIN_REFS
			      : MAX(CDATA_MIN_REFS,
				    (size_t)(end - s + CDATA_RUN_BYTES - 1) /
					    CDATA_RUN_BYTES)))
		return NULL;
	memcpy(o, "<![CDATA[", 9);
	text = o += 9;
	while (p < end) {
		size_t n = plain_run(p, end);
		unsigned char c;
		uint32_t cp = 0;

		memcpy(o, p, n);
		o += n;
		p += n;
		if (p == end)
			break;
		c = (unsigned char)*p;
		if (c == '&') {
			n = cdata_ref(p, end, &cp);
			if (!n)
				return NULL;
			o = feed_put_utf8(o, cp);
			refs++;
		} else if (c == '\t' || c == '\n' || c == '>') {
			*o++ = (char)c;
			cp = c;
			n = 1;
		} else if (c >= 0x80) {
			n = utf8_decode((const unsigned char *)p,
					(size_t)(end - p), &cp);
			/* Bad UTF-8 is one byte; U+FFFE and U+FFFF are not
			 * XML characters. */
			if (n == 1 || cp == 0xfffe || cp == 0xffff)
				return NULL;
			memcpy(o, p, n);
			o += n;
		} else {
			return NULL;
		}
		p += n;
		/* "]]>" in the text would end the section early. */
		if (cp == '>' && o - text >= 3 && o[-2] == ']' && o[-3] == ']')
			return NULL;
	}
	/* Every '&' was a reference: as many as has_amps() asked for. */
	*nrefs += refs;
	memcpy(o, "]]>", 3);
	return o + 3;
}

/*
 * Returns the end of the markup at p ('<'): a CDATA section, comment,
 * processing instruction or tag, over its quoted attribute values. NULL for
 * a DOCTYPE, a '<' that starts no markup, or markup left open.
 */
static const char *
markup_end(const char *p, const char *end)
{
	size_t n = (size_t)(end - p);
	const char *q;

	if (n >= 9 && !memcmp(p, "<![CDATA[", 9)) {
		q = find_rare(p + 9, n - 9, "]]>", 3, 0);
		return q ? q + 3 : NULL;
	}
	if (n >= 4 && !memcmp(p, "<!--", 4)) {
		q = memmem(p + 4, n - 4, "-->", 3);
		return q ? q + 3 : NULL;
	}
	if (n < 2)
		return NULL;
	if (p[1] == '?') {
		q = memmem(p + 2, n - 2, "?>", 2);
		return q ? q + 2 : NULL;
	}
	if (!(p[1] == '/' || isalpha((unsigned char)p[1]) || p[1] == '_' ||
	      p[1] == ':' || (unsigned char)p[1] >= 0x80))
		return NULL;
	for (q = p + 1; q < end; q++) {
		if (*q == '>')
			return q + 1;
		if (*q == '<')
			return NULL;
		if (*q == '"' || *q == '\'') {
			q = memchr(q + 1, *q, (size_t)(end - q - 1));
			if (!q)
				return NULL;
		}
	}
	return NULL;
}

/*
 * Returns data with its runs of escaped markup as CDATA sections (see above),
 * or NULL when none was rewritten, the rewrite would not pay or it gave up.
 * *has_cdata tells whether the document to read, rewritten or not, has a
 * CDATA section.
 */
static char *
cdata_rewrite(const char *data, size_t len, size_t *out_len, bool *has_cdata)
{
	char *out = NULL, *o = NULL;
	const char *end = data + len, *copied = data;
	/* Text before the first markup (a BOM, spaces) stays as it is. */
	const char *p = memchr(data, '<', len);
	size_t nrefs = 0;

	*has_cdata = HAS_CDATA(data, len);
	/* Escaped markup has "&lt;"; and a document to be read by the pull
	 * reader needs its references dense enough (see above). */
	if (!p || !find_rare(p, (size_t)(end - p), "&lt;", 4, 0) ||
	    (!*has_cdata && !feed_cdata_every_run &&
	     !has_amps(p, end, len / CDATA_DOC_BYTES)))
		return NULL;
	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		char *w;

		if (!lt)
			lt = end;
		/* Four references take 16 bytes at least. */
		if (lt - p >= 4 * CDATA_MIN_REFS) {
			/*
			 * The output never runs ahead of the input: a section
			 * takes no more room than its run. A run found not to
			 * qualify may have written up to the 9 bytes of
			 * "<![CDATA[" further before it stopped.
			 */
			if (!out)
				o = out = xmalloc(len + 16);
			/* The text before the run is copied only once the
			 * run is rewritten, so runs that are not cost no
			 * copy each. */
			w = cdata_run(o + (p - copied), p, lt, &nrefs);
			if (w) {
				memcpy(o, copied, (size_t)(p - copied));
				o = w;
				copied = lt;
			}
		}
		if (lt == end)
			break;
		p = markup_end(lt, end);
		if (!p)
			break;
	}
	if (p == NULL || copied == data ||
	    (!*has_cdata && !feed_cdata_every_run &&
	     nrefs < len / CDATA_DOC_BYTES)) {
		free(out);
		return NULL;
	}
	memcpy(o, copied, (size_t)(end - copied));
	o += end - copied;
	*o = '\0';
	*out_len = (size_t)(o - out);
	*has_cdata = true;
	return out;
}

static void
init_sax(xmlSAXHandler *sax)
{
	memset(sax, 0, sizeof(*sax));
	sax->initialized = XML_SAX2_MAGIC;
	sax->startElementNs = on_start;
	sax->endElementNs = on_end;
	sax->characters = on_characters;
	sax->cdataBlock = on_characters;
	sax->getEntity = on_get_entity;
	sax->getParameterEntity = on_get_parameter_entity;
	sax->entityDecl = on_entity_decl;
	sax->resolveEntity = on_resolve_entity;
	sax->serror = on_error;
}

enum status
feed_parse_xml(struct feed *feed, const char *data, size_t len, const char *url,
	       const char *charset, enum feed_xml_reader *reader,
	       const char **reason)
{
	struct parser p;
	xmlParserCtxtPtr ctxt;
	xmlCharEncodingHandlerPtr handler = NULL;
	int options = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
		      XML_PARSE_NOWARNING;
	enum status rc = ST_OK;
	const char *sniffed, *decode_as = NULL;
	char *fixed = NULL, *rewritten = NULL;
	size_t fixed_len = 0, rewritten_len = 0;
	struct doc_entity *e;
	bool forced_bom = false, cdata = false;

	if (len > INT_MAX) {
		*reason = "document larger than the size limit";
		return ST_TOOBIG;
	}
	memset(&p, 0, sizeof(p));
	p.feed = feed;
	p.a = &feed->arena;
	p.item = -1;
	p.expansion_max = MAX(MAX_ENTITY_EXPANSION, 2 * len);
	buf_init(&p.text, MAX_FIELD_TEXT);
	/* One frame more than the cap holds the document's base. */
	p.stack = xcalloc(FEED_MAX_DEPTH + 1, sizeof(*p.stack));
	p.stack[FEED_MAX_DEPTH].base = url ? arena_strdup(p.a, url) : NULL;

	xmlSetGenericErrorFunc(NULL, silent);
	feed_charsets_init();
	sniffed = sniff_encoding(&p, (const unsigned char *)data, len);
	if (!strncmp(sniffed, "utf-32", 6) || !strncmp(sniffed, "utf-16", 6)) {
		/* libxml2 reads these through iconv, without their BOM. */
		if (!charset)
			charset = sniffed;
		if (len >= 4 && (!memcmp(data, "\x00\x00\xfe\xff", 4) ||
				 !memcmp(data, "\xff\xfe\x00\x00", 4))) {
			data += 4;
			len -= 4;
		} else if (len >= 2 && sniffed[4] == '1' &&
			   (!memcmp(data, "\xfe\xff", 2) ||
			    !memcmp(data, "\xff\xfe", 2))) {
			data += 2;
			len -= 2;
		}
		forced_bom = true;
	} else {
		const char *enc;

		/* Latin-1 feeds mean Windows-1252 (as the WHATWG Encoding
		 * Standard reads the label). */
		if (!charset && (!strcmp(sniffed, "iso-8859-1") ||
				 !strcmp(sniffed, "latin1") ||
				 !strcmp(sniffed, "iso_8859-1")))
			decode_as = "windows-1252";
		enc = charset && !has_bom((const unsigned char *)data, len)
			      ? charset
			      : sniffed;
		/* Before the ampersands: the runs it rewrites have none to
		 * fix, and it takes them out of that pass's way. */
		if (*reader == FEED_XML_PUSH && !decode_as &&
		    (!strcmp(enc, "utf-8") || !strcmp(enc, "utf8"))) {
			rewritten = cdata_rewrite(data, len, &rewritten_len,
						  &cdata);
			if (rewritten) {
				data = rewritten;
				len = rewritten_len;
			}
		} else if (*reader == FEED_XML_PUSH) {
			cdata = HAS_CDATA(data, len);
		}
		fixed = fix_ampersands(data, len, &fixed_len);
		if (fixed) {
			data = fixed;
			len = fixed_len;
		}
	}
	/* Without a CDATA section the push reader gains nothing. */
	if (!cdata)
		*reader = FEED_XML_PULL;
	p.reader = *reader;
	ctxt = *reader == FEED_XML_PUSH
		       ? xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL)
		       : xmlCreateMemoryParserCtxt(data, (int)len);
	if (!ctxt) {
		rc = ST_NOMEM;
		*reason = "out of memory";
		goto out;
	}
	p.ctxt = ctxt;
	init_sax(ctxt->sax);
	ctxt->_private = &p;
	ctxt->userData = ctxt;
	if (charset &&
	    (forced_bom || !has_bom((const unsigned char *)data, len))) {
		const char *name =
			!strcmp(charset, "gb2312") ? "gb18030" : charset;

		handler = xmlFindCharEncodingHandler(name);
		if (handler) {
			xmlSwitchToEncoding(ctxt, handler);
			options |= XML_PARSE_IGNORE_ENC;
			feed->encoding = arena_strdup(p.a, name);
		}
	} else if (decode_as) {
		handler = xmlFindCharEncodingHandler(decode_as);
		if (handler) {
			xmlSwitchToEncoding(ctxt, handler);
			options |= XML_PARSE_IGNORE_ENC;
		}
	}
	if (!feed->encoding)
		feed->encoding = sniffed;
	xmlCtxtUseOptions(ctxt, options);
	ctxt->replaceEntities = 0;
	ctxt->loadsubset = 0;
	ctxt->validate = 0;

	if (*reader == FEED_XML_PUSH)
		xmlParseChunk(ctxt, data, (int)len, 1);
	else
		xmlParseDocument(ctxt);

	if (p.fatal) {
		rc = p.fatal;
		*reason = p.fatal_reason;
		if (p.root_name)
			*reason = "not a feed: the root element is not rss, "
				  "rdf:RDF or feed";
		goto out;
	}
	if (!feed->format) {
		rc = ST_PARSE;
		*reason = "no XML element found";
		goto out;
	}
	if (!ctxt->wellFormed) {
		feed->recovered = true;
		feed->error = p.error ? p.error : "ill-formed XML";
	}
out:
	if (ctxt) {
		/* libxml2 keeps declared entities in a document of its own
		 * ("SAX compatibility mode") even with a SAX handler. */
		if (ctxt->myDoc)
			xmlFreeDoc(ctxt->myDoc);
		ctxt->myDoc = NULL;
		xmlFreeParserCtxt(ctxt);
	}
	/* libxml2 hangs the raw text of a declaration on the entity that
	 * getEntity() returns for it. */
	for (e = p.entities; e; e = e->next)
		xmlFree(e->ent.orig);
	for (e = p.html_entities; e; e = e->next)
		xmlFree(e->ent.orig);
	free(p.stack);
	free(fixed);
	free(rewritten);
	buf_release(&p.text);
	return rc;
}
