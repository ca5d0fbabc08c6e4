/*
 * internal.h — what the feed readers (xml.c, json.c) share with feed.c.
 * Not for use outside src/feed/.
 *
 * Every string handed to these helpers is copied into the feed's arena or
 * must already live there; nothing here takes ownership of malloc'd memory.
 */
#ifndef NEWSSTAND_FEED_INTERNAL_H
#define NEWSSTAND_FEED_INTERNAL_H

#include "common.h"

#include "feed/feed.h"

/* A new empty feed with its arena. */
struct feed *feed_new(void);

/* Appends an empty item and returns its index (items may move). */
size_t feed_add_item(struct feed *feed);
/* Appends to an item's arrays; the strings must live in the feed's arena. */
void feed_item_add_author(struct feed *feed, struct feed_item *item,
			  const char *name);
void feed_item_add_category(struct feed *feed, struct feed_item *item,
			    const char *term);
struct feed_enclosure *feed_item_add_enclosure(struct feed *feed,
					       struct feed_item *item);

/* Fills derived fields (bylines, lead images) once parsing is done. */
void feed_finish(struct feed *feed);

/*
 * Resolves ref against base into the arena. When that is impossible (no
 * base, relative ref) the trimmed ref itself is returned; NULL only for a
 * NULL ref.
 */
const char *feed_resolve(struct arena *a, const char *base, const char *ref);

/*
 * Returns html with the relative URLs of its href, src, poster, cite and
 * background attributes resolved against base; html itself when there is
 * nothing to change.
 */
const char *feed_resolve_html(struct arena *a, const char *html,
			      const char *base);

/* Trims ASCII whitespace and collapses inner runs into one space. */
char *feed_collapse_space(struct arena *a, const char *s, size_t len);

/* Escapes plain text as HTML into the arena. */
char *feed_text_to_html(struct arena *a, const char *s, size_t len);

/* Appends the UTF-8 encoding of code point cp (invalid ones as U+FFFD). */
void feed_add_utf8(struct buf *b, uint32_t cp);

/* Writes the UTF-8 encoding of cp, a valid code point, at o (room for four
 * bytes); returns the end. */
char *feed_put_utf8(char *o, uint32_t cp);

/* Decodes the character reference at s (after '&', up to len bytes) into
 * *cp; returns the bytes it used including the ';' when present, 0 if none. */
size_t feed_entity_ref(const char *s, size_t len, uint32_t *cp);

/*
 * libxml2's two ways of reading a document. They fill the model alike from a
 * well-formed document, but push hands a CDATA section over whole where pull
 * copies it a character at a time (feeds of CDATA bodies parse up to twice
 * as fast), and pull recovers more of a broken document. Pull is quicker
 * through plain text and text with few references; text dense with
 * references is given to push rewritten as CDATA (UTF-8 documents only).
 */
enum feed_xml_reader {
	FEED_XML_PUSH,
	FEED_XML_PULL,
};

/*
 * The largest document given to the push reader: it does not cap a CDATA
 * section at 10 MB as the pull reader does, and looks no further ahead
 * than 10 MB of input.
 */
#define FEED_XML_PUSH_MAX 10000000u

/* Tests set this to have xml.c rewrite every run of escaped markup it can
 * carry over exactly as CDATA, however sparse its references. */
extern bool feed_cdata_every_run;

/* Registers the single-byte character sets that charset.c decodes by table
 * with libxml2; once per process, before a document is read. */
void feed_charsets_init(void);

/*
 * Readers: fill feed from bytes; *reason gets a static message on error.
 * feed_parse_xml() is asked for a reader in *reader and leaves there the one
 * it used: asked for push, it still reads with pull a document that has no
 * CDATA section once its escaped markup is rewritten.
 */
enum status feed_parse_xml(struct feed *feed, const char *data, size_t len,
			   const char *url, const char *charset,
			   enum feed_xml_reader *reader,
			   const char **reason) WARN_UNUSED;
enum status feed_parse_json(struct feed *feed, const char *data, size_t len,
			    const char *url, const char **reason) WARN_UNUSED;

#endif
