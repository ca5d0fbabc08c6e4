/*
 * test_feed.c — the feed parser on small fixtures of its own: formats,
 * namespaces, bases, encodings, dates, hostile XML and the JSON output.
 */
#include "common.h"

#include <iconv.h>
#include <time.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <libxml/encoding.h>

#include "base/buf.h"
#include "feed/feed.h"
#include "feed/internal.h"

static struct feed *
parse_ok(const char *doc, const char *url, const char *content_type)
{
	struct feed *feed = NULL;
	const char *reason = NULL;
	enum status rc = feed_parse_ex(doc, strlen(doc), url, content_type,
				       &feed, &reason);

	cr_assert_eq(rc, ST_OK, "parse failed: %s", reason ? reason : "?");
	return feed;
}

static int64_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {0};

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm);
}

Test(feed, rss20_full_item)
{
	static const char doc[] =
		"<?xml version=\"1.0\"?>\n"
		"<rss version=\"2.0\" "
		"xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
		"xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
		"xmlns:media=\"http://search.yahoo.com/mrss/\">"
		"<channel><title>The &amp;amp; Times</title>"
		"<link>https://times.example/</link><language>en-gb</language>"
		"<item><title>Rates &lt;b&gt;rise&lt;/b&gt; "
		"&amp;eacute;</title>"
		"<link>/news/1</link><guid isPermaLink=\"false\">n1</guid>"
		"<description>&lt;p&gt;Short&lt;/p&gt;</description>"
		"<content:encoded><![CDATA[<p>Long <a "
		"href=\"/x\">body</a></p>]]>"
		"</content:encoded>"
		"<dc:creator>Ann Smith</dc:creator><dc:creator>Bo "
		"Li</dc:creator>"
		"<pubDate>Tue, 03 Jun 2003 09:39:21 GMT</pubDate>"
		"<category>Economy</category><category>Economy</category>"
		"<enclosure url=\"/a.mp3\" type=\"audio/mpeg\" length=\"123\"/>"
		"<media:content url=\"/lead.jpg\" medium=\"image\">"
		"<media:description>A caption</media:description>"
		"</media:content><comments>/c/1</comments>"
		"</item></channel></rss>";
	struct feed *f = parse_ok(doc, "https://times.example/feed", NULL);
	const struct feed_item *it;

	cr_assert_str_eq(f->format, "rss20");
	cr_assert_str_eq(f->title, "The & Times");
	cr_assert_str_eq(f->language, "en-gb");
	cr_assert_eq(f->item_count, 1);
	it = &f->items[0];
	cr_assert_str_eq(it->title, "Rates rise é");
	cr_assert_str_eq(it->link, "https://times.example/news/1");
	cr_assert_str_eq(it->guid, "n1");
	cr_assert_str_eq(it->summary, "<p>Short</p>");
	cr_assert_str_eq(it->content,
			 "<p>Long <a href=\"https://times.example/x\">body</a>"
			 "</p>");
	cr_assert_eq(it->author_count, 2);
	cr_assert_str_eq(it->byline, "Ann Smith and Bo Li");
	cr_assert_eq(it->published, utc(2003, 6, 3, 9, 39, 21));
	cr_assert_eq(it->category_count, 1);
	cr_assert_eq(it->enclosure_count, 1);
	cr_assert_str_eq(it->enclosures[0].url, "https://times.example/a.mp3");
	cr_assert_eq(it->enclosures[0].length, 123);
	cr_assert_str_eq(it->image, "https://times.example/lead.jpg");
	cr_assert_str_eq(it->image_caption, "A caption");
	cr_assert_str_eq(it->comments, "https://times.example/c/1");
	cr_assert_str_eq(it->language, "en-gb");
	cr_assert_not(f->recovered);
	feed_free(f);
}

Test(feed, atom10_bases_and_xhtml)
{
	static const char doc[] =
		"<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\" "
		"xml:base=\"http://example.org/blog/\">"
		"<title type=\"html\">Le &lt;em&gt;Blog&lt;/em&gt;</title>"
		"<link href=\"./\"/><updated>2005-07-31T12:29:29Z</updated>"
		"<entry xml:base=\"2005/\"><id>tag:example.org,2005:1</id>"
		"<title>A &lt; B</title>"
		"<link rel=\"alternate\" type=\"text/html\" href=\"post\"/>"
		"<link rel=\"enclosure\" href=\"/m.mp4\" length=\"9\" "
		"type=\"video/mp4\"/>"
		"<author><name>Jo</name><email>jo@example.org</email></author>"
		"<published>2003-12-13T08:29:29-04:00</published>"
		"<updated>2005-07-31T12:29:29Z</updated>"
		"<category term=\"tech\"/>"
		"<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/"
		"xhtml\"><p>Hi <a href=\"rel\">x</a> &amp; "
		"y</p></div></content>"
		"</entry></feed>";
	struct feed *f = parse_ok(doc, NULL, NULL);
	const struct feed_item *it = &f->items[0];

	cr_assert_str_eq(f->format, "atom10");
	cr_assert_str_eq(f->title, "Le Blog");
	cr_assert_str_eq(f->link, "http://example.org/blog/");
	cr_assert_str_eq(f->language, "fr");
	cr_assert_eq(f->updated, utc(2005, 7, 31, 12, 29, 29));
	cr_assert_str_eq(it->title, "A < B");
	cr_assert_str_eq(it->link, "http://example.org/blog/2005/post");
	cr_assert_str_eq(it->enclosures[0].url, "http://example.org/m.mp4");
	cr_assert_str_eq(it->byline, "Jo");
	cr_assert_eq(it->published, utc(2003, 12, 13, 12, 29, 29));
	cr_assert_str_eq(it->categories[0], "tech");
	cr_assert_str_eq(it->content,
			 "<p>Hi <a href=\"http://example.org/blog/2005/rel\">x"
			 "</a> &amp; y</p>");
	cr_assert_str_eq(it->language, "fr");
	feed_free(f);
}

Test(feed, rss10_rdf_and_versions)
{
	static const struct {
		const char *doc, *format;
	} cases[] = {
		{"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-"
		 "ns#\" xmlns=\"http://purl.org/rss/1.0/\"><channel><title>T"
		 "</title></channel><item rdf:about=\"http://e/1\"><title>I"
		 "</title><link>http://e/1</link></item></rdf:RDF>",
		 "rss10"},
		{"<rss version=\"0.91\"><channel><title>T</title></channel>"
		 "</rss>",
		 "rss091"},
		{"<rss version=\"0.92\"><channel/></rss>", "rss092"},
		{"<rss version=\"2.0\"><channel/></rss>", "rss20"},
		{"<feed xmlns=\"http://purl.org/atom/ns#\" version=\"0.3\">"
		 "<title>T</title></feed>",
		 "atom03"},
		{"{\"version\":\"https://jsonfeed.org/version/"
		 "1\",\"title\":\"T\","
		 "\"items\":[]}",
		 "json10"},
		{"{\"version\":\"https://jsonfeed.org/version/"
		 "1.1\",\"items\":[]}",
		 "json11"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct feed *f = parse_ok(cases[i].doc, NULL, NULL);

		cr_expect_str_eq(f->format, cases[i].format, "case %zu", i);
		if (i == 0) {
			cr_assert_eq(f->item_count, 1);
			cr_assert_str_eq(f->items[0].guid, "http://e/1");
		}
		feed_free(f);
	}
}

Test(feed, json_feed_items)
{
	static const char doc[] =
		"{\"version\":\"https://jsonfeed.org/version/1.1\","
		"\"title\":\"J\",\"home_page_url\":\"https://j.example/\","
		"\"authors\":[{\"name\":\"Desk\"}],\"language\":\"de\","
		"\"items\":[{\"id\":\"1\",\"url\":\"https://j.example/1\","
		"\"title\":\"One\",\"content_html\":\"<p>x</p>\","
		"\"summary\":\"a < b\",\"image\":\"/i.png\","
		"\"date_published\":\"2020-01-02T03:04:05+01:00\","
		"\"tags\":[\"t1\",\"t2\"],\"attachments\":[{\"url\":\"/a.mp3\","
		"\"mime_type\":\"audio/mpeg\",\"size_in_bytes\":5}]},"
		"{\"id\":2,\"content_text\":\"plain & simple\"}]}";
	struct feed *f = parse_ok(doc, "https://j.example/feed.json", NULL);

	cr_assert_eq(f->item_count, 2);
	cr_assert_str_eq(f->items[0].content, "<p>x</p>");
	cr_assert_str_eq(f->items[0].summary, "a &lt; b");
	cr_assert_str_eq(f->items[0].image, "https://j.example/i.png");
	cr_assert_eq(f->items[0].published, utc(2020, 1, 2, 2, 4, 5));
	cr_assert_eq(f->items[0].category_count, 2);
	cr_assert_eq(f->items[0].enclosures[0].length, 5);
	cr_assert_str_eq(f->items[0].byline, "Desk");
	cr_assert_str_eq(f->items[0].language, "de");
	cr_assert_str_eq(f->items[1].guid, "2");
	cr_assert_str_eq(f->items[1].content, "plain &amp; simple");
	feed_free(f);
}

Test(feed, encodings)
{
	/* ISO-8859-1 declared: é is 0xe9; 0x92 is read as Windows-1252. */
	static const char latin1[] =
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel>"
		"<title>caf\xe9 don\x92t</title></channel></rss>";
	/* The HTTP charset wins over the declaration. */
	static const char koi8[] =
		"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel>"
		"<title>\xf0\xd2\xc1\xd7\xc4\xc1</title></channel></rss>";
	static const char utf16[] = "\xff\xfe<\0r\0s\0s\0>\0<\0c\0h\0a\0n\0n\0"
				    "e\0l\0>\0<\0t\0i\0t\0l\0e\0>\0\xe9\0<\0/\0"
				    "t\0i\0t\0l\0e\0>\0<\0/\0c\0h\0a\0n\0n\0e\0"
				    "l\0>\0<\0/\0r\0s\0s\0>\0";
	struct feed *f = parse_ok(latin1, NULL, NULL);

	cr_assert_str_eq(f->title, "café don’t");
	cr_assert_str_eq(f->encoding, "iso-8859-1");
	feed_free(f);
	f = parse_ok(koi8, NULL, "application/rss+xml; charset=\"KOI8-R\"");
	cr_assert_str_eq(f->title, "Правда");
	cr_assert_str_eq(f->encoding, "koi8-r");
	feed_free(f);
	cr_assert_eq(feed_parse(utf16, sizeof(utf16) - 1, NULL, NULL, &f),
		     ST_OK);
	cr_assert_str_eq(f->title, "é");
	cr_assert_str_eq(f->encoding, "utf-16le");
	feed_free(f);
}

/*
 * iconv's reading of two bytes of a set: the UTF-8 written to out (room
 * for 16 bytes) and the bytes it read before an error; -1 when it stopped
 * at one.
 */
static int
iconv_pair(iconv_t cd, const unsigned char *in, unsigned char *out,
	   size_t *written, size_t *read)
{
	char *ip = (char *)in, *op = (char *)out;
	size_t il = 2, ol = 16;
	int rc = 0;

	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 ||
	    iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
		rc = -1;
	*written = (size_t)(op - (char *)out);
	*read = 2 - il;
	return rc;
}

/*
 * The single-byte sets that libxml2 decodes through our tables
 * (src/feed/charset.c) read every pair of bytes as iconv does, the bytes a
 * set leaves undefined included. Sets that iconv still decodes (those that
 * compose a letter with its accent, or that we do not take) are skipped.
 */
Test(feed, charsets_by_table_read_as_iconv, .timeout = 60)
{
	static const char *const names[] = {
		"WINDOWS-1250", "WINDOWS-1251", "WINDOWS-1252", "WINDOWS-1253",
		"WINDOWS-1254", "WINDOWS-1255", "WINDOWS-1256", "WINDOWS-1257",
		"WINDOWS-1258", "ISO-8859-2",	"ISO-8859-3",	"ISO-8859-4",
		"ISO-8859-5",	"ISO-8859-6",	"ISO-8859-7",	"ISO-8859-8",
		"ISO-8859-9",	"ISO-8859-10",	"ISO-8859-11",	"ISO-8859-13",
		"ISO-8859-14",	"ISO-8859-15",	"ISO-8859-16",	"KOI8-R",
		"KOI8-U",	"CP866",	"MACINTOSH",
	};
	size_t k, tables = 0;

	feed_charsets_init();
	for (k = 0; k < ARRAY_SIZE(names); k++) {
		xmlCharEncodingHandlerPtr h =
			xmlFindCharEncodingHandler(names[k]);
		iconv_t cd;
		unsigned a, b;

		if (!h || !h->input || h->iconv_in) {
			/* A handler over iconv is made for each caller. */
			if (h && h->iconv_in)
				xmlCharEncCloseFunc(h);
			continue;
		}
		tables++;
		cd = iconv_open("UTF-8", names[k]);
		cr_assert_neq(cd, (iconv_t)-1, "%s", names[k]);
		for (a = 0; a < 256; a++) {
			for (b = 0; b < 256; b++) {
				unsigned char in[2] = {(unsigned char)a,
						       (unsigned char)b};
				unsigned char want[16], got[16];
				size_t want_n, want_read;
				int got_n = sizeof(got), got_read = 2;
				int want_rc = iconv_pair(cd, in, want, &want_n,
							 &want_read);
				int got_rc =
					h->input(got, &got_n, in, &got_read);

				cr_assert_eq(got_rc < 0, want_rc < 0,
					     "%s %02x %02x", names[k], a, b);
				cr_assert_eq((size_t)got_read, want_read,
					     "%s %02x %02x", names[k], a, b);
				cr_assert_eq((size_t)got_n, want_n,
					     "%s %02x %02x", names[k], a, b);
				cr_assert(!memcmp(got, want, want_n),
					  "%s %02x %02x", names[k], a, b);
			}
		}
		iconv_close(cd);
	}
	/* Not a test of nothing: the windows and ISO sets are tables. */
	cr_assert_geq(tables, 20);
}

/* A windows-1252 feed through the table, and a byte it leaves undefined. */
Test(feed, windows_1252_by_table)
{
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"windows-1252\"?>"
		"<rss version=\"2.0\"><channel><title>Caf\xe9 \x80 \x93ok\x94"
		"</title><item><title>Na\xefve</title></item>"
		"<item><title>Bad \x81 byte</title></item></channel></rss>";
	struct feed *f = parse_ok(doc, NULL, NULL);

	cr_assert_str_eq(f->title, "Caf\xc3\xa9 \xe2\x82\xac "
				   "\xe2\x80\x9cok\xe2\x80\x9d");
	cr_assert_geq(f->item_count, 1);
	cr_assert_str_eq(f->items[0].title, "Na\xc3\xafve");
	cr_assert(f->recovered);
	feed_free(f);
}

Test(feed, recovers_ill_formed)
{
	static const char doc[] =
		"<rss version=\"2.0\"><channel><title>Broken</title>"
		"<item><title>One &nbsp; two</title>"
		"<link>http://e/?a=1&b=2</link></item>"
		"<item><title>Unclosed</title></channel>";
	struct feed *f = parse_ok(doc, NULL, NULL);

	cr_assert(f->recovered);
	cr_assert_not_null(f->error);
	cr_assert_eq(f->item_count, 2);
	cr_assert_str_eq(f->items[0].title, "One two");
	cr_assert_str_eq(f->items[0].link, "http://e/?a=1&b=2");
	feed_free(f);
}

/*
 * A byte that is not UTF-8 in a CDATA section: libxml2's push reader stops
 * there, so the document is read again by the pull reader, which keeps the
 * item and the rest of the feed.
 */
Test(feed, bad_byte_in_cdata_recovered)
{
	static const char doc[] =
		"<rss version=\"2.0\"><channel><title>Bytes</title>"
		"<item><title>First</title><description><![CDATA["
		"<a href=\"http://e/x\">caf\xe9</a> and more]]></description>"
		"</item><item><title>Second</title>"
		"<description>Plain</description></item></channel></rss>";
	struct feed *f = parse_ok(doc, NULL, NULL);

	cr_assert(f->recovered);
	cr_assert_eq(f->item_count, 2);
	cr_assert_not_null(f->items[0].summary);
	cr_assert_not_null(strstr(f->items[0].summary, "http://e/x"));
	cr_assert_str_eq(f->items[1].title, "Second");
	feed_free(f);
}

/* The JSON of doc read by the given reader as feed_parse_ex() would, and
 * the reader feed_parse_xml() used. */
static enum feed_xml_reader
read_with(const char *doc, enum feed_xml_reader reader, struct buf *json)
{
	struct feed *f = feed_new();
	const char *why = NULL;

	cr_assert_eq(
		feed_parse_xml(f, doc, strlen(doc), NULL, NULL, &reader, &why),
		ST_OK, "%s", why ? why : "?");
	feed_finish(f);
	feed_to_json(f, json);
	feed_free(f);
	return reader;
}

/*
 * Escaped HTML bodies (no CDATA section in the document) are rewritten as
 * CDATA for the push reader, and come out as the pull reader reads them.
 */
Test(feed, escaped_markup_read_as_cdata)
{
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>"
		"<rss version=\"2.0\"><channel><title>Esc</title><item>"
		"<title>A &amp; B</title><description>&lt;p class=&quot;x&quot;"
		"&gt;Rain &amp;amp; wind, caf&#233; &#x65E5; \xe2\x82\xac "
		"&apos;q&apos; a > b\t]]&lt;/p&gt;\n</description></item>"
		"</channel></rss>";
	struct buf pushed = BUF_INIT, pulled = BUF_INIT;
	struct feed *f = parse_ok(doc, NULL, NULL);

	cr_assert_not(f->recovered);
	cr_assert_str_eq(f->items[0].summary,
			 "<p class=\"x\">Rain &amp; wind, caf\xc3\xa9 "
			 "\xe6\x97\xa5 \xe2\x82\xac 'q' a > b\t]]</p>");
	feed_free(f);
	cr_assert_eq(read_with(doc, FEED_XML_PUSH, &pushed), FEED_XML_PUSH);
	cr_assert_eq(read_with(doc, FEED_XML_PULL, &pulled), FEED_XML_PULL);
	cr_assert_str_eq(pushed.data, pulled.data);
	buf_release(&pushed);
	buf_release(&pulled);
}

/*
 * What a CDATA section cannot carry exactly stays as written: "]]>" once
 * decoded, a carriage return, an HTML entity, an invalid reference, and text
 * in a document that is not UTF-8. Each reads as the pull reader reads it.
 */
Test(feed, escaped_markup_kept_where_cdata_cannot_hold_it)
{
	static const char *const bodies[] = {
		"&lt;p&gt;x]]&gt;y&lt;/p&gt;&lt;br&gt;",
		"&lt;p&gt;x]&#93;&gt;y&lt;/p&gt;&lt;br&gt;",
		"&lt;p&gt;one&#13;two&lt;/p&gt;&lt;br&gt;",
		"&lt;p&gt;one\r\ntwo&lt;/p&gt;&lt;br&gt;",
		"&lt;p&gt;one&nbsp;two&lt;/p&gt;&lt;br&gt;",
		"&lt;p&gt;one&#xD800;two&lt;/p&gt;&lt;br&gt;",
		"&lt;p&gt;one&#1114112;two&lt;/p&gt;&lt;br&gt;",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bodies); i++) {
		struct buf doc = BUF_INIT, pushed = BUF_INIT, pulled = BUF_INIT;

		buf_addf(&doc,
			 "<rss version=\"2.0\"><channel><title>K</title><item>"
			 "<description>%s</description></item></channel>"
			 "</rss>",
			 bodies[i]);
		cr_expect_eq(read_with(doc.data, FEED_XML_PUSH, &pushed),
			     FEED_XML_PULL, "body %zu", i);
		read_with(doc.data, FEED_XML_PULL, &pulled);
		cr_assert_str_eq(pushed.data, pulled.data, "body %zu", i);
		buf_release(&doc);
		buf_release(&pushed);
		buf_release(&pulled);
	}
}

/* The same escaped body in a windows-1252 document is not rewritten. */
Test(feed, escaped_markup_left_in_other_encodings)
{
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"windows-1252\"?>"
		"<rss version=\"2.0\"><channel><title>W</title><item>"
		"<description>&lt;p&gt;caf\xe9 &#8364; \x80&lt;/p&gt;"
		"</description></item></channel></rss>";
	struct buf pushed = BUF_INIT;
	struct feed *f = parse_ok(doc, NULL, NULL);

	cr_assert_str_eq(f->items[0].summary,
			 "<p>caf\xc3\xa9 \xe2\x82\xac \xe2\x82\xac</p>");
	feed_free(f);
	cr_assert_eq(read_with(doc, FEED_XML_PUSH, &pushed), FEED_XML_PULL);
	buf_release(&pushed);
}

/*
 * Hostile shapes for the rewrite: one run rewritten, then 120,000 runs that
 * do not qualify (each must not copy the document so far again), and text
 * with references after the root element, at the very end of the document.
 */
Test(feed, escaped_markup_rewrite_bounded, .timeout = 20)
{
	struct buf doc = BUF_INIT;
	struct feed *f = NULL;
	size_t i;

	buf_adds(&doc, "<rss version=\"2.0\"><channel><title>T</title><item>"
		       "<description>&lt;p&gt;one &amp; two&lt;/p&gt;"
		       "</description></item>");
	for (i = 0; i < 120000; i++)
		buf_adds(&doc, "<item><description>&lt;p&gt;one&nbsp;two "
			       "three&lt;/p&gt;</description></item>");
	buf_adds(&doc, "</channel></rss>&lt;p&gt;after the end");
	cr_assert_eq(feed_parse(doc.data, doc.len, NULL, NULL, &f), ST_OK);
	cr_assert(f->recovered);
	cr_assert_eq(f->item_count, FEED_MAX_ITEMS);
	cr_assert_str_eq(f->items[0].summary, "<p>one & two</p>");
	cr_assert_str_eq(f->items[FEED_MAX_ITEMS - 1].summary,
			 "<p>one\xc2\xa0two three</p>");
	feed_free(f);
	buf_release(&doc);

	/* Where nothing was rewritten before it, a last run that stops
	 * qualifying at its first reference has written furthest past its
	 * start: "<![CDATA[" and all the text before. */
	f = parse_ok("<rss version=\"2.0\"><channel><title>T&lt;</title>"
		     "</channel></rss>bbbbbbbbbbbbbbbbbbbb&&&&",
		     NULL, NULL);
	cr_assert(f->recovered);
	feed_free(f);
}

/*
 * Rewritten only where it pays: not a body of plain text with a few
 * references, nor dense references in a document mostly of other text,
 * unless that document has CDATA sections of its own.
 */
Test(feed, escaped_markup_rewritten_where_dense)
{
	static const char dense[] = "&lt;p&gt;&lt;b&gt;A&lt;/b&gt; &amp; "
				    "&lt;i&gt;B&lt;/i&gt;&lt;/p&gt;";
	struct buf doc = BUF_INIT, pushed = BUF_INIT, pulled = BUF_INIT;
	struct feed *f;
	size_t i;

	/* Four references in some 700 bytes. */
	buf_adds(&doc, "<rss version=\"2.0\"><channel><title>S</title><item>"
		       "<description>&lt;p&gt;");
	for (i = 0; i < 100; i++)
		buf_adds(&doc, "plain ");
	buf_adds(&doc, "&lt;/p&gt;</description></item></channel></rss>");
	cr_assert_eq(read_with(doc.data, FEED_XML_PUSH, &pushed),
		     FEED_XML_PULL);
	read_with(doc.data, FEED_XML_PULL, &pulled);
	cr_assert_str_eq(pushed.data, pulled.data);

	/* A dense run, in a document of 3 KB of titles. */
	buf_reset(&doc);
	buf_adds(&doc, "<rss version=\"2.0\"><channel><title>S</title>");
	for (i = 0; i < 100; i++)
		buf_addf(&doc, "<item><title>Title %zu</title></item>", i);
	buf_addf(&doc, "<item><description>%s</description></item>", dense);
	buf_adds(&doc, "</channel></rss>");
	cr_assert_eq(read_with(doc.data, FEED_XML_PUSH, &pushed),
		     FEED_XML_PULL);

	/* The same with a CDATA section of its own: push reads it anyway. */
	buf_reset(&doc);
	buf_adds(&doc, "<rss version=\"2.0\"><channel><title><![CDATA[S]]>"
		       "</title>");
	for (i = 0; i < 100; i++)
		buf_addf(&doc, "<item><title>Title %zu</title></item>", i);
	buf_addf(&doc, "<item><description>%s</description></item>", dense);
	buf_adds(&doc, "</channel></rss>");
	buf_reset(&pushed);
	buf_reset(&pulled);
	cr_assert_eq(read_with(doc.data, FEED_XML_PUSH, &pushed),
		     FEED_XML_PUSH);
	read_with(doc.data, FEED_XML_PULL, &pulled);
	cr_assert_str_eq(pushed.data, pulled.data);
	f = parse_ok(doc.data, NULL, NULL);
	cr_assert_eq(f->item_count, 101);
	cr_assert_str_eq(f->items[100].summary, "<p><b>A</b> & <i>B</i></p>");
	feed_free(f);

	buf_release(&doc);
	buf_release(&pushed);
	buf_release(&pulled);
}

/* The body of item i of cdata_bodies_read_whole's document, into b. */
static void
cdata_body(struct buf *b, size_t i)
{
	size_t k;

	buf_reset(b);
	for (k = 0; k < 40 + i % 7; k++)
		buf_addf(b, "<p>caf\xc3\xa9 \xe6\x97\xa5%zu</p>", k);
}

/*
 * CDATA bodies with multi-byte characters, in a document of a few thousand
 * items, come out whole and in order.
 */
Test(feed, cdata_bodies_read_whole, .timeout = 20)
{
	struct buf doc = BUF_INIT, body = BUF_INIT;
	struct feed *f = NULL;
	size_t items = 0, i;

	buf_adds(&doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		       "<rss version=\"2.0\" xmlns:content=\"http://purl.org/"
		       "rss/1.0/modules/content/\"><channel><title>Bodies"
		       "</title>");
	while (doc.len < 2u * 1024 * 1024) {
		cdata_body(&body, items);
		buf_addf(&doc,
			 "<item><title>N%zu</title><content:encoded><![CDATA[%s"
			 "]]></content:encoded></item>",
			 items++, body.data);
	}
	buf_adds(&doc, "</channel></rss>");
	cr_assert_eq(feed_parse(doc.data, doc.len, NULL, NULL, &f), ST_OK);
	cr_assert_not(f->recovered);
	cr_assert_eq(f->item_count, items);
	for (i = 0; i < f->item_count; i++) {
		cdata_body(&body, i);
		cr_assert_str_eq(f->items[i].content, body.data, "item %zu", i);
	}
	feed_free(f);
	buf_release(&body);
	buf_release(&doc);
}

Test(feed, not_feeds)
{
	static const char *const docs[] = {
		"",	     "   ",	     "<html><body>hi</body></html>",
		"{\"a\":1}", "{broken json", "plain text",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(docs); i++) {
		struct feed *f = NULL;
		const char *reason = NULL;

		cr_expect_neq(feed_parse_ex(docs[i], strlen(docs[i]), NULL,
					    NULL, &f, &reason),
			      ST_OK, "doc %zu", i);
		cr_expect_not_null(reason, "doc %zu", i);
		cr_assert_null(f);
	}
}

/* Hostile XML: each is refused or bounded, quickly. */
Test(feed, billion_laughs_refused, .timeout = 10)
{
	static const char doc[] =
		"<?xml version=\"1.0\"?><!DOCTYPE rss ["
		"<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
		"<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
		"<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
		"<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
		"<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
		"<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">"
		"<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">"
		"]><rss><channel><title>&h;</title></channel></rss>";
	struct feed *f = NULL;
	const char *reason = NULL;

	cr_assert_neq(feed_parse_ex(doc, strlen(doc), NULL, NULL, &f, &reason),
		      ST_OK);
	cr_assert_not_null(strstr(reason, "entit"));
}

Test(feed, quadratic_blowup_refused, .timeout = 10)
{
	struct buf doc = BUF_INIT;
	struct feed *f = NULL;
	const char *reason = NULL;
	int i;

	buf_adds(&doc, "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"");
	for (i = 0; i < 50000; i++)
		buf_addc(&doc, 'x');
	buf_adds(&doc, "\">]><rss><channel><title>");
	for (i = 0; i < 50000; i++)
		buf_adds(&doc, "&a;");
	buf_adds(&doc, "</title></channel></rss>");
	cr_assert_eq(feed_parse_ex(doc.data, doc.len, NULL, NULL, &f, &reason),
		     ST_TOOBIG);
	cr_assert_not_null(strstr(reason, "expansion"));
	buf_release(&doc);
}

Test(feed, external_entities_never_read, .timeout = 10)
{
	static const char *const docs[] = {
		"<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "
		"\"file:///etc/passwd\">]><rss><channel><title>&xxe;</title>"
		"</channel></rss>",
		"<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY % p SYSTEM "
		"\"file:///etc/passwd\"> %p;]><rss><channel><title>t</title>"
		"</channel></rss>",
		"<?xml version=\"1.0\"?><!DOCTYPE rss SYSTEM "
		"\"file:///etc/passwd\"><rss><channel><title>t</title>"
		"</channel></rss>",
		"<?xml version=\"1.0\"?><!DOCTYPE rss SYSTEM "
		"\"http://127.0.0.1:9/evil.dtd\"><rss><channel><title>&ext;"
		"</title></channel></rss>",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(docs); i++) {
		struct feed *f = NULL;
		struct buf out = BUF_INIT;

		if (feed_parse(docs[i], strlen(docs[i]), NULL, NULL, &f))
			continue;
		feed_to_json(f, &out);
		cr_expect_null(strstr(out.data, "root:"), "doc %zu: %s", i,
			       out.data);
		buf_release(&out);
		feed_free(f);
	}
}

Test(feed, deep_nesting_bounded, .timeout = 10)
{
	/* The second has a CDATA section, which libxml2's push reader
	 * takes (feed_parse_ex()). */
	static const char *const opening[] = {
		"<rss><channel><item><description>",
		"<rss><channel><title><![CDATA[T]]></title><item><description>",
	};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(opening); k++) {
		struct buf doc = BUF_INIT;
		struct feed *f = NULL;
		int i;

		buf_adds(&doc, opening[k]);
		for (i = 0; i < 100000; i++)
			buf_adds(&doc, "<a>");
		for (i = 0; i < 100000; i++)
			buf_adds(&doc, "</a>");
		buf_adds(&doc, "</description></item></channel></rss>");
		/* libxml2 stops past 256 levels: recovered or refused, never
		 * deep. */
		if (!feed_parse(doc.data, doc.len, NULL, NULL, &f)) {
			cr_assert(f->recovered, "opening %zu", k);
			feed_free(f);
		}
		buf_release(&doc);
	}
}

Test(feed, big_document_fast, .timeout = 20)
{
	struct buf doc = BUF_INIT;
	struct feed *f = NULL;
	size_t items = 0;

	buf_adds(&doc, "<rss version=\"2.0\"><channel><title>Big</title>");
	while (doc.len < 20u * 1024 * 1024) {
		buf_addf(&doc, "<item><title>Item %zu</title><description>",
			 items++);
		for (int k = 0; k < 20; k++)
			buf_adds(&doc,
				 "&lt;p&gt;Lorem ipsum dolor sit amet, "
				 "consectetur adipiscing elit.&lt;/p&gt;");
		buf_adds(&doc, "</description></item>");
	}
	buf_adds(&doc, "</channel></rss>");
	cr_assert_eq(feed_parse(doc.data, doc.len, NULL, NULL, &f), ST_OK);
	cr_assert_eq(f->item_count, MIN(items, (size_t)FEED_MAX_ITEMS));
	feed_free(f);
	buf_release(&doc);
}

Test(feed, too_big_refused)
{
	struct feed *f = NULL;
	const char *reason = NULL;
	char dummy = '<';

	cr_assert_eq(feed_parse_ex(&dummy, (size_t)FEED_MAX_SIZE + 1, NULL,
				   NULL, &f, &reason),
		     ST_TOOBIG);
	cr_assert_not_null(reason);
}

Test(feed, json_output_shape)
{
	static const char doc[] =
		"<rss version=\"2.0\"><channel><title>T \"q\"</title>"
		"<item><title>I</title><pubDate>Thu, 01 Jan 2004 19:48:21 GMT"
		"</pubDate><enclosure url=\"http://e/a\" type=\"x/y\" "
		"length=\"7\"/></item></channel></rss>";
	struct feed *f = parse_ok(doc, NULL, NULL);
	struct buf out = BUF_INIT;
	json_t *root, *item;
	json_error_t err;

	feed_to_json(f, &out);
	root = json_loads(out.data, 0, &err);
	cr_assert_not_null(root, "invalid JSON: %s", err.text);
	cr_assert_str_eq(json_string_value(json_object_get(root, "format")),
			 "rss20");
	cr_assert_str_eq(json_string_value(json_object_get(root, "title")),
			 "T \"q\"");
	cr_assert(json_is_null(json_object_get(root, "link")));
	cr_assert(json_is_false(json_object_get(root, "recovered")));
	cr_assert(json_is_null(json_object_get(root, "error")));
	item = json_array_get(json_object_get(root, "items"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(item, "published")),
			 "2004-01-01T19:48:21Z");
	cr_assert(json_is_null(json_object_get(item, "updated")));
	cr_assert(json_is_array(json_object_get(item, "authors")));
	cr_assert_eq(
		json_integer_value(json_object_get(
			json_array_get(json_object_get(item, "enclosures"), 0),
			"length")),
		7);
	json_decref(root);
	buf_release(&out);
	feed_free(f);
}

/* Every parseable date vector gives its UTC time; every unparseable one is
 * refused. feedparser's own parsers disagree on one shape (a bare five-digit
 * "YYDDD" ordinal date is valid ISO 8601 to one, garbage to another): we
 * refuse it, as no feed writes dates that way. */
Test(feed, date_vectors)
{
	const char *root = getenv("NEWSSTAND_SRC");
	struct buf path = BUF_INIT;
	FILE *f;
	char line[1024];
	int checked = 0;

	buf_addf(&path, "%s/../shared/corpora/feedparser/date_vectors.jsonl",
		 root ? root : ".");
	f = fopen(path.data, "r");
	buf_release(&path);
	if (!f)
		cr_skip_test("feedparser date vectors not found "
			     "(../shared/corpora)");
	while (fgets(line, sizeof(line), f)) {
		json_t *row = json_loads(line, 0, NULL);
		const char *input;
		json_t *want;
		int64_t t = 0;
		enum status rc;

		if (!row)
			continue;
		input = json_string_value(json_object_get(row, "input"));
		want = json_object_get(row, "expected_utc_struct_time");
		rc = feed_date_parse(input, &t);
		if (!strcmp(input, "03335")) {
			cr_expect_neq(rc, ST_OK);
		} else if (json_is_null(want)) {
			cr_expect_neq(rc, ST_OK, "'%s' should be refused",
				      input);
		} else {
			int64_t expected =
				utc((int)json_integer_value(
					    json_array_get(want, 0)),
				    (int)json_integer_value(
					    json_array_get(want, 1)),
				    (int)json_integer_value(
					    json_array_get(want, 2)),
				    (int)json_integer_value(
					    json_array_get(want, 3)),
				    (int)json_integer_value(
					    json_array_get(want, 4)),
				    (int)json_integer_value(
					    json_array_get(want, 5)));

			cr_expect_eq(rc, ST_OK, "'%s' not parsed", input);
			cr_expect_eq(t, expected, "'%s': %lld, want %lld",
				     input, (long long)t, (long long)expected);
		}
		checked++;
		json_decref(row);
	}
	fclose(f);
	cr_assert_gt(checked, 60);
}

Test(feed, dates_of_our_own)
{
	static const struct {
		const char *in;
		int64_t want; /* 0: refused */
	} cases[] = {
		{"Tue, 10 Jun 2003 04:00:00 GMT", 1055217600},
		{"Tue, 10 Jun 2003 04:00:00 +0200", 1055210400},
		{"10 Jun 2003 04:00 EDT", 1055232000},
		{"2003-06-10T04:00:00Z", 1055217600},
		{"2003-06-10T04:00:00.123+02:00", 1055210400},
		{"2003-06-10", 1055203200},
		{"Tuesday, June 10, 2003 4:00:00 AM GMT", 1055217600},
		{"  2003-06-10T04:00:00Z  ", 1055217600},
		{"yesterday", 0},
		{"2003-13-10", 0},
		{"Feb 30 2003", 0},
		{"", 0},
		{"12:00", 0},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t t = 0;
		enum status rc = feed_date_parse(cases[i].in, &t);

		if (!cases[i].want) {
			cr_expect_neq(rc, ST_OK, "'%s'", cases[i].in);
		} else {
			cr_expect_eq(rc, ST_OK, "'%s'", cases[i].in);
			cr_expect_eq(t, cases[i].want, "'%s': %lld",
				     cases[i].in, (long long)t);
		}
	}
}

Test(feed, html_to_text)
{
	struct arena a;

	arena_init(&a, 0);
	cr_assert_str_eq(
		feed_html_to_text(&a, " <b>A</b>&amp;B &eacute;\n ", 26),
		"A&B é");
	cr_assert_str_eq(feed_html_to_text(&a, "<img alt=\"x>y\">z", 16), "z");
	cr_assert_str_eq(feed_html_to_text(&a, "a < b", 5), "a < b");
	cr_assert_str_eq(feed_decode_entities(&a, "&#x41;&#66;&bogus;&", 19),
			 "AB&bogus;&");
	arena_release(&a);
}
