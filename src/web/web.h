/*
 * web.h — the reading app's HTTP server.
 *
 * web_server_start() binds config.listen (ADDR:PORT; port 0 picks a free
 * port, see web_server_port()) and serves the route table from a pool of
 * config.web_threads worker threads (0: one per core) on epoll. Limits come
 * from config: web_max_connections, web_max_per_ip, web_timeout. Each worker
 * reads through its own read-only store connection on config.data_dir.
 *
 * web_server_stop() stops accepting, lets requests in flight finish (for a
 * few seconds at most), closes the connections and frees the server.
 *
 * The anonymous-page cache keeps the rendered bytes of visitors' pages. It
 * notices new content from any connection or process itself (the content
 * version, reading_content_version(): articles, stories, picks, publishers
 * and topics, not members' reads or sessions) within a quarter of a second,
 * and renders pages again at least every minute; a writer in the same
 * process calls web_cache_content_committed() after each commit for an
 * immediate effect.
 */
#ifndef NEWSSTAND_WEB_WEB_H
#define NEWSSTAND_WEB_WEB_H

#include "common.h"

struct web_server;

enum status web_server_start(struct web_server **out) WARN_UNUSED;
/* The port the server listens on (useful after binding port 0). */
int web_server_port(const struct web_server *srv);
/* Graceful stop; frees srv. NULL is a no-op. */
void web_server_stop(struct web_server *srv);

/* Drops every cached page; safe from any thread. */
void web_cache_invalidate(void);
/*
 * Tells the cache that a writer of this process committed: it reads the
 * content version at once and drops the cached pages only when what
 * visitors see changed (articles created or updated, stories, picks,
 * publishers, topics), not for a commit of feed state alone. Safe from
 * any thread.
 */
void web_cache_content_committed(void);

/* Counters for tests and metrics. */
struct web_stats {
	uint64_t requests;	/* requests answered */
	uint64_t cache_hits;	/* answered from the page cache */
	uint64_t cache_entries; /* pages in the cache now */
};
void web_stats_get(struct web_stats *out);

#endif
