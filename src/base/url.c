#include "common.h"

#include <ctype.h>

#include "base/buf.h"
#include "base/url.h"

/* The five components of a URI reference (RFC 3986 §3), as borrowed slices;
 * a NULL p marks an absent component (an empty one has p set, len 0). */
struct url_parts {
	struct str scheme;    /* without the ':' */
	struct str authority; /* without the "//" */
	struct str path;      /* always present, maybe empty */
	struct str query;     /* without the '?' */
	struct str fragment;  /* without the '#' */
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static struct str
trimmed(const char *s)
{
	size_t len = strlen(s);

	while (len && is_space(*s)) {
		s++;
		len--;
	}
	while (len && is_space(s[len - 1]))
		len--;
	return (struct str){s, len};
}

static size_t
scheme_len(struct str s)
{
	size_t i;

	if (!s.len || !isalpha((unsigned char)s.p[0]))
		return 0;
	for (i = 1; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c == ':')
			return i;
		if (!isalnum(c) && c != '+' && c != '-' && c != '.')
			return 0;
	}
	return 0;
}

bool
url_is_absolute(const char *s)
{
	return s && scheme_len(trimmed(s)) > 0;
}

/* Splits s by the regular expression of RFC 3986 Appendix B. */
static void
split(struct str s, struct url_parts *u)
{
	size_t i = 0, n, start;

	memset(u, 0, sizeof(*u));
	n = scheme_len(s);
	if (n) {
		u->scheme = (struct str){s.p, n};
		i = n + 1;
	}
	if (s.len - i >= 2 && s.p[i] == '/' && s.p[i + 1] == '/') {
		i += 2;
		start = i;
		while (i < s.len && s.p[i] != '/' && s.p[i] != '?' &&
		       s.p[i] != '#')
			i++;
		u->authority = (struct str){s.p + start, i - start};
	}
	start = i;
	while (i < s.len && s.p[i] != '?' && s.p[i] != '#')
		i++;
	u->path = (struct str){s.p + start, i - start};
	if (i < s.len && s.p[i] == '?') {
		start = ++i;
		while (i < s.len && s.p[i] != '#')
			i++;
		u->query = (struct str){s.p + start, i - start};
	}
	if (i < s.len && s.p[i] == '#') {
		i++;
		u->fragment = (struct str){s.p + i, s.len - i};
	}
}

/* RFC 3986 §5.2.4: removes "." and ".." segments from path into out. */
static void
remove_dot_segments(struct buf *out, struct str path)
{
	const char *in = path.p, *end = path.p + path.len;
	size_t base_len = out->len;

	while (in < end) {
		size_t left = (size_t)(end - in);

		if (left >= 3 && !memcmp(in, "../", 3)) {
			in += 3;
		} else if (left >= 2 && !memcmp(in, "./", 2)) {
			in += 2;
		} else if (left >= 3 && !memcmp(in, "/./", 3)) {
			in += 2;
		} else if (left == 2 && !memcmp(in, "/.", 2)) {
			in += 1;
			/* "/." at the end becomes "/". */
			buf_addc(out, '/');
			in += 1;
		} else if ((left >= 4 && !memcmp(in, "/../", 4)) ||
			   (left == 3 && !memcmp(in, "/..", 3))) {
			char *slash;

			in += 3;
			out->data[out->len] = '\0';
			slash = strrchr(out->data + base_len, '/');
			buf_truncate(out, slash ? (size_t)(slash - out->data)
						: base_len);
			if (in == end)
				buf_addc(out, '/');
		} else if ((left == 1 && in[0] == '.') ||
			   (left == 2 && !memcmp(in, "..", 2))) {
			in = end;
		} else {
			const char *seg = in;

			if (*seg == '/')
				seg++;
			while (seg < end && *seg != '/')
				seg++;
			buf_add(out, in, (size_t)(seg - in));
			in = seg;
		}
	}
}

static void
add_part(struct buf *b, const char *prefix, struct str s)
{
	if (!s.p)
		return;
	buf_adds(b, prefix);
	buf_addstr(b, s);
}

char *
url_resolve(const char *base, const char *ref)
{
	struct url_parts r, b, t;
	struct buf out = BUF_INIT;
	struct buf merged = BUF_INIT;
	struct str rs;

	if (!ref)
		return NULL;
	rs = trimmed(ref);
	split(rs, &r);
	if (r.scheme.p) {
		t = r;
	} else {
		struct str bs;

		if (!base)
			return NULL;
		bs = trimmed(base);
		split(bs, &b);
		if (!b.scheme.p)
			return NULL;
		t.scheme = b.scheme;
		t.fragment = r.fragment;
		if (r.authority.p) {
			t.authority = r.authority;
			t.path = r.path;
			t.query = r.query;
		} else {
			t.authority = b.authority;
			if (!r.path.len) {
				t.path = b.path;
				t.query = r.query.p ? r.query : b.query;
			} else {
				t.query = r.query;
				if (r.path.p[0] == '/') {
					t.path = r.path;
				} else {
					/* §5.2.3: merge with the base path. */
					const char *slash = NULL;
					size_t i;

					for (i = b.path.len; i > 0; i--) {
						if (b.path.p[i - 1] == '/') {
							slash = b.path.p + i -
								1;
							break;
						}
					}
					if (b.authority.p && !b.path.len)
						buf_addc(&merged, '/');
					else if (slash)
						buf_add(&merged, b.path.p,
							(size_t)(slash -
								 b.path.p) +
								1);
					buf_addstr(&merged, r.path);
					t.path = buf_str(&merged);
				}
			}
		}
	}
	buf_addstr(&out, t.scheme);
	buf_addc(&out, ':');
	add_part(&out, "//", t.authority);
	remove_dot_segments(&out, t.path);
	add_part(&out, "?", t.query);
	add_part(&out, "#", t.fragment);
	buf_release(&merged);
	if (out.err) {
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out, NULL);
}

/* Query parameter names that only track where a click came from. */
static bool
is_tracking_param(struct str name)
{
	static const char *const exact[] = {
		"fbclid",      "gclid",	     "dclid",	"gclsrc",   "mc_cid",
		"mc_eid",      "igshid",     "ref_src", "_ga",	    "_gl",
		"yclid",       "msclkid",    "_hsenc",	"_hsmi",    "mkt_tok",
		"oly_anon_id", "oly_enc_id", "vero_id", "wickedid", "twclid",
	};
	size_t i;

	if (name.len >= 4 && !strncasecmp(name.p, "utm_", 4))
		return true;
	for (i = 0; i < ARRAY_SIZE(exact); i++)
		if (str_eq_ci(name, str_from(exact[i])))
			return true;
	return false;
}

static void
add_lower(struct buf *b, struct str s)
{
	size_t i;

	for (i = 0; i < s.len; i++)
		buf_addc(b, (char)tolower((unsigned char)s.p[i]));
}

/* Splits an authority into userinfo (with '@'), host and port. */
static void
split_authority(struct str a, struct str *userinfo, struct str *host,
		struct str *port)
{
	size_t i, at = 0;
	bool has_at = false;

	for (i = 0; i < a.len; i++)
		if (a.p[i] == '@') {
			at = i + 1;
			has_at = true;
		}
	*userinfo = has_at ? (struct str){a.p, at} : (struct str){NULL, 0};
	a.p += at;
	a.len -= at;
	*port = (struct str){NULL, 0};
	i = a.len;
	while (i > 0 && isdigit((unsigned char)a.p[i - 1]))
		i--;
	if (i > 0 && a.p[i - 1] == ':' &&
	    (a.p[0] != '[' || (i >= 2 && a.p[i - 2] == ']'))) {
		*port = (struct str){a.p + i, a.len - i};
		a.len = i - 1;
	}
	*host = a;
}

char *
url_canonical(const char *url)
{
	struct url_parts u;
	struct str userinfo, host, port;
	struct buf out = BUF_INIT;
	bool http, https;

	if (!url)
		return NULL;
	split(trimmed(url), &u);
	if (!u.scheme.p)
		return NULL;
	add_lower(&out, u.scheme);
	http = str_eq_ci(u.scheme, STR_LIT("http"));
	https = str_eq_ci(u.scheme, STR_LIT("https"));
	buf_addc(&out, ':');
	if (u.authority.p) {
		buf_adds(&out, "//");
		split_authority(u.authority, &userinfo, &host, &port);
		buf_addstr(&out, userinfo);
		add_lower(&out, host);
		if (host.len && host.p[host.len - 1] == '.')
			buf_truncate(&out, out.len - 1);
		if (port.p && port.len && !(http && str_eq_cstr(port, "80")) &&
		    !(https && str_eq_cstr(port, "443"))) {
			buf_addc(&out, ':');
			buf_addstr(&out, port);
		}
	}
	if (!u.path.len && u.authority.p && (http || https))
		buf_addc(&out, '/');
	else
		remove_dot_segments(&out, u.path);
	if (u.query.p) {
		const char *p = u.query.p, *end = u.query.p + u.query.len;
		size_t mark = out.len;
		bool first = true;

		buf_addc(&out, '?');
		while (p < end) {
			const char *amp = memchr(p, '&', (size_t)(end - p));
			const char *stop = amp ? amp : end;
			const char *eq = memchr(p, '=', (size_t)(stop - p));
			struct str name = {p, (size_t)((eq ? eq : stop) - p)};

			if (stop > p && !is_tracking_param(name)) {
				if (!first)
					buf_addc(&out, '&');
				buf_add(&out, p, (size_t)(stop - p));
				first = false;
			}
			p = amp ? amp + 1 : end;
		}
		if (first)
			buf_truncate(&out, mark);
	}
	if (out.err) {
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out, NULL);
}

char *
url_host(const char *url)
{
	struct url_parts u;
	struct str userinfo, host, port;
	struct buf out = BUF_INIT;

	if (!url)
		return NULL;
	split(trimmed(url), &u);
	if (!u.scheme.p || !u.authority.p)
		return NULL;
	split_authority(u.authority, &userinfo, &host, &port);
	if (!host.len)
		return NULL;
	add_lower(&out, host);
	return buf_detach(&out, NULL);
}

bool
url_is_http(const char *url)
{
	struct url_parts u;
	struct str userinfo, host, port;

	if (!url)
		return false;
	split(trimmed(url), &u);
	if (!u.scheme.p || !u.authority.p)
		return false;
	if (!str_eq_ci(u.scheme, STR_LIT("http")) &&
	    !str_eq_ci(u.scheme, STR_LIT("https")))
		return false;
	split_authority(u.authority, &userinfo, &host, &port);
	return host.len > 0;
}
