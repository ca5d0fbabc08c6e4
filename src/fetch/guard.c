#include "common.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>

#include "base/buf.h"
#include "base/log.h"
#include "fetch/guard.h"

/* An allowed range: an IPv6 prefix; IPv4 ranges are stored IPv4-mapped. */
struct guard_range {
	unsigned char addr[16]; /* the network, IPv4 as ::ffff:a.b.c.d */
	unsigned prefix;	/* prefix length in bits, 0..128 */
};

struct fetch_guard {
	char **hosts;		    /* allowed host names, lower case */
	size_t host_count;	    /* entries in hosts */
	struct guard_range *ranges; /* allowed address ranges */
	size_t range_count;	    /* entries in ranges */
};

static const unsigned char v4_mapped_prefix[12] = {0, 0, 0, 0, 0,    0,
						   0, 0, 0, 0, 0xff, 0xff};

static uint32_t
v4_at(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* clang-format off */
static const struct {
	uint32_t net;	/* network address, host order */
	unsigned bits;	/* prefix length */
} special_v4[] = {
	{ 0x00000000, 8 },	/* 0/8 "this network", 0.0.0.0 */
	{ 0x0a000000, 8 },	/* 10/8 private */
	{ 0x64400000, 10 },	/* 100.64/10 CGNAT */
	{ 0x7f000000, 8 },	/* 127/8 loopback */
	{ 0xa9fe0000, 16 },	/* 169.254/16 link-local, metadata */
	{ 0xac100000, 12 },	/* 172.16/12 private */
	{ 0xc0000000, 24 },	/* 192.0.0/24 IETF protocol assignments */
	{ 0xc0000200, 24 },	/* 192.0.2/24 documentation */
	{ 0xc0586300, 24 },	/* 192.88.99/24 6to4 relay anycast */
	{ 0xc0a80000, 16 },	/* 192.168/16 private */
	{ 0xc6120000, 15 },	/* 198.18/15 benchmarking */
	{ 0xc6336400, 24 },	/* 198.51.100/24 documentation */
	{ 0xcb007100, 24 },	/* 203.0.113/24 documentation */
	{ 0xe0000000, 4 },	/* 224/4 multicast */
	{ 0xf0000000, 4 },	/* 240/4 reserved, 255.255.255.255 */
};
/* clang-format on */

static bool
is_special_v4(uint32_t a)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(special_v4); i++) {
		uint32_t mask = ~(uint32_t)0 << (32 - special_v4[i].bits);

		if ((a & mask) == special_v4[i].net)
			return true;
	}
	return false;
}

static bool
all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static bool
is_special_v6(const unsigned char *b)
{
	static const unsigned char nat64[12] = {0x00, 0x64, 0xff, 0x9b};
	static const unsigned char nat64_local[6] = {0x00, 0x64, 0xff,
						     0x9b, 0x00, 0x01};

	/* IPv4-mapped ::ffff:0:0/96: the IPv4 address decides. */
	if (!memcmp(b, v4_mapped_prefix, 12))
		return is_special_v4(v4_at(b + 12));
	/* ::/96: unspecified, loopback and deprecated IPv4-compatible. */
	if (all_zero(b, 12))
		return true;
	/* RFC 6052 NAT64 64:ff9b::/96 embeds the IPv4 address. */
	if (!memcmp(b, nat64, 12))
		return is_special_v4(v4_at(b + 12));
	/* RFC 8215 local-use NAT64 64:ff9b:1::/48. */
	if (!memcmp(b, nat64_local, 6))
		return true;
	/* Outside global unicast 2000::/3: ULA, link-local, multicast… */
	if ((b[0] & 0xe0) != 0x20)
		return true;
	/* RFC 3056 6to4 2002::/16 embeds the IPv4 address in bits 16-47. */
	if (b[0] == 0x20 && b[1] == 0x02)
		return is_special_v4(v4_at(b + 2));
	/* 2001::/23 IETF protocol assignments, Teredo 2001::/32 among them. */
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02)
		return true;
	/* 2001:db8::/32 documentation. */
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return true;
	return false;
}

/* Writes sa's address as 16 bytes, IPv4 mapped; false for other families. */
static bool
sockaddr_bytes(const struct sockaddr *sa, unsigned char out[16])
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		memcpy(out, v4_mapped_prefix, 12);
		memcpy(out + 12, &in->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
			(const struct sockaddr_in6 *)sa;

		memcpy(out, &in6->sin6_addr, 16);
		return true;
	}
	return false;
}

bool
fetch_addr_is_special(const struct sockaddr *sa)
{
	unsigned char b[16];

	if (!sockaddr_bytes(sa, b))
		return true;
	return is_special_v6(b);
}

void
fetch_addr_format(const struct sockaddr *sa, char *out, size_t size)
{
	const void *addr = NULL;

	if (sa->sa_family == AF_INET)
		addr = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (!addr || !inet_ntop(sa->sa_family, addr, out, (socklen_t)size))
		snprintf(out, size, "(address family %d)", sa->sa_family);
}

static bool
range_contains(const struct guard_range *r, const unsigned char *b)
{
	unsigned whole = r->prefix / 8, rest = r->prefix % 8;

	if (memcmp(r->addr, b, whole))
		return false;
	if (rest) {
		unsigned char mask = (unsigned char)(0xff << (8 - rest));

		if ((r->addr[whole] & mask) != (b[whole] & mask))
			return false;
	}
	return true;
}

bool
fetch_guard_allows_addr(const struct fetch_guard *guard,
			const struct sockaddr *sa)
{
	unsigned char b[16];
	size_t i;

	if (!sockaddr_bytes(sa, b))
		return false;
	if (!is_special_v6(b))
		return true;
	for (i = 0; guard && i < guard->range_count; i++)
		if (range_contains(&guard->ranges[i], b))
			return true;
	return false;
}

/* Lower-cases host into a new string without brackets or a final dot. */
static char *
host_key(const char *host, size_t len)
{
	char *key;
	size_t i;

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len && host[len - 1] == '.')
		len--;
	key = xstrndup(host, len);
	for (i = 0; i < len; i++)
		key[i] = (char)tolower((unsigned char)key[i]);
	return key;
}

bool
fetch_guard_allows_host(const struct fetch_guard *guard, const char *host)
{
	char *key;
	bool found = false;
	size_t i;

	if (!guard || !host || !guard->host_count)
		return false;
	key = host_key(host, strlen(host));
	for (i = 0; i < guard->host_count && !found; i++)
		found = !strcmp(guard->hosts[i], key);
	free(key);
	return found;
}

/* Parses "addr" or "addr/prefix" into r; false when it is not an address. */
static bool
parse_range(const char *text, struct guard_range *r, bool *bad_prefix)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	unsigned max_prefix = 128;
	struct in_addr a4;
	struct in6_addr a6;

	*bad_prefix = false;
	if (len >= sizeof(addr))
		return false;
	memcpy(addr, text, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, &a4) == 1) {
		memcpy(r->addr, v4_mapped_prefix, 12);
		memcpy(r->addr + 12, &a4, 4);
		max_prefix = 32;
	} else if (inet_pton(AF_INET6, addr, &a6) == 1) {
		memcpy(r->addr, &a6, 16);
	} else {
		return false;
	}
	r->prefix = max_prefix;
	if (slash) {
		char *end;
		long bits;

		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || bits < 0 ||
		    bits > (long)max_prefix) {
			*bad_prefix = true;
			return false;
		}
		r->prefix = (unsigned)bits;
	}
	if (max_prefix == 32)
		r->prefix += 96;
	return true;
}

enum status
fetch_guard_new(const char *allow, struct fetch_guard **out)
{
	struct fetch_guard *guard = xcalloc(1, sizeof(*guard));
	const char *p = allow ? allow : "";
	enum status rc = ST_OK;

	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		struct str item = str_trim((struct str){p, len});
		struct guard_range range;
		bool bad_prefix;
		char *entry;

		p += len + (comma ? 1 : 0);
		if (!item.len)
			continue;
		entry = xstrndup(item.p, item.len);
		if (parse_range(entry, &range, &bad_prefix)) {
			guard->ranges = xreallocarray(guard->ranges,
						      guard->range_count + 1,
						      sizeof(range));
			guard->ranges[guard->range_count++] = range;
		} else if (bad_prefix || strchr(entry, '/')) {
			rc = log_error(ST_INVAL,
				       "fetch_allow: bad address range '%s'",
				       entry);
			free(entry);
			goto out;
		} else {
			guard->hosts = xreallocarray(guard->hosts,
						     guard->host_count + 1,
						     sizeof(char *));
			guard->hosts[guard->host_count++] =
				host_key(entry, strlen(entry));
		}
		free(entry);
	}
out:
	if (rc) {
		fetch_guard_free(guard);
		return rc;
	}
	*out = guard;
	return ST_OK;
}

void
fetch_guard_free(struct fetch_guard *guard)
{
	size_t i;

	if (!guard)
		return;
	for (i = 0; i < guard->host_count; i++)
		free(guard->hosts[i]);
	free(guard->hosts);
	free(guard->ranges);
	free(guard);
}
