/*
 * clock.h — the time as the program sees it.
 *
 * Everything that asks "what time is it" for data (publication times, due
 * feeds, sessions, trials) calls clock_now(), so tests can set the time with
 * clock_set() and move it with clock_advance(). Times are Unix seconds, UTC.
 */
#ifndef NEWSSTAND_BASE_CLOCK_H
#define NEWSSTAND_BASE_CLOCK_H

#include <stdint.h>

int64_t clock_now(void);
/* Milliseconds since the epoch (from the set time when it is set). */
int64_t clock_now_ms(void);
/* Monotonic milliseconds, for timeouts and durations; never set by tests. */
int64_t clock_mono_ms(void);
/* Fixes the time at t (Unix seconds); 0 returns to the real clock. */
void clock_set(int64_t t);
void clock_advance(int64_t seconds);
/* Formats t as RFC 3339 UTC ("2026-11-25T23:30:48Z") into out (>= 21 bytes). */
void clock_format_rfc3339(int64_t t, char *out, size_t size);
/* Formats t as an HTTP date ("Wed, 25 Nov 2026 23:30:48 GMT"), >= 30 bytes. */
void clock_format_http(int64_t t, char *out, size_t size);

#endif
