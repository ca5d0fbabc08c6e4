/*
 * feed.h — the parsed model of a news feed, and the parser that builds it.
 *
 * feed_parse() reads RSS 0.90–2.0, RSS 1.0 (RDF), Atom 0.3/1.0 and JSON Feed
 * 1.0/1.1 from bytes (any encoding that a BOM, the XML declaration or the
 * HTTP charset names) into one format-neutral model. Everything in the model
 * lives in the feed's own arena: feed_free() releases it all at once, and no
 * pointer inside a struct feed may be kept after that.
 *
 * Text fields are NUL-terminated UTF-8 or NULL when absent. Titles are plain
 * text (markup removed, entities decoded); summary and content are HTML with
 * relative URLs left as they are (the sanitiser resolves them against the
 * item's link); link-like fields are absolute when a base was known (the
 * feed URL, then xml:base chains). Times are Unix seconds UTC, 0 when absent
 * or unparseable.
 *
 * Hostile input is expected: no external entity or DTD is ever loaded, the
 * nesting depth and the document size are capped, and a document declaring
 * entities that expand into other entities is rejected.
 */
#ifndef NEWSSTAND_FEED_FEED_H
#define NEWSSTAND_FEED_FEED_H

#include "common.h"

#include "base/arena.h"
#include "base/buf.h"

/* Largest document feed_parse() accepts, in bytes. */
#define FEED_MAX_SIZE (64u * 1024 * 1024)
/* Deepest element nesting accepted (libxml2's own default cap is 256). */
#define FEED_MAX_DEPTH 256
/* Most items kept from one document; later ones are dropped. */
#define FEED_MAX_ITEMS 50000

/* One enclosure (RSS <enclosure>, Atom rel="enclosure", JSON attachment). */
struct feed_enclosure {
	const char *url;  /* absolute when a base was known */
	const char *type; /* MIME type or NULL */
	int64_t length;	  /* bytes, 0 when unknown */
};

struct feed_item {
	const char *guid;     /* guid / atom:id / JSON id, or NULL */
	const char *title;    /* plain text */
	const char *link;     /* the alternate link */
	const char *summary;  /* HTML: description / summary */
	const char *content;  /* HTML: the richest body */
	const char **authors; /* author names, author_count of them */
	size_t author_count;  /* entries in authors */
	const char *byline;   /* the names joined with ", ", or NULL */
	int64_t published;    /* Unix seconds UTC, 0: none */
	int64_t updated;      /* Unix seconds UTC, 0: none */
	struct feed_enclosure *enclosures; /* enclosure_count of them */
	size_t enclosure_count;		   /* entries in enclosures */
	const char **categories;	   /* category terms/labels */
	size_t category_count;		   /* entries in categories */
	const char *image;		   /* the lead image URL, or NULL */
	const char *image_caption;	   /* media:description / media:title */
	const char *language;		   /* xml:lang / dc:language / JSON */
	const char *comments;		   /* the comments page URL */
};

struct feed {
	const char *format; /* "rss20", "atom10", "json11"… (see below) */
	const char *title;  /* plain text */
	const char *link;   /* the site's home page */
	const char *description; /* subtitle / tagline / description */
	const char *language;	 /* channel language */
	const char *image;	 /* logo / image URL */
	const char *author;	 /* the feed's author name, or NULL */
	const char *encoding;	 /* the character encoding used to decode */
	int64_t updated;	 /* Unix seconds UTC, 0: none */
	bool recovered;		 /* the input was ill-formed and repaired */
	const char *error;	 /* why it was ill-formed, or NULL */
	struct feed_item *items; /* item_count items, in document order */
	size_t item_count;	 /* entries in items */
	struct arena arena;	 /* owns everything above */
};

/*
 * Formats: "rss090", "rss091", "rss092", "rss093", "rss094", "rss20",
 * "rss10", "atom03", "atom10", "json10", "json11"; "rss" when an RSS version
 * is missing or unknown, "atom" likewise.
 */

/*
 * Parses len bytes of data. url is the document's own URL (the base for
 * relative links) or NULL; content_type is the HTTP Content-Type header or
 * NULL (its charset overrides the XML declaration). On ST_OK *out is a new
 * feed that the caller frees with feed_free(); ill-formed input that could
 * be repaired still gives ST_OK with recovered set. Errors: ST_TOOBIG (size,
 * entity expansion), ST_PARSE (not a feed, or nothing could be recovered),
 * ST_UNSUPPORTED (a format we do not read). Errors are not logged.
 */
enum status feed_parse(const char *data, size_t len, const char *url,
		       const char *content_type, struct feed **out) WARN_UNUSED;

/* Like feed_parse, but on failure *reason (when not NULL) gets a static
 * message saying why, for the user. */
enum status feed_parse_ex(const char *data, size_t len, const char *url,
			  const char *content_type, struct feed **out,
			  const char **reason) WARN_UNUSED;

/* Frees a feed and everything it owns; NULL is a no-op. */
void feed_free(struct feed *feed);

/*
 * Appends the JSON of `newsstand parse` to out:
 * {"format","title","link","language","recovered","error","items":[{"guid",
 * "title","link","published","updated","authors","summary","content",
 * "enclosures":[{"url","type","length"}],"categories"}]}; absent strings are
 * null, times are RFC 3339 UTC or null.
 */
void feed_to_json(const struct feed *feed, struct buf *out);

/*
 * Parses a date as feeds write them: RFC 822/1123 and their broken forms,
 * RFC 3339/W3CDTF/ISO 8601, asctime, and a few national forms (Korean,
 * Greek, Hungarian). *out gets Unix seconds UTC. ST_PARSE when the text is
 * not a date we can read with confidence: no guess is better than a wrong
 * one.
 */
enum status feed_date_parse(const char *s, int64_t *out) WARN_UNUSED;

/*
 * Turns an HTML fragment into plain text: tags removed, entities decoded,
 * whitespace collapsed. Returns a string in arena a.
 */
char *feed_html_to_text(struct arena *a, const char *html, size_t len);

/* Decodes HTML character references (&amp; &eacute; &#233; &#xe9;) in s
 * into a string in arena a; unknown references are kept as they are. */
char *feed_decode_entities(struct arena *a, const char *s, size_t len);

#endif
