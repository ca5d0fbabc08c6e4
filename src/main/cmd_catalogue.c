/*
 * cmd_catalogue.c — newsstand publisher … and newsstand feed …: the
 * operator's view of the catalogue of publishers and their feeds.
 */
#include "common.h"

#include <time.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "base/url.h"
#include "feed/feed.h"
#include "fetch/fetch.h"
#include "html/links.h"
#include "main/cli.h"
#include "main/commands.h"
#include "rank/rank.h"
#include "store/store.h"

static const char publisher_usage[] =
	"newsstand publisher add SLUG --name NAME [--homepage URL] [--logo "
	"URL]\n"
	"                        [--description TEXT] [--language LANG]\n"
	"                        [--country CC] [--body-selector SEL]\n"
	"                        [--remove-selectors SEL]\n"
	"newsstand publisher list | show SLUG | rm SLUG\n\n"
	"'add' creates a publisher or updates the one with that SLUG.\n"
	"'rm' deletes it with its feeds and articles.";

static const char feed_usage[] =
	"newsstand feed add PUBLISHER URL [--topics T1,T2] [--full-text]\n"
	"newsstand feed list [--publisher SLUG]\n"
	"newsstand feed show|rm|enable|disable FEED_ID\n\n"
	"'add' takes a feed URL, or a web page whose <link rel=\"alternate\">\n"
	"announces feeds (the first one is added, the others are listed).\n"
	"file:// URLs are for the operator's own catalogue only.";

static void
format_time(int64_t t, char *out, size_t size)
{
	if (!t)
		snprintf(out, size, "never");
	else
		clock_format_rfc3339(t, out, size);
}

static int
open_store(enum store_mode mode, struct store **s)
{
	return store_open(config.data_dir, mode, 0, s) ? EXIT_FAIL : EXIT_OK;
}

static void
print_publisher(const struct publisher *p)
{
	printf("slug:        %s\n", p->slug);
	printf("name:        %s\n", p->name);
	printf("homepage:    %s\n", p->homepage ? p->homepage : "");
	printf("logo:        %s\n", p->logo ? p->logo : "");
	printf("language:    %s\n", p->language ? p->language : "");
	printf("country:     %s\n", p->country ? p->country : "");
	printf("articles:    %" PRId64 "\n", p->article_count);
	if (p->body_selector)
		printf("body:        %s\n", p->body_selector);
	if (p->remove_selectors)
		printf("remove:      %s\n", p->remove_selectors);
	printf("description: %s\n", p->description ? p->description : "");
}

int
cmd_publisher(int argc, char **argv)
{
	const char *name = NULL, *homepage = NULL, *logo = NULL,
		   *description = NULL, *language = NULL, *country = NULL,
		   *body = NULL, *remove = NULL;
	const struct cli_option opts[] = {
		CLI_DATA_DIR,
		CLI_LOG_LEVEL,
		{"name", "NAME", "display name", NULL, &name, NULL},
		{"homepage", "URL", "the publisher's site", NULL, &homepage,
		 NULL},
		{"logo", "URL", "logo image URL", NULL, &logo, NULL},
		{"description", "TEXT", "one or two sentences", NULL,
		 &description, NULL},
		{"language", "LANG", "BCP 47 language (en)", NULL, &language,
		 NULL},
		{"country", "CC", "ISO country code", NULL, &country, NULL},
		{"body-selector", "SEL",
		 "extraction: selector of the article body", NULL, &body, NULL},
		{"remove-selectors", "SEL",
		 "extraction: selectors of parts to drop", NULL, &remove, NULL},
		CLI_END,
	};
	struct store *s = NULL;
	struct publisher p = {0};
	const char *action;
	int nargs, rc;
	size_t i;

	rc = cli_parse(argc, argv, publisher_usage, opts, &nargs);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (nargs < 1)
		return cli_usage_error("publisher", "which action: add, list, "
						    "show or rm?");
	action = argv[1];
	if (!strcmp(action, "list")) {
		struct publisher_list l;

		if (nargs != 1)
			return cli_usage_error("publisher",
					       "list takes no arguments");
		if (open_store(STORE_READ, &s))
			return EXIT_FAIL;
		if (store_publisher_list(s, &l)) {
			store_close(s);
			return EXIT_FAIL;
		}
		printf("%-24s %-32s %8s\n", "SLUG", "NAME", "ARTICLES");
		for (i = 0; i < l.count; i++)
			printf("%-24s %-32s %8" PRId64 "\n", l.items[i].slug,
			       l.items[i].name, l.items[i].article_count);
		publisher_list_release(&l);
		store_close(s);
		return EXIT_OK;
	}
	if (nargs != 2)
		return cli_usage_error("publisher", "%s needs one SLUG",
				       action);
	if (!strcmp(action, "add")) {
		const char *c;

		for (c = argv[2]; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') ||
			      (*c >= '0' && *c <= '9') || *c == '-'))
				return cli_usage_error(
					"publisher",
					"a slug is lower-case letters, digits "
					"and dashes: '%s'",
					argv[2]);
		if (!name)
			return cli_usage_error("publisher", "add needs --name");
		if (homepage && !url_is_http(homepage))
			return cli_usage_error("publisher",
					       "--homepage must be an http(s) "
					       "URL");
		if (open_store(STORE_WRITE, &s))
			return EXIT_FAIL;
		p.slug = argv[2];
		p.name = (char *)name;
		p.homepage = (char *)homepage;
		p.logo = (char *)logo;
		p.description = (char *)description;
		p.language = (char *)language;
		p.country = (char *)country;
		p.body_selector = (char *)body;
		p.remove_selectors = (char *)remove;
		rc = store_publisher_put(s, &p) ? EXIT_FAIL : EXIT_OK;
		if (!rc)
			printf("publisher %s saved (id %" PRId64 ")\n", p.slug,
			       p.id);
		store_close(s);
		return rc;
	}
	if (open_store(!strcmp(action, "rm") ? STORE_WRITE : STORE_READ, &s))
		return EXIT_FAIL;
	rc = store_publisher_by_slug(s, argv[2], &p);
	if (rc == ST_NOTFOUND) {
		fprintf(stderr, "newsstand publisher: no publisher '%s'\n",
			argv[2]);
		store_close(s);
		return EXIT_FAIL;
	}
	if (rc) {
		store_close(s);
		return EXIT_FAIL;
	}
	if (!strcmp(action, "show")) {
		print_publisher(&p);
		rc = EXIT_OK;
	} else if (!strcmp(action, "rm")) {
		rc = rank_publisher_delete(s, p.id) ? EXIT_FAIL : EXIT_OK;
		if (!rc)
			printf("publisher %s deleted\n", p.slug);
	} else {
		rc = cli_usage_error("publisher", "unknown action '%s'",
				     action);
	}
	publisher_release(&p);
	store_close(s);
	return rc;
}

static void
print_feed(const struct store_feed *f)
{
	char last[32], next[32], ok[32];

	format_time(f->last_fetch_at, last, sizeof(last));
	format_time(f->next_due_at, next, sizeof(next));
	format_time(f->last_success_at, ok, sizeof(ok));
	printf("id:            %" PRId64 "\n", f->id);
	printf("publisher:     %s\n", f->publisher_slug);
	printf("url:           %s\n", f->url);
	printf("title:         %s\n", f->title ? f->title : "");
	printf("topics:        %s\n", f->topics ? f->topics : "");
	printf("enabled:       %s%s%s\n", f->enabled ? "yes" : "no",
	       f->disabled_reason ? " — " : "",
	       f->disabled_reason ? f->disabled_reason : "");
	printf("full text:     %s\n", f->full_text ? "yes" : "no");
	printf("last fetch:    %s (HTTP %d)\n", last, f->http_status);
	printf("last success:  %s\n", ok);
	printf("next due:      %s (every %" PRId64 " s)\n", next, f->interval);
	printf("items:         %" PRId64 " in the feed, %" PRId64
	       " articles stored\n",
	       f->item_count, f->article_count);
	printf("errors:        %d in a row%s%s\n", f->error_count,
	       f->last_error ? ": " : "", f->last_error ? f->last_error : "");
}

/*
 * Decides which URL to store for `feed add URL`: the URL itself when it
 * is a feed, else the first feed its page announces.
 */
static enum status
discover(const char *url, char **feed_url)
{
	struct fetch_result res = {0};
	struct fetch_options opts = {.accept = "application/rss+xml, "
					       "application/atom+xml, "
					       "application/feed+json, "
					       "text/html;q=0.9, */*;q=0.5"};
	struct feed *doc = NULL;
	struct feed_link *links = NULL;
	size_t count = 0, i;
	enum status rc;

	rc = fetch_one(url, &opts, &res);
	if (rc || !res.body) {
		fprintf(stderr, "newsstand feed: %s: %s\n", url,
			res.error ? res.error : status_str(rc));
		fetch_result_release(&res);
		return rc ? rc : ST_NET;
	}
	if (feed_parse(res.body, res.body_len, url, res.content_type, &doc) ==
	    ST_OK) {
		feed_free(doc);
		*feed_url =
			xstrdup(res.permanent_url ? res.permanent_url : url);
		fetch_result_release(&res);
		return ST_OK;
	}
	rc = html_feed_links(res.body, res.body_len,
			     res.final_url ? res.final_url : url, &links,
			     &count);
	fetch_result_release(&res);
	if (rc || !count) {
		fprintf(stderr,
			"newsstand feed: %s is not a feed and "
			"announces none\n",
			url);
		feed_links_free(links, count);
		return ST_NOTFOUND;
	}
	*feed_url = xstrdup(links[0].url);
	printf("%s announces %zu feed%s; adding %s\n", url, count,
	       count == 1 ? "" : "s", links[0].url);
	for (i = 1; i < count; i++)
		printf("  also: %s%s%s\n", links[i].url,
		       links[i].title ? " — " : "",
		       links[i].title ? links[i].title : "");
	feed_links_free(links, count);
	return ST_OK;
}

static int
feed_add(const char *slug, const char *url, const char *topics, bool full_text)
{
	struct store *s = NULL;
	struct publisher p = {0};
	struct store_feed f = {0};
	char *feed_url = NULL;
	bool is_file = !strncmp(url, "file://", 7);
	enum status rc;

	if (!is_file && !url_is_http(url))
		return cli_usage_error("feed", "'%s' is not an http(s) URL",
				       url);
	if (open_store(STORE_WRITE, &s))
		return EXIT_FAIL;
	rc = store_publisher_by_slug(s, slug, &p);
	if (rc) {
		if (rc == ST_NOTFOUND)
			fprintf(stderr,
				"newsstand feed: no publisher '%s' "
				"(add it with 'newsstand publisher "
				"add')\n",
				slug);
		store_close(s);
		return EXIT_FAIL;
	}
	if (is_file) {
		feed_url = xstrdup(url);
	} else if (fetch_global_init() || discover(url, &feed_url)) {
		fetch_global_cleanup();
		rc = ST_NET;
		goto out;
	} else {
		fetch_global_cleanup();
	}
	f.publisher_id = p.id;
	f.url = feed_url;
	f.topics = (char *)topics;
	f.enabled = true;
	f.full_text = full_text;
	f.allow_file = is_file;
	rc = store_feed_add(s, &f);
	if (rc == ST_EXISTS)
		fprintf(stderr,
			"newsstand feed: %s is already in the "
			"catalogue\n",
			feed_url);
	else if (!rc)
		printf("feed %" PRId64 " added: %s\n", f.id, feed_url);
out:
	free(feed_url);
	publisher_release(&p);
	store_close(s);
	return rc ? EXIT_FAIL : EXIT_OK;
}

static int
feed_list(const char *slug)
{
	struct store *s = NULL;
	struct publisher p = {0};
	struct store_feed_list l = {0};
	size_t i;
	int rc = EXIT_OK;

	if (open_store(STORE_READ, &s))
		return EXIT_FAIL;
	if (slug && store_publisher_by_slug(s, slug, &p)) {
		fprintf(stderr, "newsstand feed: no publisher '%s'\n", slug);
		store_close(s);
		return EXIT_FAIL;
	}
	if (store_feed_list(s, p.id, &l)) {
		rc = EXIT_FAIL;
		goto out;
	}
	printf("%-5s %-18s %-3s %-20s %-4s %5s %-20s %s\n", "ID", "PUBLISHER",
	       "ON", "LAST FETCH", "HTTP", "ITEMS", "NEXT DUE", "URL / ERROR");
	for (i = 0; i < l.count; i++) {
		const struct store_feed *f = &l.items[i];
		char last[32], next[32];

		format_time(f->last_fetch_at, last, sizeof(last));
		format_time(f->next_due_at, next, sizeof(next));
		printf("%-5" PRId64 " %-18.18s %-3s %-20s %-4d %5" PRId64
		       " %-20s %s\n",
		       f->id, f->publisher_slug, f->enabled ? "yes" : "no",
		       last, f->http_status, f->item_count, next, f->url);
		if (f->last_error)
			printf("%71s error: %s\n", "", f->last_error);
	}
out:
	store_feed_list_release(&l);
	publisher_release(&p);
	store_close(s);
	return rc;
}

int
cmd_feed(int argc, char **argv)
{
	const char *topics = NULL, *publisher = NULL;
	bool full_text = false;
	const struct cli_option opts[] = {
		CLI_DATA_DIR,
		CLI_LOG_LEVEL,
		{"topics", "T1,T2", "default topic slugs of its articles", NULL,
		 &topics, NULL},
		{"full-text", NULL, "fetch each article's page for its text",
		 NULL, NULL, &full_text},
		{"publisher", "SLUG", "list only this publisher's feeds", NULL,
		 &publisher, NULL},
		CLI_END,
	};
	struct store *s = NULL;
	struct store_feed f = {0};
	const char *action;
	int64_t id;
	int nargs, rc;

	rc = cli_parse(argc, argv, feed_usage, opts, &nargs);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (nargs < 1)
		return cli_usage_error("feed", "which action: add, list, show, "
					       "rm, enable or disable?");
	action = argv[1];
	if (!strcmp(action, "add")) {
		if (nargs != 3)
			return cli_usage_error("feed",
					       "add needs PUBLISHER and URL");
		return feed_add(argv[2], argv[3], topics, full_text);
	}
	if (!strcmp(action, "list")) {
		if (nargs != 1)
			return cli_usage_error("feed", "list takes no "
						       "arguments");
		return feed_list(publisher);
	}
	if (nargs != 2 || !cli_parse_id(argv[2], &id))
		return cli_usage_error("feed", "%s needs one FEED_ID", action);
	if (strcmp(action, "show") && strcmp(action, "rm") &&
	    strcmp(action, "enable") && strcmp(action, "disable"))
		return cli_usage_error("feed", "unknown action '%s'", action);
	if (open_store(strcmp(action, "show") ? STORE_WRITE : STORE_READ, &s))
		return EXIT_FAIL;
	if (store_feed_get(s, id, &f)) {
		fprintf(stderr, "newsstand feed: no feed %" PRId64 "\n", id);
		store_close(s);
		return EXIT_FAIL;
	}
	rc = EXIT_OK;
	if (!strcmp(action, "show")) {
		print_feed(&f);
	} else if (!strcmp(action, "rm")) {
		if (store_feed_delete(s, id))
			rc = EXIT_FAIL;
		else
			printf("feed %" PRId64 " deleted (its articles "
			       "stay)\n",
			       id);
	} else {
		f.enabled = !strcmp(action, "enable");
		if (store_feed_save_settings(s, &f))
			rc = EXIT_FAIL;
		else
			printf("feed %" PRId64 " %sd\n", id, action);
		if (f.enabled && !rc) {
			/* Due at once after a re-enable. */
			f.next_due_at = 0;
			f.error_count = 0;
			if (store_feed_save_state(s, &f))
				rc = EXIT_FAIL;
		}
	}
	store_feed_release(&f);
	store_close(s);
	return rc;
}
