#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "base/buf.h"
#include "support/fixture_server.h"

#define REQUEST_MAX 16384
#define CHUNK	    65536

/* Requests seen for one path. */
struct path_count {
	char *path; /* the path, without query */
	long count; /* requests received */
};

struct fixture_server {
	int listen_fd;		      /* the listening socket */
	int port;		      /* its port */
	pthread_t acceptor;	      /* the accept loop */
	atomic_bool stopping;	      /* set by fixture_server_stop() */
	pthread_mutex_t lock;	      /* guards everything below */
	pthread_cond_t idle;	      /* signalled when active drops to 0 */
	struct fixture_route *routes; /* owned copies */
	size_t route_count;	      /* entries in routes */
	struct path_count *paths;     /* requests per path */
	size_t path_count;	      /* entries in paths */
	long connections;	      /* accepted so far */
	long active;		      /* connections open now */
	long busy;		      /* requests read, not yet answered */
	long max_busy;		      /* most of them at once */
};

/* One accepted connection, handled by its own thread. */
struct conn {
	struct fixture_server *srv; /* the server */
	int fd;			    /* the socket */
};

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
route_copy(struct fixture_route *dst, const struct fixture_route *src)
{
	*dst = *src;
	dst->path = xstrdup(src->path ? src->path : "/");
	dst->content_type = dup_or_null(src->content_type);
	dst->headers = dup_or_null(src->headers);
	if (src->body) {
		size_t len = src->body_len ? src->body_len : strlen(src->body);
		char *body = xmalloc(len + 1);

		memcpy(body, src->body, len);
		body[len] = '\0';
		dst->body = body;
		dst->body_len = len;
	}
	dst->body_file = dup_or_null(src->body_file);
	dst->etag = dup_or_null(src->etag);
	dst->last_modified = dup_or_null(src->last_modified);
	dst->location = dup_or_null(src->location);
}

static void
route_free(struct fixture_route *r)
{
	free((char *)r->path);
	free((char *)r->content_type);
	free((char *)r->headers);
	free((char *)r->body);
	free((char *)r->body_file);
	free((char *)r->etag);
	free((char *)r->last_modified);
	free((char *)r->location);
}

void
fixture_server_add(struct fixture_server *srv,
		   const struct fixture_route *route)
{
	size_t i;

	pthread_mutex_lock(&srv->lock);
	for (i = 0; i < srv->route_count; i++) {
		if (!strcmp(srv->routes[i].path,
			    route->path ? route->path : "/")) {
			route_free(&srv->routes[i]);
			route_copy(&srv->routes[i], route);
			pthread_mutex_unlock(&srv->lock);
			return;
		}
	}
	srv->routes = xreallocarray(srv->routes, srv->route_count + 1,
				    sizeof(*srv->routes));
	route_copy(&srv->routes[srv->route_count++], route);
	pthread_mutex_unlock(&srv->lock);
}

/* Finds the route for path and copies it into *out (under the lock). */
static bool
find_route(struct fixture_server *srv, const char *path,
	   struct fixture_route *out)
{
	const struct fixture_route *found = NULL;
	size_t i;

	pthread_mutex_lock(&srv->lock);
	for (i = 0; i < srv->route_count && !found; i++)
		if (!strcmp(srv->routes[i].path, path))
			found = &srv->routes[i];
	for (i = 0; i < srv->route_count && !found; i++) {
		const char *p = srv->routes[i].path;
		size_t len = strlen(p);

		if (len && p[len - 1] == '*' && !strncmp(p, path, len - 1))
			found = &srv->routes[i];
	}
	if (found)
		route_copy(out, found);
	pthread_mutex_unlock(&srv->lock);
	return found != NULL;
}

static void
count_request(struct fixture_server *srv, const char *path)
{
	size_t i;

	pthread_mutex_lock(&srv->lock);
	for (i = 0; i < srv->path_count; i++)
		if (!strcmp(srv->paths[i].path, path))
			break;
	if (i == srv->path_count) {
		srv->paths = xreallocarray(srv->paths, srv->path_count + 1,
					   sizeof(*srv->paths));
		srv->paths[i].path = xstrdup(path);
		srv->paths[i].count = 0;
		srv->path_count++;
	}
	srv->paths[i].count++;
	pthread_mutex_unlock(&srv->lock);
}

/* Sleeps ms milliseconds, waking early when the server stops. */
static bool
nap(struct fixture_server *srv, int ms)
{
	while (ms > 0 && !atomic_load(&srv->stopping)) {
		int step = ms < 50 ? ms : 50;
		struct timespec ts = {0, (long)step * 1000000L};

		nanosleep(&ts, NULL);
		ms -= step;
	}
	return !atomic_load(&srv->stopping);
}

static bool
send_all(struct conn *c, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n;

		if (atomic_load(&c->srv->stopping))
			return false;
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* True once the peer has closed (or reset) the connection. */
static bool
peer_closed(int fd)
{
	struct pollfd pfd = {fd, POLLIN, 0};
	char scratch[512];

	if (poll(&pfd, 1, 0) <= 0)
		return false;
	if (pfd.revents & (POLLHUP | POLLERR))
		return true;
	return recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT) <= 0;
}

static const char *
reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 303:
		return "See Other";
	case 304:
		return "Not Modified";
	case 307:
		return "Temporary Redirect";
	case 308:
		return "Permanent Redirect";
	case 404:
		return "Not Found";
	case 410:
		return "Gone";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Status";
	}
}

/* Starts a response head; the caller adds fields and the blank line. */
static void
head_start(struct buf *h, int status, const struct fixture_route *r)
{
	buf_addf(h, "HTTP/1.1 %d %s\r\nConnection: close\r\n", status,
		 reason(status));
	if (r->content_type && status != 304)
		buf_addf(h, "Content-Type: %s\r\n", r->content_type);
	if (r->etag)
		buf_addf(h, "ETag: %s\r\n", r->etag);
	if (r->last_modified)
		buf_addf(h, "Last-Modified: %s\r\n", r->last_modified);
	if (r->headers)
		buf_adds(h, r->headers);
}

/* Reads the request head; returns its length, or 0 on failure. */
static size_t
read_request(int fd, char *req, size_t size)
{
	size_t len = 0;

	while (len + 1 < size) {
		ssize_t n = recv(fd, req + len, size - 1 - len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		len += (size_t)n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n"))
			return len;
	}
	return 0;
}

/* Copies the value of header name of the request into out ("" if absent). */
static void
request_header(const char *req, const char *name, char *out, size_t size)
{
	const char *line = strstr(req, "\r\n");
	size_t name_len = strlen(name);

	out[0] = '\0';
	while (line && line[2] != '\r') {
		const char *p = line + 2, *end = strstr(p, "\r\n");

		if (!end)
			return;
		if (!strncasecmp(p, name, name_len) && p[name_len] == ':') {
			size_t len;

			p += name_len + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			len = (size_t)(end - p);
			if (len >= size)
				len = size - 1;
			memcpy(out, p, len);
			out[len] = '\0';
			return;
		}
		line = end;
	}
}

static void
respond_static(struct conn *c, const struct fixture_route *r, const char *req,
	       bool gzip)
{
	struct buf head = BUF_INIT, body = BUF_INIT;
	char inm[512], ims[128];
	int status = r->status ? r->status : 200;

	request_header(req, "If-None-Match", inm, sizeof(inm));
	request_header(req, "If-Modified-Since", ims, sizeof(ims));
	if ((r->etag && *inm && strstr(inm, r->etag)) ||
	    (r->last_modified && !*inm && !strcmp(ims, r->last_modified))) {
		head_start(&head, 304, r);
		buf_adds(&head, "Content-Length: 0\r\n\r\n");
		send_all(c, head.data, head.len);
		buf_release(&head);
		return;
	}
	if (r->body_file) {
		FILE *f = fopen(r->body_file, "rb");
		char chunk[8192];
		size_t n;

		if (!f) {
			status = 404;
		} else {
			while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
				buf_add(&body, chunk, n);
			fclose(f);
		}
	} else if (r->body) {
		buf_add(&body, r->body, r->body_len);
	}
	if (gzip) {
		z_stream z = {0};
		struct buf packed = BUF_INIT;

		if (deflateInit2(&z, 9, Z_DEFLATED, 31, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK)
			die("fixture: deflateInit2");
		buf_grow(&packed, deflateBound(&z, body.len));
		z.next_in = (unsigned char *)body.data;
		z.avail_in = (uInt)body.len;
		z.next_out = (unsigned char *)packed.data;
		z.avail_out = (uInt)(packed.cap - 1);
		if (deflate(&z, Z_FINISH) != Z_STREAM_END)
			die("fixture: deflate");
		packed.len = z.total_out;
		packed.data[packed.len] = '\0';
		deflateEnd(&z);
		buf_release(&body);
		body = packed;
	}
	head_start(&head, status, r);
	if (gzip)
		buf_adds(&head, "Content-Encoding: gzip\r\n");
	buf_addf(&head, "Content-Length: %zu\r\n\r\n", body.len);
	if (send_all(c, head.data, head.len))
		send_all(c, body.data, body.len);
	buf_release(&head);
	buf_release(&body);
}

static void
respond_redirect(struct conn *c, const struct fixture_route *r)
{
	struct buf head = BUF_INIT;

	head_start(&head, r->status ? r->status : 302, r);
	buf_addf(&head, "Location: %s\r\nContent-Length: 0\r\n\r\n",
		 r->location ? r->location : "/");
	send_all(c, head.data, head.len);
	buf_release(&head);
}

static void
respond_drip(struct conn *c, const struct fixture_route *r)
{
	struct buf head = BUF_INIT;
	size_t len = r->body ? r->body_len : 1000, i;

	head_start(&head, r->status ? r->status : 200, r);
	buf_addf(&head, "Content-Length: %zu\r\n\r\n", len);
	if (!send_all(c, head.data, head.len))
		goto out;
	for (i = 0; i < len; i++) {
		char byte = r->body ? r->body[i] : 'x';

		if (!send_all(c, &byte, 1) || !nap(c->srv, 1000) ||
		    peer_closed(c->fd))
			break;
	}
out:
	buf_release(&head);
}

static void
respond_silent(struct conn *c)
{
	while (nap(c->srv, 50) && !peer_closed(c->fd))
		;
}

static void
respond_huge(struct conn *c, const struct fixture_route *r)
{
	struct buf head = BUF_INIT;
	char *chunk = xmalloc(CHUNK);
	uint64_t left = r->size;

	memset(chunk, 'x', CHUNK);
	head_start(&head, r->status ? r->status : 200, r);
	buf_addf(&head, "Content-Length: %" PRIu64 "\r\n\r\n", r->size);
	if (send_all(c, head.data, head.len)) {
		while (left) {
			size_t n = left < CHUNK ? (size_t)left : CHUNK;

			if (!send_all(c, chunk, n))
				break;
			left -= n;
		}
	}
	free(chunk);
	buf_release(&head);
}

/* Streams a gzip of r->size zero bytes, compressing as it goes. */
static void
respond_gzip_bomb(struct conn *c, const struct fixture_route *r)
{
	struct buf head = BUF_INIT;
	unsigned char *zeros = xcalloc(1, CHUNK), *out = xmalloc(CHUNK);
	uint64_t left = r->size;
	z_stream z = {0};
	int flush;

	head_start(&head, r->status ? r->status : 200, r);
	buf_adds(&head, "Content-Encoding: gzip\r\n\r\n");
	if (deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		die("fixture: deflateInit2");
	if (!send_all(c, head.data, head.len))
		goto out;
	do {
		size_t n = left < CHUNK ? (size_t)left : CHUNK;

		left -= n;
		flush = left ? Z_NO_FLUSH : Z_FINISH;
		z.next_in = zeros;
		z.avail_in = (uInt)n;
		do {
			z.next_out = out;
			z.avail_out = CHUNK;
			deflate(&z, flush);
			if (CHUNK - z.avail_out &&
			    !send_all(c, out, CHUNK - z.avail_out))
				goto out;
		} while (z.avail_out == 0);
	} while (flush != Z_FINISH);
out:
	deflateEnd(&z);
	free(zeros);
	free(out);
	buf_release(&head);
}

/* Counts a request in or out of those being worked on (max_busy). */
static void
set_busy(struct fixture_server *srv, int delta)
{
	pthread_mutex_lock(&srv->lock);
	srv->busy += delta;
	if (srv->busy > srv->max_busy)
		srv->max_busy = srv->busy;
	pthread_mutex_unlock(&srv->lock);
}

static void
serve(struct conn *c)
{
	char *req = xmalloc(REQUEST_MAX);
	char path[2048];
	struct fixture_route route = {0};
	struct timeval tv = {5, 0};
	const char *p, *end;
	size_t len;

	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (!read_request(c->fd, req, REQUEST_MAX))
		goto out;
	p = strchr(req, ' ');
	if (!p)
		goto out;
	p++;
	end = p + strcspn(p, " ?\r\n");
	len = (size_t)(end - p) < sizeof(path) ? (size_t)(end - p)
					       : sizeof(path) - 1;
	memcpy(path, p, len);
	path[len] = '\0';
	count_request(c->srv, path);
	set_busy(c->srv, +1);
	if (!find_route(c->srv, path, &route)) {
		static const char not_found[] =
			"HTTP/1.1 404 Not Found\r\nConnection: close\r\n"
			"Content-Length: 10\r\n\r\nnot found\n";

		set_busy(c->srv, -1);
		send_all(c, not_found, sizeof(not_found) - 1);
		goto out;
	}
	if (route.delay_ms && !nap(c->srv, route.delay_ms)) {
		set_busy(c->srv, -1);
		goto out;
	}
	/* Answered from here on: a client may start its next request as
	 * soon as it has this one's answer, so the count drops before. */
	set_busy(c->srv, -1);
	switch (route.kind) {
	case FIXTURE_STATIC:
		respond_static(c, &route, req, false);
		break;
	case FIXTURE_GZIP:
		respond_static(c, &route, req, true);
		break;
	case FIXTURE_REDIRECT:
		respond_redirect(c, &route);
		break;
	case FIXTURE_DRIP:
		respond_drip(c, &route);
		break;
	case FIXTURE_SILENT:
		respond_silent(c);
		break;
	case FIXTURE_HUGE:
		respond_huge(c, &route);
		break;
	case FIXTURE_GZIP_BOMB:
		respond_gzip_bomb(c, &route);
		break;
	case FIXTURE_HANGUP:
		break;
	case FIXTURE_ECHO:
		route.body_len = strlen(req);
		free((char *)route.body);
		route.body = xstrdup(req);
		respond_static(c, &route, "", false);
		break;
	}
out:
	route_free(&route);
	free(req);
}

static void *
conn_main(void *arg)
{
	struct conn *c = arg;
	struct fixture_server *srv = c->srv;

	serve(c);
	/* srv is not touched after this (fixture_server_stop() waits for
	 * no connection to be active). */
	pthread_mutex_lock(&srv->lock);
	if (--srv->active == 0)
		pthread_cond_broadcast(&srv->idle);
	pthread_mutex_unlock(&srv->lock);
	shutdown(c->fd, SHUT_WR);
	close(c->fd);
	free(c);
	return NULL;
}

static void *
accept_main(void *arg)
{
	struct fixture_server *srv = arg;

	while (!atomic_load(&srv->stopping)) {
		struct pollfd pfd = {srv->listen_fd, POLLIN, 0};
		pthread_attr_t attr;
		pthread_t thread;
		struct conn *c;
		int fd;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		c = xcalloc(1, sizeof(*c));
		c->srv = srv;
		c->fd = fd;
		pthread_mutex_lock(&srv->lock);
		srv->connections++;
		srv->active++;
		pthread_mutex_unlock(&srv->lock);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&thread, &attr, conn_main, c))
			die("fixture: pthread_create");
		pthread_attr_destroy(&attr);
	}
	return NULL;
}

struct fixture_server *
fixture_server_start(const struct fixture_route *routes, size_t n)
{
	struct fixture_server *srv = xcalloc(1, sizeof(*srv));
	struct sockaddr_in addr = {0};
	socklen_t addr_len = sizeof(addr);
	int one = 1;
	size_t i;

	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->idle, NULL);
	atomic_init(&srv->stopping, false);
	for (i = 0; i < n; i++)
		fixture_server_add(srv, &routes[i]);
	srv->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv->listen_fd < 0)
		die("fixture: socket: %s", strerror(errno));
	setsockopt(srv->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(srv->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(srv->listen_fd, 256) ||
	    getsockname(srv->listen_fd, (struct sockaddr *)&addr, &addr_len))
		die("fixture: listen: %s", strerror(errno));
	srv->port = ntohs(addr.sin_port);
	if (pthread_create(&srv->acceptor, NULL, accept_main, srv))
		die("fixture: pthread_create");
	return srv;
}

void
fixture_server_stop(struct fixture_server *srv)
{
	size_t i;

	if (!srv)
		return;
	atomic_store(&srv->stopping, true);
	pthread_join(srv->acceptor, NULL);
	close(srv->listen_fd);
	pthread_mutex_lock(&srv->lock);
	while (srv->active)
		pthread_cond_wait(&srv->idle, &srv->lock);
	pthread_mutex_unlock(&srv->lock);
	for (i = 0; i < srv->route_count; i++)
		route_free(&srv->routes[i]);
	free(srv->routes);
	for (i = 0; i < srv->path_count; i++)
		free(srv->paths[i].path);
	free(srv->paths);
	pthread_cond_destroy(&srv->idle);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
}

int
fixture_server_port(const struct fixture_server *srv)
{
	return srv->port;
}

char *
fixture_server_url(const struct fixture_server *srv, const char *path)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "http://127.0.0.1:%d%s", srv->port, path ? path : "");
	return buf_detach(&b, NULL);
}

long
fixture_server_connections(struct fixture_server *srv)
{
	long n;

	pthread_mutex_lock(&srv->lock);
	n = srv->connections;
	pthread_mutex_unlock(&srv->lock);
	return n;
}

long
fixture_server_requests(struct fixture_server *srv, const char *path)
{
	long n = 0;
	size_t i;

	pthread_mutex_lock(&srv->lock);
	for (i = 0; i < srv->path_count; i++)
		if (!strcmp(srv->paths[i].path, path))
			n = srv->paths[i].count;
	pthread_mutex_unlock(&srv->lock);
	return n;
}

long
fixture_server_max_active(struct fixture_server *srv)
{
	long n;

	pthread_mutex_lock(&srv->lock);
	n = srv->max_busy;
	pthread_mutex_unlock(&srv->lock);
	return n;
}
