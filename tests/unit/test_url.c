#include "common.h"

#include <criterion/criterion.h>

#include "base/url.h"

/* RFC 3986 §5.4: the normal and abnormal examples against its base. */
Test(url, resolve_rfc3986_examples)
{
	static const char *const base = "http://a/b/c/d;p?q";
	static const struct {
		const char *ref, *want;
	} cases[] = {
		{"g:h", "g:h"},
		{"g", "http://a/b/c/g"},
		{"./g", "http://a/b/c/g"},
		{"g/", "http://a/b/c/g/"},
		{"/g", "http://a/g"},
		{"//g", "http://g"},
		{"?y", "http://a/b/c/d;p?y"},
		{"g?y", "http://a/b/c/g?y"},
		{"#s", "http://a/b/c/d;p?q#s"},
		{"g#s", "http://a/b/c/g#s"},
		{"g?y#s", "http://a/b/c/g?y#s"},
		{";x", "http://a/b/c/;x"},
		{"g;x", "http://a/b/c/g;x"},
		{"g;x?y#s", "http://a/b/c/g;x?y#s"},
		{"", "http://a/b/c/d;p?q"},
		{".", "http://a/b/c/"},
		{"./", "http://a/b/c/"},
		{"..", "http://a/b/"},
		{"../", "http://a/b/"},
		{"../g", "http://a/b/g"},
		{"../..", "http://a/"},
		{"../../", "http://a/"},
		{"../../g", "http://a/g"},
		{"../../../g", "http://a/g"},
		{"../../../../g", "http://a/g"},
		{"/./g", "http://a/g"},
		{"/../g", "http://a/g"},
		{"g.", "http://a/b/c/g."},
		{".g", "http://a/b/c/.g"},
		{"g..", "http://a/b/c/g.."},
		{"..g", "http://a/b/c/..g"},
		{"./../g", "http://a/b/g"},
		{"./g/.", "http://a/b/c/g/"},
		{"g/./h", "http://a/b/c/g/h"},
		{"g/../h", "http://a/b/c/h"},
		{"g;x=1/./y", "http://a/b/c/g;x=1/y"},
		{"g;x=1/../y", "http://a/b/c/y"},
		{"g?y/./x", "http://a/b/c/g?y/./x"},
		{"g?y/../x", "http://a/b/c/g?y/../x"},
		{"g#s/./x", "http://a/b/c/g#s/./x"},
		{"g#s/../x", "http://a/b/c/g#s/../x"},
		{"http:g", "http:g"},
		{"  /trimmed  ", "http://a/trimmed"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = url_resolve(base, cases[i].ref);

		cr_assert_not_null(got, "%s", cases[i].ref);
		cr_expect_str_eq(got, cases[i].want, "ref '%s'", cases[i].ref);
		free(got);
	}
}

Test(url, resolve_without_base)
{
	char *got = url_resolve(NULL, "https://example.com/x");

	cr_assert_str_eq(got, "https://example.com/x");
	free(got);
	cr_assert_null(url_resolve(NULL, "/relative"));
	cr_assert_null(url_resolve("not a base", "x"));
	cr_assert_null(url_resolve("http://a/", NULL));
	got = url_resolve("http://example.com", "x");
	cr_assert_str_eq(got, "http://example.com/x");
	free(got);
}

Test(url, canonical)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"HTTP://Example.COM:80/a?b=1#frag",
		 "http://example.com/a?b=1"},
		{"https://example.com:443", "https://example.com/"},
		{"https://example.com:8443/x", "https://example.com:8443/x"},
		{"http://example.com/a?utm_source=x&id=7&utm_medium=y&fbclid=z",
		 "http://example.com/a?id=7"},
		{"http://example.com/a?utm_source=x", "http://example.com/a"},
		{"http://example.com/a?gclid=1&b=2&mc_cid=3&mc_eid=4&c=5",
		 "http://example.com/a?b=2&c=5"},
		{"http://example.com/a?igshid=1&ref_src=2&_ga=3",
		 "http://example.com/a"},
		{"http://example.com/a/./b/../c", "http://example.com/a/c"},
		{"http://user@Example.com./p", "http://user@example.com/p"},
		{"http://[::1]:80/", "http://[::1]/"},
		{"mailto:Someone@Example.com", "mailto:Someone@Example.com"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = url_canonical(cases[i].in);

		cr_assert_not_null(got, "%s", cases[i].in);
		cr_expect_str_eq(got, cases[i].want, "url '%s'", cases[i].in);
		free(got);
	}
	cr_assert_null(url_canonical("/relative/only"));
	cr_assert_null(url_canonical(NULL));
}

Test(url, host_and_predicates)
{
	char *h = url_host("https://User@News.Example.ORG:8080/x");

	cr_assert_str_eq(h, "news.example.org");
	free(h);
	h = url_host("http://[2001:db8::1]:8080/");
	cr_assert_str_eq(h, "[2001:db8::1]");
	free(h);
	cr_assert_null(url_host("mailto:a@b"));
	cr_assert_null(url_host("/x"));
	cr_assert(url_is_http("http://example.com"));
	cr_assert(url_is_http(" HTTPS://example.com/x "));
	cr_assert_not(url_is_http("ftp://example.com/"));
	cr_assert_not(url_is_http("javascript:alert(1)"));
	cr_assert_not(url_is_http("http:///nohost"));
	cr_assert_not(url_is_http(NULL));
	cr_assert(url_is_absolute("tag:example.com,2004:x"));
	cr_assert_not(url_is_absolute("//example.com/x"));
	cr_assert_not(url_is_absolute("1http://x"));
}
