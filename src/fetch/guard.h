/*
 * guard.h — the fetcher's SSRF guard: which addresses may be connected to.
 *
 * The fetcher checks the address it is about to connect to (after DNS, after
 * every redirect), never the spelling of the URL, so numeric spellings such
 * as 2130706433 or 0x7f000001 are caught like 127.0.0.1.
 *
 * An address is refused when it is not a public unicast address: loopback,
 * private (RFC 1918, fc00::/7), link-local (including the cloud metadata
 * addresses 169.254.169.254 and fd00:ec2::254), CGNAT 100.64/10, multicast,
 * unspecified, broadcast and reserved, documentation and benchmarking ranges,
 * and IPv6 forms that embed such an IPv4 address (IPv4-mapped ::ffff:0:0/96,
 * IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16); Teredo
 * (2001::/32) and local-use NAT64 (64:ff9b:1::/48) are refused outright. Any
 * IPv6 address outside global unicast 2000::/3 is refused.
 *
 * The operator lets chosen hosts or ranges past the guard with the
 * fetch_allow setting: a comma-separated list of host names (matched
 * exactly, case-insensitively, any port) and addresses or CIDR ranges
 * ("127.0.0.1", "10.0.0.0/8", "fd00::/8").
 */
#ifndef NEWSSTAND_FETCH_GUARD_H
#define NEWSSTAND_FETCH_GUARD_H

#include "common.h"

#include <sys/socket.h>

/* Room for any formatted address, IPv6 included. */
#define FETCH_ADDR_MAX 64

struct fetch_guard;

/*
 * Parses an allow-list (NULL or "" for none) into *out, which the caller
 * frees with fetch_guard_free(). ST_INVAL for a malformed CIDR range.
 */
enum status fetch_guard_new(const char *allow,
			    struct fetch_guard **out) WARN_UNUSED;
void fetch_guard_free(struct fetch_guard *guard);

/* True when the operator allowed this host name (or address literal). */
bool fetch_guard_allows_host(const struct fetch_guard *guard, const char *host);

/*
 * True when connecting to sa is allowed: it is a public address or lies in
 * an allowed range. guard may be NULL (no allow-list).
 */
bool fetch_guard_allows_addr(const struct fetch_guard *guard,
			     const struct sockaddr *sa);

/* True when sa is not a public unicast address (see the list above). */
bool fetch_addr_is_special(const struct sockaddr *sa);

/*
 * Formats the address of sa ("127.0.0.1", "::ffff:127.0.0.1") into out,
 * which holds size bytes (FETCH_ADDR_MAX is enough).
 */
void fetch_addr_format(const struct sockaddr *sa, char *out, size_t size);

#endif
