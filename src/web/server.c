/*
 * server.c — the HTTP server: libmicrohttpd set-up and shutdown, request
 * life cycle (arena, body, access log), who is asking (the viewer), routing
 * with the central role and CSRF checks, the common headers, ETag and gzip,
 * the threads that run password-hashing routes, and the threads' read-only
 * store connections.
 */
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "store/reading.h"
#include "store/store.h"
#include "web/account_pages.h"
#include "web/ranking.h"
#include "web/internal.h"
#include "web/web.h"

/* How long a stop waits for requests in flight. */
enum { SHUTDOWN_GRACE_MS = 3000 };
/* How long it then waits for the answers of resumed connections. */
enum { RESUMED_GRACE_MS = 500 };
/* Memory MHD may use per connection: headers beyond it get 431. */
enum { CONNECTION_MEMORY = 32 * 1024 };
/* A response body's first allocation: an article page fits. */
enum { BODY_START = 16 * 1024 };
/* Smallest text worth compressing. */
enum { GZIP_MIN = 512 };
/*
 * Compression levels: a cached page is compressed once and sent many
 * times, so it gets the best; a page rendered for one request gets the
 * fastest, which on a 10 KB article page costs a third of level 5's time
 * for 10 % more bytes (3.1 KB against 2.9 KB).
 */
enum { GZIP_CACHED = 9, GZIP_DYNAMIC = 1 };

/*
 * Requests that may wait for a hashing thread, per thread: with 0.1-0.2 s
 * a hash and serve's 250 ms wait, all but the first few of them get "try
 * again" when their turn comes; past this the server answers 503 at once.
 */
enum { HASH_QUEUE_PER_THREAD = 16 };

/*
 * The hashing threads: WEB_HASHES routes' handlers run here, one request
 * at a time per thread, in arrival order, while their connections are
 * suspended. Guarded by lock.
 */
struct hash_pool {
	pthread_mutex_t lock;	  /* guards the members below */
	pthread_cond_t wake;	  /* a request queued, or stopping */
	struct web_request *head; /* the oldest queued request */
	struct web_request *tail; /* the newest */
	size_t queued;		  /* requests in the queue */
	size_t capacity;	  /* at most this many queued */
	pthread_t *threads;	  /* running hash_thread() */
	size_t thread_count;	  /* started */
	bool stopping;		  /* queue nothing more; answer the rest 503 */
};

struct web_server {
	struct MHD_Daemon *daemon; /* the running daemon */
	int port;		   /* the bound port */
	int listen_fd;		   /* the listening socket (ours) */
	pthread_t acceptor;	   /* runs accept_loop() */
	atomic_bool stopping;	   /* set before listen_fd is shut */
	struct hash_pool hashing;  /* the hashing threads */
};

const char web_csp[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; "
	"img-src 'self' http: https: data:; font-src 'self'; "
	"frame-src https://www.youtube-nocookie.com https://player.vimeo.com; "
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

static const char permissions_policy[] =
	"camera=(), microphone=(), geolocation=(), payment=(), usb=()";

/* Set at start: whether HSTS is sent (base_url is https). */
static bool send_hsts;

static atomic_uint_fast64_t stat_requests;
/* Responses made on a hashing thread and not yet sent (or dropped). */
static atomic_int deferred_unsent;
atomic_uint_fast64_t web_stat_cache_hits;

/* ---- Thread-local store connections ------------------------------------- */

static _Thread_local struct store *thread_store;
static pthread_mutex_t stores_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store **stores;
static size_t store_count, store_cap;

/*
 * The public pages read in one snapshot, opened on the first web_store()
 * of the request and closed when the handler returns: one read
 * transaction per page rather than one per statement, and one content
 * version. Only GET routes that visitors may have cached: a handler that
 * writes through the writer and reads back must not see an older state.
 */
static void
snapshot_begin(struct web_request *req)
{
	if (!req || !req->snapshot_wanted || req->snapshot)
		return;
	if (reading_snapshot_begin(thread_store))
		return; /* statements then run on their own */
	req->snapshot = thread_store;
	web_ranking_request_begin();
}

static void
snapshot_end(struct web_request *req)
{
	if (!req->snapshot)
		return;
	web_ranking_request_end();
	reading_snapshot_end(req->snapshot);
	req->snapshot = NULL;
}

enum status
web_store(struct web_request *req, struct store **out)
{
	enum status rc;

	if (!thread_store) {
		rc = store_open(config.data_dir, STORE_READ, 0, &thread_store);
		if (rc)
			return rc;
		if (reading_connection_setup(thread_store))
			log_warn(ST_DB, "web: database not memory-mapped");
		pthread_mutex_lock(&stores_lock);
		if (store_count == store_cap) {
			store_cap = store_cap ? 2 * store_cap : 16;
			stores = xreallocarray(stores, store_cap,
					       sizeof(*stores));
		}
		stores[store_count++] = thread_store;
		pthread_mutex_unlock(&stores_lock);
	}
	snapshot_begin(req);
	*out = thread_store;
	return ST_OK;
}

static void
close_stores(void)
{
	size_t i;

	pthread_mutex_lock(&stores_lock);
	for (i = 0; i < store_count; i++)
		store_close(stores[i]);
	free(stores);
	stores = NULL;
	store_count = store_cap = 0;
	pthread_mutex_unlock(&stores_lock);
	thread_store = NULL;
}

/* ---- Request accessors -------------------------------------------------- */

const char *
web_method(const struct web_request *req)
{
	return req->method;
}

const char *
web_path(const struct web_request *req)
{
	return req->path;
}

const char *
web_raw_uri(const struct web_request *req)
{
	return req->raw_uri;
}

const char *
web_capture(const struct web_request *req, size_t i)
{
	return i < WEB_MAX_CAPTURES ? req->captures[i] : NULL;
}

const char *
web_query(const struct web_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

const char *
web_header(const struct web_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

struct arena *
web_request_arena(struct web_request *req)
{
	return &req->arena;
}

bool
web_is_visitor(const struct web_request *req)
{
	return req->visitor;
}

const struct viewer *
web_viewer(const struct web_request *req)
{
	return &req->viewer;
}

const char *
web_body(const struct web_request *req, size_t *len)
{
	if (!req->body.len) {
		*len = 0;
		return NULL;
	}
	*len = req->body.len;
	return req->body.data;
}

bool
web_viewer_can_read_full(const struct web_request *req, const struct article *a)
{
	(void)a;
	if (!req || !req->viewer_ready || req->visitor)
		return false;
	return account_can_read_full(&req->viewer);
}

void
web_record_read(struct web_request *req, int64_t article_id)
{
	struct store *w;
	enum status rc;

	if (!web_viewer_can_read_full(req, NULL))
		return;
	rc = account_writer(&w);
	if (!rc)
		rc = account_record_read(w, &req->viewer, article_id, NULL);
	if (rc)
		log_warn(rc, "web: read of article %" PRId64 " not recorded",
			 article_id);
}

/* ---- Response helpers --------------------------------------------------- */

void
web_res_html(struct web_response *res)
{
	res->status = 200;
	res->content_type = "text/html; charset=utf-8";
	res->compressible = true;
}

void
web_res_json(struct web_response *res)
{
	res->status = 200;
	res->content_type = "application/json";
	res->compressible = true;
}

void
web_res_redirect(struct web_request *req, struct web_response *res, int status,
		 const char *location)
{
	res->status = status;
	res->location = arena_strdup(&req->arena, location);
	res->content_type = "text/plain; charset=utf-8";
	res->cache_control =
		status == 301 ? "public, max-age=3600" : WEB_CACHE_NONE;
	res->no_etag = true;
	buf_reset(&res->body);
	buf_adds(&res->body, "Moved\n");
}

void
web_add_common_headers(struct MHD_Response *r)
{
	if (!MHD_get_response_header(r, "Content-Security-Policy"))
		MHD_add_response_header(r, "Content-Security-Policy", web_csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy",
				"strict-origin-when-cross-origin");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Permissions-Policy", permissions_policy);
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	if (send_hsts)
		MHD_add_response_header(r, "Strict-Transport-Security",
					"max-age=31536000; includeSubDomains");
}

/* Compares one entity tag with etag, ignoring weakness (RFC 9110 §8.8.3.2). */
static bool
tag_equal(const char *p, size_t len, const char *etag)
{
	if (len > 2 && p[0] == 'W' && p[1] == '/') {
		p += 2;
		len -= 2;
	}
	if (!strncmp(etag, "W/", 2))
		etag += 2;
	return strlen(etag) == len && !memcmp(p, etag, len);
}

bool
web_etag_matches(const char *if_none_match, const char *etag)
{
	const char *p = if_none_match;

	if (!p || !etag || !*etag)
		return false;
	while (*p) {
		const char *start;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		if (*p == '*')
			return true;
		start = p;
		while (*p && *p != ',')
			p++;
		{
			size_t len = (size_t)(p - start);

			while (len && (start[len - 1] == ' ' ||
				       start[len - 1] == '\t'))
				len--;
			if (tag_equal(start, len, etag))
				return true;
		}
	}
	return false;
}

void
web_queue_not_modified(struct web_request *req, const char *etag,
		       const char *cache_control)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		0, (void *)"", MHD_RESPMEM_PERSISTENT);

	if (!r)
		return;
	MHD_add_response_header(r, "ETag", etag);
	if (cache_control)
		MHD_add_response_header(r, "Cache-Control", cache_control);
	MHD_add_response_header(r, "Vary", "Accept-Encoding");
	web_add_common_headers(r);
	MHD_queue_response(req->conn, 304, r);
	MHD_destroy_response(r);
	req->status = 304;
	req->bytes = 0;
}

/*
 * Each thread keeps its deflate streams (one per level used) and resets
 * them between pages: setting one up allocates and clears about 256 KB,
 * which costs as much as compressing a page at level 1.
 */
struct gzip_streams {
	z_stream z[10]; /* by level; used when ready[level] */
	bool ready[10]; /* deflateInit2 done */
};

static pthread_key_t gzip_key;
static pthread_once_t gzip_once = PTHREAD_ONCE_INIT;

static void
gzip_streams_free(void *p)
{
	struct gzip_streams *g = p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(g->z); i++)
		if (g->ready[i])
			deflateEnd(&g->z[i]);
	free(g);
}

static void
gzip_key_create(void)
{
	if (pthread_key_create(&gzip_key, gzip_streams_free))
		abort();
}

/* The thread's stream for level (1..9), reset; NULL when zlib fails. */
static z_stream *
gzip_stream(int level)
{
	struct gzip_streams *g;
	z_stream *z;

	pthread_once(&gzip_once, gzip_key_create);
	g = pthread_getspecific(gzip_key);
	if (!g) {
		g = xcalloc(1, sizeof(*g));
		if (pthread_setspecific(gzip_key, g)) {
			free(g);
			return NULL;
		}
	}
	z = &g->z[level];
	if (g->ready[level])
		return deflateReset(z) == Z_OK ? z : NULL;
	/* 15 + 16: a gzip wrapper (RFC 1952) rather than zlib's. */
	if (deflateInit2(z, level, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	g->ready[level] = true;
	return z;
}

bool
web_gzip(const char *in, size_t len, int level, struct buf *out)
{
	z_stream *z;
	int zrc;

	if (len < GZIP_MIN || len > UINT_MAX)
		return false;
	level = level < 1 ? 1 : level > 9 ? 9 : level;
	z = gzip_stream(level);
	if (!z)
		return false;
	buf_reset(out);
	if (buf_grow(out, deflateBound(z, (uLong)len) + 16))
		return false;
	z->next_in = (Bytef *)in;
	z->avail_in = (uInt)len;
	z->next_out = (Bytef *)out->data;
	z->avail_out = (uInt)(out->cap - 1);
	zrc = deflate(z, Z_FINISH);
	if (zrc == Z_STREAM_END)
		out->len = z->total_out;
	if (zrc != Z_STREAM_END || out->len >= len)
		return false;
	out->data[out->len] = '\0';
	return true;
}

/* True when Accept-Encoding allows gzip (and does not give it q=0). */
static bool
accepts_gzip(const struct web_request *req)
{
	const char *ae = web_header(req, "Accept-Encoding");
	const char *p = ae;

	while (p && *p) {
		const char *item = p, *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		while (len && (*item == ' ' || *item == '\t')) {
			item++;
			len--;
		}
		if (len >= 4 && !strncasecmp(item, "gzip", 4) &&
		    (len == 4 || item[4] == ';' || item[4] == ' ')) {
			const char *q = memchr(item, '=', len);

			if (!q)
				return true;
			return strtod(q + 1, NULL) > 0;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

/*
 * A cheap validator for ETag: the body hashed eight bytes at a time in two
 * independent lanes (multiply and rotate, then a final mix), several
 * times faster than a byte-at-a-time hash on a page of 10 KB.
 */
static uint64_t
mix_word(uint64_t h, uint64_t w)
{
	h ^= w * 0x9e3779b97f4a7c15ULL;
	h = (h << 31) | (h >> 33);
	return h * 0xbf58476d1ce4e5b9ULL;
}

static void
make_etag(const char *data, size_t len, char *out, size_t size)
{
	uint64_t h1 = 0xcbf29ce484222325ULL ^ len, h2 = 0x94d049bb133111ebULL;
	uint64_t w1, w2, h;
	size_t i = 0;

	for (; i + 16 <= len; i += 16) {
		memcpy(&w1, data + i, 8);
		memcpy(&w2, data + i + 8, 8);
		h1 = mix_word(h1, w1);
		h2 = mix_word(h2, w2);
	}
	for (; i < len; i++)
		h1 = mix_word(h1, (unsigned char)data[i]);
	h = h1 ^ (h2 * 0xff51afd7ed558ccdULL);
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	snprintf(out, size, "W/\"%016" PRIx64 "\"", h);
}

static struct MHD_Response *
build_response(struct web_request *req, const struct web_response *res,
	       const char *body, size_t len, bool must_free, bool gz,
	       const char *etag, const char *cache_control)
{
	struct MHD_Response *r;
	char date[40];

	r = MHD_create_response_from_buffer(len, (void *)body,
					    must_free ? MHD_RESPMEM_MUST_FREE
						      : MHD_RESPMEM_MUST_COPY);
	if (!r)
		return NULL;
	if (res->content_type)
		MHD_add_response_header(r, "Content-Type", res->content_type);
	MHD_add_response_header(r, "Cache-Control", cache_control);
	if (etag && *etag)
		MHD_add_response_header(r, "ETag", etag);
	if (req->route && !(req->route->flags & WEB_STATIC))
		/* What a page shows depends on who asks (the paywall). */
		MHD_add_response_header(r, "Vary",
					res->compressible
						? "Accept-Encoding, Cookie, "
						  "Authorization"
						: "Cookie, Authorization");
	else if (res->compressible)
		MHD_add_response_header(r, "Vary", "Accept-Encoding");
	if (gz)
		MHD_add_response_header(r, "Content-Encoding", "gzip");
	if (res->location)
		MHD_add_response_header(r, "Location", res->location);
	if (res->extra_header && res->extra_value)
		MHD_add_response_header(r, res->extra_header, res->extra_value);
	if (res->last_modified) {
		clock_format_http(res->last_modified, date, sizeof(date));
		MHD_add_response_header(r, "Last-Modified", date);
	}
	if (res->status == 405)
		MHD_add_response_header(r, "Allow", "GET, HEAD");
	web_add_common_headers(r);
	return r;
}

/*
 * Sends a handler's response: ETag and 304, gzip when accepted, and the
 * page cache for visitors' cacheable pages.
 */
static void
send_response(struct web_request *req, struct web_response *res, bool cache_it)
{
	const char *cache_control = res->cache_control;
	bool gzip_ok = res->compressible && accepts_gzip(req);
	char etag[40] = "";
	struct buf gz = BUF_INIT;
	struct MHD_Response *plain = NULL, *zipped = NULL, *chosen;
	size_t body_len = res->body.len, gz_len = 0;
	bool have_gz = false;

	if (res->body.err) {
		log_error(res->body.err, "web: %s: response too large",
			  req->path);
		buf_reset(&res->body);
		res->status = 500;
		res->content_type = "text/plain; charset=utf-8";
		buf_adds(&res->body, "Internal error\n");
		body_len = res->body.len;
		cache_it = false;
	}
	if (!cache_control)
		cache_control = res->status == 200
					? (req->visitor ? WEB_CACHE_PAGE
							: WEB_CACHE_PRIVATE)
					: WEB_CACHE_NONE;
	if (res->status == 200 && !res->no_etag) {
		make_etag(res->body.data, res->body.len, etag, sizeof(etag));
		if (web_etag_matches(web_header(req, "If-None-Match"), etag) &&
		    !cache_it) {
			web_queue_not_modified(req, etag, cache_control);
			return;
		}
	}
	if (res->compressible && (gzip_ok || cache_it))
		have_gz = web_gzip(res->body.data, res->body.len,
				   cache_it ? GZIP_CACHED : GZIP_DYNAMIC, &gz);
	if (have_gz && (cache_it || gzip_ok)) {
		char *zdata;

		gz_len = gz.len;
		zdata = buf_detach(&gz, NULL);
		zipped = build_response(req, res, zdata, gz_len, true, true,
					etag, cache_control);
	}
	if (cache_it || !(gzip_ok && zipped)) {
		char *data = buf_detach(&res->body, NULL);

		plain = build_response(req, res, data, body_len, true, false,
				       etag, cache_control);
	}
	buf_release(&gz);
	chosen = gzip_ok && zipped ? zipped : plain;
	if (!chosen) {
		/* Out of memory in MHD: let it close the connection. */
		req->status = 0;
		goto out;
	}
	if (cache_it &&
	    web_etag_matches(web_header(req, "If-None-Match"), etag)) {
		web_queue_not_modified(req, etag, cache_control);
	} else {
		MHD_queue_response(req->conn, (unsigned)res->status, chosen);
		req->status = res->status;
		req->bytes = chosen == zipped ? gz_len : body_len;
	}
	/* Queued first: the cache may drop its reference at any time. */
	if (cache_it && plain &&
	    web_cache_put(req->raw_uri, plain, zipped, body_len, gz_len, etag))
		plain = zipped = NULL;
out:
	if (plain)
		MHD_destroy_response(plain);
	if (zipped)
		MHD_destroy_response(zipped);
}

/* ---- Routing ------------------------------------------------------------ */

/*
 * Matches path against pattern; captures go to the request's arena.
 * "{name}" matches one non-empty segment; a final "*" matches the rest.
 */
static bool
match_pattern(struct web_request *req, const char *pattern, const char *path,
	      const char **captures)
{
	const char *p = pattern, *s = path;
	size_t n = 0;

	while (*p) {
		if (*p == '*' && !p[1]) {
			if (n < WEB_MAX_CAPTURES)
				captures[n++] = arena_strdup(&req->arena, s);
			return true;
		}
		if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t len = strcspn(s, "/");

			if (!close || !len || n == WEB_MAX_CAPTURES)
				return false;
			captures[n++] = arena_strndup(&req->arena, s, len);
			s += len;
			p = close + 1;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return !*s;
}

static const struct web_route *
find_route(struct web_request *req, bool *method_mismatch)
{
	const struct web_route *routes;
	size_t count, i;
	bool head = !strcmp(req->method, "HEAD");

	routes = web_routes(&count);
	*method_mismatch = false;
	for (i = 0; i < count; i++) {
		const char *caps[WEB_MAX_CAPTURES] = {0};

		if (!match_pattern(req, routes[i].pattern, req->path, caps))
			continue;
		if (strcmp(routes[i].method, req->method) &&
		    !(head && !strcmp(routes[i].method, "GET"))) {
			*method_mismatch = true;
			continue;
		}
		memcpy(req->captures, caps, sizeof(caps));
		return &routes[i];
	}
	return NULL;
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/*
 * Checks the raw target and the decoded path: origin-form only, complete
 * percent escapes, no NUL, no control bytes, no "." or ".." segments.
 */
static const char *
target_problem(const struct web_request *req)
{
	const char *p = req->raw_uri, *s;

	if (!p || *p != '/')
		return "The address must start with a slash.";
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			return "The address contains control characters.";
		if (c == '%') {
			if (!is_hex(p[1]) || !is_hex(p[2]))
				return "The address has a malformed "
				       "percent-escape.";
			if (p[1] == '0' && p[2] == '0')
				return "The address contains a NUL byte.";
		}
	}
	for (s = req->path; s && *s;) {
		size_t len;

		while (*s == '/')
			s++;
		len = strcspn(s, "/");
		if ((len == 1 && s[0] == '.') ||
		    (len == 2 && s[0] == '.' && s[1] == '.'))
			return "The address contains a dot segment.";
		if (memchr(s, '\\', len))
			return "The address contains a backslash.";
		s += len;
	}
	return NULL;
}

/* The socket's peer address as text ("-" when unknown). */
static void
peer_text(struct MHD_Connection *conn, char *out, size_t size)
{
	const union MHD_ConnectionInfo *info = NULL;

	snprintf(out, size, "-");
	if (conn)
		info = MHD_get_connection_info(
			conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!info || !info->client_addr)
		return;
	if (info->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET,
			  &((const struct sockaddr_in *)info->client_addr)
				   ->sin_addr,
			  out, (socklen_t)size);
	else if (info->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)info->client_addr)
				   ->sin6_addr,
			  out, (socklen_t)size);
}

/*
 * Who is asking: the session cookie, an API token or nobody. A database
 * failure makes the request a visitor's (it still gets the public pages).
 */
static void
resolve_viewer(struct web_request *req)
{
	const char *auth = web_header(req, "Authorization");

	if (req->viewer_ready)
		return;
	if (account_page_viewer(req, &req->viewer)) {
		char peer[64];

		log_warn(ST_DB,
			 "web: %s: viewer not resolved; served as a "
			 "visitor",
			 req->path);
		memset(&req->viewer, 0, sizeof(req->viewer));
		peer_text(req->conn, peer, sizeof(peer));
		account_client_addr(peer, web_header(req, "X-Forwarded-For"),
				    req->viewer.client_addr,
				    sizeof(req->viewer.client_addr));
	}
	req->viewer_ready = true;
	req->visitor = !req->viewer.user_id;
	req->bearer_refused =
		req->visitor && auth && !strncasecmp(auth, "Bearer ", 7);
}

/*
 * The central checks of a matched route: the roles its flags ask for and,
 * for a state-changing route, the session's CSRF token (form field "csrf"
 * or the X-CSRF-Token header). False with res filled in when refused.
 */
static bool
route_checks_pass(struct web_request *req, struct web_response *res)
{
	unsigned flags = req->route->flags;
	const char *token;

	if ((flags & WEB_API) && req->bearer_refused) {
		web_res_error(req, res, 401,
			      "The API token is not valid: it is unknown, "
			      "revoked or expired.");
		return false;
	}
	if (!account_route_allowed(&req->viewer, flags)) {
		if (!req->visitor) {
			web_res_error(req, res, 403,
				      "This page is for another kind of "
				      "account.");
		} else if (flags & WEB_API) {
			web_res_error(req, res, 401,
				      "Sign in, or send an API token.");
		} else {
			struct buf to = BUF_INIT;
			bool get = !strcmp(req->method, "GET") ||
				   !strcmp(req->method, "HEAD");

			buf_adds(&to, "/signin?next=");
			if (get)
				buf_add_url_enc(&to, req->raw_uri,
						strlen(req->raw_uri));
			else
				buf_adds(&to, "%2Faccount");
			web_res_redirect(req, res, 303, to.data);
			buf_release(&to);
		}
		return false;
	}
	if (!(flags & WEB_STATE))
		return true;
	token = web_header(req, "X-CSRF-Token");
	if (!token && req->body.len)
		token = account_form_field(&req->arena, req->body.data,
					   req->body.len, ACCOUNT_CSRF_FIELD);
	if (!account_check_csrf(&req->viewer, token)) {
		web_res_error(req, res, 403,
			      "This form has expired or did not come from "
			      "this site. Please go back, reload the page "
			      "and try again.");
		return false;
	}
	return true;
}

/*
 * Runs the matched route's handler (on a serving or a hashing thread) and
 * turns a failure into the 500 page.
 */
static void
run_handler(struct web_request *req, struct web_response *res, bool get)
{
	enum status rc;

	req->snapshot_wanted = get && (req->route->flags & WEB_CACHEABLE);
	rc = req->route->handler(req, res);
	snapshot_end(req);
	req->snapshot_wanted = false;
	if (rc) {
		log_error(rc, "web: %s %s: %s", req->method, req->path,
			  status_str(rc));
		buf_reset(&res->body);
		res->location = NULL;
		web_res_error(req, res, 500, NULL);
	}
}

/* ---- The hashing threads ------------------------------------------------ */

/*
 * A WEB_HASHES request's life: dispatch() runs the central checks on the
 * serving thread, suspends the connection and queues the request here
 * (hash_queue_add()); a hashing thread runs the handler exactly as the
 * serving thread would have (the viewer is resolved already; web_store()
 * and account_writer() give the hashing thread connections of its own),
 * then resumes the connection and lets go of the request; libmicrohttpd
 * calls on_request() again on the serving thread, which sends the response
 * like any other (send_deferred()).
 *
 * While suspended, libmicrohttpd neither reads the socket nor times the
 * connection out, so a client that goes away is noticed only after the
 * resume: the completion callback, which frees the request, cannot run
 * while a hashing thread holds it. At stop, hash_pool_stop() answers the
 * queued requests 503 without running them, waits for the running ones
 * and resumes every connection before MHD_stop_daemon(), which refuses
 * suspended connections.
 */

/* Runs one queued request; the resume is the last use of req. */
static void
hash_run(struct web_request *req, bool cancelled)
{
	struct MHD_Connection *conn = req->conn;
	struct web_response *res = req->deferred;

	if (cancelled) {
		web_res_error(req, res, 503,
			      "Newsstand is restarting. Please try again in "
			      "a moment.");
		res->extra_header = "Retry-After";
		res->extra_value = "30";
	} else {
		/* The wait for a hashing slot began in the queue. */
		account_hash_wait_from(req->queued_ms);
		run_handler(req, res, false);
		account_hash_wait_from(0);
		if (!res->status) {
			/* A WEB_HASHES handler must not queue its reply. */
			log_error(ST_INTERNAL, "web: %s %s: no response",
				  req->method, req->path);
			web_res_error(req, res, 500, NULL);
		}
	}
	atomic_fetch_add(&deferred_unsent, 1);
	MHD_resume_connection(conn);
}

static void *
hash_thread(void *arg)
{
	struct hash_pool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct web_request *req;
		bool cancelled;

		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->wake, &p->lock);
		req = p->head;
		if (!req)
			break; /* stopping, and nothing left */
		p->head = req->next_queued;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
		cancelled = p->stopping;
		pthread_mutex_unlock(&p->lock);
		hash_run(req, cancelled);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/*
 * Queues req for a hashing thread with its response so far (res is moved
 * into the request) and suspends its connection. ST_TOOBIG when the queue
 * is full, ST_AGAIN when the server is stopping: the caller answers then.
 */
static enum status
hash_queue_add(struct hash_pool *p, struct web_request *req,
	       struct web_response *res)
{
	enum status rc = ST_OK;

	pthread_mutex_lock(&p->lock);
	if (p->stopping || !p->thread_count) {
		rc = ST_AGAIN;
		goto out;
	}
	if (p->queued >= p->capacity) {
		rc = ST_TOOBIG;
		goto out;
	}
	req->deferred = xmalloc(sizeof(*req->deferred));
	*req->deferred = *res;
	buf_init(&res->body, 0);
	req->queued_ms = clock_mono_ms();
	req->next_queued = NULL;
	/* Before any thread can take it, so the resume follows. */
	MHD_suspend_connection(req->conn);
	if (p->tail)
		p->tail->next_queued = req;
	else
		p->head = req;
	p->tail = req;
	p->queued++;
	pthread_cond_signal(&p->wake);
out:
	pthread_mutex_unlock(&p->lock);
	return rc;
}

static enum status
hash_pool_start(struct hash_pool *p, size_t threads)
{
	size_t i;

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->capacity = threads * HASH_QUEUE_PER_THREAD;
	p->threads = xcalloc(threads, sizeof(*p->threads));
	for (i = 0; i < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, hash_thread, p))
			return log_error(ST_IO, "web: cannot start a hashing "
						"thread");
		p->thread_count++;
	}
	return ST_OK;
}

/* Answers the queue 503, waits for the running handlers, joins. */
static void
hash_pool_stop(struct hash_pool *p)
{
	size_t i;

	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->thread_count; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	pthread_mutex_lock(&p->lock);
	p->threads = NULL;
	p->thread_count = 0;
	pthread_mutex_unlock(&p->lock);
}

/* After MHD_stop_daemon(): no serving thread can queue any more. */
static void
hash_pool_release(struct hash_pool *p)
{
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
}

/* Sends the response a hashing thread made, then frees it. */
static void
send_deferred(struct web_request *req)
{
	struct web_response *res = req->deferred;

	req->deferred = NULL;
	send_response(req, res, false);
	buf_release(&res->body);
	free(res);
	atomic_fetch_sub(&deferred_unsent, 1);
}

static void
dispatch(struct web_server *srv, struct web_request *req)
{
	struct web_response res = {.status = 200};
	const char *problem;
	bool method_mismatch = false, cache_it = false;
	bool get = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");

	buf_init(&res.body, 32 * 1024 * 1024);
	/* Room for a whole page: no copies while it grows. */
	if (buf_grow(&res.body, BODY_START))
		goto out;
	if (req->uri_too_long) {
		web_res_error(req, &res, 414, "The address is too long.");
		goto send;
	}
	problem = target_problem(req);
	if (problem) {
		web_res_error(req, &res, 400, problem);
		goto send;
	}
	req->route = find_route(req, &method_mismatch);
	/* Static files are the same for everyone: no session lookup. */
	if (!req->route || !(req->route->flags & WEB_STATIC))
		resolve_viewer(req);
	if (!req->route) {
		if (method_mismatch)
			web_res_error(req, &res, 405,
				      "This address only answers GET and "
				      "HEAD.");
		else
			web_res_error(req, &res, 404, NULL);
		goto send;
	}
	if (req->body_len > WEB_MAX_BODY) {
		web_res_error(req, &res, 413, "The request body is too large.");
		goto send;
	}
	if (!route_checks_pass(req, &res))
		goto send;
	if (get && (req->route->flags & WEB_CACHEABLE) && req->visitor &&
	    config.web_cache) {
		web_cache_check_version(req);
		if (web_cache_serve(req, req->raw_uri, accepts_gzip(req),
				    web_header(req, "If-None-Match"))) {
			req->cache_hit = true;
			goto out;
		}
		cache_it = true;
	}
	if (req->route->flags & WEB_STATIC) {
		if (!strncmp(req->path, "/static/", 8) &&
		    web_assets_serve(req, req->captures[0], accepts_gzip(req)))
			goto out;
	}
	if (req->route->flags & WEB_HASHES) {
		enum status rc = hash_queue_add(&srv->hashing, req, &res);

		if (!rc)
			return; /* a hashing thread has it now */
		web_res_error(req, &res, 503,
			      rc == ST_TOOBIG
				      ? "Too many sign-ins are waiting at this "
					"moment. Please try again in a "
					"minute."
				      : "Newsstand is restarting. Please try "
					"again in a moment.");
		res.extra_header = "Retry-After";
		res.extra_value = "30";
		goto send;
	}
	run_handler(req, &res, get);
	if (!res.status)
		goto out; /* queued by the handler's helper */
send:
	send_response(req, &res,
		      cache_it && res.status == 200 && !res.no_cache);
out:
	buf_release(&res.body);
}

/* ---- MHD callbacks ------------------------------------------------------ */

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct web_request *req = xcalloc(1, sizeof(*req));
	size_t len = strlen(uri);

	(void)cls;
	arena_init(&req->arena, 0);
	buf_init(&req->body, WEB_MAX_BODY);
	req->conn = conn;
	req->start_ms = clock_mono_ms();
	if (len > WEB_MAX_URI) {
		req->uri_too_long = true;
		len = WEB_MAX_URI;
	}
	req->raw_uri = arena_strndup(&req->arena, uri, len);
	return req;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
	   const char *method, const char *version, const char *upload_data,
	   size_t *upload_data_size, void **con_cls)
{
	struct web_server *srv = cls;
	struct web_request *req = *con_cls;

	(void)version;
	if (!req)
		return MHD_NO;
	if (req->deferred) {
		/* Resumed: the hashing thread has made the response. */
		send_deferred(req);
		return MHD_YES;
	}
	if (!req->started) {
		/*
		 * The first call only sees the headers; answering now would
		 * make libmicrohttpd close the connection (it cannot know
		 * the body was read), so the answer waits for the next call.
		 */
		req->started = true;
		req->method = method;
		req->path = url;
		/* A visitor until dispatch() resolves the viewer. */
		req->visitor = true;
		return MHD_YES;
	}
	if (*upload_data_size) {
		req->body_len += *upload_data_size;
		if (req->body_len <= WEB_MAX_BODY)
			buf_add(&req->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		if (req->body_len > WEB_MAX_BODY && !req->status) {
			dispatch(srv, req);
			return MHD_YES;
		}
		return MHD_YES;
	}
	if (!req->status)
		dispatch(srv, req);
	return MHD_YES;
}

/* Writes s to b with control bytes, quotes and backslashes escaped. */
static void
add_log_safe(struct buf *b, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s && s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			buf_addf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct web_request *req = *con_cls;
	char addr[INET6_ADDRSTRLEN] = "-";
	struct buf line = BUF_INIT;

	(void)cls;
	if (!req)
		return;
	*con_cls = NULL;
	atomic_fetch_add(&stat_requests, 1);
	if (log_enabled(LOG_INFO)) {
		peer_text(conn, addr, sizeof(addr));
		buf_addf(&line, "web: %s \"", addr);
		add_log_safe(&line, req->method ? req->method : "-", 16);
		buf_addc(&line, ' ');
		add_log_safe(&line, req->raw_uri, 400);
		buf_addf(&line, "\" %d %zu %.1fms%s%s", req->status, req->bytes,
			 (double)(clock_mono_ms() - req->start_ms),
			 req->cache_hit ? " hit" : "",
			 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK
				 ? ""
				 : " aborted");
		log_info("%s", line.data);
		buf_release(&line);
	}
	if (req->deferred) {
		/* Resumed at stop, never sent. */
		buf_release(&req->deferred->body);
		free(req->deferred);
		atomic_fetch_sub(&deferred_unsent, 1);
	}
	buf_release(&req->body);
	arena_release(&req->arena);
	free(req);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;

	(void)cls;
	buf_vaddf(&b, fmt, ap);
	while (b.len && (b.data[b.len - 1] == '\n'))
		buf_truncate(&b, b.len - 1);
	log_debug("web: %s", b.data);
	buf_release(&b);
}

/* ---- Start and stop ----------------------------------------------------- */

static enum status
parse_listen(const char *listen, struct sockaddr_storage *ss, bool *v6)
{
	char host[256], *colon;
	const char *port;
	struct addrinfo hints, *res = NULL;
	size_t len = strlen(listen);

	if (len >= sizeof(host))
		return log_error(ST_INVAL, "web: listen address too long");
	memcpy(host, listen, len + 1);
	colon = strrchr(host, ':');
	if (!colon)
		return log_error(ST_INVAL, "web: listen '%s': want ADDR:PORT",
				 listen);
	*colon = '\0';
	port = colon + 1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	{
		char *h = host;

		if (*h == '[') {
			size_t hl = strlen(h);

			if (hl < 2 || h[hl - 1] != ']')
				return log_error(
					ST_INVAL,
					"web: listen '%s': bad address",
					listen);
			h[hl - 1] = '\0';
			h++;
		}
		if (getaddrinfo(*h ? h : NULL, port, &hints, &res) || !res)
			return log_error(ST_INVAL,
					 "web: listen '%s': bad address",
					 listen);
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*v6 = res->ai_family == AF_INET6;
	freeaddrinfo(res);
	return ST_OK;
}

/*
 * The server accepts its connections on a thread of its own and hands each
 * to the daemon with MHD_add_connection(), which gives it to a pool thread
 * chosen by the socket's number: consecutive connections go to different
 * threads. When the pool threads accepted for themselves, whichever woke
 * first took up to ten connections in a row: under 64 keep-alive
 * connections one thread held 22 of them and another 3, and as every
 * thread gets the same share of the cores, requests on the crowded one
 * waited several times longer (a search's p99 was 7 to 30 times its p50).
 */
static void *
accept_loop(void *arg)
{
	struct web_server *srv = arg;

	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(srv->listen_fd, (struct sockaddr *)&ss, &len,
				 SOCK_CLOEXEC);

		if (atomic_load(&srv->stopping)) {
			if (fd >= 0)
				close(fd);
			break;
		}
		if (fd < 0) {
			/* Out of descriptors or memory: let some close. */
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				usleep(10 * 1000);
			continue;
		}
		/* On failure MHD has closed the socket (and logged why). */
		(void)MHD_add_connection(srv->daemon, fd,
					 (struct sockaddr *)&ss, len);
	}
	return NULL;
}

static enum status
listen_on(const struct sockaddr_storage *ss, bool v6, int *fd_out, int *port)
{
	socklen_t len =
		v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	struct sockaddr_storage bound;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int on = 1;

	if (fd < 0)
		return log_error(ST_IO, "web: socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    (v6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on))) ||
	    bind(fd, (const struct sockaddr *)ss, len) || listen(fd, 1024)) {
		enum status rc =
			log_error(ST_IO, "web: cannot listen on %s: %s",
				  config.listen, strerror(errno));

		close(fd);
		return rc;
	}
	len = sizeof(bound);
	if (getsockname(fd, (struct sockaddr *)&bound, &len) == 0)
		*port = ntohs(
			bound.ss_family == AF_INET6
				? ((struct sockaddr_in6 *)&bound)->sin6_port
				: ((struct sockaddr_in *)&bound)->sin_port);
	*fd_out = fd;
	return ST_OK;
}

enum status
web_server_start(struct web_server **out)
{
	struct web_server *srv;
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_USE_ITC | MHD_USE_ERROR_LOG |
			 MHD_USE_NO_LISTEN_SOCKET | MHD_ALLOW_SUSPEND_RESUME;
	long threads = config.web_threads;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct account_limits limits;
	bool v6 = false;
	enum status rc;

	rc = parse_listen(config.listen, &ss, &v6);
	if (rc)
		return rc;
	if (v6)
		flags |= MHD_USE_IPv6;
	/*
	 * One serving thread per core: more make the busy pages' tail
	 * latency worse (search p99 19.5 ms with 2 threads, 28.7 ms with 6,
	 * on 2 cores). Password hashes run on threads of their own.
	 */
	if (threads <= 0)
		threads = cores > 0 ? cores : 1;
	account_limits_get(&limits);
	send_hsts = config.base_url && !strncmp(config.base_url, "https:", 6);
	web_assets_init();
	srv = xcalloc(1, sizeof(*srv));
	rc = listen_on(&ss, v6, &srv->listen_fd, &srv->port);
	if (rc) {
		free(srv);
		web_assets_free();
		return rc;
	}
	rc = hash_pool_start(&srv->hashing, limits.hash_concurrency
						    ? limits.hash_concurrency
						    : 1);
	if (rc) {
		hash_pool_stop(&srv->hashing);
		hash_pool_release(&srv->hashing);
		close(srv->listen_fd);
		free(srv);
		web_assets_free();
		return rc;
	}
	srv->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
		MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)config.web_max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)config.web_max_per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)config.web_timeout,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_END);
	if (!srv->daemon ||
	    pthread_create(&srv->acceptor, NULL, accept_loop, srv)) {
		hash_pool_stop(&srv->hashing);
		if (srv->daemon)
			MHD_stop_daemon(srv->daemon);
		hash_pool_release(&srv->hashing);
		close(srv->listen_fd);
		free(srv);
		web_assets_free();
		return log_error(ST_IO, "web: cannot serve on %s",
				 config.listen);
	}
	/* Without it pages count the shared lists themselves. */
	if (web_ranking_refresher_start())
		(void)log_warn(ST_IO, "web: pages count the shared lists");
	log_info("web: listening on %s (port %d, %ld threads, %zu hashing)",
		 config.listen, srv->port, threads, srv->hashing.thread_count);
	*out = srv;
	return ST_OK;
}

int
web_server_port(const struct web_server *srv)
{
	return srv ? srv->port : 0;
}

void
web_server_stop(struct web_server *srv)
{
	int64_t deadline;

	if (!srv)
		return;
	/* No new connections: shutting the socket wakes the acceptor. */
	atomic_store(&srv->stopping, true);
	shutdown(srv->listen_fd, SHUT_RDWR);
	pthread_join(srv->acceptor, NULL);
	close(srv->listen_fd);
	deadline = clock_mono_ms() + SHUTDOWN_GRACE_MS;
	while (clock_mono_ms() < deadline) {
		const union MHD_DaemonInfo *info = MHD_get_daemon_info(
			srv->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

		if (!info || !info->num_connections)
			break;
		usleep(20 * 1000);
	}
	/* MHD_stop_daemon() refuses suspended connections: resume them. */
	hash_pool_stop(&srv->hashing);
	/* Let the serving threads send what the hashing threads made. */
	deadline = clock_mono_ms() + RESUMED_GRACE_MS;
	while (atomic_load(&deferred_unsent) > 0 && clock_mono_ms() < deadline)
		usleep(5 * 1000);
	MHD_stop_daemon(srv->daemon);
	hash_pool_release(&srv->hashing);
	web_ranking_refresher_stop();
	close_stores();
	web_cache_clear();
	web_assets_free();
	free(srv);
	log_info("web: stopped");
}

void
web_stats_get(struct web_stats *out)
{
	out->requests = atomic_load(&stat_requests);
	out->cache_hits = atomic_load(&web_stat_cache_hits);
	out->cache_entries = atomic_load(&web_stat_cache_entries);
}
