/*
 * pipeline.c — one feed document into the store, and a batch of feeds from
 * the network into the store with their fetch state kept.
 */
#include "common.h"

/* XXH3's state on the stack (XXH3_INITSTATE()) instead of the heap. */
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "base/url.h"
#include "feed/feed.h"
#include "fetch/fetch.h"
#include "html/extract.h"
#include "ingest/ingest.h"
#include "ingest/internal.h"
#include "rank/rank.h"

enum {
	/* Items whose text is shorter than this get their page extracted
	 * when the feed carries only summaries. */
	SHORT_TEXT = 500,
	/* Pages extracted per feed update at most (the rest next time). */
	MAX_EXTRACTIONS = 50,
	/* Item digests a feed keeps at most (a document's first items). */
	MAX_DIGESTS = 4096,
};

/*
 * What an item digest stands for: the output of preparing an item (its
 * text, hence its content hash) follows from the item, from this code and
 * from gumbo, which parses the body. Bump PREPARE_VERSION when the
 * sanitiser, the text or the title cleaning change what an unchanged item
 * becomes; a new release or another gumbo re-prepares anyway.
 */
#define PREPARE_VERSION                                                        \
	"newsstand " NEWSSTAND_VERSION " gumbo " GUMBO_PKG_VERSION " prepare " \
	"1"

/* An item on its way to the store. */
struct pending {
	struct article article; /* normalised; body filled in later */
	char *raw_html;		/* the body as received or extracted */
	bool skip;		/* could not become an article */
	bool wants_page;	/* its page may complete the text */
	bool extract;		/* not stored yet: extract its page */
	bool summary_from_body; /* the body is the summary: take it from there
				 */
	struct rank_features features; /* for clustering, made by a worker */
	bool cluster;		       /* stored new or changed: cluster it */
	/* item_digest() when the item can be recognised (no page to extract;
	 * normalising gives every item a guid), and whether the feed stored
	 * it so last time: then it is not prepared unless the writer finds
	 * its article gone. */
	unsigned char digest[STORE_DIGEST_LEN];
	bool has_digest;
	bool known;
	bool settled; /* stored, or found stored, as this feed's article */
};

/*
 * A feed's item and document digests are XXH3's 128 bits, not BLAKE2b's:
 * each is only ever compared with the digests the same feed stored before,
 * so a collision made on purpose could only hide the feed's own change from
 * itself, and the publisher can serve what it likes anyway. Hashing the
 * document and every item's body took an eighth of a worker's time on
 * bench/refresh.sh's first round with BLAKE2b (docs/benchmarks/ingest.md).
 * The content hash, which compares one article with others, stays BLAKE2b.
 */
static void
digest_begin(XXH3_state_t *h)
{
	XXH3_INITSTATE(h);
	XXH3_128bits_reset(h);
}

_Static_assert(sizeof(XXH128_canonical_t) == STORE_DIGEST_LEN,
	       "a stored digest is XXH3's 128 bits");

static void
digest_end(XXH3_state_t *h, unsigned char out[STORE_DIGEST_LEN])
{
	XXH128_canonical_t c;

	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(h));
	memcpy(out, c.digest, STORE_DIGEST_LEN);
}

/* Adds one length-prefixed field (NULL apart from "") to a digest. */
static void
digest_field(XXH3_state_t *h, const char *s)
{
	uint64_t len = s ? strlen(s) : UINT64_MAX;

	XXH3_128bits_update(h, &len, sizeof(len));
	if (s)
		XXH3_128bits_update(h, s, len);
}

/*
 * The digest of what decides whether a stored item is unchanged (its
 * guid, its URL, its title, and the body its text is made from), so that
 * an equal digest means preparing it again would give the stored text.
 */
static void
item_digest(const struct pending *p, unsigned char out[STORE_DIGEST_LEN])
{
	XXH3_state_t h;

	digest_begin(&h);
	digest_field(&h, PREPARE_VERSION);
	digest_field(&h, p->article.guid);
	digest_field(&h, p->article.url);
	digest_field(&h, p->article.title);
	digest_field(&h, p->raw_html);
	digest_end(&h, out);
}

bool
ingest_same_body(struct ingest_doc *d, const char *body, size_t len,
		 const char *content_type)
{
	XXH3_state_t h;
	unsigned char settings[2 + sizeof(int64_t)];
	uint64_t n = len;

	digest_begin(&h);
	digest_field(&h, PREPARE_VERSION);
	digest_field(&h, d->feed->url);
	digest_field(&h, content_type);
	/* The feed's settings that preparing reads: a document stored under
	 * others is parsed again. */
	digest_field(&h, d->feed->topics);
	digest_field(&h, d->feed->page_prefix);
	digest_field(&h, d->feed->page_dir);
	settings[0] = (unsigned char)d->feed->full_text;
	settings[1] = (unsigned char)d->feed->allow_file;
	memcpy(settings + 2, &d->feed->publisher_id, sizeof(int64_t));
	XXH3_128bits_update(&h, settings, sizeof(settings));
	XXH3_128bits_update(&h, &n, sizeof(n));
	XXH3_128bits_update(&h, body, len);
	digest_end(&h, d->body_digest);
	d->same_body =
		d->feed->has_body_digest &&
		!memcmp(d->feed->body_digest, d->body_digest, STORE_DIGEST_LEN);
	return d->same_body;
}

static int
digest_cmp(const void *a, const void *b)
{
	return memcmp(a, b, STORE_DIGEST_LEN);
}

/* Whether f stored an item with digest d from its last document. */
static bool
digest_known(const struct store_feed *f, const unsigned char *d)
{
	return f->item_digest_count &&
	       bsearch(d, f->item_digests, f->item_digest_count,
		       STORE_DIGEST_LEN, digest_cmp) != NULL;
}

/*
 * Reads an article page: a bundled file when the feed maps the URL to a
 * folder (the demo catalogue), the network otherwise.
 */
static char *
read_page(const struct store_feed *f, const char *url, size_t *len)
{
	struct fetch_options opts = {.accept = "text/html,*/*;q=0.5"};
	struct fetch_result res = {0};
	char *body = NULL;

	if (f->page_prefix && f->page_dir &&
	    !strncmp(url, f->page_prefix, strlen(f->page_prefix))) {
		struct buf path = BUF_INIT;
		const char *rest = url + strlen(f->page_prefix);
		size_t rest_len = strcspn(rest, "?#");
		FILE *file;

		if (strstr(rest, ".."))
			return NULL;
		while (rest_len && rest[rest_len - 1] == '/')
			rest_len--;
		buf_addf(&path, "%s/%.*s.html", f->page_dir, (int)rest_len,
			 rest);
		file = fopen(path.data, "rb");
		if (file) {
			struct buf content;
			char chunk[16384];
			size_t n;

			buf_init(&content, (size_t)config.fetch_max_body);
			while ((n = fread(chunk, 1, sizeof(chunk), file)) > 0)
				buf_add(&content, chunk, n);
			fclose(file);
			if (!content.err)
				body = buf_detach(&content, len);
			buf_release(&content);
		}
		buf_release(&path);
		return body;
	}
	if (fetch_one(url, &opts, &res) == ST_OK && res.body) {
		body = res.body;
		*len = res.body_len;
		res.body = NULL;
	} else {
		log_info("ingest: page %s: %s", url,
			 res.error ? res.error : "not fetched");
	}
	fetch_result_release(&res);
	return body;
}

/* Replaces a summary-only body with the article extracted from its page. */
static void
extract_page(const struct store_feed *f, const struct publisher *pub,
	     struct pending *p)
{
	struct extract_options opts = {
		.body_selector = pub->body_selector,
		.remove_selectors = pub->remove_selectors,
	};
	struct extract_result *ex = NULL;
	size_t len = 0;
	char *page;

	page = read_page(f, p->article.url, &len);
	if (!page)
		return;
	if (html_extract(page, len, p->article.url, &opts, &ex) == ST_OK &&
	    ex->html && ex->text && strlen(ex->text) > SHORT_TEXT / 2) {
		free(p->raw_html);
		p->raw_html = xstrdup(ex->html);
		if (!p->article.byline && ex->byline && *ex->byline)
			p->article.byline = xstrdup(ex->byline);
		if (!p->article.lead_image && ex->lead_image &&
		    url_is_http(ex->lead_image)) {
			p->article.lead_image = xstrdup(ex->lead_image);
			if (ex->lead_image_caption && *ex->lead_image_caption)
				p->article.lead_caption =
					xstrdup(ex->lead_image_caption);
		}
	}
	extract_result_free(ex);
	free(page);
}

static bool
wants_page(const struct store_feed *f, const struct feed_item *item)
{
	const char *body = item->content ? item->content : item->summary;

	if (f->full_text)
		return true;
	return !item->content && (!body || strlen(body) < SHORT_TEXT);
}

void
ingest_doc_release(struct ingest_doc *d)
{
	size_t i;

	for (i = 0; d->items && i < d->item_count; i++) {
		article_release(&d->items[i].article);
		free(d->items[i].raw_html);
		rank_features_release(&d->items[i].features);
	}
	free(d->items);
	free(d->title);
	free(d->error);
	publisher_release(&d->publisher);
	memset(d, 0, sizeof(*d));
}

/*
 * Sanitises an item's body and derives its text, teaser and hashes,
 * and its features for clustering (which carry the fingerprint): the
 * writer only compares them.
 */
static void
prepare_item(struct pending *p, struct ingest_stats *stats)
{
	struct article *a = &p->article;

	if (ingest_prepare_body(a, p->raw_html)) {
		p->skip = true;
		stats->skipped++;
	} else {
		if (p->summary_from_body)
			ingest_summary_from_body(a);
		rank_features_build(&p->features, a->title,
				    a->body_text && *a->body_text ? a->body_text
								  : a->summary);
		a->fingerprint = p->features.fingerprint;
	}
	/* The sanitised copy is all that is needed from here on. */
	free(p->raw_html);
	p->raw_html = NULL;
}

/* Prepares every item but those known unchanged (the writer checks them). */
static void
prepare_bodies(struct ingest_doc *d)
{
	size_t i;

	for (i = 0; i < d->item_count; i++)
		if (!d->items[i].skip && !d->items[i].known)
			prepare_item(&d->items[i], &d->stats);
}

static int
guid_cmp(const void *a, const void *b)
{
	const struct pending *x = *(const struct pending *const *)a,
			     *y = *(const struct pending *const *)b;

	return strcmp(x->article.guid, y->article.guid);
}

/* Marks in shared the items whose guid another item of d has too. */
static void
mark_shared_guids(const struct ingest_doc *d, bool *shared)
{
	const struct pending **by_guid =
		xcalloc(d->item_count ? d->item_count : 1, sizeof(*by_guid));
	size_t n = 0, i, j, k;

	for (i = 0; i < d->item_count; i++)
		if (d->items[i].article.guid)
			by_guid[n++] = &d->items[i];
	qsort(by_guid, n, sizeof(*by_guid), guid_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && !guid_cmp(&by_guid[i], &by_guid[j]);
		     j++)
			;
		for (k = i; j - i > 1 && k < j; k++)
			shared[by_guid[k] - d->items] = true;
	}
	free(by_guid);
}

/*
 * Takes the digest of each item that can be recognised and marks those the
 * feed stored as they are. Not items that may have their page extracted,
 * nor those whose guid the document repeats: they write one article in
 * turn, each compared with what the one before it wrote.
 */
static void
recognise_items(struct ingest_doc *d)
{
	bool *shared = xcalloc(d->item_count ? d->item_count : 1, 1);
	size_t i;

	mark_shared_guids(d, shared);
	for (i = 0; i < d->item_count; i++) {
		struct pending *p = &d->items[i];

		if (p->skip || p->wants_page || !p->article.guid || shared[i])
			continue;
		item_digest(p, p->digest);
		p->has_digest = true;
		p->known = digest_known(d->feed, p->digest);
	}
	free(shared);
}

void
ingest_prepare(struct store *s, struct ingest_doc *d, const char *body,
	       size_t len, const char *content_type)
{
	const struct store_feed *f = d->feed;
	struct feed *doc = NULL;
	const char *reason = NULL;
	size_t i, wanted = 0;
	enum status rc;

	rc = feed_parse_ex(body, len, f->url, content_type, &doc, &reason);
	if (rc) {
		struct buf msg = BUF_INIT;

		buf_addf(&msg, "not a feed: %s",
			 reason ? reason : status_str(rc));
		d->status = rc;
		d->error = buf_detach(&msg, NULL);
		return;
	}
	d->stats.bytes += len;
	d->stats.items += doc->item_count;
	if (doc->title)
		d->title = xstrdup(doc->title);
	d->item_count = doc->item_count;
	d->items = xcalloc(doc->item_count ? doc->item_count : 1,
			   sizeof(*d->items));
	for (i = 0; i < doc->item_count; i++) {
		const struct feed_item *item = &doc->items[i];
		struct pending *p = &d->items[i];

		p->wants_page = wants_page(f, item);
		/* A summary that is also the body (and stays so: no page to
		 * extract) is read from the sanitised body, not parsed twice.
		 */
		p->summary_from_body =
			!item->content && item->summary && !p->wants_page;
		if (ingest_normalise_item(f, doc, item, f->url,
					  p->summary_from_body, &p->article)) {
			p->skip = true;
			d->stats.skipped++;
			continue;
		}
		p->raw_html = xstrdup(item->content   ? item->content
				      : item->summary ? item->summary
						      : "");
		wanted += p->wants_page;
	}
	feed_free(doc);
	recognise_items(d);
	if (!wanted) {
		prepare_bodies(d);
		return;
	}
	d->needs_lookup = true;
	if (s) {
		ingest_lookup(s, d);
		ingest_extract(d);
	}
}

void
ingest_lookup(struct store *s, struct ingest_doc *d)
{
	size_t i, extractions = 0;

	for (i = 0; i < d->item_count && extractions < MAX_EXTRACTIONS; i++) {
		struct pending *p = &d->items[i];
		int64_t existing = 0;

		if (p->skip || !p->wants_page)
			continue;
		if (store_article_find(s, d->feed->id, p->article.guid,
				       p->article.url, &existing) ||
		    existing)
			continue;
		if (!d->publisher.id &&
		    store_publisher_get(s, d->feed->publisher_id,
					&d->publisher) != ST_OK)
			memset(&d->publisher, 0, sizeof(d->publisher));
		p->extract = true;
		extractions++;
	}
}

void
ingest_extract(struct ingest_doc *d)
{
	size_t i;

	/* Page fetches may take seconds: this runs outside the write
	 * transaction and must not hold the database's write lock. */
	for (i = 0; i < d->item_count; i++)
		if (d->items[i].extract && !d->items[i].skip)
			extract_page(d->feed, &d->publisher, &d->items[i]);
	d->needs_lookup = false;
	prepare_bodies(d);
}

void
ingest_stats_add(struct ingest_stats *dst, const struct ingest_stats *src)
{
	dst->feeds += src->feeds;
	dst->failed += src->failed;
	dst->not_modified += src->not_modified;
	dst->items += src->items;
	dst->created += src->created;
	dst->updated += src->updated;
	dst->unchanged += src->unchanged;
	dst->duplicates += src->duplicates;
	dst->skipped += src->skipped;
	dst->known += src->known;
	dst->bytes += src->bytes;
}

/*
 * A known item (not prepared) whose article is still stored as this feed's
 * is unchanged; one that is gone is prepared now and stored anew. The item
 * stays known until it is prepared: a batch rolled back and written again
 * checks it again, and one prepared here is a prepared item then. What the
 * preparing skips is counted in this attempt's stats and in d's, which a
 * retry starts from.
 */
static enum status
check_known(struct store *s, struct ingest_doc *d, struct pending *p,
	    struct ingest_stats *st, bool *unchanged)
{
	int64_t id = 0;
	enum status rc;

	*unchanged = false;
	rc = store_article_find(s, d->feed->id, p->article.guid, NULL, &id);
	if (rc)
		return rc;
	if (id) {
		p->article.id = id;
		*unchanged = true;
		return ST_OK;
	}
	prepare_item(p, &d->stats);
	p->known = false;
	st->skipped += p->skip;
	return ST_OK;
}

/* The digests of the items stored as f's articles, sorted, replace f's. */
static void
keep_digests(struct ingest_doc *d)
{
	struct store_feed *f = d->feed;
	unsigned char *all = NULL;
	size_t n = 0, kept = 0, i;

	for (i = 0; i < d->item_count && n < MAX_DIGESTS; i++)
		n += d->items[i].settled && d->items[i].has_digest;
	if (n) {
		all = xmalloc(n * STORE_DIGEST_LEN);
		for (i = 0; i < d->item_count && kept < n; i++)
			if (d->items[i].settled && d->items[i].has_digest)
				memcpy(all + kept++ * STORE_DIGEST_LEN,
				       d->items[i].digest, STORE_DIGEST_LEN);
		qsort(all, n, STORE_DIGEST_LEN, digest_cmp);
	}
	free(f->item_digests);
	f->item_digests = all;
	f->item_digest_count = n;
}

static enum status
insert_placed(struct store *s, struct article *a, void *ctx)
{
	(void)ctx;
	return store_article_insert(s, a);
}

enum status
ingest_write(struct store *s, struct rank_index *ix, struct ingest_doc *d,
	     struct ingest_stats *stats, char **error)
{
	struct store_feed *f = d->feed;
	struct ingest_stats st = d->stats;
	enum status rc = ST_OK;
	size_t i;

	*error = NULL;
	for (i = 0; i < d->item_count; i++) {
		struct pending *p = &d->items[i];
		struct article *a = &p->article;
		enum article_put_result res;
		bool unchanged = false;

		p->settled = false; /* written again after a rollback */
		if (p->known) {
			rc = check_known(s, d, p, &st, &unchanged);
			if (rc)
				break;
			if (unchanged) {
				st.unchanged++;
				st.known++;
				p->settled = true;
				continue;
			}
		}
		if (p->skip)
			continue;
		rc = ix ? store_article_place(s, a, &res)
			: store_article_put(s, a, &res);
		if (!rc && ix && res == ARTICLE_CREATED)
			rc = rank_assign_new(ix, s, a, &p->features,
					     insert_placed, NULL);
		if (rc == ST_INVAL) {
			rc = ST_OK;
			st.skipped++;
			continue;
		}
		if (rc)
			break;
		p->settled = res != ARTICLE_DUPLICATE;
		switch (res) {
		case ARTICLE_CREATED:
			st.created++;
			break;
		case ARTICLE_UPDATED:
			st.updated++;
			break;
		case ARTICLE_UNCHANGED:
			st.unchanged++;
			break;
		case ARTICLE_DUPLICATE:
			st.duplicates++;
			break;
		}
		p->cluster = res == ARTICLE_UPDATED ||
			     (res == ARTICLE_CREATED && !ix);
	}
	if (rc) {
		*error = xstrdup(store_errmsg(s));
		return rc;
	}
	if (d->title && (!f->title || strcmp(f->title, d->title))) {
		free(f->title);
		f->title = xstrdup(d->title);
	}
	keep_digests(d);
	ingest_stats_add(stats, &st);
	return ST_OK;
}

enum status
ingest_cluster(struct store *s, struct rank_index *ix, struct ingest_doc *d,
	       char **error)
{
	enum status rc;
	size_t i;

	*error = NULL;
	for (i = 0; i < d->item_count; i++) {
		struct pending *p = &d->items[i];

		if (!p->cluster)
			continue;
		rc = rank_assign(ix, s, &p->article, &p->features);
		if (rc) {
			*error = xstrdup(store_errmsg(s));
			return rc;
		}
		p->cluster = false;
	}
	return ST_OK;
}

enum status
ingest_document(struct store *s, struct store_feed *f, const char *body,
		size_t len, const char *content_type,
		struct ingest_stats *stats, char **error)
{
	struct ingest_doc d = {.feed = f};
	struct rank_index *ix = NULL;
	/* The digests of what is stored: back to these should it fail. */
	unsigned char *digests = f->item_digests;
	size_t digest_count = f->item_digest_count;
	enum status rc;

	*error = NULL;
	f->item_digests = NULL;
	f->item_digest_count = 0;
	if (digest_count) {
		f->item_digests = xmalloc(digest_count * STORE_DIGEST_LEN);
		memcpy(f->item_digests, digests,
		       digest_count * STORE_DIGEST_LEN);
		f->item_digest_count = digest_count;
	}
	ingest_prepare(s, &d, body, len, content_type);
	if (d.status) {
		rc = d.status;
		*error = d.error;
		d.error = NULL;
		goto out;
	}
	rc = store_begin(s);
	if (rc) {
		*error = xstrdup("could not begin a transaction");
		goto out;
	}
	/* One document: an index for its days only, in the transaction (a new
	 * article's neighbours wait for its row: rank_index_flush()). */
	ix = rank_index_new(0);
	rc = rank_index_begin(ix, s);
	if (rc)
		*error = xstrdup("could not load the stories");
	else
		rc = ingest_write(s, ix, &d, stats, error);
	if (!rc)
		rc = ingest_cluster(s, ix, &d, error);
	if (!rc) {
		rc = rank_index_flush(ix, s);
		if (rc)
			*error = xstrdup("could not store the neighbours");
	}
	/* The digests go with the articles they stand for; the body digest
	 * stands for a fetched document, which this one may not be. */
	f->has_body_digest = false;
	if (!rc && f->id) {
		rc = store_feed_save_digests(s, f);
		if (rc == ST_NOTFOUND)
			rc = ST_OK;
		else if (rc)
			*error = xstrdup("could not save the feed's digests");
	}
	if (rc) {
		store_rollback(s);
		goto out;
	}
	rc = store_commit(s);
	if (rc)
		*error = xstrdup("could not commit");
out:
	if (rc) {
		free(f->item_digests);
		f->item_digests = digests;
		f->item_digest_count = digest_count;
	} else {
		free(digests);
	}
	rank_index_free(ix);
	ingest_doc_release(&d);
	return rc;
}
