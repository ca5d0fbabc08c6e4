/*
 * common.h — included first by every .c file of newsstand.
 *
 * Feature macros, attribute macros, the few helpers every module uses, and the
 * functions we do not call (unbounded string copies and formats).
 */
#ifndef NEWSSTAND_COMMON_H
#define NEWSSTAND_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WARN_UNUSED	       __attribute__((warn_unused_result))
#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#define NORETURN	       __attribute__((noreturn))
#define MAYBE_UNUSED	       __attribute__((unused))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)     ((a) < (b) ? (a) : (b))
#define MAX(a, b)     ((a) > (b) ? (a) : (b))

#include "base/status.h"
#include "base/xalloc.h"

/* Unbounded copies and formats: use struct buf, snprintf or memcpy. */
#ifndef NEWSSTAND_ALLOW_BANNED
#undef strcpy
#define strcpy(a, b) BANNED_use_buf_or_memcpy
#undef strcat
#define strcat(a, b) BANNED_use_buf
#undef sprintf
#define sprintf(...) BANNED_use_snprintf_or_buf_addf
#undef vsprintf
#define vsprintf(...) BANNED_use_vsnprintf
#undef gets
#define gets(a) BANNED
#endif

#endif
