#include "common.h"

#include <stdatomic.h>
#include <time.h>

#include "base/log.h"

static atomic_int current_level = LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void
log_set_level(enum log_level level)
{
	atomic_store(&current_level, (int)level);
}

enum log_level
log_get_level(void)
{
	return (enum log_level)atomic_load(&current_level);
}

enum status
log_level_parse(const char *s, enum log_level *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(level_names); i++) {
		if (!strcmp(s, level_names[i])) {
			*out = (enum log_level)i;
			return ST_OK;
		}
	}
	if (!strcmp(s, "warning")) {
		*out = LOG_WARN;
		return ST_OK;
	}
	return ST_INVAL;
}

bool
log_enabled(enum log_level level)
{
	return (int)level <= atomic_load(&current_level);
}

static void
log_vline(enum log_level level, const char *fmt, va_list ap)
{
	char line[2048], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	size_t len;
	int n;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s %s ", stamp, level_names[level]);
	len = n > 0 ? (size_t)n : 0;
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	if (n > 0)
		len += MIN((size_t)n, sizeof(line) - len - 2);
	/* One event, one line: fold any newline in the message. */
	for (size_t i = 0; i < len; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[len++] = '\n';
	fwrite(line, 1, len, stderr);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	log_vline(level, fmt, ap);
	va_end(ap);
}

enum status
log_error(enum status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_ERROR, fmt, ap);
	va_end(ap);
	return st;
}

enum status
log_warn(enum status st, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(LOG_WARN))
		return st;
	va_start(ap, fmt);
	log_vline(LOG_WARN, fmt, ap);
	va_end(ap);
	return st;
}
