/*
 * prepare.h — everything ingest needs from an article body, in one pass.
 *
 * html_prepare() gives the same bytes as the chain
 *
 *	html_sanitize(raw, base_url)		-> html
 *	html_to_text(html)			-> text
 *	html_teaser(html, teaser_chars)		-> teaser_html, truncated
 *	html_to_text(teaser_html)		-> teaser_text
 *
 * but reads the raw body once. While the sanitiser writes, it records the
 * tree that parsing its output gives back (the output is written so that it
 * does: see sanitize.h on idempotence), and the text and the teaser are
 * derived from that record instead of from new parses. The raw body is read
 * by a streaming tokenizer when it is simple, well-formed HTML (most feed
 * bodies are), and by gumbo otherwise (html/sanitize_int.h, html/fast.c);
 * the short teaser is sanitised again the same way.
 */
#ifndef NEWSSTAND_HTML_PREPARE_H
#define NEWSSTAND_HTML_PREPARE_H

#include "common.h"

#include "base/buf.h"

/* The results; owned by the struct, freed by html_prepared_release(). */
struct html_prepared {
	struct buf html;	/* the sanitised body */
	struct buf text;	/* its plain text */
	struct buf teaser_html; /* the teaser of the sanitised body */
	struct buf teaser_text; /* the plain text of teaser_html */
	bool truncated;		/* the teaser left something out */
	bool fast;		/* the body was read without gumbo */
};

enum html_prepare_mode {
	HTML_PREPARE_AUTO,  /* the tokenizer when it can, else gumbo */
	HTML_PREPARE_GUMBO, /* gumbo only */
	HTML_PREPARE_FAST,  /* the tokenizer only for the body: ST_UNSUPPORTED
			       when it cannot read it */
};

/*
 * Prepares len bytes of raw (may be NULL when len is 0), resolving relative
 * URLs against base_url (may be NULL); teaser_chars is html_teaser()'s
 * max_chars. out is overwritten: it needs no initialisation, and must be
 * released with html_prepared_release() whatever the result.
 */
enum status html_prepare(const char *raw, size_t len, const char *base_url,
			 size_t teaser_chars,
			 struct html_prepared *out) WARN_UNUSED;
enum status html_prepare_as(const char *raw, size_t len, const char *base_url,
			    size_t teaser_chars, enum html_prepare_mode mode,
			    struct html_prepared *out) WARN_UNUSED;

void html_prepared_release(struct html_prepared *p);

/* For `newsstand bench prepare`: which way to prepare the bodies. */
enum html_bench_way {
	HTML_BENCH_CHAIN, /* the four-parse chain html_prepare() replaced */
	HTML_BENCH_GUMBO, /* html_prepare() with gumbo only */
	HTML_BENCH_AUTO,  /* html_prepare() as ingest calls it */
};

/*
 * Prepares each of the n NUL-terminated bodies repeat times (teaser of 600
 * characters) and gives the CPU seconds the process spent, and how many
 * bodies took the tokenizer path.
 */
enum status html_prepare_bench(const char *const *bodies, size_t n,
			       unsigned repeat, enum html_bench_way way,
			       double *cpu_seconds, size_t *fast) WARN_UNUSED;

/* Appends a body shaped like bench/ingest.sh's (~2 KB of <p> paragraphs). */
void html_bench_body(struct buf *b, unsigned seed);

#endif
