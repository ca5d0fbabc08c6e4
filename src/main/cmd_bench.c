/*
 * cmd_bench.c — `newsstand bench gen N`: fills a data directory with N
 * generated articles (50 publishers, the demo topics, events covered by
 * three or four publishers each, text with Zipf's word frequencies over a
 * long vocabulary and the names of each event) for the web benchmarks
 * (bench/web/run.sh). Not meant for real sites; hidden from the command
 * list.
 */
#include "common.h"

#include <ctype.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "feed/feed.h"
#include "html/prepare.h"
#include "html/sanitize.h"
#include "main/cli.h"
#include "main/commands.h"
#include "store/stories.h"
#include "store/store.h"

/* Also in main/commands.h for the command table. */
int cmd_bench(int argc, char **argv);

enum {
	PUBLISHERS = 50,
	BATCH = 50000,	      /* articles per transaction */
	PARAGRAPHS = 5,	      /* of a body */
	WORDS = 60,	      /* of a paragraph */
	VOCABULARY = 200000,  /* distinct words of the text */
	NAMES = 60000,	      /* distinct names (people, places) */
	STORY_NAMES = 4,      /* names an event is about */
	STORY_WORDS = 6,      /* words every article of an event uses */
	NEIGHBOUR_STORIES = 2 /* earlier events of a topic linked as related */
};

static const char usage[] =
	"newsstand bench gen N [--data-dir DIR]\n"
	"newsstand bench sanitize DIR [REPEAT]\n\n"
	"Generates N articles with stories into the data directory, for the\n"
	"web benchmarks.";

/* The most frequent words of English news text, most frequent first. */
static const char *const words[] = {
	"the",	 "of",	 "and",	  "to",	   "a",	    "in",    "that",   "is",
	"for",	 "on",	 "it",	  "was",   "said",  "with",  "he",     "as",
	"at",	 "by",	 "his",	  "from",  "be",    "have",  "has",    "are",
	"an",	 "they", "not",	  "but",   "this",  "had",   "were",   "who",
	"their", "been", "will",  "which", "she",   "after", "her",    "would",
	"its",	 "one",	 "new",	  "more",  "there", "two",   "people", "about",
	"year",	 "we",	 "also",  "than",  "first", "up",    "could",  "over",
	"last",	 "into", "years", "time",
};

/*
 * Words of news, each as often as a word of rank NEWS_FIRST + k *
 * NEWS_STEP: "council" about 1 in 5,000 words, "harbour" 1 in 25,000.
 */
enum { NEWS_FIRST = 400, NEWS_STEP = 60 };
static const char *const news_words[] = {
	"council",   "government", "police",  "city",	 "state",
	"minister",  "market",	   "school",  "report",	 "hospital",
	"budget",    "vote",	   "river",   "storm",	 "station",
	"energy",    "coast",	   "village", "airport", "bridge",
	"festival",  "plans",	   "harbour", "ferry",	 "glacier",
	"rail",	     "vaccine",	   "stadium", "museum",	 "orchard",
	"satellite", "valley",	   "factory", "library", "forest",
	"tunnel",    "survey",	   "season",  "island",	 "canal",
	"summit",    "week",
};

static const char *const syllables[] = {
	"ka",  "lo",   "mer", "tan", "vi",  "dor", "sel", "bru", "nia", "pol",
	"ash", "reth", "qui", "ost", "lan", "fe",  "gar", "hil", "zen", "umb",
	"cor", "das",  "eli", "fon", "gri", "hav", "ist", "jon", "kel", "mur"};

static const char *const topics[] = {"world",	   "politics", "business",
				     "technology", "science",  "health",
				     "sport",	   "culture",  "climate"};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
next_uniform(void)
{
	return (double)(next_random() >> 11) / 9007199254740992.0;
}

/* A made-up word of syllables for a number (distinct numbers, words). */
static void
add_made_up(struct buf *b, size_t n, bool capital)
{
	size_t start = b->len;

	do {
		buf_adds(b, syllables[n % ARRAY_SIZE(syllables)]);
		n /= ARRAY_SIZE(syllables);
	} while (n);
	if (capital && b->len > start && !b->err)
		b->data[start] = (char)(b->data[start] - 'a' + 'A');
}

/* Word number rank: the common words, then made-up ones. */
static void
add_word(struct buf *b, size_t rank)
{
	if (rank < ARRAY_SIZE(words)) {
		buf_adds(b, words[rank]);
		return;
	}
	if (rank >= NEWS_FIRST && (rank - NEWS_FIRST) % NEWS_STEP == 0 &&
	    (rank - NEWS_FIRST) / NEWS_STEP < ARRAY_SIZE(news_words)) {
		buf_adds(b, news_words[(rank - NEWS_FIRST) / NEWS_STEP]);
		return;
	}
	add_made_up(b, rank - ARRAY_SIZE(words) + ARRAY_SIZE(syllables), false);
}

/* Name number n: two syllable words, capitalised ("Kalo Merdor"). */
static void
add_name(struct buf *b, size_t n)
{
	add_made_up(b, n % 900 + 30, true);
	buf_addc(b, ' ');
	add_made_up(b, n / 900 + 930, true);
}

/* Zipf's law over the vocabulary (s = 1): cumulative weights by rank,
 * and for each of ZIPF_GUIDE equal slices of [0, 1) the first rank whose
 * weight reaches it, where the binary search starts. */
enum { ZIPF_GUIDE = 1 << 16 };
static double *zipf_cdf;
static uint32_t *zipf_guide;

static void
zipf_init(void)
{
	double sum = 0;
	size_t r, slice;

	zipf_cdf = xmallocarray(VOCABULARY, sizeof(*zipf_cdf));
	for (r = 0; r < VOCABULARY; r++) {
		sum += 1.0 / (double)(r + 1);
		zipf_cdf[r] = sum;
	}
	for (r = 0; r < VOCABULARY; r++)
		zipf_cdf[r] /= sum;
	zipf_guide = xmallocarray(ZIPF_GUIDE + 1, sizeof(*zipf_guide));
	for (r = 0, slice = 0; slice <= ZIPF_GUIDE; slice++) {
		while (r < VOCABULARY - 1 &&
		       zipf_cdf[r] < (double)slice / ZIPF_GUIDE)
			r++;
		zipf_guide[slice] = (uint32_t)r;
	}
}

static size_t
zipf_rank(void)
{
	double u = next_uniform();
	size_t slice = (size_t)(u * ZIPF_GUIDE);
	size_t lo = zipf_guide[slice], hi = zipf_guide[slice + 1];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (zipf_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* What every article about one event shares. */
struct event {
	size_t names[STORY_NAMES]; /* who and where */
	size_t words[STORY_WORDS]; /* what (ranks of less common words) */
	size_t topic;		   /* index into topics[] */
};

static void
event_init(struct event *e)
{
	size_t i;

	for (i = 0; i < STORY_NAMES; i++)
		e->names[i] = next_random() % NAMES;
	for (i = 0; i < STORY_WORDS; i++)
		e->words[i] = 100 + next_random() % 20000;
	e->topic = next_random() % ARRAY_SIZE(topics);
}

/*
 * count words of text: mostly Zipf-distributed words, with the event's
 * names and words now and then, as a report on it would have.
 */
static void
add_text(struct buf *b, const struct event *e, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		uint64_t r = next_random() % 100;

		if (i)
			buf_addc(b, ' ');
		if (r < 4)
			add_name(b, e->names[r % STORY_NAMES]);
		else if (r < 8)
			add_word(b, e->words[r % STORY_WORDS]);
		else
			add_word(b, zipf_rank());
	}
	buf_addc(b, '.');
}

/* A title: a name, then words of the event and a few others. */
static void
add_title(struct buf *b, const struct event *e)
{
	size_t i;

	add_name(b, e->names[next_random() % STORY_NAMES]);
	for (i = 0; i < 6; i++) {
		buf_addc(b, ' ');
		if (i % 2 == 0)
			add_word(b, e->words[next_random() % STORY_WORDS]);
		else
			add_word(b, 60 + zipf_rank() % 20000);
	}
}

static enum status
make_catalogue(struct store *s, int64_t *pub_ids)
{
	size_t i;
	enum status rc;

	for (i = 0; i < ARRAY_SIZE(topics); i++) {
		struct topic t = {0};
		char name[32];

		snprintf(name, sizeof(name), "%s", topics[i]);
		name[0] = (char)(name[0] - 'a' + 'A');
		t.slug = (char *)topics[i];
		t.name = name;
		rc = store_topic_put(s, &t);
		if (rc)
			return rc;
	}
	for (i = 0; i < PUBLISHERS; i++) {
		struct publisher p = {0};
		char slug[32], name[48];

		snprintf(slug, sizeof(slug), "bench-%02zu", i);
		snprintf(name, sizeof(name), "Bench Post %02zu", i);
		p.slug = slug;
		p.name = name;
		p.description = (char *)"A generated publisher.";
		p.homepage = (char *)"https://bench.example/";
		p.language = (char *)"en";
		rc = store_publisher_put(s, &p);
		if (rc)
			return rc;
		pub_ids[i] = p.id;
	}
	return ST_OK;
}

/* The articles of the last events of one topic, for related lists. */
struct topic_recent {
	int64_t ids[NEIGHBOUR_STORIES][4]; /* per event, its articles */
	size_t counts[NEIGHBOUR_STORIES];  /* articles per event */
	size_t next;			   /* the slot the next event takes */
};

/*
 * Records the article's neighbours: the articles of the last events of
 * its topic. Ingest finds neighbours by text similarity when it clusters
 * (rank_assign_story()); the generator, whose events share no words by
 * design, links the nearest events of a topic instead, so that the
 * related lists have the shape (and cost) they have on a real site.
 */
static enum status
link_neighbours(struct store *s, int64_t id, const struct topic_recent *t)
{
	size_t e, k;
	enum status rc;

	for (e = 0; e < NEIGHBOUR_STORIES; e++)
		for (k = 0; k < t->counts[e]; k++) {
			rc = store_neighbours_add(s, id, t->ids[e][k],
						  0.1 + 0.01 * (double)k);
			if (rc)
				return rc;
		}
	return ST_OK;
}

static enum status
generate(struct store *s, size_t count)
{
	int64_t pub_ids[PUBLISHERS], now = clock_now(), story_id = 0;
	int64_t story_ids[4];
	struct buf body = BUF_INIT, text = BUF_INIT, teaser = BUF_INIT,
		   teaser_text = BUF_INIT, title = BUF_INIT, para = BUF_INIT;
	struct topic_recent *recent;
	struct event ev = {0};
	size_t i, p, in_story = 0, story_size = 0, first_pub = 0;
	int64_t started = clock_mono_ms();
	enum status rc;

	zipf_init();
	recent = xcalloc(ARRAY_SIZE(topics), sizeof(*recent));
	rc = store_bulk_load(s, true);
	if (!rc)
		rc = store_begin(s);
	if (rc)
		goto out;
	rc = make_catalogue(s, pub_ids);
	if (rc)
		goto fail;
	for (i = 0; i < count; i++) {
		struct article a = {0};
		enum article_put_result result;
		char url[96];

		if (in_story == story_size) {
			/* A new event, covered by three or four publishers. */
			story_size = 3 + next_random() % 2;
			in_story = 0;
			first_pub = next_random() % PUBLISHERS;
			event_init(&ev);
		}
		buf_reset(&body);
		buf_reset(&text);
		buf_reset(&teaser);
		buf_reset(&teaser_text);
		buf_reset(&title);
		add_title(&title, &ev);
		for (p = 0; p < PARAGRAPHS; p++) {
			buf_reset(&para);
			add_text(&para, &ev, WORDS);
			para.data[0] =
				(char)toupper((unsigned char)para.data[0]);
			buf_addf(&body, "<p>%s</p>", para.data);
			buf_addf(&text, "%s%s", p ? "\n\n" : "", para.data);
			if (p == 0) {
				buf_addf(&teaser, "<p>%s</p>", para.data);
				buf_adds(&teaser_text, para.data);
			}
		}
		snprintf(url, sizeof(url), "https://bench.example/%zu", i);
		a.publisher_id =
			pub_ids[(first_pub + in_story * 7) % PUBLISHERS];
		a.url = url;
		a.guid = url;
		a.title = title.data;
		a.byline = (char *)"Bench Writer";
		a.summary = teaser_text.data;
		a.body_html = body.data;
		a.body_text = text.data;
		a.teaser_html = teaser.data;
		a.teaser_text = teaser_text.data;
		a.language = (char *)"en";
		a.topics = (char *)topics[ev.topic];
		a.word_count = PARAGRAPHS * WORDS;
		/* Newest last, one every 30 seconds back from now. */
		a.published_at = now - (int64_t)(count - i) * 30;
		rc = store_article_put(s, &a, &result);
		if (rc)
			goto fail;
		/* A stand-in for the simhash (bench articles are no copies). */
		a.fingerprint = next_random() | 1;
		if (in_story == 0)
			rc = store_story_create(s, &a, a.fingerprint, 1.0,
						&story_id);
		else
			rc = store_story_link(s, a.id, story_id, a.fingerprint);
		if (!rc)
			rc = link_neighbours(s, a.id, &recent[ev.topic]);
		if (rc)
			goto fail;
		story_ids[in_story] = a.id;
		if (++in_story == story_size) {
			struct story_counts counts;
			struct topic_recent *t = &recent[ev.topic];

			rc = store_story_refresh(s, story_id, &counts);
			if (rc)
				goto fail;
			rc = store_story_set_score(
				s, story_id,
				(double)(counts.publisher_count *
					 counts.publisher_count));
			if (rc)
				goto fail;
			memcpy(t->ids[t->next], story_ids, sizeof(story_ids));
			t->counts[t->next] = story_size;
			t->next = (t->next + 1) % NEIGHBOUR_STORIES;
		}
		if ((i + 1) % BATCH == 0) {
			rc = store_content_bump(s);
			if (!rc)
				rc = store_commit(s);
			if (!rc)
				rc = store_begin(s);
			if (rc)
				goto fail;
			fprintf(stderr, "\r%zu articles, %.0f s", i + 1,
				(double)(clock_mono_ms() - started) / 1000.0);
		}
	}
	rc = store_content_bump(s);
	if (!rc)
		rc = store_commit(s);
	fprintf(stderr, "\r%zu articles, %.0f s\n", count,
		(double)(clock_mono_ms() - started) / 1000.0);
	/* One pass merges the index into a single segment. */
	if (!rc)
		rc = store_bulk_load(s, false);
	fprintf(stderr, "search index merged, %.0f s\n",
		(double)(clock_mono_ms() - started) / 1000.0);
	goto out;
fail:
	store_rollback(s);
	if (store_bulk_load(s, false))
		log_error(ST_DB, "bench: search index settings not restored");
out:
	buf_release(&body);
	buf_release(&text);
	buf_release(&teaser);
	buf_release(&teaser_text);
	buf_release(&title);
	buf_release(&para);
	free(recent);
	free(zipf_cdf);
	zipf_cdf = NULL;
	free(zipf_guide);
	zipf_guide = NULL;
	return rc;
}

/*
 * `bench prepare [FEED...]` (not in the usage: for docs/benchmarks): CPU per
 * article body of the html_prepare() ways, over the items of the given feed
 * files, or over bodies shaped like bench/ingest.sh's when none is given.
 */
static int
bench_prepare(int n, char **files)
{
	static const char *const ways[] = {"chain (4 parses)", "gumbo, once",
					   "auto (tokenizer first)"};
	struct feed *doc;
	char **bodies = NULL;
	size_t count = 0, cap = 0, bytes = 0, i;
	unsigned repeat, w;
	int k;

	for (k = 0; k < n; k++) {
		FILE *fp = fopen(files[k], "rb");
		struct buf b = BUF_INIT;
		char chunk[65536];
		size_t got;

		if (!fp)
			continue;
		while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
			buf_add(&b, chunk, got);
		fclose(fp);
		if (feed_parse(b.data, b.len, NULL, NULL, &doc) == ST_OK) {
			for (i = 0; i < doc->item_count; i++) {
				const struct feed_item *it = &doc->items[i];
				const char *body =
					it->content ? it->content : it->summary;

				if (!body || !*body)
					continue;
				if (count == cap) {
					cap = cap ? 2 * cap : 256;
					bodies = xreallocarray(bodies, cap,
							       sizeof(*bodies));
				}
				bodies[count++] = xstrdup(body);
			}
			feed_free(doc);
		}
		buf_release(&b);
	}
	if (n == 0) {
		cap = count = 200;
		bodies = xmallocarray(cap, sizeof(*bodies));
		for (i = 0; i < count; i++) {
			struct buf b = BUF_INIT;

			html_bench_body(&b, (unsigned)i + 1);
			bodies[i] = buf_detach(&b, NULL);
		}
	}
	if (count == 0)
		return cli_usage_error("bench", "no article bodies found");
	for (i = 0; i < count; i++)
		bytes += strlen(bodies[i]);
	repeat = (unsigned)MAX(1, 3000 / count);
	printf("%zu bodies, %.0f bytes on average, %u rounds\n", count,
	       (double)bytes / (double)count, repeat);
	for (w = 0; w < ARRAY_SIZE(ways); w++) {
		double cpu = 0;
		size_t fast = 0;

		if (html_prepare_bench((const char *const *)bodies, count,
				       repeat, (enum html_bench_way)w, &cpu,
				       &fast))
			return EXIT_FAIL;
		printf("%-24s %8.1f us CPU per body, %zu (%.0f%%) by the "
		       "tokenizer\n",
		       ways[w], cpu * 1e6 / (double)(count * repeat), fast,
		       100.0 * (double)fast / (double)count);
	}
	for (i = 0; i < count; i++)
		free(bodies[i]);
	free(bodies);
	return EXIT_OK;
}

int
cmd_bench(int argc, char **argv)
{
	const struct cli_option opts[] = {
		CLI_DATA_DIR,
		CLI_END,
	};
	struct store *s = NULL;
	int64_t count;
	int nargs, rc;

	rc = cli_parse(argc, argv, usage, opts, &nargs);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (nargs >= 1 && !strcmp(argv[1], "prepare"))
		return bench_prepare(nargs - 1, argv + 2);
	if (nargs >= 2 && !strcmp(argv[1], "sanitize")) {
		size_t bytes = 0;
		double seconds = 0;
		int64_t repeat = 1;

		if (nargs > 3 ||
		    (nargs == 3 && !cli_parse_id(argv[3], &repeat)))
			return cli_usage_error("bench", "usage: bench sanitize "
							"DIR [REPEAT]");
		if (sanitize_bench(argv[2], (unsigned)repeat, &bytes, &seconds))
			return EXIT_FAIL;
		printf("sanitised %zu bytes in %.3f s: %.1f MB/s\n", bytes,
		       seconds,
		       seconds > 0 ? (double)bytes / seconds / 1e6 : 0);
		return EXIT_OK;
	}
	if (nargs != 2 || strcmp(argv[1], "gen") ||
	    !cli_parse_id(argv[2], &count))
		return cli_usage_error("bench", "usage: bench gen N | bench "
						"sanitize DIR [REPEAT]");
	if (store_open(config.data_dir, STORE_WRITE, 0, &s))
		return EXIT_FAIL;
	rc = generate(s, (size_t)count) ? EXIT_FAIL : EXIT_OK;
	store_close(s);
	return rc;
}
