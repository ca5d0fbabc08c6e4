/*
 * http.h — what a route handler sees: the request, the response it fills in,
 * and the helpers shared by the page (web/) and JSON (api/) handlers.
 *
 * A handler is called once per request on one of the server's serving
 * threads (or, for a WEB_HASHES route, on one of its hashing threads). It reads
 * the request (path captures, query arguments, headers), fills in the response
 * (status, content type, body) and returns ST_OK; any other status makes the
 * server answer with a 500 page (or a JSON error on API routes) and log the
 * failure. Handlers never write to the socket.
 *
 * Memory: strings returned by the web_* accessors belong to the request and
 * live until the response has been sent; web_request_arena() gives the
 * request's arena for the handler's own short-lived allocations. The
 * response body is a struct buf owned by the server.
 */
#ifndef NEWSSTAND_WEB_HTTP_H
#define NEWSSTAND_WEB_HTTP_H

#include "common.h"

#include "base/arena.h"
#include "base/buf.h"

struct store;
struct article;
struct viewer;
struct web_request;

/*
 * The session cookie's name on https sites. On plain http it is "session"
 * (browsers refuse __Host- cookies without Secure): use
 * account_cookie_name(), which picks the right one for config.base_url.
 */
#define WEB_SESSION_COOKIE "__Host-session"

/* Largest request body accepted (bytes); larger bodies get 413. */
#define WEB_MAX_BODY (1024 * 1024)

/* At most this many captures per route pattern. */
#define WEB_MAX_CAPTURES 4

/* Route flags: what the route is, so the server and tests can reason on it. */
enum web_route_flags {
	WEB_PAGE = 1 << 0,	/* an HTML page */
	WEB_API = 1 << 1,	/* JSON: errors are JSON too */
	WEB_CACHEABLE = 1 << 2, /* visitors' 200s go into the page cache */
	WEB_STATIC = 1 << 3,	/* assets, logos and media files */
	WEB_STATE = 1 << 4,	/* changes state (needs a CSRF token) */
	WEB_MEMBER = 1 << 5,	/* needs a signed-in member */
	WEB_EDITOR = 1 << 6,	/* needs the editor role */
	WEB_ADMIN = 1 << 7,	/* needs the admin role */
	/*
	 * Hashes a password (sign-in, sign-up, password changes): the
	 * handler runs on the server's hashing threads, not on a serving
	 * thread, so that 0.1-0.2 s of Argon2id never holds up readers.
	 * Such a handler must fill in res (not queue a reply itself).
	 */
	WEB_HASHES = 1 << 9,
};

/* What a handler produces. */
struct web_response {
	int status;		   /* HTTP status; 200 unless set */
	const char *content_type;  /* static string */
	const char *cache_control; /* static string; NULL: the default */
	char *location;		   /* redirect target (arena) */
	const char *extra_header;  /* one more header name, static */
	const char *extra_value;   /* its value, static */
	struct buf body;	   /* the bytes to send */
	bool no_etag;		   /* do not add an ETag */
	bool no_cache;		   /* never put in the page cache */
	bool compressible;	   /* text that may be gzipped */
	int64_t last_modified;	   /* Unix seconds; 0: none */
};

typedef enum status (*web_handler)(struct web_request *req,
				   struct web_response *res);

struct web_route {
	const char *method;  /* "GET" (also answers HEAD) */
	const char *pattern; /* "/a/{id}"; "{x}" is one segment, "*" the
				rest of the path */
	web_handler handler; /* fills in the response */
	unsigned flags;	     /* enum web_route_flags */
};

/* The route table, in match order. */
const struct web_route *web_routes(size_t *count);

/* ---- Request accessors -------------------------------------------------- */

const char *web_method(const struct web_request *req);
/* The path after percent-decoding, without the query. */
const char *web_path(const struct web_request *req);
/* The request target as sent (path and query), for cache keys and logs. */
const char *web_raw_uri(const struct web_request *req);
/* The i-th capture of the matched route pattern; NULL when absent. */
const char *web_capture(const struct web_request *req, size_t i);
/* A decoded query argument; NULL when absent. */
const char *web_query(const struct web_request *req, const char *name);
/* A request header; NULL when absent. */
const char *web_header(const struct web_request *req, const char *name);
struct arena *web_request_arena(struct web_request *req);
/*
 * The thread's read-only store connection, opened on first use. ST_DB when
 * the database cannot be opened (the server answers 500).
 */
enum status web_store(struct web_request *req, struct store **out) WARN_UNUSED;
/*
 * True when the request comes from a visitor: no valid session cookie and
 * no valid API token (an unknown or expired one is a visitor too).
 */
bool web_is_visitor(const struct web_request *req);
/*
 * Who is asking, resolved once per request by the server before the
 * handler runs (account_resolve_viewer()); a visitor has user_id 0.
 */
const struct viewer *web_viewer(const struct web_request *req);
/*
 * The request body (NUL-terminated, *len bytes), at most WEB_MAX_BODY;
 * NULL (and *len 0) when the request has none.
 */
const char *web_body(const struct web_request *req, size_t *len);
/*
 * Records a full read of article_id in the ledger for a trial or paid
 * member (account_record_read()); failures are logged, not returned, so a
 * page is never refused for its bookkeeping.
 */
void web_record_read(struct web_request *req, int64_t article_id);

/*
 * The paywall, decided in one place for every surface (pages, API, search
 * snippets, meta tags): true when this viewer may receive the full text of
 * the article. Visitors never may.
 */
bool web_viewer_can_read_full(const struct web_request *req,
			      const struct article *a);

/* ---- Response helpers --------------------------------------------------- */

/* Prepares an HTML (or JSON) 200 response. */
void web_res_html(struct web_response *res);
void web_res_json(struct web_response *res);
/* A redirect (301, 302, 303) to location (copied). */
void web_res_redirect(struct web_request *req, struct web_response *res,
		      int status, const char *location);
/*
 * Fills res with the friendly error page (HTML) or the JSON error of an API
 * route for status, with a message for the reader (may be NULL).
 */
void web_res_error(struct web_request *req, struct web_response *res,
		   int status, const char *message);

/* The default page cache lifetime for visitors. */
#define WEB_CACHE_PAGE	  "public, max-age=60"
#define WEB_CACHE_PRIVATE "private, no-cache"
#define WEB_CACHE_NONE	  "no-store"

#endif
