/*
 * schema.c — the SQLite schema as a list of migrations. Migration N brings
 * PRAGMA user_version from N-1 to N; a released migration is never edited,
 * a change is a new migration.
 */
#include "common.h"

#include "store/internal.h"

static const char schema_v1[] =
	"CREATE TABLE publishers ("
	" id INTEGER PRIMARY KEY,"
	" slug TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" homepage TEXT,"
	" logo TEXT,"
	" description TEXT,"
	" language TEXT,"
	" country TEXT,"
	" body_selector TEXT,"
	" remove_selectors TEXT,"
	" created_at INTEGER NOT NULL);"

	"CREATE TABLE feeds ("
	" id INTEGER PRIMARY KEY,"
	" publisher_id INTEGER NOT NULL REFERENCES publishers(id)"
	"  ON DELETE CASCADE,"
	" url TEXT NOT NULL UNIQUE,"
	" title TEXT,"
	" topics TEXT NOT NULL DEFAULT '',"
	" enabled INTEGER NOT NULL DEFAULT 1,"
	" full_text INTEGER NOT NULL DEFAULT 0,"
	" allow_file INTEGER NOT NULL DEFAULT 0,"
	" page_prefix TEXT,"
	" page_dir TEXT,"
	" etag TEXT,"
	" last_modified TEXT,"
	" last_fetch_at INTEGER NOT NULL DEFAULT 0,"
	" last_success_at INTEGER NOT NULL DEFAULT 0,"
	" last_new_at INTEGER NOT NULL DEFAULT 0,"
	" next_due_at INTEGER NOT NULL DEFAULT 0,"
	" interval INTEGER NOT NULL DEFAULT 3600,"
	" http_status INTEGER NOT NULL DEFAULT 0,"
	" error_count INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT,"
	" disabled_reason TEXT,"
	" item_count INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX feeds_due ON feeds(enabled, next_due_at);"
	"CREATE INDEX feeds_publisher ON feeds(publisher_id);"

	"CREATE TABLE topics ("
	" id INTEGER PRIMARY KEY,"
	" slug TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL);"

	"CREATE TABLE stories ("
	" id INTEGER PRIMARY KEY,"
	" title TEXT,"
	" lead_article_id INTEGER,"
	" first_seen_at INTEGER NOT NULL DEFAULT 0,"
	" last_seen_at INTEGER NOT NULL DEFAULT 0,"
	" article_count INTEGER NOT NULL DEFAULT 0,"
	" publisher_count INTEGER NOT NULL DEFAULT 0,"
	" score REAL NOT NULL DEFAULT 0);"
	"CREATE INDEX stories_score ON stories(score DESC);"

	"CREATE TABLE articles ("
	" id INTEGER PRIMARY KEY,"
	" publisher_id INTEGER NOT NULL REFERENCES publishers(id)"
	"  ON DELETE CASCADE,"
	" feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,"
	" story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL,"
	" guid TEXT,"
	" url TEXT NOT NULL,"
	" title TEXT NOT NULL,"
	" byline TEXT,"
	" summary TEXT,"
	" body_html TEXT,"
	" body_text TEXT,"
	" teaser_html TEXT,"
	" teaser_text TEXT,"
	" lead_image TEXT,"
	" lead_caption TEXT,"
	" language TEXT,"
	" content_hash TEXT,"
	" fingerprint INTEGER NOT NULL DEFAULT 0,"
	" word_count INTEGER NOT NULL DEFAULT 0,"
	" published_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" fetched_at INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX articles_url ON articles(url);"
	"CREATE UNIQUE INDEX articles_feed_guid ON articles(feed_id, guid);"
	"CREATE INDEX articles_published ON articles(published_at DESC, id "
	"DESC);"
	"CREATE INDEX articles_publisher ON articles(publisher_id,"
	" published_at DESC, id DESC);"
	"CREATE INDEX articles_story ON articles(story_id);"
	"CREATE INDEX articles_hash ON articles(content_hash);"

	"CREATE TABLE article_topics ("
	" article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE "
	"CASCADE,"
	" topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,"
	" PRIMARY KEY (article_id, topic_id)) WITHOUT ROWID;"
	"CREATE INDEX article_topics_topic ON article_topics(topic_id, "
	"article_id);"

	/* External-content index: the text lives once, in articles. */
	"CREATE VIRTUAL TABLE articles_fts USING fts5("
	" title, byline, body_text,"
	" content='articles', content_rowid='id',"
	" tokenize='unicode61 remove_diacritics 2');"

	"CREATE TABLE users ("
	" id INTEGER PRIMARY KEY,"
	" email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	" password_hash TEXT NOT NULL,"
	" display_name TEXT,"
	" role TEXT NOT NULL DEFAULT 'member'"
	"  CHECK (role IN ('member', 'editor', 'publisher', 'admin')),"
	" publisher_id INTEGER REFERENCES publishers(id) ON DELETE SET NULL,"
	" onboarded INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL);"

	"CREATE TABLE sessions ("
	" id INTEGER PRIMARY KEY,"
	" user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	" token_hash BLOB NOT NULL UNIQUE,"
	" csrf_token TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" last_seen_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" user_agent TEXT,"
	" address TEXT);"
	"CREATE INDEX sessions_user ON sessions(user_id);"

	"CREATE TABLE memberships ("
	" user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
	" state TEXT NOT NULL"
	"  CHECK (state IN ('trial', 'member', 'lapsed', 'cancelled')),"
	" trial_used INTEGER NOT NULL DEFAULT 0,"
	" started_at INTEGER NOT NULL,"
	" current_period_end INTEGER NOT NULL,"
	" provider_customer TEXT,"
	" provider_subscription TEXT,"
	" updated_at INTEGER NOT NULL);"

	"CREATE TABLE billing_events ("
	" id INTEGER PRIMARY KEY,"
	" user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	" kind TEXT NOT NULL,"
	" provider_event_id TEXT UNIQUE,"
	" amount_cents INTEGER NOT NULL DEFAULT 0,"
	" currency TEXT,"
	" detail TEXT,"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX billing_events_time ON billing_events(created_at);"

	"CREATE TABLE follows ("
	" user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL CHECK (kind IN ('publisher', 'topic')),"
	" target_id INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" PRIMARY KEY (user_id, kind, target_id)) WITHOUT ROWID;"

	"CREATE TABLE saves ("
	" user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	" article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE "
	"CASCADE,"
	" created_at INTEGER NOT NULL,"
	" PRIMARY KEY (user_id, article_id)) WITHOUT ROWID;"

	/* The read ledger: one row per member, article and day. A deleted
	 * account leaves its rows anonymous (user_id NULL) for payouts. */
	"CREATE TABLE reads ("
	" id INTEGER PRIMARY KEY,"
	" user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	" article_id INTEGER NOT NULL REFERENCES articles(id),"
	" publisher_id INTEGER NOT NULL REFERENCES publishers(id),"
	" day TEXT NOT NULL,"
	" read_at INTEGER NOT NULL,"
	" hidden INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (user_id, article_id, day));"
	"CREATE INDEX reads_publisher_day ON reads(publisher_id, day);"
	"CREATE INDEX reads_day ON reads(day);"

	"CREATE TABLE picks ("
	" id INTEGER PRIMARY KEY,"
	" article_id INTEGER NOT NULL UNIQUE REFERENCES articles(id)"
	"  ON DELETE CASCADE,"
	" position INTEGER NOT NULL DEFAULT 0,"
	" note TEXT,"
	" editor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	" created_at INTEGER NOT NULL);"

	"CREATE TABLE api_tokens ("
	" id INTEGER PRIMARY KEY,"
	" user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	" name TEXT NOT NULL DEFAULT '',"
	" token_hash BLOB NOT NULL UNIQUE,"
	" created_at INTEGER NOT NULL,"
	" last_used_at INTEGER NOT NULL DEFAULT 0);";

/* Accounts: one-time password reset tokens (hashes only) and the indexes
 * of the account pages (history, billing audit, tokens, follows). */
static const char schema_v2[] =
	"CREATE TABLE password_resets ("
	" token_hash BLOB PRIMARY KEY,"
	" user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	" expires_at INTEGER NOT NULL,"
	" used_at INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX password_resets_user ON password_resets(user_id);"
	"CREATE INDEX reads_user ON reads(user_id, read_at DESC);"
	"CREATE INDEX billing_events_user ON billing_events(user_id,"
	" created_at);"
	"CREATE INDEX api_tokens_user ON api_tokens(user_id);"
	"CREATE INDEX saves_user ON saves(user_id, created_at DESC);"
	"CREATE INDEX memberships_customer ON memberships(provider_customer);";

/*
 * The reading app's speed: reads by time (top stories count the last 24
 * hours), a content version that changes only when what visitors see
 * changes (articles, stories, picks, publishers, topics; not members'
 * reads or sessions), and each article's nearest articles by text, found
 * when it is clustered, so a page does not search for them.
 *
 * The ranking module bumps the version for articles and stories (no
 * trigger on articles or stories: a trigger gives their statements a
 * statement journal, which makes the search index flush its pending terms
 * one article at a time during ingest); triggers bump it for the rest.
 * A neighbour's row may outlive it: readers join with articles.
 */
/* clang-format off */
#define CONTENT_TRIGGER(table, event)                                          \
	"CREATE TRIGGER " table "_" event "_content AFTER " event " ON " table \
	" BEGIN UPDATE meta SET content_version = content_version + 1; END;"
static const char schema_v3[] =
	"CREATE INDEX reads_read_at ON reads(read_at);"
	"CREATE TABLE meta ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" content_version INTEGER NOT NULL);"
	"INSERT INTO meta (id, content_version) VALUES (1, 1);"
	CONTENT_TRIGGER("picks", "INSERT")
	CONTENT_TRIGGER("picks", "UPDATE")
	CONTENT_TRIGGER("picks", "DELETE")
	CONTENT_TRIGGER("publishers", "INSERT")
	CONTENT_TRIGGER("publishers", "UPDATE")
	CONTENT_TRIGGER("publishers", "DELETE")
	CONTENT_TRIGGER("topics", "INSERT")
	CONTENT_TRIGGER("topics", "UPDATE")
	CONTENT_TRIGGER("topics", "DELETE")
	"CREATE TABLE article_neighbours ("
	" article_id INTEGER NOT NULL REFERENCES articles(id)"
	"  ON DELETE CASCADE,"
	" neighbour_id INTEGER NOT NULL,"
	" score REAL NOT NULL,"
	" PRIMARY KEY (article_id, neighbour_id)) WITHOUT ROWID;";
/* clang-format on */

/*
 * Clustering's features of each article (src/rank/: term hashes and
 * weights, names, title stems, fingerprint), so that an article is
 * tokenised once, when it is stored. Rows are read a day at a time
 * through articles(published_at) and by id; no index of their own, so an
 * insert costs one b-tree. Existing articles get theirs when clustering
 * first loads their day.
 */
static const char schema_v4[] =
	"CREATE TABLE article_features ("
	" article_id INTEGER PRIMARY KEY REFERENCES articles(id)"
	"  ON DELETE CASCADE,"
	" published_at INTEGER NOT NULL,"
	" blob BLOB NOT NULL);"
	/* Joining a story asks whether it has an article of the same
	 * publisher: (story_id, publisher_id) answers without a scan. */
	"DROP INDEX articles_story;"
	"CREATE INDEX articles_story ON articles(story_id, publisher_id);";

/*
 * Articles with their small columns first: SQLite reads a row's columns in
 * order, and the bodies (several KB) spill to overflow pages, so a card
 * (title, teaser, dates, lead image) or a search candidate (its date) read
 * every overflow page of both bodies first. The table is rebuilt with the
 * same columns, ids and indexes and the bodies last; the search index
 * (external content, keyed by id) stays as it is.
 *
 * store_migrate() turns foreign keys off around the migrations (SQLite's
 * way to change a table's layout), so that dropping the old table cascades
 * nowhere and the foreign keys of article_topics, saves, reads, picks and
 * article_neighbours, which name "articles", now name the new table; it
 * checks them all before committing.
 *
 * Linking an article to its story (UPDATE of story_id and fingerprint)
 * opened a statement journal, because an immediate foreign key or a NOT
 * NULL column may abort an update half done; FTS5 writes its pending terms
 * as a new segment at each statement journal, so ingest wrote the search
 * index one article at a time and merged it over and over. story_id's
 * foreign key is now deferred (checked at commit) and fingerprint may be
 * NULL (it never is: readers take NULL as 0), so the update needs none.
 *
 * A million articles take minutes to copy.
 */
static const char schema_v5[] =
	"CREATE TABLE articles_v5 ("
	" id INTEGER PRIMARY KEY,"
	" publisher_id INTEGER NOT NULL REFERENCES publishers(id)"
	"  ON DELETE CASCADE,"
	" feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,"
	" story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL"
	"  DEFERRABLE INITIALLY DEFERRED,"
	" published_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" fetched_at INTEGER NOT NULL,"
	" fingerprint INTEGER DEFAULT 0,"
	" word_count INTEGER NOT NULL DEFAULT 0,"
	" language TEXT,"
	" content_hash TEXT,"
	" title TEXT NOT NULL,"
	" byline TEXT,"
	" url TEXT NOT NULL,"
	" guid TEXT,"
	" lead_image TEXT,"
	" lead_caption TEXT,"
	" teaser_text TEXT,"
	" teaser_html TEXT,"
	" summary TEXT,"
	" body_text TEXT,"
	" body_html TEXT);"
	"INSERT INTO articles_v5 (id, publisher_id, feed_id, story_id,"
	" published_at, updated_at, fetched_at, fingerprint, word_count,"
	" language, content_hash, title, byline, url, guid, lead_image,"
	" lead_caption, teaser_text, teaser_html, summary, body_text,"
	" body_html)"
	" SELECT id, publisher_id, feed_id, story_id, published_at,"
	" updated_at, fetched_at, fingerprint, word_count, language,"
	" content_hash, title, byline, url, guid, lead_image, lead_caption,"
	" teaser_text, teaser_html, summary, body_text, body_html"
	" FROM articles ORDER BY id;"
	"DROP TABLE articles;"
	"ALTER TABLE articles_v5 RENAME TO articles;"
	"CREATE UNIQUE INDEX articles_url ON articles(url);"
	"CREATE UNIQUE INDEX articles_feed_guid ON articles(feed_id, guid);"
	"CREATE INDEX articles_published ON articles(published_at DESC, id "
	"DESC);"
	"CREATE INDEX articles_publisher ON articles(publisher_id,"
	" published_at DESC, id DESC);"
	"CREATE INDEX articles_story ON articles(story_id, publisher_id);"
	"CREATE INDEX articles_hash ON articles(content_hash);";

/*
 * Each article's neighbours in one row, packed closest first (see
 * src/store/neighbours.c), instead of a row per pair: clustering records
 * eight neighbours and the way back for every new article, sixteen rows
 * that cost the ingest writer a quarter of its time on a feed of similar
 * articles; now a row or two. neighbours_pack() is registered on the
 * writer's connection. Rows of articles gone are dropped.
 */
static const char schema_v6[] =
	"CREATE TABLE article_neighbours_v6 ("
	" article_id INTEGER PRIMARY KEY REFERENCES articles(id)"
	"  ON DELETE CASCADE,"
	" neighbours BLOB NOT NULL);"
	"INSERT INTO article_neighbours_v6 (article_id, neighbours)"
	" SELECT article_id, neighbours_pack(neighbour_id, score)"
	" FROM article_neighbours"
	" WHERE article_id IN (SELECT id FROM articles)"
	" AND neighbour_id != article_id"
	" GROUP BY article_id;"
	"DROP TABLE article_neighbours;"
	"ALTER TABLE article_neighbours_v6 RENAME TO article_neighbours;";

/*
 * The search index keyed by each article's id negated. Search reads the
 * newest matches first, and FTS5 walks a doclist backwards at a cost:
 * it reads each leaf page forwards first to find its entries. Forwards,
 * the newest 50 articles holding two common words cost 25-35 % less at a
 * million articles. The index's content is a view of the articles that
 * gives the negated id, newest first, so that a rebuild inserts rowids in
 * ascending order (FTS5 writes a segment out whenever a rowid is not above
 * the one before); nothing reads the index's columns back by rowid. The
 * new index is merged into one segment. A million articles take about
 * six minutes (five to index, one to merge).
 */
static const char schema_v7[] =
	"DROP TABLE articles_fts;"
	"CREATE VIEW articles_search AS"
	" SELECT -id AS rid, title, byline, body_text FROM articles"
	" ORDER BY id DESC;"
	"CREATE VIRTUAL TABLE articles_fts USING fts5("
	" title, byline, body_text,"
	" content='articles_search', content_rowid='rid',"
	" tokenize='unicode61 remove_diacritics 2');"
	"INSERT INTO articles_fts(articles_fts, rank)"
	" VALUES('hashsize', 67108864);"
	"INSERT INTO articles_fts(articles_fts) VALUES('rebuild');"
	"INSERT INTO articles_fts(articles_fts) VALUES('optimize');"
	"INSERT INTO articles_fts(articles_fts, rank)"
	" VALUES('hashsize', 1048576);";

/*
 * An article's teaser (text and HTML) and its summary are usually the start
 * of its body with an ellipsis (and, for the HTML, the tags it closes):
 * a third of a row said twice. Each is now stored as the number of bytes
 * of the body it begins with (NULL: none, the value is stored whole) and
 * the rest, and read back through a generated column of its old name, so
 * readers select it as before (store/articles.c writes the two parts).
 * The body is cut as a blob: no characters are counted. Rows stored before
 * keep their values whole; no row is copied. The cut columns come after
 * the bodies (ALTER TABLE adds at the end): a NULL one is known from the
 * row's header, a number is read with the body it cuts, which the value
 * needs anyway; only bodies short enough for the row to keep to its page
 * are cut into. A later rebuild of the table copies the *_cut and *_rest
 * columns and declares the generated ones again.
 */
#define BODY_PREFIX(col, body)                                                 \
	"ALTER TABLE articles RENAME COLUMN " col " TO " col "_rest;"          \
	"ALTER TABLE articles ADD COLUMN " col "_cut INTEGER;"                 \
	"ALTER TABLE articles ADD COLUMN " col " TEXT GENERATED ALWAYS AS"     \
	" (CASE WHEN " col "_cut IS NULL THEN " col "_rest"                    \
	" ELSE CAST(substr(CAST(" body " AS BLOB), 1, " col "_cut) AS TEXT)"   \
	" || " col "_rest END) VIRTUAL;"
/* clang-format off */
static const char schema_v8[] =
	BODY_PREFIX("summary", "body_text")
	BODY_PREFIX("teaser_text", "body_text")
	BODY_PREFIX("teaser_html", "body_html");
/* clang-format on */

/*
 * Each feed keeps the digests of the items of its last document stored
 * whole, so that a document fetched again (a 200 without validators, or
 * with other items changed) skips preparing the items it already stored.
 */
static const char schema_v9[] =
	"ALTER TABLE feeds ADD COLUMN item_digests BLOB;";

/*
 * And a digest of that document whole: the same bytes fetched again (a
 * server that sends neither ETag nor Last-Modified) are not parsed.
 */
static const char schema_v10[] =
	"ALTER TABLE feeds ADD COLUMN body_digest BLOB;";

const char *const store_migrations[] = {
	schema_v1, schema_v2, schema_v3, schema_v4, schema_v5,
	schema_v6, schema_v7, schema_v8, schema_v9, schema_v10,
};
const size_t store_migration_count = ARRAY_SIZE(store_migrations);
