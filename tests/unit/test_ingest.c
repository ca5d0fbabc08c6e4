#include "common.h"

#include <criterion/criterion.h>
#include <sys/resource.h>

#include "base/clock.h"
#include "base/config.h"
#include "feed/feed.h"
#include "fetch/fetch.h"
#include "ingest/demo.h"
#include "ingest/ingest.h"
#include "ingest/internal.h"
#include "rank/rank.h"
#include "support/fixture_server.h"
#include "support/testutil.h"

static char *dir;
static struct store *db;
static int64_t publisher_id;

static void
setup(void)
{
	struct publisher p = {.slug = (char *)"pub", .name = (char *)"Pub"};
	struct topic t = {.slug = (char *)"science", .name = (char *)"Science"};

	config_defaults();
	cr_assert_eq(config_set("log_level", "error", "test"), ST_OK);
	cr_assert_eq(config_set("fetch_allow", "127.0.0.1", "test"), ST_OK);
	cr_assert_eq(config_set("fetch_timeout", "3", "test"), ST_OK);
	cr_assert_eq(config_set("fetch_connect_timeout", "2", "test"), ST_OK);
	cr_assert_eq(fetch_global_init(), ST_OK);
	dir = test_tmpdir();
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &db), ST_OK);
	cr_assert_eq(store_publisher_put(db, &p), ST_OK);
	cr_assert_eq(store_topic_put(db, &t), ST_OK);
	publisher_id = p.id;
}

static void
teardown(void)
{
	store_close(db);
	fetch_global_cleanup();
	test_rmdir(dir);
	free(dir);
	config_free();
}

TestSuite(ingest, .init = setup, .fini = teardown);

static const char rss_body[] =
	"<?xml version=\"1.0\"?>\n"
	"<rss version=\"2.0\" "
	"xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
	"<channel><title>Pub</title><link>https://pub.example/</link>"
	"<item><title>Harbour strike ends</title>"
	"<link>https://pub.example/a/1?utm_source=rss&amp;id=7#top</link>"
	"<guid>a-1</guid><category>Science</category>"
	"<pubDate>Tue, 10 Nov 2026 08:00:00 GMT</pubDate>"
	"<content:encoded><![CDATA[<p>Dockworkers accepted the "
	"contract.</p><script>alert(1)</script><p onclick=\"x()\">Second "
	"paragraph.</p>]]></content:encoded></item>"
	"<item><title>From the future</title>"
	"<link>https://pub.example/a/2</link>"
	"<pubDate>Tue, 10 Nov 2099 08:00:00 GMT</pubDate>"
	"<description>A short summary.</description></item>"
	"</channel></rss>";

static int64_t
add_feed(const char *url)
{
	struct store_feed f = {.publisher_id = publisher_id,
			       .url = (char *)url,
			       .enabled = true};

	cr_assert_eq(store_feed_add(db, &f), ST_OK);
	return f.id;
}

static struct store_feed
get_feed(int64_t id)
{
	struct store_feed f;

	cr_assert_eq(store_feed_get(db, id, &f), ST_OK);
	return f;
}

Test(ingest, demo_templates_render)
{
	struct buf out = BUF_INIT;
	static const char in[] = "<a>@@RFC822(-26h)@@</a><b>@@RFC3339(-90m)@@"
				 "</b><img src=\"@@MEDIA@@/x.svg\"/>@@KEEP@@";

	demo_render(in, sizeof(in) - 1, 1700000000, "http://h/media/demo",
		    &out);
	cr_assert_str_eq(out.data,
			 "<a>Mon, 13 Nov 2023 20:13:20 +0000</a>"
			 "<b>2023-11-14T20:43:20Z</b>"
			 "<img src=\"http://h/media/demo/x.svg\"/>@@KEEP@@");
	buf_release(&out);
}

Test(ingest, document_is_normalised_and_sanitised)
{
	struct store_feed f = get_feed(add_feed("https://pub.example/feed"));
	struct ingest_stats stats = {0};
	struct article_list l;
	struct article_query q = {.with_body = true};
	char *error = NULL;
	int64_t now = clock_now();

	cr_assert_eq(ingest_document(db, &f, rss_body, sizeof(rss_body) - 1,
				     "application/rss+xml", &stats, &error),
		     ST_OK, "%s", error ? error : "");
	cr_assert_eq(stats.items, 2);
	cr_assert_eq(stats.created, 2);
	cr_assert_str_eq(f.title, "Pub");
	cr_assert_eq(store_article_list(db, &q, &l), ST_OK);
	cr_assert_eq(l.count, 2);
	/* The future date was brought back to now. */
	cr_assert_str_eq(l.items[0].title, "From the future");
	cr_assert_leq(l.items[0].published_at, now + 600);
	cr_assert_str_eq(l.items[1].url, "https://pub.example/a/1?id=7",
			 "tracking parameters and fragment removed");
	cr_assert_str_eq(l.items[1].topics, "science");
	cr_assert_null(strstr(l.items[1].body_html, "script"));
	cr_assert_null(strstr(l.items[1].body_html, "onclick"));
	cr_assert_not_null(strstr(l.items[1].body_html, "Second paragraph"));
	cr_assert_not_null(strstr(l.items[1].body_text, "Dockworkers"));
	cr_assert_not_null(l.items[1].teaser_html);
	cr_assert_not_null(l.items[1].content_hash);
	cr_assert_gt(l.items[1].word_count, 4);
	article_list_release(&l);
	store_feed_release(&f);
	/* The same document again changes nothing. */
	f = get_feed(1);
	memset(&stats, 0, sizeof(stats));
	cr_assert_eq(ingest_document(db, &f, rss_body, sizeof(rss_body) - 1,
				     NULL, &stats, &error),
		     ST_OK);
	cr_assert_eq(stats.unchanged, 2);
	cr_assert_eq(stats.created, 0);
	store_feed_release(&f);
}

/* Asserts that this feed's article guid is stored with text in its body. */
static void
assert_stored_text(const char *guid, const char *text)
{
	int64_t id = 0;
	struct article a;

	cr_assert_eq(store_article_find(db, 1, guid, NULL, &id), ST_OK);
	cr_assert_neq(id, 0, "%s is stored", guid);
	cr_assert_eq(store_article_get(db, id, &a), ST_OK);
	cr_assert(a.body_text && strstr(a.body_text, text), "%s: %s", guid,
		  a.body_text ? a.body_text : "(no text)");
	article_release(&a);
}

/* Ingests body for f and returns the document's counts. */
static struct ingest_stats
ingest_body(struct store_feed *f, const char *body)
{
	struct ingest_stats stats = {0};
	char *error = NULL;

	cr_assert_eq(ingest_document(db, f, body, strlen(body), NULL, &stats,
				     &error),
		     ST_OK, "%s", error ? error : "");
	return stats;
}

/*
 * An item the feed stored as it is now is recognised by its digest and not
 * prepared again; a changed one is, and so is one whose article is gone.
 */
Test(ingest, items_stored_before_are_recognised_without_preparing)
{
	static const char changed[] =
		"<rss version=\"2.0\" xmlns:content="
		"\"http://purl.org/rss/1.0/modules/content/\">"
		"<channel><title>Pub</title>"
		"<item><title>Harbour strike ends</title>"
		"<link>https://pub.example/a/1?id=7</link><guid>a-1</guid>"
		"<content:encoded><![CDATA[<p>Dockworkers rejected the "
		"contract.</p>]]></content:encoded></item>"
		"</channel></rss>";
	struct store_feed f = get_feed(add_feed("https://pub.example/feed")),
			  stored;
	struct ingest_stats stats;

	stats = ingest_body(&f, rss_body);
	cr_assert_eq(stats.created, 2);
	/* The item with a body can be recognised; the one with a short
	 * summary may have its page extracted, so it cannot. The digests are
	 * stored with the articles. */
	cr_assert_eq(f.item_digest_count, 1);
	stored = get_feed(f.id);
	cr_assert_eq(stored.item_digest_count, 1);
	store_feed_release(&stored);
	stats = ingest_body(&f, rss_body);
	cr_assert_eq(stats.unchanged, 2);
	cr_assert_eq(stats.known, 1);

	/* Its text changed: prepared and updated, and known as that. */
	stats = ingest_body(&f, changed);
	cr_assert_eq(stats.updated, 1);
	cr_assert_eq(stats.known, 0);
	assert_stored_text("a-1", "rejected");
	stats = ingest_body(&f, changed);
	cr_assert_eq(stats.unchanged, 1);
	cr_assert_eq(stats.known, 1);

	/* Its article deleted since: prepared and stored again. */
	cr_assert(test_sql(dir, "PRAGMA foreign_keys=ON;"
				"DELETE FROM articles WHERE guid = 'a-1'"));
	stats = ingest_body(&f, changed);
	cr_assert_eq(stats.created, 1);
	cr_assert_eq(stats.known, 0);
	assert_stored_text("a-1", "rejected");
	store_feed_release(&f);
}

#define ITEM(guid, body)                                                       \
	"<item><title>Item " guid "</title><link>https://pub.example/" guid    \
	"</link><guid>" guid "</guid><content:encoded><![CDATA[<p>" body       \
	"</p>]]></content:encoded></item>"
#define DOC(items)                                                             \
	"<rss version=\"2.0\" xmlns:content="                                  \
	"\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Pub"     \
	"</title>" items "</channel></rss>"

/* Several digests: kept sorted, each found again. */
Test(ingest, every_item_of_a_document_is_recognised)
{
	static const char doc[] = DOC(
		ITEM("e", "Fifth.") ITEM("b", "Second.") ITEM("d", "Fourth.")
			ITEM("a", "First.") ITEM("c", "Third."));
	struct store_feed f = get_feed(add_feed("https://pub.example/feed"));
	struct ingest_stats stats;
	size_t i;

	stats = ingest_body(&f, doc);
	cr_assert_eq(stats.created, 5);
	cr_assert_eq(f.item_digest_count, 5);
	for (i = 1; i < f.item_digest_count; i++)
		cr_assert_lt(memcmp(f.item_digests + (i - 1) * STORE_DIGEST_LEN,
				    f.item_digests + i * STORE_DIGEST_LEN,
				    STORE_DIGEST_LEN),
			     0);
	stats = ingest_body(&f, doc);
	cr_assert_eq(stats.unchanged, 5);
	cr_assert_eq(stats.known, 5);
	store_feed_release(&f);
}

/*
 * Items that share a guid write one article in turn: as before the
 * digests, each is compared with what the one before it wrote.
 */
Test(ingest, items_sharing_a_guid_are_never_known)
{
	static const char x[] = DOC(ITEM("g", "Version X of the text.")),
			  xy[] = DOC(ITEM("g", "Version X of the text.") ITEM(
				  "g", "Version Y of the text.")),
			  yx[] = DOC(ITEM("g", "Version Y of the text.") ITEM(
				  "g", "Version X of the text."));
	struct store_feed f = get_feed(add_feed("https://pub.example/feed"));
	struct ingest_stats stats;

	stats = ingest_body(&f, xy);
	cr_assert_eq(stats.created, 1);
	cr_assert_eq(stats.updated, 1);
	cr_assert_eq(f.item_digest_count, 0);
	stats = ingest_body(&f, xy);
	cr_assert_eq(stats.updated, 2);
	cr_assert_eq(stats.known, 0);
	stats = ingest_body(&f, yx);
	cr_assert_eq(stats.known, 0);
	assert_stored_text("g", "Version X");

	/* X alone becomes known; then Y before it rewrites the article, and
	 * X must write it back rather than pass as unchanged. */
	stats = ingest_body(&f, x);
	cr_assert_eq(f.item_digest_count, 1);
	stats = ingest_body(&f, yx);
	cr_assert_eq(stats.updated, 2);
	cr_assert_eq(stats.known, 0);
	assert_stored_text("g", "Version X");
	store_feed_release(&f);
}

/*
 * A batch rolled back is written again from the same prepared document (the
 * scheduler's retry): a known item is checked again, not stored unprepared.
 */
Test(ingest, a_known_item_written_again_after_a_rollback_stays_whole)
{
	static const char doc[] = DOC(ITEM("k", "Known body text here."));
	struct store_feed f = get_feed(add_feed("https://pub.example/feed"));
	struct ingest_doc d = {.feed = &f};
	struct ingest_stats first = {0}, again = {0};
	struct rank_index *ix = rank_index_new(0);
	char *error = NULL;

	cr_assert_eq(ingest_body(&f, doc).created, 1);
	ingest_prepare(NULL, &d, doc, sizeof(doc) - 1, NULL);
	cr_assert_eq(d.status, ST_OK);
	cr_assert_eq(store_begin(db), ST_OK);
	cr_assert_eq(rank_index_begin(ix, db), ST_OK);
	cr_assert_eq(ingest_write(db, ix, &d, &first, &error), ST_OK);
	cr_assert_eq(first.known, 1);
	store_rollback(db);
	rank_index_rollback(ix);
	cr_assert_eq(store_begin(db), ST_OK);
	cr_assert_eq(rank_index_begin(ix, db), ST_OK);
	cr_assert_eq(ingest_write(db, ix, &d, &again, &error), ST_OK);
	cr_assert_eq(ingest_cluster(db, ix, &d, &error), ST_OK);
	cr_assert_eq(rank_index_flush(ix, db), ST_OK);
	cr_assert_eq(store_commit(db), ST_OK);
	rank_index_commit(ix);
	cr_assert_eq(again.unchanged, 1);
	cr_assert_eq(again.updated, 0);
	assert_stored_text("k", "Known body text");
	rank_index_free(ix);
	ingest_doc_release(&d);
	store_feed_release(&f);
}

Test(ingest, broken_document_stores_nothing)
{
	struct store_feed f = get_feed(add_feed("https://pub.example/feed"));
	struct ingest_stats stats = {0};
	char *error = NULL;
	int64_t n;

	cr_assert_neq(ingest_document(db, &f, "{\"not\": \"a feed\"", 16, NULL,
				      &stats, &error),
		      ST_OK);
	cr_assert_not_null(error);
	cr_assert_not_null(strstr(error, "not a feed"), "%s", error);
	cr_assert_eq(store_article_count(db, &n), ST_OK);
	cr_assert_eq(n, 0);
	free(error);
	store_feed_release(&f);
}

/* Conditional GET, failure isolation and permanent redirects. */
Test(ingest, fetch_keeps_state_per_feed, .timeout = 60)
{
	struct fixture_route routes[] = {
		{.path = "/good.xml",
		 .body = rss_body,
		 .content_type = "application/rss+xml",
		 .etag = "\"v1\""},
		{.path = "/broken.xml", .status = 500, .body = "oops"},
		{.path = "/old.xml",
		 .kind = FIXTURE_REDIRECT,
		 .status = 301,
		 .location = "/new.xml"},
		{.path = "/new.xml",
		 .body = "<rss version=\"2.0\"><channel><title>N</title>"
			 "<item><title>Moved</title>"
			 "<link>https://pub.example/moved</link></item>"
			 "</channel></rss>",
		 .content_type = "application/rss+xml"},
	};
	struct fixture_server *srv =
		fixture_server_start(routes, ARRAY_SIZE(routes));
	char *good = fixture_server_url(srv, "/good.xml");
	char *broken = fixture_server_url(srv, "/broken.xml");
	char *old = fixture_server_url(srv, "/old.xml");
	char *moved = fixture_server_url(srv, "/new.xml");
	int64_t id_good = add_feed(good), id_broken = add_feed(broken),
		id_old = add_feed(old);
	struct ingest_options opt = {.all = true, .quiet = true};
	struct ingest_stats stats = {0};
	struct store_feed f;
	int64_t n;

	cr_assert_eq(ingest_fetch(db, &opt, &stats), ST_OK);
	cr_assert_eq(stats.feeds, 3);
	cr_assert_eq(stats.failed, 1);
	cr_assert_eq(stats.created, 3);
	f = get_feed(id_good);
	cr_assert_str_eq(f.etag, "\"v1\"");
	cr_assert_null(f.last_error);
	cr_assert_eq(f.http_status, 200);
	cr_assert_eq(f.item_count, 2);
	cr_assert_gt(f.next_due_at, clock_now());
	store_feed_release(&f);
	f = get_feed(id_broken);
	cr_assert_not_null(f.last_error);
	cr_assert_eq(f.error_count, 1);
	cr_assert_eq(f.http_status, 500);
	cr_assert_geq(f.next_due_at, f.last_fetch_at + config.poll_min,
		      "backs off");
	store_feed_release(&f);
	f = get_feed(id_old);
	cr_assert_str_eq(f.url, moved, "a permanent redirect moves the feed");
	store_feed_release(&f);

	/* Again: the unchanged feed answers 304 and adds nothing; the
	 * broken one backs off further. */
	memset(&stats, 0, sizeof(stats));
	cr_assert_eq(ingest_fetch(db, &opt, &stats), ST_OK);
	cr_assert_eq(stats.not_modified, 1);
	cr_assert_eq(stats.created, 0);
	cr_assert_eq(fixture_server_requests(srv, "/good.xml"), 2);
	cr_assert_eq(store_article_count(db, &n), ST_OK);
	cr_assert_eq(n, 3);
	f = get_feed(id_broken);
	cr_assert_eq(f.error_count, 2);
	store_feed_release(&f);
	free(good);
	free(broken);
	free(old);
	free(moved);
	fixture_server_stop(srv);
}

/* A fixture server with rss_body at /feed.xml, and a feed of it. */
struct served_feed {
	struct fixture_route route;
	struct fixture_server *srv;
	char *url;
	int64_t id;
};

static void
serve_feed(struct served_feed *sf)
{
	memset(sf, 0, sizeof(*sf));
	sf->route.path = "/feed.xml";
	sf->route.body = rss_body;
	sf->route.content_type = "application/rss+xml";
	sf->srv = fixture_server_start(&sf->route, 1);
	sf->url = fixture_server_url(sf->srv, "/feed.xml");
	sf->id = add_feed(sf->url);
}

/* Serves body as the feed's document from now on. */
static void
served_feed_body(struct served_feed *sf, const char *body)
{
	sf->route.body = body;
	fixture_server_add(sf->srv, &sf->route);
}

static void
served_feed_stop(struct served_feed *sf)
{
	free(sf->url);
	fixture_server_stop(sf->srv);
}

/* A feed without validators answers 200 again: its stored items are
 * recognised from the digests kept with the feed. */
Test(ingest, refetched_feed_without_validators_skips_stored_items,
     .timeout = 60)
{
	struct served_feed sf;
	struct ingest_options opt = {.all = true, .quiet = true};
	struct ingest_stats stats = {0};
	struct store_feed f;
	struct buf retitled = BUF_INIT;

	serve_feed(&sf);
	cr_assert_eq(ingest_fetch(db, &opt, &stats), ST_OK);
	cr_assert_eq(stats.created, 2);
	f = get_feed(sf.id);
	cr_assert_eq(f.item_digest_count, 1, "kept with the feed's state");
	store_feed_release(&f);
	/* The same items in a document that changed elsewhere (the same
	 * document would not be parsed at all). */
	buf_adds(&retitled, rss_body);
	cr_assert_not_null(strstr(retitled.data, "<title>Pub</title>"));
	memcpy(strstr(retitled.data, "<title>Pub</title>") + 7, "Pu2", 3);
	served_feed_body(&sf, retitled.data);
	memset(&stats, 0, sizeof(stats));
	cr_assert_eq(ingest_fetch(db, &opt, &stats), ST_OK);
	cr_assert_eq(fixture_server_requests(sf.srv, "/feed.xml"), 2);
	cr_assert_eq(stats.not_modified, 0);
	cr_assert_eq(stats.unchanged, 2);
	cr_assert_eq(stats.known, 1);
	f = get_feed(sf.id);
	cr_assert_eq(f.item_digest_count, 1);
	store_feed_release(&f);
	served_feed_stop(&sf);
	buf_release(&retitled);
}

/* Runs one round over every feed and returns its counts. */
static struct ingest_stats
fetch_round(void)
{
	struct ingest_options opt = {.all = true, .quiet = true};
	struct ingest_stats stats = {0};

	cr_assert_eq(ingest_fetch(db, &opt, &stats), ST_OK);
	return stats;
}

/*
 * The very document stored last time, from a server that sends no
 * validators, is not parsed again: it counts as not modified. Under other
 * settings of the feed it is parsed; a document that fails in between
 * does not change that (what is stored is still that document's); a
 * publisher deleted (whose articles other items may have duplicated)
 * makes every feed parse its next document.
 */
Test(ingest, the_same_document_again_is_not_parsed, .timeout = 60)
{
	struct served_feed sf;
	struct ingest_stats stats;
	struct store_feed f;

	serve_feed(&sf);
	stats = fetch_round();
	cr_assert_eq(stats.created, 2);
	f = get_feed(sf.id);
	cr_assert(f.has_body_digest);
	store_feed_release(&f);

	stats = fetch_round();
	cr_assert_eq(fixture_server_requests(sf.srv, "/feed.xml"), 2);
	cr_expect_eq(stats.not_modified, 1);
	cr_expect_eq(stats.items, 0, "nothing parsed");
	cr_expect_eq(stats.unchanged, 0);
	f = get_feed(sf.id);
	cr_expect_eq(f.http_status, 200);
	cr_expect_null(f.last_error);
	cr_expect_eq(f.item_count, 2, "the last parse's count stays");
	cr_expect_eq(f.article_count, 2);
	/* Settings saved as they were: still the same. */
	cr_assert_eq(store_feed_save_settings(db, &f), ST_OK);
	stats = fetch_round();
	cr_expect_eq(stats.not_modified, 1);
	/* Other settings: the document is parsed under them. */
	free(f.topics);
	f.topics = xstrdup("science");
	cr_assert_eq(store_feed_save_settings(db, &f), ST_OK);
	store_feed_release(&f);
	stats = fetch_round();
	cr_expect_eq(stats.not_modified, 0);
	cr_expect_eq(stats.items, 2);
	cr_expect_eq(stats.unchanged, 2);
	stats = fetch_round();
	cr_expect_eq(stats.not_modified, 1);

	/* A document that cannot be read fails each time it comes. */
	served_feed_body(&sf, "<html><body>Down for maintenance</body></html>");
	stats = fetch_round();
	cr_expect_eq(stats.failed, 1);
	stats = fetch_round();
	cr_expect_eq(stats.failed, 1, "not taken for the stored one");
	cr_expect_eq(stats.not_modified, 0);
	f = get_feed(sf.id);
	cr_expect_not_null(f.last_error);
	cr_expect_eq(f.error_count, 2);
	store_feed_release(&f);
	/* The stored document back: not parsed, and the feed is well. */
	served_feed_body(&sf, rss_body);
	stats = fetch_round();
	cr_expect_eq(stats.not_modified, 1);
	cr_expect_eq(stats.items, 0);
	f = get_feed(sf.id);
	cr_expect_null(f.last_error);
	cr_expect_eq(f.error_count, 0);
	cr_expect_eq(f.article_count, 2);
	store_feed_release(&f);
	/* Another publisher deleted: parsed again. */
	{
		struct publisher other = {.slug = "other", .name = "Other"};

		cr_assert_eq(store_publisher_put(db, &other), ST_OK);
		cr_assert_eq(rank_publisher_delete(db, other.id), ST_OK);
	}
	f = get_feed(sf.id);
	cr_expect_not(f.has_body_digest);
	store_feed_release(&f);
	stats = fetch_round();
	cr_expect_eq(stats.not_modified, 0);
	cr_expect_eq(stats.unchanged, 2);
	served_feed_stop(&sf);
}

/* Hostile feeds each end with their own error; the good one is stored. */
Test(ingest, hostile_feeds_are_isolated, .timeout = 120)
{
	static const char laughs[] =
		"<?xml version=\"1.0\"?><!DOCTYPE lolz ["
		"<!ENTITY lol \"lol\">"
		"<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
		"<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
		"<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
		"<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
		"]><rss version=\"2.0\"><channel><title>&lol4;</title>"
		"</channel></rss>";
	static const char xxe[] =
		"<?xml version=\"1.0\"?><!DOCTYPE r ["
		"<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		"<rss version=\"2.0\"><channel><title>t</title><item>"
		"<title>&x;</title><link>https://pub.example/xxe</link>"
		"</item></channel></rss>";
	struct fixture_route routes[] = {
		{.path = "/good.xml",
		 .body = rss_body,
		 .content_type = "application/rss+xml"},
		{.path = "/laughs.xml", .body = laughs},
		{.path = "/xxe.xml", .body = xxe},
		{.path = "/huge.xml", .kind = FIXTURE_HUGE, .size = 100u << 20},
		{.path = "/bomb.xml",
		 .kind = FIXTURE_GZIP_BOMB,
		 .size = 10ull << 30},
		{.path = "/drip.xml", .kind = FIXTURE_DRIP},
		{.path = "/silent.xml", .kind = FIXTURE_SILENT},
		{.path = "/loop1",
		 .kind = FIXTURE_REDIRECT,
		 .location = "/loop2"},
		{.path = "/loop2",
		 .kind = FIXTURE_REDIRECT,
		 .location = "/loop1"},
	};
	static const char *const paths[] = {
		"/good.xml", "/laughs.xml", "/xxe.xml",	   "/huge.xml",
		"/bomb.xml", "/drip.xml",   "/silent.xml", "/loop1",
	};
	struct fixture_server *srv =
		fixture_server_start(routes, ARRAY_SIZE(routes));
	struct ingest_options opt = {.all = true, .quiet = true};
	struct ingest_stats stats = {0};
	struct store_feed_list feeds;
	struct search_query sq = {.text = "root"};
	struct search_result sr;
	struct rusage ru;
	size_t i;
	int64_t n;

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		char *url = fixture_server_url(srv, paths[i]);

		add_feed(url);
		free(url);
	}
	cr_assert_eq(ingest_fetch(db, &opt, &stats), ST_OK);
	cr_assert_eq(stats.feeds, ARRAY_SIZE(paths));
	/* The good feed's two articles, and at most the XXE feed's item with
	 * its entity left unexpanded. */
	cr_assert(stats.created == 2 || stats.created == 3, "created %zu",
		  stats.created);
	cr_assert_eq(store_feed_list(db, 0, &feeds), ST_OK);
	for (i = 0; i < feeds.count; i++) {
		const struct store_feed *f = &feeds.items[i];

		if (strstr(f->url, "/good.xml"))
			cr_assert_null(f->last_error, "%s", f->last_error);
		else if (strstr(f->url, "/xxe.xml"))
			cr_assert(f->last_error || f->item_count <= 1);
		else
			cr_assert_not_null(f->last_error, "%s has no error",
					   f->url);
	}
	store_feed_list_release(&feeds);
	/* Nothing from /etc/passwd reached the store. */
	cr_assert_eq(store_search(db, &sq, &sr), ST_OK);
	cr_assert_eq(sr.count, 0);
	search_result_release(&sr);
	cr_assert_eq(store_article_count(db, &n), ST_OK);
	getrusage(RUSAGE_SELF, &ru);
	cr_assert_lt(ru.ru_maxrss, 256 * 1024, "peak memory %ld KiB",
		     ru.ru_maxrss);
	fixture_server_stop(srv);
}

Test(ingest, private_addresses_are_refused_without_allow_list)
{
	struct fixture_route routes[] = {{.path = "*", .body = rss_body}};
	struct fixture_server *srv =
		fixture_server_start(routes, ARRAY_SIZE(routes));
	char *url = fixture_server_url(srv, "/feed.xml");
	int64_t id = add_feed(url);
	struct ingest_options opt = {.all = true, .quiet = true};
	struct ingest_stats stats = {0};
	struct store_feed f;

	cr_assert_eq(config_set("fetch_allow", "", "test"), ST_OK);
	cr_assert_eq(ingest_fetch(db, &opt, &stats), ST_OK);
	cr_assert_eq(stats.failed, 1);
	f = get_feed(id);
	cr_assert_not_null(strstr(f.last_error, "blocked address"), "%s",
			   f.last_error);
	cr_assert_eq(fixture_server_connections(srv), 0);
	store_feed_release(&f);
	free(url);
	fixture_server_stop(srv);
}
