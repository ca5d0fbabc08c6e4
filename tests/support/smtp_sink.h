/*
 * smtp_sink.h — a tiny SMTP server on 127.0.0.1 for tests: it accepts
 * every message and keeps them in memory.
 *
 * It speaks just enough of RFC 5321 for libcurl: EHLO/HELO, MAIL FROM,
 * RCPT TO, DATA (ending in CRLF.CRLF, dot-unstuffed), RSET, NOOP, QUIT.
 * One connection at a time, on its own thread.
 */
#ifndef NEWSSTAND_TESTS_SMTP_SINK_H
#define NEWSSTAND_TESTS_SMTP_SINK_H

#include "common.h"

struct smtp_sink;

/* Starts the sink on an ephemeral port; NULL on failure. */
struct smtp_sink *smtp_sink_start(void);
/* The smtp:// URL to give the mailer (owned by the sink). */
const char *smtp_sink_url(const struct smtp_sink *sink);
/* Messages received so far. */
size_t smtp_sink_count(struct smtp_sink *sink);
/*
 * A malloc'd copy of message i (headers and body) or of its envelope
 * recipient; NULL when there is no such message.
 */
char *smtp_sink_message(struct smtp_sink *sink, size_t i);
char *smtp_sink_rcpt(struct smtp_sink *sink, size_t i);
/* Stops the thread and frees everything; NULL is a no-op. */
void smtp_sink_stop(struct smtp_sink *sink);

#endif
