/*
 * url.h — URL helpers: reference resolution (RFC 3986 §5.2), a canonical
 * form for deduplication, and small predicates.
 *
 * Every function that returns char * returns a malloc'd string that the caller
 * frees with free(), or NULL when the input cannot give a result. Inputs are
 * never modified. Leading and trailing ASCII whitespace of inputs is ignored.
 */
#ifndef NEWSSTAND_BASE_URL_H
#define NEWSSTAND_BASE_URL_H

#include "common.h"

/*
 * Resolves ref against base (RFC 3986 §5.2, with dot-segment removal). base
 * may be NULL: then only an absolute ref gives a result. Returns NULL when
 * ref is relative and base is missing or not absolute.
 */
char *url_resolve(const char *base, const char *ref);

/*
 * Canonical form for deduplication: lower-case scheme and host, no default
 * port (80 for http, 443 for https), no fragment, "/" for an empty path of an
 * http(s) URL, and tracking parameters (utm_*, fbclid, gclid, mc_cid, mc_eid,
 * igshid, ref_src, _ga, _gl, yclid, msclkid…) removed; the other query
 * parameters keep their order. NULL when url is not absolute.
 */
char *url_canonical(const char *url);

/* The host of an absolute URL, lower-cased, without port or brackets'
 * contents changed (IPv6 literals keep their brackets); NULL if none. */
char *url_host(const char *url);

/* True when url is an absolute http: or https: URL with a host. */
bool url_is_http(const char *url);

/* True when s begins with a URI scheme followed by ':' (RFC 3986 §3.1). */
bool url_is_absolute(const char *s);

#endif
