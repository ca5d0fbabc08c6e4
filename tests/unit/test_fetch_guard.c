#include "common.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>

#include "base/clock.h"
#include "base/config.h"
#include "fetch/fetch.h"
#include "fetch/guard.h"
#include "support/fixture_server.h"

/* Builds a sockaddr for text (IPv4 or IPv6); fails the test otherwise. */
static void
make_addr(const char *text, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		cr_assert_eq(inet_pton(AF_INET6, text, &in6->sin6_addr), 1,
			     "%s", text);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		cr_assert_eq(inet_pton(AF_INET, text, &in->sin_addr), 1, "%s",
			     text);
	}
}

Test(fetch_guard, classifies_addresses)
{
	/* clang-format off */
	static const struct {
		const char *addr;
		bool special;
	} cases[] = {
		{ "127.0.0.1", true },		{ "127.255.255.254", true },
		{ "10.0.0.1", true },		{ "10.255.255.255", true },
		{ "172.16.0.1", true },		{ "172.31.255.255", true },
		{ "172.15.255.255", false },	{ "172.32.0.1", false },
		{ "192.168.1.1", true },	{ "169.254.169.254", true },
		{ "169.254.0.1", true },	{ "100.64.0.1", true },
		{ "100.127.255.255", true },	{ "100.128.0.1", false },
		{ "100.63.255.255", false },	{ "0.0.0.0", true },
		{ "0.1.2.3", true },		{ "224.0.0.1", true },
		{ "239.255.255.250", true },	{ "255.255.255.255", true },
		{ "240.0.0.1", true },		{ "192.0.2.10", true },
		{ "198.18.0.1", true },		{ "203.0.113.5", true },
		{ "8.8.8.8", false },		{ "93.184.216.34", false },
		{ "1.1.1.1", false },		{ "192.169.0.1", false },
		{ "::", true },			{ "::1", true },
		{ "::ffff:127.0.0.1", true },	{ "::ffff:10.1.2.3", true },
		{ "::ffff:8.8.8.8", false },	{ "::127.0.0.1", true },
		{ "fc00::1", true },		{ "fd00:ec2::254", true },
		{ "fe80::1", true },		{ "febf::1", true },
		{ "fec0::1", true },		{ "ff02::1", true },
		{ "64:ff9b::7f00:1", true },	{ "64:ff9b::808:808", false },
		{ "64:ff9b:1::1", true },	{ "2002:7f00:1::1", true },
		{ "2002:a9fe:a9fe::1", true },	{ "2002:808:808::1", false },
		{ "2001::1", true },		{ "2001:db8::1", true },
		{ "2001:4860:4860::8888", false },
		{ "2606:4700:4700::1111", false },
		{ "100::1", true },		{ "4000::1", true },
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sockaddr_storage ss;
		char text[FETCH_ADDR_MAX];

		make_addr(cases[i].addr, &ss);
		cr_expect_eq(fetch_addr_is_special((struct sockaddr *)&ss),
			     cases[i].special, "%s", cases[i].addr);
		cr_expect_eq(
			fetch_guard_allows_addr(NULL, (struct sockaddr *)&ss),
			!cases[i].special, "%s", cases[i].addr);
		fetch_addr_format((struct sockaddr *)&ss, text, sizeof(text));
		cr_expect_str_eq(text, cases[i].addr);
	}
}

Test(fetch_guard, allow_list)
{
	/* clang-format off */
	static const struct {
		const char *addr;
		bool allowed;
	} cases[] = {
		{ "10.1.2.3", true },		{ "11.0.0.1", true },
		{ "192.168.1.1", false },	{ "127.0.0.1", true },
		{ "127.0.0.2", false },		{ "::ffff:127.0.0.1", true },
		{ "::ffff:10.9.9.9", true },	{ "fd12::1", true },
		{ "fe80::1", false },		{ "::1", false },
		{ "172.20.0.1", true },		{ "172.24.0.1", false },
	};
	/* clang-format on */
	struct fetch_guard *guard;
	size_t i;

	cr_assert_eq(fetch_guard_new(" localhost , 10.0.0.0/8,127.0.0.1,"
				     "fd00::/8, Feeds.Example.ORG., "
				     "172.20.0.0/14,,[::2]",
				     &guard),
		     ST_OK);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sockaddr_storage ss;

		make_addr(cases[i].addr, &ss);
		cr_expect_eq(
			fetch_guard_allows_addr(guard, (struct sockaddr *)&ss),
			cases[i].allowed, "%s", cases[i].addr);
	}
	cr_assert(fetch_guard_allows_host(guard, "localhost"));
	cr_assert(fetch_guard_allows_host(guard, "LocalHost."));
	cr_assert(fetch_guard_allows_host(guard, "feeds.example.org"));
	cr_assert_not(fetch_guard_allows_host(guard, "example.org"));
	cr_assert_not(fetch_guard_allows_host(guard, "localhost.evil"));
	cr_assert_not(fetch_guard_allows_host(guard, "10.0.0.1"));
	fetch_guard_free(guard);

	cr_assert_eq(fetch_guard_new("", &guard), ST_OK);
	cr_assert_not(fetch_guard_allows_host(guard, "localhost"));
	fetch_guard_free(guard);
	cr_assert_eq(fetch_guard_new("10.0.0.0/33", &guard), ST_INVAL);
	cr_assert_eq(fetch_guard_new("fd00::/129", &guard), ST_INVAL);
	cr_assert_eq(fetch_guard_new("10.0.0.0/x", &guard), ST_INVAL);
	cr_assert_eq(fetch_guard_new("foo/8", &guard), ST_INVAL);
}

static struct fixture_server *canary;

static void
setup(void)
{
	static const struct fixture_route any[] = {
		{.path = "*", .body = "canary"},
	};

	config_defaults();
	cr_assert_eq(config_set("fetch_timeout", "3", "test"), ST_OK);
	cr_assert_eq(config_set("fetch_connect_timeout", "2", "test"), ST_OK);
	cr_assert_eq(config_set("fetch_allow", "", "test"), ST_OK);
	cr_assert_eq(fetch_global_init(), ST_OK);
	canary = fixture_server_start(any, ARRAY_SIZE(any));
}

static void
teardown(void)
{
	fixture_server_stop(canary);
	fetch_global_cleanup();
	config_free();
}

struct outcome {
	struct fetch_result *res;   /* by request index */
	struct fetch_request *reqs; /* to find the index */
};

static void
keep(struct fetch_request *req, struct fetch_result *res, void *ctx)
{
	struct outcome *o = ctx;

	fetch_result_move(&o->res[req - o->reqs], res);
}

/*
 * Acceptance 5: with nothing allowed, every spelling of a private or
 * loopback address is refused at connect time, quickly, and the canary on
 * 127.0.0.1 never sees a connection.
 */
Test(fetch_ssrf, private_addresses_refused, .init = setup, .fini = teardown)
{
	/* clang-format off */
	static const struct {
		const char *url;	/* PORT: the canary's port */
		const char *addr;	/* expected refused address; NULL: any */
	} cases[] = {
		{ "http://127.0.0.1:PORT/", "127.0.0.1" },
		{ "http://localhost:PORT/", NULL },
		{ "http://[::1]:PORT/", "::1" },
		{ "http://0.0.0.0:PORT/", "0.0.0.0" },
		{ "http://2130706433:PORT/", "127.0.0.1" },
		{ "http://0x7f000001:PORT/", "127.0.0.1" },
		{ "http://0177.0.0.1:PORT/", "127.0.0.1" },
		{ "http://127.1:PORT/", "127.0.0.1" },
		{ "http://[::ffff:127.0.0.1]:PORT/", "::ffff:127.0.0.1" },
		{ "http://169.254.169.254/latest/meta-data/", "169.254.169.254" },
		{ "http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254" },
		{ "http://10.0.0.1/", "10.0.0.1" },
		{ "http://192.168.1.1/", "192.168.1.1" },
		{ "http://172.16.0.1/", "172.16.0.1" },
		{ "http://100.100.100.200/", "100.100.100.200" },
		{ "https://127.0.0.1:PORT/", "127.0.0.1" },
	};
	/* clang-format on */
	struct fetch_request reqs[ARRAY_SIZE(cases)];
	struct fetch_result res[ARRAY_SIZE(cases)];
	struct outcome o = {res, reqs};
	char urls[ARRAY_SIZE(cases)][128];
	int64_t start;
	size_t i;

	memset(reqs, 0, sizeof(reqs));
	memset(res, 0, sizeof(res));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *port = strstr(cases[i].url, "PORT");

		if (port)
			snprintf(urls[i], sizeof(urls[i]), "%.*s%d%s",
				 (int)(port - cases[i].url), cases[i].url,
				 fixture_server_port(canary), port + 4);
		else
			snprintf(urls[i], sizeof(urls[i]), "%s", cases[i].url);
		reqs[i].url = urls[i];
	}
	start = clock_mono_ms();
	cr_assert_eq(fetch_run(reqs, ARRAY_SIZE(reqs), keep, &o), ST_OK);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		cr_expect_eq(res[i].status, ST_BLOCKED, "%s: %s", urls[i],
			     res[i].error);
		if (cases[i].addr) {
			char want[80];

			snprintf(want, sizeof(want), "blocked address %s",
				 cases[i].addr);
			cr_expect_str_eq(res[i].error, want, "%s", urls[i]);
		} else {
			cr_expect(res[i].error &&
					  !strncmp(res[i].error,
						   "blocked address ", 16),
				  "%s: %s", urls[i], res[i].error);
		}
		fetch_result_release(&res[i]);
	}
	cr_assert_lt(clock_mono_ms() - start, 1500,
		     "refusing took %" PRId64 " ms", clock_mono_ms() - start);
	cr_assert_eq(fixture_server_connections(canary), 0);
}

/* An allowed host that redirects to the canary: the hop is refused. */
Test(fetch_ssrf, redirect_to_private_refused, .init = setup, .fini = teardown)
{
	struct fixture_route hop = {.path = "/hop", .kind = FIXTURE_REDIRECT};
	struct fixture_server *allowed;
	char target[80], url[80];
	struct fetch_result res;

	snprintf(target, sizeof(target), "http://127.0.0.1:%d/secret",
		 fixture_server_port(canary));
	hop.location = target;
	allowed = fixture_server_start(&hop, 1);
	snprintf(url, sizeof(url), "http://localhost:%d/hop",
		 fixture_server_port(allowed));
	cr_assert_eq(config_set("fetch_allow", "localhost", "test"), ST_OK);

	cr_assert_eq(fetch_one(url, NULL, &res), ST_BLOCKED, "%s", res.error);
	cr_assert_str_eq(res.error, "blocked address 127.0.0.1");
	cr_assert_eq(res.redirects, 1);
	fetch_result_release(&res);
	cr_assert_eq(fixture_server_requests(allowed, "/hop"), 1);
	cr_assert_eq(fixture_server_connections(canary), 0);

	/* The same canary is reached once its range is allowed. */
	cr_assert_eq(config_set("fetch_allow", "127.0.0.0/8", "test"), ST_OK);
	cr_assert_eq(fetch_one(url, NULL, &res), ST_OK, "%s", res.error);
	cr_assert_str_eq(res.body, "canary");
	fetch_result_release(&res);
	cr_assert_eq(fixture_server_requests(canary, "/secret"), 1);
	fixture_server_stop(allowed);
}
