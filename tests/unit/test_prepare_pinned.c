/*
 * test_prepare_pinned.c — the whole output of a worker's preparation of an
 * article, pinned: for every input, the five results of html_prepare()
 * (four teaser lengths), what ingest_prepare_body() stores (HTML, text,
 * teaser, teaser text, word count, content hash), the summary taken from
 * the body, and the clustering features of the text (their stored blob and
 * fingerprint) go into one BLAKE2b digest per corpus, compared with the
 * digest the code gave when it was pinned. Any change of a byte of output
 * changes a digest; a change meant to alter the output must pin anew, and
 * bump PREPARE_VERSION (src/ingest/pipeline.c), which the feeds' item
 * digests include.
 *
 * Inputs: the sanitizer vectors, the item bodies of the feed corpora, the
 * readability pages (expected and source), and bodies generated like
 * bench/refresh.sh's (one paragraph of 220 words from 15) and
 * bench/ingest.sh's (paragraphs of 40 words of a Zipf-like vocabulary).
 *
 * NEWSSTAND_PIN_DUMP=<file> appends one line per input (its digest and
 * label) to that file, to find which inputs differ between two builds.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <sodium.h>

#include "base/config.h"
#include "feed/feed.h"
#include "html/prepare.h"
#include "ingest/ingest.h"
#include "ingest/internal.h"
#include "rank/rank.h"
#include "support/testutil.h"

#define BASE "https://news.example/dir/page.html"

struct pin {
	crypto_generichash_state all; /* the corpus's digest */
	size_t inputs;		      /* inputs digested */
	FILE *dump;		      /* per-input digests, or NULL */
};

static void
pin_setup(void)
{
	config_defaults();
	cr_assert_eq(config_set("log_level", "error", "test"), ST_OK);
	cr_assert_geq(sodium_init(), 0);
}

static void
pin_teardown(void)
{
	config_free();
}

TestSuite(prepare_pinned, .init = pin_setup, .fini = pin_teardown);

static void
pin_begin(struct pin *p)
{
	const char *dump = getenv("NEWSSTAND_PIN_DUMP");

	memset(p, 0, sizeof(*p));
	crypto_generichash_init(&p->all, NULL, 0, 16);
	p->dump = dump && *dump ? fopen(dump, "a") : NULL;
}

static void
absorb(crypto_generichash_state *h, const void *data, size_t len)
{
	uint64_t n = len;

	crypto_generichash_update(h, (const unsigned char *)&n, sizeof(n));
	if (len)
		crypto_generichash_update(h, data, len);
}

static void
absorb_s(crypto_generichash_state *h, const char *s)
{
	if (!s)
		absorb(h, "\xff(null)", 7);
	else
		absorb(h, s, strlen(s));
}

static void
absorb_u64(crypto_generichash_state *h, uint64_t v)
{
	absorb(h, &v, sizeof(v));
}

static const char *const titles[] = {
	"Council approves the harbour budget after a long night",
	"",
	"Storm floods the river market; 41.2 mm in an hour",
	"Tomás Okafor's team wins the league",
};

/* Digests everything a worker makes of one body. */
static void
pin_input(struct pin *p, const char *raw, size_t len, const char *label)
{
	static const size_t tcs[] = {600, 120, 2000, 45};
	crypto_generichash_state one;
	unsigned char d[16];
	struct html_prepared hp;
	struct article a;
	struct rank_features f;
	struct buf blob = BUF_INIT;
	enum status rc;
	size_t i;

	crypto_generichash_init(&one, NULL, 0, sizeof(d));
	for (i = 0; i < ARRAY_SIZE(tcs); i++) {
		rc = html_prepare(raw, len, BASE, tcs[i], &hp);
		absorb_u64(&one, (uint64_t)rc);
		if (!rc) {
			absorb(&one, hp.html.data, hp.html.len);
			absorb(&one, hp.text.data, hp.text.len);
			absorb(&one, hp.teaser_html.data, hp.teaser_html.len);
			absorb(&one, hp.teaser_text.data, hp.teaser_text.len);
			absorb_u64(&one, hp.truncated);
		}
		html_prepared_release(&hp);
	}

	memset(&a, 0, sizeof(a));
	a.url = xstrdup(BASE);
	a.title = xstrdup(titles[p->inputs % ARRAY_SIZE(titles)]);
	rc = ingest_prepare_body(&a, raw);
	absorb_u64(&one, (uint64_t)rc);
	if (!rc) {
		absorb_s(&one, a.body_html);
		absorb_s(&one, a.body_text);
		absorb_s(&one, a.teaser_html);
		absorb_s(&one, a.teaser_text);
		absorb_s(&one, a.content_hash);
		absorb_u64(&one, (uint64_t)a.word_count);
		ingest_summary_from_body(&a);
		absorb_s(&one, a.summary);
		rank_features_init(&f);
		rank_features_build(&f, a.title, a.body_text);
		rank_features_encode(&f, &blob);
		cr_assert_eq(blob.err, ST_OK);
		absorb(&one, blob.data, blob.len);
		absorb_u64(&one, f.fingerprint);
		rank_features_release(&f);
	}
	buf_release(&blob);
	article_release(&a);

	crypto_generichash_final(&one, d, sizeof(d));
	crypto_generichash_update(&p->all, d, sizeof(d));
	p->inputs++;
	if (p->dump) {
		char hex[sizeof(d) * 2 + 1];

		sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
		fprintf(p->dump, "%s %zu %s\n", hex, p->inputs, label);
	}
}

static void
pin_end(struct pin *p, const char *name, const char *want, size_t min_inputs)
{
	unsigned char d[16];
	char hex[sizeof(d) * 2 + 1];

	crypto_generichash_final(&p->all, d, sizeof(d));
	sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
	if (p->dump)
		fclose(p->dump);
	fprintf(stderr, "prepare_pinned: %-22s %6zu inputs, digest %s\n", name,
		p->inputs, hex);
	cr_assert_geq(p->inputs, min_inputs, "%s: only %zu inputs", name,
		      p->inputs);
	/* Feeds keep digests of the items they stored, and an item whose
	 * digest is known is not prepared again: output meant to change
	 * must come with a new PREPARE_VERSION, or stored items keep the
	 * old one until their feed changes them. */
	cr_assert_str_eq(hex, want,
			 "%s: the output changed; if that is meant, bump "
			 "PREPARE_VERSION in src/ingest/pipeline.c and pin "
			 "the new digest",
			 name);
}

/* --- generated bodies ---------------------------------------------------- */

static uint32_t
lcg(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

/* Like bench/refresh.sh: one <p> of 220 words from 15. */
static void
refresh_body(struct buf *b, uint32_t seed)
{
	static const char *const words[] = {
		"river",  "market", "council", "energy", "school",
		"vote",	  "union",  "vaccine", "orbit",	 "museum",
		"league", "rates",  "grain",   "bridge", "flood",
	};
	size_t k;

	buf_adds(b, "<p>");
	for (k = 0; k < 220; k++) {
		if (k)
			buf_addc(b, ' ');
		buf_adds(b, words[lcg(&seed) % ARRAY_SIZE(words)]);
	}
	buf_adds(b, "</p>");
}

enum { VOCAB = 4000 };

/* Like bench/ingest.sh: <p> paragraphs of 40 words (Zipf-like), ~2 KB. */
static void
ingest_body(struct buf *b, char (*vocab)[12], const double *cum, uint32_t seed)
{
	size_t size = 0;

	while (size < 2000) {
		size_t start = b->len, k;

		buf_adds(b, "<p>");
		for (k = 0; k < 40; k++) {
			double x = (double)(lcg(&seed) % 1000000) / 1e6 *
				   cum[VOCAB - 1];
			size_t lo = 0, hi = VOCAB - 1;

			while (lo < hi) {
				size_t mid = (lo + hi) / 2;

				if (cum[mid] < x)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (k)
				buf_addc(b, ' ');
			buf_adds(b, vocab[lo]);
		}
		b->data[start + 3] = (char)(b->data[start + 3] - 'a' + 'A');
		buf_adds(b, ".</p>");
		size += b->len - start - 7;
	}
}

Test(prepare_pinned, generated, .timeout = 120)
{
	static char vocab[VOCAB][12];
	static double cum[VOCAB];
	static const char letters[] = "etaoinshrdlcumwfgypbvk";
	struct pin p;
	struct buf b = BUF_INIT;
	uint32_t seed = 7;
	size_t i, k;

	for (i = 0; i < VOCAB; i++) {
		size_t n = 3 + lcg(&seed) % 8;

		for (k = 0; k < n; k++)
			vocab[i][k] =
				letters[lcg(&seed) % (sizeof(letters) - 1)];
		vocab[i][n] = '\0';
		cum[i] = (i ? cum[i - 1] : 0) + 1.0 / (double)(i + 1);
	}
	pin_begin(&p);
	for (i = 0; i < 300; i++) {
		buf_reset(&b);
		refresh_body(&b, (uint32_t)i);
		pin_input(&p, b.data, b.len, "refresh");
		buf_reset(&b);
		ingest_body(&b, vocab, cum, (uint32_t)i * 7919u);
		pin_input(&p, b.data, b.len, "ingest");
		buf_reset(&b);
		html_bench_body(&b, (unsigned)i);
		pin_input(&p, b.data, b.len, "bench");
	}
	buf_release(&b);
	pin_end(&p, "generated", "2bae87d03514f2fe2d14daac3170e55b", 900);
}

/* --- corpora ------------------------------------------------------------- */

/* Pins one sanitizer vector's input. */
static void
pin_vector(json_t *row, void *ctx)
{
	json_t *in;

	cr_assert_not_null(row);
	in = json_object_get(row, "input");
	if (json_string_value(in))
		pin_input(ctx, json_string_value(in), json_string_length(in),
			  "vector");
}

Test(prepare_pinned, sanitizer_vectors, .timeout = 120)
{
	struct pin p;

	pin_begin(&p);
	if (test_corpus_rows("sanitizer/vectors.jsonl", pin_vector, &p) < 0)
		cr_skip_test("sanitizer corpus not found (../shared/corpora)");
	pin_end(&p, "sanitizer vectors", "abe0c0bde05ff41eeb4772a531f258b2",
		1000);
}

/* Pins an item's content and summary. */
static void
pin_item(const struct feed_item *it, const char *path, void *ctx)
{
	if (it->content && *it->content)
		pin_input(ctx, it->content, strlen(it->content), path);
	if (it->summary && *it->summary)
		pin_input(ctx, it->summary, strlen(it->summary), path);
}

/* The corpus's files in a fixed order (readdir's is not). */
static void
feed_corpus(const char *sub, const char *want, size_t min_inputs)
{
	char *dir = test_corpus(sub);
	struct pin p;
	char cmd[4200];
	FILE *ls;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!dir)
		cr_skip_test("%s corpus not found (../shared/corpora)", sub);
	snprintf(cmd, sizeof(cmd), "find '%s' -type f | LC_ALL=C sort", dir);
	free(dir);
	ls = popen(cmd, "r");
	cr_assert_not_null(ls);
	pin_begin(&p);
	while ((n = getline(&line, &cap, ls)) > 0) {
		line[n - 1] = '\0';
		test_feed_items(line, pin_item, &p);
	}
	free(line);
	cr_assert_eq(pclose(ls), 0);
	pin_end(&p, sub, want, min_inputs);
}

Test(prepare_pinned, feedparser_bodies, .timeout = 240)
{
	feed_corpus("feedparser", "28d62928c5a594786422773a97dd0e40", 500);
}

Test(prepare_pinned, gofeed_bodies, .timeout = 240)
{
	feed_corpus("gofeed", "9e780041f1cf1bf9a000c89b1a3ca3da", 50);
}

Test(prepare_pinned, miniflux_bodies, .timeout = 240)
{
	feed_corpus("miniflux", "d20b5f4d8dc7efe1544da3d5bf47c18a", 200);
}

Test(prepare_pinned, newsboat_bodies, .timeout = 240)
{
	feed_corpus("newsboat", "eaaa83d9880c8fe044f8531bfb88f018", 40);
}

Test(prepare_pinned, feedvalidator_bodies, .timeout = 240)
{
	feed_corpus("feedvalidator", "fe76940ba2aed7a938319a48f57c7250", 800);
}

Test(prepare_pinned, readability_pages, .timeout = 300)
{
	char *dir = test_corpus("readability/test/test-pages");
	static const char *const files[] = {"expected.html", "source.html"};
	struct pin p;
	struct dirent **names = NULL;
	int count, i;

	if (!dir)
		cr_skip_test(
			"readability corpus not found (../shared/corpora)");
	count = scandir(dir, &names, NULL, alphasort);
	cr_assert_geq(count, 0);
	pin_begin(&p);
	for (i = 0; i < count; i++) {
		size_t k;

		for (k = 0; k < ARRAY_SIZE(files); k++) {
			char path[4096];
			size_t len;
			char *page;

			if (names[i]->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s", dir,
				 names[i]->d_name, files[k]);
			page = test_read_file(path, &len);
			if (page) {
				pin_input(&p, page, len, path);
				free(page);
			}
		}
		free(names[i]);
	}
	free(names);
	free(dir);
	pin_end(&p, "readability pages", "9755ba625177a6d3982e4f19fa6a2654",
		200);
}
