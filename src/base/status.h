/*
 * status.h — the one status type of the whole program.
 *
 * Every action returns enum status; ST_OK is zero so `if (rc) goto out;` reads
 * naturally. status_str() gives a short human text for logs and error pages.
 */
#ifndef NEWSSTAND_BASE_STATUS_H
#define NEWSSTAND_BASE_STATUS_H

enum status {
	ST_OK = 0,
	ST_NOMEM,	/* out of memory */
	ST_TOOBIG,	/* a size cap was reached */
	ST_INVAL,	/* an invalid argument or value */
	ST_PARSE,	/* input could not be parsed */
	ST_IO,		/* a file or socket operation failed */
	ST_DB,		/* the database reported an error */
	ST_DENIED,	/* not allowed (permissions, paywall, role) */
	ST_NOTFOUND,	/* no such thing */
	ST_EXISTS,	/* already exists */
	ST_TIMEOUT,	/* took longer than allowed */
	ST_NET,		/* a network error (DNS, connect, TLS) */
	ST_BLOCKED,	/* blocked address (SSRF guard) */
	ST_HTTP,	/* an HTTP error status */
	ST_UNSUPPORTED, /* a format or feature we do not handle */
	ST_USAGE,	/* wrong command-line usage */
	ST_CONFLICT,	/* a concurrent change won */
	ST_AGAIN,	/* try again later */
	ST_INTERNAL,	/* a bug: an invariant did not hold */
};

const char *status_str(enum status st);

#endif
