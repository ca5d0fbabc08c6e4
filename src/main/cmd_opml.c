/*
 * cmd_opml.c — newsstand opml import FILE|URL and newsstand opml export:
 * the catalogue as an OPML subscription list.
 *
 * Import: every subscription becomes a feed of a publisher named after it
 * (the publisher with the same slug is reused); its folders and categories
 * become topics. A feed already in the catalogue is merged: its topics
 * grow. Export writes every feed, titled with its publisher's name, with
 * its topics as categories.
 */
#include "common.h"

#include <ctype.h>
#include <unistd.h>

#include "base/config.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/url.h"
#include "feed/opml.h"
#include "fetch/fetch.h"
#include "main/cli.h"
#include "main/commands.h"
#include "store/store.h"

static const char usage[] =
	"newsstand opml import FILE|URL [--data-dir DIR]\n"
	"newsstand opml export [--data-dir DIR] > subscriptions.opml\n\n"
	"import adds every subscription of an OPML 1.0 or 2.0 list as a feed\n"
	"(one publisher per subscription, folders and categories as topics);\n"
	"feeds already in the catalogue are merged. It ends with a summary:\n"
	"added, merged, failed with reasons.";

/* Lower-case letters, digits and single dashes, at most size - 1 bytes. */
static void
slugify(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s && n + 1 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c))
			out[n++] = (char)tolower(c);
		else if (n && out[n - 1] != '-')
			out[n++] = '-';
	}
	while (n && out[n - 1] == '-')
		n--;
	out[n] = '\0';
}

static char *
read_source(const char *src, size_t *len)
{
	struct buf b;

	buf_init(&b, 32u << 20);
	if (!strncmp(src, "http://", 7) || !strncmp(src, "https://", 8)) {
		struct fetch_result res = {0};
		struct fetch_options opts = {
			.accept = "text/x-opml, application/xml;q=0.9, "
				  "*/*;q=0.5"};

		if (fetch_global_init())
			return NULL;
		if (fetch_one(src, &opts, &res) || !res.body) {
			fprintf(stderr, "newsstand opml: %s: %s\n", src,
				res.error ? res.error : "not fetched");
			fetch_result_release(&res);
			fetch_global_cleanup();
			return NULL;
		}
		buf_add(&b, res.body, res.body_len);
		fetch_result_release(&res);
		fetch_global_cleanup();
	} else {
		enum status rc = fs_read_file(src, &b);

		if (rc == ST_IO) {
			fprintf(stderr, "newsstand opml: %s: %s\n", src,
				strerror(errno));
			buf_release(&b);
			return NULL;
		}
	}
	if (b.err) {
		fprintf(stderr, "newsstand opml: %s: larger than 32 MiB\n",
			src);
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}

/* Topic slugs for an outline's categories, creating missing topics. */
static enum status
outline_topics(struct store *s, const struct opml_outline *o, struct buf *out)
{
	size_t i;

	for (i = 0; i < o->category_count; i++) {
		char slug[64];
		struct topic t = {0};
		const char *name = o->categories[i];
		const char *slash = strrchr(name, '/');
		enum status rc;

		/* "News/World": the innermost folder names the topic. */
		if (slash && slash[1])
			name = slash + 1;
		slugify(name, slug, sizeof(slug));
		if (!*slug)
			continue;
		if (store_topic_by_slug(s, slug, &t) == ST_OK) {
			topic_release(&t);
		} else {
			t.slug = slug;
			t.name = (char *)name;
			rc = store_topic_put(s, &t);
			if (rc)
				return rc;
		}
		if (out->len)
			buf_addc(out, ',');
		buf_adds(out, slug);
	}
	return out->err;
}

/* Adds to a comma-separated list the items of more that it lacks. */
static char *
merge_lists(const char *have, const char *more)
{
	struct buf b = BUF_INIT;
	const char *p = more;

	buf_adds(&b, have ? have : "");
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const char *q = b.data;
		bool found = false;

		while (*q && !found) {
			size_t m = strcspn(q, ",");

			found = m == n && !strncmp(q, p, n);
			q += m + (q[m] == ',');
		}
		if (!found && n) {
			if (b.len)
				buf_addc(&b, ',');
			buf_add(&b, p, n);
		}
		p = comma ? comma + 1 : NULL;
	}
	return buf_detach(&b, NULL);
}

struct import_counts {
	size_t added, merged, failed;
};

static enum status
import_outline(struct store *s, const struct opml_outline *o,
	       struct import_counts *counts)
{
	struct publisher p = {0};
	struct store_feed f = {0}, existing;
	struct buf topics = BUF_INIT;
	char slug[64], *host = NULL;
	enum status rc;

	if (!url_is_http(o->xml_url)) {
		fprintf(stderr, "  failed: %s: not an http(s) URL\n",
			o->xml_url);
		counts->failed++;
		return ST_OK;
	}
	rc = outline_topics(s, o, &topics);
	if (rc)
		goto out;
	if (store_feed_by_url(s, o->xml_url, &existing) == ST_OK) {
		char *merged = merge_lists(existing.topics, topics.data);

		free(existing.topics);
		existing.topics = merged;
		rc = store_feed_save_settings(s, &existing);
		store_feed_release(&existing);
		if (!rc)
			counts->merged++;
		goto out;
	}
	slugify(o->title, slug, sizeof(slug));
	if (!*slug) {
		host = url_host(o->xml_url);
		slugify(host ? host : "feed", slug, sizeof(slug));
	}
	if (store_publisher_by_slug(s, slug, &p) != ST_OK) {
		memset(&p, 0, sizeof(p));
		p.slug = xstrdup(slug);
		p.name = xstrdup(o->title);
		p.homepage = o->html_url && url_is_http(o->html_url)
				     ? xstrdup(o->html_url)
				     : NULL;
		rc = store_publisher_put(s, &p);
		if (rc)
			goto out;
	}
	f.publisher_id = p.id;
	f.url = (char *)o->xml_url;
	f.topics = topics.data;
	f.enabled = true;
	rc = store_feed_add(s, &f);
	if (rc == ST_EXISTS) {
		counts->merged++;
		rc = ST_OK;
	} else if (!rc) {
		counts->added++;
	}
out:
	free(host);
	publisher_release(&p);
	buf_release(&topics);
	return rc;
}

static int
opml_import(const char *src)
{
	struct store *s = NULL;
	struct opml *doc = NULL;
	struct import_counts counts = {0};
	const char *reason = NULL;
	size_t len, i;
	char *data = read_source(src, &len);
	int rc = EXIT_FAIL;
	bool progress = isatty(2);

	if (!data)
		return EXIT_FAIL;
	if (opml_parse(data, len, &doc, &reason)) {
		fprintf(stderr,
			"newsstand opml: %s is not a usable OPML "
			"document: %s\n",
			src, reason ? reason : "parse error");
		goto out;
	}
	if (store_open(config.data_dir, STORE_WRITE, 0, &s) || store_begin(s))
		goto out;
	for (i = 0; i < doc->outline_count; i++) {
		if (import_outline(s, &doc->outlines[i], &counts)) {
			store_rollback(s);
			fprintf(stderr,
				"newsstand opml: stopped at %s; nothing "
				"was imported\n",
				doc->outlines[i].xml_url);
			goto out;
		}
		if (progress && (i + 1) % 50 == 0)
			fprintf(stderr, "imported %zu/%zu\r", i + 1,
				doc->outline_count);
	}
	if (store_commit(s))
		goto out;
	if (progress && doc->outline_count >= 50)
		fputc('\n', stderr);
	printf("%zu subscriptions: %zu added, %zu merged, %zu failed\n",
	       doc->outline_count, counts.added, counts.merged, counts.failed);
	rc = EXIT_OK;
out:
	store_close(s);
	opml_free(doc);
	free(data);
	return rc;
}

static int
opml_export(void)
{
	struct store *s = NULL;
	struct store_feed_list feeds = {0};
	struct publisher_list pubs = {0};
	struct opml_outline *outlines = NULL;
	char ***cats = NULL;
	struct buf out = BUF_INIT;
	size_t i, j;
	int rc = EXIT_FAIL;

	if (store_open(config.data_dir, STORE_READ, 0, &s) ||
	    store_feed_list(s, 0, &feeds) || store_publisher_list(s, &pubs))
		goto out;
	outlines = xcalloc(feeds.count + 1, sizeof(*outlines));
	cats = xcalloc(feeds.count + 1, sizeof(*cats));
	for (i = 0; i < feeds.count; i++) {
		const struct store_feed *f = &feeds.items[i];
		const struct publisher *p = NULL;
		size_t n = 0;
		const char *t = f->topics;

		for (j = 0; j < pubs.count; j++)
			if (pubs.items[j].id == f->publisher_id)
				p = &pubs.items[j];
		outlines[i].title = p ? p->name : f->url;
		outlines[i].xml_url = f->url;
		outlines[i].html_url = p ? p->homepage : NULL;
		cats[i] = xcalloc(strlen(t ? t : "") / 2 + 2, sizeof(char *));
		while (t && *t) {
			size_t m = strcspn(t, ",");

			if (m)
				cats[i][n++] = xstrndup(t, m);
			t += m + (t[m] == ',');
		}
		outlines[i].categories = (const char **)cats[i];
		outlines[i].category_count = n;
	}
	opml_write(outlines, feeds.count, "newsstand subscriptions", &out);
	if (fwrite(out.data, 1, out.len, stdout) == out.len && !fflush(stdout))
		rc = EXIT_OK;
out:
	for (i = 0; cats && i < feeds.count; i++) {
		for (j = 0; cats[i] && cats[i][j]; j++)
			free(cats[i][j]);
		free(cats[i]);
	}
	free(cats);
	free(outlines);
	buf_release(&out);
	store_feed_list_release(&feeds);
	publisher_list_release(&pubs);
	store_close(s);
	return rc;
}

int
cmd_opml(int argc, char **argv)
{
	static const struct cli_option opts[] = {CLI_DATA_DIR, CLI_LOG_LEVEL,
						 CLI_END};
	int nargs, rc;

	rc = cli_parse(argc, argv, usage, opts, &nargs);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (nargs == 2 && !strcmp(argv[1], "import"))
		return opml_import(argv[2]);
	if (nargs == 1 && !strcmp(argv[1], "export"))
		return opml_export();
	return cli_usage_error("opml", "use 'opml import FILE|URL' or 'opml "
				       "export'");
}
