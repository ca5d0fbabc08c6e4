#include "common.h"

#include <ctype.h>
#include <curl/curl.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "fetch/fetch.h"
#include "fetch/guard.h"

/* A server slower than this many bytes a second for a while is cut off. */
#define LOW_SPEED_BYTES 100
/* Retry-After is honoured up to this many seconds. */
#define RETRY_AFTER_MAX (30L * 86400)

struct run;

/* One request in flight or waiting: its curl handle and what it gathered. */
struct xfer {
	struct run *run;		   /* the run it belongs to */
	struct fetch_request *req;	   /* the caller's request */
	struct fetch_result res;	   /* filled in as it goes */
	CURL *easy;			   /* created on the first hop */
	struct curl_slist *headers;	   /* request headers of every hop */
	struct buf body;		   /* the decoded body, capped */
	char *url;			   /* the current hop's URL */
	size_t host;			   /* index of its host in run->hosts */
	bool host_allowed;		   /* the host is on the allow-list */
	bool is_file;			   /* the current hop is file:// */
	bool too_big;			   /* the write callback hit the cap */
	bool sized;			   /* the hop's body buffer was sized */
	int64_t declared;		   /* Content-Length over the cap; 0:
					      none */
	bool blocked;			   /* the guard refused an address */
	bool leading_permanent;		   /* every hop so far was permanent */
	char blocked_addr[FETCH_ADDR_MAX]; /* the refused address */
	char errbuf[CURL_ERROR_SIZE];	   /* libcurl's error text */
	int64_t started_ms;  /* monotonic start of the first hop */
	int64_t deadline_ms; /* monotonic end of the whole fetch */
};

/* One fetch_run(): the multi handle, the queue and the per-host counts. */
struct run {
	CURLM *multi;		   /* drives every transfer */
	struct fetch_guard *guard; /* the parsed fetch_allow */
	struct xfer *xfers;	   /* one per request */
	size_t xfer_count;	   /* entries in xfers */
	size_t *pending;	   /* indexes into xfers waiting to start */
	size_t pending_count;	   /* entries in pending */
	char **hosts;		   /* host names seen, lower case */
	long *host_active;	   /* transfers running per host */
	size_t host_count;	   /* entries in hosts and host_active */
	long active;		   /* transfers running */
	fetch_done_fn *done;	   /* the caller's callback */
	void *ctx;		   /* and its context */
};

enum status
fetch_global_init(void)
{
	CURLcode cc = curl_global_init(CURL_GLOBAL_DEFAULT);

	if (cc)
		return log_error(ST_INTERNAL, "fetch: curl_global_init: %s",
				 curl_easy_strerror(cc));
	return ST_OK;
}

void
fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

void
fetch_result_release(struct fetch_result *res)
{
	free(res->error);
	free(res->body);
	free(res->content_type);
	free(res->etag);
	free(res->last_modified);
	free(res->final_url);
	free(res->permanent_url);
	memset(res, 0, sizeof(*res));
}

void
fetch_result_move(struct fetch_result *dst, struct fetch_result *src)
{
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

/* "10 MiB", "512 KiB" or "1000 bytes", for error messages. */
static void
format_size(long bytes, char *out, size_t size)
{
	if (bytes >= 1048576 && bytes % 1048576 == 0)
		snprintf(out, size, "%ld MiB", bytes / 1048576);
	else if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(out, size, "%ld KiB", bytes / 1024);
	else
		snprintf(out, size, "%ld bytes", bytes);
}

static void set_error(struct xfer *x, enum status st, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

static void
set_error(struct xfer *x, enum status st, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(x->res.error);
	x->res.error = buf_detach(&b, NULL);
	x->res.status = st;
}

/* Returns the index of host in run->hosts, adding it when new. */
static size_t
intern_host(struct run *run, const char *host)
{
	size_t i;

	for (i = 0; i < run->host_count; i++)
		if (!strcmp(run->hosts[i], host))
			return i;
	run->hosts = xreallocarray(run->hosts, run->host_count + 1,
				   sizeof(*run->hosts));
	run->host_active = xreallocarray(run->host_active, run->host_count + 1,
					 sizeof(*run->host_active));
	run->hosts[i] = xstrdup(host);
	run->host_active[i] = 0;
	run->host_count++;
	return i;
}

/*
 * Checks url as the next hop of x (first: the request's own URL) and makes it
 * current. Returns false with x->res's error set when it may not be fetched.
 */
static bool
xfer_set_url(struct xfer *x, const char *url, bool first)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *norm = NULL;
	bool ok = false;
	CURLUcode uc;
	size_t i;

	if (!u)
		die("out of memory");
	uc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
	if (uc) {
		set_error(x, ST_INVAL, "malformed URL: %s",
			  curl_url_strerror(uc));
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_URL, &norm, 0)) {
		set_error(x, ST_INVAL, "malformed URL");
		goto out;
	}
	x->is_file = !strcmp(scheme, "file");
	if (x->is_file && !(first && x->req->allow_file)) {
		set_error(x, ST_UNSUPPORTED, "%s not allowed: file",
			  first ? "scheme" : "redirect to scheme");
		goto out;
	}
	if (!x->is_file && strcmp(scheme, "http") && strcmp(scheme, "https")) {
		set_error(x, ST_UNSUPPORTED, "scheme not allowed: %s", scheme);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) || !host)
		host = NULL;
	if (host)
		for (i = 0; host[i]; i++)
			host[i] = (char)tolower((unsigned char)host[i]);
	x->host = intern_host(x->run, host ? host : "");
	x->host_allowed = host && fetch_guard_allows_host(x->run->guard, host);
	free(x->url);
	x->url = xstrdup(norm);
	ok = true;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(norm);
	curl_url_cleanup(u);
	return ok;
}

/*
 * At a hop's first bytes: a body whose Content-Length (a file's size)
 * passes the cap is refused before it is downloaded (unless it is encoded:
 * the cap counts decoded bytes), and otherwise the buffer is made its size
 * at once.
 */
static bool
body_start(struct xfer *x, size_t max)
{
	curl_off_t length = -1;
	struct curl_header *encoding = NULL;

	x->sized = true;
	if (curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
			      &length) != CURLE_OK ||
	    length <= 0)
		return true;
	if ((uint64_t)length > max) {
		if (curl_easy_header(x->easy, "Content-Encoding", 0,
				     CURLH_HEADER, -1,
				     &encoding) == CURLHE_OK &&
		    strcasecmp(encoding->value, "identity"))
			return true;
		x->declared = (int64_t)length;
		return false;
	}
	buf_grow(&x->body, (size_t)length);
	return true;
}

static size_t
on_body(char *data, size_t size, size_t count, void *user)
{
	struct xfer *x = user;
	size_t len = size * count;
	size_t max = (size_t)config.fetch_max_body;

	if (!x->sized && !body_start(x, max)) {
		x->too_big = true;
		return 0;
	}
	if (len > max || x->body.len > max - len) {
		x->too_big = true;
		return 0;
	}
	buf_add(&x->body, data, len);
	return len;
}

/*
 * The SSRF guard: libcurl asks for each socket it is about to connect, with
 * the address it resolved, so what is checked is what is connected to.
 */
static curl_socket_t
on_open_socket(void *user, curlsocktype purpose, struct curl_sockaddr *address)
{
	struct xfer *x = user;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	if (!x->host_allowed &&
	    !fetch_guard_allows_addr(x->run->guard, &address->addr)) {
		x->blocked = true;
		fetch_addr_format(&address->addr, x->blocked_addr,
				  sizeof(x->blocked_addr));
		return CURL_SOCKET_BAD;
	}
	return socket(address->family, address->socktype | SOCK_CLOEXEC,
		      address->protocol);
}

/* True when s can go in a header line (no control characters). */
static bool
is_header_value(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return false;
	return true;
}

static bool
add_header(struct xfer *x, const char *name, const char *value)
{
	struct buf line = BUF_INIT;
	struct curl_slist *list;

	if (!value || !*value)
		return true;
	if (!is_header_value(value)) {
		set_error(x, ST_INVAL, "bad %s value", name);
		return false;
	}
	buf_addf(&line, "%s: %s", name, value);
	list = curl_slist_append(x->headers, line.data);
	buf_release(&line);
	if (!list)
		die("out of memory");
	x->headers = list;
	return true;
}

/* Creates x's easy handle with the options every hop shares. */
static bool
xfer_setup(struct xfer *x)
{
	const struct fetch_request *req = x->req;
	long low_speed_time = MAX(1L, config.fetch_timeout / 2);

	if (!add_header(x, "If-None-Match", req->etag) ||
	    !add_header(x, "If-Modified-Since", req->last_modified) ||
	    !add_header(x, "Accept", req->accept))
		return false;
	x->easy = curl_easy_init();
	if (!x->easy)
		die("out of memory");
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(x->easy, CURLOPT_OPENSOCKETDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_PROXY, "");
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_HTTP_VERSION,
			 (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(x->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, config.fetch_user_agent);
	curl_easy_setopt(x->easy, CURLOPT_LOW_SPEED_LIMIT,
			 (long)LOW_SPEED_BYTES);
	curl_easy_setopt(x->easy, CURLOPT_LOW_SPEED_TIME, low_speed_time);
	if (x->headers)
		curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	return true;
}

static void xfer_finish(struct run *run, struct xfer *x);

/* Starts the current hop of x; finishes x at once when it cannot start. */
static void
xfer_start_hop(struct run *run, struct xfer *x)
{
	int64_t now = clock_mono_ms(), left;
	CURLMcode mc;

	if (!x->easy) {
		x->started_ms = now;
		x->deadline_ms = now + config.fetch_timeout * 1000;
		if (!xfer_setup(x))
			goto fail;
	}
	left = x->deadline_ms - now;
	if (left <= 0) {
		set_error(x, ST_TIMEOUT, "timed out after %ld s",
			  config.fetch_timeout);
		goto fail;
	}
	buf_reset(&x->body);
	x->too_big = false;
	x->sized = false;
	x->declared = 0;
	x->blocked = false;
	x->errbuf[0] = '\0';
	curl_easy_setopt(x->easy, CURLOPT_URL, x->url);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR,
			 x->is_file ? "file" : "http,https");
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long)left);
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)MIN(left, config.fetch_connect_timeout * 1000));
	mc = curl_multi_add_handle(run->multi, x->easy);
	if (mc) {
		set_error(x, ST_INTERNAL, "curl_multi_add_handle: %s",
			  curl_multi_strerror(mc));
		goto fail;
	}
	run->active++;
	run->host_active[x->host]++;
	return;
fail:
	xfer_finish(run, x);
}

/* Copies header name of the last response into *out (NULL when absent). */
static void
copy_header(struct xfer *x, const char *name, char **out)
{
	struct curl_header *h;

	free(*out);
	*out = NULL;
	if (curl_easy_header(x->easy, name, 0, CURLH_HEADER, -1, &h) ==
		    CURLHE_OK &&
	    h->value && *h->value)
		*out = xstrdup(h->value);
}

/* RFC 9110 §10.2.3: Retry-After is delay-seconds or an HTTP-date. */
static int64_t
parse_retry_after(const char *value)
{
	struct str s = str_trim(str_from(value));
	int64_t seconds = 0;
	size_t i;

	if (!s.len)
		return 0;
	if (isdigit((unsigned char)s.p[0])) {
		for (i = 0; i < s.len; i++) {
			if (!isdigit((unsigned char)s.p[i]))
				return 0;
			seconds = seconds * 10 + (s.p[i] - '0');
			if (seconds > RETRY_AFTER_MAX)
				return RETRY_AFTER_MAX;
		}
		return seconds;
	} else {
		char *text = str_dup(s);
		time_t t = curl_getdate(text, NULL);

		free(text);
		if (t == -1)
			return 0;
		seconds = (int64_t)t - clock_now();
		return seconds < 0 ? 0 : MIN(seconds, (int64_t)RETRY_AFTER_MAX);
	}
}

static bool
is_redirect(long code)
{
	return code == 301 || code == 302 || code == 303 || code == 307 ||
	       code == 308;
}

/* Reads a transfer that ended in a response; true when it redirected on. */
static bool
xfer_response(struct run *run, struct xfer *x)
{
	long code = 0;
	char *location = NULL, *content_type = NULL;
	char *retry = NULL;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	x->res.http_status = (int)code;
	if (x->is_file) {
		x->res.status = ST_OK;
		return false;
	}
	curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &location);
	if (is_redirect(code) && location) {
		bool permanent = code == 301 || code == 308;

		if (x->res.redirects >= config.fetch_max_redirects) {
			set_error(x, ST_HTTP, "too many redirects (%ld)",
				  config.fetch_max_redirects);
			return false;
		}
		if (!x->res.redirects) {
			x->res.permanent_redirect = permanent;
			x->leading_permanent = permanent;
		}
		if (x->leading_permanent && permanent) {
			free(x->res.permanent_url);
			x->res.permanent_url = xstrdup(location);
		} else {
			x->leading_permanent = false;
		}
		x->res.redirects++;
		if (!xfer_set_url(x, location, false))
			return false;
		return true;
	}
	copy_header(x, "ETag", &x->res.etag);
	copy_header(x, "Last-Modified", &x->res.last_modified);
	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &content_type);
	free(x->res.content_type);
	x->res.content_type = content_type ? xstrdup(content_type) : NULL;
	if (code >= 200 && code < 300) {
		x->res.status = ST_OK;
	} else if (code == 304) {
		x->res.status = ST_OK;
		x->res.not_modified = true;
	} else if (code == 404) {
		set_error(x, ST_NOTFOUND, "HTTP 404");
	} else if (code == 410) {
		x->res.gone = true;
		set_error(x, ST_NOTFOUND, "gone (HTTP 410)");
	} else if (code == 429 || code == 503) {
		copy_header(x, "Retry-After", &retry);
		x->res.retry_after = retry ? parse_retry_after(retry) : 0;
		free(retry);
		if (x->res.retry_after)
			set_error(x, ST_AGAIN,
				  "HTTP %ld, retry after %" PRId64 " s", code,
				  x->res.retry_after);
		else
			set_error(x, ST_AGAIN, "HTTP %ld", code);
	} else if (is_redirect(code) || code == 300) {
		set_error(x, ST_HTTP, "HTTP %ld without a usable Location",
			  code);
	} else {
		set_error(x, ST_HTTP, "HTTP %ld", code);
	}
	return false;
}

/* Turns libcurl's failure into a status and a sentence. */
static void
xfer_failure(struct xfer *x, CURLcode cc)
{
	char size[32];
	double connect_time = 0;

	curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME, &connect_time);
	if (cc == CURLE_WRITE_ERROR && x->too_big && x->declared) {
		format_size(config.fetch_max_body, size, sizeof(size));
		if (x->is_file)
			set_error(x, ST_TOOBIG,
				  "file larger than %s (%" PRId64
				  " bytes), not read",
				  size, x->declared);
		else
			set_error(
				x, ST_TOOBIG,
				"body larger than %s (Content-Length: %" PRId64
				"), not downloaded",
				size, x->declared);
	} else if (cc == CURLE_WRITE_ERROR && x->too_big) {
		format_size(config.fetch_max_body, size, sizeof(size));
		set_error(x, ST_TOOBIG,
			  "body larger than %s after decompression", size);
	} else if (x->blocked && connect_time <= 0) {
		set_error(x, ST_BLOCKED, "blocked address %s", x->blocked_addr);
	} else if (cc == CURLE_OPERATION_TIMEDOUT) {
		if (strstr(x->errbuf, "too slow"))
			set_error(x, ST_TIMEOUT,
				  "timed out: under %d bytes/s for %ld s",
				  LOW_SPEED_BYTES,
				  MAX(1L, config.fetch_timeout / 2));
		else if (connect_time <= 0 &&
			 clock_mono_ms() < x->deadline_ms - 100)
			set_error(x, ST_TIMEOUT,
				  "timed out connecting after %ld s",
				  config.fetch_connect_timeout);
		else
			set_error(x, ST_TIMEOUT, "timed out after %ld s",
				  config.fetch_timeout);
	} else if (cc == CURLE_UNSUPPORTED_PROTOCOL) {
		set_error(x, ST_UNSUPPORTED, "unsupported protocol");
	} else if (cc == CURLE_URL_MALFORMAT) {
		set_error(x, ST_INVAL, "malformed URL");
	} else if (cc == CURLE_BAD_CONTENT_ENCODING) {
		set_error(x, ST_PARSE, "bad content encoding: %s",
			  x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc));
	} else if (cc == CURLE_FILE_COULDNT_READ_FILE) {
		set_error(x, ST_NOTFOUND, "cannot read file");
	} else {
		set_error(x, ST_NET, "%s",
			  x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc));
	}
}

/* Hands x's result to the caller and frees what x holds. */
static void
xfer_finish(struct run *run, struct xfer *x)
{
	if (x->res.status == ST_OK && !x->res.not_modified)
		x->res.body = buf_detach(&x->body, &x->res.body_len);
	if (x->url && !x->res.final_url)
		x->res.final_url = xstrdup(x->url);
	if (x->started_ms)
		x->res.seconds =
			(double)(clock_mono_ms() - x->started_ms) / 1000.0;
	if (x->res.status && !x->res.error)
		set_error(x, x->res.status, "%s", status_str(x->res.status));
	run->done(x->req, &x->res, run->ctx);
	fetch_result_release(&x->res);
	buf_release(&x->body);
	if (x->easy)
		curl_easy_cleanup(x->easy);
	x->easy = NULL;
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	free(x->url);
	x->url = NULL;
}

static void
push_pending(struct run *run, size_t index, bool front)
{
	if (front) {
		memmove(run->pending + 1, run->pending,
			run->pending_count * sizeof(*run->pending));
		run->pending[0] = index;
	} else {
		run->pending[run->pending_count] = index;
	}
	run->pending_count++;
}

/* Starts waiting transfers while the global and per-host limits allow. */
static void
schedule(struct run *run)
{
	size_t i = 0;

	while (i < run->pending_count &&
	       run->active < config.fetch_concurrency) {
		struct xfer *x = &run->xfers[run->pending[i]];

		if (run->host_active[x->host] >= config.fetch_per_host) {
			i++;
			continue;
		}
		run->pending_count--;
		memmove(run->pending + i, run->pending + i + 1,
			(run->pending_count - i) * sizeof(*run->pending));
		xfer_start_hop(run, x);
	}
}

/* A transfer of the multi handle ended: redirect on or finish. */
static void
xfer_done(struct run *run, struct xfer *x, CURLcode cc)
{
	curl_multi_remove_handle(run->multi, x->easy);
	run->active--;
	run->host_active[x->host]--;
	if (cc) {
		xfer_failure(x, cc);
	} else if (xfer_response(run, x)) {
		push_pending(run, (size_t)(x - run->xfers), true);
		return;
	}
	xfer_finish(run, x);
}

/* Ends every unfinished transfer with st (the run itself failed). */
static void
fail_all(struct run *run, enum status st, const char *why)
{
	size_t i;

	for (i = 0; i < run->xfer_count; i++) {
		struct xfer *x = &run->xfers[i];

		if (!x->url)
			continue;
		if (x->easy)
			curl_multi_remove_handle(run->multi, x->easy);
		set_error(x, st, "%s", why);
		xfer_finish(run, x);
	}
	run->pending_count = 0;
	run->active = 0;
}

static void
run_release(struct run *run)
{
	size_t i;

	for (i = 0; i < run->host_count; i++)
		free(run->hosts[i]);
	free(run->hosts);
	free(run->host_active);
	free(run->pending);
	free(run->xfers);
	if (run->multi)
		curl_multi_cleanup(run->multi);
	fetch_guard_free(run->guard);
}

enum status
fetch_run(struct fetch_request *reqs, size_t n, fetch_done_fn *done, void *ctx)
{
	struct run run = {0};
	enum status rc = ST_OK;
	size_t i;

	run.done = done;
	run.ctx = ctx;
	run.xfers = xcalloc(n ? n : 1, sizeof(*run.xfers));
	run.pending = xcalloc(n ? n : 1, sizeof(*run.pending));
	run.xfer_count = n;
	for (i = 0; i < n; i++) {
		run.xfers[i].run = &run;
		run.xfers[i].req = &reqs[i];
		buf_init(&run.xfers[i].body, 0);
	}
	rc = fetch_guard_new(config.fetch_allow, &run.guard);
	if (!rc) {
		run.multi = curl_multi_init();
		if (!run.multi)
			rc = log_error(ST_INTERNAL, "fetch: curl_multi_init");
	}
	for (i = 0; i < n; i++) {
		struct xfer *x = &run.xfers[i];

		if (rc) {
			set_error(x, rc, "fetcher unavailable: %s",
				  status_str(rc));
			xfer_finish(&run, x);
		} else if (!reqs[i].url) {
			set_error(x, ST_INVAL, "no URL");
			xfer_finish(&run, x);
		} else if (!xfer_set_url(x, reqs[i].url, true)) {
			xfer_finish(&run, x);
		} else {
			push_pending(&run, i, false);
		}
	}
	while (!rc) {
		CURLMsg *msg;
		CURLMcode mc;
		int running, left;
		bool finished = false;

		schedule(&run);
		if (!run.active && !run.pending_count)
			break;
		mc = curl_multi_perform(run.multi, &running);
		while (!mc && (msg = curl_multi_info_read(run.multi, &left))) {
			void *x = NULL;
			CURLcode cc = msg->data.result;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
					  &x);
			xfer_done(&run, x, cc);
			finished = true;
		}
		if (!mc && !finished && run.active)
			mc = curl_multi_poll(run.multi, NULL, 0, 1000, NULL);
		if (mc) {
			rc = log_error(ST_INTERNAL, "fetch: %s",
				       curl_multi_strerror(mc));
			fail_all(&run, rc, curl_multi_strerror(mc));
		}
	}
	run_release(&run);
	return rc;
}

static void
keep_result(struct fetch_request *req, struct fetch_result *res, void *ctx)
{
	fetch_result_move(ctx, res);
}

enum status
fetch_one(const char *url, const struct fetch_options *opts,
	  struct fetch_result *out)
{
	struct fetch_request req = {.url = url};
	enum status rc;

	memset(out, 0, sizeof(*out));
	if (opts) {
		req.etag = opts->etag;
		req.last_modified = opts->last_modified;
		req.accept = opts->accept;
		req.allow_file = opts->allow_file;
	}
	rc = fetch_run(&req, 1, keep_result, out);
	if (rc && !out->status) {
		out->status = rc;
		out->error = xstrdup(status_str(rc));
	}
	return out->status;
}
