#include "common.h"

/* clang-format off */
static const char *const status_text[] = {
	[ST_OK]          = "ok",
	[ST_NOMEM]       = "out of memory",
	[ST_TOOBIG]      = "too big",
	[ST_INVAL]       = "invalid value",
	[ST_PARSE]       = "parse error",
	[ST_IO]          = "input/output error",
	[ST_DB]          = "database error",
	[ST_DENIED]      = "permission denied",
	[ST_NOTFOUND]    = "not found",
	[ST_EXISTS]      = "already exists",
	[ST_TIMEOUT]     = "timed out",
	[ST_NET]         = "network error",
	[ST_BLOCKED]     = "blocked address",
	[ST_HTTP]        = "HTTP error",
	[ST_UNSUPPORTED] = "unsupported",
	[ST_USAGE]       = "usage error",
	[ST_CONFLICT]    = "conflict",
	[ST_AGAIN]       = "try again later",
	[ST_INTERNAL]    = "internal error",
};
/* clang-format on */

const char *
status_str(enum status st)
{
	if ((unsigned)st < ARRAY_SIZE(status_text) && status_text[st])
		return status_text[st];
	return "unknown status";
}
