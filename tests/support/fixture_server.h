/*
 * fixture_server.h — a small HTTP/1.1 server for tests, on 127.0.0.1 with an
 * ephemeral port, running in threads inside the test process.
 *
 * It answers from a route table of canned behaviours, including hostile ones
 * (a 100 MB body, a gzip bomb, a one-byte-a-second drip, a server that never
 * answers), and counts what it receives so tests can assert, say, that a
 * canary received no connection at all. One request per connection; every
 * response carries "Connection: close".
 *
 *	struct fixture_route routes[] = {
 *		{ .path = "/feed.xml", .body = "<rss/>",
 *		  .content_type = "application/rss+xml", .etag = "\"v1\"" },
 *		{ .path = "/old", .kind = FIXTURE_REDIRECT, .status = 301,
 *		  .location = "/feed.xml" },
 *	};
 *	struct fixture_server *srv =
 *		fixture_server_start(routes, ARRAY_SIZE(routes));
 *	char *url = fixture_server_url(srv, "/feed.xml");
 *	... fetch url ...
 *	cr_assert_eq(fixture_server_requests(srv, "/feed.xml"), 1);
 *	free(url);
 *	fixture_server_stop(srv);
 *
 * Unknown paths get a 404. Strings of a route are copied when it is added.
 * Functions may be called from any thread. Failures to set the server up
 * abort the test process with a message (they are test bugs).
 */
#ifndef NEWSSTAND_TESTS_FIXTURE_SERVER_H
#define NEWSSTAND_TESTS_FIXTURE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fixture_kind {
	FIXTURE_STATIC,	   /* status, headers and body; conditional GET */
	FIXTURE_GZIP,	   /* like FIXTURE_STATIC, body sent gzip-encoded */
	FIXTURE_REDIRECT,  /* status (302 by default), Location: location */
	FIXTURE_DRIP,	   /* headers, then the body one byte a second */
	FIXTURE_SILENT,	   /* reads the request and never answers */
	FIXTURE_HUGE,	   /* size bytes of text, streamed, Content-Length */
	FIXTURE_GZIP_BOMB, /* gzip of size zero bytes, streamed on the fly */
	FIXTURE_HANGUP,	   /* closes the connection without a response */
	FIXTURE_ECHO,	   /* 200 whose body is the request head */
};

struct fixture_route {
	const char *path;	   /* exact path (query ignored), or a prefix
				      ending in '*' ("*" matches all) */
	enum fixture_kind kind;	   /* the behaviour */
	int status;		   /* 0: 200 (302 for FIXTURE_REDIRECT) */
	const char *content_type;  /* Content-Type; NULL: none */
	const char *headers;	   /* extra lines, each ending in "\r\n" */
	const char *body;	   /* the body; NULL: empty (DRIP: 1000 'x') */
	size_t body_len;	   /* bytes of body; 0: strlen(body) */
	const char *body_file;	   /* if set, the body is this file's bytes,
				      read at each request */
	const char *etag;	   /* sent as ETag; a matching If-None-Match
				      gets a 304 */
	const char *last_modified; /* sent as Last-Modified; an equal
				      If-Modified-Since gets a 304 */
	const char *location;	   /* Location of FIXTURE_REDIRECT */
	uint64_t size;		   /* FIXTURE_HUGE, FIXTURE_GZIP_BOMB bytes */
	int delay_ms;		   /* wait before answering */
};

struct fixture_server;

/* Listens on 127.0.0.1:0 and serves the n routes (n may be 0). */
struct fixture_server *fixture_server_start(const struct fixture_route *routes,
					    size_t n);
/* Adds (or, for an existing path, replaces) a route while serving. */
void fixture_server_add(struct fixture_server *srv,
			const struct fixture_route *route);
/* Stops listening, ends every connection, waits for them and frees srv. */
void fixture_server_stop(struct fixture_server *srv);

/* The port it listens on. */
int fixture_server_port(const struct fixture_server *srv);
/* "http://127.0.0.1:PORT" followed by path; malloc'd, caller frees. */
char *fixture_server_url(const struct fixture_server *srv, const char *path);

/* Connections accepted so far (whether or not a request came). */
long fixture_server_connections(struct fixture_server *srv);
/* Requests received for path (exact, query ignored), routed or not. */
long fixture_server_requests(struct fixture_server *srv, const char *path);
/*
 * The most requests worked on at the same time: each counts from the
 * moment it was read to the moment its answer starts, so a client that
 * sends its next request once it has an answer never overlaps itself.
 */
long fixture_server_max_active(struct fixture_server *srv);

#endif
