/*
 * log.h — one line per event on standard error.
 *
 *   2026-11-25T23:30:48Z error fetch: feed 12: timed out after 30 s
 *
 * log_error() and log_warn() return the status they are given, so an error is
 * reported once, where its context is known:
 *   return log_error(ST_PARSE, "feed %lld: bad date '%s'", id, s);
 */
#ifndef NEWSSTAND_BASE_LOG_H
#define NEWSSTAND_BASE_LOG_H

#include "common.h"

enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "error", "warn", "info" or "debug"; ST_INVAL otherwise. */
enum status log_level_parse(const char *s, enum log_level *out) WARN_UNUSED;
bool log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);
enum status log_error(enum status st, const char *fmt, ...) PRINTF_LIKE(2, 3);
enum status log_warn(enum status st, const char *fmt, ...) PRINTF_LIKE(2, 3);
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
