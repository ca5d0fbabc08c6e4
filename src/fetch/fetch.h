/*
 * fetch.h — the HTTP client: a batch of transfers on one libcurl multi handle,
 * with newsstand's policy for hostile servers.
 *
 * Policy (all limits come from the global config):
 *   - http and https only; file:// only when a request sets allow_file (an
 *     operator-configured catalogue entry), and never reached by a redirect;
 *   - HTTP/1.1, or HTTP/2 over TLS; Accept-Encoding gzip, deflate, br, zstd;
 *   - conditional GET from the request's ETag / Last-Modified (304 sets
 *     not_modified);
 *   - fetch_connect_timeout, fetch_timeout for the whole fetch (redirects
 *     included), and a low-speed limit that cuts off a server sending a few
 *     bytes a second;
 *   - fetch_max_body counted after decompression, so a gzip bomb stops at
 *     the cap; an unencoded body that declares a larger Content-Length is
 *     refused before it is downloaded;
 *   - at most fetch_max_redirects redirects, followed here one hop at a time
 *     so every hop is checked like the first; permanent hops are reported;
 *   - the SSRF guard (guard.h) on every address actually connected to;
 *   - fetch_concurrency transfers at once, fetch_per_host to one host name;
 *   - fetch_user_agent as User-Agent; no proxy from the environment.
 *
 * Threads: fetch_run() and fetch_one() may be called from any thread after
 * fetch_global_init(); each call uses its own multi handle. The done()
 * callback runs on the calling thread. To hand a result to another thread,
 * move it out with fetch_result_move() inside done().
 *
 * NEEDSWORK: each fetch_run() starts a new connection cache; a long-lived
 * fetcher object would keep connections across batches.
 */
#ifndef NEWSSTAND_FETCH_FETCH_H
#define NEWSSTAND_FETCH_FETCH_H

#include "common.h"

/* One transfer to make. The strings are borrowed for the whole run. */
struct fetch_request {
	const char *url;	   /* absolute http(s) URL (or file://) */
	const char *etag;	   /* sent as If-None-Match; NULL: none */
	const char *last_modified; /* sent as If-Modified-Since; NULL: none */
	const char *accept;	   /* Accept header; NULL: curl's default */
	bool allow_file;	   /* may be file:// (operator's catalogue) */
	void *user;		   /* the caller's, untouched */
};

/*
 * The outcome of one transfer. Every pointer member is malloc'd (or NULL)
 * and freed by fetch_result_release().
 *
 * status is
 *   ST_OK          a 2xx response, a 304 (not_modified), or a file:// read;
 *   ST_NOTFOUND    404, or 410 (gone is then set), or a missing file;
 *   ST_AGAIN       429 or 503 (see retry_after);
 *   ST_HTTP        another 4xx/5xx status, a redirect without a usable
 *                  Location, or too many redirects;
 *   ST_TIMEOUT     a connect, total or low-speed timeout;
 *   ST_TOOBIG      the body passed fetch_max_body after decompression,
 *                  or an unencoded body's Content-Length (a file's size)
 *                  did: then it is refused at its first bytes;
 *   ST_BLOCKED     the SSRF guard refused the address ("blocked address …");
 *   ST_UNSUPPORTED a scheme other than http(s) (or file when allowed);
 *   ST_INVAL       a malformed URL or header value;
 *   ST_PARSE       a broken content encoding;
 *   ST_NET         DNS, connection, TLS or protocol errors.
 * error is a human sentence for every status but ST_OK, e.g. "timed out
 * after 30 s", "body larger than 10 MiB after decompression", "too many
 * redirects (5)", "blocked address 127.0.0.1", "HTTP 404".
 */
struct fetch_result {
	enum status status;	 /* see above */
	int http_status;	 /* last response's code; 0: none (file://) */
	char *error;		 /* human text; NULL when status is ST_OK */
	char *body;		 /* decoded body, NUL-terminated, when ST_OK
				    and not not_modified ("" if empty);
				    otherwise NULL */
	size_t body_len;	 /* bytes in body, not counting the NUL */
	char *content_type;	 /* Content-Type header, or NULL */
	char *etag;		 /* ETag header of the last response, or NULL */
	char *last_modified;	 /* Last-Modified header, or NULL */
	char *final_url;	 /* the URL of the last hop, or NULL */
	bool not_modified;	 /* the server answered 304 */
	bool gone;		 /* the server answered 410 */
	bool permanent_redirect; /* the first hop was a 301 or 308 */
	char *permanent_url;	 /* where the leading run of permanent
				    hops ends: the URL to store; or NULL */
	int redirects;		 /* redirects followed */
	int64_t retry_after;	 /* seconds asked by 429/503; 0: none */
	double seconds;		 /* wall time of the whole fetch */
};

/* Options of fetch_one(); a zeroed struct (or NULL) means none. */
struct fetch_options {
	const char *etag;	   /* sent as If-None-Match */
	const char *last_modified; /* sent as If-Modified-Since */
	const char *accept;	   /* Accept header */
	bool allow_file;	   /* may be file:// */
};

/*
 * Called once per request as it finishes. res belongs to fetch_run(), which
 * releases it after done() returns; to keep the result (for example to pass
 * it to a worker thread), move it out with fetch_result_move().
 */
typedef void fetch_done_fn(struct fetch_request *req, struct fetch_result *res,
			   void *ctx);

/* Initialises libcurl; call once at start-up, before any thread fetches. */
enum status fetch_global_init(void) WARN_UNUSED;
void fetch_global_cleanup(void);

/*
 * Runs the n requests, at most config.fetch_concurrency at once and
 * config.fetch_per_host to one host, calling done() as each finishes, and
 * returns when all have. Per-request outcomes are in the results; the return
 * value is ST_OK unless the run itself failed (a malformed fetch_allow,
 * libcurl refusing its multi handle), in which case done() is called for
 * every request not yet finished, with that status.
 */
enum status fetch_run(struct fetch_request *reqs, size_t n, fetch_done_fn *done,
		      void *ctx) WARN_UNUSED;

/*
 * Fetches one URL (article pages, `newsstand parse URL`). *out is always
 * filled in, failure or not, and the caller releases it with
 * fetch_result_release(); the return value is out->status.
 */
enum status fetch_one(const char *url, const struct fetch_options *opts,
		      struct fetch_result *out) WARN_UNUSED;

/* Frees every member and zeroes *res; a zeroed result is a no-op. */
void fetch_result_release(struct fetch_result *res);

/* Moves *src into *dst (which must not hold anything) and zeroes *src. */
void fetch_result_move(struct fetch_result *dst, struct fetch_result *src);

#endif
