/*
 * assets.c — the embedded static files (CSS, JS, icons) under content-hashed
 * names, answered from responses built once (plain and gzip) with a year's
 * immutable cache lifetime; and the logos and media files of the data
 * directory.
 */
#include "common.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/config.h"
#include "base/log.h"
#include "web/embedded.h"
#include "web/internal.h"
#include "web/pages.h"

/* Largest logo or media file served (bytes). */
enum { MAX_FILE = 8 * 1024 * 1024 };

static const char immutable[] = "public, max-age=31536000, immutable";
static const char svg_csp[] =
	"default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

struct asset {
	char *url;		    /* "/static/app.0123abcd4567.css" */
	const char *name;	    /* "app.css" */
	const char *content_type;   /* by extension */
	struct MHD_Response *plain; /* built once */
	struct MHD_Response *gz;    /* or NULL when not worth it */
	size_t len, gz_len;	    /* body sizes */
};

static pthread_mutex_t assets_lock = PTHREAD_MUTEX_INITIALIZER;
static struct asset *assets;
static size_t asset_count;

struct type {
	const char *ext;	  /* with the dot */
	const char *content_type; /* the header */
	bool text;		  /* worth compressing */
};

/* clang-format off */
static const struct type types[] = {
	{".css",  "text/css; charset=utf-8", true},
	{".js",   "text/javascript; charset=utf-8", true},
	{".svg",  "image/svg+xml", true},
	{".png",  "image/png", false},
	{".jpg",  "image/jpeg", false},
	{".jpeg", "image/jpeg", false},
	{".webp", "image/webp", false},
	{".gif",  "image/gif", false},
	{".ico",  "image/x-icon", false},
	{".txt",  "text/plain; charset=utf-8", true},
};
/* clang-format on */

static const struct type *
type_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (!dot)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(types); i++)
		if (!strcasecmp(dot, types[i].ext))
			return &types[i];
	return NULL;
}

static struct MHD_Response *
asset_response(const struct asset *a, const void *data, size_t len, bool gz,
	       const char *etag)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, (void *)data, MHD_RESPMEM_MUST_COPY);

	if (!r)
		die("web: out of memory building assets");
	MHD_add_response_header(r, "Content-Type", a->content_type);
	MHD_add_response_header(r, "Cache-Control", immutable);
	MHD_add_response_header(r, "ETag", etag);
	MHD_add_response_header(r, "Vary", "Accept-Encoding");
	if (gz)
		MHD_add_response_header(r, "Content-Encoding", "gzip");
	if (!strncmp(a->content_type, "image/svg", 9))
		MHD_add_response_header(r, "Content-Security-Policy", svg_csp);
	web_add_common_headers(r);
	return r;
}

void
web_assets_init(void)
{
	size_t i;

	pthread_mutex_lock(&assets_lock);
	if (assets) {
		pthread_mutex_unlock(&assets_lock);
		return;
	}
	assets = xcalloc(web_embedded_count ? web_embedded_count : 1,
			 sizeof(*assets));
	for (i = 0; i < web_embedded_count; i++) {
		const struct web_embedded *e = &web_embedded_assets[i];
		const struct type *t = type_of(e->name);
		struct asset *a = &assets[i];
		const char *dot = strrchr(e->name, '.');
		uint64_t h = 0xcbf29ce484222325ULL;
		struct buf b = BUF_INIT, gz = BUF_INIT;
		char etag[40];
		size_t k;

		for (k = 0; k < e->len; k++) {
			h ^= e->data[k];
			h *= 0x100000001b3ULL;
		}
		buf_adds(&b, "/static/");
		buf_add(&b, e->name,
			dot ? (size_t)(dot - e->name) : strlen(e->name));
		buf_addf(&b, ".%012" PRIx64 "%s", h >> 16, dot ? dot : "");
		a->url = buf_detach(&b, NULL);
		a->name = e->name;
		a->content_type =
			t ? t->content_type : "application/octet-stream";
		a->len = e->len;
		snprintf(etag, sizeof(etag), "\"%016" PRIx64 "\"", h);
		a->plain = asset_response(a, e->data, e->len, false, etag);
		if (t && t->text &&
		    web_gzip((const char *)e->data, e->len, 9, &gz)) {
			a->gz = asset_response(a, gz.data, gz.len, true, etag);
			a->gz_len = gz.len;
		}
		buf_release(&gz);
	}
	asset_count = web_embedded_count;
	pthread_mutex_unlock(&assets_lock);
}

void
web_assets_free(void)
{
	size_t i;

	pthread_mutex_lock(&assets_lock);
	for (i = 0; i < asset_count; i++) {
		free(assets[i].url);
		MHD_destroy_response(assets[i].plain);
		if (assets[i].gz)
			MHD_destroy_response(assets[i].gz);
	}
	free(assets);
	assets = NULL;
	asset_count = 0;
	pthread_mutex_unlock(&assets_lock);
}

const char *
web_asset_url(const char *name)
{
	size_t i;

	web_assets_init();
	for (i = 0; i < asset_count; i++)
		if (!strcmp(assets[i].name, name))
			return assets[i].url;
	return "/static/missing";
}

bool
web_assets_serve(struct web_request *req, const char *name, bool gzip_ok)
{
	size_t i;

	if (!name)
		return false;
	for (i = 0; i < asset_count; i++) {
		struct asset *a = &assets[i];

		if (strcmp(a->url + 8, name))
			continue;
		if (web_etag_matches(
			    web_header(req, "If-None-Match"),
			    MHD_get_response_header(a->plain, "ETag"))) {
			web_queue_not_modified(
				req, MHD_get_response_header(a->plain, "ETag"),
				immutable);
			return true;
		}
		if (gzip_ok && a->gz) {
			MHD_queue_response(req->conn, 200, a->gz);
			req->bytes = a->gz_len;
		} else {
			MHD_queue_response(req->conn, 200, a->plain);
			req->bytes = a->len;
		}
		req->status = 200;
		return true;
	}
	return false;
}

enum status
web_static_handler(struct web_request *req, struct web_response *res)
{
	/* Reached only when no embedded asset has this name. */
	web_res_error(req, res, 404, "There is no such file.");
	return ST_OK;
}

/* A file name segment: letters, digits, '-', '_', '.', not starting '.'. */
static bool
is_safe_segment(const char *s, size_t len)
{
	size_t i;

	if (!len || len > 128 || s[0] == '.')
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return false;
	}
	return true;
}

/* A relative path of safe segments, at most 8 deep. */
static bool
is_safe_path(const char *path)
{
	size_t depth = 0;

	while (*path) {
		size_t len = strcspn(path, "/");

		if (!is_safe_segment(path, len) || ++depth > 8)
			return false;
		path += len;
		if (*path == '/') {
			path++;
			if (!*path)
				return false;
		}
	}
	return depth > 0;
}

/* Serves DATA_DIR/folder/name after checking every segment of name. */
static enum status
serve_data_file(struct web_request *req, struct web_response *res,
		const char *folder, const char *name)
{
	const struct type *t;
	struct buf path = BUF_INIT;
	struct stat st;
	int fd = -1;
	enum status rc = ST_OK;

	if (!name || !is_safe_path(name) || !(t = type_of(name))) {
		web_res_error(req, res, 404, "There is no such file.");
		return ST_OK;
	}
	buf_addf(&path, "%s/%s/%s", config.data_dir, folder, name);
	fd = open(path.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		web_res_error(req, res, 404, "There is no such file.");
		goto out;
	}
	if (st.st_size > MAX_FILE) {
		web_res_error(req, res, 404, "There is no such file.");
		goto out;
	}
	res->status = 200;
	res->content_type = t->content_type;
	res->compressible = t->text;
	res->cache_control = "public, max-age=86400";
	res->last_modified = st.st_mtime;
	res->no_cache = true;
	if (!strcmp(t->ext, ".svg")) {
		res->extra_header = "Content-Security-Policy";
		res->extra_value = svg_csp;
	}
	if (buf_grow(&res->body, (size_t)st.st_size)) {
		rc = ST_NOMEM;
		goto out;
	}
	while (res->body.len < (size_t)st.st_size) {
		ssize_t n = read(fd, res->body.data + res->body.len,
				 (size_t)st.st_size - res->body.len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = log_error(ST_IO, "web: reading %s: %s", path.data,
				       n ? strerror(errno) : "short file");
			goto out;
		}
		res->body.len += (size_t)n;
	}
	res->body.data[res->body.len] = '\0';
out:
	if (fd >= 0)
		close(fd);
	buf_release(&path);
	return rc;
}

enum status
web_logo_handler(struct web_request *req, struct web_response *res)
{
	return serve_data_file(req, res, "logos", web_capture(req, 0));
}

enum status
web_media_handler(struct web_request *req, struct web_response *res)
{
	return serve_data_file(req, res, "media", web_capture(req, 0));
}
