/*
 * smtp_sink.c — the tests' SMTP sink (see smtp_sink.h).
 */
#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"
#include "support/smtp_sink.h"

enum { SINK_MAX_MESSAGES = 64, SINK_MAX_LINE = 4096 };

struct smtp_sink {
	int listen_fd;			   /* the listening socket */
	pthread_t thread;		   /* serves connections */
	pthread_mutex_t lock;		   /* guards the messages */
	atomic_bool stop;		   /* set to end the thread */
	char url[64];			   /* smtp://127.0.0.1:PORT */
	char *messages[SINK_MAX_MESSAGES]; /* received, in order */
	char *rcpts[SINK_MAX_MESSAGES];	   /* their first recipient */
	size_t count;
};

struct conn {
	int fd;
	char in[SINK_MAX_LINE * 2]; /* unread bytes */
	size_t len;
};

static void
say(int fd, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = write(fd, s + off, len - off);

		if (n <= 0)
			return;
		off += (size_t)n;
	}
}

/* Reads one line (without CRLF) into out; false at the end. */
static bool
read_line(struct smtp_sink *sink, struct conn *c, char *out, size_t size)
{
	for (;;) {
		char *nl = memchr(c->in, '\n', c->len);
		struct pollfd pfd = {c->fd, POLLIN, 0};
		ssize_t n;

		if (nl) {
			size_t line = (size_t)(nl - c->in);
			size_t keep = line && c->in[line - 1] == '\r' ? line - 1
								      : line;

			snprintf(out, size, "%.*s", (int)keep, c->in);
			memmove(c->in, nl + 1, c->len - line - 1);
			c->len -= line + 1;
			return true;
		}
		if (c->len == sizeof(c->in))
			return false;
		if (poll(&pfd, 1, 200) <= 0) {
			if (sink->stop)
				return false;
			continue;
		}
		n = read(c->fd, c->in + c->len, sizeof(c->in) - c->len);
		if (n <= 0)
			return false;
		c->len += (size_t)n;
	}
}

static void
serve(struct smtp_sink *sink, int fd)
{
	struct conn c = {.fd = fd};
	char line[SINK_MAX_LINE], rcpt[256] = "";
	struct buf data = BUF_INIT;

	say(fd, "220 sink ESMTP\r\n");
	while (read_line(sink, &c, line, sizeof(line))) {
		if (!strncasecmp(line, "EHLO", 4)) {
			say(fd, "250-sink\r\n250 8BITMIME\r\n");
		} else if (!strncasecmp(line, "HELO", 4)) {
			say(fd, "250 sink\r\n");
		} else if (!strncasecmp(line, "MAIL FROM:", 10)) {
			rcpt[0] = '\0';
			say(fd, "250 OK\r\n");
		} else if (!strncasecmp(line, "RCPT TO:", 8)) {
			if (!rcpt[0])
				snprintf(rcpt, sizeof(rcpt), "%.200s",
					 line + 8);
			say(fd, "250 OK\r\n");
		} else if (!strncasecmp(line, "DATA", 4)) {
			say(fd, "354 go on\r\n");
			buf_reset(&data);
			while (read_line(sink, &c, line, sizeof(line)) &&
			       strcmp(line, ".")) {
				buf_adds(&data,
					 line[0] == '.' ? line + 1 : line);
				buf_adds(&data, "\n");
			}
			pthread_mutex_lock(&sink->lock);
			if (sink->count < SINK_MAX_MESSAGES) {
				sink->messages[sink->count] =
					xstrdup(data.data);
				sink->rcpts[sink->count] = xstrdup(rcpt);
				sink->count++;
			}
			pthread_mutex_unlock(&sink->lock);
			say(fd, "250 queued\r\n");
		} else if (!strncasecmp(line, "QUIT", 4)) {
			say(fd, "221 bye\r\n");
			break;
		} else if (!strncasecmp(line, "RSET", 4) ||
			   !strncasecmp(line, "NOOP", 4)) {
			say(fd, "250 OK\r\n");
		} else {
			say(fd, "502 not here\r\n");
		}
	}
	buf_release(&data);
	close(fd);
}

static void *
run(void *arg)
{
	struct smtp_sink *sink = arg;

	while (!sink->stop) {
		struct pollfd pfd = {sink->listen_fd, POLLIN, 0};
		int fd;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		fd = accept(sink->listen_fd, NULL, NULL);
		if (fd >= 0)
			serve(sink, fd);
	}
	return NULL;
}

struct smtp_sink *
smtp_sink_start(void)
{
	struct smtp_sink *sink = xcalloc(1, sizeof(*sink));
	struct sockaddr_in addr = {0};
	socklen_t len = sizeof(addr);

	pthread_mutex_init(&sink->lock, NULL);
	sink->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sink->listen_fd < 0 ||
	    bind(sink->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(sink->listen_fd, 8) ||
	    getsockname(sink->listen_fd, (struct sockaddr *)&addr, &len)) {
		if (sink->listen_fd >= 0)
			close(sink->listen_fd);
		pthread_mutex_destroy(&sink->lock);
		free(sink);
		return NULL;
	}
	snprintf(sink->url, sizeof(sink->url), "smtp://127.0.0.1:%u",
		 (unsigned)ntohs(addr.sin_port));
	if (pthread_create(&sink->thread, NULL, run, sink)) {
		close(sink->listen_fd);
		pthread_mutex_destroy(&sink->lock);
		free(sink);
		return NULL;
	}
	return sink;
}

const char *
smtp_sink_url(const struct smtp_sink *sink)
{
	return sink->url;
}

size_t
smtp_sink_count(struct smtp_sink *sink)
{
	size_t n;

	pthread_mutex_lock(&sink->lock);
	n = sink->count;
	pthread_mutex_unlock(&sink->lock);
	return n;
}

static char *
copy_at(struct smtp_sink *sink, char **items, size_t i)
{
	char *copy = NULL;

	pthread_mutex_lock(&sink->lock);
	if (i < sink->count)
		copy = xstrdup(items[i]);
	pthread_mutex_unlock(&sink->lock);
	return copy;
}

char *
smtp_sink_message(struct smtp_sink *sink, size_t i)
{
	return copy_at(sink, sink->messages, i);
}

char *
smtp_sink_rcpt(struct smtp_sink *sink, size_t i)
{
	return copy_at(sink, sink->rcpts, i);
}

void
smtp_sink_stop(struct smtp_sink *sink)
{
	size_t i;

	if (!sink)
		return;
	sink->stop = true;
	pthread_join(sink->thread, NULL);
	close(sink->listen_fd);
	for (i = 0; i < sink->count; i++) {
		free(sink->messages[i]);
		free(sink->rcpts[i]);
	}
	pthread_mutex_destroy(&sink->lock);
	free(sink);
}
