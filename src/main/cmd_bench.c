/*
 * cmd_bench.c — `newsstand bench gen N`: fills a data directory with N
 * generated articles (50 publishers, the demo topics, stories of three or
 * four publishers each) for the web benchmarks (bench/web/run.sh). Not
 * meant for real sites; hidden from the command list.
 */
#include "common.h"

#include <math.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "html/sanitize.h"
#include "main/cli.h"
#include "main/commands.h"
#include "store/stories.h"
#include "store/store.h"

/* Also in main/commands.h for the command table. */
int cmd_bench(int argc, char **argv);

enum {
	PUBLISHERS = 50,
	BATCH = 5000,
	PARAGRAPHS = 5,
	WORDS = 60,
	VOCABULARY = 50000,
};

static const char usage[] =
	"newsstand bench gen N [--data-dir DIR]\n"
	"newsstand bench sanitize DIR [REPEAT]\n\n"
	"Generates N articles with stories into the data directory, for the\n"
	"web benchmarks.";

static const char *const words[] = {
	"harbour",  "council", "river",	   "market",   "storm",	    "vote",
	"school",   "ferry",   "budget",   "station",  "glacier",   "rail",
	"vaccine",  "stadium", "museum",   "orchard",  "satellite", "bridge",
	"minister", "valley",  "coast",	   "festival", "factory",   "library",
	"energy",   "forest",  "hospital", "airport",  "village",   "tunnel",
	"report",   "survey",  "season",   "island",   "canal",	    "summit",
	"the",	    "a",       "of",	   "and",      "in",	    "to",
	"was",	    "after",   "before",   "with",     "new",	    "old",
	"said",	    "plans",   "week",	   "years",    "people",    "city",
};

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

/*
 * Writes word number rank: the common words first, then made-up words of
 * syllables, so the text has a long tail like real text.
 */
static void
add_word(struct buf *b, size_t rank)
{
	static const char *const syllables[] = {
		"ka",  "lo",  "mer", "tan", "vi",   "dor", "sel",
		"bru", "nia", "pol", "ash", "reth", "qui", "ost",
		"lan", "fe",  "gar", "hil", "zen",  "umb"};

	if (rank < ARRAY_SIZE(words)) {
		buf_adds(b, words[rank]);
		return;
	}
	rank -= ARRAY_SIZE(words);
	do {
		buf_adds(b, syllables[rank % ARRAY_SIZE(syllables)]);
		rank /= ARRAY_SIZE(syllables);
	} while (rank);
}

/* count words drawn about as Zipf's law has it (log-uniform ranks). */
static void
add_words(struct buf *b, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		double u = (double)(next_random() >> 11) / 9007199254740992.0;

		if (i)
			buf_addc(b, ' ');
		add_word(b, (size_t)(exp(u * log((double)VOCABULARY))) - 1);
	}
	buf_addc(b, '.');
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

static enum status
generate(struct store *s, size_t count)
{
	int64_t pub_ids[PUBLISHERS], now = clock_now(), story_id = 0;
	struct buf body = BUF_INIT, text = BUF_INIT, teaser = BUF_INIT,
		   teaser_text = BUF_INIT, title = BUF_INIT, para = BUF_INIT;
	size_t i, p, in_story = 0, story_size = 0;
	enum status rc;

	rc = store_begin(s);
	if (rc)
		return rc;
	rc = make_catalogue(s, pub_ids);
	if (rc)
		goto fail;
	for (i = 0; i < count; i++) {
		struct article a = {0};
		enum article_put_result result;
		char url[96];

		buf_reset(&body);
		buf_reset(&text);
		buf_reset(&teaser);
		buf_reset(&teaser_text);
		buf_reset(&title);
		buf_addf(&title, "Report %zu: ", i);
		add_words(&title, 8);
		for (p = 0; p < PARAGRAPHS; p++) {
			buf_reset(&para);
			add_words(&para, WORDS);
			buf_addf(&body, "<p>%s</p>", para.data);
			buf_addf(&text, "%s%s", p ? "\n\n" : "", para.data);
			if (p == 0) {
				buf_addf(&teaser, "<p>%s</p>", para.data);
				buf_adds(&teaser_text, para.data);
			}
		}
		snprintf(url, sizeof(url), "https://bench.example/%zu", i);
		a.publisher_id = pub_ids[i % PUBLISHERS];
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
		a.topics = (char *)topics[i % ARRAY_SIZE(topics)];
		a.word_count = PARAGRAPHS * WORDS;
		/* Newest last, one every 30 seconds back from now. */
		a.published_at = now - (int64_t)(count - i) * 30;
		rc = store_article_put(s, &a, &result);
		if (rc)
			goto fail;
		/* Consecutive articles (different publishers) form stories
		 * of three or four. */
		if (in_story == story_size) {
			story_size = 3 + next_random() % 2;
			in_story = 0;
			rc = store_story_create(s, &a, 0, 1.0, &story_id);
		} else {
			rc = store_story_link(s, a.id, story_id, 0);
		}
		if (rc)
			goto fail;
		if (++in_story == story_size) {
			struct story_counts counts;

			rc = store_story_refresh(s, story_id, &counts);
			if (rc)
				goto fail;
			rc = store_story_set_score(
				s, story_id, (double)counts.publisher_count);
			if (rc)
				goto fail;
		}
		if ((i + 1) % BATCH == 0) {
			rc = store_commit(s);
			if (!rc)
				rc = store_begin(s);
			if (rc)
				goto fail;
			fprintf(stderr, "\r%zu articles", i + 1);
		}
	}
	rc = store_commit(s);
	fprintf(stderr, "\r%zu articles\n", count);
	goto out;
fail:
	store_rollback(s);
out:
	buf_release(&body);
	buf_release(&text);
	buf_release(&teaser);
	buf_release(&teaser_text);
	buf_release(&title);
	buf_release(&para);
	return rc;
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
