/*
 * demo.c — loads the bundled demo catalogue (data/demo, see its README)
 * into a data directory: renders the feed and page templates with dates
 * relative to now, copies logos and images, saves topics, publishers and
 * feeds, ingests the feeds and seeds Our Picks.
 */
#include "common.h"

#include <dirent.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/fs.h"
#include "base/log.h"
#include "ingest/demo.h"
#include "ingest/ingest.h"

static char *
read_all(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;

	if (fs_read_file(path, &b)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}

static enum status
write_all(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f)
		return log_error(ST_IO, "demo: cannot write %s: %s", path,
				 strerror(errno));
	ok = fwrite(data, 1, len, f) == len;
	if (fclose(f) || !ok)
		return log_error(ST_IO, "demo: cannot write %s", path);
	return ST_OK;
}

/* Parses "-26h", "-90m", "-3d", "+1h" into seconds. */
static bool
parse_offset(const char *s, size_t len, int64_t *out)
{
	char tmp[32], *end;
	long v;

	if (!len || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	v = strtol(tmp, &end, 10);
	if (end == tmp)
		return false;
	switch (*end) {
	case 'm':
		v *= 60;
		break;
	case 'h':
		v *= 3600;
		break;
	case 'd':
		v *= 86400;
		break;
	default:
		return false;
	}
	if (end[1])
		return false;
	*out = v;
	return true;
}

static void
format_rfc822(int64_t t, char *out, size_t size)
{
	clock_format_http(t, out, size);
	/* RFC 822 says GMT too; an explicit zone reads better in feeds. */
	if (strlen(out) > 4 && !strcmp(out + strlen(out) - 4, " GMT"))
		memcpy(out + strlen(out) - 4, " +0000", 7);
}

/*
 * Renders a template: @@RFC822(OFFSET)@@, @@RFC3339(OFFSET)@@, @@MEDIA@@.
 * Anything else between @@ markers is left alone.
 */
void
demo_render(const char *in, size_t len, int64_t now, const char *media_url,
	    struct buf *out)
{
	const char *p = in, *end = in + len;

	while (p < end) {
		const char *at = memmem(p, (size_t)(end - p), "@@", 2);
		const char *close, *open;
		char stamp[64];
		int64_t offset;

		if (!at) {
			buf_add(out, p, (size_t)(end - p));
			break;
		}
		buf_add(out, p, (size_t)(at - p));
		close = memmem(at + 2, (size_t)(end - at - 2), "@@", 2);
		if (!close || close - at > 40) {
			buf_add(out, at, 2);
			p = at + 2;
			continue;
		}
		open = memchr(at, '(', (size_t)(close - at));
		if (close - at == 7 && !memcmp(at, "@@MEDIA", 7)) {
			buf_adds(out, media_url);
		} else if (open && close[-1] == ')' &&
			   parse_offset(open + 1, (size_t)(close - open - 2),
					&offset) &&
			   ((open - at == 8 && !memcmp(at + 2, "RFC822", 6)) ||
			    (open - at == 9 &&
			     !memcmp(at + 2, "RFC3339", 7)))) {
			if (at[5] == '8')
				format_rfc822(now + offset, stamp,
					      sizeof(stamp));
			else
				clock_format_rfc3339(now + offset, stamp,
						     sizeof(stamp));
			buf_adds(out, stamp);
		} else {
			buf_add(out, at, (size_t)(close + 2 - at));
		}
		p = close + 2;
	}
}

/* Copies (rendering templates when render is set) a folder tree. */
struct copy_job {
	const char *from;      /* source root */
	const char *to;	       /* destination root */
	bool render;	       /* render templates */
	int64_t now;	       /* load time */
	const char *media_url; /* @@MEDIA@@ */
	enum status rc;	       /* first failure */
	size_t files;	       /* files copied */
};

static struct copy_job *current_job;

static int
copy_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	struct copy_job *job = current_job;
	struct buf dest = BUF_INIT;
	const char *rel = path + strlen(job->from);
	char *data;
	size_t len;

	(void)sb;
	(void)ftw;
	buf_addf(&dest, "%s%s", job->to, rel);
	if (type == FTW_D) {
		if (fs_mkdirs(dest.data, 0755))
			job->rc = ST_IO;
	} else if (type == FTW_F) {
		data = read_all(path, &len);
		if (!data) {
			job->rc =
				log_error(ST_IO, "demo: cannot read %s", path);
		} else if (job->render) {
			struct buf out = BUF_INIT;

			demo_render(data, len, job->now, job->media_url, &out);
			if (write_all(dest.data, out.data, out.len))
				job->rc = ST_IO;
			buf_release(&out);
		} else if (write_all(dest.data, data, len)) {
			job->rc = ST_IO;
		}
		free(data);
		job->files++;
	}
	buf_release(&dest);
	return job->rc ? 1 : 0;
}

static enum status
copy_tree(struct copy_job *job)
{
	struct stat sb;

	if (stat(job->from, &sb))
		return ST_OK; /* an optional folder */
	current_job = job;
	if (nftw(job->from, copy_entry, 16, FTW_PHYS) < 0 && !job->rc)
		job->rc = log_error(ST_IO, "demo: cannot walk %s", job->from);
	current_job = NULL;
	return job->rc;
}

static const char *
json_str(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v && *v ? v : NULL;
}

/* Joins a JSON array of strings with commas. */
static char *
join_strings(json_t *arr)
{
	struct buf b = BUF_INIT;
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v))
			continue;
		if (b.len)
			buf_addc(&b, ',');
		buf_adds(&b, json_string_value(v));
	}
	return buf_detach(&b, NULL);
}

struct loaded_feed {
	int64_t id;    /* the feed */
	json_t *picks; /* the publisher's picks (borrowed) */
};

static enum status
load_topics(struct store *s, const char *src)
{
	struct buf path = BUF_INIT;
	json_error_t err;
	json_t *root, *t;
	enum status rc = ST_OK;
	size_t i;

	buf_addf(&path, "%s/topics.json", src);
	root = json_load_file(path.data, 0, &err);
	if (!json_is_array(root)) {
		rc = log_error(ST_PARSE, "demo: %s:%d: %s", path.data, err.line,
			       err.text);
		goto out;
	}
	json_array_foreach(root, i, t)
	{
		struct topic topic = {
			.slug = (char *)json_str(t, "slug"),
			.name = (char *)json_str(t, "name"),
		};

		rc = store_topic_put(s, &topic);
		if (rc)
			break;
	}
out:
	json_decref(root);
	buf_release(&path);
	return rc;
}

static enum status
load_publisher(struct store *s, const char *file, const char *data_dir,
	       json_t *root, int64_t **feed_ids, size_t *feed_count)
{
	struct publisher p = {0};
	struct buf logo = BUF_INIT;
	json_t *feeds, *jf;
	enum status rc;
	size_t i;

	p.slug = (char *)json_str(root, "slug");
	p.name = (char *)json_str(root, "name");
	p.homepage = (char *)json_str(root, "homepage");
	p.description = (char *)json_str(root, "description");
	p.language = (char *)json_str(root, "language");
	p.country = (char *)json_str(root, "country");
	if (!p.slug || !p.name)
		return log_error(ST_PARSE, "demo: %s: slug and name required",
				 file);
	if (json_str(root, "logo"))
		buf_addf(&logo, "/logos/%s.svg", p.slug);
	p.logo = logo.len ? logo.data : NULL;
	rc = store_publisher_put(s, &p);
	buf_release(&logo);
	if (rc)
		return rc;
	feeds = json_object_get(root, "feeds");
	json_array_foreach(feeds, i, jf)
	{
		const char *feed_path = json_str(jf, "path");
		json_t *pages = json_object_get(jf, "pages");
		struct store_feed f = {0}, existing;
		struct buf url = BUF_INIT, page_dir = BUF_INIT;

		if (!feed_path || strstr(feed_path, ".."))
			return log_error(ST_PARSE, "demo: %s: feed path", file);
		buf_addf(&url, "file://%s/demo/%s", data_dir, feed_path);
		f.publisher_id = p.id;
		f.url = url.data;
		f.topics = join_strings(json_object_get(jf, "topics"));
		f.enabled = true;
		f.allow_file = true;
		f.full_text = json_is_true(json_object_get(jf, "full_text"));
		if (json_is_object(pages) && json_str(pages, "prefix") &&
		    json_str(pages, "dir")) {
			buf_addf(&page_dir, "%s/demo/%s", data_dir,
				 json_str(pages, "dir"));
			while (page_dir.len &&
			       page_dir.data[page_dir.len - 1] == '/')
				buf_truncate(&page_dir, page_dir.len - 1);
			f.page_prefix = (char *)json_str(pages, "prefix");
			f.page_dir = page_dir.data;
		}
		if (store_feed_by_url(s, f.url, &existing) == ST_OK) {
			f.id = existing.id;
			store_feed_release(&existing);
			rc = store_feed_save_settings(s, &f);
		} else {
			rc = store_feed_add(s, &f);
		}
		free(f.topics);
		buf_release(&url);
		buf_release(&page_dir);
		if (rc)
			return rc;
		*feed_ids = xreallocarray(*feed_ids, *feed_count + 1,
					  sizeof(**feed_ids));
		(*feed_ids)[(*feed_count)++] = f.id;
	}
	return ST_OK;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Seeds Our Picks from the publishers' "picks" (by guid). */
static enum status
seed_picks(struct store *s, json_t *all_picks)
{
	size_t i;
	json_t *pk;
	int64_t position = 0;

	json_array_foreach(all_picks, i, pk)
	{
		const char *guid = json_str(pk, "guid");
		int64_t feed_id =
			json_integer_value(json_object_get(pk, "feed"));
		struct pick pick = {0};
		int64_t id = 0;
		enum status rc;

		if (!guid)
			continue;
		rc = store_article_find(s, feed_id, guid, guid, &id);
		if (rc)
			return rc;
		if (!id) {
			log_warn(ST_NOTFOUND, "demo: pick %s: no such article",
				 guid);
			continue;
		}
		pick.article_id = id;
		pick.position = ++position;
		pick.note = (char *)json_str(pk, "note");
		rc = store_pick_put(s, &pick);
		if (rc)
			return rc;
	}
	return ST_OK;
}

enum status
demo_load(struct store *s, const char *src, const char *data_dir,
	  struct ingest_stats *stats)
{
	char abs_data[PATH_MAX], abs_src[PATH_MAX];
	struct buf from = BUF_INIT, to = BUF_INIT, media = BUF_INIT;
	struct copy_job job = {0};
	int64_t *feed_ids = NULL;
	size_t feed_count = 0, i, name_count = 0;
	char **names = NULL;
	json_t *all_picks = json_array();
	DIR *dir = NULL;
	struct dirent *de;
	enum status rc;
	static const struct {
		const char *from, *to;
		bool render;
	} trees[] = {
		{"feeds", "demo/feeds", true},
		{"pages", "demo/pages", true},
		{"logos", "logos", false},
		{"media", "media/demo", false},
	};

	if (!realpath(src, abs_src))
		return log_error(ST_NOTFOUND, "demo: no catalogue at %s", src);
	rc = fs_mkdirs(data_dir, 0755);
	if (rc)
		return rc;
	if (!realpath(data_dir, abs_data))
		return log_error(ST_IO, "demo: %s: %s", data_dir,
				 strerror(errno));
	buf_addf(&media, "%s/media/demo", config.base_url);
	job.now = clock_now();
	job.media_url = media.data;
	for (i = 0; i < ARRAY_SIZE(trees); i++) {
		buf_reset(&from);
		buf_reset(&to);
		buf_addf(&from, "%s/%s", abs_src, trees[i].from);
		buf_addf(&to, "%s/%s", abs_data, trees[i].to);
		rc = fs_mkdirs(to.data, 0755);
		if (rc)
			goto out;
		job.from = from.data;
		job.to = to.data;
		job.render = trees[i].render;
		rc = copy_tree(&job);
		if (rc)
			goto out;
	}

	rc = store_begin(s);
	if (rc)
		goto out;
	rc = load_topics(s, abs_src);
	buf_reset(&from);
	buf_addf(&from, "%s/publishers", abs_src);
	dir = opendir(from.data);
	if (!dir && !rc)
		rc = log_error(ST_NOTFOUND, "demo: no folder %s", from.data);
	while (!rc && (de = readdir(dir))) {
		size_t n = strlen(de->d_name);

		if (n > 5 && !strcmp(de->d_name + n - 5, ".json")) {
			names = xreallocarray(names, name_count + 1,
					      sizeof(*names));
			names[name_count++] = xstrdup(de->d_name);
		}
	}
	if (names)
		qsort(names, name_count, sizeof(*names), compare_names);
	for (i = 0; !rc && i < name_count; i++) {
		json_error_t err;
		json_t *root, *picks, *pk;
		size_t before = feed_count, j;

		buf_reset(&to);
		buf_addf(&to, "%s/%s", from.data, names[i]);
		root = json_load_file(to.data, 0, &err);
		if (!json_is_object(root)) {
			rc = log_error(ST_PARSE, "demo: %s:%d: %s", to.data,
				       err.line, err.text);
			json_decref(root);
			break;
		}
		rc = load_publisher(s, to.data, abs_data, root, &feed_ids,
				    &feed_count);
		picks = json_object_get(root, "picks");
		json_array_foreach(picks, j, pk)
		{
			json_t *copy = json_deep_copy(pk);

			if (feed_count > before)
				json_object_set_new(
					copy, "feed",
					json_integer(feed_ids[before]));
			json_array_append_new(all_picks, copy);
		}
		json_decref(root);
	}
	if (rc) {
		store_rollback(s);
		goto out;
	}
	rc = store_commit(s);
	if (rc)
		goto out;

	{
		struct ingest_options opt = {.feed_ids = feed_ids,
					     .feed_id_count = feed_count};

		rc = ingest_fetch(s, &opt, stats);
		if (rc)
			goto out;
	}
	rc = store_begin(s);
	if (rc)
		goto out;
	rc = seed_picks(s, all_picks);
	if (rc)
		store_rollback(s);
	else
		rc = store_commit(s);
out:
	if (dir)
		closedir(dir);
	for (i = 0; i < name_count; i++)
		free(names[i]);
	free(names);
	free(feed_ids);
	json_decref(all_picks);
	buf_release(&from);
	buf_release(&to);
	buf_release(&media);
	return rc;
}

const char *
demo_find_catalogue(void)
{
	static const char *const places[] = {
		"data/demo",
		NEWSSTAND_SHARE_DIR "/demo",
	};
	const char *env = getenv("NEWSSTAND_DEMO_DIR");
	struct stat sb;
	size_t i;

	if (env && *env)
		return env;
	for (i = 0; i < ARRAY_SIZE(places); i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/topics.json", places[i]);
		if (!stat(path, &sb))
			return places[i];
	}
	/* An installed binary moved elsewhere: PREFIX/bin/../share/... */
	{
		static char beside[PATH_MAX + 32];
		char exe[PATH_MAX], path[PATH_MAX + 64];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		char *slash;

		if (n <= 0)
			return NULL;
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (!slash)
			return NULL;
		*slash = '\0';
		snprintf(beside, sizeof(beside), "%s/../share/newsstand/demo",
			 exe);
		snprintf(path, sizeof(path), "%s/topics.json", beside);
		if (!stat(path, &sb))
			return beside;
	}
	return NULL;
}
