/*
 * internal.h — shared by the files of src/web/ only: the request structure,
 * the page cache, the embedded assets and the common response headers.
 */
#ifndef NEWSSTAND_WEB_INTERNAL_H
#define NEWSSTAND_WEB_INTERNAL_H

#include "common.h"

#include <microhttpd.h>
#include <stdatomic.h>

#include "account/account.h"
#include "base/buf.h"
#include "web/http.h"

/* Longest request target accepted (bytes); longer gets 414. */
#define WEB_MAX_URI 4096

struct web_request {
	struct MHD_Connection *conn;   /* MHD's connection */
	struct arena arena;	       /* freed when the request completes */
	char *raw_uri;		       /* the target as sent (arena) */
	bool uri_too_long;	       /* raw target longer than WEB_MAX_URI */
	const char *method;	       /* MHD's string */
	const char *path;	       /* decoded path (MHD's string) */
	const struct web_route *route; /* the matched route, or NULL */
	const char *captures[WEB_MAX_CAPTURES]; /* pattern captures (arena) */
	size_t body_len;			/* request body bytes seen */
	struct buf body;      /* the body kept (at most WEB_MAX_BODY) */
	struct viewer viewer; /* who is asking (account_resolve_viewer) */
	bool viewer_ready;    /* viewer has been resolved */
	bool bearer_refused;  /* a Bearer token was sent and did not resolve */
	bool started;	      /* the handler has been called once */
	bool visitor;	      /* no signed-in user (viewer.user_id == 0) */
	int status;	      /* the status sent, for the log */
	size_t bytes;	      /* body bytes sent, for the log */
	bool cache_hit;	      /* answered from the page cache */
	bool snapshot_wanted; /* read the store in one snapshot (GET pages) */
	struct store *snapshot; /* the store in a snapshot, or NULL */
	int64_t start_ms;	/* monotonic start time */
	/*
	 * A WEB_HASHES route's response, filled in on a hashing thread
	 * while the connection is suspended and sent when libmicrohttpd
	 * calls again after the resume; NULL otherwise.
	 */
	struct web_response *deferred;
	int64_t queued_ms;		 /* when it joined the hashing queue */
	struct web_request *next_queued; /* the hashing queue's link */
};

/* ---- The page cache (cache.c) ------------------------------------------- */

/*
 * Queues the cached response for key if there is one (answering 304 when
 * if_none_match matches) and returns true; false on a miss.
 */
bool web_cache_serve(struct web_request *req, const char *key, bool gzip_ok,
		     const char *if_none_match);
/*
 * Stores a visitor's 200 page. On true the cache has taken over the
 * caller's references to plain and gz (queue them before calling); on false
 * the caller still owns them.
 */
bool web_cache_put(const char *key, struct MHD_Response *plain,
		   struct MHD_Response *gz, size_t plain_len, size_t gz_len,
		   const char *etag);
/* Invalidates when the store's data version moved (checked 4 times a s). */
void web_cache_check_version(struct web_request *req);
/* Frees every entry (at shutdown). */
void web_cache_clear(void);

/* ---- Responses (server.c) ----------------------------------------------- */

/* Adds the security headers every response carries. */
void web_add_common_headers(struct MHD_Response *r);
/* True when if_none_match (a header value) matches etag. */
bool web_etag_matches(const char *if_none_match, const char *etag);
/* Queues an empty 304 carrying etag and cache_control. */
void web_queue_not_modified(struct web_request *req, const char *etag,
			    const char *cache_control);
/* gzip-compresses in into out (level 1..9); false when not worth it. */
bool web_gzip(const char *in, size_t len, int level, struct buf *out);

/* ---- Assets (assets.c) -------------------------------------------------- */

/* Builds the hashed names and responses of the embedded assets. */
void web_assets_init(void);
void web_assets_free(void);
/* The public URL of an embedded asset by its file name ("app.css"). */
const char *web_asset_url(const char *name);
/* Handler of /static/{name}. */
enum status web_static_handler(struct web_request *req,
			       struct web_response *res);
/* Queues an embedded asset when path names one; false otherwise. */
bool web_assets_serve(struct web_request *req, const char *name, bool gzip_ok);

/* Counters (server.c, cache.c). */
extern atomic_uint_fast64_t web_stat_cache_hits;
extern atomic_uint_fast64_t web_stat_cache_entries;

/* The value of Content-Security-Policy for pages. */
extern const char web_csp[];

#endif
